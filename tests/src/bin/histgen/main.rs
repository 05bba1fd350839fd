//! Fill a database with a city's history, then measure the server on it (BENCHMARKS.md, "A
//! city's history"). How the history is made and why it stores what a real one would:
//! `anlan_tests::history`.
//!
//!     cargo build --release -p anlan-tests --bin histgen
//!     target/release/histgen generate --cases 100000 --out /work/wt/histgen-data/s100k
//!     target/release/histgen generate --cases 100000 --out postgres://postgres@127.0.0.1/hist100k
//!     target/release/histgen measure --out /work/wt/histgen-data/s100k
//!
//! `--out` is a folder (SQLite, `anlan.db` in it, as `anlan serve --data`) or a PostgreSQL URL
//! (the database is created and must not exist). Re-executed as `histgen serve|reproject|backup
//! …` this binary is the server, so the measurements time the server's own process.

mod explain;
mod generate;
mod measure;

use clap::{Parser, Subcommand};

#[derive(Parser)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Make a new database holding the history.
    Generate(generate::Args),
    /// Start the server on a generated database and print the figures.
    Measure(measure::Args),
}

/// The database URL `--out` names.
pub fn database_url(out: &str) -> anyhow::Result<String> {
    if out.starts_with("postgres") {
        return Ok(out.to_string());
    }
    std::fs::create_dir_all(out)?;
    Ok(format!("sqlite://{out}/anlan.db?mode=rwc"))
}

fn main() -> anyhow::Result<()> {
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    if matches!(std::env::args().nth(1).as_deref(), Some("serve" | "reproject" | "backup")) {
        return rt.block_on(anlan_server::cli::main());
    }
    // RUST_LOG=sqlx=debug lists the statements a request makes.
    let filter = tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "warn".into());
    tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr).init();
    match Cli::parse().command {
        Command::Generate(a) => rt.block_on(generate::run(a)),
        Command::Measure(a) => rt.block_on(measure::run(a)),
    }
}
