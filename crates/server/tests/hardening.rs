//! The holes an attacker found in accounts and sign-in (issue 13), each closed and kept closed: real
//! HTTP against a real server, on SQLite and on PostgreSQL.

mod support;

use reqwest::StatusCode;
use serde_json::json;
use support::{Backend, Server, Storage};

const VICTIM: &str = "a long and private passphrase";
const ATTACKER: &str = "the attacker's own passphrase";

async fn password_sign_in(server: &Server, email: &str, password: &str) -> StatusCode {
    server
        .post(
            "/api/v1/sessions",
            json!({ "email": email, "password": password, "device": "laptop" }),
        )
        .await
        .0
}

/// Pre-hijacking: whoever signs up first with someone else's address must not own the account
/// that the address's owner then confirms.
async fn whoever_confirms_the_address_owns_the_only_password(backend: Backend) {
    let storage = Storage::new(backend).await;
    let server = Server::start(&storage).await;
    let email = "jane@example.org";
    for password in [ATTACKER, VICTIM] {
        let (status, body) = server
            .post(
                "/api/v1/accounts",
                json!({ "email": email, "password": password }),
            )
            .await;
        assert_eq!(status, StatusCode::ACCEPTED, "{body}");
    }
    let tokens: Vec<String> = support::emails(&storage.outbox(), email)
        .iter()
        .filter_map(|mail| {
            let at = mail.find("ste_")?;
            Some(mail[at..at + 68].to_owned())
        })
        .collect();
    let [first, last] = tokens.as_slice() else {
        panic!("two confirmation emails: {tokens:?}")
    };
    let verify = |token: &str, password: &str| {
        server.post(
            "/api/v1/accounts/verify",
            json!({ "token": token, "password": password }),
        )
    };
    // The owner, opening the stranger's link with their own password, confirms nothing; nor does
    // the stranger's password confirm the owner's sign-up.
    let (status, body) = verify(first, VICTIM).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
    let (status, body) = verify(last, ATTACKER).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
    let (status, body) = verify(last, VICTIM).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    // Confirming ends every other pending sign-up for the address.
    let (status, body) = verify(first, ATTACKER).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert_eq!(body["error"]["code"], "invalid_token");

    assert_eq!(
        password_sign_in(&server, email, ATTACKER).await,
        StatusCode::UNAUTHORIZED,
        "the first sign-up's password must not open the confirmed account"
    );
    assert_eq!(
        password_sign_in(&server, email, VICTIM).await,
        StatusCode::OK
    );
}
both!(whoever_confirms_the_address_owns_the_only_password);

/// A leaked password alone signs nothing in: without a second factor, every password sign-in (a
/// script without `Origin`, the browser page, the CLI) waits for a code emailed to the account.
async fn a_password_alone_never_mints_a_session(backend: Backend) {
    let storage = Storage::new(backend).await;
    let server = Server::start(&storage).await;
    let email = "sam@example.org";
    support::verified_account(&server, &storage, email, VICTIM).await;
    let before = support::emails_to(&storage.outbox(), email);

    // A script (no Origin header) and the browser page (this server's Origin) alike.
    for origin in [None, Some(server.public.clone())] {
        let mut request = server
            .http
            .post(format!("{}/api/v1/sessions", server.base))
            .json(&json!({ "email": email, "password": VICTIM, "device": "script" }));
        if let Some(origin) = &origin {
            request = request.header("origin", origin.as_str());
        }
        let response = request.send().await.unwrap();
        let status = response.status();
        let body: serde_json::Value = response.json().await.unwrap();
        assert!(status.is_success(), "{origin:?}: {status} {body}");
        assert!(
            body.get("token").is_none(),
            "{origin:?}: a session for a password alone: {body}"
        );
        assert_eq!(body["status"], "email_code", "{body}");
    }
    assert_eq!(
        support::emails_to(&storage.outbox(), email),
        before + 2,
        "the owner hears of each attempt"
    );
    // The emailed code finishes the sign-in.
    let session = support::sign_in(&server, email, VICTIM, "laptop").await;
    let (status, account) = server.get("/api/v1/account", &session).await;
    assert_eq!(status, StatusCode::OK, "{account}");
}
both!(a_password_alone_never_mints_a_session);

