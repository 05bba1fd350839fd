//! `histgen measure`: the server as its own process on a generated database, and the figures of
//! BENCHMARKS.md's table: an officer's and a leader's steady sync, statistics and exports for a
//! county and a month, the alert worker's clocks, the query plans, `reproject`, `backup`, size
//! and peak RSS.

use std::time::{Duration, Instant};

use anlan_tests::{ServerProcess, SimDevice};
use sync_protocol::case::Severity;
use sync_protocol::wire::Replica;

use super::explain;

#[derive(clap::Args)]
pub struct Args {
    /// The folder or URL `generate` filled.
    #[arg(long)]
    out: String,
    /// Steady syncs timed per phone.
    #[arg(long, default_value_t = 40)]
    rounds: usize,
    /// Skip `reproject` (it rewrites every case row).
    #[arg(long)]
    no_reproject: bool,
    /// Profile the server during the steady rounds alone: `perf record` attached to its process,
    /// writing this file (`perf report -i FILE`). The first syncs and the exports stay out of it.
    #[arg(long)]
    perf_steady: Option<String>,
    /// Steady rounds of the officer alone: the leader, whose phone holds the most documents and
    /// walks them after each sync on the same cores, stays out of them.
    #[arg(long)]
    officer_only: bool,
    /// The server on CPU 0 (its `--cpus`) and this client on CPU 1 (`taskset`), so the
    /// client's walk of its documents between syncs runs on a core of its own.
    #[arg(long)]
    pin: bool,
    /// After each of the leader's syncs, the client also reads this many MiB of memory, as a
    /// larger leader's walk of its documents would: tells what that walk costs the officer's
    /// next sync apart from what the leader's larger working set costs the server.
    #[arg(long, default_value_t = 0)]
    touch_mib: usize,
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

fn percentile(lat: &mut [Duration], p: f64) -> f64 {
    lat.sort();
    ms(lat[((lat.len() as f64 - 1.0) * p).round() as usize])
}

pub async fn run(a: Args) -> anyhow::Result<()> {
    let url = super::database_url(&a.out)?;
    let bin = std::env::current_exe()?;
    let bin = bin.to_str().expect("a UTF-8 path");
    let cases = count_cases(&url).await?;
    let bytes = super::generate::database_bytes(&url, &a.out).await?;
    println!("| measure | value |\n|---|---|");
    println!("| stored cases | {cases} |");
    println!(
        "| database size | {:.1} MiB ({:.0} B per case) |",
        bytes as f64 / 1048576.0,
        bytes as f64 / cases.max(1) as f64
    );
    let t = Instant::now();
    // The server logs at `warn` unless RUST_LOG says otherwise: `RUST_LOG=sqlx::query=debug`
    // shows each statement's time, which is how a slow sync is taken apart.
    let mut env: std::collections::HashMap<String, String> =
        std::env::var("RUST_LOG").into_iter().map(|v| ("RUST_LOG".to_string(), v)).collect();
    if a.pin {
        // The server keeps itself there (`serve --cpus`); this client is moved by `taskset`.
        env.insert("ANLAN_CPUS".into(), "0".into());
    }
    let server = ServerProcess::start_with_env(bin, &url, &env);
    println!("| server start (migrations, listen) | {:.0} ms |", ms(t.elapsed()));
    if a.pin {
        pin_self_to_cpu_1()?;
        println!("| pinned | server on CPU 0, client on CPU 1 |");
    }
    let mut touched = Touch::new(a.touch_mib);

    // The busiest village's officer (the generator favours the first villages) and its leader.
    let mut officer = SimDevice::new(&server.url, "histgen-h_o0");
    officer.login().await?;
    let t = Instant::now();
    catch_up(&mut officer).await?;
    println!(
        "| officer's first full sync ({} documents) | {:.0} ms, {:.1} MiB down |",
        officer.docs.len(),
        ms(t.elapsed()),
        officer.bytes_down as f64 / 1048576.0
    );
    let mut leader = SimDevice::new(&server.url, "histgen-h_l0");
    leader.replica = Replica::Partial;
    leader.login().await?;
    let t = Instant::now();
    catch_up(&mut leader).await?;
    println!("| leader's first partial sync ({} documents) | {:.0} ms |", leader.docs.len(), ms(t.elapsed()));

    // Steady: the officer reports or moves one case and syncs; the leader then syncs and pulls it.
    // Each sync's whole time, and its round trips alone: a phone holding 12,000 documents
    // spends more walking them than the server spends answering.
    let (mut o_lat, mut l_lat, mut o_wire, mut l_wire) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    let village = officer.case(*officer.docs.keys().next().expect("the officer's village has cases")).village;
    let mut mine = Vec::new();
    // The server's CPU and kernel calls over the same rounds tell whether a slower sync at a
    // larger history is work (CPU grows) or waiting (the disk, a lock, another thread).
    let perf = a.perf_steady.as_deref().map(|file| SteadyProfile::attach(file, server.pid())).transpose()?;
    let (cpu0, counts0) = (server.cpu_seconds(), server.counts());
    for round in 0..a.rounds {
        if round % 2 == 0 {
            let c = officer.new_case(&village, Severity::General, &format!("稳态测量{round}"));
            mine.push(officer.create(&c));
        } else {
            officer.edit(*mine.last().unwrap(), |tx| {
                sync_protocol::case::write::edit_description(tx, 0, "补充：")
            });
        }
        let (t, w) = (Instant::now(), officer.wire_time);
        officer.sync().await?;
        o_lat.push(t.elapsed());
        o_wire.push(officer.wire_time - w);
        if a.officer_only {
            continue;
        }
        let (t, w) = (Instant::now(), leader.wire_time);
        leader.sync().await?;
        l_lat.push(t.elapsed());
        l_wire.push(leader.wire_time - w);
        touched.walk();
    }
    let (cpu1, counts1) = (server.cpu_seconds(), server.counts());
    if let Some(p) = perf {
        p.finish()?;
    }
    anyhow::ensure!(officer.rejected.is_empty() && leader.rejected.is_empty(), "refusals while measuring");
    if let (Some(c0), Some(c1)) = (cpu0, cpu1) {
        println!(
            "| server CPU per steady round (the officer's sync and the leader's) | {:.2} ms |",
            (c1 - c0) * 1e3 / a.rounds.max(1) as f64
        );
    }
    if let Some(per_walk) = touched.per_walk() {
        println!("| client's read of {} MiB after each leader sync | {per_walk:.1} ms |", a.touch_mib);
    }
    if let (Some(c0), Some(c1)) = (counts0, counts1) {
        println!("| server's kernel calls per steady round | {} |", c0.per(&c1, a.rounds));
    }
    println!(
        "| officer's steady sync (1 change up), p50 / p99 | {:.1} / {:.1} ms |",
        percentile(&mut o_lat, 0.5),
        percentile(&mut o_lat, 0.99)
    );
    if !l_lat.is_empty() {
        println!(
            "| leader's steady sync (partial, pulls it), p50 / p99 | {:.1} / {:.1} ms |",
            percentile(&mut l_lat, 0.5),
            percentile(&mut l_lat, 0.99)
        );
    }
    for (who, wire) in
        [("officer", &mut o_wire), ("leader", &mut l_wire)].into_iter().filter(|(_, w)| !w.is_empty())
    {
        println!(
            "| {who}'s steady sync, round trips only, p50 / p99 | {:.1} / {:.1} ms |",
            percentile(wire, 0.5),
            percentile(wire, 0.99)
        );
    }

    let month = last_full_month();
    let county = anlan_tests::history::county_code(0);
    let http = reqwest::Client::new();
    for (what, path) in
        [("statistics", "stats"), ("export, CSV", "stats/export.csv"), ("export, XLSX", "stats/export.xlsx")]
    {
        let t = Instant::now();
        let res = http
            .get(format!("{}/api/v1/{path}?unit={county}&from={}&to={}", server.url, month.0, month.1))
            .bearer_auth("histgen-h_c0")
            .send()
            .await?
            .error_for_status()?;
        let n = res.bytes().await?.len();
        println!("| {what}, county {county}, {} – {} | {:.0} ms, {n} B |", month.0, month.1, ms(t.elapsed()));
    }
    println!("| server peak RSS | {} MiB |", server.peak_rss_kib().unwrap_or(0) / 1024);
    println!("| server CPU for all of the above | {:.1} s |", server.cpu_seconds().unwrap_or(0.0));
    drop(server);
    clocks(&url).await?;

    explain::print(&url).await?;
    if !a.no_reproject {
        timed(bin, &["reproject", "--database-url", &url], "anlan reproject")?;
    }
    if !url.starts_with("postgres") {
        let dest = format!("{}/backup.db", a.out);
        let _ = std::fs::remove_file(&dest);
        timed(bin, &["backup", &dest, "--database-url", &url], "anlan backup")?;
        let size = std::fs::metadata(&dest)?.len();
        println!("| backup size | {:.1} MiB |", size as f64 / 1048576.0);
        std::fs::remove_file(&dest)?;
    }
    Ok(())
}

/// `perf record` on the server's process for as long as it is held.
struct SteadyProfile(std::process::Child);

impl SteadyProfile {
    fn attach(file: &str, pid: u32) -> anyhow::Result<SteadyProfile> {
        let child = std::process::Command::new("perf")
            .args(["record", "-F", "2999", "--call-graph", "dwarf,32768", "-o", file, "-p", &pid.to_string()])
            .stdout(std::process::Stdio::null())
            .spawn()
            .map_err(|e| anyhow::anyhow!("cannot start perf (Debian's linux-perf): {e}"))?;
        // perf needs a moment to open its counters; rounds before that would go unrecorded.
        std::thread::sleep(Duration::from_millis(500));
        Ok(SteadyProfile(child))
    }

