//! Backups: `stint-server backup`, the scheduled backups of a running server, and
//! `stint-server restore`.
//!
//! A backup is a directory `stint-backup-<UTC time>` with a `manifest.json` naming every file with
//! its size and SHA-256. On SQLite each database file (`server.db`, `orgs/*.db`) is copied with
//! `VACUUM INTO`, a consistent snapshot taken while the server runs; on PostgreSQL `pg_dump` writes
//! one custom-format archive. A backup is assembled under a hidden name and renamed when complete, so
//! a crash never leaves something that looks like a backup. The server key is not in it: keep the key
//! file (or `STINT_SERVER_KEY`) safe separately; without it TOTP secrets cannot be read.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, Result, anyhow, bail};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use sqlx::Connection;

use crate::config::Config;

const PREFIX: &str = "stint-backup-";

#[derive(Debug, Serialize, Deserialize)]
struct Manifest {
    format: u32,
    storage: String,
    created_at: String,
    files: Vec<FileEntry>,
}

#[derive(Debug, Serialize, Deserialize)]
struct FileEntry {
    name: String,
    bytes: u64,
    sha256: String,
}

/// A PostgreSQL client tool, from `PATH` or the installed server's directory.
fn pg_tool(name: &str) -> Result<PathBuf> {
    if let Some(path) = std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|dir| dir.join(name))
            .find(|p| p.is_file())
    }) {
        return Ok(path);
    }
    let mut found: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .filter_map(|e| e.ok())
        .map(|e| e.path().join("bin").join(name))
        .filter(|p| p.is_file())
        .collect();
    found.sort();
    found.pop().ok_or_else(|| {
        anyhow!("{name} not found: install the PostgreSQL client tools (postgresql-client)")
    })
}

/// A PostgreSQL client tool run against `url`, with the URL's password (if any) in the tool's
/// environment (`PGPASSWORD`) rather than on its command line, where every user of the machine can
/// read it (`ps`, `/proc`).
fn pg_command(tool: &Path, url: &str) -> Result<Command> {
    let mut url = url::Url::parse(url).context("the database URL is not a URL")?;
    let mut command = Command::new(tool);
    if let Some(password) = url.password() {
        let password = percent_encoding::percent_decode_str(password)
            .decode_utf8()
            .context("the database URL's password is not UTF-8")?
            .into_owned();
        command.env("PGPASSWORD", password);
        url.set_password(None)
            .map_err(|()| anyhow!("the database URL cannot carry a password"))?;
    }
    command.arg(format!("--dbname={url}"));
    Ok(command)
}

fn sha256_file(path: &Path) -> Result<(u64, String)> {
    let mut file = std::fs::File::open(path)?;
    let mut hash = Sha256::new();
    let mut buf = vec![0u8; 1 << 16];
    let mut bytes = 0u64;
    loop {
        let n = file.read(&mut buf)?;
        if n == 0 {
            break;
        }
        hash.update(&buf[..n]);
        bytes += n as u64;
    }
    Ok((bytes, hex::encode(hash.finalize())))
}

/// Takes a backup into a new directory under `root`; its path.
pub async fn backup(config: &Config, root: &Path) -> Result<PathBuf> {
    let stamp = jiff::Timestamp::now()
        .strftime("%Y%m%dT%H%M%SZ")
        .to_string();
    crate::files::private_dir(root)
        .with_context(|| format!("cannot create the backup directory {}", root.display()))?;
    let partial = root.join(format!(".{PREFIX}{stamp}.partial"));
    let _ = std::fs::remove_dir_all(&partial);
    crate::files::private_dir(&partial)?;
    crate::files::private_dir(&partial.join("orgs"))?;
    let mut names = Vec::new();
    let storage = match &config.database_url {
        None => {
            let mut sources = vec![("server.db".to_owned(), config.data_dir.join("server.db"))];
            for entry in std::fs::read_dir(config.data_dir.join("orgs"))
                .into_iter()
                .flatten()
            {
                let path = entry?.path();
                if path.extension().is_some_and(|x| x == "db") {
                    let name = format!(
                        "orgs/{}",
                        path.file_name().unwrap_or_default().to_string_lossy()
                    );
                    sources.push((name, path));
                }
            }
            if !sources[0].1.exists() {
                bail!("no server database at {}", sources[0].1.display());
            }
            for (name, source) in sources {
                let target = partial.join(&name);
                let mut conn = sqlx::sqlite::SqliteConnection::connect_with(
                    &sqlx::sqlite::SqliteConnectOptions::new()
                        .filename(&source)
                        .busy_timeout(std::time::Duration::from_secs(30)),
                )
                .await
                .with_context(|| format!("cannot open {}", source.display()))?;
                sqlx::query("VACUUM INTO $1")
                    .bind(target.to_string_lossy().into_owned())
                    .execute(&mut conn)
                    .await
                    .with_context(|| format!("cannot copy {}", source.display()))?;
                conn.close().await?;
                names.push(name);
            }
            "sqlite"
        }
        Some(url) => {
            let url = config.backup.database_url.as_ref().unwrap_or(url);
            let target = partial.join("postgres.dump");
            let status = pg_command(&pg_tool("pg_dump")?, url)?
                .args(["--format=custom", "--file"])
                .arg(&target)
                .status()
                .context("cannot run pg_dump")?;
            if !status.success() {
                bail!("pg_dump failed ({status})");
            }
            names.push("postgres.dump".to_owned());
            "postgres"
        }
    };
    let mut files = Vec::new();
    for name in names {
        crate::files::make_private(&partial.join(&name))?;
        let (bytes, sha256) = sha256_file(&partial.join(&name))?;
        files.push(FileEntry {
            name,
            bytes,
            sha256,
        });
    }
    let manifest = Manifest {
        format: 1,
        storage: storage.into(),
        created_at: jiff::Timestamp::now().to_string(),
        files,
    };
    crate::files::private_file(&partial.join("manifest.json"))?;
    std::fs::write(
        partial.join("manifest.json"),
        serde_json::to_vec_pretty(&manifest)?,
    )?;
    let done = root.join(format!("{PREFIX}{stamp}"));
    if done.exists() {
        bail!("a backup named {} already exists", done.display());
    }
    std::fs::rename(&partial, &done)?;
    Ok(done)
}

