//! The engine's [`Transport`] over HTTP: the routes of docs/server.md ("Sync"), JSON for identities,
//! devices and keys, the binary framing of `stint_protocol::sync` for records. Errors come back as
//! one readable line: the server's own message where it sent one, else what failed.

#![forbid(unsafe_code)]

use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use stint_domain::{AttachmentId, InvoiceId, MemberId, OrgId, Role};
use stint_engine::sync::{DirectoryMember, ListedDevice, PendingMember, StoredIdentity, Transport};
use stint_engine::{Engine, ServerAccount};
use stint_protocol as wire;
use stint_protocol::sync::{
    ENVELOPE_MEDIA_TYPE, MAX_ATTACHMENT_LEN, Outcome, PullPage, SYNC_MEDIA_TYPE, decode_pull,
    decode_push_reply, encode_push,
};

/// Whether the server at `server` answers at all (its health check, within `timeout`): tells a
/// round that failed because the server is out of reach (offline) from one it refused.
pub async fn reachable(server: &str, timeout: Duration) -> bool {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let Ok(client) = reqwest::Client::builder().timeout(timeout).build() else {
        return false;
    };
    client
        .get(format!("{}/healthz", server.trim_end_matches('/')))
        .send()
        .await
        .is_ok_and(|r| r.status().is_success())
}

/// An access token this close to its end is renewed before use.
const RENEW_BEFORE_SECS: i64 = 60;

/// Why no transport could be made: the access token could not be renewed, or the HTTP client
/// not built.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConnectError {
    /// The server did not answer the renewal (the network, or the server down): the session may
    /// well be good, and asking again later may work.
    Unreachable(String),
    /// The server refused the session, or the vault or the client failed: asking again changes
    /// nothing.
    Failed(String),
}

impl std::fmt::Display for ConnectError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ConnectError::Unreachable(reason) | ConnectError::Failed(reason) => f.write_str(reason),
        }
    }
}

impl std::error::Error for ConnectError {}

impl From<ConnectError> for String {
    fn from(e: ConnectError) -> String {
        e.to_string()
    }
}

/// A transport to `account`'s server for this device: the access token renewed if it was near its
/// end ([`renewed`]), and the device named in every request.
pub async fn connect(
    engine: &Engine,
    account: ServerAccount,
) -> Result<HttpTransport, ConnectError> {
    let account = renewed(engine, account).await?;
    Ok(HttpTransport::new(&account.server, &account.token)
        .map_err(ConnectError::Failed)?
        .for_device(engine.device_id()))
}

/// `account` with an access token still good for a while. The desktop's sign-in (through the
/// browser) holds a 15-minute access token and a refresh token: near its end both are renewed (the
/// refresh token rotates; the new pair is sealed in the vault before it is used). The CLI's session
/// token has no refresh token and lives as long as its session, so it comes back as it is.
pub async fn renewed(
    engine: &Engine,
    account: ServerAccount,
) -> Result<ServerAccount, ConnectError> {
    let (Some(refresh), Some(expires)) = (&account.refresh_token, account.token_expires) else {
        return Ok(account);
    };
    let now = engine.now().as_second();
    if expires - now > RENEW_BEFORE_SECS {
        return Ok(account);
    }
    let grant = stint_signin::refresh(&account.server, refresh)
        .await
        .map_err(|e| match e {
            stint_signin::SignInError::Refused(_) => ConnectError::Failed(format!(
                "{} no longer accepts this device's session (it was signed out or expired); sign in again",
                account.server
            )),
            unreachable @ (stint_signin::SignInError::Http(_)
            | stint_signin::SignInError::Unavailable(_)) => {
                ConnectError::Unreachable(unreachable.to_string())
            }
            other => ConnectError::Failed(other.to_string()),
        })?;
    let account = ServerAccount {
        session: grant.session.to_string(),
        token: grant.access_token,
        refresh_token: Some(grant.refresh_token),
        token_expires: Some(now + grant.expires_in),
        ..account
    };
    engine
        .set_server_account(&account)
        .await
        .map_err(|e| ConnectError::Failed(e.to_string()))?;
    Ok(account)
}

/// A signed-in session on a sync server.
pub struct HttpTransport {
    http: reqwest::Client,
    base: String,
    token: String,
    /// This device's id in hex, named in every request for the device list's "last seen".
    device: Option<String>,
}

