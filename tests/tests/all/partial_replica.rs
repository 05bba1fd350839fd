//! Partial replicas (PROTOCOL.md §12): a county phone holds its working set, fetches any other
//! case of its scope on demand, evicts cases that leave the working set, completes a case that
//! comes back into it, and re-covers after an epoch change; nothing outside the scope is served.

use anlan_server::store::RECENT_MS;
use anlan_tests::device::now_ms;
use anlan_tests::*;
use sqlx::Connection;
use sync_protocol::DocId;
use sync_protocol::case::{Severity, Status, TimelineEntry, TimelineKind, write};
use sync_protocol::fetch::FetchRequest;
use sync_protocol::wire::{self, HaveDoc, Replica};

on_both_backends!(
    a_county_phone_keeps_its_working_set_and_fetches_any_other_case_on_demand,
    a_case_leaving_the_working_set_is_evicted_and_one_coming_back_arrives_whole,
    a_phone_giving_up_its_whole_replica_evicts_what_lies_outside_the_working_set,
    after_an_epoch_change_a_partial_replica_recovers_its_working_set,
    a_fetch_serves_nothing_outside_the_scope_and_refuses_bad_requests,
);

async fn signed_in(app: &TestApp, token: &str) -> SimDevice {
    let mut d = app.device(token);
    d.login().await.unwrap();
    d
}

async fn partial(app: &TestApp, token: &str) -> SimDevice {
    let mut d = signed_in(app, token).await;
    d.replica = Replica::Partial;
    d
}

/// Three cases of the officer's village: `open`, `old` (finished long ago) and `recent`
/// (finished, last touched now). The leader finishes two of them.
struct County {
    open: DocId,
    old: DocId,
    recent: DocId,
}

async fn three_cases(app: &TestApp, officer: &mut SimDevice) -> County {
    let mut leader = signed_in(app, LEADER).await;
    let open = officer.create(&officer.new_case(PUTOU, Severity::Major, "仍在调处的纠纷"));
    let old = officer.create(&officer.new_case(PUTOU, Severity::General, "三年前化解的纠纷"));
    let recent = officer.create(&officer.new_case(PUTOU, Severity::General, "上周化解的纠纷"));
    officer.sync().await.unwrap();
    leader.sync().await.unwrap();
    for id in [old, recent] {
        leader.set_status(id, Status::Resolved);
    }
    leader.sync().await.unwrap();
    assert!(leader.rejected.is_empty(), "{:?}", leader.rejected);
    officer.sync().await.unwrap();
    age(app, old).await;
    County { open, old, recent }
}

/// Move a case's last change back past the recent period, as if years had passed.
async fn age(app: &TestApp, doc: DocId) {
    set_updated(app, doc, now_ms() - RECENT_MS - 3 * 365 * 86_400_000).await;
}

/// Let a case's recent period run out just now, between two syncs of a phone that holds it.
async fn expire(app: &TestApp, doc: DocId) {
    tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    set_updated(app, doc, now_ms() - RECENT_MS - 1).await;
}

async fn set_updated(app: &TestApp, doc: DocId, at: i64) {
    let mut db = sqlx::AnyConnection::connect(&app.db.url).await.unwrap();
    sqlx::query("UPDATE documents SET updated_at = $1 WHERE doc_id = $2")
        .bind(at)
        .bind(doc.0.to_vec())
        .execute(&mut db)
        .await
        .unwrap();
}

fn held(dev: &SimDevice) -> Vec<DocId> {
    dev.docs.keys().copied().collect()
}

fn sorted(mut v: Vec<DocId>) -> Vec<DocId> {
    v.sort();
    v
}

