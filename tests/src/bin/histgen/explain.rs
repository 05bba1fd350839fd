//! The query plans of the reads that must not grow with the history: a device and its scope,
//! the feed an officer and a leader pull, the working set's eviction check, the statistics' case
//! read, and the alert worker's escalation sweep and reminders. The SQL is copied from
//! `anlan_server::store` (feed.rs, working_set.rs, stats.rs, alerts.rs, reminders.rs; the
//! device's is read from it), with the parameters
//! of the busiest village, its township and its county; a change there must be copied here.

use sqlx::Connection;

/// (what, SQL, text parameters; `$N` integer parameters are bound as 0/large/…)
fn queries(village: &str, township: &str, county: &str) -> Vec<(&'static str, String, Vec<String>)> {
    let (clo, chi) = scope_range(county);
    vec![
        (
            "a device and its scope (every request picks the device by its token; here the leader's, by user)",
            anlan_server::store::device_scope_sql("d.user_id = $4 AND $1 <= $2 AND $3 > 0"),
            vec!["h_l0".into()],
        ),
        (
            "officer's feed (one unit: the (unit_path, seq) index)",
            "SELECT seq, doc_id, bytes, hash FROM changes WHERE unit_path IN ($4) AND seq > $1 AND seq <= $2 ORDER BY seq LIMIT $3".into(),
            vec![village.into()],
        ),
        (
            "leader's feed (a township's 21 units, one seek each)",
            "SELECT seq, doc_id, bytes, hash FROM changes WHERE unit_path IN ($4, $5) AND seq > $1 AND seq <= $2 ORDER BY seq LIMIT $3".into(),
            vec![township.into(), village.into()],
        ),
        (
            "county's feed (a subtree walked in feed order)",
            "SELECT seq, doc_id, bytes, hash FROM changes WHERE seq > $1 AND seq <= $2 AND ((unit_path >= $4 AND unit_path < $5)) ORDER BY seq LIMIT $3".into(),
            vec![clo.clone(), chi.clone()],
        ),
        (
            "partial replica's evictions (documents.updated_at)",
            "SELECT doc_id FROM cases WHERE unit_path >= $4 AND unit_path < $5 AND status IN ('resolved', 'closed') AND reporter <> $6
               AND (handler IS NULL OR handler <> $6) AND (responsible_leader IS NULL OR responsible_leader <> $6)
               AND doc_id IN (SELECT doc_id FROM documents WHERE updated_at >= $1 AND updated_at < $2) AND $3 > 0 ORDER BY doc_id".into(),
            vec![township.into(), format!("{township}\u{10FFFF}"), "h_l0".into()],
        ),
        (
            "statistics' case read (a county, a month)",
            "SELECT unit_path, category, severity, status, reported_at, deadline, body FROM cases
             WHERE reported_at >= $1 AND reported_at < $2 AND unit_path || '' >= $4 AND unit_path || '' < $5
             UNION ALL SELECT unit_path, category, severity, status, reported_at, deadline, body FROM cases
             WHERE settled_at >= $1 AND settled_at < $2 AND NOT (reported_at >= $1 AND reported_at < $2)
               AND unit_path || '' >= $4 AND unit_path || '' < $5
             UNION ALL SELECT unit_path, category, severity, status, reported_at, deadline, body FROM cases
             WHERE settled_at IS NULL AND NOT (reported_at >= $1 AND reported_at < $2)
               AND unit_path || '' >= $4 AND unit_path || '' < $5
               AND ((status IN ('resolved', 'closed') AND reported_at < $2)
                    OR (deadline < $3 AND status NOT IN ('resolved', 'closed')))".into(),
            vec![clo, chi],
        ),
        (
            "escalation sweep (unacknowledged urgent cases, then their alerts)",
            "INSERT INTO outbox (kind, doc_id, cause, payload, created_at, level)
             SELECT 'escalation', o.doc_id, 'escalate:' || $4 || ':' || o.cause, o.payload, $1, $4
             FROM cases c CROSS JOIN outbox o
             WHERE c.status = 'reported' AND c.severity = 'urgent' AND o.doc_id = c.doc_id
               AND o.kind IN ('urgent', 'escalation') AND o.level = $5 AND o.created_at <= $2 AND $3 > 0
             ON CONFLICT (cause) DO NOTHING".into(),
            vec!["county".into(), "township".into()],
        ),
        (
            "deadline reminders (unsettled cases with a deadline and someone to remind)",
            "SELECT doc_id, body FROM cases
             WHERE deadline IS NOT NULL AND deadline < $2
               AND (status NOT IN ('resolved', 'closed') OR conflicts <> 0)
               AND (handler IS NOT NULL OR responsible_leader IS NOT NULL) AND $1 > 0 AND $3 > 0".into(),
            vec![],
        ),
    ]
}