impl std::fmt::Debug for HttpTransport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HttpTransport")
            .field("base", &self.base)
            .finish_non_exhaustive()
    }
}

/// A JSON answer as its wire type.
fn typed<T: serde::de::DeserializeOwned>(value: Value) -> Result<T, String> {
    serde_json::from_value(value).map_err(|e| format!("the server's answer does not read: {e}"))
}

/// Key deliveries as the server takes them (`KeyDeliveries`).
fn deliveries_body(deliveries: &[Vec<u8>]) -> Value {
    json!({ "deliveries": deliveries.iter().map(|d| B64.encode(d)).collect::<Vec<_>>() })
}

/// Standard base64 from the server.
fn bytes(text: &str) -> Result<Vec<u8>, String> {
    B64.decode(text)
        .map_err(|_| "the server sent bytes that are not base64".to_owned())
}

fn unb64(value: &Value, field: &str) -> Result<Vec<u8>, String> {
    value[field]
        .as_str()
        .and_then(|s| B64.decode(s).ok())
        .ok_or_else(|| format!("the server sent no valid {field}"))
}

impl HttpTransport {
    /// A client for the server at `base` (like `https://stint.example.org`) with a session token.
    ///
    /// # Errors
    /// If the HTTP client cannot be built (no TLS roots on the machine).
    pub fn new(base: &str, token: &str) -> Result<HttpTransport, String> {
        let _ = rustls::crypto::ring::default_provider().install_default();
        // A whole request (a pull page, an upload) may take a minute on a slow link; a connection
        // that has not opened in ten seconds will not.
        let http = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(10))
            .timeout(Duration::from_secs(60))
            .build()
            .map_err(|e| format!("cannot make an HTTP client: {e}"))?;
        Ok(HttpTransport {
            http,
            base: base.trim_end_matches('/').to_owned(),
            token: token.to_owned(),
            device: None,
        })
    }

    /// Names `device` (this device's id) in every request, so that the account's device list
    /// says when it was last seen.
    #[must_use]
    pub fn for_device(mut self, device: [u8; 16]) -> HttpTransport {
        self.device = Some(hex::encode(device));
        self
    }

    fn request(&self, method: Method, path: &str) -> reqwest::RequestBuilder {
        let request = self
            .http
            .request(method, format!("{}{path}", self.base))
            .bearer_auth(&self.token);
        match &self.device {
            Some(device) => request.header(wire::DEVICE_HEADER, device),
            None => request,
        }
    }

    async fn send(&self, request: reqwest::RequestBuilder) -> Result<reqwest::Response, String> {
        let response = request
            .send()
            .await
            .map_err(|e| format!("the server could not be reached: {e}"))?;
        if response.status().is_success() {
            return Ok(response);
        }
        Err(failure(response).await)
    }

    async fn json(&self, method: Method, path: &str, body: Option<Value>) -> Result<Value, String> {
        let mut request = self.request(method, path);
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = self.send(request).await?;
        if response.status() == StatusCode::NO_CONTENT {
            return Ok(Value::Null);
        }
        let text = response
            .text()
            .await
            .map_err(|e| format!("the server's answer was cut off: {e}"))?;
        if text.is_empty() {
            return Ok(Value::Null);
        }
        serde_json::from_str(&text).map_err(|_| "the server's answer is not JSON".to_owned())
    }
}

/// A refusal in one line: the server's own message where it sent one, else its status.
async fn failure(response: reqwest::Response) -> String {
    let status = response.status();
    let body: Value = response.json().await.unwrap_or(Value::Null);
    match body["error"]["message"].as_str() {
        Some(message) => message.to_owned(),
        None => format!("the server answered {status}"),
    }
}

impl HttpTransport {
    /// Invites `email` into `org` with `role`; the server emails them a token to accept.
    pub async fn invite(&self, org: OrgId, email: &str, role: Role) -> Result<(), String> {
        self.json(
            Method::POST,
            &format!("/api/v1/orgs/{org}/invitations"),
            Some(json!({ "email": email, "role": role })),
        )
        .await
        .map(drop)
    }

