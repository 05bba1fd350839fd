//! `anlan migrate --to postgres://…`: move a county's SQLite data folder to PostgreSQL.

use std::path::PathBuf;

use clap::Args;

use super::Db;

#[derive(Args)]
pub struct Migrate {
    /// The PostgreSQL database to fill: postgres://user@host/db. It must be new and empty
    /// (anlan creates the tables); a database holding any row is refused.
    #[arg(long)]
    to: String,
    #[command(flatten)]
    db: Db,
}

pub async fn run(m: Migrate) -> anyhow::Result<()> {
    anyhow::ensure!(
        m.db.database_url.is_none(),
        "anlan migrate copies the SQLite data folder (--data) to PostgreSQL; drop --database-url"
    );
    anyhow::ensure!(
        m.to.starts_with("postgres:") || m.to.starts_with("postgresql:"),
        "--to must be a postgres:// URL"
    );
    let file: PathBuf = m.db.data.join("anlan.db");
    anyhow::ensure!(file.exists(), "no database at {}: is --data right?", file.display());
    let url = format!("sqlite://{}", file.display());
    println!(
        "copying {} to PostgreSQL (stop the server first: writes made now would be lost)",
        file.display()
    );
    let tables = crate::store::copy::sqlite_to_postgres(&url, &m.to).await?;
    let mut rows = 0;
    for t in &tables {
        println!("{:<20} {:>10} rows  sha256 {}", t.table, t.rows, t.sha256);
        rows += t.rows;
    }
    println!(
        "verified: {} tables, {rows} rows identical in both databases.\n\
         Start the server with --database-url (or database_url in the settings file); phones go on syncing.",
        tables.len()
    );
    Ok(())
}
