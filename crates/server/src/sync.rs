//! Sync, part 1 (docs/sync.md): an account's identity and device certificates, and each
//! organization's records, pushed and pulled as sealed envelopes in the binary framing of
//! `stint_protocol::sync`.
//!
//! The server never reads a record. What it checks on every pushed envelope, from the plaintext
//! header and the signature alone: the envelope parses strictly; it names the organization in the
//! path and the signed-in account as its author; its author device holds a certificate the
//! account's identity key signed and that is not revoked; the device's signature holds; its kind
//! is known and in the compartment the kind belongs in (`stint_domain::Kind`); its HLC is not more
//! than [`MAX_CLOCK_AHEAD_MS`] ahead of the server's clock. One failure refuses the whole batch,
//! so nothing of it is stored.

use std::collections::HashMap;

use axum::body::Bytes;
use axum::extract::{FromRequestParts, Query, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use rayon::prelude::*;
use serde::Deserialize;
use stint_crypto::{
    DEVICE_REVOCATION_LEN, DeviceCertificate, DeviceRevocation, EnvelopeRef, IDENTITY_KEYS_LEN,
    IDENTITY_KEYS_VERSION, IdentityPublic, VerifyingKey, WRAPPED_KEY_LEN, WRAPPED_KEY_VERSION,
    verify_envelopes,
};
use stint_domain::{Kind, RecordDenied, Role, record_access};
use stint_protocol as wire;
use stint_protocol::sync::{
    FrameError, MAX_BATCH, SYNC_MEDIA_TYPE, decode_push, encode_pull, encode_push_reply,
};

use crate::app::{Authed, Shared, now};
use crate::error::{ApiError, ApiResult, Json, Path};
use crate::orgs::{InOrg, Via};
use crate::store::StoreError;
use crate::store::sync::{
    Caller, DeviceRow, IdentityRow, Incoming, Pulled, PushRefused, Unchangeable,
};

/// How far ahead of the server's clock a pushed HLC may be: a device's clock may be off by minutes,
/// not by days (an HLC far in the future would win every merge).
pub const MAX_CLOCK_AHEAD_MS: u64 = 5 * 60 * 1000;
/// Most envelope bytes in one pull page (past its first envelope).
pub const MAX_PULL_BYTES: usize = 4 * 1024 * 1024;
/// Largest device label, in bytes.
pub const MAX_LABEL_BYTES: usize = 512;

pub(crate) fn decode(field: &str, value: &str) -> ApiResult<Vec<u8>> {
    B64.decode(value)
        .map_err(|_| ApiError::invalid(format!("{field} is not standard base64")))
}

fn user_bytes(user: ulid::Ulid) -> [u8; 16] {
    user.to_bytes()
}

// ---------------------------------------------------------------------------------------------
// Identity and devices
// ---------------------------------------------------------------------------------------------

/// `PUT /api/v1/identity`: the account's identity, once. Its shapes are checked and its public half
/// must name the account; the wrapped keys stay closed to the server.
pub async fn put_identity(
    State(state): State<Shared>,
    authed: Authed,
    Json(body): Json<wire::IdentityUpload>,
) -> ApiResult<StatusCode> {
    authed.require_recent_proof(&state).await?;
    let user = user_bytes(authed.user);
    let public = decode("public", &body.public)?;
    let identity = IdentityPublic::from_bytes(&public)
        .map_err(|e| ApiError::invalid(format!("public is not a published identity: {e}")))?;
    if identity.user != user {
        return Err(ApiError::invalid("public names another account"));
    }
    let account_key = decode("wrapped_account_key", &body.wrapped_account_key)?;
    if account_key.len() != WRAPPED_KEY_LEN || account_key[0] != WRAPPED_KEY_VERSION {
        return Err(ApiError::invalid(
            "wrapped_account_key is not a wrapped key (73 bytes, version 1)",
        ));
    }
    let identity_keys = decode("wrapped_identity_keys", &body.wrapped_identity_keys)?;
    if identity_keys.len() != IDENTITY_KEYS_LEN
        || identity_keys[0] != IDENTITY_KEYS_VERSION
        || identity_keys[1..17] != user
    {
        return Err(ApiError::invalid(
            "wrapped_identity_keys are not this account's wrapped identity keys (163 bytes, version 1)",
        ));
    }
    let row = IdentityRow {
        public,
        wrapped_account_key: account_key,
        wrapped_identity_keys: identity_keys,
        created_at: now(),
    };
    match state.store.put_identity(authed.user, &row).await {
        Ok(()) => Ok(StatusCode::CREATED),
        Err(StoreError::Conflict(_)) => Err(ApiError::conflict(
            "identity_exists",
            "this account already has an identity; restore it on this device with your recovery key",
        )),
        Err(e) => Err(e.into()),
    }
}

/// `GET /api/v1/identity`.
pub async fn identity(
    State(state): State<Shared>,
    authed: Authed,
) -> ApiResult<Json<wire::IdentityInfo>> {
    let row = state
        .store
        .identity(authed.user)
        .await?
        .ok_or_else(|| ApiError::not_found("identity"))?;
    Ok(Json(wire::IdentityInfo {
        public: B64.encode(&row.public),
        wrapped_account_key: B64.encode(&row.wrapped_account_key),
        wrapped_identity_keys: B64.encode(&row.wrapped_identity_keys),
        created_at: row.created_at,
    }))
}

/// `PUT /api/v1/identity/recovery`: a new recovery key's wrapping of the account key replaces the
/// old one (a recent proof needed: a stolen session alone cannot lock the person out of recovery).
/// The server cannot check that it opens: the device that made it read it back and opened it.
pub async fn replace_recovery(
    State(state): State<Shared>,
    authed: Authed,
    Json(body): Json<wire::RecoveryUpload>,
) -> ApiResult<StatusCode> {
    authed.require_recent_proof(&state).await?;
    let wrapped = decode("wrapped_account_key", &body.wrapped_account_key)?;
    if wrapped.len() != WRAPPED_KEY_LEN || wrapped[0] != WRAPPED_KEY_VERSION {
        return Err(ApiError::invalid(
            "wrapped_account_key is not a wrapped key (73 bytes, version 1)",
        ));
    }
    if state.store.replace_recovery(authed.user, &wrapped).await? {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(ApiError::not_found("identity"))
    }
}

pub(crate) async fn identity_key(state: &Shared, user: ulid::Ulid) -> ApiResult<VerifyingKey> {
    let row = state.store.identity(user).await?.ok_or_else(|| {
        ApiError::conflict(
            "no_identity",
            "this account has no identity yet: set one up on your first device",
        )
    })?;
    IdentityPublic::from_bytes(&row.public)
        .map(|p| p.signing)
        .map_err(|e| ApiError::internal("a stored identity", e))
}

pub(crate) fn device_info(row: DeviceRow) -> wire::DeviceInfo {
    wire::DeviceInfo {
        device: hex::encode(row.device),
        certificate: B64.encode(&row.certificate),
        label: B64.encode(&row.label),
        created_at: row.created_at,
        revoked_at: row.revoked_at,
        revocation: row.revocation.map(|r| B64.encode(r)),
        last_seen_at: row.last_seen_at,
    }
}

fn label(value: &str) -> ApiResult<Vec<u8>> {
    let label = decode("label", value)?;
    if label.len() > MAX_LABEL_BYTES {
        return Err(ApiError::invalid(format!(
            "a device label has at most {MAX_LABEL_BYTES} bytes"
        )));
    }
    Ok(label)
}

/// `POST /api/v1/devices`: a device certificate, checked against the account's identity key.
pub async fn add_device(
    State(state): State<Shared>,
    authed: Authed,
    Json(body): Json<wire::DeviceUpload>,
) -> ApiResult<(StatusCode, Json<wire::DeviceInfo>)> {
    let identity = identity_key(&state, authed.user).await?;
    let certificate = decode("certificate", &body.certificate)?;
    let label = label(&body.label)?;
    let cert = DeviceCertificate::verify(&certificate, &identity).map_err(|e| {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            "bad_certificate",
            format!("the device certificate was refused: {e}"),
        )
    })?;
    if cert.user != user_bytes(authed.user) {
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            "bad_certificate",
            "the device certificate names another account",
        ));
    }
    let row = DeviceRow {
        device: cert.device,
        certificate,
        label,
        created_at: now(),
        revoked_at: None,
        revocation: None,
        last_seen_at: None,
    };
    match state.store.add_device(authed.user, &row).await {
        Ok(()) => Ok((StatusCode::CREATED, Json(device_info(row)))),
        Err(StoreError::Conflict(_)) => Err(ApiError::conflict(
            "device_exists",
            "this device is already enrolled",
        )),
        Err(e) => Err(e.into()),
    }
}

