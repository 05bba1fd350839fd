//! Tencent Cloud SMS (`SendSms`, API version 2021-01-11), signed with `TC3-HMAC-SHA256`: a JSON
//! body, the action and version in `X-TC-*` headers. Template parameters are positional.

use std::time::Duration;

use super::config::{Secret, host_of};
use super::sign::tc3;
use super::sms_text::{SmsParams, SmsTemplate, prepare};
use super::{Address, Attempt, Channel, ChannelKind, SendFuture, execute};
use crate::push::Notification;

pub const DEFAULT_ENDPOINT: &str = "https://sms.tencentcloudapi.com/";
const VERSION: &str = "2021-01-11";
const CONTENT_TYPE: &str = "application/json; charset=utf-8";

pub struct TencentSms {
    pub endpoint: reqwest::Url,
    pub region: String,
    pub secret_id: String,
    pub secret_key: Secret,
    pub sdk_app_id: String,
    pub sign_name: String,
    pub template: SmsTemplate,
    pub client: reqwest::Client,
}

impl TencentSms {
    /// The signed request for `phone` (E.164) at `timestamp` (Unix seconds).
    pub fn request(&self, phone: &str, params: &SmsParams, timestamp: i64) -> reqwest::Request {
        let body = serde_json::json!({
            "PhoneNumberSet": [phone],
            "SmsSdkAppId": self.sdk_app_id,
            "SignName": self.sign_name,
            "TemplateId": self.template.id,
            "TemplateParamSet": self.template.values(params).into_iter().map(|(_, v)| v).collect::<Vec<_>>(),
        })
        .to_string();
        let host = host_of(&self.endpoint);
        let signed = tc3(
            &self.secret_id,
            self.secret_key.expose(),
            "sms",
            &host,
            CONTENT_TYPE,
            body.as_bytes(),
            timestamp,
        );
        self.client
            .post(self.endpoint.clone())
            .header("authorization", signed.authorization)
            .header("content-type", CONTENT_TYPE)
            .header("x-tc-action", "SendSms")
            .header("x-tc-version", VERSION)
            .header("x-tc-region", &self.region)
            .header("x-tc-timestamp", timestamp.to_string())
            .body(body)
            .build()
            .expect("a Tencent Cloud request is well-formed")
    }
}

/// Tencent's error or per-number status `Code` → what to do. The 30-second and one-hour
/// per-number limits and request throttling pass; the daily limit, a bad number, an
/// unapproved template or signature, bad keys or an empty package do not.
pub fn classify(code: &str, message: &str, serial: Option<String>, fee: u32) -> Attempt {
    let reason = || format!("{code}: {message}");
    match code {
        "Ok" => Attempt::Sent { receipt: serial, cost_units: fee.max(1) },
        "LimitExceeded.PhoneNumberThirtySecondLimit" => Attempt::retry(Duration::from_secs(30), reason()),
        "LimitExceeded.PhoneNumberOneHourLimit" => Attempt::retry(Duration::from_secs(3600), reason()),
        "RequestLimitExceeded" => Attempt::retry(Duration::from_secs(5), reason()),
        c if c.starts_with("InternalError") => Attempt::retry(Duration::from_secs(30), reason()),
        _ => Attempt::failed(reason()),
    }
}

impl Channel for TencentSms {
    fn kind(&self) -> ChannelKind {
        ChannelKind::TencentSms
    }

    fn send<'a>(&'a self, to: &'a Address, note: &'a Notification) -> SendFuture<'a> {
        Box::pin(async move {
            let (phone, params, _) = match prepare(to, note, &self.template) {
                Ok(p) => p,
                Err(a) => return a,
            };
            let req = self.request(&phone.e164(), &params, super::utc_now().timestamp());
            let resp = match execute(&self.client, req).await {
                Ok(r) => r,
                Err(a) => return a,
            };
            let status = resp.status().as_u16();
            let body: serde_json::Value = super::json_body(resp).await;
            let r = &body["Response"];
            let text = |v: &serde_json::Value| v.as_str().unwrap_or_default().to_owned();
            if r["Error"].is_object() {
                return classify(&text(&r["Error"]["Code"]), &text(&r["Error"]["Message"]), None, 0);
            }
            let Some(s) = r["SendStatusSet"].get(0) else {
                let reason = format!("HTTP {status}: no send status in the answer");
                return if status >= 500 {
                    Attempt::retry(Duration::from_secs(30), reason)
                } else {
                    Attempt::failed(reason)
                };
            };
            let fee = s["Fee"].as_u64().unwrap_or(1) as u32;
            classify(&text(&s["Code"]), &text(&s["Message"]), s["SerialNo"].as_str().map(str::to_owned), fee)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_limits_pass_and_a_bad_number_template_or_the_daily_limit_do_not() {
        assert_eq!(
            classify("Ok", "send success", Some("2640:1".into()), 1),
            Attempt::Sent { receipt: Some("2640:1".into()), cost_units: 1 }
        );
        assert!(matches!(
            classify("LimitExceeded.PhoneNumberThirtySecondLimit", "", None, 0),
            Attempt::Retry { .. }
        ));
        assert!(matches!(classify("InternalError.Timeout", "", None, 0), Attempt::Retry { .. }));
        for code in [
            "InvalidParameterValue.IncorrectPhoneNumber",
            "FailedOperation.TemplateIncorrectOrUnapproved",
            "LimitExceeded.PhoneNumberDailyLimit",
            "AuthFailure.SignatureFailure",
        ] {
            assert!(matches!(classify(code, "", None, 0), Attempt::Failed { .. }), "{code}");
        }
    }
}
