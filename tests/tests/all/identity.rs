//! Identity over the real HTTP server: enrolment by one-time code, login on another device,
//! lockout without enumeration, token rotation, revoking and retiring devices, administrators
//! issuing codes in their jurisdiction, and the security headers.

use anlan_tests::*;
use reqwest::StatusCode;
use serde_json::{Value, json};
use sync_protocol::case::Severity;

on_both_backends!(
    an_enrolled_phone_syncs_with_the_device_it_was_given,
    an_enrolment_code_works_once_and_never_after_it_expires,
    a_second_device_logs_in_with_phone_and_password,
    repeated_wrong_passwords_lock_the_account_and_unknown_phones_look_the_same,
    many_failures_from_one_address_lock_that_address,
    a_burst_of_concurrent_guesses_cannot_outrun_the_lockout,
    a_rotated_token_replaces_the_old_one_at_once,
    a_stolen_then_revoked_token_is_refused_with_device_revoked,
    a_device_renames_itself_and_bad_names_are_refused_leaving_the_old_one,
    a_retired_device_makes_its_last_upload_and_is_then_refused,
    an_administrator_issues_codes_only_inside_their_jurisdiction,
    every_response_carries_the_security_headers,
);

const OFFICER_PHONE: &str = "13900000001";
const PASSWORD: &str = "库区平安2026";

struct Reply {
    status: StatusCode,
    retry_after: Option<u64>,
    body: Value,
}

async fn call(app: &TestApp, method: &str, path: &str, token: Option<&str>, body: Option<Value>) -> Reply {
    let http = reqwest::Client::new();
    let url = format!("{}/api/v1{path}", app.url);
    let mut req = match method {
        "GET" => http.get(url),
        "PUT" => http.put(url),
        _ => http.post(url),
    };
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    if let Some(b) = body {
        req = req.json(&b);
    }
    let res = req.send().await.unwrap();
    let status = res.status();
    let retry_after =
        res.headers().get("retry-after").and_then(|v| v.to_str().ok()).and_then(|v| v.parse().ok());
    let body = res.json().await.unwrap_or(Value::Null);
    Reply { status, retry_after, body }
}

async fn enrol(app: &TestApp, phone: &str, code: &str, password: &str) -> Reply {
    call(app, "POST", "/enrol", None, Some(json!({ "phone": phone, "code": code, "password": password })))
        .await
}

async fn login(app: &TestApp, phone: &str, password: &str) -> Reply {
    call(
        app,
        "POST",
        "/login",
        None,
        Some(json!({ "phone": phone, "password": password, "label": "备用手机" })),
    )
    .await
}

/// Enrol the demo officer with a fresh code; returns the new device's token.
async fn enrol_officer(app: &TestApp) -> String {
    let code = app.store.issue_enrolment_code("u_demo_officer").await.unwrap();
    let r = enrol(app, OFFICER_PHONE, &code.code, PASSWORD).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    r.body["token"].as_str().unwrap().to_string()
}

async fn an_enrolled_phone_syncs_with_the_device_it_was_given(b: Backend) {
    let app = TestApp::spawn(b).await;
    let code = app.store.issue_enrolment_code("u_demo_officer").await.unwrap();
    assert_eq!(code.code.len(), 8);
    assert!(code.link("http://x").ends_with(&format!("/#/enrol?phone={OFFICER_PHONE}&code={}", code.code)));

    // Typed the way people read numbers out, with spaces.
    let r = enrol(&app, "139 0000 0001", &code.code, PASSWORD).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.body["user"]["id"], "u_demo_officer");
    let token = r.body["token"].as_str().unwrap();

    let mut phone = app.device(token);
    phone.login().await.unwrap();
    assert_eq!(phone.prefix.unwrap().to_string(), r.body["device"]["actor_prefix"].as_str().unwrap());
    let id = phone.create(&phone.new_case(PUTOU, Severity::General, "激活后的第一件"));
    phone.sync().await.unwrap();
    let mut leader = app.device(LEADER);
    leader.login().await.unwrap();
    leader.sync().await.unwrap();
    assert_eq!(leader.case(id).title, "激活后的第一件");
}

