//! The sync protocol end to end over HTTP: recording offline, acknowledgement, the pull feed,
//! case numbers, jurisdiction, idempotency and live notices.

use std::time::{Duration, Instant};

use anlan_tests::*;
use automerge::ROOT;
use automerge::transaction::Transactable;
use futures::StreamExt;
use sync_protocol::case::{Severity, Status, write};
use sync_protocol::wire::{self, RejectCode, Status as S, SyncRequest};

on_both_backends!(
    a_case_recorded_offline_reaches_the_township_leader,
    the_server_numbers_each_county_s_cases_in_order,
    a_lost_response_is_harmless_and_resending_stores_nothing_twice,
    concurrent_edits_from_officer_and_leader_both_survive,
    people_outside_the_jurisdiction_never_see_a_case,
    a_case_in_another_jurisdiction_cannot_be_created,
    an_online_client_hears_of_new_changes_within_a_second,
    a_push_whose_dependencies_the_server_lacks_gets_need_changes,
    an_empty_sync_is_small_in_both_directions,
);

async fn a_case_recorded_offline_reaches_the_township_leader(b: Backend) {
    let app = TestApp::spawn(b).await;
    let mut officer = app.device(OFFICER);
    officer.login().await.unwrap();
    // Recorded with no network: nothing but local state.
    let c = officer.new_case(PUTOU, Severity::Major, "宅基地边界纠纷");
    let id = officer.create(&c);
    assert_eq!(officer.pending(), 1);

    officer.sync().await.unwrap();
    assert_eq!(officer.pending(), 0, "acknowledged after the server committed");
    let mine = officer.case(id);
    assert!(mine.case_no.as_deref().unwrap().starts_with("永安-2026-"), "{:?}", mine.case_no);

    let mut leader = app.device(LEADER);
    leader.login().await.unwrap();
    leader.sync().await.unwrap();
    let seen = leader.case(id);
    assert_eq!(seen.title, "宅基地边界纠纷");
    assert_eq!(seen.case_no, mine.case_no);
    assert_eq!(seen.reporter, "u_demo_officer");

    // The projection serves the same case to dashboards.
    let body = app.case_json(LEADER, id).await;
    assert_eq!(body["title"], "宅基地边界纠纷");
    assert_eq!(body["severity"], "major");
}

async fn the_server_numbers_each_county_s_cases_in_order(b: Backend) {
    let app = TestApp::spawn(b).await;
    let mut officer = app.device(OFFICER);
    officer.login().await.unwrap();
    let ids: Vec<_> = (0..3)
        .map(|i| officer.create(&officer.new_case(PUTOU, Severity::General, &format!("案{i}"))))
        .collect();
    officer.sync().await.unwrap();
    let mut numbers: Vec<String> = ids.iter().map(|id| officer.case(*id).case_no.unwrap()).collect();
    numbers.sort();
    assert_eq!(numbers, vec!["永安-2026-000001", "永安-2026-000002", "永安-2026-000003"]);
    // A case in another county starts its own sequence.
    let mut taining = app.enrol("taining1", "village_officer", SHUIJI).await;
    taining.login().await.unwrap();
    let t = taining.create(&taining.new_case(SHUIJI, Severity::General, "水际村用水纠纷"));
    taining.sync().await.unwrap();
    assert_eq!(taining.case(t).case_no.as_deref(), Some("泰宁-2026-000001"));
}

async fn a_lost_response_is_harmless_and_resending_stores_nothing_twice(b: Backend) {
    let app = TestApp::spawn(b).await;
    let mut officer = app.device(OFFICER);
    officer.login().await.unwrap();
    let id = officer.create(&officer.new_case(PUTOU, Severity::General, "补偿款争议"));
    officer.sync_once(true).await.unwrap(); // committed, but the answer is lost
    assert_eq!(officer.pending(), 1);
    let stored = app.store.change_count().await.unwrap();
    officer.sync().await.unwrap();
    assert_eq!(officer.pending(), 0);
    assert_eq!(app.store.change_count().await.unwrap(), stored, "the resend stored nothing new");
    assert!(officer.case(id).case_no.is_some());
    // The same request sent twice more is answered ok both times.
    let (req, _) = officer.build_request();
    assert!(req.push.is_empty());
}

