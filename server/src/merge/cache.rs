//! A bounded cache of loaded documents. Loading costs O(document) CPU; applying a change to a
//! resident document costs ~100 µs. Each entry remembers the `version` it was loaded at, and a
//! read checks it against the database, so a stale entry (another replica wrote) is reloaded,
//! never trusted. A case committed by this process also keeps the case as read from it, so the
//! next edit's judging need not read it again.

use std::num::NonZeroUsize;
use std::sync::{Arc, Mutex};

use automerge::{Automerge, Change};
use lru::LruCache;
use sync_protocol::DocId;
use sync_protocol::case::Case;

use crate::store::{DocBytes, DocMeta, Result, SqlStore, StoreError};

pub struct DocCache {
    inner: Mutex<LruCache<DocId, Entry>>,
}

struct Entry {
    version: i64,
    /// Shared with the requests judging against it: each takes its own copy only to change it.
    doc: Arc<Automerge>,
    /// `read_case(doc)`, when this process computed it while committing `doc`.
    case: Option<Arc<Case>>,
}

impl DocCache {
    pub fn new(capacity: usize) -> Self {
        Self { inner: Mutex::new(LruCache::new(NonZeroUsize::new(capacity.max(1)).unwrap())) }
    }

    /// The document as of `meta.version`, from the cache when it is current.
    pub async fn load(&self, store: &SqlStore, doc: DocId, meta: &DocMeta) -> Result<Arc<Automerge>> {
        if let Some(e) = self.inner.lock().unwrap().get(&doc)
            && e.version == meta.version
        {
            return Ok(Arc::clone(&e.doc));
        }
        let bytes = store.doc_bytes(doc).await?;
        // Stored changes were once a device's bytes: decoded behind the same guard.
        let d = super::contain::guard(|| assemble(doc, bytes))
            .map_err(|why| StoreError::Invalid(format!("stored document {doc} does not load: {why}")))??;
        let d = Arc::new(d);
        self.keep(doc, Arc::clone(&d), meta.version, None);
        Ok(d)
    }

    /// Make resident, in one round trip, every document of `metas` the cache lacks at its
    /// version, so that the [`DocCache::load`]s of a request's documents that follow find them.
    /// A document that does not load here is left out: `load` reads it again and says why.
    pub async fn preload<'a>(
        &self,
        store: &SqlStore,
        metas: impl Iterator<Item = (&'a DocId, &'a DocMeta)>,
    ) -> Result<()> {
        let missing: Vec<(DocId, i64)> = {
            let cache = self.inner.lock().unwrap();
            metas
                .filter(|(doc, meta)| cache.peek(*doc).is_none_or(|e| e.version != meta.version))
                .map(|(doc, meta)| (*doc, meta.version))
                .collect()
        };
        if missing.len() < 2 {
            return Ok(()); // one document is one `load`, as cheap as a batch of one
        }
        let ids: Vec<DocId> = missing.iter().map(|(doc, _)| *doc).collect();
        let mut bytes = store.doc_bytes_many(&ids).await?;
        for (doc, version) in missing {
            let Some(b) = bytes.remove(&doc) else { continue };
            if let Ok(Ok(d)) = super::contain::guard(|| assemble(doc, b)) {
                self.keep(doc, Arc::new(d), version, None);
            }
        }
        Ok(())
    }

    /// Keep `d` as of `version`, with the case read from it when the caller has one.
    pub fn put(&self, doc: DocId, d: Automerge, version: i64, case: Option<Arc<Case>>) {
        self.keep(doc, Arc::new(d), version, case);
    }

    fn keep(&self, doc: DocId, d: Arc<Automerge>, version: i64, case: Option<Arc<Case>>) {
        self.inner.lock().unwrap().put(doc, Entry { version, doc: d, case });
    }

    /// The case read from the document at `version`, if the cache holds it.
    pub fn case_at(&self, doc: &DocId, version: i64) -> Option<Arc<Case>> {
        let cache = self.inner.lock().unwrap();
        cache.peek(doc).filter(|e| e.version == version).and_then(|e| e.case.clone())
    }

    pub fn forget(&self, doc: &DocId) {
        self.inner.lock().unwrap().pop(doc);
    }
}

fn assemble(doc: DocId, bytes: DocBytes) -> Result<Automerge> {
    let mut d = match &bytes.snapshot {
        Some(s) => Automerge::load(s)
            .map_err(|e| StoreError::Invalid(format!("stored snapshot of {doc} does not load: {e}")))?,
        None => Automerge::new(),
    };
    let tail = bytes
        .tail
        .into_iter()
        .map(Change::from_bytes)
        .collect::<std::result::Result<Vec<_>, _>>()
        .map_err(|e| StoreError::Invalid(format!("stored change of {doc} does not decode: {e}")))?;
    d.apply_changes(tail)
        .map_err(|e| StoreError::Invalid(format!("stored changes of {doc} do not apply: {e}")))?;
    Ok(d)
}
