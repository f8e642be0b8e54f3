//! Stint's engine: the one API of commands and queries that the CLI, the desktop shell and the tests
//! all use.
//!
//! Every command names the acting member ([`ActAs`]), is checked against the role table
//! ([`stint_domain::authorize`]) on the very object it touches, validates its input, and writes one
//! or more encrypted records (with their outbox entries) in one vault transaction. Only then is the
//! in-memory index updated, so a refused or failed command changes nothing.
#![forbid(unsafe_code)]

mod attachments;
pub mod bench;
pub mod bench_pdf;
mod conflicts;
pub mod device_name;
mod enrolment;
mod entry_store;
mod error;
pub mod export;
mod idle;
mod invoice_files;
mod invoice_numbers;
mod invoicing;
mod locked_work;
mod membership;
mod organizations;
mod project_summary;
#[allow(dead_code)] // groundwork: the apps do not read the log yet
mod quarantine;
mod records;
mod recovery;
pub mod seed;
mod state;
pub mod sync;
mod team;
mod versions;
mod views;

pub use conflicts::{ConflictField, ConflictView};
pub use enrolment::{ApprovedDevice, WaitingEnrolment};
pub use error::{EngineError, Result};
pub use idle::{IdleChoice, IdleOutcome};
pub use invoice_files::{InvoiceFile, InvoiceFormat, PaperSize};
pub use invoicing::{
    BillingProblem, BillingProblemKind, InvoiceEdit, InvoiceFilter, InvoiceView, NewInvoice,
    NewRecurring,
};
pub use locked_work::LockedChange;
pub use project_summary::ProjectSummary;
pub use quarantine::QuarantineView;
pub use recovery::NewRecoveryKey;
pub use stint_domain::Kind;
pub use stint_vault::{
    Kdf, KeyStore, MemoryKeyStore, OsKeyring, PassphraseParams, Unlock, VaultError,
    release_free_memory, return_large_buffers,
};
pub use team::{Joined, Newcomer};
pub use views::*;

use jiff::Timestamp;
use jiff::civil::Date;
use rayon::prelude::*;
use records::Record;
use serde::{Deserialize, Serialize};
use state::{EntryFacts, OrgState};
use std::collections::HashMap;
use std::path::Path;
use stint_domain::model::{is_locked, validate_locale, validate_time_zone};
use stint_domain::role::grant;
use stint_domain::*;
use stint_vault::{DeviceKeys, Header, OpenedRef, ReadAhead, Vault, Write, Zeroizing};
use ulid::Ulid;

/// Who is acting, and in which organization.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Serialize, Deserialize, ts_rs::TS)]
#[ts(export)]
pub struct ActAs {
    /// The organization.
    pub org: OrgId,
    /// The acting member.
    pub member: MemberId,
}

/// Whether a vault exists at a path and how it is protected.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "lowercase")]
#[ts(export)]
pub enum VaultStatus {
    /// No vault yet.
    Missing,
    /// Protected by the OS keyring.
    Keyring,
    /// Protected by a passphrase.
    Passphrase,
}

/// A record that could not be opened at unlock.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, ts_rs::TS)]
#[ts(export)]
pub struct QuarantineReport {
    /// The record's id (ULID text when it is one, hex otherwise).
    pub record: String,
    /// What failed.
    pub reason: String,
}

/// One record for [`Engine::put_raw_record`] (test support only): header fields and payload as
/// given, unchecked.
#[doc(hidden)]
#[derive(Clone, Debug)]
pub struct RawRecord {
    /// The header's organization.
    pub org: OrgId,
    /// The header's record id.
    pub id: [u8; 16],
    /// The header's kind.
    pub kind: u16,
    /// The header's compartment.
    pub compartment: u8,
    /// The header's author user.
    pub author: MemberId,
    /// The header's owner (all zero: none).
    pub owner: [u8; 16],
    /// The plaintext payload.
    pub payload: Vec<u8>,
}

/// The engine over one unlocked vault.
pub struct Engine {
    vault: Vault,
    keys: DeviceKeys,
    orgs: HashMap<OrgId, OrgState>,
    user: MemberId,
    quarantined: Vec<QuarantineReport>,
    clock: Option<Timestamp>,
    /// Milliseconds spent reading, decrypting and indexing at unlock (for the bench).
    load_phases: [f64; 3],
    /// Each synced organization's membership log as this device last checked it this session:
    /// a round checks only the entries added since.
    checked_logs: HashMap<OrgId, membership::CheckedLog>,
    /// Certificates and identities this session has checked, by their bytes (`team::Checked`).
    checked: std::sync::Mutex<team::Checked>,
}

/// What [`Engine::index`] builds from the vault.
struct Indexed {
    orgs: HashMap<OrgId, OrgState>,
    user: MemberId,
    quarantined: Vec<QuarantineReport>,
    load_phases: [f64; 3],
}

const USER_SETTING: &str = "user";
/// Kinds unlock does not read: attachments (fetched one by one when needed) and write log entries
/// (read as they arrive, `stint_vault::Vault::unseen`).
const UNLOADED: [u16; 3] = [
    Kind::Attachment as u16,
    Kind::TeamLog as u16,
    Kind::FinanceLog as u16,
];
const SERVER_ACCOUNT_SECRET: &str = "server-account";

/// The sync server this device is signed in to, kept sealed in the vault.
#[derive(Clone, serde::Serialize, serde::Deserialize)]
pub struct ServerAccount {
    /// The server's address, like `https://stint.example.org`.
    pub server: String,
    /// The account's email address.
    pub email: String,
    /// The session's id (as the server lists it).
    pub session: String,
    /// The session's bearer token.
    pub token: String,
    /// The app's refresh token, from a sign-in through the browser (it rotates at each use);
    /// `None` for the CLI's session token, which lives as long as its session.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refresh_token: Option<String>,
    /// When `token` stops being accepted (Unix seconds), where it expires before its session.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token_expires: Option<i64>,
}

impl ServerAccount {
    /// What the window may show of it: no token.
    pub fn public(&self) -> ServerSignIn {
        ServerSignIn {
            server: self.server.clone(),
            email: self.email.clone(),
        }
    }
}

/// The sync server this device is signed in to, as the window shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, ts_rs::TS)]
#[ts(export)]
pub struct ServerSignIn {
    /// The server's address, like `https://stint.example.org`.
    pub server: String,
    /// The account's email address.
    pub email: String,
}

impl std::fmt::Debug for ServerAccount {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ServerAccount")
            .field("server", &self.server)
            .field("email", &self.email)
            .field("session", &self.session)
            .finish_non_exhaustive()
    }
}

