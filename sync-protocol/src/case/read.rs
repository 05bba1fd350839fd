//! Reading a case out of an Automerge document, checking every field's type on the way.

use automerge::{ReadDoc, ScalarValue};

use super::*;
use crate::schema::{MapReader, Result};

pub(crate) const ROOT_KEYS: &[&str] = &[
    "schema_version",
    "kind",
    "case_no",
    "village",
    "category",
    "severity",
    "status",
    "title",
    "description",
    "parties",
    "reporter",
    "reported_at",
    "location",
    "timeline",
    "attachments",
    "responsible_leader",
    "handler",
    "deadline",
    "transitions",
    "outcome",
    "closing_note",
    "resolution_plan",
    "clock_corrections",
];

/// Fields whose concurrent values are surfaced as [`Conflict`]s. Text and lists merge by
/// themselves; these scalars are last-writer-wins in Automerge and need a person to pick.
const CONFLICT_FIELDS: &[&str] = &[
    "category",
    "severity",
    "status",
    "title",
    "responsible_leader",
    "handler",
    "deadline",
    "outcome",
    "closing_note",
];

/// Read and validate a case. Fails on the first field that is missing, of the wrong Automerge
/// type, out of its enum or over a hard limit; lists the fields over their product limit
/// (see [`limits`]).
pub fn read_case<D: ReadDoc>(doc: &D) -> Result<Case> {
    let root = MapReader::root(doc);
    root.only_keys(ROOT_KEYS)?;
    let schema_version =
        root.opt_int("schema_version")?.ok_or_else(|| SchemaError::new("schema_version", "missing"))?;
    if schema_version != SCHEMA_VERSION {
        return Err(SchemaError::new("schema_version", format!("unsupported version {schema_version}")));
    }
    let kind = root.str("kind", 16)?;
    if kind != KIND {
        return Err(SchemaError::new("kind", format!("expected \"{KIND}\", got \"{kind}\"")));
    }
    let conflicts = read_conflicts(&root);
    let outcome_conflict = conflicts.iter().any(|c| c.field == "outcome");
    let mut case = Case {
        schema_version,
        case_no: root.opt_str("case_no", 40)?,
        village: root.str("village", 32)?,
        category: parse_enum(&root, "category")?,
        severity: parse_enum(&root, "severity")?,
        status: parse_enum(&root, "status")?,
        title: root.str("title", 100)?,
        description: root.text("description", limits::DESCRIPTION.hard)?,
        parties: read_parties(&root)?,
        reporter: root.str("reporter", 64)?,
        reported_at: root.timestamp("reported_at")?,
        location: read_location(&root)?,
        timeline: read_timeline(&root)?,
        attachments: read_attachments(&root)?,
        responsible_leader: root.opt_str("responsible_leader", 64)?,
        handler: root.opt_str("handler", 64)?,
        deadline: root.opt_timestamp("deadline")?,
        conflicts,
        clock_corrections: super::clock::read_corrections(&root)?,
        work: super::casework::read_casework(&root, outcome_conflict)?,
        over_limits: Vec::new(),
    };
    case.over_limits = limits::over(&case);
    Ok(case)
}

fn parse_enum<D: ReadDoc, E: std::str::FromStr<Err = String>>(m: &MapReader<'_, D>, key: &str) -> Result<E> {
    m.str(key, 32)?.parse().map_err(|e: String| SchemaError::new(key, e))
}

fn read_parties<D: ReadDoc>(root: &MapReader<'_, D>) -> Result<Vec<Party>> {
    root.list_of_maps("parties", limits::PARTIES.hard)?
        .iter()
        .map(|p| {
            p.only_keys(&["name", "phone", "note"])?;
            let phone = p.opt_str("phone", 20)?;
            if let Some(ph) = &phone
                && !ph.chars().all(|c| c.is_ascii_digit() || "+- ".contains(c))
            {
                return Err(SchemaError::new(format!("{}.phone", p.path), "only digits, spaces, + and -"));
            }
            Ok(Party { name: p.str("name", 50)?, phone, note: p.opt_str("note", 200)? })
        })
        .collect()
}

