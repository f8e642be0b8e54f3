//! Where the server keeps what it must: accounts, sessions, second factors, counters. One trait,
//! [`Store`], with two implementations over the same SQL: the embedded SQLite default
//! ([`sqlite`]) and PostgreSQL ([`postgres`]) for several instances sharing one database.
//!
//! Everything that must hold across processes lives here, rate counters and lockouts included, so
//! that two server instances on one PostgreSQL enforce the same limits. Secrets are stored only as
//! SHA-256 hashes (tokens, codes) or Argon2id hashes (passwords), and TOTP secrets encrypted under the
//! server key.

use async_trait::async_trait;
use stint_domain::Role;
use ulid::Ulid;

pub mod enrolments;
pub mod postgres;
mod sql;
pub mod sqlite;
pub mod sync;

/// What can go wrong below the API. The API answers these in general terms and logs the detail.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("{0} already exists")]
    Conflict(&'static str),
    #[error("database: {0}")]
    Database(#[from] sqlx::Error),
    #[error("database migration: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("stored data is damaged: {0}")]
    Corrupt(String),
    #[error("{0}")]
    Io(#[from] std::io::Error),
    /// The change would leave an organization without an owner.
    #[error("an organization needs at least one owner")]
    LastOwner,
    #[error("no such {0}")]
    NotFound(&'static str),
    /// What a change was based on changed meanwhile (another request got there first).
    #[error("the {0} changed meanwhile")]
    Changed(&'static str),
}

pub type StoreResult<T> = Result<T, StoreError>;

/// An account as stored.
#[derive(Debug, Clone)]
pub struct User {
    pub id: Ulid,
    /// Lower-cased and trimmed: the unique key.
    pub email: String,
    /// Argon2id PHC string; `None` for passkey-only accounts.
    pub password_hash: Option<String>,
    pub email_verified_at: Option<i64>,
    /// Nonce and ciphertext under the server key; present during enrollment and once enabled.
    pub totp_secret: Option<Vec<u8>>,
    pub totp_enabled_at: Option<i64>,
    pub created_at: i64,
}

/// A session as stored (the token itself is not: only its hash).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    pub id: Ulid,
    pub user: Ulid,
    pub device: String,
    pub created_at: i64,
    pub last_seen_at: i64,
    pub expires_at: i64,
}

/// What a single-use emailed token is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenPurpose {
    VerifyEmail,
    ResetPassword,
    DeleteAccount,
}

impl TokenPurpose {
    pub fn as_str(self) -> &'static str {
        match self {
            TokenPurpose::VerifyEmail => "verify_email",
            TokenPurpose::ResetPassword => "reset_password",
            TokenPurpose::DeleteAccount => "delete_account",
        }
    }
}

/// An organization in the registry. Its name is the one plaintext the server keeps about it (shown
/// in invitations); everything inside the organization reaches the server sealed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Org {
    pub id: Ulid,
    pub name: String,
    pub created_at: i64,
}

/// A member of an organization.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Member {
    pub user: Ulid,
    pub role: Role,
    pub joined_at: i64,
}

/// Someone who accepted an invitation and waits for an Owner or Admin to confirm them by their
/// identity's fingerprint: not a member yet (no pull, no push, no keys).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PendingMember {
    pub user: Ulid,
    pub role: Role,
    pub invited_by: Ulid,
    pub accepted_at: i64,
}

/// An invitation to join an organization with a role, by email, single use and expiring.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invitation {
    pub id: Ulid,
    pub email: String,
    pub role: Role,
    pub invited_by: Ulid,
    pub created_at: i64,
    pub expires_at: i64,
}

/// One administrative action: who, what, when, from which session. No address is recorded. Its
/// id comes from [`ordered_id`], so the log lists two entries of one millisecond in the order they
/// happened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditEntry {
    pub id: Ulid,
    pub at: i64,
    pub actor: Ulid,
    pub session: Option<Ulid>,
    pub action: String,
    pub detail: String,
}

/// A registered passkey: webauthn-rs's credential as JSON (public key, counter, flags; no secret).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PasskeyRow {
    pub id: Ulid,
    pub user: Ulid,
    pub credential_id: Vec<u8>,
    pub name: String,
    pub passkey: String,
    pub created_at: i64,
    pub last_used_at: Option<i64>,
}

