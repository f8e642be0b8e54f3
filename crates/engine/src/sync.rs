//! The device's side of sync, part 1 (docs/sync.md): one person's account on this device, their
//! organizations published under it, and records pushed and pulled through a [`Transport`] (the
//! HTTP client lives in `stint-sync`; the engine does no networking).
//!
//! What this device keeps (in the vault's settings and sealed secrets): the account id, the account
//! key (a sealed secret), the identity keys wrapped under the account key, and per organization the
//! sync cursor with the server's history id. Trust comes from the identity keys this device opened
//! itself: every certificate the server lists is checked against their public half, and every
//! received envelope against its author device's certificate, before anything is stored.

use std::collections::{HashMap, VecDeque};

use stint_crypto::{
    DeviceCertificate, EnvelopeRef, IdentityKeys, RecoveryKey, SealSecretKey, SigningKey,
    SymmetricKey, open_device_label, seal_device_label, unwrap_account_key, wrap_account_key,
};
use stint_domain::{AttachmentId, Compartment, EntryId, InvoiceId, Kind, MemberId, OrgId, Role};
use stint_protocol::sync::{MAX_BATCH, MAX_PUSH_BYTES, Outcome, PullPage};
use stint_vault::{Header, PageEnd, Unseen, Verified, Write, Zeroizing};

use crate::records::Record;
use crate::team::{Known, Sealers, Signers};
use crate::{Engine, EngineError, Result, UNLOADED, USER_SETTING};

/// The name the server's registry gets for a published organization: the organization's own name
/// travels only inside its sealed records.
pub const PUBLISHED_NAME: &str = "Synced organization";

const ACCOUNT_SETTING: &str = "sync.account";
const ACCOUNT_KEY_SECRET: &str = "sync.account-key";
/// A set-up's keys and recovery key, sealed, from before anything is uploaded until the recovery
/// key has been shown.
const PENDING_SETUP_SECRET: &str = "sync.pending-setup";
/// Characters of a recovery key's text, hyphens included.
const RECOVERY_TEXT_LEN: usize = 39;
const IDENTITY_SETTING: &str = "sync.identity";
const CERTIFICATE_SETTING: &str = "sync.certificate";

pub(crate) fn cursor_setting(org: OrgId) -> String {
    format!("sync.cursor.{org}")
}

/// A pull cursor as kept: the server's history id, then the last sequence number received
/// (big-endian), 24 bytes ([`Engine::cursor`] reads it).
fn cursor_value(history: [u8; 16], cursor: u64) -> Vec<u8> {
    [history.as_slice(), &cursor.to_be_bytes()].concat()
}

pub(crate) fn sync_error(what: impl std::fmt::Display) -> EngineError {
    EngineError::Sync(what.to_string())
}

/// What the account's identity looks like on the server (the `GET /api/v1/identity` body, bytes).
pub struct StoredIdentity {
    pub public: Vec<u8>,
    pub wrapped_account_key: Vec<u8>,
    pub wrapped_identity_keys: Vec<u8>,
}

/// A device of the account as the server lists it: nothing here is believed until the
/// certificate is checked against the account's identity, and the label opened.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ListedDevice {
    pub certificate: Vec<u8>,
    /// The device's name, sealed ([`stint_crypto::seal_device_label`]); empty if none was given.
    pub label: Vec<u8>,
    /// When the server last heard from it (Unix seconds, the server's clock).
    pub last_seen_s: Option<i64>,
}

/// The server, as sync needs it. Every method is one request; errors are the server's or the
/// network's, in words for the person.
#[allow(async_fn_in_trait)]
pub trait Transport {
    /// The account id the session belongs to.
    async fn account(&self) -> std::result::Result<MemberId, String>;
    async fn identity(&self) -> std::result::Result<Option<StoredIdentity>, String>;
    async fn put_identity(&self, identity: &StoredIdentity) -> std::result::Result<(), String>;
    /// Replaces the account key wrapped under the recovery key.
    async fn replace_recovery(&self, wrapped_account_key: &[u8])
    -> std::result::Result<(), String>;
    /// Every device of the account, revoked ones left out.
    async fn devices(&self) -> std::result::Result<Vec<ListedDevice>, String>;
    /// Enrols a device: its certificate and its label (sealed; see `docs/formats.md`).
    async fn add_device(&self, certificate: &[u8], label: &[u8])
    -> std::result::Result<(), String>;
    /// Replaces a live device's label.
    async fn set_device_label(
        &self,
        device: [u8; 16],
        label: &[u8],
    ) -> std::result::Result<(), String>;
    /// Revokes a device with a revocation the identity key signed.
    async fn revoke_device(
        &self,
        device: [u8; 16],
        revocation: &[u8],
    ) -> std::result::Result<(), String>;
    /// Leaves a new device's enrolment request under `nameplate`; `Ok(false)` if the nameplate
    /// is taken by another live request of the account.
    async fn create_enrolment(
        &self,
        nameplate: u16,
        request: &[u8],
    ) -> std::result::Result<bool, String>;
    /// The live request under `nameplate` and its answer once there is one.
    async fn enrolment(
        &self,
        nameplate: u16,
    ) -> std::result::Result<Option<(Vec<u8>, Option<Vec<u8>>)>, String>;
    /// Answers the request under `nameplate`, once.
    async fn answer_enrolment(
        &self,
        nameplate: u16,
        answer: &[u8],
    ) -> std::result::Result<(), String>;
    /// Forgets the request under `nameplate` (`Ok` if it was gone already).
    async fn delete_enrolment(&self, nameplate: u16) -> std::result::Result<(), String>;
    /// The organizations the account belongs to.
    async fn orgs(&self) -> std::result::Result<Vec<OrgId>, String>;
    /// Registers the organization with its own id (`Ok` also if this account registered it).
    async fn create_org(&self, org: OrgId, name: &str) -> std::result::Result<(), String>;
    /// Stores the account's own organization keys, as key deliveries to its identity.
    async fn put_keys(&self, org: OrgId, deliveries: &[Vec<u8>])
    -> std::result::Result<(), String>;
    /// The key deliveries made to the account (docs/formats.md, "Key delivery").
    async fn keys(&self, org: OrgId) -> std::result::Result<Vec<Vec<u8>>, String>;
    /// Every confirmed member's published identity and live device certificates.
    async fn directory(&self, org: OrgId) -> std::result::Result<Vec<DirectoryMember>, String>;
    /// Accepts an emailed invitation: the organization, the role, and whether the account now
    /// waits to be confirmed.
    async fn accept_invitation(
        &self,
        token: &str,
    ) -> std::result::Result<(OrgId, Role, bool), String>;
    /// Who accepted an invitation and waits to be confirmed.
    async fn pending_members(&self, org: OrgId) -> std::result::Result<Vec<PendingMember>, String>;
    /// The number of `invoice` in the series named by `series` (a keyed hash): the next after the
    /// series' last and `after`, or the one it was given before.
    async fn invoice_number(
        &self,
        org: OrgId,
        series: [u8; 32],
        invoice: InvoiceId,
        after: u64,
    ) -> std::result::Result<u64, String>;
    /// The organization's membership log entries after the first `after` (docs/formats.md,
    /// "Membership log entry").
    async fn membership(&self, org: OrgId, after: u32)
    -> std::result::Result<Vec<Vec<u8>>, String>;
    /// Appends entries signed by this account to the membership log, which held `after` when they
    /// were written, with the key deliveries they call for.
    async fn append_membership(
        &self,
        org: OrgId,
        after: u32,
        entries: &[Vec<u8>],
        deliveries: &[Vec<u8>],
    ) -> std::result::Result<(), String>;
    async fn push(
        &self,
        org: OrgId,
        envelopes: &[Vec<u8>],
    ) -> std::result::Result<Vec<(Outcome, u64)>, String>;
    /// At most `limit` envelopes after the sequence number `after` (the server may send fewer).
    async fn pull(
        &self,
        org: OrgId,
        after: u64,
        limit: u32,
    ) -> std::result::Result<PullPage, String>;
    /// Uploads an attachment's envelope: `true` when stored now, `false` when these bytes were
    /// stored before.
    async fn put_attachment(
        &self,
        org: OrgId,
        id: AttachmentId,
        envelope: &[u8],
    ) -> std::result::Result<bool, String>;
    /// An attachment's envelope as the server keeps it; `None` when it has none under `id`.
    async fn attachment(
        &self,
        org: OrgId,
        id: AttachmentId,
    ) -> std::result::Result<Option<Vec<u8>>, String>;
}

