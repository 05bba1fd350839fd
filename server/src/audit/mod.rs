//! Audit: who changed what in a case, and the case as it stood at a given time.
//!
//! The change log is the record. Each logged change carries the device that pushed it (NULL for
//! the server's own, sealed changes, such as the case number), and a device belongs to one
//! person: the server checked on receipt that the change's actor begins with that device's
//! actor prefix, so the mapping cannot be forged by the phone. The log is replayed change by
//! change in feed order (which is causal: the server never logs a change before its
//! dependencies), and [`diff`] names the fields each one moved.
//!
//! Times: `received_at` is the server's clock when it committed the change; `change_time` is
//! what the change itself claims (the phone's clock, which may be wrong or absent). "As of"
//! uses the server's clock only: a phone cannot backdate its way into an earlier state.

mod diff;
pub mod export;
mod model;
pub mod view;

use automerge::{Automerge, Change};
use serde::Serialize;
use sync_protocol::DocId;
use utoipa::ToSchema;

use crate::routes::wire::cases::{AsOf, CaseView, UnreadableCase, sorted_json};
use crate::store::{ChangeAuthor, LoggedChange};
pub use diff::FieldChange;

/// Who a change is by, as the directory names them now.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = ChangeUser)] // `Person` is the directory's
pub struct Person {
    pub id: String,
    pub name: String,
    pub role: String,
}

/// The device that pushed a change, by its owner's name for it.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = ChangeDevice)] // `DeviceRef` is the session's
pub struct DeviceRef {
    pub id: i64,
    pub label: String,
}

/// One logged change of a case.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = HistoryEntry)]
pub struct Entry {
    /// Position in the server's change log (the feed).
    pub seq: i64,
    /// When the server committed it (server clock, ms since the epoch).
    pub received_at: i64,
    /// When its author's clock says it was made (ms; whole seconds as Automerge stores them),
    /// `None` when the change carries no time.
    #[schema(required = true)]
    pub change_time: Option<i64>,
    pub hash: String,
    pub actor: String,
    /// True for the server's own changes (the case number); `user` and `device` are then null.
    pub server: bool,
    #[schema(required = true)]
    pub user: Option<Person>,
    #[schema(required = true)]
    pub device: Option<DeviceRef>,
    pub fields: Vec<FieldChange>,
}

#[derive(Debug, thiserror::Error)]
pub enum AuditError {
    #[error("logged change {seq} cannot be read: {why}")]
    Corrupt { seq: i64, why: String },
}

fn decode(c: &LoggedChange) -> Result<Change, AuditError> {
    Change::from_bytes(c.bytes.clone()).map_err(|e| AuditError::Corrupt { seq: c.seq, why: e.to_string() })
}

/// The history of a document from its whole log, oldest first.
pub fn history(log: &[LoggedChange]) -> Result<Vec<Entry>, AuditError> {
    let mut replay = diff::Replay::default();
    let mut out = Vec::with_capacity(log.len());
    for c in log {
        let change = decode(c)?;
        let (time, hash, actor) =
            (change.timestamp(), change.hash().to_string(), change.actor_id().to_hex_string());
        let fields = replay.step(&change.decode());
        out.push(Entry {
            seq: c.seq,
            received_at: c.received_at,
            change_time: (time > 0).then(|| time.saturating_mul(1000)),
            hash,
            actor,
            server: c.author.is_none(),
            user: c.author.as_ref().map(|a: &ChangeAuthor| Person {
                id: a.user_id.clone(),
                name: a.user_name.clone(),
                role: a.role.clone(),
            }),
            device: c.author.as_ref().map(|a| DeviceRef { id: a.device_id, label: a.device_label.clone() }),
            fields,
        });
    }
    Ok(out)
}

/// The document built from `log` (already cut at the time wanted); `None` when it is empty.
pub fn rebuild(log: &[LoggedChange]) -> Result<Option<Automerge>, AuditError> {
    if log.is_empty() {
        return Ok(None);
    }
    let changes = log.iter().map(decode).collect::<Result<Vec<_>, _>>()?;
    let mut doc = Automerge::new();
    doc.apply_changes(changes).map_err(|e| AuditError::Corrupt { seq: log[0].seq, why: e.to_string() })?;
    Ok(Some(doc))
}

/// The case JSON the API serves for `doc` as it stands in `am`, in the projection's shape; a
/// state the strict schema refuses is shown through the tolerant view instead, so an auditor
/// still sees what was there.
pub fn case_json(doc: DocId, am: &Automerge) -> String {
    let case = sync_protocol::case::read_case(am);
    let shown = match &case {
        Ok(case) => AsOf::Case(CaseView { doc: doc.to_string(), case }),
        Err(e) => {
            let mut fields = match view::document(am) {
                serde_json::Value::Object(fields) => fields,
                _ => serde_json::Map::new(), // the root is a map: not reached
            };
            // Named by the view itself: a document key of the same name is not shown twice.
            fields.remove("doc");
            fields.remove("schema_error");
            AsOf::Unreadable(UnreadableCase { doc: doc.to_string(), schema_error: e.to_string(), fields })
        }
    };
    sorted_json(&shown)
}

#[cfg(test)]
mod tests;
