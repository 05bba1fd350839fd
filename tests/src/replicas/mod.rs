//! The sweep burst against several server processes on one PostgreSQL database
//! (`loadgen --replicas 1,2,3 --backend postgres`, BENCHMARKS.md "Several replicas").
//!
//! The phones of loadgen's burst are spread round robin over N replicas. Per phase: throughput,
//! p50/p99, and where the CPU went (each replica, PostgreSQL's backends and shared processes,
//! the generator, the rest of a shared machine). Meanwhile a probe times live notices from a
//! push on the first replica to a listener on the last. Afterwards a county leader on each
//! replica pulls the whole feed, which must hold every pushed case exactly once with a unique
//! case number, and the database's growth per case is measured.

mod cpu;
mod feed_check;
mod probe;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use anyhow::Context;
use sqlx::Connection;
use sync_protocol::case::{Severity, Status};
use tokio::sync::Semaphore;

use crate::{Backend, ServerProcess, SimDevice, TestDb};
use cpu::{Sample, Spent};
use probe::{Delay, Probe, p50_p99};

/// The burst: `devices` phones of one village officer each, `cases` new cases per phone.
pub struct Plan {
    pub devices: usize,
    pub cases: usize,
    /// Syncs in flight at once, over all replicas.
    pub concurrency: usize,
}

/// Pushes timed at rest, after the burst, for the notice delay without load.
const QUIET_PROBES: usize = 200;

/// Run the burst once per entry of `replicas`, back to back, each on a fresh database, and
/// compare. Several processes share one database only through PostgreSQL: SQLite is refused.
pub async fn bench(plan: &Plan, replicas: &[usize], backend: Backend) -> anyhow::Result<()> {
    anyhow::ensure!(
        backend == Backend::Postgres,
        "--replicas needs PostgreSQL: several server processes share one database only through \
         PostgreSQL (a SQLite file belongs to one process). Run it with --backend postgres."
    );
    anyhow::ensure!(replicas.iter().all(|&n| n >= 1), "--replicas: each count must be at least 1");
    let mut rows = Vec::new();
    for &n in replicas {
        rows.push(run(plan, n).await.with_context(|| format!("the run with {n} replica(s)"))?);
    }
    println!("\n## Comparison: {} phones × {} cases", plan.devices, plan.cases);
    println!(
        "| replicas | push cases/s | push p99 | edit cases/s | edit p99 | server CPU µs/case | PostgreSQL CPU µs/case | notice A→B p50 / p99 (burst) | DB bytes/case |"
    );
    println!("|---|---|---|---|---|---|---|---|---|");
    for r in rows {
        println!("{r}");
    }
    Ok(())
}

/// One phase's latencies with the replica that served each sync, and its wall time.
struct Phase {
    name: &'static str,
    latencies: Vec<(usize, Duration)>,
    wall: Duration,
    spent: Spent,
}

impl Phase {
    fn rate(&self, cases: usize) -> f64 {
        cases as f64 / self.wall.as_secs_f64()
    }

    fn p(&self, replica: Option<usize>, p: f64) -> f64 {
        let mut v: Vec<Duration> =
            self.latencies.iter().filter(|(r, _)| replica.is_none_or(|x| x == *r)).map(|l| l.1).collect();
        v.sort();
        v.get(((v.len() as f64 - 1.0) * p).round() as usize).map_or(0.0, |d| d.as_secs_f64() * 1e3)
    }
}

