//! A person's keys across devices (SECURITY.md, "Key hierarchy"; byte layouts in docs/formats.md,
//! "Identity"):
//!
//! - the **recovery key**: 128 random bits the person keeps on paper ([`RecoveryKey`]); the server
//!   holds the account key only wrapped under a key derived from it ([`wrap_account_key`]);
//! - the **account key**: 32 random bytes (a [`SymmetricKey`]) wrapping the identity keys;
//! - the **identity keys** ([`IdentityKeys`]): Ed25519 to sign device certificates and revocations,
//!   X25519 so that organization keys can be sealed to the person;
//! - a **device certificate** ([`DeviceCertificate`]): the identity key's signature over a device's
//!   id and public keys. The server stores certificates and checks pushes against them, but cannot
//!   make one; a device's records count only under a certificate its author's identity signed;
//! - a **device revocation** ([`DeviceRevocation`]): signed the same way, so a server can hide a
//!   revocation but never invent one.
//!
//! Nothing here reaches the network by itself; the vault and the sync client decide what travels.

use std::fmt;

use data_encoding::{Encoding, Specification};
use hkdf::Hkdf;
use sha2::{Digest, Sha256};
use zeroize::{Zeroize, Zeroizing};

use crate::envelope::NONCE_LEN;
use crate::wrap::{WRAPPED_KEY_LEN, unwrap_bytes, wrap_bytes};
use crate::{CryptoError, SealPublicKey, SealSecretKey, SigningKey, SymmetricKey, VerifyingKey};

/// Length of a recovery key's secret: 128 bits.
pub const RECOVERY_KEY_LEN: usize = 16;
/// Characters of a recovery key's text form, hyphens aside: 160 bits (secret and a 32-bit check)
/// in Crockford base 32.
pub const RECOVERY_KEY_CHARS: usize = 32;

const RECOVERY_CHECK_LABEL: &[u8] = b"stint-recovery-check-v1";
const RECOVERY_KEK_INFO: &[u8] = b"stint-recovery-kek-v1";
const ACCOUNT_KEY_CONTEXT: &[u8] = b"stint-account-key-v1";
const IDENTITY_SIGNING_CONTEXT: &[u8] = b"stint-identity-signing-v1";
const IDENTITY_SEALING_CONTEXT: &[u8] = b"stint-identity-sealing-v1";
const CERTIFICATE_LABEL: &[u8] = b"stint-device-certificate-v1";
const REVOCATION_LABEL: &[u8] = b"stint-device-revocation-v1";
const IDENTITY_FINGERPRINT_LABEL: &[u8] = b"stint-identity-fingerprint-v1";
const DEVICE_FINGERPRINT_LABEL: &[u8] = b"stint-device-fingerprint-v1";

/// Crockford's base 32: no I, L, O or U; lower case, I, L and O are read as their look-alikes;
/// hyphens and spaces are ignored.
pub(crate) fn crockford() -> Encoding {
    let mut spec = Specification::new();
    spec.symbols.push_str("0123456789ABCDEFGHJKMNPQRSTVWXYZ");
    spec.translate.from.push_str("abcdefghjkmnpqrstvwxyzOoIiLl");
    spec.translate.to.push_str("ABCDEFGHJKMNPQRSTVWXYZ001111");
    spec.ignore.push_str("- ");
    spec.encoding().expect("a valid base 32 specification")
}

fn sha256(parts: &[&[u8]]) -> [u8; 32] {
    let mut hash = Sha256::new();
    for part in parts {
        hash.update(part);
    }
    hash.finalize().into()
}

// ---------------------------------------------------------------------------------------------
// Recovery key and account key
// ---------------------------------------------------------------------------------------------

/// The person's recovery key: 128 random bits, shown once as a recovery kit.
///
/// Its text form is 32 characters of Crockford base 32 in eight groups of four
/// (`7GQ4-…`): the secret and a 32-bit check, so a typo is caught before anything is fetched or
/// written. Wiped on drop; not `Clone`; `Debug` prints `RecoveryKey(<redacted>)`.
pub struct RecoveryKey([u8; RECOVERY_KEY_LEN]);

