//! Accounts and sign-in: sign-up with email verification, password sign-in with a TOTP (or
//! recovery-code) second factor, password reset, sessions, TOTP enrollment and removal.
//!
//! Answers never reveal whether an address has an account: sign-up and "forgot password" reply the
//! same either way, and a wrong email costs the same Argon2id verification as a wrong password.

use std::net::IpAddr;

use axum::extract::State;
use axum::http::StatusCode;
use stint_protocol as wire;
use subtle::ConstantTimeEq;
use ulid::Ulid;
use zeroize::Zeroizing;

use crate::app::{Authed, Shared, now};
use crate::error::{ApiError, ApiResult, Json, Path};
use crate::limits::{self, ClientIp, Scope};
use crate::mail::Message;
use crate::secrets::{self, new_token, token_hash};
use crate::store::{Session, StoreError, TokenPurpose, User};

/// How long a session lasts without being renewed.
const SESSION_SECS: i64 = 30 * 24 * 3600;
/// How long the second factor may take after the password.
const CHALLENGE_SECS: i64 = 5 * 60;
const VERIFY_EMAIL_SECS: i64 = 24 * 3600;
const RESET_PASSWORD_SECS: i64 = 3600;
/// How long the emailed code of a CLI sign-in lasts, and how many tries it allows.
const EMAIL_CODE_SECS: i64 = 10 * 60;
const EMAIL_CODE_TRIES: i64 = 5;

/// An email address as the unique key: trimmed and lower-cased, checked for shape (not for
/// deliverability: the verification email does that).
pub fn normalize_email(email: &str) -> ApiResult<String> {
    let email = email.trim().to_lowercase();
    let bad = || ApiError::invalid("enter an email address like name@example.org");
    if email.len() > 254
        || email
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || c == ':')
    {
        return Err(bad());
    }
    let (local, domain) = email.rsplit_once('@').ok_or_else(bad)?;
    if local.is_empty()
        || local.contains('@')
        || domain.len() < 3
        || !domain.contains('.')
        || domain.starts_with('.')
        || domain.ends_with('.')
    {
        return Err(bad());
    }
    Ok(email)
}

fn check_password(password: &str, email: &str) -> ApiResult<()> {
    let chars = password.chars().count();
    if chars < 10 {
        return Err(ApiError::invalid(
            "choose a password of at least 10 characters",
        ));
    }
    if chars > 1024 {
        return Err(ApiError::invalid(
            "a password may have at most 1024 characters",
        ));
    }
    if password.trim().eq_ignore_ascii_case(email) {
        return Err(ApiError::invalid(
            "the password must not be the email address",
        ));
    }
    Ok(())
}

pub(crate) fn check_device(device: &str) -> ApiResult<String> {
    let device = device.trim();
    if device.is_empty() || device.chars().count() > 100 || device.chars().any(char::is_control) {
        return Err(ApiError::invalid(
            "name this device in 1 to 100 characters (for the session list)",
        ));
    }
    Ok(device.to_owned())
}

async fn hash_password(password: String) -> ApiResult<String> {
    let password = Zeroizing::new(password);
    tokio::task::spawn_blocking(move || secrets::hash_password(&password))
        .await
        .map_err(|e| ApiError::internal("password hashing", e))
}

async fn verify_password(hash: Option<String>, password: String) -> ApiResult<bool> {
    let password = Zeroizing::new(password);
    tokio::task::spawn_blocking(move || match hash {
        Some(hash) => secrets::verify_password(&hash, &password),
        None => {
            // No account (or no password on it): spend the same time, then fail.
            let _ = secrets::verify_password(&secrets::DECOY_HASH, &password);
            false
        }
    })
    .await
    .map_err(|e| ApiError::internal("password verification", e))
}

fn check_email_reply() -> (StatusCode, Json<wire::CheckEmail>) {
    (
        StatusCode::ACCEPTED,
        Json(wire::CheckEmail {
            message: "check your email for a link to continue".into(),
        }),
    )
}

