//! Key types: symmetric keys, device signing keys and their public halves.

use std::fmt;

use hkdf::Hkdf;
use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;
use subtle::ConstantTimeEq;
use zeroize::{Zeroize, ZeroizeOnDrop, Zeroizing};

use crate::CryptoError;

/// Length in bytes of every secret key in this crate.
pub const KEY_LEN: usize = 32;

/// A 32-byte symmetric key (device key, account key, compartment key, key-encryption key).
///
/// Wiped on drop. Deliberately not `Clone` and not `Serialize`; `Debug` prints
/// `SymmetricKey(<redacted>)`. Equality is compared in constant time.
#[derive(Zeroize, ZeroizeOnDrop)]
pub struct SymmetricKey([u8; KEY_LEN]);

impl SymmetricKey {
    /// A fresh key from the operating system's random number generator.
    ///
    /// # Panics
    /// If the operating system's random number generator fails.
    pub fn generate() -> Self {
        let mut key = SymmetricKey([0; KEY_LEN]);
        crate::fill_os_random(&mut key.0);
        key
    }

    /// Takes ownership of 32 key bytes. The argument's copy is wiped; the caller remains
    /// responsible for any other copies it holds.
    pub fn from_bytes(mut bytes: [u8; KEY_LEN]) -> Self {
        let key = SymmetricKey(bytes);
        bytes.zeroize();
        key
    }

    /// Copies a key out of a slice (for example, bytes read back from the OS keyring).
    ///
    /// # Errors
    /// [`CryptoError::Malformed`] unless the slice is exactly 32 bytes long.
    pub fn from_slice(bytes: &[u8]) -> Result<Self, CryptoError> {
        if bytes.len() != KEY_LEN {
            return Err(CryptoError::Malformed("a key must be exactly 32 bytes"));
        }
        let mut key = SymmetricKey([0; KEY_LEN]);
        key.0.copy_from_slice(bytes);
        Ok(key)
    }

    /// The raw key bytes.
    ///
    /// Only for handing the key to the OS keyring. Everything else goes through this crate's
    /// functions, which never expose key material.
    pub fn expose_secret(&self) -> &[u8; KEY_LEN] {
        &self.0
    }

    /// Derives an independent subkey with HKDF-SHA256 (no salt; `info` names the purpose).
    pub fn derive(&self, info: &[u8]) -> SymmetricKey {
        let mut out = SymmetricKey([0; KEY_LEN]);
        Hkdf::<Sha256>::new(None, &self.0)
            .expand(info, &mut out.0)
            .expect("32 bytes is a valid HKDF-SHA256 output length");
        out
    }

    /// HMAC-SHA256 over the concatenation of `data`'s parts.
    ///
    /// The parts are concatenated without separators; callers whose parts vary in length must
    /// make the split unambiguous themselves (fixed-length fields or length prefixes).
    pub fn mac(&self, data: &[&[u8]]) -> [u8; 32] {
        self.hmac(data).finalize().into_bytes().into()
    }

    /// Checks an HMAC-SHA256 tag made by [`SymmetricKey::mac`], in constant time.
    pub fn verify_mac(&self, data: &[&[u8]], tag: &[u8]) -> bool {
        self.hmac(data).verify_slice(tag).is_ok()
    }

    pub(crate) fn hmac(&self, data: &[&[u8]]) -> Hmac<Sha256> {
        let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(&self.0)
            .expect("HMAC accepts keys of any length");
        for part in data {
            mac.update(part);
        }
        mac
    }

    /// A key built in place from a buffer the caller wipes (for derivations).
    pub(crate) fn from_array_ref(bytes: &[u8; KEY_LEN]) -> Self {
        let mut key = SymmetricKey([0; KEY_LEN]);
        key.0.copy_from_slice(bytes);
        key
    }
}

impl fmt::Debug for SymmetricKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SymmetricKey(<redacted>)")
    }
}

impl ConstantTimeEq for SymmetricKey {
    fn ct_eq(&self, other: &Self) -> subtle::Choice {
        self.0.ct_eq(&other.0)
    }
}

impl PartialEq for SymmetricKey {
    fn eq(&self, other: &Self) -> bool {
        self.ct_eq(other).into()
    }
}

impl Eq for SymmetricKey {}

/// A device's Ed25519 signing key. It signs every envelope the device writes.
///
/// Wiped on drop (by `ed25519-dalek`). Not `Clone`, not `Serialize`; `Debug` prints
/// `SigningKey(<redacted>)`.
pub struct SigningKey(ed25519_dalek::SigningKey);

impl SigningKey {
    /// A fresh key from the operating system's random number generator.
    ///
    /// # Panics
    /// If the operating system's random number generator fails.
    pub fn generate() -> Self {
        let mut seed = Zeroizing::new([0u8; KEY_LEN]);
        crate::fill_os_random(seed.as_mut_slice());
        SigningKey(ed25519_dalek::SigningKey::from_bytes(&seed))
    }

    /// Builds the key from its 32-byte secret seed. The argument's copy is wiped.
    pub fn from_bytes(mut bytes: [u8; KEY_LEN]) -> Self {
        let key = SigningKey(ed25519_dalek::SigningKey::from_bytes(&bytes));
        bytes.zeroize();
        key
    }

    /// The 32-byte secret seed. Only for handing to the OS keyring or for wrapping.
    pub fn expose_secret(&self) -> &[u8; KEY_LEN] {
        self.0.as_bytes()
    }

