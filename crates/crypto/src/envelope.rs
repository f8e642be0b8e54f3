//! Record envelopes: the format every record is stored and synced in.
//!
//! ```text
//! header (101; 81 in version 1) | nonce (24) | ciphertext_len u32 BE | ciphertext (plaintext + 16-byte tag) | signature (64)
//! ```
//!
//! The ciphertext is XChaCha20-Poly1305 under the compartment key with the header bytes as
//! associated data. The signature is Ed25519 by the author device over
//! `b"stint-envelope-v1" || header || nonce || ciphertext_len || ciphertext`, i.e. the domain
//! label followed by every envelope byte before the signature (the header's first byte says its
//! version, so one label serves both).

use zeroize::Zeroizing;

use crate::{CryptoError, SigningKey, SymmetricKey, VerifyingKey, aead};

/// Format version of the headers this crate writes (its first byte).
pub const ENVELOPE_VERSION: u8 = 2;
/// The first version, still read: no owner, no membership log position.
pub const ENVELOPE_VERSION_1: u8 = 1;
/// Length of an encoded [`Header`] of the current version.
pub const HEADER_LEN: usize = 101;
/// Length of a version 1 header.
pub const HEADER_V1_LEN: usize = 81;
/// Length of an XChaCha20-Poly1305 nonce.
pub const NONCE_LEN: usize = 24;
/// Length of a Poly1305 tag.
pub const TAG_LEN: usize = 16;
/// Length of an Ed25519 signature.
pub const SIGNATURE_LEN: usize = 64;
/// Length of the big-endian ciphertext length field.
const LEN_FIELD_LEN: usize = 4;
/// Length of the smallest envelope of any version (a version 1 header, empty plaintext).
pub const ENVELOPE_MIN_LEN: usize =
    HEADER_V1_LEN + NONCE_LEN + LEN_FIELD_LEN + TAG_LEN + SIGNATURE_LEN;

/// Domain label prefixed to the signed bytes, so an envelope signature can never be mistaken for
/// a signature over anything else.
const SIGNATURE_LABEL: &[u8] = b"stint-envelope-v1";

/// Header flag bit 0: the record is a tombstone (deleted).
const FLAG_TOMBSTONE: u8 = 0b0000_0001;

// Byte offsets of the header fields. Version 2 appends `owner` and `log` to version 1's layout.
const OFF_VERSION: usize = 0;
const OFF_ORG: usize = 1;
const OFF_RECORD: usize = 17;
const OFF_KIND: usize = 33;
const OFF_COMPARTMENT: usize = 35;
const OFF_EPOCH: usize = 36;
const OFF_AUTHOR_USER: usize = 40;
const OFF_AUTHOR_DEVICE: usize = 56;
const OFF_HLC: usize = 72;
const OFF_FLAGS: usize = 80;
const OFF_OWNER: usize = 81;
const OFF_LOG: usize = 97;

/// The plaintext header of a record envelope: what the server needs to route and authorize a
/// record, and nothing more. It is authenticated (as associated data and by the signature) but not
/// encrypted.
///
/// Encoded (version 2) as a fixed 101-byte layout with big-endian integers:
/// `version u8 | org [16] | record [16] | kind u16 | compartment u8 | epoch u32 |
///  author_user [16] | author_device [16] | hlc u64 | flags u8 | owner [16] | log u32`.
/// Version 1 is the first 81 bytes; it decodes with `owner` zero and `log` 0.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Header {
    /// Organization id (ULID bytes).
    pub org: [u8; 16],
    /// Record id (ULID bytes).
    pub record: [u8; 16],
    /// Record kind (client, project, time entry, …), as numbered by the domain crate.
    pub kind: u16,
    /// Key compartment (team, finance, …), as numbered by the domain crate.
    pub compartment: u8,
    /// Key epoch of the compartment key the record is encrypted under.
    pub epoch: u32,
    /// User who wrote the record (ULID bytes).
    pub author_user: [u8; 16],
    /// Device that wrote and signed the record (ULID bytes).
    pub author_device: [u8; 16],
    /// Hybrid logical clock timestamp of the write.
    pub hlc: u64,
    /// The record is deleted; its plaintext is usually empty.
    pub tombstone: bool,
    /// The member the record belongs to, for kinds that belong to one (a time entry's or an
    /// expense's member), whoever wrote this version; all zero for the organization's own records
    /// (catalogue, finance) and in a version 1 header, which names no owner.
    pub owner: [u8; 16],
    /// How many entries of the organization's membership log the author had seen when writing
    /// (0: none, as in an unsynced organization or a version 1 header).
    pub log: u32,
}

