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
            let mut hot = self.hot_read().await?;
            let snapshots = q.fetch_all(hot.conn()).await?;
            let mut from = Vec::with_capacity(chunk.len());
            for (id, snapshot, seq) in snapshots {
                let doc = to_doc_id(id)?;
                out.insert(doc, DocBytes { snapshot, tail: Vec::new() });
                from.push((doc, seq));
            }
            if from.is_empty() {
                hot.done();
                continue;
            }
            let sql = logs_after_sql(self.dialect, from.len());
            let mut q = sqlx::query_as::<_, (Vec<u8>, Vec<u8>)>(AssertSqlSafe(sql));
            for (doc, seq) in &from {
                q = q.bind(doc.0.to_vec()).bind(*seq);
            }
            let logs = q.fetch_all(hot.conn()).await?;
            hot.done();
            for (id, bytes) in logs {
                if let Some(d) = out.get_mut(&to_doc_id(id)?) {
                    d.tail.push(bytes);
                }
            }
        }
        Ok(out)
    }
}

/// The statement [`SqlStore::doc_bytes_many`] reads the logs with: `(doc_id, bytes)` in feed
/// order of the changes after `$2` of document `$1`, after `$4` of `$3`, and so on for `docs`
/// documents. Public for the test that holds PostgreSQL to its plan.
///
/// PostgreSQL plans from statistics, and a log filled faster than autovacuum analyses it (a
/// burst after a migration, or autovacuum off) has none: it then hashed the list against the
/// whole log, a parallel scan of 270,000 changes taking 100–250 ms for one phone's edit, where
/// seeking `changes_doc` takes under a millisecond. A LATERAL subquery seeks once per document
/// whatever the statistics say; `OFFSET 0` keeps the planner from flattening it back into the
/// join. SQLite has no LATERAL and, without statistics, already seeks the index.
pub fn logs_after_sql(dialect: Dialect, docs: usize) -> String {
    let values = super::commit::values(docs, 2);
    match dialect {
        Dialect::Postgres => format!(
            "SELECT c.doc_id, c.bytes FROM (VALUES {values}) AS v (v_doc, v_from)
             CROSS JOIN LATERAL (SELECT doc_id, bytes, seq FROM changes
                                 WHERE doc_id = v.v_doc AND seq > v.v_from OFFSET 0) c
             ORDER BY c.seq"
        ),
        Dialect::Sqlite => format!(
            "WITH v (v_doc, v_from) AS (VALUES {values})
             SELECT doc_id, bytes FROM changes JOIN v ON doc_id = v_doc AND seq > v_from ORDER BY seq"
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Two documents with their changes interleaved in the log, one with a snapshot half-way.
    #[tokio::test]
    async fn many_documents_read_together_are_each_what_one_read_alone_gives() {
        let dir = std::env::temp_dir().join(format!("anlan-docbytes-{:016x}", rand::random::<u64>()));
        std::fs::create_dir_all(&dir).unwrap();
        let store =
            SqlStore::connect(&format!("sqlite://{}?mode=rwc", dir.join("a.db").display())).await.unwrap();
        store.create_unit("990000", "测试县", "county", None).await.unwrap();
        let (a, b, absent) = (DocId::random(), DocId::random(), DocId::random());
        for d in [a, b] {
            sqlx::query(
                "INSERT INTO documents (doc_id, kind, unit_code, unit_path, heads, version, created_at, updated_at)
                 VALUES ($1, 'case', '990000', '/990000/', x'', 1, 0, 0)",
            )
            .bind(d.0.to_vec())
            .execute(&store.writer)
            .await
            .unwrap();
        }
        let mut seqs = Vec::new();
        for i in 0..6u8 {
            let d = if i % 2 == 0 { a } else { b };
            let seq: i64 = sqlx::query_scalar(
                "INSERT INTO changes (doc_id, unit_path, hash, actor, bytes, received_at)
                 VALUES ($1, '/990000/', $2, x'00', $3, 0) RETURNING seq",
            )
            .bind(d.0.to_vec())
            .bind(vec![i; 32])
            .bind(vec![i; 3])
            .fetch_one(&store.writer)
            .await
            .unwrap();
            seqs.push(seq);
        }
        sqlx::query("UPDATE documents SET snapshot = x'5a', snapshot_seq = $2 WHERE doc_id = $1")
            .bind(b.0.to_vec())
            .bind(seqs[3])
            .execute(&store.writer)
            .await
            .unwrap();

        let many = store.doc_bytes_many(&[a, b, absent]).await.unwrap();

        assert_eq!(many.len(), 2, "a document that does not exist is left out");
        for d in [a, b] {
            let one = store.doc_bytes(d).await.unwrap();
            assert_eq!((&many[&d].snapshot, &many[&d].tail), (&one.snapshot, &one.tail));
        }
        assert_eq!(many[&b].tail, vec![vec![5u8; 3]], "only the log after the snapshot");
        assert_eq!(many[&a].tail.len(), 3);
        store.close().await;
        let _ = std::fs::remove_dir_all(dir);
    }
}
