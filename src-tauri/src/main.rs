//! Stint's desktop window: a thin shell. Each command locks the session and makes one call into
//! `stint-engine`; errors cross the IPC line as the engine's own message.

#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

use std::path::PathBuf;

use stint_domain::{EntryId, OrgId};
use stint_engine::{
    ActAs, Engine, EngineError, EntryChanges, EntryFilter, EntryOutcome, EntryView,
    NewOrganization, OrgSummary, OsKeyring, ProjectView, StartTimer, Unlock, VaultStatus,
};
use tauri::State;
use tokio::sync::Mutex;

/// What the window works on: the open vault (if unlocked) and who it acts as (once an organization
/// is chosen).
#[derive(Default)]
struct Session {
    engine: Option<Engine>,
    act_as: Option<ActAs>,
}

/// Tauri's managed state.
struct Shell {
    vault: PathBuf,
    session: Mutex<Session>,
}

/// Command results: the engine's `Display` text on failure.
type Reply<T> = Result<T, String>;

fn message(error: EngineError) -> String {
    error.to_string()
}

impl Session {
    fn engine(&mut self) -> Reply<&mut Engine> {
        self.engine
            .as_mut()
            .ok_or_else(|| "the vault is locked; unlock it first".to_owned())
    }

    /// The engine and the chosen organization's member.
    fn acting(&mut self) -> Reply<(&mut Engine, ActAs)> {
        let by = self
            .act_as
            .ok_or_else(|| "choose an organization first".to_owned())?;
        Ok((self.engine()?, by))
    }
}

/// `None` means the OS keyring.
fn unlock(passphrase: Option<&str>) -> Unlock<'_> {
    passphrase.map_or(Unlock::Keyring(&OsKeyring), Unlock::Passphrase)
}

#[tauri::command]
async fn vault_status(shell: State<'_, Shell>) -> Reply<VaultStatus> {
    Ok(Engine::status(&shell.vault).await)
}

#[tauri::command]
async fn create_vault(shell: State<'_, Shell>, passphrase: Option<String>) -> Reply<()> {
    let engine = Engine::create(&shell.vault, unlock(passphrase.as_deref()))
        .await
        .map_err(message)?;
    *shell.session.lock().await = Session {
        engine: Some(engine),
        act_as: None,
    };
    Ok(())
}

#[tauri::command]
async fn unlock_vault(shell: State<'_, Shell>, passphrase: Option<String>) -> Reply<()> {
    let engine = Engine::open(&shell.vault, unlock(passphrase.as_deref()))
        .await
        .map_err(message)?;
    *shell.session.lock().await = Session {
        engine: Some(engine),
        act_as: None,
    };
    Ok(())
}

#[tauri::command]
async fn organizations(shell: State<'_, Shell>) -> Reply<Vec<OrgSummary>> {
    Ok(shell.session.lock().await.engine()?.organizations())
}

#[tauri::command]
async fn create_organization(shell: State<'_, Shell>, input: NewOrganization) -> Reply<OrgId> {
    shell
        .session
        .lock()
        .await
        .engine()?
        .create_organization(input)
        .await
        .map_err(message)
}

#[tauri::command]
async fn choose_organization(shell: State<'_, Shell>, org: OrgId) -> Reply<ActAs> {
    let mut session = shell.session.lock().await;
    let by = session.engine()?.act_as_user(org).map_err(message)?;
    session.act_as = Some(by);
    Ok(by)
}

#[tauri::command]
async fn projects(shell: State<'_, Shell>, include_archived: bool) -> Reply<Vec<ProjectView>> {
    let mut session = shell.session.lock().await;
    let (engine, by) = session.acting()?;
    engine.projects(&by, include_archived).map_err(message)
}

#[tauri::command]
async fn running_timer(shell: State<'_, Shell>) -> Reply<Option<EntryView>> {
    let mut session = shell.session.lock().await;
    let (engine, by) = session.acting()?;
    engine.running_timer(&by).map_err(message)
}

#[tauri::command]
async fn start_timer(shell: State<'_, Shell>, input: StartTimer) -> Reply<EntryOutcome> {
    let mut session = shell.session.lock().await;
    let (engine, by) = session.acting()?;
    engine.start_timer(&by, input).await.map_err(message)
}

#[tauri::command]
async fn stop_timer(shell: State<'_, Shell>) -> Reply<EntryView> {
    let mut session = shell.session.lock().await;
    let (engine, by) = session.acting()?;
    engine.stop_timer(&by).await.map_err(message)
}

/// Today's date in the organization's time zone (`YYYY-MM-DD`).
#[tauri::command]
async fn today(shell: State<'_, Shell>) -> Reply<jiff::civil::Date> {
    let mut session = shell.session.lock().await;
    let (engine, by) = session.acting()?;
    engine.today(&by).map_err(message)
}

#[tauri::command]
async fn entries(shell: State<'_, Shell>, filter: EntryFilter) -> Reply<Vec<EntryView>> {
    let mut session = shell.session.lock().await;
    let (engine, by) = session.acting()?;
    engine.entries(&by, &filter).map_err(message)
}

#[tauri::command]
async fn edit_entry(
    shell: State<'_, Shell>,
    id: EntryId,
    changes: EntryChanges,
) -> Reply<EntryOutcome> {
    let mut session = shell.session.lock().await;
    let (engine, by) = session.acting()?;
    engine.edit_entry(&by, id, changes).await.map_err(message)
}

/// `STINT_VAULT` if set, else the platform's data directory for Stint.
fn vault_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("STINT_VAULT") {
        return PathBuf::from(dir);
    }
    directories::ProjectDirs::from("dev", "stint", "Stint")
        .map(|dirs| dirs.data_dir().to_path_buf())
        .expect("no home directory to keep the vault in; set STINT_VAULT")
}

fn main() {
    tauri::Builder::default()
        .manage(Shell {
            vault: vault_dir(),
            session: Mutex::new(Session::default()),
        })
        .invoke_handler(tauri::generate_handler![
            vault_status,
            create_vault,
            unlock_vault,
            organizations,
            create_organization,
            choose_organization,
            projects,
            running_timer,
            start_timer,
            stop_timer,
            today,
            entries,
            edit_entry,
        ])
        .run(tauri::generate_context!())
        .expect("error while running Stint");
}
