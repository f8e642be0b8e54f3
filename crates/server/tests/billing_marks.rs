//! Marking work invoiced while its Member edits it: the mark is a record of its own, so the
//! Admin's draft never writes the Member's entry, the Member's offline edit survives, and the
//! Admin is told the invoice bills the entry as it was. A real server on SQLite and PostgreSQL,
//! one device each.

mod support;

use stint_crypto::EnvelopeRef;
use stint_domain::{Kind, OrgId, ProjectId, Role, Work};
use stint_engine::{BillingProblemKind, EntryChanges, NewInvoice};
use support::devices::{span_entry, stored_records};
use support::team::{Person, ada_with_rated_acme, confirmed_and_synced, publish, report};
use support::{Backend, Server, Storage};

/// The kinds and authors of the records of `org` in the vault at `dir`, by record id.
async fn stored(dir: &std::path::Path, org: OrgId) -> Vec<([u8; 16], Kind, [u8; 16])> {
    stored_records(dir, org)
        .await
        .into_iter()
        .map(|(id, envelope)| {
            let parsed = EnvelopeRef::parse(&envelope).unwrap();
            let header = parsed.header();
            (
                id.try_into().unwrap(),
                Kind::from_u16(header.kind).unwrap(),
                header.author_user,
            )
        })
        .collect()
}

/// Ada's rated "Acme", published, with Mia confirmed by fingerprint as a Member and both devices
/// synced: Ada, the organization, its project, Mia.
async fn rated_acme_with_mia(
    server: &Server,
    storage: &Storage,
) -> (Person, OrgId, ProjectId, Person) {
    let (mut ada, org, project) = ada_with_rated_acme(server, storage).await;
    publish(&mut ada, org).await;
    let mia = confirmed_and_synced(
        server,
        storage,
        &mut ada,
        org,
        "mia@example.org",
        Role::Member,
    )
    .await;
    (ada, org, project, mia)
}

