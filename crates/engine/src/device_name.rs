//! What this device calls itself in the account's device list (and in the sign-in page's "the
//! Stint app on … asked to sign in"): the machine's host name.

use stint_crypto::MAX_DEVICE_NAME_CHARS;

/// This machine's name, 1 to [`MAX_DEVICE_NAME_CHARS`] characters.
pub fn this_device() -> String {
    usable(&gethostname::gethostname().to_string_lossy())
        .unwrap_or_else(|| "Stint device".to_owned())
}

/// `name` trimmed of spaces and control characters and cut to [`MAX_DEVICE_NAME_CHARS`]
/// characters; `None` if nothing is left.
fn usable(name: &str) -> Option<String> {
    let cleaned: String = name
        .chars()
        .filter(|c| !c.is_control())
        .collect::<String>()
        .trim()
        .chars()
        .take(MAX_DEVICE_NAME_CHARS)
        .collect();
    let cleaned = cleaned.trim_end().to_owned();
    (!cleaned.is_empty()).then_some(cleaned)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_trimmed_cleaned_and_cut() {
        assert_eq!(usable("  Ada’s laptop\n").as_deref(), Some("Ada’s laptop"));
        assert_eq!(usable("desk\u{7}top").as_deref(), Some("desktop"));
        assert_eq!(usable(" \t "), None);
        let long = "x".repeat(100);
        assert_eq!(
            usable(&long).unwrap().chars().count(),
            MAX_DEVICE_NAME_CHARS
        );
    }

    #[test]
    fn this_machine_has_a_name_a_label_can_hold() {
        let name = this_device();
        let chars = name.chars().count();
        assert!((1..=MAX_DEVICE_NAME_CHARS).contains(&chars), "{name:?}");
    }
}
