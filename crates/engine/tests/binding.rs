//! Every record's content is tied to its header (issue 13, item 6): on unlock, a record whose payload
//! names another id, whose kind belongs in the other compartment, that is named as an attachment
//! without being one, or that is an entry or expense of a member its author may not write for, is
//! quarantined, never applied.
//!
//! Each tampered record is authentic: [`Engine::put_raw_record`] encrypts, signs and seals it with
//! the vault's own keys, so only the checks on decode can catch it.

use jiff::Timestamp;
use jiff::civil::date;
use rust_decimal_macros::dec;
use stint_domain::*;
use stint_engine::*;

mod support;
use support::acme;

const TEAM: u8 = 1;
const FINANCE: u8 = 2;

fn fixed_now() -> Timestamp {
    "2025-03-14T12:00:00Z".parse().unwrap()
}

fn fresh_id() -> [u8; 16] {
    ulid::Ulid::generate().to_bytes()
}

fn label(id: [u8; 16]) -> String {
    ulid::Ulid::from_bytes(id).to_string()
}

/// Closes the engine and unlocks the vault again: the records go through the load path.
async fn reopen(engine: Engine, dir: &std::path::Path, keys: &MemoryKeyStore) -> Engine {
    engine.close().await;
    let mut engine = Engine::open(dir, Unlock::Keyring(keys)).await.unwrap();
    engine.set_clock(Some(fixed_now()));
    engine
}

fn quarantined_reason(engine: &Engine, id: [u8; 16]) -> Option<String> {
    engine
        .quarantined()
        .iter()
        .find(|q| q.record == label(id))
        .map(|q| q.reason.clone())
}

struct World {
    dir: tempfile::TempDir,
    keys: MemoryKeyStore,
    engine: Engine,
    org: OrgId,
    owner: ActAs,
    project: ProjectId,
}

async fn world() -> World {
    let dir = tempfile::tempdir().unwrap();
    let keys = MemoryKeyStore::default();
    let (mut engine, org) = acme(dir.path(), &keys).await;
    engine.set_clock(Some(fixed_now()));
    let owner = engine.act_as_user(org).unwrap();
    let client = engine
        .add_client(
            &owner,
            NewClient {
                name: "Müller & Søn".into(),
                currency: None,
                rounding: None,
                note: String::new(),
            },
        )
        .await
        .unwrap();
    let project = engine
        .add_project(
            &owner,
            NewProject {
                client,
                name: "Website".into(),
                billable: None,
                rounding: None,
                note: String::new(),
            },
        )
        .await
        .unwrap();
    World {
        dir,
        keys,
        engine,
        org,
        owner,
        project,
    }
}

fn entry_for(project: ProjectId, member: MemberId, hour: i8, note: &str) -> NewEntry {
    let start: Timestamp = format!("2025-03-10T{hour:02}:00:00Z").parse().unwrap();
    NewEntry {
        member: Some(member),
        project: Some(project),
        task: None,
        time: EntryTime::Span {
            start,
            end: start + jiff::SignedDuration::from_mins(90),
        },
        note: note.into(),
        billable: None,
        tags: Vec::new(),
    }
}

/// A time entry's payload, as a test forges it.
fn entry_payload(id: [u8; 16], member: MemberId, project: ProjectId, note: &str) -> Vec<u8> {
    let start: Timestamp = "2025-03-11T09:00:00Z".parse().unwrap();
    serde_json::to_vec(&TimeEntry {
        id: EntryId::from_bytes(id),
        member,
        project: Some(project),
        task: None,
        time: EntryTime::Span {
            start,
            end: start + jiff::SignedDuration::from_hours(1),
        },
        note: note.into(),
        billable: true,
        tags: Vec::new(),
        invoiced: false,
    })
    .unwrap()
}

fn expense_payload(id: [u8; 16], member: MemberId, receipt: Option<Receipt>) -> Vec<u8> {
    serde_json::to_vec(&Expense {
        id: ExpenseId::from_bytes(id),
        member,
        date: date(2025, 3, 11),
        amount: Money::parse_positive("12.50", "EUR".parse().unwrap()).unwrap(),
        category: "Travel".into(),
        note: "train".into(),
        billable: false,
        project: None,
        receipt,
        invoiced: false,
    })
    .unwrap()
}

