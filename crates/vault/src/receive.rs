//! Records that arrive from elsewhere (docs/sync.md), and the outbox that sends this device's own.
//!
//! A received envelope is stored **as it arrived**: its author device and signature are kept, so
//! every device ends up holding the same bytes for a record. Before it is stored it must parse,
//! carry a valid signature by its author device's certified key (the caller looks the certificate
//! up), and decrypt under an organization key this device holds; anything else is refused and
//! reported, never stored. Two versions of one record are merged field by field (docs/sync.md,
//! "Merging"); when neither holds everything, this device writes the merge as a new version above
//! both. Whatever the order versions arrive in, every device ends with the same fields, and once
//! the merges are pushed, the same envelope. Receiving advances this vault's clock past every HLC
//! it sees.

use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::atomic::Ordering;

use rayon::prelude::*;

use stint_crypto::{
    CryptoError, EnvelopeRef, Header, VerifyingKey, Zeroizing, seal_record, seal_row,
    verify_envelopes,
};
use stint_domain::Kind;
use stint_domain::payload::{self, Loser};

use crate::bulk;
use crate::quarantine::quarantine_in;
use crate::write_log;
use crate::{
    Compartment, DeviceKeys, Opened, Result, Vault, VaultError, columns_of, set_setting_in,
    signature_of,
};

/// A `conflicts` row: seq, org, record, kind, fields, lost, not_sent.
type ConflictColumns = (i64, Vec<u8>, Vec<u8>, i64, Vec<u8>, Vec<u8>, i64);

/// A conflict logged while merging: which fields of which record lost, and the version they lost
/// in, as its envelope.
#[derive(Debug, Clone)]
pub struct ConflictRow {
    /// Its number.
    pub seq: i64,
    /// The record's organization.
    pub org: [u8; 16],
    /// The record.
    pub record: [u8; 16],
    /// Its kind.
    pub kind: u16,
    /// The losing fields' indices.
    pub fields: Vec<u16>,
    /// The losing version's envelope.
    pub lost: Vec<u8>,
    /// Whether the losing version is a change of this device's that was never sent, because its
    /// writer's role no longer allowed it ([`Vault::set_aside`]); then `fields` is empty.
    pub not_sent: bool,
}

/// A received envelope that was not stored, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refused {
    /// Its position in the batch.
    pub index: usize,
    /// What was wrong.
    pub reason: String,
}

/// What became of a batch of received envelopes.
#[derive(Debug, Default)]
pub struct Received {
    /// Headers of the envelopes stored, now their records' latest versions.
    pub stored: Vec<Header>,
    /// The plaintext of each of `stored`, in its order (wiped when dropped): a caller that
    /// indexes what arrived need not read and decrypt it again.
    pub plaintexts: Vec<Zeroizing<Vec<u8>>>,
    /// Envelopes this vault already had, or older than the version it has.
    pub unchanged: usize,
    /// Envelopes refused.
    pub refused: Vec<Refused>,
    /// Records this device merged and wrote again (in `stored` too; pushed next).
    pub merged: usize,
    /// Conflicts logged.
    pub conflicts: usize,
}

impl Received {
    fn stored_one(&mut self, header: Header, plaintext: Zeroizing<Vec<u8>>) {
        self.stored.push(header);
        self.plaintexts.push(plaintext);
    }
}

/// An outbox entry: a version this device wrote, waiting to be pushed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outgoing {
    /// Its place in the outbox; [`Vault::ack_outbox`] takes it.
    pub seq: i64,
    /// The envelope, as sealed.
    pub envelope: Vec<u8>,
}

/// Where a pulled page leaves its organization ([`Vault::receive_verified`]).
#[derive(Debug, Clone, Copy)]
pub struct PageEnd<'a> {
    /// The organization the page was pulled for: what it refused is quarantined under it.
    pub org: [u8; 16],
    /// The server's number of each envelope, in the page's order.
    pub seqs: &'a [u64],
    /// The pull cursor's setting (name, new value), written once the page is stored.
    pub cursor: (&'a str, &'a [u8]),
    /// Now, in Unix milliseconds (this device's clock): a new refusal's first sighting.
    pub now_ms: i64,
}