impl Header {
    /// Encodes the header in its fixed 101-byte layout (version [`ENVELOPE_VERSION`]).
    pub fn to_bytes(&self) -> [u8; HEADER_LEN] {
        let mut b = [0u8; HEADER_LEN];
        b[..HEADER_V1_LEN].copy_from_slice(&self.to_bytes_v1());
        b[OFF_VERSION] = ENVELOPE_VERSION;
        b[OFF_OWNER..OFF_LOG].copy_from_slice(&self.owner);
        b[OFF_LOG..HEADER_LEN].copy_from_slice(&self.log.to_be_bytes());
        b
    }

    /// Encodes the fields version 1 has in its 81-byte layout, for test vectors only: nothing
    /// writes version 1 any more (`owner` and `log` are dropped).
    #[doc(hidden)]
    pub fn to_bytes_v1(&self) -> [u8; HEADER_V1_LEN] {
        let mut b = [0u8; HEADER_V1_LEN];
        b[OFF_VERSION] = ENVELOPE_VERSION_1;
        b[OFF_ORG..OFF_RECORD].copy_from_slice(&self.org);
        b[OFF_RECORD..OFF_KIND].copy_from_slice(&self.record);
        b[OFF_KIND..OFF_COMPARTMENT].copy_from_slice(&self.kind.to_be_bytes());
        b[OFF_COMPARTMENT] = self.compartment;
        b[OFF_EPOCH..OFF_AUTHOR_USER].copy_from_slice(&self.epoch.to_be_bytes());
        b[OFF_AUTHOR_USER..OFF_AUTHOR_DEVICE].copy_from_slice(&self.author_user);
        b[OFF_AUTHOR_DEVICE..OFF_HLC].copy_from_slice(&self.author_device);
        b[OFF_HLC..OFF_FLAGS].copy_from_slice(&self.hlc.to_be_bytes());
        b[OFF_FLAGS] = if self.tombstone { FLAG_TOMBSTONE } else { 0 };
        b
    }

    /// The length of a header of `version`, if it is one this crate reads.
    pub fn len_of(version: u8) -> Option<usize> {
        match version {
            ENVELOPE_VERSION => Some(HEADER_LEN),
            ENVELOPE_VERSION_1 => Some(HEADER_V1_LEN),
            _ => None,
        }
    }

    /// Decodes exactly one header: 101 bytes of version 2, or 81 of version 1.
    ///
    /// # Errors
    /// - [`CryptoError::UnsupportedVersion`] if the version byte is neither;
    /// - [`CryptoError::Malformed`] if `b` is not as long as its version says or a reserved flag
    ///   bit is set.
    pub fn from_bytes(b: &[u8]) -> Result<Header, CryptoError> {
        let version = *b
            .first()
            .ok_or(CryptoError::Malformed("a record header cannot be empty"))?;
        let len = Header::len_of(version).ok_or(CryptoError::UnsupportedVersion(version))?;
        if b.len() != len {
            return Err(CryptoError::Malformed(
                "a record header must be exactly as long as its version says (101 bytes; 81 in version 1)",
            ));
        }
        let flags = b[OFF_FLAGS];
        if flags & !FLAG_TOMBSTONE != 0 {
            return Err(CryptoError::Malformed(
                "the record header sets unknown flags",
            ));
        }
        let (owner, log) = if version == ENVELOPE_VERSION {
            (
                array(&b[OFF_OWNER..OFF_LOG]),
                u32::from_be_bytes(array(&b[OFF_LOG..HEADER_LEN])),
            )
        } else {
            ([0; 16], 0)
        };
        Ok(Header {
            org: array(&b[OFF_ORG..OFF_RECORD]),
            record: array(&b[OFF_RECORD..OFF_KIND]),
            kind: u16::from_be_bytes(array(&b[OFF_KIND..OFF_COMPARTMENT])),
            compartment: b[OFF_COMPARTMENT],
            epoch: u32::from_be_bytes(array(&b[OFF_EPOCH..OFF_AUTHOR_USER])),
            author_user: array(&b[OFF_AUTHOR_USER..OFF_AUTHOR_DEVICE]),
            author_device: array(&b[OFF_AUTHOR_DEVICE..OFF_HLC]),
            hlc: u64::from_be_bytes(array(&b[OFF_HLC..OFF_FLAGS])),
            tombstone: flags & FLAG_TOMBSTONE != 0,
            owner,
            log,
        })
    }
}

