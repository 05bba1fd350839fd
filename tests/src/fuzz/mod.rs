//! Fuzzing the merge with damaged changes, on stable Rust: no cargo-fuzz, no nightly. A case is
//! a few valid changes of a case document, one or more of them damaged (see [`mutate`]) and
//! re-framed with a valid checksum. Cases are derived from `(seed, index)` alone, so a failing
//! index can be regenerated; the `fuzz` binary runs them (`src/bin/fuzz.rs`).

pub mod mutate;
pub mod sync_target;

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};

use anlan_server::merge::canonical;
use anlan_server::merge::contain::{self, Unusable};
use anlan_server::merge::records;
use automerge::transaction::Transactable;
use automerge::{ActorId, Automerge, AutomergeError, ObjType, ROOT, ReadDoc, ScalarValue};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use sync_protocol::DocId;
use sync_protocol::case::write::{self, NewCase};
use sync_protocol::case::{self, Category, Party, Severity, Status, TimelineEntry, TimelineKind};

/// Valid changes to damage: a case's creation, and edits of every shape the PWA writes
/// (text splices and deletions, list inserts, nested maps, transitions, scalar overwrites).
pub struct Corpus {
    /// The case after its creation: the base an edit is judged against.
    pub created: Automerge,
    /// Raw (uncompressed) bytes: the creation first, then one edit each.
    pub changes: Vec<Vec<u8>>,
}

impl Corpus {
    /// Changes written by `actor`, the same bytes every time for the same actor.
    pub fn new(actor: ActorId, reporter: &str) -> Corpus {
        let mut doc = Automerge::new().with_actor(actor);
        let new = NewCase {
            village: "350481101201".into(),
            category: Category::Land,
            severity: Severity::General,
            title: "宅基地边界纠纷".into(),
            description: "两户因宅基地边界发生争执，需要现场核实。".into(),
            parties: vec![Party { name: "张三".into(), phone: Some("13800000000".into()), note: None }],
            reporter: reporter.into(),
            reported_at: 1_795_000_000_000,
            location: None,
        };
        let mut changes = Vec::new();
        let mut step = |doc: &mut Automerge,
                        time: i64,
                        f: &dyn Fn(
            &mut automerge::transaction::Transaction<'_>,
        ) -> Result<(), AutomergeError>| {
            doc.transact_with::<_, _, AutomergeError, _>(
                |_| automerge::transaction::CommitOptions::default().with_time(time),
                |tx| f(tx),
            )
            .map_err(|f| f.error)
            .expect("corpus edit");
            let c = doc.get_last_local_change().expect("a change").raw_bytes().to_vec();
            changes.push(c);
        };
        step(&mut doc, 1_795_000_000, &|tx| new.write(tx));
        let created = doc.clone();
        step(&mut doc, 1_795_000_100, &|tx| write::edit_description(tx, 4, "（补充：双方同意调解）"));
        step(&mut doc, 1_795_000_200, &|tx| {
            let d = tx.get(ROOT, "description")?.expect("description").1;
            tx.splice_text(&d, 2, 5, "")
        });
        step(&mut doc, 1_795_000_300, &|tx| {
            write::add_timeline(
                tx,
                &TimelineEntry {
                    id: "t1".into(),
                    kind: TimelineKind::Visit,
                    at: 1_795_000_300_000,
                    by: reporter.into(),
                    text: "入户走访，了解情况。".into(),
                },
            )
        });
        step(&mut doc, 1_795_000_400, &|tx| {
            let parties = tx.get(ROOT, "parties")?.expect("parties").1;
            let m = tx.insert_object(&parties, 1, ObjType::Map)?;
            tx.put(&m, "name", "李四")?;
            tx.put(&m, "note", "邻居")
        });
        step(&mut doc, 1_795_000_500, &|tx| {
            let loc = tx.put_object(ROOT, "location", ObjType::Map)?;
            tx.put(&loc, "lat", 25.97)?;
            tx.put(&loc, "lon", 117.36)?;
            tx.put(ROOT, "severity", Severity::Major.as_str())?;
            tx.put(ROOT, "deadline", ScalarValue::Timestamp(1_795_600_000_000))
        });
        step(&mut doc, 1_795_000_600, &|tx| {
            write::transition(tx, &write::Move::new(Status::Handling, reporter, 1_795_000_600_000))
        });
        step(&mut doc, 1_795_000_700, &|tx| {
            let parties = tx.get(ROOT, "parties")?.expect("parties").1;
            tx.delete(&parties, 0)?;
            let t = tx.get(ROOT, "timeline")?.expect("timeline").1;
            for i in 0..12 {
                let m = tx.insert_object(&t, i, ObjType::Map)?;
                tx.put(&m, "id", format!("n{i}"))?;
                tx.put(&m, "kind", "note")?;
                tx.put(&m, "at", ScalarValue::Timestamp(1_795_000_700_000 + i as i64))?;
                tx.put(&m, "by", reporter)?;
                tx.put(&m, "text", "记录".repeat(i + 1))?;
            }
            Ok(())
        });
        Corpus { created, changes }
    }

