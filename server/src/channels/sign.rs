//! The providers' request signatures, as pure functions of their inputs so each can be held to
//! the worked example in its provider's documentation:
//! - Tencent Cloud API 3.0, `TC3-HMAC-SHA256` (a date/service/`tc3_request` key chain);
//! - Alibaba Cloud OpenAPI V3, `ACS3-HMAC-SHA256` (one HMAC over a canonical request);
//! - DingTalk custom robots: HMAC-SHA256 of `timestamp\nsecret`, base64, URL-encoded.

use std::collections::BTreeMap;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};

pub fn hmac_sha256(key: &[u8], msg: &[u8]) -> [u8; 32] {
    let mut mac = Hmac::<Sha256>::new_from_slice(key).expect("HMAC takes a key of any length");
    mac.update(msg);
    mac.finalize().into_bytes().into()
}

pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// RFC 3986 percent-encoding: everything but `A-Z a-z 0-9 - _ . ~` (a space is `%20`).
pub fn percent_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len() * 3);
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// A signed Tencent Cloud request: the `Authorization` header and what it was computed from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tc3 {
    pub canonical_request: String,
    pub string_to_sign: String,
    pub authorization: String,
}

/// Sign a `POST /` with a JSON body, signing `content-type` and `host` (the documented minimum).
/// `timestamp` is the `X-TC-Timestamp` (Unix seconds); the scope's date is its UTC day.
pub fn tc3(
    secret_id: &str,
    secret_key: &str,
    service: &str,
    host: &str,
    content_type: &str,
    payload: &[u8],
    timestamp: i64,
) -> Tc3 {
    let canonical_request = format!(
        "POST\n/\n\ncontent-type:{}\nhost:{}\n\ncontent-type;host\n{}",
        content_type.to_ascii_lowercase(),
        host.to_ascii_lowercase(),
        sha256_hex(payload)
    );
    let date = sync_protocol::calendar::date_string(timestamp.div_euclid(86_400));
    let scope = format!("{date}/{service}/tc3_request");
    let string_to_sign =
        format!("TC3-HMAC-SHA256\n{timestamp}\n{scope}\n{}", sha256_hex(canonical_request.as_bytes()));
    let k_date = hmac_sha256(format!("TC3{secret_key}").as_bytes(), date.as_bytes());
    let k_service = hmac_sha256(&k_date, service.as_bytes());
    let k_signing = hmac_sha256(&k_service, b"tc3_request");
    let signature = hex::encode(hmac_sha256(&k_signing, string_to_sign.as_bytes()));
    let authorization = format!(
        "TC3-HMAC-SHA256 Credential={secret_id}/{scope}, SignedHeaders=content-type;host, Signature={signature}"
    );
    Tc3 { canonical_request, string_to_sign, authorization }
}

/// A signed Alibaba Cloud request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Acs3 {
    pub canonical_request: String,
    pub authorization: String,
}

/// Sign a request to path `/` with these query parameters and headers (lower-case names:
/// `host` and every `x-acs-*` header, `x-acs-content-sha256` among them, which is the hex
/// SHA-256 of the body).
pub fn acs3(
    key_id: &str,
    key_secret: &str,
    method: &str,
    query: &BTreeMap<String, String>,
    headers: &BTreeMap<String, String>,
) -> Acs3 {
    let canonical_query =
        query.iter().map(|(k, v)| format!("{}={}", percent_encode(k), percent_encode(v))).collect::<Vec<_>>();
    let canonical_headers: String = headers.iter().map(|(k, v)| format!("{k}:{}\n", v.trim())).collect();
    let signed = headers.keys().cloned().collect::<Vec<_>>().join(";");
    let body_hash = headers.get("x-acs-content-sha256").map(String::as_str).unwrap_or_default();
    let canonical_request =
        format!("{method}\n/\n{}\n{canonical_headers}\n{signed}\n{body_hash}", canonical_query.join("&"));
    let string_to_sign = format!("ACS3-HMAC-SHA256\n{}", sha256_hex(canonical_request.as_bytes()));
    let signature = hex::encode(hmac_sha256(key_secret.as_bytes(), string_to_sign.as_bytes()));
    let authorization =
        format!("ACS3-HMAC-SHA256 Credential={key_id},SignedHeaders={signed},Signature={signature}");
    Acs3 { canonical_request, authorization }
}

