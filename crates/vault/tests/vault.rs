//! The vault against a real SQLite database on disk.

use std::path::Path;
use stint_vault::*;

const PASS: &str = "correct horse battery";
const ORG: [u8; 16] = [7; 16];

fn header(record: u8, compartment: Compartment) -> Header {
    Header {
        org: ORG,
        record: [record; 16],
        kind: 3,
        compartment: compartment as u8,
        epoch: 1,
        author_user: [1; 16],
        author_device: [0; 16],
        hlc: 0,
        tombstone: false,
    }
}

fn write(record: u8, text: &str) -> Write {
    Write {
        header: header(record, Compartment::Team),
        plaintext: Zeroizing::new(text.as_bytes().to_vec()),
    }
}

async fn new_vault(dir: &Path) -> (Vault, DeviceKeys) {
    let (vault, mut keys) = Vault::create(dir, Unlock::Passphrase(PASS)).await.unwrap();
    vault.create_org_keys(&mut keys, ORG).await.unwrap();
    (vault, keys)
}

#[tokio::test]
async fn records_round_trip_through_a_passphrase_vault() {
    let dir = tempfile::tempdir().unwrap();
    let (vault, keys) = new_vault(dir.path()).await;
    vault
        .put(&keys, vec![write(1, "Müller & Søn"), write(2, "second")])
        .await
        .unwrap();
    assert_eq!(vault.outbox_len().await.unwrap(), 2);
    vault.close().await;

    let vault = Vault::open(dir.path()).await.unwrap();
    assert_eq!(vault.protection(), Protection::Passphrase);
    assert!(matches!(
        vault.unlock(Unlock::Passphrase("wrong passphrase")).await,
        Err(VaultError::WrongPassphrase)
    ));
    let keys = vault.unlock(Unlock::Passphrase(PASS)).await.unwrap();
    let loaded = vault.load(&keys, &[]).await.unwrap();
    assert!(loaded.quarantined.is_empty());
    let mut texts: Vec<String> = loaded
        .records
        .iter()
        .map(|r| String::from_utf8(r.plaintext.to_vec()).unwrap())
        .collect();
    texts.sort();
    assert_eq!(texts, ["Müller & Søn", "second"]);
    assert!(
        loaded
            .records
            .iter()
            .all(|r| r.header.author_device == keys.device_id() && r.header.hlc > 0)
    );
    vault.integrity_check().await.unwrap();
}

#[tokio::test]
async fn a_newer_version_replaces_the_record_and_both_go_to_the_outbox() {
    let dir = tempfile::tempdir().unwrap();
    let (vault, keys) = new_vault(dir.path()).await;
    vault.put(&keys, vec![write(1, "first")]).await.unwrap();
    vault.put(&keys, vec![write(1, "second")]).await.unwrap();
    let loaded = vault.load(&keys, &[]).await.unwrap();
    assert_eq!(loaded.records.len(), 1);
    assert_eq!(&loaded.records[0].plaintext[..], b"second");
    assert_eq!(vault.outbox_len().await.unwrap(), 2);
}

#[tokio::test]
async fn weak_passphrases_and_second_vaults_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    assert!(matches!(
        Vault::create(dir.path(), Unlock::Passphrase("short")).await,
        Err(VaultError::WeakPassphrase(_))
    ));
    new_vault(dir.path()).await;
    assert!(matches!(
        Vault::create(dir.path(), Unlock::Passphrase(PASS)).await,
        Err(VaultError::AlreadyExists(_))
    ));
    let empty = tempfile::tempdir().unwrap();
    assert!(matches!(
        Vault::open(empty.path()).await,
        Err(VaultError::NotFound(_))
    ));
}

