//! Reading a petition out of an Automerge document, checking every field's type on the way.

use automerge::{ObjType, ReadDoc, ScalarValue, Value};

use super::*;
use crate::DocId;
use crate::schema::{MapReader, Result, SchemaError};

pub(crate) const ROOT_KEYS: &[&str] = &[
    "schema_version",
    "kind",
    "village",
    "source",
    "petitioner",
    "request",
    "received_at",
    "recorded_by",
    "decision",
    "extension",
    "reply",
    "review",
    "rereview",
    "cases",
    "clock_corrections",
];

/// Read and validate a petition: types, lengths, enums, linked ids, and that the recorded
/// steps make a valid statutory clock.
pub fn read_petition<D: ReadDoc>(doc: &D) -> Result<Petition> {
    let p = read_unchecked(doc)?;
    p.clock().map_err(|e| SchemaError::new("clock", e.to_string()))?;
    Ok(p)
}

/// Every field with its type, without asking whether the steps make a valid clock: the times
/// a phone with a wrong clock wrote may not, until the server has corrected them.
pub fn read_unchecked<D: ReadDoc>(doc: &D) -> Result<Petition> {
    let root = MapReader::root(doc);
    let schema_version = header(&root, ROOT_KEYS, SCHEMA_VERSION, KIND)?;
    let p = Petition {
        schema_version,
        village: root.str("village", 32)?,
        source: root.str("source", 32)?.parse().map_err(|e: String| SchemaError::new("source", e))?,
        petitioner: read_petitioner(&root)?,
        request: non_empty(&root, "request", root.text("request", 5_000)?)?,
        received_at: root.timestamp("received_at")?,
        recorded_by: root.str("recorded_by", 64)?,
        decision: read_decision(&root)?,
        extension: read_extension(&root)?,
        reply: read_reply(&root)?,
        review: read_review(&root, "review")?,
        rereview: read_review(&root, "rereview")?,
        cases: case_ids(&root)?,
        clock_corrections: crate::corrections::read_log(&root)?,
    };
    Ok(p)
}

/// The root's keys, `schema_version` and `kind`, as every record kind checks them; returns the version.
pub(crate) fn header<D: ReadDoc>(
    root: &MapReader<'_, D>,
    keys: &[&str],
    version: i64,
    kind: &str,
) -> Result<i64> {
    root.only_keys(keys)?;
    let v = root.opt_int("schema_version")?.ok_or_else(|| SchemaError::new("schema_version", "missing"))?;
    if v != version {
        return Err(SchemaError::new("schema_version", format!("unsupported version {v}")));
    }
    let k = root.str("kind", 16)?;
    if k != kind {
        return Err(SchemaError::new("kind", format!("expected \"{kind}\", got \"{k}\"")));
    }
    Ok(v)
}

fn non_empty<D: ReadDoc>(m: &MapReader<'_, D>, key: &str, s: String) -> Result<String> {
    if s.trim().is_empty() {
        return Err(SchemaError::new(format!("{}{key}", prefix(m)), "must not be empty"));
    }
    Ok(s)
}

fn prefix<D: ReadDoc>(m: &MapReader<'_, D>) -> String {
    if m.path.is_empty() { String::new() } else { format!("{}.", m.path) }
}

fn read_petitioner<D: ReadDoc>(root: &MapReader<'_, D>) -> Result<Petitioner> {
    let m = root.opt_map("petitioner")?.ok_or_else(|| SchemaError::new("petitioner", "missing"))?;
    m.only_keys(&["name", "phone", "id_no"])?;
    let phone = m.opt_str("phone", 20)?;
    if let Some(ph) = &phone
        && !ph.chars().all(|c| c.is_ascii_digit() || "+- ".contains(c))
    {
        return Err(SchemaError::new("petitioner.phone", "only digits, spaces, + and -"));
    }
    let id_no = m.opt_str("id_no", 18)?;
    if let Some(id) = &id_no
        && !(id.len() == 18
            && id.chars().enumerate().all(|(i, c)| c.is_ascii_digit() || (i == 17 && c == 'X')))
    {
        return Err(SchemaError::new("petitioner.id_no", "18 characters: 17 digits and a digit or X"));
    }
    Ok(Petitioner { name: m.str("name", 50)?, phone, id_no })
}

