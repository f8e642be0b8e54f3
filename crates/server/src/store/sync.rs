//! What sync needs kept (docs/sync.md): each account's identity and device certificates in the
//! server database, and each organization's records with their sequence numbers beside its other
//! rows (its own file on SQLite; row-level security on PostgreSQL). One SQL text serves both
//! backends, as in `sql.rs`.

use std::collections::HashMap;

use async_trait::async_trait;
use stint_protocol::sync::Outcome;
use ulid::Ulid;

use super::StoreResult;

/// An account's published identity and its keys as the server keeps them: wrapped under keys it
/// never sees.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdentityRow {
    pub public: Vec<u8>,
    pub wrapped_account_key: Vec<u8>,
    pub wrapped_identity_keys: Vec<u8>,
    pub created_at: i64,
}

/// A device certificate of an account, checked against its identity when stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeviceRow {
    pub device: [u8; 16],
    pub certificate: Vec<u8>,
    /// Opaque to the server (the client may seal it).
    pub label: Vec<u8>,
    pub created_at: i64,
    pub revoked_at: Option<i64>,
    pub revocation: Option<Vec<u8>>,
    /// When a request last named it (Unix seconds; written at most once a minute).
    pub last_seen_at: Option<i64>,
}

/// One envelope of a push, already checked, with the header fields the store orders by and
/// checks against the stored version.
#[derive(Debug, Clone, Copy)]
pub struct Incoming<'a> {
    pub record: [u8; 16],
    pub hlc: i64,
    pub author_device: [u8; 16],
    /// Its kind number.
    pub kind: u16,
    /// The member it belongs to (a version 1 header's owned record: its author), if any.
    pub owner: Option<[u8; 16]>,
    pub tombstone: bool,
    pub envelope: &'a [u8],
}

/// A record's stored version, as a push decides against it.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Version {
    pub seq: i64,
    pub hlc: i64,
    pub device: [u8; 16],
    pub kind: i32,
    pub owner: Option<[u8; 16]>,
    pub tombstone: bool,
}

impl Version {
    /// From a row of `stored_versions`, with its record id.
    pub(crate) fn of(row: StoredVersion) -> StoreResult<([u8; 16], Version)> {
        let (record, seq, hlc, device, kind, owner, tombstone) = row;
        let corrupt =
            || super::StoreError::Corrupt("a record id, device or owner is not 16 bytes".into());
        let owner = match owner {
            Some(owner) => Some(<[u8; 16]>::try_from(owner).map_err(|_| corrupt())?),
            None => None,
        };
        Ok((
            <[u8; 16]>::try_from(record).map_err(|_| corrupt())?,
            Version {
                seq,
                hlc,
                device: <[u8; 16]>::try_from(device).map_err(|_| corrupt())?,
                kind,
                owner,
                tombstone,
            },
        ))
    }

    /// The version `item` becomes, numbered `seq`.
    pub(crate) fn pushed(seq: i64, item: &Incoming<'_>) -> Version {
        Version {
            seq,
            hlc: item.hlc,
            device: item.author_device,
            kind: i32::from(item.kind),
            owner: item.owner,
            tombstone: item.tombstone,
        }
    }
}

/// What a pushed envelope would change that never changes: the batch is refused, nothing stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unchangeable {
    /// The record is stored under another kind.
    Kind,
    /// The record is stored as another member's (or the organization's).
    Owner,
}

/// A push refused by what is stored: which envelope of the batch, and why.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PushRefused {
    pub at: usize,
    pub changes: Unchangeable,
}

/// Stores one key delivery: organization, recipient, compartment, epoch, sealed key, sealer,
/// signature, time (for confirming a member and for a member's own keys alike).
pub(crate) const INSERT_SEALED_KEY: &str = "INSERT INTO sealed_keys (org_id, user_id, compartment, \
     epoch, sealed, sealed_by, signature, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)";

/// An organization key sealed to a member's identity.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SealedKey {
    pub compartment: u8,
    pub epoch: u32,
    /// A sealed key (version 1, 105 bytes).
    pub sealed: Vec<u8>,
    /// Whose identity signed its delivery.
    pub sealed_by: Ulid,
    /// That signature (64 bytes): with the fields above, the recipient and the organization, the
    /// key delivery of docs/formats.md.
    pub signature: Vec<u8>,
}

/// A change the membership log makes to the server's own table of members.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MemberChange {
    /// Someone pending with this role becomes a member.
    Confirm {
        user: Ulid,
        role: stint_domain::Role,
    },
    Role {
        user: Ulid,
        role: stint_domain::Role,
    },
    /// Their membership, API tokens and every key delivered to them go.
    Remove { user: Ulid },
}

/// Entries for the end of an organization's membership log, checked, with what they change.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LogAppend {
    /// How many entries the log held when they were checked: the first of `entries` follows.
    pub after: u32,
    pub entries: Vec<Vec<u8>>,
    /// After each entry, the compartments owed a new key (`Membership::owed`), as [`owed_mask`]
    /// gives them: one per entry.
    pub owed: Vec<u8>,
    pub changes: Vec<MemberChange>,
    /// Keys of compartments a member's new role no longer reads (member, compartment): deleted.
    pub dropped: Vec<(Ulid, u8)>,
    /// Key deliveries that come with the entries, by recipient.
    pub keys: Vec<(Ulid, SealedKey)>,
}

/// The compartments of `owed` (`Membership::owed`) as the bits the store keeps: 1 << (number - 1).
pub fn owed_mask(owed: &std::collections::BTreeSet<u8>) -> u8 {
    owed.iter()
        .filter(|c| (1..=8).contains(*c))
        .fold(0, |mask, c| mask | 1 << (c - 1))
}