async fn an_enrolment_code_works_once_and_never_after_it_expires(b: Backend) {
    let app = TestApp::spawn(b).await;
    let code = app.store.issue_enrolment_code("u_demo_officer").await.unwrap();
    let short = enrol(&app, OFFICER_PHONE, &code.code, "1234567").await;
    assert_eq!((short.status, short.body["code"].as_str()), (StatusCode::BAD_REQUEST, Some("bad_request")));
    assert_eq!(enrol(&app, OFFICER_PHONE, &code.code, PASSWORD).await.status, StatusCode::OK);

    let again = enrol(&app, OFFICER_PHONE, &code.code, "另一个密码12345").await;
    assert_eq!(
        (again.status, again.body["code"].as_str()),
        (StatusCode::UNAUTHORIZED, Some("bad_credentials"))
    );
    // The reuse did not change the password.
    assert_eq!(login(&app, OFFICER_PHONE, PASSWORD).await.status, StatusCode::OK);

    let stale = app.store.issue_enrolment_code("u_demo_officer").await.unwrap();
    app.store.expire_enrolment_code("u_demo_officer").await.unwrap();
    assert_eq!(enrol(&app, OFFICER_PHONE, &stale.code, PASSWORD).await.status, StatusCode::UNAUTHORIZED);

    // A new code replaces the previous one: the old one stops working, the new one resets the password.
    let first = app.store.issue_enrolment_code("u_demo_officer").await.unwrap();
    let second = app.store.issue_enrolment_code("u_demo_officer").await.unwrap();
    if first.code != second.code {
        assert_eq!(enrol(&app, OFFICER_PHONE, &first.code, PASSWORD).await.status, StatusCode::UNAUTHORIZED);
    }
    assert_eq!(enrol(&app, OFFICER_PHONE, &second.code, "新的密码abcdef").await.status, StatusCode::OK);
    assert_eq!(login(&app, OFFICER_PHONE, PASSWORD).await.status, StatusCode::UNAUTHORIZED);
    assert_eq!(login(&app, OFFICER_PHONE, "新的密码abcdef").await.status, StatusCode::OK);
}

async fn a_second_device_logs_in_with_phone_and_password(b: Backend) {
    let app = TestApp::spawn(b).await;
    let first = enrol_officer(&app).await;
    let r = login(&app, "+13900000001".trim_start_matches('+'), PASSWORD).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let second = r.body["token"].as_str().unwrap().to_string();
    assert_ne!(first, second);

    let mut a = app.device(&first);
    let mut b2 = app.device(&second);
    a.login().await.unwrap();
    b2.login().await.unwrap();
    assert_ne!(a.prefix, b2.prefix, "each device writes with its own actor prefix");
    let id = a.create(&a.new_case(PUTOU, Severity::Major, "两台手机"));
    a.sync().await.unwrap();
    b2.sync().await.unwrap();
    assert_eq!(b2.case(id).title, "两台手机");

    let list = call(&app, "GET", "/devices", Some(&second), None).await;
    let devices = list.body["devices"].as_array().unwrap();
    assert_eq!(devices.len(), 3, "the demo device and the two new ones: {}", list.body);
    let current: Vec<_> = devices.iter().filter(|d| d["current"] == true).collect();
    assert_eq!(current.len(), 1);
    assert_eq!(current[0]["label"], "备用手机");
}

async fn repeated_wrong_passwords_lock_the_account_and_unknown_phones_look_the_same(b: Backend) {
    let app = TestApp::spawn(b).await;
    enrol_officer(&app).await;
    let wrong = login(&app, OFFICER_PHONE, "wrong-password").await;
    let nobody = login(&app, "13711112222", "wrong-password").await;
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
    assert_eq!(wrong.body, nobody.body, "an unknown phone answers exactly like a wrong password");
    for _ in 0..4 {
        assert_eq!(login(&app, OFFICER_PHONE, "wrong-password").await.status, StatusCode::UNAUTHORIZED);
    }
    // Five failures: now even the right password is refused until the lockout ends.
    let locked = login(&app, OFFICER_PHONE, PASSWORD).await;
    assert_eq!(locked.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(locked.body["code"], "too_many_attempts");
    let wait = locked.retry_after.expect("Retry-After");
    assert!((800..=900).contains(&wait), "Retry-After {wait}");
    // Enrolment shares the lockout: a code cannot be guessed instead.
    assert_eq!(enrol(&app, OFFICER_PHONE, "00000000", PASSWORD).await.status, StatusCode::TOO_MANY_REQUESTS);

    // A phone number that belongs to nobody locks the same way.
    for _ in 0..4 {
        assert_eq!(login(&app, "13711112222", "wrong-password").await.status, StatusCode::UNAUTHORIZED);
    }
    assert_eq!(login(&app, "13711112222", "wrong-password").await.status, StatusCode::TOO_MANY_REQUESTS);
    // Others are not locked out by it.
    let leader_code = app.store.issue_enrolment_code("u_demo_leader").await.unwrap();
    assert_eq!(enrol(&app, "13900000002", &leader_code.code, PASSWORD).await.status, StatusCode::OK);
}

async fn many_failures_from_one_address_lock_that_address(b: Backend) {
    let app = TestApp::spawn(b).await;
    enrol_officer(&app).await;
    // Spread over many numbers so no single account locks: a sweep for weak passwords.
    for i in 0..20 {
        let r = login(&app, &format!("1370000{i:04}"), "123456789").await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED, "attempt {i}");
    }
    let r = login(&app, OFFICER_PHONE, PASSWORD).await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS, "{}", r.body);
}