async fn a_county_phone_keeps_its_working_set_and_fetches_any_other_case_on_demand(b: Backend) {
    let app = TestApp::spawn(b).await;
    let mut officer = signed_in(&app, OFFICER).await;
    let c = three_cases(&app, &mut officer).await;

    let mut whole = signed_in(&app, COUNTY).await;
    whole.sync().await.unwrap();
    let mut county = partial(&app, COUNTY).await;
    county.sync().await.unwrap();

    assert_eq!(sorted(held(&whole)), sorted(vec![c.open, c.old, c.recent]));
    assert_eq!(
        sorted(held(&county)),
        sorted(vec![c.open, c.recent]),
        "the old finished case stays on the server"
    );
    assert!(county.bytes_down < whole.bytes_down, "{} ≥ {}", county.bytes_down, whole.bytes_down);
    assert!(county.since.is_some() && whole.since.is_none());
    // The officer reported all three: a phone's own reports are always in its working set.
    let mut own = partial(&app, OFFICER).await;
    own.sync().await.unwrap();
    assert_eq!(sorted(held(&own)), sorted(vec![c.open, c.old, c.recent]));

    // Opened by its number: the whole case, as the officer has it.
    let number = officer.case(c.old).case_no.unwrap();
    assert_eq!(county.open_case_no(&number).await.unwrap(), Some(c.old));
    assert_eq!(county.heads(c.old), officer.heads(c.old));
    assert_eq!(county.case(c.old).title, "三年前化解的纠纷");
    // Asked again with the heads it holds, nothing is sent twice.
    let again = county.refresh(&[c.old]).await.unwrap();
    assert!(again.docs[0].changes.is_empty());
    assert_eq!(again.docs[0].heads, wire::hashes(&officer.heads(c.old)));
    // A case fetched on demand is the phone's to edit like any other.
    county.edit(c.old, |tx| {
        let e = TimelineEntry {
            id: "n1".into(),
            kind: TimelineKind::Note,
            at: now_ms(),
            by: "u_demo_county".into(),
            text: "复查".into(),
        };
        write::add_timeline(tx, &e)
    });
    county.sync().await.unwrap();
    assert!(county.rejected.is_empty(), "{:?}", county.rejected);
    assert_eq!(county.pending(), 0);
}

async fn a_case_leaving_the_working_set_is_evicted_and_one_coming_back_arrives_whole(b: Backend) {
    let app = TestApp::spawn(b).await;
    let mut officer = signed_in(&app, OFFICER).await;
    let c = three_cases(&app, &mut officer).await;
    let mut county = partial(&app, COUNTY).await;
    county.sync().await.unwrap();
    assert!(county.docs.contains_key(&c.recent));

    // Time passes over the finished case: the next sync evicts it, and only it.
    expire(&app, c.recent).await;
    county.sync().await.unwrap();
    assert_eq!(county.evicted, vec![c.recent]);
    assert_eq!(sorted(held(&county)), vec![c.open]);
    // The window moved on: the same case is not evicted twice.
    county.sync().await.unwrap();
    assert_eq!(county.evicted, vec![c.recent]);

    // Someone writes on the old case: it is back in the working set, and the phone, which
    // never held it, ends up with its whole history rather than a change without its past.
    officer.edit(c.old, |tx| {
        let e = TimelineEntry {
            id: "r1".into(),
            kind: TimelineKind::Note,
            at: now_ms(),
            by: "u_demo_officer".into(),
            text: "当事人再次反映".into(),
        };
        write::add_timeline(tx, &e)
    });
    officer.sync().await.unwrap();
    let before = county.fetched.len();
    county.sync().await.unwrap();
    assert_eq!(county.heads(c.old), officer.heads(c.old));
    assert_eq!(county.fetched[before..], [c.old], "the missing history came by one fetch");
    assert_eq!(county.case(c.old).timeline.len(), officer.case(c.old).timeline.len());
}

async fn a_phone_giving_up_its_whole_replica_evicts_what_lies_outside_the_working_set(b: Backend) {
    let app = TestApp::spawn(b).await;
    let mut officer = signed_in(&app, OFFICER).await;
    let c = three_cases(&app, &mut officer).await;
    let mut county = signed_in(&app, COUNTY).await;
    county.sync().await.unwrap();
    assert_eq!(county.docs.len(), 3);

    // It keeps its cursor (it holds everything up to it) and sends no `since`.
    county.replica = Replica::Partial;
    county.sync().await.unwrap();
    assert_eq!(county.evicted, vec![c.old]);
    assert_eq!(sorted(held(&county)), sorted(vec![c.open, c.recent]));
    // Evicting is not losing: the case is one fetch away.
    county.refresh(&[c.old]).await.unwrap();
    assert_eq!(county.heads(c.old), officer.heads(c.old));
}

