//! The plain-HTTP listener beside HTTPS: it serves nothing but a redirect to the same URL over
//! HTTPS, and the key authorizations of pending ACME HTTP-01 challenges (RFC 8555 §8.3), which
//! the CA must be able to fetch over plain HTTP.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};

use axum::Router;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, Uri, header, uri::Authority};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;

use crate::error::AppError;

/// Pending HTTP-01 challenges: token → key authorization.
#[derive(Debug, Clone, Default)]
pub struct Challenges(Arc<RwLock<HashMap<String, String>>>);

impl Challenges {
    pub fn insert(&self, token: &str, key_authorization: &str) {
        self.0.write().unwrap_or_else(|e| e.into_inner()).insert(token.into(), key_authorization.into());
    }

    pub fn remove(&self, token: &str) {
        self.0.write().unwrap_or_else(|e| e.into_inner()).remove(token);
    }

    fn get(&self, token: &str) -> Option<String> {
        self.0.read().unwrap_or_else(|e| e.into_inner()).get(token).cloned()
    }
}

#[derive(Clone)]
struct Redirecting {
    challenges: Challenges,
    https_port: u16,
}

/// `https_port` is where HTTPS listens; 443 is left out of the redirect URL.
pub fn router(challenges: Challenges, https_port: u16) -> Router {
    Router::new()
        .route("/.well-known/acme-challenge/{token}", get(answer))
        .fallback(redirect)
        .with_state(Redirecting { challenges, https_port })
}

async fn answer(State(s): State<Redirecting>, Path(token): Path<String>) -> Result<Response, AppError> {
    let key_authorization = s.challenges.get(&token).ok_or(AppError::NotFound)?;
    Ok(([(header::CONTENT_TYPE, "application/octet-stream")], key_authorization).into_response())
}

async fn redirect(State(s): State<Redirecting>, headers: HeaderMap, uri: Uri) -> Result<Redirect, AppError> {
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .and_then(|h| h.parse::<Authority>().ok())
        .ok_or_else(|| AppError::BadRequest("a Host header is needed to redirect to HTTPS".into()))?;
    let port = if s.https_port == 443 { String::new() } else { format!(":{}", s.https_port) };
    let path = uri.path_and_query().map_or("/", |p| p.as_str());
    Ok(Redirect::permanent(&format!("https://{}{port}{path}", host.host())))
}
