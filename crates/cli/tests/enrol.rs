//! Enrolling a phone from the laptop by short code, through the `stint` binary and a real sync
//! server on a loopback port: the phone shows a code and its fingerprint and waits; the laptop
//! approves the code and shows the same fingerprint; the phone opens the account and syncs. A code
//! typed wrong enrols nothing and uploads nothing; a code nobody waits for is one line.

mod server;
mod support;

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use server::{
    NOW, TestServer, go, ok, published_laptop, sign_in, start_server, stint, text, verified_account,
};

/// Starts `stint device enrol --json` on `vault` and returns the process and what it showed first
/// (code and fingerprint).
async fn start_enrol(
    vault: &Path,
    server: &TestServer,
) -> (
    Child,
    BufReader<std::process::ChildStdout>,
    serde_json::Value,
) {
    let mut cmd = stint(vault, &server.url);
    cmd.args(["device", "enrol", "--json"])
        .env("STINT_NOW", NOW)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    tokio::task::spawn_blocking(move || {
        let mut child = cmd.spawn().unwrap();
        let mut out = BufReader::new(child.stdout.take().unwrap());
        let mut line = String::new();
        out.read_line(&mut line).unwrap();
        let shown: serde_json::Value =
            serde_json::from_str(&line).unwrap_or_else(|_| panic!("not a JSON line: {line:?}"));
        (child, out, shown)
    })
    .await
    .unwrap()
}

/// Waits for the enrolling process: its exit status, the rest of its output, its errors.
async fn finish(
    mut child: Child,
    mut out: BufReader<std::process::ChildStdout>,
) -> (bool, String, String) {
    tokio::task::spawn_blocking(move || {
        let mut rest = String::new();
        std::io::Read::read_to_string(&mut out, &mut rest).unwrap();
        let mut err = String::new();
        std::io::Read::read_to_string(child.stderr.as_mut().unwrap(), &mut err).unwrap();
        let status = child.wait().unwrap();
        (status.success(), rest, err)
    })
    .await
    .unwrap()
}

