//! Organizations, roles, invitations and the audit log, as stories over real HTTP, on SQLite and on
//! PostgreSQL; and tenant isolation, through the API and below it.

mod support;

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use support::{
    Backend, Server, Storage, create_org, invitation_token, join, last_email, sign_in,
    verified_account,
};

const PASSWORD: &str = "a long and private passphrase";

struct Person {
    email: String,
    token: String,
    id: String,
}

async fn person(server: &Server, storage: &Storage, name: &str) -> Person {
    let email = format!("{name}@example.org");
    verified_account(server, storage, &email, PASSWORD).await;
    let token = sign_in(server, &email, PASSWORD, name).await;
    let (_, account) = server.get("/api/v1/account", &token).await;
    Person {
        email,
        token,
        id: account["id"].as_str().unwrap().to_owned(),
    }
}

async fn call(
    server: &Server,
    who: &Person,
    method: Method,
    path: &str,
    body: Option<Value>,
) -> (StatusCode, Value) {
    server.call(method, path, Some(&who.token), body).await
}

async fn roles_decide_who_manages_whom(backend: Backend) {
    let storage = Storage::new(backend).await;
    let server = Server::start(&storage).await;
    let olga = person(&server, &storage, "olga").await;
    let adam = person(&server, &storage, "adam").await;
    let mia = person(&server, &storage, "mia").await;
    let vic = person(&server, &storage, "vic").await;
    let org = create_org(&server, &olga.token, "Acme Studio").await;
    join(
        &server,
        &storage,
        &olga.token,
        &org,
        &adam.email,
        &adam.token,
        "admin",
    )
    .await;
    join(
        &server,
        &storage,
        &adam.token,
        &org,
        &mia.email,
        &mia.token,
        "member",
    )
    .await;
    join(
        &server,
        &storage,
        &adam.token,
        &org,
        &vic.email,
        &vic.token,
        "viewer",
    )
    .await;

    let (status, members) = call(
        &server,
        &vic,
        Method::GET,
        &format!("/api/v1/orgs/{org}/members"),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "everyone lists members");
    let roles: Vec<(String, String)> = members
        .as_array()
        .unwrap()
        .iter()
        .map(|m| {
            (
                m["email"].as_str().unwrap().to_owned(),
                m["role"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert_eq!(
        roles,
        [
            ("olga", "owner"),
            ("adam", "admin"),
            ("mia", "member"),
            ("vic", "viewer")
        ]
        .map(|(n, r)| (format!("{n}@example.org"), r.to_owned()))
    );

    // An admin may not invite or promote to admin or owner; members and viewers manage no one.
    let (status, body) = call(
        &server,
        &adam,
        Method::POST,
        &format!("/api/v1/orgs/{org}/invitations"),
        Some(json!({ "email": "new@example.org", "role": "admin" })),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    assert_eq!(
        body["error"]["message"],
        "an admin may not manage admins and owners; ask an owner or admin"
    );
    let member_path = |who: &Person| format!("/api/v1/orgs/{org}/members/{}", who.id);
    let (status, _) = call(
        &server,
        &adam,
        Method::PATCH,
        &member_path(&mia),
        Some(json!({ "role": "admin" })),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, changed) = call(
        &server,
        &adam,
        Method::PATCH,
        &member_path(&mia),
        Some(json!({ "role": "viewer" })),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{changed}");
    assert_eq!(changed["role"], "viewer");
    for who in [&mia, &vic] {
        let (status, body) = call(
            &server,
            who,
            Method::PATCH,
            &member_path(&adam),
            Some(json!({ "role": "viewer" })),
        )
        .await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
        let (status, _) = call(
            &server,
            who,
            Method::PATCH,
            &format!("/api/v1/orgs/{org}"),
            Some(json!({ "name": "Mine" })),
        )
        .await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        let (status, _) = call(
            &server,
            who,
            Method::GET,
            &format!("/api/v1/orgs/{org}/audit"),
            None,
        )
        .await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        let (status, _) = call(
            &server,
            who,
            Method::GET,
            &format!("/api/v1/orgs/{org}/invitations"),
            None,
        )
        .await;
        assert_eq!(status, StatusCode::FORBIDDEN);
    }
    let (status, _) = call(
        &server,
        &adam,
        Method::DELETE,
        &format!("/api/v1/orgs/{org}"),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "only the owner deletes");
    let (status, _) = call(&server, &adam, Method::DELETE, &member_path(&olga), None).await;
    assert_eq!(
        status,
        StatusCode::FORBIDDEN,
        "an admin cannot remove an owner"
    );

    // The last owner can neither be demoted nor leave; after a transfer they can.
    let (status, body) = call(
        &server,
        &olga,
        Method::PATCH,
        &member_path(&olga),
        Some(json!({ "role": "admin" })),
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert_eq!(body["error"]["code"], "last_owner");
    let (status, body) = call(&server, &olga, Method::DELETE, &member_path(&olga), None).await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    let (status, _) = call(
        &server,
        &olga,
        Method::POST,
        &format!("/api/v1/orgs/{org}/transfer"),
        Some(json!({ "to": adam.id })),
    )
    .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (_, mine) = call(
        &server,
        &olga,
        Method::GET,
        &format!("/api/v1/orgs/{org}"),
        None,
    )
    .await;
    assert_eq!(mine["role"], "admin");
    let (_, his) = call(
        &server,
        &adam,
        Method::GET,
        &format!("/api/v1/orgs/{org}"),
        None,
    )
    .await;
    assert_eq!(his["role"], "owner");
    let (status, _) = call(&server, &olga, Method::DELETE, &member_path(&olga), None).await;
    assert_eq!(status, StatusCode::NO_CONTENT, "an admin may leave");
    let (status, _) = call(
        &server,
        &olga,
        Method::GET,
        &format!("/api/v1/orgs/{org}"),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "gone at once");
    let (_, olgas) = call(&server, &olga, Method::GET, "/api/v1/orgs", None).await;
    assert_eq!(olgas, json!([]));

    // The audit log tells the story, newest first, with who and from which session.
    let (status, log) = call(
        &server,
        &adam,
        Method::GET,
        &format!("/api/v1/orgs/{org}/audit"),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let actions: Vec<&str> = log
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(
        actions,
        [
            "member.leave",
            "organization.transfer",
            "member.role",
            "member.confirm",
            "member.join",
            "member.invite",
            "member.confirm",
            "member.join",
            "member.invite",
            "member.confirm",
            "member.join",
            "member.invite",
            "organization.create"
        ]
    );
    assert_eq!(log[2]["detail"], "mia@example.org: member → viewer");
    assert_eq!(log[2]["actor_email"], "adam@example.org");
    assert!(log[2]["session"].is_string());
    assert!(
        !log.to_string().contains("127.0.0.1"),
        "no addresses in the audit log"
    );

    let (status, _) = call(
        &server,
        &adam,
        Method::DELETE,
        &format!("/api/v1/orgs/{org}"),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (mail, _) = last_email(&storage.outbox(), "adam@example.org").unwrap();
    assert!(
        mail.contains("The organization Acme Studio was deleted"),
        "{mail}"
    );
    let (status, _) = call(
        &server,
        &mia,
        Method::GET,
        &format!("/api/v1/orgs/{org}"),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    if backend == Backend::Sqlite {
        let file = storage
            .dir
            .path()
            .join("data/orgs")
            .join(format!("{org}.db"));
        assert!(
            !file.exists(),
            "the organization's database file is deleted"
        );
    }
    server.stop().await;
}
both!(roles_decide_who_manages_whom);

async fn invitations_are_single_use_for_the_invited_address_only(backend: Backend) {
    let storage = Storage::new(backend).await;
    let server = Server::start(&storage).await;
    let olga = person(&server, &storage, "olga").await;
    let ben = person(&server, &storage, "ben").await;
    let eve = person(&server, &storage, "eve").await;
    let org = create_org(&server, &olga.token, "Acme").await;
    let (status, _) = call(
        &server,
        &olga,
        Method::POST,
        &format!("/api/v1/orgs/{org}/invitations"),
        Some(json!({ "email": "BEN@example.org", "role": "member" })),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED);
    let token = invitation_token(&storage, "ben@example.org");
    let (mail, _) = last_email(&storage.outbox(), "ben@example.org").unwrap();
    assert!(
        mail.contains("olga@example.org invited you to join \"Acme\" on Stint as a member"),
        "{mail}"
    );
    // The link in it opens a page that shows the code to paste into the app.
    assert!(
        mail.contains(&format!("{}/accept-invitation#{token}", server.public)),
        "{mail}"
    );
    let page = server
        .http
        .get(format!("{}/accept-invitation", server.base))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    assert!(
        page.text()
            .await
            .unwrap()
            .contains("id=\"invitation-code\"")
    );

    // Someone else holding the link cannot use it.
    let (status, body) = call(
        &server,
        &eve,
        Method::POST,
        "/api/v1/invitations/accept",
        Some(json!({ "token": token })),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert_eq!(body["error"]["code"], "invalid_token");
    let (status, _) = call(
        &server,
        &ben,
        Method::POST,
        "/api/v1/invitations/accept",
        Some(json!({ "token": token })),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = call(
        &server,
        &ben,
        Method::POST,
        "/api/v1/invitations/accept",
        Some(json!({ "token": token })),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "single use");
    for forged in ["sti_garbage", "", "sti_01JDZ6Y1V3W0000000000000AA_00"] {
        let (status, _) = call(
            &server,
            &eve,
            Method::POST,
            "/api/v1/invitations/accept",
            Some(json!({ "token": forged })),
        )
        .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{forged:?}");
    }

    // A revoked invitation cannot be accepted.
    let (_, invitation) = call(
        &server,
        &olga,
        Method::POST,
        &format!("/api/v1/orgs/{org}/invitations"),
        Some(json!({ "email": eve.email, "role": "viewer" })),
    )
    .await;
    let token = invitation_token(&storage, &eve.email);
    let (_, pending) = call(
        &server,
        &olga,
        Method::GET,
        &format!("/api/v1/orgs/{org}/invitations"),
        None,
    )
    .await;
    assert_eq!(pending.as_array().unwrap().len(), 1);
    assert_eq!(pending[0]["email"], "eve@example.org");
    let (status, _) = call(
        &server,
        &olga,
        Method::DELETE,
        &format!(
            "/api/v1/orgs/{org}/invitations/{}",
            invitation["id"].as_str().unwrap()
        ),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, _) = call(
        &server,
        &eve,
        Method::POST,
        "/api/v1/invitations/accept",
        Some(json!({ "token": token })),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let (_, orgs) = call(&server, &eve, Method::GET, "/api/v1/orgs", None).await;
    assert_eq!(orgs, json!([]));
    server.stop().await;
}
both!(invitations_are_single_use_for_the_invited_address_only);

async fn another_organizations_ids_reach_nothing(backend: Backend) {
    let storage = Storage::new(backend).await;
    let server = Server::start(&storage).await;
    let ann = person(&server, &storage, "ann").await;
    let bob = person(&server, &storage, "bob").await;
    let bobs_colleague = person(&server, &storage, "cal").await;
    let a = create_org(&server, &ann.token, "Ann's").await;
    let b = create_org(&server, &bob.token, "Bob's").await;
    join(
        &server,
        &storage,
        &bob.token,
        &b,
        &bobs_colleague.email,
        &bobs_colleague.token,
        "member",
    )
    .await;
    let (_, b_invite) = call(
        &server,
        &bob,
        Method::POST,
        &format!("/api/v1/orgs/{b}/invitations"),
        Some(json!({ "email": "x@example.org", "role": "viewer" })),
    )
    .await;
    let b_invitation = b_invite["id"].as_str().unwrap();
    let before = snapshot(&server, &bob, &b).await;

    // Ann, owner of A, names B (or B's people) anywhere: 404 with the same body as for an
    // organization that does not exist.
    let missing = "01JDZ6Y1V3W0000000000000AA";
    let (_, nowhere) = call(
        &server,
        &ann,
        Method::GET,
        &format!("/api/v1/orgs/{missing}"),
        None,
    )
    .await;
    let attempts: Vec<(Method, String, Option<Value>)> = vec![
        (Method::GET, format!("/api/v1/orgs/{b}"), None),
        (
            Method::PATCH,
            format!("/api/v1/orgs/{b}"),
            Some(json!({ "name": "Taken" })),
        ),
        (Method::DELETE, format!("/api/v1/orgs/{b}"), None),
        (
            Method::POST,
            format!("/api/v1/orgs/{b}/transfer"),
            Some(json!({ "to": ann.id })),
        ),
        (Method::GET, format!("/api/v1/orgs/{b}/members"), None),
        (
            Method::PATCH,
            format!("/api/v1/orgs/{b}/members/{}", bobs_colleague.id),
            Some(json!({ "role": "viewer" })),
        ),
        (
            Method::DELETE,
            format!("/api/v1/orgs/{b}/members/{}", bobs_colleague.id),
            None,
        ),
        (
            Method::POST,
            format!("/api/v1/orgs/{b}/invitations"),
            Some(json!({ "email": ann.email, "role": "owner" })),
        ),
        (Method::GET, format!("/api/v1/orgs/{b}/invitations"), None),
        (
            Method::DELETE,
            format!("/api/v1/orgs/{b}/invitations/{b_invitation}"),
            None,
        ),
        (Method::GET, format!("/api/v1/orgs/{b}/audit"), None),
    ];
    for (method, path, body) in attempts {
        let (status, answer) = call(&server, &ann, method.clone(), &path, body).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{method} {path}: {answer}");
        assert_eq!(
            answer, nowhere,
            "{method} {path} tells nothing more than a missing organization"
        );
    }
    // Through her own organization, B's people and invitations are unknown.
    let in_a: Vec<(Method, String, Option<Value>)> = vec![
        (
            Method::PATCH,
            format!("/api/v1/orgs/{a}/members/{}", bob.id),
            Some(json!({ "role": "viewer" })),
        ),
        (
            Method::DELETE,
            format!("/api/v1/orgs/{a}/members/{}", bobs_colleague.id),
            None,
        ),
        (
            Method::DELETE,
            format!("/api/v1/orgs/{a}/invitations/{b_invitation}"),
            None,
        ),
        (
            Method::POST,
            format!("/api/v1/orgs/{a}/transfer"),
            Some(json!({ "to": bob.id })),
        ),
    ];
    for (method, path, body) in in_a {
        let (status, answer) = call(&server, &ann, method.clone(), &path, body).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{method} {path}: {answer}");
    }
    assert_eq!(snapshot(&server, &bob, &b).await, before, "B is untouched");
    let (_, anns) = call(&server, &ann, Method::GET, "/api/v1/orgs", None).await;
    assert_eq!(anns.as_array().unwrap().len(), 1);
    assert_eq!(anns[0]["id"], a.as_str());

    if backend == Backend::Postgres {
        row_level_security_hides_other_organizations(&storage, &a, &b).await;
    }
    server.stop().await;
}
both!(another_organizations_ids_reach_nothing);

async fn snapshot(server: &Server, owner: &Person, org: &str) -> Value {
    let mut all = Vec::new();
    for part in ["", "/members", "/invitations", "/audit"] {
        let (status, body) = call(
            server,
            owner,
            Method::GET,
            &format!("/api/v1/orgs/{org}{part}"),
            None,
        )
        .await;
        assert_eq!(status, StatusCode::OK);
        all.push(body);
    }
    Value::Array(all)
}

/// Below the API: the server's own database role, in a transaction for organization A, sees A's
/// rows only, and cannot write a row for B; without an organization set it sees nothing.
async fn row_level_security_hides_other_organizations(storage: &Storage, a: &str, b: &str) {
    use sqlx::Connection;
    let mut conn = sqlx::PgConnection::connect(storage.database_url.as_deref().unwrap())
        .await
        .unwrap();
    let is_super: bool =
        sqlx::query_scalar("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
            .fetch_one(&mut conn)
            .await
            .unwrap();
    assert!(
        !is_super,
        "the test connects as the server would, without bypassing RLS"
    );
    let unscoped: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM members")
        .fetch_one(&mut conn)
        .await
        .unwrap();
    assert_eq!(unscoped, 0, "no organization set: no rows");
    let mut tx = conn.begin().await.unwrap();
    sqlx::query("SELECT set_config('app.org', $1, true)")
        .bind(a)
        .execute(&mut *tx)
        .await
        .unwrap();
    let orgs: Vec<String> = sqlx::query_scalar("SELECT DISTINCT org_id FROM members")
        .fetch_all(&mut *tx)
        .await
        .unwrap();
    assert_eq!(orgs, [a.to_owned()]);
    let audit_orgs: Vec<String> = sqlx::query_scalar("SELECT DISTINCT org_id FROM audit_log")
        .fetch_all(&mut *tx)
        .await
        .unwrap();
    assert_eq!(audit_orgs, [a.to_owned()]);
    let member_of_a: String = sqlx::query_scalar("SELECT user_id FROM members LIMIT 1")
        .fetch_one(&mut *tx)
        .await
        .unwrap();
    let write = sqlx::query(
        "INSERT INTO members (org_id, user_id, role, joined_at) VALUES ($1, 'x', 'owner', 0)",
    )
    .bind(b)
    .execute(&mut *tx)
    .await;
    let err = write.expect_err("writing into B from A's transaction");
    assert!(err.to_string().contains("row-level security"), "{err}");
    tx.rollback().await.unwrap();

    // A pull (`sync_pull`, one statement) sets the organization for that statement alone.
    let pull = "SELECT tag, number, bytes \
                FROM sync_pull($1, $2, 0, 10, ARRAY[]::INTEGER[], ARRAY[]::INTEGER[])";
    let rows: Vec<(i32, i64, Vec<u8>)> = sqlx::query_as(pull)
        .bind(a)
        .bind(&member_of_a)
        .fetch_all(&mut conn)
        .await
        .unwrap();
    assert!(rows.iter().any(|(tag, _, _)| *tag == 2), "a member's pull");
    let after_pull: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM members")
        .fetch_one(&mut conn)
        .await
        .unwrap();
    assert_eq!(
        after_pull, 0,
        "the pull's organization ended with its statement"
    );
    let into_b: Vec<(i32, i64, Vec<u8>)> = sqlx::query_as(pull)
        .bind(b)
        .bind(&member_of_a)
        .fetch_all(&mut conn)
        .await
        .unwrap();
    assert!(into_b.is_empty(), "not a member of B: nothing read");
}

async fn names_and_roles_are_validated(backend: Backend) {
    let storage = Storage::new(backend).await;
    let server = Server::start(&storage).await;
    let olga = person(&server, &storage, "olga").await;
    for name in ["", "   ", &"x".repeat(101), "tab\there"] {
        let (status, body) = call(
            &server,
            &olga,
            Method::POST,
            "/api/v1/orgs",
            Some(json!({ "name": name })),
        )
        .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{name:?}: {body}");
    }
    let org = create_org(&server, &olga.token, "  Acme  ").await;
    let (_, shown) = call(
        &server,
        &olga,
        Method::GET,
        &format!("/api/v1/orgs/{org}"),
        None,
    )
    .await;
    assert_eq!(shown["name"], "Acme");
    let (status, body) = call(
        &server,
        &olga,
        Method::POST,
        &format!("/api/v1/orgs/{org}/invitations"),
        Some(json!({ "email": "x@example.org", "role": "emperor" })),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    let (status, _) = server.call(Method::GET, "/api/v1/orgs", None, None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (status, _) = call(&server, &olga, Method::GET, "/api/v1/orgs/not-an-id", None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    server.stop().await;
}
both!(names_and_roles_are_validated);

/// The actions of ROLES.md the server decides through its own calls rather than through records,
/// for each of the four roles, each in an organization of its own (Olga owns it; Tom is a Member
/// with an API token of his). Expectations come from the one table (`grant`); a refusal is a 403,
/// or for someone else's token a 404 (a role that may not manage tokens does not see them).
async fn every_management_call_for_every_role(backend: Backend) {
    use stint_domain::Role;
    use stint_domain::role::{Action, Scope, grant};

    let storage = Storage::new(backend).await;
    let server = Server::start(&storage).await;
    let olga = person(&server, &storage, "olga").await;
    let tom = person(&server, &storage, "tom").await;
    let mut cells = 0;
    for (name, role) in [
        ("olga", Role::Owner),
        ("adam", Role::Admin),
        ("mia", Role::Member),
        ("vic", Role::Viewer),
    ] {
        let org = create_org(&server, &olga.token, &format!("Org of {name}")).await;
        let who = if role == Role::Owner {
            person(&server, &storage, "olga2").await
        } else {
            person(&server, &storage, name).await
        };
        // The Owner's row is probed with a second Owner, so that Olga stays to tidy up.
        let role_name = if role == Role::Owner {
            "admin"
        } else {
            &role.to_string().to_lowercase()
        };
        join(
            &server,
            &storage,
            &olga.token,
            &org,
            &who.email,
            &who.token,
            role_name,
        )
        .await;
        if role == Role::Owner {
            let (status, body) = call(
                &server,
                &olga,
                Method::PATCH,
                &format!("/api/v1/orgs/{org}/members/{}", who.id),
                Some(json!({ "role": "owner" })),
            )
            .await;
            assert_eq!(status, StatusCode::OK, "{body}");
        }
        join(
            &server,
            &storage,
            &olga.token,
            &org,
            &tom.email,
            &tom.token,
            "member",
        )
        .await;
        let (status, toms) = call(
            &server,
            &tom,
            Method::POST,
            &format!("/api/v1/orgs/{org}/tokens"),
            Some(json!({ "name": "tom's script" })),
        )
        .await;
        assert_eq!(status, StatusCode::CREATED, "{toms}");
        let toms_token = toms["info"]["id"].as_str().unwrap().to_owned();

        let may = |action: Action| grant(role, action) != Scope::None;
        let mut check = |action: Action, status: StatusCode, body: &Value| {
            let refused = [StatusCode::FORBIDDEN, StatusCode::NOT_FOUND];
            if may(action) {
                assert!(status.is_success(), "{role} {action:?}: {status} {body}");
            } else {
                assert!(
                    refused.contains(&status),
                    "{role} {action:?}: {status} {body}"
                );
            }
            cells += 1;
        };
        let path = |tail: &str| format!("/api/v1/orgs/{org}{tail}");

        let (status, body) = call(&server, &who, Method::GET, &path("/members"), None).await;
        check(Action::ListMembers, status, &body);
        let (status, body) = call(
            &server,
            &who,
            Method::POST,
            &path("/invitations"),
            Some(json!({ "email": format!("viewer-{name}@example.org"), "role": "viewer" })),
        )
        .await;
        check(Action::ManageMembersAndViewers, status, &body);
        let (status, body) = call(
            &server,
            &who,
            Method::POST,
            &path("/invitations"),
            Some(json!({ "email": format!("admin-{name}@example.org"), "role": "admin" })),
        )
        .await;
        check(Action::ManageAdminsAndOwners, status, &body);
        let (status, body) = call(&server, &who, Method::GET, &path("/audit"), None).await;
        check(Action::ReadAuditLog, status, &body);
        let (status, body) = call(
            &server,
            &who,
            Method::POST,
            &path("/tokens"),
            Some(json!({ "name": "mine", "read_only": true })),
        )
        .await;
        check(Action::CreateOwnApiToken, status, &body);
        // Someone else's token: listed and revoked only by those who manage tokens.
        let (status, listed) = call(&server, &who, Method::GET, &path("/tokens"), None).await;
        assert_eq!(status, StatusCode::OK, "{listed}");
        let sees_toms = listed
            .as_array()
            .unwrap()
            .iter()
            .any(|t| t["id"] == toms_token.as_str());
        assert_eq!(sees_toms, may(Action::ManageApiTokens), "{role}: {listed}");
        let (status, body) = call(
            &server,
            &who,
            Method::DELETE,
            &path(&format!("/tokens/{toms_token}")),
            None,
        )
        .await;
        check(Action::ManageApiTokens, status, &body);
        let (status, body) = call(
            &server,
            &who,
            Method::POST,
            &path("/invoice-numbers"),
            Some(json!({
                "series": hex::encode([1u8; 32]),
                "invoice": ulid::Ulid::from_bytes([9; 16]).to_string(),
                "after": 0,
            })),
        )
        .await;
        check(Action::FinalizeInvoice, status, &body);
        let (status, body) = call(
            &server,
            &who,
            Method::POST,
            &path("/transfer"),
            Some(json!({ "to": tom.id })),
        )
        .await;
        check(Action::TransferOwnership, status, &body);
        if status.is_success() {
            // Tom hands it back, so that the Owner's row goes on with an Owner.
            let (status, body) = call(
                &server,
                &tom,
                Method::POST,
                &path("/transfer"),
                Some(json!({ "to": who.id })),
            )
            .await;
            assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
        }
        let (status, body) = call(&server, &who, Method::DELETE, &path(""), None).await;
        check(Action::DeleteOrganization, status, &body);
        let (status, _) = call(&server, &olga, Method::GET, &path(""), None).await;
        assert_eq!(
            status == StatusCode::NOT_FOUND,
            may(Action::DeleteOrganization),
            "{role}: the organization is gone only if the role may delete it"
        );
    }
    // Nine actions for each of the four roles.
    assert_eq!(cells, 9 * 4);
    server.stop().await;
}
both!(every_management_call_for_every_role);
