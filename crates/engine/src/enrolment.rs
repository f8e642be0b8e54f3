//! Enrolling this device from another one of the account by short code (docs/sync.md, "A second
//! device"). The new device leaves a request and shows a code and its fingerprint; the person types
//! the code on an enrolled device, which answers with the account key sealed under what SPAKE2 with
//! the code gives both (`stint_crypto::EnrolmentCode`); the new device opens it, then joins as with
//! the recovery key. A wrong code, or anything the server changed, fails on the new device before
//! it uploads anything.

use stint_crypto::{EnrolmentCode, EnrolmentRequest, PendingEnrolment, answer_enrolment};
use stint_domain::MemberId;
use stint_vault::Zeroizing;

use crate::sync::{Transport, sync_error};
use crate::{Engine, EngineError, Result};

/// How many fresh nameplates a new device tries before giving up (each taken one is another live
/// request of the account).
const NAMEPLATE_TRIES: usize = 8;

/// A new device waiting for its answer.
#[derive(Debug)]
pub struct WaitingEnrolment {
    code: EnrolmentCode,
    pending: PendingEnrolment,
    user: MemberId,
}

impl WaitingEnrolment {
    /// The code to type on an enrolled device, like `482-K7Q2-9XMD`.
    pub fn code(&self) -> Zeroizing<String> {
        self.code.to_text()
    }

    /// The digits this device shows; the approving device shows the same for this request.
    pub fn fingerprint(&self) -> String {
        self.pending.request().fingerprint()
    }
}

/// A device an enrolled one approved.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, ts_rs::TS)]
#[ts(export)]
pub struct ApprovedDevice {
    /// Its id, 32 hex digits.
    pub id: String,
    /// The digits the new device shows.
    pub fingerprint: String,
}

impl Engine {
    /// The new device: leaves its enrolment request on the server. Only on a device that is not
    /// set up for sync and has no organizations of its own, signed in to an account that has an
    /// identity.
    pub async fn request_enrolment<T: Transport>(&self, t: &T) -> Result<WaitingEnrolment> {
        self.may_join().await?;
        let user = t.account().await.map_err(sync_error)?;
        if t.identity().await.map_err(sync_error)?.is_none() {
            return Err(sync_error(
                "this account has no identity yet: set up sync on your first device",
            ));
        }
        for _ in 0..NAMEPLATE_TRIES {
            let code = EnrolmentCode::generate();
            let (pending, request) = stint_crypto::request_enrolment(
                &code,
                &user.to_bytes(),
                &self.keys.device_id(),
                &self.keys.verifying_key(),
                &self.keys.sealing_key().public_key(),
            )
            .map_err(sync_error)?;
            if t.create_enrolment(code.nameplate(), &request)
                .await
                .map_err(sync_error)?
            {
                return Ok(WaitingEnrolment {
                    code,
                    pending,
                    user,
                });
            }
        }
        Err(sync_error(
            "no free code for this account right now; try again in a minute",
        ))
    }

    /// The new device: the answer, once an enrolled device gave one (`None` until then).
    /// [`EngineError::Expired`] once the request is gone from the server; [`EngineError::Sync`]
    /// when the server could not be asked (worth asking again).
    pub async fn enrolment_answer<T: Transport>(
        &self,
        t: &T,
        waiting: &WaitingEnrolment,
    ) -> Result<Option<Vec<u8>>> {
        match t
            .enrolment(waiting.code.nameplate())
            .await
            .map_err(sync_error)?
        {
            Some((_, answer)) => Ok(answer),
            None => Err(EngineError::Expired(
                "the enrolment request expired or was cancelled: run `stint device enrol` again"
                    .into(),
            )),
        }
    }

    /// The new device: opens the answer and joins the account. The request is forgotten on the
    /// server either way; a wrong code fails here, before anything is uploaded.
    pub async fn finish_enrolment<T: Transport>(
        &mut self,
        t: &T,
        waiting: WaitingEnrolment,
        answer: &[u8],
    ) -> Result<()> {
        let WaitingEnrolment {
            code,
            pending,
            user,
        } = waiting;
        // A request is for one answer: a second try makes a new code.
        t.delete_enrolment(code.nameplate())
            .await
            .map_err(sync_error)?;
        let account_key = pending.finish(answer).map_err(|_| {
            sync_error(
                "the approving device did not use this device's code (or something between them \
                 changed the answer): nothing was enrolled; run `stint device enrol` for a new code",
            )
        })?;
        let stored = t
            .identity()
            .await
            .map_err(sync_error)?
            .ok_or_else(|| sync_error("this account has no identity on the server"))?;
        self.join(t, user, &account_key, &stored).await
    }

    /// An enrolled device approves the request a new device shows `code` for: answers it with
    /// the account key, sealed so that only the device that made the code opens it.
    pub async fn approve_device<T: Transport>(&self, t: &T, code: &str) -> Result<ApprovedDevice> {
        let user = self
            .sync_account()
            .await?
            .ok_or_else(|| sync_error("this device is not set up for sync yet"))?;
        let code = EnrolmentCode::from_text(code).map_err(sync_error)?;
        let (request, answer) = t
            .enrolment(code.nameplate())
            .await
            .map_err(sync_error)?
            .ok_or_else(|| {
                sync_error(
                    "no device is waiting for that code: check it, or make a new one on the new \
                     device (codes last ten minutes)",
                )
            })?;
        if answer.is_some() {
            return Err(sync_error("that code has been used already"));
        }
        let account_key = self.account_key().await?;
        let (answer, seen): (Vec<u8>, EnrolmentRequest) =
            answer_enrolment(&code, &user.to_bytes(), &request, &account_key)
                .map_err(sync_error)?;
        t.answer_enrolment(code.nameplate(), &answer)
            .await
            .map_err(sync_error)?;
        Ok(ApprovedDevice {
            id: crate::hex(&seen.device),
            fingerprint: seen.fingerprint(),
        })
    }
}
