//! Sync from the window: a round every minute while the vault is open and this device syncs (signed
//! in to a server, with its account's keys set up), and at once on "Sync now". The window sees a
//! [`SyncStatus`] (the `sync-changed` event and `sync_status`) and hears `sync-received` when a
//! round brought records, to read its views again.

use std::sync::atomic::Ordering;
use std::time::Duration;

use serde::Serialize;
use stint_engine::Engine;
use tauri::{AppHandle, Emitter, Manager, State};
use tokio::sync::Notify;

use crate::{Reply, Shell, message};

/// How often a round runs on its own.
const EVERY: Duration = Duration::from_secs(60);

/// How often the loop looks for changes made here since the last round (a count of the outbox):
/// a change goes out within this, without waiting for the minute.
const SOON: Duration = Duration::from_secs(5);

/// How long "is the server there at all?" waits: before a round or a command takes the session for
/// work over the network, and after a round failed (offline, or a problem).
pub(crate) const PROBE: Duration = Duration::from_secs(5);

pub const SYNC_CHANGED: &str = "sync-changed";
pub const SYNC_RECEIVED: &str = "sync-received";

/// Where sync stands, as the header shows it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum SyncState {
    /// This device does not sync: not signed in, or its account's keys are not set up here.
    Off,
    /// A round is under way.
    Syncing,
    /// The last round sent and received everything.
    Synced,
    /// The last round ended with changes of this device still to send (`pending`).
    Waiting,
    /// The server could not be reached: changes wait here and go at the next round.
    Offline,
    /// The server answered, but the round failed (`problem` says why).
    Problem,
}

/// What the header shows of sync.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, ts_rs::TS)]
#[ts(export)]
pub struct SyncStatus {
    pub state: SyncState,
    /// When a round last finished without an error (RFC 3339), this session.
    #[ts(type = "string | null")]
    pub last_synced: Option<jiff::Timestamp>,
    /// Changes of this device not on the server yet.
    #[ts(type = "number")]
    pub pending: u64,
    /// Why the last round failed, in a sentence.
    pub problem: Option<String>,
}

impl Default for SyncStatus {
    fn default() -> SyncStatus {
        SyncStatus {
            state: SyncState::Off,
            last_synced: None,
            pending: 0,
            problem: None,
        }
    }
}

/// The managed state: the latest status, a bell that starts a round now, and how many changes
/// waited to be sent when the last round ended.
#[derive(Default)]
pub struct Syncer {
    status: std::sync::Mutex<SyncStatus>,
    wake: Notify,
    outbox_after: std::sync::atomic::AtomicU64,
}

impl Syncer {
    fn status(&self) -> SyncStatus {
        self.status
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()
    }

    fn set(&self, app: &AppHandle, change: impl FnOnce(&mut SyncStatus)) -> SyncStatus {
        let status = {
            let mut status = self
                .status
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            change(&mut status);
            status.clone()
        };
        let _ = app.emit(SYNC_CHANGED, &status);
        status
    }

    /// A round at once, outside the minute's rhythm (after an unlock or a sign-in).
    pub fn nudge(&self) {
        self.wake.notify_one();
    }
}

/// Runs a round every minute, when nudged, or soon after a change made here, for as long as the
/// app runs.
pub fn run(app: AppHandle) {
    tauri::async_runtime::spawn(async move {
        let mut last = tokio::time::Instant::now();
        loop {
            let syncer = app.state::<Syncer>();
            let nudged = tokio::time::timeout(SOON, syncer.wake.notified())
                .await
                .is_ok();
            if nudged || last.elapsed() >= EVERY || changed_here(&app).await {
                round(&app).await;
                last = tokio::time::Instant::now();
            }
        }
    });
}

/// Whether this device made changes since the last round ended, while sync is working (offline,
/// or with a problem, the minute's round tries again instead).
async fn changed_here(app: &AppHandle) -> bool {
    let syncer = app.state::<Syncer>();
    if !matches!(
        syncer.status().state,
        SyncState::Synced | SyncState::Waiting
    ) {
        return false;
    }
    let shell = app.state::<Shell>();
    let session = shell.session.lock().await;
    let Some(engine) = session.engine.as_ref() else {
        return false;
    };
    engine
        .outbox_len()
        .await
        .is_ok_and(|now| now > syncer.outbox_after.load(Ordering::Relaxed))
}