/// Why an envelope whose author device holds no valid certificate is refused.
pub const UNCERTIFIED: &str = "its author device holds no valid certificate";

/// The fewest envelopes per Ed25519 batch verification: where the batch starts to pay (about a
/// third of the work of checking one by one, less the larger the batch). A page is split into one
/// batch per core, each no smaller than this.
const VERIFY_BATCH: usize = 64;

/// Received envelopes with their signatures checked, ready for [`Vault::receive_verified`].
/// Checking needs only the authors' public keys, not the vault, so a page can be checked (on
/// every core) while the one before it is being stored.
#[derive(Debug)]
pub struct Verified {
    envelopes: Vec<Vec<u8>>,
    /// For each envelope, why it is refused; `None` once it parsed and its signature verified
    /// under its author device's certified key.
    refusals: Vec<Option<String>>,
}

impl Verified {
    /// Parses each envelope and checks its signature under the key `signer` gives for its header
    /// (the author device's certified key, or why there is none), by Ed25519 batch verification
    /// ([`stint_crypto::verify_envelopes`]).
    pub fn check(
        envelopes: Vec<Vec<u8>>,
        signer: impl Fn(&Header) -> std::result::Result<VerifyingKey, String> + Sync,
    ) -> Verified {
        let per_core = envelopes
            .len()
            .div_ceil(rayon::current_num_threads().max(1));
        let refusals = envelopes
            .par_chunks(per_core.max(VERIFY_BATCH))
            .map(|chunk| check_signatures(chunk, &signer))
            .collect::<Vec<_>>()
            .into_iter()
            .flatten()
            .collect();
        Verified {
            envelopes,
            refusals,
        }
    }

    /// The envelopes, in the order given.
    pub fn envelopes(&self) -> &[Vec<u8>] {
        &self.envelopes
    }

    /// For each envelope, in the order given, why it is refused (`None`: it will be stored).
    pub fn refusals(&self) -> &[Option<String>] {
        &self.refusals
    }
}

/// Parses a batch and checks its signatures together: for each envelope, why it is refused.
fn check_signatures(
    chunk: &[Vec<u8>],
    signer: &(impl Fn(&Header) -> std::result::Result<VerifyingKey, String> + Sync),
) -> Vec<Option<String>> {
    let mut refusals = vec![None; chunk.len()];
    let mut items = Vec::with_capacity(chunk.len());
    let mut positions = Vec::with_capacity(chunk.len());
    for (i, bytes) in chunk.iter().enumerate() {
        let checked = EnvelopeRef::parse(bytes)
            .map_err(|e| e.to_string())
            .and_then(|e| Ok((e, signer(e.header())?)));
        match checked {
            Ok(item) => {
                items.push(item);
                positions.push(i);
            }
            Err(reason) => refusals[i] = Some(reason),
        }
    }
    for (valid, i) in verify_envelopes(&items).into_iter().zip(positions) {
        if !valid {
            refusals[i] = Some(CryptoError::BadSignature.to_string());
        }
    }
    refusals
}

impl Vault {
    /// [`Verified::check`] and [`Vault::receive_verified`] in one: `signer` gives the certified
    /// public key of an envelope's author device (`None` if the device holds no valid
    /// certificate of the author).
    pub async fn receive(
        &self,
        keys: &DeviceKeys,
        me: [u8; 16],
        envelopes: &[Vec<u8>],
        signer: impl Fn(&Header) -> Option<VerifyingKey> + Sync,
    ) -> Result<Received> {
        let page = Verified::check(envelopes.to_vec(), |h| {
            signer(h).ok_or_else(|| UNCERTIFIED.to_owned())
        });
        self.receive_verified(keys, me, &page, None).await
    }

