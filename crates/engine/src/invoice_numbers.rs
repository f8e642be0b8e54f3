//! Invoice numbers in a synced organization (docs/sync.md, "Invoice numbers"): the server hands
//! them out, so that two people issuing at the same moment on two devices never get the same
//! number nor leave a gap. The series is named to the server by a keyed hash, so that invoice
//! prefixes, client ids and years stay private.

use jiff::civil::Date;
use stint_domain::invoice::SeriesKey;
use stint_domain::{Action, Compartment, InvoiceId, OrgId, ValidationError};

use crate::invoicing::InvoiceView;
use crate::sync::{Transport, cursor_setting, sync_error};
use crate::{ActAs, Engine, Result};

const SERIES_KEY_INFO: &[u8] = b"stint-invoice-series-v1";

impl Engine {
    /// Whether `org` is synced (published from here, or received): then the server numbers its
    /// invoices.
    pub async fn is_synced(&self, org: OrgId) -> Result<bool> {
        Ok(self.vault.setting(&cursor_setting(org)).await?.is_some())
    }

    /// How the series is named to the server: HMAC-SHA256 under a subkey of the organization's
    /// first finance key (every role that may issue holds it) over the organization and the
    /// series' bytes (docs/formats.md, "Invoice series").
    pub(crate) fn series_tag(&self, org: OrgId, series: &SeriesKey) -> Result<[u8; 32]> {
        let key = self
            .keys
            .org_key_for(org.to_bytes(), Compartment::Finance, 1)
            .ok_or_else(|| sync_error("this device holds no finance key of the organization"))?;
        Ok(key
            .derive(SERIES_KEY_INFO)
            .mac(&[&org.to_bytes(), &series.to_bytes()]))
    }

    /// Issues a draft; in a synced organization with the number the server gives for its series
    /// (the same again if this invoice asked before, after a failure), else as
    /// [`Engine::issue_invoice`]. Offline, a synced organization's draft stays a draft, with a
    /// clear message.
    pub async fn issue_invoice_online<T: Transport>(
        &mut self,
        t: &T,
        by: &ActAs,
        id: InvoiceId,
        date: Option<Date>,
    ) -> Result<InvoiceView> {
        if !self.is_synced(by.org).await? {
            return self.issue_invoice(by, id, date).await;
        }
        let (state, invoice) = self.invoice_for_change(by, id, Action::FinalizeInvoice)?;
        let date = date.unwrap_or_else(|| state.time_zone().to_datetime(self.now()).date());
        let profile = state.billing.as_ref().ok_or_else(|| {
            ValidationError::new("set up the billing profile (your address, numbering) before issuing: `stint billing set`")
        })?;
        // Everything issuing checks, checked before a number is taken: a number given to a draft
        // that then cannot be issued would be a gap.
        let buyer = state
            .client_billing
            .get(&invoice.client)
            .map(|d| d.buyer.clone())
            .ok_or_else(|| {
                ValidationError::new(
                    "the client has no billing address yet: `stint billing client`",
                )
            })?;
        invoice
            .clone()
            .issue(String::new(), date, profile.seller.clone(), buyer)?;
        let series = profile
            .numbering
            .series(date, invoice.client, invoice.is_credit_note());
        let after = profile.counters.get(&series);
        let tag = self.series_tag(by.org, &series)?;
        let value = t
            .invoice_number(by.org, tag, id, after)
            .await
            .map_err(|why| {
                sync_error(format!(
                    "the invoice was not issued, as the server gives out the numbers and could not be asked ({why}); it stays a draft"
                ))
            })?;
        self.issue_numbered(by, id, Some(date), Some(value)).await
    }
}
