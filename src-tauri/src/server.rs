//! This device's sign-in to a sync server, from the window: through the system browser (RFC 8252,
//! `stint-signin`), so that passkeys and security keys work and the app never sees a password.
//! The tokens stay sealed in the vault; the window only ever sees the server and the email.

use std::sync::Arc;
use std::time::Duration;

use stint_engine::{ServerAccount, ServerSignIn};
use stint_signin::SignInError;
use tauri::State;
use tokio::sync::Notify;

use crate::{Reply, Shell, message};

/// How long the app waits for the browser to come back.
const SIGN_IN_WAIT: Duration = Duration::from_secs(10 * 60);

/// The sign-in under way, if any: notified to give it up.
#[derive(Default)]
pub struct SigningIn(tokio::sync::Mutex<Option<Arc<Notify>>>);

fn refused(e: SignInError) -> String {
    e.to_string()
}

/// The server this device is signed in to, if any (read from the vault; no network).
#[tauri::command]
pub async fn server_sign_in_status(shell: State<'_, Shell>) -> Reply<Option<ServerSignIn>> {
    let mut session = shell.session.lock().await;
    let engine = session.engine()?;
    Ok(engine
        .server_account()
        .await
        .map_err(message)?
        .map(|a| a.public()))
}

/// Signs in to `server` through the system browser (`$BROWSER` where set): opens the server's
/// sign-in page and waits for it to come back to this app. Replaces an earlier sign-in.
#[tauri::command]
pub async fn server_sign_in(
    shell: State<'_, Shell>,
    signing_in: State<'_, SigningIn>,
    syncer: State<'_, crate::syncing::Syncer>,
    server: String,
) -> Reply<ServerSignIn> {
    let server = stint_signin::server_origin(&server).map_err(refused)?;
    shell.session.lock().await.engine()?;
    let cancel = Arc::new(Notify::new());
    if let Some(earlier) = signing_in.0.lock().await.replace(cancel.clone()) {
        earlier.notify_one();
    }
    let device = stint_engine::device_name::this_device();
    let handoff = stint_signin::through_browser(&server, &device, SIGN_IN_WAIT, |url| {
        webbrowser::open(url.as_str())
    });
    let grant = tokio::select! {
        grant = handoff => grant,
        () = cancel.notified() => return Err("the sign-in was cancelled".into()),
    };
    {
        let mut current = signing_in.0.lock().await;
        if current.as_ref().is_some_and(|c| Arc::ptr_eq(c, &cancel)) {
            *current = None;
        }
    }
    let grant = grant.map_err(refused)?;
    let me = stint_signin::account(&server, &grant.access_token)
        .await
        .map_err(refused)?;
    let mut session = shell.session.lock().await;
    let engine = match session.engine() {
        Ok(engine) => engine,
        Err(locked) => {
            // Locked meanwhile: nowhere to keep the session, so it ends.
            let _ = stint_signin::sign_out(&server, &grant.access_token).await;
            return Err(locked);
        }
    };
    let account = ServerAccount {
        server,
        email: me.email,
        session: grant.session.to_string(),
        token: grant.access_token,
        refresh_token: Some(grant.refresh_token),
        token_expires: Some(engine.now().as_second() + grant.expires_in),
    };
    engine.set_server_account(&account).await.map_err(message)?;
    syncer.nudge();
    Ok(account.public())
}

/// Opens the server's sign-up page in the system browser, for someone without an account there.
#[tauri::command]
pub async fn open_sign_up(server: String) -> Reply<()> {
    let server = stint_signin::server_origin(&server).map_err(refused)?;
    let page = format!("{}/sign-up", server.trim_end_matches('/'));
    webbrowser::open(&page).map_err(|e| format!("cannot open the browser: {e}").into())
}

/// Gives up the sign-in under way (the browser's page may still be open; its redirect then finds
/// no one listening).
#[tauri::command]
pub async fn server_sign_in_cancel(signing_in: State<'_, SigningIn>) -> Reply<()> {
    if let Some(current) = signing_in.0.lock().await.take() {
        current.notify_one();
    }
    Ok(())
}

/// Ends this device's session on the server and forgets it here. Forgotten here even when the
/// server cannot be reached (the session then ends from another device's session list, or expires).
#[tauri::command]
pub async fn server_sign_out(
    shell: State<'_, Shell>,
    syncer: State<'_, crate::syncing::Syncer>,
) -> Reply<()> {
    let mut session = shell.session.lock().await;
    let engine = session.engine()?;
    let Some(account) = engine.server_account().await.map_err(message)? else {
        return Ok(());
    };
    if let Ok(account) = stint_sync::renewed(engine, account).await {
        let _ = stint_signin::sign_out(&account.server, &account.token).await;
    }
    engine.forget_server_account().await.map_err(message)?;
    drop(session);
    syncer.nudge();
    Ok(())
}
