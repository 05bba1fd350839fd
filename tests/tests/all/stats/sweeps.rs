//! Sweep completeness in the monthly report (JSON and the 排查完成情况 sheet), over reports sent
//! through the sync path; and a closure awaiting the leader's confirmation, which is not resolved.

use std::io::Cursor;

use anlan_server::campaigns::beijing_date;
use anlan_tests::*;
use calamine::{Data, Reader, Xlsx};
use serde_json::{Value, json};
use sync_protocol::case::{Outcome, Severity, Status};
use sync_protocol::sweep::{genesis_doc, report_id, write};

const DAY: i64 = 86_400_000;

async fn launch(app: &TestApp, name: &str, start: i64, deadline: i64) -> String {
    let res = reqwest::Client::new()
        .post(format!("{}/api/v1/campaigns", app.url))
        .bearer_auth(COUNTY)
        .json(&json!({ "name": name, "kind": "concentrated", "window_start": start, "window_end": deadline,
                       "deadline": deadline, "townships": ["350481101"] }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
    res.json::<Value>().await.unwrap()["campaign"]["id"].as_str().unwrap().to_string()
}

/// Answer for `village` as a phone does: the shared genesis, then this device's edit.
fn answer(dev: &mut SimDevice, campaign: &str, village: &str, found: Option<&str>) {
    let id = report_id(campaign, village);
    dev.docs
        .entry(id)
        .or_insert_with(|| anlan_tests::device::Local { doc: genesis_doc(campaign, village), acked: vec![] });
    let (me, now) = (dev.user_id.clone(), anlan_server::store::now_ms());
    dev.edit(id, |tx| match found {
        Some(case) => write::add_found(tx, case, &me, now),
        None => write::add_nil(tx, &me, now),
    });
}

fn period(now: i64) -> [(&'static str, String); 2] {
    [("from", beijing_date(now - 3 * DAY)), ("to", beijing_date(now + 3 * DAY))]
}

async fn stats(app: &TestApp, query: &[(&'static str, String)], path: &str) -> reqwest::Response {
    let res = reqwest::Client::new()
        .get(format!("{}/api/v1{path}", app.url))
        .bearer_auth(LEADER)
        .query(query)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200, "{path}");
    res
}

async fn the_report_counts_each_due_campaigns_completeness(b: Backend) {
    let app = TestApp::spawn(b).await;
    let now = anlan_server::store::now_ms();
    let past = launch(&app, "春节前集中排查", now - 2 * 3_600_000, now - 3_600_000).await;
    let open = launch(&app, "两会前集中排查", now - 60_000, now + DAY).await;
    let later = launch(&app, "下月专项排查", now - 60_000, now + 10 * DAY).await;
    let mut putou = app.device(OFFICER);
    putou.login().await.unwrap();
    let mut caoyuan = app.enrol("u_caoyuan_officer", "village_officer", CAOYUAN_VILLAGE).await;
    caoyuan.login().await.unwrap();
    let case = caoyuan.create(&caoyuan.new_case(CAOYUAN_VILLAGE, Severity::Major, "宅基地边界纠纷"));
    answer(&mut putou, &past, PUTOU, None); // after its deadline: late
    answer(&mut putou, &open, PUTOU, None);
    answer(&mut caoyuan, &open, CAOYUAN_VILLAGE, Some(&case.to_string()));
    answer(&mut putou, &later, PUTOU, None);
    putou.sync().await.unwrap();
    caoyuan.sync().await.unwrap();
    assert!(
        putou.rejected.is_empty() && caoyuan.rejected.is_empty(),
        "{:?} {:?}",
        putou.rejected,
        caoyuan.rejected
    );
    let villages = reqwest::Client::new()
        .get(format!("{}/api/v1/campaigns/{open}/completeness", app.url))
        .bearer_auth(LEADER)
        .send()
        .await
        .unwrap()
        .json::<Value>()
        .await
        .unwrap()["villages"]
        .as_array()
        .unwrap()
        .len() as u64;
    assert!(villages >= 2, "曹远镇 has both villages on the roster");

    let r: Value = stats(&app, &period(now), "/stats").await.json().await.unwrap();
    let lines = r["sweeps"].as_array().unwrap();
    let names: Vec<&str> = lines.iter().map(|l| l["name"].as_str().unwrap()).collect();
    assert_eq!(
        names,
        ["春节前集中排查", "两会前集中排查"],
        "by deadline; the one due later is not in the period"
    );
    let counts =
        |l: &Value| ["villages", "reported", "nil", "missing", "late"].map(|k| l[k].as_u64().unwrap());
    assert_eq!(counts(&lines[0]), [villages, 0, 1, villages - 1, 1]);
    assert_eq!(counts(&lines[1]), [villages, 1, 1, villages - 2, 0]);
    assert_eq!(r["totals"]["sweep_reports"], 4, "every answer received in the period");

    let bytes = stats(&app, &period(now), "/stats/export.xlsx").await.bytes().await.unwrap();
    let mut wb: Xlsx<_> = Xlsx::new(Cursor::new(bytes.to_vec())).expect("a valid workbook");
    let sheet = wb.worksheet_range("排查完成情况").expect("the completeness sheet");
    let cell = |r: u32, c: u32| sheet.get_value((r, c)).cloned().unwrap_or(Data::Empty);
    let header: Vec<String> = (0..8).map(|c| cell(0, c).to_string()).collect();
    assert_eq!(
        header,
        ["排查活动", "类型", "截止时间", "应报村数", "已报（有案件）", "零报告", "未报", "迟报"]
    );
    assert_eq!(
        (cell(1, 0).to_string(), cell(1, 1).to_string()),
        ("春节前集中排查".into(), "集中排查".into())
    );
    assert!(matches!(cell(1, 2), Data::DateTime(_)), "a real date cell");
    let row = |r: u32| (3..8).map(|c| super::exports::number(Some(&cell(r, c))) as u64).collect::<Vec<_>>();
    assert_eq!(row(1), counts(&lines[0]));
    assert_eq!(row(2), counts(&lines[1]));
    assert_eq!(cell(3, 0), Data::Empty, "two campaigns, two rows");
}

async fn a_closure_awaiting_confirmation_is_neither_resolved_nor_closed(b: Backend) {
    let app = TestApp::spawn(b).await;
    let now = anlan_server::store::now_ms();
    let mut officer = app.device(OFFICER);
    officer.login().await.unwrap();
    let case = |title: &str| {
        let mut c = officer.new_case(PUTOU, Severity::Major, title);
        c.reported_at = now;
        c
    };
    let (a, b) = (case("已调解的纠纷"), case("两种结案意见的纠纷"));
    let (settled, disputed) = (officer.create(&a), officer.create(&b));
    officer.sync().await.unwrap();
    let (mut leader, mut county) = (app.device(LEADER), app.device(COUNTY));
    leader.login().await.unwrap();
    county.login().await.unwrap();
    leader.sync().await.unwrap();
    for id in [settled, disputed] {
        leader.set_status(id, Status::Resolved);
        // A deadline already past: an unsettled case is overdue, a settled one is not.
        leader.edit(id, |tx| {
            automerge::transaction::Transactable::put(
                tx,
                automerge::ROOT,
                "deadline",
                automerge::ScalarValue::Timestamp(now - 3 * DAY),
            )
            .map(|_| ())
        });
    }
    leader.close(settled, Outcome::Mediated, "已达成调解协议");
    leader.sync().await.unwrap();
    county.sync().await.unwrap();
    // Two offline closures that disagree: the case waits for the responsible leader.
    leader.close(disputed, Outcome::Mediated, "已达成调解协议");
    county.close(disputed, Outcome::Unfounded, "经核查反映不属实");
    leader.sync().await.unwrap();
    county.sync().await.unwrap();
    leader.sync().await.unwrap();
    assert!(
        leader.rejected.is_empty() && county.rejected.is_empty(),
        "{:?} {:?}",
        leader.rejected,
        county.rejected
    );
    assert_eq!(app.case_json(LEADER, disputed).await["needs_confirmation"], true);

    let r: Value = stats(&app, &period(now), "/stats").await.json().await.unwrap();
    let t = &r["totals"];
    assert_eq!(
        (t["found"].as_u64(), t["resolved"].as_u64(), t["overdue"].as_u64()),
        (Some(2), Some(1), Some(1)),
        "{t}"
    );
    let csv = stats(&app, &period(now), "/stats/export.csv").await.text().await.unwrap();
    let row = csv.lines().find(|l| l.contains("两种结案意见的纠纷")).expect("listed");
    assert!(row.contains(",是,"), "overdue in the list, with no resolution time: {row}");
    let settled_row = csv.lines().find(|l| l.contains("已调解的纠纷")).unwrap();
    assert!(settled_row.contains(",否,"), "{settled_row}");
}

on_both_backends!(
    the_report_counts_each_due_campaigns_completeness,
    a_closure_awaiting_confirmation_is_neither_resolved_nor_closed,
);
