//! The writer after a storage error: a transaction that reports success must be on disk.

use sqlx::Row;

use super::SqlStore;

fn scratch_url() -> (String, std::path::PathBuf) {
    let dir = std::env::temp_dir().join(format!("anlan-store-{:016x}", rand::random::<u64>()));
    std::fs::create_dir_all(&dir).unwrap();
    (format!("sqlite://{}?mode=rwc", dir.join("anlan.db").display()), dir)
}

/// A fresh SQLite store in its own folder, which the caller removes (also for `plan_tests`).
pub(super) async fn scratch_store() -> (SqlStore, std::path::PathBuf) {
    let (url, dir) = scratch_url();
    (SqlStore::connect(&url).await.unwrap(), dir)
}

async fn synchronous(pool: &sqlx::AnyPool) -> i64 {
    let mut conn = pool.acquire().await.unwrap();
    sqlx::query("PRAGMA synchronous").fetch_one(&mut *conn).await.unwrap().get(0)
}

#[tokio::test]
async fn a_transaction_after_the_disk_filled_is_stored_when_it_reports_success() {
    let (store, dir) = scratch_store().await;
    sqlx::query("CREATE TABLE filler (b BLOB)").execute(&store.writer).await.unwrap();
    let pages: i64 = sqlx::query("PRAGMA page_count").fetch_one(&store.writer).await.unwrap().get(0);
    sqlx::query(sqlx::AssertSqlSafe(format!("PRAGMA max_page_count = {}", pages + 30)))
        .execute(&store.writer)
        .await
        .unwrap();
    let mut failures = 0;
    let mut reported = Vec::new();
    for n in 0..200i64 {
        let attempt = async {
            let mut tx = store.writer.begin().await?;
            // Mostly small writes, now and then a large one: after the first refusal some
            // still fit, as on a real disk that is nearly full.
            let rows = if n % 5 == 0 { 8 } else { 1 };
            for _ in 0..rows {
                sqlx::query("INSERT INTO filler (b) VALUES (randomblob(3000))").execute(&mut *tx).await?;
            }
            sqlx::query("INSERT INTO meta (key, value) VALUES ($1, 'x')")
                .bind(format!("mark{n}"))
                .execute(&mut *tx)
                .await?;
            tx.commit().await
        };
        match attempt.await {
            Ok(()) => reported.push(format!("mark{n}")),
            Err(e) => {
                failures += 1;
                eprintln!("attempt {n}: {e}");
            }
        }
    }
    assert!(failures > 0, "the database never filled up");
    let stored: Vec<String> = sqlx::query("SELECT key FROM meta WHERE key LIKE 'mark%'")
        .fetch_all(&store.pool)
        .await
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect();
    let lost: Vec<_> = reported.iter().filter(|k| !stored.contains(k)).collect();
    assert!(lost.is_empty(), "{} of {} reported commits are not stored", lost.len(), reported.len());
    store.close().await;
    let _ = std::fs::remove_dir_all(dir);
}

/// sqlx counts one transaction open and SQLite has one open, but it is not sqlx's: the state a
/// storage error can leave behind. The next "transaction" would be a savepoint inside it, and
/// its "commit" would store nothing; the pool must close such a connection instead.
#[tokio::test]
async fn a_connection_whose_transaction_state_is_out_of_step_is_not_reused() {
    let (store, dir) = scratch_store().await;
    {
        let mut conn = store.writer.acquire().await.unwrap();
        let mut tx = sqlx::Connection::begin(&mut *conn).await.unwrap();
        sqlx::query("COMMIT").execute(&mut *tx).await.unwrap();
        sqlx::query("BEGIN").execute(&mut *tx).await.unwrap();
        std::mem::forget(tx);
    }
    let mut tx = store.writer.begin().await.unwrap();
    sqlx::query("INSERT INTO meta (key, value) VALUES ('after', 'x')").execute(&mut *tx).await.unwrap();
    tx.commit().await.unwrap();
    assert_eq!(store.meta("after").await.unwrap().as_deref(), Some("x"), "reported committed, not stored");
    store.close().await;
    let _ = std::fs::remove_dir_all(dir);
}

