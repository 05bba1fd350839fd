//! The quarantine is somebody's job: what the merge refused waits for an administrator of the
//! pusher's jurisdiction, who lists it, reads the document as it would read, releases it (judged
//! again as its author is today) or exports it — over the API and the command line; `/metrics`
//! counts what waits; the pushing phone learns of a release with `have`.

use anlan_tests::*;
use base64::Engine;
use reqwest::Method;
use serde_json::Value;
use sync_protocol::DocId;
use sync_protocol::case::Severity;
use sync_protocol::wire::{self, HaveDoc, RejectCode, Status, SyncRequest, SyncResponse};

on_both_backends!(
    a_moved_officer_s_report_waits_until_an_administrator_releases_it,
    only_administrators_of_the_pusher_s_jurisdiction_see_the_quarantine,
    the_command_line_lists_shows_exports_and_releases,
);

const BIN: &str = env!("CARGO_BIN_EXE_anlan-under-test");
const TITLE: &str = "搬迁前未同步的山林纠纷";

/// An officer records a case offline, is moved to another village before syncing, and the push
/// is refused into the quarantine. Returns the phone and the case.
async fn refused_after_a_move(app: &TestApp) -> (SimDevice, DocId) {
    let mut mover = app.enrol("mover", "village_officer", PUTOU).await;
    mover.login().await.unwrap();
    mover.sync().await.unwrap();
    let id = mover.create(&mover.new_case(PUTOU, Severity::Major, TITLE));
    app.store.move_user("mover", XIMEN).await.unwrap();
    mover.sync().await.unwrap();
    assert_eq!(mover.rejected[&id].code, RejectCode::OutOfScope);
    (mover, id)
}

async fn call(app: &TestApp, token: &str, method: Method, path: &str) -> (u16, Value) {
    let res = reqwest::Client::new()
        .request(method, format!("{}/api/v1/admin/quarantine{path}", app.url))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    let status = res.status().as_u16();
    (status, res.json().await.unwrap_or(Value::Null))
}

async fn open_gauge(app: &TestApp) -> String {
    let text = app.metrics().await;
    text.lines().find(|l| l.starts_with("anlan_quarantine_open ")).expect("the gauge").to_string()
}

async fn have(dev: &mut SimDevice, id: DocId) -> Status {
    let req = SyncRequest {
        v: wire::PROTOCOL_VERSION,
        epoch: dev.epoch.clone(),
        cursor: dev.cursor,
        scope: dev.scope.clone(),
        have: vec![HaveDoc { doc: id, heads: wire::hashes(&dev.heads(id)) }],
        ..Default::default()
    };
    let res = dev.post(wire::encode(&req)).await.unwrap();
    let res: SyncResponse = wire::decode(&res.bytes().await.unwrap()).unwrap();
    res.results[0].status
}

async fn a_moved_officer_s_report_waits_until_an_administrator_releases_it(b: Backend) {
    let app = TestApp::spawn(b).await;
    let (mut mover, id) = refused_after_a_move(&app).await;
    assert_eq!(open_gauge(&app).await, "anlan_quarantine_open 1");

    let (status, list) = call(&app, COUNTY, Method::GET, "").await;
    assert_eq!(status, 200);
    let items = list["items"].as_array().unwrap();
    assert_eq!(items.len(), 1);
    let item = &items[0];
    assert_eq!(item["user_id"], "mover");
    assert_eq!(item["doc"], id.to_string());
    assert_eq!(item["code"], "out_of_scope");
    assert!(item["device_id"].as_i64().is_some() && item["received_at"].as_i64().is_some());
    assert!(item["message"].as_str().unwrap().contains(PUTOU));
    let q = item["id"].as_i64().unwrap();

    let (status, shown) = call(&app, COUNTY, Method::GET, &format!("/{q}")).await;
    assert_eq!(status, 200);
    assert_eq!(shown["document"]["would_read"]["title"], TITLE);
    assert_eq!(shown["document"]["stored"], Value::Null, "the case never reached the server");

    let res = reqwest::Client::new()
        .get(format!("{}/api/v1/admin/quarantine/{q}/export", app.url))
        .bearer_auth(COUNTY)
        .send()
        .await
        .unwrap();
    assert!(res.headers()["content-disposition"].to_str().unwrap().starts_with("attachment"));
    let exported: Value = res.json().await.unwrap();
    let first = exported["changes"][0].as_str().unwrap();
    let bytes = base64::engine::general_purpose::STANDARD.decode(first).unwrap();
    assert!(automerge::Change::from_bytes(bytes).is_ok(), "the export holds the changes as pushed");

    // Released before the mistake is corrected: refused again, still waiting.
    let (status, again) = call(&app, COUNTY, Method::POST, &format!("/{q}/release")).await;
    assert_eq!((status, again["status"].as_str()), (200, Some("rejected")));
    assert_eq!(again["reason"]["code"], "out_of_scope");
    assert_eq!(call(&app, COUNTY, Method::GET, "").await.1["items"].as_array().unwrap().len(), 1);
    assert_eq!(have(&mut mover, id).await, Status::NeedChanges, "the phone sees it still waiting");

    // The officer was moved by mistake: put back, then released.
    app.store.move_user("mover", PUTOU).await.unwrap();
    let (status, done) = call(&app, COUNTY, Method::POST, &format!("/{q}/release")).await;
    assert_eq!((status, done["status"].as_str()), (200, Some("ok")), "{done}");
    assert_eq!(app.case_json(LEADER, id).await["title"], TITLE);
    assert!(call(&app, COUNTY, Method::GET, "").await.1["items"].as_array().unwrap().is_empty());
    let all = call(&app, COUNTY, Method::GET, "?released=true").await.1;
    assert_eq!(all["items"][0]["released_by"], "u_demo_county");
    assert_eq!(open_gauge(&app).await, "anlan_quarantine_open 0");
    assert_eq!(call(&app, COUNTY, Method::POST, &format!("/{q}/release")).await.0, 400);
    assert_eq!(have(&mut mover, id).await, Status::Ok, "the phone learns its record was delivered");
}

