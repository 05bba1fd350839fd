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

const DAY_MS: i64 = 86_400_000;
const BEIJING_MS: i64 = 8 * 3_600_000;

/// The half-month that contains the instant `ms`.
pub fn half_month(ms: i64) -> HalfMonth {
    let (y, m, d) = civil_from_days((ms + BEIJING_MS).div_euclid(DAY_MS));
    let half = if d <= 15 { 1 } else { 2 };
    let (first, next) = if half == 1 {
        (days_from_civil(y, m, 1), days_from_civil(y, m, 16))
    } else {
        let (ny, nm) = if m == 12 { (y + 1, 1) } else { (y, m + 1) };
        (days_from_civil(y, m, 16), days_from_civil(ny, nm, 1))
    };
    let start = first * DAY_MS - BEIJING_MS;
    let end = next * DAY_MS - BEIJING_MS;
    HalfMonth { key: format!("{y}-{m:02}-{half}"), year: y, month: m, half, start, end, deadline: end - 1 }
}

/// The Beijing calendar date of `ms` as `YYYY-MM-DD`.
pub fn beijing_date(ms: i64) -> String {
    let (y, m, d) = civil_from_days((ms + BEIJING_MS).div_euclid(DAY_MS));
    format!("{y}-{m:02}-{d:02}")
}

/// Days since 1970-01-01 → (year, month, day), proleptic Gregorian (H. Hinnant).
fn civil_from_days(z: i64) -> (i32, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    ((yoe + era * 400 + i64::from(m <= 2)) as i32, m as u32, d as u32)
}

fn days_from_civil(y: i32, m: u32, d: u32) -> i64 {
    let y = i64::from(y) - i64::from(m <= 2);
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (i64::from(m) + 9) % 12;
    let doy = (153 * mp + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_round_trip_through_the_calendar() {
        for z in -800_000..800_000i64 {
            let (y, m, d) = civil_from_days(z);
            assert_eq!(days_from_civil(y, m, d), z);
        }
    }
}
