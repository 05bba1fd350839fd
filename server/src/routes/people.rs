//! The people directory: who a case can be assigned to, and the names behind the user ids a
//! case holds. Names, roles and units only — phone numbers stay with the administrators.

use super::wire::records::{People, Person};
use crate::auth::Device;
use crate::error::{AppError, ErrorBody};
use crate::state::AppState;
use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};

/// More than any township has; a county's directory is served whole to its administrators.
const MAX_PEOPLE: i64 = 5_000;

pub fn router() -> Router<AppState> {
    Router::new().route("/people", get(people))
}

/// Everyone in the caller's township (for people in a village: the township around it, whose
/// leaders and staff handle its cases), or in the caller's own unit when it is larger.
#[utoipa::path(get, path = "/people", tag = "people", security(("device_token" = [])),
    responses((status = 200, body = People), (status = 401, body = ErrorBody)))]
pub(super) async fn people(
    State(state): State<AppState>,
    Device(d): Device,
) -> Result<Json<People>, AppError> {
    let chain = state.store.unit_chain(&d.unit_code).await?;
    // The chain runs from the root down to the caller's own unit: a township in it is the
    // caller's own or the one above their village; above township level there is none.
    let area = chain
        .iter()
        .find(|u| u.is(sync_protocol::UnitKind::Township))
        .map_or(d.unit_path.clone(), |t| t.path.clone());
    let people: Vec<Person> = state
        .store
        .users_under(&area, MAX_PEOPLE, 0)
        .await?
        .into_iter()
        .map(|u| Person {
            id: u.id,
            name: u.name,
            role: u.role,
            unit_code: u.unit_code,
            unit_name: u.unit_name,
        })
        .collect();
    Ok(Json(People { people }))
}
