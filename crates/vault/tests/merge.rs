//! Merging (docs/sync.md, "Merging"), as a property: three devices edit one time entry offline
//! (its note, whether it is billable, stopping its timer, deleting it), and versions travel
//! through a store that keeps the greatest envelope of each record (the server's rule) in any
//! order, with old versions replayed. Once every device has pushed and pulled until nothing is
//! left to push, all hold byte-identical records, and what they hold is the per-field merge of
//! every version written: no edit lost unless a later one of the same field, or a delete, beat it.

use std::collections::BTreeMap;

use proptest::prelude::*;
use stint_domain::payload::{self, Clock, Fields, Merged, Version};
use stint_domain::{EntryId, EntryTime, Kind, MemberId, ProjectId, TimeEntry};
use stint_vault::*;

const PASS: &str = "correct horse battery";
const ORG: [u8; 16] = [7; 16];
const ME: [u8; 16] = [1; 16];
const RECORD: [u8; 16] = [9; 16];

fn base_entry() -> TimeEntry {
    TimeEntry {
        id: EntryId::from_bytes(RECORD),
        member: MemberId::from_bytes(ME),
        project: Some(ProjectId::from_bytes([3; 16])),
        task: None,
        time: EntryTime::Running {
            start: "2026-03-02T09:00:00Z".parse().unwrap(),
        },
        note: "base".into(),
        billable: true,
        tags: vec![],
        invoiced: false,
    }
}

struct Device {
    vault: Vault,
    keys: DeviceKeys,
}

impl Device {
    async fn write(&self, tombstone: bool, payload: Vec<u8>, hlc: u64) {
        let header = Header {
            org: ORG,
            record: RECORD,
            kind: Kind::TimeEntry as u16,
            compartment: Compartment::Team as u8,
            epoch: 1,
            author_user: ME,
            author_device: [0; 16],
            hlc,
            tombstone,
            owner: [0; 16],
            log: 0,
        };
        self.vault
            .put(
                &self.keys,
                vec![Write {
                    header,
                    plaintext: Zeroizing::new(payload),
                }],
            )
            .await
            .unwrap();
    }

    /// The local version: `None` if deleted.
    async fn current(&self) -> Option<Fields> {
        let opened = self
            .vault
            .get(&self.keys, ORG, RECORD)
            .await
            .unwrap()
            .unwrap()
            .unwrap();
        (!opened.header.tombstone).then(|| Fields::parse(&opened.plaintext).unwrap())
    }

    async fn push(&self, server: &mut Server) {
        let out = self
            .vault
            .outbox_batch(ORG, 1000, usize::MAX)
            .await
            .unwrap();
        for o in &out {
            server.push(&o.envelope);
        }
        let seqs: Vec<i64> = out.iter().map(|o| o.seq).collect();
        self.vault.ack_outbox(&seqs).await.unwrap();
    }

    async fn receive(&self, envelope: &[u8], signers: &[([u8; 16], stint_crypto::VerifyingKey)]) {
        let got = self
            .vault
            .receive(&self.keys, ME, &[envelope.to_vec()], |h: &Header| {
                signers
                    .iter()
                    .find(|(id, _)| *id == h.author_device)
                    .map(|(_, k)| *k)
            })
            .await
            .unwrap();
        assert!(got.refused.is_empty(), "{:?}", got.refused);
    }
}

/// (hlc, author device): the order of versions.
type Order = (u64, [u8; 16]);

/// The server's rule: per record, the envelope with the greatest (hlc, author device); and every
/// envelope ever pushed, for replays.
#[derive(Default)]
struct Server {
    latest: BTreeMap<[u8; 16], (Order, Vec<u8>)>,
    log: Vec<Vec<u8>>,
}

impl Server {
    fn push(&mut self, envelope: &[u8]) {
        let parsed = stint_crypto::EnvelopeRef::parse(envelope).unwrap();
        let h = parsed.header();
        let order = (h.hlc, h.author_device);
        self.log.push(envelope.to_vec());
        let slot = self
            .latest
            .entry(h.record)
            .or_insert((order, envelope.to_vec()));
        if order > slot.0 {
            *slot = (order, envelope.to_vec());
        }
    }
}

/// The per-field merge of versions, folded in the order given.
fn fold(versions: &[(bool, Vec<u8>)]) -> (bool, Vec<u8>) {
    let mut acc = versions[0].clone();
    for v in &versions[1..] {
        let merged = payload::merge(
            Version {
                kind: Kind::TimeEntry as u16,
                tombstone: acc.0,
                payload: &acc.1,
            },
            Version {
                kind: Kind::TimeEntry as u16,
                tombstone: v.0,
                payload: &v.1,
            },
        );
        acc = match merged.0 {
            Merged::Local | Merged::Greater => acc,
            Merged::Incoming => v.clone(),
            Merged::New(bytes) => (false, bytes),
        };
    }
    acc
}

#[derive(Debug, Clone)]
enum Step {
    /// Device edits: 0 note, 1 billable, 2 stop the timer, 3 delete.
    Edit(usize, u8, u8),
    Push(usize),
    Pull(usize),
    /// Device receives an old version again.
    Replay(usize, prop::sample::Index),
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        3 => (0usize..3, 0u8..4, 0u8..3).prop_map(|(d, a, v)| Step::Edit(d, a, v)),
        2 => (0usize..3).prop_map(Step::Push),
        2 => (0usize..3).prop_map(Step::Pull),
        1 => (0usize..3, any::<prop::sample::Index>()).prop_map(|(d, i)| Step::Replay(d, i)),
    ]
}

