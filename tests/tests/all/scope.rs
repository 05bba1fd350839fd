//! Read scope over the real sync path (PROTOCOL.md §10, docs/permissions.md): moving people,
//! several villages, cases that name someone outside their village, drop notices, live notices,
//! and ids outside the scope answering exactly like ids that do not exist.

use std::time::Duration;

use anlan_server::roster::{self, RawRow};
use anlan_tests::*;
use automerge::transaction::Transactable;
use automerge::{ROOT, ScalarValue};
use futures::{Stream, StreamExt};
use serde_bytes::ByteBuf;
use sync_protocol::DocId;
use sync_protocol::case::{Severity, TimelineEntry, TimelineKind, write};
use sync_protocol::wire::{self, DocResult, HaveDoc, PushDoc, RejectCode, SyncRequest, SyncResponse};

on_both_backends!(
    a_user_moved_between_villages_drops_the_old_documents_and_receives_the_new,
    a_lost_response_after_a_move_repeats_the_same_drop,
    a_work_team_member_sees_both_villages_and_not_a_third,
    a_roster_lists_a_work_team_member_s_villages_and_refuses_them_for_others,
    a_named_handler_outside_the_village_gets_the_whole_case_until_un_named,
    ids_outside_the_scope_answer_exactly_like_ids_that_do_not_exist,
    live_notices_follow_the_scope_after_a_move,
    the_move_endpoint_follows_the_rules_of_every_admin_action,
);

async fn person(app: &TestApp, id: &str, role: &str, unit: &str) -> SimDevice {
    let mut d = app.enrol(id, role, unit).await;
    d.login().await.unwrap();
    d
}

/// Record a case and deliver it; returns its id.
async fn record(dev: &mut SimDevice, village: &str, title: &str) -> DocId {
    let id = dev.create(&dev.new_case(village, Severity::General, title));
    dev.sync().await.unwrap();
    assert!(dev.rejected.is_empty(), "{:?}", dev.rejected);
    id
}

fn ids(dev: &SimDevice) -> Vec<DocId> {
    dev.docs.keys().copied().collect()
}

fn sorted(mut v: Vec<DocId>) -> Vec<DocId> {
    v.sort();
    v
}

/// `POST /admin/users/{id}/move` as the device with `token`.
async fn move_user(app: &TestApp, token: &str, user: &str, unit: &str) -> reqwest::StatusCode {
    let path = format!("/admin/users/{user}/move");
    app.api("POST", &path, token, Some(serde_json::json!({ "unit": unit }))).await.0
}

/// `GET /cases/{id}`: status and body as bytes on the wire.
async fn case_raw(app: &TestApp, token: &str, id: &str) -> (u16, String) {
    let res = reqwest::Client::new()
        .get(format!("{}/api/v1/cases/{id}", app.url))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    (res.status().as_u16(), res.text().await.unwrap())
}

async fn raw_sync(dev: &mut SimDevice, req: &SyncRequest) -> SyncResponse {
    let res = dev.post(wire::encode(req)).await.unwrap();
    assert_eq!(res.status(), 200);
    wire::decode(&res.bytes().await.unwrap()).unwrap()
}

async fn a_user_moved_between_villages_drops_the_old_documents_and_receives_the_new(b: Backend) {
    let app = TestApp::spawn(b).await;
    let mut putou = app.device(OFFICER);
    putou.login().await.unwrap();
    let mut ximen = person(&app, "ximen1", "village_officer", XIMEN).await;
    let old = record(&mut putou, PUTOU, "埔头村土地纠纷").await;
    let there = record(&mut ximen, XIMEN, "西门村用水纠纷").await;
    let mut mover = person(&app, "mover", "village_officer", PUTOU).await;
    mover.sync().await.unwrap();
    assert_eq!(ids(&mover), vec![old]);
    let first_scope = mover.scope.clone().expect("every response names the scope");

    assert_eq!(move_user(&app, COUNTY, "mover", XIMEN).await, 200);
    mover.sync().await.unwrap();

    assert_eq!(mover.dropped, vec![old]);
    assert_eq!(ids(&mover), vec![there], "the new village's case arrived in full");
    assert_eq!(mover.case(there).title, "西门村用水纠纷");
    assert_ne!(mover.scope.as_deref(), Some(first_scope.as_str()));
    assert_eq!(case_raw(&app, &mover.token, &old.to_string()).await.0, 404);
    // From now on the feed is incremental again, in the new village only.
    let later = record(&mut ximen, XIMEN, "西门村新情况").await;
    record(&mut putou, PUTOU, "埔头村新情况").await;
    let before = mover.round_trips;
    mover.sync().await.unwrap();
    assert_eq!(mover.round_trips - before, 1);
    assert_eq!(sorted(ids(&mover)), sorted(vec![there, later]));
}

