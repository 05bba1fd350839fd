//! Push subscriptions are client input: an endpoint must be https on a public address unless the
//! operator allows a private push service, and knowing someone's endpoint is not a way to take
//! their alerts.

use anlan_tests::push_service::PushService;
use anlan_tests::*;
use reqwest::StatusCode;
use serde_json::{Value, json};

on_both_backends!(
    endpoints_on_internal_addresses_are_refused_unless_the_operator_allows_them,
    an_endpoint_registered_to_another_persons_device_stays_with_it,
);

/// A well-formed subscription body for `endpoint` (keys from RFC 8291 §5).
fn subscription(endpoint: &str) -> Value {
    json!({
        "endpoint": endpoint,
        "keys": {
            "p256dh": "BCVxsr7N_eNgVRqvHtD0zTZsEc6-VV-JvLexhqUzORcxaOzi6-AYWXvTBHm4bjyPjs7Vd8pZGH6SRpkNtoIAiw4",
            "auth": "BTBZMqHH6r4Tts7J_aSIgg",
        },
    })
}

async fn endpoints_on_internal_addresses_are_refused_unless_the_operator_allows_them(b: Backend) {
    let strict = TestApp::spawn_with(TestDb::new(b).await, |c| c.allow_private_push = false).await;
    for endpoint in [
        "http://127.0.0.1:9/push/x",
        "https://127.0.0.1/push/x",
        "https://169.254.169.254/latest/meta-data",
        "https://10.0.0.7/push/x",
        "https://192.168.1.1/push/x",
        "https://[::1]/push/x",
        "https://[fe80::1]/push/x",
        "https://localhost/push/x",
    ] {
        let (status, body) =
            strict.api("POST", "/push/subscriptions", LEADER, Some(subscription(endpoint))).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{endpoint}: {body}");
        assert_eq!(body["code"], "bad_request", "{endpoint}");
        assert!(body["message"].as_str().unwrap().contains("public address"), "{endpoint}: {body}");
    }
    assert_eq!(strict.store.subscription_count().await.unwrap(), 0, "nothing refused was stored");
    let public = subscription("https://1.1.1.1/push/x");
    assert_eq!(
        strict.api("POST", "/push/subscriptions", LEADER, Some(public)).await.0,
        StatusCode::NO_CONTENT
    );
    let db = strict.stop().await;

    // `--push-allow-private` (the harness's default, for its loopback push service).
    let open = TestApp::spawn_on(db).await;
    let loopback = subscription("http://127.0.0.1:9/push/x");
    assert_eq!(
        open.api("POST", "/push/subscriptions", LEADER, Some(loopback)).await.0,
        StatusCode::NO_CONTENT
    );
}

async fn an_endpoint_registered_to_another_persons_device_stays_with_it(b: Backend) {
    let app = TestApp::spawn(b).await;
    let push = PushService::spawn().await;
    let mine = app.subscribe_push(&push, LEADER).await;
    let other = app.enrol("u-other-leader", "township_leader", "350481101").await;

    // Someone who learnt the endpoint registers it with keys of their own.
    let mut theirs = push.subscribe().to_json();
    theirs["endpoint"] = mine.endpoint.clone().into();
    let (status, body) = app.api("POST", "/push/subscriptions", &other.token, Some(theirs)).await;
    assert_eq!((status, body["code"].as_str()), (StatusCode::FORBIDDEN, Some("forbidden")), "{body}");
    let gone = json!({ "endpoint": mine.endpoint });
    app.api("DELETE", "/push/subscriptions", &other.token, Some(gone.clone())).await;
    assert_eq!(app.store.subscription_count().await.unwrap(), 1, "it is still the leader's");

    // The same browser subscription (same secret) signed in as someone else moves with it.
    let (status, _) = app.api("POST", "/push/subscriptions", &other.token, Some(mine.to_json())).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    app.api("DELETE", "/push/subscriptions", LEADER, Some(gone.clone())).await;
    assert_eq!(app.store.subscription_count().await.unwrap(), 1, "it is no longer the leader's");
    app.api("DELETE", "/push/subscriptions", &other.token, Some(gone)).await;
    assert_eq!(app.store.subscription_count().await.unwrap(), 0, "it is the new holder's");
}
