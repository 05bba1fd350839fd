//! Partial replicas (PROTOCOL.md §12): the pull of a phone that keeps only its working set, and
//! whole documents fetched on demand. Both read within the device's scope, exactly as the
//! whole-replica feed does; the working set only leaves things out of it.

use std::collections::{HashMap, HashSet};

use automerge::{Change, ChangeHash};
use serde_bytes::ByteBuf;
use sync_protocol::DocId;
use sync_protocol::fetch::{FetchRequest, FetchResponse, FetchedDoc, MAX_FETCH};
use sync_protocol::wire::{self, Replica, SyncRequest};

use super::{MergeError, Merger};
use crate::store::{DeviceAuth, FeedPage};

impl Merger {
    /// The page of the feed this request pulls, and what a partial replica must evict.
    pub(super) async fn pull(
        &self,
        device: &DeviceAuth,
        req: &SyncRequest,
        cursor: i64,
        stored: &HashSet<[u8; 32]>,
        now: i64,
    ) -> Result<(FeedPage, Vec<DocId>), MergeError> {
        if req.replica == Replica::Full {
            return Ok((self.store.feed(&device.scope, cursor, stored, self.page_bytes).await?, vec![]));
        }
        let page = self
            .store
            .feed_partial(&device.scope, &device.user_id, cursor, stored, self.page_bytes, now)
            .await?;
        // A phone starting from nothing holds nothing to evict.
        let holds_nothing = req.since.is_none() && cursor == 0 && req.have.is_empty();
        let evict = if holds_nothing {
            vec![]
        } else {
            self.store.evicted(&device.scope, &device.user_id, req.since, now).await?
        };
        Ok((page, evict))
    }

    /// Whole documents the device may read, by id or case number; each carries only what the
    /// heads it names do not cover.
    pub async fn fetch(&self, device: &DeviceAuth, req: FetchRequest) -> Result<FetchResponse, MergeError> {
        if req.v != wire::PROTOCOL_VERSION {
            return Err(MergeError::Invalid(format!(
                "protocol version {} is not supported; this server speaks 1",
                req.v
            )));
        }
        if req.len() > MAX_FETCH {
            return Err(MergeError::TooLarge(format!("at most {MAX_FETCH} documents per fetch")));
        }
        let mut res = FetchResponse::default();
        let mut wanted: Vec<(DocId, Vec<ChangeHash>)> = Vec::with_capacity(req.len());
        for have in req.docs {
            wanted.push((have.doc, have.heads.into_iter().map(ChangeHash::from).collect()));
        }
        let named = wanted.len();
        for no in req.case_nos {
            match self.store.case_numbered(&device.scope, no.trim()).await? {
                Some(doc) => wanted.push((doc, vec![])),
                None => res.unknown.push(no),
            }
        }
        for (i, (doc, heads)) in wanted.into_iter().enumerate() {
            let all = self.store.doc_changes_in(&device.scope, doc).await?;
            if all.is_empty() {
                // Only ids can be missing: a case number found above is in scope.
                if i < named {
                    res.missing.push(doc);
                }
                continue;
            }
            res.docs.push(not_covered(doc, all, &heads)?);
        }
        Ok(res)
    }
}

/// The changes of `doc` (all of them, in feed order) that `heads` and their ancestors do not
/// include, with the document's heads. Hashes the server does not know are ignored.
fn not_covered(doc: DocId, all: Vec<Vec<u8>>, heads: &[ChangeHash]) -> Result<FetchedDoc, MergeError> {
    let changes = all
        .into_iter()
        .map(|b| {
            Change::from_bytes(b)
                .map_err(|e| MergeError::Internal(anyhow::anyhow!("stored change of {doc}: {e}")))
        })
        .collect::<Result<Vec<_>, _>>()?;
    let deps: HashMap<ChangeHash, Vec<ChangeHash>> =
        changes.iter().map(|c| (c.hash(), c.deps().to_vec())).collect();
    let mut covered: HashSet<ChangeHash> = HashSet::new();
    let mut stack: Vec<ChangeHash> = heads.iter().copied().filter(|h| deps.contains_key(h)).collect();
    while let Some(h) = stack.pop() {
        if covered.insert(h) {
            stack.extend(deps[&h].iter().copied().filter(|d| !covered.contains(d)));
        }
    }
    // A change no other change depends on is a head.
    let depended: HashSet<ChangeHash> = deps.values().flatten().copied().collect();
    let doc_heads =
        changes.iter().map(Change::hash).filter(|h| !depended.contains(h)).map(wire::Hash::from).collect();
    let missing = changes
        .into_iter()
        .filter(|c| !covered.contains(&c.hash()))
        .map(|c| ByteBuf::from(c.raw_bytes().to_vec()))
        .collect();
    Ok(FetchedDoc { doc, changes: missing, heads: doc_heads })
}

#[cfg(test)]
mod tests {
    use automerge::transaction::Transactable;
    use automerge::{AutoCommit, ROOT};

    use super::*;

    #[test]
    fn a_fetch_sends_what_the_named_heads_do_not_cover_and_ignores_unknown_hashes() {
        let mut doc = AutoCommit::new();
        doc.put(ROOT, "a", 1).unwrap();
        doc.commit();
        let first = doc.get_heads();
        doc.put(ROOT, "b", 2).unwrap();
        doc.commit();
        doc.put(ROOT, "c", 3).unwrap();
        doc.commit();
        let all: Vec<Vec<u8>> = doc.get_changes(&[]).iter().map(|c| c.raw_bytes().to_vec()).collect();
        let id = DocId([1; 16]);

        let whole = not_covered(id, all.clone(), &[]).unwrap();
        assert_eq!(whole.changes.len(), 3);
        assert_eq!(whole.heads, wire::hashes(&doc.get_heads()));
        assert_eq!(not_covered(id, all.clone(), &first).unwrap().changes.len(), 2);
        assert!(not_covered(id, all.clone(), &doc.get_heads()).unwrap().changes.is_empty());
        let unknown = ChangeHash([7; 32]);
        assert_eq!(not_covered(id, all, &[unknown]).unwrap().changes.len(), 3);
    }
}
