//! Passkeys (WebAuthn, with webauthn-rs): several per account, named and removable; sign-in with a
//! username or without one (a discoverable credential); user verification always required, so a
//! passkey is a whole sign-in on its own. An account may drop its password and be passkey-only.
//!
//! Each ceremony's state waits in the database between its start and finish (single use, five
//! minutes), so any instance sharing the database can finish what another started.

use axum::extract::State;
use axum::http::StatusCode;
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::json;
use stint_protocol as wire;
use ulid::Ulid;
use webauthn_rs::prelude::{
    DiscoverableAuthentication, Passkey, PasskeyAuthentication, PasskeyRegistration,
    PublicKeyCredential, RegisterPublicKeyCredential, Url, Uuid, Webauthn, WebauthnBuilder,
};

use crate::accounts::{normalize_email, start_session};
use crate::app::{Authed, Shared, now};
use crate::error::{ApiError, ApiResult, Json, Path};
use crate::limits::{self, ClientIp, Scope};
use crate::secrets::{new_token, token_hash};
use crate::store::{PasskeyRow, StoreError};

const CEREMONY_SECS: i64 = 5 * 60;

/// The relying party: this server's public address. WebAuthn needs a host name there (an IP
/// address cannot be a relying party id), so a server reached by IP has no passkeys.
pub fn relying_party(public_url: &str) -> Option<Webauthn> {
    let url = Url::parse(public_url).ok()?;
    let host = url.host_str()?;
    if host.parse::<std::net::IpAddr>().is_ok() || host.starts_with('[') {
        return None;
    }
    WebauthnBuilder::new(host, &url)
        .ok()?
        .rp_name("Stint")
        .build()
        .ok()
}

fn webauthn(state: &Shared) -> ApiResult<&Webauthn> {
    state.webauthn.as_ref().ok_or_else(|| {
        ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "passkeys_unavailable",
            "passkeys need this server's public address to be a host name, not an IP address",
        )
    })
}

/// The WebAuthn user handle of an account: its ULID's 128 bits.
fn user_handle(user: Ulid) -> Uuid {
    Uuid::from_bytes(user.to_bytes())
}

fn invalid_passkey() -> ApiError {
    ApiError::new(
        StatusCode::UNAUTHORIZED,
        "invalid_passkey",
        "that passkey was not accepted; try again or sign in another way",
    )
}

fn expired() -> ApiError {
    ApiError::new(
        StatusCode::BAD_REQUEST,
        "ceremony_expired",
        "this passkey request has expired or was already used; start again",
    )
}

/// Ceremony ids name their kind: `stw_r_` registration, `stw_s_` registration as the address is
/// confirmed, `stw_a_` sign-in with a username, `stw_d_` discoverable sign-in.
fn kind_of(ceremony: &str) -> Option<&'static str> {
    match ceremony.get(..6)? {
        "stw_r_" => Some("register"),
        "stw_s_" => Some("sign-up"),
        "stw_a_" => Some("authenticate"),
        "stw_d_" => Some("discover"),
        _ => None,
    }
}

async fn begin(
    state: &Shared,
    prefix: &str,
    kind: &str,
    user: Option<Ulid>,
    saved: serde_json::Value,
) -> ApiResult<String> {
    let ceremony = new_token(prefix);
    state
        .store
        .create_ceremony(
            &token_hash(&ceremony),
            user,
            kind,
            &saved.to_string(),
            now() + CEREMONY_SECS,
        )
        .await?;
    Ok(ceremony)
}

async fn take(
    state: &Shared,
    ceremony: &str,
    expect: &str,
) -> ApiResult<(Option<Ulid>, serde_json::Value)> {
    if kind_of(ceremony) != Some(expect) {
        return Err(expired());
    }
    let (user, saved) = state
        .store
        .take_ceremony(&token_hash(ceremony), expect, now())
        .await?
        .ok_or_else(expired)?;
    let saved =
        serde_json::from_str(&saved).map_err(|e| ApiError::internal("stored ceremony", e))?;
    Ok((user, saved))
}

pub(crate) fn check_name(name: &str) -> ApiResult<String> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 60 || name.chars().any(char::is_control) {
        return Err(ApiError::invalid("name the passkey in 1 to 60 characters"));
    }
    Ok(name.to_owned())
}

fn parse_passkey(row: &PasskeyRow) -> ApiResult<Passkey> {
    serde_json::from_str(&row.passkey).map_err(|e| ApiError::internal("stored passkey", e))
}

