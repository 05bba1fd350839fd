//! People's credentials and devices: enrolment codes, passwords, lockouts, token rotation,
//! revoking and retiring, and the roster import. Secrets are hashed here and nowhere else.

use std::sync::OnceLock;

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use base64::Engine;
use sha2::{Digest, Sha256};

use super::admin::token_hash;
use super::sql::now_ms;
use super::*;

/// A code is good for a week: long enough to reach a village, short enough not to linger.
pub const CODE_TTL_MS: i64 = 7 * 24 * 3600 * 1000;
/// Eight digits: typed on a phone's number pad; the lockout below makes guessing hopeless.
pub const CODE_DIGITS: usize = 8;
pub const MIN_PASSWORD: usize = 8;
/// Bounds Argon2's work per request: a megabyte "password" must not cost more than a normal one.
pub const MAX_PASSWORD: usize = 128;

/// An enrolment code as issued: the plain code exists only in this value.
#[derive(Debug, Clone)]
pub struct EnrolmentCode {
    pub user_id: String,
    pub phone: String,
    pub code: String,
    pub expires_at: i64,
}

impl EnrolmentCode {
    /// The link that opens the PWA's enrolment screen with phone and code filled in.
    pub fn link(&self, base_url: &str) -> String {
        format!("{}/#/enrol?phone={}&code={}", base_url.trim_end_matches('/'), self.phone, self.code)
    }
}

/// What logging in needs to know about the person behind a phone number.
#[derive(Debug, Clone)]
pub struct Credentials {
    pub user_id: String,
    pub password_hash: Option<String>,
    /// The live enrolment code's hash: unused and not expired.
    pub code_hash: Option<String>,
}

/// One of a user's devices, as the user's own device list shows it.
#[derive(Debug, Clone, serde::Serialize, sqlx::FromRow)]
pub struct DeviceInfo {
    pub id: i64,
    pub label: String,
    pub created_at: i64,
    pub revoked_at: Option<i64>,
    pub retire_at: Option<i64>,
}

/// Failed attempts allowed per phone number, and per client address (several people may share
/// one address behind a township's NAT, so it gets more), before a lockout of [`LOCKOUT_MS`].
pub const PHONE_FAILURES: i64 = 5;
pub const ADDR_FAILURES: i64 = 20;
pub const LOCKOUT_MS: i64 = 15 * 60 * 1000;

/// The lockout key of a phone number. Hashed: attempts with numbers that belong to nobody are
/// recorded too, and a table of them should not be a list of phone numbers.
pub fn phone_key(phone: &str) -> String {
    format!("phone:{}", hex::encode(Sha256::digest(phone.as_bytes())))
}

pub fn addr_key(addr: &str) -> String {
    format!("addr:{addr}")
}

/// Argon2id with the crate's default parameters, in a blocking thread: it is built to be slow.
pub async fn hash_secret(secret: &str) -> Result<String> {
    let secret = secret.to_string();
    tokio::task::spawn_blocking(move || {
        let salt = SaltString::encode_b64(&rand::random::<[u8; 16]>())
            .map_err(|e| StoreError::Invalid(e.to_string()))?;
        Argon2::default()
            .hash_password(secret.as_bytes(), &salt)
            .map(|h| h.to_string())
            .map_err(|e| StoreError::Invalid(e.to_string()))
    })
    .await
    .map_err(|e| StoreError::Invalid(e.to_string()))?
}

/// Check `secret` against `hash`. With no hash it still does the work, against a hash of a random
/// secret, so an unknown phone number takes as long to refuse as a wrong password.
pub async fn verify_secret(secret: &str, hash: Option<&str>) -> bool {
    static DECOY: OnceLock<String> = OnceLock::new();
    let secret = secret.to_string();
    let hash = hash.map(str::to_string);
    tokio::task::spawn_blocking(move || {
        let decoy = DECOY.get_or_init(|| {
            let salt = SaltString::encode_b64(&rand::random::<[u8; 16]>()).expect("16 bytes of salt");
            let random = hex::encode(rand::random::<[u8; 16]>());
            Argon2::default().hash_password(random.as_bytes(), &salt).expect("argon2").to_string()
        });
        let (hash, real) = match &hash {
            Some(h) => (h.as_str(), true),
            None => (decoy.as_str(), false),
        };
        let ok = PasswordHash::new(hash)
            .is_ok_and(|parsed| Argon2::default().verify_password(secret.as_bytes(), &parsed).is_ok());
        ok && real
    })
    .await
    .unwrap_or(false)
}

