//! Labels, number, money and date formats per language.

use jiff::civil::Date;
use rust_decimal::{Decimal, RoundingStrategy};

/// The language and formatting conventions of a document.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Locale {
    /// English: "1,234.50", "23 Nov 2026".
    #[default]
    En,
    /// German: "1.234,50", "23.11.2026".
    De,
    /// French: "1 234,50" (narrow no-break space), "23/11/2026".
    Fr,
}

/// The French digit-group separator: U+202F NARROW NO-BREAK SPACE, as CLDR has it.
pub const NARROW_NBSP: char = '\u{202F}';

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
}

const EN: Labels = Labels {
    invoice: "Invoice",
    credit_note: "Credit note",
    corrects: "Corrects invoice",
    number: "Number",
    issue_date: "Issue date",
    due_date: "Due date",
    service_period: "Service period",
    service_date: "Service date",
    bill_to: "Bill to",
    vat_id: "VAT ID",
    description: "Description",
    quantity: "Qty",
    unit_price: "Unit price",
    discount: "Discount",
    tax: "Tax",
    amount: "Amount",
    no_lines: "No lines",
    net_total: "Net total",
    gross_total: "Total",
    paid: "Paid",
    amount_due: "Amount due",
    tax_breakdown: "Tax breakdown",
    tax_category: "Tax",
    tax_rate: "Rate",
    tax_base: "Taxable amount",
    tax_amount: "Tax amount",
    notes: "Notes",
    payment: "Payment",
    account_holder: "Account holder",
    reference: "Reference",
    scan_to_pay: "Scan to pay",
    continued: "continued",
    page: "Page",
    page_of: "of",
    paid_stamp: "PAID",
    phone: "Phone",
    tax_number: "Tax number",
    managing_directors: "Managing directors",
    seat: "Registered office",
    register: "Register",
    bank: "Bank details",
};

const DE: Labels = Labels {
    invoice: "Rechnung",
    credit_note: "Gutschrift",
    corrects: "Korrektur zu Rechnung",
    number: "Nummer",
    issue_date: "Rechnungsdatum",
    due_date: "Fällig am",
    service_period: "Leistungszeitraum",
    service_date: "Leistungsdatum",
    bill_to: "Rechnungsempfänger",
    vat_id: "USt-IdNr.",
    description: "Beschreibung",
    quantity: "Menge",
    unit_price: "Einzelpreis",
    discount: "Rabatt",
    tax: "USt.",
    amount: "Betrag",
    no_lines: "Keine Positionen",
    net_total: "Nettobetrag",
    gross_total: "Gesamtbetrag",
    paid: "Bereits bezahlt",
    amount_due: "Zahlbetrag",
    tax_breakdown: "Steueraufstellung",
    tax_category: "Steuer",
    tax_rate: "Satz",
    tax_base: "Bemessungsgrundlage",
    tax_amount: "Steuerbetrag",
    notes: "Hinweise",
    payment: "Zahlung",
    account_holder: "Kontoinhaber",
    reference: "Verwendungszweck",
    scan_to_pay: "Scannen und bezahlen",
    continued: "Fortsetzung",
    page: "Seite",
    page_of: "von",
    paid_stamp: "BEZAHLT",
    phone: "Tel.",
    tax_number: "Steuernummer",
    managing_directors: "Geschäftsführung",
    seat: "Sitz",
    register: "Registergericht",
    bank: "Bankverbindung",
};

const FR: Labels = Labels {
    invoice: "Facture",
    credit_note: "Avoir",
    corrects: "Rectifie la facture",
    number: "Numéro",
    issue_date: "Date d’émission",
    due_date: "Échéance",
    service_period: "Période de prestation",
    service_date: "Date de prestation",
    bill_to: "Destinataire",
    vat_id: "N° TVA",
    description: "Désignation",
    quantity: "Qté",
    unit_price: "Prix unitaire",
    discount: "Remise",
    tax: "TVA",
    amount: "Montant HT",
    no_lines: "Aucune ligne",
    net_total: "Total HT",
    gross_total: "Total TTC",
    paid: "Déjà payé",
    amount_due: "Reste à payer",
    tax_breakdown: "Détail de la TVA",
    tax_category: "TVA",
    tax_rate: "Taux",
    tax_base: "Base HT",
    tax_amount: "Montant TVA",
    notes: "Remarques",
    payment: "Paiement",
    account_holder: "Titulaire du compte",
    reference: "Référence",
    scan_to_pay: "Scanner pour payer",
    continued: "suite",
    page: "Page",
    page_of: "sur",
    paid_stamp: "PAYÉE",
    phone: "Tél.",
    tax_number: "N° fiscal",
    managing_directors: "Gérance",
    seat: "Siège social",
    register: "Registre",
    bank: "Coordonnées bancaires",
};

const EN_MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

