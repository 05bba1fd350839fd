//! A full disk: every acknowledged change is stored, refusals are clean and retryable, and
//! nothing is lost once there is room again.

use std::collections::BTreeSet;

use anlan_server::store::Faults;
use anlan_tests::*;
use sqlx::Connection;
use sync_protocol::DocId;
use sync_protocol::case::Severity;
use sync_protocol::wire::Status;

/// A case with a ~1,600-character description, as in a real field report.
fn long_case(d: &SimDevice, n: usize) -> sync_protocol::case::write::NewCase {
    let mut c = d.new_case(PUTOU, Severity::General, &format!("满盘{n}"));
    c.description = format!("{n}：{}", "现场情况记录，双方争议较大。".repeat(40));
    c
}

/// Documents whose `ok` the device received in this response.
fn acknowledged(resp: &sync_protocol::wire::SyncResponse) -> impl Iterator<Item = DocId> + '_ {
    resp.results.iter().filter(|r| r.status == Status::Ok).map(|r| r.doc)
}

async fn stored_docs(url: &str) -> BTreeSet<DocId> {
    let mut conn = sqlx::AnyConnection::connect(url).await.unwrap();
    let rows: Vec<Vec<u8>> =
        sqlx::query_scalar("SELECT doc_id FROM documents").fetch_all(&mut conn).await.unwrap();
    rows.iter().map(|b| DocId::from_slice(b).unwrap()).collect()
}

