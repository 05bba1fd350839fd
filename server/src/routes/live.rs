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
use crate::error::{AppError, ErrorBody};
use crate::live::streams::PER_DEVICE;
use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new().route("/live", get(live))
}

/// The longest a live stream filters with a scope it has not re-read.
const SCOPE_TTL: Duration = Duration::from_secs(30);

/// What a notice means for one stream.
enum Step {
    Send(Result<Event, Infallible>),
    Skip,
    /// The device lost its authority: the stream ends.
    End,
}

fn feed_event(cursor: i64) -> Result<Event, Infallible> {
    Ok(Event::default().event("feed").data(format!("{{\"cursor\":{cursor}}}")))
}

/// Server-sent events: `feed` (`{"cursor": n}`) whenever the feed advances, so the phone syncs.
#[utoipa::path(get, path = "/live", tag = "sync", security(("device_token" = [])),
    responses((status = 200, description = "An endless event stream", content((String = "text/event-stream"))),
        (status = 401, body = ErrorBody), (status = 429, description = "`too_many_streams`", body = ErrorBody)))]
pub(super) async fn live(
    State(state): State<AppState>,
    Device(device): Device,
) -> Result<Sse<impl Stream<Item = Result<Event, Infallible>>>, AppError> {
    let slot = state.live.streams.open(device.device_id).ok_or(AppError::TooManyStreams(PER_DEVICE))?;
    state.metrics.live_connections.inc();
    let rx = state.live.subscribe();
    let first = state.store.high_seq().await?;
    let store = state.store.clone();
    let (user, me) = (device.user_id.clone(), device.device_id);
    // The scope is re-read when a notice names this user (a case now names them; they moved)
    // and at least every `SCOPE_TTL`, which catches a move made from another process. Re-reading
    // also re-checks the device: one revoked or retiring meanwhile hears nothing more.
    let held = Arc::new(Mutex::new((device.scope.clone(), Instant::now())));
    let notices = BroadcastStream::new(rx).then(move |n| {
        let (store, user, held) = (store.clone(), user.clone(), held.clone());
        async move {
            let n = match n {
                Ok(n) => n,
                // Missed some notices: say so with no cursor a client could trust less than a sync.
                Err(BroadcastStreamRecvError::Lagged(_)) => return Step::Send(feed_event(i64::MAX)),
            };
            if n.devices.contains(&me) {
                return Step::End;
            }
            let named = n.users.contains(&user);
            let stale = held.lock().unwrap().1.elapsed() > SCOPE_TTL;
            if named || stale {
                match store.device_by_id(me).await {
                    Ok(Some(d)) if !d.revoked && !d.retiring => {
                        *held.lock().unwrap() = (d.scope, Instant::now())
                    }
                    Ok(_) => return Step::End, // revoked, retiring, or gone
                    Err(e) => tracing::warn!(error = %e, "cannot re-read a live listener's scope"),
                }
            }
            // Named: their scope grew or shrank; either way a sync brings the news.
            if named || n.concerns(&held.lock().unwrap().0) {
                Step::Send(feed_event(n.cursor))
            } else {
                Step::Skip
            }
        }
    });
    let notices = notices
        .take_while(|step| std::future::ready(!matches!(step, Step::End)))
        .filter_map(|step| std::future::ready(if let Step::Send(e) = step { Some(e) } else { None }));
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
