//! The membership log (docs/sync.md, "The membership log"): entries an Owner or Admin signs to add,
//! change or remove a member or move a compartment's key on, chained one to the next
//! (docs/formats.md, "Membership log entry").
//!
//! The server cannot write an entry, only keep them in order. It checks each one as the devices
//! will (`stint_domain::Membership::append`: signature, chain, the signer's role at that point),
//! that it is signed by the account sending it, and that it comes with the key deliveries it calls
//! for; then it stores the entries, changes its own table of members the same way and keeps the
//! deliveries, all in one transaction. What it enforces on pushes and pulls is therefore what the
//! log says, and a server that changed its table alone would be contradicted by every device.

use std::collections::{BTreeSet, HashMap};

use axum::extract::{Query, State};
use axum::http::StatusCode;
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use serde::Deserialize;
use stint_crypto::{KeyDelivery, MembershipChange, MembershipEntry};
use stint_domain::{
    Compartment, MemberId, Membership, OrgId, Role, readable_compartments, replay_membership,
    role_of,
};
use stint_protocol as wire;
use ulid::Ulid;

use crate::app::{Shared, now};
use crate::error::{ApiError, ApiResult, Json};
use crate::orgs::{InOrg, Via};
use crate::store::StoreError;
use crate::store::sync::{LogAppend, MemberChange, SealedKey, owed_mask};
use crate::sync::{decode, identity_key};

/// Most entries in one request.
pub const MAX_ENTRIES: usize = 16;
/// Most key deliveries in one request (a removal in a team of sixty hands each remaining member
/// the two new keys).
pub const MAX_DELIVERIES: usize = 128;

/// The query of `GET /orgs/{org}/membership`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LogQuery {
    #[serde(default)]
    pub after: u32,
}

/// `GET /api/v1/orgs/{org}/membership?after=N`: the log's entries after the first `N`, for any
/// member.
pub async fn log(
    State(state): State<Shared>,
    in_org: InOrg,
    Query(query): Query<LogQuery>,
) -> ApiResult<Json<wire::MembershipLog>> {
    let entries = state
        .store
        .membership_log(in_org.org.id, query.after)
        .await?;
    Ok(Json(wire::MembershipLog {
        entries: entries.iter().map(|e| B64.encode(e)).collect(),
    }))
}

/// Whether `org`'s membership is kept by a log (an organization published from a device): then
/// its members change only through the log, never through the plain member routes.
pub(crate) async fn is_logged(state: &Shared, org: Ulid) -> ApiResult<bool> {
    Ok(state.store.has_membership_log(org).await?)
}

/// The refusal of a plain member route for an organization whose membership is in its log.
pub(crate) fn logged_refusal() -> ApiError {
    ApiError::conflict(
        "membership_log",
        "this organization's members change only through signed membership log entries (POST /api/v1/orgs/{org}/membership): use `stint member` on a device",
    )
}

fn bad_entry(why: String) -> ApiError {
    ApiError::new(StatusCode::BAD_REQUEST, "bad_entry", why)
}

fn bad_delivery(why: String) -> ApiError {
    ApiError::new(StatusCode::BAD_REQUEST, "bad_delivery", why)
}

fn reads(role: Role) -> BTreeSet<u8> {
    readable_compartments(role)
        .into_iter()
        .map(|c| c as u8)
        .collect()
}

fn compartment_name(c: u8) -> &'static str {
    Compartment::from_u8(c).map_or("?", Compartment::name)
}

