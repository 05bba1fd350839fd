//! Where people work: moving someone to another unit, a work-team member's extra villages, and
//! a roster's people with their villages. Each changes the person's read scope, which their
//! devices learn on their next sync (PROTOCOL.md §10).

use super::sql::now_ms;
use super::*;

/// A person as an assignment needs them.
#[derive(Debug, Clone)]
pub struct Assignee {
    pub id: String,
    pub role: String,
    pub unit: Unit,
}

impl SqlStore {
    pub async fn assignee(&self, user_id: &str) -> Result<Option<Assignee>> {
        if user_id.is_empty() || user_id.len() > 32 || user_id.contains('\0') {
            return Ok(None);
        }
        let row: Option<(String, String)> = sqlx::query_as("SELECT role, unit_code FROM users WHERE id = $1")
            .bind(user_id)
            .fetch_optional(&self.pool)
            .await?;
        let Some((role, code)) = row else { return Ok(None) };
        let unit = self.unit(&code).await?.ok_or_else(|| StoreError::NotFound(format!("unit {code}")))?;
        Ok(Some(Assignee { id: user_id.to_string(), role, unit }))
    }

    /// An active person's own unit path and every path of their jurisdiction (their unit and
    /// their extra villages); `None` for nobody, or someone deactivated.
    pub async fn active_jurisdiction(&self, user_id: &str) -> Result<Option<(String, Vec<String>)>> {
        if user_id.is_empty() || user_id.len() > 32 || user_id.contains('\0') {
            return Ok(None);
        }
        let own: Option<String> = sqlx::query_scalar(
            "SELECT n.path FROM users u JOIN units n ON n.code = u.unit_code
              WHERE u.id = $1 AND u.deactivated_at IS NULL",
        )
        .bind(user_id)
        .fetch_optional(&self.pool)
        .await?;
        let Some(own) = own else { return Ok(None) };
        let mut paths: Vec<String> = sqlx::query_scalar(
            "SELECT n.path FROM user_units x JOIN units n ON n.code = x.unit_code WHERE x.user_id = $1",
        )
        .bind(user_id)
        .fetch_all(&self.pool)
        .await?;
        paths.push(own.clone());
        Ok(Some((own, paths)))
    }

