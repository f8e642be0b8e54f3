//! Key wrapping: a 32-byte key encrypted under a key-encryption key (KEK).
//!
//! ```text
//! version u8 (= 1) | nonce (24) | ciphertext (32-byte key + 16-byte tag)      = 73 bytes
//! ```
//!
//! XChaCha20-Poly1305 under the KEK with AAD = `b"stint-wrap-v1" || context`. The context binds
//! the wrapped key to its purpose (for example org id | compartment | epoch), so a wrapped key
//! cannot be moved to another slot and unwrapped there.

use zeroize::Zeroizing;

use crate::envelope::{NONCE_LEN, TAG_LEN};
use crate::keys::KEY_LEN;
use crate::{CryptoError, SigningKey, SymmetricKey, aead};

/// Format version of a wrapped key.
pub const WRAPPED_KEY_VERSION: u8 = 1;
/// Length of a wrapped key.
pub const WRAPPED_KEY_LEN: usize = 1 + NONCE_LEN + KEY_LEN + TAG_LEN;

const WRAP_LABEL: &[u8] = b"stint-wrap-v1";

/// Encrypts `key` under `kek`, bound to `context`. A fresh random nonce is drawn.
///
/// # Panics
/// If the operating system's random number generator fails.
pub fn wrap_key(kek: &SymmetricKey, key: &SymmetricKey, context: &[u8]) -> Vec<u8> {
    wrap_bytes(kek, key.expose_secret(), context, crate::random_array())
}

/// Decrypts a key made by [`wrap_key`] with the same KEK and context.
///
/// # Errors
/// - [`CryptoError::Malformed`] if the input is not 73 bytes;
/// - [`CryptoError::UnsupportedVersion`] for an unknown version byte;
/// - [`CryptoError::Decryption`] if the KEK or context is wrong or the bytes were changed.
pub fn unwrap_key(
    kek: &SymmetricKey,
    wrapped: &[u8],
    context: &[u8],
) -> Result<SymmetricKey, CryptoError> {
    let secret = unwrap_bytes(kek, wrapped, context)?;
    Ok(SymmetricKey::from_array_ref(&secret))
}

/// Encrypts a device signing key's 32-byte secret seed under `kek`, bound to `context`.
///
/// Same format as [`wrap_key`]; give it a context that names a signing key so the two kinds of
/// wrapped key cannot be confused.
///
/// # Panics
/// If the operating system's random number generator fails.
pub fn wrap_signing_key(kek: &SymmetricKey, key: &SigningKey, context: &[u8]) -> Vec<u8> {
    wrap_bytes(kek, key.expose_secret(), context, crate::random_array())
}

/// Decrypts a signing key made by [`wrap_signing_key`].
///
/// # Errors
/// As [`unwrap_key`].
pub fn unwrap_signing_key(
    kek: &SymmetricKey,
    wrapped: &[u8],
    context: &[u8],
) -> Result<SigningKey, CryptoError> {
    let secret = unwrap_bytes(kek, wrapped, context)?;
    Ok(SigningKey::from_bytes(*secret))
}

/// Test-vector helper: [`wrap_key`] with a caller-chosen nonce. Never use it outside tests.
#[doc(hidden)]
pub fn wrap_key_with_nonce(
    kek: &SymmetricKey,
    key: &SymmetricKey,
    context: &[u8],
    nonce: [u8; NONCE_LEN],
) -> Vec<u8> {
    wrap_bytes(kek, key.expose_secret(), context, nonce)
}

/// Test-vector helper: [`wrap_signing_key`] with a caller-chosen nonce. Never use it outside
/// tests.
#[doc(hidden)]
pub fn wrap_signing_key_with_nonce(
    kek: &SymmetricKey,
    key: &SigningKey,
    context: &[u8],
    nonce: [u8; NONCE_LEN],
) -> Vec<u8> {
    wrap_bytes(kek, key.expose_secret(), context, nonce)
}

fn aad(context: &[u8]) -> Vec<u8> {
    [WRAP_LABEL, context].concat()
}

pub(crate) fn wrap_bytes(
    kek: &SymmetricKey,
    secret: &[u8; KEY_LEN],
    context: &[u8],
    nonce: [u8; NONCE_LEN],
) -> Vec<u8> {
    let mut out = Vec::with_capacity(WRAPPED_KEY_LEN);
    out.push(WRAPPED_KEY_VERSION);
    out.extend_from_slice(&nonce);
    out.extend_from_slice(&aead::encrypt_to_vec(
        kek.expose_secret(),
        &nonce,
        &aad(context),
        secret,
    ));
    debug_assert_eq!(out.len(), WRAPPED_KEY_LEN);
    out
}

