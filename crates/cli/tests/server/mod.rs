//! A real sync server on a loopback port for the CLI's tests that talk to one, and the helpers
//! those tests share: the `stint` command aimed at a vault and that server, signing up an account
//! through the API, and reading the codes the server emails.

// Each test binary that includes this module uses part of it.
#![allow(dead_code)]

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, Instant};

use super::support;

pub const PASS: &str = "correct horse battery staple";
pub const PASSWORD: &str = "a long and private passphrase";

pub fn stint(vault: &Path, server: &str) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_stint"));
    cmd.env("STINT_VAULT", vault)
        .env("STINT_PASSPHRASE", PASS)
        .env("STINT_KDF", "minimum")
        .env("STINT_SERVER", server)
        .env_remove("STINT_SERVER_PASSWORD")
        .env_remove("STINT_ORG");
    cmd
}

pub async fn run(cmd: Command, feed: Option<Vec<String>>, outbox: Option<PathBuf>) -> Output {
    let mut cmd = cmd;
    tokio::task::spawn_blocking(move || match feed {
        None => support::output(&mut cmd),
        Some(lines) => support::output_feeding(&mut cmd, move |mut stdin| {
            for line in lines {
                // "@code" waits for the emailed sign-in code and sends it.
                let line = match (line.as_str(), &outbox) {
                    ("@code", Some(outbox)) => wait_for_code(outbox),
                    _ => line,
                };
                if writeln!(stdin, "{line}").is_err() {
                    return;
                }
            }
        }),
    })
    .await
    .unwrap()
}

pub fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// The finished emails in the outbox. The server writes each to a hidden `.partial` name first and
/// renames it when it is on disk: a reader that took (or removed) the partial file would race the
/// server's rename.
pub fn emails(outbox: &Path) -> Vec<PathBuf> {
    std::fs::read_dir(outbox)
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "eml"))
        .collect()
}

