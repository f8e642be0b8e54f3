//! What the desktop app, the CLI and the sync server send each other: plain serde types, versioned by
//! the path prefix [`API`]. The server never receives user content in these types; records travel as
//! sealed envelopes (a later part of the protocol).
//!
//! Every error the server returns has the body [`ErrorBody`]: a stable machine-readable `code` and a
//! human message.

pub mod sync;

use serde::{Deserialize, Serialize};
pub use stint_domain::Role;
use ulid::Ulid;

/// The path prefix of version 1 of the API.
pub const API: &str = "/api/v1";

/// A moment, as seconds since the Unix epoch (UTC).
pub type UnixSeconds = i64;

/// The body of every error response.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

/// A stable `code` for programs (`invalid_request`, `unauthorized`, `rate_limited`, …) and a message
/// for people.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorDetail {
    pub code: String,
    pub message: String,
}

/// `POST /api/v1/accounts`: create an account. A verification link goes to the address; signing in
/// waits for it.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SignUp {
    pub email: String,
    pub password: String,
}

/// The reply to requests whose outcome arrives by email ([`SignUp`], [`ForgotPassword`]): the same
/// whether or not the address already has an account, so that no one learns which addresses do.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckEmail {
    pub message: String,
}

/// A request that carries only the token from an email (confirming an account's deletion, accepting
/// an invitation).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EmailToken {
    pub token: String,
}

/// `POST /api/v1/accounts/verify`: the token from the confirmation email, and the password chosen at
/// that sign-up. Only both together confirm the address, so whoever confirms it owns the only
/// password: a stranger who signed up first with the address gets nothing.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VerifyEmail {
    pub token: String,
    pub password: String,
    /// The name of a passkey to add as the account is confirmed (the sign-up page asks for one
    /// when the browser has passkeys): the reply then carries its registration ceremony, to be
    /// finished at `POST /api/v1/accounts/verify/passkey` within five minutes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub passkey: Option<String>,
}

/// The reply to [`VerifyEmail`]: the address is confirmed; with `passkey`, the options for
/// `navigator.credentials.create` (none when this server has no passkeys: an IP address).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct EmailVerified {
    pub message: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub passkey: Option<CeremonyStart>,
}

/// `POST /api/v1/sessions`: sign in with email and password.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PasswordSignIn {
    pub email: String,
    pub password: String,
    /// What the person calls this device ("Jane's laptop"), shown in the session list.
    pub device: String,
}

/// The reply to [`PasswordSignIn`]: a session, or a request for the second factor.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum SignInReply {
    SignedIn(SessionGrant),
    /// The password was right; send a TOTP or recovery code with this challenge to
    /// `POST /api/v1/sessions/second-factor` within five minutes.
    SecondFactor {
        challenge: String,
    },
    /// The password was right and the account has no second factor: a password alone never signs
    /// in, so a one-time code went to the account's email. Send it with this challenge to
    /// `POST /api/v1/sessions/email-code` within ten minutes (five tries).
    EmailCode {
        challenge: String,
    },
}

/// `POST /api/v1/sessions/current/step-up`: the password again, and where two-factor sign-in is on
/// exactly one of `code` and `recovery_code`, so that this session may make sensitive changes for
/// the next few minutes.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StepUp {
    pub password: String,
    #[serde(default)]
    pub code: Option<String>,
    #[serde(default)]
    pub recovery_code: Option<String>,
}

/// `POST /api/v1/sessions/second-factor`: exactly one of `code` and `recovery_code`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SecondFactor {
    pub challenge: String,
    #[serde(default)]
    pub code: Option<String>,
    #[serde(default)]
    pub recovery_code: Option<String>,
}

/// `POST /api/v1/cli/sign-in`: the CLI's programmatic sign-in, step one (the same body as
/// [`PasswordSignIn`]). A right password sends a one-time code to the account's email.
pub type CliSignIn = PasswordSignIn;

/// The reply to [`CliSignIn`]: send the emailed code (and, if `second_factor`, a TOTP or recovery
/// code) with this challenge to `POST /api/v1/cli/sign-in/confirm` within ten minutes.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CliChallenge {
    pub challenge: String,
    /// The account has two-factor sign-in on: a TOTP or recovery code is needed as well.
    pub second_factor: bool,
    pub message: String,
}

/// `POST /api/v1/cli/sign-in/confirm`: the emailed code and, for accounts with two-factor sign-in,
/// at most one of `code` and `recovery_code`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CliConfirm {
    pub challenge: String,
    pub email_code: String,
    #[serde(default)]
    pub code: Option<String>,
    #[serde(default)]
    pub recovery_code: Option<String>,
}

/// A new session. The token is shown only here; the server keeps its hash.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SessionGrant {
    pub session: Ulid,
    pub token: String,
    pub expires_at: UnixSeconds,
}

