//! The one error type of this crate.

/// What went wrong while reading, opening or deriving protected data.
///
/// Messages are meant for users: they say what is wrong and never contain key material.
#[derive(Debug, thiserror::Error, PartialEq, Eq, Clone, Copy)]
pub enum CryptoError {
    /// The bytes do not have the shape of the expected format (wrong length, reserved bits set,
    /// invalid public key). The text names what is wrong.
    #[error("the data is damaged or not in the expected format: {0}")]
    Malformed(&'static str),

    /// The leading version byte names a format this build does not know.
    #[error(
        "the data uses format version {0}, which this version of Stint cannot read; update Stint"
    )]
    UnsupportedVersion(u8),

    /// Authenticated decryption failed: the key is wrong or the ciphertext, nonce or associated
    /// data (header, context) was changed.
    #[error("could not decrypt: wrong key or the data was changed")]
    Decryption,

    /// The Ed25519 signature does not verify under the claimed author's key.
    #[error(
        "the signature does not match: the data was changed or was not written by the device it names"
    )]
    BadSignature,

    /// Passphrase derivation parameters are below Stint's minimum (OWASP's Argon2id minimum).
    #[error(
        "the passphrase settings are weaker than Stint allows (at least 19456 KiB memory and 2 passes)"
    )]
    WeakParameters,

    /// The operating system could not provide random bytes.
    #[error("the operating system's random number generator failed; try again")]
    Randomness,
}
