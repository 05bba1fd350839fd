//! The history day by day: which cases are reported, and what each case's people do to it on
//! which later day, as the sync requests their phones send that evening.
//!
//! A case's life: reported by its village's officer; acknowledged by the township leader the
//! next day or soon after, who names himself responsible and the officer as handler; taken into
//! handling with a resolution plan; visited; resolved; closed by the leader with an outcome.
//! Each step falls on a later day than the one before, and each phone sends one request per day
//! after its day's work, so no request depends on another of the same day. Steps that fall after
//! the end of the history never happen: the cases reported in the last weeks are still open.

use std::collections::{BTreeMap, HashMap};

use automerge::transaction::Transaction;
use automerge::{Automerge, AutomergeError, ChangeHash};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde_bytes::ByteBuf;
use sync_protocol::DocId;
use sync_protocol::case::write::{self, Move, NewCase};
use sync_protocol::case::{Category, Outcome, Party, Severity, Status, TimelineEntry, TimelineKind};
use sync_protocol::wire::{self, PushDoc, SyncRequest};

use super::roster::{Actor, Roster};

/// One phone's request of one evening.
pub struct Request {
    /// When the server receives it (Unix ms).
    pub receipt: i64,
    pub device_id: i64,
    pub token: String,
    pub req: SyncRequest,
    /// Cases this request reports for the first time.
    pub new_cases: usize,
}

pub struct Day {
    pub index: usize,
    pub requests: Vec<Request>,
}

#[derive(Debug, Clone, Copy)]
enum Step {
    Acknowledge,
    Handle,
    Visit,
    Resolve,
    Close(Outcome),
}

struct Open {
    doc: DocId,
    am: Automerge,
    /// What the server holds of it: the heads after the last push.
    acked: Vec<ChangeHash>,
    village: usize,
}

/// Whose phone: an officer's (by village) or a leader's (by township).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Phone {
    Officer(usize),
    Leader(usize),
}

pub struct History {
    roster: Roster,
    rng: StdRng,
    start: i64,
    day_ms: i64,
    days: usize,
    cases: usize,
    today: usize,
    open: HashMap<u64, Open>,
    agenda: BTreeMap<usize, Vec<(u64, Step)>>,
    next_key: u64,
}

impl History {
    /// `cases` reported over `days` days of `day_ms` each (a real day, or less for a test),
    /// the first starting at `start`.
    pub fn new(roster: Roster, cases: usize, days: usize, start: i64, day_ms: i64, seed: u64) -> Self {
        History {
            roster,
            rng: StdRng::seed_from_u64(seed),
            start,
            day_ms,
            days,
            cases,
            today: 0,
            open: HashMap::new(),
            agenda: BTreeMap::new(),
            next_key: 0,
        }
    }

    /// Cases begun but not closed.
    pub fn open_cases(&self) -> usize {
        self.open.len()
    }

    /// The next day's requests, in the order the server receives them; `None` after the end.
    pub fn next_day(&mut self) -> Option<Day> {
        let d = self.today;
        if d >= self.days {
            return None;
        }
        self.today += 1;
        let day_start = self.start + d as i64 * self.day_ms;
        let reported = self.cases * (d + 1) / self.days - self.cases * d / self.days;
        let mut work: BTreeMap<Phone, Vec<(u64, Option<Step>)>> = BTreeMap::new();
        for _ in 0..reported {
            let village = self.pick_village();
            let key = self.next_key;
            self.next_key += 1;
            work.entry(Phone::Officer(village)).or_default().push((key, None));
            self.open
                .insert(key, Open { doc: DocId::random(), am: Automerge::new(), acked: vec![], village });
            self.plan(key, d);
        }
        for (key, step) in self.agenda.remove(&d).unwrap_or_default() {
            let village = self.open[&key].village;
            let phone = match step {
                Step::Acknowledge | Step::Close(_) => Phone::Leader(self.roster.shape.township_of(village)),
                _ => Phone::Officer(village),
            };
            work.entry(phone).or_default().push((key, Some(step)));
        }
        let mut requests = Vec::with_capacity(work.len());
        for (seq, (phone, items)) in work.into_iter().enumerate() {
            let actor = match phone {
                Phone::Officer(v) => self.roster.officers[v].clone(),
                Phone::Leader(t) => self.roster.leaders[t].clone(),
            };
            let receipt = day_start + self.day_ms * 5 / 6 + seq as i64;
            let mut push = Vec::with_capacity(items.len());
            let mut new_cases = 0;
            for (key, step) in items {
                let at = day_start + self.day_ms / 3 + self.rng.random_range(0..self.day_ms * 11 / 24);
                new_cases += usize::from(step.is_none());
                push.push(self.act(key, step, &actor, at));
                if matches!(step, Some(Step::Close(_))) {
                    self.open.remove(&key);
                }
            }
            for chunk in push.chunks(wire::MAX_PUSH_DOCS) {
                let req = SyncRequest {
                    v: wire::PROTOCOL_VERSION,
                    cursor: u64::MAX,
                    push: chunk.to_vec(),
                    now: Some(receipt),
                    ..Default::default()
                };
                let (device_id, token) = (actor.device_id, actor.token.clone());
                requests.push(Request { receipt, device_id, token, req, new_cases });
                new_cases = 0;
            }
        }
        Some(Day { index: d, requests })
    }

