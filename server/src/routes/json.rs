//! The one JSON body extractor of every handler: axum's own rejections are plain text, and a
//! body over the route's limit would otherwise be reported like a malformed one.

use axum::Json;
use axum::extract::rejection::JsonRejection;
use axum::extract::{FromRequest, Request};
use axum::http::StatusCode;
use serde::de::DeserializeOwned;

use crate::error::AppError;

/// A JSON request body; refusals are the project's JSON errors: 413 `payload_too_large` over
/// the route's body limit, 415 without `Content-Type: application/json`, 400 otherwise.
pub struct JsonBody<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for JsonBody<T> {
    type Rejection = AppError;

    async fn from_request(req: Request, state: &S) -> Result<Self, AppError> {
        match Json::<T>::from_request(req, state).await {
            Ok(Json(t)) => Ok(JsonBody(t)),
            Err(r) => Err(rejection(r)),
        }
    }
}

fn rejection(r: JsonRejection) -> AppError {
    match r.status() {
        StatusCode::PAYLOAD_TOO_LARGE => AppError::PayloadTooLarge(r.body_text()),
        StatusCode::UNSUPPORTED_MEDIA_TYPE => AppError::UnsupportedMediaType(r.body_text()),
        _ => AppError::BadRequest(r.body_text()),
    }
}
