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

async fn call(
    app: &TestApp,
    method: &str,
    path: &str,
    token: &str,
    body: Option<Value>,
) -> (StatusCode, Value) {
    let http = reqwest::Client::new();
    let url = format!("{}/api/v1{path}", app.url);
    let mut req = if method == "GET" { http.get(url) } else { http.post(url) };
    req = req.bearer_auth(token);
    if let Some(b) = body {
        req = req.json(&b);
    }
    let res = req.send().await.unwrap();
    let status = res.status();
    (status, res.json().await.unwrap_or(Value::Null))
}

async fn upload(
    app: &TestApp,
    token: &str,
    dry_run: bool,
    kind: &str,
    bytes: Vec<u8>,
) -> (StatusCode, Value) {
    let res = reqwest::Client::new()
        .post(format!("{}/api/v1/admin/roster?dry_run={dry_run}", app.url))
        .bearer_auth(token)
        .header("content-type", kind)
        .body(bytes)
        .send()
        .await
        .unwrap();
    let status = res.status();
    (status, res.json().await.unwrap_or(Value::Null))
}

fn user(id: &str, name: &str, phone: &str, role: &str, unit: &str) -> Value {
    json!({ "id": id, "name": name, "phone": phone, "role": role, "unit": unit })
}

fn codes(v: &Value, list: &str, key: &str) -> Vec<String> {
    v[list].as_array().unwrap().iter().map(|u| u[key].as_str().unwrap().to_string()).collect()
}

