//! Every cell of docs/permissions.md, over the real sync path: each role × action, inside the
//! jurisdiction, with the exact outcome; and outside it, where everything is out of scope.

use anlan_tests::*;
use automerge::transaction::{Transactable, Transaction};
use automerge::{AutomergeError, ROOT, ScalarValue};
use sync_protocol::DocId;
use sync_protocol::case::{Severity, Status, TimelineEntry, TimelineKind, write};
use sync_protocol::wire::RejectCode;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Outcome {
    Ok,
    Refused(RejectCode),
}
use Outcome::*;

type Edit = fn(&mut Transaction<'_>) -> Result<(), AutomergeError>;

/// (action, starting severity, starting status, the edit, field staff's outcome, leaders' outcome)
const CELLS: &[(&str, Severity, Status, Edit, Outcome, Outcome)] = &[
    ("edit the title", Severity::Major, Status::Reported, |tx| tx.put(ROOT, "title", "新标题"), Ok, Ok),
    (
        "add a follow-up",
        Severity::Major,
        Status::Reported,
        |tx| {
            write::add_timeline(
                tx,
                &TimelineEntry {
                    id: "t".into(),
                    kind: TimelineKind::Visit,
                    at: 1,
                    by: "x".into(),
                    text: "走访".into(),
                },
            )
        },
        Ok,
        Ok,
    ),
    (
        "edit the description",
        Severity::Major,
        Status::Reported,
        |tx| write::edit_description(tx, 0, "补充："),
        Ok,
        Ok,
    ),
    (
        "raise severity",
        Severity::Major,
        Status::Reported,
        |tx| write::set_severity(tx, Severity::Urgent),
        Ok,
        Ok,
    ),
    (
        "lower severity",
        Severity::Major,
        Status::Reported,
        |tx| write::set_severity(tx, Severity::General),
        Refused(RejectCode::Forbidden),
        Ok,
    ),
    (
        "mark handling",
        Severity::Major,
        Status::Reported,
        |tx| write::set_status(tx, Status::Handling),
        Ok,
        Ok,
    ),
    (
        "mark resolved",
        Severity::Major,
        Status::Handling,
        |tx| write::set_status(tx, Status::Resolved),
        Ok,
        Ok,
    ),
    (
        "acknowledge",
        Severity::Major,
        Status::Reported,
        |tx| write::set_status(tx, Status::Acknowledged),
        Refused(RejectCode::Forbidden),
        Ok,
    ),
    (
        "escalate",
        Severity::Major,
        Status::Reported,
        |tx| write::set_status(tx, Status::Escalated),
        Refused(RejectCode::Forbidden),
        Ok,
    ),
    (
        "close",
        Severity::Major,
        Status::Resolved,
        |tx| write::set_status(tx, Status::Closed),
        Refused(RejectCode::Forbidden),
        Ok,
    ),
    (
        "reopen a closed case",
        Severity::Major,
        Status::Closed,
        |tx| write::set_status(tx, Status::Handling),
        Refused(RejectCode::Forbidden),
        Ok,
    ),
    (
        "name the responsible leader",
        Severity::Major,
        Status::Reported,
        |tx| tx.put(ROOT, "responsible_leader", "u_demo_leader"),
        Refused(RejectCode::Forbidden),
        Ok,
    ),
    (
        "name the handler",
        Severity::Major,
        Status::Reported,
        |tx| tx.put(ROOT, "handler", "u_demo_officer"),
        Refused(RejectCode::Forbidden),
        Ok,
    ),
    (
        "set the deadline",
        Severity::Major,
        Status::Reported,
        |tx| tx.put(ROOT, "deadline", ScalarValue::Timestamp(1_800_000_000_000)),
        Refused(RejectCode::Forbidden),
        Ok,
    ),
    (
        "move the case to another village",
        Severity::Major,
        Status::Reported,
        |tx| tx.put(ROOT, "village", CAOYUAN_VILLAGE),
        Refused(RejectCode::Schema),
        Refused(RejectCode::Schema),
    ),
];

/// The people of the table: two field roles and two leader roles, all covering 埔头村.
async fn people(app: &TestApp) -> Vec<(&'static str, bool, SimDevice)> {
    let mut out = vec![
        ("village_officer", false, app.device(OFFICER)),
        ("work_team", false, app.enrol("team_p", "work_team", PUTOU).await),
        ("township_leader", true, app.device(LEADER)),
        ("county_admin", true, app.device(COUNTY)),
    ];
    for (_, _, d) in out.iter_mut() {
        d.login().await.unwrap();
    }
    out
}

fn outcome(d: &SimDevice, id: DocId) -> Outcome {
    match d.rejected.get(&id) {
        Some(r) => Refused(r.code),
        None => {
            let local = &d.docs[&id];
            assert_eq!(local.doc.get_heads(), local.acked, "an accepted edit is acknowledged");
            Ok
        }
    }
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
    for (action, severity, status, edit, field, leader) in CELLS {
        for (role, is_leader, dev) in ppl.iter_mut() {
            // A fresh case in the state the action needs, set up by the officer and the county.
            let id = officer.create(&officer.new_case(PUTOU, *severity, &format!("{action}/{role}")));
            officer.sync().await.unwrap();
            if *status != Status::Reported {
                county.sync().await.unwrap();
                county.edit(id, |tx| write::set_status(tx, *status));
                county.sync().await.unwrap();
            }
            dev.sync().await.unwrap();
            dev.edit(id, *edit);
            dev.sync_once(false).await.unwrap();
            let want = if *is_leader { *leader } else { *field };
            assert_eq!(outcome(dev, id), want, "{role} may {action}?");
        }
    }
    // Recording: everyone may record a case as found; only leaders may record it pre-assigned.
    for (role, is_leader, dev) in ppl.iter_mut() {
        let plain = dev.create(&dev.new_case(PUTOU, Severity::Urgent, "新发现"));
        let assigned = dev.create(&dev.new_case(PUTOU, Severity::General, "新发现并指派"));
        dev.edit(assigned, |tx| tx.put(ROOT, "handler", "u_demo_officer"));
        dev.sync().await.unwrap();
        assert_eq!(outcome(dev, plain), Ok, "{role} may record a case");
        let want = if *is_leader { Ok } else { Refused(RejectCode::Forbidden) };
        assert_eq!(outcome(dev, assigned), want, "{role} may record a case already assigned?");
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
        assert_eq!(outcome(dev, id), Refused(RejectCode::ForeignActor));
        let stored = app.case_json(OFFICER, id).await;
        assert_eq!(stored["severity"], "major", "the case is unchanged");
        // And recording a case in a village outside it is refused the same way.
        let elsewhere = dev.create(&dev.new_case(PUTOU, Severity::General, "越界上报"));
        dev.sync_once(false).await.unwrap();
        assert_eq!(outcome(dev, elsewhere), Refused(RejectCode::OutOfScope));
    }
}
