//! `anlan_server::push` against the local RFC 8030 push service: what the server builds must
//! decrypt and verify with independent crypto, and every answer a push service can give must
//! turn into the right `Delivery`.

use std::time::Duration;

use anlan_server::push::{
    AlertKind, AlertPayload, Backoff, Delivery, EndpointPolicy, PushClient, SendOptions, Subscription, Topic,
    VapidKeys, build_request, deliver, send,
};
use anlan_tests::push_service::{Outage, PushService, Reply, TestSubscription};
use sync_protocol::DocId;
use sync_protocol::case::{Case, Category, Location, Party, Severity, Status};

const WAIT: Duration = Duration::from_secs(5);
const CONTACT: &str = "mailto:ops@anlan.example";

fn vapid() -> VapidKeys {
    VapidKeys::generate(CONTACT.parse().unwrap())
}

/// The server's view of a subscription: what the PWA posts, parsed as the server parses it.
fn server_side(sub: &TestSubscription) -> Subscription {
    serde_json::from_value(sub.to_json()).unwrap()
}

/// The client the server uses when the operator allows a test push service on loopback.
fn http_client() -> PushClient {
    PushClient::new(EndpointPolicy { allow_http: true, allow_private: true }).unwrap()
}

fn urgent_case() -> Case {
    Case {
        schema_version: 1,
        case_no: Some("永安-2026-000123".into()),
        village: "530102001001".into(),
        category: Category::GroupPetition,
        severity: Severity::Urgent,
        status: Status::Reported,
        title: "张三与李四土地纠纷".into(),
        description: "张三称李四占用其承包地，情绪激动。".into(),
        parties: vec![
            Party {
                name: "张三".into(), phone: Some("13800138000".into()), note: Some("情绪激动".into())
            },
            Party { name: "李四".into(), phone: Some("13900139000".into()), note: None },
        ],
        reporter: "officer-17".into(),
        reported_at: 1_795_000_000_000,
        location: Some(Location { lat: 25.04, lon: 102.71, accuracy_m: Some(12.0) }),
        timeline: vec![],
        attachments: vec![],
        responsible_leader: Some("leader-3".into()),
        handler: Some("officer-17".into()),
        deadline: None,
        conflicts: vec![],
        clock_corrections: vec![],
        over_limits: vec![],
        work: Default::default(),
    }
}

fn alert(doc_id: DocId) -> AlertPayload {
    AlertPayload::from_case(AlertKind::Urgent, doc_id, &urgent_case(), "永安镇")
}

/// Backoff short enough for tests, long enough to tell apart from a `Retry-After`.
fn quick_options(payload: &AlertPayload) -> SendOptions {
    SendOptions {
        backoff: Backoff { base: Duration::from_millis(50), max: Duration::from_secs(1) },
        ..SendOptions::for_alert(payload)
    }
}

#[tokio::test]
async fn a_message_built_by_the_server_decrypts_to_the_payload_and_its_vapid_jwt_verifies() {
    let service = PushService::spawn().await;
    let vapid = vapid();
    let sub = service.subscribe_for(&vapid.application_server_key());
    let payload = alert(DocId::random());
    let opts = SendOptions { ttl: Duration::from_secs(900), ..SendOptions::for_alert(&payload) };

    let outcome = deliver(&http_client(), &vapid, &server_side(&sub), &payload, &opts).await;

    assert_eq!(outcome, Delivery::Sent);
    let received = service.wait_for_delivered(1, WAIT).await;
    let message = &received[0];
    assert_eq!(message.subscription, sub.id);
    assert_eq!(message.json(), serde_json::to_value(&payload).unwrap());
    let claims = message.vapid.as_ref().unwrap();
    assert_eq!(claims.sub, CONTACT);
    assert_eq!(claims.aud, "http://127.0.0.1");
    assert_eq!(claims.k, vapid.public_key_base64url());
    assert_eq!(message.ttl.as_deref(), Some("900"));
    assert_eq!(message.urgency.as_deref(), Some("high"));
    assert_eq!(message.content_encoding.as_deref(), Some("aes128gcm"));
}

