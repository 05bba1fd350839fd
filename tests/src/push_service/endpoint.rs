//! The push service's HTTP side: one route, `POST /push/{id}`, that decrypts, verifies,
//! records and answers as scripted.

use std::sync::Arc;
use std::time::{Instant, SystemTime};

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use tokio::net::TcpListener;
use tokio::sync::oneshot;

use super::{ReceivedMessage, Reply, Shared, VapidClaims, rfc8291, vapid};

/// Serves on `listener` until the returned sender fires (or is dropped).
pub(super) fn serve(listener: TcpListener, shared: Arc<Shared>) -> oneshot::Sender<()> {
    let (stop, stopped) = oneshot::channel::<()>();
    let app = Router::new().route("/push/{id}", post(receive)).with_state(shared);
    tokio::spawn(async move {
        let _ = axum::serve(listener, app)
            .with_graceful_shutdown(async move {
                let _ = stopped.await;
            })
            .await;
    });
    stop
}

async fn receive(
    State(shared): State<Arc<Shared>>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let received_at = Instant::now();
    let received_at_system = SystemTime::now();
    let text = |name: header::HeaderName| headers.get(name).and_then(|v| v.to_str().ok()).map(str::to_owned);

    // Decide the scripted answer under the lock, in arrival order; do the crypto outside it.
    let (outage, subscriber) = {
        let mut inner = shared.inner.lock().expect("push service state");
        let outage = inner.outage;
        let subscriber = inner.subscribers.get_mut(&id).map(|s| {
            // During an outage the script waits for the service to come back.
            let scripted = if outage.is_none() { s.script.pop_front() } else { None };
            let reply = scripted.unwrap_or_else(|| s.default.clone());
            (s.secret.clone(), s.auth, s.application_server_key.clone(), reply)
        });
        (outage, subscriber)
    };

    let vapid = text(header::AUTHORIZATION)
        .ok_or_else(|| "no Authorization header".to_owned())
        .and_then(|a| vapid::verify(&a, &shared.audience, received_at_system));
    let payload = match &subscriber {
        Some((secret, auth, _, _)) => rfc8291::decrypt(secret, auth, &body),
        None => Err("unknown subscription".to_owned()),
    };
    let ttl = text(header::HeaderName::from_static("ttl"));
    let content_encoding = text(header::CONTENT_ENCODING);

    let (status, retry_after) = match (&outage, &subscriber) {
        (Some(_), _) => (503, None),
        (None, None) => (404, None),
        (None, Some((_, _, bound_key, reply))) => match reply {
            Reply::Created => {
                (accept_status(&ttl, &content_encoding, &payload, &vapid, bound_key.as_deref()), None)
            }
            Reply::NotFound => (404, None),
            Reply::Gone => (410, None),
            Reply::TooManyRequests(retry_after) => (429, retry_after.clone()),
            Reply::ServerError => (500, None),
            Reply::Status(status) | Reply::WithBody(status, _) => (*status, None),
        },
    };
    let body = match &subscriber {
        Some((_, _, _, Reply::WithBody(_, body))) if outage.is_none() => body.clone(),
        _ => String::new(),
    };

    let message = ReceivedMessage {
        subscription: id.clone(),
        received_at,
        received_at_system,
        status,
        ttl,
        urgency: text(header::HeaderName::from_static("urgency")),
        topic: text(header::HeaderName::from_static("topic")),
        content_encoding,
        payload,
        vapid,
    };
    let count = {
        let mut inner = shared.inner.lock().expect("push service state");
        inner.received.push(message);
        inner.received.len()
    };
    shared.received.send_replace(count);

    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let mut response = (status, body).into_response();
    if status == StatusCode::CREATED {
        let location = format!("/message/{id}/{count}");
        if let Ok(value) = HeaderValue::from_str(&location) {
            response.headers_mut().insert(header::LOCATION, value);
        }
    }
    if let Some(value) = retry_after.and_then(|v| HeaderValue::from_str(&v).ok()) {
        response.headers_mut().insert(header::RETRY_AFTER, value);
    }
    response
}

/// What a real service answers a well-scripted subscription: RFC 8030 §5.2 requires TTL,
/// RFC 8291 §4 aes128gcm, RFC 8292 §4.2 401 for a bad token and 403 for a key other than the
/// one the subscription was made with.
fn accept_status(
    ttl: &Option<String>,
    content_encoding: &Option<String>,
    payload: &Result<Vec<u8>, String>,
    vapid: &Result<VapidClaims, String>,
    bound_key: Option<&str>,
) -> u16 {
    let Ok(claims) = vapid else { return 401 };
    if bound_key.is_some_and(|key| key != claims.k.trim_end_matches('=')) {
        return 403;
    }
    let ttl_ok = ttl.as_deref().is_some_and(|t| t.parse::<u32>().is_ok());
    let encoding_ok = content_encoding.as_deref() == Some("aes128gcm");
    if !ttl_ok || !encoding_ok || payload.is_err() {
        return 400;
    }
    201
}