/// A confirmed member as the server lists them for checking signatures: unverified until the
/// device checks the identity it pinned and the certificates under it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DirectoryMember {
    pub user: MemberId,
    /// The role the server says they have (the membership log will make this checkable).
    pub role: Role,
    /// Their published identity (81 bytes).
    pub identity: Vec<u8>,
    /// Their live devices' certificates.
    pub certificates: Vec<Vec<u8>>,
}

/// Someone who accepted an invitation and waits to be confirmed, as the server lists them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PendingMember {
    pub user: MemberId,
    pub email: String,
    pub role: Role,
    /// Their published identity (81 bytes), once they set up sync on a device.
    pub identity: Option<Vec<u8>>,
}

/// What one sync of an organization did.
#[derive(Debug, Default, Clone, PartialEq, Eq, serde::Serialize)]
pub struct SyncReport {
    /// Versions this device wrote that the server now holds (or held already).
    pub pushed: usize,
    /// Envelopes received and stored as their records' latest versions.
    pub received: usize,
    /// Envelopes refused on arrival (bad signature, unknown device, a key this device lacks).
    pub refused: usize,
    /// Records merged field by field on this device and written again (then pushed).
    pub merged: usize,
    /// Concurrent changes of one field found while merging, logged for review (`stint conflicts`).
    pub conflicts: usize,
    /// This device's versions pushed again because the server had lost them (restored from an
    /// older backup, or its records replaced).
    pub resent: usize,
    /// Records with changes this device wrote that its role no longer allows (it changed before
    /// they were sent): undone here, the server's version read again, and the changes kept in
    /// the conflict log for review (`stint conflicts`).
    pub set_aside: usize,
    /// Someone left the organization and the key they held has not moved on yet (an Owner's or
    /// Admin's device does that at its next round): this device's changes wait until then.
    pub key_owed: bool,
    /// Changes of this organization still waiting to be pushed.
    pub pending: u64,
    /// Refused envelopes of this organization kept for review and another try
    /// (`stint sync quarantine`).
    pub quarantined: u64,
    /// Attachments (logos) fetched from the server this round.
    pub fetched: usize,
    /// Why an attachment this device needs could not be fetched (it is tried again next round).
    pub attachment_problem: Option<String>,
    /// Versions other devices of this organization pushed (their write logs say) that this
    /// device has not received, after pulling up to the server's head: the server hides them.
    pub unseen_versions: u64,
    /// Entries missing from other devices' write logs (a later entry arrived), or not chained to
    /// the entry before: the server hides them.
    pub unseen_log_entries: u64,
}

/// A device of the account, from a certificate its identity signed.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, ts_rs::TS)]
#[ts(export)]
pub struct DeviceSummary {
    /// Its id, 32 hex digits.
    pub id: String,
    /// Whether it is the device asking.
    pub this_device: bool,
    /// When its certificate was issued (Unix milliseconds, by the issuing device's clock).
    #[ts(type = "number")]
    pub issued_ms: u64,
    /// Its name, as it gave it (sealed, so only the account's devices read it); `None` if it gave
    /// none or the label does not open.
    pub name: Option<String>,
    /// When the server last heard from it (Unix milliseconds, the server's clock, to the minute).
    #[ts(type = "number | null")]
    pub last_seen_ms: Option<u64>,
}

/// The account as this device holds it, opened.
pub(crate) struct Account {
    pub(crate) user: MemberId,
    pub(crate) identity: IdentityKeys,
}

impl Engine {
    /// Whether this device is set up for sync (has its account's identity).
    pub async fn sync_account(&self) -> Result<Option<MemberId>> {
        Ok(self
            .vault
            .setting(ACCOUNT_SETTING)
            .await?
            .and_then(|b| <[u8; 16]>::try_from(b.as_slice()).ok())
            .map(MemberId::from_bytes))
    }

    pub(crate) async fn account(&self) -> Result<Account> {
        let user = self
            .sync_account()
            .await?
            .ok_or_else(|| sync_error("this device is not set up for sync yet"))?;
        let account_key = self.account_key().await?;
        let wrapped = self
            .vault
            .setting(IDENTITY_SETTING)
            .await?
            .ok_or_else(|| sync_error("the identity keys are missing on this device"))?;
        let identity =
            IdentityKeys::unwrap(&account_key, &wrapped, &user.to_bytes()).map_err(sync_error)?;
        Ok(Account { user, identity })
    }

