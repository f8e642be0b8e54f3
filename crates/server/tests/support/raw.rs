//! Raw sync requests for the route tests: accounts with an identity, certified devices, and
//! envelopes sealed as a device seals them, without an engine in between.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use stint_crypto::{
    DeviceCertificate, Header, IdentityKeys, RecoveryKey, SealSecretKey, SigningKey, SymmetricKey,
    seal_record, wrap_account_key,
};
use stint_domain::Kind;

use super::{Server, Storage, sign_in, verified_account};

pub const PASSWORD: &str = "a long and private passphrase";
/// 2026-12-01T00:00:00Z as an HLC (milliseconds << 16): in the past, whatever today is.
pub const HLC: u64 = 1_796_083_200_000 << 16;

pub fn b64(bytes: &[u8]) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

/// `POST /api/v1/devices` with a certificate and a label (already base64).
pub async fn post_device(
    server: &Server,
    token: &str,
    certificate: &[u8],
    label: &str,
) -> (StatusCode, Value) {
    server
        .call(
            Method::POST,
            "/api/v1/devices",
            Some(token),
            Some(json!({ "certificate": b64(certificate), "label": label })),
        )
        .await
}

/// `PUT /api/v1/identity` with the three byte strings.
pub async fn put_identity(
    server: &Server,
    token: &str,
    public: &[u8],
    wrapped_account_key: &[u8],
    wrapped_identity_keys: &[u8],
) -> (StatusCode, Value) {
    server
        .call(
            Method::PUT,
            "/api/v1/identity",
            Some(token),
            Some(json!({
                "public": b64(public),
                "wrapped_account_key": b64(wrapped_account_key),
                "wrapped_identity_keys": b64(wrapped_identity_keys),
            })),
        )
        .await
}

pub struct Person {
    pub email: String,
    pub token: String,
    pub user: [u8; 16],
}

pub async fn person(server: &Server, storage: &Storage, name: &str) -> Person {
    let email = format!("{name}@example.org");
    verified_account(server, storage, &email, PASSWORD).await;
    let token = sign_in(server, &email, PASSWORD, name).await;
    let (_, account) = server.get("/api/v1/account", &token).await;
    let id: ulid::Ulid = account["id"].as_str().unwrap().parse().unwrap();
    Person {
        email,
        token,
        user: id.to_bytes(),
    }
}

/// Sets up the person's identity on the server, as their first device would.
pub async fn set_up_identity(server: &Server, who: &Person) -> IdentityKeys {
    let keys = IdentityKeys::generate();
    let account_key = SymmetricKey::generate();
    let (status, body) = put_identity(
        server,
        &who.token,
        &keys.public(who.user).to_bytes(),
        &wrap_account_key(&RecoveryKey::generate(), &account_key, &who.user),
        &keys.wrap(&account_key, &who.user),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    keys
}

pub struct Device {
    pub id: [u8; 16],
    pub signing: SigningKey,
}

pub fn certificate(who: &Person, identity: &SigningKey, device: &Device) -> Vec<u8> {
    DeviceCertificate {
        user: who.user,
        device: device.id,
        signing: device.signing.verifying_key(),
        sealing: SealSecretKey::generate().public_key(),
        issued_ms: 1_796_083_200_000,
    }
    .issue(identity)
    .to_vec()
}

pub async fn enrol(server: &Server, who: &Person, identity: &IdentityKeys) -> Device {
    let device = Device {
        id: rand_id(),
        signing: SigningKey::generate(),
    };
    let (status, body) = post_device(
        server,
        &who.token,
        &certificate(who, &identity.signing, &device),
        &b64(b"sealed label"),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_eq!(body["device"], hex::encode(device.id));
    device
}

pub fn rand_id() -> [u8; 16] {
    let mut id = [0; 16];
    stint_crypto::fill_random(&mut id).unwrap();
    id
}

pub fn org_bytes(org: &str) -> [u8; 16] {
    org.parse::<ulid::Ulid>().unwrap().to_bytes()
}

/// An envelope as a device seals it (the server cannot tell the key; any will do).
pub fn envelope(
    org: &str,
    who: &Person,
    device: &Device,
    record: u8,
    kind: Kind,
    hlc: u64,
    text: &str,
) -> Vec<u8> {
    let header = Header {
        org: org_bytes(org),
        record: [record; 16],
        kind: kind as u16,
        compartment: kind.compartment() as u8,
        epoch: 1,
        author_user: who.user,
        author_device: device.id,
        hlc,
        tombstone: false,
        owner: if kind.has_owner() { who.user } else { [0; 16] },
        log: 0,
    };
    seal_record(
        &header,
        text.as_bytes(),
        &SymmetricKey::from_bytes([7; 32]),
        &device.signing,
    )
}
