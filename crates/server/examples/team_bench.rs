//! Issue 15's benches: a team in the seeded organization, through a real server on a loopback
//! port.
//!
//! ```sh
//! cargo run --release -p stint-server --example team_bench [ENTRIES]          # SQLite
//! scripts/with-postgres cargo run --release -p stint-server --example team_bench   # PostgreSQL
//! ```
//!
//! Ada seeds the benchmark organization (100,000 entries unless ENTRIES says otherwise), publishes
//! it and pushes everything (set-up, not a target). Then:
//!
//! - **Confirming** each of eleven newcomers (two Admins, eight Members, a Viewer), each by
//!   fingerprint: a membership log entry and key deliveries, no record sealed again (≤ 1 s).
//! - **Removing** a Member, eleven remaining: new team epoch, its key delivered to the eleven
//!   (≤ 2 s), and how many of Ada's records were sealed again (none: only what is written again).
//! - **B5 with four roles at once**: the Owner's second device, an Admin's, a Member's and the
//!   Viewer's first syncs, started together; each one's records and time, and all of them.
//! - **B6 with four roles at once**: the Owner's second device, the Admin and the Member each push
//!   a third of 10,000 new entries while the Viewer pulls until it has all of them, started
//!   together; the figure is the records over the time until the Viewer has the last one. Five
//!   runs, one after another (a run's figure moves by a quarter from one to the next: four
//!   clients and a server racing on two cores); the median run is judged, every run's figure
//!   printed. The writers' whole rounds are printed beside it (each also pulls what the others
//!   pushed).
//!
//! Beside B6, the CPU time the process used meanwhile, and how busy that kept the cores.
//!
//! Server and clients share the machine. Nothing here is a test: the numbers are printed, never
//! asserted.

#[path = "../tests/support/mod.rs"]
mod support;

use std::time::{Duration, Instant};

use stint_crypto::EnvelopeRef;
use stint_domain::{OrgId, Role};
use stint_engine::seed::SeedSpec;
use stint_engine::sync::SyncReport;
use support::devices::{device, set_up, span_entry, stored_records};
use support::team::{Person, invited, person, report};
use support::{Backend, Server, Storage};

/// B6's new entries, shared among the three roles that write.
const NEW_ENTRIES: usize = 10_000;
/// How many times B6 with four roles is run; the median run is judged.
const B6_TRIALS: usize = 5;
/// Rounds that find nothing new, timed one after another.
const EMPTY_ROUNDS: u32 = 50;

/// One run of B6 with four roles.
struct Trial {
    /// The Owner's second device's, the Admin's, the Member's and the Viewer's rounds.
    rounds: [(SyncReport, Duration); 4],
    /// Until the last writer's round ended.
    rounds_together: Duration,
    /// CPU time the process used meanwhile.
    cpu: Duration,
}

impl Trial {
    /// Records per second until the Viewer had the last of them.
    fn rate(&self) -> f64 {
        let (viewer, arrived) = &self.rounds[3];
        viewer.received as f64 / arrived.as_secs_f64()
    }
}

/// CPU time this process (server and clients) has used so far, summed over every core.
fn cpu_used() -> Duration {
    let mut usage = std::mem::MaybeUninit::<libc::rusage>::zeroed();
    // SAFETY: `getrusage` fills the `rusage` it is given; RUSAGE_SELF is always valid.
    let usage = unsafe {
        libc::getrusage(libc::RUSAGE_SELF, usage.as_mut_ptr());
        usage.assume_init()
    };
    let time = |t: libc::timeval| {
        Duration::from_secs(t.tv_sec as u64) + Duration::from_micros(t.tv_usec as u64)
    };
    time(usage.ru_utime) + time(usage.ru_stime)
}

fn ms(took: Duration) -> f64 {
    took.as_secs_f64() * 1000.0
}

