//! Alert channels (a person's own and a unit's defaults), the push key, and a case's alert log.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::alerts::prefs::{AlertPrefs, PrefsLayer};
use crate::store::DeliveryLogRow;

/// One layer of settings as set (a person's own, or a unit's default); `null` leaves a setting
/// to the layer below. Quiet hours are Beijing hours 0–23, both or neither.
#[derive(Serialize, Deserialize, ToSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct Prefs {
    /// SMS when Web Push does not reach them in time.
    #[serde(default)]
    pub sms: Option<bool>,
    #[serde(default)]
    pub quiet_from: Option<i64>,
    #[serde(default)]
    pub quiet_to: Option<i64>,
}

impl From<PrefsLayer> for Prefs {
    fn from(p: PrefsLayer) -> Self {
        Prefs { sms: p.sms, quiet_from: p.quiet_from, quiet_to: p.quiet_to }
    }
}

impl From<Prefs> for PrefsLayer {
    fn from(p: Prefs) -> Self {
        PrefsLayer { sms: p.sms, quiet_from: p.quiet_from, quiet_to: p.quiet_to }
    }
}

/// The settings in force after every layer is applied.
#[derive(Serialize, ToSchema)]
pub struct InForce {
    pub sms: bool,
    /// Non-urgent messages wait during these hours.
    #[schema(required = true)]
    pub quiet: Option<QuietHours>,
}

/// Beijing hours: `from` inclusive to `to` exclusive, across midnight when `from > to`.
#[derive(Serialize, ToSchema)]
pub struct QuietHours {
    pub from: u8,
    pub to: u8,
}

impl From<AlertPrefs> for InForce {
    fn from(p: AlertPrefs) -> Self {
        InForce { sms: p.sms, quiet: p.quiet.map(|q| QuietHours { from: q.from, to: q.to }) }
    }
}

/// `GET /me/alert-channels`: mine as I set them, my unit's default, and what is in force.
#[derive(Serialize, ToSchema)]
pub struct MyAlertChannels {
    pub own: Prefs,
    pub unit_default: InForce,
    pub effective: InForce,
    /// The server can send SMS at all.
    pub sms_configured: bool,
    /// The roster has a phone number for me.
    pub phone_on_roster: bool,
    /// How many of my devices take Web Push.
    pub push_phones: i64,
}

/// A unit's default as set, and in force (with the units above).
#[derive(Serialize, ToSchema)]
pub struct UnitAlertDefaults {
    pub unit: String,
    pub own: Prefs,
    pub effective: InForce,
}

#[derive(Serialize, ToSchema)]
pub struct PushKey {
    /// The VAPID public key, for `pushManager.subscribe({applicationServerKey})`.
    pub application_server_key: String,
}

/// `PushSubscription.toJSON()`. Described here; the handler reads it as `push::Subscription`,
/// which checks the keys as it parses (a test below keeps the two in step).
#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[allow(dead_code)]
pub struct PushSubscription {
    pub endpoint: String,
    pub expiration_time: Option<i64>,
    pub keys: PushKeys,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
pub struct PushKeys {
    pub p256dh: String,
    pub auth: String,
}

#[derive(Deserialize, ToSchema)]
pub struct Unsubscribe {
    pub endpoint: String,
}

/// One alert sent (or being sent) about a case.
#[derive(Serialize, ToSchema)]
pub struct Delivery {
    pub kind: String,
    pub channel: String,
    pub level: String,
    pub user_id: String,
    pub user_name: String,
    pub state: String,
    pub attempts: i64,
    #[schema(required = true)]
    pub last_error: Option<String>,
    pub created_at: i64,
    #[schema(required = true)]
    pub sent_at: Option<i64>,
    #[schema(required = true)]
    pub acknowledged_at: Option<i64>,
    #[schema(required = true)]
    pub acknowledged_by: Option<String>,
    /// `app` or `sms_link`.
    #[schema(required = true)]
    pub acknowledged_via: Option<String>,
    /// When the provider's delivery receipt (state `delivered` or `undelivered`) came in.
    #[schema(required = true)]
    pub receipt_at: Option<i64>,
}

impl From<DeliveryLogRow> for Delivery {
    fn from(r: DeliveryLogRow) -> Self {
        Delivery {
            kind: r.kind,
            channel: r.channel,
            level: r.level,
            user_id: r.user_id,
            user_name: r.user_name,
            state: r.state,
            attempts: r.attempts,
            last_error: r.last_error,
            created_at: r.created_at,
            sent_at: r.sent_at,
            acknowledged_at: r.acknowledged_at,
            acknowledged_by: r.acknowledged_by,
            acknowledged_via: r.acknowledged_via,
            receipt_at: r.receipt_at,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::push::Subscription;

    #[test]
    fn the_described_push_subscription_reads_what_the_server_parses() {
        let key = "BNcRdreALRFXTkOOUHK1EtK2wtaz5Ry4YfYCA_0QTpQtUbVlUls0VJXg7A8u-Ts1XbjhazAkj7I99e8QcYP7DkM";
        let sub = Subscription::new("https://push.example/x", key, "tBHItJI5svbpez7KI4CCXg").unwrap();
        let json = serde_json::to_value(&sub).unwrap();
        let described: PushSubscription = serde_json::from_value(json).unwrap();
        assert_eq!(described.endpoint, sub.endpoint());
        assert_eq!(described.keys.auth, sub.auth());
    }
}
