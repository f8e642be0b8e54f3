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
    /// random linear combination of the signature equations, `true` if it holds (then all
    /// verify, but for a chance of 2^-128).
    ///
    /// The equation is ed25519-dalek's `verify_batch` (no cofactor; `s` canonical, `R` a point),
    /// with the terms of signatures under the same key summed first: a batch from one device is
    /// a multiscalar multiplication of n + 2 points, not 2n + 1, about half the work (the
    /// coalescing ed25519-zebra does). The coefficients are 128 bits each, drawn from a hash of
    /// every input (Fiat-Shamir, as ed25519-dalek draws its own): no signer can choose them.
    #[allow(non_snake_case)]
    pub(crate) fn verify_batch(
        messages: &[&[u8]],
        signatures: &[[u8; 64]],
        keys: &[VerifyingKey],
    ) -> bool {
        use curve25519_dalek::constants::ED25519_BASEPOINT_POINT;
        use curve25519_dalek::edwards::{CompressedEdwardsY, EdwardsPoint};
        use curve25519_dalek::scalar::Scalar;
        use curve25519_dalek::traits::{IsIdentity, VartimeMultiscalarMul};
        use sha2::{Digest, Sha512};

        let n = signatures.len();
        if messages.len() != n || keys.len() != n {
            return false;
        }
        // Each signature's R, s and k = H(R || A || M); every k and s feeds the coefficients.
        let mut Rs = Vec::with_capacity(n);
        let mut ss = Vec::with_capacity(n);
        let mut ks = Vec::with_capacity(n);
        let mut transcript = Sha512::new_with_prefix(BATCH_LABEL);
        for ((signature, key), message) in signatures.iter().zip(keys).zip(messages) {
            let (r, s) = signature.split_at(32);
            let (Ok(r), Ok(s)) = (<[u8; 32]>::try_from(r), <[u8; 32]>::try_from(s)) else {
                return false;
            };
            let Some(s) = Option::<Scalar>::from(Scalar::from_canonical_bytes(s)) else {
                return false;
            };
            let Some(R) = CompressedEdwardsY(r).decompress() else {
                return false;
            };
            let k: [u8; 64] = Sha512::new()
                .chain_update(r)
                .chain_update(key.0.as_bytes())
                .chain_update(message)
                .finalize()
                .into();
            transcript.update(k);
            transcript.update(s.as_bytes());
            Rs.push(R);
            ss.push(s);
            ks.push(Scalar::from_bytes_mod_order_wide(&k));
        }
        let seed = transcript.finalize();
        // Four 128-bit coefficients from each hash of the seed and a counter.
        let zs: Vec<Scalar> = (0..n.div_ceil(4) as u64)
            .flat_map(|block| {
                let bytes: [u8; 64] = Sha512::new()
                    .chain_update(seed)
                    .chain_update(block.to_le_bytes())
                    .finalize()
                    .into();
                (0..4).map(move |i| {
                    let mut z = [0u8; 32];
                    z[..16].copy_from_slice(&bytes[16 * i..16 * (i + 1)]);
                    Scalar::from_bytes_mod_order(z)
                })
            })
            .take(n)
            .collect();
        // [-Σ z·s]B + Σ [z]R + Σ over keys [Σ z·k]A = 0.
        let mut B_coefficient = Scalar::ZERO;
        // Each key once, with the sum of its signatures' z·k.
        let mut As: Vec<(EdwardsPoint, Scalar)> = Vec::new();
        let mut index: std::collections::HashMap<&[u8; 32], usize> =
            std::collections::HashMap::new();
        for (((s, k), z), key) in ss.iter().zip(&ks).zip(&zs).zip(keys) {
            B_coefficient -= z * s;
            let at = *index.entry(key.0.as_bytes()).or_insert_with(|| {
                As.push((key.0.to_edwards(), Scalar::ZERO));
                As.len() - 1
            });
            As[at].1 += z * k;
        }
        let scalars = std::iter::once(B_coefficient)
            .chain(zs.iter().copied())
            .chain(As.iter().map(|(_, c)| *c));
        let points = std::iter::once(ED25519_BASEPOINT_POINT)
            .chain(Rs)
            .chain(As.iter().map(|(a, _)| *a));
        EdwardsPoint::vartime_multiscalar_mul(scalars, points).is_identity()
    }
}

