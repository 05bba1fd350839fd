//! Reading a sweep report with the exact Automerge type of every field.

use std::collections::BTreeMap;

use automerge::{ObjType, ReadDoc, ScalarValue, Value};

use super::*;
use crate::schema::{MapReader, Result, SchemaError};

pub(crate) const ROOT_KEYS: &[&str] = &[
    "schema_version",
    "kind",
    "campaign",
    "village",
    "found",
    "nil",
    "notes",
    "reporters",
    "clock_corrections",
];

/// Read and validate a report; fails on the first field that is missing or mistyped.
pub fn read_report<D: ReadDoc>(doc: &D) -> Result<SweepReport> {
    let root = MapReader::root(doc);
    root.only_keys(ROOT_KEYS)?;
    let version =
        root.opt_int("schema_version")?.ok_or_else(|| SchemaError::new("schema_version", "missing"))?;
    if version != SCHEMA_VERSION {
        return Err(SchemaError::new("schema_version", format!("{version} is not supported; expected 1")));
    }
    if root.str("kind", 32)? != KIND {
        return Err(SchemaError::new("kind", "expected \"sweep_report\""));
    }
    let campaign = root.str("campaign", MAX_CAMPAIGN_ID)?;
    let village = root.str("village", 32)?;
    let found_map = map(&root, "found")?;
    let mut found = BTreeMap::new();
    for key in doc.keys(&found_map.obj) {
        if key.parse::<DocId>().is_err() {
            return Err(SchemaError::new(format!("found.{key}"), "expected a case document id"));
        }
        let entry = map(&found_map, &key)?;
        entry.only_keys(&["by", "at"])?;
        found.insert(key, Found { by: entry.str("by", 64)?, at: entry.timestamp("at")? });
    }
    if found.len() > MAX_FOUND {
        return Err(SchemaError::new("found", format!("{} cases, at most {MAX_FOUND}", found.len())));
    }
    let nil = people(&map(&root, "nil")?)?;
    let reporters = people(&map(&root, "reporters")?)?;
    let notes = root.text("notes", MAX_NOTES)?;
    let clock_corrections = crate::corrections::read_log(&root)?;
    Ok(SweepReport { campaign, village, found, nil, notes, reporters, clock_corrections })
}

fn map<'a, D: ReadDoc>(m: &MapReader<'a, D>, key: &str) -> Result<MapReader<'a, D>> {
    let path = if m.path.is_empty() { key.to_string() } else { format!("{}.{key}", m.path) };
    m.opt_map(key)?.ok_or_else(|| SchemaError::new(path, "missing"))
}

/// A map of user id → Timestamp.
fn people<D: ReadDoc>(m: &MapReader<'_, D>) -> Result<BTreeMap<String, i64>> {
    let mut out = BTreeMap::new();
    for key in m.doc.keys(&m.obj) {
        let path = format!("{}.{key}", m.path);
        if key.is_empty() || key.chars().count() > 64 {
            return Err(SchemaError::new(path, "expected a user id"));
        }
        match m.doc.get(&m.obj, key.as_str()).map_err(|e| SchemaError::new(&path, e.to_string()))? {
            Some((Value::Scalar(s), _)) => match s.as_ref() {
                ScalarValue::Timestamp(ms) => out.insert(key, *ms),
                _ => return Err(SchemaError::new(path, "expected a timestamp")),
            },
            Some((Value::Object(t), _)) => {
                let t: ObjType = t;
                return Err(SchemaError::new(path, format!("expected a timestamp, got {t:?}")));
            }
            None => return Err(SchemaError::new(path, "missing")),
        };
    }
    Ok(out)
}
