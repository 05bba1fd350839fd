//! Typed reads of Automerge values.
//!
//! Automerge accepts any value anywhere, and the JS library turns a plain string into a
//! collaborative Text object. So every read here names the exact Automerge type it expects and
//! fails with the field's path otherwise; nothing is coerced.

use automerge::{ObjId, ObjType, ReadDoc, ScalarValue, Value};

/// Why a document is not a valid record. `path` is the field (`parties[2].phone`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{path}: {problem}")]
pub struct SchemaError {
    pub path: String,
    pub problem: String,
}

impl SchemaError {
    pub fn new(path: impl Into<String>, problem: impl Into<String>) -> Self {
        Self { path: path.into(), problem: problem.into() }
    }
}

pub type Result<T> = std::result::Result<T, SchemaError>;

/// A cursor over one map object of a document, carrying its path for error messages.
///
/// The map's entries are read in one pass when the cursor is made: Automerge seeks a key from
/// the start of the object's operations every time it is asked for one, and a case asks for
/// two dozen (a fifth of a new case's CPU went to those seeks).
pub struct MapReader<'a, D: ReadDoc> {
    pub doc: &'a D,
    pub obj: ObjId,
    pub path: String,
    /// Every visible key, sorted.
    entries: Vec<Entry<'a>>,
}

/// One key's winning value; `conflict` when concurrent writers left others beside it.
struct Entry<'a> {
    key: std::borrow::Cow<'a, str>,
    value: Value<'static>,
    id: ObjId,
    conflict: bool,
}

impl<'a, D: ReadDoc> MapReader<'a, D> {
    pub fn root(doc: &'a D) -> Self {
        Self::at(doc, automerge::ROOT, String::new())
    }

    fn at(doc: &'a D, obj: ObjId, path: String) -> Self {
        let mut entries: Vec<Entry<'a>> = doc
            .map_range(&obj, ..)
            .map(|item| Entry {
                id: item.id(),
                key: item.key,
                value: item.value.into(),
                conflict: item.conflict,
            })
            .collect();
        // Automerge's key order is its own business; the lookups need Rust's.
        entries.sort_unstable_by(|a, b| a.key.cmp(&b.key));
        Self { doc, obj, path, entries }
    }

