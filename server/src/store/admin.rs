//! The org tree, people, devices, the case projection and backups.

use base64::Engine;
use sha2::{Digest, Sha256};
use sync_protocol::{ActorPrefix, DocId, Role, UnitKind};

use super::sql::{now_ms, to_doc_id};
use super::*;

pub fn token_hash(token: &str) -> Vec<u8> {
    Sha256::digest(token.as_bytes()).to_vec()
}

fn check_code(code: &str) -> Result<()> {
    let ok = !code.is_empty()
        && code.len() <= 32
        && code.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    ok.then_some(()).ok_or_else(|| {
        StoreError::Invalid(format!("unit code '{code}' must be 1–32 letters, digits, '-' or '_'"))
    })
}

fn check_text(field: &str, value: &str, max: usize) -> Result<()> {
    let n = value.chars().count();
    if value.trim().is_empty() || n > max || value.chars().any(char::is_control) {
        return Err(StoreError::Invalid(format!("{field} must be 1–{max} printable characters")));
    }
    Ok(())
}

impl SqlStore {
    /// Add a unit under `parent` (None only for a root city). Idempotent for an identical unit.
    pub async fn create_unit(
        &self,
        code: &str,
        name: &str,
        kind: &str,
        parent: Option<&str>,
    ) -> Result<Unit> {
        check_code(code)?;
        check_text("name", name, 40)?;
        if kind.parse::<UnitKind>().is_err() {
            return Err(StoreError::Invalid(format!("kind must be one of {}", UnitKind::list())));
        }
        let path = match parent {
            Some(p) => format!(
                "{}{code}/",
                self.unit(p).await?.ok_or_else(|| StoreError::NotFound(format!("parent unit {p}")))?.path
            ),
            None => format!("/{code}/"),
        };
        let unit = Unit {
            code: code.into(),
            name: name.into(),
            kind: kind.into(),
            parent_code: parent.map(Into::into),
            path,
        };
        sqlx::query("INSERT INTO units (code, name, kind, parent_code, path) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (code) DO NOTHING")
            .bind(&unit.code)
            .bind(&unit.name)
            .bind(&unit.kind)
            .bind(unit.parent_code.clone())
            .bind(&unit.path)
            .execute(&self.writer)
            .await?;
        match self.unit(code).await? {
            Some(existing) if existing == unit => Ok(unit),
            _ => Err(StoreError::Invalid(format!("unit {code} already exists with other details"))),
        }
    }

    pub async fn unit(&self, code: &str) -> Result<Option<Unit>> {
        if check_code(code).is_err() {
            // No unit has such a code; and PostgreSQL would refuse a NUL in it with an error.
            return Ok(None);
        }
        Ok(sqlx::query_as("SELECT code, name, kind, parent_code, path FROM units WHERE code = $1")
            .bind(code)
            .fetch_optional(&self.pool)
            .await?)
    }

    /// The unit and all its ancestors, root first.
    pub async fn unit_chain(&self, code: &str) -> Result<Vec<Unit>> {
        if let Some(chain) = self.cached_chain(code) {
            return Ok(chain);
        }
        // A unit's path names its ancestors' codes: two lookups by key (a join comparing
        // prefixes read every unit, once per village, thousands in a province).
        let Some(unit) = self.unit(code).await? else { return Ok(vec![]) };
        let codes: Vec<&str> = unit.path.split('/').filter(|c| !c.is_empty()).collect();
        let sql = format!(
            "SELECT code, name, kind, parent_code, path FROM units WHERE code IN {} ORDER BY length(path)",
            super::commit::values(1, codes.len())
        );
        let mut q = sqlx::query_as(sqlx::AssertSqlSafe(sql));
        for c in &codes {
            q = q.bind(*c);
        }
        let chain: Vec<Unit> = q.fetch_all(&self.pool).await?;
        let mut cache = self.units.write().unwrap();
        for u in &chain {
            cache.insert(u.code.clone(), u.clone());
        }
        Ok(chain)
    }

    fn cached_chain(&self, code: &str) -> Option<Vec<Unit>> {
        let cache = self.units.read().unwrap();
        let unit = cache.get(code)?;
        unit.path.split('/').filter(|c| !c.is_empty()).map(|c| cache.get(c).cloned()).collect()
    }

    pub async fn units(&self) -> Result<Vec<Unit>> {
        Ok(sqlx::query_as("SELECT code, name, kind, parent_code, path FROM units ORDER BY path")
            .fetch_all(&self.pool)
            .await?)
    }

    pub async fn create_user(&self, u: &NewUser) -> Result<()> {
        check_code(&u.id)
            .map_err(|_| StoreError::Invalid("user id must be 1–32 letters, digits, '-' or '_'".into()))?;
        check_text("name", &u.name, 40)?;
        if let Some(p) = &u.phone
            && (p.len() > 20 || !p.bytes().all(|b| b.is_ascii_digit() || b == b'+'))
        {
            return Err(StoreError::Invalid("phone must be digits (and a leading +)".into()));
        }
        if u.role.parse::<Role>().is_err() {
            return Err(StoreError::Invalid(format!("role must be one of {}", Role::list())));
        }
        if self.unit(&u.unit_code).await?.is_none() {
            return Err(StoreError::NotFound(format!("unit {}", u.unit_code)));
        }
        sqlx::query("INSERT INTO users (id, name, phone, role, unit_code, created_at) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (id) DO NOTHING")
            .bind(&u.id)
            .bind(&u.name)
            .bind(u.phone.clone())
            .bind(&u.role)
            .bind(&u.unit_code)
            .bind(now_ms())
            .execute(&self.writer)
            .await?;
        Ok(())
    }

