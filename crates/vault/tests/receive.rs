//! Two vaults of one person exchanging envelopes as sync will (docs/sync.md): received envelopes
//! are stored as they arrived, only if their author's certified key signed them and they open
//! under a key this device holds; of two versions the greater (HLC, author device) is kept on
//! both, whatever order they arrive in; the outbox empties only on acknowledgement.

use std::path::Path;
use stint_vault::*;

const PASS: &str = "correct horse battery";
const ORG: [u8; 16] = [7; 16];
/// The person receiving (author of any merge).
const ME: [u8; 16] = [1; 16];
/// 2026-12-01T00:00:00Z as an HLC.
const HLC: u64 = 1_796_083_200_000 << 16;

fn write(record: u8, hlc: u64, text: &str) -> Write {
    Write {
        header: Header {
            org: ORG,
            record: [record; 16],
            kind: 9,
            compartment: Compartment::Team as u8,
            epoch: 1,
            author_user: [1; 16],
            author_device: [0; 16],
            hlc,
            tombstone: false,
            owner: [0; 16],
            log: 0,
        },
        plaintext: Zeroizing::new(text.as_bytes().to_vec()),
    }
}

async fn vault(dir: &Path) -> (Vault, DeviceKeys) {
    Vault::create_with(dir, Unlock::Passphrase(PASS), Kdf::Minimum)
        .await
        .unwrap()
}

/// Vault B holds A's organization keys (as if opened from their sealed form).
async fn share_keys(from: &DeviceKeys, to: &Vault, to_keys: &mut DeviceKeys) {
    for c in Compartment::ALL {
        let key = from.org_key_for(ORG, c, 1).unwrap();
        let copy = stint_crypto::SymmetricKey::from_bytes(*key.expose_secret());
        assert!(to.import_org_key(to_keys, ORG, c, 1, copy).await.unwrap());
    }
}

async fn envelopes(vault: &Vault) -> Vec<Vec<u8>> {
    vault
        .outbox_batch(ORG, 1000, usize::MAX)
        .await
        .unwrap()
        .into_iter()
        .map(|o| o.envelope)
        .collect()
}

async fn texts(vault: &Vault, keys: &DeviceKeys) -> Vec<(u8, String)> {
    let loaded = vault.load(keys, &[]).await.unwrap();
    assert!(loaded.quarantined.is_empty());
    let mut out: Vec<(u8, String)> = loaded
        .records
        .iter()
        .map(|r| {
            (
                r.header.record[0],
                String::from_utf8(r.plaintext.to_vec()).unwrap(),
            )
        })
        .collect();
    out.sort();
    out
}

