//! The app's half of signing in to a Stint server through the system browser (RFC 8252): the
//! browser is where passkeys and security keys work, and the app never sees a password.
//!
//! 1. [`Pkce::new`] makes a verifier and its S256 challenge (RFC 7636).
//! 2. [`Loopback::bind`] listens on `127.0.0.1` on a port the system picks.
//! 3. [`sign_in_url`] is the server's sign-in page with the redirect, state and challenge; open it in
//!    the browser.
//! 4. [`Loopback::wait`] answers the browser's redirect and returns the single-use code (checking
//!    `state`).
//! 5. [`exchange`] trades code and verifier for an access token and a refresh token; [`refresh`]
//!    renews them (the refresh token rotates).
//!
//! Without a browser (the `stint` CLI), [`cli_sign_in`] sends the password and the server emails a
//! one-time code; [`cli_confirm`] trades it (with a TOTP or recovery code where the account has one)
//! for a session. [`account`] and [`sign_out`] use a session token.

use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sha2::{Digest, Sha256};
use stint_protocol::{
    Account, CliChallenge, CliConfirm, CliSignIn, SessionGrant, TokenGrant, TokenRequest,
};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use url::Url;
use zeroize::Zeroizing;

/// What can go wrong on the app's side of the hand-off.
#[derive(Debug, thiserror::Error)]
pub enum SignInError {
    #[error("the sign-in did not finish within {0:?}")]
    TimedOut(Duration),
    #[error("the browser came back without a sign-in code: {0}")]
    NoCode(String),
    #[error("the browser came back with a different state; this sign-in was not started here")]
    StateMismatch,
    #[error("the server refused: {0}")]
    Refused(String),
    /// A 5xx answer: the server (or a proxy before it) cannot serve the request for now; nothing
    /// was refused. (A 429 is a refusal with its reason: too many tries, a locked account.)
    #[error("the server is unavailable for now: {0}")]
    Unavailable(String),
    #[error("cannot reach the server: {0}")]
    Http(#[from] reqwest::Error),
    #[error("{0}")]
    Io(#[from] std::io::Error),
    #[error("not a server address: {0}")]
    Url(#[from] url::ParseError),
    #[error("{0:?} is not a server address; write it like https://stint.example.org")]
    NotAnAddress(String),
    #[error("refusing to sign in over plain HTTP to {0}; use https://")]
    PlainHttp(String),
    #[error("cannot open the browser: {0}")]
    Browser(std::io::Error),
}

/// A server's address as typed (`https://stint.example.org/some/path`) reduced to its origin.
/// Refused unless it is HTTPS, or plain HTTP to this machine itself: a password, a code or a
/// token must not cross a network in the clear.
pub fn server_origin(text: &str) -> Result<String, SignInError> {
    let not_an_address = || SignInError::NotAnAddress(text.trim().to_owned());
    let url = Url::parse(text.trim()).map_err(|_| not_an_address())?;
    let loopback = match url.host() {
        Some(url::Host::Domain(d)) => d == "localhost",
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    };
    match url.scheme() {
        "https" => {}
        "http" if loopback => {}
        "http" => return Err(SignInError::PlainHttp(text.trim().to_owned())),
        _ => return Err(not_an_address()),
    }
    if url.host().is_none() || !url.username().is_empty() || url.password().is_some() {
        return Err(not_an_address());
    }
    Ok(url.origin().ascii_serialization())
}

/// The whole hand-off: listens on a loopback port, has `open` show the server's sign-in page
/// (in the system browser), waits up to `timeout` for the browser to come back, and trades the
/// code for tokens. `server` is an origin ([`server_origin`]).
pub async fn through_browser(
    server: &str,
    device: &str,
    timeout: Duration,
    open: impl FnOnce(&Url) -> std::io::Result<()>,
) -> Result<TokenGrant, SignInError> {
    let pkce = Pkce::new();
    let state = new_state();
    let loopback = Loopback::bind().await?;
    let url = sign_in_url(server, device, &pkce, &state, loopback.redirect_uri())?;
    open(&url).map_err(SignInError::Browser)?;
    let code = loopback.wait(&state, timeout).await?;
    exchange(server, &code, &pkce, loopback.redirect_uri()).await
}

fn random_text() -> Zeroizing<String> {
    let mut bytes = Zeroizing::new([0u8; 32]);
    getrandom::fill(bytes.as_mut()).expect("the operating system's random source failed");
    Zeroizing::new(URL_SAFE_NO_PAD.encode(bytes.as_ref()))
}

/// A PKCE pair: the verifier stays in the app, the challenge goes through the browser.
pub struct Pkce {
    verifier: Zeroizing<String>,
    challenge: String,
}

impl Pkce {
    pub fn new() -> Pkce {
        let verifier = random_text();
        let challenge = challenge_of(&verifier);
        Pkce {
            verifier,
            challenge,
        }
    }

    pub fn verifier(&self) -> &str {
        &self.verifier
    }

    pub fn challenge(&self) -> &str {
        &self.challenge
    }
}

impl Default for Pkce {
    fn default() -> Pkce {
        Pkce::new()
    }
}

/// `BASE64URL(SHA256(verifier))`, without padding.
pub fn challenge_of(verifier: &str) -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()))
}

