//! The report as a workbook: 汇总 (the sentence and key figures), 按类别, 按严重程度, 按单位,
//! 排查完成情况 (completeness per sweep campaign) and 案件清单 (the case list). The case list is a constant-memory worksheet: its rows go to a
//! temporary file as they are written, so a county's year of cases never sits in memory.

use rust_xlsxwriter::{
    Color, ExcelDateTime, Format, FormatAlign, FormatBorder, Workbook, Worksheet, XlsxError,
};

use super::{CASE_COLUMNS, yes_no};
use crate::stats::summary::{category_label, rate, severity_label, status_label};
use crate::stats::{Breakdown, CaseLine, Figures, Report};
use sync_protocol::calendar::wall_secs;

pub const SHEETS: [&str; 6] = ["汇总", "按类别", "按严重程度", "按单位", "排查完成情况", "案件清单"];

struct Formats {
    title: Format,
    header: Format,
    bold: Format,
    pct: Format,
    bold_pct: Format,
    datetime: Format,
    date: Format,
    wrap: Format,
}

impl Formats {
    fn new() -> Self {
        let cell = Format::new().set_border(FormatBorder::Thin);
        let pct = cell.clone().set_num_format("0.0%");
        Formats {
            title: Format::new().set_bold().set_font_size(14),
            header: Format::new()
                .set_bold()
                .set_background_color(Color::RGB(0xDDEBF7))
                .set_border(FormatBorder::Thin)
                .set_align(FormatAlign::Center),
            bold: cell.clone().set_bold(),
            bold_pct: pct.clone().set_bold(),
            pct,
            datetime: cell.clone().set_num_format("yyyy-mm-dd hh:mm"),
            date: cell.set_num_format("yyyy-mm-dd"),
            wrap: Format::new().set_text_wrap().set_align(FormatAlign::Top),
        }
    }
}

/// A header row at `row` with column widths; frozen when it is the sheet's first row.
fn header(ws: &mut Worksheet, row: u32, columns: &[(&str, f64)], f: &Formats) -> Result<(), XlsxError> {
    for (col, (title, width)) in columns.iter().enumerate() {
        let col = col as u16;
        ws.set_column_width(col, *width)?;
        ws.write_string_with_format(row, col, *title, &f.header)?;
    }
    if row == 0 {
        ws.set_freeze_panes(1, 0)?;
    }
    Ok(())
}

/// A rate cell: the fraction under a percent format, or a dash when nothing was found.
fn rate_cell(
    ws: &mut Worksheet,
    row: u32,
    col: u16,
    rate: Option<f64>,
    fmt: &Format,
) -> Result<(), XlsxError> {
    match rate {
        Some(r) => ws.write_number_with_format(row, col, r / 100.0, fmt)?,
        None => ws.write_string(row, col, "—")?,
    };
    Ok(())
}

fn numbers(ws: &mut Worksheet, row: u32, first: u16, values: &[u64]) -> Result<(), XlsxError> {
    for (i, v) in values.iter().enumerate() {
        ws.write_number(row, first + i as u16, *v as f64)?;
    }
    Ok(())
}

