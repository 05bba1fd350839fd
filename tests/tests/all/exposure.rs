//! What a client without a login can hold of the server: half-sent requests are cut off, open
//! connections are capped, a device's live streams are capped, oversized bodies and
//! impossible paths get JSON errors, and `/metrics` can be fenced off.

use std::time::{Duration, Instant};

use anlan_server::serving::Limits;
use anlan_tests::*;
use reqwest::{Method, StatusCode};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

on_both_backends!(
    half_sent_requests_are_cut_off_and_do_not_stop_new_clients,
    connections_beyond_the_cap_wait_for_a_free_one,
    oversized_json_bodies_answer_413_with_a_json_error,
    other_bad_json_bodies_answer_400_or_415_with_a_json_error,
    impossible_and_unknown_paths_answer_json_404,
    a_device_holds_at_most_its_share_of_live_streams,
    metrics_need_their_token_when_one_is_set,
    metrics_on_their_own_listener_are_not_on_the_main_one,
);

async fn spawn_limited(b: Backend, limits: Limits) -> TestApp {
    TestApp::spawn_with(TestDb::new(b).await, |c| c.limits = limits).await
}

fn addr(app: &TestApp) -> String {
    app.url.trim_start_matches("http://").to_string()
}

/// A connection that sends the start of a request head and then nothing.
async fn half_sent(addr: &str) -> TcpStream {
    let mut s = TcpStream::connect(addr).await.unwrap();
    s.write_all(b"GET /healthz HTTP/1.1\r\nHost: anlan\r\nX-Slow: ").await.unwrap();
    s
}

/// Whether the server closed `s` within `within` (end of stream or a reset).
async fn closed_by_server(s: &mut TcpStream, within: Duration) -> bool {
    let mut buf = [0u8; 512];
    loop {
        match tokio::time::timeout(within, s.read(&mut buf)).await {
            Err(_) => return false,
            Ok(Ok(0)) | Ok(Err(_)) => return true,
            // Whatever the server says before closing (it may say nothing).
            Ok(Ok(_)) => continue,
        }
    }
}

async fn healthz(app: &TestApp, within: Duration) -> StatusCode {
    let client = reqwest::Client::builder().timeout(within).build().unwrap();
    client.get(format!("{}/healthz", app.url)).send().await.unwrap().status()
}

async fn half_sent_requests_are_cut_off_and_do_not_stop_new_clients(b: Backend) {
    let limits = Limits { header_read_timeout: Duration::from_secs(1), ..Limits::default() };
    let app = spawn_limited(b, limits).await;
    let mut slow = Vec::new();
    for _ in 0..300 {
        slow.push(half_sent(&addr(&app)).await);
    }
    assert_eq!(healthz(&app, Duration::from_secs(5)).await, StatusCode::OK);
    let started = Instant::now();
    for s in &mut slow {
        assert!(closed_by_server(s, Duration::from_secs(5)).await, "a half-sent request was left open");
    }
    assert!(started.elapsed() < Duration::from_secs(5), "cut off after {:?}", started.elapsed());
    assert_eq!(healthz(&app, Duration::from_secs(5)).await, StatusCode::OK);
}

async fn connections_beyond_the_cap_wait_for_a_free_one(b: Backend) {
    let app = spawn_limited(b, Limits { max_connections: 5, ..Limits::default() }).await;
    let mut held = Vec::new();
    for _ in 0..5 {
        held.push(half_sent(&addr(&app)).await);
    }
    let url = app.url.clone();
    let waiting = tokio::spawn(async move {
        let res = reqwest::get(format!("{url}/healthz")).await.unwrap();
        (res.status(), Instant::now())
    });
    tokio::time::sleep(Duration::from_millis(800)).await;
    assert!(!waiting.is_finished(), "a sixth connection was served while five were open");
    let freed = Instant::now();
    drop(held);
    let (status, answered) = tokio::time::timeout(Duration::from_secs(5), waiting).await.unwrap().unwrap();
    assert_eq!(status, StatusCode::OK);
    assert!(answered.duration_since(freed) < Duration::from_secs(3));
}

/// A JSON object whose one string field makes it `bytes` long.
fn json_of(bytes: usize) -> Vec<u8> {
    serde_json::to_vec(&serde_json::json!({ "phone": "1".repeat(bytes) })).unwrap()
}

async fn oversized_json_bodies_answer_413_with_a_json_error(b: Backend) {
    let app = TestApp::spawn(b).await;
    let (leader, county) = (Some(LEADER), Some(COUNTY));
    // Sign-in and forms allow 16 KiB, moving a person 4 KiB, the rest axum's 2 MiB.
    let cases = [
        ("/api/v1/login", None, 20_000),
        ("/api/v1/enrol", None, 20_000),
        ("/api/v1/campaigns", leader, 3_000_000),
        ("/api/v1/push/subscriptions", Some(OFFICER), 3_000_000),
        ("/api/v1/admin/users/u_demo_officer/move", county, 8_000),
        ("/api/v1/admin/units", county, 20_000),
        ("/api/v1/admin/users", county, 20_000),
    ];
    for (path, token, size) in cases {
        let (status, body) = app.call(Method::POST, path, token, Some(json_of(size))).await;
        assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE, "{path}: {body}");
        assert_eq!(body["code"], "payload_too_large", "{path}: {body}");
    }
    let (status, body) =
        app.call(Method::PUT, "/api/v1/admin/units/350481101/location", county, Some(json_of(20_000))).await;
    assert_eq!(
        (status, &body["code"]),
        (StatusCode::PAYLOAD_TOO_LARGE, &serde_json::json!("payload_too_large"))
    );
}

