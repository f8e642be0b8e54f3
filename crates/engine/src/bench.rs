//! The figures of BENCHMARKS.md that this engine owns (B1–B3), each measured beside its
//! plaintext-SQLite baseline in the same run. Only the bench tool calls this; tests never time anything.

use crate::records::Record;
use crate::state::OrgState;
use crate::{ActAs, Engine, EngineError, NewEntry, ReportQuery, Result};
use rayon::prelude::*;
use serde::Serialize;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{QueryBuilder, SqlitePool};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};
use stint_domain::Kind;
use stint_domain::payload::Clock;
use stint_domain::*;
use stint_vault::{Unlock, Vault};

/// One measured figure.
#[derive(Clone, Debug, Serialize)]
pub struct Figure {
    /// B1, B2, ...
    pub id: &'static str,
    /// What was measured.
    pub what: String,
    /// Median (or p50) in milliseconds.
    pub median_ms: f64,
    /// 90th percentile in milliseconds, where several samples were taken.
    pub p90_ms: Option<f64>,
    /// Baseline median in milliseconds, measured in the same run.
    pub baseline_ms: Option<f64>,
    /// The target as BENCHMARKS.md states it.
    pub target: &'static str,
    /// Whether the target holds.
    pub met: bool,
}

/// Everything a bench run measured.
#[derive(Clone, Debug, Serialize)]
pub struct BenchReport {
    /// Records in the vault.
    pub records: u64,
    /// Time entries in the benchmark organization.
    pub entries: u64,
    /// Samples per figure.
    pub runs: usize,
    /// Where B1's time goes (medians, ms): KDF, read, decrypt, index.
    pub b1_phases: Vec<(String, f64)>,
    /// Of B2, the pure grouping over prepared inputs (ms, median).
    pub b2_aggregate_ms: f64,
    /// The figures.
    pub figures: Vec<Figure>,
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn percentile(samples: &mut [f64], p: f64) -> f64 {
    samples.sort_by(|a, b| a.total_cmp(b));
    let i = ((samples.len() as f64 - 1.0) * p).round() as usize;
    samples[i.min(samples.len() - 1)]
}

async fn plain_pool(path: &Path) -> Result<SqlitePool> {
    let options = SqliteConnectOptions::new()
        .filename(path)
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Full);
    Ok(SqlitePoolOptions::new()
        .max_connections(1)
        .connect_with(options)
        .await
        .map_err(stint_vault::VaultError::from)?)
}

fn plain_error(e: rusqlite::Error) -> EngineError {
    stint_vault::VaultError::Damaged(format!("plaintext baseline: {e}")).into()
}

fn db(e: sqlx::Error) -> EngineError {
    EngineError::Vault(stint_vault::VaultError::from(e))
}

/// A scratch directory removed on drop.
struct Scratch(PathBuf);

