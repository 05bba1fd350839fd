//! Writing petitions with the exact Automerge types [`read_petition`](super::read_petition)
//! expects: what the PWA does, for simulated devices and tests.

use automerge::transaction::Transactable;
use automerge::{AutomergeError, ObjId, ObjType, ROOT, ScalarValue, Value};

use super::*;

/// What the receiving officer fills in.
#[derive(Debug, Clone)]
pub struct NewPetition {
    pub village: String,
    pub source: Source,
    pub petitioner: Petitioner,
    pub request: String,
    pub received_at: i64,
    pub recorded_by: String,
}

impl NewPetition {
    pub fn write<T: Transactable>(&self, tx: &mut T) -> Result<(), AutomergeError> {
        tx.put(ROOT, "schema_version", SCHEMA_VERSION)?;
        tx.put(ROOT, "kind", KIND)?;
        tx.put(ROOT, "village", self.village.as_str())?;
        tx.put(ROOT, "source", self.source.as_str())?;
        let p = tx.put_object(ROOT, "petitioner", ObjType::Map)?;
        tx.put(&p, "name", self.petitioner.name.as_str())?;
        if let Some(phone) = &self.petitioner.phone {
            tx.put(&p, "phone", phone.as_str())?;
        }
        if let Some(id) = &self.petitioner.id_no {
            tx.put(&p, "id_no", id.as_str())?;
        }
        let r = tx.put_object(ROOT, "request", ObjType::Text)?;
        tx.splice_text(&r, 0, 0, &self.request)?;
        tx.put(ROOT, "received_at", ScalarValue::Timestamp(self.received_at))?;
        tx.put(ROOT, "recorded_by", self.recorded_by.as_str())?;
        for key in ["decision", "extension", "reply", "review", "rereview"] {
            tx.put(ROOT, key, ScalarValue::Null)?;
        }
        tx.put_object(ROOT, "cases", ObjType::List)?;
        Ok(())
    }
}

pub fn decide<T: Transactable>(
    tx: &mut T,
    accepted: bool,
    at: i64,
    note: Option<&str>,
) -> Result<(), AutomergeError> {
    let m = tx.put_object(ROOT, "decision", ObjType::Map)?;
    tx.put(&m, "accepted", accepted)?;
    tx.put(&m, "at", ScalarValue::Timestamp(at))?;
    if let Some(n) = note {
        tx.put(&m, "note", n)?;
    }
    Ok(())
}

pub fn extend<T: Transactable>(tx: &mut T, at: i64, days: i64, reason: &str) -> Result<(), AutomergeError> {
    let m = tx.put_object(ROOT, "extension", ObjType::Map)?;
    tx.put(&m, "at", ScalarValue::Timestamp(at))?;
    tx.put(&m, "days", days)?;
    tx.put(&m, "reason", reason)?;
    Ok(())
}

pub fn reply<T: Transactable>(tx: &mut T, at: i64, text: &str) -> Result<(), AutomergeError> {
    let m = tx.put_object(ROOT, "reply", ObjType::Map)?;
    tx.put(&m, "at", ScalarValue::Timestamp(at))?;
    tx.put(&m, "text", text)?;
    Ok(())
}

/// The petitioner asks for review (`"review"`) or re-review (`"rereview"`).
pub fn request_review<T: Transactable>(tx: &mut T, which: &str, at: i64) -> Result<(), AutomergeError> {
    let m = tx.put_object(ROOT, which, ObjType::Map)?;
    tx.put(&m, "requested_at", ScalarValue::Timestamp(at))?;
    Ok(())
}

pub fn answer_review<T: Transactable>(
    tx: &mut T,
    which: &str,
    at: i64,
    answer: &str,
) -> Result<(), AutomergeError> {
    let Some((Value::Object(ObjType::Map), m)) = tx.get(ROOT, which)? else {
        return Err(AutomergeError::InvalidOp(ObjType::Map));
    };
    tx.put(&m, "answered_at", ScalarValue::Timestamp(at))?;
    tx.put(&m, "answer", answer)?;
    Ok(())
}

/// Link a case (a dispute the petition concerns) by its document id.
pub fn link_case<T: Transactable>(tx: &mut T, case: &str) -> Result<(), AutomergeError> {
    let list: ObjId = match tx.get(ROOT, "cases")? {
        Some((Value::Object(ObjType::List), id)) => id,
        _ => tx.put_object(ROOT, "cases", ObjType::List)?,
    };
    let at = tx.length(&list);
    tx.insert(&list, at, case)?;
    Ok(())
}
