//! Photos and scans: resumable chunked uploads and cached reads (PROTOCOL.md "Blobs").
//!
//! A blob is reachable only through a case that lists it in `attachments` and that the device
//! can see; anything else answers 404 exactly like a blob nobody has, so hashes leak nothing.

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::rejection::BytesRejection;
use axum::extract::{DefaultBodyLimit, Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde::Deserialize;

use super::query::StrictQuery;
use super::wire::blobs::{BlobStatus, UploadRefusal};
use crate::auth::{Device, LastUpload};
use crate::error::{AppError, ErrorBody};
use crate::state::AppState;
use crate::store::{BlobState, Chunk, ChunkOutcome, DeviceAuth};

/// The largest blob: a phone photo downscaled to 1600 px is ~300 KiB; a multi-page scan of a
/// mediation agreement fits well within this.
pub const MAX_BLOB: i64 = 10 * 1024 * 1024;
/// The largest chunk one request may carry: small enough to get through on 2G before a timeout.
pub const MAX_CHUNK: usize = 512 * 1024;
/// The same list the case schema accepts for `attachments[].mime`.
pub const MIME_TYPES: [&str; 4] = ["image/jpeg", "image/png", "image/webp", "application/pdf"];
/// The whole blob's size in bytes, sent with every chunk.
pub const SIZE_HEADER: &str = "anlan-blob-size";

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/blobs/{sha256}", get(read).put(upload))
        .route("/blobs/{sha256}/upload", get(status))
        .layer(DefaultBodyLimit::max(MAX_CHUNK))
}

/// The handlers' errors: the shared [`AppError`], plus the answers that carry where the upload
/// stands so the client can go on from there.
pub(super) enum BlobError {
    App(AppError),
    /// 409 `wrong_offset`: the chunk does not start at `received`.
    WrongOffset(BlobState),
    /// 409 `upload_mismatch`: this device's upload of this hash declared another type or size
    /// (offset 0 starts it again).
    Mismatch(BlobState),
    /// 422 `hash_mismatch`: the bytes were not what their name says; all of them were discarded.
    HashMismatch,
    /// 422 `type_mismatch`: the bytes are not the type declared; all of them were discarded.
    TypeMismatch,
    /// 413 `upload_quota`: the device holds too many unfinished bytes to take this chunk.
    OverQuota {
        held: i64,
        quota: i64,
    },
}

impl From<AppError> for BlobError {
    fn from(e: AppError) -> Self {
        BlobError::App(e)
    }
}

impl From<crate::store::StoreError> for BlobError {
    fn from(e: crate::store::StoreError) -> Self {
        BlobError::App(e.into())
    }
}

impl IntoResponse for BlobError {
    fn into_response(self) -> Response {
        let (status, body) = match self {
            BlobError::App(e) => return e.into_response(),
            BlobError::WrongOffset(s) => (
                StatusCode::CONFLICT,
                UploadRefusal {
                    code: "wrong_offset",
                    message: format!("the server has {} bytes; send the chunk that starts there", s.received),
                    received: Some(s.received),
                    size: Some(s.size),
                    ..Default::default()
                },
            ),
            BlobError::Mismatch(s) => (
                StatusCode::CONFLICT,
                UploadRefusal {
                    code: "upload_mismatch",
                    message: format!("this blob is being uploaded as {}, {} bytes", s.mime, s.size),
                    received: Some(s.received),
                    size: Some(s.size),
                    mime: Some(s.mime),
                    ..Default::default()
                },
            ),
            BlobError::HashMismatch => (
                StatusCode::UNPROCESSABLE_ENTITY,
                UploadRefusal {
                    code: "hash_mismatch",
                    message: "the SHA-256 of the bytes received is not the blob's name; the upload was discarded, start again from 0".into(),
                    received: Some(0),
                    ..Default::default()
                },
            ),
            BlobError::TypeMismatch => (
                StatusCode::UNPROCESSABLE_ENTITY,
                UploadRefusal {
                    code: "type_mismatch",
                    message: "the bytes received are not of the Content-Type declared; the upload was discarded".into(),
                    received: Some(0),
                    ..Default::default()
                },
            ),
            BlobError::OverQuota { held, quota } => (
                StatusCode::PAYLOAD_TOO_LARGE,
                UploadRefusal {
                    code: "upload_quota",
                    message: format!(
                        "this device holds {held} bytes of unfinished uploads, at most {quota} allowed: finish them, or wait until they expire"
                    ),
                    held: Some(held),
                    quota: Some(quota),
                    ..Default::default()
                },
            ),
        };
        (status, axum::Json(body)).into_response()
    }
}

