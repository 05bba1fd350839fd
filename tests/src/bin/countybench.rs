//! Phones whose scope is a county (issue 14 §3, BENCHMARKS.md): a county of 50,000 cases of which
//! 2,000 are open, on a fresh SQLite database, and the real server serving the built PWA on it.
//!
//!     cargo build --release -p anlan-tests --bin countybench
//!     target/release/countybench --data /tmp/anlan-county          # fills once (minutes), then serves
//!     cd pwa && node scripts/countybench.mjs                          # starts it itself, see there
//!
//! The history is made by `anlan_tests::county` through the sync path (officers record, leaders
//! close) and back-dated there. A data folder that already holds the county is served as it is.
//! Before serving, simulated phones on loopback take the protocol's figures: the first sync of
//! the county's phone as a partial replica and as a whole one (the before/after ratio), of a
//! village officer's phone, and a closed case opened by its number. Then it prints one line
//! `countybench-ready {json}` (address, tokens, case numbers) and serves until its standard input
//! closes or it is interrupted.

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Instant;

use anlan_server::store::SqlStore;
use anlan_tests::county::{self, Township};
use anlan_tests::{Backend, SimDevice};
use clap::Parser;
use futures::StreamExt;
use sqlx::Connection;
use sync_protocol::wire::Replica;
use tokio::io::AsyncReadExt;

#[derive(Parser)]
struct Args {
    /// The data folder (its SQLite database is `anlan.db`); filled unless it already holds cases.
    #[arg(long)]
    data: PathBuf,
    #[arg(long, default_value_t = 50_000)]
    cases: usize,
    #[arg(long, default_value_t = 2_000)]
    open: usize,
    /// Villages of the county (townships of 20); `cases` must be a multiple of it.
    #[arg(long, default_value_t = 250)]
    villages: usize,
    /// The years the finished cases' last changes are spread over.
    #[arg(long, default_value_t = 5.0)]
    years: f64,
    /// The built PWA the server serves.
    #[arg(long, default_value = concat!(env!("CARGO_MANIFEST_DIR"), "/../pwa/dist"))]
    static_dir: PathBuf,
    #[arg(long, default_value = "127.0.0.1:0")]
    listen: String,
    /// Skip the whole-replica sync of the county (it holds every case in memory).
    #[arg(long)]
    no_whole: bool,
    /// Exit after the figures instead of serving.
    #[arg(long)]
    no_serve: bool,
}

fn main() -> anyhow::Result<()> {
    anlan_tests::bench::main(|_: &Args| "sqlite", bench)
}