/// `GET /api/v1/devices`.
pub async fn devices(
    State(state): State<Shared>,
    authed: Authed,
) -> ApiResult<Json<Vec<wire::DeviceInfo>>> {
    let rows = state.store.devices(authed.user).await?;
    Ok(Json(rows.into_iter().map(device_info).collect()))
}

/// `PUT /api/v1/devices/{id}/label`: a live device of the account gets a new (opaque) label.
pub async fn set_device_label(
    State(state): State<Shared>,
    authed: Authed,
    Path(id): Path<String>,
    Json(body): Json<wire::DeviceLabelUpload>,
) -> ApiResult<StatusCode> {
    let device = device_id(&id)?;
    let label = label(&body.label)?;
    if state
        .store
        .set_device_label(authed.user, device, &label)
        .await?
    {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(ApiError::not_found("device"))
    }
}

fn device_id(id: &str) -> ApiResult<[u8; 16]> {
    hex::decode(id)
        .ok()
        .and_then(|b| b.try_into().ok())
        .ok_or_else(|| ApiError::not_found("device"))
}

/// `POST /api/v1/devices/{id}/revoke`: a revocation the identity key signed. The device's pushes
/// are refused from the next request on.
pub async fn revoke_device(
    State(state): State<Shared>,
    authed: Authed,
    Path(id): Path<String>,
    Json(body): Json<wire::DeviceRevocationUpload>,
) -> ApiResult<StatusCode> {
    let device = device_id(&id)?;
    let identity = identity_key(&state, authed.user).await?;
    let revocation = decode("revocation", &body.revocation)?;
    let signed = DeviceRevocation::verify(&revocation, &identity).map_err(|e| {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            "bad_revocation",
            format!("the revocation was refused: {e}"),
        )
    })?;
    if signed.user != user_bytes(authed.user) || signed.device != device {
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            "bad_revocation",
            "the revocation names another account or device",
        ));
    }
    debug_assert_eq!(revocation.len(), DEVICE_REVOCATION_LEN);
    if state
        .store
        .revoke_device(authed.user, device, &revocation, now())
        .await?
    {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(ApiError::not_found("device"))
    }
}