/// `POST /api/v1/accounts`. The password waits beside the emailed token and becomes the account's
/// only when that token, with that password, confirms the address: signing up first with someone
/// else's address (pre-hijacking) leaves no credential on the account its owner then confirms.
pub async fn sign_up(
    State(state): State<Shared>,
    ClientIp(ip): ClientIp,
    Json(body): Json<wire::SignUp>,
) -> ApiResult<(StatusCode, Json<wire::CheckEmail>)> {
    let email = normalize_email(&body.email)?;
    check_password(&body.password, &email)?;
    limits::per_ip(&state, Scope::Email, ip).await?;
    limits::per_account(&state, Scope::Email, &email).await?;
    let password_hash = hash_password(body.password).await?;
    let user = User {
        id: Ulid::generate(),
        email: email.clone(),
        password_hash: None,
        email_verified_at: None,
        totp_secret: None,
        totp_enabled_at: None,
        created_at: now(),
    };
    match state.store.create_user(&user).await {
        Ok(()) => send_verification(&state, user.id, &email, &password_hash).await?,
        Err(StoreError::Conflict(_)) => match state.store.user_by_email(&email).await? {
            // Not confirmed yet (the first email may have been lost, or a stranger signed up with
            // this address): a sign-up of its own, with this password, and the same answer.
            Some(existing) if existing.email_verified_at.is_none() => {
                send_verification(&state, existing.id, &email, &password_hash).await?
            }
            _ => {
                crate::mail::send(
                    &state,
                    Message {
                        to: email,
                        subject: "You already have a Stint account".into(),
                        body: "Someone (perhaps you) tried to sign up for Stint with this address, which already has an account.\n\nSign in instead, or reset your password if you have forgotten it. If this was not you, you can ignore this email.".into(),
                    },
                )
                .await?
            }
        },
        Err(e) => return Err(e.into()),
    }
    Ok(check_email_reply())
}

/// A new single-use `ste_` token for `purpose`, valid `secs` seconds, stored as its hash; the
/// token, to be emailed.
pub(crate) async fn email_token(
    state: &Shared,
    user: Ulid,
    purpose: TokenPurpose,
    secs: i64,
) -> ApiResult<String> {
    let token = new_token("ste_");
    state
        .store
        .create_email_token(&token_hash(&token), user, purpose, now() + secs)
        .await?;
    Ok(token)
}

async fn send_verification(
    state: &Shared,
    user: Ulid,
    email: &str,
    password_hash: &str,
) -> ApiResult<()> {
    let token = new_token("ste_");
    state
        .store
        .create_sign_up(
            &token_hash(&token),
            user,
            password_hash,
            now() + VERIFY_EMAIL_SECS,
        )
        .await?;
    crate::mail::send(
        state,
        Message {
            to: email.to_owned(),
            subject: "Confirm your email for Stint".into(),
            body: format!(
                "Welcome to Stint.\n\nConfirm this address by opening\n\n  {}/verify-email#{token}\n\nor by entering this code in the app:\n\n  {token}\n\nYou will be asked for the password you chose when you signed up. The link works once, for 24 hours. If you did not sign up, ignore this email: without that password, nobody can use it.",
                state.config.public_url.trim_end_matches('/')
            ),
        },
    )
    .await
}

/// `POST /api/v1/accounts/verify`: the emailed token and the password chosen at that sign-up.
pub async fn verify_email(
    State(state): State<Shared>,
    ClientIp(ip): ClientIp,
    Json(body): Json<wire::VerifyEmail>,
) -> ApiResult<Json<wire::EmailVerified>> {
    limits::per_ip(&state, Scope::Auth, ip).await?;
    if body.password.len() > 4096 {
        return Err(wrong_sign_up_password());
    }
    let passkey_name = body
        .passkey
        .as_deref()
        .map(crate::passkeys::check_name)
        .transpose()?;
    let hash = token_hash(&body.token);
    let (user_id, pending) = state
        .store
        .sign_up_by_token(&hash, now())
        .await?
        .ok_or_else(invalid_token)?;
    let user = state.store.user(user_id).await?.ok_or_else(invalid_token)?;
    // A sign-up from before passwords waited beside their tokens keeps the account's own.
    let expected = pending.clone().or(user.password_hash);
    let lock = limits::lock_key(&state, &user.email, ip);
    limits::ensure_unlocked(&state, &lock).await?;
    if !verify_password(expected, body.password).await? {
        limits::failed(&state, &lock).await?;
        return Err(wrong_sign_up_password());
    }
    if !state
        .store
        .confirm_sign_up(&hash, user_id, pending.as_deref(), now())
        .await?
    {
        return Err(invalid_token());
    }
    limits::succeeded(&state, &lock).await?;
    let passkey = match passkey_name {
        Some(name) => crate::passkeys::start_at_sign_up(&state, user_id, name).await?,
        None => None,
    };
    Ok(Json(wire::EmailVerified {
        message: "your email address is confirmed; you can sign in".into(),
        passkey,
    }))
}

