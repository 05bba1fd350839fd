//! The request log as an operator reads it: every answer names its request, and with
//! `--log-format json` every line is one JSON object carrying that request's id, matched route,
//! device and user — so a person's "it failed at 10:02" can be found.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::Duration;

use anlan_server::store::SqlStore;
use anlan_tests::*;
use serde_json::Value;

const BIN: &str = env!("CARGO_BIN_EXE_anlan-under-test");

#[tokio::test]
async fn json_logs_carry_the_request_id_route_and_user_of_every_request() {
    let db = TestDb::new(Backend::Sqlite).await;
    let store = SqlStore::connect(&db.url).await.unwrap();
    anlan_server::demo::seed(&store).await.unwrap();
    store.close().await;
    let mut child = Command::new(BIN)
        .args(["--log-format", "json", "serve", "--listen", "127.0.0.1:0", "--database-url", &db.url])
        .args(["--static-dir", "/nonexistent"])
        .env("RUST_LOG", "info")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let (tx, rx) = std::sync::mpsc::channel::<String>();
    let stdout = child.stdout.take().unwrap();
    let url_tx = tx.clone();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if let Some(url) = line.strip_prefix("listening on ") {
                let _ = url_tx.send(format!("URL {url}"));
            }
        }
    });
    let stderr = child.stderr.take().unwrap();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            let _ = tx.send(line);
        }
    });
    let url = loop {
        let line = rx.recv_timeout(Duration::from_secs(30)).expect("the server starts");
        if let Some(url) = line.strip_prefix("URL ") {
            break url.to_string();
        }
    };

    let client = reqwest::Client::new();
    let res = client.get(format!("{url}/api/v1/session")).bearer_auth(OFFICER).send().await.unwrap();
    assert_eq!(res.status(), 200);
    let id = res.headers()["x-request-id"].to_str().unwrap().to_string();
    let other = client.get(format!("{url}/api/v1/session")).bearer_auth(OFFICER).send().await.unwrap();
    assert_ne!(other.headers()["x-request-id"].to_str().unwrap(), id, "each request has its own id");
    let refused = client.get(format!("{url}/api/v1/session")).bearer_auth("nobody").send().await.unwrap();
    assert_eq!(refused.status(), 401);
    assert!(refused.headers().contains_key("x-request-id"), "a refusal is named too");

    let mut found = None;
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    while found.is_none() && std::time::Instant::now() < deadline {
        let Ok(line) = rx.recv_timeout(Duration::from_millis(200)) else { continue };
        let json: Value =
            serde_json::from_str(&line).unwrap_or_else(|e| panic!("not a JSON log line ({e}): {line}"));
        if json["span"]["id"] == id.as_str() {
            found = Some(json);
        }
    }
    let _ = child.kill();
    let _ = child.wait();
    let line = found.expect("the request's log line");
    let span = &line["span"];
    assert_eq!(span["route"], "/api/v1/session");
    assert_eq!(span["user"], "u_demo_officer");
    assert!(span["device"].is_number(), "{span}");
    assert_eq!(span["path"], "/api/v1/session");
    assert!(
        line["fields"]["status"].as_u64() == Some(200) || line["fields"]["message"].is_string(),
        "{line}"
    );
}