fn info(row: &PasskeyRow) -> wire::PasskeyInfo {
    wire::PasskeyInfo {
        id: row.id,
        name: row.name.clone(),
        created_at: row.created_at,
        last_used_at: row.last_used_at,
    }
}

/// `POST /api/v1/passkeys/register/start`: options for `navigator.credentials.create`, asking for
/// a discoverable credential with user verification.
pub async fn register_start(
    State(state): State<Shared>,
    authed: Authed,
    Json(body): Json<wire::PasskeyName>,
) -> ApiResult<Json<wire::CeremonyStart>> {
    let webauthn = webauthn(&state)?;
    authed.require_recent_proof(&state).await?;
    let name = check_name(&body.name)?;
    Ok(Json(
        start_registration(&state, webauthn, authed.user, name, Registering::SignedIn).await?,
    ))
}

/// Who may finish a registration: a signed-in session of the account (`stw_r_`), or the page that
/// just confirmed the account's address with its emailed token and password (`stw_s_`, no session).
#[derive(Clone, Copy)]
enum Registering {
    SignedIn,
    AtSignUp,
}

impl Registering {
    fn prefix_and_kind(self) -> (&'static str, &'static str) {
        match self {
            Registering::SignedIn => ("stw_r_", "register"),
            Registering::AtSignUp => ("stw_s_", "sign-up"),
        }
    }
}

async fn start_registration(
    state: &Shared,
    webauthn: &Webauthn,
    user: Ulid,
    name: String,
    how: Registering,
) -> ApiResult<wire::CeremonyStart> {
    let user = state
        .store
        .user(user)
        .await?
        .ok_or_else(ApiError::unauthorized)?;
    let existing = state.store.passkeys(user.id).await?;
    let exclude = existing
        .iter()
        .map(|row| parse_passkey(row).map(|p| p.cred_id().clone()))
        .collect::<ApiResult<Vec<_>>>()?;
    let (challenge, registration) = webauthn
        .start_passkey_registration(
            user_handle(user.id),
            &user.email,
            &user.email,
            Some(exclude),
        )
        .map_err(|e| ApiError::internal("webauthn registration", e))?;
    let mut options =
        serde_json::to_value(&challenge).map_err(|e| ApiError::internal("webauthn options", e))?;
    // A discoverable ("resident") credential, so that signing in needs no username.
    options["publicKey"]["authenticatorSelection"] = json!({
        "residentKey": "required",
        "requireResidentKey": true,
        "userVerification": "required",
    });
    let (prefix, kind) = how.prefix_and_kind();
    let ceremony = begin(
        state,
        prefix,
        kind,
        Some(user.id),
        json!({ "name": name, "state": registration }),
    )
    .await?;
    Ok(wire::CeremonyStart { ceremony, options })
}

/// The registration ceremony that confirming an address starts when the page asks for a passkey;
/// `None` when this server has no passkeys (reached by IP address). The caller has checked the
/// emailed token, the sign-up's password and the name (with [`check_name`]).
pub(crate) async fn start_at_sign_up(
    state: &Shared,
    user: Ulid,
    name: String,
) -> ApiResult<Option<wire::CeremonyStart>> {
    let Some(webauthn) = state.webauthn.as_ref() else {
        return Ok(None);
    };
    Ok(Some(
        start_registration(state, webauthn, user, name, Registering::AtSignUp).await?,
    ))
}

/// `POST /api/v1/passkeys/register/finish`
pub async fn register_finish(
    State(state): State<Shared>,
    authed: Authed,
    Json(body): Json<wire::PasskeyRegistration>,
) -> ApiResult<(StatusCode, Json<wire::PasskeyInfo>)> {
    let webauthn = webauthn(&state)?;
    authed.require_recent_proof(&state).await?;
    let (user, saved) = take(&state, &body.ceremony, "register").await?;
    if user != Some(authed.user) {
        return Err(expired());
    }
    finish_registration(&state, webauthn, authed.user, saved, body.credential).await
}

/// `POST /api/v1/accounts/verify/passkey`: finishes the ceremony that confirming the address
/// started. The ceremony id is the proof (single use, five minutes, handed only to whoever gave the
/// emailed token and the password), so no session is needed and none is made.
pub async fn sign_up_finish(
    State(state): State<Shared>,
    ClientIp(ip): ClientIp,
    Json(body): Json<wire::PasskeyRegistration>,
) -> ApiResult<(StatusCode, Json<wire::PasskeyInfo>)> {
    limits::per_ip(&state, Scope::Auth, ip).await?;
    let webauthn = webauthn(&state)?;
    let (user, saved) = take(&state, &body.ceremony, "sign-up").await?;
    let user = user.ok_or_else(expired)?;
    finish_registration(&state, webauthn, user, saved, body.credential).await
}

