//! The exports read back: the XLSX by calamine (always) and by Python's openpyxl (when it is
//! importable: a second, unrelated reader), the CSV by the csv crate.

use std::io::Cursor;
use std::process::Command;

use anlan_tests::*;
use calamine::{Data, Reader, Xlsx};
use serde_json::Value;

use super::get;
use super::seed::{self, FROM, TO, serial};

const SHEETS: [&str; 6] = ["汇总", "按类别", "按严重程度", "按单位", "排查完成情况", "案件清单"];
const CASE_HEADER: [&str; 10] =
    ["案件编号", "村", "标题", "类别", "严重程度", "状态", "上报时间", "化解期限", "是否逾期", "化解时间"];

fn text(d: Option<&Data>) -> String {
    match d {
        Some(Data::String(s)) => s.clone(),
        Some(Data::Float(f)) => f.to_string(),
        Some(Data::Empty) | None => String::new(),
        Some(other) => format!("{other:?}"),
    }
}

pub fn number(d: Option<&Data>) -> f64 {
    match d {
        Some(Data::Float(f)) => *f,
        Some(Data::Int(i)) => *i as f64,
        Some(Data::DateTime(t)) => t.as_f64(),
        other => panic!("not a number: {other:?}"),
    }
}

async fn export(app: &TestApp, ext: &str) -> (reqwest::header::HeaderMap, Vec<u8>) {
    let res = get(app, LEADER, &format!("/stats/export.{ext}"), &[("from", FROM), ("to", TO)]).await;
    assert_eq!(res.status(), 200);
    (res.headers().clone(), res.bytes().await.unwrap().to_vec())
}

/// The case-list rows of calamine's range, keyed by title.
fn case_rows(range: &calamine::Range<Data>) -> Vec<Vec<Option<Data>>> {
    range.rows().skip(1).map(|r| r.iter().map(|c| Some(c.clone())).collect()).collect()
}