/// `POST /api/v1/orgs/{org}/membership`: entries for the end of the log, signed by the caller, and
/// the key deliveries they call for:
///
/// - adding a pending member (their published identity, the role they were invited with): the
///   newest key of each compartment that role reads;
/// - a new epoch of a compartment: its new key, to every member (after these entries) who reads it;
/// - a role that now reads a compartment it did not: every key of it, so that history opens.
///
/// A member removed, or whose new role no longer reads a compartment, must be followed by a new
/// epoch of that compartment in the same request: the keys they held protect nothing written
/// after. The exception is someone leaving (their own removal, alone): the compartments they read
/// are then owed a new key, and pushes to them wait (`409 rotation_pending`) until an Owner's or
/// Admin's device gives it. Nothing else may be delivered. All of it is stored in one
/// transaction, or nothing.
pub async fn append(
    State(state): State<Shared>,
    in_org: InOrg,
    Json(body): Json<wire::MembershipAppend>,
) -> ApiResult<Json<wire::MembershipLog>> {
    let Via::Session(_) = in_org.via else {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "session_required",
            "membership changes are signed on an enrolled device signed in to its account, not sent with an API token",
        ));
    };
    let org = in_org.org.id;
    let caller = in_org.user;
    if body.entries.is_empty() || body.entries.len() > MAX_ENTRIES {
        return Err(ApiError::invalid(format!(
            "send 1 to {MAX_ENTRIES} membership log entries"
        )));
    }
    if body.deliveries.len() > MAX_DELIVERIES {
        return Err(ApiError::invalid(format!(
            "send at most {MAX_DELIVERIES} key deliveries"
        )));
    }
    let stored = state.store.membership_log(org, 0).await?;
    let mut log = replay_membership(OrgId::from_bytes(org.to_bytes()), &stored)
        .map_err(|e| ApiError::internal("the stored membership log", e))?;
    if body.after != log.head.0 {
        return Err(log_moved());
    }
    let published = state
        .store
        .identity(caller)
        .await?
        .map(|row| row.public)
        .ok_or_else(|| bad_entry("your account has no identity yet".into()))?;
    let before = log.clone();
    let pending: HashMap<Ulid, Role> = state
        .store
        .pending_members(org)
        .await?
        .into_iter()
        .map(|p| (p.user, p.role))
        .collect();
    let mut entries = Vec::with_capacity(body.entries.len());
    let mut owed = Vec::with_capacity(body.entries.len());
    let mut changes = Vec::new();
    let mut new_epochs: BTreeSet<(u8, u32)> = BTreeSet::new();
    for encoded in &body.entries {
        let bytes = decode("an entry", encoded)?;
        let peeked = MembershipEntry::peek(&bytes).map_err(|e| bad_entry(e.to_string()))?;
        if peeked.signer != caller.to_bytes() {
            return Err(bad_entry(
                "an entry is signed by another account than the one sending it".into(),
            ));
        }
        let first = log.head.0 == 0;
        let change = log
            .append(OrgId::from_bytes(org.to_bytes()), &bytes)
            .map_err(bad_entry)?;
        // Whoever signed it, the log must know them by the identity they published (as a
        // member, or as one who just left).
        if log
            .identities
            .get(&MemberId::from_bytes(caller.to_bytes()))
            .is_none_or(|identity| identity.to_bytes().as_slice() != published.as_slice())
        {
            return Err(bad_entry(
                "the log knows you by another identity than the one you published".into(),
            ));
        }
        match change {
            MembershipChange::Add { member, role, .. } if first => {
                if member != caller.to_bytes()
                    || role_of(role) != Some(Role::Owner)
                    || in_org.actor.role != Role::Owner
                {
                    return Err(bad_entry(
                        "the log's first entry adds an Owner of the organization as its Owner"
                            .into(),
                    ));
                }
            }
            MembershipChange::Add {
                member,
                role,
                identity,
            } => {
                let user = Ulid::from_bytes(member);
                let role = role_of(role).ok_or_else(|| bad_entry("an unknown role".into()))?;
                if pending.get(&user) != Some(&role) {
                    return Err(bad_entry(format!(
                        "{user} is not waiting to join as {}",
                        role.with_article()
                    )));
                }
                let theirs = state.store.identity(user).await?.map(|row| row.public);
                if theirs.as_deref() != Some(identity.to_bytes().as_slice()) {
                    return Err(bad_entry(
                        "the identity added is not the one that account published".into(),
                    ));
                }
                changes.push(MemberChange::Confirm { user, role });
            }
            MembershipChange::Role { member, role } => {
                let role = role_of(role).ok_or_else(|| bad_entry("an unknown role".into()))?;
                changes.push(MemberChange::Role {
                    user: Ulid::from_bytes(member),
                    role,
                });
            }
            MembershipChange::Remove { member } => {
                changes.push(MemberChange::Remove {
                    user: Ulid::from_bytes(member),
                });
            }
            MembershipChange::Epoch { compartment, epoch } => {
                new_epochs.insert((compartment, epoch));
            }
        }
        entries.push(bytes);
        owed.push(owed_mask(&log.owed));
    }
    // Someone leaving signs their removal alone: they cannot make the key the others would use
    // next. The compartments they read are owed a new one (`owed`), and the server takes nothing
    // more sealed for them until an Owner's or Admin's device moves them on.
    let leaving = matches!(
        changes.as_slice(),
        [MemberChange::Remove { user }] if *user == caller && entries.len() == 1
    );
    let (keys, dropped) = check_deliveries(
        &state,
        org,
        caller,
        (&before, &log),
        &new_epochs,
        leaving,
        &body,
    )
    .await?;
    let append = LogAppend {
        after: before.head.0,
        entries,
        owed,
        changes,
        dropped,
        keys,
    };
    match state.store.append_membership(org, &append, now()).await {
        Ok(()) => {}
        Err(StoreError::Changed(_)) => return Err(log_moved()),
        Err(StoreError::NotFound(_)) => {
            return Err(ApiError::conflict(
                "changed",
                "a member or newcomer these entries name changed meanwhile: reload and try again",
            ));
        }
        Err(e) => return Err(e.into()),
    }
    in_org
        .audit(
            &state,
            "membership.append",
            format!(
                "membership log entries {} to {}",
                before.head.0 + 1,
                log.head.0
            ),
        )
        .await?;
    // The entries as stored: what the caller's device appends to its copy.
    Ok(Json(wire::MembershipLog {
        entries: body.entries,
    }))
}

