//! Enrolment requests (docs/sync.md, "A second device"): a new device's request under a three-digit
//! nameplate and, once an enrolled device of the same account answers, the answer. Both are opaque
//! SPAKE2 messages and a sealed key; a request lives ten minutes. One SQL text serves both backends.

use async_trait::async_trait;
use ulid::Ulid;

use super::StoreResult;

/// Most live requests one account may have at once.
pub const MAX_LIVE_PER_ACCOUNT: i64 = 3;

/// A live enrolment request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnrolmentRow {
    pub request: Vec<u8>,
    pub answer: Option<Vec<u8>>,
    pub expires_at: i64,
}

/// What storing a request did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Created {
    Created,
    /// The nameplate is taken by a live request of the account.
    Taken,
    /// The account has [`MAX_LIVE_PER_ACCOUNT`] live requests.
    TooMany,
}

/// What answering a request did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Answered {
    Answered,
    /// No live request under that nameplate.
    Missing,
    /// It has an answer already.
    Already,
}

#[async_trait]
pub trait EnrolmentStore {
    /// Stores a request, forgetting the account's expired ones first.
    async fn create_enrolment(
        &self,
        user: Ulid,
        nameplate: u16,
        request: &[u8],
        now: i64,
        expires_at: i64,
    ) -> StoreResult<Created>;
    /// The live request under `nameplate`.
    async fn enrolment(
        &self,
        user: Ulid,
        nameplate: u16,
        now: i64,
    ) -> StoreResult<Option<EnrolmentRow>>;
    /// Stores the one answer to a live request.
    async fn answer_enrolment(
        &self,
        user: Ulid,
        nameplate: u16,
        answer: &[u8],
        now: i64,
    ) -> StoreResult<Answered>;
    /// Forgets a request; `false` if there was none.
    async fn delete_enrolment(&self, user: Ulid, nameplate: u16) -> StoreResult<bool>;
}

macro_rules! enrolment_store {
    ($store:ty) => {
        #[async_trait::async_trait]
        impl $crate::store::enrolments::EnrolmentStore for $store {
            async fn create_enrolment(
                &self,
                user: ulid::Ulid,
                nameplate: u16,
                request: &[u8],
                now: i64,
                expires_at: i64,
            ) -> $crate::store::StoreResult<$crate::store::enrolments::Created> {
                use $crate::store::enrolments::{Created, MAX_LIVE_PER_ACCOUNT};
                let mut tx = self.pool.begin().await?;
                sqlx::query("DELETE FROM enrolments WHERE user_id = $1 AND expires_at <= $2")
                    .bind(user.to_string())
                    .bind(now)
                    .execute(&mut *tx)
                    .await?;
                // One statement, so two requests at once cannot both pass the limit.
                let result = sqlx::query(
                    "INSERT INTO enrolments (user_id, nameplate, request, created_at, expires_at) \
                     SELECT $1, $2, $3, $4, $5 \
                     WHERE (SELECT count(*) FROM enrolments WHERE user_id = $1) < $6",
                )
                .bind(user.to_string())
                .bind(i32::from(nameplate))
                .bind(request)
                .bind(now)
                .bind(expires_at)
                .bind(MAX_LIVE_PER_ACCOUNT)
                .execute(&mut *tx)
                .await;
                let created = match result {
                    Ok(done) if done.rows_affected() == 1 => Created::Created,
                    Ok(_) => Created::TooMany,
                    Err(sqlx::Error::Database(e)) if e.is_unique_violation() => Created::Taken,
                    Err(e) => return Err(e.into()),
                };
                tx.commit().await?;
                Ok(created)
            }

            async fn enrolment(
                &self,
                user: ulid::Ulid,
                nameplate: u16,
                now: i64,
            ) -> $crate::store::StoreResult<Option<$crate::store::enrolments::EnrolmentRow>> {
                let row: Option<(Vec<u8>, Option<Vec<u8>>, i64)> = sqlx::query_as(
                    "SELECT request, answer, expires_at FROM enrolments \
                     WHERE user_id = $1 AND nameplate = $2 AND expires_at > $3",
                )
                .bind(user.to_string())
                .bind(i32::from(nameplate))
                .bind(now)
                .fetch_optional(&self.pool)
                .await?;
                Ok(row.map(|(request, answer, expires_at)| {
                    $crate::store::enrolments::EnrolmentRow {
                        request,
                        answer,
                        expires_at,
                    }
                }))
            }

            async fn answer_enrolment(
                &self,
                user: ulid::Ulid,
                nameplate: u16,
                answer: &[u8],
                now: i64,
            ) -> $crate::store::StoreResult<$crate::store::enrolments::Answered> {
                use $crate::store::enrolments::Answered;
                let done = sqlx::query(
                    "UPDATE enrolments SET answer = $3 \
                     WHERE user_id = $1 AND nameplate = $2 AND expires_at > $4 AND answer IS NULL",
                )
                .bind(user.to_string())
                .bind(i32::from(nameplate))
                .bind(answer)
                .bind(now)
                .execute(&self.pool)
                .await?;
                if done.rows_affected() == 1 {
                    return Ok(Answered::Answered);
                }
                Ok(match self.enrolment(user, nameplate, now).await? {
                    Some(_) => Answered::Already,
                    None => Answered::Missing,
                })
            }

            async fn delete_enrolment(
                &self,
                user: ulid::Ulid,
                nameplate: u16,
            ) -> $crate::store::StoreResult<bool> {
                let done =
                    sqlx::query("DELETE FROM enrolments WHERE user_id = $1 AND nameplate = $2")
                        .bind(user.to_string())
                        .bind(i32::from(nameplate))
                        .execute(&self.pool)
                        .await?;
                Ok(done.rows_affected() == 1)
            }
        }
    };
}
pub(crate) use enrolment_store;
