//! Bringing a new device into this account from the window (docs/sync.md, "A second device"): the
//! new device shows a code and its fingerprint and waits while an enrolled device approves it, or
//! takes the recovery key; an enrolled device approves another by the code it shows. A wrong code
//! or key fails on the new device before anything is uploaded.

use std::time::Duration;

use serde::Serialize;
use stint_engine::{ApprovedDevice, EngineError, WaitingEnrolment};
use stint_sync::ConnectError;
use tauri::State;
use zeroize::Zeroizing;

use crate::syncing::Syncer;
use crate::team::{server_answers, transport};
use crate::{Reply, Shell, message};

/// How long a new device waits for its approval: as long as the server keeps the request.
const WAIT: Duration = Duration::from_secs(10 * 60);
/// How often it asks.
const POLL: Duration = Duration::from_secs(1);

/// The request this device left on the server, while it waits for an answer.
#[derive(Default)]
pub struct Enrolling(tokio::sync::Mutex<Option<WaitingEnrolment>>);

/// What the new device shows while it waits.
#[derive(Clone, Debug, Serialize, ts_rs::TS)]
#[ts(export)]
pub struct EnrolmentCode {
    /// To type on an enrolled device, like `482-K7Q2-9XMD`.
    pub code: String,
    /// The digits both devices show for this request.
    pub fingerprint: String,
}

/// Leaves an enrolment request on the server: the code to type on an enrolled device, and this
/// request's fingerprint. Replaces a request made before. (The session is let go before the
/// request is kept: `enrol_wait` takes them in the other order.)
#[tauri::command]
pub async fn enrol_request(
    shell: State<'_, Shell>,
    enrolling: State<'_, Enrolling>,
) -> Reply<EnrolmentCode> {
    server_answers(&shell).await?;
    let waiting = {
        let mut session = shell.session.lock().await;
        let engine = session.engine()?;
        let t = transport(engine).await?;
        engine.request_enrolment(&t).await.map_err(message)?
    };
    let shown = EnrolmentCode {
        code: waiting.code().to_string(),
        fingerprint: waiting.fingerprint(),
    };
    *enrolling.0.lock().await = Some(waiting);
    Ok(shown)
}

/// Waits for an enrolled device's answer to the request, then joins the account with it; a round
/// then brings the organizations. Ends with an error when the request expires or is cancelled.
#[tauri::command]
pub async fn enrol_wait(
    shell: State<'_, Shell>,
    enrolling: State<'_, Enrolling>,
    syncer: State<'_, Syncer>,
) -> Reply<()> {
    let deadline = tokio::time::Instant::now() + WAIT;
    loop {
        {
            let mut request = enrolling.0.lock().await;
            let Some(waiting) = request.as_ref() else {
                return Err("the enrolment was cancelled".into());
            };
            let mut session = shell.session.lock().await;
            let engine = session.engine()?;
            let answer = match transport(engine).await {
                Ok(t) => engine.enrolment_answer(&t, waiting).await.map(|a| (t, a)),
                // The network failing as the access token is renewed: the request lives on, and
                // so does the session, so keep asking.
                Err(ConnectError::Unreachable(reason)) => Err(EngineError::Sync(reason)),
                Err(failed) => return Err(failed.into()),
            };
            match answer {
                Ok((t, Some(answer))) => {
                    let Some(waiting) = request.take() else {
                        return Err("the enrolment was cancelled".into());
                    };
                    engine
                        .finish_enrolment(&t, waiting, &answer)
                        .await
                        .map_err(message)?;
                    drop(session);
                    syncer.nudge();
                    return Ok(());
                }
                Ok((_, None)) => {}
                // The network failing for a moment: the request lives on, so keep asking.
                Err(EngineError::Sync(_)) => {}
                Err(e) => {
                    request.take();
                    return Err(message(e));
                }
            }
        }
        if tokio::time::Instant::now() >= deadline {
            enrolling.0.lock().await.take();
            return Err(
                "no device approved this one within ten minutes: ask for a new code".into(),
            );
        }
        tokio::time::sleep(POLL).await;
    }
}

/// Gives up waiting (the request on the server expires by itself).
#[tauri::command]
pub async fn enrol_cancel(enrolling: State<'_, Enrolling>) -> Reply<()> {
    enrolling.0.lock().await.take();
    Ok(())
}

/// Enrols this device with the recovery key as written down; a wrong key fails before anything
/// changes. A round then brings the organizations.
#[tauri::command]
pub async fn enrol_with_recovery_key(
    shell: State<'_, Shell>,
    syncer: State<'_, Syncer>,
    key: String,
) -> Reply<()> {
    let key = Zeroizing::new(key);
    server_answers(&shell).await?;
    let mut session = shell.session.lock().await;
    let engine = session.engine()?;
    let t = transport(engine).await?;
    engine.restore_sync(&t, &key).await.map_err(message)?;
    drop(session);
    syncer.nudge();
    Ok(())
}

/// On an enrolled device: approves the new device showing `code`; its id and the fingerprint to
/// compare with the one it shows.
#[tauri::command]
pub async fn approve_device(shell: State<'_, Shell>, code: String) -> Reply<ApprovedDevice> {
    server_answers(&shell).await?;
    let mut session = shell.session.lock().await;
    let engine = session.engine()?;
    let t = transport(engine).await?;
    engine.approve_device(&t, &code).await.map_err(message)
}
