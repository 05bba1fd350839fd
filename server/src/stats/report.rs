//! The report model and how it is counted: one pass over the jurisdiction's cases, folding
//! each into the totals, its child unit, its category and its severity.

use std::collections::{BTreeSet, HashMap};

use futures::StreamExt;
use serde::Serialize;
use sync_protocol::case::{Category, Severity};
use utoipa::ToSchema;

use super::period::{Period, overdue_before};
use super::resolution::{Basis, is_overdue, is_settled, resolved_at};
use super::summary::{category_label, rate, sentence, severity_label};
use super::sweeps::SweepLine;
use crate::store::{self, SqlStore, StatCase, StatRecord, StatsWindow, Unit};

#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct UnitRef {
    pub code: String,
    pub name: String,
    pub kind: String,
}

/// The figures of one jurisdiction for one period.
#[derive(Debug, Clone, Default, PartialEq, Serialize, ToSchema)]
pub struct Figures {
    /// Cases reported in the period (排查).
    pub found: u64,
    /// Cases that became resolved or closed in the period, whenever reported (化解).
    pub resolved: u64,
    /// `resolved / found` in percent, one decimal; `null` when nothing was found.
    #[schema(required = true)]
    pub resolution_rate: Option<f64>,
    /// Open cases whose deadline date has passed, as of now (not as of the period's end).
    pub overdue: u64,
    /// Downward visits dated in the period.
    pub visits: u64,
    /// Distinct villages those visits went to (走访N个村).
    pub villages_visited: u64,
    /// Sweep reports received in the period.
    pub sweep_reports: u64,
}

/// One category's or severity's line.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct Breakdown {
    pub key: String,
    pub label: String,
    pub found: u64,
    pub resolved: u64,
    pub overdue: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct UnitFigures {
    #[serde(flatten)]
    pub unit: UnitRef,
    #[serde(flatten)]
    pub figures: Figures,
}

/// How many resolved cases were timed from their timeline, and how many by their report time.
#[derive(Debug, Clone, Default, PartialEq, Serialize, ToSchema)]
pub struct ResolvedBasis {
    pub rule: &'static str,
    pub from_transitions: u64,
    pub from_timeline: u64,
    pub from_reported_at: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct Report {
    pub unit: UnitRef,
    pub from: String,
    pub to: String,
    pub period_label: String,
    /// Unix ms; "overdue" is as of this moment.
    pub generated_at: i64,
    pub totals: Figures,
    pub by_category: Vec<Breakdown>,
    pub by_severity: Vec<Breakdown>,
    /// The jurisdiction's direct child units (townships of a county, villages of a township).
    pub units: Vec<UnitFigures>,
    pub summary: String,
    pub resolved_basis: ResolvedBasis,
    /// What `sweep_reports` counts, and where completeness is.
    pub sweep_note: &'static str,
    /// Completeness of every campaign whose deadline falls in the period (排查完成情况).
    pub sweeps: Vec<SweepLine>,
}

pub const RESOLVED_RULE: &str = "resolved or closed in the period, timed by the case's status transitions \
     (for older cases, its timeline's status entries); a case with neither is timed by its report time";
pub const SWEEP_NOTE: &str = "sweep_reports counts the sweep reports received in the period (by submission time); \
     `sweeps` gives the completeness of each campaign whose deadline falls in the period, over this jurisdiction's villages";

#[derive(Default)]
struct Tally {
    found: u64,
    resolved: u64,
    overdue: u64,
    visits: u64,
    villages: BTreeSet<String>,
    sweep_reports: u64,
}

impl Tally {
    fn figures(&self) -> Figures {
        Figures {
            found: self.found,
            resolved: self.resolved,
            resolution_rate: rate(self.resolved, self.found),
            overdue: self.overdue,
            visits: self.visits,
            villages_visited: self.villages.len() as u64,
            sweep_reports: self.sweep_reports,
        }
    }
}

struct Counter {
    base: String,
    total: Tally,
    children: Vec<(Unit, Tally)>,
    child_index: HashMap<String, usize>,
    /// (found, resolved, overdue) per wire name.
    categories: HashMap<String, [u64; 3]>,
    severities: HashMap<String, [u64; 3]>,
    basis: ResolvedBasis,
}

/// The code of the child of the unit at `base` that `path` lies under (`None`: the unit itself).
fn child_code<'a>(base: &str, path: &'a str) -> Option<&'a str> {
    path.strip_prefix(base)?.split('/').next().filter(|c| !c.is_empty())
}

impl Counter {
    fn tallies(&mut self, path: &str) -> [Option<&mut Tally>; 2] {
        let i = child_code(&self.base, path).and_then(|c| self.child_index.get(c)).copied();
        let child = i.and_then(|i| self.children.get_mut(i)).map(|(_, t)| t);
        [Some(&mut self.total), child]
    }

