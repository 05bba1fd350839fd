//! The `records` projection: documents of kinds other than the case.

use sqlx::any::AnyRow;
use sqlx::{AnyConnection, AssertSqlSafe, FromRow, Row};
use sync_protocol::DocId;

use super::sql::now_ms;
use super::*;

/// Rows per statement: 11 columns, well below SQLite's bound-parameter limit.
const CHUNK: usize = 500;

/// One record as the API lists it.
#[derive(Debug, Clone, serde::Serialize)]
pub struct RecordListing {
    pub doc: String,
    pub kind: String,
    pub unit_code: String,
    pub ref_key: Option<String>,
    pub status: Option<String>,
    pub due_at: Option<i64>,
    pub at: Option<i64>,
    pub person: Option<String>,
    pub body: serde_json::Value,
}

/// By hand: the id is listed as text and the body as JSON, neither as stored.
impl FromRow<'_, AnyRow> for RecordListing {
    fn from_row(r: &AnyRow) -> sqlx::Result<Self> {
        let decode = |column: &str, e: Box<dyn std::error::Error + Send + Sync>| sqlx::Error::ColumnDecode {
            index: column.into(),
            source: e,
        };
        let doc =
            DocId::try_from(r.try_get::<Vec<u8>, _>("doc_id")?).map_err(|e| decode("doc_id", e.into()))?;
        let body: String = r.try_get("body")?;
        Ok(RecordListing {
            doc: doc.to_string(),
            kind: r.try_get("kind")?,
            unit_code: r.try_get("unit_code")?,
            ref_key: r.try_get("ref_key")?,
            status: r.try_get("status")?,
            due_at: r.try_get("due_at")?,
            at: r.try_get("at")?,
            person: r.try_get("person")?,
            body: serde_json::from_str(&body).map_err(|e| decode("body", e.into()))?,
        })
    }
}

pub(super) async fn upsert(conn: &mut AnyConnection, rows: &[(DocId, &str, &str, &RecordRow)]) -> Result<()> {
    let now = now_ms();
    for chunk in rows.chunks(CHUNK) {
        let marks = (0..chunk.len())
            .map(|r| {
                let cols: Vec<String> = (1..=11).map(|c| format!("${}", r * 11 + c)).collect();
                format!("({})", cols.join(", "))
            })
            .collect::<Vec<_>>()
            .join(", ");
        let sql = format!(
            "INSERT INTO records (doc_id, kind, unit_code, unit_path, ref_key, status, due_at, at, person, body, updated_at)
             VALUES {marks} ON CONFLICT (doc_id) DO UPDATE SET ref_key = excluded.ref_key, status = excluded.status,
                due_at = excluded.due_at, at = excluded.at, person = excluded.person, body = excluded.body,
                updated_at = excluded.updated_at"
        );
        let mut q = sqlx::query(AssertSqlSafe(sql));
        for (doc, unit_code, unit_path, r) in chunk {
            q = q
                .bind(doc.0.to_vec())
                .bind(&r.kind)
                .bind(*unit_code)
                .bind(*unit_path)
                .bind(r.ref_key.clone())
                .bind(r.status.clone())
                .bind(r.due_at)
                .bind(r.at)
                .bind(r.person.clone())
                .bind(&r.body)
                .bind(now);
        }
        q.execute(&mut *conn).await?;
    }
    Ok(())
}

impl SqlStore {
    /// Replace the whole records projection in one transaction (`anlan reproject`).
    pub async fn replace_records(&self, rows: &[(DocId, String, String, RecordRow)]) -> Result<()> {
        let mut tx = self.writer.begin().await?;
        sqlx::query("DELETE FROM records").execute(&mut *tx).await?;
        let refs: Vec<_> = rows.iter().map(|(d, c, p, r)| (*d, c.as_str(), p.as_str(), r)).collect();
        upsert(&mut tx, &refs).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Records of `kind` within the unit path prefix `scope`, optionally of one `ref_key`,
    /// by deadline then time.
    pub async fn records(
        &self,
        kind: &str,
        scope: &str,
        ref_key: Option<&str>,
    ) -> Result<Vec<RecordListing>> {
        let (lo, hi) = super::sql::scope_range(scope);
        Ok(sqlx::query_as(
            "SELECT doc_id, kind, unit_code, ref_key, status, due_at, at, person, body FROM records
             WHERE kind = $1 AND unit_path >= $2 AND unit_path < $3 AND ($4 = '' OR ref_key = $4)
             ORDER BY due_at IS NULL, due_at, at DESC",
        )
        .bind(kind)
        .bind(lo)
        .bind(hi)
        .bind(ref_key.unwrap_or(""))
        .fetch_all(&self.pool)
        .await?)
    }
}
