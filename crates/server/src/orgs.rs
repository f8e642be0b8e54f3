//! Organizations: create, rename, delete, transfer ownership; members and their roles; invitations
//! by email; the audit log.
//!
//! Every rule comes from the domain's role table (`stint_domain::authorize`), applied by extractors
//! before a handler runs: [`InOrg`] resolves the caller's membership of the organization in the path
//! (anyone else gets the same 404 as for an organization that does not exist), and [`Allowed`]
//! checks one action of the table on it. Changes to a membership are checked against that
//! membership itself (which roles it goes from and to, whether it is the last owner).

use std::collections::HashMap;
use std::marker::PhantomData;

use axum::extract::{FromRequestParts, State};
use axum::http::{StatusCode, request::Parts};
use stint_domain::{Action, Actor, Denied, MemberId, OrgId, Role, Target, authorize};
use stint_protocol as wire;
use ulid::Ulid;

use crate::accounts::normalize_email;
use crate::app::{Authed, Shared, now};
use crate::error::{ApiError, ApiResult, Json, Path};
use crate::limits::{self, Scope};
use crate::mail::Message;
use crate::secrets::{new_token, token_hash};
use crate::store::{ApiToken, AuditEntry, Invitation, Org, StoreError};

const INVITATION_SECS: i64 = 7 * 24 * 3600;

fn no_such_org() -> ApiError {
    ApiError::not_found("organization")
}

pub(crate) fn forbidden(denied: Denied) -> ApiError {
    let code = match denied {
        Denied::LastOwner => return ApiError::conflict("last_owner", denied.to_string()),
        _ => "forbidden",
    };
    ApiError::new(StatusCode::FORBIDDEN, code, denied.to_string())
}

/// The caller, as a member of the organization named in the path (`{org}`).
pub struct InOrg {
    pub user: Ulid,
    pub via: Via,
    pub org: Org,
    pub actor: Actor,
}

/// How the caller authenticated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Via {
    Session(Ulid),
    /// An API token of this organization.
    Token(Ulid),
}

impl InOrg {
    fn check(&self, action: Action, target: &Target) -> ApiResult<()> {
        authorize(&self.actor, action, target).map_err(forbidden)
    }

    /// What cannot be undone (deleting or handing over the organization) needs a person signed
    /// in, never an API token, whatever role the token carries.
    fn require_session(&self) -> ApiResult<()> {
        match self.via {
            Via::Session(_) => Ok(()),
            Via::Token(_) => Err(ApiError::new(
                StatusCode::FORBIDDEN,
                "session_required",
                "deleting or handing over an organization needs you signed in, not an API token",
            )),
        }
    }

    fn org_target(&self) -> Target {
        Target::Org {
            org: self.actor.org,
        }
    }

    pub(crate) async fn audit(
        &self,
        state: &Shared,
        action: &str,
        detail: String,
    ) -> ApiResult<()> {
        state
            .store
            .audit(
                self.org.id,
                &AuditEntry {
                    id: crate::store::ordered_id(),
                    at: now(),
                    actor: self.user,
                    session: match self.via {
                        Via::Session(id) => Some(id),
                        Via::Token(_) => None,
                    },
                    action: action.into(),
                    detail,
                },
            )
            .await?;
        Ok(())
    }
}

