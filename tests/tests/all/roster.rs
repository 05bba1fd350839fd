//! Roster import from CSV and XLSX (every bad row reported by line, nothing imported until all
//! are good; a county's real-sized roster in one go), and hostile strings in every admin field.

use std::path::{Path, PathBuf};

use anlan_server::roster::{self, BadRow};
use anlan_server::store::{LatLon, NewUser, StoreError};
use anlan_tests::*;
use rust_xlsxwriter::Workbook;
use serde_json::json;
use sync_protocol::case::Severity;

on_both_backends!(
    a_csv_roster_with_bad_rows_lists_every_one_and_imports_nothing,
    an_xlsx_roster_with_bad_rows_lists_every_one_and_imports_nothing,
    a_county_roster_of_994_people_imports_from_csv_and_they_can_enrol,
    a_county_roster_of_994_people_imports_from_xlsx,
    roster_coordinates_place_each_rows_unit_on_the_map_from_csv_and_xlsx,
    bad_roster_coordinates_are_reported_by_line_and_nothing_moves,
    hostile_strings_in_admin_fields_are_refused_cleanly_or_stored_verbatim,
);

const HEADER: [&str; 4] = ["姓名", "手机", "角色", "单位"];
const VILLAGES: [&str; 8] = [
    "350481101201",
    "350481101202",
    "350481102201",
    "350481102202",
    "350427101201",
    "350429201201",
    "350426102201",
    "350423101201",
];

/// Rows after the header (line 1); an empty row stands for a blank line.
fn bad_roster() -> Vec<Vec<String>> {
    let rows: &[[&str; 4]] = &[
        ["林小红", "13600000001", "信息员", PUTOU],             // 2 good
        ["张伟", "12ab", "village_officer", PUTOU],             // 3 phone
        ["李娜", "13600000003", "队长", PUTOU],                 // 4 role
        ["王芳", "13600000004", "work_team", "999999"],         // 5 unit
        ["刘洋", "13600000005", "信息员", "350481101"],         // 6 an officer in a township
        ["陈静", "13600000001", "工作队员", XIMEN],             // 7 same phone as line 2
        ["杨磊", "13900000001", "work_team", XIMEN],            // 8 the demo officer's phone
        ["", "13600000008", "work_team", XIMEN],                // 9 no name
        ["", "", "", ""],                                       // 10 blank: skipped
        ["赵敏", "136 0000 0011", "工作队员", CAOYUAN_VILLAGE], // 11 good
    ];
    rows.iter().map(|r| r.iter().map(|c| c.to_string()).collect()).collect()
}

const BAD_LINES: [usize; 7] = [3, 4, 5, 6, 7, 8, 9];

fn write_csv(dir: &Path, rows: &[Vec<String>]) -> PathBuf {
    write_csv_with(dir, &HEADER, rows)
}

fn write_csv_with(dir: &Path, header: &[&str], rows: &[Vec<String>]) -> PathBuf {
    let quote = |c: &String| format!("\"{}\"", c.replace('"', "\"\""));
    let mut text = String::from("\u{feff}") + &header.join(",") + "\n";
    for r in rows {
        if r.iter().all(|c| c.is_empty()) {
            text.push('\n');
        } else {
            text += &(r.iter().map(quote).collect::<Vec<_>>().join(",") + "\n");
        }
    }
    let path = dir.join(format!("roster-{}.csv", rand::random::<u32>()));
    std::fs::write(&path, text).unwrap();
    path
}

/// Phones go in as numbers, the way they end up when typed into Excel.
fn write_xlsx(dir: &Path, rows: &[Vec<String>]) -> PathBuf {
    write_xlsx_with(dir, &HEADER, rows)
}

