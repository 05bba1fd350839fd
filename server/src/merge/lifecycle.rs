//! The case's lifecycle rules, which hold for every role, change by change: every status change
//! brings its transition entry by its own author; the record of transitions is append-only;
//! closing records an outcome; a disputed closure is confirmed only by the responsible leader;
//! chasing (催办) is for county and city; a mediation agreement names an attachment the case
//! holds. Like `permissions`, each change is judged by its effect: the document at its
//! dependencies (what its author saw) against the document with it.

use std::collections::{BTreeMap, BTreeSet};

use automerge::legacy::ObjectId;
use automerge::{Automerge, Change, ChangeHash, ObjId, ObjType, ROOT, ReadDoc, ScalarValue, Value, ValueRef};
use sync_protocol::case::{Case, Status, TimelineKind};

use sync_protocol::roles::{Rank, rank};

/// Those who may chase a case (催办督办).
fn chases(role: &str) -> bool {
    sync_protocol::roles::role(role).is_some_and(sync_protocol::Role::chases)
}

type Entry = BTreeMap<String, String>;

/// Rules for a case as first pushed: the same as for a change, read off the case itself.
pub fn check_new(case: &Case, role: &str) -> Result<(), String> {
    let user = case.reporter.as_str(); // already checked to be the pushing user
    if let Some(t) = case.work.transitions.iter().find(|t| t.by != user) {
        return Err(format!("transitions: an entry names {} but the case is {user}'s", t.by));
    }
    let last = case.work.transitions.last().map(|t| t.to).unwrap_or(Status::Reported);
    if last != case.status {
        return Err("status: a status change comes with its entry in transitions".into());
    }
    if case.status == Status::Closed && case.work.outcome.is_none() {
        return Err("outcome: closing a case records its outcome".into());
    }
    if case.timeline.iter().any(|e| e.kind == TimelineKind::Chase) && !chases(role) {
        return Err("timeline: chasing (催办) is for county and city administrators".into());
    }
    if let Some(a) =
        case.work.agreements.iter().find(|a| !case.attachments.iter().any(|x| x.sha256 == a.sha256))
    {
        return Err(format!("timeline: the agreement {} is not among the case's attachments", a.sha256));
    }
    Ok(())
}

/// One change by `user` (with `role`) to an existing case; `touched` are the root keys it writes.
pub fn check_change(
    doc: &Automerge,
    change: &Change,
    touched: &BTreeSet<String>,
    role: &str,
    user: &str,
) -> Result<(), String> {
    let (seen, with) = (change.deps(), &[change.hash()][..]);
    let nested = change.decode().operations.iter().any(|op| op.obj != ObjectId::Root);
    let added = if nested || touched.contains("transitions") { appended(doc, seen, with)? } else { vec![] };

    let before = |field: &str| scalars(doc, field, seen);
    let after = |field: &str| scalars(doc, field, with);
    let status_seen = before("status");
    let mut closing_or_reopening = false;
    // Writing the status it already has is no operation at all in Automerge: the entry alone
    // then records the move (from = to), and is judged the same way.
    let same = |t: &Entry| t.get("from").is_some_and(|f| Some(f) == t.get("to") && status_seen.contains(f));
    let restated = !touched.contains("status") && added.len() == 1 && same(&added[0]);
    if touched.contains("status") || restated {
        let to = if restated {
            added[0]["to"].clone()
        } else {
            after("status").into_iter().next().unwrap_or_default()
        };
        let [t] = added.as_slice() else {
            return Err("transitions: a status change comes with exactly one entry in transitions".into());
        };
        let field = |k: &str| t.get(k).map(String::as_str).unwrap_or_default();
        if field("to") != to {
            return Err(format!("transitions: the entry says {} but the status becomes {to}", field("to")));
        }
        if field("by") != user {
            return Err(format!("transitions: the entry must name its author {user}, not {}", field("by")));
        }
        if !status_seen.iter().any(|s| s == field("from")) {
            return Err(format!(
                "transitions: the case was {} when changed, not {}",
                status_seen.join("/"),
                field("from")
            ));
        }
        if to == Status::Closed.as_str() {
            let outcome = after("outcome").into_iter().next().unwrap_or_default();
            if outcome.is_empty() || field("outcome") != outcome {
                return Err(
                    "outcome: closing a case records its outcome, on the case and in the transition".into()
                );
            }
        }
        closing_or_reopening = to == Status::Closed.as_str() || status_seen.iter().any(|s| s == "closed");
    } else if !added.is_empty() {
        return Err("transitions: an entry goes only with a status change".into());
    }

    if (touched.contains("outcome") || touched.contains("closing_note")) && !closing_or_reopening {
        let disputed = distinct(before("outcome")) > 1 || distinct(before("closing_note")) > 1;
        if !disputed {
            return Err("outcome: set by closing the case, cleared by reopening it".into());
        }
        let leaders = before("responsible_leader");
        let may =
            if leaders.is_empty() { rank(role) == Rank::Leader } else { leaders.iter().any(|l| l == user) };
        if !may {
            return Err("outcome: only the case's responsible leader confirms a disputed closure".into());
        }
    }

    if nested || touched.contains("resolution_plan") {
        let plan = |heads: &[ChangeHash]| text_at(doc, "resolution_plan", heads);
        if plan(seen) != plan(with) {
            let owners = [before("responsible_leader"), before("handler")].concat();
            if rank(role) != Rank::Leader && !owners.iter().any(|o| o == user) {
                return Err("resolution_plan: written by the township or above, or the case's handler".into());
            }
        }
    }

    if nested || touched.contains("timeline") {
        check_timeline(doc, seen, with, role, user)?;
    }
    Ok(())
}

