//! Configuration: built-in defaults, then an optional TOML file (`--config FILE` or
//! `STINT_SERVER_CONFIG`), then environment variables. Every setting is listed in
//! `docs/server.md`.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use serde::Deserialize;

/// Everything the server needs to start.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    /// Address and port to listen on.
    pub listen: SocketAddr,
    /// Where the embedded SQLite database, the key file and the mail outbox live.
    pub data_dir: PathBuf,
    /// `postgres://…` to use PostgreSQL instead of the embedded SQLite database.
    pub database_url: Option<String>,
    /// The address people and apps reach this server at (links in emails; the Origin that
    /// state-changing browser requests must come from).
    pub public_url: String,
    /// 64 hex digits. Without it the key is read from (or created in) `key_file`.
    pub server_key: Option<String>,
    /// Default: `<data_dir>/server.key`.
    pub key_file: Option<PathBuf>,
    /// Where emails are written when no SMTP server is configured. Default: `<data_dir>/outbox`.
    pub outbox_dir: Option<PathBuf>,
    /// The `Contact:` of `/.well-known/security.txt`.
    pub security_contact: String,
    /// TLS: a PEM certificate chain and its PEM private key. With both, the server speaks only HTTPS.
    pub tls_cert: Option<PathBuf>,
    pub tls_key: Option<PathBuf>,
    /// An SMTP relay, as a URL: `smtp://user:password@host:587?tls=required` (STARTTLS),
    /// `smtps://…:465` (TLS), `smtp://host:25` (plain, for a relay on this machine). Without it,
    /// emails are written to `outbox_dir`.
    pub smtp_url: Option<String>,
    /// The sender of every email.
    pub mail_from: String,
    /// Reverse proxies in front of the server (CIDRs, e.g. `127.0.0.1/32`): only for a connection
    /// from one of these is `X-Forwarded-For` believed, and then its right-most address that is not
    /// itself a trusted proxy is the client's. Empty (the default): the connection's own address.
    pub trusted_proxies: Vec<ipnet::IpNet>,
    /// Start even when the PostgreSQL role is a superuser or has BYPASSRLS (which makes row-level
    /// security, the second wall between organizations, hold for nothing). Env
    /// `STINT_ALLOW_PRIVILEGED_DATABASE_ROLE=1`.
    pub allow_privileged_database_role: bool,
    pub limits: Limits,
    pub backup: Backup,
}

/// Scheduled backups of a running server.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Backup {
    /// Where backups go. Default: `<data_dir>/backups` (better: another disk).
    pub dir: Option<PathBuf>,
    /// Hours between backups; 0 turns scheduled backups off (for all but one instance sharing a
    /// PostgreSQL database, say).
    pub every_hours: u64,
    /// Backups older than this many days are deleted after each new one.
    pub keep_days: i64,
    /// PostgreSQL only: the connection `pg_dump` uses (env `STINT_BACKUP_DATABASE_URL`). It must see
    /// every organization's rows, so a role that bypasses row-level security (a superuser, or one
    /// with BYPASSRLS); the server's own role does not. Default: `database_url`.
    pub database_url: Option<String>,
}

impl Default for Backup {
    fn default() -> Backup {
        Backup {
            dir: None,
            every_hours: 6,
            keep_days: 7,
            database_url: None,
        }
    }
}

/// Rate limits and lockouts. Counters live in the database, so every instance sharing it enforces
/// the same numbers.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Limits {
    /// Sign-in, second-factor and token requests per client address per window.
    pub auth_per_ip: i64,
    /// The same per account (email) per window.
    pub auth_per_account: i64,
    /// Sign-ups and emails sent (verification, reset) per client address per window.
    pub email_per_ip: i64,
    /// Seconds.
    pub window_secs: i64,
    /// Failed sign-ins (password or second factor) after which an account is locked.
    pub lockout_after: i64,
    /// The first lockout's length in seconds; each further failure doubles it, up to `lockout_max_secs`.
    pub lockout_secs: i64,
    pub lockout_max_secs: i64,
    /// Largest request body in bytes.
    pub max_body_bytes: usize,
    /// Seconds a request may take.
    pub request_timeout_secs: u64,
    /// Organizations one account may own (each is a database file on SQLite).
    pub orgs_per_account: i64,
    /// Organizations one account may create per window.
    pub org_creations_per_window: i64,
    /// Sync pushes (each up to 1000 records) one account may make per window.
    pub sync_pushes_per_window: i64,
    /// Bytes of attachments (receipts, logos, as sealed) one organization may keep.
    pub attachment_bytes_per_org: i64,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            auth_per_ip: 60,
            auth_per_account: 20,
            email_per_ip: 10,
            window_secs: 15 * 60,
            lockout_after: 5,
            lockout_secs: 60,
            lockout_max_secs: 60 * 60,
            max_body_bytes: 64 * 1024,
            request_timeout_secs: 30,
            orgs_per_account: 20,
            org_creations_per_window: 5,
            sync_pushes_per_window: 3000,
            attachment_bytes_per_org: 2 * 1024 * 1024 * 1024,
        }
    }
}

