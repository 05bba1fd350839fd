//! Guarded fields after the merge. A change is judged against the document its author saw
//! (`permissions`, `lifecycle`); this module judges the merged result, as Matrix authorises an
//! event against its own state *and* the room's current state and "soft-fails" one that passes
//! the first but not the second.
//!
//! For every field the township reserves (status, severity, outcome, closing note, responsible
//! leader, handler, deadline), look at the values concurrent writers left (Automerge's conflict
//! set, winner included). A value *stands* if the township or above (or the server) wrote it, or
//! if field staff wrote it and it is allowed against every value it competes with: a severity
//! no lower than any of them; a status of handling or resolved while none of them is closed.
//! Nothing else field staff may set. When Automerge's winner does not stand — a stale phone, or
//! an operation counter padded by a long offline note — the server writes a sealed change of its
//! own that puts the latest standing value again, in the same commit. Every replica then reads
//! that value, whatever order it merges in; the soft-failed value stays in the history.

use std::collections::{HashMap, HashSet};

use automerge::transaction::Transactable;
use automerge::{ActorId, Automerge, ROOT, ReadDoc, ScalarValue, Value};
use sync_protocol::case::{Severity, Status};
use sync_protocol::{ActorPrefix, DocId};

use super::MergeError;
use super::{Merger, seal};
use crate::store::DeviceAuth;
use sync_protocol::roles::{Rank, rank};

/// The fields `docs/permissions.md` reserves for the township and above.
pub const GUARDED: &[&str] =
    &["status", "severity", "outcome", "closing_note", "responsible_leader", "handler", "deadline"];

/// Who wrote a competing value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Writer {
    Server,
    Person(Rank),
}

struct Contender {
    value: ScalarValue,
    /// Automerge's order of concurrent operations: counter, then actor.
    order: (u64, Vec<u8>),
    writer: Writer,
}

/// A value and the operation that wrote it: (value, counter, actor).
type Op = (ScalarValue, u64, ActorId);

/// The operations of guarded fields that compete with another value, by field.
fn contested(doc: &Automerge) -> Vec<(&'static str, Vec<Op>)> {
    // One pass over the root names the keys with concurrent values (most pushes have none);
    // asking each guarded field for its values would seek each from the start.
    let conflicted: HashSet<String> =
        doc.map_range(ROOT, ..).filter(|item| item.conflict).map(|item| item.key.into_owned()).collect();
    GUARDED
        .iter()
        .filter(|field| conflicted.contains(**field))
        .filter_map(|field| {
            let ops: Vec<_> = doc
                .get_all(ROOT, *field)
                .unwrap_or_default()
                .into_iter()
                .filter_map(|(v, id)| match (v, id) {
                    (Value::Scalar(s), automerge::ObjId::Id(counter, actor, _)) => {
                        Some((s.into_owned(), counter, actor))
                    }
                    _ => None,
                })
                .collect();
            (ops.len() > 1).then_some((*field, ops))
        })
        .collect()
}

/// The values to put again: for each guarded field whose winner does not stand, the latest
/// value that does. `writer` says who wrote with a given actor.
pub fn reassertions(
    doc: &Automerge,
    writer: impl Fn(&ActorId) -> Writer,
) -> Vec<(&'static str, ScalarValue)> {
    let mut out = Vec::new();
    for (field, ops) in contested(doc) {
        let mut all: Vec<Contender> = ops
            .into_iter()
            .map(|(value, counter, actor)| Contender {
                value,
                order: (counter, actor.to_bytes().to_vec()),
                writer: writer(&actor),
            })
            .collect();
        all.sort_by(|a, b| a.order.cmp(&b.order));
        let stands = |i: usize| {
            let c = &all[i];
            let others = || all.iter().enumerate().filter(move |(j, _)| *j != i).map(|(_, o)| &o.value);
            match c.writer {
                Writer::Server | Writer::Person(Rank::Leader) => true,
                Writer::Person(Rank::Field) => match field {
                    "severity" => match parse::<Severity>(&c.value) {
                        Some(mine) => others().all(|v| parse::<Severity>(v).is_none_or(|o| mine >= o)),
                        None => false,
                    },
                    "status" => {
                        let mine = parse::<Status>(&c.value);
                        matches!(mine, Some(Status::Handling | Status::Resolved))
                            && !others().any(|v| parse::<Status>(v) == Some(Status::Closed))
                    }
                    _ => false,
                },
            }
        };
        let winner = all.len() - 1;
        if stands(winner) {
            continue;
        }
        if let Some(i) = (0..winner).rev().find(|i| stands(*i)) {
            out.push((field, all[i].value.clone()));
        }
    }
    out
}

fn parse<T: std::str::FromStr>(v: &ScalarValue) -> Option<T> {
    v.as_str().and_then(|s| s.parse().ok())
}