async fn a_lost_response_after_a_move_repeats_the_same_drop(b: Backend) {
    let app = TestApp::spawn(b).await;
    let mut putou = app.device(OFFICER);
    putou.login().await.unwrap();
    let old = record(&mut putou, PUTOU, "埔头村土地纠纷").await;
    let mut mover = person(&app, "mover", "village_officer", PUTOU).await;
    mover.sync().await.unwrap();
    app.store.move_user("mover", XIMEN).await.unwrap();

    assert!(mover.sync_once(true).await.unwrap().is_none(), "the answer is lost");
    assert_eq!(ids(&mover), vec![old], "nothing was applied");
    let (req, _) = mover.build_request();
    let again = raw_sync(&mut mover, &req).await;
    let once_more = raw_sync(&mut mover, &req).await;
    assert_eq!(again.drop, vec![old]);
    assert_eq!(
        (&once_more.drop, &once_more.scope, once_more.cursor),
        (&again.drop, &again.scope, again.cursor)
    );

    mover.sync().await.unwrap();
    assert_eq!(mover.dropped, vec![old]);
    assert!(mover.docs.is_empty());
}

async fn a_work_team_member_sees_both_villages_and_not_a_third(b: Backend) {
    let app = TestApp::spawn(b).await;
    let mut putou = app.device(OFFICER);
    putou.login().await.unwrap();
    let mut caoyuan = person(&app, "cy1", "village_officer", CAOYUAN_VILLAGE).await;
    let mut ximen = person(&app, "xm1", "village_officer", XIMEN).await;
    let p = record(&mut putou, PUTOU, "埔头村").await;
    let c = record(&mut caoyuan, CAOYUAN_VILLAGE, "曹源村").await;
    record(&mut ximen, XIMEN, "西门村").await;
    let mut team = person(&app, "wt1", "work_team", PUTOU).await;
    app.store.add_village("wt1", CAOYUAN_VILLAGE).await.unwrap();
    let refused = app.store.add_village("cy1", PUTOU).await.unwrap_err().to_string();
    assert!(refused.contains("only a work-team member"), "{refused}");

    team.sync().await.unwrap();
    assert_eq!(sorted(ids(&team)), sorted(vec![p, c]));
    let mine = record(&mut team, CAOYUAN_VILLAGE, "工作队在曹源村上报").await;
    let outside = team.create(&team.new_case(XIMEN, Severity::General, "越界"));
    team.sync().await.unwrap();
    assert_eq!(team.rejected[&outside].code, RejectCode::OutOfScope);
    let listed: serde_json::Value = reqwest::Client::new()
        .get(format!("{}/api/v1/cases", app.url))
        .bearer_auth(&team.token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(listed.as_array().unwrap().len(), 3);

    app.store.remove_village("wt1", CAOYUAN_VILLAGE).await.unwrap();
    team.sync().await.unwrap();
    assert_eq!(sorted(team.dropped.clone()), sorted(vec![c, mine]));
    assert_eq!(sorted(ids(&team)), sorted(vec![p, outside]), "the refused local case stays for its owner");
}

async fn a_roster_lists_a_work_team_member_s_villages_and_refuses_them_for_others(b: Backend) {
    let app = TestApp::spawn(b).await;
    let row = |line: usize, cells: [&str; 5]| RawRow { line, cells: cells.map(String::from).to_vec() };
    let several = format!("{PUTOU};{CAOYUAN_VILLAGE}、{XIMEN}");
    let rows = vec![
        row(1, ["编号", "姓名", "手机", "角色", "单位"]),
        row(2, ["wt_a", "甲", "13700000001", "工作队员", &several]),
        row(3, ["vo_b", "乙", "13700000002", "信息员", &format!("{PUTOU}、{XIMEN}")]),
        row(4, ["wt_c", "丙", "13700000003", "工作队员", &format!("{PUTOU}；350481101")]),
        row(5, ["wt_d", "丁", "13700000004", "工作队员", &format!("{PUTOU};999999")]),
    ];
    let report = roster::import(&app.store, &rows, true).await.unwrap();
    assert_eq!(report.bad.iter().map(|b| b.line).collect::<Vec<_>>(), vec![3, 4, 5]);
    assert!(report.bad[0].reason.contains("only a work-team member"), "{:?}", report.bad);
    assert!(report.bad[1].reason.contains("must all be villages"), "{:?}", report.bad);
    assert!(report.bad[2].reason.contains("does not exist"), "{:?}", report.bad);
    assert!(app.store.assignee("wt_a").await.unwrap().is_none(), "a dry run imports nothing");

    let report = roster::import(&app.store, &rows[..2], false).await.unwrap();
    assert!(report.imported);
    let scope = app.store.user_scope("wt_a").await.unwrap().unwrap();
    assert_eq!(scope.paths().len(), 3);
    assert!(scope.covers_path("/350400/350481/350481102/350481102201/"));
}

fn note(text: &str) -> TimelineEntry {
    TimelineEntry {
        id: "n1".into(),
        kind: TimelineKind::Note,
        at: 1_795_000_100_000,
        by: "u_demo_officer".into(),
        text: text.into(),
    }
}

async fn a_named_handler_outside_the_village_gets_the_whole_case_until_un_named(b: Backend) {
    let app = TestApp::spawn(b).await;
    let mut ximen = person(&app, "xm1", "village_officer", XIMEN).await;
    let case = record(&mut ximen, XIMEN, "西门村山林纠纷").await;
    ximen.edit(case, |tx| tx.put(ROOT, "title", "西门村山林纠纷（补充）"));
    ximen.sync().await.unwrap();
    let mut officer = app.device(OFFICER);
    officer.login().await.unwrap();
    officer.sync().await.unwrap();
    assert!(!officer.docs.contains_key(&case));
    assert_eq!(case_raw(&app, OFFICER, &case.to_string()).await.0, 404);

    let mut county = app.device(COUNTY);
    county.login().await.unwrap();
    county.sync().await.unwrap();
    county.edit(case, |tx| tx.put(ROOT, "handler", "u_demo_officer"));
    county.sync().await.unwrap();
    assert!(county.rejected.is_empty(), "{:?}", county.rejected);

    officer.sync().await.unwrap();
    assert_eq!(officer.heads(case), county.heads(case), "the whole history arrived");
    assert_eq!(officer.case(case).handler.as_deref(), Some("u_demo_officer"));
    assert_eq!(case_raw(&app, OFFICER, &case.to_string()).await.0, 200);
    officer.edit(case, |tx| write::add_timeline(tx, &note("已电话联系当事人")));
    officer.sync().await.unwrap();
    assert!(officer.rejected.is_empty(), "{:?}", officer.rejected);
    county.sync().await.unwrap();
    assert_eq!(county.case(case).timeline.last().unwrap().text, "已电话联系当事人");

    county.edit(case, |tx| tx.put(ROOT, "handler", ScalarValue::Null));
    county.sync().await.unwrap();
    officer.sync().await.unwrap();
    assert_eq!(officer.dropped, vec![case]);
    assert!(!officer.docs.contains_key(&case));
    assert_eq!(case_raw(&app, OFFICER, &case.to_string()).await.0, 404);
}

async fn ids_outside_the_scope_answer_exactly_like_ids_that_do_not_exist(b: Backend) {
    let app = TestApp::spawn(b).await;
    let mut caoyuan = person(&app, "cy1", "village_officer", CAOYUAN_VILLAGE).await;
    let mut ximen = person(&app, "xm1", "village_officer", XIMEN).await;
    let mut shuiji = person(&app, "sj1", "village_officer", SHUIJI).await;
    let real = vec![
        record(&mut caoyuan, CAOYUAN_VILLAGE, "同镇另一村").await,
        record(&mut ximen, XIMEN, "同县另一镇").await,
        record(&mut shuiji, SHUIJI, "另一县").await,
    ];
    let mut targets: Vec<DocId> = (0..50).map(|_| DocId::random()).collect();
    targets.extend(&real);
    let mut officer = app.device(OFFICER);
    officer.login().await.unwrap();
    officer.sync().await.unwrap();
    // The attacker holds a copy of a real case's history and edits it with their own actor.
    let mut copy = ximen.docs[&real[1]].doc.fork().with_actor(officer.prefix.unwrap().new_actor());
    let base = copy.get_heads();
    copy.transact::<_, _, automerge::AutomergeError>(|tx| tx.put(ROOT, "title", "篡改")).unwrap();
    let edit: Vec<ByteBuf> =
        copy.get_changes(&base).iter().map(|c| ByteBuf::from(c.raw_bytes().to_vec())).collect();
    let whole: Vec<ByteBuf> =
        copy.get_changes(&[]).iter().map(|c| ByteBuf::from(c.raw_bytes().to_vec())).collect();
    let heads = wire::hashes(&copy.get_heads());

    let base_req = SyncRequest {
        v: 1,
        epoch: officer.epoch.clone(),
        cursor: officer.cursor,
        scope: officer.scope.clone(),
        ..Default::default()
    };
    let push = |changes: &Vec<ByteBuf>| SyncRequest {
        push: targets.iter().map(|d| PushDoc { doc: *d, changes: changes.clone() }).collect(),
        ..base_req.clone()
    };
    let have = SyncRequest {
        have: targets.iter().map(|d| HaveDoc { doc: *d, heads: heads.clone() }).collect(),
        ..base_req.clone()
    };
    for req in [push(&edit), push(&whole), have] {
        let res = raw_sync(&mut officer, &req).await;
        assert_eq!(res.results.len(), targets.len());
        let answer = |r: &DocResult| (r.status, r.heads.clone(), r.reason.clone());
        let first = answer(&res.results[0]);
        for r in &res.results {
            assert_eq!(answer(r), first, "{} answers differently", r.doc);
        }
        assert!(res.pull.is_empty() && res.drop.is_empty());
    }
    let absent = case_raw(&app, OFFICER, &targets[0].to_string()).await;
    assert_eq!(absent.0, 404);
    for d in &targets {
        assert_eq!(case_raw(&app, OFFICER, &d.to_string()).await, absent, "GET /cases/{d}");
    }
    assert_eq!(app.case_json(COUNTY, real[1]).await["title"], "同县另一镇", "nothing was changed");
}

/// The next `feed` event within `wait`, if any.
async fn next_feed(
    stream: &mut (impl Stream<Item = reqwest::Result<axum::body::Bytes>> + Unpin),
    wait: Duration,
) -> Option<String> {
    tokio::time::timeout(wait, async {
        loop {
            let chunk = String::from_utf8(stream.next().await.unwrap().unwrap().to_vec()).unwrap();
            if chunk.contains("event: feed") {
                return chunk;
            }
        }
    })
    .await
    .ok()
}

async fn live_notices_follow_the_scope_after_a_move(b: Backend) {
    let app = TestApp::spawn(b).await;
    let mut putou = app.device(OFFICER);
    putou.login().await.unwrap();
    let mut ximen = person(&app, "xm1", "village_officer", XIMEN).await;
    let mover = person(&app, "mover", "village_officer", PUTOU).await;
    let res = reqwest::Client::new()
        .get(format!("{}/api/v1/live", app.url))
        .bearer_auth(&mover.token)
        .send()
        .await
        .unwrap();
    let mut stream = res.bytes_stream();
    assert!(next_feed(&mut stream, Duration::from_secs(2)).await.is_some(), "the greeting");
    let quiet = Duration::from_millis(800);

    record(&mut ximen, XIMEN, "西门村").await;
    assert_eq!(next_feed(&mut stream, quiet).await, None, "another village is not news");
    record(&mut putou, PUTOU, "埔头村").await;
    assert!(next_feed(&mut stream, Duration::from_secs(2)).await.is_some());

    assert_eq!(move_user(&app, COUNTY, "mover", XIMEN).await, 200);
    assert!(next_feed(&mut stream, Duration::from_secs(2)).await.is_some(), "the move itself is news");
    record(&mut ximen, XIMEN, "西门村又一件").await;
    assert!(next_feed(&mut stream, Duration::from_secs(2)).await.is_some(), "the new village is");
    record(&mut putou, PUTOU, "埔头村又一件").await;
    assert_eq!(next_feed(&mut stream, quiet).await, None, "the old village no longer is");
}

async fn the_move_endpoint_follows_the_rules_of_every_admin_action(b: Backend) {
    let app = TestApp::spawn(b).await;
    person(&app, "mover", "village_officer", PUTOU).await;
    person(&app, "far", "village_officer", SHUIJI).await;
    assert_eq!(move_user(&app, LEADER, "mover", CAOYUAN_VILLAGE).await, 403, "leaders do not administer");
    assert_eq!(move_user(&app, COUNTY, "far", PUTOU).await, 404, "someone outside is nobody");
    assert_eq!(move_user(&app, COUNTY, "nobody", PUTOU).await, 404);
    assert_eq!(move_user(&app, COUNTY, "mover", SHUIJI).await, 403, "a unit outside is not theirs to fill");
    assert_eq!(move_user(&app, COUNTY, "mover", "999999").await, 400);
    assert_eq!(move_user(&app, COUNTY, "mover", "350481101").await, 400, "an officer belongs in a village");
    assert_eq!(app.store.assignee("mover").await.unwrap().unwrap().unit.code, PUTOU, "nothing moved");
}
