//! The HTTP application: shared state, the router with its layers (security headers, JSON errors,
//! body limit, timeout, Origin check, panic guard), and the authenticated-caller extractor.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::{DefaultBodyLimit, FromRequestParts, Request, State};
use axum::http::{HeaderMap, HeaderName, HeaderValue, Method, StatusCode, header, request::Parts};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, patch, post, put};
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::timeout::TimeoutLayer;
use ulid::Ulid;

use crate::config::Config;
use crate::error::{ApiError, ApiResult, json_errors, panic_response};
use crate::mail::Mailer;
use crate::secrets::{ServerKey, token_hash};
use crate::store::Store;
use crate::{
    accounts, attachments, enrolments, handoff, keys, membership, meta, numbers, orgs, passkeys,
    privacy, sync,
};

/// What every request handler can reach.
pub struct AppState {
    pub store: Arc<dyn Store>,
    pub key: ServerKey,
    pub config: Config,
    pub mailer: Mailer,
    /// The WebAuthn relying party, when the public address has a host name.
    pub webauthn: Option<webauthn_rs::Webauthn>,
    /// Attachment uploads read at once: each holds up to 20 MiB in memory until it is checked.
    pub attachment_uploads: tokio::sync::Semaphore,
    pub seen_devices: SeenDevices,
}

/// When this process last wrote each device's `last_seen_at`, so that a device's requests touch
/// the database about once a minute, not once each.
#[derive(Default)]
pub struct SeenDevices(std::sync::Mutex<HashMap<(Ulid, [u8; 16]), i64>>);

impl SeenDevices {
    /// Past this many devices the memory is dropped and starts again (a write each, once).
    const MOST: usize = 10_000;

    fn seen(&self) -> std::sync::MutexGuard<'_, HashMap<(Ulid, [u8; 16]), i64>> {
        self.0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Whether `device` of `user` was last written a minute or more before `at`, or never.
    fn due(&self, user: Ulid, device: [u8; 16], at: i64) -> bool {
        self.seen()
            .get(&(user, device))
            .is_none_or(|&last| at - last >= 60)
    }

    fn written(&self, user: Ulid, device: [u8; 16], at: i64) {
        let mut seen = self.seen();
        if seen.len() >= Self::MOST {
            seen.clear();
        }
        seen.insert((user, device), at);
    }
}

/// Notes when a signed-in request names its device in [`stint_protocol::DEVICE_HEADER`] (only a live
/// device of the caller's own account is written). A failed write is logged and the request goes
/// on: it is only a "last seen".
async fn note_device(state: &AppState, parts: &Parts, user: Ulid) {
    let Some(device) = parts
        .headers
        .get(stint_protocol::DEVICE_HEADER)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| hex::decode(v).ok())
        .and_then(|b| <[u8; 16]>::try_from(b).ok())
    else {
        return;
    };
    let at = now();
    if !state.seen_devices.due(user, device, at) {
        return;
    }
    match state.store.device_seen(user, device, at).await {
        Ok(true) => state.seen_devices.written(user, device, at),
        Ok(false) => {}
        Err(e) => tracing::warn!("cannot note when a device was last seen: {e}"),
    }
}

pub type Shared = Arc<AppState>;

/// Seconds since the Unix epoch, now.
pub fn now() -> i64 {
    jiff::Timestamp::now().as_second()
}

