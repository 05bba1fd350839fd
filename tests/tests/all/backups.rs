//! Scheduled backups and the restore drill: copies appear on schedule and rotate, and a county
//! restored from one comes back with phones re-sending what the copy lacked.

use std::time::Duration;

use anlan_server::backups::{self, BackupSchedule};
use anlan_tests::*;
use sync_protocol::case::{Severity, Status};

const BIN: &str = env!("CARGO_BIN_EXE_anlan-under-test");

/// Wait until the backup folder holds a backup that is not in `before`; return it.
async fn next_backup(dir: &std::path::Path, before: &[std::path::PathBuf]) -> std::path::PathBuf {
    for _ in 0..100 {
        if let Some(new) =
            backups::list(dir).unwrap_or_default().into_iter().rev().find(|p| !before.contains(p))
        {
            return new;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("no new backup in {}", dir.display());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn scheduled_backups_rotate_and_a_restore_drill_loses_nothing_phones_hold() {
    let db = TestDb::new(Backend::Sqlite).await;
    let data = db.dir().unwrap().clone();
    let dir = data.join("backups");
    let schedule = BackupSchedule { dir: dir.clone(), every: Duration::from_millis(300), keep: 2 };
    let app = TestApp::spawn_with(db, |c| c.backups = Some(schedule)).await;
    let (mut officer, mut leader) = app.officer_and_leader().await;
    let a = officer.create(&officer.new_case(PUTOU, Severity::Major, "备份前的案件"));
    officer.sync().await.unwrap();
    leader.sync().await.unwrap();

    // A backup taken after the sync holds case A; keep it aside before rotation deletes it.
    let seen = backups::list(&dir).unwrap_or_default();
    let copy = next_backup(&dir, &seen).await;
    let kept = data.join("drill.db");
    std::fs::copy(&copy, &kept).unwrap();
    let old_epoch = officer.epoch.clone();

    // Rotation: however many were taken, two remain, and no half-written one shows.
    let mut taken = backups::list(&dir).unwrap();
    for _ in 0..3 {
        let new = next_backup(&dir, &taken).await;
        taken.push(new);
    }
    let left = backups::list(&dir).unwrap();
    assert_eq!(left.len(), 2, "{left:?}");
    assert!(std::fs::read_dir(&dir).unwrap().count() <= 3, "at most one .partial beside two backups");
    let metrics = app.metrics().await;
    assert!(metrics.contains("anlan_backup_last_success_timestamp_seconds"), "{metrics}");
    assert!(metrics.contains("anlan_backup_failures_total 0\n"), "{metrics}");

    // Work the backup does not hold: the officer's new case and the leader's status change.
    let b = officer.create(&officer.new_case(PUTOU, Severity::General, "备份后的案件"));
    officer.sync().await.unwrap();
    leader.sync().await.unwrap();
    leader.set_status(a, Status::Handling);
    leader.sync().await.unwrap();
    let b_no = officer.case(b).case_no.unwrap();

    // The drill: stop, put the backup in place, start.
    let db = app.stop().await;
    for f in ["anlan.db", "anlan.db-wal", "anlan.db-shm"] {
        let _ = std::fs::remove_file(data.join(f));
    }
    std::fs::copy(&kept, data.join("anlan.db")).unwrap();
    let app = TestApp::spawn_on(db).await;
    officer.url = app.url.clone();
    leader.url = app.url.clone();
    for _ in 0..2 {
        officer.sync().await.unwrap();
        leader.sync().await.unwrap();
    }
    assert_ne!(officer.epoch, old_epoch, "a restored server starts a new epoch");
    officer.sync().await.unwrap();
    assert_eq!(officer.pending(), 0, "{:?}", officer.rejected);
    assert_eq!(leader.pending(), 0, "{:?}", leader.rejected);
    assert_eq!(officer.case(a).status, Status::Handling, "the leader's lost edit came back");
    assert_eq!(leader.case(b).case_no.as_deref(), Some(b_no.as_str()), "the lost case keeps its number");
    let mut county = app.device(COUNTY);
    county.login().await.unwrap();
    county.sync().await.unwrap();
    assert_eq!(county.docs.len(), 2);
    assert_eq!(county.heads(a), officer.heads(a));
}

#[tokio::test]
async fn scheduled_backups_of_postgres_are_refused_with_a_pointer_to_pg_dump() {
    let pg = TestDb::new(Backend::Postgres).await;
    let out = std::process::Command::new(BIN)
        .args(["serve", "--listen", "127.0.0.1:0", "--static-dir", "/nonexistent", "--database-url"])
        .arg(&pg.url)
        .arg("--backup-dir")
        .arg(std::env::temp_dir().join("anlan-never"))
        .env("RUST_LOG", "warn")
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(err.contains("pg_dump"), "{err}");
}
