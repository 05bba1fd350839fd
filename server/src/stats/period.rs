//! Reporting periods are Beijing calendar days, whatever the server's own time zone: a month's
//! report is the month as the township lives it.

use chrono::{Datelike, NaiveDate};
use sync_protocol::calendar;

/// A year, leap or not: long enough for an annual report, short enough to bound the scan.
pub const MAX_DAYS: i64 = 366;

/// `from..=to`, both Beijing calendar dates.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Period {
    pub from: NaiveDate,
    pub to: NaiveDate,
}

/// Start of a Beijing calendar day, Unix ms.
pub fn day_start(d: NaiveDate) -> i64 {
    calendar::day_start_ms(calendar::days_from_civil(i64::from(d.year()), d.month(), d.day()))
}

/// The Beijing calendar date of an instant.
pub fn beijing_date(ms: i64) -> NaiveDate {
    let (y, m, d) = calendar::civil_from_days(calendar::beijing_day(ms));
    i32::try_from(y).ok().and_then(|y| NaiveDate::from_ymd_opt(y, m, d)).unwrap_or(NaiveDate::MIN)
}

/// The start of today, Beijing time: a deadline before it is on an earlier calendar date, so
/// the case is overdue (a deadline is a date; the day itself is still in time).
pub fn overdue_before(now: i64) -> i64 {
    day_start(beijing_date(now))
}

/// `YYYY-MM-DD`, exactly: ten characters, so "2026-1-5" and "2026-01-05T00:00" are refused
/// rather than guessed at.
fn parse_date(name: &str, raw: &str) -> Result<NaiveDate, String> {
    let shape_ok = raw.len() == 10
        && raw
            .bytes()
            .enumerate()
            .all(|(i, b)| if i == 4 || i == 7 { b == b'-' } else { b.is_ascii_digit() });
    let date = shape_ok.then(|| NaiveDate::parse_from_str(raw, "%Y-%m-%d").ok()).flatten();
    match date {
        Some(d) if (2000..=2100).contains(&d.year()) => Ok(d),
        Some(_) => Err(format!("{name} must be a date between 2000 and 2100")),
        None => Err(format!(
            "{name} {:?} is not a date as YYYY-MM-DD (Beijing time)",
            raw.chars().take(40).collect::<String>()
        )),
    }
}

impl Period {
    pub fn parse(from: Option<&str>, to: Option<&str>) -> Result<Period, String> {
        let from = parse_date("from", from.ok_or("from is required (YYYY-MM-DD, Beijing time)")?)?;
        let to = parse_date("to", to.ok_or("to is required (YYYY-MM-DD, Beijing time)")?)?;
        if to < from {
            return Err(format!("to ({to}) is before from ({from})"));
        }
        let days = (to - from).num_days() + 1;
        if days > MAX_DAYS {
            return Err(format!("the period is {days} days; at most {MAX_DAYS} are allowed"));
        }
        Ok(Period { from, to })
    }

    /// `[start, end)` in Unix ms: from the first day's midnight to the midnight after the last.
    pub fn bounds(&self) -> (i64, i64) {
        (day_start(self.from), day_start(self.to) + calendar::DAY_MS)
    }

    fn whole_month(&self) -> bool {
        self.from.day() == 1
            && self.to.month() == self.from.month()
            && self.to.year() == self.from.year()
            && self.to.succ_opt().is_none_or(|n| n.month() != self.to.month())
    }

    /// How the summary sentence names the period: 本月 for the whole current month, 2026年10月
    /// for another whole month, 2026年 for a whole year, otherwise the two dates.
    pub fn label(&self, now: i64) -> String {
        let today = beijing_date(now);
        let (f, t) = (self.from, self.to);
        if self.whole_month() {
            if f.year() == today.year() && f.month() == today.month() {
                return "本月".into();
            }
            return format!("{}年{}月", f.year(), f.month());
        }
        if f.ordinal() == 1 && t.year() == f.year() && t.month() == 12 && t.day() == 31 {
            return format!("{}年", f.year());
        }
        let first = format!("{}年{}月{}日", f.year(), f.month(), f.day());
        if f == t {
            first
        } else if f.year() == t.year() {
            format!("{first}至{}月{}日", t.month(), t.day())
        } else {
            format!("{first}至{}年{}月{}日", t.year(), t.month(), t.day())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn a_period_is_whole_beijing_days() {
        let p = Period::parse(Some("2026-11-01"), Some("2026-11-30")).unwrap();
        let (start, end) = p.bounds();
        // 2026-11-01T00:00+08:00 and 2026-12-01T00:00+08:00.
        assert_eq!(start, 1_793_462_400_000);
        assert_eq!(end, 1_796_054_400_000);
        assert_eq!(beijing_date(start), d("2026-11-01"));
        assert_eq!(beijing_date(start - 1), d("2026-10-31"));
        assert_eq!(beijing_date(end - 1), d("2026-11-30"));
    }

    #[test]
    fn bad_dates_and_periods_are_refused_with_the_reason() {
        let e = |f: Option<&str>, t: Option<&str>| Period::parse(f, t).unwrap_err();
        assert!(e(None, Some("2026-11-30")).contains("from is required"));
        assert!(e(Some("2026-11-01"), None).contains("to is required"));
        assert!(e(Some("2026-1-5"), Some("2026-11-30")).contains("YYYY-MM-DD"));
        assert!(e(Some("2026-02-30"), Some("2026-03-01")).contains("YYYY-MM-DD"));
        assert!(e(Some("2026-11-30"), Some("2026-11-01")).contains("before"));
        assert!(e(Some("2024-01-01"), Some("2026-01-01")).contains("at most 366"));
        assert!(e(Some("1999-12-31"), Some("2000-01-01")).contains("between 2000 and 2100"));
        assert!(Period::parse(Some("2024-01-01"), Some("2024-12-31")).is_ok());
    }

    #[test]
    fn the_overdue_line_is_the_start_of_the_beijing_day() {
        // 2026-11-30T23:59:59+08:00 is still the 30th; the line is that day's midnight.
        let late = day_start(d("2026-12-01")) - 1000;
        assert_eq!(overdue_before(late), day_start(d("2026-11-30")));
        assert_eq!(overdue_before(late + 1000), day_start(d("2026-12-01")));
    }

    #[test]
    fn labels_read_like_the_report() {
        let now = day_start(d("2026-11-20"));
        let l = |f: &str, t: &str| Period::parse(Some(f), Some(t)).unwrap().label(now);
        assert_eq!(l("2026-11-01", "2026-11-30"), "本月");
        assert_eq!(l("2026-10-01", "2026-10-31"), "2026年10月");
        assert_eq!(l("2024-02-01", "2024-02-29"), "2024年2月");
        assert_eq!(l("2024-02-01", "2024-02-28"), "2024年2月1日至2月28日");
        assert_eq!(l("2025-01-01", "2025-12-31"), "2025年");
        assert_eq!(l("2026-11-03", "2026-11-03"), "2026年11月3日");
        assert_eq!(l("2025-12-20", "2026-01-10"), "2025年12月20日至2026年1月10日");
    }
}
