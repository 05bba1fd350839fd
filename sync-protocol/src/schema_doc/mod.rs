//! The document schemas of PROTOCOL.md §8, rendered from [`tables`] as markdown between
//! `<!-- generated:schema -->` and `<!-- /generated:schema -->`. The tests hold the tables
//! to the readers, and PROTOCOL.md to the tables: after changing a schema, run
//! `ANLAN_UPDATE_DOCS=1 cargo test -p sync-protocol protocol_md` to rewrite the section.

mod tables;
#[cfg(test)]
mod tests;

use std::fmt::Write;

use crate::case::limits::Limit;

pub const BEGIN: &str = "<!-- generated:schema -->";
pub const END: &str = "<!-- /generated:schema -->";

/// Whether a field must be there when the document is created.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum At {
    /// Missing or mistyped: the new document is refused (`schema`).
    Required,
    /// May be absent (or Null where the type allows it).
    Optional,
    /// Written by the server only; a device never writes it.
    Server,
}

#[derive(Debug, Clone)]
pub struct Field {
    pub key: &'static str,
    /// The Automerge type, as the JS API names it (`Str` is an `ImmutableString`).
    pub ty: &'static str,
    pub at: At,
    pub rule: String,
}

/// A map nested in a document (a list item, an optional object).
#[derive(Debug, Clone)]
pub struct Shape {
    pub name: &'static str,
    pub path: &'static str,
    pub fields: Vec<Field>,
}

impl Shape {
    fn new(name: &'static str, path: &'static str, fields: Vec<Field>) -> Shape {
        Shape { name, path, fields }
    }
}

#[derive(Debug, Clone)]
pub struct Kind {
    pub kind: &'static str,
    pub title: &'static str,
    pub root: Vec<Field>,
    pub shapes: Vec<Shape>,
    pub enums: Vec<(&'static str, Vec<&'static str>)>,
    pub notes: Vec<String>,
    pub limits: Vec<Limit>,
}

pub use tables::kinds;

/// The generated section, markers included.
pub fn render() -> String {
    let mut out = format!(
        "{BEGIN}\n<!-- Generated from sync-protocol/src/schema_doc; to change it, change the code and run \
         `ANLAN_UPDATE_DOCS=1 cargo test -p sync-protocol protocol_md`. -->\n\n"
    );
    out.push_str(
        "Types are Automerge's: `Str` is a scalar string (`new A.ImmutableString(s)` in JS), `Text` the \
         collaborative text object, `Timestamp` a `Date`, `Int`/`Uint`/`F64` numbers, `Null` an explicit \
         null. *At creation*: **required** — a new document without it (or with another type) is \
         `rejected/schema`; *optional* — may be absent; *server* — written by the server only. No other \
         key is allowed at any level (`unknown field`).\n",
    );
    for kind in kinds() {
        render_kind(&mut out, &kind);
    }
    out.push_str(END);
    out
}

fn render_kind(out: &mut String, k: &Kind) {
    let _ = write!(out, "\n#### {} (`kind: \"{}\"`)\n\n", k.title, k.kind);
    table(out, &k.root);
    for s in &k.shapes {
        let _ = write!(out, "\n`{}` ({}):\n\n", s.name, s.path);
        table(out, &s.fields);
    }
    if !k.enums.is_empty() {
        out.push('\n');
        for (name, values) in &k.enums {
            let values: Vec<String> = values.iter().map(|v| format!("`{v}`")).collect();
            let _ = writeln!(out, "- enum `{name}`: {}", values.join(", "));
        }
    }
    if !k.limits.is_empty() {
        out.push_str("\nLimits (characters for Text, items for lists; what soft and hard mean is under **Limits** above):\n\n");
        out.push_str("| field | product limit (soft) | hard limit |\n|---|---|---|\n");
        for l in &k.limits {
            let _ = writeln!(out, "| `{}` | {} | {} |", l.field, thousands(l.soft), thousands(l.hard));
        }
    }
    if !k.notes.is_empty() {
        for n in &k.notes {
            let _ = write!(out, "\n{n}\n");
        }
    }
}

fn table(out: &mut String, fields: &[Field]) {
    out.push_str("| key | Automerge type | at creation | rule |\n|---|---|---|---|\n");
    for f in fields {
        let at = match f.at {
            At::Required => "**required**",
            At::Optional => "optional",
            At::Server => "server",
        };
        let _ = writeln!(out, "| `{}` | {} | {at} | {} |", f.key, f.ty, f.rule);
    }
}

fn thousands(n: usize) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// `doc` with its generated section replaced by [`render`]; `None` without both markers.
pub fn splice(doc: &str) -> Option<String> {
    let start = doc.find(BEGIN)?;
    let end = doc.find(END)? + END.len();
    (start < end).then(|| format!("{}{}{}", &doc[..start], render(), &doc[end..]))
}
