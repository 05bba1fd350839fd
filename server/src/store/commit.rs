//! The merge commit: a whole sync request's documents in one transaction, with set-based
//! statements (a handful per request, not several per document). Each statement crosses a
//! thread and, on PostgreSQL, the network, so their number is what bounds a burst.

use std::collections::{HashMap, HashSet};

use sqlx::{Any, AnyConnection, AssertSqlSafe, Connection, Transaction};
use sync_protocol::DocId;

use super::sql::{now_ms, to_doc_id};
use super::*;

/// A storage fault injected here when a test asks for one; nothing in production builds.
macro_rules! fault_point {
    ($store:expr) => {
        #[cfg(any(test, feature = "fault-injection"))]
        $store.faults.statement()?;
    };
}

/// Rows per multi-row statement: below SQLite's 32,766 bound parameters at 15 columns.
const CHUNK: usize = 500;

/// `($1, $2, $3), ($4, $5, $6)` for `rows` rows of `cols` parameters.
pub(super) fn values(rows: usize, cols: usize) -> String {
    values_from(rows, cols, 1)
}

/// The same, numbering from `$first`; one row is an `IN` list: `($4, $5)`.
pub(super) fn values_from(rows: usize, cols: usize, first: usize) -> String {
    use std::fmt::Write;
    // Written into one buffer: a request's statements hold hundreds of placeholders, and a
    // String per placeholder and per row was 1% of the push's CPU.
    let mut sql = String::with_capacity(rows * cols * 7);
    for r in 0..rows {
        sql.push_str(if r == 0 { "(" } else { ", (" });
        for c in 0..cols {
            let sep = if c == 0 { "" } else { ", " };
            let _ = write!(sql, "{sep}${}", first + r * cols + c);
        }
        sql.push(')');
    }
    sql
}

/// `sql` with bare `?` placeholders on SQLite, when its `$n` run 1, 2, 3… in the order they are
/// written, each once (what [`values`] writes); otherwise, and on PostgreSQL, as it is. sqlx asks
/// SQLite for each parameter's name, and SQLite finds a name by walking every name before it,
/// so a request's statements of hundreds of `$n` were bound in quadratic time (2% of the push's
/// CPU); a bare `?` has no name. sqlx binds bare `?` in order, so a statement mixing both, or
/// using a number twice, keeps its `$n`.
pub(super) fn in_order(dialect: Dialect, sql: String) -> AssertSqlSafe<String> {
    AssertSqlSafe(match dialect {
        Dialect::Sqlite => bare(&sql).unwrap_or(sql),
        Dialect::Postgres => sql,
    })
}

fn bare(sql: &str) -> Option<String> {
    let bytes = sql.as_bytes();
    let mut out = String::with_capacity(sql.len());
    let (mut copied, mut i, mut next, mut quoted) = (0, 0, 1u64, false);
    while i < bytes.len() {
        match bytes[i] {
            b'\'' => quoted = !quoted,
            b'?' if !quoted => return None,
            b'$' if !quoted && bytes.get(i + 1).is_some_and(u8::is_ascii_digit) => {
                let digits = bytes[i + 1..].iter().take_while(|b| b.is_ascii_digit()).count();
                if sql[i + 1..i + 1 + digits].parse::<u64>().ok()? != next {
                    return None;
                }
                next += 1;
                out.push_str(&sql[copied..i]);
                out.push('?');
                i += 1 + digits;
                copied = i;
                continue;
            }
            _ => {}
        }
        i += 1;
    }
    out.push_str(&sql[copied..]);
    Some(out)
}

impl SqlStore {
    /// Write a batch in one transaction, or nothing if any document moved since it was read.
    ///
    /// `Committed` only after COMMIT succeeded; any error, including one from COMMIT itself
    /// (whose outcome is then unknown), is an error, and the connection that saw it is closed
    /// rather than trusted again (see `pools`). Retrying is safe: changes are idempotent.
    pub async fn commit(&self, batch: &[DocCommit]) -> Result<CommitOutcome> {
        self.commit_at(batch, None).await
    }

