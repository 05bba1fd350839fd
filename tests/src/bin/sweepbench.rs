//! The deadline-evening burst (BENCHMARKS.md): every village of a county-sized roster submits
//! its sweep report within one minute while leaders' dashboards refresh completeness.
//!
//! V villages (one officer's phone each) in townships of 20 under 永安市; the county launches a
//! concentrated sweep; each phone builds its report offline (one in ten lists a case, the rest
//! are nil) and syncs at a random moment of the spread window, while D dashboards poll
//! `GET /api/v1/campaigns/{id}/completeness` once a second. Then the same again with every
//! phone at once (64 in flight), for the server's ceiling. The server is a separate process.
//!
//!     cargo build --release -p anlan-tests --bin sweepbench
//!     target/release/sweepbench --villages 300 --spread-secs 60 --backend both

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use anlan_tests::device::Local;
use anlan_tests::{Backend, ServerProcess, SimDevice, TestDb};
use clap::Parser;
use serde_json::{Value, json};
use sync_protocol::DocId;
use sync_protocol::sweep::{genesis_doc, report_id, write};
use tokio::sync::Semaphore;

#[derive(Parser)]
struct Args {
    #[arg(long, default_value_t = 300)]
    villages: usize,
    /// The window in which the phones sync, seconds.
    #[arg(long, default_value_t = 60)]
    spread_secs: u64,
    /// Leaders' dashboards refreshing completeness once a second.
    #[arg(long, default_value_t = 5)]
    dashboards: usize,
    /// sqlite, postgres or both.
    #[arg(long, default_value = "both")]
    backend: String,
}

const COUNTY_TOKEN: &str = "anlan-demo-county";

fn main() -> anyhow::Result<()> {
    anlan_tests::bench::main(|a: &Args| &a.backend, bench)
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted.get(((sorted.len() as f64 - 1.0) * p).round() as usize).copied().unwrap_or_default()
}

async fn launch(url: &str, name: &str) -> anyhow::Result<String> {
    let now = anlan_server::store::now_ms();
    let body = json!({ "name": name, "kind": "concentrated", "window_start": now - 86_400_000,
        "window_end": now + 3_600_000, "deadline": now + 3_600_000 });
    let res = reqwest::Client::new()
        .post(format!("{url}/api/v1/campaigns"))
        .bearer_auth(COUNTY_TOKEN)
        .json(&body)
        .send()
        .await?;
    anyhow::ensure!(res.status() == 201, "launch: {}", res.text().await?);
    Ok(res.json::<Value>().await?["campaign"]["id"].as_str().unwrap_or_default().to_string())
}

async fn bench(args: &Args, backend: Backend) -> anyhow::Result<()> {
    let db = TestDb::new(backend).await;
    let phones = anlan_tests::bench::villages(&db, args.villages, "sweep").await?;
    let server = ServerProcess::start(std::env::current_exe()?.to_str().unwrap(), &db.url);
    println!("\n## {backend:?}: {} villages, {} dashboards", args.villages, args.dashboards);
    println!(
        "| burst | reports | wall | acks/s | sync p50 | sync p99 | dashboard queries | query p50 | query p99 | last completeness |"
    );
    println!("|---|---|---|---|---|---|---|---|---|---|");
    let mut sims = Vec::with_capacity(phones.len());
    for (token, _) in &phones {
        let mut d = SimDevice::new(&server.url, token);
        d.login().await?;
        sims.push(d);
    }
    for (label, spread, concurrency) in [
        (format!("within {} s", args.spread_secs), args.spread_secs, phones.len()),
        ("all at once".into(), 0, 64),
    ] {
        let campaign = launch(&server.url, &format!("压测排查 {label}")).await?;
        for (i, (d, (_, village))) in sims.iter_mut().zip(&phones).enumerate() {
            let id = report_id(&campaign, village);
            d.docs.insert(id, Local { doc: genesis_doc(&campaign, village), acked: vec![] });
            let me = d.user_id.clone();
            let at = anlan_server::store::now_ms();
            d.edit(id, |tx| {
                if i % 10 == 0 {
                    write::add_found(tx, &DocId::random().to_string(), &me, at)
                } else {
                    write::add_nil(tx, &me, at)
                }
            });
        }
        let stop = Arc::new(AtomicBool::new(false));
        let dashboards: Vec<_> = (0..args.dashboards)
            .map(|_| tokio::spawn(dashboard(server.url.clone(), campaign.clone(), stop.clone())))
            .collect();
        let gate = Arc::new(Semaphore::new(concurrency));
        let started = Instant::now();
        let mut tasks = Vec::with_capacity(sims.len());
        for (i, mut d) in std::mem::take(&mut sims).into_iter().enumerate() {
            let gate = gate.clone();
            // Evenly spread over the window, in a shuffled order.
            let offset =
                Duration::from_millis((i * 7919 % phones.len()) as u64 * spread * 1000 / phones.len() as u64);
            tasks.push(tokio::spawn(async move {
                tokio::time::sleep_until(tokio::time::Instant::from_std(started + offset)).await;
                let _permit = gate.acquire().await?;
                let t = Instant::now();
                d.sync_once(false).await?;
                Ok::<_, anyhow::Error>((d, t.elapsed()))
            }));
        }
        let mut lat = Vec::with_capacity(tasks.len());
        for t in tasks {
            let (d, l) = t.await??;
            anyhow::ensure!(d.rejected.is_empty(), "rejections: {:?}", d.rejected);
            sims.push(d);
            lat.push(l);
        }
        let wall = started.elapsed();
        stop.store(true, Ordering::Relaxed);
        let mut queries = Vec::new();
        for d in dashboards {
            queries.extend(d.await??);
        }
        lat.sort();
        queries.sort();
        let last = reqwest::Client::new()
            .get(format!("{}/api/v1/campaigns/{campaign}/completeness", server.url))
            .bearer_auth(COUNTY_TOKEN)
            .send()
            .await?
            .json::<Value>()
            .await?;
        let total = &last["completeness"]["total"];
        println!(
            "| {label} | {} | {:.2} s | {:.0} | {:.1} ms | {:.1} ms | {} | {:.1} ms | {:.1} ms | {} reported, {} nil, {} missing of {} |",
            lat.len(),
            wall.as_secs_f64(),
            lat.len() as f64 / wall.as_secs_f64(),
            percentile(&lat, 0.5).as_secs_f64() * 1e3,
            percentile(&lat, 0.99).as_secs_f64() * 1e3,
            queries.len(),
            percentile(&queries, 0.5).as_secs_f64() * 1e3,
            percentile(&queries, 0.99).as_secs_f64() * 1e3,
            total["reported"],
            total["nil"],
            total["missing"],
            total["villages"],
        );
    }
    println!("server peak RSS: {} MiB", server.peak_rss_kib().unwrap_or(0) / 1024);
    drop(server);
    Ok(())
}

/// Refresh completeness once a second until told to stop; each query's time.
async fn dashboard(url: String, campaign: String, stop: Arc<AtomicBool>) -> anyhow::Result<Vec<Duration>> {
    let http = reqwest::Client::new();
    let mut out = Vec::new();
    while !stop.load(Ordering::Relaxed) {
        let t = Instant::now();
        let res = http
            .get(format!("{url}/api/v1/campaigns/{campaign}/completeness"))
            .bearer_auth(COUNTY_TOKEN)
            .send()
            .await?;
        anyhow::ensure!(res.status() == 200, "completeness: {}", res.status());
        res.bytes().await?;
        out.push(t.elapsed());
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
    Ok(out)
}
