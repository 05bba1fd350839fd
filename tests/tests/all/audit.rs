//! The audit trail over HTTP: a case's history names each person and device with old → new,
//! the server's own case number as "server"; the CSV export parses back row for row; the case
//! as it stood between two edits; and nothing of a case outside the caller's jurisdiction.

use std::time::Duration;

use anlan_tests::*;
use automerge::ROOT;
use automerge::transaction::Transactable;
use reqwest::StatusCode;
use serde_json::Value;
use sync_protocol::DocId;
use sync_protocol::case::{Severity, write};

on_both_backends!(
    the_history_names_each_person_and_device_with_old_and_new,
    the_csv_export_parses_back_one_row_per_field_change,
    the_case_as_of_a_time_between_two_edits_is_the_earlier_state,
    a_case_outside_the_jurisdiction_has_no_history_like_a_missing_one,
);

struct Reply {
    status: StatusCode,
    headers: reqwest::header::HeaderMap,
    body: Vec<u8>,
}

impl Reply {
    fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or(Value::Null)
    }
}

async fn get(app: &TestApp, token: &str, path: &str) -> Reply {
    let res = reqwest::Client::new()
        .get(format!("{}/api/v1{path}", app.url))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    let (status, headers) = (res.status(), res.headers().clone());
    Reply { status, headers, body: res.bytes().await.unwrap().to_vec() }
}

async fn device_id(app: &TestApp, token: &str) -> i64 {
    get(app, token, "/session").await.json()["device"]["id"].as_i64().unwrap()
}

/// The officer records a major case; the leader lowers it to general and takes it on.
async fn officer_then_leader(app: &TestApp) -> (DocId, SimDevice, SimDevice) {
    let mut officer = app.device(OFFICER);
    officer.login().await.unwrap();
    let doc = officer.create(&officer.new_case(PUTOU, Severity::Major, "山林权属纠纷"));
    officer.sync().await.unwrap();
    let mut leader = app.device(LEADER);
    leader.login().await.unwrap();
    leader.sync().await.unwrap();
    leader.edit(doc, |tx| {
        write::set_severity(tx, Severity::General)?;
        tx.put(ROOT, "responsible_leader", "u_demo_leader")
    });
    leader.sync().await.unwrap();
    assert!(leader.rejected.is_empty(), "{:?}", leader.rejected);
    (doc, officer, leader)
}

fn field<'a>(entry: &'a Value, name: &str) -> Option<&'a Value> {
    entry["fields"].as_array().unwrap().iter().find(|f| f["field"] == name)
}

async fn the_history_names_each_person_and_device_with_old_and_new(b: Backend) {
    let app = TestApp::spawn(b).await;
    let (doc, _, _) = officer_then_leader(&app).await;
    let (officer_device, leader_device) = (device_id(&app, OFFICER).await, device_id(&app, LEADER).await);

    let r = get(&app, COUNTY, &format!("/cases/{doc}/history")).await;
    assert_eq!(r.status, StatusCode::OK);
    let h = r.json();
    let entries = h["entries"].as_array().unwrap();
    assert_eq!(entries.len(), 3, "{h:#}");

    let created = &entries[0];
    assert_eq!(created["user"]["id"], "u_demo_officer");
    assert_eq!(created["user"]["name"], "林秀英");
    assert_eq!(created["user"]["role"], "village_officer");
    assert_eq!(created["device"]["id"], officer_device);
    assert_eq!(created["device"]["label"], "demo");
    assert_eq!(created["server"], false);
    assert_eq!(field(created, "title").unwrap()["new"], "山林权属纠纷");
    assert_eq!(field(created, "severity").unwrap()["new"], "major");

    let numbered = &entries[1];
    assert_eq!(numbered["server"], true);
    assert!(numbered["user"].is_null() && numbered["device"].is_null());
    let case_no = field(numbered, "case_no").unwrap();
    assert!(case_no["old"].is_null());
    assert!(case_no["new"].as_str().unwrap().starts_with("永安-"), "{case_no}");

    let edited = &entries[2];
    assert_eq!(edited["user"]["name"], "陈建国");
    assert_eq!(edited["device"]["id"], leader_device);
    let severity = field(edited, "severity").unwrap();
    assert_eq!((&severity["old"], &severity["new"]), (&Value::from("major"), &Value::from("general")));
    let leader = field(edited, "responsible_leader").unwrap();
    assert_eq!((&leader["old"], &leader["new"]), (&Value::Null, &Value::from("u_demo_leader")));
    assert_eq!(edited["fields"].as_array().unwrap().len(), 2, "{edited:#}");
    let seqs: Vec<i64> = entries.iter().map(|e| e["seq"].as_i64().unwrap()).collect();
    assert!(seqs.windows(2).all(|w| w[0] < w[1]));
    assert!(entries.iter().all(|e| e["received_at"].as_i64().unwrap() > 1_700_000_000_000));

    // The officer sees the same history of a case in their village.
    let mine = get(&app, OFFICER, &format!("/cases/{doc}/history")).await;
    assert_eq!(mine.json(), h);
    let bad = get(&app, OFFICER, &format!("/cases/{doc}/history?format=xml")).await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert_eq!(bad.json()["code"], "bad_request");
}

