//! The schema of every document kind as a reader of PROTOCOL.md needs it. The readers
//! (`case::read_case`, `petition::read_petition`, `visit::read_visit`, `sweep::read_report`)
//! enforce it; the tests in `mod.rs` hold these tables to them (keys, what a new case needs).

use super::{At, Field, Kind, Shape};
use crate::case::{Category, Outcome, Severity, Status, TimelineKind, clock, limits, read};
use crate::petition::Source;

fn f(key: &'static str, ty: &'static str, at: At, rule: impl Into<String>) -> Field {
    Field { key, ty, at, rule: rule.into() }
}

use At::{Optional, Required, Server};

pub fn kinds() -> Vec<Kind> {
    vec![case(), petition(), visit(), sweep()]
}

fn case() -> Kind {
    let mime = read::MIME_TYPES.iter().map(|m| format!("`{m}`")).collect::<Vec<_>>().join(", ");
    Kind {
        kind: crate::case::KIND,
        title: "Case",
        root: vec![
            f("schema_version", "Int or Uint", Required, "`1`; immutable"),
            f("kind", "Str", Required, "`\"case\"`; immutable"),
            f("case_no", "Str ≤ 40", Server, "written once by the server in a sealed change (`永安-2026-000123`)"),
            f("village", "Str ≤ 32", Required, "org-unit code of a village in the writer's jurisdiction; immutable"),
            f("category", "Str", Required, "enum `category`"),
            f("severity", "Str", Required, "enum `severity`"),
            f("status", "Str", Required, "enum `status`; `reported` at creation"),
            f("title", "Str", Required, "1–100 characters, not blank"),
            f("description", "Text", Required, "see Limits"),
            f("parties", "List of Map `party`", Required, "see Limits"),
            f("reporter", "Str ≤ 64", Required, "user id; the creating user; immutable"),
            f("reported_at", "Timestamp", Required, "immutable (the server may correct it, §11)"),
            f("location", "Map `location` or Null", Optional, ""),
            f("timeline", "List of Map `timeline entry`", Required, "see Limits"),
            f("attachments", "List of Map `attachment`", Required, "see Limits"),
            f("responsible_leader", "Str ≤ 64 or Null", Optional, "user id (`docs/permissions.md`)"),
            f("handler", "Str ≤ 64 or Null", Optional, "user id (`docs/permissions.md`)"),
            f("deadline", "Timestamp or Null", Optional, "a calendar day in Beijing time"),
            f("transitions", "List of Map `transition`", Optional, "append-only: one entry with every status change, by its author; see Limits"),
            f("outcome", "Str or Null", Optional, "enum `outcome`; set when closing, cleared when reopening"),
            f("closing_note", "Str ≤ 2,000 or Null", Optional, ""),
            f("resolution_plan", "Text", Optional, "see Limits"),
            f("clock_corrections", "List of Map `clock correction`", Server, "written only by the server (§11); absent = none"),
        ],
        shapes: vec![
            Shape::new("party", "`parties[i]`", vec![
                f("name", "Str ≤ 50", Required, "not blank"),
                f("phone", "Str ≤ 20", Optional, "digits, spaces, `+` and `-` only"),
                f("note", "Str ≤ 200", Optional, ""),
            ]),
            Shape::new("location", "`location`", vec![
                f("lat", "F64 or Int", Required, "−90 to 90"),
                f("lon", "F64 or Int", Required, "−180 to 180"),
                f("accuracy_m", "F64 or Int", Optional, "metres"),
            ]),
            Shape::new("timeline entry", "`timeline[i]`", vec![
                f("id", "Str ≤ 64", Required, "unique in the case"),
                f("kind", "Str", Required, "enum `timeline kind`"),
                f("at", "Timestamp", Required, "the server may correct it (§11)"),
                f("by", "Str ≤ 64", Required, "user id of the author"),
                f("text", "Str ≤ 2,000", Optional, ""),
                f("attachment", "Str", Optional, "on `mediation` entries: the `sha256` of the signed agreement in `attachments`"),
            ]),
            Shape::new("attachment", "`attachments[i]`", vec![
                f("sha256", "Str", Required, "64 lowercase hex digits: the blob's hash (Blobs, §7)"),
                f("mime", "Str", Required, format!("one of {mime}")),
                f("size", "Int or Uint", Required, "bytes, 1 to 20 MiB"),
                f("name", "Str ≤ 100", Optional, ""),
            ]),
            Shape::new("transition", "`transitions[i]`", vec![
                f("from", "Str", Required, "enum `status`"),
                f("to", "Str", Required, "enum `status`"),
                f("by", "Str ≤ 64", Required, "user id of the author"),
                f("at", "Timestamp", Required, "the server may correct it (§11)"),
                f("outcome", "Str", Optional, "enum `outcome`; when closing"),
                f("note", "Str ≤ 2,000", Optional, ""),
            ]),
            Shape::new("clock correction", "`clock_corrections[i]`", vec![
                f("field", "Str ≤ 80", Required, "`reported_at`, `timeline:<entry id>` or `transition:<index>`"),
                f("claimed", "Timestamp", Required, "what the phone wrote"),
                f("corrected", "Timestamp", Required, "what the server recorded instead"),
            ]),
        ],
        enums: vec![
            ("category", Category::ALL.iter().map(|c| c.as_str()).collect()),
            ("severity", Severity::ALL.iter().map(|c| c.as_str()).collect()),
            ("status", Status::ALL.iter().map(|c| c.as_str()).collect()),
            ("timeline kind", TimelineKind::ALL.iter().map(|c| c.as_str()).collect()),
            ("outcome", Outcome::ALL.iter().map(|c| c.as_str()).collect()),
        ],
        notes: vec![
            format!("`clock_corrections` holds at most {} entries.", super::thousands(clock::MAX_CORRECTIONS)),
            "Computed by the server, never in the document (the case's JSON in `GET /api/v1/cases/{doc}`): \
             `conflicts: [{field, values}]` (a field holding concurrent values), `over_limits: [{field, count, \
             limit}]` (a field over its product limit, see Limits), `needs_confirmation` (closed concurrently with \
             different outcomes), `agreements: [{entry, sha256}]`."
                .into(),
        ],
        limits: limits::ALL.to_vec(),
    }
}