impl RecoveryKey {
    /// A fresh key from the operating system's random number generator.
    ///
    /// # Panics
    /// If the operating system's random number generator fails.
    pub fn generate() -> Self {
        let mut key = RecoveryKey([0; RECOVERY_KEY_LEN]);
        crate::fill_os_random(&mut key.0);
        key
    }

    /// Builds the key from its 16 secret bytes (test vectors). The argument's copy is wiped.
    pub fn from_bytes(mut bytes: [u8; RECOVERY_KEY_LEN]) -> Self {
        let key = RecoveryKey(bytes);
        bytes.zeroize();
        key
    }

    fn check(secret: &[u8; RECOVERY_KEY_LEN]) -> [u8; 4] {
        let digest = sha256(&[RECOVERY_CHECK_LABEL, secret]);
        [digest[0], digest[1], digest[2], digest[3]]
    }

    /// The text the person writes down: `XXXX-XXXX-XXXX-XXXX-XXXX-XXXX-XXXX-XXXX`.
    pub fn to_text(&self) -> Zeroizing<String> {
        let mut raw = Zeroizing::new([0u8; RECOVERY_KEY_LEN + 4]);
        raw[..RECOVERY_KEY_LEN].copy_from_slice(&self.0);
        raw[RECOVERY_KEY_LEN..].copy_from_slice(&Self::check(&self.0));
        let plain = Zeroizing::new(crockford().encode(raw.as_slice()));
        let mut text = Zeroizing::new(String::with_capacity(RECOVERY_KEY_CHARS + 7));
        for (i, c) in plain.chars().enumerate() {
            if i > 0 && i % 4 == 0 {
                text.push('-');
            }
            text.push(c);
        }
        text
    }

    /// Reads a recovery key as typed: case, hyphens and spaces do not matter, and O, I and L are
    /// read as 0, 1 and 1.
    ///
    /// # Errors
    /// [`CryptoError::Malformed`] if it is not 32 base-32 characters, or if its check does not
    /// match (a typo).
    pub fn from_text(text: &str) -> Result<Self, CryptoError> {
        let mut raw = Zeroizing::new(crockford().decode(text.trim().as_bytes()).map_err(|_| {
            CryptoError::Malformed("a recovery key is 32 letters and digits, in groups of four")
        })?);
        if raw.len() != RECOVERY_KEY_LEN + 4 {
            raw.zeroize();
            return Err(CryptoError::Malformed(
                "a recovery key is 32 letters and digits, in groups of four",
            ));
        }
        let mut secret = [0u8; RECOVERY_KEY_LEN];
        secret.copy_from_slice(&raw[..RECOVERY_KEY_LEN]);
        let key = RecoveryKey::from_bytes(secret);
        if !bool::from(subtle::ConstantTimeEq::ct_eq(
            &Self::check(&key.0)[..],
            &raw[RECOVERY_KEY_LEN..],
        )) {
            return Err(CryptoError::Malformed(
                "the recovery key has a typo: check each group against your recovery kit",
            ));
        }
        Ok(key)
    }

    /// The key that wraps the account key: HKDF-SHA256 (no salt) of the secret, info
    /// `stint-recovery-kek-v1`. The secret is 128 random bits, so no password hashing is needed.
    pub fn kek(&self) -> SymmetricKey {
        let mut out = Zeroizing::new([0u8; 32]);
        Hkdf::<Sha256>::new(None, &self.0)
            .expand(RECOVERY_KEK_INFO, out.as_mut_slice())
            .expect("32 bytes is a valid HKDF-SHA256 length");
        SymmetricKey::from_array_ref(&out)
    }
}

impl Drop for RecoveryKey {
    fn drop(&mut self) {
        self.0.zeroize();
    }
}

impl fmt::Debug for RecoveryKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("RecoveryKey(<redacted>)")
    }
}

fn account_context(user: &[u8; 16]) -> Vec<u8> {
    [ACCOUNT_KEY_CONTEXT, user].concat()
}

