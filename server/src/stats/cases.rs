//! The case list of a report — the cases reported in the period — read page by page, so an
//! export of any size holds one page at a time.

use sync_protocol::DocId;

use super::resolution::{is_overdue, is_settled, resolved_at};
use crate::store::{self, CaseListRow, SqlStore, StatsWindow};

/// Rows per database round trip.
pub const PAGE: i64 = 500;

/// One exported case, every value as the reader sees it except the times (Unix ms), which
/// each writer formats in its own way.
#[derive(Debug, Clone, PartialEq)]
pub struct CaseLine {
    pub case_no: String,
    pub village_name: String,
    pub title: String,
    pub category: String,
    pub severity: String,
    pub status: String,
    pub reported_at: i64,
    pub deadline: Option<i64>,
    pub overdue: bool,
    pub resolved_at: Option<i64>,
}

impl CaseLine {
    fn from_row(r: CaseListRow, overdue_before: i64) -> CaseLine {
        let settled = is_settled(&r.status, r.body.as_deref());
        let resolved = match (&r.body, settled) {
            (Some(b), true) => Some(resolved_at(b, r.reported_at).0),
            _ => None,
        };
        CaseLine {
            // A case the server has not numbered yet (never: numbering is in the first merge)
            // is still listed, by its id.
            case_no: r.case_no.unwrap_or_else(|| r.doc.to_string()),
            overdue: is_overdue(settled, r.deadline, overdue_before),
            village_name: r.village_name,
            title: r.title,
            category: r.category,
            severity: r.severity,
            status: r.status,
            reported_at: r.reported_at,
            deadline: r.deadline,
            resolved_at: resolved,
        }
    }
}

pub struct CasePager {
    store: SqlStore,
    window: StatsWindow,
    after: Option<(i64, DocId)>,
    done: bool,
}

impl CasePager {
    pub fn new(store: SqlStore, window: StatsWindow) -> Self {
        CasePager { store, window, after: None, done: false }
    }

    /// The next page, or `None` after the last.
    pub async fn next_page(&mut self) -> store::Result<Option<Vec<CaseLine>>> {
        if self.done {
            return Ok(None);
        }
        let rows = self.store.case_list_page(&self.window, self.after, PAGE).await?;
        self.done = (rows.len() as i64) < PAGE;
        let Some(last) = rows.last() else {
            return Ok(None);
        };
        self.after = Some((last.reported_at, last.doc));
        let line = self.window.overdue_before;
        Ok(Some(rows.into_iter().map(|r| CaseLine::from_row(r, line)).collect()))
    }
}