#[tokio::test]
async fn keyring_protected_vault_needs_its_key() {
    let dir = tempfile::tempdir().unwrap();
    let store = MemoryKeyStore::default();
    let (vault, mut keys) = Vault::create(dir.path(), Unlock::Keyring(&store))
        .await
        .unwrap();
    vault.create_org_keys(&mut keys, ORG).await.unwrap();
    vault.put(&keys, vec![write(1, "kept")]).await.unwrap();
    let id = vault.id().to_owned();
    vault.close().await;

    let vault = Vault::open(dir.path()).await.unwrap();
    assert_eq!(vault.protection(), Protection::Keyring);
    assert!(matches!(
        vault.unlock(Unlock::Passphrase(PASS)).await,
        Err(VaultError::WrongProtection(_))
    ));
    let keys = vault.unlock(Unlock::Keyring(&store)).await.unwrap();
    assert_eq!(vault.load(&keys, &[]).await.unwrap().records.len(), 1);

    let other = MemoryKeyStore::default();
    assert!(matches!(
        vault.unlock(Unlock::Keyring(&other)).await,
        Err(VaultError::KeyMissing)
    ));
    other
        .store(&id, &stint_crypto::SymmetricKey::generate())
        .unwrap();
    assert!(matches!(
        vault.unlock(Unlock::Keyring(&other)).await,
        Err(VaultError::KeyMismatch)
    ));
}

/// Flip one bit at a time across every byte of one stored envelope, and of its seal: each time that
/// record is quarantined with a reason, and every other record still opens.
#[tokio::test]
async fn flipping_any_byte_quarantines_only_that_record() {
    let dir = tempfile::tempdir().unwrap();
    let (vault, keys) = new_vault(dir.path()).await;
    vault
        .put(
            &keys,
            (1..=5).map(|i| write(i, &format!("record {i}"))).collect(),
        )
        .await
        .unwrap();
    vault.close().await;

    let db = dir.path().join(DB_FILE);
    let pool = sqlx::SqlitePool::connect(&format!("sqlite://{}", db.display()))
        .await
        .unwrap();
    let victim = [3u8; 16];
    let (envelope, seal): (Vec<u8>, Vec<u8>) =
        sqlx::query_as("SELECT envelope, seal FROM records WHERE id = ?")
            .bind(victim.as_slice())
            .fetch_one(&pool)
            .await
            .unwrap();
    pool.close().await;

    let positions: Vec<(&str, usize)> = (0..envelope.len())
        .map(|i| ("envelope", i))
        .chain((0..seal.len()).step_by(7).map(|i| ("seal", i)))
        .collect();
    let vault = Vault::open(dir.path()).await.unwrap();
    let keys = vault.unlock(Unlock::Passphrase(PASS)).await.unwrap();
    for (column, at) in positions {
        let pool = sqlx::SqlitePool::connect(&format!("sqlite://{}", db.display()))
            .await
            .unwrap();
        let (mut e, mut s) = (envelope.clone(), seal.clone());
        if column == "envelope" {
            e[at] ^= 0x01
        } else {
            s[at] ^= 0x80
        }
        sqlx::query("UPDATE records SET envelope = ?, seal = ? WHERE id = ?")
            .bind(&e)
            .bind(&s)
            .bind(victim.as_slice())
            .execute(&pool)
            .await
            .unwrap();
        pool.close().await;

        let loaded = vault.load(&keys, &[]).await.unwrap();
        assert_eq!(loaded.quarantined.len(), 1, "{column} byte {at}");
        assert_eq!(loaded.quarantined[0].record, victim.to_vec());
        assert!(!loaded.quarantined[0].reason.is_empty());
        assert_eq!(
            loaded.records.len(),
            4,
            "{column} byte {at}: the others still open"
        );
        assert!(loaded.records.iter().all(|r| r.header.record != victim));
    }
}

