use std::time::Instant;

use automerge::transaction::Transactable;
use automerge::{ActorId, AutoCommit, ROOT, ReadDoc};
use sync_protocol::case::write::{self, NewCase};
use sync_protocol::case::{Category, Severity, TimelineEntry, TimelineKind};

use super::*;

fn officer() -> ChangeAuthor {
    ChangeAuthor {
        device_id: 1,
        device_label: "手机".into(),
        user_id: "u1".into(),
        user_name: "林秀英".into(),
        role: "village_officer".into(),
    }
}

/// A case with one change per edit; `edits` get the document to change.
fn logged(edits: &[&dyn Fn(&mut AutoCommit)]) -> Vec<LoggedChange> {
    let mut doc = AutoCommit::new().with_actor(ActorId::from(vec![1_u8; 16]));
    NewCase {
        village: "v1".into(),
        category: Category::Land,
        severity: Severity::General,
        title: "土地纠纷".into(),
        description: "现场".into(),
        parties: vec![],
        reporter: "u1".into(),
        reported_at: 1_000,
        location: None,
    }
    .write(&mut doc)
    .unwrap();
    doc.commit();
    for e in edits {
        e(&mut doc);
        doc.commit();
    }
    doc.get_changes(&[])
        .into_iter()
        .enumerate()
        .map(|(i, c)| LoggedChange {
            seq: i as i64 + 1,
            received_at: 10 * (i as i64 + 1),
            bytes: c.raw_bytes().to_vec(),
            author: Some(officer()),
        })
        .collect()
}

fn follow_up(n: usize) -> TimelineEntry {
    TimelineEntry {
        id: format!("t{n}"),
        kind: TimelineKind::Visit,
        at: 5,
        by: "u1".into(),
        text: format!("走访{n}"),
    }
}

fn fields(e: &Entry) -> Vec<(&str, Option<&str>, Option<&str>)> {
    e.fields.iter().map(|f| (f.field.as_str(), f.old.as_deref(), f.new.as_deref())).collect()
}

#[test]
fn each_change_names_the_fields_it_moved_with_old_and_new() {
    let log = logged(&[
        &|d| write::set_severity(d, Severity::Urgent).unwrap(),
        &|d| write::edit_description(d, 2, "，已调解").unwrap(),
        &|d| write::add_timeline(d, &follow_up(1)).unwrap(),
        &|d| d.put(ROOT, "handler", "u9").unwrap(),
    ]);
    let h = history(&log).unwrap();
    assert_eq!(h.len(), 5);
    assert!(
        h[0].fields
            .iter()
            .any(|f| f.field == "title" && f.old.is_none() && f.new.as_deref() == Some("土地纠纷"))
    );
    assert_eq!(fields(&h[1]), vec![("severity", Some("general"), Some("urgent"))]);
    assert_eq!(fields(&h[2]), vec![("description", Some("现场"), Some("现场，已调解"))]);
    assert_eq!(fields(&h[3]), vec![("timeline", None, Some("added entry 1: visit · u1: 走访1"))]);
    assert_eq!(fields(&h[4]), vec![("handler", None, Some("u9"))]);
    assert_eq!(h[4].user.as_ref().unwrap().name, "林秀英");
    assert!(!h[4].server);
}

#[test]
fn edited_and_removed_entries_show_what_they_were() {
    let log = logged(&[
        &|d| write::add_timeline(d, &follow_up(1)).unwrap(),
        &|d| write::add_timeline(d, &follow_up(2)).unwrap(),
        &|d| {
            let (_, list) = d.get(ROOT, "timeline").unwrap().unwrap();
            let (_, e) = d.get(&list, 1).unwrap().unwrap();
            d.put(&e, "text", "改").unwrap();
        },
        &|d| {
            let (_, list) = d.get(ROOT, "timeline").unwrap().unwrap();
            d.delete(&list, 0).unwrap();
        },
    ]);
    let h = history(&log).unwrap();
    assert_eq!(
        fields(&h[3]),
        vec![("timeline", Some("entry 2: visit · u1: 走访2"), Some("entry 2: visit · u1: 改"))]
    );
    assert_eq!(fields(&h[4]), vec![("timeline", Some("removed entry: visit · u1: 走访1"), None)]);
}

#[test]
fn a_field_of_the_wrong_type_is_shown_rather_than_breaking_the_history() {
    let log = logged(&[&|d| d.put(ROOT, "severity", 3_i64).unwrap(), &|d| {
        write::set_severity(d, Severity::Major).unwrap()
    }]);
    let h = history(&log).unwrap();
    assert_eq!(fields(&h[1]), vec![("severity", Some("general"), Some("3"))]);
    assert_eq!(fields(&h[2]), vec![("severity", Some("3"), Some("major"))]);
    let doc = rebuild(&log[..2]).unwrap().unwrap();
    let v: serde_json::Value = serde_json::from_str(&case_json(DocId::random(), &doc)).unwrap();
    assert_eq!(v["severity"], 3);
    assert!(v["schema_error"].as_str().unwrap().contains("severity"));
}