/// What a single-use desktop hand-off code was issued for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Handoff {
    pub user: Ulid,
    /// The PKCE S256 challenge (base64url).
    pub challenge: String,
    pub redirect_uri: String,
    pub device: String,
}

/// The outcome of presenting a refresh token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refresh {
    /// The session, with its new tokens stored.
    Rotated(Session),
    /// A refresh token that was already used: the session has been ended.
    Reused,
    Unknown,
}

/// An API token of an organization (the token itself is kept only as a hash).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiToken {
    pub id: Ulid,
    /// Who made it; it acts as them, within `role`.
    pub user: Ulid,
    pub name: String,
    /// At most its creator's role when made; it acts with the lower of this and their role now.
    pub role: Role,
    pub read_only: bool,
    pub created_at: i64,
    pub expires_at: Option<i64>,
    pub last_used_at: Option<i64>,
}

/// A failure counter after one more failure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Failures {
    pub count: i64,
}

/// The storage of the server.
#[async_trait]
pub trait Store: sync::SyncStore + enrolments::EnrolmentStore + Send + Sync + 'static {
    /// `sqlite` or `postgres`.
    fn kind(&self) -> &'static str;
    /// A trivial query: is the database answering?
    async fn ping(&self) -> StoreResult<()>;
    /// Closes every connection and waits for them to end (SQLite checkpoints and removes its
    /// WALs): the last thing a stopping server does.
    async fn close(&self);

    async fn create_user(&self, user: &User) -> StoreResult<()>;
    async fn user(&self, id: Ulid) -> StoreResult<Option<User>>;
    async fn user_by_email(&self, email: &str) -> StoreResult<Option<User>>;
    async fn set_email_verified(&self, id: Ulid, at: i64) -> StoreResult<()>;
    async fn set_password(&self, id: Ulid, hash: &str) -> StoreResult<()>;

    async fn create_email_token(
        &self,
        hash: &[u8],
        user: Ulid,
        purpose: TokenPurpose,
        expires_at: i64,
    ) -> StoreResult<()>;
    /// Uses an unexpired, unused token of this purpose, once: its account, or `None`.
    async fn take_email_token(
        &self,
        hash: &[u8],
        purpose: TokenPurpose,
        now: i64,
    ) -> StoreResult<Option<Ulid>>;

    /// A sign-up waiting for its address: the verification token, and the password chosen with it,
    /// which becomes the account's only when this token confirms the address.
    async fn create_sign_up(
        &self,
        token_hash: &[u8],
        user: Ulid,
        password_hash: &str,
        expires_at: i64,
    ) -> StoreResult<()>;
    /// The password hash of the user's newest pending sign-up.
    async fn newest_sign_up(&self, user: Ulid, now: i64) -> StoreResult<Option<String>>;
    /// A pending sign-up by its token, without using it: the user, and the password chosen with it
    /// (`None` for a sign-up made before passwords waited beside their tokens).
    async fn sign_up_by_token(
        &self,
        token_hash: &[u8],
        now: i64,
    ) -> StoreResult<Option<(Ulid, Option<String>)>>;
    /// Confirms the address with this pending sign-up, at once: the token is used, every other
    /// pending sign-up of the user dies, and the password (if given) becomes the account's. False if
    /// the token was used or the address confirmed meanwhile.
    async fn confirm_sign_up(
        &self,
        token_hash: &[u8],
        user: Ulid,
        password_hash: Option<&str>,
        now: i64,
    ) -> StoreResult<bool>;
    /// When the session's holder last proved who they are (signing in, or a step-up); `None` for
    /// a session that does not exist.
    async fn session_proved_at(&self, id: Ulid) -> StoreResult<Option<i64>>;
    /// Records a fresh proof for a live session.
    async fn prove_session(&self, id: Ulid, at: i64) -> StoreResult<()>;
    async fn create_session(&self, session: &Session, token_hash: &[u8]) -> StoreResult<()>;
    /// A live session by its token's hash, its last-seen time refreshed (at most once a minute).
    async fn session_by_token(&self, hash: &[u8], now: i64) -> StoreResult<Option<Session>>;
    /// The account's live sessions, newest first.
    async fn sessions(&self, user: Ulid, now: i64) -> StoreResult<Vec<Session>>;
    /// Ends one session of this account; `false` if there was no such live session.
    async fn revoke_session(&self, user: Ulid, id: Ulid, now: i64) -> StoreResult<bool>;
    /// Ends every session of the account.
    async fn revoke_sessions(&self, user: Ulid, now: i64) -> StoreResult<()>;

    /// Stores a new TOTP secret awaiting confirmation (replacing one awaiting confirmation).
    /// Refused with `Conflict` while TOTP is enabled.
    async fn set_pending_totp(&self, user: Ulid, secret: &[u8]) -> StoreResult<()>;
    /// Turns the pending secret on, with the step that confirmed it and the recovery codes' hashes,
    /// in one transaction.
    async fn enable_totp(
        &self,
        user: Ulid,
        at: i64,
        step: i64,
        recovery: &[Vec<u8>],
    ) -> StoreResult<()>;
    /// Turns TOTP off and forgets the secret and every recovery code.
    async fn disable_totp(&self, user: Ulid) -> StoreResult<()>;
    /// Accepts a TOTP step only if it is later than the last accepted one: the atomic replay guard.
    async fn accept_totp_step(&self, user: Ulid, step: i64) -> StoreResult<bool>;
    /// Uses an unused recovery code once.
    async fn use_recovery_code(&self, user: Ulid, hash: &[u8], now: i64) -> StoreResult<bool>;
    async fn recovery_codes_left(&self, user: Ulid) -> StoreResult<u32>;
    /// Recovery codes still kept as a bare digest (from before they were keyed tags).
    async fn unkeyed_recovery_codes(&self) -> StoreResult<Vec<(Ulid, Vec<u8>)>>;
    /// Replaces one bare digest by its keyed tag.
    async fn key_recovery_code(&self, user: Ulid, digest: &[u8], tag: &[u8]) -> StoreResult<()>;

    async fn create_challenge(
        &self,
        hash: &[u8],
        user: Ulid,
        device: &str,
        expires_at: i64,
    ) -> StoreResult<()>;
    /// The account and device name of an unexpired sign-in challenge.
    async fn challenge(&self, hash: &[u8], now: i64) -> StoreResult<Option<(Ulid, String)>>;
    /// Deletes a challenge; `true` for the one caller that deleted it.
    async fn finish_challenge(&self, hash: &[u8]) -> StoreResult<bool>;

    /// A CLI sign-in waiting for the code emailed to the account (`code_tag`: its keyed tag).
    async fn create_code_challenge(
        &self,
        hash: &[u8],
        user: Ulid,
        device: &str,
        code_tag: &str,
        expires_at: i64,
    ) -> StoreResult<()>;
    /// Counts one try at an unexpired code challenge with fewer than `max_attempts` tries so far,
    /// and gives its account, device name and code tag; `None` once expired or out of tries.
    async fn try_code_challenge(
        &self,
        hash: &[u8],
        now: i64,
        max_attempts: i64,
    ) -> StoreResult<Option<(Ulid, String, String)>>;
    /// Deletes a code challenge; `true` for the one caller that deleted it.
    async fn finish_code_challenge(&self, hash: &[u8]) -> StoreResult<bool>;

    /// Counts one request against `key` in a fixed window of `window` seconds: the hits so far in
    /// this window, and when the window began.
    async fn hit(&self, key: &str, now: i64, window: i64) -> StoreResult<(i64, i64)>;
    /// Counts a failure against `key`; a failure more than `forget_after` seconds after the last one
    /// starts the count again.
    async fn record_failure(&self, key: &str, now: i64, forget_after: i64)
    -> StoreResult<Failures>;
    async fn lock_until(&self, key: &str, until: i64) -> StoreResult<()>;
    /// Until when `key` is locked out (0 when it is not).
    async fn locked_until(&self, key: &str) -> StoreResult<i64>;
    async fn clear_failures(&self, key: &str) -> StoreResult<()>;

    async fn create_handoff(
        &self,
        code_hash: &[u8],
        handoff: &Handoff,
        expires_at: i64,
    ) -> StoreResult<()>;
    /// Uses an unexpired hand-off code, once.
    async fn take_handoff(&self, code_hash: &[u8], now: i64) -> StoreResult<Option<Handoff>>;
    /// A desktop app's session: a short-lived access token and a refresh token.
    async fn create_app_session(
        &self,
        session: &Session,
        access_hash: &[u8],
        refresh_hash: &[u8],
        access_expires_at: i64,
    ) -> StoreResult<()>;
    /// Swaps a live refresh token for new tokens; a refresh token presented a second time ends its
    /// session.
    async fn refresh_session(
        &self,
        refresh_hash: &[u8],
        new_access_hash: &[u8],
        new_refresh_hash: &[u8],
        access_expires_at: i64,
        expires_at: i64,
        now: i64,
    ) -> StoreResult<Refresh>;

    /// Keeps a WebAuthn ceremony's state (JSON) until it finishes or expires.
    async fn create_ceremony(
        &self,
        id: &[u8],
        user: Option<Ulid>,
        kind: &str,
        state: &str,
        expires_at: i64,
    ) -> StoreResult<()>;
    /// Takes a ceremony's state, once: the account it was for (if any) and the state.
    async fn take_ceremony(
        &self,
        id: &[u8],
        kind: &str,
        now: i64,
    ) -> StoreResult<Option<(Option<Ulid>, String)>>;
    /// Refused with `Conflict` for a credential already registered.
    async fn add_passkey(&self, passkey: &PasskeyRow) -> StoreResult<()>;
    async fn passkeys(&self, user: Ulid) -> StoreResult<Vec<PasskeyRow>>;
    async fn passkey_by_credential(&self, credential_id: &[u8]) -> StoreResult<Option<PasskeyRow>>;
    /// Stores the credential's updated state (its signature counter) after a sign-in.
    async fn touch_passkey(&self, id: Ulid, passkey: &str, at: i64) -> StoreResult<()>;
    async fn delete_passkey(&self, user: Ulid, id: Ulid) -> StoreResult<bool>;
    /// Deletes the account and everything kept for it in `server.db` (sessions, codes, passkeys,
    /// the membership index). Organizations' own rows are removed by the caller first.
    async fn delete_user(&self, user: Ulid) -> StoreResult<()>;
    /// Makes the account passkey-only.
    async fn remove_password(&self, user: Ulid) -> StoreResult<()>;

    /// Accounts by id (for showing members' addresses); unknown ids are left out.
    async fn users(&self, ids: &[Ulid]) -> StoreResult<Vec<User>>;

    /// Creates an organization with `owner` as its first Owner.
    async fn create_org(&self, org: &Org, owner: Ulid) -> StoreResult<()>;
    async fn org(&self, id: Ulid) -> StoreResult<Option<Org>>;
    async fn rename_org(&self, id: Ulid, name: &str) -> StoreResult<()>;
    /// Deletes the organization and everything stored for it.
    async fn delete_org(&self, id: Ulid) -> StoreResult<()>;
    /// The organizations an account belongs to, with its role in each, by name; `true` where it
    /// waits to be confirmed.
    async fn orgs_of(&self, user: Ulid) -> StoreResult<Vec<(Org, Role, bool)>>;

    async fn member(&self, org: Ulid, user: Ulid) -> StoreResult<Option<Member>>;
    async fn members(&self, org: Ulid) -> StoreResult<Vec<Member>>;
    /// Changes a role from `from` (the role the decision was made on) to `to`; refuses
    /// (`LastOwner`) to leave the organization without an owner, and (`Changed`) when the role is no
    /// longer `from`, both checked atomically with the change.
    async fn set_role(&self, org: Ulid, user: Ulid, from: Role, to: Role) -> StoreResult<()>;
    /// Removes a member whose role is still `from`, with the same guards, and revokes their API
    /// tokens for this organization for good (joining again does not bring them back).
    async fn remove_member(&self, org: Ulid, user: Ulid, from: Role, now: i64) -> StoreResult<()>;
    /// Makes `to` an Owner and `from` an Admin, in one transaction.
    async fn transfer_ownership(&self, org: Ulid, from: Ulid, to: Ulid) -> StoreResult<()>;

    async fn create_invitation(
        &self,
        org: Ulid,
        invitation: &Invitation,
        token_hash: &[u8],
    ) -> StoreResult<()>;
    /// Invitations neither accepted, revoked nor expired.
    async fn invitations(&self, org: Ulid, now: i64) -> StoreResult<Vec<Invitation>>;
    async fn revoke_invitation(&self, org: Ulid, id: Ulid, now: i64) -> StoreResult<bool>;
    /// Uses a pending invitation addressed to `email`, once, making `user` a *pending* member with
    /// its role (an existing member keeps their role; a pending one their first invitation's). The
    /// role, or `None` if no such invitation is open.
    async fn accept_invitation(
        &self,
        org: Ulid,
        token_hash: &[u8],
        email: &str,
        user: Ulid,
        now: i64,
    ) -> StoreResult<Option<Role>>;

    /// Those who accepted an invitation and wait to be confirmed, oldest first.
    async fn pending_members(&self, org: Ulid) -> StoreResult<Vec<PendingMember>>;
    /// Makes a pending member whose role is still `role` a member, with the keys an Owner or
    /// Admin (`by`) sealed to them, in one transaction: `NotFound` if nobody with that role waits.
    async fn confirm_member(
        &self,
        org: Ulid,
        user: Ulid,
        role: Role,
        keys: &[crate::store::sync::SealedKey],
        at: i64,
    ) -> StoreResult<()>;
    /// Forgets a pending member (the invitation was a mistake); whether one was waiting.
    async fn remove_pending(&self, org: Ulid, user: Ulid) -> StoreResult<bool>;

    async fn create_api_token(&self, org: Ulid, token: &ApiToken, hash: &[u8]) -> StoreResult<()>;
    /// A live (unrevoked, unexpired) token by its hash; its last use is recorded (once a minute).
    async fn api_token(&self, org: Ulid, hash: &[u8], now: i64) -> StoreResult<Option<ApiToken>>;
    /// Live tokens, of one member or (`None`) of everyone.
    async fn api_tokens(
        &self,
        org: Ulid,
        user: Option<Ulid>,
        now: i64,
    ) -> StoreResult<Vec<ApiToken>>;
    /// Revokes a token, if it belongs to `user` (or to anyone, for `None`).
    async fn revoke_api_token(
        &self,
        org: Ulid,
        id: Ulid,
        user: Option<Ulid>,
        now: i64,
    ) -> StoreResult<bool>;

    async fn audit(&self, org: Ulid, entry: &AuditEntry) -> StoreResult<()>;
    /// The newest entries first.
    async fn audit_log(&self, org: Ulid, limit: i64) -> StoreResult<Vec<AuditEntry>>;
}

