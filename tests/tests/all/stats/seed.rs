//! The statistics fixture: cases in two villages of 曹远镇, recorded by their officers and moved
//! by the township leader over the real sync path, around the period March 2025; plus visits
//! and sweep reports in the `records` projection.

use anlan_tests::*;
use automerge::transaction::Transactable;
use automerge::{ROOT, ScalarValue};
use sync_protocol::DocId;
use sync_protocol::case::write::{self, Move};
use sync_protocol::case::{Category, Outcome, Severity, Status};

pub const FROM: &str = "2025-03-01";
pub const TO: &str = "2025-03-31";
pub const TOWNSHIP: &str = "350481101";

/// Days from 1970-01-01 to a proleptic Gregorian date (Howard Hinnant's algorithm).
fn days(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + d - 1;
    era * 146_097 + yoe * 365 + yoe / 4 - yoe / 100 + doy - 719_468
}

/// Unix ms of a Beijing wall-clock time.
pub fn bj(y: i64, mo: i64, d: i64, h: i64, mi: i64) -> i64 {
    ((days(y, mo, d) * 86_400 + h * 3600 + mi * 60) - 8 * 3600) * 1000
}

/// The spreadsheet serial number (days since 1899-12-30) of a Beijing wall-clock time.
pub fn serial(y: i64, mo: i64, d: i64, h: i64, mi: i64) -> f64 {
    (days(y, mo, d) + 25_569) as f64 + (h * 60 + mi) as f64 / 1440.0
}

fn now_ms() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_millis() as i64
}

/// One case: who records it, where, what, when; then the leader's status moves and deadline.
struct Spec {
    title: &'static str,
    putou: bool,
    category: Category,
    severity: Severity,
    reported_at: i64,
    moves: Vec<(Status, i64)>,
    deadline: Option<i64>,
}

/// The cases, and what each means for March 2025 (as of now, for overdue):
///
/// | case | village | category | severity | found | resolved | overdue |
/// |---|---|---|---|---|---|---|
/// | A | 埔头村 | land | general | yes | 3-10 | |
/// | B | 埔头村 | land | major | yes | | deadline 3-20 |
/// | C | 埔头村 | compensation | urgent | 3-31 23:30 | | deadline in two days |
/// | D | 埔头村 | family | general | 2-20 | 3-02 (closed 4-03) | |
/// | E | 曹远村 | family | major | yes | 3-20 (closed 3-25) | |
/// | F | 曹远村 | rights | general | 4-01 00:00 | | |
/// | G | 曹远村 | land | general | 1-10 | | deadline 2-01 |
/// | H | 曹远村 | other | urgent | yes | 4-02 | |
fn specs() -> Vec<Spec> {
    use Category::*;
    use Severity::*;
    use Status::*;
    let in_two_days = now_ms() + 2 * 86_400_000;
    let s = |title, putou, category, severity, reported_at, moves, deadline| Spec {
        title,
        putou,
        category,
        severity,
        reported_at,
        moves,
        deadline,
    };
    vec![
        s(
            "A 宅基地边界",
            true,
            Land,
            General,
            bj(2025, 3, 5, 10, 0),
            vec![(Resolved, bj(2025, 3, 10, 9, 0))],
            None,
        ),
        s(
            "B 承包地调整",
            true,
            Land,
            Major,
            bj(2025, 3, 6, 8, 0),
            vec![(Handling, bj(2025, 3, 7, 8, 0))],
            Some(bj(2025, 3, 20, 0, 0)),
        ),
        s("C 补偿款发放", true, Compensation, Urgent, bj(2025, 3, 31, 23, 30), vec![], Some(in_two_days)),
        s(
            "D 邻里纠纷",
            true,
            Family,
            General,
            bj(2025, 2, 20, 15, 0),
            vec![(Resolved, bj(2025, 3, 2, 10, 0)), (Closed, bj(2025, 4, 3, 10, 0))],
            None,
        ),
        s(
            "E 婚姻家庭",
            false,
            Family,
            Major,
            bj(2025, 3, 15, 9, 0),
            vec![(Resolved, bj(2025, 3, 20, 9, 0)), (Closed, bj(2025, 3, 25, 9, 0))],
            None,
        ),
        s("F 山林权属", false, Rights, General, bj(2025, 4, 1, 0, 0), vec![], None),
        s(
            "G 耕地占用",
            false,
            Land,
            General,
            bj(2025, 1, 10, 9, 0),
            vec![(Acknowledged, bj(2025, 1, 11, 9, 0))],
            Some(bj(2025, 2, 1, 0, 0)),
        ),
        s(
            "H 其他诉求",
            false,
            Other,
            Urgent,
            bj(2025, 3, 12, 9, 0),
            vec![(Resolved, bj(2025, 4, 2, 9, 0))],
            None,
        ),
    ]
}