/// Waits for a sign-in code email in the outbox (the server writes one `.eml` per email), then
/// returns its code and removes the file so the next wait sees only a new one.
pub fn wait_for_code(outbox: &Path) -> String {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        for path in emails(outbox) {
            let body = std::fs::read_to_string(&path).unwrap_or_default();
            if !body.contains("Subject: Your Stint sign-in code") {
                continue;
            }
            let code = body
                .lines()
                .map(str::trim)
                .find(|l| l.len() == 9 && l.chars().filter(char::is_ascii_digit).count() == 8)
                .expect("an eight-digit code in the email")
                .to_owned();
            std::fs::remove_file(&path).unwrap();
            return code;
        }
        assert!(Instant::now() < deadline, "no sign-in code was emailed");
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// The instant every sync story's commands take as "now" (`STINT_NOW`): never the machine's clock.
pub const NOW: &str = "2026-12-01T15:00:00Z";

/// Runs `stint args` on `vault` at [`NOW`] with `env`; its standard output, or the test fails with
/// its error.
pub async fn ok(vault: &Path, server: &TestServer, args: &[&str], env: &[(&str, &str)]) -> String {
    let out = go(vault, server, args, env).await;
    assert!(
        out.status.success(),
        "stint {args:?} failed: {}",
        text(&out.stderr)
    );
    text(&out.stdout)
}

/// Runs `stint args` on `vault` at [`NOW`] with `env`, whatever becomes of it.
pub async fn go(vault: &Path, server: &TestServer, args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut cmd = stint(vault, &server.url);
    cmd.args(args).env("STINT_NOW", NOW);
    for (name, value) in env {
        cmd.env(name, value);
    }
    run(cmd, None, None).await
}

/// Signs `vault` in as ada@example.org, naming the session `device`, with the emailed code.
pub async fn sign_in(vault: &Path, server: &TestServer, device: &str) {
    sign_in_as(vault, server, "ada@example.org", device).await
}

/// Signs `vault` in as `email` (an account with the tests' password), naming the session
/// `device`, with the emailed code.
pub async fn sign_in_as(vault: &Path, server: &TestServer, email: &str, device: &str) {
    let mut cmd = stint(vault, &server.url);
    cmd.args(["account", "sign-in", "--email", email, "--device", device])
        .env("STINT_SERVER_PASSWORD", PASSWORD);
    let out = run(cmd, Some(vec!["@code".into()]), Some(server.outbox.clone())).await;
    assert!(out.status.success(), "{}", text(&out.stderr));
}

/// A laptop with the organization "Acme" (EUR, UTC) and its client "Globex", signed in as
/// ada@example.org and published: the organization's id and the recovery key shown once.
pub async fn published_laptop(laptop: &Path, server: &TestServer) -> (String, String) {
    ok(laptop, server, &["init"], &[]).await;
    ok(
        laptop,
        server,
        &[
            "org",
            "create",
            "Acme",
            "--currency",
            "EUR",
            "--time-zone",
            "UTC",
            "--owner",
            "Ada",
        ],
        &[],
    )
    .await;
    ok(laptop, server, &["client", "add", "Globex"], &[]).await;
    sign_in(laptop, server, "laptop").await;
    let published: serde_json::Value =
        serde_json::from_str(&ok(laptop, server, &["org", "publish", "--json"], &[]).await)
            .unwrap();
    (
        published["published"].as_str().unwrap().to_owned(),
        published["recovery_key"].as_str().unwrap().to_owned(),
    )
}

/// A second device of ada@example.org: a new vault at `phone`, signed in, enrolled with the
/// recovery key.
pub async fn enrolled_phone(phone: &Path, server: &TestServer, recovery: &str) {
    ok(phone, server, &["init"], &[]).await;
    sign_in(phone, server, "phone").await;
    ok(
        phone,
        server,
        &["device", "enrol", "--recovery-key"],
        &[("STINT_RECOVERY_KEY", recovery)],
    )
    .await;
}

pub struct TestServer {
    pub url: String,
    pub outbox: PathBuf,
}

pub async fn start_server(dir: &Path) -> TestServer {
    let _ = rustls::crypto::ring::default_provider().install_default();
    // The server's log goes to the test's captured output, shown when a test fails.
    let _ = tracing_subscriber::fmt()
        .with_env_filter("stint_server=info")
        .with_test_writer()
        .try_init();
    let outbox = dir.join("outbox");
    let config = stint_server::Config {
        listen: ([127, 0, 0, 1], 0).into(),
        data_dir: dir.join("data"),
        outbox_dir: Some(outbox.clone()),
        ..stint_server::Config::default()
    };
    let listener = tokio::net::TcpListener::bind(config.listen).await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let mut config = config;
    config.public_url = format!("http://localhost:{port}");
    let state = stint_server::open(config).await.unwrap();
    tokio::spawn(async move {
        stint_server::serve(listener, state, std::future::pending::<()>())
            .await
            .unwrap();
    });
    TestServer {
        url: format!("http://127.0.0.1:{port}"),
        outbox,
    }
}

/// Signs up and confirms an address through the API, as the web pages would.
pub async fn verified_account(server: &TestServer, email: &str) {
    let http = reqwest::Client::new();
    let status = http
        .post(format!("{}/api/v1/accounts", server.url))
        .json(&serde_json::json!({ "email": email, "password": PASSWORD }))
        .send()
        .await
        .unwrap()
        .status();
    assert_eq!(status, 202);
    let mail = emails(&server.outbox)
        .into_iter()
        .map(|p| std::fs::read_to_string(p).unwrap())
        .find(|m| m.contains(&format!("To: {email}\r\n")))
        .expect("a verification email");
    let at = mail.find("ste_").unwrap();
    let status = http
        .post(format!("{}/api/v1/accounts/verify", server.url))
        .json(&serde_json::json!({ "token": &mail[at..at + 68], "password": PASSWORD }))
        .send()
        .await
        .unwrap()
        .status();
    assert_eq!(status, 200);
}
