//! The vault's row seal: a device-local MAC that ties a stored row's plaintext columns to its
//! envelope, so that a change on disk is caught at unlock without an Ed25519 check per record.
//!
//! ```text
//! version u8 (= 2) | columns_tag (16) | row_tag (32)
//! columns_tag = HMAC-SHA256(key, "stint-row-columns-v2" || org || id || kind u16 BE || hlc u64 BE)[..16]
//! row_tag     = HMAC-SHA256(key, "stint-row-v2" || org || id || kind u16 BE || hlc u64 BE
//!                                || columns_tag || signature)
//! ```
//!
//! `row_tag` binds every column the vault keeps in the clear (organization, id, kind, HLC) and the
//! seal's own columns tag to the envelope's signature, which the AEAD tag and the signature tie to
//! every other envelope byte: one MAC per row read catches any changed byte of the row.
//! `columns_tag` binds the columns alone: it is what unlock checks for rows it does not read (large
//! attachments), so that changing a record's kind to one unlock skips cannot hide it.
//!
//! Format 1 (32 bytes, no version byte) was `HMAC-SHA256(key, "stint-row-v1" || org || id ||
//! signature)`; it is only ever checked, to upgrade a row to format 2.

use hmac::Mac;

use crate::SymmetricKey;
use crate::envelope::SIGNATURE_LEN;

/// Format version written in the first byte of a row seal.
pub const ROW_SEAL_VERSION: u8 = 2;
/// Length of a row seal (format 2).
pub const ROW_SEAL_LEN: usize = 1 + COLUMNS_TAG_LEN + 32;
/// Length of a format 1 row seal (a bare HMAC-SHA256, without a version byte).
pub const ROW_SEAL_V1_LEN: usize = 32;

const COLUMNS_TAG_LEN: usize = 16;
const LABEL_V1: &[u8] = b"stint-row-v1";
const LABEL_COLUMNS: &[u8] = b"stint-row-columns-v2";
const LABEL_ROW: &[u8] = b"stint-row-v2";

/// The plaintext columns of a stored record row, as the seal binds them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RowColumns {
    /// Organization id.
    pub org: [u8; 16],
    /// Record id.
    pub id: [u8; 16],
    /// Record kind.
    pub kind: u16,
    /// Hybrid logical clock of the stored version.
    pub hlc: u64,
}

impl RowColumns {
    /// `org || id || kind u16 BE || hlc u64 BE`: fixed lengths, so the concatenation is unambiguous.
    fn bytes(&self) -> [u8; 42] {
        let mut b = [0u8; 42];
        b[..16].copy_from_slice(&self.org);
        b[16..32].copy_from_slice(&self.id);
        b[32..34].copy_from_slice(&self.kind.to_be_bytes());
        b[34..].copy_from_slice(&self.hlc.to_be_bytes());
        b
    }
}

/// Which format a stored seal is in: `Some(2)`, `Some(1)` (a bare 32-byte MAC), or `None` for
/// anything else.
pub fn row_seal_version(seal: &[u8]) -> Option<u8> {
    match (seal.len(), seal.first()) {
        (ROW_SEAL_LEN, Some(&ROW_SEAL_VERSION)) => Some(ROW_SEAL_VERSION),
        (ROW_SEAL_V1_LEN, _) => Some(1),
        _ => None,
    }
}

/// Seals a row (format 2).
pub fn seal_row(
    key: &SymmetricKey,
    row: &RowColumns,
    signature: &[u8; SIGNATURE_LEN],
) -> [u8; ROW_SEAL_LEN] {
    let columns = row.bytes();
    let mut seal = [0u8; ROW_SEAL_LEN];
    seal[0] = ROW_SEAL_VERSION;
    let columns_tag = key.mac(&[LABEL_COLUMNS, &columns]);
    let columns_tag = &columns_tag[..COLUMNS_TAG_LEN];
    seal[1..1 + COLUMNS_TAG_LEN].copy_from_slice(columns_tag);
    let row_tag = key.mac(&[LABEL_ROW, &columns, columns_tag, signature]);
    seal[1 + COLUMNS_TAG_LEN..].copy_from_slice(&row_tag);
    seal
}

/// Checks a format 2 seal against the row's columns and its envelope's signature (constant time):
/// one MAC, which covers the seal's columns tag too. `false` for a seal of any other format.
pub fn verify_row_seal(
    key: &SymmetricKey,
    row: &RowColumns,
    signature: &[u8; SIGNATURE_LEN],
    seal: &[u8],
) -> bool {
    row_seal_version(seal) == Some(ROW_SEAL_VERSION)
        && key.verify_mac(
            &[
                LABEL_ROW,
                &row.bytes(),
                &seal[1..1 + COLUMNS_TAG_LEN],
                signature,
            ],
            &seal[1 + COLUMNS_TAG_LEN..],
        )
}

