//! Sweep campaigns: the campaigns and their frozen rosters, what a judge needs to know about a
//! report's campaign, the inputs of completeness, and the reminders to missing villages.

use std::collections::BTreeMap;

use serde::Serialize;
use sqlx::any::AnyRow;
use sqlx::{FromRow, Row};
use sync_protocol::UnitKind;
use sync_protocol::sweep::{self, completeness::ReportInput, completeness::RosterVillage};

use super::sql::now_ms;
use super::*;

/// A campaign as it is created.
#[derive(Debug, Clone)]
pub struct NewCampaign {
    pub id: String,
    pub name: String,
    pub kind: String,
    /// The township, county or city that launched it (for generated ones, the township).
    pub unit_code: String,
    pub unit_path: String,
    /// Generated half-monthly campaigns only ("2026-11-2"); unique per township.
    pub period: Option<String>,
    pub window_start: i64,
    pub window_end: i64,
    pub deadline: i64,
    pub focus: Vec<String>,
    pub created_by: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct CampaignInfo {
    pub id: String,
    pub name: String,
    pub kind: String,
    pub unit_code: String,
    pub period: Option<String>,
    pub window_start: i64,
    pub window_end: i64,
    pub deadline: i64,
    pub focus: Vec<String>,
    pub created_by: Option<String>,
    pub created_at: i64,
}

#[derive(Debug, Clone, Serialize, FromRow)]
pub struct RosterEntry {
    pub code: String,
    pub name: String,
    pub township: String,
    /// The township's name now (the code is what counts; the name is for people).
    pub township_name: String,
    pub county: String,
    #[serde(skip)]
    pub path: String,
}

impl RosterEntry {
    pub fn village(&self) -> RosterVillage {
        RosterVillage {
            code: self.code.clone(),
            township: self.township.clone(),
            county: self.county.clone(),
        }
    }
}

/// A report as completeness reads it: `ReportInput` plus where it is filed.
#[derive(Debug, Clone)]
pub struct StoredReport {
    pub campaign: String,
    pub unit_path: String,
    pub input: ReportInput,
    /// How many of the report's times the server corrected for a wrong phone clock
    /// (PROTOCOL.md §11.1): shown beside the village, never counted in completeness.
    pub clock_corrections: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct ReminderLogRow {
    pub village: String,
    pub day: String,
    /// `None` (state `nobody`) when no officer or work-team member answers for the village.
    pub user_id: Option<String>,
    pub state: String,
    pub created_at: i64,
    pub sent_at: Option<i64>,
}

const CAMPAIGN_COLS: &str =
    "id, name, kind, unit_code, period, window_start, window_end, deadline, focus, created_by, created_at";

/// By hand rather than derived: `focus` is stored as JSON text, which the `Any` driver cannot
/// decode for us.
impl FromRow<'_, AnyRow> for CampaignInfo {
    fn from_row(r: &AnyRow) -> sqlx::Result<Self> {
        let focus: String = r.try_get("focus")?;
        Ok(CampaignInfo {
            id: r.try_get("id")?,
            name: r.try_get("name")?,
            kind: r.try_get("kind")?,
            unit_code: r.try_get("unit_code")?,
            period: r.try_get("period")?,
            window_start: r.try_get("window_start")?,
            window_end: r.try_get("window_end")?,
            deadline: r.try_get("deadline")?,
            focus: serde_json::from_str(&focus)
                .map_err(|e| sqlx::Error::ColumnDecode { index: "focus".into(), source: e.into() })?,
            created_by: r.try_get("created_by")?,
            created_at: r.try_get("created_at")?,
        })
    }
}

impl SqlStore {
    /// Create a campaign over `townships` with their villages as they are now. `false` when a
    /// campaign with this id or (township, period) already exists: nothing is written.
    pub async fn insert_campaign(&self, c: &NewCampaign, townships: &[String]) -> Result<bool> {
        let mut tx = self.writer.begin().await?;
        let inserted = sqlx::query(sqlx::AssertSqlSafe(format!(
            "INSERT INTO campaigns ({CAMPAIGN_COLS}, unit_path) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
             ON CONFLICT DO NOTHING"
        )))
        .bind(&c.id)
        .bind(&c.name)
        .bind(&c.kind)
        .bind(&c.unit_code)
        .bind(&c.period)
        .bind(c.window_start)
        .bind(c.window_end)
        .bind(c.deadline)
        .bind(serde_json::to_string(&c.focus).unwrap_or_else(|_| "[]".into()))
        .bind(&c.created_by)
        .bind(now_ms())
        .bind(&c.unit_path)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if inserted == 0 {
            return Ok(false);
        }
        for t in townships {
            sqlx::query(
                "INSERT INTO campaign_villages (campaign_id, village_code, village_name, village_path, township_code, county_code)
                 SELECT $1, v.code, v.name, v.path, t.code, COALESCE(t.parent_code, '') FROM units v JOIN units t ON t.code = v.parent_code
                 WHERE v.kind = $3 AND t.code = $2",
            )
            .bind(&c.id)
            .bind(t)
            .bind(UnitKind::Village.as_str())
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(true)
    }

    /// Townships within the unit path prefix `scope`.
    pub async fn townships_under(&self, scope: &str) -> Result<Vec<Unit>> {
        let (lo, hi) = super::sql::scope_range(scope);
        Ok(sqlx::query_as(
            "SELECT code, name, kind, parent_code, path FROM units WHERE kind = $3 AND path >= $1 AND path < $2 ORDER BY code",
        )
        .bind(lo)
        .bind(hi)
        .bind(UnitKind::Township.as_str())
        .fetch_all(&self.pool)
        .await?)
    }

    /// Townships with no generated campaign for `period` yet.
    pub async fn townships_without_period(&self, period: &str) -> Result<Vec<(String, String)>> {
        Ok(sqlx::query_as(
            "SELECT u.code, u.path FROM units u WHERE u.kind = $2
             AND NOT EXISTS (SELECT 1 FROM campaigns c WHERE c.unit_code = u.code AND c.period = $1) ORDER BY u.code",
        )
        .bind(period)
        .bind(UnitKind::Township.as_str())
        .fetch_all(&self.pool)
        .await?)
    }

    pub async fn campaign(&self, id: &str) -> Result<Option<CampaignInfo>> {
        Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {CAMPAIGN_COLS} FROM campaigns WHERE id = $1"
        )))
        .bind(id)
        .fetch_optional(&self.pool)
        .await?)
    }

    /// Campaigns whose deadline falls in `[from, to)`, by deadline: those a period's report
    /// accounts for.
    pub async fn campaigns_due_between(&self, from: i64, to: i64) -> Result<Vec<CampaignInfo>> {
        Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {CAMPAIGN_COLS} FROM campaigns WHERE deadline >= $1 AND deadline < $2 ORDER BY deadline, id"
        )))
        .bind(from)
        .bind(to)
        .fetch_all(&self.pool)
        .await?)
    }

    /// Campaigns with any village in `scope` whose deadline is after `since`, newest first,
    /// each with its roster cut to the scope.
    pub async fn campaigns_in(
        &self,
        scope: &Scope,
        since: i64,
    ) -> Result<Vec<(CampaignInfo, Vec<RosterEntry>)>> {
        let campaigns: Vec<CampaignInfo> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {CAMPAIGN_COLS} FROM campaigns WHERE deadline > $1 ORDER BY window_start DESC, id"
        )))
        .bind(since)
        .fetch_all(&self.pool)
        .await?;
        let mut out = Vec::new();
        let rosters = self.rosters_since(since).await?;
        for c in campaigns {
            let villages: Vec<RosterEntry> = rosters
                .get(&c.id)
                .map(|v| v.iter().filter(|v| scope.covers_path(&v.path)).cloned().collect())
                .unwrap_or_default();
            if !villages.is_empty() {
                out.push((c, villages));
            }
        }
        Ok(out)
    }

    async fn rosters_since(&self, since: i64) -> Result<BTreeMap<String, Vec<RosterEntry>>> {
        #[derive(FromRow)]
        struct Listed {
            campaign_id: String,
            #[sqlx(flatten)]
            village: RosterEntry,
        }
        let rows: Vec<Listed> = sqlx::query_as(
            "SELECT cv.campaign_id, cv.village_code AS code, cv.village_name AS name, cv.township_code AS township,
                    cv.county_code AS county, cv.village_path AS path,
                    COALESCE(t.name, cv.township_code) AS township_name
             FROM campaign_villages cv JOIN campaigns c ON c.id = cv.campaign_id
             LEFT JOIN units t ON t.code = cv.township_code WHERE c.deadline > $1
             ORDER BY cv.campaign_id, cv.village_code",
        )
        .bind(since)
        .fetch_all(&self.pool)
        .await?;
        let mut out: BTreeMap<String, Vec<RosterEntry>> = BTreeMap::new();
        for r in rows {
            out.entry(r.campaign_id).or_default().push(r.village);
        }
        Ok(out)
    }

    /// The roster of one campaign within `scope`.
    pub async fn roster(&self, id: &str, scope: &Scope) -> Result<Vec<RosterEntry>> {
        let all: Vec<RosterEntry> = sqlx::query_as(
            "SELECT cv.village_code AS code, cv.village_name AS name, cv.township_code AS township,
                    cv.county_code AS county, cv.village_path AS path,
                    COALESCE(t.name, cv.township_code) AS township_name
             FROM campaign_villages cv LEFT JOIN units t ON t.code = cv.township_code
             WHERE cv.campaign_id = $1 ORDER BY cv.village_code",
        )
        .bind(id)
        .fetch_all(&self.pool)
        .await?;
        Ok(all.into_iter().filter(|v| scope.covers_path(&v.path)).collect())
    }

    /// The stored sweep reports of campaigns whose deadline is after `since` (or of one
    /// campaign), with the time the server first stored each: when it was answered.
    pub async fn sweep_reports(&self, campaign: Option<&str>, since: i64) -> Result<Vec<StoredReport>> {
        #[derive(FromRow)]
        struct Stored {
            ref_key: String,
            unit_code: String,
            unit_path: String,
            body: String,
            created_at: i64,
        }
        let rows: Vec<Stored> = sqlx::query_as(
            "SELECT r.ref_key, r.unit_code, r.unit_path, r.body, d.created_at FROM records r
             JOIN documents d ON d.doc_id = r.doc_id JOIN campaigns c ON c.id = r.ref_key
             WHERE r.kind = $1 AND ($2 = '' OR r.ref_key = $2) AND c.deadline > $3",
        )
        .bind(sweep::KIND)
        .bind(campaign.unwrap_or(""))
        .bind(since)
        .fetch_all(&self.pool)
        .await?;
        rows.into_iter()
            .map(|r| {
                let body: serde_json::Value =
                    serde_json::from_str(&r.body).map_err(|e| StoreError::Invalid(e.to_string()))?;
                let count = |k: &str| body[k].as_object().map_or(0, |m| m.len());
                Ok(StoredReport {
                    campaign: r.ref_key,
                    unit_path: r.unit_path,
                    input: ReportInput {
                        village: r.unit_code,
                        found: count("found") as u32,
                        nil: count("nil") > 0,
                        received_at: Some(r.created_at),
                    },
                    clock_corrections: body["clock_corrections"].as_array().map_or(0, Vec::len),
                })
            })
            .collect()
    }

    /// What the judge of a `kind` document needs from the database (see `Judging::context`):
    /// for a sweep report, its campaign's deadline and whether it lists the village.
    pub async fn record_context(
        &self,
        kind: &str,
        ref_key: Option<&str>,
        unit_code: &str,
    ) -> Result<Option<serde_json::Value>> {
        if kind != sweep::KIND {
            return Ok(None);
        }
        let Some(campaign) = ref_key else { return Ok(None) };
        let row: Option<(i64, i64)> = sqlx::query_as(
            "SELECT c.deadline, (SELECT COUNT(*) FROM campaign_villages cv WHERE cv.campaign_id = c.id AND cv.village_code = $2)
             FROM campaigns c WHERE c.id = $1",
        )
        .bind(campaign)
        .bind(unit_code)
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.map(|(deadline, listed)| serde_json::json!({ "deadline": deadline, "listed": listed > 0 })))
    }

    /// Every reminder of a campaign, per person reached (or not).
    pub async fn reminder_log(&self, campaign: &str) -> Result<Vec<ReminderLogRow>> {
        /// cause, user, state, created, sent
        type Row = (String, Option<String>, String, i64, Option<i64>);
        let prefix = format!("sweep_reminder:{campaign}:");
        let rows: Vec<Row> = sqlx::query_as(
            "SELECT o.cause, dl.user_id, COALESCE(dl.state, 'nobody'), COALESCE(dl.created_at, o.created_at), dl.sent_at
             FROM outbox o LEFT JOIN deliveries dl ON dl.outbox_id = o.id
             WHERE o.kind = 'sweep_reminder' AND o.cause >= $1 AND o.cause < $2 ORDER BY o.id, dl.id",
        )
        .bind(&prefix)
        .bind(format!("sweep_reminder:{campaign};"))
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .into_iter()
            .map(|(cause, user_id, state, created_at, sent_at)| {
                let mut rest = cause[prefix.len()..].splitn(2, ':');
                ReminderLogRow {
                    village: rest.next().unwrap_or_default().to_string(),
                    day: rest.next().unwrap_or_default().to_string(),
                    user_id,
                    state,
                    created_at,
                    sent_at,
                }
            })
            .collect())
    }
}
