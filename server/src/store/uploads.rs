//! Uploads under way: resumable, chunked, one per blob *and device*, so that nobody who knows a
//! photo's hash can block its owner's upload by starting one of their own under another size or
//! type. A finished upload becomes a blob only if its bytes hash to its name and its declared
//! type is what its bytes are; the first device to finish one wins, and the content is the same
//! whoever it is. Abandoned uploads expire, and what a device may hold unfinished is bounded.

use std::time::Duration;

use futures::TryStreamExt;
use sha2::{Digest, Sha256};
use sqlx::{Any, Transaction};

use super::blobs::BlobState;
use super::sql::now_ms;
use super::*;

/// How long an unfinished upload is kept and how much of them one device may hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UploadLimits {
    /// An upload untouched this long is dropped; its device starts again from 0.
    pub ttl: Duration,
    /// Bytes of unfinished uploads one device may hold.
    pub quota: i64,
}

impl Default for UploadLimits {
    /// A day: a phone out of coverage overnight resumes where it stopped. 64 MiB: six of the
    /// largest scans, or some two hundred photos, in flight at once.
    fn default() -> Self {
        Self { ttl: Duration::from_secs(24 * 3600), quota: 64 * 1024 * 1024 }
    }
}

impl UploadLimits {
    fn cutoff(&self, now: i64) -> i64 {
        now - i64::try_from(self.ttl.as_millis()).unwrap_or(i64::MAX).min(now)
    }
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
    /// The chunk does not start where this device's upload stands; nothing was written.
    WrongOffset(BlobState),
    /// This device's upload in progress declared another type or size; nothing was written.
    /// (Starting again at offset 0 replaces it.)
    Mismatch(BlobState),
    /// The whole arrived and its SHA-256 is not its name: every byte of it was discarded.
    HashMismatch,
    /// The whole arrived and is not the type it was declared as: every byte was discarded.
    TypeMismatch,
    /// The chunk would take the device's unfinished uploads over its quota (a chunk that
    /// completes an upload never does); nothing was written.
    OverQuota { held: i64, quota: i64 },
}

impl SqlStore {
    /// Where `device_id` stands with `sha256`: the complete blob, its own upload, or nothing.
    pub async fn upload_state(
        &self,
        sha256: &str,
        device_id: i64,
        limits: UploadLimits,
    ) -> Result<Option<BlobState>> {
        if let Some(done) = self.blob_state(sha256).await? {
            return Ok(Some(done));
        }
        Ok(sqlx::query_as(
            "SELECT mime, size, received, CAST(0 AS BIGINT) AS complete FROM blob_uploads
             WHERE sha256 = $1 AND device_id = $2 AND touched_at >= $3",
        )
        .bind(sha256)
        .bind(device_id)
        .bind(limits.cutoff(now_ms()))
        .fetch_optional(&self.pool)
        .await?)
    }

