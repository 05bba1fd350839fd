//! Every cell of docs/permissions.md, over the real sync path: each role × action, inside the
//! jurisdiction, with the exact outcome; and outside it, where everything is out of scope.

use anlan_tests::*;
use automerge::transaction::{Transactable, Transaction};
use automerge::{AutomergeError, ObjType, ROOT, ReadDoc, ScalarValue};
use sync_protocol::case::{Outcome as Settled, Severity, Status, TimelineEntry, TimelineKind, write};
use sync_protocol::wire::RejectCode;

use Outcome::*;
use anlan_tests::device::Outcome;

type Edit = fn(&mut Transaction<'_>, &str) -> Result<(), AutomergeError>;

/// A status change as the PWA makes it: the status and its transition entry by `by`.
fn moved(tx: &mut Transaction<'_>, to: Status, by: &str) -> Result<(), AutomergeError> {
    write::transition(tx, &write::Move::new(to, by, 1_795_000_100_000))
}

fn entry(kind: TimelineKind, by: &str) -> TimelineEntry {
    TimelineEntry { id: format!("{kind}-{by}"), kind, at: 1, by: by.into(), text: "跟进".into() }
}

const AGREEMENT: &str = "5f0c8e3b7a9d41c2e6f8a0b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c0d1";

/// A photo of the signed mediation agreement, listed as an attachment of the case.
fn attach(tx: &mut Transaction<'_>) -> Result<(), AutomergeError> {
    let Some((_, list)) = tx.get(ROOT, "attachments")? else { return Err(AutomergeError::Fail) };
    let at = tx.length(&list);
    let m = tx.insert_object(&list, at, ObjType::Map)?;
    tx.put(&m, "sha256", AGREEMENT)?;
    tx.put(&m, "mime", "image/jpeg")?;
    tx.put(&m, "size", 120_000i64)
}

/// (action, starting severity, starting status, the edit, outcomes for field staff, the
/// township (leader) and the county (administrator))
const CELLS: &[(&str, Severity, Status, Edit, Outcome, Outcome, Outcome)] = &[
    (
        "edit the title",
        Severity::Major,
        Status::Reported,
        |tx, _| tx.put(ROOT, "title", "新标题"),
        Ok,
        Ok,
        Ok,
    ),
    (
        "add a follow-up",
        Severity::Major,
        Status::Reported,
        |tx, by| write::add_timeline(tx, &entry(TimelineKind::Visit, by)),
        Ok,
        Ok,
        Ok,
    ),
    (
        "edit the description",
        Severity::Major,
        Status::Reported,
        |tx, _| write::edit_description(tx, 0, "补充："),
        Ok,
        Ok,
        Ok,
    ),
    (
        "raise severity",
        Severity::Major,
        Status::Reported,
        |tx, _| write::set_severity(tx, Severity::Urgent),
        Ok,
        Ok,
        Ok,
    ),
    (
        "lower severity",
        Severity::Major,
        Status::Reported,
        |tx, _| write::set_severity(tx, Severity::General),
        Refused(RejectCode::Forbidden),
        Ok,
        Ok,
    ),
    (
        "mark handling",
        Severity::Major,
        Status::Reported,
        |tx, by| moved(tx, Status::Handling, by),
        Ok,
        Ok,
        Ok,
    ),
    (
        "mark resolved",
        Severity::Major,
        Status::Handling,
        |tx, by| moved(tx, Status::Resolved, by),
        Ok,
        Ok,
        Ok,
    ),
    (
        "acknowledge",
        Severity::Major,
        Status::Reported,
        |tx, by| moved(tx, Status::Acknowledged, by),
        Refused(RejectCode::Forbidden),
        Ok,
        Ok,
    ),
    (
        "escalate",
        Severity::Major,
        Status::Reported,
        |tx, by| moved(tx, Status::Escalated, by),
        Refused(RejectCode::Forbidden),
        Ok,
        Ok,
    ),
    (
        "close with an outcome",
        Severity::Major,
        Status::Resolved,
        |tx, by| {
            write::transition(
                tx,
                &write::Move::new(Status::Closed, by, 1_795_000_100_000)
                    .closing(Settled::Mediated, "双方签订协议"),
            )
        },
        Refused(RejectCode::Forbidden),
        Ok,
        Ok,
    ),
    (
        "close without an outcome",
        Severity::Major,
        Status::Resolved,
        |tx, by| moved(tx, Status::Closed, by),
        Refused(RejectCode::Forbidden),
        Refused(RejectCode::Forbidden),
        Refused(RejectCode::Forbidden),
    ),
    (
        "reopen a closed case",
        Severity::Major,
        Status::Closed,
        |tx, by| moved(tx, Status::Handling, by),
        Refused(RejectCode::Forbidden),
        Ok,
        Ok,
    ),
    (
        "change status without its transition entry",
        Severity::Major,
        Status::Reported,
        |tx, _| write::set_status(tx, Status::Handling),
        Refused(RejectCode::Forbidden),
        Refused(RejectCode::Forbidden),
        Refused(RejectCode::Forbidden),
    ),
    (
        "record a transition in someone else's name",
        Severity::Major,
        Status::Reported,
        |tx, _| moved(tx, Status::Handling, "u_somebody_else"),
        Refused(RejectCode::Forbidden),
        Refused(RejectCode::Forbidden),
        Refused(RejectCode::Forbidden),
    ),
    (
        "rewrite an earlier transition",
        Severity::Major,
        Status::Acknowledged,
        |tx, _| {
            let Some((_, list)) = tx.get(ROOT, "transitions")? else { return Err(AutomergeError::Fail) };
            let Some((_, first)) = tx.get(&list, 0)? else { return Err(AutomergeError::Fail) };
            tx.put(&first, "at", ScalarValue::Timestamp(1))
        },
        Refused(RejectCode::Forbidden),
        Refused(RejectCode::Forbidden),
        Refused(RejectCode::Forbidden),
    ),
    (
        "change the outcome of an undisputed closure",
        Severity::Major,
        Status::Closed,
        |tx, _| write::confirm_closure(tx, Settled::Unfounded, "改为不属实"),
        Refused(RejectCode::Forbidden),
        Refused(RejectCode::Forbidden),
        Refused(RejectCode::Forbidden),
    ),
    (
        "write the resolution plan (not the handler)",
        Severity::Major,
        Status::Acknowledged,
        |tx, _| write::set_resolution_plan(tx, "一、核实补偿台账；二、组织双方调解。"),
        Refused(RejectCode::Forbidden),
        Ok,
        Ok,
    ),
    (
        "chase (催办)",
        Severity::Major,
        Status::Handling,
        |tx, by| write::add_timeline(tx, &entry(TimelineKind::Chase, by)),
        Refused(RejectCode::Forbidden),
        Refused(RejectCode::Forbidden),
        Ok,
    ),
    (
        "record a mediation with its agreement attached",
        Severity::Major,
        Status::Handling,
        |tx, by| {
            attach(tx)?;
            write::add_mediation(tx, &entry(TimelineKind::Mediation, by), AGREEMENT)
        },
        Ok,
        Ok,
        Ok,
    ),
    (
        "record a mediation naming an agreement the case does not hold",
        Severity::Major,
        Status::Handling,
        |tx, by| write::add_mediation(tx, &entry(TimelineKind::Mediation, by), AGREEMENT),
        Refused(RejectCode::Forbidden),
        Refused(RejectCode::Forbidden),
        Refused(RejectCode::Forbidden),
    ),
    (
        "name the responsible leader",
        Severity::Major,
        Status::Reported,
        |tx, _| tx.put(ROOT, "responsible_leader", "u_demo_leader"),
        Refused(RejectCode::Forbidden),
        Ok,
        Ok,
    ),
    (
        "name the handler",
        Severity::Major,
        Status::Reported,
        |tx, _| tx.put(ROOT, "handler", "u_demo_officer"),
        Refused(RejectCode::Forbidden),
        Ok,
        Ok,
    ),
    (
        "set the deadline",
        Severity::Major,
        Status::Reported,
        |tx, _| tx.put(ROOT, "deadline", ScalarValue::Timestamp(1_800_000_000_000)),
        Refused(RejectCode::Forbidden),
        Ok,
        Ok,
    ),
    (
        "move the case to another village",
        Severity::Major,
        Status::Reported,
        |tx, _| tx.put(ROOT, "village", CAOYUAN_VILLAGE),
        Refused(RejectCode::Schema),
        Refused(RejectCode::Schema),
        Refused(RejectCode::Schema),
    ),
];

/// The people of the table: two field roles and two leader roles, all covering 埔头村.
/// The column of each: 0 field staff, 1 the township, 2 the county.
async fn people(app: &TestApp) -> Vec<(&'static str, usize, SimDevice)> {
    let mut out = vec![
        ("village_officer", 0, app.device(OFFICER)),
        ("work_team", 0, app.enrol("team_p", "work_team", PUTOU).await),
        ("township_leader", 1, app.device(LEADER)),
        ("county_admin", 2, app.device(COUNTY)),
    ];
    for (_, _, d) in out.iter_mut() {
        d.login().await.unwrap();
    }
    out
}

on_both_backends!(
    every_role_gets_exactly_what_the_permission_table_says,
    outside_the_jurisdiction_everything_is_out_of_scope
);

async fn every_role_gets_exactly_what_the_permission_table_says(b: Backend) {
    let app = TestApp::spawn(b).await;
    let mut ppl = people(&app).await;
    // Set-up is done by other people's devices: a device never pulls back what it pushed itself.
    let mut county = app.enrol("setup_c", "county_admin", "350481").await;
    county.login().await.unwrap();
    let mut officer = app.enrol("setup_o", "village_officer", PUTOU).await;
    officer.login().await.unwrap();
    for (action, severity, status, edit, field, township, county_col) in CELLS {
        for (role, column, dev) in ppl.iter_mut() {
            // A fresh case in the state the action needs, set up by the officer and the county.
            let id = officer.create(&officer.new_case(PUTOU, *severity, &format!("{action}/{role}")));
            officer.sync().await.unwrap();
            if *status != Status::Reported {
                county.sync().await.unwrap();
                match status {
                    Status::Closed => county.close(id, Settled::Handled, "已处理"),
                    _ => county.set_status(id, *status),
                }
                county.sync().await.unwrap();
            }
            dev.sync().await.unwrap();
            let by = dev.user_id.clone();
            dev.edit(id, |tx| edit(tx, &by));
            dev.sync_once(false).await.unwrap();
            let want = [*field, *township, *county_col][*column];
            assert_eq!(dev.outcome(id), want, "{role} may {action}?");
        }
    }
    // Recording: everyone may record a case as found; only leaders may record it pre-assigned.
    for (role, column, dev) in ppl.iter_mut() {
        let is_leader = *column > 0;
        let plain = dev.create(&dev.new_case(PUTOU, Severity::Urgent, "新发现"));
        let assigned = dev.create(&dev.new_case(PUTOU, Severity::General, "新发现并指派"));
        dev.edit(assigned, |tx| tx.put(ROOT, "handler", "u_demo_officer"));
        dev.sync().await.unwrap();
        assert_eq!(dev.outcome(plain), Ok, "{role} may record a case");
        let want = if is_leader { Ok } else { Refused(RejectCode::Forbidden) };
        assert_eq!(dev.outcome(assigned), want, "{role} may record a case already assigned?");
    }
}

async fn outside_the_jurisdiction_everything_is_out_of_scope(b: Backend) {
    let app = TestApp::spawn(b).await;
    let mut officer = app.device(OFFICER);
    officer.login().await.unwrap();
    let id = officer.create(&officer.new_case(PUTOU, Severity::Major, "埔头村的案件"));
    officer.sync().await.unwrap();
    let mut outsiders = [
        app.enrol("ximen_o", "village_officer", XIMEN).await,
        app.enrol("gongchuan_l", "township_leader", "350481102").await,
    ];
    for dev in outsiders.iter_mut() {
        dev.login().await.unwrap();
        dev.sync().await.unwrap();
        assert!(!dev.docs.contains_key(&id), "nothing outside the jurisdiction is pulled");
        // Knowing the case (say, its id and bytes leaked), it still cannot be changed, and the
        // answers are those for a case that does not exist: first "send everything" (the server
        // admits to no heads), then the others' changes are not this device's to send.
        let known = officer.docs[&id].doc.clone();
        let heads = known.get_heads();
        dev.docs.insert(id, anlan_tests::device::Local { doc: known, acked: heads });
        dev.edit(id, |tx| write::set_severity(tx, Severity::Urgent));
        let first = dev.sync_once(false).await.unwrap().unwrap();
        let r = first.results.iter().find(|r| r.doc == id).unwrap();
        assert_eq!((r.status, r.heads.len()), (sync_protocol::wire::Status::NeedChanges, 0));
        dev.sync_once(false).await.unwrap();
        assert_eq!(dev.outcome(id), Refused(RejectCode::ForeignActor));
        let stored = app.case_json(OFFICER, id).await;
        assert_eq!(stored["severity"], "major", "the case is unchanged");
        // And recording a case in a village outside it is refused the same way.
        let elsewhere = dev.create(&dev.new_case(PUTOU, Severity::General, "越界上报"));
        dev.sync_once(false).await.unwrap();
        assert_eq!(dev.outcome(elsewhere), Refused(RejectCode::OutOfScope));
    }
}