async fn finish_registration(
    state: &Shared,
    webauthn: &Webauthn,
    user: Ulid,
    saved: serde_json::Value,
    credential: serde_json::Value,
) -> ApiResult<(StatusCode, Json<wire::PasskeyInfo>)> {
    let registration: PasskeyRegistration = serde_json::from_value(saved["state"].clone())
        .map_err(|e| ApiError::internal("stored ceremony", e))?;
    let credential: RegisterPublicKeyCredential = serde_json::from_value(credential)
        .map_err(|e| ApiError::invalid(format!("not a WebAuthn registration: {e}")))?;
    let passkey = webauthn
        .finish_passkey_registration(&credential, &registration)
        .map_err(|e| {
            tracing::debug!("passkey registration refused: {e}");
            ApiError::new(
                StatusCode::BAD_REQUEST,
                "invalid_passkey",
                "the authenticator's answer was not accepted; try again",
            )
        })?;
    let row = PasskeyRow {
        id: crate::store::ordered_id(),
        user,
        credential_id: passkey.cred_id().to_vec(),
        name: saved["name"].as_str().unwrap_or("Passkey").to_owned(),
        passkey: serde_json::to_string(&passkey).map_err(|e| ApiError::internal("passkey", e))?,
        created_at: now(),
        last_used_at: None,
    };
    match state.store.add_passkey(&row).await {
        Ok(()) => {
            crate::accounts::tell_owner(
                state,
                user,
                "A passkey was added to your Stint account",
                &format!(
                    "A passkey named \"{}\" was just added to your Stint account: it can sign in without your password.",
                    row.name
                ),
            )
            .await?;
            Ok((StatusCode::CREATED, Json(info(&row))))
        }
        Err(StoreError::Conflict(_)) => Err(ApiError::conflict(
            "passkey_exists",
            "this passkey is already registered",
        )),
        Err(e) => Err(e.into()),
    }
}

/// `GET /api/v1/passkeys`
pub async fn list(
    State(state): State<Shared>,
    authed: Authed,
) -> ApiResult<Json<Vec<wire::PasskeyInfo>>> {
    let rows = state.store.passkeys(authed.user).await?;
    Ok(Json(rows.iter().map(info).collect()))
}

/// `DELETE /api/v1/passkeys/{id}`: a passkey-only account keeps its last one.
pub async fn delete(
    State(state): State<Shared>,
    authed: Authed,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    let id: Ulid = id.parse().map_err(|_| ApiError::not_found("passkey"))?;
    match state.store.delete_passkey(authed.user, id).await {
        Ok(true) => Ok(StatusCode::NO_CONTENT),
        Ok(false) => Err(ApiError::not_found("passkey")),
        Err(StoreError::Conflict(_)) => Err(ApiError::conflict(
            "last_passkey",
            "this is the account's only way to sign in; add another passkey or a password first",
        )),
        Err(e) => Err(e.into()),
    }
}

/// `DELETE /api/v1/account/password`: passkey-only from now on (needs a passkey).
pub async fn remove_password(State(state): State<Shared>, authed: Authed) -> ApiResult<StatusCode> {
    authed.require_recent_proof(&state).await?;
    match state.store.remove_password(authed.user).await {
        Ok(()) => {
            crate::accounts::tell_owner(
                &state,
                authed.user,
                "Your Stint password was removed",
                "The password of your Stint account was just removed: from now on it signs in only with its passkeys.",
            )
            .await?;
            Ok(StatusCode::NO_CONTENT)
        }
        Err(StoreError::NotFound(_)) => Err(ApiError::conflict(
            "no_passkey",
            "register a passkey before removing the password",
        )),
        Err(e) => Err(e.into()),
    }
}

