use super::*;
use crate::entry::{EntryTime, TimeEntry};
use crate::ids::*;
use proptest::prelude::*;
use ulid::Ulid;

fn clock(hlc: u64, device: u8) -> Clock {
    Clock {
        hlc,
        device: [device; 16],
    }
}

fn entry() -> TimeEntry {
    TimeEntry {
        id: EntryId(Ulid::from_parts(1, 1)),
        member: MemberId(Ulid::from_parts(2, 2)),
        project: Some(ProjectId(Ulid::from_parts(3, 3))),
        task: None,
        time: EntryTime::Span {
            start: "2026-03-02T09:00:00Z".parse().unwrap(),
            end: "2026-03-02T10:30:00Z".parse().unwrap(),
        },
        note: "Design review".into(),
        billable: true,
        tags: vec![TagId(Ulid::from_parts(4, 4))],
        invoiced: false,
    }
}

#[test]
fn a_time_entry_round_trips_and_is_smaller_than_its_json() {
    let e = entry();
    let bytes = encode_fresh(&e, clock(7, 1)).unwrap();
    assert_eq!(decode::<TimeEntry>(&bytes).unwrap(), e);
    let json = serde_json::to_vec(&e).unwrap();
    assert!(
        bytes.len() < json.len(),
        "{} >= {}",
        bytes.len(),
        json.len()
    );
    for time in [
        EntryTime::Running {
            start: "2026-03-02T09:00:00Z".parse().unwrap(),
        },
        EntryTime::Duration {
            date: "2026-03-02".parse().unwrap(),
            seconds: 5400,
        },
    ] {
        let e = TimeEntry { time, ..entry() };
        assert_eq!(
            decode::<TimeEntry>(&encode_fresh(&e, clock(7, 1)).unwrap()).unwrap(),
            e
        );
    }
}

#[test]
fn an_entry_without_a_project_round_trips_and_one_with_a_project_reads_as_before() {
    // A timer started without a project: the field is MessagePack nil.
    let e = TimeEntry {
        project: None,
        time: EntryTime::Running {
            start: "2026-03-02T09:00:00Z".parse().unwrap(),
        },
        ..entry()
    };
    let bytes = encode_fresh(&e, clock(7, 1)).unwrap();
    assert_eq!(decode::<TimeEntry>(&bytes).unwrap(), e);
    let project = Fields::parse(&bytes).unwrap().get(2).unwrap().value.clone();
    assert_eq!(project, [0xc0]);
    // With a project the field is the id's 16 bytes, exactly what the field held when every
    // entry had to have a project: payloads written before read unchanged.
    let id = ProjectId(Ulid::from_parts(3, 3));
    let with = Fields::parse(&encode_fresh(&entry(), clock(7, 1)).unwrap())
        .unwrap()
        .get(2)
        .unwrap()
        .value
        .clone();
    assert_eq!(with, rmp_serde::to_vec(&id).unwrap());
    assert_eq!(with.len(), 18, "bin8 header, length, 16 bytes");
}

#[test]
fn json_is_unchanged_by_the_binary_form() {
    let json = serde_json::to_value(entry()).unwrap();
    assert_eq!(json["id"], Ulid::from_parts(1, 1).to_string());
    assert_eq!(json["time"]["type"], "span");
}

#[test]
fn the_merge_rules_name_the_fields_they_mean() {
    // `precedence` reads field 4 of a time entry as its time.
    assert_eq!(field_names::<TimeEntry>()[TIME_ENTRY_TIME as usize], "time");
    let running = TimeEntry {
        time: EntryTime::Running {
            start: "2026-03-02T09:00:00Z".parse().unwrap(),
        },
        ..entry()
    };
    let values = split(&running).unwrap();
    assert!(is_running(&values[TIME_ENTRY_TIME as usize].1));
    assert!(!is_running(
        &split(&entry()).unwrap()[TIME_ENTRY_TIME as usize].1
    ));
}

