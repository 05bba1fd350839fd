//! The OpenAPI description: served to anyone, the same as the committed `docs/openapi.json`
//! (which the PWA's types are generated from), and naming no operation the server does not route.

use anlan_tests::*;

const COMMITTED: &str = include_str!("../../../docs/openapi.json");

async fn served(app: &TestApp) -> serde_json::Value {
    let res = reqwest::get(format!("{}/api/v1/openapi.json", app.url)).await.unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["content-type"], "application/json");
    res.json().await.unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_served_description_is_the_committed_one_and_needs_no_sign_in() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let doc = served(&app).await;
    let committed: serde_json::Value = serde_json::from_str(COMMITTED).unwrap();
    assert!(doc == committed, "docs/openapi.json differs from what the server serves");
    assert_eq!(doc["openapi"], "3.1.0");
}

/// Without a token every signed-in operation answers 401, and the open ones answer for
/// themselves: none may meet the router's "no such path" (404) or "no such method" (405).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_described_operation_is_routed() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let doc = served(&app).await;
    let client = reqwest::Client::new();
    let mut seen = 0;
    for (path, item) in doc["paths"].as_object().unwrap() {
        // Parameters by a value each would accept: a number serves for ids and hashes alike.
        let concrete: String =
            path.split('/').map(|s| if s.starts_with('{') { "1" } else { s }).collect::<Vec<_>>().join("/");
        for method in item.as_object().unwrap().keys() {
            let method: reqwest::Method = method.to_uppercase().parse().unwrap();
            let url = format!("{}/api/v1{concrete}", app.url);
            let res = client.request(method.clone(), &url).send().await.unwrap();
            let status = res.status().as_u16();
            assert!(status != 404 && status != 405, "{method} {path}: {status}");
            seen += 1;
        }
    }
    assert!(seen > 40, "only {seen} operations described");
}