/// The `sign` query parameter of a DingTalk robot webhook at `timestamp_ms`, URL-encoded.
pub fn dingtalk(timestamp_ms: i64, secret: &str) -> String {
    let mac = hmac_sha256(secret.as_bytes(), format!("{timestamp_ms}\n{secret}").as_bytes());
    percent_encode(&STANDARD.encode(mac))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Tencent Cloud's "Signature v3" page: DescribeInstances in ap-guangzhou, timestamp
    /// 1551113065, and the intermediate hashes and signature it prints.
    #[test]
    fn tc3_matches_the_worked_example_in_tencent_clouds_documentation() {
        let payload =
            r#"{"Limit": 1, "Filters": [{"Values": ["\u672a\u547d\u540d"], "Name": "instance-name"}]}"#;
        assert_eq!(
            sha256_hex(payload.as_bytes()),
            "35e9c5b0e3ae67532d3c9f17ead6c90222632e5b1ff7f6e89887f1398934f064"
        );
        let t = tc3(
            "AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE",
            "Gu5t9xGARNpq86cd98joQYCN3EXAMPLE",
            "cvm",
            "cvm.tencentcloudapi.com",
            "application/json; charset=utf-8",
            payload.as_bytes(),
            1_551_113_065,
        );
        assert_eq!(
            t.string_to_sign,
            "TC3-HMAC-SHA256\n1551113065\n2019-02-25/cvm/tc3_request\n\
             5ffe6a04c0664d6b969fab9a13bdab201d63ee709638e2749d62a09ca18d7031"
        );
        assert_eq!(
            t.authorization,
            "TC3-HMAC-SHA256 Credential=AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE/2019-02-25/cvm/tc3_request, \
             SignedHeaders=content-type;host, Signature=72e494ea809ad7a8c8f7a4507b9bddcbaa8e581f516e8da2f66e2c5a96525168"
        );
    }

    /// Alibaba Cloud's "V3 request structure and signature" page: RunInstances in
    /// cn-shanghai at 2023-10-26T10:22:32Z with its fixed nonce and an empty body.
    #[test]
    fn acs3_matches_the_worked_example_in_alibaba_clouds_documentation() {
        let empty = sha256_hex(b"");
        let query: BTreeMap<String, String> =
            [("ImageId", "win2019_1809_x64_dtc_zh-cn_40G_alibase_20230811.vhd"), ("RegionId", "cn-shanghai")]
                .into_iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect();
        let headers: BTreeMap<String, String> = [
            ("host", "ecs.cn-shanghai.aliyuncs.com"),
            ("x-acs-action", "RunInstances"),
            ("x-acs-content-sha256", empty.as_str()),
            ("x-acs-date", "2023-10-26T10:22:32Z"),
            ("x-acs-signature-nonce", "3156853299f313e23d1673dc12e1703d"),
            ("x-acs-version", "2014-05-26"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
        let a = acs3("YourAccessKeyId", "YourAccessKeySecret", "POST", &query, &headers);
        assert_eq!(
            sha256_hex(a.canonical_request.as_bytes()),
            "7ea06492da5221eba5297e897ce16e55f964061054b7695beedaac1145b1e259"
        );
        assert_eq!(
            a.authorization,
            "ACS3-HMAC-SHA256 Credential=YourAccessKeyId,SignedHeaders=host;x-acs-action;x-acs-content-sha256;\
             x-acs-date;x-acs-signature-nonce;x-acs-version,\
             Signature=06563a9e1b43f5dfe96b81484da74bceab24a1d853912eee15083a6f0f3283c0"
        );
    }

    /// DingTalk's documentation gives the algorithm as Python (`hmac.new(secret, f"{ts}\n{secret}",
    /// sha256)`, `base64.b64encode`, `urllib.parse.quote_plus`) without a fixed output; this is
    /// that program's output for these inputs.
    #[test]
    fn the_dingtalk_sign_is_the_documented_hmac_base64_urlencoded() {
        assert_eq!(
            dingtalk(1_700_000_000_000, "secret"),
            "OuzzJR5%2BxZ4%2FEYwqtNt6sMYZQMTa%2FHEGvc9miJe7XzY%3D"
        );
        assert_eq!(
            dingtalk(1_700_000_000_000, "SECexample0123456789"),
            "figG6qqCA%2FlRh0hsGCW2zNtNV5znkAFut5BI0zKhqnQ%3D"
        );
    }

    #[test]
    fn percent_encoding_keeps_only_the_unreserved_characters() {
        assert_eq!(percent_encode("v=a b*c~d/e"), "v%3Da%20b%2Ac~d%2Fe");
        assert_eq!(percent_encode("永安"), "%E6%B0%B8%E5%AE%89");
    }
}
