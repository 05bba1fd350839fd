//! Behind a reverse proxy: the forwarded client address is believed only from the proxies the
//! operator named, and then the per-address sign-in lockout counts clients, not the proxy.

use anlan_tests::*;
use reqwest::StatusCode;

on_both_backends!(
    behind_a_trusted_proxy_the_lockout_counts_each_forwarded_client,
    without_trusted_proxies_a_forged_forwarded_for_does_not_escape_the_lockout,
);

/// A failed sign-in as the client `client` says (by X-Forwarded-For) it is.
async fn fail_login(app: &TestApp, client: &str, phone: &str) -> StatusCode {
    reqwest::Client::new()
        .post(format!("{}/api/v1/login", app.url))
        .header("x-forwarded-for", client)
        .json(&serde_json::json!({ "phone": phone, "password": "123456789" }))
        .send()
        .await
        .unwrap()
        .status()
}

async fn behind_a_trusted_proxy_the_lockout_counts_each_forwarded_client(b: Backend) {
    let app = TestApp::spawn_with(TestDb::new(b).await, |c| {
        c.trusted_proxies = vec!["127.0.0.0/8".parse().unwrap()];
    })
    .await;
    // A client with a forged entry in front: the proxy appends the address it saw.
    let sweeper = "1.2.3.4, 203.0.113.9";
    for i in 0..20 {
        assert_eq!(fail_login(&app, sweeper, &format!("1370000{i:04}")).await, StatusCode::UNAUTHORIZED);
    }
    assert_eq!(fail_login(&app, "203.0.113.9", "13799990000").await, StatusCode::TOO_MANY_REQUESTS);
    // Everyone else behind the same proxy signs in as before.
    assert_eq!(fail_login(&app, "198.51.100.7", "13799990001").await, StatusCode::UNAUTHORIZED);
}

async fn without_trusted_proxies_a_forged_forwarded_for_does_not_escape_the_lockout(b: Backend) {
    let app = TestApp::spawn(b).await;
    for i in 0..20 {
        let forged = format!("203.0.113.{i}");
        assert_eq!(fail_login(&app, &forged, &format!("1370000{i:04}")).await, StatusCode::UNAUTHORIZED);
    }
    assert_eq!(fail_login(&app, "203.0.113.99", "13799990000").await, StatusCode::TOO_MANY_REQUESTS);
}
