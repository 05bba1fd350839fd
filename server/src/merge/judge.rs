//! Judging one pushed document: accept (with what to commit), ask for missing changes, or
//! reject with a reason. No writes happen here.

use std::collections::HashSet;

use automerge::transaction::CommitOptions;
use automerge::{Automerge, AutomergeError, Change, ROOT, ReadDoc};
use sync_protocol::case::{self, Case, Severity, Writer};
use sync_protocol::wire::{self, Hash, Reason, RejectCode};
use sync_protocol::{ActorPrefix, DocId};

use super::{Merger, reason, seal};
use crate::error::AppError;
use crate::store::{CaseRow, DeviceAuth, DocCommit, DocMeta, NewChange, OutboxItem};

const MAX_CHANGES_PER_DOC: usize = 2_000;
const MAX_BYTES_PER_DOC: usize = 4 * 1024 * 1024;
/// Changes logged after the last snapshot before a new one is written with the commit.
const SNAPSHOT_EVERY: i64 = 32;

pub enum Verdict {
    /// Nothing new: the server already had every change.
    Ok {
        heads: Vec<Hash>,
    },
    Commit {
        commit: Box<DocCommit>,
        trial: Box<Automerge>,
        heads: Vec<Hash>,
    },
    NeedChanges {
        heads: Vec<Hash>,
    },
    Rejected {
        heads: Vec<Hash>,
        reason: Reason,
    },
}

impl Verdict {
    pub fn commit(&self) -> Option<&DocCommit> {
        match self {
            Verdict::Commit { commit, .. } => Some(commit),
            _ => None,
        }
    }
}

