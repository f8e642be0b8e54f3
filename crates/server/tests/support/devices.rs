//! Devices of one person for the sync stories: an engine on a fresh keyring vault, an
//! organization with a client and a project in it, the vault's records as stored.

use std::path::Path;

use stint_domain::{EntryTime, OrgId, ProjectId};
use stint_engine::sync::SyncReport;
use stint_engine::{
    Engine, MemoryKeyStore, NewClient, NewEntry, NewOrganization, NewProject, Unlock,
};
use stint_sync::HttpTransport;

use super::{Server, Storage, sign_in, verified_account};

/// A verified account for `email` with two sessions on `server`, the laptop's and the phone's, as
/// sync transports.
pub async fn laptop_and_phone(
    server: &Server,
    storage: &Storage,
    email: &str,
    password: &str,
) -> (HttpTransport, HttpTransport) {
    verified_account(server, storage, email, password).await;
    let laptop = sign_in(server, email, password, "laptop").await;
    let phone = sign_in(server, email, password, "phone").await;
    (
        HttpTransport::new(&server.base, &laptop).unwrap(),
        HttpTransport::new(&server.base, &phone).unwrap(),
    )
}

/// Two new devices, laptop and phone, each on a fresh vault in a temporary directory that lives as
/// long as the returned guards.
pub async fn two_devices() -> (Engine, Engine, [tempfile::TempDir; 2]) {
    let dirs = [tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap()];
    let laptop = device(dirs[0].path(), &MemoryKeyStore::default()).await;
    let phone = device(dirs[1].path(), &MemoryKeyStore::default()).await;
    (laptop, phone, dirs)
}

/// Sets up sync on the laptop and returns the recovery key's text, as the person wrote it down.
pub async fn set_up<T: stint_engine::sync::Transport>(laptop: &mut Engine, t: &T) -> String {
    laptop.set_up_sync(t).await.unwrap().to_text().to_string()
}

/// A new device: an engine on a fresh vault in `dir`, its key in `keys`.
pub async fn device(dir: &Path, keys: &MemoryKeyStore) -> Engine {
    Engine::create(dir, Unlock::Keyring(keys)).await.unwrap()
}

/// A new organization in UTC, owned by Ada Lovelace.
pub async fn organization(engine: &mut Engine, name: &str) -> OrgId {
    engine
        .create_organization(NewOrganization {
            name: name.into(),
            currency: "EUR".into(),
            locale: "en-US".into(),
            time_zone: "UTC".into(),
            week_start: None,
            owner_name: "Ada Lovelace".into(),
        })
        .await
        .unwrap()
}

/// The organization "Acme" with the client "Globex" and its billable project "Website".
pub async fn acme_website(engine: &mut Engine) -> (OrgId, ProjectId) {
    let org = organization(engine, "Acme").await;
    let by = engine.act_as_user(org).unwrap();
    let client = engine
        .add_client(
            &by,
            NewClient {
                name: "Globex".into(),
                currency: None,
                rounding: None,
                note: String::new(),
            },
        )
        .await
        .unwrap();
    let project = engine
        .add_project(
            &by,
            NewProject {
                client,
                name: "Website".into(),
                billable: Some(true),
                rounding: None,
                note: String::new(),
            },
        )
        .await
        .unwrap();
    (org, project)
}

/// The records of `org` in the vault at `dir`, as stored (id, envelope), by id.
pub async fn stored_records(dir: &Path, org: OrgId) -> Vec<(Vec<u8>, Vec<u8>)> {
    let url = format!("sqlite://{}", dir.join("vault.sqlite").display());
    let pool = sqlx::SqlitePool::connect(&url).await.unwrap();
    let rows = sqlx::query_as("SELECT id, envelope FROM records WHERE org = ? ORDER BY id")
        .bind(org.to_bytes().as_slice())
        .fetch_all(&pool)
        .await
        .unwrap();
    pool.close().await;
    rows
}

/// The names of the organization's clients as the device shows them (archived too), sorted.
pub fn client_names(engine: &Engine, org: OrgId) -> Vec<String> {
    let by = engine.act_as_user(org).unwrap();
    let mut names: Vec<String> = engine
        .clients(&by, true)
        .unwrap()
        .into_iter()
        .map(|c| c.name)
        .collect();
    names.sort();
    names
}

/// A round's versions and write log entries reported unseen (hidden by the server), in all.
pub fn unseen(reports: &[(OrgId, SyncReport)]) -> (u64, u64) {
    reports.iter().fold((0, 0), |(v, e), (_, r)| {
        (v + r.unseen_versions, e + r.unseen_log_entries)
    })
}

/// A time entry on `project` from `start`, `minutes` long, for the acting member.
pub fn span_entry(
    project: ProjectId,
    start: jiff::Timestamp,
    minutes: i64,
    note: impl Into<String>,
) -> NewEntry {
    NewEntry {
        member: None,
        project: Some(project),
        task: None,
        time: EntryTime::Span {
            start,
            end: start + jiff::SignedDuration::from_mins(minutes),
        },
        note: note.into(),
        billable: None,
        tags: vec![],
    }
}