impl FromRequestParts<Shared> for InOrg {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &Shared) -> ApiResult<InOrg> {
        let axum::extract::Path(params) =
            axum::extract::Path::<HashMap<String, String>>::from_request_parts(parts, state)
                .await
                .map_err(|_| no_such_org())?;
        let id: Option<Ulid> = params.get("org").and_then(|s| s.parse().ok());
        let bearer = crate::app::bearer(parts)?;
        let (user, via, token_role) = if bearer.starts_with("stp_") {
            // An API token names its organization; elsewhere it reaches nothing.
            let token_org = token_org(bearer).ok_or_else(ApiError::unauthorized)?;
            if id != Some(token_org) {
                return Err(no_such_org());
            }
            if state.store.org(token_org).await?.is_none() {
                return Err(ApiError::unauthorized());
            }
            let token = state
                .store
                .api_token(token_org, &token_hash(bearer), now())
                .await?
                .ok_or_else(ApiError::unauthorized)?;
            if token.read_only && !parts.method.is_safe() {
                return Err(ApiError::new(
                    StatusCode::FORBIDDEN,
                    "read_only_token",
                    "this API token may only read",
                ));
            }
            (token.user, Via::Token(token.id), Some(token.role))
        } else {
            let authed = Authed::from_request_parts(parts, state).await?;
            (authed.user, Via::Session(authed.session), None)
        };
        let id = id.ok_or_else(no_such_org)?;
        let org = state.store.org(id).await?.ok_or_else(no_such_org)?;
        // Not a member: the same answer as for an organization that does not exist. A removed
        // member's tokens die with the membership.
        let Some(member) = state.store.member(id, user).await? else {
            return Err(crate::keys::not_a_member(state, id, user).await);
        };
        // A token acts with the lower of its role and its creator's role now.
        let role = token_role.map_or(member.role, |r| r.max(member.role));
        Ok(InOrg {
            user,
            via,
            org,
            actor: Actor {
                member: MemberId(user),
                org: OrgId(id),
                role,
                active: true,
            },
        })
    }
}

/// The organization an API token (`stp_<org>_<secret>`) belongs to.
fn token_org(token: &str) -> Option<Ulid> {
    token
        .strip_prefix("stp_")?
        .split_once('_')
        .and_then(|(org, _)| org.parse().ok())
}

/// One action of the role table, as a type: `Allowed<EditOrgProfile>` in a handler's arguments
/// means the handler runs only for members whose role grants it.
pub trait Act {
    const ACTION: Action;
}

macro_rules! acts {
    ($($name:ident),*) => {$(
        pub struct $name;
        impl Act for $name {
            const ACTION: Action = Action::$name;
        }
    )*};
}
acts!(
    ManageApiTokens,
    ListMembers,
    EditOrgProfile,
    DeleteOrganization,
    TransferOwnership,
    ManageMembersAndViewers,
    ReadAuditLog
);

/// [`InOrg`], with `A`'s action granted on the organization.
pub struct Allowed<A>(pub InOrg, pub PhantomData<A>);

impl<A: Act> FromRequestParts<Shared> for Allowed<A> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &Shared) -> ApiResult<Allowed<A>> {
        let in_org = InOrg::from_request_parts(parts, state).await?;
        in_org.check(A::ACTION, &in_org.org_target())?;
        Ok(Allowed(in_org, PhantomData))
    }
}

fn check_name(name: &str) -> ApiResult<String> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 100 || name.chars().any(char::is_control) {
        return Err(ApiError::invalid(
            "name the organization in 1 to 100 characters",
        ));
    }
    Ok(name.to_owned())
}

fn info(org: &Org, role: Role) -> wire::OrgInfo {
    wire::OrgInfo {
        id: org.id,
        name: org.name.clone(),
        role,
        created_at: org.created_at,
        pending: false,
    }
}

/// `POST /api/v1/orgs`: the caller becomes its first Owner.
pub async fn create(
    State(state): State<Shared>,
    authed: Authed,
    Json(body): Json<wire::NewOrg>,
) -> ApiResult<(StatusCode, Json<wire::OrgInfo>)> {
    let name = check_name(&body.name)?;
    // Each organization is a database file (and a pool) on SQLite: one account must not be able
    // to exhaust the server's files.
    let cap = state.config.limits.orgs_per_account;
    let owned = state
        .store
        .orgs_of(authed.user)
        .await?
        .iter()
        .filter(|(_, role, pending)| *role == Role::Owner && !pending)
        .count();
    if i64::try_from(owned).unwrap_or(i64::MAX) >= cap {
        return Err(ApiError::too_many(
            "organization_limit",
            format!(
                "an account may own at most {cap} organizations on this server: delete one you no longer need, or ask the server's operator"
            ),
            3600,
        ));
    }
    crate::limits::org_creation(&state, authed.user).await?;
    let org = Org {
        id: body.id.unwrap_or_else(Ulid::generate),
        name,
        created_at: now(),
    };
    match state.store.create_org(&org, authed.user).await {
        Ok(()) => {}
        Err(StoreError::Conflict(_)) => {
            return Err(ApiError::conflict(
                "org_exists",
                "an organization with this id exists already",
            ));
        }
        Err(e) => return Err(e.into()),
    }
    let in_org = InOrg {
        user: authed.user,
        via: Via::Session(authed.session),
        org: org.clone(),
        actor: Actor {
            member: MemberId(authed.user),
            org: OrgId(org.id),
            role: Role::Owner,
            active: true,
        },
    };
    in_org
        .audit(
            &state,
            "organization.create",
            format!("created {:?}", org.name),
        )
        .await?;
    Ok((StatusCode::CREATED, Json(info(&org, Role::Owner))))
}

