//! The bulk read of unlock and the bulk write of a received page. sqlx hands every column of every
//! row from its worker thread to the caller as a fresh copy (measured: most of B1's read phase), and
//! every statement's binds the other way; so these borrow the connection's own SQLite handle and
//! step the statement with rusqlite: the read copies each blob once into a single arena, the write
//! runs one prepared statement per row inside the caller's transaction.
#![allow(unsafe_code)]

use crate::{Result, VaultError};
use sqlx::SqlitePool;

/// Every row read, its blobs packed into one buffer.
pub(crate) struct Rows {
    arena: Vec<u8>,
    rows: Vec<Span>,
}

/// Where one row's blobs are in the arena (org, id, seal and envelope, one after the other), and
/// its integer columns.
struct Span {
    start: usize,
    org: u32,
    id: u32,
    seal: u32,
    envelope: u32,
    kind: i64,
    hlc: i64,
    skipped: bool,
}

/// One stored row as read. `envelope` is `None` for a row of a skipped kind: its envelope is
/// never read (only its columns and seal, which SQLite keeps before the envelope).
pub(crate) struct StoredRow<'a> {
    pub(crate) org: &'a [u8],
    pub(crate) id: &'a [u8],
    pub(crate) kind: i64,
    pub(crate) hlc: i64,
    pub(crate) seal: &'a [u8],
    pub(crate) envelope: Option<&'a [u8]>,
}

impl Rows {
    /// Number of rows.
    pub(crate) fn len(&self) -> usize {
        self.rows.len()
    }

    /// Row `i`.
    pub(crate) fn get(&self, i: usize) -> StoredRow<'_> {
        let s = &self.rows[i];
        let mut at = s.start;
        let mut take = |len: u32| {
            let bytes = &self.arena[at..at + len as usize];
            at += len as usize;
            bytes
        };
        let (org, id, seal, envelope) = (take(s.org), take(s.id), take(s.seal), take(s.envelope));
        StoredRow {
            org,
            id,
            kind: s.kind,
            hlc: s.hlc,
            seal,
            envelope: (!s.skipped).then_some(envelope),
        }
    }
}

/// Every record's row, read ahead for [`crate::Vault::load_map_read`]: unlock reads them while it
/// derives the passphrase's key ([`crate::Vault::unlock_and_read`]).
pub struct ReadAhead {
    pub(crate) rows: Rows,
    pub(crate) read_time: std::time::Duration,
}

/// Read every record; the envelopes of those whose kind is in `skip` are left on disk.
pub(crate) async fn read_records(pool: &SqlitePool, skip: &[u16]) -> Result<ReadAhead> {
    Ok(read_records_while(pool, skip, || ()).await?.0)
}

/// [`read_records`], while `meanwhile` runs on a thread of its own; its result comes back with the
/// rows. Neither waits for the other: unlock derives a passphrase's key (Argon2id, ~0.5 s) there,
/// which needs no rows, as the read needs no key.
pub(crate) async fn read_records_while<T: Send>(
    pool: &SqlitePool,
    skip: &[u16],
    meanwhile: impl FnOnce() -> T + Send,
) -> Result<(ReadAhead, T)> {
    let mut conn = pool.acquire().await?;
    let mut locked = conn.lock_handle().await?;
    let raw = locked.as_raw_handle();
    std::thread::scope(|scope| {
        let other = scope.spawn(meanwhile);
        let started = std::time::Instant::now();
        // SAFETY: `locked` holds sqlx's lock on this connection, so no other code touches the
        // handle until it is dropped, after this scope. `from_handle` makes a non-owning
        // connection: dropping it (at the end of this statement) finalizes only the statements
        // made here and never closes the handle, which stays sqlx's.
        let rows = unsafe { rusqlite::Connection::from_handle(raw.as_ptr()) }
            .and_then(|db| read(&db, skip))
            .map_err(bulk_error);
        let read_time = started.elapsed();
        let value = other
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        Ok((
            ReadAhead {
                rows: rows?,
                read_time,
            },
            value,
        ))
    })
}

