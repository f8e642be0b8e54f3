//! Crash safety of sync: `stint sync` is killed (SIGKILL) at random instants, 100 times on a laptop
//! that is pushing its new entries and 100 times on a phone that is pulling them, against a real
//! server on a loopback port. After every kill both vaults pass SQLite's integrity check with
//! nothing quarantined; at the end, after one full round each, every entry the laptop acknowledged
//! is on the phone exactly once, the laptop has nothing left to push, and both vaults hold the same
//! records byte for byte (no version lost, none stored twice, no cursor skipped a record).

mod server;
mod support;

use std::collections::HashSet;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::Stdio;
use std::time::Duration;

use server::{NOW, TestServer, enrolled_phone, ok, sign_in, start_server, stint, verified_account};

const KILLS: usize = 100;

/// xorshift64: fixed seed, so a failure can be replayed.
fn next(state: &mut u64) -> u64 {
    *state ^= *state << 13;
    *state ^= *state >> 7;
    *state ^= *state << 17;
    *state
}

/// The longest delay before the next kill, after one that landed while the sync ran (`killed`)
/// or after it had finished: kills aim within however long syncs take on this machine (about
/// seven in ten land while running), however fast or slow that is.
fn aim_again(aim_ms: u64, killed: bool) -> u64 {
    if killed {
        (aim_ms * 11 / 10).min(1000)
    } else {
        (aim_ms * 4 / 5).max(20)
    }
}

/// Starts `stint sync` and kills it after `delay`; whether it was still running then.
async fn killed_sync(vault: &Path, server: &TestServer, delay: Duration) -> bool {
    let mut child = stint(vault, &server.url)
        .args(["sync"])
        .env("STINT_NOW", NOW)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    tokio::time::sleep(delay).await;
    let running = child.try_wait().unwrap().is_none();
    child.kill().unwrap();
    tokio::task::spawn_blocking(move || child.wait().unwrap())
        .await
        .unwrap();
    running
}

/// Writes entries on `vault` for `duration` through the hidden `torture-write` command, killed
/// then; the ids it acknowledged (printed after each commit).
async fn write_for(vault: &Path, server: &TestServer, duration: Duration) -> Vec<String> {
    let mut child = stint(vault, &server.url)
        .args(["torture-write", "--project", "Website"])
        .env("STINT_NOW", NOW)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let reader = std::thread::spawn(move || {
        BufReader::new(stdout)
            .lines()
            .map_while(Result::ok)
            .collect::<Vec<String>>()
    });
    tokio::time::sleep(duration).await;
    child.kill().unwrap();
    tokio::task::spawn_blocking(move || {
        child.wait().unwrap();
        reader.join().unwrap()
    })
    .await
    .unwrap()
}

async fn check(vault: &Path, server: &TestServer, round: usize) {
    let check: serde_json::Value =
        serde_json::from_str(&ok(vault, server, &["vault", "check", "--json"], &[]).await).unwrap();
    assert_eq!(check["integrity"], "ok", "round {round}");
    assert_eq!(check["quarantined"], 0, "round {round}");
}

async fn entry_ids(vault: &Path, server: &TestServer) -> Vec<String> {
    let listed: serde_json::Value = serde_json::from_str(
        &ok(
            vault,
            server,
            &[
                "entry",
                "list",
                "--org",
                "Acme",
                "--from",
                "2000-01-01",
                "--to",
                "2100-01-01",
                "--json",
            ],
            &[],
        )
        .await,
    )
    .unwrap();
    let mut ids: Vec<String> = listed
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["entry"]["id"].as_str().unwrap().to_owned())
        .collect();
    ids.sort();
    ids
}