fn record_label(bytes: &[u8]) -> String {
    <[u8; 16]>::try_from(bytes)
        .map(|b| Ulid::from_bytes(b).to_string())
        .unwrap_or_else(|_| hex(bytes))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

pub(crate) fn new_id() -> Ulid {
    Ulid::generate()
}

impl Engine {
    /// Is there a vault at `dir`, and what unlocks it?
    pub async fn status(dir: &Path) -> VaultStatus {
        match Vault::open(dir).await {
            Ok(vault) => {
                let status = match vault.protection() {
                    stint_vault::Protection::Keyring => VaultStatus::Keyring,
                    stint_vault::Protection::Passphrase => VaultStatus::Passphrase,
                };
                vault.close().await;
                status
            }
            Err(_) => VaultStatus::Missing,
        }
    }

    /// Create a new, empty vault at `dir`.
    pub async fn create(dir: &Path, unlock: Unlock<'_>) -> Result<Engine> {
        Self::create_with(dir, unlock, Kdf::Recommended).await
    }

    /// [`Engine::create`], with the cost of a passphrase's key derivation chosen by `kdf`.
    pub async fn create_with(dir: &Path, unlock: Unlock<'_>, kdf: Kdf) -> Result<Engine> {
        let (vault, keys) = Vault::create_with(dir, unlock, kdf).await?;
        let user = MemberId(new_id());
        vault.set_setting(USER_SETTING, &user.to_bytes()).await?;
        Ok(Engine {
            vault,
            keys,
            orgs: HashMap::new(),
            user,
            quarantined: Vec::new(),
            clock: None,
            load_phases: [0.0; 3],
            checked_logs: HashMap::new(),
            checked: Default::default(),
        })
    }

    /// Open and unlock the vault at `dir`: decrypt every record into the in-memory index.
    pub async fn open(dir: &Path, unlock: Unlock<'_>) -> Result<Engine> {
        let vault = Vault::open(dir).await?;
        // The rows are read while a passphrase's key is derived.
        let (keys, read) = vault.unlock_and_read(unlock, &UNLOADED).await?;
        Self::open_read(vault, keys, Some(read)).await
    }

    /// Replace the passphrase of the vault in `dir` (`old` must be the current one) without
    /// loading its records; the new one gets `kdf`'s cost, which upgrades a vault made with weaker
    /// settings. Returns the settings now stored. See [`Vault::change_passphrase`].
    pub async fn change_passphrase(
        dir: &Path,
        old: &str,
        new: &str,
        kdf: Kdf,
    ) -> Result<PassphraseParams> {
        let vault = Vault::open(dir).await?;
        let changed = vault.change_passphrase(old, new, kdf).await;
        let params = match changed {
            Ok(()) => vault.passphrase_params().await,
            Err(e) => Err(e),
        };
        vault.close().await;
        params?
            .ok_or_else(|| VaultError::Damaged("the passphrase settings are missing".into()).into())
    }

    /// The key derivation settings of this vault's passphrase (`None` for a keyring vault).
    pub async fn passphrase_params(&self) -> Result<Option<PassphraseParams>> {
        Ok(self.vault.passphrase_params().await?)
    }

    async fn open_unlocked(vault: Vault, keys: DeviceKeys) -> Result<Engine> {
        Self::open_read(vault, keys, None).await
    }

    /// [`Engine::open_unlocked`] over the rows read at unlock, if they were.
    async fn open_read(vault: Vault, keys: DeviceKeys, read: Option<ReadAhead>) -> Result<Engine> {
        let indexed = Self::index(&vault, &keys, read).await?;
        Ok(Engine {
            vault,
            keys,
            orgs: indexed.orgs,
            user: indexed.user,
            quarantined: indexed.quarantined,
            clock: None,
            load_phases: indexed.load_phases,
            checked_logs: HashMap::new(),
            checked: Default::default(),
        })
    }

    /// Rebuilds the index from the vault (after records arrived or were rewritten).
    pub(crate) async fn reindex(&mut self) -> Result<()> {
        let indexed = Self::index(&self.vault, &self.keys, None).await?;
        self.orgs = indexed.orgs;
        self.user = indexed.user;
        self.quarantined = indexed.quarantined;
        self.load_phases = indexed.load_phases;
        Ok(())
    }

    /// Reads (unless `read` has the rows already), checks and decodes every record into the
    /// in-memory index.
    async fn index(vault: &Vault, keys: &DeviceKeys, read: Option<ReadAhead>) -> Result<Indexed> {
        let user = vault
            .setting(USER_SETTING)
            .await?
            .and_then(|b| <[u8; 16]>::try_from(b.as_slice()).ok())
            .map(MemberId::from_bytes)
            .ok_or_else(|| VaultError::Damaged("the device user is missing".into()))?;
        let t0 = std::time::Instant::now();
        // Decoding runs inside the vault's parallel decrypt pass, on plaintexts the pass wipes, and
        // ties each payload to its header (kind, compartment, id: `Record::decode_checked`).
        fn lock<T>(m: &std::sync::Mutex<T>) -> std::sync::MutexGuard<'_, T> {
            m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
        }
        let shared = std::sync::Mutex::new(state::Shared::default());
        let notes = std::sync::Mutex::new(entry_store::DecodedNotes::default());
        let decode = |opened: OpenedRef<'_>| {
            let header = opened.header;
            let mut record = Record::decode_checked(&header, opened.plaintext);
            match &mut record {
                Ok(Some(Record::Invoice(invoice))) => lock(&shared).share(invoice),
                Ok(Some(Record::TimeEntry(entry))) => lock(&notes).take(header.org, entry),
                _ => {}
            }
            (header, record)
        };
        // Rows read ahead were read before `t0`, alongside the key derivation.
        let (loaded, read_since_t0) = match read {
            Some(read) => (vault.load_map_read(read, keys, decode), false),
            None => (vault.load_map(keys, &UNLOADED, decode).await?, true),
        };
        let notes = notes
            .into_inner()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let loaded_read = loaded.read_time;
        let t_read_decrypt = t0.elapsed();
        let t1 = std::time::Instant::now();
        let mut quarantined: Vec<QuarantineReport> = loaded
            .quarantined
            .iter()
            .map(|q| QuarantineReport {
                record: record_label(&q.record),
                reason: q.reason.clone(),
            })
            .collect();
        let orgs = Self::build(vault, keys, loaded.records, notes, &mut quarantined).await?;
        let ms = |d: std::time::Duration| d.as_secs_f64() * 1000.0;
        let load_phases = [
            ms(loaded_read),
            ms(if read_since_t0 {
                t_read_decrypt.saturating_sub(loaded_read)
            } else {
                t_read_decrypt
            }),
            ms(t1.elapsed()),
        ];
        Ok(Indexed {
            orgs,
            user,
            quarantined,
            load_phases,
        })
    }

    /// Builds the indexes of the organizations `decoded` holds, from every record each holds:
    /// authors' rights to what they wrote checked against the members, prices worked out, logos
    /// read. What does not pass is reported into `quarantined`, never indexed. `notes` are the
    /// entries' notes, if they were taken out as the entries were decoded.
    pub(crate) async fn build(
        vault: &Vault,
        keys: &DeviceKeys,
        decoded: Vec<(Header, std::result::Result<Option<Record>, String>)>,
        mut notes: entry_store::DecodedNotes,
        quarantined: &mut Vec<QuarantineReport>,
    ) -> Result<HashMap<OrgId, OrgState>> {
        let authors = Authors::of(&decoded);
        // A synced organization's log, kept on this device: each record judged by its author's
        // role at the point of the log its header names, and the roles the engine enforces.
        let mut logs = HashMap::new();
        for (header, _) in &decoded {
            let org = OrgId::from_bytes(header.org);
            if let std::collections::hash_map::Entry::Vacant(slot) = logs.entry(org) {
                slot.insert(membership::kept_log(vault, org).await?);
            }
        }
        let mut orgs: HashMap<OrgId, OrgState> = HashMap::new();
        for (header, record) in decoded {
            let in_log = |header: &Header| match logs.get(&OrgId::from_bytes(header.org)) {
                Some(Some((_, roles))) => roles.check(header),
                _ => Ok(()),
            };
            match record {
                Ok(Some(record)) => match authors
                    .check_owner(&header, &record)
                    .and_then(|()| in_log(&header))
                {
                    Ok(()) => orgs
                        .entry(OrgId::from_bytes(header.org))
                        .or_insert_with(|| OrgState::with_notes(notes.remove(header.org)))
                        .apply(record),
                    Err(reason) => quarantined.push(QuarantineReport {
                        record: record_label(&header.record),
                        reason,
                    }),
                },
                Ok(None) => {}
                Err(reason) => quarantined.push(QuarantineReport {
                    record: record_label(&header.record),
                    reason,
                }),
            }
        }
        orgs.retain(|id, state| {
            let known = state.org.is_some();
            if !known {
                quarantined.push(QuarantineReport {
                    record: id.to_string(),
                    reason: "records of an organization whose profile is missing".into(),
                });
            }
            known
        });
        for (id, state) in orgs.iter_mut() {
            if let Some(Some((log, roles))) = logs.remove(id) {
                membership::apply_roles(vault, *id, state, &log, roles);
            }
        }
        orgs.par_iter_mut()
            .for_each(|(_, state)| state.reprice_all());
        // Logos are attachments (not loaded in bulk): one small read per organization that has one.
        for (id, state) in orgs.iter_mut() {
            if let Some(logo) = state.org.as_ref().and_then(|o| o.logo) {
                match vault.get(keys, id.to_bytes(), logo.to_bytes()).await? {
                    Some(Ok(opened)) => match records::check_attachment(&opened.header) {
                        Ok(()) => state.logo = Some(opened.plaintext.to_vec()),
                        Err(what) => quarantined.push(QuarantineReport {
                            record: record_label(&opened.header.record),
                            reason: format!(
                                "the organization's logo names this record, but {what}"
                            ),
                        }),
                    },
                    Some(Err(q)) => quarantined.push(QuarantineReport {
                        record: record_label(&q.record),
                        reason: q.reason,
                    }),
                    None => {}
                }
            }
        }
        Ok(orgs)
    }

    /// Close the vault cleanly.
    pub async fn close(self) {
        self.vault.close().await;
    }

    /// Records that failed to open at unlock: never shown, reported here.
    pub fn quarantined(&self) -> &[QuarantineReport] {
        &self.quarantined
    }

    /// The person using this device: owner of every organization created here.
    pub fn user(&self) -> MemberId {
        self.user
    }

    /// The vault's directory.
    pub fn vault_dir(&self) -> &Path {
        self.vault.dir()
    }

    /// Fix "now" (tests and benches); `None` follows the system clock.
    pub fn set_clock(&mut self, now: Option<Timestamp>) {
        self.clock = now;
    }

    /// This device's id (as in its certificate and the envelopes it signs).
    pub fn device_id(&self) -> [u8; 16] {
        self.keys.device_id()
    }

    /// The current instant.
    pub fn now(&self) -> Timestamp {
        self.clock.unwrap_or_else(Timestamp::now)
    }

    /// Pending outbox entries.
    pub async fn outbox_len(&self) -> Result<u64> {
        Ok(self.vault.outbox_len().await?)
    }

    /// SQLite's integrity check of the vault.
    pub async fn integrity_check(&self) -> Result<()> {
        Ok(self.vault.integrity_check().await?)
    }

    // ----- organizations (listing, the default and the last opened: `organizations.rs`) -----

    /// The sync server account this device is signed in to, if any.
    pub async fn server_account(&self) -> Result<Option<ServerAccount>> {
        let Some(json) = self.vault.secret(&self.keys, SERVER_ACCOUNT_SECRET).await? else {
            return Ok(None);
        };
        serde_json::from_slice(&json).map(Some).map_err(|_| {
            EngineError::Vault(VaultError::Damaged(
                "the stored server sign-in does not read".into(),
            ))
        })
    }

    /// Remember a server sign-in (replacing any earlier one), sealed under the device key.
    pub async fn set_server_account(&self, account: &ServerAccount) -> Result<()> {
        let json = stint_vault::Zeroizing::new(
            serde_json::to_vec(account).expect("a server account serializes"),
        );
        Ok(self
            .vault
            .set_secret(&self.keys, SERVER_ACCOUNT_SECRET, &json)
            .await?)
    }

    /// Forget the server sign-in; `true` if there was one.
    pub async fn forget_server_account(&self) -> Result<bool> {
        Ok(self.vault.delete_secret(SERVER_ACCOUNT_SECRET).await?)
    }

    /// Create an organization owned by this device's user.
    pub async fn create_organization(&mut self, input: NewOrganization) -> Result<OrgId> {
        let currency: Currency = input.currency.parse()?;
        validate_time_zone(&input.time_zone)?;
        validate_locale(&input.locale)?;
        let week_start = match input.week_start.as_deref() {
            Some(w) => w.parse()?,
            None => WeekStart::Monday,
        };
        let org = Organization {
            id: OrgId(new_id()),
            name: input.name,
            currency,
            locale: input.locale,
            time_zone: input.time_zone,
            week_start,
            rounding: None,
            lock_before: None,
            logo: None,
            duration_style: DurationStyle::default(),
        }
        .validate()?;
        let owner = Member {
            id: self.user,
            name: input.owner_name,
            role: Role::Owner,
            active: true,
        }
        .validate()?;
        let id = org.id;
        self.vault
            .create_org_keys(&mut self.keys, id.to_bytes())
            .await?;
        self.orgs.insert(id, OrgState::default());
        let by = ActAs {
            org: id,
            member: self.user,
        };
        let result = self
            .commit(&by, vec![Record::Organization(org), Record::Member(owner)])
            .await;
        if let Err(e) = result {
            self.orgs.remove(&id);
            return Err(e);
        }
        if self
            .vault
            .setting(organizations::DEFAULT_ORG_SETTING)
            .await?
            .is_none()
        {
            self.set_default_org(id).await?;
        }
        Ok(id)
    }

    /// Act as this device's user in `org`.
    pub fn act_as_user(&self, org: OrgId) -> Result<ActAs> {
        let by = ActAs {
            org,
            member: self.user,
        };
        self.actor(&by)?;
        Ok(by)
    }

    /// Act as another local member of `by`'s organization (as `--as` does in the CLI), so that the
    /// role table can be tried from one device. The member must exist and be active, and the
    /// organization must not be synced: there, everyone writes from their own account (and the
    /// others' devices would refuse anything else).
    pub async fn act_as_member(&self, org: OrgId, member: MemberId) -> Result<ActAs> {
        let by = ActAs { org, member };
        let (actor, _) = self.actor(&by)?;
        if member != self.user && self.is_synced(org).await? {
            return Err(EngineError::Invalid(ValidationError::new(
                "in a synced organization this device acts only as its own account: everyone writes from their own account",
            )));
        }
        if !actor.active {
            return Err(EngineError::Invalid(ValidationError::new(
                "that member was removed; choose an active member",
            )));
        }
        Ok(by)
    }

    /// Who is acting and what the role table lets them do, for a UI to show only usable controls.
    /// The engine still checks every command.
    pub fn permissions(&self, by: &ActAs) -> Result<Permissions> {
        let (actor, state) = self.actor(by)?;
        let member = state
            .members
            .get(&actor.member)
            .cloned()
            .ok_or_else(|| EngineError::not_found_hint("member", by.member.to_string(), ""))?;
        Ok(Permissions {
            grants: Action::all()
                .map(|action| Grant {
                    action,
                    scope: grant(member.role, action),
                })
                .collect(),
            member,
        })
    }

    /// The organization's profile and settings.
    pub fn organization(&self, by: &ActAs) -> Result<Organization> {
        let (actor, state) = self.actor(by)?;
        authorize(&actor, Action::ReadOrgProfile, &Target::Org { org: by.org })?;
        Ok(state.organization().clone())
    }

    /// Change the organization's profile and settings.
    pub async fn update_organization(&mut self, by: &ActAs, changes: OrgChanges) -> Result<()> {
        let (actor, state) = self.actor(by)?;
        authorize(&actor, Action::EditOrgProfile, &Target::Org { org: by.org })?;
        let mut org = state.organization().clone();
        if let Some(name) = changes.name {
            org.name = name;
        }
        if let Some(locale) = changes.locale {
            validate_locale(&locale)?;
            org.locale = locale;
        }
        if let Some(tz) = changes.time_zone {
            validate_time_zone(&tz)?;
            org.time_zone = tz;
        }
        if let Some(week_start) = changes.week_start {
            org.week_start = week_start.parse()?;
        }
        if let Some(currency) = changes.currency {
            org.currency = currency.parse()?;
        }
        if let Some(rounding) = changes.rounding {
            org.rounding = parse_rounding(&rounding)?;
        }
        if let Some(style) = changes.duration_style {
            org.duration_style = style;
        }
        let org = org.validate()?;
        self.commit(by, vec![Record::Organization(org)]).await
    }

    /// Set (or with `None` remove) the organization's logo: a PNG of at most 512 KiB, stored encrypted
    /// beside the profile in the same transaction.
    pub async fn set_logo(&mut self, by: &ActAs, png: Option<Vec<u8>>) -> Result<()> {
        let (actor, state) = self.actor(by)?;
        authorize(&actor, Action::EditOrgProfile, &Target::Org { org: by.org })?;
        let mut org = state.organization().clone();
        let mut writes = Vec::new();
        if let Some(bytes) = &png {
            if !bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
                return Err(ValidationError::new("the logo must be a PNG image").into());
            }
            if bytes.len() > 512 * 1024 {
                return Err(ValidationError::new(
                    "the logo is larger than 512 KiB; use a smaller PNG",
                )
                .into());
            }
            let id = AttachmentId(new_id());
            writes.push(self.write_for(
                by,
                Kind::Attachment,
                id.to_bytes(),
                [0; 16],
                false,
                bytes.clone(),
            )?);
            org.logo = Some(id);
        } else {
            org.logo = None;
        }
        writes.extend(
            self.record_writes(by, &[Record::Organization(org.clone())])
                .await?,
        );
        self.vault.put(&self.keys, writes).await?;
        let state = self.state_mut(by.org)?;
        state.apply(Record::Organization(org));
        state.logo = png;
        Ok(())
    }

    /// The organization's logo, if it has one.
    pub fn logo(&self, by: &ActAs) -> Result<Option<Vec<u8>>> {
        let (actor, state) = self.actor(by)?;
        authorize(&actor, Action::ReadOrgProfile, &Target::Org { org: by.org })?;
        Ok(state.logo.clone())
    }

    /// Lock the period before `before` (no edits to anything dated earlier); `None` unlocks.
    pub async fn lock_period(&mut self, by: &ActAs, before: Option<Date>) -> Result<()> {
        let (actor, state) = self.actor(by)?;
        authorize(&actor, Action::LockPeriod, &Target::Org { org: by.org })?;
        let org = Organization {
            lock_before: before,
            ..state.organization().clone()
        };
        self.commit(by, vec![Record::Organization(org)]).await
    }

    /// Today, in the organization's time zone.
    pub fn today(&self, by: &ActAs) -> Result<Date> {
        let (_, state) = self.actor(by)?;
        Ok(state.time_zone().to_datetime(self.now()).date())
    }

    /// Turn a civil date-time in the organization's time zone into an instant (DST gaps resolve
    /// forward, folds to the earlier instant).
    pub fn local_instant(&self, org: OrgId, dt: jiff::civil::DateTime) -> Result<Timestamp> {
        let state = self.state(org)?;
        dt.to_zoned_datetime(state.time_zone().clone())
            .map(|z| z.timestamp())
            .map_err(|e| {
                ValidationError::new(format!("{dt} is not a valid local time: {e}")).into()
            })
    }

    /// The organization's time zone.
    pub fn time_zone(&self, org: OrgId) -> Result<jiff::tz::TimeZone> {
        Ok(self.state(org)?.time_zone().clone())
    }

    // ----- members -------------------------------------------------------------------------

    /// Members with their roles.
    pub fn members(&self, by: &ActAs) -> Result<Vec<Member>> {
        let (actor, state) = self.actor(by)?;
        authorize(&actor, Action::ListMembers, &Target::Org { org: by.org })?;
        let mut list: Vec<Member> = state.members.values().cloned().collect();
        list.sort_by_key(|a| a.name.to_lowercase());
        Ok(list)
    }

    /// Find a member by id or name.
    pub fn find_member(&self, org: OrgId, name_or_id: &str) -> Result<MemberId> {
        let members = self.state(org)?.members.values();
        lookup(
            ("member", "list them with `stint member list`"),
            name_or_id,
            members,
            |m| (m.id, &m.name, !m.active),
        )
    }

    /// Add a local member (until sync exists, members live on this device).
    pub async fn add_member(&mut self, by: &ActAs, name: &str, role: Role) -> Result<MemberId> {
        let (actor, state) = self.actor(by)?;
        let target = Target::Membership {
            org: by.org,
            from: None,
            to: Some(role),
            last_owner: false,
        };
        authorize(&actor, Action::ManageMembersAndViewers, &target)?;
        let member = Member {
            id: MemberId(new_id()),
            name: name.to_owned(),
            role,
            active: true,
        }
        .validate()?;
        if state
            .members
            .values()
            .any(|m| m.active && m.name.to_lowercase() == member.name.to_lowercase())
        {
            return Err(ValidationError::new(format!(
                "a member named {:?} already exists",
                member.name
            ))
            .into());
        }
        let id = member.id;
        self.commit(by, vec![Record::Member(member)]).await?;
        Ok(id)
    }

    /// Change a member's role.
    pub async fn set_role(&mut self, by: &ActAs, member: MemberId, role: Role) -> Result<()> {
        if self.is_synced(by.org).await? {
            return Err(sync::sync_error(
                "in a synced organization, roles change through its signed membership log: use `stint member role` or `stint member remove`, which go through the sync server",
            ));
        }
        let (actor, state) = self.actor(by)?;
        let current = state
            .members
            .get(&member)
            .ok_or_else(|| EngineError::not_found("member", member.to_string()))?;
        let last_owner = current.role == Role::Owner && state.owner_count() == 1;
        let target = Target::Membership {
            org: by.org,
            from: Some(current.role),
            to: Some(role),
            last_owner,
        };
        authorize(&actor, Action::ManageMembersAndViewers, &target)?;
        let updated = Member {
            role,
            ..current.clone()
        };
        self.commit(by, vec![Record::Member(updated)]).await
    }

    /// Remove a member; their records stay.
    pub async fn remove_member(&mut self, by: &ActAs, member: MemberId) -> Result<()> {
        if self.is_synced(by.org).await? {
            return Err(sync::sync_error(
                "in a synced organization, roles change through its signed membership log: use `stint member role` or `stint member remove`, which go through the sync server",
            ));
        }
        let (actor, state) = self.actor(by)?;
        let current = state
            .members
            .get(&member)
            .ok_or_else(|| EngineError::not_found("member", member.to_string()))?;
        let last_owner = current.role == Role::Owner && state.owner_count() == 1;
        let target = Target::Membership {
            org: by.org,
            from: Some(current.role),
            to: None,
            last_owner,
        };
        authorize(&actor, Action::ManageMembersAndViewers, &target)?;
        let updated = Member {
            active: false,
            ..current.clone()
        };
        self.commit(by, vec![Record::Member(updated)]).await
    }

    // ----- catalog -------------------------------------------------------------------------

    /// Add a client.
    pub async fn add_client(&mut self, by: &ActAs, input: NewClient) -> Result<ClientId> {
        let (actor, state) = self.actor(by)?;
        authorize(&actor, Action::EditCatalog, &Target::Org { org: by.org })?;
        let client = Client {
            id: ClientId(new_id()),
            name: input.name,
            currency: input.currency.as_deref().map(str::parse).transpose()?,
            rounding: input
                .rounding
                .as_deref()
                .map(parse_rounding)
                .transpose()?
                .flatten(),
            note: input.note,
            archived: false,
        }
        .validate()?;
        let lower = client.name.to_lowercase();
        if state
            .clients
            .values()
            .any(|c| !c.archived && c.name.to_lowercase() == lower)
        {
            return Err(ValidationError::new(format!(
                "a client named {:?} already exists",
                client.name
            ))
            .into());
        }
        let id = client.id;
        self.commit(by, vec![Record::Client(client)]).await?;
        Ok(id)
    }

    /// Change a client.
    pub async fn edit_client(
        &mut self,
        by: &ActAs,
        id: ClientId,
        changes: ClientChanges,
    ) -> Result<()> {
        let (actor, state) = self.actor(by)?;
        authorize(&actor, Action::EditCatalog, &Target::Org { org: by.org })?;
        let mut client = state
            .clients
            .get(&id)
            .cloned()
            .ok_or_else(|| EngineError::not_found("client", id.to_string()))?;
        if let Some(name) = changes.name {
            client.name = name;
        }
        if let Some(currency) = changes.currency {
            client.currency = if currency.trim().is_empty() {
                None
            } else {
                Some(currency.parse()?)
            };
        }
        if let Some(rounding) = changes.rounding {
            client.rounding = parse_rounding(&rounding)?;
        }
        if let Some(note) = changes.note {
            client.note = note;
        }
        if let Some(archived) = changes.archived {
            client.archived = archived;
        }
        let client = client.validate()?;
        self.commit(by, vec![Record::Client(client)]).await
    }

    /// Clients, sorted by name.
    pub fn clients(&self, by: &ActAs, include_archived: bool) -> Result<Vec<Client>> {
        let (actor, state) = self.actor(by)?;
        authorize(&actor, Action::ReadCatalog, &Target::Org { org: by.org })?;
        let mut list: Vec<Client> = state
            .clients
            .values()
            .filter(|c| include_archived || !c.archived)
            .cloned()
            .collect();
        list.sort_by_key(|a| a.name.to_lowercase());
        Ok(list)
    }

    /// Find a client by id or name (active ones first).
    pub fn find_client(&self, org: OrgId, name_or_id: &str) -> Result<ClientId> {
        let clients = self.state(org)?.clients.values();
        lookup(
            ("client", "list them with `stint client list`"),
            name_or_id,
            clients,
            |c| (c.id, &c.name, c.archived),
        )
    }

    /// Add a project.
    pub async fn add_project(&mut self, by: &ActAs, input: NewProject) -> Result<ProjectId> {
        let (actor, state) = self.actor(by)?;
        authorize(&actor, Action::EditCatalog, &Target::Org { org: by.org })?;
        let client = state
            .clients
            .get(&input.client)
            .ok_or_else(|| EngineError::not_found("client", input.client.to_string()))?;
        if client.archived {
            return Err(EngineError::Archived {
                what: "client",
                name: client.name.clone(),
            });
        }
        let project = Project {
            id: ProjectId(new_id()),
            client: input.client,
            name: input.name,
            billable: input.billable.unwrap_or(true),
            rounding: input
                .rounding
                .as_deref()
                .map(parse_rounding)
                .transpose()?
                .flatten(),
            note: input.note,
            archived: false,
        }
        .validate()?;
        let lower = project.name.to_lowercase();
        if state
            .projects
            .values()
            .any(|p| !p.archived && p.client == project.client && p.name.to_lowercase() == lower)
        {
            return Err(ValidationError::new(format!(
                "{} already has a project named {:?}",
                client.name, project.name
            ))
            .into());
        }
        let id = project.id;
        self.commit(by, vec![Record::Project(project)]).await?;
        Ok(id)
    }

    /// Change a project.
    pub async fn edit_project(
        &mut self,
        by: &ActAs,
        id: ProjectId,
        changes: ProjectChanges,
    ) -> Result<()> {
        let (actor, state) = self.actor(by)?;
        authorize(&actor, Action::EditCatalog, &Target::Org { org: by.org })?;
        let mut project = state
            .projects
            .get(&id)
            .cloned()
            .ok_or_else(|| EngineError::not_found("project", id.to_string()))?;
        if let Some(client) = changes.client {
            if !state.clients.contains_key(&client) {
                return Err(EngineError::not_found("client", client.to_string()));
            }
            project.client = client;
        }
        if let Some(name) = changes.name {
            project.name = name;
        }
        if let Some(billable) = changes.billable {
            project.billable = billable;
        }
        if let Some(rounding) = changes.rounding {
            project.rounding = parse_rounding(&rounding)?;
        }
        if let Some(note) = changes.note {
            project.note = note;
        }
        if let Some(archived) = changes.archived {
            project.archived = archived;
        }
        let project = project.validate()?;
        self.commit(by, vec![Record::Project(project)]).await
    }

    /// Projects with their client's name, sorted by client and project.
    pub fn projects(&self, by: &ActAs, include_archived: bool) -> Result<Vec<ProjectView>> {
        let (actor, state) = self.actor(by)?;
        authorize(&actor, Action::ReadCatalog, &Target::Org { org: by.org })?;
        let mut list: Vec<ProjectView> = state
            .projects
            .values()
            .filter(|p| include_archived || !p.archived)
            .map(|p| ProjectView {
                project: p.clone(),
                client_name: state
                    .clients
                    .get(&p.client)
                    .map(|c| c.name.clone())
                    .unwrap_or_default(),
            })
            .collect();
        list.sort_by(|a, b| {
            (a.client_name.to_lowercase(), a.project.name.to_lowercase())
                .cmp(&(b.client_name.to_lowercase(), b.project.name.to_lowercase()))
        });
        Ok(list)
    }

    /// Find a project by id or name (optionally within a client).
    pub fn find_project(
        &self,
        org: OrgId,
        name_or_id: &str,
        client: Option<ClientId>,
    ) -> Result<ProjectId> {
        let projects = self
            .state(org)?
            .projects
            .values()
            .filter(|p| client.is_none_or(|c| p.client == c));
        lookup(
            ("project", "list them with `stint project list`"),
            name_or_id,
            projects,
            |p| (p.id, &p.name, p.archived),
        )
    }

    /// Add a task to a project.
    pub async fn add_task(
        &mut self,
        by: &ActAs,
        project: ProjectId,
        name: &str,
        billable: Option<bool>,
    ) -> Result<TaskId> {
        let (actor, state) = self.actor(by)?;
        authorize(&actor, Action::EditCatalog, &Target::Org { org: by.org })?;
        let p = state
            .projects
            .get(&project)
            .ok_or_else(|| EngineError::not_found("project", project.to_string()))?;
        if p.archived {
            return Err(EngineError::Archived {
                what: "project",
                name: p.name.clone(),
            });
        }
        let task = Task {
            id: TaskId(new_id()),
            project,
            name: name.to_owned(),
            billable,
            archived: false,
        }
        .validate()?;
        let lower = task.name.to_lowercase();
        if state
            .tasks
            .values()
            .any(|t| t.project == project && !t.archived && t.name.to_lowercase() == lower)
        {
            return Err(ValidationError::new(format!(
                "{} already has a task named {:?}",
                p.name, task.name
            ))
            .into());
        }
        let id = task.id;
        self.commit(by, vec![Record::Task(task)]).await?;
        Ok(id)
    }

    /// Tasks, optionally of one project.
    pub fn tasks(&self, by: &ActAs, project: Option<ProjectId>) -> Result<Vec<TaskView>> {
        let (actor, state) = self.actor(by)?;
        authorize(&actor, Action::ReadCatalog, &Target::Org { org: by.org })?;
        let mut list: Vec<TaskView> = state
            .tasks
            .values()
            .filter(|t| project.is_none_or(|p| t.project == p))
            .map(|t| TaskView {
                task: t.clone(),
                project_name: state
                    .projects
                    .get(&t.project)
                    .map(|p| p.name.clone())
                    .unwrap_or_default(),
            })
            .collect();
        list.sort_by(|a, b| {
            (a.project_name.to_lowercase(), a.task.name.to_lowercase())
                .cmp(&(b.project_name.to_lowercase(), b.task.name.to_lowercase()))
        });
        Ok(list)
    }

    /// Find a task of a project by id or name.
    pub fn find_task(&self, org: OrgId, project: ProjectId, name_or_id: &str) -> Result<TaskId> {
        let tasks = self
            .state(org)?
            .tasks
            .values()
            .filter(|t| t.project == project);
        lookup(
            ("task", "list them with `stint task list`"),
            name_or_id,
            tasks,
            |t| (t.id, &t.name, t.archived),
        )
    }

    /// A tag by id or name (ignoring case).
    pub fn find_tag(&self, org: OrgId, name_or_id: &str) -> Result<TagId> {
        lookup(
            ("tag", "list them with `stint tag list`"),
            name_or_id,
            self.state(org)?.tags.values(),
            |t| (t.id, &t.name, t.archived),
        )
    }

    /// Add a tag.
    pub async fn add_tag(&mut self, by: &ActAs, name: &str) -> Result<TagId> {
        let (actor, state) = self.actor(by)?;
        authorize(&actor, Action::EditCatalog, &Target::Org { org: by.org })?;
        let tag = Tag {
            id: TagId(new_id()),
            name: name.to_owned(),
            archived: false,
        }
        .validate()?;
        if state
            .tags
            .values()
            .any(|t| t.name.to_lowercase() == tag.name.to_lowercase())
        {
            return Err(
                ValidationError::new(format!("a tag named {:?} already exists", tag.name)).into(),
            );
        }
        let id = tag.id;
        self.commit(by, vec![Record::Tag(tag)]).await?;
        Ok(id)
    }

    /// Rename a tag, or archive or restore it. An archived tag leaves the pickers; the entries that
    /// carry it keep it.
    pub async fn edit_tag(&mut self, by: &ActAs, id: TagId, changes: TagChanges) -> Result<Tag> {
        let (actor, state) = self.actor(by)?;
        authorize(&actor, Action::EditCatalog, &Target::Org { org: by.org })?;
        let mut tag = state.tags.get(&id).cloned().ok_or_else(|| {
            EngineError::not_found_hint("tag", id.to_string(), "list them with `stint tag list`")
        })?;
        if let Some(name) = changes.name {
            tag.name = name;
        }
        if let Some(archived) = changes.archived {
            tag.archived = archived;
        }
        let tag = tag.validate()?;
        if state
            .tags
            .values()
            .any(|t| t.id != id && t.name.to_lowercase() == tag.name.to_lowercase())
        {
            return Err(
                ValidationError::new(format!("a tag named {:?} already exists", tag.name)).into(),
            );
        }
        self.commit(by, vec![Record::Tag(tag.clone())]).await?;
        Ok(tag)
    }

    /// Tags, sorted by name.
    pub fn tags(&self, by: &ActAs) -> Result<Vec<Tag>> {
        let (actor, state) = self.actor(by)?;
        authorize(&actor, Action::ReadCatalog, &Target::Org { org: by.org })?;
        let mut list: Vec<Tag> = state.tags.values().cloned().collect();
        list.sort_by_key(|a| a.name.to_lowercase());
        Ok(list)
    }

    // ----- rates and budgets -----------------------------------------------------------------

    /// Set a bill rate from a date on.
    pub async fn set_rate(&mut self, by: &ActAs, input: NewRate) -> Result<RateId> {
        let (actor, state) = self.actor(by)?;
        authorize(&actor, Action::EditRates, &Target::Org { org: by.org })?;
        let exists = match input.scope {
            RateScope::Task { task } => state.tasks.contains_key(&task),
            RateScope::ProjectMember { project, member } => {
                state.projects.contains_key(&project) && state.members.contains_key(&member)
            }
            RateScope::Project { project } => state.projects.contains_key(&project),
            RateScope::Client { client } => state.clients.contains_key(&client),
            RateScope::Member { member } => state.members.contains_key(&member),
            RateScope::Organization => true,
        };
        if !exists {
            return Err(ValidationError::new(
                "the rate's task, project, client or member does not exist",
            )
            .into());
        }
        let currency = match &input.currency {
            Some(code) => code.parse()?,
            None => self.default_currency(state, &input.scope),
        };
        let hourly = Money::parse_positive(&input.hourly, currency)?;
        // Same scope and date again replaces the earlier rule (keeps its id).
        let id = state
            .rates
            .values()
            .find(|r| r.scope == input.scope && r.effective_from == input.effective_from)
            .map(|r| r.id)
            .unwrap_or(RateId(new_id()));
        let rate = Rate {
            id,
            scope: input.scope,
            effective_from: input.effective_from,
            hourly,
        };
        self.commit(by, vec![Record::Rate(rate)]).await?;
        Ok(id)
    }

    fn default_currency(&self, state: &OrgState, scope: &RateScope) -> Currency {
        let client = match scope {
            RateScope::Client { client } => Some(*client),
            RateScope::Project { project } | RateScope::ProjectMember { project, .. } => {
                state.projects.get(project).map(|p| p.client)
            }
            RateScope::Task { task } => state
                .tasks
                .get(task)
                .and_then(|t| state.projects.get(&t.project))
                .map(|p| p.client),
            _ => None,
        };
        client
            .and_then(|c| state.clients.get(&c))
            .and_then(|c| c.currency)
            .unwrap_or(state.organization().currency)
    }

    /// All rate rules with a readable scope.
    pub fn rates(&self, by: &ActAs) -> Result<Vec<RateView>> {
        let (actor, state) = self.actor(by)?;
        authorize(&actor, Action::ReadRates, &Target::Org { org: by.org })?;
        let mut list: Vec<RateView> = state
            .rates
            .values()
            .map(|r| RateView {
                rate: r.clone(),
                applies_to: scope_label(state, &r.scope),
            })
            .collect();
        list.sort_by(|a, b| {
            (a.applies_to.clone(), a.rate.effective_from)
                .cmp(&(b.applies_to.clone(), b.rate.effective_from))
        });
        Ok(list)
    }

    /// Set (or replace) a project's budget.
    pub async fn set_budget(
        &mut self,
        by: &ActAs,
        project: ProjectId,
        limit: BudgetLimit,
        period: BudgetPeriod,
    ) -> Result<BudgetId> {
        let (actor, state) = self.actor(by)?;
        authorize(&actor, Action::EditRates, &Target::Org { org: by.org })?;
        if !state.projects.contains_key(&project) {
            return Err(EngineError::not_found("project", project.to_string()));
        }
        let id = state
            .budgets
            .values()
            .find(|b| b.project == project)
            .map(|b| b.id)
            .unwrap_or(BudgetId(new_id()));
        let budget = Budget {
            id,
            project,
            limit,
            period,
        }
        .validate()?;
        self.commit(by, vec![Record::Budget(budget)]).await?;
        Ok(id)
    }

    /// Budgets with their usage as of today.
    pub fn budgets(&self, by: &ActAs) -> Result<Vec<BudgetView>> {
        let (actor, state) = self.actor(by)?;
        authorize(&actor, Action::ReadRates, &Target::Org { org: by.org })?;
        let today = state.time_zone().to_datetime(self.now()).date();
        let mut list: Vec<BudgetView> = state
            .budgets
            .values()
            .map(|b| {
                let items = state
                    .entries
                    .values()
                    .filter(|e| e.project() == Some(b.project) && !e.is_running())
                    .map(|e| {
                        let f = e.facts();
                        stint_domain::budget::BudgetItem {
                            date: f.date,
                            billed_seconds: f.valuation.billed_seconds,
                            amount: f.valuation.amount,
                        }
                    });
                BudgetView {
                    budget: b.clone(),
                    project_name: state
                        .projects
                        .get(&b.project)
                        .map(|p| p.name.clone())
                        .unwrap_or_default(),
                    usage: b.usage(today, items),
                }
            })
            .collect();
        list.sort_by(|a, b| {
            a.project_name
                .to_lowercase()
                .cmp(&b.project_name.to_lowercase())
        });
        Ok(list)
    }

    // ----- time --------------------------------------------------------------------------------

    /// Start a timer now. At most one runs per member.
    pub async fn start_timer(&mut self, by: &ActAs, input: StartTimer) -> Result<EntryOutcome> {
        let now = self.now();
        let entry = TimeEntry {
            id: EntryId(new_id()),
            member: by.member,
            project: input.project,
            task: input.task,
            time: EntryTime::Running { start: now },
            note: input.note,
            billable: true,
            tags: input.tags,
            invoiced: false,
        };
        self.write_entry(by, None, entry, input.billable).await
    }

    /// Stop the acting member's running timer now.
    pub async fn stop_timer(&mut self, by: &ActAs) -> Result<EntryView> {
        let (_, state) = self.actor(by)?;
        let running = state
            .running_timer(by.member)
            .map(|e| e.to_entry())
            .ok_or(EngineError::NoTimer)?;
        let EntryTime::Running { start } = running.time else {
            return Err(EngineError::NoTimer);
        };
        let end = self.now().max(start);
        // A timer stopped within the same instant it started still counts one second.
        let end = if end == start {
            start + jiff::SignedDuration::from_secs(1)
        } else {
            end
        };
        let stopped = TimeEntry {
            time: EntryTime::Span { start, end },
            ..running.clone()
        };
        let outcome = self.write_entry(by, Some(&running), stopped, None).await?;
        Ok(outcome.entry)
    }

    /// The acting member's running timer.
    pub fn running_timer(&self, by: &ActAs) -> Result<Option<EntryView>> {
        let (actor, state) = self.actor(by)?;
        Ok(state
            .running_timer(by.member)
            .map(|e| self.entry_view(&actor, state, &e.to_entry())))
    }

    /// The project of the acting member's latest timed entry (for "start the timer again"), if it
    /// is still active.
    pub fn last_project(&self, by: &ActAs) -> Result<Option<ProjectId>> {
        let (_, state) = self.actor(by)?;
        Ok(state
            .entries_of(by.member)
            .filter(|e| {
                e.project()
                    .and_then(|p| state.projects.get(&p))
                    .is_some_and(|p| !p.archived)
            })
            .max_by_key(|e| (start_of(e.time()), e.id()))
            .and_then(|e| e.project()))
    }

    /// Record finished work (a span or a duration).
    pub async fn add_entry(&mut self, by: &ActAs, input: NewEntry) -> Result<EntryOutcome> {
        if matches!(input.time, EntryTime::Running { .. }) {
            return Err(ValidationError::new("use start_timer to start a timer").into());
        }
        let entry = TimeEntry {
            id: EntryId(new_id()),
            member: input.member.unwrap_or(by.member),
            project: input.project,
            task: input.task,
            time: input.time,
            note: input.note,
            billable: true,
            tags: input.tags,
            invoiced: false,
        };
        self.write_entry(by, None, entry, input.billable).await
    }

    /// Change an entry.
    pub async fn edit_entry(
        &mut self,
        by: &ActAs,
        id: EntryId,
        changes: EntryChanges,
    ) -> Result<EntryOutcome> {
        let (_, state) = self.actor(by)?;
        let old = state
            .entries
            .get(&id)
            .map(|e| e.to_entry())
            .ok_or_else(|| EngineError::not_found("time entry", id.to_string()))?;
        let mut new = old.clone();
        if let Some(project) = changes.project {
            if new.project != Some(project) {
                new.task = None;
            }
            new.project = Some(project);
        }
        if let Some(task) = changes.task {
            new.task = Some(task);
        }
        if changes.clear_task {
            new.task = None;
        }
        if let Some(time) = changes.time {
            if matches!(time, EntryTime::Running { .. }) && !old.is_running() {
                return Err(EngineError::Conflict(
                    "a finished entry cannot be turned back into a running timer".into(),
                ));
            }
            new.time = time;
        }
        if let Some(note) = changes.note {
            new.note = note;
        }
        if let Some(tags) = changes.tags {
            new.tags = tags;
        }
        // Time that gets its first project takes that project's (or task's) billable default,
        // unless it is said here; after that, a project change keeps what the entry says.
        let first_project = old.project.is_none() && new.project.is_some();
        let billable = changes.billable.or(if first_project {
            None
        } else {
            Some(old.billable)
        });
        self.write_entry(by, Some(&old), new, billable).await
    }

    /// Delete an entry.
    pub async fn delete_entry(&mut self, by: &ActAs, id: EntryId) -> Result<()> {
        let (actor, state) = self.actor(by)?;
        let old = state
            .entries
            .get(&id)
            .ok_or_else(|| EngineError::not_found("time entry", id.to_string()))?;
        authorize(
            &actor,
            Action::EditTimeEntry,
            &record_target(
                state,
                old.member(),
                old.date(state.time_zone()),
                old.invoiced(),
            ),
        )?;
        let owner = old.member().to_bytes();
        self.tombstone(by, Kind::TimeEntry, id.to_bytes(), owner)
            .await?;
        if let Some(state) = self.orgs.get_mut(&by.org) {
            state.remove_entry(id);
        }
        Ok(())
    }

    async fn write_entry(
        &mut self,
        by: &ActAs,
        old: Option<&TimeEntry>,
        mut entry: TimeEntry,
        billable: Option<bool>,
    ) -> Result<EntryOutcome> {
        let now = self.now();
        let (actor, state) = self.actor(by)?;
        let tz = state.time_zone();
        if let Some(old) = old {
            authorize(
                &actor,
                Action::EditTimeEntry,
                &record_target(state, old.member, old.date(tz), old.invoiced),
            )?;
        }
        authorize(
            &actor,
            Action::EditTimeEntry,
            &record_target(state, entry.member, entry.date(tz), entry.invoiced),
        )?;
        let member = state
            .members
            .get(&entry.member)
            .ok_or_else(|| EngineError::not_found("member", entry.member.to_string()))?;
        if !member.active {
            return Err(ValidationError::new(format!(
                "{} has been removed from the organization",
                member.name
            ))
            .into());
        }
        // Time may have no project yet (a timer started without one); once it has one, it keeps one.
        let project = match entry.project {
            Some(id) => {
                let project = state
                    .projects
                    .get(&id)
                    .ok_or_else(|| EngineError::not_found("project", id.to_string()))?;
                let project_changed = old.is_none_or(|o| o.project != entry.project);
                if project.archived && project_changed {
                    return Err(EngineError::Archived {
                        what: "project",
                        name: project.name.clone(),
                    });
                }
                Some(project)
            }
            None if old.is_some_and(|o| o.project.is_some()) => {
                return Err(ValidationError::new(
                    "an entry with a project cannot lose it; choose another project instead",
                )
                .into());
            }
            None => None,
        };
        let task = match (entry.task, project) {
            (Some(task_id), Some(project)) => {
                let task = state
                    .tasks
                    .get(&task_id)
                    .filter(|t| t.project == project.id)
                    .ok_or_else(|| {
                        EngineError::not_found_hint(
                            "task",
                            task_id.to_string(),
                            format!("it must belong to {}", project.name),
                        )
                    })?;
                Some(task)
            }
            (Some(_), None) => {
                return Err(ValidationError::new(
                    "a task needs a project; choose the project first",
                )
                .into());
            }
            (None, _) => None,
        };
        for tag in &entry.tags {
            if !state.tags.contains_key(tag) {
                return Err(EngineError::not_found("tag", tag.to_string()));
            }
        }
        // Without a project, time is billable unless said otherwise; the first project it gets
        // decides then (`edit_entry`).
        entry.billable = billable
            .or(task.and_then(|t| t.billable))
            .unwrap_or(project.is_none_or(|p| p.billable));
        let entry = entry.validate()?;
        if entry.is_running()
            && old.is_none()
            && let Some(running) = state.running_timer(entry.member)
        {
            let project = running
                .project()
                .and_then(|p| state.projects.get(&p))
                .map_or_else(|| "no project".to_owned(), |p| p.name.clone());
            let since = match running.time() {
                EntryTime::Running { start } => {
                    tz.to_datetime(start).strftime("%Y-%m-%d %H:%M").to_string()
                }
                _ => String::new(),
            };
            return Err(EngineError::TimerRunning { project, since });
        }
        let mine: Vec<TimeEntry> = state
            .entries_of(entry.member)
            .filter(|e| e.id() != entry.id && !matches!(e.time(), EntryTime::Duration { .. }))
            .map(|e| e.to_entry())
            .collect();
        let overlaps = entry::overlapping(&entry, &mine, now);
        self.commit(by, vec![Record::TimeEntry(entry.clone())])
            .await?;
        let (actor, state) = self.actor(by)?;
        let stored = state.entries.get(&entry.id).map_or(entry, |e| e.to_entry());
        Ok(EntryOutcome {
            entry: self.entry_view(&actor, state, &stored),
            overlaps,
        })
    }

    /// Entries the acting member may read, filtered, in chronological order.
    pub fn entries(&self, by: &ActAs, filter: &EntryFilter) -> Result<Vec<EntryView>> {
        let (actor, state) = self.actor(by)?;
        authorize(&actor, Action::ReadCatalog, &Target::Org { org: by.org })?;
        // Filtered on the stored fields and facts; only the entries listed are made whole.
        let mut list: Vec<EntryView> = state
            .entries
            .values()
            .filter(|e| {
                let date = e.facts().date;
                filter.from.is_none_or(|from| date >= from) && filter.to.is_none_or(|to| date <= to)
            })
            .filter(|e| filter.member.is_none_or(|m| e.member() == m))
            .filter(|e| filter.project.is_none_or(|p| e.project() == Some(p)))
            .filter(|e| {
                authorize(
                    &actor,
                    Action::ReadTimeEntry,
                    &record_target(state, e.member(), Date::MIN, e.invoiced()),
                )
                .is_ok()
            })
            .map(|e| self.entry_view(&actor, state, &e.to_entry()))
            .collect();
        // The id settles ties: two devices list the same entries in the same order, whatever
        // order they stored them in.
        list.sort_by(|a, b| {
            (a.date.clone(), sort_instant(&a.entry), a.entry.id).cmp(&(
                b.date.clone(),
                sort_instant(&b.entry),
                b.entry.id,
            ))
        });
        let shown: Vec<&TimeEntry> = list.iter().map(|v| &v.entry).collect();
        let flags = stint_domain::entry::overlap_flags(&shown, self.now());
        for (view, overlaps) in list.iter_mut().zip(flags) {
            view.overlaps = overlaps;
        }
        Ok(list)
    }

    /// One entry.
    pub fn entry(&self, by: &ActAs, id: EntryId) -> Result<EntryView> {
        let (actor, state) = self.actor(by)?;
        let e = state
            .entries
            .get(&id)
            .ok_or_else(|| EngineError::not_found("time entry", id.to_string()))?
            .to_entry();
        authorize(
            &actor,
            Action::ReadTimeEntry,
            &record_target(state, e.member, Date::MIN, e.invoiced),
        )?;
        Ok(self.entry_view(&actor, state, &e))
    }

    fn entry_view(&self, actor: &Actor, state: &OrgState, e: &TimeEntry) -> EntryView {
        let tz = state.time_zone();
        let facts = state.entries.facts(&e.id);
        let date = facts.map(|f| f.date).unwrap_or_else(|| e.date(tz));
        let (seconds, billed_seconds, amount) = match facts {
            Some(f) if !e.is_running() => (
                f.valuation.raw_seconds,
                f.valuation.billed_seconds,
                f.valuation.amount,
            ),
            _ => (e.seconds(self.now()), e.seconds(self.now()), None),
        };
        let can_read_rates = grant(actor.role, Action::ReadRates) != Scope::None;
        let locked = is_locked(state.organization(), date);
        EntryView {
            date: date.to_string(),
            project_name: e
                .project
                .and_then(|p| state.projects.get(&p))
                .map(|p| p.name.clone())
                .unwrap_or_default(),
            client_name: e
                .project
                .and_then(|p| state.projects.get(&p))
                .and_then(|p| state.clients.get(&p.client))
                .map(|c| c.name.clone())
                .unwrap_or_default(),
            task_name: e
                .task
                .and_then(|t| state.tasks.get(&t))
                .map(|t| t.name.clone()),
            member_name: state
                .members
                .get(&e.member)
                .map(|m| m.name.clone())
                .unwrap_or_default(),
            seconds,
            billed_seconds,
            amount: amount.filter(|_| can_read_rates),
            locked,
            can_edit: authorize(
                actor,
                Action::EditTimeEntry,
                &record_target(state, e.member, date, e.invoiced),
            )
            .is_ok(),
            overlaps: false,
            entry: e.clone(),
        }
    }

    // ----- expenses ------------------------------------------------------------------------------

    /// Record an expense, with its receipt stored encrypted beside it.
    pub async fn add_expense(&mut self, by: &ActAs, input: NewExpense) -> Result<ExpenseId> {
        let (actor, state) = self.actor(by)?;
        let member = input.member.unwrap_or(by.member);
        authorize(
            &actor,
            Action::EditExpense,
            &record_target(state, member, input.date, false),
        )?;
        if let Some(project) = input.project
            && !state.projects.contains_key(&project)
        {
            return Err(EngineError::not_found("project", project.to_string()));
        }
        let currency = match &input.currency {
            Some(code) => code.parse()?,
            None => state.organization().currency,
        };
        let amount = Money::parse_positive(&input.amount, currency)?;
        let receipt_bytes = input.receipt.as_ref().map(|r| r.bytes.clone());
        let receipt = input.receipt.as_ref().map(|r| Receipt {
            attachment: AttachmentId(new_id()),
            file_name: r.file_name.clone(),
            media_type: stint_domain::expense::media_type_for(&r.file_name).to_owned(),
            size: r.bytes.len() as u64,
        });
        let expense = Expense {
            id: ExpenseId(new_id()),
            member,
            date: input.date,
            amount,
            category: input.category,
            note: input.note,
            billable: input.billable,
            project: input.project,
            receipt: receipt.clone(),
            invoiced: false,
        }
        .validate()?;
        let id = expense.id;
        let mut writes = self.fresh_writes(by, &[Record::Expense(expense.clone())])?;
        if let (Some(receipt), Some(bytes)) = (receipt, receipt_bytes) {
            writes.push(self.write_for(
                by,
                Kind::Attachment,
                receipt.attachment.to_bytes(),
                expense.member.to_bytes(),
                false,
                bytes,
            )?);
        }
        self.vault.put(&self.keys, writes).await?;
        self.state_mut(by.org)?.apply(Record::Expense(expense));
        Ok(id)
    }

    /// Expenses the acting member may read, by date.
    pub fn expenses(
        &self,
        by: &ActAs,
        from: Option<Date>,
        to: Option<Date>,
    ) -> Result<Vec<ExpenseView>> {
        let (actor, state) = self.actor(by)?;
        let mut list: Vec<ExpenseView> = state
            .expenses
            .values()
            .filter(|x| from.is_none_or(|f| x.date >= f) && to.is_none_or(|t| x.date <= t))
            .filter(|x| {
                authorize(
                    &actor,
                    Action::ReadExpense,
                    &record_target(state, x.member, Date::MIN, x.invoiced),
                )
                .is_ok()
            })
            .map(|x| ExpenseView {
                project_name: x
                    .project
                    .and_then(|p| state.projects.get(&p))
                    .map(|p| p.name.clone()),
                member_name: state
                    .members
                    .get(&x.member)
                    .map(|m| m.name.clone())
                    .unwrap_or_default(),
                locked: is_locked(state.organization(), x.date),
                can_edit: authorize(
                    &actor,
                    Action::EditExpense,
                    &record_target(state, x.member, x.date, x.invoiced),
                )
                .is_ok(),
                expense: x.clone(),
            })
            .collect();
        list.sort_by_key(|a| (a.expense.date, a.expense.id));
        Ok(list)
    }

    /// What an expense's receipt is (name, type, size, attachment), for a member who may read the
    /// expense.
    pub(crate) fn receipt_of(&self, by: &ActAs, id: ExpenseId) -> Result<Receipt> {
        let (actor, state) = self.actor(by)?;
        let x = state
            .expenses
            .get(&id)
            .ok_or_else(|| EngineError::not_found("expense", id.to_string()))?;
        authorize(
            &actor,
            Action::ReadExpense,
            &record_target(state, x.member, Date::MIN, x.invoiced),
        )?;
        x.receipt
            .clone()
            .ok_or_else(|| EngineError::not_found("receipt for expense", id.to_string()))
    }

    /// An expense's receipt file, as stored on this device (a synced one another device attached
    /// comes through [`Engine::synced_receipt`]).
    pub async fn receipt(
        &self,
        by: &ActAs,
        id: ExpenseId,
    ) -> Result<(Receipt, Zeroizing<Vec<u8>>)> {
        let receipt = self.receipt_of(by, id)?;
        match self
            .vault
            .get(&self.keys, by.org.to_bytes(), receipt.attachment.to_bytes())
            .await?
        {
            Some(Ok(opened)) => match records::check_attachment(&opened.header) {
                Ok(()) => Ok((receipt, opened.plaintext)),
                Err(what) => Err(EngineError::Io(format!(
                    "the receipt cannot be opened: its record is not a receipt file ({what})"
                ))),
            },
            Some(Err(q)) => Err(EngineError::Io(format!(
                "the receipt cannot be opened: {}",
                q.reason
            ))),
            None => Err(EngineError::not_found("receipt file", receipt.file_name)),
        }
    }

    // ----- reports -------------------------------------------------------------------------------

    /// A time report. Members see only their own time; amounts appear only for roles that may read rates.
    pub fn time_report(&self, by: &ActAs, query: &ReportQuery) -> Result<ReportView> {
        let (actor, state) = self.actor(by)?;
        authorize(
            &actor,
            Action::ReadTimeReports,
            &Target::Org { org: by.org },
        )?;
        let own_only = grant(actor.role, Action::ReadTimeReports) == Scope::Own;
        let show_amounts = grant(actor.role, Action::ReadRates) != Scope::None;
        let member_filter = if own_only {
            Some(by.member)
        } else {
            query.member
        };
        // Filters compare the facts' dense codes; an id never numbered has no entries.
        let code = |id: Option<u128>| id.map(|id| state.numbers().get(id).unwrap_or(u32::MAX));
        let (member_code, project_code, client_code) = (
            code(member_filter.map(|m| m.0.0)),
            code(query.project.map(|p| p.0.0)),
            code(query.client.map(|c| c.0.0)),
        );
        let input = |f: &EntryFacts| {
            if member_code.is_some_and(|m| f.codes.member != m)
                || project_code.is_some_and(|p| f.codes.project != p)
                || client_code.is_some_and(|c| f.codes.client != c)
                || query.from.is_some_and(|from| f.date < from)
                || query.to.is_some_and(|to| f.date > to)
            {
                return None;
            }
            state.report_input(f, show_amounts)
        };
        let report = stint_domain::report::time_report(
            state.entries.facts_slice(),
            input,
            state.numbers(),
            &query.group_by,
            state.organization().week_start,
        );
        let mut view = ReportView::new(report, state, show_amounts);
        if query.project.is_none() && query.client.is_none() {
            view.unassigned = unassigned(state, member_filter, query.from, query.to);
        }
        Ok(view)
    }

    /// Stopped time without a project that the acting member may read (their own, or everyone's
    /// for roles that read all time), between `from` and `to` (inclusive, either open): what
    /// invoicing and reports cannot count until it has a project.
    pub fn unassigned_time(
        &self,
        by: &ActAs,
        from: Option<Date>,
        to: Option<Date>,
    ) -> Result<Unassigned> {
        let (actor, state) = self.actor(by)?;
        let member = match grant(actor.role, Action::ReadTimeEntry) {
            Scope::None => return Ok(Unassigned::default()),
            Scope::Own => Some(by.member),
            Scope::All => None,
        };
        Ok(unassigned(state, member, from, to))
    }

    // ----- internals -----------------------------------------------------------------------------

    pub(crate) fn state(&self, org: OrgId) -> Result<&OrgState> {
        self.orgs
            .get(&org)
            .filter(|s| s.org.is_some())
            .ok_or_else(|| {
                EngineError::not_found_hint(
                    "organization",
                    org.to_string(),
                    "list them with `stint org list`",
                )
            })
    }

    pub(crate) fn state_mut(&mut self, org: OrgId) -> Result<&mut OrgState> {
        self.orgs.get_mut(&org).ok_or_else(|| {
            EngineError::not_found_hint(
                "organization",
                org.to_string(),
                "list them with `stint org list`",
            )
        })
    }

    /// The acting member as the role table sees them, and their organization.
    pub(crate) fn actor(&self, by: &ActAs) -> Result<(Actor, &OrgState)> {
        let state = self.state(by.org)?;
        let member = state.members.get(&by.member).ok_or_else(|| {
            EngineError::not_found_hint(
                "member",
                by.member.to_string(),
                "list them with `stint member list`",
            )
        })?;
        Ok((
            Actor {
                member: member.id,
                org: by.org,
                role: member.role,
                active: member.active,
            },
            state,
        ))
    }

    pub(crate) fn write_for(
        &self,
        by: &ActAs,
        kind: Kind,
        id: [u8; 16],
        owner: [u8; 16],
        tombstone: bool,
        payload: Vec<u8>,
    ) -> Result<Write> {
        let compartment = kind.compartment();
        let epoch = self
            .keys
            .current_epoch(by.org.to_bytes(), compartment)
            .ok_or(VaultError::NoOrgKey)?;
        Ok(Write {
            header: Header {
                org: by.org.to_bytes(),
                record: id,
                kind: kind as u16,
                compartment: compartment as u8,
                epoch,
                author_user: by.member.to_bytes(),
                author_device: [0; 16],
                hlc: 0,
                tombstone,
                owner,
                // The point of the membership log this device knew: what readers judge its
                // author's role by.
                log: self
                    .orgs
                    .get(&by.org)
                    .and_then(|s| s.roles.as_ref())
                    .map_or(0, |r| r.head),
            },
            plaintext: Zeroizing::new(payload),
        })
    }

    /// Write records in one transaction, then update the index.
    pub(crate) async fn commit(&mut self, by: &ActAs, records: Vec<Record>) -> Result<()> {
        self.commit_over(by, records, None).await
    }

    /// [`Engine::commit`], for a singleton that may be new here: see
    /// [`Engine::record_writes_over`].
    pub(crate) async fn commit_over(
        &mut self,
        by: &ActAs,
        records: Vec<Record>,
        defaults: Option<&Record>,
    ) -> Result<()> {
        // Acting for another member (`--as`) is for local, name-only members: in a synced
        // organization everyone writes from their own account, and the server would refuse it.
        if by.member != self.user && self.is_synced(by.org).await? {
            return Err(ValidationError::new(
                "in a synced organization everyone writes from their own account: acting as another member works only in organizations that are not synced",
            )
            .into());
        }
        let writes = self.record_writes_over(by, &records, defaults).await?;
        self.vault.put(&self.keys, writes).await?;
        let state = self.state_mut(by.org)?;
        let mut reprice_all = false;
        for record in records {
            match &record {
                Record::TimeEntry(e) => {
                    let id = e.id;
                    state.apply(record);
                    state.reprice(id);
                    continue;
                }
                Record::Organization(_) | Record::Rate(_) => reprice_all = true,
                Record::Client(c) => reprice_all |= state.clients.contains_key(&c.id),
                Record::Project(p) => reprice_all |= state.projects.contains_key(&p.id),
                _ => {}
            }
            state.apply(record);
        }
        if reprice_all {
            state.reprice_all();
        }
        Ok(())
    }

    /// Test support only: this device's clock for new record versions reads `ms` milliseconds off
    /// the system's (a device whose clock is behind or ahead; see [`Vault::skew_clock`]).
    #[doc(hidden)]
    pub fn skew_clock(&self, ms: i64) {
        self.vault.skew_clock(ms);
    }

    /// Test support only: encrypts, signs, seals and stores one record exactly as `raw` says (at
    /// the point of the membership log this device knows), with this device's real keys,
    /// checking nothing and leaving the index alone. Tests use it to hand unlock a record that is
    /// authentic (it opens) but whose content disagrees with its header, or that its author's
    /// role did not allow.
    #[doc(hidden)]
    pub async fn put_raw_record(&self, raw: RawRecord) -> Result<()> {
        let compartment =
            stint_vault::Compartment::from_u8(raw.compartment).ok_or(VaultError::NoOrgKey)?;
        let epoch = self
            .keys
            .current_epoch(raw.org.to_bytes(), compartment)
            .ok_or(VaultError::NoOrgKey)?;
        let write = Write {
            header: Header {
                org: raw.org.to_bytes(),
                record: raw.id,
                kind: raw.kind,
                compartment: raw.compartment,
                epoch,
                author_user: raw.author.to_bytes(),
                author_device: [0; 16],
                hlc: 0,
                tombstone: false,
                owner: raw.owner,
                log: self
                    .orgs
                    .get(&raw.org)
                    .and_then(|s| s.roles.as_ref())
                    .map_or(0, |r| r.head),
            },
            plaintext: Zeroizing::new(raw.payload),
        };
        self.vault.put(&self.keys, vec![write]).await?;
        Ok(())
    }

    async fn tombstone(
        &mut self,
        by: &ActAs,
        kind: Kind,
        id: [u8; 16],
        owner: [u8; 16],
    ) -> Result<()> {
        let write = self.write_for(by, kind, id, owner, true, Vec::new())?;
        self.vault.put(&self.keys, vec![write]).await?;
        Ok(())
    }
}