/// Deletes backups under `root` older than `keep_days`; how many.
pub fn prune(root: &Path, keep_days: i64) -> Result<usize> {
    let cutoff = jiff::Timestamp::now()
        .checked_sub(jiff::SignedDuration::from_hours(24 * keep_days))
        .unwrap_or(jiff::Timestamp::MIN);
    let mut removed = 0;
    for entry in std::fs::read_dir(root).into_iter().flatten() {
        let entry = entry?;
        let name = entry.file_name().to_string_lossy().into_owned();
        let Some(stamp) = name.strip_prefix(PREFIX) else {
            continue;
        };
        let Ok(taken) = jiff::civil::DateTime::strptime("%Y%m%dT%H%M%SZ", stamp)
            .and_then(|t| jiff::tz::TimeZone::UTC.to_timestamp(t))
        else {
            continue;
        };
        if taken < cutoff {
            std::fs::remove_dir_all(entry.path())?;
            removed += 1;
        }
    }
    Ok(removed)
}

/// Checks every file of a backup against its manifest.
fn verify(from: &Path) -> Result<Manifest> {
    let manifest: Manifest =
        serde_json::from_slice(&std::fs::read(from.join("manifest.json")).with_context(|| {
            format!(
                "{} is not a Stint backup (no manifest.json)",
                from.display()
            )
        })?)
        .context("the backup's manifest.json is damaged")?;
    for file in &manifest.files {
        if file.name.contains("..") || file.name.starts_with('/') {
            bail!(
                "the manifest names a file outside the backup: {}",
                file.name
            );
        }
        let (bytes, sha256) = sha256_file(&from.join(&file.name))
            .with_context(|| format!("{} is missing from the backup", file.name))?;
        if bytes != file.bytes || sha256 != file.sha256 {
            bail!(
                "{} does not match the manifest: the backup is damaged",
                file.name
            );
        }
    }
    Ok(manifest)
}

/// Restores a backup into the configured storage. SQLite: into a data directory without a server
/// database (stop the server first). PostgreSQL: into an empty database, through a connection that
/// may bypass row-level security (a superuser, or the database owner with BYPASSRLS).
pub async fn restore(config: &Config, from: &Path) -> Result<()> {
    let manifest = verify(from)?;
    match (&config.database_url, manifest.storage.as_str()) {
        (None, "sqlite") => {
            let server_db = config.data_dir.join("server.db");
            if server_db.exists() {
                bail!(
                    "{} already exists: restore into an empty data directory (stop the server, move the old one aside)",
                    server_db.display()
                );
            }
            crate::files::private_dir(&config.data_dir)?;
            crate::files::private_dir(&config.data_dir.join("orgs"))?;
            for file in &manifest.files {
                let target = config.data_dir.join(&file.name);
                let partial = target.with_extension("db.partial");
                std::fs::copy(from.join(&file.name), &partial)?;
                crate::files::make_private(&partial)?;
                new_histories_sqlite(&partial)
                    .await
                    .with_context(|| format!("cannot restore {}", file.name))?;
                std::fs::File::open(&partial)?.sync_all()?;
                std::fs::rename(&partial, &target)?;
            }
            Ok(())
        }
        (Some(url), "postgres") => {
            let status = pg_command(&pg_tool("pg_restore")?, url)?
                .args(["--exit-on-error", "--single-transaction"])
                .arg(from.join("postgres.dump"))
                .status()
                .context("cannot run pg_restore")?;
            if !status.success() {
                bail!("pg_restore failed ({status})");
            }
            new_histories_postgres(url).await
        }
        (None, other) => bail!("this is a {other} backup; set DATABASE_URL to restore it"),
        (Some(_), other) => bail!("this is a {other} backup; unset DATABASE_URL to restore it"),
    }
}

