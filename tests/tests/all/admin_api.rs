//! The administrators' HTTP API: units and people within a jurisdiction, role limits, every
//! field validated (injection strings stored verbatim or refused, never run), roster import from
//! CSV and XLSX with every bad line named and nothing imported until all are good, and the
//! enrolment code as a printable QR code.

use anlan_tests::*;
use reqwest::StatusCode;
use serde_json::{Value, json};

on_both_backends!(
    units_and_people_are_listed_and_added_within_the_jurisdiction,
    nobody_manages_people_above_their_role_or_outside_their_jurisdiction,
    every_admin_field_is_validated_and_injection_strings_stay_inert,
    a_csv_roster_with_bad_rows_names_every_line_and_imports_nothing,
    an_xlsx_roster_with_bad_rows_names_every_line_and_imports_nothing,
    a_good_roster_imports_every_row,
    an_enrolment_code_comes_with_a_printable_qr_code,
);

const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
const CAOYUAN: &str = "350481101";
const MEIKOU: &str = "350429201";

fn user(id: &str, name: &str, phone: &str, role: &str, unit: &str) -> Value {
    json!({ "id": id, "name": name, "phone": phone, "role": role, "unit": unit })
}

fn codes(v: &Value, list: &str, key: &str) -> Vec<String> {
    v[list].as_array().unwrap().iter().map(|u| u[key].as_str().unwrap().to_string()).collect()
}

async fn units_and_people_are_listed_and_added_within_the_jurisdiction(b: Backend) {
    let app = TestApp::spawn(b).await;
    let (s, units) = app.api("GET", "/admin/units", COUNTY, None).await;
    assert_eq!(s, StatusCode::OK);
    let listed = codes(&units, "units", "code");
    assert!(listed.contains(&"350481".to_string()) && listed.contains(&PUTOU.to_string()));
    assert!(!listed.iter().any(|c| c.starts_with("350429") || c == "350400"), "{listed:?}");

    let unit = json!({ "code": "350481101299", "name": "新村", "kind": "village", "parent": CAOYUAN });
    let (s, made) = app.api("POST", "/admin/units", COUNTY, Some(unit)).await;
    assert_eq!(s, StatusCode::CREATED, "{made}");
    assert_eq!(made["path"], "/350400/350481/350481101/350481101299/");
    let misplaced = json!({ "code": "350481999", "name": "错位", "kind": "village", "parent": "350481" });
    assert_eq!(app.api("POST", "/admin/units", COUNTY, Some(misplaced)).await.0, StatusCode::BAD_REQUEST);

    let new_user = user("u_new", "张丽", "13812340001", "village_officer", "350481101299");
    let (s, made) = app.api("POST", "/admin/users", COUNTY, Some(new_user)).await;
    assert_eq!(s, StatusCode::CREATED, "{made}");
    let (s, people) = app.api("GET", "/admin/users", COUNTY, None).await;
    assert_eq!(s, StatusCode::OK);
    let all = people["users"].as_array().unwrap();
    let new = all.iter().find(|u| u["id"] == "u_new").unwrap();
    assert_eq!((&new["name"], &new["enrolled"], &new["devices"]), (&json!("张丽"), &json!(false), &json!(0)));
    let officer = all.iter().find(|u| u["id"] == "u_demo_officer").unwrap();
    assert_eq!((&officer["devices"], &officer["unit_name"]), (&json!(1), &json!("埔头村")));
    let (_, one_unit) = app.api("GET", &format!("/admin/users?unit={PUTOU}"), COUNTY, None).await;
    assert_eq!(codes(&one_unit, "users", "id"), ["u_demo_officer"]);
}

/// Who asks for what, and the answer: each row one role on one route.
struct Ask {
    who: &'static str,
    method: &'static str,
    path: &'static str,
    body: Option<Value>,
    want: StatusCode,
}

fn ask(
    who: &'static str,
    method: &'static str,
    path: &'static str,
    body: Option<Value>,
    want: StatusCode,
) -> Ask {
    Ask { who, method, path, body, want }
}

