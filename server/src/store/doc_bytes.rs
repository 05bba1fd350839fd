//! The bytes of many documents at once, for a request that edits documents the cache lost.
//! Reading them one by one costs two statements each (snapshot, then log), and on SQLite every
//! statement hops to sqlx's worker thread: 40 statements for a phone's 20 cases, against 2 here.

use std::collections::HashMap;

use sqlx::AssertSqlSafe;
use sync_protocol::DocId;

use super::sql::to_doc_id;
use super::*;

/// Documents per statement: two parameters each in the log's `VALUES` list.
const CHUNK: usize = 200;

impl SqlStore {
    /// For each of `docs` that exists: its snapshot and the log after it, as
    /// [`SqlStore::doc_bytes`] reads one. Snapshots are read first: one written meanwhile only
    /// moves forward over a log that only grows, so the log read after it misses nothing.
    pub async fn doc_bytes_many(&self, docs: &[DocId]) -> Result<HashMap<DocId, DocBytes>> {
        let mut out = HashMap::with_capacity(docs.len());
        for chunk in docs.chunks(CHUNK) {
            let marks = (1..=chunk.len()).map(|i| format!("${i}")).collect::<Vec<_>>().join(", ");
            let mut q = sqlx::query_as::<_, (Vec<u8>, Option<Vec<u8>>, i64)>(AssertSqlSafe(format!(
                "SELECT doc_id, snapshot, snapshot_seq FROM documents WHERE doc_id IN ({marks})"
            )));
            for d in chunk {
                q = q.bind(d.0.to_vec());
            }
            let mut from = Vec::with_capacity(chunk.len());
            for (id, snapshot, seq) in q.fetch_all(&self.pool).await? {
                let doc = to_doc_id(id)?;
                out.insert(doc, DocBytes { snapshot, tail: Vec::new() });
                from.push((doc, seq));
            }
            if from.is_empty() {
                continue;
            }
            let values = (0..from.len()).map(|i| format!("(${}, ${})", 2 * i + 1, 2 * i + 2));
            let sql = format!(
                "WITH v (v_doc, v_from) AS (VALUES {})
                 SELECT doc_id, bytes FROM changes JOIN v ON doc_id = v_doc AND seq > v_from ORDER BY seq",
                values.collect::<Vec<_>>().join(", ")
            );
            let mut q = sqlx::query_as::<_, (Vec<u8>, Vec<u8>)>(AssertSqlSafe(sql));
            for (doc, seq) in &from {
                q = q.bind(doc.0.to_vec()).bind(*seq);
            }
            for (id, bytes) in q.fetch_all(&self.pool).await? {
                if let Some(d) = out.get_mut(&to_doc_id(id)?) {
                    d.tail.push(bytes);
                }
            }
        }
        Ok(out)
    }
}
