//! A partial replica's working set (PROTOCOL.md §12): the part of a wide scope a phone keeps.
//!
//! A case is in its user's working set while it is open, while anything happened to it in the
//! last [`RECENT_MS`], while it names the user (handler, responsible leader) and for good if the
//! user reported it. Records of other kinds are always in it. The scope rules are untouched:
//! the working set is computed inside the scope and only ever leaves things out.
//!
//! Every way into the working set is a change (a reopening, an edit, a naming), which the feed
//! carries; the one way out that no change announces is time, so `evicted` finds those by the
//! last-change time and a window the phone gives (`since`).

use std::collections::{BTreeSet, HashSet};

use sync_protocol::DocId;

use super::scope::{Bind, scope_filter};
use super::sql::to_doc_id;
use super::*;

/// How long a finished case stays on a partial replica after its last change.
pub const RECENT_MS: i64 = 90 * 24 * 3_600_000;

/// Feed pages one partial pull may read: a county's history is mostly closed cases the filter
/// leaves out, and a phone on 3G should not pay a round trip for each empty page.
const PARTIAL_READS: usize = 32;

/// "A finished case that neither names nor was reported by `$1`", over the `cases` table.
const OUTSIDE: &str = "status IN ('resolved', 'closed') AND reporter <> $1
     AND (handler IS NULL OR handler <> $1) AND (responsible_leader IS NULL OR responsible_leader <> $1)";

impl SqlStore {
    /// The feed after `cursor` within `scope`, without the cases outside `user_id`'s working set
    /// at `now`. Reads on through pages the filter empties, up to about `max_bytes` kept.
    pub async fn feed_partial(
        &self,
        scope: &Scope,
        user_id: &str,
        cursor: i64,
        skip: &HashSet<[u8; 32]>,
        max_bytes: usize,
        now: i64,
    ) -> Result<FeedPage> {
        let mut out = FeedPage { cursor, ..Default::default() };
        let mut kept = 0;
        for _ in 0..PARTIAL_READS {
            let page = self.feed(scope, out.cursor, skip, max_bytes.saturating_sub(kept).max(1)).await?;
            let docs: BTreeSet<DocId> = page.changes.iter().map(|(d, _)| *d).collect();
            let outside =
                self.outside_working_set(user_id, &docs.into_iter().collect::<Vec<_>>(), now).await?;
            for (doc, change) in page.changes {
                if !outside.contains(&doc) {
                    kept += change.len();
                    out.changes.push((doc, change));
                }
            }
            out.cursor = page.cursor;
            out.more = page.more;
            if !page.more || kept >= max_bytes {
                break;
            }
        }
        Ok(out)
    }

    /// Which of `docs` are cases outside `user_id`'s working set at `now`.
    pub async fn outside_working_set(
        &self,
        user_id: &str,
        docs: &[DocId],
        now: i64,
    ) -> Result<HashSet<DocId>> {
        let mut out = HashSet::new();
        for chunk in docs.chunks(200) {
            let marks = (0..chunk.len()).map(|i| format!("${}", i + 3)).collect::<Vec<_>>().join(", ");
            let sql = format!(
                "SELECT doc_id FROM cases WHERE doc_id IN ({marks}) AND {OUTSIDE}
                 AND doc_id IN (SELECT doc_id FROM documents WHERE doc_id IN ({marks}) AND updated_at < $2)"
            );
            let q = sqlx::query_scalar(sqlx::AssertSqlSafe(sql)).bind(user_id).bind(now - RECENT_MS);
            let q = chunk.iter().fold(q, |q, d| q.bind(d.0.to_vec()));
            let ids: Vec<Vec<u8>> = q.fetch_all(&self.pool).await?;
            for id in ids {
                out.insert(to_doc_id(id)?);
            }
        }
        Ok(out)
    }

    /// Cases in `scope` that left `user_id`'s working set after `since` and by `now`; with no
    /// `since`, every case in scope outside it (for a phone that held a whole replica).
    pub async fn evicted(
        &self,
        scope: &Scope,
        user_id: &str,
        since: Option<i64>,
        now: i64,
    ) -> Result<Vec<DocId>> {
        let (filter, binds) = scope_filter(scope, 4);
        let sql = format!(
            "SELECT doc_id FROM cases WHERE {filter} AND {OUTSIDE}
             AND doc_id IN (SELECT doc_id FROM documents WHERE updated_at >= $2 AND updated_at < $3)
             ORDER BY doc_id"
        );
        let from = since.map_or(i64::MIN, |s| s.saturating_sub(RECENT_MS));
        let q = sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(user_id).bind(from).bind(now - RECENT_MS);
        let q = binds.into_iter().fold(q, |q, b: Bind| b.onto(q));
        let ids: Vec<(Vec<u8>,)> = q.fetch_all(&self.pool).await?;
        ids.into_iter().map(|(id,)| to_doc_id(id)).collect()
    }

    /// Every change of `doc` in feed order, or nothing when the device cannot read it.
    pub async fn doc_changes_in(&self, scope: &Scope, doc: DocId) -> Result<Vec<Vec<u8>>> {
        let meta = self.doc_metas(&[doc]).await?;
        if !meta.get(&doc).is_some_and(|m| scope.covers(&m.unit_path, doc)) {
            return Ok(vec![]);
        }
        Ok(sqlx::query_scalar("SELECT bytes FROM changes WHERE doc_id = $1 ORDER BY seq")
            .bind(doc.0.to_vec())
            .fetch_all(&self.pool)
            .await?)
    }

    /// The case numbered `case_no`, if `scope` covers it.
    pub async fn case_numbered(&self, scope: &Scope, case_no: &str) -> Result<Option<DocId>> {
        let row: Option<(Vec<u8>, String)> =
            sqlx::query_as("SELECT doc_id, unit_path FROM cases WHERE case_no = $1")
                .bind(case_no)
                .fetch_optional(&self.pool)
                .await?;
        match row {
            Some((doc, unit_path)) => {
                let doc = to_doc_id(doc)?;
                Ok(scope.covers(&unit_path, doc).then_some(doc))
            }
            None => Ok(None),
        }
    }
}
