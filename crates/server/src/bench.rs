//! `stint-server bench`: the start of B7 (BENCHMARKS.md). The cost of one password verification,
//! and authenticated requests per second and their p99 latency with many concurrent clients on a
//! cheap endpoint (`GET /api/v1/account`: a session lookup and the account), against a real server
//! on a loopback port, on SQLite or on PostgreSQL. Server and clients share the machine's cores.

use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use ulid::Ulid;

use crate::config::Config;
use crate::secrets;
use crate::store::{Session, User};

pub struct BenchSpec {
    pub clients: usize,
    pub seconds: u64,
    pub database_url: Option<String>,
    pub password_runs: usize,
}

pub async fn run(spec: BenchSpec) -> Result<()> {
    let _ = rustls::crypto::ring::default_provider().install_default();
    // Password verification: the deliberate cost of every password sign-in.
    let hash = secrets::hash_password("correct horse battery staple");
    let mut times: Vec<f64> = (0..spec.password_runs.max(1))
        .map(|_| {
            let start = Instant::now();
            assert!(secrets::verify_password(
                &hash,
                "correct horse battery staple"
            ));
            start.elapsed().as_secs_f64() * 1000.0
        })
        .collect();
    times.sort_by(f64::total_cmp);
    let password_ms = times[times.len() / 2];

    let dir = tempfile::tempdir().context("a temporary data directory")?;
    let config = Config {
        listen: ([127, 0, 0, 1], 0).into(),
        data_dir: dir.path().join("data"),
        database_url: spec.database_url.clone(),
        server_key: Some(hex::encode(secrets::random_bytes::<32>())),
        ..Config::default()
    };
    let listener = tokio::net::TcpListener::bind(config.listen).await?;
    let addr = listener.local_addr()?;
    let state = crate::open(config).await?;
    let storage = state.store.kind();

    // One verified account with one session per client, made directly in the store.
    let user = User {
        id: Ulid::generate(),
        email: "bench@example.org".into(),
        password_hash: Some(hash),
        email_verified_at: Some(0),
        totp_secret: None,
        totp_enabled_at: None,
        created_at: 0,
    };
    state.store.create_user(&user).await?;
    let mut tokens = Vec::with_capacity(spec.clients);
    for _ in 0..spec.clients {
        let token = secrets::new_token("sts_");
        let now = crate::app::now();
        state
            .store
            .create_session(
                &Session {
                    id: Ulid::generate(),
                    user: user.id,
                    device: "bench".into(),
                    created_at: now,
                    last_seen_at: now,
                    expires_at: now + 3600,
                },
                &secrets::token_hash(&token),
            )
            .await?;
        tokens.push(token);
    }

    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(crate::serve(listener, state, async {
        let _ = stopped.await;
    }));
    let url = format!("http://{addr}/api/v1/account");
    let deadline = Instant::now() + Duration::from_secs(spec.seconds);
    let warmup = Instant::now() + Duration::from_millis(500);
    let errors = Arc::new(std::sync::atomic::AtomicU64::new(0));
    let mut tasks = Vec::with_capacity(spec.clients);
    for token in tokens {
        let url = url.clone();
        let errors = Arc::clone(&errors);
        // One client, one connection (kept alive), as a device would.
        let client = reqwest::Client::builder()
            .pool_max_idle_per_host(1)
            .build()
            .context("an HTTP client")?;
        tasks.push(tokio::spawn(async move {
            let mut latencies = Vec::new();
            while Instant::now() < deadline {
                let start = Instant::now();
                let ok = client
                    .get(&url)
                    .bearer_auth(&token)
                    .send()
                    .await
                    .is_ok_and(|r| r.status().is_success());
                if !ok {
                    errors.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                }
                if start >= warmup {
                    latencies.push(start.elapsed().as_secs_f64() * 1000.0);
                }
            }
            latencies
        }));
    }
    let mut latencies = Vec::new();
    for task in tasks {
        latencies.extend(task.await?);
    }
    let _ = stop.send(());
    server.await??;
    let measured = spec.seconds as f64 - 0.5;
    latencies.sort_by(f64::total_cmp);
    let pick = |q: f64| {
        latencies
            .get(((latencies.len() as f64 * q) as usize).min(latencies.len().saturating_sub(1)))
            .copied()
            .unwrap_or(f64::NAN)
    };
    println!(
        "Stint server bench ({storage}, release: {}, {} cores shared by server and clients)",
        !cfg!(debug_assertions),
        std::thread::available_parallelism().map_or(1, |n| n.get())
    );
    println!(
        "  password verification (Argon2id m=19456 KiB, t=2, p=1): median {password_ms:.1} ms of {} runs",
        times.len()
    );
    println!(
        "  GET /api/v1/account, {} clients, {:.1} s: {:.0} req/s, p50 {:.2} ms, p99 {:.2} ms, errors {}",
        spec.clients,
        measured,
        latencies.len() as f64 / measured,
        pick(0.50),
        pick(0.99),
        errors.load(std::sync::atomic::Ordering::Relaxed)
    );
    println!("  B7 target (incremental pulls, later): >= 5000 req/s, p99 <= 50 ms");
    Ok(())
}
