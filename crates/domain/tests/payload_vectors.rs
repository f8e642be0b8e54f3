//! Committed test vectors for payload format 2 (docs/formats.md, "Payload format 2"): a time entry
//! written on one device, an edit of its note on a second, a concurrent change of whether it is
//! billable on a third, and the merge of the two edits.
//!
//! The test rebuilds `vectors/payload_v2.json` from its fixed inputs and compares it whole, then
//! reads the committed bytes back. A format change makes it fail; bump the format byte instead of
//! editing the file. `STINT_WRITE_VECTORS=1` rewrites it, only for a deliberate change.

mod hexes;

use hexes::{hex, unhex};
use serde::{Deserialize, Serialize};
use stint_domain::payload::{self, Clock, Fields, Merged, Version};
use stint_domain::{EntryId, EntryTime, Kind, MemberId, ProjectId, TagId, TimeEntry};

const PAYLOAD_JSON: &str = include_str!("vectors/payload_v2.json");

#[derive(Serialize, Deserialize, PartialEq, Debug)]
#[serde(deny_unknown_fields)]
struct PayloadVector {
    description: String,
    entry_json: String,
    clock_first: String,
    clock_note: String,
    clock_billable: String,
    first: String,
    note_edited: String,
    billable_edited: String,
    merged: String,
    format1_bytes: usize,
    format2_bytes: usize,
}

fn clock(hlc: u64, device: u8) -> Clock {
    Clock {
        hlc,
        device: [device; 16],
    }
}

fn clock_hex(c: Clock) -> String {
    let mut bytes = c.hlc.to_be_bytes().to_vec();
    bytes.extend_from_slice(&c.device);
    hex(&bytes)
}

fn entry() -> TimeEntry {
    TimeEntry {
        id: EntryId::from_bytes(std::array::from_fn(|i| 0x10 + i as u8)),
        member: MemberId::from_bytes(std::array::from_fn(|i| 0x20 + i as u8)),
        project: Some(ProjectId::from_bytes(std::array::from_fn(|i| {
            0x30 + i as u8
        }))),
        task: None,
        time: EntryTime::Span {
            start: "2026-03-02T09:00:00Z".parse().unwrap(),
            end: "2026-03-02T10:30:00Z".parse().unwrap(),
        },
        note: "Design review with Müller & Søn".into(),
        billable: true,
        tags: vec![TagId::from_bytes(std::array::from_fn(|i| 0x40 + i as u8))],
        invoiced: false,
    }
}

fn build() -> PayloadVector {
    // 2026-03-02T12:00:00Z as an HLC, then a few milliseconds later on two other devices.
    let (first_at, note_at, billable_at) = (
        clock(1_772_452_800_000 << 16, 0xa1),
        clock((1_772_452_800_005 << 16) + 1, 0xb2),
        clock(1_772_452_800_007 << 16, 0xc3),
    );
    let first = Fields::fresh(payload::split(&entry()).unwrap(), first_at);
    let note_edited = first.edit(
        payload::split(&TimeEntry {
            note: "Design review with Müller & Søn, second round".into(),
            ..entry()
        })
        .unwrap(),
        note_at,
    );
    let billable_edited = first.edit(
        payload::split(&TimeEntry {
            billable: false,
            ..entry()
        })
        .unwrap(),
        billable_at,
    );
    let (a, b) = (note_edited.to_bytes(), billable_edited.to_bytes());
    let (merged, conflicts) = payload::merge(
        Version::live(Kind::TimeEntry, &a),
        Version::live(Kind::TimeEntry, &b),
    );
    assert!(conflicts.is_empty());
    let Merged::New(merged) = merged else {
        panic!("two edits of different fields make a new version");
    };
    let json = serde_json::to_string(&entry()).unwrap();
    PayloadVector {
        description:
            "Payload format 2: a time entry (clock_first), its note edited on a second device \
                      (clock_note), whether it is billable changed on a third (clock_billable) \
                      from the first version, and the merge of both edits. Clocks are hlc (u64 BE) \
                      followed by the device id."
                .into(),
        format1_bytes: json.len(),
        entry_json: json,
        clock_first: clock_hex(first_at),
        clock_note: clock_hex(note_at),
        clock_billable: clock_hex(billable_at),
        format2_bytes: first.to_bytes().len(),
        first: hex(&first.to_bytes()),
        note_edited: hex(&a),
        billable_edited: hex(&b),
        merged: hex(&merged),
    }
}

#[test]
fn payload_format_2_matches_its_committed_vector() {
    let built = build();
    if std::env::var_os("STINT_WRITE_VECTORS").is_some() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/vectors/payload_v2.json");
        std::fs::write(path, serde_json::to_string_pretty(&built).unwrap() + "\n").unwrap();
        return;
    }
    let committed: PayloadVector = serde_json::from_str(PAYLOAD_JSON).unwrap();
    assert_eq!(built, committed);

    // The committed bytes read back as the records they stand for.
    let first: TimeEntry = payload::decode(&unhex(&committed.first)).unwrap();
    assert_eq!(first, entry());
    let merged: TimeEntry = payload::decode(&unhex(&committed.merged)).unwrap();
    assert_eq!(merged.note, "Design review with Müller & Søn, second round");
    assert!(!merged.billable);
    let fields = Fields::parse(&unhex(&committed.merged)).unwrap();
    let note = fields.get(5).unwrap();
    assert_eq!(clock_hex(note.clock), committed.clock_note);
    assert_eq!(
        note.base.map(clock_hex),
        Some(committed.clock_first.clone())
    );
    assert_eq!(
        clock_hex(fields.get(0).unwrap().clock),
        committed.clock_first
    );
    // Format 1 (JSON) of the same entry still reads.
    let old: TimeEntry = serde_json::from_str(&committed.entry_json).unwrap();
    assert_eq!(old, entry());
}
