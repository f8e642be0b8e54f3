//! Stint's device vault: a SQLite database (WAL) that holds only record envelopes, wrapped keys and
//! the outbox.
//!
//! The device key never touches the disk in the clear: it lives in the OS keyring, or is wrapped under
//! a key derived from the user's passphrase with Argon2id. Unlocking reads every envelope, checks its
//! device seal, decrypts it (in parallel) and hands plaintext to the caller, which keeps it in memory
//! only. A record that fails any check is quarantined: reported, never returned, and the rest still opens.
//!
//! A record and its outbox entry are written in one transaction with `synchronous = FULL`, so a write
//! that returned `Ok` survives a crash or kill at any later instant.
#![deny(unsafe_code)]

mod bulk;
mod epochs;
mod keystore;
mod quarantine;
mod receive;
mod write_log;

pub use bulk::{ReadAhead, release_free_memory, return_large_buffers};
pub use keystore::{KeyStore, KeyStoreError, MemoryKeyStore, OsKeyring};
pub use quarantine::{HeldEnvelope, MAX_QUARANTINED};
pub use receive::{ConflictRow, Outgoing, PageEnd, Received, Refused, UNCERTIFIED, Verified};
pub use stint_crypto::{Header, PassphraseParams, Zeroizing};
pub use stint_domain::Compartment;
pub use write_log::Unseen;

use bulk::StoredRow;
use rayon::prelude::*;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{QueryBuilder, Row, SqlitePool};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::time::Duration;
use stint_crypto::{
    CryptoError, EnvelopeRef, ROW_SEAL_LEN, ROW_SEAL_V1_LEN, RowColumns, SIGNATURE_LEN, SigningKey,
    SymmetricKey, VerifyingKey, row_seal_version, seal_record, seal_row, unwrap_key,
    unwrap_signing_key, verify_row_columns, verify_row_seal, verify_row_seal_v1, wrap_key,
    wrap_signing_key,
};
use stint_domain::{Kind, Role, record_access};
use thiserror::Error;

/// The database file inside a vault directory.
pub const DB_FILE: &str = "vault.sqlite";

/// How the device key is protected.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Protection {
    /// In the OS keyring.
    Keyring,
    /// Wrapped under an Argon2id key derived from a passphrase.
    Passphrase,
}