async fn nobody_manages_people_above_their_role_or_outside_their_jurisdiction(b: Backend) {
    use StatusCode as S;
    let app = TestApp::spawn(b).await;
    let village =
        |code: &str, parent: &str| json!({ "code": code, "name": "x", "kind": "village", "parent": parent });
    let person = |id: &str, phone: &str, role: &str, unit: &str| Some(user(id, "某人", phone, role, unit));
    let table = [
        // A village officer manages nobody.
        ask(OFFICER, "GET", "/admin/units", None, S::FORBIDDEN),
        ask(OFFICER, "GET", "/admin/users", None, S::FORBIDDEN),
        ask(
            OFFICER,
            "POST",
            "/admin/users",
            person("u_x", "13812340002", "village_officer", PUTOU),
            S::FORBIDDEN,
        ),
        ask(OFFICER, "POST", "/admin/units", Some(village("350481101298", CAOYUAN)), S::FORBIDDEN),
        // A township leader adds no units.
        ask(LEADER, "POST", "/admin/units", Some(village("350481101298", CAOYUAN)), S::FORBIDDEN),
        // A county administrator: not another county, not a role above their own.
        ask(COUNTY, "POST", "/admin/units", Some(village("350429201299", MEIKOU)), S::FORBIDDEN),
        ask(
            COUNTY,
            "POST",
            "/admin/users",
            person("u_a", "13812340003", "village_officer", SHUIJI),
            S::FORBIDDEN,
        ),
        ask(
            COUNTY,
            "POST",
            "/admin/users",
            person("u_b", "13812340004", "city_admin", "350481"),
            S::FORBIDDEN,
        ),
        ask(
            COUNTY,
            "POST",
            "/admin/users",
            person("u_c", "13812340005", "system_admin", "350481"),
            S::FORBIDDEN,
        ),
        ask(
            COUNTY,
            "POST",
            "/admin/users",
            person("u_d", "13812340006", "county_admin", "350481"),
            S::CREATED,
        ),
        // A township leader: the township's village officers and work team, nothing more.
        ask(
            LEADER,
            "POST",
            "/admin/users",
            person("u_e", "13812340007", "village_officer", PUTOU),
            S::CREATED,
        ),
        ask(LEADER, "POST", "/admin/users", person("u_f", "13812340008", "work_team", CAOYUAN), S::CREATED),
        ask(
            LEADER,
            "POST",
            "/admin/users",
            person("u_g", "13812340009", "township_staff", CAOYUAN),
            S::FORBIDDEN,
        ),
        ask(
            LEADER,
            "POST",
            "/admin/users",
            person("u_h", "13812340010", "village_officer", XIMEN),
            S::FORBIDDEN,
        ),
        // The county administrator is outside the township: not found, as if not there.
        ask(LEADER, "POST", "/admin/users/u_demo_county/enrolment-code", None, S::NOT_FOUND),
    ];
    for row in table {
        let (s, e) = app.api(row.method, row.path, row.who, row.body.clone()).await;
        let shown = row.body.as_ref().map_or(String::new(), Value::to_string);
        assert_eq!(s, row.want, "{} {} {shown} as {} → {e}", row.method, row.path, row.who);
        if s == S::FORBIDDEN {
            assert_eq!(e["code"], "forbidden", "{e}");
        }
    }
    // What was refused was not stored, and each sees only their own jurisdiction's people.
    let (_, listed) = app.api("GET", "/admin/users", COUNTY, None).await;
    assert!(!codes(&listed, "users", "id").iter().any(|id| ["u_a", "u_b", "u_c"].contains(&id.as_str())));
    let (_, theirs) = app.api("GET", "/admin/users", LEADER, None).await;
    let ids = codes(&theirs, "users", "id");
    assert!(ids.contains(&"u_e".to_string()) && !ids.contains(&"u_demo_county".to_string()), "{ids:?}");
}

