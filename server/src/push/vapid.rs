//! The server's VAPID identity (RFC 8292): one P-256 key pair for the life of the deployment.
//!
//! Browsers bind each push subscription to the `applicationServerKey` it was created with, so
//! the key pair is generated once, on first start, and then kept: a new key silently orphans
//! every subscription. It is stored as base64url (no padding) — the raw 32-byte private scalar
//! and the 65-byte uncompressed public point — which is also what `web-push` and the browser
//! take, so no PEM/DER conversion sits between the database and a signature.

use std::fmt;
use std::str::FromStr;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use p256::SecretKey;
use p256::elliptic_curve::sec1::ToEncodedPoint;

/// `web-push` signs with this `sub` when none is given; Apple answers `403 BadJwtToken` and
/// Mozilla can't reach anyone, so it is refused rather than silently used.
const LIBRARY_DEFAULT_SUB: &str = "mailto:example@example.com";

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum VapidError {
    #[error("the VAPID private key is not base64url: {0}")]
    Encoding(String),
    #[error("the VAPID private key is 32 bytes, got {0}")]
    PrivateKeyLength(usize),
    #[error("the VAPID private key is not a valid P-256 scalar")]
    InvalidPrivateKey,
    #[error("the stored VAPID public key does not belong to the stored private key")]
    PublicKeyMismatch,
    #[error("the VAPID contact must be mailto:someone@host or an https:// URL of the operator, got {0:?}")]
    Contact(String),
    #[error("the VAPID contact {LIBRARY_DEFAULT_SUB} is the library's placeholder; set a real one")]
    PlaceholderContact,
}

/// The `sub` claim: how a push service contacts the operator when this server misbehaves.
/// Validated so a typo fails at start-up, not as a 403 from one vendor at 3 a.m.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VapidContact(String);

impl VapidContact {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl FromStr for VapidContact {
    type Err = VapidError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let s = s.trim();
        if s.eq_ignore_ascii_case(LIBRARY_DEFAULT_SUB) {
            return Err(VapidError::PlaceholderContact);
        }
        let bad = || VapidError::Contact(s.chars().take(80).collect());
        if s.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(bad());
        }
        if let Some(address) = s.strip_prefix("mailto:") {
            let (local, host) = address.split_once('@').ok_or_else(bad)?;
            if local.is_empty() || host.is_empty() || host.contains('@') {
                return Err(bad());
            }
        } else if let Some(rest) = s.strip_prefix("https://") {
            if rest.is_empty() || rest.starts_with('/') {
                return Err(bad());
            }
        } else {
            return Err(bad());
        }
        Ok(Self(s.to_owned()))
    }
}

impl fmt::Display for VapidContact {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The key pair and contact the server signs every push message with.
#[derive(Clone)]
pub struct VapidKeys {
    secret: SecretKey,
    /// Derived from `secret` once; every message carries it in `k=`.
    public: [u8; 65],
    contact: VapidContact,
}

impl VapidKeys {
    /// A fresh key pair, for the first start of a deployment.
    pub fn generate(contact: VapidContact) -> Self {
        // A uniformly random 32-byte string is a valid scalar unless it is zero or ≥ n, which
        // happens with probability < 2^-32; drawing again keeps the result uniform. (rand 0.9
        // and p256's rand_core 0.6 don't share traits, hence bytes rather than `random()`.)
        let secret = loop {
            let bytes: [u8; 32] = rand::random();
            if let Ok(secret) = SecretKey::from_slice(&bytes) {
                break secret;
            }
        };
        Self::from_secret(secret, contact)
    }

    /// Keys as stored by [`private_key_base64url`](Self::private_key_base64url).
    pub fn from_private_base64url(private: &str, contact: VapidContact) -> Result<Self, VapidError> {
        let bytes = URL_SAFE_NO_PAD
            .decode(private.trim().trim_end_matches('='))
            .map_err(|e| VapidError::Encoding(e.to_string()))?;
        if bytes.len() != 32 {
            return Err(VapidError::PrivateKeyLength(bytes.len()));
        }
        let secret = SecretKey::from_slice(&bytes).map_err(|_| VapidError::InvalidPrivateKey)?;
        Ok(Self::from_secret(secret, contact))
    }

    /// Keys as stored, checking the stored public key too: a row whose halves disagree means
    /// the PWA was handed a key this server cannot sign for, and every push would be refused.
    pub fn from_stored(private: &str, public: &str, contact: VapidContact) -> Result<Self, VapidError> {
        let keys = Self::from_private_base64url(private, contact)?;
        if public.trim().trim_end_matches('=') != keys.public_key_base64url() {
            return Err(VapidError::PublicKeyMismatch);
        }
        Ok(keys)
    }

    fn from_secret(secret: SecretKey, contact: VapidContact) -> Self {
        let point = secret.public_key().to_encoded_point(false);
        let public: [u8; 65] = point.as_bytes().try_into().expect("an uncompressed P-256 point is 65 bytes");
        Self { secret, public, contact }
    }

