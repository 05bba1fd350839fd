//! Writing cases with the exact Automerge types [`read_case`](super::read_case) expects. The
//! server uses it to stamp case numbers; simulated devices and the load generator to act like
//! the PWA does.

use automerge::transaction::Transactable;
use automerge::{AutomergeError, ObjType, ROOT, ScalarValue};

use super::*;

/// What a person fills in when recording a case.
#[derive(Debug, Clone)]
pub struct NewCase {
    pub village: String,
    pub category: Category,
    pub severity: Severity,
    pub title: String,
    pub description: String,
    pub parties: Vec<Party>,
    pub reporter: String,
    pub reported_at: i64,
    pub location: Option<Location>,
}

impl NewCase {
    pub fn write<T: Transactable>(&self, tx: &mut T) -> Result<(), AutomergeError> {
        tx.put(ROOT, "schema_version", SCHEMA_VERSION)?;
        tx.put(ROOT, "kind", KIND)?;
        tx.put(ROOT, "village", self.village.as_str())?;
        tx.put(ROOT, "category", self.category.as_str())?;
        tx.put(ROOT, "severity", self.severity.as_str())?;
        tx.put(ROOT, "status", Status::Reported.as_str())?;
        tx.put(ROOT, "title", self.title.as_str())?;
        let d = tx.put_object(ROOT, "description", ObjType::Text)?;
        tx.splice_text(&d, 0, 0, &self.description)?;
        let parties = tx.put_object(ROOT, "parties", ObjType::List)?;
        for (i, p) in self.parties.iter().enumerate() {
            let m = tx.insert_object(&parties, i, ObjType::Map)?;
            tx.put(&m, "name", p.name.as_str())?;
            if let Some(phone) = &p.phone {
                tx.put(&m, "phone", phone.as_str())?;
            }
            if let Some(note) = &p.note {
                tx.put(&m, "note", note.as_str())?;
            }
        }
        tx.put(ROOT, "reporter", self.reporter.as_str())?;
        tx.put(ROOT, "reported_at", ScalarValue::Timestamp(self.reported_at))?;
        if let Some(loc) = &self.location {
            let m = tx.put_object(ROOT, "location", ObjType::Map)?;
            tx.put(&m, "lat", loc.lat)?;
            tx.put(&m, "lon", loc.lon)?;
            if let Some(acc) = loc.accuracy_m {
                tx.put(&m, "accuracy_m", acc)?;
            }
        }
        tx.put_object(ROOT, "timeline", ObjType::List)?;
        tx.put_object(ROOT, "attachments", ObjType::List)?;
        tx.put(ROOT, "responsible_leader", ScalarValue::Null)?;
        tx.put(ROOT, "handler", ScalarValue::Null)?;
        tx.put(ROOT, "deadline", ScalarValue::Null)?;
        tx.put_object(ROOT, "transitions", ObjType::List)?;
        tx.put(ROOT, "outcome", ScalarValue::Null)?;
        tx.put(ROOT, "closing_note", ScalarValue::Null)?;
        tx.put_object(ROOT, "resolution_plan", ObjType::Text)?;
        Ok(())
    }
}

pub fn set_severity<T: Transactable>(tx: &mut T, s: Severity) -> Result<(), AutomergeError> {
    tx.put(ROOT, "severity", s.as_str())
}

/// The bare status write, without its transition entry: the server refuses it. Only for tests
/// of that refusal; everything else uses [`transition`].
pub fn set_status<T: Transactable>(tx: &mut T, s: Status) -> Result<(), AutomergeError> {
    tx.put(ROOT, "status", s.as_str())
}

/// A status change as a person makes it: the new status and its transition entry, in one change.
#[derive(Debug, Clone)]
pub struct Move<'a> {
    pub to: Status,
    pub by: &'a str,
    pub at: i64,
    /// Required when closing.
    pub outcome: Option<Outcome>,
    pub note: Option<&'a str>,
}

impl<'a> Move<'a> {
    pub fn new(to: Status, by: &'a str, at: i64) -> Self {
        Self { to, by, at, outcome: None, note: None }
    }

    pub fn closing(mut self, outcome: Outcome, note: &'a str) -> Self {
        self.outcome = Some(outcome);
        self.note = Some(note);
        self
    }
}

