//! `stint-server`: run the sync server. With no configuration it listens on 127.0.0.1:7380 and keeps
//! its data in an embedded SQLite database under the user's data directory, and says where.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Parser;

#[derive(Parser)]
#[command(name = "stint-server", version, about = "Stint's sync server", long_about = None)]
struct Cli {
    /// A TOML configuration file (see docs/server.md) [env: STINT_SERVER_CONFIG]
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(clap::Subcommand)]
enum Command {
    /// Serve (the default), with scheduled backups unless `[backup] every_hours = 0`
    Serve,
    /// Take a backup now (safe while the server runs)
    Backup {
        /// Where to put it [default: the configured backup directory]
        #[arg(long, value_name = "DIR")]
        to: Option<PathBuf>,
    },
    /// Restore a backup into an empty data directory (SQLite) or an empty database (PostgreSQL)
    Restore {
        /// The backup directory (stint-backup-…)
        from: PathBuf,
    },
    /// Measure the start of B7 on a throwaway database: password verification, and authenticated
    /// requests per second with p99 latency (PostgreSQL when DATABASE_URL is set)
    Bench {
        #[arg(long, default_value_t = 200)]
        clients: usize,
        #[arg(long, default_value_t = 10)]
        seconds: u64,
        #[arg(long, default_value_t = 20)]
        password_runs: usize,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("STINT_LOG")
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .with_target(false)
        .init();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("stint-server: error: cannot start: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!(
                "stint-server: error: {}",
                format!("{e:#}").replace('\n', " ")
            );
            ExitCode::FAILURE
        }
    }
}

async fn run(cli: Cli) -> anyhow::Result<()> {
    if let Some(Command::Bench {
        clients,
        seconds,
        password_runs,
    }) = cli.command
    {
        return stint_server::bench::run(stint_server::bench::BenchSpec {
            clients,
            seconds: seconds.max(1),
            database_url: std::env::var("DATABASE_URL").ok(),
            password_runs,
        })
        .await;
    }
    let config = stint_server::Config::load(cli.config.as_deref()).map_err(anyhow::Error::msg)?;
    match &cli.command {
        Some(Command::Backup { to }) => {
            let root = to.clone().unwrap_or_else(|| config.backup_dir());
            let dir = stint_server::backup::backup(&config, &root).await?;
            println!("Backup written to {}", dir.display());
            println!(
                "Keep the server key (key file or STINT_SERVER_KEY) safe separately: it is not in the backup."
            );
            return Ok(());
        }
        Some(Command::Restore { from }) => {
            stint_server::backup::restore(&config, from).await?;
            println!("Restored {}", from.display());
            return Ok(());
        }
        _ => {}
    }
    let listener = tokio::net::TcpListener::bind(config.listen)
        .await
        .map_err(|e| anyhow::anyhow!("cannot listen on {}: {e}", config.listen))?;
    let addr = listener.local_addr()?;
    let state = stint_server::open(config).await?;
    match &state.config.database_url {
        Some(_) => tracing::info!("storage: PostgreSQL (DATABASE_URL)"),
        None => tracing::info!("storage: SQLite in {}", state.config.data_dir.display()),
    }
    tracing::info!(
        "emails without SMTP go to {}",
        state.config.outbox_dir().display()
    );
    let scheme = if state.config.tls_cert.is_some() {
        "https"
    } else {
        "http"
    };
    tracing::info!(
        "listening on {scheme}://{addr} (public address {})",
        state.config.public_url
    );
    if state.config.backup.every_hours > 0 {
        tracing::info!(
            "backups every {} hours to {}, kept {} days",
            state.config.backup.every_hours,
            state.config.backup_dir().display(),
            state.config.backup.keep_days
        );
        tokio::spawn(stint_server::backup::schedule(state.config.clone()));
    }
    // Ctrl-C, or SIGTERM as systemd and container runtimes send: requests in flight are
    // answered, then the databases are closed.
    let shutdown = async {
        let terminate = async {
            match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                Ok(mut signal) => {
                    signal.recv().await;
                }
                Err(_) => std::future::pending::<()>().await,
            }
        };
        tokio::select! {
            _ = tokio::signal::ctrl_c() => {}
            _ = terminate => {}
        }
        tracing::info!("shutting down");
    };
    match (state.config.tls_cert.clone(), state.config.tls_key.clone()) {
        (Some(cert), Some(key)) => {
            tracing::info!("TLS with the certificate {}", cert.display());
            stint_server::serve_tls(listener, state, &cert, &key, shutdown).await?
        }
        _ => stint_server::serve(listener, state, shutdown).await?,
    }
    Ok(())
}