async fn concurrent_edits_from_officer_and_leader_both_survive(b: Backend) {
    let app = TestApp::spawn(b).await;
    let mut officer = app.device(OFFICER);
    let mut leader = app.device(LEADER);
    officer.login().await.unwrap();
    leader.login().await.unwrap();
    let id = officer.create(&officer.new_case(PUTOU, Severity::Major, "山林权属争议"));
    officer.sync().await.unwrap();
    leader.sync().await.unwrap();

    // Both offline: the officer adds a visit and text; the leader acknowledges and raises severity.
    let by = officer.user_id.clone();
    officer.edit(id, |tx| {
        write::add_timeline(
            tx,
            &sync_protocol::case::TimelineEntry {
                id: "v1".into(),
                kind: sync_protocol::case::TimelineKind::Visit,
                at: 1,
                by,
                text: "入户走访".into(),
            },
        )?;
        write::edit_description(tx, 0, "【补充】")
    });
    let leader_id = leader.user_id.clone();
    leader.edit(id, |tx| {
        write::transition(tx, &write::Move::new(Status::Acknowledged, &leader_id, 1))?;
        write::set_severity(tx, Severity::Urgent)
    });
    leader.sync().await.unwrap();
    officer.sync().await.unwrap();
    leader.sync().await.unwrap();

    let (a, b2) = (officer.case(id), leader.case(id));
    assert_eq!(a, b2);
    assert_eq!(a.status, Status::Acknowledged);
    assert_eq!(a.severity, Severity::Urgent);
    assert_eq!(a.timeline.len(), 1);
    assert!(a.description.starts_with("【补充】"));
    assert_eq!(officer.heads(id), leader.heads(id));
    // Becoming urgent enqueued exactly one alert.
    assert_eq!(app.store.outbox_causes().await.unwrap().len(), 1);
}

async fn people_outside_the_jurisdiction_never_see_a_case(b: Backend) {
    let app = TestApp::spawn(b).await;
    let mut officer = app.device(OFFICER);
    officer.login().await.unwrap();
    let id = officer.create(&officer.new_case(PUTOU, Severity::Urgent, "群体性上访苗头"));
    officer.sync().await.unwrap();

    let mut neighbour = app.enrol("ximen1", "village_officer", XIMEN).await;
    neighbour.login().await.unwrap();
    neighbour.sync().await.unwrap();
    assert!(neighbour.docs.is_empty(), "a village officer elsewhere pulls nothing");
    let status = reqwest::Client::new()
        .get(format!("{}/api/v1/cases/{id}", app.url))
        .bearer_auth(&neighbour.token)
        .send()
        .await
        .unwrap()
        .status();
    assert_eq!(status, 404);

    let mut county = app.device(COUNTY);
    county.login().await.unwrap();
    county.sync().await.unwrap();
    assert!(county.docs.contains_key(&id), "the county sees its villages");
}

async fn a_case_in_another_jurisdiction_cannot_be_created(b: Backend) {
    let app = TestApp::spawn(b).await;
    let mut officer = app.device(OFFICER);
    officer.login().await.unwrap();
    let id = officer.create(&officer.new_case(XIMEN, Severity::General, "越权上报"));
    officer.sync().await.unwrap();
    assert_eq!(officer.rejected[&id].code, RejectCode::OutOfScope);
    assert_eq!(app.store.quarantine_count().await.unwrap(), 1, "the refused bytes are kept");
    assert_eq!(app.store.change_count().await.unwrap(), 0);
}

async fn an_online_client_hears_of_new_changes_within_a_second(b: Backend) {
    let app = TestApp::spawn(b).await;
    let res = reqwest::Client::new()
        .get(format!("{}/api/v1/live", app.url))
        .bearer_auth(LEADER)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let mut stream = res.bytes_stream();
    let first = String::from_utf8(stream.next().await.unwrap().unwrap().to_vec()).unwrap();
    assert!(first.contains("event: feed"), "{first}");

    let mut officer = app.device(OFFICER);
    officer.login().await.unwrap();
    officer.create(&officer.new_case(PUTOU, Severity::Urgent, "有人扬言过激行为"));
    let started = Instant::now();
    officer.sync().await.unwrap();
    let next = tokio::time::timeout(Duration::from_secs(1), async {
        loop {
            let chunk = String::from_utf8(stream.next().await.unwrap().unwrap().to_vec()).unwrap();
            if chunk.contains("event: feed") {
                return chunk;
            }
        }
    })
    .await
    .expect("a feed notice within 1 s");
    assert!(next.contains("cursor"), "{next}");
    assert!(started.elapsed() < Duration::from_secs(1));
}

