//! A guarded field holds what someone allowed to set it chose, whichever way the merge goes
//! (docs/permissions.md, "After a merge"). The officer's stale, padded change is the one that
//! reopened closed cases before: Automerge let her higher operation counter win.

use anlan_tests::*;
use automerge::transaction::{Transactable, Transaction};
use automerge::{AutomergeError, ChangeHash, ROOT, ReadDoc};
use sync_protocol::DocId;
use sync_protocol::case::{Outcome, Severity, Status, TimelineEntry, TimelineKind, write};

on_both_backends!(
    a_stale_padded_officer_change_cannot_reopen_a_closed_case,
    a_leader_who_syncs_after_a_stale_officer_still_decides,
);

/// The leader's three acts: acknowledge, raise to urgent, close with an outcome.
fn decide(leader: &mut SimDevice, id: DocId) {
    leader.set_status(id, Status::Acknowledged);
    leader.edit(id, |tx| write::set_severity(tx, Severity::Urgent));
    leader.close(id, Outcome::Mediated, "双方签订调解协议");
}

/// One change on the case as the officer's phone held it at `heads`: 3,000 operations inserting
/// and deleting characters of a long offline note, her own addition and visit, then status
/// handling and severity major (a raise from what she saw).
fn stale_padded_edit(officer: &mut SimDevice, id: DocId, heads: &[ChangeHash]) {
    let by = officer.user_id.clone();
    officer.edit_at(id, heads, |tx: &mut Transaction<'_>| {
        let Some((_, text)) = tx.get(ROOT, "description")? else { return Err(AutomergeError::Fail) };
        for _ in 0..1_500 {
            tx.splice_text(&text, 0, 0, "草")?;
            tx.splice_text(&text, 0, 1, "")?;
        }
        write::edit_description(tx, usize::MAX, "村民补充：界桩已被移动。")?;
        let visit = TimelineEntry {
            id: "officer-visit".into(),
            kind: TimelineKind::Visit,
            at: 1_795_000_200_000,
            by: by.clone(),
            text: "再次走访双方".into(),
        };
        write::add_timeline(tx, &visit)?;
        write::transition(tx, &write::Move::new(Status::Handling, &by, 1_795_000_200_000))?;
        write::set_severity(tx, Severity::Major)
    });
}

/// The leader's decision stands on the server and on both phones; the officer's note and visit
/// are kept; both phones hold the same document.
async fn assert_decided(app: &TestApp, officer: &SimDevice, leader: &SimDevice, id: DocId) {
    let server = app.case_json(LEADER, id).await;
    assert_eq!(
        (&server["status"], &server["severity"], &server["outcome"], &server["needs_confirmation"]),
        (&"closed".into(), &"urgent".into(), &"mediated".into(), &false.into()),
        "{server}"
    );
    assert!(server["description"].as_str().unwrap().ends_with("界桩已被移动。"), "her text is kept");
    assert!(server["timeline"].as_array().unwrap().iter().any(|e| e["id"] == "officer-visit"));
    let contested: Vec<&str> =
        server["conflicts"].as_array().unwrap().iter().filter_map(|c| c["field"].as_str()).collect();
    assert!(!contested.contains(&"status") && !contested.contains(&"severity"), "{contested:?}");
    assert_eq!(officer.heads(id), leader.heads(id), "both phones hold the same history");
    for phone in [officer, leader] {
        let c = phone.case(id);
        assert_eq!(
            (c.status, c.severity, c.work.outcome),
            (Status::Closed, Severity::Urgent, Some(Outcome::Mediated))
        );
        assert!(c.is_closed());
        // The server's change that settled it reached the phone through the feed.
        assert!(device::server_writes(&phone.docs[&id].doc, &["status", "severity"]) >= 1);
    }
}

async fn a_stale_padded_officer_change_cannot_reopen_a_closed_case(b: Backend) {
    let app = TestApp::spawn(b).await;
    let (mut officer, mut leader) = app.officer_and_leader().await;
    let id = officer.create(&officer.new_case(PUTOU, Severity::General, "宅基地边界纠纷"));
    let created = officer.heads(id);
    officer.sync().await.unwrap();
    leader.sync().await.unwrap();
    decide(&mut leader, id);
    leader.sync().await.unwrap();
    // Her phone still holds the case as she recorded it: the change depends on creation only.
    stale_padded_edit(&mut officer, id, &created);
    officer.sync().await.unwrap();
    assert_eq!(officer.outcome(id), device::Outcome::Ok, "her work is accepted, not refused");
    leader.sync().await.unwrap();
    assert_decided(&app, &officer, &leader, id).await;
}

async fn a_leader_who_syncs_after_a_stale_officer_still_decides(b: Backend) {
    let app = TestApp::spawn(b).await;
    let (mut officer, mut leader) = app.officer_and_leader().await;
    let id = officer.create(&officer.new_case(PUTOU, Severity::General, "山林权属纠纷"));
    officer.sync().await.unwrap();
    leader.sync().await.unwrap();
    // Both offline; the officer reaches the server first, then the leader.
    decide(&mut leader, id);
    let seen = officer.heads(id);
    stale_padded_edit(&mut officer, id, &seen);
    officer.sync().await.unwrap();
    let between = app.case_json(LEADER, id).await;
    assert_eq!((&between["status"], &between["severity"]), (&"handling".into(), &"major".into()));
    leader.sync().await.unwrap();
    assert_eq!(leader.outcome(id), device::Outcome::Ok);
    officer.sync().await.unwrap();
    assert_decided(&app, &officer, &leader, id).await;
}
