//! Moving a county from SQLite to PostgreSQL (`anlan migrate`): everything is copied and
//! verified, and phones go on syncing from where they were, in the same epoch.

use std::collections::BTreeSet;
use std::process::Command;

use anlan_tests::*;
use sha2::Digest;
use sqlx::{Connection, Row};
use sync_protocol::case::{Severity, Status};

const BIN: &str = env!("CARGO_BIN_EXE_anlan-under-test");

/// Every table the migrations create, read from the SQL itself: a table added later must be
/// copied too, or this test fails.
fn tables_in_migrations() -> BTreeSet<String> {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../server/migrations/sqlite");
    let mut out = BTreeSet::new();
    for f in std::fs::read_dir(dir).unwrap() {
        let sql = std::fs::read_to_string(f.unwrap().path()).unwrap();
        for line in sql.lines() {
            let words: Vec<&str> = line.split_whitespace().collect();
            if let ["CREATE", "TABLE", name, ..] = words.as_slice() {
                out.insert(name.trim_end_matches('(').to_string());
            }
        }
    }
    out
}

fn migrate(data: &std::path::Path, to: &str) -> (bool, String) {
    let out = Command::new(BIN)
        .args(["migrate", "--to", to, "--data"])
        .arg(data)
        .env("RUST_LOG", "warn")
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout).to_string() + &String::from_utf8_lossy(&out.stderr);
    (out.status.success(), text)
}

/// Rows per table, straight from PostgreSQL.
async fn pg_counts(url: &str, tables: &BTreeSet<String>) -> Vec<(String, i64)> {
    let mut conn = sqlx::PgConnection::connect(url).await.unwrap();
    let mut out = Vec::new();
    for t in tables {
        let n: i64 = sqlx::query(sqlx::AssertSqlSafe(format!("SELECT COUNT(*) FROM {t}")))
            .fetch_one(&mut conn)
            .await
            .unwrap()
            .get(0);
        out.push((t.clone(), n));
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sqlite_county_moves_to_postgres_and_phones_sync_on_without_noticing() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    anlan_server::campaigns::generate_half_monthly(&app.store, anlan_server::store::now_ms()).await.unwrap();
    let (mut officer, mut leader) = app.officer_and_leader().await;
    // A burst: forty cases, a few of them urgent (alerts, deliveries), one with a photo, and
    // the leader takes half of them in hand.
    let mut ids = Vec::new();
    for i in 0..40 {
        let sev = if i % 10 == 0 { Severity::Urgent } else { Severity::General };
        ids.push(officer.create(&officer.new_case(PUTOU, sev, &format!("迁移前案件{i}"))));
    }
    let photo = anlan_tests::blobs::photo(3000);
    officer.attach(ids[2], &hex::encode(sha2::Sha256::digest(&photo)), "image/jpeg", photo.len());
    officer.sync().await.unwrap();
    app.upload_blob(OFFICER, "image/jpeg", &photo).await;
    leader.sync().await.unwrap();
    for id in ids.iter().step_by(2) {
        leader.set_status(*id, Status::Handling);
    }
    leader.sync().await.unwrap();
    officer.sync().await.unwrap();
    assert!(officer.rejected.is_empty() && leader.rejected.is_empty());
    let (epoch, cursor) = (leader.epoch.clone(), leader.cursor);
    let high_seq = app.store.high_seq().await.unwrap();
    let last_no = officer.case(ids[39]).case_no.unwrap();
    let dir = app.stop().await;
    let data = dir.dir().unwrap().clone();

    let pg = TestDb::new(Backend::Postgres).await;
    let (ok, report) = migrate(&data, &pg.url);
    assert!(ok, "{report}");
    let tables = tables_in_migrations();
    assert!(tables.len() >= 20, "{tables:?}");
    let lite = sqlx::SqliteConnection::connect(&format!("sqlite://{}", data.join("anlan.db").display()))
        .await
        .unwrap();
    let mut lite = lite;
    for (t, n) in pg_counts(&pg.url, &tables).await {
        let want: i64 = sqlx::query(sqlx::AssertSqlSafe(format!("SELECT COUNT(*) FROM {t}")))
            .fetch_one(&mut lite)
            .await
            .unwrap()
            .get(0);
        assert_eq!(n, want, "table {t}");
        assert!(report.contains(&format!("{t} ")), "{t} is not in the report:\n{report}");
    }
    assert!(report.contains("verified"), "{report}");

    // A second run would mix two counties: refused.
    let (ok, again) = migrate(&data, &pg.url);
    assert!(!ok && again.contains("not empty"), "{again}");

    // The county now runs on PostgreSQL; the phones only change nothing.
    let app = TestApp::spawn_on(pg).await;
    officer.url = app.url.clone();
    leader.url = app.url.clone();
    let new = officer.create(&officer.new_case(PUTOU, Severity::Major, "迁移后的新案件"));
    let other = officer.create(&officer.new_case(PUTOU, Severity::General, "迁移后的第二件"));
    officer.sync().await.unwrap();
    assert_eq!(officer.epoch, epoch, "same epoch: no phone re-sends its data");
    let new_no = officer.case(new).case_no.unwrap();
    assert!(new_no > last_no, "the case number sequence goes on: {new_no} after {last_no}");
    let after = app.store.high_seq().await.unwrap();
    assert!(after > high_seq, "the feed goes on past {high_seq}, at {after}");

    // The leader continues from its cursor and receives exactly what changed since.
    let resp = leader.sync_once(false).await.unwrap().unwrap();
    assert!(!resp.reset);
    assert_eq!(leader.epoch, epoch);
    let pulled: BTreeSet<_> = resp.pull.iter().map(|p| p.doc).collect();
    assert_eq!(pulled, BTreeSet::from([new, other]), "only the two documents written since");
    assert!(leader.cursor > cursor);

    // And pushes more; everyone converges, a fresh phone gets the whole county.
    leader.set_status(new, Status::Handling);
    leader.sync().await.unwrap();
    officer.sync().await.unwrap();
    assert_eq!(officer.heads(new), leader.heads(new));
    assert_eq!(officer.case(new).status, Status::Handling);
    let mut county = app.device(COUNTY);
    county.login().await.unwrap();
    county.sync().await.unwrap();
    assert_eq!(county.docs.len(), 42);
    for id in ids.iter().chain([&new, &other]) {
        assert_eq!(county.heads(*id), leader.heads(*id));
    }
    drop(dir);
}
