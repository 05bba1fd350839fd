//! The report as files: an XLSX workbook (summary, breakdowns, the case list) and the case list
//! as CSV. The writers are plain functions over the report and pages of [`CaseLine`]s; the
//! route decides how they are driven (a body stream for CSV, a blocking task for XLSX).
//!
//! [`CaseLine`]: crate::stats::CaseLine

pub mod csv;
pub mod xlsx;

use sync_protocol::calendar::wall_secs;

/// The case list's columns, shared by both formats: (title, width in Excel character units —
/// a Chinese character is about two).
pub const CASE_COLUMNS: [(&str, f64); 10] = [
    ("案件编号", 20.0),
    ("村", 12.0),
    ("标题", 36.0),
    ("类别", 16.0),
    ("严重程度", 10.0),
    ("状态", 10.0),
    ("上报时间", 18.0),
    ("化解期限", 12.0),
    ("是否逾期", 10.0),
    ("化解时间", 18.0),
];

fn wall(ms: i64) -> Option<chrono::NaiveDateTime> {
    chrono::DateTime::from_timestamp(wall_secs(ms), 0).map(|t| t.naive_utc())
}

/// `2026-11-18 09:33`, Beijing time.
pub fn datetime_text(ms: i64) -> String {
    wall(ms).map(|t| t.format("%Y-%m-%d %H:%M").to_string()).unwrap_or_default()
}

/// `2026-11-30`: a deadline is a calendar date.
pub fn date_text(ms: i64) -> String {
    wall(ms).map(|t| t.format("%Y-%m-%d").to_string()).unwrap_or_default()
}

pub fn yes_no(b: bool) -> &'static str {
    if b { "是" } else { "否" }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_are_written_in_beijing_time() {
        // 2026-11-30T16:30:00Z is 2026-12-01 00:30 in Beijing.
        let ms = 1_796_056_200_000;
        assert_eq!(datetime_text(ms), "2026-12-01 00:30");
        assert_eq!(date_text(ms), "2026-12-01");
    }
}
