//! Queries behind the statistics and the exports (`crate::stats`). Every figure is counted in
//! Rust over a streamed scan rather than with `GROUP BY`: when a case was resolved lives in its
//! timeline (JSON), which SQLite and PostgreSQL would each read with their own JSON functions.

use futures::StreamExt;
use futures::stream::BoxStream;
use sqlx::FromRow;
use sync_protocol::DocId;

use super::sql::scope_range;
use super::*;

/// Statuses that end a case's work: "resolved" in every statistic.
pub const FINAL_STATUSES: [&str; 2] = ["resolved", "closed"];

/// A jurisdiction and a period, in Unix ms: `[from, to)`.
#[derive(Debug, Clone)]
pub struct StatsWindow {
    pub unit_path: String,
    pub from: i64,
    pub to: i64,
    /// A case whose deadline is before this instant (the start of today, Beijing time) and
    /// which is not resolved or closed is overdue.
    pub overdue_before: i64,
}

/// What the statistics need of one case.
#[derive(Debug, Clone, FromRow)]
pub struct StatCase {
    pub unit_path: String,
    pub category: String,
    pub severity: String,
    pub status: String,
    pub reported_at: i64,
    pub deadline: Option<i64>,
    /// The case's JSON, only for resolved and closed cases: their timeline says when, and
    /// whether the outcome still awaits a leader's confirmation (`stats::resolution`).
    pub body: Option<String>,
}

/// A visit or sweep report filed in the period.
#[derive(Debug, Clone, FromRow)]
pub struct StatRecord {
    pub kind: String,
    pub unit_code: String,
    pub unit_path: String,
}

/// One row of the case list, in (reported_at, doc) order.
#[derive(Debug, Clone, FromRow)]
pub struct CaseListRow {
    #[sqlx(try_from = "Vec<u8>")]
    pub doc: DocId,
    pub case_no: Option<String>,
    pub village: String,
    pub village_name: String,
    pub title: String,
    pub category: String,
    pub severity: String,
    pub status: String,
    pub reported_at: i64,
    pub deadline: Option<i64>,
    /// As in [`StatCase::body`].
    pub body: Option<String>,
}

impl SqlStore {
    /// Every case of the jurisdiction that can count in the window: reported in it, resolved or
    /// closed (when is decided from the body), or overdue now. Streamed, never held whole.
    pub fn stats_cases(&self, w: &StatsWindow) -> BoxStream<'_, Result<StatCase>> {
        let (lo, hi) = scope_range(&w.unit_path);
        sqlx::query_as::<_, StatCase>(
            // Three disjoint parts, each along an index, so that a month costs what a month holds
            // and not the jurisdiction's history: the cases reported in it; those settled in it;
            // and the unsettled (open ones, for the overdue count; closures awaiting
            // confirmation, and rows projected before `settled_at` existed, read as they
            // always were). The counter still judges every row from its body. `unit_path || ''`
            // keeps SQLite off the path index, which would walk the jurisdiction's history.
            "SELECT unit_path, category, severity, status, reported_at, deadline,
                    CASE WHEN status IN ('resolved', 'closed') THEN body END AS body
             FROM cases
             WHERE reported_at >= $3 AND reported_at < $4 AND unit_path || '' >= $1 AND unit_path || '' < $2
             UNION ALL
             SELECT unit_path, category, severity, status, reported_at, deadline, body
             FROM cases
             WHERE settled_at >= $3 AND settled_at < $4 AND NOT (reported_at >= $3 AND reported_at < $4)
               AND unit_path || '' >= $1 AND unit_path || '' < $2
             UNION ALL
             SELECT unit_path, category, severity, status, reported_at, deadline,
                    CASE WHEN status IN ('resolved', 'closed') THEN body END AS body
             FROM cases
             WHERE settled_at IS NULL AND NOT (reported_at >= $3 AND reported_at < $4)
               AND unit_path || '' >= $1 AND unit_path || '' < $2
               AND ((status IN ('resolved', 'closed') AND reported_at < $4)
                    OR (deadline < $5 AND status NOT IN ('resolved', 'closed')))",
        )
        .bind(lo)
        .bind(hi)
        .bind(w.from)
        .bind(w.to)
        .bind(w.overdue_before)
        .fetch(&self.pool)
        .map(|r| Ok(r?))
        .boxed()
    }

    /// Downward visits (by their date) and sweep reports (by their submission) in the window.
    /// A few hundred a month per county: read whole.
    pub async fn stats_records(&self, w: &StatsWindow) -> Result<Vec<StatRecord>> {
        let (lo, hi) = scope_range(&w.unit_path);
        Ok(sqlx::query_as(
            "SELECT kind, unit_code, unit_path FROM records
             WHERE kind IN ('visit', 'sweep_report') AND unit_path >= $1 AND unit_path < $2
               AND at >= $3 AND at < $4",
        )
        .bind(lo)
        .bind(hi)
        .bind(w.from)
        .bind(w.to)
        .fetch_all(&self.pool)
        .await?)
    }

    /// The units directly under `code`, by code.
    pub async fn child_units(&self, code: &str) -> Result<Vec<Unit>> {
        Ok(sqlx::query_as(
            "SELECT code, name, kind, parent_code, path FROM units WHERE parent_code = $1 ORDER BY code",
        )
        .bind(code)
        .fetch_all(&self.pool)
        .await?)
    }

    /// Up to `limit` cases reported in the window, after `after` (the last row of the previous
    /// page) in (reported_at, doc) order: a keyset page, so page N costs what page 1 does.
    pub async fn case_list_page(
        &self,
        w: &StatsWindow,
        after: Option<(i64, DocId)>,
        limit: i64,
    ) -> Result<Vec<CaseListRow>> {
        let (lo, hi) = scope_range(&w.unit_path);
        // Along (reported_at, doc_id) whatever the jurisdiction: the path index would read its
        // whole history per page (see `stats_cases`). Before the first page: "after" the
        // instant just before the window, with any doc id.
        let (after_at, after_doc) = after.map_or((w.from - 1, vec![0xff; 16]), |(t, d)| (t, d.0.to_vec()));
        Ok(sqlx::query_as(
            "SELECT c.doc_id AS doc, c.case_no, c.village, COALESCE(u.name, c.village) AS village_name, c.title,
                    c.category, c.severity, c.status, c.reported_at, c.deadline,
                    CASE WHEN c.status IN ('resolved', 'closed') THEN c.body END AS body
             FROM cases c LEFT JOIN units u ON u.code = c.village
             WHERE c.unit_path || '' >= $1 AND c.unit_path || '' < $2 AND c.reported_at >= $3 AND c.reported_at < $4
               AND (c.reported_at > $5 OR (c.reported_at = $5 AND c.doc_id > $6))
             ORDER BY c.reported_at, c.doc_id
             LIMIT $7",
        )
        .bind(lo)
        .bind(hi)
        .bind(w.from)
        .bind(w.to)
        .bind(after_at)
        .bind(after_doc)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?)
    }
}
