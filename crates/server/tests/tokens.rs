//! API tokens: one organization, at most the creator's role, read-only when asked (always for
//! Viewers), expiring, revocable, and dead with their creator's membership; on both backends.

mod support;

use std::time::Duration;

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use support::{Backend, Server, Storage, create_org, join, sign_in, verified_account};

const PASSWORD: &str = "a long and private passphrase";

async fn session(server: &Server, storage: &Storage, name: &str) -> (String, String) {
    let email = format!("{name}@example.org");
    verified_account(server, storage, &email, PASSWORD).await;
    let token = sign_in(server, &email, PASSWORD, name).await;
    let (_, account) = server.get("/api/v1/account", &token).await;
    (token, account["id"].as_str().unwrap().to_owned())
}

async fn make(server: &Server, who: &str, org: &str, body: Value) -> (StatusCode, Value) {
    server
        .call(
            Method::POST,
            &format!("/api/v1/orgs/{org}/tokens"),
            Some(who),
            Some(body),
        )
        .await
}

async fn tokens_act_within_their_scope(backend: Backend) {
    let storage = Storage::new(backend).await;
    let server = Server::start(&storage).await;
    let (owner, _) = session(&server, &storage, "olga").await;
    let (admin, admin_id) = session(&server, &storage, "adam").await;
    let (viewer, _) = session(&server, &storage, "vic").await;
    let a = create_org(&server, &owner, "A").await;
    let b = create_org(&server, &owner, "B").await;
    join(
        &server,
        &storage,
        &owner,
        &a,
        "adam@example.org",
        &admin,
        "admin",
    )
    .await;
    join(
        &server,
        &storage,
        &owner,
        &a,
        "vic@example.org",
        &viewer,
        "viewer",
    )
    .await;

    // Not above one's own role.
    let (status, body) = make(
        &server,
        &admin,
        &a,
        json!({ "name": "ci", "role": "owner" }),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    assert_eq!(
        body["error"]["message"],
        "a token cannot have more rights than you: you are an admin"
    );

    // An admin's token scoped down to member: reads members, may not invite.
    let (status, created) = make(
        &server,
        &admin,
        &a,
        json!({ "name": "script", "role": "member" }),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    let scoped = created["token"].as_str().unwrap().to_owned();
    assert!(scoped.starts_with(&format!("stp_{a}_")));
    assert_eq!(created["info"]["role"], "member");
    let (status, members) = server
        .get(&format!("/api/v1/orgs/{a}/members"), &scoped)
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(members.as_array().unwrap().len(), 3);
    let (status, body) = server
        .call(
            Method::POST,
            &format!("/api/v1/orgs/{a}/invitations"),
            Some(&scoped),
            Some(json!({ "email": "x@example.org", "role": "viewer" })),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");

    // A read-only token reads and nothing more.
    let (_, created) = make(
        &server,
        &admin,
        &a,
        json!({ "name": "ro", "read_only": true }),
    )
    .await;
    let read_only = created["token"].as_str().unwrap().to_owned();
    let (status, _) = server
        .get(&format!("/api/v1/orgs/{a}/audit"), &read_only)
        .await;
    assert_eq!(status, StatusCode::OK);
    let (status, body) = server
        .call(
            Method::PATCH,
            &format!("/api/v1/orgs/{a}"),
            Some(&read_only),
            Some(json!({ "name": "Z" })),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(body["error"]["code"], "read_only_token");

    // A viewer's token is read-only whatever was asked.
    let (_, created) = make(
        &server,
        &viewer,
        &a,
        json!({ "name": "viewer's", "read_only": false }),
    )
    .await;
    assert_eq!(created["info"]["read_only"], true);

    // Tokens reach only their organization's endpoints: not the account, not another organization,
    // and they cannot make tokens.
    for path in [
        "/api/v1/account",
        "/api/v1/sessions",
        "/api/v1/orgs",
        "/api/v1/passkeys",
    ] {
        let (status, body) = server.get(path, &scoped).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{path}: {body}");
    }
    for path in [
        format!("/api/v1/orgs/{b}"),
        format!("/api/v1/orgs/{b}/members"),
    ] {
        let (status, _) = server.get(&path, &scoped).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{path}");
    }
    let (status, _) = make(&server, &scoped, &a, json!({ "name": "child" })).await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    // The owner sees everyone's tokens; the viewer only theirs; the owner revokes the admin's.
    let (_, all) = server
        .get(&format!("/api/v1/orgs/{a}/tokens"), &owner)
        .await;
    assert_eq!(all.as_array().unwrap().len(), 3, "{all}");
    assert!(
        all.as_array()
            .unwrap()
            .iter()
            .all(|t| t.get("token").is_none()),
        "never shown again"
    );
    let (_, mine) = server
        .get(&format!("/api/v1/orgs/{a}/tokens"), &viewer)
        .await;
    assert_eq!(mine.as_array().unwrap().len(), 1);
    let scoped_id = all
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["name"] == "script")
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let mut names: Vec<&str> = all
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap())
        .collect();
    names.sort_unstable();
    assert_eq!(names, ["ro", "script", "viewer's"]);
    let (status, _) = server
        .call(
            Method::DELETE,
            &format!("/api/v1/orgs/{a}/tokens/{scoped_id}"),
            Some(&viewer),
            None,
        )
        .await;
    assert_eq!(
        status,
        StatusCode::NOT_FOUND,
        "a viewer cannot revoke someone else's"
    );
    let (status, _) = server
        .call(
            Method::DELETE,
            &format!("/api/v1/orgs/{a}/tokens/{scoped_id}"),
            Some(&owner),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, _) = server
        .get(&format!("/api/v1/orgs/{a}/members"), &scoped)
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "revoked at once");

    // Removing the creator kills their remaining tokens.
    let (status, _) = server
        .get(&format!("/api/v1/orgs/{a}/members"), &read_only)
        .await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = server
        .call(
            Method::DELETE,
            &format!("/api/v1/orgs/{a}/members/{admin_id}"),
            Some(&owner),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, _) = server
        .get(&format!("/api/v1/orgs/{a}/members"), &read_only)
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    // For good: joining again does not bring them back.
    join(
        &server,
        &storage,
        &owner,
        &a,
        "adam@example.org",
        &admin,
        "admin",
    )
    .await;
    let (status, _) = server
        .get(&format!("/api/v1/orgs/{a}/members"), &read_only)
        .await;
    assert_eq!(
        status,
        StatusCode::UNAUTHORIZED,
        "a removed member's token stays dead"
    );

    let (_, log) = server.get(&format!("/api/v1/orgs/{a}/audit"), &owner).await;
    let actions: Vec<&str> = log
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert!(
        actions.contains(&"token.create") && actions.contains(&"token.revoke"),
        "{actions:?}"
    );
    server.stop().await;
}
both!(tokens_act_within_their_scope);

/// Deleting or handing over an organization cannot be undone: an Owner's own full token may not.
async fn deleting_or_transferring_an_organization_needs_a_session(backend: Backend) {
    let storage = Storage::new(backend).await;
    let server = Server::start(&storage).await;
    let (owner, _) = session(&server, &storage, "olga").await;
    let (admin, admin_id) = session(&server, &storage, "adam").await;
    let a = create_org(&server, &owner, "A").await;
    join(
        &server,
        &storage,
        &owner,
        &a,
        "adam@example.org",
        &admin,
        "admin",
    )
    .await;
    let (status, created) = make(
        &server,
        &owner,
        &a,
        json!({ "name": "ci", "role": "owner" }),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    let token = created["token"].as_str().unwrap().to_owned();
    for (method, path, body) in [
        (Method::DELETE, format!("/api/v1/orgs/{a}"), None),
        (
            Method::POST,
            format!("/api/v1/orgs/{a}/transfer"),
            Some(json!({ "to": admin_id })),
        ),
    ] {
        let (status, body) = server.call(method, &path, Some(&token), body).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{path}: {body}");
        assert_eq!(body["error"]["code"], "session_required", "{body}");
    }
    let (status, org) = server.get(&format!("/api/v1/orgs/{a}"), &owner).await;
    assert_eq!(status, StatusCode::OK, "{org}");
    assert_eq!(org["role"], "owner");
    server.stop().await;
}
both!(deleting_or_transferring_an_organization_needs_a_session);

async fn tokens_expire(backend: Backend) {
    let storage = Storage::new(backend).await;
    let server = Server::start(&storage).await;
    let (owner, _) = session(&server, &storage, "olga").await;
    let a = create_org(&server, &owner, "A").await;
    let now = jiff::Timestamp::now().as_second();
    let (status, _) = make(
        &server,
        &owner,
        &a,
        json!({ "name": "past", "expires_at": now - 1 }),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let (status, created) = make(
        &server,
        &owner,
        &a,
        // Seconds are whole, so this lives between 5 and 6 s: room for three calls on a busy machine.
        json!({ "name": "short", "expires_at": now + 6 }),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED);
    let token = created["token"].as_str().unwrap().to_owned();
    let (status, _) = server.get(&format!("/api/v1/orgs/{a}"), &token).await;
    assert_eq!(status, StatusCode::OK);
    let (_, listed) = server
        .get(&format!("/api/v1/orgs/{a}/tokens"), &owner)
        .await;
    assert!(
        listed[0]["last_used_at"].is_i64(),
        "last use is recorded: {listed}"
    );
    // Until the server's clock (this one) reaches the expiry.
    while jiff::Timestamp::now().as_second() < now + 6 {
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let (status, _) = server.get(&format!("/api/v1/orgs/{a}"), &token).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (status, _) = server
        .get(&format!("/api/v1/orgs/{a}"), "stp_garbage")
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    server.stop().await;
}
both!(tokens_expire);