    /// The public half, published so others can check this device's signatures.
    pub fn verifying_key(&self) -> VerifyingKey {
        VerifyingKey(self.0.verifying_key())
    }

    /// Signs `message` (pure Ed25519).
    pub(crate) fn sign(&self, message: &[u8]) -> [u8; 64] {
        use ed25519_dalek::Signer;
        self.0.sign(message).to_bytes()
    }
}

impl fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SigningKey(<redacted>)")
    }
}

/// A device's Ed25519 public key.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct VerifyingKey(ed25519_dalek::VerifyingKey);

impl VerifyingKey {
    /// The 32-byte compressed Edwards encoding.
    pub fn to_bytes(&self) -> [u8; 32] {
        self.0.to_bytes()
    }

    /// Parses a 32-byte public key.
    ///
    /// # Errors
    /// [`CryptoError::Malformed`] if the bytes are not a point on the curve or are a weak
    /// (small-order) key, which could never verify a strict signature.
    pub fn from_bytes(bytes: &[u8; 32]) -> Result<Self, CryptoError> {
        let key = ed25519_dalek::VerifyingKey::from_bytes(bytes)
            .map_err(|_| CryptoError::Malformed("not a valid Ed25519 public key"))?;
        if key.is_weak() {
            return Err(CryptoError::Malformed("a weak Ed25519 public key"));
        }
        Ok(VerifyingKey(key))
    }

    /// Strict Ed25519 verification (rejects small-order keys and `R`, non-canonical `S`).
    pub(crate) fn verify_strict(
        &self,
        message: &[u8],
        signature: &[u8; 64],
    ) -> Result<(), CryptoError> {
        let signature = ed25519_dalek::Signature::from_bytes(signature);
        self.0
            .verify_strict(message, &signature)
            .map_err(|_| CryptoError::BadSignature)
    }

    /// Ed25519 batch verification of `signatures[i]` over `messages[i]` under `keys[i]`: one
    /// random linear combination of the signature equations, with coefficients drawn from a hash
    /// of every input (ed25519-dalek's `verify_batch`). `true` if all verify.
    pub(crate) fn verify_batch(
        messages: &[&[u8]],
        signatures: &[[u8; 64]],
        keys: &[VerifyingKey],
    ) -> bool {
        let signatures: Vec<ed25519_dalek::Signature> = signatures
            .iter()
            .map(ed25519_dalek::Signature::from_bytes)
            .collect();
        let keys: Vec<ed25519_dalek::VerifyingKey> = keys.iter().map(|k| k.0).collect();
        ed25519_dalek::verify_batch(messages, &signatures, &keys).is_ok()
    }
}

impl fmt::Debug for VerifyingKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("VerifyingKey(")?;
        for b in self.to_bytes() {
            write!(f, "{b:02x}")?;
        }
        f.write_str(")")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn symmetric_key_from_slice_requires_32_bytes() {
        assert!(SymmetricKey::from_slice(&[7; 31]).is_err());
        assert!(SymmetricKey::from_slice(&[7; 33]).is_err());
        let key = SymmetricKey::from_slice(&[7; 32]).unwrap();
        assert_eq!(key.expose_secret(), &[7; 32]);
    }

    #[test]
    fn generated_keys_differ() {
        assert_ne!(SymmetricKey::generate(), SymmetricKey::generate());
        assert_ne!(
            SigningKey::generate().verifying_key(),
            SigningKey::generate().verifying_key()
        );
    }

    #[test]
    fn derive_separates_purposes_and_is_deterministic() {
        let key = SymmetricKey::from_bytes([1; 32]);
        assert_eq!(key.derive(b"vault"), key.derive(b"vault"));
        assert_ne!(key.derive(b"vault"), key.derive(b"index"));
        assert_ne!(key.derive(b"vault").expose_secret(), key.expose_secret());
    }

    #[test]
    fn mac_verifies_and_rejects_changes() {
        let key = SymmetricKey::from_bytes([2; 32]);
        let tag = key.mac(&[b"org", b"record"]);
        assert!(key.verify_mac(&[b"org", b"record"], &tag));
        assert!(
            key.verify_mac(&[b"orgrecord"], &tag),
            "parts are concatenated"
        );
        assert!(!key.verify_mac(&[b"org", b"recorD"], &tag));
        assert!(!key.verify_mac(&[b"org", b"record"], &tag[..31]));
        let mut bad = tag;
        bad[0] ^= 1;
        assert!(!key.verify_mac(&[b"org", b"record"], &bad));
        let other = SymmetricKey::from_bytes([3; 32]);
        assert!(!other.verify_mac(&[b"org", b"record"], &tag));
    }

    #[test]
    fn signing_key_round_trips_through_its_seed() {
        let key = SigningKey::generate();
        let again = SigningKey::from_bytes(*key.expose_secret());
        assert_eq!(key.verifying_key(), again.verifying_key());
        let vk = VerifyingKey::from_bytes(&key.verifying_key().to_bytes()).unwrap();
        assert_eq!(vk, key.verifying_key());
    }

    #[test]
    fn weak_verifying_keys_are_rejected() {
        // The identity point (y = 1) has small order.
        let mut identity = [0u8; 32];
        identity[0] = 1;
        assert!(VerifyingKey::from_bytes(&identity).is_err());
    }
}
