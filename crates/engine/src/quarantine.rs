//! Envelopes refused on arrival (docs/sync.md, "A server that lies"): kept in the vault's
//! quarantine by the server's sequence number they came at, reported, never shown. A round moves
//! past them, then tries them again: as kept (a certificate or key this device lacked may have
//! arrived since), then, for the oldest few, as the server serves that number now (a server that
//! spoiled a version once and is honest again gives it back). Whatever passes is stored like
//! anything received and leaves the quarantine.

use stint_crypto::EnvelopeRef;
use stint_domain::{Kind, MemberId, OrgId};
use stint_vault::{Header, MAX_QUARANTINED, PageEnd, UNCERTIFIED, Verified};

use rayon::prelude::*;

use crate::records::Record;
use crate::sync::{Arrived, SyncReport, Transport, sync_error};
use crate::team::Signers;
use crate::{Engine, Result, UNLOADED};

/// Kept envelopes asked for again from the server per organization and round (one small request
/// each).
const REFETCH_PER_ROUND: usize = 32;

/// Why an envelope of another organization is refused, whatever it holds.
const FOREIGN: &str = "an envelope of another organization, served in this one's pages";
/// Why an envelope is refused whose author device is certified for another member than the one
/// its header names.
const ANOTHER_MEMBERS: &str =
    "its author device is certified for another member than the header names";

/// A refused envelope as the person reviews it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, ts_rs::TS)]
#[ts(export)]
pub struct QuarantineView {
    /// The organization whose pages it came in.
    pub org: OrgId,
    /// The server's sequence number it came at.
    #[ts(type = "number")]
    pub seq: u64,
    /// The record it names, if its header reads (32 hex digits).
    pub record: Option<String>,
    /// The device it names as author, if its header reads (32 hex digits).
    pub author_device: Option<String>,
    /// Its size in bytes.
    #[ts(type = "number")]
    pub bytes: usize,
    /// Why it was refused.
    pub reason: String,
    /// When it was first refused (Unix milliseconds, this device's clock).
    #[ts(type = "number")]
    pub first_seen_ms: i64,
}

/// What receiving a batch left refused: (index in the batch, reason).
pub(crate) type Refusals = Vec<(usize, String)>;

impl Engine {
    /// Checks the signatures of envelopes that came in `org`'s pages under this round's certified
    /// keys; those of another organization are refused whatever they hold. Needs no vault, so a
    /// page can be checked while the one before it is stored.
    pub(crate) fn verify_in(org: OrgId, envelopes: Vec<Vec<u8>>, signers: &Signers) -> Verified {
        Verified::check(envelopes, |h: &Header| {
            if h.org != org.to_bytes() {
                return Err(FOREIGN.to_owned());
            }
            match signers.get(&h.author_device) {
                Some((user, key)) if *user == h.author_user => Ok(*key),
                Some(_) => Err(ANOTHER_MEMBERS.to_owned()),
                None => Err(UNCERTIFIED.to_owned()),
            }
        })
    }

    /// Merges and stores a checked page, and with a pulled page its [`PageEnd`] (refusals
    /// quarantined, cursor moved: one transaction). What was stored is decoded into `arrived` when
    /// given. Counts into `report`; returns what was refused, by index.
    pub(crate) async fn store_in(
        &self,
        page: &Verified,
        end: Option<&PageEnd<'_>>,
        arrived: Option<&mut Arrived>,
        me: MemberId,
        report: &mut SyncReport,
    ) -> Result<Refusals> {
        let got = self
            .vault
            .receive_verified(&self.keys, me.to_bytes(), page, end)
            .await?;
        if let Some(arrived) = arrived {
            let decoded: Vec<_> = got
                .stored
                .par_iter()
                .zip(&got.plaintexts)
                .filter(|(header, _)| !UNLOADED.contains(&header.kind))
                .map(|(header, plaintext)| (*header, Record::decode_checked(header, plaintext)))
                .collect();
            for (header, record) in decoded {
                arrived.insert(header.record, (header, record));
            }
        }
        // Write log entries are bookkeeping, not records anyone sees: not counted.
        report.received += got
            .stored
            .iter()
            .filter(|h| !Kind::numbers_write_log(h.kind))
            .count();
        report.merged += got.merged;
        report.conflicts += got.conflicts;
        Ok(got
            .refused
            .into_iter()
            .map(|r| (r.index, r.reason))
            .collect())
    }

    /// [`Engine::verify_in`], then [`Engine::store_in`].
    pub(crate) async fn receive_in(
        &self,
        org: OrgId,
        envelopes: &[Vec<u8>],
        signers: &Signers,
        arrived: Option<&mut Arrived>,
        me: MemberId,
        report: &mut SyncReport,
    ) -> Result<Refusals> {
        let page = Self::verify_in(org, envelopes.to_vec(), signers);
        self.store_in(&page, None, arrived, me, report).await
    }