async fn run(plan: &Plan, n: usize) -> anyhow::Result<String> {
    let db = TestDb::new(Backend::Postgres).await;
    let name = db.url.rsplit_once('/').map(|(_, d)| d.to_string()).context("database name")?;
    let phones = crate::bench::villages(&db, plan.devices, "load").await?;
    let accounts = probe::enrol(&db).await?;
    let leaders = feed_check::leader_tokens(&db, n).await?;
    let size_before = database_size(&db.url).await?;
    let exe = std::env::current_exe()?;
    let servers: Vec<ServerProcess> =
        (0..n).map(|_| ServerProcess::start(exe.to_str().unwrap(), &db.url)).collect();
    println!(
        "\n## {n} replica(s) on one PostgreSQL: {} phones × {} cases, {} syncs in flight, phones round robin",
        plan.devices, plan.cases, plan.concurrency
    );

    let mut sims = Vec::with_capacity(phones.len());
    for (i, (token, village)) in phones.iter().enumerate() {
        let mut d = SimDevice::new(&servers[i % n].url, token);
        // Setting up thousands of phones, and the other phase, take longer than the server keeps an
        // idle connection (10 s): a phone reusing one it closed meanwhile would fail its sync.
        d.http = reqwest::Client::builder().pool_idle_timeout(Duration::from_secs(5)).build()?;
        d.login().await?;
        for k in 0..plan.cases {
            let severity = if k % 10 == 0 { Severity::Urgent } else { Severity::General };
            d.create(&d.new_case(village, severity, &format!("排查发现矛盾{k}")));
        }
        sims.push(d);
    }

    // The probe runs through both phases, pushing on the first replica, listening on the last.
    let probe = Probe::new(&servers[0].url, &servers[n - 1].url, &accounts).await?;
    let stop = Arc::new(AtomicBool::new(false));
    let probing = tokio::spawn(probe.until(stop.clone(), Duration::from_millis(20)));
    let (sims, push) = phase("push new cases", sims, plan, &servers, &name, |_| {}).await?;
    let (sims, edit) = phase("edit + pull", sims, plan, &servers, &name, |d| {
        let ids: Vec<_> = d.docs.keys().copied().collect();
        for id in ids {
            d.set_status(id, Status::Handling);
        }
    })
    .await?;
    stop.store(true, Ordering::Relaxed);
    let (mut probe, burst_delays) = probing.await??;
    let mut quiet_delays = Vec::with_capacity(QUIET_PROBES);
    for _ in 0..QUIET_PROBES {
        quiet_delays.push(probe.once().await?);
    }

    let cases = plan.devices * plan.cases;
    report_phases(&[&push, &edit], cases, n);
    let across = if n == 1 { "the same replica" } else { "another replica" };
    println!("\nlive notice, push acknowledged on replica 1 → `feed` event on replica {n} ({across}):");
    println!("| when | probes | ack → notice p50 / p99 | push sent → notice p50 / p99 |");
    println!("|---|---|---|---|");
    for (when, d) in [("during the burst", &burst_delays), ("at rest, after it", &quiet_delays)] {
        println!(
            "| {when} | {} | {} | {} |",
            d.len(),
            p50_p99(d.iter().map(|x: &Delay| x.from_ack_ms)),
            p50_p99(d.iter().map(|x| x.from_send_ms))
        );
    }

    let stored = cases + probe.officer.docs.len();
    let grown = database_size(&db.url).await? - size_before;
    println!(
        "database: grew {:.1} MiB for {stored} cases of 2 phone changes each (plus the server's number): {:.0} bytes per case",
        grown as f64 / 1048576.0,
        grown as f64 / stored as f64
    );
    let rss: Vec<String> =
        servers.iter().map(|s| format!("{} MiB", s.peak_rss_kib().unwrap_or(0) / 1024)).collect();
    println!("server peak RSS (VmHWM) per replica: {}", rss.join(", "));

    let expected = feed_check::expected(sims.iter().chain([&probe.officer]));
    drop(sims);
    for (i, token) in leaders.iter().enumerate() {
        let p = feed_check::check(&servers[i].url, token, &expected).await?;
        println!(
            "feed check through replica {}: {} cases, {} changes, each delivered exactly once, numbers unique ✓ \
             (full pull: {:.1} s, {} round trips, {:.1} MiB)",
            i + 1,
            p.cases,
            p.changes,
            p.wall.as_secs_f64(),
            p.round_trips,
            p.bytes_down as f64 / 1048576.0
        );
    }
    Ok(format!(
        "| {n} | {:.0} | {:.0} ms | {:.0} | {:.0} ms | {:.0} | {:.0} | {} | {:.0} |",
        push.rate(cases),
        push.p(None, 0.99),
        edit.rate(cases),
        edit.p(None, 0.99),
        push.spent.servers() * 1e6 / cases as f64,
        push.spent.postgres() * 1e6 / cases as f64,
        p50_p99(burst_delays.iter().map(|x| x.from_ack_ms)),
        grown as f64 / stored as f64
    ))
}

