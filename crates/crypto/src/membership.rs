//! Membership log entries (docs/formats.md, "Membership log entry"): one change to who belongs to
//! an organization, signed by the identity of the Owner or Admin who made it and chained to the
//! entry before by its hash. The server stores the log but cannot forge, reorder or drop an entry
//! without the chain breaking; what each signer was allowed to do is for the reader to check (the
//! role table is not this crate's), entry by entry, from the first.
//!
//! Groundwork for sync part 2's item 1: not yet written or read by the apps.

use sha2::{Digest, Sha256};

use crate::{CryptoError, IdentityPublic, SigningKey, VerifyingKey, field};

/// Format version of a membership log entry.
pub const MEMBERSHIP_ENTRY_VERSION: u8 = 1;
/// Length of an entry: the signed fields and an Ed25519 signature.
pub const MEMBERSHIP_ENTRY_LEN: usize = SIGNED_LEN + 64;
const SIGNED_LEN: usize = 1 + 16 + 4 + 32 + 16 + 8 + 1 + 16 + 1 + 81 + 1 + 4;
const ENTRY_LABEL: &[u8] = b"stint-membership-v1";
const HASH_LABEL: &[u8] = b"stint-membership-hash-v1";

/// What one entry changes. Roles are numbers (1 owner, 2 admin, 3 member, 4 viewer), as the
/// domain's role table names them; this crate does not judge them.
// A log holds a few entries per member: boxing the identity would save nothing that matters.
#[allow(clippy::large_enum_variant)]
#[derive(Clone, PartialEq, Eq, Debug)]
pub enum Change {
    /// Someone joins (or joins again) under an identity whose fingerprint someone compared.
    Add {
        /// Their account id.
        member: [u8; 16],
        /// Their role.
        role: u8,
        /// Their published identity.
        identity: IdentityPublic,
    },
    /// A member's role changes.
    Role {
        /// Their account id.
        member: [u8; 16],
        /// The new role.
        role: u8,
    },
    /// A member leaves or is removed.
    Remove {
        /// Their account id.
        member: [u8; 16],
    },
    /// A compartment's key moves on to a new epoch.
    Epoch {
        /// 1 team, 2 finance.
        compartment: u8,
        /// The new epoch.
        epoch: u32,
    },
}

impl Change {
    fn code(&self) -> u8 {
        match self {
            Change::Add { .. } => 1,
            Change::Role { .. } => 2,
            Change::Remove { .. } => 3,
            Change::Epoch { .. } => 4,
        }
    }
}

/// One entry of an organization's membership log.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct MembershipEntry {
    /// The organization.
    pub org: [u8; 16],
    /// Its place in the log, from 1.
    pub seq: u32,
    /// [`MembershipEntry::hash`] of the entry before (all zero for the first).
    pub prev: [u8; 32],
    /// Whose identity signed it.
    pub signer: [u8; 16],
    /// When, in Unix milliseconds by the signer's clock (informative).
    pub at_ms: u64,
    /// The change.
    pub change: Change,
}

impl MembershipEntry {
    fn signed_fields(&self) -> [u8; SIGNED_LEN] {
        let mut out = [0u8; SIGNED_LEN];
        out[0] = MEMBERSHIP_ENTRY_VERSION;
        out[1..17].copy_from_slice(&self.org);
        out[17..21].copy_from_slice(&self.seq.to_be_bytes());
        out[21..53].copy_from_slice(&self.prev);
        out[53..69].copy_from_slice(&self.signer);
        out[69..77].copy_from_slice(&self.at_ms.to_be_bytes());
        out[77] = self.change.code();
        match &self.change {
            Change::Add {
                member,
                role,
                identity,
            } => {
                out[78..94].copy_from_slice(member);
                out[94] = *role;
                out[95..176].copy_from_slice(&identity.to_bytes());
            }
            Change::Role { member, role } => {
                out[78..94].copy_from_slice(member);
                out[94] = *role;
            }
            Change::Remove { member } => out[78..94].copy_from_slice(member),
            Change::Epoch { compartment, epoch } => {
                out[176] = *compartment;
                out[177..181].copy_from_slice(&epoch.to_be_bytes());
            }
        }
        out
    }

    /// The entry, signed by the signer's identity key: `fields ‖ Ed25519 signature` over
    /// `stint-membership-v1 ‖ fields`.
    pub fn sign(&self, identity: &SigningKey) -> [u8; MEMBERSHIP_ENTRY_LEN] {
        let fields = self.signed_fields();
        let signature = identity.sign(&[ENTRY_LABEL, &fields].concat());
        let mut out = [0u8; MEMBERSHIP_ENTRY_LEN];
        out[..SIGNED_LEN].copy_from_slice(&fields);
        out[SIGNED_LEN..].copy_from_slice(&signature);
        out
    }

