//! A person's read scope: the unit paths they cover and the cases outside them that name them.
//!
//! Every visibility decision (the feed, a pushed document, `GET /cases/{id}`, live notices) asks
//! one [`Scope::covers`], so a case that names someone as handler is readable wherever they
//! look. A device learns its scope's fingerprint in every sync response and sends it back; when
//! the scope has moved on, the `scopes` table says what the old one covered, hence what to drop
//! (PROTOCOL.md §10) — but only for a fingerprint `device_scopes` says was told to that device.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use sync_protocol::DocId;

use super::sql::{now_ms, scope_range, to_doc_id};
use super::*;

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Scope {
    /// Sorted, and none lies under another: the user's unit and a work-team member's villages.
    paths: Vec<String>,
    /// Cases naming the user that no path covers. Never overlaps `paths`, so the feed can read
    /// the two parts separately without reading a change twice.
    docs: BTreeSet<DocId>,
}

#[derive(Serialize, Deserialize)]
struct Description {
    paths: Vec<String>,
    docs: Vec<String>,
}

impl Scope {
    /// `docs` are the named cases with their unit paths; those a path covers are left out.
    pub fn new(
        paths: impl IntoIterator<Item = String>,
        docs: impl IntoIterator<Item = (DocId, String)>,
    ) -> Self {
        let mut all: Vec<String> = paths.into_iter().collect();
        all.sort();
        all.dedup();
        let mut kept: Vec<String> = Vec::with_capacity(all.len());
        for p in all {
            // Sorted order puts an ancestor right before its subtree.
            if !kept.last().is_some_and(|k| p.starts_with(k.as_str())) {
                kept.push(p);
            }
        }
        let mut scope = Scope { paths: kept, docs: BTreeSet::new() };
        scope.docs = docs.into_iter().filter(|(_, p)| !scope.covers_path(p)).map(|(d, _)| d).collect();
        scope
    }

    /// The scope of a user whose unit is `unit_path`, from the rows of [`scope_rows`]; a row
    /// with no path stands for no row (a left join that found none).
    pub(super) fn from_rows(
        unit_path: &str,
        rows: impl IntoIterator<Item = (Option<Vec<u8>>, Option<String>)>,
    ) -> Result<Self> {
        let mut paths = vec![unit_path.to_string()];
        let mut named = Vec::new();
        for (doc, path) in rows {
            match (doc, path) {
                (None, Some(path)) => paths.push(path),
                (Some(doc), Some(path)) => named.push((to_doc_id(doc)?, path)),
                (_, None) => {}
            }
        }
        Ok(Scope::new(paths, named))
    }

    /// Only a unit path: what a caller knows before any case names anyone.
    pub fn of_path(path: &str) -> Self {
        Scope::new([path.to_string()], [])
    }

    pub fn paths(&self) -> &[String] {
        &self.paths
    }

    pub fn docs(&self) -> &BTreeSet<DocId> {
        &self.docs
    }

    /// Is this unit's subtree (and so every record filed under it) in scope?
    pub fn covers_path(&self, unit_path: &str) -> bool {
        self.paths.iter().any(|p| unit_path.starts_with(p.as_str()))
    }

    /// May the user read (and so write, as far as the permission table allows) this document?
    pub fn covers(&self, unit_path: &str, doc: DocId) -> bool {
        self.covers_path(unit_path) || self.docs.contains(&doc)
    }

    /// Index ranges `[lo, hi)` of unit paths, one per path (see `scope_range`).
    pub fn ranges(&self) -> Vec<(String, String)> {
        self.paths.iter().map(|p| scope_range(p)).collect()
    }

    pub fn describe(&self) -> String {
        let d = Description {
            paths: self.paths.clone(),
            docs: self.docs.iter().map(ToString::to_string).collect(),
        };
        serde_json::to_string(&d).expect("plain strings serialise")
    }

