//! The server trusts nothing a client says about itself (PROTOCOL.md §10, docs/permissions.md):
//! not a scope fingerprint it never told the device, not the person a leader names on a case,
//! not a new case under an id that is already taken outside the pusher's scope.

use anlan_server::store::Scope;
use anlan_tests::*;
use automerge::ROOT;
use automerge::transaction::Transactable;
use sync_protocol::DocId;
use sync_protocol::case::Severity;
use sync_protocol::wire::{self, RejectCode, Status, SyncRequest, SyncResponse};

on_both_backends!(
    a_scope_fingerprint_never_told_to_the_device_lists_nothing,
    only_active_people_working_where_the_case_is_may_be_named,
    a_new_case_under_an_id_taken_outside_the_scope_is_refused_alone,
);

async fn raw_sync(dev: &mut SimDevice, req: &SyncRequest) -> SyncResponse {
    let res = dev.post(wire::encode(req)).await.unwrap();
    let status = res.status();
    let body = res.bytes().await.unwrap();
    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&body));
    wire::decode(&body).unwrap()
}

async fn status_of_case(app: &TestApp, token: &str, id: DocId) -> u16 {
    let res = reqwest::Client::new()
        .get(format!("{}/api/v1/cases/{id}", app.url))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    res.status().as_u16()
}

async fn a_scope_fingerprint_never_told_to_the_device_lists_nothing(b: Backend) {
    let app = TestApp::spawn(b).await;
    let mut ximen = app.enrol("xm1", "village_officer", XIMEN).await;
    ximen.login().await.unwrap();
    let theirs_case = ximen.create(&ximen.new_case(XIMEN, Severity::General, "西门村用水纠纷"));
    ximen.sync().await.unwrap();
    let theirs = ximen.scope.clone().expect("told its scope");
    let path = app.store.unit(XIMEN).await.unwrap().unwrap().path;
    assert_eq!(Scope::of_path(&path).fingerprint(), theirs, "anyone can compute it offline");

    let mut officer = app.device(OFFICER);
    officer.login().await.unwrap();
    officer.sync().await.unwrap();
    let forged = SyncRequest {
        v: wire::PROTOCOL_VERSION,
        epoch: officer.epoch.clone(),
        cursor: officer.cursor,
        scope: Some(theirs),
        ..Default::default()
    };
    let res = raw_sync(&mut officer, &forged).await;
    assert!(res.drop.is_empty(), "a forged fingerprint listed {:?}", res.drop);
    assert!(res.pull.iter().all(|p| p.doc != theirs_case));
    assert_eq!(Some(res.scope), officer.scope, "answered in the device's own scope");
}

async fn only_active_people_working_where_the_case_is_may_be_named(b: Backend) {
    let app = TestApp::spawn(b).await;
    let mut far = app.enrol("sj1", "village_officer", SHUIJI).await; // another county
    far.login().await.unwrap();
    app.enrol("gone", "village_officer", PUTOU).await;
    app.store.deactivate_user("gone").await.unwrap();
    let mut officer = app.device(OFFICER);
    officer.login().await.unwrap();
    let names = [
        ("handler", "sj1"),
        ("handler", "nobody"),
        ("handler", "gone"),
        ("responsible_leader", "sj1"),
        ("handler", "u_demo_officer"),
    ];
    let cases: Vec<DocId> = (0..names.len())
        .map(|i| officer.create(&officer.new_case(PUTOU, Severity::Major, &format!("林地纠纷{i}"))))
        .collect();
    officer.sync().await.unwrap();
    let mut leader = app.device(LEADER);
    leader.login().await.unwrap();
    leader.sync().await.unwrap();
    for (id, (field, name)) in cases.iter().zip(names) {
        leader.edit(*id, |tx| tx.put(ROOT, field, name));
    }
    leader.sync().await.unwrap();

    for (id, (field, name)) in cases.iter().zip(&names[..4]) {
        let r = leader.rejected.get(id).unwrap_or_else(|| panic!("naming {name} was accepted"));
        assert_eq!(r.code, RejectCode::Forbidden);
        // One message for all three: it must not tell who exists elsewhere.
        assert_eq!(
            r.message,
            format!("{field}: {name} is not an active person who works in village {PUTOU} or under you")
        );
    }
    assert!(!leader.rejected.contains_key(&cases[4]), "someone of the village may be named");
    assert_eq!(app.case_json(LEADER, cases[4]).await["handler"], "u_demo_officer");

    far.sync().await.unwrap();
    assert!(far.docs.is_empty(), "the other county's officer was given nothing");
    for id in &cases {
        assert_eq!(status_of_case(&app, &far.token, *id).await, 404);
        assert!(app.case_json(LEADER, *id).await["handler"] != "sj1");
    }
}

async fn a_new_case_under_an_id_taken_outside_the_scope_is_refused_alone(b: Backend) {
    let app = TestApp::spawn(b).await;
    let mut far = app.enrol("sj1", "village_officer", SHUIJI).await;
    far.login().await.unwrap();
    let taken = far.create(&far.new_case(SHUIJI, Severity::General, "水际村宅基地纠纷"));
    far.sync().await.unwrap();

    let mut officer = app.device(OFFICER);
    officer.login().await.unwrap();
    let own = officer.create(&officer.new_case(PUTOU, Severity::General, "同号新案"));
    let local = officer.docs.remove(&own).unwrap();
    officer.docs.insert(taken, local);
    let fresh = officer.create(&officer.new_case(PUTOU, Severity::General, "同批另一案"));
    let outside = officer.create(&officer.new_case(XIMEN, Severity::General, "越界新案"));
    let res = officer.sync_once(false).await.unwrap().expect("answered, not 503");

    let answer = |doc: DocId| res.results.iter().find(|r| r.doc == doc).unwrap().clone();
    let (t, o) = (answer(taken), answer(outside));
    assert_eq!(t.status, Status::Rejected);
    assert!(t.heads.is_empty(), "nothing of the other document is shown");
    let reason = t.reason.clone().unwrap();
    assert_eq!(reason.code, RejectCode::OutOfScope);
    assert!(!reason.message.contains("水际") && !reason.message.contains(SHUIJI), "{}", reason.message);
    assert_eq!(
        (t.status, t.heads.len(), reason.code),
        (o.status, o.heads.len(), o.reason.unwrap().code),
        "answered like any document outside the scope"
    );
    assert_eq!(answer(fresh).status, Status::Ok, "the rest of the batch is stored");
    officer.sync().await.unwrap();
    assert!(officer.case(fresh).case_no.is_some());
    far.sync().await.unwrap();
    assert_eq!(far.case(taken).title, "水际村宅基地纠纷", "the other county's case is untouched");
}