fn read(db: &rusqlite::Connection, skip: &[u16]) -> rusqlite::Result<Rows> {
    let count: i64 = db.query_row("SELECT COUNT(*) FROM records", [], |r| r.get(0))?;
    let mut out = Rows {
        arena: Vec::with_capacity(count.max(0) as usize * 288),
        rows: Vec::with_capacity(count.max(0) as usize),
    };
    let mut statement = db.prepare("SELECT kind, hlc, org, id, seal, envelope FROM records")?;
    let mut rows = statement.query([])?;
    while let Some(row) = rows.next()? {
        let kind: i64 = row.get(0)?;
        let hlc: i64 = row.get(1)?;
        let skipped = u16::try_from(kind).is_ok_and(|k| skip.contains(&k));
        let start = out.arena.len();
        let mut put = |i: usize| -> rusqlite::Result<u32> {
            let bytes = row.get_ref(i)?.as_blob()?;
            out.arena.extend_from_slice(bytes);
            // SQLite's own limit on a value's length (at most 2^31 - 1) keeps this in range.
            Ok(bytes.len() as u32)
        };
        let (org, id, seal) = (put(2)?, put(3)?, put(4)?);
        let envelope = if skipped { 0 } else { put(5)? };
        out.rows.push(Span {
            start,
            org,
            id,
            seal,
            envelope,
            kind,
            hlc,
            skipped,
        });
    }
    Ok(out)
}

/// One record row to write: org, id, kind, HLC, envelope, seal.
pub(crate) type NewRow<'a> = (&'a [u8], &'a [u8], i64, i64, &'a [u8], &'a [u8]);

/// Inserts or replaces `rows` in `records` on `conn`, inside whatever transaction it is in.
pub(crate) async fn write_records(
    conn: &mut sqlx::SqliteConnection,
    rows: &[NewRow<'_>],
) -> Result<()> {
    let mut locked = conn.lock_handle().await?;
    let raw = locked.as_raw_handle();
    // SAFETY: as in `read_records_while`: sqlx's lock keeps the handle ours until `db` is dropped, and
    // `db` never closes it. The statements run in the transaction the caller opened through sqlx.
    let db = unsafe { rusqlite::Connection::from_handle(raw.as_ptr()) }.map_err(bulk_error)?;
    write(&db, rows).map_err(bulk_error)
}

fn write(db: &rusqlite::Connection, rows: &[NewRow<'_>]) -> rusqlite::Result<()> {
    let mut statement = db.prepare(
        "INSERT INTO records (org, id, kind, hlc, envelope, seal) VALUES (?1, ?2, ?3, ?4, ?5, ?6) \
         ON CONFLICT(org, id) DO UPDATE SET kind = excluded.kind, hlc = excluded.hlc, \
         envelope = excluded.envelope, seal = excluded.seal",
    )?;
    for row in rows {
        statement.execute(*row)?;
    }
    Ok(())
}

fn bulk_error(e: rusqlite::Error) -> VaultError {
    VaultError::Damaged(format!("reading or writing the records failed: {e}"))
}

/// Has the allocator give every large buffer (128 KiB and up) its own mapping, returned to the
/// system when freed, and trim the heap's free top past 128 KiB. glibc's default raises both
/// thresholds after the first large buffer is freed, so that later ones (unlock's batches, the
/// app's large replies) are carved from the heap and their pages kept after they are freed: 5 MB
/// of the app's private memory after unlock on the B8 vault. For a long-running app; call it
/// first, before other threads start. A no-op elsewhere than glibc.
pub fn return_large_buffers() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only sets the allocator's thresholds; it touches no allocation and is
    // called before other threads allocate.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, 128 * 1024);
        libc::mallopt(libc::M_TRIM_THRESHOLD, 128 * 1024);
    }
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
