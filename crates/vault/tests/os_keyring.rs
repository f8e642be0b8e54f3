//! The real OS keyring (Secret Service on Linux). Needs a session bus and an unlocked keyring, which
//! the project's test command provides (`scripts/test` runs the suite under `dbus-run-session` with
//! `gnome-keyring-daemon`). Without them this test fails, on purpose: it is the only proof that the
//! device key really lands in, and comes back from, the system keyring.

use stint_vault::*;

#[tokio::test]
async fn device_key_lives_in_the_system_keyring() {
    let dir = tempfile::tempdir().unwrap();
    let store = OsKeyring;
    let (vault, mut keys) = match Vault::create(dir.path(), Unlock::Keyring(&store)).await {
        Ok(created) => created,
        Err(e) => panic!(
            "the system keyring must be reachable for this test (run it through scripts/test): {e}"
        ),
    };
    let org = [9u8; 16];
    vault.create_org_keys(&mut keys, org).await.unwrap();
    let header = Header {
        org,
        record: [4; 16],
        kind: 1,
        compartment: Compartment::Team as u8,
        epoch: 1,
        author_user: [1; 16],
        author_device: [0; 16],
        hlc: 0,
        tombstone: false,
        owner: [0; 16],
        log: 0,
    };
    vault
        .put(
            &keys,
            vec![Write {
                header,
                plaintext: Zeroizing::new(b"in the keyring".to_vec()),
            }],
        )
        .await
        .unwrap();
    let id = vault.id().to_owned();
    vault.close().await;

    // A fresh process would do exactly this: open, ask the keyring, read.
    let vault = Vault::open(dir.path()).await.unwrap();
    let keys = vault.unlock(Unlock::Keyring(&OsKeyring)).await.unwrap();
    let loaded = vault.load(&keys, &[]).await.unwrap();
    assert_eq!(&loaded.records[0].plaintext[..], b"in the keyring");

    // The key is in the keyring and not in the vault directory.
    let key = OsKeyring.load(&id).unwrap().expect("key stored");
    for entry in std::fs::read_dir(dir.path()).unwrap() {
        let bytes = std::fs::read(entry.unwrap().path()).unwrap();
        assert!(
            !bytes.windows(32).any(|w| w == key.expose_secret()),
            "device key found on disk"
        );
    }

    OsKeyring.delete(&id).unwrap();
    assert!(matches!(
        vault.unlock(Unlock::Keyring(&OsKeyring)).await,
        Err(VaultError::KeyMissing)
    ));
}
