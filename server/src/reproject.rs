//! Rebuild the case projection from the change log alone.

use automerge::{Automerge, Change};

use crate::merge::case_row;
use crate::store::{SqlStore, StoreError};

/// Replace every projection row with one computed from the log. Returns how many cases.
pub async fn reproject(store: &SqlStore) -> anyhow::Result<usize> {
    let mut rows = Vec::new();
    for doc in store.doc_ids("case").await? {
        // Replaying the log, not the snapshot: the log is the source of truth.
        let changes = store
            .all_changes(doc)
            .await?
            .into_iter()
            .map(Change::from_bytes)
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| StoreError::Invalid(format!("{doc}: {e}")))?;
        let mut d = Automerge::new();
        d.apply_changes(changes)?;
        let case = sync_protocol::case::read_case(&d).map_err(|e| anyhow::anyhow!("{doc}: {e}"))?;
        let path = store.doc_path(doc).await?;
        rows.push((doc, case_row(doc, &case, &path)));
    }
    store.replace_cases(&rows).await?;
    Ok(rows.len())
}
