//! The sweep clock: generates every township's half-monthly campaign when a half-month starts
//! and reminds the villages that have not answered a campaign whose deadline is near, at most
//! once per Beijing day per campaign and village (the outbox cause carries the date).
//!
//! It runs beside the alert worker and sends with its keys and HTTP client; reminders leave
//! outbox and delivery rows like every other push, so leaders can see who was reminded.

pub mod period;

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::watch;

pub use period::{HalfMonth, beijing_date, half_month};

use crate::push::worker::AlertWorker;
use crate::push::{Delivery, Subscription};
use crate::store::{DeliveryOutcome, DueDelivery, NewCampaign, SqlStore, now_ms};

/// Villages are reminded during the last days before a deadline, not every day of a window.
pub const REMIND_WITHIN_MS: i64 = 3 * 86_400_000;
const LEASE_MS: i64 = 60_000;

/// Tick every `every` until shutdown. Errors are logged and retried on the next tick.
pub async fn run(worker: Arc<AlertWorker>, every: Duration, mut shutdown: watch::Receiver<bool>) {
    // The first pass waits one period: a server that starts is busy enough, and tests that do
    // not exercise the clock finish before it runs.
    let mut ticks = tokio::time::interval_at(tokio::time::Instant::now() + every, every);
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            _ = ticks.tick() => {}
            _ = shutdown.wait_for(|stop| *stop) => return,
        }
        if let Err(e) = tick(&worker, now_ms()).await {
            tracing::warn!(error = %e, "campaign tick failed; retrying");
        }
    }
}

/// One pass at instant `now`: generate, then remind. Returns (campaigns made, reminders sent).
pub async fn tick(worker: &AlertWorker, now: i64) -> anyhow::Result<(usize, usize)> {
    let made = generate_half_monthly(&worker.store, now).await?;
    let sent = remind(worker, now).await?;
    Ok((made, sent))
}

/// Make the half-monthly campaign of the half-month containing `now` for every township that
/// has none yet; the roster is the township's villages at this moment.
pub async fn generate_half_monthly(store: &SqlStore, now: i64) -> anyhow::Result<usize> {
    let p = half_month(now);
    let mut made = 0;
    for (code, path) in store.townships_without_period(&p.key).await? {
        let c = NewCampaign {
            id: format!("hm-{code}-{}", p.key),
            name: period::label(&p),
            kind: "half_monthly".into(),
            unit_code: code.clone(),
            unit_path: path,
            period: Some(p.key.clone()),
            window_start: p.start,
            window_end: p.end,
            deadline: p.deadline,
            focus: vec![],
            created_by: None,
        };
        made += usize::from(store.insert_campaign(&c, &[code]).await?);
    }
    Ok(made)
}

/// Claim and send today's reminders; the number of messages the push services accepted.
pub async fn remind(worker: &AlertWorker, now: i64) -> anyhow::Result<usize> {
    let due = worker.store.claim_sweep_reminders(now, &beijing_date(now), REMIND_WITHIN_MS, LEASE_MS).await?;
    send(worker, &due).await
}

/// What a leader's "remind the missing" did.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct Reminded {
    /// Missing villages reminded now.
    pub villages: Vec<String>,
    /// Distinct people reminded (with or without a phone that takes push).
    pub people: usize,
    /// Messages the push services accepted.
    pub sent: usize,
    /// Missing villages already reminded today (by the clock or an earlier press).
    pub already_today: Vec<String>,
}

/// Remind now the missing villages of `campaign` among `villages`: the same outbox row the
/// clock writes (one per village and Beijing day), sent at once.
pub async fn remind_campaign(
    worker: &AlertWorker,
    campaign: &str,
    villages: &[String],
    now: i64,
) -> anyhow::Result<Reminded> {
    let claim =
        worker.store.claim_campaign_reminders(campaign, villages, now, &beijing_date(now), LEASE_MS).await?;
    let mut people: Vec<&String> = claim.claimed.iter().flat_map(|c| &c.people).collect();
    people.sort();
    people.dedup();
    let due: Vec<_> = claim.claimed.iter().flat_map(|c| c.deliveries.iter().cloned()).collect();
    Ok(Reminded {
        villages: claim.claimed.iter().map(|c| c.village.clone()).collect(),
        people: people.len(),
        sent: send(worker, &due).await?,
        already_today: claim.already,
    })
}

/// Send claimed reminders; the number the push services accepted.
async fn send(worker: &AlertWorker, due: &[DueDelivery]) -> anyhow::Result<usize> {
    let mut sent = 0;
    for d in due {
        // The payload the alert worker would send too, should it pick this delivery up after a
        // crash: one definition per outbox kind (`push::notification`).
        let outcome =
            match (worker.notification(d).await?, Subscription::new(&d.endpoint, &d.p256dh, &d.auth)) {
                (Err(e), _) => Delivery::Failed(format!("bad outbox payload: {e}")),
                (_, Err(e)) => Delivery::Failed(format!("stored subscription unusable: {e}")),
                (Ok(note), Ok(sub)) => {
                    let opts = note.send_options();
                    match crate::push::build_request(&worker.vapid, &sub, &note.to_json(), &opts) {
                        Ok(req) => crate::push::send(&worker.client, req, &opts).await,
                        Err(e) => Delivery::Failed(e.to_string()),
                    }
                }
            };
        let outcome = match outcome {
            Delivery::Sent => {
                sent += 1;
                DeliveryOutcome::Sent
            }
            Delivery::Gone => DeliveryOutcome::Gone,
            // A reminder is not retried: tomorrow's is the retry.
            Delivery::RetryAfter(wait) => {
                DeliveryOutcome::Failed(format!("retry after {} s", wait.as_secs()))
            }
            Delivery::Failed(reason) => DeliveryOutcome::Failed(reason),
        };
        worker.store.finish_delivery(d, outcome).await?;
    }
    Ok(sent)
}
