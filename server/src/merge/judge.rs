//! Judging one pushed document: accept (with what to commit), ask for missing changes, or
//! reject with a reason. No writes happen here.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use automerge::{Automerge, AutomergeError, Change, ROOT, ReadDoc};
use sync_protocol::case::{self, Case, Writer};
use sync_protocol::wire::{self, Hash, Reason, RejectCode};
use sync_protocol::{DocId, UnitKind};

use super::MergeError;
use super::canonical::Received;
use super::clock::{self, PushClock};
use super::contain::{self, Unusable};
use super::numbering::{self, Numbering};
use super::{Merger, authority, canonical, limits, permissions, reason, records, seal};

use crate::store::{CaseRow, DeviceAuth, DocCommit, DocMeta, OutboxItem, RecordRow};

const MAX_CHANGES_PER_DOC: usize = 2_000;
const MAX_BYTES_PER_DOC: usize = 4 * 1024 * 1024;

pub enum Verdict {
    /// Nothing new: the server already had every change.
    Ok {
        heads: Vec<Hash>,
    },
    /// Valid; waiting for its case number (if it needs one) before it becomes a `Commit`.
    Accept(Box<Accepted>),
    Commit {
        commit: Box<DocCommit>,
        trial: Box<Automerge>,
        /// The case as committed (`read_case(trial)`), kept with it in the cache.
        case: Option<Arc<Case>>,
        heads: Vec<Hash>,
    },
    NeedChanges {
        heads: Vec<Hash>,
    },
    Rejected {
        heads: Vec<Hash>,
        reason: Reason,
    },
}

pub struct Accepted {
    pub doc: DocId,
    pub(super) device_id: i64,
    pub(super) user_id: String,
    pub(super) trial: Automerge,
    pub(super) base_heads: Vec<automerge::ChangeHash>,
    pub(super) received: Received,
    pub(super) version: Option<i64>,
    pub(super) tail_count: i64,
    pub(super) body: Body,
    pub(super) kind: String,
    pub(super) unit_code: String,
    pub(super) unit_path: String,
    pub numbering: Numbering,
}

/// What the kind of document adds to an accepted push.
pub enum Body {
    /// Boxed: a case is many times the size of a record's row.
    Case {
        before: Option<Box<Case>>,
        after: Box<Case>,
    },
    Record {
        row: RecordRow,
        outbox: Vec<OutboxItem>,
    },
}

impl Accepted {
    /// When the case was reported: the year of its number. Only cases are numbered.
    pub fn reported_at(&self) -> i64 {
        match &self.body {
            Body::Case { after, .. } => after.reported_at,
            Body::Record { .. } => 0,
        }
    }
}

/// A push decoded and applied to a copy of the stored document, before any kind's rules.
pub(super) struct Applied {
    pub base: Arc<Automerge>,
    pub trial: Automerge,
    pub base_heads: Vec<automerge::ChangeHash>,
    pub heads: Vec<Hash>,
    pub received: Received,
    /// The device's new changes to an existing document; empty for a new one.
    pub fresh: Vec<Change>,
    pub sealed_no: Option<String>,
    /// The push carried a deterministic genesis change (see `records::is_genesis`).
    pub genesis: bool,
    /// The server's own sealed changes the push re-delivered: its word, not the device's.
    pub sealed: Vec<Change>,
}

impl Verdict {
    pub fn commit(&self) -> Option<&DocCommit> {
        match self {
            Verdict::Commit { commit, .. } => Some(commit),
            _ => None,
        }
    }
}