fn wrong_sign_up_password() -> ApiError {
    ApiError::new(
        StatusCode::UNAUTHORIZED,
        "invalid_credentials",
        "this is not the password chosen when this sign-up was made: use the link from your own sign-up, or sign up again",
    )
}

pub(crate) fn invalid_token() -> ApiError {
    ApiError::new(
        StatusCode::BAD_REQUEST,
        "invalid_token",
        "this link or code is not valid: it may have been used already or have expired",
    )
}

/// `POST /api/v1/sessions`
pub async fn sign_in(
    State(state): State<Shared>,
    ClientIp(ip): ClientIp,
    Json(body): Json<wire::PasswordSignIn>,
) -> ApiResult<Json<wire::SignInReply>> {
    let (user, device) = check_password_step(&state, ip, body).await?;
    if user.totp_enabled_at.is_some() {
        let challenge = new_token("stc_");
        state
            .store
            .create_challenge(
                &token_hash(&challenge),
                user.id,
                &device,
                now() + CHALLENGE_SECS,
            )
            .await?;
        return Ok(Json(wire::SignInReply::SecondFactor { challenge }));
    }
    // A leaked password alone must not sign anyone in, whether or not the request says it comes
    // from this server's page (any script can say so): the owner's inbox is the second proof.
    let challenge = email_code_challenge(&state, &user, &device, "in a web browser").await?;
    Ok(Json(wire::SignInReply::EmailCode { challenge }))
}

/// The first step of every password sign-in: the device name, rate limits and lockout, the
/// password (or the decoy hash's cost without an account), and a confirmed email.
async fn check_password_step(
    state: &Shared,
    ip: IpAddr,
    body: wire::PasswordSignIn,
) -> ApiResult<(User, String)> {
    let device = check_device(&body.device)?;
    if body.password.len() > 4096 {
        return Err(wrong_credentials());
    }
    limits::per_ip(state, Scope::Auth, ip).await?;
    // A malformed address cannot have an account; it is still counted and costs the same.
    let email = normalize_email(&body.email).unwrap_or_else(|_| body.email.trim().to_lowercase());
    limits::per_account(state, Scope::Auth, &email).await?;
    let lock = limits::lock_key(state, &email, ip);
    limits::ensure_unlocked(state, &lock).await?;

    let user = state.store.user_by_email(&email).await?;
    let hash = match &user {
        // An address not yet confirmed has no password of its own: its newest sign-up's, to say
        // "confirm first" to the person who made it (and to no one else).
        Some(u) if u.email_verified_at.is_none() => {
            match state.store.newest_sign_up(u.id, now()).await? {
                Some(pending) => Some(pending),
                None => u.password_hash.clone(),
            }
        }
        Some(u) => u.password_hash.clone(),
        None => None,
    };
    if !verify_password(hash, body.password).await? {
        limits::failed(state, &lock).await?;
        return Err(wrong_credentials());
    }
    // Only an account's own hash can verify, so there is one; refuse rather than assume.
    let Some(user) = user else {
        return Err(wrong_credentials());
    };
    limits::succeeded(state, &lock).await?;
    if user.email_verified_at.is_none() {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "email_not_verified",
            "confirm your email address first: open the link we sent you",
        ));
    }
    Ok((user, device))
}

