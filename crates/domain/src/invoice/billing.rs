//! Who bills whom: the organization's billing profile (seller address, bank account, numbering,
//! defaults) and each client's billing details (buyer address, VAT id, number prefix). Both live in the
//! finance compartment: Members never receive them.

use super::letter::{InvoiceTexts, Language, SellerLegal};
use super::numbering::{Counters, NumberingScheme};
use super::{Party, Tax, TaxMode, TaxRounding};
use crate::ids::{BillingId, ClientId};
use crate::validate::{self, ValidationError};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// A bank account for transfers.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize, ts_rs::TS)]
#[ts(export)]
pub struct BankAccount {
    /// Account holder as the bank knows it.
    pub holder: String,
    /// IBAN, stored without spaces.
    pub iban: String,
    /// BIC, if given.
    pub bic: Option<String>,
}

impl BankAccount {
    /// Check the IBAN's country format and checksum, and normalize it.
    pub fn validate(mut self) -> Result<Self, ValidationError> {
        self.holder = validate::name("account holder", &self.holder)?;
        let compact: String = self
            .iban
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect::<String>()
            .to_ascii_uppercase();
        use iban::IbanLike;
        let iban: iban::Iban = compact.parse().map_err(|_| {
            ValidationError::new(format!(
                "{:?} is not a valid IBAN (check the country code, length and digits)",
                self.iban.trim()
            ))
        })?;
        self.iban = iban.electronic_str().to_owned();
        self.bic = match self.bic.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(bic) => {
                let bic = bic.to_ascii_uppercase();
                let ok = matches!(bic.len(), 8 | 11)
                    && bic.chars().all(|c| c.is_ascii_alphanumeric())
                    && bic[..6].chars().all(|c| c.is_ascii_alphabetic());
                if !ok {
                    return Err(ValidationError::new(format!(
                        "{bic:?} is not a BIC (8 or 11 letters and digits, e.g. COBADEFFXXX)"
                    )));
                }
                Some(bic)
            }
        };
        Ok(self)
    }
}

/// The organization's billing profile.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize, ts_rs::TS)]
#[ts(export)]
pub struct BillingProfile {
    /// Its id.
    pub id: BillingId,
    /// The seller on every invoice.
    pub seller: Party,
    /// Where clients pay.
    pub bank: Option<BankAccount>,
    /// How numbers are made.
    pub numbering: NumberingScheme,
    /// The last numbers used (advanced only when an invoice is issued).
    #[ts(skip)]
    #[serde(default)]
    pub counters: Counters,
    /// Days to pay, unless the client has its own.
    pub payment_days: u16,
    /// Tax on new lines, unless the client has its own.
    pub default_tax: Tax,
    /// Whether prices include tax.
    pub tax_mode: TaxMode,
    /// Where tax is rounded.
    pub tax_rounding: TaxRounding,
    /// Named rates offered when a line is added ("Reduced 7 %", "Reverse charge"); the default tax
    /// is always offered too.
    #[serde(default)]
    pub tax_rates: Vec<TaxRate>,
    /// Register, managing directors, seat, tax number: the footer of every invoice.
    #[serde(default)]
    pub legal: SellerLegal,
    /// Subject, intro and closing of new invoices, at most one set per language.
    #[serde(default)]
    pub texts: Vec<InvoiceTexts>,
}

/// A tax rate under a name people pick it by.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize, ts_rs::TS)]
#[ts(export)]
pub struct TaxRate {
    /// What it is called in pickers.
    pub name: String,
    /// The category and percentage.
    pub tax: Tax,
}

/// At most this many named rates (a picker, not a tax table).
pub const MAX_TAX_RATES: usize = 20;

impl BillingProfile {
    /// A profile with German-style defaults and an empty address (to be completed before issuing).
    pub fn new(id: BillingId, seller_name: &str) -> Self {
        Self {
            id,
            seller: Party {
                name: seller_name.to_owned(),
                ..Party::default()
            },
            bank: None,
            numbering: NumberingScheme::default(),
            counters: Counters::default(),
            payment_days: 14,
            default_tax: Tax::standard(Decimal::from(19)),
            tax_mode: TaxMode::Exclusive,
            tax_rounding: TaxRounding::PerDocument,
            tax_rates: Vec::new(),
            legal: SellerLegal::default(),
            texts: Vec::new(),
        }
    }

    /// The organization's texts for invoices in `language`, if it wrote some.
    pub fn texts_in(&self, language: Language) -> Option<&InvoiceTexts> {
        self.texts.iter().find(|t| t.language == language)
    }