#[tokio::test]
async fn a_message_signed_with_another_vapid_key_than_the_subscriptions_fails() {
    let service = PushService::spawn().await;
    let sub = service.subscribe_for(&vapid().application_server_key());
    let payload = alert(DocId::random());

    let outcome =
        deliver(&http_client(), &vapid(), &server_side(&sub), &payload, &SendOptions::for_alert(&payload))
            .await;

    assert_eq!(outcome, Delivery::Failed("HTTP 403".into()));
}

#[tokio::test]
async fn a_410_or_404_answer_means_the_subscription_is_gone() {
    let service = PushService::spawn().await;
    let (vapid, client) = (vapid(), http_client());
    let unsubscribed = service.subscribe();
    let expired = service.subscribe();
    service.always(&unsubscribed, Reply::Gone);
    service.always(&expired, Reply::NotFound);
    let payload = alert(DocId::random());
    let opts = SendOptions::for_alert(&payload);

    let gone = deliver(&client, &vapid, &server_side(&unsubscribed), &payload, &opts).await;
    let not_found = deliver(&client, &vapid, &server_side(&expired), &payload, &opts).await;

    assert_eq!(gone, Delivery::Gone);
    assert_eq!(not_found, Delivery::Gone);
    assert_eq!(service.messages().len(), 2);
}

#[tokio::test]
async fn a_429_with_retry_after_3_asks_to_retry_in_3_seconds_and_then_delivers() {
    let service = PushService::spawn().await;
    let (vapid, client) = (vapid(), http_client());
    let sub = service.subscribe();
    service.script(&sub, [Reply::TooManyRequests(Some("3".into()))]);
    let payload = alert(DocId::random());
    let opts = quick_options(&payload);

    let first = deliver(&client, &vapid, &server_side(&sub), &payload, &opts).await;
    let retry = deliver(&client, &vapid, &server_side(&sub), &payload, &opts).await;

    assert_eq!(first, Delivery::RetryAfter(Duration::from_secs(3)));
    assert_eq!(retry, Delivery::Sent);
    let statuses: Vec<u16> = service.messages().iter().map(|m| m.status).collect();
    assert_eq!(statuses, [429, 201]);
}

#[tokio::test]
async fn a_429_with_an_http_date_retry_after_is_honoured() {
    let service = PushService::spawn().await;
    let sub = service.subscribe();
    let in_a_minute = httpdate::fmt_http_date(std::time::SystemTime::now() + Duration::from_secs(60));
    service.script(&sub, [Reply::TooManyRequests(Some(in_a_minute))]);
    let payload = alert(DocId::random());

    let outcome =
        deliver(&http_client(), &vapid(), &server_side(&sub), &payload, &quick_options(&payload)).await;

    // HTTP-dates have one-second resolution, so a minute may come back as 59 s.
    match outcome {
        Delivery::RetryAfter(d) => assert!((58..=60).contains(&d.as_secs()), "{d:?}"),
        other => panic!("expected RetryAfter, got {other:?}"),
    }
}

#[tokio::test]
async fn a_500_asks_to_retry_after_the_backoff_for_that_attempt() {
    let service = PushService::spawn().await;
    let sub = service.subscribe();
    service.script(&sub, [Reply::ServerError]);
    let payload = alert(DocId::random());
    let opts = SendOptions { attempt: 2, ..quick_options(&payload) };

    let outcome = deliver(&http_client(), &vapid(), &server_side(&sub), &payload, &opts).await;

    assert_eq!(outcome, Delivery::RetryAfter(Duration::from_millis(200)));
}

#[tokio::test]
async fn the_case_topic_is_sent_so_repeats_about_one_case_collapse() {
    let service = PushService::spawn().await;
    let (vapid, client) = (vapid(), http_client());
    let sub = server_side(&service.subscribe());
    let case = DocId::random();
    let urgent = alert(case);
    let escalation = AlertPayload { kind: AlertKind::Escalation, ..alert(case) };
    let other_case = alert(DocId::random());

    for payload in [&urgent, &escalation, &other_case] {
        let outcome = deliver(&client, &vapid, &sub, payload, &SendOptions::for_alert(payload)).await;
        assert_eq!(outcome, Delivery::Sent);
    }

    let topics: Vec<String> = service
        .wait_for_delivered(3, WAIT)
        .await
        .into_iter()
        .map(|m| m.topic.expect("a Topic header"))
        .collect();
    assert_eq!(topics[0], Topic::for_case(&case).as_str());
    assert_eq!(topics[0], topics[1]);
    assert_ne!(topics[0], topics[2]);
    assert!(topics.iter().all(|t| Topic::new(t).is_ok()));
}