    /// [`SqlStore::commit`] recording `at` (Unix ms) as the time of its rows instead of the
    /// clock at COMMIT, `None` for the clock: a replayed history's past receipt.
    pub async fn commit_at(&self, batch: &[DocCommit], at: Option<i64>) -> Result<CommitOutcome> {
        self.space.check_room()?;
        let _claim = self.claims.claim();
        let mut conn = self.writer.acquire().await?;
        let result = self.try_commit(&mut conn, batch, at).await;
        match &result {
            Ok(_) => self.space.succeeded(),
            Err(_) => {
                self.vouch.withdraw();
                conn.close_on_drop();
            }
        }
        match result {
            // Two requests locking the same documents in opposite orders: PostgreSQL aborts
            // one. It is a conflict like any other; the merge layer reads and judges again.
            Err(StoreError::Sql(sqlx::Error::Database(e)))
                if matches!(e.code().as_deref(), Some("40P01" | "40001")) =>
            {
                Ok(CommitOutcome::Conflict(batch.iter().map(|c| c.doc).collect()))
            }
            Err(e) => Err(self.space.failed(e)),
            ok => ok,
        }
    }

    /// On PostgreSQL a sqlx transaction. On SQLite the transaction is the commit's own: BEGIN
    /// goes in the first statement's trip to the connection's thread, COMMIT in the last one's
    /// (the changes', unless a snapshot follows them), and a COMMIT that succeeded vouches for
    /// the connection, which then skips the check on release — three trips fewer per request.
    /// Nothing is lost to sqlx not knowing of it: an error closes the connection (`commit_at`),
    /// which rolls back, and a commit abandoned between statements releases the connection
    /// unvouched, inside its transaction, which the check then finds.
    async fn try_commit(
        &self,
        conn: &mut AnyConnection,
        batch: &[DocCommit],
        at: Option<i64>,
    ) -> Result<CommitOutcome> {
        let now = at.unwrap_or_else(now_ms);
        if batch.is_empty() {
            return Ok(CommitOutcome::Committed { versions: HashMap::new(), high: 0 });
        }
        fault_point!(self);
        let outcome = match self.dialect {
            Dialect::Postgres => {
                let mut tx = conn.begin().await?;
                let written = self.write(&mut tx, ("", ""), batch, now).await?;
                fault_point!(self);
                match written {
                    Written::Conflict(_) => tx.rollback().await?,
                    Written::Stored { .. } => tx.commit().await?,
                }
                written
            }
            Dialect::Sqlite => {
                let closing = if batch.iter().any(|c| c.snapshot.is_some()) { "" } else { "; COMMIT" };
                let written = self.write(conn, ("BEGIN; ", closing), batch, now).await?;
                let end = match written {
                    Written::Conflict(_) => Some("ROLLBACK"),
                    Written::Stored { committed: false, .. } => Some("COMMIT"),
                    Written::Stored { committed: true, .. } => None,
                };
                if let Some(end) = end {
                    fault_point!(self);
                    sqlx::query(end).execute(&mut *conn).await?;
                }
                self.vouch.give();
                written
            }
        };
        // A COMMIT that succeeded but whose answer was lost looks the same to the caller.
        fault_point!(self);
        Ok(match outcome {
            Written::Conflict(moved) => CommitOutcome::Conflict(moved),
            Written::Stored { high, .. } => {
                let versions =
                    batch.iter().map(|c| (c.doc, c.expected_version.map_or(1, |v| v + 1))).collect();
                CommitOutcome::Committed { versions, high }
            }
        })
    }

