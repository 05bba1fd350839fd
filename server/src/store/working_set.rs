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

use std::collections::HashSet;

use sync_protocol::DocId;

use super::scope::{Bind, scope_filter};
use super::sql::to_doc_id;
use super::*;

/// How long a finished case stays on a partial replica after its last change.
pub const RECENT_MS: i64 = 90 * 24 * 3_600_000;

/// "A finished case that neither names nor was reported by `$user`", over the `cases` table.
fn outside(user: usize) -> String {
    format!(
        "status IN ('resolved', 'closed') AND reporter <> ${user}
         AND (handler IS NULL OR handler <> ${user}) AND (responsible_leader IS NULL OR responsible_leader <> ${user})"
    )
}

/// Whose working set a feed query keeps, and from when a finished case counts as recent.
pub(super) struct WorkingSet<'a> {
    user_id: &'a str,
    recent_from: i64,
}

impl WorkingSet<'_> {
    /// A condition on a feed row (`changes.doc_id`) that holds unless its case lies outside the
    /// working set, binding the user as `$first` and the horizon as `$first + 1`. Filtering in
    /// the query, not after it, keeps the bytes of a county's closed history out of the read: a
    /// first sync of 50,000 cases otherwise reads some 90 MB to send 7.
    pub(super) fn keeps(&self, first: usize) -> String {
        format!(
            "NOT EXISTS (SELECT 1 FROM cases c JOIN documents d ON d.doc_id = c.doc_id
             WHERE c.doc_id = changes.doc_id AND {} AND d.updated_at < ${})",
            outside(first),
            first + 1
        )
    }

    pub(super) fn binds(&self) -> [Bind; 2] {
        [Bind::Text(self.user_id.to_string()), Bind::Int(self.recent_from)]
    }
}

impl SqlStore {
    /// The feed after `cursor` within `scope`, without the cases outside `user_id`'s working set
    /// at `now`.
    pub async fn feed_partial(
        &self,
        scope: &Scope,
        user_id: &str,
        cursor: i64,
        skip: &HashSet<[u8; 32]>,
        max_bytes: usize,
        now: i64,
    ) -> Result<FeedPage> {
        let keep = WorkingSet { user_id, recent_from: now - RECENT_MS };
        self.feed_kept(scope, cursor, skip, max_bytes, Some(&keep)).await
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
            "SELECT doc_id FROM cases WHERE {filter} AND {}
             AND doc_id IN (SELECT doc_id FROM documents WHERE updated_at >= $2 AND updated_at < $3)
             ORDER BY doc_id",
            outside(1)
        );
        let from = since.map_or(i64::MIN, |s| s.saturating_sub(RECENT_MS));
        let q = sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(user_id).bind(from).bind(now - RECENT_MS);
        let q = binds.into_iter().fold(q, |q, b: Bind| b.onto(q));
        let ids: Vec<(Vec<u8>,)> = self.hot_all(q).await?;
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
