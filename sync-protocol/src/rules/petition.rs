//! The statutory clock of a petition item (信访工作条例), the one rule the server and the PWA
//! share: `pwa/src/rules/petition.ts` is a line-by-line port, and both are held to the vectors
//! in `sync-protocol/vectors/petition.json`.
//!
//! # How days are counted
//! Calendar days in Beijing time (UTC+8, no daylight saving). The day something happens is
//! day 0; "within N days" means up to the end of day N, i.e. before 00:00 Beijing time of day
//! N + 1. A petition received at 23:50 on 14 February 2028 must be decided on by the end of
//! 29 February 2028 (day 15). `days_left` is the deadline's day minus today: 0 on the last day,
//! negative once overdue. Month ends and leap years need no care: days are counted, not months.
//!
//! # Stages and deadlines
//! received → decided (accepted, or not accepted: the end) → replied → review requested →
//! reviewed → re-review requested → re-reviewed (the end). The office's deadlines: decide in 15
//! days from receipt; reply in 60 days from acceptance, extended once by 1–30 days before the 60
//! run out; answer a review or re-review in 30 days from the request. The petitioner's: ask for
//! review within 30 days of the reply, for re-review within 30 days of the review's answer. A
//! late office action is recorded as it happened (it shows as overdue until it is); a late
//! request by the petitioner is refused, as the 条例 does.

use std::fmt;

use crate::calendar::{beijing_day, day_start_ms};

pub const DECIDE_DAYS: i64 = 15;
pub const HANDLE_DAYS: i64 = 60;
pub const MAX_EXTENSION_DAYS: i64 = 30;
pub const REQUEST_DAYS: i64 = 30;
pub const ANSWER_DAYS: i64 = 30;

/// Whole days left before an instant that is a deadline's `due_ms` (00:00 of the day after
/// its last day): what a list shows without rebuilding the clock.
pub fn days_left_to(due_ms: i64, now_ms: i64) -> i64 {
    beijing_day(due_ms - 1) - beijing_day(now_ms)
}

macro_rules! named {
    ($name:ident { $($v:ident = $s:literal),* $(,)? }) => {
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub enum $name { $($v),* }
        impl $name {
            pub fn as_str(self) -> &'static str {
                match self { $(Self::$v => $s),* }
            }
        }
        impl std::str::FromStr for $name {
            type Err = String;
            fn from_str(s: &str) -> Result<Self, String> {
                match s {
                    $($s => Ok(Self::$v),)*
                    other => Err(format!("unknown {} '{other}'", stringify!($name))),
                }
            }
        }
        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }
        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let s = <std::borrow::Cow<'de, str>>::deserialize(d)?;
                s.parse().map_err(serde::de::Error::custom)
            }
        }
    };
}

named!(Stage {
    AwaitingDecision = "awaiting_decision",
    NotAccepted = "not_accepted",
    Handling = "handling",
    Replied = "replied",
    ReviewRequested = "review_requested",
    Reviewed = "reviewed",
    RereviewRequested = "rereview_requested",
    Rereviewed = "rereviewed",
});

named!(DeadlineKind {
    Decide = "decide",
    Reply = "reply",
    RequestReview = "request_review",
    AnswerReview = "answer_review",
    RequestRereview = "request_rereview",
    AnswerRereview = "answer_rereview",
});

/// Whose move it is before the deadline: the office is reminded of its own; the petitioner's
/// running out simply ends the item.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Owner {
    Office,
    Petitioner,
}

impl Owner {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Office => "office",
            Self::Petitioner => "petitioner",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Deadline {
    pub kind: DeadlineKind,
    pub owner: Owner,
    /// The last Beijing day on which it is still on time.
    pub day: i64,
}

impl Deadline {
    /// The first instant that is late: 00:00 Beijing time of the day after `day`.
    pub fn due_ms(&self) -> i64 {
        day_start_ms(self.day + 1)
    }

    /// Whole days left at `now`: 0 on the last day, negative when overdue by that many days.
    pub fn days_left(&self, now_ms: i64) -> i64 {
        self.day - beijing_day(now_ms)
    }
}

/// One recorded step, with the instant it happened (Unix ms).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Event {
    Accept(i64),
    Decline(i64),
    Extend { at: i64, days: i64 },
    Reply(i64),
    RequestReview(i64),
    AnswerReview(i64),
    RequestRereview(i64),
    AnswerRereview(i64),
}

