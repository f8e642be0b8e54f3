//! When an organization's keys or roles move on (docs/sync.md, "Removal and role changes"): what
//! waits in the outbox under a key that was replaced is sealed again under the new one, what waits
//! there and its writer's role no longer allows is set aside, and a device whose role no longer
//! reads a compartment forgets its keys and its records.

use stint_crypto::{EnvelopeRef, Header, seal_record, seal_row};
use stint_domain::Kind;

use crate::{Compartment, DeviceKeys, Result, Vault, VaultError, columns_of, signature_of};

impl Vault {
    /// Seals again, under the newest key of its compartment, every outbox entry of `org` written
    /// under an older one (the server refuses those once the key moved on): the same header, HLC
    /// and plaintext, a new nonce and signature. The stored record, when it is that same version,
    /// takes the new envelope too. Attachments are left as they are (they go to their own route,
    /// which takes them as written). How many were sealed again.
    pub async fn reseal_outbox(&self, keys: &DeviceKeys, org: [u8; 16]) -> Result<usize> {
        let rows: Vec<(i64, Vec<u8>)> =
            sqlx::query_as("SELECT seq, envelope FROM outbox WHERE org = ? ORDER BY seq")
                .bind(org.as_slice())
                .fetch_all(&self.pool)
                .await?;
        let mut tx = self.pool.begin().await?;
        let mut resealed = 0;
        for (seq, envelope) in rows {
            let Ok(parsed) = EnvelopeRef::parse(&envelope) else {
                continue;
            };
            let old = *parsed.header();
            let Some(compartment) = Compartment::from_u8(old.compartment) else {
                continue;
            };
            let newest = keys.current_epoch(org, compartment).unwrap_or(old.epoch);
            if old.epoch >= newest || old.kind == Kind::Attachment as u16 {
                continue;
            }
            let plaintext = parsed
                .decrypt(keys.org_key(&old).ok_or(VaultError::NoOrgKey)?)
                .map_err(|e| VaultError::Damaged(e.to_string()))?;
            let header = Header {
                epoch: newest,
                ..old
            };
            let key = keys.org_key(&header).ok_or(VaultError::NoOrgKey)?;
            let sealed = seal_record(&header, &plaintext, key, &keys.signing);
            let signature = signature_of(&sealed)
                .ok_or_else(|| VaultError::Damaged("short envelope".into()))?;
            let seal = seal_row(&keys.seal_key, &columns_of(&header), signature);
            sqlx::query("UPDATE outbox SET envelope = ? WHERE seq = ?")
                .bind(&sealed)
                .bind(seq)
                .execute(&mut *tx)
                .await?;
            sqlx::query(
                "UPDATE records SET envelope = ?, seal = ? WHERE org = ? AND id = ? AND hlc = ?",
            )
            .bind(&sealed)
            .bind(seal.as_slice())
            .bind(org.as_slice())
            .bind(header.record.as_slice())
            .bind(header.hlc as i64)
            .execute(&mut *tx)
            .await?;
            resealed += 1;
        }
        tx.commit().await?;
        Ok(resealed)
    }

