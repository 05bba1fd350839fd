//! What no route answers: JSON 404 for the API, the app's files (and its index.html for the
//! app's own routes) for everything else — but never a file-system lookup of a name no file can
//! have, which the file system answers with an error ("File name too long") that would be a 500.

use axum::extract::Request;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::error::AppError;

/// The longest file name (NAME_MAX) and path (well under PATH_MAX) a lookup is tried for.
const MAX_SEGMENT: usize = 255;
const MAX_PATH: usize = 1024;

pub async fn not_found() -> AppError {
    AppError::NotFound
}

/// In front of the app's files: API paths and impossible names answer JSON 404 without
/// touching the disk.
pub async fn guard(req: Request, next: Next) -> Response {
    let path = req.uri().path();
    let api = path == "/api" || path.starts_with("/api/");
    if api || path.len() > MAX_PATH || path.split('/').any(|s| s.len() > MAX_SEGMENT) {
        return AppError::NotFound.into_response();
    }
    next.run(req).await
}
