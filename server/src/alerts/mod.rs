//! The delivery plan: which channels reach each person an alert is for, and when.
//!
//! Per person, at each rung of the ladder (township → county → city): Web Push to each phone
//! they turned alerts on for; an SMS to their roster number when the case is not acknowledged
//! within [`Plan::sms_after`] (urgent cases), or at once when they have no working
//! subscription (none, gone, or failing for good); and for urgent cases, the unit's group
//! robot at once. Each (cause, person, channel) is one row in the delivery log, written in one
//! transaction with the outbox row it comes from, so a restart never sends it twice — at most
//! one duplicate per channel, if the server dies between the provider's answer and the log.
//!
//! - [`prefs`]: a person's channels and quiet hours over their unit's defaults.
//! - [`link`]: the `/a/<code>` acknowledgement link an SMS carries.
//! - [`page`]: the small server-rendered page that link opens.
//! - [`send`]: one claimed delivery through its channel, after quiet hours and the SMS caps.
//!
//! An SMS the provider accepted is `sent`; its delivery receipt, where the provider reports
//! one, turns it `delivered` or `undelivered` with the provider's reason
//! (`crate::channels::receipts`, `crate::store` `record_receipt`).

pub mod link;
pub mod page;
pub mod prefs;
pub mod send;

use std::collections::HashMap;
use std::time::Duration;

use crate::channels::ChannelKind;
use crate::channels::receipts::ReceiptToken;

/// What the plan needs to know of the configured channels and limits.
#[derive(Debug, Clone)]
pub struct Plan {
    /// The configured SMS provider, if any.
    pub sms: Option<ChannelKind>,
    /// The group robots by unit code.
    pub robots: HashMap<String, ChannelKind>,
    /// How long an urgent alert waits for acknowledgement on Web Push before the SMS goes.
    pub sms_after: Duration,
    /// At most this many SMS to one person in any hour; the rest are logged as capped.
    pub sms_per_person_hour: i64,
    /// At most this many SMS a day (Beijing time) in all; the rest are logged as over budget.
    pub sms_daily_budget: i64,
    /// Where people open the app; SMS links point under it.
    pub public_url: String,
    /// The secret of `/receipts/<provider>/<token>`; `None`: delivery receipts are not taken.
    pub receipt_token: Option<ReceiptToken>,
}

impl Default for Plan {
    fn default() -> Self {
        Self {
            sms: None,
            robots: HashMap::new(),
            sms_after: Duration::from_secs(180),
            sms_per_person_hour: 10,
            sms_daily_budget: 1_000,
            public_url: "http://127.0.0.1:8080".into(),
            receipt_token: None,
        }
    }
}
