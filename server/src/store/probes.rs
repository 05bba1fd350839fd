//! Counts the tests read to check what was (not) stored. Built only for tests, so production
//! code cannot come to lean on them.

use super::*;

impl SqlStore {
    pub async fn user_count(&self) -> Result<i64> {
        Ok(sqlx::query_scalar("SELECT COUNT(*) FROM users").fetch_one(&self.pool).await?)
    }

    pub async fn outbox_causes(&self) -> Result<Vec<String>> {
        Ok(sqlx::query_scalar("SELECT cause FROM outbox ORDER BY id").fetch_all(&self.pool).await?)
    }

    pub async fn quarantine_count(&self) -> Result<i64> {
        Ok(sqlx::query_scalar("SELECT COUNT(*) FROM quarantine").fetch_one(&self.pool).await?)
    }

    pub async fn change_count(&self) -> Result<i64> {
        Ok(sqlx::query_scalar("SELECT COUNT(*) FROM changes").fetch_one(&self.pool).await?)
    }
}
