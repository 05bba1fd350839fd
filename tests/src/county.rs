//! A county's case history for the partial-replica benchmark (`countybench`, BENCHMARKS.md):
//! villages under 永安市 whose officers record cases and whose township leaders work them and
//! close most of them, all through the real sync path, then the server's receipt times moved
//! back over the years the history is meant to span.
//!
//! Pushed today, every case would be "changed in the last 90 days" and so in every working set
//! (PROTOCOL.md §12); the working set reads only `documents.updated_at`, so [`backdate`] spreads
//! it over `years`. What it cannot move are the times written inside the documents (reported,
//! transitions, notes): those stay at the fill's day, which the statistics by period show.

use anlan_server::store::{NewUser, SqlStore};
use sqlx::Connection;
use sync_protocol::case::{Category, Outcome, Status, TimelineEntry, TimelineKind, write};

use crate::SimDevice;
use crate::device::now_ms;

const DAY: i64 = 86_400_000;
const VILLAGES_PER_TOWNSHIP: usize = 20;
/// The demo's townships of 永安市 and their villages; the first village is the demo officer's.
const DEMO: &[(&str, &[&str])] =
    &[("350481101", &["350481101201", "350481101202"]), ("350481102", &["350481102201", "350481102202"])];
const CATEGORIES: &[Category] = &[
    Category::Land,
    Category::Family,
    Category::Rights,
    Category::Compensation,
    Category::Labour,
    Category::Housing,
];

/// A township's leader phone and its villages, each with its officer's phone: (code, token).
pub struct Township {
    pub leader: String,
    pub villages: Vec<(String, String)>,
}

/// The demo hierarchy and accounts, plus townships of 20 villages until there are `villages`,
/// each village with an officer and each township with a leader. 埔头村 keeps the demo officer
/// and 曹远镇 the demo leader, so `anlan-demo-officer` is one village's phone in this county.
pub async fn roster(store: &SqlStore, villages: usize) -> anyhow::Result<Vec<Township>> {
    anlan_server::demo::seed(store).await?;
    let mut out = Vec::new();
    let mut n = 0;
    for (i, (township, codes)) in DEMO.iter().enumerate() {
        let leader = if i == 0 {
            "anlan-demo-leader".to_string()
        } else {
            person(store, &format!("cb_lead{i}"), "township_leader", township).await?
        };
        let mut vs = Vec::new();
        for code in codes.iter().take(villages - n) {
            let token = if n == 0 {
                "anlan-demo-officer".to_string()
            } else {
                person(store, &format!("cb_off{n}"), "village_officer", code).await?
            };
            vs.push((code.to_string(), token));
            n += 1;
        }
        out.push(Township { leader, villages: vs });
    }
    let mut t = 0;
    while n < villages {
        let township = format!("350481{:03}", 300 + t);
        store.create_unit(&township, &format!("县测镇{t}"), "township", Some("350481")).await?;
        let leader = person(store, &format!("cb_lead_t{t}"), "township_leader", &township).await?;
        let mut vs = Vec::new();
        for v in 0..VILLAGES_PER_TOWNSHIP.min(villages - n) {
            let code = format!("{township}{:03}", 200 + v);
            store.create_unit(&code, &format!("县测{t}镇{v}村"), "village", Some(&township)).await?;
            vs.push((code.clone(), person(store, &format!("cb_off{n}"), "village_officer", &code).await?));
            n += 1;
        }
        out.push(Township { leader, villages: vs });
        t += 1;
    }
    Ok(out)
}

async fn person(store: &SqlStore, id: &str, role: &str, unit: &str) -> anyhow::Result<String> {
    let name = format!("测{}", &id[3..]);
    let user = NewUser { id: id.into(), name, phone: None, role: role.into(), unit_code: unit.into() };
    store.create_user(&user).await?;
    Ok(store.issue_device(id, "countybench", None).await?.token)
}

/// What a township's fill made: cases recorded, of which left open.
#[derive(Default, Clone, Copy)]
pub struct Filled {
    pub cases: usize,
    pub open: usize,
}

/// Case `g` of the county (0-based) is left open when it falls on one of `open` evenly spread
/// places among `cases`.
pub fn stays_open(g: usize, cases: usize, open: usize) -> bool {
    (g * open) / cases != ((g + 1) * open) / cases
}

