//! The people directory behind the assignment form: names, roles and units of the township,
//! never phone numbers.

use anlan_tests::*;

on_both_backends!(the_directory_lists_the_township_without_phone_numbers);

async fn people(app: &TestApp, token: &str) -> (u16, serde_json::Value) {
    let res = reqwest::Client::new()
        .get(format!("{}/api/v1/people", app.url))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    let status = res.status().as_u16();
    (status, res.json().await.unwrap_or_default())
}

async fn the_directory_lists_the_township_without_phone_numbers(b: Backend) {
    let app = TestApp::spawn(b).await;
    // A village officer sees the township's people: the leader who may be named on a case.
    let (status, body) = people(&app, OFFICER).await;
    assert_eq!(status, 200);
    let list = body["people"].as_array().unwrap();
    let ids: Vec<&str> = list.iter().map(|p| p["id"].as_str().unwrap()).collect();
    assert!(ids.contains(&"u_demo_leader"), "{ids:?}");
    assert!(ids.contains(&"u_demo_officer"), "{ids:?}");
    assert!(!ids.contains(&"u_demo_county"), "the county is above the township: {ids:?}");
    assert!(list.iter().all(|p| p.get("phone").is_none()), "phone numbers leaked: {list:?}");
    let leader = list.iter().find(|p| p["id"] == "u_demo_leader").unwrap();
    assert_eq!(leader["name"], "陈建国");
    assert_eq!(leader["role"], "township_leader");

    // The county administrator's directory is the county, which includes the township.
    let (_, county) = people(&app, COUNTY).await;
    let ids: Vec<&str> =
        county["people"].as_array().unwrap().iter().map(|p| p["id"].as_str().unwrap()).collect();
    assert!(ids.contains(&"u_demo_county") && ids.contains(&"u_demo_leader"), "{ids:?}");

    let (status, _) = people(&app, "not-a-token").await;
    assert_eq!(status, 401);
}
