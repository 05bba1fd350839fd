//! [`SqlStore`]: the sync-critical queries. Admin and projection queries are in `admin.rs`.

use std::collections::HashMap;
use std::path::Path;

use sqlx::any::{AnyArguments, AnyRow};
use sqlx::query::QueryAs;
use sqlx::{Any, AnyPool, Connection, Row};
use sync_protocol::{ActorPrefix, DocId};

use super::pools::{Flush, HotRead, ReleaseVouch, Work, WriterClaims};
use super::scope::{Bind, scope_rows};
use super::*;

/// SQLite's page cache per connection (KiB). The writer's holds the indexes every commit
/// touches, and the pages of the sync's reads it takes when idle (`SqlStore::hot_read`);
/// readers, whose caches every commit empties, rely on the operating system's cache below.
/// At 64 MiB each, nine connections took the server past 200 MB under a sweep burst
/// (BENCHMARKS.md).
const WRITER_CACHE_KIB: u32 = 8 * 1024;
const READER_CACHE_KIB: u32 = 2 * 1024;

/// How long a sync's read waits for an unclaimed writer before it takes a reader: sqlx's
/// return of a connection is one trip to its thread, tens of microseconds.
const HOT_READ_WAIT: std::time::Duration = std::time::Duration::from_millis(1);

/// What differs between the backends beyond their migrations.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    Sqlite,
    Postgres,
}

#[derive(Clone)]
pub struct SqlStore {
    /// Reads that may be long (statistics, exports, lists, audits): on SQLite eight readers
    /// beside the writer, so they never hold up a commit.
    pub(super) pool: AnyPool,
    /// SQLite allows one writer at a time; funnelling writes through one connection turns
    /// "database is locked" retries into an orderly queue. On PostgreSQL it is the same pool.
    pub(super) writer: AnyPool,
    /// On SQLite, the merge commit's and the draw's word to the writer's pool (see
    /// [`ReleaseVouch`]).
    pub(super) vouch: ReleaseVouch,
    /// On SQLite, who holds or awaits the writer among the merge's writes and the sync's reads.
    pub(super) claims: WriterClaims,
    /// [`HOT_READ_WAIT`]; a test on a loaded machine waits longer, since there the writer's
    /// return can take more than a millisecond.
    pub(super) hot_read_wait: std::time::Duration,
    /// When the writer's commits reach the disk (a draw relaxes it for itself, then puts it back).
    flush: Flush,
    pub dialect: Dialect,
    pub url: String,
    /// Units never change once created, and every new case needs its village's ancestry: keep
    /// them in memory. A unit another replica created is simply a miss, read from the database.
    pub(super) units: std::sync::Arc<std::sync::RwLock<HashMap<String, Unit>>>,
    /// Scope fingerprints, and `device:fingerprint` pairs, this process has already stored
    /// (`remember_scope`).
    pub(super) scopes_stored: std::sync::Arc<std::sync::Mutex<std::collections::HashSet<String>>>,
    /// Room on the data disk and storage errors (see [`super::Space`]).
    pub space: std::sync::Arc<super::Space>,
    #[cfg(any(test, feature = "fault-injection"))]
    pub(super) faults: super::Faults,
}

impl std::fmt::Debug for SqlStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The URL may carry a password.
        f.debug_struct("SqlStore").field("dialect", &self.dialect).finish_non_exhaustive()
    }
}

pub fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

impl SqlStore {
    pub async fn connect(url: &str) -> Result<Self> {
        Self::open(
            url,
            Flush::EveryCommit,
            #[cfg(any(test, feature = "fault-injection"))]
            Default::default(),
        )
        .await
    }

    /// A store whose commits reach the disk a little after they return ([`Flush::Deferred`]):
    /// for loading a generated history, never for serving phones.
    pub async fn connect_for_loading(url: &str) -> Result<Self> {
        Self::open(
            url,
            Flush::Deferred,
            #[cfg(any(test, feature = "fault-injection"))]
            Default::default(),
        )
        .await
    }

    /// A store whose storage fails when `faults` says so (tests only).
    #[cfg(any(test, feature = "fault-injection"))]
    pub async fn connect_with_faults(url: &str, faults: super::Faults) -> Result<Self> {
        Self::open(url, Flush::EveryCommit, faults).await
    }

