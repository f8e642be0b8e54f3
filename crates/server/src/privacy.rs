//! What an account may ask of the server about itself: everything stored about it, as one JSON
//! document; and its deletion, confirmed by email and refused while it is an organization's only
//! owner.

use axum::extract::State;
use axum::http::StatusCode;
use serde_json::{Value, json};
use stint_domain::Role;
use stint_protocol as wire;

use crate::app::{Authed, Shared, now};
use crate::error::{ApiError, ApiResult, Json};
use crate::mail::Message;
use crate::secrets::token_hash;
use crate::store::TokenPurpose;

const DELETE_SECS: i64 = 3600;

/// `GET /api/v1/account/export`: the account, its sessions, passkeys (names and dates), and per
/// organization its role, its API tokens and the audit entries it authored. No secret is in it: the
/// server keeps none it could show.
pub async fn export(State(state): State<Shared>, authed: Authed) -> ApiResult<Json<Value>> {
    let user = state
        .store
        .user(authed.user)
        .await?
        .ok_or_else(ApiError::unauthorized)?;
    let now = now();
    let sessions = state.store.sessions(user.id, now).await?;
    let passkeys = state.store.passkeys(user.id).await?;
    let identity = state.store.identity(user.id).await?;
    let devices = state.store.devices(user.id).await?;
    let mut organizations = Vec::new();
    for (org, role, pending) in state.store.orgs_of(user.id).await? {
        let tokens = state.store.api_tokens(org.id, Some(user.id), now).await?;
        let audit: Vec<Value> = state
            .store
            .audit_log(org.id, i64::MAX)
            .await?
            .into_iter()
            .filter(|e| e.actor == user.id)
            .map(|e| json!({ "at": e.at, "action": e.action, "detail": e.detail, "session": e.session }))
            .collect();
        let member = state.store.member(org.id, user.id).await?;
        organizations.push(json!({
            "id": org.id,
            "name": org.name,
            "role": role,
            "pending": pending,
            "joined_at": member.map(|m| m.joined_at),
            "api_tokens": tokens.iter().map(|t| json!({
                "id": t.id, "name": t.name, "role": t.role, "read_only": t.read_only,
                "created_at": t.created_at, "expires_at": t.expires_at, "last_used_at": t.last_used_at,
            })).collect::<Vec<_>>(),
            "audit_entries_by_you": audit,
        }));
    }
    Ok(Json(json!({
        "exported_at": now,
        "account": {
            "id": user.id,
            "email": user.email,
            "created_at": user.created_at,
            "email_verified_at": user.email_verified_at,
            "has_password": user.password_hash.is_some(),
            "totp_enabled_at": user.totp_enabled_at,
            "recovery_codes_left": state.store.recovery_codes_left(user.id).await?,
        },
        "sessions": sessions.iter().map(|s| json!({
            "id": s.id, "device": s.device, "created_at": s.created_at,
            "last_seen_at": s.last_seen_at, "expires_at": s.expires_at,
        })).collect::<Vec<_>>(),
        "passkeys": passkeys.iter().map(|p| json!({
            "id": p.id, "name": p.name, "created_at": p.created_at, "last_used_at": p.last_used_at,
        })).collect::<Vec<_>>(),
        "organizations": organizations,
        // Sync: the identity and device certificates as stored, in hex (the wrapped keys open
        // only with the recovery key, which the server never sees).
        "identity": identity.map(|i| json!({
            "public": hex::encode(&i.public),
            "wrapped_account_key": hex::encode(&i.wrapped_account_key),
            "wrapped_identity_keys": hex::encode(&i.wrapped_identity_keys),
            "created_at": i.created_at,
        })),
        "devices": devices.iter().map(|d| json!({
            "device": hex::encode(d.device), "certificate": hex::encode(&d.certificate),
            "created_at": d.created_at, "revoked_at": d.revoked_at,
        })).collect::<Vec<_>>(),
    })))
}