fn all_entries(engine: &Engine, by: &ActAs) -> Vec<TimeEntry> {
    engine
        .entries(by, &EntryFilter::default())
        .unwrap()
        .into_iter()
        .map(|v| v.entry)
        .collect()
}

#[tokio::test]
async fn a_payload_under_another_record_id_is_quarantined() {
    let World {
        dir,
        keys,
        mut engine,
        org,
        owner,
        project,
    } = world().await;
    let real = engine
        .add_entry(&owner, entry_for(project, owner.member, 9, "real work"))
        .await
        .unwrap()
        .entry
        .entry;

    // An entry's payload (its own id inside) under a new record id: it would overwrite the real one.
    let mut copy = real.clone();
    copy.note = "forged".into();
    let entry_row = fresh_id();
    engine
        .put_raw_record(RawRecord {
            org,
            id: entry_row,
            kind: Kind::TimeEntry as u16,
            compartment: TEAM,
            author: owner.member,
            owner: [0; 16],
            payload: serde_json::to_vec(&copy).unwrap(),
        })
        .await
        .unwrap();
    // A member profile naming the owner, under another id: it would make the owner a Viewer.
    let member_row = fresh_id();
    engine
        .put_raw_record(RawRecord {
            org,
            id: member_row,
            kind: Kind::Member as u16,
            compartment: TEAM,
            author: owner.member,
            owner: [0; 16],
            payload: serde_json::to_vec(&Member {
                id: owner.member,
                name: "Olive".into(),
                role: Role::Viewer,
                active: true,
            })
            .unwrap(),
        })
        .await
        .unwrap();

    let engine = reopen(engine, dir.path(), &keys).await;
    for row in [entry_row, member_row] {
        let reason = quarantined_reason(&engine, row).unwrap_or_else(|| {
            panic!("{} not quarantined: {:?}", label(row), engine.quarantined())
        });
        assert!(reason.contains("id"), "{reason}");
    }
    assert_eq!(all_entries(&engine, &owner), [real]);
    let members = engine.members(&owner).unwrap();
    assert_eq!(
        members
            .iter()
            .find(|m| m.id == owner.member)
            .map(|m| m.role),
        Some(Role::Owner)
    );
}

#[tokio::test]
async fn a_record_in_the_other_compartment_is_quarantined() {
    let World {
        dir,
        keys,
        engine,
        org,
        owner,
        project,
    } = world().await;
    // A rate is finance: written under the team key, which every Member holds, it must not count.
    let rate_row = fresh_id();
    let rate = Rate {
        id: RateId::from_bytes(rate_row),
        scope: RateScope::Organization,
        effective_from: date(2025, 1, 1),
        hourly: Money::new(dec!(500), "EUR".parse().unwrap()),
    };
    engine
        .put_raw_record(RawRecord {
            org,
            id: rate_row,
            kind: Kind::Rate as u16,
            compartment: TEAM,
            author: owner.member,
            owner: [0; 16],
            payload: serde_json::to_vec(&rate).unwrap(),
        })
        .await
        .unwrap();
    // And a team record under the finance key.
    let entry_row = fresh_id();
    engine
        .put_raw_record(RawRecord {
            org,
            id: entry_row,
            kind: Kind::TimeEntry as u16,
            compartment: FINANCE,
            author: owner.member,
            owner: [0; 16],
            payload: entry_payload(entry_row, owner.member, project, "in finance"),
        })
        .await
        .unwrap();

    let engine = reopen(engine, dir.path(), &keys).await;
    for row in [rate_row, entry_row] {
        let reason = quarantined_reason(&engine, row).unwrap_or_else(|| {
            panic!("{} not quarantined: {:?}", label(row), engine.quarantined())
        });
        assert!(reason.contains("compartment"), "{reason}");
    }
    assert!(engine.rates(&owner).unwrap().is_empty());
    assert!(all_entries(&engine, &owner).is_empty());
}

