//! `POST /admin/roster?dry_run=true|false`: a roster file as the body (CSV or XLSX). Every bad
//! row is reported by its line number — the file's own problems (`crate::roster`) and, here,
//! rows the caller may not add (a unit outside their jurisdiction, a role above their own).
//! Nothing is imported unless every row is good; then all go in one transaction.

use std::collections::HashMap;

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use serde::Deserialize;

use super::{policy, require_people};
use crate::auth::Device;
use crate::error::{AppError, ErrorBody};
use crate::roster::{self, BadRow, RawRow, Report, RosterError};
use crate::routes::query::StrictQuery;
use crate::routes::wire::admin::{RosterAnswer, RosterBadRow, RosterUser};
use crate::state::AppState;
use crate::store::{DeviceAuth, Unit};

const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RosterQuery {
    /// `true` (the default) or `false`: an import cannot be undone from here.
    dry_run: Option<String>,
}

fn rows_of(headers: &HeaderMap, bytes: &[u8]) -> Result<Vec<RawRow>, AppError> {
    let kind = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("");
    let essence = kind.split(';').next().unwrap_or("").trim().to_ascii_lowercase();
    let read = match essence.as_str() {
        "text/csv" | "application/csv" => roster::read_csv(bytes),
        XLSX | "application/vnd.ms-excel" => roster::read_sheet_bytes(bytes),
        _ => {
            return Err(AppError::UnsupportedMediaType(format!(
                "send the roster as text/csv or {XLSX}, not {}",
                if kind.is_empty() { "nothing" } else { kind }
            )));
        }
    };
    read.map_err(|e| match e {
        RosterError::File(m) => AppError::BadRequest(m),
        RosterError::Store(s) => s.into(),
    })
}

/// Rows the file allows but the caller may not add, by line.
fn refused(d: &DeviceAuth, report: &Report, units: &HashMap<String, Unit>) -> Vec<BadRow> {
    let line_of: HashMap<&str, usize> =
        report.good.iter().zip(&report.good_lines).map(|(u, l)| (u.id.as_str(), *l)).collect();
    let mut why: HashMap<usize, Vec<String>> = HashMap::new();
    for (u, line) in report.good.iter().zip(&report.good_lines) {
        if !policy::may_grant(&d.role, &u.role) {
            why.entry(*line).or_default().push(format!("a {} may not add a {}", d.role, u.role));
        }
        if !units.contains_key(&u.unit_code) {
            why.entry(*line).or_default().push(format!("unit {} is outside your jurisdiction", u.unit_code));
        }
    }
    if !policy::manages_units(&d.role) {
        for (unit, _, line) in &report.locations {
            why.entry(*line).or_default().push(format!("a {} may not place unit {unit} on the map", d.role));
        }
    }
    for (user, village) in &report.villages {
        if let Some(line) = line_of.get(user.as_str())
            && !units.contains_key(village)
        {
            why.entry(*line).or_default().push(format!("unit {village} is outside your jurisdiction"));
        }
    }
    why.into_iter().map(|(line, reasons)| BadRow { line, reason: reasons.join("; ") }).collect()
}

/// `good`: rows with nothing wrong in the file or in the caller's rights.
fn answer(
    status: StatusCode,
    dry_run: bool,
    report: &Report,
    good: usize,
    bad: &[BadRow],
) -> (StatusCode, Json<RosterAnswer>) {
    let users = if report.imported { report.good.iter().map(RosterUser::of).collect() } else { Vec::new() };
    let body = RosterAnswer {
        dry_run,
        imported: report.imported,
        good,
        bad: bad.iter().map(RosterBadRow::of).collect(),
        users,
        placed: report.locations.len(),
    };
    (status, Json(body))
}

/// A roster file (CSV or XLSX) checked, and imported when asked and every row is good.
#[utoipa::path(post, path = "/admin/roster", tag = "admin", security(("device_token" = [])), params(RosterQuery),
    request_body(description = "The roster file", content(
        (crate::routes::wire::Binary = "text/csv"),
        (crate::routes::wire::Binary = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))),
    responses((status = 200, body = RosterAnswer, description = "Checked (dry run) or imported"),
        (status = 422, body = RosterAnswer, description = "Bad rows: nothing imported"),
        (status = 403, body = ErrorBody), (status = 415, body = ErrorBody)))]
pub async fn upload(
    State(state): State<AppState>,
    Device(d): Device,
    q: Result<StrictQuery<RosterQuery>, AppError>,
    headers: HeaderMap,
    bytes: Bytes,
) -> Result<(StatusCode, Json<RosterAnswer>), AppError> {
    require_people(&d)?;
    // A dry run unless asked otherwise: an import cannot be undone from here.
    let StrictQuery(q) = q?;
    let dry_run = match q.dry_run.as_deref() {
        None | Some("true") | Some("1") => true,
        Some("false") | Some("0") => false,
        Some(other) => return Err(AppError::BadRequest(format!("dry_run {other:?} is not true or false"))),
    };
    let rows = rows_of(&headers, &bytes)?;
    let mut units = HashMap::new();
    for path in d.scope.paths() {
        units.extend(state.store.units_under(path).await?.into_iter().map(|u| (u.code.clone(), u)));
    }
    let store_err = |e: RosterError| match e {
        RosterError::File(m) => AppError::BadRequest(m),
        RosterError::Store(s) => s.into(),
    };
    let report = roster::check(&state.store, &rows).await.map_err(store_err)?;
    let refused = refused(&d, &report, &units);
    let good = report.good.len() - refused.len();
    let mut bad = report.bad.clone();
    bad.extend(refused);
    bad.sort_by_key(|b| b.line);
    if dry_run || !bad.is_empty() || report.good.is_empty() {
        let status = if dry_run { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
        return Ok(answer(status, dry_run, &report, good, &bad));
    }
    // Checked again inside the import, against the database as it is now.
    let report = roster::import(&state.store, &rows, false).await.map_err(store_err)?;
    let status = if report.imported { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    Ok(answer(status, false, &report, report.good.len(), &report.bad))
}