/// `POST /api/v1/cli/sign-in`: the CLI's programmatic sign-in. A right password is not enough: a
/// one-time code goes to the account's email, so a leaked password alone cannot mint a CLI session
/// (and the owner hears of the attempt).
pub async fn cli_sign_in(
    State(state): State<Shared>,
    ClientIp(ip): ClientIp,
    Json(body): Json<wire::CliSignIn>,
) -> ApiResult<(StatusCode, Json<wire::CliChallenge>)> {
    let (user, device) = check_password_step(&state, ip, body).await?;
    let challenge = email_code_challenge(&state, &user, &device, "from the command line").await?;
    Ok((
        StatusCode::ACCEPTED,
        Json(wire::CliChallenge {
            challenge,
            second_factor: user.totp_enabled_at.is_some(),
            message: "we emailed you a sign-in code; enter it to finish signing in".into(),
        }),
    ))
}

/// After a right password: a challenge, and an eight-digit code bound to it emailed to the account
/// (naming the device and where the sign-in came from).
async fn email_code_challenge(
    state: &Shared,
    user: &User,
    device: &str,
    from: &str,
) -> ApiResult<String> {
    limits::per_account(state, Scope::Email, &user.email).await?;
    let challenge = new_token("stc_");
    let hash = token_hash(&challenge);
    let code = email_code();
    state
        .store
        .create_code_challenge(
            &hash,
            user.id,
            device,
            &email_code_tag(state, &hash, &code),
            now() + EMAIL_CODE_SECS,
        )
        .await?;
    crate::mail::send(
        state,
        Message {
            to: user.email.clone(),
            subject: "Your Stint sign-in code".into(),
            body: format!(
                "Someone (perhaps you) entered your password to sign in to Stint {from}, on a device named \"{device}\".\n\nTo finish signing in, enter this code:\n\n  {} {}\n\nIt works once, for ten minutes. If this was not you, do not share the code: change your password, since whoever tried knows it.",
                &code[..4],
                &code[4..]
            ),
        },
    )
    .await?;
    Ok(challenge)
}

/// `POST /api/v1/sessions/email-code` (and `/api/v1/cli/sign-in/confirm`): the emailed code (five
/// tries per challenge), and the second factor if the account has one, give a session.
pub async fn confirm_email_code(
    State(state): State<Shared>,
    ClientIp(ip): ClientIp,
    Json(body): Json<wire::CliConfirm>,
) -> ApiResult<Json<wire::SessionGrant>> {
    limits::per_ip(&state, Scope::Auth, ip).await?;
    let hash = token_hash(&body.challenge);
    let (user_id, device, tag) = state
        .store
        .try_code_challenge(&hash, now(), EMAIL_CODE_TRIES)
        .await?
        .ok_or_else(|| {
            ApiError::new(
                StatusCode::UNAUTHORIZED,
                "invalid_challenge",
                "this sign-in has expired or had too many wrong codes; start again",
            )
        })?;
    let (user, lock) = unlocked_user(&state, user_id, ip).await?;
    let typed: String = body
        .email_code
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .take(64)
        .collect();
    let expected = tag.as_bytes();
    let email_ok = bool::from(
        email_code_tag(&state, &hash, &typed)
            .as_bytes()
            .ct_eq(expected),
    );
    let factor_ok = match (&user.totp_enabled_at, &body.code, &body.recovery_code) {
        (None, None, None) => true,
        (None, _, _) => {
            return Err(ApiError::invalid(
                "this account has no two-factor sign-in: send only the emailed code",
            ));
        }
        (Some(_), None, None) => {
            return Err(ApiError::invalid(
                "this account has two-factor sign-in: send a code from your authenticator app or a recovery code as well",
            ));
        }
        (Some(_), code, recovery) => {
            email_ok
                && check_second_factor(
                    &state,
                    &user,
                    &wire::FreshFactor {
                        code: code.clone(),
                        recovery_code: recovery.clone(),
                    },
                )
                .await?
        }
    };
    if !(email_ok && factor_ok) {
        limits::failed(&state, &lock).await?;
        return Err(wrong_code());
    }
    if !state.store.finish_code_challenge(&hash).await? {
        // Another request finished this sign-in first.
        return Err(ApiError::unauthorized());
    }
    limits::succeeded(&state, &lock).await?;
    Ok(Json(start_session(&state, user.id, device).await?))
}

/// The account a sign-in step is for and its lockout key; refused while it is locked out.
async fn unlocked_user(state: &Shared, id: Ulid, ip: IpAddr) -> ApiResult<(User, String)> {
    let user = state
        .store
        .user(id)
        .await?
        .ok_or_else(ApiError::unauthorized)?;
    let lock = limits::lock_key(state, &user.email, ip);
    limits::ensure_unlocked(state, &lock).await?;
    Ok((user, lock))
}

