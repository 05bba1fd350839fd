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
