//! Rebuild the projections (`cases`, `records`) from the change log alone.

use automerge::{Automerge, Change};
use sync_protocol::DocId;

use crate::merge::{case_row, records};
use crate::store::{SqlStore, StoreError};

/// Replace every projection row with one computed from the log. Returns how many documents.
pub async fn reproject(store: &SqlStore) -> anyhow::Result<usize> {
    let mut rows = Vec::new();
    for doc in store.doc_ids("case").await? {
        let d = replay(store, doc).await?;
        let case = sync_protocol::case::read_case(&d).map_err(|e| anyhow::anyhow!("{doc}: {e}"))?;
        let path = store.doc_path(doc).await?;
        rows.push((doc, case_row(doc, &case, &path)));
    }
    store.replace_cases(&rows).await?;
    let mut records_rows = Vec::new();
    for name in records::KINDS {
        let kind = records::kind(name).ok_or_else(|| anyhow::anyhow!("kind {name} is listed but unknown"))?;
        for doc in store.doc_ids(name).await? {
            let d = replay(store, doc).await?;
            let mut p = kind.project(doc, &d).map_err(|e| anyhow::anyhow!("{doc}: {e}"))?;
            p.row.kind = name.to_string();
            let path = store.doc_path(doc).await?;
            records_rows.push((doc, p.unit_code, path, p.row));
        }
    }
    store.replace_records(&records_rows).await?;
    Ok(rows.len() + records_rows.len())
}

/// The document from its log, not its snapshot: the log is the source of truth.
async fn replay(store: &SqlStore, doc: DocId) -> anyhow::Result<Automerge> {
    let changes = store
        .all_changes(doc)
        .await?
        .into_iter()
        .map(Change::from_bytes)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| StoreError::Invalid(format!("{doc}: {e}")))?;
    let mut d = Automerge::new();
    d.apply_changes(changes)?;
    Ok(d)
}