    fn bodies(&self) -> Vec<&[u8]> {
        self.changes.iter().filter_map(|c| mutate::body(c)).collect()
    }

    /// Case `index` of the run seeded `seed`: the base document's choice and the changes.
    pub fn case(&self, seed: u64, index: u64) -> FuzzCase {
        let mut rng = StdRng::seed_from_u64(seed ^ index.wrapping_mul(0x9e37_79b9_7f4a_7c15));
        let donors = self.bodies();
        let damaged = |rng: &mut StdRng, i: usize| mutate::frame(&mutate::mutate(rng, donors[i], &donors));
        let edit = rng.random_range(1..self.changes.len());
        match rng.random_range(0..4) {
            // A damaged creation of a new document.
            0 => FuzzCase { on_created: false, changes: vec![damaged(&mut rng, 0)] },
            // A damaged edit of the stored case.
            1 => FuzzCase { on_created: true, changes: vec![damaged(&mut rng, edit)] },
            // A new document: its valid creation, then a damaged edit.
            2 => FuzzCase {
                on_created: false,
                changes: vec![self.changes[0].clone(), damaged(&mut rng, edit)],
            },
            // Two damaged edits of the stored case, one after the other.
            _ => {
                let other = rng.random_range(1..self.changes.len());
                FuzzCase {
                    on_created: true,
                    changes: vec![damaged(&mut rng, edit), damaged(&mut rng, other)],
                }
            }
        }
    }
}

#[derive(Debug, Clone)]
pub struct FuzzCase {
    /// Judged against the created case (an edit) rather than an empty document (a new one).
    pub on_created: bool,
    pub changes: Vec<Vec<u8>>,
}

/// What the merge made of a case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// A change does not decode (Automerge's error).
    Undecodable,
    /// The changes decode but Automerge refuses to apply them.
    Refused,
    /// It depends on changes nobody sent (`need_changes`).
    NeedChanges,
    /// A change Automerge would encode to another hash: refused (`bad_change`, `canonical`).
    Reencoded,
    /// Automerge panicked, and the merge contained it (the device gets `bad_change`).
    Contained(String),
    /// Applied; then read, projected, saved and reloaded as the judge and the commit do.
    Applied,
}

/// Every panic in this process, contained or not (the hook counts before any unwinding).
pub static PANICS: AtomicU64 = AtomicU64::new(0);

/// Count panics quietly: a fuzz run expects thousands of contained ones.
pub fn count_panics() {
    std::panic::set_hook(Box::new(|_| {
        PANICS.fetch_add(1, Ordering::Relaxed);
    }));
}

/// Run a case through the merge's own handling of a device's bytes (`merge::contain`), then
/// through what the judge and the commit do with an applied document. The caller guards the
/// whole call: a panic out of here is one the server would not have contained in the decode
/// and apply step (the judge's per-document guard would still catch it).
pub fn judge(corpus: &Corpus, case: &FuzzCase) -> Outcome {
    let mut decoded = Vec::new();
    for bytes in &case.changes {
        match contain::decode(bytes) {
            Ok(c) => decoded.push(c),
            Err(e) if e.starts_with("malformed change contents") => {
                return Outcome::Contained(format!("decode: {e}"));
            }
            Err(_) => return Outcome::Undecodable,
        }
    }
    let base = if case.on_created { corpus.created.clone() } else { Automerge::new() };
    let base_heads = base.get_heads();
    // As the judge: what the base holds already is no news, whoever sent it.
    let received: HashMap<_, _> = decoded
        .iter()
        .zip(&case.changes)
        .filter(|(c, _)| base.get_change_by_hash(&c.hash()).is_none())
        .map(|(c, b)| (c.hash(), b.clone()))
        .collect();
    let trial = match contain::apply(base, decoded) {
        Ok(t) => t,
        Err(Unusable::Panicked(why)) => return Outcome::Contained(format!("apply: {why}")),
        Err(Unusable::Refused(_)) => return Outcome::Refused,
    };
    // As the judge: a change with missing dependencies is sent back (`need_changes`) unread.
    match contain::guard(|| trial.get_missing_deps(&[]).is_empty()) {
        Ok(true) => {}
        Ok(false) => return Outcome::NeedChanges,
        Err(why) => return Outcome::Contained(format!("deps: {why}")),
    }
    // As the judge: a change that would be stored under another hash is refused (`canonical`).
    match contain::guard(|| canonical::check(&trial, &base_heads, received, 0).is_ok()) {
        Ok(true) => {}
        Ok(false) => return Outcome::Reencoded,
        Err(why) => return Outcome::Contained(format!("encode: {why}")),
    }
    let read = contain::guard(|| {
        let valid = case::read_case(&trial).is_ok();
        for kind in records::KINDS {
            let _ = records::kind(kind).map(|k| k.project(DocId([7; 16]), &trial));
        }
        let _ = trial.get_changes(&[]);
        valid
    });
    let valid = match read {
        Ok(valid) => valid,
        Err(why) => return Outcome::Contained(format!("read: {why}")),
    };
    let stage = if valid { "stored" } else { "refused" };
    let saved = contain::guard(|| {
        let saved = trial.save();
        Automerge::load(&saved).map(|d| d.get_heads() == trial.get_heads())
    });
    match saved {
        Ok(Ok(true)) => Outcome::Applied,
        Ok(Ok(false)) => Outcome::Contained(format!("{stage} save: reloads with other heads")),
        Ok(Err(e)) => Outcome::Contained(format!("{stage} save: does not reload: {e}")),
        Err(why) => Outcome::Contained(format!("{stage} save: {why}")),
    }
}

