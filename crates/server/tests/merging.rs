//! Offline edits on two devices of one person, then sync (docs/sync.md, "Merging"), through a real
//! server on SQLite and PostgreSQL: different fields of one entry both survive; the same field is
//! decided the same way on both and the loser is kept for review and can be put back; a delete
//! wins over an edit; a timer stopped on one device stays stopped; two devices that create the
//! billing profile offline make one; a device whose clock is ten minutes behind still writes after
//! what it saw. Afterwards both vaults hold the same bytes. And in a team, a device whose role may
//! not write a record leaves its merge to those who may.

mod support;

use jiff::Timestamp;
use stint_domain::{EntryId, EntryTime, OrgId, Role};
use stint_engine::sync::SyncReport;
use stint_engine::{
    ActAs, Engine, EntryChanges, EntryFilter, MemoryKeyStore, NewEntry, StartTimer,
};
use stint_sync::HttpTransport;
use support::devices::{acme_website, device, laptop_and_phone, stored_records};
use support::{Backend, Server, Storage};

const PASSWORD: &str = "a long and private passphrase";

fn at(text: &str) -> Timestamp {
    text.parse().unwrap()
}

async fn add(
    engine: &mut Engine,
    by: &ActAs,
    project: stint_domain::ProjectId,
    from: &str,
    to: &str,
    note: &str,
) -> EntryId {
    engine
        .add_entry(
            by,
            NewEntry {
                member: None,
                project: Some(project),
                task: None,
                time: EntryTime::Span {
                    start: at(from),
                    end: at(to),
                },
                note: note.into(),
                billable: None,
                tags: vec![],
            },
        )
        .await
        .unwrap()
        .entry
        .entry
        .id
}

async fn edit(engine: &mut Engine, by: &ActAs, id: EntryId, changes: EntryChanges) {
    engine.edit_entry(by, id, changes).await.unwrap();
}

fn note(text: &str) -> EntryChanges {
    EntryChanges {
        note: Some(text.into()),
        ..EntryChanges::default()
    }
}

/// Each entry as (note, billable, running), by id.
fn entries(engine: &Engine, by: &ActAs) -> Vec<(EntryId, String, bool, bool)> {
    let mut list: Vec<_> = engine
        .entries(by, &EntryFilter::default())
        .unwrap()
        .into_iter()
        .map(|v| {
            let running = v.entry.is_running();
            (v.entry.id, v.entry.note, v.entry.billable, running)
        })
        .collect();
    list.sort();
    list
}

/// Rounds on both devices until neither has anything to push; the reports of all rounds.
async fn settle(devices: [(&mut Engine, &HttpTransport); 2], org: OrgId) -> Vec<SyncReport> {
    let mut reports = Vec::new();
    let [(a, ta), (b, tb)] = devices;
    for _ in 0..4 {
        for (engine, t) in [(&mut *a, ta), (&mut *b, tb)] {
            let r = engine.sync(t).await.unwrap();
            reports.extend(r.into_iter().filter(|(o, _)| *o == org).map(|(_, r)| r));
        }
        if a.outbox_len().await.unwrap() == 0 && b.outbox_len().await.unwrap() == 0 {
            // One more round each so both hold the last merge.
            for (engine, t) in [(&mut *a, ta), (&mut *b, tb)] {
                engine.sync(t).await.unwrap();
            }
            return reports;
        }
    }
    panic!("the devices did not settle: {reports:?}");
}