/// Who may have written which member's entries and expenses, as far as unlock can tell: each
/// member's role and whether they are active, from the latest version of their member record, and
/// that version's HLC.
///
/// A header names only its author (the acting member, `ActAs`), and an Owner or Admin may write
/// any member's entries and expenses, so "own" fields cannot simply equal the author. The check
/// is therefore: the record's member is its author, or the author may edit everyone's records of
/// that kind (`grant(role, EditTimeEntry / EditExpense) == All`, and active). The vault keeps only a
/// member record's latest version, so the role is known exactly only for records written after
/// it (a greater HLC); a record written before it is accepted, since its author may then have held
/// another role (an Admin since made a Member). Judging every record by its author's role at that
/// point of a signed membership log is for sync (docs/formats.md, "Payload and header").
struct Authors(HashMap<(OrgId, MemberId), (Role, bool, u64)>);

impl Authors {
    fn of(decoded: &[(Header, std::result::Result<Option<Record>, String>)]) -> Self {
        let mut authors = HashMap::new();
        for (header, record) in decoded {
            if let Ok(Some(Record::Member(m))) = record {
                authors.insert(
                    (OrgId::from_bytes(header.org), m.id),
                    (m.role, m.active, header.hlc),
                );
            }
        }
        Authors(authors)
    }