async fn every_admin_field_is_validated_and_injection_strings_stay_inert(b: Backend) {
    let app = TestApp::spawn(b).await;
    let before = app.store.user_count().await.unwrap();
    let inert = [
        "'); DROP TABLE users; --",
        "<script>alert(1)</script>",
        "Robert\"; DELETE FROM units;",
        "${7*7}{{7*7}}",
    ];
    for (i, name) in inert.iter().enumerate() {
        let body = user(&format!("u_inj{i}"), name, &format!("1381234010{i}"), "village_officer", PUTOU);
        let (s, made) = app.api("POST", "/admin/users", COUNTY, Some(body)).await;
        assert_eq!((s, &made["name"]), (StatusCode::CREATED, &json!(name)), "{made}");
    }
    let (_, listed) = app.api("GET", &format!("/admin/users?unit={PUTOU}"), COUNTY, None).await;
    for name in inert {
        assert!(
            listed["users"].as_array().unwrap().iter().any(|u| u["name"] == name),
            "{name} stored verbatim"
        );
    }
    let unit = json!({ "code": "350481101297", "name": "x'); DROP TABLE units; --", "kind": "village", "parent": CAOYUAN });
    assert_eq!(app.api("POST", "/admin/units", COUNTY, Some(unit)).await.0, StatusCode::CREATED);

    let refused = [
        user("u_r1", "名\u{0}字", "13812340201", "village_officer", PUTOU),
        user("u_r2", &"长".repeat(41), "13812340202", "village_officer", PUTOU),
        user("u_r3", "  ", "13812340203", "village_officer", PUTOU),
        user("u_r4", "某", "13812340204; DROP TABLE users", "village_officer", PUTOU),
        user("u_r5", "某", "abc", "village_officer", PUTOU),
        user("u_r6", "某", "13812340206", "admin' OR '1'='1", PUTOU),
        user("u_r7", "某", "13812340207", "village_officer", "350481101201' OR 1=1 --"),
        user("x'; DROP TABLE users; --", "某", "13812340208", "village_officer", PUTOU),
        user("u_r9", "某", "13812340100", "village_officer", PUTOU),
        user("u_inj0", "某", "13812340210", "village_officer", PUTOU),
        user("u_r11", "某", "13812340211", "village_officer", CAOYUAN),
    ];
    for body in refused {
        let (s, e) = app.api("POST", "/admin/users", COUNTY, Some(body.clone())).await;
        assert_eq!((s, &e["code"]), (StatusCode::BAD_REQUEST, &json!("bad_request")), "{body} → {e}");
        assert!(e["message"].as_str().is_some_and(|m| !m.is_empty()));
    }
    let bad_units = [
        json!({ "code": "1; DROP TABLE units", "name": "x", "kind": "village", "parent": CAOYUAN }),
        json!({ "code": "350481101296", "name": "x", "kind": "hamlet'--", "parent": CAOYUAN }),
        json!({ "code": "350481101295", "name": "x\u{7}", "kind": "village", "parent": CAOYUAN }),
        json!({ "code": "350481101294", "name": "x", "kind": "village", "parent": "' OR 1=1" }),
    ];
    for body in bad_units {
        let (s, e) = app.api("POST", "/admin/units", COUNTY, Some(body.clone())).await;
        assert_eq!((s, &e["code"]), (StatusCode::BAD_REQUEST, &json!("bad_request")), "{body} → {e}");
    }
    let (s, e) =
        app.api_raw("POST", "/admin/users", COUNTY, "application/json", b"{\"name\": ".to_vec()).await;
    assert_eq!((s, &e["code"]), (StatusCode::BAD_REQUEST, &json!("bad_request")));
    assert_eq!(app.store.user_count().await.unwrap(), before + inert.len() as i64);
}

const HEADER: [&str; 4] = ["姓名", "手机", "角色", "单位"];

/// Line 2 good; 3 bad phone; 4 unknown unit; 5 unknown role; 6 another county; 7 good.
fn mixed_rows() -> Vec<[String; 4]> {
    let r = |a: &str, b: &str, c: &str, d: &str| [a.to_string(), b.to_string(), c.to_string(), d.to_string()];
    vec![
        r("李明", "13822220001", "信息员", PUTOU),
        r("王芳", "12ab", "信息员", PUTOU),
        r("赵强", "13822220003", "信息员", "350481101777"),
        r("钱多", "13822220004", "队长", PUTOU),
        r("孙悦", "13822220005", "信息员", SHUIJI),
        r("周平", "13822220006", "工作队员", CAOYUAN_VILLAGE),
    ]
}

fn csv_of(rows: &[[String; 4]]) -> Vec<u8> {
    let mut w = csv::Writer::from_writer(b"\xEF\xBB\xBF".to_vec());
    w.write_record(HEADER).unwrap();
    for r in rows {
        w.write_record(r).unwrap();
    }
    w.into_inner().unwrap()
}

fn xlsx_of(rows: &[[String; 4]]) -> Vec<u8> {
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    for (c, h) in HEADER.iter().enumerate() {
        ws.write_string(0, c as u16, *h).unwrap();
    }
    for (i, r) in rows.iter().enumerate() {
        for (c, v) in r.iter().enumerate() {
            // Phone numbers typed into Excel are numbers.
            match v.parse::<f64>() {
                Ok(n) if c == 1 => ws.write_number(i as u32 + 1, c as u16, n).unwrap(),
                _ => ws.write_string(i as u32 + 1, c as u16, v).unwrap(),
            };
        }
    }
    wb.save_to_buffer().unwrap()
}

async fn bad_rows_import_nothing(app: &TestApp, kind: &str, file: Vec<u8>) {
    let before = app.store.user_count().await.unwrap();
    for (dry_run, want) in [(true, StatusCode::OK), (false, StatusCode::UNPROCESSABLE_ENTITY)] {
        let (s, report) = app.upload_roster(COUNTY, dry_run, kind, file.clone()).await;
        assert_eq!(s, want, "{report}");
        let lines: Vec<u64> =
            report["bad"].as_array().unwrap().iter().map(|b| b["line"].as_u64().unwrap()).collect();
        assert_eq!(lines, [3, 4, 5, 6], "{report:#}");
        assert_eq!((&report["imported"], &report["good"]), (&json!(false), &json!(2)));
        let reason =
            |line: u64| report["bad"][lines.iter().position(|l| *l == line).unwrap()]["reason"].clone();
        assert!(reason(3).as_str().unwrap().contains("phone"));
        assert!(reason(6).as_str().unwrap().contains("outside your jurisdiction"));
    }
    assert_eq!(app.store.user_count().await.unwrap(), before, "nothing imported");
}

