//! A server restored from an older backup (issue 14): what it had acknowledged since the backup is
//! gone. The devices notice (their cursor is ahead of the server's head), read it again from the
//! start and push again what they wrote, without resetting anything; a device enrolled afterwards
//! sees everything. And a device whose vault is restored from an older copy of itself: its write
//! log goes on from where it stands on the server. On SQLite and PostgreSQL.

mod support;

use std::path::Path;

use stint_domain::{OrgId, ProjectId};
use stint_engine::sync::Transport;
use stint_engine::{ActAs, Engine, EntryFilter, MemoryKeyStore, NewClient, Unlock};
use stint_server::backup;
use stint_sync::HttpTransport;
use support::devices::{
    acme_website, client_names, device, laptop_and_phone, organization, set_up, span_entry, unseen,
};
use support::{Backend, Server, Storage, sign_in, verified_account};

const PASSWORD: &str = "a long and private passphrase";

async fn add(engine: &mut Engine, by: &ActAs, project: ProjectId, note: &str, hour: i64) {
    let start = "2026-03-02T00:00:00Z".parse::<jiff::Timestamp>().unwrap()
        + jiff::SignedDuration::from_hours(hour);
    engine
        .add_entry(by, span_entry(project, start, 30, note))
        .await
        .unwrap();
}

/// A backup of `storage`, as the nightly one is taken.
async fn back_up(storage: &Storage, backend: Backend) -> std::path::PathBuf {
    let mut config = storage.config();
    if backend == Backend::Postgres {
        config.backup.database_url = Some(storage.admin_url());
    }
    backup::backup(&config, &storage.dir.path().join("backups"))
        .await
        .unwrap()
}

/// New, empty storage with the backup `taken` restored into it.
async fn restore(taken: &std::path::Path, backend: Backend) -> Storage {
    let restored = Storage::new(backend).await;
    let mut target = restored.config();
    if backend == Backend::Postgres {
        target.database_url = Some(restored.admin_url());
    }
    backup::restore(&target, taken).await.unwrap();
    restored
}

fn notes(engine: &Engine, org: OrgId) -> Vec<String> {
    let by = engine.act_as_user(org).unwrap();
    let mut notes: Vec<String> = engine
        .entries(&by, &EntryFilter::default())
        .unwrap()
        .into_iter()
        .map(|v| v.entry.note)
        .collect();
    notes.sort();
    notes
}

async fn a_restored_server_gets_back_what_it_lost(backend: Backend) {
    let original = Storage::new(backend).await;
    let server = Server::start(&original).await;
    let email = "ada@example.org";
    verified_account(&server, &original, email, PASSWORD).await;
    let laptop_token = sign_in(&server, email, PASSWORD, "laptop").await;
    let to_laptop = HttpTransport::new(&server.base, &laptop_token).unwrap();
    let laptop_dir = tempfile::tempdir().unwrap();
    let laptop_keys = MemoryKeyStore::default();
    let mut laptop = device(laptop_dir.path(), &laptop_keys).await;
    let (org, project) = acme_website(&mut laptop).await;
    let by = laptop.act_as_user(org).unwrap();
    add(&mut laptop, &by, project, "before the backup", 8).await;
    let recovery = laptop
        .set_up_sync(&to_laptop)
        .await
        .unwrap()
        .to_text()
        .to_string();
    laptop.forget_recovery_key().await.unwrap();
    laptop.publish(&to_laptop, org).await.unwrap();
    laptop.sync(&to_laptop).await.unwrap();
    let by = laptop.act_as_user(org).unwrap();

    // The nightly backup; then more work reaches the server.
    let taken = back_up(&original, backend).await;
    add(&mut laptop, &by, project, "after the backup", 9).await;
    add(&mut laptop, &by, project, "after the backup, too", 10).await;
    let reports = laptop.sync(&to_laptop).await.unwrap();
    assert_eq!(reports[0].1.pushed, 2, "{reports:?}");
    server.stop().await;

    // The server comes back from the backup: the last two entries are gone from it.
    let restored = restore(&taken, backend).await;
    let server = Server::start(&restored).await;
    let to_laptop = HttpTransport::new(&server.base, &laptop_token).unwrap();
    let phone_token = sign_in(&server, email, PASSWORD, "phone").await;
    let to_phone = HttpTransport::new(&server.base, &phone_token).unwrap();
    let page = to_phone.pull(org, 0, 1000).await.unwrap();
    let before = page.records.len();

    // The laptop notices and pushes again what it wrote; nothing of its own is reset.
    let reports = laptop.sync(&to_laptop).await.unwrap();
    let report = &reports[0].1;
    assert!(report.resent >= 2 && report.pending == 0, "{report:?}");
    assert_eq!(
        notes(&laptop, org),
        [
            "after the backup",
            "after the backup, too",
            "before the backup"
        ]
    );
    // Back on the server: the two entries, the write log entry that listed them, and a new entry
    // listing what was resent.
    assert_eq!(
        to_phone.pull(org, 0, 1000).await.unwrap().records.len(),
        before + 4
    );
    // A round later nothing moves: the laptop's cursor matches the server again.
    let reports = laptop.sync(&to_laptop).await.unwrap();
    assert_eq!(reports[0].1.resent, 0, "{reports:?}");
    assert_eq!(reports[0].1.pushed, 0, "{reports:?}");

    // A device enrolled now sees everything.
    let phone_dir = tempfile::tempdir().unwrap();
    let phone_keys = MemoryKeyStore::default();
    let mut phone = device(phone_dir.path(), &phone_keys).await;
    phone.restore_sync(&to_phone, &recovery).await.unwrap();
    let reports = phone.sync(&to_phone).await.unwrap();
    assert_eq!(notes(&phone, org), notes(&laptop, org));
    // The laptop's write log, whole again, lists nothing the phone lacks.
    assert_eq!(
        (
            reports[0].1.unseen_versions,
            reports[0].1.unseen_log_entries
        ),
        (0, 0),
        "{reports:?}"
    );
    laptop.close().await;
    phone.close().await;
    server.stop().await;
}
both!(a_restored_server_gets_back_what_it_lost);

