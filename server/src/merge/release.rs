//! What an administrator does with the quarantine: read a refused push as the document would
//! read with it, and release it — judged again, whole, through the same pipeline as a sync, as
//! the device's user is today (after a scope was corrected, say). A release that is refused
//! again stays in the quarantine with nothing stored.

use std::collections::HashSet;
use std::panic::AssertUnwindSafe;

use automerge::{Automerge, Change, ReadDoc};
use serde_bytes::ByteBuf;
use serde_json::Value;
use sync_protocol::wire::{self, DocResult, PushDoc};

use super::MergeError;
use super::Merger;
use crate::audit::view;
use crate::store::QuarantineEntry;

/// A quarantined push read against the stored document, each as plain JSON.
pub struct QuarantineView {
    pub stored: Option<Value>,
    pub would_read: Option<Value>,
    /// The changes waiting.
    pub changes: usize,
    pub problem: Option<String>,
}

impl Merger {
    /// Every open change of `entry`'s document from its device, oldest first, once each, and
    /// the ids of the items they came from.
    async fn waiting(&self, entry: &QuarantineEntry) -> Result<(Vec<i64>, Vec<ByteBuf>), MergeError> {
        let items = self.store.quarantine_open_for(entry.device_id, entry.doc).await?;
        let mut seen = HashSet::new();
        let mut changes = Vec::new();
        for (_, bytes) in &items {
            let list: Vec<ByteBuf> = wire::decode(bytes).map_err(|e| {
                MergeError::Internal(anyhow::anyhow!("quarantined changes do not decode: {e}"))
            })?;
            changes.extend(list.into_iter().filter(|c| seen.insert(c.to_vec())));
        }
        Ok((items.into_iter().map(|(id, _)| id).collect(), changes))
    }

    /// The stored document (if any) and the document as it would read with the waiting
    /// changes applied; with why it cannot, when it cannot.
    pub async fn quarantine_view(&self, entry: &QuarantineEntry) -> Result<QuarantineView, MergeError> {
        let metas = self.store.doc_metas(&[entry.doc]).await?;
        let stored = match metas.get(&entry.doc) {
            Some(meta) => Some(self.cache.load(&self.store, entry.doc, meta).await?),
            None => None,
        };
        let changes = if entry.released_at.is_some() {
            vec![] // released: the changes are in the stored document now
        } else {
            self.waiting(entry).await?.1
        };
        let base = stored.as_deref().cloned().unwrap_or_default();
        let (would_read, problem) = apply(base, &changes);
        Ok(QuarantineView {
            stored: stored.as_deref().map(view::document),
            would_read: would_read.as_ref().map(view::document),
            changes: changes.len(),
            problem,
        })
    }

    /// Judge the document's waiting changes again as its device's user is today. `ok` marks
    /// every open item of the document from that device released by `by`.
    pub async fn release(&self, entry: &QuarantineEntry, by: &str) -> Result<DocResult, MergeError> {
        if entry.released_at.is_some() {
            return Err(MergeError::Invalid(format!("quarantine item {} is already released", entry.id)));
        }
        let device = self.store.device_by_id(entry.device_id).await?.ok_or(MergeError::NotFound)?;
        let (ids, changes) = self.waiting(entry).await?;
        // Times are judged against the server's clock when the push first arrived; the phone's
        // own reading of that moment was not kept.
        let clock = super::clock::PushClock { receipt: entry.received_at, phone_now: None, replay: false };
        let (mut results, _) =
            self.push(&device, &[PushDoc { doc: entry.doc, changes }], &clock, false).await?;
        let result = results.pop().ok_or_else(|| MergeError::Internal(anyhow::anyhow!("no result")))?;
        if result.status == wire::Status::Ok {
            self.store.quarantine_released(&ids, by).await?;
            tracing::info!(by, doc = %entry.doc, items = ids.len(), "quarantine released");
        }
        Ok(result)
    }
}

/// `base` with `changes` applied, or why not. Crafted bytes must not take the server down
/// with them, so a panic in the decoder is caught and reported like any other failure.
fn apply(mut base: Automerge, changes: &[ByteBuf]) -> (Option<Automerge>, Option<String>) {
    let decoded: Result<Vec<Change>, _> = changes.iter().map(|c| Change::from_bytes(c.to_vec())).collect();
    let decoded = match decoded {
        Ok(d) => d,
        Err(e) => return (None, Some(format!("a change does not decode: {e}"))),
    };
    match std::panic::catch_unwind(AssertUnwindSafe(move || base.apply_changes(decoded).map(|_| base))) {
        Ok(Ok(doc)) if doc.get_missing_deps(&[]).is_empty() => (Some(doc), None),
        Ok(Ok(doc)) => (Some(doc), Some("changes the server never received are missing".into())),
        Ok(Err(e)) => (None, Some(e.to_string())),
        Err(_) => (None, Some("the changes cannot be applied".into())),
    }
}