/// Integer parameters: the cursor of a phone in step (just below the end), the end, the page.
fn ints(high: i64) -> [i64; 3] {
    [high - 50, high, 2_000]
}

pub async fn print(url: &str) -> anyhow::Result<()> {
    let mut db = Db::connect(url).await?;
    let mut paths = Vec::new();
    for user in ["h_o0", "h_l0", "h_c0"] {
        let sql =
            format!("SELECT n.path FROM users u JOIN units n ON n.code = u.unit_code WHERE u.id = '{user}'");
        paths.push(db.one(&sql).await?);
    }
    let [village, township, county] = <[String; 3]>::try_from(paths).expect("three");
    let high: i64 = db.one("SELECT CAST(MAX(seq) AS TEXT) FROM changes").await?.parse()?;
    println!("\nquery plans ({}):", if db.is_pg() { "EXPLAIN" } else { "EXPLAIN QUERY PLAN" });
    for (what, sql, texts) in queries(&village, &township, &county) {
        println!("- {what}:");
        for line in db.explain(&sql, ints(high), &texts).await? {
            println!("      {line}");
        }
    }
    Ok(())
}

enum Db {
    Pg(sqlx::PgConnection),
    Lite(sqlx::SqliteConnection),
}

impl Db {
    async fn connect(url: &str) -> anyhow::Result<Db> {
        Ok(if url.starts_with("postgres") {
            Db::Pg(sqlx::PgConnection::connect(url).await?)
        } else {
            Db::Lite(sqlx::SqliteConnection::connect(url).await?)
        })
    }

    fn is_pg(&self) -> bool {
        matches!(self, Db::Pg(_))
    }

    async fn one(&mut self, sql: &str) -> anyhow::Result<String> {
        let sql = sqlx::AssertSqlSafe(sql.to_string());
        Ok(match self {
            Db::Pg(c) => sqlx::query_scalar(sql).fetch_one(c).await?,
            Db::Lite(c) => sqlx::query_scalar(sql).fetch_one(c).await?,
        })
    }

    async fn explain(&mut self, sql: &str, ints: [i64; 3], texts: &[String]) -> anyhow::Result<Vec<String>> {
        use sqlx::Row;
        Ok(match self {
            Db::Pg(c) => {
                let q = sqlx::query(sqlx::AssertSqlSafe(format!("EXPLAIN {sql}")));
                let q = ints.iter().fold(q, |q, i| q.bind(*i));
                let q = texts.iter().fold(q, |q, t| q.bind(t.clone()));
                q.fetch_all(c).await?.iter().map(|r| r.get::<String, _>(0)).collect()
            }
            Db::Lite(c) => {
                let q = sqlx::query(sqlx::AssertSqlSafe(format!("EXPLAIN QUERY PLAN {sql}")));
                let q = ints.iter().fold(q, |q, i| q.bind(*i));
                let q = texts.iter().fold(q, |q, t| q.bind(t.clone()));
                q.fetch_all(c).await?.iter().map(|r| r.get::<String, _>(3)).collect()
            }
        })
    }
}

/// As `anlan_server::store::scope_range`: the paths of a subtree lie in `[path, hi)`.
fn scope_range(path: &str) -> (String, String) {
    match path.strip_suffix('/') {
        Some(stem) => (path.to_string(), format!("{stem}0")),
        None => (path.to_string(), format!("{path}\u{10FFFF}")),
    }
}
