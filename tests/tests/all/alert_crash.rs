//! The real `anlan` binary killed with SIGKILL while an SMS and a group robot's message are in
//! flight (the providers have them and have not answered), then started again on the same
//! database: no alert is lost, and each channel sends at most one duplicate — the one a crash
//! between the provider's acceptance and our record of it cannot avoid.

use std::time::{Duration, Instant};

use anlan_server::store::SqlStore;
use anlan_tests::providers::Providers;
use anlan_tests::*;
use serde_json::Value;
use sync_protocol::DocId;
use sync_protocol::case::Severity;

const BIN: &str = env!("CARGO_BIN_EXE_anlan-under-test");
const LEADER_PHONE: &str = "13900000002";
const CAOYUAN: &str = "350481101";
/// Seconds a claim holds: short, so the restarted server takes the dead one's work soon.
const LEASE_SECS: u64 = 2;
const WAIT: Duration = Duration::from_secs(20);

on_both_backends!(a_server_killed_mid_send_loses_no_alert_and_repeats_each_channel_at_most_once);

async fn until(what: &str, mut done: impl FnMut() -> bool) {
    let started = Instant::now();
    while !done() {
        assert!(started.elapsed() < WAIT, "waited {WAIT:?} for {what}");
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
}

async fn alert_log(url: &str, doc: DocId) -> Value {
    let res = reqwest::Client::new()
        .get(format!("{url}/api/v1/cases/{doc}/alerts"))
        .bearer_auth(LEADER)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    res.json().await.unwrap()
}

/// The log rows of `channel`.
fn rows(log: &Value, channel: &str) -> Vec<Value> {
    log.as_array().unwrap().iter().filter(|r| r["channel"] == channel).cloned().collect()
}

async fn a_server_killed_mid_send_loses_no_alert_and_repeats_each_channel_at_most_once(b: Backend) {
    let db = TestDb::new(b).await;
    let store = SqlStore::connect(&db.url).await.unwrap();
    anlan_server::demo::seed(&store).await.unwrap();
    store.close().await;
    let p = Providers::spawn().await;
    let mut env = p.server_settings(&[CAOYUAN]);
    env.insert("ANLAN_DELIVERY_LEASE".into(), LEASE_SECS.to_string());

    // The gateway and the robot take the messages and hang: the server is mid-send.
    p.hold_next(2);
    let server = ServerProcess::start_with_env(BIN, &db.url, &env);
    let mut officer = SimDevice::new(&server.url, OFFICER);
    officer.login().await.unwrap();
    let doc = officer.create(&officer.new_case(PUTOU, Severity::Urgent, "断电"));
    officer.sync().await.unwrap();
    until("the SMS and the robot's message in flight", || {
        p.sms().len() == 1 && p.robot_messages().len() == 1
    })
    .await;
    server.kill9();

    // Nothing was answered before the kill; the new server finds both still to send.
    let server = ServerProcess::start_with_env(BIN, &db.url, &env);
    let started = Instant::now();
    let log = loop {
        let log = alert_log(&server.url, doc).await;
        let sent = |c: &str| rows(&log, c).iter().all(|r| r["state"] == "sent");
        if sent("http_sms") && sent("wecom_robot") {
            break log;
        }
        assert!(started.elapsed() < WAIT, "not sent after the restart: {log}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    // Time for a third send, if anything would make one.
    tokio::time::sleep(Duration::from_secs(LEASE_SECS * 2)).await;

    assert_eq!(rows(&log, "http_sms").len(), 1, "one SMS in the log: {log}");
    assert_eq!(rows(&log, "wecom_robot").len(), 1, "one group message in the log: {log}");
    let sms: Vec<_> = p.sms().into_iter().filter(|(to, _)| to == LEADER_PHONE).collect();
    assert!((1..=2).contains(&sms.len()), "the SMS at most twice: {sms:?}");
    assert_eq!(p.sms().len(), sms.len(), "no SMS to anyone else");
    let robot = p.robot_messages();
    assert!((1..=2).contains(&robot.len()), "the group hears at most twice: {robot:?}");
    // The in-flight send was lost with the server, so it was sent again: the duplicate a crash
    // may cost, and no more.
    assert_eq!((sms.len(), robot.len()), (2, 2));
    drop(server);
}
