//! What sync left for the person to look at, in the chosen organization: fields two devices
//! changed at once (the value kept everywhere and the one that lost, to keep or put back), and
//! records the server sent that failed their checks (kept aside, never shown, tried again each
//! round).

use serde::Serialize;
use stint_engine::{ConflictView, QuarantineView};
use tauri::State;

use crate::syncing::Syncer;
use crate::{Reply, Shell, message};

/// The review list.
#[derive(Clone, Debug, Serialize, ts_rs::TS)]
#[ts(export)]
pub struct Review {
    pub conflicts: Vec<ConflictView>,
    pub refused: Vec<QuarantineView>,
}

#[tauri::command]
pub async fn review(shell: State<'_, Shell>) -> Reply<Review> {
    let mut session = shell.session.lock().await;
    let (engine, by) = session.acting()?;
    let conflicts = engine.conflicts(&by).await.map_err(message)?;
    let refused = engine
        .refused_envelopes()
        .await
        .map_err(message)?
        .into_iter()
        .filter(|q| q.org == by.org)
        .collect();
    Ok(Review { conflicts, refused })
}

/// Keeps the merged values of conflict `number`, or (`put_back`) writes the lost ones back as a
/// new edit, which the next round sends.
#[tauri::command]
pub async fn resolve_conflict(
    shell: State<'_, Shell>,
    syncer: State<'_, Syncer>,
    number: i64,
    put_back: bool,
) -> Reply<()> {
    let mut session = shell.session.lock().await;
    let (engine, by) = session.acting()?;
    engine
        .resolve_conflict(&by, number, put_back)
        .await
        .map_err(message)?;
    drop(session);
    if put_back {
        syncer.nudge();
    }
    Ok(())
}

/// Forgets the refused records kept for the chosen organization; how many.
#[tauri::command]
pub async fn forget_refused(shell: State<'_, Shell>) -> Reply<u64> {
    let mut session = shell.session.lock().await;
    let (engine, by) = session.acting()?;
    engine.forget_refused(by.org).await.map_err(message)
}
