//! Accounts and sign-in, as stories over real HTTP against a real server, each run on SQLite and on
//! PostgreSQL.

mod support;

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use support::{
    Backend, Server, Storage, emails_to, everything_stored, last_email, sign_in, verified_account,
};

const PASSWORD: &str = "a long and private passphrase";

async fn sign_up_verify_sign_in_and_manage_sessions(backend: Backend) {
    let storage = Storage::new(backend).await;
    let server = Server::start(&storage).await;
    let (status, body) = server
        .post(
            "/api/v1/accounts",
            json!({ "email": " Jane@Example.org ", "password": PASSWORD }),
        )
        .await;
    assert_eq!(status, StatusCode::ACCEPTED, "{body}");

    // Not before the address is confirmed.
    let (status, body) = server
        .post(
            "/api/v1/sessions",
            json!({ "email": "jane@example.org", "password": PASSWORD, "device": "laptop" }),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(body["error"]["code"], "email_not_verified");

    // Signing up again before confirming (a lost email) sends a fresh link, with the same answer.
    let (status, _) = server
        .post(
            "/api/v1/accounts",
            json!({ "email": "jane@example.org", "password": PASSWORD }),
        )
        .await;
    assert_eq!(status, StatusCode::ACCEPTED);
    assert_eq!(emails_to(&storage.outbox(), "jane@example.org"), 2);
    let (mail, token) = last_email(&storage.outbox(), "jane@example.org").unwrap();
    assert!(mail.contains("Subject: Confirm your email for Stint"));
    let token = token.unwrap();
    assert!(
        mail.contains(&format!("{}/verify-email#{token}", server.public)),
        "{mail}"
    );
    let verify = json!({ "token": token, "password": PASSWORD });
    let (status, _) = server.post("/api/v1/accounts/verify", verify.clone()).await;
    assert_eq!(status, StatusCode::OK);
    let (status, body) = server.post("/api/v1/accounts/verify", verify).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "single use");
    assert_eq!(body["error"]["code"], "invalid_token");

    // Signing up again with the same address: the same answer, an email to the owner, no account.
    let (status, again) = server
        .post(
            "/api/v1/accounts",
            json!({ "email": "jane@example.org", "password": "another password entirely" }),
        )
        .await;
    assert_eq!(status, StatusCode::ACCEPTED);
    assert_eq!(again, body_of_first_sign_up());
    let (mail, token) = last_email(&storage.outbox(), "jane@example.org").unwrap();
    assert!(mail.contains("You already have a Stint account"));
    assert!(token.is_none());

    let laptop = sign_in(&server, "JANE@example.org", PASSWORD, "Jane's laptop").await;
    let phone = sign_in(&server, "jane@example.org", PASSWORD, "Jane's phone").await;
    let (status, account) = server.get("/api/v1/account", &laptop).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(account["email"], "jane@example.org");
    assert_eq!(account["email_verified"], true);
    assert_eq!(account["totp_enabled"], false);

    let (_, sessions) = server.get("/api/v1/sessions", &laptop).await;
    let sessions = sessions.as_array().unwrap();
    assert_eq!(sessions.len(), 2);
    let current: Vec<&Value> = sessions.iter().filter(|s| s["current"] == true).collect();
    assert_eq!(current.len(), 1);
    assert_eq!(current[0]["device"], "Jane's laptop");
    let phone_id = sessions
        .iter()
        .find(|s| s["device"] == "Jane's phone")
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();

    // Revoking takes effect on the very next request.
    let (status, _) = server
        .call(
            Method::DELETE,
            &format!("/api/v1/sessions/{phone_id}"),
            Some(&laptop),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, body) = server.get("/api/v1/account", &phone).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(body["error"]["code"], "unauthorized");
    let (status, _) = server
        .call(
            Method::DELETE,
            &format!("/api/v1/sessions/{phone_id}"),
            Some(&laptop),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "already ended");

    let (status, _) = server
        .call(
            Method::DELETE,
            "/api/v1/sessions/current",
            Some(&laptop),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, _) = server.get("/api/v1/account", &laptop).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    server.stop().await;
}
both!(sign_up_verify_sign_in_and_manage_sessions);

fn body_of_first_sign_up() -> Value {
    json!({ "message": "check your email for a link to continue" })
}

