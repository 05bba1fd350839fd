//! `/receipts/<provider>/<token>`: delivery receipts pushed by the SMS providers (see
//! `crate::channels::receipts`). The providers cannot sign these requests in a way we could
//! check, so the unguessable token in the URL is the credential; a wrong token, an unknown
//! provider, or receipts not configured all answer 404, alike.

use axum::Json;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::routing::post;
use serde_json::Value;

use crate::channels::receipts::ReceiptSource;
use crate::error::AppError;
use crate::state::AppState;
use crate::store::ReceiptEffect;

pub fn router() -> Router<AppState> {
    Router::new().route("/receipts/{source}/{token}", post(receive))
}

async fn receive(
    State(state): State<AppState>,
    Path((source, token)): Path<(String, String)>,
    body: Bytes,
) -> Result<Json<Value>, AppError> {
    let plan = &state.sender.plan;
    let known = plan.receipt_token.as_ref().is_some_and(|t| t.matches(&token));
    let source: ReceiptSource = match source.parse() {
        Ok(s) if known => s,
        _ => return Err(AppError::NotFound),
    };
    let receipts = source.parse(&body).map_err(|e| AppError::BadRequest(e.to_string()))?;
    let channel = source.channel();
    let (mut applied, mut kept, mut repeats) = (0, 0, 0);
    for r in &receipts {
        // A store error answers 500: the provider pushes the reports again later.
        match state.store.record_receipt(channel, r).await? {
            ReceiptEffect::Repeat => repeats += 1,
            effect => {
                state.metrics.channels.record_receipt(channel, r.outcome);
                if effect == ReceiptEffect::Applied { applied += 1 } else { kept += 1 }
            }
        }
    }
    tracing::info!(%channel, applied, kept, repeats, "delivery receipts");
    Ok(Json(source.accepted()))
}
