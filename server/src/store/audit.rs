//! The change log read for auditing: each change with the person and device behind it.

use sqlx::Row;
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

impl SqlStore {
    /// A document's kind and unit path, if it exists.
    pub async fn doc_kind_path(&self, doc: DocId) -> Result<Option<(String, String)>> {
        Ok(sqlx::query("SELECT kind, unit_path FROM documents WHERE doc_id = $1")
            .bind(doc.0.to_vec())
            .fetch_optional(&self.pool)
            .await?
            .map(|r| Ok::<_, sqlx::Error>((r.try_get(0)?, r.try_get(1)?)))
            .transpose()?)
    }

    /// A document's log in feed order, up to and including server time `until` (ms) if given.
    pub async fn change_log(&self, doc: DocId, until: Option<i64>) -> Result<Vec<LoggedChange>> {
        let rows = sqlx::query(
            "SELECT c.seq, c.received_at, c.bytes, d.id, d.label, u.id, u.name, u.role
             FROM changes c LEFT JOIN devices d ON d.id = c.device_id LEFT JOIN users u ON u.id = d.user_id
             WHERE c.doc_id = $1 AND c.received_at <= $2 ORDER BY c.seq",
        )
        .bind(doc.0.to_vec())
        .bind(until.unwrap_or(i64::MAX))
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                let device: Option<i64> = r.try_get(3)?;
                let author = match device {
                    Some(device_id) => Some(ChangeAuthor {
                        device_id,
                        device_label: r.try_get(4)?,
                        user_id: r.try_get(5)?,
                        user_name: r.try_get(6)?,
                        role: r.try_get(7)?,
                    }),
                    None => None,
                };
                Ok(LoggedChange {
                    seq: r.try_get(0)?,
                    received_at: r.try_get(1)?,
                    bytes: r.try_get(2)?,
                    author,
                })
            })
            .collect()
    }
}
