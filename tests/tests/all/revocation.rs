//! Revocation takes effect at once: a revoked device's open live stream ends (on every replica),
//! a retiring device keeps only its last upload, and what an administrator does on the command
//! line reaches open streams as the same act over HTTP does.

use std::process::Command;
use std::time::Duration;

use anlan_tests::*;
use reqwest::StatusCode;
use sync_protocol::case::Severity;

const BIN: &str = env!("CARGO_BIN_EXE_anlan-under-test");

on_both_backends!(
    a_revoked_devices_open_live_stream_ends_within_a_second_on_every_replica,
    a_retiring_device_reads_nothing_renews_nothing_and_makes_its_last_upload,
    a_move_made_on_the_command_line_reaches_the_persons_open_live_stream,
    a_device_revoked_on_the_command_line_loses_its_open_live_stream,
);

/// Someone with two devices: the first (returned as a device) and the token of a second.
async fn two_devices(app: &TestApp, user: &str) -> (SimDevice, String) {
    let first = app.enrol(user, "village_officer", PUTOU).await;
    let second = app.store.issue_device(user, "新手机", None).await.unwrap();
    (first, second.token)
}

/// `anlan admin …` against the app's database, as an administrator would run it.
fn admin(app: &TestApp, args: &[&str]) -> String {
    let out = Command::new(BIN)
        .arg("admin")
        .args(args)
        .args(["--database-url", &app.db.url])
        .env("RUST_LOG", "warn")
        .output()
        .expect("run anlan");
    let stdout = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(out.status.success(), "{stdout}{}", String::from_utf8_lossy(&out.stderr));
    stdout
}

async fn a_revoked_devices_open_live_stream_ends_within_a_second_on_every_replica(b: Backend) {
    let app = TestApp::spawn(b).await;
    // With PostgreSQL the stream is held by another replica than the one that revokes.
    let replica = match b {
        Backend::Postgres => Some(TestApp::spawn_on_url(&app.db.url).await),
        Backend::Sqlite => None,
    };
    let (lost, own) = two_devices(&app, "u-lost").await;
    let lost_id = app.device_id(&lost.token).await;
    let mut stream = replica.as_ref().unwrap_or(&app).live_stream(&lost.token).await.unwrap();
    let mut unrelated = app.live_stream(LEADER).await.unwrap();

    let (status, body) = app.api("POST", &format!("/devices/{lost_id}/revoke"), &own, None).await;
    assert_eq!(status, StatusCode::OK, "{body}");

    assert!(stream.ends_within(Duration::from_secs(1)).await, "the revoked device's stream ends at once");
    let mut officer = app.device(OFFICER);
    officer.login().await.unwrap();
    officer.create(&officer.new_case(PUTOU, Severity::General, "撤销之后"));
    officer.sync().await.unwrap();
    assert!(unrelated.next_feed(Duration::from_secs(2)).await.is_some(), "other streams go on");
}

async fn a_retiring_device_reads_nothing_renews_nothing_and_makes_its_last_upload(b: Backend) {
    let app = TestApp::spawn(b).await;
    let (mut old, new) = two_devices(&app, "u-handed-back").await;
    old.login().await.unwrap();
    let id = old.create(&old.new_case(PUTOU, Severity::Major, "交还前记下的"));
    let old_id = app.device_id(&old.token).await;
    let mut stream = app.live_stream(&old.token).await.unwrap();

    let (status, body) = app.api("POST", &format!("/devices/{old_id}/retire"), &new, None).await;
    assert_eq!(status, StatusCode::OK, "{body}");

    assert!(stream.ends_within(Duration::from_secs(1)).await, "its live stream ends at once");
    for (method, path) in
        [("GET", "/cases"), ("GET", "/session"), ("GET", "/devices"), ("POST", "/token/rotate")]
    {
        let (status, body) = app.api(method, path, &old.token, None).await;
        assert_eq!(
            (status, body["code"].as_str()),
            (StatusCode::UNAUTHORIZED, Some("device_retiring")),
            "{path}"
        );
    }
    let (status, body) = app.live_stream(&old.token).await.err().expect("no new stream");
    assert_eq!((status, body["code"].as_str()), (StatusCode::UNAUTHORIZED, Some("device_retiring")));

    let last = old.sync_once(false).await.unwrap().unwrap();
    assert_eq!(last.results[0].status, sync_protocol::wire::Status::Ok, "the last upload is accepted");
    let err = old.sync_once(false).await.unwrap_err().to_string();
    assert!(err.contains("device_revoked"), "then it is revoked: {err}");
    let (status, body) = app.api("POST", "/token/rotate", &old.token, None).await;
    assert_eq!((status, body["code"].as_str()), (StatusCode::UNAUTHORIZED, Some("device_revoked")));

    let mut leader = app.device(LEADER);
    leader.login().await.unwrap();
    leader.sync().await.unwrap();
    assert_eq!(leader.case(id).title, "交还前记下的");
}

async fn a_move_made_on_the_command_line_reaches_the_persons_open_live_stream(b: Backend) {
    let app = TestApp::spawn(b).await;
    let mover = app.enrol("mover", "village_officer", PUTOU).await;
    let mut stream = app.live_stream(&mover.token).await.unwrap();

    let said = admin(&app, &["user-move", "--user", "mover", "--unit", XIMEN]);
    assert!(said.contains("moved"), "{said}");

    assert!(stream.next_feed(Duration::from_secs(2)).await.is_some(), "the move is news, as over HTTP");
    let mut ximen = app.enrol("xm1", "village_officer", XIMEN).await;
    ximen.login().await.unwrap();
    ximen.create(&ximen.new_case(XIMEN, Severity::General, "西门村"));
    ximen.sync().await.unwrap();
    assert!(stream.next_feed(Duration::from_secs(2)).await.is_some(), "the new village is news now");
}

async fn a_device_revoked_on_the_command_line_loses_its_open_live_stream(b: Backend) {
    let app = TestApp::spawn(b).await;
    let (lost, _) = two_devices(&app, "u-lost").await;
    let lost_id = app.device_id(&lost.token).await;
    let mut stream = app.live_stream(&lost.token).await.unwrap();

    admin(&app, &["device-revoke", &lost_id.to_string()]);

    assert!(stream.ends_within(Duration::from_secs(2)).await, "the stream ends without waiting for news");
}