async fn offline_edits_on_two_devices_merge(backend: Backend) {
    let storage = Storage::new(backend).await;
    let server = Server::start(&storage).await;
    let email = "ada@example.org";
    let (to_laptop, to_phone) = laptop_and_phone(&server, &storage, email, PASSWORD).await;
    let (laptop_dir, phone_dir) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let (laptop_keys, phone_keys) = (MemoryKeyStore::default(), MemoryKeyStore::default());
    let mut laptop = device(laptop_dir.path(), &laptop_keys).await;
    let mut phone = device(phone_dir.path(), &phone_keys).await;
    // Both devices' idea of "now" for timers: fixed, never the machine's.
    laptop.set_clock(Some(at("2026-03-02T15:00:00Z")));
    phone.set_clock(Some(at("2026-03-02T15:30:00Z")));

    let (org, project) = acme_website(&mut laptop).await;
    let by = laptop.act_as_user(org).unwrap();
    let both_fields = add(
        &mut laptop,
        &by,
        project,
        "2026-03-02T09:00:00Z",
        "2026-03-02T10:00:00Z",
        "draft",
    )
    .await;
    let same_field = add(
        &mut laptop,
        &by,
        project,
        "2026-03-02T10:00:00Z",
        "2026-03-02T11:00:00Z",
        "call",
    )
    .await;
    let deleted = add(
        &mut laptop,
        &by,
        project,
        "2026-03-02T11:00:00Z",
        "2026-03-02T12:00:00Z",
        "to delete",
    )
    .await;
    let timer = laptop
        .start_timer(
            &by,
            StartTimer {
                project: Some(project),
                task: None,
                note: String::new(),
                billable: None,
                tags: vec![],
            },
        )
        .await
        .unwrap()
        .entry
        .entry
        .id;

    let recovery = laptop
        .set_up_sync(&to_laptop)
        .await
        .unwrap()
        .to_text()
        .to_string();
    laptop.forget_recovery_key().await.unwrap();
    laptop.publish(&to_laptop, org).await.unwrap();
    laptop.sync(&to_laptop).await.unwrap();
    phone.restore_sync(&to_phone, &recovery).await.unwrap();
    phone.sync(&to_phone).await.unwrap();
    let by = laptop.act_as_user(org).unwrap();
    let on_phone = phone.act_as_user(org).unwrap();
    assert_eq!(entries(&phone, &on_phone), entries(&laptop, &by));
    assert_eq!(entries(&phone, &on_phone).len(), 4);

    // Offline on both. The phone's clock is ten minutes behind the laptop's.
    phone.skew_clock(-10 * 60 * 1000);
    edit(&mut laptop, &by, both_fields, note("laptop note")).await;
    edit(&mut laptop, &by, same_field, note("laptop wording")).await;
    laptop.delete_entry(&by, deleted).await.unwrap();
    edit(&mut laptop, &by, timer, note("standup")).await;
    let mut profile = laptop.billing_profile(&by).unwrap();
    profile.payment_days = 30;
    laptop.save_billing_profile(&by, profile).await.unwrap();

    edit(
        &mut phone,
        &on_phone,
        both_fields,
        EntryChanges {
            billable: Some(false),
            ..EntryChanges::default()
        },
    )
    .await;
    edit(&mut phone, &on_phone, same_field, note("phone wording")).await;
    edit(&mut phone, &on_phone, deleted, note("edited on the phone")).await;
    phone.stop_timer(&on_phone).await.unwrap();
    let mut profile = phone.billing_profile(&on_phone).unwrap();
    profile.seller.name = "Ada Consulting".into();
    phone
        .save_billing_profile(&on_phone, profile)
        .await
        .unwrap();

    let reports = settle([(&mut laptop, &to_laptop), (&mut phone, &to_phone)], org).await;
    assert!(reports.iter().all(|r| r.refused == 0), "{reports:?}");
    assert!(
        reports.iter().map(|r| r.merged).sum::<usize>() >= 1,
        "{reports:?}"
    );
    let shown = entries(&laptop, &by);
    assert_eq!(shown, entries(&phone, &on_phone));
    // The entry both edited is a merge one device wrote: like every version written in an
    // organization with a membership log, it names the log's position (published: its anchor).
    for dir in [laptop_dir.path(), phone_dir.path()] {
        let (_, envelope) = stored_records(dir, org)
            .await
            .into_iter()
            .find(|(id, _)| id.as_slice() == both_fields.to_bytes())
            .unwrap();
        let merged = *stint_crypto::EnvelopeRef::parse(&envelope)
            .unwrap()
            .header();
        assert!(merged.log >= 1, "{merged:?}");
    }
    let of = |id: EntryId| shown.iter().find(|e| e.0 == id).cloned();
    // Different fields of one entry: both kept.
    let e = of(both_fields).unwrap();
    assert_eq!((e.1.as_str(), e.2), ("laptop note", false));
    // The delete won over the phone's edit.
    assert!(of(deleted).is_none(), "{shown:?}");
    // Stopped on the phone, its note edited on the laptop while it ran: stopped, with the note.
    let t = of(timer).unwrap();
    assert_eq!((t.1.as_str(), t.3), ("standup", false));
    // One billing profile, with both devices' changes.
    for (engine, acting) in [(&laptop, &by), (&phone, &on_phone)] {
        let p = engine.billing_profile(acting).unwrap();
        assert_eq!(
            (p.payment_days, p.seller.name.as_str()),
            (30, "Ada Consulting")
        );
    }

    // The same field on both: one wording everywhere, the other in a conflict to review.
    let kept = of(same_field).unwrap().1;
    assert!(
        kept == "laptop wording" || kept == "phone wording",
        "{kept}"
    );
    let lost = if kept == "laptop wording" {
        "phone wording"
    } else {
        "laptop wording"
    };
    let reviewer_is_phone = laptop.conflicts(&by).await.unwrap().is_empty();
    let (mut reviewer, mut other, reviewer_by, reviewer_t, other_t) = if reviewer_is_phone {
        (phone, laptop, on_phone, &to_phone, &to_laptop)
    } else {
        (laptop, phone, by, &to_laptop, &to_phone)
    };
    let conflicts = reviewer.conflicts(&reviewer_by).await.unwrap();
    let c = conflicts
        .iter()
        .find(|c| c.record == same_field.to_string())
        .unwrap_or_else(|| panic!("no conflict for the entry: {conflicts:?}"));
    assert_eq!(c.kind, "time entry");
    assert_eq!(
        c.title.as_deref(),
        Some(kept.as_str()),
        "named by the words kept"
    );
    assert_eq!(c.fields.len(), 1);
    assert_eq!(c.fields[0].field, "note");
    assert_eq!(c.fields[0].kept, serde_json::json!(kept));
    assert_eq!(c.fields[0].lost, serde_json::json!(lost));
    assert!(c.can_put_back);
    // Put back: the lost wording becomes the entry's on both devices.
    reviewer
        .resolve_conflict(&reviewer_by, c.number, true)
        .await
        .unwrap();
    assert!(
        reviewer
            .conflicts(&reviewer_by)
            .await
            .unwrap()
            .iter()
            .all(|x| x.number != c.number)
    );
    let err = reviewer
        .resolve_conflict(&reviewer_by, c.number, false)
        .await
        .unwrap_err();
    assert!(err.to_string().contains("no conflict"), "{err}");
    settle([(&mut reviewer, reviewer_t), (&mut other, other_t)], org).await;
    let other_by = other.act_as_user(org).unwrap();
    for (engine, acting) in [(&reviewer, &reviewer_by), (&other, &other_by)] {
        let e = entries(engine, acting);
        assert_eq!(e.iter().find(|e| e.0 == same_field).unwrap().1, lost);
    }

    // The phone, ten minutes behind, edits after it saw the laptop's note: its edit wins on both,
    // and nobody sees a conflict for it.
    let (mut laptop, mut phone) = if reviewer_is_phone {
        (other, reviewer)
    } else {
        (reviewer, other)
    };
    let by = laptop.act_as_user(org).unwrap();
    let on_phone = phone.act_as_user(org).unwrap();
    let before = (
        laptop.conflicts(&by).await.unwrap().len(),
        phone.conflicts(&on_phone).await.unwrap().len(),
    );
    edit(&mut phone, &on_phone, both_fields, note("phone, later")).await;
    settle([(&mut laptop, &to_laptop), (&mut phone, &to_phone)], org).await;
    for (engine, acting) in [(&laptop, &by), (&phone, &on_phone)] {
        let e = entries(engine, acting);
        assert_eq!(
            e.iter().find(|e| e.0 == both_fields).unwrap().1,
            "phone, later"
        );
    }
    assert_eq!(
        (
            laptop.conflicts(&by).await.unwrap().len(),
            phone.conflicts(&on_phone).await.unwrap().len(),
        ),
        before
    );

    // Byte for byte the same records on both devices.
    laptop.close().await;
    phone.close().await;
    let (on_laptop, on_phone) = (
        stored_records(laptop_dir.path(), org).await,
        stored_records(phone_dir.path(), org).await,
    );
    assert!(on_laptop.len() >= 8, "{}", on_laptop.len());
    assert_eq!(on_laptop, on_phone);
    server.stop().await;
}
both!(offline_edits_on_two_devices_merge);