/// What unlocks the vault.
pub enum Unlock<'a> {
    /// Fetch the device key from this key store.
    Keyring(&'a dyn KeyStore),
    /// Derive the key-encryption key from this passphrase.
    Passphrase(&'a str),
}

/// How costly a new passphrase's key derivation is. Vaults keep the setting they were made with
/// until their passphrase changes ([`Vault::change_passphrase`] always writes the current one).
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
pub enum Kdf {
    /// [`PassphraseParams::recommended`]: Argon2id, 256 MiB, 3 passes.
    #[default]
    Recommended,
    /// [`PassphraseParams::minimum`]: OWASP's minimum (19 MiB, 2 passes), for machines short of
    /// memory and for test vaults unlocked hundreds of times.
    Minimum,
}

impl Kdf {
    /// The environment variable [`Kdf::from_env`] reads.
    pub const ENV: &'static str = "STINT_KDF";

    /// `STINT_KDF`, read by [`Kdf::from_setting`].
    ///
    /// # Errors
    /// [`VaultError::Setting`] for a value other than `recommended` or `minimum`.
    pub fn from_env() -> Result<Kdf> {
        match std::env::var(Self::ENV) {
            Err(std::env::VarError::NotPresent) => Self::from_setting(None),
            Ok(value) => Self::from_setting(Some(&value)),
            Err(std::env::VarError::NotUnicode(_)) => Self::from_setting(Some("")),
        }
    }

    /// `None` (unset) or `recommended` is [`Kdf::Recommended`]; `minimum` is [`Kdf::Minimum`].
    ///
    /// # Errors
    /// [`VaultError::Setting`] for any other value.
    pub fn from_setting(value: Option<&str>) -> Result<Kdf> {
        match value {
            None | Some("recommended") => Ok(Kdf::Recommended),
            Some("minimum") => Ok(Kdf::Minimum),
            Some(_) => Err(VaultError::Setting(
                "STINT_KDF must be `recommended` or `minimum`",
            )),
        }
    }

    fn params(self) -> PassphraseParams {
        match self {
            Kdf::Recommended => PassphraseParams::recommended(),
            Kdf::Minimum => PassphraseParams::minimum(),
        }
    }
}

/// Vault failures. Messages say what to do and never contain key material or record content.
#[derive(Debug, Error)]
pub enum VaultError {
    /// No vault at the path.
    #[error("no Stint vault at {0}; run `stint init` first")]
    NotFound(PathBuf),
    /// A vault is already there.
    #[error("a Stint vault already exists at {0}")]
    AlreadyExists(PathBuf),
    /// The passphrase does not unlock the vault.
    #[error("wrong passphrase")]
    WrongPassphrase,
    /// The passphrase is too short.
    #[error("the passphrase must be at least {0} characters")]
    WeakPassphrase(usize),
    /// A setting from the environment is not understood.
    #[error("{0}")]
    Setting(&'static str),
    /// The vault needs a passphrase but got a keyring (or the reverse).
    #[error("this vault is protected by {0}")]
    WrongProtection(&'static str),
    /// The keyring has no key for this vault.
    #[error(
        "the system keyring holds no key for this vault (was it reset?); the vault cannot be opened on this account"
    )]
    KeyMissing,
    /// The keyring key does not match this vault.
    #[error("the key in the system keyring does not belong to this vault")]
    KeyMismatch,
    /// Keyring trouble.
    #[error(transparent)]
    KeyStore(#[from] KeyStoreError),
    /// The vault's own metadata is damaged.
    #[error("the vault is damaged: {0}")]
    Damaged(String),
    /// No key for an organization compartment.
    #[error("this device holds no key for that organization")]
    NoOrgKey,
    /// Crypto failure while writing.
    #[error("encryption failed: {0}")]
    Crypto(#[from] CryptoError),
    /// Storage failure.
    #[error("the vault database failed: {0}")]
    Database(#[from] sqlx::Error),
    /// Migration failure.
    #[error("the vault database could not be upgraded: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    /// File system failure.
    #[error("cannot use the vault directory: {0}")]
    Io(#[from] std::io::Error),
}

type Result<T, E = VaultError> = std::result::Result<T, E>;

/// The secrets of an unlocked vault, in memory only.
pub struct DeviceKeys {
    device_key: SymmetricKey,
    seal_key: SymmetricKey,
    secret_key: SymmetricKey,
    signing: SigningKey,
    verifying: VerifyingKey,
    device_id: [u8; 16],
    org_keys: HashMap<([u8; 16], u8, u32), SymmetricKey>,
}

impl std::fmt::Debug for DeviceKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DeviceKeys")
            .field("device_id", &hex::encode(self.device_id))
            .finish_non_exhaustive()
    }
}

impl DeviceKeys {
    /// This device's id (the `author device` of every envelope it writes).
    pub fn device_id(&self) -> [u8; 16] {
        self.device_id
    }

    /// This device's public signing key.
    pub fn verifying_key(&self) -> VerifyingKey {
        self.verifying
    }

    /// The newest epoch this device holds for an organization's compartment.
    pub fn current_epoch(&self, org: [u8; 16], compartment: Compartment) -> Option<u32> {
        self.org_keys
            .keys()
            .filter(|(o, c, _)| *o == org && *c == compartment as u8)
            .map(|(_, _, epoch)| *epoch)
            .max()
    }

    fn org_key(&self, header: &Header) -> Option<&SymmetricKey> {
        self.org_keys
            .get(&(header.org, header.compartment, header.epoch))
    }

    /// This device's X25519 key, derived from its device key: what the account key is sealed to
    /// when another device enrols this one, and what its certificate names.
    pub fn sealing_key(&self) -> stint_crypto::SealSecretKey {
        let derived = self.device_key.derive(b"stint-device-sealing-v1");
        stint_crypto::SealSecretKey::from_bytes(*derived.expose_secret())
    }

    /// An organization key this device holds, to seal it to the account's identity (or, in part 2,
    /// to another member) for other devices.
    pub fn org_key_for(
        &self,
        org: [u8; 16],
        compartment: Compartment,
        epoch: u32,
    ) -> Option<&SymmetricKey> {
        self.org_keys.get(&(org, compartment as u8, epoch))
    }
}

/// A decrypted record.
pub struct Opened {
    /// Its header.
    pub header: Header,
    /// Its plaintext; zeroized when dropped.
    pub plaintext: Zeroizing<Vec<u8>>,
}

/// A decrypted record as [`Vault::load_map`] shows it: its plaintext is borrowed from the pass's
/// buffer, which is reused for the next record and wiped when the pass ends.
pub struct OpenedRef<'a> {
    /// Its header.
    pub header: Header,
    /// Its plaintext.
    pub plaintext: &'a [u8],
}

/// A record that could not be opened, and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Quarantined {
    /// The record id (as stored in the row).
    pub record: Vec<u8>,
    /// What failed.
    pub reason: String,
}

/// Everything readable in the vault.
pub struct Loaded<T = Opened> {
    /// Records that opened (as mapped by [`Vault::load_map`]).
    pub records: Vec<T>,
    /// Records that did not.
    pub quarantined: Vec<Quarantined>,
    /// Time spent reading rows from SQLite (the rest of `load` is checking and decrypting).
    pub read_time: Duration,
}

/// One record version to write.
pub struct Write {
    /// Its header (the vault fills in author device and HLC if zero).
    pub header: Header,
    /// Its plaintext.
    pub plaintext: Zeroizing<Vec<u8>>,
}

/// What the membership log of an organization says, as the engine last checked it.
struct LogView {
    head: u32,
    roles: HashMap<[u8; 16], Role>,
}

/// A vault on disk.
pub struct Vault {
    pool: SqlitePool,
    dir: PathBuf,
    id: String,
    protection: Protection,
    last_hlc: AtomicU64,
    /// Added to the system clock's milliseconds by [`Vault::next_hlc`]: tests play a device whose
    /// clock is wrong ([`Vault::skew_clock`]); zero otherwise.
    skew_ms: AtomicI64,
    /// Each organization's membership log position, as the engine last followed it: what the
    /// versions this vault writes on its own (merges, write log entries) name in their headers.
    logs: std::sync::Mutex<std::collections::HashMap<[u8; 16], LogView>>,
}

/// Minimum passphrase length in characters.
pub const MIN_PASSPHRASE_CHARS: usize = 8;

const WRAP_DEVICE_KEY: &[u8] = b"stint-device-key-v1";
const WRAP_SIGNING_KEY: &[u8] = b"stint-device-signing-key-v1";
const KEY_CHECK: &[u8] = b"stint-key-check-v1";
/// Set (by migration 0002) while rows may still carry format 1 seals; [`Vault::unlock`] reseals them
/// and deletes it.
const ROW_SEAL_UPGRADE: &str = "row_seal_upgrade";

fn org_key_context(org: [u8; 16], compartment: u8, epoch: u32) -> Vec<u8> {
    let mut ctx = b"stint-org-key-v1".to_vec();
    ctx.extend_from_slice(&org);
    ctx.push(compartment);
    ctx.extend_from_slice(&epoch.to_be_bytes());
    ctx
}

async fn connect(path: &Path, create: bool) -> Result<SqlitePool> {
    let options = SqliteConnectOptions::new()
        .filename(path)
        .create_if_missing(create)
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Full)
        .foreign_keys(true)
        .busy_timeout(Duration::from_secs(10))
        .pragma("temp_store", "memory")
        .pragma("secure_delete", "on");
    // One connection, kept for the vault's life: no idle timeout or lifetime to enforce, so sqlx
    // starts no pool-maintenance task. That task once spun without yielding on a closed pool (its
    // loop runs `num_idle()` times, a counter that can wrap) and hung a CLI process at exit.
    let pool = SqlitePoolOptions::new()
        .max_connections(1)
        .idle_timeout(None)
        .max_lifetime(None)
        .connect_with(options)
        .await?;
    sqlx::migrate!("../../migrations/local").run(&pool).await?;
    Ok(pool)
}

impl Vault {
    /// Create a new vault in `dir` (created if missing), protected as `unlock` says, a passphrase
    /// with [`Kdf::Recommended`]. Returns the vault, unlocked.
    pub async fn create(dir: &Path, unlock: Unlock<'_>) -> Result<(Vault, DeviceKeys)> {
        Self::create_with(dir, unlock, Kdf::Recommended).await
    }

