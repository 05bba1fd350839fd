//! Who may change which field of a case: the one place these rules live. The table in
//! `docs/permissions.md` is this module in words, and `tests/tests/all/permissions.rs` checks every
//! cell of it over the real sync path.
//!
//! A new case is judged by what it holds. An existing case is judged change by change on the
//! device's *new* changes: the fields each change's operations touch, and their values before
//! it (the document at the change's dependencies, as its author saw it) and with it — not
//! whatever won the merge: an officer who raised severity offline
//! while a leader concurrently raised it further did not lower anything, whichever value wins.
//! What the merged document then holds in the guarded fields is judged once more, against the
//! values they compete with, in `authority`.
//! Rules that hold for everyone — immutable fields, the server-owned case number — are in
//! `sync_protocol::case::check_transition`; the lifecycle (transitions, outcomes, chasing) in
//! `lifecycle`, which judges every role.

use std::collections::BTreeSet;
use std::str::FromStr;

use automerge::legacy::{Key, ObjectId};
use automerge::{Automerge, Change, ChangeHash, ROOT, ReadDoc, Value};
use sync_protocol::case::{Case, Severity, Status};

use sync_protocol::roles::{Rank, rank};

const ASSIGNMENT: &[&str] = &["responsible_leader", "handler", "deadline"];

/// A case recorded by `role`: field staff record it as found — reported, not yet assigned.
pub fn check_new(case: &Case, role: &str) -> Result<(), String> {
    super::lifecycle::check_new(case, role)?;
    if rank(role) == Rank::Leader {
        return Ok(());
    }
    if case.status != Status::Reported {
        return Err("status: a case recorded by field staff starts as reported".into());
    }
    if case.responsible_leader.is_some() || case.handler.is_some() || case.deadline.is_some() {
        return Err("responsible_leader, handler and deadline are set by the township or above".into());
    }
    Ok(())
}

/// `changes` (already applied to `doc`) made by `user` with `role` to an existing case.
pub fn check_changes(doc: &Automerge, changes: &[Change], role: &str, user: &str) -> Result<(), String> {
    for change in changes {
        let touched: BTreeSet<String> = change
            .decode()
            .operations
            .into_iter()
            .filter_map(|op| match (op.obj, op.key) {
                (ObjectId::Root, Key::Map(key)) => Some(key.to_string()),
                _ => None,
            })
            .collect();
        super::lifecycle::check_change(doc, change, &touched, role, user)?;
        if rank(role) == Rank::Leader {
            continue;
        }
        // Before: what the author saw (the document at the change's dependencies). After: the
        // document with just this change added. A put and a delete are judged alike by their
        // effect: Automerge resolves a conflict to an existing value by deleting the others.
        let before = |field: &str| values(doc, field, change.deps());
        let after = |field: &str| values(doc, field, &[change.hash()]);
        for field in &touched {
            match field.as_str() {
                k if ASSIGNMENT.contains(&k) => return Err(format!("{k}: set by the township or above")),
                "severity" => {
                    let (seen, now) = (max_of::<Severity>(&before(field)), max_of::<Severity>(&after(field)));
                    if let (Some(seen), Some(now)) = (seen, now)
                        && now < seen
                    {
                        return Err(format!(
                            "severity: only the township or above may lower it ({seen} → {now})"
                        ));
                    }
                }
                "status" => {
                    let (seen, now) = (before(field), after(field));
                    let reopened = seen.iter().any(|s| s == "closed") && !now.iter().any(|s| s == "closed");
                    let introduced: Vec<&String> = now.iter().filter(|v| !seen.contains(v)).collect();
                    let allowed = introduced.iter().all(|v| *v == "handling" || *v == "resolved");
                    if reopened || !allowed {
                        return Err(
                            "status: field staff may mark a case handling or resolved; acknowledging, escalating, \
                             closing and reopening are for the township or above"
                                .into(),
                        );
                    }
                }
                _ => {}
            }
        }
    }
    Ok(())
}

/// Every value `field` holds at `heads` (several while people disagree).
fn values(doc: &Automerge, field: &str, heads: &[ChangeHash]) -> Vec<String> {
    doc.get_all_at(ROOT, field, heads)
        .unwrap_or_default()
        .into_iter()
        .filter_map(|(v, _)| match v {
            Value::Scalar(s) => s.as_str().map(str::to_string),
            Value::Object(_) => None,
        })
        .collect()
}

fn max_of<T: FromStr + Ord>(values: &[String]) -> Option<T> {
    values.iter().filter_map(|v| v.parse().ok()).max()
}

#[cfg(test)]
mod tests {
    use automerge::transaction::Transactable;
    use automerge::{ActorId, AutoCommit};

    use super::*;

    /// A case whose severity two people set concurrently to `a` and `b`, merged.
    fn conflicted(a: &str, b: &str) -> AutoCommit {
        let mut base = AutoCommit::new().with_actor(ActorId::from(vec![1u8; 16]));
        base.put(ROOT, "severity", "general").unwrap();
        base.commit();
        let mut other = base.fork().with_actor(ActorId::from(vec![2u8; 16]));
        base.put(ROOT, "severity", a).unwrap();
        other.put(ROOT, "severity", b).unwrap();
        base.merge(&mut other).unwrap();
        base
    }

    fn officer_picks(doc: &mut AutoCommit, value: &str) -> Result<(), String> {
        let heads = doc.get_heads();
        doc.put(ROOT, "severity", value).unwrap();
        doc.commit();
        let changes = doc.get_changes(&heads);
        check_changes(doc.document(), &changes, "village_officer", "u1")
    }

    #[test]
    fn an_officer_may_settle_a_severity_conflict_upwards_but_not_downwards() {
        let mut up = conflicted("major", "urgent");
        assert_eq!(officer_picks(&mut up, "urgent"), Ok(()));
        let mut down = conflicted("major", "urgent");
        assert!(officer_picks(&mut down, "major").unwrap_err().starts_with("severity"));
    }

    #[test]
    fn leaders_are_never_refused_and_field_staff_never_assign() {
        let mut doc = conflicted("major", "urgent");
        let heads = doc.get_heads();
        doc.put(ROOT, "handler", "u1").unwrap();
        doc.commit();
        let changes = doc.get_changes(&heads);
        assert!(
            check_changes(doc.document(), &changes, "work_team", "u1").unwrap_err().starts_with("handler")
        );
        assert_eq!(check_changes(doc.document(), &changes, "township_leader", "u1"), Ok(()));
        assert_eq!(rank("petition_staff"), Rank::Field);
    }
}
