//! Statistics and exports (issue 7, item 4): exact figures over cases seeded through the sync
//! path, the summary sentence, who may ask for which unit, parameter errors, and the XLSX and
//! CSV exports read back by independent readers.

// A test crate root finds its modules beside it: these live in stats/, out of the list of targets.
#[path = "stats/exports.rs"]
mod exports;
#[path = "stats/seed.rs"]
mod seed;
#[path = "stats/sweeps.rs"]
mod sweeps;

use anlan_tests::*;
use seed::{FROM, TO, TOWNSHIP};
use serde_json::Value;

pub async fn get(app: &TestApp, token: &str, path: &str, query: &[(&str, &str)]) -> reqwest::Response {
    reqwest::Client::new()
        .get(format!("{}/api/v1{path}", app.url))
        .bearer_auth(token)
        .query(query)
        .send()
        .await
        .unwrap()
}

async fn stats(app: &TestApp, token: &str, query: &[(&str, &str)]) -> (u16, Value) {
    let res = get(app, token, "/stats", query).await;
    (res.status().as_u16(), res.json().await.unwrap())
}

/// (found, resolved, overdue) of a breakdown line.
fn line(lines: &Value, key: &str) -> (u64, u64, u64) {
    let l =
        lines.as_array().unwrap().iter().find(|l| l["key"] == key).unwrap_or_else(|| panic!("no line {key}"));
    (l["found"].as_u64().unwrap(), l["resolved"].as_u64().unwrap(), l["overdue"].as_u64().unwrap())
}

fn unit<'a>(report: &'a Value, code: &str) -> &'a Value {
    report["units"].as_array().unwrap().iter().find(|u| u["code"] == code).unwrap()
}

async fn the_figures_count_the_period_exactly(b: Backend) {
    let app = TestApp::spawn(b).await;
    seed::seed(&app).await;

    let (status, r) = stats(&app, LEADER, &[("from", FROM), ("to", TO)]).await;
    assert_eq!(status, 200, "{r}");
    assert_eq!(r["unit"]["code"], TOWNSHIP);
    assert_eq!(r["period_label"], "2025年3月");
    let t = &r["totals"];
    assert_eq!(
        (t["found"].as_u64(), t["resolved"].as_u64(), t["overdue"].as_u64()),
        (Some(5), Some(3), Some(2)),
        "{t}"
    );
    assert_eq!(t["resolution_rate"], 60.0);
    assert_eq!(
        (t["visits"].as_u64(), t["villages_visited"].as_u64(), t["sweep_reports"].as_u64()),
        (Some(2), Some(1), Some(0))
    );
    assert_eq!(
        r["summary"],
        "2025年3月，曹远镇走访1个村，排查矛盾纠纷5件，化解3件，化解率60%；当前逾期2件。"
    );
    // Every resolution here was timed by its transition, none guessed from the report time.
    assert_eq!(
        (r["resolved_basis"]["from_transitions"].as_u64(), r["resolved_basis"]["from_reported_at"].as_u64()),
        (Some(3), Some(0))
    );

    let putou = unit(&r, PUTOU);
    assert_eq!(putou["name"], "埔头村");
    let fig = |u: &Value, k: &str| u[k].as_u64().unwrap();
    assert_eq!([fig(putou, "found"), fig(putou, "resolved"), fig(putou, "overdue")], [3, 2, 1]);
    assert_eq!(
        [fig(putou, "visits"), fig(putou, "villages_visited"), fig(putou, "sweep_reports")],
        [2, 1, 0]
    );
    assert_eq!(putou["resolution_rate"], 66.7);
    let caoyuan = unit(&r, CAOYUAN_VILLAGE);
    assert_eq!([fig(caoyuan, "found"), fig(caoyuan, "resolved"), fig(caoyuan, "overdue")], [2, 1, 1]);
    assert_eq!([fig(caoyuan, "visits"), fig(caoyuan, "sweep_reports")], [0, 0]);
    assert_eq!(r["sweeps"], serde_json::json!([]), "no campaign was due in March 2025");
    assert_eq!(caoyuan["resolution_rate"], 50.0);

    let cats = &r["by_category"];
    assert_eq!(cats.as_array().unwrap().len(), 10, "every category, zeros included");
    assert_eq!(line(cats, "land"), (2, 1, 2));
    assert_eq!(line(cats, "compensation"), (1, 0, 0));
    assert_eq!(line(cats, "family"), (1, 2, 0));
    assert_eq!(line(cats, "other"), (1, 0, 0));
    assert_eq!(line(cats, "rights"), (0, 0, 0));
    assert_eq!(cats[0]["label"], "土地");
    let sevs = &r["by_severity"];
    assert_eq!(sevs[0]["key"], "urgent");
    assert_eq!(line(sevs, "urgent"), (2, 0, 0));
    assert_eq!(line(sevs, "major"), (2, 1, 1));
    assert_eq!(line(sevs, "general"), (1, 2, 1));

    // A period with nothing in it: zeros, no rate, a sentence without one.
    let (_, empty) = stats(&app, LEADER, &[("from", "2025-06-01"), ("to", "2025-06-15")]).await;
    assert_eq!(empty["totals"]["found"], 0);
    assert_eq!(empty["totals"]["resolution_rate"], Value::Null);
    assert_eq!(empty["totals"]["overdue"], 2, "overdue is as of now, whatever the period");
    assert_eq!(
        empty["summary"],
        "2025年6月1日至6月15日，曹远镇走访0个村，排查矛盾纠纷0件，化解0件；当前逾期2件。"
    );
    app.stop().await;
}