    /// Stores envelopes received for the organizations this device holds keys for, their
    /// signatures checked ([`Verified`]); each must also open under this device's key for its
    /// organization, compartment and epoch. One transaction for the batch.
    ///
    /// A record this vault already holds is merged field by field
    /// ([`stint_domain::payload::merge`]): the version that holds everything both say is stored
    /// as it arrived, or kept; when neither does, this device writes the merge as a new version
    /// (author `me`), which goes to the outbox; fields that two writes changed without knowing of
    /// each other are logged as conflicts, with the losing version.
    ///
    /// A pulled page passes its [`PageEnd`]: what the page refused is quarantined and the pull
    /// cursor moved past it in the same transaction, so a crash keeps the page, its refusals and
    /// the cursor together or none of them (and a page costs one durable commit, not two).
    pub async fn receive_verified(
        &self,
        keys: &DeviceKeys,
        me: [u8; 16],
        page: &Verified,
        end: Option<&PageEnd<'_>>,
    ) -> Result<Received> {
        let envelopes = &page.envelopes;
        if end.is_some_and(|end| end.seqs.len() != envelopes.len()) {
            return Err(VaultError::Damaged(
                "a page's sequence numbers do not match its envelopes".into(),
            ));
        }
        let mut received = Received::default();
        let mut accepted: Vec<(usize, Header, Zeroizing<Vec<u8>>)> =
            Vec::with_capacity(envelopes.len());
        // Decryption on every core.
        let opened: Vec<_> = envelopes
            .par_iter()
            .zip(&page.refusals)
            .map(|(bytes, refusal)| match refusal {
                Some(reason) => Err(reason.clone()),
                None => open(keys, bytes),
            })
            .collect();
        for (index, result) in opened.into_iter().enumerate() {
            match result {
                Ok((header, plaintext)) => accepted.push((index, header, plaintext)),
                Err(reason) => received.refused.push(Refused { index, reason }),
            }
        }
        let mut tx = self.pool.begin().await?;
        // The page's stored versions in one query, and its new rows written together at the end:
        // two queries per record cost more than the rest of receiving (`Latest`).
        let mut latest = Latest {
            stored: stored_versions(&mut tx, &accepted).await?,
            rows: Vec::with_capacity(accepted.len()),
            row_of: HashMap::with_capacity(accepted.len()),
        };
        for (index, header, plaintext) in accepted {
            let envelope = &envelopes[index];
            self.last_hlc.fetch_max(header.hlc, Ordering::SeqCst);
            if stint_domain::Kind::numbers_write_log(header.kind) {
                // Another device's write log entry: what it lists is what this device must end
                // up holding. One of this device's own: its chain may have to move on (a vault
                // restored from an older copy). Entries are never edited: the first version
                // stored stays.
                match write_log::received_entry(&header, &plaintext) {
                    Ok(entry) if header.author_device != keys.device_id => {
                        write_log::keep_claims(&mut tx, &header, &plaintext, &entry).await?
                    }
                    Ok(entry) => {
                        write_log::own_entry_arrived(&mut tx, &header, &plaintext, &entry).await?
                    }
                    Err(reason) => {
                        received.refused.push(Refused { index, reason });
                        continue;
                    }
                }
                if latest.get(&(header.org, header.record)).is_some() {
                    received.unchanged += 1;
                } else {
                    latest.keep(header, Cow::Borrowed(envelope));
                    received.stored_one(header, plaintext);
                }
                continue;
            }
            let stored = latest.get(&(header.org, header.record));
            // These very bytes, checked on arrival, are what is stored (this device's own
            // version, or one received before): nothing to open or merge.
            if stored == Some(envelope.as_slice()) {
                received.unchanged += 1;
                continue;
            }
            // A stored row that does not open is damaged; the authentic version replaces it.
            let local = stored.and_then(|stored| {
                let opened = EnvelopeRef::parse(stored).ok()?;
                let local_header = *opened.header();
                let key = keys.org_key(&local_header)?;
                let plaintext = opened.decrypt(key).ok()?;
                Some((local_header, stored.to_vec(), plaintext))
            });
            let Some((local_header, local_envelope, local_plaintext)) = local else {
                latest.keep(header, Cow::Borrowed(envelope));
                received.stored_one(header, plaintext);
                continue;
            };
            let incoming_wins =
                (header.hlc, header.author_device) > (local_header.hlc, local_header.author_device);
            if (header.hlc, header.author_device) == (local_header.hlc, local_header.author_device)
            {
                received.unchanged += 1;
                continue;
            }
            // A device whose role may not write the record writes no merge (the server would
            // refuse it) and logs no conflict (it could resolve none): it keeps the later
            // version until a writer's device, which holds both, sends the merge, later still.
            if !self.may_write(me, &header) {
                if incoming_wins {
                    latest.keep(header, Cow::Borrowed(envelope));
                    received.stored_one(header, plaintext);
                } else {
                    received.unchanged += 1;
                }
                continue;
            }
            let (merged, conflicts) = payload::merge(
                version(&local_header, &local_plaintext),
                version(&header, &plaintext),
            );
            for group in [Loser::Local, Loser::Incoming] {
                let fields: Vec<u8> = conflicts
                    .iter()
                    .filter(|c| c.loser == group)
                    .flat_map(|c| c.index.to_be_bytes())
                    .collect();
                if fields.is_empty() {
                    continue;
                }
                let (lost_header, lost) = match group {
                    Loser::Local => (&local_header, local_envelope.as_slice()),
                    Loser::Incoming => (&header, envelope.as_slice()),
                };
                received.conflicts += log_conflict(&mut tx, lost_header, &fields, lost).await?;
            }
            let rewrite = match merged {
                payload::Merged::Greater if incoming_wins => None,
                payload::Merged::Incoming if incoming_wins => None,
                payload::Merged::Greater | payload::Merged::Local if !incoming_wins => {
                    received.unchanged += 1;
                    continue;
                }
                // The version that holds everything has the smaller envelope: written again,
                // above both, so that the server's latest (the greater envelope) holds it too.
                payload::Merged::Incoming => {
                    Some((header.tombstone, Zeroizing::new(plaintext.to_vec())))
                }
                payload::Merged::Local | payload::Merged::Greater => {
                    Some((local_header.tombstone, local_plaintext))
                }
                payload::Merged::New(bytes) => Some((false, Zeroizing::new(bytes))),
            };
            match rewrite {
                None => {
                    latest.keep(header, Cow::Borrowed(envelope));
                    received.stored_one(header, plaintext);
                }
                Some((tombstone, payload)) => {
                    let merge = self.seal_merge(keys, me, &header, tombstone, &payload)?;
                    sqlx::query(
                        "INSERT INTO outbox (org, record, hlc, envelope) VALUES (?, ?, ?, ?)",
                    )
                    .bind(merge.0.org.as_slice())
                    .bind(merge.0.record.as_slice())
                    .bind(merge.0.hlc as i64)
                    .bind(merge.1.as_slice())
                    .execute(&mut *tx)
                    .await?;
                    received.merged += 1;
                    received.stored_one(merge.0, payload);
                    latest.keep(merge.0, Cow::Owned(merge.1));
                }
            }
        }
        store_all(&mut tx, keys, &latest.rows).await?;
        if let Some(end) = end {
            let held: Vec<(u64, &[u8], &str)> = received
                .refused
                .iter()
                .map(|r| {
                    (
                        end.seqs[r.index],
                        envelopes[r.index].as_slice(),
                        r.reason.as_str(),
                    )
                })
                .collect();
            quarantine_in(&mut tx, end.org, &held, end.now_ms).await?;
            set_setting_in(&mut *tx, end.cursor.0, end.cursor.1).await?;
        }
        tx.commit().await?;
        Ok(received)
    }

