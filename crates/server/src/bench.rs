//! `stint-server bench`: B7 (BENCHMARKS.md). The cost of one password verification, then
//! authenticated requests per second and their p50/p99 latency with many concurrent clients, each
//! on its own connection: first a cheap endpoint (`GET /api/v1/account`: a session lookup and the
//! account), then B7's incremental pulls (`GET …/sync/pull` a few records behind the head of a
//! 10,000-record organization: session, membership, the page and the head), against a real server
//! on a loopback port, on SQLite or on PostgreSQL. Server and clients share the machine's cores.

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
    let tokens = sessions(&state, user.id, spec.clients).await?;

    // An organization of the account with RECORDS envelopes, for the incremental pulls.
    let org = crate::store::Org {
        id: Ulid::generate(),
        name: "Bench".into(),
        created_at: 0,
    };
    state.store.create_org(&org, user.id).await?;
    let envelopes: Vec<(u64, Vec<u8>)> = (0..RECORDS)
        .map(|i| (i, secrets::random_bytes::<300>().to_vec()))
        .collect();
    let batch: Vec<crate::store::sync::Incoming<'_>> = envelopes
        .iter()
        .map(|(i, bytes)| crate::store::sync::Incoming {
            record: Ulid::from_parts(*i, 0).to_bytes(),
            hlc: 1,
            author_device: [1; 16],
            kind: stint_domain::Kind::Client as u16,
            owner: None,
            tombstone: false,
            envelope: bytes,
        })
        .collect();
    push_all(&state, org.id, &batch).await?;

    // The same with four roles at once: a quarter of the clients each the Owner's, an Admin's, a
    // Member's and a Viewer's, in an organization of entries that belong to eight people (the
    // Member's pulls go through the filter for their own records and the catalogue).
    let team = team_org(&state, &user, spec.clients).await?;
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(crate::serve(listener, state, async {
        let _ = stopped.await;
    }));
    let account = hammer(
        &tokens,
        &format!("http://{addr}/api/v1/account"),
        spec.seconds,
    )
    .await?;
    // A device that is nearly up to date: its cursor a few records behind the head.
    let pulls = hammer(
        &tokens,
        &format!(
            "http://{addr}/api/v1/orgs/{}/sync/pull?after={}",
            org.id,
            RECORDS - BEHIND
        ),
        spec.seconds,
    )
    .await?;
    let url = format!(
        "http://{addr}/api/v1/orgs/{}/sync/pull?after={}",
        team.org,
        RECORDS - BEHIND * 8
    );
    let groups: Vec<(&str, &[String])> = team
        .tokens
        .iter()
        .map(|(role, tokens)| (*role, tokens.as_slice()))
        .collect();
    let (four_roles, by_role) = hammer_groups(&groups, &url, spec.seconds).await?;
    let _ = stop.send(());
    server.await??;
    println!(
        "Stint server bench ({storage}, release: {}, {} cores shared by server and clients)",
        !cfg!(debug_assertions),
        std::thread::available_parallelism().map_or(1, |n| n.get())
    );
    println!(
        "  password verification (Argon2id m=19456 KiB, t=2, p=1): median {password_ms:.1} ms of {} runs",
        times.len()
    );
    account.print("GET /api/v1/account", spec.clients);
    pulls.print(
        &format!("B7: GET …/sync/pull, {BEHIND} records behind the head of {RECORDS}"),
        spec.clients,
    );
    println!(
        "  B7 target: >= 5000 req/s, p99 <= 50 ms: {}",
        pulls.b7_verdict()
    );
    four_roles.print(
        &format!(
            "B7, four roles at once: GET …/sync/pull, {} records behind the head of {RECORDS}",
            BEHIND * 8
        ),
        spec.clients,
    );
    for (role, load) in &by_role {
        load.print(&format!("  of which {role}"), spec.clients / 4);
    }
    println!(
        "  B7 (four roles) target: >= 5000 req/s, p99 <= 50 ms: {}",
        four_roles.b7_verdict()
    );
    Ok(())
}