async fn units_and_people_are_listed_and_added_within_the_jurisdiction(b: Backend) {
    let app = TestApp::spawn(b).await;
    let (s, units) = call(&app, "GET", "/admin/units", COUNTY, None).await;
    assert_eq!(s, StatusCode::OK);
    let listed = codes(&units, "units", "code");
    assert!(listed.contains(&"350481".to_string()) && listed.contains(&PUTOU.to_string()));
    assert!(!listed.iter().any(|c| c.starts_with("350429") || c == "350400"), "{listed:?}");

    let unit = json!({ "code": "350481101299", "name": "新村", "kind": "village", "parent": CAOYUAN });
    let (s, made) = call(&app, "POST", "/admin/units", COUNTY, Some(unit)).await;
    assert_eq!(s, StatusCode::CREATED, "{made}");
    assert_eq!(made["path"], "/350400/350481/350481101/350481101299/");
    let misplaced = json!({ "code": "350481999", "name": "错位", "kind": "village", "parent": "350481" });
    assert_eq!(call(&app, "POST", "/admin/units", COUNTY, Some(misplaced)).await.0, StatusCode::BAD_REQUEST);

    let (s, made) = call(
        &app,
        "POST",
        "/admin/users",
        COUNTY,
        Some(user("u_new", "张丽", "13812340001", "village_officer", "350481101299")),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{made}");
    let (s, people) = call(&app, "GET", "/admin/users", COUNTY, None).await;
    assert_eq!(s, StatusCode::OK);
    let all = people["users"].as_array().unwrap();
    let new = all.iter().find(|u| u["id"] == "u_new").unwrap();
    assert_eq!((&new["name"], &new["enrolled"], &new["devices"]), (&json!("张丽"), &json!(false), &json!(0)));
    let officer = all.iter().find(|u| u["id"] == "u_demo_officer").unwrap();
    assert_eq!((&officer["devices"], &officer["unit_name"]), (&json!(1), &json!("埔头村")));
    let (_, one_unit) = call(&app, "GET", &format!("/admin/users?unit={PUTOU}"), COUNTY, None).await;
    assert_eq!(codes(&one_unit, "users", "id"), ["u_demo_officer"]);
}

async fn nobody_manages_people_above_their_role_or_outside_their_jurisdiction(b: Backend) {
    let app = TestApp::spawn(b).await;
    for (method, path) in [("GET", "/admin/units"), ("GET", "/admin/users"), ("POST", "/admin/users")] {
        let body = (method == "POST").then(|| user("u_x", "某人", "13812340002", "village_officer", PUTOU));
        let (s, e) = call(&app, method, path, OFFICER, body).await;
        assert_eq!((s, &e["code"]), (StatusCode::FORBIDDEN, &json!("forbidden")), "{path}");
    }
    let officer_unit = json!({ "code": "350481101298", "name": "x", "kind": "village", "parent": CAOYUAN });
    assert_eq!(
        call(&app, "POST", "/admin/units", OFFICER, Some(officer_unit.clone())).await.0,
        StatusCode::FORBIDDEN
    );
    assert_eq!(call(&app, "POST", "/admin/units", LEADER, Some(officer_unit)).await.0, StatusCode::FORBIDDEN);

    // A county administrator: not another county, not a role above their own.
    let other_county =
        json!({ "code": "350429201299", "name": "外县村", "kind": "village", "parent": MEIKOU });
    assert_eq!(call(&app, "POST", "/admin/units", COUNTY, Some(other_county)).await.0, StatusCode::FORBIDDEN);
    let cases = [
        (user("u_a", "甲", "13812340003", "village_officer", SHUIJI), StatusCode::FORBIDDEN),
        (user("u_b", "乙", "13812340004", "city_admin", "350481"), StatusCode::FORBIDDEN),
        (user("u_c", "丙", "13812340005", "system_admin", "350481"), StatusCode::FORBIDDEN),
        (user("u_d", "丁", "13812340006", "county_admin", "350481"), StatusCode::CREATED),
    ];
    for (body, want) in cases {
        let (s, e) = call(&app, "POST", "/admin/users", COUNTY, Some(body.clone())).await;
        assert_eq!(s, want, "{body} → {e}");
    }
    let (_, listed) = call(&app, "GET", "/admin/users", COUNTY, None).await;
    assert!(!codes(&listed, "users", "id").iter().any(|id| ["u_a", "u_b", "u_c"].contains(&id.as_str())));

    // A township leader: the township's village officers and work team, nothing more.
    let leader_cases = [
        (user("u_e", "戊", "13812340007", "village_officer", PUTOU), StatusCode::CREATED),
        (user("u_f", "己", "13812340008", "work_team", CAOYUAN), StatusCode::CREATED),
        (user("u_g", "庚", "13812340009", "township_staff", CAOYUAN), StatusCode::FORBIDDEN),
        (user("u_h", "辛", "13812340010", "village_officer", XIMEN), StatusCode::FORBIDDEN),
    ];
    for (body, want) in leader_cases {
        let (s, e) = call(&app, "POST", "/admin/users", LEADER, Some(body.clone())).await;
        assert_eq!(s, want, "{body} → {e}");
    }
    let (_, theirs) = call(&app, "GET", "/admin/users", LEADER, None).await;
    let ids = codes(&theirs, "users", "id");
    assert!(ids.contains(&"u_e".to_string()) && !ids.contains(&"u_demo_county".to_string()), "{ids:?}");
    let (s, _) = call(&app, "POST", "/admin/users/u_demo_county/enrolment-code", LEADER, None).await;
    assert_eq!(s, StatusCode::NOT_FOUND, "the county administrator is outside the township");
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
        let (s, made) = call(&app, "POST", "/admin/users", COUNTY, Some(body)).await;
        assert_eq!((s, &made["name"]), (StatusCode::CREATED, &json!(name)), "{made}");
    }
    let (_, listed) = call(&app, "GET", &format!("/admin/users?unit={PUTOU}"), COUNTY, None).await;
    for name in inert {
        assert!(
            listed["users"].as_array().unwrap().iter().any(|u| u["name"] == name),
            "{name} stored verbatim"
        );
    }
    let unit = json!({ "code": "350481101297", "name": "x'); DROP TABLE units; --", "kind": "village", "parent": CAOYUAN });
    assert_eq!(call(&app, "POST", "/admin/units", COUNTY, Some(unit)).await.0, StatusCode::CREATED);

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
        let (s, e) = call(&app, "POST", "/admin/users", COUNTY, Some(body.clone())).await;
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
        let (s, e) = call(&app, "POST", "/admin/units", COUNTY, Some(body.clone())).await;
        assert_eq!((s, &e["code"]), (StatusCode::BAD_REQUEST, &json!("bad_request")), "{body} → {e}");
    }
    let res = reqwest::Client::new()
        .post(format!("{}/api/v1/admin/users", app.url))
        .bearer_auth(COUNTY)
        .header("content-type", "application/json")
        .body("{\"name\": ")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    assert_eq!(res.json::<Value>().await.unwrap()["code"], "bad_request");
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
        let (s, report) = upload(app, COUNTY, dry_run, kind, file.clone()).await;
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
    let (s, e) = upload(&app, COUNTY, true, "application/pdf", b"%PDF".to_vec()).await;
    assert_eq!((s, &e["code"]), (StatusCode::UNSUPPORTED_MEDIA_TYPE, &json!("unsupported_media_type")));
    let (s, _) = upload(&app, OFFICER, true, "text/csv", csv_of(&mixed_rows())).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
}

