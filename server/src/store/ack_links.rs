//! The acknowledgement links of alert SMS (see `crate::alerts::link`): issued hashed, read,
//! and used once.

use sync_protocol::DocId;

use super::sql::now_ms;
use super::*;

/// What a link is for.
#[derive(Debug, Clone)]
pub struct LinkView {
    pub delivery_id: i64,
    pub user_id: String,
    pub doc: DocId,
    /// What the SMS said of the case (places and numbers, nothing personal).
    pub text: String,
}

/// A link as presented: good for one acknowledgement, or why not.
#[derive(Debug, Clone)]
pub enum LinkUse {
    Valid(LinkView),
    Used,
    Expired,
    /// Never issued (a guess, a typo, a truncated link), or issued to someone who has since
    /// left or moved and may no longer acknowledge this case.
    Unknown,
}

impl SqlStore {
    pub async fn issue_ack_link(&self, hash: &[u8], view: &LinkView, expires_at: i64) -> Result<()> {
        sqlx::query(
            "INSERT INTO ack_links (code_hash, delivery_id, user_id, doc_id, text, created_at, expires_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(hash.to_vec())
        .bind(view.delivery_id)
        .bind(&view.user_id)
        .bind(view.doc.0.to_vec())
        .bind(&view.text)
        .bind(now_ms())
        .bind(expires_at)
        .execute(&self.writer)
        .await?;
        Ok(())
    }

    /// The link with this hash as it stands, without using it.
    pub async fn ack_link(&self, hash: &[u8]) -> Result<LinkUse> {
        #[derive(sqlx::FromRow)]
        struct Link {
            delivery_id: i64,
            user_id: String,
            #[sqlx(try_from = "Vec<u8>")]
            doc_id: DocId,
            text: String,
            expires_at: i64,
            used_at: Option<i64>,
            unit_code: String,
            unit_path: Option<String>,
            deactivated_at: Option<i64>,
        }
        let row: Option<Link> = sqlx::query_as(
            "SELECT l.delivery_id, l.user_id, l.doc_id, l.text, l.expires_at, l.used_at, u.unit_code, c.unit_path,
                    u.deactivated_at
             FROM ack_links l JOIN users u ON u.id = l.user_id LEFT JOIN cases c ON c.doc_id = l.doc_id
             WHERE l.code_hash = $1",
        )
        .bind(hash.to_vec())
        .fetch_optional(&self.pool)
        .await?;
        let Some(r) = row else { return Ok(LinkUse::Unknown) };
        if r.used_at.is_some() {
            return Ok(LinkUse::Used);
        }
        if r.expires_at <= now_ms() {
            return Ok(LinkUse::Expired);
        }
        // Bound to the person: one who left, or whose unit no longer covers the case, is no
        // longer the person the link was for.
        let chain = self.unit_chain(&r.unit_code).await?;
        let covers = match (chain.last(), &r.unit_path) {
            (Some(u), Some(p)) => p.starts_with(&u.path),
            _ => false,
        };
        if r.deactivated_at.is_some() || !covers {
            return Ok(LinkUse::Unknown);
        }
        Ok(LinkUse::Valid(LinkView {
            delivery_id: r.delivery_id,
            user_id: r.user_id,
            doc: r.doc_id,
            text: r.text,
        }))
    }

    /// Use the link: exactly one caller gets `Valid`, every later one `Used`.
    pub async fn use_ack_link(&self, hash: &[u8]) -> Result<LinkUse> {
        let view = self.ack_link(hash).await?;
        if !matches!(view, LinkUse::Valid(_)) {
            return Ok(view);
        }
        let now = now_ms();
        let took = sqlx::query(
            "UPDATE ack_links SET used_at = $2 WHERE code_hash = $1 AND used_at IS NULL AND expires_at > $2",
        )
        .bind(hash.to_vec())
        .bind(now)
        .execute(&self.writer)
        .await?
        .rows_affected();
        Ok(if took == 1 { view } else { LinkUse::Used })
    }

    /// Give a link back whose acknowledgement could not be recorded (the database was busy):
    /// the person may press again.
    pub async fn unuse_ack_link(&self, hash: &[u8]) -> Result<()> {
        sqlx::query("UPDATE ack_links SET used_at = NULL WHERE code_hash = $1")
            .bind(hash.to_vec())
            .execute(&self.writer)
            .await?;
        Ok(())
    }

    /// How many links were issued about `doc`.
    pub async fn ack_link_count(&self, doc: DocId) -> Result<i64> {
        Ok(sqlx::query_scalar("SELECT COUNT(*) FROM ack_links WHERE doc_id = $1")
            .bind(doc.0.to_vec())
            .fetch_one(&self.pool)
            .await?)
    }

    /// Move a link's expiry (tests of expiry; an operator who must revoke links sets it past).
    pub async fn expire_ack_links(&self, doc: DocId, at: i64) -> Result<u64> {
        Ok(sqlx::query("UPDATE ack_links SET expires_at = $2 WHERE doc_id = $1")
            .bind(doc.0.to_vec())
            .bind(at)
            .execute(&self.writer)
            .await?
            .rows_affected())
    }
}