    /// Stop it as Ctrl-C would, so that it writes a complete file.
    fn finish(mut self) -> anyhow::Result<()> {
        let status = std::process::Command::new("kill").args(["-INT", &self.0.id().to_string()]).status()?;
        anyhow::ensure!(status.success(), "cannot stop perf");
        let status = self.0.wait()?;
        // perf writes its file, then ends by the signal it was sent.
        use std::os::unix::process::ExitStatusExt;
        anyhow::ensure!(status.success() || status.signal() == Some(2), "perf record: {status}");
        Ok(())
    }
}

/// The alert worker's two clocks that read the history on every tick, each run twice: the
/// first tick may write what the server's own worker had not yet, the second only reads.
async fn clocks(url: &str) -> anyhow::Result<()> {
    let store = anlan_server::store::SqlStore::connect(url).await?;
    let after_ms = anlan_server::Config::new(url).escalate_after.as_millis() as i64;
    for tick in ["first", "second"] {
        let t = Instant::now();
        let n = store.escalate(after_ms).await?;
        println!("| escalation sweep, {tick} tick | {:.1} ms, {n} new rows |", ms(t.elapsed()));
        let t = Instant::now();
        let n = store.remind_overdue().await?;
        println!("| deadline reminders, {tick} tick | {:.1} ms, {n} new rows |", ms(t.elapsed()));
    }
    store.close().await;
    Ok(())
}

/// Every thread of this client onto CPU 1; threads started later inherit it from their parents.
fn pin_self_to_cpu_1() -> anyhow::Result<()> {
    let pid = std::process::id().to_string();
    let status = std::process::Command::new("taskset")
        .args(["-a", "-p", "-c", "1", &pid])
        .stdout(std::process::Stdio::null())
        .status()?;
    anyhow::ensure!(status.success(), "taskset could not pin this client to CPU 1");
    Ok(())
}

/// A buffer the client reads through between syncs, one byte per cache line, standing in for
/// a leader's walk of many more documents than it holds.
struct Touch {
    buffer: Vec<u8>,
    walks: u32,
    spent: Duration,
}

impl Touch {
    fn new(mib: usize) -> Self {
        // Filled, not zeroed: zeroed pages would all map to the kernel's one zero page.
        Self { buffer: vec![1; mib << 20], walks: 0, spent: Duration::ZERO }
    }

