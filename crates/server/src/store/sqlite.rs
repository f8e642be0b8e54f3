//! The embedded default: one SQLite database file (`server.db`) in the data directory, in WAL mode.
//! Organizations' data will live in one database file each beside it (tenant isolation as a second
//! wall), which is why this backend is given a directory, not a file.

use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::time::Duration;

use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};

use super::{StoreResult, sql::sql_store};

/// The SQLite store.
pub struct SqliteStore {
    pool: SqlitePool,
    dir: PathBuf,
}

impl SqliteStore {
    /// Opens (creating if needed) the server database in `dir` and brings its schema up to date.
    pub async fn open(dir: &Path) -> StoreResult<SqliteStore> {
        std::fs::create_dir_all(dir)?;
        let options = SqliteConnectOptions::from_str("sqlite://")?
            .filename(dir.join("server.db"))
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(10));
        let pool = SqlitePoolOptions::new()
            .max_connections(8)
            .connect_with(options)
            .await?;
        sqlx::migrate!("../../migrations/server-sqlite")
            .run(&pool)
            .await?;
        Ok(SqliteStore {
            pool,
            dir: dir.to_owned(),
        })
    }

    /// The data directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Closes the pool, checkpointing the WAL.
    pub async fn close(&self) {
        self.pool.close().await;
    }
}

sql_store!(SqliteStore, "sqlite");
