//! Attachments (receipts, logos): each its own envelope, sealed and signed by the device that
//! attached it, uploaded and downloaded on its own route rather than in a push batch (docs/sync.md,
//! "Attachments"). Records name them; a device fetches one when it is first needed.
//!
//! The server checks an upload as it checks every pushed envelope (`sync::check_header`, then the
//! signature), and further: its kind is `Attachment`, it is no tombstone, and its record id is the
//! one in the path. Attachments never change: the same bytes again are acknowledged, other bytes
//! under a stored id are refused (`409`). An organization holds at most
//! `limits.attachment_bytes_per_org` of them.

use std::collections::HashMap;

use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use stint_crypto::EnvelopeRef;
use stint_domain::Kind;
use stint_protocol::sync::{ENVELOPE_MEDIA_TYPE, MAX_ATTACHMENT_LEN};

use crate::app::{Shared, now};
use crate::error::{ApiError, ApiResult, Path};
use crate::orgs::{InOrg, Via};
use crate::store::sync::AttachmentStored;
use crate::sync::{check_header, now_ms};

/// Uploads read into memory at once (each up to [`MAX_ATTACHMENT_LEN`]); more wait their turn.
pub const UPLOADS_AT_ONCE: usize = 4;

fn attachment_id(id: &str) -> ApiResult<[u8; 16]> {
    id.parse::<ulid::Ulid>()
        .map(|u| u.to_bytes())
        .map_err(|_| ApiError::not_found("attachment"))
}

fn refused(status: StatusCode, code: &'static str, why: &str) -> ApiError {
    ApiError::new(
        status,
        code,
        format!("the attachment was refused: {why}; nothing was stored"),
    )
}

/// `PUT /api/v1/orgs/{org}/attachments/{id}`: one attachment's envelope
/// (`application/vnd.stint.envelope`, at most [`MAX_ATTACHMENT_LEN`] bytes). `201` when stored,
/// `200` when these very bytes were stored before.
pub async fn put(
    State(state): State<Shared>,
    in_org: InOrg,
    Path((_, id)): Path<(String, String)>,
    headers: HeaderMap,
    body: Body,
) -> ApiResult<Response> {
    let Via::Session(_) = in_org.via else {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "session_required",
            "attachments are uploaded by an enrolled device signed in to its account, not by an API token",
        ));
    };
    if in_org.actor.role == stint_domain::Role::Viewer {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "forbidden",
            "a viewer reads the organization but writes nothing to it",
        ));
    }
    crate::limits::sync_push(&state, in_org.user).await?;
    let _turn = state
        .attachment_uploads
        .acquire()
        .await
        .map_err(|e| ApiError::internal("waiting to read an attachment", e))?;
    let bytes = read_capped(body).await?;
    let id = attachment_id(&id)?;
    if headers.get(header::CONTENT_TYPE).map(|v| v.as_bytes())
        != Some(ENVELOPE_MEDIA_TYPE.as_bytes())
    {
        return Err(ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
            format!("an attachment is sent as {ENVELOPE_MEDIA_TYPE}"),
        ));
    }

    let envelope = EnvelopeRef::parse(&bytes)
        .map_err(|e| refused(StatusCode::BAD_REQUEST, "bad_envelope", &e.to_string()))?;
    let h = *envelope.header();
    if h.kind != Kind::Attachment as u16 {
        return Err(refused(
            StatusCode::BAD_REQUEST,
            "not_an_attachment",
            "it is a record, not an attachment; records are pushed through /sync/push",
        ));
    }
    if h.tombstone {
        return Err(refused(
            StatusCode::BAD_REQUEST,
            "not_an_attachment",
            "an attachment is never deleted",
        ));
    }
    if h.record != id {
        return Err(refused(
            StatusCode::BAD_REQUEST,
            "wrong_id",
            "its envelope names another id than the address",
        ));
    }
    let mut keys = HashMap::new();
    let hlc = check_header(&state, &in_org, &envelope, now_ms(), &mut keys, refused)
        .await?
        .hlc;
    let signer = keys[&h.author_device];
    let request = bytes.clone();
    let signed = tokio::task::spawn_blocking(move || {
        EnvelopeRef::parse(&request)
            .and_then(|e| e.verify(&signer))
            .is_ok()
    })
    .await
    .map_err(|e| ApiError::internal("checking a signature", e))?;
    if !signed {
        return Err(refused(
            StatusCode::BAD_REQUEST,
            "bad_signature",
            "its signature does not match its device",
        ));
    }
    let stored = state
        .store
        .put_attachment(
            in_org.org.id,
            id,
            hlc,
            h.author_device,
            &bytes,
            state.config.limits.attachment_bytes_per_org,
            now(),
        )
        .await?;
    match stored {
        AttachmentStored::New => Ok(StatusCode::CREATED.into_response()),
        AttachmentStored::Before => Ok(StatusCode::OK.into_response()),
        AttachmentStored::Different => Err(ApiError::conflict(
            "attachment_exists",
            "another attachment is stored under this id; attachments never change",
        )),
        AttachmentStored::OverQuota => Err(ApiError::new(
            StatusCode::INSUFFICIENT_STORAGE,
            "storage_full",
            "the organization's attachments have reached the server's limit; nothing was stored",
        )),
    }
}