/// `n` sessions of `user`, made directly in the store: their bearer tokens.
async fn sessions(state: &crate::Shared, user: Ulid, n: usize) -> Result<Vec<String>> {
    let mut tokens = Vec::with_capacity(n);
    for _ in 0..n {
        let token = secrets::new_token("sts_");
        let now = crate::app::now();
        state
            .store
            .create_session(
                &Session {
                    id: Ulid::generate(),
                    user,
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
    Ok(tokens)
}

/// Stores the bench's own records in batches of a thousand, as pushes do.
async fn push_all(
    state: &crate::Shared,
    org: Ulid,
    batch: &[crate::store::sync::Incoming<'_>],
) -> Result<()> {
    for chunk in batch.chunks(1000) {
        if let Err(refused) = state.store.push(org, chunk).await? {
            anyhow::bail!("the bench's own records were refused: {refused:?}");
        }
    }
    Ok(())
}

/// B7's organization for four roles, and each role's sessions.
struct TeamOrg {
    org: Ulid,
    tokens: Vec<(&'static str, Vec<String>)>,
}

/// An organization `owner` owns, with an Admin, a Member and a Viewer (invited, accepted and
/// confirmed through the store, as the routes would), and RECORDS envelopes: a tenth catalogue,
/// a tenth rates and invoices (finance), the rest time entries of eight people, one of them the
/// Member. `clients` sessions, a quarter per role.
async fn team_org(state: &crate::Shared, owner: &User, clients: usize) -> Result<TeamOrg> {
    use stint_domain::{Kind, Role};
    let org = crate::store::Org {
        id: Ulid::generate(),
        name: "Team bench".into(),
        created_at: 0,
    };
    state.store.create_org(&org, owner.id).await?;
    let now = crate::app::now();
    let per_role = (clients / 4).max(1);
    let mut tokens = vec![("owner", sessions(state, owner.id, per_role).await?)];
    let mut member = [0; 16];
    for (name, role) in [
        ("admin", Role::Admin),
        ("member", Role::Member),
        ("viewer", Role::Viewer),
    ] {
        let user = User {
            id: Ulid::generate(),
            email: format!("{name}@example.org"),
            password_hash: None,
            email_verified_at: Some(0),
            totp_secret: None,
            totp_enabled_at: None,
            created_at: 0,
        };
        state.store.create_user(&user).await?;
        let invitation = secrets::new_token("sti_");
        let hash = secrets::token_hash(&invitation);
        state
            .store
            .create_invitation(
                org.id,
                &crate::store::Invitation {
                    id: Ulid::generate(),
                    email: user.email.clone(),
                    role,
                    invited_by: owner.id,
                    created_at: now,
                    expires_at: now + 3600,
                },
                &hash,
            )
            .await?;
        state
            .store
            .accept_invitation(org.id, &hash, &user.email, user.id, now)
            .await?
            .context("the bench's invitation is open")?;
        state
            .store
            .confirm_member(org.id, user.id, role, &[], now)
            .await?;
        if role == Role::Member {
            member = user.id.to_bytes();
        }
        tokens.push((name, sessions(state, user.id, per_role).await?));
    }
    let people: Vec<[u8; 16]> = std::iter::once(member)
        .chain((1..8u8).map(|n| [n; 16]))
        .collect();
    let envelopes: Vec<(u64, Vec<u8>)> = (0..RECORDS)
        .map(|i| (i, secrets::random_bytes::<300>().to_vec()))
        .collect();
    let batch: Vec<crate::store::sync::Incoming<'_>> = envelopes
        .iter()
        .map(|(i, bytes)| {
            let (kind, owner) = match i % 10 {
                0 => (Kind::Client, None),
                1 if i % 20 == 1 => (Kind::Rate, None),
                1 => (Kind::Invoice, None),
                _ => (Kind::TimeEntry, Some(people[(*i as usize) % people.len()])),
            };
            crate::store::sync::Incoming {
                record: Ulid::from_parts(*i, 1).to_bytes(),
                hlc: 1,
                author_device: [1; 16],
                kind: kind as u16,
                owner,
                tombstone: false,
                envelope: bytes,
            }
        })
        .collect();
    push_all(state, org.id, &batch).await?;
    Ok(TeamOrg {
        org: org.id,
        tokens,
    })
}

/// Records in the benchmark organization, and how far behind its head each pull starts.
const RECORDS: u64 = 10_000;
const BEHIND: u64 = 5;

/// Latencies (ms) of the requests after the warm-up, and the failures.
struct Load {
    latencies: Vec<f64>,
    errors: u64,
    seconds: f64,
}

impl Load {
    fn per_second(&self) -> f64 {
        self.latencies.len() as f64 / self.seconds
    }

    fn quantile(&self, q: f64) -> f64 {
        let at = ((self.latencies.len() as f64 * q) as usize)
            .min(self.latencies.len().saturating_sub(1));
        self.latencies.get(at).copied().unwrap_or(f64::NAN)
    }

    /// B7's target (BENCHMARKS.md): at least 5,000 requests/s with p99 at most 50 ms.
    fn b7_verdict(&self) -> &'static str {
        if self.per_second() >= 5000.0 && self.quantile(0.99) <= 50.0 {
            "met"
        } else {
            "NOT met"
        }
    }

    fn print(&self, what: &str, clients: usize) {
        println!(
            "  {what}, {clients} clients, {:.1} s: {:.0} req/s, p50 {:.2} ms, p99 {:.2} ms, errors {}",
            self.seconds,
            self.per_second(),
            self.quantile(0.50),
            self.quantile(0.99),
            self.errors
        );
    }
}

/// One client per session, each on its own kept-alive connection as a device would be, sending
/// `GET url` back to back for `seconds` (the first half second is a warm-up, not counted).
async fn hammer(tokens: &[String], url: &str, seconds: u64) -> Result<Load> {
    Ok(hammer_groups(&[("all", tokens)], url, seconds).await?.0)
}

/// [`hammer`] for groups of sessions at once: all of them, and each group on its own.
async fn hammer_groups(
    groups: &[(&'static str, &[String])],
    url: &str,
    seconds: u64,
) -> Result<(Load, Vec<(&'static str, Load)>)> {
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let warmup = Instant::now() + Duration::from_millis(500);
    let mut tasks = Vec::new();
    for (group, tokens) in groups {
        for token in *tokens {
            let (url, token) = (url.to_owned(), token.clone());
            let client = reqwest::Client::builder()
                .pool_max_idle_per_host(1)
                .build()
                .context("an HTTP client")?;
            tasks.push((
                *group,
                tokio::spawn(async move {
                    let mut latencies = Vec::new();
                    let mut errors = 0;
                    while Instant::now() < deadline {
                        let start = Instant::now();
                        let ok = match client.get(&url).bearer_auth(&token).send().await {
                            Ok(r) if r.status().is_success() => r.bytes().await.is_ok(),
                            _ => false,
                        };
                        if !ok {
                            errors += 1;
                        }
                        if start >= warmup {
                            latencies.push(start.elapsed().as_secs_f64() * 1000.0);
                        }
                    }
                    (latencies, errors)
                }),
            ));
        }
    }
    let measured = seconds as f64 - 0.5;
    let mut all = Load {
        latencies: Vec::new(),
        errors: 0,
        seconds: measured,
    };
    let mut by_group: Vec<(&'static str, Load)> = groups
        .iter()
        .map(|(group, _)| {
            (
                *group,
                Load {
                    latencies: Vec::new(),
                    errors: 0,
                    seconds: measured,
                },
            )
        })
        .collect();
    for (group, task) in tasks {
        let (latencies, errors) = task.await?;
        if let Some((_, load)) = by_group.iter_mut().find(|(g, _)| *g == group) {
            load.latencies.extend(&latencies);
            load.errors += errors;
        }
        all.latencies.extend(latencies);
        all.errors += errors;
    }
    all.latencies.sort_by(f64::total_cmp);
    for (_, load) in &mut by_group {
        load.latencies.sort_by(f64::total_cmp);
    }
    Ok((all, by_group))
}
