//! Write logs (`stint_domain::write_log`): this device lists the versions the server acknowledged
//! in entries of its own chain, and checks the other devices' chains against what it received, so
//! that a server hiding a version (or an entry) for good is noticed (docs/sync.md, "A server that
//! lies").

use std::collections::{BTreeMap, HashMap};

use stint_crypto::{EnvelopeRef, Header, Zeroizing};
use stint_domain::write_log::{Listed, LogEntry, MAX_LISTED, entry_hash, entry_id};
use stint_domain::{Compartment, Kind};

use crate::receive::{Outgoing, delete_outbox};
use crate::{DeviceKeys, Result, Vault, Write, insert_sealed};

/// What another device's write log says this device should hold and does not: after a pull to
/// the server's head, what the server hides.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Unseen {
    /// Versions listed by another device's entry, with neither them nor a later version of their
    /// record here (nor a refused one in the quarantine).
    pub versions: u64,
    /// Entries missing from another device's chain (a later one arrived), or not chained to the
    /// one before.
    pub entries: u64,
}

/// A `write_logs` row: device, compartment, number, hash, previous.
type ChainRow = (Vec<u8>, i64, i64, Vec<u8>, Vec<u8>);
/// A `write_log_heads` row: device, compartment, number, hash.
type HeadRow = (Vec<u8>, i64, i64, Vec<u8>);
/// A chain of one device and compartment.
type Chain = (Vec<u8>, i64);
/// A place in a chain: its number and that entry's hash.
type Place = (i64, Vec<u8>);

fn chain_setting(org: [u8; 16], compartment: Compartment) -> String {
    format!(
        "setting.write-log.{}.{}",
        ulid::Ulid::from_bytes(org),
        compartment as u8
    )
}

