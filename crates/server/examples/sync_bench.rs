//! B5 and B6 of BENCHMARKS.md: sync throughput through a real server on a loopback port.
//!
//! ```sh
//! cargo run --release -p stint-server --example sync_bench [ENTRIES]          # SQLite
//! scripts/with-postgres cargo run --release -p stint-server --example sync_bench   # PostgreSQL
//! ```
//!
//! A laptop seeds the benchmark organization (100,000 entries unless ENTRIES says otherwise),
//! publishes it and pushes everything (set-up, timed but not a target). Then:
//!
//! - **B5**: a new device enrolled with the recovery key syncs the whole organization: pulled,
//!   every envelope verified against its author's certificate, merged and stored. Printed beside
//!   pulling the same pages without storing them, and beside downloading the same bytes as one
//!   static file from a loopback HTTP server (the ratio).
//! - **B6**: the laptop adds 10,000 entries offline, then one sync pushes them.
//!
//! Server, clients and the static file share the machine. Nothing here is a test: the numbers are
//! printed, never asserted.

#[path = "../tests/support/mod.rs"]
mod support;

use std::time::{Duration, Instant};

use stint_domain::ProjectId;
use stint_engine::seed::SeedSpec;
use stint_engine::sync::Transport;
use stint_engine::{Engine, EntryFilter, MemoryKeyStore, Unlock};
use support::devices::{laptop_and_phone, span_entry};
use support::{Backend, Server, Storage};

const PASSWORD: &str = "a long and private passphrase";
const NEW_ENTRIES: usize = 10_000;

fn per_second(records: usize, took: Duration) -> f64 {
    records as f64 / took.as_secs_f64()
}

