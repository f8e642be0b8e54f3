//! Passkeys with a software authenticator (webauthn-authenticator-rs), over real HTTP, on SQLite
//! and on PostgreSQL. Discoverable (username-less) sign-in needs a resident key, which the software
//! token does not make: the Chromium test in `tests/browser` covers it with a virtual authenticator.

mod support;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use support::{Backend, Server, Storage, sign_in, verified_account};
use webauthn_authenticator_rs::WebauthnAuthenticator;
use webauthn_authenticator_rs::softpasskey::SoftPasskey;
use webauthn_rs::prelude::{CreationChallengeResponse, RequestChallengeResponse, Url};

const PASSWORD: &str = "a long and private passphrase";

fn origin(server: &Server) -> Url {
    Url::parse(&server.public).unwrap()
}

async fn register(
    server: &Server,
    token: &str,
    key: &mut SoftPasskey,
    name: &str,
) -> (StatusCode, Value) {
    let (status, start) = server
        .call(
            Method::POST,
            "/api/v1/passkeys/register/start",
            Some(token),
            Some(json!({ "name": name })),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{start}");
    assert_eq!(
        start["options"]["publicKey"]["authenticatorSelection"]["residentKey"],
        "required"
    );
    assert_eq!(
        start["options"]["publicKey"]["authenticatorSelection"]["userVerification"],
        "required"
    );
    let credential = key
        .do_registration(origin(server), soft_options(&start))
        .unwrap();
    server
        .call(
            Method::POST,
            "/api/v1/passkeys/register/finish",
            Some(token),
            Some(json!({ "ceremony": start["ceremony"], "credential": credential })),
        )
        .await
}

/// The server asks for a discoverable credential; the software token cannot make one (it refuses
/// with `NotSupported`), so it is handed the same options with that wish relaxed, as a browser with
/// such a token would. The server accepts either kind; sign-in with a username needs no more.
fn soft_options(start: &Value) -> CreationChallengeResponse {
    let mut options = start["options"].clone();
    options["publicKey"]["authenticatorSelection"]["residentKey"] = json!("discouraged");
    options["publicKey"]["authenticatorSelection"]["requireResidentKey"] = json!(false);
    serde_json::from_value(options).unwrap()
}

/// Starts a sign-in for `email` and answers it with `key`: the finish's status and body, and the
/// ceremony id used.
async fn sign_in_with(
    server: &Server,
    email: &str,
    key: &mut SoftPasskey,
) -> (StatusCode, Value, String) {
    let (status, start) = server
        .post("/api/v1/passkeys/sign-in/start", json!({ "email": email }))
        .await;
    assert_eq!(status, StatusCode::OK, "{start}");
    let options: RequestChallengeResponse =
        serde_json::from_value(start["options"].clone()).unwrap();
    let ceremony = start["ceremony"].as_str().unwrap().to_owned();
    let Ok(credential) = key.do_authentication(origin(server), options) else {
        // The authenticator holds none of the allowed credentials.
        return (StatusCode::UNAUTHORIZED, json!(null), ceremony);
    };
    let (status, body) = server
        .post(
            "/api/v1/passkeys/sign-in/finish",
            json!({ "ceremony": ceremony, "credential": credential, "device": "laptop" }),
        )
        .await;
    (status, body, ceremony)
}

async fn passkeys_register_sign_in_and_can_replace_the_password(backend: Backend) {
    let storage = Storage::new(backend).await;
    let server = Server::start(&storage).await;
    verified_account(&server, &storage, "kim@example.org", PASSWORD).await;
    let session = sign_in(&server, "kim@example.org", PASSWORD, "laptop").await;

    let mut yubikey = SoftPasskey::new(true);
    let mut phone = SoftPasskey::new(true);
    let (status, first) = register(&server, &session, &mut yubikey, "YubiKey").await;
    assert_eq!(status, StatusCode::CREATED, "{first}");
    assert_eq!(first["name"], "YubiKey");
    let (status, _) = register(&server, &session, &mut phone, "Phone").await;
    assert_eq!(status, StatusCode::CREATED);
    let (_, listed) = server.get("/api/v1/passkeys", &session).await;
    let names: Vec<&str> = listed
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["YubiKey", "Phone"]);

    // Either passkey signs in; a passkey is the whole sign-in (user verification is required).
    let (status, body, ceremony) = sign_in_with(&server, "kim@example.org", &mut phone).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["status"], "signed_in");
    let token = body["token"].as_str().unwrap();
    let (status, account) = server.get("/api/v1/account", token).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(account["passkeys"], 2);
    let (_, listed) = server.get("/api/v1/passkeys", &session).await;
    assert!(listed[1]["last_used_at"].is_i64(), "{listed}");
    assert!(listed[0]["last_used_at"].is_null());

    // A ceremony is single use.
    let (status, start) = server
        .post(
            "/api/v1/passkeys/sign-in/start",
            json!({ "email": "kim@example.org" }),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let options: RequestChallengeResponse =
        serde_json::from_value(start["options"].clone()).unwrap();
    let credential = yubikey.do_authentication(origin(&server), options).unwrap();
    let (status, _) = server
        .post(
            "/api/v1/passkeys/sign-in/finish",
            json!({ "ceremony": start["ceremony"], "credential": credential, "device": "x" }),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let (status, body) = server
        .post(
            "/api/v1/passkeys/sign-in/finish",
            json!({ "ceremony": start["ceremony"], "credential": credential, "device": "x" }),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "replayed: {body}");
    assert_eq!(body["error"]["code"], "ceremony_expired");
    let (status, _) = server
        .post(
            "/api/v1/passkeys/sign-in/finish",
            json!({ "ceremony": ceremony, "credential": credential, "device": "x" }),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "an old ceremony");

    // Someone else's authenticator is refused.
    let mut stranger = SoftPasskey::new(true);
    let (status, _, _) = sign_in_with(&server, "kim@example.org", &mut stranger).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);

    // Passkey-only: the password goes; the last passkey stays.
    let (status, _) = server
        .call(
            Method::DELETE,
            "/api/v1/account/password",
            Some(&session),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, body) = server
        .post(
            "/api/v1/sessions",
            json!({ "email": "kim@example.org", "password": PASSWORD, "device": "x" }),
        )
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
    let (_, account) = server.get("/api/v1/account", &session).await;
    assert_eq!(account["has_password"], false);
    let ids: Vec<String> = listed
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["id"].as_str().unwrap().to_owned())
        .collect();
    let (status, _) = server
        .call(
            Method::DELETE,
            &format!("/api/v1/passkeys/{}", ids[0]),
            Some(&session),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, body) = server
        .call(
            Method::DELETE,
            &format!("/api/v1/passkeys/{}", ids[1]),
            Some(&session),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert_eq!(body["error"]["code"], "last_passkey");
    let (status, _, _) = sign_in_with(&server, "kim@example.org", &mut phone).await;
    assert_eq!(status, StatusCode::OK, "the remaining passkey still works");
    let (status, _, _) = sign_in_with(&server, "kim@example.org", &mut yubikey).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "the removed one does not");
    server.stop().await;
}
both!(passkeys_register_sign_in_and_can_replace_the_password);

