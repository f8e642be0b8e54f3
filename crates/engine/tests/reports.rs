//! Time reports over the engine's index: every filter, keys that name the right ids (the index keeps
//! entries' ids as dense numbers and turns them back), amounts from the rate hierarchy, and roles.

use jiff::civil::date;
use stint_domain::*;
use stint_engine::*;

mod support;
use support::acme;

struct Org {
    engine: Engine,
    owner: ActAs,
    ben: MemberId,
    acme: ClientId,
    globex: ClientId,
    site: ProjectId,
    shop: ProjectId,
    audit: ProjectId,
    design: TaskId,
}

async fn span(
    engine: &mut Engine,
    by: &ActAs,
    member: MemberId,
    project: ProjectId,
    task: Option<TaskId>,
    day: i8,
    hours: i64,
) {
    let start = date(2026, 11, day)
        .at(9, 0, 0, 0)
        .in_tz("UTC")
        .unwrap()
        .timestamp();
    let end = start + jiff::SignedDuration::from_hours(hours);
    engine
        .add_entry(
            by,
            NewEntry {
                member: Some(member),
                project: Some(project),
                task,
                time: EntryTime::Span { start, end },
                note: String::new(),
                billable: None,
                tags: Vec::new(),
            },
        )
        .await
        .unwrap();
}

/// Two clients (Acme: Site with a Design task, and Shop; Globex: Audit), two members, a rate of
/// 100 EUR/h for the organization and 150 for the Design task; five entries in November 2026.
async fn org(dir: &std::path::Path, keys: &MemoryKeyStore) -> Org {
    let (mut engine, org) = acme(dir, keys).await;
    let owner = engine.act_as_user(org).unwrap();
    let olive = owner.member;
    let ben = engine
        .add_member(&owner, "Ben", Role::Member)
        .await
        .unwrap();
    let client = |name: &str| NewClient {
        name: name.into(),
        currency: None,
        rounding: None,
        note: String::new(),
    };
    let acme = engine.add_client(&owner, client("Acme")).await.unwrap();
    let globex = engine.add_client(&owner, client("Globex")).await.unwrap();
    let project = |client, name: &str| NewProject {
        client,
        name: name.into(),
        billable: Some(true),
        rounding: None,
        note: String::new(),
    };
    let site = engine
        .add_project(&owner, project(acme, "Site"))
        .await
        .unwrap();
    let shop = engine
        .add_project(&owner, project(acme, "Shop"))
        .await
        .unwrap();
    let audit = engine
        .add_project(&owner, project(globex, "Audit"))
        .await
        .unwrap();
    let design = engine.add_task(&owner, site, "Design", None).await.unwrap();
    let rate = |scope, hourly: &str| NewRate {
        scope,
        effective_from: date(2026, 1, 1),
        hourly: hourly.into(),
        currency: None,
    };
    engine
        .set_rate(&owner, rate(RateScope::Organization, "100"))
        .await
        .unwrap();
    engine
        .set_rate(&owner, rate(RateScope::Task { task: design }, "150"))
        .await
        .unwrap();

    span(&mut engine, &owner, olive, site, Some(design), 2, 2).await; // 2 h × 150
    span(&mut engine, &owner, olive, site, None, 3, 1).await; //         1 h × 100
    span(&mut engine, &owner, ben, shop, None, 3, 3).await; //           3 h × 100
    span(&mut engine, &owner, ben, audit, None, 20, 4).await; //         4 h × 100
    span(&mut engine, &owner, olive, audit, None, 27, 1).await; //       1 h × 100
    Org {
        engine,
        owner,
        ben,
        acme,
        globex,
        site,
        shop,
        audit,
        design,
    }
}

fn query(group_by: &[GroupBy]) -> ReportQuery {
    ReportQuery {
        from: None,
        to: None,
        group_by: group_by.to_vec(),
        member: None,
        project: None,
        client: None,
    }
}

fn hours(row: &ReportRow) -> i64 {
    (row.billable_seconds + row.non_billable_seconds) / 3600
}

fn euros(row: &ReportRow) -> String {
    row.amounts
        .iter()
        .map(|m| m.amount.to_string())
        .collect::<Vec<_>>()
        .join("+")
}