    fn check_owner(&self, header: &Header, record: &Record) -> std::result::Result<(), String> {
        // A format 2 header names the owner; a version 1 header (all zero) leaves it to the author.
        if header.owner != [0; 16] && header.owner != record.header_owner() {
            return Err(match record.owner() {
                Some(member) => format!("its header names another owner than its member {member}"),
                None => format!(
                    "its header names an owner, which a {:?} record does not have",
                    record.kind()
                ),
            });
        }
        let Some(member) = record.owner() else {
            return Ok(());
        };
        if member.to_bytes() == header.author_user {
            return Ok(());
        }
        let action = match record {
            Record::Expense(_) => Action::EditExpense,
            _ => Action::EditTimeEntry,
        };
        let author = MemberId::from_bytes(header.author_user);
        let may = match self.0.get(&(OrgId::from_bytes(header.org), author)) {
            Some(&(role, active, since)) => {
                header.hlc < since || (active && grant(role, action) == Scope::All)
            }
            None => false,
        };
        if may {
            Ok(())
        } else {
            Err(format!(
                "its author {author} may not write member {member}'s {:?} records",
                record.kind()
            ))
        }
    }
}

fn sort_instant(e: &TimeEntry) -> Option<Timestamp> {
    start_of(e.time)
}

/// When the time started, if it has a start (a duration on a day does not).
fn start_of(time: EntryTime) -> Option<Timestamp> {
    match time {
        EntryTime::Running { start } | EntryTime::Span { start, .. } => Some(start),
        EntryTime::Duration { .. } => None,
    }
}

