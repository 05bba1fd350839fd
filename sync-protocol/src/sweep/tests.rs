use automerge::{Automerge, ReadDoc};

use super::completeness::{Completeness, Input, completeness};
use super::*;

fn device_edit(
    doc: &Automerge,
    actor: u8,
    f: impl FnOnce(&mut automerge::transaction::Transaction<'_>),
) -> Automerge {
    let mut d = doc.fork().with_actor(ActorId::from(vec![actor; 16]));
    let mut tx = d.transaction();
    f(&mut tx);
    tx.commit();
    d
}

#[test]
fn a_report_id_depends_on_campaign_and_village_only() {
    assert_eq!(report_id("c1", "350481101201"), report_id("c1", "350481101201"));
    assert_ne!(report_id("c1", "350481101201"), report_id("c2", "350481101201"));
    assert_ne!(report_id("c1", "350481101201"), report_id("c1", "350481101202"));
    // The separator keeps ("c1", "23") and ("c12", "3") apart.
    assert_ne!(report_id("c1", "23"), report_id("c12", "3"));
}

#[test]
fn two_builders_make_the_same_genesis_change() {
    let a = genesis("camp-1", "350481101201");
    let b = genesis("camp-1", "350481101201");
    assert_eq!(a.raw_bytes(), b.raw_bytes());
    assert_eq!(a.actor_id().to_bytes(), report_id("camp-1", "350481101201").0.as_slice());
    assert_eq!((a.seq(), a.timestamp(), a.deps().len()), (1, 0, 0));
    let report = read_report(&genesis_doc("camp-1", "350481101201")).unwrap();
    assert_eq!(report.state(), ReportState::Open);
}

#[test]
fn two_officers_reporting_offline_merge_into_one_report() {
    let base = genesis_doc("camp-1", "350481101201");
    let case_a = DocId::random().to_string();
    let case_b = DocId::random().to_string();
    let mut a = device_edit(&base, 1, |tx| write::add_found(tx, &case_a, "u1", 1_000).unwrap());
    let b = device_edit(&genesis_doc("camp-1", "350481101201"), 2, |tx| {
        write::add_found(tx, &case_b, "u2", 2_000).unwrap();
        write::append_notes(tx, "东坑组已走访").unwrap();
    });
    a.merge(&mut b.clone()).unwrap();
    let r = read_report(&a).unwrap();
    assert_eq!(r.found.len(), 2);
    assert_eq!(r.found[&case_b], Found { by: "u2".into(), at: 2_000 });
    assert_eq!(r.notes, "东坑组已走访");
    assert_eq!(r.reporters.keys().cloned().collect::<Vec<_>>(), ["u1", "u2"]);
    assert_eq!(r.state(), ReportState::Found);
    assert_eq!(a.get_changes(&[]).len(), 3, "one genesis, one change per officer");
}

#[test]
fn a_nil_report_is_answered_and_found_cases_outrank_it() {
    let nil = device_edit(&genesis_doc("c", "v"), 1, |tx| write::add_nil(tx, "u1", 5).unwrap());
    assert_eq!(read_report(&nil).unwrap().state(), ReportState::Nil);
    let both =
        device_edit(&nil, 2, |tx| write::add_found(tx, &DocId::random().to_string(), "u2", 6).unwrap());
    assert_eq!(read_report(&both).unwrap().state(), ReportState::Found);
}

#[test]
fn a_found_key_that_is_not_a_case_id_is_refused() {
    let d = device_edit(&genesis_doc("c", "v"), 1, |tx| write::add_found(tx, "not-a-case", "u1", 5).unwrap());
    let e = read_report(&d).unwrap_err();
    assert_eq!(e.path, "found.not-a-case");
}

#[test]
fn a_nil_entry_must_be_a_timestamp() {
    let d = device_edit(&genesis_doc("c", "v"), 1, |tx| {
        let (_, nil) = tx.get(automerge::ROOT, "nil").unwrap().unwrap();
        automerge::transaction::Transactable::put(tx, &nil, "u1", "yes").unwrap();
    });
    assert_eq!(read_report(&d).unwrap_err().path, "nil.u1");
}

fn vector(name: &str) -> serde_json::Value {
    let path = format!("{}/vectors/{name}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    serde_json::from_str(&text).unwrap()
}

#[test]
fn the_genesis_matches_the_pwa_builders_bytes() {
    let v = vector("sweep-genesis.json");
    let cases = v["cases"].as_array().unwrap();
    assert!(!cases.is_empty());
    for c in cases {
        let (campaign, village) = (c["campaign"].as_str().unwrap(), c["village"].as_str().unwrap());
        assert_eq!(report_id(campaign, village).to_string(), c["doc"].as_str().unwrap());
        let g = genesis(campaign, village);
        assert_eq!(hex::encode(g.raw_bytes()), c["change"].as_str().unwrap(), "{campaign}/{village}");
        assert_eq!(g.hash().to_string(), c["hash"].as_str().unwrap());
    }
}

#[test]
fn completeness_matches_the_shared_vectors() {
    let v = vector("completeness.json");
    let cases = v["cases"].as_array().unwrap();
    assert!(cases.len() >= 4);
    for c in cases {
        let input: Input = serde_json::from_value(c["input"].clone()).unwrap();
        let want: Completeness = serde_json::from_value(c["expected"].clone()).unwrap();
        assert_eq!(completeness(&input), want, "{}", c["name"]);
    }
}