/// A role change or removal applies only to the role it was decided on: two Admins acting at once
/// on a stale view (one demoting to Member, the other "demoting" an Admin they still see as Member
/// to Viewer) cannot combine into a change neither meant.
async fn membership_changes_apply_only_to_the_role_they_read(backend: Backend) {
    use stint_domain::Role;
    use stint_server::store::StoreError;
    let storage = Storage::new(backend).await;
    let server = Server::start(&storage).await;
    support::verified_account(&server, &storage, "olga@example.org", VICTIM).await;
    support::verified_account(&server, &storage, "adam@example.org", VICTIM).await;
    let owner = support::sign_in(&server, "olga@example.org", VICTIM, "laptop").await;
    let admin = support::sign_in(&server, "adam@example.org", VICTIM, "laptop").await;
    let org = support::create_org(&server, &owner, "A").await;
    support::join(
        &server,
        &storage,
        &owner,
        &org,
        "adam@example.org",
        &admin,
        "admin",
    )
    .await;
    let (_, account) = server.get("/api/v1/account", &admin).await;
    let adam: ulid::Ulid = account["id"].as_str().unwrap().parse().unwrap();
    let org: ulid::Ulid = org.parse().unwrap();

    // The same database through a second instance, as another request would reach it.
    let state = stint_server::open(storage.config()).await.unwrap();
    let stale = state
        .store
        .set_role(org, adam, Role::Member, Role::Viewer)
        .await;
    assert!(matches!(stale, Err(StoreError::Changed(_))), "{stale:?}");
    let stale = state.store.remove_member(org, adam, Role::Viewer, 0).await;
    assert!(matches!(stale, Err(StoreError::Changed(_))), "{stale:?}");
    let member = state.store.member(org, adam).await.unwrap().unwrap();
    assert_eq!(member.role, Role::Admin, "untouched");
    state
        .store
        .set_role(org, adam, Role::Admin, Role::Member)
        .await
        .unwrap();
    assert_eq!(
        state.store.member(org, adam).await.unwrap().unwrap().role,
        Role::Member
    );
    server.stop().await;
}
both!(membership_changes_apply_only_to_the_role_they_read);

/// One account cannot fill the server with organizations (each a database file on SQLite): past
/// the cap, and past the creation rate, it gets 429, and the server stays up for everyone.
async fn organizations_per_account_are_capped_and_rate_limited(backend: Backend) {
    let storage = Storage::new(backend).await;
    let server = Server::start_with(&storage, |c| {
        c.limits.orgs_per_account = 3;
        c.limits.org_creations_per_window = 4;
    })
    .await;
    support::verified_account(&server, &storage, "olga@example.org", VICTIM).await;
    let owner = support::sign_in(&server, "olga@example.org", VICTIM, "laptop").await;
    let create = |name: &'static str| {
        server.call(
            reqwest::Method::POST,
            "/api/v1/orgs",
            Some(&owner),
            Some(json!({ "name": name })),
        )
    };
    let mut made = Vec::new();
    for name in ["A", "B", "C"] {
        let (status, org) = create(name).await;
        assert_eq!(status, StatusCode::CREATED, "{org}");
        made.push(org["id"].as_str().unwrap().to_owned());
    }
    let (status, body) = create("D").await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{body}");
    assert_eq!(body["error"]["code"], "organization_limit");
    let (status, health) = server
        .call(reqwest::Method::GET, "/healthz", None, None)
        .await;
    assert_eq!(status, StatusCode::OK, "{health}");

    // Deleting one makes room; the fifth creation in the window is over the rate.
    let (status, _) = server
        .call(
            reqwest::Method::DELETE,
            &format!("/api/v1/orgs/{}", made[0]),
            Some(&owner),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, body) = create("D").await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let (status, _) = server
        .call(
            reqwest::Method::DELETE,
            &format!("/api/v1/orgs/{}", made[1]),
            Some(&owner),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, body) = create("E").await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{body}");
    assert_eq!(body["error"]["code"], "rate_limited");
    let (status, orgs) = server.get("/api/v1/orgs", &owner).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(orgs.as_array().unwrap().len(), 2, "{orgs}");
    server.stop().await;
}
both!(organizations_per_account_are_capped_and_rate_limited);

