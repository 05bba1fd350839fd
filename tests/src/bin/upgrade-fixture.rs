//! Writes the upgrade test's fixture: a SQLite database as the release before the newest
//! migration left it, holding demo accounts and synced cases.
//!
//!     cargo run -p anlan-tests --bin upgrade-fixture -- tests/fixtures/upgrade/schema-0009.sqlite 9
//!
//! The data is made by today's server (demo seed, phones syncing cases with edits and a photo),
//! then moved into a database built by the migrations up to SCHEMA only, column by column for
//! the columns that schema has. Regenerate it only when a new release is cut.

use anlan_tests::*;
use sqlx::{Connection, Row, SqliteConnection};
use sync_protocol::case::{Severity, Status};

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let [_, out, schema] = args.as_slice() else { anyhow::bail!("usage: upgrade-fixture OUT.sqlite SCHEMA") };
    let schema: i64 = schema.parse()?;
    anyhow::ensure!(!std::path::Path::new(out).exists(), "{out} exists");

    let app = TestApp::spawn(Backend::Sqlite).await;
    let (mut officer, mut leader) = app.officer_and_leader().await;
    let mut ids = Vec::new();
    for i in 0..12 {
        let sev = [Severity::General, Severity::Major, Severity::Urgent][i % 3];
        ids.push(officer.create(&officer.new_case(PUTOU, sev, &format!("升级前案件{i}"))));
    }
    officer.sync().await?;
    leader.sync().await?;
    for id in ids.iter().step_by(3) {
        leader.set_status(*id, Status::Handling);
    }
    leader.sync().await?;
    officer.sync().await?;
    let db = app.stop().await;
    let current = db.dir().unwrap().join("anlan.db");

    let migrations = concat!(env!("CARGO_MANIFEST_DIR"), "/../server/migrations/sqlite");
    let migrator = sqlx::migrate::Migrator::new(std::path::Path::new(migrations)).await?;
    let mut old = SqliteConnection::connect(&format!("sqlite://{out}?mode=rwc")).await?;
    migrator.run_to(schema, &mut old).await?;
    sqlx::raw_sql(sqlx::AssertSqlSafe(format!("ATTACH DATABASE '{}' AS cur", current.display())))
        .execute(&mut old)
        .await?;
    let tables: Vec<String> = sqlx::query_scalar(
        "SELECT name FROM main.sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name <> '_sqlx_migrations' ORDER BY rowid",
    )
    .fetch_all(&mut old)
    .await?;
    sqlx::raw_sql("PRAGMA foreign_keys = OFF").execute(&mut old).await?;
    for t in &tables {
        let cols: Vec<String> = sqlx::query("SELECT name FROM pragma_table_info($1)")
            .bind(t)
            .fetch_all(&mut old)
            .await?
            .iter()
            .map(|r| format!("\"{}\"", r.get::<String, _>(0)))
            .collect();
        let cols = cols.join(", ");
        let sql = format!("INSERT INTO main.\"{t}\" ({cols}) SELECT {cols} FROM cur.\"{t}\" ORDER BY rowid");
        sqlx::raw_sql(sqlx::AssertSqlSafe(sql)).execute(&mut old).await?;
    }
    sqlx::raw_sql("DETACH DATABASE cur").execute(&mut old).await?;
    sqlx::raw_sql("PRAGMA journal_mode = DELETE; VACUUM").execute(&mut old).await?;
    old.close().await?;
    println!("wrote {out} (schema {schema}, {} tables)", tables.len());
    Ok(())
}
