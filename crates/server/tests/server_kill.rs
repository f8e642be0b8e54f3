//! Crash safety of the server during sync: the real `stint-server` binary is killed (SIGKILL) at
//! random instants while a laptop pushes new entries and a phone pulls them, 50 times each, and
//! started again on the same data, on SQLite and on PostgreSQL. A round cut short is an error the
//! device shrugs off; afterwards one full round each leaves the laptop nothing to push, and the
//! phone holds every entry the laptop wrote, once, in records byte for byte the same as the
//! laptop's: nothing acknowledged was lost, nothing stored twice, no cursor skipped a record.
//! Stopped at last by SIGTERM, it exits cleanly with its databases closed.

mod support;

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use jiff::Timestamp;
use stint_engine::{ActAs, Engine, EntryFilter, MemoryKeyStore};
use stint_sync::HttpTransport;
use support::devices::{acme_website, device, span_entry, stored_records};
use support::{Backend, KEY, Server, Storage, sign_in, verified_account};

const PASSWORD: &str = "a long and private passphrase";
const KILLS: usize = 100;

/// xorshift64: fixed seed, so a failure can be replayed.
fn next(state: &mut u64) -> u64 {
    *state ^= *state << 13;
    *state ^= *state >> 7;
    *state ^= *state << 17;
    *state
}

/// The server binary on `port`, with the test storage's data, database and key.
fn spawn(config: &Path) -> Child {
    Command::new(env!("CARGO_BIN_EXE_stint-server"))
        .args(["--config", &config.display().to_string()])
        .env("STINT_LOG", "error")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap()
}

async fn ready(base: &str) {
    let http = reqwest::Client::new();
    for _ in 0..600 {
        if http
            .get(format!("{base}/healthz"))
            .send()
            .await
            .is_ok_and(|r| r.status().is_success())
        {
            return;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("the server did not start within 12 s");
}

/// SIGTERM, then the exit status.
async fn terminate(mut child: Child) -> std::process::ExitStatus {
    let sent = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(sent.success());
    tokio::task::spawn_blocking(move || child.wait().unwrap())
        .await
        .unwrap()
}

/// The SQLite write-ahead logs under `dir`, at any depth.
fn wal_files(dir: &Path) -> Vec<String> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            found.extend(wal_files(&path));
        } else if path.to_string_lossy().ends_with("-wal") {
            found.push(path.display().to_string());
        }
    }
    found
}

async fn kill(mut child: Child) {
    child.kill().unwrap();
    tokio::task::spawn_blocking(move || child.wait().unwrap())
        .await
        .unwrap();
}

fn entries(engine: &Engine, by: &ActAs) -> Vec<String> {
    let mut ids: Vec<String> = engine
        .entries(by, &EntryFilter::default())
        .unwrap()
        .into_iter()
        .map(|v| v.entry.id.to_string())
        .collect();
    ids.sort();
    ids
}

