//! The connection pools, and the rule that keeps a failed write from poisoning the next one.
//!
//! After SQLITE_FULL or SQLITE_IOERR, SQLite may roll a whole transaction back on its own, and
//! after a failed COMMIT it may keep it open. sqlx then disagrees with the connection about
//! whether a transaction is open: its next BEGIN becomes a SAVEPOINT inside a transaction that
//! never commits, and "committed" means nothing. So a connection goes back into a pool only if
//! both sqlx and the database agree that no transaction is open; otherwise it is closed (which
//! rolls back whatever it held) and the pool opens a fresh one. SQLite's readers, which the
//! database itself keeps from writing, are asked only sqlx (see [`Work::Reads`]), and so is
//! SQLite's writer after a statement that has just proved it clean (see [`ReleaseVouch`]).

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Duration;

use sqlx::any::AnyPoolOptions;
use sqlx::{AnyConnection, AnyPool, Connection, Executor};

use super::{Dialect, Result};

/// When a committed transaction reaches the disk.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flush {
    /// Before COMMIT returns: what the server runs with, since its acknowledgement promises
    /// that what it acknowledged survives a power cut.
    EveryCommit,
    /// Soon after, when the database chooses (SQLite at a checkpoint, PostgreSQL within its
    /// WAL writer's delay): for loading a generated history, whose stored rows are the same
    /// either way and which is generated again from nothing if the machine fails.
    Deferred,
}

impl Flush {
    /// `PRAGMA synchronous` in WAL mode: FULL syncs the log at every commit, NORMAL only at
    /// checkpoints.
    pub(super) fn sqlite_synchronous(self) -> &'static str {
        match self {
            Flush::EveryCommit => "FULL",
            Flush::Deferred => "NORMAL",
        }
    }
}

/// What a pool's connections are used for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Work {
    /// Transactions that write: the check on every release below.
    Writes,
    /// Reading statements only (SQLite's reader pool, opened `query_only`): no write of theirs
    /// can fail and leave a transaction open, so sqlx's own word is enough unless it still
    /// holds a queued statement. One trip to the connection's thread fewer per read, and a
    /// phone's small request makes about five reads.
    Reads,
}

/// A writer's word, given right after its last statement succeeded (a COMMIT it sent itself,
/// or a draw that ends by putting the pool's flush back), that the connection it is about to
/// release holds no transaction and flushes as the pool does: SQLite has just said so, and the
/// check on release would only ask again, one more trip to the connection's thread. The next
/// release takes it; so it is only for a pool of one connection (SQLite's writer), where the
/// next release is of the connection the word is about.
#[derive(Clone, Default, Debug)]
pub(super) struct ReleaseVouch(Arc<AtomicBool>);

impl ReleaseVouch {
    pub(super) fn give(&self) {
        self.0.store(true, Ordering::SeqCst);
    }

    /// Taken back: the connection is closed instead of released (an error after COMMIT).
    pub(super) fn withdraw(&self) {
        self.take();
    }

    fn take(&self) -> bool {
        self.0.swap(false, Ordering::SeqCst)
    }
}

/// How many of the merge's writes (its commits and case-number draws) and of the sync's short
/// reads hold or await SQLite's writer. sqlx returns a released connection to its pool in a
/// task of its own, after one more trip to the connection's thread, so a writer nobody uses
/// is often not yet back when the next read asks for it; the count tells that writer, worth
/// waiting for, from one a commit holds (`SqlStore::hot_read`).
#[derive(Clone, Default, Debug)]
pub(super) struct WriterClaims(Arc<AtomicUsize>);

/// One claim on the writer, given up when dropped: when its holder is done with the
/// connection, before sqlx has it back.
#[derive(Debug)]
pub(super) struct Claim(Arc<AtomicUsize>);

impl WriterClaims {
    /// A write's claim, however many there are already: it waits for the writer regardless.
    pub(super) fn claim(&self) -> Claim {
        self.0.fetch_add(1, Ordering::SeqCst);
        Claim(self.0.clone())
    }

    /// A read's claim, only if nobody else holds or awaits the writer.
    pub(super) fn claim_if_free(&self) -> Option<Claim> {
        self.0.compare_exchange(0, 1, Ordering::SeqCst, Ordering::SeqCst).ok().map(|_| Claim(self.0.clone()))
    }
}

impl Drop for Claim {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

/// A connection for one of a sync's short reads (`SqlStore::hot_read`), handed back through
/// [`HotRead::done`] once the read succeeded. When it is SQLite's writer, a pool of one, `done`
/// vouches for it ([`ReleaseVouch`]): the pool handed it out clean, and a read in autocommit
/// mode opens no transaction and sets no pragma, so the check on release would only ask
/// again, one more trip to the writer's thread per read. A read that failed drops it
/// unvouched, and the check runs.
pub(super) struct HotRead {
    conn: sqlx::pool::PoolConnection<sqlx::Any>,
    vouch: Option<ReleaseVouch>,
    _claim: Option<Claim>,
}

impl HotRead {
    /// A connection of `pool`, whose release checks it as the pool always does.
    pub(super) async fn acquire(pool: &AnyPool) -> Result<Self> {
        Ok(Self { conn: pool.acquire().await?, vouch: None, _claim: None })
    }

