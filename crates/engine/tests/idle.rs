//! Coming back to a running timer after time away: keep, discard or split the idle time.

use jiff::Timestamp;
use stint_domain::*;
use stint_engine::*;

struct Desk {
    engine: Engine,
    by: ActAs,
    project: ProjectId,
    _dir: tempfile::TempDir,
}

fn at(s: &str) -> Timestamp {
    s.parse().unwrap()
}

async fn desk(keys: &MemoryKeyStore) -> Desk {
    let dir = tempfile::tempdir().unwrap();
    let mut engine = Engine::create(dir.path(), Unlock::Keyring(keys))
        .await
        .unwrap();
    engine.set_clock(Some(at("2026-11-23T09:00:00Z")));
    let org = engine
        .create_organization(NewOrganization {
            name: "Solo".into(),
            currency: "EUR".into(),
            locale: "en-US".into(),
            time_zone: "UTC".into(),
            week_start: None,
            owner_name: "Fay Freelancer".into(),
        })
        .await
        .unwrap();
    let by = engine.act_as_user(org).unwrap();
    let client = engine
        .add_client(
            &by,
            NewClient {
                name: "Client".into(),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let project = engine
        .add_project(
            &by,
            NewProject {
                client,
                name: "Build".into(),
                billable: None,
                rounding: None,
                note: String::new(),
            },
        )
        .await
        .unwrap();
    engine
        .start_timer(
            &by,
            StartTimer {
                project: Some(project),
                task: None,
                note: "deep work".into(),
                billable: None,
                tags: vec![],
            },
        )
        .await
        .unwrap();
    Desk {
        engine,
        by,
        project,
        _dir: dir,
    }
}

fn spans(engine: &Engine, by: &ActAs) -> Vec<(String, Option<(Timestamp, Timestamp)>)> {
    engine
        .entries(by, &EntryFilter::default())
        .unwrap()
        .into_iter()
        .map(|v| {
            let span = match v.entry.time {
                EntryTime::Span { start, end } => Some((start, end)),
                _ => None,
            };
            (v.entry.note, span)
        })
        .collect()
}

#[tokio::test]
async fn keep_leaves_the_timer_running() {
    let keys = MemoryKeyStore::default();
    let mut d = desk(&keys).await;
    d.engine.set_clock(Some(at("2026-11-23T11:00:00Z")));
    let out = d
        .engine
        .resolve_idle(&d.by, at("2026-11-23T10:00:00Z"), IdleChoice::Keep)
        .await
        .unwrap();
    let running = out.running.unwrap();
    assert_eq!(
        running.entry.time,
        EntryTime::Running {
            start: at("2026-11-23T09:00:00Z")
        }
    );
    assert!(out.away.is_none());
    assert_eq!(
        d.engine
            .entries(&d.by, &EntryFilter::default())
            .unwrap()
            .len(),
        1
    );
}

#[tokio::test]
async fn discard_ends_the_entry_when_idle_began_and_restarts_now() {
    let keys = MemoryKeyStore::default();
    let mut d = desk(&keys).await;
    d.engine.set_clock(Some(at("2026-11-23T11:00:00Z")));
    let out = d
        .engine
        .resolve_idle(&d.by, at("2026-11-23T10:00:00Z"), IdleChoice::Discard)
        .await
        .unwrap();
    assert!(out.away.is_none());
    let running = out.running.unwrap();
    assert_eq!(
        running.entry.time,
        EntryTime::Running {
            start: at("2026-11-23T11:00:00Z")
        }
    );
    assert_eq!(running.entry.project, Some(d.project));
    assert_eq!(running.entry.note, "deep work");
    assert_eq!(
        spans(&d.engine, &d.by),
        vec![
            (
                "deep work".to_owned(),
                Some((at("2026-11-23T09:00:00Z"), at("2026-11-23T10:00:00Z")))
            ),
            ("deep work".to_owned(), None),
        ]
    );
}

#[tokio::test]
async fn split_keeps_the_time_away_as_its_own_non_billable_entry() {
    let keys = MemoryKeyStore::default();
    let mut d = desk(&keys).await;
    d.engine.set_clock(Some(at("2026-11-23T11:00:00Z")));
    let out = d
        .engine
        .resolve_idle(&d.by, at("2026-11-23T10:15:00Z"), IdleChoice::Split)
        .await
        .unwrap();
    let away = out.away.unwrap();
    assert_eq!(
        away.entry.time,
        EntryTime::Span {
            start: at("2026-11-23T10:15:00Z"),
            end: at("2026-11-23T11:00:00Z")
        }
    );
    assert!(!away.entry.billable);
    assert_eq!(away.seconds, 45 * 60);
    let notes: Vec<String> = spans(&d.engine, &d.by)
        .into_iter()
        .map(|(n, _)| n)
        .collect();
    assert_eq!(notes, ["deep work", "Time away", "deep work"]);
}

#[tokio::test]
async fn idle_since_before_the_start_starts_over_and_the_future_is_refused() {
    let keys = MemoryKeyStore::default();
    let mut d = desk(&keys).await;
    d.engine.set_clock(Some(at("2026-11-23T11:00:00Z")));
    let err = d
        .engine
        .resolve_idle(&d.by, at("2026-11-23T12:00:00Z"), IdleChoice::Discard)
        .await
        .unwrap_err();
    assert!(err.to_string().contains("future"), "{err}");
    let out = d
        .engine
        .resolve_idle(&d.by, at("2026-11-23T08:00:00Z"), IdleChoice::Discard)
        .await
        .unwrap();
    assert_eq!(
        out.running.unwrap().entry.time,
        EntryTime::Running {
            start: at("2026-11-23T11:00:00Z")
        }
    );
    assert_eq!(
        spans(&d.engine, &d.by),
        vec![("deep work".to_owned(), None)]
    );
    // With no timer there is nothing to resolve.
    d.engine.stop_timer(&d.by).await.unwrap();
    let err = d
        .engine
        .resolve_idle(&d.by, at("2026-11-23T10:00:00Z"), IdleChoice::Split)
        .await
        .unwrap_err();
    assert!(err.to_string().contains("no timer"), "{err}");
}
