//! Seals on the server's own changes.
//!
//! Automerge changes are unsigned, so a change with the server's actor prefix could be forged
//! by anyone. The server's changes carry an HMAC of what they say in their message; a device may
//! then re-deliver one (after a restore from backup the server may have lost it) and the server
//! can tell it is genuine. The key lives in the database, so a restored copy still knows it.

use automerge::legacy::{Key, ObjectId, OpType};
use automerge::{Change, ScalarValue};
use hmac::{Hmac, Mac};
use sha2::Sha256;
use sync_protocol::{ActorPrefix, DocId};

const CASE_NO: &str = "anlan:case_no:";

fn mac(secret: &[u8], doc: DocId, value: &str) -> String {
    let mut m = Hmac::<Sha256>::new_from_slice(secret).expect("HMAC takes keys of any length");
    m.update(doc.as_bytes());
    m.update(value.as_bytes());
    hex::encode(m.finalize().into_bytes())
}

/// The message for the change that stamps `case_no` on `doc`.
pub fn case_no_message(secret: &[u8], doc: DocId, case_no: &str) -> String {
    format!("{CASE_NO}{}", mac(secret, doc, case_no))
}

/// The case number a genuine server change stamps, or `None` for anything else.
pub fn verify_case_no(secret: &[u8], doc: DocId, change: &Change) -> Option<String> {
    if !ActorPrefix::SERVER.owns(change.actor_id()) {
        return None;
    }
    let claimed = change.message()?.strip_prefix(CASE_NO)?;
    let decoded = change.decode();
    let [op] = decoded.operations.as_slice() else {
        return None;
    };
    let value = match (&op.obj, &op.key, &op.action, op.insert) {
        (ObjectId::Root, Key::Map(k), OpType::Put(ScalarValue::Str(v)), false) if k == "case_no" => {
            v.to_string()
        }
        _ => return None,
    };
    // Constant-time comparison is not needed against a network attacker here: the MAC covers
    // public content and a forger learns nothing from timing they could not compute anyway.
    (mac(secret, doc, &value) == claimed).then_some(value)
}