/// `GET /api/v1/orgs`: the caller's organizations.
pub async fn list(
    State(state): State<Shared>,
    authed: Authed,
) -> ApiResult<Json<Vec<wire::OrgInfo>>> {
    let orgs = state.store.orgs_of(authed.user).await?;
    Ok(Json(
        orgs.iter()
            .map(|(org, role, pending)| wire::OrgInfo {
                pending: *pending,
                ..info(org, *role)
            })
            .collect(),
    ))
}

/// `GET /api/v1/orgs/{org}`
pub async fn show(in_org: InOrg) -> Json<wire::OrgInfo> {
    Json(info(&in_org.org, in_org.actor.role))
}

/// `PATCH /api/v1/orgs/{org}`: rename.
pub async fn rename(
    State(state): State<Shared>,
    Allowed(in_org, _): Allowed<EditOrgProfile>,
    Json(body): Json<wire::OrgName>,
) -> ApiResult<Json<wire::OrgInfo>> {
    let name = check_name(&body.name)?;
    state.store.rename_org(in_org.org.id, &name).await?;
    in_org
        .audit(
            &state,
            "organization.rename",
            format!("renamed from {:?} to {name:?}", in_org.org.name),
        )
        .await?;
    let org = Org {
        name,
        ..in_org.org.clone()
    };
    Ok(Json(info(&org, in_org.actor.role)))
}

/// `DELETE /api/v1/orgs/{org}`: the organization and everything stored for it; every owner is
/// told by email.
pub async fn delete(
    State(state): State<Shared>,
    Allowed(in_org, _): Allowed<DeleteOrganization>,
) -> ApiResult<StatusCode> {
    in_org.require_session()?;
    let members = state.store.members(in_org.org.id).await?;
    let owners: Vec<Ulid> = members
        .iter()
        .filter(|m| m.role == Role::Owner)
        .map(|m| m.user)
        .collect();
    let deleted_by = state
        .store
        .user(in_org.user)
        .await?
        .map(|u| u.email)
        .unwrap_or_default();
    state.store.delete_org(in_org.org.id).await?;
    for owner in state.store.users(&owners).await? {
        crate::mail::send(
            &state,
            Message {
                to: owner.email,
                subject: format!("The organization {} was deleted", in_org.org.name),
                body: format!(
                    "{deleted_by} deleted the organization \"{}\" from this Stint server. Everything the server kept for it is gone: its members, invitations and audit log.\n\nCopies on your devices are untouched until you remove them.",
                    in_org.org.name
                ),
            },
        )
        .await?;
    }
    tracing::info!("organization {} deleted", in_org.org.id);
    Ok(StatusCode::NO_CONTENT)
}