    /// A new version of `of`'s record, written by this device as `me`, above every clock seen
    /// (its owner kept: see [`owner_of`]).
    fn seal_merge(
        &self,
        keys: &DeviceKeys,
        me: [u8; 16],
        of: &Header,
        tombstone: bool,
        payload: &[u8],
    ) -> Result<(Header, Vec<u8>)> {
        let compartment = Compartment::from_u8(of.compartment).ok_or(VaultError::NoOrgKey)?;
        let epoch = keys
            .current_epoch(of.org, compartment)
            .ok_or(VaultError::NoOrgKey)?;
        let header = Header {
            org: of.org,
            record: of.record,
            kind: of.kind,
            compartment: of.compartment,
            epoch,
            author_user: me,
            author_device: keys.device_id,
            hlc: self.next_hlc(),
            tombstone,
            owner: owner_of(of),
            log: self.log_position(of.org),
        };
        let key = keys.org_key(&header).ok_or(VaultError::NoOrgKey)?;
        let body: &[u8] = if tombstone { &[] } else { payload };
        Ok((header, seal_record(&header, body, key, &keys.signing)))
    }

    /// Conflicts logged while merging and not yet resolved, oldest first.
    pub async fn conflicts(&self) -> Result<Vec<ConflictRow>> {
        let rows: Vec<ConflictColumns> = sqlx::query_as(
            "SELECT seq, org, record, kind, fields, lost, not_sent FROM conflicts \
             WHERE resolved = 0 ORDER BY seq",
        )
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .into_iter()
            .filter_map(|(seq, org, record, kind, fields, lost, not_sent)| {
                Some(ConflictRow {
                    seq,
                    org: org.try_into().ok()?,
                    record: record.try_into().ok()?,
                    kind: u16::try_from(kind).ok()?,
                    fields: fields
                        .chunks_exact(2)
                        .map(|c| u16::from_be_bytes([c[0], c[1]]))
                        .collect(),
                    lost,
                    not_sent: not_sent != 0,
                })
            })
            .collect())
    }

    /// Marks a conflict resolved: `1` kept as merged, `2` put back. `false` if there is no open
    /// conflict `seq`.
    pub async fn resolve_conflict(&self, seq: i64, how: u8) -> Result<bool> {
        let done = sqlx::query("UPDATE conflicts SET resolved = ? WHERE seq = ? AND resolved = 0")
            .bind(i64::from(how))
            .bind(seq)
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Opens a conflict's losing version (checked as every record is: it opens under this
    /// device's key for its organization, compartment and epoch).
    pub fn open_lost(&self, keys: &DeviceKeys, lost: &[u8]) -> Result<Opened> {
        let envelope = EnvelopeRef::parse(lost).map_err(|e| VaultError::Damaged(e.to_string()))?;
        let header = *envelope.header();
        let key = keys.org_key(&header).ok_or(VaultError::NoOrgKey)?;
        let plaintext = envelope
            .decrypt(key)
            .map_err(|e| VaultError::Damaged(e.to_string()))?;
        Ok(Opened { header, plaintext })
    }

    /// The oldest outbox entries of `org`, in the order they were written: at most `limit`, and
    /// past the first, no more than `max_bytes` of envelopes (an attachment can be 20 MiB; the
    /// sizes are read first, so no more is loaded than is sent).
    pub async fn outbox_batch(
        &self,
        org: [u8; 16],
        limit: i64,
        max_bytes: usize,
    ) -> Result<Vec<Outgoing>> {
        // `LIMIT ? + 0`: SQLite compiles a bare bound limit into the statement and so compiles
        // it again at every binding (the server's pull, `store/sqlite.rs`, measured it).
        let sizes: Vec<(i64, i64)> = sqlx::query_as(
            "SELECT seq, length(envelope) FROM outbox WHERE org = ? ORDER BY seq LIMIT ? + 0",
        )
        .bind(org.as_slice())
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        let mut bytes = 0usize;
        let mut last = None;
        for (seq, len) in sizes {
            bytes = bytes.saturating_add(usize::try_from(len).unwrap_or(usize::MAX));
            if last.is_some() && bytes > max_bytes {
                break;
            }
            last = Some(seq);
        }
        let Some(last) = last else {
            return Ok(Vec::new());
        };
        let rows: Vec<(i64, Vec<u8>)> = sqlx::query_as(
            "SELECT seq, envelope FROM outbox WHERE org = ? AND seq <= ? ORDER BY seq LIMIT ? + 0",
        )
        .bind(org.as_slice())
        .bind(last)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .into_iter()
            .map(|(seq, envelope)| Outgoing { seq, envelope })
            .collect())
    }

    /// Whether a version of record `id` of `org` is stored here (without reading it).
    pub async fn has_record(&self, org: [u8; 16], id: [u8; 16]) -> Result<bool> {
        let found: Option<i64> =
            sqlx::query_scalar("SELECT 1 FROM records WHERE org = ? AND id = ?")
                .bind(org.as_slice())
                .bind(id.as_slice())
                .fetch_optional(&self.pool)
                .await?;
        Ok(found.is_some())
    }

    /// Puts this device's own version of every record of `org` whose latest version it wrote back
    /// into the outbox: for a server that lost them (restored from an older backup). Versions
    /// the server still has are answered "already stored" and cost nothing more. How many.
    pub async fn requeue_own(&self, keys: &DeviceKeys, org: [u8; 16]) -> Result<usize> {
        let rows: Vec<(Vec<u8>, i64, Vec<u8>)> =
            sqlx::query_as("SELECT id, hlc, envelope FROM records WHERE org = ? ORDER BY hlc")
                .bind(org.as_slice())
                .fetch_all(&self.pool)
                .await?;
        let mut tx = self.pool.begin().await?;
        let mut queued = 0;
        for (id, hlc, envelope) in rows {
            let own = EnvelopeRef::parse(&envelope)
                .is_ok_and(|e| e.header().author_device == keys.device_id);
            if !own {
                continue;
            }
            sqlx::query("INSERT INTO outbox (org, record, hlc, envelope) VALUES (?, ?, ?, ?)")
                .bind(org.as_slice())
                .bind(id)
                .bind(hlc)
                .bind(envelope)
                .execute(&mut *tx)
                .await?;
            queued += 1;
        }
        tx.commit().await?;
        Ok(queued)
    }

    /// The ids of the records of `org` of the kinds in `kinds` whose stored version was written
    /// later than `hlc` (read from the `hlc` column: nothing is opened).
    pub async fn written_after(
        &self,
        org: [u8; 16],
        kinds: &[u16],
        hlc: u64,
    ) -> Result<Vec<[u8; 16]>> {
        let mut query = sqlx::QueryBuilder::new("SELECT id FROM records WHERE org = ");
        query.push_bind(org.as_slice());
        query.push(" AND hlc > ");
        query.push_bind(i64::try_from(hlc).unwrap_or(i64::MAX));
        query.push(" AND kind IN (");
        let mut list = query.separated(", ");
        for kind in kinds {
            list.push_bind(i64::from(*kind));
        }
        query.push(")");
        let rows: Vec<(Vec<u8>,)> = query.build_query_as().fetch_all(&self.pool).await?;
        Ok(rows
            .into_iter()
            .filter_map(|(id,)| id.try_into().ok())
            .collect())
    }

    /// How many records of `org` this vault holds, those of the kinds in `skip` left out.
    pub async fn record_count(&self, org: [u8; 16], skip: &[u16]) -> Result<u64> {
        let kinds: Vec<(i64, i64)> =
            sqlx::query_as("SELECT kind, COUNT(*) FROM records WHERE org = ? GROUP BY kind")
                .bind(org.as_slice())
                .fetch_all(&self.pool)
                .await?;
        Ok(kinds
            .iter()
            .filter(|(kind, _)| u16::try_from(*kind).map_or(true, |k| !skip.contains(&k)))
            .map(|(_, n)| u64::try_from(*n).unwrap_or(0))
            .sum())
    }

    /// How many changes of `org` wait to be pushed.
    pub async fn outbox_len_of(&self, org: [u8; 16]) -> Result<u64> {
        let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM outbox WHERE org = ?")
            .bind(org.as_slice())
            .fetch_one(&self.pool)
            .await?;
        Ok(u64::try_from(n).unwrap_or(0))
    }

    /// Removes outbox entries the server acknowledged (stored, stored before, or superseded by a
    /// version it holds): after this, only a crash before the acknowledgement can push one again,
    /// which the server's idempotency makes harmless.
    pub async fn ack_outbox(&self, seqs: &[i64]) -> Result<()> {
        let mut tx = self.pool.begin().await?;
        delete_outbox(&mut tx, seqs).await?;
        tx.commit().await?;
        Ok(())
    }
}

