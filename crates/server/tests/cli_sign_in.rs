//! The CLI's programmatic sign-in: the password, then a one-time code emailed to the account (and
//! the TOTP code where two-factor sign-in is on), through the client half in `stint-signin`, on
//! SQLite and on PostgreSQL.

mod support;

use reqwest::{Method, StatusCode};
use serde_json::json;
use stint_protocol::CliConfirm;
use stint_signin::{SignInError, account, cli_confirm, cli_sign_in, sign_out};
use support::{Backend, Server, Storage, emails_to, last_email, sign_in, verified_account};

const PASSWORD: &str = "a long and private passphrase";

/// The eight-digit code in the newest email to `to` (written "1234 5678").
fn emailed_code(storage: &Storage, to: &str) -> String {
    let (text, _) = last_email(&storage.outbox(), to).expect("an email");
    assert!(text.contains("Subject: Your Stint sign-in code"), "{text}");
    support::emailed_code(&storage.outbox(), to)
}

fn confirm(challenge: &str, email_code: &str) -> CliConfirm {
    CliConfirm {
        challenge: challenge.to_owned(),
        email_code: email_code.to_owned(),
        code: None,
        recovery_code: None,
    }
}

fn refused(result: Result<impl std::fmt::Debug, SignInError>) -> String {
    match result {
        Err(SignInError::Refused(message)) => message,
        other => panic!("expected a refusal, got {other:?}"),
    }
}

async fn a_right_password_and_the_emailed_code_give_a_session(backend: Backend) {
    let storage = Storage::new(backend).await;
    let server = Server::start(&storage).await;
    let url = server.base.as_str();
    verified_account(&server, &storage, "cleo@example.org", PASSWORD).await;
    let before = emails_to(&storage.outbox(), "cleo@example.org");

    // A wrong password sends nothing and says no more than the browser sign-in does.
    let message = refused(cli_sign_in(url, "cleo@example.org", "not the password", "ci box").await);
    assert_eq!(message, "the email address or password is wrong");
    let message = refused(cli_sign_in(url, "nobody@example.org", PASSWORD, "ci box").await);
    assert_eq!(message, "the email address or password is wrong");
    assert_eq!(emails_to(&storage.outbox(), "cleo@example.org"), before);

    // The right password alone is not a session: it emails a code.
    let started = cli_sign_in(url, "Cleo@Example.org", PASSWORD, "ci box")
        .await
        .unwrap();
    assert!(!started.second_factor);
    assert!(started.challenge.starts_with("stc_"));
    assert_eq!(emails_to(&storage.outbox(), "cleo@example.org"), before + 1);
    let code = emailed_code(&storage, "cleo@example.org");
    assert_eq!(code.len(), 8);
    let (mail, _) = last_email(&storage.outbox(), "cleo@example.org").unwrap();
    assert!(
        mail.contains("\"ci box\""),
        "the email names the device: {mail}"
    );
    assert!(
        !mail.contains(&started.challenge),
        "the challenge is not emailed"
    );

    // A wrong code, a second factor the account does not have, another challenge: refused.
    let wrong = format!("{:08}", (code.parse::<u64>().unwrap() + 1) % 100_000_000);
    let message = refused(cli_confirm(url, &confirm(&started.challenge, &wrong)).await);
    assert_eq!(message, "that code is not right (or was used already)");
    let mut with_totp = confirm(&started.challenge, &code);
    with_totp.code = Some("123456".into());
    let message = refused(cli_confirm(url, &with_totp).await);
    assert!(message.contains("no two-factor sign-in"), "{message}");
    let message = refused(cli_confirm(url, &confirm("stc_forged", &code)).await);
    assert!(message.contains("start again"), "{message}");

    // The code as the email shows it (with its space) signs in, once.
    let spaced = format!("{} {}", &code[..4], &code[4..]);
    let grant = cli_confirm(url, &confirm(&started.challenge, &spaced))
        .await
        .unwrap();
    let me = account(url, &grant.token).await.unwrap();
    assert_eq!(me.email, "cleo@example.org");
    let message = refused(cli_confirm(url, &confirm(&started.challenge, &code)).await);
    assert!(message.contains("start again"), "{message}");

    // It is an ordinary session: listed under its device name, and revocable.
    let web = sign_in(&server, "cleo@example.org", PASSWORD, "laptop").await;
    let (_, sessions) = server.get("/api/v1/sessions", &web).await;
    let cli = sessions
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["device"] == "ci box")
        .unwrap_or_else(|| panic!("{sessions}"));
    assert_eq!(cli["id"], grant.session.to_string());
    sign_out(url, &grant.token).await.unwrap();
    assert!(account(url, &grant.token).await.is_err());
    server.stop().await;
}
both!(a_right_password_and_the_emailed_code_give_a_session);

