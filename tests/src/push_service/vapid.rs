//! RFC 8292 VAPID verification as a push service does it: `Authorization: vapid t=<JWT>,
//! k=<public key>`, an ES256 JWT signed by that key, for this service's origin, not expired.

use std::time::{Duration, SystemTime};

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use p256::ecdsa::signature::Verifier;
use p256::ecdsa::{Signature, VerifyingKey};
use serde::Deserialize;

/// RFC 8292 §2: a push service may reject an `exp` more than 24 hours ahead.
const MAX_LIFETIME: Duration = Duration::from_secs(24 * 3600);

/// The claims of a verified VAPID token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VapidClaims {
    pub aud: String,
    pub exp: u64,
    pub sub: String,
    /// The `k=` public key, base64url as sent.
    pub k: String,
}

#[derive(Deserialize)]
struct Header {
    alg: String,
}

#[derive(Deserialize)]
struct Claims {
    aud: Option<String>,
    exp: Option<u64>,
    sub: Option<String>,
}

/// Checks an `Authorization` header against `audience` (`scheme://host`, no port).
pub fn verify(authorization: &str, audience: &str, now: SystemTime) -> Result<VapidClaims, String> {
    let (scheme, params) = authorization.split_once(' ').ok_or("Authorization has no parameters")?;
    if !scheme.eq_ignore_ascii_case("vapid") {
        return Err(format!("Authorization scheme is {scheme:?}, not vapid"));
    }
    let (mut token, mut key) = (None, None);
    for param in params.split(',') {
        match param.trim().split_once('=') {
            Some(("t", v)) => token = Some(v.trim()),
            Some(("k", v)) => key = Some(v.trim()),
            _ => {}
        }
    }
    let token = token.ok_or("no t= token")?;
    let k = key.ok_or("no k= key")?;

    let public = URL_SAFE_NO_PAD.decode(k).map_err(|_| "k= is not base64url")?;
    let verifying_key = VerifyingKey::from_sec1_bytes(&public).map_err(|_| "k= is not a P-256 public key")?;

    let mut parts = token.split('.');
    let (Some(header), Some(claims), Some(signature), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err("the token is not a three-part JWT".into());
    };
    let decode = |part: &str, what: &str| {
        URL_SAFE_NO_PAD.decode(part).map_err(|_| format!("JWT {what} is not base64url"))
    };
    let header: Header =
        serde_json::from_slice(&decode(header, "header")?).map_err(|e| format!("JWT header: {e}"))?;
    if header.alg != "ES256" {
        return Err(format!("JWT alg is {}, not ES256", header.alg));
    }
    // JWS ES256 signatures are r ‖ s, 64 bytes (RFC 7518 §3.4), not DER.
    let signature = Signature::from_slice(&decode(signature, "signature")?)
        .map_err(|_| "JWT signature is not 64 bytes of r ‖ s")?;
    let signing_input = &token[..header_and_claims_len(token)];
    verifying_key
        .verify(signing_input.as_bytes(), &signature)
        .map_err(|_| "JWT signature does not verify with k=")?;

    let claims: Claims =
        serde_json::from_slice(&decode(claims, "claims")?).map_err(|e| format!("JWT claims: {e}"))?;
    let aud = claims.aud.ok_or("no aud claim")?;
    if aud != audience {
        return Err(format!("aud is {aud:?}, expected {audience:?}"));
    }
    let exp = claims.exp.ok_or("no exp claim")?;
    let now = now.duration_since(SystemTime::UNIX_EPOCH).map_err(|e| e.to_string())?.as_secs();
    if exp <= now {
        return Err(format!("token expired at {exp}, now {now}"));
    }
    if exp > now + MAX_LIFETIME.as_secs() {
        return Err(format!("exp {exp} is more than 24 h ahead of {now}"));
    }
    let sub = claims.sub.ok_or("no sub claim")?;
    if !(sub.starts_with("mailto:") || sub.starts_with("https:")) {
        return Err(format!("sub {sub:?} is neither mailto: nor https:"));
    }
    Ok(VapidClaims { aud, exp, sub, k: k.to_owned() })
}

/// The JWS signing input is everything before the last dot.
fn header_and_claims_len(token: &str) -> usize {
    token.rfind('.').unwrap_or(token.len())
}

#[cfg(test)]
mod tests {
    use p256::ecdsa::SigningKey;
    use p256::ecdsa::signature::Signer;

    use super::*;

    const AUD: &str = "http://127.0.0.1";

    fn signing_key() -> SigningKey {
        SigningKey::from_slice(&[7u8; 32]).unwrap()
    }

    fn now() -> u64 {
        SystemTime::now().duration_since(SystemTime::UNIX_EPOCH).unwrap().as_secs()
    }

    fn header_for(key: &SigningKey, claims: serde_json::Value) -> String {
        let head = URL_SAFE_NO_PAD.encode(br#"{"typ":"JWT","alg":"ES256"}"#);
        let body = URL_SAFE_NO_PAD.encode(claims.to_string());
        let input = format!("{head}.{body}");
        let signature: Signature = key.sign(input.as_bytes());
        let k = URL_SAFE_NO_PAD.encode(key.verifying_key().to_encoded_point(false).as_bytes());
        format!("vapid t={input}.{}, k={k}", URL_SAFE_NO_PAD.encode(signature.to_bytes()))
    }

    fn claims(exp: u64) -> serde_json::Value {
        serde_json::json!({"aud": AUD, "exp": exp, "sub": "mailto:ops@anlan.example"})
    }

    #[test]
    fn a_token_signed_by_its_k_key_for_this_origin_verifies() {
        let exp = now() + 3600;
        let verified = verify(&header_for(&signing_key(), claims(exp)), AUD, SystemTime::now());
        let verified = verified.unwrap();
        assert_eq!(verified.exp, exp);
        assert_eq!(verified.sub, "mailto:ops@anlan.example");
    }

    #[test]
    fn a_token_signed_by_another_key_than_k_is_rejected() {
        let good = header_for(&signing_key(), claims(now() + 3600));
        let other = header_for(&SigningKey::from_slice(&[9u8; 32]).unwrap(), claims(now() + 3600));
        let (t, _) = good.split_once(", k=").unwrap();
        let (_, k) = other.split_once(", k=").unwrap();
        let err = verify(&format!("{t}, k={k}"), AUD, SystemTime::now()).unwrap_err();
        assert!(err.contains("does not verify"), "{err}");
    }

    #[test]
    fn expired_far_future_wrong_audience_and_missing_sub_are_rejected() {
        let key = signing_key();
        let t = now();
        let cases = [
            claims(t - 1),
            claims(t + 25 * 3600),
            serde_json::json!({"aud": "http://127.0.0.1:8080", "exp": t + 60, "sub": "mailto:a@b"}),
            serde_json::json!({"aud": AUD, "exp": t + 60}),
        ];
        for c in cases {
            assert!(verify(&header_for(&key, c.clone()), AUD, SystemTime::now()).is_err(), "{c}");
        }
    }

    #[test]
    fn a_missing_or_foreign_authorization_scheme_is_rejected() {
        assert!(verify("Bearer abc", AUD, SystemTime::now()).is_err());
        assert!(verify("vapid k=abc", AUD, SystemTime::now()).is_err());
        assert!(verify("", AUD, SystemTime::now()).is_err());
    }
}
