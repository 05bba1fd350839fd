//! The configured channels, built from settings ([`Settings`]): the SMS provider (at most one)
//! and the group robots, one per township or county.
//!
//! | Setting | Meaning |
//! |---|---|
//! | `ANLAN_SMS_PROVIDER` | `aliyun`, `tencent` or `http`; unset: no SMS |
//! | `ANLAN_SMS_TEMPLATE_ID`, `ANLAN_SMS_TEMPLATE_TEXT`, `ANLAN_SMS_TEMPLATE_PARAMS` | the approved template, its wording with `${name}` and its parameter names, comma-separated, in order |
//! | `ANLAN_SMS_SIGN_NAME` | the registered signature (Alibaba, Tencent) |
//! | `ANLAN_PUBLIC_URL` | where people open the app; required when the template has `${link}` |
//! | `ANLAN_ALIYUN_ACCESS_KEY_ID`, `ANLAN_ALIYUN_ACCESS_KEY_SECRET`¹, `ANLAN_ALIYUN_SMS_ENDPOINT` | Alibaba Cloud |
//! | `ANLAN_TENCENT_SECRET_ID`, `ANLAN_TENCENT_SECRET_KEY`¹, `ANLAN_TENCENT_SMS_APP_ID`, `ANLAN_TENCENT_SMS_REGION`, `ANLAN_TENCENT_SMS_ENDPOINT` | Tencent Cloud |
//! | `ANLAN_HTTP_SMS_URL`, `ANLAN_HTTP_SMS_METHOD`, `ANLAN_HTTP_SMS_BODY`, `ANLAN_HTTP_SMS_CONTENT_TYPE`, `ANLAN_HTTP_SMS_TOKEN`¹ | a county gateway |
//! | `ANLAN_HTTP_SMS_RECEIPT_ID` | where the gateway's JSON answer holds its message id (a JSON pointer), for its receipts |
//! | `ANLAN_SMS_RECEIPT_TOKEN`¹ | the secret in the receipt URL `/receipts/<provider>/<token>`; unset: receipts are not taken |
//! | `ANLAN_ROBOTS_FILE` | lines `<unit code> wecom <webhook URL>` or `<unit code> dingtalk <webhook URL> <secret>` |
//!
//! ¹ a secret: the variable, or a file named by the variable with `_FILE` appended.

use std::collections::HashMap;

use super::aliyun::{self, AliyunSms};
use super::config::{ConfigError, Secret, Settings, parse_url};
use super::http_sms::HttpSms;
use super::receipts::ReceiptToken;
use super::robots::{Robot, RobotChannel};
use super::sms_text::SmsTemplate;
use super::tencent::{self, TencentSms};
use super::{Channel, ChannelKind};

/// The SMS channel the settings describe, if any.
pub fn sms(s: &dyn Settings, client: &reqwest::Client) -> Result<Option<Box<dyn Channel>>, ConfigError> {
    let Some(provider) = s.value("ANLAN_SMS_PROVIDER") else { return Ok(None) };
    let params = s.required("ANLAN_SMS_TEMPLATE_PARAMS")?;
    let names: Vec<&str> = params.split(',').map(str::trim).filter(|p| !p.is_empty()).collect();
    let template = SmsTemplate::new(
        &s.value("ANLAN_SMS_TEMPLATE_ID").unwrap_or_default(),
        &s.required("ANLAN_SMS_TEMPLATE_TEXT")?,
        &names,
    )
    .map_err(|e| ConfigError::Invalid { name: "ANLAN_SMS_TEMPLATE_TEXT".into(), reason: e.to_string() })?;
    if template.has_link() {
        // The link is the public URL plus a code: it must fit the segment with the longest one.
        let base = s.required("ANLAN_PUBLIC_URL")?;
        parse_url("ANLAN_PUBLIC_URL", &base)?;
        template.check_links(&base).map_err(|e| ConfigError::Invalid {
            name: "ANLAN_SMS_TEMPLATE_TEXT".into(),
            reason: format!("with the acknowledgement link under ANLAN_PUBLIC_URL: {e}"),
        })?;
    }
    let url =
        |name: &str, default: &str| parse_url(name, &s.value(name).unwrap_or_else(|| default.to_owned()));
    let client = client.clone();
    Ok(Some(match provider.as_str() {
        "aliyun" => Box::new(AliyunSms {
            endpoint: url("ANLAN_ALIYUN_SMS_ENDPOINT", aliyun::DEFAULT_ENDPOINT)?,
            access_key_id: s.required("ANLAN_ALIYUN_ACCESS_KEY_ID")?,
            access_key_secret: s.required_secret("ANLAN_ALIYUN_ACCESS_KEY_SECRET")?,
            sign_name: s.required("ANLAN_SMS_SIGN_NAME")?,
            template: with_id(template, "ANLAN_SMS_TEMPLATE_ID")?,
            client,
        }),
        "tencent" => Box::new(TencentSms {
            endpoint: url("ANLAN_TENCENT_SMS_ENDPOINT", tencent::DEFAULT_ENDPOINT)?,
            region: s.value("ANLAN_TENCENT_SMS_REGION").unwrap_or_else(|| "ap-guangzhou".into()),
            secret_id: s.required("ANLAN_TENCENT_SECRET_ID")?,
            secret_key: s.required_secret("ANLAN_TENCENT_SECRET_KEY")?,
            sdk_app_id: s.required("ANLAN_TENCENT_SMS_APP_ID")?,
            sign_name: s.required("ANLAN_SMS_SIGN_NAME")?,
            template: with_id(template, "ANLAN_SMS_TEMPLATE_ID")?,
            client,
        }),
        "http" => {
            let target = s.required("ANLAN_HTTP_SMS_URL")?;
            parse_url("ANLAN_HTTP_SMS_URL", &target)?;
            let method = s.value("ANLAN_HTTP_SMS_METHOD").unwrap_or_else(|| "POST".into());
            Box::new(HttpSms {
                url: target,
                method: method.to_ascii_uppercase().parse().map_err(|_| ConfigError::Invalid {
                    name: "ANLAN_HTTP_SMS_METHOD".into(),
                    reason: format!("{method:?} is not an HTTP method"),
                })?,
                body: s.value("ANLAN_HTTP_SMS_BODY").unwrap_or_default(),
                content_type: s
                    .value("ANLAN_HTTP_SMS_CONTENT_TYPE")
                    .unwrap_or_else(|| "application/json".into()),
                token: s.secret("ANLAN_HTTP_SMS_TOKEN")?,
                receipt_id: match s.value("ANLAN_HTTP_SMS_RECEIPT_ID") {
                    Some(p) if !p.starts_with('/') => {
                        return Err(ConfigError::Invalid {
                            name: "ANLAN_HTTP_SMS_RECEIPT_ID".into(),
                            reason: format!("{p:?} is not a JSON pointer (such as /data/msgid)"),
                        });
                    }
                    p => p,
                },
                template,
                client,
            })
        }
        other => {
            return Err(ConfigError::Invalid {
                name: "ANLAN_SMS_PROVIDER".into(),
                reason: format!("{other:?} is not aliyun, tencent or http"),
            });
        }
    }))
}

