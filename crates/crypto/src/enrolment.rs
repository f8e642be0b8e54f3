//! Enrolling a new device from one already enrolled, by a short code (SECURITY.md, "A second
//! device"; bytes in docs/formats.md, "Enrolment").
//!
//! The new device shows a code like `482-K7Q2-9XMD`: a nameplate (three digits, so the approving
//! device finds the request among its account's) and a 40-bit secret. Both devices run SPAKE2
//! (the `spake2` crate, as magic-wormhole does) with the secret as password, relayed by the server,
//! which sees the two SPAKE2 messages but cannot test a guess of the code against them: an attacker
//! in the middle gets one guess per approval, 2⁻⁴⁰. The approving device seals the account key under
//! the key they agree on, bound to the request it saw (the new device's id and public keys), so a
//! server that swaps the keys, the SPAKE2 message or the answer makes the new device refuse it.
//!
//! - request (new device → server): `0x01 ‖ device 16 ‖ Ed25519 32 ‖ X25519 32 ‖ SPAKE2 B 33`;
//! - answer (approving device → server): `0x01 ‖ SPAKE2 A 33 ‖ nonce 24 ‖ XChaCha20-Poly1305(account
//!   key 32) ‖ tag 16`, under HKDF-SHA256(SPAKE2 key, info `stint-enrolment-answer-v1`), with the
//!   associated data `stint-enrolment-answer-v1 ‖ user 16 ‖ request`.

use std::fmt;

use spake2::{Ed25519Group, Identity, Password, Spake2};
use zeroize::{Zeroize, Zeroizing};

use crate::envelope::{NONCE_LEN, TAG_LEN};
use crate::identity::crockford;
use crate::{CryptoError, DeviceCertificate, SealPublicKey, SymmetricKey, VerifyingKey};

/// Version byte of an enrolment request and of its answer.
pub const ENROLMENT_VERSION: u8 = 1;
/// Length of a SPAKE2 message on Ed25519 (a side byte and a point).
pub const SPAKE2_MESSAGE_LEN: usize = 33;
/// Length of an enrolment request.
pub const ENROLMENT_REQUEST_LEN: usize = 1 + 16 + 32 + 32 + SPAKE2_MESSAGE_LEN;
/// Length of an enrolment answer.
pub const ENROLMENT_ANSWER_LEN: usize = 1 + SPAKE2_MESSAGE_LEN + NONCE_LEN + 32 + TAG_LEN;
/// Smallest and largest nameplate: always three digits.
pub const NAMEPLATES: std::ops::RangeInclusive<u16> = 100..=999;
/// Bytes of a code's secret: 40 bits, eight base-32 characters.
const SECRET_LEN: usize = 5;

const PASSWORD_LABEL: &[u8] = b"stint-enrolment-v1";
const ID_APPROVING: &[u8] = b"stint-approving-device";
const ID_NEW: &[u8] = b"stint-new-device";
const ANSWER_LABEL: &[u8] = b"stint-enrolment-answer-v1";

/// A code the new device shows and the person types on the approving one. Its secret is wiped on
/// drop; `Debug` shows the nameplate only.
pub struct EnrolmentCode {
    nameplate: u16,
    secret: [u8; SECRET_LEN],
}

impl EnrolmentCode {
    /// A fresh code from the operating system's random number generator.
    ///
    /// # Panics
    /// If the operating system's random number generator fails.
    pub fn generate() -> Self {
        let bytes: [u8; 2] = crate::random_array();
        let span = NAMEPLATES.end() - NAMEPLATES.start() + 1;
        let mut code = EnrolmentCode {
            nameplate: NAMEPLATES.start() + u16::from_be_bytes(bytes) % span,
            secret: [0; SECRET_LEN],
        };
        crate::fill_os_random(&mut code.secret);
        code
    }

