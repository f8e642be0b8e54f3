//! Stint's sync server: accounts, sign-in and sessions now; organizations, invitations, roles and
//! the record sync build on them. It stores what it needs to route and authorize, and never the
//! content of anyone's records.
//!
//! - [`config`]: defaults, an optional TOML file, environment variables.
//! - [`store`]: one storage trait, with SQLite (embedded default) and PostgreSQL implementations.
//! - [`app`]: the router, its layers and the signed-in-caller extractor.
//! - [`accounts`]: sign-up, email verification, password + TOTP sign-in, sessions, password reset.
//! - [`handoff`]: the desktop app's sign-in through the system browser (RFC 8252, PKCE).
//! - [`orgs`]: organizations, members, roles, invitations, the audit log.
//! - [`passkeys`]: WebAuthn registration and sign-in (webauthn-rs).
//! - [`privacy`]: an account's export of everything stored about it, and its deletion.
//! - [`sync`]: identities, device certificates, and records pushed and pulled as sealed envelopes.
//! - [`limits`]: rate limits and lockouts, counted in the database.
//! - [`backup`]: backups (SQLite `VACUUM INTO`, PostgreSQL `pg_dump`), scheduled, and restore.
//! - [`secrets`]: the server key, token hashes, Argon2id, TOTP.

// The OpenAPI document is one large `json!` literal.
#![recursion_limit = "512"]

pub mod accounts;
pub mod app;
pub mod attachments;
pub mod backup;
pub mod bench;
pub mod config;
pub mod enrolments;
pub mod error;
pub mod files;
pub mod handoff;
pub mod keys;
pub mod limits;
pub mod mail;
pub mod membership;
pub mod meta;
pub mod numbers;
pub mod orgs;
pub mod passkeys;
pub mod privacy;
pub mod secrets;
pub mod store;
pub mod sync;

use std::sync::Arc;

pub use app::{AppState, Shared, router, serve, serve_tls};
pub use config::Config;

/// Opens the storage the configuration names and the server key, ready to serve.
pub async fn open(config: Config) -> anyhow::Result<Shared> {
    use anyhow::Context;
    files::private_dir(&config.data_dir).with_context(|| {
        format!(
            "cannot create the data directory {}",
            config.data_dir.display()
        )
    })?;
    let key = match &config.server_key {
        Some(hex) => secrets::ServerKey::from_hex(hex).map_err(anyhow::Error::msg)?,
        None => secrets::ServerKey::load_or_create(&config.key_file()).with_context(|| {
            format!(
                "cannot read or create the key file {}",
                config.key_file().display()
            )
        })?,
    };
    let store: Arc<dyn store::Store> = match &config.database_url {
        Some(url) => {
            let pg = store::postgres::PgStore::connect(url)
                .await
                .context("cannot open the PostgreSQL database")?;
            if let Some(what) = pg.privileged_role().await?
                && !config.allow_privileged_database_role
            {
                pg.close_pools().await;
                anyhow::bail!(
                    "refusing to run as {what} on PostgreSQL: row-level security, the wall between organizations, does not hold for it. Connect as an ordinary role that owns the database (backups may use a privileged one through STINT_BACKUP_DATABASE_URL), or set allow_privileged_database_role = true if you must"
                );
            }
            Arc::new(pg)
        }
        None => Arc::new(
            store::sqlite::SqliteStore::open(&config.data_dir)
                .await
                .context("cannot open the SQLite database")?,
        ),
    };
    let mailer = match &config.smtp_url {
        Some(url) => mail::Mailer::smtp(url, &config.mail_from).map_err(anyhow::Error::msg)?,
        None => mail::Mailer::outbox(config.outbox_dir()),
    };
    let webauthn = passkeys::relying_party(&config.public_url);
    if webauthn.is_none() {
        tracing::warn!(
            "passkeys are off: the public address {} is not a host name (set STINT_SERVER_PUBLIC_URL)",
            config.public_url
        );
    }
    for (user, digest) in store.unkeyed_recovery_codes().await? {
        let tag = secrets::recovery_code_tag(&key, user, &digest);
        store.key_recovery_code(user, &digest, &tag).await?;
    }
    Ok(Arc::new(AppState {
        store,
        key,
        config,
        mailer,
        webauthn,
        attachment_uploads: tokio::sync::Semaphore::new(attachments::UPLOADS_AT_ONCE),
        seen_devices: app::SeenDevices::default(),
    }))
}
