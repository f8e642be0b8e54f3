//! A short secret of any length (a server session token, say) encrypted under a key.
//!
//! ```text
//! version u8 (= 1) | nonce (24) | ciphertext (secret + 16-byte tag)
//! ```
//!
//! XChaCha20-Poly1305 with AAD = `b"stint-secret-v1" || context`; the context names what the secret
//! is for, so a sealed secret cannot be moved to another slot. Secrets are at most
//! [`MAX_SECRET_LEN`] bytes.

use zeroize::Zeroizing;

use crate::envelope::{NONCE_LEN, TAG_LEN};
use crate::{CryptoError, SymmetricKey, aead};

/// Format version of a sealed secret.
pub const SEALED_SECRET_VERSION: u8 = 1;
/// The longest secret [`seal_secret`] takes.
pub const MAX_SECRET_LEN: usize = 4096;

const LABEL: &[u8] = b"stint-secret-v1";

/// Encrypts `secret` under `key`, bound to `context`. A fresh random nonce is drawn.
///
/// # Errors
/// [`CryptoError::Malformed`] for a secret longer than [`MAX_SECRET_LEN`].
///
/// # Panics
/// If the operating system's random number generator fails.
pub fn seal_secret(
    key: &SymmetricKey,
    secret: &[u8],
    context: &[u8],
) -> Result<Vec<u8>, CryptoError> {
    seal_secret_with_nonce(key, secret, context, crate::random_array())
}

/// Test-vector helper: [`seal_secret`] with a caller-chosen nonce. Never use it outside tests.
///
/// # Errors
/// As [`seal_secret`].
#[doc(hidden)]
pub fn seal_secret_with_nonce(
    key: &SymmetricKey,
    secret: &[u8],
    context: &[u8],
    nonce: [u8; NONCE_LEN],
) -> Result<Vec<u8>, CryptoError> {
    if secret.len() > MAX_SECRET_LEN {
        return Err(CryptoError::Malformed(
            "a secret may have at most 4096 bytes",
        ));
    }
    let mut out = Vec::with_capacity(1 + NONCE_LEN + secret.len() + TAG_LEN);
    out.push(SEALED_SECRET_VERSION);
    out.extend_from_slice(&nonce);
    out.extend_from_slice(&aead::encrypt_to_vec(
        key.expose_secret(),
        &nonce,
        &[LABEL, context].concat(),
        secret,
    ));
    Ok(out)
}

/// Decrypts a secret made by [`seal_secret`] with the same key and context.
///
/// # Errors
/// - [`CryptoError::Malformed`] if the input is too short or too long;
/// - [`CryptoError::UnsupportedVersion`] for an unknown version byte;
/// - [`CryptoError::Decryption`] if the key or context is wrong or a byte was changed.
pub fn open_secret(
    key: &SymmetricKey,
    sealed: &[u8],
    context: &[u8],
) -> Result<Zeroizing<Vec<u8>>, CryptoError> {
    let Some((&version, rest)) = sealed.split_first() else {
        return Err(CryptoError::Malformed("the sealed secret is empty"));
    };
    if version != SEALED_SECRET_VERSION {
        return Err(CryptoError::UnsupportedVersion(version));
    }
    if rest.len() < NONCE_LEN + TAG_LEN || rest.len() > NONCE_LEN + MAX_SECRET_LEN + TAG_LEN {
        return Err(CryptoError::Malformed(
            "a sealed secret has the wrong length",
        ));
    }
    let (nonce, ciphertext) = rest.split_at(NONCE_LEN);
    let nonce: &[u8; NONCE_LEN] = nonce.try_into().expect("length checked above");
    aead::decrypt(
        key.expose_secret(),
        nonce,
        &[LABEL, context].concat(),
        ciphertext,
    )
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    proptest! {
        #[test]
        fn round_trips_and_refuses_any_change(
            secret in proptest::collection::vec(any::<u8>(), 0..300),
            context in proptest::collection::vec(any::<u8>(), 0..40),
            flip in any::<prop::sample::Index>(),
        ) {
            let key = SymmetricKey::generate();
            let sealed = seal_secret(&key, &secret, &context).unwrap();
            prop_assert_eq!(sealed.len(), 1 + NONCE_LEN + secret.len() + TAG_LEN);
            let opened = open_secret(&key, &sealed, &context).unwrap();
            prop_assert_eq!(opened.as_slice(), secret.as_slice());

            let mut changed = sealed.clone();
            changed[flip.index(sealed.len())] ^= 0x01;
            prop_assert!(open_secret(&key, &changed, &context).is_err());
            prop_assert!(open_secret(&key, &sealed, &[context.as_slice(), b"x"].concat()).is_err());
            prop_assert!(open_secret(&SymmetricKey::generate(), &sealed, &context).is_err());
        }
    }

    #[test]
    fn refuses_bad_lengths_and_versions() {
        let key = SymmetricKey::generate();
        assert!(seal_secret(&key, &[0; MAX_SECRET_LEN + 1], b"c").is_err());
        assert!(matches!(
            open_secret(&key, &[], b"c"),
            Err(CryptoError::Malformed(_))
        ));
        let mut sealed = seal_secret(&key, b"token", b"c").unwrap();
        assert!(matches!(
            open_secret(&key, &sealed[..20], b"c"),
            Err(CryptoError::Malformed(_))
        ));
        sealed[0] = 2;
        assert!(matches!(
            open_secret(&key, &sealed, b"c"),
            Err(CryptoError::UnsupportedVersion(2))
        ));
    }
}
