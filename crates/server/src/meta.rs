//! What describes the server rather than an account: health, `security.txt`, the OpenAPI document.

use axum::extract::State;
use axum::http::header;
use axum::response::IntoResponse;
use serde_json::{Value, json};
use stint_protocol as wire;

use crate::app::Shared;
use crate::error::{ApiResult, Json};

/// `GET /healthz`: 200 when the database answers, 503 otherwise.
pub async fn health(State(state): State<Shared>) -> ApiResult<Json<wire::Health>> {
    state.store.ping().await?;
    Ok(Json(wire::Health {
        status: "ok".into(),
        storage: state.store.kind().into(),
        version: env!("CARGO_PKG_VERSION").into(),
    }))
}

/// `GET /.well-known/security.txt` (RFC 9116).
pub async fn security_txt(State(state): State<Shared>) -> impl IntoResponse {
    let expires = jiff::Timestamp::now()
        .checked_add(jiff::SignedDuration::from_hours(24 * 365))
        .unwrap_or(jiff::Timestamp::MAX)
        .strftime("%Y-%m-%dT%H:%M:%SZ")
        .to_string();
    let base = state.config.public_url.trim_end_matches('/');
    (
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        format!(
            "Contact: {}\nExpires: {expires}\nPreferred-Languages: en\nCanonical: {base}/.well-known/security.txt\n",
            state.config.security_contact
        ),
    )
}