    /// Certifies this device under `identity` and keeps the account here.
    async fn enrol_here<T: Transport>(
        &mut self,
        t: &T,
        user: MemberId,
        account_key: &SymmetricKey,
        identity: &IdentityKeys,
        now_ms: u64,
    ) -> Result<()> {
        let certificate = DeviceCertificate {
            user: user.to_bytes(),
            device: self.keys.device_id(),
            signing: self.keys.verifying_key(),
            sealing: self.keys.sealing_key().public_key(),
            issued_ms: now_ms,
        }
        .issue(&identity.signing);
        let label = seal_device_label(
            account_key,
            &user.to_bytes(),
            &self.keys.device_id(),
            &crate::device_name::this_device(),
        )
        .map_err(sync_error)?;
        t.add_device(&certificate, &label)
            .await
            .map_err(sync_error)?;
        self.vault
            .set_secret(&self.keys, ACCOUNT_KEY_SECRET, account_key.expose_secret())
            .await?;
        self.vault
            .set_setting(
                IDENTITY_SETTING,
                &identity.wrap(account_key, &user.to_bytes()),
            )
            .await?;
        self.vault
            .set_setting(CERTIFICATE_SETTING, &certificate)
            .await?;
        self.vault
            .set_setting(ACCOUNT_SETTING, &user.to_bytes())
            .await?;
        Ok(())
    }

    /// First device of an account: makes the recovery key, the account key and the identity,
    /// stores the identity on the server, and certifies this device. Returns the recovery key, to
    /// be shown once and kept on paper.
    ///
    /// Resumable: the new keys are kept sealed on this device before anything is uploaded, so a
    /// set-up cut short (offline, a crash) picks up where it stopped with the same keys, and never
    /// leaves an identity on the server whose recovery key nobody saw. The recovery key stays
    /// sealed here until [`Engine::forget_recovery_key`], after it has been shown.
    pub async fn set_up_sync<T: Transport>(&mut self, t: &T) -> Result<RecoveryKey> {
        if self.sync_account().await?.is_some() {
            return Err(sync_error("this device is set up for sync already"));
        }
        let user = t.account().await.map_err(sync_error)?;
        let (recovery, account_key, identity) = match self.pending_setup(user).await? {
            Some(pending) => pending,
            None => {
                let fresh = (
                    RecoveryKey::generate(),
                    SymmetricKey::generate(),
                    IdentityKeys::generate(),
                );
                let mut sealed = Zeroizing::new(user.to_bytes().to_vec());
                sealed.extend_from_slice(fresh.1.expose_secret());
                sealed.extend_from_slice(fresh.2.signing.expose_secret());
                sealed.extend_from_slice(fresh.2.sealing.expose_secret());
                sealed.extend_from_slice(fresh.0.to_text().as_bytes());
                self.vault
                    .set_secret(&self.keys, PENDING_SETUP_SECRET, &sealed)
                    .await?;
                fresh
            }
        };
        let public = identity.public(user.to_bytes()).to_bytes().to_vec();
        match t.identity().await.map_err(sync_error)? {
            None => {
                let stored = StoredIdentity {
                    public,
                    wrapped_account_key: wrap_account_key(
                        &recovery,
                        &account_key,
                        &user.to_bytes(),
                    ),
                    wrapped_identity_keys: identity.wrap(&account_key, &user.to_bytes()),
                };
                t.put_identity(&stored).await.map_err(sync_error)?;
            }
            // Stored by this set-up's earlier try.
            Some(stored) if stored.public == public => {}
            Some(_) => {
                return Err(sync_error(
                    "this account has an identity already: restore it here with your recovery key",
                ));
            }
        }
        let now_ms = self.now_ms();
        self.enrol_here(t, user, &account_key, &identity, now_ms)
            .await?;
        Ok(recovery)
    }

    /// The keys of a set-up begun on this device for `user` and not finished or not yet shown.
    async fn pending_setup(
        &self,
        user: MemberId,
    ) -> Result<Option<(RecoveryKey, SymmetricKey, IdentityKeys)>> {
        let Some(bytes) = self.vault.secret(&self.keys, PENDING_SETUP_SECRET).await? else {
            return Ok(None);
        };
        if bytes.len() != 16 + 96 + RECOVERY_TEXT_LEN || bytes[..16] != user.to_bytes() {
            return Err(sync_error(
                "a set-up for another account was begun on this device; sign in to that account",
            ));
        }
        let damaged = || sync_error("the set-up kept on this device is damaged");
        let array = |at: usize| -> Result<[u8; 32]> {
            bytes
                .get(at..at + 32)
                .and_then(|b| b.try_into().ok())
                .ok_or_else(damaged)
        };
        let text = std::str::from_utf8(&bytes[112..]).map_err(|_| damaged())?;
        Ok(Some((
            RecoveryKey::from_text(text).map_err(|_| damaged())?,
            SymmetricKey::from_bytes(array(16)?),
            IdentityKeys {
                signing: SigningKey::from_bytes(array(48)?),
                sealing: SealSecretKey::from_bytes(array(80)?),
            },
        )))
    }

    /// The recovery key of this device's set-up, while it has not been forgotten (shown again if
    /// the first showing may not have happened).
    pub async fn pending_recovery_key(&self) -> Result<Option<RecoveryKey>> {
        match self.sync_account().await? {
            Some(user) => Ok(self
                .pending_setup(user)
                .await?
                .map(|(recovery, _, _)| recovery)),
            None => Ok(None),
        }
    }

    /// Forgets the recovery key kept since set-up, once it has been shown.
    pub async fn forget_recovery_key(&self) -> Result<()> {
        self.vault.delete_secret(PENDING_SETUP_SECRET).await?;
        Ok(())
    }

    /// Another device of an account, from the recovery key as written down: opens the account key
    /// and the identity on this device (a wrong key fails here, before anything is uploaded),
    /// certifies this device, and makes the account this device's user. Only on a device with no
    /// organizations of its own yet.
    pub async fn restore_sync<T: Transport>(&mut self, t: &T, recovery: &str) -> Result<()> {
        self.may_join().await?;
        let recovery = RecoveryKey::from_text(recovery).map_err(sync_error)?;
        let user = t.account().await.map_err(sync_error)?;
        let stored = stored_identity(t).await?;
        let account_key =
            unwrap_account_key(&recovery, &stored.wrapped_account_key, &user.to_bytes())
                .map_err(|_| sync_error("that recovery key does not open this account"))?;
        self.join(t, user, &account_key, &stored).await
    }

    /// Whether this device may join an account: not set up yet, and no organizations of its own.
    pub(crate) async fn may_join(&self) -> Result<()> {
        if self.sync_account().await?.is_some() {
            return Err(sync_error("this device is set up for sync already"));
        }
        if !self.orgs.is_empty() {
            return Err(sync_error(
                "enrol a vault without organizations; publish this one's from its own account",
            ));
        }
        Ok(())
    }

    /// Joins the account whose key this device now holds: opens the identity the server keeps
    /// under it (checked against its public half), certifies this device, and makes the account
    /// this device's user.
    pub(crate) async fn join<T: Transport>(
        &mut self,
        t: &T,
        user: MemberId,
        account_key: &SymmetricKey,
        stored: &StoredIdentity,
    ) -> Result<()> {
        let identity =
            IdentityKeys::unwrap(account_key, &stored.wrapped_identity_keys, &user.to_bytes())
                .map_err(sync_error)?;
        if stored.public != identity.public(user.to_bytes()).to_bytes() {
            return Err(sync_error(
                "the server's copy of the identity does not match its keys",
            ));
        }
        let now_ms = self.now_ms();
        self.enrol_here(t, user, account_key, &identity, now_ms)
            .await?;
        self.vault
            .set_setting(USER_SETTING, &user.to_bytes())
            .await?;
        self.user = user;
        Ok(())
    }

