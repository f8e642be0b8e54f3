//! Envelopes refused on arrival, kept for review and another try (docs/sync.md, "A server that
//! lies"). The sync loop moves on past a refused envelope instead of asking for everything after it
//! again every round; what it refused waits here, by the server's sequence number it came at, until
//! it (or the version the server serves at that number later) passes every check, or the person
//! clears it. A row is never trusted: it goes through [`Vault::receive`] like anything new.

use crate::{Result, Vault};

/// Most envelopes kept per organization: a server refusing to stop lying fills no disk.
pub const MAX_QUARANTINED: i64 = 10_000;

/// A refused envelope as kept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HeldEnvelope {
    /// The organization whose pages it came in.
    pub org: [u8; 16],
    /// The server's sequence number it came at.
    pub seq: u64,
    /// The bytes, as they arrived.
    pub envelope: Vec<u8>,
    /// Why it was refused (the last try's reason).
    pub reason: String,
    /// When it was first refused (Unix milliseconds, this device's clock).
    pub first_seen_ms: i64,
}

type QuarantineColumns = (Vec<u8>, i64, Vec<u8>, String, i64);

impl Vault {
    /// Keeps refused envelopes of `org` (sequence number, bytes, reason). One already kept at a
    /// number takes the new bytes and reason and keeps its first sighting. Past
    /// [`MAX_QUARANTINED`] rows for the organization, new ones are dropped (and still counted as
    /// refused by the caller).
    pub async fn quarantine(
        &self,
        org: [u8; 16],
        refused: &[(u64, &[u8], &str)],
        now_ms: i64,
    ) -> Result<()> {
        let mut tx = self.pool.begin().await?;
        quarantine_in(&mut tx, org, refused, now_ms).await?;
        tx.commit().await?;
        Ok(())
    }

    /// The refused envelopes kept for `org` (every organization's if `None`), oldest number first,
    /// at most `limit`.
    pub async fn quarantined(
        &self,
        org: Option<[u8; 16]>,
        limit: i64,
    ) -> Result<Vec<HeldEnvelope>> {
        let rows: Vec<QuarantineColumns> = sqlx::query_as(
            "SELECT org, seq, envelope, reason, first_seen FROM quarantine \
             WHERE ?1 IS NULL OR org = ?1 ORDER BY org, seq LIMIT ?2 + 0",
        )
        .bind(org.as_ref().map(|o| o.as_slice()))
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .into_iter()
            .filter_map(|(org, seq, envelope, reason, first_seen_ms)| {
                Some(HeldEnvelope {
                    org: org.try_into().ok()?,
                    seq: u64::try_from(seq).ok()?,
                    envelope,
                    reason,
                    first_seen_ms,
                })
            })
            .collect())
    }

    /// How many refused envelopes are kept for `org`.
    pub async fn quarantine_len(&self, org: [u8; 16]) -> Result<u64> {
        let (n,): (i64,) = sqlx::query_as("SELECT count(*) FROM quarantine WHERE org = ?")
            .bind(org.as_slice())
            .fetch_one(&self.pool)
            .await?;
        Ok(u64::try_from(n).unwrap_or(0))
    }

    /// Forgets kept envelopes of `org` by sequence number (they passed, or the person cleared
    /// them); all of the organization's when `seqs` is `None`. How many were forgotten.
    pub async fn release(&self, org: [u8; 16], seqs: Option<&[u64]>) -> Result<u64> {
        let mut tx = self.pool.begin().await?;
        let mut released = 0;
        match seqs {
            None => {
                released = sqlx::query("DELETE FROM quarantine WHERE org = ?")
                    .bind(org.as_slice())
                    .execute(&mut *tx)
                    .await?
                    .rows_affected();
            }
            Some(seqs) => {
                for seq in seqs {
                    released += sqlx::query("DELETE FROM quarantine WHERE org = ? AND seq = ?")
                        .bind(org.as_slice())
                        .bind(i64::try_from(*seq).unwrap_or(i64::MAX))
                        .execute(&mut *tx)
                        .await?
                        .rows_affected();
                }
            }
        }
        tx.commit().await?;
        Ok(released)
    }
}

/// [`Vault::quarantine`] inside `tx` (a pulled page's own transaction: `Vault::receive_verified`).
pub(crate) async fn quarantine_in(
    tx: &mut sqlx::Transaction<'_, sqlx::Sqlite>,
    org: [u8; 16],
    refused: &[(u64, &[u8], &str)],
    now_ms: i64,
) -> Result<()> {
    for (seq, envelope, reason) in refused {
        sqlx::query(
            "INSERT INTO quarantine (org, seq, envelope, reason, first_seen) \
             SELECT ?1, ?2, ?3, ?4, ?5 \
             WHERE (SELECT count(*) FROM quarantine WHERE org = ?1) < ?6 \
                OR EXISTS (SELECT 1 FROM quarantine WHERE org = ?1 AND seq = ?2) \
             ON CONFLICT (org, seq) DO UPDATE SET envelope = excluded.envelope, \
                 reason = excluded.reason",
        )
        .bind(org.as_slice())
        .bind(i64::try_from(*seq).unwrap_or(i64::MAX))
        .bind(*envelope)
        .bind(*reason)
        .bind(now_ms)
        .bind(MAX_QUARANTINED)
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}
