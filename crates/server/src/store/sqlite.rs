//! The embedded default: `server.db` (accounts, sessions, the registry of organizations) and one
//! database file per organization under `orgs/` (its members, invitations, audit log, synced
//! records), all in WAL mode with `synchronous=FULL`. The file boundary is tenant isolation's second wall: a query for one organization cannot
//! reach another's rows, whatever its `WHERE`.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use sqlx::Sqlite;
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};
use ulid::Ulid;

use super::{
    StoreError, StoreResult,
    enrolments::enrolment_store,
    sql::sql_store,
    sync::{Caller, PullRows, StoredVersion, sync_store},
};

/// How long an organization's idle database connection stays open.
const ORG_POOL_IDLE: Duration = Duration::from_secs(60);

/// The SQLite store.
pub struct SqliteStore {
    pool: SqlitePool,
    dir: PathBuf,
    /// One small pool per organization's database file, opened on first use.
    orgs: tokio::sync::Mutex<HashMap<Ulid, SqlitePool>>,
}

fn options(path: PathBuf, create: bool) -> SqliteConnectOptions {
    SqliteConnectOptions::new()
        .filename(path)
        .create_if_missing(create)
        .journal_mode(SqliteJournalMode::Wal)
        // Every acknowledged push must survive a power cut: a client drops what the server
        // acknowledged from its outbox.
        .synchronous(SqliteSynchronous::Full)
        .foreign_keys(true)
        .busy_timeout(Duration::from_secs(10))
}

impl SqliteStore {
    /// Opens (creating if needed) the server database in `dir` and brings its schema up to date.
    pub async fn open(dir: &Path) -> StoreResult<SqliteStore> {
        crate::files::private_dir(dir)?;
        crate::files::private_dir(&dir.join("orgs"))?;
        crate::files::private_file(&dir.join("server.db"))?;
        let pool = SqlitePoolOptions::new()
            .max_connections(8)
            .connect_with(options(dir.join("server.db"), true))
            .await?;
        sqlx::migrate!("../../migrations/server-sqlite")
            .run(&pool)
            .await?;
        Ok(SqliteStore {
            pool,
            dir: dir.to_owned(),
            orgs: tokio::sync::Mutex::new(HashMap::new()),
        })
    }

    /// The data directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The database file of one organization.
    pub fn org_file(&self, org: Ulid) -> PathBuf {
        self.dir.join("orgs").join(format!("{org}.db"))
    }

    /// The organization's pool; its file is created only when the organization is.
    async fn org_pool(&self, org: Ulid, create: bool) -> StoreResult<SqlitePool> {
        let mut orgs = self.orgs.lock().await;
        if let Some(pool) = orgs.get(&org) {
            return Ok(pool.clone());
        }
        let path = self.org_file(org);
        if !create && !path.exists() {
            return Err(StoreError::NotFound("organization"));
        }
        if create {
            crate::files::private_file(&path)?;
        }
        // Connections of an organization nobody is using close after a minute, so that many
        // organizations do not hold the server's file descriptors open forever.
        let pool = SqlitePoolOptions::new()
            .max_connections(4)
            .min_connections(0)
            .idle_timeout(Some(ORG_POOL_IDLE))
            .connect_with(options(path, create))
            .await?;
        sqlx::migrate!("../../migrations/server-sqlite-org")
            .run(&pool)
            .await?;
        orgs.insert(org, pool.clone());
        Ok(pool)
    }

    /// The stored versions of some of an organization's records (at most a few hundred ids).
    async fn stored_versions(
        tx: &mut sqlx::Transaction<'static, Sqlite>,
        org_id: &str,
        ids: &[&[u8]],
    ) -> StoreResult<Vec<StoredVersion>> {
        let mut query = sqlx::QueryBuilder::new(
            "SELECT record, seq, hlc, author_device, kind, owner, tombstone FROM records \
             WHERE org_id = ",
        );
        query.push_bind(org_id).push(" AND record IN (");
        let mut list = query.separated(", ");
        for id in ids {
            list.push_bind(*id);
        }
        query.push(")");
        Ok(query.build_query_as().fetch_all(&mut **tx).await?)
    }

