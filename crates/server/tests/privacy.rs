//! An account's export of everything stored about it, and its deletion (confirmed by email, refused
//! while it is an organization's only owner, complete afterwards); on both backends.

mod support;

use reqwest::{Method, StatusCode};
use serde_json::json;
use support::{Backend, Server, Storage, create_org, join, last_email, sign_in, verified_account};

const PASSWORD: &str = "a long and private passphrase";

async fn an_account_exports_its_data_and_deletes_itself(backend: Backend) {
    let storage = Storage::new(backend).await;
    let server = Server::start(&storage).await;
    verified_account(&server, &storage, "olga@example.org", PASSWORD).await;
    verified_account(&server, &storage, "ben@example.org", PASSWORD).await;
    let olga = sign_in(&server, "olga@example.org", PASSWORD, "olga's laptop").await;
    let ben = sign_in(&server, "ben@example.org", PASSWORD, "ben's laptop").await;
    let org = create_org(&server, &olga, "Acme").await;
    join(
        &server,
        &storage,
        &olga,
        &org,
        "ben@example.org",
        &ben,
        "admin",
    )
    .await;
    let (status, created) = server
        .call(
            Method::POST,
            &format!("/api/v1/orgs/{org}/tokens"),
            Some(&ben),
            Some(json!({ "name": "ben's script" })),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    let bens_token = created["token"].as_str().unwrap().to_owned();

    // The export holds what is kept about Ben, and nothing secret.
    let (status, export) = server.get("/api/v1/account/export", &ben).await;
    assert_eq!(status, StatusCode::OK, "{export}");
    assert_eq!(export["account"]["email"], "ben@example.org");
    assert_eq!(export["sessions"][0]["device"], "ben's laptop");
    assert_eq!(export["organizations"][0]["name"], "Acme");
    assert_eq!(export["organizations"][0]["role"], "admin");
    assert_eq!(
        export["organizations"][0]["api_tokens"][0]["name"],
        "ben's script"
    );
    assert_eq!(
        export["organizations"][0]["audit_entries_by_you"][0]["action"],
        "token.create"
    );
    let text = export.to_string();
    for secret in [&ben, &bens_token, &PASSWORD.to_owned()] {
        assert!(!text.contains(secret.as_str()), "no secret in the export");
    }
    assert!(!text.contains("argon2"), "no password hash in the export");

    // Olga is Acme's only owner: her deletion waits.
    let (status, body) = server
        .call(Method::POST, "/api/v1/account/delete", Some(&olga), None)
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("only owner of Acme")
    );

    // Ben asks, confirms by email, and is gone everywhere.
    let (status, _) = server
        .call(Method::POST, "/api/v1/account/delete", Some(&ben), None)
        .await;
    assert_eq!(status, StatusCode::ACCEPTED);
    let (mail, token) = last_email(&storage.outbox(), "ben@example.org").unwrap();
    assert!(mail.contains("Confirm deleting your Stint account"));
    let token = token.unwrap();
    let (status, _) = server.get("/api/v1/account", &ben).await;
    assert_eq!(
        status,
        StatusCode::OK,
        "nothing happens before the confirmation"
    );
    let (status, _) = server
        .post("/api/v1/account/delete/confirm", json!({ "token": token }))
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, _) = server
        .post("/api/v1/account/delete/confirm", json!({ "token": token }))
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "single use");
    let (mail, _) = last_email(&storage.outbox(), "ben@example.org").unwrap();
    assert!(mail.contains("Your Stint account was deleted"));
    let (status, _) = server.get("/api/v1/account", &ben).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "sessions are gone");
    let (status, _) = server
        .get(&format!("/api/v1/orgs/{org}"), &bens_token)
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "API tokens are gone");
    let (status, _) = server
        .post(
            "/api/v1/sessions",
            json!({ "email": "ben@example.org", "password": PASSWORD, "device": "x" }),
        )
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "the account is gone");
    let (_, members) = server
        .get(&format!("/api/v1/orgs/{org}/members"), &olga)
        .await;
    assert_eq!(members.as_array().unwrap().len(), 1, "{members}");
    let (_, log) = server
        .get(&format!("/api/v1/orgs/{org}/audit"), &olga)
        .await;
    assert_eq!(log[0]["detail"], "ben@example.org deleted their account");
    // The address can sign up afresh.
    verified_account(
        &server,
        &storage,
        "ben@example.org",
        "a brand new passphrase",
    )
    .await;
    server.stop().await;
}
both!(an_account_exports_its_data_and_deletes_itself);
