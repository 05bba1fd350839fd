//! Sending one claimed delivery through its channel, after the checks that may hold it back:
//! quiet hours (non-urgent only), the per-person hourly SMS cap and the daily SMS budget.

use std::collections::HashMap;

use futures::future::join_all;
use sync_protocol::calendar;

use super::link::{LINK_TTL_MS, LinkCode};
use crate::channels::sms_text::SmsParams;
use crate::channels::webpush::WebPush;
use crate::channels::{Address, Attempt, Channel, Phone};
use crate::push::worker::AlertWorker;
use crate::push::{Notification, SendOptions, Subscription};
use crate::store::{DeliveryOutcome, DueDelivery, LinkView, now_ms};

const HOUR_MS: i64 = 3_600_000;

/// SMS counted so far against the caps, including this batch's.
#[derive(Default)]
struct Spent {
    today: Option<i64>,
    last_hour: HashMap<String, i64>,
}

impl AlertWorker {
    /// Send a claimed batch: the caps are checked one delivery after another, so a batch
    /// cannot overrun them; then everything that may go goes at once (push services and
    /// providers answer in tens to hundreds of milliseconds).
    pub async fn send_batch(&self, due: &[DueDelivery]) -> anyhow::Result<()> {
        let mut spent = Spent::default();
        let mut held = Vec::with_capacity(due.len());
        for d in due {
            held.push(self.hold_back(d, &mut spent).await?);
        }
        let outcomes = join_all(due.iter().zip(held).map(|(d, held)| async move {
            match held {
                Some(outcome) => outcome,
                None => self.send_one(d).await,
            }
        }))
        .await;
        for (d, outcome) in due.iter().zip(outcomes) {
            self.store.finish_delivery(d, outcome).await?;
        }
        Ok(())
    }

    /// Why `d` may not go now, if it may not.
    async fn hold_back(&self, d: &DueDelivery, spent: &mut Spent) -> anyhow::Result<Option<DeliveryOutcome>> {
        let urgent = d.event.as_ref().is_ok_and(|e| e.is_urgent());
        let now = now_ms();
        if !urgent
            && !d.user_id.is_empty()
            && let Some(quiet) = self.store.alert_prefs(&d.user_id).await?.quiet
            && quiet.contains(now)
        {
            return Ok(Some(DeliveryOutcome::Postponed { until: quiet.end_after(now) }));
        }
        if !d.channel.ends_with("_sms") {
            return Ok(None);
        }
        let plan = &self.plan;
        let mine = match spent.last_hour.get(&d.user_id) {
            Some(n) => *n,
            None => self.store.sms_sent_since(Some(&d.user_id), now - HOUR_MS).await?,
        };
        if mine >= plan.sms_per_person_hour {
            self.metrics.sms_capped.inc();
            let reason = format!("{mine} SMS to this person in the last hour: at the cap");
            return Ok(Some(DeliveryOutcome::Withheld { state: "capped", reason }));
        }
        let today = match spent.today {
            Some(n) => n,
            None => self.store.sms_sent_since(None, beijing_midnight(now)).await?,
        };
        if today >= plan.sms_daily_budget {
            self.metrics.sms_over_budget.inc();
            let reason = format!("{today} SMS today: the daily budget is spent");
            return Ok(Some(DeliveryOutcome::Withheld { state: "over_budget", reason }));
        }
        spent.last_hour.insert(d.user_id.clone(), mine + 1);
        spent.today = Some(today + 1);
        Ok(None)
    }

