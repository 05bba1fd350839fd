//! Alibaba Cloud SMS (`dysmsapi`, `SendSms`, API version 2017-05-25), signed with
//! `ACS3-HMAC-SHA256`: the parameters go in the query string, the body is empty.

use std::collections::BTreeMap;
use std::time::Duration;

use super::config::{Secret, host_of};
use super::sign::{acs3, sha256_hex};
use super::sms_text::{SmsParams, SmsTemplate, prepare};
use super::{Address, Attempt, Channel, ChannelKind, SendFuture, execute};
use crate::push::Notification;

pub const DEFAULT_ENDPOINT: &str = "https://dysmsapi.aliyuncs.com/";
const VERSION: &str = "2017-05-25";

pub struct AliyunSms {
    pub endpoint: reqwest::Url,
    pub access_key_id: String,
    pub access_key_secret: Secret,
    /// The registered signature (签名), without the brackets.
    pub sign_name: String,
    pub template: SmsTemplate,
    pub client: reqwest::Client,
}

impl AliyunSms {
    /// The signed request for `phone` at `now` (`x-acs-date`) with `nonce`.
    pub fn request(
        &self,
        phone: &str,
        params: &SmsParams,
        now: chrono::DateTime<chrono::Utc>,
        nonce: &str,
    ) -> reqwest::Request {
        let values: serde_json::Map<String, serde_json::Value> =
            self.template.values(params).into_iter().map(|(k, v)| (k, v.into())).collect();
        let query: BTreeMap<String, String> = [
            ("PhoneNumbers", phone.to_owned()),
            ("SignName", self.sign_name.clone()),
            ("TemplateCode", self.template.id.clone()),
            ("TemplateParam", serde_json::Value::Object(values).to_string()),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v))
        .collect();
        let headers: BTreeMap<String, String> = [
            ("host", host_of(&self.endpoint)),
            ("x-acs-action", "SendSms".to_owned()),
            ("x-acs-content-sha256", sha256_hex(b"")),
            ("x-acs-date", now.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)),
            ("x-acs-signature-nonce", nonce.to_owned()),
            ("x-acs-version", VERSION.to_owned()),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v))
        .collect();
        let signed = acs3(&self.access_key_id, self.access_key_secret.expose(), "POST", &query, &headers);
        let mut url = self.endpoint.clone();
        url.query_pairs_mut().extend_pairs(&query);
        let mut req = self.client.post(url).header("authorization", signed.authorization);
        for (k, v) in headers.iter().filter(|(k, _)| *k != "host") {
            req = req.header(k, v);
        }
        req.build().expect("an Alibaba Cloud request is well-formed")
    }
}

/// Alibaba's answer `Code` → what to do. Per-number frequency limits and API throttling pass;
/// a bad number, template, signature, key or an empty balance does not.
pub fn classify(http_status: u16, code: &str, message: &str, biz_id: Option<String>) -> Attempt {
    match code {
        "OK" => Attempt::Sent { receipt: biz_id, cost_units: 1 },
        "isv.BUSINESS_LIMIT_CONTROL" | "Throttling" | "Throttling.User" | "Throttling.Api" => {
            Attempt::retry(Duration::from_secs(60), format!("{code}: {message}"))
        }
        c if c.starts_with("isp.") || http_status >= 500 => {
            Attempt::retry(Duration::from_secs(30), format!("{code}: {message}"))
        }
        _ => Attempt::failed(format!("{code}: {message}")),
    }
}

impl Channel for AliyunSms {
    fn kind(&self) -> ChannelKind {
        ChannelKind::AliyunSms
    }

    fn send<'a>(&'a self, to: &'a Address, note: &'a Notification) -> SendFuture<'a> {
        Box::pin(async move {
            let (phone, params, _) = match prepare(to, note, &self.template) {
                Ok(p) => p,
                Err(a) => return a,
            };
            let nonce = hex::encode(rand::random::<[u8; 16]>());
            let req = self.request(phone.national(), &params, super::utc_now(), &nonce);
            let resp = match execute(&self.client, req).await {
                Ok(r) => r,
                Err(a) => return a,
            };
            let status = resp.status().as_u16();
            let body: serde_json::Value = super::json_body(resp).await;
            let text = |k: &str| body[k].as_str().unwrap_or_default().to_owned();
            let code = if body["Code"].is_string() { text("Code") } else { format!("HTTP {status}") };
            classify(status, &code, &text("Message"), body["BizId"].as_str().map(str::to_owned))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn throttling_passes_and_a_bad_number_or_template_does_not() {
        assert_eq!(
            classify(200, "OK", "OK", Some("9006^0".into())),
            Attempt::Sent { receipt: Some("9006^0".into()), cost_units: 1 }
        );
        assert!(matches!(
            classify(200, "isv.BUSINESS_LIMIT_CONTROL", "触发分钟级流控", None),
            Attempt::Retry { .. }
        ));
        assert!(matches!(classify(500, "isp.SYSTEM_ERROR", "", None), Attempt::Retry { .. }));
        for code in [
            "isv.MOBILE_NUMBER_ILLEGAL",
            "isv.SMS_TEMPLATE_ILLEGAL",
            "isv.AMOUNT_NOT_ENOUGH",
            "SignatureDoesNotMatch",
        ] {
            assert!(matches!(classify(400, code, "", None), Attempt::Failed { .. }), "{code}");
        }
    }
}
