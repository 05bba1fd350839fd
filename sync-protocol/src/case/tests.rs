use automerge::transaction::Transactable;
use automerge::{ActorId, AutoCommit, ObjType, ROOT, ReadDoc, ScalarValue};

use super::write::*;
use super::*;

fn sample() -> NewCase {
    NewCase {
        village: "350481101201".into(),
        category: Category::Compensation,
        severity: Severity::Major,
        title: "后扶资金发放争议".into(),
        description: "村民反映2026年度后扶资金未足额发放。".into(),
        parties: vec![Party { name: "张三".into(), phone: Some("138 0000 0000".into()), note: None }],
        reporter: "u1".into(),
        reported_at: 1_790_000_000_000,
        location: Some(Location { lat: 25.97, lon: 117.36, accuracy_m: Some(12.0) }),
    }
}

fn doc_with(c: &NewCase) -> AutoCommit {
    let mut doc = AutoCommit::new().with_actor(ActorId::from(vec![1u8; 16]));
    c.write(&mut doc).unwrap();
    doc.commit();
    doc
}

#[test]
fn a_written_case_reads_back_field_for_field() {
    let c = sample();
    let case = read_case(&doc_with(&c)).unwrap();
    assert_eq!(case.village, c.village);
    assert_eq!(case.title, c.title);
    assert_eq!(case.description, c.description);
    assert_eq!(case.parties, c.parties);
    assert_eq!(case.status, Status::Reported);
    assert_eq!(case.location, c.location);
    assert!(case.case_no.is_none() && case.conflicts.is_empty());
}

#[test]
fn a_title_sent_as_text_instead_of_a_string_is_refused() {
    let mut doc = doc_with(&sample());
    let t = doc.put_object(ROOT, "title", ObjType::Text).unwrap();
    doc.splice_text(&t, 0, 0, "标题").unwrap();
    let err = read_case(&doc).unwrap_err();
    assert_eq!(err.path, "title");
}

#[test]
fn a_description_sent_as_a_string_instead_of_text_is_refused() {
    let mut doc = doc_with(&sample());
    doc.put(ROOT, "description", "plain").unwrap();
    assert_eq!(read_case(&doc).unwrap_err().path, "description");
}

#[test]
fn values_outside_an_enum_are_refused_with_the_field() {
    let mut doc = doc_with(&sample());
    doc.put(ROOT, "severity", "catastrophic").unwrap();
    let err = read_case(&doc).unwrap_err();
    assert_eq!(err.path, "severity");
    assert!(err.problem.contains("urgent"));
}

#[test]
fn overlong_fields_and_unknown_keys_are_refused() {
    let mut doc = doc_with(&sample());
    doc.put(ROOT, "title", "长".repeat(101)).unwrap();
    assert_eq!(read_case(&doc).unwrap_err().path, "title");

    let mut doc = doc_with(&sample());
    doc.put(ROOT, "secret", "x").unwrap();
    assert_eq!(read_case(&doc).unwrap_err().path, "secret");
}

#[test]
fn a_bad_phone_number_names_the_party() {
    let mut c = sample();
    c.parties.push(Party { name: "李四".into(), phone: Some("<script>".into()), note: None });
    assert_eq!(read_case(&doc_with(&c)).unwrap_err().path, "parties[1].phone");
}

#[test]
fn a_reported_time_that_is_not_a_timestamp_is_refused() {
    let mut doc = doc_with(&sample());
    doc.put(ROOT, "reported_at", 1_790_000_000_000i64).unwrap();
    assert_eq!(read_case(&doc).unwrap_err().path, "reported_at");
}

#[test]
fn timeline_entries_append_and_validate() {
    let mut doc = doc_with(&sample());
    let e = TimelineEntry {
        id: "t1".into(),
        kind: TimelineKind::Visit,
        at: 1,
        by: "u2".into(),
        text: "入户走访".into(),
    };
    add_timeline(&mut doc, &e).unwrap();
    assert_eq!(read_case(&doc).unwrap().timeline, vec![e]);
    let list = doc.get(ROOT, "timeline").unwrap().unwrap().1;
    let m = doc.insert_object(&list, 1, ObjType::Map).unwrap();
    doc.put(&m, "id", "t2").unwrap();
    assert_eq!(read_case(&doc).unwrap_err().path, "timeline[1].kind");
}

