//! What an SMS alert says. Mainland SMS goes out only on a template the provider approved, under
//! a registered signature (【…】), with the variable parts passed as named parameters. Those
//! parameters are the few non-personal facts of the push payload — case number, township,
//! category, severity — so no name, phone or title can reach an SMS. The whole text must fit one
//! 70-character segment: a longer text is billed (and may arrive) as two. A template may also
//! carry `${link}`, the alert's one-use acknowledgement link (`/a/<code>`, see `crate::alerts`).

use super::{Address, Attempt, Phone};
use crate::push::{AlertKind, AlertPayload, Notification};
use crate::stats::summary::{category_label, severity_label};

/// One segment of a Chinese SMS (UCS-2): 70 characters, signature included.
pub const SEGMENT_CHARS: usize = 70;

/// The parameter names a template may use.
pub const PARAM_NAMES: [&str; 6] = ["case_no", "township", "category", "severity", "kind", "link"];

/// The characters of a link's code (128 bits in base64url), after `<public URL>/a/`.
pub const LINK_CODE_CHARS: usize = 22;

/// The values of an alert's template parameters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SmsParams {
    pub case_no: String,
    pub township: String,
    pub category: String,
    pub severity: String,
    pub kind: String,
    /// The acknowledgement link, empty where none was issued.
    pub link: String,
}

impl SmsParams {
    pub fn from_alert(p: &AlertPayload) -> Self {
        Self {
            case_no: p.case_no.clone().unwrap_or_else(|| "待编号".into()),
            township: p.township.clone(),
            category: category_label(p.category.as_str()).to_owned(),
            severity: severity_label(p.severity.as_str()).to_owned(),
            kind: match p.kind {
                AlertKind::Urgent => "紧急案件",
                AlertKind::Escalation => "超时未知悉",
                AlertKind::Reminder => "已逾期",
                AlertKind::DueSoon => "即将到期",
                AlertKind::Chase => "催办",
            }
            .to_owned(),
            link: p.ack_link.clone().unwrap_or_default(),
        }
    }

    /// Only alerts about a case go by SMS; reminders about petitions and sweeps wait for the app.
    pub fn from_notification(note: &Notification) -> Option<Self> {
        match note {
            Notification::Case(p) => Some(Self::from_alert(p)),
            Notification::Petition(_) | Notification::Sweep(_) => None,
        }
    }

    pub fn get(&self, name: &str) -> Option<&str> {
        Some(match name {
            "case_no" => &self.case_no,
            "township" => &self.township,
            "category" => &self.category,
            "severity" => &self.severity,
            "kind" => &self.kind,
            "link" => &self.link,
            _ => return None,
        })
    }
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum TemplateError {
    #[error("SMS template parameter {0:?} is not one of case_no, township, category, severity, kind, link")]
    UnknownParam(String),
    #[error("SMS template text does not use parameter {0:?} it declares")]
    Unused(String),
    #[error("SMS would be {0} characters: over the {SEGMENT_CHARS} of one segment")]
    TooLong(usize),
}

/// An approved template: its id at the provider, its wording (signature included, parameters
/// as `${name}`, as the provider's console shows it), and its parameter names in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SmsTemplate {
    pub id: String,
    pub text: String,
    pub params: Vec<String>,
}

impl SmsTemplate {
    pub fn new(id: &str, text: &str, params: &[&str]) -> Result<Self, TemplateError> {
        for p in params {
            if !PARAM_NAMES.contains(p) {
                return Err(TemplateError::UnknownParam((*p).to_owned()));
            }
            if !text.contains(&format!("${{{p}}}")) {
                return Err(TemplateError::Unused((*p).to_owned()));
            }
        }
        let t = Self {
            id: id.to_owned(),
            text: text.to_owned(),
            params: params.iter().map(|p| p.to_string()).collect(),
        };
        // The longest a real alert can make it: the longest labels, a long case number and
        // township. Refused at start-up rather than at 3 a.m.
        let worst = SmsParams {
            case_no: "永安镇-2026-000123".into(),
            township: "某某某镇".into(),
            category: "补偿和后扶资金".into(),
            severity: "较大".into(),
            kind: "超时未知悉".into(),
            link: String::new(),
        };
        t.render(&worst)?;
        Ok(t)
    }

    /// Does the template carry the acknowledgement link?
    pub fn has_link(&self) -> bool {
        self.params.iter().any(|p| p == "link")
    }

