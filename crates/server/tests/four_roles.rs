//! One account per role in one synced organization, each confirmed by fingerprint: each device
//! holds exactly the keys and the records ROLES.md lets its role read (docs/sync.md, "Records on
//! the server" and "Joining a team"), on both backends.

mod support;

use std::collections::BTreeSet;

use stint_crypto::EnvelopeRef;
use stint_domain::kind::record_actions;
use stint_domain::role::{Scope, grant};
use stint_domain::{Compartment, Kind, OrgId, Role, readable_compartments, record_access};
use support::devices::{span_entry, stored_records};
use support::team::{Person, ada_with_rated_acme, confirmed, held_compartments, publish};
use support::{Backend, Server, Storage};

/// The records of `org` in `p`'s vault: (record id, kind, owner), write log entries left out
/// (each device writes its own as it syncs).
async fn records_of(p: &Person, org: OrgId) -> BTreeSet<([u8; 16], u16, [u8; 16])> {
    stored_records(p.dir(), org)
        .await
        .into_iter()
        .map(|(_, envelope)| {
            let h = *EnvelopeRef::parse(&envelope).unwrap().header();
            (h.record, h.kind, h.owner)
        })
        .filter(|(_, kind, _)| *kind != Kind::TeamLog as u16 && *kind != Kind::FinanceLog as u16)
        .collect()
}

/// Ada (Owner) publishes Acme with a rate; Adam (Admin), Mia and Max (Members) and Vic (Viewer)
/// are confirmed by fingerprint; Mia and Max each track time. After everyone synced, each
/// device holds the keys of the compartments its role reads and nothing else, and exactly the
/// records of the Owner's device its role may read: a Member's dump holds no finance envelope and
/// no other member's entries.
async fn each_role_holds_exactly_what_it_may_read(backend: Backend) {
    let storage = Storage::new(backend).await;
    let server = Server::start(&storage).await;
    let (mut ada, org, project) = ada_with_rated_acme(&server, &storage).await;
    publish(&mut ada, org).await;
    let mut team = Vec::new();
    for (email, role) in [
        ("adam@example.org", Role::Admin),
        ("mia@example.org", Role::Member),
        ("max@example.org", Role::Member),
        ("vic@example.org", Role::Viewer),
    ] {
        team.push((
            confirmed(&server, &storage, &mut ada, org, email, role).await,
            role,
        ));
    }
    ada.engine.sync(&ada.t).await.unwrap();
    let start: jiff::Timestamp = "2026-11-30T09:00:00Z".parse().unwrap();
    for (p, role) in &mut team {
        p.engine.sync(&p.t).await.unwrap();
        if *role == Role::Member {
            let on = p.engine.act_as_user(org).unwrap();
            p.engine
                .add_entry(&on, span_entry(project, start, 45, p.email.clone()))
                .await
                .unwrap();
            p.engine.sync(&p.t).await.unwrap();
        }
    }
    ada.engine.sync(&ada.t).await.unwrap();
    for (p, _) in &mut team {
        p.engine.sync(&p.t).await.unwrap();
    }

    let everything = records_of(&ada, org).await;
    let owners: BTreeSet<[u8; 16]> = everything
        .iter()
        .filter(|(_, kind, _)| *kind == Kind::TimeEntry as u16)
        .map(|(_, _, owner)| *owner)
        .collect();
    assert_eq!(owners.len(), 2, "both Members' entries reached the Owner");
    for (p, role) in &team {
        let me = p.engine.sync_account().await.unwrap().unwrap().to_bytes();
        let held: Vec<i64> = readable_compartments(*role)
            .into_iter()
            .map(|c| c as i64)
            .collect();
        assert_eq!(held_compartments(p.dir(), org).await, held, "{role:?}");
        let expected: BTreeSet<_> = everything
            .iter()
            .filter(|(_, kind, owner)| {
                record_access(*role, me, Kind::from_u16(*kind).unwrap(), *owner, false).is_ok()
            })
            .copied()
            .collect();
        let got = records_of(p, org).await;
        assert_eq!(got, expected, "{role:?}: exactly what the role reads");
        if *role == Role::Member {
            for (_, envelope) in stored_records(p.dir(), org).await {
                let h = *EnvelopeRef::parse(&envelope).unwrap().header();
                assert_ne!(
                    h.compartment,
                    Compartment::Finance as u8,
                    "a finance envelope"
                );
                if h.owner != [0; 16] {
                    assert_eq!(h.owner, me, "another member's record");
                }
            }
        }
    }

    // Reads by key possession, cell by cell: for each read action records carry, a device holds
    // the key of the records' compartment exactly when its role may read some of them.
    let mut cells = BTreeSet::new();
    let devices = [(ada.dir(), Role::Owner)]
        .into_iter()
        .chain(team.iter().map(|(p, role)| (p.dir(), *role)));
    for (dir, role) in devices {
        let held = held_compartments(dir, org).await;
        for kind in Kind::ALL {
            if kind == Kind::Attachment {
                continue; // the organization's logo or a receipt: read as its owner record is
            }
            let (read, _) = record_actions(kind, kind.has_owner());
            assert_eq!(
                held.contains(&(kind.compartment() as i64)),
                grant(role, read) != Scope::None,
                "{role:?} {read:?}"
            );
            cells.insert((format!("{read:?}"), role));
        }
    }
    assert_eq!(cells.len(), 8 * 4, "{cells:?}");
    server.stop().await;
}
both!(each_role_holds_exactly_what_it_may_read);