async fn visible(state: &AppState, d: &DeviceAuth, sha256: &str) -> Result<(), AppError> {
    let well_formed = sha256.len() == 64 && sha256.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'));
    if !well_formed {
        return Err(AppError::NotFound);
    }
    // Through the case, so a handler named on a case outside their village sees its photos.
    let cases = state.store.blob_cases(sha256).await?;
    if cases.iter().any(|(doc, path)| d.covers_doc(path, *doc)) { Ok(()) } else { Err(AppError::NotFound) }
}

/// `GET /blobs/{sha256}/upload`: how many bytes the server holds from this device, i.e. where
/// to resume (or that the blob is complete, whoever finished it).
/// Where an upload stands, to resume it.
#[utoipa::path(get, path = "/blobs/{sha256}/upload", tag = "blobs", security(("device_token" = [])),
    params(("sha256" = String, Path, description = "The blob's SHA-256, lowercase hex")),
    responses((status = 200, body = BlobStatus), (status = 404, body = ErrorBody)))]
pub(super) async fn status(
    State(state): State<AppState>,
    LastUpload(d): LastUpload,
    Path(sha256): Path<String>,
) -> Result<impl IntoResponse, BlobError> {
    visible(&state, &d, &sha256).await?;
    let s = state.store.upload_state(&sha256, d.device_id, state.uploads).await?;
    Ok(axum::Json(BlobStatus::of(&sha256, s.as_ref())))
}

#[derive(Deserialize)]
pub(super) struct Offset {
    offset: i64,
}

/// `PUT /blobs/{sha256}?offset=N`: the chunk that starts at byte N of this device's upload.
/// One chunk of a blob, at `offset`; the whole blob's size in `anlan-blob-size`.
#[utoipa::path(put, path = "/blobs/{sha256}", tag = "blobs", security(("device_token" = [])),
    params(("sha256" = String, Path, description = "The blob's SHA-256, lowercase hex"),
        ("offset" = i64, Query, description = "Where this chunk starts in the blob"),
        ("anlan-blob-size" = i64, Header, description = "The whole blob's size in bytes")),
    request_body(description = "The chunk's bytes", content(
        (super::wire::Binary = "image/jpeg"), (super::wire::Binary = "image/png"), (super::wire::Binary = "image/webp"), (super::wire::Binary = "application/pdf"))),
    responses((status = 200, body = BlobStatus),
        (status = 409, description = "`wrong_offset` or `upload_mismatch`", body = UploadRefusal),
        (status = 413, description = "`upload_quota`, or too large", body = UploadRefusal),
        (status = 422, description = "`hash_mismatch` or `type_mismatch`: start again", body = UploadRefusal),
        (status = 400, body = ErrorBody), (status = 404, body = ErrorBody), (status = 415, body = ErrorBody)))]