pub async fn judge(
    m: &Merger,
    device: &DeviceAuth,
    push: &wire::PushDoc,
    meta: Option<&DocMeta>,
) -> Result<Verdict, AppError> {
    // Scope first. A document outside the jurisdiction is judged exactly as if it did not
    // exist, so the answer cannot tell anyone that it does.
    let meta = meta.filter(|meta| device.covers(&meta.unit_path));
    let base = match meta {
        Some(meta) => m.cache.load(&m.store, push.doc, meta).await?,
        None => Automerge::new(),
    };
    let base_heads = base.get_heads();
    let heads = wire::hashes(&base_heads);
    let reject = |code, msg: String| {
        Ok(Verdict::Rejected {
            heads: heads.clone(),
            reason: reason(code, msg),
        })
    };

    let total: usize = push.changes.iter().map(|c| c.len()).sum();
    if push.changes.len() > MAX_CHANGES_PER_DOC || total > MAX_BYTES_PER_DOC {
        return reject(
            RejectCode::TooLarge,
            format!(
                "{} changes, {total} bytes; split the push",
                push.changes.len()
            ),
        );
    }
    let mut fresh = Vec::new();
    let mut seen = HashSet::new();
    let mut sealed_no = None;
    for (i, bytes) in push.changes.iter().enumerate() {
        let change = match Change::from_bytes(bytes.to_vec()) {
            Ok(c) => c,
            Err(e) => {
                return reject(
                    RejectCode::BadChange,
                    format!("change {i} does not decode: {e}"),
                );
            }
        };
        if base.get_change_by_hash(&change.hash()).is_some() || !seen.insert(change.hash()) {
            continue; // already stored or sent twice: a no-op whoever sent it
        }
        if let Some(no) = seal::verify_case_no(&m.secret, push.doc, &change) {
            sealed_no = Some(no); // the server's own change, re-delivered (e.g. after a restore)
        } else if !device.actor_prefix.owns(change.actor_id()) {
            return reject(
                RejectCode::ForeignActor,
                format!(
                    "change {i} has actor {} which is not this device's",
                    change.actor_id()
                ),
            );
        }
        fresh.push(change);
    }
    if fresh.is_empty() {
        return Ok(Verdict::Ok { heads });
    }

    let mut trial = base.clone();
    if let Err(e) = trial.apply_changes(fresh) {
        return match e {
            AutomergeError::DuplicateSeqNumber(..) => {
                reject(RejectCode::DuplicateSeq, e.to_string())
            }
            e => reject(RejectCode::BadChange, e.to_string()),
        };
    }
    // Orphans are queued silently by Automerge; they must never be stored.
    if !trial.get_missing_deps(&[]).is_empty() {
        return Ok(Verdict::NeedChanges { heads });
    }

    let kind = match trial.get(ROOT, "kind") {
        Ok(Some((automerge::Value::Scalar(s), _))) => s.as_str().unwrap_or_default().to_string(),
        _ => String::new(),
    };
    if kind != case::KIND {
        return reject(
            RejectCode::Schema,
            format!("kind: unknown document kind '{kind}'"),
        );
    }
    let after = match case::read_case(&trial) {
        Ok(c) => c,
        Err(e) => return reject(RejectCode::Schema, e.to_string()),
    };
    let before = match meta {
        Some(_) => case::read_case(&base).ok(),
        None => None,
    };
    // A re-delivered, sealed case number is the server's word, not the device's.
    let mut checked = after.clone();
    if sealed_no.is_some() && sealed_no == after.case_no {
        checked.case_no = before.as_ref().and_then(|b| b.case_no.clone());
    }
    if let Err(e) = case::check_transition(before.as_ref(), &checked, Writer::User(&device.user_id))
    {
        return reject(RejectCode::Schema, e.to_string());
    }

    let (unit_code, unit_path, county) = match meta {
        Some(meta) => (meta.unit_code.clone(), meta.unit_path.clone(), None),
        None => {
            let chain = m.store.unit_chain(&after.village).await?;
            let Some(village) = chain
                .last()
                .filter(|u| u.kind == "village" && device.covers(&u.path))
            else {
                return reject(
                    RejectCode::OutOfScope,
                    format!("village {} is not in your jurisdiction", after.village),
                );
            };
            let county = chain.iter().find(|u| u.kind == "county").cloned();
            (village.code.clone(), village.path.clone(), county)
        }
    };

    let mut after = after;
    // Only numbering needs the county; most pushes edit numbered cases and skip the lookup.
    let county = match county {
        _ if after.case_no.is_some() && sealed_no.is_none() => None,
        Some(c) => Some(c),
        None => county_of(m, &unit_path).await?,
    };
    if let Some(county) = county {
        let year = beijing_year(after.reported_at);
        match (&after.case_no, &sealed_no) {
            (None, _) => {
                let n = m.store.next_case_number(&county.code, year).await?;
                let no = format!("{}-{year}-{n:06}", short_name(&county.name));
                stamp_case_no(m, push.doc, &mut trial, &no)?;
                after = case::read_case(&trial).map_err(|e| {
                    AppError::Internal(anyhow::anyhow!("case number broke the schema: {e}"))
                })?;
            }
            // A number this server issued before a restore: never issue it again.
            (Some(no), Some(sealed)) if no == sealed => {
                if let Some(n) = no.rsplit('-').next().and_then(|n| n.parse::<i64>().ok()) {
                    m.store
                        .keep_case_counter_past(&county.code, year, n)
                        .await?;
                }
            }
            _ => {}
        }
    }

    let new_changes: Vec<NewChange> = trial
        .get_changes(&base_heads)
        .into_iter()
        .map(|mut c| NewChange {
            hash: c.hash().0,
            actor: c.actor_id().to_bytes().to_vec(),
            device_id: (!ActorPrefix::SERVER.owns(c.actor_id())).then_some(device.device_id),
            bytes: c.bytes().into_owned(),
        })
        .collect();
    let tail_count = meta.map_or(0, |m| m.tail_count);
    let snapshot = (tail_count + new_changes.len() as i64 > SNAPSHOT_EVERY).then(|| trial.save());
    let new_heads = trial.get_heads();
    let outbox = urgent_alert(push.doc, before.as_ref(), &after, &new_heads);
    let commit = DocCommit {
        doc: push.doc,
        kind,
        unit_code,
        unit_path: unit_path.clone(),
        expected_version: meta.map(|m| m.version),
        changes: new_changes,
        heads: new_heads.iter().flat_map(|h| h.0).collect(),
        snapshot,
        case: Some(case_row(push.doc, &after, &unit_path)),
        outbox,
    };
    Ok(Verdict::Commit {
        commit: Box::new(commit),
        trial: Box::new(trial),
        heads: wire::hashes(&new_heads),
    })
}

