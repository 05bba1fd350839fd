//! Changes with a valid checksum and crafted contents, found by the fuzz target (`cargo run -p
//! anlan-tests --bin fuzz -- --save DIR`): in `tests/fixtures/panicking-changes/` those that
//! make Automerge 0.12 panic, in `tests/fixtures/reencoding-changes/` those it takes but would
//! encode to another hash (its debug builds panicked on them, its release builds stored them,
//! and the saved document no longer loaded). Pushed in a batch, such a document is
//! `rejected/bad_change` and the rest of the batch is stored; the server keeps serving.

use std::path::PathBuf;

use anlan_tests::db::BOTH;
use anlan_tests::fuzz::{self, Corpus, FuzzCase, Outcome};
use anlan_tests::{Backend, OFFICER, TestApp};
use automerge::ActorId;
use serde_bytes::ByteBuf;
use sync_protocol::case::Severity;
use sync_protocol::wire::{self, PushDoc, RejectCode, Status, SyncRequest, SyncResponse};
use sync_protocol::{ActorPrefix, DocId};

const PANICKING: &str = "panicking-changes";
const REENCODING: &str = "reencoding-changes";

fn fixtures(folder: &str) -> Vec<(String, FuzzCase)> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fixtures").join(folder);
    let mut out: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .map(|p| {
            (
                p.file_name().unwrap().to_string_lossy().into_owned(),
                fuzz::load_case(&std::fs::read(&p).unwrap()).unwrap(),
            )
        })
        .collect();
    out.sort_by(|a, b| a.0.cmp(&b.0));
    assert!(out.len() >= 2, "the fixtures are missing from {}", dir.display());
    out
}

/// The fixture as the device with `actor` sends it.
fn as_device(case: &FuzzCase, actor: &ActorId) -> (Corpus, FuzzCase) {
    let from = Corpus::new(fuzz::fuzz_actor(), fuzz::FUZZ_REPORTER);
    let to = Corpus::new(actor.clone(), fuzz::FUZZ_REPORTER);
    let case = fuzz::rebase(case, &from, &to, actor).expect("the fixture's header names an actor");
    (to, case)
}

#[test]
fn every_fixture_makes_automerge_panic_where_the_merge_decodes_or_applies_it() {
    let calm = outcomes(PANICKING, |o| matches!(o, Outcome::Contained(_)));
    assert!(calm.is_empty(), "no longer make Automerge panic: {calm:#?}");
}

#[test]
fn every_reencoding_fixture_is_refused_before_it_could_be_stored() {
    let other = outcomes(REENCODING, |o| matches!(o, Outcome::Reencoded));
    assert!(other.is_empty(), "no longer encode to another hash: {other:#?}");
}

/// The fixtures of `folder` whose outcome is not `expected`, with it.
fn outcomes(folder: &str, expected: impl Fn(&Outcome) -> bool) -> Vec<String> {
    let actor = ActorPrefix([0x42; 8]).new_actor();
    fixtures(folder)
        .into_iter()
        .filter_map(|(name, case)| {
            let (corpus, case) = as_device(&case, &actor);
            let outcome = fuzz::judge(&corpus, &case);
            (!expected(&outcome)).then(|| format!("{name}: {outcome:?}"))
        })
        .collect()
}

async fn push(app: &TestApp, push: Vec<PushDoc>) -> SyncResponse {
    let mut device = app.device(OFFICER);
    let req = SyncRequest { v: wire::PROTOCOL_VERSION, push, ..Default::default() };
    let res = device.post(wire::encode(&req)).await.expect("the server answers, never drops the connection");
    assert_eq!(res.status(), 200, "a crafted change is never a 5xx");
    wire::decode(&res.bytes().await.unwrap()).unwrap()
}

fn bytes(changes: &[Vec<u8>]) -> Vec<ByteBuf> {
    changes.iter().cloned().map(ByteBuf::from).collect()
}

async fn a_batch_holding_a_panicking_change_rejects_that_document_alone(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let mut officer = app.device(OFFICER);
    officer.login().await.unwrap();
    let actor = officer.prefix.unwrap().new_actor();
    let all = [PANICKING, REENCODING].map(|f| fixtures(f).into_iter().map(move |(n, c)| (f, n, c)));
    for (folder, name, fixture) in all.into_iter().flatten() {
        let (corpus, case) = as_device(&fixture, &actor);
        // An edit is judged against the stored case it was made on.
        let target = DocId::random();
        let mut stored_heads = vec![];
        if case.on_created {
            let res = push(&app, vec![PushDoc { doc: target, changes: bytes(&corpus.changes[..1]) }]).await;
            assert_eq!(res.results[0].status, Status::Ok, "{name}: {:?}", res.results[0]);
            stored_heads = res.results[0].heads.clone();
        }
        let valid =
            officer.create(&officer.new_case(anlan_tests::PUTOU, Severity::General, "同批次的正常案件"));
        let valid_changes = officer.docs[&valid]
            .doc
            .get_changes(&[])
            .iter()
            .map(|c| c.raw_bytes().to_vec())
            .collect::<Vec<_>>();
        let res = push(
            &app,
            vec![
                PushDoc { doc: target, changes: bytes(&case.changes) },
                PushDoc { doc: valid, changes: bytes(&valid_changes) },
            ],
        )
        .await;
        let crafted = &res.results[0];
        assert_eq!(crafted.status, Status::Rejected, "{name}: {crafted:?}");
        let reason = crafted.reason.as_ref().unwrap();
        assert_eq!(reason.code, RejectCode::BadChange, "{name}: {crafted:?}");
        if folder == REENCODING {
            assert!(reason.message.contains("does not encode to its own hash"), "{name}: {reason:?}");
        }
        assert_eq!(crafted.heads, stored_heads, "{name}: the stored document is unchanged");
        assert_eq!(res.results[1].status, Status::Ok, "{name}: the other document is stored");
        let stored = app.case_json(OFFICER, valid).await;
        assert_eq!(stored["title"], "同批次的正常案件", "{name}: {stored}");
    }
    // The documents that panicked are read from storage again, intact.
    let mut reader = app.device(OFFICER);
    reader.login().await.unwrap();
    reader.sync().await.unwrap();
}

#[tokio::test]
async fn a_batch_holding_a_panicking_change_rejects_that_document_alone_on_both_databases() {
    for backend in BOTH {
        a_batch_holding_a_panicking_change_rejects_that_document_alone(backend).await;
    }
}