    /// The code from its parts (test vectors).
    ///
    /// # Errors
    /// [`CryptoError::Malformed`] if the nameplate is not three digits.
    pub fn from_parts(nameplate: u16, secret: [u8; SECRET_LEN]) -> Result<Self, CryptoError> {
        if !NAMEPLATES.contains(&nameplate) {
            return Err(CryptoError::Malformed("a nameplate is three digits"));
        }
        Ok(EnrolmentCode { nameplate, secret })
    }

    /// The three digits that find the request on the server.
    pub fn nameplate(&self) -> u16 {
        self.nameplate
    }

    /// `NNN-XXXX-XXXX`.
    pub fn to_text(&self) -> Zeroizing<String> {
        let secret = Zeroizing::new(crockford().encode(&self.secret));
        Zeroizing::new(format!(
            "{}-{}-{}",
            self.nameplate,
            &secret[..4],
            &secret[4..]
        ))
    }

    /// Reads a code as typed: case, spaces and hyphens inside the secret do not matter, and O, I
    /// and L are read as 0, 1 and 1.
    ///
    /// # Errors
    /// [`CryptoError::Malformed`] if it is not three digits, a hyphen and eight letters or digits.
    pub fn from_text(text: &str) -> Result<Self, CryptoError> {
        const SHAPE: &str =
            "an enrolment code is three digits and eight letters or digits, like 482-K7Q2-9XMD";
        let text = text.trim();
        let (nameplate, secret) = text.split_once('-').ok_or(CryptoError::Malformed(SHAPE))?;
        let nameplate = nameplate
            .trim()
            .parse::<u16>()
            .map_err(|_| CryptoError::Malformed(SHAPE))?;
        let decoded = Zeroizing::new(
            crockford()
                .decode(secret.as_bytes())
                .map_err(|_| CryptoError::Malformed(SHAPE))?,
        );
        let secret: [u8; SECRET_LEN] = decoded
            .as_slice()
            .try_into()
            .map_err(|_| CryptoError::Malformed(SHAPE))?;
        EnrolmentCode::from_parts(nameplate, secret).map_err(|_| CryptoError::Malformed(SHAPE))
    }

    /// The SPAKE2 password: the label, the account, the nameplate and the secret, so a code is
    /// worth nothing for another account or request.
    fn password(&self, user: &[u8; 16]) -> Password {
        let mut bytes = Zeroizing::new(Vec::with_capacity(PASSWORD_LABEL.len() + 16 + 2 + 5));
        bytes.extend_from_slice(PASSWORD_LABEL);
        bytes.extend_from_slice(user);
        bytes.extend_from_slice(&self.nameplate.to_be_bytes());
        bytes.extend_from_slice(&self.secret);
        Password::new(bytes.as_slice())
    }
}

impl Drop for EnrolmentCode {
    fn drop(&mut self) {
        self.secret.zeroize();
    }
}

impl fmt::Debug for EnrolmentCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "EnrolmentCode({}-<redacted>)", self.nameplate)
    }
}

/// An enrolment request as the approving device reads it.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct EnrolmentRequest {
    /// The new device's id.
    pub device: [u8; 16],
    /// Its Ed25519 key, to be certified.
    pub signing: VerifyingKey,
    /// Its X25519 key, to be certified.
    pub sealing: SealPublicKey,
    message: [u8; SPAKE2_MESSAGE_LEN],
}

impl EnrolmentRequest {
    /// Parses a request strictly (the server checks the same shape).
    ///
    /// # Errors
    /// [`CryptoError::UnsupportedVersion`] or [`CryptoError::Malformed`].
    pub fn parse(bytes: &[u8]) -> Result<Self, CryptoError> {
        if bytes.len() != ENROLMENT_REQUEST_LEN {
            return Err(CryptoError::Malformed("an enrolment request is 114 bytes"));
        }
        if bytes[0] != ENROLMENT_VERSION {
            return Err(CryptoError::UnsupportedVersion(bytes[0]));
        }
        Ok(EnrolmentRequest {
            device: field(bytes, 1)?,
            signing: VerifyingKey::from_bytes(&field(bytes, 17)?)?,
            sealing: SealPublicKey::from_bytes(&field(bytes, 49)?)?,
            message: field(bytes, 81)?,
        })
    }

