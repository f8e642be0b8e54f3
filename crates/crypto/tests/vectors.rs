//! Committed test vectors pin every byte format (see `docs/formats.md`).
//!
//! Each vector file holds fixed inputs and the bytes they must produce. The tests rebuild the
//! bytes from the file's inputs and compare, then open the committed bytes. A change to any
//! format makes these tests fail; that is the point. If a format change is intended, bump its
//! version byte instead of editing the vectors.
//!
//! The files were written once by `write_vector_files` below:
//! `STINT_WRITE_VECTORS=1 cargo test -p stint-crypto --test vectors`.

mod common;

use common::{array, bytes, counting};
use serde::{Deserialize, Serialize};
use stint_crypto::{
    EnvelopeRef, Header, PassphraseParams, RowColumns, SealPublicKey, SealSecretKey, SigningKey,
    SymmetricKey, VerifyingKey, open_device_label, open_record, open_sealed_key, open_secret,
    row_seal_version, seal_device_label_with_nonce, seal_key_with, seal_record_v1_with_nonce,
    seal_record_with_nonce, seal_row, seal_row_v1, seal_secret_with_nonce, unwrap_key,
    unwrap_signing_key, verify_row_columns, verify_row_seal, verify_row_seal_v1,
    wrap_key_with_nonce, wrap_signing_key_with_nonce,
};

const ENVELOPE_JSON: &str = include_str!("vectors/envelope_v1.json");
const ENVELOPE_V2_JSON: &str = include_str!("vectors/envelope_v2.json");
const WRAPPED_KEY_JSON: &str = include_str!("vectors/wrapped_key_v1.json");
const SEALED_KEY_JSON: &str = include_str!("vectors/sealed_key_v1.json");
const PASSPHRASE_JSON: &str = include_str!("vectors/passphrase_v1.json");
const KDF_MAC_JSON: &str = include_str!("vectors/kdf_mac_v1.json");
const SEALED_SECRET_JSON: &str = include_str!("vectors/sealed_secret_v1.json");
const DEVICE_LABEL_JSON: &str = include_str!("vectors/device_label_v1.json");
const ROW_SEAL_V1_JSON: &str = include_str!("vectors/row_seal_v1.json");
const ROW_SEAL_V2_JSON: &str = include_str!("vectors/row_seal_v2.json");

