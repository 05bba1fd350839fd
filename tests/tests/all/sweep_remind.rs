//! A leader's "remind the missing villages" (`POST /campaigns/{id}/remind`): it reaches the
//! missing village's officer through the push path, not the village that answered, at most once
//! per Beijing day whether the leader or the sweep clock comes first, and only from the township
//! and above.

use crate::sweep_support as support;

use anlan_server::campaigns::beijing_date;
use anlan_tests::push_service::PushService;
use anlan_tests::*;
use serde_json::{Value, json};
use support::*;
use sync_protocol::sweep::write;

on_both_backends!(
    a_leader_reminds_the_missing_villages_once_a_day_and_only_them,
    a_field_officer_may_not_remind,
    the_clock_does_not_remind_again_a_village_a_leader_reminded_today,
);

async fn post_remind(app: &TestApp, token: &str, campaign: &str) -> (u16, Value) {
    let res = reqwest::Client::new()
        .post(format!("{}/api/v1/campaigns/{campaign}/remind", app.url))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    let status = res.status().as_u16();
    (status, res.json().await.unwrap_or(Value::Null))
}

async fn a_leader_reminds_the_missing_villages_once_a_day_and_only_them(b: Backend) {
    let app = TestApp::spawn(b).await;
    let push = PushService::spawn().await;
    let officer_sub = app.subscribe_push(&push, OFFICER).await;
    let mut answering = app.enrol("u_caoyuan_officer", "village_officer", CAOYUAN_VILLAGE).await;
    answering.login().await.unwrap();
    let answering_sub = app.subscribe_push(&push, &answering.token).await;
    // Due in ten days: outside the clock's last three days, so only the leader can remind now.
    let now = anlan_server::store::now_ms();
    let campaign = launch(
        &app,
        COUNTY,
        json!({ "townships": [CAOYUAN], "deadline": now + 10 * DAY, "window_end": now + 10 * DAY }),
    )
    .await;
    report(&mut answering, &campaign, CAOYUAN_VILLAGE, |tx, me| write::add_nil(tx, me, 1));
    answering.sync().await.unwrap();
    assert!(answering.rejected.is_empty(), "{:?}", answering.rejected);
    let roster = completeness(&app, LEADER, &campaign).await["villages"].as_array().unwrap().len();

    let (status, body) = post_remind(&app, LEADER, &campaign).await;
    assert_eq!(status, 200, "{body}");
    let reminded: Vec<&str> =
        body["reminded"].as_array().unwrap().iter().map(|v| v.as_str().unwrap()).collect();
    assert!(reminded.contains(&PUTOU), "{body}");
    assert!(!reminded.contains(&CAOYUAN_VILLAGE), "a village that answered is not reminded: {body}");
    assert_eq!(body["villages"], roster - 1, "every other village of the roster is missing: {body}");
    assert!(body["people"].as_u64().unwrap() >= 1, "{body}");
    assert!(body["sent"].as_u64().unwrap() >= 1, "the officer's phone takes push: {body}");

    let mine = |sub| {
        push.messages_for(sub).into_iter().filter(|m| m.json()["campaign"] == campaign.as_str()).count()
    };
    assert!(
        wait_for(|| async { mine(&officer_sub) == 1 }).await,
        "the missing village's officer is reminded"
    );
    let msg = push.messages_for(&officer_sub).into_iter().find(|m| m.json()["campaign"] == campaign.as_str());
    let msg = msg.unwrap().json();
    assert_eq!((msg["kind"].as_str(), msg["village"].as_str()), (Some("sweep_reminder"), Some(PUTOU)));
    assert_eq!(mine(&answering_sub), 0, "the officer of the village that answered gets nothing");

    // A second press the same day claims nothing and sends nothing.
    let (status, again) = post_remind(&app, LEADER, &campaign).await;
    assert_eq!(status, 200, "{again}");
    assert_eq!(
        (again["villages"].as_u64(), again["people"].as_u64(), again["sent"].as_u64()),
        (Some(0), Some(0), Some(0))
    );
    assert!(again["already_today"].as_array().unwrap().iter().any(|v| v == PUTOU), "{again}");
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert_eq!(mine(&officer_sub), 1, "once a day");

    let log = get(&app, COUNTY, &format!("/api/v1/campaigns/{campaign}/reminders")).await;
    let putou: Vec<&Value> =
        log["reminders"].as_array().unwrap().iter().filter(|r| r["village"] == PUTOU).collect();
    assert_eq!(putou.len(), 1, "{log}");
    assert_eq!(
        (putou[0]["state"].as_str(), putou[0]["day"].as_str()),
        (Some("sent"), Some(beijing_date(now).as_str()))
    );
}

async fn a_field_officer_may_not_remind(b: Backend) {
    let app = TestApp::spawn(b).await;
    let campaign = launch(&app, COUNTY, json!({ "townships": [CAOYUAN] })).await;
    let (status, body) = post_remind(&app, OFFICER, &campaign).await;
    assert_eq!(status, 403, "{body}");
    assert_eq!(body["code"], "forbidden", "{body}");
    let log = get(&app, LEADER, &format!("/api/v1/campaigns/{campaign}/reminders")).await;
    assert_eq!(log["reminders"], json!([]), "nothing was claimed");
    assert_eq!(post_remind(&app, LEADER, "no-such-campaign").await.0, 404);
}

async fn the_clock_does_not_remind_again_a_village_a_leader_reminded_today(b: Backend) {
    let app = TestApp::spawn(b).await;
    let now = anlan_server::store::now_ms();
    let campaign = launch(
        &app,
        COUNTY,
        json!({ "townships": [CAOYUAN], "deadline": now + DAY, "window_end": now + DAY }),
    )
    .await;
    let (status, body) = post_remind(&app, LEADER, &campaign).await;
    assert_eq!(status, 200, "{body}");
    assert!(body["villages"].as_u64().unwrap() >= 1, "{body}");
    let today = app.store.claim_sweep_reminders(now, &beijing_date(now), 3 * DAY, 1000).await.unwrap();
    assert!(
        today.iter().all(|d| !reminds_campaign(d, &campaign)),
        "the same cause: the clock claims nothing today"
    );
    let log = get(&app, LEADER, &format!("/api/v1/campaigns/{campaign}/reminders")).await;
    let days: Vec<&Value> =
        log["reminders"].as_array().unwrap().iter().filter(|r| r["village"] == PUTOU).collect();
    assert_eq!(days.len(), 1, "one row for the officer, from the leader's press: {log}");
    // Tomorrow the clock may remind again.
    app.store.claim_sweep_reminders(now, &beijing_date(now + DAY), 3 * DAY, 1000).await.unwrap();
    let log = get(&app, LEADER, &format!("/api/v1/campaigns/{campaign}/reminders")).await;
    assert!(
        log["reminders"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["village"] == PUTOU && r["day"] == beijing_date(now + DAY)),
        "{log}"
    );
}
