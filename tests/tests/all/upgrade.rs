//! Upgrades: a database written by the previous release (schema 9, the committed fixture) is
//! migrated forward when today's binary opens it, and everything in it stays usable.

use anlan_tests::*;
use sqlx::{Connection, Row, SqliteConnection};
use sync_protocol::case::{Severity, Status};

const BIN: &str = env!("CARGO_BIN_EXE_anlan-under-test");
const FIXTURE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/upgrade/schema-0009.sqlite");

/// The highest migration number in the source tree.
fn newest_migration() -> i64 {
    std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/../server/migrations/sqlite"))
        .unwrap()
        .filter_map(|e| e.unwrap().file_name().to_str()?.split('_').next()?.parse().ok())
        .max()
        .unwrap()
}

async fn scalar(conn: &mut SqliteConnection, sql: &str) -> String {
    let r = sqlx::query(sqlx::AssertSqlSafe(sql.to_string())).fetch_one(conn).await.unwrap();
    r.try_get::<String, _>(0).or_else(|_| r.try_get::<i64, _>(0).map(|n| n.to_string())).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_database_from_the_previous_release_opens_upgraded_with_its_data_intact() {
    let db = TestDb::new(Backend::Sqlite).await;
    let file = db.dir().unwrap().join("anlan.db");
    std::fs::copy(FIXTURE, &file).unwrap();
    let url = format!("sqlite://{}", file.display());
    let checks = [
        "SELECT max(version) FROM _sqlx_migrations",
        "SELECT value FROM meta WHERE key = 'epoch'",
        "SELECT count(*) FROM changes",
        "SELECT count(*) FROM cases",
        "SELECT group_concat(case_no || status, ',') FROM (SELECT case_no, status FROM cases ORDER BY case_no)",
        "SELECT max(seq) FROM changes",
        "SELECT max(case_no) FROM cases",
    ];
    let mut before = Vec::new();
    {
        let mut conn = SqliteConnection::connect(&url).await.unwrap();
        for q in checks {
            before.push(scalar(&mut conn, q).await);
        }
    }
    assert!(
        before[0].parse::<i64>().unwrap() < newest_migration(),
        "the fixture predates the newest migration"
    );
    let cases: i64 = before[3].parse().unwrap();
    assert!(cases >= 10);

    let app = TestApp::spawn_on(db).await;
    let mut after = Vec::new();
    {
        let mut conn = SqliteConnection::connect(&url).await.unwrap();
        for q in checks {
            after.push(scalar(&mut conn, q).await);
        }
    }
    assert_eq!(after[0], newest_migration().to_string(), "migrated forward to today's schema");
    assert_eq!(after[1..], before[1..], "epoch, change log, cases and numbers as they were");

    // Phones that never saw the old server read every case; one keeps working.
    let (mut officer, mut leader) = app.officer_and_leader().await;
    officer.sync().await.unwrap();
    leader.sync().await.unwrap();
    assert_eq!(leader.docs.len() as i64, cases);
    let some = *leader.docs.keys().next().unwrap();
    let json = app.case_json(LEADER, some).await;
    assert!(json["title"].as_str().is_some_and(|t| t.starts_with("升级前案件")), "{json}");
    let new = officer.create(&officer.new_case(PUTOU, Severity::General, "升级后的案件"));
    officer.sync().await.unwrap();
    leader.sync().await.unwrap();
    leader.set_status(new, Status::Handling);
    leader.sync().await.unwrap();
    officer.sync().await.unwrap();
    assert_eq!(officer.case(new).status, Status::Handling);
    assert_eq!(officer.heads(new), leader.heads(new));
    let no = officer.case(new).case_no.unwrap();
    assert!(no > before[6], "the case number sequence goes on: {no} after {}", before[6]);
}

#[test]
fn the_version_names_the_schema() {
    let out = std::process::Command::new(BIN).arg("--version").output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success());
    assert!(text.contains(&format!("(schema {})", newest_migration())), "{text}");
}
