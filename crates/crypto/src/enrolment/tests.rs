use super::*;
use crate::{SealSecretKey, SigningKey};

const USER: [u8; 16] = [7; 16];
const DEVICE: [u8; 16] = [9; 16];

fn device_keys() -> (VerifyingKey, SealPublicKey) {
    (
        SigningKey::generate().verifying_key(),
        SealSecretKey::generate().public_key(),
    )
}

fn same_code(code: &EnrolmentCode) -> EnrolmentCode {
    EnrolmentCode::from_text(&code.to_text()).unwrap()
}

#[test]
fn the_approved_device_opens_the_account_key() {
    let code = EnrolmentCode::generate();
    let (signing, sealing) = device_keys();
    let (pending, request) = request_enrolment(&code, &USER, &DEVICE, &signing, &sealing).unwrap();
    let account_key = SymmetricKey::generate();
    let (answer, seen) =
        answer_enrolment(&same_code(&code), &USER, &request, &account_key).unwrap();
    assert_eq!(answer.len(), ENROLMENT_ANSWER_LEN);
    assert_eq!(seen.fingerprint(), pending.request().fingerprint());
    assert_eq!(seen.device, DEVICE);
    let opened = pending.finish(&answer).unwrap();
    assert_eq!(opened.expose_secret(), account_key.expose_secret());
}

#[test]
fn a_wrong_code_gives_nothing() {
    let code = EnrolmentCode::from_parts(482, [1, 2, 3, 4, 5]).unwrap();
    let typo = EnrolmentCode::from_parts(482, [1, 2, 3, 4, 6]).unwrap();
    let (signing, sealing) = device_keys();
    let (pending, request) = request_enrolment(&code, &USER, &DEVICE, &signing, &sealing).unwrap();
    let (answer, _) = answer_enrolment(&typo, &USER, &request, &SymmetricKey::generate()).unwrap();
    assert_eq!(
        pending.finish(&answer).unwrap_err(),
        CryptoError::Decryption
    );
}

#[test]
fn a_code_is_for_one_account() {
    let code = EnrolmentCode::generate();
    let (signing, sealing) = device_keys();
    let (pending, request) = request_enrolment(&code, &USER, &DEVICE, &signing, &sealing).unwrap();
    let (answer, _) = answer_enrolment(
        &same_code(&code),
        &[8; 16],
        &request,
        &SymmetricKey::generate(),
    )
    .unwrap();
    assert_eq!(
        pending.finish(&answer).unwrap_err(),
        CryptoError::Decryption
    );
}

/// The server swaps the new device's keys for its own before the approving device reads the
/// request: the approving device seals to what it saw, and the new device refuses the answer.
#[test]
fn keys_swapped_between_the_devices_are_refused() {
    let code = EnrolmentCode::generate();
    let (signing, sealing) = device_keys();
    let (pending, request) = request_enrolment(&code, &USER, &DEVICE, &signing, &sealing).unwrap();
    let (other_signing, other_sealing) = device_keys();
    let mut swapped = request;
    swapped[17..49].copy_from_slice(&other_signing.to_bytes());
    swapped[49..81].copy_from_slice(&other_sealing.to_bytes());
    let (answer, seen) = answer_enrolment(
        &same_code(&code),
        &USER,
        &swapped,
        &SymmetricKey::generate(),
    )
    .unwrap();
    assert_ne!(seen.fingerprint(), pending.request().fingerprint());
    assert_eq!(
        pending.finish(&answer).unwrap_err(),
        CryptoError::Decryption
    );
}

/// The server answers in the approving device's place with its best guess of the code.
#[test]
fn a_server_guessing_the_code_is_refused() {
    let code = EnrolmentCode::generate();
    let (signing, sealing) = device_keys();
    let (pending, request) = request_enrolment(&code, &USER, &DEVICE, &signing, &sealing).unwrap();
    let guess = EnrolmentCode::generate();
    let (forged, _) = answer_enrolment(&guess, &USER, &request, &SymmetricKey::generate()).unwrap();
    assert!(pending.finish(&forged).is_err());
}

#[test]
fn any_changed_byte_of_the_answer_is_refused() {
    let code = EnrolmentCode::generate();
    let (signing, sealing) = device_keys();
    let account_key = SymmetricKey::generate();
    let (_, request) = request_enrolment(&code, &USER, &DEVICE, &signing, &sealing).unwrap();
    let (answer, _) = answer_enrolment(&same_code(&code), &USER, &request, &account_key).unwrap();
    for at in 0..answer.len() {
        let (pending, request) =
            request_enrolment(&code, &USER, &DEVICE, &signing, &sealing).unwrap();
        let (answer, _) =
            answer_enrolment(&same_code(&code), &USER, &request, &account_key).unwrap();
        let mut flipped = answer.clone();
        flipped[at] ^= 0x01;
        assert!(pending.finish(&flipped).is_err(), "byte {at}");
    }
    assert!(
        EnrolmentRequest::parse(&answer).is_err(),
        "an answer is no request"
    );
}

