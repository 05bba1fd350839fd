//! A push's new changes as the device sent them, in an order the log may take.
//!
//! The log stores each change's bytes verbatim and in causal order. Asking Automerge for the
//! changes since the stored heads (`get_changes`) gives that order, but Automerge 0.12 keeps
//! ops, not change bytes: it re-encodes every change it returns, the device's included, only
//! for their bytes to be thrown away for the ones received. So the device's changes are put in
//! causal order here, from their own dependencies, and only the changes the server adds on top
//! of them (a case number, a re-asserted guarded field, a time correction) are asked of
//! Automerge.

use std::collections::{HashMap, HashSet};

use automerge::{ActorId, Automerge, Change, ChangeHash};
use sync_protocol::ActorPrefix;

use crate::store::NewChange;

pub struct Received {
    /// (hash, actor, bytes as received), every change after its dependencies among them.
    changes: Vec<(ChangeHash, ActorId, Vec<u8>)>,
    /// The document's heads once they were applied, before the server wrote anything.
    pub(super) applied_heads: Vec<ChangeHash>,
}

impl Received {
    /// `changes` are the push's new changes (none already stored, none twice), `bytes` what
    /// the device sent for each. Their dependencies outside the set are stored already.
    pub fn new(changes: &[Change], mut bytes: HashMap<ChangeHash, Vec<u8>>) -> Self {
        let by_hash: HashMap<ChangeHash, &Change> = changes.iter().map(|c| (c.hash(), c)).collect();
        let mut done = HashSet::with_capacity(changes.len());
        let mut order = Vec::with_capacity(changes.len());
        for c in changes {
            // Depth first, dependencies before dependants; an explicit stack, since a crafted
            // push may chain 2,000 changes.
            let mut stack = vec![(c, false)];
            while let Some((c, expanded)) = stack.pop() {
                if done.contains(&c.hash()) {
                    continue;
                }
                if expanded {
                    done.insert(c.hash());
                    order.push(c);
                    continue;
                }
                stack.push((c, true));
                for d in c.deps() {
                    if let Some(dep) = by_hash.get(d).filter(|_| !done.contains(d)) {
                        stack.push((dep, false));
                    }
                }
            }
        }
        let changes = order
            .into_iter()
            .map(|c| {
                let b = bytes.remove(&c.hash()).unwrap_or_else(|| c.raw_bytes().to_vec());
                (c.hash(), c.actor_id().clone(), b)
            })
            .collect();
        Self { changes, applied_heads: Vec::new() }
    }

    /// What the log gains: the received changes, then those the server made on top of them in
    /// `trial`, each marked with `device_id` unless the server wrote it.
    pub fn into_log(self, trial: &Automerge, device_id: i64) -> Vec<NewChange> {
        let ours = trial.get_changes(&self.applied_heads);
        let ours = ours.into_iter().map(|mut c| (c.hash(), c.actor_id().clone(), c.bytes().into_owned()));
        self.changes
            .into_iter()
            .chain(ours)
            .map(|(hash, actor, bytes)| NewChange {
                hash: hash.0,
                device_id: (!ActorPrefix::SERVER.owns(&actor)).then_some(device_id),
                actor: actor.to_bytes().to_vec(),
                bytes,
            })
            .collect()
    }
}