/// Phones, and coordinates after the fourth column, go in as numbers.
fn write_xlsx_with(dir: &Path, header: &[&str], rows: &[Vec<String>]) -> PathBuf {
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    for (c, h) in header.iter().enumerate() {
        ws.write_string(0, c as u16, *h).unwrap();
    }
    for (i, r) in rows.iter().enumerate() {
        for (c, v) in r.iter().enumerate() {
            if v.is_empty() {
                continue;
            }
            let (row, col) = (i as u32 + 1, c as u16);
            match v.parse::<f64>() {
                Ok(n) if c == 1 || c >= 4 => ws.write_number(row, col, n).unwrap(),
                _ => ws.write_string(row, col, v).unwrap(),
            };
        }
    }
    let path = dir.join(format!("roster-{}.xlsx", rand::random::<u32>()));
    wb.save(&path).unwrap();
    path
}

fn scratch() -> PathBuf {
    let dir = std::env::temp_dir().join(format!("anlan-roster-{:016x}", rand::random::<u64>()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

async fn bad_rows_are_all_reported(app: &TestApp, file: &Path) {
    let before = app.store.user_count().await.unwrap();
    let rows = roster::read_file(file).unwrap();
    for dry_run in [true, false] {
        let report = roster::import(&app.store, &rows, dry_run).await.unwrap();
        let lines: Vec<usize> = report.bad.iter().map(|b| b.line).collect();
        assert_eq!(lines, BAD_LINES, "{:#?}", report.bad);
        assert_eq!(report.good.len(), 2);
        assert!(!report.imported);
    }
    let bad = roster::check(&app.store, &rows).await.unwrap().bad;
    let reason = |line| roster_reason(&bad, line);
    assert!(reason(3).contains("not a phone number"));
    assert!(reason(4).contains("role \"队长\""));
    assert!(reason(5).contains("unit \"999999\" does not exist"));
    assert!(reason(6).contains("cannot belong to 350481101"));
    assert!(reason(7).contains("also on line 2"));
    assert!(reason(8).contains("already belongs to user u_demo_officer"));
    assert!(reason(9).contains("name"));
    assert_eq!(app.store.user_count().await.unwrap(), before, "nothing imported");
}

fn roster_reason(bad: &[BadRow], line: usize) -> String {
    bad.iter().find(|b| b.line == line).map(|b| b.reason.clone()).unwrap_or_default()
}

async fn a_csv_roster_with_bad_rows_lists_every_one_and_imports_nothing(b: Backend) {
    let app = TestApp::spawn(b).await;
    let dir = scratch();
    bad_rows_are_all_reported(&app, &write_csv(&dir, &bad_roster())).await;
    std::fs::remove_dir_all(dir).unwrap();
}

async fn an_xlsx_roster_with_bad_rows_lists_every_one_and_imports_nothing(b: Backend) {
    let app = TestApp::spawn(b).await;
    let dir = scratch();
    bad_rows_are_all_reported(&app, &write_xlsx(&dir, &bad_roster())).await;
    // A sheet without the needed columns is one bad "row": its header.
    let headless = dir.join("headless.xlsx");
    let mut wb = Workbook::new();
    wb.add_worksheet().write_string(0, 0, "名单").unwrap().write_string(1, 0, "林秀英").unwrap();
    wb.save(&headless).unwrap();
    let report = roster::check(&app.store, &roster::read_file(&headless).unwrap()).await.unwrap();
    assert_eq!(report.bad.len(), 1);
    assert!(report.bad[0].reason.contains("lacks the column"), "{:?}", report.bad);
    std::fs::remove_dir_all(dir).unwrap();
}

/// 219 village officers and 775 work-team members across the demo villages, role names in
/// Chinese and English mixed as real rosters are.
fn county_roster() -> Vec<Vec<String>> {
    let officers = (0..219).map(|i| {
        let role = if i % 2 == 0 { "信息员" } else { "village_officer" };
        vec![format!("信息员{i:03}"), format!("1350000{i:04}"), role.into(), VILLAGES[i % 8].into()]
    });
    let team = (0..775).map(|i| {
        let role = if i % 3 == 0 { "work_team" } else { "工作队员" };
        vec![format!("队员{i:03}"), format!("1370000{i:04}"), role.into(), VILLAGES[i % 8].into()]
    });
    officers.chain(team).collect()
}

async fn imports_994(app: &TestApp, file: &Path) {
    let before = app.store.user_count().await.unwrap();
    let rows = roster::read_file(file).unwrap();
    let dry = roster::import(&app.store, &rows, true).await.unwrap();
    assert!(dry.bad.is_empty(), "{:?}", &dry.bad[..dry.bad.len().min(5)]);
    assert_eq!((dry.good.len(), dry.imported), (994, false));
    assert_eq!(app.store.user_count().await.unwrap(), before, "a dry run imports nothing");

    let real = roster::import(&app.store, &rows, false).await.unwrap();
    assert!(real.imported);
    assert_eq!(app.store.user_count().await.unwrap(), before + 994);
    let officers = real.good.iter().filter(|u| u.role == "village_officer").count();
    assert_eq!((officers, real.good.len() - officers), (219, 775));

    // Importing the same file again: every row is now a clash, reported, nothing doubled.
    let again = roster::import(&app.store, &rows, false).await.unwrap();
    assert_eq!(again.bad.len(), 994);
    assert_eq!(app.store.user_count().await.unwrap(), before + 994);
}

async fn a_county_roster_of_994_people_imports_from_csv_and_they_can_enrol(b: Backend) {
    let app = TestApp::spawn(b).await;
    let dir = scratch();
    imports_994(&app, &write_csv(&dir, &county_roster())).await;
    std::fs::remove_dir_all(dir).unwrap();

    // The county administrator hands out a code; the officer in 埔头村 enrols and reports.
    let id = app.store.phone_owners(&["13500000000".into()]).await.unwrap()["13500000000"].clone();
    let (_, issued) = app.api("POST", &format!("/admin/users/{id}/enrolment-code"), COUNTY, None).await;
    let (_, enrolled) =
        app.enrol_with_code("13500000000", issued["code"].as_str().unwrap(), "信息员的密码123").await;
    let mut phone = app.device(enrolled["token"].as_str().expect("a token"));
    phone.login().await.unwrap();
    assert_eq!(phone.user_id, id);
    let case = phone.create(&phone.new_case(PUTOU, Severity::General, "花名册导入后的第一件"));
    phone.sync().await.unwrap();
    assert!(phone.case(case).case_no.is_some());
}

async fn a_county_roster_of_994_people_imports_from_xlsx(b: Backend) {
    let app = TestApp::spawn(b).await;
    let dir = scratch();
    imports_994(&app, &write_xlsx(&dir, &county_roster())).await;
    std::fs::remove_dir_all(dir).unwrap();
}

const PLACED_HEADER: [&str; 6] = ["姓名", "手机", "角色", "单位", "纬度", "经度"];

fn rows_of(rows: &[[&str; 6]]) -> Vec<Vec<String>> {
    rows.iter().map(|r| r.iter().map(|c| c.to_string()).collect()).collect()
}

async fn place_of(app: &TestApp, unit: &str) -> Option<LatLon> {
    app.store.unit_locations().await.unwrap().get(unit).copied()
}

async fn roster_coordinates_place_each_rows_unit_on_the_map_from_csv_and_xlsx(b: Backend) {
    let app = TestApp::spawn(b).await;
    let dir = scratch();
    let caoyuan = place_of(&app, CAOYUAN_VILLAGE).await;
    for (i, ext) in ["csv", "xlsx"].into_iter().enumerate() {
        let lat = format!("25.9{i}5");
        let rows = rows_of(&[
            ["林一", &format!("1360000{i}101"), "信息员", PUTOU, &lat, "117.3712"],
            ["林二", &format!("1360000{i}102"), "工作队员", PUTOU, &lat, "117.3712"],
            ["林三", &format!("1360000{i}103"), "信息员", CAOYUAN_VILLAGE, "", ""],
            ["林四", &format!("1360000{i}104"), "信息员", XIMEN, "25.901", "117.42"],
        ]);
        let file = if ext == "csv" {
            write_csv_with(&dir, &PLACED_HEADER, &rows)
        } else {
            write_xlsx_with(&dir, &PLACED_HEADER, &rows)
        };
        let report = roster::import(&app.store, &roster::read_file(&file).unwrap(), false).await.unwrap();
        assert!(report.imported && report.bad.is_empty(), "{ext}: {:?}", report.bad);
        let putou = LatLon { latitude: lat.parse().unwrap(), longitude: 117.3712 };
        assert_eq!(place_of(&app, PUTOU).await, Some(putou), "{ext}");
        assert_eq!(place_of(&app, XIMEN).await, Some(LatLon { latitude: 25.901, longitude: 117.42 }));
        assert_eq!(
            place_of(&app, CAOYUAN_VILLAGE).await,
            caoyuan,
            "{ext}: empty cells leave a unit where it was"
        );
    }
    std::fs::remove_dir_all(dir).unwrap();
}

async fn bad_roster_coordinates_are_reported_by_line_and_nothing_moves(b: Backend) {
    let app = TestApp::spawn(b).await;
    let dir = scratch();
    let (putou, ximen) = (place_of(&app, PUTOU).await, place_of(&app, XIMEN).await);
    let rows = rows_of(&[
        ["林一", "13600000201", "信息员", PUTOU, "25.95", "117.37"], // 2 good
        ["林二", "13600000202", "工作队员", PUTOU, "25.96", "117.37"], // 3 another place for 埔头
        ["林三", "13600000203", "信息员", XIMEN, "25.9", ""],        // 4 half a point
        ["林四", "13600000204", "工作队员", XIMEN, "95", "117.4"],   // 5 latitude out of range
        ["林五", "13600000205", "工作队员", XIMEN, "25.9", "东经117"], // 6 not a number
        ["林六", "13600000206", "工作队员", XIMEN, "25.9", "-180.5"], // 7 longitude out of range
    ]);
    let file = write_csv_with(&dir, &PLACED_HEADER, &rows);
    let report = roster::import(&app.store, &roster::read_file(&file).unwrap(), false).await.unwrap();
    assert!(!report.imported);
    let lines: Vec<usize> = report.bad.iter().map(|b| b.line).collect();
    assert_eq!(lines, [3, 4, 5, 6, 7], "{:#?}", report.bad);
    let reason = |line| roster_reason(&report.bad, line);
    assert!(reason(3).contains("placed differently on line 2"), "{}", reason(3));
    assert!(reason(4).contains("give both or neither"), "{}", reason(4));
    assert!(reason(5).contains("latitude must be a number from -90 to 90"), "{}", reason(5));
    assert!(reason(6).contains("\"东经117\" is not a number"), "{}", reason(6));
    assert!(reason(7).contains("longitude must be a number from -180 to 180"), "{}", reason(7));
    assert_eq!((place_of(&app, PUTOU).await, place_of(&app, XIMEN).await), (putou, ximen), "nothing moved");

    // Only one of the two coordinate columns: the header is the bad row.
    let half = write_csv_with(&dir, &["姓名", "手机", "角色", "单位", "纬度"], &[]);
    let report = roster::check(&app.store, &roster::read_file(&half).unwrap()).await.unwrap();
    assert_eq!(
        report.bad,
        [BadRow {
            line: 1, reason: "give both columns 纬度/latitude and 经度/longitude, or neither".into()
        }]
    );
    std::fs::remove_dir_all(dir).unwrap();
}

fn hostile() -> Vec<String> {
    vec![
        "Robert'); DROP TABLE users;--".into(),
        "' OR '1'='1".into(),
        "\" OR 1=1 --".into(),
        "<script>alert(1)</script>".into(),
        "a".repeat(5_000),
        "nul\u{0}byte".into(),
        "line\nbreak".into(),
        "bell\u{7}".into(),
        "../../etc/passwd".into(),
        "%00%27".into(),
        "👮‍♀️林".into(),
    ]
}

/// A store call may refuse (Invalid, NotFound) but never fail in SQL.
fn clean<T>(r: &Result<T, StoreError>, what: &str) {
    if let Err(e @ (StoreError::Sql(_) | StoreError::Migrate(_))) = r {
        panic!("{what}: a database error instead of a clean refusal: {e}");
    }
}

async fn hostile_strings_in_admin_fields_are_refused_cleanly_or_stored_verbatim(b: Backend) {
    let app = TestApp::spawn(b).await;
    let http = reqwest::Client::new();
    for (i, s) in hostile().iter().enumerate() {
        // Units: code and name.
        clean(&app.store.create_unit(s, "新村", "village", Some("350481101")).await, "unit code");
        let code = format!("inj{i}");
        let unit = app.store.create_unit(&code, s, "village", Some("350481101")).await;
        clean(&unit, "unit name");
        if unit.is_ok() {
            assert_eq!(&app.store.unit(&code).await.unwrap().unwrap().name, s, "stored verbatim");
        }
        // Users: every field in turn.
        let user = |f: usize| NewUser {
            id: if f == 0 { s.clone() } else { format!("inj_{i}_{f}") },
            name: if f == 1 { s.clone() } else { "测试".into() },
            phone: Some(if f == 2 { s.clone() } else { format!("1880000{i:02}{f:02}") }),
            role: if f == 3 { s.clone() } else { "village_officer".into() },
            unit_code: if f == 4 { s.clone() } else { PUTOU.into() },
        };
        for f in 0..5 {
            let r = app.store.create_user(&user(f)).await;
            clean(&r, "user");
            if f == 1 && r.is_ok() {
                // The name comes back through the API exactly as given.
                let d = app.store.issue_device(&user(1).id, "测试", None).await.unwrap();
                let s2: serde_json::Value = http
                    .get(format!("{}/api/v1/session", app.url))
                    .bearer_auth(&d.token)
                    .send()
                    .await
                    .unwrap()
                    .json()
                    .await
                    .unwrap();
                assert_eq!(s2["user"]["name"].as_str(), Some(s.as_str()));
            }
        }
        // A roster with the string in each column: every row judged, none a failure.
        let dir = scratch();
        let rows: Vec<Vec<String>> = (0..4)
            .map(|col| {
                let mut r =
                    vec!["测试".to_string(), format!("1660000{i:02}{col:02}"), "信息员".into(), PUTOU.into()];
                r[col] = s.clone();
                r
            })
            .collect();
        for file in [write_csv(&dir, &rows), write_xlsx(&dir, &rows)] {
            let report = roster::check(&app.store, &roster::read_file(&file).unwrap()).await.unwrap();
            assert_eq!(report.good.len() + report.bad.len(), 4, "{s:?}");
        }
        std::fs::remove_dir_all(dir).unwrap();
        // Over HTTP: the admin endpoint's path, and every field of login and enrolment.
        let mut url = reqwest::Url::parse(&format!("{}/api/v1/admin/users", app.url)).unwrap();
        url.path_segments_mut().unwrap().push(s).push("enrolment-code");
        let res = http.post(url).bearer_auth(COUNTY).send().await.unwrap();
        assert!(res.status().is_client_error(), "{s:?}: {}", res.status());
        let bodies = [
            ("/login", json!({ "phone": s, "password": s })),
            ("/login", json!({ "phone": "13900000001", "password": "x".repeat(8), "label": s })),
            ("/enrol", json!({ "phone": s, "code": s, "password": s })),
            (
                "/enrol",
                json!({ "phone": "13900000003", "code": "12345678", "password": "abcdefgh", "label": s }),
            ),
        ];
        for (path, body) in bodies {
            let res = http.post(format!("{}/api/v1{path}", app.url)).json(&body).send().await.unwrap();
            let status = res.status();
            assert!(status.is_client_error(), "{path} with {s:?}: {status}");
        }
    }
}