/// The reader pool skips the release check's trip (`pools::Work::Reads`): it may, because its
/// connections cannot write, and a reader sqlx still counts inside a transaction is closed.
#[tokio::test]
async fn a_reader_cannot_write_and_is_not_reused_inside_a_transaction() {
    let (store, dir) = scratch_store().await;
    let write =
        sqlx::query("INSERT INTO meta (key, value) VALUES ('reader', 'x')").execute(&store.pool).await;
    assert!(write.is_err(), "a reader connection wrote");
    {
        let mut conn = store.pool.acquire().await.unwrap();
        let mut tx = sqlx::Connection::begin(&mut *conn).await.unwrap();
        sqlx::query("SELECT 1").execute(&mut *tx).await.unwrap();
        std::mem::forget(tx);
    }
    // Every connection the pool lends can begin a transaction: none is inside one.
    let mut lent = Vec::new();
    for _ in 0..8 {
        let mut conn = store.pool.acquire().await.unwrap();
        sqlx::query("BEGIN").execute(&mut *conn).await.unwrap();
        sqlx::query("ROLLBACK").execute(&mut *conn).await.unwrap();
        lent.push(conn);
    }
    drop(lent);
    store.close().await;
    let _ = std::fs::remove_dir_all(dir);
}

/// A sync's short reads run on the SQLite writer when it is idle, since its page cache
/// survives commits (`SqlStore::hot_read`), and each read that succeeds vouches for the
/// connection so its release skips the check. A read abandoned inside a transaction vouches
/// for nothing: the writer is checked and replaced, and the next commit is a real one.
#[tokio::test]
async fn a_read_on_the_writer_vouches_only_for_a_read_that_ended_cleanly() {
    let (store, dir) = scratch_store().await;
    let scope = super::Scope::new(vec!["350000.".into()], vec![]);
    store.doc_metas(&[sync_protocol::DocId([7; 16])]).await.unwrap();
    store.scope_for("nobody", "350000.").await.unwrap();
    store.feed(&scope, 0, &Default::default(), 1024).await.unwrap();
    assert_eq!(synchronous(&store.writer).await, 2, "FULL (2) on the writer after the reads");
    {
        let mut hot = store.hot_read().await.unwrap();
        sqlx::query("BEGIN").execute(hot.conn()).await.unwrap();
    }
    let mut tx = store.writer.begin().await.unwrap();
    sqlx::query("INSERT INTO meta (key, value) VALUES ('after', 'x')").execute(&mut *tx).await.unwrap();
    tx.commit().await.unwrap();
    let mut reader = store.pool.acquire().await.unwrap();
    let stored: Option<String> = sqlx::query_scalar("SELECT value FROM meta WHERE key = 'after'")
        .fetch_optional(&mut *reader)
        .await
        .unwrap();
    assert_eq!(stored.as_deref(), Some("x"), "reported committed, not stored");
    drop(reader);
    store.close().await;
    let _ = std::fs::remove_dir_all(dir);
}

/// A writer nobody claims is worth waiting for: sqlx hands a released connection back in a
/// task of its own, so right after a commit the writer is usually not in its pool yet, and a
/// read that did not wait took a reader whose page cache the commit had emptied. A writer a
/// commit claims is not waited for, nor, beyond a bound, one an unclaimed write holds.
#[tokio::test]
async fn a_sync_read_waits_for_an_unclaimed_writer_and_never_for_a_claimed_one() {
    let (mut store, dir) = scratch_store().await;
    // The test suite shares the cores with its other tests: a millisecond is too tight a bound
    // for the writer's return there, and what is tested is that the read waits at all.
    store.hot_read_wait = std::time::Duration::from_millis(250);
    let read = || tokio::time::timeout(std::time::Duration::from_secs(5), store.hot_read());
    drop(store.writer.acquire().await.unwrap());
    let hot = read().await.expect("no hang").unwrap();
    assert!(hot.on_writer(), "the read waited for the writer on its way back to the pool");
    hot.done();

    let claim = store.claims.claim();
    let committing = store.writer.acquire().await.unwrap();
    let hot = read().await.expect("no hang").unwrap();
    assert!(!hot.on_writer(), "a claimed writer is left to the commit");
    hot.done();
    drop((committing, claim));

    let unclaimed = store.writer.acquire().await.unwrap();
    let hot = read().await.expect("no wait beyond the bound").unwrap();
    assert!(!hot.on_writer(), "a writer held by an unclaimed write is not waited for");
    hot.done();
    drop(unclaimed);
    store.close().await;
    let _ = std::fs::remove_dir_all(dir);
}