impl Event {
    pub fn at(&self) -> i64 {
        match *self {
            Self::Accept(t) | Self::Decline(t) | Self::Reply(t) => t,
            Self::RequestReview(t) | Self::AnswerReview(t) => t,
            Self::RequestRereview(t) | Self::AnswerRereview(t) => t,
            Self::Extend { at, .. } => at,
        }
    }

    pub fn name(&self) -> &'static str {
        match self {
            Self::Accept(_) => "accept",
            Self::Decline(_) => "decline",
            Self::Extend { .. } => "extend",
            Self::Reply(_) => "reply",
            Self::RequestReview(_) => "request_review",
            Self::AnswerReview(_) => "answer_review",
            Self::RequestRereview(_) => "request_rereview",
            Self::AnswerRereview(_) => "answer_rereview",
        }
    }
}

/// Why a step cannot be recorded. `code()` is what the vectors and the PWA compare.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ClockError {
    /// The step does not follow from the stage (a reply before a decision, say).
    WrongStage { event: &'static str, stage: Stage },
    /// Dated before the step it follows.
    BeforePrevious { event: &'static str },
    /// The handling period is extended once only.
    AlreadyExtended,
    /// An extension is 1 to 30 days.
    ExtensionDays(i64),
    /// An extension is decided before the 60 days run out.
    ExtensionTooLate { day: i64, limit: i64 },
    /// The petitioner asked after the window closed (day `day` of at most `limit`).
    Late { event: &'static str, day: i64, limit: i64 },
}

impl ClockError {
    pub fn code(&self) -> &'static str {
        match self {
            Self::WrongStage { .. } => "wrong_stage",
            Self::BeforePrevious { .. } => "before_previous",
            Self::AlreadyExtended => "already_extended",
            Self::ExtensionDays(_) => "extension_days",
            Self::ExtensionTooLate { .. } => "extension_too_late",
            Self::Late { .. } => "late",
        }
    }
}

impl fmt::Display for ClockError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::WrongStage { event, stage } => {
                write!(f, "{event}: not possible at stage {}", stage.as_str())
            }
            Self::BeforePrevious { event } => write!(f, "{event}: dated before the step it follows"),
            Self::AlreadyExtended => write!(f, "extension: the handling period is extended once only"),
            Self::ExtensionDays(d) => write!(f, "extension: {d} days, 1 to {MAX_EXTENSION_DAYS} allowed"),
            Self::ExtensionTooLate { day, limit } => {
                write!(f, "extension: decided on day {day} of handling, after the {limit} days ran out")
            }
            Self::Late { event, day, limit } => {
                write!(f, "{event}: asked on day {day}, the window is {limit} days")
            }
        }
    }
}

impl std::error::Error for ClockError {}

/// A petition's clock: its receipt and every step recorded since, each checked when applied.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Clock {
    pub received: i64,
    pub decision: Option<(bool, i64)>,
    pub extension: Option<(i64, i64)>,
    pub reply: Option<i64>,
    pub review_requested: Option<i64>,
    pub review_answered: Option<i64>,
    pub rereview_requested: Option<i64>,
    pub rereview_answered: Option<i64>,
}

impl Clock {
    pub fn new(received: i64) -> Self {
        Self {
            received,
            decision: None,
            extension: None,
            reply: None,
            review_requested: None,
            review_answered: None,
            rereview_requested: None,
            rereview_answered: None,
        }
    }

    /// Rebuild a clock from recorded steps in any order: they are applied in the statutory
    /// order, so a document's fields are judged exactly like steps taken one by one.
    pub fn replay(received: i64, events: &[Event]) -> Result<Self, ClockError> {
        let mut sorted = events.to_vec();
        sorted.sort_by_key(order);
        sorted.iter().try_fold(Self::new(received), |c, e| c.apply(*e))
    }

    pub fn stage(&self) -> Stage {
        match self {
            Self { rereview_answered: Some(_), .. } => Stage::Rereviewed,
            Self { rereview_requested: Some(_), .. } => Stage::RereviewRequested,
            Self { review_answered: Some(_), .. } => Stage::Reviewed,
            Self { review_requested: Some(_), .. } => Stage::ReviewRequested,
            Self { reply: Some(_), .. } => Stage::Replied,
            Self { decision: Some((true, _)), .. } => Stage::Handling,
            Self { decision: Some((false, _)), .. } => Stage::NotAccepted,
            _ => Stage::AwaitingDecision,
        }
    }

