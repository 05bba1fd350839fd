//! Deadline reminders (限期化解): the day before a case's deadline and once it is overdue, one
//! outbox row each per case and deadline day, to the handler and the responsible leader. When
//! is decided by `sync_protocol::rules::overdue`, the rule the PWA shows; SQL only narrows the
//! candidates.

use sync_protocol::calendar::{DAY_MS, beijing_day, date_string};
use sync_protocol::case::Status;
use sync_protocol::outbox::{CaseFacts, OutboxEvent};
use sync_protocol::rules::overdue::{Clock, DeadlineState, overdue_from};

use super::sql::{now_ms, to_doc_id};
use super::*;

impl SqlStore {
    /// Enqueue the reminders that are due at `now`; returns how many rows were new. A second
    /// call for the same state enqueues nothing (the cause names the case and deadline day).
    pub async fn remind_overdue(&self) -> Result<u64> {
        self.remind_deadlines_at(now_ms()).await
    }

    pub async fn remind_deadlines_at(&self, now: i64) -> Result<u64> {
        let due: Vec<(Vec<u8>, String)> =
            sqlx::query_as(DUE).bind(now + 2 * DAY_MS).fetch_all(&self.pool).await?;
        let mut n = 0;
        for (doc, body) in due {
            let doc = to_doc_id(doc)?;
            let body: serde_json::Value = serde_json::from_str(&body).unwrap_or_default();
            let Some(clock) = clock_of(&body) else { continue };
            let deadline = clock.deadline.unwrap_or_default();
            let Some(facts) = case_facts_of(doc, &body, overdue_from(deadline)) else { continue };
            let event = match clock.state(now) {
                DeadlineState::DueSoon => OutboxEvent::DueSoon(facts),
                DeadlineState::Overdue => OutboxEvent::Overdue(facts),
                _ => continue,
            };
            let cause = format!("{}:{doc}:{}", event.kind(), date_string(beijing_day(deadline)));
            n += self.enqueue_once(&event, doc, &cause, now, "case").await?;
        }
        Ok(n)
    }

    /// One outbox row, unless one with the same `cause` is there already: a reminder tick that
    /// sees the same state again adds nothing. 1 if the row is new, else 0.
    pub(super) async fn enqueue_once(
        &self,
        event: &OutboxEvent,
        doc: DocId,
        cause: &str,
        now: i64,
        level: &str,
    ) -> Result<u64> {
        Ok(sqlx::query(
            "INSERT INTO outbox (kind, doc_id, cause, payload, created_at, level) VALUES ($1, $2, $3, $4, $5, $6)
             ON CONFLICT (cause) DO NOTHING",
        )
        .bind(event.kind())
        .bind(doc.0.to_vec())
        .bind(cause)
        .bind(event.payload())
        .bind(now)
        .bind(level)
        .execute(&self.writer)
        .await?
        .rows_affected())
    }
}

/// The cases whose reminder day may have begun: a deadline before `$1`, two days from now,
/// unsettled (a disputed closure, `conflicts` set, still counts as open), someone to
/// remind. The last two terms are the partial index cases_deadline_open's word for word
/// (migration 0019): SQLite uses it only so, and without it every tick reads every case ever
/// reported. `plan_tests` holds SQLite to it.
pub(super) const DUE: &str = "SELECT doc_id, body FROM cases
     WHERE deadline IS NOT NULL AND deadline < $1
       AND (status NOT IN ('resolved', 'closed') OR conflicts <> 0)
       AND (handler IS NOT NULL OR responsible_leader IS NOT NULL)";

/// What a reminder says about a projected case (the `body` JSON of `cases`); `None` if the
/// projection lacks a field it needs, which the projection's own validation rules out.
fn case_facts_of(doc: DocId, body: &serde_json::Value, due: i64) -> Option<CaseFacts> {
    Some(CaseFacts {
        doc,
        case_no: body["case_no"].as_str().map(str::to_owned),
        village: body["village"].as_str()?.to_owned(),
        category: body["category"].as_str()?.parse().ok()?,
        severity: body["severity"].as_str()?.parse().ok()?,
        due: Some(due),
    })
}

/// The overdue rule's view of a projected case (the `body` JSON of `cases`).
fn clock_of(body: &serde_json::Value) -> Option<Clock> {
    let status: Status = body["status"].as_str()?.parse().ok()?;
    let transitions = body["transitions"]
        .as_array()
        .map(|ts| {
            ts.iter().filter_map(|t| Some((t["to"].as_str()?.parse().ok()?, t["at"].as_i64()?))).collect()
        })
        .unwrap_or_default();
    Some(Clock {
        deadline: body["deadline"].as_i64(),
        status,
        needs_confirmation: body["needs_confirmation"].as_bool().unwrap_or(false),
        transitions,
    })
}
