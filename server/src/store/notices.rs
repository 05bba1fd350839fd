//! Live notices that do not come from a commit: scopes that changed, devices that lost their
//! authority. A server process hands them to its own hub; a process with no hub (the command
//! line) must reach the running servers, by NOTIFY on PostgreSQL and through the
//! `live_notices` table on SQLite, which every SQLite server polls.

use super::feed_notice::encode_notice;
use super::sql::now_ms;
use super::*;

/// Rows of `live_notices` older than this are of no use to anyone: a server polls every
/// fraction of a second, and one that starts later does not want old news.
const NOTICE_KEEP_MS: i64 = 60_000;

impl SqlStore {
    /// Tell live listeners on every replica. With PostgreSQL this goes through NOTIFY (this
    /// process hears it back too) and returns `None`; with SQLite the notice is returned for the
    /// caller's own hub.
    pub async fn announce(&self, notice: FeedNotice) -> Result<Option<FeedNotice>> {
        if self.dialect == Dialect::Postgres {
            self.notify(&notice).await?;
            return Ok(None);
        }
        Ok(Some(notice))
    }

    /// Tell the running servers from a process that has no hub (the command line).
    pub async fn announce_to_servers(&self, notice: FeedNotice) -> Result<()> {
        if self.dialect == Dialect::Postgres {
            return self.notify(&notice).await;
        }
        let now = now_ms();
        let mut tx = self.writer.begin().await?;
        sqlx::query("DELETE FROM live_notices WHERE created_at < $1")
            .bind(now - NOTICE_KEEP_MS)
            .execute(&mut *tx)
            .await?;
        sqlx::query("INSERT INTO live_notices (body, created_at) VALUES ($1, $2)")
            .bind(encode_notice(&notice))
            .bind(now)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    async fn notify(&self, notice: &FeedNotice) -> Result<()> {
        sqlx::query("SELECT pg_notify('anlan_feed', $1)")
            .bind(encode_notice(notice))
            .execute(&self.writer)
            .await?;
        Ok(())
    }

    /// The newest notice left by another process: a server starting up begins after it.
    pub async fn last_live_notice(&self) -> Result<i64> {
        Ok(sqlx::query_scalar("SELECT COALESCE(MAX(id), 0) FROM live_notices").fetch_one(&self.pool).await?)
    }

    /// Notices left by other processes after `id`, oldest first.
    pub async fn live_notices_after(&self, id: i64) -> Result<Vec<(i64, String)>> {
        Ok(sqlx::query_as("SELECT id, body FROM live_notices WHERE id > $1 ORDER BY id")
            .bind(id)
            .fetch_all(&self.pool)
            .await?)
    }

    /// Tell live listeners that these people's scopes changed; see [`SqlStore::announce`].
    pub async fn announce_scope_change(&self, users: &[String]) -> Result<Option<FeedNotice>> {
        self.announce(FeedNotice::scope_changed(self.high_seq().await?, users)).await
    }
}