fn log_moved() -> ApiError {
    ApiError::conflict(
        "log_moved",
        "the membership log changed meanwhile: read it again and decide again",
    )
}

/// Checks the deliveries of `body` against what the entries call for (see [`append`]); gives them
/// by recipient, with the keys members no longer may hold.
async fn check_deliveries(
    state: &Shared,
    org: Ulid,
    caller: Ulid,
    (before, after): (&Membership, &Membership),
    new_epochs: &BTreeSet<(u8, u32)>,
    leaving: bool,
    body: &wire::MembershipAppend,
) -> ApiResult<(Vec<(Ulid, SealedKey)>, Vec<(Ulid, u8)>)> {
    // What each member after the entries must and may receive.
    let mut required: BTreeSet<(Ulid, u8, u32)> = BTreeSet::new();
    let mut allowed: BTreeSet<(Ulid, u8, u32)> = BTreeSet::new();
    let mut dropped = Vec::new();
    let mut lost: BTreeSet<u8> = BTreeSet::new();
    for (member, (role, _)) in &before.members {
        let had = reads(*role);
        let now = after.role(*member).map(reads).unwrap_or_default();
        for c in had.difference(&now) {
            lost.insert(*c);
            if after.members.contains_key(member) {
                dropped.push((Ulid::from_bytes(member.to_bytes()), *c));
            }
        }
    }
    for (member, (role, _)) in &after.members {
        let user = Ulid::from_bytes(member.to_bytes());
        let had = before.role(*member).map(reads);
        for c in reads(*role) {
            let newest = after.epochs.get(&c).copied().unwrap_or(1);
            let gained = had.as_ref().is_none_or(|had| !had.contains(&c));
            if had.is_none() && before.head.0 == 0 && user == caller {
                // The log's anchor: its Owner holds every key already.
            } else if had.is_none() {
                // Someone added: the newest key (a new member reads from now on).
                required.insert((user, c, newest));
                allowed.insert((user, c, newest));
            } else if gained && had.is_some() {
                // A role that reads more: every key of it, for the history.
                for e in 1..=newest {
                    required.insert((user, c, e));
                    allowed.insert((user, c, e));
                }
            }
            for &(nc, ne) in new_epochs {
                if nc == c {
                    required.insert((user, c, ne));
                    allowed.insert((user, c, ne));
                }
            }
        }
    }
    for c in &lost {
        if !leaving && !new_epochs.iter().any(|(nc, _)| nc == c) {
            return Err(bad_entry(format!(
                "someone no longer reads the {} compartment: the same entries must move its key on (a new epoch)",
                compartment_name(*c)
            )));
        }
    }
    let identity = identity_key(state, caller).await?;
    let mut keys = Vec::with_capacity(body.deliveries.len());
    let mut given = BTreeSet::new();
    for encoded in &body.deliveries {
        let bytes = decode("a delivery", encoded)?;
        let delivery = KeyDelivery::verify(&bytes, &identity)
            .map_err(|e| bad_delivery(format!("a key delivery signed by your identity: {e}")))?;
        let recipient = Ulid::from_bytes(delivery.recipient);
        let slot = (recipient, delivery.compartment, delivery.epoch);
        if delivery.org != org.to_bytes() || delivery.sealer != caller.to_bytes() {
            return Err(bad_delivery(
                "a key delivery names another organization or sealer".into(),
            ));
        }
        if !allowed.contains(&slot) {
            return Err(bad_delivery(format!(
                "these entries do not call for a {} key of epoch {} to {recipient}",
                compartment_name(delivery.compartment),
                delivery.epoch
            )));
        }
        if !given.insert(slot) {
            return Err(bad_delivery("the same key delivered twice".into()));
        }
        keys.push((
            recipient,
            SealedKey {
                compartment: delivery.compartment,
                epoch: delivery.epoch,
                sealed: delivery.sealed,
                sealed_by: caller,
                signature: bytes[bytes.len() - 64..].to_vec(),
            },
        ));
    }
    if let Some((user, c, e)) = required.difference(&given).next() {
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            "wrong_keys",
            format!(
                "these entries call for the {} key of epoch {e} to be delivered to {user}",
                compartment_name(*c)
            ),
        ));
    }
    Ok((keys, dropped))
}