async fn one_account_cannot_touch_another_accounts_sessions(backend: Backend) {
    let storage = Storage::new(backend).await;
    let server = Server::start(&storage).await;
    verified_account(&server, &storage, "ann@example.org", PASSWORD).await;
    verified_account(&server, &storage, "bob@example.org", PASSWORD).await;
    let ann = sign_in(&server, "ann@example.org", PASSWORD, "ann's").await;
    let bob = sign_in(&server, "bob@example.org", PASSWORD, "bob's").await;
    let (_, bobs) = server.get("/api/v1/sessions", &bob).await;
    let bob_session = bobs[0]["id"].as_str().unwrap().to_owned();
    let (status, body) = server
        .call(
            Method::DELETE,
            &format!("/api/v1/sessions/{bob_session}"),
            Some(&ann),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
    let (status, _) = server.get("/api/v1/account", &bob).await;
    assert_eq!(status, StatusCode::OK, "bob is still signed in");
    let (_, anns) = server.get("/api/v1/sessions", &ann).await;
    assert_eq!(anns.as_array().unwrap().len(), 1);
    assert_ne!(anns[0]["id"], bobs[0]["id"]);
    server.stop().await;
}
both!(one_account_cannot_touch_another_accounts_sessions);

fn code_at(secret: &str, time: i64) -> String {
    let secret = totp_rs::Secret::try_from_base32(secret).unwrap();
    let totp = totp_rs::Builder::new()
        .with_secret(secret.as_bytes().to_vec())
        .build()
        .unwrap();
    totp.generate(u64::try_from(time).unwrap()).to_string()
}

fn now() -> i64 {
    jiff::Timestamp::now().as_second()
}

async fn second_factor(
    server: &Server,
    challenge: &str,
    field: &str,
    code: &str,
) -> (StatusCode, Value) {
    server
        .post(
            "/api/v1/sessions/second-factor",
            json!({ "challenge": challenge, field: code }),
        )
        .await
}

async fn password_step(server: &Server, email: &str) -> String {
    let (status, body) = server
        .post(
            "/api/v1/sessions",
            json!({ "email": email, "password": PASSWORD, "device": "desk" }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["status"], "second_factor", "{body}");
    body["challenge"].as_str().unwrap().to_owned()
}

async fn totp_codes_are_checked_once_each_and_recovery_codes_once(backend: Backend) {
    let storage = Storage::new(backend).await;
    let server = Server::start(&storage).await;
    verified_account(&server, &storage, "tia@example.org", PASSWORD).await;
    let session = sign_in(&server, "tia@example.org", PASSWORD, "laptop").await;

    let (status, enrollment) = server
        .call(Method::POST, "/api/v1/account/totp", Some(&session), None)
        .await;
    assert_eq!(status, StatusCode::OK, "{enrollment}");
    let secret = enrollment["secret"].as_str().unwrap().to_owned();
    let uri = enrollment["otpauth_uri"].as_str().unwrap();
    assert!(
        uri.starts_with("otpauth://totp/Stint:tia%40example.org?"),
        "{uri}"
    );
    assert!(uri.contains(&format!("secret={secret}")));
    assert!(enrollment["qr_svg"].as_str().unwrap().starts_with("<?xml"));

    // A wrong code does not turn it on.
    let t0 = now();
    let wrong = format!(
        "{:06}",
        (code_at(&secret, t0).parse::<u32>().unwrap() + 1) % 1_000_000
    );
    let (status, _) = server
        .call(
            Method::POST,
            "/api/v1/account/totp/confirm",
            Some(&session),
            Some(json!({ "code": wrong })),
        )
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (status, recovery) = server
        .call(
            Method::POST,
            "/api/v1/account/totp/confirm",
            Some(&session),
            Some(json!({ "code": code_at(&secret, t0) })),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{recovery}");
    let codes: Vec<String> = recovery["codes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap().to_owned())
        .collect();
    assert_eq!(codes.len(), 10);
    let (_, account) = server.get("/api/v1/account", &session).await;
    assert_eq!(account["totp_enabled"], true);
    assert_eq!(account["recovery_codes_left"], 10);

    // The code that confirmed enrollment is spent: replaying it is refused.
    let challenge = password_step(&server, "tia@example.org").await;
    let (status, body) = second_factor(&server, &challenge, "code", &code_at(&secret, t0)).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "replay: {body}");
    assert_eq!(body["error"]["code"], "invalid_code");
    // A code one step ahead (a phone clock slightly fast) is accepted, once.
    let skewed = code_at(&secret, t0 + 30);
    let (status, body) = second_factor(&server, &challenge, "code", &skewed).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["status"], "signed_in");
    let (status, body) = second_factor(&server, &challenge, "code", &skewed).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "the challenge is used up");
    assert_eq!(body["error"]["code"], "invalid_challenge");
    let challenge = password_step(&server, "tia@example.org").await;
    let (status, _) = second_factor(&server, &challenge, "code", &skewed).await;
    assert_eq!(
        status,
        StatusCode::UNAUTHORIZED,
        "replayed on a new sign-in"
    );
    // Four steps ahead is outside the one-step window.
    let (status, _) = second_factor(&server, &challenge, "code", &code_at(&secret, t0 + 120)).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);

    // A recovery code, typed loosely, works once.
    let loose = codes[0].to_uppercase().replace('-', " ");
    let (status, body) = second_factor(&server, &challenge, "recovery_code", &loose).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let challenge = password_step(&server, "tia@example.org").await;
    let (status, _) = second_factor(&server, &challenge, "recovery_code", &codes[0]).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "recovery code used twice");
    let (_, account) = server.get("/api/v1/account", &session).await;
    assert_eq!(account["recovery_codes_left"], 9);

    // Turning it off takes a fresh second factor, not only the session.
    let (status, body) = server
        .call(
            Method::POST,
            "/api/v1/account/totp/disable",
            Some(&session),
            Some(json!({})),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    let (status, _) = server
        .call(
            Method::POST,
            "/api/v1/account/totp/disable",
            Some(&session),
            Some(json!({ "recovery_code": codes[0] })),
        )
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "a used code is not fresh");
    let (status, _) = server
        .call(
            Method::POST,
            "/api/v1/account/totp/disable",
            Some(&session),
            Some(json!({ "recovery_code": codes[1] })),
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (_, account) = server.get("/api/v1/account", &session).await;
    assert_eq!(account["totp_enabled"], false);
    assert_eq!(account["recovery_codes_left"], 0);
    sign_in(&server, "tia@example.org", PASSWORD, "after").await;
    server.stop().await;
}
both!(totp_codes_are_checked_once_each_and_recovery_codes_once);

