//! The merge pipeline: everything between a decoded sync request and its response.
//!
//! Per pushed document, in this order: scope → decode → actor prefix → apply to a copy →
//! missing dependencies → schema → projection (`judge`). Then the case numbers the accepted
//! documents need are drawn (`numbering`) and stamped into them (`stamp`), each step calling
//! only forward. Then every accepted document of the request in **one** SQL transaction
//! (changes, heads, projection, outbox), COMMIT, and only then the acknowledgement. A
//! document that fails any step is rejected alone; the rest still commit.

mod acknowledge;
mod assignees;
mod authority;
mod cache;
pub mod canonical;
mod case_outbox;
mod clock;
mod confirm;
pub mod contain;
mod error;
mod judge;
mod judge_record;
mod lifecycle;
mod limits;
mod numbering;
mod partial;
pub mod permissions;
mod petition;
pub mod records;
pub mod release;
mod seal;
mod stamp;
mod sweep;
mod visit;

pub use acknowledge::{Acknowledged, VIA_SMS_NOTE};
pub use error::MergeError;
pub use judge::case_row;
pub use numbering::short_name;

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use automerge::{ActorId, ReadDoc};
use serde_bytes::ByteBuf;
use sync_protocol::wire::{self, DocResult, PullDoc, Reason, Status, SyncRequest, SyncResponse};
use sync_protocol::{ActorPrefix, DocId};

use crate::live::LiveHub;
use crate::metrics::Metrics;
use crate::store::{self, CommitOutcome, DeviceAuth, QuarantineItem, SqlStore};
pub use cache::DocCache;
use clock::PushClock;
use judge::Verdict;

/// About this much of the feed goes in one response (PROTOCOL.md §3).
pub const PAGE_BYTES: usize = 512 * 1024;
/// How often a batch is re-read and re-judged when another writer got there first.
const COMMIT_ATTEMPTS: usize = 8;

pub struct Merger {
    pub store: SqlStore,
    pub cache: DocCache,
    /// This process's actor for the changes the server writes itself. Each process has its
    /// own, so two replicas never produce two different changes with one (actor, seq).
    server_actor: ActorId,
    pub epoch: String,
    /// Key for sealing the server's own changes (see `seal`).
    secret: Vec<u8>,
    pub metrics: Arc<Metrics>,
    pub live: LiveHub,
    /// About this much of the feed goes in one response.
    pub page_bytes: usize,
    /// Requests merging at once. Merging is CPU work between short waits on the database;
    /// more of it at once than a few per core only holds more documents in memory and
    /// switches between them (the rest wait their turn, in order of arrival).
    in_flight: tokio::sync::Semaphore,
}

impl Merger {
    pub async fn new(
        store: SqlStore,
        cache_docs: usize,
        metrics: Arc<Metrics>,
        live: LiveHub,
    ) -> Result<Self, MergeError> {
        let epoch = store.epoch().await?;
        let secret = hex::decode(store.server_secret().await?).map_err(|e| MergeError::Internal(e.into()))?;
        Ok(Self {
            store,
            cache: DocCache::new(cache_docs),
            server_actor: ActorPrefix::SERVER.new_actor(),
            epoch,
            secret,
            metrics,
            live,
            page_bytes: PAGE_BYTES,
            in_flight: tokio::sync::Semaphore::new(merges_in_flight()),
        })
    }

    pub async fn sync(&self, device: &DeviceAuth, req: SyncRequest) -> Result<SyncResponse, MergeError> {
        self.sync_received(device, req, None).await
    }

    /// [`Merger::sync`] as if the request had arrived at `receipt` (Unix ms, in the past): every
    /// time the merge stores or stamps is `receipt` instead of the server's clock. For filling a
    /// database with a history through the merge itself (`tests/src/bin/histgen.rs`); the
    /// route never calls it.
    pub async fn replay(
        &self,
        device: &DeviceAuth,
        req: SyncRequest,
        receipt: i64,
    ) -> Result<SyncResponse, MergeError> {
        self.sync_received(device, req, Some(receipt)).await
    }

