//! A merge never makes valid work undeliverable: two edits each within a product limit may
//! exceed it together, and both are accepted, the case flagged as over the limit for both
//! sides to shorten. What one person alone takes over the limit is still refused.

use anlan_tests::*;
use automerge::transaction::Transactable;
use automerge::{ObjType, ROOT, ReadDoc};
use sync_protocol::DocId;
use sync_protocol::case::{OverLimit, Party, Severity, Status, write};
use sync_protocol::wire::RejectCode;

on_both_backends!(
    two_additions_within_the_text_limit_are_both_delivered_and_flagged,
    two_additions_within_a_list_limit_are_both_delivered_and_flagged,
    what_one_person_alone_takes_over_a_limit_is_refused,
);

/// A case the officer recorded and both phones hold.
async fn shared_case(
    officer: &mut SimDevice,
    leader: &mut SimDevice,
    description: &str,
    parties: usize,
) -> DocId {
    let mut c = officer.new_case(PUTOU, Severity::Major, "征地补偿纠纷");
    c.description = description.into();
    c.parties = (0..parties).map(|i| Party { name: format!("当事人{i}"), phone: None, note: None }).collect();
    let id = officer.create(&c);
    officer.sync().await.unwrap();
    leader.sync().await.unwrap();
    id
}

/// The officer syncs first, then the leader, whose later acknowledgement must arrive too.
async fn both_deliver(app: &TestApp, officer: &mut SimDevice, leader: &mut SimDevice, id: DocId) {
    officer.sync().await.unwrap();
    assert_eq!(officer.outcome(id), device::Outcome::Ok);
    leader.sync().await.unwrap();
    assert_eq!(leader.outcome(id), device::Outcome::Ok, "{:?}", leader.rejected.get(&id));
    leader.set_status(id, Status::Acknowledged);
    leader.sync().await.unwrap();
    officer.sync().await.unwrap();
    let server = app.case_json(LEADER, id).await;
    assert_eq!(server["status"], "acknowledged", "the leader's later work reached the server");
}

fn flagged(app_json: &serde_json::Value, want: &OverLimit) {
    assert_eq!(app_json["over_limits"], serde_json::json!([want]), "{}", app_json["over_limits"]);
}

async fn two_additions_within_the_text_limit_are_both_delivered_and_flagged(b: Backend) {
    let app = TestApp::spawn(b).await;
    let (mut officer, mut leader) = app.officer_and_leader().await;
    let id = shared_case(&mut officer, &mut leader, &"原".repeat(2_000), 1).await;
    // Offline, each makes it 4,000 characters: within the 5,000 a person may write.
    officer.edit(id, |tx| write::edit_description(tx, usize::MAX, &"补".repeat(2_000)));
    leader.edit(id, |tx| write::edit_description(tx, 0, &"批".repeat(2_000)));
    both_deliver(&app, &mut officer, &mut leader, id).await;
    let want = OverLimit { field: "description".into(), count: 6_000, limit: 5_000 };
    flagged(&app.case_json(LEADER, id).await, &want);
    for phone in [&officer, &leader] {
        let c = phone.case(id);
        assert_eq!((c.description.chars().count(), c.over_limits.clone()), (6_000, vec![want.clone()]));
    }
    // Shortening it is an ordinary edit, and the flag goes.
    officer.edit(id, |tx| {
        let Some((_, text)) = tx.get(ROOT, "description")? else {
            return Err(automerge::AutomergeError::Fail);
        };
        tx.splice_text(&text, 0, 1_500, "")
    });
    officer.sync().await.unwrap();
    assert_eq!(officer.outcome(id), device::Outcome::Ok);
    assert_eq!(app.case_json(LEADER, id).await["over_limits"], serde_json::json!([]));
}

async fn two_additions_within_a_list_limit_are_both_delivered_and_flagged(b: Backend) {
    let app = TestApp::spawn(b).await;
    let (mut officer, mut leader) = app.officer_and_leader().await;
    let id = shared_case(&mut officer, &mut leader, "多户补偿款未发放。", 30).await;
    // Each lists 15 more people: 45 apiece, within the 50 allowed; 60 merged.
    for (phone, who) in [(&mut officer, "村民"), (&mut leader, "住户")] {
        phone.edit(id, |tx| {
            let Some((_, list)) = tx.get(ROOT, "parties")? else {
                return Err(automerge::AutomergeError::Fail);
            };
            for i in 0..15 {
                let at = tx.length(&list);
                let p = tx.insert_object(&list, at, ObjType::Map)?;
                tx.put(&p, "name", format!("{who}{i}"))?;
            }
            Ok(())
        });
    }
    both_deliver(&app, &mut officer, &mut leader, id).await;
    let want = OverLimit { field: "parties".into(), count: 60, limit: 50 };
    flagged(&app.case_json(LEADER, id).await, &want);
    assert_eq!(officer.case(id).over_limits, vec![want.clone()]);
    assert_eq!(leader.case(id), officer.case(id));
}

async fn what_one_person_alone_takes_over_a_limit_is_refused(b: Backend) {
    let app = TestApp::spawn(b).await;
    let (mut officer, mut leader) = app.officer_and_leader().await;
    let id = shared_case(&mut officer, &mut leader, &"原".repeat(2_000), 1).await;
    officer.edit(id, |tx| write::edit_description(tx, usize::MAX, &"补".repeat(3_001)));
    officer.sync().await.unwrap();
    assert_eq!(officer.outcome(id), device::Outcome::Refused(RejectCode::Schema));
    assert!(officer.rejected[&id].message.starts_with("description: 5001 characters, at most 5000"));
    // And a new case over the limit is all its author's own.
    let mut c = leader.new_case(PUTOU, Severity::General, "超长记录");
    c.description = "长".repeat(5_001);
    let long = leader.create(&c);
    leader.sync().await.unwrap();
    assert_eq!(leader.outcome(long), device::Outcome::Refused(RejectCode::Schema));
}