    /// [`HttpTransport::json`], except that the status `absent` is an answer (`Ok(None)`), not a
    /// failure.
    async fn json_unless(
        &self,
        method: Method,
        path: &str,
        body: Option<Value>,
        absent: StatusCode,
    ) -> Result<Option<Value>, String> {
        let mut request = self.request(method, path);
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request
            .send()
            .await
            .map_err(|e| format!("the server could not be reached: {e}"))?;
        let status = response.status();
        if status == absent {
            return Ok(None);
        }
        let text = response
            .text()
            .await
            .map_err(|e| format!("the server's answer was cut off: {e}"))?;
        let value: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
        if !status.is_success() {
            return Err(match value["error"]["message"].as_str() {
                Some(message) => message.to_owned(),
                None => format!("the server answered {status}"),
            });
        }
        Ok(Some(value))
    }
}

impl Transport for HttpTransport {
    async fn account(&self) -> Result<MemberId, String> {
        let account = self.json(Method::GET, "/api/v1/account", None).await?;
        account["id"]
            .as_str()
            .and_then(|id| id.parse::<ulid::Ulid>().ok())
            .map(MemberId)
            .ok_or_else(|| "the server sent no account id".to_owned())
    }

    async fn identity(&self) -> Result<Option<StoredIdentity>, String> {
        let response = self
            .request(Method::GET, "/api/v1/identity")
            .send()
            .await
            .map_err(|e| format!("the server could not be reached: {e}"))?;
        if response.status() == StatusCode::NOT_FOUND {
            return Ok(None);
        }
        let value: Value = if response.status().is_success() {
            response
                .json()
                .await
                .map_err(|_| "the server's answer is not JSON".to_owned())?
        } else {
            return Err(format!("the server answered {}", response.status()));
        };
        Ok(Some(StoredIdentity {
            public: unb64(&value, "public")?,
            wrapped_account_key: unb64(&value, "wrapped_account_key")?,
            wrapped_identity_keys: unb64(&value, "wrapped_identity_keys")?,
        }))
    }

    async fn put_identity(&self, identity: &StoredIdentity) -> Result<(), String> {
        self.json(
            Method::PUT,
            "/api/v1/identity",
            Some(json!({
                "public": B64.encode(&identity.public),
                "wrapped_account_key": B64.encode(&identity.wrapped_account_key),
                "wrapped_identity_keys": B64.encode(&identity.wrapped_identity_keys),
            })),
        )
        .await
        .map(drop)
    }

    async fn replace_recovery(&self, wrapped_account_key: &[u8]) -> Result<(), String> {
        self.json(
            Method::PUT,
            "/api/v1/identity/recovery",
            Some(json!({ "wrapped_account_key": B64.encode(wrapped_account_key) })),
        )
        .await
        .map(drop)
    }

    async fn devices(&self) -> Result<Vec<ListedDevice>, String> {
        let devices: Vec<wire::DeviceInfo> =
            typed(self.json(Method::GET, "/api/v1/devices", None).await?)?;
        devices
            .into_iter()
            .filter(|d| d.revoked_at.is_none())
            .map(|d| {
                Ok(ListedDevice {
                    certificate: bytes(&d.certificate)?,
                    label: bytes(&d.label)?,
                    last_seen_s: d.last_seen_at,
                })
            })
            .collect()
    }

    async fn add_device(&self, certificate: &[u8], label: &[u8]) -> Result<(), String> {
        self.json(
            Method::POST,
            "/api/v1/devices",
            Some(json!({ "certificate": B64.encode(certificate), "label": B64.encode(label) })),
        )
        .await
        .map(drop)
    }

    async fn set_device_label(&self, device: [u8; 16], label: &[u8]) -> Result<(), String> {
        self.json(
            Method::PUT,
            &format!("/api/v1/devices/{}/label", hex::encode(device)),
            Some(json!({ "label": B64.encode(label) })),
        )
        .await
        .map(drop)
    }

    async fn revoke_device(&self, device: [u8; 16], revocation: &[u8]) -> Result<(), String> {
        self.json(
            Method::POST,
            &format!("/api/v1/devices/{}/revoke", hex::encode(device)),
            Some(json!({ "revocation": B64.encode(revocation) })),
        )
        .await
        .map(drop)
    }

    async fn create_enrolment(&self, nameplate: u16, request: &[u8]) -> Result<bool, String> {
        let created = self
            .json_unless(
                Method::POST,
                "/api/v1/enrolments",
                Some(json!({ "nameplate": nameplate, "request": B64.encode(request) })),
                StatusCode::CONFLICT,
            )
            .await?;
        Ok(created.is_some())
    }