impl Locale {
    /// The fixed texts in this language.
    pub fn labels(self) -> &'static Labels {
        match self {
            Locale::En => &EN,
            Locale::De => &DE,
            Locale::Fr => &FR,
        }
    }

    fn group_separator(self) -> char {
        match self {
            Locale::En => ',',
            Locale::De => '.',
            Locale::Fr => NARROW_NBSP,
        }
    }

    fn decimal_separator(self) -> char {
        match self {
            Locale::En => '.',
            Locale::De | Locale::Fr => ',',
        }
    }

    /// `value` with exactly `decimals` places (rounded half away from zero) and this locale's
    /// separators: 1234567.5 with 2 → "1,234,567.50" / "1.234.567,50" / "1 234 567,50".
    pub fn format_number(self, value: Decimal, decimals: u32) -> String {
        // Decimal holds at most 28 places; more would be meaningless for money anyway.
        let decimals = decimals.min(28);
        let mut rounded =
            value.round_dp_with_strategy(decimals, RoundingStrategy::MidpointAwayFromZero);
        rounded.rescale(decimals);
        let negative = rounded.is_sign_negative() && !rounded.is_zero();
        let digits = rounded.abs().to_string();
        let (int_part, frac_part) = digits.split_once('.').unwrap_or((&digits, ""));

        let mut out = String::with_capacity(digits.len() + digits.len() / 3 + 2);
        if negative {
            out.push('-');
        }
        push_grouped(&mut out, int_part, self.group_separator());
        if !frac_part.is_empty() {
            out.push(self.decimal_separator());
            out.push_str(frac_part);
        }
        out
    }

    /// `value` with as many places as it needs (trailing zeros dropped): quantities, rates.
    pub fn format_quantity(self, value: Decimal) -> String {
        let value = value.normalize();
        self.format_number(value, value.scale())
    }

    /// A line's quantity: tracked time as hours and minutes ("1:40", with seconds only when the
    /// time has them, "1:40:30"), whatever the language; anything else as a number.
    pub fn format_line_quantity(self, line: &crate::Line) -> String {
        if !line.tracked_time {
            return self.format_quantity(line.quantity);
        }
        stint_domain::invoice::work::clock_hours(line.quantity)
    }

    /// A tax rate: "19%" (en), "19 %" (de, fr).
    pub fn format_percent(self, value: Decimal) -> String {
        let number = self.format_quantity(value);
        match self {
            Locale::En => format!("{number}%"),
            Locale::De | Locale::Fr => format!("{number} %"),
        }
    }

    /// An amount with its currency: "€1,234.50" (en), "1.234,50 €" (de, fr). Currencies without
    /// a well-known symbol print their code: "CHF 1,234.50", "1.234,50 CHF".
    pub fn format_money(self, value: Decimal, currency: &str, minor_units: u32) -> String {
        let number = self.format_number(value, minor_units);
        let symbol = currency_symbol(currency);
        match (self, symbol) {
            (Locale::En, Some(symbol)) => match number.strip_prefix('-') {
                Some(abs) => format!("-{symbol}{abs}"),
                None => format!("{symbol}{number}"),
            },
            (Locale::En, None) => match number.strip_prefix('-') {
                Some(abs) => format!("-{} {abs}", currency.trim()),
                None => format!("{} {number}", currency.trim()),
            },
            (Locale::De | Locale::Fr, symbol) => {
                format!("{number} {}", symbol.unwrap_or(currency.trim()))
            }
        }
    }

    /// A date: "23 Nov 2026" (en), "23.11.2026" (de), "23/11/2026" (fr).
    pub fn format_date(self, date: Date) -> String {
        let (y, m, d) = (date.year(), date.month(), date.day());
        match self {
            Locale::En => {
                let month = EN_MONTHS[usize::from(m.unsigned_abs()).saturating_sub(1) % 12];
                format!("{d} {month} {y}")
            }
            Locale::De => format!("{d:02}.{m:02}.{y}"),
            Locale::Fr => format!("{d:02}/{m:02}/{y}"),
        }
    }

    /// A date range, e.g. "1 Nov 2026 – 30 Nov 2026".
    pub fn format_period(self, (start, end): (Date, Date)) -> String {
        format!("{} – {}", self.format_date(start), self.format_date(end))
    }

    /// The footer: "Page 1 of 3", "Seite 1 von 3", "Page 1 sur 3".
    pub fn page_of(self, page: usize, pages: usize) -> String {
        let labels = self.labels();
        format!("{} {page} {} {pages}", labels.page, labels.page_of)
    }
}

/// The symbol for currencies whose symbol is unambiguous enough to print on its own.
fn currency_symbol(code: &str) -> Option<&'static str> {
    match code.trim() {
        "EUR" => Some("€"),
        "USD" => Some("$"),
        "GBP" => Some("£"),
        "JPY" => Some("¥"),
        _ => None,
    }
}

