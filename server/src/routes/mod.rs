//! HTTP routes, one module per noun, merged here with the tower layers.

mod ack_link;
pub(crate) mod admin;
mod alert_settings;
mod audit;
mod blobs;
mod campaigns;
mod cases;
mod cbor;
mod fetch;
mod health;
mod identity;
mod json;
mod live;
mod openapi;
mod paths;
mod people;
mod push;
mod query;
mod receipts;
mod records;
mod scope_admin;
mod session;
mod stats;
mod sync;
pub(crate) mod wire;

use std::path::Path;
use std::time::Duration;

use axum::Router;
use axum::http::{HeaderValue, Request, header};
use axum::middleware::{self, Next};
use axum::response::IntoResponse;
use axum::response::Response;
use tower::Layer;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::compression::CompressionLayer;
use tower_http::services::{ServeDir, ServeFile};
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::{DefaultOnResponse, TraceLayer};

use crate::state::AppState;

pub use health::metrics_router as metrics;
pub use openapi::{ApiDoc, document as openapi_document};

/// The app; `metrics` is merged in when `/metrics` is served on the main listener.
pub fn router(state: AppState, static_dir: Option<&Path>, metrics: Option<Router<AppState>>) -> Router {
    let api = Router::new()
        .merge(sync::router())
        .merge(fetch::router())
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
        .merge(openapi::router())
        // SSE is endless by design; it gets no request timeout.
        .layer(TimeoutLayer::with_status_code(
            axum::http::StatusCode::REQUEST_TIMEOUT,
            Duration::from_secs(60),
        ))
        .merge(live::router())
        .route_layer(middleware::from_fn(record_route))
        // An unknown API path is the client's mistake, not a page of the app.
        .fallback(paths::not_found);
    let mut app = Router::new()
        .nest("/api/v1", api)
        .merge(health::router())
        .merge(ack_link::router())
        .merge(receipts::router());
    if let Some(m) = metrics {
        app = app.merge(m);
    }
    app = match static_dir {
        Some(dir) => {
            let index = dir.join("index.html");
            let files = ServeDir::new(dir)
                .precompressed_br()
                .precompressed_gzip()
                .fallback(ServeFile::new(index).precompressed_br().precompressed_gzip());
            app.fallback_service(middleware::from_fn(paths::guard).layer(files))
                .layer(middleware::from_fn(cache_headers))
        }
        None => app.fallback(paths::not_found),
    };
    let app = app.layer(CompressionLayer::new()).layer(middleware::from_fn(crate::headers::security_headers));
    // The panic layer sits inside the request span, so a panic is logged with its request.
    let app = last_line(app)
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(request_span)
                .on_response(DefaultOnResponse::new().level(tracing::Level::INFO)),
        )
        .layer(middleware::from_fn(request_id));
    app.with_state(state)
}

/// The last line: a panic anywhere in a handler is the project's JSON 500, not a dropped
/// connection (the merge contains Automerge's panics itself, per document: merge/contain.rs).
fn last_line<S: Clone + Send + Sync + 'static>(app: Router<S>) -> Router<S> {
    app.layer(CatchPanicLayer::custom(panic_response))
}

fn panic_response(p: Box<dyn std::any::Any + Send + 'static>) -> Response {
    let why = crate::merge::contain::panic_message(p.as_ref());
    crate::error::AppError::Internal(anyhow::anyhow!("handler panicked: {why}")).into_response()
}

/// Every request's span: an id (also sent back as `x-request-id`, so a user's report can be
/// found in the log), the client (behind a trusted proxy: the address the proxy saw), and, once
/// known, the matched route and the signed-in device and user. The path only: a query string
/// may carry a sign-in token.
fn request_span(req: &Request<axum::body::Body>) -> tracing::Span {
    let client = req.extensions().get::<crate::client_ip::ClientIp>().map(|c| c.0);
    let id = req.extensions().get::<RequestId>().map_or("", |r| r.0.as_str());
    tracing::info_span!(
        "request",
        id,
        method = %req.method(),
        path = req.uri().path(),
        client = ?client,
        route = tracing::field::Empty,
        device = tracing::field::Empty,
        user = tracing::field::Empty,
    )
}

#[derive(Clone)]
struct RequestId(String);

/// Outermost: name the request before its span is made, and tell the client the name.
async fn request_id(mut req: Request<axum::body::Body>, next: Next) -> Response {
    let id = RequestId(format!("{:016x}", rand::random::<u64>()));
    req.extensions_mut().insert(id.clone());
    let mut res = next.run(req).await;
    if let Ok(v) = HeaderValue::from_str(&id.0) {
        res.headers_mut().insert("x-request-id", v);
    }
    res
}

/// Runs after routing, where the matched route is known.
async fn record_route(req: Request<axum::body::Body>, next: Next) -> Response {
    if let Some(route) = req.extensions().get::<axum::extract::MatchedPath>() {
        tracing::Span::current().record("route", route.as_str());
    }
    next.run(req).await
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

#[cfg(test)]
mod tests {
    use axum::body::Body;
    use axum::routing::get;
    use tower::ServiceExt;

    use super::*;

    #[tokio::test]
    async fn a_panicking_handler_answers_the_json_500() {
        async fn boom() -> &'static str {
            panic!("boom")
        }
        let app = last_line(Router::new().route("/boom", get(boom)));
        let res = app.oneshot(Request::get("/boom").body(Body::empty()).unwrap()).await.unwrap();
        assert_eq!(res.status(), 500);
        let body = axum::body::to_bytes(res.into_body(), 1024).await.unwrap();
        let json: serde_json::Value = serde_json::from_slice(&body).unwrap();
        assert_eq!(json, serde_json::json!({"code": "internal", "message": "internal server error"}));
    }
}
