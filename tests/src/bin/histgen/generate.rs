//! `histgen generate`: the roster, then the history day by day through the server's merge.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Instant;

use anlan_server::live::LiveHub;
use anlan_server::merge::Merger;
use anlan_server::metrics::Metrics;
use anlan_server::store::{DeviceAuth, SqlStore};
use anlan_tests::history::{self, DAY_MS, History, Request, Roster, Shape};
use futures::StreamExt;
use sqlx::Connection;

#[derive(clap::Args)]
pub struct Args {
    /// Cases reported over the history.
    #[arg(long, default_value_t = 10_000)]
    cases: usize,
    #[arg(long, default_value_t = 1_700)]
    villages: usize,
    #[arg(long, default_value_t = 20)]
    villages_per_township: usize,
    #[arg(long, default_value_t = 15)]
    townships_per_county: usize,
    /// Years of history, ending at today's midnight (Beijing).
    #[arg(long, default_value_t = 5)]
    years: usize,
    /// Requests merged at once (different phones, different cases).
    #[arg(long, default_value_t = 4)]
    concurrency: usize,
    #[arg(long, default_value_t = 14)]
    seed: u64,
    /// Flush every commit to disk as the server does, instead of letting the database flush
    /// when it chooses: the same stored rows, at the cost of a disk flush per request.
    #[arg(long)]
    flush_every_commit: bool,
    /// SQLite folder or PostgreSQL URL (see the binary's doc).
    #[arg(long)]
    out: String,
}

pub async fn run(a: Args) -> anyhow::Result<()> {
    let url = super::database_url(&a.out)?;
    if url.starts_with("postgres") {
        create_pg_database(&url).await?;
    } else {
        anyhow::ensure!(
            !std::path::Path::new(&a.out).join("anlan.db").exists(),
            "{}/anlan.db exists: generate into a new folder",
            a.out
        );
    }
    let started = Instant::now();
    let store = if a.flush_every_commit {
        SqlStore::connect(&url).await?
    } else {
        SqlStore::connect_for_loading(&url).await?
    };
    let shape = Shape {
        villages: a.villages,
        villages_per_township: a.villages_per_township,
        townships_per_county: a.townships_per_county,
    };
    let roster = Roster::create(&store, &shape).await?;
    let days = a.years * 365;
    let end = history::beijing_midnight(anlan_tests::device::now_ms());
    let start = end - days as i64 * DAY_MS;
    history::backdate(&url, start).await?;
    println!(
        "roster: {} counties, {} townships, {} villages ({:.1} s)",
        shape.counties(),
        shape.townships(),
        shape.villages,
        started.elapsed().as_secs_f64()
    );
    let mut devices: HashMap<i64, DeviceAuth> = HashMap::new();
    for actor in roster.officers.iter().chain(&roster.leaders) {
        let auth = store.device_by_id(actor.device_id).await?.expect("a device just made");
        devices.insert(actor.device_id, auth);
    }
    let devices = Arc::new(devices);
    let merger = Arc::new(
        Merger::new(store.clone(), 20_000, Arc::new(Metrics::default()), LiveHub::new(false)).await?,
    );
    let h = History::new(roster, a.cases, days, start, DAY_MS, a.seed);
    let (mut cases, mut requests) = (0usize, 0usize);
    let t0 = Instant::now();
    // The phones make the next day's edits while the server merges this day's: a day's requests
    // depend only on the phones' own documents, never on what the server answered. Their CPU is
    // printed as "the phones' edits".
    let mut building = std::time::Duration::ZERO;
    let mut next = tokio::task::spawn_blocking(move || build_day(h));
    let open_at_end = loop {
        let (h, day, spent) = next.await?;
        building += spent;
        let Some(day) = day else { break h.open_cases() };
        let open = h.open_cases();
        next = tokio::task::spawn_blocking(move || build_day(h));
        requests += day.requests.len();
        cases += day.requests.iter().map(|r| r.new_cases).sum::<usize>();
        // Each merge its own task: polled together inside one task, they would all judge on
        // one core.
        let merges = futures::stream::iter(day.requests)
            .map(|r| tokio::spawn(replay(merger.clone(), devices.clone(), r)));
        let mut merges = merges.buffer_unordered(a.concurrency.max(1));
        while let Some(done) = merges.next().await {
            done??;
        }
        if (day.index + 1) % 73 == 0 {
            let secs = t0.elapsed().as_secs_f64();
            println!(
                "day {:>4}: {cases} cases, {requests} requests, {} open, {:.0} cases/s",
                day.index + 1,
                open,
                cases as f64 / secs
            );
        }
    };
    let secs = t0.elapsed().as_secs_f64();
    mark_alerts_delivered(&url).await?;
    vacuum(&url).await?;
    store.close().await;
    println!(
        "history: {cases} cases, {requests} requests, {} open at the end, in {secs:.0} s ({:.0} cases/s, {:.0} requests/s; the phones' edits {:.0} s of it)",
        open_at_end,
        cases as f64 / secs,
        requests as f64 / secs,
        building.as_secs_f64()
    );
    let bytes = database_bytes(&url, &a.out).await?;
    println!("database: {:.1} MiB, {:.0} B per case", bytes as f64 / 1048576.0, bytes as f64 / cases as f64);
    Ok(())
}

