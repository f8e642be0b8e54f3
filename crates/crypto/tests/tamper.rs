//! Property tests: any change to protected bytes is detected.
//!
//! For random inputs, a valid envelope / wrapped key / sealed key opens, and flipping any single
//! bit, truncating, or extending it makes opening fail.

use proptest::prelude::*;
use stint_crypto::{
    Header, SealSecretKey, SigningKey, SymmetricKey, open_record, open_sealed_key, seal_key,
    seal_record, unwrap_key, unwrap_signing_key, wrap_key, wrap_signing_key,
};

fn header_strategy() -> impl Strategy<Value = Header> {
    (
        any::<[u8; 16]>(),
        any::<[u8; 16]>(),
        any::<u16>(),
        any::<u8>(),
        any::<u32>(),
        any::<[u8; 16]>(),
        any::<[u8; 16]>(),
        any::<u64>(),
        any::<bool>(),
        any::<[u8; 16]>(),
        any::<u32>(),
    )
        .prop_map(
            |(
                org,
                record,
                kind,
                compartment,
                epoch,
                author_user,
                author_device,
                hlc,
                tombstone,
                owner,
                log,
            )| {
                Header {
                    org,
                    record,
                    kind,
                    compartment,
                    epoch,
                    author_user,
                    author_device,
                    hlc,
                    tombstone,
                    owner,
                    log,
                }
            },
        )
}

/// A bit position chosen as a fraction of the length, so it is valid for any length.
fn flip(bytes: &[u8], position: prop::sample::Index, bit: u8) -> Vec<u8> {
    let mut out = bytes.to_vec();
    out[position.index(bytes.len())] ^= 1 << (bit % 8);
    out
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn header_round_trips(header in header_strategy()) {
        prop_assert_eq!(Header::from_bytes(&header.to_bytes()), Ok(header));
    }

    #[test]
    fn envelope_opens_and_detects_any_change(
        header in header_strategy(),
        plaintext in prop::collection::vec(any::<u8>(), 0..512),
        position in any::<prop::sample::Index>(),
        bit in 0u8..8,
        cut in any::<prop::sample::Index>(),
        extra in prop::collection::vec(any::<u8>(), 1..64),
    ) {
        let key = SymmetricKey::generate();
        let signer = SigningKey::generate();
        let author = signer.verifying_key();
        let envelope = seal_record(&header, &plaintext, &key, &signer);

        let (opened_header, opened) = open_record(&envelope, &key, &author).unwrap();
        prop_assert_eq!(opened_header, header);
        prop_assert_eq!(opened.as_slice(), plaintext.as_slice());

        let flipped = flip(&envelope, position, bit);
        prop_assert!(open_record(&flipped, &key, &author).is_err());

        let truncated = &envelope[..cut.index(envelope.len())];
        prop_assert!(open_record(truncated, &key, &author).is_err());

        let mut extended = envelope.clone();
        extended.extend_from_slice(&extra);
        prop_assert!(open_record(&extended, &key, &author).is_err());
    }

    #[test]
    fn wrapped_key_opens_and_detects_any_change(
        context in prop::collection::vec(any::<u8>(), 0..64),
        position in any::<prop::sample::Index>(),
        bit in 0u8..8,
        cut in any::<prop::sample::Index>(),
        extra in prop::collection::vec(any::<u8>(), 1..16),
    ) {
        let kek = SymmetricKey::generate();
        let key = SymmetricKey::generate();
        let wrapped = wrap_key(&kek, &key, &context);
        prop_assert_eq!(unwrap_key(&kek, &wrapped, &context).unwrap(), key);

        prop_assert!(unwrap_key(&kek, &flip(&wrapped, position, bit), &context).is_err());
        prop_assert!(unwrap_key(&kek, &wrapped[..cut.index(wrapped.len())], &context).is_err());
        let mut extended = wrapped.clone();
        extended.extend_from_slice(&extra);
        prop_assert!(unwrap_key(&kek, &extended, &context).is_err());

        let signing = SigningKey::generate();
        let wrapped = wrap_signing_key(&kek, &signing, &context);
        let back = unwrap_signing_key(&kek, &wrapped, &context).unwrap();
        prop_assert_eq!(back.verifying_key(), signing.verifying_key());
        prop_assert!(unwrap_signing_key(&kek, &flip(&wrapped, position, bit), &context).is_err());
    }

    #[test]
    fn sealed_key_opens_and_detects_any_change(
        context in prop::collection::vec(any::<u8>(), 0..64),
        position in any::<prop::sample::Index>(),
        bit in 0u8..8,
        cut in any::<prop::sample::Index>(),
        extra in prop::collection::vec(any::<u8>(), 1..16),
    ) {
        let recipient = SealSecretKey::generate();
        let key = SymmetricKey::generate();
        let sealed = seal_key(&key, &recipient.public_key(), &context);
        prop_assert_eq!(open_sealed_key(&sealed, &recipient, &context).unwrap(), key);

        prop_assert!(open_sealed_key(&flip(&sealed, position, bit), &recipient, &context).is_err());
        prop_assert!(
            open_sealed_key(&sealed[..cut.index(sealed.len())], &recipient, &context).is_err()
        );
        let mut extended = sealed.clone();
        extended.extend_from_slice(&extra);
        prop_assert!(open_sealed_key(&extended, &recipient, &context).is_err());
    }
}