/// A fresh `state` value, to match the redirect to this sign-in.
pub fn new_state() -> String {
    random_text().to_string()
}

/// The loopback listener the browser is redirected to.
pub struct Loopback {
    listener: tokio::net::TcpListener,
    redirect_uri: String,
}

impl Loopback {
    /// Listens on `127.0.0.1` on a port the system picks.
    pub async fn bind() -> std::io::Result<Loopback> {
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", 0)).await?;
        let port = listener.local_addr()?.port();
        Ok(Loopback {
            listener,
            redirect_uri: format!("http://127.0.0.1:{port}/callback"),
        })
    }

    pub fn redirect_uri(&self) -> &str {
        &self.redirect_uri
    }

    /// Answers the browser's redirect (ignoring other requests, such as a favicon) and returns the
    /// code, after checking `state`.
    pub async fn wait(&self, state: &str, timeout: Duration) -> Result<String, SignInError> {
        tokio::time::timeout(timeout, self.accept(state))
            .await
            .map_err(|_| SignInError::TimedOut(timeout))?
    }

    async fn accept(&self, state: &str) -> Result<String, SignInError> {
        loop {
            let (mut stream, _) = self.listener.accept().await?;
            let mut request = Vec::new();
            let mut buf = [0u8; 2048];
            while !request.windows(4).any(|w| w == b"\r\n\r\n") && request.len() < 16 * 1024 {
                let n = stream.read(&mut buf).await?;
                if n == 0 {
                    break;
                }
                request.extend_from_slice(&buf[..n]);
            }
            let line = String::from_utf8_lossy(&request);
            let target = line
                .lines()
                .next()
                .and_then(|l| l.split_whitespace().nth(1))
                .unwrap_or("/")
                .to_owned();
            let url = Url::parse("http://127.0.0.1").and_then(|base| base.join(&target));
            let Ok(url) = url else { continue };
            if url.path() != "/callback" {
                let _ = stream
                    .write_all(
                        b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
                    )
                    .await;
                continue;
            }
            let query = |name: &str| {
                url.query_pairs()
                    .find(|(k, _)| k == name)
                    .map(|(_, v)| v.into_owned())
            };
            let outcome = match (query("code"), query("state")) {
                (Some(_), Some(got)) if got != state => Err(SignInError::StateMismatch),
                (Some(code), Some(_)) => Ok(code),
                _ => Err(SignInError::NoCode(
                    query("error").unwrap_or_else(|| "no code".into()),
                )),
            };
            let page = match &outcome {
                Ok(_) => {
                    "<!doctype html><meta charset=utf-8><title>Stint</title><p>Signed in. You can close this window and return to Stint."
                }
                Err(_) => {
                    "<!doctype html><meta charset=utf-8><title>Stint</title><p>The sign-in did not complete. Return to Stint and try again."
                }
            };
            let response = format!(
                "HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: {}\r\nCache-Control: no-store\r\nConnection: close\r\n\r\n{page}",
                page.len()
            );
            let _ = stream.write_all(response.as_bytes()).await;
            let _ = stream.shutdown().await;
            return outcome;
        }
    }
}

/// The server's sign-in page for this hand-off.
pub fn sign_in_url(
    server: &str,
    device: &str,
    pkce: &Pkce,
    state: &str,
    redirect_uri: &str,
) -> Result<Url, SignInError> {
    let mut url = Url::parse(server)?.join("/sign-in")?;
    url.query_pairs_mut()
        .append_pair("redirect_uri", redirect_uri)
        .append_pair("state", state)
        .append_pair("code_challenge", pkce.challenge())
        .append_pair("code_challenge_method", "S256")
        .append_pair("device", device);
    Ok(url)
}

async fn token(server: &str, request: &TokenRequest) -> Result<TokenGrant, SignInError> {
    call(
        server,
        reqwest::Method::POST,
        "/api/v1/token",
        None,
        Some(request),
    )
    .await
}