// ---------------------------------------------------------------------------------------------
// Records
// ---------------------------------------------------------------------------------------------

fn binary(status: StatusCode, bytes: Vec<u8>) -> Response {
    (status, [(header::CONTENT_TYPE, SYNC_MEDIA_TYPE)], bytes).into_response()
}

fn bad_frame(e: FrameError) -> ApiError {
    ApiError::new(StatusCode::BAD_REQUEST, "bad_frame", e.to_string())
}

fn refused(
    status: StatusCode,
    code: &'static str,
    index: usize,
    why: impl std::fmt::Display,
) -> ApiError {
    ApiError::new(
        status,
        code,
        format!("record {index} of the batch was refused: {why}; nothing was stored"),
    )
}

/// The server's clock in milliseconds, as HLCs count.
pub(crate) fn now_ms() -> u64 {
    u64::try_from(jiff::Timestamp::now().as_millisecond()).unwrap_or(0)
}

/// What [`check_header`] found: the envelope's HLC and the member it belongs to.
pub(crate) struct Checked {
    pub hlc: i64,
    /// Its owner, if its kind has one or it names one; a version 1 header of a kind that has an
    /// owner names none, and its author is taken (then only the account wrote).
    pub owner: Option<[u8; 16]>,
}

/// Checks a pushed envelope's plaintext header against the caller: it names the organization in
/// the path and the signed-in account as author, its kind sits in its compartment, the caller's
/// role may write it (the role table, `stint_domain::record_access`: a Member only their own
/// entries, expenses, receipts and write log), its time is not far ahead, and its author device is
/// certified by the account's identity and not revoked (that device's signing key is left in
/// `keys`, looked up once per request). The signature itself is the caller's to check. `refuse`
/// words a refusal.
pub(crate) async fn check_header(
    state: &Shared,
    in_org: &InOrg,
    envelope: &EnvelopeRef<'_>,
    now_ms: u64,
    keys: &mut HashMap<[u8; 16], VerifyingKey>,
    refuse: impl Fn(StatusCode, &'static str, &str) -> ApiError,
) -> ApiResult<Checked> {
    let h = envelope.header();
    if h.org != in_org.org.id.to_bytes() {
        return Err(refuse(
            StatusCode::FORBIDDEN,
            "wrong_org",
            "it belongs to another organization",
        ));
    }
    if h.author_user != user_bytes(in_org.user) {
        return Err(refuse(
            StatusCode::FORBIDDEN,
            "wrong_author",
            "it names another author than the signed-in account",
        ));
    }
    let Some(kind) = Kind::from_u16(h.kind).filter(|_| Kind::matches_header(h.kind, h.compartment))
    else {
        return Err(refuse(
            StatusCode::BAD_REQUEST,
            "wrong_compartment",
            "its kind is unknown or not in the compartment it belongs in",
        ));
    };
    let owner = if envelope.version() == stint_crypto::ENVELOPE_VERSION_1 && kind.has_owner() {
        h.author_user
    } else {
        h.owner
    };
    let role = in_org.actor.role;
    if let Err(denied) = record_access(role, h.author_user, kind, owner, true) {
        return Err(match denied {
            RecordDenied::Forbidden => refuse(
                StatusCode::FORBIDDEN,
                "forbidden",
                &format!("{} may not write {kind:?} records", role.with_article()),
            ),
            RecordDenied::NotOwn => refuse(
                StatusCode::FORBIDDEN,
                "not_own",
                &format!(
                    "{} writes only their own {kind:?} records",
                    role.with_article()
                ),
            ),
            RecordDenied::OwnerField => refuse(
                StatusCode::BAD_REQUEST,
                "wrong_owner",
                "its header names an owner its kind does not have, or none where it must",
            ),
        });
    }
    if (h.hlc >> 16) > now_ms.saturating_add(MAX_CLOCK_AHEAD_MS) {
        return Err(refuse(
            StatusCode::BAD_REQUEST,
            "clock_ahead",
            "its time is more than five minutes ahead of the server's; check the device's clock",
        ));
    }
    let hlc = i64::try_from(h.hlc).map_err(|_| {
        refuse(
            StatusCode::BAD_REQUEST,
            "clock_ahead",
            "its time is out of range",
        )
    })?;
    let checked = Checked {
        hlc,
        owner: (owner != [0; 16]).then_some(owner),
    };
    if let std::collections::hash_map::Entry::Vacant(slot) = keys.entry(h.author_device) {
        match state.store.device(in_org.user, h.author_device).await? {
            Some(row) if row.revoked_at.is_none() => {
                let identity = identity_key(state, in_org.user).await?;
                let cert = DeviceCertificate::verify(&row.certificate, &identity)
                    .map_err(|e| ApiError::internal("a stored device certificate", e))?;
                slot.insert(cert.signing);
            }
            Some(_) => {
                return Err(refuse(
                    StatusCode::FORBIDDEN,
                    "revoked_device",
                    "its device was revoked",
                ));
            }
            None => {
                return Err(refuse(
                    StatusCode::FORBIDDEN,
                    "uncertified_device",
                    "its device is not enrolled in this account",
                ));
            }
        }
    }
    Ok(checked)
}

/// `POST /api/v1/orgs/{org}/sync/push`: a batch of envelopes (`application/vnd.stint.sync`), all
/// checked before any is stored; the reply gives each one's outcome and sequence number.
pub async fn push(
    State(state): State<Shared>,
    in_org: InOrg,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Response> {
    let Via::Session(_) = in_org.via else {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "session_required",
            "records are pushed by an enrolled device signed in to its account, not by an API token",
        ));
    };
    if in_org.actor.role == Role::Viewer {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "forbidden",
            "a viewer reads the organization but writes nothing to it",
        ));
    }
    if headers.get(header::CONTENT_TYPE).map(|v| v.as_bytes()) != Some(SYNC_MEDIA_TYPE.as_bytes()) {
        return Err(ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
            format!("a push is sent as {SYNC_MEDIA_TYPE}"),
        ));
    }
    crate::limits::sync_push(&state, in_org.user).await?;
    let envelopes = decode_push(&body).map_err(bad_frame)?;
    let now_ms = now_ms();

    // Headers first (cheap), with each author device's certificate looked up once.
    let mut keys: HashMap<[u8; 16], VerifyingKey> = HashMap::new();
    let mut parsed = Vec::with_capacity(envelopes.len());
    for (i, bytes) in envelopes.iter().enumerate() {
        let refuse = |status, code, why: &str| refused(status, code, i, why);
        let envelope = EnvelopeRef::parse(bytes)
            .map_err(|e| refuse(StatusCode::BAD_REQUEST, "bad_envelope", &e.to_string()))?;
        let h = *envelope.header();
        if h.kind == Kind::Attachment as u16 {
            return Err(refuse(
                StatusCode::BAD_REQUEST,
                "attachment_in_batch",
                "attachments are uploaded on their own, to /api/v1/orgs/{org}/attachments/{id}",
            ));
        }
        let checked = check_header(&state, &in_org, &envelope, now_ms, &mut keys, refuse).await?;
        parsed.push((envelope, checked));
    }
    // A compartment whose key moved on takes nothing sealed under an older one: whoever was
    // removed or demoted may still hold that key.
    let newest: HashMap<u8, u32> = state
        .store
        .newest_epochs(in_org.org.id)
        .await?
        .into_iter()
        .collect();
    if let Some(i) = parsed.iter().position(|(e, _)| {
        newest
            .get(&e.header().compartment)
            .is_some_and(|n| e.header().epoch < *n)
    }) {
        return Err(refused(
            StatusCode::CONFLICT,
            "old_epoch",
            i,
            "it is sealed under a key of its compartment that was replaced: fetch the new key and seal it again",
        ));
    }
    // Someone left and the key they held has not moved on yet: nothing more is sealed with it.
    let owed = state.store.owed_rotations(in_org.org.id).await?;
    if let Some(i) = parsed.iter().position(|(e, _)| {
        let c = e.header().compartment;
        (1..=8).contains(&c) && owed & (1 << (c - 1)) != 0
    }) {
        return Err(refused(
            StatusCode::CONFLICT,
            "rotation_pending",
            i,
            "someone left the organization and its key has not moved on yet: an Owner's or Admin's device gives it a new one at its next sync; try again after",
        ));
    }
    // Then the signatures, together (Ed25519 batch verification, a push being one device's:
    // about 7 µs each instead of 40), on a blocking thread and every core.
    let signers: Vec<VerifyingKey> = parsed
        .iter()
        .map(|(e, _)| keys[&e.header().author_device])
        .collect();
    let request = body.clone();
    let bad = tokio::task::spawn_blocking(move || {
        let envelopes = decode_push(&request).unwrap_or_default();
        let parsed: Vec<Option<EnvelopeRef<'_>>> = envelopes
            .iter()
            .map(|bytes| EnvelopeRef::parse(bytes).ok())
            .collect();
        let items: Vec<(EnvelopeRef<'_>, VerifyingKey)> = parsed
            .iter()
            .zip(&signers)
            .filter_map(|(e, key)| Some(((*e)?, *key)))
            .collect();
        // In batches of at least 256 (below that a batch saves less), one per core.
        let per_core = items.len().div_ceil(rayon::current_num_threads()).max(256);
        let mut valid = items
            .par_chunks(per_core)
            .flat_map_iter(verify_envelopes)
            .collect::<Vec<bool>>()
            .into_iter();
        parsed
            .iter()
            .position(|e| e.is_none() || !valid.next().unwrap_or(false))
    })
    .await
    .map_err(|e| ApiError::internal("checking signatures", e))?;
    if let Some(i) = bad {
        return Err(refused(
            StatusCode::BAD_REQUEST,
            "bad_signature",
            i,
            "its signature does not match its device",
        ));
    }
    let batch: Vec<Incoming<'_>> = parsed
        .iter()
        .zip(&envelopes)
        .map(|((e, checked), bytes)| Incoming {
            record: e.header().record,
            hlc: checked.hlc,
            author_device: e.header().author_device,
            kind: e.header().kind,
            owner: checked.owner,
            tombstone: e.header().tombstone,
            envelope: bytes,
        })
        .collect();
    match state.store.push(in_org.org.id, &batch).await? {
        Ok(outcomes) => Ok(binary(StatusCode::OK, encode_push_reply(&outcomes))),
        Err(PushRefused { at, changes }) => Err(match changes {
            Unchangeable::Kind => refused(
                StatusCode::CONFLICT,
                "kind_changed",
                at,
                "its record is stored as another kind; a record never changes kind",
            ),
            Unchangeable::Owner => refused(
                StatusCode::CONFLICT,
                "owner_changed",
                at,
                "its record belongs to someone else; a record never changes owner",
            ),
        }),
    }
}