    /// The account key, as this device keeps it.
    pub(crate) async fn account_key(&self) -> Result<SymmetricKey> {
        let account_key = self
            .vault
            .secret(&self.keys, ACCOUNT_KEY_SECRET)
            .await?
            .ok_or_else(|| sync_error("the account key is missing on this device"))?;
        SymmetricKey::from_slice(&account_key).map_err(sync_error)
    }

    fn now_ms(&self) -> u64 {
        u64::try_from(self.now().as_millisecond()).unwrap_or(0)
    }

    /// Publishes a local organization under the account. The first time on this device, every
    /// record of the vault is rewritten in one local transaction (the device user's id becomes the
    /// account's, every header names the account as author, the outbox holds only the new
    /// versions). Then the organization is registered with its own id and its keys sealed to the
    /// identity. The next [`Engine::sync`] pushes everything.
    pub async fn publish<T: Transport>(&mut self, t: &T, org: OrgId) -> Result<()> {
        let account = self.account().await?;
        if self.orgs.get(&org).is_none_or(|s| s.org.is_none()) {
            return Err(EngineError::not_found_hint(
                "organization",
                org.to_string(),
                "",
            ));
        }
        self.adopt_account(&account).await?;
        // The server's registry needs a name; the real one stays in the sealed records.
        t.create_org(org, PUBLISHED_NAME)
            .await
            .map_err(sync_error)?;
        // Its keys, delivered to the account's own identity for its other devices (only the slots
        // the server lacks: a filled slot keeps its first delivery).
        let own = HashMap::from([(
            account.user,
            account.identity.public(account.user.to_bytes()),
        )]);
        self.open_keys(
            t,
            &account,
            org,
            Sealers {
                current: &own,
                former: None,
            },
        )
        .await?;
        // Synced from now on (the server numbers its invoices): a cursor that has read nothing.
        if self.vault.setting(&cursor_setting(org)).await?.is_none() {
            self.save_cursor(org, [0; 16], 0).await?;
        }
        self.reindex().await?;
        // The membership log's first entry: this account, the Owner.
        self.follow_log(t, &account, org).await.map(drop)
    }

    /// Makes the account this device's user. The first time, every record of the vault is
    /// rewritten in one local transaction (the device user's id becomes the account's, every
    /// header names the account as author, the outbox holds only the new versions); after that,
    /// nothing to do. Whether it rewrote (then the index is stale: [`Engine::reindex`]).
    pub(crate) async fn adopt_account(&mut self, account: &Account) -> Result<bool> {
        let from = self.user;
        let to = account.user;
        // Every organization of the vault is rewritten at once (the user is the vault's, not one
        // organization's), so none is left owned by an id nobody signs in as.
        if from == to {
            return Ok(false);
        }
        let loaded = self.vault.load(&self.keys, &[]).await?;
        let (old, new) = (from.to_string(), to.to_string());
        let removed: Vec<([u8; 16], [u8; 16])> = loaded
            .records
            .iter()
            .filter(|r| r.header.record == from.to_bytes())
            .map(|r| (r.header.org, r.header.record))
            .collect();
        let device = self.keys.device_id();
        // Owners move with the ids: the person's records become the account's. A receipt is
        // its expense's member's (a version 1 header named no owner).
        let renamed = |owner: [u8; 16]| {
            if owner == from.to_bytes() {
                to.to_bytes()
            } else {
                owner
            }
        };
        let receipt_owners: HashMap<[u8; 16], [u8; 16]> = loaded
            .records
            .iter()
            .filter(|r| r.header.kind == Kind::Expense as u16 && !r.header.tombstone)
            .filter_map(|r| match Record::decode(Kind::Expense, &r.plaintext) {
                Ok(Record::Expense(x)) => x
                    .receipt
                    .map(|receipt| (receipt.attachment.to_bytes(), renamed(x.member.to_bytes()))),
                _ => None,
            })
            .collect();
        let writes: Vec<Write> = loaded
            .records
            .into_iter()
            // Write log entries name their author device in their ids: never rewritten (a
            // vault publishes before it syncs, so it holds none then).
            .filter(|r| !Kind::numbers_write_log(r.header.kind))
            .map(|r| {
                let mut header = r.header;
                // The person's own member record takes the account's id.
                if header.record == from.to_bytes() {
                    header.record = to.to_bytes();
                }
                header.author_user = to.to_bytes();
                header.author_device = device;
                header.hlc = self.vault.next_hlc();
                let owned = Kind::from_u16(header.kind).is_some_and(Kind::has_owner);
                let plaintext = if header.kind == Kind::Attachment as u16 {
                    header.owner = receipt_owners
                        .get(&header.record)
                        .copied()
                        .unwrap_or_else(|| renamed(header.owner));
                    r.plaintext
                } else if header.tombstone {
                    header.owner = if header.owner == [0; 16] && owned {
                        renamed(r.header.author_user)
                    } else {
                        renamed(header.owner)
                    };
                    r.plaintext
                } else {
                    let (plaintext, owner) =
                        republished(&r.header, &r.plaintext, &old, &new, header.hlc, device)?;
                    header.owner = owner;
                    Zeroizing::new(plaintext)
                };
                Ok(Write { header, plaintext })
            })
            .collect::<Result<_>>()?;
        self.vault.rewrite(&self.keys, &removed, writes).await?;
        self.vault.set_setting(USER_SETTING, &to.to_bytes()).await?;
        self.user = to;
        Ok(true)
    }