    fn entry(&self, key: &str) -> Option<&Entry<'a>> {
        self.entries.binary_search_by(|e| e.key.as_ref().cmp(key)).ok().map(|i| &self.entries[i])
    }

    fn field_path(&self, key: &str) -> String {
        if self.path.is_empty() { key.to_string() } else { format!("{}.{key}", self.path) }
    }

    fn err(&self, key: &str, problem: impl Into<String>) -> SchemaError {
        SchemaError::new(self.field_path(key), problem)
    }

    fn raw(&self, key: &str) -> Option<(Value<'static>, ObjId)> {
        self.entry(key).map(|e| (e.value.clone(), e.id.clone()))
    }

    /// Every key present must be one the schema knows: an unknown key is a client bug or an
    /// attempt to smuggle data past the projection.
    pub fn only_keys(&self, allowed: &[&str]) -> Result<()> {
        match self.entries.iter().find(|e| !allowed.contains(&e.key.as_ref())) {
            Some(e) => Err(self.err(&e.key, "unknown field")),
            None => Ok(()),
        }
    }

    pub fn scalar(&self, key: &str) -> Result<Option<ScalarValue>> {
        match self.raw(key) {
            None => Ok(None),
            Some((Value::Scalar(s), _)) => Ok(Some(s.into_owned())),
            Some((Value::Object(t), _)) => Err(self.err(key, format!("expected a scalar, got {t:?}"))),
        }
    }

    /// An immutable string (`ImmutableString` in JS) of at most `max` characters.
    pub fn opt_str(&self, key: &str, max: usize) -> Result<Option<String>> {
        match self.scalar(key)? {
            None | Some(ScalarValue::Null) => Ok(None),
            Some(ScalarValue::Str(s)) => {
                let n = s.chars().count();
                if n > max {
                    return Err(self.err(key, format!("{n} characters, at most {max} allowed")));
                }
                Ok(Some(s.to_string()))
            }
            Some(other) => Err(self.err(key, format!("expected a string, got {}", kind(&other)))),
        }
    }

    pub fn str(&self, key: &str, max: usize) -> Result<String> {
        match self.opt_str(key, max)? {
            Some(s) if !s.trim().is_empty() => Ok(s),
            Some(_) => Err(self.err(key, "must not be empty")),
            None => Err(self.err(key, "missing")),
        }
    }

    pub fn opt_timestamp(&self, key: &str) -> Result<Option<i64>> {
        match self.scalar(key)? {
            None | Some(ScalarValue::Null) => Ok(None),
            Some(ScalarValue::Timestamp(ms)) => Ok(Some(ms)),
            Some(other) => Err(self.err(key, format!("expected a timestamp, got {}", kind(&other)))),
        }
    }

    pub fn timestamp(&self, key: &str) -> Result<i64> {
        self.opt_timestamp(key)?.ok_or_else(|| self.err(key, "missing"))
    }

    /// JS numbers arrive as Int when whole and F64 otherwise, so numbers accept both.
    pub fn opt_number(&self, key: &str) -> Result<Option<f64>> {
        match self.scalar(key)? {
            None | Some(ScalarValue::Null) => Ok(None),
            Some(ScalarValue::F64(x)) if x.is_finite() => Ok(Some(x)),
            Some(ScalarValue::Int(i)) => Ok(Some(i as f64)),
            Some(ScalarValue::Uint(u)) => Ok(Some(u as f64)),
            Some(other) => Err(self.err(key, format!("expected a number, got {}", kind(&other)))),
        }
    }

    pub fn opt_int(&self, key: &str) -> Result<Option<i64>> {
        match self.scalar(key)? {
            None | Some(ScalarValue::Null) => Ok(None),
            Some(ScalarValue::Int(i)) => Ok(Some(i)),
            Some(ScalarValue::Uint(u)) => {
                i64::try_from(u).map(Some).map_err(|_| self.err(key, "integer too large"))
            }
            Some(other) => Err(self.err(key, format!("expected an integer, got {}", kind(&other)))),
        }
    }

    fn object(&self, key: &str, want: ObjType) -> Result<Option<ObjId>> {
        match self.raw(key) {
            None => Ok(None),
            Some((Value::Scalar(s), _)) if s.is_null() => Ok(None),
            Some((Value::Object(t), id)) if t == want => Ok(Some(id)),
            Some((v, _)) => Err(self.err(key, format!("expected {want:?}, got {}", value_kind(&v)))),
        }
    }

    /// A collaborative Text object of at most `max` characters.
    pub fn text(&self, key: &str, max: usize) -> Result<String> {
        let Some(id) = self.object(key, ObjType::Text)? else {
            return Err(self.err(key, "missing"));
        };
        let s = self.doc.text(&id).map_err(|e| self.err(key, e.to_string()))?;
        let n = s.chars().count();
        if n > max {
            return Err(self.err(key, format!("{n} characters, at most {max} allowed")));
        }
        Ok(s)
    }

    pub fn opt_map(&self, key: &str) -> Result<Option<MapReader<'a, D>>> {
        Ok(self.object(key, ObjType::Map)?.map(|obj| MapReader::at(self.doc, obj, self.field_path(key))))
    }

    /// A list whose items are all maps, at most `max` of them.
    pub fn list_of_maps(&self, key: &str, max: usize) -> Result<Vec<MapReader<'a, D>>> {
        let Some(list) = self.object(key, ObjType::List)? else {
            return Err(self.err(key, "missing"));
        };
        let len = self.doc.length(&list);
        if len > max {
            return Err(self.err(key, format!("{len} items, at most {max} allowed")));
        }
        let mut out = Vec::with_capacity(len);
        for i in 0..len {
            let path = format!("{}[{i}]", self.field_path(key));
            match self.doc.get(&list, i).map_err(|e| SchemaError::new(&path, e.to_string()))? {
                Some((Value::Object(ObjType::Map), obj)) => out.push(MapReader::at(self.doc, obj, path)),
                Some((v, _)) => {
                    return Err(SchemaError::new(path, format!("expected a map, got {}", value_kind(&v))));
                }
                None => return Err(SchemaError::new(path, "missing")),
            }
        }
        Ok(out)
    }

    /// Every value the field holds: more than one when people set it concurrently and nobody
    /// has picked one since. Automerge's own `get` returns a deterministic winner and hides the
    /// rest, which is exactly what leaders must not miss.
    pub fn concurrent_scalars(&self, key: &str) -> Vec<ScalarValue> {
        match self.entry(key) {
            None => return vec![],
            Some(Entry { value: Value::Scalar(s), conflict: false, .. }) => {
                return vec![s.clone().into_owned()];
            }
            Some(Entry { conflict: false, .. }) => return vec![],
            Some(_) => {}
        }
        self.doc
            .get_all(&self.obj, key)
            .unwrap_or_default()
            .into_iter()
            .filter_map(|(v, _)| match v {
                Value::Scalar(s) => Some(s.into_owned()),
                Value::Object(_) => None,
            })
            .collect()
    }
}

fn kind(s: &ScalarValue) -> &'static str {
    match s {
        ScalarValue::Bytes(_) => "bytes",
        ScalarValue::Str(_) => "a string",
        ScalarValue::Int(_) | ScalarValue::Uint(_) => "an integer",
        ScalarValue::F64(_) => "a number",
        ScalarValue::Counter(_) => "a counter",
        ScalarValue::Timestamp(_) => "a timestamp",
        ScalarValue::Boolean(_) => "a boolean",
        ScalarValue::Unknown { .. } => "an unknown type",
        ScalarValue::Null => "null",
    }
}

fn value_kind(v: &Value<'_>) -> String {
    match v {
        Value::Scalar(s) => kind(s).to_string(),
        Value::Object(t) => format!("{t:?}"),
    }
}