async fn each_caller_sees_only_their_jurisdiction(b: Backend) {
    let app = TestApp::spawn(b).await;
    seed::seed(&app).await;
    let period = [("from", FROM), ("to", TO)];

    // The county sees its townships; 曹远镇 holds everything seeded.
    let (status, county) = stats(&app, COUNTY, &period).await;
    assert_eq!(status, 200, "{county}");
    assert_eq!(county["unit"]["name"], "永安市");
    let names: Vec<&str> =
        county["units"].as_array().unwrap().iter().map(|u| u["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["曹远镇", "贡川镇"]);
    assert_eq!(unit(&county, TOWNSHIP)["found"], 5);
    // The visit to 西门村 counts for 贡川镇 and the county, not for 曹远镇.
    assert_eq!(unit(&county, "350481102")["visits"], 1);
    assert_eq!(county["totals"]["villages_visited"], 2);

    // A leader may narrow to a village of their own.
    let (status, village) = stats(&app, LEADER, &[("from", FROM), ("to", TO), ("unit", PUTOU)]).await;
    assert_eq!((status, village["totals"]["found"].as_u64()), (200, Some(3)));
    assert_eq!(village["units"], serde_json::json!([]));

    // Another township, an unknown unit: the same 404 as any out-of-scope read.
    for other in ["350481102", XIMEN, "350481", "999999999999"] {
        let (status, body) = stats(&app, LEADER, &[("from", FROM), ("to", TO), ("unit", other)]).await;
        assert_eq!((status, body["code"].as_str()), (404, Some("not_found")), "{other}");
    }
    // A village officer is refused, on every endpoint, whatever the query; no token is 401.
    for path in ["/stats", "/stats/export.xlsx", "/stats/export.csv"] {
        let res = get(&app, OFFICER, path, &period).await;
        assert_eq!(res.status(), 403, "{path}");
        assert_eq!(res.json::<Value>().await.unwrap()["code"], "forbidden");
        let res = get(&app, OFFICER, path, &[("form", FROM)]).await;
        assert_eq!(res.status(), 403, "{path}: who may ask is refused before what was asked");
        let res = get(&app, "not-a-token", path, &period).await;
        assert_eq!(res.status(), 401, "{path}");
    }
    app.stop().await;
}

async fn bad_parameters_are_refused_with_clear_errors(b: Backend) {
    let app = TestApp::spawn(b).await;
    let cases: &[(&[(&str, &str)], &str)] = &[
        (&[("to", TO)], "from is required"),
        (&[("from", FROM)], "to is required"),
        (&[("from", "2025-3-1"), ("to", TO)], "YYYY-MM-DD"),
        (&[("from", "2025-02-30"), ("to", TO)], "YYYY-MM-DD"),
        (&[("from", "yesterday"), ("to", TO)], "YYYY-MM-DD"),
        (&[("from", FROM), ("to", "2025-02-28")], "before"),
        (&[("from", "2024-01-01"), ("to", "2025-03-31")], "at most 366"),
        (&[("from", "1900-01-01"), ("to", "1900-01-02")], "between 2000 and 2100"),
        (&[("from", FROM), ("to", TO), ("unit", "")], "unit"),
        (&[("from", FROM), ("to", TO), ("form", FROM)], "form"),
    ];
    for path in ["/stats", "/stats/export.xlsx", "/stats/export.csv"] {
        for (query, says) in cases {
            let res = get(&app, LEADER, path, query).await;
            assert_eq!(res.status(), 400, "{path} {query:?}");
            let body: Value = res.json().await.unwrap();
            assert_eq!(body["code"], "bad_request");
            let message = body["message"].as_str().unwrap();
            assert!(message.contains(says), "{path} {query:?}: {message}");
        }
    }
    app.stop().await;
}

on_both_backends!(
    the_figures_count_the_period_exactly,
    each_caller_sees_only_their_jurisdiction,
    bad_parameters_are_refused_with_clear_errors,
);
