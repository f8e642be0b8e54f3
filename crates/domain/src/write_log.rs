//! A device's write log: which versions it pushed, so that the other devices can tell when a server
//! hides one (docs/sync.md, "A server that lies"; docs/formats.md, "Write log").
//!
//! After the server acknowledged a push, the device lists the versions it pushed, as (record id,
//! kind, HLC), in a log entry of its own: a record of kind [`Kind::TeamLog`] or
//! [`Kind::FinanceLog`] (one chain per compartment, so that nobody learns of records in a
//! compartment they hold no key for), sealed and signed like every record, numbered from 1 and
//! chained to the entry before by its hash. A device that has pulled up to the server's head
//! holds, for every version an entry lists, that version or a later one; and every entry of every
//! chain from 1 to the last it saw. Anything else, the server hides.
//!
//! ```text
//! version u8 (= 1) | compartment u8 | number u64 BE | previous [32] | count u32 BE
//! | count × (record [16] | kind u16 BE | hlc u64 BE)      sorted by record, no record twice
//! previous = SHA-256 of the previous entry's payload; zeros for entry 1
//! record id = SHA-256("stint-write-log-v1" || org || device || compartment || number BE)[..16]
//! ```

use sha2::{Digest, Sha256};

use crate::kind::{Compartment, Kind};

/// Format version, the payload's first byte.
pub const WRITE_LOG_VERSION: u8 = 1;
/// At most this many versions in one entry: 26 bytes each keeps an entry near 104 KiB, well
/// inside a pushed envelope's limit.
pub const MAX_LISTED: usize = 4000;
const HEADER_LEN: usize = 1 + 1 + 8 + 32 + 4;
const ITEM_LEN: usize = 16 + 2 + 8;

/// One version a device pushed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Listed {
    /// Record id.
    pub record: [u8; 16],
    /// Its kind.
    pub kind: u16,
    /// The version's HLC.
    pub hlc: u64,
}

/// One entry of a device's write log for one compartment.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LogEntry {
    /// The compartment whose records it lists (and whose key seals it).
    pub compartment: Compartment,
    /// Its number in the chain, from 1.
    pub number: u64,
    /// SHA-256 of the previous entry's payload; zeros for entry 1.
    pub previous: [u8; 32],
    /// The versions, sorted by record, no record twice.
    pub listed: Vec<Listed>,
}

impl Kind {
    /// The write log kind for `compartment`.
    pub fn write_log(compartment: Compartment) -> Kind {
        match compartment {
            Compartment::Team => Kind::TeamLog,
            Compartment::Finance => Kind::FinanceLog,
        }
    }

    /// Whether this kind is a write log entry (not an object of the model).
    pub fn is_write_log(self) -> bool {
        matches!(self, Kind::TeamLog | Kind::FinanceLog)
    }

    /// Whether a header's kind number names a write log entry (an unknown number does not).
    pub fn numbers_write_log(kind: u16) -> bool {
        Kind::from_u16(kind).is_some_and(Kind::is_write_log)
    }
}

impl LogEntry {
    /// An entry listing `listed` (sorted here; for a record listed twice, the greater HLC).
    pub fn new(
        compartment: Compartment,
        number: u64,
        previous: [u8; 32],
        mut listed: Vec<Listed>,
    ) -> LogEntry {
        listed.sort_unstable_by(|a, b| a.record.cmp(&b.record).then(b.hlc.cmp(&a.hlc)));
        listed.dedup_by(|later, first| later.record == first.record);
        LogEntry {
            compartment,
            number,
            previous,
            listed,
        }
    }

    /// The payload bytes.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(HEADER_LEN + ITEM_LEN * self.listed.len());
        out.push(WRITE_LOG_VERSION);
        out.push(self.compartment as u8);
        out.extend_from_slice(&self.number.to_be_bytes());
        out.extend_from_slice(&self.previous);
        out.extend_from_slice(&(self.listed.len() as u32).to_be_bytes());
        for item in &self.listed {
            out.extend_from_slice(&item.record);
            out.extend_from_slice(&item.kind.to_be_bytes());
            out.extend_from_slice(&item.hlc.to_be_bytes());
        }
        out
    }

    /// Reads a payload strictly: known version and compartment, a number from 1, the exact length,
    /// records sorted and unique, every kind one of the compartment's own (never a log).
    pub fn parse(bytes: &[u8]) -> Result<LogEntry, String> {
        let head = bytes
            .get(..HEADER_LEN)
            .ok_or("the write log entry is truncated")?;
        if head[0] != WRITE_LOG_VERSION {
            return Err(format!("unknown write log version {}", head[0]));
        }
        let compartment = Compartment::from_u8(head[1])
            .ok_or_else(|| format!("unknown compartment {} in a write log entry", head[1]))?;
        let number = u64::from_be_bytes(head[2..10].try_into().map_err(|_| "short number")?);
        if number == 0 {
            return Err("a write log entry numbered 0".into());
        }
        let previous: [u8; 32] = head[10..42].try_into().map_err(|_| "short hash")?;
        let count = u32::from_be_bytes(head[42..46].try_into().map_err(|_| "short count")?);
        let items = &bytes[HEADER_LEN..];
        if items.len() != count as usize * ITEM_LEN {
            return Err("the write log entry's length does not match its count".into());
        }
        let mut listed = Vec::with_capacity(count as usize);
        for item in items.chunks_exact(ITEM_LEN) {
            let record: [u8; 16] = item[..16].try_into().map_err(|_| "short record")?;
            let kind = u16::from_be_bytes([item[16], item[17]]);
            let hlc = u64::from_be_bytes(item[18..26].try_into().map_err(|_| "short hlc")?);
            match Kind::from_u16(kind) {
                Some(k) if k.compartment() == compartment && !k.is_write_log() => {}
                _ => {
                    return Err(format!(
                        "a write log entry of the {} compartment lists a record of kind {kind}",
                        compartment.name()
                    ));
                }
            }
            if listed.last().is_some_and(|l: &Listed| l.record >= record) {
                return Err("the write log entry's records are not sorted and unique".into());
            }
            listed.push(Listed { record, kind, hlc });
        }
        Ok(LogEntry {
            compartment,
            number,
            previous,
            listed,
        })
    }
}

