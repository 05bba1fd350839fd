//! Photos and scans (PROTOCOL.md "Blobs"): chunked, resumable uploads that are kept only when
//! the SHA-256 of the whole matches, byte-exact reads, the limits, and scope — a blob is
//! reachable only through a case the device can see that lists it.

use anlan_tests::blobs::*;
use anlan_tests::*;
use automerge::transaction::Transactable;
use automerge::{ROOT, ReadDoc};
use reqwest::StatusCode;
use serde_json::Value;

async fn a_photo_uploaded_in_chunks_reads_back_byte_exact(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (_officer, _, bytes) = officer_with_photo(&app, 300 * 1024 + 17).await;
    let blobs = Blobs::new(&app);
    let hash = sha(&bytes);

    let last = blobs.upload_from(OFFICER, "image/jpeg", &bytes, 0).await;

    assert_eq!(last.json["complete"], true);
    for token in [OFFICER, LEADER, COUNTY] {
        let got = blobs.get(token, &hash).await;
        assert_eq!(got.status, StatusCode::OK, "{token}");
        assert!(got.bytes == bytes, "{token} reads back the exact bytes");
        assert_eq!(got.headers["content-type"], "image/jpeg");
        assert_eq!(got.headers["etag"], format!("\"{hash}\"").as_str());
        assert!(got.headers["cache-control"].to_str().unwrap().contains("immutable"));
    }
    let revalidated = reqwest::Client::new()
        .get(format!("{}/{hash}", blobs.url))
        .bearer_auth(LEADER)
        .header("if-none-match", format!("\"{hash}\""))
        .send()
        .await
        .unwrap();
    assert_eq!(revalidated.status(), StatusCode::NOT_MODIFIED);
    let again = blobs.put(OFFICER, &hash, "image/jpeg", bytes.len(), 0, &bytes[..CHUNK]).await;
    assert_eq!((again.status, &again.json["complete"]), (StatusCode::OK, &Value::Bool(true)), "idempotent");
}

async fn a_cut_off_upload_resumes_where_the_server_stands(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (_officer, _, bytes) = officer_with_photo(&app, 4 * CHUNK + 5).await;
    let blobs = Blobs::new(&app);
    let hash = sha(&bytes);
    let fresh = blobs.status(OFFICER, &hash).await;
    assert_eq!((fresh.status, &fresh.json["received"]), (StatusCode::OK, &Value::from(0)));
    for start in [0, CHUNK] {
        blobs.put(OFFICER, &hash, "image/jpeg", bytes.len(), start, &bytes[start..start + CHUNK]).await;
    }

    let partial = blobs.status(OFFICER, &hash).await;
    assert_eq!(partial.json["received"], 2 * CHUNK);
    assert_eq!(partial.json["complete"], false);
    assert_eq!(blobs.get(LEADER, &hash).await.status, StatusCode::NOT_FOUND, "not readable until whole");
    let from = partial.json["received"].as_u64().unwrap() as usize;
    blobs.upload_from(OFFICER, "image/jpeg", &bytes, from).await;

    assert!(blobs.get(LEADER, &hash).await.bytes == bytes);
    assert_eq!(blobs.status(OFFICER, &hash).await.json["complete"], true);
}

async fn a_chunk_at_the_wrong_offset_is_told_where_to_go_on(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (_officer, _, bytes) = officer_with_photo(&app, 3 * CHUNK).await;
    let blobs = Blobs::new(&app);
    let hash = sha(&bytes);
    blobs.put(OFFICER, &hash, "image/jpeg", bytes.len(), 0, &bytes[..CHUNK]).await;

    for offset in [0, 2 * CHUNK] {
        let a = blobs
            .put(OFFICER, &hash, "image/jpeg", bytes.len(), offset, &bytes[offset..offset + CHUNK])
            .await;
        assert_eq!(a.status, StatusCode::CONFLICT, "offset {offset}");
        assert_eq!(a.json["code"], "wrong_offset");
        assert_eq!(a.json["received"], CHUNK);
    }
    let other_size =
        blobs.put(OFFICER, &hash, "image/jpeg", bytes.len() + 1, CHUNK, &bytes[CHUNK..2 * CHUNK]).await;
    assert_eq!(
        (other_size.status, &other_size.json["code"]),
        (StatusCode::CONFLICT, &Value::from("upload_mismatch"))
    );

    assert_eq!(blobs.status(OFFICER, &hash).await.json["received"], CHUNK, "nothing refused was stored");
    blobs.upload_from(OFFICER, "image/jpeg", &bytes, CHUNK).await;
    assert!(blobs.get(OFFICER, &hash).await.bytes == bytes);
}

