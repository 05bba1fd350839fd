//! Edits to a sweep report with the types [`read_report`](super::read_report) expects: what the
//! PWA does (`pwa/src/model/sweep.ts`), for simulated devices and the benchmark.

use automerge::transaction::Transactable;
use automerge::{AutomergeError, ObjId, ObjType, ROOT, ScalarValue, Value};

fn container<T: Transactable>(tx: &T, key: &str) -> Result<ObjId, AutomergeError> {
    match tx.get(ROOT, key)? {
        Some((Value::Object(_), id)) => Ok(id),
        // The genesis change made every container: a document without one is not a report.
        _ => Err(AutomergeError::InvalidObjId(key.to_string())),
    }
}

/// Record the person as a reporter (their latest edit).
pub fn sign<T: Transactable>(tx: &mut T, user: &str, at: i64) -> Result<(), AutomergeError> {
    let reporters = container(tx, "reporters")?;
    tx.put(&reporters, user, ScalarValue::Timestamp(at))
}

/// A case found in the sweep (a new one just recorded, or an existing one).
pub fn add_found<T: Transactable>(tx: &mut T, case: &str, user: &str, at: i64) -> Result<(), AutomergeError> {
    let found = container(tx, "found")?;
    let entry = tx.put_object(&found, case, ObjType::Map)?;
    tx.put(&entry, "by", user)?;
    tx.put(&entry, "at", ScalarValue::Timestamp(at))?;
    sign(tx, user, at)
}

/// "无新增矛盾纠纷".
pub fn add_nil<T: Transactable>(tx: &mut T, user: &str, at: i64) -> Result<(), AutomergeError> {
    let nil = container(tx, "nil")?;
    tx.put(&nil, user, ScalarValue::Timestamp(at))?;
    sign(tx, user, at)
}

/// Append to the notes.
pub fn append_notes<T: Transactable>(tx: &mut T, text: &str) -> Result<(), AutomergeError> {
    let notes = container(tx, "notes")?;
    let len = tx.length(&notes);
    tx.splice_text(&notes, len, 0, text)
}