/// A new sync history id (docs/sync.md, "A server restored from an older backup").
fn new_history() -> Result<[u8; 16]> {
    let mut history = [0u8; 16];
    getrandom::fill(&mut history).map_err(|e| anyhow!("no random bytes for a history id: {e}"))?;
    Ok(history)
}

/// Gives each organization a new sync history id as it is restored. The sequence numbers handed
/// out after the backup was taken are gone from the restored server, which hands them out again, to
/// other versions: under the old id, a device whose cursor is past the restored head but not past
/// the head that new pushes reach before it syncs again would skip those numbers without noticing.
/// Under a new id every device reads the organization again from the start and pushes again what
/// the server lost. An organization file (`orgs/*.db`) holds its history in `sync_state`; the
/// server database holds none. The file is opened without a write-ahead log, so the change is in
/// the file itself when it takes its real name.
async fn new_histories_sqlite(file: &Path) -> Result<()> {
    let mut conn = sqlx::sqlite::SqliteConnection::connect_with(
        &sqlx::sqlite::SqliteConnectOptions::new()
            .filename(file)
            .journal_mode(sqlx::sqlite::SqliteJournalMode::Delete)
            .synchronous(sqlx::sqlite::SqliteSynchronous::Full),
    )
    .await?;
    let has_history: bool = sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'sync_state')",
    )
    .fetch_one(&mut conn)
    .await?;
    if has_history {
        sqlx::query("UPDATE sync_state SET history = $1")
            .bind(new_history()?.as_slice())
            .execute(&mut conn)
            .await?;
    }
    conn.close().await?;
    Ok(())
}

/// [`new_histories_sqlite`] for PostgreSQL: every organization's, in one transaction, through the
/// restoring connection (which bypasses row-level security; with `row_security` off, a connection
/// that does not fails instead of changing nothing).
async fn new_histories_postgres(url: &str) -> Result<()> {
    let mut conn = sqlx::postgres::PgConnection::connect(url)
        .await
        .context("cannot connect to the restored database")?;
    let mut tx = conn.begin().await?;
    sqlx::query("SET LOCAL row_security = off")
        .execute(&mut *tx)
        .await?;
    let orgs: Vec<String> = sqlx::query_scalar("SELECT org_id FROM sync_state")
        .fetch_all(&mut *tx)
        .await
        .context("cannot read the restored organizations' sync state")?;
    for org in orgs {
        sqlx::query("UPDATE sync_state SET history = $2 WHERE org_id = $1")
            .bind(&org)
            .bind(new_history()?.as_slice())
            .execute(&mut *tx)
            .await?;
    }
    tx.commit().await?;
    conn.close().await?;
    Ok(())
}

/// The scheduled backups of a running server: every `every_hours`, keeping `keep_days`.
pub async fn schedule(config: Config) {
    let every = std::time::Duration::from_secs(config.backup.every_hours.max(1) * 3600);
    let root = config.backup_dir();
    loop {
        tokio::time::sleep(every).await;
        match backup(&config, &root).await {
            Ok(dir) => tracing::info!("backup written to {}", dir.display()),
            Err(e) => tracing::error!("scheduled backup failed: {e:#}"),
        }
        match prune(&root, config.backup.keep_days) {
            Ok(0) => {}
            Ok(n) => tracing::info!(
                "removed {n} backup(s) older than {} days",
                config.backup.keep_days
            ),
            Err(e) => tracing::error!("pruning old backups failed: {e:#}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_database_password_goes_to_the_tools_environment_never_its_command_line() {
        let command = pg_command(
            Path::new("/usr/bin/pg_dump"),
            "postgres://backup:s3cr%40t%20pw@db.internal:5433/stint?sslmode=require",
        )
        .unwrap();
        let args: Vec<String> = command
            .get_args()
            .map(|a| a.to_string_lossy().into_owned())
            .collect();
        assert_eq!(
            args,
            ["--dbname=postgres://backup@db.internal:5433/stint?sslmode=require"]
        );
        assert!(!args.concat().contains("s3cr"), "{args:?}");
        let env: Vec<(String, Option<String>)> = command
            .get_envs()
            .map(|(k, v)| {
                (
                    k.to_string_lossy().into_owned(),
                    v.map(|v| v.to_string_lossy().into_owned()),
                )
            })
            .collect();
        assert_eq!(env, [("PGPASSWORD".into(), Some("s3cr@t pw".into()))]);

        let plain =
            pg_command(Path::new("pg_restore"), "postgres://stint@localhost/stint").unwrap();
        assert_eq!(plain.get_envs().count(), 0);
    }
}