    async fn sync_received(
        &self,
        device: &DeviceAuth,
        mut req: SyncRequest,
        receipt: Option<i64>,
    ) -> Result<SyncResponse, MergeError> {
        let _turn = self.in_flight.acquire().await.map_err(|e| MergeError::Internal(e.into()))?;
        if req.v != wire::PROTOCOL_VERSION {
            return Err(MergeError::Invalid(format!(
                "protocol version {} is not supported; this server speaks 1",
                req.v
            )));
        }
        if req.push.len() + req.have.len() > wire::MAX_PUSH_DOCS {
            return Err(MergeError::TooLarge(format!(
                "at most {} documents per request",
                wire::MAX_PUSH_DOCS
            )));
        }
        let reset = req.epoch.as_deref().is_some_and(|e| e != self.epoch);
        let cursor = if reset { 0 } else { i64::try_from(req.cursor).unwrap_or(i64::MAX) };

        let now = || receipt.unwrap_or_else(crate::store::now_ms);
        let clock = PushClock { receipt: now(), phone_now: req.now, replay: receipt.is_some() };
        let push = merge_duplicate_entries(std::mem::take(&mut req.push));
        let (mut results, stored) = self.push(device, &push, &clock, true).await?;
        results.extend(self.have(device, &req.have).await?);

        // What this request stored from the device is in its hands; everything else in scope
        // is sent, its own earlier changes included (PROTOCOL.md §3).
        let answered = now();
        let (page, evict) = self.pull(device, &req, cursor, &stored, answered).await?;
        let mut pull: Vec<PullDoc> = Vec::new();
        for (doc, bytes) in page.changes {
            match pull.last_mut() {
                Some(last) if last.doc == doc => last.changes.push(ByteBuf::from(bytes)),
                _ => pull.push(PullDoc { doc, changes: vec![ByteBuf::from(bytes)] }),
            }
        }
        Ok(SyncResponse {
            epoch: self.epoch.clone(),
            reset,
            results,
            pull,
            cursor: page.cursor as u64,
            more: page.more,
            // The instant the working set was judged at, so the next `since` leaves no gap.
            server_time: answered,
            replica: req.replica,
            evict,
            ..Default::default()
        })
    }

    /// The results, and the hashes of the device's own changes this request stored. Refused
    /// documents are quarantined when `keep_refused` (a release judges quarantined ones again).
    async fn push(
        &self,
        device: &DeviceAuth,
        push: &[wire::PushDoc],
        clock: &PushClock,
        keep_refused: bool,
    ) -> Result<(Vec<DocResult>, HashSet<[u8; 32]>), MergeError> {
        let mut stored = HashSet::new();
        if push.is_empty() {
            return Ok((vec![], stored));
        }
        let ids: Vec<DocId> = push.iter().map(|p| p.doc).collect();
        for attempt in 1..=COMMIT_ATTEMPTS {
            let metas = self.store.doc_metas(&ids).await?;
            // Only documents the device may see: judging treats the others as absent.
            let visible = metas.iter().filter(|(doc, meta)| device.covers_doc(&meta.unit_path, **doc));
            self.cache.preload(&self.store, visible).await?;
            let mut verdicts = Vec::with_capacity(push.len());
            for p in push {
                let judged = contain::guard_async(judge::judge(self, device, p, metas.get(&p.doc), clock));
                verdicts.push(match judged.await {
                    Ok(verdict) => verdict?,
                    Err(why) => {
                        // Never the heads of a document outside the scope (judge.rs, "Scope first").
                        let meta = metas.get(&p.doc).filter(|m| device.covers_doc(&m.unit_path, p.doc));
                        self.panicked(p.doc, meta, &why).await?
                    }
                });
            }
            let wants: Vec<_> = verdicts
                .iter()
                .map(|v| match v {
                    Verdict::Accept(a) => (&a.numbering, a.reported_at()),
                    _ => (&numbering::Numbering::None, 0),
                })
                .collect();
            let numbers = numbering::draw(&self.store, &wants).await?;
            stamp::commit_accepted(self, &mut verdicts, numbers, clock)?;
            let commits: Vec<_> = verdicts.iter().filter_map(|v| v.commit()).cloned().collect();
            let mut versions = HashMap::new();
            if !commits.is_empty() {
                match self.store.commit_at(&commits, clock.commit_time()).await? {
                    CommitOutcome::Conflict(moved) => {
                        tracing::debug!(
                            attempt,
                            docs = moved.len(),
                            "documents moved during merge; judging again"
                        );
                        moved.iter().for_each(|d| self.cache.forget(d));
                        continue;
                    }
                    CommitOutcome::Committed { versions: v, high } => {
                        versions = v;
                        self.live.committed(high, &commits);
                        let own = commits.iter().flat_map(|c| &c.changes).filter(|c| c.device_id.is_some());
                        stored.extend(own.map(|c| c.hash));
                        self.metrics
                            .changes_accepted
                            .add(commits.iter().map(|c| c.changes.len() as u64).sum());
                    }
                }
            }
            if keep_refused {
                self.quarantine(device, push, &verdicts).await?;
            }
            // The cache keeps each committed document itself: copying it was 2% of a burst's
            // server CPU (BENCHMARKS.md).
            let results = push
                .iter()
                .zip(verdicts)
                .map(|(p, v)| {
                    let (result, kept) = v.into_result(p.doc, &self.metrics);
                    if let (Some((trial, case)), Some(version)) = (kept, versions.get(&p.doc)) {
                        self.cache.put(p.doc, *trial, *version, case);
                    }
                    result
                })
                .collect();
            return Ok((results, stored));
        }
        Err(MergeError::Busy("too many concurrent writers to the same documents; retry".into()))
    }

