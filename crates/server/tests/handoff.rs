//! The desktop hand-off (RFC 8252 + PKCE) with the app's half from `stint-signin`, on both backends.
//! Here an HTTP client plays the browser's part (the sign-in page's API calls, then following the
//! redirect); `tests/browser.rs` does the same in a real Chromium.

mod support;

use std::time::Duration;

use reqwest::{Method, StatusCode};
use serde_json::json;
use stint_engine::{MemoryKeyStore, ServerAccount};
use stint_signin::{Loopback, Pkce, exchange, new_state, refresh, sign_in_url};
use stint_sync::ConnectError;
use support::{Backend, Server, Storage, sign_in, verified_account};

const PASSWORD: &str = "a long and private passphrase";

/// What the sign-in page does once signed in: ask for the code, end its own session, and go.
async fn browser_authorizes(
    server: &Server,
    token: &str,
    url: &reqwest::Url,
) -> (StatusCode, serde_json::Value) {
    let q: std::collections::HashMap<String, String> = url.query_pairs().into_owned().collect();
    server
        .call(
            Method::POST,
            "/api/v1/authorize",
            Some(token),
            Some(json!({
                "redirect_uri": q["redirect_uri"],
                "state": q["state"],
                "code_challenge": q["code_challenge"],
                "code_challenge_method": q["code_challenge_method"],
                "device": q["device"],
            })),
        )
        .await
}

async fn the_app_signs_in_through_the_browser_and_refreshes(backend: Backend) {
    let storage = Storage::new(backend).await;
    let server = Server::start(&storage).await;
    verified_account(&server, &storage, "dev@example.org", PASSWORD).await;

    // The app's side.
    let pkce = Pkce::new();
    let state = new_state();
    let loopback = Loopback::bind().await.unwrap();
    let url = sign_in_url(
        &server.public,
        "Dev's laptop",
        &pkce,
        &state,
        loopback.redirect_uri(),
    )
    .unwrap();

    // The page itself is served with a strict policy.
    let page = server
        .http
        .get(format!("{}/sign-in?{}", server.base, url.query().unwrap()))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    let csp = page.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(
        csp.contains("script-src 'self'") && csp.contains("frame-ancestors 'none'"),
        "{csp}"
    );
    assert!(
        page.text()
            .await
            .unwrap()
            .contains("Sign in with a passkey")
    );

    // The browser's side: sign in, authorize, follow the redirect to the app.
    let browser_session = sign_in(&server, "dev@example.org", PASSWORD, "browser").await;
    let (status, redirect) = browser_authorizes(&server, &browser_session, &url).await;
    assert_eq!(status, StatusCode::OK, "{redirect}");
    let location = redirect["location"].as_str().unwrap().to_owned();
    assert!(location.starts_with(loopback.redirect_uri()), "{location}");
    let follow =
        tokio::spawn(async move { reqwest::get(location).await.unwrap().text().await.unwrap() });
    let code = loopback
        .wait(&state, Duration::from_secs(10))
        .await
        .unwrap();
    assert!(follow.await.unwrap().contains("Signed in"));

    // The app trades the code; the verifier never went through the browser.
    let grant = exchange(
        &server.public.replace("localhost", "127.0.0.1"),
        &code,
        &pkce,
        loopback.redirect_uri(),
    )
    .await
    .unwrap();
    assert_eq!(grant.token_type, "Bearer");
    assert_eq!(grant.expires_in, 900);
    let (status, account) = server.get("/api/v1/account", &grant.access_token).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(account["email"], "dev@example.org");
    let (_, sessions) = server.get("/api/v1/sessions", &grant.access_token).await;
    assert!(
        sessions
            .as_array()
            .unwrap()
            .iter()
            .any(|s| s["device"] == "Dev's laptop" && s["current"] == true),
        "{sessions}"
    );

    // The code works once.
    let again = exchange(&server.base, &code, &pkce, loopback.redirect_uri()).await;
    assert!(again.unwrap_err().to_string().contains("not valid"));

    // Refresh rotates both tokens; the old access token stops working at once.
    let renewed = refresh(&server.base, &grant.refresh_token).await.unwrap();
    assert_ne!(renewed.refresh_token, grant.refresh_token);
    assert_eq!(renewed.session, grant.session);
    let (status, _) = server.get("/api/v1/account", &grant.access_token).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (status, _) = server.get("/api/v1/account", &renewed.access_token).await;
    assert_eq!(status, StatusCode::OK);

    // A refresh token presented twice (a stolen copy) ends the session for both holders.
    let replay = refresh(&server.base, &grant.refresh_token).await;
    assert!(replay.unwrap_err().to_string().contains("already used"));
    let (status, _) = server.get("/api/v1/account", &renewed.access_token).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let after = refresh(&server.base, &renewed.refresh_token).await;
    assert!(after.is_err(), "the rightful holder must sign in again too");
    server.stop().await;
}
both!(the_app_signs_in_through_the_browser_and_refreshes);

