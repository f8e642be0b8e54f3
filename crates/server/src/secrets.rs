//! The server's own secrets and the ways it stores others': the server key (encrypts TOTP secrets,
//! keys the hashes of client addresses), random tokens kept only as SHA-256 hashes, passwords as
//! Argon2id hashes, and TOTP checks.

use std::io::Write;
use std::path::Path;
use std::sync::LazyLock;

use argon2::{Algorithm, Argon2, Params, PasswordHash, PasswordHasher, PasswordVerifier, Version};
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

/// 32 random bytes from `STINT_SERVER_KEY` (hex) or a key file. Never printed, never logged.
pub struct ServerKey(Zeroizing<[u8; 32]>);

impl std::fmt::Debug for ServerKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ServerKey(..)")
    }
}

impl ServerKey {
    /// From 64 hex digits.
    pub fn from_hex(text: &str) -> Result<ServerKey, String> {
        let bytes = Zeroizing::new(
            hex::decode(text.trim())
                .map_err(|_| "the server key must be 64 hex digits".to_owned())?,
        );
        let key: [u8; 32] = bytes
            .as_slice()
            .try_into()
            .map_err(|_| "the server key must be 64 hex digits (32 bytes)".to_owned())?;
        Ok(ServerKey(Zeroizing::new(key)))
    }

    /// Reads the key file, or creates it (readable by this user only) with a new random key.
    pub fn load_or_create(path: &Path) -> std::io::Result<ServerKey> {
        match std::fs::read_to_string(path) {
            Ok(text) => ServerKey::from_hex(&Zeroizing::new(text))
                .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidData, e)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                let key = ServerKey(Zeroizing::new(random_bytes()));
                let mut options = std::fs::OpenOptions::new();
                options.write(true).create_new(true);
                #[cfg(unix)]
                std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
                let mut file = options.open(path)?;
                file.write_all(Zeroizing::new(hex::encode(*key.0)).as_bytes())?;
                file.sync_all()?;
                Ok(key)
            }
            Err(e) => Err(e),
        }
    }

    /// A fresh random key (for tests and first starts).
    pub fn generate() -> ServerKey {
        ServerKey(Zeroizing::new(random_bytes()))
    }

    /// XChaCha20-Poly1305 with a random nonce; `context` (what and whose) is the associated data, so
    /// a ciphertext moved to another row or purpose fails to open. Output: nonce ‖ ciphertext.
    pub fn seal(&self, context: &[u8], plaintext: &[u8]) -> Vec<u8> {
        let key: &[u8; 32] = &self.0;
        let cipher = XChaCha20Poly1305::new(key.into());
        let nonce: [u8; 24] = random_bytes();
        let sealed = cipher
            .encrypt(
                &XNonce::from(nonce),
                Payload {
                    msg: plaintext,
                    aad: context,
                },
            )
            .expect("XChaCha20-Poly1305 encryption of a short secret cannot fail");
        [nonce.as_slice(), &sealed].concat()
    }

    /// Opens what [`ServerKey::seal`] made with the same context; `None` if anything differs.
    pub fn open(&self, context: &[u8], sealed: &[u8]) -> Option<Zeroizing<Vec<u8>>> {
        if sealed.len() < 24 {
            return None;
        }
        let (nonce, ciphertext) = sealed.split_at(24);
        let nonce: [u8; 24] = nonce.try_into().ok()?;
        let key: &[u8; 32] = &self.0;
        let cipher = XChaCha20Poly1305::new(key.into());
        cipher
            .decrypt(
                &XNonce::from(nonce),
                Payload {
                    msg: ciphertext,
                    aad: context,
                },
            )
            .ok()
            .map(Zeroizing::new)
    }

    /// A keyed hash, for values the server must recognise again but not keep in the clear (client
    /// addresses in rate-limit keys).
    pub fn tag(&self, label: &str, value: &[u8]) -> String {
        let mut hash = Sha256::new();
        hash.update(*self.0);
        hash.update(label.as_bytes());
        hash.update([0]);
        hash.update(value);
        hex::encode(&hash.finalize()[..16])
    }
}

/// A recovery code as stored: a keyed tag over the account and the code's digest, so that a copy of
/// the database cannot test guesses (ten short codes are far easier to find than a password). Taken
/// over the digest, so that codes stored as a bare digest before can be tagged without the codes.
pub fn recovery_code_tag(key: &ServerKey, user: ulid::Ulid, digest: &[u8]) -> Vec<u8> {
    let mut value = user.to_string().into_bytes();
    value.push(0);
    value.extend_from_slice(digest);
    key.tag("recovery code", &value).into_bytes()
}

/// The stored form of a recovery code as typed (in any case, with or without dashes).
pub fn stored_recovery_code(key: &ServerKey, user: ulid::Ulid, code: &str) -> Vec<u8> {
    recovery_code_tag(key, user, &token_hash(&normalize_recovery_code(code)))
}

/// Random bytes from the operating system.
///
/// # Panics
/// If the operating system's random source fails: as in `stint-crypto`, going on without randomness
/// would hand out guessable tokens and keys, so stopping (a 500 from the panic guard) is the only safe
/// choice.
pub fn random_bytes<const N: usize>() -> [u8; N] {
    let mut bytes = [0u8; N];
    getrandom::fill(&mut bytes).expect("the operating system's random source failed");
    bytes
}

/// A bearer secret: a prefix naming its kind (`sts_` session, `stc_` challenge, `ste_` emailed
/// token) and 32 random bytes in hex. Only [`token_hash`] of it is stored.
pub fn new_token(prefix: &str) -> String {
    format!("{prefix}{}", hex::encode(random_bytes::<32>()))
}

