//! Key deliveries (docs/formats.md, "Key delivery"): one organization key sealed to a member's
//! identity and signed by the identity of the person who sealed it.
//!
//! Sealing to a public key proves nothing about who sealed: anyone, the server included, can seal
//! a key of its own making to a member. A member who opened such a key and wrote under it would be
//! writing for the server. So every organization key a device accepts comes as a delivery whose
//! signature it checks under the sealer's identity, and whose sealer it knows may hand out that
//! key (the member themselves, for their other devices; an Owner or Admin, for a member they
//! confirmed).

use crate::seal::{SEALED_KEY_LEN, open_sealed_key, seal_key, seal_key_with};
use crate::{
    CryptoError, IdentityPublic, SealSecretKey, SigningKey, SymmetricKey, VerifyingKey, field,
    org_key_seal_context,
};

/// Format version of a key delivery.
pub const KEY_DELIVERY_VERSION: u8 = 1;
/// Length of a key delivery: the signed fields (159 bytes) and an Ed25519 signature.
pub const KEY_DELIVERY_LEN: usize = SIGNED_LEN + 64;
const SIGNED_LEN: usize = 1 + 16 + 16 + 1 + 4 + 16 + SEALED_KEY_LEN;
const DELIVERY_LABEL: &[u8] = b"stint-key-delivery-v1";

/// What a key delivery says: this key of this organization's compartment and epoch is sealed to
/// `recipient`'s identity, by `sealer`.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct KeyDelivery {
    /// The organization.
    pub org: [u8; 16],
    /// The member the key is sealed to (their account id).
    pub recipient: [u8; 16],
    /// 1 team, 2 finance.
    pub compartment: u8,
    /// The key's epoch (1 at first; each rotation adds one).
    pub epoch: u32,
    /// Whose identity signed the delivery (their account id).
    pub sealer: [u8; 16],
    /// The key, as a sealed key (version 1, 105 bytes) to the recipient's identity X25519 key,
    /// under [`org_key_seal_context`].
    pub sealed: Vec<u8>,
}

impl KeyDelivery {
    /// Seals `key` to `recipient`'s published identity and signs the delivery with the sealer's
    /// identity key.
    pub fn seal(
        key: &SymmetricKey,
        org: [u8; 16],
        compartment: u8,
        epoch: u32,
        recipient: &IdentityPublic,
        sealer: [u8; 16],
        sealer_key: &SigningKey,
    ) -> [u8; KEY_DELIVERY_LEN] {
        let context = org_key_seal_context(&org, compartment, epoch, &recipient.user);
        let sealed = seal_key(key, &recipient.sealing, &context);
        Self::sign(
            org,
            recipient.user,
            compartment,
            epoch,
            sealer,
            &sealed,
            sealer_key,
        )
    }

    /// Test-vector helper: [`KeyDelivery::seal`] with a caller-chosen ephemeral secret and nonce.
    /// Never use it outside tests (see [`seal_key_with`]).
    #[doc(hidden)]
    #[allow(clippy::too_many_arguments)]
    pub fn seal_with(
        key: &SymmetricKey,
        org: [u8; 16],
        compartment: u8,
        epoch: u32,
        recipient: &IdentityPublic,
        sealer: [u8; 16],
        sealer_key: &SigningKey,
        ephemeral: &SealSecretKey,
        nonce: [u8; crate::NONCE_LEN],
    ) -> [u8; KEY_DELIVERY_LEN] {
        let context = org_key_seal_context(&org, compartment, epoch, &recipient.user);
        let sealed = seal_key_with(key, &recipient.sealing, &context, ephemeral, nonce);
        Self::sign(
            org,
            recipient.user,
            compartment,
            epoch,
            sealer,
            &sealed,
            sealer_key,
        )
    }

    fn sign(
        org: [u8; 16],
        recipient: [u8; 16],
        compartment: u8,
        epoch: u32,
        sealer: [u8; 16],
        sealed: &[u8],
        sealer_key: &SigningKey,
    ) -> [u8; KEY_DELIVERY_LEN] {
        let mut out = [0u8; KEY_DELIVERY_LEN];
        out[0] = KEY_DELIVERY_VERSION;
        out[1..17].copy_from_slice(&org);
        out[17..33].copy_from_slice(&recipient);
        out[33] = compartment;
        out[34..38].copy_from_slice(&epoch.to_be_bytes());
        out[38..54].copy_from_slice(&sealer);
        out[54..SIGNED_LEN].copy_from_slice(sealed);
        let signature = sealer_key.sign(&[DELIVERY_LABEL, &out[..SIGNED_LEN]].concat());
        out[SIGNED_LEN..].copy_from_slice(&signature);
        out
    }

    /// Reads a delivery's fields without checking its signature: to learn whose identity to
    /// check it under ([`KeyDelivery::verify`]), or for a server checking its shape.
    ///
    /// # Errors
    /// [`CryptoError::Malformed`] / [`CryptoError::UnsupportedVersion`] for bytes of another shape.
    pub fn peek(bytes: &[u8]) -> Result<Self, CryptoError> {
        let Some(&version) = bytes.first() else {
            return Err(CryptoError::Malformed("the key delivery is empty"));
        };
        if version != KEY_DELIVERY_VERSION {
            return Err(CryptoError::UnsupportedVersion(version));
        }
        let bytes: &[u8; KEY_DELIVERY_LEN] = bytes
            .try_into()
            .map_err(|_| CryptoError::Malformed("a key delivery must be exactly 223 bytes"))?;
        if bytes[54] != crate::SEALED_KEY_VERSION {
            return Err(CryptoError::UnsupportedVersion(bytes[54]));
        }
        Ok(KeyDelivery {
            org: field(bytes, 1)?,
            recipient: field(bytes, 17)?,
            compartment: bytes[33],
            epoch: u32::from_be_bytes(field(bytes, 34)?),
            sealer: field(bytes, 38)?,
            sealed: bytes[54..SIGNED_LEN].to_vec(),
        })
    }