#[test]
fn an_edit_keeps_the_clocks_of_fields_it_does_not_change() {
    let first = Fields::fresh(split(&entry()).unwrap(), clock(10, 1));
    let edited = TimeEntry {
        note: "Design review, round two".into(),
        ..entry()
    };
    let second = first.edit(split(&edited).unwrap(), clock(20, 2));
    for f in second.fields() {
        if f.index == 5 {
            assert_eq!((f.clock, f.base), (clock(20, 2), Some(clock(10, 1))));
        } else {
            assert_eq!((f.clock, f.base), (clock(10, 1), None), "field {}", f.index);
        }
    }
    let bytes = second.to_bytes();
    assert_eq!(Fields::parse(&bytes).unwrap(), second);
    assert_eq!(decode::<TimeEntry>(&bytes).unwrap(), edited);
}

#[test]
fn fields_a_newer_version_wrote_are_skipped_when_read_and_kept_when_edited() {
    let mut values = split(&entry()).unwrap();
    values.push((40, vec![1, 2, 3]));
    let fields = Fields::fresh(values, clock(10, 1));
    assert_eq!(decode::<TimeEntry>(&fields.to_bytes()).unwrap(), entry());
    let edited = fields.edit(split(&entry()).unwrap(), clock(11, 1));
    assert_eq!(edited.get(40).map(|f| f.value.clone()), Some(vec![1, 2, 3]));
}

#[test]
fn a_missing_field_is_an_error_not_a_default() {
    let mut values = split(&entry()).unwrap();
    values.retain(|(i, _)| *i != 5);
    let bytes = Fields::fresh(values, clock(1, 1)).to_bytes();
    let e = decode::<TimeEntry>(&bytes).unwrap_err();
    assert!(e.0.contains("note"), "{e}");
}

#[test]
fn non_canonical_payloads_are_refused() {
    let good = Fields::fresh(split(&entry()).unwrap(), clock(5, 1)).to_bytes();
    assert!(Fields::parse(&good).is_ok());
    let mut trailing = good.clone();
    trailing.push(0);
    let mut wrong_format = good.clone();
    wrong_format[0] = 3;
    // One clock (24 bytes) after the header bytes 02 01: a second, unused clock.
    let mut unused = good.clone();
    unused[1] = 2;
    unused.splice(
        26..26,
        clock(9, 9).hlc.to_be_bytes().into_iter().chain([9; 16]),
    );
    // A field index written as a two-byte varint of 0.
    let mut overlong = vec![FORMAT, 1];
    overlong.extend_from_slice(&good[2..26]);
    overlong.extend_from_slice(&[1, 0x80, 0x00, 0, 0, 0]);
    let mut descending = vec![FORMAT, 1];
    descending.extend_from_slice(&good[2..26]);
    descending.extend_from_slice(&[2, 1, 0, 0, 0, 0, 0, 0, 0]);
    for (what, bytes) in [
        ("truncated", &good[..good.len() - 1]),
        ("trailing", &trailing[..]),
        ("wrong format", &wrong_format[..]),
        ("unused clock", &unused[..]),
        ("overlong varint", &overlong[..]),
        ("descending fields", &descending[..]),
        ("empty", &[][..]),
    ] {
        assert!(Fields::parse(bytes).is_err(), "{what} was accepted");
        assert!(decode::<TimeEntry>(bytes).is_err(), "{what} decoded");
    }
}

#[test]
fn concurrent_edits_of_different_fields_both_survive() {
    let base = Fields::fresh(split(&entry()).unwrap(), clock(10, 1));
    let laptop = base.edit(
        split(&TimeEntry {
            note: "from the laptop".into(),
            ..entry()
        })
        .unwrap(),
        clock(20, 1),
    );
    let phone = base.edit(
        split(&TimeEntry {
            billable: false,
            ..entry()
        })
        .unwrap(),
        clock(15, 2),
    );
    let (joined, conflicts) = join(&laptop, &phone, |_, _| 0);
    assert!(conflicts.is_empty());
    let merged = decode::<TimeEntry>(&joined.to_bytes()).unwrap();
    assert_eq!(
        (merged.note.as_str(), merged.billable),
        ("from the laptop", false)
    );
}

