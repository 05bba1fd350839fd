//! Plain JSON calls and live streams against a running [`TestApp`], for tests of what the HTTP
//! boundary answers rather than of sync.

use std::pin::Pin;
use std::time::Duration;

use futures::{Stream, StreamExt};
use reqwest::StatusCode;
use serde_json::Value;

use crate::TestApp;

/// An open `GET /api/v1/live` stream.
pub struct LiveStream {
    events: Pin<Box<dyn Stream<Item = reqwest::Result<axum::body::Bytes>> + Send>>,
}

impl LiveStream {
    /// The next `feed` event within `wait`, if any (None also when the stream ended).
    pub async fn next_feed(&mut self, wait: Duration) -> Option<String> {
        tokio::time::timeout(wait, async {
            while let Some(Ok(chunk)) = self.events.next().await {
                let text = String::from_utf8_lossy(&chunk).to_string();
                if text.contains("event: feed") {
                    return Some(text);
                }
            }
            None
        })
        .await
        .ok()
        .flatten()
    }

    /// Does the server end the stream within `wait`? Events before the end are skipped.
    pub async fn ends_within(&mut self, wait: Duration) -> bool {
        tokio::time::timeout(wait, async { while let Some(Ok(_)) = self.events.next().await {} })
            .await
            .is_ok()
    }
}

impl TestApp {
    /// `method path` under `/api/v1` as `token`, with an optional JSON body: the status and
    /// the JSON answer (Null when there is none).
    pub async fn api(
        &self,
        method: &str,
        path: &str,
        token: &str,
        body: Option<Value>,
    ) -> (StatusCode, Value) {
        let method = reqwest::Method::from_bytes(method.as_bytes()).expect("an HTTP method");
        let mut req =
            reqwest::Client::new().request(method, format!("{}/api/v1{path}", self.url)).bearer_auth(token);
        if let Some(b) = body {
            req = req.json(&b);
        }
        answer(req).await
    }

    /// `method path` under `/api/v1` as `token` with a body that is not JSON (or is broken
    /// JSON) of `content_type`: the status and the JSON answer (Null when there is none).
    pub async fn api_raw(
        &self,
        method: &str,
        path: &str,
        token: &str,
        content_type: &str,
        body: Vec<u8>,
    ) -> (StatusCode, Value) {
        let method = reqwest::Method::from_bytes(method.as_bytes()).expect("an HTTP method");
        let req = reqwest::Client::new()
            .request(method, format!("{}/api/v1{path}", self.url))
            .bearer_auth(token)
            .header(reqwest::header::CONTENT_TYPE, content_type)
            .body(body);
        answer(req).await
    }

    /// `POST /admin/roster` of a roster file as `token` (`dry_run`: check it, import nothing):
    /// the status and the import report.
    pub async fn upload_roster(
        &self,
        token: &str,
        dry_run: bool,
        content_type: &str,
        file: Vec<u8>,
    ) -> (StatusCode, Value) {
        self.api_raw("POST", &format!("/admin/roster?dry_run={dry_run}"), token, content_type, file).await
    }

    /// `POST /enrol` as a new phone does, with no token: the status and the answer (the new
    /// device's token on success).
    pub async fn enrol_with_code(&self, phone: &str, code: &str, password: &str) -> (StatusCode, Value) {
        let body = serde_json::json!({ "phone": phone, "code": code, "password": password });
        answer(reqwest::Client::new().post(format!("{}/api/v1/enrol", self.url)).json(&body)).await
    }

    /// The device id behind `token`, from `GET /session`.
    pub async fn device_id(&self, token: &str) -> i64 {
        let (status, session) = self.api("GET", "/session", token, None).await;
        assert_eq!(status, StatusCode::OK, "{session}");
        session["device"]["id"].as_i64().expect("a device id")
    }

    /// Open a live stream as `token` and read its greeting. Err: the refusal's status and code.
    pub async fn live_stream(&self, token: &str) -> Result<LiveStream, (StatusCode, Value)> {
        let res = reqwest::Client::new()
            .get(format!("{}/api/v1/live", self.url))
            .bearer_auth(token)
            .send()
            .await
            .expect("the server answers");
        if res.status() != StatusCode::OK {
            let status = res.status();
            return Err((status, res.json().await.unwrap_or(Value::Null)));
        }
        let mut live = LiveStream { events: Box::pin(res.bytes_stream()) };
        assert!(live.next_feed(Duration::from_secs(2)).await.is_some(), "the greeting");
        Ok(live)
    }
}

/// Send `req`: the status and the JSON answer (Null when there is none).
async fn answer(req: reqwest::RequestBuilder) -> (StatusCode, Value) {
    let res = req.send().await.expect("the server answers");
    let status = res.status();
    (status, res.json().await.unwrap_or(Value::Null))
}
