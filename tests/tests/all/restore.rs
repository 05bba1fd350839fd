//! Restore from backup: the server comes back with a new epoch and an older state; phones put
//! back what it lost, case numbers are never issued twice.

use anlan_tests::*;
use sync_protocol::case::{Severity, Status};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn after_a_restore_devices_resend_what_the_backup_missed() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let mut officer = app.device(OFFICER);
    let mut leader = app.device(LEADER);
    officer.login().await.unwrap();
    leader.login().await.unwrap();
    let a = officer.create(&officer.new_case(PUTOU, Severity::Major, "备份前的案件"));
    officer.sync().await.unwrap();

    let dir = app.db.dir().unwrap().clone();
    let backup = dir.join("backup.db");
    app.store.backup_to(&backup).await.unwrap();
    let old_epoch = officer.epoch.clone();

    // After the backup: a new case, an edit, and the leader has seen everything.
    let b = officer.create(&officer.new_case(PUTOU, Severity::General, "备份后的案件"));
    officer.set_status(a, Status::Handling);
    officer.sync().await.unwrap();
    leader.sync().await.unwrap();
    let b_no = officer.case(b).case_no.clone().unwrap();

    // Disaster: restore the backup over the live database.
    let db = app.stop().await;
    for f in ["anlan.db", "anlan.db-wal", "anlan.db-shm"] {
        let _ = std::fs::remove_file(dir.join(f));
    }
    std::fs::copy(&backup, dir.join("anlan.db")).unwrap();
    let app = TestApp::spawn_on(db).await;
    officer.url = app.url.clone();
    leader.url = app.url.clone();

    officer.sync().await.unwrap();
    leader.sync().await.unwrap();
    assert_ne!(officer.epoch, old_epoch, "a restored server starts a new epoch");
    officer.sync().await.unwrap();
    assert_eq!(officer.pending(), 0);

    for id in [a, b] {
        assert_eq!(officer.heads(id), leader.heads(id));
    }
    assert_eq!(leader.case(a).status, Status::Handling, "the lost edit came back from the phone");
    assert_eq!(leader.case(b).case_no.as_deref(), Some(b_no.as_str()), "the lost case keeps its number");

    // The counter moved past the re-delivered number: the next case does not reuse it.
    let c = officer.create(&officer.new_case(PUTOU, Severity::General, "恢复后的新案件"));
    officer.sync().await.unwrap();
    let c_no = officer.case(c).case_no.unwrap();
    assert!(c_no > b_no, "{c_no} after {b_no}");
    let mut fresh = app.device(COUNTY);
    fresh.login().await.unwrap();
    fresh.sync().await.unwrap();
    assert_eq!(fresh.docs.len(), 3);
}

#[tokio::test]
async fn backup_refuses_to_overwrite_and_postgres_points_to_pg_dump() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let existing = app.db.dir().unwrap().join("anlan.db");
    let err = app.store.backup_to(&existing).await.unwrap_err();
    assert!(err.to_string().contains("already exists"));
    let pg = TestApp::spawn(Backend::Postgres).await;
    let err = pg.store.backup_to(&std::env::temp_dir().join("x.db")).await.unwrap_err();
    assert!(err.to_string().contains("pg_dump"));
}