async fn a_burst_of_concurrent_guesses_cannot_outrun_the_lockout(b: Backend) {
    let app = TestApp::spawn(b).await;
    enrol_officer(&app).await;
    // Attempts are counted before they are checked: of 30 at once, exactly 5 are checked at all.
    let guesses = (0..30).map(|i| {
        let app = &app;
        async move { login(app, OFFICER_PHONE, &format!("guess-{i:04}")).await.status }
    });
    let statuses = futures::future::join_all(guesses).await;
    let checked = statuses.iter().filter(|s| **s == StatusCode::UNAUTHORIZED).count();
    let refused = statuses.iter().filter(|s| **s == StatusCode::TOO_MANY_REQUESTS).count();
    assert_eq!((checked, refused), (5, 25), "{statuses:?}");
}

async fn a_rotated_token_replaces_the_old_one_at_once(b: Backend) {
    let app = TestApp::spawn(b).await;
    let old = enrol_officer(&app).await;
    let session = call(&app, "GET", "/session", Some(&old), None).await.body;
    let r = call(&app, "POST", "/token/rotate", Some(&old), None).await;
    assert_eq!(r.status, StatusCode::OK);
    let new = r.body["token"].as_str().unwrap();
    assert_ne!(new, old);

    let refused = call(&app, "GET", "/session", Some(&old), None).await;
    assert_eq!(
        (refused.status, refused.body["code"].as_str()),
        (StatusCode::UNAUTHORIZED, Some("unauthorized"))
    );
    let fresh = call(&app, "GET", "/session", Some(new), None).await.body;
    assert_eq!(fresh["device"], session["device"], "same device, same actor prefix");
    let mut phone = app.device(new);
    phone.login().await.unwrap();
    phone.create(&phone.new_case(PUTOU, Severity::General, "换了令牌"));
    phone.sync().await.unwrap();
}

async fn a_stolen_then_revoked_token_is_refused_with_device_revoked(b: Backend) {
    let app = TestApp::spawn(b).await;
    let stolen = enrol_officer(&app).await;
    let mut thief = app.device(&stolen);
    thief.login().await.unwrap();
    thief.sync().await.unwrap();
    let stolen_id = call(&app, "GET", "/session", Some(&stolen), None).await.body["device"]["id"].clone();

    // The owner signs in on a new phone and signs the lost one out.
    let own = login(&app, OFFICER_PHONE, PASSWORD).await.body["token"].as_str().unwrap().to_string();
    // Nobody else may: someone else's device answers like a missing one.
    let other = call(&app, "POST", &format!("/devices/{stolen_id}/revoke"), Some(LEADER), None).await;
    assert_eq!(other.status, StatusCode::NOT_FOUND);
    let r = call(&app, "POST", &format!("/devices/{stolen_id}/revoke"), Some(&own), None).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);

    thief.create(&thief.new_case(PUTOU, Severity::General, "偷来的"));
    let err = thief.sync().await.unwrap_err().to_string();
    assert!(err.contains("401") && err.contains("device_revoked"), "{err}");
    let again = call(&app, "POST", "/token/rotate", Some(&stolen), None).await;
    assert_eq!(again.body["code"], "device_revoked", "a revoked token cannot rotate itself back to life");
    let list = call(&app, "GET", "/devices", Some(&own), None).await.body;
    let gone = list["devices"].as_array().unwrap().iter().find(|d| d["id"] == stolen_id).unwrap().clone();
    assert!(gone["revoked_at"].is_i64(), "{gone}");
}

