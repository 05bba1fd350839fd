use automerge::{AutoCommit, ROOT, ReadDoc, ScalarValue, transaction::Transactable};

use super::write::*;
use super::*;
use crate::calendar::DAY_MS;
use crate::rules::petition::Stage;

const T0: i64 = 1_780_000_000_000;

fn new_doc() -> AutoCommit {
    let mut doc = AutoCommit::new();
    NewPetition {
        village: "350481101201".into(),
        source: Source::ReceptionDay,
        petitioner: Petitioner { name: "王大伯".into(), phone: Some("139 0000 1234".into()), id_no: None },
        request: "要求补发后期扶持资金".into(),
        received_at: T0,
        recorded_by: "u_staff".into(),
    }
    .write(&mut doc)
    .unwrap();
    doc
}

#[test]
fn a_new_petition_reads_back_awaiting_a_decision() {
    let p = read_petition(&new_doc()).unwrap();
    assert_eq!(p.source, Source::ReceptionDay);
    assert_eq!(p.petitioner.name, "王大伯");
    assert_eq!(p.clock().unwrap().stage(), Stage::AwaitingDecision);
}

#[test]
fn recorded_steps_drive_the_stage() {
    let mut doc = new_doc();
    decide(&mut doc, true, T0 + DAY_MS, None).unwrap();
    extend(&mut doc, T0 + 50 * DAY_MS, 30, "涉及多部门").unwrap();
    reply(&mut doc, T0 + 80 * DAY_MS, "已补发").unwrap();
    request_review(&mut doc, "review", T0 + 90 * DAY_MS).unwrap();
    answer_review(&mut doc, "review", T0 + 100 * DAY_MS, "维持原处理意见").unwrap();
    link_case(&mut doc, "6a1f3e2c-0b7d-4c59-9e0a-3f2d1c4b5a69").unwrap();
    let p = read_petition(&doc).unwrap();
    assert_eq!(p.clock().unwrap().stage(), Stage::Reviewed);
    assert_eq!(p.cases.len(), 1);
}

#[test]
fn a_review_asked_after_thirty_days_makes_the_document_invalid() {
    let mut doc = new_doc();
    decide(&mut doc, true, T0, None).unwrap();
    reply(&mut doc, T0 + DAY_MS, "答复").unwrap();
    request_review(&mut doc, "review", T0 + 32 * DAY_MS).unwrap();
    let e = read_petition(&doc).unwrap_err();
    assert_eq!(e.path, "clock");
    assert!(e.problem.contains("day 31") || e.problem.contains("day 32"), "{e}");
}

#[test]
fn a_plain_string_request_is_refused_because_the_request_is_text() {
    let mut doc = new_doc();
    doc.put(ROOT, "request", "plain").unwrap();
    assert_eq!(read_petition(&doc).unwrap_err().path, "request");
}

#[test]
fn bad_fields_name_their_path() {
    type Spoil = fn(&mut AutoCommit);
    let cases: &[(&str, Spoil)] = &[
        ("source", |d| d.put(ROOT, "source", "email").map(drop).unwrap()),
        ("received_at", |d| d.put(ROOT, "received_at", 5_i64).map(drop).unwrap()),
        ("cases[0]", |d| link_case(d, "not-an-id").unwrap()),
        ("extension.days", |d| {
            let m = d.put_object(ROOT, "extension", automerge::ObjType::Map).unwrap();
            d.put(&m, "at", ScalarValue::Timestamp(T0)).unwrap();
            d.put(&m, "reason", "r").unwrap();
        }),
        ("petitioner.id_no", |d| {
            let Some((_, p)) = d.get(ROOT, "petitioner").unwrap() else { panic!() };
            d.put(&p, "id_no", "12345").unwrap();
        }),
        ("surprise", |d| d.put(ROOT, "surprise", 1_i64).map(drop).unwrap()),
    ];
    for (path, f) in cases {
        let mut doc = new_doc();
        f(&mut doc);
        assert_eq!(read_petition(&doc).unwrap_err().path, *path);
    }
}

#[test]
fn the_pwa_s_petition_and_visit_documents_pass_the_server_s_validators() {
    let v: serde_json::Value = serde_json::from_str(include_str!("../../vectors/pwa-records.json")).unwrap();
    let load = |k: &str| automerge::Automerge::load(&hex::decode(v[k].as_str().unwrap()).unwrap()).unwrap();
    let p = read_petition(&load("petition")).unwrap();
    assert_eq!(
        (p.source, p.petitioner.name.as_str(), p.recorded_by.as_str()),
        (Source::ReceptionDay, "王大伯", "u_staff")
    );
    assert_eq!(
        p.decision.as_ref().map(|d| (d.accepted, d.note.as_deref())),
        Some((true, Some("属本机关职权")))
    );
    assert_eq!(p.cases, vec!["6a1f3e2c-0b7d-4c59-9e0a-3f2d1c4b5a69".to_string()]);
    assert_eq!(p.clock().unwrap().stage(), Stage::Handling);
    let visit = crate::visit::read_visit(&load("visit")).unwrap();
    assert_eq!((visit.people_met.len(), visit.resolved, visit.notes.as_str()), (2, 1, "走访移民户"));
}