#[test]
fn concurrent_severities_are_both_visible() {
    let mut a = doc_with(&sample());
    let mut b = a.fork();
    set_severity(&mut a, Severity::Urgent).unwrap();
    set_severity(&mut b, Severity::General).unwrap();
    a.merge(&mut b).unwrap();
    let case = read_case(&a).unwrap();
    let conflict = case.conflicts.iter().find(|c| c.field == "severity").expect("a conflict");
    let mut values = conflict.values.clone();
    values.sort();
    assert_eq!(values, vec!["general", "urgent"]);
}

#[test]
fn immutable_fields_cannot_change_and_only_the_server_numbers_cases() {
    let before = read_case(&doc_with(&sample())).unwrap();
    let mut moved = before.clone();
    moved.village = "350481101202".into();
    assert_eq!(check_transition(Some(&before), &moved, Writer::User("u1")).unwrap_err().path, "village");

    let mut numbered = before.clone();
    numbered.case_no = Some("永安-2026-000001".into());
    assert!(check_transition(Some(&before), &numbered, Writer::User("u1")).is_err());
    assert!(check_transition(Some(&before), &numbered, Writer::Server).is_ok());
    let mut renumbered = numbered.clone();
    renumbered.case_no = Some("永安-2026-000002".into());
    assert!(check_transition(Some(&numbered), &renumbered, Writer::Server).is_err());
}

#[test]
fn a_new_case_must_name_its_creator() {
    let case = read_case(&doc_with(&sample())).unwrap();
    assert!(check_transition(None, &case, Writer::User("u1")).is_ok());
    assert_eq!(check_transition(None, &case, Writer::User("u9")).unwrap_err().path, "reporter");
}

#[test]
fn deadline_may_be_set_and_cleared() {
    let mut doc = doc_with(&sample());
    doc.put(ROOT, "deadline", ScalarValue::Timestamp(5)).unwrap();
    assert_eq!(read_case(&doc).unwrap().deadline, Some(5));
    doc.put(ROOT, "deadline", ScalarValue::Null).unwrap();
    assert_eq!(read_case(&doc).unwrap().deadline, None);
}

/// The PWA's golden fixture (pwa/tests/fixtures.test.ts): a new case exactly as the phone
/// creates and pushes it. If the PWA's model and this schema drift apart, this fails.
#[test]
fn the_pwa_golden_new_case_push_reads_as_a_valid_case() {
    let bytes = include_bytes!("../../../pwa/tests/fixtures/pwa-new-case.sync-request.cbor");
    let req: crate::wire::SyncRequest = crate::wire::decode(bytes).expect("fixture decodes");
    let changes = req.push[0]
        .changes
        .iter()
        .map(|c| automerge::Change::from_bytes(c.to_vec()).expect("change decodes"))
        .collect::<Vec<_>>();
    let mut doc = automerge::Automerge::new();
    doc.apply_changes(changes).unwrap();
    let case = read_case(&doc).expect("the PWA's case passes the server's schema");
    assert_eq!(case.reporter, "u_demo_officer");
    assert_eq!(case.severity, Severity::Urgent);
    check_transition(None, &case, Writer::User("u_demo_officer")).unwrap();
}

#[test]
fn over_a_product_limit_a_case_reads_flagged_and_over_a_hard_limit_it_is_refused() {
    let mut c = sample();
    c.description = "长".repeat(limits::DESCRIPTION.soft + 1);
    c.parties = (0..=limits::PARTIES.soft)
        .map(|i| Party { name: format!("当事人{i}"), phone: None, note: None })
        .collect();
    let case = read_case(&doc_with(&c)).unwrap();
    assert_eq!(
        case.over_limits,
        vec![
            OverLimit { field: "description".into(), count: 5_001, limit: 5_000 },
            OverLimit { field: "parties".into(), count: 51, limit: 50 },
        ]
    );
    assert_eq!(case.over_limits[0].to_string(), "description: 5001 characters, at most 5000 allowed");
    c.description = "长".repeat(limits::DESCRIPTION.hard + 1);
    assert_eq!(read_case(&doc_with(&c)).unwrap_err().path, "description");
}
