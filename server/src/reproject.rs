//! Rebuild the projections (`cases`, `records`) from the change log alone, a page of documents
//! at a time (see `store/reprojection.rs`).

use automerge::{Automerge, Change};
use sync_protocol::{DocId, case};

use crate::merge::{case_row, records};
use crate::store::{DocLog, SqlStore, StoreError};

/// Documents read, replayed and written at once: a few MiB of logs.
const PAGE: usize = 500;

/// Replace every projection row with one computed from the log. Returns how many documents.
pub async fn reproject(store: &SqlStore) -> anyhow::Result<usize> {
    reproject_paged(store, PAGE).await
}

/// [`reproject`], `per_page` documents at a time.
pub async fn reproject_paged(store: &SqlStore, per_page: usize) -> anyhow::Result<usize> {
    let mut n = 0;
    let mut after = None;
    loop {
        let page = store.logs_page(case::KIND, after, per_page).await?;
        let Some(last) = page.last() else { break };
        after = Some(last.doc);
        let mut rows = Vec::with_capacity(page.len());
        for DocLog { doc, unit_path, changes } in page {
            let d = replay(doc, changes)?;
            let c = case::read_case(&d).map_err(|e| anyhow::anyhow!("{doc}: {e}"))?;
            rows.push((doc, case_row(doc, &c, &unit_path)));
        }
        store.reproject_page(&rows, &[]).await?;
        n += rows.len();
    }
    for name in records::KINDS {
        let kind = records::kind(name).ok_or_else(|| anyhow::anyhow!("kind {name} is listed but unknown"))?;
        let mut after = None;
        loop {
            let page = store.logs_page(name, after, per_page).await?;
            let Some(last) = page.last() else { break };
            after = Some(last.doc);
            let mut rows = Vec::with_capacity(page.len());
            for DocLog { doc, unit_path, changes } in page {
                let d = replay(doc, changes)?;
                let mut p = kind.project(doc, &d).map_err(|e| anyhow::anyhow!("{doc}: {e}"))?;
                p.row.kind = name.to_string();
                rows.push((doc, p.unit_code, unit_path, p.row));
            }
            store.reproject_page(&[], &rows).await?;
            n += rows.len();
        }
    }
    store.drop_unlogged_rows(case::KIND, records::KINDS).await?;
    Ok(n)
}

/// The document from its log, not its snapshot: the log is the source of truth.
fn replay(doc: DocId, log: Vec<Vec<u8>>) -> anyhow::Result<Automerge> {
    let changes = log
        .into_iter()
        .map(Change::from_bytes)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| StoreError::Invalid(format!("{doc}: {e}")))?;
    let mut d = Automerge::new();
    d.apply_changes(changes)?;
    Ok(d)
}
