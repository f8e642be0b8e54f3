//! Engine errors: each variant a case the caller can act on, each message for the user.

use stint_domain::{Denied, MoneyError, ValidationError};
use stint_vault::VaultError;
use thiserror::Error;

/// Why a command or query failed. Nothing was written when a command returns an error.
#[derive(Debug, Error)]
pub enum EngineError {
    /// The role table refuses it.
    #[error("not allowed: {0}")]
    Denied(#[from] Denied),
    /// Input breaks a rule.
    #[error("{0}")]
    Invalid(#[from] ValidationError),
    /// Bad money input.
    #[error("{0}")]
    Money(#[from] MoneyError),
    /// Something named does not exist.
    #[error("no {what} {name:?}{hint}")]
    NotFound {
        /// What kind of thing.
        what: &'static str,
        /// The name or id given.
        name: String,
        /// What to try instead (starts with "; ").
        hint: String,
    },
    /// A name matches several things.
    #[error("{name:?} matches several {what}s; use the id instead ({ids})")]
    Ambiguous {
        /// What kind of thing.
        what: &'static str,
        /// The name given.
        name: String,
        /// Matching ids.
        ids: String,
    },
    /// Work on something archived.
    #[error("{what} {name:?} is archived; unarchive it first")]
    Archived {
        /// What kind of thing.
        what: &'static str,
        /// Its name.
        name: String,
    },
    /// A second timer.
    #[error("a timer is already running on {project:?} since {since}; stop it first")]
    TimerRunning {
        /// Its project.
        project: String,
        /// When it started.
        since: String,
    },
    /// Stop without a timer.
    #[error("no timer is running")]
    NoTimer,
    /// A running timer cannot be edited this way.
    #[error("{0}")]
    Conflict(String),
    /// The vault failed.
    #[error(transparent)]
    Vault(#[from] VaultError),
    /// A file could not be read or written.
    #[error("{0}")]
    Io(String),
    /// Sync could not go on: the server refused, a key did not open, the account is not set up.
    #[error("sync: {0}")]
    Sync(String),
    /// What was waited for expired or was cancelled (an enrolment request): waiting longer changes
    /// nothing.
    #[error("{0}")]
    Expired(String),
}

/// Shorthand.
pub type Result<T, E = EngineError> = std::result::Result<T, E>;

impl EngineError {
    pub(crate) fn not_found(what: &'static str, name: impl Into<String>) -> Self {
        EngineError::NotFound {
            what,
            name: name.into(),
            hint: String::new(),
        }
    }

    pub(crate) fn not_found_hint(
        what: &'static str,
        name: impl Into<String>,
        hint: impl Into<String>,
    ) -> Self {
        EngineError::NotFound {
            what,
            name: name.into(),
            hint: format!("; {}", hint.into()),
        }
    }
}