    /// [`Vault::create`], with the cost of the passphrase's key derivation chosen by `kdf`.
    pub async fn create_with(
        dir: &Path,
        unlock: Unlock<'_>,
        kdf: Kdf,
    ) -> Result<(Vault, DeviceKeys)> {
        let path = dir.join(DB_FILE);
        if path.exists() {
            return Err(VaultError::AlreadyExists(dir.to_path_buf()));
        }
        if let Unlock::Passphrase(p) = unlock
            && p.chars().count() < MIN_PASSPHRASE_CHARS
        {
            return Err(VaultError::WeakPassphrase(MIN_PASSPHRASE_CHARS));
        }
        std::fs::create_dir_all(dir)?;
        restrict_permissions(dir)?;
        let id = ulid::Ulid::generate().to_string();
        let device_key = SymmetricKey::generate();
        let mut meta: Vec<(&str, Vec<u8>)> = vec![("vault_id", id.clone().into_bytes())];
        let protection = match unlock {
            Unlock::Keyring(store) => {
                store.store(&id, &device_key)?;
                meta.push(("protection", b"keyring".to_vec()));
                meta.push(("key_check", device_key.mac(&[KEY_CHECK]).to_vec()));
                Protection::Keyring
            }
            Unlock::Passphrase(passphrase) => {
                let params = kdf.params();
                let kek = params.derive(passphrase.as_bytes())?;
                meta.push(("protection", b"passphrase".to_vec()));
                meta.push(("kdf", params.to_bytes().to_vec()));
                meta.push((
                    "wrapped_device_key",
                    wrap_key(&kek, &device_key, WRAP_DEVICE_KEY),
                ));
                Protection::Passphrase
            }
        };
        let signing = SigningKey::generate();
        let mut device_id = [0u8; 16];
        stint_crypto::fill_random(&mut device_id)?;
        meta.push(("device_id", device_id.to_vec()));
        meta.push((
            "signing_key",
            wrap_signing_key(&device_key, &signing, WRAP_SIGNING_KEY),
        ));
        meta.push(("verifying_key", signing.verifying_key().to_bytes().to_vec()));

        let pool = connect(&path, true).await?;
        let mut tx = pool.begin().await?;
        // A new vault has no rows of an older seal format.
        sqlx::query("DELETE FROM meta WHERE name = ?")
            .bind(ROW_SEAL_UPGRADE)
            .execute(&mut *tx)
            .await?;
        for (name, value) in meta {
            sqlx::query("INSERT INTO meta (name, value) VALUES (?, ?)")
                .bind(name)
                .bind(value)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        let vault = Vault {
            pool,
            dir: dir.to_path_buf(),
            id,
            protection,
            last_hlc: AtomicU64::new(0),
            skew_ms: AtomicI64::new(0),
            logs: Default::default(),
        };
        let keys = vault.keys_from(device_key).await?;
        Ok((vault, keys))
    }

    /// Open the vault in `dir`, still locked.
    pub async fn open(dir: &Path) -> Result<Vault> {
        let path = dir.join(DB_FILE);
        if !path.exists() {
            return Err(VaultError::NotFound(dir.to_path_buf()));
        }
        let pool = connect(&path, false).await?;
        let get = |name: &'static str| {
            let pool = pool.clone();
            async move {
                sqlx::query("SELECT value FROM meta WHERE name = ?")
                    .bind(name)
                    .fetch_optional(&pool)
                    .await?
                    .map(|row| row.get::<Vec<u8>, _>(0))
                    .ok_or_else(|| VaultError::Damaged(format!("{name} is missing")))
            }
        };
        let id = String::from_utf8(get("vault_id").await?)
            .map_err(|_| VaultError::Damaged("vault id".into()))?;
        let protection = match get("protection").await?.as_slice() {
            b"keyring" => Protection::Keyring,
            b"passphrase" => Protection::Passphrase,
            _ => return Err(VaultError::Damaged("unknown protection".into())),
        };
        let last_hlc: i64 = sqlx::query_scalar("SELECT COALESCE(MAX(hlc), 0) FROM records")
            .fetch_one(&pool)
            .await?;
        Ok(Vault {
            pool,
            dir: dir.to_path_buf(),
            id,
            protection,
            last_hlc: AtomicU64::new(last_hlc as u64),
            skew_ms: AtomicI64::new(0),
            logs: Default::default(),
        })
    }

    /// How the device key is protected.
    pub fn protection(&self) -> Protection {
        self.protection
    }

    /// The vault's directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The vault's id (also its account name in the keyring).
    pub fn id(&self) -> &str {
        &self.id
    }

    async fn meta(&self, name: &str) -> Result<Option<Vec<u8>>> {
        Ok(sqlx::query("SELECT value FROM meta WHERE name = ?")
            .bind(name)
            .fetch_optional(&self.pool)
            .await?
            .map(|row| row.get::<Vec<u8>, _>(0)))
    }

    async fn required_meta(&self, name: &str) -> Result<Vec<u8>> {
        self.meta(name)
            .await?
            .ok_or_else(|| VaultError::Damaged(format!("{name} is missing")))
    }

    /// Read a plaintext setting (ids only; never user content).
    pub async fn setting(&self, name: &str) -> Result<Option<Vec<u8>>> {
        self.meta(&format!("setting.{name}")).await
    }

    /// Store a plaintext setting (ids only; never user content).
    pub async fn set_setting(&self, name: &str, value: &[u8]) -> Result<()> {
        set_setting_in(&self.pool, name, value).await
    }

