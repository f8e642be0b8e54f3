//! A command's failure as the window receives it: the engine's message, in English, and for the
//! failures a person meets on the way in and at the timer a code, with its values, that the window
//! says in its own language (`errors` in ui/src/locales/*/app.json). A failure without a code is
//! shown as its message.

use std::collections::BTreeMap;

use serde::Serialize;
use stint_engine::{EngineError, VaultError};

/// The failures the window says in its own words.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum FailureCode {
    /// The passphrase does not open the vault.
    WrongPassphrase,
    /// A new passphrase is shorter than `min` characters.
    ShortPassphrase,
    /// The vault is protected by a passphrase and the keyring was offered, or the reverse
    /// (`protection`: "a passphrase" or "the system keyring").
    WrongProtection,
    /// The system keyring holds no key for this vault.
    KeyMissing,
    /// The key in the system keyring belongs to another vault.
    KeyMismatch,
    /// A timer runs already: on `project`, since `since` (`YYYY-MM-DD HH:MM`, local time).
    TimerRunning,
    /// Stop, with no timer running.
    NoTimer,
    /// A command that needs the vault came while it was locked.
    VaultLocked,
    /// A command that needs an organization came before one was chosen.
    NoOrganization,
    /// The sync server (`server`) does not answer its health check: the network, or the server
    /// down.
    ServerUnreachable,
}

/// What a command that failed answers.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, ts_rs::TS)]
#[ts(export)]
pub struct Failure {
    /// Set where the window has words of its own for this failure.
    pub code: Option<FailureCode>,
    /// The failure in a sentence (English): what the window shows without a code.
    pub message: String,
    /// The code's values, by name.
    pub values: BTreeMap<String, String>,
}

impl Failure {
    pub fn coded(code: FailureCode, message: impl Into<String>) -> Failure {
        Failure {
            code: Some(code),
            message: message.into(),
            values: BTreeMap::new(),
        }
    }

    pub fn with(mut self, name: &str, value: impl Into<String>) -> Failure {
        self.values.insert(name.to_owned(), value.into());
        self
    }
}

impl From<String> for Failure {
    fn from(message: String) -> Failure {
        Failure {
            code: None,
            message,
            values: BTreeMap::new(),
        }
    }
}

impl From<&str> for Failure {
    fn from(message: &str) -> Failure {
        message.to_owned().into()
    }
}

impl From<stint_sync::ConnectError> for Failure {
    fn from(e: stint_sync::ConnectError) -> Failure {
        e.to_string().into()
    }
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

/// The engine's error as the window receives it.
pub fn message(error: EngineError) -> Failure {
    let text = error.to_string();
    match error {
        EngineError::Vault(VaultError::WrongPassphrase) => {
            Failure::coded(FailureCode::WrongPassphrase, text)
        }
        EngineError::Vault(VaultError::WeakPassphrase(min)) => {
            Failure::coded(FailureCode::ShortPassphrase, text).with("min", min.to_string())
        }
        EngineError::Vault(VaultError::WrongProtection(protection)) => {
            let protection = if protection.contains("keyring") {
                "keyring"
            } else {
                "passphrase"
            };
            Failure::coded(FailureCode::WrongProtection, text).with("protection", protection)
        }
        EngineError::Vault(VaultError::KeyMissing) => Failure::coded(FailureCode::KeyMissing, text),
        EngineError::Vault(VaultError::KeyMismatch) => {
            Failure::coded(FailureCode::KeyMismatch, text)
        }
        EngineError::TimerRunning { project, since } => {
            Failure::coded(FailureCode::TimerRunning, text)
                .with("project", project)
                .with("since", since)
        }
        EngineError::NoTimer => Failure::coded(FailureCode::NoTimer, text),
        _ => text.into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_failures_a_person_meets_first_carry_a_code_and_their_values() {
        let wrong = message(VaultError::WrongPassphrase.into());
        assert_eq!(wrong.code, Some(FailureCode::WrongPassphrase));
        assert_eq!(wrong.message, "wrong passphrase");

        let short = message(VaultError::WeakPassphrase(12).into());
        assert_eq!(short.code, Some(FailureCode::ShortPassphrase));
        assert_eq!(short.values["min"], "12");

        let running = message(EngineError::TimerRunning {
            project: "Website".into(),
            since: "2026-03-02 09:15".into(),
        });
        assert_eq!(running.code, Some(FailureCode::TimerRunning));
        assert_eq!(running.values["project"], "Website");
        assert_eq!(running.values["since"], "2026-03-02 09:15");
        assert!(running.message.contains("already running"), "{running}");
    }

    #[test]
    fn the_protection_a_vault_asks_for_is_named_by_a_value_the_window_knows() {
        for (said, value) in [
            ("a passphrase", "passphrase"),
            ("the system keyring", "keyring"),
        ] {
            let failure = message(VaultError::WrongProtection(said).into());
            assert_eq!(failure.code, Some(FailureCode::WrongProtection));
            assert_eq!(failure.values["protection"], value);
        }
    }

    #[test]
    fn any_other_failure_is_its_message_alone() {
        let other = message(EngineError::Conflict("the entry changed meanwhile".into()));
        assert_eq!(other.code, None);
        assert_eq!(other.message, "the entry changed meanwhile");
        assert!(other.values.is_empty());
        let json = serde_json::to_value(&other).unwrap();
        assert_eq!(
            json,
            serde_json::json!({ "code": null, "message": "the entry changed meanwhile", "values": {} })
        );
    }
}