    async fn enrolment(
        &self,
        nameplate: u16,
    ) -> Result<Option<(Vec<u8>, Option<Vec<u8>>)>, String> {
        let Some(value) = self
            .json_unless(
                Method::GET,
                &format!("/api/v1/enrolments/{nameplate}"),
                None,
                StatusCode::NOT_FOUND,
            )
            .await?
        else {
            return Ok(None);
        };
        let answer = match value["answer"].is_null() {
            true => None,
            false => Some(unb64(&value, "answer")?),
        };
        Ok(Some((unb64(&value, "request")?, answer)))
    }

    async fn answer_enrolment(&self, nameplate: u16, answer: &[u8]) -> Result<(), String> {
        self.json(
            Method::PUT,
            &format!("/api/v1/enrolments/{nameplate}/answer"),
            Some(json!({ "answer": B64.encode(answer) })),
        )
        .await
        .map(drop)
    }

    async fn delete_enrolment(&self, nameplate: u16) -> Result<(), String> {
        self.json_unless(
            Method::DELETE,
            &format!("/api/v1/enrolments/{nameplate}"),
            None,
            StatusCode::NOT_FOUND,
        )
        .await
        .map(drop)
    }

    async fn orgs(&self) -> Result<Vec<OrgId>, String> {
        let orgs = self.json(Method::GET, "/api/v1/orgs", None).await?;
        orgs.as_array()
            .ok_or("the server sent no organization list")?
            .iter()
            // One waiting to be confirmed sends nothing yet.
            .filter(|o| o["pending"].as_bool() != Some(true))
            .map(|o| {
                o["id"]
                    .as_str()
                    .and_then(|id| id.parse::<ulid::Ulid>().ok())
                    .map(OrgId)
                    .ok_or_else(|| "the server sent an organization without an id".to_owned())
            })
            .collect()
    }

    async fn create_org(&self, org: OrgId, name: &str) -> Result<(), String> {
        let created = self
            .json(
                Method::POST,
                "/api/v1/orgs",
                Some(json!({ "name": name, "id": org.to_string() })),
            )
            .await;
        match created {
            Ok(_) => Ok(()),
            // Published before (a retry after a lost answer): fine if it is this account's.
            Err(e) if self.orgs().await.is_ok_and(|orgs| orgs.contains(&org)) => {
                let _ = e;
                Ok(())
            }
            Err(e) => Err(e),
        }
    }

    async fn put_keys(&self, org: OrgId, deliveries: &[Vec<u8>]) -> Result<(), String> {
        self.json(
            Method::PUT,
            &format!("/api/v1/orgs/{org}/keys"),
            Some(deliveries_body(deliveries)),
        )
        .await
        .map(drop)
    }

    async fn keys(&self, org: OrgId) -> Result<Vec<Vec<u8>>, String> {
        let keys: wire::KeyDeliveries = typed(
            self.json(Method::GET, &format!("/api/v1/orgs/{org}/keys"), None)
                .await?,
        )?;
        keys.deliveries.iter().map(|d| bytes(d)).collect()
    }

    async fn directory(&self, org: OrgId) -> Result<Vec<DirectoryMember>, String> {
        let entries: Vec<wire::DirectoryEntry> = typed(
            self.json(Method::GET, &format!("/api/v1/orgs/{org}/directory"), None)
                .await?,
        )?;
        entries
            .into_iter()
            .map(|e| {
                Ok(DirectoryMember {
                    user: MemberId(e.user),
                    role: e.role,
                    identity: bytes(&e.identity)?,
                    certificates: e
                        .devices
                        .iter()
                        .filter(|d| d.revoked_at.is_none())
                        .map(|d| bytes(&d.certificate))
                        .collect::<Result<_, _>>()?,
                })
            })
            .collect()
    }

    async fn accept_invitation(&self, token: &str) -> Result<(OrgId, Role, bool), String> {
        let org: wire::OrgInfo = typed(
            self.json(
                Method::POST,
                "/api/v1/invitations/accept",
                Some(json!({ "token": token.trim() })),
            )
            .await?,
        )?;
        Ok((OrgId(org.id), org.role, org.pending))
    }

