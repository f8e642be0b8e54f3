//! The one bulk read of unlock. sqlx hands every column of every row from its worker thread to the
//! caller as a fresh copy (measured: most of B1's read phase), so this read borrows the pool
//! connection's own SQLite handle and steps the statement with rusqlite, copying each blob once into
//! a single arena.
#![allow(unsafe_code)]

use crate::{Result, VaultError};
use sqlx::SqlitePool;
use std::ops::Range;

/// Every `(id, envelope, seal)` read, packed into one buffer.
pub(crate) struct Rows {
    arena: Vec<u8>,
    rows: Vec<[Range<usize>; 3]>,
}

impl Rows {
    /// Number of rows.
    pub(crate) fn len(&self) -> usize {
        self.rows.len()
    }

    /// The `(id, envelope, seal)` of row `i`.
    pub(crate) fn get(&self, i: usize) -> (&[u8], &[u8], &[u8]) {
        let [id, envelope, seal] = &self.rows[i];
        (
            &self.arena[id.clone()],
            &self.arena[envelope.clone()],
            &self.arena[seal.clone()],
        )
    }
}

/// Read `id, envelope, seal` of every record whose kind is not in `skip`.
pub(crate) async fn read_records(pool: &SqlitePool, skip: &[u16]) -> Result<Rows> {
    let mut conn = pool.acquire().await?;
    let mut locked = conn.lock_handle().await?;
    let raw = locked.as_raw_handle();
    // SAFETY: `locked` holds sqlx's lock on this connection, so no other code touches the handle
    // until it is dropped, after `db` (declared later, dropped first). `from_handle` makes a
    // non-owning connection: dropping it finalizes only the statements made here and never closes
    // the handle, which stays sqlx's.
    let db = unsafe { rusqlite::Connection::from_handle(raw.as_ptr()) }.map_err(bulk_error)?;
    read(&db, skip).map_err(bulk_error)
}

fn read(db: &rusqlite::Connection, skip: &[u16]) -> rusqlite::Result<Rows> {
    let count: i64 = db.query_row("SELECT COUNT(*) FROM records", [], |r| r.get(0))?;
    let mut out = Rows {
        arena: Vec::with_capacity(count.max(0) as usize * 256),
        rows: Vec::with_capacity(count.max(0) as usize),
    };
    let mut statement = db.prepare("SELECT kind, id, envelope, seal FROM records")?;
    let mut rows = statement.query([])?;
    while let Some(row) = rows.next()? {
        let kind: i64 = row.get(0)?;
        if u16::try_from(kind).is_ok_and(|k| skip.contains(&k)) {
            continue;
        }
        let mut put = |i: usize| -> rusqlite::Result<Range<usize>> {
            let bytes = row.get_ref(i)?.as_blob()?;
            let start = out.arena.len();
            out.arena.extend_from_slice(bytes);
            Ok(start..out.arena.len())
        };
        let ranges = [put(1)?, put(2)?, put(3)?];
        out.rows.push(ranges);
    }
    Ok(out)
}

fn bulk_error(e: rusqlite::Error) -> VaultError {
    VaultError::Damaged(format!("reading the records failed: {e}"))
}

/// Hands memory freed inside the allocator back to the system. Unlock decrypts on every core, and
/// glibc keeps what each thread freed (the row arena, every plaintext) in that thread's arena; a
/// long-running app would carry those pages for nothing (23 MB of 154 with the B1 vault). Takes
/// about 10 ms there, so an app calls it off its main path after unlock. A no-op elsewhere than
/// glibc.
pub fn release_free_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: malloc_trim only returns unused pages of the allocator's own arenas to the system;
    // it touches no live allocation and has no preconditions.
    unsafe {
        libc::malloc_trim(0);
    }
}