/// Behind a trusted proxy, limits count the client it forwarded for; an IPv6 /64 counts as one;
/// and failures lock the account out only for the network they came from, never for its owner
/// elsewhere.
async fn limits_count_the_real_client_and_lock_out_only_its_network(backend: Backend) {
    let storage = Storage::new(backend).await;
    let server = Server::start_with(&storage, |c| {
        c.trusted_proxies = vec!["127.0.0.1/32".parse().unwrap()];
        c.limits.auth_per_ip = 6;
    })
    .await;
    let email = "lou@example.org";
    support::verified_account(&server, &storage, email, VICTIM).await;
    let sign_in_from = |client: &str, password: &str| {
        let request = server
            .http
            .post(format!("{}/api/v1/sessions", server.base))
            .header("x-forwarded-for", format!("198.51.100.200, {client}"))
            .json(&json!({ "email": email, "password": password, "device": "x" }));
        async move { support::read(request.send().await.unwrap()).await }
    };
    // Five wrong passwords from five addresses of one /64 lock that network out...
    for i in 1..=5 {
        let (status, body) =
            sign_in_from(&format!("2001:db8:1:2::{i}"), "a wrong guess here").await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
    }
    let (status, body) = sign_in_from("2001:db8:1:2::99", VICTIM).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{body}");
    assert_eq!(body["error"]["code"], "account_locked");
    // ...and count against its one limit: the seventh request from it is over the rate.
    let (status, body) = sign_in_from("2001:db8:1:2::100", VICTIM).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{body}");
    assert_eq!(body["error"]["code"], "rate_limited");
    // The owner, elsewhere, signs in as ever (the address the client wrote first is not believed).
    let (status, body) = sign_in_from("203.0.113.7", VICTIM).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["status"], "email_code");
    server.stop().await;
}
both!(limits_count_the_real_client_and_lock_out_only_its_network);

fn mode(path: &std::path::Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .permissions()
        .mode()
        & 0o777
}

/// What the server keeps on disk is its own user's alone: directories 0700, files 0600 (the
/// databases with their WAL, each organization's file, the outbox, backups).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_servers_files_are_readable_by_its_user_alone() {
    let storage = Storage::new(Backend::Sqlite).await;
    let server = Server::start(&storage).await;
    support::verified_account(&server, &storage, "olga@example.org", VICTIM).await;
    let owner = support::sign_in(&server, "olga@example.org", VICTIM, "laptop").await;
    let org = support::create_org(&server, &owner, "A").await;
    let root = storage.dir.path().join("backups");
    let taken = stint_server::backup::backup(&storage.config(), &root)
        .await
        .unwrap();
    server.stop().await;

    let data = storage.dir.path().join("data");
    let mut checked = 0;
    let mut check = |dir: &std::path::Path| {
        assert_eq!(mode(dir), 0o700, "{}", dir.display());
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            let expect = if path.is_dir() { 0o700 } else { 0o600 };
            assert_eq!(mode(&path), expect, "{}", path.display());
            checked += 1;
        }
    };
    for dir in [
        data.clone(),
        data.join("orgs"),
        storage.outbox(),
        root.clone(),
        taken.clone(),
        taken.join("orgs"),
    ] {
        check(&dir);
    }
    assert!(data.join("orgs").join(format!("{org}.db")).exists());
    assert!(checked >= 8, "only {checked} files seen");
}