/// The organizations this account is the only owner of (deletion waits for them).
async fn sole_ownerships(state: &Shared, user: ulid::Ulid) -> ApiResult<Vec<String>> {
    let mut names = Vec::new();
    for (org, role, pending) in state.store.orgs_of(user).await? {
        if role != Role::Owner || pending {
            continue;
        }
        let owners = state
            .store
            .members(org.id)
            .await?
            .iter()
            .filter(|m| m.role == Role::Owner)
            .count();
        if owners == 1 {
            names.push(org.name);
        }
    }
    Ok(names)
}

fn still_owner(names: &[String]) -> ApiError {
    ApiError::conflict(
        "sole_owner",
        format!(
            "you are the only owner of {}: make someone else owner or delete it first",
            names.join(", ")
        ),
    )
}

/// `POST /api/v1/account/delete`: emails a single-use link (one hour) that deletes the account.
pub async fn request_deletion(
    State(state): State<Shared>,
    authed: Authed,
) -> ApiResult<(StatusCode, Json<wire::CheckEmail>)> {
    let user = state
        .store
        .user(authed.user)
        .await?
        .ok_or_else(ApiError::unauthorized)?;
    let owned = sole_ownerships(&state, user.id).await?;
    if !owned.is_empty() {
        return Err(still_owner(&owned));
    }
    let token =
        crate::accounts::email_token(&state, user.id, TokenPurpose::DeleteAccount, DELETE_SECS)
            .await?;
    crate::mail::send(
        &state,
        Message {
            to: user.email,
            subject: "Confirm deleting your Stint account".into(),
            body: format!(
                "Someone signed in to your Stint account asked to delete it.\n\nTo delete the account and everything this server keeps about it, confirm at\n\n  {}/delete-account#{token}\n\nor enter this code in the app:\n\n  {token}\n\nThe link works once, for one hour. If you did not ask for this, ignore this email and change your password.",
                state.config.public_url.trim_end_matches('/')
            ),
        },
    )
    .await?;
    Ok((
        StatusCode::ACCEPTED,
        Json(wire::CheckEmail {
            message: "check your email to confirm deleting your account".into(),
        }),
    ))
}

/// `POST /api/v1/account/delete/confirm`: with the emailed token, deletes the account: its
/// memberships, its API tokens, then the account with its sessions, passkeys and codes. A last email
/// says it is done.
pub async fn confirm_deletion(
    State(state): State<Shared>,
    Json(body): Json<wire::EmailToken>,
) -> ApiResult<StatusCode> {
    let invalid = crate::accounts::invalid_token;
    let user_id = state
        .store
        .take_email_token(&token_hash(&body.token), TokenPurpose::DeleteAccount, now())
        .await?
        .ok_or_else(invalid)?;
    let user = state.store.user(user_id).await?.ok_or_else(invalid)?;
    let owned = sole_ownerships(&state, user.id).await?;
    if !owned.is_empty() {
        return Err(still_owner(&owned));
    }
    for (org, role, pending) in state.store.orgs_of(user.id).await? {
        // Removal revokes the member's API tokens of the organization with it.
        if pending {
            state.store.remove_pending(org.id, user.id).await?;
        } else {
            state
                .store
                .remove_member(org.id, user.id, role, now())
                .await?;
        }
        state
            .store
            .audit(
                org.id,
                &crate::store::AuditEntry {
                    id: crate::store::ordered_id(),
                    at: now(),
                    actor: user.id,
                    session: None,
                    action: "member.leave".into(),
                    detail: format!("{} deleted their account", user.email),
                },
            )
            .await?;
    }
    state.store.delete_user(user.id).await?;
    crate::mail::send(
        &state,
        Message {
            to: user.email,
            subject: "Your Stint account was deleted".into(),
            body: "Your account and everything this server kept about it have been deleted: sessions, passkeys, second factors and memberships.\n\nData on your own devices is untouched until you remove it.".into(),
        },
    )
    .await?;
    tracing::info!("an account was deleted");
    Ok(StatusCode::NO_CONTENT)
}
