//! Alert latency and throughput (BENCHMARKS.md): from the commit of an urgent case to the
//! request at a local push service, and how many pushes one worker sends per second.
//!
//!     cargo build --release -p anlan-tests --bin alertbench && target/release/alertbench

use std::collections::HashMap;
use std::time::{Duration, Instant};

use anlan_tests::push_service::PushService;
use anlan_tests::{Backend, LEADER, OFFICER, PUTOU, TestApp, TestDb};
use sync_protocol::case::Severity;

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    for backend in [Backend::Sqlite, Backend::Postgres] {
        // A slow tick: only the commit's own wake-up can make alerts fast.
        let db = TestDb::new(backend).await;
        let app = TestApp::spawn_with(db, |c| c.alert_tick = Duration::from_secs(5)).await;
        let push = PushService::spawn().await;
        app.subscribe_push(&push, LEADER).await;
        let mut officer = app.device(OFFICER);
        officer.login().await?;

        // Latency: one urgent case per sync, one at a time.
        const N: usize = 200;
        let mut committed = HashMap::new();
        for i in 0..N {
            let id = officer.create(&officer.new_case(PUTOU, Severity::Urgent, &format!("紧急{i}")));
            officer.sync_once(false).await?;
            committed.insert(id.to_string(), Instant::now());
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        let got = push.wait_for_delivered(N, Duration::from_secs(60)).await;
        let mut lat: Vec<Duration> = got
            .iter()
            .filter_map(|m| {
                committed
                    .get(m.json()["doc_id"].as_str()?)
                    .map(|t| m.received_at.saturating_duration_since(*t))
            })
            .collect();
        lat.sort();
        println!(
            "{backend:?}: commit → push service, {} alerts: p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms",
            lat.len(),
            percentile(&lat, 0.5).as_secs_f64() * 1e3,
            percentile(&lat, 0.99).as_secs_f64() * 1e3,
            lat.last().unwrap().as_secs_f64() * 1e3
        );

        // Throughput: 100 more subscriptions, 20 urgent cases in one sync = 2,020 pushes.
        for _ in 0..100 {
            app.subscribe_push(&push, LEADER).await;
        }
        let before = push.delivered().len();
        for i in 0..20 {
            officer.create(&officer.new_case(PUTOU, Severity::Urgent, &format!("批量紧急{i}")));
        }
        let started = Instant::now();
        officer.sync_once(false).await?;
        let want = before + 20 * 101;
        push.wait_for_delivered(want, Duration::from_secs(120)).await;
        let secs = started.elapsed().as_secs_f64();
        println!(
            "{backend:?}: {} pushes by one worker in {secs:.2} s = {:.0} alerts/s",
            want - before,
            (want - before) as f64 / secs
        );
        app.stop().await;
    }
    Ok(())
}
