//! The downward visit (下访): a leader goes to a village, meets people, finds disputes and
//! settles some on the spot. Visits, disputes found and resolved are what reports total.
//!
//! | key | type | rule |
//! |---|---|---|
//! | `schema_version` | Int/Uint | `1`; immutable |
//! | `kind` | Str | `"visit"`; immutable |
//! | `village` | Str | org-unit code of the village visited; immutable |
//! | `leader` | Str | the visiting leader's name, 1–50 characters |
//! | `recorded_by` | Str | user id; immutable, the creating user |
//! | `date` | Timestamp | |
//! | `people_met` | List of Str | ≤ 200 names |
//! | `cases` | List of Str (case document ids) | disputes found; ≤ 50 |
//! | `resolved` | Int | resolved on the spot, 0–1,000 |
//! | `notes` | Text | ≤ 5,000 characters |
//! | `clock_corrections` | see [`crate::corrections`] | written only by the server |

use automerge::transaction::Transactable;
use automerge::{AutomergeError, ObjType, ROOT, ReadDoc, ScalarValue};
use serde::Serialize;

use crate::DocId;
use crate::corrections::{Claim, RecordCorrection};
use crate::petition::{header, str_list};
use crate::schema::{MapReader, Result, SchemaError};

pub const SCHEMA_VERSION: i64 = 1;
pub const KIND: &str = "visit";

pub(crate) const ROOT_KEYS: &[&str] = &[
    "schema_version",
    "kind",
    "village",
    "leader",
    "recorded_by",
    "date",
    "people_met",
    "cases",
    "resolved",
    "notes",
    "clock_corrections",
];

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Visit {
    pub schema_version: i64,
    pub village: String,
    pub leader: String,
    pub recorded_by: String,
    pub date: i64,
    pub people_met: Vec<String>,
    pub cases: Vec<String>,
    pub resolved: i64,
    pub notes: String,
}

pub fn read_visit<D: ReadDoc>(doc: &D) -> Result<Visit> {
    let root = MapReader::root(doc);
    let schema_version = header(&root, ROOT_KEYS, SCHEMA_VERSION, KIND)?;
    crate::corrections::read_log(&root)?;
    let cases = str_list(&root, "cases", 50, 36)?;
    if let Some(i) = cases.iter().position(|id| id.parse::<DocId>().is_err()) {
        return Err(SchemaError::new(format!("cases[{i}]"), "not a document id"));
    }
    let resolved = root.opt_int("resolved")?.ok_or_else(|| SchemaError::new("resolved", "missing"))?;
    if !(0..=1_000).contains(&resolved) {
        return Err(SchemaError::new("resolved", "0 to 1000"));
    }
    Ok(Visit {
        schema_version,
        village: root.str("village", 32)?,
        leader: root.str("leader", 50)?,
        recorded_by: root.str("recorded_by", 64)?,
        date: root.timestamp("date")?,
        people_met: str_list(&root, "people_met", 200, 50)?,
        cases,
        resolved,
        notes: root.text("notes", 5_000)?,
    })
}

/// The visit's date as the server corrected it, if it did: checked like every field, kept
/// apart so that a visit is still written from the fields a person fills in.
pub fn read_corrections<D: ReadDoc>(doc: &D) -> Result<Vec<RecordCorrection>> {
    crate::corrections::read_log(&MapReader::root(doc))
}

impl Visit {
    pub fn claims(&self) -> Vec<Claim> {
        vec![Claim::new(&["date"], self.date)]
    }

    /// Write a new visit with the exact types [`read_visit`] expects.
    pub fn write<T: Transactable>(&self, tx: &mut T) -> std::result::Result<(), AutomergeError> {
        tx.put(ROOT, "schema_version", SCHEMA_VERSION)?;
        tx.put(ROOT, "kind", KIND)?;
        tx.put(ROOT, "village", self.village.as_str())?;
        tx.put(ROOT, "leader", self.leader.as_str())?;
        tx.put(ROOT, "recorded_by", self.recorded_by.as_str())?;
        tx.put(ROOT, "date", ScalarValue::Timestamp(self.date))?;
        for (key, items) in [("people_met", &self.people_met), ("cases", &self.cases)] {
            let list = tx.put_object(ROOT, key, ObjType::List)?;
            for (i, s) in items.iter().enumerate() {
                tx.insert(&list, i, s.as_str())?;
            }
        }
        tx.put(ROOT, "resolved", self.resolved)?;
        let n = tx.put_object(ROOT, "notes", ObjType::Text)?;
        tx.splice_text(&n, 0, 0, &self.notes)?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use automerge::AutoCommit;

    use super::*;

    fn visit() -> Visit {
        Visit {
            schema_version: SCHEMA_VERSION,
            village: "350481101201".into(),
            leader: "陈建国".into(),
            recorded_by: "u_demo_leader".into(),
            date: 1_780_000_000_000,
            people_met: vec!["王大伯".into(), "李婶".into()],
            cases: vec!["6a1f3e2c-0b7d-4c59-9e0a-3f2d1c4b5a69".into()],
            resolved: 1,
            notes: "走访移民户".into(),
        }
    }

    #[test]
    fn a_written_visit_reads_back_the_same() {
        let mut doc = AutoCommit::new();
        visit().write(&mut doc).unwrap();
        assert_eq!(read_visit(&doc).unwrap(), visit());
    }

    #[test]
    fn a_negative_resolved_count_and_a_bad_case_id_are_refused() {
        let mut doc = AutoCommit::new();
        Visit { resolved: -1, ..visit() }.write(&mut doc).unwrap();
        assert_eq!(read_visit(&doc).unwrap_err().path, "resolved");
        let mut doc = AutoCommit::new();
        Visit { cases: vec!["x".into()], ..visit() }.write(&mut doc).unwrap();
        assert_eq!(read_visit(&doc).unwrap_err().path, "cases[0]");
        let mut doc = AutoCommit::new();
        Visit { people_met: vec![" ".into()], ..visit() }.write(&mut doc).unwrap();
        assert_eq!(read_visit(&doc).unwrap_err().path, "people_met[0]");
    }
}
