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
    sync::{Caller, PullRow, PullRows, StoredVersion, sync_store},
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

/// Options for a database file. Its pools skip sqlx's ping before each acquire
/// (`test_before_acquire(false)`): a connection to a file does not drop, and the ping is one more
/// trip to the connection's thread on every request.
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
            .test_before_acquire(false)
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
            .test_before_acquire(false)
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
    /// looked up first, in the server database: the page is in the organization's own file, read
    /// with the caller's membership and the head in one statement (so one snapshot, and one trip
    /// to the connection's thread: as a transaction of three statements it took four).
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
        let pool = match self.org_pool(org, false).await {
            Err(StoreError::NotFound(_)) => return Ok(PullRows::NotMember),
            pool => pool?,
        };
        let mut rows: Vec<PullRow> = sqlx::query_as(pull_statement())
            .bind(org.to_string())
            .bind(member.to_string())
            .bind(member.to_bytes().to_vec())
            .bind(after)
            .bind(limit)
            .fetch_all(&pool)
            .await?;
        // Tag 2 is the caller's role: without it they are not a member, and were sent nothing.
        let Some(at) = rows.iter().position(|(tag, _, _)| *tag == 2) else {
            return Ok(PullRows::NotMember);
        };
        let (_, _, role) = rows.swap_remove(at);
        if std::str::from_utf8(&role)
            .ok()
            .and_then(|role| role.parse::<stint_domain::Role>().ok())
            .is_none()
        {
            return Err(StoreError::Corrupt("a member's role is not a role".into()));
        }
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
    pub async fn close_pools(&self) {
        for pool in self.orgs.lock().await.values() {
            pool.close().await;
        }
        self.pool.close().await;
    }
}

/// The statement of [`SqliteStore::pull_rows`] (`$1` the organization, `$2` the caller's id as
/// stored with members, `$3` as records' owners hold it, `$4` after, `$5` the limit): the caller's
/// role (tag 2), the page only the caller's role may read (tag 0), the head and history (tag 1).
/// Each role's filter comes from the code's table (`readable_kinds`), never from a request; the
/// role is read once, as a subquery that depends on no row. The limit is `$5 + 0`, not `$5`: SQLite
/// compiles a bare bound limit into the program and so compiles the statement again every time
/// it is bound (with it, parsing and planning were most of a pull's cost).
fn pull_statement() -> &'static str {
    static STATEMENT: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    STATEMENT.get_or_init(|| {
        use stint_domain::{Kind, Role};
        let list = |kinds: &[u16]| {
            let numbers: Vec<String> = kinds.iter().map(u16::to_string).collect();
            if numbers.is_empty() {
                "(NULL)".to_owned()
            } else {
                format!("({})", numbers.join(", "))
            }
        };
        let role = "(SELECT role FROM members WHERE org_id = $1 AND user_id = $2)";
        let filters: Vec<String> = Role::ALL
            .iter()
            .map(|r| {
                let (all, own) = stint_domain::readable_kinds(*r);
                if own.is_empty() && all.len() == Kind::ALL.len() - 1 {
                    format!("{role} = '{r}'")
                } else {
                    format!(
                        "({role} = '{r}' AND (kind IN {} OR (kind IN {} AND owner = $3)))",
                        list(&all),
                        list(&own)
                    )
                }
            })
            .collect();
        format!(
            "SELECT 2, 0, CAST(role AS BLOB) FROM members WHERE org_id = $1 AND user_id = $2 \
             UNION ALL SELECT 0, seq, envelope FROM (SELECT seq, envelope FROM records \
             WHERE org_id = $1 AND seq > $4 AND ({}) ORDER BY seq LIMIT $5 + 0) AS page \
             UNION ALL SELECT 1, head, history FROM sync_state WHERE org_id = $1",
            filters.join(" OR ")
        )
    })
}

sync_store!(SqliteStore);
enrolment_store!(SqliteStore);
sql_store!(SqliteStore, "sqlite");

#[cfg(test)]
mod tests {
    use super::*;
    use sqlx::Row;

    /// `prefix` (`EXPLAIN` or `EXPLAIN QUERY PLAN`) of the pull's statement, bound as a pull with
    /// `limit` binds it, in a new organization's file.
    async fn explain_pull(prefix: &str, limit: i64) -> Vec<sqlx::sqlite::SqliteRow> {
        let dir = tempfile::tempdir().unwrap();
        let store = SqliteStore::open(dir.path()).await.unwrap();
        let org = Ulid::generate();
        let pool = store.org_pool(org, true).await.unwrap();
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "{prefix} {}",
            pull_statement()
        )))
        .bind(org.to_string())
        .bind(Ulid::generate().to_string())
        .bind(vec![0u8; 16])
        .bind(0i64)
        .bind(limit)
        .fetch_all(&pool)
        .await
        .unwrap()
    }

    /// A pull walks the records by sequence number and stops at the limit, for every role: no
    /// sort of all that follows the cursor (a first sync of 100,000 records would sort them all
    /// for each page), and the caller's role looked up once, not once a record.
    #[tokio::test]
    async fn a_pull_reads_in_sequence_order_without_sorting() {
        let plan = explain_pull("EXPLAIN QUERY PLAN", 1000).await;
        let steps: Vec<String> = plan.iter().map(|row| row.get("detail")).collect();
        assert!(
            steps
                .iter()
                .any(|s| s.starts_with("SEARCH records USING INDEX records_by_seq")),
            "{steps:#?}"
        );
        assert!(
            !steps.iter().any(|s| s.contains("TEMP B-TREE")),
            "{steps:#?}"
        );
        assert!(
            !steps.iter().any(|s| s.contains("CORRELATED")),
            "{steps:#?}"
        );
    }

    /// SQLite folds a bound `LIMIT` into the statement's program and then compiles the statement
    /// again each time that parameter is bound, which is every time it runs: parsing and planning
    /// the pull were most of its cost on the server (B7). The page's limit is read as it runs.
    #[tokio::test]
    async fn a_pull_is_compiled_once_not_for_each_limit() {
        let rows = explain_pull("EXPLAIN", 777).await;
        let program: Vec<(String, i64)> = rows
            .iter()
            .map(|row| (row.get("opcode"), row.get("p1")))
            .collect();
        assert!(
            program.iter().any(|(op, _)| op == "MustBeInt"),
            "{program:?}"
        );
        assert!(
            !program.iter().any(|(op, p1)| op == "Integer" && *p1 == 777),
            "the limit was compiled in: {program:?}"
        );
    }
}
