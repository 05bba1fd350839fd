//! When a case is overdue (限期化解): the one rule the server's reminders and the PWA's badges
//! share. `pwa/src/rules/overdue.ts` is a line-by-line port; both run the vectors in
//! `sync-protocol/vectors/overdue.json`.
//!
//! A deadline is a calendar day in Beijing time, whatever time of that day the timestamp in the
//! document holds: a deadline of 2027-02-28 is met by anything done by 23:59:59 that day and is
//! overdue from 2027-03-01 00:00 +08:00. The reminder before it is due from 00:00 of the day
//! before the deadline. The clock stops when the case is settled — resolved (已化解) or closed —
//! at the first transition into resolved/closed since the case was last reopened; a closure
//! whose outcome two people disagree on is not settled until the responsible leader confirms it.

use serde::Serialize;

use crate::calendar::{beijing_day, day_start_ms};
use crate::case::{Case, Status};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DeadlineState {
    /// No deadline set.
    None,
    OnTrack,
    /// The day before the deadline, or the deadline day itself: remind.
    DueSoon,
    Overdue,
    SettledOnTime,
    SettledLate,
}

impl DeadlineState {
    pub fn as_str(self) -> &'static str {
        match self {
            DeadlineState::None => "none",
            DeadlineState::OnTrack => "on_track",
            DeadlineState::DueSoon => "due_soon",
            DeadlineState::Overdue => "overdue",
            DeadlineState::SettledOnTime => "settled_on_time",
            DeadlineState::SettledLate => "settled_late",
        }
    }
}

/// What the rule reads of a case.
#[derive(Debug, Clone, PartialEq)]
pub struct Clock {
    pub deadline: Option<i64>,
    pub status: Status,
    pub needs_confirmation: bool,
    /// `(to, at)` of every transition, in document order.
    pub transitions: Vec<(Status, i64)>,
}

impl Clock {
    pub fn of(case: &Case) -> Self {
        Self {
            deadline: case.deadline,
            status: case.status,
            needs_confirmation: case.work.needs_confirmation,
            transitions: case.work.transitions.iter().map(|t| (t.to, t.at)).collect(),
        }
    }

    pub fn settled(&self) -> bool {
        is_settling(self.status) && !self.needs_confirmation
    }

    /// When the case was settled: the first move into resolved/closed after its last move out.
    /// `None` for an open case, or one settled before transitions were recorded.
    pub fn settled_at(&self) -> Option<i64> {
        if !self.settled() {
            return None;
        }
        let mut moves = self.transitions.clone();
        moves.sort_by_key(|(_, at)| *at); // stable: equal times keep document order
        moves.iter().fold(None, |since, (to, at)| if is_settling(*to) { since.or(Some(*at)) } else { None })
    }

    pub fn state(&self, now: i64) -> DeadlineState {
        let Some(deadline) = self.deadline else {
            return DeadlineState::None;
        };
        let due = overdue_from(deadline);
        if self.settled() {
            // A case settled before transitions were recorded has no evidence of lateness.
            return match self.settled_at() {
                Some(at) if at >= due => DeadlineState::SettledLate,
                _ => DeadlineState::SettledOnTime,
            };
        }
        if now >= due {
            DeadlineState::Overdue
        } else if now >= remind_from(deadline) {
            DeadlineState::DueSoon
        } else {
            DeadlineState::OnTrack
        }
    }
}

fn is_settling(s: Status) -> bool {
    matches!(s, Status::Resolved | Status::Closed)
}

/// 00:00 Beijing time of the day after the deadline's day: overdue from this instant.
pub fn overdue_from(deadline: i64) -> i64 {
    day_start_ms(beijing_day(deadline) + 1)
}

/// 00:00 Beijing time of the day before the deadline's day: the reminder is due from here.
pub fn remind_from(deadline: i64) -> i64 {
    day_start_ms(beijing_day(deadline) - 1)
}

/// The canonical timestamp of a deadline day (00:00 Beijing time), as the PWA writes it.
pub fn deadline_of_day(day: i64) -> i64 {
    day_start_ms(day)
}

#[cfg(test)]
mod tests {
    use serde_json::Value;

    use super::*;
    use crate::calendar::days_from_civil;

    const VECTORS: &str = include_str!("../../vectors/overdue.json");

    /// `YYYY-MM-DD` or `YYYY-MM-DDTHH:MM:SS`, Beijing local time → Unix ms.
    fn beijing(s: &str) -> i64 {
        let n = |r: std::ops::Range<usize>| s[r].parse::<i64>().unwrap();
        let day = days_from_civil(n(0..4), n(5..7) as u32, n(8..10) as u32);
        let secs = if s.len() > 10 { n(11..13) * 3600 + n(14..16) * 60 + n(17..19) } else { 0 };
        day_start_ms(day) + secs * 1000
    }

    #[test]
    fn every_shared_vector_holds() {
        let all: Value = serde_json::from_str(VECTORS).unwrap();
        let vectors = all["vectors"].as_array().unwrap();
        assert!(vectors.len() >= 20);
        for v in vectors {
            let name = v["name"].as_str().unwrap();
            let deadline = v["deadline_at"].as_str().or(v["deadline"].as_str()).map(beijing);
            let transitions = v["transitions"]
                .as_array()
                .map(|ts| {
                    ts.iter()
                        .map(|t| {
                            (t["to"].as_str().unwrap().parse().unwrap(), beijing(t["at"].as_str().unwrap()))
                        })
                        .collect()
                })
                .unwrap_or_default();
            let clock = Clock {
                deadline,
                status: v["status"].as_str().unwrap().parse().unwrap(),
                needs_confirmation: v["needs_confirmation"].as_bool().unwrap_or(false),
                transitions,
            };
            let got = clock.state(beijing(v["now"].as_str().unwrap()));
            assert_eq!(got.as_str(), v["expect"].as_str().unwrap(), "{name}");
        }
    }

    #[test]
    fn the_deadline_day_is_read_in_beijing_time() {
        // 2027-02-28 00:30 in Beijing is still 27 February in UTC.
        let d = beijing("2027-02-28T00:30:00");
        assert_eq!(overdue_from(d), beijing("2027-03-01"));
        assert_eq!(remind_from(d), beijing("2027-02-27"));
        assert_eq!(deadline_of_day(beijing_day(d)), beijing("2027-02-28"));
    }
}
