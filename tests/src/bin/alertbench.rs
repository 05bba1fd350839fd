//! Alert latency and throughput (BENCHMARKS.md): from the commit of an urgent case to the
//! request at a local push service, at the fake SMS gateway and at the township's WeCom and
//! DingTalk robots; how many pushes one worker sends per second; and how punctually the SMS
//! follows a push that cannot arrive.
//!
//!     cargo build --release -p anlan-tests --bin alertbench && target/release/alertbench

use std::collections::HashMap;
use std::time::{Duration, Instant};

use anlan_tests::providers::{DINGTALK_SECRET, Providers};
use anlan_tests::push_service::{Outage, PushService};
use anlan_tests::{Backend, LEADER, OFFICER, PUTOU, TestApp, TestDb};
use sync_protocol::case::Severity;

/// The demo township leader's phone (the seed) and the township whose group has a robot.
const LEADER_PHONE: &str = "13900000002";
const CAOYUAN: &str = "350481101";

fn percentile<T: Copy>(sorted: &[T], p: f64) -> T {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

/// A server that sends SMS through the fake gateway and to the township's `robot` ("wecom" or
/// "dingtalk"), with caps high enough that none of the benchmark's messages is withheld and no
/// case climbs.
async fn spawn_with_channels(
    backend: Backend,
    p: &Providers,
    robot: &str,
    sms_after: Duration,
    tick: Duration,
) -> TestApp {
    let mut settings = p.server_settings(&[CAOYUAN]);
    if robot == "dingtalk" {
        let file = std::env::temp_dir().join(format!("anlan-bench-dingtalk-{}", std::process::id()));
        let line =
            format!("{CAOYUAN} dingtalk {}/dingtalk?access_token=ding-token {DINGTALK_SECRET}\n", p.base);
        std::fs::write(&file, line).expect("a temporary robots file");
        settings.insert("ANLAN_ROBOTS_FILE".into(), file.display().to_string());
    }
    TestApp::spawn_with(TestDb::new(backend).await, |c| {
        c.channel_settings = Some(settings);
        c.sms_after = sms_after;
        c.alert_tick = tick;
        c.sms_per_person_hour = 1_000_000;
        c.sms_daily_budget = 1_000_000;
        c.escalate_after = Duration::from_secs(3_600);
    })
    .await
}

/// Commit → first request at the SMS gateway (a leader without a push subscription gets the
/// SMS at once) and at the township's `robot`, one urgent case at a time.
async fn sms_and_robot_latency(backend: Backend, robot: &'static str) -> anyhow::Result<()> {
    const N: usize = 100;
    let p = Providers::spawn().await;
    // A slow tick, as for Web Push: only the commit's own wake-up can make alerts fast.
    let slow = Duration::from_secs(5);
    let app = spawn_with_channels(backend, &p, robot, Duration::from_secs(3_600), slow).await;
    let mut officer = app.device(OFFICER);
    officer.login().await?;
    let (mut sms, mut robots) = (Vec::with_capacity(N), Vec::with_capacity(N));
    for i in 0..N {
        let (sms_before, robot_before) = (p.sms().len(), p.robot_messages().len());
        officer.create(&officer.new_case(PUTOU, Severity::Urgent, &format!("短信紧急{i}")));
        officer.sync_once(false).await?;
        let committed = Instant::now();
        let deadline = committed + Duration::from_secs(10);
        let (mut s, mut r) = (None, None);
        while (s.is_none() || r.is_none()) && Instant::now() < deadline {
            let got = p.received();
            let first = |provider: &str, skip: usize| {
                got.iter().filter(|m| m.provider == provider && m.signature_ok).nth(skip).map(|m| m.at)
            };
            s = s.or_else(|| first("gateway", sms_before));
            r = r.or_else(|| first(robot, robot_before));
            tokio::time::sleep(Duration::from_millis(1)).await;
        }
        let (Some(s), Some(r)) = (s, r) else {
            anyhow::bail!("case {i}: no SMS or robot message within 10 s");
        };
        sms.push(s.saturating_duration_since(committed));
        robots.push(r.saturating_duration_since(committed));
    }
    let robot_name = format!("{robot} robot");
    for (what, mut lat) in [("SMS gateway", sms), (robot_name.as_str(), robots)] {
        lat.sort();
        println!(
            "{backend:?}: commit → {what}, {N} alerts: p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms",
            ms(percentile(&lat, 0.5)),
            ms(percentile(&lat, 0.99)),
            ms(*lat.last().unwrap())
        );
    }
    app.stop().await;
    Ok(())
}

/// The SMS after a push that cannot arrive: its request at the gateway minus its deadline
/// (commit + `sms_after`), with the server's default worker tick.
async fn escalation_punctuality(backend: Backend) -> anyhow::Result<()> {
    const N: usize = 50;
    let sms_after = Duration::from_secs(2);
    let p = Providers::spawn().await;
    let default_tick = anlan_server::Config::new("").alert_tick;
    let app = spawn_with_channels(backend, &p, "wecom", sms_after, default_tick).await;
    let push = PushService::spawn().await;
    app.subscribe_push(&push, LEADER).await;
    push.go_down(Outage::Refused).await;
    let mut officer = app.device(OFFICER);
    officer.login().await?;
    let mut deadlines = Vec::with_capacity(N);
    for i in 0..N {
        let id = officer.create(&officer.new_case(PUTOU, Severity::Urgent, &format!("推送不达{i}")));
        officer.sync_once(false).await?;
        deadlines.push((id, Instant::now() + sms_after));
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    officer.sync().await?;
    p.wait_for_sms(LEADER_PHONE, N, Duration::from_secs(60)).await;
    let got = p.received();
    let mut late: Vec<f64> = Vec::with_capacity(N);
    // An SMS well before its deadline did not wait for Web Push: what the log says of it.
    let mut early = None;
    for (id, deadline) in deadlines {
        let case_no = officer.case(id).case_no.expect("a committed case has its number");
        let prefix = format!("【安澜】{case_no}http");
        let sent = got.iter().find(|m| {
            m.provider == "gateway"
                && m.signature_ok
                && m.body["text"].as_str().is_some_and(|t| t.starts_with(&prefix))
        });
        let Some(sent) = sent else { anyhow::bail!("no SMS for {case_no}") };
        if sent.at + Duration::from_millis(250) < deadline && early.is_none() {
            early = Some(app.alert_log(LEADER, id).await);
        }
        // Signed: the commit happens just before the officer's sync returns.
        late.push(if sent.at >= deadline { ms(sent.at - deadline) } else { -ms(deadline - sent.at) });
    }
    if let Some(log) = early {
        let n = late.iter().filter(|l| **l < -250.0).count();
        println!("{backend:?}: {n} SMS went more than 250 ms before the deadline; the first's log: {log}");
    }
    late.sort_by(f64::total_cmp);
    println!(
        "{backend:?}: SMS after {} s without push, {N} alerts: lateness p50 {:.0} ms, p99 {:.0} ms, max {:.0} ms (goal ≤ 5000 ms)",
        sms_after.as_secs(),
        percentile(&late, 0.5),
        percentile(&late, 0.99),
        late.last().unwrap()
    );
    app.stop().await;
    Ok(())
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
            ms(percentile(&lat, 0.5)),
            ms(percentile(&lat, 0.99)),
            ms(*lat.last().unwrap())
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
        sms_and_robot_latency(backend, "wecom").await?;
        sms_and_robot_latency(backend, "dingtalk").await?;
        escalation_punctuality(backend).await?;
    }
    Ok(())
}
