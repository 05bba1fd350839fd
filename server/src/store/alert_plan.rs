//! The delivery plan in SQL (see `crate::alerts`): outbox rows become one delivery per person
//! and channel — Web Push per subscription, the SMS (due after the wait, or at once), and the
//! group robot for urgent cases — in the transaction that marks the outbox row done, so each
//! is written exactly once whatever races or restarts.

use sqlx::Transaction;
use sync_protocol::DocId;
use sync_protocol::outbox::OutboxEvent;

use super::alerts::rung;
use super::sql::{now_ms, to_doc_id};
use super::*;
use crate::alerts::Plan;
use crate::alerts::prefs::{AlertPrefs, PrefsLayer};
use crate::channels::{ChannelKind, Phone};

/// An SMS kept in reserve: it goes only if every Web Push to the person fails for good.
pub const STANDBY: &str = "standby";

impl SqlStore {
    /// Turn new outbox rows into deliveries; the number of outbox rows done.
    pub async fn expand_outbox(&self, plan: &Plan) -> Result<usize> {
        let now = now_ms();
        let mut tx = self.writer.begin().await?;
        let lock = if self.dialect == Dialect::Postgres { "FOR UPDATE SKIP LOCKED" } else { "" };
        let rows: Vec<(i64, String, String, Vec<u8>, String, String)> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT o.id, o.kind, o.level, o.doc_id, d.unit_path, o.payload FROM outbox o JOIN documents d ON d.doc_id = o.doc_id
             WHERE o.done_at IS NULL ORDER BY o.id LIMIT 50 {lock}"
        )))
        .fetch_all(&mut *tx)
        .await?;
        let done = rows.len();
        let ids: Vec<i64> = rows.iter().map(|r| r.0).collect();
        for (id, kind, level, doc, path, payload) in rows {
            let doc = to_doc_id(doc)?;
            // A row nobody can read still goes to the level's people, so its failure is logged.
            let event = OutboxEvent::from_row(&kind, &payload).ok();
            let urgent = event.as_ref().is_some_and(OutboxEvent::is_urgent);
            let about_case = event.as_ref().is_some_and(|e| e.case().is_some());
            let row = NewRow { outbox: id, doc, now };
            for user in self.recipients(&mut tx, event.as_ref(), &level, doc, &path).await? {
                let pushes = push_rows(&mut tx, &row, &user).await?;
                if let (Some(sms), true) = (plan.sms, about_case) {
                    let due = match (pushes, urgent) {
                        (0, _) => Some(now),
                        (_, true) => Some(now + plan.sms_after.as_millis() as i64),
                        (_, false) => None,
                    };
                    self.sms_row(&mut tx, &row, &user, sms, due).await?;
                }
            }
            if urgent
                && let Some(unit) = self.level_unit(&level, &path).await?
                && let Some(robot) = plan.robots.get(&unit.code)
            {
                row.insert(&mut tx, "", robot.as_str(), Some(&unit.code), "queued", None, now).await?;
            }
        }
        // Marked done together, in the transaction that wrote their deliveries: one trip to the
        // writer's thread for the round, not one per row.
        if !ids.is_empty() {
            let sql = format!(
                "UPDATE outbox SET done_at = $1 WHERE id IN {}",
                super::commit::values_from(1, ids.len(), 2)
            );
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(now);
            for id in &ids {
                q = q.bind(*id);
            }
            q.execute(&mut *tx).await?;
        }
        tx.commit().await?;
        Ok(done)
    }

    /// The unit whose people (and group) a rung of the ladder alerts.
    pub(super) async fn level_unit(&self, level: &str, unit_path: &str) -> Result<Option<Unit>> {
        let Some((unit_kind, _)) = rung(level) else { return Ok(None) };
        let village = unit_path.split('/').rfind(|s| !s.is_empty()).unwrap_or_default();
        Ok(self.unit_chain(village).await?.into_iter().find(|u| unit_kind.as_str() == u.kind))
    }

    /// The SMS to `user`: due at `due`, or held in reserve (`None`) until Web Push fails; not
    /// at all if they turned SMS off; logged unreachable without a usable roster number.
    async fn sms_row(
        &self,
        tx: &mut Transaction<'static, sqlx::Any>,
        row: &NewRow,
        user: &str,
        sms: ChannelKind,
        due: Option<i64>,
    ) -> Result<()> {
        if !self.alert_prefs(user).await?.sms {
            return Ok(());
        }
        let phone: Option<String> = sqlx::query_scalar("SELECT phone FROM users WHERE id = $1")
            .bind(user)
            .fetch_optional(&mut **tx)
            .await?
            .flatten();
        let channel = sms.as_str();
        match phone.as_deref().map(Phone::parse) {
            Some(Ok(p)) => {
                let state = if due.is_some() { "queued" } else { STANDBY };
                let at = due.unwrap_or(row.now);
                row.insert(tx, user, channel, Some(p.national()), state, None, at).await
            }
            _ => {
                let why = Some("no mobile number on the roster");
                row.insert(tx, user, channel, None, "unreachable", why, row.now).await
            }
        }
    }

    /// The settings in force for `user`: theirs over their unit's and its parents' defaults.
    pub async fn alert_prefs(&self, user: &str) -> Result<AlertPrefs> {
        let unit: Option<String> = sqlx::query_scalar("SELECT unit_code FROM users WHERE id = $1")
            .bind(user)
            .fetch_optional(&self.pool)
            .await?;
        let mut layers = vec![self.prefs_layer(&format!("user:{user}")).await?.unwrap_or_default()];
        if let Some(unit) = unit {
            layers.extend(self.unit_prefs_layers(&unit).await?);
        }
        Ok(AlertPrefs::resolve(&layers))
    }

    /// The defaults of `unit` and the units above it, nearest first.
    pub async fn unit_prefs_layers(&self, unit: &str) -> Result<Vec<PrefsLayer>> {
        let chain = self.unit_chain(unit).await?;
        let mut layers = Vec::with_capacity(chain.len());
        for u in chain.iter().rev() {
            layers.push(self.prefs_layer(&format!("unit:{}", u.code)).await?.unwrap_or_default());
        }
        Ok(layers)
    }

    /// The roster's mobile number of `user`, if any.
    pub async fn roster_phone(&self, user: &str) -> Result<Option<String>> {
        Ok(sqlx::query_scalar("SELECT phone FROM users WHERE id = $1")
            .bind(user)
            .fetch_optional(&self.pool)
            .await?
            .flatten())
    }

    /// How many of `user`'s phones have alerts turned on.
    pub async fn push_phones(&self, user: &str) -> Result<i64> {
        Ok(sqlx::query_scalar(
            "SELECT COUNT(*) FROM push_subscriptions s JOIN devices d ON d.id = s.device_id
             WHERE d.user_id = $1 AND d.revoked_at IS NULL",
        )
        .bind(user)
        .fetch_one(&self.pool)
        .await?)
    }

    /// One stored layer: `user:<id>` or `unit:<code>`.
    pub async fn prefs_layer(&self, owner: &str) -> Result<Option<PrefsLayer>> {
        let row: Option<(Option<i64>, Option<i64>, Option<i64>)> =
            sqlx::query_as("SELECT sms, quiet_from, quiet_to FROM alert_prefs WHERE owner = $1")
                .bind(owner)
                .fetch_optional(&self.pool)
                .await?;
        Ok(row.map(|(sms, quiet_from, quiet_to)| PrefsLayer {
            sms: sms.map(|v| v != 0),
            quiet_from,
            quiet_to,
        }))
    }

    pub async fn set_prefs_layer(&self, owner: &str, layer: &PrefsLayer, by: &str) -> Result<()> {
        sqlx::query(
            "INSERT INTO alert_prefs (owner, sms, quiet_from, quiet_to, updated_at, updated_by) VALUES ($1, $2, $3, $4, $5, $6)
             ON CONFLICT (owner) DO UPDATE SET sms = excluded.sms, quiet_from = excluded.quiet_from,
               quiet_to = excluded.quiet_to, updated_at = excluded.updated_at, updated_by = excluded.updated_by",
        )
        .bind(owner)
        .bind(layer.sms.map(i64::from))
        .bind(layer.quiet_from)
        .bind(layer.quiet_to)
        .bind(now_ms())
        .bind(by)
        .execute(&self.writer)
        .await?;
        Ok(())
    }

    /// SMS the providers accepted since `since_ms`: to `user`, or to anyone. A receipt that
    /// came back since (`delivered`, `undelivered`) does not make it cost less.
    pub async fn sms_sent_since(&self, user: Option<&str>, since_ms: i64) -> Result<i64> {
        Ok(sqlx::query_scalar(
            "SELECT COUNT(*) FROM deliveries WHERE channel LIKE '%sms' AND state IN ('sent', 'delivered', 'undelivered') AND sent_at >= $1
               AND ($2 = '' OR user_id = $2)",
        )
        .bind(since_ms)
        .bind(user.unwrap_or_default())
        .fetch_one(&self.pool)
        .await?)
    }

    /// Once no Web Push to a person can still arrive (every one gone or failed for good), their
    /// SMS about the same alerts go now rather than after the wait.
    pub(super) async fn sms_now_if_push_dead(
        tx: &mut Transaction<'static, sqlx::Any>,
        user: &str,
        now: i64,
    ) -> Result<()> {
        sqlx::query(
            "UPDATE deliveries SET state = 'queued', next_attempt_at = CASE WHEN next_attempt_at > $2 THEN $2 ELSE next_attempt_at END
             WHERE user_id = $1 AND channel LIKE '%sms' AND state IN ('queued', 'standby')
               AND NOT EXISTS (SELECT 1 FROM deliveries p WHERE p.outbox_id = deliveries.outbox_id
                   AND p.user_id = deliveries.user_id AND p.channel = 'web_push' AND p.state IN ('queued', 'sent'))",
        )
        .bind(user)
        .bind(now)
        .execute(&mut **tx)
        .await?;
        Ok(())
    }

    /// The provider's id for a sent message, to match a delivery receipt.
    pub async fn set_receipt(&self, delivery: i64, receipt: &str) -> Result<()> {
        sqlx::query("UPDATE deliveries SET receipt = $2 WHERE id = $1")
            .bind(delivery)
            .bind(receipt)
            .execute(&self.writer)
            .await?;
        Ok(())
    }
}

