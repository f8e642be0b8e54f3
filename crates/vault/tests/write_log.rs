//! Write logs between two vaults (docs/sync.md, "A server that lies"): A lists what the server
//! acknowledged in numbered, chained entries; B, given A's records and any subset of A's entries in
//! any order, counts exactly the entries missing before the last one it holds, and the versions
//! an entry lists that it lacks; delivered late, they close the gap.

use std::path::Path;
use stint_vault::*;

const PASS: &str = "correct horse battery";
const ORG: [u8; 16] = [7; 16];
const ME: [u8; 16] = [1; 16];
const HLC: u64 = 1_796_083_200_000 << 16;
const ENTRIES: u8 = 4;

async fn vault(dir: &Path) -> (Vault, DeviceKeys) {
    Vault::create_with(dir, Unlock::Passphrase(PASS), Kdf::Minimum)
        .await
        .unwrap()
}

fn write(record: u8) -> Write {
    Write {
        header: Header {
            org: ORG,
            record: [record; 16],
            kind: 3,
            compartment: Compartment::Team as u8,
            epoch: 1,
            author_user: ME,
            author_device: [0; 16],
            hlc: HLC + u64::from(record),
            tombstone: false,
            owner: [0; 16],
            log: 0,
        },
        plaintext: Zeroizing::new(format!("client {record}").into_bytes()),
    }
}

/// A's rounds: one record each, acknowledged, then listed in the next write log entry. Returns the
/// records' envelopes and the entries', in order.
async fn rounds(a: &Vault, ka: &DeviceKeys) -> (Vec<Vec<u8>>, Vec<Vec<u8>>) {
    let (mut records, mut entries) = (Vec::new(), Vec::new());
    for record in 1..=ENTRIES {
        a.put(ka, vec![write(record)]).await.unwrap();
        let pushed = a.outbox_batch(ORG, 100, usize::MAX).await.unwrap();
        assert_eq!(pushed.len(), 1);
        records.push(pushed[0].envelope.clone());
        a.ack_pushed(&pushed).await.unwrap();
        assert_eq!(a.write_log_entries(ka, ME, ORG).await.unwrap(), 1);
        // Nothing acknowledged since: no entry.
        assert_eq!(a.write_log_entries(ka, ME, ORG).await.unwrap(), 0);
        let entry = a.outbox_batch(ORG, 100, usize::MAX).await.unwrap();
        assert_eq!(entry.len(), 1);
        assert_eq!(
            u16::from_be_bytes([entry[0].envelope[33], entry[0].envelope[34]]),
            16
        );
        entries.push(entry[0].envelope.clone());
        a.ack_pushed(&entry).await.unwrap();
    }
    (records, entries)
}

async fn receiver(ka: &DeviceKeys, dir: &Path) -> (Vault, DeviceKeys) {
    let (b, mut kb) = vault(dir).await;
    for c in Compartment::ALL {
        let key = ka.org_key_for(ORG, c, 1).unwrap();
        let copy = stint_crypto::SymmetricKey::from_bytes(*key.expose_secret());
        b.import_org_key(&mut kb, ORG, c, 1, copy).await.unwrap();
    }
    (b, kb)
}

fn permutations(items: Vec<usize>) -> Vec<Vec<usize>> {
    if items.len() <= 1 {
        return vec![items];
    }
    let mut out = Vec::new();
    for i in 0..items.len() {
        let mut rest = items.clone();
        let first = rest.remove(i);
        for mut tail in permutations(rest) {
            tail.insert(0, first);
            out.push(tail);
        }
    }
    out
}

#[tokio::test]
async fn every_order_of_entries_counts_exactly_the_gaps() {
    let dir_a = tempfile::tempdir().unwrap();
    let (a, mut ka) = vault(dir_a.path()).await;
    a.create_org_keys(&mut ka, ORG).await.unwrap();
    let (records, entries) = rounds(&a, &ka).await;
    let key = ka.verifying_key();
    let signer = |h: &Header| (h.author_device == ka.device_id()).then_some(key);

    for order in permutations((0..entries.len()).collect()) {
        let dir_b = tempfile::tempdir().unwrap();
        let (b, kb) = receiver(&ka, dir_b.path()).await;
        b.receive(&kb, [2; 16], &records, signer).await.unwrap();
        let mut held: Vec<usize> = Vec::new();
        for &i in &order {
            let got = b
                .receive(&kb, [2; 16], &entries[i..=i], signer)
                .await
                .unwrap();
            assert!(got.refused.is_empty(), "{:?}", got.refused);
            held.push(i);
            let last = held.iter().max().copied().unwrap_or(0) + 1;
            let unseen = b.unseen(ORG).await.unwrap();
            assert_eq!(
                unseen,
                Unseen {
                    versions: 0,
                    entries: (last - held.len()) as u64
                },
                "order {order:?}, after {held:?}"
            );
        }
        // Everything again (a rewind): nothing counted twice, nothing missing.
        b.receive(&kb, [2; 16], &entries, signer).await.unwrap();
        assert_eq!(b.unseen(ORG).await.unwrap(), Unseen::default());
        b.close().await;
    }
}