/// `GET /api/v1/account`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Account {
    pub id: Ulid,
    pub email: String,
    pub email_verified: bool,
    /// False for passkey-only accounts.
    pub has_password: bool,
    pub totp_enabled: bool,
    pub passkeys: u32,
    pub recovery_codes_left: u32,
    pub created_at: UnixSeconds,
}

/// `POST /api/v1/account/totp`: a new secret to scan; it is active only once a code from it is
/// confirmed.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TotpEnrollment {
    /// Base32, for typing into an authenticator by hand.
    pub secret: String,
    pub otpauth_uri: String,
    /// The `otpauth_uri` as a QR code, an SVG document.
    pub qr_svg: String,
}

/// `POST /api/v1/account/totp/confirm`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TotpCode {
    pub code: String,
}

/// Ten single-use recovery codes, shown once.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RecoveryCodes {
    pub codes: Vec<String>,
}

/// `POST /api/v1/account/totp/disable`: a fresh second factor, exactly one of the two.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FreshFactor {
    #[serde(default)]
    pub code: Option<String>,
    #[serde(default)]
    pub recovery_code: Option<String>,
}

/// One row of `GET /api/v1/sessions`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionInfo {
    pub id: Ulid,
    pub device: String,
    pub created_at: UnixSeconds,
    pub last_seen_at: UnixSeconds,
    pub expires_at: UnixSeconds,
    /// The session this request was made with.
    pub current: bool,
}

/// `POST /api/v1/password/forgot`: always answered 202, whether or not the address has an account.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ForgotPassword {
    pub email: String,
}

/// `POST /api/v1/password/reset`: the token from the email and the new password. Every session of
/// the account ends.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ResetPassword {
    pub token: String,
    pub password: String,
}

/// `PATCH /api/v1/orgs/{org}`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OrgName {
    pub name: String,
}

/// `POST /api/v1/orgs`. A device publishing an organization it made offline proposes the id it
/// already uses (bound into its records' envelopes); without one the server mints an id.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewOrg {
    pub name: String,
    #[serde(default)]
    pub id: Option<Ulid>,
}

/// An organization as one of its members sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrgInfo {
    pub id: Ulid,
    pub name: String,
    /// The caller's role in it.
    pub role: Role,
    pub created_at: UnixSeconds,
    /// The caller accepted an invitation and waits for an Owner or Admin to confirm them by
    /// fingerprint: until then they can neither pull nor push.
    #[serde(default)]
    pub pending: bool,
}

/// One row of `GET /api/v1/orgs/{org}/members`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MemberInfo {
    pub user: Ulid,
    pub email: String,
    pub role: Role,
    pub joined_at: UnixSeconds,
    /// The member's published identity (81 bytes, base64), once their account set one up.
    #[serde(default)]
    pub identity: Option<String>,
}

/// One row of `GET /api/v1/orgs/{org}/members/pending`: someone who accepted an invitation and
/// waits to be confirmed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PendingMemberInfo {
    pub user: Ulid,
    pub email: String,
    pub role: Role,
    pub invited_by: Ulid,
    pub accepted_at: UnixSeconds,
    /// Their published identity (81 bytes, base64), whose fingerprint the confirming person
    /// compares with the one the newcomer reads out; none until their account set one up (then
    /// they cannot be confirmed into an organization that has keys).
    pub identity: Option<String>,
}

/// One row of `GET /api/v1/orgs/{org}/directory`: a confirmed member's published identity and
/// devices, so that every device can check who wrote what it receives.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DirectoryEntry {
    pub user: Ulid,
    pub role: Role,
    /// The published identity (81 bytes, base64).
    pub identity: String,
    pub devices: Vec<DeviceInfo>,
}

/// `PATCH /api/v1/orgs/{org}/members/{user}`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RoleChange {
    pub role: Role,
}

/// `POST /api/v1/orgs/{org}/transfer`: make another member the Owner; the caller becomes an Admin.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TransferOwnership {
    pub to: Ulid,
}

/// `POST /api/v1/orgs/{org}/invitations`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewInvitation {
    pub email: String,
    pub role: Role,
}

/// A pending invitation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InvitationInfo {
    pub id: Ulid,
    pub email: String,
    pub role: Role,
    pub invited_by: Ulid,
    pub created_at: UnixSeconds,
    pub expires_at: UnixSeconds,
}

/// One entry of `GET /api/v1/orgs/{org}/audit`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditInfo {
    pub id: Ulid,
    pub at: UnixSeconds,
    pub actor: Ulid,
    /// The actor's email now, if the account still exists.
    pub actor_email: Option<String>,
    /// The session the action came from.
    pub session: Option<Ulid>,
    pub action: String,
    pub detail: String,
}

/// `POST /api/v1/passkeys/register/start`: what to call the new passkey ("YubiKey", "Phone").
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PasskeyName {
    pub name: String,
}

