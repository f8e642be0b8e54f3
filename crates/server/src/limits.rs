//! Rate limits and lockouts, counted in the database so that every instance sharing it enforces
//! the same numbers. Keys never hold an address or an email in the clear: both are hashed under the
//! server key first.

use std::net::{IpAddr, Ipv6Addr, SocketAddr};

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::{HeaderMap, request::Parts};
use ipnet::IpNet;

use crate::app::{AppState, Shared, now};
use crate::error::{ApiError, ApiResult};

/// The client's address, as limits count it: the connection's peer, or, when the peer is one of
/// the configured `trusted_proxies`, the address that proxy says it forwarded for.
#[derive(Debug, Clone, Copy)]
pub struct ClientIp(pub IpAddr);

impl FromRequestParts<Shared> for ClientIp {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &Shared) -> ApiResult<ClientIp> {
        let peer = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|ConnectInfo(addr)| addr.ip())
            .ok_or_else(|| ApiError::internal("client address", "no connection info"))?;
        Ok(ClientIp(client_ip(
            &state.config.trusted_proxies,
            peer,
            &parts.headers,
        )))
    }
}

/// `peer` itself unless it is a trusted proxy; then the right-most `X-Forwarded-For` address that
/// is not a trusted proxy (each proxy appends the address it received from, so only that end of
/// the list is vouched for; whatever the client itself wrote is further left).
pub fn client_ip(trusted: &[IpNet], peer: IpAddr, headers: &HeaderMap) -> IpAddr {
    let is_trusted = |ip: &IpAddr| trusted.iter().any(|net| net.contains(ip));
    if !is_trusted(&peer) {
        return peer;
    }
    let hops: Vec<&str> = headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .collect();
    let mut client = peer;
    for hop in hops.iter().rev() {
        let Ok(ip) = hop.parse::<IpAddr>() else {
            // Not an address: what follows it (to the left) cannot be vouched for.
            break;
        };
        client = ip;
        if !is_trusted(&ip) {
            break;
        }
    }
    client
}

/// The network a limit counts an address in: an IPv4 address alone, an IPv6 address by its /64
/// (one subscriber usually holds a whole /64, and could otherwise take a fresh address for every
/// request).
pub fn network(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V4(_) => ip,
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => {
                let s = v6.segments();
                IpAddr::V6(Ipv6Addr::new(s[0], s[1], s[2], s[3], 0, 0, 0, 0))
            }
        },
    }
}

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

/// Counts one sync push by `user`; refuses it over the limit with 429.
pub async fn sync_push(state: &AppState, user: ulid::Ulid) -> ApiResult<()> {
    let key = format!("sync-push:account:{user}");
    count(state, &key, state.config.limits.sync_pushes_per_window).await
}

/// Counts one organization created by `user`; refuses it over the limit with 429.
pub async fn org_creation(state: &AppState, user: ulid::Ulid) -> ApiResult<()> {
    let key = format!("org:account:{user}");
    count(state, &key, state.config.limits.org_creations_per_window).await
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
        state.key.tag("ip", network(ip).to_string().as_bytes())
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
/// reveal nothing) as tried from one network: failures from one place lock that place out of the
/// account, not its owner everywhere else (guessing from many places at once is held back by the
/// per-account rate limit instead). Passkey sign-in never looks at it.
pub fn lock_key(state: &AppState, email: &str, ip: IpAddr) -> String {
    format!(
        "lock:{}:{}",
        state.key.tag("email", email.as_bytes()),
        state.key.tag("ip", network(ip).to_string().as_bytes())
    )
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

#[cfg(test)]
mod tests {
    use super::*;

    fn forwarded(value: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert("x-forwarded-for", value.parse().unwrap());
        headers
    }

    #[test]
    fn forwarded_for_is_believed_only_from_a_trusted_proxy_and_only_its_end() {
        let proxy: IpAddr = "10.0.0.2".parse().unwrap();
        let trusted: Vec<IpNet> = vec!["10.0.0.0/8".parse().unwrap()];
        let headers = forwarded("1.2.3.4, 203.0.113.7, 10.0.0.5");
        // No trusted proxies: the connection's own address, whatever the header says.
        assert_eq!(client_ip(&[], proxy, &headers), proxy);
        // From an untrusted peer: the header is the client's own word, ignored.
        let stranger: IpAddr = "198.51.100.1".parse().unwrap();
        assert_eq!(client_ip(&trusted, stranger, &headers), stranger);
        // Through trusted proxies: the right-most address that is not one of them; what the client
        // wrote further left ("1.2.3.4") is never taken.
        assert_eq!(
            client_ip(&trusted, proxy, &headers),
            "203.0.113.7".parse::<IpAddr>().unwrap()
        );
        assert_eq!(
            client_ip(&trusted, proxy, &forwarded("junk, 203.0.113.9")),
            "203.0.113.9".parse::<IpAddr>().unwrap()
        );
        // Garbage nearest the proxy: nothing beyond it is vouched for, so the proxy itself counts.
        assert_eq!(
            client_ip(&trusted, proxy, &forwarded("203.0.113.9, junk")),
            proxy
        );
        assert_eq!(client_ip(&trusted, proxy, &HeaderMap::new()), proxy);
    }

    #[test]
    fn an_ipv6_address_counts_as_its_slash_64() {
        let a: IpAddr = "2001:db8:1:2:aaaa::1".parse().unwrap();
        let b: IpAddr = "2001:db8:1:2:ffff:1:2:3".parse().unwrap();
        let c: IpAddr = "2001:db8:1:3::1".parse().unwrap();
        assert_eq!(network(a), network(b));
        assert_ne!(network(a), network(c));
        let v4: IpAddr = "203.0.113.7".parse().unwrap();
        assert_eq!(network(v4), v4);
        let mapped: IpAddr = "::ffff:203.0.113.7".parse().unwrap();
        assert_eq!(network(mapped), v4);
    }
}