/// One JSON request to the server; a refusal becomes [`SignInError::Refused`] with the server's
/// message.
async fn call<B: serde::Serialize, R: serde::de::DeserializeOwned>(
    server: &str,
    method: reqwest::Method,
    path: &str,
    bearer: Option<&str>,
    body: Option<&B>,
) -> Result<R, SignInError> {
    let url = Url::parse(server)?.join(path)?;
    // reqwest is built without a TLS crypto provider of its own: ring, process-wide.
    let _ = rustls::crypto::ring::default_provider().install_default();
    let mut request = reqwest::Client::builder()
        .timeout(Duration::from_secs(30))
        .build()?
        .request(method, url);
    if let Some(token) = bearer {
        request = request.bearer_auth(token);
    }
    if let Some(body) = body {
        request = request.json(body);
    }
    let response = request.send().await?;
    let status = response.status();
    if !status.is_success() {
        let body: serde_json::Value = response.json().await.unwrap_or_default();
        let reason = body["error"]["message"]
            .as_str()
            .unwrap_or("no reason given")
            .to_owned();
        return Err(if status.is_server_error() {
            SignInError::Unavailable(format!("{status}: {reason}"))
        } else {
            SignInError::Refused(reason)
        });
    }
    let text = response.text().await?;
    // `204 No Content` reads as JSON null.
    serde_json::from_str(if text.is_empty() { "null" } else { &text })
        .map_err(|e| SignInError::Refused(format!("the server's answer does not read: {e}")))
}

/// The CLI's sign-in, step one: the password. The server emails a one-time code to the account.
pub async fn cli_sign_in(
    server: &str,
    email: &str,
    password: &str,
    device: &str,
) -> Result<CliChallenge, SignInError> {
    let body = CliSignIn {
        email: email.to_owned(),
        password: password.to_owned(),
        device: device.to_owned(),
    };
    let reply = call(
        server,
        reqwest::Method::POST,
        "/api/v1/cli/sign-in",
        None,
        Some(&body),
    )
    .await;
    // The request held the password; wipe our copy.
    let CliSignIn { mut password, .. } = body;
    zeroize::Zeroize::zeroize(&mut password);
    reply
}

/// The CLI's sign-in, step two: the emailed code (and, if the account asks for one, a TOTP or
/// recovery code) for a session.
pub async fn cli_confirm(server: &str, confirm: &CliConfirm) -> Result<SessionGrant, SignInError> {
    call(
        server,
        reqwest::Method::POST,
        "/api/v1/cli/sign-in/confirm",
        None,
        Some(confirm),
    )
    .await
}

/// The signed-in account (checks that a session token still works).
pub async fn account(server: &str, token: &str) -> Result<Account, SignInError> {
    call::<(), _>(
        server,
        reqwest::Method::GET,
        "/api/v1/account",
        Some(token),
        None,
    )
    .await
}

/// Ends the session of `token` on the server.
pub async fn sign_out(server: &str, token: &str) -> Result<(), SignInError> {
    call::<(), ()>(
        server,
        reqwest::Method::DELETE,
        "/api/v1/sessions/current",
        Some(token),
        None,
    )
    .await
}

/// Trades the code from the redirect (and the verifier only this app knows) for tokens.
pub async fn exchange(
    server: &str,
    code: &str,
    pkce: &Pkce,
    redirect_uri: &str,
) -> Result<TokenGrant, SignInError> {
    token(
        server,
        &TokenRequest::AuthorizationCode {
            code: code.to_owned(),
            code_verifier: pkce.verifier().to_owned(),
            redirect_uri: redirect_uri.to_owned(),
        },
    )
    .await
}

