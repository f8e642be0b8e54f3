//! Desktop sign-in through the system browser (RFC 8252 with PKCE, RFC 7636).
//!
//! The app opens `/sign-in?redirect_uri=http://127.0.0.1:<port>/…&state=…&code_challenge=…` in the
//! browser. That page signs the person in (passkey, or password and second factor) with the JSON
//! API, asks `POST /api/v1/authorize` for a single-use code valid 60 seconds, bound to the challenge,
//! the redirect and the account, ends its own short browser session, and sends the browser to the
//! loopback redirect. The app trades the code and its PKCE verifier at `POST /api/v1/token` for a
//! 15-minute access token and a refresh token that rotates on every use; presenting a refresh token
//! a second time ends the session (a stolen copy is worth nothing once either side uses it).

use std::net::{Ipv4Addr, Ipv6Addr};

use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sha2::{Digest, Sha256};
use stint_protocol as wire;
use subtle::ConstantTimeEq;
use ulid::Ulid;
use url::Url;

use crate::accounts::check_device;
use crate::app::{Authed, Shared, now};
use crate::error::{ApiError, ApiResult, Json};
use crate::limits::{self, ClientIp, Scope};
use crate::secrets::{new_token, token_hash};
use crate::store::{Handoff, Refresh, Session};

const CODE_SECS: i64 = 60;
const ACCESS_SECS: i64 = 15 * 60;
const SESSION_SECS: i64 = 30 * 24 * 3600;

/// A loopback redirect: plain `http` to `127.0.0.1` or `[::1]` with an explicit port (RFC 8252
/// §7.3), no credentials, no fragment.
pub fn loopback_redirect(uri: &str) -> ApiResult<Url> {
    let bad = || {
        ApiError::invalid("redirect_uri must be http://127.0.0.1:<port>/… or http://[::1]:<port>/…")
    };
    let url = Url::parse(uri).map_err(|_| bad())?;
    let loopback = match url.host() {
        Some(url::Host::Ipv4(ip)) => ip == Ipv4Addr::LOCALHOST,
        Some(url::Host::Ipv6(ip)) => ip == Ipv6Addr::LOCALHOST,
        _ => false,
    };
    let explicit_port = url.port().is_some();
    if url.scheme() != "http"
        || !loopback
        || !explicit_port
        || !url.username().is_empty()
        || url.password().is_some()
        || url.fragment().is_some()
        || uri.len() > 500
    {
        return Err(bad());
    }
    Ok(url)
}

fn unreserved(text: &str, min: usize, max: usize) -> bool {
    (min..=max).contains(&text.len())
        && text
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~'))
}

/// `POST /api/v1/authorize`: from the signed-in sign-in page, the redirect with a fresh code.
pub async fn authorize(
    State(state): State<Shared>,
    authed: Authed,
    Json(body): Json<wire::Authorize>,
) -> ApiResult<Json<wire::Redirect>> {
    let mut redirect = loopback_redirect(&body.redirect_uri)?;
    if body.code_challenge_method != "S256" {
        return Err(ApiError::invalid("code_challenge_method must be S256"));
    }
    if !unreserved(&body.code_challenge, 43, 43) {
        return Err(ApiError::invalid(
            "code_challenge must be BASE64URL(SHA256(verifier)): 43 characters",
        ));
    }
    if !unreserved(&body.state, 1, 200) {
        return Err(ApiError::invalid(
            "state must be 1 to 200 letters, digits, '-', '.', '_' or '~'",
        ));
    }
    let device = check_device(&body.device)?;
    let code = new_token("sth_");
    state
        .store
        .create_handoff(
            &token_hash(&code),
            &Handoff {
                user: authed.user,
                challenge: body.code_challenge,
                redirect_uri: body.redirect_uri.clone(),
                device,
            },
            now() + CODE_SECS,
        )
        .await?;
    redirect
        .query_pairs_mut()
        .append_pair("code", &code)
        .append_pair("state", &body.state);
    Ok(Json(wire::Redirect {
        location: redirect.into(),
    }))
}

fn invalid_grant(message: &str) -> ApiError {
    ApiError::new(StatusCode::BAD_REQUEST, "invalid_grant", message)
}