/// An id greater than every id this process made with it before, even within one millisecond, where
/// `Ulid::generate` alone orders two ids at random. For what is listed in id order, oldest or newest
/// first: sessions, passkeys, invitations, API tokens, audit entries, the outbox's mails. Not for
/// anything that must be unguessable, since the next id of a millisecond is the last one plus one;
/// none of these ids is: each is only named by a caller already allowed to see it.
pub fn ordered_id() -> Ulid {
    static LAST: std::sync::Mutex<ulid::Generator> = std::sync::Mutex::new(ulid::Generator::new());
    let mut generator = LAST
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    match generator.generate() {
        Ok(id) => id,
        // 2^80 ids in one millisecond: borrow the next millisecond.
        Err(overflow) => overflow.commit_overflow_increment(),
    }
}

pub(crate) fn ulid(text: &str) -> StoreResult<Ulid> {
    text.parse()
        .map_err(|_| StoreError::Corrupt(format!("not an id: {text:?}")))
}

#[cfg(test)]
mod tests {
    use super::ordered_id;

    #[test]
    fn ordered_ids_increase_within_a_millisecond_and_across_threads() {
        let threads: Vec<_> = (0..4)
            .map(|_| std::thread::spawn(|| (0..5_000).map(|_| ordered_id()).collect::<Vec<_>>()))
            .collect();
        let mut all = Vec::new();
        for thread in threads {
            let ids = thread.join().unwrap();
            assert!(
                ids.windows(2).all(|w| w[0] < w[1]),
                "each thread sees them rise"
            );
            all.extend(ids);
        }
        let made = all.len();
        all.sort();
        all.dedup();
        assert_eq!(all.len(), made, "no id is made twice");
        // 20,000 ids take a few milliseconds at most, so many share one: that is the case at stake.
        let per_ms = all.chunk_by(|a, b| a.timestamp_ms() == b.timestamp_ms());
        assert!(per_ms.map(<[_]>::len).max().unwrap() > 1);
    }
}