fn summary_sheet(ws: &mut Worksheet, r: &Report, f: &Formats) -> Result<(), XlsxError> {
    ws.set_name(SHEETS[0])?;
    ws.set_column_width(0, 22)?;
    ws.set_column_width(1, 40)?;
    ws.write_string_with_format(0, 0, format!("{}矛盾纠纷排查化解统计", r.unit.name), &f.title)?;
    ws.write_string(1, 0, "统计期间")?;
    ws.write_string(1, 1, format!("{} 至 {}", r.from, r.to))?;
    ws.write_string(2, 0, "生成时间")?;
    ws.write_string(2, 1, super::datetime_text(r.generated_at))?;
    ws.write_string(3, 0, "情况综述")?;
    ws.merge_range(3, 1, 3, 3, &r.summary, &f.wrap)?;
    ws.set_row_height(3, 48)?;
    header(ws, 5, &[("指标", 22.0), ("数值", 40.0)], f)?;
    let t = &r.totals;
    let rows: [(&str, u64); 6] = [
        ("排查矛盾纠纷（件）", t.found),
        ("化解（件）", t.resolved),
        ("当前逾期（件）", t.overdue),
        ("下访走访（次）", t.visits),
        ("走访村数（个）", t.villages_visited),
        ("收到排查报告（份）", t.sweep_reports),
    ];
    for (i, (label, n)) in rows.iter().enumerate() {
        let row = 6 + i as u32;
        ws.write_string_with_format(row, 0, *label, &f.bold)?;
        ws.write_number(row, 1, *n as f64)?;
    }
    let row = 6 + rows.len() as u32;
    ws.write_string_with_format(row, 0, "化解率", &f.bold)?;
    rate_cell(ws, row, 1, t.resolution_rate, &f.pct)?;
    let notes = [
        "化解：期内转为“已化解”或“已结案”的案件，按状态变更记录的时间计（较早的案件按跟踪记录中的状态变更；两者皆无的按上报时间）",
        "逾期：未化解、未结案且化解期限（北京时间的日期）已过，以生成时间为准",
        "排查报告：期内收到的排查报告份数；各排查活动（截止时间在期内）的完成情况见“排查完成情况”表",
    ];
    for (i, n) in notes.iter().enumerate() {
        ws.write_string(row + 2 + i as u32, 0, *n)?;
    }
    Ok(())
}

fn breakdown_sheet(
    ws: &mut Worksheet,
    name: &str,
    first: &str,
    lines: &[Breakdown],
    f: &Formats,
) -> Result<(), XlsxError> {
    ws.set_name(name)?;
    header(
        ws,
        0,
        &[
            (first, 16.0),
            ("排查（件）", 12.0),
            ("化解（件）", 12.0),
            ("化解率", 10.0),
            ("当前逾期（件）", 14.0),
        ],
        f,
    )?;
    let mut sum = [0u64; 3];
    for (i, l) in lines.iter().enumerate() {
        let row = 1 + i as u32;
        ws.write_string(row, 0, &l.label)?;
        numbers(ws, row, 1, &[l.found, l.resolved])?;
        rate_cell(ws, row, 3, rate(l.resolved, l.found), &f.pct)?;
        numbers(ws, row, 4, &[l.overdue])?;
        sum = [sum[0] + l.found, sum[1] + l.resolved, sum[2] + l.overdue];
    }
    let row = 1 + lines.len() as u32;
    ws.write_string_with_format(row, 0, "合计", &f.bold)?;
    for (i, v) in [sum[0], sum[1]].iter().enumerate() {
        ws.write_number_with_format(row, 1 + i as u16, *v as f64, &f.bold)?;
    }
    rate_cell(ws, row, 3, rate(sum[1], sum[0]), &f.bold_pct)?;
    ws.write_number_with_format(row, 4, sum[2] as f64, &f.bold)?;
    Ok(())
}

fn unit_row(
    ws: &mut Worksheet,
    row: u32,
    name: &str,
    code: &str,
    g: &Figures,
    f: &Formats,
) -> Result<(), XlsxError> {
    ws.write_string(row, 0, name)?;
    ws.write_string(row, 1, code)?;
    numbers(ws, row, 2, &[g.found, g.resolved])?;
    rate_cell(ws, row, 4, g.resolution_rate, &f.pct)?;
    numbers(ws, row, 5, &[g.overdue, g.visits, g.villages_visited, g.sweep_reports])
}

fn units_sheet(ws: &mut Worksheet, r: &Report, f: &Formats) -> Result<(), XlsxError> {
    ws.set_name(SHEETS[3])?;
    let columns = [
        ("单位", 14.0),
        ("单位代码", 16.0),
        ("排查（件）", 12.0),
        ("化解（件）", 12.0),
        ("化解率", 10.0),
        ("当前逾期（件）", 14.0),
        ("下访走访（次）", 14.0),
        ("走访村数（个）", 14.0),
        ("排查报告（份）", 14.0),
    ];
    header(ws, 0, &columns, f)?;
    for (i, u) in r.units.iter().enumerate() {
        unit_row(ws, 1 + i as u32, &u.unit.name, &u.unit.code, &u.figures, f)?;
    }
    // The whole jurisdiction, which also counts what is filed at its own level.
    let row = 1 + r.units.len() as u32;
    let whole = format!("{}（全辖）", r.unit.name);
    unit_row(ws, row, &whole, &r.unit.code, &r.totals, f)?;
    ws.write_string_with_format(row, 0, &whole, &f.bold)?;
    Ok(())
}