    /// `conn` from a pool of one connection, whose next release is this one, with `vouch`,
    /// held under `claim`.
    pub(super) fn vouched(
        conn: sqlx::pool::PoolConnection<sqlx::Any>,
        vouch: &ReleaseVouch,
        claim: Claim,
    ) -> Self {
        Self { conn, vouch: Some(vouch.clone()), _claim: Some(claim) }
    }

    /// Whether the read runs on SQLite's writer.
    #[cfg(test)]
    pub(super) fn on_writer(&self) -> bool {
        self.vouch.is_some()
    }

    pub(super) fn conn(&mut self) -> &mut AnyConnection {
        &mut self.conn
    }

    pub(super) fn done(self) {
        if let Some(vouch) = &self.vouch {
            vouch.give();
        }
    }
}

/// A pool of `max` connections to `url`, each with a SQLite page cache of `cache_kib`; a
/// release `vouch` vouches for skips the check.
#[allow(clippy::too_many_arguments)]
pub(super) async fn open(
    url: &str,
    dialect: Dialect,
    flush: Flush,
    work: Work,
    max: u32,
    cache_kib: u32,
    vouch: ReleaseVouch,
    #[cfg(any(test, feature = "fault-injection"))] faults: &super::Faults,
) -> Result<AnyPool> {
    // What `is_clean` sends on every release, written once per pool.
    let release_check: std::sync::Arc<str> =
        format!("BEGIN; ROLLBACK; PRAGMA synchronous = {}", flush.sqlite_synchronous()).into();
    let options = AnyPoolOptions::new()
        .max_connections(max)
        .acquire_timeout(Duration::from_secs(30))
        // sqlx's test before each acquire is a trip to the connection: over the network it
        // finds a PostgreSQL connection the server dropped, while a SQLite connection is a
        // thread of this process that the check on release has already vouched for.
        .test_before_acquire(dialect == Dialect::Postgres)
        .after_connect(move |conn, _| {
            Box::pin(async move {
                match (dialect, flush) {
                    // cache_size in KiB (negative): each connection keeps its own page cache
                    // over the operating system's, so it is what connections add to RSS.
                    (Dialect::Sqlite, _) => {
                        let synchronous = flush.sqlite_synchronous();
                        conn.execute(sqlx::AssertSqlSafe(format!("PRAGMA journal_mode = WAL; PRAGMA synchronous = {synchronous}; PRAGMA busy_timeout = 10000; PRAGMA foreign_keys = ON; PRAGMA cache_size = -{cache_kib}; PRAGMA temp_store = MEMORY;"))).await?;
                        if work == Work::Reads {
                            // What lets a reader skip the release check, kept by SQLite itself.
                            conn.execute("PRAGMA query_only = ON").await?;
                        }
                    }
                    (Dialect::Postgres, Flush::Deferred) => {
                        conn.execute("SET synchronous_commit = off").await?;
                    }
                    (Dialect::Postgres, Flush::EveryCommit) => {}
                }
                Ok(())
            })
        })
        .after_release(move |conn, _| {
            let release_check = release_check.clone();
            let vouched = vouch.take();
            Box::pin(async move {
                let clean = if (work == Work::Reads || vouched) && !conn.should_flush() {
                    !conn.is_in_transaction()
                } else {
                    is_clean(conn, dialect, &release_check).await
                };
                if !clean {
                    tracing::warn!("closing a database connection left in an unknown transaction state");
                }
                Ok(clean)
            })
        });
    #[cfg(any(test, feature = "fault-injection"))]
    let options = {
        let faults = faults.clone();
        options.before_acquire(move |conn, _| {
            let pages = faults.max_pages();
            Box::pin(async move {
                if pages > 0 {
                    conn.execute(sqlx::AssertSqlSafe(format!("PRAGMA max_page_count = {pages}"))).await?;
                }
                Ok(true)
            })
        })
    };
    Ok(options.connect(url).await?)
}

/// No transaction open, as far as both sqlx and the database know. On SQLite `check` is
/// `BEGIN; ROLLBACK; PRAGMA synchronous = <the pool's level>`.
async fn is_clean(conn: &mut AnyConnection, dialect: Dialect, check: &str) -> bool {
    match dialect {
        Dialect::Sqlite => {
            // BEGIN fails inside a transaction: succeeding proves SQLite is in autocommit mode.
            // It queues behind the ROLLBACK a dropped transaction sent, so it sees its result.
            // One round trip to the connection's thread: each statement runs only if the ones
            // before it succeeded, and each hop costs two context switches. The last puts
            // back the flush a case-number draw relaxes, when the draw failed before its own
            // trip could (`SqlStore::draw_case_numbers`).
            if conn.execute(sqlx::AssertSqlSafe(check)).await.is_err() {
                return false;
            }
        }
        // PostgreSQL ends a transaction whose COMMIT failed; what may remain is the ROLLBACK a
        // dropped transaction queued, which must reach the server before the answer counts.
        Dialect::Postgres => {
            if conn.should_flush() && conn.ping().await.is_err() {
                return false;
            }
        }
    }
    !conn.is_in_transaction()
}