/// SHA-256 of a token or code as typed: what the database keeps.
pub fn token_hash(token: &str) -> Vec<u8> {
    Sha256::digest(token.trim().as_bytes()).to_vec()
}

/// Argon2id at OWASP's recommended minimum (19 MiB, 2 passes, 1 lane).
fn argon2() -> Argon2<'static> {
    Argon2::new(
        Algorithm::Argon2id,
        Version::V0x13,
        Params::new(19 * 1024, 2, 1, None).expect("fixed Argon2 parameters are valid"),
    )
}

/// The PHC string of a new password hash (salt and parameters included). With fixed, valid
/// parameters and a length-checked password the hasher cannot fail; its `expect` states that
/// invariant (and the salt comes from the OS random source, see [`random_bytes`]).
pub fn hash_password(password: &str) -> String {
    let hash: PasswordHash = argon2()
        .hash_password(password.as_bytes())
        .expect("hashing a password with fixed parameters cannot fail");
    hash.to_string()
}

/// Checks a password against its stored hash; compares in constant time.
pub fn verify_password(hash: &str, password: &str) -> bool {
    PasswordHash::new(hash).is_ok_and(|parsed| {
        argon2()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok()
    })
}

/// A hash no password matches, verified against when an email has no account (or no password), so
/// that "no such account" takes as long as "wrong password".
pub static DECOY_HASH: LazyLock<String> =
    LazyLock::new(|| hash_password(&hex::encode(random_bytes::<16>())));

/// TOTP (RFC 6238): SHA-1, 6 digits, 30-second steps, one step of skew either way.
pub fn totp(secret: &[u8], account: &str) -> Result<totp_rs::Totp, String> {
    totp_rs::Builder::new()
        .with_secret(secret.to_vec())
        .with_issuer(Some("Stint"))
        .with_account_name(account.replace(':', ""))
        .build()
        .map_err(|e| e.to_string())
}

/// Ten recovery codes like `k7qd-2m9x-ph4c`: 60 bits each from an alphabet without look-alikes.
pub fn recovery_codes() -> Vec<String> {
    const ALPHABET: &[u8] = b"23456789abcdefghjkmnpqrstuvwxyz";
    (0..10)
        .map(|_| {
            let bytes: [u8; 12] = random_bytes();
            let chars: Vec<char> = bytes
                .iter()
                .map(|b| ALPHABET[usize::from(*b) % ALPHABET.len()] as char)
                .collect();
            format!(
                "{}-{}-{}",
                chars[..4].iter().collect::<String>(),
                chars[4..8].iter().collect::<String>(),
                chars[8..].iter().collect::<String>()
            )
        })
        .collect()
}

/// A recovery code as the person may type it: case, spaces and dashes do not matter.
pub fn normalize_recovery_code(code: &str) -> String {
    code.chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sealed_secrets_open_only_with_the_same_key_and_context() {
        let key = ServerKey::generate();
        let sealed = key.seal(b"totp:01A", b"secret bytes");
        assert_eq!(
            key.open(b"totp:01A", &sealed).unwrap().as_slice(),
            b"secret bytes"
        );
        assert!(
            key.open(b"totp:01B", &sealed).is_none(),
            "moved to another account"
        );
        assert!(ServerKey::generate().open(b"totp:01A", &sealed).is_none());
        let mut flipped = sealed.clone();
        *flipped.last_mut().unwrap() ^= 1;
        assert!(key.open(b"totp:01A", &flipped).is_none());
        assert!(key.open(b"totp:01A", &sealed[..10]).is_none());
    }

    #[test]
    fn passwords_verify_only_themselves() {
        let hash = hash_password("correct horse battery");
        assert!(
            hash.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
            "{hash}"
        );
        assert!(verify_password(&hash, "correct horse battery"));
        assert!(!verify_password(&hash, "correct horse batterY"));
        assert!(!verify_password("not a hash", "x"));
        assert!(!verify_password(&DECOY_HASH, ""));
    }

    #[test]
    fn the_key_file_is_created_private_and_read_back() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("server.key");
        let first = ServerKey::load_or_create(&path).unwrap();
        let again = ServerKey::load_or_create(&path).unwrap();
        assert_eq!(*first.0, *again.0);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        assert_eq!(format!("{first:?}"), "ServerKey(..)");
        assert!(ServerKey::from_hex("abcd").is_err());
    }

    #[test]
    fn recovery_codes_are_ten_distinct_and_typed_loosely() {
        let codes = recovery_codes();
        assert_eq!(codes.len(), 10);
        let unique: std::collections::HashSet<_> = codes.iter().collect();
        assert_eq!(unique.len(), 10);
        for code in &codes {
            assert_eq!(code.len(), 14, "{code}");
            assert_eq!(
                normalize_recovery_code(&code.to_uppercase().replace('-', " ")),
                code.replace('-', "")
            );
        }
    }

    #[test]
    fn totp_matches_rfc_6238_and_reports_its_step() {
        // RFC 6238 appendix B, SHA-1 seed, 8 digits there; the same counter's 6-digit truncation.
        let totp = totp(b"12345678901234567890", "jane@example.org").unwrap();
        assert_eq!(totp.generate(59).to_string(), "287082");
        assert_eq!(totp.check("287082", 59), Some(1));
        assert_eq!(totp.check("287082", 59 + 30), Some(1), "one step of skew");
        assert_eq!(totp.check("287082", 59 + 60), None);
    }
}