#[test]
fn concurrent_edits_of_one_field_conflict_and_later_edits_do_not() {
    let base = Fields::fresh(split(&entry()).unwrap(), clock(10, 1));
    let note = |text: &str| {
        split(&TimeEntry {
            note: text.into(),
            ..entry()
        })
        .unwrap()
    };
    let laptop = base.edit(note("laptop"), clock(20, 1));
    let phone = base.edit(note("phone"), clock(21, 2));
    let (joined, conflicts) = join(&laptop, &phone, |_, _| 0);
    assert_eq!(
        conflicts,
        vec![Conflict {
            index: 5,
            loser: Loser::Local
        }]
    );
    assert_eq!(
        decode::<TimeEntry>(&joined.to_bytes()).unwrap().note,
        "phone"
    );
    // The phone saw the laptop's note before writing its own: no conflict.
    let after = laptop.edit(note("phone, after"), clock(30, 2));
    let (_, conflicts) = join(&laptop, &after, |_, _| 0);
    assert!(conflicts.is_empty());
    // A device that missed the versions in between still sees no conflict.
    let later = after.edit(note("laptop again"), clock(40, 1));
    let (_, conflicts) = join(&base, &later, |_, _| 0);
    assert!(conflicts.is_empty());
}

#[test]
fn a_stopped_timer_stays_stopped_and_deletes_win() {
    let running = TimeEntry {
        time: EntryTime::Running {
            start: "2026-03-02T09:00:00Z".parse().unwrap(),
        },
        ..entry()
    };
    let base = Fields::fresh(split(&running).unwrap(), clock(10, 1));
    let stopped = base.edit(split(&entry()).unwrap(), clock(20, 1));
    let moved = base.edit(
        split(&TimeEntry {
            time: EntryTime::Running {
                start: "2026-03-02T08:00:00Z".parse().unwrap(),
            },
            note: "started earlier".into(),
            ..running
        })
        .unwrap(),
        clock(30, 2),
    );
    let version = |bytes: &[u8]| -> Vec<u8> { bytes.to_vec() };
    let (a, b) = (version(&stopped.to_bytes()), version(&moved.to_bytes()));
    let v = |payload| Version::live(Kind::TimeEntry, payload);
    for (local, incoming) in [(&a, &b), (&b, &a)] {
        let (merged, _) = merge(v(local), v(incoming));
        let Merged::New(bytes) = merged else {
            panic!("expected a new version, got {merged:?}");
        };
        let e = decode::<TimeEntry>(&bytes).unwrap();
        assert_eq!(e.time, entry().time);
        assert_eq!(e.note, "started earlier");
    }
    let deleted = Version {
        kind: Kind::TimeEntry as u16,
        tombstone: true,
        payload: &[],
    };
    assert_eq!(merge(deleted, v(&a)).0, Merged::Local);
    assert_eq!(merge(v(&a), deleted).0, Merged::Incoming);
    assert_eq!(merge(v(&a), v(&a)).0, Merged::Greater);
}

#[test]
fn format_1_records_and_attachments_are_not_merged() {
    let json = serde_json::to_vec(&entry()).unwrap();
    let two = encode_fresh(&entry(), clock(1, 1)).unwrap();
    let v = Version::live;
    assert_eq!(
        merge(v(Kind::TimeEntry, &json), v(Kind::TimeEntry, &two)).0,
        Merged::Greater
    );
    assert_eq!(
        merge(v(Kind::Attachment, &two), v(Kind::Attachment, &two)).0,
        Merged::Greater
    );
    assert_eq!(
        merge(v(Kind::Expense, &two), v(Kind::TimeEntry, &two)).0,
        Merged::Greater
    );
}

fn arb_fields() -> impl Strategy<Value = Fields> {
    // Few indices, clocks and values, so that versions collide often.
    proptest::collection::btree_map(
        0u16..6,
        (
            1u64..6,
            0u8..3,
            proptest::option::of((0u64..6, 0u8..3)),
            0u8..3,
        ),
        0..6,
    )
    .prop_map(|m| {
        Fields(
            m.into_iter()
                .map(|(index, (hlc, device, base, value))| {
                    let c = clock(hlc, device);
                    // Values and bases may differ under one clock: forged, but still merged alike.
                    Field {
                        index,
                        clock: c,
                        base: base.map(|(h, d)| clock(h, d)).filter(|b| *b < c),
                        value: vec![value ^ (hlc as u8) ^ device, index as u8],
                    }
                })
                .collect(),
        )
    })
}