    pub(crate) async fn send_one(&self, d: &DueDelivery) -> DeliveryOutcome {
        let note = match self.notification(d).await {
            Ok(Ok(n)) => n,
            Ok(Err(e)) => return DeliveryOutcome::Failed(format!("bad outbox payload: {e}")),
            // The places could not be read (the database is busy or away): that passes.
            Err(e) => return self.retry_soon(format!("could not prepare the notification: {e}")),
        };
        let attempt = match d.channel.as_str() {
            "web_push" => self.push(d, &note).await,
            c if c.ends_with("_sms") => match self.sms(d, note).await {
                Ok(attempt) => attempt,
                Err(e) => return self.retry_soon(format!("could not issue the acknowledgement link: {e}")),
            },
            _ => self.robot(d, &note).await,
        };
        if let Attempt::Sent { receipt: Some(r), .. } = &attempt
            && let Err(e) = self.store.set_receipt(d.id, r).await
        {
            tracing::warn!(error = %e, delivery = d.id, "provider receipt not kept");
        }
        match attempt {
            Attempt::Sent { .. } => DeliveryOutcome::Sent,
            Attempt::Gone => DeliveryOutcome::Gone,
            Attempt::Retry { after, reason } => {
                DeliveryOutcome::Retry { after_ms: after.as_millis() as i64, error: reason }
            }
            Attempt::Failed { reason } => DeliveryOutcome::Failed(reason),
        }
    }

    fn retry_soon(&self, error: String) -> DeliveryOutcome {
        DeliveryOutcome::Retry { after_ms: self.config.retry_base.as_millis() as i64, error }
    }

    async fn push(&self, d: &DueDelivery, note: &Notification) -> Attempt {
        let sub = match Subscription::new(&d.endpoint, &d.p256dh, &d.auth) {
            Ok(s) => s,
            Err(e) => return Attempt::failed(format!("stored subscription unusable: {e}")),
        };
        let mut options = SendOptions { attempt: (d.attempts.max(1) - 1) as u32, ..SendOptions::default() };
        options.backoff.base = self.config.retry_base;
        let channel = WebPush { vapid: self.vapid.clone(), client: self.client.clone(), options };
        let attempt = channel.send(&Address::Push(sub), note).await;
        self.metrics.channels.record(channel.kind(), &attempt);
        attempt
    }

    /// The SMS, with a fresh acknowledgement link (issued before it is sent: a link in an SMS
    /// must already work when the phone shows it). The outer error is the store's.
    async fn sms(&self, d: &DueDelivery, mut note: Notification) -> anyhow::Result<Attempt> {
        let Some(sms) = &self.sms else {
            return Ok(Attempt::failed("no SMS provider is configured any more"));
        };
        let Some(Ok(phone)) = d.address.as_deref().map(Phone::parse) else {
            return Ok(Attempt::failed("the stored mobile number is unusable"));
        };
        let facts = d.event.as_ref().ok().and_then(|e| e.case());
        if let (Notification::Case(p), Some(facts)) = (&mut note, facts) {
            let code = LinkCode::generate();
            let params = SmsParams::from_alert(p);
            let view = LinkView {
                delivery_id: d.id,
                user_id: d.user_id.clone(),
                doc: facts.doc,
                text: format!(
                    "{}：{} {}（{}，{}）",
                    params.kind, params.township, params.case_no, params.category, params.severity
                ),
            };
            self.store.issue_ack_link(&code.hash(), &view, now_ms() + LINK_TTL_MS).await?;
            p.ack_link = Some(code.url(&self.plan.public_url));
        }
        let attempt = sms.send(&Address::Phone(phone), &note).await;
        self.metrics.channels.record(sms.kind(), &attempt);
        Ok(attempt)
    }

    async fn robot(&self, d: &DueDelivery, note: &Notification) -> Attempt {
        let Some(robot) = d.address.as_deref().and_then(|unit| self.robots.get(unit)) else {
            return Attempt::failed("no group robot is configured for this unit any more");
        };
        let attempt = robot.send(&Address::Group, note).await;
        self.metrics.channels.record(robot.kind(), &attempt);
        attempt
    }
}

/// 00:00 Beijing time of the day `now_ms` falls in: the daily budget's day.
fn beijing_midnight(now_ms: i64) -> i64 {
    calendar::day_start_ms(calendar::beijing_day(now_ms))
}