async fn the_csv_export_parses_back_one_row_per_field_change(b: Backend) {
    let app = TestApp::spawn(b).await;
    let (doc, _, _) = officer_then_leader(&app).await;
    let json = get(&app, LEADER, &format!("/cases/{doc}/history")).await.json();

    let r = get(&app, LEADER, &format!("/cases/{doc}/history?format=csv")).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.headers["content-type"].to_str().unwrap().starts_with("text/csv"));
    let disposition = r.headers["content-disposition"].to_str().unwrap();
    assert!(
        disposition.starts_with("attachment; filename=") && disposition.contains(".csv"),
        "{disposition}"
    );
    assert!(r.body.starts_with(b"\xEF\xBB\xBF"), "a BOM, for Excel");

    let mut rdr = csv::Reader::from_reader(&r.body[3..]);
    let header: Vec<String> = rdr.headers().unwrap().iter().map(str::to_string).collect();
    assert_eq!(header, anlan_server::audit::export::HEADER);
    let rows: Vec<csv::StringRecord> = rdr.records().map(Result::unwrap).collect();
    let expected: usize = json["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["fields"].as_array().unwrap().len().max(1))
        .sum();
    assert_eq!(rows.len(), expected);
    let col = |name: &str| header.iter().position(|h| h == name).unwrap();
    let row_of = |f: &str| rows.iter().find(|r| &r[col("field")] == f).unwrap();
    let severity = row_of("severity");
    let last = rows.last().unwrap();
    assert_eq!(&last[col("by")], "陈建国");
    let severity_rows: Vec<_> = rows.iter().filter(|r| &r[col("field")] == "severity").collect();
    assert_eq!(severity_rows.len(), 2);
    assert_eq!((&severity[col("old")], &severity[col("new")], &severity[col("by")]), ("", "major", "林秀英"));
    let lowered = severity_rows[1];
    assert_eq!((&lowered[col("old")], &lowered[col("new")]), ("major", "general"));
    assert_eq!(&lowered[col("user_id")], "u_demo_leader");
    assert_eq!(&lowered[col("role")], "township_leader");
    assert!(lowered[col("received_at")].ends_with("+08:00"));
    let numbered = row_of("case_no");
    assert_eq!((&numbered[col("by")], &numbered[col("device_id")]), ("server", ""));
    assert_eq!(&row_of("title")[col("new")], "山林权属纠纷");
}

async fn the_case_as_of_a_time_between_two_edits_is_the_earlier_state(b: Backend) {
    let app = TestApp::spawn(b).await;
    let mut officer = app.device(OFFICER);
    officer.login().await.unwrap();
    let doc = officer.create(&officer.new_case(PUTOU, Severity::Major, "渔船停靠纠纷"));
    officer.sync().await.unwrap();
    tokio::time::sleep(Duration::from_millis(20)).await;
    let between = anlan_server::store::now_ms();
    tokio::time::sleep(Duration::from_millis(20)).await;
    let mut leader = app.device(LEADER);
    leader.login().await.unwrap();
    leader.sync().await.unwrap();
    leader.edit(doc, |tx| write::set_severity(tx, Severity::General));
    leader.sync().await.unwrap();

    let then = get(&app, LEADER, &format!("/cases/{doc}/as-of?at={between}")).await;
    assert_eq!(then.status, StatusCode::OK);
    let then = then.json();
    assert_eq!(then["severity"], "major");
    assert_eq!(then["doc"], doc.to_string());
    assert!(then["case_no"].as_str().unwrap().starts_with("永安-"));
    let now = app.case_json(LEADER, doc).await;
    assert_eq!(now["severity"], "general");
    let latest = get(&app, LEADER, &format!("/cases/{doc}/as-of?at={}", anlan_server::store::now_ms())).await;
    assert_eq!(latest.json(), now, "as of now is the case as the API serves it");

    // RFC 3339 means the same instant.
    let rfc = sync_protocol::calendar::beijing_rfc3339(between).replace('+', "%2B");
    assert_eq!(get(&app, LEADER, &format!("/cases/{doc}/as-of?at={rfc}")).await.json(), then);

    let before = get(&app, LEADER, &format!("/cases/{doc}/as-of?at=1000")).await;
    assert_eq!(before.status, StatusCode::NOT_FOUND);
    assert!(before.json()["message"].as_str().unwrap().contains("did not exist yet"), "{}", before.json());
    for bad in ["yesterday", "2026-13-01T00:00:00Z", ""] {
        let r = get(&app, LEADER, &format!("/cases/{doc}/as-of?at={bad}")).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{bad}");
        assert_eq!(r.json()["code"], "bad_request");
    }
    let missing = get(&app, LEADER, &format!("/cases/{doc}/as-of")).await;
    assert_eq!(missing.status, StatusCode::BAD_REQUEST);
}

async fn a_case_outside_the_jurisdiction_has_no_history_like_a_missing_one(b: Backend) {
    let app = TestApp::spawn(b).await;
    let (doc, _, _) = officer_then_leader(&app).await;
    let outsider = app.enrol("u_taining", "village_officer", SHUIJI).await;
    let random = DocId::random();
    let now = anlan_server::store::now_ms();
    for suffix in ["history", "history?format=csv", &format!("as-of?at={now}")] {
        let theirs = get(&app, &outsider.token, &format!("/cases/{doc}/{suffix}")).await;
        let nobodys = get(&app, &outsider.token, &format!("/cases/{random}/{suffix}")).await;
        assert_eq!(theirs.status, StatusCode::NOT_FOUND, "{suffix}");
        assert_eq!((theirs.status, &theirs.body), (nobodys.status, &nobodys.body), "{suffix}");
        assert_eq!(theirs.headers.get("content-type"), nobodys.headers.get("content-type"));
    }
    let unauthenticated = reqwest::get(format!("{}/api/v1/cases/{doc}/history", app.url)).await.unwrap();
    assert_eq!(unauthenticated.status(), StatusCode::UNAUTHORIZED);
}