/// New tokens for a refresh token (which is used up by this).
pub async fn refresh(server: &str, refresh_token: &str) -> Result<TokenGrant, SignInError> {
    token(
        server,
        &TokenRequest::RefreshToken {
            refresh_token: refresh_token.to_owned(),
        },
    )
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_challenge_is_rfc_7636s_s256() {
        // RFC 7636, appendix B.
        assert_eq!(
            challenge_of("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"),
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
        );
        let pkce = Pkce::new();
        assert_eq!(pkce.verifier().len(), 43);
        assert_eq!(challenge_of(pkce.verifier()), pkce.challenge());
        assert_ne!(Pkce::new().verifier(), pkce.verifier());
    }

    #[test]
    fn server_addresses_must_be_https_unless_on_this_machine() {
        assert_eq!(
            server_origin(" https://stint.example.org/some/path ").unwrap(),
            "https://stint.example.org"
        );
        assert_eq!(
            server_origin("http://127.0.0.1:7380").unwrap(),
            "http://127.0.0.1:7380"
        );
        assert_eq!(
            server_origin("http://localhost:7380/").unwrap(),
            "http://localhost:7380"
        );
        assert_eq!(server_origin("http://[::1]:80").unwrap(), "http://[::1]");
        assert!(matches!(
            server_origin("http://stint.example.org"),
            Err(SignInError::PlainHttp(_))
        ));
        for bad in [
            "ftp://stint.example.org",
            "stint.example.org",
            "https://user:pw@stint.example.org",
            "",
        ] {
            assert!(
                matches!(server_origin(bad), Err(SignInError::NotAnAddress(_))),
                "{bad}"
            );
        }
    }

    #[test]
    fn the_sign_in_url_carries_the_hand_off() {
        let pkce = Pkce::new();
        let url = sign_in_url(
            "https://stint.example.org/ignored",
            "Jane's laptop",
            &pkce,
            "s1",
            "http://127.0.0.1:5000/callback",
        )
        .unwrap();
        assert_eq!(url.path(), "/sign-in");
        let q: std::collections::HashMap<_, _> = url.query_pairs().into_owned().collect();
        assert_eq!(q["redirect_uri"], "http://127.0.0.1:5000/callback");
        assert_eq!(q["code_challenge"], pkce.challenge());
        assert_eq!(q["code_challenge_method"], "S256");
        assert_eq!(q["device"], "Jane's laptop");
        assert!(
            !url.as_str().contains(pkce.verifier()),
            "the verifier never leaves the app"
        );
    }

    /// A server on a loopback port that answers its first request with `status` and `body`.
    async fn answering(status: &'static str, body: &'static str) -> String {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://127.0.0.1:{}", listener.local_addr().unwrap().port());
        tokio::spawn(async move {
            let (mut stream, _) = listener.accept().await.unwrap();
            let mut request = vec![0; 4096];
            let _ = stream.read(&mut request).await;
            let reply = format!(
                "HTTP/1.1 {status}\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                body.len()
            );
            stream.write_all(reply.as_bytes()).await.unwrap();
        });
        base
    }

    #[tokio::test]
    async fn a_server_error_is_unavailable_and_a_client_error_refused() {
        let base = answering("503 Service Unavailable", "").await;
        let outcome = refresh(&base, "str_x").await;
        let Err(e @ SignInError::Unavailable(_)) = outcome else {
            panic!("{outcome:?}")
        };
        assert_eq!(
            e.to_string(),
            "the server is unavailable for now: 503 Service Unavailable: no reason given"
        );

        let base = answering(
            "401 Unauthorized",
            r#"{"error":{"code":"invalid_grant","message":"this session has ended"}}"#,
        )
        .await;
        let outcome = refresh(&base, "str_x").await;
        assert!(
            matches!(&outcome, Err(SignInError::Refused(m)) if m == "this session has ended"),
            "{outcome:?}"
        );
    }

    #[tokio::test]
    async fn a_browser_that_does_not_open_is_said_so() {
        let outcome = through_browser("http://127.0.0.1:9", "x", Duration::from_secs(5), |_| {
            Err(std::io::Error::other("no browser configured"))
        })
        .await;
        let Err(e @ SignInError::Browser(_)) = outcome else {
            panic!("{outcome:?}")
        };
        assert_eq!(
            e.to_string(),
            "cannot open the browser: no browser configured"
        );
    }

    #[tokio::test]
    async fn the_listener_returns_the_code_only_with_the_right_state() {
        let _ = rustls::crypto::ring::default_provider().install_default();
        let loopback = Loopback::bind().await.unwrap();
        let uri = loopback.redirect_uri().to_owned();
        let browser = tokio::spawn(async move {
            let _ = reqwest::get(format!("{uri}/../favicon.ico")).await;
            reqwest::get(format!("{uri}?code=sth_abc&state=s1"))
                .await
                .unwrap()
                .text()
                .await
                .unwrap()
        });
        let code = loopback.wait("s1", Duration::from_secs(10)).await.unwrap();
        assert_eq!(code, "sth_abc");
        assert!(browser.await.unwrap().contains("Signed in"));

        let uri = loopback.redirect_uri().to_owned();
        tokio::spawn(async move { reqwest::get(format!("{uri}?code=x&state=forged")).await });
        assert!(matches!(
            loopback.wait("s1", Duration::from_secs(10)).await,
            Err(SignInError::StateMismatch)
        ));
        assert!(matches!(
            loopback.wait("s1", Duration::from_millis(50)).await,
            Err(SignInError::TimedOut(_))
        ));
    }
}
