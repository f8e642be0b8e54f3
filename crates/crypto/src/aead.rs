//! Thin helpers over XChaCha20-Poly1305 (the `chacha20poly1305` crate) used by every format.

use chacha20poly1305::aead::{AeadInOut, KeyInit};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use zeroize::Zeroizing;

use crate::CryptoError;
use crate::envelope::{NONCE_LEN, TAG_LEN};

fn cipher(key: &[u8; 32]) -> XChaCha20Poly1305 {
    XChaCha20Poly1305::new(key.into())
}

/// Encrypts `buf` in place and returns the 16-byte Poly1305 tag.
///
/// # Panics
/// Only if `buf` exceeds XChaCha20-Poly1305's limit of 256 GiB, which no Stint format allows.
pub(crate) fn encrypt_in_place_detached(
    key: &[u8; 32],
    nonce: &[u8; NONCE_LEN],
    aad: &[u8],
    buf: &mut [u8],
) -> [u8; TAG_LEN] {
    let tag = cipher(key)
        .encrypt_inout_detached(&XNonce::from(*nonce), aad, buf.into())
        .expect("XChaCha20-Poly1305 accepts messages up to 256 GiB");
    tag.into()
}

/// Encrypts a short secret and returns `ciphertext || tag`, allocated once so that no copy of the
/// plaintext is left behind in a reallocated buffer.
pub(crate) fn encrypt_to_vec(
    key: &[u8; 32],
    nonce: &[u8; NONCE_LEN],
    aad: &[u8],
    plaintext: &[u8],
) -> Vec<u8> {
    let mut out = Vec::with_capacity(plaintext.len() + TAG_LEN);
    out.extend_from_slice(plaintext);
    let tag = encrypt_in_place_detached(key, nonce, aad, &mut out);
    out.extend_from_slice(&tag);
    out
}

/// Decrypts `ciphertext || tag` into `out`, replacing what it held and reusing its capacity: for
/// passes over many records, one buffer per thread instead of one allocation per record. On error
/// `out` is left empty. Bytes of a longer earlier plaintext may stay in `out`'s spare capacity
/// until it is dropped, which wipes all of it.
///
/// # Errors
/// As [`decrypt`].
pub(crate) fn decrypt_into(
    key: &[u8; 32],
    nonce: &[u8; NONCE_LEN],
    aad: &[u8],
    ciphertext_and_tag: &[u8],
    out: &mut Zeroizing<Vec<u8>>,
) -> Result<(), CryptoError> {
    out.clear();
    let Some(body_len) = ciphertext_and_tag.len().checked_sub(TAG_LEN) else {
        return Err(CryptoError::Malformed("ciphertext is shorter than its tag"));
    };
    let (body, tag) = ciphertext_and_tag.split_at(body_len);
    let tag: &[u8; TAG_LEN] = tag.try_into().map_err(|_| CryptoError::Decryption)?;
    out.extend_from_slice(body);
    let opened = cipher(key).decrypt_inout_detached(
        &XNonce::from(*nonce),
        aad,
        out.as_mut_slice().into(),
        tag.into(),
    );
    if opened.is_err() {
        out.clear();
        return Err(CryptoError::Decryption);
    }
    Ok(())
}

/// Decrypts `ciphertext || tag`. The plaintext is returned in a buffer that is wiped on drop.
///
/// # Errors
/// [`CryptoError::Decryption`] if the tag does not verify (wrong key, changed data or AAD).
pub(crate) fn decrypt(
    key: &[u8; 32],
    nonce: &[u8; NONCE_LEN],
    aad: &[u8],
    ciphertext_and_tag: &[u8],
) -> Result<Zeroizing<Vec<u8>>, CryptoError> {
    let body_len = ciphertext_and_tag.len().saturating_sub(TAG_LEN);
    let mut out = Zeroizing::new(Vec::with_capacity(body_len));
    decrypt_into(key, nonce, aad, ciphertext_and_tag, &mut out)?;
    Ok(out)
}