async fn passkeys_belong_to_one_account(backend: Backend) {
    let storage = Storage::new(backend).await;
    let server = Server::start(&storage).await;
    verified_account(&server, &storage, "ann@example.org", PASSWORD).await;
    verified_account(&server, &storage, "bob@example.org", PASSWORD).await;
    let ann = sign_in(&server, "ann@example.org", PASSWORD, "a").await;
    let bob = sign_in(&server, "bob@example.org", PASSWORD, "b").await;
    let mut anns_key = SoftPasskey::new(true);
    let (status, registered) = register(&server, &ann, &mut anns_key, "Ann's key").await;
    assert_eq!(status, StatusCode::CREATED);
    // Ann's passkey does not sign in as Bob, and Bob cannot see or remove it.
    let (status, _) = server
        .post(
            "/api/v1/passkeys/sign-in/start",
            json!({ "email": "bob@example.org" }),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let (_, bobs) = server.get("/api/v1/passkeys", &bob).await;
    assert_eq!(bobs, json!([]));
    let (status, _) = server
        .call(
            Method::DELETE,
            &format!("/api/v1/passkeys/{}", registered["id"].as_str().unwrap()),
            Some(&bob),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    // Finishing someone else's registration ceremony is refused.
    let (_, start) = server
        .call(
            Method::POST,
            "/api/v1/passkeys/register/start",
            Some(&ann),
            Some(json!({ "name": "x" })),
        )
        .await;
    let credential = SoftPasskey::new(true)
        .do_registration(origin(&server), soft_options(&start))
        .unwrap();
    let (status, body) = server
        .call(
            Method::POST,
            "/api/v1/passkeys/register/finish",
            Some(&bob),
            Some(json!({ "ceremony": start["ceremony"], "credential": credential })),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    // Bob has no password-less way in.
    let (status, body) = server
        .call(Method::DELETE, "/api/v1/account/password", Some(&bob), None)
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    server.stop().await;
}
both!(passkeys_belong_to_one_account);

/// The shape of a sign-in start, with the parts that differ by chance (challenge, ids, ceremony
/// id) reduced to their kind and length.
fn shape(start: &Value) -> Value {
    let mut options = start["options"].clone();
    let public_key = &mut options["publicKey"];
    public_key["challenge"] = json!(public_key["challenge"].as_str().unwrap().len());
    // Ids are checked on their own (their lengths are those real authenticators make); how many
    // there are is part of the shape only as "at least one".
    for allowed in public_key["allowCredentials"].as_array_mut().unwrap() {
        allowed["id"] = json!("id");
    }
    let allowed = public_key["allowCredentials"].as_array_mut().unwrap();
    allowed.truncate(1);
    json!({ "ceremony": &start["ceremony"].as_str().unwrap()[..6], "options": options })
}

async fn a_sign_in_start_does_not_tell_which_addresses_have_passkeys(backend: Backend) {
    let storage = Storage::new(backend).await;
    let server = Server::start(&storage).await;
    // Kim has a passkey (from a software token); Lee only a password.
    verified_account(&server, &storage, "kim@example.org", PASSWORD).await;
    verified_account(&server, &storage, "lee@example.org", PASSWORD).await;
    let session = sign_in(&server, "kim@example.org", PASSWORD, "laptop").await;
    let mut key = SoftPasskey::new(true);
    let (status, body) = register(&server, &session, &mut key, "Laptop").await;
    assert_eq!(status, StatusCode::CREATED, "{body}");

    let start = |email: &'static str| {
        let server = &server;
        async move {
            let (status, body) = server
                .post("/api/v1/passkeys/sign-in/start", json!({ "email": email }))
                .await;
            assert_eq!(status, StatusCode::OK, "{body}");
            body
        }
    };
    let kim = start("kim@example.org").await;
    let lee = start("lee@example.org").await;
    let nobody = start("nobody@example.org").await;
    assert_eq!(
        kim["options"]["publicKey"]["allowCredentials"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
    let kim_id_len = kim["options"]["publicKey"]["allowCredentials"][0]["id"]
        .as_str()
        .unwrap()
        .len();
    for other in [&lee, &nobody] {
        assert_eq!(shape(other), shape(&kim), "{other}");
    }
    assert!(kim_id_len >= 22, "{kim}");

    // Decoys look like real credentials: one to three ids, of the lengths real authenticators
    // make (platform passkeys 16, 20 or 32 bytes; security keys 48 or 64), not one fixed length or
    // count that would give them away.
    let mut lengths = std::collections::BTreeSet::new();
    let mut counts = std::collections::BTreeSet::new();
    for i in 0..40 {
        let email = format!("someone{i}@example.org");
        let (status, body) = server
            .post("/api/v1/passkeys/sign-in/start", json!({ "email": email }))
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let ids = body["options"]["publicKey"]["allowCredentials"]
            .as_array()
            .unwrap();
        counts.insert(ids.len());
        for id in ids {
            let bytes = URL_SAFE_NO_PAD.decode(id["id"].as_str().unwrap()).unwrap();
            assert!(
                [16, 20, 32, 48, 64].contains(&bytes.len()),
                "{} bytes",
                bytes.len()
            );
            lengths.insert(bytes.len());
        }
    }
    assert!(lengths.len() >= 3, "decoy id lengths {lengths:?}");
    assert_eq!(counts, [1, 2, 3].into(), "decoy counts {counts:?}");

    // Decoy ids are the same each time for an address (asking twice tells nothing), and differ
    // between addresses.
    let again = start("nobody@example.org").await;
    assert_eq!(
        again["options"]["publicKey"]["allowCredentials"],
        nobody["options"]["publicKey"]["allowCredentials"]
    );
    assert_ne!(
        lee["options"]["publicKey"]["allowCredentials"],
        nobody["options"]["publicKey"]["allowCredentials"]
    );

    // Finishing a decoy ceremony with a real passkey is refused like a wrong passkey.
    let options: RequestChallengeResponse = {
        let mut options = kim["options"].clone();
        options["publicKey"]["challenge"] = lee["options"]["publicKey"]["challenge"].clone();
        serde_json::from_value(options).unwrap()
    };
    let credential = key.do_authentication(origin(&server), options).unwrap();
    let (status, body) = server
        .post(
            "/api/v1/passkeys/sign-in/finish",
            json!({ "ceremony": lee["ceremony"], "credential": credential, "device": "x" }),
        )
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
    assert_eq!(body["error"]["code"], "invalid_passkey");
    server.stop().await;
}
both!(a_sign_in_start_does_not_tell_which_addresses_have_passkeys);

#[tokio::test]
async fn a_server_reached_by_ip_address_says_passkeys_are_off() {
    let storage = Storage::new(Backend::Sqlite).await;
    let server = Server::start_with(&storage, |c| c.public_url = "http://127.0.0.1:1".into()).await;
    let (status, body) = server
        .post("/api/v1/passkeys/sign-in/start", json!({}))
        .await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(body["error"]["code"], "passkeys_unavailable");
    server.stop().await;
}

/// Makes every session of the test's database `secs` older, proof included: a session stolen from
/// a device where someone signed in a while ago.
async fn age_sessions(storage: &Storage, secs: i64) {
    support::execute(
        storage,
        format!("UPDATE sessions SET created_at = created_at - {secs}, proved_at = NULL"),
    )
    .await;
}

/// Adding a passkey, removing the password, turning two-factor sign-in on and making an API token
/// need a proof of the last few minutes: a stolen session alone makes none of them. Each change is
/// told to the owner by email, and after a password reset the owner finds and removes what an
/// intruder added.
async fn sensitive_changes_need_a_fresh_proof_and_a_reset_can_undo_them(backend: Backend) {
    let storage = Storage::new(backend).await;
    let server = Server::start(&storage).await;
    let email = "kim@example.org";
    verified_account(&server, &storage, email, PASSWORD).await;
    let stolen = sign_in(&server, email, PASSWORD, "laptop").await;
    let org = support::create_org(&server, &stolen, "Kim's studio").await;
    age_sessions(&storage, 3600).await;

    let refusals = [
        (
            Method::POST,
            "/api/v1/passkeys/register/start".to_owned(),
            Some(json!({ "name": "intruder" })),
        ),
        (Method::DELETE, "/api/v1/account/password".to_owned(), None),
        (Method::POST, "/api/v1/account/totp".to_owned(), None),
        (
            Method::POST,
            format!("/api/v1/orgs/{org}/tokens"),
            Some(json!({ "name": "exfiltrate" })),
        ),
    ];
    for (method, path, body) in refusals {
        let (status, answer) = server.call(method, &path, Some(&stolen), body).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{path}: {answer}");
        assert_eq!(answer["error"]["code"], "step_up_required", "{path}");
    }

    // The password again renews the proof (a wrong one does not).
    let step_up = |password: &str| {
        server.call(
            Method::POST,
            "/api/v1/sessions/current/step-up",
            Some(&stolen),
            Some(json!({ "password": password })),
        )
    };
    let (status, _) = step_up("not the password").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (status, body) = step_up(PASSWORD).await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
    let mut key = SoftPasskey::new(true);
    let (status, added) = register(&server, &stolen, &mut key, "intruder").await;
    assert_eq!(status, StatusCode::CREATED, "{added}");
    let (mail, _) = support::last_email(&storage.outbox(), email).unwrap();
    assert!(
        mail.contains("A passkey was added") && mail.contains("intruder"),
        "{mail}"
    );
    let (status, token) = server
        .call(
            Method::POST,
            &format!("/api/v1/orgs/{org}/tokens"),
            Some(&stolen),
            Some(json!({ "name": "exfiltrate" })),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{token}");
    let (mail, _) = support::last_email(&storage.outbox(), email).unwrap();
    assert!(mail.contains("An API token was made"), "{mail}");

    // The owner resets the password: the email says what to review, every session ends, and the
    // intruder's passkey and token can be found and removed.
    let sent = support::emails_to(&storage.outbox(), email);
    let (status, _) = server
        .post("/api/v1/password/forgot", json!({ "email": email }))
        .await;
    assert_eq!(status, StatusCode::ACCEPTED);
    let (mail, reset) = support::email_arrives(&storage.outbox(), email, sent + 1).await;
    assert!(
        mail.contains("passkeys, sessions and API tokens")
            && mail.contains("/api/v1/account/export"),
        "{mail}"
    );
    let new_password = "a brand new and private passphrase";
    let (status, _) = server
        .post(
            "/api/v1/password/reset",
            json!({ "token": reset.unwrap(), "password": new_password }),
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, _) = server.get("/api/v1/account", &stolen).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let owner = sign_in(&server, email, new_password, "desk").await;
    let (_, export) = server.get("/api/v1/account/export", &owner).await;
    let passkey = export["passkeys"][0]["id"].as_str().unwrap().to_owned();
    let token_id = token["info"]["id"].as_str().unwrap();
    assert!(export.to_string().contains(token_id), "{export}");
    let (status, _) = server
        .call(
            Method::DELETE,
            &format!("/api/v1/passkeys/{passkey}"),
            Some(&owner),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, _) = server
        .call(
            Method::DELETE,
            &format!("/api/v1/orgs/{org}/tokens/{token_id}"),
            Some(&owner),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, _, _) = sign_in_with(&server, email, &mut key).await;
    assert_eq!(
        status,
        StatusCode::UNAUTHORIZED,
        "the intruder's passkey is gone"
    );
    server.stop().await;
}
both!(sensitive_changes_need_a_fresh_proof_and_a_reset_can_undo_them);

/// Wrong passwords lock an account's password sign-in; its passkey still signs in (a lockout must
/// not become a way to keep the owner out).
async fn a_locked_out_password_does_not_block_the_passkey(backend: Backend) {
    let storage = Storage::new(backend).await;
    let server = Server::start(&storage).await;
    let email = "kim@example.org";
    verified_account(&server, &storage, email, PASSWORD).await;
    let session = sign_in(&server, email, PASSWORD, "laptop").await;
    let mut key = SoftPasskey::new(true);
    let (status, body) = register(&server, &session, &mut key, "Laptop").await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    for _ in 0..5 {
        let (status, _) = server
            .post(
                "/api/v1/sessions",
                json!({ "email": email, "password": "a wrong guess here", "device": "x" }),
            )
            .await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
    }
    let (status, body) = server
        .post(
            "/api/v1/sessions",
            json!({ "email": email, "password": PASSWORD, "device": "x" }),
        )
        .await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{body}");
    assert_eq!(body["error"]["code"], "account_locked");
    let (status, body, _) = sign_in_with(&server, email, &mut key).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["status"], "signed_in");
    server.stop().await;
}
both!(a_locked_out_password_does_not_block_the_passkey);

/// Signs up `email` and returns the token from the confirmation email.
async fn signed_up(server: &Server, storage: &Storage, email: &str) -> String {
    let (status, _) = server
        .post(
            "/api/v1/accounts",
            json!({ "email": email, "password": PASSWORD }),
        )
        .await;
    assert_eq!(status, StatusCode::ACCEPTED);
    let (_, token) = support::last_email(&storage.outbox(), email).expect("a confirmation email");
    token.expect("a token in the confirmation email")
}

/// The sign-up page adds a passkey as it confirms the address: the reply to the confirmation
/// carries a registration ceremony of its own kind, finished without a session. Only whoever gave
/// the emailed token and the password gets one; it is single use and cannot be swapped with a
/// signed-in registration.
async fn a_passkey_is_added_as_the_address_is_confirmed(backend: Backend) {
    let storage = Storage::new(backend).await;
    let server = Server::start(&storage).await;
    let token = signed_up(&server, &storage, "lea@example.org").await;

    // A wrong password confirms nothing and starts no ceremony.
    let (status, body) = server
        .post(
            "/api/v1/accounts/verify",
            json!({ "token": token, "password": "not the password at all", "passkey": "Laptop" }),
        )
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
    assert!(body.get("passkey").is_none());
    // A name the server would refuse is refused before the address is confirmed.
    let (status, body) = server
        .post(
            "/api/v1/accounts/verify",
            json!({ "token": token, "password": PASSWORD, "passkey": " " }),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");

    let (status, verified) = server
        .post(
            "/api/v1/accounts/verify",
            json!({ "token": token, "password": PASSWORD, "passkey": "Laptop" }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{verified}");
    let start = &verified["passkey"];
    let ceremony = start["ceremony"].as_str().unwrap().to_owned();
    assert!(ceremony.starts_with("stw_s_"), "{ceremony}");
    assert_eq!(
        start["options"]["publicKey"]["authenticatorSelection"]["userVerification"],
        "required"
    );
    let mut key = SoftPasskey::new(true);
    let credential = key
        .do_registration(origin(&server), soft_options(start))
        .unwrap();

    // The signed-in finish does not take a sign-up ceremony (it needs a session anyway).
    let session = sign_in(&server, "lea@example.org", PASSWORD, "laptop").await;
    let (status, body) = server
        .call(
            Method::POST,
            "/api/v1/passkeys/register/finish",
            Some(&session),
            Some(json!({ "ceremony": ceremony, "credential": credential })),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert_eq!(body["error"]["code"], "ceremony_expired");

    // That consumed nothing: the sign-up finish registers it, once.
    let finish = json!({ "ceremony": ceremony, "credential": credential });
    let (status, added) = server
        .post("/api/v1/accounts/verify/passkey", finish.clone())
        .await;
    assert_eq!(status, StatusCode::CREATED, "{added}");
    assert_eq!(added["name"], "Laptop");
    let (status, body) = server.post("/api/v1/accounts/verify/passkey", finish).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "replayed: {body}");
    assert_eq!(body["error"]["code"], "ceremony_expired");
    let (mail, _) = support::last_email(&storage.outbox(), "lea@example.org").unwrap();
    assert!(
        mail.contains("A passkey named \"Laptop\" was just added"),
        "{mail}"
    );

    // The passkey signs in on its own.
    let (status, body, _) = sign_in_with(&server, "lea@example.org", &mut key).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["status"], "signed_in");

    // A signed-in registration's ceremony is refused by the sign-up finish.
    let (_, start) = server
        .call(
            Method::POST,
            "/api/v1/passkeys/register/start",
            Some(&session),
            Some(json!({ "name": "Phone" })),
        )
        .await;
    let credential = SoftPasskey::new(true)
        .do_registration(origin(&server), soft_options(&start))
        .unwrap();
    let (status, body) = server
        .post(
            "/api/v1/accounts/verify/passkey",
            json!({ "ceremony": start["ceremony"], "credential": credential }),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert_eq!(body["error"]["code"], "ceremony_expired");
    let (_, listed) = server.get("/api/v1/passkeys", &session).await;
    assert_eq!(listed.as_array().unwrap().len(), 1, "{listed}");
    server.stop().await;
}
both!(a_passkey_is_added_as_the_address_is_confirmed);

/// A server reached by IP address confirms the address all the same, without a ceremony.
#[tokio::test]
async fn confirming_on_a_server_without_passkeys_starts_no_ceremony() {
    let storage = Storage::new(Backend::Sqlite).await;
    let server = Server::start_with(&storage, |c| c.public_url = "http://127.0.0.1:1".into()).await;
    let token = signed_up(&server, &storage, "lea@example.org").await;
    let (status, body) = server
        .post(
            "/api/v1/accounts/verify",
            json!({ "token": token, "password": PASSWORD, "passkey": "Laptop" }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(body.get("passkey").is_none(), "{body}");
    server.stop().await;
}