async fn a_device_renames_itself_and_bad_names_are_refused_leaving_the_old_one(b: Backend) {
    let app = TestApp::spawn(b).await;
    let token = login_second(&app).await;
    let rename =
        |name: Value| call(&app, "PUT", "/devices/self/name", Some(&token), Some(json!({ "name": name })));
    let r = rename(json!("  我的华为 Mate 40 · 微信 ")).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.body["label"], "我的华为 Mate 40 · 微信", "trimmed");

    for bad in [json!(""), json!("   "), json!("x".repeat(61)), json!("a\u{7}b"), json!(42)] {
        let r = rename(bad.clone()).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{bad}: {}", r.body);
        assert!(r.body["message"].as_str().is_some_and(|m| !m.is_empty()), "{}", r.body);
    }
    let nobody = call(&app, "PUT", "/devices/self/name", None, Some(json!({ "name": "x" }))).await;
    assert_eq!(nobody.status, StatusCode::UNAUTHORIZED);

    let list = call(&app, "GET", "/devices", Some(&token), None).await.body;
    let labels: Vec<&str> =
        list["devices"].as_array().unwrap().iter().filter_map(|d| d["label"].as_str()).collect();
    let me = list["devices"].as_array().unwrap().iter().find(|d| d["current"] == true).unwrap();
    assert_eq!(me["label"], "我的华为 Mate 40 · 微信", "the good name stands after the refusals");
    assert_eq!(
        labels.iter().filter(|l| l.contains("华为")).count(),
        1,
        "only this device renamed: {labels:?}"
    );
}

/// The demo officer signs in on a second phone; returns its token.
async fn login_second(app: &TestApp) -> String {
    enrol_officer(app).await;
    let r = login(app, OFFICER_PHONE, PASSWORD).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    r.body["token"].as_str().unwrap().to_string()
}

async fn a_retired_device_makes_its_last_upload_and_is_then_refused(b: Backend) {
    let app = TestApp::spawn(b).await;
    let old_token = enrol_officer(&app).await;
    let mut old = app.device(&old_token);
    old.login().await.unwrap();
    // Recorded offline on the old phone before it is handed back.
    let id = old.create(&old.new_case(PUTOU, Severity::Major, "旧手机上的最后一件"));
    let old_id = call(&app, "GET", "/session", Some(&old_token), None).await.body["device"]["id"].clone();

    let new = login(&app, OFFICER_PHONE, PASSWORD).await.body["token"].as_str().unwrap().to_string();
    let r = call(&app, "POST", &format!("/devices/{old_id}/retire"), Some(&new), None).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);

    let last = old.sync_once(false).await.unwrap().unwrap();
    assert_eq!(last.results[0].status, sync_protocol::wire::Status::Ok, "the last upload is accepted");
    let err = old.sync_once(false).await.unwrap_err().to_string();
    assert!(err.contains("device_revoked"), "{err}");

    let mut leader = app.device(LEADER);
    leader.login().await.unwrap();
    leader.sync().await.unwrap();
    assert_eq!(leader.case(id).title, "旧手机上的最后一件");
}

async fn an_administrator_issues_codes_only_inside_their_jurisdiction(b: Backend) {
    let app = TestApp::spawn(b).await;
    let user = anlan_server::store::NewUser {
        id: "taining_officer".into(),
        name: "泰宁信息员".into(),
        phone: Some("13811110000".into()),
        role: "village_officer".into(),
        unit_code: SHUIJI.into(),
    };
    app.store.create_user(&user).await.unwrap();

    let path = "/admin/users/u_demo_officer/enrolment-code";
    let officer = call(&app, "POST", path, Some(OFFICER), None).await;
    assert_eq!(officer.status, StatusCode::FORBIDDEN);
    // 永安市's administrator: 泰宁县 is outside, and looks exactly like nobody.
    let outside = call(&app, "POST", "/admin/users/taining_officer/enrolment-code", Some(COUNTY), None).await;
    let missing = call(&app, "POST", "/admin/users/nobody/enrolment-code", Some(COUNTY), None).await;
    assert_eq!((outside.status, &outside.body), (StatusCode::NOT_FOUND, &missing.body));

    let r = call(&app, "POST", path, Some(COUNTY), None).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let code = r.body["code"].as_str().unwrap();
    assert_eq!(r.body["link"], format!("/#/enrol?phone={OFFICER_PHONE}&code={code}"));
    assert_eq!(enrol(&app, OFFICER_PHONE, code, PASSWORD).await.status, StatusCode::OK);
}