fn read_location<D: ReadDoc>(root: &MapReader<'_, D>) -> Result<Option<Location>> {
    let Some(m) = root.opt_map("location")? else {
        return Ok(None);
    };
    m.only_keys(&["lat", "lon", "accuracy_m"])?;
    let need =
        |k: &str| m.opt_number(k)?.ok_or_else(|| SchemaError::new(format!("{}.{k}", m.path), "missing"));
    let (lat, lon) = (need("lat")?, need("lon")?);
    if !(-90.0..=90.0).contains(&lat) || !(-180.0..=180.0).contains(&lon) {
        return Err(SchemaError::new(&m.path, "latitude or longitude out of range"));
    }
    Ok(Some(Location { lat, lon, accuracy_m: m.opt_number("accuracy_m")? }))
}

fn read_timeline<D: ReadDoc>(root: &MapReader<'_, D>) -> Result<Vec<TimelineEntry>> {
    root.list_of_maps("timeline", limits::TIMELINE.hard)?
        .iter()
        .map(|e| {
            e.only_keys(&["id", "kind", "at", "by", "text", "attachment"])?;
            Ok(TimelineEntry {
                id: e.str("id", 64)?,
                kind: parse_enum(e, "kind")?,
                at: e.timestamp("at")?,
                by: e.str("by", 64)?,
                text: e.opt_str("text", 2_000)?.unwrap_or_default(),
            })
        })
        .collect()
}

pub(crate) const MIME_TYPES: &[&str] = &["image/jpeg", "image/png", "image/webp", "application/pdf"];
pub(crate) const MAX_ATTACHMENT_BYTES: i64 = 20 * 1024 * 1024;

fn read_attachments<D: ReadDoc>(root: &MapReader<'_, D>) -> Result<Vec<Attachment>> {
    root.list_of_maps("attachments", limits::ATTACHMENTS.hard)?
        .iter()
        .map(|a| {
            a.only_keys(&["sha256", "mime", "size", "name"])?;
            let sha256 = a.str("sha256", 64)?;
            if sha256.len() != 64 || !sha256.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
            {
                return Err(SchemaError::new(format!("{}.sha256", a.path), "64 lowercase hex digits"));
            }
            let mime = a.str("mime", 40)?;
            if !MIME_TYPES.contains(&mime.as_str()) {
                return Err(SchemaError::new(
                    format!("{}.mime", a.path),
                    format!("one of {}", MIME_TYPES.join(", ")),
                ));
            }
            let size =
                a.opt_int("size")?.ok_or_else(|| SchemaError::new(format!("{}.size", a.path), "missing"))?;
            if !(1..=MAX_ATTACHMENT_BYTES).contains(&size) {
                return Err(SchemaError::new(format!("{}.size", a.path), "1 byte to 20 MiB"));
            }
            Ok(Attachment { sha256, mime, size, name: a.opt_str("name", 100)? })
        })
        .collect()
}

fn read_conflicts<D: ReadDoc>(root: &MapReader<'_, D>) -> Vec<Conflict> {
    CONFLICT_FIELDS
        .iter()
        .filter_map(|field| {
            // The same value written twice concurrently (two people closing) is no disagreement.
            let mut values: Vec<String> = root.concurrent_scalars(field).iter().map(scalar_text).collect();
            values.sort();
            values.dedup();
            (values.len() > 1).then(|| Conflict { field: (*field).to_string(), values })
        })
        .collect()
}

fn scalar_text(v: &ScalarValue) -> String {
    match v {
        ScalarValue::Str(s) => s.to_string(),
        ScalarValue::Timestamp(ms) => ms.to_string(),
        ScalarValue::Null => String::new(),
        other => other.to_string(),
    }
}
