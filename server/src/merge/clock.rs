//! Trusted time (PROTOCOL.md §11): the times a push claims for the first time are judged by
//! `sync_protocol::rules::clock`, and those not trusted are corrected in the document by one
//! sealed server change that also records what the phone claimed.

use std::collections::HashSet;

use automerge::Automerge;
use sync_protocol::DocId;
use sync_protocol::case::{self, Case, CorrectedField};
use sync_protocol::rules::clock::{self, ClockContext};

use super::{Merger, seal};
use crate::store::{DeviceAuth, DocMeta};

/// The clock facts of one sync request.
#[derive(Debug, Clone, Copy)]
pub struct PushClock {
    /// The server's clock when the request arrived.
    pub receipt: i64,
    /// The phone's clock reading sent with the request.
    pub phone_now: Option<i64>,
    /// A request replayed at a past `receipt` (`Merger::replay`, the history generator): what
    /// the merge stores and stamps is timed at `receipt`, not by the server's clock.
    pub replay: bool,
}

impl PushClock {
    /// The time of what this push writes now: the server's clock, or a replay's receipt.
    pub fn now(&self) -> i64 {
        if self.replay { self.receipt } else { crate::store::now_ms() }
    }

    /// The time the commit records, `None` for the server's clock at COMMIT.
    pub fn commit_time(&self) -> Option<i64> {
        self.replay.then_some(self.receipt)
    }

    /// Nothing a device writes predates its enrolment, nor an edit the document's creation.
    pub fn context(&self, device: &DeviceAuth, meta: Option<&DocMeta>) -> ClockContext {
        ClockContext {
            receipt: self.receipt,
            phone_now: self.phone_now,
            floor: device.enrolled_at.max(meta.map_or(0, |m| m.created_at)),
        }
    }
}

pub type Correction = (CorrectedField, i64, i64);

/// The times `after` holds that `before` did not, each with the time to record instead where
/// the claim is not trusted.
pub fn case_corrections(before: Option<&Case>, after: &Case, ctx: &ClockContext) -> Vec<Correction> {
    let mut claims = Vec::new();
    if before.is_none() {
        claims.push((CorrectedField::ReportedAt, after.reported_at));
    }
    let known: HashSet<&str> =
        before.map(|b| b.timeline.iter().map(|e| e.id.as_str()).collect()).unwrap_or_default();
    claims.extend(
        after
            .timeline
            .iter()
            .filter(|e| !known.contains(e.id.as_str()))
            .map(|e| (CorrectedField::Timeline(e.id.clone()), e.at)),
    );
    // Transitions are append-only, but a concurrent one may sort between stored ones: the new
    // ones are those left over when the stored ones are matched in order.
    let mut stored = before.map(|b| b.work.transitions.as_slice()).unwrap_or_default().iter().peekable();
    for (i, t) in after.work.transitions.iter().enumerate() {
        if stored.peek() == Some(&t) {
            stored.next();
        } else {
            claims.push((CorrectedField::Transition(i), t.at));
        }
    }
    claims
        .into_iter()
        .filter_map(|(f, claimed)| clock::correct(claimed, ctx).map(|c| (f, claimed, c)))
        .collect()
}

/// Write `corrections` into `trial` as one sealed server change.
pub fn apply(
    m: &Merger,
    doc: DocId,
    trial: &mut Automerge,
    corrections: &[Correction],
    now: i64,
) -> Result<(), String> {
    seal::transact_at(m, doc, trial, now, |tx| case::clock::write_corrections(tx, corrections))
        .map_err(|e| format!("correcting times: {e}"))
}