    /// Tries `org`'s quarantine again: as kept, then as the server serves the oldest numbers now.
    pub(crate) async fn retry_quarantine<T: Transport>(
        &self,
        t: &T,
        org: OrgId,
        signers: &Signers,
        me: MemberId,
        report: &mut SyncReport,
        mut arrived: Option<&mut Arrived>,
    ) -> Result<()> {
        let held = self
            .vault
            .quarantined(Some(org.to_bytes()), MAX_QUARANTINED)
            .await?;
        if held.is_empty() {
            return Ok(());
        }
        let kept: Vec<Vec<u8>> = held.iter().map(|q| q.envelope.clone()).collect();
        let refused = self
            .receive_in(org, &kept, signers, arrived.as_deref_mut(), me, report)
            .await?;
        let still: Vec<usize> = refused.iter().map(|(i, _)| *i).collect();
        let passed: Vec<u64> = (0..held.len())
            .filter(|i| !still.contains(i))
            .map(|i| held[i].seq)
            .collect();
        self.vault.release(org.to_bytes(), Some(&passed)).await?;

        let mut fetched: Vec<(u64, Vec<u8>)> = Vec::new();
        let mut gone: Vec<u64> = Vec::new();
        for &i in still.iter().take(REFETCH_PER_ROUND) {
            let q = &held[i];
            let page = t
                .pull(org, q.seq.saturating_sub(1), 1)
                .await
                .map_err(sync_error)?;
            match page.records.into_iter().next() {
                Some(p) if p.seq == q.seq => {
                    if p.envelope != q.envelope {
                        fetched.push((p.seq, p.envelope));
                    }
                }
                // The server keeps only a record's latest version: a number it no longer serves
                // was superseded by a later version, which comes in its own right.
                _ => gone.push(q.seq),
            }
        }
        self.vault.release(org.to_bytes(), Some(&gone)).await?;
        if fetched.is_empty() {
            return Ok(());
        }
        let envelopes: Vec<Vec<u8>> = fetched.iter().map(|(_, e)| e.clone()).collect();
        let refused = self
            .receive_in(org, &envelopes, signers, arrived, me, report)
            .await?;
        let still: Vec<usize> = refused.iter().map(|(i, _)| *i).collect();
        let passed: Vec<u64> = (0..fetched.len())
            .filter(|i| !still.contains(i))
            .map(|i| fetched[i].0)
            .collect();
        self.vault.release(org.to_bytes(), Some(&passed)).await?;
        let now_ms = self.now().as_millisecond();
        let again: Vec<(u64, &[u8], &str)> = refused
            .iter()
            .map(|(i, reason)| (fetched[*i].0, fetched[*i].1.as_slice(), reason.as_str()))
            .collect();
        self.vault
            .quarantine(org.to_bytes(), &again, now_ms)
            .await?;
        Ok(())
    }

    /// The refused envelopes kept for review, every organization's, oldest number first.
    pub async fn refused_envelopes(&self) -> Result<Vec<QuarantineView>> {
        let held = self.vault.quarantined(None, MAX_QUARANTINED).await?;
        Ok(held
            .into_iter()
            .map(|q| {
                let header = EnvelopeRef::parse(&q.envelope).ok().map(|e| *e.header());
                QuarantineView {
                    org: OrgId::from_bytes(q.org),
                    seq: q.seq,
                    record: header.map(|h| crate::hex(&h.record)),
                    author_device: header.map(|h| crate::hex(&h.author_device)),
                    bytes: q.envelope.len(),
                    reason: q.reason,
                    first_seen_ms: q.first_seen_ms,
                }
            })
            .collect())
    }

    /// Forgets the refused envelopes kept for `org`; how many.
    pub async fn forget_refused(&self, org: OrgId) -> Result<u64> {
        Ok(self.vault.release(org.to_bytes(), None).await?)
    }
}

#[cfg(test)]
mod tests {
    use stint_crypto::{SigningKey, SymmetricKey, seal_record};

    use super::*;

    /// An envelope is checked under its author device's certified key *and* against the member
    /// that certificate is for: a Member's device cannot pass a record off as the Owner's.
    #[test]
    fn an_envelope_counts_only_for_the_member_its_device_is_certified_for() {
        let org = OrgId::from_bytes([1; 16]);
        let (mia, ada, device) = ([2; 16], [3; 16], [4; 16]);
        let key = SigningKey::generate();
        let signers: Signers = [(device, (mia, key.verifying_key()))].into();
        let envelope = |author_user: [u8; 16]| {
            seal_record(
                &Header {
                    org: org.to_bytes(),
                    record: [5; 16],
                    kind: Kind::Client as u16,
                    compartment: Kind::Client.compartment() as u8,
                    epoch: 1,
                    author_user,
                    author_device: device,
                    hlc: 1,
                    tombstone: false,
                    owner: [0; 16],
                    log: 0,
                },
                b"payload",
                &SymmetricKey::from_bytes([7; 32]),
                &key,
            )
        };
        let checked = Engine::verify_in(org, vec![envelope(mia), envelope(ada)], &signers);
        assert_eq!(checked.refusals(), [None, Some(ANOTHER_MEMBERS.to_owned())]);
    }
}