    /// The batch's statements, inside a transaction `opening` begins (SQLite) or that is
    /// already open (PostgreSQL): the first statement carries `opening` in its trip, and the
    /// changes' last statement `closing`, if there are changes (`Written::Stored::committed`).
    async fn write(
        &self,
        conn: &mut AnyConnection,
        (opening, closing): (&str, &str),
        batch: &[DocCommit],
        now: i64,
    ) -> Result<Written> {
        fault_point!(self);
        let conflicts = claim(conn, self.dialect, opening, batch, now).await?;
        if !conflicts.is_empty() {
            return Ok(Written::Conflict(conflicts));
        }
        let cases: Vec<(DocId, &CaseRow)> =
            batch.iter().filter_map(|c| c.case.as_ref().map(|r| (c.doc, r))).collect();
        for chunk in cases.chunks(CHUNK) {
            fault_point!(self);
            upsert_cases(conn, self.dialect, chunk).await?;
        }
        let relink: Vec<(DocId, &CaseRow)> =
            batch.iter().filter(|c| c.relink).filter_map(|c| c.case.as_ref().map(|r| (c.doc, r))).collect();
        let created: HashSet<DocId> =
            batch.iter().filter(|c| c.expected_version.is_none()).map(|c| c.doc).collect();
        for chunk in relink.chunks(CHUNK) {
            fault_point!(self);
            super::blobs::link(conn, chunk, &created).await?;
        }
        let records: Vec<(DocId, &str, &str, &RecordRow)> = batch
            .iter()
            .filter_map(|c| c.record.as_ref().map(|r| (c.doc, c.unit_code.as_str(), c.unit_path.as_str(), r)))
            .collect();
        fault_point!(self);
        super::records::upsert(conn, &records).await?;
        fault_point!(self);
        insert_outbox(conn, self.dialect, batch, now).await?;
        fault_point!(self);
        acknowledge_deliveries(conn, batch, now).await?;
        if self.dialect == Dialect::Postgres {
            // Feed positions must become visible in order: a reader that saw position n must
            // never later find n-1 appear. Holding this lock from the first position drawn to
            // COMMIT makes allocation order commit order; it is taken as late as possible.
            fault_point!(self);
            sqlx::query("SELECT pg_advisory_xact_lock(7242)").execute(&mut *conn).await?;
        }
        fault_point!(self);
        let (high, committed) = insert_changes(conn, self.dialect, batch, now, closing).await?;
        for d in batch.iter().filter(|d| d.snapshot.is_some()) {
            fault_point!(self);
            sqlx::query(
                "UPDATE documents SET snapshot = $2,
                   snapshot_seq = (SELECT COALESCE(MAX(seq), 0) FROM changes WHERE doc_id = $1)
                 WHERE doc_id = $1",
            )
            .bind(d.doc.0.to_vec())
            .bind(d.snapshot.clone())
            .execute(&mut *conn)
            .await?;
        }
        let paths: Vec<String> =
            batch.iter().filter(|c| !c.changes.is_empty()).map(|c| c.unit_path.clone()).collect();
        if self.dialect == Dialect::Postgres && !paths.is_empty() {
            // Delivered to every replica's listener only if this transaction commits.
            fault_point!(self);
            sqlx::query("SELECT pg_notify('anlan_feed', $1)")
                .bind(super::feed_notice::encode_commit(high, batch))
                .execute(&mut *conn)
                .await?;
        }
        Ok(Written::Stored { high, committed: committed && !closing.is_empty() })
    }
}

/// What a commit's statements did: all but the end, or (`committed`) with the COMMIT that
/// closed the changes' last statement.
enum Written {
    Conflict(Vec<DocId>),
    Stored { high: i64, committed: bool },
}

/// Insert the new documents and bump the version of the existing ones, if each is still as it
/// was read. Returns the documents that moved meanwhile.
async fn claim(
    conn: &mut AnyConnection,
    dialect: Dialect,
    opening: &str,
    batch: &[DocCommit],
    now: i64,
) -> Result<Vec<DocId>> {
    let mut opening = opening;
    let mut conflicts = Vec::new();
    let (new, old): (Vec<&DocCommit>, Vec<&DocCommit>) =
        batch.iter().partition(|c| c.expected_version.is_none());
    for chunk in new.chunks(CHUNK) {
        let sql = format!(
            "{}INSERT INTO documents (doc_id, kind, unit_code, unit_path, heads, version, tail_count, created_at, updated_at)
             VALUES {} ON CONFLICT (doc_id) DO NOTHING RETURNING doc_id",
            std::mem::take(&mut opening),
            values(chunk.len(), 9)
        );
        let mut q = sqlx::query_scalar(in_order(dialect, sql));
        for c in chunk {
            q = q
                .bind(c.doc.0.to_vec())
                .bind(&c.kind)
                .bind(&c.unit_code)
                .bind(&c.unit_path)
                .bind(&c.heads)
                .bind(1i64)
                .bind(c.changes.len() as i64)
                .bind(now)
                .bind(now);
        }
        let claimed = returned_ids(q.fetch_all(&mut *conn).await?)?;
        conflicts.extend(chunk.iter().map(|c| c.doc).filter(|d| !claimed.contains(d)));
    }
    for chunk in old.chunks(CHUNK) {
        // One statement for all existing documents; those whose version moved are not
        // returned, and are the conflicts.
        let sql = format!(
            "{}WITH v (v_doc, v_heads, v_version, v_snap, v_n) AS (VALUES {})
             UPDATE documents SET heads = v_heads, version = version + 1, updated_at = $1,
               tail_count = CASE WHEN v_snap = 1 THEN 0 ELSE tail_count + v_n END
             FROM v WHERE doc_id = v_doc AND version = v_version
             RETURNING doc_id",
            std::mem::take(&mut opening),
            values_from(chunk.len(), 5, 2)
        );
        let mut q = sqlx::query_scalar(AssertSqlSafe(sql)).bind(now);
        for c in chunk {
            q = q
                .bind(c.doc.0.to_vec())
                .bind(&c.heads)
                .bind(c.expected_version.unwrap_or_default())
                .bind(c.snapshot.is_some() as i64)
                .bind(c.changes.len() as i64);
        }
        let claimed = returned_ids(q.fetch_all(&mut *conn).await?)?;
        conflicts.extend(chunk.iter().map(|c| c.doc).filter(|d| !claimed.contains(d)));
    }
    Ok(conflicts)
}

