//! Passkeys in a real browser: Debian's Chromium, driven over WebDriver (chromedriver) with its
//! virtual authenticator (CTAP2, internal transport, resident keys, user verification), against a
//! real server. Registers a passkey, signs in without a username and with one on the server's own
//! sign-in page, and completes the desktop hand-off to an app's loopback listener (`stint-signin`).
//!
//! Needs `chromium` and `chromium-driver` (scripts/install-deps installs them); fails without them.

mod support;

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use reqwest::StatusCode;
use serde_json::{Value, json};
use stint_signin::{Loopback, Pkce, exchange, new_state, sign_in_url};
use support::{Backend, Server, Storage, sign_in, verified_account};

const PASSWORD: &str = "a long and private passphrase";

/// One headless Chromium behind chromedriver, spoken to in plain WebDriver JSON.
struct Chrome {
    driver: Child,
    base: String,
    http: reqwest::Client,
    _profile: tempfile::TempDir,
}

impl Chrome {
    async fn start() -> Chrome {
        let driver_path =
            std::env::var("STINT_CHROMEDRIVER").unwrap_or_else(|_| "chromedriver".into());
        let chromium =
            std::env::var("STINT_CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into());
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let driver = Command::new(&driver_path)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| {
                panic!("cannot start {driver_path} ({e}): install chromium and chromium-driver (scripts/install-deps does)")
            });
        let base = format!("http://127.0.0.1:{port}");
        let http = reqwest::Client::new();
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            if let Ok(r) = http.get(format!("{base}/status")).send().await
                && r.status().is_success()
            {
                break;
            }
            assert!(Instant::now() < deadline, "chromedriver did not start");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let profile = tempfile::tempdir().unwrap();
        let created: Value = http
            .post(format!("{base}/session"))
            .json(&json!({ "capabilities": { "alwaysMatch": {
                "browserName": "chrome",
                "webauthn:virtualAuthenticators": true,
                "goog:chromeOptions": {
                    "binary": chromium,
                    "args": [
                        "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                        "--disable-background-networking", "--disable-component-update", "--disable-sync",
                        "--no-first-run", format!("--user-data-dir={}", profile.path().display()),
                    ],
                },
            } } }))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let session = created["value"]["sessionId"]
            .as_str()
            .unwrap_or_else(|| panic!("no WebDriver session: {created}"));
        let chrome = Chrome {
            driver,
            base: format!("{base}/session/{session}"),
            http,
            _profile: profile,
        };
        // A platform authenticator with resident keys and user verification, like a laptop's.
        chrome
            .post(
                "/webauthn/authenticator",
                json!({
                    "protocol": "ctap2",
                    "transport": "internal",
                    "hasResidentKey": true,
                    "hasUserVerification": true,
                    "isUserVerified": true,
                }),
            )
            .await;
        chrome
    }

    async fn post(&self, path: &str, body: Value) -> Value {
        let reply: Value = self
            .http
            .post(format!("{}{path}", self.base))
            .json(&body)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert!(
            reply["value"]["error"].is_null(),
            "WebDriver {path}: {reply}"
        );
        reply["value"].clone()
    }

    async fn open(&self, url: &str) {
        self.post("/url", json!({ "url": url })).await;
    }

    async fn run(&self, script: &str) -> Value {
        self.post("/execute/sync", json!({ "script": script, "args": [] }))
            .await
    }

    async fn run_async(&self, script: &str, args: Value) -> Value {
        self.post("/execute/async", json!({ "script": script, "args": args }))
            .await
    }

    async fn click(&self, css: &str) {
        let element = self
            .post("/element", json!({ "using": "css selector", "value": css }))
            .await;
        let id = element
            .as_object()
            .unwrap()
            .values()
            .next()
            .unwrap()
            .as_str()
            .unwrap()
            .to_owned();
        self.post(&format!("/element/{id}/click"), json!({})).await;
    }

    async fn type_into(&self, css: &str, text: &str) {
        let element = self
            .post("/element", json!({ "using": "css selector", "value": css }))
            .await;
        let id = element
            .as_object()
            .unwrap()
            .values()
            .next()
            .unwrap()
            .as_str()
            .unwrap()
            .to_owned();
        self.post(&format!("/element/{id}/value"), json!({ "text": text }))
            .await;
    }

