use std::convert::Infallible;
use std::time::Duration;

use axum::Router;
use axum::extract::State;
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::routing::get;
use futures::{Stream, StreamExt, stream};
use tokio_stream::wrappers::BroadcastStream;
use tokio_stream::wrappers::errors::BroadcastStreamRecvError;

use crate::auth::Device;
use crate::error::AppError;
use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new().route("/live", get(live))
}

fn feed_event(cursor: i64) -> Result<Event, Infallible> {
    Ok(Event::default().event("feed").data(format!("{{\"cursor\":{cursor}}}")))
}

async fn live(
    State(state): State<AppState>,
    Device(device): Device,
) -> Result<Sse<impl Stream<Item = Result<Event, Infallible>>>, AppError> {
    state.metrics.live_connections.inc();
    let rx = state.live.subscribe();
    let first = state.store.high_seq().await?;
    let scope = device.unit_path.clone();
    let notices = BroadcastStream::new(rx).filter_map(move |n| {
        let event = match n {
            Ok(n) if n.paths.iter().any(|p| p.starts_with(&scope) || p == "/") => Some(feed_event(n.cursor)),
            Ok(_) => None,
            // Missed some notices: say so with no cursor a client could trust less than a sync.
            Err(BroadcastStreamRecvError::Lagged(_)) => Some(feed_event(i64::MAX)),
        };
        std::future::ready(event)
    });
    let mut shutdown = state.shutdown.clone();
    let stream = stream::once(std::future::ready(feed_event(first))).chain(notices).take_until(async move {
        let _ = shutdown.wait_for(|stop| *stop).await;
    });
    Ok(Sse::new(stream).keep_alive(KeepAlive::new().interval(Duration::from_secs(15)).text("ping")))
}
