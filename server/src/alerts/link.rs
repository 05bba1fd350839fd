//! The `/a/<code>` link an alert SMS carries, so a leader can acknowledge from any phone
//! browser or messenger web view without the app or a login.
//!
//! The code is 128 random bits (22 base64url characters): unguessable, and short enough for
//! one SMS segment beside the alert. Only its SHA-256 is stored, so a copy of the database
//! acknowledges nothing. A link is bound to one person, case and alert, is used once, and
//! expires after a day.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sha2::{Digest, Sha256};

/// How long a link works after the SMS went.
pub const LINK_TTL_MS: i64 = 24 * 3_600_000;

/// A fresh link code, as it goes in the SMS.
#[derive(Clone, PartialEq, Eq)]
pub struct LinkCode(String);

impl LinkCode {
    pub fn generate() -> Self {
        Self(URL_SAFE_NO_PAD.encode(rand::random::<[u8; 16]>()))
    }

    /// A code from a URL, if it has the shape of one (anything else cannot have been issued).
    pub fn parse(s: &str) -> Option<Self> {
        let ok = s.len() == 22 && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        ok.then(|| Self(s.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// What the database keeps.
    pub fn hash(&self) -> Vec<u8> {
        Sha256::digest(self.0.as_bytes()).to_vec()
    }

    /// The link under `public_url` (`https://anlan.example.gov.cn` → `…/a/<code>`).
    pub fn url(&self, public_url: &str) -> String {
        format!("{}/a/{}", public_url.trim_end_matches('/'), self.0)
    }
}

impl std::fmt::Debug for LinkCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("LinkCode(…)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_code_carries_128_random_bits_and_only_its_hash_is_kept() {
        let (a, b) = (LinkCode::generate(), LinkCode::generate());
        assert_ne!(a, b);
        assert_eq!(a.as_str().len(), 22);
        assert_eq!(LinkCode::parse(a.as_str()), Some(a.clone()));
        assert_eq!(a.hash().len(), 32);
        assert_ne!(a.hash(), a.as_str().as_bytes());
        assert_eq!(a.url("https://x.cn/"), format!("https://x.cn/a/{}", a.as_str()));
        for bad in
            ["", "short", "../../etc/passwd/aaaaaaaaa", "aaaaaaaaaaaaaaaaaaaaa=", "aaaaaaaaaaaaaaaaaaaaaaa"]
        {
            assert!(LinkCode::parse(bad).is_none(), "{bad}");
        }
    }
}