#[test]
fn codes_read_as_typed() {
    let code = EnrolmentCode::from_parts(482, [0xA5, 0x0F, 0x33, 0x00, 0xFE]).unwrap();
    let text = code.to_text();
    assert_eq!(text.len(), 13);
    assert!(text.starts_with("482-"));
    let sloppy = format!(
        " {} ",
        text.to_lowercase()
            .replace('-', " - ")
            .replacen(" - ", "-", 1)
    );
    let read = EnrolmentCode::from_text(&sloppy).unwrap();
    assert_eq!(read.nameplate(), 482);
    assert_eq!(read.secret, code.secret);
    for bad in [
        "",
        "482",
        "482-",
        "48-K7Q29XMD",
        "1000-K7Q2-9XMD",
        "482-K7Q2-9XM",
        "482-K7Q2-9XMDD",
        "482-K7Q2-9XM!",
        "abc-K7Q2-9XMD",
    ] {
        assert!(EnrolmentCode::from_text(bad).is_err(), "{bad:?}");
    }
    assert!(!format!("{code:?}").contains(&text[4..8]));
    for _ in 0..200 {
        let fresh = EnrolmentCode::generate();
        assert!(NAMEPLATES.contains(&fresh.nameplate()));
        assert_eq!(
            EnrolmentCode::from_text(&fresh.to_text()).unwrap().secret,
            fresh.secret
        );
    }
}

#[test]
fn requests_parse_strictly() {
    let code = EnrolmentCode::generate();
    let (signing, sealing) = device_keys();
    let (_, request) = request_enrolment(&code, &USER, &DEVICE, &signing, &sealing).unwrap();
    assert!(EnrolmentRequest::parse(&request).is_ok());
    assert!(EnrolmentRequest::parse(&request[..113]).is_err());
    let mut versioned = request;
    versioned[0] = 2;
    assert_eq!(
        EnrolmentRequest::parse(&versioned).unwrap_err(),
        CryptoError::UnsupportedVersion(2)
    );
    // A SPAKE2 message from the wrong side, or not a point, is refused by the approving device.
    let mut side = request;
    side[81] = b'A';
    assert!(answer_enrolment(&same_code(&code), &USER, &side, &SymmetricKey::generate()).is_err());
}

/// The committed vector (docs/formats.md, "Enrolment"): a request from fixed keys and the answer's
/// sealing from a fixed SPAKE2 key, message and nonce, rebuilt and compared byte for byte.
/// `STINT_WRITE_VECTORS=1` writes it anew (only for a deliberate format change).
#[test]
fn enrolment_vector() {
    let user = [0x11; 16];
    let device = [0x22; 16];
    let signing = SigningKey::from_bytes([0x33; 32]).verifying_key();
    let sealing = SealSecretKey::from_bytes([0x44; 32]).public_key();
    let shared = [0x55; 32];
    let mut message = [0x66; SPAKE2_MESSAGE_LEN];
    message[0] = b'A';
    let nonce = [0x77; NONCE_LEN];
    let account_key = SymmetricKey::from_bytes([0x88; 32]);
    let code = EnrolmentCode::from_parts(482, [0x99, 0xAA, 0xBB, 0xCC, 0xDD]).unwrap();

    let mut request = vec![ENROLMENT_VERSION];
    request.extend_from_slice(&device);
    request.extend_from_slice(&signing.to_bytes());
    request.extend_from_slice(&sealing.to_bytes());
    request.extend_from_slice(&[0x42; SPAKE2_MESSAGE_LEN]);
    let parsed = EnrolmentRequest::parse(&request).unwrap();
    let answer = seal_answer(&shared, &message, &nonce, &user, &request, &account_key).unwrap();
    let opened = open_answer(&shared, &user, &request, &answer).unwrap();
    assert_eq!(opened.expose_secret(), account_key.expose_secret());

    let built = serde_json::json!({
        "user": hex::encode(user),
        "code": code.to_text().as_str(),
        "request": hex::encode(&request),
        "fingerprint": parsed.fingerprint(),
        "spake2_key": hex::encode(shared),
        "spake2_message_a": hex::encode(message),
        "nonce": hex::encode(nonce),
        "account_key": hex::encode(account_key.expose_secret()),
        "answer": hex::encode(&answer),
    });
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/vectors/enrolment_v1.json"
    );
    if std::env::var_os("STINT_WRITE_VECTORS").is_some() {
        std::fs::write(path, serde_json::to_string_pretty(&built).unwrap() + "\n").unwrap();
    }
    let committed: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    assert_eq!(built, committed);
}
