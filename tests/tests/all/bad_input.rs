//! Hostile and broken input: every case is a 4xx or a per-document rejection with a reason,
//! never a 5xx, and nothing is stored but the quarantine record.

use anlan_tests::*;
use automerge::transaction::Transactable;
use automerge::{ActorId, Automerge, AutomergeError, ObjType, ROOT};
use serde_bytes::ByteBuf;
use sync_protocol::DocId;
use sync_protocol::case::Severity;
use sync_protocol::wire::{self, PushDoc, RejectCode, Status, SyncRequest, SyncResponse};

on_both_backends!(
    malformed_bodies_are_client_errors,
    refused_documents_carry_reasons_and_the_rest_of_the_batch_commits,
    a_missing_or_unknown_token_is_refused,
    an_oversized_batch_is_refused_whole,
    immutable_fields_cannot_be_changed_later,
    a_case_cannot_claim_a_shared_genesis_change,
    a_malformed_query_string_is_a_json_bad_request,
);

async fn push_one(dev: &mut SimDevice, doc: DocId, changes: Vec<Vec<u8>>) -> SyncResponse {
    let req = SyncRequest {
        v: 1,
        push: vec![PushDoc { doc, changes: changes.into_iter().map(ByteBuf::from).collect() }],
        ..Default::default()
    };
    let res = dev.post(wire::encode(&req)).await.unwrap();
    assert_eq!(res.status(), 200);
    wire::decode(&res.bytes().await.unwrap()).unwrap()
}

async fn malformed_bodies_are_client_errors(b: Backend) {
    let app = TestApp::spawn(b).await;
    let mut dev = app.device(OFFICER);
    let valid = wire::encode(&SyncRequest { v: 1, ..Default::default() });
    let bodies: Vec<(&str, Vec<u8>)> = vec![
        ("garbage", b"\x00\xffnot cbor at all".to_vec()),
        ("empty", vec![]),
        ("truncated", valid[..valid.len() - 1].to_vec()),
        ("wrong shape", wire::encode(&vec![1, 2, 3])),
        ("future version", wire::encode(&SyncRequest { v: 99, ..Default::default() })),
        ("doc id of 3 bytes", {
            let mut m = std::collections::BTreeMap::new();
            m.insert("v", ciborium::Value::Integer(1.into()));
            let push = ciborium::Value::Array(vec![ciborium::Value::Map(vec![
                (ciborium::Value::Text("doc".into()), ciborium::Value::Bytes(vec![1, 2, 3])),
                (ciborium::Value::Text("changes".into()), ciborium::Value::Array(vec![])),
            ])]);
            let mut out = Vec::new();
            let mut map: Vec<(ciborium::Value, ciborium::Value)> =
                m.into_iter().map(|(k, v)| (ciborium::Value::Text(k.into()), v)).collect();
            map.push((ciborium::Value::Text("push".into()), push));
            ciborium::into_writer(&ciborium::Value::Map(map), &mut out).unwrap();
            out
        }),
    ];
    for (what, body) in bodies {
        let res = dev.post(body).await.unwrap();
        assert_eq!(res.status(), 400, "{what}");
        let err: serde_json::Value = res.json().await.unwrap();
        assert_eq!(err["code"], "bad_request", "{what}");
    }
    // The right bytes under the wrong media type.
    let res = reqwest::Client::new()
        .post(format!("{}/api/v1/sync", app.url))
        .bearer_auth(OFFICER)
        .header("content-type", "application/json")
        .body(valid)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 415);
    assert_eq!(app.store.change_count().await.unwrap(), 0);
}