/// `POST /api/v1/passkeys/sign-in/start`: with an email, that account's passkeys; without (or for
/// an address with none), any passkey of this site.
pub async fn sign_in_start(
    State(state): State<Shared>,
    ClientIp(ip): ClientIp,
    Json(body): Json<wire::PasskeySignInStart>,
) -> ApiResult<Json<wire::CeremonyStart>> {
    let webauthn = webauthn(&state)?;
    limits::per_ip(&state, Scope::Auth, ip).await?;
    let mut known = Vec::new();
    let mut user = None;
    let mut decoy_for = None;
    if let Some(email) = &body.email {
        let email = normalize_email(email)?;
        if let Some(account) = state.store.user_by_email(&email).await? {
            for row in state.store.passkeys(account.id).await? {
                known.push(parse_passkey(&row)?);
            }
            user = Some(account.id);
        }
        if known.is_empty() {
            decoy_for = Some(email);
        }
    }
    if !known.is_empty() {
        let (challenge, authentication) = webauthn
            .start_passkey_authentication(&known)
            .map_err(|e| ApiError::internal("webauthn authentication", e))?;
        let options = request_options(&challenge, None)?;
        let ceremony = begin(
            &state,
            "stw_a_",
            "authenticate",
            user,
            json!({ "state": authentication }),
        )
        .await?;
        return Ok(Json(wire::CeremonyStart { ceremony, options }));
    }
    let (challenge, authentication) = webauthn
        .start_discoverable_authentication()
        .map_err(|e| ApiError::internal("webauthn authentication", e))?;
    if let Some(email) = decoy_for {
        // No account, or one without passkeys: answer exactly as for one with passkeys, with
        // credential ids that are stable for the address but belong to no authenticator, and a
        // ceremony that no assertion can finish. The answer does not tell whether the address
        // has an account, or passkeys.
        let options = request_options(&challenge, Some(&decoy_credentials(&state, &email)))?;
        let ceremony = begin(
            &state,
            "stw_a_",
            "authenticate",
            None,
            json!({ "state": authentication }),
        )
        .await?;
        return Ok(Json(wire::CeremonyStart { ceremony, options }));
    }
    let options = request_options(&challenge, Some(&[]))?;
    let ceremony = begin(
        &state,
        "stw_d_",
        "discover",
        None,
        json!({ "state": authentication }),
    )
    .await?;
    Ok(Json(wire::CeremonyStart { ceremony, options }))
}

/// The browser's `navigator.credentials.get` options in one shape whatever the case: the
/// challenge, timeout, relying party and user verification of webauthn-rs, and the allowed
/// credential ids without transport hints (`allow`: these instead of webauthn-rs's). Signing in
/// is from a button, not the browser's autofill, so there is no `mediation`.
fn request_options(
    challenge: &webauthn_rs::prelude::RequestChallengeResponse,
    allow: Option<&[Vec<u8>]>,
) -> ApiResult<serde_json::Value> {
    let public_key = &challenge.public_key;
    let ids: Vec<Vec<u8>> = match allow {
        Some(ids) => ids.to_vec(),
        None => public_key
            .allow_credentials
            .iter()
            .map(|c| c.id.clone())
            .collect(),
    };
    let allow_credentials: Vec<serde_json::Value> = ids
        .iter()
        .map(|id| json!({ "type": "public-key", "id": URL_SAFE_NO_PAD.encode(id) }))
        .collect();
    let user_verification = serde_json::to_value(public_key.user_verification)
        .map_err(|e| ApiError::internal("webauthn options", e))?;
    Ok(json!({
        "publicKey": {
            "challenge": URL_SAFE_NO_PAD.encode(&public_key.challenge),
            "timeout": public_key.timeout,
            "rpId": public_key.rp_id,
            "allowCredentials": allow_credentials,
            "userVerification": user_verification,
        }
    }))
}

/// Byte lengths of credential ids that real authenticators make: platform passkeys (16, 20 or
/// 32 bytes) and security keys (48 or 64, and more).
pub const REAL_CREDENTIAL_ID_LENGTHS: [usize; 5] = [16, 20, 32, 48, 64];

/// One to three credential ids that look like real ones (their lengths drawn from
/// [`REAL_CREDENTIAL_ID_LENGTHS`], their bytes random-looking), fixed for an address by the server
/// key, so that asking twice tells nothing either.
fn decoy_credentials(state: &Shared, email: &str) -> Vec<Vec<u8>> {
    let seed = hex::decode(state.key.tag("passkey decoy", email.as_bytes())).unwrap_or_default();
    let pick = |i: usize| usize::from(seed.get(i).copied().unwrap_or(0));
    let count = 1 + pick(0) % 3;
    (0..count)
        .map(|i| {
            let len = REAL_CREDENTIAL_ID_LENGTHS[pick(1 + i) % REAL_CREDENTIAL_ID_LENGTHS.len()];
            let mut id = Vec::with_capacity(len + 16);
            for block in 0.. {
                if id.len() >= len {
                    break;
                }
                let tag = state.key.tag(
                    "passkey decoy id",
                    format!("{i} {block} {email}").as_bytes(),
                );
                id.extend(hex::decode(tag).unwrap_or_default());
            }
            id.truncate(len);
            id
        })
        .collect()
}

