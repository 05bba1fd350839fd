//! A county's own SMS gateway over HTTP: a URL, a method and a body template in which
//! `{phone}` and `{text}` are replaced (JSON-escaped for a JSON body, percent-encoded for a form
//! or query). Any 2xx is taken as sent; 429 and 5xx pass; anything else is a failure.

use std::time::Duration;

use super::config::Secret;
use super::sign::percent_encode;
use super::sms_text::{SmsTemplate, prepare};
use super::{Address, Attempt, Channel, ChannelKind, SendFuture, execute};
use crate::push::{Notification, parse_retry_after};

pub struct HttpSms {
    pub url: String,
    pub method: reqwest::Method,
    /// E.g. `{"to":"{phone}","text":"{text}"}`; empty for a GET with everything in the URL.
    pub body: String,
    pub content_type: String,
    /// Sent as `Authorization: Bearer …` when set.
    pub token: Option<Secret>,
    pub template: SmsTemplate,
    /// Where the gateway's JSON answer holds its id for the message (a JSON pointer such as
    /// `/data/msgid`), to match the delivery receipts it posts later; `None`: it posts none.
    pub receipt_id: Option<String>,
    pub client: reqwest::Client,
}

impl HttpSms {
    pub fn request(&self, phone: &str, text: &str) -> Result<reqwest::Request, String> {
        let json = self.content_type.contains("json");
        let fill = |template: &str, escape: &dyn Fn(&str) -> String| {
            template.replace("{phone}", &escape(phone)).replace("{text}", &escape(text))
        };
        let json_escape = |s: &str| {
            let quoted = serde_json::Value::from(s).to_string();
            quoted[1..quoted.len() - 1].to_owned()
        };
        let url = fill(&self.url, &percent_encode);
        let body = if json { fill(&self.body, &json_escape) } else { fill(&self.body, &percent_encode) };
        let mut req = self.client.request(self.method.clone(), url);
        if !body.is_empty() {
            req = req.header("content-type", &self.content_type).body(body);
        }
        if let Some(t) = &self.token {
            req = req.bearer_auth(t.expose());
        }
        req.build().map_err(|e| format!("gateway request unusable: {e}"))
    }
}

/// The gateway's id for the message at `pointer` in its answer, a string or a number.
fn message_id(answer: &serde_json::Value, pointer: &str) -> Option<String> {
    match answer.pointer(pointer)? {
        serde_json::Value::String(s) if !s.is_empty() => Some(s.clone()),
        serde_json::Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

impl Channel for HttpSms {
    fn kind(&self) -> ChannelKind {
        ChannelKind::HttpSms
    }

    fn send<'a>(&'a self, to: &'a Address, note: &'a Notification) -> SendFuture<'a> {
        Box::pin(async move {
            let (phone, _, text) = match prepare(to, note, &self.template) {
                Ok(p) => p,
                Err(a) => return a,
            };
            let req = match self.request(phone.national(), &text) {
                Ok(r) => r,
                Err(e) => return Attempt::failed(e),
            };
            let resp = match execute(&self.client, req).await {
                Ok(r) => r,
                Err(a) => return a,
            };
            let status = resp.status();
            let wait = resp
                .headers()
                .get("retry-after")
                .and_then(|v| v.to_str().ok())
                .and_then(|v| parse_retry_after(v, std::time::SystemTime::now()));
            match status.as_u16() {
                200..=299 => {
                    let receipt = match &self.receipt_id {
                        Some(pointer) => message_id(&super::json_body(resp).await, pointer),
                        None => None,
                    };
                    Attempt::Sent { receipt, cost_units: 1 }
                }
                429 => {
                    Attempt::retry(wait.unwrap_or(Duration::from_secs(60)), "gateway: 429 Too Many Requests")
                }
                500..=599 => {
                    Attempt::retry(wait.unwrap_or(Duration::from_secs(30)), format!("gateway: {status}"))
                }
                _ => Attempt::failed(format!("gateway: {status}")),
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_gateways_message_id_is_read_where_the_pointer_says_as_text_or_number() {
        let answer = serde_json::json!({ "data": { "msgid": "g-17", "n": 42 }, "empty": "" });
        assert_eq!(message_id(&answer, "/data/msgid").as_deref(), Some("g-17"));
        assert_eq!(message_id(&answer, "/data/n").as_deref(), Some("42"));
        assert_eq!(message_id(&answer, "/empty"), None);
        assert_eq!(message_id(&answer, "/missing"), None);
        assert_eq!(message_id(&serde_json::Value::Null, "/id"), None);
    }
}
