//! The administrators' view of units and people: listings within a jurisdiction.

use serde::Serialize;

use super::sql::scope_range;
use super::*;

/// One person as an administrator's list shows them.
#[derive(Debug, Clone, Serialize)]
pub struct UserListing {
    pub id: String,
    pub name: String,
    pub phone: Option<String>,
    pub role: String,
    pub unit_code: String,
    pub unit_name: String,
    /// Has set a password (used an enrolment code).
    pub enrolled: bool,
    /// Devices not revoked.
    pub devices: i64,
    pub created_at: i64,
}

impl SqlStore {
    /// The units under `path` (itself included), in tree order.
    pub async fn units_under(&self, path: &str) -> Result<Vec<Unit>> {
        let (lo, hi) = scope_range(path);
        Ok(sqlx::query_as("SELECT code, name, kind, parent_code, path FROM units WHERE path >= $1 AND path < $2 ORDER BY path")
            .bind(lo)
            .bind(hi)
            .fetch_all(&self.pool)
            .await?)
    }

    /// The people whose unit lies under `path`, in tree order, then by name.
    pub async fn users_under(&self, path: &str, limit: i64, offset: i64) -> Result<Vec<UserListing>> {
        let (lo, hi) = scope_range(path);
        // `enrolled` comes as 0 or 1: the `Any` driver decodes a bool only from a real boolean,
        // which SQLite does not have.
        #[derive(sqlx::FromRow)]
        struct Listed {
            id: String,
            name: String,
            phone: Option<String>,
            role: String,
            unit_code: String,
            unit_name: String,
            enrolled: i64,
            devices: i64,
            created_at: i64,
        }
        let rows: Vec<Listed> = sqlx::query_as(
            "SELECT u.id, u.name, u.phone, u.role, u.unit_code, n.name AS unit_name,
                    CAST(CASE WHEN u.password_hash IS NULL THEN 0 ELSE 1 END AS BIGINT) AS enrolled,
                    (SELECT COUNT(*) FROM devices d WHERE d.user_id = u.id AND d.revoked_at IS NULL) AS devices,
                    u.created_at
             FROM users u JOIN units n ON n.code = u.unit_code
             WHERE n.path >= $1 AND n.path < $2 ORDER BY n.path, u.name, u.id LIMIT $3 OFFSET $4",
        )
        .bind(lo)
        .bind(hi)
        .bind(limit)
        .bind(offset)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .into_iter()
            .map(|r| UserListing {
                id: r.id,
                name: r.name,
                phone: r.phone,
                role: r.role,
                unit_code: r.unit_code,
                unit_name: r.unit_name,
                enrolled: r.enrolled != 0,
                devices: r.devices,
                created_at: r.created_at,
            })
            .collect())
    }

    /// A user's role and unit path, if the user exists.
    pub async fn user_role_path(&self, user_id: &str) -> Result<Option<(String, String)>> {
        if self.user_unit_path(user_id).await?.is_none() {
            return Ok(None);
        }
        Ok(sqlx::query_as(
            "SELECT u.role, n.path FROM users u JOIN units n ON n.code = u.unit_code WHERE u.id = $1",
        )
        .bind(user_id)
        .fetch_optional(&self.pool)
        .await?)
    }
}
