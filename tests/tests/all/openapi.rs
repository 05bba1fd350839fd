//! The OpenAPI description: served to anyone, the same as the committed `docs/openapi.json`
//! (which the PWA's types are generated from), and naming no operation the server does not route.

use anlan_tests::device::now_ms;
use anlan_tests::*;
use automerge::transaction::Transactable;
use serde_json::Value;
use sync_protocol::case::Severity;

const COMMITTED: &str = include_str!("../../../docs/openapi.json");

async fn served(app: &TestApp) -> Value {
    let res = reqwest::get(format!("{}/api/v1/openapi.json", app.url)).await.unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["content-type"], "application/json");
    res.json().await.unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_served_description_is_the_committed_one_and_needs_no_sign_in() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let doc = served(&app).await;
    let committed: serde_json::Value = serde_json::from_str(COMMITTED).unwrap();
    assert!(doc == committed, "docs/openapi.json differs from what the server serves");
    assert_eq!(doc["openapi"], "3.1.0");
}

/// Without a token every signed-in operation answers 401, and the open ones answer for
/// themselves: none may meet the router's "no such path" (404) or "no such method" (405).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_described_operation_is_routed() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let doc = served(&app).await;
    let client = reqwest::Client::new();
    let mut seen = 0;
    for (path, item) in doc["paths"].as_object().unwrap() {
        // Parameters by a value each would accept: a number serves for ids and hashes alike.
        let concrete: String =
            path.split('/').map(|s| if s.starts_with('{') { "1" } else { s }).collect::<Vec<_>>().join("/");
        for method in item.as_object().unwrap().keys() {
            let method: reqwest::Method = method.to_uppercase().parse().unwrap();
            let url = format!("{}/api/v1{concrete}", app.url);
            let res = client.request(method.clone(), &url).send().await.unwrap();
            let status = res.status().as_u16();
            assert!(status != 404 && status != 405, "{method} {path}: {status}");
            seen += 1;
        }
    }
    assert!(seen > 40, "only {seen} operations described");
}

/// Where `body` breaks `schema` (the JSON Schema of OpenAPI 3.1, as much of it as this document
/// uses), one line each. `whole`: the schema is all there is of the object, so a key it does not
/// describe is a misfit too (a part of an `allOf` describes only some keys).
fn misfits(doc: &Value, schema: &Value, body: &Value, at: &str, whole: bool, out: &mut Vec<String>) {
    if let Some(name) = schema["$ref"].as_str().and_then(|r| r.strip_prefix("#/components/schemas/")) {
        return misfits(doc, &doc["components"]["schemas"][name], body, at, whole, out);
    }
    for part in schema["allOf"].as_array().into_iter().flatten() {
        misfits(doc, part, body, at, false, out);
    }
    if let Some(any) = schema["oneOf"].as_array() {
        let fits = |s: &Value| {
            let mut o = Vec::new();
            misfits(doc, s, body, at, whole, &mut o);
            o.is_empty()
        };
        if !any.iter().any(fits) {
            out.push(format!("{at}: fits none of its oneOf"));
        }
    }
    let is = match body {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(n) if n.is_f64() => "number",
        Value::Number(_) => "integer",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    };
    let types: Vec<&str> = match &schema["type"] {
        Value::Array(a) => a.iter().filter_map(Value::as_str).collect(),
        t => t.as_str().into_iter().collect(),
    };
    if !types.is_empty() && !types.iter().any(|t| *t == is || (*t, is) == ("number", "integer")) {
        return out.push(format!("{at}: {is}, described as {types:?}"));
    }
    if schema["enum"].as_array().is_some_and(|values| !values.contains(body)) {
        out.push(format!("{at}: {body} is not one of {}", schema["enum"]));
    }
    if let Value::Array(list) = body {
        for (i, v) in list.iter().enumerate() {
            misfits(doc, &schema["items"], v, &format!("{at}[{i}]"), true, out);
        }
    }
    let Value::Object(obj) = body else { return };
    for key in schema["required"].as_array().into_iter().flatten().filter_map(Value::as_str) {
        if !obj.contains_key(key) {
            out.push(format!("{at}.{key}: required, absent"));
        }
    }
    for (key, s) in schema["properties"].as_object().into_iter().flatten() {
        if let Some(v) = obj.get(key) {
            misfits(doc, s, v, &format!("{at}.{key}"), true, out);
        }
    }
    if let Some(keys) = whole.then(|| described(doc, schema)).flatten() {
        out.extend(obj.keys().filter(|k| !keys.contains(*k)).map(|k| format!("{at}.{k}: not described")));
    }
}

