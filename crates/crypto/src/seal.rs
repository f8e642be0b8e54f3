//! Sealing a key to a recipient's X25519 public key (an ECIES-style construction built from the
//! dalek and RustCrypto crates).
//!
//! ```text
//! version u8 (= 1) | eph_pub (32) | nonce (24) | ciphertext (32-byte key + 16-byte tag)  = 105 bytes
//! ```
//!
//! - `shared = X25519(eph_secret, recipient_pub)`; an all-zero `shared` is rejected;
//! - `k = HKDF-SHA256(ikm = shared, salt = eph_pub || recipient_pub, info = b"stint-seal-v1" || context)`;
//! - XChaCha20-Poly1305 under `k`, AAD = `version || eph_pub || recipient_pub || context`.

use std::fmt;

use hkdf::Hkdf;
use sha2::Sha256;
use x25519_dalek::{PublicKey, StaticSecret};
use zeroize::{Zeroize, Zeroizing};

use crate::envelope::{NONCE_LEN, TAG_LEN};
use crate::keys::KEY_LEN;
use crate::{CryptoError, SymmetricKey, aead};

/// Format version of a sealed key.
pub const SEALED_KEY_VERSION: u8 = 1;
/// Length of a sealed key.
pub const SEALED_KEY_LEN: usize = 1 + 32 + NONCE_LEN + KEY_LEN + TAG_LEN;

const SEAL_LABEL: &[u8] = b"stint-seal-v1";

/// A user's or device's X25519 secret key, to which organization and account keys are sealed.
///
/// Wiped on drop (by `x25519-dalek`). Not `Clone`, not `Serialize`; `Debug` prints
/// `SealSecretKey(<redacted>)`.
pub struct SealSecretKey(StaticSecret);

impl SealSecretKey {
    /// A fresh key from the operating system's random number generator.
    ///
    /// # Panics
    /// If the operating system's random number generator fails.
    pub fn generate() -> Self {
        let mut bytes = Zeroizing::new([0u8; 32]);
        crate::fill_os_random(bytes.as_mut_slice());
        SealSecretKey(StaticSecret::from(*bytes))
    }

    /// Builds the key from its 32 secret bytes. The argument's copy is wiped.
    pub fn from_bytes(mut bytes: [u8; 32]) -> Self {
        let key = SealSecretKey(StaticSecret::from(bytes));
        bytes.zeroize();
        key
    }

    /// The 32 secret bytes. Only for handing to the OS keyring or for wrapping.
    pub fn expose_secret(&self) -> &[u8; 32] {
        self.0.as_bytes()
    }

    /// The public half, published so others can seal keys to this key.
    pub fn public_key(&self) -> SealPublicKey {
        SealPublicKey(PublicKey::from(&self.0).to_bytes())
    }
}

impl fmt::Debug for SealSecretKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SealSecretKey(<redacted>)")
    }
}

/// An X25519 public key that keys can be sealed to. Never a low-order point.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct SealPublicKey([u8; 32]);

impl SealPublicKey {
    /// The 32-byte Montgomery u-coordinate.
    pub fn to_bytes(&self) -> [u8; 32] {
        self.0
    }

    /// Parses a public key.
    ///
    /// # Errors
    /// [`CryptoError::Malformed`] for a low-order point, whose shared secret with any key is
    /// all zeros (sealing to it would protect nothing).
    pub fn from_bytes(bytes: &[u8; 32]) -> Result<Self, CryptoError> {
        if is_low_order(bytes) {
            return Err(CryptoError::Malformed("not a usable X25519 public key"));
        }
        Ok(SealPublicKey(*bytes))
    }
}

impl fmt::Debug for SealPublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SealPublicKey(")?;
        for b in self.0 {
            write!(f, "{b:02x}")?;
        }
        f.write_str(")")
    }
}

/// A point is low-order exactly when multiplying it by a clamped scalar (a multiple of the
/// cofactor 8) gives the identity, encoded as all zeros. Any fixed scalar works.
fn is_low_order(point: &[u8; 32]) -> bool {
    x25519_dalek::x25519([0x55; 32], *point) == [0u8; 32]
}