/// The database, its WAL and anything else in the directory contain no plaintext.
#[tokio::test]
async fn nothing_readable_reaches_the_disk() {
    let dir = tempfile::tempdir().unwrap();
    let (vault, keys) = new_vault(dir.path()).await;
    let secret = "Geheimprojekt Müller & Søn";
    vault
        .put(
            &keys,
            (1..=50)
                .map(|i| write(i, &format!("{secret} #{i}")))
                .collect(),
        )
        .await
        .unwrap();
    // Look while the WAL still holds the pages, and again after closing (checkpoint).
    assert_no_plaintext(dir.path(), &[secret, PASS, "Geheimprojekt"]);
    vault.close().await;
    assert_no_plaintext(dir.path(), &[secret, PASS, "Geheimprojekt"]);
}

fn assert_no_plaintext(dir: &Path, needles: &[&str]) {
    let mut files = 0;
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let bytes = std::fs::read(&path).unwrap();
        files += 1;
        for needle in needles {
            for encoded in [
                needle.as_bytes().to_vec(),
                needle.encode_utf16().flat_map(u16::to_le_bytes).collect(),
            ] {
                assert!(
                    !bytes
                        .windows(encoded.len())
                        .any(|w| w == encoded.as_slice()),
                    "{needle:?} found in {}",
                    path.display()
                );
            }
        }
    }
    assert!(files >= 1);
}

#[tokio::test]
async fn skipped_kinds_stay_on_disk_until_asked_for() {
    let dir = tempfile::tempdir().unwrap();
    let (vault, keys) = new_vault(dir.path()).await;
    let mut attachment = write(9, "receipt bytes");
    attachment.header.kind = 11;
    vault
        .put(&keys, vec![write(1, "entry"), attachment])
        .await
        .unwrap();
    let loaded = vault.load(&keys, &[11]).await.unwrap();
    assert_eq!(loaded.records.len(), 1);
    assert_eq!(&loaded.records[0].plaintext[..], b"entry");
    let got = vault
        .get(&keys, ORG, [9; 16])
        .await
        .unwrap()
        .unwrap()
        .unwrap();
    assert_eq!(&got.plaintext[..], b"receipt bytes");
    assert!(vault.get(&keys, ORG, [8; 16]).await.unwrap().is_none());
    assert!(
        vault.get(&keys, [1; 16], [9; 16]).await.unwrap().is_none(),
        "another organization's id"
    );
}

#[tokio::test]
async fn secrets_are_sealed_to_the_device_key_and_their_name() {
    let dir = tempfile::tempdir().unwrap();
    let (vault, keys) = new_vault(dir.path()).await;
    let token = b"sts_0123456789abcdef0123456789abcdef";
    vault.set_secret(&keys, "server", token).await.unwrap();
    assert_eq!(
        vault
            .secret(&keys, "server")
            .await
            .unwrap()
            .unwrap()
            .as_slice(),
        token
    );
    assert!(vault.secret(&keys, "other").await.unwrap().is_none());

    // Nothing of it is on disk in the clear, and a sealed value moved to another name does not open.
    vault.close().await;
    let db = std::fs::read(dir.path().join(DB_FILE)).unwrap();
    assert!(!db.windows(token.len()).any(|w| w == token));
    let vault = Vault::open(dir.path()).await.unwrap();
    let keys = vault.unlock(Unlock::Passphrase(PASS)).await.unwrap();
    let pool =
        sqlx::SqlitePool::connect(&format!("sqlite://{}", dir.path().join(DB_FILE).display()))
            .await
            .unwrap();
    sqlx::query("INSERT INTO meta (name, value) SELECT 'secret.moved', value FROM meta WHERE name = 'secret.server'")
        .execute(&pool)
        .await
        .unwrap();
    pool.close().await;
    assert!(vault.secret(&keys, "moved").await.is_err());
    assert_eq!(
        vault
            .secret(&keys, "server")
            .await
            .unwrap()
            .unwrap()
            .as_slice(),
        token
    );

    assert!(vault.delete_secret("server").await.unwrap());
    assert!(!vault.delete_secret("server").await.unwrap());
    assert!(vault.secret(&keys, "server").await.unwrap().is_none());
}