/// Every phone syncs once, `concurrency` at a time over all replicas, after `prepare`.
async fn phase(
    name: &'static str,
    sims: Vec<SimDevice>,
    plan: &Plan,
    servers: &[ServerProcess],
    database: &str,
    prepare: impl Fn(&mut SimDevice),
) -> anyhow::Result<(Vec<SimDevice>, Phase)> {
    let n = servers.len();
    let gate = Arc::new(Semaphore::new(plan.concurrency));
    let load = cpu::load_average();
    let before = Sample::take(servers, database);
    let started = Instant::now();
    let mut tasks = Vec::with_capacity(sims.len());
    for (i, mut d) in sims.into_iter().enumerate() {
        prepare(&mut d);
        let gate = gate.clone();
        tasks.push(tokio::spawn(async move {
            let _permit = gate.acquire().await?;
            let t = Instant::now();
            d.sync_once(false).await?;
            Ok::<_, anyhow::Error>((d, (i % n, t.elapsed())))
        }));
    }
    let mut out = Vec::with_capacity(tasks.len());
    let mut latencies = Vec::with_capacity(tasks.len());
    for t in tasks {
        let (d, l) = t.await??;
        anyhow::ensure!(d.rejected.is_empty(), "rejections: {:?}", d.rejected);
        out.push(d);
        latencies.push(l);
    }
    let wall = started.elapsed();
    let spent = Sample::take(servers, database).since(&before, load);
    Ok((out, Phase { name, latencies, wall, spent }))
}

fn report_phases(phases: &[&Phase], cases: usize, n: usize) {
    println!("| phase | syncs | wall | cases/s acked | p50 | p99 | p99 per replica |");
    println!("|---|---|---|---|---|---|---|");
    for ph in phases {
        let per: Vec<String> = (0..n).map(|r| format!("{:.0}", ph.p(Some(r), 0.99))).collect();
        println!(
            "| {} | {} | {:.2} s | {:.0} | {:.1} ms | {:.1} ms | {} ms |",
            ph.name,
            ph.latencies.len(),
            ph.wall.as_secs_f64(),
            ph.rate(cases),
            ph.p(None, 0.5),
            ph.p(None, 0.99),
            per.join(" / ")
        );
    }
    println!("\nCPU seconds (µs per case), and the share of the machine's 2 cores over the phase:");
    println!(
        "| phase | replicas | servers | PostgreSQL backends | PostgreSQL shared | generator | others on the machine | machine busy | load avg before → after |"
    );
    println!("|---|---|---|---|---|---|---|---|---|");
    for ph in phases {
        let s = &ph.spent;
        let us = |secs: f64| format!("{secs:.2} s ({:.0} µs)", secs * 1e6 / cases as f64);
        let replicas: Vec<String> = s.replicas.iter().map(|c| format!("{c:.2}")).collect();
        let cores = 2.0 * ph.wall.as_secs_f64();
        println!(
            "| {} | {} s | {} | {} | {} | {} | {} | {:.0}% | {} → {} |",
            ph.name,
            replicas.join(" + "),
            us(s.servers()),
            us(s.backends),
            us(s.auxiliary),
            us(s.generator),
            us(s.others()),
            100.0 * s.machine / cores,
            s.load_before,
            s.load_after
        );
    }
}

/// `pg_database_size` of the benchmark's database, in bytes.
async fn database_size(url: &str) -> anyhow::Result<i64> {
    let mut conn = sqlx::PgConnection::connect(url).await?;
    let size: i64 =
        sqlx::query_scalar("SELECT pg_database_size(current_database())").fetch_one(&mut conn).await?;
    conn.close().await?;
    Ok(size)
}