    /// The digits both devices show (the device certificate's fingerprint of these keys).
    pub fn fingerprint(&self) -> String {
        DeviceCertificate::fingerprint(&self.device, &self.signing, &self.sealing)
    }
}

/// The new device's side between sending its request and reading the answer.
pub struct PendingEnrolment {
    spake: Spake2<Ed25519Group>,
    user: [u8; 16],
    request: [u8; ENROLMENT_REQUEST_LEN],
    parsed: EnrolmentRequest,
}

impl fmt::Debug for PendingEnrolment {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("PendingEnrolment(<redacted>)")
    }
}

/// The new device starts: its request for the server, and what it keeps until the answer.
///
/// # Errors
/// [`CryptoError::Malformed`] only if SPAKE2 gave a message of another length than 33 bytes.
pub fn request_enrolment(
    code: &EnrolmentCode,
    user: &[u8; 16],
    device: &[u8; 16],
    signing: &VerifyingKey,
    sealing: &SealPublicKey,
) -> Result<(PendingEnrolment, [u8; ENROLMENT_REQUEST_LEN]), CryptoError> {
    let (spake, message) = Spake2::<Ed25519Group>::start_b(
        &code.password(user),
        &Identity::new(ID_APPROVING),
        &Identity::new(ID_NEW),
    );
    let message: [u8; SPAKE2_MESSAGE_LEN] = field(&message, 0)?;
    let mut request = [0u8; ENROLMENT_REQUEST_LEN];
    request[0] = ENROLMENT_VERSION;
    request[1..17].copy_from_slice(device);
    request[17..49].copy_from_slice(&signing.to_bytes());
    request[49..81].copy_from_slice(&sealing.to_bytes());
    request[81..].copy_from_slice(&message);
    let pending = PendingEnrolment {
        spake,
        user: *user,
        request,
        parsed: EnrolmentRequest {
            device: *device,
            signing: *signing,
            sealing: *sealing,
            message,
        },
    };
    Ok((pending, request))
}

/// `N` bytes of `bytes` from `at`.
fn field<const N: usize>(bytes: &[u8], at: usize) -> Result<[u8; N], CryptoError> {
    bytes
        .get(at..at + N)
        .and_then(|b| b.try_into().ok())
        .ok_or(CryptoError::Malformed("an enrolment message is cut short"))
}

/// HKDF-SHA256 of the 32-byte SPAKE2 key (no salt), info `stint-enrolment-answer-v1`.
fn answer_key(shared: &[u8]) -> Result<SymmetricKey, CryptoError> {
    Ok(SymmetricKey::from_slice(shared)?.derive(ANSWER_LABEL))
}

fn answer_aad(user: &[u8; 16], request: &[u8]) -> Vec<u8> {
    [ANSWER_LABEL, user, request].concat()
}

/// The approving device answers a request with the account key, sealed under the key SPAKE2 gives
/// with the code as typed. Returns the answer and the request as read (to show its fingerprint).
///
/// # Errors
/// [`CryptoError::Malformed`] or [`CryptoError::UnsupportedVersion`] if the request is not one.
pub fn answer_enrolment(
    code: &EnrolmentCode,
    user: &[u8; 16],
    request: &[u8],
    account_key: &SymmetricKey,
) -> Result<(Vec<u8>, EnrolmentRequest), CryptoError> {
    let parsed = EnrolmentRequest::parse(request)?;
    let (spake, message) = Spake2::<Ed25519Group>::start_a(
        &code.password(user),
        &Identity::new(ID_APPROVING),
        &Identity::new(ID_NEW),
    );
    let shared = Zeroizing::new(
        spake
            .finish(&parsed.message)
            .map_err(|_| CryptoError::Malformed("the request's SPAKE2 message is not a point"))?,
    );
    let message: [u8; SPAKE2_MESSAGE_LEN] = message
        .as_slice()
        .try_into()
        .map_err(|_| CryptoError::Malformed("a SPAKE2 message is 33 bytes"))?;
    let answer = seal_answer(
        &shared,
        &message,
        &crate::random_array(),
        user,
        request,
        account_key,
    )?;
    Ok((answer, parsed))
}