/// The query of a pull.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PullQuery {
    /// The last sequence number the client has (0 for none).
    #[serde(default)]
    pub after: u64,
    /// At most this many envelopes (1 to 1000; default 1000).
    pub limit: Option<u32>,
}

/// Who pulls which organization. A signed-in session, and its membership, are left to the pull
/// itself, which reads them with the page (B7: every device's every round comes here); an API
/// token goes through [`InOrg`]. Not a member, no such organization, an id that does not read: the
/// same `404`.
pub struct Puller {
    org: ulid::Ulid,
    caller: Caller,
}

impl FromRequestParts<Shared> for Puller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &Shared) -> ApiResult<Puller> {
        let token = crate::app::bearer(parts)?;
        if token.starts_with("stp_") {
            let in_org = InOrg::from_request_parts(parts, state).await?;
            return Ok(Puller {
                org: in_org.org.id,
                caller: Caller::Member(in_org.user),
            });
        }
        let token_hash = crate::secrets::token_hash(token);
        let axum::extract::Path(params) =
            axum::extract::Path::<HashMap<String, String>>::from_request_parts(parts, state)
                .await
                .map_err(|_| ApiError::not_found("organization"))?;
        let org = params
            .get("org")
            .and_then(|s| s.parse().ok())
            .ok_or_else(|| ApiError::not_found("organization"))?;
        Ok(Puller {
            org,
            caller: Caller::Session {
                token_hash,
                now: now(),
            },
        })
    }
}

