//! A tolerant JSON view of Automerge values: whatever a key holds, of whatever type, becomes
//! JSON. The history and the as-of view must show any state, including ones the strict
//! `read_case` would refuse (a phone that wrote a field with the wrong type and was fixed later).

use automerge::{ObjId, ObjType, ReadDoc, ScalarValue, Value};
use serde_json::Value as Json;

/// The JSON of `v` (found at `id`), objects recursively.
pub fn json<D: ReadDoc>(doc: &D, v: &Value<'_>, id: &ObjId) -> Json {
    match v {
        Value::Scalar(s) => scalar(s),
        Value::Object(ObjType::Text) => Json::String(doc.text(id).unwrap_or_default()),
        Value::Object(ObjType::List) => {
            Json::Array((0..doc.length(id)).map(|i| at(doc, id, i).unwrap_or(Json::Null)).collect())
        }
        Value::Object(ObjType::Map | ObjType::Table) => {
            let mut m = serde_json::Map::new();
            for key in doc.keys(id) {
                if let Ok(Some((v, child))) = doc.get(id, key.as_str()) {
                    m.insert(key, json(doc, &v, &child));
                }
            }
            Json::Object(m)
        }
    }
}

/// The JSON of element `index` of the list `list`, if there is one.
fn at<D: ReadDoc>(doc: &D, list: &ObjId, index: usize) -> Option<Json> {
    doc.get(list, index).ok().flatten().map(|(v, id)| json(doc, &v, &id))
}

/// Timestamps become milliseconds since the epoch, as everywhere in the API.
pub fn scalar(s: &ScalarValue) -> Json {
    match s {
        ScalarValue::Str(s) => Json::String(s.to_string()),
        ScalarValue::Int(i) | ScalarValue::Timestamp(i) => (*i).into(),
        ScalarValue::Uint(u) => (*u).into(),
        ScalarValue::F64(f) => serde_json::Number::from_f64(*f).map_or(Json::Null, Json::Number),
        ScalarValue::Counter(c) => i64::from(c).into(),
        ScalarValue::Boolean(b) => (*b).into(),
        ScalarValue::Bytes(b) => Json::String(hex::encode(b)),
        ScalarValue::Unknown { type_code, .. } => Json::String(format!("<unknown type {type_code}>")),
        ScalarValue::Null => Json::Null,
    }
}

/// How a value reads in a history: strings (and Text) as themselves, absent or null as nothing,
/// anything else as compact JSON.
pub fn shown(v: Option<&Json>) -> Option<String> {
    match v? {
        Json::Null => None,
        Json::String(s) => Some(s.clone()),
        other => Some(other.to_string()),
    }
}

/// One list element in words: a follow-up as "visit · u_1: 走访了当事人", anything else as JSON.
pub fn entry(v: &Json) -> String {
    let text = v.get("text").and_then(Json::as_str);
    match (v.get("kind").and_then(Json::as_str), v.get("by").and_then(Json::as_str), text) {
        (Some(kind), Some(by), Some(text)) => format!("{kind} · {by}: {text}"),
        _ => shown(Some(v)).unwrap_or_default(),
    }
}

/// The whole document as JSON, for the as-of view when the strict reading refuses it.
pub fn document<D: ReadDoc>(doc: &D) -> Json {
    json(doc, &Value::Object(ObjType::Map), &automerge::ROOT)
}

#[cfg(test)]
mod tests {
    use super::*;
    use automerge::transaction::Transactable;
    use automerge::{AutoCommit, ROOT};

    #[test]
    fn any_type_anywhere_becomes_json() {
        let mut doc = AutoCommit::new();
        doc.put(ROOT, "severity", 7_i64).unwrap();
        let t = doc.put_object(ROOT, "description", ObjType::Text).unwrap();
        doc.splice_text(&t, 0, 0, "现场").unwrap();
        let l = doc.put_object(ROOT, "timeline", ObjType::List).unwrap();
        let m = doc.insert_object(&l, 0, ObjType::Map).unwrap();
        doc.put(&m, "at", ScalarValue::Timestamp(5)).unwrap();
        let v = document(&doc);
        assert_eq!(v, serde_json::json!({"severity": 7, "description": "现场", "timeline": [{"at": 5}]}));
        assert_eq!(shown(v.get("description")).as_deref(), Some("现场"));
        assert_eq!(shown(v.get("timeline")).as_deref(), Some(r#"[{"at":5}]"#));
        assert_eq!(shown(v.get("missing")), None);
    }

    #[test]
    fn a_follow_up_reads_as_words() {
        let e = serde_json::json!({"id": "t1", "kind": "visit", "at": 1, "by": "u_1", "text": "走访"});
        assert_eq!(entry(&e), "visit · u_1: 走访");
        assert_eq!(entry(&serde_json::json!({"name": "张三"})), r#"{"name":"张三"}"#);
    }
}