/// Change the status and append its transition `{from, to, by, at, outcome?, note?}`. Closing
/// records the outcome and closing note on the case; leaving `closed` (a reopen) clears them.
pub fn transition<T: Transactable>(tx: &mut T, m: &Move<'_>) -> Result<(), AutomergeError> {
    let from = match tx.get(ROOT, "status")? {
        Some((automerge::Value::Scalar(s), _)) => s.as_str().unwrap_or("reported").to_string(),
        _ => Status::Reported.as_str().to_string(),
    };
    let list = list_of(tx, "transitions")?;
    let at = tx.length(&list);
    let e = tx.insert_object(&list, at, ObjType::Map)?;
    tx.put(&e, "from", from.as_str())?;
    tx.put(&e, "to", m.to.as_str())?;
    tx.put(&e, "by", m.by)?;
    tx.put(&e, "at", ScalarValue::Timestamp(m.at))?;
    if let Some(o) = m.outcome.filter(|_| m.to == Status::Closed) {
        tx.put(&e, "outcome", o.as_str())?;
    }
    if let Some(n) = m.note {
        tx.put(&e, "note", n)?;
    }
    tx.put(ROOT, "status", m.to.as_str())?;
    if m.to == Status::Closed {
        tx.put(ROOT, "outcome", m.outcome.map_or(ScalarValue::Null, |o| o.as_str().into()))?;
        tx.put(ROOT, "closing_note", m.note.map_or(ScalarValue::Null, Into::into))?;
    } else if from == Status::Closed.as_str() {
        tx.put(ROOT, "outcome", ScalarValue::Null)?;
        tx.put(ROOT, "closing_note", ScalarValue::Null)?;
    }
    Ok(())
}

/// Settle a conflicting closure: write the chosen outcome and note again, superseding both.
pub fn confirm_closure<T: Transactable>(
    tx: &mut T,
    outcome: Outcome,
    note: &str,
) -> Result<(), AutomergeError> {
    tx.put(ROOT, "outcome", outcome.as_str())?;
    tx.put(ROOT, "closing_note", note)
}

/// Replace the resolution plan (化解处方), creating the Text if an older case has none.
pub fn set_resolution_plan<T: Transactable>(tx: &mut T, plan: &str) -> Result<(), AutomergeError> {
    let text = match tx.get(ROOT, "resolution_plan")? {
        Some((automerge::Value::Object(ObjType::Text), id)) => id,
        _ => tx.put_object(ROOT, "resolution_plan", ObjType::Text)?,
    };
    let len = tx.length(&text);
    tx.splice_text(&text, 0, len as isize, plan)
}

/// A mediation entry whose agreement is the attachment `sha256` (uploaded separately).
pub fn add_mediation<T: Transactable>(
    tx: &mut T,
    e: &TimelineEntry,
    sha256: &str,
) -> Result<(), AutomergeError> {
    let m = insert_timeline(tx, e)?;
    tx.put(&m, "attachment", sha256)
}

fn list_of<T: Transactable>(tx: &mut T, key: &str) -> Result<automerge::ObjId, AutomergeError> {
    match tx.get(ROOT, key)? {
        Some((automerge::Value::Object(ObjType::List), id)) => Ok(id),
        _ => tx.put_object(ROOT, key, ObjType::List),
    }
}

pub fn set_case_no<T: Transactable>(tx: &mut T, case_no: &str) -> Result<(), AutomergeError> {
    tx.put(ROOT, "case_no", case_no)
}

/// Append to the timeline. `id` should be unique (a UUID) so entries can be referenced later.
pub fn add_timeline<T: Transactable>(tx: &mut T, e: &TimelineEntry) -> Result<(), AutomergeError> {
    insert_timeline(tx, e).map(|_| ())
}

fn insert_timeline<T: Transactable>(
    tx: &mut T,
    e: &TimelineEntry,
) -> Result<automerge::ObjId, AutomergeError> {
    let list = list_of(tx, "timeline")?;
    let at = tx.length(&list);
    let m = tx.insert_object(&list, at, ObjType::Map)?;
    tx.put(&m, "id", e.id.as_str())?;
    tx.put(&m, "kind", e.kind.as_str())?;
    tx.put(&m, "at", ScalarValue::Timestamp(e.at))?;
    tx.put(&m, "by", e.by.as_str())?;
    tx.put(&m, "text", e.text.as_str())?;
    Ok(m)
}

/// Insert `text` into the description at character `index` (clamped to the end).
pub fn edit_description<T: Transactable>(tx: &mut T, index: usize, text: &str) -> Result<(), AutomergeError> {
    let Some((automerge::Value::Object(ObjType::Text), d)) = tx.get(ROOT, "description")? else {
        return Err(AutomergeError::InvalidOp(ObjType::Text));
    };
    let at = index.min(tx.length(&d));
    tx.splice_text(&d, at, 0, text)?;
    Ok(())
}