    /// Check the template again with the longest link under `public_url` in it.
    pub fn check_links(&self, public_url: &str) -> Result<(), TemplateError> {
        let link = format!("{}/a/{}", public_url.trim_end_matches('/'), "x".repeat(LINK_CODE_CHARS));
        let worst = SmsParams {
            case_no: "永安镇-2026-000123".into(),
            township: "某某某镇".into(),
            category: "补偿和后扶资金".into(),
            severity: "较大".into(),
            kind: "超时未知悉".into(),
            link,
        };
        self.render(&worst).map(|_| ())
    }

    /// The values in the template's parameter order.
    pub fn values(&self, p: &SmsParams) -> Vec<(String, String)> {
        self.params.iter().map(|n| (n.clone(), p.get(n).unwrap_or_default().to_owned())).collect()
    }

    /// The text the phone shows, if it fits one segment.
    pub fn render(&self, p: &SmsParams) -> Result<String, TemplateError> {
        let mut text = self.text.clone();
        for (name, value) in self.values(p) {
            text = text.replace(&format!("${{{name}}}"), &value);
        }
        let n = text.chars().count();
        if n > SEGMENT_CHARS {
            return Err(TemplateError::TooLong(n));
        }
        Ok(text)
    }
}

/// The phone, parameters and text of an SMS about `note` to `to`, or the failed attempt it
/// would be (not a phone; not about a case; too long for one segment).
pub fn prepare<'a>(
    to: &'a Address,
    note: &Notification,
    template: &SmsTemplate,
) -> Result<(&'a Phone, SmsParams, String), Attempt> {
    let Address::Phone(phone) = to else { return Err(Attempt::failed("SMS needs a phone number")) };
    let Some(params) = SmsParams::from_notification(note) else {
        return Err(Attempt::failed("only alerts about a case go by SMS"));
    };
    let text = template.render(&params).map_err(|e| Attempt::failed(e.to_string()))?;
    Ok((phone, params, text))
}

#[cfg(test)]
mod tests {
    use sync_protocol::case::{Category, Severity};

    use super::*;
    use crate::push::PAYLOAD_VERSION;

    fn alert() -> AlertPayload {
        AlertPayload {
            v: PAYLOAD_VERSION,
            kind: AlertKind::Urgent,
            doc_id: "6f1c2a3e-9b7d-4e5f-8a1b-2c3d4e5f6a7b".parse().unwrap(),
            case_no: Some("永安-2026-000123".into()),
            township: "曹远镇".into(),
            category: Category::GroupPetition,
            severity: Severity::Urgent,
            ack_link: None,
        }
    }

    fn template() -> SmsTemplate {
        SmsTemplate::new(
            "SMS_4711",
            "【安澜】${township}${kind}${case_no}(${category})，请尽快登录处置。",
            &["township", "kind", "case_no", "category"],
        )
        .unwrap()
    }

    #[test]
    fn an_sms_says_place_case_number_and_category_in_one_segment() {
        let text = template().render(&SmsParams::from_alert(&alert())).unwrap();
        assert_eq!(text, "【安澜】曹远镇紧急案件永安-2026-000123(群体性上访倾向)，请尽快登录处置。");
        assert!(text.chars().count() <= SEGMENT_CHARS);
    }

    #[test]
    fn a_template_that_could_overflow_a_segment_or_names_other_fields_is_refused_at_start() {
        let long = format!("【安澜】${{case_no}}{}", "请".repeat(60));
        assert!(matches!(SmsTemplate::new("x", &long, &["case_no"]), Err(TemplateError::TooLong(_))));
        assert_eq!(
            SmsTemplate::new("x", "${name}", &["name"]),
            Err(TemplateError::UnknownParam("name".into()))
        );
        assert_eq!(
            SmsTemplate::new("x", "【安澜】", &["case_no"]),
            Err(TemplateError::Unused("case_no".into()))
        );
    }

    #[test]
    fn a_template_with_the_link_must_fit_the_longest_link_under_the_public_url() {
        let t = SmsTemplate::new("x", "【安澜】${kind}${case_no}知悉点${link}", &["kind", "case_no", "link"])
            .unwrap();
        assert!(t.has_link());
        assert!(t.check_links("https://aq.gov.cn").is_ok());
        assert!(matches!(
            t.check_links("https://anlan.sanming.example.gov.cn"),
            Err(TemplateError::TooLong(_))
        ));
        let with = AlertPayload { ack_link: Some("https://aq.gov.cn/a/abc".into()), ..alert() };
        let text = t.render(&SmsParams::from_alert(&with)).unwrap();
        assert!(text.ends_with("知悉点https://aq.gov.cn/a/abc"), "{text}");
    }

    #[test]
    fn only_case_alerts_go_by_sms() {
        assert!(SmsParams::from_notification(&Notification::Case(alert())).is_some());
    }
}