/// SHA-256 of an entry's payload: what the next entry names as `previous`.
pub fn entry_hash(payload: &[u8]) -> [u8; 32] {
    Sha256::digest(payload).into()
}

/// The record id of `device`'s entry `number` for `compartment` in `org`.
pub fn entry_id(
    org: [u8; 16],
    device: [u8; 16],
    compartment: Compartment,
    number: u64,
) -> [u8; 16] {
    let digest = Sha256::new()
        .chain_update(b"stint-write-log-v1")
        .chain_update(org)
        .chain_update(device)
        .chain_update([compartment as u8])
        .chain_update(number.to_be_bytes())
        .finalize();
    let mut id = [0u8; 16];
    id.copy_from_slice(&digest[..16]);
    id
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn listed() -> impl Strategy<Value = Listed> {
        (
            any::<[u8; 16]>(),
            prop::sample::select(vec![Kind::Client, Kind::TimeEntry, Kind::Expense]),
            any::<u64>(),
        )
            .prop_map(|(record, kind, hlc)| Listed {
                record,
                kind: kind as u16,
                hlc,
            })
    }

    proptest! {
        /// Any entry reads back as itself, and nothing shorter or longer reads at all.
        #[test]
        fn an_entry_reads_back(items in prop::collection::vec(listed(), 0..40), number in 1u64.., previous in any::<[u8; 32]>()) {
            let entry = LogEntry::new(Compartment::Team, number, previous, items);
            let bytes = entry.to_bytes();
            prop_assert_eq!(LogEntry::parse(&bytes), Ok(entry));
            prop_assert!(LogEntry::parse(&bytes[..bytes.len() - 1]).is_err());
            let mut longer = bytes.clone();
            longer.push(0);
            prop_assert!(LogEntry::parse(&longer).is_err());
        }
    }

    #[test]
    fn a_record_listed_twice_keeps_its_greater_hlc() {
        let item = |hlc| Listed {
            record: [7; 16],
            kind: Kind::TimeEntry as u16,
            hlc,
        };
        let entry = LogEntry::new(
            Compartment::Team,
            1,
            [0; 32],
            vec![item(5), item(9), item(7)],
        );
        assert_eq!(entry.listed, [item(9)]);
    }

    #[test]
    fn entries_that_break_the_rules_do_not_read() {
        let item = |record: u8, kind: Kind| Listed {
            record: [record; 16],
            kind: kind as u16,
            hlc: 1,
        };
        let bytes = |listed: Vec<Listed>| {
            LogEntry {
                compartment: Compartment::Team,
                number: 1,
                previous: [0; 32],
                listed,
            }
            .to_bytes()
        };
        let unsorted = bytes(vec![item(2, Kind::Client), item(1, Kind::Client)]);
        assert!(LogEntry::parse(&unsorted).unwrap_err().contains("sorted"));
        let finance = bytes(vec![item(1, Kind::Invoice)]);
        assert!(LogEntry::parse(&finance).unwrap_err().contains("kind 12"));
        let log = bytes(vec![item(1, Kind::TeamLog)]);
        assert!(LogEntry::parse(&log).is_err());
        let mut zero = bytes(vec![]);
        zero[2..10].copy_from_slice(&0u64.to_be_bytes());
        assert!(LogEntry::parse(&zero).unwrap_err().contains("numbered 0"));
        let mut future = bytes(vec![]);
        future[0] = 2;
        assert!(LogEntry::parse(&future).unwrap_err().contains("version 2"));
    }

    #[test]
    fn each_entry_has_its_own_id() {
        let a = entry_id([1; 16], [2; 16], Compartment::Team, 1);
        assert_ne!(a, entry_id([1; 16], [2; 16], Compartment::Team, 2));
        assert_ne!(a, entry_id([1; 16], [2; 16], Compartment::Finance, 1));
        assert_ne!(a, entry_id([1; 16], [3; 16], Compartment::Team, 1));
        assert_ne!(a, entry_id([9; 16], [2; 16], Compartment::Team, 1));
    }
}