/// A case-number draw relaxes the flush for its own transaction only: the next commit on the
/// writer, the one that acknowledges, is flushed again.
#[tokio::test]
async fn the_writer_flushes_every_commit_again_after_a_number_draw() {
    let (store, dir) = scratch_store().await;
    let wanted = [("350481".to_string(), 2026, 3)];
    let first = store.draw_case_numbers(&wanted, &[]).await.unwrap();
    assert_eq!(first[&("350481".to_string(), 2026)], 1);
    assert_eq!(synchronous(&store.writer).await, 2, "synchronous = FULL (2) on the writer after a draw");
    let again = store.draw_case_numbers(&wanted, &[]).await.unwrap();
    assert_eq!(again[&("350481".to_string(), 2026)], 4, "the sequence moved on");
    store.close().await;
    let _ = std::fs::remove_dir_all(dir);
}

/// One draw over several sequences (a request reporting in two counties, or across New Year)
/// moves each by its own count, whatever order they are asked in.
#[tokio::test]
async fn one_draw_moves_each_sequence_by_its_own_count() {
    let (store, dir) = scratch_store().await;
    let key = |c: &str, y: i32| (c.to_string(), y);
    let first = store.draw_case_numbers(&[("350481".to_string(), 2026, 2)], &[]).await.unwrap();
    assert_eq!(first[&key("350481", 2026)], 1);
    let wanted =
        [("350424".to_string(), 2026, 5), ("350481".to_string(), 2027, 1), ("350481".to_string(), 2026, 3)];
    let drawn = store.draw_case_numbers(&wanted, &[]).await.unwrap();
    assert_eq!(drawn.len(), 3);
    assert_eq!(drawn[&key("350481", 2026)], 3, "after the two drawn before");
    assert_eq!(drawn[&key("350424", 2026)], 1);
    assert_eq!(drawn[&key("350481", 2027)], 1, "a new year starts its own sequence");
    let next = store.draw_case_numbers(&[("350424".to_string(), 2026, 1)], &[]).await.unwrap();
    assert_eq!(next[&key("350424", 2026)], 6, "past the five drawn together");
    store.close().await;
    let _ = std::fs::remove_dir_all(dir);
}

/// A store that loads a generated history defers its flushes on the writer and the readers,
/// also once a connection has been back in its pool; the serving store flushes on both.
#[tokio::test]
async fn a_store_for_loading_defers_its_flushes_and_a_serving_one_does_not() {
    let (url, dir) = scratch_url();
    let loading = SqlStore::connect_for_loading(&url).await.unwrap();
    let wanted = [("350481".to_string(), 2026, 1)];
    loading.draw_case_numbers(&wanted, &[]).await.unwrap();
    assert_eq!(synchronous(&loading.writer).await, 1, "NORMAL (1) on the loading writer");
    assert_eq!(synchronous(&loading.pool).await, 1, "NORMAL (1) on a loading reader");
    loading.close().await;
    let serving = SqlStore::connect(&url).await.unwrap();
    assert_eq!(synchronous(&serving.writer).await, 2, "FULL (2) on the serving writer");
    assert_eq!(synchronous(&serving.pool).await, 2, "FULL (2) on a serving reader");
    serving.close().await;
    let _ = std::fs::remove_dir_all(dir);
}

