//! `/a/<code>`: the acknowledgement link of an alert SMS (see `crate::alerts::link`). No
//! login: the unguessable, single-use code bound to one person, case and alert is the
//! credential. GET shows the page, POST acknowledges.

use axum::Router;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;

use crate::alerts::link::LinkCode;
use crate::alerts::page::{CSS, Page};
use crate::state::AppState;
use crate::store::{AckVia, LinkUse};

pub fn router() -> Router<AppState> {
    Router::new().route("/a/page.css", get(css)).route("/a/{code}", get(show).post(acknowledge))
}

async fn css() -> Response {
    ([(header::CONTENT_TYPE, "text/css; charset=utf-8")], CSS).into_response()
}

fn page(status: StatusCode, p: Page<'_>) -> Response {
    let headers = [
        (header::CONTENT_TYPE, "text/html; charset=utf-8"),
        // A link's page is about one person's case: never kept by a browser or proxy.
        (header::CACHE_CONTROL, "no-store"),
    ];
    (status, headers, p.render()).into_response()
}

fn refused(u: &LinkUse) -> Response {
    match u {
        LinkUse::Used => page(StatusCode::GONE, Page::Used),
        LinkUse::Expired => page(StatusCode::GONE, Page::Expired),
        _ => page(StatusCode::NOT_FOUND, Page::Unknown),
    }
}

fn unavailable(e: impl std::fmt::Display) -> Response {
    tracing::warn!(error = %e, "acknowledgement link could not be served");
    page(StatusCode::SERVICE_UNAVAILABLE, Page::TryAgain)
}

async fn show(State(state): State<AppState>, Path(code): Path<String>) -> Response {
    let Some(code) = LinkCode::parse(&code) else { return refused(&LinkUse::Unknown) };
    match state.store.ack_link(&code.hash()).await {
        Ok(LinkUse::Valid(v)) => page(StatusCode::OK, Page::Confirm { code: code.as_str(), text: &v.text }),
        Ok(other) => refused(&other),
        Err(e) => unavailable(e),
    }
}

async fn acknowledge(State(state): State<AppState>, Path(code): Path<String>) -> Response {
    let Some(code) = LinkCode::parse(&code) else { return refused(&LinkUse::Unknown) };
    let hash = code.hash();
    let view = match state.store.use_ack_link(&hash).await {
        Ok(LinkUse::Valid(v)) => v,
        Ok(other) => return refused(&other),
        Err(e) => return unavailable(e),
    };
    match state.merger.acknowledge_for(view.doc, &view.user_id, AckVia::SmsLink).await {
        Ok(outcome) => {
            tracing::info!(user = %view.user_id, doc = %view.doc, ?outcome, "acknowledged by SMS link");
            let doc = view.doc.to_string();
            page(StatusCode::OK, Page::Done { outcome, text: &view.text, doc: &doc })
        }
        Err(e) => {
            // Nothing was recorded: the person may press again.
            if let Err(e) = state.store.unuse_ack_link(&hash).await {
                tracing::warn!(error = %e, "acknowledgement link not given back");
            }
            unavailable(e)
        }
    }
}
