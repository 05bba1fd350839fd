//! Times of a record (petition item, downward visit, sweep report) the server corrected because
//! the phone that wrote them had a wrong clock (`rules::clock`, PROTOCOL.md §11). As for the
//! case (`case::clock`): the corrected time is written in place, so every rule computed from
//! time reads trusted time, and what the phone claimed is kept here, so nothing typed is lost
//! and every reader can say the phone's clock was off.
//!
//! | key | type | rule |
//! |---|---|---|
//! | `clock_corrections` | List of Map | ≤ 2,500; written only by the server; absent = none |
//! | `…[i].field` | Str | the corrected time's path from the root, keys joined by `.` (`decision.at`, `date`, `nil.<user id>`) |
//! | `…[i].claimed`, `…[i].corrected` | Timestamp | the phone's time and the time recorded instead |
//! | `…[i].confirmed`, `…[i].confirmed_by` | Timestamp, Str | both or neither: the date a leader confirmed (now in place) and who |
//!
//! A petition's clock counts from its dates, so a corrected one is only the server's estimate
//! until a leader confirms the date ([`RecordCorrection::pending`]).

use automerge::transaction::Transactable;
use automerge::{AutomergeError, ObjId, ObjType, ROOT, ReadDoc, ScalarValue, Value};
use serde::Serialize;

use crate::schema::{MapReader, Result, SchemaError};

pub const KEY: &str = "clock_corrections";
/// Room for every time of a report with 500 cases found, each corrected a few times.
pub const MAX_CORRECTIONS: usize = 2_500;

/// A time a record holds, where it is held.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Claim {
    /// Map keys from the root to the timestamp.
    pub path: Vec<String>,
    pub at: i64,
}

impl Claim {
    pub fn new(path: &[&str], at: i64) -> Self {
        Self { path: path.iter().map(|s| s.to_string()).collect(), at }
    }

    /// The path as the log names it.
    pub fn field(&self) -> String {
        self.path.join(".")
    }
}