/// Appends ASCII `digits` with `separator` between groups of three, counted from the right.
fn push_grouped(out: &mut String, digits: &str, separator: char) {
    let len = digits.len();
    for (i, digit) in digits.chars().enumerate() {
        if i > 0 && (len - i).is_multiple_of(3) {
            out.push(separator);
        }
        out.push(digit);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;
    use rust_decimal_macros::dec;

    #[test]
    fn groups_and_separates_per_locale() {
        let v = dec!(1234567.5);
        assert_eq!(Locale::En.format_number(v, 2), "1,234,567.50");
        assert_eq!(Locale::De.format_number(v, 2), "1.234.567,50");
        assert_eq!(Locale::Fr.format_number(v, 2), "1\u{202F}234\u{202F}567,50");
    }

    #[test]
    fn prints_exactly_the_minor_units() {
        assert_eq!(Locale::En.format_number(dec!(1234.5), 0), "1,235");
        assert_eq!(Locale::En.format_number(dec!(1234.4), 0), "1,234");
        assert_eq!(Locale::De.format_number(dec!(12.3456), 3), "12,346");
        assert_eq!(Locale::En.format_number(dec!(7), 3), "7.000");
        assert_eq!(Locale::En.format_number(dec!(0.005), 2), "0.01");
        assert_eq!(Locale::En.format_number(dec!(999), 2), "999.00");
        assert_eq!(Locale::En.format_number(dec!(1000), 2), "1,000.00");
        assert_eq!(Locale::En.format_number(dec!(100000), 0), "100,000");
    }

    #[test]
    fn zero_is_never_negative() {
        assert_eq!(Locale::En.format_number(Decimal::ZERO, 2), "0.00");
        assert_eq!(Locale::En.format_number(dec!(-0.001), 2), "0.00");
        assert_eq!(Locale::De.format_number(dec!(-0.00), 0), "0");
    }

    #[test]
    fn negative_amounts_for_credit_notes() {
        assert_eq!(Locale::En.format_number(dec!(-1234.5), 2), "-1,234.50");
        assert_eq!(Locale::De.format_number(dec!(-1234.5), 2), "-1.234,50");
        assert_eq!(
            Locale::En.format_money(dec!(-1234.5), "EUR", 2),
            "-€1,234.50"
        );
        assert_eq!(
            Locale::De.format_money(dec!(-1234.5), "EUR", 2),
            "-1.234,50 €"
        );
        assert_eq!(Locale::En.format_money(dec!(-5), "CHF", 2), "-CHF 5.00");
    }

    #[test]
    fn money_puts_the_currency_where_the_locale_does() {
        assert_eq!(Locale::En.format_money(dec!(1234.5), "EUR", 2), "€1,234.50");
        assert_eq!(
            Locale::De.format_money(dec!(1234.5), "EUR", 2),
            "1.234,50 €"
        );
        assert_eq!(
            Locale::Fr.format_money(dec!(1234.5), "EUR", 2),
            "1\u{202F}234,50 €"
        );
        assert_eq!(Locale::En.format_money(dec!(1234), "JPY", 0), "¥1,234");
        assert_eq!(Locale::En.format_money(dec!(1.5), "BHD", 3), "BHD 1.500");
        assert_eq!(Locale::De.format_money(dec!(1.5), "CHF", 2), "1,50 CHF");
    }

    #[test]
    fn huge_and_tiny_values_do_not_panic() {
        assert_eq!(
            Locale::En.format_number(Decimal::MAX, 0),
            "79,228,162,514,264,337,593,543,950,335"
        );
        let _ = Locale::En.format_number(Decimal::MAX, 28);
        let _ = Locale::En.format_number(Decimal::MIN, 2);
        let _ = Locale::En.format_number(dec!(0.0000000000000000000000000001), 40);
    }

    #[test]
    fn quantities_and_percent_drop_trailing_zeros() {
        assert_eq!(Locale::En.format_quantity(dec!(1.50)), "1.5");
        assert_eq!(Locale::De.format_quantity(dec!(1.50)), "1,5");
        assert_eq!(Locale::De.format_quantity(dec!(1200)), "1.200");
        assert_eq!(Locale::En.format_percent(dec!(19.00)), "19%");
        assert_eq!(Locale::De.format_percent(dec!(7)), "7 %");
        assert_eq!(Locale::Fr.format_percent(dec!(5.5)), "5,5 %");
    }

    #[test]
    fn dates_per_locale() {
        let d = date(2026, 11, 23);
        assert_eq!(Locale::En.format_date(d), "23 Nov 2026");
        assert_eq!(Locale::De.format_date(d), "23.11.2026");
        assert_eq!(Locale::Fr.format_date(d), "23/11/2026");
        assert_eq!(Locale::De.format_date(date(2026, 1, 5)), "05.01.2026");
        assert_eq!(Locale::En.format_date(date(2026, 1, 5)), "5 Jan 2026");
    }

    #[test]
    fn page_footer() {
        assert_eq!(Locale::En.page_of(1, 3), "Page 1 of 3");
        assert_eq!(Locale::De.page_of(1, 3), "Seite 1 von 3");
        assert_eq!(Locale::Fr.page_of(1, 3), "Page 1 sur 3");
    }
}