async fn refused_documents_carry_reasons_and_the_rest_of_the_batch_commits(b: Backend) {
    let app = TestApp::spawn(b).await;
    let mut officer = app.device(OFFICER);
    officer.login().await.unwrap();
    let mut other = app.enrol("ximen2", "village_officer", XIMEN).await;
    other.login().await.unwrap();

    // A valid case, to travel in the same batch as the bad ones.
    let good = officer.create(&officer.new_case(PUTOU, Severity::General, "正常上报"));
    let good_changes: Vec<Vec<u8>> =
        officer.docs[&good].doc.get_changes(&[]).iter().map(|c| c.raw_bytes().to_vec()).collect();

    // Written by someone else's actor.
    let foreign = other.create(&other.new_case(PUTOU, Severity::General, "冒名"));
    let foreign_changes: Vec<Vec<u8>> =
        other.docs[&foreign].doc.get_changes(&[]).iter().map(|c| c.raw_bytes().to_vec()).collect();

    // Corrupt bytes: a valid change with one byte flipped fails its checksum.
    let mut corrupt = good_changes[0].clone();
    let mid = corrupt.len() / 2;
    corrupt[mid] ^= 0xff;

    // Title as a Text object instead of a string.
    let mut typed = officer.new_case(PUTOU, Severity::General, "类型错误");
    typed.reporter = officer.user_id.clone();
    let wrong_type = officer.create(&typed);
    officer.edit(wrong_type, |tx| {
        let t = tx.put_object(ROOT, "title", ObjType::Text)?;
        tx.splice_text(&t, 0, 0, "文本")
    });
    let wrong_type_changes: Vec<Vec<u8>> =
        officer.docs[&wrong_type].doc.get_changes(&[]).iter().map(|c| c.raw_bytes().to_vec()).collect();

    // Not a case at all, under our own actor.
    let mut junk = Automerge::new().with_actor(officer.prefix.unwrap().new_actor());
    junk.transact::<_, _, AutomergeError>(|tx| tx.put(ROOT, "kind", "bitcoin").map(|_| ())).unwrap();
    let junk_changes = vec![junk.get_changes(&[])[0].raw_bytes().to_vec()];

    let docs = [
        (good, good_changes, None),
        (foreign, foreign_changes, Some(RejectCode::ForeignActor)),
        (DocId::random(), vec![corrupt], Some(RejectCode::BadChange)),
        (DocId::random(), vec![b"\x85\x6f\x4a\x83garbage".to_vec()], Some(RejectCode::BadChange)),
        (wrong_type, wrong_type_changes, Some(RejectCode::Schema)),
        (DocId::random(), junk_changes, Some(RejectCode::Schema)),
    ];
    let req = SyncRequest {
        v: 1,
        push: docs
            .iter()
            .map(|(d, c, _)| PushDoc { doc: *d, changes: c.iter().cloned().map(ByteBuf::from).collect() })
            .collect(),
        ..Default::default()
    };
    let res = officer.post(wire::encode(&req)).await.unwrap();
    assert_eq!(res.status(), 200);
    let resp: SyncResponse = wire::decode(&res.bytes().await.unwrap()).unwrap();
    for ((doc, _, want), got) in docs.iter().zip(&resp.results) {
        assert_eq!(got.doc, *doc);
        match want {
            None => assert_eq!(got.status, Status::Ok),
            Some(code) => {
                assert_eq!(got.status, Status::Rejected, "{code:?}");
                let reason = got.reason.as_ref().unwrap();
                assert_eq!(reason.code, *code, "{}", reason.message);
                assert!(!reason.message.is_empty());
            }
        }
    }
    let schema = resp.results[4].reason.as_ref().unwrap();
    assert!(schema.message.starts_with("title"), "{}", schema.message);
    assert_eq!(app.store.quarantine_count().await.unwrap(), 5);
    // Only the good case (and the server's case number) was stored.
    assert_eq!(app.store.change_count().await.unwrap(), 2);
}

async fn a_missing_or_unknown_token_is_refused(b: Backend) {
    let app = TestApp::spawn(b).await;
    let body = wire::encode(&SyncRequest { v: 1, ..Default::default() });
    let client = reqwest::Client::new();
    let url = format!("{}/api/v1/sync", app.url);
    let none =
        client.post(&url).header("content-type", "application/cbor").body(body.clone()).send().await.unwrap();
    assert_eq!(none.status(), 401);
    let wrong = client
        .post(&url)
        .bearer_auth("guess")
        .header("content-type", "application/cbor")
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(wrong.status(), 401);
    let err: serde_json::Value = wrong.json().await.unwrap();
    assert_eq!(err["code"], "unauthorized");
}

