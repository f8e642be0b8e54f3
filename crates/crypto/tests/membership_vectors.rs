//! Committed test vector for the membership log (docs/formats.md, "Membership log entry"): the
//! first five entries of one organization's log, each signed by the owner's identity key and
//! naming the hash of the entry before. The owner adds themselves, adds Mia as a member, makes her
//! an admin, removes her, and moves the finance key on to epoch 2: every kind of change once.
//!
//! The test rebuilds `vectors/membership_v1.json` from its fixed inputs and compares it whole, then
//! replays the committed bytes: each entry verified under the signer's identity as the log itself
//! published it, read back as the same fields, chained to the one before. A format change makes it
//! fail; bump the format's version instead of editing the file. `STINT_WRITE_VECTORS=1` rewrites
//! it, only for a deliberate change.

mod common;

use common::{array, counting, matches_committed};
use std::collections::HashMap;

use serde::{Deserialize, Serialize};
use stint_crypto::{
    CryptoError, IdentityKeys, IdentityPublic, MEMBERSHIP_ENTRY_LEN, MEMBERSHIP_ENTRY_VERSION,
    MembershipChange, MembershipEntry, SealSecretKey, SigningKey,
};

const MEMBERSHIP_JSON: &str = include_str!("vectors/membership_v1.json");

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct MembershipVector {
    description: String,
    org: String,
    owner: String,
    owner_identity_signing_seed: String,
    owner_identity_sealing_secret: String,
    owner_identity_public: String,
    mia: String,
    mia_identity_signing_seed: String,
    mia_identity_sealing_secret: String,
    mia_identity_public: String,
    entries: Vec<EntryVector>,
}

/// One entry: its fields (those its change does not use are left out), its bytes and its hash.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct EntryVector {
    seq: u32,
    prev: String,
    signer: String,
    at_ms: u64,
    /// `add`, `role`, `remove` or `epoch`.
    change: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    member: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    role: Option<u8>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    identity: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    compartment: Option<u8>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    epoch: Option<u32>,
    entry: String,
    hash: String,
}

/// The change as the vector spells it: its name and the fields it uses.
fn change_fields(change: &MembershipChange) -> EntryVector {
    let mut out = EntryVector {
        seq: 0,
        prev: String::new(),
        signer: String::new(),
        at_ms: 0,
        change: String::new(),
        member: None,
        role: None,
        identity: None,
        compartment: None,
        epoch: None,
        entry: String::new(),
        hash: String::new(),
    };
    match change {
        MembershipChange::Add {
            member,
            role,
            identity,
        } => {
            out.change = "add".into();
            out.member = Some(hex::encode(member));
            out.role = Some(*role);
            out.identity = Some(hex::encode(identity.to_bytes()));
        }
        MembershipChange::Role { member, role } => {
            out.change = "role".into();
            out.member = Some(hex::encode(member));
            out.role = Some(*role);
        }
        MembershipChange::Remove { member } => {
            out.change = "remove".into();
            out.member = Some(hex::encode(member));
        }
        MembershipChange::Epoch { compartment, epoch } => {
            out.change = "epoch".into();
            out.compartment = Some(*compartment);
            out.epoch = Some(*epoch);
        }
    }
    out
}

/// The vector, built from fixed inputs by the code under test.
fn build() -> MembershipVector {
    let org: [u8; 16] = counting(0x10);
    let owner: [u8; 16] = counting(0x20);
    let owner_signing_seed: [u8; 32] = counting(0x30);
    let owner_sealing_secret: [u8; 32] = counting(0x50);
    let mia: [u8; 16] = counting(0x70);
    let mia_signing_seed: [u8; 32] = counting(0x80);
    let mia_sealing_secret: [u8; 32] = counting(0xa0);
    let owner_identity = IdentityKeys {
        signing: SigningKey::from_bytes(owner_signing_seed),
        sealing: SealSecretKey::from_bytes(owner_sealing_secret),
    };
    let mia_identity = IdentityKeys {
        signing: SigningKey::from_bytes(mia_signing_seed),
        sealing: SealSecretKey::from_bytes(mia_sealing_secret),
    };
    let owner_public = owner_identity.public(owner);
    let mia_public = mia_identity.public(mia);
    let changes = [
        MembershipChange::Add {
            member: owner,
            role: 1, // owner
            identity: owner_public,
        },
        MembershipChange::Add {
            member: mia,
            role: 3, // member
            identity: mia_public,
        },
        MembershipChange::Role {
            member: mia,
            role: 2, // admin
        },
        MembershipChange::Remove { member: mia },
        MembershipChange::Epoch {
            compartment: 2, // finance
            epoch: 2,
        },
    ];
    let mut prev = [0u8; 32];
    let mut entries = Vec::new();
    for (seq, change) in (1..).zip(changes) {
        let entry = MembershipEntry {
            org,
            seq,
            prev,
            signer: owner,
            // 2026-12-01T00:00:00Z, then an hour apart.
            at_ms: 1_796_083_200_000 + u64::from(seq - 1) * 3_600_000,
            change,
        };
        let bytes = entry.sign(&owner_identity.signing);
        let hash = MembershipEntry::hash(&bytes);
        entries.push(EntryVector {
            seq,
            prev: hex::encode(prev),
            signer: hex::encode(entry.signer),
            at_ms: entry.at_ms,
            entry: hex::encode(bytes),
            hash: hex::encode(hash),
            ..change_fields(&entry.change)
        });
        prev = hash;
    }
    MembershipVector {
        description:
            "Membership log entry v1: version | org | seq u32 BE | prev | signer | at_ms u64 \
                      BE | change (1 add, 2 role, 3 remove, 4 epoch) | member | role | published \
                      identity (81) | compartment | epoch u32 BE (bytes a change does not use are \
                      zero) | Ed25519 by the signer's identity key over \"stint-membership-v1\" ‖ \
                      bytes 0..181. Hash: SHA-256(\"stint-membership-hash-v1\" ‖ the 245 bytes), \
                      named as prev by the next entry (all zero for the first)"
                .into(),
        org: hex::encode(org),
        owner: hex::encode(owner),
        owner_identity_signing_seed: hex::encode(owner_signing_seed),
        owner_identity_sealing_secret: hex::encode(owner_sealing_secret),
        owner_identity_public: hex::encode(owner_public.to_bytes()),
        mia: hex::encode(mia),
        mia_identity_signing_seed: hex::encode(mia_signing_seed),
        mia_identity_sealing_secret: hex::encode(mia_sealing_secret),
        mia_identity_public: hex::encode(mia_public.to_bytes()),
        entries,
    }
}

