//! Group robots: a WeCom (企业微信) group robot webhook and a DingTalk (钉钉) custom robot, one
//! group per township or county. The webhook URL carries the robot's key, so it is a secret.
//! Both take `{"msgtype":"text","text":{"content":…}}` and answer `{"errcode":0,…}`.

use std::time::Duration;

use super::config::Secret;
use super::sign::dingtalk;
use super::sms_text::SmsParams;
use super::{Address, Attempt, Channel, ChannelKind, SendFuture, execute};
use crate::push::Notification;

/// What a group is told: the same facts as an SMS, no names, phones or titles.
pub fn robot_text(p: &SmsParams) -> String {
    format!(
        "【安澜】{}：{} {}（{}，{}）。请负责同志尽快在安澜中知悉并处置。",
        p.kind, p.township, p.case_no, p.category, p.severity
    )
}

pub enum Robot {
    Wecom {
        webhook: Secret,
    },
    /// `secret` is the robot's 加签 secret (`SEC…`).
    Dingtalk {
        webhook: Secret,
        secret: Secret,
    },
}

pub struct RobotChannel {
    pub robot: Robot,
    pub client: reqwest::Client,
}

impl RobotChannel {
    /// The request for `text` at `now_ms` (DingTalk signs the timestamp).
    pub fn request(&self, text: &str, now_ms: i64) -> Result<reqwest::Request, String> {
        let body = serde_json::json!({ "msgtype": "text", "text": { "content": text } });
        let url = match &self.robot {
            Robot::Wecom { webhook } => webhook.expose().to_owned(),
            Robot::Dingtalk { webhook, secret } => {
                let sep = if webhook.expose().contains('?') { '&' } else { '?' };
                format!(
                    "{}{sep}timestamp={now_ms}&sign={}",
                    webhook.expose(),
                    dingtalk(now_ms, secret.expose())
                )
            }
        };
        self.client
            .post(url)
            .header("content-type", "application/json")
            .body(body.to_string())
            .build()
            .map_err(|e| format!("robot webhook unusable: {e}"))
    }
}

/// `errcode` → what to do. WeCom's 45009 and DingTalk's 130101 are "too many messages";
/// anything else non-zero (a wrong key or sign, a removed robot) is for good.
pub fn classify(kind: ChannelKind, errcode: i64, errmsg: &str) -> Attempt {
    match (kind, errcode) {
        (_, 0) => Attempt::Sent { receipt: None, cost_units: 0 },
        (ChannelKind::WecomRobot, 45009) | (ChannelKind::DingtalkRobot, 130101) => {
            Attempt::retry(Duration::from_secs(60), format!("{errcode}: {errmsg}"))
        }
        _ => Attempt::failed(format!("{errcode}: {errmsg}")),
    }
}

impl Channel for RobotChannel {
    fn kind(&self) -> ChannelKind {
        match self.robot {
            Robot::Wecom { .. } => ChannelKind::WecomRobot,
            Robot::Dingtalk { .. } => ChannelKind::DingtalkRobot,
        }
    }

    fn send<'a>(&'a self, to: &'a Address, note: &'a Notification) -> SendFuture<'a> {
        Box::pin(async move {
            let Address::Group = to else { return Attempt::failed("a robot posts to its group") };
            let Some(params) = SmsParams::from_notification(note) else {
                return Attempt::failed("only alerts about a case go to groups");
            };
            let req = match self.request(&robot_text(&params), crate::store::now_ms()) {
                Ok(r) => r,
                Err(e) => return Attempt::failed(e),
            };
            let resp = match execute(&self.client, req).await {
                Ok(r) => r,
                Err(a) => return a,
            };
            let status = resp.status();
            if status.is_server_error() {
                return Attempt::retry(Duration::from_secs(30), format!("robot: {status}"));
            }
            let body: serde_json::Value = super::json_body(resp).await;
            match body["errcode"].as_i64() {
                Some(code) => classify(self.kind(), code, body["errmsg"].as_str().unwrap_or_default()),
                None => Attempt::failed(format!("robot: {status} without an errcode")),
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_group_message_names_place_case_and_category_and_nobody() {
        let p = SmsParams {
            case_no: "永安-2026-000123".into(),
            township: "曹远镇".into(),
            category: "土地".into(),
            severity: "紧急".into(),
            kind: "紧急案件".into(),
            link: String::new(),
        };
        assert_eq!(
            robot_text(&p),
            "【安澜】紧急案件：曹远镇 永安-2026-000123（土地，紧急）。请负责同志尽快在安澜中知悉并处置。"
        );
    }

    #[test]
    fn too_many_messages_passes_and_a_wrong_key_does_not() {
        assert!(matches!(
            classify(ChannelKind::WecomRobot, 45009, "api freq out of limit"),
            Attempt::Retry { .. }
        ));
        assert!(matches!(
            classify(ChannelKind::DingtalkRobot, 130101, "send too fast"),
            Attempt::Retry { .. }
        ));
        assert!(matches!(
            classify(ChannelKind::DingtalkRobot, 310000, "sign not match"),
            Attempt::Failed { .. }
        ));
        assert!(matches!(
            classify(ChannelKind::WecomRobot, 93000, "invalid webhook url"),
            Attempt::Failed { .. }
        ));
    }
}