#[tokio::test]
async fn envelopes_travel_as_they_are_and_only_when_authentic() {
    let (dir_a, dir_b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let (a, mut ka) = vault(dir_a.path()).await;
    let (b, mut kb) = vault(dir_b.path()).await;
    a.create_org_keys(&mut ka, ORG).await.unwrap();
    share_keys(&ka, &b, &mut kb).await;
    // The same key slot twice is left alone.
    let again = stint_crypto::SymmetricKey::generate();
    assert!(
        !b.import_org_key(&mut kb, ORG, Compartment::Team, 1, again)
            .await
            .unwrap()
    );

    a.put(
        &ka,
        vec![
            write(1, HLC + 1, "2h design"),
            write(2, HLC + 2, "Müller & Søn"),
        ],
    )
    .await
    .unwrap();
    let sent = envelopes(&a).await;
    assert_eq!(sent.len(), 2);
    let a_key = ka.verifying_key();
    let certified = |h: &Header| (h.author_device == ka.device_id()).then_some(a_key);

    let got = b.receive(&kb, ME, &sent, certified).await.unwrap();
    assert_eq!(
        (got.stored.len(), got.unchanged, got.refused.len()),
        (2, 0, 0)
    );
    assert_eq!(texts(&b, &kb).await, texts(&a, &ka).await);
    // Stored as they arrived: the same bytes on both devices, and nothing to push back.
    assert_eq!(b.outbox_len().await.unwrap(), 0);
    let on_b = b.outbox_batch(ORG, 10, usize::MAX).await.unwrap();
    assert!(on_b.is_empty());
    // Receiving them again changes nothing.
    let got = b.receive(&kb, ME, &sent, certified).await.unwrap();
    assert_eq!((got.stored.len(), got.unchanged), (0, 2));
    b.integrity_check().await.unwrap();

    // Refused, and reported: no certificate, a flipped byte, a key this device lacks.
    let mut flipped = sent[0].clone();
    let at = flipped.len() - 70;
    flipped[at] ^= 1;
    let dir_c = tempfile::tempdir().unwrap();
    let (c, mut kc) = vault(dir_c.path()).await;
    c.create_org_keys(&mut kc, ORG).await.unwrap();
    c.put(&kc, vec![write(3, HLC + 3, "under another key")])
        .await
        .unwrap();
    let foreign = envelopes(&c).await.remove(0);
    let c_key = kc.verifying_key();
    let got = b
        .receive(&kb, ME, &[flipped, foreign.clone()], |h: &Header| {
            if h.author_device == kc.device_id() {
                Some(c_key)
            } else {
                certified(h)
            }
        })
        .await
        .unwrap();
    assert_eq!(got.stored.len(), 0);
    assert_eq!(
        got.refused.iter().map(|r| r.index).collect::<Vec<_>>(),
        [0, 1]
    );
    assert!(
        got.refused[1].reason.contains("could not decrypt"),
        "{:?}",
        got.refused
    );
    let got = b.receive(&kb, ME, &sent, |_: &Header| None).await.unwrap();
    assert_eq!(got.refused.len(), 2);
    assert!(got.refused[0].reason.contains("certificate"));
    // Signed by another device than the header names: refused.
    let got = b
        .receive(&kb, ME, &sent, |_: &Header| Some(c_key))
        .await
        .unwrap();
    assert_eq!(got.refused.len(), 2);
    assert_eq!(
        texts(&b, &kb).await,
        [(1, "2h design".into()), (2, "Müller & Søn".into())]
    );

    // Acknowledged entries leave the outbox; the rest stay.
    let outbox = a.outbox_batch(ORG, 10, usize::MAX).await.unwrap();
    a.ack_outbox(&[outbox[0].seq]).await.unwrap();
    assert_eq!(
        a.outbox_batch(ORG, 10, usize::MAX).await.unwrap(),
        outbox[1..]
    );
}

#[tokio::test]
async fn both_devices_keep_the_same_version_whatever_arrives_first() {
    let (dir_a, dir_b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let (a, mut ka) = vault(dir_a.path()).await;
    let (b, mut kb) = vault(dir_b.path()).await;
    a.create_org_keys(&mut ka, ORG).await.unwrap();
    share_keys(&ka, &b, &mut kb).await;
    let (a_key, b_key) = (ka.verifying_key(), kb.verifying_key());
    let (a_id, b_id) = (ka.device_id(), kb.device_id());
    let certified = move |h: &Header| {
        if h.author_device == a_id {
            Some(a_key)
        } else if h.author_device == b_id {
            Some(b_key)
        } else {
            None
        }
    };

    // The same record written offline on both, at the same HLC: the greater device id wins on
    // both, the other's version is not stored.
    a.put(&ka, vec![write(1, HLC, "from A")]).await.unwrap();
    b.put(&kb, vec![write(1, HLC, "from B")]).await.unwrap();
    let (from_a, from_b) = (envelopes(&a).await, envelopes(&b).await);
    a.receive(&ka, ME, &from_b, certified).await.unwrap();
    b.receive(&kb, ME, &from_a, certified).await.unwrap();
    let winner = if a_id > b_id { "from A" } else { "from B" };
    assert_eq!(texts(&a, &ka).await, [(1, winner.into())]);
    assert_eq!(texts(&b, &kb).await, [(1, winner.into())]);

    // A later edit on B wins over A's earlier one, in either order of arrival; an older one never
    // replaces a newer one.
    b.put(&kb, vec![write(2, HLC + 10, "late")]).await.unwrap();
    a.put(&ka, vec![write(2, HLC + 5, "early")]).await.unwrap();
    let late = envelopes(&b).await.pop().unwrap();
    let early = envelopes(&a).await.pop().unwrap();
    let got = a
        .receive(&ka, ME, std::slice::from_ref(&late), certified)
        .await
        .unwrap();
    assert_eq!(got.stored.len(), 1);
    let got = b
        .receive(&kb, ME, std::slice::from_ref(&early), certified)
        .await
        .unwrap();
    assert_eq!((got.stored.len(), got.unchanged), (0, 1));
    assert_eq!(texts(&a, &ka).await, texts(&b, &kb).await);
    assert_eq!(texts(&a, &ka).await[1], (2, "late".into()));

    // Receiving advances the clock: a record stamped 2100-01-01 (a device whose clock is far
    // ahead) makes this device's next write later still, whatever today is.
    let ahead = 4_102_444_800_000u64 << 16;
    b.put(&kb, vec![write(3, ahead, "ahead")]).await.unwrap();
    let sent = envelopes(&b).await.pop().unwrap();
    a.receive(&ka, ME, &[sent], certified).await.unwrap();
    assert!(a.next_hlc() > ahead);
}

mod any_order {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig { cases: 12, ..ProptestConfig::default() })]

        /// Versions of a few records written on three devices, delivered to a fresh device in any
        /// order and with repeats: the stored envelopes are byte for byte the same.
        #[test]
        fn every_delivery_order_gives_the_same_bytes(
            writes in prop::collection::vec((0usize..3, 1u8..4, 0u64..4), 1..12),
            order in any::<prop::sample::Index>(),
            repeat in any::<prop::sample::Index>(),
        ) {
            let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
            runtime.block_on(async {
                let dirs: Vec<tempfile::TempDir> = (0..5).map(|_| tempfile::tempdir().unwrap()).collect();
                let mut devices = Vec::new();
                for dir in &dirs[..3] {
                    devices.push(vault(dir.path()).await);
                }
                let (first, rest) = devices.split_at_mut(1);
                first[0].0.create_org_keys(&mut first[0].1, ORG).await.unwrap();
                for (v, k) in rest.iter_mut() {
                    share_keys(&first[0].1, v, k).await;
                }
                // Each device writes its versions. The same HLC on different devices is allowed
                // (and likely, with four ticks); one device never issues an HLC twice, as
                // `Vault::next_hlc` guarantees, so a repeated tick moves on.
                let mut all = Vec::new();
                let mut used = std::collections::HashSet::new();
                for (i, (device, record, tick)) in writes.iter().enumerate() {
                    let (v, k) = &devices[*device];
                    let mut hlc = HLC + tick;
                    while !used.insert((*device, hlc)) {
                        hlc += 4;
                    }
                    v.put(k, vec![write(*record, hlc, &format!("v{i}"))]).await.unwrap();
                    all.push(envelopes(v).await.pop().unwrap());
                }
                let signers: Vec<(DeviceKeysId, stint_crypto::VerifyingKey)> =
                    devices.iter().map(|(_, k)| (k.device_id(), k.verifying_key())).collect();
                let certified = |h: &Header| signers.iter().find(|(id, _)| *id == h.author_device).map(|(_, key)| *key);
                // Two receivers: one in the written order, one shuffled with a repeat.
                let mut shuffled = all.clone();
                let n = shuffled.len();
                shuffled.rotate_left(order.index(n));
                shuffled.swap(0, repeat.index(n));
                shuffled.push(all[repeat.index(n)].clone());
                let mut stored = Vec::new();
                for (dir, delivery) in dirs[3..].iter().zip([all.clone(), shuffled]) {
                    let (v, mut k) = vault(dir.path()).await;
                    share_keys(&devices[0].1, &v, &mut k).await;
                    for one in delivery {
                        v.receive(&k, ME, &[one], certified).await.unwrap();
                    }
                    let shown = texts(&v, &k).await;
                    v.close().await;
                    let pool = sqlx::SqlitePool::connect(&format!("sqlite://{}", dir.path().join(DB_FILE).display())).await.unwrap();
                    let bytes: Vec<(Vec<u8>, Vec<u8>)> = sqlx::query_as("SELECT id, envelope FROM records ORDER BY id")
                        .fetch_all(&pool).await.unwrap();
                    pool.close().await;
                    stored.push((bytes, shown));
                }
                assert!(!stored[0].0.is_empty());
                assert_eq!(stored[0], stored[1]);
            });
        }
    }

    type DeviceKeysId = [u8; 16];
}