/// Eight random digits.
fn email_code() -> String {
    let n = u64::from_le_bytes(secrets::random_bytes::<8>()) % 100_000_000;
    format!("{n:08}")
}

/// An emailed code as stored: keyed by the server key and bound to its challenge, so neither a
/// database copy nor another challenge can test guesses.
fn email_code_tag(state: &Shared, challenge_hash: &[u8], code: &str) -> String {
    let mut value = challenge_hash.to_vec();
    value.extend_from_slice(code.as_bytes());
    state.key.tag("cli sign-in email code", &value)
}

fn wrong_credentials() -> ApiError {
    ApiError::new(
        StatusCode::UNAUTHORIZED,
        "invalid_credentials",
        "the email address or password is wrong",
    )
}

pub(crate) async fn start_session(
    state: &Shared,
    user: Ulid,
    device: String,
) -> ApiResult<wire::SessionGrant> {
    let token = new_token("sts_");
    let now = now();
    let session = Session {
        id: crate::store::ordered_id(),
        user,
        device,
        created_at: now,
        last_seen_at: now,
        expires_at: now + SESSION_SECS,
    };
    state
        .store
        .create_session(&session, &token_hash(&token))
        .await?;
    Ok(wire::SessionGrant {
        session: session.id,
        token,
        expires_at: session.expires_at,
    })
}

/// `POST /api/v1/sessions/second-factor`
pub async fn second_factor(
    State(state): State<Shared>,
    ClientIp(ip): ClientIp,
    Json(body): Json<wire::SecondFactor>,
) -> ApiResult<Json<wire::SignInReply>> {
    limits::per_ip(&state, Scope::Auth, ip).await?;
    let hash = token_hash(&body.challenge);
    let (user_id, device) = state.store.challenge(&hash, now()).await?.ok_or_else(|| {
        ApiError::new(
            StatusCode::UNAUTHORIZED,
            "invalid_challenge",
            "this sign-in has expired; enter your password again",
        )
    })?;
    let (user, lock) = unlocked_user(&state, user_id, ip).await?;
    let factor = wire::FreshFactor {
        code: body.code,
        recovery_code: body.recovery_code,
    };
    if !check_second_factor(&state, &user, &factor).await? {
        limits::failed(&state, &lock).await?;
        return Err(wrong_code());
    }
    if !state.store.finish_challenge(&hash).await? {
        // Another request finished this sign-in first.
        return Err(ApiError::unauthorized());
    }
    limits::succeeded(&state, &lock).await?;
    Ok(Json(wire::SignInReply::SignedIn(
        start_session(&state, user.id, device).await?,
    )))
}

fn wrong_code() -> ApiError {
    ApiError::new(
        StatusCode::UNAUTHORIZED,
        "invalid_code",
        "that code is not right (or was used already)",
    )
}

/// Exactly one of a current TOTP code (each time step accepted once) or an unused recovery code.
async fn check_second_factor(
    state: &Shared,
    user: &User,
    factor: &wire::FreshFactor,
) -> ApiResult<bool> {
    match (&factor.code, &factor.recovery_code) {
        (Some(code), None) => {
            let Some(step) = totp_step(state, user, code)? else {
                return Ok(false);
            };
            Ok(state.store.accept_totp_step(user.id, step).await?)
        }
        (None, Some(recovery)) => {
            let stored = secrets::stored_recovery_code(&state.key, user.id, recovery);
            Ok(state
                .store
                .use_recovery_code(user.id, &stored, now())
                .await?)
        }
        _ => Err(ApiError::invalid(
            "send either a code from your authenticator app or a recovery code",
        )),
    }
}

fn totp_context(user: Ulid) -> Vec<u8> {
    format!("stint-server totp v1 {user}").into_bytes()
}