#[tokio::test]
async fn every_filter_narrows_the_report_and_keys_name_the_right_ids() {
    let dir = tempfile::tempdir().unwrap();
    let keys = MemoryKeyStore::default();
    let o = org(dir.path(), &keys).await;
    let report = |q: ReportQuery| o.engine.time_report(&o.owner, &q).unwrap();

    let all = report(query(&[GroupBy::Project, GroupBy::Task]));
    assert_eq!(hours(&all.total), 11);
    assert_eq!(euros(&all.total), "1200");
    let rows: Vec<(Vec<GroupKey>, i64)> =
        all.rows.iter().map(|r| (r.key.clone(), hours(r))).collect();
    for expected in [
        (
            vec![GroupKey::Project(o.site), GroupKey::Task(Some(o.design))],
            2,
        ),
        (vec![GroupKey::Project(o.site), GroupKey::Task(None)], 1),
        (vec![GroupKey::Project(o.shop), GroupKey::Task(None)], 3),
        (vec![GroupKey::Project(o.audit), GroupKey::Task(None)], 5),
    ] {
        assert!(rows.contains(&expected), "{expected:?} not in {rows:?}");
    }
    assert_eq!(rows.len(), 4);
    assert_eq!(all.names[&o.design.to_string()], "Design");
    assert_eq!(all.names[&o.audit.to_string()], "Audit");

    let by_client = report(query(&[GroupBy::Client]));
    let client_hours: Vec<(GroupKey, i64)> = by_client
        .rows
        .iter()
        .map(|r| (r.key[0], hours(r)))
        .collect();
    assert!(
        client_hours.contains(&(GroupKey::Client(o.acme), 6)),
        "{client_hours:?}"
    );
    assert!(
        client_hours.contains(&(GroupKey::Client(o.globex), 5)),
        "{client_hours:?}"
    );

    let by_member = report(query(&[GroupBy::Member]));
    assert!(
        by_member
            .rows
            .iter()
            .any(|r| r.key[0] == GroupKey::Member(o.ben) && hours(r) == 7)
    );
    assert!(
        by_member
            .rows
            .iter()
            .any(|r| r.key[0] == GroupKey::Member(o.owner.member) && hours(r) == 4)
    );

    let only = |f: &dyn Fn(&mut ReportQuery)| {
        let mut q = query(&[GroupBy::Project]);
        f(&mut q);
        let r = report(q);
        (hours(&r.total), euros(&r.total), r.rows.len())
    };
    assert_eq!(only(&|q| q.member = Some(o.ben)), (7, "700".into(), 2));
    assert_eq!(only(&|q| q.project = Some(o.site)), (3, "400".into(), 1));
    assert_eq!(only(&|q| q.client = Some(o.globex)), (5, "500".into(), 1));
    assert_eq!(only(&|q| q.client = Some(o.acme)), (6, "700".into(), 2));
    assert_eq!(
        only(&|q| {
            q.client = Some(o.acme);
            q.member = Some(o.ben);
        }),
        (3, "300".into(), 1)
    );
    assert_eq!(
        only(&|q| q.from = Some(date(2026, 11, 3))),
        (9, "900".into(), 3)
    );
    assert_eq!(
        only(&|q| q.to = Some(date(2026, 11, 3))),
        (6, "700".into(), 2)
    );
    assert_eq!(
        only(&|q| {
            q.from = Some(date(2026, 11, 4));
            q.to = Some(date(2026, 11, 26));
        }),
        (4, "400".into(), 1)
    );
    // Ids that have no entries (or are no ids of this organization) give an empty report.
    assert_eq!(
        only(&|q| q.project = Some(ProjectId(ulid::Ulid::from_parts(1, 1)))),
        (0, "".into(), 0)
    );
    assert_eq!(
        only(&|q| q.member = Some(MemberId(ulid::Ulid::from_parts(1, 2)))),
        (0, "".into(), 0)
    );
}

#[tokio::test]
async fn a_member_sees_only_their_own_time_without_amounts_and_a_new_entry_counts_at_once() {
    let dir = tempfile::tempdir().unwrap();
    let keys = MemoryKeyStore::default();
    let mut o = org(dir.path(), &keys).await;
    let ben = o.engine.act_as_member(o.owner.org, o.ben).await.unwrap();
    let mut q = query(&[GroupBy::Project]);
    q.member = Some(o.owner.member); // asks for someone else's: still only Ben's
    let own = o.engine.time_report(&ben, &q).unwrap();
    assert_eq!(hours(&own.total), 7);
    assert!(!own.amounts_visible);
    assert!(own.total.amounts.is_empty() && own.rows.iter().all(|r| r.amounts.is_empty()));

    // A task and a project made after unlock get numbers too, and their entries show at once.
    let owner = o.owner;
    let late = o
        .engine
        .add_project(
            &owner,
            NewProject {
                client: o.globex,
                name: "Late".into(),
                billable: Some(false),
                rounding: None,
                note: String::new(),
            },
        )
        .await
        .unwrap();
    let review = o
        .engine
        .add_task(&owner, late, "Review", None)
        .await
        .unwrap();
    span(&mut o.engine, &owner, o.ben, late, Some(review), 28, 2).await;
    let mut q = query(&[GroupBy::Project, GroupBy::Task]);
    q.project = Some(late);
    let late_report = o.engine.time_report(&owner, &q).unwrap();
    assert_eq!(late_report.rows.len(), 1);
    assert_eq!(
        late_report.rows[0].key,
        vec![GroupKey::Project(late), GroupKey::Task(Some(review))]
    );
    assert_eq!(late_report.rows[0].non_billable_seconds, 2 * 3600);

    // And after locking and unlocking, the same report from a fresh index.
    drop(o.engine);
    let engine = Engine::open(dir.path(), Unlock::Keyring(&keys))
        .await
        .unwrap();
    assert_eq!(
        engine.time_report(&owner, &q).unwrap().rows,
        late_report.rows
    );
}