    /// One round for every organization of the account: new organizations' keys are opened, this
    /// device's changes pushed, everyone's pulled, checked and stored; then, if anything was
    /// stored, the index is rebuilt (a round that only pushed, or found nothing new, leaves it as
    /// it is: up to date, and not worth a full read of the vault every minute).
    /// A report per organization. A round cut short (offline) loses nothing: what was acknowledged
    /// left the outbox, what was received is stored and shown, and the next round goes on from
    /// there.
    pub async fn sync<T: Transport>(&mut self, t: &T) -> Result<Vec<(OrgId, SyncReport)>> {
        let account = self.account().await?;
        // This account's devices, once a round; every organization's members' devices, for the
        // logos fetched after the rounds. What does not depend on an answer before it is asked
        // for together: a round waits for the network fewer times.
        let (own, orgs) = tokio::join!(self.signers(t, &account), t.orgs());
        let own = own?;
        let orgs = orgs.map_err(sync_error)?;
        let mut all_signers = own.clone();
        let mut reports = Vec::new();
        // What arrives is kept decoded, to bring the index up to date without reading the vault
        // again; with it, whether the device held nothing of the organization before (a first
        // sync).
        let mut arrived: HashMap<OrgId, (bool, Arrived)> = HashMap::new();
        let mut outcome = Ok(());
        for org in orgs {
            let mut report = SyncReport::default();
            let fresh = !self.orgs.contains_key(&org)
                && matches!(self.vault.record_count(org.to_bytes(), &[]).await, Ok(0));
            let mut got = Arrived::new();
            // The directory beside the log: the log decides whom of it to trust.
            let (log, directory) =
                tokio::join!(self.follow_log(t, &account, org), t.directory(org));
            outcome = async {
                let log = self.settle_owed_keys(t, &account, org, log?).await?;
                let directory = directory.map_err(sync_error)?;
                let known = self
                    .known_from(directory, &account, &own, Some(&log))
                    .await?;
                let round = self
                    .sync_org(t, &account, org, &known, &mut report, Some(&mut got))
                    .await;
                all_signers.extend(known.signers);
                round
            }
            .await;
            arrived.insert(org, (fresh, got));
            reports.push((org, report));
            if outcome.is_err() {
                break;
            }
        }
        if reports.iter().any(|(_, r)| r.received > 0) {
            self.index_arrived(&reports, arrived).await?;
        }
        outcome?;
        self.fetch_logos(t, &mut reports, &all_signers, account.user)
            .await?;
        Ok(reports)
    }

    /// Brings the index up to date after a round that stored something, from what arrived,
    /// decoded as it was stored. An organization the device held nothing of before the round is
    /// built from it (by the same `Engine::build` a full read feeds) when that is every record the
    /// vault now holds of it; one already indexed takes it in place ([`applies_in_place`]) as
    /// local writes do. Anything else reads the whole vault again ([`Engine::reindex`]).
    async fn index_arrived(
        &mut self,
        reports: &[(OrgId, SyncReport)],
        mut arrived: HashMap<OrgId, (bool, Arrived)>,
    ) -> Result<()> {
        let mut built = Vec::new();
        let mut in_place = Vec::new();
        for (org, report) in reports {
            let Some((fresh, records)) = arrived.remove(org) else {
                if report.received == 0 {
                    continue;
                }
                return self.reindex().await;
            };
            if records.is_empty() && report.received == 0 {
                continue;
            }
            if fresh {
                let held = self.vault.record_count(org.to_bytes(), &UNLOADED).await?;
                if held != records.len() as u64 {
                    return self.reindex().await;
                }
                built.extend(records.into_values());
            } else if let Some(state) = self.orgs.get(org)
                && self.quarantined.is_empty()
                && records.values().all(|(h, r)| {
                    applies_in_place(h, r)
                        && state
                            .roles
                            .as_ref()
                            .is_none_or(|roles| roles.check(h).is_ok())
                })
            {
                in_place.push((*org, records));
            } else {
                return self.reindex().await;
            }
        }
        built.sort_unstable_by_key(|(header, _)| (header.org, header.record));
        let mut quarantined = Vec::new();
        let orgs = Self::build(
            &self.vault,
            &self.keys,
            built,
            crate::entry_store::DecodedNotes::default(),
            &mut quarantined,
        )
        .await?;
        self.orgs.extend(orgs);
        self.quarantined.extend(quarantined);
        for (org, records) in in_place {
            let state = self.state_mut(org)?;
            let mut reprice_all = false;
            let mut entries = Vec::new();
            for (header, record) in records.into_values() {
                match record {
                    Ok(Some(Record::TimeEntry(e))) => {
                        entries.push(e.id);
                        state.apply(Record::TimeEntry(e));
                    }
                    Ok(Some(record)) => {
                        // The catalogue and rates decide entries' prices (marks do not).
                        reprice_all |=
                            !matches!(record, Record::Expense(_) | Record::BillingMark(_));
                        state.apply(record);
                    }
                    Ok(None) => state.remove_entry(EntryId::from_bytes(header.record)),
                    Err(_) => {}
                }
            }
            if reprice_all {
                state.reprice_all();
            } else {
                for id in entries {
                    state.reprice(id);
                }
            }
        }
        Ok(())
    }

    /// The account's devices that are not revoked, as certificates its identity signed say
    /// (whatever else the server lists is left out), with the names they gave. This device, if
    /// the server holds no name for it that opens (it was enrolled before devices had names, or
    /// the server moved a label), is named again; if that fails the list still comes, without
    /// the name.
    pub async fn devices<T: Transport>(&self, t: &T) -> Result<Vec<DeviceSummary>> {
        let account = self.account().await?;
        let account_key = self.account_key().await?;
        let user = account.user.to_bytes();
        let mut devices = Vec::new();
        for (c, listed) in self.certified(t, &account).await? {
            let mut summary = self.summary(&c);
            summary.name = open_device_label(&account_key, &user, &c.device, &listed.label).ok();
            summary.last_seen_ms = listed
                .last_seen_s
                .and_then(|s| u64::try_from(s).ok())
                .map(|s| s.saturating_mul(1000));
            if summary.this_device && summary.name.is_none() {
                let name = crate::device_name::this_device();
                let label =
                    seal_device_label(&account_key, &user, &c.device, &name).map_err(sync_error)?;
                if t.set_device_label(c.device, &label).await.is_ok() {
                    summary.name = Some(name);
                }
            }
            devices.push(summary);
        }
        devices.sort_by(|a, b| (a.issued_ms, &a.id).cmp(&(b.issued_ms, &b.id)));
        Ok(devices)
    }

    /// Gives this device a new name in the account's device list (1 to 64 characters; spaces
    /// around it are dropped).
    pub async fn rename_this_device<T: Transport>(&self, t: &T, name: &str) -> Result<String> {
        let name = name.trim();
        let chars = name.chars().count();
        if chars == 0
            || chars > stint_crypto::MAX_DEVICE_NAME_CHARS
            || name.chars().any(char::is_control)
        {
            return Err(stint_domain::ValidationError::new(format!(
                "a device name has 1 to {} characters, on one line",
                stint_crypto::MAX_DEVICE_NAME_CHARS
            ))
            .into());
        }
        let account = self.account().await?;
        let account_key = self.account_key().await?;
        let device = self.keys.device_id();
        let label = seal_device_label(&account_key, &account.user.to_bytes(), &device, name)
            .map_err(sync_error)?;
        t.set_device_label(device, &label)
            .await
            .map_err(sync_error)?;
        Ok(name.to_owned())
    }

