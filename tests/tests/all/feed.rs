//! The pull feed is complete for every client (PROTOCOL.md §3, §10): whatever the paging, a
//! pull from 0 — a wiped phone, a second session on the same token, a document a move brought
//! back — delivers every change of every document in scope, so no document arrives without its
//! history. Pages are made small so each pull takes several.

use std::collections::BTreeMap;

use anlan_tests::*;
use automerge::{ChangeHash, ReadDoc};
use sync_protocol::DocId;
use sync_protocol::case::{Severity, TimelineEntry, TimelineKind, write};

on_both_backends!(
    a_pull_from_zero_delivers_every_change_of_every_case_across_pages,
    two_sessions_on_one_token_each_receive_what_the_other_recorded,
    cases_a_move_brings_back_arrive_with_their_whole_history,
    a_scope_with_more_changes_than_one_read_takes_arrives_whole,
);

/// A few cases' worth of feed per page.
const PAGE: usize = 2_048;

async fn spawn(b: Backend) -> TestApp {
    TestApp::spawn_with(TestDb::new(b).await, |c| c.page_bytes = PAGE).await
}

fn note(by: &str, i: usize) -> TimelineEntry {
    TimelineEntry {
        id: format!("n{i}"),
        kind: TimelineKind::Note,
        at: 1_795_000_100_000 + i as i64,
        by: by.into(),
        text: format!("第{i}次回访：当事人情绪稳定，继续跟进。"),
    }
}

/// `n` cases in `village`, each with two follow-ups, delivered; returns their ids.
async fn record(dev: &mut SimDevice, village: &str, n: usize) -> Vec<DocId> {
    let by = dev.user_id.clone();
    let ids: Vec<DocId> = (0..n)
        .map(|i| dev.create(&dev.new_case(village, Severity::General, &format!("山林权属纠纷{i}"))))
        .collect();
    for (i, id) in ids.iter().enumerate() {
        dev.edit(*id, |tx| write::add_timeline(tx, &note(&by, 2 * i)));
        dev.edit(*id, |tx| write::add_timeline(tx, &note(&by, 2 * i + 1)));
    }
    dev.sync().await.unwrap();
    assert!(dev.rejected.is_empty(), "{:?}", dev.rejected);
    ids
}

fn heads(dev: &SimDevice, ids: &[DocId]) -> BTreeMap<DocId, Vec<ChangeHash>> {
    ids.iter().map(|id| (*id, dev.heads(*id))).collect()
}

/// Every document in `want` is on `dev` with exactly those heads, nothing missing beneath them.
fn complete(dev: &SimDevice, want: &BTreeMap<DocId, Vec<ChangeHash>>) {
    for (id, heads) in want {
        let local = dev.docs.get(id).unwrap_or_else(|| panic!("{id} never arrived"));
        assert!(local.doc.get_missing_deps(&[]).is_empty(), "{id} arrived without its history");
        assert_eq!(&dev.heads(*id), heads, "{id} is not whole");
        assert!(dev.case(*id).case_no.is_some(), "{id} reads as a case with its number");
    }
}

async fn a_pull_from_zero_delivers_every_change_of_every_case_across_pages(b: Backend) {
    let app = spawn(b).await;
    let mut officer = app.device(OFFICER);
    officer.login().await.unwrap();
    let ids = record(&mut officer, PUTOU, 6).await;
    let mut leader = app.device(LEADER);
    leader.login().await.unwrap();
    leader.sync().await.unwrap();
    leader.set_status(ids[0], sync_protocol::case::Status::Acknowledged);
    leader.sync().await.unwrap();
    officer.sync().await.unwrap();
    let want = heads(&officer, &ids);

    // The same phone wiped (or a new install on the same token): cursor 0, many pages.
    let mut wiped = app.device(OFFICER);
    wiped.login().await.unwrap();
    wiped.sync().await.unwrap();
    assert!(wiped.round_trips >= 4, "the pull took {} pages", wiped.round_trips);
    complete(&wiped, &want);
}

async fn two_sessions_on_one_token_each_receive_what_the_other_recorded(b: Backend) {
    let app = spawn(b).await;
    let mut a = app.device(OFFICER);
    let mut b2 = app.device(OFFICER);
    for d in [&mut a, &mut b2] {
        d.login().await.unwrap();
        d.sync().await.unwrap();
    }
    let from_a = record(&mut a, PUTOU, 3).await;
    let from_b = record(&mut b2, PUTOU, 3).await;
    a.sync().await.unwrap();
    b2.sync().await.unwrap();
    complete(&b2, &heads(&a, &from_a));
    complete(&a, &heads(&b2, &from_b));
}

async fn cases_a_move_brings_back_arrive_with_their_whole_history(b: Backend) {
    let app = spawn(b).await;
    let mut mover = app.enrol("mover", "village_officer", PUTOU).await;
    mover.login().await.unwrap();
    let ids = record(&mut mover, PUTOU, 5).await;
    mover.sync().await.unwrap();
    let want = heads(&mover, &ids);
    let moved = |unit: &'static str| {
        let store = app.store.clone();
        async move { store.move_user("mover", unit).await.unwrap() }
    };

    moved(XIMEN).await;
    mover.sync().await.unwrap();
    assert!(ids.iter().all(|id| !mover.docs.contains_key(id)), "dropped after the move");
    moved(PUTOU).await;
    let before = mover.round_trips;
    mover.sync().await.unwrap();
    assert!(mover.round_trips - before >= 3, "the re-covered cases took several pages");
    complete(&mover, &want);
}

/// More changes after the cursor than the server reads for one page (2,000), in pages cut by
/// that count rather than by bytes: each page must start where the last one was complete.
async fn a_scope_with_more_changes_than_one_read_takes_arrives_whole(b: Backend) {
    let app = TestApp::spawn_with(TestDb::new(b).await, |c| c.page_bytes = 64 << 20).await;
    let mut officer = app.device(OFFICER);
    officer.login().await.unwrap();
    // Four changes a case: its report, two follow-ups, the server's number.
    let ids = record(&mut officer, PUTOU, 560).await;
    officer.sync().await.unwrap();
    let want = heads(&officer, &ids);

    let mut leader = app.device(LEADER);
    leader.login().await.unwrap();
    leader.sync().await.unwrap();
    complete(&leader, &want);
    assert!(leader.round_trips >= 2, "2,240 changes came in {} pages", leader.round_trips);
}