/// Copies a slice whose length the caller has already fixed into an array.
fn array<const N: usize>(s: &[u8]) -> [u8; N] {
    s.try_into().expect("slice length fixed by the layout")
}

/// Encrypts and signs a record: returns the envelope bytes.
///
/// A fresh random nonce is drawn for every call.
///
/// # Panics
/// If the operating system's random number generator fails, or if `plaintext` is longer than
/// 4 GiB − 17 bytes (the ciphertext length is a `u32`).
pub fn seal_record(
    header: &Header,
    plaintext: &[u8],
    key: &SymmetricKey,
    signer: &SigningKey,
) -> Vec<u8> {
    seal_record_with_nonce(header, plaintext, key, signer, crate::random_array())
}

/// Test-vector helper: [`seal_record`] with a caller-chosen nonce.
///
/// Never use it outside tests: reusing a nonce under the same key destroys confidentiality.
#[doc(hidden)]
pub fn seal_record_with_nonce(
    header: &Header,
    plaintext: &[u8],
    key: &SymmetricKey,
    signer: &SigningKey,
    nonce: [u8; NONCE_LEN],
) -> Vec<u8> {
    seal_under_header(&header.to_bytes(), plaintext, key, signer, nonce)
}

/// Test-vector helper: seals under a version 1 header, as devices wrote before version 2, so that
/// the committed version 1 vector can still be rebuilt. Nothing else writes version 1.
#[doc(hidden)]
pub fn seal_record_v1_with_nonce(
    header: &Header,
    plaintext: &[u8],
    key: &SymmetricKey,
    signer: &SigningKey,
    nonce: [u8; NONCE_LEN],
) -> Vec<u8> {
    seal_under_header(&header.to_bytes_v1(), plaintext, key, signer, nonce)
}

fn seal_under_header(
    header_bytes: &[u8],
    plaintext: &[u8],
    key: &SymmetricKey,
    signer: &SigningKey,
    nonce: [u8; NONCE_LEN],
) -> Vec<u8> {
    let ciphertext_len = plaintext
        .len()
        .checked_add(TAG_LEN)
        .and_then(|n| u32::try_from(n).ok())
        .expect("a record's plaintext must be shorter than 4 GiB");

    let mut out = Vec::with_capacity(
        header_bytes.len() + NONCE_LEN + LEN_FIELD_LEN + plaintext.len() + TAG_LEN + SIGNATURE_LEN,
    );
    out.extend_from_slice(header_bytes);
    out.extend_from_slice(&nonce);
    out.extend_from_slice(&ciphertext_len.to_be_bytes());
    let body_start = out.len();
    out.extend_from_slice(plaintext);
    let tag = aead::encrypt_in_place_detached(
        key.expose_secret(),
        &nonce,
        header_bytes,
        &mut out[body_start..],
    );
    out.extend_from_slice(&tag);

    let signature = signer.sign(&signed_message(&out));
    out.extend_from_slice(&signature);
    out
}

/// The bytes an envelope signature covers: the domain label, then the envelope up to the
/// signature.
fn signed_message(envelope_without_signature: &[u8]) -> Vec<u8> {
    let mut message = Vec::with_capacity(SIGNATURE_LABEL.len() + envelope_without_signature.len());
    message.extend_from_slice(SIGNATURE_LABEL);
    message.extend_from_slice(envelope_without_signature);
    message
}