async fn a_csv_roster_with_bad_rows_names_every_line_and_imports_nothing(b: Backend) {
    let app = TestApp::spawn(b).await;
    bad_rows_import_nothing(&app, "text/csv; charset=utf-8", csv_of(&mixed_rows())).await;
    let (s, e) = app.upload_roster(COUNTY, true, "application/pdf", b"%PDF".to_vec()).await;
    assert_eq!((s, &e["code"]), (StatusCode::UNSUPPORTED_MEDIA_TYPE, &json!("unsupported_media_type")));
    let (s, _) = app.upload_roster(OFFICER, true, "text/csv", csv_of(&mixed_rows())).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
}

async fn an_xlsx_roster_with_bad_rows_names_every_line_and_imports_nothing(b: Backend) {
    let app = TestApp::spawn(b).await;
    bad_rows_import_nothing(&app, XLSX, xlsx_of(&mixed_rows())).await;
    let (s, e) = app.upload_roster(COUNTY, true, XLSX, b"not a spreadsheet".to_vec()).await;
    assert_eq!((s, &e["code"]), (StatusCode::BAD_REQUEST, &json!("bad_request")));
}

async fn a_good_roster_imports_every_row(b: Backend) {
    let app = TestApp::spawn(b).await;
    let rows: Vec<[String; 4]> =
        mixed_rows().into_iter().filter(|r| matches!(r[0].as_str(), "李明" | "周平")).collect();
    let (s, dry) = app.upload_roster(COUNTY, true, "text/csv", csv_of(&rows)).await;
    assert_eq!((s, &dry["imported"], &dry["good"]), (StatusCode::OK, &json!(false), &json!(2)), "{dry}");
    let (s, done) = app.upload_roster(COUNTY, false, "text/csv", csv_of(&rows)).await;
    assert_eq!((s, &done["imported"]), (StatusCode::OK, &json!(true)), "{done}");
    let (_, listed) = app.api("GET", "/admin/users", COUNTY, None).await;
    let names: Vec<String> = codes(&listed, "users", "name");
    assert!(names.contains(&"李明".to_string()) && names.contains(&"周平".to_string()));
    // The same file again: every phone is now taken, so nothing more goes in.
    let (s, again) = app.upload_roster(COUNTY, false, XLSX, xlsx_of(&rows)).await;
    assert_eq!((s, again["bad"].as_array().unwrap().len()), (StatusCode::UNPROCESSABLE_ENTITY, 2));
}

async fn an_enrolment_code_comes_with_a_printable_qr_code(b: Backend) {
    let app = TestApp::spawn(b).await;
    let (s, r) = app.api("POST", "/admin/users/u_demo_officer/enrolment-code", COUNTY, None).await;
    assert_eq!(s, StatusCode::OK, "{r}");
    let link = r["qr_link"].as_str().unwrap();
    assert_eq!(link, format!("{}{}", app.url, r["link"].as_str().unwrap()));
    let svg = r["qr_svg"].as_str().unwrap();
    let mut reader = quick_xml::Reader::from_str(svg);
    let mut saw_svg = false;
    loop {
        match reader.read_event().expect("well-formed XML") {
            quick_xml::events::Event::Eof => break,
            quick_xml::events::Event::Start(e) | quick_xml::events::Event::Empty(e) => {
                saw_svg |= e.name().as_ref() == "svg";
            }
            _ => {}
        }
    }
    assert!(saw_svg && svg.contains("<svg"));

    // The township leader hands codes to the township's own field staff, which the code enrols.
    let (s, r) = app.api("POST", "/admin/users/u_demo_officer/enrolment-code", LEADER, None).await;
    assert_eq!(s, StatusCode::OK, "{r}");
    let (s, enrolled) = app.enrol_with_code("13900000001", r["code"].as_str().unwrap(), "库区平安2026").await;
    assert_eq!(s, StatusCode::OK, "{enrolled}");
    let (_, listed) = app.api("GET", &format!("/admin/users?unit={PUTOU}"), LEADER, None).await;
    assert_eq!((&listed["users"][0]["enrolled"], &listed["users"][0]["devices"]), (&json!(true), &json!(2)));
    assert_eq!(
        app.api("POST", "/admin/users/u_demo_officer/enrolment-code", OFFICER, None).await.0,
        StatusCode::FORBIDDEN
    );
}