    pub fn from_description(text: &str) -> Result<Self> {
        let bad = |e: String| StoreError::Invalid(format!("stored scope: {e}"));
        let d: Description = serde_json::from_str(text).map_err(|e| bad(e.to_string()))?;
        let docs = d.docs.iter().map(|s| s.parse::<DocId>().map_err(|e| bad(e.to_string())));
        Ok(Scope { paths: d.paths, docs: docs.collect::<Result<_>>()? })
    }

    /// 16 hex digits of SHA-256 over the description: equal scopes, equal fingerprints, on
    /// every replica. 64 bits keep an idle sync small; a collision would need ~4 billion scopes.
    pub fn fingerprint(&self) -> String {
        hex::encode(&Sha256::digest(self.describe().as_bytes())[..8])
    }
}

impl SqlStore {
    /// The scope of `user_id`, whose own unit has `unit_path`: that unit, their extra villages,
    /// and the cases outside those that name them as responsible leader or handler.
    pub async fn scope_for(&self, user_id: &str, unit_path: &str) -> Result<Scope> {
        let sql = format!("WITH w AS (SELECT $1 AS user_id, $2 AS unit_path) {}", scope_rows("w"));
        let rows: Vec<(Option<Vec<u8>>, String)> =
            self.hot_all(sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(user_id).bind(unit_path)).await?;
        Scope::from_rows(unit_path, rows.into_iter().map(|(doc, path)| (doc, Some(path))))
    }

    /// A user's current scope, or `None` for no such user.
    pub async fn user_scope(&self, user_id: &str) -> Result<Option<Scope>> {
        match self.user_unit_path(user_id).await? {
            Some(path) => Ok(Some(self.scope_for(user_id, &path).await?)),
            None => Ok(None),
        }
    }

    /// Record a scope under its fingerprint, and that `device_id` is told it, before the device
    /// is told.
    pub async fn remember_scope(&self, device_id: i64, scope: &Scope) -> Result<()> {
        let fingerprint = scope.fingerprint();
        // Both rows are written once per process, not on every sync of a client that does not
        // echo its fingerprint.
        let told = format!("{device_id}:{fingerprint}");
        let stored = |key: &str| self.scopes_stored.lock().is_ok_and(|s| s.contains(key));
        if !stored(&fingerprint) {
            sqlx::query(
                "INSERT INTO scopes (fingerprint, description, created_at) VALUES ($1, $2, $3) ON CONFLICT (fingerprint) DO NOTHING",
            )
            .bind(&fingerprint)
            .bind(scope.describe())
            .bind(now_ms())
            .execute(&self.writer)
            .await?;
        }
        if !stored(&told) {
            sqlx::query(
                "INSERT INTO device_scopes (device_id, fingerprint, issued_at) VALUES ($1, $2, $3) ON CONFLICT (device_id, fingerprint) DO NOTHING",
            )
            .bind(device_id)
            .bind(&fingerprint)
            .bind(now_ms())
            .execute(&self.writer)
            .await?;
        }
        if let Ok(mut s) = self.scopes_stored.lock() {
            s.insert(fingerprint);
            s.insert(told);
        }
        Ok(())
    }

