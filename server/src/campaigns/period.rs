//! Regular campaigns run per half-month of the Beijing calendar (`sync_protocol::calendar`:
//! the 1st–15th and the 16th–last day of each month); here is only what a campaign adds.

pub use sync_protocol::calendar::{HalfMonth, beijing_date, half_month};

/// 2026年11月上半月定期排查: the name of a half-month's regular campaign.
pub fn label(p: &HalfMonth) -> String {
    format!("{}年{}月{}半月定期排查", p.year, p.month, if p.half == 1 { "上" } else { "下" })
}