async fn page_count(url: &str) -> i64 {
    let mut conn = sqlx::AnyConnection::connect(url).await.unwrap();
    sqlx::query_scalar("PRAGMA page_count").fetch_one(&mut conn).await.unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_change_acknowledged_around_a_full_sqlite_disk_is_stored() {
    init_logs();
    sqlx::any::install_default_drivers();
    let faults = Faults::default();
    let db = TestDb::new(Backend::Sqlite).await;
    let f = faults.clone();
    let app = TestApp::spawn_with(db, move |c| c.faults = f).await;
    let mut officer = app.device(OFFICER);
    officer.login().await.unwrap();
    faults.limit_pages(page_count(&app.db.url).await + 40);

    let mut acked = BTreeSet::new();
    let (mut refused, mut n) = (0, 0);
    // Until the third refusal; new cases stop once it is full, as a patient phone's would.
    for _ in 0..30 {
        if refused >= 3 {
            break;
        }
        for _ in 0..(if refused == 0 { 3 } else { 0 }) {
            let c = long_case(&officer, n);
            officer.create(&c);
            n += 1;
        }
        match officer.sync_once(false).await {
            Ok(resp) => acked.extend(acknowledged(&resp.unwrap())),
            Err(e) => {
                let msg = e.to_string();
                assert!(msg.contains("503") && msg.contains("storage_full"), "{msg}");
                refused += 1;
            }
        }
    }
    assert!(refused >= 3, "the database never filled up ({} acknowledged)", acked.len());
    assert!(!acked.is_empty(), "nothing fitted before the database filled up");

    // Stored, as the live server serves it to a fresh phone.
    let on_disk = stored_docs(&app.db.url).await;
    let lost: Vec<_> = acked.difference(&on_disk).collect();
    assert!(lost.is_empty(), "{} of {} acknowledged cases are not stored", lost.len(), acked.len());
    let mut leader = app.device(LEADER);
    leader.login().await.unwrap();
    leader.sync().await.unwrap();
    assert!(acked.iter().all(|d| leader.docs.contains_key(d)), "a fresh phone misses acknowledged cases");

    // Room again: the refused cases arrive on the phone's next sync.
    faults.limit_pages(1 << 30);
    officer.sync().await.unwrap();
    assert_eq!(officer.pending(), 0);
    let created: BTreeSet<DocId> = officer.docs.keys().copied().collect();

    // And after a restart, everything is still there.
    let db = app.stop().await;
    let app = TestApp::spawn_on(db).await;
    let on_disk = stored_docs(&app.db.url).await;
    assert!(
        created.is_subset(&on_disk),
        "{} cases missing after a restart",
        created.difference(&on_disk).count()
    );
    let mut fresh = app.device(LEADER);
    fresh.login().await.unwrap();
    fresh.sync().await.unwrap();
    assert!(created.iter().all(|d| fresh.docs.contains_key(d)));
}

on_both_backends!(a_commit_that_fails_at_commit_time_is_never_acknowledged);

/// COMMIT itself fails (a deferred check raising at commit time): the sync is refused, nothing
/// is acknowledged, and the same sync succeeds once the check is gone.
async fn a_commit_that_fails_at_commit_time_is_never_acknowledged(b: Backend) {
    sqlx::any::install_default_drivers();
    let app = TestApp::spawn(b).await;
    let mut officer = app.device(OFFICER);
    officer.login().await.unwrap();
    officer.create(&officer.new_case(PUTOU, Severity::General, "提交前"));
    officer.sync().await.unwrap();
    let mut conn = sqlx::AnyConnection::connect(&app.db.url).await.unwrap();
    let install: &[&str] = match b {
        // A deferred foreign key is checked at COMMIT; the trigger plants a dangling one.
        Backend::Sqlite => &[
            "CREATE TABLE commit_check (ref INTEGER REFERENCES meta_missing (id) DEFERRABLE INITIALLY DEFERRED)",
            "CREATE TABLE meta_missing (id INTEGER PRIMARY KEY)",
            "CREATE TRIGGER fail_at_commit AFTER INSERT ON changes BEGIN INSERT INTO commit_check VALUES (42); END",
        ],
        Backend::Postgres => &[
            "CREATE FUNCTION fail_at_commit() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'no room' USING ERRCODE = '53100'; END $$",
            "CREATE CONSTRAINT TRIGGER fail_at_commit AFTER INSERT ON changes DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION fail_at_commit()",
        ],
    };
    for sql in install {
        sqlx::raw_sql(sqlx::AssertSqlSafe(*sql)).execute(&mut conn).await.unwrap();
    }
    let before = stored_docs(&app.db.url).await;
    let mut pending = Vec::new();
    for i in 0..3 {
        pending.push(officer.create(&officer.new_case(PUTOU, Severity::General, &format!("提交时失败{i}"))));
        let err = officer.sync_once(false).await.unwrap_err().to_string();
        let expected = if b == Backend::Postgres { "storage_full" } else { "internal" };
        assert!(err.contains(expected), "{err}");
        assert_eq!(officer.pending(), i + 1, "a failed commit acknowledged something");
    }
    assert_eq!(stored_docs(&app.db.url).await, before, "a failed commit stored something");
    let drop: &[&str] = match b {
        Backend::Sqlite => &["DROP TRIGGER fail_at_commit"],
        Backend::Postgres => &["DROP TRIGGER fail_at_commit ON changes"],
    };
    for sql in drop {
        sqlx::raw_sql(sqlx::AssertSqlSafe(*sql)).execute(&mut conn).await.unwrap();
    }
    officer.sync().await.unwrap();
    assert_eq!(officer.pending(), 0);
    let stored = stored_docs(&app.db.url).await;
    assert!(pending.iter().all(|d| stored.contains(d)));
}

/// Every statement of the commit path, in turn, fails as a full disk would: whatever the sync
/// answered `ok` is stored, and the rest arrives on the next sync.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_ok_names_a_document_whose_changes_are_not_all_stored_whichever_statement_fails() {
    sqlx::any::install_default_drivers();
    let faults = Faults::default();
    let f = faults.clone();
    let app = TestApp::spawn_with(TestDb::new(Backend::Sqlite).await, move |c| c.faults = f).await;
    let mut officer = app.device(OFFICER);
    officer.login().await.unwrap();
    let earlier = officer.create(&officer.new_case(PUTOU, Severity::General, "旧案"));
    officer.sync().await.unwrap();
    let mut failed_at = Vec::new();
    // Enough to pass the last statement of the path: then nothing fails and the loop ends.
    for n in 1..40 {
        officer.create(&officer.new_case(PUTOU, Severity::General, &format!("第{n}次")));
        officer.edit(earlier, |tx| {
            use automerge::transaction::Transactable;
            tx.put(automerge::ROOT, "title", format!("旧案改{n}")).map(|_| ())
        });
        faults.fail_statement(n);
        let acked: BTreeSet<DocId> = match officer.sync_once(false).await {
            Ok(resp) => acknowledged(&resp.unwrap()).collect(),
            Err(e) => {
                assert!(e.to_string().contains("storage_full"), "{e}");
                failed_at.push(n);
                BTreeSet::new()
            }
        };
        faults.fail_statement(0);
        let on_disk = stored_docs(&app.db.url).await;
        assert!(acked.is_subset(&on_disk), "statement {n}: an acknowledged document is not stored");
        for doc in &acked {
            // All of its changes: the server's copy has every head the phone was told it has.
            let local = officer.heads(*doc);
            let mut leader = app.device(LEADER);
            leader.login().await.unwrap();
            leader.sync().await.unwrap();
            assert_eq!(leader.heads(*doc), local, "statement {n}: acknowledged changes missing");
        }
        officer.sync().await.unwrap();
        assert_eq!(officer.pending(), 0, "statement {n}: the retry did not deliver everything");
        if failed_at.last() != Some(&n) {
            break;
        }
    }
    assert!(failed_at.len() >= 6, "only statements {failed_at:?} of the commit path failed");
}