/// The account key wrapped under the recovery key, for the server to keep (a wrapped key, 73 bytes,
/// context `stint-account-key-v1 ‖ user`).
///
/// # Panics
/// If the operating system's random number generator fails.
pub fn wrap_account_key(
    recovery: &RecoveryKey,
    account_key: &SymmetricKey,
    user: &[u8; 16],
) -> Vec<u8> {
    wrap_account_key_with_nonce(recovery, account_key, user, crate::random_array())
}

/// Test-vector helper: [`wrap_account_key`] with a caller-chosen nonce. Never use it outside tests.
#[doc(hidden)]
pub fn wrap_account_key_with_nonce(
    recovery: &RecoveryKey,
    account_key: &SymmetricKey,
    user: &[u8; 16],
    nonce: [u8; NONCE_LEN],
) -> Vec<u8> {
    wrap_bytes(
        &recovery.kek(),
        account_key.expose_secret(),
        &account_context(user),
        nonce,
    )
}

/// Opens what [`wrap_account_key`] made, for `user`.
///
/// # Errors
/// [`CryptoError::Decryption`] if the recovery key is not this account's (or the bytes, or the
/// user they name, were changed); [`CryptoError::Malformed`] / [`CryptoError::UnsupportedVersion`]
/// for bytes that are not a wrapped key.
pub fn unwrap_account_key(
    recovery: &RecoveryKey,
    wrapped: &[u8],
    user: &[u8; 16],
) -> Result<SymmetricKey, CryptoError> {
    let secret = unwrap_bytes(&recovery.kek(), wrapped, &account_context(user))?;
    Ok(SymmetricKey::from_array_ref(&secret))
}

// ---------------------------------------------------------------------------------------------
// Identity keys
// ---------------------------------------------------------------------------------------------

/// Format version of wrapped identity keys.
pub const IDENTITY_KEYS_VERSION: u8 = 1;
/// Length of wrapped identity keys: version, user, two wrapped keys.
pub const IDENTITY_KEYS_LEN: usize = 1 + 16 + 2 * WRAPPED_KEY_LEN;
/// Format version of a published identity.
pub const IDENTITY_PUBLIC_VERSION: u8 = 1;
/// Length of a published identity: version, user, Ed25519 and X25519 public keys.
pub const IDENTITY_PUBLIC_LEN: usize = 1 + 16 + 32 + 32;

/// A person's identity keys: Ed25519 to certify devices, X25519 to receive organization keys.
/// Both wipe on drop.
#[derive(Debug)]
pub struct IdentityKeys {
    /// Signs device certificates and revocations.
    pub signing: SigningKey,
    /// Organization keys are sealed to its public half.
    pub sealing: SealSecretKey,
}

/// The public half of a person's identity, as published: who, and their two public keys.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct IdentityPublic {
    /// The account's id.
    pub user: [u8; 16],
    /// Checks device certificates and revocations.
    pub signing: VerifyingKey,
    /// Organization keys are sealed to it.
    pub sealing: SealPublicKey,
}

fn identity_context(label: &[u8], user: &[u8; 16]) -> Vec<u8> {
    [label, user].concat()
}

impl IdentityKeys {
    /// Fresh keys from the operating system's random number generator.
    ///
    /// # Panics
    /// If the operating system's random number generator fails.
    pub fn generate() -> Self {
        IdentityKeys {
            signing: SigningKey::generate(),
            sealing: SealSecretKey::generate(),
        }
    }

    /// The published half, for `user`.
    pub fn public(&self, user: [u8; 16]) -> IdentityPublic {
        IdentityPublic {
            user,
            signing: self.signing.verifying_key(),
            sealing: self.sealing.public_key(),
        }
    }

    /// Both secret keys wrapped under the account key, bound to `user`:
    /// `version (1) ‖ user (16) ‖ wrapped signing seed (73) ‖ wrapped X25519 secret (73)`.
    ///
    /// # Panics
    /// If the operating system's random number generator fails.
    pub fn wrap(&self, account_key: &SymmetricKey, user: &[u8; 16]) -> Vec<u8> {
        self.wrap_with_nonces(
            account_key,
            user,
            crate::random_array(),
            crate::random_array(),
        )
    }

