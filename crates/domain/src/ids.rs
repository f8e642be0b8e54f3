//! Identifier newtypes. Every id is a ULID: sortable, unguessable, never sequential.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;
use ulid::Ulid;

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident, $what:literal) => {
        $(#[$doc])*
        #[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, ts_rs::TS)]
        #[ts(export, type = "string")]
        // A ULID is a u128, which Rust aligns to 16 bytes: every `Option<Id>` then took 32 bytes
        // and every struct holding an id was padded to a multiple of 16 (a time entry was 192
        // bytes, 160 packed). Packed, an id is read by copy; take `self.0` into a local before
        // calling a `&self` method on it.
        #[repr(C, packed(1))]
        pub struct $name(pub Ulid);

        /// Its ULID text in human-readable formats (JSON), its 16 bytes in binary ones (record
        /// payloads, docs/formats.md).
        impl Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                if serializer.is_human_readable() {
                    let mut text = [0; ulid::ULID_LEN];
                    let ulid = self.0;
                    serializer.serialize_str(ulid.array_to_str(&mut text))
                } else {
                    serializer.serialize_bytes(&{ self.0 }.to_bytes())
                }
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                if deserializer.is_human_readable() {
                    deserializer.deserialize_str(UlidVisitor($what)).map(Self)
                } else {
                    deserializer.deserialize_bytes(UlidVisitor($what)).map(Self)
                }
            }
        }

        impl $name {
            /// What this id names, for error messages.
            pub const WHAT: &'static str = $what;

            /// The id's 16 bytes, as they appear in envelope headers.
            pub fn to_bytes(self) -> [u8; 16] {
                { self.0 }.to_bytes()
            }

            /// The id from its 16 bytes.
            pub fn from_bytes(bytes: [u8; 16]) -> Self {
                Self(Ulid::from_bytes(bytes))
            }
        }

        impl From<[u8; 16]> for $name {
            fn from(bytes: [u8; 16]) -> Self {
                Self::from_bytes(bytes)
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                fmt::Display::fmt(&{ self.0 }, f)
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}({})", stringify!($name), { self.0 })
            }
        }

        impl FromStr for $name {
            type Err = crate::ValidationError;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Ulid::from_string(s.trim())
                    .map(Self)
                    .map_err(|_| crate::ValidationError::new(format!("{s:?} is not a valid {} id", $what)))
            }
        }
    };
}

/// Reads a ULID from a borrowed string. (`ulid`'s own `Deserialize` first copies the text into a
/// `String`: one allocation per id, several per record, on the unlock path.)
struct UlidVisitor(&'static str);

impl serde::de::Visitor<'_> for UlidVisitor {
    type Value = Ulid;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "a {} id (a ULID)", self.0)
    }

    fn visit_str<E: serde::de::Error>(self, text: &str) -> Result<Ulid, E> {
        Ulid::from_string(text).map_err(E::custom)
    }

    fn visit_bytes<E: serde::de::Error>(self, bytes: &[u8]) -> Result<Ulid, E> {
        let bytes = <[u8; 16]>::try_from(bytes)
            .map_err(|_| E::custom(format!("a {} id is 16 bytes, not {}", self.0, bytes.len())))?;
        Ok(Ulid::from_bytes(bytes))
    }
}

id_type!(/// An organization.
    OrgId, "organization");
id_type!(/// A member of an organization (locally, also the user's id).
    MemberId, "member");
id_type!(/// A client.
    ClientId, "client");
id_type!(/// A project.
    ProjectId, "project");
id_type!(/// A task within a project.
    TaskId, "task");
id_type!(/// A tag.
    TagId, "tag");
id_type!(/// A time entry (or running timer).
    EntryId, "time entry");
id_type!(/// An expense.
    ExpenseId, "expense");
id_type!(/// A rate rule.
    RateId, "rate");
id_type!(/// A budget.
    BudgetId, "budget");
id_type!(/// An encrypted file attached to a record (a receipt).
    AttachmentId, "attachment");
id_type!(/// An invoice or credit note.
    InvoiceId, "invoice");
id_type!(/// A billing record: the organization's billing profile, a client's billing details or a billing
    /// mark.
    BillingId, "billing record");
id_type!(/// A recurring invoice (a template that makes drafts on a schedule).
    RecurringId, "recurring invoice");