/// Past the cap, how much more of a request is read (and dropped) so that its sender, still
/// writing, gets the `413` rather than a broken connection.
const DRAIN_BYTES: usize = 1024 * 1024;

/// The request's bytes, read as they stream in, never more than [`MAX_ATTACHMENT_LEN`] kept
/// whatever the request claimed its length to be.
async fn read_capped(mut body: Body) -> ApiResult<Vec<u8>> {
    use axum::body::HttpBody;
    let mut bytes = Vec::new();
    let mut over = 0usize;
    while let Some(frame) =
        std::future::poll_fn(|cx| std::pin::Pin::new(&mut body).poll_frame(cx)).await
    {
        let frame = frame.map_err(|_| {
            ApiError::new(
                StatusCode::BAD_REQUEST,
                "cut_off",
                "the attachment's upload was cut off; nothing was stored",
            )
        })?;
        let Ok(chunk) = frame.into_data() else {
            continue;
        };
        if over > 0 || bytes.len() + chunk.len() > MAX_ATTACHMENT_LEN {
            over += chunk.len();
            if over > DRAIN_BYTES {
                break;
            }
        } else {
            bytes.extend_from_slice(&chunk);
        }
    }
    if over > 0 {
        return Err(too_large());
    }
    Ok(bytes)
}

fn too_large() -> ApiError {
    ApiError::new(
        StatusCode::PAYLOAD_TOO_LARGE,
        "too_large",
        format!("an attachment's envelope is at most {MAX_ATTACHMENT_LEN} bytes"),
    )
}

/// `GET /api/v1/orgs/{org}/attachments/{id}`: the attachment's envelope as it was uploaded (the
/// device checks it as it checks every envelope it receives), if the caller's role may read it
/// (the role table: a Member reads the logo and their own receipts; another member's receipt is
/// `404`, as one that is not there).
pub async fn get(
    State(state): State<Shared>,
    in_org: InOrg,
    Path((_, id)): Path<(String, String)>,
) -> ApiResult<Response> {
    let id = attachment_id(&id)?;
    let bytes = state
        .store
        .attachment(in_org.org.id, id)
        .await?
        .ok_or_else(|| ApiError::not_found("attachment"))?;
    let owner = EnvelopeRef::parse(&bytes)
        .map(|e| e.header().owner)
        .map_err(|e| ApiError::internal("a stored attachment", e))?;
    let user = in_org.user.to_bytes();
    if stint_domain::record_access(in_org.actor.role, user, Kind::Attachment, owner, false).is_err()
    {
        return Err(ApiError::not_found("attachment"));
    }
    Ok((
        StatusCode::OK,
        [(header::CONTENT_TYPE, ENVELOPE_MEDIA_TYPE)],
        bytes,
    )
        .into_response())
}