async fn the_xlsx_export_reads_back_with_its_sheets_and_cells(b: Backend) {
    let app = TestApp::spawn(b).await;
    seed::seed(&app).await;
    let (headers, bytes) = export(&app, "xlsx").await;
    assert_eq!(headers["content-type"], "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
    assert!(
        headers["content-disposition"]
            .to_str()
            .unwrap()
            .contains("anlan-stats-350481101-2025-03-01-2025-03-31.xlsx")
    );

    let mut wb: Xlsx<_> = Xlsx::new(Cursor::new(bytes.clone())).expect("a valid workbook");
    assert_eq!(wb.sheet_names(), SHEETS);
    let summary = wb.worksheet_range("汇总").unwrap();
    assert_eq!(text(summary.get_value((0, 0))), "曹远镇矛盾纠纷排查化解统计");
    assert_eq!(text(summary.get_value((1, 1))), "2025-03-01 至 2025-03-31");
    assert_eq!(
        text(summary.get_value((3, 1))),
        "2025年3月，曹远镇走访1个村，排查矛盾纠纷5件，化解3件，化解率60%；当前逾期2件。"
    );
    let figures: Vec<(String, f64)> =
        (6..13).map(|r| (text(summary.get_value((r, 0))), number(summary.get_value((r, 1))))).collect();
    let expected = [
        ("排查矛盾纠纷（件）", 5.0),
        ("化解（件）", 3.0),
        ("当前逾期（件）", 2.0),
        ("下访走访（次）", 2.0),
        ("走访村数（个）", 1.0),
        ("收到排查报告（份）", 0.0),
        ("化解率", 0.6),
    ];
    assert_eq!(figures, expected.map(|(l, n)| (l.to_string(), n)));

    let cats = wb.worksheet_range("按类别").unwrap();
    assert_eq!(text(cats.get_value((0, 0))), "类别");
    let land: Vec<f64> = (1..5).map(|c| number(cats.get_value((1, c)))).collect();
    assert_eq!((text(cats.get_value((1, 0))), land), ("土地".to_string(), vec![2.0, 1.0, 0.5, 2.0]));
    assert_eq!(text(cats.get_value((11, 0))), "合计");
    assert_eq!(number(cats.get_value((11, 1))), 5.0);
    let sevs = wb.worksheet_range("按严重程度").unwrap();
    assert_eq!([text(sevs.get_value((1, 0))), text(sevs.get_value((3, 0)))], ["紧急", "一般"]);
    assert_eq!(number(sevs.get_value((3, 2))), 2.0);

    let units = wb.worksheet_range("按单位").unwrap();
    assert_eq!(text(units.get_value((1, 0))), "埔头村");
    let putou: Vec<f64> = (2..6).map(|c| number(units.get_value((1, c)))).collect();
    // The rate is rounded to a tenth of a percent before it is written, as the API shows it.
    assert!(putou.iter().zip([3.0, 2.0, 0.667, 1.0]).all(|(a, b)| (a - b).abs() < 1e-9), "{putou:?}");
    assert_eq!(text(units.get_value((3, 0))), "曹远镇（全辖）");

    let list = wb.worksheet_range("案件清单").unwrap();
    let header: Vec<String> = (0..10).map(|c| text(list.get_value((0, c)))).collect();
    assert_eq!(header, CASE_HEADER);
    let rows = case_rows(&list);
    let titles: Vec<String> = rows.iter().map(|r| text(r[2].as_ref())).collect();
    // Cases reported in the period, in report-time order.
    assert_eq!(titles, ["A 宅基地边界", "B 承包地调整", "H 其他诉求", "E 婚姻家庭", "C 补偿款发放"]);
    let b_row = &rows[1];
    assert!(text(b_row[0].as_ref()).starts_with("永安-2025-"), "numbered by the server");
    assert_eq!(
        [1, 3, 4, 5, 8].map(|c| text(b_row[c].as_ref())),
        ["埔头村", "土地", "较大", "化解中", "是"].map(String::from)
    );
    assert!(matches!(b_row[6], Some(Data::DateTime(_))), "a real date cell: {:?}", b_row[6]);
    assert!((number(b_row[6].as_ref()) - serial(2025, 3, 6, 8, 0)).abs() < 1e-6);
    assert!((number(b_row[7].as_ref()) - serial(2025, 3, 20, 0, 0)).abs() < 1e-6);
    let e_row = &rows[3];
    assert_eq!([text(e_row[5].as_ref()), text(e_row[8].as_ref())], ["已结案", "否"]);
    assert!((number(e_row[9].as_ref()) - serial(2025, 3, 20, 9, 0)).abs() < 1e-6, "resolved, not closed");

    if let Some(seen) = openpyxl(&bytes) {
        assert_eq!(seen["sheets"], serde_json::json!(SHEETS));
        assert_eq!(seen["sentence"], text(summary.get_value((3, 1))));
        assert_eq!(seen["freeze"], "A2", "the case list's header row is frozen");
        assert_eq!(seen["header_bold"], true);
        assert_eq!(seen["header_fill"], "FFDDEBF7");
        assert_eq!(seen["reported_format"], "yyyy-mm-dd hh:mm");
        assert_eq!(seen["reported"], "2025-03-06T08:00:00");
        assert_eq!(seen["rows"], 6);
    }
    app.stop().await;
}

/// What openpyxl reads from the workbook, or `None` when Python has no openpyxl.
fn openpyxl(bytes: &[u8]) -> Option<Value> {
    let probe = Command::new("python3").args(["-c", "import openpyxl"]).output();
    if !probe.is_ok_and(|o| o.status.success()) {
        eprintln!("openpyxl is not importable: the XLSX is checked by calamine only");
        return None;
    }
    let path = std::env::temp_dir().join(format!("anlan-stats-{}.xlsx", uuid::Uuid::new_v4()));
    std::fs::write(&path, bytes).unwrap();
    let script = r#"
import json, sys, openpyxl
wb = openpyxl.load_workbook(sys.argv[1])
ws = wb["案件清单"]
h = ws["A1"]
print(json.dumps({
    "sheets": wb.sheetnames,
    "sentence": wb["汇总"]["B4"].value,
    "freeze": ws.freeze_panes,
    "header_bold": h.font.b,
    "header_fill": h.fill.fgColor.rgb,
    "reported_format": ws["G3"].number_format,
    "reported": ws["G3"].value.isoformat(),
    "rows": ws.max_row,
}, ensure_ascii=False))
"#;
    let out = Command::new("python3").arg("-c").arg(script).arg(&path).output().unwrap();
    let _ = std::fs::remove_file(&path);
    assert!(out.status.success(), "openpyxl failed: {}", String::from_utf8_lossy(&out.stderr));
    Some(serde_json::from_slice(&out.stdout).unwrap())
}

async fn the_csv_export_parses_back(b: Backend) {
    let app = TestApp::spawn(b).await;
    seed::seed(&app).await;
    let (headers, bytes) = export(&app, "csv").await;
    assert_eq!(headers["content-type"], "text/csv; charset=utf-8");
    assert!(bytes.starts_with("\u{feff}".as_bytes()), "a byte-order mark for Excel");
    let mut reader = csv::Reader::from_reader(&bytes[3..]);
    assert_eq!(reader.headers().unwrap().iter().collect::<Vec<_>>(), CASE_HEADER);
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    let titles: Vec<&str> = rows.iter().map(|r| &r[2]).collect();
    assert_eq!(titles, ["A 宅基地边界", "B 承包地调整", "H 其他诉求", "E 婚姻家庭", "C 补偿款发放"]);
    let b_row: Vec<&str> = rows[1].iter().collect();
    assert_eq!(
        &b_row[1..],
        ["埔头村", "B 承包地调整", "土地", "较大", "化解中", "2025-03-06 08:00", "2025-03-20", "是", ""]
    );
    assert_eq!(&rows[0][9], "2025-03-10 09:00");
    assert_eq!((&rows[4][6], &rows[4][8]), ("2025-03-31 23:30", "否"));

    // Nothing in the period: the header alone.
    let res = get(&app, LEADER, "/stats/export.csv", &[("from", "2025-06-01"), ("to", "2025-06-30")]).await;
    let text = res.text().await.unwrap();
    assert_eq!(text.lines().count(), 1, "{text}");
    app.stop().await;
}

on_both_backends!(the_xlsx_export_reads_back_with_its_sheets_and_cells, the_csv_export_parses_back);
