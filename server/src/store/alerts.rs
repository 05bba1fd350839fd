//! Alerts: push subscriptions, turning outbox rows into per-recipient deliveries, claiming
//! deliveries to send, escalation and overdue reminders.
//!
//! Every step is a transaction that a second replica can run at the same time: on PostgreSQL
//! rows are claimed with `FOR UPDATE SKIP LOCKED`, on SQLite the single writer serialises them.

use sqlx::{FromRow, Transaction};
use sync_protocol::outbox::{OutboxEvent, OutboxRowError};
use sync_protocol::{DocId, Role, UnitKind};

use super::sql::now_ms;
use super::*;

/// Who is alerted at each rung of the ladder: the leaders of the case's township, then of its
/// county, then of its city.
pub(super) const LADDER: &[(UnitKind, Role)] = &[
    (UnitKind::Township, Role::TownshipLeader),
    (UnitKind::County, Role::CountyAdmin),
    (UnitKind::City, Role::CityAdmin),
];

/// The rung whose outbox `level` is `level` (the unit kind's name).
pub(super) fn rung(level: &str) -> Option<(UnitKind, Role)> {
    LADDER.iter().copied().find(|(kind, _)| kind.as_str() == level)
}

/// A rung's recipients: the people of one role in one unit. Sought by `users_unit_role`
/// (migration 0020); a walk of every user here ran once per alert.
pub(super) const PEOPLE_IN_UNIT: &str = "SELECT id FROM users WHERE unit_code = $1 AND role = $2 ORDER BY id";

#[derive(Debug, Clone)]
pub struct DueDelivery {
    pub id: i64,
    pub attempts: i64,
    pub level: String,
    /// The outbox row it delivers, or why that row can't be read.
    pub event: std::result::Result<OutboxEvent, OutboxRowError>,
    pub outbox_id: i64,
    /// Empty for a group robot's message.
    pub user_id: String,
    /// `web_push`, or the SMS provider's or robot's [`crate::channels::ChannelKind`].
    pub channel: String,
    /// The phone number of an SMS, the unit code of a robot's group.
    pub address: Option<String>,
    /// The subscription of a Web Push delivery (empty for other channels).
    pub endpoint: String,
    pub p256dh: String,
    pub auth: String,
    pub subscription_id: i64,
}

#[derive(Debug, Clone, serde::Serialize, FromRow)]
pub struct DeliveryLogRow {
    pub kind: String,
    pub channel: String,
    pub level: String,
    pub user_id: String,
    pub user_name: String,
    pub state: String,
    pub attempts: i64,
    pub last_error: Option<String>,
    pub created_at: i64,
    pub sent_at: Option<i64>,
    pub acknowledged_at: Option<i64>,
    pub acknowledged_by: Option<String>,
    /// `app` or `sms_link`.
    pub acknowledged_via: Option<String>,
    /// When the provider's delivery receipt (`delivered` / `undelivered`) came in.
    pub receipt_at: Option<i64>,
}

pub enum DeliveryOutcome {
    Sent,
    /// Not sent, and not to be: `state` says why in a word (`skipped`, `capped`,
    /// `over_budget`), `reason` in a sentence.
    Withheld {
        state: &'static str,
        reason: String,
    },
    /// Not now (quiet hours): try again at `until`, without counting this as an attempt.
    Postponed {
        until: i64,
    },
    /// The subscription is dead: delete it.
    Gone,
    Retry {
        after_ms: i64,
        error: String,
    },
    Failed(String),
}

impl SqlStore {
    /// The server's VAPID private key, made on first start and kept with the data.
    pub async fn vapid_private_key(&self, fresh: &str) -> Result<String> {
        sqlx::query(
            "INSERT INTO meta (key, value) VALUES ('vapid_private', $1) ON CONFLICT (key) DO NOTHING",
        )
        .bind(fresh)
        .execute(&self.writer)
        .await?;
        self.meta("vapid_private").await?.ok_or_else(|| StoreError::Invalid("no VAPID key".into()))
    }