/// A parsed, not yet verified, envelope borrowing the bytes it was parsed from.
///
/// Parsing checks only the shape; call [`EnvelopeRef::verify`] before trusting the header and
/// [`EnvelopeRef::decrypt`] to read the plaintext (or use [`open_record`], which does both).
#[derive(Clone, Copy, Debug)]
pub struct EnvelopeRef<'a> {
    /// The decoded header (unverified until [`EnvelopeRef::verify`] succeeds).
    pub header: Header,
    /// The header bytes as they appear in the envelope (the AEAD associated data): 101, or 81
    /// in version 1.
    pub header_bytes: &'a [u8],
    /// The XChaCha20-Poly1305 nonce.
    pub nonce: &'a [u8; NONCE_LEN],
    /// Ciphertext followed by its 16-byte tag.
    pub ciphertext: &'a [u8],
    /// The author device's Ed25519 signature.
    pub signature: &'a [u8; SIGNATURE_LEN],
    /// Everything before the signature (what the signature covers, after the domain label).
    signed: &'a [u8],
}

impl<'a> EnvelopeRef<'a> {
    /// Parses an envelope strictly: known version, no unknown flags, and a length that matches
    /// the ciphertext length field exactly (no trailing bytes).
    ///
    /// # Errors
    /// [`CryptoError::Malformed`] or [`CryptoError::UnsupportedVersion`].
    pub fn parse(bytes: &'a [u8]) -> Result<Self, CryptoError> {
        let version = *bytes
            .first()
            .ok_or(CryptoError::Malformed("the record envelope is empty"))?;
        // An unknown version is reported before a length problem: a newer format may be shorter.
        let header_len = Header::len_of(version).ok_or(CryptoError::UnsupportedVersion(version))?;
        if bytes.len() < header_len + NONCE_LEN + LEN_FIELD_LEN + TAG_LEN + SIGNATURE_LEN {
            return Err(CryptoError::Malformed("the record envelope is too short"));
        }
        let (header_bytes, rest) = bytes.split_at(header_len);
        let header = Header::from_bytes(header_bytes)?;
        let (nonce, rest) = rest.split_at(NONCE_LEN);
        let (len_field, rest) = rest.split_at(LEN_FIELD_LEN);
        let ciphertext_len = u32::from_be_bytes(array(len_field));
        let ciphertext_len = usize::try_from(ciphertext_len)
            .map_err(|_| CryptoError::Malformed("the record is too large for this device"))?;
        if ciphertext_len < TAG_LEN {
            return Err(CryptoError::Malformed(
                "the record's ciphertext is shorter than its tag",
            ));
        }
        if rest.len() != ciphertext_len.saturating_add(SIGNATURE_LEN) {
            return Err(CryptoError::Malformed(
                "the record envelope's length does not match its ciphertext length",
            ));
        }
        let (ciphertext, signature) = rest.split_at(ciphertext_len);
        Ok(EnvelopeRef {
            header,
            header_bytes,
            nonce: nonce.try_into().expect("split at NONCE_LEN"),
            ciphertext,
            signature: signature.try_into().expect("length checked above"),
            signed: &bytes[..bytes.len() - SIGNATURE_LEN],
        })
    }

    /// The decoded header.
    pub fn header(&self) -> &Header {
        &self.header
    }

    /// The header's version: [`ENVELOPE_VERSION`], or [`ENVELOPE_VERSION_1`] for an envelope
    /// written before owners were named.
    pub fn version(&self) -> u8 {
        self.header_bytes[OFF_VERSION]
    }

    /// Checks the author device's signature (strict Ed25519).
    ///
    /// # Errors
    /// [`CryptoError::BadSignature`] if the envelope was changed or `author` did not sign it.
    pub fn verify(&self, author: &VerifyingKey) -> Result<(), CryptoError> {
        author.verify_strict(&signed_message(self.signed), self.signature)
    }