/// One operation of the API, as documented.
pub struct Operation {
    pub method: &'static str,
    pub path: &'static str,
    pub summary: &'static str,
    /// Needs `Authorization: Bearer <session token>`.
    pub signed_in: bool,
    /// The request body's type in `stint_protocol`, if any.
    pub body: Option<&'static str>,
    /// Success status and the response body's type, if any.
    pub ok: (u16, Option<&'static str>),
}

/// Every operation the router serves; a test calls each one and checks the router knows it.
#[rustfmt::skip]
pub const OPERATIONS: &[Operation] = &[
    Operation { method: "get", path: "/healthz", summary: "Is the server and its database up?", signed_in: false, body: None, ok: (200, Some("Health")) },
    Operation { method: "get", path: "/.well-known/security.txt", summary: "How to report a security problem (RFC 9116)", signed_in: false, body: None, ok: (200, None) },
    Operation { method: "get", path: "/openapi.json", summary: "This document", signed_in: false, body: None, ok: (200, None) },
    Operation { method: "get", path: "/sign-in", summary: "The sign-in page (HTML): passkey, or password and second factor; with a desktop hand-off in the query, returns the browser to the app", signed_in: false, body: None, ok: (200, None) },
    Operation { method: "get", path: "/sign-up", summary: "The sign-up page (HTML): email and password; the confirmation email follows", signed_in: false, body: None, ok: (200, None) },
    Operation { method: "get", path: "/verify-email", summary: "The page the confirmation email links to (HTML): the token after the '#', and the password chosen at sign-up", signed_in: false, body: None, ok: (200, None) },
    Operation { method: "get", path: "/accept-invitation", summary: "The page an invitation links to (HTML): shows the code after the '#' to paste into the app", signed_in: false, body: None, ok: (200, None) },
    Operation { method: "get", path: "/assets/sign-up.js", summary: "The sign-up page's script", signed_in: false, body: None, ok: (200, None) },
    Operation { method: "get", path: "/assets/sign-in.js", summary: "The sign-in page's script", signed_in: false, body: None, ok: (200, None) },
    Operation { method: "get", path: "/assets/webauthn.js", summary: "What the sign-in and sign-up pages share for passkeys", signed_in: false, body: None, ok: (200, None) },
    Operation { method: "get", path: "/assets/sign-in.css", summary: "The sign-in page's style", signed_in: false, body: None, ok: (200, None) },
    Operation { method: "post", path: "/api/v1/authorize", summary: "A single-use 60-second code for the app's loopback redirect, bound to its PKCE challenge (RFC 8252)", signed_in: true, body: Some("Authorize"), ok: (200, Some("Redirect")) },
    Operation { method: "post", path: "/api/v1/token", summary: "Code + PKCE verifier, or a refresh token (rotating), for a 15-minute access token", signed_in: false, body: Some("TokenRequest"), ok: (200, Some("TokenGrant")) },
    Operation { method: "post", path: "/api/v1/accounts", summary: "Sign up; a verification link is emailed", signed_in: false, body: Some("SignUp"), ok: (202, Some("CheckEmail")) },
    Operation { method: "post", path: "/api/v1/accounts/verify", summary: "Confirm an email address with the emailed token and the password chosen at that sign-up", signed_in: false, body: Some("VerifyEmail"), ok: (200, Some("EmailVerified")) },
    Operation { method: "post", path: "/api/v1/accounts/verify/passkey", summary: "Register a passkey with the ceremony that confirming the address started (no session)", signed_in: false, body: Some("PasskeyRegistration"), ok: (201, Some("PasskeyInfo")) },
    Operation { method: "post", path: "/api/v1/password/forgot", summary: "Email a single-use password reset link", signed_in: false, body: Some("ForgotPassword"), ok: (202, Some("CheckEmail")) },
    Operation { method: "post", path: "/api/v1/password/reset", summary: "Set a new password with the emailed token; ends every session", signed_in: false, body: Some("ResetPassword"), ok: (204, None) },
    Operation { method: "post", path: "/api/v1/sessions", summary: "Sign in with email and password: then a TOTP code, or without one a code emailed to the account", signed_in: false, body: Some("PasswordSignIn"), ok: (200, Some("SignInReply")) },
    Operation { method: "post", path: "/api/v1/sessions/email-code", summary: "Finish a password sign-in with the emailed code (and TOTP or recovery code)", signed_in: false, body: Some("CliConfirm"), ok: (200, Some("SessionGrant")) },
    Operation { method: "post", path: "/api/v1/sessions/second-factor", summary: "Finish signing in with a TOTP or recovery code", signed_in: false, body: Some("SecondFactor"), ok: (200, Some("SignInReply")) },
    Operation { method: "post", path: "/api/v1/cli/sign-in", summary: "CLI sign-in: check the password and email a one-time code", signed_in: false, body: Some("PasswordSignIn"), ok: (202, Some("CliChallenge")) },
    Operation { method: "post", path: "/api/v1/cli/sign-in/confirm", summary: "CLI sign-in: the emailed code (and TOTP or recovery code) give a session", signed_in: false, body: Some("CliConfirm"), ok: (200, Some("SessionGrant")) },
    Operation { method: "get", path: "/api/v1/sessions", summary: "The account's sessions, one per device", signed_in: true, body: None, ok: (200, Some("SessionInfo[]")) },
    Operation { method: "delete", path: "/api/v1/sessions/current", summary: "Sign out", signed_in: true, body: None, ok: (204, None) },
    Operation { method: "post", path: "/api/v1/sessions/current/step-up", summary: "Prove it is you again (password, and the second factor where it is on): sensitive changes need a proof from the last five minutes", signed_in: true, body: Some("StepUp"), ok: (204, None) },
    Operation { method: "delete", path: "/api/v1/sessions/{id}", summary: "End one of the account's sessions", signed_in: true, body: None, ok: (204, None) },
    Operation { method: "get", path: "/api/v1/account", summary: "The signed-in account", signed_in: true, body: None, ok: (200, Some("Account")) },
    Operation { method: "delete", path: "/api/v1/account/password", summary: "Become passkey-only (needs a passkey)", signed_in: true, body: None, ok: (204, None) },
    Operation { method: "get", path: "/api/v1/account/export", summary: "Everything the server keeps about the account, as one JSON document", signed_in: true, body: None, ok: (200, None) },
    Operation { method: "post", path: "/api/v1/account/delete", summary: "Email a single-use link that deletes the account (refused while the only owner of an organization)", signed_in: true, body: None, ok: (202, Some("CheckEmail")) },
    Operation { method: "post", path: "/api/v1/account/delete/confirm", summary: "Delete the account with the emailed token: memberships, tokens, sessions, passkeys, codes", signed_in: false, body: Some("EmailToken"), ok: (204, None) },
    Operation { method: "post", path: "/api/v1/account/totp", summary: "Start setting up TOTP: a secret and its QR code", signed_in: true, body: None, ok: (200, Some("TotpEnrollment")) },
    Operation { method: "post", path: "/api/v1/account/totp/confirm", summary: "Turn TOTP on with a code; returns ten recovery codes once", signed_in: true, body: Some("TotpCode"), ok: (200, Some("RecoveryCodes")) },
    Operation { method: "post", path: "/api/v1/account/totp/disable", summary: "Turn TOTP off with a fresh code or recovery code", signed_in: true, body: Some("FreshFactor"), ok: (204, None) },
    Operation { method: "get", path: "/api/v1/passkeys", summary: "The account's passkeys", signed_in: true, body: None, ok: (200, Some("PasskeyInfo[]")) },
    Operation { method: "delete", path: "/api/v1/passkeys/{id}", summary: "Remove a passkey (never a passkey-only account's last)", signed_in: true, body: None, ok: (204, None) },
    Operation { method: "post", path: "/api/v1/passkeys/register/start", summary: "Options for navigator.credentials.create: a discoverable credential, user verification required", signed_in: true, body: Some("PasskeyName"), ok: (200, Some("CeremonyStart")) },
    Operation { method: "post", path: "/api/v1/passkeys/register/finish", summary: "Register the authenticator's answer", signed_in: true, body: Some("PasskeyRegistration"), ok: (201, Some("PasskeyInfo")) },
    Operation { method: "post", path: "/api/v1/passkeys/sign-in/start", summary: "Options for navigator.credentials.get: an email's passkeys, or any (username-less)", signed_in: false, body: Some("PasskeySignInStart"), ok: (200, Some("CeremonyStart")) },
    Operation { method: "post", path: "/api/v1/passkeys/sign-in/finish", summary: "Sign in with the authenticator's answer", signed_in: false, body: Some("PasskeySignIn"), ok: (200, Some("SignInReply")) },
    Operation { method: "post", path: "/api/v1/orgs", summary: "Create an organization (with the id a device proposes, or a new one; 409 if taken); the caller is its first Owner", signed_in: true, body: Some("NewOrg"), ok: (201, Some("OrgInfo")) },
    Operation { method: "get", path: "/api/v1/orgs", summary: "The caller's organizations and roles", signed_in: true, body: None, ok: (200, Some("OrgInfo[]")) },
    Operation { method: "get", path: "/api/v1/orgs/{org}", summary: "One organization", signed_in: true, body: None, ok: (200, Some("OrgInfo")) },
    Operation { method: "patch", path: "/api/v1/orgs/{org}", summary: "Rename (Owner, Admin)", signed_in: true, body: Some("OrgName"), ok: (200, Some("OrgInfo")) },
    Operation { method: "delete", path: "/api/v1/orgs/{org}", summary: "Delete the organization and all it stores (Owner); owners are told by email", signed_in: true, body: None, ok: (204, None) },
    Operation { method: "post", path: "/api/v1/orgs/{org}/transfer", summary: "Make another member the Owner; the caller becomes Admin (Owner)", signed_in: true, body: Some("TransferOwnership"), ok: (204, None) },
    Operation { method: "get", path: "/api/v1/orgs/{org}/members", summary: "Members and roles", signed_in: true, body: None, ok: (200, Some("MemberInfo[]")) },
    Operation { method: "patch", path: "/api/v1/orgs/{org}/members/{user}", summary: "Change a member's role (per the role table; never the last Owner)", signed_in: true, body: Some("RoleChange"), ok: (200, Some("MemberInfo")) },
    Operation { method: "delete", path: "/api/v1/orgs/{org}/members/{user}", summary: "Remove a member, or leave (one's own id)", signed_in: true, body: None, ok: (204, None) },
    Operation { method: "post", path: "/api/v1/orgs/{org}/invitations", summary: "Invite an email address with a role; single use, 7 days", signed_in: true, body: Some("NewInvitation"), ok: (201, Some("InvitationInfo")) },
    Operation { method: "get", path: "/api/v1/orgs/{org}/invitations", summary: "Pending invitations (Owner, Admin)", signed_in: true, body: None, ok: (200, Some("InvitationInfo[]")) },
    Operation { method: "delete", path: "/api/v1/orgs/{org}/invitations/{id}", summary: "Revoke a pending invitation", signed_in: true, body: None, ok: (204, None) },
    Operation { method: "get", path: "/api/v1/orgs/{org}/audit", summary: "The audit log of administrative actions (Owner, Admin)", signed_in: true, body: None, ok: (200, Some("AuditInfo[]")) },
    Operation { method: "post", path: "/api/v1/orgs/{org}/tokens", summary: "An API token for the caller: this organization only, at most the caller's role, optionally read-only and expiring; shown once", signed_in: true, body: Some("NewApiToken"), ok: (201, Some("CreatedApiToken")) },
    Operation { method: "get", path: "/api/v1/orgs/{org}/tokens", summary: "Live API tokens: one's own, or everyone's for Owners and Admins", signed_in: true, body: None, ok: (200, Some("ApiTokenInfo[]")) },
    Operation { method: "delete", path: "/api/v1/orgs/{org}/tokens/{id}", summary: "Revoke an API token (one's own, or anyone's for Owners and Admins)", signed_in: true, body: None, ok: (204, None) },
    Operation { method: "put", path: "/api/v1/identity", summary: "Set the account's identity once: its published keys, the account key wrapped under the recovery key, the identity keys wrapped under the account key (docs/formats.md)", signed_in: true, body: Some("IdentityUpload"), ok: (201, None) },
    Operation { method: "get", path: "/api/v1/identity", summary: "The account's identity and wrapped keys, for a device restoring from the recovery key", signed_in: true, body: None, ok: (200, Some("IdentityInfo")) },
    Operation { method: "put", path: "/api/v1/identity/recovery", summary: "Replace the account key wrapped under the recovery key with its wrapping under a new recovery key (a new recovery kit; a recent proof needed)", signed_in: true, body: Some("RecoveryUpload"), ok: (204, None) },
    Operation { method: "post", path: "/api/v1/devices", summary: "Enrol a device: a certificate the account's identity key signed", signed_in: true, body: Some("DeviceUpload"), ok: (201, Some("DeviceInfo")) },
    Operation { method: "get", path: "/api/v1/devices", summary: "The account's devices, revoked ones included", signed_in: true, body: None, ok: (200, Some("DeviceInfo[]")) },
    Operation { method: "put", path: "/api/v1/devices/{id}/label", summary: "Replace a live device's label (sealed by the client; opaque to the server)", signed_in: true, body: Some("DeviceLabelUpload"), ok: (204, None) },
    Operation { method: "post", path: "/api/v1/devices/{id}/revoke", summary: "Revoke a device with a revocation the identity key signed; its pushes are refused at once", signed_in: true, body: Some("DeviceRevocationUpload"), ok: (204, None) },
    Operation { method: "post", path: "/api/v1/enrolments", summary: "A new device asks to be enrolled by short code: its request (SPAKE2 message and public keys) under the code's nameplate; lives ten minutes", signed_in: true, body: Some("EnrolmentUpload"), ok: (201, None) },
    Operation { method: "get", path: "/api/v1/enrolments/{id}", summary: "A live enrolment request of the account by nameplate, with the approving device's answer once there is one", signed_in: true, body: None, ok: (200, Some("EnrolmentInfo")) },
    Operation { method: "put", path: "/api/v1/enrolments/{id}/answer", summary: "An enrolled device answers a request (its SPAKE2 message and the account key sealed under the agreed key), once", signed_in: true, body: Some("EnrolmentAnswer"), ok: (204, None) },
    Operation { method: "delete", path: "/api/v1/enrolments/{id}", summary: "Forget an enrolment request", signed_in: true, body: None, ok: (204, None) },
    Operation { method: "post", path: "/api/v1/orgs/{org}/sync/push", summary: "Push a batch of sealed envelopes (body and reply: application/vnd.stint.sync, docs/formats.md); all are checked before any is stored", signed_in: true, body: None, ok: (200, None) },
    Operation { method: "get", path: "/api/v1/orgs/{org}/sync/pull", summary: "Envelopes after a sequence number (query: after, limit), with the head and history id (reply: application/vnd.stint.sync)", signed_in: true, body: None, ok: (200, None) },
    Operation { method: "put", path: "/api/v1/orgs/{org}/attachments/{id}", summary: "Upload one attachment's sealed envelope (application/vnd.stint.envelope, at most 20 MiB + 4 KiB); 201 stored, 200 stored before, 409 other bytes under this id", signed_in: true, body: None, ok: (201, None) },
    Operation { method: "get", path: "/api/v1/orgs/{org}/attachments/{id}", summary: "An attachment's envelope as uploaded (reply: application/vnd.stint.envelope)", signed_in: true, body: None, ok: (200, None) },
    Operation { method: "put", path: "/api/v1/orgs/{org}/keys", summary: "Store the caller's organization keys as key deliveries to their own identity, signed by it, for their other devices (a slot keeps its first delivery)", signed_in: true, body: Some("KeyDeliveries"), ok: (204, None) },
    Operation { method: "get", path: "/api/v1/orgs/{org}/keys", summary: "The key deliveries made to the caller", signed_in: true, body: None, ok: (200, Some("KeyDeliveries")) },
    Operation { method: "get", path: "/api/v1/orgs/{org}/members/pending", summary: "Who accepted an invitation and waits to be confirmed, with their published identities (Owner, Admin)", signed_in: true, body: None, ok: (200, Some("PendingMemberInfo[]")) },
    Operation { method: "post", path: "/api/v1/orgs/{org}/members/{user}/confirm", summary: "Confirm a pending member after comparing their fingerprint: exactly the newest key of each compartment their role may read, delivered to them and signed by the caller's identity", signed_in: true, body: Some("KeyDeliveries"), ok: (200, Some("MemberInfo")) },
    Operation { method: "post", path: "/api/v1/orgs/{org}/invoice-numbers", summary: "The number of an invoice being issued in a series named by its keyed hash: the next after the series' last and the device's own (Owner, Admin); the same again for the same invoice", signed_in: true, body: Some("InvoiceNumberRequest"), ok: (200, Some("InvoiceNumber")) },
    Operation { method: "get", path: "/api/v1/orgs/{org}/membership", summary: "The organization's membership log entries after the first `after` (query), base64, in order", signed_in: true, body: None, ok: (200, Some("MembershipLog")) },
    Operation { method: "post", path: "/api/v1/orgs/{org}/membership", summary: "Append membership log entries signed by the caller (add a pending member, change a role, remove, new key epoch) with the key deliveries they call for; 409 log_moved if the log grew meanwhile", signed_in: true, body: Some("MembershipAppend"), ok: (200, Some("MembershipLog")) },
    Operation { method: "get", path: "/api/v1/orgs/{org}/directory", summary: "Every member's published identity and devices, for checking who wrote what", signed_in: true, body: None, ok: (200, Some("DirectoryEntry[]")) },
    Operation { method: "post", path: "/api/v1/invitations/accept", summary: "Join an organization with an emailed invitation (only the invited address)", signed_in: true, body: Some("EmailToken"), ok: (200, Some("OrgInfo")) },
];

fn schema_ref(name: &str) -> Value {
    match name.strip_suffix("[]") {
        Some(item) => {
            json!({ "type": "array", "items": { "$ref": format!("#/components/schemas/{item}") } })
        }
        None => json!({ "$ref": format!("#/components/schemas/{name}") }),
    }
}

/// `GET /openapi.json`: OpenAPI 3.1, built from [`OPERATIONS`].
pub async fn openapi(State(state): State<Shared>) -> Json<Value> {
    let mut paths = serde_json::Map::new();
    for op in OPERATIONS {
        let mut responses = serde_json::Map::new();
        let ok = match op.ok.1 {
            Some(body) => {
                json!({ "description": "success", "content": { "application/json": { "schema": schema_ref(body) } } })
            }
            None => json!({ "description": "success" }),
        };
        responses.insert(op.ok.0.to_string(), ok);
        responses.insert(
            "default".into(),
            json!({ "description": "an error", "content": { "application/json": { "schema": schema_ref("ErrorBody") } } }),
        );
        let mut operation = json!({ "summary": op.summary, "responses": responses });
        if let Some(body) = op.body {
            operation["requestBody"] = json!({ "required": true, "content": { "application/json": { "schema": schema_ref(body) } } });
        }
        if op.signed_in {
            operation["security"] = json!([{ "session": [] }]);
        }
        let mut parameters: Vec<Value> = ["org", "user", "id"]
            .into_iter()
            .filter(|name| op.path.contains(&format!("{{{name}}}")))
            .map(|name| json!({ "name": name, "in": "path", "required": true, "schema": { "type": "string" } }))
            .collect();
        if op.signed_in {
            parameters.push(json!({
                "name": stint_protocol::DEVICE_HEADER,
                "in": "header",
                "required": false,
                "description": "The caller's device id (32 hex digits): when it is a live device of the signed-in account, the server notes when it was last seen (to the minute).",
                "schema": { "type": "string", "pattern": "^[0-9a-fA-F]{32}$" },
            }));
        }
        if !parameters.is_empty() {
            operation["parameters"] = Value::Array(parameters);
        }
        if let Value::Object(item) = paths
            .entry(op.path)
            .or_insert_with(|| Value::Object(serde_json::Map::new()))
        {
            item.insert(op.method.into(), operation);
        }
    }
    // What the server enforces is what the document says: lengths, ULID shapes, and `null` where
    // a value may be absent (absent fields of a reply are sent as `null`, and a request's optional
    // fields take `null` too).
    let string = json!({ "type": "string" });
    let int = json!({ "type": "integer", "format": "int64" });
    let boolean = json!({ "type": "boolean" });
    let nullable_int = json!({ "type": ["integer", "null"], "format": "int64" });
    let nullable_string = json!({ "type": ["string", "null"] });
    let text = |min: u32, max: u32| json!({ "type": "string", "minLength": min, "maxLength": max });
    let ulid = json!({ "type": "string", "pattern": "^[0-9A-HJKMNP-TV-Z]{26}$" });
    let nullable_ulid =
        json!({ "type": ["string", "null"], "pattern": "^[0-9A-HJKMNP-TV-Z]{26}$" });
    let email = text(3, 254);
    let new_password = text(10, 1024);
    let password = text(0, 4096);
    let device = text(1, 100);
    let role = json!({ "$ref": "#/components/schemas/Role" });
    let b64 = json!({ "type": "string", "contentEncoding": "base64", "maxLength": 4096 });
    let device_id = json!({ "type": "string", "pattern": "^[0-9a-f]{32}$" });
    let nameplate = json!({ "type": "integer", "minimum": 100, "maximum": 999 });
    let object = |props: Value, required: &[&str]| json!({ "type": "object", "properties": props, "required": required, "additionalProperties": false });
    let schemas = json!({
        "ErrorBody": object(json!({ "error": object(json!({ "code": string, "message": string }), &["code", "message"]) }), &["error"]),
        "Health": object(json!({ "status": string, "storage": { "enum": ["sqlite", "postgres"] }, "version": string }), &["status", "storage", "version"]),
        "SignUp": object(json!({ "email": email, "password": new_password }), &["email", "password"]),
        "CheckEmail": object(json!({ "message": string }), &["message"]),
        "EmailToken": object(json!({ "token": string }), &["token"]),
        "VerifyEmail": object(json!({ "token": string, "password": password, "passkey": text(1, 60) }), &["token", "password"]),
        "EmailVerified": object(json!({ "message": string, "passkey": { "$ref": "#/components/schemas/CeremonyStart" } }), &["message"]),
        "ForgotPassword": object(json!({ "email": email }), &["email"]),
        "ResetPassword": object(json!({ "token": string, "password": new_password }), &["token", "password"]),
        "PasswordSignIn": object(json!({ "email": string, "password": password, "device": device }), &["email", "password", "device"]),
        "SessionGrant": object(json!({ "session": ulid, "token": string, "expires_at": int }), &["session", "token", "expires_at"]),
        "SignInReply": { "oneOf": [
            object(json!({ "status": { "const": "signed_in" }, "session": ulid, "token": string, "expires_at": int }), &["status", "session", "token", "expires_at"]),
            object(json!({ "status": { "const": "second_factor" }, "challenge": string }), &["status", "challenge"]),
            object(json!({ "status": { "const": "email_code" }, "challenge": string }), &["status", "challenge"]),
        ] },
        "StepUp": object(json!({ "password": password, "code": nullable_string, "recovery_code": nullable_string }), &["password"]),
        "SecondFactor": object(json!({ "challenge": string, "code": nullable_string, "recovery_code": nullable_string }), &["challenge"]),
        "CliChallenge": object(json!({ "challenge": string, "second_factor": boolean, "message": string }), &["challenge", "second_factor", "message"]),
        "CliConfirm": object(json!({ "challenge": string, "email_code": string, "code": nullable_string, "recovery_code": nullable_string }), &["challenge", "email_code"]),
        "SessionInfo": object(json!({ "id": ulid, "device": string, "created_at": int, "last_seen_at": int, "expires_at": int, "current": boolean }), &["id", "device", "created_at", "last_seen_at", "expires_at", "current"]),
        "Account": object(json!({ "id": ulid, "email": string, "email_verified": boolean, "has_password": boolean, "totp_enabled": boolean, "passkeys": int, "recovery_codes_left": int, "created_at": int }), &["id", "email", "email_verified", "has_password", "totp_enabled", "passkeys", "recovery_codes_left", "created_at"]),
        "TotpEnrollment": object(json!({ "secret": string, "otpauth_uri": string, "qr_svg": string }), &["secret", "otpauth_uri", "qr_svg"]),
        "TotpCode": object(json!({ "code": string }), &["code"]),
        "RecoveryCodes": object(json!({ "codes": { "type": "array", "items": string, "minItems": 10, "maxItems": 10 } }), &["codes"]),
        "FreshFactor": object(json!({ "code": nullable_string, "recovery_code": nullable_string }), &[]),
        "Authorize": object(json!({ "redirect_uri": string, "state": string, "code_challenge": string, "code_challenge_method": { "const": "S256" }, "device": device }), &["redirect_uri", "state", "code_challenge", "code_challenge_method", "device"]),
        "Redirect": object(json!({ "location": string }), &["location"]),
        "TokenRequest": { "oneOf": [
            object(json!({ "grant_type": { "const": "authorization_code" }, "code": string, "code_verifier": string, "redirect_uri": string }), &["grant_type", "code", "code_verifier", "redirect_uri"]),
            object(json!({ "grant_type": { "const": "refresh_token" }, "refresh_token": string }), &["grant_type", "refresh_token"]),
        ] },
        "TokenGrant": object(json!({ "session": ulid, "access_token": string, "refresh_token": string, "token_type": string, "expires_in": int }), &["session", "access_token", "refresh_token", "token_type", "expires_in"]),
        "NewApiToken": object(json!({ "name": text(1, 60), "role": { "oneOf": [role, { "type": "null" }] }, "read_only": boolean, "expires_at": nullable_int }), &["name"]),
        "ApiTokenInfo": object(json!({ "id": ulid, "user": ulid, "name": string, "role": role, "read_only": boolean, "created_at": int, "expires_at": nullable_int, "last_used_at": nullable_int }), &["id", "user", "name", "role", "read_only", "created_at", "expires_at", "last_used_at"]),
        "CreatedApiToken": object(json!({ "token": string, "info": { "$ref": "#/components/schemas/ApiTokenInfo" } }), &["token", "info"]),
        "PasskeyName": object(json!({ "name": text(1, 60) }), &["name"]),
        "CeremonyStart": object(json!({ "ceremony": string, "options": { "type": "object" } }), &["ceremony", "options"]),
        "PasskeyRegistration": object(json!({ "ceremony": string, "credential": { "type": "object" } }), &["ceremony", "credential"]),
        "PasskeySignInStart": object(json!({ "email": nullable_string }), &[]),
        "PasskeySignIn": object(json!({ "ceremony": string, "credential": { "type": "object" }, "device": device }), &["ceremony", "credential", "device"]),
        "PasskeyInfo": object(json!({ "id": ulid, "name": string, "created_at": int, "last_used_at": nullable_int }), &["id", "name", "created_at", "last_used_at"]),
        "Role": { "type": "string", "enum": ["owner", "admin", "member", "viewer"] },
        "OrgName": object(json!({ "name": text(1, 100) }), &["name"]),
        "NewOrg": object(json!({ "name": text(1, 100), "id": nullable_ulid }), &["name"]),
        "IdentityUpload": object(json!({ "public": b64, "wrapped_account_key": b64, "wrapped_identity_keys": b64 }), &["public", "wrapped_account_key", "wrapped_identity_keys"]),
        "IdentityInfo": object(json!({ "public": b64, "wrapped_account_key": b64, "wrapped_identity_keys": b64, "created_at": int }), &["public", "wrapped_account_key", "wrapped_identity_keys", "created_at"]),
        "RecoveryUpload": object(json!({ "wrapped_account_key": b64 }), &["wrapped_account_key"]),
        "DeviceUpload": object(json!({ "certificate": b64, "label": b64 }), &["certificate", "label"]),
        "DeviceInfo": object(json!({ "device": device_id, "certificate": b64, "label": b64, "created_at": int, "revoked_at": nullable_int, "revocation": { "type": ["string", "null"], "contentEncoding": "base64" }, "last_seen_at": nullable_int }), &["device", "certificate", "label", "created_at", "revoked_at", "revocation", "last_seen_at"]),
        "DeviceLabelUpload": object(json!({ "label": b64 }), &["label"]),
        "InvoiceNumberRequest": object(json!({ "series": { "type": "string", "pattern": "^[0-9a-f]{64}$" }, "invoice": ulid, "after": { "type": "integer", "minimum": 0, "maximum": 1_000_000_000_000u64 } }), &["series", "invoice", "after"]),
        "InvoiceNumber": object(json!({ "number": { "type": "integer", "minimum": 1 } }), &["number"]),
        "KeyDeliveries": object(json!({ "deliveries": { "type": "array", "maxItems": 16, "items": b64 } }), &["deliveries"]),
        "MembershipLog": object(json!({ "entries": { "type": "array", "items": b64 } }), &["entries"]),
        "MembershipAppend": object(json!({ "after": { "type": "integer", "minimum": 0 }, "entries": { "type": "array", "minItems": 1, "maxItems": 16, "items": b64 }, "deliveries": { "type": "array", "maxItems": 128, "items": b64 } }), &["after", "entries"]),
        "PendingMemberInfo": object(json!({ "user": ulid, "email": string, "role": role, "invited_by": ulid, "accepted_at": int, "identity": { "type": ["string", "null"], "contentEncoding": "base64" } }), &["user", "email", "role", "invited_by", "accepted_at", "identity"]),
        "DirectoryEntry": object(json!({ "user": ulid, "role": role, "identity": b64, "devices": { "type": "array", "items": { "$ref": "#/components/schemas/DeviceInfo" } } }), &["user", "role", "identity", "devices"]),
        "EnrolmentUpload": object(json!({ "nameplate": nameplate, "request": b64 }), &["nameplate", "request"]),
        "EnrolmentInfo": object(json!({ "nameplate": nameplate, "request": b64, "answer": { "type": ["string", "null"], "contentEncoding": "base64" }, "expires_at": int }), &["nameplate", "request", "answer", "expires_at"]),
        "EnrolmentAnswer": object(json!({ "answer": b64 }), &["answer"]),
        "DeviceRevocationUpload": object(json!({ "revocation": b64 }), &["revocation"]),
        "OrgInfo": object(json!({ "id": ulid, "name": string, "role": role, "created_at": int, "pending": boolean }), &["id", "name", "role", "created_at", "pending"]),
        "MemberInfo": object(json!({ "user": ulid, "email": string, "role": role, "joined_at": int, "identity": { "type": ["string", "null"], "contentEncoding": "base64" } }), &["user", "email", "role", "joined_at", "identity"]),
        "RoleChange": object(json!({ "role": role }), &["role"]),
        "TransferOwnership": object(json!({ "to": ulid }), &["to"]),
        "NewInvitation": object(json!({ "email": email, "role": role }), &["email", "role"]),
        "InvitationInfo": object(json!({ "id": ulid, "email": string, "role": role, "invited_by": ulid, "created_at": int, "expires_at": int }), &["id", "email", "role", "invited_by", "created_at", "expires_at"]),
        "AuditInfo": object(json!({ "id": ulid, "at": int, "actor": ulid, "actor_email": nullable_string, "session": nullable_ulid, "action": string, "detail": string }), &["id", "at", "actor", "actor_email", "session", "action", "detail"]),
    });
    Json(json!({
        "openapi": "3.1.0",
        "info": {
            "title": "Stint sync server",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "Accounts, sign-in, sessions and organizations. Every error is JSON: {\"error\": {\"code\", \"message\"}}.",
        },
        "servers": [{ "url": state.config.public_url }],
        "paths": paths,
        "components": {
            "schemas": schemas,
            "securitySchemes": { "session": { "type": "http", "scheme": "bearer" } },
        },
    }))
}

#[cfg(test)]
mod tests {
    use super::OPERATIONS;
    use std::collections::BTreeSet;

