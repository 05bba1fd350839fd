//! Acknowledging a case on a person's behalf, without their phone: the `/a/<code>` link in an
//! alert SMS. The server writes the status move itself — a sealed change (see `seal`) whose
//! transition names that person and says how — and commits it like any merge, so every phone
//! receives it and escalation stops exactly as when a leader taps 已知悉 in the app.

use automerge::Automerge;
use sync_protocol::DocId;
use sync_protocol::case::{self, Status};

use super::MergeError;
use super::{COMMIT_ATTEMPTS, Merger, seal};
use crate::store::{AckVia, Acknowledgement, CommitOutcome, DocCommit, NewChange};

/// The note on the transition, so the case's history says how it was acknowledged.
pub const VIA_SMS_NOTE: &str = "经短信链接知悉";

/// What came of an acknowledgement on someone's behalf.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Acknowledged {
    /// This request moved the case to 已知悉.
    Now,
    /// Someone had already moved it on from 已上报: nothing was written.
    Already,
}

impl Merger {
    /// Move `doc` from 已上报 to 已知悉 as `user_id`, via `via`.
    pub async fn acknowledge_for(
        &self,
        doc: DocId,
        user_id: &str,
        via: AckVia,
    ) -> Result<Acknowledged, MergeError> {
        for _ in 0..COMMIT_ATTEMPTS {
            let metas = self.store.doc_metas(&[doc]).await?;
            let meta = metas.get(&doc).ok_or(MergeError::NotFound)?;
            let base = self.cache.load(&self.store, doc, meta).await?;
            let before = case::read_case(&*base)
                .map_err(|e| MergeError::Internal(anyhow::anyhow!("stored case does not read: {e}")))?;
            if before.status != Status::Reported {
                return Ok(Acknowledged::Already);
            }
            let base_heads = base.get_heads();
            let mut trial = Automerge::clone(&base);
            let now = crate::store::now_ms();
            let note = match via {
                AckVia::SmsLink => Some(VIA_SMS_NOTE),
                AckVia::App => None,
            };
            let m = case::write::Move { note, ..case::write::Move::new(Status::Acknowledged, user_id, now) };
            seal::transact(self, doc, &mut trial, |tx| case::write::transition(tx, &m))
                .map_err(|e| MergeError::Internal(e.into()))?;
            let after = case::read_case(&trial)
                .map_err(|e| MergeError::Internal(anyhow::anyhow!("acknowledged case does not read: {e}")))?;
            let changes = trial
                .get_changes(&base_heads)
                .into_iter()
                .map(|mut c| NewChange {
                    hash: c.hash().0,
                    actor: c.actor_id().to_bytes().to_vec(),
                    device_id: None,
                    bytes: c.bytes().into_owned(),
                })
                .collect();
            let commit = DocCommit {
                doc,
                kind: case::KIND.to_string(),
                unit_code: meta.unit_code.clone(),
                unit_path: meta.unit_path.clone(),
                expected_version: Some(meta.version),
                changes,
                heads: trial.get_heads().iter().flat_map(|h| h.0).collect(),
                snapshot: None,
                case: Some(super::case_row(doc, &after, &meta.unit_path)),
                // An acknowledgement moves the status only; the links are rewritten anyway.
                relink: true,
                record: None,
                outbox: vec![],
                acknowledged_by: Some(Acknowledgement { user: user_id.to_owned(), via }),
            };
            match self.store.commit(std::slice::from_ref(&commit)).await? {
                CommitOutcome::Conflict(_) => self.cache.forget(&doc),
                CommitOutcome::Committed { versions, high } => {
                    if let Some(v) = versions.get(&doc) {
                        self.cache.put(doc, trial, *v, None);
                    }
                    self.live.committed(high, &[commit]);
                    return Ok(Acknowledged::Now);
                }
            }
        }
        Err(MergeError::Busy("too many concurrent writers to the same case; retry".into()))
    }
}