async fn killed_servers_lose_nothing(backend: Backend) {
    let storage = Storage::new(backend).await;
    // The account and both sessions, made through an in-process server on the same storage.
    let (laptop_token, phone_token) = {
        let server = Server::start(&storage).await;
        let email = "ada@example.org";
        verified_account(&server, &storage, email, PASSWORD).await;
        let tokens = (
            sign_in(&server, email, PASSWORD, "laptop").await,
            sign_in(&server, email, PASSWORD, "phone").await,
        );
        server.stop().await;
        tokens
    };
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let base = format!("http://127.0.0.1:{port}");
    let config = storage.config();
    let data_dir = config.data_dir.clone();
    let mut toml = format!(
        "listen = \"127.0.0.1:{port}\"\npublic_url = \"http://localhost:{port}\"\n\
         data_dir = {:?}\noutbox_dir = {:?}\nserver_key = \"{KEY}\"\n",
        config.data_dir.display().to_string(),
        config.outbox_dir.unwrap().display().to_string(),
    );
    if let Some(url) = &config.database_url {
        toml.push_str(&format!("database_url = {url:?}\n"));
    }
    let config_file = storage_dir(&config.data_dir).join("server.toml");
    std::fs::write(&config_file, toml).unwrap();
    let mut server = spawn(&config_file);
    ready(&base).await;

    let to_laptop = HttpTransport::new(&base, &laptop_token).unwrap();
    let to_phone = HttpTransport::new(&base, &phone_token).unwrap();
    let (laptop_dir, phone_dir) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let (laptop_keys, phone_keys) = (MemoryKeyStore::default(), MemoryKeyStore::default());
    let mut laptop = device(laptop_dir.path(), &laptop_keys).await;
    let mut phone = device(phone_dir.path(), &phone_keys).await;
    let (org, project) = acme_website(&mut laptop).await;
    let recovery = laptop
        .set_up_sync(&to_laptop)
        .await
        .unwrap()
        .to_text()
        .to_string();
    laptop.forget_recovery_key().await.unwrap();
    laptop.publish(&to_laptop, org).await.unwrap();
    laptop.sync(&to_laptop).await.unwrap();
    phone.restore_sync(&to_phone, &recovery).await.unwrap();
    phone.sync(&to_phone).await.unwrap();
    let by = laptop.act_as_user(org).unwrap();

    let mut rng = 0x9E37_79B9_7F4A_7C15u64;
    let start: Timestamp = "2026-03-02T08:00:00Z".parse().unwrap();
    let mut written = 0;
    let mut cut_short = 0;
    for round in 0..KILLS {
        // A few new entries on the laptop each round.
        for _ in 0..5 {
            let at = start + jiff::SignedDuration::from_mins(10 * written);
            laptop
                .add_entry(&by, span_entry(project, at, 5, format!("entry {written}")))
                .await
                .unwrap();
            written += 1;
        }
        // Even rounds kill the server under the laptop's push, odd ones under the phone's pull.
        let delay = Duration::from_micros(next(&mut rng) % 40_000);
        let killer = tokio::spawn(async move {
            tokio::time::sleep(delay).await;
            kill(server).await;
        });
        let result = if round % 2 == 0 {
            laptop.sync(&to_laptop).await.map(|_| ())
        } else {
            phone.sync(&to_phone).await.map(|_| ())
        };
        killer.await.unwrap();
        if result.is_err() {
            cut_short += 1;
        }
        server = spawn(&config_file);
        ready(&base).await;
    }
    assert!(
        cut_short >= KILLS / 4,
        "only {cut_short} of {KILLS} kills cut a round short"
    );

    // One full round each.
    let reports = laptop.sync(&to_laptop).await.unwrap();
    assert!(reports.iter().all(|(_, r)| r.pending == 0), "{reports:?}");
    let reports = phone.sync(&to_phone).await.unwrap();
    // The laptop's write log, written across all those kills, has no gap and lists nothing the
    // phone lacks.
    assert!(
        reports
            .iter()
            .all(|(_, r)| r.unseen_versions == 0 && r.unseen_log_entries == 0),
        "{reports:?}"
    );
    let on_phone = entries(&phone, &phone.act_as_user(org).unwrap());
    assert_eq!(on_phone.len(), written as usize);
    assert_eq!(entries(&laptop, &by), on_phone);
    // Stopped as systemd stops it, the server ends cleanly, its databases closed: no WAL is left.
    let status = terminate(server).await;
    assert!(status.success(), "the server ended with {status}");
    assert_eq!(wal_files(&data_dir), Vec::<String>::new());
    laptop.close().await;
    phone.close().await;
    assert_eq!(
        stored_records(laptop_dir.path(), org).await,
        stored_records(phone_dir.path(), org).await
    );
    eprintln!(
        "{KILLS} server kills, {cut_short} cut a round short; {written} entries on both devices once"
    );
}

/// The test storage's own directory (the parent of its data directory).
fn storage_dir(data_dir: &Path) -> std::path::PathBuf {
    data_dir.parent().unwrap().to_path_buf()
}

both!(killed_servers_lose_nothing);
