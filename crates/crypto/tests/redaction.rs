//! Secret key types must never print their bytes.

use stint_crypto::{SealSecretKey, SigningKey, SymmetricKey};

/// A secret whose bytes are easy to spot in any encoding.
fn secret() -> [u8; 32] {
    std::array::from_fn(|i| 0xa0 + i as u8)
}

/// Every way the secret's bytes could leak through `Debug`: hex (either case, whole or as the
/// first few bytes), decimal as an array, and decimal runs of consecutive bytes.
fn assert_redacted(debug: &str, secret: &[u8; 32]) {
    let hex_lower: String = secret.iter().map(|b| format!("{b:02x}")).collect();
    let hex_upper = hex_lower.to_uppercase();
    let decimal_array = format!("{secret:?}");
    let decimal_run = format!("{}, {}, {}", secret[0], secret[1], secret[2]);
    let decimal_concat: String = secret[..4].iter().map(|b| b.to_string()).collect();
    for needle in [
        &hex_lower[..8],
        &hex_upper[..8],
        &decimal_array[..],
        &decimal_run[..],
        &decimal_concat[..],
    ] {
        assert!(
            !debug.contains(needle),
            "Debug output {debug:?} leaks {needle:?}"
        );
    }
    assert!(debug.contains("<redacted>"), "{debug}");
}

#[test]
fn symmetric_key_debug_is_redacted() {
    let key = SymmetricKey::from_bytes(secret());
    let debug = format!("{key:?}");
    assert_eq!(debug, "SymmetricKey(<redacted>)");
    assert_redacted(&debug, &secret());
    assert_redacted(&format!("{key:#?}"), &secret());
}

#[test]
fn signing_key_debug_is_redacted() {
    let key = SigningKey::from_bytes(secret());
    let debug = format!("{key:?}");
    assert_eq!(debug, "SigningKey(<redacted>)");
    assert_redacted(&debug, &secret());
    assert_redacted(&format!("{key:#?}"), &secret());
}

#[test]
fn seal_secret_key_debug_is_redacted() {
    let key = SealSecretKey::from_bytes(secret());
    let debug = format!("{key:?}");
    assert_eq!(debug, "SealSecretKey(<redacted>)");
    assert_redacted(&debug, &secret());
    // The stored scalar is the argument itself (x25519-dalek clamps when multiplying).
    assert_redacted(&format!("{key:#?}"), key.expose_secret());
}

#[test]
fn the_check_itself_catches_a_leak() {
    let leaky = format!("Leaky({:?}) <redacted>", secret());
    let result = std::panic::catch_unwind(|| assert_redacted(&leaky, &secret()));
    assert!(
        result.is_err(),
        "assert_redacted must reject a leaking Debug"
    );
}