/// `POST /api/v1/orgs/{org}/transfer`
pub async fn transfer(
    State(state): State<Shared>,
    Allowed(in_org, _): Allowed<TransferOwnership>,
    Json(body): Json<wire::TransferOwnership>,
) -> ApiResult<StatusCode> {
    in_org.require_session()?;
    if body.to == in_org.user {
        return Err(ApiError::invalid("you are already an owner"));
    }
    if crate::membership::is_logged(&state, in_org.org.id).await? {
        return Err(crate::membership::logged_refusal());
    }
    match state
        .store
        .transfer_ownership(in_org.org.id, in_org.user, body.to)
        .await
    {
        Ok(()) => {}
        Err(StoreError::NotFound(_)) => return Err(ApiError::not_found("member")),
        Err(e) => return Err(e.into()),
    }
    in_org
        .audit(
            &state,
            "organization.transfer",
            format!("made {} the owner", email_of(&state, body.to).await?),
        )
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn email_of(state: &Shared, user: Ulid) -> ApiResult<String> {
    Ok(state
        .store
        .user(user)
        .await?
        .map(|u| u.email)
        .unwrap_or_else(|| user.to_string()))
}

/// `GET /api/v1/orgs/{org}/members`
pub async fn members(
    State(state): State<Shared>,
    Allowed(in_org, _): Allowed<ListMembers>,
) -> ApiResult<Json<Vec<wire::MemberInfo>>> {
    let members = state.store.members(in_org.org.id).await?;
    let ids: Vec<Ulid> = members.iter().map(|m| m.user).collect();
    let emails = crate::keys::emails(&state, &ids).await?;
    let identities = crate::keys::identities(&state, &ids).await?;
    Ok(Json(
        members
            .into_iter()
            .map(|m| wire::MemberInfo {
                email: emails.get(&m.user).cloned().unwrap_or_default(),
                identity: identities.get(&m.user).cloned(),
                user: m.user,
                role: m.role,
                joined_at: m.joined_at,
            })
            .collect(),
    ))
}

/// The membership a change aims at, with whether it is the organization's only owner.
async fn membership_target(
    state: &Shared,
    in_org: &InOrg,
    user: &str,
    to: Option<Role>,
) -> ApiResult<(Ulid, Role, Target)> {
    let user: Ulid = user.parse().map_err(|_| ApiError::not_found("member"))?;
    let members = state.store.members(in_org.org.id).await?;
    let member = members
        .iter()
        .find(|m| m.user == user)
        .ok_or_else(|| ApiError::not_found("member"))?;
    let owners = members.iter().filter(|m| m.role == Role::Owner).count();
    let target = Target::Membership {
        org: in_org.actor.org,
        from: Some(member.role),
        to,
        last_owner: member.role == Role::Owner && owners == 1,
    };
    Ok((user, member.role, target))
}

fn store_refusal(err: StoreError) -> ApiError {
    match err {
        StoreError::LastOwner => forbidden(Denied::LastOwner),
        StoreError::NotFound(what) => ApiError::not_found(what),
        StoreError::Changed(_) => ApiError::conflict(
            "role_changed",
            "this member's role changed meanwhile: reload and try again",
        ),
        other => other.into(),
    }
}

/// `PATCH /api/v1/orgs/{org}/members/{user}`: change a role.
pub async fn change_role(
    State(state): State<Shared>,
    in_org: InOrg,
    Path((_, user)): Path<(String, String)>,
    Json(body): Json<wire::RoleChange>,
) -> ApiResult<Json<wire::MemberInfo>> {
    let (user, from, target) = membership_target(&state, &in_org, &user, Some(body.role)).await?;
    in_org.check(Action::ManageMembersAndViewers, &target)?;
    if crate::membership::is_logged(&state, in_org.org.id).await? {
        return Err(crate::membership::logged_refusal());
    }
    state
        .store
        .set_role(in_org.org.id, user, from, body.role)
        .await
        .map_err(store_refusal)?;
    let email = email_of(&state, user).await?;
    in_org
        .audit(
            &state,
            "member.role",
            format!("{email}: {from} → {}", body.role),
        )
        .await?;
    let member = state
        .store
        .member(in_org.org.id, user)
        .await?
        .ok_or_else(|| ApiError::not_found("member"))?;
    Ok(Json(wire::MemberInfo {
        identity: crate::keys::identities(&state, &[user])
            .await?
            .remove(&user),
        user,
        email,
        role: member.role,
        joined_at: member.joined_at,
    }))
}

/// `DELETE /api/v1/orgs/{org}/members/{user}`: remove someone, or leave (one's own id).
pub async fn remove_member(
    State(state): State<Shared>,
    in_org: InOrg,
    Path((_, user)): Path<(String, String)>,
) -> ApiResult<StatusCode> {
    // Someone still waiting to be confirmed is turned away as their invitation was made.
    if let Ok(id) = user.parse::<Ulid>() {
        let pending = state.store.pending_members(in_org.org.id).await?;
        if let Some(waiting) = pending.iter().find(|p| p.user == id) {
            in_org.check(
                Action::ManageMembersAndViewers,
                &Target::Membership {
                    org: in_org.actor.org,
                    from: None,
                    to: Some(waiting.role),
                    last_owner: false,
                },
            )?;
            state.store.remove_pending(in_org.org.id, id).await?;
            let email = email_of(&state, id).await?;
            in_org
                .audit(
                    &state,
                    "member.turn_away",
                    format!(
                        "turned away {email}, who waited to join as {}",
                        waiting.role
                    ),
                )
                .await?;
            return Ok(StatusCode::NO_CONTENT);
        }
    }
    let (user, role, target) = membership_target(&state, &in_org, &user, None).await?;
    if crate::membership::is_logged(&state, in_org.org.id).await? {
        return Err(crate::membership::logged_refusal());
    }
    let leaving = user == in_org.user;
    if leaving {
        if let Target::Membership {
            last_owner: true, ..
        } = target
        {
            return Err(forbidden(Denied::LastOwner));
        }
    } else {
        in_org.check(Action::ManageMembersAndViewers, &target)?;
    }
    state
        .store
        .remove_member(in_org.org.id, user, role, now())
        .await
        .map_err(store_refusal)?;
    let email = email_of(&state, user).await?;
    let (action, detail) = if leaving {
        ("member.leave", format!("{email} ({role}) left"))
    } else {
        ("member.remove", format!("removed {email} ({role})"))
    };
    in_org.audit(&state, action, detail).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `POST /api/v1/orgs/{org}/invitations`: invite an address with a role (checked like a role
/// change to that role); the link goes by email.
pub async fn invite(
    State(state): State<Shared>,
    in_org: InOrg,
    Json(body): Json<wire::NewInvitation>,
) -> ApiResult<(StatusCode, Json<wire::InvitationInfo>)> {
    let email = normalize_email(&body.email)?;
    in_org.check(
        Action::ManageMembersAndViewers,
        &Target::Membership {
            org: in_org.actor.org,
            from: None,
            to: Some(body.role),
            last_owner: false,
        },
    )?;
    limits::per_account(&state, Scope::Email, &in_org.user.to_string()).await?;
    let now = now();
    let invitation = Invitation {
        id: crate::store::ordered_id(),
        email: email.clone(),
        role: body.role,
        invited_by: in_org.user,
        created_at: now,
        expires_at: now + INVITATION_SECS,
    };
    // The organization is part of the token, so accepting finds it without a global index.
    let token = format!("sti_{}_{}", in_org.org.id, new_token(""));
    state
        .store
        .create_invitation(in_org.org.id, &invitation, &token_hash(&token))
        .await?;
    let inviter = email_of(&state, in_org.user).await?;
    crate::mail::send(
        &state,
        Message {
            to: email.clone(),
            subject: format!("Join {} on Stint", in_org.org.name),
            body: format!(
                "{inviter} invited you to join \"{}\" on Stint as {}.\n\nIn the Stint app, sign in to {server} with this address (or sign up with it first), then paste this code under \"Invited to an organization?\":\n\n  {token}\n\nThis page shows it too:\n\n  {server}/accept-invitation#{token}\n\nIn a terminal: stint org join {token}\n\nThe invitation works once, for 7 days, and only for this address.",
                in_org.org.name,
                body.role.with_article(),
                server = state.config.public_url.trim_end_matches('/')
            ),
        },
    )
    .await?;
    in_org
        .audit(
            &state,
            "member.invite",
            format!("invited {email} as {}", body.role),
        )
        .await?;
    Ok((StatusCode::CREATED, Json(invitation_info(&invitation))))
}

fn invitation_info(i: &Invitation) -> wire::InvitationInfo {
    wire::InvitationInfo {
        id: i.id,
        email: i.email.clone(),
        role: i.role,
        invited_by: i.invited_by,
        created_at: i.created_at,
        expires_at: i.expires_at,
    }
}

/// `GET /api/v1/orgs/{org}/invitations`: the pending ones.
pub async fn invitations(
    State(state): State<Shared>,
    Allowed(in_org, _): Allowed<ManageMembersAndViewers>,
) -> ApiResult<Json<Vec<wire::InvitationInfo>>> {
    let pending = state.store.invitations(in_org.org.id, now()).await?;
    Ok(Json(pending.iter().map(invitation_info).collect()))
}

/// `DELETE /api/v1/orgs/{org}/invitations/{id}`: checked like inviting with that role.
pub async fn revoke_invitation(
    State(state): State<Shared>,
    in_org: InOrg,
    Path((_, id)): Path<(String, String)>,
) -> ApiResult<StatusCode> {
    let id: Ulid = id.parse().map_err(|_| ApiError::not_found("invitation"))?;
    let pending = state.store.invitations(in_org.org.id, now()).await?;
    let invitation = pending
        .iter()
        .find(|i| i.id == id)
        .ok_or_else(|| ApiError::not_found("invitation"))?;
    in_org.check(
        Action::ManageMembersAndViewers,
        &Target::Membership {
            org: in_org.actor.org,
            from: None,
            to: Some(invitation.role),
            last_owner: false,
        },
    )?;
    if !state
        .store
        .revoke_invitation(in_org.org.id, id, now())
        .await?
    {
        return Err(ApiError::not_found("invitation"));
    }
    in_org
        .audit(
            &state,
            "invitation.revoke",
            format!("revoked the invitation of {}", invitation.email),
        )
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `POST /api/v1/invitations/accept`: join with the emailed token. Only the invited address can.
pub async fn accept(
    State(state): State<Shared>,
    authed: Authed,
    Json(body): Json<wire::EmailToken>,
) -> ApiResult<Json<wire::OrgInfo>> {
    let invalid = || {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            "invalid_token",
            "this invitation is not valid: it may have been used, revoked or have expired, or be meant for another email address",
        )
    };
    let org_id: Ulid = body
        .token
        .trim()
        .strip_prefix("sti_")
        .and_then(|rest| rest.split_once('_'))
        .and_then(|(org, _)| org.parse().ok())
        .ok_or_else(invalid)?;
    let user = state
        .store
        .user(authed.user)
        .await?
        .ok_or_else(ApiError::unauthorized)?;
    let Some(org) = state.store.org(org_id).await? else {
        return Err(invalid());
    };
    let role = state
        .store
        .accept_invitation(
            org.id,
            &token_hash(&body.token),
            &user.email,
            user.id,
            now(),
        )
        .await?
        .ok_or_else(invalid)?;
    // Joined, but pending until an Owner or Admin confirms them by fingerprint; someone who was a
    // member already stays one.
    let member = state.store.member(org.id, user.id).await?;
    let in_org = InOrg {
        user: user.id,
        via: Via::Session(authed.session),
        org: org.clone(),
        actor: Actor {
            member: MemberId(user.id),
            org: OrgId(org.id),
            role: member.as_ref().map_or(role, |m| m.role),
            active: true,
        },
    };
    in_org
        .audit(
            &state,
            "member.join",
            match member {
                Some(_) => format!("{} accepted an invitation as a member already", user.email),
                None => format!(
                    "{} accepted to join as {role}, waiting to be confirmed",
                    user.email
                ),
            },
        )
        .await?;
    Ok(Json(wire::OrgInfo {
        pending: member.is_none(),
        ..info(&org, in_org.actor.role)
    }))
}

/// `GET /api/v1/orgs/{org}/audit`: the newest 500 entries.
pub async fn audit_log(
    State(state): State<Shared>,
    Allowed(in_org, _): Allowed<ReadAuditLog>,
) -> ApiResult<Json<Vec<wire::AuditInfo>>> {
    let entries = state.store.audit_log(in_org.org.id, 500).await?;
    let mut ids: Vec<Ulid> = entries.iter().map(|e| e.actor).collect();
    ids.sort();
    ids.dedup();
    let emails: HashMap<Ulid, String> = state
        .store
        .users(&ids)
        .await?
        .into_iter()
        .map(|u| (u.id, u.email))
        .collect();
    Ok(Json(
        entries
            .into_iter()
            .map(|e| wire::AuditInfo {
                actor_email: emails.get(&e.actor).cloned(),
                id: e.id,
                at: e.at,
                actor: e.actor,
                session: e.session,
                action: e.action,
                detail: e.detail,
            })
            .collect(),
    ))
}

fn token_info(t: &ApiToken) -> wire::ApiTokenInfo {
    wire::ApiTokenInfo {
        id: t.id,
        user: t.user,
        name: t.name.clone(),
        role: t.role,
        read_only: t.read_only,
        created_at: t.created_at,
        expires_at: t.expires_at,
        last_used_at: t.last_used_at,
    }
}

/// `POST /api/v1/orgs/{org}/tokens`: a token for the caller, at most their role, shown once.
pub async fn create_token(
    State(state): State<Shared>,
    in_org: InOrg,
    Json(body): Json<wire::NewApiToken>,
) -> ApiResult<(StatusCode, Json<wire::CreatedApiToken>)> {
    let Via::Session(session) = in_org.via else {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "session_required",
            "API tokens cannot make API tokens; sign in",
        ));
    };
    in_org.check(Action::CreateOwnApiToken, &in_org.org_target())?;
    crate::app::require_recent_proof(&state, session).await?;
    let name = body.name.trim();
    if name.is_empty() || name.chars().count() > 60 || name.chars().any(char::is_control) {
        return Err(ApiError::invalid("name the token in 1 to 60 characters"));
    }
    let role = body.role.unwrap_or(in_org.actor.role);
    if role < in_org.actor.role {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "forbidden",
            format!(
                "a token cannot have more rights than you: you are {}",
                in_org.actor.role.with_article()
            ),
        ));
    }
    let now = now();
    if body.expires_at.is_some_and(|at| at <= now) {
        return Err(ApiError::invalid("expires_at must be in the future"));
    }
    let token = ApiToken {
        id: crate::store::ordered_id(),
        user: in_org.user,
        name: name.to_owned(),
        role,
        // A Viewer's token only reads, whatever was asked.
        read_only: body.read_only || role == Role::Viewer,
        created_at: now,
        expires_at: body.expires_at,
        last_used_at: None,
    };
    let secret = format!("stp_{}_{}", in_org.org.id, new_token(""));
    state
        .store
        .create_api_token(in_org.org.id, &token, &token_hash(&secret))
        .await?;
    in_org
        .audit(
            &state,
            "token.create",
            format!(
                "API token {:?} ({}{})",
                token.name,
                token.role,
                if token.read_only { ", read-only" } else { "" }
            ),
        )
        .await?;
    crate::accounts::tell_owner(
        &state,
        in_org.user,
        "An API token was made for your Stint account",
        &format!(
            "An API token named {:?} was just made for your Stint account in the organization \"{}\": whoever holds it acts as you there ({}{}).",
            token.name,
            in_org.org.name,
            token.role,
            if token.read_only { ", read-only" } else { "" }
        ),
    )
    .await?;
    Ok((
        StatusCode::CREATED,
        Json(wire::CreatedApiToken {
            token: secret,
            info: token_info(&token),
        }),
    ))
}

