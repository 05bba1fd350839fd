//! Restore from backup: the server comes back with a new epoch and an older state; phones put
//! back what it lost, case numbers are never issued twice. On SQLite the backup is `anlan
//! backup`'s copy; on PostgreSQL it is the `pg_dump` routine of docs/operations.md, restored
//! with `pg_restore` and `anlan new-epoch` exactly as the guide tells an administrator.

use std::path::{Path, PathBuf};
use std::process::Command;

use anlan_tests::*;
use sync_protocol::case::{Severity, Status};

const BIN: &str = env!("CARGO_BIN_EXE_anlan-under-test");

/// Runs a command to completion; its output is the failure message.
fn run(cmd: &mut Command) {
    let out = cmd.output().unwrap_or_else(|e| panic!("{cmd:?}: {e}"));
    assert!(
        out.status.success(),
        "{cmd:?} failed: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Where the backup goes: beside the SQLite database, or a dump file of its own for PostgreSQL
/// (removed when dropped).
struct BackupFile(PathBuf);

impl BackupFile {
    fn new(db: &TestDb) -> BackupFile {
        BackupFile(match db.dir() {
            Some(dir) => dir.join("backup.db"),
            None => std::env::temp_dir().join(format!("anlan-test-{:016x}.dump", rand::random::<u64>())),
        })
    }

    async fn take(&self, app: &TestApp) {
        match app.db.backend {
            Backend::Sqlite => app.store.backup_to(&self.0).await.unwrap(),
            Backend::Postgres => {
                run(Command::new("pg_dump").args(["--format=custom", "--file"]).arg(&self.0).arg(&app.db.url))
            }
        }
    }

    /// Puts the backup in place of the live database (the server is stopped).
    fn restore(&self, db: &TestDb) {
        match db.dir() {
            Some(dir) => restore_sqlite(&self.0, dir),
            None => {
                run(Command::new("pg_restore")
                    .args(["--clean", "--if-exists", "--exit-on-error", "--dbname"])
                    .arg(&db.url)
                    .arg(&self.0));
                run(Command::new(BIN).args(["new-epoch", "--database-url", &db.url]).env("RUST_LOG", "warn"));
            }
        }
    }
}

impl Drop for BackupFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

fn restore_sqlite(backup: &Path, dir: &Path) {
    for f in ["anlan.db", "anlan.db-wal", "anlan.db-shm"] {
        let _ = std::fs::remove_file(dir.join(f));
    }
    std::fs::copy(backup, dir.join("anlan.db")).unwrap();
}

on_both_backends!(after_a_restore_devices_resend_what_the_backup_missed);

async fn after_a_restore_devices_resend_what_the_backup_missed(b: Backend) {
    let app = TestApp::spawn(b).await;
    let mut officer = app.device(OFFICER);
    let mut leader = app.device(LEADER);
    officer.login().await.unwrap();
    leader.login().await.unwrap();
    let a = officer.create(&officer.new_case(PUTOU, Severity::Major, "备份前的案件"));
    officer.sync().await.unwrap();

    let backup = BackupFile::new(&app.db);
    backup.take(&app).await;
    let old_epoch = officer.epoch.clone();

    // After the backup: a new case, an edit, and the leader has seen everything.
    let b = officer.create(&officer.new_case(PUTOU, Severity::General, "备份后的案件"));
    officer.set_status(a, Status::Handling);
    officer.sync().await.unwrap();
    leader.sync().await.unwrap();
    let b_no = officer.case(b).case_no.clone().unwrap();

    // Disaster: restore the backup over the live database.
    let db = app.stop().await;
    backup.restore(&db);
    let app = TestApp::spawn_on(db).await;
    let mut before_phones = app.device(COUNTY);
    before_phones.login().await.unwrap();
    before_phones.sync().await.unwrap();
    assert_eq!(before_phones.docs.len(), 1, "the restored server holds only what the backup held");
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
