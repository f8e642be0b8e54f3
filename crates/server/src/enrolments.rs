//! Enrolling a device by short code (docs/sync.md, "A second device"): the new device leaves its
//! request under the three-digit nameplate of the code it shows; an enrolled device of the same
//! account, given the code, reads the request and answers it once; the new device reads the answer
//! and forgets the request. The server checks shapes and keeps each request ten minutes. It cannot
//! open an answer or test a guess of the code: both devices run SPAKE2 through it
//! (`stint_crypto::EnrolmentCode`).

use axum::extract::State;
use axum::http::StatusCode;
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use stint_crypto::{ENROLMENT_ANSWER_LEN, ENROLMENT_VERSION, EnrolmentRequest, NAMEPLATES};
use stint_protocol as wire;

use crate::app::{Authed, Shared, now};
use crate::error::{ApiError, ApiResult, Json, Path};
use crate::store::enrolments::{Answered, Created, MAX_LIVE_PER_ACCOUNT};

/// How long a request waits for its answer.
pub const ENROLMENT_TTL_SECS: i64 = 10 * 60;

fn decode(field: &str, value: &str) -> ApiResult<Vec<u8>> {
    B64.decode(value)
        .map_err(|_| ApiError::invalid(format!("{field} is not standard base64")))
}

fn nameplate(id: &str) -> ApiResult<u16> {
    id.parse::<u16>()
        .ok()
        .filter(|n| NAMEPLATES.contains(n))
        .ok_or_else(|| ApiError::not_found("enrolment request"))
}

/// `POST /api/v1/enrolments`.
pub async fn create(
    State(state): State<Shared>,
    authed: Authed,
    Json(body): Json<wire::EnrolmentUpload>,
) -> ApiResult<StatusCode> {
    if !NAMEPLATES.contains(&body.nameplate) {
        return Err(ApiError::invalid("nameplate is three digits, 100 to 999"));
    }
    let request = decode("request", &body.request)?;
    EnrolmentRequest::parse(&request)
        .map_err(|e| ApiError::invalid(format!("request is not an enrolment request: {e}")))?;
    let at = now();
    match state
        .store
        .create_enrolment(
            authed.user,
            body.nameplate,
            &request,
            at,
            at + ENROLMENT_TTL_SECS,
        )
        .await?
    {
        Created::Created => Ok(StatusCode::CREATED),
        Created::Taken => Err(ApiError::conflict(
            "nameplate_taken",
            "another request of this account waits under that nameplate; make a new code",
        )),
        Created::TooMany => Err(ApiError::too_many(
            "too_many_enrolments",
            format!(
                "this account has {MAX_LIVE_PER_ACCOUNT} devices waiting to be enrolled; approve \
                 or cancel one, or wait ten minutes"
            ),
            60,
        )),
    }
}

/// `GET /api/v1/enrolments/{id}`.
pub async fn get(
    State(state): State<Shared>,
    authed: Authed,
    Path(id): Path<String>,
) -> ApiResult<Json<wire::EnrolmentInfo>> {
    let nameplate = nameplate(&id)?;
    let row = state
        .store
        .enrolment(authed.user, nameplate, now())
        .await?
        .ok_or_else(|| ApiError::not_found("enrolment request"))?;
    Ok(Json(wire::EnrolmentInfo {
        nameplate,
        request: B64.encode(&row.request),
        answer: row.answer.map(|a| B64.encode(a)),
        expires_at: row.expires_at,
    }))
}

/// `PUT /api/v1/enrolments/{id}/answer`.
pub async fn answer(
    State(state): State<Shared>,
    authed: Authed,
    Path(id): Path<String>,
    Json(body): Json<wire::EnrolmentAnswer>,
) -> ApiResult<StatusCode> {
    let nameplate = nameplate(&id)?;
    let answer = decode("answer", &body.answer)?;
    if answer.len() != ENROLMENT_ANSWER_LEN || answer[0] != ENROLMENT_VERSION {
        return Err(ApiError::invalid(
            "answer is not an enrolment answer (106 bytes, version 1)",
        ));
    }
    match state
        .store
        .answer_enrolment(authed.user, nameplate, &answer, now())
        .await?
    {
        Answered::Answered => Ok(StatusCode::NO_CONTENT),
        Answered::Missing => Err(ApiError::not_found("enrolment request")),
        Answered::Already => Err(ApiError::conflict(
            "already_answered",
            "that request has been answered already",
        )),
    }
}

/// `DELETE /api/v1/enrolments/{id}`.
pub async fn delete(
    State(state): State<Shared>,
    authed: Authed,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    let nameplate = nameplate(&id)?;
    if state.store.delete_enrolment(authed.user, nameplate).await? {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(ApiError::not_found("enrolment request"))
    }
}