/// `stint_signin::through_browser` for `device`, with this test as the browser (signed in with
/// `browser_session`): the page it was sent to, the page it landed on, and the app's tokens.
async fn app_signs_in(
    server: &Server,
    browser_session: &str,
    device: &str,
) -> (reqwest::Url, String, stint_protocol::TokenGrant) {
    let (opened, page) = tokio::sync::oneshot::channel::<reqwest::Url>();
    let app = stint_signin::through_browser(&server.base, device, Duration::from_secs(20), |u| {
        opened.send(u.clone()).unwrap();
        Ok(())
    });
    let browser = async {
        let url = page.await.unwrap();
        let (status, redirect) = browser_authorizes(server, browser_session, &url).await;
        assert_eq!(status, StatusCode::OK, "{redirect}");
        let location = redirect["location"].as_str().unwrap().to_owned();
        let landing = reqwest::get(location).await.unwrap().text().await.unwrap();
        (url, landing)
    };
    let (grant, (url, landing)) = tokio::join!(app, browser);
    (url, landing, grant.unwrap())
}

/// `through_browser`, as the desktop calls it: the URL it opens is the sign-in page's, and once the
/// browser is sent back the app holds a working session named for the device.
async fn the_whole_hand_off_in_one_call(backend: Backend) {
    let storage = Storage::new(backend).await;
    let server = Server::start(&storage).await;
    verified_account(&server, &storage, "dev@example.org", PASSWORD).await;
    let browser_session = sign_in(&server, "dev@example.org", PASSWORD, "browser").await;

    let (url, landing, grant) = app_signs_in(&server, &browser_session, "dev-laptop").await;
    assert_eq!(url.path(), "/sign-in");
    assert!(landing.contains("Signed in"), "{landing}");
    let (status, account) = server.get("/api/v1/account", &grant.access_token).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(account["email"], "dev@example.org");
    let (_, sessions) = server.get("/api/v1/sessions", &grant.access_token).await;
    assert!(
        sessions
            .as_array()
            .unwrap()
            .iter()
            .any(|s| s["device"] == "dev-laptop" && s["current"] == true),
        "{sessions}"
    );
    assert!(
        stint_signin::refresh(&server.base, &grant.refresh_token)
            .await
            .is_ok()
    );
    server.stop().await;
}
both!(the_whole_hand_off_in_one_call);

/// The app's stored sign-in near its access token's end is renewed before use (`stint_sync::renewed`,
/// what the desktop and the CLI call): new tokens, sealed in the vault, the old access token dead.
/// Time is the engine's clock, set by the test.
async fn an_access_token_near_its_end_is_renewed_and_kept(backend: Backend) {
    let storage = Storage::new(backend).await;
    let server = Server::start(&storage).await;
    verified_account(&server, &storage, "dev@example.org", PASSWORD).await;
    let browser_session = sign_in(&server, "dev@example.org", PASSWORD, "browser").await;
    let (_, _, grant) = app_signs_in(&server, &browser_session, "laptop").await;

    let dir = tempfile::tempdir().unwrap();
    let mut engine = support::devices::device(dir.path(), &MemoryKeyStore::default()).await;
    let signed_in_at: jiff::Timestamp = "2026-03-02T09:00:00Z".parse().unwrap();
    engine.set_clock(Some(signed_in_at));
    let stored = ServerAccount {
        server: server.base.clone(),
        email: "dev@example.org".into(),
        session: grant.session.to_string(),
        token: grant.access_token.clone(),
        refresh_token: Some(grant.refresh_token.clone()),
        token_expires: Some(signed_in_at.as_second() + grant.expires_in),
    };
    engine.set_server_account(&stored).await.unwrap();

    // Ten minutes in: still good, used as it is, no request made.
    engine.set_clock(Some(signed_in_at + jiff::SignedDuration::from_mins(10)));
    let same = stint_sync::renewed(&engine, stored.clone()).await.unwrap();
    assert_eq!(same.token, grant.access_token);

    // Less than a minute before its end: renewed, and the new pair is what the vault holds.
    let later = signed_in_at + jiff::SignedDuration::from_secs(grant.expires_in - 30);
    engine.set_clock(Some(later));
    let renewed = stint_sync::renewed(&engine, stored.clone()).await.unwrap();
    assert_ne!(renewed.token, grant.access_token);
    assert_ne!(renewed.refresh_token, stored.refresh_token);
    assert_eq!(renewed.session, grant.session.to_string());
    assert_eq!(
        renewed.token_expires,
        Some(later.as_second() + grant.expires_in)
    );
    let kept = engine.server_account().await.unwrap().unwrap();
    assert_eq!(kept.token, renewed.token);
    assert_eq!(kept.refresh_token, renewed.refresh_token);
    let (status, _) = server.get("/api/v1/account", &renewed.token).await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = server.get("/api/v1/account", &grant.access_token).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);

    // A session ended elsewhere: the refusal says to sign in again.
    let (status, _) = server
        .call(
            Method::DELETE,
            "/api/v1/sessions/current",
            Some(&renewed.token),
            None,
        )
        .await;
    assert!(status.is_success(), "{status}");
    engine.set_clock(Some(later + jiff::SignedDuration::from_mins(15)));
    let refused = stint_sync::renewed(&engine, kept.clone())
        .await
        .unwrap_err();
    assert!(
        matches!(&refused, ConnectError::Failed(m) if m.contains("sign in again")),
        "{refused:?}"
    );

    // The CLI's session token has no refresh token and is used as it is.
    let cli = ServerAccount {
        refresh_token: None,
        token_expires: None,
        ..stored
    };
    assert_eq!(
        stint_sync::renewed(&engine, cli.clone())
            .await
            .unwrap()
            .token,
        cli.token
    );

    // What the desktop asks after a failed round: is the server there at all?
    assert!(stint_sync::reachable(&server.base, Duration::from_secs(5)).await);
    let base = server.base.clone();
    server.stop().await;
    assert!(!stint_sync::reachable(&base, Duration::from_secs(5)).await);

    // A renewal the server does not answer says so, and not "sign in again": the session may
    // well be good, and a new device waiting for its approval keeps waiting.
    let unanswered = stint_sync::renewed(&engine, kept).await.unwrap_err();
    assert!(
        matches!(&unanswered, ConnectError::Unreachable(m) if m.contains("cannot reach the server")),
        "{unanswered:?}"
    );
}
both!(an_access_token_near_its_end_is_renewed_and_kept);

