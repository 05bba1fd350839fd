//! Alerts: push subscriptions, turning outbox rows into per-recipient deliveries, claiming
//! deliveries to send, escalation and overdue reminders.
//!
//! Every step is a transaction that a second replica can run at the same time: on PostgreSQL
//! rows are claimed with `FOR UPDATE SKIP LOCKED`, on SQLite the single writer serialises them.

use sqlx::{Row, Transaction};
use sync_protocol::DocId;
use sync_protocol::outbox::{OutboxEvent, OutboxRowError};

use super::sql::{doc_id, now_ms};
use super::*;

/// Who is alerted at each rung of the ladder: the leaders of the case's township, then of its
/// county, then of its city.
const LADDER: &[(&str, &str, &[&str])] = &[
    ("township", "township", &["township_leader"]),
    ("county", "county", &["county_admin"]),
    ("city", "city", &["city_admin"]),
];

#[derive(Debug, Clone)]
pub struct DueDelivery {
    pub id: i64,
    pub attempts: i64,
    pub level: String,
    /// The outbox row it delivers, or why that row can't be read.
    pub event: std::result::Result<OutboxEvent, OutboxRowError>,
    pub endpoint: String,
    pub p256dh: String,
    pub auth: String,
    pub subscription_id: i64,
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct DeliveryLogRow {
    pub kind: String,
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
}

pub enum DeliveryOutcome {
    Sent,
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
        let holder = sqlx::query(
            "SELECT s.device_id, s.auth, d.revoked_at, d.retire_at
             FROM push_subscriptions s JOIN devices d ON d.id = s.device_id WHERE s.endpoint = $1",
        )
        .bind(endpoint)
        .fetch_optional(&mut *tx)
        .await?;
        if let Some(h) = holder {
            let (holder, held_auth): (i64, String) = (h.try_get(0)?, h.try_get(1)?);
            let active =
                h.try_get::<Option<i64>, _>(2)?.is_none() && h.try_get::<Option<i64>, _>(3)?.is_none();
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

    /// Turn new outbox rows into deliveries, one per recipient's subscription (or one
    /// `unreachable` row for a recipient with none, so the log shows who was not reached).
    pub async fn expand_outbox(&self) -> Result<usize> {
        let now = now_ms();
        let mut tx = self.writer.begin().await?;
        let lock = if self.dialect == Dialect::Postgres { "FOR UPDATE SKIP LOCKED" } else { "" };
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT o.id, o.kind, o.level, o.doc_id, d.unit_path, o.payload FROM outbox o JOIN documents d ON d.doc_id = o.doc_id
             WHERE o.done_at IS NULL ORDER BY o.id LIMIT 50 {lock}"
        )))
        .fetch_all(&mut *tx)
        .await?;
        for r in &rows {
            let (id, kind, level): (i64, String, String) = (r.try_get(0)?, r.try_get(1)?, r.try_get(2)?);
            let doc = doc_id(r, 3)?;
            let path: String = r.try_get(4)?;
            // A row nobody can read still goes to the level's people, so its failure is logged.
            let event = OutboxEvent::from_row(&kind, &r.try_get::<String, _>(5)?).ok();
            let users = self.recipients(&mut tx, event.as_ref(), &level, doc, &path).await?;
            for user in users {
                let subs: Vec<i64> = sqlx::query_scalar(
                    "SELECT s.id FROM push_subscriptions s JOIN devices d ON d.id = s.device_id
                     WHERE d.user_id = $1 AND d.revoked_at IS NULL",
                )
                .bind(&user)
                .fetch_all(&mut *tx)
                .await?;
                let targets: Vec<Option<i64>> =
                    if subs.is_empty() { vec![None] } else { subs.into_iter().map(Some).collect() };
                for sub in targets {
                    sqlx::query(
                        "INSERT INTO deliveries (outbox_id, doc_id, user_id, subscription_id, state, next_attempt_at, created_at)
                         VALUES ($1, $2, $3, $4, $5, $6, $6)",
                    )
                    .bind(id)
                    .bind(doc.0.to_vec())
                    .bind(&user)
                    .bind(sub)
                    .bind(if sub.is_some() { "queued" } else { "unreachable" })
                    .bind(now)
                    .execute(&mut *tx)
                    .await?;
                }
            }
            sqlx::query("UPDATE outbox SET done_at = $2 WHERE id = $1")
                .bind(id)
                .bind(now)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(rows.len())
    }

