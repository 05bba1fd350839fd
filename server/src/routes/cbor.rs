//! A CBOR request body (the sync and fetch requests): the media type checked, the body limit's
//! refusal and a body that does not decode turned into the project's error.

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::http::{HeaderMap, StatusCode, header};
use serde::de::DeserializeOwned;
use sync_protocol::wire;

use crate::error::AppError;

/// Decode the `what` request (`"sync"`, `"fetch"`) its route limited to `max_body` bytes.
pub(super) fn decode<T: DeserializeOwned>(
    what: &str,
    max_body: usize,
    headers: &HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<T, AppError> {
    let is_cbor = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(';').next().unwrap_or("").trim().eq_ignore_ascii_case(wire::CONTENT_TYPE));
    if !is_cbor {
        return Err(AppError::UnsupportedMediaType(format!(
            "send the {what} request as {}",
            wire::CONTENT_TYPE
        )));
    }
    let body = body.map_err(|r| match r.status() {
        StatusCode::PAYLOAD_TOO_LARGE => {
            AppError::PayloadTooLarge(format!("a {what} request may carry at most {max_body} bytes"))
        }
        _ => AppError::BadRequest(r.body_text()),
    })?;
    wire::decode(&body).map_err(|e| AppError::BadRequest(e.to_string()))
}
