//! The role table through the engine: every role against every engine command, on its own records
//! and on someone else's, inside and outside a locked period. Expectations come from the one table
//! in `stint_domain::role` (itself checked against ROLES.md in the domain's tests); this file proves the
//! engine consults it, on the right target, for every command.

use jiff::Timestamp;
use jiff::civil::Date;
use stint_domain::role::{MATRIX, grant};
use stint_domain::*;
use stint_engine::*;

struct World {
    engine: Engine,
    owner: ActAs,
    project: ProjectId,
    others_entry: EntryId,
    others_expense: ExpenseId,
    /// Otto Other, a Member whose records are "another's" for everyone in `TEAM`.
    otto: MemberId,
    /// The acting member's own entry and expense ([`every_cell_of_the_matrix_at_the_engine`]).
    own_entry: EntryId,
    own_expense: ExpenseId,
    _dir: tempfile::TempDir,
}

const TEAM: [(&str, Role); 4] = [
    ("Olive Owner", Role::Owner),
    ("Ada Admin", Role::Admin),
    ("Mo Member", Role::Member),
    ("Vi Viewer", Role::Viewer),
];

async fn world(keys: &MemoryKeyStore) -> World {
    let dir = tempfile::tempdir().unwrap();
    let mut engine = Engine::create(dir.path(), Unlock::Keyring(keys))
        .await
        .unwrap();
    engine.set_clock(Some("2026-11-23T12:00:00Z".parse::<Timestamp>().unwrap()));
    let org = engine
        .create_organization(NewOrganization {
            name: "Acme".into(),
            currency: "EUR".into(),
            locale: "en-US".into(),
            time_zone: "Europe/Berlin".into(),
            week_start: None,
            owner_name: "Device Owner".into(),
        })
        .await
        .unwrap();
    let owner = engine.act_as_user(org).unwrap();
    for (name, role) in TEAM {
        engine.add_member(&owner, name, role).await.unwrap();
    }
    let other = engine
        .add_member(&owner, "Otto Other", Role::Member)
        .await
        .unwrap();
    let client = engine
        .add_client(
            &owner,
            NewClient {
                name: "Müller & Søn".into(),
                ..Default::default()
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
    engine
        .set_rate(
            &owner,
            NewRate {
                scope: RateScope::Organization,
                effective_from: Date::constant(2026, 1, 1),
                hourly: "95".into(),
                currency: None,
            },
        )
        .await
        .unwrap();
    let otto = ActAs { org, member: other };
    let others_entry = engine
        .add_entry(
            &otto,
            span(project, "2026-11-20T09:00:00Z", "2026-11-20T10:00:00Z"),
        )
        .await
        .unwrap()
        .entry
        .entry
        .id;
    let others_expense = engine
        .add_expense(&otto, expense(Date::constant(2026, 11, 20)))
        .await
        .unwrap();
    World {
        engine,
        owner,
        project,
        others_entry,
        others_expense,
        otto: other,
        own_entry: others_entry,
        own_expense: others_expense,
        _dir: dir,
    }
}

fn span(project: ProjectId, start: &str, end: &str) -> NewEntry {
    NewEntry {
        member: None,
        project: Some(project),
        task: None,
        time: EntryTime::Span {
            start: start.parse().unwrap(),
            end: end.parse().unwrap(),
        },
        note: "work".into(),
        billable: None,
        tags: vec![],
    }
}

fn expense(date: Date) -> NewExpense {
    NewExpense {
        member: None,
        date,
        amount: "12.50".into(),
        currency: None,
        category: "Travel".into(),
        note: String::new(),
        billable: true,
        project: None,
        receipt: None,
    }
}

/// Asserts that `result` is Ok when `allowed`, and a role refusal (not some other error) otherwise.
fn expect<T: std::fmt::Debug>(what: &str, role: Role, allowed: bool, result: Result<T>) {
    match (allowed, &result) {
        (true, Ok(_)) => {}
        (false, Err(EngineError::Denied(_))) => {}
        _ => panic!(
            "{role}: {what}: expected {}, got {result:?}",
            if allowed { "success" } else { "a role refusal" }
        ),
    }
}

fn can(role: Role, action: Action) -> bool {
    grant(role, action) != Scope::None
}

fn can_all(role: Role, action: Action) -> bool {
    grant(role, action) == Scope::All
}

#[tokio::test]
async fn every_role_against_every_engine_command() {
    let keys = MemoryKeyStore::default();
    for (name, role) in TEAM {
        let mut w = world(&keys).await;
        let me = ActAs {
            org: w.owner.org,
            member: w.engine.find_member(w.owner.org, name).unwrap(),
        };
        let e = &mut w.engine;
        let tag = format!("{role}");

        // Organization profile and settings.
        expect(
            "read org profile",
            role,
            can(role, Action::ReadOrgProfile),
            e.organization(&me),
        );
        expect(
            "edit org profile",
            role,
            can(role, Action::EditOrgProfile),
            e.update_organization(
                &me,
                OrgChanges {
                    locale: Some("de-DE".into()),
                    ..Default::default()
                },
            )
            .await,
        );

        // Members.
        expect(
            "list members",
            role,
            can(role, Action::ListMembers),
            e.members(&me),
        );
        expect(
            "invite a viewer",
            role,
            can(role, Action::ManageMembersAndViewers),
            e.add_member(&me, &format!("New viewer {tag}"), Role::Viewer)
                .await,
        );
        expect(
            "invite an admin",
            role,
            can(role, Action::ManageAdminsAndOwners),
            e.add_member(&me, &format!("New admin {tag}"), Role::Admin)
                .await,
        );
        let otto = e.find_member(me.org, "Otto Other").unwrap();
        let demoted = e.set_role(&me, otto, Role::Viewer).await;
        let undo = demoted.is_ok();
        expect(
            "demote a member to viewer",
            role,
            can(role, Action::ManageMembersAndViewers),
            demoted,
        );
        if undo {
            e.set_role(&w.owner, otto, Role::Member).await.unwrap();
        }
        let ada = e.find_member(me.org, "Ada Admin").unwrap();
        expect(
            "demote an admin",
            role,
            can(role, Action::ManageAdminsAndOwners),
            e.set_role(&me, ada, Role::Member).await,
        );

        // Catalog.
        expect(
            "read clients",
            role,
            can(role, Action::ReadCatalog),
            e.clients(&me, true),
        );
        expect(
            "read projects",
            role,
            can(role, Action::ReadCatalog),
            e.projects(&me, true),
        );
        expect(
            "add client",
            role,
            can(role, Action::EditCatalog),
            e.add_client(
                &me,
                NewClient {
                    name: format!("Client {tag}"),
                    ..Default::default()
                },
            )
            .await,
        );
        let client = e.find_client(me.org, "Müller & Søn").unwrap();
        expect(
            "edit client",
            role,
            can(role, Action::EditCatalog),
            e.edit_client(
                &me,
                client,
                ClientChanges {
                    note: Some("n".into()),
                    ..Default::default()
                },
            )
            .await,
        );
        expect(
            "add project",
            role,
            can(role, Action::EditCatalog),
            e.add_project(
                &me,
                NewProject {
                    client,
                    name: format!("P {tag}"),
                    billable: None,
                    rounding: None,
                    note: String::new(),
                },
            )
            .await,
        );
        expect(
            "archive project",
            role,
            can(role, Action::EditCatalog),
            e.edit_project(
                &me,
                w.project,
                ProjectChanges {
                    note: Some("x".into()),
                    ..Default::default()
                },
            )
            .await,
        );
        expect(
            "add task",
            role,
            can(role, Action::EditCatalog),
            e.add_task(&me, w.project, &format!("T {tag}"), None).await,
        );
        expect(
            "add tag",
            role,
            can(role, Action::EditCatalog),
            e.add_tag(&me, &format!("tag {tag}")).await,
        );
        let owners_tag = e
            .add_tag(&w.owner, &format!("owner's {tag}"))
            .await
            .unwrap();
        expect(
            "rename tag",
            role,
            can(role, Action::EditCatalog),
            e.edit_tag(
                &me,
                owners_tag,
                TagChanges {
                    name: Some(format!("renamed {tag}")),
                    archived: Some(true),
                },
            )
            .await,
        );

        // Rates and budgets (finance).
        expect(
            "read rates",
            role,
            can(role, Action::ReadRates),
            e.rates(&me),
        );
        expect(
            "read budgets",
            role,
            can(role, Action::ReadRates),
            e.budgets(&me),
        );
        expect(
            "set rate",
            role,
            can(role, Action::EditRates),
            e.set_rate(
                &me,
                NewRate {
                    scope: RateScope::Project { project: w.project },
                    effective_from: Date::constant(2026, 6, 1),
                    hourly: "120".into(),
                    currency: None,
                },
            )
            .await,
        );
        expect(
            "set budget",
            role,
            can(role, Action::EditRates),
            e.set_budget(
                &me,
                w.project,
                BudgetLimit::Hours { hours: 10.into() },
                BudgetPeriod::Monthly,
            )
            .await,
        );

        // Own time: Owner, Admin and Member may write their own; Viewer may not.
        let own = e
            .add_entry(
                &me,
                span(w.project, "2026-11-21T09:00:00Z", "2026-11-21T10:00:00Z"),
            )
            .await;
        expect(
            "add own entry",
            role,
            can(role, Action::EditTimeEntry),
            own.as_ref().map(|_| ()).map_err(clone_denied),
        );
        expect(
            "start own timer",
            role,
            can(role, Action::EditTimeEntry),
            e.start_timer(
                &me,
                StartTimer {
                    project: Some(w.project),
                    task: None,
                    note: String::new(),
                    billable: None,
                    tags: vec![],
                },
            )
            .await,
        );
        if let Ok(own) = own {
            let id = own.entry.entry.id;
            expect(
                "edit own entry",
                role,
                true,
                e.edit_entry(
                    &me,
                    id,
                    EntryChanges {
                        note: Some("mine".into()),
                        ..Default::default()
                    },
                )
                .await,
            );
            expect("read own entry", role, true, e.entry(&me, id));
            expect(
                "delete own entry",
                role,
                true,
                e.delete_entry(&me, id).await,
            );
        }

        // Someone else's time: only roles with "all".
        expect(
            "read other's entry",
            role,
            can_all(role, Action::ReadTimeEntry),
            e.entry(&me, w.others_entry),
        );
        expect(
            "edit other's entry",
            role,
            can_all(role, Action::EditTimeEntry),
            e.edit_entry(
                &me,
                w.others_entry,
                EntryChanges {
                    note: Some("not yours".into()),
                    ..Default::default()
                },
            )
            .await,
        );
        expect(
            "add entry for another member",
            role,
            can_all(role, Action::EditTimeEntry),
            e.add_entry(
                &me,
                NewEntry {
                    member: Some(otto),
                    ..span(w.project, "2026-11-22T09:00:00Z", "2026-11-22T10:00:00Z")
                },
            )
            .await,
        );
        let visible = e.entries(&me, &EntryFilter::default()).unwrap();
        assert_eq!(
            visible.iter().any(|v| v.entry.id == w.others_entry),
            can_all(role, Action::ReadTimeEntry),
            "{role}: list shows other's entry"
        );
        assert!(
            visible
                .iter()
                .all(|v| can_all(role, Action::ReadTimeEntry) || v.entry.member == me.member),
            "{role}: list only own"
        );

        // Expenses.
        expect(
            "add own expense",
            role,
            can(role, Action::EditExpense),
            e.add_expense(&me, expense(Date::constant(2026, 11, 21)))
                .await,
        );
        expect(
            "add expense for another",
            role,
            can_all(role, Action::EditExpense),
            e.add_expense(
                &me,
                NewExpense {
                    member: Some(otto),
                    ..expense(Date::constant(2026, 11, 21))
                },
            )
            .await,
        );
        let expenses = e.expenses(&me, None, None).unwrap();
        assert_eq!(
            expenses.iter().any(|x| x.expense.id == w.others_expense),
            can_all(role, Action::ReadExpense),
            "{role}: other's expense visible"
        );

        // Reports: Members see only their own time and no amounts; Viewers see all with amounts.
        let report = e.time_report(
            &me,
            &ReportQuery {
                group_by: vec![GroupBy::Member],
                ..Default::default()
            },
        );
        expect(
            "time report",
            role,
            can(role, Action::ReadTimeReports),
            report.as_ref().map(|_| ()).map_err(clone_denied),
        );
        if let Ok(report) = report {
            let others_in_report = report
                .rows
                .iter()
                .any(|r| report.label(&r.key[0]) == "Otto Other");
            assert_eq!(
                others_in_report,
                can_all(role, Action::ReadTimeReports),
                "{role}: report shows others"
            );
            assert_eq!(
                report.amounts_visible,
                can(role, Action::ReadRates),
                "{role}: amounts visible"
            );
        }

        // Export.
        let mut out = Vec::new();
        let exported = e.export(
            &me,
            stint_engine::export::ExportFormat::Json,
            &mut out,
            &mut |_, _| {},
        );
        expect(
            "export",
            role,
            can(role, Action::ExportOrganization),
            exported.as_ref().map(|_| ()).map_err(clone_denied),
        );
        if exported.is_ok() {
            let doc: serde_json::Value = serde_json::from_slice(&out).unwrap();
            let authors: Vec<String> = doc["time_entries"]
                .as_array()
                .unwrap()
                .iter()
                .map(|t| t["member"].as_str().unwrap().to_owned())
                .collect();
            assert_eq!(
                authors.contains(&otto.to_string()),
                can_all(role, Action::ExportOrganization),
                "{role}: export includes others"
            );
            assert_eq!(
                doc.get("rates").is_some(),
                can(role, Action::ReadRates),
                "{role}: export includes rates"
            );
        }

        // Locking, and nobody edits inside a locked period.
        expect(
            "lock a period",
            role,
            can(role, Action::LockPeriod),
            e.lock_period(&me, Some(Date::constant(2026, 11, 21))).await,
        );
        e.lock_period(&w.owner, Some(Date::constant(2026, 11, 21)))
            .await
            .unwrap();
        let in_lock = e
            .edit_entry(
                &me,
                w.others_entry,
                EntryChanges {
                    note: Some("too late".into()),
                    ..Default::default()
                },
            )
            .await;
        assert!(
            matches!(in_lock, Err(EngineError::Denied(_))),
            "{role}: edited a locked entry: {in_lock:?}"
        );
        let into_lock = e
            .add_entry(
                &me,
                span(w.project, "2026-11-19T09:00:00Z", "2026-11-19T10:00:00Z"),
            )
            .await;
        assert!(
            matches!(into_lock, Err(EngineError::Denied(_))),
            "{role}: added into a locked period"
        );
        if can(role, Action::EditTimeEntry) {
            // Moving an own open entry into the locked period is refused too.
            let own = e
                .add_entry(
                    &me,
                    span(w.project, "2026-11-22T13:00:00Z", "2026-11-22T14:00:00Z"),
                )
                .await
                .unwrap()
                .entry
                .entry
                .id;
            let moved = e
                .edit_entry(
                    &me,
                    own,
                    EntryChanges {
                        time: Some(EntryTime::Span {
                            start: "2026-11-18T09:00:00Z".parse().unwrap(),
                            end: "2026-11-18T10:00:00Z".parse().unwrap(),
                        }),
                        ..Default::default()
                    },
                )
                .await;
            assert!(
                matches!(moved, Err(EngineError::Denied(Denied::Locked(_)))),
                "{role}: moved into the lock: {moved:?}"
            );
        }
        // The locked entry is unchanged.
        assert_eq!(
            e.entry(&w.owner, w.others_entry).unwrap().entry.note,
            if can_all(role, Action::EditTimeEntry) {
                "not yours"
            } else {
                "work"
            }
        );
    }
}

fn clone_denied(e: &EngineError) -> EngineError {
    match e {
        EngineError::Denied(d) => EngineError::Denied(d.clone()),
        other => EngineError::Io(other.to_string()),
    }
}

#[tokio::test]
async fn the_last_owner_cannot_leave_or_be_demoted() {
    let keys = MemoryKeyStore::default();
    let mut w = world(&keys).await;
    let me = w.owner;
    let olive = w.engine.find_member(me.org, "Olive Owner").unwrap();
    // Two owners: one may step down.
    w.engine.set_role(&me, olive, Role::Admin).await.unwrap();
    // Now the device user is the last owner.
    let result = w.engine.set_role(&me, me.member, Role::Admin).await;
    assert!(
        matches!(result, Err(EngineError::Denied(Denied::LastOwner))),
        "{result:?}"
    );
    let result = w.engine.remove_member(&me, me.member).await;
    assert!(
        matches!(result, Err(EngineError::Denied(Denied::LastOwner))),
        "{result:?}"
    );
}

#[tokio::test]
async fn a_removed_member_can_do_nothing() {
    let keys = MemoryKeyStore::default();
    let mut w = world(&keys).await;
    let mo = w.engine.find_member(w.owner.org, "Mo Member").unwrap();
    w.engine.remove_member(&w.owner, mo).await.unwrap();
    let as_mo = ActAs {
        org: w.owner.org,
        member: mo,
    };
    assert!(matches!(
        w.engine.clients(&as_mo, false),
        Err(EngineError::Denied(Denied::Removed))
    ));
    let result = w
        .engine
        .add_entry(
            &as_mo,
            span(w.project, "2026-11-22T09:00:00Z", "2026-11-22T10:00:00Z"),
        )
        .await;
    assert!(
        matches!(result, Err(EngineError::Denied(Denied::Removed))),
        "{result:?}"
    );
}

/// Where the engine does not decide an action of the matrix, which layer does, and the test that
/// shows it there.
fn not_an_engine_command(action: Action) -> Option<&'static str> {
    match action {
        Action::DeleteOrganization | Action::TransferOwnership => {
            Some("server: crates/server/tests/orgs.rs")
        }
        Action::ReadAuditLog => Some("server: crates/server/tests/orgs.rs"),
        Action::CreateOwnApiToken | Action::ManageApiTokens => {
            Some("server: crates/server/tests/tokens.rs")
        }
        _ => None,
    }
}

/// What one role may do with one action, as this device's engine answers: one probe per action
/// of [`MATRIX`], run against "own" records and against someone else's where the table tells the
/// two apart. The match has no catch-all, so an action added to the table without a probe here
/// does not compile; the test counts the cells it checked.
async fn probe(w: &mut World, me: &ActAs, role: Role, action: Action, others: bool) -> Result<()> {
    // What a listing leaves out counts as refused.
    let hidden = || {
        EngineError::Denied(Denied::NotAuthor {
            role,
            what: "see records of others",
        })
    };
    let owner = w.owner;
    let client = w.engine.clients(&owner, false)?[0].id;
    let own_entry = w.own_entry;
    let own_expense = w.own_expense;
    let (entry, their_expense) = if others {
        (w.others_entry, w.others_expense)
    } else {
        (own_entry, own_expense)
    };
    let e = &mut w.engine;
    let note = |n: &str| EntryChanges {
        note: Some(n.into()),
        ..Default::default()
    };
    match action {
        Action::ReadOrgProfile => e.organization(me).map(drop),
        Action::EditOrgProfile => e
            .update_organization(
                me,
                OrgChanges {
                    locale: Some("de-DE".into()),
                    ..Default::default()
                },
            )
            .await
            .map(drop),
        Action::ReadBillingProfile => e.billing_profile(me).map(drop),
        Action::EditBillingProfile => {
            let profile = e.billing_profile(&owner)?;
            e.save_billing_profile(me, profile).await
        }
        Action::ListMembers => e.members(me).map(drop),
        Action::ManageMembersAndViewers => {
            e.add_member(me, "Newcomer", Role::Viewer).await.map(drop)
        }
        Action::ManageAdminsAndOwners => e.add_member(me, "New admin", Role::Admin).await.map(drop),
        Action::ReadCatalog => e.clients(me, true).map(drop),
        Action::EditCatalog => e
            .add_client(
                me,
                NewClient {
                    name: "Initech".into(),
                    ..Default::default()
                },
            )
            .await
            .map(drop),
        Action::ReadRates => e.rates(me).map(drop),
        Action::EditRates => e
            .set_rate(
                me,
                NewRate {
                    scope: RateScope::Organization,
                    effective_from: Date::constant(2026, 6, 1),
                    hourly: "100".into(),
                    currency: None,
                },
            )
            .await
            .map(drop),
        Action::ReadTimeEntry => e.entry(me, entry).map(drop),
        Action::EditTimeEntry => e.edit_entry(me, entry, note("changed")).await.map(drop),
        Action::ReadExpense => {
            let seen = e.expenses(me, None, None)?;
            if seen.iter().any(|x| x.expense.id == their_expense) {
                Ok(())
            } else {
                Err(hidden())
            }
        }
        Action::EditExpense => e
            .add_expense(
                me,
                NewExpense {
                    member: Some(if others { w.otto } else { me.member }),
                    ..expense(Date::constant(2026, 11, 21))
                },
            )
            .await
            .map(drop),
        Action::LockPeriod => e.lock_period(me, Some(Date::constant(2026, 1, 1))).await,
        Action::EditLockedOrInvoiced => {
            // Nobody: the own entry goes on a draft first (the Owner makes it), then an edit.
            let draft = e
                .create_invoice(
                    &owner,
                    NewInvoice {
                        client: Some(client),
                        include_time: true,
                        ..Default::default()
                    },
                )
                .await?;
            assert!(draft.invoice.entries().any(|id| id == own_entry));
            let result = e.edit_entry(me, own_entry, note("after invoicing")).await;
            if grant(role, Action::EditTimeEntry) != Scope::None {
                assert!(
                    matches!(result, Err(EngineError::Denied(Denied::Invoiced))),
                    "{role}: {result:?}"
                );
            }
            result.map(drop)
        }
        Action::ReadInvoices => e.invoices(me, &InvoiceFilter::default()).map(drop),
        Action::EditInvoices => e.create_invoice(me, retainer(client)).await.map(drop),
        Action::FinalizeInvoice => {
            let draft = e.create_invoice(&owner, retainer(client)).await?;
            e.issue_invoice(me, draft.invoice.id, Some(Date::constant(2026, 11, 23)))
                .await
                .map(drop)
        }
        Action::EditFinalizedInvoice => {
            // Nobody: not even the Owner changes an issued invoice (void or credit it).
            let draft = e.create_invoice(&owner, retainer(client)).await?;
            let id = draft.invoice.id;
            e.issue_invoice(&owner, id, Some(Date::constant(2026, 11, 23)))
                .await?;
            let edit = InvoiceEdit {
                notes: Some("changed after issue".into()),
                ..Default::default()
            };
            let result = e.edit_invoice(me, id, edit).await.map(drop);
            assert_ne!(e.invoice(&owner, id)?.invoice.notes, "changed after issue");
            // The Owner's and Admin's refusal is the invoice's (issued), not their role's.
            result.map_err(|_| {
                EngineError::Denied(Denied::Role {
                    role,
                    what: "change an issued invoice",
                })
            })
        }
        Action::ReadTimeReports => {
            let report = e.time_report(
                me,
                &ReportQuery {
                    group_by: vec![GroupBy::Member],
                    ..Default::default()
                },
            )?;
            let shows_others = report
                .rows
                .iter()
                .any(|r| report.label(&r.key[0]) == "Otto Other");
            if others && !shows_others {
                Err(hidden())
            } else {
                Ok(())
            }
        }
        Action::ReadFinancialReports => {
            let report = e.time_report(me, &ReportQuery::default())?;
            if report.amounts_visible {
                Ok(())
            } else {
                Err(hidden())
            }
        }
        Action::ExportOrganization => {
            let mut out = Vec::new();
            e.export(
                me,
                stint_engine::export::ExportFormat::Json,
                &mut out,
                &mut |_, _| {},
            )
            .map_err(|e| clone_denied(&e))?;
            let doc: serde_json::Value = serde_json::from_slice(&out).unwrap();
            let has_others = doc["time_entries"]
                .as_array()
                .unwrap()
                .iter()
                .any(|t| t["member"].as_str() == Some(w.otto.to_string().as_str()));
            if others && !has_others {
                Err(hidden())
            } else {
                Ok(())
            }
        }
        Action::DeleteOrganization
        | Action::TransferOwnership
        | Action::ReadAuditLog
        | Action::CreateOwnApiToken
        | Action::ManageApiTokens => unreachable!("{action:?} is not an engine command"),
    }
}

fn retainer(client: ClientId) -> NewInvoice {
    NewInvoice {
        client: Some(client),
        lines: vec![TypedLine {
            description: "Retainer".into(),
            detail: None,
            quantity: "1".parse().unwrap(),
            unit: Unit::LumpSum,
            unit_price: "500".parse().unwrap(),
            discount: None,
            tax: Tax::standard("19".parse().unwrap()),
        }],
        ..Default::default()
    }
}

/// Every cell of the matrix the engine decides: each role, each action, on its own records and
/// on someone else's where the table tells "own" from "all", each on a fresh organization. The
/// cells the engine does not decide are named with the test that covers them on the server.
#[tokio::test]
async fn every_cell_of_the_matrix_at_the_engine() {
    let keys = MemoryKeyStore::default();
    let mut checked = 0;
    let mut elsewhere = Vec::new();
    for (action, _) in MATRIX {
        if let Some(layer) = not_an_engine_command(*action) {
            elsewhere.push((*action, layer));
            continue;
        }
        for (name, role) in TEAM {
            let scope = grant(role, *action);
            let split = matches!(
                action,
                Action::ReadTimeEntry
                    | Action::EditTimeEntry
                    | Action::ReadExpense
                    | Action::EditExpense
                    | Action::ReadTimeReports
                    | Action::ExportOrganization
            );
            for others in if split {
                vec![false, true]
            } else {
                vec![false]
            } {
                let mut w = ready_to_invoice(&keys).await;
                let me = ActAs {
                    org: w.owner.org,
                    member: w.engine.find_member(w.owner.org, name).unwrap(),
                };
                w.own_entry = own_entry_of(&mut w, me.member).await;
                w.own_expense = own_expense_of(&mut w, me.member).await;
                let allowed = if others {
                    scope == Scope::All
                } else {
                    scope != Scope::None
                };
                let what = format!("{action:?}{}", if others { " on another's" } else { "" });
                let got = probe(&mut w, &me, role, *action, others).await;
                expect(&what, role, allowed, got);
                w.engine.close().await;
            }
            checked += 1;
        }
    }
    assert_eq!(MATRIX.len(), 29);
    assert_eq!(elsewhere.len(), 5, "{elsewhere:?}");
    assert_eq!(checked, 24 * 4);
    println!(
        "role x action at the engine: {checked} of {} cells; elsewhere: {elsewhere:?}",
        MATRIX.len() * 4
    );
}

/// [`world`], with the seller's and the client's addresses set, so that invoices can be issued.
async fn ready_to_invoice(keys: &MemoryKeyStore) -> World {
    let mut w = world(keys).await;
    let owner = w.owner;
    let e = &mut w.engine;
    let mut profile = e.billing_profile(&owner).unwrap();
    profile.seller.name = "Acme GmbH".into();
    profile.seller.street = "Torstraße 1".into();
    profile.seller.postcode = "10119".into();
    profile.seller.city = "Berlin".into();
    profile.seller.country = "DE".into();
    e.save_billing_profile(&owner, profile).await.unwrap();
    let client = e.clients(&owner, false).unwrap()[0].id;
    let mut details = e.client_billing(&owner, client).unwrap();
    details.buyer.street = "Hafenweg 3".into();
    details.buyer.postcode = "20457".into();
    details.buyer.city = "Hamburg".into();
    details.buyer.country = "DE".into();
    e.save_client_billing(&owner, details).await.unwrap();
    w
}

/// An entry of `member`'s, made by the Owner (a Viewer cannot make one).
async fn own_entry_of(w: &mut World, member: MemberId) -> EntryId {
    let owner = w.owner;
    let project = w.project;
    w.engine
        .add_entry(
            &owner,
            NewEntry {
                member: Some(member),
                ..span(project, "2026-11-21T09:00:00Z", "2026-11-21T10:00:00Z")
            },
        )
        .await
        .unwrap()
        .entry
        .entry
        .id
}

/// An expense of `member`'s, made by the Owner.
async fn own_expense_of(w: &mut World, member: MemberId) -> ExpenseId {
    let owner = w.owner;
    w.engine
        .add_expense(
            &owner,
            NewExpense {
                member: Some(member),
                ..expense(Date::constant(2026, 11, 21))
            },
        )
        .await
        .unwrap()
}
