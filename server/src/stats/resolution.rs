//! When a case counts as resolved, and whether it is overdue: the two rules every figure and
//! every export row share.

use serde::Deserialize;

use crate::store::FINAL_STATUSES;

/// How a resolved case's resolution time was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Basis {
    /// From the case's `transitions` (each status change, attributed and timed).
    Transitions,
    /// From the `status` entries of the case's timeline (cases from before `transitions`).
    Timeline,
    /// The case is resolved or closed but its timeline has no status entry (written by a
    /// client that did not log the change): it counts as resolved when it was reported.
    ReportedAt,
}

#[derive(Deserialize)]
struct Body {
    #[serde(default)]
    transitions: Vec<Transition>,
    #[serde(default)]
    timeline: Vec<Entry>,
}

#[derive(Deserialize)]
struct Transition {
    to: String,
    at: i64,
}

#[derive(Deserialize)]
struct Entry {
    kind: String,
    at: i64,
    #[serde(default)]
    text: String,
}

pub fn is_final(status: &str) -> bool {
    FINAL_STATUSES.contains(&status)
}

/// Settled: resolved or closed, and not a closure waiting for the responsible leader to pick
/// between two outcomes (`needs_confirmation` in the case's JSON): until then the case counts
/// as open, as it does for deadlines (`sync_protocol::rules::overdue`). `body` is the case's
/// JSON, which the stats queries read for every resolved or closed case.
pub fn is_settled(status: &str, body: Option<&str>) -> bool {
    is_final(status)
        && body
            .and_then(|b| serde_json::from_str::<serde_json::Value>(b).ok())
            .is_none_or(|v| v["needs_confirmation"].as_bool() != Some(true))
}

/// Overdue: not settled, and the deadline's Beijing date is before today's (see
/// `period::overdue_before`).
pub fn is_overdue(settled: bool, deadline: Option<i64>, overdue_before: i64) -> bool {
    !settled && deadline.is_some_and(|d| d < overdue_before)
}

/// Of `(at, status)` moves in time order: the first into `resolved` or `closed` after the last
/// into any other status (a reopening). A case resolved in one month and closed in the next was
/// resolved in the first. `None` when the last named status is not final.
fn final_since<'a>(moves: impl Iterator<Item = (i64, &'a str)>) -> Option<i64> {
    let mut since = None;
    for (at, status) in moves {
        if is_final(status) {
            since = since.or(Some(at));
        } else if sync_protocol::case::Status::ALL.iter().any(|s| s.as_str() == status) {
            since = None;
        }
    }
    since
}

/// When a resolved or closed case (its JSON `body`) became so.
///
/// From its `transitions` when it has them. Cases from before them have only `status` entries in
/// the timeline, whose text is the new status's wire name unless the person wrote a note
/// instead: the same rule over the entries that name a status, else the latest status entry,
/// which is the change that left the case where it is. A case with neither counts from its
/// report time.
pub fn resolved_at(body: &str, reported_at: i64) -> (i64, Basis) {
    let Ok(mut body) = serde_json::from_str::<Body>(body) else {
        return (reported_at, Basis::ReportedAt);
    };
    body.transitions.sort_by_key(|t| t.at);
    if let Some(at) = final_since(body.transitions.iter().map(|t| (t.at, t.to.as_str()))) {
        return (at, Basis::Transitions);
    }
    let mut entries: Vec<&Entry> = body.timeline.iter().filter(|e| e.kind == "status").collect();
    entries.sort_by_key(|e| e.at);
    match (final_since(entries.iter().map(|e| (e.at, e.text.trim()))), entries.last()) {
        (Some(at), _) => (at, Basis::Timeline),
        (None, Some(last)) => (last.at, Basis::Timeline),
        (None, None) => (reported_at, Basis::ReportedAt),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn body(entries: &[(&str, i64, &str)]) -> String {
        let t: Vec<_> = entries
            .iter()
            .map(|(k, at, text)| serde_json::json!({"id": "x", "kind": k, "at": at, "by": "u", "text": text}))
            .collect();
        serde_json::json!({ "status": "closed", "timeline": t }).to_string()
    }

    #[test]
    fn transitions_come_first_and_a_resolution_counts_before_its_closure() {
        let b = serde_json::json!({
            "transitions": [
                {"from": "reported", "to": "resolved", "by": "u", "at": 20},
                {"from": "resolved", "to": "closed", "by": "u", "at": 30},
                {"from": "closed", "to": "handling", "by": "u", "at": 40},
                {"from": "handling", "to": "closed", "by": "u", "at": 50},
            ],
            "timeline": [{"id": "x", "kind": "status", "at": 5, "by": "u", "text": "resolved"}],
        });
        assert_eq!(resolved_at(&b.to_string(), 1), (50, Basis::Transitions));
        let reopened_last =
            serde_json::json!({"transitions": [{"to": "closed", "at": 20}, {"to": "handling", "at": 30}]});
        assert_eq!(resolved_at(&reopened_last.to_string(), 1), (1, Basis::ReportedAt));
    }

    #[test]
    fn resolved_then_closed_counts_from_the_resolution() {
        let b = body(&[
            ("status", 10, "acknowledged"),
            ("note", 15, "resolved"),
            ("status", 20, "resolved"),
            ("status", 30, "closed"),
        ]);
        assert_eq!(resolved_at(&b, 1), (20, Basis::Timeline));
    }

    #[test]
    fn a_reopened_case_counts_from_its_last_resolution() {
        let b = body(&[("status", 20, "resolved"), ("status", 25, "handling"), ("status", 40, "resolved")]);
        assert_eq!(resolved_at(&b, 1), (40, Basis::Timeline));
    }

    #[test]
    fn a_note_instead_of_the_status_name_falls_back_to_the_latest_status_entry() {
        let b = body(&[("status", 10, "已知悉"), ("status", 30, "双方签订调解协议")]);
        assert_eq!(resolved_at(&b, 1), (30, Basis::Timeline));
    }

    #[test]
    fn no_status_entry_counts_from_the_report() {
        assert_eq!(resolved_at(&body(&[("note", 10, "x")]), 7), (7, Basis::ReportedAt));
        assert_eq!(resolved_at("not json", 7), (7, Basis::ReportedAt));
    }

    #[test]
    fn overdue_needs_an_open_case_and_a_deadline_before_today() {
        assert!(is_overdue(false, Some(99), 100));
        assert!(!is_overdue(false, Some(100), 100));
        assert!(!is_overdue(true, Some(1), 100));
        assert!(!is_overdue(false, None, 100));
    }

    #[test]
    fn a_closure_awaiting_confirmation_is_not_settled() {
        assert!(is_settled("closed", Some(r#"{"needs_confirmation": false}"#)));
        assert!(is_settled("resolved", None));
        assert!(!is_settled("closed", Some(r#"{"status": "closed", "needs_confirmation": true}"#)));
        assert!(!is_settled("handling", None));
    }
}