/// The time step a code matches (now, or one step either side), without consuming it.
fn totp_step(state: &Shared, user: &User, code: &str) -> ApiResult<Option<i64>> {
    let sealed = user
        .totp_secret
        .as_deref()
        .ok_or_else(|| ApiError::invalid("two-factor sign-in is not set up for this account"))?;
    let secret = state
        .key
        .open(&totp_context(user.id), sealed)
        .ok_or_else(|| ApiError::internal("totp secret", "does not open under the server key"))?;
    let totp = secrets::totp(&secret, &user.email).map_err(|e| ApiError::internal("totp", e))?;
    let code: String = code.chars().filter(|c| !c.is_whitespace()).collect();
    let now = u64::try_from(now()).unwrap_or(0);
    Ok(totp
        .check(&code, now)
        .and_then(|step| i64::try_from(step).ok()))
}

/// `GET /api/v1/account`
pub async fn account(
    State(state): State<Shared>,
    authed: Authed,
) -> ApiResult<Json<wire::Account>> {
    let user = state
        .store
        .user(authed.user)
        .await?
        .ok_or_else(ApiError::unauthorized)?;
    Ok(Json(wire::Account {
        id: user.id,
        email: user.email,
        email_verified: user.email_verified_at.is_some(),
        has_password: user.password_hash.is_some(),
        totp_enabled: user.totp_enabled_at.is_some(),
        passkeys: u32::try_from(state.store.passkeys(user.id).await?.len()).unwrap_or(u32::MAX),
        recovery_codes_left: state.store.recovery_codes_left(user.id).await?,
        created_at: user.created_at,
    }))
}

/// `POST /api/v1/account/totp`: a new secret, active once confirmed.
pub async fn start_totp(
    State(state): State<Shared>,
    authed: Authed,
) -> ApiResult<Json<wire::TotpEnrollment>> {
    authed.require_recent_proof(&state).await?;
    let user = state
        .store
        .user(authed.user)
        .await?
        .ok_or_else(ApiError::unauthorized)?;
    if user.totp_enabled_at.is_some() {
        return Err(totp_already_on());
    }
    let secret = Zeroizing::new(secrets::random_bytes::<20>());
    let totp =
        secrets::totp(secret.as_slice(), &user.email).map_err(|e| ApiError::internal("totp", e))?;
    let uri = totp
        .to_url()
        .map_err(|e| ApiError::internal("totp uri", e))?;
    let qr = qrcode::QrCode::new(uri.as_bytes()).map_err(|e| ApiError::internal("qr code", e))?;
    let qr_svg = qr
        .render::<qrcode::render::svg::Color>()
        .min_dimensions(200, 200)
        .quiet_zone(true)
        .build();
    match state
        .store
        .set_pending_totp(
            user.id,
            &state.key.seal(&totp_context(user.id), secret.as_slice()),
        )
        .await
    {
        Ok(()) => {}
        Err(StoreError::Conflict(_)) => return Err(totp_already_on()),
        Err(e) => return Err(e.into()),
    }
    Ok(Json(wire::TotpEnrollment {
        secret: totp.secret().to_base32(),
        otpauth_uri: uri,
        qr_svg,
    }))
}

fn totp_already_on() -> ApiError {
    ApiError::conflict(
        "totp_enabled",
        "two-factor sign-in is already on; turn it off first to set up a new authenticator",
    )
}

/// `POST /api/v1/account/totp/confirm`: a code from the new secret turns it on; ten recovery codes
/// are shown once.
pub async fn confirm_totp(
    State(state): State<Shared>,
    ClientIp(ip): ClientIp,
    authed: Authed,
    Json(body): Json<wire::TotpCode>,
) -> ApiResult<Json<wire::RecoveryCodes>> {
    limits::per_ip(&state, Scope::Auth, ip).await?;
    authed.require_recent_proof(&state).await?;
    let user = state
        .store
        .user(authed.user)
        .await?
        .ok_or_else(ApiError::unauthorized)?;
    if user.totp_enabled_at.is_some() {
        return Err(totp_already_on());
    }
    if user.totp_secret.is_none() {
        return Err(ApiError::invalid(
            "start setting up two-factor sign-in first",
        ));
    }
    let Some(step) = totp_step(&state, &user, &body.code)? else {
        return Err(wrong_code());
    };
    let codes = secrets::recovery_codes();
    let hashes: Vec<Vec<u8>> = codes
        .iter()
        .map(|c| secrets::stored_recovery_code(&state.key, user.id, c))
        .collect();
    match state.store.enable_totp(user.id, now(), step, &hashes).await {
        Ok(()) => {
            tell_owner(
                &state,
                user.id,
                "Two-factor sign-in is on",
                "Two-factor sign-in was just turned on for your Stint account: signing in now needs a code from your authenticator app (or a recovery code) after the password.",
            )
            .await?;
            Ok(Json(wire::RecoveryCodes { codes }))
        }
        Err(StoreError::Conflict(_)) => Err(totp_already_on()),
        Err(e) => Err(e.into()),
    }
}

