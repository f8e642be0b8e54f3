//! An organization's sync from Settings: publishing it (setting up this account's keys on first
//! use, and showing the recovery key once, kept until the person proves they wrote it down), its
//! members on the server (invite, confirm by fingerprint, change role, remove) and this account's
//! devices. Each command reaches the server through the stored sign-in, renewed when due.

use serde::{Deserialize, Serialize};
use stint_domain::{Action, MemberId, Role, Scope};
use stint_engine::sync::DeviceSummary;
use stint_engine::{ActAs, Engine, Joined, Newcomer, PaperSize};
use stint_sync::{ConnectError, HttpTransport};
use tauri::State;

use crate::syncing::{PROBE, Syncer};
use crate::{Failure, FailureCode, Reply, Shell, message, save_download};

/// Where the chosen organization stands with sync.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, ts_rs::TS)]
#[ts(export)]
pub struct OrgSync {
    /// Signed in to a sync server.
    pub signed_in: bool,
    /// This account's keys are on this device.
    pub set_up: bool,
    /// The chosen organization travels through the server.
    pub published: bool,
    /// This account's identity fingerprint, once set up (what others compare when confirming).
    pub fingerprint: Option<String>,
    /// The recovery key of this device's set-up, until the person showed they kept it.
    pub recovery_key: Option<String>,
}

/// A group of the recovery key typed back: its number (from 1) and the letters.
#[derive(Clone, Debug, Deserialize, ts_rs::TS)]
#[ts(export)]
pub struct TypedGroup {
    pub group: u32,
    pub typed: String,
}

/// What the Team panel reads from the server: who waits to be confirmed, and this account's devices
/// (the members themselves come from the vault).
#[derive(Clone, Debug, Serialize, ts_rs::TS)]
#[ts(export)]
pub struct Team {
    pub pending: Vec<Newcomer>,
    pub devices: Vec<DeviceSummary>,
}

/// The server, through the stored sign-in (renewed when its token is about to end).
pub(crate) async fn transport(engine: &Engine) -> Result<HttpTransport, ConnectError> {
    let account = engine
        .server_account()
        .await
        .map_err(|e| ConnectError::Failed(e.to_string()))?
        .ok_or_else(|| {
            ConnectError::Failed(
                "not signed in to a sync server: sign in under Settings first".into(),
            )
        })?;
    stint_sync::connect(engine, account).await
}

/// Asked before a command takes the session (which every command of the window waits for) for
/// work over the network: whether the signed-in server answers its health check. On a network that
/// swallows packets the command fails within seconds, saying so, instead of holding the window
/// while its requests time out. Not signed in: `transport` says so.
pub(crate) async fn server_answers(shell: &Shell) -> Reply<()> {
    let server = {
        let mut session = shell.session.lock().await;
        match session.engine()?.server_account().await.map_err(message)? {
            Some(account) => account.server,
            None => return Ok(()),
        }
    };
    if stint_sync::reachable(&server, PROBE).await {
        return Ok(());
    }
    Err(Failure::coded(
        FailureCode::ServerUnreachable,
        format!("{server} does not answer; check the connection and try again"),
    )
    .with("server", server))
}

/// Where this device and the chosen organization, if any, stand (read from the vault; no network).
#[tauri::command]
pub async fn org_sync(shell: State<'_, Shell>) -> Reply<OrgSync> {
    let mut session = shell.session.lock().await;
    let chosen = session.act_as.map(|by| by.org);
    let engine = session.engine()?;
    let signed_in = engine.server_account().await.map_err(message)?.is_some();
    let set_up = engine.sync_account().await.map_err(message)?.is_some();
    let fingerprint = if set_up {
        Some(engine.account_fingerprint().await.map_err(message)?)
    } else {
        None
    };
    let recovery_key = engine
        .pending_recovery_key()
        .await
        .map_err(message)?
        .map(|key| key.to_text().to_string());
    Ok(OrgSync {
        signed_in,
        set_up,
        published: match chosen {
            Some(org) => engine.is_synced(org).await.map_err(message)?,
            None => false,
        },
        fingerprint,
        recovery_key,
    })
}