async fn wrong_passwords_lock_the_account_and_the_right_one_waits(backend: Backend) {
    let storage = Storage::new(backend).await;
    let server = Server::start(&storage).await;
    verified_account(&server, &storage, "lou@example.org", PASSWORD).await;
    for attempt in 1..=5 {
        let (status, body) = server
            .post(
                "/api/v1/sessions",
                json!({ "email": "lou@example.org", "password": format!("guess number {attempt}"), "device": "x" }),
            )
            .await;
        assert_eq!(
            status,
            StatusCode::UNAUTHORIZED,
            "attempt {attempt}: {body}"
        );
        assert_eq!(body["error"]["code"], "invalid_credentials");
    }
    let response = server
        .http
        .post(format!("{}/api/v1/sessions", server.base))
        .json(&json!({ "email": "lou@example.org", "password": PASSWORD, "device": "x" }))
        .send()
        .await
        .unwrap();
    let retry_after: u64 = response.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=60).contains(&retry_after), "{retry_after}");
    let (status, body) = support::read(response).await;
    assert_eq!(
        status,
        StatusCode::TOO_MANY_REQUESTS,
        "the right password during lockout"
    );
    assert_eq!(body["error"]["code"], "account_locked");

    // An address without an account locks the same way: the answers reveal nothing.
    for _ in 1..=5 {
        let (status, body) = server
            .post(
                "/api/v1/sessions",
                json!({ "email": "nobody@example.org", "password": "whatever it is", "device": "x" }),
            )
            .await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        assert_eq!(body["error"]["code"], "invalid_credentials");
    }
    let (status, body) = server
        .post(
            "/api/v1/sessions",
            json!({ "email": "nobody@example.org", "password": "whatever it is", "device": "x" }),
        )
        .await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(body["error"]["code"], "account_locked");
    server.stop().await;
}
both!(wrong_passwords_lock_the_account_and_the_right_one_waits);