    fn walk(&mut self) {
        if self.buffer.is_empty() {
            return;
        }
        let t = Instant::now();
        let sum: u64 = self.buffer.iter().step_by(64).map(|&b| u64::from(b)).sum();
        std::hint::black_box(sum);
        self.spent += t.elapsed();
        self.walks += 1;
    }

    fn per_walk(&self) -> Option<f64> {
        (self.walks > 0).then(|| ms(self.spent) / f64::from(self.walks))
    }
}

/// Sync until the feed is drained: a first sync of a busy unit takes many pages.
async fn catch_up(d: &mut SimDevice) -> anyhow::Result<()> {
    for _ in 0..10_000 {
        let res = d.sync_once(false).await?.expect("not lost");
        if !res.more && d.pending() == 0 {
            return Ok(());
        }
    }
    anyhow::bail!("no end to the feed")
}

/// Run the command, printing its time and its peak RSS (`VmHWM`, read every 50 ms while it runs).
fn timed(bin: &str, args: &[&str], what: &str) -> anyhow::Result<()> {
    let t = Instant::now();
    let mut child = std::process::Command::new(bin)
        .args(args)
        .env("RUST_LOG", "warn")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::inherit())
        .spawn()?;
    let status_file = format!("/proc/{}/status", child.id());
    let mut peak_kib = 0u64;
    let status = loop {
        if let Some(status) = child.try_wait()? {
            break status;
        }
        if let Some(kib) = std::fs::read_to_string(&status_file).ok().as_deref().and_then(vm_hwm_kib) {
            peak_kib = peak_kib.max(kib);
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    };
    anyhow::ensure!(status.success(), "{what} failed ({status}); its errors are above");
    println!("| {what} | {:.1} s, peak RSS {} MiB |", t.elapsed().as_secs_f64(), peak_kib / 1024);
    Ok(())
}

fn vm_hwm_kib(status: &str) -> Option<u64> {
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// The month before this one, as `YYYY-MM-DD` bounds (Beijing).
fn last_full_month() -> (String, String) {
    sync_protocol::calendar::month_dates(anlan_tests::device::now_ms(), -1)
}

async fn count_cases(url: &str) -> anyhow::Result<i64> {
    use sqlx::Connection;
    const SQL: &str = "SELECT COUNT(*) FROM cases";
    Ok(if url.starts_with("postgres") {
        sqlx::query_scalar(SQL).fetch_one(&mut sqlx::PgConnection::connect(url).await?).await?
    } else {
        sqlx::query_scalar(SQL).fetch_one(&mut sqlx::SqliteConnection::connect(url).await?).await?
    })
}
