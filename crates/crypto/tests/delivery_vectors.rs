//! Committed test vector for the key delivery (docs/formats.md, "Key delivery"): an organization
//! key sealed to a member's identity X25519 key and signed by the sealer's identity key.
//!
//! The test rebuilds `vectors/key_delivery_v1.json` from its fixed inputs and compares it whole,
//! then verifies the committed bytes under the sealer's key and opens the key with the recipient's
//! identity secret. A format change makes it fail; bump the format's version instead of editing the
//! file. `STINT_WRITE_VECTORS=1` rewrites it, only for a deliberate change.

mod common;

use common::{array, counting, matches_committed};
use serde::{Deserialize, Serialize};
use stint_crypto::{
    CryptoError, IdentityKeys, KEY_DELIVERY_LEN, KEY_DELIVERY_VERSION, KeyDelivery, SealSecretKey,
    SigningKey, SymmetricKey, VerifyingKey, org_key_seal_context,
};

const DELIVERY_JSON: &str = include_str!("vectors/key_delivery_v1.json");

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct DeliveryVector {
    description: String,
    org: String,
    recipient: String,
    recipient_identity_signing_seed: String,
    recipient_identity_sealing_secret: String,
    recipient_identity_sealing_public: String,
    sealer: String,
    sealer_identity_signing_seed: String,
    sealer_identity_signing_public: String,
    compartment: u8,
    epoch: u32,
    context: String,
    key: String,
    ephemeral_secret: String,
    nonce: String,
    key_delivery: String,
}

/// The vector, built from fixed inputs by the code under test.
fn build() -> DeliveryVector {
    let org: [u8; 16] = counting(0x10);
    let recipient: [u8; 16] = counting(0x20);
    let recipient_signing_seed: [u8; 32] = counting(0x30);
    let recipient_sealing_secret: [u8; 32] = counting(0x50);
    let sealer: [u8; 16] = counting(0x70);
    let sealer_signing_seed: [u8; 32] = counting(0x80);
    let compartment = 2; // finance
    let epoch = 3;
    let key: [u8; 32] = counting(0xa0);
    let ephemeral_secret: [u8; 32] = counting(0xc0);
    let nonce: [u8; 24] = counting(0xe0);
    let recipient_identity = IdentityKeys {
        signing: SigningKey::from_bytes(recipient_signing_seed),
        sealing: SealSecretKey::from_bytes(recipient_sealing_secret),
    };
    let recipient_public = recipient_identity.public(recipient);
    let sealer_key = SigningKey::from_bytes(sealer_signing_seed);
    DeliveryVector {
        description: "Key delivery v1: version | org | recipient | compartment | epoch u32 BE | \
                      sealer | sealed key v1 (to the recipient's identity X25519 key, context \
                      \"stint-org-key-sealed-v1\" ‖ org ‖ compartment ‖ epoch ‖ recipient) | \
                      Ed25519 by the sealer's identity key over \"stint-key-delivery-v1\" ‖ bytes \
                      0..159"
            .into(),
        org: hex::encode(org),
        recipient: hex::encode(recipient),
        recipient_identity_signing_seed: hex::encode(recipient_signing_seed),
        recipient_identity_sealing_secret: hex::encode(recipient_sealing_secret),
        recipient_identity_sealing_public: hex::encode(recipient_public.sealing.to_bytes()),
        sealer: hex::encode(sealer),
        sealer_identity_signing_seed: hex::encode(sealer_signing_seed),
        sealer_identity_signing_public: hex::encode(sealer_key.verifying_key().to_bytes()),
        compartment,
        epoch,
        context: hex::encode(org_key_seal_context(&org, compartment, epoch, &recipient)),
        key: hex::encode(key),
        ephemeral_secret: hex::encode(ephemeral_secret),
        nonce: hex::encode(nonce),
        key_delivery: hex::encode(KeyDelivery::seal_with(
            &SymmetricKey::from_bytes(key),
            org,
            compartment,
            epoch,
            &recipient_public,
            sealer,
            &sealer_key,
            &SealSecretKey::from_bytes(ephemeral_secret),
            nonce,
        )),
    }
}

#[test]
fn key_delivery_v1_is_exactly_what_the_fixed_inputs_produce() {
    matches_committed("key_delivery_v1.json", DELIVERY_JSON, &build());
}

#[test]
fn key_delivery_v1_verifies_and_opens() {
    let v: DeliveryVector = serde_json::from_str(DELIVERY_JSON).unwrap();
    let bytes = hex::decode(&v.key_delivery).unwrap();
    assert_eq!(bytes.len(), KEY_DELIVERY_LEN);
    assert_eq!(bytes[0], KEY_DELIVERY_VERSION);

    let sealer_public =
        VerifyingKey::from_bytes(&array(&v.sealer_identity_signing_public)).unwrap();
    assert_eq!(
        sealer_public,
        SigningKey::from_bytes(array(&v.sealer_identity_signing_seed)).verifying_key()
    );
    let recipient = IdentityKeys {
        signing: SigningKey::from_bytes(array(&v.recipient_identity_signing_seed)),
        sealing: SealSecretKey::from_bytes(array(&v.recipient_identity_sealing_secret)),
    };
    assert_eq!(
        hex::encode(recipient.sealing.public_key().to_bytes()),
        v.recipient_identity_sealing_public
    );

    let delivery = KeyDelivery::verify(&bytes, &sealer_public).unwrap();
    assert_eq!(delivery, KeyDelivery::peek(&bytes).unwrap());
    assert_eq!(
        (
            delivery.org,
            delivery.recipient,
            delivery.compartment,
            delivery.epoch,
            delivery.sealer
        ),
        (
            array(&v.org),
            array(&v.recipient),
            v.compartment,
            v.epoch,
            array(&v.sealer)
        )
    );
    assert_eq!(
        hex::encode(org_key_seal_context(
            &delivery.org,
            delivery.compartment,
            delivery.epoch,
            &delivery.recipient
        )),
        v.context
    );
    let key = delivery.open(&recipient.sealing).unwrap();
    assert_eq!(key.expose_secret(), &array::<32>(&v.key));

    // Under another identity's key (here the recipient's own): refused.
    assert!(matches!(
        KeyDelivery::verify(&bytes, &recipient.signing.verifying_key()),
        Err(CryptoError::BadSignature)
    ));
    // Opened with another identity's secret: refused.
    let stranger = SealSecretKey::from_bytes(array(&v.ephemeral_secret));
    assert!(delivery.open(&stranger).is_err());
    // Any flipped byte: refused.
    for at in 0..bytes.len() {
        let mut changed = bytes.clone();
        changed[at] ^= 0x01;
        assert!(
            KeyDelivery::verify(&changed, &sealer_public).is_err(),
            "a flipped bit at {at} was accepted"
        );
    }
}
