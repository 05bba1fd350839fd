//! The petition item (信访事项): one Automerge document per item, on the statutory clock of
//! [`crate::rules::petition`].
//!
//! | key | type | rule |
//! |---|---|---|
//! | `schema_version` | Int/Uint | `1`; immutable |
//! | `kind` | Str | `"petition"`; immutable |
//! | `village` | Str | org-unit code the item concerns; immutable |
//! | `source` | Str | `visit` 来访, `phone` 来电, `reception_day` 接访日 (the 15th), `mailbox` 网上信箱, `letter` 来信 |
//! | `petitioner` | Map `{name, phone?, id_no?}` | |
//! | `request` | Text | 1–5,000 characters |
//! | `received_at` | Timestamp | immutable: the clock starts here |
//! | `recorded_by` | Str | user id; immutable, the creating user |
//! | `decision` | Map `{accepted: Boolean, at: Timestamp, note?: Str}` or Null | recorded once |
//! | `extension` | Map `{at: Timestamp, days: Int 1–30, reason: Str}` or Null | recorded once |
//! | `reply` | Map `{at: Timestamp, text: Str}` or Null | recorded once |
//! | `review`, `rereview` | Map `{requested_at: Timestamp, answered_at?: Timestamp, answer?: Str}` or Null | each key recorded once |
//! | `cases` | List of Str (case document ids) | ≤ 50 |
//! | `clock_corrections` | see [`crate::corrections`] | written only by the server |
//!
//! The recorded steps must make a valid clock (`rules::petition::Clock::replay`): a reply
//! needs an acceptance, a review asked on day 31 is refused, an extension is granted once.

pub(crate) mod read;
pub mod write;

pub(crate) use read::header;
pub use read::{read_petition, read_unchecked, str_list};

use serde::Serialize;

use crate::corrections::{Claim, RecordCorrection};
use crate::rules::petition::{Clock, ClockError, Event};

pub const SCHEMA_VERSION: i64 = 1;
pub const KIND: &str = "petition";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Source {
    Visit,
    Phone,
    ReceptionDay,
    Mailbox,
    Letter,
}

impl Source {
    pub const ALL: &[Source] = &[Self::Visit, Self::Phone, Self::ReceptionDay, Self::Mailbox, Self::Letter];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Visit => "visit",
            Self::Phone => "phone",
            Self::ReceptionDay => "reception_day",
            Self::Mailbox => "mailbox",
            Self::Letter => "letter",
        }
    }
}

impl std::str::FromStr for Source {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        Self::ALL.iter().copied().find(|v| v.as_str() == s).ok_or_else(|| {
            let names: Vec<_> = Self::ALL.iter().map(|v| v.as_str()).collect();
            format!("'{}' is not one of: {}", s.chars().take(40).collect::<String>(), names.join(", "))
        })
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Petitioner {
    pub name: String,
    pub phone: Option<String>,
    pub id_no: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Decision {
    pub accepted: bool,
    pub at: i64,
    pub note: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Extension {
    pub at: i64,
    pub days: i64,
    pub reason: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Reply {
    pub at: i64,
    pub text: String,
}

/// A review (复查) or re-review (复核): asked by the petitioner, answered by the office.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Review {
    pub requested_at: i64,
    pub answered_at: Option<i64>,
    pub answer: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Petition {
    pub schema_version: i64,
    pub village: String,
    pub source: Source,
    pub petitioner: Petitioner,
    pub request: String,
    pub received_at: i64,
    pub recorded_by: String,
    pub decision: Option<Decision>,
    pub extension: Option<Extension>,
    pub reply: Option<Reply>,
    pub review: Option<Review>,
    pub rereview: Option<Review>,
    pub cases: Vec<String>,
    /// Dates the server corrected; a corrected step waits for a leader to confirm its date.
    pub clock_corrections: Vec<RecordCorrection>,
}

impl Petition {
    /// Every recorded step as a clock event.
    pub fn events(&self) -> Vec<Event> {
        let mut out = Vec::new();
        if let Some(d) = &self.decision {
            out.push(if d.accepted { Event::Accept(d.at) } else { Event::Decline(d.at) });
        }
        if let Some(x) = &self.extension {
            out.push(Event::Extend { at: x.at, days: x.days });
        }
        if let Some(r) = &self.reply {
            out.push(Event::Reply(r.at));
        }
        for (review, ask, answer) in [
            (&self.review, Event::RequestReview as fn(i64) -> Event, Event::AnswerReview as fn(i64) -> Event),
            (&self.rereview, Event::RequestRereview, Event::AnswerRereview),
        ] {
            if let Some(r) = review {
                out.push(ask(r.requested_at));
                if let Some(at) = r.answered_at {
                    out.push(answer(at));
                }
            }
        }
        out
    }

    /// The clock the recorded steps make, or the first step the rules refuse.
    pub fn clock(&self) -> Result<Clock, ClockError> {
        Clock::replay(self.received_at, &self.events())
    }

    /// Every date of the clock, where the document holds it.
    pub fn claims(&self) -> Vec<Claim> {
        let mut out = vec![Claim::new(&["received_at"], self.received_at)];
        let step = |out: &mut Vec<Claim>, key: &str, at: Option<i64>| {
            out.extend(at.map(|at| Claim::new(&[key, "at"], at)));
        };
        step(&mut out, "decision", self.decision.as_ref().map(|d| d.at));
        step(&mut out, "extension", self.extension.as_ref().map(|x| x.at));
        step(&mut out, "reply", self.reply.as_ref().map(|r| r.at));
        for (key, r) in [("review", &self.review), ("rereview", &self.rereview)] {
            if let Some(r) = r {
                out.push(Claim::new(&[key, "requested_at"], r.requested_at));
                out.extend(r.answered_at.map(|at| Claim::new(&[key, "answered_at"], at)));
            }
        }
        out
    }

    /// The dates the server corrected that no leader has confirmed: until then the clock
    /// counts from the server's estimate and says so.
    pub fn pending_dates(&self) -> Vec<&str> {
        self.clock_corrections.iter().filter(|c| c.pending()).map(|c| c.field.as_str()).collect()
    }
}

#[cfg(test)]
mod tests;