fn with_id(t: SmsTemplate, name: &str) -> Result<SmsTemplate, ConfigError> {
    if t.id.is_empty() { Err(ConfigError::Missing(name.into())) } else { Ok(t) }
}

/// The secret of the receipt URLs, if receipts are taken.
pub fn receipt_token(s: &dyn Settings) -> Result<Option<ReceiptToken>, ConfigError> {
    s.secret("ANLAN_SMS_RECEIPT_TOKEN")?
        .map(|t| {
            ReceiptToken::new(t)
                .map_err(|reason| ConfigError::Invalid { name: "ANLAN_SMS_RECEIPT_TOKEN".into(), reason })
        })
        .transpose()
}

/// The group robots by unit code, from `ANLAN_ROBOTS_FILE` (a secret file: the URLs hold keys).
pub fn robots(
    s: &dyn Settings,
    client: &reqwest::Client,
) -> Result<HashMap<String, RobotChannel>, ConfigError> {
    let Some(path) = s.value("ANLAN_ROBOTS_FILE") else { return Ok(HashMap::new()) };
    let bad = |reason: String| ConfigError::Invalid { name: "ANLAN_ROBOTS_FILE".into(), reason };
    let text = std::fs::read_to_string(&path).map_err(|e| bad(format!("{path}: {e}")))?;
    let mut out = HashMap::new();
    for (n, line) in
        text.lines().enumerate().filter(|(_, l)| !l.trim().is_empty() && !l.trim_start().starts_with('#'))
    {
        let f: Vec<&str> = line.split_whitespace().collect();
        let robot = match f.as_slice() {
            [_, "wecom", url] => Robot::Wecom { webhook: Secret::new(*url) },
            [_, "dingtalk", url, secret] => {
                Robot::Dingtalk { webhook: Secret::new(*url), secret: Secret::new(*secret) }
            }
            _ => {
                return Err(bad(format!(
                    "line {}: want `<unit> wecom <url>` or `<unit> dingtalk <url> <secret>`",
                    n + 1
                )));
            }
        };
        let (Robot::Wecom { webhook } | Robot::Dingtalk { webhook, .. }) = &robot;
        parse_url("ANLAN_ROBOTS_FILE", webhook.expose())
            .map_err(|_| bad(format!("line {}: not an http(s) URL", n + 1)))?;
        if out.insert(f[0].to_owned(), RobotChannel { robot, client: client.clone() }).is_some() {
            return Err(bad(format!("line {}: unit {} has a robot already", n + 1, f[0])));
        }
    }
    Ok(out)
}

/// The channels configured, for the start-up log (never their secrets).
pub fn describe(sms: Option<&dyn Channel>, robots: &HashMap<String, RobotChannel>) -> String {
    let sms = sms.map(|c| c.kind().as_str()).unwrap_or("none");
    let wecom = robots.values().filter(|r| r.kind() == ChannelKind::WecomRobot).count();
    format!("sms: {sms}; robots: {wecom} WeCom, {} DingTalk", robots.len() - wecom)
}