    /// Store a secret of this device (a server session token), sealed under a subkey of the device
    /// key: unreadable without unlocking the vault, and bound to this vault and `name`.
    pub async fn set_secret(&self, keys: &DeviceKeys, name: &str, secret: &[u8]) -> Result<()> {
        let sealed =
            stint_crypto::seal_secret(&keys.secret_key, secret, &self.secret_context(name))?;
        sqlx::query("INSERT INTO meta (name, value) VALUES (?, ?) ON CONFLICT(name) DO UPDATE SET value = excluded.value")
            .bind(format!("secret.{name}"))
            .bind(sealed)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// A secret stored by [`Vault::set_secret`], if there is one.
    pub async fn secret(
        &self,
        keys: &DeviceKeys,
        name: &str,
    ) -> Result<Option<Zeroizing<Vec<u8>>>> {
        let Some(sealed) = self.meta(&format!("secret.{name}")).await? else {
            return Ok(None);
        };
        Ok(Some(stint_crypto::open_secret(
            &keys.secret_key,
            &sealed,
            &self.secret_context(name),
        )?))
    }

    /// Forget a secret; `true` if there was one.
    pub async fn delete_secret(&self, name: &str) -> Result<bool> {
        let done = sqlx::query("DELETE FROM meta WHERE name = ?")
            .bind(format!("secret.{name}"))
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected() == 1)
    }

    fn secret_context(&self, name: &str) -> Vec<u8> {
        [self.id.as_bytes(), &[0], name.as_bytes()].concat()
    }

    /// Unlock: recover the device key and every organization key. The first unlock after the vault
    /// was upgraded from row seal format 1 also reseals its rows (`upgrade_row_seals`).
    pub async fn unlock(&self, unlock: Unlock<'_>) -> Result<DeviceKeys> {
        Ok(self.unlock_reading(unlock, None).await?.0)
    }

    /// [`Vault::unlock`], and every record's row read for [`Vault::load_map_read`] (the envelopes
    /// of the `skip` kinds left on disk). A passphrase's key is derived while the rows are read:
    /// the derivation (Argon2id, deliberately ~0.5 s) needs no rows and the read (~0.1 s over
    /// 100,000 entries) needs no key.
    pub async fn unlock_and_read(
        &self,
        unlock: Unlock<'_>,
        skip: &[u16],
    ) -> Result<(DeviceKeys, ReadAhead)> {
        let (keys, read) = self.unlock_reading(unlock, Some(skip)).await?;
        let read = match read {
            Some(read) => read,
            None => bulk::read_records(&self.pool, skip).await?,
        };
        Ok((keys, read))
    }

    /// Unlocks; with `read`, the rows are read (those kinds' envelopes skipped) while a
    /// passphrase's key is derived. `None` for the rows when they were not read, or were resealed
    /// after the read.
    async fn unlock_reading(
        &self,
        unlock: Unlock<'_>,
        read: Option<&[u16]>,
    ) -> Result<(DeviceKeys, Option<ReadAhead>)> {
        let (device_key, mut rows) = match (unlock, self.protection) {
            (Unlock::Keyring(store), Protection::Keyring) => {
                let key = store.load(&self.id)?.ok_or(VaultError::KeyMissing)?;
                let check = self.required_meta("key_check").await?;
                if !key.verify_mac(&[KEY_CHECK], &check) {
                    return Err(VaultError::KeyMismatch);
                }
                (key, None)
            }
            (Unlock::Passphrase(passphrase), Protection::Passphrase) => {
                let params = PassphraseParams::from_bytes(&self.required_meta("kdf").await?)
                    .map_err(|e| VaultError::Damaged(e.to_string()))?;
                let wrapped = self.required_meta("wrapped_device_key").await?;
                let derive = || params.derive(passphrase.as_bytes());
                let (kek, rows) = match read {
                    Some(skip) => {
                        let (rows, kek) =
                            bulk::read_records_while(&self.pool, skip, derive).await?;
                        (kek?, Some(rows))
                    }
                    None => (derive()?, None),
                };
                let key = unwrap_key(&kek, &wrapped, WRAP_DEVICE_KEY)
                    .map_err(|_| VaultError::WrongPassphrase)?;
                (key, rows)
            }
            (_, Protection::Keyring) => {
                return Err(VaultError::WrongProtection("the system keyring"));
            }
            (_, Protection::Passphrase) => return Err(VaultError::WrongProtection("a passphrase")),
        };
        let keys = self.keys_from(device_key).await?;
        if self.upgrade_row_seals(&keys).await? {
            // The rows read carry the seals just replaced.
            rows = None;
        }
        Ok((keys, rows))
    }

    /// The key derivation settings of a passphrase vault (`None` for a keyring vault).
    pub async fn passphrase_params(&self) -> Result<Option<PassphraseParams>> {
        if self.protection != Protection::Passphrase {
            return Ok(None);
        }
        let stored = self.required_meta("kdf").await?;
        PassphraseParams::from_bytes(&stored)
            .map(Some)
            .map_err(|e| VaultError::Damaged(e.to_string()))
    }

