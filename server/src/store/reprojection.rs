//! The rebuild of the projections from the log (`anlan reproject`), a page of documents at a
//! time: memory stays that of one page however many documents the database holds, and each
//! page is written in its own short transaction, so the server's commits are held up by one
//! page at most. A rebuild stopped half way leaves every row either as it was or rebuilt;
//! running it again finishes it.

use sqlx::AssertSqlSafe;
use sync_protocol::DocId;

use super::commit::values;
use super::sql::to_doc_id;
use super::*;

/// A document and its whole log, in feed order.
pub struct DocLog {
    pub doc: DocId,
    pub unit_path: String,
    pub changes: Vec<Vec<u8>>,
}

impl SqlStore {
    /// Up to `limit` documents of `kind` whose id is above `after`, in id order, with their logs.
    pub async fn logs_page(&self, kind: &str, after: Option<DocId>, limit: usize) -> Result<Vec<DocLog>> {
        let docs: Vec<(Vec<u8>, String)> = sqlx::query_as(
            "SELECT doc_id, unit_path FROM documents WHERE kind = $1 AND doc_id > $2 ORDER BY doc_id LIMIT $3",
        )
        .bind(kind)
        .bind(after.map_or_else(Vec::new, |d| d.0.to_vec()))
        .bind(limit as i64)
        .fetch_all(&self.pool)
        .await?;
        if docs.is_empty() {
            return Ok(vec![]);
        }
        let sql = format!(
            "SELECT doc_id, bytes FROM changes WHERE doc_id IN {} ORDER BY doc_id, seq",
            values(1, docs.len())
        );
        let mut q = sqlx::query_as(AssertSqlSafe(sql));
        for (doc, _) in &docs {
            q = q.bind(doc.clone());
        }
        let mut changes: Vec<(Vec<u8>, Vec<u8>)> = q.fetch_all(&self.pool).await?;
        changes.reverse(); // taken from the end below, so each document's log stays in order
        let mut page = Vec::with_capacity(docs.len());
        for (doc, unit_path) in docs {
            let mut log = Vec::new();
            while changes.last().is_some_and(|(d, _)| *d == doc) {
                log.push(changes.pop().expect("just seen").1);
            }
            page.push(DocLog { doc: to_doc_id(doc)?, unit_path, changes: log });
        }
        Ok(page)
    }

    /// Write one page of rebuilt rows: cases (with their photos' links) and records.
    pub async fn reproject_page(
        &self,
        cases: &[(DocId, CaseRow)],
        records: &[(DocId, String, String, RecordRow)],
    ) -> Result<()> {
        let mut tx = self.writer.begin().await?;
        super::commit::replace_cases(&mut tx, self.dialect, cases).await?;
        let refs: Vec<_> = records.iter().map(|(d, c, p, r)| (*d, c.as_str(), p.as_str(), r)).collect();
        super::records::upsert(&mut tx, &refs).await?;
        tx.commit().await?;
        Ok(())
    }

    /// After every page is written: drop the rows no logged document of their kind stands for
    /// (`case_kind` for cases and photo links, `record_kinds` for records).
    pub async fn drop_unlogged_rows(&self, case_kind: &str, record_kinds: &[&str]) -> Result<()> {
        let mut tx = self.writer.begin().await?;
        for table in ["doc_blobs", "cases"] {
            sqlx::query(AssertSqlSafe(format!(
                "DELETE FROM {table} WHERE doc_id NOT IN (SELECT doc_id FROM documents WHERE kind = $1)"
            )))
            .bind(case_kind)
            .execute(&mut *tx)
            .await?;
        }
        let sql = format!(
            "DELETE FROM records WHERE doc_id NOT IN (SELECT doc_id FROM documents WHERE kind IN {})",
            values(1, record_kinds.len())
        );
        let mut q = sqlx::query(AssertSqlSafe(sql));
        for k in record_kinds {
            q = q.bind(*k);
        }
        q.execute(&mut *tx).await?;
        tx.commit().await?;
        Ok(())
    }
}