    /// Reads an entry without checking its signature (to learn whose key to check it under).
    /// Fields a change does not use must be zero, so that one entry has one encoding.
    ///
    /// # Errors
    /// [`CryptoError::Malformed`] / [`CryptoError::UnsupportedVersion`] for bytes of another shape.
    pub fn peek(bytes: &[u8]) -> Result<Self, CryptoError> {
        let Some(&version) = bytes.first() else {
            return Err(CryptoError::Malformed("the membership entry is empty"));
        };
        if version != MEMBERSHIP_ENTRY_VERSION {
            return Err(CryptoError::UnsupportedVersion(version));
        }
        let bytes: &[u8; MEMBERSHIP_ENTRY_LEN] = bytes
            .try_into()
            .map_err(|_| CryptoError::Malformed("a membership entry must be exactly 245 bytes"))?;
        let member: [u8; 16] = field(bytes, 78)?;
        let role = bytes[94];
        let change = match bytes[77] {
            1 => Change::Add {
                member,
                role,
                identity: IdentityPublic::from_bytes(&bytes[95..176])?,
            },
            2 => Change::Role { member, role },
            3 => Change::Remove { member },
            4 => Change::Epoch {
                compartment: bytes[176],
                epoch: u32::from_be_bytes(field(bytes, 177)?),
            },
            _ => return Err(CryptoError::Malformed("an unknown membership change")),
        };
        let entry = MembershipEntry {
            org: field(bytes, 1)?,
            seq: u32::from_be_bytes(field(bytes, 17)?),
            prev: field(bytes, 21)?,
            signer: field(bytes, 53)?,
            at_ms: u64::from_be_bytes(field(bytes, 69)?),
            change,
        };
        if entry.signed_fields()[..] != bytes[..SIGNED_LEN] {
            return Err(CryptoError::Malformed(
                "a membership entry with bytes its change does not use",
            ));
        }
        Ok(entry)
    }

    /// Parses an entry and checks its signature under the signer's identity key (strict Ed25519).
    ///
    /// # Errors
    /// As [`MembershipEntry::peek`]; [`CryptoError::BadSignature`] if `signer` did not sign
    /// exactly these bytes.
    pub fn verify(bytes: &[u8], signer: &VerifyingKey) -> Result<Self, CryptoError> {
        let entry = Self::peek(bytes)?;
        let signature: [u8; 64] = field(bytes, SIGNED_LEN)?;
        signer.verify_strict(&[ENTRY_LABEL, &bytes[..SIGNED_LEN]].concat(), &signature)?;
        Ok(entry)
    }

    /// What the next entry names as `prev`: SHA-256 of `stint-membership-hash-v1 ‖ the entry's
    /// bytes` (signature included, so a re-signed entry is another entry).
    pub fn hash(bytes: &[u8]) -> [u8; 32] {
        let mut hash = Sha256::new();
        hash.update(HASH_LABEL);
        hash.update(bytes);
        hash.finalize().into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{IdentityKeys, SealSecretKey};

    fn identity(seed: u8) -> IdentityKeys {
        IdentityKeys {
            signing: SigningKey::from_bytes([seed; 32]),
            sealing: SealSecretKey::from_bytes([seed.wrapping_add(1); 32]),
        }
    }

    fn entries() -> Vec<MembershipEntry> {
        let owner = identity(1);
        let mia = identity(3);
        let base = |seq, change| MembershipEntry {
            org: [9; 16],
            seq,
            prev: [seq as u8; 32],
            signer: [6; 16],
            at_ms: 1_796_083_200_000,
            change,
        };
        vec![
            base(
                1,
                Change::Add {
                    member: [6; 16],
                    role: 1,
                    identity: owner.public([6; 16]),
                },
            ),
            base(
                2,
                Change::Add {
                    member: [5; 16],
                    role: 3,
                    identity: mia.public([5; 16]),
                },
            ),
            base(
                3,
                Change::Role {
                    member: [5; 16],
                    role: 2,
                },
            ),
            base(4, Change::Remove { member: [5; 16] }),
            base(
                5,
                Change::Epoch {
                    compartment: 2,
                    epoch: 2,
                },
            ),
        ]
    }

    #[test]
    fn every_change_reads_back_as_signed() {
        let owner = identity(1);
        for entry in entries() {
            let bytes = entry.sign(&owner.signing);
            assert_eq!(bytes.len(), MEMBERSHIP_ENTRY_LEN);
            let read = MembershipEntry::verify(&bytes, &owner.signing.verifying_key()).unwrap();
            assert_eq!(read, entry);
            assert!(matches!(
                MembershipEntry::verify(&bytes, &identity(3).signing.verifying_key()),
                Err(CryptoError::BadSignature)
            ));
        }
    }

    #[test]
    fn every_changed_byte_is_caught_and_changes_the_hash() {
        let owner = identity(1);
        let key = owner.signing.verifying_key();
        for entry in entries() {
            let bytes = entry.sign(&owner.signing);
            let hash = MembershipEntry::hash(&bytes);
            for at in 0..MEMBERSHIP_ENTRY_LEN {
                let mut changed = bytes;
                changed[at] ^= 0x01;
                assert!(
                    MembershipEntry::verify(&changed, &key).is_err(),
                    "a flipped bit at {at} was accepted"
                );
                assert_ne!(MembershipEntry::hash(&changed), hash);
            }
        }
    }

    #[test]
    fn bytes_a_change_does_not_use_must_be_zero() {
        let owner = identity(1);
        let entries = entries();
        // A removal with a role byte set: one entry, two encodings, refused.
        let mut bytes = entries[3].sign(&owner.signing);
        bytes[94] = 2;
        assert!(MembershipEntry::peek(&bytes).is_err());
        assert!(MembershipEntry::peek(&bytes[..MEMBERSHIP_ENTRY_LEN - 1]).is_err());
        let mut unknown = entries[3].sign(&owner.signing);
        unknown[77] = 9;
        assert!(MembershipEntry::peek(&unknown).is_err());
    }
}