    async fn open(
        url: &str,
        flush: Flush,
        #[cfg(any(test, feature = "fault-injection"))] faults: super::Faults,
    ) -> Result<Self> {
        sqlx::any::install_default_drivers();
        let dialect = if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            Dialect::Postgres
        } else if url.starts_with("sqlite:") {
            Dialect::Sqlite
        } else {
            return Err(StoreError::Invalid("database URL must start with sqlite: or postgres:".into()));
        };
        let vouch = ReleaseVouch::default();
        let (pool, writer) = match dialect {
            Dialect::Sqlite => {
                let writer = super::pools::open(
                    url,
                    dialect,
                    flush,
                    Work::Writes,
                    1,
                    WRITER_CACHE_KIB,
                    vouch.clone(),
                    #[cfg(any(test, feature = "fault-injection"))]
                    &faults,
                )
                .await?;
                (
                    super::pools::open(
                        url,
                        dialect,
                        flush,
                        Work::Reads,
                        8,
                        READER_CACHE_KIB,
                        ReleaseVouch::default(),
                        #[cfg(any(test, feature = "fault-injection"))]
                        &faults,
                    )
                    .await?,
                    writer,
                )
            }
            Dialect::Postgres => {
                let pool = super::pools::open(
                    url,
                    dialect,
                    flush,
                    Work::Writes,
                    16,
                    0,
                    ReleaseVouch::default(),
                    #[cfg(any(test, feature = "fault-injection"))]
                    &faults,
                )
                .await?;
                (pool.clone(), pool)
            }
        };
        let store = Self {
            pool,
            writer,
            vouch,
            claims: WriterClaims::default(),
            flush,
            dialect,
            url: url.to_string(),
            units: Default::default(),
            scopes_stored: Default::default(),
            hot_read_wait: HOT_READ_WAIT,
            space: std::sync::Arc::new(super::Space::new(sqlite_dir(url))),
            #[cfg(any(test, feature = "fault-injection"))]
            faults,
        };
        store.migrate().await?;
        Ok(store)
    }

    /// The schema this binary brings: its highest migration, the same on both backends.
    pub fn schema_version() -> i64 {
        sqlx::migrate!("./migrations/sqlite").iter().map(|m| m.version).max().unwrap_or(0)
    }

    pub async fn close(&self) {
        self.writer.close().await;
        self.pool.close().await;
    }

    async fn migrate(&self) -> Result<()> {
        match self.dialect {
            Dialect::Sqlite => sqlx::migrate!("./migrations/sqlite").run(&self.writer).await?,
            Dialect::Postgres => sqlx::migrate!("./migrations/postgres").run(&self.writer).await?,
        }
        // A restored backup carries a marker: it must not reuse the epoch its clients saw.
        if self.meta("epoch").await?.is_none() || self.meta("new_epoch_on_open").await?.is_some() {
            self.new_epoch().await?;
        }
        Ok(())
    }

    /// The key that seals the server's own changes; made once, kept with the data.
    pub async fn server_secret(&self) -> Result<String> {
        let fresh = hex::encode(rand::random::<[u8; 32]>());
        sqlx::query(
            "INSERT INTO meta (key, value) VALUES ('server_secret', $1) ON CONFLICT (key) DO NOTHING",
        )
        .bind(fresh)
        .execute(&self.writer)
        .await?;
        self.meta("server_secret").await?.ok_or_else(|| StoreError::Invalid("no server secret".into()))
    }

    /// A connection for one of a sync's short reads (its device, scope, documents, page of the
    /// feed). On SQLite the writer when no commit, draw or other such read holds or awaits it
    /// ([`WriterClaims`]): a reader empties its page cache at its first read after another
    /// connection commits, and nearly every sync commits, so each read started cold and
    /// fetched its B-tree pages again, more of them the larger the history; the writer made
    /// those commits itself and keeps its cache. Such a writer may still be on its way back to
    /// the pool, so the read waits for it, at most [`HOT_READ_WAIT`] (for the writes that do
    /// not claim it: alerts, assignments, backups). A claimed writer is not waited for: reads
    /// queued behind commits cost the burst a third of its edit+pull throughput, where the
    /// readers run beside them (BENCHMARKS.md, 500,000 cases on SQLite again). Long reads
    /// (statistics, exports, lists) always go to the readers. On PostgreSQL, whose buffers
    /// every connection shares, the pool.
    pub(super) async fn hot_read(&self) -> Result<HotRead> {
        if self.dialect == Dialect::Sqlite
            && let Some(claim) = self.claims.claim_if_free()
            && let Ok(Ok(writer)) = tokio::time::timeout(self.hot_read_wait, self.writer.acquire()).await
        {
            return Ok(HotRead::vouched(writer, &self.vouch, claim));
        }
        HotRead::acquire(&self.pool).await
    }

    /// `q`'s rows, read on a [`Self::hot_read`] connection.
    pub(super) async fn hot_all<O>(&self, q: QueryAs<'_, Any, O, AnyArguments>) -> Result<Vec<O>>
    where
        O: Send + Unpin + for<'r> sqlx::FromRow<'r, AnyRow>,
    {
        let mut hot = self.hot_read().await?;
        let rows = q.fetch_all(hot.conn()).await?;
        hot.done();
        Ok(rows)
    }

    pub async fn meta(&self, key: &str) -> Result<Option<String>> {
        Ok(sqlx::query("SELECT value FROM meta WHERE key = $1")
            .bind(key)
            .fetch_optional(&self.pool)
            .await?
            .map(|r| r.get::<String, _>(0)))
    }

    /// Start a new epoch: every client will re-check what this server has (PROTOCOL.md §5).
    pub async fn new_epoch(&self) -> Result<String> {
        let epoch = hex::encode(rand::random::<[u8; 16]>());
        let mut tx = self.writer.begin().await?;
        sqlx::query("INSERT INTO meta (key, value) VALUES ('epoch', $1) ON CONFLICT (key) DO UPDATE SET value = excluded.value")
            .bind(&epoch)
            .execute(&mut *tx)
            .await?;
        sqlx::query("DELETE FROM meta WHERE key = 'new_epoch_on_open'").execute(&mut *tx).await?;
        tx.commit().await?;
        Ok(epoch)
    }

    pub async fn epoch(&self) -> Result<String> {
        self.meta("epoch").await?.ok_or_else(|| StoreError::Invalid("no epoch".into()))
    }

    pub async fn device_by_token_hash(&self, hash: &[u8]) -> Result<Option<DeviceAuth>> {
        self.device_where("d.token_hash = $1", Bind::Bytes(hash.to_vec())).await
    }

    /// A device as it is today (its user's current role and scope), revoked or not: what
    /// judging its quarantined pushes again needs.
    pub async fn device_by_id(&self, device_id: i64) -> Result<Option<DeviceAuth>> {
        self.device_where("d.id = $1", Bind::Int(device_id)).await
    }

    /// The device and its user's scope in one trip ([`scope_rows`]): every authenticated request
    /// reads both. A row per part of the scope, each carrying the device.
    async fn device_where(&self, condition: &str, key: Bind) -> Result<Option<DeviceAuth>> {
        #[derive(sqlx::FromRow)]
        struct Device {
            device_id: i64,
            actor_prefix: Vec<u8>,
            revoked_at: Option<i64>,
            user_id: String,
            user_name: String,
            role: String,
            unit_code: String,
            unit_name: String,
            unit_path: String,
            retire_at: Option<i64>,
            created_at: i64,
            named_doc: Option<Vec<u8>>,
            named_path: Option<String>,
        }
        let sql = device_scope_sql(condition);
        let q = key.onto(sqlx::query_as::<_, Device>(sqlx::AssertSqlSafe(sql)));
        let mut rows = self.hot_all(q).await?;
        let scope_parts: Vec<_> =
            rows.iter_mut().map(|r| (r.named_doc.take(), r.named_path.take())).collect();
        let Some(d) = rows.into_iter().next() else { return Ok(None) };
        let scope = Scope::from_rows(&d.unit_path, scope_parts)?;
        Ok(Some(DeviceAuth {
            device_id: d.device_id,
            actor_prefix: ActorPrefix::from_slice(&d.actor_prefix)
                .map_err(|e| StoreError::Invalid(e.to_string()))?,
            revoked: d.revoked_at.is_some(),
            user_id: d.user_id,
            user_name: d.user_name,
            role: d.role,
            unit_code: d.unit_code,
            unit_name: d.unit_name,
            unit_path: d.unit_path,
            retiring: d.retire_at.is_some(),
            scope,
            enrolled_at: d.created_at,
        }))
    }

    pub async fn doc_metas(&self, ids: &[DocId]) -> Result<HashMap<DocId, DocMeta>> {
        let mut out = HashMap::with_capacity(ids.len());
        // Chunked IN lists: one round trip per 200 documents rather than one per document.
        for chunk in ids.chunks(200) {
            let marks = (1..=chunk.len()).map(|i| format!("${i}")).collect::<Vec<_>>().join(",");
            let sql = format!(
                "SELECT doc_id, unit_code, unit_path, version, tail_count, created_at FROM documents WHERE doc_id IN ({marks})"
            );
            #[derive(sqlx::FromRow)]
            struct Meta {
                #[sqlx(try_from = "Vec<u8>")]
                doc_id: DocId,
                #[sqlx(flatten)]
                meta: DocMeta,
            }
            let mut q = sqlx::query_as::<_, Meta>(sqlx::AssertSqlSafe(sql));
            for id in chunk {
                q = q.bind(id.0.to_vec());
            }
            out.extend(self.hot_all(q).await?.into_iter().map(|m| (m.doc_id, m.meta)));
        }
        Ok(out)
    }

    /// The bytes to rebuild a document: its snapshot and the log after it.
    pub async fn doc_bytes(&self, doc: DocId) -> Result<DocBytes> {
        let mut out = DocBytes::default();
        let mut from = 0;
        if let Some((snapshot, seq)) =
            sqlx::query_as("SELECT snapshot, snapshot_seq FROM documents WHERE doc_id = $1")
                .bind(doc.0.to_vec())
                .fetch_optional(&self.pool)
                .await?
        {
            (out.snapshot, from) = (snapshot, seq);
        }
        out.tail =
            sqlx::query_scalar("SELECT bytes FROM changes WHERE doc_id = $1 AND seq > $2 ORDER BY seq")
                .bind(doc.0.to_vec())
                .bind(from)
                .fetch_all(&self.pool)
                .await?;
        Ok(out)
    }

    pub async fn high_seq(&self) -> Result<i64> {
        Ok(sqlx::query_scalar::<_, i64>("SELECT COALESCE(MAX(seq), 0) FROM changes")
            .fetch_one(&self.pool)
            .await?)
    }

    pub async fn quarantine(&self, items: &[QuarantineItem]) -> Result<()> {
        if items.is_empty() {
            return Ok(());
        }
        let mut tx = self.writer.begin().await?;
        for q in items {
            sqlx::query(
                "INSERT INTO quarantine (device_id, doc_id, code, message, changes, received_at) VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(q.device_id)
            .bind(q.doc.0.to_vec())
            .bind(&q.code)
            .bind(&q.message)
            .bind(&q.changes)
            .bind(now_ms())
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Draw `count` consecutive numbers from each (county, year) sequence, and move each
    /// `keep_past` sequence beyond a number issued before a restore. Returns the first number
    /// drawn per (county, year). A number burnt by a merge that then fails leaves a gap, which
    /// is fine; a duplicate would not be.
    ///
    /// On SQLite the draw is not flushed on its own: a number is only ever acknowledged inside
    /// a merge commit that comes after it in the log and is flushed (FULL), and flushing the
    /// log flushes every frame before it. A crash before that loses the draw and the case
    /// together, so no number can be held twice. The draw's own trip puts the pool's flush
    /// back after it, and vouches for the connection ([`ReleaseVouch`]); if it fails, the
    /// check on release puts it back (`pools::is_clean`).
    pub async fn draw_case_numbers(
        &self,
        wanted: &[(String, i32, i64)],
        keep_past: &[(String, i32, i64)],
    ) -> Result<HashMap<(String, i32), i64>> {
        let (relax, restore) = match self.dialect {
            Dialect::Sqlite => (
                "PRAGMA synchronous = NORMAL; ",
                format!("; PRAGMA synchronous = {}", self.flush.sqlite_synchronous()),
            ),
            Dialect::Postgres => ("", String::new()),
        };
        let _claim = self.claims.claim();
        let mut conn = self.writer.acquire().await?;
        if keep_past.is_empty() {
            // A request's usual draw: one statement, atomic on its own, so one trip to the
            // connection's thread instead of four (BEGIN, the draw, COMMIT, the check).
            let drawn = draw(&mut conn, relax, wanted, &restore).await?;
            if self.dialect == Dialect::Sqlite {
                self.vouch.give();
            }
            return Ok(drawn);
        }
        let mut tx = conn.begin_with(sqlx::AssertSqlSafe(format!("{relax}BEGIN"))).await?;
        for (county, year, n) in keep_past {
            sqlx::query(
                "INSERT INTO case_counters (county_code, year, next) VALUES ($1, $2, $3)
                 ON CONFLICT (county_code, year) DO UPDATE
                 SET next = CASE WHEN case_counters.next > $3 THEN case_counters.next ELSE $3 END",
            )
            .bind(county)
            .bind(*year as i64)
            .bind(n + 1)
            .execute(&mut *tx)
            .await?;
        }
        let first = draw(&mut tx, "", wanted, "").await?;
        tx.commit().await?;
        Ok(first)
    }
}

/// Every (county, year) sequence of `wanted` moved on by its count in one statement, `prefix`
/// run before it and `suffix` after it in the same trip; the first number drawn from each.
async fn draw(
    conn: &mut sqlx::AnyConnection,
    prefix: &str,
    wanted: &[(String, i32, i64)],
    suffix: &str,
) -> Result<HashMap<(String, i32), i64>> {
    if wanted.is_empty() {
        return Ok(HashMap::new());
    }
    // `excluded.next` is the row the statement would have inserted: 1 + the count.
    let sql = format!(
        "{prefix}INSERT INTO case_counters (county_code, year, next) VALUES {}
         ON CONFLICT (county_code, year) DO UPDATE SET next = case_counters.next + excluded.next - 1
         RETURNING county_code, year, next{suffix}",
        super::commit::values(wanted.len(), 3)
    );
    // In key order, so that two requests drawing from the same counties on PostgreSQL lock
    // their rows in the same order.
    let mut rows: Vec<_> = wanted.iter().collect();
    rows.sort();
    let mut q = sqlx::query_as::<_, (String, i64, i64)>(sqlx::AssertSqlSafe(sql));
    for (county, year, count) in rows {
        q = q.bind(county).bind(*year as i64).bind(1 + count);
    }
    let next: HashMap<(String, i32), i64> = q
        .fetch_all(&mut *conn)
        .await?
        .into_iter()
        .map(|(county, year, next)| ((county, year as i32), next))
        .collect();
    wanted
        .iter()
        .map(|(county, year, count)| {
            let key = (county.clone(), *year);
            // Every row is inserted or updated, so each comes back; as `fetch_one`, if not.
            let n = next.get(&key).ok_or(sqlx::Error::RowNotFound)?;
            Ok((key, n - count))
        })
        .collect()
}

/// The folder holding a `sqlite://path/file.db?…` database; `None` for PostgreSQL.
fn sqlite_dir(url: &str) -> Option<std::path::PathBuf> {
    let path = url.strip_prefix("sqlite://").or_else(|| url.strip_prefix("sqlite:"))?;
    let file = Path::new(path.split('?').next()?);
    Some(file.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new(".")).to_path_buf())
}

/// The statement [`SqlStore::device_by_token_hash`] and [`SqlStore::device_by_id`] read: the
/// device `condition` picks (on `d`, its row of `devices`), its user and unit, and a row per part
/// of the user's scope ([`scope_rows`]; one row with no part when there is none). Public for
/// the history benchmark's query plans.
pub fn device_scope_sql(condition: &str) -> String {
    format!(
        "WITH d AS (
            SELECT d.id AS device_id, d.actor_prefix, d.revoked_at, u.id AS user_id, u.name AS user_name, u.role,
                   n.code AS unit_code, n.name AS unit_name, n.path AS unit_path, d.retire_at, d.created_at
            FROM devices d JOIN users u ON u.id = d.user_id JOIN units n ON n.code = u.unit_code
            WHERE {condition}),
         s AS ({})
         SELECT d.*, s.doc_id AS named_doc, s.path AS named_path FROM d LEFT JOIN s ON 1 = 1",
        scope_rows("d")
    )
}

/// Every unit path under `scope` lies in `[scope, hi)`: paths end in '/', and '0' is the
/// character after '/'. A range, unlike LIKE, is an index range on both databases.
pub fn scope_range(scope: &str) -> (String, String) {
    let hi = match scope.strip_suffix('/') {
        Some(stem) => format!("{stem}0"),
        None => format!("{scope}\u{10FFFF}"),
    };
    (scope.to_string(), hi)
}

/// A document id read as a lone column (`query_scalar`); rows map theirs with `try_from`.
pub(super) fn to_doc_id(bytes: Vec<u8>) -> Result<DocId> {
    DocId::try_from(bytes).map_err(|e| StoreError::Invalid(e.to_string()))
}