async fn one_address_is_limited_across_accounts_and_instances(backend: Backend) {
    let storage = Storage::new(backend).await;
    let tight = |c: &mut stint_server::Config| c.limits.auth_per_ip = 6;
    let first = Server::start_with(&storage, tight).await;
    let second = Server::start_with(&storage, tight).await;
    for i in 0..6 {
        let server = if i % 2 == 0 { &first } else { &second };
        let (status, _) = server
            .post(
                "/api/v1/sessions",
                json!({ "email": format!("user{i}@example.org"), "password": "not it at all", "device": "x" }),
            )
            .await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "attempt {i}");
    }
    // The seventh attempt from this address, on either instance, is over the shared limit.
    for server in [&first, &second] {
        let (status, body) = server
            .post(
                "/api/v1/sessions",
                json!({ "email": "fresh@example.org", "password": "not it at all", "device": "x" }),
            )
            .await;
        assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
        assert_eq!(body["error"]["code"], "rate_limited");
    }
    first.stop().await;
    second.stop().await;
}
both!(one_address_is_limited_across_accounts_and_instances);

async fn a_password_reset_works_once_and_ends_every_session(backend: Backend) {
    let storage = Storage::new(backend).await;
    let server = Server::start(&storage).await;
    verified_account(&server, &storage, "rae@example.org", PASSWORD).await;
    let old_session = sign_in(&server, "rae@example.org", PASSWORD, "old").await;

    let (status, unknown) = server
        .post(
            "/api/v1/password/forgot",
            json!({ "email": "ghost@example.org" }),
        )
        .await;
    assert_eq!(status, StatusCode::ACCEPTED);
    assert_eq!(emails_to(&storage.outbox(), "ghost@example.org"), 0);
    let (status, known) = server
        .post(
            "/api/v1/password/forgot",
            json!({ "email": "rae@example.org" }),
        )
        .await;
    assert_eq!(status, StatusCode::ACCEPTED);
    assert_eq!(known, unknown, "the same answer either way");
    // Sent off the request path: it arrives after the answer.
    let (mail, token) = support::email_arrives(&storage.outbox(), "rae@example.org", 3).await;
    assert!(mail.contains("Reset your Stint password"));
    let token = token.unwrap();

    let (status, body) = server
        .post(
            "/api/v1/password/reset",
            json!({ "token": token, "password": "short" }),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("at least 10")
    );
    let new_password = "an entirely new passphrase";
    let (status, body) = server
        .post(
            "/api/v1/password/reset",
            json!({ "token": token, "password": new_password }),
        )
        .await;
    assert_eq!(
        status,
        StatusCode::NO_CONTENT,
        "the short try did not use up the token: {body}"
    );
    let (status, _) = server
        .post(
            "/api/v1/password/reset",
            json!({ "token": token, "password": new_password }),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "single use");

    let (status, _) = server.get("/api/v1/account", &old_session).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "every session ended");
    let (status, _) = server
        .post(
            "/api/v1/sessions",
            json!({ "email": "rae@example.org", "password": PASSWORD, "device": "x" }),
        )
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "the old password is gone");
    sign_in(&server, "rae@example.org", new_password, "new").await;
    server.stop().await;
}
both!(a_password_reset_works_once_and_ends_every_session);

