//! Petition reminders: 3 days before each of the office's statutory deadlines and on the day,
//! one outbox row each (the cause names the petition, the deadline and which reminder), to the
//! petition staff whose jurisdiction covers the petition. The deadline is the projection's
//! `due_at`, computed by `sync_protocol::rules::petition`; the petitioner's own windows (asking
//! for review) remind nobody.

use sqlx::Transaction;
use sync_protocol::DocId;
use sync_protocol::calendar::{DAY_MS, beijing_day};
use sync_protocol::outbox::{OutboxEvent, PetitionDeadline, PetitionDue};
use sync_protocol::rules::petition::days_left_to;

use super::sql::now_ms;
use super::*;

/// Reminders before a deadline: (at most this many days left, the cause's suffix), the
/// nearest first.
const WHEN: &[(i64, &str)] = &[(0, "0d"), (3, "3d")];

impl SqlStore {
    pub async fn remind_petitions(&self) -> Result<u64> {
        self.remind_petitions_at(now_ms()).await
    }

    /// Enqueue the petition reminders due at `now`; returns how many rows were new. The "3
    /// days before" reminder goes out on any of the three days before (the first tick that
    /// sees it), the other on the last day; none once the deadline has passed.
    pub async fn remind_petitions_at(&self, now: i64) -> Result<u64> {
        #[derive(sqlx::FromRow)]
        struct Due {
            #[sqlx(try_from = "Vec<u8>")]
            doc_id: DocId,
            due_at: i64,
            status: Option<String>,
            unit_code: String,
            body: String,
        }
        let rows: Vec<Due> = sqlx::query_as(
            "SELECT doc_id, due_at, status, unit_code, body FROM records
             WHERE kind = 'petition' AND due_at IS NOT NULL AND due_at > $1 AND due_at <= $2",
        )
        .bind(now)
        .bind(now + 4 * DAY_MS)
        .fetch_all(&self.pool)
        .await?;
        let mut n = 0;
        for r in rows {
            let (doc, due) = (r.doc_id, r.due_at);
            let body: serde_json::Value = serde_json::from_str(&r.body).unwrap_or_default();
            if body["deadline"]["owner"] != "office" {
                continue;
            }
            let left = days_left_to(due, now);
            let Some((_, which)) = WHEN.iter().find(|(before, _)| left <= *before) else { continue };
            let stage = r.status.and_then(|s| s.parse().ok());
            let kind = body["deadline"]["kind"].as_str().and_then(|k| k.parse().ok());
            let (Some(stage), Some(kind)) = (stage, kind) else { continue };
            let event = OutboxEvent::PetitionDue(PetitionDue {
                doc,
                village: r.unit_code,
                stage,
                deadline: PetitionDeadline { kind, due_ms: due },
                days_left: left,
            });
            let cause = format!("petition:{doc}:{}:{which}", beijing_day(due - 1));
            n += self.enqueue_once(&event, doc, &cause, now, "petition").await?;
        }
        Ok(n)
    }

    /// Petition staff whose unit is the petition's village or one of its ancestors.
    pub(super) async fn petition_recipients(
        &self,
        tx: &mut Transaction<'static, sqlx::Any>,
        unit_path: &str,
    ) -> Result<Vec<String>> {
        let village = unit_path.split('/').rfind(|s| !s.is_empty()).unwrap_or_default();
        let mut out = Vec::new();
        for unit in self.unit_chain(village).await? {
            let ids: Vec<String> = sqlx::query_scalar(super::alerts::PEOPLE_IN_UNIT)
                .bind(&unit.code)
                .bind(sync_protocol::Role::PetitionStaff.as_str())
                .fetch_all(&mut **tx)
                .await?;
            out.extend(ids);
        }
        Ok(out)
    }
}
