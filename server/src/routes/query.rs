//! The one query-string extractor of every handler: axum's own rejection is plain text, and
//! every refusal of this API is the JSON `ErrorBody`.
//!
//! A handler that must refuse by role before it reads the query (statistics: 403 before 400,
//! whatever was asked) takes `Result<StrictQuery<T>, AppError>` and uses it after its check.

use axum::extract::{FromRequestParts, Query};
use axum::http::request::Parts;
use serde::de::DeserializeOwned;

use crate::error::AppError;

/// A query string read into `T`; a malformed one is a 400 `bad_request` whose message is
/// serde's (which parameter, and what was wrong with it).
pub struct StrictQuery<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for StrictQuery<T> {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, AppError> {
        match Query::<T>::from_request_parts(parts, state).await {
            Ok(Query(t)) => Ok(StrictQuery(t)),
            Err(r) => Err(AppError::BadRequest(r.body_text())),
        }
    }
}
