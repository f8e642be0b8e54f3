//! A device's name, as the account's own devices read it and the server cannot.
//!
//! ```text
//! a sealed secret (version 1) of the name's UTF-8 bytes
//!   key     = HKDF-SHA256(account key, info = "stint-device-label-v1")
//!   context = user id (16) | device id (16)
//! ```
//!
//! Every device of an account holds its account key, so each can read the others' names; the
//! context ties a label to one device of one account, so a label moved to another device's row
//! does not open.

use zeroize::Zeroizing;

use crate::envelope::NONCE_LEN;
use crate::secret::{open_secret, seal_secret_with_nonce};
use crate::{CryptoError, SymmetricKey};

/// The longest device name, in characters.
pub const MAX_DEVICE_NAME_CHARS: usize = 64;

const INFO: &[u8] = b"stint-device-label-v1";

fn context(user: &[u8; 16], device: &[u8; 16]) -> [u8; 32] {
    let mut context = [0; 32];
    context[..16].copy_from_slice(user);
    context[16..].copy_from_slice(device);
    context
}

/// Seals `name` (1 to [`MAX_DEVICE_NAME_CHARS`] characters) as `device`'s label in `user`'s
/// account. A fresh random nonce is drawn.
///
/// # Errors
/// [`CryptoError::Malformed`] for an empty or too long name.
///
/// # Panics
/// If the operating system's random number generator fails.
pub fn seal_device_label(
    account_key: &SymmetricKey,
    user: &[u8; 16],
    device: &[u8; 16],
    name: &str,
) -> Result<Vec<u8>, CryptoError> {
    seal_device_label_with_nonce(account_key, user, device, name, crate::random_array())
}

/// Test-vector helper: [`seal_device_label`] with a caller-chosen nonce. Never use it outside
/// tests.
///
/// # Errors
/// As [`seal_device_label`].
#[doc(hidden)]
pub fn seal_device_label_with_nonce(
    account_key: &SymmetricKey,
    user: &[u8; 16],
    device: &[u8; 16],
    name: &str,
    nonce: [u8; NONCE_LEN],
) -> Result<Vec<u8>, CryptoError> {
    let chars = name.chars().count();
    if chars == 0 || chars > MAX_DEVICE_NAME_CHARS {
        return Err(CryptoError::Malformed(
            "a device name has 1 to 64 characters",
        ));
    }
    seal_secret_with_nonce(
        &account_key.derive(INFO),
        name.as_bytes(),
        &context(user, device),
        nonce,
    )
}

/// Opens a label made by [`seal_device_label`] for the same account and device.
///
/// # Errors
/// As [`open_secret`], and [`CryptoError::Malformed`] for a name that is not UTF-8 or not 1 to
/// [`MAX_DEVICE_NAME_CHARS`] characters.
pub fn open_device_label(
    account_key: &SymmetricKey,
    user: &[u8; 16],
    device: &[u8; 16],
    label: &[u8],
) -> Result<String, CryptoError> {
    let opened: Zeroizing<Vec<u8>> =
        open_secret(&account_key.derive(INFO), label, &context(user, device))?;
    let name = std::str::from_utf8(&opened)
        .map_err(|_| CryptoError::Malformed("a device name is not UTF-8"))?;
    let chars = name.chars().count();
    if chars == 0 || chars > MAX_DEVICE_NAME_CHARS {
        return Err(CryptoError::Malformed(
            "a device name has 1 to 64 characters",
        ));
    }
    Ok(name.to_owned())
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    proptest! {
        #[test]
        fn round_trips_and_stays_with_its_device(
            name in "\\PC{1,64}",
            user in any::<[u8; 16]>(),
            device in any::<[u8; 16]>(),
            other in any::<[u8; 16]>(),
            flip in any::<prop::sample::Index>(),
        ) {
            prop_assume!(other != device);
            let key = SymmetricKey::generate();
            let label = seal_device_label(&key, &user, &device, &name).unwrap();
            prop_assert_eq!(open_device_label(&key, &user, &device, &label).unwrap(), name);
            // Moved to another device's row, or to another account, it does not open.
            prop_assert!(open_device_label(&key, &user, &other, &label).is_err());
            prop_assert!(open_device_label(&key, &other, &device, &label).is_err());
            prop_assert!(open_device_label(&SymmetricKey::generate(), &user, &device, &label).is_err());
            let mut changed = label.clone();
            changed[flip.index(label.len())] ^= 0x01;
            prop_assert!(open_device_label(&key, &user, &device, &changed).is_err());
        }
    }

    #[test]
    fn names_are_one_to_sixty_four_characters() {
        let key = SymmetricKey::generate();
        let (user, device) = ([1; 16], [2; 16]);
        assert!(seal_device_label(&key, &user, &device, "").is_err());
        assert!(seal_device_label(&key, &user, &device, &"é".repeat(65)).is_err());
        let longest = "é".repeat(64);
        let label = seal_device_label(&key, &user, &device, &longest).unwrap();
        assert_eq!(
            open_device_label(&key, &user, &device, &label).unwrap(),
            longest
        );
        // A sealed secret that is not a name (empty here) is refused on opening.
        let empty =
            seal_secret_with_nonce(&key.derive(INFO), b"", &context(&user, &device), [0; 24])
                .unwrap();
        assert!(open_device_label(&key, &user, &device, &empty).is_err());
    }
}
