//! A browser's push subscription, validated when it arrives rather than when the first alert
//! fails to encrypt.

use base64::Engine;
use base64::alphabet::URL_SAFE;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
use serde::{Deserialize, Serialize};

/// Browsers emit unpadded base64url, but some client libraries pad; accept both and store one
/// canonical form.
const LENIENT_BASE64URL: GeneralPurpose = GeneralPurpose::new(
    &URL_SAFE,
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum SubscriptionError {
    #[error("the endpoint is not an http(s) URL: {0}")]
    Endpoint(String),
    #[error("keys.p256dh is not a base64url uncompressed P-256 point")]
    P256dh,
    #[error("keys.auth is not a base64url 16-byte secret")]
    Auth,
}

/// `PushSubscription.toJSON()`: `{endpoint, expirationTime, keys: {p256dh, auth}}`. Keys are
/// kept canonical (unpadded base64url) and known to be usable.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "SubscriptionJson", into = "SubscriptionJson")]
pub struct Subscription {
    endpoint: String,
    expiration_time: Option<i64>,
    p256dh: String,
    auth: String,
}

impl Subscription {
    pub fn new(endpoint: &str, p256dh: &str, auth: &str) -> Result<Self, SubscriptionError> {
        let url = reqwest::Url::parse(endpoint)
            .map_err(|_| SubscriptionError::Endpoint(endpoint.chars().take(80).collect()))?;
        if !matches!(url.scheme(), "https" | "http") || url.host_str().is_none() {
            return Err(SubscriptionError::Endpoint(endpoint.chars().take(80).collect()));
        }
        let key = LENIENT_BASE64URL.decode(p256dh.trim()).map_err(|_| SubscriptionError::P256dh)?;
        // RFC 8291 §3.1: the key is an uncompressed point; the compressed form is not used.
        if key.len() != 65 || p256::PublicKey::from_sec1_bytes(&key).is_err() {
            return Err(SubscriptionError::P256dh);
        }
        let secret = LENIENT_BASE64URL.decode(auth.trim()).map_err(|_| SubscriptionError::Auth)?;
        if secret.len() != 16 {
            return Err(SubscriptionError::Auth);
        }
        Ok(Self {
            endpoint: url.to_string(),
            expiration_time: None,
            p256dh: URL_SAFE_NO_PAD.encode(key),
            auth: URL_SAFE_NO_PAD.encode(secret),
        })
    }

    pub fn endpoint(&self) -> &str {
        &self.endpoint
    }

    /// The subscriber's ECDH public key, unpadded base64url.
    pub fn p256dh(&self) -> &str {
        &self.p256dh
    }

    /// The subscriber's authentication secret, unpadded base64url.
    pub fn auth(&self) -> &str {
        &self.auth
    }

    /// Milliseconds since the epoch after which the browser will drop it, if it said so.
    pub fn expiration_time(&self) -> Option<i64> {
        self.expiration_time
    }

    /// `https://host` or `http://host:port`: what the subscription is grouped by when a whole
    /// push service is unreachable.
    pub fn origin(&self) -> String {
        reqwest::Url::parse(&self.endpoint).map(|u| u.origin().ascii_serialization()).unwrap_or_default()
    }
}

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct SubscriptionJson {
    endpoint: String,
    #[serde(default)]
    expiration_time: Option<i64>,
    keys: KeysJson,
}

#[derive(Serialize, Deserialize)]
struct KeysJson {
    p256dh: String,
    auth: String,
}

impl TryFrom<SubscriptionJson> for Subscription {
    type Error = SubscriptionError;

    fn try_from(json: SubscriptionJson) -> Result<Self, Self::Error> {
        let mut sub = Subscription::new(&json.endpoint, &json.keys.p256dh, &json.keys.auth)?;
        sub.expiration_time = json.expiration_time;
        Ok(sub)
    }
}

impl From<Subscription> for SubscriptionJson {
    fn from(sub: Subscription) -> Self {
        Self {
            endpoint: sub.endpoint,
            expiration_time: sub.expiration_time,
            keys: KeysJson { p256dh: sub.p256dh, auth: sub.auth },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // The user agent's key and secret from RFC 8291 §5.
    const UA_PUBLIC: &str =
        "BCVxsr7N_eNgVRqvHtD0zTZsEc6-VV-JvLexhqUzORcxaOzi6-AYWXvTBHm4bjyPjs7Vd8pZGH6SRpkNtoIAiw4";
    const AUTH: &str = "BTBZMqHH6r4Tts7J_aSIgg";

    #[test]
    fn a_browser_push_subscription_json_parses_and_serialises_back() {
        let json = serde_json::json!({
            "endpoint": "https://push.example.net/push/JzLQ3raZJfFBR0aqvOMsLrt54w4rJUsV",
            "expirationTime": null,
            "keys": { "p256dh": UA_PUBLIC, "auth": AUTH }
        });
        let sub: Subscription = serde_json::from_value(json.clone()).unwrap();
        assert_eq!(sub.p256dh(), UA_PUBLIC);
        assert_eq!(sub.auth(), AUTH);
        assert_eq!(sub.origin(), "https://push.example.net");
        assert_eq!(serde_json::to_value(&sub).unwrap(), json);
    }

    #[test]
    fn padded_keys_are_accepted_and_stored_unpadded() {
        let sub =
            Subscription::new("https://push.example.net/x", UA_PUBLIC, "BTBZMqHH6r4Tts7J_aSIgg==").unwrap();
        assert_eq!(sub.auth(), AUTH);
    }

    #[test]
    fn unusable_subscriptions_are_refused_at_the_boundary() {
        let ok = "https://push.example.net/x";
        assert!(matches!(
            Subscription::new("ftp://push.example.net/x", UA_PUBLIC, AUTH),
            Err(SubscriptionError::Endpoint(_))
        ));
        assert!(matches!(
            Subscription::new("not a url", UA_PUBLIC, AUTH),
            Err(SubscriptionError::Endpoint(_))
        ));
        assert_eq!(Subscription::new(ok, &UA_PUBLIC[..60], AUTH), Err(SubscriptionError::P256dh));
        let off_curve = URL_SAFE_NO_PAD.encode([4u8; 65]);
        assert_eq!(Subscription::new(ok, &off_curve, AUTH), Err(SubscriptionError::P256dh));
        assert_eq!(Subscription::new(ok, UA_PUBLIC, "c2hvcnQ"), Err(SubscriptionError::Auth));
    }
}
