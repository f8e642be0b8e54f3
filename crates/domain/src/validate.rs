//! Input validation shared by every record type.

use thiserror::Error;

/// Input that breaks a rule. The message says what is wrong and how to fix it.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("{message}")]
pub struct ValidationError {
    /// The user-facing message.
    pub message: String,
}

impl ValidationError {
    /// A validation error with this message.
    pub fn new(message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
        }
    }
}

/// Longest name (of a client, project, task, tag, member, organization) in characters.
pub const MAX_NAME_CHARS: usize = 200;
/// Longest note in characters.
pub const MAX_NOTE_CHARS: usize = 5_000;

/// A trimmed, non-empty name of bounded length without control characters.
pub fn name(what: &str, raw: &str) -> Result<String, ValidationError> {
    let trimmed = raw.trim();
    if trimmed.is_empty() {
        return Err(ValidationError::new(format!(
            "{what} name must not be empty"
        )));
    }
    if trimmed.chars().count() > MAX_NAME_CHARS {
        return Err(ValidationError::new(format!(
            "{what} name is longer than {MAX_NAME_CHARS} characters"
        )));
    }
    if trimmed.chars().any(char::is_control) {
        return Err(ValidationError::new(format!(
            "{what} name must not contain control characters"
        )));
    }
    Ok(trimmed.to_owned())
}

/// A note of bounded length (may be empty; newlines allowed).
pub fn note(raw: &str) -> Result<String, ValidationError> {
    if raw.chars().count() > MAX_NOTE_CHARS {
        return Err(ValidationError::new(format!(
            "note is longer than {MAX_NOTE_CHARS} characters"
        )));
    }
    Ok(raw.trim_end().to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_trimmed_and_checked() {
        assert_eq!(name("client", "  Müller & Søn ").unwrap(), "Müller & Søn");
        assert!(name("client", "   ").is_err());
        assert!(name("client", "a\u{7}b").is_err());
        assert!(name("client", &"x".repeat(MAX_NAME_CHARS + 1)).is_err());
        assert!(name("client", &"ü".repeat(MAX_NAME_CHARS)).is_ok());
    }
}
