//! Statistics for the township and above: `GET /stats` (JSON), `/stats/export.xlsx` and
//! `/stats/export.csv`, each over `from`, `to` (Beijing dates, inclusive) and `unit` (default:
//! the caller's own). A unit outside the caller's scope answers like one that does not exist.
//!
//! Exports must finish inside the API's 60 s request timeout, which runs until the response
//! head: the CSV sends its head at once and then streams pages of rows; the XLSX is written on
//! a blocking thread, fed page by page, and sent when complete.

use std::io;

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use futures::{StreamExt, stream};
use serde::Deserialize;

use super::query::StrictQuery;
use crate::auth::Device;
use crate::error::{AppError, ErrorBody};
use crate::export::{csv, xlsx};
use crate::state::AppState;
use crate::stats::{self, CaseLine, CasePager, Period, Report};
use crate::store::{DeviceAuth, Unit, now_ms};
use sync_protocol::roles::{Rank, rank};

const XLSX_MIME: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/stats", get(report))
        .route("/stats/export.xlsx", get(export_xlsx))
        .route("/stats/export.csv", get(export_csv))
}

/// Unknown parameters are refused: a misspelt `form=` must not silently give another report.
#[derive(Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub(super) struct StatsQuery {
    /// The period's first day, `YYYY-MM-DD` (Beijing).
    from: Option<String>,
    /// The period's last day, `YYYY-MM-DD` (Beijing).
    to: Option<String>,
    /// A unit of the caller's jurisdiction (default: their own).
    unit: Option<String>,
}

/// Who may ask (403), what was asked (400), and for which unit (404), in that order.
async fn asked(
    state: &AppState,
    d: &DeviceAuth,
    q: Result<StrictQuery<StatsQuery>, AppError>,
) -> Result<(Unit, Period), AppError> {
    if rank(&d.role) != Rank::Leader {
        return Err(AppError::Forbidden("statistics are for the township level and above".into()));
    }
    let StrictQuery(q) = q?;
    let period = Period::parse(q.from.as_deref(), q.to.as_deref()).map_err(AppError::BadRequest)?;
    let code = match q.unit.as_deref().map(str::trim) {
        None => d.unit_code.clone(),
        Some("") => return Err(AppError::BadRequest("unit, when given, must be a unit code".into())),
        Some(code) => code.to_string(),
    };
    let unit = state.store.unit(&code).await?.filter(|u| d.covers(&u.path)).ok_or(AppError::NotFound)?;
    Ok((unit, period))
}

fn attachment(unit: &Unit, period: Period, ext: &str) -> String {
    format!("attachment; filename=\"anlan-stats-{}-{}-{}.{ext}\"", unit.code, period.from, period.to)
}

/// Statistics for a unit and period, for the township level and above.
#[utoipa::path(get, path = "/stats", tag = "stats", security(("device_token" = [])), params(StatsQuery),
    responses((status = 200, body = Report), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody)))]
pub(super) async fn report(
    State(state): State<AppState>,
    Device(d): Device,
    q: Result<StrictQuery<StatsQuery>, AppError>,
) -> Result<Response, AppError> {
    let (unit, period) = asked(&state, &d, q).await?;
    let report = stats::build(&state.store, &unit, period, now_ms()).await?;
    Ok(axum::Json(report).into_response())
}

/// The statistics and every case behind them as a workbook.
#[utoipa::path(get, path = "/stats/export.xlsx", tag = "stats", security(("device_token" = [])), params(StatsQuery),
    responses((status = 200, content((super::wire::Binary = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))),
        (status = 400, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub(super) async fn export_xlsx(
    State(state): State<AppState>,
    Device(d): Device,
    q: Result<StrictQuery<StatsQuery>, AppError>,
) -> Result<Response, AppError> {
    let (unit, period) = asked(&state, &d, q).await?;
    let now = now_ms();
    let report = stats::build(&state.store, &unit, period, now).await?;
    let mut pager = CasePager::new(state.store.clone(), stats::window(&unit, period, now));
    // A few pages in flight at most: the database waits for the writer, not memory.
    let (tx, mut rx) = tokio::sync::mpsc::channel::<Vec<CaseLine>>(4);
    let writer = tokio::task::spawn_blocking(move || {
        xlsx::workbook(&report, std::iter::from_fn(|| rx.blocking_recv()))
    });
    let fed: Result<(), AppError> = async {
        while let Some(page) = pager.next_page().await? {
            if tx.send(page).await.is_err() {
                break; // the writer stopped: its error is the one to report
            }
        }
        Ok(())
    }
    .await;
    drop(tx);
    let written = writer.await.map_err(|e| AppError::Internal(e.into()))?;
    fed?;
    let bytes = written.map_err(|e| AppError::Internal(e.into()))?;
    let headers = [
        (header::CONTENT_TYPE, XLSX_MIME.to_string()),
        (header::CONTENT_DISPOSITION, attachment(&unit, period, "xlsx")),
        (header::CACHE_CONTROL, "private, no-store".to_string()),
    ];
    Ok((headers, bytes).into_response())
}

/// Every case behind the statistics as CSV, streamed.
#[utoipa::path(get, path = "/stats/export.csv", tag = "stats", security(("device_token" = [])), params(StatsQuery),
    responses((status = 200, content((String = "text/csv"))),
        (status = 400, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub(super) async fn export_csv(
    State(state): State<AppState>,
    Device(d): Device,
    q: Result<StrictQuery<StatsQuery>, AppError>,
) -> Result<Response, AppError> {
    let (unit, period) = asked(&state, &d, q).await?;
    let pager = CasePager::new(state.store.clone(), stats::window(&unit, period, now_ms()));
    let head = stream::once(async { Ok::<_, io::Error>(Bytes::from(csv::head())) });
    let rows = stream::try_unfold(pager, |mut pager| async move {
        let page = pager.next_page().await.map_err(|e| {
            // The head is sent: all that is left is to cut the body short, and say why here.
            tracing::error!(error = %e, "CSV export failed mid-stream");
            io::Error::other(e)
        })?;
        Ok(page.map(|lines| (Bytes::from(csv::rows(&lines)), pager)))
    });
    let headers = [
        (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
        (header::CONTENT_DISPOSITION, attachment(&unit, period, "csv")),
        (header::CACHE_CONTROL, "private, no-store".to_string()),
    ];
    Ok((headers, Body::from_stream(head.chain(rows))).into_response())
}
