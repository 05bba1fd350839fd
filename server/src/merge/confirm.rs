//! A leader confirms a petition date the server corrected for a wrong clock (PROTOCOL.md
//! §11). The statutory clock counts from a petition's dates, and a corrected one is only the
//! server's estimate: a leader who knows when the step happened (the paper register, the
//! petitioner's copy) says so, and the clock counts from that date.
//!
//! The confirmation is one sealed server change — the date in place, the log entry naming the
//! leader — committed through the same pipeline as a sync, so the projection, the feed and
//! every phone get it as they get any change.

use std::sync::Arc;

use automerge::ReadDoc;
use serde_bytes::ByteBuf;
use sync_protocol::DocId;
use sync_protocol::corrections;
use sync_protocol::petition::{self, read_petition};
use sync_protocol::rules::clock::{EARLIEST_MS, TOLERANCE_MS};
use sync_protocol::wire::{PushDoc, Status};

use super::MergeError;
use super::clock::PushClock;
use super::{Merger, seal};
use crate::store::{DeviceAuth, now_ms};
use sync_protocol::roles::{Rank, rank};

impl Merger {
    /// Confirm that the step at `field` of petition `doc` happened at `date` (Unix ms).
    pub async fn confirm_petition_date(
        &self,
        device: &DeviceAuth,
        doc: DocId,
        field: &str,
        date: i64,
    ) -> Result<(), MergeError> {
        if rank(&device.role) != Rank::Leader {
            return Err(MergeError::Forbidden(
                "a petition's dates are confirmed by the township and above".into(),
            ));
        }
        let metas = self.store.doc_metas(&[doc]).await?;
        let meta =
            metas.get(&doc).filter(|m| device.covers_doc(&m.unit_path, doc)).ok_or(MergeError::NotFound)?;
        let current = self.cache.load(&self.store, doc, meta).await?;
        if !matches!(current.get(automerge::ROOT, "kind"), Ok(Some((automerge::Value::Scalar(s), _))) if s.as_str() == Some(petition::KIND))
        {
            return Err(MergeError::NotFound);
        }
        let p = read_petition(&*current)
            .map_err(|e| MergeError::Internal(anyhow::anyhow!("a stored petition does not read: {e}")))?;
        let Some(index) = p.clock_corrections.iter().position(|c| c.field == field && c.pending()) else {
            return Err(MergeError::Invalid(format!(
                "{field}: no date of this petition waits for confirmation there"
            )));
        };
        let now = now_ms();
        if !(EARLIEST_MS..=now + TOLERANCE_MS).contains(&date) {
            return Err(MergeError::Invalid("date: a step is confirmed once it has happened".into()));
        }
        let path: Vec<String> = field.split('.').map(str::to_string).collect();
        let mut trial = Arc::unwrap_or_clone(current);
        seal::transact(self, doc, &mut trial, |tx| {
            corrections::write_confirmation(tx, index, &path, date, &device.user_id)
        })
        .map_err(|e| MergeError::Internal(anyhow::anyhow!("confirming a date: {e}")))?;
        let change = trial.get_last_local_change().expect("the confirmation was just made");
        let push = PushDoc { doc, changes: vec![ByteBuf::from(change.raw_bytes().to_vec())] };
        let clock = PushClock { receipt: now, phone_now: None, replay: false };
        let (mut results, _) = self.push(device, &[push], &clock, false).await?;
        match results.pop() {
            Some(r) if r.status == Status::Ok => {
                tracing::info!(by = %device.user_id, %doc, field, "petition date confirmed");
                Ok(())
            }
            Some(r) => Err(MergeError::Invalid(
                r.reason.map_or_else(|| "the date cannot be confirmed".into(), |r| r.message),
            )),
            None => Err(MergeError::Internal(anyhow::anyhow!("no result for the confirmation"))),
        }
    }
}