#[tokio::test]
async fn a_record_named_as_an_attachment_must_be_one() {
    let World {
        dir,
        keys,
        mut engine,
        org,
        owner,
        project,
    } = world().await;
    let entry = engine
        .add_entry(&owner, entry_for(project, owner.member, 9, "private note"))
        .await
        .unwrap()
        .entry
        .entry;
    let rate = engine
        .set_rate(
            &owner,
            NewRate {
                scope: RateScope::Organization,
                effective_from: date(2025, 1, 1),
                hourly: "95".into(),
                currency: None,
            },
        )
        .await
        .unwrap();

    // The organization's logo names a time entry, and an expense's receipt names a rate: opening
    // either "attachment" would hand out another record's plaintext as file bytes.
    let mut profile = engine.organization(&owner).unwrap();
    profile.logo = Some(AttachmentId(entry.id.0));
    engine
        .put_raw_record(RawRecord {
            org,
            id: org.to_bytes(),
            kind: Kind::Organization as u16,
            compartment: TEAM,
            author: owner.member,
            owner: [0; 16],
            payload: serde_json::to_vec(&profile).unwrap(),
        })
        .await
        .unwrap();
    let expense_row = fresh_id();
    engine
        .put_raw_record(RawRecord {
            org,
            id: expense_row,
            kind: Kind::Expense as u16,
            compartment: TEAM,
            author: owner.member,
            owner: [0; 16],
            payload: expense_payload(
                expense_row,
                owner.member,
                Some(Receipt {
                    attachment: AttachmentId(rate.0),
                    file_name: "receipt.pdf".into(),
                    media_type: "application/pdf".into(),
                    size: 100,
                }),
            ),
        })
        .await
        .unwrap();

    let engine = reopen(engine, dir.path(), &keys).await;
    let reason = quarantined_reason(&engine, entry.id.to_bytes()).unwrap_or_else(|| {
        panic!(
            "the logo's record is not quarantined: {:?}",
            engine.quarantined()
        )
    });
    assert!(reason.contains("not an attachment"), "{reason}");
    assert_eq!(engine.logo(&owner).unwrap(), None);
    // The entry itself is fine and still there.
    assert_eq!(all_entries(&engine, &owner), [entry]);

    let err = engine
        .receipt(&owner, ExpenseId::from_bytes(expense_row))
        .await
        .unwrap_err();
    assert!(err.to_string().contains("not an attachment"), "{err}");
}