/// The start of a WebAuthn ceremony: its id (send it back with the result) and the options to
/// pass to `navigator.credentials.create` or `.get` (`publicKey`, base64url-encoded buffers).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CeremonyStart {
    pub ceremony: String,
    pub options: serde_json::Value,
}

/// `POST /api/v1/passkeys/register/finish`: the authenticator's answer, as JSON.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PasskeyRegistration {
    pub ceremony: String,
    pub credential: serde_json::Value,
}

/// `POST /api/v1/passkeys/sign-in/start`: with an email, that account's passkeys are asked for;
/// without, any passkey of this site (a discoverable credential: no username typed).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PasskeySignInStart {
    #[serde(default)]
    pub email: Option<String>,
}

/// `POST /api/v1/passkeys/sign-in/finish`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PasskeySignIn {
    pub ceremony: String,
    pub credential: serde_json::Value,
    pub device: String,
}

/// One of the account's passkeys.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PasskeyInfo {
    pub id: Ulid,
    pub name: String,
    pub created_at: UnixSeconds,
    pub last_used_at: Option<UnixSeconds>,
}

/// `POST /api/v1/authorize` (signed in, from the sign-in page): a single-use code for the desktop
/// app waiting on its loopback redirect (RFC 8252), bound to its PKCE challenge (RFC 7636, S256).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Authorize {
    /// `http://127.0.0.1:<port>/…` or `http://[::1]:<port>/…`.
    pub redirect_uri: String,
    pub state: String,
    pub code_challenge: String,
    pub code_challenge_method: String,
    /// The app's name for this device, for the session list.
    pub device: String,
}

/// Where the sign-in page sends the browser next: the redirect with `code` and `state`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Redirect {
    pub location: String,
}

/// `POST /api/v1/token`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "grant_type", rename_all = "snake_case", deny_unknown_fields)]
pub enum TokenRequest {
    /// The code from the redirect, the PKCE verifier, and the same redirect.
    AuthorizationCode {
        code: String,
        code_verifier: String,
        redirect_uri: String,
    },
    /// A refresh token; it is replaced by a new one, and presenting it again ends the session.
    RefreshToken { refresh_token: String },
}

/// The reply to [`TokenRequest`]: a short-lived access token (send it as `Authorization: Bearer`)
/// and a refresh token for the next one.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TokenGrant {
    pub session: Ulid,
    pub access_token: String,
    pub refresh_token: String,
    pub token_type: String,
    /// Seconds the access token is valid.
    pub expires_in: i64,
}

/// `POST /api/v1/orgs/{org}/tokens`: an API token for the caller, in this organization only.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewApiToken {
    pub name: String,
    /// At most the caller's own role (the default).
    #[serde(default)]
    pub role: Option<Role>,
    /// Only reads (GET). Viewers' tokens always are.
    #[serde(default)]
    pub read_only: bool,
    /// When it stops working; never, without.
    #[serde(default)]
    pub expires_at: Option<UnixSeconds>,
}

/// An API token as listed (never the token itself).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiTokenInfo {
    pub id: Ulid,
    pub user: Ulid,
    pub name: String,
    pub role: Role,
    pub read_only: bool,
    pub created_at: UnixSeconds,
    pub expires_at: Option<UnixSeconds>,
    pub last_used_at: Option<UnixSeconds>,
}

/// A new API token: shown here once; the server keeps only its hash.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CreatedApiToken {
    pub token: String,
    pub info: ApiTokenInfo,
}

/// `GET /healthz`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Health {
    pub status: String,
    pub storage: String,
    pub version: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sign_in_replies_are_tagged_by_status() {
        let reply = SignInReply::SecondFactor {
            challenge: "abc".into(),
        };
        assert_eq!(
            serde_json::to_string(&reply).unwrap(),
            r#"{"status":"second_factor","challenge":"abc"}"#
        );
        let grant: SignInReply = serde_json::from_str(
            r#"{"status":"signed_in","session":"01JDZ6Y1V3W0000000000000AA","token":"t","expires_at":5}"#,
        )
        .unwrap();
        assert!(matches!(grant, SignInReply::SignedIn(g) if g.expires_at == 5));
    }

    #[test]
    fn requests_refuse_unknown_fields() {
        let err =
            serde_json::from_str::<SignUp>(r#"{"email":"a@b.c","password":"x","admin":true}"#)
                .unwrap_err();
        assert!(err.to_string().contains("unknown field `admin`"), "{err}");
    }
}

/// `PUT /api/v1/identity`: the account's published identity and its keys, wrapped, once
/// (docs/formats.md, "Identity"). Byte strings are standard base64. The server checks their shapes
/// and that `public` names the account; it cannot open either wrapped key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IdentityUpload {
    /// The published identity (81 bytes).
    pub public: String,
    /// The account key wrapped under the recovery key (73 bytes).
    pub wrapped_account_key: String,
    /// The identity keys wrapped under the account key (163 bytes).
    pub wrapped_identity_keys: String,
}

