//! A real server on a loopback port, over real SQLite or PostgreSQL, and a real HTTP client.
//!
//! PostgreSQL comes from `STINT_TEST_DATABASE_URL` (an administrative connection; every test makes a
//! database of its own there). `scripts/with-postgres` starts a throwaway cluster and sets it; the
//! PostgreSQL tests fail, never skip, without it.

#![allow(dead_code)]

pub mod devices;
pub mod raw;
pub mod team;

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use reqwest::{Method, StatusCode};
use serde_json::Value;
use sqlx::Connection;
use stint_server::Config;
use tokio::sync::oneshot;

/// A fixed server key, so that two instances of one test share it as they would in production.
pub const KEY: &str = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// Where one test keeps its data: a temporary directory, and on PostgreSQL a fresh database.
pub struct Storage {
    pub backend: Backend,
    pub dir: tempfile::TempDir,
    pub database_url: Option<String>,
}

impl Storage {
    pub async fn new(backend: Backend) -> Storage {
        let dir = tempfile::tempdir().unwrap();
        let database_url = match backend {
            Backend::Sqlite => None,
            Backend::Postgres => Some(fresh_database().await),
        };
        Storage {
            backend,
            dir,
            database_url,
        }
    }

    pub fn config(&self) -> Config {
        Config {
            listen: ([127, 0, 0, 1], 0).into(),
            data_dir: self.dir.path().join("data"),
            database_url: self.database_url.clone(),
            server_key: Some(KEY.into()),
            outbox_dir: Some(self.outbox()),
            ..Config::default()
        }
    }

    /// A superuser connection to this test's PostgreSQL database (bypasses row-level security, as a
    /// backup or restore must).
    pub fn admin_url(&self) -> String {
        let admin = std::env::var("STINT_TEST_DATABASE_URL").unwrap();
        let db = self
            .database_url
            .as_deref()
            .unwrap()
            .rsplit_once('/')
            .unwrap()
            .1;
        format!("{}/{db}", admin.rsplit_once('/').unwrap().0)
    }

    pub fn outbox(&self) -> PathBuf {
        self.dir.path().join("outbox")
    }
}

async fn fresh_database() -> String {
    let admin = std::env::var("STINT_TEST_DATABASE_URL").expect(
        "STINT_TEST_DATABASE_URL is not set: run the server tests under scripts/with-postgres \
         (scripts/test does), which starts a throwaway PostgreSQL",
    );
    let name = format!(
        "stint_{}",
        ulid::Ulid::generate().to_string().to_lowercase()
    );
    let mut conn = sqlx::PgConnection::connect(&admin)
        .await
        .expect("connect to STINT_TEST_DATABASE_URL");
    // The server connects as an ordinary role, as it should in production: a superuser would
    // bypass row-level security.
    sqlx::query(
        "DO $$ BEGIN CREATE ROLE stint_app LOGIN; \
         EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $$",
    )
    .execute(&mut conn)
    .await
    .unwrap();
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "CREATE DATABASE {name} OWNER stint_app"
    )))
    .execute(&mut conn)
    .await
    .unwrap();
    conn.close().await.unwrap();
    let (scheme_user, rest) = admin.split_once('@').expect("user@host in the URL");
    let scheme = scheme_user
        .split_once("://")
        .map(|(s, _)| s)
        .unwrap_or("postgres");
    let host = rest.split_once('/').map(|(h, _)| h).unwrap_or(rest);
    format!("{scheme}://stint_app@{host}/{name}")
}

/// One running server.
pub struct Server {
    pub addr: SocketAddr,
    /// Where requests go (the loopback address).
    pub base: String,
    /// The server's public address (`http://localhost:<port>`): the WebAuthn origin, the links in
    /// emails, the Origin of its own pages.
    pub public: String,
    pub http: reqwest::Client,
    /// Where its emails go.
    pub outbox: PathBuf,
    /// The OpenAPI document it publishes: every answer [`Server::call`] sees is checked against it.
    api: Value,
    stop: Option<oneshot::Sender<()>>,
    task: Option<tokio::task::JoinHandle<()>>,
}

impl Server {
    pub async fn start(storage: &Storage) -> Server {
        Server::start_with(storage, |_| {}).await
    }