    /// Test-vector helper: [`IdentityKeys::wrap`] with caller-chosen nonces. Never use it outside
    /// tests.
    #[doc(hidden)]
    pub fn wrap_with_nonces(
        &self,
        account_key: &SymmetricKey,
        user: &[u8; 16],
        signing_nonce: [u8; NONCE_LEN],
        sealing_nonce: [u8; NONCE_LEN],
    ) -> Vec<u8> {
        let mut out = Vec::with_capacity(IDENTITY_KEYS_LEN);
        out.push(IDENTITY_KEYS_VERSION);
        out.extend_from_slice(user);
        out.extend_from_slice(&wrap_bytes(
            account_key,
            self.signing.expose_secret(),
            &identity_context(IDENTITY_SIGNING_CONTEXT, user),
            signing_nonce,
        ));
        out.extend_from_slice(&wrap_bytes(
            account_key,
            self.sealing.expose_secret(),
            &identity_context(IDENTITY_SEALING_CONTEXT, user),
            sealing_nonce,
        ));
        out
    }

    /// Opens what [`IdentityKeys::wrap`] made, for `user`.
    ///
    /// # Errors
    /// [`CryptoError::Malformed`] / [`CryptoError::UnsupportedVersion`] for bytes of another shape
    /// or for another user; [`CryptoError::Decryption`] for a wrong account key or changed bytes.
    pub fn unwrap(
        account_key: &SymmetricKey,
        wrapped: &[u8],
        user: &[u8; 16],
    ) -> Result<IdentityKeys, CryptoError> {
        let Some(&version) = wrapped.first() else {
            return Err(CryptoError::Malformed("the identity keys are empty"));
        };
        if version != IDENTITY_KEYS_VERSION {
            return Err(CryptoError::UnsupportedVersion(version));
        }
        if wrapped.len() != IDENTITY_KEYS_LEN {
            return Err(CryptoError::Malformed(
                "wrapped identity keys must be exactly 163 bytes",
            ));
        }
        if &wrapped[1..17] != user {
            return Err(CryptoError::Malformed(
                "the identity keys belong to another account",
            ));
        }
        let signing = unwrap_bytes(
            account_key,
            &wrapped[17..17 + WRAPPED_KEY_LEN],
            &identity_context(IDENTITY_SIGNING_CONTEXT, user),
        )?;
        let sealing = unwrap_bytes(
            account_key,
            &wrapped[17 + WRAPPED_KEY_LEN..],
            &identity_context(IDENTITY_SEALING_CONTEXT, user),
        )?;
        Ok(IdentityKeys {
            signing: SigningKey::from_bytes(*signing),
            sealing: SealSecretKey::from_bytes(*sealing),
        })
    }
}

impl IdentityPublic {
    /// `version (1) ‖ user (16) ‖ Ed25519 public key (32) ‖ X25519 public key (32)`.
    pub fn to_bytes(&self) -> [u8; IDENTITY_PUBLIC_LEN] {
        let mut out = [0u8; IDENTITY_PUBLIC_LEN];
        out[0] = IDENTITY_PUBLIC_VERSION;
        out[1..17].copy_from_slice(&self.user);
        out[17..49].copy_from_slice(&self.signing.to_bytes());
        out[49..81].copy_from_slice(&self.sealing.to_bytes());
        out
    }