/// One row per campaign due in the period: villages on the roster, answered with cases (已报),
/// answered "nothing new" (零报告), missing and late.
fn sweeps_sheet(ws: &mut Worksheet, r: &Report, f: &Formats) -> Result<(), XlsxError> {
    ws.set_name(SHEETS[4])?;
    let columns = [
        ("排查活动", 24.0),
        ("类型", 14.0),
        ("截止时间", 18.0),
        ("应报村数", 10.0),
        ("已报（有案件）", 14.0),
        ("零报告", 10.0),
        ("未报", 10.0),
        ("迟报", 10.0),
    ];
    header(ws, 0, &columns, f)?;
    for (i, l) in r.sweeps.iter().enumerate() {
        let row = 1 + i as u32;
        ws.write_string(row, 0, &l.name)?;
        ws.write_string(row, 1, crate::stats::sweeps::kind_label(&l.kind))?;
        ws.write_datetime_with_format(row, 2, excel_time(l.deadline, false)?, &f.datetime)?;
        let n = [l.villages, l.reported, l.nil, l.missing, l.late].map(u64::from);
        numbers(ws, row, 3, &n)?;
    }
    if r.sweeps.is_empty() {
        ws.write_string(1, 0, "本期无截止的排查活动")?;
    }
    Ok(())
}

/// The Beijing wall-clock time of `ms` as a spreadsheet date-time.
fn excel_time(ms: i64, date_only: bool) -> Result<ExcelDateTime, XlsxError> {
    let secs = wall_secs(ms);
    ExcelDateTime::from_timestamp(if date_only { secs - secs.rem_euclid(86_400) } else { secs })
}

fn case_row(ws: &mut Worksheet, row: u32, l: &CaseLine, f: &Formats) -> Result<(), XlsxError> {
    let texts = [
        l.case_no.as_str(),
        &l.village_name,
        &l.title,
        category_label(&l.category),
        severity_label(&l.severity),
        status_label(&l.status),
    ];
    for (col, t) in texts.iter().enumerate() {
        ws.write_string(row, col as u16, *t)?;
    }
    ws.write_datetime_with_format(row, 6, excel_time(l.reported_at, false)?, &f.datetime)?;
    if let Some(d) = l.deadline {
        ws.write_datetime_with_format(row, 7, excel_time(d, true)?, &f.date)?;
    }
    ws.write_string(row, 8, yes_no(l.overdue))?;
    if let Some(t) = l.resolved_at {
        ws.write_datetime_with_format(row, 9, excel_time(t, false)?, &f.datetime)?;
    }
    Ok(())
}

/// The whole workbook. `pages` yields the case list in order; it may block (it is fed from the
/// database by another task), which is why this runs on a blocking thread.
pub fn workbook(r: &Report, pages: impl Iterator<Item = Vec<CaseLine>>) -> Result<Vec<u8>, XlsxError> {
    let f = Formats::new();
    let mut wb = Workbook::new();
    summary_sheet(wb.add_worksheet(), r, &f)?;
    breakdown_sheet(wb.add_worksheet(), SHEETS[1], "类别", &r.by_category, &f)?;
    breakdown_sheet(wb.add_worksheet(), SHEETS[2], "严重程度", &r.by_severity, &f)?;
    units_sheet(wb.add_worksheet(), r, &f)?;
    sweeps_sheet(wb.add_worksheet(), r, &f)?;
    let ws = wb.add_worksheet_with_constant_memory()?;
    ws.set_name(SHEETS[5])?;
    header(ws, 0, &CASE_COLUMNS, &f)?;
    let mut row = 1u32;
    for page in pages {
        for l in &page {
            case_row(ws, row, l, &f)?;
            row += 1;
        }
    }
    wb.save_to_buffer()
}
