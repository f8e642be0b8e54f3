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

            async fn close(&self) {
                self.close_pools().await;
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

            async fn create_sign_up(
                &self,
                token_hash: &[u8],
                user: ulid::Ulid,
                password_hash: &str,
                expires_at: i64,
            ) -> $crate::store::StoreResult<()> {
                sqlx::query(
                    "INSERT INTO email_tokens (token_hash, user_id, purpose, expires_at, password_hash) \
                     VALUES ($1, $2, $3, $4, $5)",
                )
                .bind(token_hash)
                .bind(user.to_string())
                .bind($crate::store::TokenPurpose::VerifyEmail.as_str())
                .bind(expires_at)
                .bind(password_hash)
                .execute(&self.pool)
                .await?;
                Ok(())
            }

            async fn newest_sign_up(
                &self,
                user: ulid::Ulid,
                now: i64,
            ) -> $crate::store::StoreResult<Option<String>> {
                Ok(sqlx::query_scalar(
                    "SELECT password_hash FROM email_tokens WHERE user_id = $1 AND purpose = $2 \
                     AND used_at IS NULL AND expires_at > $3 AND password_hash IS NOT NULL \
                     ORDER BY expires_at DESC LIMIT 1",
                )
                .bind(user.to_string())
                .bind($crate::store::TokenPurpose::VerifyEmail.as_str())
                .bind(now)
                .fetch_optional(&self.pool)
                .await?)
            }

            async fn sign_up_by_token(
                &self,
                token_hash: &[u8],
                now: i64,
            ) -> $crate::store::StoreResult<Option<(ulid::Ulid, Option<String>)>> {
                let row: Option<(String, Option<String>)> = sqlx::query_as(
                    "SELECT user_id, password_hash FROM email_tokens WHERE token_hash = $1 \
                     AND purpose = $2 AND used_at IS NULL AND expires_at > $3",
                )
                .bind(token_hash)
                .bind($crate::store::TokenPurpose::VerifyEmail.as_str())
                .bind(now)
                .fetch_optional(&self.pool)
                .await?;
                row.map(|(user, hash)| Ok(($crate::store::ulid(&user)?, hash)))
                    .transpose()
            }

            async fn confirm_sign_up(
                &self,
                token_hash: &[u8],
                user: ulid::Ulid,
                password_hash: Option<&str>,
                now: i64,
            ) -> $crate::store::StoreResult<bool> {
                let mut tx = self.pool.begin().await?;
                let taken = sqlx::query(
                    "UPDATE email_tokens SET used_at = $4 WHERE token_hash = $1 AND user_id = $2 \
                     AND purpose = $3 AND used_at IS NULL AND expires_at > $4",
                )
                .bind(token_hash)
                .bind(user.to_string())
                .bind($crate::store::TokenPurpose::VerifyEmail.as_str())
                .bind(now)
                .execute(&mut *tx)
                .await?;
                if taken.rows_affected() != 1 {
                    return Ok(false);
                }
                // Every other pending sign-up for the address dies with this one.
                sqlx::query(
                    "UPDATE email_tokens SET used_at = $3 WHERE user_id = $1 AND purpose = $2 \
                     AND used_at IS NULL",
                )
                .bind(user.to_string())
                .bind($crate::store::TokenPurpose::VerifyEmail.as_str())
                .bind(now)
                .execute(&mut *tx)
                .await?;
                let verified = sqlx::query(
                    "UPDATE users SET email_verified_at = $2, \
                     password_hash = COALESCE($3, password_hash) \
                     WHERE id = $1 AND email_verified_at IS NULL",
                )
                .bind(user.to_string())
                .bind(now)
                .bind(password_hash)
                .execute(&mut *tx)
                .await?;
                if verified.rows_affected() != 1 {
                    return Ok(false);
                }
                tx.commit().await?;
                Ok(true)
            }

            async fn session_proved_at(
                &self,
                id: ulid::Ulid,
            ) -> $crate::store::StoreResult<Option<i64>> {
                Ok(sqlx::query_scalar(
                    "SELECT COALESCE(proved_at, created_at) FROM sessions WHERE id = $1",
                )
                .bind(id.to_string())
                .fetch_optional(&self.pool)
                .await?)
            }

            async fn prove_session(&self, id: ulid::Ulid, at: i64) -> $crate::store::StoreResult<()> {
                sqlx::query("UPDATE sessions SET proved_at = $2 WHERE id = $1 AND revoked_at IS NULL")
                    .bind(id.to_string())
                    .bind(at)
                    .execute(&self.pool)
                    .await?;
                Ok(())
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
                     WHERE token_hash = $1 AND revoked_at IS NULL AND expires_at > $2 \
                     AND (access_expires_at IS NULL OR access_expires_at > $2)",
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
                    sqlx::query(
                        "INSERT INTO recovery_codes (user_id, code_hash, keyed) VALUES ($1, $2, 1)",
                    )
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

            async fn unkeyed_recovery_codes(
                &self,
            ) -> $crate::store::StoreResult<Vec<(ulid::Ulid, Vec<u8>)>> {
                let rows: Vec<(String, Vec<u8>)> = sqlx::query_as(
                    "SELECT user_id, code_hash FROM recovery_codes WHERE keyed = 0",
                )
                .fetch_all(&self.pool)
                .await?;
                rows.into_iter()
                    .map(|(user, hash)| Ok(($crate::store::ulid(&user)?, hash)))
                    .collect()
            }

            async fn key_recovery_code(
                &self,
                user: ulid::Ulid,
                digest: &[u8],
                tag: &[u8],
            ) -> $crate::store::StoreResult<()> {
                sqlx::query(
                    "UPDATE recovery_codes SET code_hash = $3, keyed = 1 WHERE user_id = $1 \
                     AND code_hash = $2 AND keyed = 0",
                )
                .bind(user.to_string())
                .bind(digest)
                .bind(tag)
                .execute(&self.pool)
                .await?;
                Ok(())
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

            async fn create_code_challenge(
                &self,
                hash: &[u8],
                user: ulid::Ulid,
                device: &str,
                code_tag: &str,
                expires_at: i64,
            ) -> $crate::store::StoreResult<()> {
                sqlx::query(
                    "INSERT INTO email_code_challenges (token_hash, user_id, device, code_tag, expires_at) \
                     VALUES ($1, $2, $3, $4, $5)",
                )
                .bind(hash)
                .bind(user.to_string())
                .bind(device)
                .bind(code_tag)
                .bind(expires_at)
                .execute(&self.pool)
                .await?;
                Ok(())
            }

            async fn try_code_challenge(
                &self,
                hash: &[u8],
                now: i64,
                max_attempts: i64,
            ) -> $crate::store::StoreResult<Option<(ulid::Ulid, String, String)>> {
                let row: Option<(String, String, String)> = sqlx::query_as(
                    "UPDATE email_code_challenges SET attempts = attempts + 1 \
                     WHERE token_hash = $1 AND expires_at > $2 AND attempts < $3 \
                     RETURNING user_id, device, code_tag",
                )
                .bind(hash)
                .bind(now)
                .bind(max_attempts)
                .fetch_optional(&self.pool)
                .await?;
                row.map(|(user, device, tag)| Ok(($crate::store::ulid(&user)?, device, tag)))
                    .transpose()
            }

            async fn finish_code_challenge(&self, hash: &[u8]) -> $crate::store::StoreResult<bool> {
                let done = sqlx::query("DELETE FROM email_code_challenges WHERE token_hash = $1")
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

            async fn create_handoff(
                &self,
                code_hash: &[u8],
                handoff: &$crate::store::Handoff,
                expires_at: i64,
            ) -> $crate::store::StoreResult<()> {
                sqlx::query(
                    "INSERT INTO handoff_codes (code_hash, user_id, challenge, redirect_uri, device, expires_at) \
                     VALUES ($1, $2, $3, $4, $5, $6)",
                )
                .bind(code_hash)
                .bind(handoff.user.to_string())
                .bind(&handoff.challenge)
                .bind(&handoff.redirect_uri)
                .bind(&handoff.device)
                .bind(expires_at)
                .execute(&self.pool)
                .await?;
                Ok(())
            }

            async fn take_handoff(
                &self,
                code_hash: &[u8],
                now: i64,
            ) -> $crate::store::StoreResult<Option<$crate::store::Handoff>> {
                let row: Option<(String, String, String, String)> = sqlx::query_as(
                    "UPDATE handoff_codes SET used_at = $2 WHERE code_hash = $1 AND used_at IS NULL \
                     AND expires_at > $2 RETURNING user_id, challenge, redirect_uri, device",
                )
                .bind(code_hash)
                .bind(now)
                .fetch_optional(&self.pool)
                .await?;
                row.map(|(user, challenge, redirect_uri, device)| {
                    Ok($crate::store::Handoff {
                        user: $crate::store::ulid(&user)?,
                        challenge,
                        redirect_uri,
                        device,
                    })
                })
                .transpose()
            }

            async fn create_app_session(
                &self,
                session: &$crate::store::Session,
                access_hash: &[u8],
                refresh_hash: &[u8],
                access_expires_at: i64,
            ) -> $crate::store::StoreResult<()> {
                sqlx::query(
                    "INSERT INTO sessions (id, user_id, token_hash, device, created_at, last_seen_at, \
                     expires_at, refresh_hash, access_expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
                )
                .bind(session.id.to_string())
                .bind(session.user.to_string())
                .bind(access_hash)
                .bind(&session.device)
                .bind(session.created_at)
                .bind(session.last_seen_at)
                .bind(session.expires_at)
                .bind(refresh_hash)
                .bind(access_expires_at)
                .execute(&self.pool)
                .await?;
                Ok(())
            }

            async fn refresh_session(
                &self,
                refresh_hash: &[u8],
                new_access_hash: &[u8],
                new_refresh_hash: &[u8],
                access_expires_at: i64,
                expires_at: i64,
                now: i64,
            ) -> $crate::store::StoreResult<$crate::store::Refresh> {
                let row = sqlx::query(
                    "UPDATE sessions SET token_hash = $2, refresh_hash = $3, previous_refresh_hash = $1, \
                     access_expires_at = $4, expires_at = $5, last_seen_at = $6 \
                     WHERE refresh_hash = $1 AND revoked_at IS NULL AND expires_at > $6 \
                     RETURNING id, user_id, device, created_at, last_seen_at, expires_at",
                )
                .bind(refresh_hash)
                .bind(new_access_hash)
                .bind(new_refresh_hash)
                .bind(access_expires_at)
                .bind(expires_at)
                .bind(now)
                .fetch_optional(&self.pool)
                .await?;
                if let Some(row) = row {
                    return Ok($crate::store::Refresh::Rotated($crate::store::sql::session_from_row(&row)?));
                }
                let ended = sqlx::query(
                    "UPDATE sessions SET revoked_at = $2 WHERE previous_refresh_hash = $1 AND revoked_at IS NULL",
                )
                .bind(refresh_hash)
                .bind(now)
                .execute(&self.pool)
                .await?;
                Ok(if ended.rows_affected() > 0 {
                    $crate::store::Refresh::Reused
                } else {
                    $crate::store::Refresh::Unknown
                })
            }

            async fn create_ceremony(
                &self,
                id: &[u8],
                user: Option<ulid::Ulid>,
                kind: &str,
                state: &str,
                expires_at: i64,
            ) -> $crate::store::StoreResult<()> {
                sqlx::query(
                    "INSERT INTO webauthn_ceremonies (id, user_id, kind, state, expires_at) VALUES ($1, $2, $3, $4, $5)",
                )
                .bind(id)
                .bind(user.map(|u| u.to_string()))
                .bind(kind)
                .bind(state)
                .bind(expires_at)
                .execute(&self.pool)
                .await?;
                Ok(())
            }

            async fn take_ceremony(
                &self,
                id: &[u8],
                kind: &str,
                now: i64,
            ) -> $crate::store::StoreResult<Option<(Option<ulid::Ulid>, String)>> {
                let row: Option<(Option<String>, String, i64)> = sqlx::query_as(
                    "DELETE FROM webauthn_ceremonies WHERE id = $1 AND kind = $2 RETURNING user_id, state, expires_at",
                )
                .bind(id)
                .bind(kind)
                .fetch_optional(&self.pool)
                .await?;
                match row {
                    Some((user, state, expires_at)) if expires_at > now => {
                        Ok(Some((user.as_deref().map($crate::store::ulid).transpose()?, state)))
                    }
                    _ => Ok(None),
                }
            }

            async fn add_passkey(&self, p: &$crate::store::PasskeyRow) -> $crate::store::StoreResult<()> {
                let result = sqlx::query(
                    "INSERT INTO passkeys (id, user_id, credential_id, name, passkey, created_at, last_used_at) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7)",
                )
                .bind(p.id.to_string())
                .bind(p.user.to_string())
                .bind(&p.credential_id)
                .bind(&p.name)
                .bind(&p.passkey)
                .bind(p.created_at)
                .bind(p.last_used_at)
                .execute(&self.pool)
                .await;
                match result {
                    Ok(_) => Ok(()),
                    Err(sqlx::Error::Database(e)) if e.is_unique_violation() => {
                        Err($crate::store::StoreError::Conflict("this passkey"))
                    }
                    Err(e) => Err(e.into()),
                }
            }

            async fn passkeys(&self, user: ulid::Ulid) -> $crate::store::StoreResult<Vec<$crate::store::PasskeyRow>> {
                let rows: Vec<$crate::store::sql::PasskeyTuple> = sqlx::query_as(
                    "SELECT id, user_id, credential_id, name, passkey, created_at, last_used_at FROM passkeys \
                     WHERE user_id = $1 ORDER BY id",
                )
                .bind(user.to_string())
                .fetch_all(&self.pool)
                .await?;
                rows.into_iter().map($crate::store::sql::passkey_from_row).collect()
            }

            async fn passkey_by_credential(
                &self,
                credential_id: &[u8],
            ) -> $crate::store::StoreResult<Option<$crate::store::PasskeyRow>> {
                let row: Option<$crate::store::sql::PasskeyTuple> = sqlx::query_as(
                    "SELECT id, user_id, credential_id, name, passkey, created_at, last_used_at FROM passkeys \
                     WHERE credential_id = $1",
                )
                .bind(credential_id)
                .fetch_optional(&self.pool)
                .await?;
                row.map($crate::store::sql::passkey_from_row).transpose()
            }

            async fn touch_passkey(&self, id: ulid::Ulid, passkey: &str, at: i64) -> $crate::store::StoreResult<()> {
                sqlx::query("UPDATE passkeys SET passkey = $2, last_used_at = $3 WHERE id = $1")
                    .bind(id.to_string())
                    .bind(passkey)
                    .bind(at)
                    .execute(&self.pool)
                    .await?;
                Ok(())
            }

            async fn delete_passkey(&self, user: ulid::Ulid, id: ulid::Ulid) -> $crate::store::StoreResult<bool> {
                // A passkey-only account keeps at least one passkey.
                let done = sqlx::query(
                    "DELETE FROM passkeys WHERE id = $1 AND user_id = $2 AND ( \
                       (SELECT password_hash FROM users WHERE id = $2) IS NOT NULL \
                       OR (SELECT COUNT(*) FROM passkeys WHERE user_id = $2) > 1)",
                )
                .bind(id.to_string())
                .bind(user.to_string())
                .execute(&self.pool)
                .await?;
                if done.rows_affected() == 0 {
                    let exists: i64 = sqlx::query_scalar(
                        "SELECT COUNT(*) FROM passkeys WHERE id = $1 AND user_id = $2",
                    )
                    .bind(id.to_string())
                    .bind(user.to_string())
                    .fetch_one(&self.pool)
                    .await?;
                    if exists > 0 {
                        return Err($crate::store::StoreError::Conflict("the only way to sign in"));
                    }
                    return Ok(false);
                }
                Ok(true)
            }

            async fn delete_user(&self, user: ulid::Ulid) -> $crate::store::StoreResult<()> {
                // Every other table that names the account refers to it with ON DELETE CASCADE.
                let mut tx = self.pool.begin().await?;
                sqlx::query("DELETE FROM webauthn_ceremonies WHERE user_id = $1")
                    .bind(user.to_string())
                    .execute(&mut *tx)
                    .await?;
                sqlx::query("DELETE FROM users WHERE id = $1")
                    .bind(user.to_string())
                    .execute(&mut *tx)
                    .await?;
                tx.commit().await?;
                Ok(())
            }

            async fn remove_password(&self, user: ulid::Ulid) -> $crate::store::StoreResult<()> {
                let done = sqlx::query(
                    "UPDATE users SET password_hash = NULL WHERE id = $1 \
                     AND (SELECT COUNT(*) FROM passkeys WHERE user_id = $1) > 0",
                )
                .bind(user.to_string())
                .execute(&self.pool)
                .await?;
                if done.rows_affected() == 0 {
                    return Err($crate::store::StoreError::NotFound("passkey"));
                }
                Ok(())
            }

            async fn users(&self, ids: &[ulid::Ulid]) -> $crate::store::StoreResult<Vec<$crate::store::User>> {
                let mut users = Vec::with_capacity(ids.len());
                for id in ids {
                    if let Some(user) = $crate::store::Store::user(self, *id).await? {
                        users.push(user);
                    }
                }
                Ok(users)
            }

            async fn create_org(&self, org: &$crate::store::Org, owner: ulid::Ulid) -> $crate::store::StoreResult<()> {
                // The registry first: until the owner's row exists below, the organization lists
                // for no one, so a crash in between leaves nothing half-visible.
                let mut tx = self.pool.begin().await?;
                let registered = sqlx::query("INSERT INTO organizations (id, name, created_at) VALUES ($1, $2, $3)")
                    .bind(org.id.to_string())
                    .bind(&org.name)
                    .bind(org.created_at)
                    .execute(&mut *tx)
                    .await;
                match registered {
                    Ok(_) => {}
                    Err(sqlx::Error::Database(e)) if e.is_unique_violation() => {
                        return Err($crate::store::StoreError::Conflict("an organization with this id"));
                    }
                    Err(e) => return Err(e.into()),
                }
                sqlx::query("INSERT INTO memberships (user_id, org_id) VALUES ($1, $2)")
                    .bind(owner.to_string())
                    .bind(org.id.to_string())
                    .execute(&mut *tx)
                    .await?;
                tx.commit().await?;
                let mut tx = self.org_tx(org.id, true, true).await?;
                sqlx::query("INSERT INTO members (org_id, user_id, role, joined_at) VALUES ($1, $2, 'owner', $3)")
                    .bind(org.id.to_string())
                    .bind(owner.to_string())
                    .bind(org.created_at)
                    .execute(&mut *tx)
                    .await?;
                tx.commit().await?;
                Ok(())
            }

            async fn org(&self, id: ulid::Ulid) -> $crate::store::StoreResult<Option<$crate::store::Org>> {
                let row: Option<(String, String, i64)> =
                    sqlx::query_as("SELECT id, name, created_at FROM organizations WHERE id = $1")
                        .bind(id.to_string())
                        .fetch_optional(&self.pool)
                        .await?;
                row.map(|(id, name, created_at)| {
                    Ok($crate::store::Org { id: $crate::store::ulid(&id)?, name, created_at })
                })
                .transpose()
            }

            async fn rename_org(&self, id: ulid::Ulid, name: &str) -> $crate::store::StoreResult<()> {
                sqlx::query("UPDATE organizations SET name = $2 WHERE id = $1")
                    .bind(id.to_string())
                    .bind(name)
                    .execute(&self.pool)
                    .await?;
                Ok(())
            }

            async fn delete_org(&self, id: ulid::Ulid) -> $crate::store::StoreResult<()> {
                sqlx::query("DELETE FROM organizations WHERE id = $1")
                    .bind(id.to_string())
                    .execute(&self.pool)
                    .await?;
                self.drop_org_data(id).await
            }

            async fn orgs_of(
                &self,
                user: ulid::Ulid,
            ) -> $crate::store::StoreResult<Vec<($crate::store::Org, stint_domain::Role, bool)>> {
                let rows: Vec<(String, String, i64)> = sqlx::query_as(
                    "SELECT o.id, o.name, o.created_at FROM memberships m \
                     JOIN organizations o ON o.id = m.org_id WHERE m.user_id = $1 ORDER BY o.name, o.id",
                )
                .bind(user.to_string())
                .fetch_all(&self.pool)
                .await?;
                let mut orgs = Vec::with_capacity(rows.len());
                for (id, name, created_at) in rows {
                    let org = $crate::store::Org { id: $crate::store::ulid(&id)?, name, created_at };
                    // The index is a hint; the organization's own members are the truth.
                    if let Some(member) = $crate::store::Store::member(self, org.id, user).await? {
                        orgs.push((org, member.role, false));
                    } else if let Some(waiting) = $crate::store::Store::pending_members(self, org.id)
                        .await?
                        .into_iter()
                        .find(|p| p.user == user)
                    {
                        orgs.push((org, waiting.role, true));
                    }
                }
                Ok(orgs)
            }

            async fn member(
                &self,
                org: ulid::Ulid,
                user: ulid::Ulid,
            ) -> $crate::store::StoreResult<Option<$crate::store::Member>> {
                let mut tx = self.org_tx(org, false, false).await?;
                let row: Option<(String, String, i64)> = sqlx::query_as(
                    "SELECT user_id, role, joined_at FROM members WHERE org_id = $1 AND user_id = $2",
                )
                .bind(org.to_string())
                .bind(user.to_string())
                .fetch_optional(&mut *tx)
                .await?;
                tx.commit().await?;
                row.map($crate::store::sql::member_from_row).transpose()
            }

            async fn members(&self, org: ulid::Ulid) -> $crate::store::StoreResult<Vec<$crate::store::Member>> {
                let mut tx = self.org_tx(org, false, false).await?;
                let rows: Vec<(String, String, i64)> = sqlx::query_as(
                    "SELECT user_id, role, joined_at FROM members WHERE org_id = $1 ORDER BY joined_at, user_id",
                )
                .bind(org.to_string())
                .fetch_all(&mut *tx)
                .await?;
                tx.commit().await?;
                rows.into_iter().map($crate::store::sql::member_from_row).collect()
            }

            async fn set_role(
                &self,
                org: ulid::Ulid,
                user: ulid::Ulid,
                from: stint_domain::Role,
                to: stint_domain::Role,
            ) -> $crate::store::StoreResult<()> {
                let mut tx = self.org_tx(org, true, false).await?;
                let done = sqlx::query(
                    "UPDATE members SET role = $4 WHERE org_id = $1 AND user_id = $2 AND role = $3 \
                     AND (role <> 'owner' OR $4 = 'owner' \
                          OR (SELECT COUNT(*) FROM members WHERE org_id = $1 AND role = 'owner') > 1)",
                )
                .bind(org.to_string())
                .bind(user.to_string())
                .bind(from.to_string())
                .bind(to.to_string())
                .execute(&mut *tx)
                .await?;
                if done.rows_affected() == 0 {
                    let now_role: Option<String> = sqlx::query_scalar(
                        "SELECT role FROM members WHERE org_id = $1 AND user_id = $2",
                    )
                    .bind(org.to_string())
                    .bind(user.to_string())
                    .fetch_optional(&mut *tx)
                    .await?;
                    return Err($crate::store::sql::membership_refusal(now_role, from));
                }
                tx.commit().await?;
                Ok(())
            }

            async fn remove_member(
                &self,
                org: ulid::Ulid,
                user: ulid::Ulid,
                from: stint_domain::Role,
                now: i64,
            ) -> $crate::store::StoreResult<()> {
                let mut tx = self.org_tx(org, true, false).await?;
                let done = sqlx::query(
                    "DELETE FROM members WHERE org_id = $1 AND user_id = $2 AND role = $3 \
                     AND (role <> 'owner' \
                          OR (SELECT COUNT(*) FROM members WHERE org_id = $1 AND role = 'owner') > 1)",
                )
                .bind(org.to_string())
                .bind(user.to_string())
                .bind(from.to_string())
                .execute(&mut *tx)
                .await?;
                if done.rows_affected() == 0 {
                    let now_role: Option<String> = sqlx::query_scalar(
                        "SELECT role FROM members WHERE org_id = $1 AND user_id = $2",
                    )
                    .bind(org.to_string())
                    .bind(user.to_string())
                    .fetch_optional(&mut *tx)
                    .await?;
                    return Err($crate::store::sql::membership_refusal(now_role, from));
                }
                sqlx::query(
                    "UPDATE api_tokens SET revoked_at = $3 WHERE org_id = $1 AND user_id = $2 \
                     AND revoked_at IS NULL",
                )
                .bind(org.to_string())
                .bind(user.to_string())
                .bind(now)
                .execute(&mut *tx)
                .await?;
                tx.commit().await?;
                sqlx::query("DELETE FROM memberships WHERE user_id = $1 AND org_id = $2")
                    .bind(user.to_string())
                    .bind(org.to_string())
                    .execute(&self.pool)
                    .await?;
                Ok(())
            }

            async fn transfer_ownership(
                &self,
                org: ulid::Ulid,
                from: ulid::Ulid,
                to: ulid::Ulid,
            ) -> $crate::store::StoreResult<()> {
                let mut tx = self.org_tx(org, true, false).await?;
                let done = sqlx::query("UPDATE members SET role = 'owner' WHERE org_id = $1 AND user_id = $2")
                    .bind(org.to_string())
                    .bind(to.to_string())
                    .execute(&mut *tx)
                    .await?;
                if done.rows_affected() == 0 {
                    return Err($crate::store::StoreError::NotFound("member"));
                }
                sqlx::query("UPDATE members SET role = 'admin' WHERE org_id = $1 AND user_id = $2 AND role = 'owner'")
                    .bind(org.to_string())
                    .bind(from.to_string())
                    .execute(&mut *tx)
                    .await?;
                tx.commit().await?;
                Ok(())
            }

            async fn create_invitation(
                &self,
                org: ulid::Ulid,
                invitation: &$crate::store::Invitation,
                token_hash: &[u8],
            ) -> $crate::store::StoreResult<()> {
                let mut tx = self.org_tx(org, true, false).await?;
                sqlx::query(
                    "INSERT INTO invitations (org_id, id, email, role, token_hash, invited_by, created_at, expires_at) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
                )
                .bind(org.to_string())
                .bind(invitation.id.to_string())
                .bind(&invitation.email)
                .bind(invitation.role.to_string())
                .bind(token_hash)
                .bind(invitation.invited_by.to_string())
                .bind(invitation.created_at)
                .bind(invitation.expires_at)
                .execute(&mut *tx)
                .await?;
                tx.commit().await?;
                Ok(())
            }

            async fn invitations(
                &self,
                org: ulid::Ulid,
                now: i64,
            ) -> $crate::store::StoreResult<Vec<$crate::store::Invitation>> {
                let mut tx = self.org_tx(org, false, false).await?;
                let rows: Vec<(String, String, String, String, i64, i64)> = sqlx::query_as(
                    "SELECT id, email, role, invited_by, created_at, expires_at FROM invitations \
                     WHERE org_id = $1 AND accepted_at IS NULL AND revoked_at IS NULL AND expires_at > $2 \
                     ORDER BY id",
                )
                .bind(org.to_string())
                .bind(now)
                .fetch_all(&mut *tx)
                .await?;
                tx.commit().await?;
                rows.into_iter()
                    .map(|(id, email, role, by, created_at, expires_at)| {
                        Ok($crate::store::Invitation {
                            id: $crate::store::ulid(&id)?,
                            email,
                            role: $crate::store::sql::role(&role)?,
                            invited_by: $crate::store::ulid(&by)?,
                            created_at,
                            expires_at,
                        })
                    })
                    .collect()
            }

            async fn revoke_invitation(
                &self,
                org: ulid::Ulid,
                id: ulid::Ulid,
                now: i64,
            ) -> $crate::store::StoreResult<bool> {
                let mut tx = self.org_tx(org, true, false).await?;
                let done = sqlx::query(
                    "UPDATE invitations SET revoked_at = $3 WHERE org_id = $1 AND id = $2 \
                     AND accepted_at IS NULL AND revoked_at IS NULL",
                )
                .bind(org.to_string())
                .bind(id.to_string())
                .bind(now)
                .execute(&mut *tx)
                .await?;
                tx.commit().await?;
                Ok(done.rows_affected() == 1)
            }

            async fn accept_invitation(
                &self,
                org: ulid::Ulid,
                token_hash: &[u8],
                email: &str,
                user: ulid::Ulid,
                now: i64,
            ) -> $crate::store::StoreResult<Option<stint_domain::Role>> {
                let mut tx = self.org_tx(org, true, false).await?;
                let role: Option<(String, String)> = sqlx::query_as(
                    "UPDATE invitations SET accepted_at = $4 WHERE org_id = $1 AND token_hash = $2 \
                     AND email = $3 AND accepted_at IS NULL AND revoked_at IS NULL AND expires_at > $4 \
                     RETURNING role, invited_by",
                )
                .bind(org.to_string())
                .bind(token_hash)
                .bind(email)
                .bind(now)
                .fetch_optional(&mut *tx)
                .await?;
                let Some((role, invited_by)) = role else { return Ok(None) };
                // Pending until an Owner or Admin confirms them by fingerprint (a member already
                // is one: nothing changes). Someone waiting who accepts another invitation waits
                // with its role: the later decision of whoever invited them.
                sqlx::query(
                    "INSERT INTO pending_members (org_id, user_id, role, invited_by, accepted_at) \
                     SELECT $1, $2, $3, $4, $5 \
                     WHERE NOT EXISTS (SELECT 1 FROM members WHERE org_id = $1 AND user_id = $2) \
                     ON CONFLICT (org_id, user_id) DO UPDATE SET role = excluded.role, \
                     invited_by = excluded.invited_by, accepted_at = excluded.accepted_at",
                )
                .bind(org.to_string())
                .bind(user.to_string())
                .bind(&role)
                .bind(&invited_by)
                .bind(now)
                .execute(&mut *tx)
                .await?;
                tx.commit().await?;
                sqlx::query(
                    "INSERT INTO memberships (user_id, org_id) VALUES ($1, $2) ON CONFLICT (user_id, org_id) DO NOTHING",
                )
                .bind(user.to_string())
                .bind(org.to_string())
                .execute(&self.pool)
                .await?;
                Ok(Some($crate::store::sql::role(&role)?))
            }

            async fn pending_members(
                &self,
                org: ulid::Ulid,
            ) -> $crate::store::StoreResult<Vec<$crate::store::PendingMember>> {
                let mut tx = self.org_tx(org, false, false).await?;
                let rows: Vec<(String, String, String, i64)> = sqlx::query_as(
                    "SELECT user_id, role, invited_by, accepted_at FROM pending_members \
                     WHERE org_id = $1 ORDER BY accepted_at, user_id",
                )
                .bind(org.to_string())
                .fetch_all(&mut *tx)
                .await?;
                tx.commit().await?;
                rows.into_iter()
                    .map(|(user, role, invited_by, accepted_at)| {
                        Ok($crate::store::PendingMember {
                            user: $crate::store::ulid(&user)?,
                            role: $crate::store::sql::role(&role)?,
                            invited_by: $crate::store::ulid(&invited_by)?,
                            accepted_at,
                        })
                    })
                    .collect()
            }

            async fn confirm_member(
                &self,
                org: ulid::Ulid,
                user: ulid::Ulid,
                role: stint_domain::Role,
                keys: &[$crate::store::sync::SealedKey],
                at: i64,
            ) -> $crate::store::StoreResult<()> {
                let mut tx = self.org_tx(org, true, false).await?;
                let done = sqlx::query(
                    "DELETE FROM pending_members WHERE org_id = $1 AND user_id = $2 AND role = $3",
                )
                .bind(org.to_string())
                .bind(user.to_string())
                .bind(role.to_string())
                .execute(&mut *tx)
                .await?;
                if done.rows_affected() == 0 {
                    return Err($crate::store::StoreError::NotFound("pending member"));
                }
                sqlx::query(
                    "INSERT INTO members (org_id, user_id, role, joined_at) VALUES ($1, $2, $3, $4)",
                )
                .bind(org.to_string())
                .bind(user.to_string())
                .bind(role.to_string())
                .bind(at)
                .execute(&mut *tx)
                .await?;
                for key in keys {
                    sqlx::query($crate::store::sync::INSERT_SEALED_KEY)
                    .bind(org.to_string())
                    .bind(user.to_string())
                    .bind(i64::from(key.compartment))
                    .bind(i64::from(key.epoch))
                    .bind(&key.sealed)
                    .bind(key.sealed_by.to_string())
                    .bind(&key.signature)
                    .bind(at)
                    .execute(&mut *tx)
                    .await?;
                }
                tx.commit().await?;
                Ok(())
            }

            async fn remove_pending(
                &self,
                org: ulid::Ulid,
                user: ulid::Ulid,
            ) -> $crate::store::StoreResult<bool> {
                let mut tx = self.org_tx(org, true, false).await?;
                let done = sqlx::query("DELETE FROM pending_members WHERE org_id = $1 AND user_id = $2")
                    .bind(org.to_string())
                    .bind(user.to_string())
                    .execute(&mut *tx)
                    .await?;
                tx.commit().await?;
                if done.rows_affected() == 1 {
                    sqlx::query("DELETE FROM memberships WHERE user_id = $1 AND org_id = $2")
                        .bind(user.to_string())
                        .bind(org.to_string())
                        .execute(&self.pool)
                        .await?;
                }
                Ok(done.rows_affected() == 1)
            }

            async fn create_api_token(
                &self,
                org: ulid::Ulid,
                token: &$crate::store::ApiToken,
                hash: &[u8],
            ) -> $crate::store::StoreResult<()> {
                let mut tx = self.org_tx(org, true, false).await?;
                sqlx::query(
                    "INSERT INTO api_tokens (org_id, id, user_id, name, role, read_only, token_hash, created_at, expires_at) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
                )
                .bind(org.to_string())
                .bind(token.id.to_string())
                .bind(token.user.to_string())
                .bind(&token.name)
                .bind(token.role.to_string())
                .bind(i64::from(token.read_only))
                .bind(hash)
                .bind(token.created_at)
                .bind(token.expires_at)
                .execute(&mut *tx)
                .await?;
                tx.commit().await?;
                Ok(())
            }

            async fn api_token(
                &self,
                org: ulid::Ulid,
                hash: &[u8],
                now: i64,
            ) -> $crate::store::StoreResult<Option<$crate::store::ApiToken>> {
                let mut tx = self.org_tx(org, false, false).await?;
                let row: Option<$crate::store::sql::TokenTuple> = sqlx::query_as(
                    "SELECT id, user_id, name, role, read_only, created_at, expires_at, last_used_at FROM api_tokens \
                     WHERE org_id = $1 AND token_hash = $2 AND revoked_at IS NULL \
                     AND (expires_at IS NULL OR expires_at > $3)",
                )
                .bind(org.to_string())
                .bind(hash)
                .bind(now)
                .fetch_optional(&mut *tx)
                .await?;
                let Some(row) = row else {
                    tx.commit().await?;
                    return Ok(None);
                };
                let mut token = $crate::store::sql::token_from_row(row)?;
                if token.last_used_at.is_none_or(|at| at < now - 60) {
                    sqlx::query("UPDATE api_tokens SET last_used_at = $3 WHERE org_id = $1 AND id = $2")
                        .bind(org.to_string())
                        .bind(token.id.to_string())
                        .bind(now)
                        .execute(&mut *tx)
                        .await?;
                    token.last_used_at = Some(now);
                }
                tx.commit().await?;
                Ok(Some(token))
            }

            async fn api_tokens(
                &self,
                org: ulid::Ulid,
                user: Option<ulid::Ulid>,
                now: i64,
            ) -> $crate::store::StoreResult<Vec<$crate::store::ApiToken>> {
                let mut tx = self.org_tx(org, false, false).await?;
                let rows: Vec<$crate::store::sql::TokenTuple> = sqlx::query_as(
                    "SELECT id, user_id, name, role, read_only, created_at, expires_at, last_used_at FROM api_tokens \
                     WHERE org_id = $1 AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > $2) \
                     AND ($3 = '' OR user_id = $3) ORDER BY id",
                )
                .bind(org.to_string())
                .bind(now)
                .bind(user.map(|u| u.to_string()).unwrap_or_default())
                .fetch_all(&mut *tx)
                .await?;
                tx.commit().await?;
                rows.into_iter().map($crate::store::sql::token_from_row).collect()
            }

            async fn revoke_api_token(
                &self,
                org: ulid::Ulid,
                id: ulid::Ulid,
                user: Option<ulid::Ulid>,
                now: i64,
            ) -> $crate::store::StoreResult<bool> {
                let mut tx = self.org_tx(org, true, false).await?;
                let done = sqlx::query(
                    "UPDATE api_tokens SET revoked_at = $4 WHERE org_id = $1 AND id = $2 \
                     AND ($3 = '' OR user_id = $3) AND revoked_at IS NULL",
                )
                .bind(org.to_string())
                .bind(id.to_string())
                .bind(user.map(|u| u.to_string()).unwrap_or_default())
                .bind(now)
                .execute(&mut *tx)
                .await?;
                tx.commit().await?;
                Ok(done.rows_affected() == 1)
            }

            async fn audit(&self, org: ulid::Ulid, entry: &$crate::store::AuditEntry) -> $crate::store::StoreResult<()> {
                let mut tx = self.org_tx(org, false, false).await?;
                sqlx::query(
                    "INSERT INTO audit_log (org_id, id, at, actor, session, action, detail) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7)",
                )
                .bind(org.to_string())
                .bind(entry.id.to_string())
                .bind(entry.at)
                .bind(entry.actor.to_string())
                .bind(entry.session.map(|s| s.to_string()))
                .bind(&entry.action)
                .bind(&entry.detail)
                .execute(&mut *tx)
                .await?;
                tx.commit().await?;
                Ok(())
            }

            async fn audit_log(
                &self,
                org: ulid::Ulid,
                limit: i64,
            ) -> $crate::store::StoreResult<Vec<$crate::store::AuditEntry>> {
                let mut tx = self.org_tx(org, false, false).await?;
                let rows: Vec<(String, i64, String, Option<String>, String, String)> = sqlx::query_as(
                    "SELECT id, at, actor, session, action, detail FROM audit_log WHERE org_id = $1 \
                     ORDER BY id DESC LIMIT $2",
                )
                .bind(org.to_string())
                .bind(limit)
                .fetch_all(&mut *tx)
                .await?;
                tx.commit().await?;
                rows.into_iter()
                    .map(|(id, at, actor, session, action, detail)| {
                        Ok($crate::store::AuditEntry {
                            id: $crate::store::ulid(&id)?,
                            at,
                            actor: $crate::store::ulid(&actor)?,
                            session: session.as_deref().map($crate::store::ulid).transpose()?,
                            action,
                            detail,
                        })
                    })
                    .collect()
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

/// Why a guarded membership change touched no row: the member is gone, their role is no longer the
/// one the change was decided on, or they are the last owner.
pub(crate) fn membership_refusal(
    now_role: Option<String>,
    from: stint_domain::Role,
) -> crate::store::StoreError {
    match now_role {
        None => crate::store::StoreError::NotFound("member"),
        Some(role) if role == from.to_string() => crate::store::StoreError::LastOwner,
        Some(_) => crate::store::StoreError::Changed("member's role"),
    }
}

pub(crate) fn role(text: &str) -> crate::store::StoreResult<stint_domain::Role> {
    text.parse()
        .map_err(|_| crate::store::StoreError::Corrupt(format!("not a role: {text:?}")))
}

pub(crate) fn member_from_row(
    (user, role_text, joined_at): (String, String, i64),
) -> crate::store::StoreResult<crate::store::Member> {
    Ok(crate::store::Member {
        user: crate::store::ulid(&user)?,
        role: role(&role_text)?,
        joined_at,
    })
}

pub(crate) type PasskeyTuple = (String, String, Vec<u8>, String, String, i64, Option<i64>);

pub(crate) fn passkey_from_row(
    (id, user, credential_id, name, passkey, created_at, last_used_at): PasskeyTuple,
) -> crate::store::StoreResult<crate::store::PasskeyRow> {
    Ok(crate::store::PasskeyRow {
        id: crate::store::ulid(&id)?,
        user: crate::store::ulid(&user)?,
        credential_id,
        name,
        passkey,
        created_at,
        last_used_at,
    })
}

pub(crate) type TokenTuple = (
    String,
    String,
    String,
    String,
    i64,
    i64,
    Option<i64>,
    Option<i64>,
);

pub(crate) fn token_from_row(
    (id, user, name, role_text, read_only, created_at, expires_at, last_used_at): TokenTuple,
) -> crate::store::StoreResult<crate::store::ApiToken> {
    Ok(crate::store::ApiToken {
        id: crate::store::ulid(&id)?,
        user: crate::store::ulid(&user)?,
        name,
        role: role(&role_text)?,
        read_only: read_only != 0,
        created_at,
        expires_at,
        last_used_at,
    })
}
