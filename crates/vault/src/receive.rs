//! Records that arrive from elsewhere (docs/sync.md), and the outbox that sends this device's own.
//!
//! A received envelope is stored **as it arrived**: its author device and signature are kept, so
//! every device ends up holding the same bytes for a record. Before it is stored it must parse,
//! carry a valid signature by its author device's certified key (the caller looks the certificate
//! up), and decrypt under an organization key this device holds; anything else is refused and
//! reported, never stored. Of two versions of one record the greater `(hlc, author device)` is
//! kept, the same order the server and every other device use. Receiving advances this vault's
//! clock past every HLC it sees.

use std::sync::atomic::Ordering;

use stint_crypto::{EnvelopeRef, Header, VerifyingKey, seal_row};

use crate::{DeviceKeys, Result, Vault, columns_of, signature_of};

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
    /// Envelopes this vault already had, or older than the version it has.
    pub unchanged: usize,
    /// Envelopes refused.
    pub refused: Vec<Refused>,
}

/// An outbox entry: a version this device wrote, waiting to be pushed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outgoing {
    /// Its place in the outbox; [`Vault::ack_outbox`] takes it.
    pub seq: i64,
    /// The envelope, as sealed.
    pub envelope: Vec<u8>,
}

impl Vault {
    /// Store envelopes received for the organizations this device holds keys for. `signer` gives
    /// the certified public key of an envelope's author device (`None` if the device holds no
    /// valid certificate of the author). One transaction for the batch.
    pub async fn receive(
        &self,
        keys: &DeviceKeys,
        envelopes: &[Vec<u8>],
        signer: impl Fn(&Header) -> Option<VerifyingKey>,
    ) -> Result<Received> {
        let mut received = Received::default();
        let mut accepted: Vec<(usize, Header)> = Vec::with_capacity(envelopes.len());
        for (index, bytes) in envelopes.iter().enumerate() {
            match check(keys, bytes, &signer) {
                Ok(header) => accepted.push((index, header)),
                Err(reason) => received.refused.push(Refused { index, reason }),
            }
        }
        let mut tx = self.pool.begin().await?;
        for (index, header) in accepted {
            let envelope = &envelopes[index];
            let existing: Option<(Vec<u8>,)> =
                sqlx::query_as("SELECT envelope FROM records WHERE org = ? AND id = ?")
                    .bind(header.org.as_slice())
                    .bind(header.record.as_slice())
                    .fetch_optional(&mut *tx)
                    .await?;
            let newer = match &existing {
                None => true,
                Some((stored,)) => match EnvelopeRef::parse(stored) {
                    Ok(old) => {
                        (header.hlc, header.author_device)
                            > (old.header().hlc, old.header().author_device)
                    }
                    // A stored row that does not parse is damaged; the authentic version replaces it.
                    Err(_) => true,
                },
            };
            self.last_hlc.fetch_max(header.hlc, Ordering::SeqCst);
            if !newer {
                received.unchanged += 1;
                continue;
            }
            let Some(signature) = signature_of(envelope) else {
                // Cannot happen for an envelope that parsed; refused rather than trusted.
                received.refused.push(Refused {
                    index,
                    reason: "the envelope has no signature".into(),
                });
                continue;
            };
            let seal = seal_row(&keys.seal_key, &columns_of(&header), signature);
            sqlx::query(
                "INSERT INTO records (org, id, kind, hlc, envelope, seal) VALUES (?, ?, ?, ?, ?, ?) \
                 ON CONFLICT(org, id) DO UPDATE SET kind = excluded.kind, hlc = excluded.hlc, \
                 envelope = excluded.envelope, seal = excluded.seal",
            )
            .bind(header.org.as_slice())
            .bind(header.record.as_slice())
            .bind(i64::from(header.kind))
            .bind(header.hlc as i64)
            .bind(envelope.as_slice())
            .bind(seal.as_slice())
            .execute(&mut *tx)
            .await?;
            received.stored.push(header);
        }
        tx.commit().await?;
        Ok(received)
    }

    /// The oldest `limit` outbox entries of `org`, in the order they were written.
    pub async fn outbox_batch(&self, org: [u8; 16], limit: i64) -> Result<Vec<Outgoing>> {
        let rows: Vec<(i64, Vec<u8>)> =
            sqlx::query_as("SELECT seq, envelope FROM outbox WHERE org = ? ORDER BY seq LIMIT ?")
                .bind(org.as_slice())
                .bind(limit)
                .fetch_all(&self.pool)
                .await?;
        Ok(rows
            .into_iter()
            .map(|(seq, envelope)| Outgoing { seq, envelope })
            .collect())
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
        for seq in seqs {
            sqlx::query("DELETE FROM outbox WHERE seq = ?")
                .bind(seq)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(())
    }
}

/// Parses, checks the signature under the author's certified key, and checks that the ciphertext
/// opens under this device's key for its organization, compartment and epoch.
fn check(
    keys: &DeviceKeys,
    bytes: &[u8],
    signer: &impl Fn(&Header) -> Option<VerifyingKey>,
) -> std::result::Result<Header, String> {
    let envelope = EnvelopeRef::parse(bytes).map_err(|e| e.to_string())?;
    let header = *envelope.header();
    let key = signer(&header).ok_or("its author device holds no valid certificate")?;
    envelope.verify(&key).map_err(|e| e.to_string())?;
    let org_key = keys
        .org_key(&header)
        .ok_or("this device holds no key for its organization, compartment and epoch")?;
    envelope.decrypt(org_key).map_err(|e| e.to_string())?;
    Ok(header)
}