fn ms(took: Duration) -> f64 {
    took.as_secs_f64() * 1000.0
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
    let server = Server::start(&storage).await;
    let email = "bench@example.org";
    let (to_laptop, to_phone) = laptop_and_phone(&server, &storage, email, PASSWORD).await;

    let dirs = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let keys = (MemoryKeyStore::default(), MemoryKeyStore::default());
    let mut laptop = Engine::create(dirs.0.path(), Unlock::Keyring(&keys.0))
        .await
        .unwrap();
    let mut phone = Engine::create(dirs.1.path(), Unlock::Keyring(&keys.1))
        .await
        .unwrap();

    eprintln!("seeding {entries} entries…");
    let (org, summary) = laptop
        .seed(SeedSpec { entries, seed: 42 }, &mut |_, _| {})
        .await
        .unwrap();
    let recovery = laptop.set_up_sync(&to_laptop).await.unwrap();
    let started = Instant::now();
    laptop.publish(&to_laptop, org).await.unwrap();
    let published = started.elapsed();
    let started = Instant::now();
    let first = laptop.sync(&to_laptop).await.unwrap();
    let first_push = started.elapsed();
    let pushed: usize = first.iter().map(|(_, r)| r.pushed).sum();
    eprintln!(
        "set-up: {} records published in {:.0} ms, pushed in {:.0} ms ({:.0} records/s)",
        summary.records,
        ms(published),
        ms(first_push),
        per_second(pushed, first_push)
    );

    // The same pages, pulled and not stored: the network and the server's side alone.
    let started = Instant::now();
    let (mut cursor, mut pulled, mut bytes) = (0u64, 0usize, Vec::new());
    // Write log entries (kinds 16 and 17) travel with the records but are not counted as records.
    let mut log_entries = 0usize;
    loop {
        let page = to_phone.pull(org, cursor, 1000).await.unwrap();
        let Some(last) = page.records.last() else {
            break;
        };
        cursor = last.seq;
        pulled += page.records.len();
        log_entries += page
            .records
            .iter()
            .filter(|r| matches!(r.envelope.get(33..35), Some([0, 16] | [0, 17])))
            .count();
        for r in &page.records {
            bytes.extend_from_slice(&r.envelope);
        }
    }
    let pages_only = started.elapsed();

    // The same bytes as one static file over loopback HTTP.
    let body = axum::body::Bytes::from(bytes);
    let size = body.len();
    let app = axum::Router::new().route(
        "/all",
        axum::routing::get(move || {
            let body = body.clone();
            async move { body }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let file_url = format!("http://{}/all", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    let http = reqwest::Client::new();
    let mut file_times = Vec::new();
    for _ in 0..5 {
        let started = Instant::now();
        let got = http
            .get(&file_url)
            .send()
            .await
            .unwrap()
            .bytes()
            .await
            .unwrap();
        file_times.push(started.elapsed());
        assert_eq!(got.len(), size);
    }
    file_times.sort();
    let static_file = file_times[file_times.len() / 2];

    // B5: the new device, from nothing to everything verified and stored.
    phone
        .restore_sync(&to_phone, &recovery.to_text())
        .await
        .unwrap();
    let started = Instant::now();
    let reports = phone.sync(&to_phone).await.unwrap();
    let b5 = started.elapsed();
    let received: usize = reports.iter().map(|(_, r)| r.received).sum();
    let refused: usize = reports.iter().map(|(_, r)| r.refused).sum();
    assert_eq!(refused, 0, "{reports:?}");
    assert_eq!(received + log_entries, pulled, "every record arrived once");

    // B6: 10,000 new entries written offline, then pushed in one sync.
    let by = laptop.act_as_user(org).unwrap();
    let project: ProjectId = laptop.entries(&by, &EntryFilter::default()).unwrap()[0]
        .entry
        .project
        .expect("the seeded entries have projects");
    let base = "2026-06-01T00:00:00Z".parse::<jiff::Timestamp>().unwrap();
    for i in 0..NEW_ENTRIES {
        let start = base + jiff::SignedDuration::from_mins(i as i64 * 20);
        laptop
            .add_entry(
                &by,
                span_entry(project, start, 15, format!("bench entry {i}")),
            )
            .await
            .unwrap();
    }
    let started = Instant::now();
    let reports = laptop.sync(&to_laptop).await.unwrap();
    let b6 = started.elapsed();
    let b6_pushed: usize = reports.iter().map(|(_, r)| r.pushed).sum();
    assert_eq!(b6_pushed, NEW_ENTRIES, "{reports:?}");

    let b5_rate = per_second(received, b5);
    let b6_rate = per_second(b6_pushed, b6);
    println!(
        "storage: {} · {} records ({} MiB of envelopes) · 2 cores shared by server and clients",
        server_kind(backend),
        received,
        size / (1024 * 1024)
    );
    println!();
    println!("| ID | what | measured | baseline | ratio | target | met |");
    println!("|----|------|----------|----------|-------|--------|-----|");
    println!(
        "| B5 | first sync of the organization to a new device (pulled, verified, merged, stored) | {:.0} ms, {:.0} records/s | static file {:.0} ms | {:.1}x | >= 50,000 records/s | {} |",
        ms(b5),
        b5_rate,
        ms(static_file),
        b5.as_secs_f64() / static_file.as_secs_f64(),
        if b5_rate >= 50_000.0 { "yes" } else { "NO" }
    );
    println!(
        "| B6 | push {NEW_ENTRIES} new records | {:.0} ms, {:.0} records/s | - | - | >= 20,000 records/s | {} |",
        ms(b6),
        b6_rate,
        if b6_rate >= 20_000.0 { "yes" } else { "NO" }
    );
    println!();
    println!(
        "B5 parts: pulling the same pages without storing them {:.0} ms ({:.0} records/s)",
        ms(pages_only),
        per_second(pulled, pages_only)
    );

    laptop.close().await;
    phone.close().await;
    server.stop().await;
}

fn server_kind(backend: Backend) -> &'static str {
    match backend {
        Backend::Sqlite => "SQLite",
        Backend::Postgres => "PostgreSQL",
    }
}