async fn after_an_epoch_change_a_partial_replica_recovers_its_working_set(b: Backend) {
    let app = TestApp::spawn(b).await;
    let mut officer = signed_in(&app, OFFICER).await;
    let c = three_cases(&app, &mut officer).await;
    let mut county = partial(&app, COUNTY).await;
    county.sync().await.unwrap();
    county.open_case_no(&officer.case(c.old).case_no.unwrap()).await.unwrap();
    let old_epoch = county.epoch.clone();

    app.store.new_epoch().await.unwrap();
    let db = app.stop().await;
    let app = TestApp::spawn_on(db).await;
    county.url = app.url.clone();
    officer.url = app.url.clone();

    county.sync().await.unwrap();
    assert_ne!(county.epoch, old_epoch);
    assert_eq!(county.pending(), 0, "every document it holds was confirmed with `have`");
    assert_eq!(sorted(held(&county)), sorted(vec![c.open, c.old, c.recent]));
    for id in [c.open, c.old, c.recent] {
        assert_eq!(county.heads(id), officer.heads(id));
    }
    // And it goes on as before: a new case reaches it.
    let d = officer.create(&officer.new_case(PUTOU, Severity::Urgent, "恢复后的新纠纷"));
    officer.sync().await.unwrap();
    county.sync().await.unwrap();
    assert_eq!(county.heads(d), officer.heads(d));
}

async fn a_fetch_serves_nothing_outside_the_scope_and_refuses_bad_requests(b: Backend) {
    let app = TestApp::spawn(b).await;
    let mut officer = signed_in(&app, OFFICER).await;
    let c = three_cases(&app, &mut officer).await;
    let mut elsewhere = app.enrol("o_shuiji", "village_officer", SHUIJI).await;
    elsewhere.login().await.unwrap();
    let far = elsewhere.create(&elsewhere.new_case(SHUIJI, Severity::Major, "外县的纠纷"));
    elsewhere.sync().await.unwrap();
    let far_no = elsewhere.case(far).case_no.unwrap();

    // The county administrator of Yong'an reads Yong'an: another county's case answers exactly
    // like one that does not exist, by id and by number.
    let mut county = partial(&app, COUNTY).await;
    let nowhere = DocId([0x5a; 16]);
    let res = county
        .fetch(&FetchRequest {
            v: 1,
            docs: vec![HaveDoc { doc: far, heads: vec![] }, HaveDoc { doc: nowhere, heads: vec![] }],
            case_nos: vec![far_no.clone(), "永安-1999-000001".into()],
        })
        .await
        .unwrap();
    assert!(res.docs.is_empty());
    assert_eq!(res.missing, vec![far, nowhere]);
    assert_eq!(res.unknown, vec![far_no, "永安-1999-000001".to_string()]);
    assert!(!county.docs.contains_key(&far));
    // The officer's case, in scope, is served to the same request shape.
    let res = county.refresh(&[c.open]).await.unwrap();
    assert_eq!(res.docs.len(), 1);

    // Too many at once, not CBOR, a bad token: refused with the usual errors.
    let many = FetchRequest {
        v: 1,
        docs: (0..101u8).map(|i| HaveDoc { doc: DocId([i; 16]), heads: vec![] }).collect(),
        ..Default::default()
    };
    assert!(county.fetch(&many).await.unwrap_err().to_string().contains("413"));
    let http = reqwest::Client::new();
    let url = format!("{}/api/v1/fetch", app.url);
    let json = http.post(&url).bearer_auth(COUNTY).json(&serde_json::json!({"v": 1})).send().await.unwrap();
    assert_eq!(json.status(), 415);
    let garbage = http
        .post(&url)
        .bearer_auth(COUNTY)
        .header("content-type", wire::CONTENT_TYPE)
        .body(vec![0xff, 0])
        .send()
        .await
        .unwrap();
    assert_eq!(garbage.status(), 400);
    let stranger = http
        .post(&url)
        .bearer_auth("nobody")
        .header("content-type", wire::CONTENT_TYPE)
        .body(wire::encode(&many))
        .send()
        .await
        .unwrap();
    assert_eq!(stranger.status(), 401);
}
