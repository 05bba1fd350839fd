//! The case's lifecycle over the real sync path: every transition attributed and timed in the
//! document, closure with an outcome, reopening, and two people closing one case differently
//! while offline — both outcomes shown until the responsible leader confirms one.

use anlan_tests::*;
use automerge::transaction::Transactable;
use automerge::{ROOT, ReadDoc};
use serde_json::{Value, json};
use sync_protocol::DocId;
use sync_protocol::calendar::beijing_day;
use sync_protocol::case::{Outcome, Severity, Status, TimelineEntry, TimelineKind, write};
use sync_protocol::rules::overdue::deadline_of_day;

const AGREEMENT: &str = "0a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f9";

async fn signed_in(app: &TestApp, token: &str) -> SimDevice {
    let mut d = app.device(token);
    d.login().await.unwrap();
    d
}

/// The leader names who is responsible and who handles the case (`None`: nobody responsible).
fn assign(dev: &mut SimDevice, id: DocId, leader: Option<&str>, handler: &str) {
    dev.edit(id, |tx| {
        tx.put(ROOT, "responsible_leader", leader.map_or(automerge::ScalarValue::Null, Into::into))?;
        tx.put(ROOT, "handler", handler)
    });
}

fn moves(case: &Value) -> Vec<(String, String, String)> {
    case["transitions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| {
            (
                t["from"].as_str().unwrap().into(),
                t["to"].as_str().unwrap().into(),
                t["by"].as_str().unwrap().into(),
            )
        })
        .collect()
}

fn refusal(dev: &SimDevice, id: DocId) -> String {
    dev.rejected.get(&id).map(|r| format!("{:?}: {}", r.code, r.message)).unwrap_or_default()
}

on_both_backends!(
    a_township_leader_takes_a_case_from_report_to_closure,
    two_offline_closures_with_different_outcomes_wait_for_the_responsible_leader,
    without_a_responsible_leader_the_township_or_above_confirms
);

async fn a_township_leader_takes_a_case_from_report_to_closure(b: Backend) {
    let app = TestApp::spawn(b).await;
    let (mut officer, mut leader) = (signed_in(&app, OFFICER).await, signed_in(&app, LEADER).await);
    let id = officer.create(&officer.new_case(PUTOU, Severity::Major, "移民补偿款纠纷"));
    officer.sync().await.unwrap();

    leader.sync().await.unwrap();
    leader.set_status(id, Status::Acknowledged);
    assign(&mut leader, id, Some("u_demo_leader"), "u_demo_officer");
    leader.sync().await.unwrap();

    // The handler (field staff) works the case: plan, mediation with its signed agreement, resolved.
    officer.sync().await.unwrap();
    officer.set_status(id, Status::Handling);
    officer.edit(id, |tx| write::set_resolution_plan(tx, "一、核对补偿台账；二、组织双方调解。"));
    let by = officer.user_id.clone();
    officer.edit(id, |tx| {
        let list = tx.get(ROOT, "attachments")?.unwrap().1;
        let m = tx.insert_object(&list, 0, automerge::ObjType::Map)?;
        tx.put(&m, "sha256", AGREEMENT)?;
        tx.put(&m, "mime", "application/pdf")?;
        tx.put(&m, "size", 52_000i64)?;
        let e = TimelineEntry {
            id: "m1".into(),
            kind: TimelineKind::Mediation,
            at: 2,
            by,
            text: "调解成功".into(),
        };
        write::add_mediation(tx, &e, AGREEMENT)
    });
    officer.set_status(id, Status::Resolved);
    officer.sync().await.unwrap();
    assert_eq!(refusal(&officer, id), "", "the handler may do all of this");

    leader.sync().await.unwrap();
    leader.close(id, Outcome::Mediated, "双方签订调解协议，款项已发放");
    leader.sync().await.unwrap();
    let case = app.case_json(LEADER, id).await;
    assert_eq!((case["status"].as_str(), case["outcome"].as_str()), (Some("closed"), Some("mediated")));
    assert_eq!(case["closing_note"], "双方签订调解协议，款项已发放");
    assert_eq!(case["resolution_plan"], "一、核对补偿台账；二、组织双方调解。");
    assert_eq!(case["agreements"], json!([{ "entry": "m1", "sha256": AGREEMENT }]));
    assert_eq!(case["needs_confirmation"], false);
    let (l, o) = ("u_demo_leader".to_string(), "u_demo_officer".to_string());
    let step = |f: &str, t: &str, by: &String| (f.to_string(), t.to_string(), by.clone());
    assert_eq!(
        moves(&case),
        vec![
            step("reported", "acknowledged", &l),
            step("acknowledged", "handling", &o),
            step("handling", "resolved", &o),
            step("resolved", "closed", &l),
        ]
    );
    assert_eq!(case["transitions"][3]["outcome"], "mediated");
    assert!(
        case["transitions"].as_array().unwrap().iter().all(|t| t["at"].as_i64().unwrap() > 1_700_000_000_000)
    );

    // Field staff cannot reopen; the township can, and the outcome goes with the reopening.
    officer.sync().await.unwrap();
    officer.set_status(id, Status::Handling);
    officer.sync().await.unwrap();
    assert!(refusal(&officer, id).starts_with("Forbidden: status"), "{}", refusal(&officer, id));
    leader.set_status(id, Status::Handling);
    leader.sync().await.unwrap();
    let case = app.case_json(LEADER, id).await;
    assert_eq!((case["status"].as_str(), case["outcome"].as_str()), (Some("handling"), None));
    assert_eq!(moves(&case).last().unwrap(), &step("closed", "handling", &l));
}

