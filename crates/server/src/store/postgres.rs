//! PostgreSQL, for teams that outgrow one machine: several server instances may share one database,
//! since everything that must hold across them (sessions, counters, lockouts) is stored here.
//! Organizations' rows will carry row-level security policies keyed by organization.

use std::time::Duration;

use sqlx::Postgres;
use sqlx::postgres::{PgPool, PgPoolOptions};
use ulid::Ulid;

use super::{StoreResult, enrolments::enrolment_store, sql::sql_store, sync::sync_store};

/// The PostgreSQL store.
pub struct PgStore {
    pool: PgPool,
}

impl PgStore {
    /// Connects to `url` (`postgres://…`) and brings the schema up to date. Migrations take an
    /// advisory lock, so instances starting together do not race.
    pub async fn connect(url: &str) -> StoreResult<PgStore> {
        let pool = PgPoolOptions::new()
            .max_connections(16)
            .acquire_timeout(Duration::from_secs(10))
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
        sqlx::query("SELECT set_config('app.org', $1, true)")
            .bind(org.to_string())
            .execute(&mut *tx)
            .await?;
        if write {
            sqlx::query("SELECT pg_advisory_xact_lock(hashtext($1))")
                .bind(org.to_string())
                .execute(&mut *tx)
                .await?;
        }
        Ok(tx)
    }

    /// Deleting the registry row cascades to every organization-scoped table.
    async fn drop_org_data(&self, _org: Ulid) -> StoreResult<()> {
        Ok(())
    }

    /// Closes the pool.
    pub async fn close(&self) {
        self.pool.close().await;
    }
}

sync_store!(PgStore);
enrolment_store!(PgStore);
sql_store!(PgStore, "postgres");