/// `GET /api/v1/orgs/{org}/sync/pull?after=N&limit=M`: envelopes after `N` in sequence order, with
/// the organization's head and history id.
pub async fn pull(
    State(state): State<Shared>,
    puller: Puller,
    Query(query): Query<PullQuery>,
) -> ApiResult<Response> {
    let limit = query.limit.unwrap_or(MAX_BATCH as u32);
    if limit == 0 || limit as usize > MAX_BATCH {
        return Err(ApiError::invalid(format!(
            "limit must be between 1 and {MAX_BATCH}"
        )));
    }
    let session = match &puller.caller {
        Caller::Session { token_hash, now } => Some((token_hash.clone(), *now)),
        Caller::Member(_) => None,
    };
    let pulled = state
        .store
        .pull(
            puller.org,
            puller.caller,
            query.after,
            i64::from(limit),
            MAX_PULL_BYTES,
        )
        .await?;
    match pulled {
        Pulled::Page(page) => Ok(binary(
            StatusCode::OK,
            encode_pull(&page.history, page.head, &page.records),
        )),
        // Not a member: someone waiting to be confirmed is told so (only on this path, off the
        // hot one).
        Pulled::NotMember => match session {
            Some((token_hash, now)) => {
                match state.store.session_by_token(&token_hash, now).await? {
                    Some(s) => Err(crate::keys::not_a_member(&state, puller.org, s.user).await),
                    None => Err(ApiError::unauthorized()),
                }
            }
            None => Err(ApiError::not_found("organization")),
        },
        Pulled::SignedOut => Err(ApiError::unauthorized()),
    }
}