async fn run(steps: Vec<Step>) {
    let dirs: Vec<tempfile::TempDir> = (0..3).map(|_| tempfile::tempdir().unwrap()).collect();
    let mut devices = Vec::new();
    for dir in &dirs {
        let (vault, keys) = Vault::create_with(dir.path(), Unlock::Passphrase(PASS), Kdf::Minimum)
            .await
            .unwrap();
        devices.push(Device { vault, keys });
    }
    let first = &mut devices[0];
    first
        .vault
        .create_org_keys(&mut first.keys, ORG)
        .await
        .unwrap();
    for i in 1..3 {
        for c in Compartment::ALL {
            let key = devices[0].keys.org_key_for(ORG, c, 1).unwrap();
            let copy = stint_crypto::SymmetricKey::from_bytes(*key.expose_secret());
            let d = &mut devices[i];
            d.vault
                .import_org_key(&mut d.keys, ORG, c, 1, copy)
                .await
                .unwrap();
        }
    }
    let signers: Vec<([u8; 16], stint_crypto::VerifyingKey)> = devices
        .iter()
        .map(|d| (d.keys.device_id(), d.keys.verifying_key()))
        .collect();
    let mut server = Server::default();
    // The entry, a running timer, made on device 0 and known to all.
    let hlc = devices[0].vault.next_hlc();
    let first = payload::encode_fresh(
        &base_entry(),
        Clock {
            hlc,
            device: devices[0].keys.device_id(),
        },
    )
    .unwrap();
    devices[0].write(false, first.clone(), hlc).await;
    devices[0].push(&mut server).await;
    for d in &devices[1..] {
        d.receive(&server.latest[&RECORD].1, &signers).await;
    }
    // Every version an edit wrote (merges are joins of these, so add nothing).
    let mut written: Vec<(bool, Vec<u8>)> = vec![(false, first)];

    for (n, s) in steps.into_iter().enumerate() {
        match s {
            Step::Edit(d, action, value) => {
                let device = &devices[d];
                let Some(current) = device.current().await else {
                    continue; // deleted here: nothing to edit
                };
                let hlc = device.vault.next_hlc();
                let clock = Clock {
                    hlc,
                    device: device.keys.device_id(),
                };
                let mut entry: TimeEntry = payload::decode(&current.to_bytes()).unwrap();
                match action {
                    0 => entry.note = format!("note {n}.{value}"),
                    1 => entry.billable = value % 2 == 0,
                    2 => {
                        if let EntryTime::Running { start } = entry.time {
                            entry.time = EntryTime::Span {
                                start,
                                end: start
                                    .checked_add(std::time::Duration::from_secs(
                                        60 * (30 + u64::from(value)),
                                    ))
                                    .unwrap(),
                            };
                        }
                    }
                    _ => {
                        device.write(true, Vec::new(), hlc).await;
                        written.push((true, Vec::new()));
                        continue;
                    }
                }
                let fields = current.edit(payload::split(&entry).unwrap(), clock);
                let bytes = fields.to_bytes();
                device.write(false, bytes.clone(), hlc).await;
                written.push((false, bytes));
            }
            Step::Push(d) => devices[d].push(&mut server).await,
            Step::Pull(d) => {
                if let Some((_, envelope)) = server.latest.get(&RECORD) {
                    let envelope = envelope.clone();
                    devices[d].receive(&envelope, &signers).await;
                }
            }
            Step::Replay(d, i) => {
                let envelope = server.log[i.index(server.log.len())].clone();
                devices[d].receive(&envelope, &signers).await;
            }
        }
    }

    // Settle: everyone pushes and pulls until nothing is left to push.
    for round in 0.. {
        assert!(round < 10, "the devices did not settle");
        for d in &devices {
            d.push(&mut server).await;
        }
        let latest = server.latest[&RECORD].1.clone();
        for d in &devices {
            d.receive(&latest, &signers).await;
        }
        let mut pending = 0;
        for d in &devices {
            pending += d.vault.outbox_len().await.unwrap();
        }
        if pending == 0 {
            break;
        }
    }

    let on_server = server.latest[&RECORD].1.clone();
    let expected = fold(&written);
    for d in &devices {
        // The server's latest envelope, byte for byte.
        let url = format!("sqlite://{}", d.vault.dir().join(DB_FILE).display());
        let pool = sqlx::SqlitePool::connect(&url).await.unwrap();
        let held: Vec<u8> = sqlx::query_scalar("SELECT envelope FROM records WHERE id = ?")
            .bind(RECORD.as_slice())
            .fetch_one(&pool)
            .await
            .unwrap();
        pool.close().await;
        assert_eq!(held, on_server);
        let opened = d
            .vault
            .get(&d.keys, ORG, RECORD)
            .await
            .unwrap()
            .unwrap()
            .unwrap();
        assert_eq!(opened.header.tombstone, expected.0);
        if !expected.0 {
            let got: TimeEntry = payload::decode(&opened.plaintext).unwrap();
            let want: TimeEntry = payload::decode(&expected.1).unwrap();
            assert_eq!(got, want);
            assert_eq!(
                Fields::parse(&opened.plaintext).unwrap(),
                Fields::parse(&expected.1).unwrap()
            );
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn every_delivery_order_converges_to_the_merge_of_every_edit(
        steps in prop::collection::vec(step(), 1..24)
    ) {
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        runtime.block_on(run(steps));
    }
}