/// Record `per_village` cases in each village of `t` (numbered from `first` in the county) and
/// have its leader work them: acknowledge, a note, close with an outcome — or, for the cases
/// that stay open, stop at one of the earlier steps.
pub async fn fill_township(
    url: &str,
    t: &Township,
    first: usize,
    per_village: usize,
    total: usize,
    open: usize,
) -> anyhow::Result<Filled> {
    let mut leader = SimDevice::new(url, &t.leader);
    leader.login().await?;
    let mut g = first;
    let mut out = Filled::default();
    for (code, token) in &t.villages {
        let mut officer = SimDevice::new(url, token);
        officer.login().await?;
        let mut ids = Vec::with_capacity(per_village);
        for i in 0..per_village {
            let title =
                format!("{}纠纷 第{}号", ["土地", "邻里", "山林", "补偿", "劳资", "安置"][g % 6], g + 1);
            let mut c = officer.new_case(code, sync_protocol::case::Severity::General, &title);
            c.category = CATEGORIES[g % CATEGORIES.len()];
            ids.push((g, officer.create(&c)));
            g += 1;
            if i % 100 == 99 {
                officer.sync().await?;
            }
        }
        officer.sync().await?;
        anyhow::ensure!(officer.rejected.is_empty(), "officer's cases refused: {:?}", officer.rejected);
        leader.sync().await?;
        for (k, (g, id)) in ids.into_iter().enumerate() {
            out.cases += 1;
            let by = leader.user_id.clone();
            let keep_open = stays_open(g, total, open);
            let steps = if keep_open { g % 3 } else { 3 };
            if steps >= 1 {
                leader.set_status(id, Status::Acknowledged);
            }
            if steps >= 2 {
                leader.edit(id, |tx| {
                    let text = "已约双方当事人到村委会调解，双方同意按原协议分界。".to_string();
                    let e = TimelineEntry {
                        id: format!("n{g}"),
                        kind: TimelineKind::Note,
                        at: now_ms(),
                        by,
                        text,
                    };
                    write::add_timeline(tx, &e)
                });
                leader.set_status(id, Status::Handling);
            }
            if steps >= 3 {
                leader.close(id, Outcome::Mediated, "经调解双方达成协议，已履行完毕。");
            }
            out.open += usize::from(keep_open);
            if k % 200 == 199 {
                leader.sync().await?;
            }
        }
        leader.sync().await?;
        anyhow::ensure!(leader.rejected.is_empty(), "leader's changes refused: {:?}", leader.rejected);
    }
    Ok(out)
}

/// Move each case's last receipt time back: a finished case to a time spread evenly over the
/// last `years`, an open one over the last 180 days (open cases are in every working set
/// whatever their age). Returns how many finished cases were left in the last 90 days.
pub async fn backdate(database_url: &str, years: f64) -> anyhow::Result<usize> {
    let mut db = sqlx::AnyConnection::connect(database_url).await?;
    let rows: Vec<(Vec<u8>, String)> =
        sqlx::query_as("SELECT doc_id, status FROM cases ORDER BY reported_at, doc_id")
            .fetch_all(&mut db)
            .await?;
    let now = now_ms();
    let span = (years * 365.0 * DAY as f64) as i64;
    let mut recent = 0;
    let mut tx = db.begin().await?;
    for (i, (doc, status)) in rows.iter().enumerate() {
        // A fixed scramble of the order, so neither villages nor numbers line up with age.
        let u = ((i as u64).wrapping_mul(2_654_435_761) % 1_000_003) as f64 / 1_000_003.0;
        let finished = status == "resolved" || status == "closed";
        let at =
            if finished { now - (u * span as f64) as i64 } else { now - (u * 180.0 * DAY as f64) as i64 };
        if finished && now - at < anlan_server::store::RECENT_MS {
            recent += 1;
        }
        sqlx::query("UPDATE documents SET updated_at = $1 WHERE doc_id = $2")
            .bind(at)
            .bind(doc.clone())
            .execute(&mut *tx)
            .await?;
    }
    tx.commit().await?;
    Ok(recent)
}