    /// Parses a published identity.
    ///
    /// # Errors
    /// [`CryptoError::Malformed`] for a wrong length or unusable public keys;
    /// [`CryptoError::UnsupportedVersion`] for an unknown version.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, CryptoError> {
        let Some(&version) = bytes.first() else {
            return Err(CryptoError::Malformed("the identity is empty"));
        };
        if version != IDENTITY_PUBLIC_VERSION {
            return Err(CryptoError::UnsupportedVersion(version));
        }
        let bytes: &[u8; IDENTITY_PUBLIC_LEN] = bytes
            .try_into()
            .map_err(|_| CryptoError::Malformed("a published identity must be exactly 81 bytes"))?;
        Ok(IdentityPublic {
            user: bytes[1..17].try_into().expect("fixed layout"),
            signing: VerifyingKey::from_bytes(bytes[17..49].try_into().expect("fixed layout"))?,
            sealing: SealPublicKey::from_bytes(bytes[49..81].try_into().expect("fixed layout"))?,
        })
    }

    /// Thirty digits in six groups of five, for two people (or one person's two devices) to
    /// compare: SHA-256 of `stint-identity-fingerprint-v1 ‖ the 81 published bytes`.
    pub fn fingerprint(&self) -> String {
        digits(&sha256(&[IDENTITY_FINGERPRINT_LABEL, &self.to_bytes()]))
    }
}