/// Removes outbox entries by their place in the outbox, inside `tx`.
pub(crate) async fn delete_outbox(
    tx: &mut sqlx::Transaction<'_, sqlx::Sqlite>,
    seqs: &[i64],
) -> Result<()> {
    for chunk in seqs.chunks(500) {
        let mut query = sqlx::QueryBuilder::new("DELETE FROM outbox WHERE seq IN (");
        let mut list = query.separated(", ");
        for seq in chunk {
            list.push_bind(*seq);
        }
        query.push(")");
        query.build().execute(&mut **tx).await?;
    }
    Ok(())
}

/// Opens an envelope whose signature was checked: it must decrypt under this device's key for its
/// organization, compartment and epoch.
fn open(
    keys: &DeviceKeys,
    bytes: &[u8],
) -> std::result::Result<(Header, Zeroizing<Vec<u8>>), String> {
    let envelope = EnvelopeRef::parse(bytes).map_err(|e| e.to_string())?;
    let header = *envelope.header();
    let org_key = keys
        .org_key(&header)
        .ok_or("this device holds no key for its organization, compartment and epoch")?;
    let plaintext = envelope.decrypt(org_key).map_err(|e| e.to_string())?;
    Ok((header, plaintext))
}

fn version<'a>(header: &Header, payload: &'a [u8]) -> payload::Version<'a> {
    payload::Version {
        kind: header.kind,
        tombstone: header.tombstone,
        payload,
    }
}