    fn case(&mut self, c: &StatCase, w: &StatsWindow) {
        let found = c.reported_at >= w.from && c.reported_at < w.to;
        let settled = is_settled(&c.status, c.body.as_deref());
        let resolved = settled
            && c.body.as_deref().is_some_and(|b| {
                let (at, basis) = resolved_at(b, c.reported_at);
                let inside = at >= w.from && at < w.to;
                if inside {
                    match basis {
                        Basis::Transitions => self.basis.from_transitions += 1,
                        Basis::Timeline => self.basis.from_timeline += 1,
                        Basis::ReportedAt => self.basis.from_reported_at += 1,
                    }
                }
                inside
            });
        let overdue = is_overdue(settled, c.deadline, w.overdue_before);
        let add = |n: &mut u64, yes: bool| *n += u64::from(yes);
        for t in self.tallies(&c.unit_path).into_iter().flatten() {
            add(&mut t.found, found);
            add(&mut t.resolved, resolved);
            add(&mut t.overdue, overdue);
        }
        for (map, key) in [(&mut self.categories, &c.category), (&mut self.severities, &c.severity)] {
            let line = map.entry(key.clone()).or_default();
            add(&mut line[0], found);
            add(&mut line[1], resolved);
            add(&mut line[2], overdue);
        }
    }

    fn record(&mut self, r: &StatRecord) {
        for t in self.tallies(&r.unit_path).into_iter().flatten() {
            match r.kind.as_str() {
                "visit" => {
                    t.visits += 1;
                    t.villages.insert(r.unit_code.clone());
                }
                _ => t.sweep_reports += 1,
            }
        }
    }
}

/// Lines for every known value in order (zeros included, so charts keep their shape), then
/// any value the vocabulary does not know, by name.
fn breakdown(mut map: HashMap<String, [u64; 3]>, known: &[&str], label: fn(&str) -> &str) -> Vec<Breakdown> {
    let mut keys: Vec<String> = known.iter().map(|k| k.to_string()).collect();
    let mut extra: Vec<String> = map.keys().filter(|k| !known.contains(&k.as_str())).cloned().collect();
    extra.sort();
    keys.extend(extra);
    keys.into_iter()
        .map(|key| {
            let [found, resolved, overdue] = map.remove(&key).unwrap_or_default();
            Breakdown { label: label(&key).to_string(), key, found, resolved, overdue }
        })
        .collect()
}

fn unit_ref(u: &Unit) -> UnitRef {
    UnitRef { code: u.code.clone(), name: u.name.clone(), kind: u.kind.clone() }
}

/// The window a report of `unit` over `period` counts in, as of `now`.
pub fn window(unit: &Unit, period: Period, now: i64) -> StatsWindow {
    let (from, to) = period.bounds();
    StatsWindow { unit_path: unit.path.clone(), from, to, overdue_before: overdue_before(now) }
}

pub async fn build(store: &SqlStore, unit: &Unit, period: Period, now: i64) -> store::Result<Report> {
    let w = window(unit, period, now);
    let children = store.child_units(&unit.code).await?;
    let mut counter = Counter {
        base: unit.path.clone(),
        total: Tally::default(),
        child_index: children.iter().enumerate().map(|(i, u)| (u.code.clone(), i)).collect(),
        children: children.into_iter().map(|u| (u, Tally::default())).collect(),
        categories: HashMap::new(),
        severities: HashMap::new(),
        basis: ResolvedBasis { rule: RESOLVED_RULE, ..Default::default() },
    };
    let mut cases = store.stats_cases(&w);
    while let Some(c) = cases.next().await {
        counter.case(&c?, &w);
    }
    drop(cases);
    for r in store.stats_records(&w).await? {
        counter.record(&r);
    }
    let totals = counter.total.figures();
    let period_label = period.label(now);
    let cats: Vec<&str> = Category::ALL.iter().map(|c| c.as_str()).collect();
    let sevs: Vec<&str> = Severity::ALL.iter().rev().map(|s| s.as_str()).collect();
    Ok(Report {
        summary: sentence(&period_label, &unit.name, &totals),
        unit: unit_ref(unit),
        from: period.from.to_string(),
        to: period.to.to_string(),
        period_label,
        generated_at: now,
        totals,
        by_category: breakdown(counter.categories, &cats, category_label),
        by_severity: breakdown(counter.severities, &sevs, severity_label),
        units: counter
            .children
            .iter()
            .map(|(u, t)| UnitFigures { unit: unit_ref(u), figures: t.figures() })
            .collect(),
        resolved_basis: counter.basis,
        sweep_note: SWEEP_NOTE,
        sweeps: super::sweeps::lines(store, &w, now).await?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_path_belongs_to_the_child_it_lies_under() {
        assert_eq!(child_code("/1/2/", "/1/2/3/"), Some("3"));
        assert_eq!(child_code("/1/2/", "/1/2/3/4/"), Some("3"));
        assert_eq!(child_code("/1/2/", "/1/2/"), None);
        assert_eq!(child_code("/1/2/", "/1/5/"), None);
    }

    #[test]
    fn breakdowns_list_every_known_value_then_the_unknown() {
        let map = HashMap::from([("b".to_string(), [1, 0, 0]), ("zz".to_string(), [2, 1, 1])]);
        let lines = breakdown(map, &["a", "b"], |k| k);
        let keys: Vec<_> = lines.iter().map(|l| (l.key.as_str(), l.found)).collect();
        assert_eq!(keys, [("a", 0), ("b", 1), ("zz", 2)]);
    }
}