    /// The verdict on a document whose judging panicked (Automerge on a crafted change): its
    /// cached copy may have been the one half-changed, so it is forgotten and the heads come
    /// from storage.
    async fn panicked(
        &self,
        doc: DocId,
        meta: Option<&store::DocMeta>,
        why: &str,
    ) -> Result<Verdict, MergeError> {
        tracing::warn!(%doc, panic = why, "a pushed change made the merge panic; rejected");
        self.cache.forget(&doc);
        let heads = match meta {
            Some(meta) => wire::hashes(&self.cache.load(&self.store, doc, meta).await?.get_heads()),
            None => vec![],
        };
        Ok(Verdict::Rejected { heads, reason: reason(wire::RejectCode::BadChange, contain::bad_change(why)) })
    }

    async fn quarantine(
        &self,
        device: &DeviceAuth,
        push: &[wire::PushDoc],
        verdicts: &[Verdict],
    ) -> Result<(), MergeError> {
        let items: Vec<QuarantineItem> = push
            .iter()
            .zip(verdicts)
            .filter_map(|(p, v)| match v {
                Verdict::Rejected { reason, .. } => Some(QuarantineItem {
                    device_id: device.device_id,
                    doc: p.doc,
                    code: serde_json::to_value(reason.code).ok()?.as_str()?.to_string(),
                    message: reason.message.clone(),
                    changes: wire::encode(&p.changes),
                }),
                _ => None,
            })
            .collect();
        Ok(self.store.quarantine(&items).await?)
    }

    /// Answer `have` entries: does the server hold everything the client holds?
    async fn have(&self, device: &DeviceAuth, have: &[wire::HaveDoc]) -> Result<Vec<DocResult>, MergeError> {
        let ids: Vec<DocId> = have.iter().map(|h| h.doc).collect();
        let metas = self.store.doc_metas(&ids).await?;
        let mut out = Vec::with_capacity(have.len());
        for h in have {
            let doc = match metas.get(&h.doc) {
                Some(meta) if device.covers_doc(&meta.unit_path, h.doc) => {
                    Some(self.cache.load(&self.store, h.doc, meta).await?)
                }
                _ => None,
            };
            let (status, heads) = match &doc {
                Some(doc) => {
                    let all_known = h.heads.iter().all(|x| doc.get_change_by_hash(&(*x).into()).is_some());
                    (if all_known { Status::Ok } else { Status::NeedChanges }, wire::hashes(&doc.get_heads()))
                }
                None => (Status::NeedChanges, vec![]),
            };
            out.push(DocResult { doc: h.doc, status, heads, reason: None });
        }
        Ok(out)
    }
}

/// Six per core: on two cores, 4 and 12 at once did the same work for the same CPU, where 64
/// at once (the sweep burst's syncs in flight) spent a tenth more (BENCHMARKS.md).
fn merges_in_flight() -> usize {
    6 * std::thread::available_parallelism().map_or(2, |n| n.get())
}

/// A request naming one document twice is treated as one entry with both change lists.
fn merge_duplicate_entries(push: Vec<wire::PushDoc>) -> Vec<wire::PushDoc> {
    let mut out: Vec<wire::PushDoc> = Vec::with_capacity(push.len());
    for p in push {
        match out.iter_mut().find(|o| o.doc == p.doc) {
            Some(o) => o.changes.extend(p.changes),
            None => out.push(p),
        }
    }
    out
}

/// A committed document and the case read from it, for the cache.
type Kept = (Box<automerge::Automerge>, Option<Arc<sync_protocol::case::Case>>);

impl Verdict {
    /// The answer for `doc`, and what a committed verdict leaves for the cache.
    fn into_result(self, doc: DocId, metrics: &Metrics) -> (DocResult, Option<Kept>) {
        let mut kept = None;
        let (status, heads, reason) = match self {
            Verdict::Ok { heads } => (Status::Ok, heads, None),
            Verdict::Commit { heads, trial, case, .. } => {
                kept = Some((trial, case));
                (Status::Ok, heads, None)
            }
            Verdict::Accept(_) => {
                unreachable!("stamp::commit_accepted turns every Accept into a Commit")
            }
            Verdict::NeedChanges { heads } => {
                metrics.need_changes.inc();
                (Status::NeedChanges, heads, None)
            }
            Verdict::Rejected { heads, reason } => {
                metrics.docs_rejected.inc();
                (Status::Rejected, heads, Some(reason))
            }
        };
        (DocResult { doc, status, heads, reason }, kept)
    }
}

pub(crate) fn reason(code: wire::RejectCode, message: impl Into<String>) -> Reason {
    Reason { code, message: message.into() }
}