/// Whether the caller may see and revoke everyone's tokens, or only their own.
fn token_scope(in_org: &InOrg) -> Option<Ulid> {
    match in_org.check(Action::ManageApiTokens, &in_org.org_target()) {
        Ok(()) => None,
        Err(_) => Some(in_org.user),
    }
}

/// `GET /api/v1/orgs/{org}/tokens`: one's own, or everyone's for Owners and Admins.
pub async fn tokens(
    State(state): State<Shared>,
    in_org: InOrg,
) -> ApiResult<Json<Vec<wire::ApiTokenInfo>>> {
    let tokens = state
        .store
        .api_tokens(in_org.org.id, token_scope(&in_org), now())
        .await?;
    Ok(Json(tokens.iter().map(token_info).collect()))
}

/// `DELETE /api/v1/orgs/{org}/tokens/{id}`: one's own, or anyone's for Owners and Admins; takes
/// effect on the token's next request.
pub async fn revoke_token(
    State(state): State<Shared>,
    in_org: InOrg,
    Path((_, id)): Path<(String, String)>,
) -> ApiResult<StatusCode> {
    let id: Ulid = id.parse().map_err(|_| ApiError::not_found("token"))?;
    if !state
        .store
        .revoke_api_token(in_org.org.id, id, token_scope(&in_org), now())
        .await?
    {
        return Err(ApiError::not_found("token"));
    }
    in_org
        .audit(&state, "token.revoke", format!("revoked API token {id}"))
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