impl Default for Config {
    fn default() -> Config {
        let listen: SocketAddr = ([127, 0, 0, 1], 7380).into();
        Config {
            listen,
            data_dir: default_data_dir(),
            database_url: None,
            public_url: local_url(listen),
            server_key: None,
            key_file: None,
            outbox_dir: None,
            security_contact: "mailto:security@localhost".into(),
            tls_cert: None,
            tls_key: None,
            smtp_url: None,
            mail_from: "Stint <no-reply@localhost>".into(),
            trusted_proxies: Vec::new(),
            allow_privileged_database_role: false,
            limits: Limits::default(),
            backup: Backup::default(),
        }
    }
}

/// The address a browser on this machine uses: `localhost` for a loopback listener (WebAuthn needs
/// a host name), the address itself otherwise.
fn local_url(listen: SocketAddr) -> String {
    if listen.ip().is_loopback() {
        format!("http://localhost:{}", listen.port())
    } else {
        format!("http://{listen}")
    }
}

fn default_data_dir() -> PathBuf {
    std::env::var_os("XDG_DATA_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".local/share")))
        .unwrap_or_else(|| PathBuf::from("."))
        .join("stint-server")
}

impl Config {
    /// Defaults, then `file` (if any), then the environment.
    pub fn load(file: Option<&Path>) -> Result<Config, String> {
        let file = file
            .map(Path::to_owned)
            .or_else(|| std::env::var_os("STINT_SERVER_CONFIG").map(PathBuf::from));
        let mut config = match &file {
            Some(path) => {
                let text = std::fs::read_to_string(path)
                    .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
                toml::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))?
            }
            None => Config::default(),
        };
        let listen_set = std::env::var("STINT_SERVER_LISTEN").ok();
        if let Some(listen) = &listen_set {
            config.listen = listen
                .parse()
                .map_err(|_| format!("STINT_SERVER_LISTEN: {listen:?} is not an address:port"))?;
        }
        if let Some(dir) = std::env::var_os("STINT_SERVER_DATA") {
            config.data_dir = dir.into();
        }
        if let Ok(url) = std::env::var("DATABASE_URL") {
            config.database_url = Some(url);
        }
        match std::env::var("STINT_SERVER_PUBLIC_URL") {
            Ok(url) => config.public_url = url,
            // Follow the listen address unless a file chose an address of its own.
            Err(_) if listen_set.is_some() => config.public_url = local_url(config.listen),
            Err(_) => {}
        }
        if let Some(cert) = std::env::var_os("STINT_TLS_CERT") {
            config.tls_cert = Some(cert.into());
        }
        if let Some(key) = std::env::var_os("STINT_TLS_KEY") {
            config.tls_key = Some(key.into());
        }
        if let Ok(url) = std::env::var("STINT_SMTP_URL") {
            config.smtp_url = Some(url);
        }
        if let Ok(from) = std::env::var("STINT_MAIL_FROM") {
            config.mail_from = from;
        }
        if let Ok(url) = std::env::var("STINT_BACKUP_DATABASE_URL") {
            config.backup.database_url = Some(url);
        }
        if let Ok(key) = std::env::var("STINT_SERVER_KEY") {
            config.server_key = Some(key);
        }
        if let Ok(allow) = std::env::var("STINT_ALLOW_PRIVILEGED_DATABASE_ROLE") {
            config.allow_privileged_database_role = matches!(allow.as_str(), "1" | "true" | "yes");
        }
        if let Ok(list) = std::env::var("STINT_TRUSTED_PROXIES") {
            config.trusted_proxies = list
                .split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(|s| {
                    s.parse().map_err(|_| {
                        format!("STINT_TRUSTED_PROXIES: {s:?} is not a network (e.g. 10.0.0.0/8)")
                    })
                })
                .collect::<Result<_, _>>()?;
        }
        // A server speaking TLS is reached over https, whatever the default said.
        if config.tls_cert.is_some()
            && let Some(rest) = config.public_url.strip_prefix("http://")
            && (rest.starts_with("localhost") || rest.starts_with("127."))
        {
            config.public_url = format!("https://{rest}");
        }
        config.validate()?;
        Ok(config)
    }

    pub fn validate(&self) -> Result<(), String> {
        if let Some(url) = &self.database_url
            && !(url.starts_with("postgres://") || url.starts_with("postgresql://"))
        {
            return Err("database_url must start with postgres:// (leave it unset for the embedded SQLite database)".into());
        }
        if !(self.public_url.starts_with("http://") || self.public_url.starts_with("https://")) {
            return Err(format!(
                "public_url must start with http:// or https://, not {:?}",
                self.public_url
            ));
        }
        if self.database_url.is_some() && self.server_key.is_none() && self.key_file.is_none() {
            return Err("with PostgreSQL, set STINT_SERVER_KEY (or key_file) so that every instance uses the same server key".into());
        }
        if self.tls_cert.is_some() != self.tls_key.is_some() {
            return Err("TLS needs both tls_cert and tls_key".into());
        }
        let l = &self.limits;
        if l.auth_per_ip < 1
            || l.auth_per_account < 1
            || l.email_per_ip < 1
            || l.window_secs < 1
            || l.orgs_per_account < 1
            || l.org_creations_per_window < 1
        {
            return Err("limits must be at least 1".into());
        }
        if l.lockout_after < 1 || l.lockout_secs < 1 || l.lockout_max_secs < l.lockout_secs {
            return Err("lockout_after and lockout_secs must be at least 1, lockout_max_secs at least lockout_secs".into());
        }
        Ok(())
    }

    /// The origin (scheme://host[:port]) of `public_url`.
    pub fn public_origin(&self) -> String {
        let rest = self
            .public_url
            .split_once("://")
            .map(|(scheme, rest)| (scheme, rest.split('/').next().unwrap_or("")));
        match rest {
            Some((scheme, host)) => format!("{scheme}://{host}"),
            None => self.public_url.clone(),
        }
    }

    pub fn key_file(&self) -> PathBuf {
        self.key_file
            .clone()
            .unwrap_or_else(|| self.data_dir.join("server.key"))
    }

    pub fn backup_dir(&self) -> PathBuf {
        self.backup
            .dir
            .clone()
            .unwrap_or_else(|| self.data_dir.join("backups"))
    }

    pub fn outbox_dir(&self) -> PathBuf {
        self.outbox_dir
            .clone()
            .unwrap_or_else(|| self.data_dir.join("outbox"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_sets_what_it_names_and_keeps_the_rest() {
        let config: Config = toml::from_str(
            "listen = \"127.0.0.1:9000\"\npublic_url = \"https://stint.example.org/\"\n[limits]\nlockout_after = 3\n",
        )
        .unwrap();
        assert_eq!(config.listen.port(), 9000);
        assert_eq!(config.limits.lockout_after, 3);
        assert_eq!(config.limits.auth_per_ip, Limits::default().auth_per_ip);
        assert_eq!(config.public_origin(), "https://stint.example.org");
        config.validate().unwrap();
    }

    #[test]
    fn a_loopback_listener_is_reached_by_name() {
        assert_eq!(
            local_url(([127, 0, 0, 1], 7380).into()),
            "http://localhost:7380"
        );
        assert_eq!(local_url(([10, 0, 0, 5], 80).into()), "http://10.0.0.5:80");
        assert_eq!(Config::default().public_url, "http://localhost:7380");
    }

    #[test]
    fn mistakes_are_named() {
        let err = toml::from_str::<Config>("listn = \"x\"").unwrap_err();
        assert!(err.to_string().contains("unknown field `listn`"), "{err}");
        let config = Config {
            database_url: Some("mysql://x".into()),
            ..Config::default()
        };
        assert!(config.validate().unwrap_err().contains("postgres://"));
        let config = Config {
            database_url: Some("postgres://x".into()),
            ..Config::default()
        };
        assert!(config.validate().unwrap_err().contains("STINT_SERVER_KEY"));
    }
}