/// Below the free-space floor pushes and photo uploads are refused, cleanly and retryably,
/// while reads, sign-in and health checks go on; with room again the phone's retry delivers.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn below_the_free_space_floor_writes_are_refused_and_everything_else_works() {
    use anlan_server::store::FreeSpaceFloor;
    let app = TestApp::spawn(Backend::Sqlite).await;
    let mut officer = app.device(OFFICER);
    officer.login().await.unwrap();
    let stored = officer.create(&officer.new_case(PUTOU, Severity::General, "地满之前"));
    officer.sync().await.unwrap();
    let db = app.stop().await;
    let floor = FreeSpaceFloor { min_bytes: u64::MAX, min_percent: 0.0 };
    let app = TestApp::spawn_with(db, move |c| c.free_space_floor = floor).await;
    officer.url = app.url.clone();
    let waiting = officer.create(&officer.new_case(PUTOU, Severity::General, "地满之后"));

    let (req, _) = officer.build_request();
    let res = officer.post(sync_protocol::wire::encode(&req)).await.unwrap();
    assert_eq!(res.status(), 503);
    assert_eq!(res.headers()["retry-after"], "30");
    let body: serde_json::Value = res.json().await.unwrap();
    assert_eq!(body["code"], "storage_full");
    assert_eq!(officer.pending(), 1, "the refused case stays on the phone");

    let http = reqwest::Client::new();
    let photo = http
        .put(format!("{}/api/v1/blobs/{}?offset=0", app.url, "ab".repeat(32)))
        .bearer_auth(OFFICER)
        .header("content-type", "image/jpeg")
        .header("anlan-blob-size", "3")
        .body(vec![1u8, 2, 3])
        .send()
        .await
        .unwrap();
    assert_eq!(photo.status(), 503);
    // Reads and sign-in still work.
    assert_eq!(app.case_json(LEADER, stored).await["title"], "地满之前");
    let mut leader = app.device(LEADER);
    leader.login().await.unwrap();
    leader.sync().await.unwrap();
    assert!(leader.docs.contains_key(&stored));
    let health = http.get(format!("{}/healthz", app.url)).send().await.unwrap();
    assert_eq!(health.status(), 200);
    assert!(health.text().await.unwrap().starts_with("degraded"));
    let ready = http.get(format!("{}/readyz", app.url)).send().await.unwrap();
    assert_eq!(ready.status(), 503);
    let metrics = http.get(format!("{}/metrics", app.url)).send().await.unwrap().text().await.unwrap();
    assert!(metrics.contains("anlan_storage_writes_refused 1"), "{metrics}");
    assert!(metrics.contains("anlan_storage_free_bytes "), "{metrics}");
    assert!(!metrics.contains("anlan_storage_refusals_total 0"), "{metrics}");

    // Room again (the operator lowered the floor or freed space): the retry delivers.
    let db = app.stop().await;
    let app = TestApp::spawn_on(db).await;
    officer.url = app.url.clone();
    officer.sync().await.unwrap();
    assert_eq!(officer.pending(), 0);
    assert!(stored_docs(&app.db.url).await.contains(&waiting));
    let ready = http.get(format!("{}/readyz", app.url)).send().await.unwrap();
    assert_eq!(ready.status(), 200);
}