    /// A person who left: revoke every device of theirs at once and refuse new ones, and let
    /// no case name them from now on. Cases that already name them keep the name until a
    /// leader names someone else.
    /// Returns the devices revoked now, whose live streams must end.
    pub async fn deactivate_user(&self, user_id: &str) -> Result<Vec<i64>> {
        let now = now_ms();
        let mut tx = self.writer.begin().await?;
        let n = sqlx::query("UPDATE users SET deactivated_at = COALESCE(deactivated_at, $2) WHERE id = $1")
            .bind(user_id)
            .bind(now)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        if n == 0 {
            return Err(StoreError::NotFound(format!("user {user_id}")));
        }
        let revoked = sqlx::query_scalar(
            "UPDATE devices SET revoked_at = $2 WHERE user_id = $1 AND revoked_at IS NULL RETURNING id",
        )
        .bind(user_id)
        .bind(now)
        .fetch_all(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(revoked)
    }

    /// Move a person to `unit_code`. A work-team member's extra villages go with the old post:
    /// a move replaces the whole assignment.
    pub async fn move_user(&self, user_id: &str, unit_code: &str) -> Result<(Assignee, Unit)> {
        let who =
            self.assignee(user_id).await?.ok_or_else(|| StoreError::NotFound(format!("user {user_id}")))?;
        let to =
            self.unit(unit_code).await?.ok_or_else(|| StoreError::NotFound(format!("unit {unit_code}")))?;
        if !sync_protocol::roles::fits(&who.role, &to.kind) {
            return Err(StoreError::Invalid(format!(
                "a {} cannot belong to {} {} (a {})",
                who.role, to.code, to.name, to.kind
            )));
        }
        let mut tx = self.writer.begin().await?;
        sqlx::query("UPDATE users SET unit_code = $2 WHERE id = $1")
            .bind(user_id)
            .bind(&to.code)
            .execute(&mut *tx)
            .await?;
        sqlx::query("DELETE FROM user_units WHERE user_id = $1").bind(user_id).execute(&mut *tx).await?;
        tx.commit().await?;
        Ok((who, to))
    }

    /// A work-team member's villages besides their own unit.
    pub async fn extra_villages(&self, user_id: &str) -> Result<Vec<Unit>> {
        let codes: Vec<String> =
            sqlx::query_scalar("SELECT unit_code FROM user_units WHERE user_id = $1 ORDER BY unit_code")
                .bind(user_id)
                .fetch_all(&self.pool)
                .await?;
        let mut out = Vec::with_capacity(codes.len());
        for c in codes {
            out.extend(self.unit(&c).await?);
        }
        Ok(out)
    }

    /// Give a work-team member another village (idempotent).
    pub async fn add_village(&self, user_id: &str, village: &str) -> Result<Unit> {
        let who =
            self.assignee(user_id).await?.ok_or_else(|| StoreError::NotFound(format!("user {user_id}")))?;
        if !sync_protocol::roles::role(&who.role).is_some_and(sync_protocol::Role::covers_several_villages) {
            return Err(StoreError::Invalid(format!(
                "only a work-team member covers several villages; {user_id} is a {}",
                who.role
            )));
        }
        let unit =
            self.unit(village).await?.ok_or_else(|| StoreError::NotFound(format!("unit {village}")))?;
        if !unit.is(UnitKind::Village) {
            return Err(StoreError::Invalid(format!(
                "{} {} is a {}, not a village",
                unit.code, unit.name, unit.kind
            )));
        }
        if unit.code != who.unit.code {
            sqlx::query("INSERT INTO user_units (user_id, unit_code) VALUES ($1, $2) ON CONFLICT DO NOTHING")
                .bind(user_id)
                .bind(&unit.code)
                .execute(&self.writer)
                .await?;
        }
        Ok(unit)
    }

    /// Take an extra village away. A person's own unit is changed with a move instead.
    pub async fn remove_village(&self, user_id: &str, village: &str) -> Result<()> {
        let who =
            self.assignee(user_id).await?.ok_or_else(|| StoreError::NotFound(format!("user {user_id}")))?;
        if who.unit.code == village {
            return Err(StoreError::Invalid(format!(
                "{village} is {user_id}'s own unit: move them (user-move) instead"
            )));
        }
        let n = sqlx::query("DELETE FROM user_units WHERE user_id = $1 AND unit_code = $2")
            .bind(user_id)
            .bind(village)
            .execute(&self.writer)
            .await?
            .rows_affected();
        (n == 1).then_some(()).ok_or_else(|| StoreError::NotFound(format!("village {village} of {user_id}")))
    }

    /// Add every user, and each one's extra villages, or none: one transaction.
    pub async fn import_roster(
        &self,
        users: &[NewUser],
        villages: &[(String, String)],
        places: &[(String, LatLon)],
    ) -> Result<()> {
        let now = now_ms();
        let mut tx = self.writer.begin().await?;
        for u in users {
            sqlx::query(
                "INSERT INTO users (id, name, phone, role, unit_code, created_at) VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(&u.id)
            .bind(&u.name)
            .bind(u.phone.clone())
            .bind(&u.role)
            .bind(&u.unit_code)
            .bind(now)
            .execute(&mut *tx)
            .await?;
        }
        for (user, village) in villages {
            sqlx::query("INSERT INTO user_units (user_id, unit_code) VALUES ($1, $2)")
                .bind(user)
                .bind(village)
                .execute(&mut *tx)
                .await?;
        }
        for (unit, at) in places {
            sqlx::query("UPDATE units SET latitude = $2, longitude = $3 WHERE code = $1")
                .bind(unit)
                .bind(at.latitude)
                .bind(at.longitude)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(())
    }
}
