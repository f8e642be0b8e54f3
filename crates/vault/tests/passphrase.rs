//! Passphrase settings (SECURITY.md, "Keys at rest"): new vaults get Argon2id with 256 MiB and
//! three passes; a vault keeps the settings it was made with until its passphrase changes, and a
//! change writes today's.

use std::path::Path;
use stint_vault::*;

const PASS: &str = "correct horse battery";
const NEW_PASS: &str = "a much longer new passphrase";
const ORG: [u8; 16] = [7; 16];

fn note(text: &str) -> Write {
    Write {
        header: Header {
            org: ORG,
            record: [1; 16],
            kind: 3,
            compartment: Compartment::Team as u8,
            epoch: 1,
            author_user: [1; 16],
            author_device: [0; 16],
            hlc: 0,
            tombstone: false,
            owner: [0; 16],
            log: 0,
        },
        plaintext: Zeroizing::new(text.as_bytes().to_vec()),
    }
}

/// The stored `kdf` value, read beside the vault from its SQLite file: (memory KiB, passes, lanes).
async fn stored_kdf(dir: &Path) -> (u32, u32, u32) {
    let pool = sqlx::SqlitePool::connect(&format!("sqlite://{}", dir.join(DB_FILE).display()))
        .await
        .unwrap();
    let (kdf,): (Vec<u8>,) = sqlx::query_as("SELECT value FROM meta WHERE name = 'kdf'")
        .fetch_one(&pool)
        .await
        .unwrap();
    pool.close().await;
    let u32_at = |i: usize| u32::from_be_bytes(kdf[i..i + 4].try_into().unwrap());
    (u32_at(1), u32_at(5), u32_at(9))
}

async fn texts(vault: &Vault, keys: &DeviceKeys) -> Vec<String> {
    let loaded = vault.load(keys, &[]).await.unwrap();
    assert!(loaded.quarantined.is_empty());
    loaded
        .records
        .iter()
        .map(|r| String::from_utf8(r.plaintext.to_vec()).unwrap())
        .collect()
}

#[tokio::test]
async fn a_new_passphrase_vault_costs_256_mib_and_three_passes() {
    let dir = tempfile::tempdir().unwrap();
    let (vault, _keys) = Vault::create(dir.path(), Unlock::Passphrase(PASS))
        .await
        .unwrap();
    vault.close().await;
    assert_eq!(stored_kdf(dir.path()).await, (256 * 1024, 3, 2));
    let vault = Vault::open(dir.path()).await.unwrap();
    vault.unlock(Unlock::Passphrase(PASS)).await.unwrap();
    vault.close().await;
}

#[tokio::test]
async fn a_weaker_vault_keeps_its_settings_until_its_passphrase_changes() {
    let dir = tempfile::tempdir().unwrap();
    let (vault, mut keys) = Vault::create_with(dir.path(), Unlock::Passphrase(PASS), Kdf::Minimum)
        .await
        .unwrap();
    vault.create_org_keys(&mut keys, ORG).await.unwrap();
    vault
        .put(&keys, vec![note("kept across the change")])
        .await
        .unwrap();
    vault.close().await;
    let weak = (19456, 2, 1);
    assert_eq!(stored_kdf(dir.path()).await, weak);

    // Unlocking reads the stored settings and writes nothing.
    let vault = Vault::open(dir.path()).await.unwrap();
    vault.unlock(Unlock::Passphrase(PASS)).await.unwrap();
    let before = vault.passphrase_params().await.unwrap().unwrap();
    assert_eq!((before.m_cost_kib, before.t_cost, before.p_cost), weak);

    // Refused changes change nothing.
    assert!(matches!(
        vault
            .change_passphrase("not the passphrase", NEW_PASS, Kdf::Recommended)
            .await,
        Err(VaultError::WrongPassphrase)
    ));
    assert!(matches!(
        vault
            .change_passphrase(PASS, "short", Kdf::Recommended)
            .await,
        Err(VaultError::WeakPassphrase(8))
    ));
    assert_eq!(vault.passphrase_params().await.unwrap(), Some(before));

    // The change upgrades the settings, with a new salt.
    vault
        .change_passphrase(PASS, NEW_PASS, Kdf::Recommended)
        .await
        .unwrap();
    let after = vault.passphrase_params().await.unwrap().unwrap();
    assert_eq!(
        (after.m_cost_kib, after.t_cost, after.p_cost),
        (262_144, 3, 2)
    );
    assert_ne!(after.salt, before.salt);
    vault.close().await;
    assert_eq!(stored_kdf(dir.path()).await, (262_144, 3, 2));

    // The old passphrase opens nothing; the new one opens the same records.
    let vault = Vault::open(dir.path()).await.unwrap();
    assert!(matches!(
        vault.unlock(Unlock::Passphrase(PASS)).await,
        Err(VaultError::WrongPassphrase)
    ));
    let keys = vault.unlock(Unlock::Passphrase(NEW_PASS)).await.unwrap();
    assert_eq!(texts(&vault, &keys).await, ["kept across the change"]);
    vault.integrity_check().await.unwrap();
}

#[tokio::test]
async fn a_keyring_vault_has_no_passphrase_to_change() {
    let dir = tempfile::tempdir().unwrap();
    let store = MemoryKeyStore::default();
    let (vault, _keys) = Vault::create(dir.path(), Unlock::Keyring(&store))
        .await
        .unwrap();
    assert_eq!(vault.passphrase_params().await.unwrap(), None);
    assert!(matches!(
        vault
            .change_passphrase(PASS, NEW_PASS, Kdf::Recommended)
            .await,
        Err(VaultError::WrongProtection(_))
    ));
}

#[test]
fn stint_kdf_names_the_setting_or_is_refused() {
    assert_eq!(Kdf::from_setting(None).unwrap(), Kdf::Recommended);
    assert_eq!(
        Kdf::from_setting(Some("recommended")).unwrap(),
        Kdf::Recommended
    );
    assert_eq!(Kdf::from_setting(Some("minimum")).unwrap(), Kdf::Minimum);
    for bad in ["", "weak", "Minimum"] {
        assert_eq!(
            Kdf::from_setting(Some(bad)).unwrap_err().to_string(),
            "STINT_KDF must be `recommended` or `minimum`"
        );
    }
}