struct Server {
    url: String,
    child: Child,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn serve(args: &Args) -> anyhow::Result<Server> {
    use std::io::{BufRead, BufReader};
    let mut child = Command::new(std::env::current_exe()?)
        .args(["serve", "--listen", &args.listen, "--demo", "--data"])
        .arg(&args.data)
        .arg("--static-dir")
        .arg(&args.static_dir)
        .env("RUST_LOG", "warn")
        .stdout(Stdio::piped())
        .spawn()?;
    let mut lines = BufReader::new(child.stdout.take().expect("piped")).lines();
    let url = loop {
        let Some(line) = lines.next() else { anyhow::bail!("the server exited before listening") };
        if let Some(u) = line?.strip_prefix("listening on ") {
            break u.trim_end_matches('/').to_string();
        }
    };
    // Keep draining its output (the demo links) so it never blocks on a full pipe.
    std::thread::spawn(move || lines.for_each(drop));
    Ok(Server { url, child })
}

async fn bench(args: &Args, _: Backend) -> anyhow::Result<()> {
    anyhow::ensure!(args.cases.is_multiple_of(args.villages), "--cases must be a multiple of --villages");
    let db_url = format!("sqlite://{}?mode=rwc", args.data.join("anlan.db").display());
    std::fs::create_dir_all(&args.data)?;
    let store = SqlStore::connect(&db_url).await?;
    let mut db = sqlx::AnyConnection::connect(&db_url).await?;
    let held: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM cases").fetch_one(&mut db).await?;
    let roster = if held == 0 { Some(county::roster(&store, args.villages).await?) } else { None };
    store.close().await;
    let server = serve(args)?;
    if let Some(roster) = roster {
        fill(args, &server.url, &db_url, &roster).await?;
    } else {
        println!("{} holds {held} cases already: served as they are", args.data.display());
    }
    let counts: Vec<(String, i64)> =
        sqlx::query_as("SELECT status, COUNT(*) FROM cases GROUP BY status").fetch_all(&mut db).await?;
    println!("cases by status: {counts:?}");
    // The longest-finished case: what a county phone holds least of all.
    let (closed_no,): (String,) = sqlx::query_as(
        "SELECT c.case_no FROM cases c JOIN documents d ON d.doc_id = c.doc_id
         WHERE c.status = 'closed' AND c.case_no IS NOT NULL ORDER BY d.updated_at LIMIT 1",
    )
    .fetch_one(&mut db)
    .await?;
    figures(args, &server.url, &closed_no).await?;
    let ready = serde_json::json!({
        "url": server.url, "county": "anlan-demo-county", "officer": "anlan-demo-officer",
        "closed_case_no": closed_no,
    });
    println!("countybench-ready {ready}");
    if args.no_serve {
        return Ok(());
    }
    let mut stdin = tokio::io::stdin();
    let mut sink = Vec::new();
    tokio::select! {
        _ = stdin.read_to_end(&mut sink) => {}
        _ = tokio::signal::ctrl_c() => {}
    }
    drop(server);
    Ok(())
}

async fn fill(args: &Args, url: &str, db_url: &str, roster: &[Township]) -> anyhow::Result<()> {
    let per_village = args.cases / args.villages;
    let t0 = Instant::now();
    let mut first = 0;
    let mut jobs = Vec::new();
    for t in roster {
        jobs.push(county::fill_township(url, t, first, per_village, args.cases, args.open));
        first += t.villages.len() * per_village;
    }
    // Two townships at a time: the client's Automerge work overlaps the server's commits.
    let done: Vec<_> = futures::stream::iter(jobs).buffer_unordered(2).collect().await;
    let (mut cases, mut open) = (0, 0);
    for f in done {
        let f = f?;
        cases += f.cases;
        open += f.open;
    }
    let synced = t0.elapsed();
    let recent = county::backdate(db_url, args.years).await?;
    println!(
        "filled {cases} cases ({open} open) in {} villages through sync in {:.0} s; finished cases \
         back-dated over {} years, {recent} of them within the last 90 days",
        args.villages,
        synced.as_secs_f64(),
        args.years
    );
    Ok(())
}

/// A phone's first sync on loopback, to the end of its pull.
async fn first_sync(url: &str, token: &str, replica: Replica) -> anyhow::Result<(SimDevice, f64)> {
    let mut d = SimDevice::new(url, token);
    d.login().await?;
    d.replica = replica;
    let t = Instant::now();
    for _ in 0..10_000 {
        if !d.sync_once(false).await?.expect("not lost").more {
            return Ok((d, t.elapsed().as_secs_f64()));
        }
    }
    anyhow::bail!("first sync did not end in 10,000 round trips")
}

async fn figures(args: &Args, url: &str, closed_no: &str) -> anyhow::Result<()> {
    println!("\n| phone (loopback, simulated) | cases held | round trips | bytes down | per case | wall |");
    println!("|---|---|---|---|---|---|");
    let row = |who: &str, d: &SimDevice, wall: f64| {
        println!(
            "| {who} | {} | {} | {} | {} B | {wall:.1} s |",
            d.docs.len(),
            d.round_trips,
            d.bytes_down,
            d.bytes_down / d.docs.len().max(1)
        );
    };
    let (mut county, wall) = first_sync(url, "anlan-demo-county", Replica::Partial).await?;
    row("county, partial replica", &county, wall);
    let partial_bytes = county.bytes_down;
    let (officer, wall) = first_sync(url, "anlan-demo-officer", Replica::Full).await?;
    row("village officer (one village), whole replica", &officer, wall);
    if !args.no_whole {
        let (whole, wall) = first_sync(url, "anlan-demo-county", Replica::Full).await?;
        row("county, whole replica (before §12)", &whole, wall);
        println!(
            "\nwhole / partial bytes down: {:.1}×",
            whole.bytes_down as f64 / partial_bytes.max(1) as f64
        );
    }
    let (before, t) = (county.bytes_down, Instant::now());
    let found = county.open_case_no(closed_no).await?;
    anyhow::ensure!(found.is_some(), "{closed_no} not found");
    println!(
        "open {closed_no} by its number: {} B down, {:.0} ms on loopback",
        county.bytes_down - before,
        t.elapsed().as_secs_f64() * 1e3
    );
    Ok(())
}