/// Checks only the columns part of a format 2 seal (for rows whose envelope is not read). `false`
/// for a seal of any other format.
pub fn verify_row_columns(key: &SymmetricKey, row: &RowColumns, seal: &[u8]) -> bool {
    row_seal_version(seal) == Some(ROW_SEAL_VERSION)
        && key
            .hmac(&[LABEL_COLUMNS, &row.bytes()])
            .verify_truncated_left(&seal[1..1 + COLUMNS_TAG_LEN])
            .is_ok()
}

/// Checks a format 1 seal: `HMAC-SHA256(key, "stint-row-v1" || org || id || signature)`, where
/// `org` is the organization in the envelope's header. Only for upgrading rows to format 2.
pub fn verify_row_seal_v1(
    key: &SymmetricKey,
    org: &[u8],
    id: &[u8],
    signature: &[u8; SIGNATURE_LEN],
    seal: &[u8],
) -> bool {
    seal.len() == ROW_SEAL_V1_LEN && key.verify_mac(&[LABEL_V1, org, id, signature], seal)
}

/// Test-vector helper: a format 1 seal, as vaults wrote them before format 2. Never write one.
#[doc(hidden)]
pub fn seal_row_v1(
    key: &SymmetricKey,
    org: &[u8; 16],
    id: &[u8; 16],
    signature: &[u8; SIGNATURE_LEN],
) -> [u8; ROW_SEAL_V1_LEN] {
    key.mac(&[LABEL_V1, org, id, signature])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row() -> RowColumns {
        RowColumns {
            org: [1; 16],
            id: [2; 16],
            kind: 9,
            hlc: 0x0001_8f3a_5c2e_0001,
        }
    }

    #[test]
    fn a_seal_verifies_and_any_changed_column_or_signature_fails() {
        let key = SymmetricKey::from_bytes([7; 32]);
        let signature = [3u8; SIGNATURE_LEN];
        let seal = seal_row(&key, &row(), &signature);
        assert_eq!(seal.len(), ROW_SEAL_LEN);
        assert_eq!(seal[0], ROW_SEAL_VERSION);
        assert_eq!(row_seal_version(&seal), Some(2));
        assert!(verify_row_seal(&key, &row(), &signature, &seal));
        assert!(verify_row_columns(&key, &row(), &seal));

        let changed = [
            RowColumns {
                org: [9; 16],
                ..row()
            },
            RowColumns {
                id: [9; 16],
                ..row()
            },
            RowColumns { kind: 11, ..row() },
            RowColumns {
                hlc: row().hlc - 1,
                ..row()
            },
        ];
        for other in changed {
            assert!(
                !verify_row_seal(&key, &other, &signature, &seal),
                "{other:?}"
            );
            assert!(!verify_row_columns(&key, &other, &seal), "{other:?}");
        }
        let mut other_signature = signature;
        other_signature[63] ^= 1;
        assert!(!verify_row_seal(&key, &row(), &other_signature, &seal));
        assert!(!verify_row_seal(
            &SymmetricKey::from_bytes([8; 32]),
            &row(),
            &signature,
            &seal
        ));
        for i in 0..seal.len() * 8 {
            let mut bad = seal;
            bad[i / 8] ^= 1 << (i % 8);
            // The full check catches every bit; the columns check every bit it reads.
            assert!(!verify_row_seal(&key, &row(), &signature, &bad), "bit {i}");
            if i < 8 * (1 + COLUMNS_TAG_LEN) {
                assert!(!verify_row_columns(&key, &row(), &bad), "bit {i}");
            }
        }
        assert!(!verify_row_seal(&key, &row(), &signature, &seal[..48]));
        assert!(!verify_row_columns(&key, &row(), &[]));
    }

    #[test]
    fn format_1_seals_are_recognised_only_as_format_1() {
        let key = SymmetricKey::from_bytes([7; 32]);
        let signature = [3u8; SIGNATURE_LEN];
        let old = seal_row_v1(&key, &row().org, &row().id, &signature);
        assert_eq!(row_seal_version(&old), Some(1));
        assert!(verify_row_seal_v1(
            &key,
            &row().org,
            &row().id,
            &signature,
            &old
        ));
        assert!(!verify_row_seal_v1(
            &key,
            &row().org,
            &[5; 16],
            &signature,
            &old
        ));
        assert!(!verify_row_seal(&key, &row(), &signature, &old));
        assert!(!verify_row_columns(&key, &row(), &old));
        assert_eq!(row_seal_version(&[2; 33]), None);
        assert_eq!(row_seal_version(&[3; ROW_SEAL_LEN]), None);
    }
}