    /// A pull's page and head (`PullRow`), for a member of the organization only. A session is
    /// looked up first, in the server database: the page is in the organization's own file.
    async fn pull_rows(
        &self,
        org: Ulid,
        caller: Caller,
        after: i64,
        limit: i64,
    ) -> StoreResult<PullRows> {
        let member = match caller {
            Caller::Member(member) => member,
            Caller::Session { token_hash, now } => {
                match super::Store::session_by_token(self, &token_hash, now).await? {
                    Some(session) => session.user,
                    None => return Ok(PullRows::SignedOut),
                }
            }
        };
        let org_id = org.to_string();
        let mut tx = match self.org_tx(org, false, false).await {
            Err(StoreError::NotFound(_)) => return Ok(PullRows::NotMember),
            tx => tx?,
        };
        let role: Option<String> =
            sqlx::query_scalar("SELECT role FROM members WHERE org_id = $1 AND user_id = $2")
                .bind(&org_id)
                .bind(member.to_string())
                .fetch_optional(&mut *tx)
                .await?;
        let Some(role) = role else {
            tx.commit().await?;
            return Ok(PullRows::NotMember);
        };
        // The page and the head in one statement, so one snapshot: the head is at least every
        // sequence number in the page (a push writes both in one transaction). A role that reads
        // less than everything (the table's Member) is sent only what it may read.
        let role: stint_domain::Role = role
            .parse()
            .map_err(|_| StoreError::Corrupt("a member's role is not a role".into()))?;
        let (all, own) = stint_domain::readable_kinds(role);
        let everything = own.is_empty() && all.len() == stint_domain::Kind::ALL.len() - 1;
        let mut query = sqlx::QueryBuilder::new(
            "SELECT 0, seq, envelope FROM (SELECT seq, envelope FROM records WHERE org_id = ",
        );
        query
            .push_bind(&org_id)
            .push(" AND seq > ")
            .push_bind(after);
        if !everything {
            // Kind numbers come from the code's table, never from a request.
            let list = |kinds: &[u16]| {
                let numbers: Vec<String> = kinds.iter().map(u16::to_string).collect();
                format!(
                    "({})",
                    if numbers.is_empty() {
                        "NULL".into()
                    } else {
                        numbers.join(", ")
                    }
                )
            };
            query
                .push(format!(
                    " AND (kind IN {} OR (kind IN {} AND owner = ",
                    list(&all),
                    list(&own)
                ))
                .push_bind(member.to_bytes().to_vec())
                .push("))");
        }
        query
            .push(" ORDER BY seq LIMIT ")
            .push_bind(limit)
            .push(") AS page UNION ALL SELECT 1, head, history FROM sync_state WHERE org_id = ")
            .push_bind(&org_id);
        let rows = query.build_query_as().fetch_all(&mut *tx).await?;
        tx.commit().await?;
        Ok(PullRows::Rows(rows))
    }

    /// A transaction on the organization's own file. Writers take the write lock up front, so a
    /// guarded change (the last-owner rule) reads and writes under one lock.
    async fn org_tx(
        &self,
        org: Ulid,
        write: bool,
        create: bool,
    ) -> StoreResult<sqlx::Transaction<'static, Sqlite>> {
        let pool = self.org_pool(org, create).await?;
        Ok(if write {
            pool.begin_with("BEGIN IMMEDIATE").await?
        } else {
            pool.begin().await?
        })
    }

    /// Closes and deletes the organization's file (with its WAL).
    async fn drop_org_data(&self, org: Ulid) -> StoreResult<()> {
        if let Some(pool) = self.orgs.lock().await.remove(&org) {
            pool.close().await;
        }
        let path = self.org_file(org);
        for suffix in ["", "-wal", "-shm"] {
            let mut name = path.clone().into_os_string();
            name.push(suffix);
            match std::fs::remove_file(&name) {
                Ok(()) => {}
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => return Err(e.into()),
            }
        }
        Ok(())
    }

    /// Closes the pools, checkpointing the WALs.
    pub async fn close(&self) {
        for pool in self.orgs.lock().await.values() {
            pool.close().await;
        }
        self.pool.close().await;
    }
}

sync_store!(SqliteStore);
enrolment_store!(SqliteStore);
sql_store!(SqliteStore, "sqlite");