/// Phone numbers as people type them ("139 0000 1234", "139-0000-1234") compared as digits.
pub fn normalise_phone(raw: &str) -> Option<String> {
    let p: String = raw.chars().filter(|c| !matches!(c, ' ' | '-' | '\u{3000}')).collect();
    let digits = p.strip_prefix('+').unwrap_or(&p);
    let ok = (5..=20).contains(&digits.len()) && digits.bytes().all(|b| b.is_ascii_digit());
    ok.then_some(p)
}

fn random_code() -> String {
    (0..CODE_DIGITS).map(|_| char::from(b'0' + rand::random_range(0..10u8))).collect()
}

impl SqlStore {
    /// Issue a fresh one-time code for `user_id`, replacing any earlier one.
    pub async fn issue_enrolment_code(&self, user_id: &str) -> Result<EnrolmentCode> {
        let phone: Option<Option<String>> = sqlx::query_scalar("SELECT phone FROM users WHERE id = $1")
            .bind(user_id)
            .fetch_optional(&self.pool)
            .await?;
        let phone =
            phone.ok_or_else(|| StoreError::NotFound(format!("user {user_id}")))?.ok_or_else(|| {
                StoreError::Invalid(format!("user {user_id} has no phone number to enrol with"))
            })?;
        let code = random_code();
        let hash = hash_secret(&code).await?;
        let now = now_ms();
        sqlx::query(
            "INSERT INTO enrolment_codes (user_id, code_hash, created_at, expires_at, used_at)
             VALUES ($1, $2, $3, $4, NULL)
             ON CONFLICT (user_id) DO UPDATE SET code_hash = excluded.code_hash,
                 created_at = excluded.created_at, expires_at = excluded.expires_at, used_at = NULL",
        )
        .bind(user_id)
        .bind(hash)
        .bind(now)
        .bind(now + CODE_TTL_MS)
        .execute(&self.writer)
        .await?;
        Ok(EnrolmentCode { user_id: user_id.into(), phone, code, expires_at: now + CODE_TTL_MS })
    }

    /// Backdate a user's live code (tests of expiry; an administrator withdrawing a code).
    pub async fn expire_enrolment_code(&self, user_id: &str) -> Result<()> {
        sqlx::query("UPDATE enrolment_codes SET expires_at = $2 WHERE user_id = $1")
            .bind(user_id)
            .bind(now_ms() - 1)
            .execute(&self.writer)
            .await?;
        Ok(())
    }

    pub async fn credentials(&self, phone: &str) -> Result<Option<Credentials>> {
        if normalise_phone(phone).as_deref() != Some(phone) {
            // Not a phone number, so nobody's; and PostgreSQL would refuse a NUL in it with an error.
            return Ok(None);
        }
        #[derive(sqlx::FromRow)]
        struct Found {
            id: String,
            password_hash: Option<String>,
            code_hash: Option<String>,
            expires_at: Option<i64>,
            used_at: Option<i64>,
        }
        let found: Option<Found> = sqlx::query_as(
            "SELECT u.id, u.password_hash, c.code_hash, c.expires_at, c.used_at
             FROM users u LEFT JOIN enrolment_codes c ON c.user_id = u.id WHERE u.phone = $1",
        )
        .bind(phone)
        .fetch_optional(&self.pool)
        .await?;
        Ok(found.map(|f| {
            let live = f.used_at.is_none() && f.expires_at.is_some_and(|e| e > now_ms());
            Credentials {
                user_id: f.id,
                password_hash: f.password_hash,
                code_hash: if live { f.code_hash } else { None },
            }
        }))
    }

    /// Use up the user's code and set their password, both or neither. False when the code was
    /// used or expired in the meantime (two phones racing with one code: one wins).
    pub async fn complete_enrolment(&self, user_id: &str, password_hash: &str) -> Result<bool> {
        let now = now_ms();
        let mut tx = self.writer.begin().await?;
        let claimed = sqlx::query(
            "UPDATE enrolment_codes SET used_at = $2 WHERE user_id = $1 AND used_at IS NULL AND expires_at > $2",
        )
        .bind(user_id)
        .bind(now)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if claimed != 1 {
            return Ok(false);
        }
        sqlx::query("UPDATE users SET password_hash = $2 WHERE id = $1")
            .bind(user_id)
            .bind(password_hash)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(true)
    }