/// The whole API.
pub fn router(state: Shared) -> Router {
    let limits = state.config.limits.clone();
    Router::new()
        .route("/healthz", get(meta::health))
        .route("/.well-known/security.txt", get(meta::security_txt))
        .route("/openapi.json", get(meta::openapi))
        .route("/sign-in", get(handoff::page))
        .route("/sign-up", get(handoff::sign_up_page))
        .route("/verify-email", get(handoff::sign_up_page))
        .route("/accept-invitation", get(handoff::sign_up_page))
        .route("/assets/sign-up.js", get(handoff::sign_up_script))
        .route("/assets/sign-in.js", get(handoff::script))
        .route("/assets/webauthn.js", get(handoff::webauthn_script))
        .route("/assets/sign-in.css", get(handoff::style))
        .route("/api/v1/authorize", post(handoff::authorize))
        .route("/api/v1/token", post(handoff::token))
        .route("/api/v1/accounts", post(accounts::sign_up))
        .route("/api/v1/accounts/verify", post(accounts::verify_email))
        .route(
            "/api/v1/accounts/verify/passkey",
            post(passkeys::sign_up_finish),
        )
        .route("/api/v1/password/forgot", post(accounts::forgot_password))
        .route("/api/v1/password/reset", post(accounts::reset_password))
        .route(
            "/api/v1/sessions",
            post(accounts::sign_in).get(accounts::list_sessions),
        )
        .route(
            "/api/v1/sessions/second-factor",
            post(accounts::second_factor),
        )
        .route("/api/v1/cli/sign-in", post(accounts::cli_sign_in))
        .route(
            "/api/v1/sessions/email-code",
            post(accounts::confirm_email_code),
        )
        .route(
            "/api/v1/cli/sign-in/confirm",
            post(accounts::confirm_email_code),
        )
        .route("/api/v1/sessions/current", delete(accounts::sign_out))
        .route("/api/v1/sessions/current/step-up", post(accounts::step_up))
        .route("/api/v1/sessions/{id}", delete(accounts::revoke_session))
        .route("/api/v1/account", get(accounts::account))
        .route("/api/v1/account/totp", post(accounts::start_totp))
        .route("/api/v1/account/totp/confirm", post(accounts::confirm_totp))
        .route("/api/v1/account/totp/disable", post(accounts::disable_totp))
        .route(
            "/api/v1/account/password",
            delete(passkeys::remove_password),
        )
        .route("/api/v1/account/export", get(privacy::export))
        .route("/api/v1/account/delete", post(privacy::request_deletion))
        .route(
            "/api/v1/account/delete/confirm",
            post(privacy::confirm_deletion),
        )
        .route("/api/v1/passkeys", get(passkeys::list))
        .route("/api/v1/passkeys/{id}", delete(passkeys::delete))
        .route(
            "/api/v1/passkeys/register/start",
            post(passkeys::register_start),
        )
        .route(
            "/api/v1/passkeys/register/finish",
            post(passkeys::register_finish),
        )
        .route(
            "/api/v1/passkeys/sign-in/start",
            post(passkeys::sign_in_start),
        )
        .route(
            "/api/v1/passkeys/sign-in/finish",
            post(passkeys::sign_in_finish),
        )
        .route("/api/v1/orgs", post(orgs::create).get(orgs::list))
        .route(
            "/api/v1/orgs/{org}",
            get(orgs::show).patch(orgs::rename).delete(orgs::delete),
        )
        .route("/api/v1/orgs/{org}/transfer", post(orgs::transfer))
        .route("/api/v1/orgs/{org}/members", get(orgs::members))
        .route("/api/v1/orgs/{org}/members/pending", get(keys::pending))
        .route(
            "/api/v1/orgs/{org}/members/{user}/confirm",
            post(keys::confirm),
        )
        .route("/api/v1/orgs/{org}/directory", get(keys::directory))
        .route(
            "/api/v1/orgs/{org}/membership",
            get(membership::log).post(membership::append),
        )
        .route("/api/v1/orgs/{org}/invoice-numbers", post(numbers::issue))
        .route(
            "/api/v1/orgs/{org}/members/{user}",
            patch(orgs::change_role).delete(orgs::remove_member),
        )
        .route(
            "/api/v1/orgs/{org}/invitations",
            post(orgs::invite).get(orgs::invitations),
        )
        .route(
            "/api/v1/orgs/{org}/invitations/{id}",
            delete(orgs::revoke_invitation),
        )
        .route("/api/v1/orgs/{org}/audit", get(orgs::audit_log))
        .route(
            "/api/v1/orgs/{org}/tokens",
            post(orgs::create_token).get(orgs::tokens),
        )
        .route("/api/v1/orgs/{org}/tokens/{id}", delete(orgs::revoke_token))
        .route("/api/v1/invitations/accept", post(orgs::accept))
        .route(
            "/api/v1/identity",
            put(sync::put_identity).get(sync::identity),
        )
        .route("/api/v1/identity/recovery", put(sync::replace_recovery))
        .route("/api/v1/devices", post(sync::add_device).get(sync::devices))
        .route("/api/v1/devices/{id}/revoke", post(sync::revoke_device))
        .route("/api/v1/devices/{id}/label", put(sync::set_device_label))
        .route("/api/v1/enrolments", post(enrolments::create))
        .route(
            "/api/v1/enrolments/{id}",
            get(enrolments::get).delete(enrolments::delete),
        )
        .route("/api/v1/enrolments/{id}/answer", put(enrolments::answer))
        .route(
            "/api/v1/orgs/{org}/sync/push",
            // Pushes carry up to a batch of envelopes: their own body limit, not the API's.
            post(sync::push).layer(DefaultBodyLimit::max(stint_protocol::sync::MAX_PUSH_BYTES)),
        )
        .route("/api/v1/orgs/{org}/sync/pull", get(sync::pull))
        .route(
            "/api/v1/orgs/{org}/attachments/{id}",
            // One envelope of up to 20 MiB, read under its own limit (the handler's).
            put(attachments::put)
                .get(attachments::get)
                .layer(DefaultBodyLimit::disable()),
        )
        .route(
            "/api/v1/orgs/{org}/keys",
            put(keys::put_keys).get(keys::keys),
        )
        .layer(DefaultBodyLimit::max(limits.max_body_bytes))
        .layer(middleware::from_fn_with_state(state.clone(), check_origin))
        .layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            Duration::from_secs(limits.request_timeout_secs),
        ))
        .layer(CatchPanicLayer::custom(panic_response))
        .layer(middleware::map_response(json_errors))
        .layer(middleware::map_response(security_headers))
        .with_state(state)
}

