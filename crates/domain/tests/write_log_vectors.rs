//! Committed test vectors for the write log (docs/formats.md, "Write log"): a device's first two
//! team entries for one organization, the second chained to the first, and their record ids.
//!
//! The test rebuilds `vectors/write_log_v1.json` from fixed inputs and compares it whole, then reads
//! the committed bytes back. A format change makes it fail; bump the version byte instead of editing
//! the file. `STINT_WRITE_VECTORS=1` rewrites it, only for a deliberate change.

mod hexes;

use hexes::{hex, unhex};
use serde::{Deserialize, Serialize};
use stint_domain::write_log::{Listed, LogEntry, entry_hash, entry_id};
use stint_domain::{Compartment, Kind};

const VECTOR_JSON: &str = include_str!("vectors/write_log_v1.json");

#[derive(Serialize, Deserialize, PartialEq, Debug)]
#[serde(deny_unknown_fields)]
struct WriteLogVector {
    description: String,
    org: String,
    device: String,
    first_id: String,
    first: String,
    second_id: String,
    second: String,
}

const ORG: [u8; 16] = [0x01; 16];
const DEVICE: [u8; 16] = [0xd1; 16];

fn listed(record: u8, kind: Kind, hlc: u64) -> Listed {
    Listed {
        record: [record; 16],
        kind: kind as u16,
        hlc,
    }
}

fn entries() -> (LogEntry, LogEntry) {
    // Given out of order, with a record twice: the entry sorts them and keeps the later version.
    let first = LogEntry::new(
        Compartment::Team,
        1,
        [0; 32],
        vec![
            listed(0x30, Kind::TimeEntry, 0x0001_8f00_0000_0002),
            listed(0x20, Kind::Client, 0x0001_8f00_0000_0001),
            listed(0x30, Kind::TimeEntry, 0x0001_8f00_0000_0001),
        ],
    );
    let second = LogEntry::new(
        Compartment::Team,
        2,
        entry_hash(&first.to_bytes()),
        vec![listed(0x30, Kind::TimeEntry, 0x0001_8f00_0001_0000)],
    );
    (first, second)
}

fn build() -> WriteLogVector {
    let (first, second) = entries();
    WriteLogVector {
        description: "A device's team write log entries 1 and 2 for one organization; entry 2 \
                      names entry 1's SHA-256 (docs/formats.md, \"Write log\")."
            .into(),
        org: hex(&ORG),
        device: hex(&DEVICE),
        first_id: hex(&entry_id(ORG, DEVICE, Compartment::Team, 1)),
        first: hex(&first.to_bytes()),
        second_id: hex(&entry_id(ORG, DEVICE, Compartment::Team, 2)),
        second: hex(&second.to_bytes()),
    }
}

#[test]
fn the_write_log_matches_its_committed_vector() {
    let built = build();
    if std::env::var_os("STINT_WRITE_VECTORS").is_some() {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/vectors/write_log_v1.json"
        );
        std::fs::write(path, serde_json::to_string_pretty(&built).unwrap() + "\n").unwrap();
        return;
    }
    let committed: WriteLogVector = serde_json::from_str(VECTOR_JSON).unwrap();
    assert_eq!(built, committed);

    let (first, _) = entries();
    let first_bytes = unhex(&committed.first);
    assert_eq!(LogEntry::parse(&first_bytes), Ok(first));
    assert_eq!(first_bytes.len(), 46 + 2 * 26);
    let second = LogEntry::parse(&unhex(&committed.second)).unwrap();
    assert_eq!(second.previous, entry_hash(&first_bytes));
    assert_eq!(second, entries().1);
}
