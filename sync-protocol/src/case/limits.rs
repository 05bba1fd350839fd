//! How big a case may grow. Text and lists merge: two edits each within a limit can exceed it
//! together (two people each add 2,000 characters to a 2,000-character description). So each
//! such field has two limits:
//!
//! - the **product limit** (soft): what a person may write. A new case over it is refused, and
//!   so is an edit that takes the field over it on the state its author saw. A merge that
//!   exceeds it is accepted, and the case lists the field in `over_limits` so every reader
//!   shows it as to be shortened;
//! - the **hard limit**: an abuse bound far above real use. A document over it is refused
//!   (`schema`), however it got there.
//!
//! Scalars (title, a timeline entry's text, a note) are last-writer-wins, so one writer's
//! value is always the whole value: their limits stay hard (see the schema table in `mod.rs`).

use serde::Serialize;

use super::Case;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limit {
    /// The root key of the case.
    pub field: &'static str,
    /// Characters for text, items for lists.
    pub soft: usize,
    pub hard: usize,
}

pub const DESCRIPTION: Limit = Limit { field: "description", soft: 5_000, hard: 100_000 };
pub const RESOLUTION_PLAN: Limit = Limit { field: "resolution_plan", soft: 5_000, hard: 100_000 };
pub const PARTIES: Limit = Limit { field: "parties", soft: 50, hard: 1_000 };
pub const TIMELINE: Limit = Limit { field: "timeline", soft: 2_000, hard: 20_000 };
pub const ATTACHMENTS: Limit = Limit { field: "attachments", soft: 50, hard: 1_000 };
pub const TRANSITIONS: Limit = Limit { field: "transitions", soft: 500, hard: 5_000 };

pub const ALL: &[Limit] = &[DESCRIPTION, RESOLUTION_PLAN, PARTIES, TIMELINE, ATTACHMENTS, TRANSITIONS];

/// A field over its product limit: `count` characters or items where `limit` are allowed.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OverLimit {
    pub field: String,
    pub count: usize,
    pub limit: usize,
}

impl std::fmt::Display for OverLimit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let unit = if matches!(self.field.as_str(), "description" | "resolution_plan") {
            "characters"
        } else {
            "items"
        };
        write!(f, "{}: {} {unit}, at most {} allowed", self.field, self.count, self.limit)
    }
}

/// How big each limited field of `case` is.
pub fn count(case: &Case, field: &str) -> usize {
    match field {
        "description" => case.description.chars().count(),
        "resolution_plan" => case.work.resolution_plan.chars().count(),
        "parties" => case.parties.len(),
        "timeline" => case.timeline.len(),
        "attachments" => case.attachments.len(),
        "transitions" => case.work.transitions.len(),
        _ => 0,
    }
}

/// The fields of `case` over their product limit.
pub fn over(case: &Case) -> Vec<OverLimit> {
    ALL.iter()
        .filter_map(|l| {
            let n = count(case, l.field);
            (n > l.soft).then(|| OverLimit { field: l.field.to_string(), count: n, limit: l.soft })
        })
        .collect()
}
