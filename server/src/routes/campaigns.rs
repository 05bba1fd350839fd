//! Sweep campaigns: launch one (township and above, over townships in their jurisdiction),
//! list those covering the device's scope with their rosters (phones cache this to report and
//! to count completeness offline), completeness, the reminders sent, and a leader's "remind the
//! missing villages now".

use std::collections::BTreeMap;
use std::str::FromStr;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use sync_protocol::case::Category;
use sync_protocol::sweep::completeness::{Input, completeness};

use super::json::JsonBody;
use super::wire::campaigns::{
    CampaignList, CompletenessAnswer, CreateCampaign, Created, Listed, Remind, ReminderSent, Reminders,
    ReportSeen, Township, roster,
};
use crate::auth::Device;
use crate::error::{AppError, ErrorBody};
use crate::state::AppState;
use crate::store::{CampaignInfo, DeviceAuth, NewCampaign, RosterEntry, now_ms};
use sync_protocol::roles::{Rank, UnitKind, rank};

/// Campaigns whose deadline passed more than this long ago are no longer listed.
const LISTED_FOR_MS: i64 = 45 * 86_400_000;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/campaigns", get(list).post(create))
        .route("/campaigns/{id}/completeness", get(one_completeness))
        .route("/campaigns/{id}/reminders", get(reminders))
        .route("/campaigns/{id}/remind", post(remind))
}

/// Launch a concentrated or special campaign over townships of the caller's jurisdiction.
#[utoipa::path(post, path = "/campaigns", tag = "campaigns", security(("device_token" = [])),
    request_body = CreateCampaign,
    responses((status = 201, body = Created), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub(super) async fn create(
    State(state): State<AppState>,
    Device(d): Device,
    req: Result<JsonBody<CreateCampaign>, AppError>,
) -> Result<(StatusCode, Json<Created>), AppError> {
    let JsonBody(req) = req?;
    if rank(&d.role) != Rank::Leader {
        return Err(AppError::Forbidden("campaigns are launched by the township and above".into()));
    }
    let name = req.name.trim();
    if name.is_empty() || name.chars().count() > 100 {
        return Err(AppError::BadRequest("name: 1–100 characters".into()));
    }
    if !matches!(req.kind.as_str(), "concentrated" | "special") {
        return Err(AppError::BadRequest(
            "kind: concentrated or special (half_monthly campaigns are generated)".into(),
        ));
    }
    if req.window_start >= req.window_end || req.deadline < req.window_start {
        return Err(AppError::BadRequest(
            "window_start must be before window_end, and the deadline not before the start".into(),
        ));
    }
    for f in &req.focus {
        Category::from_str(f).map_err(|e| AppError::BadRequest(format!("focus: {e}")))?;
    }
    let unit = state.store.unit_chain(&d.unit_code).await?.pop().ok_or(AppError::NotFound)?;
    let townships = match unit.kind.parse::<UnitKind>() {
        Ok(UnitKind::Township) if req.townships.iter().all(|t| *t == unit.code) => vec![unit.code.clone()],
        Ok(UnitKind::Township) => {
            return Err(AppError::Forbidden("a township launches campaigns for itself only".into()));
        }
        Ok(UnitKind::County | UnitKind::City) => {
            let mine = state.store.townships_under(&d.unit_path).await?;
            if req.townships.is_empty() {
                mine.into_iter().map(|t| t.code).collect()
            } else {
                for t in &req.townships {
                    if !mine.iter().any(|m| m.code == *t) {
                        return Err(AppError::BadRequest(format!(
                            "townships: {t} is not a township of {}",
                            unit.name
                        )));
                    }
                }
                req.townships.clone()
            }
        }
        _ => return Err(AppError::Forbidden("campaigns are launched by a township, county or city".into())),
    };
    if townships.is_empty() {
        return Err(AppError::BadRequest("townships: none to sweep".into()));
    }
    let c = NewCampaign {
        id: uuid::Uuid::new_v4().to_string(),
        name: name.to_string(),
        kind: req.kind,
        unit_code: unit.code,
        unit_path: unit.path,
        period: None,
        window_start: req.window_start,
        window_end: req.window_end,
        deadline: req.deadline,
        focus: req.focus,
        created_by: Some(d.user_id.clone()),
    };
    state.store.insert_campaign(&c, &townships).await?;
    let info = state.store.campaign(&c.id).await?.ok_or(AppError::NotFound)?;
    let villages = state.store.roster(&c.id, &d.scope).await?;
    Ok((StatusCode::CREATED, Json(Created { campaign: info.into(), villages: roster(villages) })))
}

/// Campaigns covering the caller's scope, with their rosters and the reports received.
#[utoipa::path(get, path = "/campaigns", tag = "campaigns", security(("device_token" = [])),
    responses((status = 200, body = CampaignList), (status = 401, body = ErrorBody)))]
