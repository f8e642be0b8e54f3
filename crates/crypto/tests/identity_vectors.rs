//! Committed test vectors for the identity formats (docs/formats.md, "Identity"): the recovery
//! key's text and derived key, the account key wrapped under it, the wrapped and published identity
//! keys, a device certificate and a device revocation, and both fingerprints.
//!
//! The test rebuilds `vectors/identity_v1.json` from its fixed inputs and compares it whole, then
//! opens and verifies the committed bytes. A format change makes it fail; bump the format's version
//! instead of editing the file. `STINT_WRITE_VECTORS=1` rewrites it, only for a deliberate change.

mod common;

use common::{array, counting, matches_committed};
use serde::{Deserialize, Serialize};
use stint_crypto::{
    DeviceCertificate, DeviceRevocation, IdentityKeys, IdentityPublic, RecoveryKey, SealSecretKey,
    SigningKey, SymmetricKey, unwrap_account_key, wrap_account_key_with_nonce,
};

const IDENTITY_JSON: &str = include_str!("vectors/identity_v1.json");

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct IdentityVector {
    description: String,
    recovery_secret: String,
    recovery_text: String,
    recovery_kek: String,
    user: String,
    account_key: String,
    account_nonce: String,
    wrapped_account_key: String,
    identity_signing_seed: String,
    identity_sealing_secret: String,
    identity_signing_nonce: String,
    identity_sealing_nonce: String,
    wrapped_identity_keys: String,
    identity_public: String,
    identity_fingerprint: String,
    device: String,
    device_signing_seed: String,
    device_sealing_secret: String,
    issued_ms: u64,
    device_certificate: String,
    device_fingerprint: String,
    revoked_ms: u64,
    device_revocation: String,
}

/// The vector, built from fixed inputs by the code under test.
fn build() -> IdentityVector {
    let recovery_secret: [u8; 16] = counting(0x10);
    let recovery = RecoveryKey::from_bytes(recovery_secret);
    let user: [u8; 16] = counting(0x20);
    let account_key: [u8; 32] = counting(0x30);
    let account_nonce: [u8; 24] = counting(0x50);
    let identity_signing_seed: [u8; 32] = counting(0x60);
    let identity_sealing_secret: [u8; 32] = counting(0x80);
    let (signing_nonce, sealing_nonce): ([u8; 24], [u8; 24]) = (counting(0xa0), counting(0xc0));
    let identity = IdentityKeys {
        signing: SigningKey::from_bytes(identity_signing_seed),
        sealing: SealSecretKey::from_bytes(identity_sealing_secret),
    };
    let public = identity.public(user);
    let device: [u8; 16] = counting(0xd0);
    let device_signing_seed: [u8; 32] = counting(0xe0);
    let device_sealing_secret: [u8; 32] = counting(0x01);
    let certificate = DeviceCertificate {
        user,
        device,
        signing: SigningKey::from_bytes(device_signing_seed).verifying_key(),
        sealing: SealSecretKey::from_bytes(device_sealing_secret).public_key(),
        issued_ms: 1_796_083_200_000, // 2026-12-01T00:00:00Z
    };
    let revocation = DeviceRevocation {
        user,
        device,
        revoked_ms: 1_796_169_600_000, // 2026-12-02T00:00:00Z
    };
    IdentityVector {
        description: "Identity v1: recovery key text (Crockford base 32 of secret ‖ SHA-256 check) and \
                      HKDF key; account key wrapped under it; identity keys wrapped under the account \
                      key; published identity; device certificate and revocation signed by the \
                      identity key; fingerprints"
            .into(),
        recovery_secret: hex::encode(recovery_secret),
        recovery_text: recovery.to_text().to_string(),
        recovery_kek: hex::encode(recovery.kek().expose_secret()),
        user: hex::encode(user),
        account_key: hex::encode(account_key),
        account_nonce: hex::encode(account_nonce),
        wrapped_account_key: hex::encode(wrap_account_key_with_nonce(
            &recovery,
            &SymmetricKey::from_bytes(account_key),
            &user,
            account_nonce,
        )),
        identity_signing_seed: hex::encode(identity_signing_seed),
        identity_sealing_secret: hex::encode(identity_sealing_secret),
        identity_signing_nonce: hex::encode(signing_nonce),
        identity_sealing_nonce: hex::encode(sealing_nonce),
        wrapped_identity_keys: hex::encode(identity.wrap_with_nonces(
            &SymmetricKey::from_bytes(account_key),
            &user,
            signing_nonce,
            sealing_nonce,
        )),
        identity_public: hex::encode(public.to_bytes()),
        identity_fingerprint: public.fingerprint(),
        device: hex::encode(device),
        device_signing_seed: hex::encode(device_signing_seed),
        device_sealing_secret: hex::encode(device_sealing_secret),
        issued_ms: certificate.issued_ms,
        device_certificate: hex::encode(certificate.issue(&identity.signing)),
        device_fingerprint: DeviceCertificate::fingerprint(
            &device,
            &certificate.signing,
            &certificate.sealing,
        ),
        revoked_ms: revocation.revoked_ms,
        device_revocation: hex::encode(revocation.issue(&identity.signing)),
    }
}

#[test]
fn identity_v1_is_exactly_what_the_fixed_inputs_produce() {
    matches_committed("identity_v1.json", IDENTITY_JSON, &build());
}

#[test]
fn identity_v1_opens_and_verifies() {
    let v: IdentityVector = serde_json::from_str(IDENTITY_JSON).unwrap();
    let user: [u8; 16] = array(&v.user);
    let recovery = RecoveryKey::from_text(&v.recovery_text).unwrap();
    assert_eq!(hex::encode(recovery.kek().expose_secret()), v.recovery_kek);
    let account = unwrap_account_key(
        &recovery,
        &hex::decode(&v.wrapped_account_key).unwrap(),
        &user,
    )
    .unwrap();
    assert_eq!(account.expose_secret(), &array::<32>(&v.account_key));
    let identity = IdentityKeys::unwrap(
        &account,
        &hex::decode(&v.wrapped_identity_keys).unwrap(),
        &user,
    )
    .unwrap();
    assert_eq!(
        identity.signing.expose_secret(),
        &array::<32>(&v.identity_signing_seed)
    );
    assert_eq!(
        identity.sealing.expose_secret(),
        &array::<32>(&v.identity_sealing_secret)
    );
    let public = IdentityPublic::from_bytes(&hex::decode(&v.identity_public).unwrap()).unwrap();
    assert_eq!(public, identity.public(user));
    assert_eq!(public.fingerprint(), v.identity_fingerprint);
    let certificate = DeviceCertificate::verify(
        &hex::decode(&v.device_certificate).unwrap(),
        &public.signing,
    )
    .unwrap();
    assert_eq!(
        (certificate.user, certificate.device),
        (user, array(&v.device))
    );
    assert_eq!(
        certificate.signing,
        SigningKey::from_bytes(array(&v.device_signing_seed)).verifying_key()
    );
    assert_eq!(certificate.issued_ms, v.issued_ms);
    let revocation =
        DeviceRevocation::verify(&hex::decode(&v.device_revocation).unwrap(), &public.signing)
            .unwrap();
    assert_eq!(
        (revocation.device, revocation.revoked_ms),
        (certificate.device, v.revoked_ms)
    );
}