fn returned_ids(ids: Vec<Vec<u8>>) -> Result<HashSet<DocId>> {
    ids.into_iter().map(to_doc_id).collect()
}

/// Append the changes to the log, `closing` run after the last statement in its trip;
/// returns the highest feed position written (0 if none), and whether `closing` ran (there
/// were changes to insert).
async fn insert_changes(
    conn: &mut AnyConnection,
    dialect: Dialect,
    batch: &[DocCommit],
    now: i64,
    closing: &str,
) -> Result<(i64, bool)> {
    let rows: Vec<(&DocCommit, &NewChange)> =
        batch.iter().flat_map(|c| c.changes.iter().map(move |ch| (c, ch))).collect();
    let mut high = 0;
    let chunks = rows.len().div_ceil(CHUNK);
    for (i, chunk) in rows.chunks(CHUNK).enumerate() {
        let sql = format!(
            "INSERT INTO changes (doc_id, unit_path, hash, actor, bytes, device_id, received_at)
             VALUES {} ON CONFLICT (doc_id, hash) DO NOTHING RETURNING seq{}",
            values(chunk.len(), 7),
            if i + 1 == chunks { closing } else { "" }
        );
        let mut q = sqlx::query_scalar::<_, i64>(in_order(dialect, sql));
        for (c, ch) in chunk {
            q = q
                .bind(c.doc.0.to_vec())
                .bind(&c.unit_path)
                .bind(ch.hash.to_vec())
                .bind(&ch.actor)
                .bind(&ch.bytes)
                .bind(ch.device_id)
                .bind(now);
        }
        for seq in q.fetch_all(&mut *conn).await? {
            high = high.max(seq);
        }
    }
    Ok((high, chunks > 0))
}

async fn upsert_cases(conn: &mut AnyConnection, dialect: Dialect, rows: &[(DocId, &CaseRow)]) -> Result<()> {
    let sql = format!(
        "INSERT INTO cases (doc_id, case_no, village, unit_path, category, severity, status, title, reporter, reported_at,
            responsible_leader, handler, deadline, conflicts, settled_at, body)
         VALUES {} ON CONFLICT (doc_id) DO UPDATE SET case_no = excluded.case_no, category = excluded.category,
            severity = excluded.severity, status = excluded.status, title = excluded.title,
            responsible_leader = excluded.responsible_leader, handler = excluded.handler,
            deadline = excluded.deadline, conflicts = excluded.conflicts, settled_at = excluded.settled_at,
            body = excluded.body",
        values(rows.len(), 16)
    );
    let mut q = sqlx::query(in_order(dialect, sql));
    for (doc, c) in rows {
        q = q
            .bind(doc.0.to_vec())
            .bind(c.case_no.clone())
            .bind(&c.village)
            .bind(&c.unit_path)
            .bind(&c.category)
            .bind(&c.severity)
            .bind(&c.status)
            .bind(&c.title)
            .bind(&c.reporter)
            .bind(c.reported_at)
            .bind(c.responsible_leader.clone())
            .bind(c.handler.clone())
            .bind(c.deadline)
            .bind(c.conflicts as i64)
            .bind(c.settled_at)
            .bind(&c.body);
    }
    q.execute(&mut *conn).await?;
    Ok(())
}

