//! Stint's cryptography: the byte formats that leave a device and the keys that protect them.
//!
//! Every format here is versioned by a leading byte, described byte by byte in `docs/formats.md`,
//! and pinned by a committed test vector under `crates/crypto/tests/vectors/`.
//!
//! - [`seal_record`] / [`open_record`] / [`EnvelopeRef`]: a record envelope: a fixed plaintext
//!   [`Header`], an XChaCha20-Poly1305 ciphertext under the compartment key with the header as
//!   associated data, and an Ed25519 signature by the author device.
//! - [`wrap_key`] / [`unwrap_key`] (and the signing-key variants): a key encrypted under another key,
//!   bound to a caller-chosen context.
//! - [`seal_key`] / [`open_sealed_key`]: a key sealed to a recipient's X25519 public key.
//! - [`PassphraseParams`]: Argon2id derivation of a key from a passphrase.
//! - [`RecoveryKey`], [`IdentityKeys`], [`DeviceCertificate`], [`DeviceRevocation`]: a person's
//!   keys across devices; the account key wrapped under the recovery key ([`wrap_account_key`]).
//! - [`seal_device_label`] / [`open_device_label`]: a device's name, readable by the account's
//!   devices only.
//! - [`seal_row`] / [`verify_row_seal`] / [`verify_row_columns`]: the vault's device-local seal of a
//!   stored row (its plaintext columns and its envelope's signature).
//!
//! No primitive is implemented here: the RustCrypto and dalek crates do the cryptography, this crate
//! only fixes how their inputs and outputs are laid out.
//!
//! Secret key types zeroize on drop, are not `Clone`, not `Serialize`, and print as `<redacted>`.
//!
//! ```
//! use stint_crypto::{Header, SigningKey, SymmetricKey, open_record, seal_record};
//!
//! let compartment_key = SymmetricKey::generate();
//! let device = SigningKey::generate();
//! let header = Header {
//!     org: [1; 16],
//!     record: [2; 16],
//!     kind: 3,
//!     compartment: 0,
//!     epoch: 1,
//!     author_user: [4; 16],
//!     author_device: [5; 16],
//!     hlc: 42,
//!     tombstone: false,
//!     owner: [0; 16],
//!     log: 0,
//! };
//! let envelope = seal_record(&header, b"2h design review", &compartment_key, &device);
//! let (opened, plaintext) = open_record(&envelope, &compartment_key, &device.verifying_key())?;
//! assert_eq!(opened, header);
//! assert_eq!(plaintext.as_slice(), b"2h design review");
//! # Ok::<(), stint_crypto::CryptoError>(())
//! ```

#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod aead;
mod delivery;
mod device_label;
mod enrolment;
mod envelope;
mod error;
mod identity;
mod keys;
mod membership;
mod passphrase;
mod row_seal;
mod seal;
mod secret;
mod wrap;

pub use delivery::{KEY_DELIVERY_LEN, KEY_DELIVERY_VERSION, KeyDelivery};
pub use device_label::{
    MAX_DEVICE_NAME_CHARS, open_device_label, seal_device_label, seal_device_label_with_nonce,
};
pub use enrolment::{
    ENROLMENT_ANSWER_LEN, ENROLMENT_REQUEST_LEN, ENROLMENT_VERSION, EnrolmentCode,
    EnrolmentRequest, NAMEPLATES, PendingEnrolment, SPAKE2_MESSAGE_LEN, answer_enrolment,
    open_answer, request_enrolment, seal_answer,
};
pub use envelope::{
    ENVELOPE_MIN_LEN, ENVELOPE_VERSION, ENVELOPE_VERSION_1, EnvelopeRef, HEADER_LEN, HEADER_V1_LEN,
    Header, NONCE_LEN, SIGNATURE_LEN, TAG_LEN, open_record, seal_record, seal_record_v1_with_nonce,
    seal_record_with_nonce, verify_envelopes,
};
pub use error::CryptoError;
pub use identity::{
    DEVICE_CERTIFICATE_LEN, DEVICE_CERTIFICATE_VERSION, DEVICE_REVOCATION_LEN,
    DEVICE_REVOCATION_VERSION, DeviceCertificate, DeviceRevocation, IDENTITY_KEYS_LEN,
    IDENTITY_KEYS_VERSION, IDENTITY_PUBLIC_LEN, IDENTITY_PUBLIC_VERSION, IdentityKeys,
    IdentityPublic, RECOVERY_KEY_CHARS, RECOVERY_KEY_LEN, RecoveryKey, org_key_seal_context,
    unwrap_account_key, wrap_account_key, wrap_account_key_with_nonce,
};
pub use keys::{KEY_LEN, SigningKey, SymmetricKey, VerifyingKey};
pub use membership::{
    Change as MembershipChange, MEMBERSHIP_ENTRY_LEN, MEMBERSHIP_ENTRY_VERSION, MembershipEntry,
};
pub use passphrase::{PASSPHRASE_PARAMS_LEN, PASSPHRASE_PARAMS_VERSION, PassphraseParams};
pub use row_seal::{
    ROW_SEAL_LEN, ROW_SEAL_V1_LEN, ROW_SEAL_VERSION, RowColumns, row_seal_version, seal_row,
    seal_row_v1, verify_row_columns, verify_row_seal, verify_row_seal_v1,
};
pub use seal::{
    SEALED_KEY_LEN, SEALED_KEY_VERSION, SealPublicKey, SealSecretKey, open_sealed_key, seal_key,
    seal_key_with,
};
pub use secret::{
    MAX_SECRET_LEN, SEALED_SECRET_VERSION, open_secret, seal_secret, seal_secret_with_nonce,
};
pub use wrap::{
    WRAPPED_KEY_LEN, WRAPPED_KEY_VERSION, unwrap_key, unwrap_signing_key, wrap_key,
    wrap_key_with_nonce, wrap_signing_key, wrap_signing_key_with_nonce,
};
pub use zeroize::Zeroizing;

/// `N` bytes of `bytes` from `at`: a fixed-layout field, or `Malformed` if the bytes end first
/// (parsers check lengths before, so that never happens; no parser panics either way).
pub(crate) fn field<const N: usize>(bytes: &[u8], at: usize) -> Result<[u8; N], CryptoError> {
    bytes
        .get(at..at + N)
        .and_then(|f| <[u8; N]>::try_from(f).ok())
        .ok_or(CryptoError::Malformed("a field past the end of its bytes"))
}

/// Fills `buf` with bytes from the operating system's random number generator.
///
/// Use it for anything that must be unguessable (recovery keys, tokens, salts).
///
/// # Errors
/// [`CryptoError::Randomness`] if the operating system cannot provide random bytes.
pub fn fill_random(buf: &mut [u8]) -> Result<(), CryptoError> {
    getrandom::fill(buf).map_err(|_| CryptoError::Randomness)
}

/// Random bytes for nonces, salts and fresh keys inside infallible constructors.
///
/// # Panics
/// If the operating system's random number generator fails. Continuing without randomness
/// would silently produce guessable keys or repeated nonces, so stopping is the only safe choice.
pub(crate) fn random_array<const N: usize>() -> [u8; N] {
    let mut out = [0u8; N];
    fill_os_random(&mut out);
    out
}

/// Like [`random_array`], but fills a caller's buffer (so secrets are written in place).
///
/// # Panics
/// If the operating system's random number generator fails (see [`random_array`]).
pub(crate) fn fill_os_random(buf: &mut [u8]) {
    if let Err(err) = getrandom::fill(buf) {
        panic!("the operating system's random number generator failed: {err}");
    }
}