    /// The scope behind `fingerprint` if this server told it to `device_id`; `None` for any
    /// other fingerprint, however it was come by.
    pub async fn issued_scope(&self, device_id: i64, fingerprint: &str) -> Result<Option<Scope>> {
        if fingerprint.len() != 16 || !fingerprint.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Ok(None); // no fingerprint looks like that; PostgreSQL would refuse a NUL
        }
        let text: Option<String> = sqlx::query_scalar(
            "SELECT s.description FROM device_scopes d JOIN scopes s ON s.fingerprint = d.fingerprint
             WHERE d.device_id = $1 AND d.fingerprint = $2",
        )
        .bind(device_id)
        .bind(fingerprint)
        .fetch_optional(&self.pool)
        .await?;
        text.map(|t| Scope::from_description(&t)).transpose()
    }

    /// Documents `old` covers and `new` does not, whatever their kind, sorted.
    pub async fn dropped(&self, old: &Scope, new: &Scope) -> Result<Vec<DocId>> {
        let mut out = BTreeSet::new();
        for (path, (lo, hi)) in old.paths.iter().zip(old.ranges()) {
            if new.covers_path(path) {
                continue; // the whole subtree is still in scope
            }
            let rows: Vec<(Vec<u8>, String)> = sqlx::query_as(
                "SELECT doc_id, unit_path FROM documents WHERE unit_path >= $1 AND unit_path < $2",
            )
            .bind(&lo)
            .bind(&hi)
            .fetch_all(&self.pool)
            .await?;
            for (doc, path) in rows {
                let doc = to_doc_id(doc)?;
                if !new.covers(&path, doc) {
                    out.insert(doc);
                }
            }
        }
        let named: Vec<DocId> = old.docs.iter().copied().collect();
        for (doc, meta) in self.doc_metas(&named).await? {
            if !new.covers(&meta.unit_path, doc) {
                out.insert(doc);
            }
        }
        Ok(out.into_iter().collect())
    }

    /// Cases in scope, most urgent first, then newest.
    pub async fn cases_visible(&self, scope: &Scope, limit: i64, offset: i64) -> Result<Vec<String>> {
        let (filter, binds) = scope_filter(scope, 3);
        let sql = format!(
            "SELECT body FROM cases WHERE {filter}
             ORDER BY CASE severity WHEN 'urgent' THEN 0 WHEN 'major' THEN 1 ELSE 2 END, reported_at DESC, doc_id
             LIMIT $1 OFFSET $2"
        );
        let mut q = sqlx::query_scalar(sqlx::AssertSqlSafe(sql)).bind(limit).bind(offset);
        for b in binds {
            q = match b {
                Bind::Text(t) => q.bind(t),
                Bind::Bytes(b) => q.bind(b),
                Bind::Int(i) => q.bind(i),
            };
        }
        Ok(q.fetch_all(&self.pool).await?)
    }

    /// One case's JSON, or `None` when it does not exist or is outside the scope: the caller
    /// cannot tell which.
    pub async fn case_visible(&self, scope: &Scope, doc: DocId) -> Result<Option<String>> {
        let row: Option<(String, String)> =
            sqlx::query_as("SELECT unit_path, body FROM cases WHERE doc_id = $1")
                .bind(doc.0.to_vec())
                .fetch_optional(&self.pool)
                .await?;
        Ok(row.filter(|(path, _)| scope.covers(path, doc)).map(|(_, body)| body))
    }
}

/// The rows that make a scope, of the one user in the relation `who` (columns `user_id` and
/// `unit_path`): `(NULL, path)` for each extra unit, and
/// `(doc_id, unit_path)` for each case naming them outside their own unit's subtree. A leader is
/// named on most cases of their own township's history: only the two path ranges outside it
/// are read, along (name, path) indexes (migration 0017). One statement, since each is a trip to
/// a SQLite connection's thread, which costs more than these reads.
pub(super) fn scope_rows(who: &str) -> String {
    // `scope_range`'s upper bound in SQL: unit paths end in '/', and '0' is the character after.
    const SUBTREE_END: &str = "substr(w.unit_path, 1, length(w.unit_path) - 1) || '0'";
    let named = |column: &str, range: &str| {
        format!(
            "SELECT c.doc_id, c.unit_path FROM {who} w JOIN cases c ON c.{column} = w.user_id AND {range}"
        )
    };
    [
        format!(
            "SELECT NULL AS doc_id, n.path AS path FROM {who} w JOIN user_units x ON x.user_id = w.user_id JOIN units n ON n.code = x.unit_code"
        ),
        named("handler", "c.unit_path < w.unit_path"),
        named("handler", &format!("c.unit_path >= {SUBTREE_END}")),
        named("responsible_leader", "c.unit_path < w.unit_path"),
        named("responsible_leader", &format!("c.unit_path >= {SUBTREE_END}")),
    ]
    .join(" UNION ")
}