async fn only_administrators_of_the_pusher_s_jurisdiction_see_the_quarantine(b: Backend) {
    let app = TestApp::spawn(b).await;
    let (_, _) = refused_after_a_move(&app).await;
    let q = call(&app, COUNTY, Method::GET, "").await.1["items"][0]["id"].as_i64().unwrap();
    for token in [OFFICER, LEADER] {
        assert_eq!(call(&app, token, Method::GET, "").await.0, 403, "{token}");
        assert_eq!(call(&app, token, Method::GET, &format!("/{q}")).await.0, 403, "{token}");
    }
    let other = app.enrol("tn-admin", "county_admin", "350429").await;
    let (status, list) = call(&app, &other.token, Method::GET, "").await;
    assert_eq!(status, 200);
    assert!(list["items"].as_array().unwrap().is_empty(), "another county's administrator sees nothing");
    for (method, path) in [
        (Method::GET, format!("/{q}")),
        (Method::GET, format!("/{q}/export")),
        (Method::POST, format!("/{q}/release")),
    ] {
        assert_eq!(call(&app, &other.token, method, &path).await.0, 404, "{path}");
    }
    assert_eq!(call(&app, COUNTY, Method::GET, "/999999").await.0, 404);
    assert_eq!(call(&app, COUNTY, Method::GET, "/abc").await.0, 404);
}

fn cli(app: &TestApp, args: &[&str]) -> (bool, String) {
    let out = std::process::Command::new(BIN)
        .args(["admin", "quarantine"])
        .args(args)
        .args(["--database-url", &app.db.url])
        .env("RUST_LOG", "warn")
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout).to_string() + &String::from_utf8_lossy(&out.stderr);
    (out.status.success(), text)
}

async fn the_command_line_lists_shows_exports_and_releases(b: Backend) {
    let app = TestApp::spawn(b).await;
    let (_, id) = refused_after_a_move(&app).await;
    let (ok, list) = cli(&app, &["list"]);
    assert!(ok, "{list}");
    assert!(
        list.contains("mover") && list.contains(&id.to_string()) && list.contains("out_of_scope"),
        "{list}"
    );
    assert!(list.contains("waiting"), "{list}");
    let q = list.trim().strip_prefix('#').and_then(|s| s.split(' ').next()).unwrap().to_string();

    let (ok, shown) = cli(&app, &["show", &q]);
    assert!(ok && shown.contains(TITLE), "{shown}");
    // Both backends run in this process and number their quarantines alike: the document id,
    // fresh per test, keeps their exports apart.
    let file = std::env::temp_dir().join(format!("anlan-quarantine-{id}.json"));
    let (ok, out) = cli(&app, &["export", &q, "--out", file.to_str().unwrap()]);
    assert!(ok, "{out}");
    let exported: Value = serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    std::fs::remove_file(&file).unwrap();
    assert_eq!(exported["item"]["doc"], id.to_string());
    assert_eq!(exported["document"]["would_read"]["title"], TITLE);

    let (ok, out) = cli(&app, &["release", &q]);
    assert!(!ok && out.contains("refused again"), "{out}");
    app.store.move_user("mover", PUTOU).await.unwrap();
    let (ok, out) = cli(&app, &["release", &q]);
    assert!(ok && out.contains("released and stored"), "{out}");
    assert_eq!(app.case_json(LEADER, id).await["title"], TITLE);
    let (ok, list) = cli(&app, &["list"]);
    assert!(ok && list.contains("the quarantine is empty"), "{list}");
    let (_, all) = cli(&app, &["list", "--all"]);
    assert!(all.contains("released by anlan admin (command line)"), "{all}");
}