    /// Decrypts the ciphertext. Does not check the signature: call [`EnvelopeRef::verify`] first.
    ///
    /// # Errors
    /// [`CryptoError::Decryption`] if the key is wrong or the header, nonce or ciphertext changed.
    pub fn decrypt(&self, key: &SymmetricKey) -> Result<Zeroizing<Vec<u8>>, CryptoError> {
        aead::decrypt(
            key.expose_secret(),
            self.nonce,
            self.header_bytes,
            self.ciphertext,
        )
    }

    /// [`EnvelopeRef::decrypt`] into `out`, reusing its capacity (see the vault's load pass). On
    /// error `out` is left empty.
    ///
    /// # Errors
    /// As [`EnvelopeRef::decrypt`].
    pub fn decrypt_into(
        &self,
        key: &SymmetricKey,
        out: &mut Zeroizing<Vec<u8>>,
    ) -> Result<(), CryptoError> {
        aead::decrypt_into(
            key.expose_secret(),
            self.nonce,
            self.header_bytes,
            self.ciphertext,
            out,
        )
    }
}

/// Checks the signatures of many envelopes, each under its author device's key (`true` for each
/// that verifies, in order): the answers [`EnvelopeRef::verify`] would give one by one, for about a
/// third of the work.
///
/// The envelopes are checked together by Ed25519 batch verification (a random linear combination
/// of their signature equations, the coefficients drawn from a hash of every input). When the
/// batch holds, every signature in it holds; when it fails, each is checked on its own, strictly,
/// to say which failed. The batch equation accepts every signature the strict check accepts; the
/// only ones it accepts beyond them have a small-order or non-canonical `R`, which nobody but the
/// holder of the signing key can make (the key itself is never weak: see
/// [`VerifyingKey::from_bytes`]), so they give whoever relays envelopes no way to forge or to alter
/// one. Batches of 64 or more are where it pays; callers split large sets among threads.
pub fn verify_envelopes(items: &[(EnvelopeRef<'_>, VerifyingKey)]) -> Vec<bool> {
    let messages: Vec<Vec<u8>> = items
        .iter()
        .map(|(e, _)| signed_message(e.signed))
        .collect();
    let slices: Vec<&[u8]> = messages.iter().map(Vec::as_slice).collect();
    let signatures: Vec<[u8; SIGNATURE_LEN]> = items.iter().map(|(e, _)| *e.signature).collect();
    let keys: Vec<VerifyingKey> = items.iter().map(|(_, k)| *k).collect();
    if !items.is_empty() && VerifyingKey::verify_batch(&slices, &signatures, &keys) {
        return vec![true; items.len()];
    }
    slices
        .iter()
        .zip(items)
        .map(|(message, (e, key))| key.verify_strict(message, e.signature).is_ok())
        .collect()
}

/// Parses, verifies and decrypts an envelope, in that order (nothing unauthenticated is
/// decrypted).
///
/// # Errors
/// Whatever [`EnvelopeRef::parse`], [`EnvelopeRef::verify`] or [`EnvelopeRef::decrypt`] report.
pub fn open_record(
    bytes: &[u8],
    key: &SymmetricKey,
    author: &VerifyingKey,
) -> Result<(Header, Zeroizing<Vec<u8>>), CryptoError> {
    let envelope = EnvelopeRef::parse(bytes)?;
    envelope.verify(author)?;
    let plaintext = envelope.decrypt(key)?;
    Ok((envelope.header, plaintext))
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    fn header() -> Header {
        Header {
            org: [0x11; 16],
            record: [0x22; 16],
            kind: 0x0102,
            compartment: 2,
            epoch: 0x0304_0506,
            author_user: [0x33; 16],
            author_device: [0x44; 16],
            hlc: 0x0708_090a_0b0c_0d0e,
            tombstone: false,
            owner: [0x55; 16],
            log: 0x0f10_1112,
        }
    }

    #[test]
    fn header_layout_is_fixed_big_endian() {
        let b = header().to_bytes();
        assert_eq!(b.len(), 101);
        assert_eq!(b[0], 2);
        assert_eq!(&b[1..17], &[0x11; 16]);
        assert_eq!(&b[17..33], &[0x22; 16]);
        assert_eq!(&b[33..35], &[0x01, 0x02]);
        assert_eq!(b[35], 2);
        assert_eq!(&b[36..40], &[0x03, 0x04, 0x05, 0x06]);
        assert_eq!(&b[40..56], &[0x33; 16]);
        assert_eq!(&b[56..72], &[0x44; 16]);
        assert_eq!(&b[72..80], &[7, 8, 9, 10, 11, 12, 13, 14]);
        assert_eq!(b[80], 0);
        assert_eq!(&b[81..97], &[0x55; 16]);
        assert_eq!(&b[97..101], &[0x0f, 0x10, 0x11, 0x12]);
        let tomb = Header {
            tombstone: true,
            ..header()
        };
        assert_eq!(tomb.to_bytes()[80], 1);
        assert_eq!(Header::from_bytes(&tomb.to_bytes()), Ok(tomb));
        assert_eq!(Header::from_bytes(&b), Ok(header()));
    }

    #[test]
    fn a_version_1_header_is_read_without_owner_or_log() {
        let v1 = header().to_bytes_v1();
        assert_eq!(v1.len(), 81);
        assert_eq!(v1[0], 1);
        assert_eq!(
            &v1[..],
            &{
                let mut b = header().to_bytes();
                b[0] = 1;
                b
            }[..81],
            "version 2 keeps every offset of version 1"
        );
        assert_eq!(
            Header::from_bytes(&v1),
            Ok(Header {
                owner: [0; 16],
                log: 0,
                ..header()
            })
        );
        // Each version at the other's length is malformed.
        let mut long = header().to_bytes();
        long[0] = 1;
        assert!(matches!(
            Header::from_bytes(&long),
            Err(CryptoError::Malformed(_))
        ));
        let mut short = v1;
        short[0] = 2;
        assert!(matches!(
            Header::from_bytes(&short),
            Err(CryptoError::Malformed(_))
        ));
        // A version 1 envelope opens, its header bytes as they were.
        let key = SymmetricKey::generate();
        let signer = SigningKey::generate();
        let env = seal_record_v1_with_nonce(&header(), b"note", &key, &signer, [9; NONCE_LEN]);
        assert_eq!(env.len(), ENVELOPE_MIN_LEN + 4);
        let parsed = EnvelopeRef::parse(&env).unwrap();
        assert_eq!(parsed.version(), 1);
        assert_eq!(parsed.header_bytes, &v1[..]);
        let (h, p) = open_record(&env, &key, &signer.verifying_key()).unwrap();
        assert_eq!(h.owner, [0; 16]);
        assert_eq!(p.as_slice(), b"note");
    }

    #[test]
    fn header_rejects_unknown_flags_version_and_length() {
        for bit in 1..8 {
            let mut b = header().to_bytes();
            b[80] |= 1 << bit;
            assert!(matches!(
                Header::from_bytes(&b),
                Err(CryptoError::Malformed(_))
            ));
        }
        for version in [0u8, 3, 0xff] {
            let mut b = header().to_bytes();
            b[0] = version;
            assert_eq!(
                Header::from_bytes(&b),
                Err(CryptoError::UnsupportedVersion(version))
            );
        }
        let b = header().to_bytes();
        assert!(Header::from_bytes(&b[..100]).is_err());
        assert!(Header::from_bytes(&[]).is_err());
        let mut long = b.to_vec();
        long.push(0);
        assert!(Header::from_bytes(&long).is_err());
    }

    #[test]
    fn record_round_trips() {
        let key = SymmetricKey::generate();
        let signer = SigningKey::generate();
        for plaintext in [
            &b""[..],
            b"x",
            "Müller & Søn — 1h30".as_bytes(),
            &[0u8; 1000],
        ] {
            let env = seal_record(&header(), plaintext, &key, &signer);
            assert_eq!(env.len(), ENVELOPE_MIN_LEN + 20 + plaintext.len());
            let (h, p) = open_record(&env, &key, &signer.verifying_key()).unwrap();
            assert_eq!(h, header());
            assert_eq!(p.as_slice(), plaintext);
        }
    }

    #[test]
    fn decrypting_into_a_reused_buffer_gives_each_plaintext_exactly() {
        let key = SymmetricKey::generate();
        let signer = SigningKey::generate();
        let mut buffer = Zeroizing::new(Vec::new());
        // Longest first: a shorter plaintext must not keep the tail of the one before.
        for plaintext in [&[7u8; 1000][..], "Müller & Søn".as_bytes(), b""] {
            let env = seal_record(&header(), plaintext, &key, &signer);
            let parsed = EnvelopeRef::parse(&env).unwrap();
            parsed.decrypt_into(&key, &mut buffer).unwrap();
            assert_eq!(buffer.as_slice(), plaintext);
            assert_eq!(parsed.decrypt(&key).unwrap().as_slice(), plaintext);
        }
        let env = seal_record(&header(), b"secret", &key, &signer);
        let parsed = EnvelopeRef::parse(&env).unwrap();
        parsed.decrypt_into(&key, &mut buffer).unwrap();
        assert_eq!(
            parsed.decrypt_into(&SymmetricKey::generate(), &mut buffer),
            Err(CryptoError::Decryption)
        );
        assert!(buffer.is_empty(), "nothing is left of a failed decryption");
    }

    #[test]
    fn envelopes_use_fresh_nonces() {
        let key = SymmetricKey::generate();
        let signer = SigningKey::generate();
        let a = seal_record(&header(), b"same", &key, &signer);
        let b = seal_record(&header(), b"same", &key, &signer);
        assert_ne!(a, b);
        assert_ne!(&a[101..125], &b[101..125]);
    }

    #[test]
    fn wrong_key_or_author_fails() {
        let key = SymmetricKey::generate();
        let signer = SigningKey::generate();
        let env = seal_record(&header(), b"secret note", &key, &signer);
        assert_eq!(
            open_record(&env, &SymmetricKey::generate(), &signer.verifying_key()),
            Err(CryptoError::Decryption)
        );
        assert_eq!(
            open_record(&env, &key, &SigningKey::generate().verifying_key()),
            Err(CryptoError::BadSignature)
        );
    }

    #[test]
    fn signature_covers_a_domain_label() {
        // A signature over the raw envelope bytes (without the label) must not verify.
        let key = SymmetricKey::generate();
        let signer = SigningKey::generate();
        let mut env = seal_record(&header(), b"note", &key, &signer);
        let body_len = env.len() - SIGNATURE_LEN;
        let raw = signer.sign(&env[..body_len]);
        env[body_len..].copy_from_slice(&raw);
        assert_eq!(
            EnvelopeRef::parse(&env)
                .unwrap()
                .verify(&signer.verifying_key()),
            Err(CryptoError::BadSignature)
        );
    }

    #[test]
    fn ciphertext_is_bound_to_the_header() {
        // Re-signing an envelope whose header changed still fails to decrypt: the header is AAD.
        let key = SymmetricKey::generate();
        let signer = SigningKey::generate();
        let mut env = seal_record(&header(), b"note", &key, &signer);
        env[35] = 9; // compartment
        let body_len = env.len() - SIGNATURE_LEN;
        let sig = signer.sign(&signed_message(&env[..body_len]));
        env[body_len..].copy_from_slice(&sig);
        assert_eq!(
            open_record(&env, &key, &signer.verifying_key()),
            Err(CryptoError::Decryption)
        );
    }

    #[test]
    fn parse_is_strict() {
        let key = SymmetricKey::generate();
        let signer = SigningKey::generate();
        let env = seal_record(&header(), b"note", &key, &signer);
        assert!(EnvelopeRef::parse(&env).is_ok());

        let mut extended = env.clone();
        extended.push(0);
        assert!(matches!(
            EnvelopeRef::parse(&extended),
            Err(CryptoError::Malformed(_))
        ));
        assert!(matches!(
            EnvelopeRef::parse(&env[..env.len() - 1]),
            Err(CryptoError::Malformed(_))
        ));
        assert!(EnvelopeRef::parse(&[]).is_err());

        let mut version = env.clone();
        version[0] = 3;
        assert_eq!(
            EnvelopeRef::parse(&version).unwrap_err(),
            CryptoError::UnsupportedVersion(3)
        );
        // Read as version 1, its length no longer adds up.
        let mut as_v1 = env.clone();
        as_v1[0] = 1;
        assert!(matches!(
            EnvelopeRef::parse(&as_v1),
            Err(CryptoError::Malformed(_))
        ));
        assert_eq!(
            EnvelopeRef::parse(&[7]).unwrap_err(),
            CryptoError::UnsupportedVersion(7)
        );

        let mut flags = env.clone();
        flags[80] = 0x80;
        assert!(matches!(
            EnvelopeRef::parse(&flags),
            Err(CryptoError::Malformed(_))
        ));

        let mut short_ct = env.clone();
        short_ct[125..129].copy_from_slice(&15u32.to_be_bytes());
        assert!(matches!(
            EnvelopeRef::parse(&short_ct),
            Err(CryptoError::Malformed(_))
        ));
    }

    #[test]
    fn every_single_bit_flip_is_detected() {
        let key = SymmetricKey::from_bytes([5; 32]);
        let signer = SigningKey::from_bytes([6; 32]);
        let env = seal_record(&header(), b"Mueller 1h30", &key, &signer);
        let author = signer.verifying_key();
        for i in 0..env.len() * 8 {
            let mut bad = env.clone();
            bad[i / 8] ^= 1 << (i % 8);
            assert!(open_record(&bad, &key, &author).is_err(), "bit {i} flipped");
        }
    }

    /// What can be wrong with one envelope of a batch (or one signature of a batch, `keys`).
    #[derive(Debug, Clone, Copy)]
    pub(crate) enum Fault {
        None,
        /// One byte of the signed part changed (its position picked by the number).
        Content(usize),
        /// One byte of the signature changed.
        Signature(usize),
        /// Checked under another device's key.
        OtherKey,
    }

    pub(crate) fn fault() -> impl proptest::strategy::Strategy<Value = Fault> {
        use proptest::prelude::*;
        prop_oneof![
            6 => Just(Fault::None),
            1 => any::<usize>().prop_map(Fault::Content),
            1 => (0..SIGNATURE_LEN).prop_map(Fault::Signature),
            1 => Just(Fault::OtherKey),
        ]
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(48))]

        /// Checking a batch answers for each envelope what checking it alone does, whatever is
        /// wrong with which of them (and when nothing is).
        #[test]
        fn a_batch_answers_as_one_by_one(faults in proptest::collection::vec(fault(), 0..80)) {
            let key = SymmetricKey::from_bytes([5; 32]);
            let devices = [SigningKey::from_bytes([6; 32]), SigningKey::from_bytes([7; 32])];
            let stranger = SigningKey::from_bytes([8; 32]).verifying_key();
            let envelopes: Vec<(Vec<u8>, VerifyingKey)> = faults
                .iter()
                .enumerate()
                .map(|(i, fault)| {
                    let signer = &devices[i % 2];
                    let h = Header { hlc: i as u64, ..header() };
                    let mut env = seal_record(&h, format!("entry {i}").as_bytes(), &key, signer);
                    let signed = env.len() - SIGNATURE_LEN;
                    let mut author = signer.verifying_key();
                    match *fault {
                        Fault::None => {}
                        // Past the header's version byte, so that it still parses.
                        Fault::Content(at) => env[1 + at % (signed - 1)] ^= 0x01,
                        Fault::Signature(at) => env[signed + at] ^= 0x80,
                        Fault::OtherKey => author = stranger,
                    }
                    (env, author)
                })
                .collect();
            let items: Vec<(EnvelopeRef<'_>, VerifyingKey)> = envelopes
                .iter()
                .filter_map(|(env, author)| Some((EnvelopeRef::parse(env).ok()?, *author)))
                .collect();
            let alone: Vec<bool> = items.iter().map(|(e, k)| e.verify(k).is_ok()).collect();
            proptest::prop_assert_eq!(verify_envelopes(&items), alone.clone());
            let honest = faults.iter().filter(|f| matches!(f, Fault::None)).count();
            proptest::prop_assert_eq!(alone.iter().filter(|ok| **ok).count(), honest);
        }
    }
}
