//! Completeness of a sweep campaign: per village, township, county and in total — reported
//! (with cases), nil, missing, late. The server's dashboard and a leader's phone (offline, from
//! its own replica: `pwa/src/model/completeness.ts`) run this same function on the same inputs;
//! `vectors/completeness.json` holds cases both test suites check.
//!
//! The roster is the campaign's own (frozen when it started); reports for villages outside it
//! are ignored, and a village with no report, or an unanswered one, is missing.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RosterVillage {
    pub code: String,
    pub township: String,
    pub county: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReportInput {
    pub village: String,
    /// Cases listed as found.
    pub found: u32,
    /// Someone said "无新增矛盾纠纷".
    pub nil: bool,
    /// When the server first stored the report (Unix ms). `None` on a phone for a report the
    /// server has not confirmed yet: it will be received no earlier than `now`.
    pub received_at: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Input {
    pub deadline: i64,
    pub now: i64,
    pub villages: Vec<RosterVillage>,
    pub reports: Vec<ReportInput>,
}

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum VillageAnswer {
    Reported,
    Nil,
    Missing,
}

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VillageState {
    pub code: String,
    pub township: String,
    pub answer: VillageAnswer,
    pub late: bool,
}

/// Counts for one unit. `reported + nil + missing == villages`; `late` counts answered
/// villages (of either kind) whose answer arrived after the deadline.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tally {
    pub code: String,
    pub villages: u32,
    pub reported: u32,
    pub nil: u32,
    pub missing: u32,
    pub late: u32,
}

impl Tally {
    fn add(&mut self, v: &VillageState) {
        self.villages += 1;
        match v.answer {
            VillageAnswer::Reported => self.reported += 1,
            VillageAnswer::Nil => self.nil += 1,
            VillageAnswer::Missing => self.missing += 1,
        }
        self.late += u32::from(v.late);
    }
}

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Completeness {
    pub total: Tally,
    pub counties: Vec<Tally>,
    pub townships: Vec<Tally>,
    pub villages: Vec<VillageState>,
}

pub fn completeness(input: &Input) -> Completeness {
    // Several reports for one village cannot happen on the server (one document per campaign
    // and village), but a phone's replica is whatever it holds: combine them.
    let mut reports: BTreeMap<&str, ReportInput> = BTreeMap::new();
    for r in &input.reports {
        reports
            .entry(r.village.as_str())
            .and_modify(|e| {
                e.found = e.found.max(r.found);
                e.nil |= r.nil;
                e.received_at = match (e.received_at, r.received_at) {
                    (Some(a), Some(b)) => Some(a.min(b)),
                    (a, b) => a.or(b),
                };
            })
            .or_insert_with(|| r.clone());
    }
    let mut roster: Vec<&RosterVillage> = input.villages.iter().collect();
    roster.sort_by(|a, b| a.code.cmp(&b.code));
    roster.dedup_by(|a, b| a.code == b.code);
    let mut total = Tally::default();
    let mut counties: BTreeMap<&str, Tally> = BTreeMap::new();
    let mut townships: BTreeMap<&str, Tally> = BTreeMap::new();
    let mut villages = Vec::with_capacity(roster.len());
    for v in roster {
        let report = reports.get(v.code.as_str());
        let answer = match report {
            Some(r) if r.found > 0 => VillageAnswer::Reported,
            Some(r) if r.nil => VillageAnswer::Nil,
            _ => VillageAnswer::Missing,
        };
        let late = answer != VillageAnswer::Missing
            && report.is_some_and(|r| r.received_at.unwrap_or(input.now) > input.deadline);
        let state = VillageState { code: v.code.clone(), township: v.township.clone(), answer, late };
        total.add(&state);
        counties
            .entry(&v.county)
            .or_insert_with(|| Tally { code: v.county.clone(), ..Tally::default() })
            .add(&state);
        townships
            .entry(&v.township)
            .or_insert_with(|| Tally { code: v.township.clone(), ..Tally::default() })
            .add(&state);
        villages.push(state);
    }
    Completeness {
        total,
        counties: counties.into_values().collect(),
        townships: townships.into_values().collect(),
        villages,
    }
}
