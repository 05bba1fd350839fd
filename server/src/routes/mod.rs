//! HTTP routes, one module per noun, merged here with the tower layers.

mod ack_link;
pub(crate) mod admin;
mod alert_settings;
mod audit;
mod blobs;
mod campaigns;
mod cases;
mod health;
mod identity;
mod live;
mod people;
mod push;
mod records;
mod scope_admin;
mod session;
mod stats;
mod sync;

use std::path::Path;
use std::time::Duration;

use axum::Router;
use axum::http::{HeaderValue, Request, header};
use axum::middleware::{self, Next};
use axum::response::Response;
use tower_http::compression::CompressionLayer;
use tower_http::services::{ServeDir, ServeFile};
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;

use crate::state::AppState;

pub fn router(state: AppState, static_dir: Option<&Path>) -> Router {
    let api = Router::new()
        .merge(sync::router())
        .merge(session::router())
        .merge(cases::router())
        .merge(campaigns::router())
        .merge(audit::router())
        .merge(admin::router())
        .merge(identity::router())
        .merge(push::router())
        .merge(alert_settings::router())
        .merge(people::router())
        .merge(records::router())
        .merge(scope_admin::router())
        .merge(blobs::router())
        .merge(stats::router())
        // SSE is endless by design; it gets no request timeout.
        .layer(TimeoutLayer::with_status_code(
            axum::http::StatusCode::REQUEST_TIMEOUT,
            Duration::from_secs(60),
        ))
        .merge(live::router());
    let mut app = Router::new().nest("/api/v1", api).merge(health::router()).merge(ack_link::router());
    if let Some(dir) = static_dir {
        let index = dir.join("index.html");
        let files = ServeDir::new(dir)
            .precompressed_br()
            .precompressed_gzip()
            .fallback(ServeFile::new(index).precompressed_br().precompressed_gzip());
        app = app.fallback_service(files).layer(middleware::from_fn(cache_headers));
    }
    app.layer(CompressionLayer::new())
        .layer(middleware::from_fn(crate::headers::security_headers))
        .layer(TraceLayer::new_for_http().make_span_with(request_span))
        .with_state(state)
}

/// The request log names the client (behind a trusted proxy: the address the proxy saw).
fn request_span(req: &Request<axum::body::Body>) -> tracing::Span {
    let client = req.extensions().get::<crate::client_ip::ClientIp>().map(|c| c.0);
    tracing::debug_span!("request", method = %req.method(), uri = %req.uri(), client = ?client)
}

/// Hashed assets never change under their name; everything else (index.html, the service
/// worker, the manifest) must be revalidated so a new version is found.
async fn cache_headers(req: Request<axum::body::Body>, next: Next) -> Response {
    let immutable = req.uri().path().starts_with("/assets/");
    let mut res = next.run(req).await;
    let value = if immutable { "public, max-age=31536000, immutable" } else { "no-cache" };
    res.headers_mut().entry(header::CACHE_CONTROL).or_insert(HeaderValue::from_static(value));
    res
}
