//! Blobs (photos, scans): resumable chunked uploads, content-addressed by SHA-256, and the
//! `doc_blobs` links that decide who may touch them. PROTOCOL.md "Blobs" is the contract.

use futures::TryStreamExt;
use sha2::{Digest, Sha256};
use sqlx::{Any, AssertSqlSafe, Row, Transaction};
use sync_protocol::DocId;

use super::sql::now_ms;
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

/// One chunk of an upload, as the route has checked it.
#[derive(Debug)]
pub struct Chunk<'a> {
    pub sha256: &'a str,
    pub mime: &'a str,
    /// The whole blob's size, as declared by the uploader.
    pub size: i64,
    pub offset: i64,
    pub bytes: &'a [u8],
    pub device_id: i64,
}

#[derive(Debug, PartialEq, Eq)]
pub enum ChunkOutcome {
    /// Appended (or the blob was already complete, in which case nothing was written).
    Stored(BlobState),
    /// The chunk does not start where the upload stands; nothing was written.
    WrongOffset(BlobState),
    /// The upload in progress declared another type or size; nothing was written.
    Mismatch(BlobState),
    /// The whole arrived and its SHA-256 is not its name: every byte of it was discarded.
    HashMismatch,
}

/// Rows per statement when linking documents to blobs (at most 2 parameters each).
const CHUNK: usize = 500;

impl SqlStore {
    /// The cases whose attachments name this blob, with their unit paths.
    pub async fn blob_cases(&self, sha256: &str) -> Result<Vec<(DocId, String)>> {
        let rows = sqlx::query(
            "SELECT c.doc_id, c.unit_path FROM doc_blobs b JOIN cases c ON c.doc_id = b.doc_id WHERE b.sha256 = $1",
        )
        .bind(sha256)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(|r| Ok((super::sql::doc_id(r, 0)?, r.try_get(1)?))).collect()
    }

    pub async fn blob_state(&self, sha256: &str) -> Result<Option<BlobState>> {
        let row = sqlx::query("SELECT mime, size, received, complete FROM blobs WHERE sha256 = $1")
            .bind(sha256)
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(state_from).transpose()
    }

    /// Append one chunk. When it completes the blob, the whole is hashed in the same transaction
    /// and kept only if the hash matches.
    pub async fn put_blob_chunk(&self, c: &Chunk<'_>) -> Result<ChunkOutcome> {
        let now = now_ms();
        let mut tx = self.writer.begin().await?;
        sqlx::query(
            "INSERT INTO blobs (sha256, mime, size, received, complete, device_id, created_at)
             VALUES ($1, $2, $3, 0, 0, $4, $5) ON CONFLICT (sha256) DO NOTHING",
        )
        .bind(c.sha256)
        .bind(c.mime)
        .bind(c.size)
        .bind(c.device_id)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        // The conditional update is the claim: two uploaders racing with the same offset are
        // serialised by the row lock, and the second finds `received` moved.
        let claimed = sqlx::query(
            "UPDATE blobs SET received = received + $2
             WHERE sha256 = $1 AND received = $3 AND complete = 0 AND mime = $4 AND size = $5
             RETURNING received",
        )
        .bind(c.sha256)
        .bind(c.bytes.len() as i64)
        .bind(c.offset)
        .bind(c.mime)
        .bind(c.size)
        .fetch_optional(&mut *tx)
        .await?;
        let Some(row) = claimed else {
            let state = state_from(
                &sqlx::query("SELECT mime, size, received, complete FROM blobs WHERE sha256 = $1")
                    .bind(c.sha256)
                    .fetch_one(&mut *tx)
                    .await?,
            )?;
            tx.rollback().await?;
            return Ok(if state.complete {
                ChunkOutcome::Stored(state)
            } else if state.mime != c.mime || state.size != c.size {
                ChunkOutcome::Mismatch(state)
            } else {
                ChunkOutcome::WrongOffset(state)
            });
        };
        let received: i64 = row.try_get(0)?;
        sqlx::query("INSERT INTO blob_chunks (sha256, pos, bytes) VALUES ($1, $2, $3)")
            .bind(c.sha256)
            .bind(c.offset)
            .bind(c.bytes)
            .execute(&mut *tx)
            .await?;
        let mut state = BlobState { mime: c.mime.to_string(), size: c.size, received, complete: false };
        if received == c.size {
            if whole_hash(&mut tx, c.sha256).await? == c.sha256 {
                sqlx::query("UPDATE blobs SET complete = 1, completed_at = $2 WHERE sha256 = $1")
                    .bind(c.sha256)
                    .bind(now)
                    .execute(&mut *tx)
                    .await?;
                state.complete = true;
            } else {
                sqlx::query("DELETE FROM blob_chunks WHERE sha256 = $1")
                    .bind(c.sha256)
                    .execute(&mut *tx)
                    .await?;
                sqlx::query("DELETE FROM blobs WHERE sha256 = $1").bind(c.sha256).execute(&mut *tx).await?;
                tx.commit().await?;
                return Ok(ChunkOutcome::HashMismatch);
            }
        }
        tx.commit().await?;
        Ok(ChunkOutcome::Stored(state))
    }