/// Serves `router` on `listener` until `shutdown` resolves; client addresses reach the handlers
/// (rate limits are kept per address). Once the last request is answered the store is closed.
pub async fn serve(
    listener: tokio::net::TcpListener,
    state: Shared,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let store = state.store.clone();
    let served = axum::serve(
        listener,
        router(state).into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown)
    .await;
    store.close().await;
    served
}

/// Serves over TLS (rustls, with ring) with the PEM certificate chain and private key; otherwise as
/// [`serve`]. Connections still open ten seconds after `shutdown` are closed.
pub async fn serve_tls(
    listener: tokio::net::TcpListener,
    state: Shared,
    cert: &std::path::Path,
    key: &std::path::Path,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    // One process-wide crypto provider for rustls: ring (no aws-lc, no OpenSSL).
    let _ = rustls::crypto::ring::default_provider().install_default();
    let tls = axum_server::tls_rustls::RustlsConfig::from_pem_file(cert, key)
        .await
        .map_err(|e| {
            std::io::Error::new(
                e.kind(),
                format!(
                    "cannot use the TLS certificate {} and key {}: {e}",
                    cert.display(),
                    key.display()
                ),
            )
        })?;
    let handle = axum_server::Handle::new();
    let stopper = handle.clone();
    tokio::spawn(async move {
        shutdown.await;
        stopper.graceful_shutdown(Some(Duration::from_secs(10)));
    });
    let store = state.store.clone();
    let served = axum_server::from_tcp_rustls(listener.into_std()?, tls)?
        .handle(handle)
        .serve(router(state).into_make_service_with_connect_info::<SocketAddr>())
        .await;
    store.close().await;
    served
}

/// Headers every response carries, errors included.
async fn security_headers(mut response: Response) -> Response {
    let headers = response.headers_mut();
    let set = |headers: &mut HeaderMap, name: HeaderName, value: &'static str| {
        headers.insert(name, HeaderValue::from_static(value));
    };
    set(
        headers,
        header::STRICT_TRANSPORT_SECURITY,
        "max-age=63072000; includeSubDomains",
    );
    if !headers.contains_key(header::CONTENT_SECURITY_POLICY) {
        set(
            headers,
            header::CONTENT_SECURITY_POLICY,
            "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
        );
    }
    set(headers, header::X_FRAME_OPTIONS, "DENY");
    set(headers, header::X_CONTENT_TYPE_OPTIONS, "nosniff");
    set(headers, header::REFERRER_POLICY, "no-referrer");
    set(
        headers,
        HeaderName::from_static("permissions-policy"),
        "camera=(), microphone=(), geolocation=(), payment=(), usb=(), interest-cohort=()",
    );
    set(
        headers,
        HeaderName::from_static("cross-origin-opener-policy"),
        "same-origin",
    );
    set(
        headers,
        HeaderName::from_static("cross-origin-resource-policy"),
        "same-origin",
    );
    if !headers.contains_key(header::CACHE_CONTROL) {
        set(headers, header::CACHE_CONTROL, "no-store");
    }
    response
}