/// A restored server that other devices write to before a device comes back: the numbers handed
/// out after the backup are handed out again, to other versions, and a device whose cursor is past
/// the restored head but behind the new one would skip them without noticing. The restore gives
/// the organization a new history id, so every device reads it again from the start (seen failing
/// without: the laptop missed two of the phone's entries and never pushed its own again).
async fn a_restored_server_written_to_before_a_device_returns(backend: Backend) {
    let original = Storage::new(backend).await;
    let server = Server::start(&original).await;
    let email = "ada@example.org";
    verified_account(&server, &original, email, PASSWORD).await;
    let laptop_token = sign_in(&server, email, PASSWORD, "laptop").await;
    let phone_token = sign_in(&server, email, PASSWORD, "phone").await;
    let to_laptop = HttpTransport::new(&server.base, &laptop_token).unwrap();
    let to_phone = HttpTransport::new(&server.base, &phone_token).unwrap();
    let dirs = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let keys = (MemoryKeyStore::default(), MemoryKeyStore::default());
    let mut laptop = device(dirs.0.path(), &keys.0).await;
    let mut phone = device(dirs.1.path(), &keys.1).await;
    let (org, project) = acme_website(&mut laptop).await;
    let by = laptop.act_as_user(org).unwrap();
    add(&mut laptop, &by, project, "before the backup", 8).await;
    let recovery = laptop
        .set_up_sync(&to_laptop)
        .await
        .unwrap()
        .to_text()
        .to_string();
    laptop.publish(&to_laptop, org).await.unwrap();
    laptop.sync(&to_laptop).await.unwrap();
    phone.restore_sync(&to_phone, &recovery).await.unwrap();
    phone.sync(&to_phone).await.unwrap();
    let by = laptop.act_as_user(org).unwrap();

    let taken = back_up(&original, backend).await;
    add(&mut laptop, &by, project, "laptop, after the backup", 9).await;
    add(
        &mut laptop,
        &by,
        project,
        "laptop, after the backup, too",
        10,
    )
    .await;
    laptop.sync(&to_laptop).await.unwrap();
    server.stop().await;

    let restored = restore(&taken, backend).await;
    let server = Server::start(&restored).await;
    let to_laptop = HttpTransport::new(&server.base, &laptop_token).unwrap();
    let to_phone = HttpTransport::new(&server.base, &phone_token).unwrap();

    // The phone writes three entries before the laptop comes back: the server's head passes the
    // laptop's cursor.
    let on_phone = phone.act_as_user(org).unwrap();
    for (i, hour) in [11, 12, 13].into_iter().enumerate() {
        add(&mut phone, &on_phone, project, &format!("phone {i}"), hour).await;
    }
    phone.sync(&to_phone).await.unwrap();

    let reports = laptop.sync(&to_laptop).await.unwrap();
    let report = &reports[0].1;
    assert!(report.resent >= 2 && report.pending == 0, "{report:?}");
    phone.sync(&to_phone).await.unwrap();
    let everything = [
        "before the backup",
        "laptop, after the backup",
        "laptop, after the backup, too",
        "phone 0",
        "phone 1",
        "phone 2",
    ];
    assert_eq!(notes(&laptop, org), everything);
    assert_eq!(notes(&phone, org), everything);
    laptop.close().await;
    phone.close().await;
    server.stop().await;
}
both!(a_restored_server_written_to_before_a_device_returns);

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for item in std::fs::read_dir(from).unwrap() {
        let item = item.unwrap();
        if item.file_type().unwrap().is_dir() {
            copy_dir(&item.path(), &to.join(item.file_name()));
        } else {
            std::fs::copy(item.path(), to.join(item.file_name())).unwrap();
        }
    }
}

