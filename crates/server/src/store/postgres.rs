//! PostgreSQL, for teams that outgrow one machine: several server instances may share one database,
//! since everything that must hold across them (sessions, counters, lockouts) is stored here.
//! Organizations' rows will carry row-level security policies keyed by organization.

use std::time::Duration;

use sqlx::Postgres;
use sqlx::postgres::{PgPool, PgPoolOptions};
use ulid::Ulid;

use super::{
    StoreResult,
    enrolments::enrolment_store,
    sql::sql_store,
    sync::{Caller, PullRow, PullRows, StoredVersion, sync_store},
};

/// How long a pooled connection may sit idle before it is pinged on its next use. Under load a
/// connection is reused within milliseconds and never pinged; one the database dropped (a restart)
/// while the pool was quiet is found and replaced before a request meets it. sqlx also pings each
/// connection as it is released, so one that failed a request does not go back to the pool.
const PING_AFTER_IDLE: Duration = Duration::from_secs(1);

/// The PostgreSQL store.
pub struct PgStore {
    pool: PgPool,
}

impl PgStore {
    /// Connects to `url` (`postgres://…`) and brings the schema up to date. Migrations take an
    /// advisory lock, so instances starting together do not race.
    pub async fn connect(url: &str) -> StoreResult<PgStore> {
        // sqlx pings a connection before each acquire by default: a round trip to the database
        // on every request. Only one that sat idle (`PING_AFTER_IDLE`) is pinged.
        let pool = PgPoolOptions::new()
            .max_connections(16)
            .acquire_timeout(Duration::from_secs(10))
            .test_before_acquire(false)
            .before_acquire(|conn, meta| {
                Box::pin(async move {
                    if meta.idle_for >= PING_AFTER_IDLE {
                        sqlx::Connection::ping(conn).await?;
                    }
                    Ok(true)
                })
            })
            .connect(url)
            .await?;
        sqlx::migrate!("../../migrations/server-postgres")
            .run(&pool)
            .await?;
        Ok(PgStore { pool })
    }

    /// Whether the connection's role is a superuser or bypasses row-level security: either would
    /// make the tenant wall between organizations a wall of paper.
    pub async fn privileged_role(&self) -> StoreResult<Option<&'static str>> {
        let (superuser, bypass): (bool, bool) = sqlx::query_as(
            "SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = current_user",
        )
        .fetch_one(&self.pool)
        .await?;
        Ok(if superuser {
            Some("a superuser")
        } else if bypass {
            Some("a role with BYPASSRLS")
        } else {
            None
        })
    }

    /// A transaction that sees only this organization's rows (row-level security on `app.org`);
    /// writers also take the organization's advisory lock, so guarded changes (the last-owner rule)
    /// cannot interleave.
    async fn org_tx(
        &self,
        org: Ulid,
        write: bool,
        _create: bool,
    ) -> StoreResult<sqlx::Transaction<'static, Postgres>> {
        let mut tx = self.pool.begin().await?;
        // One trip for both: a writer holds the lock for every trip it makes.
        sqlx::query(if write {
            "SELECT set_config('app.org', $1, true), pg_advisory_xact_lock(hashtext($1))"
        } else {
            "SELECT set_config('app.org', $1, true)"
        })
        .bind(org.to_string())
        .execute(&mut *tx)
        .await?;
        Ok(tx)
    }

    /// The stored versions of some of an organization's records (at most a few hundred ids): one
    /// primary-key probe per id. The plan cannot depend on statistics: an `IN` list of bound ids
    /// gets a cached generic plan, and one made while the table was small scanned the whole
    /// organization and compared every row with every id, about a second a lookup at 100,000
    /// records (docs/sync.md). `LIMIT 1` keeps the subquery from being flattened into a join the
    /// planner could hash.
    async fn stored_versions(
        tx: &mut sqlx::Transaction<'static, Postgres>,
        org_id: &str,
        ids: &[&[u8]],
    ) -> StoreResult<Vec<StoredVersion>> {
        Ok(sqlx::query_as(
            "SELECT r.record, r.seq, r.hlc, r.author_device, r.kind, r.owner, r.tombstone \
             FROM unnest($2::bytea[]) AS wanted (id) \
             CROSS JOIN LATERAL (SELECT record, seq, hlc, author_device, kind, owner, tombstone \
                                 FROM records WHERE org_id = $1 AND record = wanted.id LIMIT 1) AS r",
        )
        .bind(org_id)
        .bind(ids)
        .fetch_all(&mut **tx)
        .await?)
    }

    /// A pull's page and head (`PullRow`), for a member of the organization only, in one trip to
    /// the database. `sync_pull` (migration 0013) sets the organization for row-level security
    /// for its own statement's transaction, checks membership, and reads the page and the head in
    /// one snapshot; `sync_pull_session` (0014) looks the session up first, in the same statement.
    /// As separate statements they cost six trips.
    async fn pull_rows(
        &self,
        org: Ulid,
        caller: Caller,
        after: i64,
        limit: i64,
    ) -> StoreResult<PullRows> {
        // What a Member reads, from the role table (migration 0015 filters with it).
        let (all, own) = stint_domain::readable_kinds(stint_domain::Role::Member);
        let all: Vec<i32> = all.into_iter().map(i32::from).collect();
        let own: Vec<i32> = own.into_iter().map(i32::from).collect();
        let mut rows: Vec<PullRow> = match caller {
            Caller::Member(member) => {
                sqlx::query_as("SELECT tag, number, bytes FROM sync_pull($1, $2, $3, $4, $5, $6)")
                    .bind(org.to_string())
                    .bind(member.to_string())
                    .bind(after)
                    .bind(limit)
                    .bind(&all)
                    .bind(&own)
                    .fetch_all(&self.pool)
                    .await?
            }
            Caller::Session { token_hash, now } => {
                let rows: Vec<PullRow> = sqlx::query_as(
                    "SELECT tag, number, bytes FROM sync_pull_session($1, $2, $3, $4, $5, $6, $7)",
                )
                .bind(&token_hash)
                .bind(now)
                .bind(org.to_string())
                .bind(after)
                .bind(limit)
                .bind(&all)
                .bind(&own)
                .fetch_all(&self.pool)
                .await?;
                // Tag 3 says the session is live; without it nothing else was read.
                if !rows.iter().any(|(tag, _, _)| *tag == 3) {
                    return Ok(PullRows::SignedOut);
                }
                rows
            }
        };
        // Tag 2 says the caller is a member; without it nothing else was read.
        if !rows.iter().any(|(tag, _, _)| *tag == 2) {
            return Ok(PullRows::NotMember);
        }
        rows.retain(|(tag, _, _)| *tag < 2);
        Ok(PullRows::Rows(rows))
    }

    /// Deleting the registry row cascades to every organization-scoped table.
    async fn drop_org_data(&self, _org: Ulid) -> StoreResult<()> {
        Ok(())
    }

    /// Closes the pool.
    pub async fn close_pools(&self) {
        self.pool.close().await;
    }
}

sync_store!(PgStore);
enrolment_store!(PgStore);
sql_store!(PgStore, "postgres");