async fn records(vault: &Path) -> Vec<(Vec<u8>, Vec<u8>, Vec<u8>)> {
    let url = format!("sqlite://{}", vault.join("vault.sqlite").display());
    let pool = sqlx::SqlitePool::connect(&url).await.unwrap();
    let rows = sqlx::query_as("SELECT org, id, envelope FROM records ORDER BY org, id")
        .fetch_all(&pool)
        .await
        .unwrap();
    pool.close().await;
    rows
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killed_syncs_lose_nothing_and_store_nothing_twice() {
    let dir = tempfile::tempdir().unwrap();
    let server = start_server(dir.path()).await;
    verified_account(&server, "ada@example.org").await;
    let (laptop, phone) = (dir.path().join("laptop"), dir.path().join("phone"));
    ok(&laptop, &server, &["init"], &[]).await;
    ok(
        &laptop,
        &server,
        &[
            "org",
            "create",
            "Acme",
            "--currency",
            "EUR",
            "--time-zone",
            "UTC",
        ],
        &[],
    )
    .await;
    ok(&laptop, &server, &["client", "add", "Globex"], &[]).await;
    ok(
        &laptop,
        &server,
        &["project", "add", "Website", "--client", "Globex"],
        &[],
    )
    .await;
    sign_in(&laptop, &server, "laptop").await;
    let published: serde_json::Value =
        serde_json::from_str(&ok(&laptop, &server, &["org", "publish", "--json"], &[]).await)
            .unwrap();
    let recovery = published["recovery_key"].as_str().unwrap().to_owned();
    enrolled_phone(&phone, &server, &recovery).await;

    let mut acknowledged: HashSet<String> = HashSet::new();
    let mut rng = 0x2545_F491_4F6C_DD1Du64;
    let (mut push_kills, mut pull_kills) = (0, 0);
    // The longest delay before each side's kill, in milliseconds (laptop, phone).
    let mut aim = [400u64; 2];
    for round in 0..KILLS {
        // New entries on the laptop: a few milliseconds of writing, sometimes a longer burst so
        // that a push spans several batches' worth of work.
        let burst = if round % 10 == 0 { 400 } else { 15 };
        acknowledged.extend(write_for(&laptop, &server, Duration::from_millis(burst)).await);
        let delay = Duration::from_millis(next(&mut rng) % aim[0]);
        let killed = killed_sync(&laptop, &server, delay).await;
        push_kills += usize::from(killed);
        aim[0] = aim_again(aim[0], killed);
        let delay = Duration::from_millis(next(&mut rng) % aim[1]);
        let killed = killed_sync(&phone, &server, delay).await;
        pull_kills += usize::from(killed);
        aim[1] = aim_again(aim[1], killed);
        if round % 10 == 9 {
            check(&laptop, &server, round).await;
            check(&phone, &server, round).await;
        }
    }
    // The kills landed while syncing, many times over on each side.
    assert!(
        push_kills >= KILLS / 4 && pull_kills >= KILLS / 4,
        "only {push_kills} pushing and {pull_kills} pulling syncs were killed while running"
    );

    // One full round each: nothing left to push, and the phone has every acknowledged entry once.
    let pushed: serde_json::Value =
        serde_json::from_str(&ok(&laptop, &server, &["sync", "--json"], &[]).await).unwrap();
    assert_eq!(pushed[0]["pending"], 0, "{pushed}");
    let pulled: serde_json::Value =
        serde_json::from_str(&ok(&phone, &server, &["sync", "--json"], &[]).await).unwrap();
    // The laptop's write log, written across all those kills, has no gap and lists nothing the
    // phone lacks.
    assert_eq!(pulled[0]["unseen_versions"], 0, "{pulled}");
    assert_eq!(pulled[0]["unseen_log_entries"], 0, "{pulled}");
    let (on_laptop, on_phone) = (
        entry_ids(&laptop, &server).await,
        entry_ids(&phone, &server).await,
    );
    assert_eq!(on_laptop, on_phone);
    let unique: HashSet<&String> = on_phone.iter().collect();
    assert_eq!(unique.len(), on_phone.len(), "an entry shown twice");
    let missing: Vec<&String> = acknowledged
        .iter()
        .filter(|id| !unique.contains(id))
        .collect();
    assert!(missing.is_empty(), "acknowledged entries lost: {missing:?}");
    assert!(acknowledged.len() >= KILLS, "{}", acknowledged.len());
    assert_eq!(records(&laptop).await, records(&phone).await);
    eprintln!(
        "{KILLS} rounds: {push_kills} pushing and {pull_kills} pulling syncs killed mid-run, {} acknowledged entries all on both devices once",
        acknowledged.len()
    );
}
