//! Organization keys and the people who may hold them (docs/sync.md, "Joining a team"): key
//! deliveries (docs/formats.md, "Key delivery"), pending members and their confirmation, and the
//! directory of members' identities and devices.
//!
//! The server can open none of the keys it keeps. What it checks is who handed a key to whom: each
//! delivery must be signed by the identity of the account that uploads it, and a confirmation must
//! hand a newcomer exactly the newest key of each compartment their role may read. The devices
//! check the same signatures again; the server's checks only keep what it stores tidy.

use std::collections::{BTreeSet, HashMap};

use axum::extract::State;
use axum::http::StatusCode;
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use stint_crypto::{KEY_DELIVERY_VERSION, KeyDelivery};
use stint_domain::{Action, Compartment, Role, Target, readable_compartments};
use stint_protocol as wire;
use ulid::Ulid;

use crate::app::{Shared, now};
use crate::error::{ApiError, ApiResult, Json, Path};
use crate::orgs::{Allowed, InOrg, ManageMembersAndViewers, Via};
use crate::store::StoreError;
use crate::store::sync::SealedKey;
use crate::sync::{decode, device_info, identity_key};

/// Most key deliveries in one request.
pub const MAX_DELIVERIES: usize = 16;

fn session_required(what: &str) -> ApiError {
    ApiError::new(
        StatusCode::FORBIDDEN,
        "session_required",
        format!("{what} needs an enrolled device signed in to its account, not an API token"),
    )
}

/// Reads and checks deliveries of `org`'s keys to `recipient`, each signed by `sealer`'s
/// identity.
async fn deliveries(
    state: &Shared,
    org: Ulid,
    recipient: Ulid,
    sealer: Ulid,
    body: &wire::KeyDeliveries,
) -> ApiResult<Vec<SealedKey>> {
    if body.deliveries.len() > MAX_DELIVERIES {
        return Err(ApiError::invalid(format!(
            "send at most {MAX_DELIVERIES} key deliveries"
        )));
    }
    if body.deliveries.is_empty() {
        return Ok(Vec::new());
    }
    let identity = identity_key(state, sealer).await?;
    let refused = |why: String| ApiError::new(StatusCode::BAD_REQUEST, "bad_delivery", why);
    let mut keys: Vec<SealedKey> = Vec::with_capacity(body.deliveries.len());
    for encoded in &body.deliveries {
        let bytes = decode("a delivery", encoded)?;
        let delivery = KeyDelivery::verify(&bytes, &identity).map_err(|e| {
            refused(format!(
                "a key delivery was refused (version {KEY_DELIVERY_VERSION}, signed by your identity): {e}"
            ))
        })?;
        if delivery.org != org.to_bytes()
            || delivery.recipient != recipient.to_bytes()
            || delivery.sealer != sealer.to_bytes()
        {
            return Err(refused(
                "a key delivery names another organization, recipient or sealer than this request"
                    .into(),
            ));
        }
        if Compartment::from_u8(delivery.compartment).is_none() || delivery.epoch == 0 {
            return Err(refused(
                "a key's compartment is 1 (team) or 2 (finance), its epoch at least 1".into(),
            ));
        }
        if keys
            .iter()
            .any(|k| (k.compartment, k.epoch) == (delivery.compartment, delivery.epoch))
        {
            return Err(refused(
                "two deliveries for one compartment and epoch".into(),
            ));
        }
        keys.push(SealedKey {
            compartment: delivery.compartment,
            epoch: delivery.epoch,
            sealed: delivery.sealed,
            sealed_by: sealer,
            signature: bytes[bytes.len() - 64..].to_vec(),
        });
    }
    Ok(keys)
}

/// The delivery's bytes again, from what the store keeps of it.
fn delivery_bytes(org: Ulid, recipient: Ulid, key: &SealedKey) -> Vec<u8> {
    let mut out = Vec::with_capacity(stint_crypto::KEY_DELIVERY_LEN);
    out.push(KEY_DELIVERY_VERSION);
    out.extend_from_slice(&org.to_bytes());
    out.extend_from_slice(&recipient.to_bytes());
    out.push(key.compartment);
    out.extend_from_slice(&key.epoch.to_be_bytes());
    out.extend_from_slice(&key.sealed_by.to_bytes());
    out.extend_from_slice(&key.sealed);
    out.extend_from_slice(&key.signature);
    out
}

