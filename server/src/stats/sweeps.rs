//! Sweep completeness in the report: every campaign whose deadline falls in the period, counted
//! over the jurisdiction's part of its roster by the same function the campaign screens and the
//! phones use (`sync_protocol::sweep::completeness`), so the report and the dashboard agree.

use serde::Serialize;
use sync_protocol::sweep::completeness::{Input, completeness};

use crate::store::{self, RosterEntry, Scope, SqlStore, StatsWindow};

/// One campaign's line (排查完成情况).
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct SweepLine {
    pub campaign: String,
    pub name: String,
    pub kind: String,
    pub deadline: i64,
    /// Villages of the jurisdiction on the campaign's roster.
    pub villages: u32,
    /// Answered with cases found.
    pub reported: u32,
    /// Answered "无新增矛盾纠纷".
    pub nil: u32,
    pub missing: u32,
    /// Answered (either way) after the deadline.
    pub late: u32,
}

/// Chinese names of the campaign kinds.
pub fn kind_label(kind: &str) -> &str {
    match kind {
        "half_monthly" => "半月定期排查",
        "concentrated" => "集中排查",
        "special" => "专项排查",
        other => other,
    }
}

pub async fn lines(store: &SqlStore, w: &StatsWindow, now: i64) -> store::Result<Vec<SweepLine>> {
    let scope = Scope::of_path(&w.unit_path);
    let mut out = Vec::new();
    for c in store.campaigns_due_between(w.from, w.to).await? {
        let villages = store.roster(&c.id, &scope).await?;
        if villages.is_empty() {
            continue;
        }
        let reports = store.sweep_reports(Some(&c.id), i64::MIN).await?;
        let k = completeness(&Input {
            deadline: c.deadline,
            now,
            villages: villages.iter().map(RosterEntry::village).collect(),
            reports: reports
                .into_iter()
                .filter(|r| scope.covers_path(&r.unit_path))
                .map(|r| r.input)
                .collect(),
        });
        out.push(SweepLine {
            campaign: c.id,
            name: c.name,
            kind: c.kind,
            deadline: c.deadline,
            villages: k.total.villages,
            reported: k.total.reported,
            nil: k.total.nil,
            missing: k.total.missing,
            late: k.total.late,
        });
    }
    Ok(out)
}
