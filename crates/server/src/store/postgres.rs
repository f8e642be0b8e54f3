//! PostgreSQL, for teams that outgrow one machine: several server instances may share one database,
//! since everything that must hold across them (sessions, counters, lockouts) is stored here.
//! Organizations' rows will carry row-level security policies keyed by organization.

use std::time::Duration;

use sqlx::postgres::{PgPool, PgPoolOptions};

use super::{StoreResult, sql::sql_store};

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

    /// Closes the pool.
    pub async fn close(&self) {
        self.pool.close().await;
    }
}

sql_store!(PgStore, "postgres");