    /// The deadline that runs now, if any: none once the item has ended.
    pub fn deadline(&self) -> Option<Deadline> {
        let d =
            |kind, owner, from: i64, days: i64| Some(Deadline { kind, owner, day: beijing_day(from) + days });
        match self.stage() {
            Stage::AwaitingDecision => d(DeadlineKind::Decide, Owner::Office, self.received, DECIDE_DAYS),
            Stage::Handling => {
                let (_, accepted) = self.decision?;
                let extra = self.extension.map_or(0, |(_, days)| days);
                d(DeadlineKind::Reply, Owner::Office, accepted, HANDLE_DAYS + extra)
            }
            Stage::Replied => d(DeadlineKind::RequestReview, Owner::Petitioner, self.reply?, REQUEST_DAYS),
            Stage::ReviewRequested => {
                d(DeadlineKind::AnswerReview, Owner::Office, self.review_requested?, ANSWER_DAYS)
            }
            Stage::Reviewed => {
                d(DeadlineKind::RequestRereview, Owner::Petitioner, self.review_answered?, REQUEST_DAYS)
            }
            Stage::RereviewRequested => {
                d(DeadlineKind::AnswerRereview, Owner::Office, self.rereview_requested?, ANSWER_DAYS)
            }
            Stage::NotAccepted | Stage::Rereviewed => None,
        }
    }

    /// Has the item ended at `now`: no step left, or the petitioner's window has closed?
    pub fn finished(&self, now_ms: i64) -> bool {
        match self.deadline() {
            None => true,
            Some(d) => d.owner == Owner::Petitioner && d.days_left(now_ms) < 0,
        }
    }

    fn last_at(&self) -> i64 {
        [
            Some(self.received),
            self.decision.map(|(_, t)| t),
            self.extension.map(|(t, _)| t),
            self.reply,
            self.review_requested,
            self.review_answered,
            self.rereview_requested,
            self.rereview_answered,
        ]
        .into_iter()
        .flatten()
        .max()
        .unwrap_or(self.received)
    }

    /// The clock after one more step, or why the step cannot be taken.
    pub fn apply(self, e: Event) -> Result<Self, ClockError> {
        let stage = self.stage();
        let wrong = Err(ClockError::WrongStage { event: e.name(), stage });
        // Steps are recorded in the order they happened; none may predate the one before.
        if e.at() < self.last_at() {
            return Err(ClockError::BeforePrevious { event: e.name() });
        }
        let mut next = self;
        match (e, stage) {
            (Event::Accept(t), Stage::AwaitingDecision) => next.decision = Some((true, t)),
            (Event::Decline(t), Stage::AwaitingDecision) => next.decision = Some((false, t)),
            (Event::Extend { at, days }, Stage::Handling) => {
                if self.extension.is_some() {
                    return Err(ClockError::AlreadyExtended);
                }
                if !(1..=MAX_EXTENSION_DAYS).contains(&days) {
                    return Err(ClockError::ExtensionDays(days));
                }
                let Some((_, accepted)) = self.decision else { return wrong };
                let day = beijing_day(at) - beijing_day(accepted);
                if day > HANDLE_DAYS {
                    return Err(ClockError::ExtensionTooLate { day, limit: HANDLE_DAYS });
                }
                next.extension = Some((at, days));
            }
            (Event::Reply(t), Stage::Handling) => next.reply = Some(t),
            (Event::RequestReview(t), Stage::Replied) => {
                within(e, self.reply.unwrap_or(t), t)?;
                next.review_requested = Some(t);
            }
            (Event::AnswerReview(t), Stage::ReviewRequested) => next.review_answered = Some(t),
            (Event::RequestRereview(t), Stage::Reviewed) => {
                within(e, self.review_answered.unwrap_or(t), t)?;
                next.rereview_requested = Some(t);
            }
            (Event::AnswerRereview(t), Stage::RereviewRequested) => next.rereview_answered = Some(t),
            _ => return wrong,
        }
        Ok(next)
    }
}

fn within(e: Event, from: i64, at: i64) -> Result<(), ClockError> {
    let day = beijing_day(at) - beijing_day(from);
    if day > REQUEST_DAYS {
        return Err(ClockError::Late { event: e.name(), day, limit: REQUEST_DAYS });
    }
    Ok(())
}

fn order(e: &Event) -> u8 {
    match e {
        Event::Accept(_) | Event::Decline(_) => 0,
        Event::Extend { .. } => 1,
        Event::Reply(_) => 2,
        Event::RequestReview(_) => 3,
        Event::AnswerReview(_) => 4,
        Event::RequestRereview(_) => 5,
        Event::AnswerRereview(_) => 6,
    }
}

#[cfg(test)]
#[path = "petition_tests.rs"]
mod tests;
