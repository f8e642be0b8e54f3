//! Rate limits and lockouts, counted in the database so that every instance sharing it enforces
//! the same numbers. Keys never hold an address or an email in the clear: both are hashed under the
//! server key first.

use std::net::IpAddr;

use crate::app::{AppState, now};
use crate::error::{ApiError, ApiResult};

/// What a limit counts.
#[derive(Debug, Clone, Copy)]
pub enum Scope {
    /// Sign-in, second factor, token exchanges.
    Auth,
    /// Sign-ups and emails sent.
    Email,
}

impl Scope {
    fn name(self) -> &'static str {
        match self {
            Scope::Auth => "auth",
            Scope::Email => "email",
        }
    }
}

/// Counts one request from `ip`; refuses it over the limit with 429 and `Retry-After`.
pub async fn per_ip(state: &AppState, scope: Scope, ip: IpAddr) -> ApiResult<()> {
    let max = match scope {
        Scope::Auth => state.config.limits.auth_per_ip,
        Scope::Email => state.config.limits.email_per_ip,
    };
    let key = format!(
        "{}:ip:{}",
        scope.name(),
        state.key.tag("ip", ip.to_string().as_bytes())
    );
    count(state, &key, max).await
}

/// Counts one request about the account with this (normalized) email, whether or not it exists.
pub async fn per_account(state: &AppState, scope: Scope, email: &str) -> ApiResult<()> {
    let max = match scope {
        Scope::Auth => state.config.limits.auth_per_account,
        Scope::Email => state.config.limits.email_per_ip,
    };
    let key = format!(
        "{}:account:{}",
        scope.name(),
        state.key.tag("email", email.as_bytes())
    );
    count(state, &key, max).await
}

async fn count(state: &AppState, key: &str, max: i64) -> ApiResult<()> {
    let window = state.config.limits.window_secs;
    let now = now();
    let (hits, start) = state.store.hit(key, now, window).await?;
    if hits > max {
        return Err(ApiError::too_many(
            "rate_limited",
            "too many attempts; wait a while and try again",
            u64::try_from(start + window - now).unwrap_or(1),
        ));
    }
    Ok(())
}

/// The lockout key of an account (by normalized email, so unknown addresses lock the same way and
/// reveal nothing).
pub fn lock_key(state: &AppState, email: &str) -> String {
    format!("lock:{}", state.key.tag("email", email.as_bytes()))
}

/// Refuses while the account is locked out, before any credential is checked: a right password
/// during a lockout is refused like a wrong one.
pub async fn ensure_unlocked(state: &AppState, key: &str) -> ApiResult<()> {
    let until = state.store.locked_until(key).await?;
    let now = now();
    if until > now {
        return Err(locked(until - now));
    }
    Ok(())
}

/// Counts a failed credential; from `lockout_after` failures on, locks the account for a time that
/// doubles with each further failure.
pub async fn failed(state: &AppState, key: &str) -> ApiResult<()> {
    let limits = &state.config.limits;
    let now = now();
    let failures = state
        .store
        .record_failure(key, now, limits.lockout_max_secs)
        .await?;
    if failures.count >= limits.lockout_after {
        let doublings = u32::try_from(failures.count - limits.lockout_after)
            .unwrap_or(u32::MAX)
            .min(20);
        let secs = limits
            .lockout_secs
            .saturating_mul(1 << doublings)
            .min(limits.lockout_max_secs);
        state.store.lock_until(key, now + secs).await?;
    }
    Ok(())
}

pub async fn succeeded(state: &AppState, key: &str) -> ApiResult<()> {
    state.store.clear_failures(key).await?;
    Ok(())
}

fn locked(retry_after: i64) -> ApiError {
    ApiError::too_many(
        "account_locked",
        "too many failed attempts: this account is locked for a while; try again later",
        u64::try_from(retry_after).unwrap_or(1),
    )
}