/// The times `after` holds that `before` did not hold at the same place: what a push claims.
pub fn new_claims(before: &[Claim], after: &[Claim]) -> Vec<Claim> {
    after.iter().filter(|c| !before.contains(c)).cloned().collect()
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RecordCorrection {
    pub field: String,
    pub claimed: i64,
    pub corrected: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub confirmed: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub confirmed_by: Option<String>,
}

impl RecordCorrection {
    /// A corrected date no one has confirmed yet.
    pub fn pending(&self) -> bool {
        self.confirmed.is_none()
    }
}

/// The log, or an empty one when the key is absent.
pub fn read_log<D: ReadDoc>(root: &MapReader<'_, D>) -> Result<Vec<RecordCorrection>> {
    if !matches!(root.doc.get(&root.obj, KEY), Ok(Some(_))) {
        return Ok(Vec::new());
    }
    root.list_of_maps(KEY, MAX_CORRECTIONS)?
        .iter()
        .map(|m| {
            m.only_keys(&["field", "claimed", "corrected", "confirmed", "confirmed_by"])?;
            let c = RecordCorrection {
                field: m.str("field", 200)?,
                claimed: m.timestamp("claimed")?,
                corrected: m.timestamp("corrected")?,
                confirmed: m.opt_timestamp("confirmed")?,
                confirmed_by: m.opt_str("confirmed_by", 64)?,
            };
            if c.confirmed.is_some() != c.confirmed_by.is_some() {
                return Err(SchemaError::new(
                    format!("{}.confirmed_by", m.path),
                    "a confirmation has both its date and who confirmed",
                ));
            }
            Ok(c)
        })
        .collect()
}

/// The log of any document, for comparing what two versions hold; unreadable reads as empty.
pub fn log_of<D: ReadDoc>(doc: &D) -> Vec<RecordCorrection> {
    read_log(&MapReader::root(doc)).unwrap_or_default()
}

/// Write each `(claim, corrected)`: the corrected time in place, the claim in the log. The
/// server's own transaction; phones never write these.
pub fn write_corrections<T: Transactable>(
    tx: &mut T,
    corrections: &[(Claim, i64)],
) -> std::result::Result<(), AutomergeError> {
    for (claim, corrected) in corrections {
        put_at(tx, &claim.path, *corrected)?;
    }
    let log = match list(tx)? {
        Some(l) => l,
        None => tx.put_object(ROOT, KEY, ObjType::List)?,
    };
    for (claim, corrected) in corrections {
        let n = tx.length(&log);
        let m = tx.insert_object(&log, n, ObjType::Map)?;
        tx.put(&m, "field", claim.field())?;
        tx.put(&m, "claimed", ScalarValue::Timestamp(claim.at))?;
        tx.put(&m, "corrected", ScalarValue::Timestamp(*corrected))?;
    }
    Ok(())
}

/// A leader confirms the date of log entry `index` (at `path`): the date goes in place and
/// the entry says who confirmed it.
pub fn write_confirmation<T: Transactable>(
    tx: &mut T,
    index: usize,
    path: &[String],
    date: i64,
    by: &str,
) -> std::result::Result<(), AutomergeError> {
    put_at(tx, path, date)?;
    let entry = match list(tx)? {
        Some(l) => match tx.get(&l, index)? {
            Some((Value::Object(ObjType::Map), e)) => e,
            _ => return Err(AutomergeError::InvalidIndex(index)),
        },
        None => return Err(AutomergeError::InvalidIndex(index)),
    };
    tx.put(&entry, "confirmed", ScalarValue::Timestamp(date))?;
    tx.put(&entry, "confirmed_by", by)?;
    Ok(())
}

fn put_at<T: Transactable>(tx: &mut T, path: &[String], at: i64) -> std::result::Result<(), AutomergeError> {
    let Some((last, parents)) = path.split_last() else { return Ok(()) };
    let mut obj = ROOT;
    for key in parents {
        match tx.get(&obj, key.as_str())? {
            Some((Value::Object(ObjType::Map), id)) => obj = id,
            // The time's map is gone (never, for append-only records): nothing to correct.
            _ => return Ok(()),
        }
    }
    tx.put(&obj, last.as_str(), ScalarValue::Timestamp(at))
}

fn list<T: Transactable>(tx: &T) -> std::result::Result<Option<ObjId>, AutomergeError> {
    Ok(match tx.get(ROOT, KEY)? {
        Some((Value::Object(ObjType::List), id)) => Some(id),
        _ => None,
    })
}

#[cfg(test)]
mod tests {
    use automerge::AutoCommit;

    use super::*;

    #[test]
    fn corrections_go_in_place_and_a_confirmation_names_its_leader() {
        let mut doc = AutoCommit::new();
        let d = doc.put_object(ROOT, "decision", ObjType::Map).unwrap();
        doc.put(&d, "at", ScalarValue::Timestamp(9_000)).unwrap();
        let claim = Claim::new(&["decision", "at"], 9_000);
        write_corrections(&mut doc, &[(claim.clone(), 5_000)]).unwrap();
        assert_eq!(
            log_of(&doc),
            vec![RecordCorrection {
                field: "decision.at".into(),
                claimed: 9_000,
                corrected: 5_000,
                confirmed: None,
                confirmed_by: None
            }]
        );
        assert!(log_of(&doc)[0].pending());
        write_confirmation(&mut doc, 0, &claim.path, 6_000, "u_leader").unwrap();
        let log = log_of(&doc);
        assert_eq!((log[0].confirmed, log[0].confirmed_by.as_deref()), (Some(6_000), Some("u_leader")));
        let (v, _) = doc.get(&d, "at").unwrap().unwrap();
        assert_eq!(v.as_scalar().cloned(), Some(ScalarValue::Timestamp(6_000)));
    }

    #[test]
    fn only_times_new_or_moved_are_claimed() {
        let before = [Claim::new(&["date"], 1), Claim::new(&["nil", "u1"], 2)];
        let after = [Claim::new(&["date"], 1), Claim::new(&["nil", "u1"], 3), Claim::new(&["nil", "u2"], 4)];
        assert_eq!(new_claims(&before, &after), vec![after[1].clone(), after[2].clone()]);
    }
}