#[test]
fn membership_v1_is_exactly_what_the_fixed_inputs_produce() {
    matches_committed("membership_v1.json", MEMBERSHIP_JSON, &build());
}

#[test]
fn membership_v1_verifies_and_chains() {
    let v: MembershipVector = serde_json::from_str(MEMBERSHIP_JSON).unwrap();
    let org: [u8; 16] = array(&v.org);
    let owner = IdentityKeys {
        signing: SigningKey::from_bytes(array(&v.owner_identity_signing_seed)),
        sealing: SealSecretKey::from_bytes(array(&v.owner_identity_sealing_secret)),
    };
    let mia = IdentityKeys {
        signing: SigningKey::from_bytes(array(&v.mia_identity_signing_seed)),
        sealing: SealSecretKey::from_bytes(array(&v.mia_identity_sealing_secret)),
    };
    let owner_public = owner.public(array(&v.owner));
    let mia_public = mia.public(array(&v.mia));
    assert_eq!(
        hex::encode(owner_public.to_bytes()),
        v.owner_identity_public
    );
    assert_eq!(hex::encode(mia_public.to_bytes()), v.mia_identity_public);

    // Replay: each signer's key is the identity the log itself published for them, the first
    // entry's its own.
    let mut published: HashMap<[u8; 16], IdentityPublic> = HashMap::new();
    let mut prev = [0u8; 32];
    for (i, e) in v.entries.iter().enumerate() {
        let bytes = hex::decode(&e.entry).unwrap();
        assert_eq!(bytes.len(), MEMBERSHIP_ENTRY_LEN);
        assert_eq!(bytes[0], MEMBERSHIP_ENTRY_VERSION);

        let peeked = MembershipEntry::peek(&bytes).unwrap();
        if i == 0 {
            let MembershipChange::Add {
                member,
                role: 1,
                identity,
            } = &peeked.change
            else {
                panic!("the first entry must add an owner");
            };
            assert_eq!(*member, peeked.signer);
            published.insert(*member, *identity);
        }
        let signer = published[&peeked.signer];
        let entry = MembershipEntry::verify(&bytes, &signer.signing).unwrap();
        assert_eq!(entry, peeked);
        assert_eq!(signer, owner_public);

        // The same fields as the vector spells them, the chain unbroken.
        assert_eq!(entry.org, org);
        assert_eq!(entry.seq, u32::try_from(i + 1).unwrap());
        assert_eq!(entry.seq, e.seq);
        assert_eq!(entry.prev, prev);
        assert_eq!(hex::encode(entry.prev), e.prev);
        assert_eq!(hex::encode(entry.signer), e.signer);
        assert_eq!(entry.at_ms, e.at_ms);
        let fields = change_fields(&entry.change);
        assert_eq!(
            (
                &fields.change,
                &fields.member,
                fields.role,
                &fields.identity,
                fields.compartment,
                fields.epoch
            ),
            (
                &e.change,
                &e.member,
                e.role,
                &e.identity,
                e.compartment,
                e.epoch
            )
        );
        if let MembershipChange::Add {
            member, identity, ..
        } = &entry.change
        {
            assert_eq!(identity.user, *member);
            published.insert(*member, *identity);
        }
        let hash = MembershipEntry::hash(&bytes);
        assert_eq!(hex::encode(hash), e.hash);
        prev = hash;

        // Under another identity's key (Mia's): refused.
        assert!(matches!(
            MembershipEntry::verify(&bytes, &mia.signing.verifying_key()),
            Err(CryptoError::BadSignature)
        ));
        // Any flipped byte: refused, and another hash.
        for at in 0..bytes.len() {
            let mut changed = bytes.clone();
            changed[at] ^= 0x01;
            assert!(
                MembershipEntry::verify(&changed, &signer.signing).is_err(),
                "a flipped bit at {at} was accepted"
            );
            assert_ne!(MembershipEntry::hash(&changed), hash);
        }
    }
    assert_eq!(published.get(&mia_public.user), Some(&mia_public));
    assert_eq!(v.entries.len(), 5);
}