async fn a_concurrent_edit_survives_the_billing_mark(backend: Backend) {
    let storage = Storage::new(backend).await;
    let server = Server::start(&storage).await;
    let (mut ada, org, project, mut mia) = rated_acme_with_mia(&server, &storage).await;
    let by = ada.engine.act_as_user(org).unwrap();
    let mia_by = mia.engine.act_as_user(org).unwrap();
    let mia_id = mia.engine.sync_account().await.unwrap().unwrap();

    // Mia tracks an hour; Ada receives it.
    let start: jiff::Timestamp = "2026-11-30T09:00:00Z".parse().unwrap();
    let entry = mia
        .engine
        .add_entry(&mia_by, span_entry(project, start, 60, "homepage"))
        .await
        .unwrap()
        .entry
        .entry
        .id;
    mia.engine.sync(&mia.t).await.unwrap();
    ada.engine.sync(&ada.t).await.unwrap();
    assert_eq!(ada.engine.entry(&by, entry).unwrap().entry.note, "homepage");

    // At the same moment: Mia, offline, makes it ninety minutes and renames it; Ada drafts an
    // invoice from the unbilled time, which bills the hour she has.
    let edited = EntryChanges {
        time: Some(stint_domain::EntryTime::Span {
            start,
            end: start + jiff::SignedDuration::from_mins(90),
        }),
        note: Some("homepage and contact form".into()),
        ..Default::default()
    };
    mia.engine
        .edit_entry(&mia_by, entry, edited.clone())
        .await
        .unwrap();
    let client = ada.engine.clients(&by, false).unwrap()[0].id;
    let draft = ada
        .engine
        .create_invoice(
            &by,
            NewInvoice {
                client: Some(client),
                include_time: true,
                ..Default::default()
            },
        )
        .await
        .unwrap()
        .invoice;
    assert_eq!(draft.entries().collect::<Vec<_>>(), [entry]);
    let billed = draft.lines[0].quantity;
    assert_eq!(billed, "1".parse().unwrap());

    // Ada's draft wrote a mark of Mia's, not Mia's entry.
    let ada_records = stored(ada.dir(), org).await;
    let mark = ada_records
        .iter()
        .find(|(_, kind, _)| *kind == Kind::BillingMark)
        .map(|(id, _, author)| (*id, *author))
        .expect("the draft wrote a billing mark");
    let ada_id = ada.engine.sync_account().await.unwrap().unwrap();
    assert_eq!(mark.1, ada_id.to_bytes());
    let entry_author = |records: &[([u8; 16], Kind, [u8; 16])]| {
        records
            .iter()
            .find(|(id, _, _)| *id == entry.to_bytes())
            .map(|(_, _, author)| *author)
    };
    assert_eq!(entry_author(&ada_records), Some(mia_id.to_bytes()));

    // Both sync, Ada first.
    ada.engine.sync(&ada.t).await.unwrap();
    let got = report(&mia.engine.sync(&mia.t).await.unwrap(), org);
    assert_eq!(got.refused, 0, "{got:?}");
    ada.engine.sync(&ada.t).await.unwrap();

    // Nothing is lost and nobody merged anything: the entry is Mia's edit, as she wrote it,
    // on both devices; the draft still bills the hour Ada saw; the mark holds the entry.
    for (engine, by) in [(&ada.engine, by), (&mia.engine, mia_by)] {
        let seen = engine.entry(&by, entry).unwrap().entry;
        assert_eq!(seen.note, "homepage and contact form");
        assert_eq!(seen.time, edited.time.unwrap());
        assert!(seen.invoiced, "the entry is locked by the mark");
        assert!(engine.conflicts(&by).await.unwrap().is_empty());
    }
    assert_eq!(
        entry_author(&stored(ada.dir(), org).await),
        Some(mia_id.to_bytes())
    );
    let draft_now = ada.engine.invoice(&by, draft.id).unwrap().invoice;
    assert_eq!(draft_now.lines[0].quantity, billed);
    // Ada is told.
    let problems = ada.engine.billing_problems(&by).unwrap();
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert_eq!(
        (problems[0].invoice, problems[0].work, &problems[0].problem),
        (
            draft.id,
            Work::Entry(entry),
            &BillingProblemKind::ChangedSince
        )
    );
    // Mia holds the mark on her work, and cannot change the entry any more.
    assert!(
        stored(mia.dir(), org)
            .await
            .iter()
            .any(|(id, kind, _)| *id == mark.0 && *kind == Kind::BillingMark)
    );
    let refused = mia
        .engine
        .edit_entry(
            &mia_by,
            entry,
            EntryChanges {
                note: Some("one more change".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap_err();
    assert!(refused.to_string().contains("on an invoice"), "{refused}");

    // Ada deletes the draft: the mark releases the entry, on Mia's device too.
    ada.engine.delete_invoice(&by, draft.id).await.unwrap();
    assert!(ada.engine.billing_problems(&by).unwrap().is_empty());
    ada.engine.sync(&ada.t).await.unwrap();
    mia.engine.sync(&mia.t).await.unwrap();
    assert!(!mia.engine.entry(&mia_by, entry).unwrap().entry.invoiced);
    mia.engine
        .edit_entry(
            &mia_by,
            entry,
            EntryChanges {
                note: Some("one more change".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap();

    // A new draft bills it as it is now: no problem to report.
    mia.engine.sync(&mia.t).await.unwrap();
    ada.engine.sync(&ada.t).await.unwrap();
    let again = ada
        .engine
        .create_invoice(
            &by,
            NewInvoice {
                client: Some(client),
                include_time: true,
                ..Default::default()
            },
        )
        .await
        .unwrap()
        .invoice;
    assert_eq!(again.lines[0].quantity, "1.5".parse().unwrap());
    assert!(ada.engine.billing_problems(&by).unwrap().is_empty());
    for p in [ada, mia] {
        p.engine.close().await;
    }
    server.stop().await;
}
both!(a_concurrent_edit_survives_the_billing_mark);

/// Ada and Adam (both Admins) draft invoices from the same unbilled hour at the same moment,
/// each offline. Both drafts bill it; the mark's merge chooses one invoice, the same on every
/// device, and each device names the other draft as billing work that is marked elsewhere.
async fn two_drafts_of_the_same_work_are_told_apart(backend: Backend) {
    let storage = Storage::new(backend).await;
    let server = Server::start(&storage).await;
    let (mut ada, org, project) = ada_with_rated_acme(&server, &storage).await;
    let by = ada.engine.act_as_user(org).unwrap();
    let start: jiff::Timestamp = "2026-11-30T09:00:00Z".parse().unwrap();
    let entry = ada
        .engine
        .add_entry(&by, span_entry(project, start, 60, "homepage"))
        .await
        .unwrap()
        .entry
        .entry
        .id;
    publish(&mut ada, org).await;
    let by = ada.engine.act_as_user(org).unwrap();
    let mut adam = confirmed_and_synced(
        &server,
        &storage,
        &mut ada,
        org,
        "adam@example.org",
        Role::Admin,
    )
    .await;
    let adam_by = adam.engine.act_as_user(org).unwrap();
    let client = ada.engine.clients(&by, false).unwrap()[0].id;
    let new = || NewInvoice {
        client: Some(client),
        include_time: true,
        ..Default::default()
    };
    let adas = ada.engine.create_invoice(&by, new()).await.unwrap().invoice;
    let adams = adam
        .engine
        .create_invoice(&adam_by, new())
        .await
        .unwrap()
        .invoice;
    assert_eq!(adas.entries().collect::<Vec<_>>(), [entry]);
    assert_eq!(adams.entries().collect::<Vec<_>>(), [entry]);
    for _ in 0..2 {
        ada.engine.sync(&ada.t).await.unwrap();
        adam.engine.sync(&adam.t).await.unwrap();
    }

    let problems = ada.engine.billing_problems(&by).unwrap();
    assert_eq!(problems, adam.engine.billing_problems(&adam_by).unwrap());
    assert_eq!(problems.len(), 1, "{problems:?}");
    let (kept, other) = if problems[0].invoice == adas.id {
        (&adams, &adas)
    } else {
        (&adas, &adams)
    };
    assert_eq!(problems[0].invoice, other.id);
    assert_eq!(problems[0].work, Work::Entry(entry));
    assert_eq!(
        problems[0].problem,
        BillingProblemKind::MarkedElsewhere {
            other: Some(kept.label())
        }
    );
    // The losing mark version is in the conflict log of the device that merged them, to review.
    let mut conflicts = ada.engine.conflicts(&by).await.unwrap();
    conflicts.extend(adam.engine.conflicts(&adam_by).await.unwrap());
    assert_eq!(conflicts.len(), 1, "{conflicts:?}");
    assert_eq!(conflicts[0].kind, "billing mark");

    // Deleting the draft that lost leaves the entry on the one that won, and nothing to report.
    let (owner, owner_by) = if other.id == adas.id {
        (&mut ada, by)
    } else {
        (&mut adam, adam_by)
    };
    owner
        .engine
        .delete_invoice(&owner_by, other.id)
        .await
        .unwrap();
    assert!(owner.engine.entry(&owner_by, entry).unwrap().entry.invoiced);
    for _ in 0..2 {
        ada.engine.sync(&ada.t).await.unwrap();
        adam.engine.sync(&adam.t).await.unwrap();
    }
    for (engine, by) in [(&ada.engine, by), (&adam.engine, adam_by)] {
        assert!(engine.billing_problems(&by).unwrap().is_empty());
        assert!(engine.entry(&by, entry).unwrap().entry.invoiced);
    }
    for p in [ada, adam] {
        p.engine.close().await;
    }
    server.stop().await;
}
both!(two_drafts_of_the_same_work_are_told_apart);

/// The lock date (docs/sync.md, "The role table, cell by cell"): Mia changes one of her November
/// entries before Ada locks November and another after, on a device that has not heard of the
/// lock; the server cannot read dates and takes both. Ada's device finds the second, and only it,
/// as work inside the locked period changed after the lock, naming the field; Mia, a Member, may
/// not ask; and once the lock has reached her device she can change neither any more.
async fn work_changed_inside_the_locked_period_is_found(backend: Backend) {
    let storage = Storage::new(backend).await;
    let server = Server::start(&storage).await;
    let (mut ada, org, project, mut mia) = rated_acme_with_mia(&server, &storage).await;
    let by = ada.engine.act_as_user(org).unwrap();
    let mia_by = mia.engine.act_as_user(org).unwrap();
    let mut entries = Vec::new();
    for (day, note) in [
        ("2026-11-10T09:00:00Z", "design"),
        ("2026-11-12T09:00:00Z", "build"),
    ] {
        let start: jiff::Timestamp = day.parse().unwrap();
        let added = mia
            .engine
            .add_entry(&mia_by, span_entry(project, start, 60, note))
            .await
            .unwrap();
        entries.push(added.entry.entry.id);
    }
    let [design, build] = [entries[0], entries[1]];
    mia.engine.sync(&mia.t).await.unwrap();
    ada.engine.sync(&ada.t).await.unwrap();
    let note = |text: &str| EntryChanges {
        note: Some(text.into()),
        ..Default::default()
    };

    // Before the lock: "build" renamed. Then Ada locks November; then, not knowing, Mia renames
    // "design".
    mia.engine
        .edit_entry(&mia_by, build, note("build, before the lock"))
        .await
        .unwrap();
    ada.engine
        .lock_period(&by, Some(jiff::civil::date(2026, 12, 1)))
        .await
        .unwrap();
    ada.engine.sync(&ada.t).await.unwrap();
    assert!(ada.engine.locked_changes(&by).await.unwrap().is_empty());
    mia.engine
        .edit_entry(&mia_by, design, note("design, after the lock"))
        .await
        .unwrap();
    let got = report(&mia.engine.sync(&mia.t).await.unwrap(), org);
    assert_eq!((got.pushed, got.pending), (2, 0), "{got:?}");
    ada.engine.sync(&ada.t).await.unwrap();

    let found = ada.engine.locked_changes(&by).await.unwrap();
    let seen: Vec<(String, &str, Vec<String>)> = found
        .iter()
        .map(|c| (c.id.clone(), c.kind, c.fields.clone()))
        .collect();
    assert_eq!(
        seen,
        [(design.to_string(), "time entry", vec!["note".to_owned()])]
    );
    assert_eq!(found[0].date, jiff::civil::date(2026, 11, 10));
    assert!(mia.engine.locked_changes(&mia_by).await.is_err());
    let refused = mia
        .engine
        .edit_entry(&mia_by, build, note("again"))
        .await
        .unwrap_err()
        .to_string();
    assert!(refused.contains("lock"), "{refused}");
}
both!(work_changed_inside_the_locked_period_is_found);