/// A state-changing request from a browser must come from this server's own pages: a foreign
/// `Origin` (or `Sec-Fetch-Site: cross-site`) is refused. Apps send neither and authenticate with
/// bearer tokens, which a foreign page cannot attach.
async fn check_origin(State(state): State<Shared>, request: Request, next: Next) -> Response {
    let safe = matches!(
        *request.method(),
        Method::GET | Method::HEAD | Method::OPTIONS
    );
    if !safe {
        let headers = request.headers();
        let origin_ok = match headers.get(header::ORIGIN) {
            None => true,
            Some(origin) => origin.as_bytes() == state.config.public_origin().as_bytes(),
        };
        let cross_site = headers
            .get("sec-fetch-site")
            .is_some_and(|v| v.as_bytes() == b"cross-site");
        if !origin_ok || cross_site {
            return ApiError::new(
                StatusCode::FORBIDDEN,
                "bad_origin",
                "this request came from another site and was refused",
            )
            .into_response();
        }
    }
    next.run(request).await
}

/// The signed-in caller: a live session named by `Authorization: Bearer <token>`. Revoked or
/// expired sessions are refused on their next request.
#[derive(Debug, Clone, Copy)]
pub struct Authed {
    pub user: Ulid,
    pub session: Ulid,
}

/// The bearer token of a request, if it has one.
pub fn bearer(parts: &Parts) -> ApiResult<&str> {
    let token = parts
        .headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .ok_or_else(ApiError::unauthorized)?;
    if token.len() > 200 {
        return Err(ApiError::unauthorized());
    }
    Ok(token)
}

impl FromRequestParts<Shared> for Authed {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &Shared) -> ApiResult<Authed> {
        let token = bearer(parts)?;
        if token.starts_with("stp_") {
            return Err(ApiError::new(
                StatusCode::UNAUTHORIZED,
                "session_required",
                "API tokens reach only their organization's endpoints; this one needs a signed-in session",
            ));
        }
        let session = state
            .store
            .session_by_token(&token_hash(token), now())
            .await?
            .ok_or_else(ApiError::unauthorized)?;
        note_device(state, parts, session.user).await;
        Ok(Authed {
            user: session.user,
            session: session.id,
        })
    }
}

/// How long after signing in (or stepping up) a session may make sensitive changes.
pub const STEP_UP_SECS: i64 = 5 * 60;

/// Refuses a sensitive change (a passkey added, the password removed, two-factor sign-in turned on
/// or off, an API token made) unless the session's holder proved who they are in the last
/// [`STEP_UP_SECS`]: a stolen session alone cannot make them.
pub async fn require_recent_proof(state: &AppState, session: Ulid) -> ApiResult<()> {
    let proved = state
        .store
        .session_proved_at(session)
        .await?
        .ok_or_else(ApiError::unauthorized)?;
    if now() - proved > STEP_UP_SECS {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "step_up_required",
            "confirm it is you first: enter your password again (with your authenticator code, if you use one), or sign in again with your passkey",
        ));
    }
    Ok(())
}

impl Authed {
    /// See [`require_recent_proof`].
    pub async fn require_recent_proof(&self, state: &AppState) -> ApiResult<()> {
        require_recent_proof(state, self.session).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_device_is_written_at_most_once_a_minute() {
        let seen = SeenDevices::default();
        let (ada, device) = (Ulid::from_parts(1, 1), [7; 16]);
        assert!(seen.due(ada, device, 1_000));
        // Not written (no such live device, say): still due.
        assert!(seen.due(ada, device, 1_001));
        seen.written(ada, device, 1_001);
        assert!(!seen.due(ada, device, 1_001));
        assert!(!seen.due(ada, device, 1_060));
        assert!(seen.due(ada, device, 1_061));
        // Another device, or the same id in another account, has its own minute.
        assert!(seen.due(ada, [8; 16], 1_001));
        assert!(seen.due(Ulid::from_parts(2, 2), device, 1_001));
    }

    #[test]
    fn the_memory_of_devices_is_bounded() {
        let seen = SeenDevices::default();
        let ada = Ulid::from_parts(1, 1);
        for i in 0..SeenDevices::MOST as u32 {
            let mut device = [0; 16];
            device[..4].copy_from_slice(&i.to_be_bytes());
            seen.written(ada, device, 5);
        }
        assert_eq!(seen.seen().len(), SeenDevices::MOST);
        seen.written(ada, [0xff; 16], 5);
        assert_eq!(seen.seen().len(), 1);
    }
}
