//! Times the server corrected because the phone that wrote them had a wrong clock
//! (`rules::clock`, PROTOCOL.md §11). The server writes the corrected value in place — so every
//! rule computed from time reads trusted time — and keeps what the phone claimed here, so
//! nothing typed is lost and every reader can say the phone's clock was off.
//!
//! | key | type | rule |
//! |---|---|---|
//! | `clock_corrections` | List of Map `{field, claimed, corrected}` | ≤ 2,500; written only by the server; absent = none |
//! | `…[i].field` | Str | `reported_at`, `timeline:<entry id>` or `transition:<index>` |
//! | `…[i].claimed`, `…[i].corrected` | Timestamp | the phone's time and the time recorded instead |

use automerge::transaction::Transactable;
use automerge::{AutomergeError, ObjType, ROOT, ReadDoc, ScalarValue, Value};
use serde::Serialize;

use crate::schema::{MapReader, Result};

/// Room for every timeline entry and transition of a case, each corrected once.
pub const MAX_CORRECTIONS: usize = 2_500;

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ClockCorrection {
    /// Which time: [`CorrectedField`] as text.
    pub field: String,
    pub claimed: i64,
    pub corrected: i64,
}

/// A time of a case that the server may correct.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CorrectedField {
    ReportedAt,
    /// A timeline entry's `at`, by the entry's id (indices move under concurrent appends).
    Timeline(String),
    /// A transition's `at`, by index: the list is append-only.
    Transition(usize),
}

impl std::fmt::Display for CorrectedField {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            CorrectedField::ReportedAt => f.write_str("reported_at"),
            CorrectedField::Timeline(id) => write!(f, "timeline:{id}"),
            CorrectedField::Transition(i) => write!(f, "transition:{i}"),
        }
    }
}

pub(super) fn read_corrections<D: ReadDoc>(root: &MapReader<'_, D>) -> Result<Vec<ClockCorrection>> {
    if !matches!(root.doc.get(&root.obj, "clock_corrections"), Ok(Some(_))) {
        return Ok(Vec::new());
    }
    root.list_of_maps("clock_corrections", MAX_CORRECTIONS)?
        .iter()
        .map(|m| {
            m.only_keys(&["field", "claimed", "corrected"])?;
            Ok(ClockCorrection {
                field: m.str("field", 80)?,
                claimed: m.timestamp("claimed")?,
                corrected: m.timestamp("corrected")?,
            })
        })
        .collect()
}

/// Write `corrected` in place of each claimed time and record the claim. The server's own
/// transaction; phones never write these.
pub fn write_corrections<T: Transactable>(
    tx: &mut T,
    corrections: &[(CorrectedField, i64, i64)],
) -> std::result::Result<(), AutomergeError> {
    for (field, _, corrected) in corrections {
        let at = ScalarValue::Timestamp(*corrected);
        match field {
            CorrectedField::ReportedAt => tx.put(ROOT, "reported_at", at)?,
            CorrectedField::Timeline(id) => {
                if let Some(entry) = entry_where(
                    tx,
                    "timeline",
                    |tx, e| matches!(tx.get(e, "id"), Ok(Some((Value::Scalar(s), _))) if s.as_str() == Some(id.as_str())),
                )? {
                    tx.put(&entry, "at", at)?;
                }
            }
            CorrectedField::Transition(i) => {
                if let Some(l) = list(tx, "transitions")?
                    && let Some((Value::Object(ObjType::Map), entry)) = tx.get(&l, *i)?
                {
                    tx.put(&entry, "at", at)?;
                }
            }
        }
    }
    let log = match list(tx, "clock_corrections")? {
        Some(l) => l,
        None => tx.put_object(ROOT, "clock_corrections", ObjType::List)?,
    };
    for (field, claimed, corrected) in corrections {
        let n = tx.length(&log);
        let m = tx.insert_object(&log, n, ObjType::Map)?;
        tx.put(&m, "field", field.to_string())?;
        tx.put(&m, "claimed", ScalarValue::Timestamp(*claimed))?;
        tx.put(&m, "corrected", ScalarValue::Timestamp(*corrected))?;
    }
    Ok(())
}

fn list<T: Transactable>(tx: &T, key: &str) -> std::result::Result<Option<automerge::ObjId>, AutomergeError> {
    Ok(match tx.get(ROOT, key)? {
        Some((Value::Object(ObjType::List), id)) => Some(id),
        _ => None,
    })
}

fn entry_where<T: Transactable>(
    tx: &T,
    key: &str,
    matches: impl Fn(&T, &automerge::ObjId) -> bool,
) -> std::result::Result<Option<automerge::ObjId>, AutomergeError> {
    let Some(l) = list(tx, key)? else { return Ok(None) };
    for i in 0..tx.length(&l) {
        if let Some((Value::Object(ObjType::Map), e)) = tx.get(&l, i)?
            && matches(tx, &e)
        {
            return Ok(Some(e));
        }
    }
    Ok(None)
}