pub(crate) fn unwrap_bytes(
    kek: &SymmetricKey,
    wrapped: &[u8],
    context: &[u8],
) -> Result<Zeroizing<[u8; KEY_LEN]>, CryptoError> {
    let Some((&version, rest)) = wrapped.split_first() else {
        return Err(CryptoError::Malformed("the wrapped key is empty"));
    };
    if version != WRAPPED_KEY_VERSION {
        return Err(CryptoError::UnsupportedVersion(version));
    }
    if wrapped.len() != WRAPPED_KEY_LEN {
        return Err(CryptoError::Malformed(
            "a wrapped key must be exactly 73 bytes",
        ));
    }
    let (nonce, ciphertext) = rest.split_at(NONCE_LEN);
    let nonce: &[u8; NONCE_LEN] = nonce.try_into().expect("length checked above");
    let plaintext = aead::decrypt(kek.expose_secret(), nonce, &aad(context), ciphertext)?;
    let mut secret = Zeroizing::new([0u8; KEY_LEN]);
    secret.copy_from_slice(&plaintext);
    Ok(secret)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrap_round_trips() {
        let kek = SymmetricKey::generate();
        let key = SymmetricKey::generate();
        let wrapped = wrap_key(&kek, &key, b"org|team|1");
        assert_eq!(wrapped.len(), WRAPPED_KEY_LEN);
        assert_eq!(wrapped[0], 1);
        assert_eq!(unwrap_key(&kek, &wrapped, b"org|team|1").unwrap(), key);
    }

    #[test]
    fn wrong_context_or_kek_fails() {
        let kek = SymmetricKey::generate();
        let key = SymmetricKey::generate();
        let wrapped = wrap_key(&kek, &key, b"org|team|1");
        assert_eq!(
            unwrap_key(&kek, &wrapped, b"org|team|2"),
            Err(CryptoError::Decryption)
        );
        assert_eq!(
            unwrap_key(&kek, &wrapped, b""),
            Err(CryptoError::Decryption)
        );
        assert_eq!(
            unwrap_key(&SymmetricKey::generate(), &wrapped, b"org|team|1"),
            Err(CryptoError::Decryption)
        );
    }

    #[test]
    fn wrong_version_and_length_fail() {
        let kek = SymmetricKey::generate();
        let wrapped = wrap_key(&kek, &SymmetricKey::generate(), b"c");
        let mut v2 = wrapped.clone();
        v2[0] = 2;
        assert_eq!(
            unwrap_key(&kek, &v2, b"c"),
            Err(CryptoError::UnsupportedVersion(2))
        );
        assert!(matches!(
            unwrap_key(&kek, &wrapped[..72], b"c"),
            Err(CryptoError::Malformed(_))
        ));
        assert!(matches!(
            unwrap_key(&kek, &[], b"c"),
            Err(CryptoError::Malformed(_))
        ));
        let mut long = wrapped.clone();
        long.push(0);
        assert!(matches!(
            unwrap_key(&kek, &long, b"c"),
            Err(CryptoError::Malformed(_))
        ));
    }

    #[test]
    fn signing_key_wrap_round_trips() {
        let kek = SymmetricKey::generate();
        let key = SigningKey::generate();
        let wrapped = wrap_signing_key(&kek, &key, b"user|signing");
        assert_eq!(wrapped.len(), WRAPPED_KEY_LEN);
        let back = unwrap_signing_key(&kek, &wrapped, b"user|signing").unwrap();
        assert_eq!(back.verifying_key(), key.verifying_key());
        assert!(unwrap_signing_key(&kek, &wrapped, b"user|other").is_err());
        assert!(unwrap_signing_key(&SymmetricKey::generate(), &wrapped, b"user|signing").is_err());
    }

    #[test]
    fn every_single_bit_flip_is_detected() {
        let kek = SymmetricKey::from_bytes([1; 32]);
        let key = SymmetricKey::from_bytes([2; 32]);
        let wrapped = wrap_key(&kek, &key, b"ctx");
        for i in 0..wrapped.len() * 8 {
            let mut bad = wrapped.clone();
            bad[i / 8] ^= 1 << (i % 8);
            assert!(unwrap_key(&kek, &bad, b"ctx").is_err(), "bit {i} flipped");
        }
    }
}
