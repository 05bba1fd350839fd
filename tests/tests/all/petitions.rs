//! Every cell of the petition and visit tables in docs/permissions.md, over the real sync path:
//! each role × action inside the jurisdiction, with the exact outcome, and outside it.

use anlan_tests::device::Local;
use anlan_tests::*;
use automerge::transaction::{Transactable, Transaction};
use automerge::{Automerge, AutomergeError, ROOT, ScalarValue};
use sync_protocol::DocId;
use sync_protocol::calendar::DAY_MS;
use sync_protocol::petition::write::{self as pw, NewPetition};
use sync_protocol::petition::{Petitioner, Source};
use sync_protocol::visit::Visit;
use sync_protocol::wire::RejectCode;

use Outcome::*;
use anlan_tests::device::Outcome;

const FORBIDDEN: Outcome = Refused(RejectCode::Forbidden);
const SCHEMA: Outcome = Refused(RejectCode::Schema);

/// An edit, given "now" (Unix ms): petition dates are judged against the server's clock.
type Edit = fn(&mut Transaction<'_>, i64) -> Result<(), AutomergeError>;

const fn days(n: i64) -> i64 {
    n * DAY_MS
}

// The states a cell starts from, each built on the one before.
fn received(_: &mut Transaction<'_>, _: i64) -> Result<(), AutomergeError> {
    Result::Ok(())
}
fn accepted(tx: &mut Transaction<'_>, now: i64) -> Result<(), AutomergeError> {
    pw::decide(tx, true, now - days(95), None)
}
fn extended(tx: &mut Transaction<'_>, now: i64) -> Result<(), AutomergeError> {
    accepted(tx, now)?;
    pw::extend(tx, now - days(60), 30, "涉及多个部门")
}
fn replied(tx: &mut Transaction<'_>, now: i64) -> Result<(), AutomergeError> {
    accepted(tx, now)?;
    pw::reply(tx, now - days(40), "已答复")
}
fn review_requested(tx: &mut Transaction<'_>, now: i64) -> Result<(), AutomergeError> {
    replied(tx, now)?;
    pw::request_review(tx, "review", now - days(35))
}
fn reviewed(tx: &mut Transaction<'_>, now: i64) -> Result<(), AutomergeError> {
    review_requested(tx, now)?;
    pw::answer_review(tx, "review", now - days(20), "维持")
}
fn rereview_requested(tx: &mut Transaction<'_>, now: i64) -> Result<(), AutomergeError> {
    reviewed(tx, now)?;
    pw::request_review(tx, "rereview", now - days(10))
}

/// (action, starting state, the edit, other field staff, petition staff, township and above).
/// A document that breaks the statutory clock is refused as `schema` whoever sends it: the
/// schema is judged before the role.
const CELLS: &[(&str, Edit, Edit, Outcome, Outcome, Outcome)] = &[
    ("edit the request", received, |tx, _| edit_text(tx, "request"), FORBIDDEN, Ok, Ok),
    (
        "link a case",
        received,
        |tx, _| pw::link_case(tx, "6a1f3e2c-0b7d-4c59-9e0a-3f2d1c4b5a69"),
        FORBIDDEN,
        Ok,
        Ok,
    ),
    ("record acceptance", received, |tx, now| pw::decide(tx, true, now - days(95), None), FORBIDDEN, Ok, Ok),
    (
        "record non-acceptance",
        received,
        |tx, now| pw::decide(tx, false, now - days(90), Some("不属于本机关职权")),
        FORBIDDEN,
        Ok,
        Ok,
    ),
    (
        "extend the handling period",
        accepted,
        |tx, now| pw::extend(tx, now - days(60), 30, "复杂"),
        FORBIDDEN,
        Ok,
        FORBIDDEN,
    ),
    (
        "extend it a second time",
        extended,
        |tx, now| pw::extend(tx, now - days(50), 10, "再延"),
        FORBIDDEN,
        SCHEMA,
        SCHEMA,
    ),
    ("record the reply", accepted, |tx, now| pw::reply(tx, now - days(40), "答复意见"), FORBIDDEN, Ok, Ok),
    (
        "record a review request on day 30",
        replied,
        |tx, now| pw::request_review(tx, "review", now - days(10)),
        FORBIDDEN,
        Ok,
        Ok,
    ),
    (
        "record a review request on day 31",
        replied,
        |tx, now| pw::request_review(tx, "review", now - days(9)),
        SCHEMA,
        SCHEMA,
        SCHEMA,
    ),
    (
        "answer the review",
        review_requested,
        |tx, now| pw::answer_review(tx, "review", now - days(20), "维持"),
        FORBIDDEN,
        Ok,
        Ok,
    ),
    (
        "record a re-review request",
        reviewed,
        |tx, now| pw::request_review(tx, "rereview", now - days(10)),
        FORBIDDEN,
        Ok,
        Ok,
    ),
    (
        "answer the re-review",
        rereview_requested,
        |tx, now| pw::answer_review(tx, "rereview", now - days(1), "维持"),
        FORBIDDEN,
        Ok,
        Ok,
    ),
    (
        "change the recorded decision",
        accepted,
        |tx, now| pw::decide(tx, false, now - days(95), None),
        FORBIDDEN,
        SCHEMA,
        SCHEMA,
    ),
    (
        "change the recorded reply",
        replied,
        |tx, now| pw::reply(tx, now - days(30), "改写"),
        FORBIDDEN,
        SCHEMA,
        SCHEMA,
    ),
    (
        "reply before any decision",
        received,
        |tx, now| pw::reply(tx, now - days(40), "答复"),
        SCHEMA,
        SCHEMA,
        SCHEMA,
    ),
    (
        "record a step dated in the future",
        received,
        |tx, now| pw::decide(tx, true, now + days(3), None),
        FORBIDDEN,
        SCHEMA,
        SCHEMA,
    ),
    (
        "move the receipt date",
        received,
        |tx, now| tx.put(ROOT, "received_at", ScalarValue::Timestamp(now - days(99))),
        FORBIDDEN,
        SCHEMA,
        SCHEMA,
    ),
];

fn edit_text(tx: &mut Transaction<'_>, key: &str) -> Result<(), AutomergeError> {
    let Some((_, text)) = automerge::ReadDoc::get(tx, ROOT, key)? else {
        return Err(AutomergeError::InvalidOp(automerge::ObjType::Text));
    };
    tx.splice_text(&text, 0, 0, "补充：")
}

/// A new document made on `dev` by `write` (offline: nothing is sent until the next sync).
fn create(
    dev: &mut SimDevice,
    write: impl FnOnce(&mut Transaction<'_>) -> Result<(), AutomergeError>,
) -> DocId {
    let id = DocId::random();
    dev.docs.insert(id, Local { doc: Automerge::new(), acked: vec![] });
    dev.edit(id, write);
    id
}

fn petition(dev: &SimDevice, village: &str, now: i64) -> NewPetition {
    NewPetition {
        village: village.into(),
        source: Source::ReceptionDay,
        petitioner: Petitioner { name: "王大伯".into(), phone: Some("139 0000 1234".into()), id_no: None },
        request: "要求补发后期扶持资金".into(),
        received_at: now - days(100),
        recorded_by: dev.user_id.clone(),
    }
}

fn visit(dev: &SimDevice, village: &str, date: i64) -> Visit {
    Visit {
        schema_version: 1,
        village: village.into(),
        leader: "陈建国".into(),
        recorded_by: dev.user_id.clone(),
        date,
        people_met: vec!["王大伯".into()],
        cases: vec![],
        resolved: 1,
        notes: "走访移民户".into(),
    }
}

/// The people of the tables, all covering 埔头村: (role, column, device). Column 0 is other field
/// staff, 1 petition staff, 2 the township and above.
async fn people(app: &TestApp) -> Vec<(&'static str, usize, SimDevice)> {
    let mut out = vec![
        ("village_officer", 0, app.device(OFFICER)),
        ("work_team", 0, app.enrol("team_p", "work_team", PUTOU).await),
        ("petition_staff", 1, app.enrol("staff_p", "petition_staff", "350481101").await),
        ("township_leader", 2, app.device(LEADER)),
        ("county_admin", 2, app.device(COUNTY)),
    ];
    for (_, _, d) in out.iter_mut() {
        d.login().await.unwrap();
    }
    out
}

fn now() -> i64 {
    anlan_server::store::now_ms()
}

on_both_backends!(every_role_gets_exactly_the_petition_table, every_role_gets_exactly_the_visit_table);

async fn every_role_gets_exactly_the_petition_table(b: Backend) {
    let app = TestApp::spawn(b).await;
    let mut ppl = people(&app).await;
    // Set-up is another petition officer's device: a device never pulls back what it pushed.
    let mut setup = app.enrol("setup_p", "petition_staff", "350481").await;
    setup.login().await.unwrap();
    // The petitions were received 100 days ago and their steps recorded as they came: on phones
    // in use since before then, or the server would correct the dates (PROTOCOL.md §11).
    app.devices_enrolled_at(now() - days(400)).await;
    for (action, state, edit, field, staff, leader) in CELLS {
        for (role, column, dev) in ppl.iter_mut() {
            let now = now();
            let new = petition(&setup, PUTOU, now);
            let id = create(&mut setup, |tx| {
                new.write(tx)?;
                state(tx, now)
            });
            setup.sync().await.unwrap();
            assert_eq!(setup.outcome(id), Ok, "set-up for {action}");
            app.documents_received_at(now - days(100)).await;
            dev.sync().await.unwrap();
            dev.edit(id, |tx| edit(tx, now));
            dev.sync_once(false).await.unwrap();
            let want = [*field, *staff, *leader][*column];
            assert_eq!(dev.outcome(id), want, "{role} may {action}?");
        }
    }
    for (role, column, dev) in ppl.iter_mut() {
        let now = now();
        let new = petition(dev, PUTOU, now);
        let id = create(dev, |tx| new.write(tx));
        let forged = NewPetition { recorded_by: "someone_else".into(), ..new.clone() };
        let other = create(dev, |tx| forged.write(tx));
        dev.sync().await.unwrap();
        let want = if *column == 0 { FORBIDDEN } else { Ok };
        assert_eq!(dev.outcome(id), want, "{role} may record a petition?");
        let want = if *column == 0 { FORBIDDEN } else { SCHEMA };
        assert_eq!(dev.outcome(other), want, "{role} may record a petition in another's name?");
    }
    // Outside the jurisdiction: the township's petition officer cannot record one in 西门村.
    let (_, _, staff) = &mut ppl[2];
    let new = petition(staff, XIMEN, now());
    let id = create(staff, |tx| new.write(tx));
    staff.sync().await.unwrap();
    assert_eq!(staff.outcome(id), Refused(RejectCode::OutOfScope));
}

async fn every_role_gets_exactly_the_visit_table(b: Backend) {
    let app = TestApp::spawn(b).await;
    let mut ppl = people(&app).await;
    let mut setup = app.enrol("setup_l", "township_leader", "350481101").await;
    setup.login().await.unwrap();
    app.devices_enrolled_at(now() - days(400)).await;
    let edits: &[(&str, Edit, Outcome, Outcome)] = &[
        ("add a person met", |tx, _| pw_list_push(tx, "people_met", "李婶"), FORBIDDEN, Ok),
        ("count one more resolved", |tx, _| tx.put(ROOT, "resolved", 2_i64), FORBIDDEN, Ok),
        ("edit the notes", |tx, _| edit_text(tx, "notes"), FORBIDDEN, Ok),
        ("change who recorded it", |tx, _| tx.put(ROOT, "recorded_by", "someone_else"), FORBIDDEN, SCHEMA),
    ];
    for (action, edit, field, leader) in edits {
        for (role, column, dev) in ppl.iter_mut() {
            let v = visit(&setup, PUTOU, now() - days(2));
            let id = create(&mut setup, |tx| v.write(tx));
            setup.sync().await.unwrap();
            dev.sync().await.unwrap();
            dev.edit(id, |tx| edit(tx, 0));
            dev.sync_once(false).await.unwrap();
            let want = if *column == 2 { *leader } else { *field };
            assert_eq!(dev.outcome(id), want, "{role} may {action}?");
        }
    }
    for (role, column, dev) in ppl.iter_mut() {
        let v = visit(dev, PUTOU, now() - days(1));
        let id = create(dev, |tx| v.write(tx));
        let future = visit(dev, PUTOU, now() + days(3));
        let later = create(dev, |tx| future.write(tx));
        dev.sync().await.unwrap();
        let want = if *column == 2 { Ok } else { FORBIDDEN };
        assert_eq!(dev.outcome(id), want, "{role} may record a visit?");
        let want = if *column == 2 { SCHEMA } else { FORBIDDEN };
        assert_eq!(dev.outcome(later), want, "{role} may record a visit dated ahead?");
    }
    let (_, _, leader) = &mut ppl[3];
    let v = visit(leader, XIMEN, now());
    let id = create(leader, |tx| v.write(tx));
    leader.sync().await.unwrap();
    assert_eq!(leader.outcome(id), Refused(RejectCode::OutOfScope), "a village of another township");
}

fn pw_list_push(tx: &mut Transaction<'_>, key: &str, item: &str) -> Result<(), AutomergeError> {
    let Some((_, list)) = automerge::ReadDoc::get(tx, ROOT, key)? else {
        return Err(AutomergeError::InvalidOp(automerge::ObjType::List));
    };
    let at = automerge::ReadDoc::length(tx, &list);
    tx.insert(&list, at, item)
}