async fn hostile_requests_get_json_errors_never_a_500(backend: Backend) {
    let storage = Storage::new(backend).await;
    let server = Server::start(&storage).await;
    let url = |path: &str| format!("{}{path}", server.base);
    let cases: Vec<(reqwest::RequestBuilder, StatusCode, &str)> = vec![
        (
            server
                .http
                .post(url("/api/v1/sessions"))
                .header("content-type", "application/json")
                .body("{not json"),
            StatusCode::BAD_REQUEST,
            "invalid_request",
        ),
        (
            server.http.post(url("/api/v1/sessions")).body("email=a"),
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
        ),
        (
            server
                .http
                .post(url("/api/v1/accounts"))
                .json(&json!({ "email": "a@b.co", "password": "x".repeat(20), "role": "admin" })),
            StatusCode::BAD_REQUEST,
            "invalid_request",
        ),
        (
            server
                .http
                .post(url("/api/v1/accounts"))
                .json(&json!({ "email": "a@b.co", "password": "x".repeat(70_000) })),
            StatusCode::PAYLOAD_TOO_LARGE,
            "payload_too_large",
        ),
        (
            server
                .http
                .post(url("/api/v1/accounts"))
                .json(&json!({ "email": "not-an-address", "password": PASSWORD })),
            StatusCode::BAD_REQUEST,
            "invalid_request",
        ),
        (
            server
                .http
                .post(url("/api/v1/accounts"))
                .json(&json!({ "email": 42, "password": PASSWORD })),
            StatusCode::BAD_REQUEST,
            "invalid_request",
        ),
        (
            server.http.get(url("/api/v1/nowhere")),
            StatusCode::NOT_FOUND,
            "not_found",
        ),
        (
            server.http.put(url("/api/v1/sessions")),
            StatusCode::METHOD_NOT_ALLOWED,
            "method_not_allowed",
        ),
        (
            server
                .http
                .get(url("/api/v1/account"))
                .bearer_auth("sts_forged"),
            StatusCode::UNAUTHORIZED,
            "unauthorized",
        ),
        (
            server
                .http
                .get(url("/api/v1/account"))
                .header("authorization", "Basic abc"),
            StatusCode::UNAUTHORIZED,
            "unauthorized",
        ),
        (
            server
                .http
                .post(url("/api/v1/sessions"))
                .header("origin", "https://evil.example")
                .json(&json!({ "email": "a@b.co", "password": PASSWORD, "device": "x" })),
            StatusCode::FORBIDDEN,
            "bad_origin",
        ),
        (
            server
                .http
                .post(url("/api/v1/sessions"))
                .json(&json!({ "email": "a@b.co", "password": PASSWORD, "device": "" })),
            StatusCode::BAD_REQUEST,
            "invalid_request",
        ),
        (
            server
                .http
                .post(url("/api/v1/sessions/second-factor"))
                .json(&json!({ "challenge": "stc_nope", "code": "123456" })),
            StatusCode::UNAUTHORIZED,
            "invalid_challenge",
        ),
    ];
    for (request, status, code) in cases {
        let (got, body) = support::read(request.send().await.unwrap()).await;
        assert_eq!(
            (got, body["error"]["code"].as_str().unwrap()),
            (status, code),
            "{body}"
        );
    }
    verified_account(&server, &storage, "eve@example.org", PASSWORD).await;
    let token = sign_in(&server, "eve@example.org", PASSWORD, "x").await;
    for (path, expect) in [
        ("/api/v1/sessions/not-a-ulid", StatusCode::NOT_FOUND),
        ("/api/v1/sessions/%00%ff", StatusCode::BAD_REQUEST),
    ] {
        let (status, _) = server.call(Method::DELETE, path, Some(&token), None).await;
        assert_eq!(status, expect, "{path}");
    }
    // The same origin is welcome.
    let (status, _) = support::read(
        server
            .http
            .post(url("/api/v1/sessions"))
            .header("origin", server.public.clone())
            .json(&json!({ "email": "eve@example.org", "password": PASSWORD, "device": "web" }))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    server.stop().await;
}
both!(hostile_requests_get_json_errors_never_a_500);

async fn secrets_are_stored_only_as_hashes_or_ciphertext(backend: Backend) {
    let storage = Storage::new(backend).await;
    let server = Server::start(&storage).await;
    verified_account(&server, &storage, "sam@example.org", PASSWORD).await;
    let session = sign_in(&server, "sam@example.org", PASSWORD, "laptop").await;
    let (_, enrollment) = server
        .call(Method::POST, "/api/v1/account/totp", Some(&session), None)
        .await;
    let secret = enrollment["secret"].as_str().unwrap().to_owned();
    let (_, recovery) = server
        .call(
            Method::POST,
            "/api/v1/account/totp/confirm",
            Some(&session),
            Some(json!({ "code": code_at(&secret, now()) })),
        )
        .await;
    let codes: Vec<String> = recovery["codes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap().replace('-', ""))
        .collect();
    // A CLI sign-in waiting for its emailed code.
    let (status, cli) = server
        .post(
            "/api/v1/cli/sign-in",
            json!({ "email": "sam@example.org", "password": PASSWORD, "device": "script" }),
        )
        .await;
    assert_eq!(status, StatusCode::ACCEPTED, "{cli}");
    let challenge = cli["challenge"].as_str().unwrap().to_owned();
    let email_code = support::emailed_code(&storage.outbox(), "sam@example.org");
    server.stop().await;

    let stored = everything_stored(&storage).await;
    let raw_secret = totp_rs::Secret::try_from_base32(&secret).unwrap();
    let mut needles: Vec<Vec<u8>> = vec![
        PASSWORD.as_bytes().to_vec(),
        session.as_bytes().to_vec(),
        session.trim_start_matches("sts_").as_bytes().to_vec(),
        secret.as_bytes().to_vec(),
        raw_secret.as_bytes().to_vec(),
        hex_of(raw_secret.as_bytes()).into_bytes(),
        challenge.as_bytes().to_vec(),
        email_code.as_bytes().to_vec(),
    ];
    needles.extend(codes.iter().map(|c| c.as_bytes().to_vec()));
    // Recovery codes are short enough to be found again from a plain hash: only keyed tags are kept.
    for code in &codes {
        let digest = stint_server::secrets::token_hash(code);
        needles.push(hex_of(&digest).into_bytes());
        needles.push(digest);
    }
    assert!(
        stored.windows(8).any(|w| w == b"sam@exam"),
        "the dump is real"
    );
    for needle in needles {
        assert!(
            !stored.windows(needle.len()).any(|w| w == needle.as_slice()),
            "found a secret in the stored data"
        );
    }
}
both!(secrets_are_stored_only_as_hashes_or_ciphertext);

fn hex_of(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

async fn the_server_describes_itself(backend: Backend) {
    let storage = Storage::new(backend).await;
    let server = Server::start(&storage).await;
    let response = server
        .http
        .get(format!("{}/healthz", server.base))
        .send()
        .await
        .unwrap();
    let (status, health) = support::read(response).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(health["status"], "ok");
    assert_eq!(
        health["storage"],
        match backend {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgres",
        }
    );

    let response = server
        .http
        .get(format!("{}/.well-known/security.txt", server.base))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    support::assert_security_headers(response.headers());
    let text = response.text().await.unwrap();
    for field in [
        "Contact: mailto:",
        "Expires: 20",
        "Canonical: http://localhost:",
    ] {
        assert!(text.contains(field), "{text}");
    }

    let (status, doc) = support::read(
        server
            .http
            .get(format!("{}/openapi.json", server.base))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(doc["openapi"], "3.1.0");
    // Every documented operation exists on the router (an unknown one would be 404 or 405), and
    // every schema it names is defined.
    for op in stint_server::meta::OPERATIONS {
        let item = &doc["paths"][op.path][op.method];
        assert!(item.is_object(), "{} {} is documented", op.method, op.path);
        for name in ["org", "user", "id"] {
            let declared = item["parameters"]
                .as_array()
                .is_some_and(|ps| ps.iter().any(|p| p["name"] == name && p["in"] == "path"));
            assert_eq!(
                declared,
                op.path.contains(&format!("{{{name}}}")),
                "{} {}",
                op.method,
                op.path
            );
        }
        // A signed-in request may name the caller's device (its "last seen" in the device list).
        let names_device = item["parameters"].as_array().is_some_and(|ps| {
            ps.iter().any(|p| {
                p["name"] == stint_protocol::DEVICE_HEADER
                    && p["in"] == "header"
                    && p["required"] == false
            })
        });
        assert_eq!(names_device, op.signed_in, "{} {}", op.method, op.path);
        let path = ["{org}", "{user}", "{id}"]
            .into_iter()
            .fold(op.path.to_owned(), |p, name| {
                p.replace(name, "01JDZ6Y1V3W0000000000000AA")
            });
        let method = Method::from_bytes(op.method.to_uppercase().as_bytes()).unwrap();
        let response = server
            .http
            .request(method, format!("{}{path}", server.base))
            .header("content-type", "application/json")
            .body("{}")
            .send()
            .await
            .unwrap();
        assert!(
            ![StatusCode::NOT_FOUND, StatusCode::METHOD_NOT_ALLOWED].contains(&response.status()),
            "{} {} is routed: {}",
            op.method,
            op.path,
            response.status()
        );
    }
    let text = doc.to_string();
    let mut rest = text.as_str();
    while let Some(i) = rest.find("#/components/schemas/") {
        rest = &rest[i + 21..];
        let name: String = rest.chars().take_while(|c| c.is_alphanumeric()).collect();
        assert!(
            doc["components"]["schemas"][&name].is_object(),
            "schema {name} is defined"
        );
    }
    server.stop().await;
}
both!(the_server_describes_itself);
