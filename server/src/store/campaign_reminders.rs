//! Reminders to the villages that have not answered a campaign. The sweep clock claims them in
//! the last days before a deadline; a leader can ask for them at any time (`remind`). Both
//! claim through `claim_village`, whose outbox cause carries the Beijing date, so a village is
//! reminded at most once a day whichever path comes first.

use sync_protocol::outbox::{OutboxEvent, SweepDue};
use sync_protocol::sweep;
use sync_protocol::{Role, UnitKind};

use super::alerts::DueDelivery;
use super::*;

/// Roles that answer for a village, and so are reminded.
const REMINDED_ROLES: [Role; 2] = [Role::VillageOfficer, Role::WorkTeam];

/// The people a village's sweep reminder goes to: its officers and the work-team members who
/// cover it, each sought by unit (migration 0020). `$1` the village, `$2`, `$3` the roles.
pub(super) const VILLAGE_PEOPLE: &str = "SELECT id FROM users WHERE role IN ($2, $3) AND (unit_code = $1
   OR id IN (SELECT user_id FROM user_units WHERE unit_code = $1)) ORDER BY id";

/// A village of a campaign with no answered report.
#[derive(sqlx::FromRow)]
struct Missing {
    campaign: String,
    name: String,
    deadline: i64,
    village: String,
    village_name: String,
}

/// One village reminded now: who answers for it, and the pushes to send to them.
#[derive(Debug, Clone)]
pub struct ClaimedReminder {
    pub village: String,
    /// Everyone reminded, reachable or not (those without a push subscription are logged
    /// as `unreachable`).
    pub people: Vec<String>,
    pub deliveries: Vec<DueDelivery>,
}

/// What a leader's reminder did.
#[derive(Debug, Clone, Default)]
pub struct ManualClaim {
    pub claimed: Vec<ClaimedReminder>,
    /// Missing villages that had already been reminded today.
    pub already: Vec<String>,
}

const MISSING_COLS: &str =
    "SELECT c.id AS campaign, c.name, c.deadline, cv.village_code AS village, cv.village_name FROM campaigns c
     JOIN campaign_villages cv ON cv.campaign_id = c.id";
/// A village is missing while no answered report of it is stored (`records.status` is `open`
/// only for a report not answered yet, which the judge does not store; kept for safety).
const NOT_ANSWERED: &str = "NOT EXISTS (SELECT 1 FROM records r WHERE r.kind = $1 AND r.ref_key = c.id
     AND r.unit_code = cv.village_code AND r.status <> 'open')";

