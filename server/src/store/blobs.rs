//! Blobs (photos, scans): complete blobs, content-addressed by SHA-256, and the `doc_blobs`
//! links that decide who may touch them. Uploads under way are in `uploads`. PROTOCOL.md
//! "Blobs" is the contract.

use std::collections::HashSet;

use sqlx::any::AnyRow;
use sqlx::{AnyConnection, AssertSqlSafe, FromRow, Row};
use sync_protocol::DocId;

use super::*;

/// Where an upload stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BlobState {
    pub mime: String,
    pub size: i64,
    /// Bytes stored so far: the offset the next chunk must start at.
    pub received: i64,
    /// True only once the SHA-256 of the whole matched its name.
    pub complete: bool,
}

/// Rows per statement when linking documents to blobs (at most 2 parameters each).
const CHUNK: usize = 500;

impl SqlStore {
    /// The cases whose attachments name this blob, with their unit paths.
    pub async fn blob_cases(&self, sha256: &str) -> Result<Vec<(DocId, String)>> {
        let rows: Vec<(Vec<u8>, String)> = sqlx::query_as(
            "SELECT c.doc_id, c.unit_path FROM doc_blobs b JOIN cases c ON c.doc_id = b.doc_id WHERE b.sha256 = $1",
        )
        .bind(sha256)
        .fetch_all(&self.pool)
        .await?;
        rows.into_iter().map(|(doc, path)| Ok((super::sql::to_doc_id(doc)?, path))).collect()
    }

    /// A complete blob's state (partial uploads live apart, per device: see `uploads`).
    pub async fn blob_state(&self, sha256: &str) -> Result<Option<BlobState>> {
        Ok(sqlx::query_as("SELECT mime, size, received, complete FROM blobs WHERE sha256 = $1")
            .bind(sha256)
            .fetch_optional(&self.pool)
            .await?)
    }

    /// The first stored chunk at or after `pos`: a complete blob is read chunk by chunk, so a
    /// 10 MiB scan never sits in memory whole.
    pub async fn blob_chunk_from(&self, sha256: &str, pos: i64) -> Result<Option<(i64, Vec<u8>)>> {
        Ok(sqlx::query_as(
            "SELECT pos, bytes FROM blob_chunks WHERE sha256 = $1 AND pos >= $2 ORDER BY pos LIMIT 1",
        )
        .bind(sha256)
        .bind(pos)
        .fetch_optional(&self.pool)
        .await?)
    }
}

/// By hand: `complete` is stored as 0 or 1, and the `Any` driver decodes a bool only from a
/// real boolean, which SQLite does not have.
impl FromRow<'_, AnyRow> for BlobState {
    fn from_row(r: &AnyRow) -> sqlx::Result<Self> {
        Ok(BlobState {
            mime: r.try_get("mime")?,
            size: r.try_get("size")?,
            received: r.try_get("received")?,
            complete: r.try_get::<i64, _>("complete")? != 0,
        })
    }
}

/// Make `doc_blobs` say exactly what these cases' attachments say, in the projection's
/// transaction. An attachment removed from a case stops granting access through it.
pub(super) async fn link(
    conn: &mut AnyConnection,
    rows: &[(DocId, &CaseRow)],
    created: &HashSet<DocId>,
) -> Result<()> {
    // A document inserted by this transaction has no links to drop: a new case's commit is
    // one statement, and one trip to the database's thread, shorter.
    let existing: Vec<DocId> = rows.iter().map(|(d, _)| *d).filter(|d| !created.contains(d)).collect();
    if !existing.is_empty() {
        let list = super::commit::values_from(1, existing.len(), 1);
        let mut q = sqlx::query(AssertSqlSafe(format!("DELETE FROM doc_blobs WHERE doc_id IN {list}")));
        for doc in &existing {
            q = q.bind(doc.0.to_vec());
        }
        q.execute(&mut *conn).await?;
    }
    let mut pairs: Vec<(DocId, &str)> =
        rows.iter().flat_map(|(d, c)| c.attachments.iter().map(move |h| (*d, h.as_str()))).collect();
    // A case may list the same photo twice; the primary key would refuse the second row.
    pairs.sort_unstable();
    pairs.dedup();
    for chunk in pairs.chunks(CHUNK) {
        let sql = format!(
            "INSERT INTO doc_blobs (doc_id, sha256) VALUES {}",
            super::commit::values(chunk.len(), 2)
        );
        let mut q = sqlx::query(AssertSqlSafe(sql));
        for (doc, sha) in chunk {
            q = q.bind(doc.0.to_vec()).bind(*sha);
        }
        q.execute(&mut *conn).await?;
    }
    Ok(())
}