    /// Check every field.
    pub fn validate(mut self) -> Result<Self, ValidationError> {
        self.seller = self.seller.validate("seller")?;
        self.bank = self.bank.map(BankAccount::validate).transpose()?;
        self.numbering = self.numbering.validate()?;
        if self.payment_days > 365 {
            return Err(ValidationError::new("payment terms are at most 365 days"));
        }
        self.default_tax = self.default_tax.validate()?;
        if self.tax_rates.len() > MAX_TAX_RATES {
            return Err(ValidationError::new(format!(
                "at most {MAX_TAX_RATES} named tax rates"
            )));
        }
        let mut names: Vec<String> = Vec::with_capacity(self.tax_rates.len());
        for rate in &mut self.tax_rates {
            rate.name = crate::validate::name("tax rate", &rate.name)?;
            rate.tax = rate.tax.validate()?;
            let folded = rate.name.to_lowercase();
            if names.contains(&folded) {
                return Err(ValidationError::new(format!(
                    "two tax rates are named {:?}",
                    rate.name
                )));
            }
            names.push(folded);
        }
        self.legal = self.legal.validate()?;
        let mut texts = Vec::with_capacity(self.texts.len());
        for t in std::mem::take(&mut self.texts) {
            if texts
                .iter()
                .any(|k: &InvoiceTexts| k.language == t.language)
            {
                return Err(ValidationError::new(format!(
                    "two sets of invoice texts in {}",
                    t.language.code()
                )));
            }
            texts.push(t.validate()?);
        }
        texts.sort_by_key(|t| t.language);
        self.texts = texts;
        Ok(self)
    }
}

/// A client's billing details.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize, ts_rs::TS)]
#[ts(export)]
pub struct ClientBilling {
    /// Its id.
    pub id: BillingId,
    /// The client.
    pub client: ClientId,
    /// The buyer on its invoices.
    pub buyer: Party,
    /// Replaces `{CLIENT}` in invoice numbers.
    pub prefix: String,
    /// Days to pay, if not the profile's.
    pub payment_days: Option<u16>,
    /// Tax on its lines, if not the profile's (e.g. reverse charge for a client abroad).
    pub tax: Option<Tax>,
    /// The buyer's reference for its invoices (EN 16931 BT-10; the Leitweg-ID for German public bodies).
    #[serde(default)]
    pub buyer_reference: Option<String>,
    /// The language of its invoices, if not the organization's.
    #[serde(default)]
    pub language: Option<Language>,
}

impl ClientBilling {
    /// Check every field.
    pub fn validate(mut self) -> Result<Self, ValidationError> {
        self.buyer = self.buyer.validate("buyer")?;
        self.prefix = self.prefix.trim().to_owned();
        if self.prefix.chars().count() > 12
            || !self
                .prefix
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        {
            return Err(ValidationError::new(
                "the client's number prefix is at most 12 letters, digits, '-' or '_'",
            ));
        }
        if self.payment_days.is_some_and(|d| d > 365) {
            return Err(ValidationError::new("payment terms are at most 365 days"));
        }
        self.tax = self.tax.map(Tax::validate).transpose()?;
        self.buyer_reference = match self.buyer_reference.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(r) if r.chars().count() <= 100 && !r.chars().any(char::is_control) => {
                Some(r.to_owned())
            }
            Some(_) => {
                return Err(ValidationError::new(
                    "the buyer reference is one line of at most 100 characters",
                ));
            }
        };
        Ok(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::invoice::TaxCategory;
    use rust_decimal_macros::dec;
    use ulid::Ulid;

    fn rate(name: &str, tax: Tax) -> TaxRate {
        TaxRate {
            name: name.into(),
            tax,
        }
    }

    #[test]
    fn named_tax_rates_are_trimmed_unique_and_valid() {
        let mut profile = BillingProfile::new(BillingId(Ulid::from_parts(1, 1)), "Acme");
        profile.tax_rates = vec![
            rate(" Reduced ", Tax::standard(dec!(7))),
            rate("Reverse charge", Tax::zero(TaxCategory::ReverseCharge)),
        ];
        let checked = profile.clone().validate().unwrap();
        assert_eq!(checked.tax_rates[0].name, "Reduced");

        let mut twice = profile.clone();
        twice
            .tax_rates
            .push(rate("REDUCED", Tax::standard(dec!(5))));
        let err = twice.validate().unwrap_err().to_string();
        assert!(err.contains("two tax rates are named"), "{err}");

        let mut bad = profile.clone();
        bad.tax_rates.push(rate("Odd", Tax::standard(dec!(120))));
        assert!(
            bad.validate()
                .unwrap_err()
                .to_string()
                .contains("between 0 and 100")
        );

        let mut unnamed = profile.clone();
        unnamed.tax_rates.push(rate("  ", Tax::standard(dec!(5))));
        assert!(unnamed.validate().is_err());

        let mut many = profile;
        many.tax_rates = (0..=MAX_TAX_RATES)
            .map(|i| rate(&format!("Rate {i}"), Tax::standard(dec!(10))))
            .collect();
        assert!(many.validate().unwrap_err().to_string().contains("at most"));
    }

    #[test]
    fn profiles_saved_before_named_rates_still_read() {
        let profile = BillingProfile::new(BillingId(Ulid::from_parts(1, 1)), "Acme");
        let mut json = serde_json::to_value(&profile).unwrap();
        json.as_object_mut().unwrap().remove("tax_rates");
        let read: BillingProfile = serde_json::from_value(json).unwrap();
        assert_eq!(read, profile);
    }
}