    pub async fn start_with(storage: &Storage, tweak: impl FnOnce(&mut Config)) -> Server {
        // reqwest is built without a TLS crypto provider of its own: ring, process-wide.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let mut config = storage.config();
        let listener = tokio::net::TcpListener::bind(config.listen).await.unwrap();
        let addr = listener.local_addr().unwrap();
        config.public_url = format!("http://localhost:{}", addr.port());
        tweak(&mut config);
        let outbox = config
            .outbox_dir
            .clone()
            .expect("tests keep email in an outbox");
        let state = stint_server::open(config).await.unwrap();
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(async move {
            stint_server::serve(listener, state, async {
                let _ = stopped.await;
            })
            .await
            .unwrap();
        });
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap();
        let api = http
            .get(format!("http://{addr}/openapi.json"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        Server {
            addr,
            base: format!("http://{addr}"),
            public: format!("http://localhost:{}", addr.port()),
            http,
            outbox,
            api,
            stop: Some(stop),
            task: Some(task),
        }
    }

    pub async fn stop(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(task) = self.task.take() {
            task.await.unwrap();
        }
    }

    /// A JSON request; the answer's status and JSON body (`Null` when empty). Asserts that errors
    /// are JSON in the agreed shape.
    pub async fn call(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> (StatusCode, Value) {
        let mut request = self
            .http
            .request(method.clone(), format!("{}{path}", self.base));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        if let Some(body) = &body {
            request = request.json(body);
        }
        let response = request.send().await.unwrap();
        let (status, answer) = read(response).await;
        self.check_documented(&method, path, body.as_ref(), status, &answer);
        (status, answer)
    }

    /// The published document says exactly what the server does: a success has its operation's
    /// documented status and body, an error is an `ErrorBody`, and a request the server accepted
    /// is one the document allows.
    fn check_documented(
        &self,
        method: &Method,
        path: &str,
        sent: Option<&Value>,
        status: StatusCode,
        answer: &Value,
    ) {
        let path = path.split('?').next().unwrap_or(path);
        let Some(op) = stint_server::meta::OPERATIONS
            .iter()
            .find(|op| op.method.eq_ignore_ascii_case(method.as_str()) && path_fits(op.path, path))
        else {
            return;
        };
        let what = format!("{method} {path} → {status}");
        if status.is_success() {
            assert_eq!(
                status.as_u16(),
                op.ok.0,
                "{what}: not the documented status"
            );
            if let Some(schema) = op.ok.1 {
                self.conforms(schema, answer, &format!("{what}: the answer"));
            }
            if let (Some(schema), Some(sent)) = (op.body, sent) {
                self.conforms(schema, sent, &format!("{what}: the accepted request"));
            }
        } else if !answer.is_null() {
            self.conforms("ErrorBody", answer, &what);
        }
    }

    /// Checks `value` against the document's schema `name` (`Name[]` for a list of them).
    pub fn conforms(&self, name: &str, value: &Value, what: &str) {
        let reference =
            |n: &str| serde_json::json!({ "$ref": format!("#/components/schemas/{n}") });
        let mut schema = match name.strip_suffix("[]") {
            Some(item) => serde_json::json!({ "type": "array", "items": reference(item) }),
            None => reference(name),
        };
        schema["components"] = self.api["components"].clone();
        let validator = jsonschema::draft202012::new(&schema)
            .unwrap_or_else(|e| panic!("the document's schema {name} does not compile: {e}"));
        let errors: Vec<String> = validator
            .iter_errors(value)
            .map(|e| format!("{} at {}", e, e.instance_path()))
            .collect();
        assert!(
            errors.is_empty(),
            "{what} does not match the documented {name}: {errors:?}\n{value}"
        );
    }

    pub async fn post(&self, path: &str, body: Value) -> (StatusCode, Value) {
        self.call(Method::POST, path, None, Some(body)).await
    }

    pub async fn get(&self, path: &str, token: &str) -> (StatusCode, Value) {
        self.call(Method::GET, path, Some(token), None).await
    }
}

/// Status and JSON body of a response, checking the error shape and the security headers.
pub async fn read(response: reqwest::Response) -> (StatusCode, Value) {
    let status = response.status();
    assert_security_headers(response.headers());
    let text = response.text().await.unwrap();
    let body = if text.is_empty() {
        Value::Null
    } else {
        serde_json::from_str(&text).unwrap_or_else(|_| panic!("not JSON ({status}): {text}"))
    };
    if status.is_client_error() || status.is_server_error() {
        assert!(
            body["error"]["code"].is_string() && body["error"]["message"].is_string(),
            "error without code and message: {body}"
        );
    }
    assert_ne!(status, StatusCode::INTERNAL_SERVER_ERROR, "{body}");
    (status, body)
}

pub fn assert_security_headers(headers: &reqwest::header::HeaderMap) {
    for (name, expect) in [
        ("strict-transport-security", "max-age="),
        ("content-security-policy", "frame-ancestors 'none'"),
        ("x-frame-options", "DENY"),
        ("x-content-type-options", "nosniff"),
        ("referrer-policy", "no-referrer"),
        ("permissions-policy", "camera=()"),
    ] {
        let value = headers
            .get(name)
            .unwrap_or_else(|| panic!("missing {name}"))
            .to_str()
            .unwrap();
        assert!(value.contains(expect), "{name}: {value}");
    }
}

/// Whether a concrete path fits a documented one (`{org}` and the like match one segment).
fn path_fits(template: &str, path: &str) -> bool {
    let (t, p): (Vec<&str>, Vec<&str>) = (template.split('/').collect(), path.split('/').collect());
    t.len() == p.len()
        && t.iter()
            .zip(&p)
            .all(|(t, p)| t == p || (t.starts_with('{') && t.ends_with('}') && !p.is_empty()))
}

/// Every finished email to `to` in the outbox, oldest first.
pub fn emails(outbox: &Path, to: &str) -> Vec<String> {
    let Ok(dir) = std::fs::read_dir(outbox) else {
        return Vec::new();
    };
    let mut mails: Vec<(PathBuf, String)> = dir
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "eml"))
        .map(|p| {
            let text = std::fs::read_to_string(&p).unwrap();
            (p, text)
        })
        .filter(|(_, text)| text.contains(&format!("To: {to}\r\n")))
        .collect();
    mails.sort();
    mails.into_iter().map(|(_, text)| text).collect()
}

/// The newest email to `to` in the outbox, and the `ste_` token in it, if any.
pub fn last_email(outbox: &Path, to: &str) -> Option<(String, Option<String>)> {
    let text = emails(outbox, to).pop()?;
    let token = text.find("ste_").map(|i| text[i..i + 4 + 64].to_owned());
    Some((text, token))
}

/// Waits (up to 10 s) until `to` has `count` finished emails, for mail the server sends off the
/// request path; the newest, as [`last_email`].
pub async fn email_arrives(outbox: &Path, to: &str, count: usize) -> (String, Option<String>) {
    for _ in 0..200 {
        if emails_to(outbox, to) >= count {
            return last_email(outbox, to).unwrap();
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("no email number {count} to {to} within 10 s");
}

pub fn emails_to(outbox: &Path, to: &str) -> usize {
    std::fs::read_dir(outbox)
        .map(|dir| {
            dir.filter_map(|e| e.ok())
                .map(|e| e.path())
                // Not the `.partial` file of an email still being written.
                .filter(|p| p.extension().is_some_and(|x| x == "eml"))
                .filter(|p| {
                    std::fs::read_to_string(p).is_ok_and(|t| t.contains(&format!("To: {to}\r\n")))
                })
                .count()
        })
        .unwrap_or(0)
}

/// Signs up and confirms the address; returns nothing, the account can sign in.
pub async fn verified_account(server: &Server, storage: &Storage, email: &str, password: &str) {
    let (status, _) = server
        .post(
            "/api/v1/accounts",
            serde_json::json!({ "email": email, "password": password }),
        )
        .await;
    assert_eq!(status, StatusCode::ACCEPTED);
    let (_, token) =
        last_email(&storage.outbox(), &email.to_lowercase()).expect("a verification email");
    let (status, body) = server
        .post(
            "/api/v1/accounts/verify",
            serde_json::json!({ "token": token.unwrap(), "password": password }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
}

/// Signs in with a password and the code the server then emails (no second factor expected); the
/// session token.
pub async fn sign_in(server: &Server, email: &str, password: &str, device: &str) -> String {
    let (status, body) = server
        .post(
            "/api/v1/sessions",
            serde_json::json!({ "email": email, "password": password, "device": device }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["status"], "email_code", "{body}");
    let (status, body) = server
        .post(
            "/api/v1/sessions/email-code",
            serde_json::json!({
                "challenge": body["challenge"],
                "email_code": emailed_code(&server.outbox, &email.to_lowercase()),
            }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body["token"].as_str().unwrap().to_owned()
}

/// The eight-digit sign-in code of the newest email to `to` ("1234 5678" in the text).
pub fn emailed_code(outbox: &Path, to: &str) -> String {
    let (mail, _) = last_email(outbox, to).expect("a sign-in code email");
    mail.lines()
        .map(str::trim)
        .find(|l| l.len() == 9 && l.chars().filter(char::is_ascii_digit).count() == 8)
        .unwrap_or_else(|| panic!("no code in {mail}"))
        .replace(' ', "")
}

/// The members, keys and invoice-number methods of `stint_engine::sync::Transport`, passed on unchanged to
/// `self.inner`: for the test transports that change only other answers.
#[macro_export]
macro_rules! members_passed_on {
    () => {
        async fn put_keys(&self, org: OrgId, deliveries: &[Vec<u8>]) -> Result<(), String> {
            self.inner.put_keys(org, deliveries).await
        }
        async fn keys(&self, org: OrgId) -> Result<Vec<Vec<u8>>, String> {
            self.inner.keys(org).await
        }
        async fn directory(
            &self,
            org: OrgId,
        ) -> Result<Vec<stint_engine::sync::DirectoryMember>, String> {
            self.inner.directory(org).await
        }
        async fn accept_invitation(
            &self,
            token: &str,
        ) -> Result<(OrgId, stint_domain::Role, bool), String> {
            self.inner.accept_invitation(token).await
        }
        async fn pending_members(
            &self,
            org: OrgId,
        ) -> Result<Vec<stint_engine::sync::PendingMember>, String> {
            self.inner.pending_members(org).await
        }
        async fn membership(&self, org: OrgId, after: u32) -> Result<Vec<Vec<u8>>, String> {
            self.inner.membership(org, after).await
        }
        async fn append_membership(
            &self,
            org: OrgId,
            after: u32,
            entries: &[Vec<u8>],
            deliveries: &[Vec<u8>],
        ) -> Result<(), String> {
            self.inner
                .append_membership(org, after, entries, deliveries)
                .await
        }
        async fn invoice_number(
            &self,
            org: OrgId,
            series: [u8; 32],
            invoice: stint_domain::InvoiceId,
            after: u64,
        ) -> Result<u64, String> {
            self.inner.invoice_number(org, series, invoice, after).await
        }
    };
}

/// Runs one story against both backends: `name::sqlite` and `name::postgres`.
#[macro_export]
macro_rules! both {
    ($name:ident) => {
        mod $name {
            use super::*;
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                super::$name(support::Backend::Sqlite).await
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                super::$name(support::Backend::Postgres).await
            }
        }
    };
}

/// Creates an organization owned by the holder of `owner` (a session token); its id.
pub async fn create_org(server: &Server, owner: &str, name: &str) -> String {
    let (status, org) = server
        .call(
            Method::POST,
            "/api/v1/orgs",
            Some(owner),
            Some(serde_json::json!({ "name": name })),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{org}");
    assert_eq!(org["role"], "owner");
    org["id"].as_str().unwrap().to_owned()
}

/// The `sti_` token of the newest invitation emailed to `email`.
pub fn invitation_token(storage: &Storage, email: &str) -> String {
    let (mail, _) = last_email(&storage.outbox(), email).expect("an invitation email");
    let start = mail.find("sti_").expect("a token in the invitation");
    mail[start..].split_whitespace().next().unwrap().to_owned()
}

/// `inviter` invites `email` into `org` with `role`, and `member` (that address's session) accepts:
/// a member once the inviter confirmed them ([`confirm`], in an organization without keys).
pub async fn join(
    server: &Server,
    storage: &Storage,
    inviter: &str,
    org: &str,
    email: &str,
    member: &str,
    role: &str,
) {
    accepted(server, storage, inviter, org, email, member, role).await;
    confirm(server, inviter, org, member).await;
}

/// `inviter` invites `email` into `org` with `role`, and `member` (that address's session)
/// accepts: pending until confirmed.
pub async fn accepted(
    server: &Server,
    storage: &Storage,
    inviter: &str,
    org: &str,
    email: &str,
    member: &str,
    role: &str,
) {
    let (status, invitation) = server
        .call(
            Method::POST,
            &format!("/api/v1/orgs/{org}/invitations"),
            Some(inviter),
            Some(serde_json::json!({ "email": email, "role": role })),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{invitation}");
    let token = invitation_token(storage, email);
    let (status, joined) = server
        .call(
            Method::POST,
            "/api/v1/invitations/accept",
            Some(member),
            Some(serde_json::json!({ "token": token })),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{joined}");
    assert_eq!(joined["role"], role);
    assert_eq!(joined["pending"], true, "{joined}");
}

/// The inviter confirms the pending member who signed in with `member`'s session, in an
/// organization without keys (so nothing is handed over).
pub async fn confirm(server: &Server, inviter: &str, org: &str, member: &str) {
    let (_, account) = server
        .call(Method::GET, "/api/v1/account", Some(member), None)
        .await;
    let (status, confirmed) = server
        .call(
            Method::POST,
            &format!(
                "/api/v1/orgs/{org}/members/{}/confirm",
                account["id"].as_str().unwrap()
            ),
            Some(inviter),
            Some(serde_json::json!({ "deliveries": [] })),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{confirmed}");
}

/// Runs one statement (no parameters) on the test's database, beside the server (to write data as
/// an older server did, or to age what a test needs old).
pub async fn execute(storage: &Storage, sql: String) {
    use sqlx::Connection;
    match storage.backend {
        Backend::Sqlite => {
            execute_in_file(&storage.dir.path().join("data").join("server.db"), sql).await
        }
        Backend::Postgres => {
            let mut conn = sqlx::PgConnection::connect(&storage.admin_url())
                .await
                .unwrap();
            sqlx::query(sqlx::AssertSqlSafe(sql))
                .execute(&mut conn)
                .await
                .unwrap();
        }
    }
}

/// Runs one statement on the database holding `org`'s records: its own file on SQLite, the one
/// database on PostgreSQL (as its administrator, past row-level security).
pub async fn execute_in_org(storage: &Storage, org: &str, sql: String) {
    match storage.backend {
        Backend::Sqlite => {
            let orgs = storage.dir.path().join("data").join("orgs");
            execute_in_file(&orgs.join(format!("{org}.db")), sql).await
        }
        Backend::Postgres => execute(storage, sql).await,
    }
}

/// Runs one statement on the SQLite database in `path`.
async fn execute_in_file(path: &Path, sql: String) {
    let mut conn = sqlx::SqliteConnection::connect(&format!("sqlite://{}", path.display()))
        .await
        .unwrap();
    sqlx::query(sqlx::AssertSqlSafe(sql))
        .execute(&mut conn)
        .await
        .unwrap();
}

/// The bytes of every `\x…` hex run in `text` (how PostgreSQL writes `bytea` as text), each
/// followed by a newline so that no match spans two values.
fn bytea_runs(text: &str) -> Vec<u8> {
    let b = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i + 1 < b.len() {
        if b[i] == b'\\' && b[i + 1] == b'x' {
            let start = i + 2;
            let mut end = start;
            while end < b.len() && b[end].is_ascii_hexdigit() {
                end += 1;
            }
            let even = start + (end - start) / 2 * 2;
            out.extend(hex::decode(&text[start..even]).unwrap_or_default());
            out.push(b'\n');
            i = end;
        } else {
            i += 1;
        }
    }
    out
}

/// Every byte the backend keeps: every file under the data directory (the server database, each
/// organization's file, their WALs; the server key aside), or every row of every table of the
/// PostgreSQL database as text and every `bytea` in it as bytes, read as a superuser so that
/// row-level security hides nothing.
pub async fn everything_stored(storage: &Storage) -> Vec<u8> {
    fn files(dir: &Path, all: &mut Vec<u8>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                files(&path, all);
            } else if path.file_name().unwrap() != "server.key" {
                // SQLite removes a `-journal` or `-wal` file between the listing and the read when
                // a transaction or checkpoint ends: a file that is gone holds nothing any more.
                match std::fs::read(&path) {
                    Ok(bytes) => all.extend(bytes),
                    Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                    Err(e) => panic!("reading {}: {e}", path.display()),
                }
            }
        }
    }
    match storage.backend {
        Backend::Sqlite => {
            let mut all = Vec::new();
            files(&storage.dir.path().join("data"), &mut all);
            all
        }
        Backend::Postgres => {
            use sqlx::Connection;
            let mut conn = sqlx::PgConnection::connect(&storage.admin_url())
                .await
                .unwrap();
            let tables: Vec<String> = sqlx::query_scalar(
                "SELECT tablename::text FROM pg_tables WHERE schemaname = 'public'",
            )
            .fetch_all(&mut conn)
            .await
            .unwrap();
            let mut all = Vec::new();
            for table in tables {
                let rows: Vec<String> = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
                    "SELECT t::text FROM \"{table}\" t"
                )))
                .fetch_all(&mut conn)
                .await
                .unwrap();
                for row in rows {
                    // `bytea` comes as `\x` and hex: searched as the bytes it stands for too.
                    all.extend(bytea_runs(&row));
                    all.extend(row.into_bytes());
                }
            }
            all
        }
    }
}
