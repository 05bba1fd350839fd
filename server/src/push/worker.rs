//! The alert worker: outbox → deliveries (the plan in `crate::alerts`) → Web Push, SMS and
//! group robots, plus the escalation and overdue clocks.
//!
//! It wakes on every feed notice of a commit that queued alerts (here, or on another replica
//! through PostgreSQL NOTIFY) and on a short tick, so an urgent case reaches the push service
//! within a fraction of a second of its commit, and nothing waits on a notice that was missed.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::sync::watch;

use super::{
    Delivery, DigestPayload, Notification, Places, SendOptions, Subscription, VapidKeys, needs_places,
};
use sync_protocol::calendar;
use sync_protocol::outbox::OutboxRowError;

use crate::channels::Channel;
use crate::channels::robots::RobotChannel;
use crate::live::LiveHub;
use crate::store::{DueDelivery, SqlStore};

#[derive(Clone)]
pub struct AlertConfig {
    /// An urgent case not acknowledged this long after its alert goes one level up.
    pub escalate_after: Duration,
    /// How often to look for escalations, overdue cases and retries without being woken.
    pub tick: Duration,
    /// How long a claimed delivery is this worker's alone (see `Config::delivery_lease`).
    pub lease: Duration,
    /// The first wait after a push service failed without saying how long to wait; it doubles.
    pub retry_base: Duration,
    /// How often to look for cases whose deadline has passed.
    pub overdue_every: Duration,
    /// From this hour (Beijing time) each day, leaders get one digest of the non-urgent cases of
    /// the last 24 hours: news that should not buzz a phone the moment it happens.
    pub digest_hour: u32,
}

pub struct AlertWorker {
    pub store: SqlStore,
    pub vapid: VapidKeys,
    pub client: super::PushClient,
    pub metrics: Arc<crate::metrics::Metrics>,
    pub config: AlertConfig,
    /// The delivery plan: which channels, how long SMS waits, the caps.
    pub plan: crate::alerts::Plan,
    /// The configured SMS provider, if any.
    pub sms: Option<Box<dyn Channel>>,
    /// Group robots by unit code.
    pub robots: HashMap<String, RobotChannel>,
}

impl AlertConfig {
    /// How often the escalation sweep runs: a thirtieth of the wait, so an alert goes up at most
    /// that much late (30 s on the default 15 minutes), never more often than the tick nor less
    /// often than every 30 s. The sweep walks every pending urgent case while holding the writer,
    /// so running it every tick cost most when most was pending: with thousands of urgent cases
    /// unacknowledged, PostgreSQL was busy with it in 72 of 100 samples (BENCHMARKS.md).
    pub fn escalate_every(&self) -> Duration {
        (self.escalate_after / 30).clamp(self.tick, Duration::from_secs(30).max(self.tick))
    }
}

/// When the worker's slower clocks last ran.
pub struct LastRun {
    escalation: Instant,
    overdue: Instant,
}

impl LastRun {
    /// Due at once, as after a start.
    fn never(config: &AlertConfig) -> Self {
        let now = Instant::now();
        Self { escalation: now - config.escalate_every(), overdue: now - config.overdue_every }
    }
}

impl AlertWorker {
    pub async fn run(self: Arc<Self>, live: LiveHub, mut shutdown: watch::Receiver<bool>) {
        let mut notices = live.subscribe();
        let mut ticks = tokio::time::interval(self.config.tick);
        ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        let mut last = LastRun::never(&self.config);
        loop {
            // A commit that queued alerts wakes delivery alone; one that queued none is no news
            // here, and a notice lost to a full channel is read as news. The clocks (escalation,
            // overdue, digest) run on the tick, which also expands what any notice missed.
            let clocks = tokio::select! {
                notice = notices.recv() => match notice {
                    Ok(n) if !n.alerts => continue,
                    _ => false,
                },
                _ = ticks.tick() => true,
                _ = shutdown.wait_for(|stop| *stop) => return,
            };
            if let Err(e) = self.round(clocks, &mut last).await {
                tracing::warn!(error = %e, "alert worker round failed; retrying");
            }
        }
    }