proptest! {
    #[test]
    fn any_fields_round_trip(f in arb_fields()) {
        prop_assert_eq!(Fields::parse(&f.to_bytes()).unwrap(), f);
    }

    #[test]
    fn any_bytes_are_refused_or_read_never_a_panic(bytes in proptest::collection::vec(any::<u8>(), 0..200)) {
        let mut framed = vec![FORMAT];
        framed.extend_from_slice(&bytes);
        let _ = Fields::parse(&framed);
        let _ = decode::<TimeEntry>(&framed);
    }

    #[test]
    fn joining_is_commutative_associative_and_idempotent(
        a in arb_fields(), b in arb_fields(), c in arb_fields()
    ) {
        let rank = |i: u16, v: &[u8]| u8::from(i == 4 && v.first() == Some(&0));
        let j = |x: &Fields, y: &Fields| join(x, y, rank).0;
        prop_assert_eq!(j(&a, &b).to_bytes(), j(&b, &a).to_bytes());
        prop_assert_eq!(j(&j(&a, &b), &c).to_bytes(), j(&a, &j(&b, &c)).to_bytes());
        prop_assert_eq!(j(&a, &a).to_bytes(), a.to_bytes());
    }
}

#[test]
fn tagged_enums_of_every_record_kind_round_trip() {
    use crate::budget::BudgetLimit;
    use crate::invoice::{Discount, Every, InvoiceKind, LineSource};
    use crate::rate::RateScope;
    #[derive(Serialize, serde::Deserialize, PartialEq, Debug)]
    struct Tagged {
        scope: RateScope,
        limit: BudgetLimit,
        discount: Discount,
        every: Every,
        kind: InvoiceKind,
        source: LineSource,
        money: crate::money::Money,
    }
    let value = Tagged {
        scope: RateScope::ProjectMember {
            project: ProjectId(Ulid::from_parts(3, 3)),
            member: MemberId(Ulid::from_parts(2, 2)),
        },
        limit: BudgetLimit::Hours {
            hours: "12.5".parse().unwrap(),
        },
        discount: Discount::Percent("7.5".parse().unwrap()),
        every: Every::Months(3),
        kind: InvoiceKind::CreditNote {
            corrects: InvoiceId(Ulid::from_parts(5, 5)),
        },
        source: LineSource::Time {
            entries: vec![EntryId(Ulid::from_parts(1, 1))],
        },
        money: crate::money::Money::new("95.50".parse().unwrap(), "EUR".parse().unwrap()),
    };
    let bytes = encode_fresh(&value, clock(1, 1)).unwrap();
    assert_eq!(decode::<Tagged>(&bytes).unwrap(), value);
}

#[test]
fn a_value_is_exactly_one_messagepack_value() {
    // Every value the record types write is measured exactly.
    for (_, value) in split(&entry()).unwrap() {
        assert_eq!(value_len(&value, 0), Some(value.len()), "{value:x?}");
    }
    let mut long = vec![0xdc, 0x00, 0x03, 0x01, 0xa2, b'h', b'i', 0xc4, 0x02, 7, 7];
    assert_eq!(value_len(&long, 0), Some(long.len()));
    long.push(0);
    assert_eq!(value_len(&long, 0), Some(long.len() - 1));
    for cut in [
        &[0xa3, b'a'][..],
        &[0xdc, 0x00],
        &[0xc4, 0x05, 1],
        &[0xc1],
        &[],
    ] {
        assert_eq!(value_len(cut, 0), None, "{cut:x?}");
    }
    // A field with a byte after its value does not decode.
    let mut values = split(&entry()).unwrap();
    values[5].1.push(0xc0);
    let bytes = Fields::fresh(values, clock(1, 1)).to_bytes();
    assert!(decode::<TimeEntry>(&bytes).is_err());
    // Nesting deeper than 64 is refused, not followed.
    let deep: Vec<u8> = std::iter::repeat_n(0x91, 100).chain([0xc0]).collect();
    assert_eq!(value_len(&deep, 0), None);
}