    fn summary(&self, c: &DeviceCertificate) -> DeviceSummary {
        DeviceSummary {
            id: crate::hex(&c.device),
            this_device: c.device == self.keys.device_id(),
            issued_ms: c.issued_ms,
            name: None,
            last_seen_ms: None,
        }
    }

    /// Revokes another device of the account (its id, or a unique beginning of it): its pushes
    /// are refused from then on. This device cannot revoke itself.
    pub async fn revoke_device<T: Transport>(&self, t: &T, id: &str) -> Result<DeviceSummary> {
        let account = self.account().await?;
        let wanted = id.trim().to_ascii_lowercase();
        let matches: Vec<DeviceCertificate> = self
            .certified(t, &account)
            .await?
            .into_iter()
            .map(|(c, _)| c)
            .filter(|c| !wanted.is_empty() && crate::hex(&c.device).starts_with(&wanted))
            .collect();
        let device = match matches.as_slice() {
            [one] => *one,
            [] => {
                return Err(sync_error(format!(
                    "no device of this account starts with {id:?}"
                )));
            }
            _ => {
                return Err(sync_error(format!(
                    "{id:?} fits several devices; give more of the id"
                )));
            }
        };
        if device.device == self.keys.device_id() {
            return Err(sync_error(
                "this is the device you are using; revoke it from another one",
            ));
        }
        let revocation = stint_crypto::DeviceRevocation {
            user: account.user.to_bytes(),
            device: device.device,
            revoked_ms: self.now_ms(),
        }
        .issue(&account.identity.signing);
        t.revoke_device(device.device, &revocation)
            .await
            .map_err(sync_error)?;
        Ok(self.summary(&device))
    }

    /// The account's devices' signing keys, each from a certificate its identity signed.
    pub(crate) async fn signers<T: Transport>(&self, t: &T, account: &Account) -> Result<Signers> {
        Ok(self
            .certified(t, account)
            .await?
            .into_iter()
            .map(|(c, _)| (c.device, (c.user, c.signing)))
            .collect())
    }

    /// One round for `org`, counted into `report` as it goes (so that a round cut short still
    /// says what it stored).
    async fn sync_org<T: Transport>(
        &mut self,
        t: &T,
        account: &Account,
        org: OrgId,
        known: &Known,
        report: &mut SyncReport,
        mut arrived: Option<&mut Arrived>,
    ) -> Result<()> {
        if let Some(log) = &known.log
            && self.forget_unreadable(org, log, account.user).await?
        {
            self.reindex().await?;
        }
        let had: Vec<Compartment> = Compartment::ALL
            .into_iter()
            .filter(|c| self.keys.current_epoch(org.to_bytes(), *c).is_some())
            .collect();
        self.open_keys(
            t,
            account,
            org,
            Sealers {
                current: &known.identities,
                former: known.log.as_ref(),
            },
        )
        .await?;
        self.follow_keys(org, &had).await?;
        let signers = &known.signers;
        let me = account.user;
        let role = known.log.as_ref().and_then(|log| log.role(me));
        if let Some(role) = role {
            report.set_aside = self.set_aside_forbidden(org, role).await?;
        }
        // A Viewer writes nothing: what its outbox still holds (write log entries of a time it
        // wrote) waits for a role that does. Nor does anyone while a key is owed (someone left,
        // and no Owner's or Admin's device has moved it on yet): the server would refuse it.
        report.key_owed = known.log.as_ref().is_some_and(|log| !log.owed.is_empty());
        let pushes = role != Some(Role::Viewer) && !report.key_owed;
        // Merges written while pulling are pushed in the same round; a merge answered by yet
        // another version (someone wrote meanwhile) waits for the next round.
        let mut own = Own::new();
        for _ in 0..3 {
            if pushes {
                self.push_org(t, org, me, false, report, &mut own).await?;
            }
            let merged = report.merged;
            let lost = self
                .pull_org(
                    t,
                    org,
                    signers,
                    me,
                    report,
                    arrived.as_deref_mut(),
                    &mut own,
                )
                .await?;
            self.retry_quarantine(t, org, signers, me, report, arrived.as_deref_mut())
                .await?;
            if lost {
                // The server lost what it had acknowledged: what this device wrote goes again.
                report.resent += self.vault.requeue_own(&self.keys, org.to_bytes()).await?;
                continue;
            }
            if report.merged == merged {
                break;
            }
        }
        // Pulled up to the head: whatever another device's write log lists and is not here, the
        // server hides. Hidden once is not hidden for good: the organization is read again from
        // the start (merging makes that harmless), and what is still missing is reported.
        let mut unseen = self.vault.unseen(org.to_bytes()).await?;
        if unseen != Unseen::default() {
            let (history, _) = self.cursor(org).await?;
            self.save_cursor(org, history, 0).await?;
            // Everything, this device's own numbers too: the server may have lied about them.
            own.clear();
            self.pull_org(t, org, signers, me, report, arrived, &mut own)
                .await?;
            unseen = self.vault.unseen(org.to_bytes()).await?;
        }
        // This device's write log entries last, once pulled: a vault restored from an older
        // copy of itself has learnt where its own chain stands on the server by now.
        if pushes {
            self.push_org(t, org, me, true, report, &mut own).await?;
        }
        report.unseen_versions = unseen.versions;
        report.unseen_log_entries = unseen.entries;
        report.pending = self.vault.outbox_len_of(org.to_bytes()).await?;
        report.quarantined = self.vault.quarantine_len(org.to_bytes()).await?;
        Ok(())
    }

    /// Where this device's pulls of `org` stand: the server's history id and the last sequence
    /// number received. A cursor that does not read (24 bytes) starts from nothing.
    async fn cursor(&self, org: OrgId) -> Result<([u8; 16], u64)> {
        let stored = self.vault.setting(&cursor_setting(org)).await?;
        Ok(stored
            .as_deref()
            .and_then(|b| {
                let history = <[u8; 16]>::try_from(b.get(..16)?).ok()?;
                let cursor = u64::from_be_bytes(b.get(16..)?.try_into().ok()?);
                Some((history, cursor))
            })
            .unwrap_or(([0; 16], 0)))
    }

    /// Reads `org` again from the start at the next pull (in the same history).
    pub(crate) async fn restart_pull(&self, org: OrgId) -> Result<()> {
        let (history, _) = self.cursor(org).await?;
        self.save_cursor(org, history, 0).await
    }

    /// Keeps where this device's pulls of `org` stand (read back by [`Engine::cursor`]).
    async fn save_cursor(&self, org: OrgId, history: [u8; 16], cursor: u64) -> Result<()> {
        let value = cursor_value(history, cursor);
        self.vault.set_setting(&cursor_setting(org), &value).await?;
        Ok(())
    }