/// Sets up this account's keys on this device if it has none yet (its first device). The recovery
/// key stays sealed here until the window has shown it and it was typed back.
async fn set_up_if_needed(engine: &mut Engine, t: &HttpTransport) -> Reply<()> {
    if engine.sync_account().await.map_err(message)?.is_none() {
        engine.set_up_sync(t).await.map_err(message)?;
    }
    Ok(())
}

/// Publishes the chosen organization: sets up this account's keys here on first use, rewrites its
/// records under the account and registers it with the server; a round then sends everything.
/// Returns who the window acts as now (the account's id replaces this device's own).
#[tauri::command]
pub async fn publish_organization(
    shell: State<'_, Shell>,
    syncer: State<'_, Syncer>,
) -> Reply<ActAs> {
    server_answers(&shell).await?;
    let mut session = shell.session.lock().await;
    let (engine, by) = session.acting()?;
    let t = transport(engine).await?;
    set_up_if_needed(engine, &t).await?;
    engine.publish(&t, by.org).await.map_err(message)?;
    let next = engine.act_as_user(by.org).map_err(message)?;
    session.act_as = Some(next);
    drop(session);
    syncer.nudge();
    Ok(next)
}

/// Saves the kit with the set-up's recovery key as a PDF in the downloads folder (owner-only);
/// its path.
#[tauri::command]
pub async fn save_recovery_kit(shell: State<'_, Shell>, paper: PaperSize) -> Reply<String> {
    let mut session = shell.session.lock().await;
    let engine = session.engine()?;
    let account = engine
        .server_account()
        .await
        .map_err(message)?
        .ok_or_else(|| "not signed in to a sync server".to_owned())?;
    let pdf = engine
        .set_up_recovery_kit_pdf(&account.email, &account.server, paper)
        .await
        .map_err(message)?;
    save_download("Stint recovery kit.pdf", &pdf, true)
}

/// Checks two groups of the recovery key typed back from the person's copy; then forgets it here.
#[tauri::command]
pub async fn recovery_key_kept(shell: State<'_, Shell>, typed: Vec<TypedGroup>) -> Reply<()> {
    let mut session = shell.session.lock().await;
    let engine = session.engine()?;
    let typed: Vec<(usize, &str)> = typed
        .iter()
        .map(|g| (g.group as usize, g.typed.as_str()))
        .collect();
    engine
        .confirm_recovery_key_kept(&typed)
        .await
        .map_err(message)
}

/// Who waits to be confirmed in the chosen organization (for Owners and Admins; nobody for
/// others), and this account's devices.
#[tauri::command]
pub async fn team(shell: State<'_, Shell>) -> Reply<Team> {
    server_answers(&shell).await?;
    let mut session = shell.session.lock().await;
    let (engine, by) = session.acting()?;
    let t = transport(engine).await?;
    let may_confirm = engine
        .permissions(&by)
        .map_err(message)?
        .grants
        .iter()
        .any(|g| g.action == Action::ManageMembersAndViewers && g.scope != Scope::None);
    let pending = if may_confirm {
        engine.newcomers(&t, &by).await.map_err(message)?
    } else {
        Vec::new()
    };
    let devices = engine.devices(&t).await.map_err(message)?;
    Ok(Team { pending, devices })
}

/// Invites `email` into the chosen organization with `role`: the server emails them a token.
#[tauri::command]
pub async fn invite_member(shell: State<'_, Shell>, email: String, role: Role) -> Reply<()> {
    let email = email.trim();
    if !email.contains('@') || email.len() < 3 {
        return Err(format!("{email:?} is not an email address").into());
    }
    server_answers(&shell).await?;
    let mut session = shell.session.lock().await;
    let (engine, by) = session.acting()?;
    let t = transport(engine).await?;
    Ok(t.invite(by.org, email, role).await?)
}