pub async fn judge(
    m: &Merger,
    device: &DeviceAuth,
    push: &wire::PushDoc,
    meta: Option<&DocMeta>,
    clock: &PushClock,
) -> Result<Verdict, MergeError> {
    // Scope first. A document outside the jurisdiction is judged exactly as if it did not
    // exist, so the answer cannot tell anyone that it does.
    let hidden = meta.is_some_and(|meta| !device.covers_doc(&meta.unit_path, push.doc));
    let meta = meta.filter(|meta| device.covers_doc(&meta.unit_path, push.doc));
    let base = match meta {
        Some(meta) => m.cache.load(&m.store, push.doc, meta).await?,
        None => Arc::new(Automerge::new()),
    };
    let base_heads = base.get_heads();
    let heads = wire::hashes(&base_heads);
    let reject =
        |code, msg: String| Ok(Verdict::Rejected { heads: heads.clone(), reason: reason(code, msg) });

    let total: usize = push.changes.iter().map(|c| c.len()).sum();
    if push.changes.len() > MAX_CHANGES_PER_DOC || total > MAX_BYTES_PER_DOC {
        return reject(
            RejectCode::TooLarge,
            format!("{} changes, {total} bytes; split the push", push.changes.len()),
        );
    }
    let mut fresh = Vec::new();
    // The bytes as the device sent them, stored verbatim: re-encoding (and re-compressing)
    // each change would cost more CPU than everything else the merge does.
    let mut received = HashMap::new();
    let mut seen = HashSet::new();
    let mut sealed_no = None;
    let mut genesis = false;
    let mut server_changes = HashSet::new();
    for (i, bytes) in push.changes.iter().enumerate() {
        let change = match super::contain::decode(bytes) {
            Ok(c) => c,
            Err(e) => {
                return reject(RejectCode::BadChange, format!("change {i} does not decode: {e}"));
            }
        };
        if base.get_change_by_hash(&change.hash()).is_some() || !seen.insert(change.hash()) {
            continue; // already stored or sent twice: a no-op whoever sent it
        }
        // The server's own changes, re-delivered (e.g. after a restore): its word, not the device's.
        if let Some(no) = seal::verify_case_no(&m.secret, push.doc, &change) {
            sealed_no = Some(no);
            server_changes.insert(change.hash());
        } else if seal::verify_sealed(&m.secret, push.doc, &change) {
            // Another sealed server change (a time correction, a re-asserted guarded field).
            server_changes.insert(change.hash());
        } else if records::is_genesis(push.doc, &change) {
            genesis = true; // judged below: only kinds addressed deterministically may have one
        } else if !device.actor_prefix.owns(change.actor_id()) {
            return reject(
                RejectCode::ForeignActor,
                format!("change {i} has actor {} which is not this device's", change.actor_id()),
            );
        }
        received.insert(change.hash(), bytes.to_vec());
        fresh.push(change);
    }
    if fresh.is_empty() {
        return Ok(Verdict::Ok { heads });
    }

    // Kept for rules that judge an existing document change by change; a new one is judged
    // by what it holds, and the burst of new cases skips the copy.
    let kept = match meta {
        Some(_) => fresh.iter().filter(|c| !server_changes.contains(&c.hash())).cloned().collect(),
        None => Vec::new(),
    };
    let sealed = fresh.iter().filter(|c| server_changes.contains(&c.hash())).cloned().collect();
    let trial = match contain::apply(Automerge::clone(&base), fresh) {
        Ok(trial) => trial,
        Err(Unusable::Refused(e @ AutomergeError::DuplicateSeqNumber(..))) => {
            return reject(RejectCode::DuplicateSeq, e.to_string());
        }
        Err(e) => return reject(RejectCode::BadChange, e.to_string()),
    };
    // Orphans are queued silently by Automerge; they must never be stored.
    if !trial.get_missing_deps(&[]).is_empty() {
        return Ok(Verdict::NeedChanges { heads });
    }
    let received = match canonical::check(&trial, &base_heads, received, device.device_id) {
        Ok(received) => received,
        Err(e) => return reject(RejectCode::BadChange, e),
    };

    let kind = match trial.get(ROOT, "kind") {
        Ok(Some((automerge::Value::Scalar(s), _))) => s.as_str().unwrap_or_default().to_string(),
        _ => String::new(),
    };
    let record_kind = match kind.as_str() {
        case::KIND => None,
        other => match records::kind(other) {
            Some(k) => Some(k),
            None => return reject(RejectCode::Schema, format!("kind: unknown document kind '{kind}'")),
        },
    };
    let applied = Applied {
        base,
        trial,
        base_heads,
        heads: heads.clone(),
        received,
        fresh: kept,
        sealed_no,
        genesis,
        sealed,
    };
    let verdict = match record_kind {
        None => judge_case(m, device, push, meta, applied, clock).await?,
        Some(k) => super::judge_record::judge(m, device, push, meta, applied, k, kind, clock).await?,
    };
    if hidden && matches!(verdict, Verdict::Accept(_)) {
        // A valid new document under an id already taken outside the scope: it cannot be
        // stored, and saying more than "not yours" would describe the other document.
        return reject(RejectCode::OutOfScope, format!("document {} is not in your jurisdiction", push.doc));
    }
    Ok(verdict)
}