/// Records of `org` in the vault at `dir`, by key epoch of their compartment.
async fn by_epoch(dir: &std::path::Path, org: OrgId) -> Vec<((u8, u32), usize)> {
    let mut counts = std::collections::BTreeMap::new();
    for (_, envelope) in stored_records(dir, org).await {
        let h = *EnvelopeRef::parse(&envelope).unwrap().header();
        *counts.entry((h.compartment, h.epoch)).or_insert(0) += 1;
    }
    counts.into_iter().collect()
}

/// The reader's rounds, 10 ms apart, until `expected` new records have arrived: when the last of
/// the writers' pushes has reached a device that reads everything.
async fn until_received(p: &mut Person, org: OrgId, expected: usize) -> (SyncReport, Duration) {
    let started = Instant::now();
    let mut received = SyncReport::default();
    while received.received < expected {
        assert!(
            started.elapsed() < Duration::from_secs(120),
            "{} of {expected} records arrived in two minutes",
            received.received
        );
        let reports = p.engine.sync(&p.t).await.unwrap();
        received.received += report(&reports, org).received;
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    (received, started.elapsed())
}

async fn first_sync(p: &mut Person, org: OrgId) -> (SyncReport, Duration) {
    let started = Instant::now();
    let reports = p.engine.sync(&p.t).await.unwrap();
    (report(&reports, org), started.elapsed())
}

#[tokio::main(flavor = "multi_thread")]
async fn main() {
    let entries: u64 = std::env::args()
        .nth(1)
        .map(|a| a.parse().expect("ENTRIES is a number"))
        .unwrap_or(100_000);
    let backend = if std::env::var_os("STINT_TEST_DATABASE_URL").is_some() {
        Backend::Postgres
    } else {
        Backend::Sqlite
    };
    let storage = Storage::new(backend).await;
    // Twelve people sign up and sign in from one address: more than the limits per address let
    // through in a window.
    let server = Server::start_with(&storage, |c| {
        c.limits.auth_per_ip = 1_000;
        c.limits.email_per_ip = 1_000;
    })
    .await;

    let mut ada = person(&server, &storage, "ada@example.org").await;
    let recovery = set_up(&mut ada.engine, &ada.t).await;
    eprintln!("seeding {entries} entries…");
    let (org, summary) = ada
        .engine
        .seed(SeedSpec { entries, seed: 42 }, &mut |_, _| {})
        .await
        .unwrap();
    ada.engine.publish(&ada.t, org).await.unwrap();
    let started = Instant::now();
    ada.engine.sync(&ada.t).await.unwrap();
    eprintln!(
        "set-up: {} records published and pushed in {:.0} ms",
        summary.records,
        ms(started.elapsed())
    );
    let by = ada.engine.act_as_user(org).unwrap();

    // Eleven newcomers, each confirmed by the digits they read out.
    let mut roles = vec![Role::Admin, Role::Admin];
    roles.extend([Role::Member; 8]);
    roles.push(Role::Viewer);
    let mut team = Vec::new();
    let mut confirms = Vec::new();
    for (i, role) in roles.iter().enumerate() {
        let email = format!("person{i}@example.org");
        let (p, digits) = invited(&server, &storage, &ada, org, &email, *role).await;
        let started = Instant::now();
        ada.engine
            .confirm_member(&ada.t, &by, &email, &digits)
            .await
            .unwrap();
        confirms.push(started.elapsed());
        team.push((p, *role));
    }
    ada.engine.sync(&ada.t).await.unwrap();
    let mut sorted = confirms.clone();
    sorted.sort();
    let confirm_median = sorted[sorted.len() / 2];
    let confirm_max = *sorted.last().unwrap();

    // Removing a Member: eleven remain.
    let (removed, _) = team.remove(9);
    let removed_id = removed.engine.sync_account().await.unwrap().unwrap();
    let started = Instant::now();
    ada.engine
        .change_membership(&ada.t, &by, removed_id, None)
        .await
        .unwrap();
    let removal = started.elapsed();
    // Under the new team key: only what the removal itself wrote (the removed member's profile).
    let resealed: usize = by_epoch(ada.dir(), org)
        .await
        .iter()
        .filter(|((c, e), _)| *c == 1 && *e > 1)
        .map(|(_, n)| *n)
        .sum();

    // Four roles' first syncs at once: the Owner's second device, an Admin, a Member, the Viewer.
    let dir = tempfile::tempdir().unwrap();
    let mut phone = Person {
        engine: device(dir.path(), &stint_engine::MemoryKeyStore::default()).await,
        t: stint_sync::HttpTransport::new(&server.base, &ada.session).unwrap(),
        session: ada.session.clone(),
        email: ada.email.clone(),
        _dir: dir,
    };
    phone
        .engine
        .restore_sync(&phone.t, &recovery)
        .await
        .unwrap();
    let viewer = team.pop().unwrap().0;
    let member = team.remove(2).0;
    let admin = team.remove(0).0;
    let mut four = [phone, admin, member, viewer];
    let started = Instant::now();
    let [a, b, c, d] = &mut four;
    let (o, a2, m, v) = tokio::join!(
        first_sync(a, org),
        first_sync(b, org),
        first_sync(c, org),
        first_sync(d, org)
    );
    let together = started.elapsed();

    // B6 with four roles at once, B6_TRIALS times: the Owner's second device, the Admin and the
    // Member each add a third of 10,000 entries offline, then the three push while the Viewer
    // pulls until it has them all, started together (a Viewer writes nothing).
    let [a, b, c, d] = &mut four;
    let project = {
        let by = a.engine.act_as_user(org).unwrap();
        a.engine
            .entries(&by, &stint_engine::EntryFilter::default())
            .unwrap()[0]
            .entry
            .project
            .expect("the seeded entries have projects")
    };
    let base = "2026-06-01T00:00:00Z".parse::<jiff::Timestamp>().unwrap();
    let mut trials = Vec::new();
    for trial in 0..B6_TRIALS {
        for (n, p) in [&mut *a, &mut *b, &mut *c].into_iter().enumerate() {
            let by = p.engine.act_as_user(org).unwrap();
            for i in 0..NEW_ENTRIES / 3 {
                let at = (trial * 3 + n) * NEW_ENTRIES + i;
                let start = base + jiff::SignedDuration::from_mins(at as i64 * 20);
                p.engine
                    .add_entry(
                        &by,
                        span_entry(project, start, 15, format!("bench entry {i}")),
                    )
                    .await
                    .unwrap();
            }
        }
        let cpu_before = cpu_used();
        let (po, pa, pm, pv) = tokio::join!(
            first_sync(a, org),
            first_sync(b, org),
            first_sync(c, org),
            until_received(d, org, NEW_ENTRIES / 3 * 3)
        );
        // The writers' rounds also pull and store what the other writers pushed (the Owner's and
        // the Admin's read every entry): B5's work, beside this one's.
        let rounds_together = [&po, &pa, &pm].iter().map(|(_, took)| *took).max().unwrap();
        trials.push(Trial {
            rounds: [po, pa, pm, pv],
            rounds_together,
            cpu: cpu_used() - cpu_before,
        });
    }

    // A round that finds nothing new: what a device pays each time it looks (the Viewer's above
    // looked every 10 ms).
    let (started, cpu_before) = (Instant::now(), cpu_used());
    for _ in 0..EMPTY_ROUNDS {
        let reports = d.engine.sync(&d.t).await.unwrap();
        assert_eq!(report(&reports, org).received, 0);
    }
    let empty = (
        started.elapsed() / EMPTY_ROUNDS,
        (cpu_used() - cpu_before) / EMPTY_ROUNDS,
    );

    println!(
        "storage: {} · {} records seeded · 2 cores shared by server and clients",
        match backend {
            Backend::Sqlite => "SQLite",
            Backend::Postgres => "PostgreSQL",
        },
        summary.records
    );
    println!();
    println!("| what | measured | target | met |");
    println!("|------|----------|--------|-----|");
    println!(
        "| confirm a newcomer (log entry + key deliveries), median of 11 | {:.0} ms (slowest {:.0} ms) | <= 1 s | {} |",
        ms(confirm_median),
        ms(confirm_max),
        if confirm_max <= Duration::from_secs(1) {
            "yes"
        } else {
            "NO"
        }
    );
    println!(
        "| remove a Member, new team epoch delivered to 11 | {:.0} ms; {resealed} record under the new key (the profile the removal writes) | <= 2 s; nothing sealed again unless written | {} |",
        ms(removal),
        if removal <= Duration::from_secs(2) && resealed <= 1 {
            "yes"
        } else {
            "NO"
        }
    );
    let all: usize = [&o, &a2, &m, &v].iter().map(|(r, _)| r.received).sum();
    for (role, (r, took)) in [
        ("Owner (second device)", o),
        ("Admin", a2),
        ("Member", m),
        ("Viewer", v),
    ] {
        println!(
            "| B5, four at once: {role} | {} records in {:.0} ms, {:.0} records/s | - | - |",
            r.received,
            ms(took),
            r.received as f64 / took.as_secs_f64()
        );
    }
    println!(
        "| B5, four at once: all | {:.0} ms for the four, {:.0} records/s together | - | - |",
        ms(together),
        all as f64 / together.as_secs_f64()
    );
    // The median run, by the Viewer's rate, with every run's rate beside it.
    trials.sort_by(|x, y| x.rate().total_cmp(&y.rate()));
    let runs: Vec<String> = trials.iter().map(|t| format!("{:.0}", t.rate())).collect();
    let median = &trials[trials.len() / 2];
    let [po, pa, pm, pv] = &median.rounds;
    for (role, (r, took)) in [
        ("Owner (second device)", po),
        ("Admin", pa),
        ("Member", pm),
        ("Viewer (pulls until it has all of them)", pv),
    ] {
        println!(
            "| B6, four at once, median run: {role} | {} pushed, {} received in {:.0} ms | - | - |",
            r.pushed,
            r.received,
            ms(*took)
        );
    }
    let pushed: usize = [po, pa, pm].iter().map(|(r, _)| r.pushed).sum();
    let (viewer, arrived) = pv;
    let rate = median.rate();
    println!(
        "| B6, four at once: pushed by three, all received by the Viewer, median of {B6_TRIALS} runs ({} records/s, slowest first) | {} in {:.0} ms, {:.0} records/s | >= 20k records/s | {} |",
        runs.join(", "),
        viewer.received,
        ms(*arrived),
        rate,
        if rate >= 20_000.0 { "yes" } else { "NO" }
    );
    println!(
        "| B6, four at once, median run: the writers' whole rounds (each also pulls the others' entries it reads) | {pushed} pushed in {:.0} ms, {:.0} records/s together | - | - |",
        ms(median.rounds_together),
        pushed as f64 / median.rounds_together.as_secs_f64(),
    );
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let all_four = median.rounds_together.max(*arrived);
    println!(
        "| B6, four at once, median run: CPU time of this process (server and four clients; not PostgreSQL's own) | {:.0} ms in the {:.0} ms the four took: {cores} cores {:.0}% busy | - | - |",
        ms(median.cpu),
        ms(all_four),
        100.0 * median.cpu.as_secs_f64() / (cores as f64 * all_four.as_secs_f64()),
    );
    println!(
        "| a Viewer's round that finds nothing new, mean of {EMPTY_ROUNDS} | {:.1} ms, {:.1} ms of CPU | - | - |",
        ms(empty.0),
        ms(empty.1),
    );
    server.stop().await;
}