/// [`answer_enrolment`] after SPAKE2, with a given nonce (test vectors).
///
/// # Errors
/// [`CryptoError::Malformed`] if the SPAKE2 key is not 32 bytes.
pub fn seal_answer(
    shared: &[u8],
    message: &[u8; SPAKE2_MESSAGE_LEN],
    nonce: &[u8; NONCE_LEN],
    user: &[u8; 16],
    request: &[u8],
    account_key: &SymmetricKey,
) -> Result<Vec<u8>, CryptoError> {
    let key = answer_key(shared)?;
    let sealed = crate::aead::encrypt_to_vec(
        key.expose_secret(),
        nonce,
        &answer_aad(user, request),
        account_key.expose_secret(),
    );
    let mut answer = Vec::with_capacity(ENROLMENT_ANSWER_LEN);
    answer.push(ENROLMENT_VERSION);
    answer.extend_from_slice(message);
    answer.extend_from_slice(nonce);
    answer.extend_from_slice(&sealed);
    Ok(answer)
}

/// Opens an answer's sealed account key with the SPAKE2 key (test vectors; devices use
/// [`PendingEnrolment::finish`]).
///
/// # Errors
/// [`CryptoError::Decryption`] if the key, the request or the answer differ from the sealer's.
pub fn open_answer(
    shared: &[u8],
    user: &[u8; 16],
    request: &[u8],
    answer: &[u8],
) -> Result<SymmetricKey, CryptoError> {
    let sealed = answer
        .get(1 + SPAKE2_MESSAGE_LEN + NONCE_LEN..)
        .filter(|_| answer.len() == ENROLMENT_ANSWER_LEN)
        .ok_or(CryptoError::Malformed("an enrolment answer is 106 bytes"))?;
    let nonce: [u8; NONCE_LEN] = field(answer, 1 + SPAKE2_MESSAGE_LEN)?;
    let key = answer_key(shared)?;
    let opened = crate::aead::decrypt(
        key.expose_secret(),
        &nonce,
        &answer_aad(user, request),
        sealed,
    )?;
    SymmetricKey::from_slice(&opened)
}

impl PendingEnrolment {
    /// The request as sent, for the digits this device shows.
    pub fn request(&self) -> EnrolmentRequest {
        self.parsed
    }

    /// Opens the approving device's answer: the account key.
    ///
    /// # Errors
    /// [`CryptoError::Decryption`] if the code typed on the other device was not this one's, or
    /// if anything between the devices changed the request or the answer;
    /// [`CryptoError::Malformed`] or [`CryptoError::UnsupportedVersion`] if it is not an answer.
    pub fn finish(self, answer: &[u8]) -> Result<SymmetricKey, CryptoError> {
        if answer.len() != ENROLMENT_ANSWER_LEN {
            return Err(CryptoError::Malformed("an enrolment answer is 106 bytes"));
        }
        if answer[0] != ENROLMENT_VERSION {
            return Err(CryptoError::UnsupportedVersion(answer[0]));
        }
        let shared = Zeroizing::new(
            self.spake
                .finish(&answer[1..1 + SPAKE2_MESSAGE_LEN])
                .map_err(|_| CryptoError::Decryption)?,
        );
        open_answer(&shared, &self.user, &self.request, answer)
    }
}

#[cfg(test)]
mod tests;