impl Vault {
    /// Removes pushed versions from the outbox once the server answered for them (stored, stored
    /// before, or superseded by a version it holds) and, in the same transaction, keeps the ones
    /// to list in this device's next write log entry: every kind but attachments (fetched on
    /// demand, never pulled) and the log's own entries.
    pub async fn ack_pushed(&self, pushed: &[Outgoing]) -> Result<()> {
        let mut tx = self.pool.begin().await?;
        let seqs: Vec<i64> = pushed.iter().map(|item| item.seq).collect();
        delete_outbox(&mut tx, &seqs).await?;
        for chunk in pushed.chunks(500) {
            let listed: Vec<Header> = chunk
                .iter()
                .filter_map(|item| EnvelopeRef::parse(&item.envelope).ok())
                .map(|e| *e.header())
                .filter(|h| {
                    Kind::from_u16(h.kind)
                        .is_some_and(|k| k != Kind::Attachment && !k.is_write_log())
                })
                .collect();
            if listed.is_empty() {
                continue;
            }
            let mut insert = sqlx::QueryBuilder::new("INSERT INTO acked (org, record, kind, hlc) ");
            insert.push_values(&listed, |mut b, h| {
                b.push_bind(h.org.as_slice())
                    .push_bind(h.record.as_slice())
                    .push_bind(i64::from(h.kind))
                    .push_bind(i64::try_from(h.hlc).unwrap_or(i64::MAX));
            });
            insert.push(
                " ON CONFLICT (org, record) DO UPDATE SET kind = excluded.kind, \
                 hlc = max(hlc, excluded.hlc)",
            );
            insert.build().execute(&mut *tx).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Writes this device's next write log entries for `org` (author `me`), listing every version
    /// acknowledged since the last ones, into the records and the outbox, in one transaction with
    /// emptying the list and moving the chain on. How many entries.
    pub async fn write_log_entries(
        &self,
        keys: &DeviceKeys,
        me: [u8; 16],
        org: [u8; 16],
    ) -> Result<usize> {
        let mut tx = self.pool.begin().await?;
        let rows: Vec<(Vec<u8>, i64, i64)> =
            sqlx::query_as("SELECT record, kind, hlc FROM acked WHERE org = ?")
                .bind(org.as_slice())
                .fetch_all(&mut *tx)
                .await?;
        if rows.is_empty() {
            return Ok(0);
        }
        let mut by_compartment: BTreeMap<u8, (Compartment, Vec<Listed>)> = BTreeMap::new();
        for (record, kind, hlc) in rows {
            let (Ok(record), Some(k)) = (
                <[u8; 16]>::try_from(record.as_slice()),
                u16::try_from(kind).ok().and_then(Kind::from_u16),
            ) else {
                continue;
            };
            let compartment = k.compartment();
            by_compartment
                .entry(compartment as u8)
                .or_insert_with(|| (compartment, Vec::new()))
                .1
                .push(Listed {
                    record,
                    kind: k as u16,
                    hlc: u64::try_from(hlc).unwrap_or(0),
                });
        }
        let mut writes = Vec::new();
        for (compartment, listed) in by_compartment.into_values() {
            // No key for the compartment: this device wrote none of its records.
            let Some(epoch) = keys.current_epoch(org, compartment) else {
                continue;
            };
            let setting = chain_setting(org, compartment);
            let stored: Option<Vec<u8>> =
                sqlx::query_scalar("SELECT value FROM meta WHERE name = ?")
                    .bind(&setting)
                    .fetch_optional(&mut *tx)
                    .await?;
            let (mut number, mut previous) = stored
                .as_deref()
                .and_then(|b| {
                    let number = u64::from_be_bytes(b.get(..8)?.try_into().ok()?);
                    let previous = <[u8; 32]>::try_from(b.get(8..40)?).ok()?;
                    Some((number, previous))
                })
                .unwrap_or((0, [0; 32]));
            for chunk in listed.chunks(MAX_LISTED) {
                number += 1;
                let payload =
                    LogEntry::new(compartment, number, previous, chunk.to_vec()).to_bytes();
                previous = entry_hash(&payload);
                writes.push(Write {
                    header: Header {
                        org,
                        record: entry_id(org, keys.device_id, compartment, number),
                        kind: Kind::write_log(compartment) as u16,
                        compartment: compartment as u8,
                        epoch,
                        author_user: me,
                        author_device: keys.device_id,
                        hlc: 0,
                        tombstone: false,
                        owner: me,
                        log: self.log_position(org),
                    },
                    plaintext: Zeroizing::new(payload),
                });
            }
            sqlx::query(
                "INSERT INTO meta (name, value) VALUES (?, ?) \
                 ON CONFLICT(name) DO UPDATE SET value = excluded.value",
            )
            .bind(&setting)
            .bind([number.to_be_bytes().as_slice(), &previous].concat())
            .execute(&mut *tx)
            .await?;
        }
        sqlx::query("DELETE FROM acked WHERE org = ?")
            .bind(org.as_slice())
            .execute(&mut *tx)
            .await?;
        let entries = writes.len();
        let rows = self.seal_all(keys, writes)?;
        insert_sealed(&mut tx, &rows).await?;
        tx.commit().await?;
        Ok(entries)
    }

    /// What the other devices' write logs of `org` say this device lacks, once it has pulled up to
    /// the server's head: versions they list that are not here (nor later ones), and entries
    /// missing from their chains. Versions seen since are forgotten here.
    pub async fn unseen(&self, org: [u8; 16]) -> Result<Unseen> {
        let mut tx = self.pool.begin().await?;
        sqlx::query(
            "DELETE FROM claims WHERE org = ?1 AND EXISTS (SELECT 1 FROM records r \
             WHERE r.org = claims.org AND r.id = claims.record AND r.hlc >= claims.hlc)",
        )
        .bind(org.as_slice())
        .execute(&mut *tx)
        .await?;
        // A version that arrived and was refused waits in the quarantine, which asks for it again
        // every round and is reported on its own.
        let (versions,): (i64,) = sqlx::query_as(
            "SELECT count(*) FROM claims WHERE org = ?1 AND NOT EXISTS (SELECT 1 FROM quarantine q \
             WHERE q.org = claims.org AND substr(q.envelope, 18, 16) = claims.record)",
        )
        .bind(org.as_slice())
        .fetch_one(&mut *tx)
        .await?;
        let heads: HashMap<Chain, Place> = sqlx::query_as(
            "SELECT device, compartment, number, hash FROM write_log_heads WHERE org = ?",
        )
        .bind(org.as_slice())
        .fetch_all(&mut *tx)
        .await?
        .into_iter()
        .map(|(device, compartment, number, hash): HeadRow| ((device, compartment), (number, hash)))
        .collect();
        let rows: Vec<ChainRow> = sqlx::query_as(
            "SELECT device, compartment, number, hash, previous FROM write_logs WHERE org = ? \
             ORDER BY device, compartment, number",
        )
        .bind(org.as_slice())
        .fetch_all(&mut *tx)
        .await?;
        // Each chain from its checked head on: a missing number counts every entry skipped, a
        // wrong link counts one; the head moves over what is whole.
        let mut entries = 0u64;
        let mut moved: Vec<(Chain, Place)> = Vec::new();
        let mut chain: Option<Chain> = None;
        let (mut expected, mut hash_before, mut whole) = (1i64, Vec::new(), true);
        for (device, compartment, number, hash, previous) in rows {
            let key = (device, compartment);
            if chain.as_ref() != Some(&key) {
                let (n, h) = heads.get(&key).cloned().unwrap_or((0, [0u8; 32].to_vec()));
                (expected, hash_before, whole) = (n + 1, h, true);
                chain = Some(key.clone());
            }
            if number < expected {
                continue; // checked before (served again after a rewind)
            }
            if number > expected {
                entries += u64::try_from(number - expected).unwrap_or(0);
                whole = false;
            } else if previous != hash_before {
                entries += 1;
                whole = false;
            } else if whole {
                match moved.last_mut() {
                    Some((k, head)) if *k == key => *head = (number, hash.clone()),
                    _ => moved.push((key, (number, hash.clone()))),
                }
            }
            (expected, hash_before) = (number + 1, hash);
        }
        for ((device, compartment), (number, hash)) in moved {
            sqlx::query(
                "INSERT INTO write_log_heads (org, device, compartment, number, hash) \
                 VALUES (?, ?, ?, ?, ?) ON CONFLICT (org, device, compartment) \
                 DO UPDATE SET number = excluded.number, hash = excluded.hash",
            )
            .bind(org.as_slice())
            .bind(&device)
            .bind(compartment)
            .bind(number)
            .bind(&hash)
            .execute(&mut *tx)
            .await?;
        }
        sqlx::query(
            "DELETE FROM write_logs WHERE org = ?1 AND number <= (SELECT h.number \
             FROM write_log_heads h WHERE h.org = write_logs.org AND h.device = write_logs.device \
             AND h.compartment = write_logs.compartment)",
        )
        .bind(org.as_slice())
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(Unseen {
            versions: u64::try_from(versions).unwrap_or(0),
            entries,
        })
    }
}

/// Reads another device's write log entry that arrived (its signature checked, decrypted): its
/// payload must parse and its record id and compartment be the ones its number and author give.
pub(crate) fn received_entry(
    header: &Header,
    plaintext: &[u8],
) -> std::result::Result<LogEntry, String> {
    if header.tombstone {
        return Err("a write log entry cannot be deleted".into());
    }
    let entry = LogEntry::parse(plaintext)?;
    let expected = entry_id(
        header.org,
        header.author_device,
        entry.compartment,
        entry.number,
    );
    if entry.compartment as u8 != header.compartment
        || Kind::write_log(entry.compartment) as u16 != header.kind
        || header.record != expected
    {
        return Err("the write log entry is stored under another id or kind".into());
    }
    Ok(entry)
}

/// One of this device's own entries arrived, inside `tx`. A device holds its own entries, so this
/// is a vault restored from an older copy of itself pulling the ones it wrote after that copy:
/// the chain moves on to the furthest of them, so that the next entry follows it instead of
/// taking its number (and its id, replacing it on the server).
pub(crate) async fn own_entry_arrived(
    tx: &mut sqlx::Transaction<'_, sqlx::Sqlite>,
    header: &Header,
    payload: &[u8],
    entry: &LogEntry,
) -> Result<()> {
    let setting = chain_setting(header.org, entry.compartment);
    let stored: Option<Vec<u8>> = sqlx::query_scalar("SELECT value FROM meta WHERE name = ?")
        .bind(&setting)
        .fetch_optional(&mut **tx)
        .await?;
    let number = stored
        .as_deref()
        .and_then(|b| Some(u64::from_be_bytes(b.get(..8)?.try_into().ok()?)))
        .unwrap_or(0);
    if entry.number > number {
        sqlx::query(
            "INSERT INTO meta (name, value) VALUES (?, ?) \
             ON CONFLICT(name) DO UPDATE SET value = excluded.value",
        )
        .bind(&setting)
        .bind([entry.number.to_be_bytes().as_slice(), &entry_hash(payload)].concat())
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}

/// Keeps what another device's entry lists, and the entry's place in its chain, inside `tx`.
pub(crate) async fn keep_claims(
    tx: &mut sqlx::Transaction<'_, sqlx::Sqlite>,
    header: &Header,
    payload: &[u8],
    entry: &LogEntry,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO write_logs (org, device, compartment, number, hash, previous) \
         VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
    )
    .bind(header.org.as_slice())
    .bind(header.author_device.as_slice())
    .bind(i64::from(entry.compartment as u8))
    .bind(i64::try_from(entry.number).unwrap_or(i64::MAX))
    .bind(entry_hash(payload).as_slice())
    .bind(entry.previous.as_slice())
    .execute(&mut **tx)
    .await?;
    // Only what is not here yet: an entry arrives after the versions it lists (pushed last), so
    // on an honest server nearly every one is stored already. Five bound values a row; SQLite
    // allows 32766.
    for chunk in entry.listed.chunks(5000) {
        let mut insert = sqlx::QueryBuilder::new("WITH v (org, device, record, kind, hlc) AS (");
        insert.push_values(chunk, |mut b, item| {
            b.push_bind(header.org.as_slice())
                .push_bind(header.author_device.as_slice())
                .push_bind(item.record.as_slice())
                .push_bind(i64::from(item.kind))
                .push_bind(i64::try_from(item.hlc).unwrap_or(i64::MAX));
        });
        insert.push(
            ") INSERT INTO claims (org, device, record, kind, hlc) \
             SELECT org, device, record, kind, hlc FROM v WHERE NOT EXISTS (SELECT 1 FROM records r \
             WHERE r.org = v.org AND r.id = v.record AND r.hlc >= v.hlc) \
             ON CONFLICT (org, device, record) DO UPDATE SET kind = excluded.kind, \
             hlc = max(hlc, excluded.hlc)",
        );
        insert.build().execute(&mut **tx).await?;
    }
    Ok(())
}
