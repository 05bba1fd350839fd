//! The administrators' view of units and people: listings within a jurisdiction.

use serde::Serialize;
use sqlx::Row;

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
        sqlx::query("SELECT code, name, kind, parent_code, path FROM units WHERE path >= $1 AND path < $2 ORDER BY path")
            .bind(lo)
            .bind(hi)
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(super::admin::unit_from)
            .collect()
    }

    /// The people whose unit lies under `path`, in tree order, then by name.
    pub async fn users_under(&self, path: &str, limit: i64, offset: i64) -> Result<Vec<UserListing>> {
        let (lo, hi) = scope_range(path);
        sqlx::query(
            "SELECT u.id, u.name, u.phone, u.role, u.unit_code, n.name,
                    CAST(CASE WHEN u.password_hash IS NULL THEN 0 ELSE 1 END AS BIGINT),
                    (SELECT COUNT(*) FROM devices d WHERE d.user_id = u.id AND d.revoked_at IS NULL),
                    u.created_at
             FROM users u JOIN units n ON n.code = u.unit_code
             WHERE n.path >= $1 AND n.path < $2 ORDER BY n.path, u.name, u.id LIMIT $3 OFFSET $4",
        )
        .bind(lo)
        .bind(hi)
        .bind(limit)
        .bind(offset)
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(|r| {
            Ok(UserListing {
                id: r.try_get(0)?,
                name: r.try_get(1)?,
                phone: r.try_get(2)?,
                role: r.try_get(3)?,
                unit_code: r.try_get(4)?,
                unit_name: r.try_get(5)?,
                enrolled: r.try_get::<i64, _>(6)? != 0,
                devices: r.try_get(7)?,
                created_at: r.try_get(8)?,
            })
        })
        .collect()
    }

    /// A user's role and unit path, if the user exists.
    pub async fn user_role_path(&self, user_id: &str) -> Result<Option<(String, String)>> {
        if self.user_unit_path(user_id).await?.is_none() {
            return Ok(None);
        }
        Ok(sqlx::query(
            "SELECT u.role, n.path FROM users u JOIN units n ON n.code = u.unit_code WHERE u.id = $1",
        )
        .bind(user_id)
        .fetch_optional(&self.pool)
        .await?
        .map(|r| Ok::<_, sqlx::Error>((r.try_get(0)?, r.try_get(1)?)))
        .transpose()?)
    }
}