/// A record: (organization, record id).
type Key = ([u8; 16], [u8; 16]);

/// The stored envelopes of a page's records, by record.
type Current = HashMap<Key, Vec<u8>>;

/// What a page merges against and writes: the stored versions of its records, and the versions
/// it leaves (a record twice in one page merges with its first arrival; only the last is
/// written). Envelopes stored as they arrived are borrowed from the page, not copied.
struct Latest<'a> {
    stored: Current,
    rows: Vec<(Header, Cow<'a, [u8]>)>,
    row_of: HashMap<Key, usize>,
}

impl<'a> Latest<'a> {
    /// The record's latest version: written by this page, or stored.
    fn get(&self, key: &Key) -> Option<&[u8]> {
        match self.row_of.get(key) {
            Some(&at) => Some(&self.rows[at].1),
            None => self.stored.get(key).map(Vec::as_slice),
        }
    }

    /// Makes `envelope` its record's latest version.
    fn keep(&mut self, header: Header, envelope: Cow<'a, [u8]>) {
        let key = (header.org, header.record);
        match self.row_of.get(&key) {
            Some(&at) => self.rows[at] = (header, envelope),
            None => {
                self.row_of.insert(key, self.rows.len());
                self.rows.push((header, envelope));
            }
        }
    }
}