fn record_target(state: &OrgState, author: MemberId, date: Date, invoiced: bool) -> Target {
    let org = state.organization();
    Target::Record {
        org: org.id,
        author,
        locked_before: if is_locked(org, date) {
            org.lock_before
        } else {
            None
        },
        invoiced,
    }
}

fn parse_rounding(s: &str) -> Result<Option<Rounding>> {
    let s = s.trim();
    if s.is_empty() || s.eq_ignore_ascii_case("none") {
        return Ok(None);
    }
    Ok(Some(s.parse()?))
}

fn scope_label(state: &OrgState, scope: &RateScope) -> String {
    let project = |id: &ProjectId| {
        state
            .projects
            .get(id)
            .map(|p| p.name.clone())
            .unwrap_or_else(|| id.to_string())
    };
    let member = |id: &MemberId| {
        state
            .members
            .get(id)
            .map(|m| m.name.clone())
            .unwrap_or_else(|| id.to_string())
    };
    match scope {
        RateScope::Task { task } => {
            format!(
                "task {}",
                state
                    .tasks
                    .get(task)
                    .map(|t| t.name.clone())
                    .unwrap_or_else(|| task.to_string())
            )
        }
        RateScope::ProjectMember {
            project: p,
            member: m,
        } => format!("{} on project {}", member(m), project(p)),
        RateScope::Project { project: p } => format!("project {}", project(p)),
        RateScope::Client { client } => {
            format!(
                "client {}",
                state
                    .clients
                    .get(client)
                    .map(|c| c.name.clone())
                    .unwrap_or_else(|| client.to_string())
            )
        }
        RateScope::Member { member: m } => format!("member {}", member(m)),
        RateScope::Organization => "organization".into(),
    }
}

