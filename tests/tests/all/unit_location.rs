//! Units on the map: administrators give a unit coordinates (when adding it, or later), the
//! villages list carries them to the phones for the offline map, bad or half-given points are
//! refused with a clear error, and nobody places a unit outside their jurisdiction.

use anlan_server::store::{LatLon, SqlStore};
use anlan_tests::*;
use reqwest::StatusCode;
use serde_json::{Value, json};

on_both_backends!(
    a_unit_placed_by_an_administrator_reaches_the_villages_list,
    a_unit_taken_off_the_map_can_be_placed_again,
    bad_or_half_given_coordinates_are_refused_and_change_nothing,
    nobody_places_a_unit_outside_their_jurisdiction_or_above_their_role,
);

async fn village(app: &TestApp, token: &str, code: &str) -> Value {
    let (s, list) = app.api("GET", "/villages", token, None).await;
    assert_eq!(s, StatusCode::OK, "{list}");
    list.as_array().unwrap().iter().find(|v| v["code"] == code).cloned().unwrap_or(Value::Null)
}

async fn a_unit_placed_by_an_administrator_reaches_the_villages_list(b: Backend) {
    let app = TestApp::spawn(b).await;
    // The demo villages come placed around 曹远镇.
    let putou = village(&app, LEADER, PUTOU).await;
    let (lat, lon) = (putou["latitude"].as_f64().unwrap(), putou["longitude"].as_f64().unwrap());
    assert!((25.8..26.0).contains(&lat) && (117.2..117.4).contains(&lon), "{putou}");

    let path = format!("/admin/units/{CAOYUAN_VILLAGE}/location");
    let (s, placed) =
        app.api("PUT", &path, COUNTY, Some(json!({ "latitude": 25.94, "longitude": 117.31 }))).await;
    assert_eq!(s, StatusCode::OK, "{placed}");
    assert_eq!(placed["latitude"], 25.94);
    let v = village(&app, LEADER, CAOYUAN_VILLAGE).await;
    assert_eq!((v["latitude"].as_f64(), v["longitude"].as_f64()), (Some(25.94), Some(117.31)), "{v}");

    // Taken off the map: listed still, without coordinates.
    let (s, _) = app.api("PUT", &path, COUNTY, Some(json!({ "latitude": null, "longitude": null }))).await;
    assert_eq!(s, StatusCode::OK);
    let v = village(&app, LEADER, CAOYUAN_VILLAGE).await;
    assert!(v["name"].is_string() && v.get("latitude").is_none(), "{v}");

    // A new unit may be placed as it is added.
    let unit = json!({ "code": "350481101299", "name": "新村", "kind": "village", "parent": "350481101",
        "latitude": 25.91, "longitude": 117.27 });
    let (s, made) = app.api("POST", "/admin/units", COUNTY, Some(unit)).await;
    assert_eq!(s, StatusCode::CREATED, "{made}");
    assert_eq!(village(&app, LEADER, "350481101299").await["longitude"], 117.27);
}

/// Taking a unit off the map binds two NULL numbers to the statement that places it. sqlx 0.9.0's
/// Any driver sent a NULL `f64` as a PostgreSQL `float4`, so a connection whose first use of the
/// statement was a NULL refused every number after it ("incorrect binary data format"): a 500,
/// now and then, when an administrator placed a unit. A store of its own opens its connections
/// fresh, so here the NULL comes first on each of them.
async fn a_unit_taken_off_the_map_can_be_placed_again(b: Backend) {
    // One more than the store's PostgreSQL pool holds, so every connection it opens gets both.
    const EVERY_CONNECTION: usize = 17;
    let app = TestApp::spawn(b).await;
    let store = SqlStore::connect(&app.db.url).await.expect("connect");
    let at = LatLon::new(25.94, 117.31).unwrap();
    for _ in 0..EVERY_CONNECTION {
        store.set_unit_location(PUTOU, None).await.expect("taken off the map");
    }
    assert!(village(&app, LEADER, PUTOU).await.get("latitude").is_none());
    for _ in 0..EVERY_CONNECTION {
        store.set_unit_location(PUTOU, Some(at)).await.expect("placed again");
    }
    let v = village(&app, LEADER, PUTOU).await;
    assert_eq!((v["latitude"].as_f64(), v["longitude"].as_f64()), (Some(25.94), Some(117.31)), "{v}");
}

async fn bad_or_half_given_coordinates_are_refused_and_change_nothing(b: Backend) {
    let app = TestApp::spawn(b).await;
    let before = village(&app, LEADER, PUTOU).await;
    let path = format!("/admin/units/{PUTOU}/location");
    for body in [
        json!({ "latitude": 91.0, "longitude": 117.0 }),
        json!({ "latitude": 25.0, "longitude": -181.0 }),
        json!({ "latitude": 25.0 }),
        json!({ "latitude": "北纬25度", "longitude": 117.0 }),
    ] {
        let (s, err) = app.api("PUT", &path, COUNTY, Some(body.clone())).await;
        assert_eq!(s, StatusCode::BAD_REQUEST, "{body} → {err}");
        assert!(err["code"].is_string() && err["message"].is_string(), "{err}");
    }
    let unit = json!({ "code": "350481101298", "name": "半点村", "kind": "village", "parent": "350481101", "latitude": 25.9 });
    assert_eq!(app.api("POST", "/admin/units", COUNTY, Some(unit)).await.0, StatusCode::BAD_REQUEST);
    assert_eq!(village(&app, LEADER, "350481101298").await, Value::Null, "nothing half-made");
    assert_eq!(village(&app, LEADER, PUTOU).await, before);
}

async fn nobody_places_a_unit_outside_their_jurisdiction_or_above_their_role(b: Backend) {
    let app = TestApp::spawn(b).await;
    let here = json!({ "latitude": 26.0, "longitude": 117.0 });
    let shuiji = format!("/admin/units/{SHUIJI}/location");
    assert_eq!(app.api("PUT", &shuiji, COUNTY, Some(here.clone())).await.0, StatusCode::FORBIDDEN);
    let putou = format!("/admin/units/{PUTOU}/location");
    assert_eq!(app.api("PUT", &putou, OFFICER, Some(here.clone())).await.0, StatusCode::FORBIDDEN);
    assert_eq!(
        app.api("PUT", "/admin/units/350481999999/location", COUNTY, Some(here)).await.0,
        StatusCode::BAD_REQUEST
    );
}
