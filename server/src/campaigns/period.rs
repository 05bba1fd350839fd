//! Half-month periods in Beijing time (UTC+8, no daylight saving): the 1st–15th and the
//! 16th–last day of each month. A pure function of an instant, so generation is testable
//! across month ends and leap years without a clock.

/// One half-month: `[start, end)` in Unix ms; the deadline is the last millisecond of its last
/// day, Beijing time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HalfMonth {
    /// `2026-11-1` (1st–15th) or `2026-11-2` (16th–end).
    pub key: String,
    pub year: i32,
    pub month: u32,
    pub half: u32,
    pub start: i64,
    pub end: i64,
    pub deadline: i64,
}

impl HalfMonth {
    /// 2026年11月上半月 / 下半月.
    pub fn label(&self) -> String {
        format!("{}年{}月{}半月定期排查", self.year, self.month, if self.half == 1 { "上" } else { "下" })
    }
}

// The Beijing day arithmetic is the petition clock's, so a sweep's half-month and a petition's
// deadline can never disagree about which day an instant falls on.
use sync_protocol::rules::petition::{beijing_day, civil_from_days, day_start_ms, days_from_civil};

/// The half-month that contains the instant `ms`.
pub fn half_month(ms: i64) -> HalfMonth {
    let (y, m, d) = civil_from_days(beijing_day(ms));
    let half = if d <= 15 { 1 } else { 2 };
    let (first, next) = if half == 1 {
        (days_from_civil(y, m, 1), days_from_civil(y, m, 16))
    } else {
        let (ny, nm) = if m == 12 { (y + 1, 1) } else { (y, m + 1) };
        (days_from_civil(y, m, 16), days_from_civil(ny, nm, 1))
    };
    let start = day_start_ms(first);
    let end = day_start_ms(next);
    let year = y as i32;
    HalfMonth { key: format!("{y}-{m:02}-{half}"), year, month: m, half, start, end, deadline: end - 1 }
}

/// The Beijing calendar date of `ms` as `YYYY-MM-DD`.
pub fn beijing_date(ms: i64) -> String {
    let (y, m, d) = civil_from_days(beijing_day(ms));
    format!("{y}-{m:02}-{d:02}")
}