/// Find one item by id, or by name ignoring case; when a name matches active and archived items, the
/// active ones win. `facts` gives an item's id, name and whether it is archived (or removed).
fn lookup<'a, T: 'a, Id>(
    (what, hint): (&'static str, &str),
    name_or_id: &str,
    items: impl Iterator<Item = &'a T> + Clone,
    facts: impl Fn(&'a T) -> (Id, &'a String, bool),
) -> Result<Id>
where
    Id: Copy + Eq + std::str::FromStr + std::fmt::Display,
{
    if let Ok(id) = name_or_id.parse::<Id>()
        && items.clone().any(|item| facts(item).0 == id)
    {
        return Ok(id);
    }
    let wanted = name_or_id.trim().to_lowercase();
    let named: Vec<(Id, bool)> = items
        .map(&facts)
        .filter(|(_, name, _)| name.to_lowercase() == wanted)
        .map(|(id, _, archived)| (id, archived))
        .collect();
    let active: Vec<Id> = named
        .iter()
        .filter(|(_, archived)| !archived)
        .map(|(id, _)| *id)
        .collect();
    let hits = if active.is_empty() {
        named.iter().map(|(id, _)| *id).collect()
    } else {
        active
    };
    match hits.as_slice() {
        [one] => Ok(*one),
        [] => Err(EngineError::not_found_hint(what, name_or_id, hint)),
        many => Err(EngineError::Ambiguous {
            what,
            name: name_or_id.to_owned(),
            ids: many
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join(", "),
        }),
    }
}

/// Stopped entries without a project, of `member` (or everyone), between `from` and `to`.
fn unassigned(
    state: &OrgState,
    member: Option<MemberId>,
    from: Option<Date>,
    to: Option<Date>,
) -> Unassigned {
    let tz = state.time_zone();
    state
        .entries
        .values()
        .filter(|e| e.project().is_none() && !e.is_running())
        .filter(|e| member.is_none_or(|m| e.member() == m))
        .filter(|e| {
            let date = e.date(tz);
            from.is_none_or(|f| date >= f) && to.is_none_or(|t| date <= t)
        })
        .fold(Unassigned::default(), |sum, e| Unassigned {
            entries: sum.entries + 1,
            seconds: sum.seconds + e.time().seconds(jiff::Timestamp::UNIX_EPOCH),
        })
}

#[cfg(test)]
mod tests {
    use super::ServerAccount;

    #[test]
    fn a_server_sign_in_stored_before_refresh_tokens_still_reads() {
        let stored = r#"{"server":"https://s.example","email":"a@example.org","session":"01J","token":"sth_1"}"#;
        let account: ServerAccount = serde_json::from_str(stored).unwrap();
        assert_eq!(account.refresh_token, None);
        assert_eq!(account.token_expires, None);
        assert_eq!(serde_json::to_string(&account).unwrap(), stored);

        let app = ServerAccount {
            refresh_token: Some("str_2".into()),
            token_expires: Some(1_800_000_000),
            ..account
        };
        let text = serde_json::to_string(&app).unwrap();
        let back: ServerAccount = serde_json::from_str(&text).unwrap();
        assert_eq!(back.refresh_token.as_deref(), Some("str_2"));
        assert_eq!(back.token_expires, Some(1_800_000_000));
        let shown = format!("{app:?}");
        assert!(
            !shown.contains("sth_1") && !shown.contains("str_2"),
            "{shown}"
        );
    }
}