pub(super) enum Bind {
    Text(String),
    Bytes(Vec<u8>),
    Int(i64),
}

impl Bind {
    /// Bind this value onto a query whose rows map onto `O`.
    pub(super) fn onto<'q, O>(
        self,
        q: sqlx::query::QueryAs<'q, sqlx::Any, O, sqlx::any::AnyArguments>,
    ) -> sqlx::query::QueryAs<'q, sqlx::Any, O, sqlx::any::AnyArguments> {
        match self {
            Bind::Text(t) => q.bind(t),
            Bind::Bytes(b) => q.bind(b),
            Bind::Int(i) => q.bind(i),
        }
    }
}

/// `(unit_path in any range OR doc_id in docs)` with placeholders from `$first` on.
pub(super) fn scope_filter(scope: &Scope, first: usize) -> (String, Vec<Bind>) {
    let mut parts = Vec::new();
    let mut binds = Vec::new();
    for (lo, hi) in scope.ranges() {
        let n = first + binds.len();
        parts.push(format!("(unit_path >= ${n} AND unit_path < ${})", n + 1));
        binds.extend([Bind::Text(lo), Bind::Text(hi)]);
    }
    if !scope.docs.is_empty() {
        let n = first + binds.len();
        let marks: Vec<String> = (0..scope.docs.len()).map(|i| format!("${}", n + i)).collect();
        parts.push(format!("doc_id IN ({})", marks.join(", ")));
        binds.extend(scope.docs.iter().map(|d| Bind::Bytes(d.0.to_vec())));
    }
    if parts.is_empty() {
        return ("1 = 0".into(), binds);
    }
    (format!("({})", parts.join(" OR ")), binds)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_under_another_are_folded_and_covered_named_cases_left_out() {
        let d1 = DocId([1; 16]);
        let d2 = DocId([2; 16]);
        let s = Scope::new(
            ["/a/b/v1/".into(), "/a/b/".into(), "/a/c/v2/".into()],
            [(d1, "/a/b/v9/".into()), (d2, "/a/d/v3/".into())],
        );
        assert_eq!(s.paths(), ["/a/b/", "/a/c/v2/"]);
        assert_eq!(s.docs().iter().copied().collect::<Vec<_>>(), vec![d2]);
        assert!(s.covers("/a/d/v3/", d2) && !s.covers("/a/d/v3/", d1) && s.covers("/a/b/x/", d1));
    }

    #[test]
    fn scope_rows_split_into_extra_units_and_named_cases_and_a_row_with_no_part_is_none() {
        let named = DocId([3; 16]);
        let rows = [
            (None, Some("/a/c/v2/".to_string())),
            (Some(named.0.to_vec()), Some("/a/d/v3/".to_string())),
            (None, None),
        ];
        let s = Scope::from_rows("/a/b/", rows).unwrap();
        assert_eq!(s, Scope::new(["/a/b/".into(), "/a/c/v2/".into()], [(named, "/a/d/v3/".into())]));
        assert_eq!(Scope::from_rows("/a/b/", [(None, None)]).unwrap(), Scope::of_path("/a/b/"));
        assert!(
            Scope::from_rows("/a/", [(Some(vec![1, 2]), Some("/b/".into()))]).is_err(),
            "not a document id"
        );
    }

    #[test]
    fn the_fingerprint_follows_the_description_and_the_description_round_trips() {
        let a = Scope::new(["/a/".into(), "/b/".into()], [(DocId([7; 16]), "/c/".into())]);
        let b = Scope::new(["/b/".into(), "/a/".into()], [(DocId([7; 16]), "/c/".into())]);
        assert_eq!(a.fingerprint(), b.fingerprint());
        assert_eq!(a.fingerprint().len(), 16);
        assert_ne!(a.fingerprint(), Scope::of_path("/a/").fingerprint());
        assert_eq!(Scope::from_description(&a.describe()).unwrap(), a);
        assert!(Scope::from_description("{\"paths\":[],\"docs\":[\"nope\"]}").is_err());
    }
}