    /// Sets aside every change of `org` waiting in the outbox that `forbidden` says the writer's
    /// role no longer allows (the server would refuse it, and every batch holding it, for good), in
    /// one transaction: it leaves the outbox; the record it wrote, if that is still the version
    /// stored, goes too (the organization is then read again from the start, which brings back
    /// the version the server holds); and the record's last such version waits in the conflict
    /// log (`not_sent`) for the person to see what was not sent. How many records had changes set
    /// aside.
    pub async fn set_aside(
        &self,
        org: [u8; 16],
        forbidden: impl Fn(&EnvelopeRef<'_>) -> bool,
    ) -> Result<usize> {
        let outbox: Vec<(i64, Vec<u8>)> =
            sqlx::query_as("SELECT seq, envelope FROM outbox WHERE org = ? ORDER BY seq")
                .bind(org.as_slice())
                .fetch_all(&self.pool)
                .await?;
        // The last version set aside of each record, in the order they were written.
        let mut last: Vec<(Header, Vec<u8>)> = Vec::new();
        let mut tx = self.pool.begin().await?;
        for (seq, envelope) in outbox {
            let Ok(parsed) = EnvelopeRef::parse(&envelope) else {
                continue;
            };
            if !forbidden(&parsed) {
                continue;
            }
            let header = *parsed.header();
            sqlx::query("DELETE FROM outbox WHERE seq = ?")
                .bind(seq)
                .execute(&mut *tx)
                .await?;
            sqlx::query("DELETE FROM records WHERE org = ? AND id = ? AND hlc = ?")
                .bind(org.as_slice())
                .bind(header.record.as_slice())
                .bind(header.hlc as i64)
                .execute(&mut *tx)
                .await?;
            last.retain(|(h, _)| h.record != header.record);
            last.push((header, envelope));
        }
        for (header, envelope) in &last {
            let shown = Kind::from_u16(header.kind)
                .is_some_and(|k| k != Kind::Attachment && !k.is_write_log());
            if shown {
                log_not_sent(&mut tx, header, envelope).await?;
            }
        }
        tx.commit().await?;
        Ok(last.len())
    }

    /// Forgets `compartment` of `org` on this device: its keys, its records and what of it waits
    /// in the outbox, in one transaction (a role that no longer reads it, docs/sync.md). How many
    /// records went.
    pub async fn forget_compartment(
        &self,
        keys: &mut DeviceKeys,
        org: [u8; 16],
        compartment: Compartment,
    ) -> Result<u64> {
        let kinds: Vec<i64> = Kind::ALL
            .iter()
            .filter(|k| k.compartment() == compartment)
            .map(|k| *k as i64)
            .collect();
        let mut tx = self.pool.begin().await?;
        let mut gone = 0;
        for kind in &kinds {
            gone += sqlx::query("DELETE FROM records WHERE org = ? AND kind = ?")
                .bind(org.as_slice())
                .bind(kind)
                .execute(&mut *tx)
                .await?
                .rows_affected();
        }
        let outbox: Vec<(i64, Vec<u8>)> =
            sqlx::query_as("SELECT seq, envelope FROM outbox WHERE org = ?")
                .bind(org.as_slice())
                .fetch_all(&mut *tx)
                .await?;
        for (seq, envelope) in outbox {
            if EnvelopeRef::parse(&envelope)
                .is_ok_and(|e| e.header().compartment == compartment as u8)
            {
                sqlx::query("DELETE FROM outbox WHERE seq = ?")
                    .bind(seq)
                    .execute(&mut *tx)
                    .await?;
            }
        }
        sqlx::query("DELETE FROM org_keys WHERE org = ? AND compartment = ?")
            .bind(org.as_slice())
            .bind(i64::from(compartment as u8))
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        keys.org_keys
            .retain(|(o, c, _), _| !(*o == org && *c == compartment as u8));
        Ok(gone)
    }
}

/// Logs `envelope`, a change of this device's that was never sent, as a `not_sent` conflict.
async fn log_not_sent(
    tx: &mut sqlx::Transaction<'_, sqlx::Sqlite>,
    header: &Header,
    envelope: &[u8],
) -> Result<()> {
    sqlx::query(
        "INSERT OR IGNORE INTO conflicts \
         (org, record, kind, fields, lost, lost_hlc, lost_device, not_sent) \
         VALUES (?, ?, ?, x'', ?, ?, ?, 1)",
    )
    .bind(header.org.as_slice())
    .bind(header.record.as_slice())
    .bind(i64::from(header.kind))
    .bind(envelope)
    .bind(header.hlc as i64)
    .bind(header.author_device.as_slice())
    .execute(&mut **tx)
    .await?;
    Ok(())
}