    async fn pending_members(&self, org: OrgId) -> Result<Vec<PendingMember>, String> {
        let pending: Vec<wire::PendingMemberInfo> = typed(
            self.json(
                Method::GET,
                &format!("/api/v1/orgs/{org}/members/pending"),
                None,
            )
            .await?,
        )?;
        pending
            .into_iter()
            .map(|p| {
                Ok(PendingMember {
                    user: MemberId(p.user),
                    email: p.email,
                    role: p.role,
                    identity: p.identity.as_deref().map(bytes).transpose()?,
                })
            })
            .collect()
    }

    async fn invoice_number(
        &self,
        org: OrgId,
        series: [u8; 32],
        invoice: InvoiceId,
        after: u64,
    ) -> Result<u64, String> {
        let number: wire::InvoiceNumber = typed(
            self.json(
                Method::POST,
                &format!("/api/v1/orgs/{org}/invoice-numbers"),
                Some(json!({ "series": hex::encode(series), "invoice": invoice.to_string(), "after": after })),
            )
            .await?,
        )?;
        Ok(number.number)
    }

    async fn membership(&self, org: OrgId, after: u32) -> Result<Vec<Vec<u8>>, String> {
        let log: wire::MembershipLog = typed(
            self.json(
                Method::GET,
                &format!("/api/v1/orgs/{org}/membership?after={after}"),
                None,
            )
            .await?,
        )?;
        log.entries.iter().map(|e| bytes(e)).collect()
    }

    async fn append_membership(
        &self,
        org: OrgId,
        after: u32,
        entries: &[Vec<u8>],
        deliveries: &[Vec<u8>],
    ) -> Result<(), String> {
        let encode = |items: &[Vec<u8>]| items.iter().map(|d| B64.encode(d)).collect::<Vec<_>>();
        self.json(
            Method::POST,
            &format!("/api/v1/orgs/{org}/membership"),
            Some(json!({
                "after": after,
                "entries": encode(entries),
                "deliveries": encode(deliveries),
            })),
        )
        .await
        .map(drop)
    }

    async fn push(&self, org: OrgId, envelopes: &[Vec<u8>]) -> Result<Vec<(Outcome, u64)>, String> {
        let response = self
            .send(
                self.request(Method::POST, &format!("/api/v1/orgs/{org}/sync/push"))
                    .header("content-type", SYNC_MEDIA_TYPE)
                    .body(encode_push(envelopes)),
            )
            .await?;
        let bytes = response
            .bytes()
            .await
            .map_err(|e| format!("the server's answer was cut off: {e}"))?;
        decode_push_reply(&bytes).map_err(|e| e.to_string())
    }

    async fn pull(&self, org: OrgId, after: u64, limit: u32) -> Result<PullPage, String> {
        let response = self
            .send(self.request(
                Method::GET,
                &format!("/api/v1/orgs/{org}/sync/pull?after={after}&limit={limit}"),
            ))
            .await?;
        let bytes = response
            .bytes()
            .await
            .map_err(|e| format!("the server's answer was cut off: {e}"))?;
        decode_pull(&bytes).map_err(|e| e.to_string())
    }

    async fn put_attachment(
        &self,
        org: OrgId,
        id: AttachmentId,
        envelope: &[u8],
    ) -> Result<bool, String> {
        let response = self
            .send(
                self.request(Method::PUT, &format!("/api/v1/orgs/{org}/attachments/{id}"))
                    .header("content-type", ENVELOPE_MEDIA_TYPE)
                    .body(envelope.to_vec()),
            )
            .await?;
        Ok(response.status() == StatusCode::CREATED)
    }

    async fn attachment(&self, org: OrgId, id: AttachmentId) -> Result<Option<Vec<u8>>, String> {
        let mut response = self
            .request(Method::GET, &format!("/api/v1/orgs/{org}/attachments/{id}"))
            .send()
            .await
            .map_err(|e| format!("the server could not be reached: {e}"))?;
        if response.status() == StatusCode::NOT_FOUND {
            return Ok(None);
        }
        if !response.status().is_success() {
            return Err(failure(response).await);
        }
        // Read as it streams in, and never past the largest attachment there can be.
        let mut bytes = Vec::new();
        while let Some(chunk) = response
            .chunk()
            .await
            .map_err(|e| format!("the server's answer was cut off: {e}"))?
        {
            if bytes.len() + chunk.len() > MAX_ATTACHMENT_LEN {
                return Err("the server sent more than an attachment can hold".to_owned());
            }
            bytes.extend_from_slice(&chunk);
        }
        Ok(Some(bytes))
    }
}