    /// Every `.route(…)` in the router, read from its source: (method, path).
    fn routed() -> BTreeSet<(String, String)> {
        let source = include_str!("app.rs");
        let mut routes = BTreeSet::new();
        for chunk in source.split(".route(").skip(1) {
            let chunk = chunk.split(".layer(").next().unwrap_or(chunk);
            let path = chunk.split('"').nth(1).expect("a path").to_owned();
            let rest = &chunk[chunk.find(',').expect("a method router")..];
            for method in ["get", "post", "patch", "delete", "put"] {
                for sep in [" ", "(", "."] {
                    if rest.contains(&format!("{sep}{method}(")) {
                        routes.insert((method.to_owned(), path.clone()));
                    }
                }
            }
        }
        routes
    }

    #[test]
    fn the_document_lists_exactly_the_routes_the_router_serves() {
        let documented: BTreeSet<(String, String)> = OPERATIONS
            .iter()
            .map(|op| (op.method.to_owned(), op.path.to_owned()))
            .collect();
        let routed = routed();
        assert!(
            routed.len() > 30,
            "the source scan found the routes: {routed:?}"
        );
        assert_eq!(
            documented.difference(&routed).collect::<Vec<_>>(),
            Vec::<&(String, String)>::new(),
            "documented but not routed"
        );
        assert_eq!(
            routed.difference(&documented).collect::<Vec<_>>(),
            Vec::<&(String, String)>::new(),
            "routed but not documented"
        );
    }
}