/// Thirty digits in six groups of five from the first 30 bytes of a hash: each group is a
/// big-endian 40-bit number modulo 100,000 (about 99.6 bits in all, as Signal's safety numbers).
fn digits(hash: &[u8; 32]) -> String {
    hash[..30]
        .chunks(5)
        .map(|c| {
            let n = c.iter().fold(0u64, |n, b| (n << 8) | u64::from(*b));
            format!("{:05}", n % 100_000)
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// The context an organization key is sealed under for a member (a sealed key, version 1):
/// `"stint-org-key-sealed-v1" || org (16) || compartment (1) || epoch u32 || member (16)`, so a
/// sealed key cannot be moved to another organization, compartment, epoch or member.
pub fn org_key_seal_context(
    org: &[u8; 16],
    compartment: u8,
    epoch: u32,
    member: &[u8; 16],
) -> Vec<u8> {
    let mut ctx = b"stint-org-key-sealed-v1".to_vec();
    ctx.extend_from_slice(org);
    ctx.push(compartment);
    ctx.extend_from_slice(&epoch.to_be_bytes());
    ctx.extend_from_slice(member);
    ctx
}

// ---------------------------------------------------------------------------------------------
// Device certificates and revocations
// ---------------------------------------------------------------------------------------------

/// Format version of a device certificate.
pub const DEVICE_CERTIFICATE_VERSION: u8 = 1;
/// Length of a device certificate: the signed fields (105 bytes) and an Ed25519 signature.
pub const DEVICE_CERTIFICATE_LEN: usize = 1 + 16 + 16 + 32 + 32 + 8 + 64;
/// Format version of a device revocation.
pub const DEVICE_REVOCATION_VERSION: u8 = 1;
/// Length of a device revocation: the signed fields (41 bytes) and an Ed25519 signature.
pub const DEVICE_REVOCATION_LEN: usize = 1 + 16 + 16 + 8 + 64;

/// What a device certificate says: this device, with these public keys, is this person's.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct DeviceCertificate {
    /// The account the device belongs to.
    pub user: [u8; 16],
    /// The device's id, as its envelopes name it (`author_device`).
    pub device: [u8; 16],
    /// The device's Ed25519 key: it signs the device's envelopes.
    pub signing: VerifyingKey,
    /// The device's X25519 key: the account key is sealed to it at enrolment.
    pub sealing: SealPublicKey,
    /// When it was issued, in Unix milliseconds (by the issuing device's clock; informative).
    pub issued_ms: u64,
}

impl DeviceCertificate {
    fn signed_fields(&self) -> [u8; DEVICE_CERTIFICATE_LEN - 64] {
        let mut out = [0u8; DEVICE_CERTIFICATE_LEN - 64];
        out[0] = DEVICE_CERTIFICATE_VERSION;
        out[1..17].copy_from_slice(&self.user);
        out[17..33].copy_from_slice(&self.device);
        out[33..65].copy_from_slice(&self.signing.to_bytes());
        out[65..97].copy_from_slice(&self.sealing.to_bytes());
        out[97..105].copy_from_slice(&self.issued_ms.to_be_bytes());
        out
    }

    /// The certificate, signed by the identity key: `fields (105) ‖ Ed25519 signature (64)` over
    /// `stint-device-certificate-v1 ‖ fields`.
    pub fn issue(&self, identity: &SigningKey) -> [u8; DEVICE_CERTIFICATE_LEN] {
        let fields = self.signed_fields();
        let signature = identity.sign(&[CERTIFICATE_LABEL, &fields].concat());
        let mut out = [0u8; DEVICE_CERTIFICATE_LEN];
        out[..105].copy_from_slice(&fields);
        out[105..].copy_from_slice(&signature);
        out
    }

    /// Parses a certificate and checks its signature under `identity` (strict Ed25519).
    ///
    /// # Errors
    /// [`CryptoError::Malformed`] / [`CryptoError::UnsupportedVersion`] for bytes of another shape
    /// or unusable keys; [`CryptoError::BadSignature`] if `identity` did not sign exactly these bytes.
    pub fn verify(bytes: &[u8], identity: &VerifyingKey) -> Result<Self, CryptoError> {
        let Some(&version) = bytes.first() else {
            return Err(CryptoError::Malformed("the device certificate is empty"));
        };
        if version != DEVICE_CERTIFICATE_VERSION {
            return Err(CryptoError::UnsupportedVersion(version));
        }
        let bytes: &[u8; DEVICE_CERTIFICATE_LEN] = bytes.try_into().map_err(|_| {
            CryptoError::Malformed("a device certificate must be exactly 169 bytes")
        })?;
        let signature: &[u8; 64] = bytes[105..].try_into().expect("fixed layout");
        identity.verify_strict(&[CERTIFICATE_LABEL, &bytes[..105]].concat(), signature)?;
        Ok(DeviceCertificate {
            user: bytes[1..17].try_into().expect("fixed layout"),
            device: bytes[17..33].try_into().expect("fixed layout"),
            signing: VerifyingKey::from_bytes(bytes[33..65].try_into().expect("fixed layout"))?,
            sealing: SealPublicKey::from_bytes(bytes[65..97].try_into().expect("fixed layout"))?,
            issued_ms: u64::from_be_bytes(bytes[97..105].try_into().expect("fixed layout")),
        })
    }

    /// Thirty digits the new device shows at enrolment and the approving device shows beside the
    /// request, so the person sees that the keys being certified are the new device's: SHA-256 of
    /// `stint-device-fingerprint-v1 ‖ device ‖ Ed25519 key ‖ X25519 key`.
    pub fn fingerprint(
        device: &[u8; 16],
        signing: &VerifyingKey,
        sealing: &SealPublicKey,
    ) -> String {
        digits(&sha256(&[
            DEVICE_FINGERPRINT_LABEL,
            device,
            &signing.to_bytes(),
            &sealing.to_bytes(),
        ]))
    }
}

/// What a device revocation says: this person's device no longer writes for them.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct DeviceRevocation {
    /// The account.
    pub user: [u8; 16],
    /// The revoked device.
    pub device: [u8; 16],
    /// When, in Unix milliseconds (by the revoking device's clock; informative).
    pub revoked_ms: u64,
}

impl DeviceRevocation {
    fn signed_fields(&self) -> [u8; DEVICE_REVOCATION_LEN - 64] {
        let mut out = [0u8; DEVICE_REVOCATION_LEN - 64];
        out[0] = DEVICE_REVOCATION_VERSION;
        out[1..17].copy_from_slice(&self.user);
        out[17..33].copy_from_slice(&self.device);
        out[33..41].copy_from_slice(&self.revoked_ms.to_be_bytes());
        out
    }

    /// The revocation, signed by the identity key: `fields (41) ‖ Ed25519 signature (64)` over
    /// `stint-device-revocation-v1 ‖ fields`.
    pub fn issue(&self, identity: &SigningKey) -> [u8; DEVICE_REVOCATION_LEN] {
        let fields = self.signed_fields();
        let signature = identity.sign(&[REVOCATION_LABEL, &fields].concat());
        let mut out = [0u8; DEVICE_REVOCATION_LEN];
        out[..41].copy_from_slice(&fields);
        out[41..].copy_from_slice(&signature);
        out
    }

    /// Parses a revocation and checks its signature under `identity`.
    ///
    /// # Errors
    /// As [`DeviceCertificate::verify`].
    pub fn verify(bytes: &[u8], identity: &VerifyingKey) -> Result<Self, CryptoError> {
        let Some(&version) = bytes.first() else {
            return Err(CryptoError::Malformed("the device revocation is empty"));
        };
        if version != DEVICE_REVOCATION_VERSION {
            return Err(CryptoError::UnsupportedVersion(version));
        }
        let bytes: &[u8; DEVICE_REVOCATION_LEN] = bytes
            .try_into()
            .map_err(|_| CryptoError::Malformed("a device revocation must be exactly 105 bytes"))?;
        let signature: &[u8; 64] = bytes[41..].try_into().expect("fixed layout");
        identity.verify_strict(&[REVOCATION_LABEL, &bytes[..41]].concat(), signature)?;
        Ok(DeviceRevocation {
            user: bytes[1..17].try_into().expect("fixed layout"),
            device: bytes[17..33].try_into().expect("fixed layout"),
            revoked_ms: u64::from_be_bytes(bytes[33..41].try_into().expect("fixed layout")),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn certificate() -> DeviceCertificate {
        DeviceCertificate {
            user: [1; 16],
            device: [2; 16],
            signing: SigningKey::from_bytes([9; 32]).verifying_key(),
            sealing: SealSecretKey::from_bytes([3; 32]).public_key(),
            issued_ms: 1_796_000_000_000,
        }
    }

    #[test]
    fn a_recovery_key_reads_back_as_typed_and_catches_typos() {
        let key = RecoveryKey::generate();
        let text = key.to_text();
        assert_eq!(text.len(), RECOVERY_KEY_CHARS + 7);
        assert_eq!(text.split('-').count(), 8);
        let again = RecoveryKey::from_text(&text).unwrap();
        assert_eq!(again.0, key.0);
        // Lower case, spaces instead of hyphens, O for 0 and l for 1 all read the same.
        let sloppy = text
            .to_lowercase()
            .replace('-', " ")
            .replace('0', "O")
            .replace('1', "l");
        assert_eq!(RecoveryKey::from_text(&sloppy).unwrap().0, key.0);
        assert_eq!(format!("{key:?}"), "RecoveryKey(<redacted>)");
        for bad in ["", "0000", &format!("{}0", text.as_str())] {
            assert!(matches!(
                RecoveryKey::from_text(bad),
                Err(CryptoError::Malformed(m)) if m.starts_with("a recovery key is 32")
            ));
        }
    }

    proptest! {
        /// Any one character typed wrong is caught by the check (a 2^-32 chance of a miss per
        /// typo in general; none in this test's cases).
        #[test]
        fn one_wrong_character_is_a_typo(secret in any::<[u8; 16]>(), at in 0usize..32, to in 0usize..32) {
            let key = RecoveryKey::from_bytes(secret);
            let text: String = key.to_text().chars().filter(|c| *c != '-').collect();
            let symbols: Vec<char> = "0123456789ABCDEFGHJKMNPQRSTVWXYZ".chars().collect();
            let mut chars: Vec<char> = text.chars().collect();
            prop_assume!(chars[at] != symbols[to]);
            chars[at] = symbols[to];
            let typed: String = chars.into_iter().collect();
            // 32 characters are exactly 160 bits, so every changed character changes the bytes.
            prop_assert!(RecoveryKey::from_text(&typed).is_err());
        }

        #[test]
        fn parsers_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..200)) {
            let identity = SigningKey::from_bytes([5; 32]).verifying_key();
            let _ = DeviceCertificate::verify(&bytes, &identity);
            let _ = DeviceRevocation::verify(&bytes, &identity);
            let _ = IdentityPublic::from_bytes(&bytes);
            let _ = IdentityKeys::unwrap(&SymmetricKey::from_bytes([6; 32]), &bytes, &[1; 16]);
            let _ = RecoveryKey::from_text(&String::from_utf8_lossy(&bytes));
        }
    }

    #[test]
    fn the_account_key_opens_only_with_its_recovery_key_and_user() {
        let recovery = RecoveryKey::generate();
        let account = SymmetricKey::generate();
        let wrapped = wrap_account_key(&recovery, &account, &[1; 16]);
        assert_eq!(
            unwrap_account_key(&recovery, &wrapped, &[1; 16]).unwrap(),
            account
        );
        assert_eq!(
            unwrap_account_key(&RecoveryKey::generate(), &wrapped, &[1; 16]),
            Err(CryptoError::Decryption)
        );
        assert_eq!(
            unwrap_account_key(&recovery, &wrapped, &[2; 16]),
            Err(CryptoError::Decryption)
        );
    }

    #[test]
    fn identity_keys_round_trip_under_the_account_key_only() {
        let keys = IdentityKeys::generate();
        let account = SymmetricKey::generate();
        let wrapped = keys.wrap(&account, &[1; 16]);
        assert_eq!(wrapped.len(), IDENTITY_KEYS_LEN);
        let opened = IdentityKeys::unwrap(&account, &wrapped, &[1; 16]).unwrap();
        assert_eq!(opened.public([1; 16]), keys.public([1; 16]));
        assert_eq!(
            IdentityKeys::unwrap(&SymmetricKey::generate(), &wrapped, &[1; 16]).unwrap_err(),
            CryptoError::Decryption
        );
        assert!(matches!(
            IdentityKeys::unwrap(&account, &wrapped, &[2; 16]),
            Err(CryptoError::Malformed(_))
        ));
        // The two halves cannot be swapped: each is bound to what it is.
        let mut swapped = wrapped.clone();
        swapped[17..].rotate_left(WRAPPED_KEY_LEN);
        assert_eq!(
            IdentityKeys::unwrap(&account, &swapped, &[1; 16]).unwrap_err(),
            CryptoError::Decryption
        );
        let public = keys.public([1; 16]);
        assert_eq!(
            IdentityPublic::from_bytes(&public.to_bytes()).unwrap(),
            public
        );
        let fp = public.fingerprint();
        assert_eq!(fp.len(), 35);
        assert!(
            fp.split(' ')
                .all(|g| g.len() == 5 && g.bytes().all(|b| b.is_ascii_digit()))
        );
    }

    #[test]
    fn a_certificate_verifies_only_under_its_identity_and_unchanged() {
        let identity = IdentityKeys::generate();
        let cert = certificate();
        let bytes = cert.issue(&identity.signing);
        let verifying = identity.signing.verifying_key();
        assert_eq!(DeviceCertificate::verify(&bytes, &verifying).unwrap(), cert);
        assert_eq!(
            DeviceCertificate::verify(&bytes, &IdentityKeys::generate().signing.verifying_key()),
            Err(CryptoError::BadSignature)
        );
        for i in 0..bytes.len() {
            let mut flipped = bytes;
            flipped[i] ^= 0x01;
            assert!(
                DeviceCertificate::verify(&flipped, &verifying).is_err(),
                "byte {i}"
            );
        }
        // A revocation's signature does not make a certificate, nor the reverse.
        let revocation = DeviceRevocation {
            user: cert.user,
            device: cert.device,
            revoked_ms: 1,
        };
        let revoked = revocation.issue(&identity.signing);
        assert_eq!(
            DeviceRevocation::verify(&revoked, &verifying).unwrap(),
            revocation
        );
        for i in 0..revoked.len() {
            let mut flipped = revoked;
            flipped[i] ^= 0x80;
            assert!(
                DeviceRevocation::verify(&flipped, &verifying).is_err(),
                "byte {i}"
            );
        }
        assert!(DeviceCertificate::verify(&revoked, &verifying).is_err());
        assert!(DeviceRevocation::verify(&bytes, &verifying).is_err());
    }
}