#[tokio::test]
async fn a_version_an_entry_lists_and_nobody_delivered_is_unseen() {
    let (dir_a, dir_b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let (a, mut ka) = vault(dir_a.path()).await;
    a.create_org_keys(&mut ka, ORG).await.unwrap();
    let (records, entries) = rounds(&a, &ka).await;
    let key = ka.verifying_key();
    let signer = |h: &Header| (h.author_device == ka.device_id()).then_some(key);
    let (b, kb) = receiver(&ka, dir_b.path()).await;

    // Record 3 withheld; every entry delivered.
    let delivered: Vec<Vec<u8>> = records
        .iter()
        .enumerate()
        .filter(|(i, _)| *i != 2)
        .map(|(_, r)| r.clone())
        .collect();
    b.receive(&kb, [2; 16], &delivered, signer).await.unwrap();
    b.receive(&kb, [2; 16], &entries, signer).await.unwrap();
    assert_eq!(
        b.unseen(ORG).await.unwrap(),
        Unseen {
            versions: 1,
            entries: 0
        }
    );
    // Still missing a round later; delivered, it is seen.
    assert_eq!(b.unseen(ORG).await.unwrap().versions, 1);
    b.receive(&kb, [2; 16], &records[2..3], signer)
        .await
        .unwrap();
    assert_eq!(b.unseen(ORG).await.unwrap(), Unseen::default());

    // A's own entries, received back by A, claim nothing.
    let own = a.receive(&ka, ME, &entries, signer).await.unwrap();
    assert!(own.refused.is_empty());
    assert_eq!(a.unseen(ORG).await.unwrap(), Unseen::default());
}

#[tokio::test]
async fn an_entry_under_another_id_is_refused() {
    let (dir_a, dir_b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let (a, mut ka) = vault(dir_a.path()).await;
    a.create_org_keys(&mut ka, ORG).await.unwrap();
    a.put(&ka, vec![write(1)]).await.unwrap();
    let pushed = a.outbox_batch(ORG, 100, usize::MAX).await.unwrap();
    a.ack_pushed(&pushed).await.unwrap();
    // An entry's id follows from its author and number: one that A signs under another id (as a
    // buggy or hostile device might) is refused, and claims nothing.
    let entry_payload = {
        a.write_log_entries(&ka, ME, ORG).await.unwrap();
        let batch = a.outbox_batch(ORG, 100, usize::MAX).await.unwrap();
        let opened = a
            .get(
                &ka,
                ORG,
                batch.last().unwrap().envelope[17..33].try_into().unwrap(),
            )
            .await
            .unwrap()
            .unwrap()
            .unwrap();
        opened.plaintext.to_vec()
    };
    a.put(
        &ka,
        vec![Write {
            header: Header {
                org: ORG,
                record: [0xee; 16],
                kind: 16,
                compartment: Compartment::Team as u8,
                epoch: 1,
                author_user: ME,
                author_device: [0; 16],
                hlc: 0,
                tombstone: false,
                owner: [0; 16],
                log: 0,
            },
            plaintext: Zeroizing::new(entry_payload),
        }],
    )
    .await
    .unwrap();
    let moved = a.outbox_batch(ORG, 100, usize::MAX).await.unwrap();
    let moved = moved.last().unwrap().envelope.clone();
    let key = ka.verifying_key();
    let signer = |h: &Header| (h.author_device == ka.device_id()).then_some(key);
    let (b, kb) = receiver(&ka, dir_b.path()).await;
    let got = b.receive(&kb, [2; 16], &[moved], signer).await.unwrap();
    assert_eq!(got.refused.len(), 1);
    assert!(
        got.refused[0].reason.contains("another id"),
        "{:?}",
        got.refused
    );
    assert_eq!(b.unseen(ORG).await.unwrap(), Unseen::default());
}