pub(super) async fn upload(
    State(state): State<AppState>,
    LastUpload(d): LastUpload,
    Path(sha256): Path<String>,
    query: Result<StrictQuery<Offset>, AppError>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<impl IntoResponse, BlobError> {
    // Photos are the largest writes: the first to stop when the disk runs low. Before any
    // lookup, so the refusal says nothing about which blobs exist.
    state.store.space.check_room()?;
    visible(&state, &d, &sha256).await?;
    let mime = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(|v| v.split(';').next().unwrap_or("").trim().to_ascii_lowercase())
        .unwrap_or_default();
    let Some(mime) = MIME_TYPES.iter().find(|m| **m == mime) else {
        return Err(AppError::UnsupportedMediaType(format!(
            "a blob's Content-Type must be one of {}",
            MIME_TYPES.join(", ")
        ))
        .into());
    };
    let size: i64 = headers
        .get(SIZE_HEADER)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse().ok())
        .filter(|n| *n > 0)
        .ok_or_else(|| {
            AppError::BadRequest(format!("{SIZE_HEADER}: the whole blob's size in bytes, at least 1"))
        })?;
    if size > MAX_BLOB {
        return Err(AppError::PayloadTooLarge(format!("a blob may be at most {MAX_BLOB} bytes")).into());
    }
    // A message that says what the parameter is for, rather than serde's.
    let StrictQuery(Offset { offset }) =
        query.map_err(|_| AppError::BadRequest("?offset=N: where this chunk starts in the blob".into()))?;
    let bytes = body.map_err(|r| match r.status() {
        StatusCode::PAYLOAD_TOO_LARGE => {
            AppError::PayloadTooLarge(format!("a chunk may carry at most {MAX_CHUNK} bytes"))
        }
        _ => AppError::BadRequest(r.body_text()),
    })?;
    if bytes.is_empty() || offset < 0 || offset + bytes.len() as i64 > size {
        return Err(AppError::BadRequest(format!(
            "a chunk must be 1 or more bytes lying within the blob's {size} bytes"
        ))
        .into());
    }
    let chunk = Chunk { sha256: &sha256, mime, size, offset, bytes: &bytes, device_id: d.device_id };
    match state.store.put_blob_chunk(&chunk, state.uploads).await? {
        ChunkOutcome::Stored(s) => Ok(axum::Json(BlobStatus::of(&sha256, Some(&s)))),
        ChunkOutcome::WrongOffset(s) => Err(BlobError::WrongOffset(s)),
        ChunkOutcome::Mismatch(s) => Err(BlobError::Mismatch(s)),
        ChunkOutcome::HashMismatch => Err(BlobError::HashMismatch),
        ChunkOutcome::TypeMismatch => Err(BlobError::TypeMismatch),
        ChunkOutcome::OverQuota { held, quota } => Err(BlobError::OverQuota { held, quota }),
    }
}

/// `GET /blobs/{sha256}`: a complete blob, streamed chunk by chunk. Its name is its content, so
/// it never changes: cached for a year, revalidated by ETag if asked.
/// A complete blob's bytes, cacheable forever under its ETag.
#[utoipa::path(get, path = "/blobs/{sha256}", tag = "blobs", security(("device_token" = [])),
    params(("sha256" = String, Path, description = "The blob's SHA-256, lowercase hex")),
    responses((status = 200, description = "The bytes, as the type they were uploaded as", content(
        (super::wire::Binary = "image/jpeg"), (super::wire::Binary = "image/png"), (super::wire::Binary = "image/webp"), (super::wire::Binary = "application/pdf"))),
        (status = 304, description = "Not modified"), (status = 404, body = ErrorBody)))]
pub(super) async fn read(
    State(state): State<AppState>,
    Device(d): Device,
    Path(sha256): Path<String>,
    headers: HeaderMap,
) -> Result<Response, BlobError> {
    visible(&state, &d, &sha256).await?;
    let s = state.store.blob_state(&sha256).await?.filter(|s| s.complete).ok_or(AppError::NotFound)?;
    let etag = format!("\"{sha256}\"");
    // `private`: what may be read depends on who asks, so no shared cache may keep it.
    let cache = HeaderValue::from_static("private, max-age=31536000, immutable");
    let matches = headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|t| t.trim() == etag || t.trim() == "*"));
    let etag = HeaderValue::from_str(&etag).map_err(|e| AppError::Internal(e.into()))?;
    if matches {
        return Ok((StatusCode::NOT_MODIFIED, [(header::ETAG, etag), (header::CACHE_CONTROL, cache)])
            .into_response());
    }
    let store = state.store.clone();
    let stream = futures::stream::try_unfold(0i64, move |pos| {
        let (store, sha256) = (store.clone(), sha256.clone());
        async move {
            let next = store.blob_chunk_from(&sha256, pos).await.map_err(std::io::Error::other)?;
            Ok::<_, std::io::Error>(next.map(|(at, bytes)| {
                let end = at + bytes.len() as i64;
                (Bytes::from(bytes), end)
            }))
        }
    });
    let headers = [
        (header::CONTENT_TYPE, HeaderValue::from_str(&s.mime).map_err(|e| AppError::Internal(e.into()))?),
        (header::CONTENT_LENGTH, HeaderValue::from(s.size)),
        (header::ETAG, etag),
        (header::CACHE_CONTROL, cache),
    ];
    Ok((headers, Body::from_stream(stream)).into_response())
}