    /// Append one chunk to the device's upload. When it completes the blob, the whole is hashed
    /// and its type checked in the same transaction, and it is kept only if both match.
    pub async fn put_blob_chunk(&self, c: &Chunk<'_>, limits: UploadLimits) -> Result<ChunkOutcome> {
        let now = now_ms();
        let mut tx = self.writer.begin().await?;
        let done: Option<BlobState> =
            sqlx::query_as("SELECT mime, size, received, complete FROM blobs WHERE sha256 = $1")
                .bind(c.sha256)
                .fetch_optional(&mut *tx)
                .await?;
        if let Some(done) = done {
            return Ok(ChunkOutcome::Stored(done));
        }
        expire(&mut tx, limits.cutoff(now), Some(c.device_id)).await?;
        if let Some(mine) = own_upload(&mut tx, c).await? {
            if (mine.mime.as_str(), mine.size) != (c.mime, c.size) {
                if c.offset != 0 {
                    return Ok(ChunkOutcome::Mismatch(mine));
                }
                discard(&mut tx, c.sha256, Some(c.device_id)).await?;
            } else if mine.received != c.offset {
                return Ok(ChunkOutcome::WrongOffset(mine));
            }
        }
        let held: i64 = sqlx::query_scalar(
            "SELECT CAST(COALESCE(SUM(received), 0) AS BIGINT) FROM blob_uploads WHERE device_id = $1",
        )
        .bind(c.device_id)
        .fetch_one(&mut *tx)
        .await?;
        // The chunk that completes an upload is always taken: it frees what it would count
        // against, so two unfinished uploads can never hold each other back.
        let completes = c.offset + c.bytes.len() as i64 == c.size;
        if !completes && held + c.bytes.len() as i64 > limits.quota {
            return Ok(ChunkOutcome::OverQuota { held, quota: limits.quota });
        }
        sqlx::query(
            "INSERT INTO blob_uploads (sha256, device_id, mime, size, received, touched_at)
             VALUES ($1, $2, $3, $4, 0, $5) ON CONFLICT (sha256, device_id) DO NOTHING",
        )
        .bind(c.sha256)
        .bind(c.device_id)
        .bind(c.mime)
        .bind(c.size)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        // The conditional update is the claim: two requests of one device racing with the same
        // offset are serialised by the row lock, and the second finds `received` moved.
        let claimed: Option<i64> = sqlx::query_scalar(
            "UPDATE blob_uploads SET received = received + $3, touched_at = $5
             WHERE sha256 = $1 AND device_id = $2 AND received = $4 RETURNING received",
        )
        .bind(c.sha256)
        .bind(c.device_id)
        .bind(c.bytes.len() as i64)
        .bind(c.offset)
        .bind(now)
        .fetch_optional(&mut *tx)
        .await?;
        let Some(received) = claimed else {
            let mine = own_upload(&mut tx, c).await?;
            return Ok(ChunkOutcome::WrongOffset(mine.unwrap_or_else(|| state(c, 0))));
        };
        sqlx::query("INSERT INTO upload_chunks (sha256, device_id, pos, bytes) VALUES ($1, $2, $3, $4)")
            .bind(c.sha256)
            .bind(c.device_id)
            .bind(c.offset)
            .bind(c.bytes)
            .execute(&mut *tx)
            .await?;
        if received < c.size {
            tx.commit().await?;
            return Ok(ChunkOutcome::Stored(state(c, received)));
        }
        let outcome = finish(&mut tx, c, now).await?;
        // A complete blob makes every other device's upload of it pointless too.
        let everyone = matches!(outcome, ChunkOutcome::Stored(_));
        discard(&mut tx, c.sha256, (!everyone).then_some(c.device_id)).await?;
        tx.commit().await?;
        Ok(outcome)
    }

    /// Drop every upload untouched for `limits.ttl`; returns how many.
    pub async fn expire_uploads(&self, limits: UploadLimits) -> Result<u64> {
        let mut tx = self.writer.begin().await?;
        let n = expire(&mut tx, limits.cutoff(now_ms()), None).await?;
        tx.commit().await?;
        Ok(n)
    }

    /// Bytes of unfinished uploads held, by one device or by all.
    pub async fn partial_upload_bytes(&self, device_id: Option<i64>) -> Result<i64> {
        Ok(sqlx::query_scalar(
            "SELECT CAST(COALESCE(SUM(received), 0) AS BIGINT) FROM blob_uploads
             WHERE $1 < 0 OR device_id = $1",
        )
        .bind(device_id.unwrap_or(-1))
        .fetch_one(&self.pool)
        .await?)
    }
}

/// Drop abandoned uploads now and then until `shutdown`, so a device that never comes back
/// does not hold its partial bytes for ever.
pub async fn expire_uploads_every(
    store: SqlStore,
    limits: UploadLimits,
    mut shutdown: tokio::sync::watch::Receiver<bool>,
) {
    let every = (limits.ttl / 4).clamp(Duration::from_millis(100), Duration::from_secs(600));
    let mut tick = tokio::time::interval(every);
    loop {
        tokio::select! {
            _ = tick.tick() => {}
            _ = shutdown.changed() => return,
        }
        match store.expire_uploads(limits).await {
            Ok(0) => {}
            Ok(n) => tracing::info!(uploads = n, "abandoned photo uploads dropped"),
            Err(e) => tracing::warn!(error = %e, "cannot drop abandoned photo uploads"),
        }
    }
}

fn state(c: &Chunk<'_>, received: i64) -> BlobState {
    BlobState { mime: c.mime.to_string(), size: c.size, received, complete: false }
}

async fn own_upload(tx: &mut Transaction<'_, Any>, c: &Chunk<'_>) -> Result<Option<BlobState>> {
    Ok(sqlx::query_as(
        "SELECT mime, size, received, CAST(0 AS BIGINT) AS complete FROM blob_uploads WHERE sha256 = $1 AND device_id = $2",
    )
    .bind(c.sha256)
    .bind(c.device_id)
    .fetch_optional(&mut **tx)
    .await?)
}