    /// One pass: with `clocks`, raise escalations, reminders and digests that are due; then
    /// expand the outbox and send.
    pub async fn round(&self, clocks: bool, last: &mut LastRun) -> anyhow::Result<()> {
        if clocks {
            if last.escalation.elapsed() >= self.config.escalate_every() {
                self.store.escalate(self.config.escalate_after.as_millis() as i64).await?;
                last.escalation = Instant::now();
            }
            if last.overdue.elapsed() >= self.config.overdue_every {
                self.store.remind_overdue().await?;
                self.store.remind_petitions().await?;
                last.overdue = Instant::now();
            }
            self.send_digests().await?;
        }
        while self.store.expand_outbox(&self.plan).await? > 0 {}
        loop {
            let due = self.store.claim_deliveries(32, self.config.lease.as_millis() as i64).await?;
            if due.is_empty() {
                return Ok(());
            }
            self.send_batch(&due).await?;
        }
    }

    /// Today's digests, if it is past the digest hour. One try each: tomorrow brings another.
    async fn send_digests(&self) -> anyhow::Result<()> {
        let now = crate::store::now_ms();
        let (day, hour) = (calendar::beijing_day(now), calendar::beijing_hour(now));
        if hour < self.config.digest_hour {
            return Ok(());
        }
        for due in self.store.claim_digests(day, now - 86_400_000).await? {
            let bytes = DigestPayload::new(due.cases, &due.area).to_json();
            let opts = SendOptions {
                urgency: super::Urgency::Low,
                topic: super::Topic::new("digest").ok(),
                ..SendOptions::default()
            };
            for (id, endpoint, p256dh, auth) in &due.subscriptions {
                let Ok(sub) = Subscription::new(endpoint, p256dh, auth) else { continue };
                let outcome = match super::build_request(&self.vapid, &sub, &bytes, &opts) {
                    Ok(req) => super::send(&self.client, req, &opts).await,
                    Err(e) => Delivery::Failed(e.to_string()),
                };
                match outcome {
                    Delivery::Gone => self.store.delete_subscription_by_id(*id).await?,
                    Delivery::Sent => {}
                    other => {
                        tracing::info!(user = %due.user_id, outcome = %other, "daily digest not delivered")
                    }
                }
            }
        }
        Ok(())
    }

    /// The notification a claimed delivery sends, whatever its outbox kind. The outer error is
    /// the store's (worth a retry); the inner one the row's (never going to work).
    pub async fn notification(
        &self,
        d: &DueDelivery,
    ) -> anyhow::Result<Result<Notification, OutboxRowError>> {
        let event = match &d.event {
            Ok(event) => event,
            Err(e) => return Ok(Err(e.clone())),
        };
        let places =
            if needs_places(event) { self.places(event.village()).await? } else { Places::default() };
        Ok(Ok(Notification::from_event(event, &places, crate::store::now_ms())))
    }

    /// The display names of a village and its township.
    async fn places(&self, village: &str) -> anyhow::Result<Places> {
        let chain = if village.is_empty() { vec![] } else { self.store.unit_chain(village).await? };
        let name =
            |kind: &str| chain.iter().find(|u| u.kind == kind).map(|u| u.name.clone()).unwrap_or_default();
        Ok(Places { township: name("township"), village: name("village") })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(escalate_after: Duration, tick: Duration) -> AlertConfig {
        AlertConfig {
            escalate_after,
            tick,
            lease: Duration::from_secs(60),
            retry_base: Duration::from_secs(1),
            overdue_every: Duration::from_secs(60),
            digest_hour: 18,
        }
    }

    #[test]
    fn the_escalation_sweep_runs_a_thirtieth_of_the_wait_apart_within_the_tick_and_30_s() {
        let s = Duration::from_secs;
        let ms = Duration::from_millis;
        assert_eq!(config(s(900), s(1)).escalate_every(), s(30), "the default: at most 30 s late");
        assert_eq!(config(s(300), s(1)).escalate_every(), s(10));
        assert_eq!(config(s(3600), s(1)).escalate_every(), s(30), "never less often than 30 s");
        assert_eq!(config(s(3), ms(50)).escalate_every(), ms(100), "short waits, as in tests");
        assert_eq!(config(s(2), s(1)).escalate_every(), s(1), "never more often than the tick");
        assert_eq!(config(s(900), s(60)).escalate_every(), s(60), "a tick above 30 s wins");
    }
}