/// `POST /api/v1/passkeys/sign-in/finish`: a session.
pub async fn sign_in_finish(
    State(state): State<Shared>,
    ClientIp(ip): ClientIp,
    Json(body): Json<wire::PasskeySignIn>,
) -> ApiResult<Json<wire::SignInReply>> {
    let webauthn = webauthn(&state)?;
    limits::per_ip(&state, Scope::Auth, ip).await?;
    let device = crate::accounts::check_device(&body.device)?;
    let credential: PublicKeyCredential = serde_json::from_value(body.credential)
        .map_err(|e| ApiError::invalid(format!("not a WebAuthn assertion: {e}")))?;
    let kind = kind_of(&body.ceremony).ok_or_else(expired)?;
    let (user, saved) = take(&state, &body.ceremony, kind).await?;
    let (row, result) = if kind == "authenticate" {
        // A decoy ceremony (an address without passkeys) has no account: refused like a wrong key.
        let user = user.ok_or_else(invalid_passkey)?;
        let authentication: PasskeyAuthentication = serde_json::from_value(saved["state"].clone())
            .map_err(|e| ApiError::internal("stored ceremony", e))?;
        let result = webauthn
            .finish_passkey_authentication(&credential, &authentication)
            .map_err(|e| {
                tracing::debug!("passkey sign-in refused: {e}");
                invalid_passkey()
            })?;
        let row = state
            .store
            .passkey_by_credential(result.cred_id())
            .await?
            .filter(|row| row.user == user)
            .ok_or_else(invalid_passkey)?;
        (row, result)
    } else {
        let authentication: DiscoverableAuthentication =
            serde_json::from_value(saved["state"].clone())
                .map_err(|e| ApiError::internal("stored ceremony", e))?;
        let (handle, credential_id) = webauthn
            .identify_discoverable_authentication(&credential)
            .map_err(|_| invalid_passkey())?;
        let row = state
            .store
            .passkey_by_credential(credential_id)
            .await?
            .filter(|row| user_handle(row.user) == handle)
            .ok_or_else(invalid_passkey)?;
        let passkey = parse_passkey(&row)?;
        let result = webauthn
            .finish_discoverable_authentication_v2(&credential, authentication, &passkey)
            .map_err(|e| {
                tracing::debug!("passkey sign-in refused: {e}");
                invalid_passkey()
            })?;
        (row, result)
    };
    // Keep the signature counter (a cloned authenticator shows up as a counter going backwards,
    // which webauthn-rs refuses above).
    let mut passkey = parse_passkey(&row)?;
    passkey.update_credential(&result);
    let stored = serde_json::to_string(&passkey).map_err(|e| ApiError::internal("passkey", e))?;
    state.store.touch_passkey(row.id, &stored, now()).await?;
    let account = state
        .store
        .user(row.user)
        .await?
        .ok_or_else(invalid_passkey)?;
    if account.email_verified_at.is_none() {
        return Err(invalid_passkey());
    }
    Ok(Json(wire::SignInReply::SignedIn(
        start_session(&state, account.id, device).await?,
    )))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ceremony_ids_name_their_kind() {
        assert_eq!(kind_of(&new_token("stw_r_")), Some("register"));
        assert_eq!(kind_of(&new_token("stw_a_")), Some("authenticate"));
        assert_eq!(kind_of(&new_token("stw_d_")), Some("discover"));
        assert_eq!(kind_of("stw_x_00"), None);
        assert_eq!(kind_of("st"), None);
        assert_eq!(kind_of("ßßßß"), None);
    }

    #[test]
    fn relying_party_needs_a_host_name() {
        assert!(relying_party("http://localhost:7380").is_some());
        assert!(relying_party("https://stint.example.org").is_some());
        assert!(relying_party("http://127.0.0.1:7380").is_none());
        assert!(relying_party("http://[::1]:7380").is_none());
        assert!(relying_party("not a url").is_none());
    }
}
