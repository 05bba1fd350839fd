//! The pull feed: every change after a cursor that a scope covers, in feed order.
//!
//! Nothing is left out because of who pushed it: a device's own earlier changes are what a
//! second session on its token, a wiped client or a re-covered document lacks. Only the changes
//! pushed in the very request being answered are skipped, since the device holds them in hand.

use std::collections::HashSet;

use sync_protocol::DocId;

use super::scope::Bind;
use super::working_set::WorkingSet;
use super::*;

impl SqlStore {
    /// The feed after `cursor` within `scope`, about `max_bytes` of it, without the changes
    /// whose hashes are in `skip` (those the requesting device pushed in this request).
    pub async fn feed(
        &self,
        scope: &Scope,
        cursor: i64,
        skip: &HashSet<[u8; 32]>,
        max_bytes: usize,
    ) -> Result<FeedPage> {
        self.feed_kept(scope, cursor, skip, max_bytes, None).await
    }

    /// The feed as [`Self::feed`] reads it, of only the rows `keep` keeps when it is given.
    pub(super) async fn feed_kept(
        &self,
        scope: &Scope,
        cursor: i64,
        skip: &HashSet<[u8; 32]>,
        max_bytes: usize,
        keep: Option<&WorkingSet<'_>>,
    ) -> Result<FeedPage> {
        // Read the horizon first: everything at or below it is committed, so a page that ends
        // early can move the cursor to it without skipping anything.
        let ranges = scope.ranges();
        let (high, units) = self.horizon_and_units(&ranges, cursor).await?;
        if high <= cursor {
            return Ok(FeedPage { cursor, ..Default::default() });
        }
        // The subtrees and the named cases are read apart, each along its own index, and
        // merged in feed order; a scope never lists a case its paths cover, so no row twice.
        let mut parts = vec![self.feed_paths(&ranges, units, cursor, high, keep).await?];
        if !scope.docs().is_empty() {
            parts.push(self.feed_docs(scope, cursor, high, keep).await?);
        }
        // A part that filled its page is complete only up to its last row: so is the merge.
        let bound =
            parts.iter().filter(|p| p.len() as i64 == FEED_ROWS).filter_map(|p| p.last().map(|r| r.0)).min();
        let mut rows: Vec<FeedRow> = parts.into_iter().flatten().filter(|r| !skip.contains(&r.3)).collect();
        rows.sort_by_key(|r| r.0);
        if let Some(b) = bound {
            rows.retain(|r| r.0 <= b);
        }
        let mut page = FeedPage { cursor: bound.unwrap_or(high).max(cursor), ..Default::default() };
        let mut bytes = 0;
        for (i, (seq, doc, change, _)) in rows.into_iter().enumerate() {
            if i > 0 && bytes + change.len() > max_bytes {
                page.cursor = seq - 1;
                page.more = true;
                return Ok(page);
            }
            bytes += change.len();
            page.changes.push((doc, change));
        }
        page.more = bound.is_some();
        Ok(page)
    }