async fn bytes_that_do_not_match_their_hash_are_discarded(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (_officer, _, bytes) = officer_with_photo(&app, 2 * CHUNK + 9).await;
    let blobs = Blobs::new(&app);
    let hash = sha(&bytes);
    let mut forged = bytes.clone();
    forged[CHUNK + 3] ^= 0xff;

    blobs.put(OFFICER, &hash, "image/jpeg", bytes.len(), 0, &forged[..CHUNK]).await;
    blobs.put(OFFICER, &hash, "image/jpeg", bytes.len(), CHUNK, &forged[CHUNK..2 * CHUNK]).await;
    let last = blobs.put(OFFICER, &hash, "image/jpeg", bytes.len(), 2 * CHUNK, &forged[2 * CHUNK..]).await;

    assert_eq!(last.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(last.json["code"], "hash_mismatch");
    assert_eq!(blobs.status(OFFICER, &hash).await.json["received"], 0, "start again from zero");
    assert_eq!(blobs.get(OFFICER, &hash).await.status, StatusCode::NOT_FOUND);
    blobs.upload_from(OFFICER, "image/jpeg", &bytes, 0).await;
    assert!(blobs.get(OFFICER, &hash).await.bytes == bytes, "the genuine bytes are accepted afterwards");
}

async fn too_large_wrong_type_and_malformed_uploads_are_refused_with_json(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (_officer, _, bytes) = officer_with_photo(&app, 600 * 1024).await;
    let blobs = Blobs::new(&app);
    let hash = sha(&bytes);
    let whole = bytes.len();

    let cases: Vec<(Answer, StatusCode, &str)> = vec![
        (
            blobs.put(OFFICER, &hash, "image/jpeg", 10 * 1024 * 1024 + 1, 0, &bytes[..10]).await,
            StatusCode::PAYLOAD_TOO_LARGE,
            "payload_too_large",
        ),
        (
            blobs.put(OFFICER, &hash, "image/jpeg", whole, 0, &bytes[..512 * 1024 + 1]).await,
            StatusCode::PAYLOAD_TOO_LARGE,
            "payload_too_large",
        ),
        (
            blobs.put(OFFICER, &hash, "text/html", whole, 0, &bytes[..10]).await,
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
        ),
        (
            blobs.put(OFFICER, &hash, "image/jpeg", 0, 0, &bytes[..10]).await,
            StatusCode::BAD_REQUEST,
            "bad_request",
        ),
        (
            blobs.put(OFFICER, &hash, "image/jpeg", whole, 0, &[]).await,
            StatusCode::BAD_REQUEST,
            "bad_request",
        ),
        (
            blobs.put(OFFICER, &hash, "image/jpeg", 10, 5, &bytes[..10]).await,
            StatusCode::BAD_REQUEST,
            "bad_request",
        ),
    ];
    for (i, (a, status, code)) in cases.iter().enumerate() {
        assert_eq!(a.status, *status, "case {i}: {}", a.json);
        assert_eq!(a.json["code"], *code, "case {i}");
        assert!(a.json["message"].as_str().is_some_and(|m| !m.is_empty()), "case {i}");
    }
    let no_offset = reqwest::Client::new()
        .put(format!("{}/{hash}", blobs.url))
        .bearer_auth(OFFICER)
        .header("content-type", "image/jpeg")
        .header("anlan-blob-size", whole.to_string())
        .body(bytes[..10].to_vec())
        .send()
        .await
        .unwrap();
    assert_eq!(no_offset.status(), StatusCode::BAD_REQUEST);

    assert_eq!(blobs.status(OFFICER, &hash).await.json["received"], 0, "nothing refused was stored");
}

async fn a_device_out_of_scope_can_neither_upload_nor_read(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (_officer, _, bytes) = officer_with_photo(&app, CHUNK + 1).await;
    let blobs = Blobs::new(&app);
    let hash = sha(&bytes);
    let neighbour = app.enrol("u-neighbour", "village_officer", CAOYUAN_VILLAGE).await;
    let elsewhere = app.enrol("u-elsewhere", "township_leader", "350481102").await;

    for token in [&neighbour.token, &elsewhere.token] {
        let up = blobs.put(token, &hash, "image/jpeg", bytes.len(), 0, &bytes[..CHUNK]).await;
        assert_eq!((up.status, &up.json["code"]), (StatusCode::NOT_FOUND, &Value::from("not_found")));
        assert_eq!(blobs.status(token, &hash).await.status, StatusCode::NOT_FOUND);
    }
    blobs.upload_from(OFFICER, "image/jpeg", &bytes, 0).await;
    for token in [&neighbour.token, &elsewhere.token] {
        let read = blobs.get(token, &hash).await;
        assert_eq!(read.status, StatusCode::NOT_FOUND, "exactly like an unknown blob");
        assert_eq!(read.json, blobs.get(token, &sha(b"nobody has this")).await.json);
    }
    assert_eq!(
        blobs.get(LEADER, &hash).await.status,
        StatusCode::OK,
        "the township sees its village's photo"
    );
}

async fn a_blob_no_case_lists_is_refused(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (mut officer, id, listed) = officer_with_photo(&app, 1000).await;
    let blobs = Blobs::new(&app);
    let stray = photo(1000);

    let up = blobs.put(OFFICER, &sha(&stray), "image/jpeg", stray.len(), 0, &stray).await;
    assert_eq!(up.status, StatusCode::NOT_FOUND);
    assert_eq!(
        blobs.put(COUNTY, &sha(&stray), "image/jpeg", stray.len(), 0, &stray).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(blobs.status(OFFICER, "not-a-hash").await.status, StatusCode::NOT_FOUND);

    // Taking the photo off the case takes away access through it, live and after a rebuild.
    blobs.upload_from(OFFICER, "image/jpeg", &listed, 0).await;
    anlan_server::reproject::reproject(&app.store).await.unwrap();
    assert_eq!(blobs.get(LEADER, &sha(&listed)).await.status, StatusCode::OK, "the rebuild keeps the link");
    officer.edit(id, |tx| {
        let list = tx.get(ROOT, "attachments")?.expect("attachments").1;
        tx.delete(&list, 0)
    });
    officer.sync().await.unwrap();
    assert_eq!(blobs.get(LEADER, &sha(&listed)).await.status, StatusCode::NOT_FOUND);
    anlan_server::reproject::reproject(&app.store).await.unwrap();
    assert_eq!(blobs.get(LEADER, &sha(&listed)).await.status, StatusCode::NOT_FOUND);
}

/// The merge rewrites a case's links only when its attachments change: an edit that leaves
/// them alone keeps the photo readable, and one that adds a photo to a stored case links it.
async fn an_edit_keeps_the_links_it_leaves_alone_and_links_a_photo_it_adds(backend: Backend) {
    use sync_protocol::case::{Severity, write};
    let app = TestApp::spawn(backend).await;
    let (mut officer, id, first) = officer_with_photo(&app, 1000).await;
    let blobs = Blobs::new(&app);
    blobs.upload_from(OFFICER, "image/jpeg", &first, 0).await;

    officer.edit(id, |tx| write::set_severity(tx, Severity::Urgent));
    officer.sync().await.unwrap();
    assert_eq!(officer.pending(), 0, "the edit was stored");
    assert_eq!(blobs.get(LEADER, &sha(&first)).await.status, StatusCode::OK, "the edit kept the link");

    let second = photo(1000);
    assert_eq!(blobs.get(LEADER, &sha(&second)).await.status, StatusCode::NOT_FOUND);
    attach(&mut officer, id, &sha(&second), "image/jpeg", second.len());
    officer.sync().await.unwrap();
    blobs.upload_from(OFFICER, "image/jpeg", &second, 0).await;
    for (photo, what) in [(&first, "the first photo"), (&second, "the added photo")] {
        let read = blobs.get(LEADER, &sha(photo)).await;
        assert_eq!(read.status, StatusCode::OK, "{what}");
        assert!(read.bytes == *photo, "{what} reads back");
    }
}

on_both_backends!(
    a_photo_uploaded_in_chunks_reads_back_byte_exact,
    a_cut_off_upload_resumes_where_the_server_stands,
    a_chunk_at_the_wrong_offset_is_told_where_to_go_on,
    bytes_that_do_not_match_their_hash_are_discarded,
    too_large_wrong_type_and_malformed_uploads_are_refused_with_json,
    a_device_out_of_scope_can_neither_upload_nor_read,
    a_blob_no_case_lists_is_refused,
    an_edit_keeps_the_links_it_leaves_alone_and_links_a_photo_it_adds,
);