/// One round, if this device syncs; the status it ends with.
///
/// The round holds the session (every command of the window waits for it) only while it works on
/// the vault. Whether the server answers at all is asked first, without it: on a network that
/// swallows packets the round's own requests would hold the window for their whole timeout.
async fn round(app: &AppHandle) -> SyncStatus {
    let syncer = app.state::<Syncer>();
    let shell = app.state::<Shell>();
    let server = {
        let session = shell.session.lock().await;
        let Some(engine) = session.engine.as_ref() else {
            return syncer.set(app, |s| *s = SyncStatus::default());
        };
        match syncing_account(engine).await {
            Ok(Some(account)) => account.server,
            Ok(None) => return syncer.set(app, |s| *s = SyncStatus::default()),
            Err(problem) => return syncer.set(app, |s| failed(s, false, problem.message)),
        }
    };
    syncer.set(app, |s| s.state = SyncState::Syncing);
    if !stint_sync::reachable(&server, PROBE).await {
        let pending = match shell.session.lock().await.engine.as_ref() {
            Some(engine) => engine.outbox_len().await.unwrap_or(0),
            None => 0,
        };
        return syncer.set(app, |s| {
            failed(s, true, format!("{server} does not answer"));
            s.pending = pending;
        });
    }
    // The session again, as it is now: the vault may have been locked, or the device signed out,
    // while the server was asked.
    let mut session = shell.session.lock().await;
    let Some(engine) = session.engine.as_mut() else {
        return syncer.set(app, |s| *s = SyncStatus::default());
    };
    let account = match syncing_account(engine).await {
        Ok(Some(account)) => account,
        Ok(None) => return syncer.set(app, |s| *s = SyncStatus::default()),
        Err(problem) => return syncer.set(app, |s| failed(s, false, problem.message)),
    };
    let outcome = async {
        let t = stint_sync::connect(engine, account.clone()).await?;
        engine.sync(&t).await.map_err(message)
    }
    .await;
    match outcome {
        Ok(reports) => {
            let pending = reports.iter().map(|(_, r)| r.pending).sum::<u64>();
            let received = reports.iter().map(|(_, r)| r.received).sum::<usize>();
            let now = engine.now();
            // What stays in the outbox (an unpublished organization's changes, or ones waiting
            // for a key) is not news to the next look.
            let left = engine.outbox_len().await.unwrap_or(0);
            syncer.outbox_after.store(left, Ordering::Relaxed);
            drop(session);
            if received > 0 {
                let _ = app.emit(SYNC_RECEIVED, received);
            }
            syncer.set(app, |s| {
                s.state = if pending > 0 {
                    SyncState::Waiting
                } else {
                    SyncState::Synced
                };
                s.last_synced = Some(now);
                s.pending = pending;
                s.problem = None;
            })
        }
        Err(problem) => {
            let pending = engine.outbox_len().await.unwrap_or(0);
            drop(session);
            let offline = !stint_sync::reachable(&account.server, PROBE).await;
            syncer.set(app, |s| {
                failed(s, offline, problem.message);
                s.pending = pending;
            })
        }
    }
}

fn failed(status: &mut SyncStatus, offline: bool, problem: String) {
    status.state = if offline {
        SyncState::Offline
    } else {
        SyncState::Problem
    };
    status.problem = Some(problem);
}

/// The stored sign-in, if this device syncs: signed in, and its account's keys set up here.
async fn syncing_account(engine: &Engine) -> Reply<Option<stint_engine::ServerAccount>> {
    let Some(account) = engine.server_account().await.map_err(message)? else {
        return Ok(None);
    };
    if engine.sync_account().await.map_err(message)?.is_none() {
        return Ok(None);
    }
    Ok(Some(account))
}

/// Where sync stands now.
#[tauri::command]
pub async fn sync_status(syncer: State<'_, Syncer>) -> Reply<SyncStatus> {
    Ok(syncer.status())
}

/// A round now ("Sync now"); the status it ended with.
#[tauri::command]
pub async fn sync_now(app: AppHandle) -> Reply<SyncStatus> {
    Ok(round(&app).await)
}
