//! Helpers for the sweep tests: launching campaigns, reporting as a phone does, and reading
//! completeness the way the dashboard and a leader's phone do.

use std::future::Future;
use std::time::{Duration, Instant};

use anlan_tests::device::Local;
use anlan_tests::{SimDevice, TestApp};
use automerge::AutomergeError;
use automerge::transaction::Transaction;
use serde_json::{Value, json};
use sync_protocol::DocId;
use sync_protocol::sweep::completeness::{Input, completeness as compute};
use sync_protocol::sweep::{genesis_doc, report_id};

pub const CAOYUAN: &str = "350481101";
pub const GONGCHUAN: &str = "350481102";
pub const DAY: i64 = 86_400_000;

/// A campaign body: a concentrated sweep open now, due in two days, with `overrides`.
pub fn campaign_body(overrides: Value) -> Value {
    let now = anlan_server::store::now_ms();
    let mut body = json!({
        "name": "春节前矛盾纠纷集中排查", "kind": "concentrated",
        "window_start": now - 60_000, "window_end": now + 2 * DAY, "deadline": now + 2 * DAY,
        "focus": ["land", "compensation"],
    });
    for (k, v) in overrides.as_object().unwrap() {
        body[k] = v.clone();
    }
    body
}

/// Launch a campaign as `token`; its id.
pub async fn launch(app: &TestApp, token: &str, overrides: Value) -> String {
    let res = reqwest::Client::new()
        .post(format!("{}/api/v1/campaigns", app.url))
        .bearer_auth(token)
        .json(&campaign_body(overrides))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
    let body: Value = res.json().await.unwrap();
    body["campaign"]["id"].as_str().unwrap().to_string()
}

/// Report as a phone does: start from the shared genesis (unless the report is already on
/// the phone) and edit it with this device's actor.
pub fn report(
    dev: &mut SimDevice,
    campaign: &str,
    village: &str,
    f: impl FnOnce(&mut Transaction<'_>, &str) -> Result<(), AutomergeError>,
) -> DocId {
    let id = report_id(campaign, village);
    dev.docs.entry(id).or_insert_with(|| Local { doc: genesis_doc(campaign, village), acked: vec![] });
    let me = dev.user_id.clone();
    dev.edit(id, |tx| f(tx, &me));
    id
}

pub async fn get_status(app: &TestApp, token: &str, path: &str) -> u16 {
    let res =
        reqwest::Client::new().get(format!("{}{path}", app.url)).bearer_auth(token).send().await.unwrap();
    res.status().as_u16()
}

pub async fn get(app: &TestApp, token: &str, path: &str) -> Value {
    let res =
        reqwest::Client::new().get(format!("{}{path}", app.url)).bearer_auth(token).send().await.unwrap();
    assert_eq!(res.status(), 200, "{path}");
    res.json().await.unwrap()
}

pub async fn completeness(app: &TestApp, token: &str, id: &str) -> Value {
    get(app, token, &format!("/api/v1/campaigns/{id}/completeness")).await
}

pub async fn completeness_status(app: &TestApp, token: &str, id: &str) -> u16 {
    get_status(app, token, &format!("/api/v1/campaigns/{id}/completeness")).await
}

/// What a leader's phone computes offline from the campaign list it cached.
pub async fn phone_completeness(app: &TestApp, token: &str, id: &str) -> Value {
    let list = get(app, token, "/api/v1/campaigns").await;
    let c = list["campaigns"].as_array().unwrap().iter().find(|c| c["campaign"]["id"] == id).unwrap();
    let input = Input {
        deadline: c["campaign"]["deadline"].as_i64().unwrap(),
        now: list["now"].as_i64().unwrap(),
        villages: serde_json::from_value(c["villages"].clone()).unwrap(),
        reports: serde_json::from_value(c["reports"].clone()).unwrap(),
    };
    serde_json::to_value(compute(&input)).unwrap()
}

/// Poll `check` for up to ten seconds.
pub async fn wait_for<F: Future<Output = bool>>(mut check: impl FnMut() -> F) -> bool {
    let start = Instant::now();
    while start.elapsed() < Duration::from_secs(10) {
        if check().await {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    false
}