impl SqlStore {
    /// The sweep clock's claim: for every campaign open at `now` whose deadline is within
    /// `window_ms`, every missing village not reminded today, with deliveries leased for
    /// `lease_ms` to the caller.
    pub async fn claim_sweep_reminders(
        &self,
        now: i64,
        day: &str,
        window_ms: i64,
        lease_ms: i64,
    ) -> Result<Vec<DueDelivery>> {
        let rows: Vec<Missing> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "{MISSING_COLS} WHERE {NOT_ANSWERED} AND c.window_start <= $2 AND c.deadline > $2 AND c.deadline <= $3
             ORDER BY c.id, cv.village_code"
        )))
        .bind(sweep::KIND)
        .bind(now)
        .bind(now + window_ms)
        .fetch_all(&self.pool)
        .await?;
        let mut out = Vec::new();
        for r in &rows {
            if let Some(c) = self.claim_village(r, now, day, lease_ms).await? {
                out.extend(c.deliveries);
            }
        }
        Ok(out)
    }

    /// A leader's claim: the missing villages of `campaign` among `villages` (the leader's
    /// part of the roster), whatever the deadline (late answers are still answers).
    pub async fn claim_campaign_reminders(
        &self,
        campaign: &str,
        villages: &[String],
        now: i64,
        day: &str,
        lease_ms: i64,
    ) -> Result<ManualClaim> {
        let rows: Vec<Missing> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "{MISSING_COLS} WHERE {NOT_ANSWERED} AND c.id = $2 ORDER BY cv.village_code"
        )))
        .bind(sweep::KIND)
        .bind(campaign)
        .fetch_all(&self.pool)
        .await?;
        let mut out = ManualClaim::default();
        for m in rows {
            if !villages.contains(&m.village) {
                continue;
            }
            match self.claim_village(&m, now, day, lease_ms).await? {
                Some(c) => out.claimed.push(c),
                None => out.already.push(m.village),
            }
        }
        Ok(out)
    }

    /// Claim today's reminder of one missing village: `None` when it was claimed already.
    async fn claim_village(
        &self,
        m: &Missing,
        now: i64,
        day: &str,
        lease_ms: i64,
    ) -> Result<Option<ClaimedReminder>> {
        let doc = sweep::report_id(&m.campaign, &m.village);
        let event = OutboxEvent::SweepReminder(SweepDue {
            campaign: m.campaign.clone(),
            name: m.name.clone(),
            village: m.village.clone(),
            village_name: m.village_name.clone(),
            deadline: m.deadline,
        });
        let cause = reminder_cause(&m.campaign, &m.village, day);
        let mut tx = self.writer.begin().await?;
        let claimed = sqlx::query(
            "INSERT INTO outbox (kind, doc_id, cause, payload, created_at, level, done_at)
             VALUES ($1, $2, $3, $4, $5, $6, $5) ON CONFLICT (cause) DO NOTHING",
        )
        .bind(event.kind())
        .bind(doc.0.to_vec())
        .bind(&cause)
        .bind(event.payload())
        .bind(now)
        .bind(UnitKind::Village.as_str())
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if claimed == 0 {
            return Ok(None);
        }
        let outbox_id: i64 = sqlx::query_scalar("SELECT id FROM outbox WHERE cause = $1")
            .bind(&cause)
            .fetch_one(&mut *tx)
            .await?;
        let people: Vec<String> = sqlx::query_scalar(VILLAGE_PEOPLE)
            .bind(&m.village)
            .bind(REMINDED_ROLES[0].as_str())
            .bind(REMINDED_ROLES[1].as_str())
            .fetch_all(&mut *tx)
            .await?;
        let mut deliveries = Vec::new();
        for user in &people {
            let subs: Vec<(i64, String, String, String)> = sqlx::query_as(
                "SELECT s.id, s.endpoint, s.p256dh, s.auth FROM push_subscriptions s JOIN devices d ON d.id = s.device_id
                 WHERE d.user_id = $1 AND d.revoked_at IS NULL ORDER BY s.id",
            )
            .bind(user)
            .fetch_all(&mut *tx)
            .await?;
            if subs.is_empty() {
                // Written so the log shows who could not be reached.
                sqlx::query(
                    "INSERT INTO deliveries (outbox_id, doc_id, user_id, subscription_id, state, next_attempt_at, created_at)
                     VALUES ($1, $2, $3, NULL, 'unreachable', $4, $4)",
                )
                .bind(outbox_id)
                .bind(doc.0.to_vec())
                .bind(user)
                .bind(now)
                .execute(&mut *tx)
                .await?;
            }
            for (sub_id, endpoint, p256dh, auth) in subs {
                let id: i64 = sqlx::query_scalar(
                    "INSERT INTO deliveries (outbox_id, doc_id, user_id, subscription_id, state, attempts, next_attempt_at, claimed_until, created_at)
                     VALUES ($1, $2, $3, $4, 'queued', 1, $5, $6, $5) RETURNING id",
                )
                .bind(outbox_id)
                .bind(doc.0.to_vec())
                .bind(user)
                .bind(sub_id)
                .bind(now)
                .bind(now + lease_ms)
                .fetch_one(&mut *tx)
                .await?;
                deliveries.push(DueDelivery {
                    id,
                    attempts: 1,
                    level: UnitKind::Village.as_str().into(),
                    event: Ok(event.clone()),
                    endpoint,
                    p256dh,
                    auth,
                    subscription_id: sub_id,
                    outbox_id,
                    user_id: user.to_string(),
                    channel: "web_push".into(),
                    address: None,
                });
            }
        }
        tx.commit().await?;
        Ok(Some(ClaimedReminder { village: m.village.clone(), people, deliveries }))
    }
}

/// One reminder per campaign, village and Beijing day.
fn reminder_cause(campaign: &str, village: &str, day: &str) -> String {
    format!("sweep_reminder:{campaign}:{village}:{day}")
}