/// The quarantine keeps refused envelopes by organization and number: a second refusal at a
/// number takes the new bytes and reason and keeps the first sighting; past the cap, new numbers
/// are dropped; released rows are gone.
#[tokio::test]
async fn refused_envelopes_are_kept_by_number_up_to_a_cap() {
    let dir = tempfile::tempdir().unwrap();
    let (vault, _keys) = vault(dir.path()).await;
    let (org, other) = ([1u8; 16], [2u8; 16]);
    vault
        .quarantine(org, &[(7, b"first bytes", "bad signature")], 1_000)
        .await
        .unwrap();
    vault
        .quarantine(org, &[(7, b"other bytes", "unknown device")], 2_000)
        .await
        .unwrap();
    vault
        .quarantine(other, &[(7, b"elsewhere", "bad signature")], 3_000)
        .await
        .unwrap();
    let held = vault.quarantined(Some(org), 100).await.unwrap();
    assert_eq!(held.len(), 1);
    assert_eq!(
        (
            held[0].seq,
            held[0].envelope.as_slice(),
            held[0].reason.as_str(),
            held[0].first_seen_ms
        ),
        (7, &b"other bytes"[..], "unknown device", 1_000)
    );
    assert_eq!(vault.quarantined(None, 100).await.unwrap().len(), 2);

    let many: Vec<(u64, &[u8], &str)> = (100..100 + stint_vault::MAX_QUARANTINED as u64 + 5)
        .map(|seq| (seq, &b"x"[..], "bad signature"))
        .collect();
    vault.quarantine(org, &many, 4_000).await.unwrap();
    assert_eq!(
        vault.quarantine_len(org).await.unwrap(),
        stint_vault::MAX_QUARANTINED as u64
    );
    assert_eq!(vault.release(org, Some(&[7, 100])).await.unwrap(), 2);
    assert_eq!(
        vault.quarantine_len(org).await.unwrap(),
        stint_vault::MAX_QUARANTINED as u64 - 2
    );
    assert_eq!(
        vault.release(org, None).await.unwrap(),
        stint_vault::MAX_QUARANTINED as u64 - 2
    );
    assert_eq!(vault.quarantine_len(other).await.unwrap(), 1);
}