/// What a batch's coefficients are drawn under ([`VerifyingKey::verify_batch`]).
const BATCH_LABEL: &[u8] = b"stint ed25519 batch v1";

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
    use crate::envelope::tests::{Fault, fault};

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

    /// A batch's signatures: message `i` signed by `signers[i % signers.len()]`.
    fn signed_batch(
        signers: &[SigningKey],
        n: usize,
    ) -> (Vec<Vec<u8>>, Vec<[u8; 64]>, Vec<VerifyingKey>) {
        let messages: Vec<Vec<u8>> = (0..n).map(|i| format!("record {i}").into_bytes()).collect();
        let signatures = messages
            .iter()
            .enumerate()
            .map(|(i, m)| signers[i % signers.len()].sign(m))
            .collect();
        let keys = (0..n)
            .map(|i| signers[i % signers.len()].verifying_key())
            .collect();
        (messages, signatures, keys)
    }

    fn batch(messages: &[Vec<u8>], signatures: &[[u8; 64]], keys: &[VerifyingKey]) -> bool {
        let slices: Vec<&[u8]> = messages.iter().map(Vec::as_slice).collect();
        VerifyingKey::verify_batch(&slices, signatures, keys)
    }

    /// ed25519-dalek's own batch verification, which ours must answer as.
    fn dalek_batch(messages: &[Vec<u8>], signatures: &[[u8; 64]], keys: &[VerifyingKey]) -> bool {
        let slices: Vec<&[u8]> = messages.iter().map(Vec::as_slice).collect();
        let signatures: Vec<ed25519_dalek::Signature> = signatures
            .iter()
            .map(ed25519_dalek::Signature::from_bytes)
            .collect();
        let keys: Vec<ed25519_dalek::VerifyingKey> = keys.iter().map(|k| k.0).collect();
        ed25519_dalek::verify_batch(&slices, &signatures, &keys).is_ok()
    }

    #[test]
    fn a_batch_of_good_signatures_verifies_under_one_key_or_many() {
        let signers: Vec<SigningKey> = (1..=5).map(|b| SigningKey::from_bytes([b; 32])).collect();
        for (keys, n) in [(1, 1), (1, 300), (5, 300), (5, 3)] {
            let (messages, signatures, keys) = signed_batch(&signers[..keys], n);
            assert!(batch(&messages, &signatures, &keys), "{n} signatures");
        }
        // Lengths that do not match are no batch.
        let (messages, signatures, keys) = signed_batch(&signers[..1], 4);
        assert!(!batch(&messages[..3], &signatures, &keys));
        assert!(!batch(&messages, &signatures, &keys[..3]));
    }

    /// A signature whose `s` is not below the group order (the same `s` plus it: a valid
    /// signature's malleated twin) is refused, as strict verification refuses it.
    #[test]
    fn a_batch_refuses_a_non_canonical_s() {
        let signer = SigningKey::from_bytes([9; 32]);
        let (messages, mut signatures, keys) = signed_batch(std::slice::from_ref(&signer), 8);
        // ℓ = 2^252 + 27742317777372353535851937790883648493, little-endian.
        let order: [u8; 32] = [
            0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7, 0xa2, 0xde, 0xf9,
            0xde, 0x14, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10,
        ];
        let mut carry = 0u16;
        for (s, l) in signatures[3][32..].iter_mut().zip(order) {
            let sum = u16::from(*s) + u16::from(l) + carry;
            *s = sum as u8;
            carry = sum >> 8;
        }
        assert_eq!(carry, 0, "s + ℓ fits in 32 bytes");
        assert!(keys[3].verify_strict(&messages[3], &signatures[3]).is_err());
        assert!(!batch(&messages, &signatures, &keys));
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(64))]

        /// Whatever is wrong with which signatures, under however many keys, the batch answers
        /// as ed25519-dalek's batch does, and as checking each strictly does: all good, or not.
        #[test]
        fn a_batch_answers_as_ed25519_dalek_and_one_by_one(
            faults in proptest::collection::vec(fault(), 1..40),
            signers in 1..4usize,
        ) {
            let keys: Vec<SigningKey> =
                (0..signers as u8).map(|b| SigningKey::from_bytes([b + 20; 32])).collect();
            let stranger = SigningKey::from_bytes([99; 32]).verifying_key();
            let (mut messages, mut signatures, mut authors) = signed_batch(&keys, faults.len());
            for (i, f) in faults.iter().enumerate() {
                match *f {
                    Fault::None => {}
                    Fault::Content(at) => {
                        let len = messages[i].len();
                        messages[i][at % len] ^= 0x01;
                    }
                    Fault::Signature(at) => signatures[i][at] ^= 0x80,
                    Fault::OtherKey => authors[i] = stranger,
                }
            }
            let alone = messages
                .iter()
                .zip(&signatures)
                .zip(&authors)
                .all(|((m, s), k)| k.verify_strict(m, s).is_ok());
            proptest::prop_assert_eq!(alone, faults.iter().all(|f| matches!(f, Fault::None)));
            proptest::prop_assert_eq!(batch(&messages, &signatures, &authors), alone);
            proptest::prop_assert_eq!(dalek_batch(&messages, &signatures, &authors), alone);
        }
    }
}
