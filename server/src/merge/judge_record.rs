//! Judging a pushed document of a [`RecordKind`]: the same steps as a case after the change
//! is applied — times the phone's clock got wrong corrected first (PROTOCOL.md §11), then
//! schema, fixed unit, jurisdiction, the kind's own rules — without numbering.

use automerge::{Automerge, ReadDoc};
use sync_protocol::corrections::{self, Claim};
use sync_protocol::rules::clock as rule;
use sync_protocol::wire::{self, RejectCode};

use super::MergeError;
use super::clock::PushClock;
use super::judge::{Accepted, Applied, Body, Verdict};
use super::numbering::Numbering;
use super::records::{Judging, Projected, RecordKind};
use super::{Merger, reason, seal};
use crate::store::{DeviceAuth, DocMeta};

#[allow(clippy::too_many_arguments)] // the judge's state, handed on whole
pub(super) async fn judge(
    m: &Merger,
    device: &DeviceAuth,
    push: &wire::PushDoc,
    meta: Option<&DocMeta>,
    applied: Applied,
    k: &'static dyn RecordKind,
    kind: String,
    clock: &PushClock,
) -> Result<Verdict, MergeError> {
    let Applied { mut base, mut trial, base_heads, heads, received, fresh, sealed_no, genesis, sealed } =
        applied;
    let reject =
        |code, msg: String| Ok(Verdict::Rejected { heads: heads.clone(), reason: reason(code, msg) });
    if sealed_no.is_some() {
        return reject(RejectCode::Schema, "case_no: only cases are numbered".into());
    }
    if genesis && !k.deterministic() {
        return reject(RejectCode::ForeignActor, format!("a {kind} has no shared genesis change"));
    }
    // The server's sealed changes are what it had said, re-delivered or just made (a date a
    // leader confirmed): the device is judged against them. One whose dependencies are not
    // stored yet waits in Automerge's queue and is judged with the device's changes.
    if !sealed.is_empty() {
        // The cached document is shared: this copy is the request's own.
        std::sync::Arc::make_mut(&mut base)
            .apply_changes(sealed)
            .map_err(|e| MergeError::Internal(e.into()))?;
    }
    let base: &Automerge = &base;
    // Only the server writes the log. (A re-delivered correction made on top of the device's
    // own changes — after a restore — cannot be told apart from them here; it is sealed, so
    // it is genuine, and the log is taken as it reads.)
    let queued = !base.get_missing_deps(&[]).is_empty();
    if !queued && corrections::log_of(base) != corrections::log_of(&trial) {
        return reject(RejectCode::Forbidden, "clock_corrections: only the server corrects times".into());
    }
    // A document with a shared genesis (a sweep report) is created by whichever phone pushes
    // first: another phone's answer written offline before that push is no edit of something
    // it could not yet have seen, so only its enrolment bounds its times.
    let ctx = clock.context(device, meta.filter(|_| !k.deterministic()));
    let claims = corrections::new_claims(&k.claims(base), &k.claims(&trial));
    let mut fixes: Vec<(Claim, i64)> =
        claims.iter().filter_map(|c| rule::correct(c.at, &ctx).map(|at| (c.clone(), at))).collect();
    if k.ordered() {
        super::records::keep_order(&k.claims(&trial), &mut fixes);
    }
    if !fixes.is_empty() {
        seal::transact_at(m, push.doc, &mut trial, clock.now(), |tx| {
            corrections::write_corrections(tx, &fixes)
        })
        .map_err(|e| MergeError::Internal(anyhow::anyhow!("correcting times: {e}")))?;
    }
    let after = match k.project(push.doc, &trial) {
        Ok(p) => p,
        Err(e) => return reject(RejectCode::Schema, e),
    };
    // Stored documents passed `project` when they were committed; one that no longer does was
    // written under older rules and is judged as if new, so it may still be changed into shape.
    let before = meta.and_then(|_| k.project(push.doc, base).ok());
    let (unit_code, unit_path) = match meta {
        Some(meta) => {
            if after.unit_code != meta.unit_code {
                return reject(RejectCode::Schema, "unit: cannot change after the record is created".into());
            }
            (meta.unit_code.clone(), meta.unit_path.clone())
        }
        None => match unit_in_scope(m, device, &after).await? {
            Some(path) => (after.unit_code.clone(), path),
            None => {
                return reject(
                    RejectCode::OutOfScope,
                    format!("unit {} is not in your jurisdiction", after.unit_code),
                );
            }
        },
    };
    let judging = Judging {
        doc: push.doc,
        device,
        before: before_pair(base, before.as_ref()),
        after: (&trial, &after),
        fresh: &fresh,
        now: clock.receipt,
        clock: ctx,
        claims: &claims,
        context: m.store.record_context(&kind, after.row.ref_key.as_deref(), &after.unit_code).await?,
    };
    if let Err((code, msg)) = k.check(&judging) {
        return reject(code, msg);
    }
    let outbox = k.outbox(&judging);
    let mut row = after.row.clone();
    row.kind = kind.clone();
    Ok(Verdict::Accept(Box::new(Accepted {
        doc: push.doc,
        device_id: device.device_id,
        user_id: device.user_id.clone(),
        trial,
        base_heads,
        received,
        version: meta.map(|m| m.version),
        tail_count: meta.map_or(0, |m| m.tail_count),
        body: Body::Record { row, outbox },
        kind,
        unit_code,
        unit_path,
        numbering: Numbering::None,
    })))
}

fn before_pair<'a>(base: &'a Automerge, p: Option<&'a Projected>) -> Option<(&'a Automerge, &'a Projected)> {
    p.map(|p| (base, p))
}

/// The unit path of a new record's unit, if the device's user covers it.
async fn unit_in_scope(m: &Merger, device: &DeviceAuth, p: &Projected) -> Result<Option<String>, MergeError> {
    let chain = m.store.unit_chain(&p.unit_code).await?;
    Ok(chain.last().filter(|u| u.code == p.unit_code && device.covers(&u.path)).map(|u| u.path.clone()))
}
