//! PostgreSQL plans a statement from the tables' statistics, and a table filled faster than
//! autovacuum analyses it (a burst after a migration, or a server with autovacuum off) has
//! none. The sync path's reads must keep to their indexes then too: these databases are filled
//! and never analysed, and the plans are read with EXPLAIN.

use anlan_server::store::{Dialect, SqlStore, logs_after_sql};
use anlan_tests::*;
use sqlx::Connection;
use sync_protocol::DocId;

/// Documents in the filled log, and changes in it: enough that scanning the log whole is what a
/// planner without statistics prefers for a join.
const DOCS: i64 = 5_000;
const CHANGES: i64 = 100_000;

/// The id the fill gives its document `i`: 16 bytes, the number at the end.
fn doc_id(i: i64) -> DocId {
    DocId((i as u128).to_be_bytes())
}

#[tokio::test]
async fn an_edit_reads_its_documents_logs_by_index_before_any_statistics() {
    let db = TestDb::new(Backend::Postgres).await;
    let store = SqlStore::connect(&db.url).await.unwrap();
    store.create_unit("990000", "测试县", "county", None).await.unwrap();
    let mut conn = sqlx::PgConnection::connect(&db.url).await.unwrap();
    sqlx::query(
        "INSERT INTO documents (doc_id, kind, unit_code, unit_path, heads, version, created_at, updated_at)
         SELECT decode(lpad(to_hex(i), 32, '0'), 'hex'), 'case', '990000', '/990000/', '\\x', 1, 0, 0
         FROM generate_series(1, $1) i",
    )
    .bind(DOCS)
    .execute(&mut conn)
    .await
    .unwrap();
    sqlx::query(
        "INSERT INTO changes (doc_id, unit_path, hash, actor, bytes, received_at)
         SELECT decode(lpad(to_hex(i % $1 + 1), 32, '0'), 'hex'), '/990000/',
                decode(lpad(to_hex(i), 64, '0'), 'hex'), '\\x00', decode(repeat('ab', 300), 'hex'), 0
         FROM generate_series(1, $2) i",
    )
    .bind(DOCS)
    .bind(CHANGES)
    .execute(&mut conn)
    .await
    .unwrap();
    let analysed: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM pg_stats WHERE tablename = 'changes'")
        .fetch_one(&mut conn)
        .await
        .unwrap();
    assert_eq!(analysed, 0, "the log was analysed: this test needs a log without statistics");

    // One phone's edit: twenty documents, each read after its snapshot (none here).
    let docs = 20;
    let explain = format!("EXPLAIN {}", logs_after_sql(Dialect::Postgres, docs));
    let mut q = sqlx::query_scalar::<_, String>(sqlx::AssertSqlSafe(explain));
    for i in 0..docs as i64 {
        q = q.bind(doc_id(1 + i * 97).0.to_vec()).bind(0i64);
    }
    let plan = q.fetch_all(&mut conn).await.unwrap().join("\n");
    assert!(plan.contains("changes_doc"), "the log is not sought by document:\n{plan}");
    assert!(!plan.contains("Seq Scan on changes"), "the whole log is scanned:\n{plan}");

    // And the statement reads what it says: every change of each document after its seq.
    let logs = store.doc_bytes_many(&[doc_id(1), doc_id(2)]).await.unwrap();
    assert_eq!(logs.values().map(|d| d.tail.len() as i64).sum::<i64>(), 2 * CHANGES / DOCS);
    conn.close().await.unwrap();
    store.close().await;
}