/// On PostgreSQL the server refuses a role for which row-level security holds nothing (a superuser
/// or BYPASSRLS), unless told to.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_server_refuses_a_superuser_on_postgresql() {
    let storage = Storage::new(Backend::Postgres).await;
    // The ordinary role of the other tests starts as ever (and makes the schema, which it owns).
    stint_server::open(storage.config()).await.unwrap();
    let mut config = storage.config();
    config.database_url = Some(storage.admin_url());
    let refused = stint_server::open(config.clone()).await.err().unwrap();
    assert!(refused.to_string().contains("superuser"), "{refused:#}");
    config.allow_privileged_database_role = true;
    stint_server::open(config).await.unwrap();
}

/// Recovery codes kept as plain SHA-256 digests by an older server are tagged at the next start,
/// and still work.
async fn recovery_codes_from_an_older_server_are_keyed_at_start_and_still_work(backend: Backend) {
    let storage = Storage::new(backend).await;
    let server = Server::start(&storage).await;
    let email = "tia@example.org";
    support::verified_account(&server, &storage, email, VICTIM).await;
    let session = support::sign_in(&server, email, VICTIM, "laptop").await;
    let (_, enrollment) = server
        .call(
            reqwest::Method::POST,
            "/api/v1/account/totp",
            Some(&session),
            None,
        )
        .await;
    let secret = totp_rs::Secret::try_from_base32(enrollment["secret"].as_str().unwrap()).unwrap();
    let totp = totp_rs::Builder::new()
        .with_secret(secret.as_bytes().to_vec())
        .build()
        .unwrap();
    let (status, recovery) = server
        .call(
            reqwest::Method::POST,
            "/api/v1/account/totp/confirm",
            Some(&session),
            Some(json!({ "code": totp.generate_current().to_string() })),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{recovery}");
    let codes: Vec<String> = recovery["codes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap().to_owned())
        .collect();
    let (_, account) = server.get("/api/v1/account", &session).await;
    let user = account["id"].as_str().unwrap().to_owned();
    server.stop().await;

    // As an older server kept them: the bare digest of each normalized code.
    let digests: Vec<String> = codes
        .iter()
        .map(|c| {
            let normalized = stint_server::secrets::normalize_recovery_code(c);
            hex::encode(stint_server::secrets::token_hash(&normalized))
        })
        .collect();
    let blob = |hex: &str| match backend {
        Backend::Sqlite => format!("X'{hex}'"),
        Backend::Postgres => format!("decode('{hex}', 'hex')"),
    };
    support::execute(
        &storage,
        format!("DELETE FROM recovery_codes WHERE user_id = '{user}'"),
    )
    .await;
    for digest in &digests {
        support::execute(
            &storage,
            format!(
                "INSERT INTO recovery_codes (user_id, code_hash, keyed) VALUES ('{user}', {}, 0)",
                blob(digest)
            ),
        )
        .await;
    }

    let server = Server::start(&storage).await;
    server.stop().await;
    let state = stint_server::open(storage.config()).await.unwrap();
    assert!(
        state
            .store
            .unkeyed_recovery_codes()
            .await
            .unwrap()
            .is_empty(),
        "every plain digest was tagged at start"
    );
    drop(state);
    let server = Server::start(&storage).await;
    let (status, step) = server
        .post(
            "/api/v1/sessions",
            json!({ "email": email, "password": VICTIM, "device": "desk" }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{step}");
    let (status, signed_in) = server
        .post(
            "/api/v1/sessions/second-factor",
            json!({ "challenge": step["challenge"], "recovery_code": codes[3] }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{signed_in}");
    assert_eq!(signed_in["status"], "signed_in");
    server.stop().await;
}
both!(recovery_codes_from_an_older_server_are_keyed_at_start_and_still_work);
