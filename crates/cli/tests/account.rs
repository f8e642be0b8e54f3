//! `stint account`: the CLI signs in to a real sync server on a loopback port with the password and
//! the code the server emails, keeps the session sealed in the vault, and signs out.

mod support;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, Instant};

const PASS: &str = "correct horse battery staple";
const PASSWORD: &str = "a long and private passphrase";

fn stint(vault: &Path, server: &str) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_stint"));
    cmd.env("STINT_VAULT", vault)
        .env("STINT_PASSPHRASE", PASS)
        .env("STINT_KDF", "minimum")
        .env("STINT_SERVER", server)
        .env_remove("STINT_SERVER_PASSWORD")
        .env_remove("STINT_ORG");
    cmd
}

async fn run(cmd: Command, feed: Option<Vec<String>>, outbox: Option<PathBuf>) -> Output {
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

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// The finished emails in the outbox. The server writes each to a hidden `.partial` name first and
/// renames it when it is on disk: a reader that took (or removed) the partial file would race the
/// server's rename.
fn emails(outbox: &Path) -> Vec<PathBuf> {
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
fn wait_for_code(outbox: &Path) -> String {
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

struct TestServer {
    url: String,
    outbox: PathBuf,
}

async fn start_server(dir: &Path) -> TestServer {
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
async fn verified_account(server: &TestServer, email: &str) {
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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_cli_signs_in_with_the_emailed_code_keeps_the_session_sealed_and_signs_out() {
    let dir = tempfile::tempdir().unwrap();
    let server = start_server(dir.path()).await;
    let vault = dir.path().join("vault");
    let out = run(
        {
            let mut c = stint(&vault, &server.url);
            c.arg("init");
            c
        },
        None,
        None,
    )
    .await;
    assert!(out.status.success(), "{}", text(&out.stderr));
    verified_account(&server, "eve@example.org").await;

    // Not signed in yet.
    let mut cmd = stint(&vault, &server.url);
    cmd.args(["account", "show", "--json"]);
    let out = run(cmd, None, None).await;
    assert!(out.status.success(), "{}", text(&out.stderr));
    let shown: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(shown["signed_in"], false);

    // A wrong password: one line, non-zero, nothing stored.
    let mut cmd = stint(&vault, &server.url);
    cmd.args(["account", "sign-in", "--email", "eve@example.org"])
        .env("STINT_SERVER_PASSWORD", "not my password");
    let out = run(cmd, Some(vec![]), None).await;
    assert!(!out.status.success());
    let err = text(&out.stderr);
    assert_eq!(
        err.trim(),
        "stint: error: the server refused: the email address or password is wrong"
    );

    // Plain HTTP to another machine is refused before the password leaves.
    let mut cmd = stint(&vault, "http://stint.example.org");
    cmd.args(["account", "sign-in", "--email", "eve@example.org"])
        .env("STINT_SERVER_PASSWORD", PASSWORD);
    let out = run(cmd, Some(vec![]), None).await;
    assert!(!out.status.success());
    assert!(
        text(&out.stderr).contains("plain HTTP"),
        "{}",
        text(&out.stderr)
    );

    // A wrong code is refused and stores nothing.
    let mut cmd = stint(&vault, &server.url);
    cmd.args(["account", "sign-in", "--email", "eve@example.org"])
        .env("STINT_SERVER_PASSWORD", PASSWORD);
    let out = run(
        cmd,
        Some(vec!["0000 0000x".into()]),
        Some(server.outbox.clone()),
    )
    .await;
    assert!(!out.status.success());
    assert!(
        text(&out.stderr).contains("not right"),
        "{}",
        text(&out.stderr)
    );
    wait_for_code(&server.outbox); // that attempt's email

    // The right code signs in.
    let mut cmd = stint(&vault, &server.url);
    cmd.args([
        "account",
        "sign-in",
        "--email",
        "eve@example.org",
        "--device",
        "ci runner",
    ])
    .env("STINT_SERVER_PASSWORD", PASSWORD);
    let out = run(cmd, Some(vec!["@code".into()]), Some(server.outbox.clone())).await;
    assert!(out.status.success(), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    assert!(
        stdout.starts_with(&format!("Signed in to {} as eve@example.org", server.url)),
        "{stdout}"
    );
    assert!(text(&out.stderr).contains("We emailed a sign-in code"));

    let mut cmd = stint(&vault, &server.url);
    cmd.args(["account", "show", "--json"]);
    let out = run(cmd, None, None).await;
    assert!(out.status.success(), "{}", text(&out.stderr));
    let shown: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(shown["signed_in"], true);
    assert_eq!(shown["account"]["email"], "eve@example.org");
    assert_eq!(shown["server"], server.url);

    // The token is in the vault only sealed: no `sts_` token in any file of the vault.
    for entry in std::fs::read_dir(&vault).unwrap().flatten() {
        let bytes = std::fs::read(entry.path()).unwrap();
        assert!(
            !bytes.windows(4).any(|w| w == b"sts_"),
            "{} holds a session token in the clear",
            entry.path().display()
        );
    }

    // Signing out ends the session on the server, not just here.
    let mut cmd = stint(&vault, &server.url);
    cmd.args(["account", "sign-out"]);
    let out = run(cmd, None, None).await;
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stderr).is_empty(), "{}", text(&out.stderr));
    let mut cmd = stint(&vault, &server.url);
    cmd.args(["account", "show", "--json"]);
    let out = run(cmd, None, None).await;
    let shown: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(shown["signed_in"], false);
    let mut cmd = stint(&vault, &server.url);
    cmd.args(["account", "sign-out"]);
    let out = run(cmd, None, None).await;
    assert!(!out.status.success());
    assert_eq!(
        text(&out.stderr).trim(),
        "stint: error: this device is not signed in to a sync server"
    );
}
