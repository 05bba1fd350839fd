//! A device's changes are stored as it sent them, but Automerge serves and saves a change as it
//! encodes it again from its op set. Bytes that decode to the same operations and encode
//! otherwise (a column Automerge ignores, an integer written longer than it needs) would be
//! stored under one hash while the document's heads and every later change name another, and
//! each phone would wait for a change that never comes. Such a change is refused here, before
//! anything is numbered or committed; Automerge's own check of this is compiled out of release
//! builds.

use std::collections::HashMap;

use automerge::{Automerge, ChangeHash};
use sync_protocol::ActorPrefix;

use crate::store::NewChange;

/// The device's new changes, each encoding to its own hash, in causal order, and the heads
/// with them applied and nothing of the server's.
#[derive(Debug)]
pub struct Received {
    pub changes: Vec<NewChange>,
    pub heads: Vec<ChangeHash>,
}

/// `received` (hash → the bytes as sent), applied to `trial` on top of `base_heads`, checked.
/// Err names the changes Automerge would encode to another hash.
pub fn check(
    trial: &Automerge,
    base_heads: &[ChangeHash],
    mut received: HashMap<ChangeHash, Vec<u8>>,
    device_id: i64,
) -> Result<Received, String> {
    let encoded = trial.get_changes(base_heads);
    let mut changes = Vec::with_capacity(encoded.len());
    for c in &encoded {
        let Some(bytes) = received.remove(&c.hash()) else { continue };
        changes.push(NewChange {
            hash: c.hash().0,
            actor: c.actor_id().to_bytes().to_vec(),
            // A sealed change the server wrote before (re-delivered after a restore) stays its own.
            device_id: (!ActorPrefix::SERVER.owns(c.actor_id())).then_some(device_id),
            bytes,
        });
    }
    if !received.is_empty() {
        let mut hashes: Vec<String> = received.keys().map(|h| h.to_string()).collect();
        hashes.sort();
        return Err(format!(
            "change {} does not encode to its own hash: Automerge would store it as other bytes; \
             send each change as Automerge encodes it",
            hashes.join(", ")
        ));
    }
    Ok(Received { changes, heads: trial.get_heads() })
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use automerge::{Automerge, Change};
    use sync_protocol::wire;

    use super::check;

    /// The PWA's fixtures (pwa/tests/fixtures.test.ts), pushed one change at a time as a phone
    /// that syncs after every edit would: each change must encode to its own hash.
    fn every_change_passes(fixture: &[u8]) {
        let req: wire::SyncRequest = wire::decode(fixture).unwrap();
        let mut doc = Automerge::new();
        for bytes in &req.push[0].changes {
            let change = Change::from_bytes(bytes.to_vec()).unwrap();
            let (hash, base_heads) = (change.hash(), doc.get_heads());
            doc.apply_changes([change]).unwrap();
            let received = HashMap::from([(hash, bytes.to_vec())]);
            let checked = check(&doc, &base_heads, received, 1).unwrap_or_else(|e| panic!("{e}"));
            assert_eq!(checked.changes.len(), 1);
            assert_eq!(checked.changes[0].bytes, bytes.to_vec(), "stored as sent");
        }
    }

    #[test]
    fn every_change_the_pwa_makes_encodes_to_its_own_hash() {
        every_change_passes(include_bytes!("../../../pwa/tests/fixtures/pwa-new-case.sync-request.cbor"));
        every_change_passes(include_bytes!("../../../pwa/tests/fixtures/pwa-case-edits.sync-request.cbor"));
    }

    #[test]
    fn a_change_with_a_byte_automerge_would_not_write_is_named() {
        let mut doc = Automerge::new();
        let base_heads = doc.get_heads();
        let mut tx = doc.transaction();
        automerge::transaction::Transactable::put(&mut tx, automerge::ROOT, "title", "库区").unwrap();
        tx.commit();
        let real = doc.get_last_local_change().unwrap().hash();
        // Received under another hash than the one Automerge encodes: as if its bytes differed.
        let received = HashMap::from([(automerge::ChangeHash([9; 32]), vec![1, 2, 3])]);
        let err = check(&doc, &base_heads, received, 1).unwrap_err();
        assert!(err.contains(&automerge::ChangeHash([9; 32]).to_string()), "{err}");
        assert!(!err.contains(&real.to_string()), "{err}");
    }
}
