//! Judging a pushed document of a [`RecordKind`]: the same steps as a case after the change
//! is applied — schema, fixed unit, jurisdiction, the kind's own rules — without numbering.

use automerge::Automerge;
use sync_protocol::wire::{self, RejectCode};

use super::judge::{Accepted, Applied, Body, Verdict};
use super::numbering::Numbering;
use super::records::{Judging, Projected, RecordKind};
use super::{Merger, reason};
use crate::error::AppError;
use crate::store::{DeviceAuth, DocMeta, now_ms};

pub(super) async fn judge(
    m: &Merger,
    device: &DeviceAuth,
    push: &wire::PushDoc,
    meta: Option<&DocMeta>,
    applied: Applied,
    k: &'static dyn RecordKind,
    kind: String,
) -> Result<Verdict, AppError> {
    let Applied { base, trial, base_heads, heads, received, fresh, sealed_no, genesis } = applied;
    let reject =
        |code, msg: String| Ok(Verdict::Rejected { heads: heads.clone(), reason: reason(code, msg) });
    if sealed_no.is_some() {
        return reject(RejectCode::Schema, "case_no: only cases are numbered".into());
    }
    if genesis && !k.deterministic() {
        return reject(RejectCode::ForeignActor, format!("a {kind} has no shared genesis change"));
    }
    let after = match k.project(push.doc, &trial) {
        Ok(p) => p,
        Err(e) => return reject(RejectCode::Schema, e),
    };
    // Stored documents passed `project` when they were committed; one that no longer does was
    // written under older rules and is judged as if new, so it may still be changed into shape.
    let before = meta.and_then(|_| k.project(push.doc, &base).ok());
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
        before: before_pair(&base, before.as_ref()),
        after: (&trial, &after),
        fresh: &fresh,
        now: now_ms(),
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
async fn unit_in_scope(m: &Merger, device: &DeviceAuth, p: &Projected) -> Result<Option<String>, AppError> {
    let chain = m.store.unit_chain(&p.unit_code).await?;
    Ok(chain.last().filter(|u| u.code == p.unit_code && device.covers(&u.path)).map(|u| u.path.clone()))
}
