//! RFC 8291 (Web Push message encryption) decryption, written from the RFCs with p256, hkdf and
//! aes-gcm so that it checks `web-push`/`ece` rather than repeating them.
//!
//! Body (RFC 8188 §2.1): `salt(16) ‖ rs(u32 BE) ‖ idlen(1) ‖ keyid(idlen)` then records of `rs`
//! bytes. For Web Push the key id is the sender's ephemeral public key (65 bytes).

use aes_gcm::aead::Aead;
use aes_gcm::{Aes128Gcm, KeyInit, Nonce};
use hkdf::Hkdf;
use p256::{PublicKey, SecretKey};
use sha2::Sha256;

const HEADER_LEN: usize = 16 + 4 + 1;
const POINT_LEN: usize = 65;
const TAG_LEN: usize = 16;

/// The plaintext of an `aes128gcm` Web Push body, or why it isn't one.
pub fn decrypt(ua_secret: &SecretKey, auth: &[u8], body: &[u8]) -> Result<Vec<u8>, String> {
    if body.len() < HEADER_LEN {
        return Err(format!("body of {} bytes has no header", body.len()));
    }
    let salt = &body[..16];
    let rs = u32::from_be_bytes(body[16..20].try_into().expect("4 bytes")) as usize;
    let idlen = body[20] as usize;
    // RFC 8291 §4: the key id is the application server's public key, uncompressed.
    if idlen != POINT_LEN {
        return Err(format!("key id is {idlen} bytes, not a P-256 point"));
    }
    // RFC 8188 §2: a record must hold at least the tag and the delimiter.
    if rs <= TAG_LEN {
        return Err(format!("record size {rs} is too small"));
    }
    let records =
        body.get(HEADER_LEN + POINT_LEN..).filter(|r| !r.is_empty()).ok_or("no records after the header")?;
    let as_public = PublicKey::from_sec1_bytes(&body[HEADER_LEN..HEADER_LEN + POINT_LEN])
        .map_err(|_| "key id is not a P-256 point")?;

    let ua_public = ua_secret.public_key().to_sec1_bytes();
    let shared = p256::ecdh::diffie_hellman(ua_secret.to_nonzero_scalar(), as_public.as_affine());

    // RFC 8291 §3.3–3.4: mix the auth secret in first, then derive the content key and nonce.
    let mut ikm = [0u8; 32];
    Hkdf::<Sha256>::new(Some(auth), &shared.raw_secret_bytes()[..])
        .expand_multi_info(&[b"WebPush: info\0", &ua_public, &as_public.to_sec1_bytes()], &mut ikm)
        .map_err(|e| e.to_string())?;
    let prk = Hkdf::<Sha256>::new(Some(salt), &ikm);
    let mut cek = [0u8; 16];
    let mut base_nonce = [0u8; 12];
    prk.expand(b"Content-Encoding: aes128gcm\0", &mut cek).map_err(|e| e.to_string())?;
    prk.expand(b"Content-Encoding: nonce\0", &mut base_nonce).map_err(|e| e.to_string())?;
    let cipher = Aes128Gcm::new_from_slice(&cek).map_err(|e| e.to_string())?;

    let chunks: Vec<&[u8]> = records.chunks(rs).collect();
    let mut plaintext = Vec::new();
    for (seq, chunk) in chunks.iter().enumerate() {
        // RFC 8188 §2.3: the record's nonce is the base nonce XOR its sequence number.
        let mut nonce = base_nonce;
        for (n, s) in nonce[4..].iter_mut().zip((seq as u64).to_be_bytes()) {
            *n ^= s;
        }
        let mut record = cipher
            .decrypt(&Nonce::from(nonce), *chunk)
            .map_err(|_| format!("record {seq} does not authenticate"))?;
        // RFC 8188 §2: padding is zeros after a delimiter, 2 for the last record, 1 otherwise.
        while record.last() == Some(&0) {
            record.pop();
        }
        let last = seq + 1 == chunks.len();
        match (record.pop(), last) {
            (Some(2), true) | (Some(1), false) => plaintext.extend_from_slice(&record),
            (delimiter, _) => {
                return Err(format!("record {seq} has delimiter {delimiter:?} (last: {last})"));
            }
        }
    }
    Ok(plaintext)
}

#[cfg(test)]
mod tests {
    use base64::Engine;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;

    use super::*;

    fn b64(s: &str) -> Vec<u8> {
        URL_SAFE_NO_PAD.decode(s).unwrap()
    }

    const UA_PRIVATE: &str = "q1dXpw3UpT5VOmu_cf_v6ih07Aems3njxI-JWgLcM94";
    const UA_PUBLIC: &str =
        "BCVxsr7N_eNgVRqvHtD0zTZsEc6-VV-JvLexhqUzORcxaOzi6-AYWXvTBHm4bjyPjs7Vd8pZGH6SRpkNtoIAiw4";
    const AUTH: &str = "BTBZMqHH6r4Tts7J_aSIgg";
    const BODY: &str = "DGv6ra1nlYgDCS1FRnbzlwAAEABBBP4z9KsN6nGRTbVYI_c7VJSPQTBtkgcy27mlmlMoZIIgDll6e3vCYLocInmYWAmS6TlzAC8wEqKK6PBru3jl7A_yl95bQpu6cVPTpK4Mqgkf1CXztLVBSt2Ks3oZwbuwXPXLWyouBWLVWGNWQexSgSxsj_Qulcy4a-fN";

    fn ua_secret() -> SecretKey {
        SecretKey::from_slice(&b64(UA_PRIVATE)).unwrap()
    }

    #[test]
    fn the_rfc_8291_test_vector_decrypts_to_the_watermelon_sentence() {
        assert_eq!(ua_secret().public_key().to_sec1_bytes().to_vec(), b64(UA_PUBLIC));
        let plaintext = decrypt(&ua_secret(), &b64(AUTH), &b64(BODY)).unwrap();
        assert_eq!(plaintext, b"When I grow up, I want to be a watermelon");
    }

    #[test]
    fn a_wrong_auth_secret_fails_authentication() {
        let err = decrypt(&ua_secret(), &[0u8; 16], &b64(BODY)).unwrap_err();
        assert!(err.contains("does not authenticate"), "{err}");
    }

    #[test]
    fn a_flipped_ciphertext_bit_fails_authentication() {
        let mut body = b64(BODY);
        *body.last_mut().unwrap() ^= 1;
        assert!(decrypt(&ua_secret(), &b64(AUTH), &body).is_err());
    }

    #[test]
    fn truncated_bodies_are_rejected_without_panicking() {
        let body = b64(BODY);
        for len in [0, 10, 21, 86, 90] {
            assert!(decrypt(&ua_secret(), &b64(AUTH), &body[..len]).is_err(), "{len}");
        }
    }
}