async fn codes_are_bound_to_the_verifier_and_the_redirect(backend: Backend) {
    let storage = Storage::new(backend).await;
    let server = Server::start(&storage).await;
    verified_account(&server, &storage, "dev@example.org", PASSWORD).await;
    let browser = sign_in(&server, "dev@example.org", PASSWORD, "browser").await;
    let loopback = Loopback::bind().await.unwrap();

    let issue = |pkce: &Pkce| {
        let url = sign_in_url(&server.public, "x", pkce, "st", loopback.redirect_uri()).unwrap();
        let server = &server;
        let browser = browser.clone();
        async move {
            let (status, body) = browser_authorizes(server, &browser, &url).await;
            assert_eq!(status, StatusCode::OK, "{body}");
            let location = reqwest::Url::parse(body["location"].as_str().unwrap()).unwrap();
            location
                .query_pairs()
                .find(|(k, _)| k == "code")
                .unwrap()
                .1
                .into_owned()
        }
    };

    // Another app's verifier: refused, and the code is used up by the attempt.
    let pkce = Pkce::new();
    let code = issue(&pkce).await;
    let thief = Pkce::new();
    assert!(
        exchange(&server.base, &code, &thief, loopback.redirect_uri())
            .await
            .is_err()
    );
    assert!(
        exchange(&server.base, &code, &pkce, loopback.redirect_uri())
            .await
            .is_err(),
        "one try per code"
    );

    // Another redirect: refused.
    let code = issue(&pkce).await;
    assert!(
        exchange(&server.base, &code, &pkce, "http://127.0.0.1:1/elsewhere")
            .await
            .is_err()
    );

    // Only loopback redirects with a port, S256 and well-formed values are authorized.
    for (field, value) in [
        ("redirect_uri", "https://evil.example/callback"),
        ("redirect_uri", "http://localhost:5000/callback"),
        ("redirect_uri", "http://127.0.0.1/callback"),
        ("code_challenge_method", "plain"),
        ("code_challenge", "short"),
        ("state", "has spaces"),
        ("device", ""),
    ] {
        let mut body = json!({
            "redirect_uri": loopback.redirect_uri(),
            "state": "st",
            "code_challenge": pkce.challenge(),
            "code_challenge_method": "S256",
            "device": "x",
        });
        body[field] = json!(value);
        let (status, answer) = server
            .call(
                Method::POST,
                "/api/v1/authorize",
                Some(&browser),
                Some(body),
            )
            .await;
        assert_eq!(
            status,
            StatusCode::BAD_REQUEST,
            "{field}={value:?}: {answer}"
        );
    }
    // Authorizing needs a signed-in page.
    let (status, _) = server
        .call(
            Method::POST,
            "/api/v1/authorize",
            None,
            Some(json!({ "redirect_uri": loopback.redirect_uri(), "state": "st", "code_challenge": pkce.challenge(), "code_challenge_method": "S256", "device": "x" })),
        )
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    for body in [
        json!({ "grant_type": "authorization_code", "code": "sth_forged", "code_verifier": pkce.verifier(), "redirect_uri": loopback.redirect_uri() }),
        json!({ "grant_type": "refresh_token", "refresh_token": "str_forged" }),
        json!({ "grant_type": "password", "username": "dev@example.org" }),
    ] {
        let (status, answer) = server.post("/api/v1/token", body).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{answer}");
    }
    server.stop().await;
}
both!(codes_are_bound_to_the_verifier_and_the_redirect);