async fn other_bad_json_bodies_answer_400_or_415_with_a_json_error(b: Backend) {
    let app = TestApp::spawn(b).await;
    let (status, body) = app.call(Method::POST, "/api/v1/login", None, Some(b"{\"phone\":".to_vec())).await;
    assert_eq!(
        (status, &body["code"]),
        (StatusCode::BAD_REQUEST, &serde_json::json!("bad_request")),
        "{body}"
    );
    let res = reqwest::Client::new()
        .post(format!("{}/api/v1/login", app.url))
        .body(r#"{"phone":"13800000000","password":"x"}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
    let body: serde_json::Value = res.json().await.unwrap();
    assert_eq!(body["code"], "unsupported_media_type");
}

async fn impossible_and_unknown_paths_answer_json_404(b: Backend) {
    let dir = std::env::temp_dir().join(format!("anlan-static-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("index.html"), "<!doctype html><title>安澜</title>").unwrap();
    let static_dir = dir.clone();
    let app = TestApp::spawn_with(TestDb::new(b).await, move |c| c.static_dir = Some(static_dir)).await;
    let long_name = format!("/{}", "a".repeat(300));
    let long_path = "/ab".repeat(1500);
    let long_api = format!("/api/v1/cases/{}", "f".repeat(300));
    for path in [long_name.as_str(), &long_path, "/api/v1/no-such-thing", "/api/v2/sync", &long_api] {
        let (status, body) = app.call(Method::GET, path, Some(OFFICER), None).await;
        assert!(status.is_client_error(), "{}: {status}", &path[..40.min(path.len())]);
        assert!(
            body["code"].is_string(),
            "{}: not a JSON error: {status} {body}",
            &path[..40.min(path.len())]
        );
    }
    let (status, body) = app.call(Method::GET, "/api/v1/no-such-thing", None, None).await;
    assert_eq!((status, &body["code"]), (StatusCode::NOT_FOUND, &serde_json::json!("not_found")));
    // The app's own routes still get the app.
    for path in ["/", "/cases/123"] {
        let res = reqwest::get(format!("{}{path}", app.url)).await.unwrap();
        assert_eq!(res.status(), StatusCode::OK, "{path}");
        assert!(res.text().await.unwrap().contains("安澜"), "{path}");
    }
    let _ = std::fs::remove_dir_all(dir);
}

async fn a_device_holds_at_most_its_share_of_live_streams(b: Backend) {
    let app =
        spawn_limited(b, Limits { header_read_timeout: Duration::from_secs(1), ..Limits::default() }).await;
    let mut open = Vec::new();
    for _ in 0..anlan_server::live::streams::PER_DEVICE {
        let res = app.live(OFFICER).await;
        assert_eq!(res.status(), StatusCode::OK);
        open.push(res);
    }
    // An open stream is an answer being sent, not a request head awaited: it outlives the
    // header-read timeout (and so still holds its place).
    tokio::time::sleep(Duration::from_millis(2500)).await;
    let fifth = app.live(OFFICER).await;
    assert_eq!(fifth.status(), StatusCode::TOO_MANY_REQUESTS);
    let body: serde_json::Value = fifth.json().await.unwrap();
    assert_eq!(body["code"], "too_many_streams", "{body}");
    assert_eq!(app.live(LEADER).await.status(), StatusCode::OK, "another device is not affected");
    // A closed stream gives its place back.
    drop(open.pop());
    let started = Instant::now();
    loop {
        let res = app.live(OFFICER).await;
        if res.status() == StatusCode::OK {
            break;
        }
        assert!(started.elapsed() < Duration::from_secs(20), "the closed stream's place never came back");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

const METRICS_TOKEN: &str = "a-long-enough-scrape-token";

async fn metrics_need_their_token_when_one_is_set(b: Backend) {
    let app =
        TestApp::spawn_with(TestDb::new(b).await, |c| c.metrics_token = Some(METRICS_TOKEN.into())).await;
    for token in [None, Some("wrong-token"), Some(OFFICER)] {
        let (status, body) = app.call(Method::GET, "/metrics", token, None).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{token:?}");
        assert_eq!(body["code"], "metrics_token_required");
    }
    let res = reqwest::Client::new()
        .get(format!("{}/metrics", app.url))
        .bearer_auth(METRICS_TOKEN)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert!(res.text().await.unwrap().contains("anlan_sync_requests_total"));
}

async fn metrics_on_their_own_listener_are_not_on_the_main_one(b: Backend) {
    let app = TestApp::spawn_listening(TestDb::new(b).await, true, |_| {}).await;
    let (status, body) = app.call(Method::GET, "/metrics", None, None).await;
    assert_eq!((status, &body["code"]), (StatusCode::NOT_FOUND, &serde_json::json!("not_found")));
    let apart = app.metrics_url.clone().unwrap();
    let res = reqwest::get(format!("{apart}/metrics")).await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert!(res.text().await.unwrap().contains("anlan_sync_requests_total"));
    let res = reqwest::get(format!("{apart}/api/v1/session")).await.unwrap();
    assert_eq!(res.status(), StatusCode::NOT_FOUND, "the metrics listener serves nothing else");
}
