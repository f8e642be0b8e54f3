//! What the committed-vector tests share: fixed inputs, reading hex back, and comparing a vector
//! file with what the code produces (or, with `STINT_WRITE_VECTORS=1`, writing it: only for a
//! deliberate format change, with a new version).

// Each test binary that includes this module uses part of it.
#![allow(dead_code)]

/// `start, start + 1, …`: recognisable, obviously non-random bytes for fixed inputs.
pub fn counting<const N: usize>(start: u8) -> [u8; N] {
    std::array::from_fn(|i| start.wrapping_add(i as u8))
}

/// Hex from a vector file.
pub fn bytes(hex_str: &str) -> Vec<u8> {
    hex::decode(hex_str).expect("vector files hold valid hex")
}

/// Hex from a vector file, of a fixed length.
pub fn array<const N: usize>(hex_str: &str) -> [u8; N] {
    bytes(hex_str)
        .try_into()
        .unwrap_or_else(|v: Vec<u8>| panic!("expected {N} bytes, found {}", v.len()))
}

/// Compares the committed `tests/vectors/{file}` (its text, `committed`) with `built`, the vector
/// the code under test makes from the fixed inputs; `STINT_WRITE_VECTORS=1` writes it instead.
pub fn matches_committed(file: &str, committed: &str, built: &impl serde::Serialize) {
    let json = serde_json::to_string_pretty(built).unwrap() + "\n";
    if std::env::var_os("STINT_WRITE_VECTORS").is_some() {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/vectors")
            .join(file);
        std::fs::write(path, &json).unwrap();
        return;
    }
    assert_eq!(
        committed, json,
        "{file} differs from what the code produces"
    );
}