pub(super) async fn list(
    State(state): State<AppState>,
    Device(d): Device,
) -> Result<Json<CampaignList>, AppError> {
    let now = now_ms();
    let since = now - LISTED_FOR_MS;
    let campaigns = state.store.campaigns_in(&d.scope, since).await?;
    let mut reports: BTreeMap<String, Vec<ReportSeen>> = BTreeMap::new();
    for r in state.store.sweep_reports(None, since).await? {
        if d.covers(&r.unit_path) {
            reports.entry(r.campaign.clone()).or_default().push(r.into());
        }
    }
    let campaigns = campaigns
        .into_iter()
        .map(|(c, villages)| {
            let reports = reports.remove(&c.id).unwrap_or_default();
            Listed { campaign: c.into(), villages: roster(villages), reports }
        })
        .collect();
    // What a county or city may launch a campaign for (the form's township choice).
    let townships = if rank(&d.role) == Rank::Leader {
        state.store.townships_under(&d.unit_path).await?.into_iter().map(Township::from).collect()
    } else {
        vec![]
    };
    Ok(Json(CampaignList { now, campaigns, townships }))
}

/// The campaign and its roster within the device's scope; not found when none of it is.
async fn visible(
    state: &AppState,
    d: &DeviceAuth,
    id: &str,
) -> Result<(CampaignInfo, Vec<RosterEntry>), AppError> {
    let c = state.store.campaign(id).await?.ok_or(AppError::NotFound)?;
    let villages = state.store.roster(id, &d.scope).await?;
    if villages.is_empty() {
        return Err(AppError::NotFound);
    }
    Ok((c, villages))
}

#[utoipa::path(get, path = "/campaigns/{id}/completeness", tag = "campaigns", security(("device_token" = [])),
    params(("id" = String, Path)), responses((status = 200, body = CompletenessAnswer), (status = 404, body = ErrorBody)))]
pub(super) async fn one_completeness(
    State(state): State<AppState>,
    Device(d): Device,
    Path(id): Path<String>,
) -> Result<Json<CompletenessAnswer>, AppError> {
    let (c, villages) = visible(&state, &d, &id).await?;
    let reports = state.store.sweep_reports(Some(&id), i64::MIN).await?;
    let input = Input {
        deadline: c.deadline,
        now: now_ms(),
        villages: villages.iter().map(RosterEntry::village).collect(),
        reports: reports.into_iter().filter(|r| d.covers(&r.unit_path)).map(|r| r.input).collect(),
    };
    let completeness = completeness(&input);
    Ok(Json(CompletenessAnswer { campaign: c.into(), villages: roster(villages), completeness }))
}

/// The reminders sent for the caller's part of the roster.
#[utoipa::path(get, path = "/campaigns/{id}/reminders", tag = "campaigns", security(("device_token" = [])),
    params(("id" = String, Path)),
    responses((status = 200, body = Reminders), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub(super) async fn reminders(
    State(state): State<AppState>,
    Device(d): Device,
    Path(id): Path<String>,
) -> Result<Json<Reminders>, AppError> {
    if rank(&d.role) != Rank::Leader {
        return Err(AppError::Forbidden("the reminder log is for the township and above".into()));
    }
    let (_, villages) = visible(&state, &d, &id).await?;
    let reminders = state
        .store
        .reminder_log(&id)
        .await?
        .into_iter()
        .filter(|r| villages.iter().any(|v| v.code == r.village))
        .map(ReminderSent::from)
        .collect();
    Ok(Json(Reminders { reminders }))
}

/// Remind the officers of the villages of the caller's part of the roster that have not
/// answered. Shares the clock's once-a-day claim, so a second press the same day sends nothing.
#[utoipa::path(post, path = "/campaigns/{id}/remind", tag = "campaigns", security(("device_token" = [])),
    params(("id" = String, Path)),
    responses((status = 200, body = Remind), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub(super) async fn remind(
    State(state): State<AppState>,
    Device(d): Device,
    Path(id): Path<String>,
) -> Result<Json<Remind>, AppError> {
    if rank(&d.role) != Rank::Leader {
        return Err(AppError::Forbidden("reminders are sent by the township and above".into()));
    }
    let (_, villages) = visible(&state, &d, &id).await?;
    let codes: Vec<String> = villages.iter().map(|v| v.code.clone()).collect();
    let r = crate::campaigns::remind_campaign(&state.sender, &id, &codes, now_ms()).await?;
    Ok(Json(r.into()))
}
