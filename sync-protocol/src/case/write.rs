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
        Ok(())
    }
}

pub fn set_severity<T: Transactable>(tx: &mut T, s: Severity) -> Result<(), AutomergeError> {
    tx.put(ROOT, "severity", s.as_str())
}

pub fn set_status<T: Transactable>(tx: &mut T, s: Status) -> Result<(), AutomergeError> {
    tx.put(ROOT, "status", s.as_str())
}

pub fn set_case_no<T: Transactable>(tx: &mut T, case_no: &str) -> Result<(), AutomergeError> {
    tx.put(ROOT, "case_no", case_no)
}

/// Append to the timeline. `id` should be unique (a UUID) so entries can be referenced later.
pub fn add_timeline<T: Transactable>(tx: &mut T, e: &TimelineEntry) -> Result<(), AutomergeError> {
    let list = match tx.get(ROOT, "timeline")? {
        Some((automerge::Value::Object(ObjType::List), id)) => id,
        _ => tx.put_object(ROOT, "timeline", ObjType::List)?,
    };
    let at = tx.length(&list);
    let m = tx.insert_object(&list, at, ObjType::Map)?;
    tx.put(&m, "id", e.id.as_str())?;
    tx.put(&m, "kind", e.kind.as_str())?;
    tx.put(&m, "at", ScalarValue::Timestamp(e.at))?;
    tx.put(&m, "by", e.by.as_str())?;
    tx.put(&m, "text", e.text.as_str())?;
    Ok(())
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