/// The upload is whole: keep it as the blob if it is what it says it is.
async fn finish(tx: &mut Transaction<'_, Any>, c: &Chunk<'_>, now: i64) -> Result<ChunkOutcome> {
    let mut hasher = Sha256::new();
    let mut head = Vec::with_capacity(16);
    {
        let mut rows = sqlx::query_scalar::<_, Vec<u8>>(
            "SELECT bytes FROM upload_chunks WHERE sha256 = $1 AND device_id = $2 ORDER BY pos",
        )
        .bind(c.sha256)
        .bind(c.device_id)
        .fetch(&mut **tx);
        while let Some(bytes) = rows.try_next().await? {
            head.extend(bytes.iter().take(16 - head.len()));
            hasher.update(bytes);
        }
    }
    if hex::encode(hasher.finalize()) != c.sha256 {
        return Ok(ChunkOutcome::HashMismatch);
    }
    if sniff(&head) != Some(c.mime) {
        return Ok(ChunkOutcome::TypeMismatch);
    }
    // Another device may have finished the same content a moment ago: theirs stands.
    let added = sqlx::query(
        "INSERT INTO blobs (sha256, mime, size, received, complete, device_id, created_at, completed_at)
         VALUES ($1, $2, $3, $3, 1, $4, $5, $5) ON CONFLICT (sha256) DO NOTHING",
    )
    .bind(c.sha256)
    .bind(c.mime)
    .bind(c.size)
    .bind(c.device_id)
    .bind(now)
    .execute(&mut **tx)
    .await?
    .rows_affected();
    if added == 1 {
        sqlx::query(
            "INSERT INTO blob_chunks (sha256, pos, bytes)
             SELECT sha256, pos, bytes FROM upload_chunks WHERE sha256 = $1 AND device_id = $2",
        )
        .bind(c.sha256)
        .bind(c.device_id)
        .execute(&mut **tx)
        .await?;
    }
    let done = sqlx::query_as("SELECT mime, size, received, complete FROM blobs WHERE sha256 = $1")
        .bind(c.sha256)
        .fetch_one(&mut **tx)
        .await?;
    Ok(ChunkOutcome::Stored(done))
}

/// Drop the uploads of `sha256`: one device's, or everyone's.
async fn discard(tx: &mut Transaction<'_, Any>, sha256: &str, device_id: Option<i64>) -> Result<()> {
    for table in ["upload_chunks", "blob_uploads"] {
        let sql = format!("DELETE FROM {table} WHERE sha256 = $1 AND ($2 < 0 OR device_id = $2)");
        sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(sha256)
            .bind(device_id.unwrap_or(-1))
            .execute(&mut **tx)
            .await?;
    }
    Ok(())
}

/// Drop uploads untouched since `cutoff`, of one device or of all.
async fn expire(tx: &mut Transaction<'_, Any>, cutoff: i64, device_id: Option<i64>) -> Result<u64> {
    sqlx::query(
        "DELETE FROM upload_chunks WHERE EXISTS (SELECT 1 FROM blob_uploads u
             WHERE u.sha256 = upload_chunks.sha256 AND u.device_id = upload_chunks.device_id
             AND u.touched_at < $1 AND ($2 < 0 OR u.device_id = $2))",
    )
    .bind(cutoff)
    .bind(device_id.unwrap_or(-1))
    .execute(&mut **tx)
    .await?;
    Ok(sqlx::query("DELETE FROM blob_uploads WHERE touched_at < $1 AND ($2 < 0 OR device_id = $2)")
        .bind(cutoff)
        .bind(device_id.unwrap_or(-1))
        .execute(&mut **tx)
        .await?
        .rows_affected())
}

/// The type the first bytes say a blob is, among those a case may attach.
pub fn sniff(head: &[u8]) -> Option<&'static str> {
    if head.starts_with(&[0xff, 0xd8, 0xff]) {
        Some("image/jpeg")
    } else if head.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some("image/png")
    } else if head.len() >= 12 && head.starts_with(b"RIFF") && &head[8..12] == b"WEBP" {
        Some("image/webp")
    } else if head.starts_with(b"%PDF-") {
        Some("application/pdf")
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::sniff;

    #[test]
    fn a_blob_is_the_type_its_first_bytes_say() {
        assert_eq!(sniff(&[0xff, 0xd8, 0xff, 0xe0, 0, 0x10]), Some("image/jpeg"));
        assert_eq!(sniff(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR"), Some("image/png"));
        assert_eq!(sniff(b"RIFF\x10\0\0\0WEBPVP8 "), Some("image/webp"));
        assert_eq!(sniff(b"%PDF-1.7\n"), Some("application/pdf"));
        assert_eq!(sniff(b"RIFF\x10\0\0\0WAVE"), None);
        assert_eq!(sniff(b"\xff"), None);
    }
}