async fn an_oversized_batch_is_refused_whole(b: Backend) {
    let app = TestApp::spawn(b).await;
    let mut officer = app.device(OFFICER);
    // Too many documents.
    let many = SyncRequest {
        v: 1,
        push: (0..wire::MAX_PUSH_DOCS + 1)
            .map(|_| PushDoc { doc: DocId::random(), changes: vec![] })
            .collect(),
        ..Default::default()
    };
    assert_eq!(officer.post(wire::encode(&many)).await.unwrap().status(), 413);
    // Too many bytes.
    let huge = SyncRequest {
        v: 1,
        push: vec![PushDoc {
            doc: DocId::random(),
            changes: vec![ByteBuf::from(vec![0u8; 9 * 1024 * 1024])],
        }],
        ..Default::default()
    };
    let res = officer.post(wire::encode(&huge)).await.unwrap();
    assert_eq!(res.status(), 413);
    let err: serde_json::Value = res.json().await.unwrap();
    assert_eq!(err["code"], "payload_too_large");
    assert_eq!(app.store.change_count().await.unwrap(), 0);
}

async fn immutable_fields_cannot_be_changed_later(b: Backend) {
    let app = TestApp::spawn(b).await;
    let mut officer = app.device(OFFICER);
    officer.login().await.unwrap();
    let id = officer.create(&officer.new_case(PUTOU, Severity::General, "原始记录"));
    officer.sync().await.unwrap();
    let before = app.store.change_count().await.unwrap();
    let acked = officer.docs[&id].acked.clone();
    officer.edit(id, |tx| tx.put(ROOT, "village", CAOYUAN_VILLAGE));
    let changes = officer.docs[&id].doc.get_changes(&acked).iter().map(|c| c.raw_bytes().to_vec()).collect();
    let resp = push_one(&mut officer, id, changes).await;
    assert_eq!(resp.results[0].status, Status::Rejected);
    assert!(resp.results[0].reason.as_ref().unwrap().message.starts_with("village"));
    assert_eq!(app.store.change_count().await.unwrap(), before);

    // A forged server change (the server's actor prefix, no valid seal) is a foreign actor.
    let mut forged = officer.docs[&id].doc.fork_at(&acked).unwrap();
    forged.set_actor(ActorId::from([0u8; 16].to_vec()));
    forged.transact::<_, _, AutomergeError>(|tx| tx.put(ROOT, "case_no", "永安-2026-999999")).unwrap();
    let changes = forged.get_changes(&acked).iter().map(|c| c.raw_bytes().to_vec()).collect();
    let resp = push_one(&mut officer, id, changes).await;
    assert_eq!(resp.results[0].reason.as_ref().unwrap().code, RejectCode::ForeignActor);
}

/// The genesis exception (actor = document id) exists for deterministically addressed kinds
/// only: a case written under it would be a change nobody can be held to.
async fn a_case_cannot_claim_a_shared_genesis_change(b: Backend) {
    let app = TestApp::spawn(b).await;
    let mut officer = app.device(OFFICER);
    officer.login().await.unwrap();
    let id = DocId::random();
    let mut doc = Automerge::new().with_actor(ActorId::from(id.0.to_vec()));
    let case = officer.new_case(PUTOU, Severity::General, "无主记录");
    doc.transact::<_, _, AutomergeError>(|tx| case.write(tx)).unwrap();
    let changes = doc.get_changes(&[]).iter().map(|c| c.raw_bytes().to_vec()).collect();
    let resp = push_one(&mut officer, id, changes).await;
    assert_eq!(resp.results[0].status, Status::Rejected);
    assert_eq!(resp.results[0].reason.as_ref().unwrap().code, RejectCode::ForeignActor);
    assert_eq!(app.store.change_count().await.unwrap(), 0);
}

/// Every query string goes through one extractor: a value of the wrong type is the JSON 400 of
/// every other refusal, naming the parameter, not axum's plain-text rejection.
async fn a_malformed_query_string_is_a_json_bad_request(b: Backend) {
    let app = TestApp::spawn(b).await;
    let asked = [
        (LEADER, "/cases?limit=many", "limit"),
        (LEADER, "/cases?offset=1.5", "offset"),
        (COUNTY, "/admin/users?limit=all", "limit"),
        (COUNTY, "/admin/quarantine?released=maybe", "released"),
    ];
    for (token, path, names) in asked {
        // A body that is not JSON reads as `Null` here, and fails the code's check.
        let (status, body) = app.api_get(token, path).await;
        assert_eq!((status, &body["code"]), (400, &serde_json::json!("bad_request")), "{path}: {body}");
        let message = body["message"].as_str().unwrap();
        assert!(message.contains(names), "{path}: {message}");
    }
    app.stop().await;
}