#[tokio::test]
async fn an_entry_or_expense_of_another_member_needs_an_author_who_may_write_it() {
    let World {
        dir,
        keys,
        mut engine,
        org,
        owner,
        project,
    } = world().await;
    let mia = engine
        .add_member(&owner, "Mia Member", Role::Member)
        .await
        .unwrap();
    let ada = engine
        .add_member(&owner, "Ada Admin", Role::Admin)
        .await
        .unwrap();
    let dan = engine
        .add_member(&owner, "Dan Demoted", Role::Admin)
        .await
        .unwrap();
    // Dan writes Mia's entry while an Admin, then is made a Member: the entry stays valid.
    let dans_entry = engine
        .add_entry(
            &engine.act_as_member(org, dan).await.unwrap(),
            entry_for(project, mia, 8, "by Dan as Admin"),
        )
        .await
        .unwrap()
        .entry
        .entry;
    engine.set_role(&owner, dan, Role::Member).await.unwrap();

    let mut forged = Vec::new();
    let mut kept = vec![dans_entry.id];
    let raw = |id: [u8; 16], kind: Kind, author: MemberId, payload: Vec<u8>| RawRecord {
        org,
        id,
        kind: kind as u16,
        compartment: TEAM,
        author,
        owner: [0; 16],
        payload,
    };
    // A Member writing the owner's entry and expense.
    let id = fresh_id();
    let payload = entry_payload(id, owner.member, project, "Mia for Olive");
    engine
        .put_raw_record(raw(id, Kind::TimeEntry, mia, payload))
        .await
        .unwrap();
    forged.push(id);
    let id = fresh_id();
    let payload = expense_payload(id, owner.member, None);
    engine
        .put_raw_record(raw(id, Kind::Expense, mia, payload))
        .await
        .unwrap();
    forged.push(id);
    // Someone who is not a member of the organization at all.
    let id = fresh_id();
    let stranger = MemberId(ulid::Ulid::generate());
    let payload = entry_payload(id, mia, project, "stranger for Mia");
    engine
        .put_raw_record(raw(id, Kind::TimeEntry, stranger, payload))
        .await
        .unwrap();
    forged.push(id);
    // Dan, now a Member, writing Mia's entry.
    let id = fresh_id();
    let payload = entry_payload(id, mia, project, "Dan as Member for Mia");
    engine
        .put_raw_record(raw(id, Kind::TimeEntry, dan, payload))
        .await
        .unwrap();
    forged.push(id);
    // Allowed: an Admin writing Mia's entry, and Mia writing her own.
    let id = fresh_id();
    let payload = entry_payload(id, mia, project, "Ada for Mia");
    engine
        .put_raw_record(raw(id, Kind::TimeEntry, ada, payload))
        .await
        .unwrap();
    kept.push(EntryId::from_bytes(id));
    let id = fresh_id();
    let payload = entry_payload(id, mia, project, "Mia's own");
    engine
        .put_raw_record(raw(id, Kind::TimeEntry, mia, payload))
        .await
        .unwrap();
    kept.push(EntryId::from_bytes(id));

    // Format 2 headers name the owner: an Admin's entry for Mia naming the Admin, Mia's own
    // naming Ada, a client naming an owner (its kind has none) are refused; Mia's entry by Ada
    // naming Mia is kept.
    let mut misnamed = Vec::new();
    for (author, named, kind) in [
        (ada, ada, Kind::TimeEntry),
        (mia, ada, Kind::TimeEntry),
        (ada, mia, Kind::Client),
    ] {
        let id = fresh_id();
        let payload = if kind == Kind::Client {
            serde_json::to_vec(&Client {
                id: ClientId::from_bytes(id),
                name: "Müller & Søn".into(),
                currency: None,
                rounding: None,
                note: String::new(),
                archived: false,
            })
            .unwrap()
        } else {
            entry_payload(id, mia, project, "misnamed")
        };
        engine
            .put_raw_record(RawRecord {
                owner: named.to_bytes(),
                ..raw(id, kind, author, payload)
            })
            .await
            .unwrap();
        misnamed.push(id);
    }
    let id = fresh_id();
    let payload = entry_payload(id, mia, project, "Ada for Mia, named");
    engine
        .put_raw_record(RawRecord {
            owner: mia.to_bytes(),
            ..raw(id, Kind::TimeEntry, ada, payload)
        })
        .await
        .unwrap();
    kept.push(EntryId::from_bytes(id));

    let engine = reopen(engine, dir.path(), &keys).await;
    for id in &forged {
        let reason = quarantined_reason(&engine, *id).unwrap_or_else(|| {
            panic!("{} not quarantined: {:?}", label(*id), engine.quarantined())
        });
        assert!(reason.contains("author"), "{reason}");
    }
    for id in &misnamed {
        let reason = quarantined_reason(&engine, *id).unwrap_or_else(|| {
            panic!("{} not quarantined: {:?}", label(*id), engine.quarantined())
        });
        assert!(reason.contains("owner"), "{reason}");
    }
    assert_eq!(
        engine.quarantined().len(),
        forged.len() + misnamed.len(),
        "{:?}",
        engine.quarantined()
    );
    let mut listed: Vec<EntryId> = all_entries(&engine, &owner).iter().map(|e| e.id).collect();
    listed.sort();
    kept.sort();
    assert_eq!(listed, kept);
    assert!(
        engine.expenses(&owner, None, None).unwrap().is_empty(),
        "the forged expense is not applied"
    );
}
