//! The SQL both backends share. SQLite reads `$1`-style parameters by their number just as
//! PostgreSQL does, and both have `ON CONFLICT … DO UPDATE` and `RETURNING`, so one text serves
//! both; the macro below stamps out the [`Store`](super::Store) implementation for each pool type.
//! Where the two databases differ (schema types, tenant isolation), the difference lives in the
//! backend's own module and migrations.

macro_rules! sql_store {
    ($store:ty, $kind:literal) => {
        #[async_trait::async_trait]
        impl $crate::store::Store for $store {
            fn kind(&self) -> &'static str {
                $kind
            }

            async fn ping(&self) -> $crate::store::StoreResult<()> {
                sqlx::query("SELECT 1").execute(&self.pool).await?;
                Ok(())
            }

            async fn create_user(&self, user: &$crate::store::User) -> $crate::store::StoreResult<()> {
                let result = sqlx::query(
                    "INSERT INTO users (id, email, password_hash, email_verified_at, totp_secret, \
                     totp_enabled_at, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
                )
                .bind(user.id.to_string())
                .bind(&user.email)
                .bind(&user.password_hash)
                .bind(user.email_verified_at)
                .bind(&user.totp_secret)
                .bind(user.totp_enabled_at)
                .bind(user.created_at)
                .execute(&self.pool)
                .await;
                match result {
                    Ok(_) => Ok(()),
                    Err(sqlx::Error::Database(e)) if e.is_unique_violation() => {
                        Err($crate::store::StoreError::Conflict("an account with this email"))
                    }
                    Err(e) => Err(e.into()),
                }
            }

            async fn user(&self, id: ulid::Ulid) -> $crate::store::StoreResult<Option<$crate::store::User>> {
                let row = sqlx::query(concat!(
                    "SELECT id, email, password_hash, email_verified_at, totp_secret, totp_enabled_at, ",
                    "created_at FROM users WHERE id = $1"
                ))
                .bind(id.to_string())
                .fetch_optional(&self.pool)
                .await?;
                row.map(|r| $crate::store::sql::user_from_row(&r)).transpose()
            }

            async fn user_by_email(&self, email: &str) -> $crate::store::StoreResult<Option<$crate::store::User>> {
                let row = sqlx::query(concat!(
                    "SELECT id, email, password_hash, email_verified_at, totp_secret, totp_enabled_at, ",
                    "created_at FROM users WHERE email = $1"
                ))
                .bind(email)
                .fetch_optional(&self.pool)
                .await?;
                row.map(|r| $crate::store::sql::user_from_row(&r)).transpose()
            }

            async fn set_email_verified(&self, id: ulid::Ulid, at: i64) -> $crate::store::StoreResult<()> {
                sqlx::query(
                    "UPDATE users SET email_verified_at = $2 WHERE id = $1 AND email_verified_at IS NULL",
                )
                .bind(id.to_string())
                .bind(at)
                .execute(&self.pool)
                .await?;
                Ok(())
            }

            async fn set_password(&self, id: ulid::Ulid, hash: &str) -> $crate::store::StoreResult<()> {
                sqlx::query("UPDATE users SET password_hash = $2 WHERE id = $1")
                    .bind(id.to_string())
                    .bind(hash)
                    .execute(&self.pool)
                    .await?;
                Ok(())
            }

            async fn create_email_token(
                &self,
                hash: &[u8],
                user: ulid::Ulid,
                purpose: $crate::store::TokenPurpose,
                expires_at: i64,
            ) -> $crate::store::StoreResult<()> {
                sqlx::query(
                    "INSERT INTO email_tokens (token_hash, user_id, purpose, expires_at) VALUES ($1, $2, $3, $4)",
                )
                .bind(hash)
                .bind(user.to_string())
                .bind(purpose.as_str())
                .bind(expires_at)
                .execute(&self.pool)
                .await?;
                Ok(())
            }

            async fn take_email_token(
                &self,
                hash: &[u8],
                purpose: $crate::store::TokenPurpose,
                now: i64,
            ) -> $crate::store::StoreResult<Option<ulid::Ulid>> {
                let user: Option<String> = sqlx::query_scalar(
                    "UPDATE email_tokens SET used_at = $3 WHERE token_hash = $1 AND purpose = $2 \
                     AND used_at IS NULL AND expires_at > $3 RETURNING user_id",
                )
                .bind(hash)
                .bind(purpose.as_str())
                .bind(now)
                .fetch_optional(&self.pool)
                .await?;
                user.as_deref().map($crate::store::ulid).transpose()
            }

            async fn create_session(
                &self,
                session: &$crate::store::Session,
                token_hash: &[u8],
            ) -> $crate::store::StoreResult<()> {
                sqlx::query(
                    "INSERT INTO sessions (id, user_id, token_hash, device, created_at, last_seen_at, \
                     expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
                )
                .bind(session.id.to_string())
                .bind(session.user.to_string())
                .bind(token_hash)
                .bind(&session.device)
                .bind(session.created_at)
                .bind(session.last_seen_at)
                .bind(session.expires_at)
                .execute(&self.pool)
                .await?;
                Ok(())
            }

            async fn session_by_token(
                &self,
                hash: &[u8],
                now: i64,
            ) -> $crate::store::StoreResult<Option<$crate::store::Session>> {
                let row = sqlx::query(
                    "SELECT id, user_id, device, created_at, last_seen_at, expires_at FROM sessions \
                     WHERE token_hash = $1 AND revoked_at IS NULL AND expires_at > $2",
                )
                .bind(hash)
                .bind(now)
                .fetch_optional(&self.pool)
                .await?;
                let Some(row) = row else { return Ok(None) };
                let mut session = $crate::store::sql::session_from_row(&row)?;
                if session.last_seen_at < now - 60 {
                    sqlx::query("UPDATE sessions SET last_seen_at = $2 WHERE id = $1")
                        .bind(session.id.to_string())
                        .bind(now)
                        .execute(&self.pool)
                        .await?;
                    session.last_seen_at = now;
                }
                Ok(Some(session))
            }

            async fn sessions(
                &self,
                user: ulid::Ulid,
                now: i64,
            ) -> $crate::store::StoreResult<Vec<$crate::store::Session>> {
                let rows = sqlx::query(
                    "SELECT id, user_id, device, created_at, last_seen_at, expires_at FROM sessions \
                     WHERE user_id = $1 AND revoked_at IS NULL AND expires_at > $2 ORDER BY id DESC",
                )
                .bind(user.to_string())
                .bind(now)
                .fetch_all(&self.pool)
                .await?;
                rows.iter().map($crate::store::sql::session_from_row).collect()
            }

            async fn revoke_session(
                &self,
                user: ulid::Ulid,
                id: ulid::Ulid,
                now: i64,
            ) -> $crate::store::StoreResult<bool> {
                let done = sqlx::query(
                    "UPDATE sessions SET revoked_at = $3 WHERE id = $1 AND user_id = $2 \
                     AND revoked_at IS NULL AND expires_at > $3",
                )
                .bind(id.to_string())
                .bind(user.to_string())
                .bind(now)
                .execute(&self.pool)
                .await?;
                Ok(done.rows_affected() == 1)
            }

            async fn revoke_sessions(&self, user: ulid::Ulid, now: i64) -> $crate::store::StoreResult<()> {
                sqlx::query(
                    "UPDATE sessions SET revoked_at = $2 WHERE user_id = $1 AND revoked_at IS NULL",
                )
                .bind(user.to_string())
                .bind(now)
                .execute(&self.pool)
                .await?;
                Ok(())
            }

            async fn set_pending_totp(&self, user: ulid::Ulid, secret: &[u8]) -> $crate::store::StoreResult<()> {
                let done = sqlx::query(
                    "UPDATE users SET totp_secret = $2 WHERE id = $1 AND totp_enabled_at IS NULL",
                )
                .bind(user.to_string())
                .bind(secret)
                .execute(&self.pool)
                .await?;
                if done.rows_affected() == 0 {
                    return Err($crate::store::StoreError::Conflict("a second factor"));
                }
                Ok(())
            }

            async fn enable_totp(
                &self,
                user: ulid::Ulid,
                at: i64,
                step: i64,
                recovery: &[Vec<u8>],
            ) -> $crate::store::StoreResult<()> {
                let mut tx = self.pool.begin().await?;
                let done = sqlx::query(
                    "UPDATE users SET totp_enabled_at = $2, totp_last_step = $3 WHERE id = $1 \
                     AND totp_enabled_at IS NULL AND totp_secret IS NOT NULL",
                )
                .bind(user.to_string())
                .bind(at)
                .bind(step)
                .execute(&mut *tx)
                .await?;
                if done.rows_affected() == 0 {
                    return Err($crate::store::StoreError::Conflict("a second factor"));
                }
                sqlx::query("DELETE FROM recovery_codes WHERE user_id = $1")
                    .bind(user.to_string())
                    .execute(&mut *tx)
                    .await?;
                for hash in recovery {
                    sqlx::query("INSERT INTO recovery_codes (user_id, code_hash) VALUES ($1, $2)")
                        .bind(user.to_string())
                        .bind(hash)
                        .execute(&mut *tx)
                        .await?;
                }
                tx.commit().await?;
                Ok(())
            }

            async fn disable_totp(&self, user: ulid::Ulid) -> $crate::store::StoreResult<()> {
                let mut tx = self.pool.begin().await?;
                sqlx::query(
                    "UPDATE users SET totp_secret = NULL, totp_enabled_at = NULL, totp_last_step = NULL \
                     WHERE id = $1",
                )
                .bind(user.to_string())
                .execute(&mut *tx)
                .await?;
                sqlx::query("DELETE FROM recovery_codes WHERE user_id = $1")
                    .bind(user.to_string())
                    .execute(&mut *tx)
                    .await?;
                tx.commit().await?;
                Ok(())
            }

            async fn accept_totp_step(&self, user: ulid::Ulid, step: i64) -> $crate::store::StoreResult<bool> {
                let done = sqlx::query(
                    "UPDATE users SET totp_last_step = $2 WHERE id = $1 AND totp_enabled_at IS NOT NULL \
                     AND (totp_last_step IS NULL OR totp_last_step < $2)",
                )
                .bind(user.to_string())
                .bind(step)
                .execute(&self.pool)
                .await?;
                Ok(done.rows_affected() == 1)
            }

            async fn use_recovery_code(
                &self,
                user: ulid::Ulid,
                hash: &[u8],
                now: i64,
            ) -> $crate::store::StoreResult<bool> {
                let done = sqlx::query(
                    "UPDATE recovery_codes SET used_at = $3 WHERE user_id = $1 AND code_hash = $2 \
                     AND used_at IS NULL",
                )
                .bind(user.to_string())
                .bind(hash)
                .bind(now)
                .execute(&self.pool)
                .await?;
                Ok(done.rows_affected() == 1)
            }

            async fn recovery_codes_left(&self, user: ulid::Ulid) -> $crate::store::StoreResult<u32> {
                let n: i64 = sqlx::query_scalar(
                    "SELECT COUNT(*) FROM recovery_codes WHERE user_id = $1 AND used_at IS NULL",
                )
                .bind(user.to_string())
                .fetch_one(&self.pool)
                .await?;
                Ok(u32::try_from(n).unwrap_or(0))
            }

            async fn create_challenge(
                &self,
                hash: &[u8],
                user: ulid::Ulid,
                device: &str,
                expires_at: i64,
            ) -> $crate::store::StoreResult<()> {
                sqlx::query(
                    "INSERT INTO sign_in_challenges (token_hash, user_id, device, expires_at) \
                     VALUES ($1, $2, $3, $4)",
                )
                .bind(hash)
                .bind(user.to_string())
                .bind(device)
                .bind(expires_at)
                .execute(&self.pool)
                .await?;
                Ok(())
            }

            async fn challenge(
                &self,
                hash: &[u8],
                now: i64,
            ) -> $crate::store::StoreResult<Option<(ulid::Ulid, String)>> {
                let row: Option<(String, String)> = sqlx::query_as(
                    "SELECT user_id, device FROM sign_in_challenges WHERE token_hash = $1 AND expires_at > $2",
                )
                .bind(hash)
                .bind(now)
                .fetch_optional(&self.pool)
                .await?;
                row.map(|(user, device)| Ok(($crate::store::ulid(&user)?, device)))
                    .transpose()
            }

            async fn finish_challenge(&self, hash: &[u8]) -> $crate::store::StoreResult<bool> {
                let done = sqlx::query("DELETE FROM sign_in_challenges WHERE token_hash = $1")
                    .bind(hash)
                    .execute(&self.pool)
                    .await?;
                Ok(done.rows_affected() == 1)
            }

            async fn hit(&self, key: &str, now: i64, window: i64) -> $crate::store::StoreResult<(i64, i64)> {
                let row: (i64, i64) = sqlx::query_as(
                    "INSERT INTO rate_counters (key, window_start, hits) VALUES ($1, $2, 1) \
                     ON CONFLICT (key) DO UPDATE SET \
                       hits = CASE WHEN rate_counters.window_start <= $3 THEN 1 ELSE rate_counters.hits + 1 END, \
                       window_start = CASE WHEN rate_counters.window_start <= $3 THEN $2 ELSE rate_counters.window_start END \
                     RETURNING hits, window_start",
                )
                .bind(key)
                .bind(now)
                .bind(now - window)
                .fetch_one(&self.pool)
                .await?;
                Ok(row)
            }

            async fn record_failure(
                &self,
                key: &str,
                now: i64,
                forget_after: i64,
            ) -> $crate::store::StoreResult<$crate::store::Failures> {
                let count: i64 = sqlx::query_scalar(
                    "INSERT INTO lockouts (key, failures, last_failure_at, locked_until) VALUES ($1, 1, $2, 0) \
                     ON CONFLICT (key) DO UPDATE SET \
                       failures = CASE WHEN lockouts.last_failure_at <= $3 THEN 1 ELSE lockouts.failures + 1 END, \
                       last_failure_at = $2 \
                     RETURNING failures",
                )
                .bind(key)
                .bind(now)
                .bind(now - forget_after)
                .fetch_one(&self.pool)
                .await?;
                Ok($crate::store::Failures { count })
            }

            async fn lock_until(&self, key: &str, until: i64) -> $crate::store::StoreResult<()> {
                sqlx::query("UPDATE lockouts SET locked_until = $2 WHERE key = $1 AND locked_until < $2")
                    .bind(key)
                    .bind(until)
                    .execute(&self.pool)
                    .await?;
                Ok(())
            }

            async fn locked_until(&self, key: &str) -> $crate::store::StoreResult<i64> {
                let until: Option<i64> =
                    sqlx::query_scalar("SELECT locked_until FROM lockouts WHERE key = $1")
                        .bind(key)
                        .fetch_optional(&self.pool)
                        .await?;
                Ok(until.unwrap_or(0))
            }

            async fn clear_failures(&self, key: &str) -> $crate::store::StoreResult<()> {
                sqlx::query("DELETE FROM lockouts WHERE key = $1")
                    .bind(key)
                    .execute(&self.pool)
                    .await?;
                Ok(())
            }
        }

    };
}