/// Ids bound per lookup statement, well under SQLite's limit on parameters (32,766). Fewer,
/// larger statements: each costs a round trip to the connection's thread.
const IDS_PER_STATEMENT: usize = 500;

/// The stored envelopes of the records in `accepted`, read in statements of up to
/// [`IDS_PER_STATEMENT`] ids (a batch may span organizations).
async fn stored_versions(
    tx: &mut sqlx::Transaction<'_, sqlx::Sqlite>,
    accepted: &[(usize, Header, Zeroizing<Vec<u8>>)],
) -> Result<Current> {
    let mut current = Current::new();
    let mut by_org: HashMap<[u8; 16], Vec<[u8; 16]>> = HashMap::new();
    for (_, header, _) in accepted {
        by_org.entry(header.org).or_default().push(header.record);
    }
    for (org, ids) in by_org {
        for chunk in ids.chunks(IDS_PER_STATEMENT) {
            let mut query = sqlx::QueryBuilder::<sqlx::Sqlite>::new(
                "SELECT id, envelope FROM records WHERE org = ",
            );
            query.push_bind(org.as_slice()).push(" AND id IN (");
            let mut list = query.separated(", ");
            for id in chunk {
                list.push_bind(id.as_slice());
            }
            query.push(")");
            let found: Vec<(Vec<u8>, Vec<u8>)> =
                query.build_query_as().fetch_all(&mut **tx).await?;
            for (id, envelope) in found {
                if let Ok(id) = <[u8; 16]>::try_from(id.as_slice()) {
                    current.insert((org, id), envelope);
                }
            }
        }
    }
    Ok(current)
}

