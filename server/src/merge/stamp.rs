//! The last step of a merge: an accepted document, its case number drawn (`numbering`), becomes
//! what to commit. Stamping comes after judging and numbering so that neither calls back into
//! the other: judge → number → stamp.

use std::sync::Arc;

use automerge::transaction::CommitOptions;
use automerge::{Automerge, AutomergeError};
use sync_protocol::case::{self, Case, Severity, Status};
use sync_protocol::outbox::OutboxEvent;
use sync_protocol::wire::{self, RejectCode};
use sync_protocol::{ActorPrefix, DocId};

use super::case_outbox::{case_facts, chase_alerts};
use super::clock::PushClock;
use super::judge::{Accepted, Body, Verdict, case_row};
use super::{MergeError, Merger, contain, reason, seal};
use crate::store::{DocCommit, NewChange, OutboxItem};

/// Changes logged after the last snapshot before a new one is written with the commit.
const SNAPSHOT_EVERY: i64 = 32;

/// Replace every `Accept` with a `Commit`, stamping the case number drawn for it (`numbers`
/// holds one slot per verdict). A document whose stamping panics is rejected, not the request.
pub fn commit_accepted(
    m: &Merger,
    verdicts: &mut [Verdict],
    numbers: Vec<Option<String>>,
    clock: &PushClock,
) -> Result<(), MergeError> {
    for (v, case_no) in verdicts.iter_mut().zip(numbers) {
        let Verdict::Accept(_) = v else { continue };
        let Verdict::Accept(a) = std::mem::replace(v, Verdict::Ok { heads: vec![] }) else { unreachable!() };
        let (doc, heads) = (a.doc, wire::hashes(&a.base_heads));
        *v = match contain::guard(|| finish(m, *a, case_no, clock)) {
            Ok(verdict) => verdict?,
            Err(why) => {
                tracing::warn!(%doc, panic = why, "an accepted document made the merge panic; rejected");
                m.cache.forget(&doc);
                Verdict::Rejected { heads, reason: reason(RejectCode::BadChange, contain::bad_change(&why)) }
            }
        };
    }
    Ok(())
}

/// Turn an accepted document into what to commit, stamping `case_no` if one was issued.
fn finish(
    m: &Merger,
    mut a: Accepted,
    case_no: Option<String>,
    clock: &PushClock,
) -> Result<Verdict, MergeError> {
    if let (Some(no), Body::Case { after, .. }) = (case_no, &mut a.body) {
        stamp_case_no(m, a.doc, &mut a.trial, &no, clock.now())?;
        // A number is issued only to a case that holds none (`judge::judge_case`), so the
        // stamp puts the one value of a field that had none: the projection changes in that
        // field alone, and reading the whole case again (a sixth of a new case's CPU) would
        // only find it there.
        after.case_no = Some(no);
    }
    // The device's changes were encoded again once, to check them (`canonical`); only the
    // server's own (time corrections, the stamp) remain to encode.
    let server_changes = a.trial.get_changes(&a.received.heads).into_iter().map(|mut c| NewChange {
        hash: c.hash().0,
        actor: c.actor_id().to_bytes().to_vec(),
        device_id: (!ActorPrefix::SERVER.owns(c.actor_id())).then_some(a.device_id),
        bytes: c.bytes().into_owned(),
    });
    let new_changes: Vec<NewChange> =
        std::mem::take(&mut a.received.changes).into_iter().chain(server_changes).collect();
    let snapshot = (a.tail_count + new_changes.len() as i64 > SNAPSHOT_EVERY).then(|| a.trial.save());
    let new_heads = a.trial.get_heads();
    let (case, relink, record, outbox, acknowledged, read) = match a.body {
        Body::Case { before, after } => {
            let outbox = [
                urgent_alert(a.doc, before.as_deref(), &after, &new_heads),
                chase_alerts(a.doc, before.as_deref(), &after),
            ]
            .concat();
            let acknowledged = before.as_ref().is_some_and(|b| b.status == Status::Reported)
                && after.status != Status::Reported;
            // The links say what the stored case's attachments say (every commit that changes
            // them rewrites them), so a change that leaves them alone leaves the links alone.
            let relink = before.as_ref().is_none_or(|b| {
                !b.attachments.iter().map(|x| &x.sha256).eq(after.attachments.iter().map(|x| &x.sha256))
            });
            let row = case_row(a.doc, &after, &a.unit_path);
            (Some(row), relink, None, outbox, acknowledged, Some(Arc::new(*after)))
        }
        Body::Record { row, outbox } => (None, false, Some(row), outbox, false, None),
    };
    let commit = DocCommit {
        doc: a.doc,
        kind: a.kind,
        unit_code: a.unit_code,
        unit_path: a.unit_path.clone(),
        expected_version: a.version,
        changes: new_changes,
        heads: new_heads.iter().flat_map(|h| h.0).collect(),
        snapshot,
        case,
        relink,
        record,
        outbox,
        acknowledged_by: acknowledged.then(|| crate::store::Acknowledgement {
            user: a.user_id.clone(),
            via: crate::store::AckVia::App,
        }),
    };
    Ok(Verdict::Commit {
        commit: Box::new(commit),
        trial: Box::new(a.trial),
        case: read,
        heads: wire::hashes(&new_heads),
    })
}

fn stamp_case_no(
    m: &Merger,
    doc: DocId,
    trial: &mut Automerge,
    no: &str,
    now: i64,
) -> Result<(), MergeError> {
    trial.set_actor(m.server_actor.clone());
    let secs = now / 1000;
    trial
        .transact_with::<_, _, AutomergeError, _>(
            |_| {
                CommitOptions::default()
                    .with_message(seal::case_no_message(&m.secret, doc, no))
                    .with_time(secs)
            },
            |tx| case::write::set_case_no(tx, no),
        )
        .map_err(|f| MergeError::Internal(anyhow::anyhow!("stamping case number: {}", f.error)))?;
    Ok(())
}

/// One outbox row per transition into `urgent`, keyed by the heads that made it, so the same
/// transition can never be enqueued twice.
fn urgent_alert(
    doc: DocId,
    before: Option<&Case>,
    after: &Case,
    heads: &[automerge::ChangeHash],
) -> Vec<OutboxItem> {
    let became_urgent =
        after.severity == Severity::Urgent && before.is_none_or(|b| b.severity != Severity::Urgent);
    if !became_urgent {
        return vec![];
    }
    let cause = format!("urgent:{doc}:{}", heads.iter().map(|h| h.to_string()).collect::<Vec<_>>().join(","));
    vec![OutboxItem { event: OutboxEvent::Urgent(case_facts(doc, after)), cause }]
}