async fn every_response_carries_the_security_headers(b: Backend) {
    let app = TestApp::spawn(b).await;
    let http = reqwest::Client::new();
    for (path, status) in [("/healthz", 200), ("/api/v1/session", 401), ("/api/v1/nothing-here", 404)] {
        let res = http.get(format!("{}{path}", app.url)).send().await.unwrap();
        assert_eq!(res.status().as_u16(), status, "{path}");
        let h = res.headers();
        let csp = h["content-security-policy"].to_str().unwrap();
        assert!(
            csp.contains("script-src 'self' 'wasm-unsafe-eval'") && csp.contains("frame-ancestors 'none'"),
            "{csp}"
        );
        assert_eq!(h["x-content-type-options"], "nosniff");
        assert_eq!(h["referrer-policy"], "no-referrer");
        assert_eq!(h["x-frame-options"], "DENY");
    }
}

/// The server as operators run it, with debug logs on: whatever it writes to its log must hold no
/// token, password, enrolment code or phone number, through enrolment, login, sync and rotation.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_token_password_code_or_phone_reaches_the_logs() {
    use std::io::{BufRead, BufReader};
    use std::process::{Command, Stdio};

    let dir = std::env::temp_dir().join(format!("anlan-logs-{:016x}", rand::random::<u64>()));
    std::fs::create_dir_all(&dir).unwrap();
    let log_path = dir.join("server.log");
    let mut child = Command::new(env!("CARGO_BIN_EXE_anlan-under-test"))
        .args(["serve", "--listen", "127.0.0.1:0", "--demo", "--static-dir", "/nonexistent", "--data"])
        .arg(dir.join("data"))
        .env("RUST_LOG", "debug")
        .stdout(Stdio::piped())
        .stderr(std::fs::File::create(&log_path).unwrap())
        .spawn()
        .unwrap();
    // stdout is the operator's console (addresses and the demo links), not the log.
    let (tx, rx) = std::sync::mpsc::channel();
    let stdout = child.stdout.take().unwrap();
    std::thread::spawn(move || {
        let (mut url, mut code) = (None, None);
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            url = url.or(line.strip_prefix("listening on ").map(str::to_string));
            if line.contains("林秀英 (village_officer) enrol:") {
                code = line.rsplit_once("code=").map(|(_, c)| c.to_string());
            }
            if let (Some(u), Some(c)) = (&url, &code) {
                let _ = tx.send((u.clone(), c.clone()));
            }
        }
    });
    let (url, code) = rx.recv_timeout(std::time::Duration::from_secs(60)).expect("address and demo links");
    let http = reqwest::Client::new();
    let post = |path: &str, token: Option<&str>, body: Value| {
        let mut req = http.post(format!("{url}/api/v1{path}")).json(&body);
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        req.send()
    };
    let enrolled: Value =
        post("/enrol", None, json!({ "phone": OFFICER_PHONE, "code": code, "password": PASSWORD }))
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
    let first = enrolled["token"].as_str().unwrap().to_string();
    let wrong =
        post("/login", None, json!({ "phone": OFFICER_PHONE, "password": "wrong-password" })).await.unwrap();
    assert_eq!(wrong.status(), StatusCode::UNAUTHORIZED);
    let second: Value = post("/login", None, json!({ "phone": OFFICER_PHONE, "password": PASSWORD }))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let second = second["token"].as_str().unwrap().to_string();
    let mut phone = SimDevice::new(&url, &second);
    phone.login().await.unwrap();
    phone.create(&phone.new_case(PUTOU, Severity::General, "日志检查"));
    phone.sync().await.unwrap();
    let rotated: Value = post("/token/rotate", Some(&second), json!({})).await.unwrap().json().await.unwrap();
    let third = rotated["token"].as_str().unwrap().to_string();
    let refused = http.get(format!("{url}/api/v1/session")).bearer_auth(&second).send().await.unwrap();
    assert_eq!(refused.status(), StatusCode::UNAUTHORIZED);
    child.kill().unwrap();
    child.wait().unwrap();

    let log = std::fs::read_to_string(&log_path).unwrap();
    assert!(log.contains("/api/v1/enrol"), "debug request logs were captured:\n{log}");
    let party_phone = "13800000000"; // in the case SimDevice records
    for secret in [OFFICER_PHONE, PASSWORD, &code, &first, &second, &third, party_phone, "wrong-password"] {
        assert!(!log.contains(secret), "{secret:?} is in the log");
    }
    std::fs::remove_dir_all(dir).unwrap();
}
