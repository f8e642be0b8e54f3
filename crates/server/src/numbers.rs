//! Invoice numbers in a synced organization (docs/sync.md, "Invoice numbers"): handed out here, in
//! one transaction under the organization's write lock, so that people issuing at the same moment
//! on different devices get numbers in a row, never the same one and never a gap. The series is
//! named by a keyed hash the server cannot read (an invoice prefix stays private); an invoice asking
//! again gets the number it was given.

use axum::extract::State;
use axum::http::StatusCode;
use stint_domain::role::grant;
use stint_domain::{Action, Scope};
use stint_protocol as wire;

use crate::app::{Shared, now};
use crate::error::{ApiError, ApiResult, Json};
use crate::orgs::InOrg;
use crate::store::StoreError;

/// The largest `after` taken: far beyond any real series, well within the store's integers.
pub const MAX_AFTER: u64 = 1_000_000_000_000;

/// `POST /api/v1/orgs/{org}/invoice-numbers`: the number of an invoice being issued, for the roles
/// that may finalize invoices (Owner, Admin).
pub async fn issue(
    State(state): State<Shared>,
    in_org: InOrg,
    Json(body): Json<wire::InvoiceNumberRequest>,
) -> ApiResult<Json<wire::InvoiceNumber>> {
    if grant(in_org.actor.role, Action::FinalizeInvoice) != Scope::All {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "forbidden",
            format!(
                "{} may not issue invoices",
                in_org.actor.role.with_article()
            ),
        ));
    }
    let series: [u8; 32] = hex::decode(&body.series)
        .ok()
        .filter(|_| {
            body.series
                .bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
        })
        .and_then(|b| b.try_into().ok())
        .ok_or_else(|| ApiError::invalid("series is a keyed hash: 64 lowercase hex digits"))?;
    if body.after > MAX_AFTER {
        return Err(ApiError::invalid(format!("after is at most {MAX_AFTER}")));
    }
    match state
        .store
        .invoice_number(
            in_org.org.id,
            &series,
            body.invoice,
            body.after,
            in_org.user,
            now(),
        )
        .await
    {
        Ok(number) => Ok(Json(wire::InvoiceNumber { number })),
        Err(StoreError::Conflict(_)) => Err(ApiError::conflict(
            "other_series",
            "this invoice was given a number in another series",
        )),
        Err(e) => Err(e.into()),
    }
}