async fn insert_outbox(
    conn: &mut AnyConnection,
    dialect: Dialect,
    batch: &[DocCommit],
    now: i64,
) -> Result<()> {
    let rows: Vec<(DocId, &OutboxItem)> =
        batch.iter().flat_map(|c| c.outbox.iter().map(move |o| (c.doc, o))).collect();
    for chunk in rows.chunks(CHUNK) {
        let sql = format!(
            "INSERT INTO outbox (kind, doc_id, cause, payload, created_at) VALUES {} ON CONFLICT (cause) DO NOTHING",
            values(chunk.len(), 5)
        );
        let mut q = sqlx::query(in_order(dialect, sql));
        for (doc, o) in chunk {
            q = q.bind(o.event.kind()).bind(doc.0.to_vec()).bind(&o.cause).bind(o.event.payload()).bind(now);
        }
        q.execute(&mut *conn).await?;
    }
    Ok(())
}

/// The deliveries of every document the batch acknowledged, one statement per acknowledger
/// (a request has one: its device's user) rather than one per document.
async fn acknowledge_deliveries(conn: &mut AnyConnection, batch: &[DocCommit], now: i64) -> Result<()> {
    let mut by: Vec<(&Acknowledgement, Vec<DocId>)> = Vec::new();
    for c in batch {
        let Some(ack) = &c.acknowledged_by else { continue };
        match by.iter_mut().find(|(a, _)| *a == ack) {
            Some((_, docs)) => docs.push(c.doc),
            None => by.push((ack, vec![c.doc])),
        }
    }
    for (ack, docs) in by {
        for chunk in docs.chunks(CHUNK) {
            let sql = format!(
                "UPDATE deliveries SET acknowledged_at = $1, acknowledged_by = $2, acknowledged_via = $3
                 WHERE doc_id IN {} AND acknowledged_at IS NULL",
                values_from(1, chunk.len(), 4)
            );
            let mut q = sqlx::query(AssertSqlSafe(sql)).bind(now).bind(&ack.user).bind(ack.via.as_str());
            for doc in chunk {
                q = q.bind(doc.0.to_vec());
            }
            q.execute(&mut *conn).await?;
        }
    }
    Ok(())
}

/// For the rebuild of the projection, a page of rows at a time.
pub(super) async fn replace_cases(
    tx: &mut Transaction<'_, Any>,
    dialect: Dialect,
    rows: &[(DocId, CaseRow)],
) -> Result<()> {
    let refs: Vec<(DocId, &CaseRow)> = rows.iter().map(|(d, r)| (*d, r)).collect();
    for chunk in refs.chunks(CHUNK) {
        upsert_cases(tx, dialect, chunk).await?;
        super::blobs::link(tx, chunk, &HashSet::new()).await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #[test]
    fn values_numbers_parameters_row_by_row() {
        assert_eq!(super::values(2, 3), "($1, $2, $3), ($4, $5, $6)");
        assert_eq!(super::values_from(1, 2, 2), "($2, $3)");
    }

    #[test]
    fn sqlite_gets_bare_placeholders_only_where_they_bind_the_same() {
        use super::{Dialect, in_order};
        let sqlite = |sql: &str| in_order(Dialect::Sqlite, sql.to_string()).0;
        let batch = format!("BEGIN; INSERT INTO t VALUES {} RETURNING seq; COMMIT", super::values(2, 2));
        assert_eq!(sqlite(&batch), "BEGIN; INSERT INTO t VALUES (?, ?), (?, ?) RETURNING seq; COMMIT");
        assert_eq!(
            sqlite("UPDATE t SET a = '$1 ?', b = $1 WHERE c = $2"),
            "UPDATE t SET a = '$1 ?', b = ? WHERE c = ?"
        );
        assert_eq!(sqlite("SELECT 'café', $1, $2"), "SELECT 'café', ?, ?");
        for kept in ["SELECT $2, $1", "SELECT $1 WHERE a = $1", "SELECT $1, $3", "SELECT $1, ?"] {
            assert_eq!(sqlite(kept), kept);
        }
        assert_eq!(in_order(Dialect::Postgres, batch.clone()).0, batch);
    }
}
