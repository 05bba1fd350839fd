//! Product limits of a case judged where they can be: on what a person wrote, not on what a
//! merge made of it (`sync_protocol::case::limits`). A new case is all its author's own work,
//! so it must be within them. An edit is refused only if, on the state its author saw, her own
//! changes took a field over its limit (or further over); a field that concurrent edits took
//! over together is accepted and listed in the case's `over_limits`.

use std::collections::HashSet;

use automerge::{Automerge, Change, ChangeHash, ObjType, ROOT, ReadDoc, Value};
use sync_protocol::case::Case;
use sync_protocol::case::limits::{self, OverLimit};

/// `fresh`: the device's new changes to an existing case, already applied to `doc`.
pub fn check(before: Option<&Case>, after: &Case, doc: &Automerge, fresh: &[Change]) -> Result<(), String> {
    let Some(first) = after.over_limits.first() else {
        return Ok(());
    };
    if before.is_none() {
        return Err(first.to_string());
    }
    let hashes: HashSet<ChangeHash> = fresh.iter().map(|c| c.hash()).collect();
    let deps: HashSet<ChangeHash> = fresh.iter().flat_map(|c| c.deps().iter().copied()).collect();
    // What the author had before her edits, and what she had after them.
    let seen: Vec<ChangeHash> = deps.difference(&hashes).copied().collect();
    let wrote: Vec<ChangeHash> = hashes.difference(&deps).copied().collect();
    if wrote.is_empty() {
        return Ok(());
    }
    for over in &after.over_limits {
        let (was, now) = (count_at(doc, &over.field, &seen), count_at(doc, &over.field, &wrote));
        if now > over.limit && now > was {
            let theirs = OverLimit { field: over.field.clone(), count: now, limit: over.limit };
            return Err(format!("{theirs} (in the case as edited on the device)"));
        }
    }
    Ok(())
}

/// Characters of a text field or items of a list field at `heads`.
fn count_at(doc: &Automerge, field: &str, heads: &[ChangeHash]) -> usize {
    if heads.is_empty() || !limits::ALL.iter().any(|l| l.field == field) {
        return 0;
    }
    match doc.get_at(ROOT, field, heads) {
        Ok(Some((Value::Object(ObjType::Text), t))) => {
            doc.text_at(&t, heads).map_or(0, |s| s.chars().count())
        }
        Ok(Some((Value::Object(ObjType::List), l))) => doc.length_at(&l, heads),
        _ => 0,
    }
}