/// `PUT /api/v1/orgs/{org}/keys`: the caller's organization keys, delivered to their own identity
/// by it, for their other devices. A slot keeps the first delivery stored in it (`409 key_exists`
/// for another), except an unsigned key from before deliveries, which the member's own delivery
/// replaces.
pub async fn put_keys(
    State(state): State<Shared>,
    in_org: InOrg,
    Json(body): Json<wire::KeyDeliveries>,
) -> ApiResult<StatusCode> {
    let Via::Session(_) = in_org.via else {
        return Err(session_required("storing keys"));
    };
    if body.deliveries.is_empty() {
        return Err(ApiError::invalid(format!(
            "send 1 to {MAX_DELIVERIES} key deliveries"
        )));
    }
    let keys = deliveries(&state, in_org.org.id, in_org.user, in_org.user, &body).await?;
    let readable = readable_compartments(in_org.actor.role);
    if let Some(k) = keys
        .iter()
        .find(|k| !readable.iter().any(|c| *c as u8 == k.compartment))
    {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "forbidden",
            format!(
                "{} holds no key of the {} compartment",
                in_org.actor.role.with_article(),
                Compartment::from_u8(k.compartment).map_or("?", Compartment::name)
            ),
        ));
    }
    match state
        .store
        .put_sealed_keys(in_org.org.id, in_org.user, &keys, now())
        .await
    {
        Ok(()) => Ok(StatusCode::NO_CONTENT),
        Err(StoreError::Conflict(_)) => Err(ApiError::conflict(
            "key_exists",
            "another key is stored for this compartment and epoch already",
        )),
        Err(e) => Err(e.into()),
    }
}

/// `GET /api/v1/orgs/{org}/keys`: the organization keys delivered to the caller.
pub async fn keys(
    State(state): State<Shared>,
    in_org: InOrg,
) -> ApiResult<Json<wire::KeyDeliveries>> {
    let keys = state.store.sealed_keys(in_org.org.id, in_org.user).await?;
    let readable = readable_compartments(in_org.actor.role);
    Ok(Json(wire::KeyDeliveries {
        deliveries: keys
            .iter()
            .filter(|k| readable.iter().any(|c| *c as u8 == k.compartment))
            .map(|k| B64.encode(delivery_bytes(in_org.org.id, in_org.user, k)))
            .collect(),
    }))
}

/// Published identities (base64) of some accounts, where they have one.
pub(crate) async fn identities(state: &Shared, users: &[Ulid]) -> ApiResult<HashMap<Ulid, String>> {
    Ok(state
        .store
        .identity_keys(users)
        .await?
        .into_iter()
        .map(|(user, public)| (user, B64.encode(public)))
        .collect())
}

/// Email addresses of some accounts.
pub(crate) async fn emails(state: &Shared, users: &[Ulid]) -> ApiResult<HashMap<Ulid, String>> {
    Ok(state
        .store
        .users(users)
        .await?
        .into_iter()
        .map(|u| (u.id, u.email))
        .collect())
}

/// `GET /api/v1/orgs/{org}/members/pending`: who accepted an invitation and waits to be
/// confirmed, with the identity whose fingerprint the confirming person compares.
pub async fn pending(
    State(state): State<Shared>,
    Allowed(in_org, _): Allowed<ManageMembersAndViewers>,
) -> ApiResult<Json<Vec<wire::PendingMemberInfo>>> {
    let pending = state.store.pending_members(in_org.org.id).await?;
    let users: Vec<Ulid> = pending.iter().map(|p| p.user).collect();
    let (emails, identities) = (
        emails(&state, &users).await?,
        identities(&state, &users).await?,
    );
    Ok(Json(
        pending
            .into_iter()
            .map(|p| wire::PendingMemberInfo {
                email: emails.get(&p.user).cloned().unwrap_or_default(),
                identity: identities.get(&p.user).cloned(),
                user: p.user,
                role: p.role,
                invited_by: p.invited_by,
                accepted_at: p.accepted_at,
            })
            .collect(),
    ))
}