#[test]
fn a_change_without_a_device_is_the_servers() {
    let mut log = logged(&[&|d| write::set_case_no(d, "永安-2026-000001").unwrap()]);
    log[1].author = None;
    let h = history(&log).unwrap();
    assert!(h[1].server && h[1].user.is_none() && h[1].device.is_none());
    assert_eq!(fields(&h[1]), vec![("case_no", None, Some("永安-2026-000001"))]);
}

/// 2,000 changes, each a follow-up or an edit, on a case whose timeline grows to 1,000 entries:
/// JSON work per change must not grow with the timeline. Prints the time taken.
#[test]
fn a_long_history_is_replayed_in_linear_time() {
    let mut doc = AutoCommit::new().with_actor(ActorId::from(vec![1_u8; 16]));
    doc.put(ROOT, "title", "t").unwrap();
    doc.put_object(ROOT, "timeline", automerge::ObjType::List).unwrap();
    doc.commit();
    for i in 0..2_000 {
        if i % 2 == 0 {
            write::add_timeline(&mut doc, &follow_up(i)).unwrap();
        } else {
            doc.put(ROOT, "title", format!("标题{i}")).unwrap();
        }
        doc.commit();
    }
    let log: Vec<LoggedChange> = doc
        .get_changes(&[])
        .into_iter()
        .enumerate()
        .map(|(i, c)| LoggedChange {
            seq: i as i64,
            received_at: 0,
            bytes: c.raw_bytes().to_vec(),
            author: None,
        })
        .collect();
    let started = Instant::now();
    let h = history(&log).unwrap();
    let took = started.elapsed();
    eprintln!("history of {} changes: {took:?}", log.len());
    assert_eq!(h.len(), 2_001);
    assert_eq!(fields(&h[2_000]), vec![("title", Some("标题1997"), Some("标题1999"))]);
    assert_eq!(fields(&h[1_999]), vec![("timeline", None, Some("added entry 1000: visit · u1: 走访1998"))]);
}

/// The model must read every document as Automerge does, concurrent edits included: three
/// phones edit at random, merging now and then, and the replayed log must give the same JSON.
#[test]
fn the_model_agrees_with_automerge_under_concurrent_edits() {
    use rand::{Rng, SeedableRng};
    for seed in 0..8_u64 {
        let mut rng = rand::rngs::StdRng::seed_from_u64(seed);
        let base = logged(&[&|d| write::add_timeline(d, &follow_up(0)).unwrap()]);
        let mut phones: Vec<AutoCommit> = (0..3_u8)
            .map(|a| {
                let mut d = AutoCommit::new().with_actor(ActorId::from(vec![a + 2; 16]));
                d.apply_changes(base.iter().map(|c| automerge::Change::from_bytes(c.bytes.clone()).unwrap()))
                    .unwrap();
                d
            })
            .collect();
        for step in 0..150 {
            let p = rng.random_range(0..3);
            let d = &mut phones[p];
            let (_, list) = d.get(ROOT, "timeline").unwrap().unwrap();
            let (_, text) = d.get(ROOT, "description").unwrap().unwrap();
            match rng.random_range(0..7) {
                0 => write::set_severity(
                    d,
                    [Severity::General, Severity::Major, Severity::Urgent][rng.random_range(0..3)],
                )
                .unwrap(),
                1 => write::add_timeline(d, &follow_up(step)).unwrap(),
                2 => {
                    let at = rng.random_range(0..=d.length(&text));
                    d.splice_text(&text, at, 0, &format!("字{step}")).unwrap();
                }
                3 if d.length(&text) > 2 => {
                    let at = rng.random_range(0..d.length(&text) - 2);
                    d.splice_text(&text, at, 2, "").unwrap();
                }
                4 if d.length(&list) > 0 => d.delete(&list, rng.random_range(0..d.length(&list))).unwrap(),
                5 if d.length(&list) > 0 => {
                    let (_, e) = d.get(&list, rng.random_range(0..d.length(&list))).unwrap().unwrap();
                    d.put(&e, "text", format!("改{step}")).unwrap();
                }
                _ => {
                    let q = (p + 1 + rng.random_range(0..2)) % 3;
                    let mut other = phones[q].fork();
                    phones[p].merge(&mut other).unwrap();
                }
            }
            phones[p].commit();
        }
        let mut all = phones[0].fork();
        for p in &mut phones[1..] {
            all.merge(p).unwrap();
        }
        let mut replay = diff::Replay::default();
        for c in all.get_changes(&[]) {
            replay.step(&c.decode());
        }
        assert_eq!(replay.model.document(), view::document(&all), "seed {seed}");
    }
}