    async fn recipients(
        &self,
        tx: &mut Transaction<'static, sqlx::Any>,
        event: Option<&OutboxEvent>,
        level: &str,
        doc: DocId,
        unit_path: &str,
    ) -> Result<Vec<String>> {
        if matches!(event, Some(OutboxEvent::Overdue(_) | OutboxEvent::DueSoon(_) | OutboxEvent::Chase(_))) {
            let row = sqlx::query("SELECT responsible_leader, handler FROM cases WHERE doc_id = $1")
                .bind(doc.0.to_vec())
                .fetch_optional(&mut **tx)
                .await?;
            let mut users: Vec<String> = match row {
                Some(r) => [r.try_get::<Option<String>, _>(0)?, r.try_get::<Option<String>, _>(1)?]
                    .into_iter()
                    .flatten()
                    .collect(),
                None => vec![],
            };
            users.dedup();
            return Ok(users);
        }
        if matches!(event, Some(OutboxEvent::PetitionDue(_))) {
            return self.petition_recipients(tx, unit_path).await;
        }
        let Some((_, unit_kind, roles)) = LADDER.iter().find(|(l, _, _)| *l == level) else {
            return Ok(vec![]);
        };
        let village = unit_path.split('/').rfind(|s| !s.is_empty()).unwrap_or_default();
        let Some(unit) = self.unit_chain(village).await?.into_iter().find(|u| u.kind == *unit_kind) else {
            return Ok(vec![]);
        };
        let marks = (0..roles.len()).map(|i| format!("${}", i + 2)).collect::<Vec<_>>().join(", ");
        let mut q = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
            "SELECT id FROM users WHERE unit_code = $1 AND role IN ({marks}) ORDER BY id"
        )))
        .bind(unit.code);
        for r in *roles {
            q = q.bind(*r);
        }
        Ok(q.fetch_all(&mut **tx).await?)
    }

    /// Lease up to `limit` deliveries that are due, for `lease_ms`, so no other worker sends them.
    pub async fn claim_deliveries(&self, limit: i64, lease_ms: i64) -> Result<Vec<DueDelivery>> {
        let now = now_ms();
        let mut tx = self.writer.begin().await?;
        let lock = if self.dialect == Dialect::Postgres { "FOR UPDATE OF dl SKIP LOCKED" } else { "" };
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT dl.id, dl.attempts, o.kind, o.level, o.payload, s.endpoint, s.p256dh, s.auth, s.id
             FROM deliveries dl JOIN outbox o ON o.id = dl.outbox_id JOIN push_subscriptions s ON s.id = dl.subscription_id
             WHERE dl.state = 'queued' AND dl.next_attempt_at <= $1 AND (dl.claimed_until IS NULL OR dl.claimed_until < $1)
             ORDER BY dl.next_attempt_at, dl.id LIMIT $2 {lock}"
        )))
        .bind(now)
        .bind(limit)
        .fetch_all(&mut *tx)
        .await?;
        let mut out = Vec::with_capacity(rows.len());
        for r in rows {
            let d = DueDelivery {
                id: r.try_get(0)?,
                attempts: r.try_get(1)?,
                event: OutboxEvent::from_row(&r.try_get::<String, _>(2)?, &r.try_get::<String, _>(4)?),
                level: r.try_get(3)?,
                endpoint: r.try_get(5)?,
                p256dh: r.try_get(6)?,
                auth: r.try_get(7)?,
                subscription_id: r.try_get(8)?,
            };
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
        };
        sqlx::query(q).bind(d.id).bind(state).bind(sent).bind(next).bind(error).execute(&mut *tx).await?;
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
        tx.commit().await?;
        Ok(())
    }

    /// Move urgent cases that nobody acknowledged within `after_ms` one rung up the ladder.
    /// The new outbox row's cause is derived from the old one, so it is written once.
    pub async fn escalate(&self, after_ms: i64) -> Result<u64> {
        let now = now_ms();
        let mut n = 0;
        for pair in LADDER.windows(2) {
            let (from, to) = (pair[0].0, pair[1].0);
            n += sqlx::query(
                "INSERT INTO outbox (kind, doc_id, cause, payload, created_at, level)
                 SELECT 'escalation', o.doc_id, 'escalate:' || $1 || ':' || o.cause, o.payload, $2, $1
                 FROM outbox o JOIN cases c ON c.doc_id = o.doc_id
                 WHERE o.kind IN ('urgent', 'escalation') AND o.level = $3 AND o.created_at <= $4
                   AND c.status = 'reported' AND c.severity = 'urgent'
                 ON CONFLICT (cause) DO NOTHING",
            )
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
        sqlx::query(
            "SELECT o.kind, o.level, dl.user_id, COALESCE(u.name, dl.user_id), dl.state, dl.attempts, dl.last_error,
                    dl.created_at, dl.sent_at, dl.acknowledged_at, COALESCE(a.name, dl.acknowledged_by)
             FROM deliveries dl JOIN outbox o ON o.id = dl.outbox_id LEFT JOIN users u ON u.id = dl.user_id
               LEFT JOIN users a ON a.id = dl.acknowledged_by
             WHERE dl.doc_id = $1 ORDER BY dl.id",
        )
        .bind(doc.0.to_vec())
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(|r| {
            Ok(DeliveryLogRow {
                kind: r.try_get(0)?,
                level: r.try_get(1)?,
                user_id: r.try_get(2)?,
                user_name: r.try_get(3)?,
                state: r.try_get(4)?,
                attempts: r.try_get(5)?,
                last_error: r.try_get(6)?,
                created_at: r.try_get(7)?,
                sent_at: r.try_get(8)?,
                acknowledged_at: r.try_get(9)?,
                acknowledged_by: r.try_get(10)?,
            })
        })
        .collect()
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

const DIGEST_ROLES: &[&str] = &["township_leader", "county_admin", "city_admin"];

impl SqlStore {
    /// Claim today's digests: for every leader with a subscription and no digest yet on `day`,
    /// count the non-urgent cases that reached the server from their jurisdiction since `since_ms`
    /// (news is when the server learns of it: a case recorded offline days ago is today's); those with any
    /// are recorded (the claim) and returned. Urgent cases are not counted: they were pushed.
    pub async fn claim_digests(&self, day: i64, since_ms: i64) -> Result<Vec<DigestDue>> {
        let rows = sqlx::query(
            "SELECT DISTINCT u.id, n.name, n.path FROM users u JOIN units n ON n.code = u.unit_code
             JOIN devices d ON d.user_id = u.id AND d.revoked_at IS NULL JOIN push_subscriptions s ON s.device_id = d.id
             WHERE u.role IN ($1, $2, $3) AND NOT EXISTS (SELECT 1 FROM digests g WHERE g.user_id = u.id AND g.day = $4)",
        )
        .bind(DIGEST_ROLES[0])
        .bind(DIGEST_ROLES[1])
        .bind(DIGEST_ROLES[2])
        .bind(day)
        .fetch_all(&self.pool)
        .await?;
        let mut out = Vec::new();
        for r in rows {
            let (user_id, area, path): (String, String, String) =
                (r.try_get(0)?, r.try_get(1)?, r.try_get(2)?);
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
            let subscriptions = sqlx::query(
                "SELECT s.id, s.endpoint, s.p256dh, s.auth FROM push_subscriptions s JOIN devices d ON d.id = s.device_id
                 WHERE d.user_id = $1 AND d.revoked_at IS NULL",
            )
            .bind(&user_id)
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(|s| Ok((s.try_get(0)?, s.try_get(1)?, s.try_get(2)?, s.try_get(3)?)))
            .collect::<Result<_>>()?;
            out.push(DigestDue { user_id, area, cases, subscriptions });
        }
        Ok(out)
    }

    pub async fn delete_subscription_by_id(&self, id: i64) -> Result<()> {
        sqlx::query("DELETE FROM push_subscriptions WHERE id = $1").bind(id).execute(&self.writer).await?;
        Ok(())
    }
}