fn petition() -> Kind {
    Kind {
        kind: crate::petition::KIND,
        title: "Petition item",
        root: vec![
            f("schema_version", "Int or Uint", Required, "`1`; immutable"),
            f("kind", "Str", Required, "`\"petition\"`; immutable"),
            f("village", "Str", Required, "org-unit code the item concerns; immutable"),
            f("source", "Str", Required, "enum `source`"),
            f("petitioner", "Map `{name, phone?, id_no?}`", Required, ""),
            f("request", "Text", Required, "1–5,000 characters"),
            f("received_at", "Timestamp", Required, "immutable: the statutory clock starts here"),
            f("recorded_by", "Str", Required, "user id; the creating user; immutable"),
            f("decision", "Map `{accepted: Boolean, at: Timestamp, note?: Str}` or Null", Optional, "recorded once"),
            f("extension", "Map `{at: Timestamp, days: Int 1–30, reason: Str}` or Null", Optional, "recorded once"),
            f("reply", "Map `{at: Timestamp, text: Str}` or Null", Optional, "recorded once"),
            f("review", "Map `{requested_at: Timestamp, answered_at?: Timestamp, answer?: Str}` or Null", Optional, "recorded once"),
            f("rereview", "Map, as `review`, or Null", Optional, "recorded once"),
            f("cases", "List of Str", Required, "case document ids; ≤ 50"),
            f("clock_corrections", "List of Map `record clock correction`", Server, "written only by the server (§11.1); absent = none"),
        ],
        shapes: vec![Shape::new("record clock correction", "`clock_corrections[i]` (petitions, visits, sweep reports)", vec![
            f("field", "Str", Required, "the corrected time's path from the root, keys joined by `.` (`decision.at`, `date`, `nil.<user id>`)"),
            f("claimed", "Timestamp", Required, "what the phone wrote"),
            f("corrected", "Timestamp", Required, "what the server recorded instead"),
            f("confirmed", "Timestamp", Optional, "with `confirmed_by`: the date a leader confirmed (petitions; now in place)"),
            f("confirmed_by", "Str", Optional, "user id of the confirming leader"),
        ])],
        enums: vec![("source", Source::ALL.iter().map(|s| s.as_str()).collect())],
        notes: vec![
            "The recorded steps must make a valid statutory clock (`rules/petition.rs`, `Clock::replay`): \
             a reply needs an acceptance, a review asked after day 30 is refused, an extension is granted once."
                .into(),
        ],
        limits: vec![],
    }
}

fn visit() -> Kind {
    Kind {
        kind: crate::visit::KIND,
        title: "Downward visit",
        root: vec![
            f("schema_version", "Int or Uint", Required, "`1`; immutable"),
            f("kind", "Str", Required, "`\"visit\"`; immutable"),
            f("village", "Str", Required, "org-unit code of the village visited; immutable"),
            f("leader", "Str", Required, "the visiting leader's name, 1–50 characters"),
            f("recorded_by", "Str", Required, "user id; the creating user; immutable"),
            f("date", "Timestamp", Required, ""),
            f("people_met", "List of Str", Required, "≤ 200 names"),
            f("cases", "List of Str", Required, "case document ids of disputes found; ≤ 50"),
            f("resolved", "Int", Required, "settled on the spot, 0–1,000"),
            f("notes", "Text", Required, "≤ 5,000 characters"),
            f(
                "clock_corrections",
                "List of Map `record clock correction`",
                Server,
                "written only by the server (§11.1); absent = none",
            ),
        ],
        shapes: vec![],
        enums: vec![],
        notes: vec![],
        limits: vec![],
    }
}

fn sweep() -> Kind {
    Kind {
        kind: crate::sweep::KIND,
        title: "Sweep report",
        root: vec![
            f("schema_version", "Int or Uint", Required, "`1`; immutable"),
            f("kind", "Str", Required, "`\"sweep_report\"`; immutable"),
            f("campaign", "Str", Required, "campaign id; immutable; with `village` it fixes the document id"),
            f("village", "Str", Required, "village code; immutable"),
            f(
                "found",
                "Map: case doc id → Map `{by: Str, at: Timestamp}`",
                Required,
                "cases found; entries are never removed",
            ),
            f(
                "nil",
                "Map: user id → Timestamp",
                Required,
                "\"无新增矛盾纠纷\": who said so and when; never removed",
            ),
            f("notes", "Text", Required, "≤ 2,000 characters"),
            f("reporters", "Map: user id → Timestamp", Required, "who reported, each person's latest edit"),
            f(
                "clock_corrections",
                "List of Map `record clock correction`",
                Server,
                "written only by the server (§11.1); absent = none",
            ),
        ],
        shapes: vec![],
        enums: vec![],
        notes: vec![
            "The document id is derived from the campaign and the village, and the document starts with a \
             genesis change every device builds byte for byte alike (actor = the document id, seq 1, time 0, \
             no dependencies, no message): `sweep::report_id`, `sweep::genesis`."
                .into(),
        ],
        limits: vec![],
    }
}