/// The county a unit path lies in (case numbers run per county: `永安-2026-000123`).
async fn county_of(m: &Merger, unit_path: &str) -> Result<Option<crate::store::Unit>, AppError> {
    let code = unit_path
        .split('/')
        .rfind(|s| !s.is_empty())
        .unwrap_or_default();
    Ok(m.store
        .unit_chain(code)
        .await?
        .into_iter()
        .find(|u| u.kind == "county"))
}

fn stamp_case_no(m: &Merger, doc: DocId, trial: &mut Automerge, no: &str) -> Result<(), AppError> {
    trial.set_actor(m.server_actor.clone());
    let secs = crate::store::now_ms() / 1000;
    trial
        .transact_with::<_, _, AutomergeError, _>(
            |_| {
                CommitOptions::default()
                    .with_message(seal::case_no_message(&m.secret, doc, no))
                    .with_time(secs)
            },
            |tx| case::write::set_case_no(tx, no),
        )
        .map_err(|f| AppError::Internal(anyhow::anyhow!("stamping case number: {}", f.error)))?;
    Ok(())
}

/// 永安市 → 永安, 泰宁县 → 泰宁; 沙县 stays 沙县 (a one-character name needs its suffix).
pub fn short_name(name: &str) -> String {
    let n = name.chars().count();
    match name.chars().last() {
        Some('市' | '县' | '区') if n > 2 => name.chars().take(n - 1).collect(),
        _ => name.to_string(),
    }
}

/// The calendar year of a Unix-millisecond instant in UTC+8.
pub fn beijing_year(ms: i64) -> i32 {
    let days = (ms / 1000 + 8 * 3600).div_euclid(86_400);
    // Civil-from-days (H. Hinnant), year only.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    (yoe + era * 400 + i64::from(month <= 2)) as i32
}

/// One outbox row per transition into `urgent`, keyed by the heads that made it, so the same
/// transition can never be enqueued twice.
fn urgent_alert(
    doc: DocId,
    before: Option<&Case>,
    after: &Case,
    heads: &[automerge::ChangeHash],
) -> Vec<OutboxItem> {
    let became_urgent =
        after.severity == Severity::Urgent && before.is_none_or(|b| b.severity != Severity::Urgent);
    if !became_urgent {
        return vec![];
    }
    let cause = format!(
        "urgent:{doc}:{}",
        heads
            .iter()
            .map(|h| h.to_string())
            .collect::<Vec<_>>()
            .join(",")
    );
    let payload = serde_json::json!({
        "doc": doc.to_string(), "case_no": after.case_no, "village": after.village,
        "category": after.category, "severity": after.severity,
    });
    vec![OutboxItem {
        kind: "urgent".into(),
        cause,
        payload: payload.to_string(),
    }]
}

pub fn case_row(doc: DocId, c: &Case, unit_path: &str) -> CaseRow {
    let mut body = serde_json::to_value(c).unwrap_or_default();
    body["doc"] = doc.to_string().into();
    CaseRow {
        case_no: c.case_no.clone(),
        village: c.village.clone(),
        unit_path: unit_path.to_string(),
        category: c.category.to_string(),
        severity: c.severity.to_string(),
        status: c.status.to_string(),
        title: c.title.clone(),
        reporter: c.reporter.clone(),
        reported_at: c.reported_at,
        responsible_leader: c.responsible_leader.clone(),
        handler: c.handler.clone(),
        deadline: c.deadline,
        conflicts: !c.conflicts.is_empty(),
        body: body.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn county_names_shorten_like_people_say_them() {
        assert_eq!(short_name("永安市"), "永安");
        assert_eq!(short_name("泰宁县"), "泰宁");
        assert_eq!(short_name("沙县"), "沙县");
    }

    #[test]
    fn the_year_turns_at_midnight_beijing_time() {
        // 2025-12-31T16:00:00Z is 2026-01-01 00:00 in Beijing.
        assert_eq!(beijing_year(1_767_196_800_000), 2026);
        assert_eq!(beijing_year(1_767_196_799_999), 2025);
        // 2024-02-29 (a leap day), noon UTC.
        assert_eq!(beijing_year(1_709_208_000_000), 2024);
    }
}
