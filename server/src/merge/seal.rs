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
/// Any other server change: the MAC covers everything the change says but its message and time.
const SEALED: &str = "anlan:sealed:";

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

/// What a sealed change's MAC covers: actor, sequence, start op, dependencies and every
/// operation — the change as decoded, without its message (which carries the MAC) and time.
fn sealed_body(change: &Change) -> Vec<u8> {
    let mut c = change.decode();
    c.message = None;
    c.hash = None;
    c.time = 0;
    serde_json::to_vec(&c).expect("a decoded change serialises")
}

/// The message that seals `change` (built without one) as the server's own.
pub fn sealed_message(secret: &[u8], doc: DocId, change: &Change) -> String {
    let mut m = Hmac::<Sha256>::new_from_slice(secret).expect("HMAC takes keys of any length");
    m.update(doc.as_bytes());
    m.update(&sealed_body(change));
    format!("{SEALED}{}", hex::encode(m.finalize().into_bytes()))
}

/// Is this a genuine server change sealed by [`sealed_message`]?
pub fn verify_sealed(secret: &[u8], doc: DocId, change: &Change) -> bool {
    ActorPrefix::SERVER.owns(change.actor_id())
        && change
            .message()
            .is_some_and(|msg| msg.starts_with(SEALED) && *msg == sealed_message(secret, doc, change))
}

/// Run `write` as one change of the server's own, sealed so that a phone may re-deliver it.
pub(super) fn transact(
    m: &super::Merger,
    doc: DocId,
    trial: &mut automerge::Automerge,
    write: impl Fn(&mut automerge::transaction::Transaction<'_>) -> Result<(), automerge::AutomergeError>,
) -> Result<(), automerge::AutomergeError> {
    transact_at(m, doc, trial, crate::store::now_ms(), write)
}

/// [`transact`] with the change timed at `now` (Unix ms): a replayed push's receipt.
pub(super) fn transact_at(
    m: &super::Merger,
    doc: DocId,
    trial: &mut automerge::Automerge,
    now: i64,
    write: impl Fn(&mut automerge::transaction::Transaction<'_>) -> Result<(), automerge::AutomergeError>,
) -> Result<(), automerge::AutomergeError> {
    use automerge::transaction::CommitOptions;
    let secs = now / 1000;
    // The MAC covers the operations, which exist only once written: write them once on a copy
    // to learn them, then for real with the seal. Corrections are rare; the copy is affordable.
    let mut probe = trial.clone();
    probe.set_actor(m.server_actor.clone());
    probe
        .transact_with::<_, _, automerge::AutomergeError, _>(|_| CommitOptions::default(), &write)
        .map_err(|f| f.error)?;
    let change = probe.get_last_local_change().expect("the probe just made a change");
    let message = sealed_message(&m.secret, doc, &change);
    trial.set_actor(m.server_actor.clone());
    trial
        .transact_with::<_, _, automerge::AutomergeError, _>(
            |_| CommitOptions::default().with_message(message).with_time(secs),
            &write,
        )
        .map_err(|f| f.error)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use automerge::transaction::{CommitOptions, Transactable};
    use automerge::{Automerge, AutomergeError, ROOT};

    use super::*;

    fn server_change(value: i64, message: Option<String>, actor: &automerge::ActorId) -> Change {
        let mut doc = Automerge::new().with_actor(actor.clone());
        let opts = match message {
            Some(m) => CommitOptions::default().with_message(m),
            None => CommitOptions::default(),
        };
        doc.transact_with::<_, _, AutomergeError, _>(|_| opts, |tx| tx.put(ROOT, "x", value)).unwrap();
        doc.get_last_local_change().unwrap()
    }

    #[test]
    fn a_sealed_change_verifies_and_a_copy_of_its_seal_on_other_operations_does_not() {
        let (secret, doc) = (b"key".as_slice(), DocId::random());
        let actor = ActorPrefix::SERVER.new_actor();
        let message = sealed_message(secret, doc, &server_change(1, None, &actor));
        assert!(verify_sealed(secret, doc, &server_change(1, Some(message.clone()), &actor)));
        assert!(!verify_sealed(secret, doc, &server_change(2, Some(message.clone()), &actor)));
        assert!(!verify_sealed(secret, DocId::random(), &server_change(1, Some(message.clone()), &actor)));
        assert!(!verify_sealed(b"other key", doc, &server_change(1, Some(message), &actor)));
    }

    #[test]
    fn a_device_cannot_borrow_the_servers_seal() {
        let (secret, doc) = (b"key".as_slice(), DocId::random());
        let device = ActorPrefix::from_slice(&[7; 8]).unwrap().new_actor();
        let message = sealed_message(secret, doc, &server_change(1, None, &device));
        assert!(!verify_sealed(secret, doc, &server_change(1, Some(message), &device)));
    }
}