/// On SQLite the merge commit opens and ends its own transaction — COMMIT in the changes'
/// trip, or in a trip of its own when a snapshot follows them — and a COMMIT that succeeded
/// spares the writer its check on release (`SqlStore::try_commit`). Whichever of its statements
/// fails, the connection is not trusted again: the next commit is stored, what failed before
/// COMMIT is not, the draw after it is flushed again, and the failed commit vouches for no
/// later release (without the withdrawal, the failure after COMMIT lets a connection left
/// inside a transaction back into the pool, and the next commit fails).
#[tokio::test]
async fn a_commit_that_fails_at_any_statement_leaves_no_transaction_and_vouches_for_nothing() {
    // Seven points when COMMIT rides the changes' trip; nine with a snapshot's statement and
    // COMMIT's own trip.
    fail_each_point_of_a_commit(false, 7).await;
    fail_each_point_of_a_commit(true, 9).await;
}

async fn fail_each_point_of_a_commit(with_snapshot: bool, points: usize) {
    use super::{CommitOutcome, DocCommit, Faults, NewChange};
    use sync_protocol::DocId;
    let (url, dir) = scratch_url();
    let faults = Faults::default();
    let store = SqlStore::connect_with_faults(&url, faults.clone()).await.unwrap();
    sqlx::query("INSERT INTO units (code, name, kind, path) VALUES ('350481', '永安市', 'county', '/35/3504/350481/')")
        .execute(&store.writer)
        .await
        .unwrap();
    let note = |n: u8| DocCommit {
        doc: DocId([n; 16]),
        kind: "note".into(),
        unit_code: "350481".into(),
        unit_path: "/35/3504/350481/".into(),
        expected_version: None,
        changes: vec![NewChange { hash: [n; 32], actor: vec![n; 16], bytes: vec![n; 40], device_id: None }],
        heads: vec![n; 32],
        snapshot: with_snapshot.then(|| vec![n; 60]),
        case: None,
        relink: false,
        record: None,
        outbox: vec![],
        acknowledged_by: None,
    };
    let stored = |n: u8| {
        let store = store.clone();
        async move { store.doc_metas(&[DocId([n; 16])]).await.unwrap().contains_key(&DocId([n; 16])) }
    };
    let mut failed = Vec::new();
    for n in 1..40u8 {
        faults.fail_statement(n as usize);
        let outcome = store.commit(&[note(n)]).await;
        faults.fail_statement(0);
        {
            // A writer left inside a transaction sqlx does not know of: only the check on
            // release finds it, and a word left over from the failed commit would skip it.
            let mut conn = store.writer.acquire().await.unwrap();
            sqlx::query("BEGIN").execute(&mut *conn).await.unwrap();
        }
        let wanted = [("350481".to_string(), 2026, 1)];
        store.draw_case_numbers(&wanted, &[]).await.unwrap();
        assert_eq!(synchronous(&store.writer).await, 2, "statement {n}: FULL (2) after a draw");
        let after = 100 + n;
        let next = store.commit(&[note(after)]).await;
        assert!(matches!(next, Ok(CommitOutcome::Committed { .. })), "statement {n}: {next:?}");
        assert!(stored(after).await, "statement {n}: the next commit is not visible");
        match outcome {
            Ok(CommitOutcome::Committed { .. }) => {
                assert!(stored(n).await);
                break;
            }
            Ok(CommitOutcome::Conflict(_)) => panic!("statement {n}: a conflict on a new document"),
            Err(_) => failed.push((n, stored(n).await)),
        }
    }
    // Only the last point, after COMMIT (its answer lost), failed with the rows stored.
    let (last, rest) = failed.split_last().expect("no statement failed");
    assert!(last.1, "the failure after COMMIT stored nothing: {failed:?}");
    assert!(rest.iter().all(|(_, s)| !s), "a commit that failed before COMMIT left rows: {failed:?}");
    assert_eq!(failed.len(), points, "points of the commit path that failed: {failed:?}");
    store.close().await;
    let _ = std::fs::remove_dir_all(dir);
}