async fn an_xlsx_roster_with_bad_rows_names_every_line_and_imports_nothing(b: Backend) {
    let app = TestApp::spawn(b).await;
    bad_rows_import_nothing(&app, XLSX, xlsx_of(&mixed_rows())).await;
    let (s, e) = upload(&app, COUNTY, true, XLSX, b"not a spreadsheet".to_vec()).await;
    assert_eq!((s, &e["code"]), (StatusCode::BAD_REQUEST, &json!("bad_request")));
}

async fn a_good_roster_imports_every_row(b: Backend) {
    let app = TestApp::spawn(b).await;
    let rows: Vec<[String; 4]> =
        mixed_rows().into_iter().filter(|r| matches!(r[0].as_str(), "李明" | "周平")).collect();
    let (s, dry) = upload(&app, COUNTY, true, "text/csv", csv_of(&rows)).await;
    assert_eq!((s, &dry["imported"], &dry["good"]), (StatusCode::OK, &json!(false), &json!(2)), "{dry}");
    let (s, done) = upload(&app, COUNTY, false, "text/csv", csv_of(&rows)).await;
    assert_eq!((s, &done["imported"]), (StatusCode::OK, &json!(true)), "{done}");
    let (_, listed) = call(&app, "GET", "/admin/users", COUNTY, None).await;
    let names: Vec<String> = codes(&listed, "users", "name");
    assert!(names.contains(&"李明".to_string()) && names.contains(&"周平".to_string()));
    // The same file again: every phone is now taken, so nothing more goes in.
    let (s, again) = upload(&app, COUNTY, false, XLSX, xlsx_of(&rows)).await;
    assert_eq!((s, again["bad"].as_array().unwrap().len()), (StatusCode::UNPROCESSABLE_ENTITY, 2));
}

async fn an_enrolment_code_comes_with_a_printable_qr_code(b: Backend) {
    let app = TestApp::spawn(b).await;
    let (s, r) = call(&app, "POST", "/admin/users/u_demo_officer/enrolment-code", COUNTY, None).await;
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
    let (s, r) = call(&app, "POST", "/admin/users/u_demo_officer/enrolment-code", LEADER, None).await;
    assert_eq!(s, StatusCode::OK, "{r}");
    let enrolled = reqwest::Client::new()
        .post(format!("{}/api/v1/enrol", app.url))
        .json(&json!({ "phone": "13900000001", "code": r["code"], "password": "库区平安2026" }))
        .send()
        .await
        .unwrap();
    assert_eq!(enrolled.status(), StatusCode::OK);
    let (_, listed) = call(&app, "GET", &format!("/admin/users?unit={PUTOU}"), LEADER, None).await;
    assert_eq!((&listed["users"][0]["enrolled"], &listed["users"][0]["devices"]), (&json!(true), &json!(2)));
    assert_eq!(
        call(&app, "POST", "/admin/users/u_demo_officer/enrolment-code", OFFICER, None).await.0,
        StatusCode::FORBIDDEN
    );
}