    /// Parses a delivery and checks its signature under the sealer's identity key (strict
    /// Ed25519).
    ///
    /// # Errors
    /// As [`KeyDelivery::peek`]; [`CryptoError::BadSignature`] if `sealer` did not sign exactly
    /// these bytes.
    pub fn verify(bytes: &[u8], sealer: &VerifyingKey) -> Result<Self, CryptoError> {
        let delivery = Self::peek(bytes)?;
        let signature: [u8; 64] = field(bytes, SIGNED_LEN)?;
        sealer.verify_strict(&[DELIVERY_LABEL, &bytes[..SIGNED_LEN]].concat(), &signature)?;
        Ok(delivery)
    }

    /// Opens the key with the recipient's identity X25519 secret. A key sealed under another
    /// organization, compartment, epoch or member than the delivery names does not open.
    ///
    /// # Errors
    /// [`CryptoError::Decrypt`] (or a malformed sealed key) if it does not open.
    pub fn open(&self, recipient: &SealSecretKey) -> Result<SymmetricKey, CryptoError> {
        let context =
            org_key_seal_context(&self.org, self.compartment, self.epoch, &self.recipient);
        open_sealed_key(&self.sealed, recipient, &context)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::IdentityKeys;

    fn people() -> (IdentityKeys, IdentityKeys) {
        (
            IdentityKeys {
                signing: SigningKey::from_bytes([1; 32]),
                sealing: SealSecretKey::from_bytes([2; 32]),
            },
            IdentityKeys {
                signing: SigningKey::from_bytes([3; 32]),
                sealing: SealSecretKey::from_bytes([4; 32]),
            },
        )
    }

    /// The owner's delivery of a key to Mia: (owner, Mia, the key, the delivery).
    fn delivered(
        compartment: u8,
        epoch: u32,
    ) -> (
        IdentityKeys,
        IdentityKeys,
        SymmetricKey,
        [u8; KEY_DELIVERY_LEN],
    ) {
        let (owner, mia) = people();
        let key = SymmetricKey::from_bytes([7; 32]);
        let bytes = KeyDelivery::seal(
            &key,
            [9; 16],
            compartment,
            epoch,
            &mia.public([5; 16]),
            [6; 16],
            &owner.signing,
        );
        (owner, mia, key, bytes)
    }

    #[test]
    fn a_delivery_opens_for_its_recipient_under_its_sealers_signature() {
        let (owner, mia, key, bytes) = delivered(1, 3);
        assert_eq!(bytes.len(), KEY_DELIVERY_LEN);
        let delivery = KeyDelivery::verify(&bytes, &owner.signing.verifying_key()).unwrap();
        assert_eq!(
            (
                delivery.org,
                delivery.recipient,
                delivery.compartment,
                delivery.epoch,
                delivery.sealer
            ),
            ([9; 16], [5; 16], 1, 3, [6; 16])
        );
        assert_eq!(
            delivery.open(&mia.sealing).unwrap().expose_secret(),
            key.expose_secret()
        );
        // Signed by someone else: refused. Opened by someone else: refused.
        assert!(matches!(
            KeyDelivery::verify(&bytes, &mia.signing.verifying_key()),
            Err(CryptoError::BadSignature)
        ));
        assert!(delivery.open(&owner.sealing).is_err());
    }

    #[test]
    fn every_changed_byte_is_caught() {
        let (owner, _, _, bytes) = delivered(2, 1);
        let sealer = owner.signing.verifying_key();
        for at in 0..KEY_DELIVERY_LEN {
            let mut changed = bytes;
            changed[at] ^= 0x01;
            assert!(
                KeyDelivery::verify(&changed, &sealer).is_err(),
                "a flipped bit at {at} was accepted"
            );
        }
        assert!(KeyDelivery::peek(&bytes[..KEY_DELIVERY_LEN - 1]).is_err());
        assert!(KeyDelivery::peek(&[]).is_err());
    }

    #[test]
    fn fields_moved_under_a_valid_signature_do_not_open() {
        // A sealer who signs a delivery naming another epoch than the key was sealed for gains
        // nothing: the sealed key's context is checked on opening.
        let (owner, mia) = people();
        let key = SymmetricKey::from_bytes([7; 32]);
        let public = mia.public([5; 16]);
        let context = org_key_seal_context(&[9; 16], 1, 1, &public.user);
        let sealed = seal_key(&key, &public.sealing, &context);
        let bytes = KeyDelivery::sign([9; 16], [5; 16], 1, 2, [6; 16], &sealed, &owner.signing);
        let delivery = KeyDelivery::verify(&bytes, &owner.signing.verifying_key()).unwrap();
        assert!(delivery.open(&mia.sealing).is_err());
    }
}