    /// Keep a device's subscription (one row per endpoint: a re-registration replaces it).
    /// Store `endpoint` for `device_id`. An endpoint already held by another device moves to
    /// this one only with proof that it is the same browser subscription — the same `auth`
    /// secret, which only the browser and this server know — or when that device can no longer
    /// receive (revoked, retiring). Otherwise nothing changes and the answer is false: knowing
    /// someone's endpoint must not be a way to take their alerts.
    pub async fn save_subscription(
        &self,
        device_id: i64,
        endpoint: &str,
        p256dh: &str,
        auth: &str,
    ) -> Result<bool> {
        let mut tx = self.writer.begin().await?;
        let holder: Option<(i64, String, Option<i64>, Option<i64>)> = sqlx::query_as(
            "SELECT s.device_id, s.auth, d.revoked_at, d.retire_at
             FROM push_subscriptions s JOIN devices d ON d.id = s.device_id WHERE s.endpoint = $1",
        )
        .bind(endpoint)
        .fetch_optional(&mut *tx)
        .await?;
        if let Some((holder, held_auth, revoked_at, retire_at)) = holder {
            let active = revoked_at.is_none() && retire_at.is_none();
            if holder != device_id && active && held_auth != auth {
                return Ok(false);
            }
        }
        sqlx::query(
            "INSERT INTO push_subscriptions (device_id, endpoint, p256dh, auth, created_at) VALUES ($1, $2, $3, $4, $5)
             ON CONFLICT (endpoint) DO UPDATE SET device_id = excluded.device_id, p256dh = excluded.p256dh, auth = excluded.auth",
        )
        .bind(device_id)
        .bind(endpoint)
        .bind(p256dh)
        .bind(auth)
        .bind(now_ms())
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(true)
    }

    pub async fn delete_subscription(&self, device_id: i64, endpoint: &str) -> Result<bool> {
        let n = sqlx::query("DELETE FROM push_subscriptions WHERE device_id = $1 AND endpoint = $2")
            .bind(device_id)
            .bind(endpoint)
            .execute(&self.writer)
            .await?
            .rows_affected();
        Ok(n > 0)
    }

    pub async fn subscription_count(&self) -> Result<i64> {
        Ok(sqlx::query_scalar("SELECT COUNT(*) FROM push_subscriptions").fetch_one(&self.pool).await?)
    }

    pub(super) async fn recipients(
        &self,
        tx: &mut Transaction<'static, sqlx::Any>,
        event: Option<&OutboxEvent>,
        level: &str,
        doc: DocId,
        unit_path: &str,
    ) -> Result<Vec<String>> {
        if matches!(event, Some(OutboxEvent::Overdue(_) | OutboxEvent::DueSoon(_) | OutboxEvent::Chase(_))) {
            let row: Option<(Option<String>, Option<String>)> =
                sqlx::query_as("SELECT responsible_leader, handler FROM cases WHERE doc_id = $1")
                    .bind(doc.0.to_vec())
                    .fetch_optional(&mut **tx)
                    .await?;
            let mut users: Vec<String> = row
                .map(|(leader, handler)| [leader, handler].into_iter().flatten().collect())
                .unwrap_or_default();
            users.dedup();
            return Ok(users);
        }
        if matches!(event, Some(OutboxEvent::PetitionDue(_))) {
            return self.petition_recipients(tx, unit_path).await;
        }
        let Some((_, role)) = rung(level) else { return Ok(vec![]) };
        let Some(unit) = self.level_unit(level, unit_path).await? else { return Ok(vec![]) };
        let q = sqlx::query_scalar(PEOPLE_IN_UNIT).bind(unit.code).bind(role.as_str());
        Ok(q.fetch_all(&mut **tx).await?)
    }