fn devices(json: &str) -> Vec<String> {
    let listed: serde_json::Value = serde_json::from_str(json).unwrap();
    listed
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["id"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_phone_is_enrolled_by_the_code_the_laptop_approves() {
    let dir = tempfile::tempdir().unwrap();
    let server = start_server(dir.path()).await;
    verified_account(&server, "ada@example.org").await;
    let (laptop, phone) = (dir.path().join("laptop"), dir.path().join("phone"));

    published_laptop(&laptop, &server).await;
    ok(&phone, &server, &["init"], &[]).await;
    sign_in(&phone, &server, "phone").await;

    // Approving a code nobody waits for is one line, and changes nothing.
    let out = go(
        &laptop,
        &server,
        &["device", "approve", "123-ABCD-EFGH"],
        &[],
    )
    .await;
    assert!(!out.status.success());
    let err = text(&out.stderr);
    assert!(
        err.starts_with("stint: error: sync: no device is waiting for that code")
            && err.trim_end().lines().count() == 1,
        "{err}"
    );
    let out = go(&laptop, &server, &["device", "approve", "not a code"], &[]).await;
    assert!(!out.status.success());
    assert!(
        text(&out.stderr).contains("an enrolment code is three digits"),
        "{}",
        text(&out.stderr)
    );

    // A typo on the laptop: the phone refuses the answer, says so in one line, and uploads
    // nothing: the account still has only the laptop, and the phone is not set up.
    let (child, out, shown) = start_enrol(&phone, &server).await;
    let code = shown["code"].as_str().unwrap().to_owned();
    assert_eq!(code.len(), 13, "{shown}");
    let last = code.chars().last().unwrap();
    let typo = format!("{}{}", &code[..12], if last == '0' { '1' } else { '0' });
    let approved: serde_json::Value = serde_json::from_str(
        &ok(
            &laptop,
            &server,
            &["device", "approve", &typo, "--json"],
            &[],
        )
        .await,
    )
    .unwrap();
    // The laptop answered the request under that nameplate: the phone's keys, as the server gave
    // them; the code's secret is what the laptop could not check.
    assert_eq!(approved["fingerprint"], shown["fingerprint"]);
    let (success, _, err) = finish(child, out).await;
    assert!(!success);
    assert!(
        err.starts_with("stint: error: sync: the approving device did not use this device's code")
            && err.trim_end().lines().count() == 1,
        "{err}"
    );
    let listed = devices(&ok(&laptop, &server, &["device", "list", "--json"], &[]).await);
    assert_eq!(listed.len(), 1, "{listed:?}");
    let out = go(&phone, &server, &["sync"], &[]).await;
    assert!(!out.status.success(), "the phone has no account keys");
    // The answered request is gone: the same code cannot be approved twice.
    let out = go(&laptop, &server, &["device", "approve", &code], &[]).await;
    assert!(!out.status.success());

    // The right code: the phone shows the fingerprint the laptop shows, and has everything.
    let (child, out, shown) = start_enrol(&phone, &server).await;
    let code = shown["code"].as_str().unwrap().to_owned();
    let fingerprint = shown["fingerprint"].as_str().unwrap();
    assert_eq!(
        fingerprint.len(),
        35,
        "six groups of five digits: {fingerprint}"
    );
    let said = ok(
        &laptop,
        &server,
        &["device", "approve", &code.to_lowercase()],
        &[],
    )
    .await;
    assert!(said.contains(fingerprint), "{said}");
    let (success, rest, err) = finish(child, out).await;
    assert!(success, "{err}");
    let enrolled: serde_json::Value = serde_json::from_str(&rest).unwrap();
    assert_eq!(enrolled["enrolled"], true);
    assert!(enrolled["received"].as_u64().unwrap() >= 2, "{enrolled}");
    let clients: serde_json::Value =
        serde_json::from_str(&ok(&phone, &server, &["client", "list", "--json"], &[]).await)
            .unwrap();
    assert_eq!(clients[0]["name"], "Globex", "{clients}");
    let listed = devices(&ok(&laptop, &server, &["device", "list", "--json"], &[]).await);
    assert_eq!(listed.len(), 2, "{listed:?}");
    assert!(listed.contains(&approved["id"].as_str().unwrap().to_owned()));

    // A change on the phone reaches the laptop.
    ok(&phone, &server, &["client", "add", "Initech"], &[]).await;
    ok(&phone, &server, &["sync"], &[]).await;
    ok(&laptop, &server, &["sync"], &[]).await;
    let clients = ok(&laptop, &server, &["client", "list", "--json"], &[]).await;
    assert!(clients.contains("Initech"), "{clients}");

    // An enrolled device asks for no code.
    let out = go(&phone, &server, &["device", "enrol"], &[]).await;
    assert!(!out.status.success());
    assert!(
        text(&out.stderr).contains("set up for sync already"),
        "{}",
        text(&out.stderr)
    );
}

/// A TCP relay in front of the server that can be cut: while cut, every connection through it is
/// dropped (those open, and new ones as they come), as when a laptop loses its network.
struct Relay {
    url: String,
    cut: Arc<AtomicBool>,
    open: Arc<Mutex<Vec<tokio::task::AbortHandle>>>,
}

impl Relay {
    async fn to(server: &TestServer) -> Relay {
        let target = server.url.trim_start_matches("http://").to_owned();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let cut = Arc::new(AtomicBool::new(false));
        let open = Arc::new(Mutex::new(Vec::new()));
        let (is_cut, connections) = (cut.clone(), open.clone());
        tokio::spawn(async move {
            while let Ok((mut inbound, _)) = listener.accept().await {
                if is_cut.load(Ordering::SeqCst) {
                    continue;
                }
                let target = target.clone();
                let relayed = tokio::spawn(async move {
                    if let Ok(mut outbound) = tokio::net::TcpStream::connect(&target).await {
                        let _ = tokio::io::copy_bidirectional(&mut inbound, &mut outbound).await;
                    }
                });
                connections.lock().unwrap().push(relayed.abort_handle());
            }
        });
        Relay { url, cut, open }
    }

    fn cut(&self) {
        self.cut.store(true, Ordering::SeqCst);
        for connection in self.open.lock().unwrap().drain(..) {
            connection.abort();
        }
    }

    fn mend(&self) {
        self.cut.store(false, Ordering::SeqCst);
    }
}

/// The network going away while the phone waits for the approval is not the end of the wait: it
/// says so once and keeps asking, and the approval given meanwhile reaches it when the network is
/// back (seen failing before: the first failed request ended the enrolment).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_enrolling_phone_waits_through_a_network_outage() {
    let dir = tempfile::tempdir().unwrap();
    let server = start_server(dir.path()).await;
    verified_account(&server, "ada@example.org").await;
    let (laptop, phone) = (dir.path().join("laptop"), dir.path().join("phone"));
    published_laptop(&laptop, &server).await;
    let relay = Relay::to(&server).await;
    let through_relay = TestServer {
        url: relay.url.clone(),
        outbox: server.outbox.clone(),
    };
    ok(&phone, &through_relay, &["init"], &[]).await;
    sign_in(&phone, &through_relay, "phone").await;

    let (child, out, shown) = start_enrol(&phone, &through_relay).await;
    let code = shown["code"].as_str().unwrap().to_owned();
    relay.cut();
    // The phone asks once a second: a few of its questions fail.
    tokio::time::sleep(std::time::Duration::from_millis(3500)).await;
    ok(&laptop, &server, &["device", "approve", &code], &[]).await;
    tokio::time::sleep(std::time::Duration::from_millis(1500)).await;
    relay.mend();
    let (success, rest, err) = finish(child, out).await;
    assert!(success, "{err}");
    assert_eq!(
        err.matches("cannot ask the server for the approval")
            .count(),
        1,
        "{err}"
    );
    let enrolled: serde_json::Value = serde_json::from_str(&rest).unwrap();
    assert_eq!(enrolled["enrolled"], true, "{enrolled}");
    let listed = devices(&ok(&laptop, &server, &["device", "list", "--json"], &[]).await);
    assert_eq!(listed.len(), 2, "{listed:?}");
}

/// `stint recovery-kit`: a new key in a printable PDF (owner-only, never over another file); the
/// key from set-up stops working and the new one enrols a device.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_new_recovery_kit_replaces_the_old_key() {
    use std::os::unix::fs::PermissionsExt as _;

    let dir = tempfile::tempdir().unwrap();
    let server = start_server(dir.path()).await;
    verified_account(&server, "ada@example.org").await;
    let (laptop, phone) = (dir.path().join("laptop"), dir.path().join("phone"));
    let (_, old_key) = published_laptop(&laptop, &server).await;

    let kit = dir.path().join("kit.pdf");
    let made: serde_json::Value = serde_json::from_str(
        &ok(
            &laptop,
            &server,
            &["recovery-kit", "--out", kit.to_str().unwrap(), "--json"],
            &[],
        )
        .await,
    )
    .unwrap();
    let new_key = made["recovery_key"].as_str().unwrap().to_owned();
    assert_ne!(new_key, old_key);
    let bytes = std::fs::read(&kit).unwrap();
    assert!(bytes.starts_with(b"%PDF-"));
    assert_eq!(
        std::fs::metadata(&kit).unwrap().permissions().mode() & 0o777,
        0o600
    );
    assert!(!dir.path().join("kit.pdf.partial").exists());
    let printed = std::process::Command::new("pdftotext")
        .args([kit.to_str().unwrap(), "-"])
        .output()
        .expect("pdftotext (poppler-utils) is needed");
    let printed = String::from_utf8(printed.stdout).unwrap();
    for group in new_key.split('-') {
        assert!(printed.contains(group), "{group} not in the kit: {printed}");
    }
    assert!(printed.contains("ada@example.org"), "{printed}");

    // Never over an existing file; nothing changes then.
    let out = go(
        &laptop,
        &server,
        &["recovery-kit", "--out", kit.to_str().unwrap()],
        &[],
    )
    .await;
    assert!(!out.status.success());
    let err = text(&out.stderr);
    assert!(
        err.contains("exists already") && err.trim_end().lines().count() == 1,
        "{err}"
    );
    assert_eq!(std::fs::read(&kit).unwrap(), bytes);

    // The old key opens nothing any more; the new one enrols the phone.
    ok(&phone, &server, &["init"], &[]).await;
    sign_in(&phone, &server, "phone").await;
    let out = go(
        &phone,
        &server,
        &["device", "enrol", "--recovery-key"],
        &[("STINT_RECOVERY_KEY", &old_key)],
    )
    .await;
    assert!(!out.status.success());
    assert!(
        text(&out.stderr).contains("that recovery key does not open this account"),
        "{}",
        text(&out.stderr)
    );
    ok(
        &phone,
        &server,
        &["device", "enrol", "--recovery-key"],
        &[("STINT_RECOVERY_KEY", &new_key)],
    )
    .await;
    let orgs = ok(&phone, &server, &["org", "list", "--json"], &[]).await;
    assert!(orgs.contains("Acme"), "{orgs}");
}
