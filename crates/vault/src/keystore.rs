//! Where the device key lives when the OS keyring protects the vault.
//!
//! A small trait in front of the `keyring` crate, so that unit tests use memory and one integration
//! test uses the real Secret Service under a session bus (see `.ci/run`).

use std::collections::HashMap;
use std::sync::Mutex;
use stint_crypto::SymmetricKey;
use thiserror::Error;
use zeroize::Zeroizing;

/// A keyring failure. Messages never include the key.
#[derive(Debug, Error)]
pub enum KeyStoreError {
    /// No keyring service could be reached (headless machine, locked keyring, no session bus).
    #[error(
        "the system keyring is not available ({0}); protect the vault with a passphrase instead"
    )]
    Unavailable(String),
    /// The stored value is not a Stint key.
    #[error("the key stored in the system keyring is damaged")]
    Damaged,
}

/// Stores 32-byte device keys under an account name.
pub trait KeyStore: Send + Sync {
    /// The key stored for `account`, if any.
    fn load(&self, account: &str) -> Result<Option<SymmetricKey>, KeyStoreError>;
    /// Store (or replace) the key for `account`.
    fn store(&self, account: &str, key: &SymmetricKey) -> Result<(), KeyStoreError>;
    /// Forget the key for `account`; forgetting a missing key is not an error.
    fn delete(&self, account: &str) -> Result<(), KeyStoreError>;
}

/// The operating system's keyring (Secret Service on Linux, Keychain on macOS, Credential Manager on Windows).
#[derive(Debug, Default, Clone, Copy)]
pub struct OsKeyring;

const SERVICE: &str = "dev.stint.vault";

impl OsKeyring {
    fn entry(account: &str) -> Result<keyring::Entry, KeyStoreError> {
        keyring::Entry::new(SERVICE, account).map_err(|e| KeyStoreError::Unavailable(e.to_string()))
    }
}

impl KeyStore for OsKeyring {
    fn load(&self, account: &str) -> Result<Option<SymmetricKey>, KeyStoreError> {
        match Self::entry(account)?.get_secret() {
            Ok(bytes) => {
                let bytes = Zeroizing::new(bytes);
                SymmetricKey::from_slice(&bytes)
                    .map(Some)
                    .map_err(|_| KeyStoreError::Damaged)
            }
            Err(keyring::Error::NoEntry) => Ok(None),
            Err(e) => Err(KeyStoreError::Unavailable(e.to_string())),
        }
    }

    fn store(&self, account: &str, key: &SymmetricKey) -> Result<(), KeyStoreError> {
        let entry = Self::entry(account)?;
        entry
            .set_secret(key.expose_secret())
            .map_err(|e| KeyStoreError::Unavailable(e.to_string()))?;
        // Read it back: some backends accept a write they cannot keep (a locked or memory-only store).
        match self.load(account)? {
            Some(stored) if stored.expose_secret() == key.expose_secret() => Ok(()),
            _ => Err(KeyStoreError::Unavailable(
                "the keyring did not keep the key".into(),
            )),
        }
    }

    fn delete(&self, account: &str) -> Result<(), KeyStoreError> {
        match Self::entry(account)?.delete_credential() {
            Ok(()) | Err(keyring::Error::NoEntry) => Ok(()),
            Err(e) => Err(KeyStoreError::Unavailable(e.to_string())),
        }
    }
}

/// An in-memory key store for tests and for embedding.
#[derive(Default)]
pub struct MemoryKeyStore {
    keys: Mutex<HashMap<String, Zeroizing<[u8; 32]>>>,
}

impl KeyStore for MemoryKeyStore {
    fn load(&self, account: &str) -> Result<Option<SymmetricKey>, KeyStoreError> {
        let keys = self
            .keys
            .lock()
            .map_err(|_| KeyStoreError::Unavailable("poisoned".into()))?;
        Ok(keys.get(account).map(|k| SymmetricKey::from_bytes(**k)))
    }

    fn store(&self, account: &str, key: &SymmetricKey) -> Result<(), KeyStoreError> {
        let mut keys = self
            .keys
            .lock()
            .map_err(|_| KeyStoreError::Unavailable("poisoned".into()))?;
        keys.insert(account.to_owned(), Zeroizing::new(*key.expose_secret()));
        Ok(())
    }

    fn delete(&self, account: &str) -> Result<(), KeyStoreError> {
        let mut keys = self
            .keys
            .lock()
            .map_err(|_| KeyStoreError::Unavailable("poisoned".into()))?;
        keys.remove(account);
        Ok(())
    }
}