#[tokio::test]
async fn the_payload_carries_no_party_names_phones_or_case_text() {
    let service = PushService::spawn().await;
    let sub = service.subscribe();
    let case = urgent_case();
    let payload = AlertPayload::from_case(AlertKind::Urgent, DocId::random(), &case, "永安镇");

    let outcome =
        deliver(&http_client(), &vapid(), &server_side(&sub), &payload, &SendOptions::for_alert(&payload))
            .await;

    assert_eq!(outcome, Delivery::Sent);
    let message = &service.wait_for_delivered(1, WAIT).await[0];
    let text = String::from_utf8(message.payload.clone().unwrap()).unwrap();
    let personal = case
        .parties
        .iter()
        .flat_map(|p| [Some(p.name.clone()), p.phone.clone(), p.note.clone()].into_iter().flatten());
    for secret in personal.chain([case.title, case.description, case.reporter, "leader-3".into()]) {
        assert!(!text.contains(&secret), "{secret:?} leaked into {text}");
    }
    assert!(!text.contains("25.04") && !text.contains("102.71"), "location leaked: {text}");
    let mut keys: Vec<String> = message.json().as_object().unwrap().keys().cloned().collect();
    keys.sort();
    assert_eq!(keys, ["case_no", "category", "doc_id", "kind", "severity", "township", "v"]);
}

#[tokio::test]
async fn an_unreachable_or_unavailable_push_service_asks_to_retry_after_the_backoff() {
    let service = PushService::spawn().await;
    let (vapid, client) = (vapid(), http_client());
    let sub = server_side(&service.subscribe());
    let payload = alert(DocId::random());
    let opts = quick_options(&payload);

    service.go_down(Outage::Refused).await;
    let refused = deliver(&client, &vapid, &sub, &payload, &opts).await;
    service.come_back().await;
    service.go_down(Outage::Unavailable).await;
    let unavailable = deliver(&client, &vapid, &sub, &payload, &opts).await;
    service.come_back().await;
    let back = deliver(&client, &vapid, &sub, &payload, &opts).await;

    assert_eq!(refused, Delivery::RetryAfter(Duration::from_millis(50)));
    assert_eq!(unavailable, Delivery::RetryAfter(Duration::from_millis(50)));
    assert_eq!(back, Delivery::Sent);
    let statuses: Vec<u16> = service.messages().iter().map(|m| m.status).collect();
    assert_eq!(statuses, [503, 201], "the refused try never arrived");
}

#[tokio::test]
async fn an_alert_retried_as_told_is_delivered_once_after_the_push_service_returns() {
    let service = PushService::spawn().await;
    let (vapid, client) = (vapid(), http_client());
    let sub = server_side(&service.subscribe());
    let payload = alert(DocId::random());
    service.down_for(Outage::Refused, Duration::from_millis(400)).await;

    // What the outbox worker does: try, and on RetryAfter wait that long and try again.
    let mut opts = quick_options(&payload);
    let outcome = loop {
        match deliver(&client, &vapid, &sub, &payload, &opts).await {
            Delivery::RetryAfter(wait) if opts.attempt < 20 => {
                tokio::time::sleep(wait).await;
                opts.attempt += 1;
            }
            other => break other,
        }
    };

    assert_eq!(outcome, Delivery::Sent);
    assert!(opts.attempt >= 1, "the first try should have met the outage");
    let delivered = service.wait_for_delivered(1, WAIT).await;
    assert_eq!(delivered.len(), 1);
    assert_eq!(service.messages().len(), 1, "refused tries never reach the service");
    assert_eq!(delivered[0].json(), serde_json::to_value(&payload).unwrap());
}

