use automerge::transaction::Transactable;
use automerge::{Automerge, AutomergeError, ROOT, ReadDoc};

use super::*;
use crate::case::write::NewCase;
use crate::case::{Category, Party, Severity};
use crate::petition::write::NewPetition;
use crate::petition::{Petitioner, Source};

#[test]
fn protocol_md_holds_the_generated_schema() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("PROTOCOL.md");
    let doc = std::fs::read_to_string(&path).unwrap();
    let fresh = splice(&doc).expect("PROTOCOL.md has the generated:schema markers");
    if std::env::var("ANLAN_UPDATE_DOCS").is_ok_and(|v| v == "1") {
        std::fs::write(&path, &fresh).unwrap();
        return;
    }
    assert!(
        doc == fresh,
        "PROTOCOL.md §8 differs from the schema in the code: run \
         `ANLAN_UPDATE_DOCS=1 cargo test -p sync-protocol protocol_md` and review the diff"
    );
}

fn reader_keys(kind: &str) -> &'static [&'static str] {
    match kind {
        "case" => crate::case::read::ROOT_KEYS,
        "petition" => crate::petition::read::ROOT_KEYS,
        "visit" => crate::visit::ROOT_KEYS,
        "sweep_report" => crate::sweep::read::ROOT_KEYS,
        other => panic!("no reader for {other}"),
    }
}

#[test]
fn the_documented_keys_are_exactly_the_keys_each_reader_allows() {
    for kind in kinds() {
        let mut documented: Vec<&str> = kind.root.iter().map(|f| f.key).collect();
        let mut allowed = reader_keys(kind.kind).to_vec();
        documented.sort();
        allowed.sort();
        assert_eq!(documented, allowed, "{}", kind.kind);
    }
}

/// A valid new document of `kind`, as the crate's writers make it.
fn valid(kind: &str) -> Automerge {
    let mut doc = Automerge::new();
    doc.transact::<_, _, AutomergeError>(|tx| match kind {
        "case" => NewCase {
            village: "350481101201".into(),
            category: Category::Land,
            severity: Severity::General,
            title: "边界纠纷".into(),
            description: "现场核实".into(),
            parties: vec![Party { name: "张三".into(), phone: None, note: None }],
            reporter: "u1".into(),
            reported_at: 1_795_000_000_000,
            location: None,
        }
        .write(tx),
        "petition" => NewPetition {
            village: "350481101201".into(),
            source: Source::Visit,
            petitioner: Petitioner { name: "王大伯".into(), phone: None, id_no: None },
            request: "要求补发资金".into(),
            received_at: 1_795_000_000_000,
            recorded_by: "u1".into(),
        }
        .write(tx),
        "visit" => crate::visit::Visit {
            schema_version: 1,
            village: "350481101201".into(),
            leader: "陈建国".into(),
            recorded_by: "u1".into(),
            date: 1_795_000_000_000,
            people_met: vec!["张三".into()],
            cases: vec![],
            resolved: 0,
            notes: "走访".into(),
        }
        .write(tx),
        other => panic!("no writer for {other}"),
    })
    .map_err(|f| f.error)
    .unwrap();
    doc
}

fn read(kind: &str, doc: &Automerge) -> Result<(), crate::SchemaError> {
    match kind {
        "case" => crate::case::read_case(doc).map(|_| ()),
        "petition" => crate::petition::read_petition(doc).map(|_| ()),
        "visit" => crate::visit::read_visit(doc).map(|_| ()),
        "sweep_report" => crate::sweep::read_report(doc).map(|_| ()),
        other => panic!("no reader for {other}"),
    }
}

#[test]
fn a_new_document_needs_exactly_the_fields_documented_as_required() {
    for kind in kinds() {
        let base = match kind.kind {
            "sweep_report" => crate::sweep::genesis_doc("c1", "350481101201"),
            k => valid(k),
        };
        read(kind.kind, &base).unwrap_or_else(|e| panic!("{}: the valid document: {e}", kind.kind));
        for field in &kind.root {
            let mut doc = base.clone();
            doc.transact::<_, _, AutomergeError>(|tx| {
                if tx.get(ROOT, field.key)?.is_some() {
                    tx.delete(ROOT, field.key)?;
                }
                Ok(())
            })
            .map_err(|f| f.error)
            .unwrap();
            match (field.at, read(kind.kind, &doc)) {
                (At::Required, Err(e)) => {
                    assert!(e.path.starts_with(field.key), "{}.{}: {e}", kind.kind, field.key)
                }
                (At::Required, Ok(())) => {
                    panic!("{}.{} is documented as required, but may be left out", kind.kind, field.key)
                }
                (_, Err(e)) => {
                    panic!("{}.{} is documented as optional, but without it: {e}", kind.kind, field.key)
                }
                (_, Ok(())) => {}
            }
        }
    }
}

#[test]
fn every_case_enum_value_and_limit_is_rendered() {
    let md = render();
    for v in crate::case::Status::ALL {
        assert!(md.contains(&format!("`{v}`")), "{v}");
    }
    for l in crate::case::limits::ALL {
        assert!(md.contains(&format!("| `{}` | {} | {} |", l.field, thousands(l.soft), thousands(l.hard))));
    }
}