async fn a_push_whose_dependencies_the_server_lacks_gets_need_changes(b: Backend) {
    let app = TestApp::spawn(b).await;
    let mut officer = app.device(OFFICER);
    officer.login().await.unwrap();
    let id = officer.create(&officer.new_case(PUTOU, Severity::General, "邻里纠纷"));
    let first_heads = officer.heads(id);
    officer.edit(id, |tx| tx.put(ROOT, "title", "邻里纠纷（更新）"));
    // Pretend the creation was acknowledged when it was not: the push carries only the edit.
    officer.docs.get_mut(&id).unwrap().acked = first_heads;
    let resp = officer.sync_once(false).await.unwrap().unwrap();
    assert_eq!(resp.results[0].status, S::NeedChanges);
    assert!(resp.results[0].heads.is_empty());
    assert_eq!(app.store.change_count().await.unwrap(), 0, "orphans are never stored");
    officer.sync().await.unwrap();
    assert_eq!(officer.pending(), 0);
    assert_eq!(officer.case(id).title, "邻里纠纷（更新）");
}

async fn an_empty_sync_is_small_in_both_directions(b: Backend) {
    let app = TestApp::spawn(b).await;
    let mut officer = app.device(OFFICER);
    officer.login().await.unwrap();
    officer.sync().await.unwrap();
    let req = wire::encode(&SyncRequest {
        v: 1,
        epoch: officer.epoch.clone(),
        cursor: officer.cursor,
        ..Default::default()
    });
    let res = officer.post(req.clone()).await.unwrap();
    let body = res.bytes().await.unwrap();
    assert!(req.len() <= 200 && body.len() <= 200, "up {} down {}", req.len(), body.len());
}

on_both_backends!(a_city_wide_jurisdiction_sees_its_cities_cases_and_no_others);

/// The feed has two plans, by the size of the jurisdiction: a village officer's seeks per unit,
/// a city's walks the log. Both must give exactly the jurisdiction's changes.
async fn a_city_wide_jurisdiction_sees_its_cities_cases_and_no_others(b: Backend) {
    let app = TestApp::spawn(b).await;
    // Enough villages that the city's jurisdiction takes the log-walking plan.
    app.store.create_unit("350481199", "测试镇", "township", Some("350481")).await.unwrap();
    for i in 0..420 {
        app.store
            .create_unit(&format!("350481199{i:03}"), &format!("测试村{i}"), "village", Some("350481199"))
            .await
            .unwrap();
    }
    // Another city entirely, with a case of its own.
    app.store.create_unit("350500", "泉州市", "city", None).await.unwrap();
    app.store.create_unit("350521", "惠安县", "county", Some("350500")).await.unwrap();
    app.store.create_unit("350521101", "螺城镇", "township", Some("350521")).await.unwrap();
    app.store.create_unit("350521101201", "东园村", "village", Some("350521101")).await.unwrap();
    let mut elsewhere = app.enrol("quanzhou1", "village_officer", "350521101201").await;
    elsewhere.login().await.unwrap();
    let theirs = elsewhere.create(&elsewhere.new_case("350521101201", Severity::General, "外市案件"));
    elsewhere.sync().await.unwrap();

    let mut officer = app.device(OFFICER);
    officer.login().await.unwrap();
    let ours = officer.create(&officer.new_case(PUTOU, Severity::General, "本市案件"));
    let far = app.enrol("far1", "village_officer", "350481199419").await;
    let mut far = far;
    far.login().await.unwrap();
    let far_case = far.create(&far.new_case("350481199419", Severity::Major, "远村案件"));
    officer.sync().await.unwrap();
    far.sync().await.unwrap();

    let mut city = app.enrol("city1", "city_admin", "350400").await;
    city.login().await.unwrap();
    city.sync().await.unwrap();
    assert!(city.docs.contains_key(&ours) && city.docs.contains_key(&far_case));
    assert!(!city.docs.contains_key(&theirs), "another city's case stays out");
    assert_eq!(city.docs.len(), 2);
    // And the small jurisdictions see only their own.
    officer.sync().await.unwrap();
    assert_eq!(officer.docs.keys().copied().collect::<Vec<_>>(), vec![ours]);
    assert_eq!(elsewhere.docs.len(), 1);
}
