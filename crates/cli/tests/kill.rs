//! Crash safety: a process writing entries is killed (SIGKILL) at random instants, hundreds of
//! times. After every kill SQLite's integrity check passes and every entry the writer acknowledged
//! (printed after its commit returned) is in the vault.

mod support;

use std::collections::HashSet;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

const PASS: &str = "kill test passphrase";
const KILLS: usize = 200;

fn stint(vault: &Path) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_stint"));
    c.env("STINT_VAULT", vault)
        .env("STINT_PASSPHRASE", PASS)
        .env("STINT_KDF", "minimum")
        .env_remove("STINT_ORG");
    c
}

fn ok(vault: &Path, args: &[&str]) -> String {
    let out = support::output(stint(vault).args(args));
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// xorshift64: fixed seed, so a failure can be replayed.
fn next(state: &mut u64) -> u64 {
    *state ^= *state << 13;
    *state ^= *state >> 7;
    *state ^= *state << 17;
    *state
}

#[test]
fn killed_writers_lose_no_acknowledged_entry() {
    let dir = tempfile::tempdir().unwrap();
    let vault = dir.path();
    ok(vault, &["init"]);
    ok(
        vault,
        &["org", "create", "Crash Test", "--time-zone", "UTC"],
    );
    ok(vault, &["client", "add", "Client"]);
    ok(vault, &["project", "add", "Project", "--client", "Client"]);

    let mut acked: HashSet<String> = HashSet::new();
    let mut rng = 0x9E37_79B9_7F4A_7C15u64;
    let mut kills_during_writes = 0;
    for round in 0..KILLS {
        let mut child = stint(vault)
            .args(["torture-write", "--project", "Project"])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        let seen = Arc::new(Mutex::new(Vec::<String>::new()));
        let (first_ack, acked_once) = std::sync::mpsc::channel::<()>();
        let reader = {
            let seen = Arc::clone(&seen);
            std::thread::spawn(move || {
                for line in BufReader::new(stdout).lines() {
                    match line {
                        Ok(id) => {
                            seen.lock().unwrap().push(id);
                            let _ = first_ack.send(());
                        }
                        Err(_) => break,
                    }
                }
            })
        };
        if next(&mut rng).is_multiple_of(4) {
            // Anywhere from process start through unlocking into the first writes.
            std::thread::sleep(Duration::from_millis(next(&mut rng) % 300));
        } else {
            // Somewhere in the middle of writing: after the first acknowledged entry.
            acked_once
                .recv_timeout(Duration::from_secs(60))
                .expect("the writer acknowledged nothing within 60 s");
            std::thread::sleep(Duration::from_micros(next(&mut rng) % 40_000));
        }
        child.kill().unwrap();
        child.wait().unwrap();
        reader.join().unwrap();
        let new: Vec<String> = seen.lock().unwrap().clone();
        if !new.is_empty() {
            kills_during_writes += 1;
        }
        acked.extend(new);

        let check = support::output(stint(vault).args(["vault", "check", "--json"]));
        assert!(
            check.status.success(),
            "round {round}: {}",
            String::from_utf8_lossy(&check.stderr)
        );
        let check: serde_json::Value = serde_json::from_slice(&check.stdout).unwrap();
        assert_eq!(check["integrity"], "ok", "round {round}");
        assert_eq!(check["quarantined"], 0, "round {round}");

        // Every few rounds (and at the end) compare the whole set; it only grows.
        if round % 10 == 9 || round == KILLS - 1 {
            let entries: serde_json::Value =
                serde_json::from_str(&ok(vault, &["entry", "list", "--json"])).unwrap();
            let present: HashSet<String> = entries
                .as_array()
                .unwrap()
                .iter()
                .map(|e| e["entry"]["id"].as_str().unwrap().to_owned())
                .collect();
            let missing: Vec<&String> = acked.difference(&present).collect();
            assert!(
                missing.is_empty(),
                "round {round}: acknowledged entries lost: {missing:?}"
            );
        }
    }
    // The kills really landed while writing, many times over.
    assert!(
        kills_during_writes >= KILLS / 4,
        "only {kills_during_writes} kills hit a writing process"
    );
    eprintln!(
        "{KILLS} kills, {kills_during_writes} during writes, {} acknowledged entries all present",
        acked.len()
    );
}