/// Seals `key` so that only the holder of `to`'s secret key can open it, bound to `context`.
/// A fresh ephemeral key and nonce are drawn.
///
/// # Panics
/// If the operating system's random number generator fails.
pub fn seal_key(key: &SymmetricKey, to: &SealPublicKey, context: &[u8]) -> Vec<u8> {
    seal_key_with(
        key,
        to,
        context,
        &SealSecretKey::generate(),
        crate::random_array(),
    )
}

/// Test-vector helper: [`seal_key`] with a caller-chosen ephemeral secret and nonce. Never use it
/// outside tests: reusing an ephemeral secret links and weakens the sealed keys.
///
/// # Panics
/// Never for a [`SealPublicKey`] built by this crate (low-order points are rejected on parse).
#[doc(hidden)]
pub fn seal_key_with(
    key: &SymmetricKey,
    to: &SealPublicKey,
    context: &[u8],
    ephemeral: &SealSecretKey,
    nonce: [u8; NONCE_LEN],
) -> Vec<u8> {
    let eph_pub = ephemeral.public_key().0;
    let shared = ephemeral.0.diffie_hellman(&PublicKey::from(to.0));
    assert!(
        shared.was_contributory(),
        "SealPublicKey never holds a low-order point"
    );
    let k = derive_key(shared.as_bytes(), &eph_pub, &to.0, context);

    let mut out = Vec::with_capacity(SEALED_KEY_LEN);
    out.push(SEALED_KEY_VERSION);
    out.extend_from_slice(&eph_pub);
    out.extend_from_slice(&nonce);
    out.extend_from_slice(&aead::encrypt_to_vec(
        &k,
        &nonce,
        &aad(&eph_pub, &to.0, context),
        key.expose_secret(),
    ));
    debug_assert_eq!(out.len(), SEALED_KEY_LEN);
    out
}

/// Opens a key sealed by [`seal_key`] to `recipient`'s public key with the same context.
///
/// # Errors
/// - [`CryptoError::Malformed`] if the input is not 105 bytes or its ephemeral key is low-order;
/// - [`CryptoError::UnsupportedVersion`] for an unknown version byte;
/// - [`CryptoError::Decryption`] if it was sealed to someone else, under another context, or
///   changed.
pub fn open_sealed_key(
    sealed: &[u8],
    recipient: &SealSecretKey,
    context: &[u8],
) -> Result<SymmetricKey, CryptoError> {
    let Some((&version, rest)) = sealed.split_first() else {
        return Err(CryptoError::Malformed("the sealed key is empty"));
    };
    if version != SEALED_KEY_VERSION {
        return Err(CryptoError::UnsupportedVersion(version));
    }
    if sealed.len() != SEALED_KEY_LEN {
        return Err(CryptoError::Malformed(
            "a sealed key must be exactly 105 bytes",
        ));
    }
    let (eph_pub, rest) = rest.split_at(32);
    let (nonce, ciphertext) = rest.split_at(NONCE_LEN);
    let eph_pub: [u8; 32] = eph_pub.try_into().expect("length checked above");
    let nonce: &[u8; NONCE_LEN] = nonce.try_into().expect("length checked above");

    let recipient_pub = recipient.public_key().0;
    let shared = recipient.0.diffie_hellman(&PublicKey::from(eph_pub));
    if !shared.was_contributory() {
        return Err(CryptoError::Malformed(
            "the sealed key names an unusable ephemeral public key",
        ));
    }
    let k = derive_key(shared.as_bytes(), &eph_pub, &recipient_pub, context);
    let plaintext = aead::decrypt(
        &k,
        nonce,
        &aad(&eph_pub, &recipient_pub, context),
        ciphertext,
    )?;
    SymmetricKey::from_slice(&plaintext)
}

