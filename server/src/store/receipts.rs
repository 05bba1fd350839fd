//! Delivery receipts in SQL (see `crate::channels::receipts`): each is kept once per provider
//! message id and moves the matching SMS in the delivery log from `sent` to `delivered` or
//! `undelivered`. Providers push a report again when our answer was lost, so applying one twice
//! must change nothing; and a report can overtake the write of the send it is about, so it is
//! kept until that send finishes and picks it up ([`SqlStore::apply_stored_receipt`]).

use sqlx::Transaction;

use super::sql::now_ms;
use super::*;
use crate::channels::ChannelKind;
use crate::channels::receipts::Receipt;

/// What one receipt did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReceiptEffect {
    /// New, and the send it is about is in the log: the log says so now.
    Applied,
    /// New, but no send in the log carries its id (yet): kept for when one does.
    Kept,
    /// The provider said this before: nothing changes.
    Repeat,
}

impl SqlStore {
    /// Keep `r` (once) and bring the delivery log in line with it.
    pub async fn record_receipt(&self, channel: ChannelKind, r: &Receipt) -> Result<ReceiptEffect> {
        let now = now_ms();
        let mut tx = self.writer.begin().await?;
        let new = sqlx::query(
            "INSERT INTO delivery_receipts (channel, message_id, outcome, reason, reported_at, received_at)
             VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (channel, message_id) DO NOTHING",
        )
        .bind(channel.as_str())
        .bind(&r.message_id)
        .bind(r.outcome.as_str())
        .bind(&r.reason)
        .bind(&r.reported_at)
        .bind(now)
        .execute(&mut *tx)
        .await?
        .rows_affected()
            == 1;
        if !new {
            tx.commit().await?;
            return Ok(ReceiptEffect::Repeat);
        }
        let applied = sqlx::query(
            "UPDATE deliveries SET state = $3, last_error = $4, receipt_at = $5
             WHERE channel = $1 AND receipt = $2 AND state = 'sent'",
        )
        .bind(channel.as_str())
        .bind(&r.message_id)
        .bind(r.outcome.as_str())
        .bind(match r.outcome {
            crate::channels::receipts::ReceiptOutcome::Undelivered => r.reason.as_deref(),
            crate::channels::receipts::ReceiptOutcome::Delivered => None,
        })
        .bind(now)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        tx.commit().await?;
        Ok(if applied > 0 { ReceiptEffect::Applied } else { ReceiptEffect::Kept })
    }

    /// A send just marked `sent` takes the receipt that overtook it, if one did.
    pub(super) async fn apply_stored_receipt(
        tx: &mut Transaction<'static, sqlx::Any>,
        delivery: i64,
        now: i64,
    ) -> Result<()> {
        const MATCH: &str = "FROM delivery_receipts r WHERE r.channel = deliveries.channel AND r.message_id = deliveries.receipt";
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "UPDATE deliveries SET state = (SELECT r.outcome {MATCH}),
                 last_error = (SELECT r.reason {MATCH} AND r.outcome = 'undelivered'), receipt_at = $2
             WHERE id = $1 AND state = 'sent' AND receipt IS NOT NULL AND EXISTS (SELECT 1 {MATCH})"
        )))
        .bind(delivery)
        .bind(now)
        .execute(&mut **tx)
        .await?;
        Ok(())
    }
}