    /// Villages differ: the first ones report more (village 0 about four times the average).
    fn pick_village(&mut self) -> usize {
        let n = self.roster.villages.len();
        let x: f64 = self.rng.random();
        (x.powf(1.2) * n as f64) as usize % n
    }

    fn plan(&mut self, key: u64, reported: usize) {
        let r = &mut self.rng;
        let ack = reported + if r.random_bool(0.8) { 1 } else { r.random_range(2..=4) };
        let handle = ack + r.random_range(1..=3);
        let resolve =
            handle + if r.random_bool(0.03) { r.random_range(60..=300) } else { r.random_range(3..=30) };
        let close = resolve + r.random_range(1..=7);
        let mut steps = vec![(ack, Step::Acknowledge), (handle, Step::Handle), (resolve, Step::Resolve)];
        for _ in 0..r.random_range(0..=2) {
            if resolve > handle + 1 {
                steps.push((r.random_range(handle + 1..resolve), Step::Visit));
            }
        }
        let outcome = match r.random_range(0..100) {
            0..45 => Outcome::Mediated,
            45..80 => Outcome::Handled,
            80..92 => Outcome::Unfounded,
            _ => Outcome::Referred,
        };
        steps.push((close, Step::Close(outcome)));
        for (day, step) in steps {
            self.agenda.entry(day).or_default().push((key, step));
        }
    }

    /// Do `step` (`None`: report the case) on `actor`'s phone at `at`; the changes to push.
    fn act(&mut self, key: u64, step: Option<Step>, actor: &Actor, at: i64) -> PushDoc {
        let new_case = step.is_none().then(|| self.new_case(key, actor, at));
        let roster = &self.roster;
        let o = self.open.get_mut(&key).expect("an open case");
        let officer = roster.officers[o.village].user_id.clone();
        let by = actor.user_id.as_str();
        let visit_id = uuid::Uuid::new_v4().to_string();
        edit(&mut o.am, actor, |tx| match step {
            None => new_case.as_ref().expect("made above").write(tx),
            Some(Step::Acknowledge) => {
                write::transition(tx, &Move::new(Status::Acknowledged, by, at))?;
                automerge::transaction::Transactable::put(tx, automerge::ROOT, "responsible_leader", by)?;
                automerge::transaction::Transactable::put(tx, automerge::ROOT, "handler", officer.as_str())
            }
            Some(Step::Handle) => {
                write::transition(tx, &Move::new(Status::Handling, by, at))?;
                write::set_resolution_plan(
                    tx,
                    "一、入户核实情况，听取双方诉求；二、对照政策和台账提出化解意见；三、组织调解并跟踪回访。",
                )
            }
            Some(Step::Visit) => {
                let text = "入户走访当事人，了解诉求，做好政策解释，双方情绪平稳。".to_string();
                let e = TimelineEntry { id: visit_id, kind: TimelineKind::Visit, at, by: by.into(), text };
                write::add_timeline(tx, &e)
            }
            Some(Step::Resolve) => write::transition(tx, &Move::new(Status::Resolved, by, at)),
            Some(Step::Close(outcome)) => {
                let note = "经调处双方达成一致，当事人表示满意，回访无反复。";
                write::transition(tx, &Move::new(Status::Closed, by, at).closing(outcome, note))
            }
        });
        let changes =
            o.am.get_changes(&o.acked).iter().map(|c| ByteBuf::from(c.raw_bytes().to_vec())).collect();
        o.acked = o.am.get_heads();
        PushDoc { doc: o.doc, changes }
    }

    fn new_case(&mut self, key: u64, actor: &Actor, at: i64) -> NewCase {
        let n = key + 1;
        const WHAT: [(Category, &str); 8] = [
            (Category::Land, "承包地边界纠纷"),
            (Category::Compensation, "移民后扶资金发放疑问"),
            (Category::Housing, "安置房漏水维修争议"),
            (Category::Rights, "山林权属界址争议"),
            (Category::Family, "邻里宅基地通道纠纷"),
            (Category::Labour, "务工工资拖欠"),
            (Category::OnlineOpinion, "网络发帖反映征地问题"),
            (Category::Other, "村道占用纠纷"),
        ];
        let (category, what) = WHAT[self.rng.random_range(0..WHAT.len())];
        let severity = match self.rng.random_range(0..100) {
            0..3 => Severity::Urgent,
            3..15 => Severity::Major,
            _ => Severity::General,
        };
        let village = &self.roster.villages[self.open[&key].village];
        NewCase {
            village: village.clone(),
            category,
            severity,
            title: format!("{what}（第{n}号线索）"),
            description: format!(
                "{what}：当事人反映情况，信息员现场核实，涉及{}户，诉求明确，已做初步疏导，需镇里协调处理。",
                1 + n % 5
            ),
            parties: vec![
                Party {
                    name: "张某".into(), phone: Some(format!("138{:08}", n % 100_000_000)), note: None
                },
                Party { name: "李某".into(), phone: None, note: Some("对方当事人".into()) },
            ],
            reporter: actor.user_id.clone(),
            reported_at: at,
            location: None,
        }
    }
}

fn edit(
    am: &mut Automerge,
    actor: &Actor,
    f: impl FnOnce(&mut Transaction<'_>) -> Result<(), AutomergeError>,
) {
    am.set_actor(actor.actor.clone());
    am.transact::<_, _, AutomergeError>(f).map_err(|f| f.error).expect("a case edit writes");
}
