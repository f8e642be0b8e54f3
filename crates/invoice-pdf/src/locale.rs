//! Labels per language. Numbers, money and dates are written by `stint_locale::Format`, in the
//! locale the caller chose ([`crate::Document::number_locale`]) or the language's own ([`Locale::tag`]).

/// The language of a document's labels.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Locale {
    /// English.
    #[default]
    En,
    /// German.
    De,
    /// French.
    Fr,
}

/// Every fixed text printed on a document, in one language.
#[derive(Clone, Copy, Debug)]
pub struct Labels {
    /// Title of an invoice.
    pub invoice: &'static str,
    /// Title of a credit note.
    pub credit_note: &'static str,
    /// Precedes the number of the invoice a credit note corrects.
    pub corrects: &'static str,
    /// The document number.
    pub number: &'static str,
    /// The issue date.
    pub issue_date: &'static str,
    /// The due date.
    pub due_date: &'static str,
    /// The service period.
    pub service_period: &'static str,
    /// The service date, for a period of one day.
    pub service_date: &'static str,
    /// Above the recipient's address.
    pub bill_to: &'static str,
    /// Precedes a VAT identification number.
    pub vat_id: &'static str,
    /// Table column: description.
    pub description: &'static str,
    /// Table column: quantity.
    pub quantity: &'static str,
    /// Table column: unit price.
    pub unit_price: &'static str,
    /// Table column: line discount.
    pub discount: &'static str,
    /// Table column: tax rate.
    pub tax: &'static str,
    /// Table column: net amount.
    pub amount: &'static str,
    /// Shown in place of the lines when there are none.
    pub no_lines: &'static str,
    /// Total without tax.
    pub net_total: &'static str,
    /// Total with tax.
    pub gross_total: &'static str,
    /// Already paid.
    pub paid: &'static str,
    /// Still to pay.
    pub amount_due: &'static str,
    /// Heading of the tax breakdown.
    pub tax_breakdown: &'static str,
    /// Tax breakdown column: category.
    pub tax_category: &'static str,
    /// Tax breakdown column: rate.
    pub tax_rate: &'static str,
    /// Tax breakdown column: taxable amount.
    pub tax_base: &'static str,
    /// Tax breakdown column: tax amount.
    pub tax_amount: &'static str,
    /// Heading of the notes.
    pub notes: &'static str,
    /// Heading of the payment block.
    pub payment: &'static str,
    /// The account holder.
    pub account_holder: &'static str,
    /// The payment reference.
    pub reference: &'static str,
    /// Caption under the payment QR code.
    pub scan_to_pay: &'static str,
    /// Marks a page that continues the previous one.
    pub continued: &'static str,
    /// "Page", before the page number.
    pub page: &'static str,
    /// "of", between page number and page count.
    pub page_of: &'static str,
    /// The stamp on an invoice paid in full.
    pub paid_stamp: &'static str,
    /// Precedes a telephone number in the footer.
    pub phone: &'static str,
    /// Precedes the tax office's number in the footer.
    pub tax_number: &'static str,
    /// Precedes the managing directors in the footer.
    pub managing_directors: &'static str,
    /// Precedes the registered seat in the footer.
    pub seat: &'static str,
    /// Precedes the register court and number in the footer.
    pub register: &'static str,
    /// Heads the bank column of the footer.
    pub bank: &'static str,
    /// Names a line of a billed expense: "Expense: Travel".
    pub expense: &'static str,
    /// Time of no task in a line's task summary: "Design 2:30 · Other 0:15".
    pub other_task: &'static str,
}

// EN, DE and FR, from labels.json (build.rs).
include!(concat!(env!("OUT_DIR"), "/labels.rs"));

impl Locale {
    /// The fixed texts in this language.
    pub fn labels(self) -> &'static Labels {
        match self {
            Locale::En => &EN,
            Locale::De => &DE,
            Locale::Fr => &FR,
        }
    }

    /// The locale a document in this language writes numbers, money and dates in when the
    /// organization's locale is of another language: "en-GB" ("1 Dec 2026", unambiguous in
    /// Europe), "de-DE", "fr-FR".
    pub fn tag(self) -> &'static str {
        match self {
            Locale::En => "en-GB",
            Locale::De => "de-DE",
            Locale::Fr => "fr-FR",
        }
    }

    /// The language subtag: "en", "de", "fr".
    pub fn language(self) -> &'static str {
        match self {
            Locale::En => "en",
            Locale::De => "de",
            Locale::Fr => "fr",
        }
    }

    /// The footer: "Page 1 of 3", "Seite 1 von 3", "Page 1 sur 3".
    pub fn page_of(self, page: usize, pages: usize) -> String {
        let labels = self.labels();
        format!("{} {page} {} {pages}", labels.page, labels.page_of)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn page_footer() {
        assert_eq!(Locale::En.page_of(1, 3), "Page 1 of 3");
        assert_eq!(Locale::De.page_of(1, 3), "Seite 1 von 3");
        assert_eq!(Locale::Fr.page_of(1, 3), "Page 1 sur 3");
    }

    #[test]
    fn each_language_has_a_locale_of_its_own() {
        for locale in [Locale::En, Locale::De, Locale::Fr] {
            assert!(locale.tag().starts_with(locale.language()));
        }
    }
}
