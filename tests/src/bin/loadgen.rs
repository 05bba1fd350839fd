//! The sweep-burst load generator (BENCHMARKS.md).
//!
//! D devices, each an officer of one of many villages, record K cases offline and push them in
//! one sync, then edit each case once and sync again (pulling what changed meanwhile). The
//! server runs as a separate process (this binary re-executed as `loadgen serve …`) so its peak
//! RSS is its own. Then a steady-state sync of 20 changed documents among 1,000 and an empty
//! sync are measured byte for byte.
//!
//!     cargo build --release -p anlan-tests --bin loadgen
//!     target/release/loadgen --devices 1000 --cases 20 --backend both
//!     target/release/loadgen --devices 1000 --cases 20 --backend postgres --replicas 1,2,3
//!     target/release/loadgen --backend sqlite --perf edit --perf-out /tmp/edit.data   # profile one phase

use std::sync::Arc;
use std::time::{Duration, Instant};

use anlan_server::store::{NewUser, SqlStore};
use anlan_tests::bench::perf;
use anlan_tests::{Backend, ServerProcess, SimDevice, TestDb};
use clap::Parser;
use sync_protocol::case::Severity;
use sync_protocol::wire::{self, SyncRequest};
use tokio::sync::Semaphore;

#[derive(Parser)]
struct Args {
    #[arg(long, default_value_t = 1000)]
    devices: usize,
    #[arg(long, default_value_t = 20)]
    cases: usize,
    /// Syncs in flight at once (phones reaching signal together).
    #[arg(long, default_value_t = 64)]
    concurrency: usize,
    /// sqlite, postgres or both.
    #[arg(long, default_value = "both")]
    backend: String,
    /// Instead: the burst against N server processes on one PostgreSQL database, for each N
    /// listed (`--replicas 1,2,3`); see tests/src/replicas.
    #[arg(long, value_delimiter = ',')]
    replicas: Vec<usize>,
    /// Record the server with `perf record` during one phase: push or edit.
    #[arg(long)]
    perf: Option<Phase>,
    /// Where the profile goes (a backend suffix is added when both run).
    #[arg(long, default_value = "perf.data")]
    perf_out: std::path::PathBuf,
}

#[derive(Clone, Copy, PartialEq, clap::ValueEnum)]
enum Phase {
    Push,
    Edit,
}