    /// Issue a device for a user: a random bearer token (shown once, stored hashed) and a
    /// random, never-zero actor prefix. `token` lets the demo seed use known tokens.
    pub async fn issue_device(
        &self,
        user_id: &str,
        label: &str,
        token: Option<&str>,
    ) -> Result<IssuedDevice> {
        check_text("label", label, 60)?;
        let deactivated: Option<Option<i64>> =
            sqlx::query_scalar("SELECT deactivated_at FROM users WHERE id = $1")
                .bind(user_id)
                .fetch_optional(&self.pool)
                .await?;
        if let Some(Some(_)) = deactivated {
            return Err(StoreError::Invalid(format!("user {user_id} is deactivated")));
        }
        let token = token.map(str::to_string).unwrap_or_else(|| {
            base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(rand::random::<[u8; 32]>())
        });
        let hash = token_hash(&token);
        if let Some(existing) = self.device_by_token_hash(&hash).await? {
            return Ok(IssuedDevice {
                device_id: existing.device_id,
                token,
                actor_prefix: existing.actor_prefix,
            });
        }
        let prefix = loop {
            let p: [u8; 8] = rand::random();
            if p != ActorPrefix::SERVER.0 {
                break ActorPrefix(p);
            }
        };
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO devices (user_id, token_hash, actor_prefix, label, created_at) VALUES ($1, $2, $3, $4, $5) RETURNING id",
        )
        .bind(user_id)
        .bind(hash)
        .bind(prefix.0.to_vec())
        .bind(label)
        .bind(now_ms())
        .fetch_one(&self.writer)
        .await
        .map_err(|e| match e {
            sqlx::Error::Database(d) if d.message().to_lowercase().contains("foreign key") => StoreError::NotFound(format!("user {user_id}")),
            e => e.into(),
        })?;
        Ok(IssuedDevice { device_id: id, token, actor_prefix: prefix })
    }

    pub async fn revoke_device(&self, device_id: i64) -> Result<()> {
        let n = sqlx::query("UPDATE devices SET revoked_at = $2 WHERE id = $1 AND revoked_at IS NULL")
            .bind(device_id)
            .bind(now_ms())
            .execute(&self.writer)
            .await?
            .rows_affected();
        if n == 0 {
            return Err(StoreError::NotFound(format!("active device {device_id}")));
        }
        Ok(())
    }

    /// Cases in a jurisdiction, most urgent first, then newest.
    pub async fn cases_in_scope(&self, scope: &str, limit: i64, offset: i64) -> Result<Vec<String>> {
        let (lo, hi) = super::sql::scope_range(scope);
        Ok(sqlx::query_scalar(
            "SELECT body FROM cases WHERE unit_path >= $1 AND unit_path < $4
             ORDER BY CASE severity WHEN 'urgent' THEN 0 WHEN 'major' THEN 1 ELSE 2 END, reported_at DESC
             LIMIT $2 OFFSET $3",
        )
        .bind(&lo)
        .bind(limit)
        .bind(offset)
        .bind(&hi)
        .fetch_all(&self.pool)
        .await?)
    }

    pub async fn case_in_scope(&self, scope: &str, doc: DocId) -> Result<Option<String>> {
        let row: Option<(String, String)> =
            sqlx::query_as("SELECT unit_path, body FROM cases WHERE doc_id = $1")
                .bind(doc.0.to_vec())
                .fetch_optional(&self.pool)
                .await?;
        // Outside the jurisdiction answers exactly like absent.
        Ok(row.filter(|(path, _)| path.starts_with(scope)).map(|(_, body)| body))
    }

    /// Every projection row, for comparing a live projection with a rebuild.
    pub async fn case_rows(&self) -> Result<Vec<(DocId, String)>> {
        let rows: Vec<(Vec<u8>, String)> =
            sqlx::query_as("SELECT doc_id, body FROM cases ORDER BY doc_id").fetch_all(&self.pool).await?;
        rows.into_iter().map(|(doc, body)| Ok((to_doc_id(doc)?, body))).collect()
    }

    pub async fn doc_ids(&self, kind: &str) -> Result<Vec<DocId>> {
        let ids: Vec<Vec<u8>> =
            sqlx::query_scalar("SELECT doc_id FROM documents WHERE kind = $1 ORDER BY doc_id")
                .bind(kind)
                .fetch_all(&self.pool)
                .await?;
        ids.into_iter().map(to_doc_id).collect()
    }

    /// A consistent copy of a live SQLite database. The copy is marked so that, once restored,
    /// the server starts a new epoch and clients re-check what it has.
    pub async fn backup_to(&self, dest: &std::path::Path) -> Result<()> {
        if self.dialect != Dialect::Sqlite {
            return Err(StoreError::Invalid(
                "anlan backup copies the embedded SQLite database; for PostgreSQL use pg_dump, and after restoring run `anlan new-epoch`".into(),
            ));
        }
        if dest.exists() {
            return Err(StoreError::Invalid(format!("{} already exists", dest.display())));
        }
        sqlx::query("VACUUM INTO $1").bind(dest.display().to_string()).execute(&self.writer).await?;
        let copy = SqlStore::connect(&format!("sqlite://{}", dest.display())).await?;
        sqlx::query("INSERT INTO meta (key, value) VALUES ('new_epoch_on_open', '1')")
            .execute(&copy.writer)
            .await?;
        copy.writer.close().await;
        copy.pool.close().await;
        Ok(())
    }
}