/// The laptop's vault is put back from a copy taken three rounds earlier, with a change still
/// waiting in its outbox. Its write log must go on from where its chain stands on the server:
/// restarting at the copy's number would give its next entry the id of one already there, and a
/// device that syncs from nothing afterwards would see a chain naming another hash (a server
/// hiding entries, falsely). Seen failing before the fix: the new device reported one entry
/// hidden.
async fn a_vault_restored_from_an_older_copy_continues_its_write_log(backend: Backend) {
    let storage = Storage::new(backend).await;
    let server = Server::start(&storage).await;
    let (to_laptop, to_phone) =
        laptop_and_phone(&server, &storage, "ada@example.org", PASSWORD).await;
    let dirs = [
        tempfile::tempdir().unwrap(),
        tempfile::tempdir().unwrap(),
        tempfile::tempdir().unwrap(),
    ];
    let laptop_keys = MemoryKeyStore::default();
    let mut laptop = device(dirs[0].path(), &laptop_keys).await;
    let acme = organization(&mut laptop, "Acme").await;
    let client = |name: &str| NewClient {
        name: name.into(),
        currency: None,
        rounding: None,
        note: String::new(),
    };
    let recovery = set_up(&mut laptop, &to_laptop).await;
    laptop.publish(&to_laptop, acme).await.unwrap();
    laptop.sync(&to_laptop).await.unwrap();
    let mut phone = device(dirs[1].path(), &MemoryKeyStore::default()).await;
    phone.restore_sync(&to_phone, &recovery).await.unwrap();
    phone.sync(&to_phone).await.unwrap();

    // The copy, taken with a change not yet pushed.
    let by = laptop.act_as_user(acme).unwrap();
    laptop.add_client(&by, client("Pending")).await.unwrap();
    laptop.close().await;
    let copy = dirs[2].path().join("copy");
    copy_dir(dirs[0].path(), &copy);
    let mut laptop = Engine::open(dirs[0].path(), Unlock::Keyring(&laptop_keys))
        .await
        .unwrap();
    for name in ["Globex", "Hooli", "Initech"] {
        let by = laptop.act_as_user(acme).unwrap();
        laptop.add_client(&by, client(name)).await.unwrap();
        laptop.sync(&to_laptop).await.unwrap();
    }
    assert_eq!(unseen(&phone.sync(&to_phone).await.unwrap()), (0, 0));

    // The copy put back; two more rounds.
    laptop.close().await;
    std::fs::remove_dir_all(dirs[0].path()).unwrap();
    copy_dir(&copy, dirs[0].path());
    let mut laptop = Engine::open(dirs[0].path(), Unlock::Keyring(&laptop_keys))
        .await
        .unwrap();
    let reports = laptop.sync(&to_laptop).await.unwrap();
    assert_eq!(unseen(&reports), (0, 0), "{reports:?}");
    let by = laptop.act_as_user(acme).unwrap();
    laptop.add_client(&by, client("Umbrella")).await.unwrap();
    let reports = laptop.sync(&to_laptop).await.unwrap();
    assert_eq!(unseen(&reports), (0, 0), "{reports:?}");

    let all = ["Globex", "Hooli", "Initech", "Pending", "Umbrella"];
    let reports = phone.sync(&to_phone).await.unwrap();
    assert_eq!(unseen(&reports), (0, 0), "the phone: {reports:?}");
    assert_eq!(client_names(&phone, acme), all);
    // A device that syncs from nothing sees one whole chain.
    let mut tablet = device(&dirs[2].path().join("tablet"), &MemoryKeyStore::default()).await;
    tablet.restore_sync(&to_phone, &recovery).await.unwrap();
    let reports = tablet.sync(&to_phone).await.unwrap();
    assert_eq!(unseen(&reports), (0, 0), "a new device: {reports:?}");
    assert_eq!(client_names(&tablet, acme), all);

    laptop.close().await;
    phone.close().await;
    tablet.close().await;
    server.stop().await;
}
both!(a_vault_restored_from_an_older_copy_continues_its_write_log);
