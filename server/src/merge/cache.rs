//! A bounded cache of loaded documents. Loading costs O(document) CPU; applying a change to a
//! resident document costs ~100 µs. Each entry remembers the `version` it was loaded at, and a
//! read checks it against the database, so a stale entry (another replica wrote) is reloaded,
//! never trusted.

use std::num::NonZeroUsize;
use std::sync::Mutex;

use automerge::{Automerge, Change};
use lru::LruCache;
use sync_protocol::DocId;

use crate::store::{DocBytes, DocMeta, Result, SqlStore, StoreError};

pub struct DocCache {
    inner: Mutex<LruCache<DocId, (i64, Automerge)>>,
}

impl DocCache {
    pub fn new(capacity: usize) -> Self {
        Self { inner: Mutex::new(LruCache::new(NonZeroUsize::new(capacity.max(1)).unwrap())) }
    }

    /// The document as of `meta.version`, from the cache when it is current.
    pub async fn load(&self, store: &SqlStore, doc: DocId, meta: &DocMeta) -> Result<Automerge> {
        if let Some((version, d)) = self.inner.lock().unwrap().get(&doc)
            && *version == meta.version
        {
            return Ok(d.clone());
        }
        let bytes = store.doc_bytes(doc).await?;
        // Stored changes were once a device's bytes: decoded behind the same guard.
        let d = super::contain::guard(|| assemble(doc, bytes))
            .map_err(|why| StoreError::Invalid(format!("stored document {doc} does not load: {why}")))??;
        self.put(doc, d.clone(), meta.version);
        Ok(d)
    }

    pub fn put(&self, doc: DocId, d: Automerge, version: i64) {
        self.inner.lock().unwrap().put(doc, (version, d));
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