/// Stores each envelope as its record's latest version, sealed for this device, one prepared
/// statement per row on the transaction's own SQLite handle (`bulk::write_records`: a third of
/// what sqlx's multi-row statements took for a page).
async fn store_all(
    tx: &mut sqlx::Transaction<'_, sqlx::Sqlite>,
    keys: &DeviceKeys,
    rows: &[(Header, Cow<'_, [u8]>)],
) -> Result<()> {
    let seals = rows
        .iter()
        .map(|(header, envelope)| {
            let signature = signature_of(envelope)
                .ok_or_else(|| VaultError::Damaged("an envelope without a signature".into()))?;
            Ok(seal_row(&keys.seal_key, &columns_of(header), signature))
        })
        .collect::<Result<Vec<_>>>()?;
    let new_rows: Vec<bulk::NewRow<'_>> = rows
        .iter()
        .zip(&seals)
        .map(|((header, envelope), seal)| {
            (
                header.org.as_slice(),
                header.record.as_slice(),
                i64::from(header.kind),
                header.hlc as i64,
                envelope.as_ref(),
                seal.as_slice(),
            )
        })
        .collect();
    bulk::write_records(tx, &new_rows).await
}

/// Logs that `fields` of the version `lost` lost to a concurrent write; once per version.
async fn log_conflict(
    tx: &mut sqlx::Transaction<'_, sqlx::Sqlite>,
    lost_header: &Header,
    fields: &[u8],
    lost: &[u8],
) -> Result<usize> {
    let done = sqlx::query(
        "INSERT OR IGNORE INTO conflicts (org, record, kind, fields, lost, lost_hlc, lost_device) \
         VALUES (?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(lost_header.org.as_slice())
    .bind(lost_header.record.as_slice())
    .bind(i64::from(lost_header.kind))
    .bind(fields)
    .bind(lost)
    .bind(lost_header.hlc as i64)
    .bind(lost_header.author_device.as_slice())
    .execute(&mut **tx)
    .await?;
    Ok(done.rows_affected() as usize)
}

/// The owner a new version of `of`'s record names: `of`'s. A version 1 header names none; a record
/// of a kind that has one was then its author's (before format 2 only the account wrote in a synced
/// organization).
fn owner_of(of: &Header) -> [u8; 16] {
    let owned = Kind::from_u16(of.kind).is_some_and(Kind::has_owner);
    if owned && of.owner == [0; 16] {
        of.author_user
    } else {
        of.owner
    }
}