/// Two people close `id` offline, each with their own outcome, then both sync.
async fn close_concurrently(a: &mut SimDevice, b: &mut SimDevice, id: DocId) {
    a.close(id, Outcome::Mediated, "已达成调解协议");
    b.close(id, Outcome::Unfounded, "经核查反映不属实");
    a.sync().await.unwrap();
    b.sync().await.unwrap();
    a.sync().await.unwrap();
    assert_eq!((refusal(a, id), refusal(b, id)), (String::new(), String::new()), "both closures are kept");
}

async fn two_offline_closures_with_different_outcomes_wait_for_the_responsible_leader(b: Backend) {
    let app = TestApp::spawn(b).await;
    let (mut officer, mut leader) = (signed_in(&app, OFFICER).await, signed_in(&app, LEADER).await);
    let mut county = signed_in(&app, COUNTY).await;
    let id = officer.create(&officer.new_case(PUTOU, Severity::Major, "山林权属纠纷"));
    officer.sync().await.unwrap();
    leader.sync().await.unwrap();
    assign(&mut leader, id, Some("u_demo_leader"), "u_demo_officer");
    leader.set_status(id, Status::Resolved);
    leader.sync().await.unwrap();
    county.sync().await.unwrap();
    close_concurrently(&mut leader, &mut county, id).await;

    let case = app.case_json(COUNTY, id).await;
    assert_eq!(case["needs_confirmation"], true);
    let outcome = case["conflicts"].as_array().unwrap().iter().find(|c| c["field"] == "outcome").cloned();
    assert_eq!(outcome.unwrap()["values"], json!(["mediated", "unfounded"]));
    assert_eq!(moves(&case).iter().filter(|m| m.1 == "closed").count(), 2, "both closures are on record");
    assert!(leader.case(id).work.needs_confirmation, "the phones see the same");

    // Not closed yet: a deadline that has passed makes it overdue.
    let now = anlan_server::store::now_ms();
    let overdue = |c: Vec<String>| c.iter().filter(|c| c.starts_with(&format!("overdue:{id}"))).count();
    leader.edit(id, |tx| tx.put(ROOT, "deadline", automerge::ScalarValue::Timestamp(now - 3 * 86_400_000)));
    leader.sync().await.unwrap();
    app.store.remind_deadlines_at(now).await.unwrap();
    assert_eq!(overdue(app.store.outbox_causes().await.unwrap()), 1);

    // The county administrator is not the responsible leader: refused.
    county.edit(id, |tx| write::confirm_closure(tx, Outcome::Unfounded, "经核查反映不属实"));
    county.sync().await.unwrap();
    assert!(refusal(&county, id).contains("responsible leader"), "{}", refusal(&county, id));

    leader.edit(id, |tx| write::confirm_closure(tx, Outcome::Mediated, "已达成调解协议"));
    leader.sync().await.unwrap();
    assert_eq!(refusal(&leader, id), "");
    let case = app.case_json(COUNTY, id).await;
    assert_eq!(
        (case["needs_confirmation"].as_bool(), case["outcome"].as_str()),
        (Some(false), Some("mediated"))
    );
    assert!(case["conflicts"].as_array().unwrap().is_empty(), "{}", case["conflicts"]);

    // Closed now: another past deadline reminds nobody.
    let day = deadline_of_day(beijing_day(now) - 6);
    leader.edit(id, |tx| tx.put(ROOT, "deadline", automerge::ScalarValue::Timestamp(day)));
    leader.sync().await.unwrap();
    app.store.remind_deadlines_at(now).await.unwrap();
    assert_eq!(overdue(app.store.outbox_causes().await.unwrap()), 1);
}

async fn without_a_responsible_leader_the_township_or_above_confirms(b: Backend) {
    let app = TestApp::spawn(b).await;
    let (mut officer, mut leader) = (signed_in(&app, OFFICER).await, signed_in(&app, LEADER).await);
    let mut county = signed_in(&app, COUNTY).await;
    let id = officer.create(&officer.new_case(PUTOU, Severity::General, "邻里排水纠纷"));
    officer.sync().await.unwrap();
    leader.sync().await.unwrap();
    assign(&mut leader, id, None, "u_demo_officer");
    leader.sync().await.unwrap();
    county.sync().await.unwrap();
    close_concurrently(&mut leader, &mut county, id).await;
    officer.sync().await.unwrap();
    assert!(officer.case(id).work.needs_confirmation);
    officer.edit(id, |tx| write::confirm_closure(tx, Outcome::Mediated, "已达成调解协议"));
    officer.sync().await.unwrap();
    assert!(
        refusal(&officer, id).contains("outcome"),
        "field staff do not confirm: {}",
        refusal(&officer, id)
    );
    county.sync().await.unwrap();
    county.edit(id, |tx| write::confirm_closure(tx, Outcome::Unfounded, "经核查反映不属实"));
    county.sync().await.unwrap();
    assert_eq!(refusal(&county, id), "");
    let case = app.case_json(LEADER, id).await;
    assert_eq!(
        (case["needs_confirmation"].as_bool(), case["outcome"].as_str()),
        (Some(false), Some("unfounded"))
    );
}