    /// After a push whose envelopes were all stored under exactly the numbers following the
    /// cursor, nobody else wrote in between: those numbers hold only this device's versions, which
    /// it has, so the cursor moves past them and the next pull does not bring them back. (A server
    /// that lied here could only hide records, which it can do anyway: see docs/sync.md.)
    async fn skip_own(&self, org: OrgId, outcomes: &[(Outcome, u64)]) -> Result<()> {
        let (history, cursor) = self.cursor(org).await?;
        let contiguous = outcomes
            .iter()
            .zip(cursor + 1..)
            .all(|((outcome, seq), next)| *outcome == Outcome::Stored && *seq == next);
        // Before the first pull the history is unknown (zeros) and the cursor 0: numbers from 1 on
        // mean the organization was empty, and the pull adopts the server's history then.
        if outcomes.is_empty() || !contiguous {
            return Ok(());
        }
        self.save_cursor(org, history, cursor + outcomes.len() as u64)
            .await
    }

    /// Pushes the outbox of `org` in batches, each removed once the server answered for it.
    /// Attachments go one by one to their own route (`Transport::put_attachment`), ahead of the
    /// records of their batch. With `log`, once the outbox is empty, what the server acknowledged
    /// is listed in this device's write log (author `me`), whose entries are pushed last: no entry
    /// lists a version the server had not acknowledged before the entry existed. The numbers the
    /// server stored this device's versions at go into `own`, for this round's pulls to pass over.
    async fn push_org<T: Transport>(
        &self,
        t: &T,
        org: OrgId,
        me: MemberId,
        log: bool,
        report: &mut SyncReport,
        own: &mut Own,
    ) -> Result<()> {
        // A push's framing takes four bytes per envelope and a few more.
        let budget = MAX_PUSH_BYTES - 4 * MAX_BATCH - 64;
        loop {
            let batch = self
                .vault
                .outbox_batch(org.to_bytes(), MAX_BATCH as i64, budget)
                .await?;
            if batch.is_empty() {
                if !log {
                    break;
                }
                let entries = self
                    .vault
                    .write_log_entries(&self.keys, me.to_bytes(), org.to_bytes())
                    .await?;
                if entries == 0 {
                    break;
                }
                continue;
            }
            let (attachments, records): (Vec<_>, Vec<_>) = batch
                .into_iter()
                .partition(|o| attachment_id(&o.envelope).is_some());
            for item in &attachments {
                if let Some(id) = attachment_id(&item.envelope) {
                    t.put_attachment(org, id, &item.envelope)
                        .await
                        .map_err(sync_error)?;
                    report.pushed += 1;
                    self.vault.ack_outbox(&[item.seq]).await?;
                }
            }
            if records.is_empty() {
                continue;
            }
            let envelopes: Vec<Vec<u8>> = records.iter().map(|o| o.envelope.clone()).collect();
            let outcomes = t.push(org, &envelopes).await.map_err(sync_error)?;
            if outcomes.len() != records.len() {
                return Err(sync_error(
                    "the server answered for a different number of records",
                ));
            }
            report.pushed += records
                .iter()
                .filter(|o| !is_write_log(&o.envelope))
                .count();
            self.vault.ack_pushed(&records).await?;
            self.skip_own(org, &outcomes).await?;
            own.extend(
                outcomes
                    .iter()
                    .filter(|(outcome, _)| *outcome != Outcome::Superseded)
                    .map(|(_, seq)| *seq),
            );
        }
        Ok(())
    }

    /// Pulls pages of `org` from the cursor until the head (a new history starts from nothing),
    /// each checked, merged and stored. `true` when the server turned out to have lost records it
    /// had acknowledged: its head is behind the cursor, or its history is another one.
    ///
    /// While a page is stored, the next one is fetched and its signatures checked on the other
    /// cores: storing is one writer, checking is every core's work, and waiting for the network
    /// is nobody's. What the page holds at numbers in `own` is passed over unchecked.
    #[allow(clippy::too_many_arguments)]
    async fn pull_org<T: Transport>(
        &self,
        t: &T,
        org: OrgId,
        signers: &Signers,
        me: MemberId,
        report: &mut SyncReport,
        mut arrived: Option<&mut Arrived>,
        own: &mut Own,
    ) -> Result<bool> {
        let mut lost = false;
        let (mut history, mut cursor) = self.cursor(org).await?;
        // Pages pulled after the one being stored, their signatures being checked meanwhile.
        let mut ahead: VecDeque<Fetched> = VecDeque::new();
        loop {
            let page = match ahead.pop_front() {
                Some(page) => page,
                None => fetch(t, org, cursor, signers, own).await?,
            };
            if page.history != history {
                if history != [0; 16] {
                    // Another history: start over from its beginning, and push again. Numbers
                    // kept in the quarantine were the old history's: everything comes again.
                    ahead.clear();
                    own.clear();
                    cursor = 0;
                    history = page.history;
                    lost = true;
                    self.vault.release(org.to_bytes(), None).await?;
                    self.save_cursor(org, history, 0).await?;
                    continue;
                }
                // The first history seen is kept at once, even when this pull brings nothing (a
                // cursor moved past this device's own first push): a device that never kept it
                // would adopt whatever history it is shown later, a restored server's too.
                history = page.history;
                self.save_cursor(org, history, cursor).await?;
            }
            let Some(last) = page.last else {
                // A cursor past the head means the server lost what it had acknowledged (a
                // restore from an older backup): read it all again from the start, and push
                // again what this device wrote (`sync_org`).
                if cursor > page.head {
                    ahead.clear();
                    own.clear();
                    cursor = 0;
                    lost = true;
                    self.save_cursor(org, history, 0).await?;
                    continue;
                }
                break;
            };
            let verified = page
                .verified
                .await
                .map_err(|e| sync_error(format!("checking signatures stopped: {e}")))?;
            // What is refused waits in the quarantine (retried next rounds, `stint sync
            // quarantine`); the cursor moves on, so one bad envelope never makes every round ask
            // for everything after it again. Both are written with the page.
            let name = cursor_setting(org);
            let value = cursor_value(history, last);
            let end = PageEnd {
                org: org.to_bytes(),
                seqs: &page.seqs,
                cursor: (&name, &value),
                now_ms: self.now().as_millisecond(),
            };
            let store = self.store_in(&verified, Some(&end), arrived.as_deref_mut(), me, report);
            let (stored, pulled) = tokio::join!(
                store,
                fetch_ahead(t, org, signers, own, &mut ahead, (last, page.head))
            );
            report.refused += stored?.len();
            cursor = last;
            // A later page's fetch fails after this one is stored and counted, never before.
            pulled?;
            if ahead.is_empty() {
                break;
            }
        }
        Ok(lost)
    }
}