/// Put the authorised value of every guarded field that lost it back into `trial`, as a sealed
/// change of the server's own timed at `now` (Unix ms). Returns whether it wrote one.
pub async fn settle(
    m: &Merger,
    device: &DeviceAuth,
    doc: DocId,
    trial: &mut Automerge,
    now: i64,
) -> Result<bool, MergeError> {
    let contested = contested(trial);
    if contested.is_empty() {
        return Ok(false);
    }
    // Ranks of everyone who wrote a competing value; one query, only when values compete.
    let prefixes: HashSet<ActorPrefix> = contested
        .iter()
        .flat_map(|(_, ops)| ops.iter().map(|(_, _, actor)| prefix_of(actor)))
        .filter(|p| *p != ActorPrefix::SERVER && *p != device.actor_prefix)
        .collect();
    let mut roles: HashMap<ActorPrefix, String> =
        m.store.roles_by_prefix(&prefixes.into_iter().collect::<Vec<_>>()).await?;
    roles.insert(device.actor_prefix, device.role.clone());
    let puts = reassertions(trial, |actor| match prefix_of(actor) {
        p if p == ActorPrefix::SERVER => Writer::Server,
        // A writer the server cannot place is trusted with nothing.
        p => Writer::Person(roles.get(&p).map_or(Rank::Field, |r| rank(r))),
    });
    if puts.is_empty() {
        return Ok(false);
    }
    write(m, doc, trial, &puts, now)?;
    Ok(true)
}

fn prefix_of(actor: &ActorId) -> ActorPrefix {
    let bytes = actor.to_bytes();
    ActorPrefix::from_slice(bytes.get(..8).unwrap_or(&[0xff; 8])).unwrap_or(ActorPrefix([0xff; 8]))
}

fn write(
    m: &Merger,
    doc: DocId,
    trial: &mut Automerge,
    puts: &[(&str, ScalarValue)],
    now: i64,
) -> Result<(), MergeError> {
    seal::transact_at(m, doc, trial, now, |tx| puts.iter().try_for_each(|(k, v)| tx.put(ROOT, *k, v.clone())))
        .map_err(|e| MergeError::Internal(anyhow::anyhow!("re-asserting guarded fields: {e}")))
}

#[cfg(test)]
mod tests {
    use automerge::{AutoCommit, AutomergeError};

    use super::*;

    const LEADER: u8 = 1;
    const OFFICER: u8 = 2;

    fn actor(who: u8) -> ActorId {
        ActorId::from(vec![who; 16])
    }

    fn writer(a: &ActorId) -> Writer {
        match a.to_bytes()[0] {
            LEADER => Writer::Person(Rank::Leader),
            _ => Writer::Person(Rank::Field),
        }
    }

    /// A case the leader and the officer both change from `start`, each offline; the officer's
    /// change is padded so its operation counter is higher and Automerge lets it win.
    fn concurrent(field: &str, start: &str, leader: &str, officer: &str) -> Automerge {
        let mut base = AutoCommit::new().with_actor(actor(LEADER));
        base.put(ROOT, field, start).unwrap();
        base.commit();
        let mut theirs = base.fork().with_actor(actor(OFFICER));
        base.put(ROOT, field, leader).unwrap();
        for i in 0..50 {
            theirs.put(ROOT, "title", format!("{i}")).unwrap();
        }
        theirs.put(ROOT, field, officer).unwrap();
        base.merge(&mut theirs).unwrap();
        base.document().clone()
    }

    #[test]
    fn a_stale_officer_cannot_reopen_or_lower_what_a_leader_decided() {
        let mut doc = concurrent("status", "reported", "closed", "handling");
        let status = |d: &Automerge| d.get(ROOT, "status").unwrap().unwrap().0.into_scalar().unwrap();
        assert_eq!(status(&doc), ScalarValue::from("handling"), "Automerge alone lets the officer win");
        let puts = reassertions(&doc, writer);
        assert_eq!(puts, vec![("status", ScalarValue::from("closed"))]);
        // Written as a change of the server's own, it settles the field for every reader.
        doc.set_actor(ActorPrefix::SERVER.new_actor());
        doc.transact::<_, _, AutomergeError>(|tx| {
            puts.iter().try_for_each(|(k, v)| tx.put(ROOT, *k, v.clone()))
        })
        .unwrap();
        assert_eq!(status(&doc), ScalarValue::from("closed"));
        assert!(reassertions(&doc, writer).is_empty());
        let doc = concurrent("severity", "general", "urgent", "major");
        assert_eq!(reassertions(&doc, writer), vec![("severity", ScalarValue::from("urgent"))]);
    }

    #[test]
    fn what_field_staff_may_do_against_the_merged_state_stands() {
        // Raising above the leader's value, or moving to handling while the leader acknowledged.
        assert!(reassertions(&concurrent("severity", "general", "major", "urgent"), writer).is_empty());
        assert!(
            reassertions(&concurrent("status", "reported", "acknowledged", "handling"), writer).is_empty()
        );
        // Fields staff never set at all lose to any other writer.
        let doc = concurrent("handler", "u1", "u2", "u3");
        assert_eq!(reassertions(&doc, writer), vec![("handler", ScalarValue::from("u2"))]);
    }
}