    /// Count an attempt against `key` *before* checking it, so that a burst of concurrent guesses
    /// cannot all slip past a lock that the first failures have not written yet. Returns the
    /// milliseconds left to wait when the key is locked (the attempt must then be refused
    /// unchecked); the `limit`-th attempt within [`LOCKOUT_MS`] still goes ahead and sets the lock.
    pub async fn count_attempt(&self, key: &str, limit: i64) -> Result<Option<i64>> {
        let now = now_ms();
        // A window that has passed, or a lock that has ended, starts the count afresh.
        let (attempts, locked_until): (i64, Option<i64>) = sqlx::query_as(
            "INSERT INTO login_failures (key, failures, first_at, locked_until) VALUES ($1, 1, $2, NULL)
             ON CONFLICT (key) DO UPDATE SET
                 failures = CASE WHEN login_failures.first_at < $3 OR login_failures.locked_until <= $2
                                 THEN 1 ELSE login_failures.failures + 1 END,
                 first_at = CASE WHEN login_failures.first_at < $3 OR login_failures.locked_until <= $2
                                 THEN $2 ELSE login_failures.first_at END,
                 locked_until = CASE WHEN login_failures.first_at < $3 OR login_failures.locked_until <= $2
                                 THEN NULL ELSE login_failures.locked_until END
             RETURNING failures, locked_until",
        )
        .bind(key)
        .bind(now)
        .bind(now - LOCKOUT_MS)
        .fetch_one(&self.writer)
        .await?;
        if let Some(until) = locked_until.filter(|u| *u > now) {
            return Ok(Some(until - now));
        }
        if attempts >= limit {
            sqlx::query(
                "UPDATE login_failures SET locked_until = $2 WHERE key = $1 AND locked_until IS NULL",
            )
            .bind(key)
            .bind(now + LOCKOUT_MS)
            .execute(&self.writer)
            .await?;
            if attempts > limit {
                return Ok(Some(LOCKOUT_MS));
            }
        }
        // Every number an attacker tries leaves a row: now and then, drop the ones long done with.
        if rand::random_range(0..100) == 0 {
            sqlx::query(
                "DELETE FROM login_failures WHERE first_at < $1 AND (locked_until IS NULL OR locked_until < $2)",
            )
            .bind(now - LOCKOUT_MS)
            .bind(now)
            .execute(&self.writer)
            .await?;
        }
        Ok(None)
    }

    /// A successful attempt was not a failure: take it off the count, and lift the lock if it was
    /// this very attempt that reached the limit.
    pub async fn forgive_attempt(&self, key: &str, limit: i64) -> Result<()> {
        sqlx::query(
            "UPDATE login_failures SET failures = failures - 1,
                 locked_until = CASE WHEN failures = $2 THEN NULL ELSE locked_until END
             WHERE key = $1 AND failures > 0",
        )
        .bind(key)
        .bind(limit)
        .execute(&self.writer)
        .await?;
        Ok(())
    }

    /// Forget every failure of `key` (a phone number whose owner just proved who they are).
    pub async fn clear_failures(&self, key: &str) -> Result<()> {
        sqlx::query("DELETE FROM login_failures WHERE key = $1").bind(key).execute(&self.writer).await?;
        Ok(())
    }

    /// A new token for the same device (same id, same actor prefix); the old one dies at once.
    /// A revoked or retiring device gets none: retiring must not be a way to stay signed in.
    pub async fn rotate_token(&self, device_id: i64) -> Result<String> {
        let token = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(rand::random::<[u8; 32]>());
        let n = sqlx::query(
            "UPDATE devices SET token_hash = $2 WHERE id = $1 AND revoked_at IS NULL AND retire_at IS NULL",
        )
        .bind(device_id)
        .bind(token_hash(&token))
        .execute(&self.writer)
        .await?
        .rows_affected();
        if n == 0 {
            return Err(StoreError::NotFound(format!("active device {device_id}")));
        }
        Ok(token)
    }