/// The history's next day, with the time the phones took to make it.
fn build_day(mut h: History) -> (History, Option<history::Day>, std::time::Duration) {
    let started = Instant::now();
    let day = h.next_day();
    (h, day, started.elapsed())
}

async fn replay(
    merger: Arc<Merger>,
    devices: Arc<HashMap<i64, DeviceAuth>>,
    r: Request,
) -> anyhow::Result<()> {
    let res = merger.replay(&devices[&r.device_id], r.req, r.receipt).await?;
    for d in &res.results {
        anyhow::ensure!(
            d.status == sync_protocol::wire::Status::Ok,
            "the server refused {} of device {}: {:?} {:?}",
            d.doc,
            r.device_id,
            d.status,
            d.reason
        );
    }
    Ok(())
}

async fn create_pg_database(url: &str) -> anyhow::Result<()> {
    let (base, name) = url.rsplit_once('/').expect("postgres://…/name");
    anyhow::ensure!(name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'), "database name: {name}");
    let mut c = sqlx::PgConnection::connect(&format!("{base}/postgres")).await?;
    sqlx::raw_sql(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}"))).execute(&mut c).await?;
    Ok(())
}

/// See `anlan_tests::history`: the history's alerts went out when they were raised.
async fn mark_alerts_delivered(url: &str) -> anyhow::Result<()> {
    const SQL: &str = "UPDATE outbox SET done_at = created_at WHERE done_at IS NULL";
    if url.starts_with("postgres") {
        sqlx::query(SQL).execute(&mut sqlx::PgConnection::connect(url).await?).await?;
    } else {
        sqlx::query(SQL).execute(&mut sqlx::SqliteConnection::connect(url).await?).await?;
    }
    Ok(())
}

/// What PostgreSQL's autovacuum does over the months a real history takes: a history loaded
/// in minutes leaves every case row's superseded versions behind (about four per case) and no
/// planner statistics, and a PostgreSQL run with autovacuum off (as a test machine's may be) would
/// keep them. Unvacuumed, a county's month of statistics read the whole `cases` table through
/// the `settled_at IS NULL` index entries of dead rows: 383 ms at 100,000 cases instead of 31.
async fn vacuum(url: &str) -> anyhow::Result<()> {
    if url.starts_with("postgres") {
        let started = Instant::now();
        sqlx::raw_sql("VACUUM (ANALYZE)").execute(&mut sqlx::PgConnection::connect(url).await?).await?;
        println!("VACUUM (ANALYZE): {:.1} s", started.elapsed().as_secs_f64());
    }
    Ok(())
}

/// The database's size on disk: the SQLite files, or PostgreSQL's `pg_database_size`.
pub async fn database_bytes(url: &str, out: &str) -> anyhow::Result<u64> {
    if url.starts_with("postgres") {
        let mut c = sqlx::PgConnection::connect(url).await?;
        let n: i64 =
            sqlx::query_scalar("SELECT pg_database_size(current_database())").fetch_one(&mut c).await?;
        return Ok(n as u64);
    }
    let mut n = 0;
    for f in ["anlan.db", "anlan.db-wal"] {
        n += std::fs::metadata(std::path::Path::new(out).join(f)).map_or(0, |m| m.len());
    }
    Ok(n)
}