async fn judge_case(
    m: &Merger,
    device: &DeviceAuth,
    push: &wire::PushDoc,
    meta: Option<&DocMeta>,
    applied: Applied,
    clock: &PushClock,
) -> Result<Verdict, MergeError> {
    let Applied { base, mut trial, base_heads, heads, received, fresh, sealed_no, genesis, .. } = applied;
    let reject =
        |code, msg: String| Ok(Verdict::Rejected { heads: heads.clone(), reason: reason(code, msg) });
    if genesis {
        return reject(RejectCode::ForeignActor, "a case has no shared genesis change".into());
    }
    // Every edit of an existing case is judged change by change (lifecycle rules hold for all).
    let judged_by_change = meta.is_some();
    let fresh_changes = if judged_by_change { fresh } else { Vec::new() };
    let mut after = match case::read_case(&trial) {
        Ok(c) => c,
        Err(e) => return reject(RejectCode::Schema, e.to_string()),
    };
    let before = match meta {
        Some(meta) => before_case(m, push.doc, meta, &base),
        None => None,
    };
    // A re-delivered, sealed case number is the server's word, not the device's.
    let mut checked = after.clone();
    if sealed_no.is_some() && sealed_no == after.case_no {
        checked.case_no = before.as_ref().and_then(|b| b.case_no.clone());
    }
    if let Err(e) = case::check_transition(before.as_ref(), &checked, Writer::User(&device.user_id)) {
        return reject(RejectCode::Schema, e.to_string());
    }
    let allowed = match &before {
        None => permissions::check_new(&after, &device.role),
        Some(_) => permissions::check_changes(&trial, &fresh_changes, &device.role, &device.user_id),
    };
    if let Err(e) = allowed {
        return reject(RejectCode::Forbidden, e);
    }
    if let Err(e) = limits::check(before.as_ref(), &after, &trial, &fresh_changes) {
        return reject(RejectCode::Schema, e);
    }
    // Allowed where its author stood; the merged document may still hold a guarded value no
    // one allowed chose, which the server puts back in the same commit.
    if authority::settle(m, device, push.doc, &mut trial, clock.now()).await? {
        after = case::read_case(&trial)
            .map_err(|e| MergeError::Internal(anyhow::anyhow!("re-asserting broke the schema: {e}")))?;
    }

    let (unit_code, unit_path, county) = match meta {
        Some(meta) => (meta.unit_code.clone(), meta.unit_path.clone(), None),
        None => {
            let chain = m.store.unit_chain(&after.village).await?;
            let Some(village) = chain.last().filter(|u| u.is(UnitKind::Village) && device.covers(&u.path))
            else {
                return reject(
                    RejectCode::OutOfScope,
                    format!("village {} is not in your jurisdiction", after.village),
                );
            };
            let county = chain.iter().find(|u| u.is(UnitKind::County)).cloned();
            (village.code.clone(), village.path.clone(), county)
        }
    };

    if let Err(e) = super::assignees::check(&m.store, device, before.as_ref(), &after, &unit_path).await? {
        return reject(RejectCode::Forbidden, e);
    }
    // Times the phone's clock got wrong are corrected before anything (the case number's
    // year, alerts, the projection) is computed from them.
    let corrections = clock::case_corrections(before.as_ref(), &after, &clock.context(device, meta));
    if !corrections.is_empty() {
        clock::apply(m, push.doc, &mut trial, &corrections, clock.now())
            .map_err(|e| MergeError::Internal(anyhow::anyhow!(e)))?;
        after = case::read_case(&trial)
            .map_err(|e| MergeError::Internal(anyhow::anyhow!("time correction broke the schema: {e}")))?;
    }

    // Only numbering needs the county; most pushes edit numbered cases and skip the lookup.
    let numbering = match (&after.case_no, &sealed_no) {
        (Some(_), None) => Numbering::None,
        (case_no, _) => {
            let county = match county {
                Some(c) => Some(c),
                None => numbering::county_of(&m.store, &unit_path).await?,
            };
            match (county, case_no) {
                (None, _) => Numbering::None,
                (Some(county), None) => Numbering::Issue(county),
                // A number this server issued before a restore: never issue it again.
                (Some(county), Some(no)) if sealed_no.as_ref() == Some(no) => {
                    match no.rsplit('-').next().and_then(|n| n.parse().ok()) {
                        Some(n) => Numbering::KeepPast(county, n),
                        None => Numbering::None,
                    }
                }
                _ => Numbering::None,
            }
        }
    };
    Ok(Verdict::Accept(Box::new(Accepted {
        doc: push.doc,
        device_id: device.device_id,
        user_id: device.user_id.clone(),
        trial,
        base_heads,
        received,
        version: meta.map(|m| m.version),
        tail_count: meta.map_or(0, |m| m.tail_count),
        body: Body::Case { before: before.map(Box::new), after: Box::new(after) },
        kind: case::KIND.to_string(),
        unit_code,
        unit_path,
        numbering,
    })))
}

/// The stored case as read from `base`: kept in the cache by the commit that wrote it, or read.
fn before_case(m: &Merger, doc: DocId, meta: &DocMeta, base: &Automerge) -> Option<Case> {
    match m.cache.case_at(&doc, meta.version) {
        Some(kept) => {
            debug_assert_eq!(Some(&*kept), case::read_case(base).ok().as_ref(), "the cached case of {doc}");
            Some(Case::clone(&kept))
        }
        None => case::read_case(base).ok(),
    }
}

pub fn case_row(doc: DocId, c: &Case, unit_path: &str) -> CaseRow {
    let body = crate::routes::wire::cases::CaseView::json(doc, c);
    let settled_at = crate::stats::resolution::is_settled(c.status.as_str(), Some(&body))
        .then(|| crate::stats::resolution::resolved_at(&body, c.reported_at).0);
    CaseRow {
        case_no: c.case_no.clone(),
        village: c.village.clone(),
        unit_path: unit_path.to_string(),
        category: c.category.to_string(),
        severity: c.severity.to_string(),
        status: c.status.to_string(),
        title: c.title.clone(),
        reporter: c.reporter.clone(),
        reported_at: c.reported_at,
        responsible_leader: c.responsible_leader.clone(),
        handler: c.handler.clone(),
        deadline: c.deadline,
        conflicts: !c.conflicts.is_empty(),
        settled_at,
        attachments: c.attachments.iter().map(|a| a.sha256.clone()).collect(),
        body,
    }
}
