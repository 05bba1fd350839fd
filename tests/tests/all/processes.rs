//! The server as real processes: killed with SIGKILL mid-burst, and two replicas sharing one
//! PostgreSQL database.

use std::sync::Arc;
use std::time::{Duration, Instant};

use anlan_server::store::{NewUser, SqlStore};
use anlan_tests::*;
use futures::StreamExt;
use sync_protocol::case::Severity;
use tokio::sync::Mutex;

const BIN: &str = env!("CARGO_BIN_EXE_anlan-under-test");

async fn prepare(db: &TestDb, officers: usize) -> Vec<String> {
    let store = SqlStore::connect(&db.url).await.unwrap();
    anlan_server::demo::seed(&store).await.unwrap();
    let mut tokens = Vec::new();
    for i in 0..officers {
        let id = format!("crash{i}");
        store
            .create_user(&NewUser {
                id: id.clone(),
                name: format!("队员{i}"),
                phone: None,
                role: "work_team".into(),
                unit_code: PUTOU.into(),
            })
            .await
            .unwrap();
        tokens.push(store.issue_device(&id, "phone", None).await.unwrap().token);
    }
    store.close().await;
    tokens
}

on_both_backends!(every_acknowledged_change_survives_a_kill_9_mid_burst);

async fn every_acknowledged_change_survives_a_kill_9_mid_burst(b: Backend) {
    let db = TestDb::new(b).await;
    let tokens = prepare(&db, 6).await;
    let server = ServerProcess::start(BIN, &db.url);
    let mut devices = Vec::new();
    for t in &tokens {
        let mut d = SimDevice::new(&server.url, t);
        d.login().await.unwrap();
        devices.push(Arc::new(Mutex::new(d)));
    }
    // Each device records and syncs as fast as it can until the server dies under it.
    let mut tasks = Vec::new();
    for (i, d) in devices.iter().enumerate() {
        let d = d.clone();
        tasks.push(tokio::spawn(async move {
            let mut acked = 0;
            for n in 0..10_000 {
                let mut dev = d.lock().await;
                let c = dev.new_case(PUTOU, Severity::General, &format!("设备{i}案{n}"));
                dev.create(&c);
                if dev.sync_once(false).await.is_err() {
                    return acked;
                }
                acked += 1;
            }
            acked
        }));
    }
    tokio::time::sleep(Duration::from_millis(700)).await;
    server.kill9();
    let mut total = 0;
    for t in tasks {
        total += t.await.unwrap();
    }
    assert!(total > 0, "some syncs were acknowledged before the kill");

    // Note what each device had acknowledged, then bring the server back.
    let acked: Vec<Vec<_>> = {
        let mut out = Vec::new();
        for d in &devices {
            let d = d.lock().await;
            out.push(
                d.docs
                    .iter()
                    .filter(|(_, l)| !l.acked.is_empty())
                    .map(|(id, l)| (*id, l.acked.clone()))
                    .collect(),
            );
        }
        out
    };
    let server = ServerProcess::start(BIN, &db.url);
    let mut county = SimDevice::new(&server.url, COUNTY);
    county.login().await.unwrap();
    county.sync().await.unwrap();
    for (id, heads) in acked.iter().flatten() {
        let doc = &county.docs.get(id).unwrap_or_else(|| panic!("acknowledged case {id} lost")).doc;
        for h in heads {
            assert!(
                automerge::ReadDoc::get_change_by_hash(doc, h).is_some(),
                "acknowledged change of {id} lost"
            );
        }
    }
    // And the devices' unacknowledged work arrives now.
    for d in &devices {
        let mut d = d.lock().await;
        d.url = server.url.clone();
        d.sync().await.unwrap();
        assert_eq!(d.pending(), 0);
    }
    county.sync().await.unwrap();
    let mut recorded = std::collections::BTreeSet::new();
    for d in &devices {
        recorded.extend(d.lock().await.docs.keys().copied());
    }
    assert_eq!(
        county.docs.keys().copied().collect::<std::collections::BTreeSet<_>>(),
        recorded,
        "every case recorded on any device is on the server"
    );
    drop(server);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_replicas_on_one_postgres_database_converge_and_share_live_notices() {
    let db = TestDb::new(Backend::Postgres).await;
    prepare(&db, 0).await;
    let a = ServerProcess::start(BIN, &db.url);
    let b = ServerProcess::start(BIN, &db.url);

    // The leader listens on replica B.
    let res = reqwest::Client::new()
        .get(format!("{}/api/v1/live", b.url))
        .bearer_auth(LEADER)
        .send()
        .await
        .unwrap();
    let mut live = res.bytes_stream();
    live.next().await.unwrap().unwrap(); // the greeting

    let mut officer = SimDevice::new(&a.url, OFFICER);
    officer.login().await.unwrap();
    let id = officer.create(&officer.new_case(PUTOU, Severity::Urgent, "跨副本同步"));
    let started = Instant::now();
    officer.sync().await.unwrap();
    tokio::time::timeout(Duration::from_secs(1), async {
        loop {
            let chunk = live.next().await.unwrap().unwrap();
            if String::from_utf8_lossy(&chunk).contains("event: feed") {
                break;
            }
        }
    })
    .await
    .expect("replica B announces replica A's commit within 1 s");
    assert!(started.elapsed() < Duration::from_secs(1));

    // Edits made through both replicas concurrently merge into one history.
    let mut leader = SimDevice::new(&b.url, LEADER);
    leader.login().await.unwrap();
    leader.sync().await.unwrap();
    assert!(leader.docs.contains_key(&id));
    leader.set_status(id, sync_protocol::case::Status::Acknowledged);
    officer.edit(id, |tx| sync_protocol::case::write::edit_description(tx, 0, "补充："));
    let (r1, r2) = tokio::join!(officer.sync(), leader.sync());
    r1.unwrap();
    r2.unwrap();
    officer.sync().await.unwrap();
    leader.sync().await.unwrap();
    assert_eq!(officer.heads(id), leader.heads(id));
    assert_eq!(officer.case(id), leader.case(id));
    assert_eq!(officer.case(id).status, sync_protocol::case::Status::Acknowledged);
    assert!(officer.case(id).description.starts_with("补充："));
    // One case number, one alert, whichever replica merged what.
    let store = SqlStore::connect(&db.url).await.unwrap();
    assert_eq!(store.outbox_causes().await.unwrap().len(), 1);
    store.close().await;
}

on_both_backends!(a_server_kept_on_one_cpu_keeps_every_thread_there);

/// `ANLAN_CPUS=0`: every thread the server has after a sync, those its database pools started
/// after the setting took effect included, may run on CPU 0 alone.
async fn a_server_kept_on_one_cpu_keeps_every_thread_there(b: Backend) {
    let db = TestDb::new(b).await;
    prepare(&db, 0).await;
    let env = std::collections::HashMap::from([("ANLAN_CPUS".to_string(), "0".to_string())]);
    let server = ServerProcess::start_with_env(BIN, &db.url, &env);
    let mut officer = SimDevice::new(&server.url, OFFICER);
    officer.login().await.unwrap();
    officer.create(&officer.new_case(PUTOU, Severity::General, "一核运行"));
    officer.sync().await.unwrap();
    let mut allowed = Vec::new();
    for task in std::fs::read_dir(format!("/proc/{}/task", server.pid())).unwrap() {
        let status = std::fs::read_to_string(task.unwrap().path().join("status")).unwrap_or_default();
        if let Some(line) = status.lines().find(|l| l.starts_with("Cpus_allowed_list:")) {
            allowed.push(line.split_whitespace().nth(1).unwrap_or("").to_string());
        }
    }
    assert!(allowed.len() >= 3, "the server's threads: {allowed:?}");
    assert!(allowed.iter().all(|a| a == "0"), "threads allowed elsewhere: {allowed:?}");
}