    /// The first stored chunk at or after `pos`: a complete blob is read chunk by chunk, so a
    /// 10 MiB scan never sits in memory whole.
    pub async fn blob_chunk_from(&self, sha256: &str, pos: i64) -> Result<Option<(i64, Vec<u8>)>> {
        let row = sqlx::query(
            "SELECT pos, bytes FROM blob_chunks WHERE sha256 = $1 AND pos >= $2 ORDER BY pos LIMIT 1",
        )
        .bind(sha256)
        .bind(pos)
        .fetch_optional(&self.pool)
        .await?;
        row.map(|r| Ok((r.try_get(0)?, r.try_get(1)?))).transpose()
    }
}

async fn whole_hash(tx: &mut Transaction<'_, Any>, sha256: &str) -> Result<String> {
    let mut hasher = Sha256::new();
    let mut rows = sqlx::query("SELECT bytes FROM blob_chunks WHERE sha256 = $1 ORDER BY pos")
        .bind(sha256)
        .fetch(&mut **tx);
    while let Some(r) = rows.try_next().await? {
        hasher.update(r.try_get::<Vec<u8>, _>(0)?);
    }
    Ok(hex::encode(hasher.finalize()))
}

fn state_from(r: &sqlx::any::AnyRow) -> Result<BlobState> {
    Ok(BlobState {
        mime: r.try_get(0)?,
        size: r.try_get(1)?,
        received: r.try_get(2)?,
        complete: r.try_get::<i64, _>(3)? != 0,
    })
}

/// Make `doc_blobs` say exactly what these cases' attachments say, in the projection's
/// transaction. An attachment removed from a case stops granting access through it.
pub(super) async fn link(tx: &mut Transaction<'_, Any>, rows: &[(DocId, &CaseRow)]) -> Result<()> {
    if rows.is_empty() {
        return Ok(());
    }
    let marks = (1..=rows.len()).map(|i| format!("${i}")).collect::<Vec<_>>().join(", ");
    let mut q = sqlx::query(AssertSqlSafe(format!("DELETE FROM doc_blobs WHERE doc_id IN ({marks})")));
    for (doc, _) in rows {
        q = q.bind(doc.0.to_vec());
    }
    q.execute(&mut **tx).await?;
    let mut pairs: Vec<(DocId, &str)> =
        rows.iter().flat_map(|(d, c)| c.attachments.iter().map(move |h| (*d, h.as_str()))).collect();
    // A case may list the same photo twice; the primary key would refuse the second row.
    pairs.sort_unstable();
    pairs.dedup();
    for chunk in pairs.chunks(CHUNK) {
        let values =
            (0..chunk.len()).map(|i| format!("(${}, ${})", 2 * i + 1, 2 * i + 2)).collect::<Vec<_>>();
        let sql = format!("INSERT INTO doc_blobs (doc_id, sha256) VALUES {}", values.join(", "));
        let mut q = sqlx::query(AssertSqlSafe(sql));
        for (doc, sha) in chunk {
            q = q.bind(doc.0.to_vec()).bind(*sha);
        }
        q.execute(&mut **tx).await?;
    }
    Ok(())
}