/// The token of an invitation as the person pasted it: the token itself, or the email's whole
/// `…/accept-invitation#sti_…` link.
fn invitation_token(pasted: &str) -> Result<&str, String> {
    let token = pasted.trim();
    let token = token
        .rsplit_once('#')
        .map_or(token, |(_, after)| after)
        .trim();
    if !token.starts_with("sti_") || token.len() < 10 || token.contains(char::is_whitespace) {
        return Err(
            "that is not an invitation code: paste the code from the invitation email (it begins with sti_)"
                .to_owned(),
        );
    }
    Ok(token)
}

/// Accepts an emailed invitation on this device, setting up this account's keys first if this is
/// its first device (the recovery key then waits to be shown). The organization arrives with a
/// round once an Owner or Admin has confirmed the account by its fingerprint.
#[tauri::command]
pub async fn join_organization(
    shell: State<'_, Shell>,
    syncer: State<'_, Syncer>,
    token: String,
) -> Reply<Joined> {
    let token = invitation_token(&token)?;
    server_answers(&shell).await?;
    let mut session = shell.session.lock().await;
    let engine = session.engine()?;
    let t = transport(engine).await?;
    set_up_if_needed(engine, &t).await?;
    let joined = engine.join_org(&t, token).await.map_err(message)?;
    drop(session);
    syncer.nudge();
    Ok(joined)
}

/// Confirms a newcomer once the person compared `fingerprint` (the digits the window showed) with
/// the ones the newcomer read out; a round then hands over the keys of their role.
#[tauri::command]
pub async fn confirm_newcomer(
    shell: State<'_, Shell>,
    syncer: State<'_, Syncer>,
    email: String,
    fingerprint: String,
) -> Reply<Newcomer> {
    server_answers(&shell).await?;
    let mut session = shell.session.lock().await;
    let (engine, by) = session.acting()?;
    let t = transport(engine).await?;
    let newcomer = engine
        .confirm_member(&t, &by, &email, &fingerprint)
        .await
        .map_err(message)?;
    drop(session);
    syncer.nudge();
    Ok(newcomer)
}

/// Changes a member's role in the synced organization, or removes them (`role` null).
#[tauri::command]
pub async fn change_membership(
    shell: State<'_, Shell>,
    syncer: State<'_, Syncer>,
    member: MemberId,
    role: Option<Role>,
) -> Reply<()> {
    server_answers(&shell).await?;
    let mut session = shell.session.lock().await;
    let (engine, by) = session.acting()?;
    let t = transport(engine).await?;
    engine
        .change_membership(&t, &by, member, role)
        .await
        .map_err(message)?;
    drop(session);
    syncer.nudge();
    Ok(())
}

/// Revokes another device of this account (its id): its changes are refused from now on.
#[tauri::command]
pub async fn revoke_device(shell: State<'_, Shell>, id: String) -> Reply<DeviceSummary> {
    server_answers(&shell).await?;
    let mut session = shell.session.lock().await;
    let engine = session.engine()?;
    let t = transport(engine).await?;
    engine.revoke_device(&t, &id).await.map_err(message)
}

/// Gives this device a new name in the account's device list; the name as kept.
#[tauri::command]
pub async fn rename_this_device(shell: State<'_, Shell>, name: String) -> Reply<String> {
    server_answers(&shell).await?;
    let mut session = shell.session.lock().await;
    let engine = session.engine()?;
    let t = transport(engine).await?;
    engine.rename_this_device(&t, &name).await.map_err(message)
}

#[cfg(test)]
mod tests {
    use super::invitation_token;

    #[test]
    fn an_invitation_is_read_from_its_code_or_its_link() {
        let code = "sti_01JABCDEF_0123456789abcdef";
        assert_eq!(invitation_token(code), Ok(code));
        assert_eq!(invitation_token(&format!("  {code}\n")), Ok(code));
        assert_eq!(
            invitation_token(&format!(
                "https://sync.example.org/accept-invitation#{code}"
            )),
            Ok(code)
        );
        for wrong in [
            "",
            "sti_",
            "482-K7Q2-9XMD",
            "https://sync.example.org/accept-invitation#",
            "sti_01JAB CDEF",
        ] {
            assert!(invitation_token(wrong).is_err(), "{wrong:?}");
        }
    }
}