/// `GET /api/v1/identity`: what `PUT` stored, for a device restoring from the recovery key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IdentityInfo {
    pub public: String,
    pub wrapped_account_key: String,
    pub wrapped_identity_keys: String,
    pub created_at: UnixSeconds,
}

/// `PUT /api/v1/identity/recovery`: the account key wrapped under a new recovery key (73 bytes,
/// base64), replacing the copy the old key opened.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RecoveryUpload {
    pub wrapped_account_key: String,
}

/// `POST /api/v1/devices`: a device certificate (169 bytes, base64) the account's identity key
/// signed, and a label the client may have sealed (at most 512 bytes, base64; opaque to the server).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeviceUpload {
    pub certificate: String,
    pub label: String,
}

/// One row of `GET /api/v1/devices`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeviceInfo {
    /// The device's id, 32 lowercase hex digits (as in envelope headers).
    pub device: String,
    pub certificate: String,
    pub label: String,
    pub created_at: UnixSeconds,
    pub revoked_at: Option<UnixSeconds>,
    /// The signed revocation (105 bytes, base64), once revoked.
    pub revocation: Option<String>,
    /// When a request last named this device in its [`DEVICE_HEADER`] (to the minute, by the
    /// server's clock). Only the account's own list has it: an organization's directory leaves
    /// it out, so members do not learn when each other's devices are online.
    #[serde(default)]
    pub last_seen_at: Option<UnixSeconds>,
}

/// The header in which a device names itself (its id, 32 hex digits) on a signed-in request, so
/// that the account's device list can say when each was last seen.
pub const DEVICE_HEADER: &str = "stint-device";

/// `PUT /api/v1/devices/{id}/label`: a device's new label (sealed by the client, at most 512
/// bytes, base64; opaque to the server).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeviceLabelUpload {
    pub label: String,
}

/// `POST /api/v1/enrolments`: a new device asks to be enrolled (docs/formats.md, "Enrolment"): its
/// request (114 bytes, base64) under the nameplate of the code it shows (three digits).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EnrolmentUpload {
    pub nameplate: u16,
    pub request: String,
}

/// `GET /api/v1/enrolments/{nameplate}`: a live request of the account and, once an enrolled device
/// answered, its answer (106 bytes, base64).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EnrolmentInfo {
    pub nameplate: u16,
    pub request: String,
    pub answer: Option<String>,
    pub expires_at: UnixSeconds,
}

/// `PUT /api/v1/enrolments/{nameplate}/answer`: an enrolled device's answer, once.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EnrolmentAnswer {
    pub answer: String,
}

/// `POST /api/v1/devices/{id}/revoke`: a revocation the identity key signed (105 bytes, base64).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeviceRevocationUpload {
    pub revocation: String,
}

/// Organization keys as key deliveries (docs/formats.md, "Key delivery": 223 bytes each, base64),
/// each sealed to one member's identity and signed by the identity of whoever sealed it:
/// `PUT /api/v1/orgs/{org}/keys` (the caller's own, for their other devices), its `GET` (those
/// delivered to the caller), and `POST /api/v1/orgs/{org}/members/{user}/confirm` (those an Owner
/// or Admin hands to the member they confirm). At most 16.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KeyDeliveries {
    pub deliveries: Vec<String>,
}

/// `GET /api/v1/orgs/{org}/membership?after=N`: the organization's membership log entries after
/// the first `N` (docs/formats.md, "Membership log entry"), base64, in order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MembershipLog {
    pub entries: Vec<String>,
}

/// `POST /api/v1/orgs/{org}/membership`: entries for the end of the membership log, each signed
/// by the caller's identity, with the key deliveries they call for (docs/sync.md, "Joining a
/// team" and "Removal and role changes"). `after` is how many entries the caller's device has
/// checked: if the log grew meanwhile, `409 log_moved`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MembershipAppend {
    pub after: u32,
    pub entries: Vec<String>,
    #[serde(default)]
    pub deliveries: Vec<String>,
}

/// `POST /api/v1/orgs/{org}/invoice-numbers`: the next number of a series for an invoice being
/// issued (docs/sync.md, "Invoice numbers").
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InvoiceNumberRequest {
    /// The series' keyed hash (docs/formats.md, "Invoice series"), 64 lowercase hex digits.
    pub series: String,
    /// The invoice being issued: asking again for it gives the same number.
    pub invoice: Ulid,
    /// The last number the asking device knows of in this series (numbers issued before the
    /// organization was published): the series continues after it.
    pub after: u64,
}

/// The answer: the invoice's number in its series.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InvoiceNumber {
    pub number: u64,
}