pub(crate) use sql_store;

pub(crate) fn user_from_row<R: sqlx::Row>(row: &R) -> crate::store::StoreResult<crate::store::User>
where
    for<'a> &'a str: sqlx::ColumnIndex<R>,
    for<'a> String: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
    for<'a> Option<String>: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
    for<'a> Option<i64>: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
    for<'a> i64: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
    for<'a> Option<Vec<u8>>: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
{
    let id: String = row.try_get("id")?;
    Ok(crate::store::User {
        id: crate::store::ulid(&id)?,
        email: row.try_get("email")?,
        password_hash: row.try_get("password_hash")?,
        email_verified_at: row.try_get("email_verified_at")?,
        totp_secret: row.try_get("totp_secret")?,
        totp_enabled_at: row.try_get("totp_enabled_at")?,
        created_at: row.try_get("created_at")?,
    })
}

pub(crate) fn session_from_row<R: sqlx::Row>(
    row: &R,
) -> crate::store::StoreResult<crate::store::Session>
where
    for<'a> &'a str: sqlx::ColumnIndex<R>,
    for<'a> String: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
    for<'a> i64: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
{
    let id: String = row.try_get("id")?;
    let user: String = row.try_get("user_id")?;
    Ok(crate::store::Session {
        id: crate::store::ulid(&id)?,
        user: crate::store::ulid(&user)?,
        device: row.try_get("device")?,
        created_at: row.try_get("created_at")?,
        last_seen_at: row.try_get("last_seen_at")?,
        expires_at: row.try_get("expires_at")?,
    })
}