    /// A new name for an active device.
    pub async fn rename_device(&self, device_id: i64, label: &str) -> Result<()> {
        let n = sqlx::query("UPDATE devices SET label = $2 WHERE id = $1 AND revoked_at IS NULL")
            .bind(device_id)
            .bind(label)
            .execute(&self.writer)
            .await?
            .rows_affected();
        (n == 1).then_some(()).ok_or_else(|| StoreError::NotFound(format!("active device {device_id}")))
    }

    pub async fn user_devices(&self, user_id: &str) -> Result<Vec<DeviceInfo>> {
        Ok(sqlx::query_as(
            "SELECT id, label, created_at, revoked_at, retire_at FROM devices WHERE user_id = $1 ORDER BY id",
        )
        .bind(user_id)
        .fetch_all(&self.pool)
        .await?)
    }

    /// Sign out one of the user's own devices. Someone else's device answers like a missing one.
    pub async fn revoke_user_device(&self, user_id: &str, device_id: i64) -> Result<()> {
        let n = sqlx::query(
            "UPDATE devices SET revoked_at = $3 WHERE id = $1 AND user_id = $2 AND revoked_at IS NULL",
        )
        .bind(device_id)
        .bind(user_id)
        .bind(now_ms())
        .execute(&self.writer)
        .await?
        .rows_affected();
        (n == 1).then_some(()).ok_or_else(|| StoreError::NotFound(format!("device {device_id}")))
    }

    /// Mark one of the user's devices for retirement: it may sync once more, then it is revoked.
    pub async fn retire_user_device(&self, user_id: &str, device_id: i64) -> Result<()> {
        let n = sqlx::query(
            "UPDATE devices SET retire_at = COALESCE(retire_at, $3)
             WHERE id = $1 AND user_id = $2 AND revoked_at IS NULL",
        )
        .bind(device_id)
        .bind(user_id)
        .bind(now_ms())
        .execute(&self.writer)
        .await?
        .rows_affected();
        (n == 1).then_some(()).ok_or_else(|| StoreError::NotFound(format!("device {device_id}")))
    }

    /// After a retiring device's last successful sync: revoke it (a no-op if that already
    /// happened, e.g. two last syncs racing).
    pub async fn finish_retirement(&self, device_id: i64) -> Result<()> {
        sqlx::query(
            "UPDATE devices SET revoked_at = $2 WHERE id = $1 AND retire_at IS NOT NULL AND revoked_at IS NULL",
        )
        .bind(device_id)
        .bind(now_ms())
        .execute(&self.writer)
        .await?;
        Ok(())
    }

    /// A user's unit path, for deciding whether an administrator's jurisdiction covers them.
    pub async fn user_unit_path(&self, user_id: &str) -> Result<Option<String>> {
        let plausible = !user_id.is_empty()
            && user_id.len() <= 32
            && user_id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        if !plausible {
            return Ok(None);
        }
        Ok(sqlx::query_scalar(
            "SELECT n.path FROM users u JOIN units n ON n.code = u.unit_code WHERE u.id = $1",
        )
        .bind(user_id)
        .fetch_optional(&self.pool)
        .await?)
    }

    /// Give a user a phone number if they have none (the demo accounts, seeded before phones).
    pub async fn set_phone_if_missing(&self, user_id: &str, phone: &str) -> Result<()> {
        sqlx::query("UPDATE users SET phone = $2 WHERE id = $1 AND phone IS NULL")
            .bind(user_id)
            .bind(phone)
            .execute(&self.writer)
            .await?;
        Ok(())
    }

    /// Which of `phones` already belong to someone, and to whom.
    pub async fn phone_owners(&self, phones: &[String]) -> Result<HashMap<String, String>> {
        let mut out = HashMap::new();
        for chunk in phones.chunks(200) {
            let marks = (1..=chunk.len()).map(|i| format!("${i}")).collect::<Vec<_>>().join(",");
            let sql = format!("SELECT phone, id FROM users WHERE phone IN ({marks})");
            let mut q = sqlx::query_as::<_, (String, String)>(sqlx::AssertSqlSafe(sql));
            for p in chunk {
                q = q.bind(p);
            }
            for (phone, id) in q.fetch_all(&self.pool).await? {
                out.insert(phone, id);
            }
        }
        Ok(out)
    }

    /// Add every user or none: one transaction, plain INSERTs, so any clash undoes them all.
    pub async fn import_users(&self, users: &[NewUser]) -> Result<()> {
        self.import_roster(users, &[], &[]).await
    }
}