/// `POST /api/v1/orgs/{org}/members/{user}/confirm`: an Owner or Admin, having compared the
/// newcomer's fingerprint with them, hands over the keys of their role: exactly the newest key of
/// each compartment the role may read that the organization has, each delivered to the newcomer
/// and signed by the confirming person's identity. Checked like inviting with that role. Only
/// then is the newcomer a member.
pub async fn confirm(
    State(state): State<Shared>,
    in_org: InOrg,
    Path((_, user)): Path<(String, String)>,
    Json(body): Json<wire::KeyDeliveries>,
) -> ApiResult<Json<wire::MemberInfo>> {
    let Via::Session(_) = in_org.via else {
        return Err(session_required("confirming a member"));
    };
    let user: Ulid = user
        .parse()
        .map_err(|_| ApiError::not_found("pending member"))?;
    let waiting = state
        .store
        .pending_members(in_org.org.id)
        .await?
        .into_iter()
        .find(|p| p.user == user)
        .ok_or_else(|| ApiError::not_found("pending member"))?;
    stint_domain::authorize(
        &in_org.actor,
        Action::ManageMembersAndViewers,
        &Target::Membership {
            org: in_org.actor.org,
            from: None,
            to: Some(waiting.role),
            last_owner: false,
        },
    )
    .map_err(crate::orgs::forbidden)?;
    if crate::membership::is_logged(&state, in_org.org.id).await? {
        return Err(crate::membership::logged_refusal());
    }
    let keys = deliveries(&state, in_org.org.id, user, in_org.user, &body).await?;
    let readable = readable_compartments(waiting.role);
    let needed: BTreeSet<(u8, u32)> = state
        .store
        .newest_epochs(in_org.org.id)
        .await?
        .into_iter()
        .filter(|(c, _)| readable.iter().any(|r| *r as u8 == *c))
        .collect();
    let given: BTreeSet<(u8, u32)> = keys.iter().map(|k| (k.compartment, k.epoch)).collect();
    if given != needed {
        let names: Vec<String> = needed
            .iter()
            .map(|(c, e)| {
                let name = Compartment::from_u8(*c).map_or("?", Compartment::name);
                format!("{name} (epoch {e})")
            })
            .collect();
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            "wrong_keys",
            format!(
                "confirming {} hands over exactly the newest key of each compartment the role may read: {}",
                waiting.role.with_article(),
                if names.is_empty() {
                    "none, as the organization has no keys yet".to_string()
                } else {
                    names.join(", ")
                }
            ),
        ));
    }
    let at = now();
    match state
        .store
        .confirm_member(in_org.org.id, user, waiting.role, &keys, at)
        .await
    {
        Ok(()) => {}
        Err(StoreError::NotFound(_)) => {
            return Err(ApiError::conflict(
                "changed",
                "this invitation changed meanwhile (confirmed or removed by someone else): reload and try again",
            ));
        }
        Err(e) => return Err(e.into()),
    }
    let email = emails(&state, &[user])
        .await?
        .remove(&user)
        .unwrap_or_default();
    in_org
        .audit(
            &state,
            "member.confirm",
            format!("confirmed {email} as {}", waiting.role),
        )
        .await?;
    Ok(Json(wire::MemberInfo {
        identity: identities(&state, &[user]).await?.remove(&user),
        user,
        email,
        role: waiting.role,
        joined_at: at,
    }))
}

/// `GET /api/v1/orgs/{org}/directory`: every member's published identity and devices, so that a
/// device can check the signatures on what other members wrote. Members without an identity (no
/// device set up for sync) are left out: they have written nothing that travels.
pub async fn directory(
    State(state): State<Shared>,
    in_org: InOrg,
) -> ApiResult<Json<Vec<wire::DirectoryEntry>>> {
    // Three queries whatever the size of the team: every device reads this at every round.
    let members = state.store.members(in_org.org.id).await?;
    let users: Vec<Ulid> = members.iter().map(|m| m.user).collect();
    let mut identities = state.store.identity_keys(&users).await?;
    let mut devices = state.store.devices_of(&users).await?;
    Ok(Json(
        members
            .into_iter()
            .filter_map(|member| {
                let identity = identities.remove(&member.user)?;
                Some(wire::DirectoryEntry {
                    user: member.user,
                    role: member.role,
                    identity: B64.encode(identity),
                    devices: devices
                        .remove(&member.user)
                        .unwrap_or_default()
                        .into_iter()
                        .map(|row| wire::DeviceInfo {
                            last_seen_at: None,
                            ..device_info(row)
                        })
                        .collect(),
                })
            })
            .collect(),
    ))
}

/// Why a signed-in account that is not a member of `org` is refused: waiting to be confirmed, or
/// (the same answer as for an organization that does not exist) nothing.
pub async fn not_a_member(state: &Shared, org: Ulid, user: Ulid) -> ApiError {
    match state.store.org(org).await {
        Ok(Some(_)) => {}
        Ok(None) => return ApiError::not_found("organization"),
        Err(e) => return e.into(),
    }
    match state.store.pending_members(org).await {
        Ok(pending) => match pending.iter().find(|p| p.user == user) {
            Some(p) => pending_refusal(p.role),
            None => ApiError::not_found("organization"),
        },
        Err(e) => e.into(),
    }
}

fn pending_refusal(role: Role) -> ApiError {
    ApiError::new(
        StatusCode::FORBIDDEN,
        "pending",
        format!(
            "you joined as {} and wait to be confirmed: an Owner or Admin compares your fingerprint with you, then confirms you",
            role.with_article()
        ),
    )
}
