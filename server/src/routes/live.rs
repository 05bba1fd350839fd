use std::convert::Infallible;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::Router;
use axum::extract::State;
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::routing::get;
use futures::{Stream, StreamExt, stream};
use tokio_stream::wrappers::BroadcastStream;
use tokio_stream::wrappers::errors::BroadcastStreamRecvError;

use crate::auth::Device;
use crate::error::AppError;
use crate::live::streams::PER_DEVICE;
use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new().route("/live", get(live))
}

/// The longest a live stream filters with a scope it has not re-read.
const SCOPE_TTL: Duration = Duration::from_secs(30);

fn feed_event(cursor: i64) -> Result<Event, Infallible> {
    Ok(Event::default().event("feed").data(format!("{{\"cursor\":{cursor}}}")))
}

async fn live(
    State(state): State<AppState>,
    Device(device): Device,
) -> Result<Sse<impl Stream<Item = Result<Event, Infallible>>>, AppError> {
    let slot = state.live.streams.open(device.device_id).ok_or(AppError::TooManyStreams(PER_DEVICE))?;
    state.metrics.live_connections.inc();
    let rx = state.live.subscribe();
    let first = state.store.high_seq().await?;
    let store = state.store.clone();
    let user = device.user_id.clone();
    // The scope is re-read when a notice names this user (a case now names them; they moved)
    // and at least every `SCOPE_TTL`, which catches a move made from another process.
    let held = Arc::new(Mutex::new((device.scope.clone(), Instant::now())));
    let notices = BroadcastStream::new(rx).filter_map(move |n| {
        let (store, user, held) = (store.clone(), user.clone(), held.clone());
        async move {
            let n = match n {
                Ok(n) => n,
                // Missed some notices: say so with no cursor a client could trust less than a sync.
                Err(BroadcastStreamRecvError::Lagged(_)) => return Some(feed_event(i64::MAX)),
            };
            let named = n.users.contains(&user);
            let stale = held.lock().unwrap().1.elapsed() > SCOPE_TTL;
            if named || stale {
                match store.user_scope(&user).await {
                    Ok(Some(scope)) => *held.lock().unwrap() = (scope, Instant::now()),
                    Ok(None) => return None, // the user is gone: nothing concerns them
                    Err(e) => tracing::warn!(error = %e, "cannot re-read a live listener's scope"),
                }
            }
            // Named: their scope grew or shrank; either way a sync brings the news.
            (named || n.concerns(&held.lock().unwrap().0)).then(|| feed_event(n.cursor))
        }
    });
    let mut shutdown = state.shutdown.clone();
    let stream = stream::once(std::future::ready(feed_event(first))).chain(notices).take_until(async move {
        let _ = shutdown.wait_for(|stop| *stop).await;
    });
    // The place is held as long as the stream: until the client goes or the server stops.
    let stream = stream.map(move |e| {
        let _ = &slot;
        e
    });
    Ok(Sse::new(stream).keep_alive(KeepAlive::new().interval(Duration::from_secs(15)).text("ping")))
}
