//! Uploads under way belong to the device making them: another device's bad upload of the same
//! hash never blocks the owner's, a blob is kept only if it is the size and type declared,
//! abandoned uploads expire, and a device may hold only so much unfinished.

use std::time::Duration;

use anlan_server::store::UploadLimits;
use anlan_tests::blobs::*;
use anlan_tests::*;
use reqwest::StatusCode;
use serde_json::Value;

on_both_backends!(
    another_devices_bad_upload_of_the_same_photo_never_blocks_the_owner,
    an_abandoned_partial_upload_expires,
    a_device_may_hold_only_so_much_unfinished_and_is_told_so_in_json,
);

async fn another_devices_bad_upload_of_the_same_photo_never_blocks_the_owner(b: Backend) {
    let app = TestApp::spawn(b).await;
    let (_officer, _, bytes) = officer_with_photo(&app, 2 * CHUNK + 5).await;
    let blobs = Blobs::new(&app);
    let hash = sha(&bytes);

    // The leader sees the case, so knows the hash: one byte under another size …
    let squat = blobs.put(LEADER, &hash, "image/jpeg", 3 * CHUNK, 0, &bytes[..1]).await;
    assert_eq!(squat.status, StatusCode::OK, "{}", squat.json);
    // … and the whole photo under another type, which its bytes contradict.
    let retyped = blobs.put(COUNTY, &hash, "image/png", bytes.len(), 0, &bytes[..CHUNK]).await;
    assert_eq!(retyped.status, StatusCode::OK);
    blobs.put(COUNTY, &hash, "image/png", bytes.len(), CHUNK, &bytes[CHUNK..2 * CHUNK]).await;
    let last = blobs.put(COUNTY, &hash, "image/png", bytes.len(), 2 * CHUNK, &bytes[2 * CHUNK..]).await;
    assert_eq!(
        (last.status, &last.json["code"]),
        (StatusCode::UNPROCESSABLE_ENTITY, &Value::from("type_mismatch"))
    );

    assert_eq!(blobs.status(OFFICER, &hash).await.json["received"], 0, "the owner starts from 0, unblocked");
    let done = blobs.upload_from(OFFICER, "image/jpeg", &bytes, 0).await;
    assert_eq!(done.json["complete"], true);
    let read = blobs.get(LEADER, &hash).await;
    assert_eq!((read.status, read.bytes == bytes), (StatusCode::OK, true));
    assert_eq!(read.headers["content-type"], "image/jpeg");
    let after = blobs.put(LEADER, &hash, "image/jpeg", 3 * CHUNK, 1, &bytes[1..2]).await;
    assert_eq!(after.json["complete"], true, "a finished blob answers complete to anyone");
    assert_eq!(app.store.partial_upload_bytes(None).await.unwrap(), 0, "the squatter's byte is gone");
}

async fn an_abandoned_partial_upload_expires(b: Backend) {
    let limits = UploadLimits { ttl: Duration::from_secs(1), ..UploadLimits::default() };
    let app = TestApp::spawn_with(TestDb::new(b).await, |c| c.uploads = limits).await;
    let (_officer, _, bytes) = officer_with_photo(&app, 2 * CHUNK).await;
    let blobs = Blobs::new(&app);
    let hash = sha(&bytes);

    blobs.put(OFFICER, &hash, "image/jpeg", bytes.len(), 0, &bytes[..CHUNK]).await;
    assert_eq!(blobs.status(OFFICER, &hash).await.json["received"], CHUNK);
    assert_eq!(app.store.partial_upload_bytes(None).await.unwrap(), CHUNK as i64);

    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert_eq!(blobs.status(OFFICER, &hash).await.json["received"], 0, "expired: start again");
    let deadline = tokio::time::Instant::now() + Duration::from_secs(3);
    while app.store.partial_upload_bytes(None).await.unwrap() > 0 {
        assert!(tokio::time::Instant::now() < deadline, "the abandoned bytes are swept away");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(blobs.upload_from(OFFICER, "image/jpeg", &bytes, 0).await.json["complete"], true);
}

async fn a_device_may_hold_only_so_much_unfinished_and_is_told_so_in_json(b: Backend) {
    let limits = UploadLimits { quota: 2 * CHUNK as i64, ..UploadLimits::default() };
    let app = TestApp::spawn_with(TestDb::new(b).await, |c| c.uploads = limits).await;
    let (mut officer, id, first) = officer_with_photo(&app, 3 * CHUNK).await;
    let second = photo(3 * CHUNK);
    attach(&mut officer, id, &sha(&second), "image/jpeg", second.len());
    officer.sync().await.unwrap();
    let blobs = Blobs::new(&app);
    let (a, b2) = (sha(&first), sha(&second));

    blobs.put(OFFICER, &a, "image/jpeg", first.len(), 0, &first[..CHUNK]).await;
    blobs.put(OFFICER, &a, "image/jpeg", first.len(), CHUNK, &first[CHUNK..2 * CHUNK]).await;
    let over = blobs.put(OFFICER, &b2, "image/jpeg", second.len(), 0, &second[..CHUNK]).await;
    assert_eq!(over.status, StatusCode::PAYLOAD_TOO_LARGE, "{}", over.json);
    assert_eq!(
        (&over.json["code"], &over.json["held"]),
        (&Value::from("upload_quota"), &Value::from(2 * CHUNK))
    );
    assert!(over.json["message"].as_str().unwrap().contains("unfinished"));
    let elsewhere = blobs.put(LEADER, &b2, "image/jpeg", second.len(), 0, &second[..CHUNK]).await;
    assert_eq!(elsewhere.status, StatusCode::OK, "the quota is per device");

    // The chunk that finishes an upload is always taken, and frees the quota.
    let done = blobs.put(OFFICER, &a, "image/jpeg", first.len(), 2 * CHUNK, &first[2 * CHUNK..]).await;
    assert_eq!(done.json["complete"], true, "{}", done.json);
    assert_eq!(blobs.upload_from(OFFICER, "image/jpeg", &second, 0).await.json["complete"], true);
}
