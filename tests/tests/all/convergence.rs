//! Property test: several people edit the same cases offline and sync in random order, with
//! duplicated requests and lost responses. Afterwards every device and the server agree, and the
//! SQL projection equals a rebuild from the change log.

use anlan_tests::*;
use automerge::ROOT;
use automerge::transaction::Transactable;
use rand::rngs::StdRng;
use rand::seq::IndexedRandom;
use rand::{Rng, SeedableRng};
use sync_protocol::DocId;
use sync_protocol::case::{Outcome, Severity, Status, TimelineEntry, TimelineKind, write};
use sync_protocol::wire;

fn seeds(default: u64) -> u64 {
    std::env::var("ANLAN_CONVERGENCE_SEEDS").ok().and_then(|s| s.parse().ok()).unwrap_or(default)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn devices_converge_under_random_schedules_on_sqlite() {
    for seed in 0..seeds(25) {
        run(Backend::Sqlite, seed).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn devices_converge_under_random_schedules_on_postgres() {
    for seed in 100..100 + seeds(25) / 3 {
        run(Backend::Postgres, seed).await;
    }
}

/// Field staff (`leader == false`) make only the edits docs/permissions.md allows them, so every
/// rejection here would be a merge bug, not a permission.
fn random_edit(rng: &mut StdRng, dev: &mut SimDevice, doc: DocId, step: usize, leader: bool) {
    let by = dev.user_id.clone();
    let mover = by.clone();
    let pick: u8 = if leader { rng.random_range(0..6) } else { *[0u8, 3, 4, 7].choose(rng).unwrap() };
    let sev = *Severity::ALL.choose(rng).unwrap();
    let status = *Status::ALL.choose(rng).unwrap();
    let at = rng.random_range(0..10);
    dev.edit(doc, |tx| match pick {
        0 => tx.put(ROOT, "title", format!("标题-{step}")),
        1 => write::set_severity(tx, sev),
        // Closing needs its outcome; other moves ignore it.
        2 => write::transition(
            tx,
            &write::Move::new(status, &mover, step as i64).closing(Outcome::Handled, "结案"),
        ),
        3 => write::edit_description(tx, at, &format!("[{step}]")),
        4 => write::add_timeline(
            tx,
            &TimelineEntry {
                id: format!("t{step}"),
                kind: TimelineKind::Note,
                at: step as i64,
                by,
                text: format!("跟进{step}"),
            },
        ),
        5 => tx.put(ROOT, "handler", ["u_demo_officer", "u_demo_leader"][step % 2]),
        _ => write::set_severity(tx, Severity::Urgent), // raising is never refused
    });
}

async fn run(backend: Backend, seed: u64) {
    let mut rng = StdRng::seed_from_u64(seed);
    let app = TestApp::spawn(backend).await;
    let mut devs = [
        app.device(OFFICER),
        app.enrol(&format!("team{seed}"), "work_team", PUTOU).await,
        app.device(LEADER),
        app.device(COUNTY),
    ];
    for d in devs.iter_mut() {
        d.login().await.unwrap();
    }
    // Two officers start a case each and everybody gets them.
    for (i, d) in devs.iter_mut().take(2).enumerate() {
        let c = d.new_case(PUTOU, Severity::Major, &format!("案件{i}"));
        d.create(&c);
        d.sync().await.unwrap();
    }
    for d in devs.iter_mut() {
        d.sync().await.unwrap();
    }

    for step in 0..40 {
        let who = rng.random_range(0..devs.len());
        let dev = &mut devs[who];
        match rng.random_range(0..10) {
            0..=4 => {
                let ids: Vec<DocId> = dev.docs.keys().copied().collect();
                if let Some(doc) = ids.choose(&mut rng) {
                    random_edit(&mut rng, dev, *doc, step, who >= 2);
                }
            }
            5 if who < 2 => {
                let c = dev.new_case(PUTOU, Severity::General, &format!("新案{step}"));
                dev.create(&c);
            }
            6 => {
                dev.sync_once(true).await.unwrap(); // response lost
            }
            7 => {
                // The same request twice (a retry racing the original).
                let (req, _) = dev.build_request();
                let body = wire::encode(&req);
                let (a, b) = tokio::join!(
                    reqwest::Client::new()
                        .post(format!("{}/api/v1/sync", app.url))
                        .bearer_auth(&dev.token)
                        .header("content-type", "application/cbor")
                        .body(body.clone())
                        .send(),
                    reqwest::Client::new()
                        .post(format!("{}/api/v1/sync", app.url))
                        .bearer_auth(&dev.token)
                        .header("content-type", "application/cbor")
                        .body(body)
                        .send(),
                );
                assert_eq!(a.unwrap().status(), 200);
                assert_eq!(b.unwrap().status(), 200);
                dev.sync_once(false).await.unwrap();
            }
            _ => {
                dev.sync_once(false).await.unwrap();
            }
        }
    }
    // Everyone comes back online; two rounds so every device sees everyone's last edits.
    for _ in 0..2 {
        for d in devs.iter_mut() {
            d.sync().await.unwrap();
        }
    }
    for d in &devs {
        assert!(d.rejected.is_empty(), "seed {seed}: {} had {:?}", d.user_id, d.rejected);
    }
    let reference = &devs[0];
    for d in &devs[1..] {
        assert_eq!(
            d.docs.keys().collect::<Vec<_>>(),
            reference.docs.keys().collect::<Vec<_>>(),
            "seed {seed}: same documents"
        );
        for id in reference.docs.keys() {
            assert_eq!(d.heads(*id), reference.heads(*id), "seed {seed}: heads of {id}");
            assert_eq!(d.case(*id), reference.case(*id), "seed {seed}: content of {id}");
        }
    }
    // The server agrees: a brand-new device pulls exactly the same documents.
    let mut fresh = app.device(COUNTY);
    fresh.login().await.unwrap();
    fresh.sync().await.unwrap();
    for (id, l) in &reference.docs {
        assert_eq!(fresh.heads(*id), l.doc.get_heads(), "seed {seed}: server copy of {id}");
    }
    // The live projection equals a rebuild from the log.
    let live = app.store.case_rows().await.unwrap();
    anlan_server::reproject::reproject(&app.store).await.unwrap();
    assert_eq!(app.store.case_rows().await.unwrap(), live, "seed {seed}: projection = rebuild");
    app.stop().await;
}