// ---------------------------------------------------------------------------------------------
// File shapes (all byte strings are lowercase hex)
// ---------------------------------------------------------------------------------------------

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct HeaderFields {
    org: String,
    record: String,
    kind: u16,
    compartment: u8,
    epoch: u32,
    author_user: String,
    author_device: String,
    hlc: u64,
    tombstone: bool,
    /// Version 2 only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    owner: Option<String>,
    /// Version 2 only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    log: Option<u32>,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct EnvelopeVector {
    description: String,
    compartment_key: String,
    signing_key_seed: String,
    verifying_key: String,
    nonce: String,
    header: HeaderFields,
    header_bytes: String,
    plaintext_utf8: String,
    envelope: String,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct DeviceLabelVector {
    description: String,
    account_key: String,
    user: String,
    device: String,
    name: String,
    nonce: String,
    label: String,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct SealedSecretVector {
    description: String,
    key: String,
    secret_utf8: String,
    context_utf8: String,
    nonce: String,
    sealed: String,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct WrappedKeyVector {
    description: String,
    kek: String,
    key: String,
    context: String,
    nonce: String,
    wrapped: String,
    signing_key_seed: String,
    signing_context: String,
    signing_nonce: String,
    wrapped_signing_key: String,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct SealedKeyVector {
    description: String,
    recipient_secret: String,
    recipient_public: String,
    ephemeral_secret: String,
    ephemeral_public: String,
    nonce: String,
    context: String,
    key: String,
    sealed: String,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct PassphraseVector {
    description: String,
    passphrase_utf8: String,
    m_cost_kib: u32,
    t_cost: u32,
    p_cost: u32,
    salt: String,
    params: String,
    key: String,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct KdfMacVector {
    description: String,
    key: String,
    derive_info: String,
    derived: String,
    mac_parts: Vec<String>,
    mac: String,
}

/// The vault's row seal. `seal_key` = `device_key.derive(seal_key_info)`; `org` and `id` are the
/// row's columns (format 1 took `org` from the envelope's header, the same bytes in a sound row).
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct RowSealVector {
    description: String,
    device_key: String,
    seal_key_info: String,
    seal_key: String,
    org: String,
    id: String,
    kind: u16,
    hlc: u64,
    signature: String,
    seal: String,
}

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

fn header_from(fields: &HeaderFields) -> Header {
    Header {
        org: array(&fields.org),
        record: array(&fields.record),
        kind: fields.kind,
        compartment: fields.compartment,
        epoch: fields.epoch,
        author_user: array(&fields.author_user),
        author_device: array(&fields.author_device),
        hlc: fields.hlc,
        tombstone: fields.tombstone,
        owner: fields.owner.as_deref().map_or([0; 16], array),
        log: fields.log.unwrap_or(0),
    }
}

fn header_fields(header: &Header, v2: bool) -> HeaderFields {
    HeaderFields {
        org: hex::encode(header.org),
        record: hex::encode(header.record),
        kind: header.kind,
        compartment: header.compartment,
        epoch: header.epoch,
        author_user: hex::encode(header.author_user),
        author_device: hex::encode(header.author_device),
        hlc: header.hlc,
        tombstone: header.tombstone,
        owner: v2.then(|| hex::encode(header.owner)),
        log: v2.then_some(header.log),
    }
}

// ---------------------------------------------------------------------------------------------
// Envelopes: version 1, and version 2 (the header names an owner and a membership log position)
// ---------------------------------------------------------------------------------------------

/// How a version's envelope is rebuilt from a vector's inputs.
type Sealer = fn(&Header, &[u8], &SymmetricKey, &SigningKey, [u8; 24]) -> Vec<u8>;

/// Rebuilds the vector's header and envelope with `seal` and compares the bytes.
fn envelope_is_stable(json: &str, header_bytes: fn(&Header) -> Vec<u8>, seal: Sealer) {
    let v: EnvelopeVector = serde_json::from_str(json).unwrap();
    let key = SymmetricKey::from_bytes(array(&v.compartment_key));
    let signer = SigningKey::from_bytes(array(&v.signing_key_seed));
    let header = header_from(&v.header);

    assert_eq!(
        hex::encode(signer.verifying_key().to_bytes()),
        v.verifying_key
    );
    assert_eq!(hex::encode(header_bytes(&header)), v.header_bytes);
    let rebuilt = seal(
        &header,
        v.plaintext_utf8.as_bytes(),
        &key,
        &signer,
        array(&v.nonce),
    );
    assert_eq!(
        hex::encode(&rebuilt),
        v.envelope,
        "{} changed",
        v.description
    );
}

/// Opens the vector's committed envelope and checks what it holds.
fn envelope_opens(json: &str) {
    let v: EnvelopeVector = serde_json::from_str(json).unwrap();
    let key = SymmetricKey::from_bytes(array(&v.compartment_key));
    let author = VerifyingKey::from_bytes(&array(&v.verifying_key)).unwrap();
    let envelope = bytes(&v.envelope);

    let (header, plaintext) = open_record(&envelope, &key, &author).unwrap();
    assert_eq!(header, header_from(&v.header));
    assert_eq!(std::str::from_utf8(&plaintext).unwrap(), v.plaintext_utf8);

    let parsed = EnvelopeRef::parse(&envelope).unwrap();
    assert_eq!(hex::encode(parsed.header_bytes), v.header_bytes);
    assert_eq!(hex::encode(parsed.nonce), v.nonce);
    assert_eq!(parsed.ciphertext.len(), v.plaintext_utf8.len() + 16);
}

#[test]
fn envelope_v1_is_stable() {
    envelope_is_stable(
        ENVELOPE_JSON,
        |h| h.to_bytes_v1().to_vec(),
        seal_record_v1_with_nonce,
    );
}

#[test]
fn envelope_v1_opens() {
    envelope_opens(ENVELOPE_JSON);
}

#[test]
fn envelope_v2_is_stable() {
    envelope_is_stable(
        ENVELOPE_V2_JSON,
        |h| h.to_bytes().to_vec(),
        seal_record_with_nonce,
    );
}

#[test]
fn envelope_v2_opens() {
    envelope_opens(ENVELOPE_V2_JSON);
}

// ---------------------------------------------------------------------------------------------
// Wrapped key v1
// ---------------------------------------------------------------------------------------------

#[test]
fn wrapped_key_v1_is_stable() {
    let v: WrappedKeyVector = serde_json::from_str(WRAPPED_KEY_JSON).unwrap();
    let kek = SymmetricKey::from_bytes(array(&v.kek));
    let key = SymmetricKey::from_bytes(array(&v.key));
    let wrapped = wrap_key_with_nonce(&kek, &key, &bytes(&v.context), array(&v.nonce));
    assert_eq!(
        hex::encode(wrapped),
        v.wrapped,
        "wrapped key v1 bytes changed"
    );

    let signing = SigningKey::from_bytes(array(&v.signing_key_seed));
    let wrapped_signing = wrap_signing_key_with_nonce(
        &kek,
        &signing,
        &bytes(&v.signing_context),
        array(&v.signing_nonce),
    );
    assert_eq!(hex::encode(wrapped_signing), v.wrapped_signing_key);
}

#[test]
fn wrapped_key_v1_opens() {
    let v: WrappedKeyVector = serde_json::from_str(WRAPPED_KEY_JSON).unwrap();
    let kek = SymmetricKey::from_bytes(array(&v.kek));
    let key = unwrap_key(&kek, &bytes(&v.wrapped), &bytes(&v.context)).unwrap();
    assert_eq!(hex::encode(key.expose_secret()), v.key);

    let signing = unwrap_signing_key(
        &kek,
        &bytes(&v.wrapped_signing_key),
        &bytes(&v.signing_context),
    )
    .unwrap();
    assert_eq!(hex::encode(signing.expose_secret()), v.signing_key_seed);
}

#[test]
fn device_label_v1_is_stable_and_opens() {
    let v: DeviceLabelVector = serde_json::from_str(DEVICE_LABEL_JSON).unwrap();
    let key = SymmetricKey::from_bytes(array(&v.account_key));
    let (user, device) = (array(&v.user), array(&v.device));
    let label =
        seal_device_label_with_nonce(&key, &user, &device, &v.name, array(&v.nonce)).unwrap();
    assert_eq!(
        hex::encode(&label),
        v.label,
        "device label v1 bytes changed"
    );
    let opened = open_device_label(&key, &user, &device, &bytes(&v.label)).unwrap();
    assert_eq!(opened, v.name);
}

#[test]
fn sealed_secret_v1_is_stable_and_opens() {
    let v: SealedSecretVector = serde_json::from_str(SEALED_SECRET_JSON).unwrap();
    let key = SymmetricKey::from_bytes(array(&v.key));
    let sealed = seal_secret_with_nonce(
        &key,
        v.secret_utf8.as_bytes(),
        v.context_utf8.as_bytes(),
        array(&v.nonce),
    )
    .unwrap();
    assert_eq!(
        hex::encode(&sealed),
        v.sealed,
        "sealed secret v1 bytes changed"
    );
    let opened = open_secret(&key, &bytes(&v.sealed), v.context_utf8.as_bytes()).unwrap();
    assert_eq!(opened.as_slice(), v.secret_utf8.as_bytes());
}

// ---------------------------------------------------------------------------------------------
// Sealed key v1
// ---------------------------------------------------------------------------------------------

#[test]
fn sealed_key_v1_is_stable() {
    let v: SealedKeyVector = serde_json::from_str(SEALED_KEY_JSON).unwrap();
    let recipient = SealSecretKey::from_bytes(array(&v.recipient_secret));
    let ephemeral = SealSecretKey::from_bytes(array(&v.ephemeral_secret));
    assert_eq!(
        hex::encode(recipient.public_key().to_bytes()),
        v.recipient_public
    );
    assert_eq!(
        hex::encode(ephemeral.public_key().to_bytes()),
        v.ephemeral_public
    );

    let to = SealPublicKey::from_bytes(&array(&v.recipient_public)).unwrap();
    let key = SymmetricKey::from_bytes(array(&v.key));
    let sealed = seal_key_with(&key, &to, &bytes(&v.context), &ephemeral, array(&v.nonce));
    assert_eq!(hex::encode(sealed), v.sealed, "sealed key v1 bytes changed");
}

#[test]
fn sealed_key_v1_opens() {
    let v: SealedKeyVector = serde_json::from_str(SEALED_KEY_JSON).unwrap();
    let recipient = SealSecretKey::from_bytes(array(&v.recipient_secret));
    let key = open_sealed_key(&bytes(&v.sealed), &recipient, &bytes(&v.context)).unwrap();
    assert_eq!(hex::encode(key.expose_secret()), v.key);
}

// ---------------------------------------------------------------------------------------------
// Passphrase params v1
// ---------------------------------------------------------------------------------------------

#[test]
fn passphrase_v1_is_stable() {
    let v: PassphraseVector = serde_json::from_str(PASSPHRASE_JSON).unwrap();
    let params = PassphraseParams {
        m_cost_kib: v.m_cost_kib,
        t_cost: v.t_cost,
        p_cost: v.p_cost,
        salt: array(&v.salt),
    };
    assert_eq!(hex::encode(params.to_bytes()), v.params);
    assert_eq!(PassphraseParams::from_bytes(&bytes(&v.params)), Ok(params));

    let key = params.derive(v.passphrase_utf8.as_bytes()).unwrap();
    assert_eq!(
        hex::encode(key.expose_secret()),
        v.key,
        "passphrase derivation changed"
    );
}

// ---------------------------------------------------------------------------------------------
// Subkey derivation and MAC
// ---------------------------------------------------------------------------------------------

#[test]
fn kdf_and_mac_v1_are_stable() {
    let v: KdfMacVector = serde_json::from_str(KDF_MAC_JSON).unwrap();
    let key = SymmetricKey::from_bytes(array(&v.key));
    let derived = key.derive(&bytes(&v.derive_info));
    assert_eq!(hex::encode(derived.expose_secret()), v.derived);

    let parts: Vec<Vec<u8>> = v.mac_parts.iter().map(|p| bytes(p)).collect();
    let parts: Vec<&[u8]> = parts.iter().map(Vec::as_slice).collect();
    assert_eq!(hex::encode(key.mac(&parts)), v.mac);
    assert!(key.verify_mac(&parts, &bytes(&v.mac)));
}

// ---------------------------------------------------------------------------------------------
// Row seals (the vault's `records.seal`), formats 1 and 2
// ---------------------------------------------------------------------------------------------

fn row_seal_inputs(v: &RowSealVector) -> (SymmetricKey, RowColumns, [u8; 64]) {
    let device_key = SymmetricKey::from_bytes(array(&v.device_key));
    let seal_key = device_key.derive(&bytes(&v.seal_key_info));
    assert_eq!(hex::encode(seal_key.expose_secret()), v.seal_key);
    let row = RowColumns {
        org: array(&v.org),
        id: array(&v.id),
        kind: v.kind,
        hlc: v.hlc,
    };
    (seal_key, row, array(&v.signature))
}

#[test]
fn row_seal_v2_is_stable_and_verifies() {
    let v: RowSealVector = serde_json::from_str(ROW_SEAL_V2_JSON).unwrap();
    let (key, row, signature) = row_seal_inputs(&v);
    assert_eq!(
        hex::encode(seal_row(&key, &row, &signature)),
        v.seal,
        "row seal v2 bytes changed"
    );
    let seal = bytes(&v.seal);
    assert_eq!(row_seal_version(&seal), Some(2));
    assert!(verify_row_seal(&key, &row, &signature, &seal));
    assert!(verify_row_columns(&key, &row, &seal));
    let other_kind = RowColumns { kind: 11, ..row };
    assert!(!verify_row_seal(&key, &other_kind, &signature, &seal));
    assert!(!verify_row_columns(&key, &other_kind, &seal));
}

#[test]
fn row_seal_v1_is_stable_and_verifies() {
    let v: RowSealVector = serde_json::from_str(ROW_SEAL_V1_JSON).unwrap();
    let (key, row, signature) = row_seal_inputs(&v);
    assert_eq!(
        hex::encode(seal_row_v1(&key, &row.org, &row.id, &signature)),
        v.seal,
        "row seal v1 bytes changed"
    );
    let seal = bytes(&v.seal);
    assert_eq!(row_seal_version(&seal), Some(1));
    assert!(verify_row_seal_v1(
        &key, &row.org, &row.id, &signature, &seal
    ));
    assert!(!verify_row_seal(&key, &row, &signature, &seal));
}

// ---------------------------------------------------------------------------------------------
// One-off writer of the vector files
// ---------------------------------------------------------------------------------------------

/// Writes the vector files from fixed inputs. Run only on purpose, when adding a new format
/// version; never to make a failing stability test pass.
#[test]
fn vector_files_are_exactly_what_the_fixed_inputs_produce() {
    // Rebuilds every file from its fixed inputs and compares it, whole, with the committed one.
    // With STINT_WRITE_VECTORS=1 it (re)writes the files instead: only for a deliberate format change.
    let writing = std::env::var_os("STINT_WRITE_VECTORS").is_some();
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/vectors");
    let write = |name: &str, json: String| {
        let path = dir.join(name);
        if writing {
            std::fs::write(&path, json + "\n").unwrap();
        } else {
            let committed = std::fs::read_to_string(&path).unwrap();
            assert_eq!(
                committed,
                json + "\n",
                "{name} differs from what the code produces"
            );
        }
    };

    // Envelope v1.
    let key_bytes: [u8; 32] = counting(0x00);
    let seed: [u8; 32] = counting(0x20);
    let nonce: [u8; 24] = counting(0x40);
    let header = Header {
        org: counting(0x60),
        record: counting(0x70),
        kind: 3,
        compartment: 1,
        epoch: 7,
        author_user: counting(0x80),
        author_device: counting(0x90),
        hlc: 0x0001_8f3a_5c2e_0001,
        tombstone: false,
        owner: [0; 16],
        log: 0,
    };
    let plaintext = "Müller & Søn — 1h30";
    let signer = SigningKey::from_bytes(seed);
    let envelope = seal_record_v1_with_nonce(
        &header,
        plaintext.as_bytes(),
        &SymmetricKey::from_bytes(key_bytes),
        &signer,
        nonce,
    );
    let v = EnvelopeVector {
        description: "Record envelope v1: header | nonce | ciphertext_len u32 BE | ciphertext+tag | Ed25519 signature".into(),
        compartment_key: hex::encode(key_bytes),
        signing_key_seed: hex::encode(seed),
        verifying_key: hex::encode(signer.verifying_key().to_bytes()),
        nonce: hex::encode(nonce),
        header: header_fields(&header, false),
        header_bytes: hex::encode(header.to_bytes_v1()),
        plaintext_utf8: plaintext.into(),
        envelope: hex::encode(&envelope),
    };
    write(
        "envelope_v1.json",
        serde_json::to_string_pretty(&v).unwrap(),
    );

    // Envelope v2: a time entry (kind 9) of member 0xb0.. written by another user (an admin).
    let header_v2 = Header {
        kind: 9,
        owner: counting(0xb0),
        log: 5,
        ..header
    };
    let envelope_v2 = seal_record_with_nonce(
        &header_v2,
        plaintext.as_bytes(),
        &SymmetricKey::from_bytes(key_bytes),
        &signer,
        nonce,
    );
    let v = EnvelopeVector {
        description: "Record envelope v2: header (101: v1's 81 | owner [16] | log u32 BE) | nonce | ciphertext_len u32 BE | ciphertext+tag | Ed25519 signature".into(),
        compartment_key: hex::encode(key_bytes),
        signing_key_seed: hex::encode(seed),
        verifying_key: hex::encode(signer.verifying_key().to_bytes()),
        nonce: hex::encode(nonce),
        header: header_fields(&header_v2, true),
        header_bytes: hex::encode(header_v2.to_bytes()),
        plaintext_utf8: plaintext.into(),
        envelope: hex::encode(&envelope_v2),
    };
    write(
        "envelope_v2.json",
        serde_json::to_string_pretty(&v).unwrap(),
    );

    // Wrapped key v1. Context: org id (16) | compartment u8 | epoch u32 BE.
    let kek: [u8; 32] = counting(0xa0);
    let key: [u8; 32] = counting(0xc0);
    let mut context = counting::<16>(0x60).to_vec();
    context.push(1);
    context.extend_from_slice(&7u32.to_be_bytes());
    let wrap_nonce: [u8; 24] = counting(0xe0);
    let signing_seed: [u8; 32] = counting(0x20);
    let signing_context = b"stint-account-signing-key".to_vec();
    let signing_nonce: [u8; 24] = counting(0x10);
    let kek_key = SymmetricKey::from_bytes(kek);
    let v = WrappedKeyVector {
        description: "Wrapped key v1: version | nonce | XChaCha20-Poly1305(key) with AAD \"stint-wrap-v1\" || context".into(),
        kek: hex::encode(kek),
        key: hex::encode(key),
        context: hex::encode(&context),
        nonce: hex::encode(wrap_nonce),
        wrapped: hex::encode(wrap_key_with_nonce(
            &kek_key,
            &SymmetricKey::from_bytes(key),
            &context,
            wrap_nonce,
        )),
        signing_key_seed: hex::encode(signing_seed),
        signing_context: hex::encode(&signing_context),
        signing_nonce: hex::encode(signing_nonce),
        wrapped_signing_key: hex::encode(wrap_signing_key_with_nonce(
            &kek_key,
            &SigningKey::from_bytes(signing_seed),
            &signing_context,
            signing_nonce,
        )),
    };
    write(
        "wrapped_key_v1.json",
        serde_json::to_string_pretty(&v).unwrap(),
    );

    // Sealed secret v1.
    let secret_key: [u8; 32] = counting(0x50);
    let secret_nonce: [u8; 24] = counting(0x70);
    let secret = "sts_00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";
    let secret_context = "server-session https://stint.example.org";
    let v = SealedSecretVector {
        description: "Sealed secret v1: version | nonce | XChaCha20-Poly1305(secret) with AAD \"stint-secret-v1\" || context".into(),
        key: hex::encode(secret_key),
        secret_utf8: secret.into(),
        context_utf8: secret_context.into(),
        nonce: hex::encode(secret_nonce),
        sealed: hex::encode(
            seal_secret_with_nonce(
                &SymmetricKey::from_bytes(secret_key),
                secret.as_bytes(),
                secret_context.as_bytes(),
                secret_nonce,
            )
            .unwrap(),
        ),
    };
    write(
        "sealed_secret_v1.json",
        serde_json::to_string_pretty(&v).unwrap(),
    );

    // Device label v1.
    let label_key: [u8; 32] = counting(0xa1);
    let (label_user, label_device): ([u8; 16], [u8; 16]) = (counting(0xc1), counting(0xd1));
    let label_nonce: [u8; 24] = counting(0xe1);
    let name = "Ada’s laptop";
    let v = DeviceLabelVector {
        description: "Device label v1: a sealed secret v1 of the name (UTF-8) under HKDF-SHA256(account key, \"stint-device-label-v1\"), context user id | device id".into(),
        account_key: hex::encode(label_key),
        user: hex::encode(label_user),
        device: hex::encode(label_device),
        name: name.into(),
        nonce: hex::encode(label_nonce),
        label: hex::encode(
            seal_device_label_with_nonce(
                &SymmetricKey::from_bytes(label_key),
                &label_user,
                &label_device,
                name,
                label_nonce,
            )
            .unwrap(),
        ),
    };
    write(
        "device_label_v1.json",
        serde_json::to_string_pretty(&v).unwrap(),
    );

    // Sealed key v1.
    let recipient_secret: [u8; 32] = counting(0x31);
    let ephemeral_secret: [u8; 32] = counting(0x51);
    let seal_nonce: [u8; 24] = counting(0x71);
    let sealed_key: [u8; 32] = counting(0x91);
    let seal_context = context.clone();
    let recipient = SealSecretKey::from_bytes(recipient_secret);
    let ephemeral = SealSecretKey::from_bytes(ephemeral_secret);
    let v = SealedKeyVector {
        description: "Sealed key v1: version | ephemeral X25519 public key | nonce | XChaCha20-Poly1305(key) under HKDF-SHA256(X25519 shared secret)".into(),
        recipient_secret: hex::encode(recipient_secret),
        recipient_public: hex::encode(recipient.public_key().to_bytes()),
        ephemeral_secret: hex::encode(ephemeral_secret),
        ephemeral_public: hex::encode(ephemeral.public_key().to_bytes()),
        nonce: hex::encode(seal_nonce),
        context: hex::encode(&seal_context),
        key: hex::encode(sealed_key),
        sealed: hex::encode(seal_key_with(
            &SymmetricKey::from_bytes(sealed_key),
            &recipient.public_key(),
            &seal_context,
            &ephemeral,
            seal_nonce,
        )),
    };
    write(
        "sealed_key_v1.json",
        serde_json::to_string_pretty(&v).unwrap(),
    );

    // Passphrase params v1 at the minimum parameters.
    let params = PassphraseParams {
        m_cost_kib: PassphraseParams::MIN_M_COST_KIB,
        t_cost: PassphraseParams::MIN_T_COST,
        p_cost: 1,
        salt: counting(0xb0),
    };
    let passphrase = "correct horse battery staple — Ærø";
    let v = PassphraseVector {
        description: "Passphrase params v1 (version | m_cost_kib | t_cost | p_cost | salt) and the Argon2id v0x13 key they derive".into(),
        passphrase_utf8: passphrase.into(),
        m_cost_kib: params.m_cost_kib,
        t_cost: params.t_cost,
        p_cost: params.p_cost,
        salt: hex::encode(params.salt),
        params: hex::encode(params.to_bytes()),
        key: hex::encode(params.derive(passphrase.as_bytes()).unwrap().expose_secret()),
    };
    write(
        "passphrase_v1.json",
        serde_json::to_string_pretty(&v).unwrap(),
    );

    // Subkey derivation and MAC.
    let root: [u8; 32] = counting(0x05);
    let root_key = SymmetricKey::from_bytes(root);
    let info = b"stint-vault-v1".to_vec();
    let parts: Vec<Vec<u8>> = vec![b"stint-index-v1".to_vec(), counting::<16>(0x70).to_vec()];
    let part_refs: Vec<&[u8]> = parts.iter().map(Vec::as_slice).collect();
    let v = KdfMacVector {
        description: "SymmetricKey::derive (HKDF-SHA256, no salt) and SymmetricKey::mac (HMAC-SHA256 over the concatenated parts)".into(),
        key: hex::encode(root),
        derive_info: hex::encode(&info),
        derived: hex::encode(root_key.derive(&info).expose_secret()),
        mac_parts: parts.iter().map(hex::encode).collect(),
        mac: hex::encode(root_key.mac(&part_refs)),
    };
    write("kdf_mac_v1.json", serde_json::to_string_pretty(&v).unwrap());

    // Row seals, formats 1 and 2: the signature of the envelope v1 vector above, and its header's
    // organization, record id, kind and HLC as the row's columns.
    let device_key: [u8; 32] = counting(0x15);
    let info = b"stint-vault-row-seal-v1".to_vec();
    let seal_key = SymmetricKey::from_bytes(device_key).derive(&info);
    let signature: [u8; 64] = envelope[envelope.len() - 64..].try_into().unwrap();
    let row = RowColumns {
        org: header.org,
        id: header.record,
        kind: header.kind,
        hlc: header.hlc,
    };
    let row_seal_vector = |description: &str, seal: Vec<u8>| RowSealVector {
        description: description.into(),
        device_key: hex::encode(device_key),
        seal_key_info: hex::encode(&info),
        seal_key: hex::encode(seal_key.expose_secret()),
        org: hex::encode(row.org),
        id: hex::encode(row.id),
        kind: row.kind,
        hlc: row.hlc,
        signature: hex::encode(signature),
        seal: hex::encode(seal),
    };
    let v = row_seal_vector(
        "Row seal v1 (read only, to upgrade): HMAC-SHA256(seal key, \"stint-row-v1\" || org || id || signature); kind and hlc are not covered",
        seal_row_v1(&seal_key, &row.org, &row.id, &signature).to_vec(),
    );
    write(
        "row_seal_v1.json",
        serde_json::to_string_pretty(&v).unwrap(),
    );
    let v = row_seal_vector(
        "Row seal v2: 0x02 | columns_tag = HMAC-SHA256(seal key, \"stint-row-columns-v2\" || org || id || kind u16 BE || hlc u64 BE)[..16] | row_tag = HMAC-SHA256(seal key, \"stint-row-v2\" || org || id || kind || hlc || columns_tag || signature)",
        seal_row(&seal_key, &row, &signature).to_vec(),
    );
    write(
        "row_seal_v2.json",
        serde_json::to_string_pretty(&v).unwrap(),
    );
}