/// `POST /api/v1/account/totp/disable`: needs a fresh second factor, not just the session.
pub async fn disable_totp(
    State(state): State<Shared>,
    ClientIp(ip): ClientIp,
    authed: Authed,
    Json(body): Json<wire::FreshFactor>,
) -> ApiResult<StatusCode> {
    limits::per_ip(&state, Scope::Auth, ip).await?;
    authed.require_recent_proof(&state).await?;
    let user = state
        .store
        .user(authed.user)
        .await?
        .ok_or_else(ApiError::unauthorized)?;
    if user.totp_enabled_at.is_none() {
        return Err(ApiError::conflict(
            "totp_not_enabled",
            "two-factor sign-in is not on",
        ));
    }
    let lock = limits::lock_key(&state, &user.email, ip);
    limits::ensure_unlocked(&state, &lock).await?;
    if !check_second_factor(&state, &user, &body).await? {
        limits::failed(&state, &lock).await?;
        return Err(wrong_code());
    }
    limits::succeeded(&state, &lock).await?;
    state.store.disable_totp(user.id).await?;
    tell_owner(
        &state,
        user.id,
        "Two-factor sign-in is off",
        "Two-factor sign-in was just turned off for your Stint account: signing in with the password now needs only a code we email you.",
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `GET /api/v1/sessions`
pub async fn list_sessions(
    State(state): State<Shared>,
    authed: Authed,
) -> ApiResult<Json<Vec<wire::SessionInfo>>> {
    let sessions = state.store.sessions(authed.user, now()).await?;
    Ok(Json(
        sessions
            .into_iter()
            .map(|s| wire::SessionInfo {
                current: s.id == authed.session,
                id: s.id,
                device: s.device,
                created_at: s.created_at,
                last_seen_at: s.last_seen_at,
                expires_at: s.expires_at,
            })
            .collect(),
    ))
}

/// `DELETE /api/v1/sessions/{id}`: ends one of the caller's own sessions.
pub async fn revoke_session(
    State(state): State<Shared>,
    authed: Authed,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    let id: Ulid = id.parse().map_err(|_| ApiError::not_found("session"))?;
    if state.store.revoke_session(authed.user, id, now()).await? {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(ApiError::not_found("session"))
    }
}

/// `DELETE /api/v1/sessions/current`: sign out.
pub async fn sign_out(State(state): State<Shared>, authed: Authed) -> ApiResult<StatusCode> {
    state
        .store
        .revoke_session(authed.user, authed.session, now())
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `POST /api/v1/sessions/current/step-up`: the password again (and the second factor where
/// two-factor sign-in is on) lets this session make sensitive changes for the next few minutes.
/// Same limits and lockout as signing in. A passkey-only account signs in again instead.
pub async fn step_up(
    State(state): State<Shared>,
    ClientIp(ip): ClientIp,
    authed: Authed,
    Json(body): Json<wire::StepUp>,
) -> ApiResult<StatusCode> {
    limits::per_ip(&state, Scope::Auth, ip).await?;
    let (user, lock) = unlocked_user(&state, authed.user, ip).await?;
    if user.password_hash.is_none() {
        return Err(ApiError::invalid(
            "this account has no password: sign in again with your passkey",
        ));
    }
    if body.password.len() > 4096
        || !verify_password(user.password_hash.clone(), body.password).await?
    {
        limits::failed(&state, &lock).await?;
        return Err(wrong_credentials());
    }
    if user.totp_enabled_at.is_some() {
        let factor = wire::FreshFactor {
            code: body.code,
            recovery_code: body.recovery_code,
        };
        if !check_second_factor(&state, &user, &factor).await? {
            limits::failed(&state, &lock).await?;
            return Err(wrong_code());
        }
    } else if body.code.is_some() || body.recovery_code.is_some() {
        return Err(ApiError::invalid(
            "this account has no two-factor sign-in: send only the password",
        ));
    }
    limits::succeeded(&state, &lock).await?;
    state.store.prove_session(authed.session, now()).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Tells the account's owner by email that `what` just happened, and what to do if it was not them.
pub(crate) async fn tell_owner(
    state: &Shared,
    user: Ulid,
    subject: &str,
    what: &str,
) -> ApiResult<()> {
    let Some(user) = state.store.user(user).await? else {
        return Ok(());
    };
    crate::mail::send(
        state,
        Message {
            to: user.email,
            subject: subject.to_owned(),
            body: format!("{what}\n\n{}", review_access(&state.config.public_url)),
        },
    )
    .await
}

/// What to do when something happened that the owner did not do.
fn review_access(public_url: &str) -> String {
    format!(
        "If this was not you, someone can use your account: reset your password at once (that signs every device out), then review the passkeys, sessions and API tokens that reach your account (all are listed at {}/api/v1/account/export, signed in) and remove any you do not recognise.",
        public_url.trim_end_matches('/')
    )
}

/// `POST /api/v1/password/forgot`
pub async fn forgot_password(
    State(state): State<Shared>,
    ClientIp(ip): ClientIp,
    Json(body): Json<wire::ForgotPassword>,
) -> ApiResult<(StatusCode, Json<wire::CheckEmail>)> {
    let email = normalize_email(&body.email)?;
    limits::per_ip(&state, Scope::Email, ip).await?;
    limits::per_account(&state, Scope::Email, &email).await?;
    if let Some(user) = state.store.user_by_email(&email).await?
        && user.email_verified_at.is_some()
    {
        // Off the request path: the answer comes as fast with an account as without one, so its
        // timing does not tell which addresses have one. A failure is logged.
        let state = std::sync::Arc::clone(&state);
        tokio::spawn(async move {
            if let Err(e) = send_reset(&state, user.id, email).await {
                tracing::error!("password reset email not sent: {}", e.code);
            }
        });
    }
    Ok(check_email_reply())
}

async fn send_reset(state: &Shared, user: Ulid, email: String) -> ApiResult<()> {
    let token = email_token(
        state,
        user,
        TokenPurpose::ResetPassword,
        RESET_PASSWORD_SECS,
    )
    .await?;
    crate::mail::send(
        state,
        Message {
            to: email,
            subject: "Reset your Stint password".into(),
            body: format!(
                "Someone (perhaps you) asked to reset the password of your Stint account.\n\nChoose a new one at\n\n  {0}/reset-password#{token}\n\nor enter this code in the app:\n\n  {token}\n\nThe link works once, for one hour, and signs out every device. If you did not ask for this, ignore this email.\n\nResetting after a break-in? A new password does not remove passkeys or API tokens someone else may have added: once signed in again, review the passkeys, sessions and API tokens that reach your account (all are listed at {0}/api/v1/account/export, signed in) and remove any you do not recognise.",
                state.config.public_url.trim_end_matches('/')
            ),
        },
    )
    .await
}

/// `POST /api/v1/password/reset`: a new password; every session of the account ends.
pub async fn reset_password(
    State(state): State<Shared>,
    ClientIp(ip): ClientIp,
    Json(body): Json<wire::ResetPassword>,
) -> ApiResult<StatusCode> {
    limits::per_ip(&state, Scope::Auth, ip).await?;
    // Check the password's shape before using up the token, so a too-short one can be retried.
    check_password(&body.password, "")?;
    let user_id = state
        .store
        .take_email_token(&token_hash(&body.token), TokenPurpose::ResetPassword, now())
        .await?
        .ok_or_else(invalid_token)?;
    let user = state.store.user(user_id).await?.ok_or_else(invalid_token)?;
    check_password(&body.password, &user.email)?;
    let hash = hash_password(body.password).await?;
    state.store.set_password(user.id, &hash).await?;
    state.store.revoke_sessions(user.id, now()).await?;
    state
        .store
        .clear_failures(&limits::lock_key(&state, &user.email, ip))
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
