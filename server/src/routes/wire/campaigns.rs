//! Sweep campaigns: launching one, the list a phone caches, completeness and reminders.

use serde::{Deserialize, Serialize};
use sync_protocol::sweep::completeness::{Completeness, ReportInput};
use utoipa::ToSchema;

use crate::campaigns::Reminded;
use crate::store::{CampaignInfo, ReminderLogRow, RosterEntry, StoredReport, Unit};

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateCampaign {
    pub name: String,
    /// `concentrated` or `special` (half-monthly campaigns are generated).
    pub kind: String,
    pub window_start: i64,
    pub window_end: i64,
    pub deadline: i64,
    /// Case categories to look for.
    #[serde(default)]
    pub focus: Vec<String>,
    /// County and city: which townships (default all of theirs). A township: its own only.
    #[serde(default)]
    pub townships: Vec<String>,
}

#[derive(Serialize, ToSchema)]
pub struct Campaign {
    pub id: String,
    pub name: String,
    pub kind: String,
    pub unit_code: String,
    /// The half-month (`2026-12a`) of a generated campaign.
    #[schema(required = true)]
    pub period: Option<String>,
    pub window_start: i64,
    pub window_end: i64,
    pub deadline: i64,
    pub focus: Vec<String>,
    #[schema(required = true)]
    pub created_by: Option<String>,
    pub created_at: i64,
}

impl From<CampaignInfo> for Campaign {
    fn from(c: CampaignInfo) -> Self {
        Campaign {
            id: c.id,
            name: c.name,
            kind: c.kind,
            unit_code: c.unit_code,
            period: c.period,
            window_start: c.window_start,
            window_end: c.window_end,
            deadline: c.deadline,
            focus: c.focus,
            created_by: c.created_by,
            created_at: c.created_at,
        }
    }
}

/// A village on a campaign's roster.
#[derive(Serialize, ToSchema)]
pub struct RosterVillage {
    pub code: String,
    pub name: String,
    pub township: String,
    /// The township's name now (the code is what counts; the name is for people).
    pub township_name: String,
    pub county: String,
}

impl From<RosterEntry> for RosterVillage {
    fn from(r: RosterEntry) -> Self {
        RosterVillage {
            code: r.code,
            name: r.name,
            township: r.township,
            township_name: r.township_name,
            county: r.county,
        }
    }
}

pub fn roster(v: Vec<RosterEntry>) -> Vec<RosterVillage> {
    v.into_iter().map(RosterVillage::from).collect()
}

#[derive(Serialize, ToSchema)]
pub struct Created {
    pub campaign: Campaign,
    pub villages: Vec<RosterVillage>,
}

/// `GET /campaigns`: what a phone caches to report and count completeness offline.
#[derive(Serialize, ToSchema)]
pub struct CampaignList {
    /// The server's clock (Unix ms).
    pub now: i64,
    pub campaigns: Vec<Listed>,
    /// What the caller may launch a campaign for (leaders only; empty otherwise).
    pub townships: Vec<Township>,
}

#[derive(Serialize, ToSchema)]
pub struct Listed {
    pub campaign: Campaign,
    pub villages: Vec<RosterVillage>,
    pub reports: Vec<ReportSeen>,
}

/// A sweep report as completeness counts it (`sync_protocol::sweep::completeness::ReportInput`),
/// with the server's clock corrections beside it, never counted.
#[derive(Serialize, ToSchema)]
pub struct ReportSeen {
    pub village: String,
    /// Cases listed as found.
    pub found: u32,
    /// Someone said "无新增矛盾纠纷".
    pub nil: bool,
    /// When the server first stored the report (Unix ms).
    #[schema(required = true)]
    pub received_at: Option<i64>,
    /// How many of the report's times the server corrected for a wrong phone clock.
    pub clock_corrections: usize,
}

impl From<StoredReport> for ReportSeen {
    fn from(r: StoredReport) -> Self {
        let ReportInput { village, found, nil, received_at } = r.input;
        ReportSeen { village, found, nil, received_at, clock_corrections: r.clock_corrections }
    }
}

#[derive(Serialize, ToSchema)]
pub struct Township {
    pub code: String,
    pub name: String,
}

impl From<Unit> for Township {
    fn from(u: Unit) -> Self {
        Township { code: u.code, name: u.name }
    }
}

#[derive(Serialize, ToSchema)]
pub struct CompletenessAnswer {
    pub campaign: Campaign,
    pub villages: Vec<RosterVillage>,
    pub completeness: Completeness,
}

#[derive(Serialize, ToSchema)]
pub struct Reminders {
    pub reminders: Vec<ReminderSent>,
}

#[derive(Serialize, ToSchema)]
pub struct ReminderSent {
    pub village: String,
    /// The Beijing day (`YYYY-MM-DD`).
    pub day: String,
    /// `null` (state `nobody`) when no officer or work-team member answers for the village.
    #[schema(required = true)]
    pub user_id: Option<String>,
    pub state: String,
    pub created_at: i64,
    #[schema(required = true)]
    pub sent_at: Option<i64>,
}

impl From<ReminderLogRow> for ReminderSent {
    fn from(r: ReminderLogRow) -> Self {
        ReminderSent {
            village: r.village,
            day: r.day,
            user_id: r.user_id,
            state: r.state,
            created_at: r.created_at,
            sent_at: r.sent_at,
        }
    }
}

/// What "remind now" did.
#[derive(Serialize, ToSchema)]
pub struct Remind {
    /// Missing villages reminded now.
    pub villages: usize,
    /// Distinct people reminded.
    pub people: usize,
    /// Messages the push services accepted.
    pub sent: usize,
    /// The villages reminded now.
    pub reminded: Vec<String>,
    /// Missing villages already reminded today.
    pub already_today: Vec<String>,
}

impl From<Reminded> for Remind {
    fn from(r: Reminded) -> Self {
        Remind {
            villages: r.villages.len(),
            people: r.people,
            sent: r.sent,
            reminded: r.villages,
            already_today: r.already_today,
        }
    }
}
