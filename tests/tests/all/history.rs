//! The history generator's route (`anlan_tests::history`, `histgen`): the same phones' requests
//! replayed through `Merger::replay` at their past receipt times, and posted to `/api/v1/sync`
//! over HTTP, store the same rows, except the times and the server's own changes (whose actor is
//! each process's own), which must differ.

use std::sync::Arc;

use anlan_server::live::LiveHub;
use anlan_server::merge::Merger;
use anlan_server::metrics::Metrics;
use anlan_server::store::SqlStore;
use anlan_tests::history::{History, Request, Roster, Shape, backdate};
use anlan_tests::*;
use sqlx::{Connection, Row};
use sync_protocol::wire::{self, Status, SyncResponse};

const DAY_MS: i64 = 12_000;
const DAYS: usize = 40;

/// Every row of `sql`, each column read as text (blobs in hex, NULL as "∅").
async fn rows(url: &str, sql: &str) -> Vec<Vec<String>> {
    let mut c = sqlx::SqliteConnection::connect(url).await.unwrap();
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql.to_string())).fetch_all(&mut c).await.unwrap();
    rows.iter()
        .map(|r| {
            (0..r.len())
                .map(|i| {
                    if let Ok(v) = r.try_get::<Option<String>, _>(i) {
                        v.unwrap_or_else(|| "∅".into())
                    } else if let Ok(v) = r.try_get::<Option<i64>, _>(i) {
                        v.map_or("∅".into(), |v| v.to_string())
                    } else {
                        r.try_get::<Option<Vec<u8>>, _>(i).unwrap().map_or("∅".into(), hex::encode)
                    }
                })
                .collect()
        })
        .collect()
}

fn all_accepted(res: &SyncResponse) {
    for r in &res.results {
        assert_eq!(r.status, Status::Ok, "{:?}", r.reason);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_replayed_history_stores_what_the_same_requests_store_over_http() {
    // Arrange: one roster, copied byte for byte, so both databases know the same phones.
    let replayed = TestDb::new(Backend::Sqlite).await;
    let store = SqlStore::connect(&replayed.url).await.unwrap();
    let shape = Shape { villages: 4, villages_per_township: 2, townships_per_county: 2 };
    let roster = Roster::create(&store, &shape).await.unwrap();
    let start = device::now_ms() - DAYS as i64 * DAY_MS - 60_000;
    store.close().await;
    backdate(&replayed.url, start).await.unwrap();
    let posted = TestDb::new(Backend::Sqlite).await;
    for f in ["anlan.db", "anlan.db-wal", "anlan.db-shm"] {
        let from = replayed.dir().unwrap().join(f);
        if from.exists() {
            std::fs::copy(from, posted.dir().unwrap().join(f)).unwrap();
        }
    }
    let mut history = History::new(roster.clone(), 40, DAYS, start, DAY_MS, 7);
    let mut requests: Vec<Request> = Vec::new();
    while let Some(day) = history.next_day() {
        requests.extend(day.requests);
    }
    assert!(history.open_cases() < 40, "some cases lived to be closed");

    // Act: the merge at the history's times, as `histgen generate` loads it (its commits
    // flushed when SQLite chooses), then HTTP at the clock's.
    let store = SqlStore::connect_for_loading(&replayed.url).await.unwrap();
    let merger =
        Merger::new(store.clone(), 100, Arc::new(Metrics::default()), LiveHub::new(false)).await.unwrap();
    for r in &requests {
        let device = store.device_by_id(r.device_id).await.unwrap().unwrap();
        all_accepted(&merger.replay(&device, r.req.clone(), r.receipt).await.unwrap());
    }
    store.close().await;
    let app = TestApp::spawn_on(posted).await;
    let http = reqwest::Client::new();
    for r in &requests {
        let res = http
            .post(format!("{}/api/v1/sync", app.url))
            .bearer_auth(&r.token)
            .header("content-type", wire::CONTENT_TYPE)
            .body(wire::encode(&r.req))
            .send()
            .await
            .unwrap();
        assert!(res.status().is_success(), "{}", res.status());
        all_accepted(&wire::decode(&res.bytes().await.unwrap()).unwrap());
    }
    let posted_url = app.db.url.clone();

    // Assert: the same cases, changes and documents; the times are the history's.
    let same = [
        "SELECT * FROM cases ORDER BY doc_id",
        "SELECT doc_id, unit_path, hash, actor, bytes, device_id FROM changes WHERE device_id IS NOT NULL ORDER BY doc_id, hash",
        "SELECT doc_id, COUNT(*) FROM changes WHERE device_id IS NULL GROUP BY doc_id ORDER BY doc_id",
        "SELECT doc_id, kind, unit_code, unit_path, version, tail_count, snapshot IS NULL FROM documents ORDER BY doc_id",
        "SELECT kind, doc_id FROM outbox ORDER BY doc_id, kind",
    ];
    for sql in same {
        let (a, b) = (rows(&replayed.url, sql).await, rows(&posted_url, sql).await);
        assert!(!a.is_empty() || sql.contains("outbox"), "{sql}: no rows");
        assert_eq!(a, b, "{sql}");
    }
    let cases = rows(&replayed.url, "SELECT case_no, status FROM cases").await;
    assert_eq!(cases.len(), 40);
    assert!(cases.iter().all(|c| c[0] != "∅"), "every case numbered by the server");
    assert!(cases.iter().any(|c| c[1] == "closed") && cases.iter().any(|c| c[1] != "closed"));
    let receipts: std::collections::HashSet<String> =
        requests.iter().map(|r| r.receipt.to_string()).collect();
    for sql in ["SELECT DISTINCT received_at FROM changes", "SELECT DISTINCT updated_at FROM documents"] {
        let times = rows(&replayed.url, sql).await;
        assert!(times.iter().all(|t| receipts.contains(&t[0])), "{sql}: the replay's receipts");
        let times = rows(&posted_url, sql).await;
        assert!(times.iter().all(|t| !receipts.contains(&t[0])), "{sql}: the clock's");
    }
    // The server's own changes carry the time of the request that caused them, in whole
    // seconds as Automerge records it (this history's are its case numbers; re-asserted
    // authority and corrected times take the same time, `PushClock::now`).
    let seconds: std::collections::HashSet<i64> = requests.iter().map(|r| r.receipt / 1000).collect();
    let server_changes = rows(&replayed.url, "SELECT bytes FROM changes WHERE device_id IS NULL").await;
    assert_eq!(server_changes.len(), 40, "a number for each case");
    for row in server_changes {
        let change = automerge::Change::from_bytes(hex::decode(&row[0]).unwrap()).unwrap();
        assert!(seconds.contains(&change.timestamp()), "a server change timed {} s", change.timestamp());
    }
    app.stop().await;
}