/// The keys an object schema describes; `None` when it allows others (or is a choice).
fn described(doc: &Value, schema: &Value) -> Option<Vec<String>> {
    if let Some(name) = schema["$ref"].as_str().and_then(|r| r.strip_prefix("#/components/schemas/")) {
        return described(doc, &doc["components"]["schemas"][name]);
    }
    if schema.get("oneOf").is_some() || schema.get("additionalProperties").is_some_and(|a| a != false) {
        return None;
    }
    let mut keys: Vec<String> =
        schema["properties"].as_object().into_iter().flatten().map(|(k, _)| k.clone()).collect();
    for part in schema["allOf"].as_array().into_iter().flatten() {
        keys.extend(described(doc, part)?);
    }
    Some(keys)
}

/// The answers whose types the page uses, read from a server holding a case with a history:
/// every one fits its description exactly (no required field absent, no field undescribed),
/// so the PWA's generated types say what the page really receives.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_answers_fit_their_descriptions() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let doc = served(&app).await;
    let mut officer = app.device(OFFICER);
    officer.login().await.unwrap();
    let case = officer.create(&officer.new_case(PUTOU, Severity::Major, "山林权属纠纷"));
    officer.sync().await.unwrap();
    let mut leader = app.device(LEADER);
    leader.login().await.unwrap();
    leader.sync().await.unwrap();
    leader.edit(case, |tx| tx.put(automerge::ROOT, "responsible_leader", "u_demo_leader"));
    leader.sync().await.unwrap();
    let now = now_ms();
    let today = &sync_protocol::calendar::beijing_rfc3339(now)[..10];
    let asked = [
        ("/cases", "/cases?limit=10".to_string()),
        ("/cases/{doc}", format!("/cases/{case}")),
        ("/cases/{doc}/history", format!("/cases/{case}/history")),
        ("/cases/{doc}/as-of", format!("/cases/{case}/as-of?at={now}")),
        ("/stats", format!("/stats?from={today}&to={today}")),
        ("/me/alert-channels", "/me/alert-channels".to_string()),
        ("/campaigns", "/campaigns".to_string()),
    ];
    for (described_as, path) in asked {
        let (status, body) = app.api_get(LEADER, &path).await;
        assert_eq!(status, 200, "{path}: {body}");
        let mut out = Vec::new();
        misfits(&doc, answer(&doc, described_as), &body, described_as, true, &mut out);
        assert!(out.is_empty(), "{path}:\n{}", out.join("\n"));
    }
    // And the check can fail: a case without its title, or with a key nobody described.
    let (_, mut one) = app.api_get(LEADER, &format!("/cases/{case}")).await;
    one.as_object_mut().unwrap().remove("title");
    one["shadow"] = 1.into();
    let mut out = Vec::new();
    misfits(&doc, answer(&doc, "/cases/{doc}"), &one, "case", true, &mut out);
    assert_eq!(out, ["case.title: required, absent", "case.shadow: not described"]);
    app.stop().await;
}

/// The schema of `GET {path}`'s JSON answer.
fn answer<'a>(doc: &'a Value, path: &str) -> &'a Value {
    let schema = &doc["paths"][path]["get"]["responses"]["200"]["content"]["application/json"]["schema"];
    assert!(schema.is_object(), "{path} has no JSON answer described");
    schema
}
