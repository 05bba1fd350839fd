//! Who wrote a change, by its actor prefix: the merge needs the writer's role to tell a value
//! the township chose from one field staff wrote (`merge::authority`).

use sync_protocol::ActorPrefix;

use super::*;

impl SqlStore {
    /// The role of the person each of `prefixes` was issued to (revoked devices included:
    /// what they wrote stays theirs). Prefixes nobody holds are absent.
    pub async fn roles_by_prefix(&self, prefixes: &[ActorPrefix]) -> Result<HashMap<ActorPrefix, String>> {
        let mut out = HashMap::new();
        for chunk in prefixes.chunks(200) {
            let marks = (1..=chunk.len()).map(|i| format!("${i}")).collect::<Vec<_>>().join(",");
            let sql = format!(
                "SELECT d.actor_prefix, u.role FROM devices d JOIN users u ON u.id = d.user_id
                 WHERE d.actor_prefix IN ({marks})"
            );
            let mut q = sqlx::query_as::<_, (Vec<u8>, String)>(sqlx::AssertSqlSafe(sql));
            for p in chunk {
                q = q.bind(p.0.to_vec());
            }
            for (prefix, role) in q.fetch_all(&self.pool).await? {
                let prefix =
                    ActorPrefix::from_slice(&prefix).map_err(|e| StoreError::Invalid(e.to_string()))?;
                out.insert(prefix, role);
            }
        }
        Ok(out)
    }
}
