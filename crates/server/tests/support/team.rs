//! People working in one team: each with an account, a device of their own and a session, Ada
//! owning "Acme" and inviting the others.

use stint_domain::{OrgId, Role};
use stint_engine::Engine;
use stint_engine::sync::SyncReport;
use stint_sync::HttpTransport;

use super::devices::{acme_website, device, set_up};
use super::{Server, Storage, invitation_token, sign_in, verified_account};

const PASSWORD: &str = "a long and private passphrase";

/// A person with an account, one device (a fresh vault) and a session on it.
pub struct Person {
    pub engine: Engine,
    pub t: HttpTransport,
    pub session: String,
    pub email: String,
    pub _dir: tempfile::TempDir,
}

pub async fn person(server: &Server, storage: &Storage, email: &str) -> Person {
    verified_account(server, storage, email, PASSWORD).await;
    let session = sign_in(server, email, PASSWORD, "laptop").await;
    let dir = tempfile::tempdir().unwrap();
    let engine = device(dir.path(), &stint_engine::MemoryKeyStore::default()).await;
    Person {
        t: HttpTransport::new(&server.base, &session).unwrap(),
        engine,
        session,
        email: email.to_owned(),
        _dir: dir,
    }
}

impl Person {
    pub fn dir(&self) -> &std::path::Path {
        self._dir.path()
    }
}

/// Ada, with sync set up on her device and the organization "Acme" (client Globex, project
/// Website), not yet published.
pub async fn ada_with_acme(
    server: &Server,
    storage: &Storage,
) -> (Person, OrgId, stint_domain::ProjectId) {
    let mut ada = person(server, storage, "ada@example.org").await;
    set_up(&mut ada.engine, &ada.t).await;
    let (org, project) = acme_website(&mut ada.engine).await;
    (ada, org, project)
}

/// [`ada_with_acme`], with a bill rate of 95 an hour on Website from 2020 on (not yet published).
pub async fn ada_with_rated_acme(
    server: &Server,
    storage: &Storage,
) -> (Person, OrgId, stint_domain::ProjectId) {
    let (mut ada, org, project) = ada_with_acme(server, storage).await;
    let by = ada.engine.act_as_user(org).unwrap();
    ada.engine
        .set_rate(
            &by,
            stint_engine::NewRate {
                scope: stint_domain::RateScope::Project { project },
                effective_from: jiff::civil::date(2020, 1, 1),
                hourly: "95".into(),
                currency: None,
            },
        )
        .await
        .unwrap();
    (ada, org, project)
}

/// `email` invited by Ada into `org` with `role`, set up on their own device and joined: pending,
/// with the fingerprint they read out.
pub async fn invited(
    server: &Server,
    storage: &Storage,
    ada: &Person,
    org: OrgId,
    email: &str,
    role: Role,
) -> (Person, String) {
    let mut p = person(server, storage, email).await;
    ada.t.invite(org, email, role).await.unwrap();
    set_up(&mut p.engine, &p.t).await;
    let joined = p
        .engine
        .join_org(&p.t, &invitation_token(storage, email))
        .await
        .unwrap();
    assert!(joined.pending, "{joined:?}");
    assert_eq!((joined.org, joined.role), (org, role));
    (p, joined.fingerprint)
}

pub fn report(reports: &[(OrgId, SyncReport)], org: OrgId) -> SyncReport {
    reports
        .iter()
        .find(|(o, _)| *o == org)
        .map(|(_, r)| r.clone())
        .unwrap_or_default()
}

/// The compartments of `org` whose keys the vault at `dir` holds.
pub async fn held_compartments(dir: &std::path::Path, org: OrgId) -> Vec<i64> {
    let url = format!("sqlite://{}", dir.join("vault.sqlite").display());
    let pool = sqlx::SqlitePool::connect(&url).await.unwrap();
    let rows: Vec<i64> =
        sqlx::query_scalar("SELECT DISTINCT compartment FROM org_keys WHERE org = ? ORDER BY 1")
            .bind(org.to_bytes().as_slice())
            .fetch_all(&pool)
            .await
            .unwrap();
    pool.close().await;
    rows
}

/// Publishes `org` from Ada's device and pushes it.
pub async fn publish(ada: &mut Person, org: OrgId) {
    ada.engine.publish(&ada.t, org).await.unwrap();
    ada.engine.sync(&ada.t).await.unwrap();
}

/// [`confirmed`], then Ada's device synced and theirs: the newcomer holds what their role reads.
pub async fn confirmed_and_synced(
    server: &Server,
    storage: &Storage,
    ada: &mut Person,
    org: OrgId,
    email: &str,
    role: Role,
) -> Person {
    let mut p = confirmed(server, storage, ada, org, email, role).await;
    ada.engine.sync(&ada.t).await.unwrap();
    p.engine.sync(&p.t).await.unwrap();
    p
}

/// `email` invited by Ada into the published `org` with `role`, joined from their own device and
/// confirmed by Ada with the digits they read out (not yet synced).
pub async fn confirmed(
    server: &Server,
    storage: &Storage,
    ada: &mut Person,
    org: OrgId,
    email: &str,
    role: Role,
) -> Person {
    let (p, digits) = invited(server, storage, ada, org, email, role).await;
    let by = ada.engine.act_as_user(org).unwrap();
    ada.engine
        .confirm_member(&ada.t, &by, email, &digits)
        .await
        .unwrap();
    p
}

/// `envelope` pushed by `p`'s session as a client of its own would: the answer (its JSON error, or
/// null when taken: the reply is binary then).
pub async fn push_raw(
    server: &Server,
    p: &Person,
    org: OrgId,
    envelope: Vec<u8>,
) -> (reqwest::StatusCode, serde_json::Value) {
    let response = server
        .http
        .post(format!("{}/api/v1/orgs/{org}/sync/push", server.base))
        .bearer_auth(&p.session)
        .header("content-type", stint_protocol::sync::SYNC_MEDIA_TYPE)
        .body(stint_protocol::sync::encode_push(&[envelope]))
        .send()
        .await
        .unwrap();
    if response.status().is_success() {
        return (response.status(), serde_json::Value::Null);
    }
    super::read(response).await
}

/// Ada's "Acme", published, with Mia and Vic confirmed by fingerprint as `mia` and `vic` and every
/// device synced: Ada, the organization, its project, Mia, Vic.
pub async fn acme_with_mia_and_vic(
    server: &Server,
    storage: &Storage,
    mia: Role,
    vic: Role,
) -> (Person, OrgId, stint_domain::ProjectId, Person, Person) {
    let (mut ada, org, project) = ada_with_acme(server, storage).await;
    publish(&mut ada, org).await;
    let mia = confirmed_and_synced(server, storage, &mut ada, org, "mia@example.org", mia).await;
    let vic = confirmed_and_synced(server, storage, &mut ada, org, "vic@example.org", vic).await;
    (ada, org, project, mia, vic)
}