fn boolean<D: ReadDoc>(m: &MapReader<'_, D>, key: &str) -> Result<bool> {
    match m.scalar(key)? {
        Some(ScalarValue::Boolean(b)) => Ok(b),
        None => Err(SchemaError::new(format!("{}{key}", prefix(m)), "missing")),
        Some(_) => Err(SchemaError::new(format!("{}{key}", prefix(m)), "expected a boolean")),
    }
}

fn read_decision<D: ReadDoc>(root: &MapReader<'_, D>) -> Result<Option<Decision>> {
    let Some(m) = root.opt_map("decision")? else { return Ok(None) };
    m.only_keys(&["accepted", "at", "note"])?;
    Ok(Some(Decision {
        accepted: boolean(&m, "accepted")?,
        at: m.timestamp("at")?,
        note: m.opt_str("note", 500)?,
    }))
}

fn read_extension<D: ReadDoc>(root: &MapReader<'_, D>) -> Result<Option<Extension>> {
    let Some(m) = root.opt_map("extension")? else { return Ok(None) };
    m.only_keys(&["at", "days", "reason"])?;
    let days = m.opt_int("days")?.ok_or_else(|| SchemaError::new("extension.days", "missing"))?;
    Ok(Some(Extension { at: m.timestamp("at")?, days, reason: m.str("reason", 500)? }))
}

fn read_reply<D: ReadDoc>(root: &MapReader<'_, D>) -> Result<Option<Reply>> {
    let Some(m) = root.opt_map("reply")? else { return Ok(None) };
    m.only_keys(&["at", "text"])?;
    Ok(Some(Reply { at: m.timestamp("at")?, text: m.str("text", 5_000)? }))
}

fn read_review<D: ReadDoc>(root: &MapReader<'_, D>, key: &str) -> Result<Option<Review>> {
    let Some(m) = root.opt_map(key)? else { return Ok(None) };
    m.only_keys(&["requested_at", "answered_at", "answer"])?;
    let r = Review {
        requested_at: m.timestamp("requested_at")?,
        answered_at: m.opt_timestamp("answered_at")?,
        answer: m.opt_str("answer", 5_000)?,
    };
    if r.answered_at.is_some() != r.answer.is_some() {
        return Err(SchemaError::new(format!("{key}.answer"), "an answer has both its date and its text"));
    }
    Ok(Some(r))
}

fn case_ids<D: ReadDoc>(root: &MapReader<'_, D>) -> Result<Vec<String>> {
    let ids = str_list(root, "cases", 50, 36)?;
    for (i, id) in ids.iter().enumerate() {
        if id.parse::<DocId>().is_err() {
            return Err(SchemaError::new(format!("cases[{i}]"), "not a document id"));
        }
    }
    Ok(ids)
}

/// A list of immutable strings, at most `max` of at most `max_len` characters each.
pub fn str_list<D: ReadDoc>(
    m: &MapReader<'_, D>,
    key: &str,
    max: usize,
    max_len: usize,
) -> Result<Vec<String>> {
    let path = format!("{}{key}", prefix(m));
    let list = match m.doc.get(&m.obj, key).map_err(|e| SchemaError::new(&path, e.to_string()))? {
        Some((Value::Object(ObjType::List), id)) => id,
        Some(_) => return Err(SchemaError::new(path, "expected a list")),
        None => return Err(SchemaError::new(path, "missing")),
    };
    let len = m.doc.length(&list);
    if len > max {
        return Err(SchemaError::new(path, format!("{len} items, at most {max} allowed")));
    }
    (0..len)
        .map(|i| match m.doc.get(&list, i) {
            Ok(Some((Value::Scalar(s), _))) => match s.as_ref() {
                ScalarValue::Str(s) if !s.trim().is_empty() && s.chars().count() <= max_len => {
                    Ok(s.to_string())
                }
                _ => Err(SchemaError::new(
                    format!("{path}[{i}]"),
                    format!("a string of 1 to {max_len} characters"),
                )),
            },
            _ => Err(SchemaError::new(format!("{path}[{i}]"), "expected a string")),
        })
        .collect()
}