/// Two Admins change different fields of one client without knowing of each other, and a
/// Member's device receives both versions before either Admin's device merged them. A Member may
/// not write a client, so the server would refuse a merge made there: the Member's device writes
/// none and logs no conflict, shows the later version, and takes the merge an Admin's device
/// writes. Every device ends with both changes; nothing waits, nothing is set aside.
async fn a_reader_leaves_the_merge_to_those_who_may_write(backend: Backend) {
    use stint_engine::ClientChanges;
    use support::team::{acme_with_mia_and_vic, push_raw, report};
    let storage = Storage::new(backend).await;
    let server = Server::start(&storage).await;
    let (mut ada, org, _, mut mia, mut vic) =
        acme_with_mia_and_vic(&server, &storage, Role::Member, Role::Admin).await;
    let by = ada.engine.act_as_user(org).unwrap();
    let globex = ada.engine.find_client(org, "Globex").unwrap();

    // Ada renames the client; Mia's device receives it.
    ada.engine
        .edit_client(
            &by,
            globex,
            ClientChanges {
                name: Some("Globex Corp".into()),
                ..ClientChanges::default()
            },
        )
        .await
        .unwrap();
    ada.engine.sync(&ada.t).await.unwrap();
    mia.engine.sync(&mia.t).await.unwrap();

    // Vic, who has not heard of it, writes a note; his version reaches the server before his
    // device pulls Ada's (a round cut short), and Mia's device receives it.
    let vic_by = vic.engine.act_as_user(org).unwrap();
    vic.engine
        .edit_client(
            &vic_by,
            globex,
            ClientChanges {
                note: Some("key account".into()),
                ..ClientChanges::default()
            },
        )
        .await
        .unwrap();
    let vics = support::devices::stored_records(vic.dir(), org)
        .await
        .into_iter()
        .find(|(id, _)| id.as_slice() == globex.to_bytes())
        .unwrap()
        .1;
    let (status, body) = push_raw(&server, &vic, org, vics).await;
    assert_eq!(status, reqwest::StatusCode::OK, "{body}");
    let got = report(&mia.engine.sync(&mia.t).await.unwrap(), org);
    assert_eq!(
        (got.merged, got.conflicts, got.pending, got.set_aside),
        (0, 0, 0, 0),
        "{got:?}"
    );
    let mia_by = mia.engine.act_as_user(org).unwrap();
    assert!(mia.engine.conflicts(&mia_by).await.unwrap().is_empty());

    // The Admins' devices merge; every device ends with both changes.
    for _ in 0..2 {
        ada.engine.sync(&ada.t).await.unwrap();
        vic.engine.sync(&vic.t).await.unwrap();
    }
    let got = report(&mia.engine.sync(&mia.t).await.unwrap(), org);
    assert_eq!((got.pending, got.set_aside), (0, 0), "{got:?}");
    for p in [&ada, &vic, &mia] {
        let by = p.engine.act_as_user(org).unwrap();
        let client = p
            .engine
            .clients(&by, true)
            .unwrap()
            .into_iter()
            .find(|c| c.id == globex)
            .unwrap();
        assert_eq!(
            (client.name.as_str(), client.note.as_str()),
            ("Globex Corp", "key account")
        );
    }
}
both!(a_reader_leaves_the_merge_to_those_who_may_write);