    /// Waits for the sign-in page to say how it went.
    async fn outcome(&self) -> String {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let state = self
                .run("const s = document.getElementById('status'); return s ? s.dataset.state + ': ' + s.textContent : '';")
                .await;
            let state = state.as_str().unwrap_or("").to_owned();
            if state.starts_with("signed-in") || state.starts_with("error") {
                return state;
            }
            assert!(
                Instant::now() < deadline,
                "the page did not finish: {state:?}"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
}

impl Drop for Chrome {
    /// Ends the WebDriver session, which closes the browser (stopping chromedriver alone would leave
    /// Chromium running), then stops chromedriver. Plain blocking HTTP: `drop` cannot await.
    fn drop(&mut self) {
        use std::io::{Read, Write};
        if let Some((host, path)) = self
            .base
            .strip_prefix("http://")
            .and_then(|rest| rest.split_once('/'))
            && let Ok(mut stream) = std::net::TcpStream::connect(host)
        {
            let _ = stream.set_read_timeout(Some(Duration::from_secs(20)));
            let _ = write!(
                stream,
                "DELETE /{path} HTTP/1.1\r\nHost: {host}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
            );
            // chromedriver answers once the browser is closed; the answer's first bytes suffice.
            let _ = stream.read(&mut [0u8; 1024]);
        }
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}

/// Registration as an account page would do it: the server's options, the browser's
/// `navigator.credentials.create` (the virtual authenticator), the answer back to the server.
const REGISTER: &str = r#"
const [token, name, done] = arguments;
const bytes = (t) => { const b = t.replace(/-/g, '+').replace(/_/g, '/'); return Uint8Array.from(atob(b + '='.repeat((4 - b.length % 4) % 4)), c => c.charCodeAt(0)); };
const text = (buf) => btoa(String.fromCharCode(...new Uint8Array(buf))).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
const post = (path, body) => fetch(path, { method: 'POST', headers: { 'content-type': 'application/json', authorization: 'Bearer ' + token }, body: JSON.stringify(body) });
(async () => {
  const start = await (await post('/api/v1/passkeys/register/start', { name })).json();
  const o = start.options.publicKey;
  o.challenge = bytes(o.challenge);
  o.user.id = bytes(o.user.id);
  for (const c of o.excludeCredentials || []) c.id = bytes(c.id);
  const cred = await navigator.credentials.create({ publicKey: o });
  const finish = await post('/api/v1/passkeys/register/finish', { ceremony: start.ceremony, credential: {
    id: cred.id, rawId: text(cred.rawId), type: cred.type,
    response: { attestationObject: text(cred.response.attestationObject), clientDataJSON: text(cred.response.clientDataJSON) },
    extensions: cred.getClientExtensionResults(),
  } });
  done(finish.status + ' ' + await finish.text());
})().catch(e => done('error ' + e));
"#;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn passkeys_and_the_desktop_hand_off_in_chromium() {
    let storage = Storage::new(Backend::Sqlite).await;
    let server = Server::start(&storage).await;
    verified_account(&server, &storage, "pia@example.org", PASSWORD).await;
    let api_session = sign_in(&server, "pia@example.org", PASSWORD, "setup").await;
    let chrome = Chrome::start().await;

    // Register a discoverable passkey from a page of the server's origin.
    chrome.open(&format!("{}/sign-in", server.public)).await;
    let registered = chrome
        .run_async(REGISTER, json!([api_session, "Laptop"]))
        .await;
    let registered = registered.as_str().unwrap();
    assert!(registered.starts_with("201 "), "{registered}");
    let (_, passkeys) = server.get("/api/v1/passkeys", &api_session).await;
    assert_eq!(passkeys[0]["name"], "Laptop");

    // Without a username: the browser offers the resident credential.
    chrome.open(&format!("{}/sign-in", server.public)).await;
    chrome.click("#passkey").await;
    assert_eq!(chrome.outcome().await, "signed-in: Signed in.");

    // With a username.
    chrome.open(&format!("{}/sign-in", server.public)).await;
    chrome.type_into("#email", "pia@example.org").await;
    chrome.click("#passkey-for-email").await;
    assert_eq!(chrome.outcome().await, "signed-in: Signed in.");

    // The desktop hand-off: the app listens on loopback, the browser signs in and comes back.
    let pkce = Pkce::new();
    let state = new_state();
    let loopback = Loopback::bind().await.unwrap();
    let url = sign_in_url(
        &server.public,
        "Pia's desktop",
        &pkce,
        &state,
        loopback.redirect_uri(),
    )
    .unwrap();
    let waiting = {
        let state = state.clone();
        tokio::spawn(async move {
            let code = loopback.wait(&state, Duration::from_secs(30)).await;
            (code, loopback)
        })
    };
    chrome.open(url.as_str()).await;
    let shown = chrome
        .run("return document.getElementById('device').textContent")
        .await;
    assert_eq!(shown, "Pia's desktop");
    chrome.click("#passkey").await;
    let (code, loopback) = waiting.await.unwrap();
    let code = code.expect("the browser came back with a code");
    let landed = chrome
        .run("return location.href + ' ' + document.body.textContent")
        .await;
    assert!(
        landed.as_str().unwrap().contains("/callback?code="),
        "{landed}"
    );
    assert!(
        landed
            .as_str()
            .unwrap()
            .contains("You can close this window"),
        "{landed}"
    );

    let grant = exchange(&server.base, &code, &pkce, loopback.redirect_uri())
        .await
        .unwrap();
    let (status, account) = server.get("/api/v1/account", &grant.access_token).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(account["email"], "pia@example.org");
    // The page's own short session ended; the app's is the one session of that device.
    let (_, sessions) = server.get("/api/v1/sessions", &grant.access_token).await;
    let desktop: Vec<&Value> = sessions
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["device"] == "Pia's desktop")
        .collect();
    assert_eq!(desktop.len(), 1, "{sessions}");
    assert_eq!(desktop[0]["current"], true);
    server.stop().await;

    // Closing leaves no browser behind.
    let profile = chrome._profile.path().display().to_string();
    drop(chrome);
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let left = Command::new("pgrep")
            .args(["-f", &profile])
            .output()
            .unwrap();
        if left.stdout.is_empty() {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "Chromium still runs: {}",
            String::from_utf8_lossy(&left.stdout)
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}