/// A batch stops before the envelope that would take it past the byte budget, but always holds
/// at least one (a 20 MiB receipt still leaves), and never more than the count asked for.
#[tokio::test]
async fn an_outbox_batch_keeps_to_its_byte_budget() {
    let dir = tempfile::tempdir().unwrap();
    let (a, mut ka) = vault(dir.path()).await;
    a.create_org_keys(&mut ka, ORG).await.unwrap();
    let big = "x".repeat(50_000);
    let writes = vec![
        write(1, HLC, "1h"),
        write(2, HLC + 1, &big),
        write(3, HLC + 2, "2h"),
        write(4, HLC + 3, "3h"),
    ];
    a.put(&ka, writes).await.unwrap();
    let all = a.outbox_batch(ORG, 10, usize::MAX).await.unwrap();
    assert_eq!(all.len(), 4);
    let sizes: Vec<usize> = all.iter().map(|o| o.envelope.len()).collect();
    let first_two = sizes[0] + sizes[1];

    let records = |batch: &[Outgoing]| -> Vec<u8> {
        batch
            .iter()
            .map(|o| {
                stint_crypto::EnvelopeRef::parse(&o.envelope)
                    .unwrap()
                    .header()
                    .record[0]
            })
            .collect()
    };
    // The budget takes the first two exactly: not the third.
    let batch = a.outbox_batch(ORG, 10, first_two).await.unwrap();
    assert_eq!(records(&batch), [1, 2]);
    // One byte short: the large one waits for the next batch.
    let batch = a.outbox_batch(ORG, 10, first_two - 1).await.unwrap();
    assert_eq!(records(&batch), [1]);
    // The count still holds.
    let batch = a.outbox_batch(ORG, 3, usize::MAX).await.unwrap();
    assert_eq!(records(&batch), [1, 2, 3]);
    // Alone at the head of the outbox, the large one leaves whatever the budget.
    a.ack_outbox(&[all[0].seq]).await.unwrap();
    let batch = a.outbox_batch(ORG, 10, 10).await.unwrap();
    assert_eq!(records(&batch), [2]);
}

/// Changes the writer's role no longer allows leave the outbox and the records, in one step; the
/// last version of each such record waits in the conflict log as not sent, to be read; the rest
/// is untouched.
#[tokio::test]
async fn changes_set_aside_leave_the_outbox_and_wait_in_the_conflict_log() {
    let dir = tempfile::tempdir().unwrap();
    let (a, mut ka) = vault(dir.path()).await;
    a.create_org_keys(&mut ka, ORG).await.unwrap();
    a.put(&ka, vec![write(1, HLC, "1h"), write(2, HLC + 1, "2h")])
        .await
        .unwrap();
    a.put(
        &ka,
        vec![write(1, HLC + 2, "1h30"), write(3, HLC + 3, "3h")],
    )
    .await
    .unwrap();
    assert_eq!(envelopes(&a).await.len(), 4);

    let set_aside = a
        .set_aside(ORG, |e| e.header().record[0] != 3)
        .await
        .unwrap();
    assert_eq!(set_aside, 2);
    assert_eq!(texts(&a, &ka).await, [(3, "3h".to_owned())]);
    let left: Vec<u8> = envelopes(&a)
        .await
        .iter()
        .map(|e| stint_crypto::EnvelopeRef::parse(e).unwrap().header().record[0])
        .collect();
    assert_eq!(left, [3]);
    let logged: Vec<(u8, bool, String)> = a
        .conflicts()
        .await
        .unwrap()
        .iter()
        .map(|row| {
            let lost = a.open_lost(&ka, &row.lost).unwrap();
            (
                row.record[0],
                row.not_sent && row.fields.is_empty(),
                String::from_utf8(lost.plaintext.to_vec()).unwrap(),
            )
        })
        .collect();
    assert_eq!(
        logged,
        [(2, true, "2h".to_owned()), (1, true, "1h30".to_owned())]
    );

    // Nothing more to set aside: a second pass changes nothing.
    assert_eq!(a.set_aside(ORG, |_| false).await.unwrap(), 0);
    assert_eq!(
        a.set_aside(ORG, |e| e.header().record[0] == 1)
            .await
            .unwrap(),
        0
    );
    assert_eq!(a.conflicts().await.unwrap().len(), 2);
}