/// The outbox row, case and time every delivery of one expansion shares.
struct NewRow {
    outbox: i64,
    doc: DocId,
    now: i64,
}

impl NewRow {
    #[allow(clippy::too_many_arguments)]
    async fn insert(
        &self,
        tx: &mut Transaction<'static, sqlx::Any>,
        user: &str,
        channel: &str,
        address: Option<&str>,
        state: &str,
        error: Option<&str>,
        due: i64,
    ) -> Result<()> {
        sqlx::query(
            "INSERT INTO deliveries (outbox_id, doc_id, user_id, channel, address, state, last_error, next_attempt_at, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(self.outbox)
        .bind(self.doc.0.to_vec())
        .bind(user)
        .bind(channel)
        .bind(address)
        .bind(state)
        .bind(error)
        .bind(due)
        .bind(self.now)
        .execute(&mut **tx)
        .await?;
        Ok(())
    }
}

/// The subscriptions of `$1`'s phones that are not revoked: from the person's devices
/// (`devices_user`, migration 0020) to their subscriptions, per recipient of every alert.
pub(super) const SUBSCRIPTIONS_OF: &str =
    "SELECT s.id FROM push_subscriptions s JOIN devices d ON d.id = s.device_id
     WHERE d.user_id = $1 AND d.revoked_at IS NULL";

/// One Web Push delivery per subscription of `user` (or one `unreachable` row for someone
/// with none, so the log shows who was not reached); the number of subscriptions.
async fn push_rows(tx: &mut Transaction<'static, sqlx::Any>, row: &NewRow, user: &str) -> Result<usize> {
    let subs: Vec<i64> = sqlx::query_scalar(SUBSCRIPTIONS_OF).bind(user).fetch_all(&mut **tx).await?;
    if subs.is_empty() {
        let why = Some("no phone has alerts turned on");
        row.insert(tx, user, "web_push", None, "unreachable", why, row.now).await?;
    }
    for sub in &subs {
        sqlx::query(
            "INSERT INTO deliveries (outbox_id, doc_id, user_id, subscription_id, state, next_attempt_at, created_at)
             VALUES ($1, $2, $3, $4, 'queued', $5, $5)",
        )
        .bind(row.outbox)
        .bind(row.doc.0.to_vec())
        .bind(user)
        .bind(sub)
        .bind(row.now)
        .execute(&mut **tx)
        .await?;
    }
    Ok(subs.len())
}