/// `case` as the device behind `to` would send it: each change's actor replaced by `to`'s
/// (same length) and its dependencies on `from`'s changes pointed at `to`'s, re-framed. The
/// server checks actor prefixes, so a case found with the fixed fuzz actor is pushed this way
/// by a real device. `None` when a header is too damaged to find the actor.
pub fn rebase(case: &FuzzCase, from: &Corpus, to: &Corpus, actor: &ActorId) -> Option<FuzzCase> {
    let hash = |c: &Vec<u8>| automerge::Change::from_bytes(c.clone()).map(|c| c.hash().0);
    let map: Vec<([u8; 32], [u8; 32])> = from
        .changes
        .iter()
        .zip(&to.changes)
        .filter_map(|(a, b)| Some((hash(a).ok()?, hash(b).ok()?)))
        .collect();
    let changes = case.changes.iter().map(|c| rebase_change(c, actor, &map)).collect::<Option<Vec<_>>>()?;
    Some(FuzzCase { on_created: case.on_created, changes })
}

fn rebase_change(chunk: &[u8], actor: &ActorId, map: &[([u8; 32], [u8; 32])]) -> Option<Vec<u8>> {
    let mut body = mutate::body(chunk)?.to_vec();
    let (deps, used) = uleb_at(&body, 0)?;
    let mut at = used;
    for _ in 0..deps {
        let dep: [u8; 32] = body.get(at..at + 32)?.try_into().ok()?;
        if let Some((_, to)) = map.iter().find(|(from, _)| *from == dep) {
            body[at..at + 32].copy_from_slice(to);
        }
        at += 32;
    }
    let (len, used) = uleb_at(&body, at)?;
    at += used;
    let actor = actor.to_bytes();
    if usize::try_from(len).ok()? != actor.len() || body.len() < at + actor.len() {
        return None;
    }
    body[at..at + actor.len()].copy_from_slice(actor);
    Some(mutate::frame(&body))
}

/// A saved case (`fuzz --save`): `{"on_created": bool, "changes": ["hex", …]}`.
pub fn load_case(json: &[u8]) -> anyhow::Result<FuzzCase> {
    let v: serde_json::Value = serde_json::from_slice(json)?;
    let changes = v["changes"]
        .as_array()
        .ok_or_else(|| anyhow::anyhow!("no changes"))?
        .iter()
        .map(|c| Ok(hex::decode(c.as_str().unwrap_or_default())?))
        .collect::<anyhow::Result<Vec<_>>>()?;
    Ok(FuzzCase { on_created: v["on_created"].as_bool().unwrap_or(false), changes })
}

/// The reporter of the in-process target's corpus: the demo village officer, so that a saved
/// case can be pushed by the demo officer's device.
pub const FUZZ_REPORTER: &str = "u_demo_officer";

/// The fixed actor of the in-process target's corpus: a case is reproducible from its index.
pub fn fuzz_actor() -> ActorId {
    ActorId::from([0x5a; 16].as_slice())
}

fn uleb_at(b: &[u8], at: usize) -> Option<(u64, usize)> {
    let mut v = 0u64;
    for (i, byte) in b.get(at..)?.iter().enumerate().take(10) {
        v |= u64::from(byte & 0x7f) << (7 * i);
        if byte & 0x80 == 0 {
            return Some((v, i + 1));
        }
    }
    None
}