impl Scratch {
    fn new(tag: &str) -> Result<Self> {
        let dir =
            std::env::temp_dir().join(format!("stint-bench-{tag}-{}", ulid::Ulid::generate()));
        std::fs::create_dir_all(&dir).map_err(|e| EngineError::Io(e.to_string()))?;
        Ok(Scratch(dir))
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Measure B1, B2 and B3 on the vault at `dir` (seeded with `stint bench seed`).
pub async fn run(dir: &Path, passphrase: &str, runs: usize) -> Result<BenchReport> {
    let runs = runs.max(3);
    // ---- B1: unlock + index, by phase; and the same rows as plaintext. ----------------------
    let mut totals = Vec::new();
    let mut without_kdf = Vec::new();
    let mut phases: [Vec<f64>; 4] = Default::default();
    for _ in 0..runs {
        let t0 = Instant::now();
        let vault = Vault::open(dir).await?;
        let keys = vault.unlock(Unlock::Passphrase(passphrase)).await?;
        let t_kdf = t0.elapsed();
        let t1 = Instant::now();
        let engine = Engine::open_unlocked(vault, keys).await?;
        let t_rest = t1.elapsed();
        totals.push(ms(t0.elapsed()));
        without_kdf.push(ms(t_rest));
        phases[0].push(ms(t_kdf));
        for (i, phase) in engine.load_phases.iter().enumerate() {
            phases[i + 1].push(*phase);
        }
        engine.close().await;
    }
    let engine = Engine::open(dir, Unlock::Passphrase(passphrase)).await?;
    let org = engine
        .organizations()
        .into_iter()
        .max_by_key(|o| engine.orgs.get(&o.id).map(|s| s.entries.len()))
        .ok_or_else(|| {
            EngineError::not_found_hint("organization", "bench", "run `stint bench seed` first")
        })?;
    let by = ActAs {
        org: org.id,
        member: engine.user(),
    };
    let entries = engine
        .orgs
        .get(&org.id)
        .map(|s| s.entries.len() as u64)
        .unwrap_or(0);
    let records: u64 = engine.orgs.values().map(OrgState::record_count).sum();

    // Plaintext baseline: the same payloads in a plain SQLite table, read and indexed the same way.
    let scratch = Scratch::new("plain")?;
    let plain_path = scratch.0.join("plain.sqlite");
    {
        let pool = plain_pool(&plain_path).await?;
        sqlx::query("CREATE TABLE records (org BLOB NOT NULL, id BLOB NOT NULL, kind INTEGER NOT NULL, payload BLOB NOT NULL, PRIMARY KEY (org, id))")
            .execute(&pool)
            .await
            .map_err(db)?;
        let rows: Vec<([u8; 16], Record)> = engine
            .orgs
            .iter()
            .flat_map(|(id, state)| state.records().into_iter().map(move |r| (id.to_bytes(), r)))
            .collect();
        let mut tx = pool.begin().await.map_err(db)?;
        for chunk in rows.chunks(5000) {
            let mut q = QueryBuilder::new("INSERT INTO records (org, id, kind, payload) ");
            q.push_values(chunk, |mut b, (org, r)| {
                b.push_bind(org.to_vec())
                    .push_bind(r.id().to_vec())
                    .push_bind(r.kind() as i64)
                    .push_bind(
                        r.encode_fresh(Clock {
                            hlc: 1,
                            device: [0; 16],
                        })
                        .unwrap_or_default(),
                    );
            });
            q.build().execute(&mut *tx).await.map_err(db)?;
        }
        tx.commit().await.map_err(db)?;
        pool.close().await;
    }
    let mut plain = Vec::new();
    for _ in 0..runs {
        let t0 = Instant::now();
        // Read as the vault does: one rusqlite pass, each row copied once.
        let rows: Vec<(Vec<u8>, i64, Vec<u8>)> = {
            let plain = rusqlite::Connection::open(&plain_path).map_err(plain_error)?;
            let mut statement = plain
                .prepare("SELECT org, kind, payload FROM records")
                .map_err(plain_error)?;
            statement
                .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
                .and_then(|rows| rows.collect::<rusqlite::Result<Vec<_>>>())
                .map_err(plain_error)?
        };
        let decoded: Vec<(Vec<u8>, Record)> = rows
            .par_iter()
            .filter_map(|(org, kind, payload)| {
                let kind = Kind::from_u16(*kind as u16)?;
                Record::decode(kind, payload).ok().map(|r| (org.clone(), r))
            })
            .collect();
        let mut orgs: std::collections::HashMap<Vec<u8>, OrgState> = Default::default();
        for (org, r) in decoded {
            orgs.entry(org).or_default().apply(r);
        }
        orgs.par_iter_mut().for_each(|(_, s)| s.reprice_all());
        plain.push(ms(t0.elapsed()));
    }
    let b1 = percentile(&mut without_kdf.clone(), 0.5);
    let b1_plain = percentile(&mut plain, 0.5);
    let b1_phases = vec![
        (
            "Argon2id key derivation (deliberate, excluded)".to_owned(),
            percentile(&mut phases[0], 0.5),
        ),
        (
            "read rows from SQLite".to_owned(),
            percentile(&mut phases[1], 0.5),
        ),
        (
            "check seals + decrypt + decode (parallel)".to_owned(),
            percentile(&mut phases[2], 0.5),
        ),
        (
            "index + price entries".to_owned(),
            percentile(&mut phases[3], 0.5),
        ),
        (
            "total including Argon2id".to_owned(),
            percentile(&mut totals, 0.5),
        ),
    ];

    // ---- B2: time report over all entries grouped by client, project and week. --------------
    let query = ReportQuery {
        group_by: vec![GroupBy::Client, GroupBy::Project, GroupBy::Week],
        ..Default::default()
    };
    let mut report_ms = Vec::new();
    let mut rows = 0;
    for _ in 0..runs.max(10) {
        let t0 = Instant::now();
        let report = engine.time_report(&by, &query)?;
        report_ms.push(ms(t0.elapsed()));
        rows = report.rows.len();
    }
    let b2 = percentile(&mut report_ms, 0.5);
    // Where B2's time goes: the pure aggregation alone over the same facts.
    let mut aggregate_ms = Vec::new();
    if let Some(state) = engine.orgs.get(&org.id) {
        let inputs: Vec<ReportInput> = state
            .entries
            .all_facts()
            .filter_map(|f| state.report_input(f, true))
            .collect();
        for _ in 0..runs.max(10) {
            let t0 = Instant::now();
            let report = stint_domain::report::time_report(
                &inputs,
                |i| Some(*i),
                state.numbers(),
                &query.group_by,
                WeekStart::Monday,
            );
            aggregate_ms.push(ms(t0.elapsed()));
            drop(report);
        }
    }
    let b2_aggregate = if aggregate_ms.is_empty() {
        0.0
    } else {
        percentile(&mut aggregate_ms, 0.5)
    };
    engine.close().await;

    // ---- B3: one durable entry (encrypt, sign, commit) vs. a bare SQLite insert + commit. -----
    let copy = Scratch::new("b3")?;
    {
        // Work on a copy so the benchmark dataset stays as seeded.
        let vault = Vault::open(dir).await?;
        vault.close().await;
        let name = stint_vault::DB_FILE;
        std::fs::copy(dir.join(name), copy.0.join(name))
            .map_err(|e| EngineError::Io(e.to_string()))?;
    }
    let mut engine = Engine::open(&copy.0, Unlock::Passphrase(passphrase)).await?;
    let project = engine
        .projects(&by, false)?
        .first()
        .map(|p| p.project.id)
        .ok_or(EngineError::NoTimer)?;
    let samples = 200;
    let mut add_ms = Vec::with_capacity(samples);
    let base = jiff::Timestamp::from_second(1_800_000_000).unwrap_or(jiff::Timestamp::UNIX_EPOCH);
    let mut payload_len = 0;
    for i in 0..samples {
        let start = base + jiff::SignedDuration::from_hours(i as i64);
        let input = NewEntry {
            member: None,
            project: Some(project),
            task: None,
            time: EntryTime::Span {
                start,
                end: start + jiff::SignedDuration::from_mins(45),
            },
            note: "bench entry: reviewed the Müller & Søn mockups".into(),
            billable: None,
            tags: vec![],
        };
        let t0 = Instant::now();
        let outcome = engine.add_entry(&by, input).await?;
        add_ms.push(ms(t0.elapsed()));
        payload_len = Record::TimeEntry(outcome.entry.entry)
            .encode_fresh(Clock {
                hlc: 1,
                device: [0; 16],
            })
            .map(|p| p.len())
            .unwrap_or(0);
    }
    engine.close().await;
    let mut bare_ms = Vec::with_capacity(samples);
    {
        let pool = plain_pool(&copy.0.join("bare.sqlite")).await?;
        sqlx::query("CREATE TABLE t (id BLOB PRIMARY KEY, payload BLOB NOT NULL)")
            .execute(&pool)
            .await
            .map_err(db)?;
        let blob = vec![0x5au8; payload_len + 300];
        for i in 0..samples {
            let t0 = Instant::now();
            let mut tx = pool.begin().await.map_err(db)?;
            sqlx::query("INSERT INTO t (id, payload) VALUES (?, ?)")
                .bind((i as u64).to_be_bytes().to_vec())
                .bind(&blob)
                .execute(&mut *tx)
                .await
                .map_err(db)?;
            tx.commit().await.map_err(db)?;
            bare_ms.push(ms(t0.elapsed()));
        }
        pool.close().await;
    }
    let b3 = percentile(&mut add_ms.clone(), 0.5);
    let b3_p90 = percentile(&mut add_ms, 0.9);
    let bare = percentile(&mut bare_ms, 0.5);

    let figures = vec![
        Figure {
            id: "B1",
            what: format!("unlock + index {records} records (excl. Argon2id)"),
            median_ms: b1,
            p90_ms: None,
            baseline_ms: Some(b1_plain),
            target: "<= 150 ms and <= 2x plaintext",
            met: b1 <= 150.0 && b1 <= 2.0 * b1_plain,
        },
        Figure {
            id: "B2",
            what: format!("time report, {entries} entries by client, project, week ({rows} rows)"),
            median_ms: b2,
            p90_ms: None,
            baseline_ms: None,
            target: "<= 10 ms",
            met: b2 <= 10.0,
        },
        Figure {
            id: "B3",
            what: "record one time entry durably (encrypt, sign, commit)".into(),
            median_ms: b3,
            p90_ms: Some(b3_p90),
            baseline_ms: Some(bare),
            target: "p50 <= 2 ms",
            met: b3 <= 2.0,
        },
    ];
    Ok(BenchReport {
        records,
        entries,
        runs,
        b1_phases,
        b2_aggregate_ms: b2_aggregate,
        figures,
    })
}
