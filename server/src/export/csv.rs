//! The case list as CSV: UTF-8 with a byte-order mark, without which Excel guesses the local
//! code page and garbles the Chinese. Written a page at a time.

use super::{CASE_COLUMNS, date_text, datetime_text, yes_no};
use crate::stats::CaseLine;
use crate::stats::summary::{category_label, severity_label, status_label};

const BOM: &str = "\u{feff}";

/// The first chunk: the byte-order mark and the header row.
pub fn head() -> Vec<u8> {
    let mut out = BOM.as_bytes().to_vec();
    out.extend(encode(&[CASE_COLUMNS.map(|(t, _)| t.to_string())]));
    out
}

/// A spreadsheet would run text starting like a formula: keep free text inert.
fn inert(text: &str) -> String {
    if text.starts_with(['=', '+', '-', '@', '\t', '\r']) { format!("'{text}") } else { text.to_string() }
}

pub fn fields(l: &CaseLine) -> [String; 10] {
    [
        l.case_no.clone(),
        inert(&l.village_name),
        inert(&l.title),
        category_label(&l.category).to_string(),
        severity_label(&l.severity).to_string(),
        status_label(&l.status).to_string(),
        datetime_text(l.reported_at),
        l.deadline.map(date_text).unwrap_or_default(),
        yes_no(l.overdue).to_string(),
        l.resolved_at.map(datetime_text).unwrap_or_default(),
    ]
}

/// One page of rows.
pub fn rows(lines: &[CaseLine]) -> Vec<u8> {
    encode(&lines.iter().map(fields).collect::<Vec<_>>())
}

fn encode(records: &[[String; 10]]) -> Vec<u8> {
    let mut w = ::csv::Writer::from_writer(Vec::new());
    for r in records {
        // Writing to a Vec fails only on a bug in the csv crate.
        w.write_record(r).expect("CSV into memory");
    }
    w.into_inner().expect("CSV into memory")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_head_starts_with_a_bom_and_rows_quote_what_needs_it() {
        let head = String::from_utf8(head()).unwrap();
        assert!(head.starts_with("\u{feff}案件编号,村,标题,"));
        let line = CaseLine {
            case_no: "永安-2026-000001".into(),
            village_name: "埔头村".into(),
            title: "=HYPERLINK(\"x\"), 山林\"界\"".into(),
            category: "rights".into(),
            severity: "major".into(),
            status: "handling".into(),
            reported_at: 1_796_056_200_000,
            deadline: None,
            overdue: true,
            resolved_at: None,
        };
        let text = String::from_utf8(rows(&[line])).unwrap();
        assert_eq!(
            text,
            "永安-2026-000001,埔头村,\"'=HYPERLINK(\"\"x\"\"), 山林\"\"界\"\"\",山林水界权属,较大,化解中,2026-12-01 00:30,,是,\n"
        );
    }
}
