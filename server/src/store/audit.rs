//! The change log read for auditing: each change with the person and device behind it.

use sqlx::any::AnyRow;
use sqlx::{FromRow, Row};
use sync_protocol::DocId;

use super::*;

/// The device that pushed a logged change, and its person (as they are now).
#[derive(Debug, Clone)]
pub struct ChangeAuthor {
    pub device_id: i64,
    pub device_label: String,
    pub user_id: String,
    pub user_name: String,
    pub role: String,
}

#[derive(Debug, Clone)]
pub struct LoggedChange {
    pub seq: i64,
    pub received_at: i64,
    pub bytes: Vec<u8>,
    /// `None` for the server's own changes.
    pub author: Option<ChangeAuthor>,
}

/// By hand: a change has an author only when it has a device (the server's own have none).
impl FromRow<'_, AnyRow> for LoggedChange {
    fn from_row(r: &AnyRow) -> sqlx::Result<Self> {
        let author = match r.try_get::<Option<i64>, _>("device_id")? {
            Some(device_id) => Some(ChangeAuthor {
                device_id,
                device_label: r.try_get("device_label")?,
                user_id: r.try_get("user_id")?,
                user_name: r.try_get("user_name")?,
                role: r.try_get("role")?,
            }),
            None => None,
        };
        Ok(LoggedChange {
            seq: r.try_get("seq")?,
            received_at: r.try_get("received_at")?,
            bytes: r.try_get("bytes")?,
            author,
        })
    }
}

impl SqlStore {
    /// A document's kind and unit path, if it exists.
    pub async fn doc_kind_path(&self, doc: DocId) -> Result<Option<(String, String)>> {
        Ok(sqlx::query_as("SELECT kind, unit_path FROM documents WHERE doc_id = $1")
            .bind(doc.0.to_vec())
            .fetch_optional(&self.pool)
            .await?)
    }

    /// A document's log in feed order, up to and including server time `until` (ms) if given.
    pub async fn change_log(&self, doc: DocId, until: Option<i64>) -> Result<Vec<LoggedChange>> {
        Ok(sqlx::query_as(
            "SELECT c.seq, c.received_at, c.bytes, d.id AS device_id, d.label AS device_label, u.id AS user_id,
                    u.name AS user_name, u.role
             FROM changes c LEFT JOIN devices d ON d.id = c.device_id LEFT JOIN users u ON u.id = d.user_id
             WHERE c.doc_id = $1 AND c.received_at <= $2 ORDER BY c.seq",
        )
        .bind(doc.0.to_vec())
        .bind(until.unwrap_or(i64::MAX))
        .fetch_all(&self.pool)
        .await?)
    }
}
