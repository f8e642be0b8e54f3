//! Attachments over sync (docs/sync.md, "Attachments"). A receipt or logo is one envelope of its
//! own (kind `Attachment`, immutable: a new file gets a new id), stored in the vault like a record.
//! It leaves the device through the outbox but on its own route (`Transport::put_attachment`, see
//! `Engine::push_org`), never in a push batch, so a 20 MiB receipt neither breaks a batch's limits
//! nor travels in every first sync. Other devices fetch it when they first need it: a logo right
//! after the round that named it (an invoice needs it offline too), a receipt when it is opened
//! ([`Engine::synced_receipt`]). What arrives is checked as every received envelope is: its id and
//! kind are the ones asked for, its organization is this one, its author device is certified by the
//! account's identity and its signature holds, and it opens with the organization's key. A
//! refusal stores nothing.

use stint_crypto::EnvelopeRef;
use stint_domain::{AttachmentId, ExpenseId, Kind, MemberId, OrgId, Receipt};
use stint_vault::Zeroizing;

use crate::sync::{SyncReport, Transport, sync_error};
use crate::team::Signers;
use crate::{ActAs, Engine, EngineError, Result, records};

impl Engine {
    /// Fetches attachment `id` of `org` from the server when this device lacks it, checks it and
    /// stores it. `false` when it was here already.
    pub async fn fetch_attachment<T: Transport>(
        &self,
        t: &T,
        org: OrgId,
        id: AttachmentId,
    ) -> Result<bool> {
        if self.vault.has_record(org.to_bytes(), id.to_bytes()).await? {
            return Ok(false);
        }
        let account = self.account().await?;
        let own = self.signers(t, &account).await?;
        let log = crate::membership::kept_log(&self.vault, org).await?;
        let known = self
            .known_members(t, &account, org, &own, log.as_ref().map(|(log, _)| log))
            .await?;
        self.fetch_checked(t, org, id, &known.signers, account.user)
            .await?;
        Ok(true)
    }

    /// Downloads attachment `id` and stores it once it passed every check.
    pub(crate) async fn fetch_checked<T: Transport>(
        &self,
        t: &T,
        org: OrgId,
        id: AttachmentId,
        signers: &Signers,
        me: MemberId,
    ) -> Result<()> {
        let refused = |why: &str| sync_error(format!("attachment {id} was refused: {why}"));
        let envelope = t
            .attachment(org, id)
            .await
            .map_err(sync_error)?
            .ok_or_else(|| {
                sync_error(format!(
                    "the server has no attachment {id}; the device that added it has not sent it yet"
                ))
            })?;
        {
            let parsed = EnvelopeRef::parse(&envelope).map_err(|e| refused(&e.to_string()))?;
            let h = parsed.header();
            if h.record != id.to_bytes() {
                return Err(refused(
                    "the server sent another record than the one asked for",
                ));
            }
            if h.kind != Kind::Attachment as u16 || h.tombstone {
                return Err(refused("the server sent a record that is no attachment"));
            }
        }
        let mut report = SyncReport::default();
        let refusals = self
            .receive_in(
                org,
                std::slice::from_ref(&envelope),
                signers,
                None,
                me,
                &mut report,
            )
            .await?;
        match refusals.into_iter().next() {
            Some((_, reason)) => Err(refused(&reason)),
            None => Ok(()),
        }
    }

    /// Fetches the logo each of `orgs` names and this device lacks, and shows it. A logo that
    /// cannot be fetched is left out (the invoice renders without it) and named in the report.
    pub(crate) async fn fetch_logos<T: Transport>(
        &mut self,
        t: &T,
        reports: &mut [(OrgId, SyncReport)],
        signers: &Signers,
        me: MemberId,
    ) -> Result<()> {
        for (org, report) in reports.iter_mut() {
            let org = *org;
            let Some(logo) = self
                .orgs
                .get(&org)
                .and_then(|s| s.org.as_ref())
                .and_then(|o| o.logo)
            else {
                continue;
            };
            if self
                .vault
                .has_record(org.to_bytes(), logo.to_bytes())
                .await?
            {
                continue;
            }
            match self.fetch_checked(t, org, logo, signers, me).await {
                Ok(()) => report.fetched += 1,
                Err(EngineError::Sync(why)) => {
                    report.attachment_problem = Some(format!("the logo: {why}"));
                    continue;
                }
                Err(e) => return Err(e),
            }
            if let Some(Ok(opened)) = self
                .vault
                .get(&self.keys, org.to_bytes(), logo.to_bytes())
                .await?
                && records::check_attachment(&opened.header).is_ok()
            {
                self.state_mut(org)?.logo = Some(opened.plaintext.to_vec());
            }
        }
        Ok(())
    }

    /// An expense's receipt, fetched from the server first when this device lacks it (a receipt
    /// another device attached). The same checks and refusals as [`Engine::receipt`].
    pub async fn synced_receipt<T: Transport>(
        &self,
        t: &T,
        by: &ActAs,
        id: ExpenseId,
    ) -> Result<(Receipt, Zeroizing<Vec<u8>>)> {
        let receipt = self.receipt_of(by, id)?;
        self.fetch_attachment(t, by.org, receipt.attachment).await?;
        self.receipt(by, id).await
    }
}