/// Seed the fixture; returns the documents in the order of the table.
pub async fn seed(app: &TestApp) -> Vec<DocId> {
    let mut putou = app.device(OFFICER);
    putou.login().await.unwrap();
    let mut caoyuan = app.enrol("u_caoyuan_officer", "village_officer", CAOYUAN_VILLAGE).await;
    caoyuan.login().await.unwrap();
    // The history is replayed now as it happened then: the phones were enrolled, and the
    // documents received, before its first time, or the server would judge those times
    // implausible (PROTOCOL.md §11) and correct them to today.
    let history_began = bj(2025, 1, 1, 0, 0);
    app.devices_enrolled_at(history_began).await;
    let specs = specs();
    let mut ids = Vec::new();
    for s in &specs {
        let (dev, village) = if s.putou { (&mut putou, PUTOU) } else { (&mut caoyuan, CAOYUAN_VILLAGE) };
        let mut c = dev.new_case(village, s.severity, s.title);
        c.category = s.category;
        c.reported_at = s.reported_at;
        ids.push(dev.create(&c));
    }
    putou.sync().await.unwrap();
    caoyuan.sync().await.unwrap();
    assert!(putou.rejected.is_empty() && caoyuan.rejected.is_empty());
    app.documents_received_at(history_began).await;

    let mut leader = app.device(LEADER);
    leader.login().await.unwrap();
    leader.sync().await.unwrap();
    let me = leader.user_id.clone();
    for (s, id) in specs.iter().zip(&ids) {
        for (to, at) in &s.moves {
            let mut m = Move::new(*to, &me, *at);
            if *to == Status::Closed {
                m = m.closing(Outcome::Mediated, "双方签订调解协议");
            }
            leader.edit(*id, |tx| write::transition(tx, &m));
        }
        if let Some(d) = s.deadline {
            leader.edit(*id, |tx| tx.put(ROOT, "deadline", ScalarValue::Timestamp(d)).map(|_| ()));
        }
    }
    leader.sync().await.unwrap();
    assert!(leader.rejected.is_empty(), "{:?}", leader.rejected);
    seed_records(app).await;
    ids
}

/// Visits, written straight into the `records` projection (with the `documents` row it refers
/// to): the query counts projection rows whichever kind's judge wrote them. Two visits to 埔头村
/// in March, one to 曹远村 in April, one to 西门村 (another township) in March. Sweep reports
/// are sent through the sync path in `stats/sweeps.rs` (their time is the server's receipt).
async fn seed_records(app: &TestApp) {
    sqlx::any::install_default_drivers();
    let pool = sqlx::AnyPool::connect(&app.db.url).await.unwrap();
    let rows = [
        ("visit", PUTOU, "/350400/350481/350481101/350481101201/", bj(2025, 3, 8, 0, 0)),
        ("visit", PUTOU, "/350400/350481/350481101/350481101201/", bj(2025, 3, 18, 0, 0)),
        ("visit", CAOYUAN_VILLAGE, "/350400/350481/350481101/350481101202/", bj(2025, 4, 5, 0, 0)),
        ("visit", XIMEN, "/350400/350481/350481102/350481102201/", bj(2025, 3, 9, 0, 0)),
    ];
    for (kind, unit, path, at) in rows {
        let doc = DocId::random().0.to_vec();
        sqlx::query(
            "INSERT INTO documents (doc_id, kind, unit_code, unit_path, heads, version, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, 1, $6, $6)",
        )
        .bind(doc.clone())
        .bind(kind)
        .bind(unit)
        .bind(path)
        .bind(Vec::<u8>::new())
        .bind(at)
        .execute(&pool)
        .await
        .unwrap();
        sqlx::query(
            "INSERT INTO records (doc_id, kind, unit_code, unit_path, at, body, updated_at)
             VALUES ($1, $2, $3, $4, $5, '{}', $5)",
        )
        .bind(doc)
        .bind(kind)
        .bind(unit)
        .bind(path)
        .bind(at)
        .execute(&pool)
        .await
        .unwrap();
    }
    pool.close().await;
}