fn derive_key(
    shared: &[u8; 32],
    eph_pub: &[u8; 32],
    recipient_pub: &[u8; 32],
    context: &[u8],
) -> Zeroizing<[u8; 32]> {
    let salt = [&eph_pub[..], &recipient_pub[..]].concat();
    let mut k = Zeroizing::new([0u8; 32]);
    Hkdf::<Sha256>::new(Some(&salt), shared)
        .expand_multi_info(&[SEAL_LABEL, context], k.as_mut_slice())
        .expect("32 bytes is a valid HKDF-SHA256 output length");
    k
}

fn aad(eph_pub: &[u8; 32], recipient_pub: &[u8; 32], context: &[u8]) -> Vec<u8> {
    [&[SEALED_KEY_VERSION][..], eph_pub, recipient_pub, context].concat()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seal_round_trips() {
        let recipient = SealSecretKey::generate();
        let key = SymmetricKey::generate();
        let sealed = seal_key(&key, &recipient.public_key(), b"org|finance|3");
        assert_eq!(sealed.len(), SEALED_KEY_LEN);
        assert_eq!(sealed[0], 1);
        assert_eq!(
            open_sealed_key(&sealed, &recipient, b"org|finance|3").unwrap(),
            key
        );
    }

    #[test]
    fn wrong_recipient_or_context_fails() {
        let recipient = SealSecretKey::generate();
        let key = SymmetricKey::generate();
        let sealed = seal_key(&key, &recipient.public_key(), b"org|team|1");
        assert_eq!(
            open_sealed_key(&sealed, &SealSecretKey::generate(), b"org|team|1"),
            Err(CryptoError::Decryption)
        );
        assert_eq!(
            open_sealed_key(&sealed, &recipient, b"org|team|2"),
            Err(CryptoError::Decryption)
        );
    }

    #[test]
    fn wrong_version_and_length_fail() {
        let recipient = SealSecretKey::generate();
        let sealed = seal_key(&SymmetricKey::generate(), &recipient.public_key(), b"c");
        let mut v0 = sealed.clone();
        v0[0] = 0;
        assert_eq!(
            open_sealed_key(&v0, &recipient, b"c"),
            Err(CryptoError::UnsupportedVersion(0))
        );
        assert!(matches!(
            open_sealed_key(&sealed[..104], &recipient, b"c"),
            Err(CryptoError::Malformed(_))
        ));
        assert!(matches!(
            open_sealed_key(&[], &recipient, b"c"),
            Err(CryptoError::Malformed(_))
        ));
    }

    #[test]
    fn low_order_points_are_rejected() {
        // Two of the X25519 low-order points: 0 and 1.
        let zero = [0u8; 32];
        let mut one = [0u8; 32];
        one[0] = 1;
        assert!(SealPublicKey::from_bytes(&zero).is_err());
        assert!(SealPublicKey::from_bytes(&one).is_err());
        let good = SealSecretKey::generate().public_key();
        assert_eq!(SealPublicKey::from_bytes(&good.to_bytes()), Ok(good));

        // A sealed key whose ephemeral key is low-order is refused before decrypting.
        let recipient = SealSecretKey::generate();
        let mut sealed = seal_key(&SymmetricKey::generate(), &recipient.public_key(), b"c");
        sealed[1..33].copy_from_slice(&zero);
        assert!(matches!(
            open_sealed_key(&sealed, &recipient, b"c"),
            Err(CryptoError::Malformed(_))
        ));
    }

    #[test]
    fn secret_key_round_trips_through_its_bytes() {
        let key = SealSecretKey::generate();
        let again = SealSecretKey::from_bytes(*key.expose_secret());
        assert_eq!(key.public_key(), again.public_key());
    }

    #[test]
    fn every_single_bit_flip_is_detected() {
        let recipient = SealSecretKey::from_bytes([9; 32]);
        let key = SymmetricKey::from_bytes([8; 32]);
        let sealed = seal_key(&key, &recipient.public_key(), b"ctx");
        for i in 0..sealed.len() * 8 {
            let mut bad = sealed.clone();
            bad[i / 8] ^= 1 << (i % 8);
            assert!(
                open_sealed_key(&bad, &recipient, b"ctx").is_err(),
                "bit {i} flipped"
            );
        }
    }
}