async fn a_code_allows_five_tries_and_then_the_sign_in_starts_over(backend: Backend) {
    let storage = Storage::new(backend).await;
    let server = Server::start(&storage).await;
    let url = server.base.as_str();
    verified_account(&server, &storage, "max@example.org", PASSWORD).await;
    let started = cli_sign_in(url, "max@example.org", PASSWORD, "script")
        .await
        .unwrap();
    let code = emailed_code(&storage, "max@example.org");
    for attempt in 0..5u64 {
        let guess = format!(
            "{:08}",
            (code.parse::<u64>().unwrap() + 1 + attempt) % 100_000_000
        );
        let message = refused(cli_confirm(url, &confirm(&started.challenge, &guess)).await);
        assert!(
            message.contains("not right"),
            "attempt {attempt}: {message}"
        );
    }
    // The right code now comes too late: the challenge is spent.
    let message = refused(cli_confirm(url, &confirm(&started.challenge, &code)).await);
    assert!(message.contains("too many wrong codes"), "{message}");
    // And five wrong codes lock the account like five wrong passwords.
    let (status, body) = server
        .post(
            "/api/v1/sessions",
            json!({ "email": "max@example.org", "password": PASSWORD, "device": "x" }),
        )
        .await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{body}");
    assert_eq!(body["error"]["code"], "account_locked");
    server.stop().await;
}
both!(a_code_allows_five_tries_and_then_the_sign_in_starts_over);

fn totp_now(secret: &str) -> String {
    let secret = totp_rs::Secret::try_from_base32(secret).unwrap();
    let totp = totp_rs::Builder::new()
        .with_secret(secret.as_bytes().to_vec())
        .build()
        .unwrap();
    totp.generate(u64::try_from(jiff::Timestamp::now().as_second()).unwrap())
        .to_string()
}

async fn with_two_factor_on_the_cli_needs_both_codes(backend: Backend) {
    let storage = Storage::new(backend).await;
    let server = Server::start(&storage).await;
    let url = server.base.as_str();
    verified_account(&server, &storage, "ada@example.org", PASSWORD).await;
    let web = sign_in(&server, "ada@example.org", PASSWORD, "laptop").await;
    let (_, enrollment) = server
        .call(Method::POST, "/api/v1/account/totp", Some(&web), None)
        .await;
    let secret = enrollment["secret"].as_str().unwrap().to_owned();
    let (status, recovery) = server
        .call(
            Method::POST,
            "/api/v1/account/totp/confirm",
            Some(&web),
            Some(json!({ "code": totp_now(&secret) })),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{recovery}");
    let recovery_code = recovery["codes"][0].as_str().unwrap().to_owned();

    let started = cli_sign_in(url, "ada@example.org", PASSWORD, "build server")
        .await
        .unwrap();
    assert!(started.second_factor);
    let code = emailed_code(&storage, "ada@example.org");

    // The emailed code alone is not enough.
    let message = refused(cli_confirm(url, &confirm(&started.challenge, &code)).await);
    assert!(message.contains("authenticator app"), "{message}");
    // A wrong emailed code with a recovery code does not spend the recovery code...
    let wrong = format!("{:08}", (code.parse::<u64>().unwrap() + 1) % 100_000_000);
    let mut attempt = confirm(&started.challenge, &wrong);
    attempt.recovery_code = Some(recovery_code.clone());
    assert!(refused(cli_confirm(url, &attempt).await).contains("not right"));
    // ...which then finishes the sign-in with the right one, and is used up by it.
    attempt.email_code = code;
    let grant = cli_confirm(url, &attempt).await.unwrap();
    assert_eq!(
        account(url, &grant.token)
            .await
            .unwrap()
            .recovery_codes_left,
        9
    );
    server.stop().await;
}
both!(with_two_factor_on_the_cli_needs_both_codes);