#[tokio::test]
async fn the_local_push_service_rejects_unsigned_forged_or_corrupted_messages() {
    // Guards the guard: a push service that accepted anything would make the tests above pass
    // whatever the server sent.
    let service = PushService::spawn().await;
    let (vapid, client) = (vapid(), http_client());
    let sub = server_side(&service.subscribe());
    let payload = alert(DocId::random());
    let opts = SendOptions::for_alert(&payload);
    let request = build_request(&vapid, &sub, &payload.to_json(), &opts).unwrap();

    let mut unsigned = request.clone();
    unsigned.headers.retain(|(name, _)| name != "authorization");
    let mut forged = request.clone();
    for (name, value) in &mut forged.headers {
        if name == "authorization" {
            // Swap the claims for ones naming another contact; the signature no longer fits.
            let mallory = VapidKeys::generate("mailto:mallory@evil.example".parse().unwrap());
            let other = build_request(&mallory, &sub, b"{}", &opts).unwrap();
            let other_claims = jwt_part(other.header("authorization").unwrap(), 1);
            assert_ne!(other_claims, jwt_part(value, 1));
            *value = value.replacen(&jwt_part(value, 1), &other_claims, 1);
        }
    }
    let mut corrupted = request.clone();
    *corrupted.body.last_mut().unwrap() ^= 0x01;

    assert_eq!(send(&client, unsigned, &opts).await, Delivery::Failed("HTTP 401".into()));
    assert_eq!(send(&client, forged, &opts).await, Delivery::Failed("HTTP 401".into()));
    assert_eq!(send(&client, corrupted, &opts).await, Delivery::Failed("HTTP 400".into()));
    assert_eq!(send(&client, request, &opts).await, Delivery::Sent);
    let reasons: Vec<String> = service
        .messages()
        .iter()
        .map(|m| match (&m.vapid, &m.payload) {
            (Err(e), _) | (Ok(_), Err(e)) => e.clone(),
            (Ok(_), Ok(_)) => "ok".into(),
        })
        .collect();
    assert_eq!(reasons[0], "no Authorization header");
    assert!(reasons[1].contains("does not verify"), "{}", reasons[1]);
    assert!(reasons[2].contains("does not authenticate"), "{}", reasons[2]);
    assert_eq!(reasons[3], "ok");
}

/// Part `index` (0 header, 1 claims, 2 signature) of the JWT in an `Authorization` header.
fn jwt_part(authorization: &str, index: usize) -> String {
    let token = authorization.strip_prefix("vapid t=").and_then(|rest| rest.split(',').next()).unwrap();
    token.split('.').nth(index).unwrap().to_owned()
}

#[tokio::test]
async fn without_the_option_a_loopback_push_service_is_never_contacted() {
    let service = PushService::spawn().await;
    let vapid = vapid();
    let sub = service.subscribe_for(&vapid.application_server_key());
    let payload = alert(DocId::random());
    let strict = PushClient::new(EndpointPolicy { allow_http: true, allow_private: false }).unwrap();
    let opts = quick_options(&payload);

    let literal = deliver(&strict, &vapid, &server_side(&sub), &payload, &opts).await;
    assert!(matches!(&literal, Delivery::Failed(why) if why.contains("public")), "{literal:?}");
    // A name is resolved on every connection, and its loopback address is not handed out.
    let mut by_name = sub.clone();
    by_name.endpoint = sub.endpoint.replace("127.0.0.1", "localhost");
    let named = deliver(&strict, &vapid, &server_side(&by_name), &payload, &opts).await;
    assert!(matches!(named, Delivery::RetryAfter(_)), "{named:?}");

    tokio::time::sleep(Duration::from_millis(200)).await;
    assert!(service.messages().is_empty(), "nothing reached the loopback service");
    let allowed = deliver(&http_client(), &vapid, &server_side(&sub), &payload, &opts).await;
    assert_eq!(allowed, Delivery::Sent, "with the option the same endpoint works");
}

#[tokio::test]
async fn what_a_push_endpoint_answers_never_reaches_the_delivery_outcome() {
    let service = PushService::spawn().await;
    let vapid = vapid();
    let sub = service.subscribe_for(&vapid.application_server_key());
    service.always(&sub, Reply::WithBody(400, "ami-id\ninstance-id\nsecret-token".into()));
    let payload = alert(DocId::random());

    let outcome =
        deliver(&http_client(), &vapid, &server_side(&sub), &payload, &quick_options(&payload)).await;

    assert_eq!(outcome, Delivery::Failed("HTTP 400".into()), "the status alone, never the body");
}