    /// The raw 32-byte private scalar, base64url without padding: the form to store, and the
    /// form `web-push` signs with.
    pub fn private_key_base64url(&self) -> String {
        URL_SAFE_NO_PAD.encode(self.secret.to_bytes())
    }

    /// The 65-byte uncompressed public point (`0x04 ‖ x ‖ y`).
    pub fn public_key_bytes(&self) -> &[u8; 65] {
        &self.public
    }

    /// The public key, base64url without padding: the form to store, the `k=` of every
    /// message, and what `pushManager.subscribe({applicationServerKey})` accepts as a string.
    pub fn public_key_base64url(&self) -> String {
        URL_SAFE_NO_PAD.encode(self.public)
    }

    /// What the PWA passes as `applicationServerKey` (same as the base64url public key).
    pub fn application_server_key(&self) -> String {
        self.public_key_base64url()
    }

    pub fn contact(&self) -> &VapidContact {
        &self.contact
    }
}

/// Never prints the private key: these keys end up in config dumps and logs.
impl fmt::Debug for VapidKeys {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("VapidKeys")
            .field("public", &self.public_key_base64url())
            .field("contact", &self.contact.as_str())
            .field("private", &"[redacted]")
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn contact() -> VapidContact {
        "mailto:ops@anlan.example".parse().unwrap()
    }

    #[test]
    fn a_generated_key_pair_survives_a_round_trip_through_its_stored_form() {
        let keys = VapidKeys::generate(contact());
        let private = keys.private_key_base64url();
        let public = keys.public_key_base64url();
        assert_eq!(private.len(), 43, "32 bytes in base64url without padding");
        assert_eq!(public.len(), 87, "65 bytes in base64url without padding");

        let again = VapidKeys::from_stored(&private, &public, contact()).unwrap();
        assert_eq!(again.public_key_bytes(), keys.public_key_bytes());
        assert_eq!(again.private_key_base64url(), private);
    }

    #[test]
    fn the_public_key_is_an_uncompressed_point_as_the_browser_wants() {
        let keys = VapidKeys::generate(contact());
        assert_eq!(keys.public_key_bytes()[0], 0x04);
        assert_eq!(keys.application_server_key(), keys.public_key_base64url());
        assert!(p256::PublicKey::from_sec1_bytes(keys.public_key_bytes()).is_ok());
    }

    #[test]
    fn the_rfc_8291_application_server_key_derives_its_published_public_key() {
        let keys =
            VapidKeys::from_private_base64url("yfWPiYE-n46HLnH0KqZOF1fJJU3MYrct3AELtAQ-oRw", contact())
                .unwrap();
        assert_eq!(
            keys.public_key_base64url(),
            "BP4z9KsN6nGRTbVYI_c7VJSPQTBtkgcy27mlmlMoZIIgDll6e3vCYLocInmYWAmS6TlzAC8wEqKK6PBru3jl7A8"
        );
    }

    #[test]
    fn a_stored_public_key_from_another_pair_is_refused() {
        let a = VapidKeys::generate(contact());
        let b = VapidKeys::generate(contact());
        let err = VapidKeys::from_stored(&a.private_key_base64url(), &b.public_key_base64url(), contact())
            .unwrap_err();
        assert_eq!(err, VapidError::PublicKeyMismatch);
    }

    #[test]
    fn malformed_private_keys_are_refused() {
        let short = URL_SAFE_NO_PAD.encode([7u8; 31]);
        assert_eq!(
            VapidKeys::from_private_base64url(&short, contact()).unwrap_err(),
            VapidError::PrivateKeyLength(31)
        );
        let zero = URL_SAFE_NO_PAD.encode([0u8; 32]);
        assert_eq!(
            VapidKeys::from_private_base64url(&zero, contact()).unwrap_err(),
            VapidError::InvalidPrivateKey
        );
        assert!(matches!(
            VapidKeys::from_private_base64url("not*base64", contact()),
            Err(VapidError::Encoding(_))
        ));
    }

    #[test]
    fn the_library_default_contact_is_refused() {
        assert_eq!("mailto:example@example.com".parse::<VapidContact>(), Err(VapidError::PlaceholderContact));
        assert_eq!("MAILTO:Example@Example.com".parse::<VapidContact>(), Err(VapidError::PlaceholderContact));
    }

    #[test]
    fn contacts_must_be_a_mailto_address_or_an_https_url() {
        for good in ["mailto:ops@anlan.example", "https://anlan.example/contact"] {
            assert_eq!(good.parse::<VapidContact>().unwrap().as_str(), good);
        }
        for bad in [
            "",
            "ops@anlan.example",
            "mailto:",
            "mailto:ops",
            "mailto:@anlan.example",
            "mailto:ops @anlan.example",
            "http://anlan.example",
            "https://",
        ] {
            assert!(
                matches!(bad.parse::<VapidContact>(), Err(VapidError::Contact(_))),
                "{bad:?} was accepted"
            );
        }
    }

    #[test]
    fn debug_output_never_shows_the_private_key() {
        let keys = VapidKeys::generate(contact());
        let shown = format!("{keys:?}");
        assert!(!shown.contains(&keys.private_key_base64url()));
        assert!(shown.contains(&keys.public_key_base64url()));
    }
}