/// Whether a record that arrived for an organization already indexed can be taken into the index
/// as it stands, as a local write is (`Engine::commit`), and give what a full read would: a new
/// version of anything but a member (whose role decides what others may write) or the
/// organization's profile (its logo is read from the vault), an entry's deletion, and entries and
/// expenses written by their own member (whose rights a full read checks against the members), when
/// the header names the owner it should (a full read quarantines one that does not).
fn applies_in_place(header: &Header, record: &std::result::Result<Option<Record>, String>) -> bool {
    match record {
        Err(_) => false,
        Ok(None) => header.kind == Kind::TimeEntry as u16,
        Ok(Some(Record::Member(_) | Record::Organization(_))) => false,
        Ok(Some(record)) => {
            let named = header.owner == [0; 16] || header.owner == record.header_owner();
            named
                && record
                    .owner()
                    .is_none_or(|member| member.to_bytes() == header.author_user)
        }
    }
}

/// What arrived for an organization in a round, by record id: the header and decoded record of
/// the version last stored (`Engine::index_arrived`).
pub(crate) type Arrived = HashMap<[u8; 16], (Header, std::result::Result<Option<Record>, String>)>;

/// Pages pulled ahead of the one being stored ([`Engine::pull_org`]): enough to keep both cores
/// busy checking signatures while one page is written.
const PAGES_AHEAD: usize = 2;

/// The numbers the server said it stored this device's versions at, in this round
/// ([`Engine::push_org`]). A pull passes over what it serves there: this device wrote it. When
/// several devices push at once the numbers are not one run after the cursor
/// ([`Engine::skip_own`]), and without this each device would fetch, check and compare its own
/// pushes again. A server that lies about them can only hide records, as it can anyway: a write
/// log that lists what was passed over makes the round read everything again, these numbers
/// forgotten (`Engine::sync_org`).
type Own = std::collections::HashSet<u64>;

/// A page as fetched, its signatures being checked on every core, off the async threads.
struct Fetched {
    history: [u8; 16],
    head: u64,
    /// The page's last number, what it held at this device's own numbers included: where the
    /// cursor moves once it is stored.
    last: Option<u64>,
    /// The numbers of the envelopes kept, in order.
    seqs: Vec<u64>,
    verified: tokio::task::JoinHandle<Verified>,
}

/// Fetches the page of `org` after `cursor`, passes over what it holds at numbers in `own`, and
/// starts checking the rest's signatures.
async fn fetch<T: Transport>(
    t: &T,
    org: OrgId,
    cursor: u64,
    signers: &Signers,
    own: &Own,
) -> Result<Fetched> {
    let page = t
        .pull(org, cursor, MAX_BATCH as u32)
        .await
        .map_err(sync_error)?;
    let last = page.records.last().map(|p| p.seq);
    let (seqs, envelopes): (Vec<u64>, Vec<Vec<u8>>) = page
        .records
        .into_iter()
        .filter(|p| !own.contains(&p.seq))
        .map(|p| (p.seq, p.envelope))
        .unzip();
    let signers = signers.clone();
    let verified = tokio::task::spawn_blocking(move || Engine::verify_in(org, envelopes, &signers));
    Ok(Fetched {
        history: page.history,
        head: page.head,
        last,
        seqs,
        verified,
    })
}

/// Fetches the pages after `(last, head)`, the last page taken, until [`PAGES_AHEAD`] wait in
/// `ahead` or the server's head is reached.
async fn fetch_ahead<T: Transport>(
    t: &T,
    org: OrgId,
    signers: &Signers,
    own: &Own,
    ahead: &mut VecDeque<Fetched>,
    (last, head): (u64, u64),
) -> Result<()> {
    while ahead.len() < PAGES_AHEAD {
        let (after, head) = match ahead.back() {
            Some(page) => match page.last {
                Some(after) => (after, page.head),
                None => break,
            },
            None => (last, head),
        };
        if after >= head {
            break;
        }
        ahead.push_back(fetch(t, org, after, signers, own).await?);
    }
    Ok(())
}

/// Whether an outgoing envelope is an entry of this device's write log.
fn is_write_log(envelope: &[u8]) -> bool {
    EnvelopeRef::parse(envelope).is_ok_and(|e| Kind::numbers_write_log(e.header().kind))
}

/// The id of an attachment's envelope (`None` for a record's, or bytes that do not parse, which
/// the server refuses in the push they travel in).
fn attachment_id(envelope: &[u8]) -> Option<AttachmentId> {
    let envelope = EnvelopeRef::parse(envelope).ok()?;
    let h = envelope.header();
    (h.kind == Kind::Attachment as u16 && !h.tombstone)
        .then(|| AttachmentId(ulid::Ulid::from_bytes(h.record)))
}

/// A record's payload as published, and the owner its header names then: member ids `old`
/// replaced by `new`, in format 2 with every field written at (`hlc`, `device`): nothing of it has
/// left the device yet. Member ids are ULID strings in the record's JSON, 26 random-looking
/// characters that occur nowhere else, so replacing the text replaces exactly the references,
/// whatever field holds them.
fn republished(
    header: &Header,
    plaintext: &[u8],
    old: &str,
    new: &str,
    hlc: u64,
    device: [u8; 16],
) -> Result<(Vec<u8>, [u8; 16])> {
    let id = ulid::Ulid::from_bytes(header.record);
    let damaged = |e: String| {
        EngineError::Vault(stint_vault::VaultError::Damaged(format!(
            "record {id} cannot be published: {e}"
        )))
    };
    let kind = Kind::from_u16(header.kind)
        .ok_or_else(|| damaged(format!("unknown record kind {}", header.kind)))?;
    let record = Record::decode(kind, plaintext).map_err(damaged)?;
    let json = String::from_utf8(record.encode_json())
        .map_err(|e| damaged(e.to_string()))?
        .replace(old, new);
    let record = Record::decode(kind, json.as_bytes()).map_err(damaged)?;
    let bytes = record
        .encode_fresh(stint_domain::payload::Clock { hlc, device })
        .map_err(damaged)?;
    Ok((bytes, record.header_owner()))
}

impl Engine {
    /// The account's device certificates that its identity signed; whatever else the server
    /// lists, whoever inserted it, is left out.
    async fn certified<T: Transport>(
        &self,
        t: &T,
        account: &Account,
    ) -> Result<Vec<(DeviceCertificate, ListedDevice)>> {
        let identity = account.identity.signing.verifying_key();
        Ok(t.devices()
            .await
            .map_err(sync_error)?
            .into_iter()
            .filter_map(|listed| Some((self.certificate(&listed.certificate, &identity)?, listed)))
            .filter(|(c, _)| c.user == account.user.to_bytes())
            .collect())
    }
}

/// The account's identity as the server keeps it, which a joining device needs.
async fn stored_identity<T: Transport>(t: &T) -> Result<StoredIdentity> {
    t.identity().await.map_err(sync_error)?.ok_or_else(|| {
        sync_error("this account has no identity yet: set up sync on your first device")
    })
}