    /// Replace the passphrase: `old` must unlock this vault; the device key is wrapped afresh
    /// under `new` with a new salt and `kdf`'s cost, so a vault made with weaker settings is
    /// upgraded. Both stored values change in one transaction: a crash leaves the old passphrase
    /// or the new one working, never neither. Record keys and rows are untouched.
    ///
    /// # Errors
    /// [`VaultError::WrongProtection`] for a keyring vault, [`VaultError::WeakPassphrase`] if `new`
    /// is short, [`VaultError::WrongPassphrase`] if `old` does not unlock the vault.
    pub async fn change_passphrase(&self, old: &str, new: &str, kdf: Kdf) -> Result<()> {
        if self.protection != Protection::Passphrase {
            return Err(VaultError::WrongProtection("the system keyring"));
        }
        if new.chars().count() < MIN_PASSPHRASE_CHARS {
            return Err(VaultError::WeakPassphrase(MIN_PASSPHRASE_CHARS));
        }
        let current = PassphraseParams::from_bytes(&self.required_meta("kdf").await?)
            .map_err(|e| VaultError::Damaged(e.to_string()))?;
        let wrapped = self.required_meta("wrapped_device_key").await?;
        let device_key = unwrap_key(&current.derive(old.as_bytes())?, &wrapped, WRAP_DEVICE_KEY)
            .map_err(|_| VaultError::WrongPassphrase)?;
        let params = kdf.params();
        let rewrapped = wrap_key(
            &params.derive(new.as_bytes())?,
            &device_key,
            WRAP_DEVICE_KEY,
        );
        let mut tx = self.pool.begin().await?;
        for (name, value) in [
            ("kdf", params.to_bytes().to_vec()),
            ("wrapped_device_key", rewrapped),
        ] {
            sqlx::query("UPDATE meta SET value = ? WHERE name = ?")
                .bind(value)
                .bind(name)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Reseals rows whose seal is of format 1 (org, id and signature only) in format 2 (which also
    /// covers kind and HLC), once, at the first unlock after migration 0002. A row is resealed only
    /// if it passes every check format 1 allows: its old seal, its columns equal to its envelope's
    /// header, and its AEAD tag (the ciphertext is decrypted into a wiped buffer and dropped; this is
    /// what stops a kind changed in both the column and the header, which unlock would otherwise
    /// skip, from being sealed as genuine). Rows that fail keep their old seal and are quarantined
    /// by every load. Work goes in batches of at most 2048 rows or 32 MiB of envelopes, each
    /// written in one transaction; an interrupted upgrade resumes at the next unlock. `true` if
    /// there was an upgrade to do.
    async fn upgrade_row_seals(&self, keys: &DeviceKeys) -> Result<bool> {
        if self.meta(ROW_SEAL_UPGRADE).await?.is_none() {
            return Ok(false);
        }
        let sizes: Vec<(i64, i64)> = sqlx::query_as(
            "SELECT rowid, length(envelope) FROM records WHERE length(seal) = ? ORDER BY rowid",
        )
        .bind(ROW_SEAL_V1_LEN as i64)
        .fetch_all(&self.pool)
        .await?;
        const BATCH_ROWS: usize = 2048;
        const BATCH_BYTES: i64 = 32 << 20;
        let mut batches = Vec::new();
        let (mut start, mut bytes) = (0, 0);
        for (i, (_, len)) in sizes.iter().enumerate() {
            if i > start && (i - start >= BATCH_ROWS || bytes + len > BATCH_BYTES) {
                batches.push(start..i);
                (start, bytes) = (i, 0);
            }
            bytes += len;
        }
        if start < sizes.len() {
            batches.push(start..sizes.len());
        }
        type V1Row = (i64, Vec<u8>, Vec<u8>, i64, i64, Vec<u8>, Vec<u8>);
        for batch in batches {
            let rows: Vec<V1Row> = sqlx::query_as(
                "SELECT rowid, org, id, kind, hlc, seal, envelope FROM records \
                 WHERE rowid BETWEEN ? AND ? AND length(seal) = ?",
            )
            .bind(sizes[batch.start].0)
            .bind(sizes[batch.end - 1].0)
            .bind(ROW_SEAL_V1_LEN as i64)
            .fetch_all(&self.pool)
            .await?;
            let resealed: Vec<(i64, [u8; ROW_SEAL_LEN])> = rows
                .par_iter()
                .map_init(
                    || Zeroizing::new(Vec::new()),
                    |buffer, (rowid, org, id, kind, hlc, seal, envelope)| {
                        let row = StoredRow {
                            org,
                            id,
                            kind: *kind,
                            hlc: *hlc,
                            seal,
                            envelope: Some(envelope),
                        };
                        reseal_v1(keys, &row, buffer).map(|seal| (*rowid, seal))
                    },
                )
                .flatten()
                .collect();
            drop(rows);
            let mut tx = self.pool.begin().await?;
            // Two bound parameters per row; SQLite allows 32766.
            for chunk in resealed.chunks(4096) {
                let mut update = QueryBuilder::new("UPDATE records SET seal = v.column2 FROM (");
                update.push_values(chunk, |mut b, (rowid, seal)| {
                    b.push_bind(*rowid).push_bind(seal.as_slice());
                });
                update.push(") AS v WHERE records.rowid = v.column1");
                update.build().execute(&mut *tx).await?;
            }
            tx.commit().await?;
        }
        sqlx::query("DELETE FROM meta WHERE name = ?")
            .bind(ROW_SEAL_UPGRADE)
            .execute(&self.pool)
            .await?;
        Ok(true)
    }

    async fn keys_from(&self, device_key: SymmetricKey) -> Result<DeviceKeys> {
        let wrapped = self.required_meta("signing_key").await?;
        let signing = unwrap_signing_key(&device_key, &wrapped, WRAP_SIGNING_KEY)
            .map_err(|_| VaultError::Damaged("the device signing key does not open".into()))?;
        let verifying = signing.verifying_key();
        let device_id: [u8; 16] = self
            .required_meta("device_id")
            .await?
            .try_into()
            .map_err(|_| VaultError::Damaged("device id".into()))?;
        let mut org_keys = HashMap::new();
        for row in sqlx::query("SELECT org, compartment, epoch, wrapped FROM org_keys")
            .fetch_all(&self.pool)
            .await?
        {
            let org: [u8; 16] = row
                .get::<Vec<u8>, _>(0)
                .try_into()
                .map_err(|_| VaultError::Damaged("org key id".into()))?;
            let compartment = row.get::<i64, _>(1) as u8;
            let epoch = row.get::<i64, _>(2) as u32;
            let key = unwrap_key(
                &device_key,
                &row.get::<Vec<u8>, _>(3),
                &org_key_context(org, compartment, epoch),
            )
            .map_err(|_| VaultError::Damaged("an organization key does not open".into()))?;
            org_keys.insert((org, compartment, epoch), key);
        }
        let seal_key = device_key.derive(b"stint-vault-row-seal-v1");
        let secret_key = device_key.derive(b"stint-vault-secret-v1");
        Ok(DeviceKeys {
            device_key,
            seal_key,
            secret_key,
            signing,
            verifying,
            device_id,
            org_keys,
        })
    }

    /// Create fresh keys (epoch 1) for both compartments of a new organization.
    pub async fn create_org_keys(&self, keys: &mut DeviceKeys, org: [u8; 16]) -> Result<()> {
        let mut tx = self.pool.begin().await?;
        let mut fresh = Vec::new();
        for compartment in Compartment::ALL {
            let (c, epoch) = (compartment as u8, 1u32);
            let key = SymmetricKey::generate();
            let wrapped = wrap_key(&keys.device_key, &key, &org_key_context(org, c, epoch));
            sqlx::query(
                "INSERT INTO org_keys (org, compartment, epoch, wrapped) VALUES (?, ?, ?, ?)",
            )
            .bind(org.as_slice())
            .bind(i64::from(c))
            .bind(i64::from(epoch))
            .bind(wrapped)
            .execute(&mut *tx)
            .await?;
            fresh.push(((org, c, epoch), key));
        }
        tx.commit().await?;
        keys.org_keys.extend(fresh);
        Ok(())
    }

    /// Keep an organization key that arrived from elsewhere (opened from its sealed form), wrapped
    /// under this device's key. A key already held for that slot is left as it is: `false`.
    pub async fn import_org_key(
        &self,
        keys: &mut DeviceKeys,
        org: [u8; 16],
        compartment: Compartment,
        epoch: u32,
        key: SymmetricKey,
    ) -> Result<bool> {
        let c = compartment as u8;
        if keys.org_keys.contains_key(&(org, c, epoch)) {
            return Ok(false);
        }
        let wrapped = wrap_key(&keys.device_key, &key, &org_key_context(org, c, epoch));
        sqlx::query("INSERT INTO org_keys (org, compartment, epoch, wrapped) VALUES (?, ?, ?, ?)")
            .bind(org.as_slice())
            .bind(i64::from(c))
            .bind(i64::from(epoch))
            .bind(wrapped)
            .execute(&self.pool)
            .await?;
        keys.org_keys.insert((org, c, epoch), key);
        Ok(true)
    }

    /// A hybrid logical clock value greater than every one this vault has issued or stored:
    /// milliseconds since the epoch in the upper 48 bits, a counter in the lower 16.
    pub fn next_hlc(&self) -> u64 {
        let now_ms = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_millis() as u64)
            .unwrap_or(0)
            .saturating_add_signed(self.skew_ms.load(Ordering::Relaxed));
        let physical = now_ms << 16;
        let mut last = self.last_hlc.load(Ordering::Relaxed);
        loop {
            let next = physical.max(last + 1);
            match self.last_hlc.compare_exchange_weak(
                last,
                next,
                Ordering::SeqCst,
                Ordering::Relaxed,
            ) {
                Ok(_) => return next,
                Err(seen) => last = seen,
            }
        }
    }

    /// Sets what the membership log of `org` says, as the engine last checked it: its length,
    /// which versions this vault writes on its own (merges, write log entries) name
    /// (docs/formats.md, the header's `log`), and each member's role, which decides whether this
    /// account may write a merge ([`Vault::receive_verified`]). Organizations without a log name
    /// 0, and every device of theirs writes merges.
    pub fn set_log(&self, org: [u8; 16], head: u32, roles: HashMap<[u8; 16], Role>) {
        self.logs
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .insert(org, LogView { head, roles });
    }

    /// The position [`Vault::set_log`] last set for `org`, or 0.
    pub(crate) fn log_position(&self, org: [u8; 16]) -> u32 {
        self.logs
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .get(&org)
            .map_or(0, |view| view.head)
    }

    /// Whether `me` may write a new version of the record under `header` in its organization, as
    /// the log [`Vault::set_log`] last set says (the role table, `record_access`): a device writes
    /// a merge only if the server will take it. Without a log, yes.
    pub(crate) fn may_write(&self, me: [u8; 16], header: &Header) -> bool {
        let views = self
            .logs
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let Some(view) = views.get(&header.org) else {
            return true;
        };
        let Some(role) = view.roles.get(&me) else {
            return false;
        };
        let Some(kind) = Kind::from_u16(header.kind) else {
            return false;
        };
        let owner = if kind.has_owner() && header.owner == [0; 16] {
            header.author_user
        } else {
            header.owner
        };
        record_access(*role, me, kind, owner, true).is_ok()
    }

    /// Test support: from now on this vault's clock reads `ms` milliseconds off the system's (a
    /// device whose clock is behind, or ahead). Only the physical part of new HLCs changes.
    #[doc(hidden)]
    pub fn skew_clock(&self, ms: i64) {
        self.skew_ms.store(ms, Ordering::Relaxed);
    }

    /// Encrypt, sign and store records with their outbox entries, all in one transaction. When this
    /// returns `Ok`, every record is durable.
    pub async fn put(&self, keys: &DeviceKeys, writes: Vec<Write>) -> Result<()> {
        self.put_replacing(keys, writes, None).await
    }

    /// [`Vault::put`], first dropping the whole outbox and the records `removed` (organization, id)
    /// in the same transaction: for rewriting the vault's records wholesale before any of them
    /// leaves the device (publishing under an account's ids), when older versions, and records
    /// whose id changed, must never be pushed.
    pub async fn rewrite(
        &self,
        keys: &DeviceKeys,
        removed: &[([u8; 16], [u8; 16])],
        writes: Vec<Write>,
    ) -> Result<()> {
        self.put_replacing(keys, writes, Some(removed)).await
    }

    async fn put_replacing(
        &self,
        keys: &DeviceKeys,
        writes: Vec<Write>,
        replacing: Option<&[([u8; 16], [u8; 16])]>,
    ) -> Result<()> {
        let rows = self.seal_all(keys, writes)?;
        let mut tx = self.pool.begin().await?;
        if let Some(removed) = replacing {
            sqlx::query("DELETE FROM outbox").execute(&mut *tx).await?;
            for (org, id) in removed {
                sqlx::query("DELETE FROM records WHERE org = ? AND id = ?")
                    .bind(org.as_slice())
                    .bind(id.as_slice())
                    .execute(&mut *tx)
                    .await?;
            }
        }
        insert_sealed(&mut tx, &rows).await?;
        tx.commit().await?;
        Ok(())
    }

    fn seal_all(&self, keys: &DeviceKeys, writes: Vec<Write>) -> Result<Vec<SealedRow>> {
        let prepared: Vec<(Header, Zeroizing<Vec<u8>>)> = writes
            .into_iter()
            .map(|mut w| {
                w.header.author_device = keys.device_id;
                if w.header.hlc == 0 {
                    w.header.hlc = self.next_hlc();
                }
                (w.header, w.plaintext)
            })
            .collect();
        let seal_one = |(header, plaintext): &(Header, Zeroizing<Vec<u8>>)| -> Result<SealedRow> {
            let key = keys.org_key(header).ok_or(VaultError::NoOrgKey)?;
            let envelope = seal_record(header, plaintext, key, &keys.signing);
            let signature = signature_of(&envelope)
                .ok_or_else(|| VaultError::Damaged("short envelope".into()))?;
            let seal = seal_row(&keys.seal_key, &columns_of(header), signature);
            Ok(SealedRow {
                id: header.record,
                org: header.org,
                kind: header.kind,
                hlc: header.hlc as i64,
                envelope,
                seal,
            })
        };
        if prepared.len() > 64 {
            prepared.par_iter().map(seal_one).collect()
        } else {
            prepared.iter().map(seal_one).collect()
        }
    }

    /// Read, check and decrypt every record except those of the `skip` kinds (large attachments are
    /// fetched one by one with [`Vault::get`]). Records that fail are quarantined, not returned.
    /// A skipped row is not read, but its seal's column part is checked: a record whose kind was
    /// changed on disk to a skipped one is quarantined, not silently left out.
    pub async fn load(&self, keys: &DeviceKeys, skip: &[u16]) -> Result<Loaded> {
        self.load_map(keys, skip, |opened| Opened {
            header: opened.header,
            plaintext: Zeroizing::new(opened.plaintext.to_vec()),
        })
        .await
    }

    /// [`Vault::load`], handing each opened record to `map` inside the parallel pass that decrypted
    /// it, so that the caller's decoding runs on all cores. Plaintexts are decrypted into one buffer
    /// per worker, overwritten by the next record and wiped when the pass ends: no allocation per
    /// record, and no plaintext outlives the pass unless `map` copies it.
    pub async fn load_map<T: Send>(
        &self,
        keys: &DeviceKeys,
        skip: &[u16],
        map: impl Fn(OpenedRef<'_>) -> T + Sync,
    ) -> Result<Loaded<T>> {
        let read = bulk::read_records(&self.pool, skip).await?;
        Ok(self.load_map_read(read, keys, map))
    }

    /// [`Vault::load_map`] over rows read already ([`Vault::unlock_and_read`]).
    pub fn load_map_read<T: Send>(
        &self,
        read: ReadAhead,
        keys: &DeviceKeys,
        map: impl Fn(OpenedRef<'_>) -> T + Sync,
    ) -> Loaded<T> {
        let ReadAhead { rows, read_time } = read;
        // One plaintext buffer per worker, not one allocation per record; wiped when dropped.
        let results: Vec<Option<std::result::Result<T, Quarantined>>> = (0..rows.len())
            .into_par_iter()
            .map_init(
                || Zeroizing::new(Vec::new()),
                |buffer, i| {
                    let row = rows.get(i);
                    let Some(envelope) = row.envelope else {
                        return check_skipped_row(keys, &row).err().map(Err);
                    };
                    Some(open_row_into(keys, &row, envelope, buffer).map(|header| {
                        map(OpenedRef {
                            header,
                            plaintext: buffer,
                        })
                    }))
                },
            )
            .collect();
        drop(rows);
        let mut loaded = Loaded {
            records: Vec::with_capacity(results.len()),
            quarantined: Vec::new(),
            read_time,
        };
        for result in results.into_iter().flatten() {
            match result {
                Ok(record) => loaded.records.push(record),
                Err(q) => loaded.quarantined.push(q),
            }
        }
        loaded
    }

    /// One record, checked and decrypted; `None` if there is no such record.
    pub async fn get(
        &self,
        keys: &DeviceKeys,
        org: [u8; 16],
        id: [u8; 16],
    ) -> Result<Option<std::result::Result<Opened, Quarantined>>> {
        let row: Option<(i64, i64, Vec<u8>, Vec<u8>)> = sqlx::query_as(
            "SELECT kind, hlc, seal, envelope FROM records WHERE org = ? AND id = ?",
        )
        .bind(org.as_slice())
        .bind(id.as_slice())
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.map(|(kind, hlc, seal, envelope)| {
            let row = StoredRow {
                org: &org,
                id: &id,
                kind,
                hlc,
                seal: &seal,
                envelope: Some(&envelope),
            };
            let mut plaintext = Zeroizing::new(Vec::new());
            open_row_into(keys, &row, &envelope, &mut plaintext)
                .map(|header| Opened { header, plaintext })
        }))
    }

    /// Number of outbox entries waiting to be pushed.
    pub async fn outbox_len(&self) -> Result<u64> {
        let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM outbox")
            .fetch_one(&self.pool)
            .await?;
        Ok(n as u64)
    }

    /// SQLite's own consistency check; `Ok(())` when it says "ok".
    pub async fn integrity_check(&self) -> Result<()> {
        let result: String = sqlx::query_scalar("PRAGMA integrity_check")
            .fetch_one(&self.pool)
            .await?;
        if result == "ok" {
            Ok(())
        } else {
            Err(VaultError::Damaged(result))
        }
    }

    /// Close the database cleanly (checkpointing the WAL).
    pub async fn close(self) {
        self.pool.close().await;
    }
}

/// Stores sealed rows as the latest versions of their records (unless a later one is stored) and
/// puts them in the outbox, inside `tx`.
async fn insert_sealed(
    tx: &mut sqlx::Transaction<'_, sqlx::Sqlite>,
    rows: &[SealedRow],
) -> Result<()> {
    // Multi-row statements: SQLite allows 32766 bound parameters; 5 per row.
    for chunk in rows.chunks(3000) {
        let mut records =
            QueryBuilder::new("INSERT INTO records (org, id, kind, hlc, envelope, seal) ");
        records.push_values(chunk, |mut b, row| {
            b.push_bind(row.org.as_slice())
                .push_bind(row.id.as_slice())
                .push_bind(i64::from(row.kind))
                .push_bind(row.hlc)
                .push_bind(row.envelope.as_slice())
                .push_bind(row.seal.as_slice());
        });
        records.push(
                " ON CONFLICT(org, id) DO UPDATE SET kind = excluded.kind, hlc = excluded.hlc, \
                 envelope = excluded.envelope, seal = excluded.seal WHERE excluded.hlc > records.hlc",
            );
        records.build().execute(&mut **tx).await?;
        let mut outbox = QueryBuilder::new("INSERT INTO outbox (org, record, hlc, envelope) ");
        outbox.push_values(chunk, |mut b, row| {
            b.push_bind(row.org.as_slice())
                .push_bind(row.id.as_slice())
                .push_bind(row.hlc)
                .push_bind(row.envelope.as_slice());
        });
        outbox.build().execute(&mut **tx).await?;
    }
    Ok(())
}

struct SealedRow {
    id: [u8; 16],
    org: [u8; 16],
    kind: u16,
    hlc: i64,
    envelope: Vec<u8>,
    seal: [u8; ROW_SEAL_LEN],
}

/// The envelope's signature: its last 64 bytes, if it is long enough to hold a header and one.
fn signature_of(envelope: &[u8]) -> Option<&[u8; SIGNATURE_LEN]> {
    let at = envelope
        .len()
        .checked_sub(SIGNATURE_LEN)
        .filter(|at| *at >= stint_crypto::HEADER_LEN)?;
    envelope[at..].try_into().ok()
}

/// The columns a row stores for `header`.
fn columns_of(header: &Header) -> RowColumns {
    RowColumns {
        org: header.org,
        id: header.record,
        kind: header.kind,
        hlc: header.hlc,
    }
}

fn quarantine(row: &StoredRow<'_>, reason: &str) -> Quarantined {
    Quarantined {
        record: row.id.to_vec(),
        reason: reason.to_owned(),
    }
}

/// A row's plaintext columns, as the seal binds them, and a check that its seal is of format 2.
fn sealed_columns(row: &StoredRow<'_>) -> std::result::Result<RowColumns, Quarantined> {
    match row_seal_version(row.seal) {
        Some(stint_crypto::ROW_SEAL_VERSION) => {}
        Some(_) => {
            return Err(quarantine(
                row,
                "the stored record did not pass the upgrade of its seal to format 2 \
                 (it was changed on disk, or does not open)",
            ));
        }
        None => return Err(quarantine(row, "the stored record's seal is damaged")),
    }
    let changed = || quarantine(row, "the stored record was changed on disk");
    Ok(RowColumns {
        org: row.org.try_into().map_err(|_| changed())?,
        id: row.id.try_into().map_err(|_| changed())?,
        kind: u16::try_from(row.kind).map_err(|_| changed())?,
        hlc: u64::try_from(row.hlc).map_err(|_| changed())?,
    })
}

/// A row of a skipped kind: its envelope stays unread, but its columns must be the ones sealed.
fn check_skipped_row(
    keys: &DeviceKeys,
    row: &StoredRow<'_>,
) -> std::result::Result<(), Quarantined> {
    let columns = sealed_columns(row)?;
    if verify_row_columns(&keys.seal_key, &columns, row.seal) {
        Ok(())
    } else {
        Err(quarantine(row, "the stored record was changed on disk"))
    }
}

/// Checks a row (seal over its columns and signature; columns equal to its envelope's header) and
/// decrypts its envelope into `plaintext`, reusing its capacity; returns the header.
fn open_row_into(
    keys: &DeviceKeys,
    row: &StoredRow<'_>,
    envelope: &[u8],
    plaintext: &mut Zeroizing<Vec<u8>>,
) -> std::result::Result<Header, Quarantined> {
    let columns = sealed_columns(row)?;
    let signature =
        signature_of(envelope).ok_or_else(|| quarantine(row, "the stored record is truncated"))?;
    if !verify_row_seal(&keys.seal_key, &columns, signature, row.seal) {
        return Err(quarantine(row, "the stored record was changed on disk"));
    }
    let parsed = EnvelopeRef::parse(envelope).map_err(|e| quarantine(row, &e.to_string()))?;
    let header = *parsed.header();
    // The seal vouches for the columns, the AEAD tag (below) for the header: both were written
    // together, so they agree unless this device wrote a broken row.
    if header.org != columns.org || header.record != columns.id {
        return Err(quarantine(row, "the record is stored under another id"));
    }
    if header.kind != columns.kind {
        return Err(quarantine(row, "the record is stored under another kind"));
    }
    if header.hlc != columns.hlc {
        return Err(quarantine(row, "the record is stored under another HLC"));
    }
    let key = keys
        .org_key(&header)
        .ok_or_else(|| quarantine(row, "no key for its organization"))?;
    // The author's signature was checked when the record arrived (or this device wrote it); the seal
    // above proves the bytes are the ones accepted then, at a fraction of a signature check's cost.
    parsed
        .decrypt_into(key, plaintext)
        .map_err(|e| quarantine(row, &e.to_string()))?;
    Ok(header)
}

/// A format 2 seal for a row sealed in format 1, if it passes every check: its old seal, its
/// columns equal to its envelope's header, and its AEAD tag (when this device holds the key).
fn reseal_v1(
    keys: &DeviceKeys,
    row: &StoredRow<'_>,
    buffer: &mut Zeroizing<Vec<u8>>,
) -> Option<[u8; ROW_SEAL_LEN]> {
    let envelope = row.envelope?;
    let columns = RowColumns {
        org: row.org.try_into().ok()?,
        id: row.id.try_into().ok()?,
        kind: u16::try_from(row.kind).ok()?,
        hlc: u64::try_from(row.hlc).ok()?,
    };
    let signature = signature_of(envelope)?;
    // Format 1 took the organization from the envelope's header (bytes 1..17), not the column.
    let header_org = envelope.get(1..17)?;
    if !verify_row_seal_v1(&keys.seal_key, header_org, row.id, signature, row.seal) {
        return None;
    }
    let parsed = EnvelopeRef::parse(envelope).ok()?;
    if columns_of(parsed.header()) != columns {
        return None;
    }
    if let Some(key) = keys.org_key(parsed.header()) {
        parsed.decrypt_into(key, buffer).ok()?;
    }
    Some(seal_row(&keys.seal_key, &columns, signature))
}

#[cfg(unix)]
fn restrict_permissions(dir: &Path) -> std::io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))
}

#[cfg(not(unix))]
fn restrict_permissions(_dir: &Path) -> std::io::Result<()> {
    Ok(())
}

/// [`Vault::set_setting`] through `db` (the pool, or a transaction it is part of).
pub(crate) async fn set_setting_in<'c>(
    db: impl sqlx::SqliteExecutor<'c>,
    name: &str,
    value: &[u8],
) -> Result<()> {
    sqlx::query("INSERT INTO meta (name, value) VALUES (?, ?) ON CONFLICT(name) DO UPDATE SET value = excluded.value")
        .bind(format!("setting.{name}"))
        .bind(value)
        .execute(db)
        .await?;
    Ok(())
}
