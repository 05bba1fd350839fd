//! The Beijing calendar (UTC+8, no daylight saving): the one place that turns an instant into
//! the day, month, half-month or year the township lives it, whatever the server's or the
//! phone's own time zone. `pwa/src/rules/calendar.ts` is its twin; both run
//! `vectors/calendar.json` (month ends, leap days, the midnight edges).
//!
//! Days are numbered from 1970-01-01 (Beijing), so counting days needs no care for month ends
//! or leap years; dates are converted with H. Hinnant's civil-calendar algorithms.

pub const DAY_MS: i64 = 86_400_000;
pub const BEIJING_OFFSET_MS: i64 = 8 * 3_600_000;

/// The Beijing calendar day of an instant, as days since 1970-01-01.
pub fn beijing_day(ms: i64) -> i64 {
    (ms + BEIJING_OFFSET_MS).div_euclid(DAY_MS)
}

/// 00:00 Beijing time of `day`, Unix ms.
pub fn day_start_ms(day: i64) -> i64 {
    day * DAY_MS - BEIJING_OFFSET_MS
}

/// Days since 1970-01-01 of a proleptic Gregorian date.
pub fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (i64::from(m) + 9) % 12;
    let doy = (153 * mp + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The date of a day number: (year, month, day).
pub fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { yoe + era * 400 + 1 } else { yoe + era * 400 }, m, d)
}

/// `YYYY-MM-DD` of a day number.
pub fn date_string(day: i64) -> String {
    let (y, m, d) = civil_from_days(day);
    format!("{y:04}-{m:02}-{d:02}")
}

/// The Beijing calendar date of an instant as `YYYY-MM-DD`.
pub fn beijing_date(ms: i64) -> String {
    date_string(beijing_day(ms))
}

/// The Beijing calendar year of an instant (case numbers are dated by it).
pub fn beijing_year(ms: i64) -> i32 {
    civil_from_days(beijing_day(ms)).0 as i32
}

/// The hour of the Beijing day, 0–23.
pub fn beijing_hour(ms: i64) -> u32 {
    ((ms + BEIJING_OFFSET_MS).rem_euclid(DAY_MS) / 3_600_000) as u32
}

/// Seconds since the epoch of the Beijing wall-clock time of `ms`, for writers that take a
/// naive time (spreadsheet date cells) and for formatting.
pub fn wall_secs(ms: i64) -> i64 {
    (ms + BEIJING_OFFSET_MS).div_euclid(1000)
}

/// `YYYY-MM-DD HH:MM` in Beijing time, as people in the field read a time.
pub fn beijing_minute(ms: i64) -> String {
    let secs = wall_secs(ms);
    let of_day = secs.rem_euclid(86_400);
    format!("{} {:02}:{:02}", date_string(secs.div_euclid(86_400)), of_day / 3600, of_day % 3600 / 60)
}

/// RFC 3339 with milliseconds and the +08:00 offset: the audit export's times.
pub fn beijing_rfc3339(ms: i64) -> String {
    let wall = ms + BEIJING_OFFSET_MS;
    let of_day = wall.rem_euclid(DAY_MS);
    let (h, m, s, milli) =
        (of_day / 3_600_000, of_day % 3_600_000 / 60_000, of_day % 60_000 / 1000, of_day % 1000);
    format!("{}T{h:02}:{m:02}:{s:02}.{milli:03}+08:00", date_string(wall.div_euclid(DAY_MS)))
}

/// One half-month: the 1st–15th or the 16th–last day of a month, `[start, end)` in Unix ms.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HalfMonth {
    /// `2026-11-1` (1st–15th) or `2026-11-2` (16th–end).
    pub key: String,
    pub year: i32,
    pub month: u32,
    pub half: u32,
    pub start: i64,
    pub end: i64,
    /// The last millisecond of its last day.
    pub deadline: i64,
}

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
    let (start, end) = (day_start_ms(first), day_start_ms(next));
    HalfMonth {
        key: format!("{y}-{m:02}-{half}"),
        year: y as i32,
        month: m,
        half,
        start,
        end,
        deadline: end - 1,
    }
}

/// The whole Beijing month containing `ms`, shifted by `offset` months (−1: the month before),
/// as its first and last dates.
pub fn month_dates(ms: i64, offset: i32) -> (String, String) {
    let (y, m, _) = civil_from_days(beijing_day(ms));
    let index = y * 12 + i64::from(m) - 1 + i64::from(offset);
    let (y, m) = (index.div_euclid(12), (index.rem_euclid(12) + 1) as u32);
    let next = if m == 12 { days_from_civil(y + 1, 1, 1) } else { days_from_civil(y, m + 1, 1) };
    (date_string(days_from_civil(y, m, 1)), date_string(next - 1))
}

#[cfg(test)]
#[path = "calendar_tests.rs"]
mod tests;