/// Transitions the change appends; refuses any that it edits or removes.
fn appended(doc: &Automerge, seen: &[ChangeHash], with: &[ChangeHash]) -> Result<Vec<Entry>, String> {
    let (old, new) = (entries(doc, "transitions", seen), entries(doc, "transitions", with));
    if old.iter().any(|(id, e)| new.get(id) != Some(e)) {
        return Err("transitions: the record of status changes is append-only".into());
    }
    Ok(new.into_iter().filter(|(id, _)| !old.contains_key(id)).map(|(_, e)| e).collect())
}

fn check_timeline(
    doc: &Automerge,
    seen: &[ChangeHash],
    with: &[ChangeHash],
    role: &str,
    user: &str,
) -> Result<(), String> {
    let (old, new) = (entries(doc, "timeline", seen), entries(doc, "timeline", with));
    let chase = TimelineKind::Chase.as_str();
    for (id, e) in &new {
        let was = old.get(id);
        let kind = e.get("kind").map(String::as_str);
        if kind == Some(chase) && was.and_then(|w| w.get("kind")).map(String::as_str) != Some(chase) {
            if !chases(role) {
                return Err("timeline: chasing (催办) is for county and city administrators".into());
            }
            if e.get("by").map(String::as_str) != Some(user) {
                return Err(format!("timeline: a chase must name its author {user}"));
            }
        }
        if let Some(sha) = e.get("attachment").filter(|s| was.and_then(|w| w.get("attachment")) != Some(*s)) {
            let held = attachment_hashes(doc, with);
            if !held.contains(sha) {
                return Err(format!("timeline: the agreement {sha} is not among the case's attachments"));
            }
        }
    }
    Ok(())
}

/// The map items of the root list `key` at `heads`, by object, with their scalars as text.
/// One pass over the list and one over each item: Automerge seeks every single `get_at` from
/// the start, and the timeline grows with the case.
fn entries(doc: &Automerge, key: &str, heads: &[ChangeHash]) -> BTreeMap<ObjId, Entry> {
    let Ok(Some((Value::Object(ObjType::List), list))) = doc.get_at(ROOT, key, heads) else {
        return BTreeMap::new();
    };
    doc.list_range_at(&list, .., heads)
        .filter(|item| item.value == ValueRef::Object(ObjType::Map))
        .map(|item| {
            let m = item.id();
            let fields = doc
                .map_range_at(&m, .., heads)
                .filter_map(|field| match Value::from(field.value) {
                    Value::Scalar(s) => Some((field.key.into_owned(), text(&s))),
                    Value::Object(_) => None,
                })
                .collect();
            (m, fields)
        })
        .collect()
}

fn attachment_hashes(doc: &Automerge, heads: &[ChangeHash]) -> BTreeSet<String> {
    entries(doc, "attachments", heads).into_values().filter_map(|mut e| e.remove("sha256")).collect()
}

/// Every value of a root scalar at `heads`, as text (Null as nothing).
fn scalars(doc: &Automerge, field: &str, heads: &[ChangeHash]) -> Vec<String> {
    doc.get_all_at(ROOT, field, heads)
        .unwrap_or_default()
        .into_iter()
        .filter_map(|(v, _)| match v {
            Value::Scalar(s) if !s.is_null() => Some(text(&s)),
            _ => None,
        })
        .collect()
}

fn text(s: &ScalarValue) -> String {
    match s {
        ScalarValue::Str(s) => s.to_string(),
        ScalarValue::Timestamp(ms) => ms.to_string(),
        other => other.to_string(),
    }
}

fn text_at(doc: &Automerge, key: &str, heads: &[ChangeHash]) -> Option<String> {
    match doc.get_at(ROOT, key, heads) {
        Ok(Some((Value::Object(ObjType::Text), t))) => doc.text_at(&t, heads).ok(),
        _ => None,
    }
}

fn distinct(mut values: Vec<String>) -> usize {
    values.sort();
    values.dedup();
    values.len()
}