/// `POST /api/v1/token`: a code and its verifier, or a refresh token, for new tokens.
pub async fn token(
    State(state): State<Shared>,
    ClientIp(ip): ClientIp,
    Json(body): Json<wire::TokenRequest>,
) -> ApiResult<Json<wire::TokenGrant>> {
    limits::per_ip(&state, Scope::Auth, ip).await?;
    let access = new_token("sts_");
    let refresh = new_token("str_");
    let now = now();
    match body {
        wire::TokenRequest::AuthorizationCode {
            code,
            code_verifier,
            redirect_uri,
        } => {
            // The code is used up whatever follows: one try per code.
            let handoff = state
                .store
                .take_handoff(&token_hash(&code), now)
                .await?
                .ok_or_else(|| {
                    invalid_grant("this sign-in code is not valid: used, expired or unknown")
                })?;
            let computed = URL_SAFE_NO_PAD.encode(Sha256::digest(code_verifier.as_bytes()));
            let verifier_ok = unreserved(&code_verifier, 43, 128)
                && bool::from(computed.as_bytes().ct_eq(handoff.challenge.as_bytes()));
            if !verifier_ok || redirect_uri != handoff.redirect_uri {
                return Err(invalid_grant(
                    "the verifier or redirect does not match this sign-in",
                ));
            }
            let session = Session {
                id: crate::store::ordered_id(),
                user: handoff.user,
                device: handoff.device,
                created_at: now,
                last_seen_at: now,
                expires_at: now + SESSION_SECS,
            };
            state
                .store
                .create_app_session(
                    &session,
                    &token_hash(&access),
                    &token_hash(&refresh),
                    now + ACCESS_SECS,
                )
                .await?;
            Ok(Json(grant(session.id, access, refresh)))
        }
        wire::TokenRequest::RefreshToken { refresh_token } => {
            match state
                .store
                .refresh_session(
                    &token_hash(&refresh_token),
                    &token_hash(&access),
                    &token_hash(&refresh),
                    now + ACCESS_SECS,
                    now + SESSION_SECS,
                    now,
                )
                .await?
            {
                Refresh::Rotated(session) => Ok(Json(grant(session.id, access, refresh))),
                Refresh::Reused => {
                    tracing::warn!("a refresh token was presented twice; its session was ended");
                    Err(invalid_grant(
                        "this refresh token was already used, so the session was ended; sign in again",
                    ))
                }
                Refresh::Unknown => Err(invalid_grant(
                    "this refresh token is not valid; sign in again",
                )),
            }
        }
    }
}

fn grant(session: Ulid, access: String, refresh: String) -> wire::TokenGrant {
    wire::TokenGrant {
        session,
        access_token: access,
        refresh_token: refresh,
        token_type: "Bearer".into(),
        expires_in: ACCESS_SECS,
    }
}

const PAGE_CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self'; form-action 'none'; frame-ancestors 'none'; base-uri 'none'";

fn asset(content_type: &'static str, body: &'static str) -> Response {
    let mut response = body.into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(PAGE_CSP),
    );
    response
}

/// `GET /sign-in`: the sign-in page (passkey, or password and second factor). With a hand-off in its
/// query it returns the browser to the app afterwards.
pub async fn page() -> Response {
    asset(
        "text/html; charset=utf-8",
        include_str!("../assets/sign-in.html"),
    )
}

/// `GET /sign-up`, `GET /verify-email` (the page the confirmation email links to) and
/// `GET /accept-invitation` (the one an invitation links to): one page, its script showing the
/// part for the address.
pub async fn sign_up_page() -> Response {
    asset(
        "text/html; charset=utf-8",
        include_str!("../assets/sign-up.html"),
    )
}

/// `GET /assets/sign-up.js`
pub async fn sign_up_script() -> Response {
    asset(
        "text/javascript; charset=utf-8",
        include_str!("../assets/sign-up.js"),
    )
}

/// `GET /assets/sign-in.js`
pub async fn script() -> Response {
    asset(
        "text/javascript; charset=utf-8",
        include_str!("../assets/sign-in.js"),
    )
}

/// `GET /assets/webauthn.js`: what both pages share for passkeys.
pub async fn webauthn_script() -> Response {
    asset(
        "text/javascript; charset=utf-8",
        include_str!("../assets/webauthn.js"),
    )
}

/// `GET /assets/sign-in.css`
pub async fn style() -> Response {
    asset(
        "text/css; charset=utf-8",
        include_str!("../assets/sign-in.css"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_loopback_redirects_with_a_port_are_accepted() {
        for good in [
            "http://127.0.0.1:49152/callback",
            "http://[::1]:8000/cb?x=1",
            "http://127.0.0.1:1/",
        ] {
            assert!(loopback_redirect(good).is_ok(), "{good}");
        }
        for bad in [
            "https://127.0.0.1:49152/callback",
            "http://localhost:49152/callback",
            "http://127.0.0.1/callback",
            "http://127.0.0.2:5000/callback",
            "http://evil.example:5000/callback",
            "http://user:pw@127.0.0.1:5000/callback",
            "http://127.0.0.1:5000/callback#frag",
            "stint://callback",
            "",
        ] {
            assert!(loopback_redirect(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn verifiers_and_states_are_unreserved_characters() {
        assert!(unreserved("abc-._~XYZ019", 1, 200));
        assert!(!unreserved("a b", 1, 200));
        assert!(!unreserved("", 1, 200));
        assert!(!unreserved(&"a".repeat(201), 1, 200));
    }
}
