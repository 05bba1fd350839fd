//! The quarantine: pushes the merge refused, kept for an administrator to read, release or
//! export. An item belongs to the jurisdiction of the person who pushed it (their unit today),
//! so a county administrator sees what the people of the county could not deliver.

use serde::Serialize;
use sqlx::FromRow;
use sync_protocol::DocId;

use super::scope::scope_filter;
use super::sql::now_ms;
use super::*;

/// One quarantined push, without its bytes.
#[derive(Debug, Clone, Serialize, FromRow)]
pub struct QuarantineEntry {
    pub id: i64,
    pub device_id: i64,
    pub device_label: String,
    pub user_id: String,
    pub user_name: String,
    pub unit_code: String,
    pub unit_name: String,
    #[serde(serialize_with = "as_text")]
    #[sqlx(try_from = "Vec<u8>")]
    pub doc: DocId,
    pub code: String,
    pub message: String,
    pub received_at: i64,
    pub released_at: Option<i64>,
    pub released_by: Option<String>,
    #[serde(skip)]
    unit_path: String,
}

fn as_text<S: serde::Serializer>(d: &DocId, s: S) -> std::result::Result<S::Ok, S::Error> {
    s.collect_str(d)
}

const COLUMNS: &str = "q.id, q.device_id, d.label AS device_label, u.id AS user_id, u.name AS user_name,
     n.code AS unit_code, n.name AS unit_name, q.doc_id AS doc, q.code, q.message, q.received_at, q.released_at,
     q.released_by, n.path AS unit_path";
const FROM: &str = "FROM quarantine q JOIN devices d ON d.id = q.device_id JOIN users u ON u.id = d.user_id
     JOIN units n ON n.code = u.unit_code";

impl QuarantineEntry {
    /// Is this item in `scope` (its pusher's unit lies in it)? `None`: every item.
    pub fn visible_to(&self, scope: Option<&Scope>) -> bool {
        scope.is_none_or(|s| s.covers_path(&self.unit_path))
    }
}

impl SqlStore {
    /// Items whose pusher's unit lies in `scope` (`None`: all), newest first; released ones
    /// only with `released`.
    pub async fn quarantine_list(
        &self,
        scope: Option<&Scope>,
        released: bool,
        limit: i64,
    ) -> Result<Vec<QuarantineEntry>> {
        let (filter, binds) = match scope {
            // Paths only: an item belongs to a person's unit, not to a named case.
            Some(s) => scope_filter(&Scope::new(s.paths().to_vec(), []), 2),
            None => ("1 = 1".to_string(), vec![]),
        };
        let filter = filter.replace("unit_path", "n.path");
        let open = if released { "" } else { "AND q.released_at IS NULL" };
        let sql = format!("SELECT {COLUMNS} {FROM} WHERE {filter} {open} ORDER BY q.id DESC LIMIT $1");
        let q = sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(limit);
        let q = binds.into_iter().fold(q, |q, b| b.onto(q));
        Ok(q.fetch_all(&self.pool).await?)
    }

    /// One item and its pushed changes (a CBOR array of byte strings, as received).
    pub async fn quarantine_item(&self, id: i64) -> Result<Option<(QuarantineEntry, Vec<u8>)>> {
        let sql = format!("SELECT {COLUMNS}, q.changes {FROM} WHERE q.id = $1");
        #[derive(FromRow)]
        struct Item {
            #[sqlx(flatten)]
            entry: QuarantineEntry,
            changes: Vec<u8>,
        }
        let item: Option<Item> =
            sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(id).fetch_optional(&self.pool).await?;
        Ok(item.map(|i| (i.entry, i.changes)))
    }

    /// Every open item of `doc` pushed by `device_id`, oldest first, with its changes: a
    /// document is released with all its waiting history, never a part of it.
    pub async fn quarantine_open_for(&self, device_id: i64, doc: DocId) -> Result<Vec<(i64, Vec<u8>)>> {
        Ok(sqlx::query_as(
            "SELECT id, changes FROM quarantine WHERE device_id = $1 AND doc_id = $2 AND released_at IS NULL ORDER BY id",
        )
        .bind(device_id)
        .bind(doc.0.to_vec())
        .fetch_all(&self.pool)
        .await?)
    }

    pub async fn quarantine_released(&self, ids: &[i64], by: &str) -> Result<()> {
        let mut tx = self.writer.begin().await?;
        for id in ids {
            sqlx::query("UPDATE quarantine SET released_at = $2, released_by = $3 WHERE id = $1 AND released_at IS NULL")
                .bind(id)
                .bind(now_ms())
                .bind(by)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Items still waiting for an administrator.
    pub async fn quarantine_open_count(&self) -> Result<i64> {
        Ok(sqlx::query_scalar("SELECT COUNT(*) FROM quarantine WHERE released_at IS NULL")
            .fetch_one(&self.pool)
            .await?)
    }
}