/// One page of an organization's records after a cursor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Page {
    /// All zeros until the organization's first record arrives.
    pub history: [u8; 16],
    pub head: u64,
    pub records: Vec<(u64, Vec<u8>)>,
}

/// Who pulls: an account already known (an API token's, checked by its extractor), or the holder
/// of a session token, looked up by the pull itself.
#[derive(Debug, Clone)]
pub enum Caller {
    Member(Ulid),
    /// The SHA-256 of a bearer token (`secrets::token_hash`), and the time to check it at.
    Session {
        token_hash: Vec<u8>,
        now: i64,
    },
}

/// What a pull found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Pulled {
    Page(Page),
    /// The caller is not a member, or there is no such organization.
    NotMember,
    /// No live session has that token.
    SignedOut,
}

/// What became of an uploaded attachment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AttachmentStored {
    New,
    /// These very bytes were stored before.
    Before,
    /// Other bytes are stored under this id (and kept).
    Different,
    /// Storing it would take the organization past its limit (nothing stored).
    OverQuota,
}

/// The version of a record that is kept: the greater (HLC, author device), the same order every
/// client merges in.
pub fn newer(a: (i64, &[u8]), b: (i64, &[u8])) -> bool {
    a > b
}

#[async_trait]
pub trait SyncStore {
    /// Stores the account's identity, once; `Conflict` if it has one.
    async fn put_identity(&self, user: Ulid, identity: &IdentityRow) -> StoreResult<()>;
    async fn identity(&self, user: Ulid) -> StoreResult<Option<IdentityRow>>;
    /// Replaces the account key wrapped under the recovery key; `false` if there is no identity.
    async fn replace_recovery(&self, user: Ulid, wrapped_account_key: &[u8]) -> StoreResult<bool>;
    /// Stores a device certificate; `Conflict` if the device is known.
    async fn add_device(&self, user: Ulid, device: &DeviceRow) -> StoreResult<()>;
    async fn devices(&self, user: Ulid) -> StoreResult<Vec<DeviceRow>>;
    /// The published identity keys of some accounts (those without an identity left out), in a
    /// query per [`MANY_USERS`] accounts: an organization's directory, read at every sync round
    /// of every device, is not a query per member.
    async fn identity_keys(&self, users: &[Ulid]) -> StoreResult<HashMap<Ulid, Vec<u8>>>;
    /// [`SyncStore::devices`] of some accounts, in a query per [`MANY_USERS`] accounts; an
    /// account without devices is left out.
    async fn devices_of(&self, users: &[Ulid]) -> StoreResult<HashMap<Ulid, Vec<DeviceRow>>>;
    async fn device(&self, user: Ulid, device: [u8; 16]) -> StoreResult<Option<DeviceRow>>;
    /// Notes that a request named this live device at `at`, unless it was noted less than a
    /// minute before; `false` if nothing was written.
    async fn device_seen(&self, user: Ulid, device: [u8; 16], at: i64) -> StoreResult<bool>;
    /// Replaces a live device's (opaque) label; `false` if there is no such live device.
    async fn set_device_label(
        &self,
        user: Ulid,
        device: [u8; 16],
        label: &[u8],
    ) -> StoreResult<bool>;
    /// Marks a live device revoked with its signed revocation; `false` if there is no such live
    /// device.
    async fn revoke_device(
        &self,
        user: Ulid,
        device: [u8; 16],
        revocation: &[u8],
        at: i64,
    ) -> StoreResult<bool>;
    /// Stores a checked batch in one transaction under the organization's write lock: each
    /// envelope becomes its record's latest version with the next sequence number, unless this
    /// very version is there already or a later one is (or the record is deleted: a deletion is
    /// final, so a later version is answered as superseded by it). The outcomes, in order; or,
    /// storing nothing, the first envelope that would change a record's kind or owner.
    async fn push(
        &self,
        org: Ulid,
        batch: &[Incoming<'_>],
    ) -> StoreResult<Result<Vec<(Outcome, u64)>, PushRefused>>;
    /// Stores organization keys sealed to `user`'s identity, one per (compartment, epoch). A slot
    /// already holding the same delivery is left alone, one holding an unsigned key from before
    /// deliveries were signed takes the member's own delivery; one holding another delivery is a
    /// `Conflict`, and then nothing of the batch is stored.
    async fn put_sealed_keys(
        &self,
        org: Ulid,
        user: Ulid,
        keys: &[SealedKey],
        at: i64,
    ) -> StoreResult<()>;
    /// The organization's membership log entries after the first `after`, in order.
    async fn membership_log(&self, org: Ulid, after: u32) -> StoreResult<Vec<Vec<u8>>>;
    /// Whether the organization's membership log holds any entry (one row read, not the log).
    async fn has_membership_log(&self, org: Ulid) -> StoreResult<bool>;
    /// Appends checked entries to the membership log with the changes they make, in one
    /// transaction under the organization's write lock: `Changed` if the log no longer holds
    /// exactly `append.after` entries (someone appended meanwhile: check again), `NotFound` if a
    /// member or pending member a change names is not there (with that role, for one pending).
    async fn append_membership(&self, org: Ulid, append: &LogAppend, at: i64) -> StoreResult<()>;
    /// For each compartment of which the organization has keys, its newest epoch.
    async fn newest_epochs(&self, org: Ulid) -> StoreResult<Vec<(u8, u32)>>;
    /// The compartments owed a new key after the log's last entry, as [`owed_mask`] gives them
    /// (0 without a log): someone left, and no Owner or Admin has moved the key on yet.
    async fn owed_rotations(&self, org: Ulid) -> StoreResult<u8>;
    /// The number of `invoice` in `series`: the one it was given before, or the next after both
    /// the series' last and `after`, in one transaction under the organization's write lock (so
    /// two at once get two numbers in a row). `Conflict` if the invoice was numbered in another
    /// series.
    async fn invoice_number(
        &self,
        org: Ulid,
        series: &[u8; 32],
        invoice: Ulid,
        after: u64,
        by: Ulid,
        at: i64,
    ) -> StoreResult<u64>;
    /// The organization keys delivered to `user` (signed), by compartment and epoch.
    async fn sealed_keys(&self, org: Ulid, user: Ulid) -> StoreResult<Vec<SealedKey>>;
    /// Records after `after` in sequence order: at most `limit`, and past the first, no more than
    /// `max_bytes` of envelopes; for a member of the organization only (an absent organization
    /// reads as not a member). The membership, and on PostgreSQL the session, are read with the
    /// page: one trip to the database for the route every device calls most.
    async fn pull(
        &self,
        org: Ulid,
        caller: Caller,
        after: u64,
        limit: i64,
        max_bytes: usize,
    ) -> StoreResult<Pulled>;
    /// Stores an attachment's envelope under its id, unless one is there, and unless the
    /// organization's attachments would then pass `max_total` bytes.
    #[allow(clippy::too_many_arguments)]
    async fn put_attachment(
        &self,
        org: Ulid,
        id: [u8; 16],
        hlc: i64,
        author_device: [u8; 16],
        envelope: &[u8],
        max_total: i64,
        at: i64,
    ) -> StoreResult<AttachmentStored>;
    /// An attachment's envelope as uploaded.
    async fn attachment(&self, org: Ulid, id: [u8; 16]) -> StoreResult<Option<Vec<u8>>>;
}

fn array16(bytes: Vec<u8>) -> StoreResult<[u8; 16]> {
    bytes
        .try_into()
        .map_err(|_| super::StoreError::Corrupt("a 16-byte id is not 16 bytes".into()))
}

/// A stored version of a record as a push compares against it: record id, sequence number, HLC,
/// author device.
pub(crate) type StoredVersion = (Vec<u8>, i64, i64, Vec<u8>, i32, Option<Vec<u8>>, bool);

/// A pull's rows as a backend reads them in one snapshot: tag 0 for the page's records (sequence
/// number, envelope), tag 1 for the organization's head and history id.
pub(crate) type PullRow = (i32, i64, Vec<u8>);

/// What a backend's `pull_rows` found: the rows of a member's pull, or why there are none.
pub(crate) enum PullRows {
    Rows(Vec<PullRow>),
    NotMember,
    SignedOut,
}

/// How many accounts one query of [`SyncStore::identity_keys`] or [`SyncStore::devices_of`]
/// names: well below SQLite's limit on bound values.
pub const MANY_USERS: usize = 500;

/// A `devices` row as selected: device, certificate, label, created, revoked, revocation, last
/// seen.
pub(crate) type DeviceColumns = (
    Vec<u8>,
    Vec<u8>,
    Vec<u8>,
    i64,
    Option<i64>,
    Option<Vec<u8>>,
    Option<i64>,
);

pub(crate) fn device_row(
    (device, certificate, label, created_at, revoked_at, revocation, last_seen_at): DeviceColumns,
) -> StoreResult<DeviceRow> {
    Ok(DeviceRow {
        device: array16(device)?,
        certificate,
        label,
        created_at,
        revoked_at,
        revocation,
        last_seen_at,
    })
}

pub(crate) fn history(bytes: Option<Vec<u8>>) -> StoreResult<[u8; 16]> {
    bytes.map_or(Ok([0; 16]), array16)
}

macro_rules! sync_store {
    ($store:ty) => {
        #[async_trait::async_trait]
        impl $crate::store::sync::SyncStore for $store {
            async fn put_identity(
                &self,
                user: ulid::Ulid,
                identity: &$crate::store::sync::IdentityRow,
            ) -> $crate::store::StoreResult<()> {
                let result = sqlx::query(
                    "INSERT INTO identities (user_id, public, wrapped_account_key, \
                     wrapped_identity_keys, created_at) VALUES ($1, $2, $3, $4, $5)",
                )
                .bind(user.to_string())
                .bind(&identity.public)
                .bind(&identity.wrapped_account_key)
                .bind(&identity.wrapped_identity_keys)
                .bind(identity.created_at)
                .execute(&self.pool)
                .await;
                match result {
                    Ok(_) => Ok(()),
                    Err(sqlx::Error::Database(e)) if e.is_unique_violation() => {
                        Err($crate::store::StoreError::Conflict("an identity for this account"))
                    }
                    Err(e) => Err(e.into()),
                }
            }

            async fn identity(
                &self,
                user: ulid::Ulid,
            ) -> $crate::store::StoreResult<Option<$crate::store::sync::IdentityRow>> {
                let row: Option<(Vec<u8>, Vec<u8>, Vec<u8>, i64)> = sqlx::query_as(
                    "SELECT public, wrapped_account_key, wrapped_identity_keys, created_at \
                     FROM identities WHERE user_id = $1",
                )
                .bind(user.to_string())
                .fetch_optional(&self.pool)
                .await?;
                Ok(row.map(|(public, wrapped_account_key, wrapped_identity_keys, created_at)| {
                    $crate::store::sync::IdentityRow {
                        public,
                        wrapped_account_key,
                        wrapped_identity_keys,
                        created_at,
                    }
                }))
            }

            async fn replace_recovery(
                &self,
                user: ulid::Ulid,
                wrapped_account_key: &[u8],
            ) -> $crate::store::StoreResult<bool> {
                let done = sqlx::query(
                    "UPDATE identities SET wrapped_account_key = $2 WHERE user_id = $1",
                )
                .bind(user.to_string())
                .bind(wrapped_account_key)
                .execute(&self.pool)
                .await?;
                Ok(done.rows_affected() == 1)
            }

            async fn add_device(
                &self,
                user: ulid::Ulid,
                device: &$crate::store::sync::DeviceRow,
            ) -> $crate::store::StoreResult<()> {
                let result = sqlx::query(
                    "INSERT INTO devices (user_id, device, certificate, label, created_at) \
                     VALUES ($1, $2, $3, $4, $5)",
                )
                .bind(user.to_string())
                .bind(device.device.as_slice())
                .bind(&device.certificate)
                .bind(&device.label)
                .bind(device.created_at)
                .execute(&self.pool)
                .await;
                match result {
                    Ok(_) => Ok(()),
                    Err(sqlx::Error::Database(e)) if e.is_unique_violation() => {
                        Err($crate::store::StoreError::Conflict("this device"))
                    }
                    Err(e) => Err(e.into()),
                }
            }

            async fn devices(
                &self,
                user: ulid::Ulid,
            ) -> $crate::store::StoreResult<Vec<$crate::store::sync::DeviceRow>> {
                let rows: Vec<$crate::store::sync::DeviceColumns> =
                    sqlx::query_as(
                        "SELECT device, certificate, label, created_at, revoked_at, revocation, \
                         last_seen_at FROM devices WHERE user_id = $1 ORDER BY created_at, device",
                    )
                    .bind(user.to_string())
                    .fetch_all(&self.pool)
                    .await?;
                rows.into_iter().map($crate::store::sync::device_row).collect()
            }

            async fn identity_keys(
                &self,
                users: &[ulid::Ulid],
            ) -> $crate::store::StoreResult<std::collections::HashMap<ulid::Ulid, Vec<u8>>> {
                let mut keys = std::collections::HashMap::with_capacity(users.len());
                for chunk in users.chunks($crate::store::sync::MANY_USERS) {
                    let mut query =
                        sqlx::QueryBuilder::new("SELECT user_id, public FROM identities WHERE user_id IN (");
                    let mut list = query.separated(", ");
                    for user in chunk {
                        list.push_bind(user.to_string());
                    }
                    query.push(")");
                    let rows: Vec<(String, Vec<u8>)> = query.build_query_as().fetch_all(&self.pool).await?;
                    for (user, public) in rows {
                        keys.insert($crate::store::ulid(&user)?, public);
                    }
                }
                Ok(keys)
            }

            async fn devices_of(
                &self,
                users: &[ulid::Ulid],
            ) -> $crate::store::StoreResult<
                std::collections::HashMap<ulid::Ulid, Vec<$crate::store::sync::DeviceRow>>,
            > {
                let mut devices: std::collections::HashMap<ulid::Ulid, Vec<_>> =
                    std::collections::HashMap::with_capacity(users.len());
                for chunk in users.chunks($crate::store::sync::MANY_USERS) {
                    let mut query = sqlx::QueryBuilder::new(
                        "SELECT user_id, device, certificate, label, created_at, revoked_at, revocation, \
                         last_seen_at FROM devices WHERE user_id IN (",
                    );
                    let mut list = query.separated(", ");
                    for user in chunk {
                        list.push_bind(user.to_string());
                    }
                    query.push(") ORDER BY user_id, created_at, device");
                    let rows: Vec<(String, Vec<u8>, Vec<u8>, Vec<u8>, i64, Option<i64>, Option<Vec<u8>>, Option<i64>)> =
                        query.build_query_as().fetch_all(&self.pool).await?;
                    for (user, device, certificate, label, created_at, revoked_at, revocation, last_seen_at) in rows {
                        devices
                            .entry($crate::store::ulid(&user)?)
                            .or_default()
                            .push($crate::store::sync::device_row((
                                device,
                                certificate,
                                label,
                                created_at,
                                revoked_at,
                                revocation,
                                last_seen_at,
                            ))?);
                    }
                }
                Ok(devices)
            }

            async fn device(
                &self,
                user: ulid::Ulid,
                device: [u8; 16],
            ) -> $crate::store::StoreResult<Option<$crate::store::sync::DeviceRow>> {
                let row: Option<$crate::store::sync::DeviceColumns> =
                    sqlx::query_as(
                        "SELECT device, certificate, label, created_at, revoked_at, revocation, \
                         last_seen_at FROM devices WHERE user_id = $1 AND device = $2",
                    )
                    .bind(user.to_string())
                    .bind(device.as_slice())
                    .fetch_optional(&self.pool)
                    .await?;
                row.map($crate::store::sync::device_row).transpose()
            }

            async fn device_seen(
                &self,
                user: ulid::Ulid,
                device: [u8; 16],
                at: i64,
            ) -> $crate::store::StoreResult<bool> {
                let done = sqlx::query(
                    "UPDATE devices SET last_seen_at = $3 WHERE user_id = $1 AND device = $2 \
                     AND revoked_at IS NULL AND (last_seen_at IS NULL OR last_seen_at <= $3 - 60)",
                )
                .bind(user.to_string())
                .bind(device.as_slice())
                .bind(at)
                .execute(&self.pool)
                .await?;
                Ok(done.rows_affected() == 1)
            }

            async fn set_device_label(
                &self,
                user: ulid::Ulid,
                device: [u8; 16],
                label: &[u8],
            ) -> $crate::store::StoreResult<bool> {
                let done = sqlx::query(
                    "UPDATE devices SET label = $3 \
                     WHERE user_id = $1 AND device = $2 AND revoked_at IS NULL",
                )
                .bind(user.to_string())
                .bind(device.as_slice())
                .bind(label)
                .execute(&self.pool)
                .await?;
                Ok(done.rows_affected() == 1)
            }

            async fn revoke_device(
                &self,
                user: ulid::Ulid,
                device: [u8; 16],
                revocation: &[u8],
                at: i64,
            ) -> $crate::store::StoreResult<bool> {
                let done = sqlx::query(
                    "UPDATE devices SET revoked_at = $3, revocation = $4 \
                     WHERE user_id = $1 AND device = $2 AND revoked_at IS NULL",
                )
                .bind(user.to_string())
                .bind(device.as_slice())
                .bind(at)
                .bind(revocation)
                .execute(&self.pool)
                .await?;
                Ok(done.rows_affected() == 1)
            }

            async fn push(
                &self,
                org: ulid::Ulid,
                batch: &[$crate::store::sync::Incoming<'_>],
            ) -> $crate::store::StoreResult<
                Result<Vec<(stint_protocol::sync::Outcome, u64)>, $crate::store::sync::PushRefused>,
            > {
                use stint_protocol::sync::Outcome;
                use $crate::store::sync::{PushRefused, Unchangeable, Version};
                let org_id = org.to_string();
                let mut tx = self.org_tx(org, true, false).await?;
                let state: Option<i64> =
                    sqlx::query_scalar("SELECT head FROM sync_state WHERE org_id = $1")
                        .bind(&org_id)
                        .fetch_optional(&mut *tx)
                        .await?;
                let mut head = match state {
                    Some(head) => head,
                    None => {
                        let mut history = [0u8; 16];
                        getrandom::fill(&mut history).map_err(|e| {
                            std::io::Error::other(format!("no random bytes for a history id: {e}"))
                        })?;
                        sqlx::query("INSERT INTO sync_state (org_id, history, head) VALUES ($1, $2, 0)")
                            .bind(&org_id)
                            .bind(history.as_slice())
                            .execute(&mut *tx)
                            .await?;
                        0
                    }
                };
                let start = head;
                // The stored versions of the batch's records, in a few queries; then each
                // envelope decided in order against them (a record pushed twice in one batch
                // meets its own first version), and the rows written together, the last version
                // of each record only.
                let mut stored: std::collections::HashMap<[u8; 16], Version> =
                    std::collections::HashMap::with_capacity(batch.len());
                let ids: Vec<&[u8]> = batch.iter().map(|i| i.record.as_slice()).collect();
                for chunk in ids.chunks(500) {
                    for row in <$store>::stored_versions(&mut tx, &org_id, chunk).await? {
                        let (record, version) = Version::of(row)?;
                        stored.insert(record, version);
                    }
                }
                // Records the organization had before this batch: only their rows can conflict
                // (writers hold the organization's lock), so the others take a plain insert,
                // without a conflict check per row.
                let existed: std::collections::HashSet<[u8; 16]> =
                    stored.keys().copied().collect();
                let mut outcomes = Vec::with_capacity(batch.len());
                // Record → (sequence number, index in the batch) of its last stored version.
                let mut writes: std::collections::HashMap<[u8; 16], (i64, usize)> =
                    std::collections::HashMap::new();
                for (at, item) in batch.iter().enumerate() {
                    let pushed = (item.hlc, item.author_device.as_slice());
                    let before = stored.get(&item.record);
                    if let Some(v) = before {
                        let changes = if i32::from(item.kind) != v.kind {
                            Some(Unchangeable::Kind)
                        } else if item.owner != v.owner {
                            Some(Unchangeable::Owner)
                        } else {
                            None
                        };
                        if let Some(changes) = changes {
                            // Nothing of the batch is written: the transaction is dropped.
                            return Ok(Err(PushRefused { at, changes }));
                        }
                    }
                    let outcome = match before {
                        Some(v) if (v.hlc, v.device.as_slice()) == pushed => {
                            (Outcome::AlreadyStored, v.seq)
                        }
                        Some(v)
                            if v.tombstone
                                || $crate::store::sync::newer((v.hlc, v.device.as_slice()), pushed) =>
                        {
                            (Outcome::Superseded, v.seq)
                        }
                        _ => {
                            head += 1;
                            stored.insert(item.record, Version::pushed(head, item));
                            writes.insert(item.record, (head, at));
                            (Outcome::Stored, head)
                        }
                    };
                    outcomes.push((outcome.0, u64::try_from(outcome.1).unwrap_or(0)));
                }
                let mut rows: Vec<(i64, usize)> = writes.into_values().collect();
                rows.sort_unstable();
                let (replaced, added): (Vec<_>, Vec<_>) = rows
                    .into_iter()
                    .partition(|(_, at)| existed.contains(&batch[*at].record));
                let upsert = " ON CONFLICT (org_id, record) DO UPDATE SET seq = excluded.seq, \
                              hlc = excluded.hlc, author_device = excluded.author_device, \
                              envelope = excluded.envelope, tombstone = excluded.tombstone";
                for (rows, conflict) in [(added, ""), (replaced, upsert)] {
                    for chunk in rows.chunks(500) {
                        let mut query = sqlx::QueryBuilder::new(
                            "INSERT INTO records \
                             (org_id, record, seq, hlc, author_device, envelope, kind, owner, \
                              tombstone) ",
                        );
                        query.push_values(chunk, |mut row, (seq, at)| {
                            let item = &batch[*at];
                            row.push_bind(&org_id)
                                .push_bind(item.record.as_slice())
                                .push_bind(*seq)
                                .push_bind(item.hlc)
                                .push_bind(item.author_device.as_slice())
                                .push_bind(item.envelope)
                                .push_bind(i32::from(item.kind))
                                .push_bind(item.owner.as_ref().map(|o| o.as_slice()))
                                .push_bind(item.tombstone);
                        });
                        query.push(conflict);
                        query.build().execute(&mut *tx).await?;
                    }
                }
                if head != start {
                    sqlx::query("UPDATE sync_state SET head = $2 WHERE org_id = $1")
                        .bind(&org_id)
                        .bind(head)
                        .execute(&mut *tx)
                        .await?;
                }
                tx.commit().await?;
                Ok(Ok(outcomes))
            }

            async fn put_sealed_keys(
                &self,
                org: ulid::Ulid,
                user: ulid::Ulid,
                keys: &[$crate::store::sync::SealedKey],
                at: i64,
            ) -> $crate::store::StoreResult<()> {
                let mut tx = self.org_tx(org, true, false).await?;
                for key in keys {
                    let existing: Option<(Vec<u8>, Option<Vec<u8>>)> = sqlx::query_as(
                        "SELECT sealed, signature FROM sealed_keys WHERE org_id = $1 AND user_id = $2 \
                         AND compartment = $3 AND epoch = $4",
                    )
                    .bind(org.to_string())
                    .bind(user.to_string())
                    .bind(i64::from(key.compartment))
                    .bind(i64::from(key.epoch))
                    .fetch_optional(&mut *tx)
                    .await?;
                    let statement = match existing {
                        Some((sealed, Some(signature)))
                            if sealed == key.sealed && signature == key.signature =>
                        {
                            continue;
                        }
                        // Sealed before deliveries were signed, by the member to themselves: the
                        // member's own signed delivery takes its place.
                        Some((_, None)) if key.sealed_by == user => {
                            "UPDATE sealed_keys SET sealed = $5, sealed_by = $6, signature = $7, \
                             created_at = $8 WHERE org_id = $1 AND user_id = $2 AND compartment = $3 \
                             AND epoch = $4"
                        }
                        Some(_) => {
                            return Err($crate::store::StoreError::Conflict("a key for this compartment and epoch"));
                        }
                        None => {
                            $crate::store::sync::INSERT_SEALED_KEY
                        }
                    };
                    sqlx::query(statement)
                        .bind(org.to_string())
                        .bind(user.to_string())
                        .bind(i64::from(key.compartment))
                        .bind(i64::from(key.epoch))
                        .bind(&key.sealed)
                        .bind(key.sealed_by.to_string())
                        .bind(&key.signature)
                        .bind(at)
                        .execute(&mut *tx)
                        .await?;
                }
                tx.commit().await?;
                Ok(())
            }

            async fn invoice_number(
                &self,
                org: ulid::Ulid,
                series: &[u8; 32],
                invoice: ulid::Ulid,
                after: u64,
                by: ulid::Ulid,
                at: i64,
            ) -> $crate::store::StoreResult<u64> {
                let mut tx = self.org_tx(org, true, false).await?;
                let given: Option<(Vec<u8>, i64)> = sqlx::query_as(
                    "SELECT series, number FROM invoice_numbers WHERE org_id = $1 AND invoice_id = $2",
                )
                .bind(org.to_string())
                .bind(invoice.to_string())
                .fetch_optional(&mut *tx)
                .await?;
                if let Some((their_series, number)) = given {
                    tx.commit().await?;
                    if their_series != series {
                        return Err($crate::store::StoreError::Conflict("the invoice's number is in another series"));
                    }
                    return Ok(u64::try_from(number).unwrap_or(0));
                }
                let last: i64 = sqlx::query_scalar(
                    "SELECT COALESCE(MAX(number), 0) FROM invoice_numbers WHERE org_id = $1 AND series = $2",
                )
                .bind(org.to_string())
                .bind(series.as_slice())
                .fetch_one(&mut *tx)
                .await?;
                let after = i64::try_from(after).map_err(|_| {
                    $crate::store::StoreError::Corrupt("a series past 2^63".into())
                })?;
                let number = last.max(after) + 1;
                sqlx::query(
                    "INSERT INTO invoice_numbers (org_id, series, number, invoice_id, issued_by, issued_at) \
                     VALUES ($1, $2, $3, $4, $5, $6)",
                )
                .bind(org.to_string())
                .bind(series.as_slice())
                .bind(number)
                .bind(invoice.to_string())
                .bind(by.to_string())
                .bind(at)
                .execute(&mut *tx)
                .await?;
                tx.commit().await?;
                Ok(u64::try_from(number).unwrap_or(0))
            }

            async fn membership_log(
                &self,
                org: ulid::Ulid,
                after: u32,
            ) -> $crate::store::StoreResult<Vec<Vec<u8>>> {
                let mut tx = self.org_tx(org, false, false).await?;
                let rows: Vec<Vec<u8>> = sqlx::query_scalar(
                    "SELECT entry FROM membership_log WHERE org_id = $1 AND seq > $2 ORDER BY seq",
                )
                .bind(org.to_string())
                .bind(i64::from(after))
                .fetch_all(&mut *tx)
                .await?;
                tx.commit().await?;
                Ok(rows)
            }

            async fn has_membership_log(&self, org: ulid::Ulid) -> $crate::store::StoreResult<bool> {
                let mut tx = self.org_tx(org, false, false).await?;
                let first: Option<i64> = sqlx::query_scalar(
                    "SELECT seq FROM membership_log WHERE org_id = $1 LIMIT 1",
                )
                .bind(org.to_string())
                .fetch_optional(&mut *tx)
                .await?;
                tx.commit().await?;
                Ok(first.is_some())
            }

            async fn append_membership(
                &self,
                org: ulid::Ulid,
                append: &$crate::store::sync::LogAppend,
                at: i64,
            ) -> $crate::store::StoreResult<()> {
                use $crate::store::sync::MemberChange;
                use $crate::store::StoreError;
                let org_id = org.to_string();
                let mut tx = self.org_tx(org, true, false).await?;
                let held: i64 =
                    sqlx::query_scalar("SELECT COUNT(*) FROM membership_log WHERE org_id = $1")
                        .bind(&org_id)
                        .fetch_one(&mut *tx)
                        .await?;
                if held != i64::from(append.after) {
                    return Err(StoreError::Changed("membership log"));
                }
                for (i, (entry, owed)) in append.entries.iter().zip(&append.owed).enumerate() {
                    sqlx::query(
                        "INSERT INTO membership_log (org_id, seq, entry, owed) VALUES ($1, $2, $3, $4)",
                    )
                    .bind(&org_id)
                    .bind(i64::from(append.after) + 1 + i as i64)
                    .bind(entry)
                    .bind(i16::from(*owed))
                    .execute(&mut *tx)
                    .await?;
                }
                let mut removed = Vec::new();
                for change in &append.changes {
                    let done = match *change {
                        MemberChange::Confirm { user, role } => {
                            let done = sqlx::query(
                                "DELETE FROM pending_members WHERE org_id = $1 AND user_id = $2 AND role = $3",
                            )
                            .bind(&org_id)
                            .bind(user.to_string())
                            .bind(role.to_string())
                            .execute(&mut *tx)
                            .await?;
                            if done.rows_affected() == 1 {
                                sqlx::query(
                                    "INSERT INTO members (org_id, user_id, role, joined_at) VALUES ($1, $2, $3, $4)",
                                )
                                .bind(&org_id)
                                .bind(user.to_string())
                                .bind(role.to_string())
                                .bind(at)
                                .execute(&mut *tx)
                                .await?;
                            }
                            done
                        }
                        MemberChange::Role { user, role } => {
                            sqlx::query(
                                "UPDATE members SET role = $3 WHERE org_id = $1 AND user_id = $2",
                            )
                            .bind(&org_id)
                            .bind(user.to_string())
                            .bind(role.to_string())
                            .execute(&mut *tx)
                            .await?
                        }
                        MemberChange::Remove { user } => {
                            removed.push(user);
                            for statement in [
                                "DELETE FROM sealed_keys WHERE org_id = $1 AND user_id = $2",
                                "UPDATE api_tokens SET revoked_at = $3 WHERE org_id = $1 \
                                 AND user_id = $2 AND revoked_at IS NULL",
                            ] {
                                sqlx::query(statement)
                                    .bind(&org_id)
                                    .bind(user.to_string())
                                    .bind(at)
                                    .execute(&mut *tx)
                                    .await?;
                            }
                            sqlx::query("DELETE FROM members WHERE org_id = $1 AND user_id = $2")
                                .bind(&org_id)
                                .bind(user.to_string())
                                .execute(&mut *tx)
                                .await?
                        }
                    };
                    if done.rows_affected() != 1 {
                        return Err(StoreError::NotFound("member"));
                    }
                }
                for (user, compartment) in &append.dropped {
                    sqlx::query(
                        "DELETE FROM sealed_keys WHERE org_id = $1 AND user_id = $2 AND compartment = $3",
                    )
                    .bind(&org_id)
                    .bind(user.to_string())
                    .bind(i64::from(*compartment))
                    .execute(&mut *tx)
                    .await?;
                }
                for (user, key) in &append.keys {
                    sqlx::query($crate::store::sync::INSERT_SEALED_KEY)
                        .bind(&org_id)
                        .bind(user.to_string())
                        .bind(i64::from(key.compartment))
                        .bind(i64::from(key.epoch))
                        .bind(&key.sealed)
                        .bind(key.sealed_by.to_string())
                        .bind(&key.signature)
                        .bind(at)
                        .execute(&mut *tx)
                        .await?;
                }
                tx.commit().await?;
                for user in removed {
                    sqlx::query("DELETE FROM memberships WHERE user_id = $1 AND org_id = $2")
                        .bind(user.to_string())
                        .bind(&org_id)
                        .execute(&self.pool)
                        .await?;
                }
                Ok(())
            }

            async fn owed_rotations(&self, org: ulid::Ulid) -> $crate::store::StoreResult<u8> {
                let mut tx = self.org_tx(org, false, false).await?;
                let owed: Option<i16> = sqlx::query_scalar(
                    "SELECT owed FROM membership_log WHERE org_id = $1 ORDER BY seq DESC LIMIT 1",
                )
                .bind(org.to_string())
                .fetch_optional(&mut *tx)
                .await?;
                tx.commit().await?;
                u8::try_from(owed.unwrap_or(0)).map_err(|_| {
                    $crate::store::StoreError::Corrupt("an owed rotation out of range".into())
                })
            }

            async fn newest_epochs(
                &self,
                org: ulid::Ulid,
            ) -> $crate::store::StoreResult<Vec<(u8, u32)>> {
                let mut tx = self.org_tx(org, false, false).await?;
                let rows: Vec<(i64, i64)> = sqlx::query_as(
                    "SELECT compartment, MAX(epoch) FROM sealed_keys WHERE org_id = $1 \
                     GROUP BY compartment ORDER BY compartment",
                )
                .bind(org.to_string())
                .fetch_all(&mut *tx)
                .await?;
                tx.commit().await?;
                rows.into_iter()
                    .map(|(compartment, epoch)| {
                        Ok((
                            u8::try_from(compartment).map_err(|_| {
                                $crate::store::StoreError::Corrupt("a compartment out of range".into())
                            })?,
                            u32::try_from(epoch).map_err(|_| {
                                $crate::store::StoreError::Corrupt("an epoch out of range".into())
                            })?,
                        ))
                    })
                    .collect()
            }

            async fn sealed_keys(
                &self,
                org: ulid::Ulid,
                user: ulid::Ulid,
            ) -> $crate::store::StoreResult<Vec<$crate::store::sync::SealedKey>> {
                let mut tx = self.org_tx(org, false, false).await?;
                let rows: Vec<(i64, i64, Vec<u8>, String, Vec<u8>)> = sqlx::query_as(
                    "SELECT compartment, epoch, sealed, sealed_by, signature FROM sealed_keys \
                     WHERE org_id = $1 AND user_id = $2 AND signature IS NOT NULL \
                     ORDER BY compartment, epoch",
                )
                .bind(org.to_string())
                .bind(user.to_string())
                .fetch_all(&mut *tx)
                .await?;
                tx.commit().await?;
                rows.into_iter()
                    .map(|(compartment, epoch, sealed, sealed_by, signature)| {
                        Ok($crate::store::sync::SealedKey {
                            compartment: u8::try_from(compartment).map_err(|_| {
                                $crate::store::StoreError::Corrupt("a compartment out of range".into())
                            })?,
                            epoch: u32::try_from(epoch).map_err(|_| {
                                $crate::store::StoreError::Corrupt("an epoch out of range".into())
                            })?,
                            sealed,
                            sealed_by: $crate::store::ulid(&sealed_by)?,
                            signature,
                        })
                    })
                    .collect()
            }

            async fn pull(
                &self,
                org: ulid::Ulid,
                caller: $crate::store::sync::Caller,
                after: u64,
                limit: i64,
                max_bytes: usize,
            ) -> $crate::store::StoreResult<$crate::store::sync::Pulled> {
                use $crate::store::sync::{PullRows, Pulled};
                let tagged = match self
                    .pull_rows(org, caller, i64::try_from(after).unwrap_or(i64::MAX), limit)
                    .await?
                {
                    PullRows::Rows(rows) => rows,
                    PullRows::NotMember => return Ok(Pulled::NotMember),
                    PullRows::SignedOut => return Ok(Pulled::SignedOut),
                };
                let (mut history, mut head) = (None, 0);
                let mut rows: Vec<(i64, Vec<u8>)> = Vec::with_capacity(tagged.len());
                for (tag, number, bytes) in tagged {
                    if tag == 1 {
                        (history, head) = (Some(bytes), number);
                    } else {
                        rows.push((number, bytes));
                    }
                }
                rows.sort_unstable_by_key(|(seq, _)| *seq);
                let mut bytes = 0;
                let mut records = Vec::with_capacity(rows.len());
                for (seq, envelope) in rows {
                    bytes += envelope.len();
                    if !records.is_empty() && bytes > max_bytes {
                        break;
                    }
                    records.push((u64::try_from(seq).unwrap_or(0), envelope));
                }
                Ok(Pulled::Page($crate::store::sync::Page {
                    history: $crate::store::sync::history(history)?,
                    head: u64::try_from(head).unwrap_or(0),
                    records,
                }))
            }

            async fn put_attachment(
                &self,
                org: ulid::Ulid,
                id: [u8; 16],
                hlc: i64,
                author_device: [u8; 16],
                envelope: &[u8],
                max_total: i64,
                at: i64,
            ) -> $crate::store::StoreResult<$crate::store::sync::AttachmentStored> {
                use $crate::store::sync::AttachmentStored;
                let org_id = org.to_string();
                let mut tx = self.org_tx(org, true, false).await?;
                let existing: Option<Vec<u8>> = sqlx::query_scalar(
                    "SELECT envelope FROM attachments WHERE org_id = $1 AND id = $2",
                )
                .bind(&org_id)
                .bind(id.as_slice())
                .fetch_optional(&mut *tx)
                .await?;
                if let Some(stored) = existing {
                    return Ok(if stored == envelope {
                        AttachmentStored::Before
                    } else {
                        AttachmentStored::Different
                    });
                }
                let total: Option<i64> = sqlx::query_scalar(
                    "SELECT CAST(SUM(size) AS BIGINT) FROM attachments WHERE org_id = $1",
                )
                .bind(&org_id)
                .fetch_one(&mut *tx)
                .await?;
                let size = i64::try_from(envelope.len()).unwrap_or(i64::MAX);
                if total.unwrap_or(0).saturating_add(size) > max_total {
                    return Ok(AttachmentStored::OverQuota);
                }
                sqlx::query(
                    "INSERT INTO attachments (org_id, id, hlc, author_device, size, envelope, \
                     created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
                )
                .bind(&org_id)
                .bind(id.as_slice())
                .bind(hlc)
                .bind(author_device.as_slice())
                .bind(size)
                .bind(envelope)
                .bind(at)
                .execute(&mut *tx)
                .await?;
                tx.commit().await?;
                Ok(AttachmentStored::New)
            }

            async fn attachment(
                &self,
                org: ulid::Ulid,
                id: [u8; 16],
            ) -> $crate::store::StoreResult<Option<Vec<u8>>> {
                let mut tx = self.org_tx(org, false, false).await?;
                let envelope: Option<Vec<u8>> = sqlx::query_scalar(
                    "SELECT envelope FROM attachments WHERE org_id = $1 AND id = $2",
                )
                .bind(org.to_string())
                .bind(id.as_slice())
                .fetch_optional(&mut *tx)
                .await?;
                tx.commit().await?;
                Ok(envelope)
            }
        }
    };
}

pub(crate) use sync_store;