    /// The feed's horizon, and when the feed has moved past `cursor` the units in the scope's
    /// subtrees (up to one more than `MAX_SEEKS`), in one trip: every pull reads the first, a
    /// pull with news also the second, and each trip to a SQLite connection's thread costs more
    /// than either read. One statement is one snapshot on both databases, so the horizon is the
    /// one `high_seq` would read.
    async fn horizon_and_units(
        &self,
        ranges: &[(String, String)],
        cursor: i64,
    ) -> Result<(i64, Vec<String>)> {
        if ranges.is_empty() {
            return Ok((self.high_seq().await?, vec![]));
        }
        // One row with no unit when nothing is new, so a pull with nothing to send reads none.
        let mut q = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT h.high, u.path FROM (SELECT COALESCE(MAX(seq), 0) AS high FROM changes) h
             LEFT JOIN units u ON h.high > $1 AND {}
             LIMIT $2",
            range_clause(ranges.len(), 3, "u.path")
        )))
        .bind(cursor)
        .bind(MAX_SEEKS as i64 + 1);
        for (lo, hi) in ranges {
            q = q.bind(lo).bind(hi);
        }
        let rows: Vec<(i64, Option<String>)> = self.hot_all(q).await?;
        let high = rows.first().map_or(0, |r| r.0);
        Ok((high, rows.into_iter().filter_map(|(_, path)| path).collect()))
    }

    /// The feed's rows in the scope's subtrees `ranges`, whose units are `units`, at most
    /// `FEED_ROWS`.
    async fn feed_paths(
        &self,
        ranges: &[(String, String)],
        units: Vec<String>,
        cursor: i64,
        high: i64,
        keep: Option<&WorkingSet<'_>>,
    ) -> Result<Vec<FeedRow>> {
        // Two plans, chosen here rather than left to each database's planner: a small
        // jurisdiction seeks the (unit_path, seq) index once per unit in it; a large one walks
        // the log in feed order, where most rows are its own anyway.
        if !units.is_empty() && units.len() <= MAX_SEEKS {
            return self
                .feed_in("unit_path", units.into_iter().map(Bind::Text).collect(), cursor, high, keep)
                .await;
        }
        let sql = format!(
            "SELECT seq, doc_id, bytes, hash FROM changes
             WHERE seq > $1 AND seq <= $2 AND {}{}
             ORDER BY seq LIMIT $3",
            range_clause(ranges.len(), 4, "unit_path"),
            kept_clause(keep, 4 + 2 * ranges.len())
        );
        let mut q = sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(cursor).bind(high).bind(FEED_ROWS);
        for (lo, hi) in ranges {
            q = q.bind(lo).bind(hi);
        }
        let q = keep.into_iter().flat_map(WorkingSet::binds).fold(q, |q, b| b.onto(q));
        self.hot_all(q).await?.into_iter().map(feed_row).collect()
    }

    /// The feed's rows of the named cases, seeking the (doc_id, seq) index once per case.
    async fn feed_docs(
        &self,
        scope: &Scope,
        cursor: i64,
        high: i64,
        keep: Option<&WorkingSet<'_>>,
    ) -> Result<Vec<FeedRow>> {
        let docs = scope.docs().iter().map(|d| Bind::Bytes(d.0.to_vec())).collect();
        self.feed_in("doc_id", docs, cursor, high, keep).await
    }

    /// The feed's rows whose `column` is one of `values`: one index seek per value.
    async fn feed_in(
        &self,
        column: &str,
        values: Vec<Bind>,
        cursor: i64,
        high: i64,
        keep: Option<&WorkingSet<'_>>,
    ) -> Result<Vec<FeedRow>> {
        let marks = (0..values.len()).map(|i| format!("${}", i + 4)).collect::<Vec<_>>().join(", ");
        let kept = kept_clause(keep, 4 + values.len());
        let sql = format!(
            "SELECT seq, doc_id, bytes, hash FROM changes
             WHERE {column} IN ({marks}) AND seq > $1 AND seq <= $2{kept}
             ORDER BY seq LIMIT $3"
        );
        let q = sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(cursor).bind(high).bind(FEED_ROWS);
        let q =
            values.into_iter().chain(keep.into_iter().flat_map(WorkingSet::binds)).fold(q, |q, v| v.onto(q));
        self.hot_all(q).await?.into_iter().map(feed_row).collect()
    }
}

/// `((column >= $first AND column < $first+1) OR …)` for `ranges` ranges.
fn range_clause(ranges: usize, first: usize, column: &str) -> String {
    let r: Vec<String> = (0..ranges)
        .map(|i| format!("({column} >= ${} AND {column} < ${})", first + 2 * i, first + 2 * i + 1))
        .collect();
    format!("({})", r.join(" OR "))
}

/// ` AND` the working set's condition with its binds numbered from `first`, or nothing.
fn kept_clause(keep: Option<&WorkingSet<'_>>, first: usize) -> String {
    keep.map(|k| format!(" AND {}", k.keeps(first))).unwrap_or_default()
}

/// Units up to which a scope's feed seeks the (unit_path, seq) index once per unit; a wider
/// one walks the log in feed order.
const MAX_SEEKS: usize = 400;

/// Rows of the feed read per query: a page is cut from them by bytes.
const FEED_ROWS: i64 = 2_000;

/// (seq, doc, change bytes, change hash).
type FeedRow = (i64, DocId, Vec<u8>, [u8; 32]);

/// A feed row as stored: (seq, doc_id, bytes, hash).
#[derive(sqlx::FromRow)]
struct Stored {
    seq: i64,
    #[sqlx(try_from = "Vec<u8>")]
    doc_id: DocId,
    bytes: Vec<u8>,
    hash: Vec<u8>,
}

fn feed_row(r: Stored) -> Result<FeedRow> {
    let hash =
        r.hash.try_into().map_err(|_| StoreError::Invalid("stored change hash is not 32 bytes".into()))?;
    Ok((r.seq, r.doc_id, r.bytes, hash))
}