fn main() -> anyhow::Result<()> {
    anlan_tests::bench::main(|a: &Args| &a.backend, bench)
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

async fn bench(args: &Args, backend: Backend) -> anyhow::Result<()> {
    if !args.replicas.is_empty() {
        return replicas(args, backend).await;
    }
    let db = TestDb::new(backend).await;
    let devices = anlan_tests::bench::villages(&db, args.devices, "load").await?;
    let server = ServerProcess::start(std::env::current_exe()?.to_str().unwrap(), &db.url);
    println!(
        "\n## {backend:?}: {} devices × {} cases, {} syncs in flight",
        args.devices, args.cases, args.concurrency
    );

    let mut sims = Vec::with_capacity(devices.len());
    for (token, village) in &devices {
        let mut d = SimDevice::new(&server.url, token);
        d.login().await?;
        for k in 0..args.cases {
            let c = d.new_case(
                village,
                if k % 10 == 0 { Severity::Urgent } else { Severity::General },
                &format!("排查发现矛盾{k}"),
            );
            d.create(&c);
        }
        sims.push(d);
    }
    let raw_up: usize = sims
        .iter()
        .map(|d| d.build_request().0.push.iter().flat_map(|p| &p.changes).map(|c| c.len()).sum::<usize>())
        .sum();

    // Phase 1: everyone pushes their offline cases. Phase 2: one follow-up edit per case, pushed
    // with the pull of the server's case numbers.
    let profile = |p: Phase| -> anyhow::Result<Option<perf::Recording>> {
        if args.perf != Some(p) {
            return Ok(None);
        }
        let mut out = args.perf_out.clone();
        if args.backend != "sqlite" && args.backend != "postgres" {
            out.set_extension(format!("{backend:?}").to_lowercase());
        }
        Ok(Some(perf::Recording::start(server.pid(), &out)?))
    };
    let recording = profile(Phase::Push)?;
    let cpu0 = server.cpu_seconds().unwrap_or(0.0);
    let counts0 = server.counts().unwrap_or_default();
    let (sims, push_lat, push_wall, push_tenths) =
        phase(sims, args.concurrency, server.pid(), |_| {}).await?;
    let cpu1 = server.cpu_seconds().unwrap_or(0.0);
    let counts1 = server.counts().unwrap_or_default();
    recording.map(perf::Recording::finish).transpose()?;
    let cases = args.devices * args.cases;
    let recording = profile(Phase::Edit)?;
    let cpu1 = server.cpu_seconds().unwrap_or(cpu1);
    let (sims, edit_lat, edit_wall, edit_tenths) = phase(sims, args.concurrency, server.pid(), |d| {
        let ids: Vec<_> = d.docs.keys().copied().collect();
        for id in ids {
            d.set_status(id, sync_protocol::case::Status::Handling);
        }
    })
    .await?;
    let cpu2 = server.cpu_seconds().unwrap_or(0.0);
    let counts2 = server.counts().unwrap_or_default();
    recording.map(perf::Recording::finish).transpose()?;
    let up: usize = sims.iter().map(|d| d.bytes_up).sum();
    let down: usize = sims.iter().map(|d| d.bytes_down).sum();
    let changes = cases * 2;
    println!("| phase | syncs | wall | cases/s acked | p50 | p99 |");
    println!("|---|---|---|---|---|---|");
    for (name, lat, wall) in [("push new cases", &push_lat, push_wall), ("edit + pull", &edit_lat, edit_wall)]
    {
        println!(
            "| {name} | {} | {:.2} s | {:.0} | {:.1} ms | {:.1} ms |",
            lat.len(),
            wall.as_secs_f64(),
            cases as f64 / wall.as_secs_f64(),
            percentile(lat, 0.5).as_secs_f64() * 1e3,
            percentile(lat, 0.99).as_secs_f64() * 1e3
        );
    }
    println!(
        "server CPU: {:.2} s for the pushes ({:.0} µs per new case), {:.2} s for edits and pulls ({:.0} µs per edit+pull case)",
        cpu1 - cpu0,
        (cpu1 - cpu0) * 1e6 / cases as f64,
        cpu2 - cpu1,
        (cpu2 - cpu1) * 1e6 / cases as f64
    );
    for (name, tenths) in [("new case", &push_tenths), ("edit+pull case", &edit_tenths)] {
        let us: Vec<String> =
            tenths.iter().map(|s| format!("{:.0}", s * 1e6 / (cases as f64 / 10.0))).collect();
        println!("server CPU per {name} by tenth of the phase (µs): {}", us.join(" "));
    }
    println!("server per new case: {}", counts0.per(&counts1, cases));
    println!("server per edit+pull case: {}", counts1.per(&counts2, cases));
    println!(
        "bytes per change: up {:.0} (raw change bytes in the first push: {:.0}), down {:.0}",
        up as f64 / changes as f64,
        raw_up as f64 / cases as f64,
        down as f64 / changes as f64
    );

    steady_state(&server.url, &db).await?;
    println!("server peak RSS: {} MiB", server.peak_rss_kib().unwrap_or(0) / 1024);
    drop(server);
    Ok(())
}

async fn replicas(args: &Args, backend: Backend) -> anyhow::Result<()> {
    let plan = anlan_tests::replicas::Plan {
        devices: args.devices,
        cases: args.cases,
        concurrency: args.concurrency,
    };
    anlan_tests::replicas::bench(&plan, &args.replicas, backend).await
}

/// The devices, each sync's latency, the phase's wall time, and the server's CPU seconds in each
/// tenth of the phase (by syncs completed).
type PhaseResult = (Vec<SimDevice>, Vec<Duration>, Duration, Vec<f64>);

async fn phase(
    sims: Vec<SimDevice>,
    concurrency: usize,
    server_pid: u32,
    prepare: impl Fn(&mut SimDevice),
) -> anyhow::Result<PhaseResult> {
    let gate = Arc::new(Semaphore::new(concurrency));
    // The server's CPU clock read as each tenth of the syncs completes: whether a case costs
    // the same late in a long run, with the database grown, as early in it; one run is one
    // machine speed, which two runs of different lengths are not.
    let n = sims.len();
    let done = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let marks = Arc::new(std::sync::Mutex::new(vec![None::<f64>; 11]));
    marks.lock().unwrap()[0] = anlan_tests::process::cpu_seconds_of(server_pid);
    let started = Instant::now();
    let mut tasks = Vec::with_capacity(sims.len());
    for mut d in sims {
        prepare(&mut d);
        let (gate, done, marks) = (gate.clone(), done.clone(), marks.clone());
        tasks.push(tokio::spawn(async move {
            let _permit = gate.acquire().await.unwrap();
            let t = Instant::now();
            d.sync_once(false).await?;
            let lat = t.elapsed();
            let k = done.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1;
            // With fewer than ten devices one sync completes several tenths at once.
            for tenth in (k - 1) * 10 / n + 1..=k * 10 / n {
                marks.lock().unwrap()[tenth] = anlan_tests::process::cpu_seconds_of(server_pid);
            }
            Ok::<_, anyhow::Error>((d, lat))
        }));
    }
    let mut out = Vec::with_capacity(tasks.len());
    let mut lat = Vec::with_capacity(tasks.len());
    for t in tasks {
        let (d, l) = t.await??;
        anyhow::ensure!(d.rejected.is_empty(), "rejections: {:?}", d.rejected);
        out.push(d);
        lat.push(l);
    }
    let wall = started.elapsed();
    lat.sort();
    let marks = marks.lock().unwrap().clone();
    let tenths = marks.windows(2).filter_map(|w| Some(w[1]? - w[0]?)).collect();
    Ok((out, lat, wall, tenths))
}

/// One device holding 1,000 documents changes 20 of them: bytes of that sync against the raw
/// change bytes it carries, and an empty sync each way.
async fn steady_state(url: &str, db: &TestDb) -> anyhow::Result<()> {
    let store = SqlStore::connect(&db.url).await?;
    store
        .create_user(&NewUser {
            id: "steady".into(),
            name: "稳态".into(),
            phone: None,
            role: "village_officer".into(),
            unit_code: "350481101202".into(),
        })
        .await?;
    let token = store.issue_device("steady", "phone", None).await?.token;
    store.close().await;
    let mut d = SimDevice::new(url, &token);
    d.login().await?;
    for i in 0..1000 {
        let c = d.new_case("350481101202", Severity::General, &format!("稳态{i}"));
        d.create(&c);
    }
    d.sync().await?;
    d.sync().await?;
    let ids: Vec<_> = d.docs.keys().copied().take(20).collect();
    for id in &ids {
        d.set_status(*id, sync_protocol::case::Status::Resolved);
    }
    let (req, _) = d.build_request();
    let raw: usize = req.push.iter().flat_map(|p| &p.changes).map(|c| c.len()).sum();
    let (up0, down0, rt0) = (d.bytes_up, d.bytes_down, d.round_trips);
    d.sync().await?;
    let (up, down, rts) = (d.bytes_up - up0, d.bytes_down - down0, d.round_trips - rt0);
    println!(
        "steady sync, 20 changed of 1,000 documents: {rts} round trip(s), up {up} B for {raw} B of changes ({:.3}× raw, +{} B), down {down} B",
        up as f64 / raw as f64,
        up - raw
    );
    let empty =
        wire::encode(&SyncRequest { v: 1, epoch: d.epoch.clone(), cursor: d.cursor, ..Default::default() });
    let res = d.post(empty.clone()).await?;
    println!("empty sync: up {} B, down {} B", empty.len(), res.bytes().await?.len());
    Ok(())
}