    /// Lease up to `limit` deliveries that are due, for `lease_ms`, so no other worker sends them.
    pub async fn claim_deliveries(&self, limit: i64, lease_ms: i64) -> Result<Vec<DueDelivery>> {
        let now = now_ms();
        let mut tx = self.writer.begin().await?;
        let lock = if self.dialect == Dialect::Postgres { "FOR UPDATE OF dl SKIP LOCKED" } else { "" };
        #[derive(FromRow)]
        struct Due {
            id: i64,
            attempts: i64,
            kind: String,
            level: String,
            payload: String,
            endpoint: Option<String>,
            p256dh: Option<String>,
            auth: Option<String>,
            subscription_id: Option<i64>,
            outbox_id: i64,
            user_id: String,
            channel: String,
            address: Option<String>,
            acknowledged: i64,
        }
        let rows: Vec<Due> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT dl.id, dl.attempts, o.kind, o.level, o.payload, s.endpoint, s.p256dh, s.auth, s.id AS subscription_id,
                    dl.outbox_id, dl.user_id, dl.channel, dl.address,
                    CAST(CASE WHEN dl.acknowledged_at IS NOT NULL
                      OR (o.kind IN ('urgent', 'escalation') AND c.status <> 'reported') THEN 1 ELSE 0 END AS BIGINT)
                      AS acknowledged
             FROM deliveries dl JOIN outbox o ON o.id = dl.outbox_id
               LEFT JOIN push_subscriptions s ON s.id = dl.subscription_id LEFT JOIN cases c ON c.doc_id = dl.doc_id
             WHERE dl.state = 'queued' AND dl.next_attempt_at <= $1 AND (dl.claimed_until IS NULL OR dl.claimed_until < $1)
               AND (dl.channel <> 'web_push' OR s.id IS NOT NULL)
             ORDER BY dl.next_attempt_at, dl.id LIMIT $2 {lock}"
        )))
        .bind(now)
        .bind(limit)
        .fetch_all(&mut *tx)
        .await?;
        let mut out = Vec::with_capacity(rows.len());
        for r in rows {
            let d = DueDelivery {
                id: r.id,
                attempts: r.attempts,
                event: OutboxEvent::from_row(&r.kind, &r.payload),
                level: r.level,
                endpoint: r.endpoint.unwrap_or_default(),
                p256dh: r.p256dh.unwrap_or_default(),
                auth: r.auth.unwrap_or_default(),
                subscription_id: r.subscription_id.unwrap_or_default(),
                outbox_id: r.outbox_id,
                user_id: r.user_id,
                channel: r.channel,
                address: r.address,
            };
            // The SMS waits for an acknowledgement; once there is one it has nothing to say.
            let acknowledged = r.acknowledged == 1;
            if acknowledged && d.channel.ends_with("_sms") {
                sqlx::query("UPDATE deliveries SET state = 'skipped', last_error = $2 WHERE id = $1")
                    .bind(d.id)
                    .bind("acknowledged before the SMS was due")
                    .execute(&mut *tx)
                    .await?;
                continue;
            }
            sqlx::query("UPDATE deliveries SET claimed_until = $2, attempts = attempts + 1 WHERE id = $1")
                .bind(d.id)
                .bind(now + lease_ms)
                .execute(&mut *tx)
                .await?;
            out.push(d);
        }
        tx.commit().await?;
        Ok(out)
    }

    pub async fn finish_delivery(&self, d: &DueDelivery, outcome: DeliveryOutcome) -> Result<()> {
        let now = now_ms();
        let mut tx = self.writer.begin().await?;
        let q = "UPDATE deliveries SET state = $2, sent_at = $3, next_attempt_at = $4, last_error = $5, claimed_until = NULL WHERE id = $1";
        let (state, sent, next, error) = match &outcome {
            DeliveryOutcome::Sent => ("sent", Some(now), now, None),
            DeliveryOutcome::Gone => {
                ("gone", None, now, Some("subscription expired or unsubscribed".to_string()))
            }
            DeliveryOutcome::Retry { after_ms, error } => {
                ("queued", None, now + after_ms, Some(error.clone()))
            }
            DeliveryOutcome::Failed(e) => ("failed", None, now, Some(e.clone())),
            DeliveryOutcome::Withheld { state, reason } => (*state, None, now, Some(reason.clone())),
            DeliveryOutcome::Postponed { until } => ("queued", None, *until, Some("quiet hours".to_string())),
        };
        sqlx::query(q).bind(d.id).bind(state).bind(sent).bind(next).bind(error).execute(&mut *tx).await?;
        if let DeliveryOutcome::Sent = outcome {
            Self::apply_stored_receipt(&mut tx, d.id, now).await?;
        }
        if let DeliveryOutcome::Postponed { .. } = outcome {
            sqlx::query("UPDATE deliveries SET attempts = attempts - 1 WHERE id = $1 AND attempts > 0")
                .bind(d.id)
                .execute(&mut *tx)
                .await?;
        }
        if matches!(outcome, DeliveryOutcome::Gone) {
            // A dead subscription: stop every other queued message to it too.
            sqlx::query(
                "UPDATE deliveries SET state = 'gone' WHERE subscription_id = $1 AND state = 'queued'",
            )
            .bind(d.subscription_id)
            .execute(&mut *tx)
            .await?;
            sqlx::query("DELETE FROM push_subscriptions WHERE id = $1")
                .bind(d.subscription_id)
                .execute(&mut *tx)
                .await?;
        }
        if d.channel == "web_push" && matches!(outcome, DeliveryOutcome::Gone | DeliveryOutcome::Failed(_)) {
            Self::sms_now_if_push_dead(&mut tx, &d.user_id, now).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Move urgent cases that nobody acknowledged within `after_ms` one rung up the ladder.
    /// The new outbox row's cause is derived from the old one, so it is written once.
    pub async fn escalate(&self, after_ms: i64) -> Result<u64> {
        let now = now_ms();
        let mut n = 0;
        for pair in LADDER.windows(2) {
            let (from, to) = (pair[0].0.as_str(), pair[1].0.as_str());
            n += sqlx::query(ESCALATE)
                .bind(to)
                .bind(now)
                .bind(from)
                .bind(now - after_ms)
                .execute(&self.writer)
                .await?
                .rows_affected();
        }
        Ok(n)
    }

    /// Every delivery about a case, oldest first: who was alerted, how, and what came of it.
    pub async fn delivery_log(&self, doc: DocId) -> Result<Vec<DeliveryLogRow>> {
        Ok(sqlx::query_as(
            "SELECT o.kind, o.level, dl.user_id, COALESCE(u.name, g.name, dl.user_id) AS user_name, dl.state,
                    dl.attempts, dl.last_error, dl.created_at, dl.sent_at, dl.acknowledged_at,
                    COALESCE(a.name, dl.acknowledged_by) AS acknowledged_by, dl.channel, dl.acknowledged_via, dl.receipt_at
             FROM deliveries dl JOIN outbox o ON o.id = dl.outbox_id LEFT JOIN users u ON u.id = dl.user_id
               LEFT JOIN users a ON a.id = dl.acknowledged_by
               LEFT JOIN units g ON g.code = dl.address AND dl.user_id = ''
             WHERE dl.doc_id = $1 ORDER BY dl.id",
        )
        .bind(doc.0.to_vec())
        .fetch_all(&self.pool)
        .await?)
    }
}

/// One person's digest for the day: how many non-urgent cases came in, and where to send it.
#[derive(Debug, Clone)]
pub struct DigestDue {
    pub user_id: String,
    pub area: String,
    pub cases: i64,
    /// (subscription id, endpoint, p256dh, auth)
    pub subscriptions: Vec<(i64, String, String, String)>,
}

/// One rung of the escalation sweep: `$1` the rung above, `$2` now, `$3` the rung, `$4` the
/// latest creation time that is overdue. The sweep holds the writer, so it must cost what is
/// pending, not the history: it starts from the few unacknowledged urgent cases (partial index
/// cases_unacknowledged) and finds their alerts through outbox_alerts (migration 0019). SQLite
/// uses a partial index only when the WHERE repeats its terms, and CROSS JOIN keeps it, having
/// no statistics, from starting at the outbox; PostgreSQL plans it as any join. `plan_tests`
/// holds SQLite to this plan.
pub(super) const ESCALATE: &str = "INSERT INTO outbox (kind, doc_id, cause, payload, created_at, level)
     SELECT 'escalation', o.doc_id, 'escalate:' || $1 || ':' || o.cause, o.payload, $2, $1
     FROM cases c CROSS JOIN outbox o
     WHERE c.status = 'reported' AND c.severity = 'urgent' AND o.doc_id = c.doc_id
       AND o.kind IN ('urgent', 'escalation') AND o.level = $3 AND o.created_at <= $4
     ON CONFLICT (cause) DO NOTHING";

const DIGEST_ROLES: [Role; 3] = [Role::TownshipLeader, Role::CountyAdmin, Role::CityAdmin];

impl SqlStore {
    /// Claim today's digests: for every leader with a subscription and no digest yet on `day`,
    /// count the non-urgent cases that reached the server from their jurisdiction since `since_ms`
    /// (news is when the server learns of it: a case recorded offline days ago is today's); those with any
    /// are recorded (the claim) and returned. Urgent cases are not counted: they were pushed.
    pub async fn claim_digests(&self, day: i64, since_ms: i64) -> Result<Vec<DigestDue>> {
        let rows: Vec<(String, String, String)> = sqlx::query_as(
            "SELECT DISTINCT u.id, n.name, n.path FROM users u JOIN units n ON n.code = u.unit_code
             JOIN devices d ON d.user_id = u.id AND d.revoked_at IS NULL JOIN push_subscriptions s ON s.device_id = d.id
             WHERE u.role IN ($1, $2, $3) AND NOT EXISTS (SELECT 1 FROM digests g WHERE g.user_id = u.id AND g.day = $4)",
        )
        .bind(DIGEST_ROLES[0].as_str())
        .bind(DIGEST_ROLES[1].as_str())
        .bind(DIGEST_ROLES[2].as_str())
        .bind(day)
        .fetch_all(&self.pool)
        .await?;
        let mut out = Vec::new();
        for (user_id, area, path) in rows {
            let (lo, hi) = super::sql::scope_range(&path);
            let cases: i64 = sqlx::query_scalar(
                "SELECT COUNT(*) FROM cases c JOIN documents d ON d.doc_id = c.doc_id
                 WHERE c.unit_path >= $1 AND c.unit_path < $2 AND c.severity <> 'urgent' AND d.created_at > $3",
            )
            .bind(&lo)
            .bind(&hi)
            .bind(since_ms)
            .fetch_one(&self.pool)
            .await?;
            if cases == 0 {
                continue;
            }
            let claimed = sqlx::query(
                "INSERT INTO digests (user_id, day, cases, sent_at) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING",
            )
            .bind(&user_id)
            .bind(day)
            .bind(cases)
            .bind(now_ms())
            .execute(&self.writer)
            .await?
            .rows_affected();
            if claimed == 0 {
                continue; // another replica got there first
            }
            let subscriptions = sqlx::query_as(
                "SELECT s.id, s.endpoint, s.p256dh, s.auth FROM push_subscriptions s JOIN devices d ON d.id = s.device_id
                 WHERE d.user_id = $1 AND d.revoked_at IS NULL",
            )
            .bind(&user_id)
            .fetch_all(&self.pool)
            .await?;
            out.push(DigestDue { user_id, area, cases, subscriptions });
        }
        Ok(out)
    }

    pub async fn delete_subscription_by_id(&self, id: i64) -> Result<()> {
        sqlx::query("DELETE FROM push_subscriptions WHERE id = $1").bind(id).execute(&self.writer).await?;
        Ok(())
    }
}
