//! What an invoice says around its numbers: the language it is written in, its subject, intro and
//! closing, the seller's legal details for the footer (register, managing directors, seat, tax
//! number) and the tax notes the law asks for, worded in each language.

use super::TaxCategory;
use crate::validate::ValidationError;
use serde::{Deserialize, Serialize};

/// The language an invoice is written in.
#[derive(
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Debug,
    Default,
    Serialize,
    Deserialize,
    ts_rs::TS,
)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum Language {
    /// English.
    #[default]
    En,
    /// German.
    De,
    /// French.
    Fr,
}

impl Language {
    /// Every language an invoice can be written in.
    pub const ALL: [Language; 3] = [Language::En, Language::De, Language::Fr];

    /// The language of a BCP 47 locale such as "de-DE" (English for any other).
    pub fn of_locale(tag: &str) -> Language {
        let primary = tag.split(['-', '_']).next().unwrap_or_default();
        match primary.to_ascii_lowercase().as_str() {
            "de" => Language::De,
            "fr" => Language::Fr,
            _ => Language::En,
        }
    }

    /// The two-letter code: "en", "de", "fr".
    pub fn code(self) -> &'static str {
        match self {
            Language::En => "en",
            Language::De => "de",
            Language::Fr => "fr",
        }
    }

    /// Texts to start from when an organization writes its own (the user edits them in Settings).
    pub fn suggested_texts(self) -> InvoiceTexts {
        let (intro, closing) = match self {
            Language::En => (
                "Thank you for your order. We invoice the following services:",
                "Kind regards",
            ),
            Language::De => (
                "vielen Dank für Ihren Auftrag. Wir berechnen Ihnen die folgenden Leistungen:",
                "Mit freundlichen Grüßen",
            ),
            Language::Fr => (
                "Merci de votre confiance. Nous vous facturons les prestations suivantes :",
                "Cordialement",
            ),
        };
        InvoiceTexts {
            language: self,
            subject: String::new(),
            intro: intro.to_owned(),
            closing: closing.to_owned(),
        }
    }
}

impl std::str::FromStr for Language {
    type Err = ValidationError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(match s.trim().to_ascii_lowercase().as_str() {
            "en" | "english" => Language::En,
            "de" | "german" | "deutsch" => Language::De,
            "fr" | "french" | "français" | "francais" => Language::Fr,
            _ => {
                return Err(ValidationError::new(format!(
                    "{s:?} is not an invoice language (use en, de or fr)"
                )));
            }
        })
    }
}

/// An invoice's subject line, the paragraph before its lines and the one after its payment block.
/// Empty texts are not printed.
#[derive(Clone, PartialEq, Eq, Hash, Debug, Default, Serialize, Deserialize, ts_rs::TS)]
#[ts(export)]
pub struct InvoiceTexts {
    /// Which language these texts are in (an organization keeps one set per language).
    pub language: Language,
    /// One line under the title, e.g. "Website relaunch, November 2026".
    pub subject: String,
    /// Before the lines.
    pub intro: String,
    /// After the payment details.
    pub closing: String,
}

/// Longest subject in characters.
pub const MAX_SUBJECT_CHARS: usize = 200;
/// Longest intro or closing in characters.
pub const MAX_LETTER_TEXT_CHARS: usize = 2_000;

impl InvoiceTexts {
    /// Trim and bound every text.
    pub fn validate(mut self) -> Result<Self, ValidationError> {
        self.subject = subject(&self.subject)?;
        self.intro = letter_text("intro", &self.intro)?;
        self.closing = letter_text("closing", &self.closing)?;
        Ok(self)
    }
}

/// A subject line: one line of at most [`MAX_SUBJECT_CHARS`].
pub fn subject(raw: &str) -> Result<String, ValidationError> {
    let s = raw.trim();
    if s.chars().count() > MAX_SUBJECT_CHARS || s.chars().any(char::is_control) {
        return Err(ValidationError::new(format!(
            "the subject must be one line of at most {MAX_SUBJECT_CHARS} characters"
        )));
    }
    Ok(s.to_owned())
}

/// An intro or closing paragraph: at most [`MAX_LETTER_TEXT_CHARS`], line breaks allowed.
pub fn letter_text(what: &str, raw: &str) -> Result<String, ValidationError> {
    let s = raw.trim();
    if s.chars().count() > MAX_LETTER_TEXT_CHARS
        || s.chars().any(|c| c.is_control() && c != '\n' && c != '\r')
    {
        return Err(ValidationError::new(format!(
            "the {what} is text of at most {MAX_LETTER_TEXT_CHARS} characters"
        )));
    }
    Ok(s.replace("\r\n", "\n"))
}

/// What a company states on every business letter (in Germany § 35a GmbHG, § 37a HGB; the DIN
/// 5008 footer), and whether the seller is a small business that charges no VAT.
#[derive(Clone, PartialEq, Eq, Hash, Debug, Default, Serialize, Deserialize, ts_rs::TS)]
#[ts(export)]
#[serde(default)]
pub struct SellerLegal {
    /// The tax number from the tax office (Steuernummer), for sellers without a VAT id or besides it.
    pub tax_number: Option<String>,
    /// The court keeping the commercial register, e.g. "Amtsgericht Berlin-Charlottenburg".
    pub register_court: Option<String>,
    /// The register number, e.g. "HRB 123456 B".
    pub register_number: Option<String>,
    /// Managing directors, as printed ("Anna Schmidt, Jonas Weber").
    pub managing_directors: Option<String>,
    /// Registered seat, e.g. "Berlin".
    pub seat: Option<String>,
    /// Website.
    pub website: Option<String>,
    /// A small business that charges no VAT (§ 19 UStG in Germany, art. 293 B CGI in France):
    /// its exempt lines carry that note.
    pub small_business: bool,
}

impl SellerLegal {
    /// Trim every field to one line of at most 200 characters; empty ones become `None`.
    pub fn validate(self) -> Result<Self, ValidationError> {
        let field = |what: &str, v: Option<String>| -> Result<Option<String>, ValidationError> {
            match v.as_deref().map(str::trim) {
                None | Some("") => Ok(None),
                Some(v) if v.chars().count() <= 200 && !v.chars().any(char::is_control) => {
                    Ok(Some(v.to_owned()))
                }
                Some(_) => Err(ValidationError::new(format!(
                    "the {what} must be one line of at most 200 characters"
                ))),
            }
        };
        Ok(Self {
            tax_number: field("tax number", self.tax_number)?,
            register_court: field("register court", self.register_court)?,
            register_number: field("register number", self.register_number)?,
            managing_directors: field("managing directors", self.managing_directors)?,
            seat: field("registered seat", self.seat)?,
            website: field("website", self.website)?,
            small_business: self.small_business,
        })
    }

    /// Whether any detail is filled in (then invoices carry the footer).
    pub fn is_empty(&self) -> bool {
        *self == SellerLegal::default()
    }
}

/// The note the law requires for a tax category (the exemption reason, EN 16931 BT-120), in
/// `language`. `small_business_of` is the seller's country when the seller is a small business:
/// its exempt lines then cite the rule that exempts it.
pub fn tax_note(
    category: TaxCategory,
    language: Language,
    small_business_of: Option<&str>,
) -> Option<&'static str> {
    use Language::{De, En, Fr};
    use TaxCategory::*;
    Some(match (category, language) {
        (Standard | ZeroRated, _) => return None,
        (Exempt, _) if small_business_of.is_some() => {
            return Some(small_business_note(
                small_business_of.unwrap_or_default(),
                language,
            ));
        }
        (Exempt, En) => "Exempt from VAT",
        (Exempt, De) => "Umsatzsteuerfrei",
        (Exempt, Fr) => "Exonéré de TVA",
        (ReverseCharge, En) => {
            "Reverse charge: VAT to be accounted for by the recipient (Art. 196 Directive 2006/112/EC)"
        }
        (ReverseCharge, De) => {
            "Steuerschuldnerschaft des Leistungsempfängers (Reverse-Charge-Verfahren, Art. 196 MwStSystRL, § 13b UStG)"
        }
        (ReverseCharge, Fr) => {
            "Autoliquidation : TVA due par le preneur (art. 196 de la directive 2006/112/CE)"
        }
        (IntraCommunity, En) => {
            "Intra-community supply, exempt from VAT (Art. 138 Directive 2006/112/EC)"
        }
        (IntraCommunity, De) => {
            "Steuerfreie innergemeinschaftliche Lieferung (Art. 138 MwStSystRL, § 4 Nr. 1b UStG)"
        }
        (IntraCommunity, Fr) => {
            "Livraison intracommunautaire exonérée de TVA (art. 138 de la directive 2006/112/CE)"
        }
        (Export, En) => "Export outside the EU, exempt from VAT",
        (Export, De) => "Steuerfreie Ausfuhrlieferung (§ 4 Nr. 1a UStG)",
        (Export, Fr) => "Exportation hors de l'UE, exonérée de TVA",
        (OutsideScope, En) => "Not subject to VAT",
        (OutsideScope, De) => "Nicht steuerbar",
        (OutsideScope, Fr) => "Non soumis à la TVA",
    })
}

/// The small-business exemption of the seller's country, in `language`.
fn small_business_note(country: &str, language: Language) -> &'static str {
    use Language::{De, En, Fr};
    match (country, language) {
        ("DE", De) => "Gemäß § 19 UStG wird keine Umsatzsteuer berechnet.",
        ("DE", En) => "No VAT is charged: small business under § 19 UStG (German VAT Act).",
        ("DE", Fr) => {
            "TVA non facturée : petite entreprise au sens du § 19 UStG (loi allemande sur la TVA)."
        }
        ("AT", De) => "Umsatzsteuerbefreit – Kleinunternehmer gemäß § 6 Abs. 1 Z 27 UStG.",
        ("AT", En) => "No VAT is charged: small business under § 6 (1) 27 UStG (Austria).",
        ("AT", Fr) => "TVA non facturée : petite entreprise au sens du § 6 (1) 27 UStG (Autriche).",
        ("FR", Fr) => "TVA non applicable, art. 293 B du CGI",
        ("FR", En) => "VAT not applicable, art. 293 B of the French General Tax Code (CGI)",
        ("FR", De) => "Keine Umsatzsteuer: Art. 293 B CGI (französische Kleinunternehmerregelung)",
        (_, En) => "No VAT is charged: small business exemption.",
        (_, De) => "Keine Umsatzsteuer: Kleinunternehmerregelung.",
        (_, Fr) => "TVA non facturée : régime de franchise des petites entreprises.",
    }
}

/// The code of an exemption reason (the CEF VATEX list, EN 16931 BT-121), where one fits.
pub fn exemption_code(category: TaxCategory) -> Option<&'static str> {
    match category {
        TaxCategory::ReverseCharge => Some("VATEX-EU-AE"),
        TaxCategory::IntraCommunity => Some("VATEX-EU-IC"),
        TaxCategory::Export => Some("VATEX-EU-G"),
        TaxCategory::OutsideScope => Some("VATEX-EU-O"),
        TaxCategory::Standard | TaxCategory::ZeroRated | TaxCategory::Exempt => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn languages_read_from_codes_names_and_locales() {
        assert_eq!("DE".parse::<Language>().unwrap(), Language::De);
        assert_eq!("français".parse::<Language>().unwrap(), Language::Fr);
        assert!("es".parse::<Language>().is_err());
        assert_eq!(Language::of_locale("de-AT"), Language::De);
        assert_eq!(Language::of_locale("fr_CH"), Language::Fr);
        assert_eq!(Language::of_locale("es-ES"), Language::En);
    }

    #[test]
    fn every_exempt_category_has_a_note_in_every_language() {
        use TaxCategory::*;
        for language in Language::ALL {
            for category in [Exempt, ReverseCharge, IntraCommunity, Export, OutsideScope] {
                assert!(tax_note(category, language, None).is_some());
                assert!(tax_note(category, language, Some("DE")).is_some());
            }
            assert_eq!(tax_note(Standard, language, Some("DE")), None);
        }
        assert_eq!(
            tax_note(Exempt, Language::De, Some("DE")),
            Some("Gemäß § 19 UStG wird keine Umsatzsteuer berechnet.")
        );
        assert_eq!(
            tax_note(Exempt, Language::Fr, Some("FR")),
            Some("TVA non applicable, art. 293 B du CGI")
        );
        assert_eq!(
            tax_note(Exempt, Language::De, None),
            Some("Umsatzsteuerfrei")
        );
        // The English wording stays what drafts before languages carried in their notes, so
        // those copies are recognised and not printed twice.
        assert_eq!(
            tax_note(ReverseCharge, Language::En, None),
            Some(
                "Reverse charge: VAT to be accounted for by the recipient (Art. 196 Directive 2006/112/EC)"
            )
        );
    }

    #[test]
    fn legal_details_are_trimmed_and_bounded() {
        let legal = SellerLegal {
            register_court: Some("  Amtsgericht Berlin-Charlottenburg ".into()),
            seat: Some("   ".into()),
            ..SellerLegal::default()
        }
        .validate()
        .unwrap();
        assert_eq!(
            legal.register_court.as_deref(),
            Some("Amtsgericht Berlin-Charlottenburg")
        );
        assert_eq!(legal.seat, None);
        assert!(!legal.is_empty());
        assert!(
            SellerLegal {
                managing_directors: Some("a\nb".into()),
                ..SellerLegal::default()
            }
            .validate()
            .is_err()
        );
    }

    #[test]
    fn letter_texts_are_bounded() {
        let texts = InvoiceTexts {
            language: Language::De,
            subject: " Relaunch ".into(),
            intro: "Sehr geehrte Damen und Herren,\r\nhiermit …".into(),
            closing: String::new(),
        }
        .validate()
        .unwrap();
        assert_eq!(texts.subject, "Relaunch");
        assert_eq!(texts.intro, "Sehr geehrte Damen und Herren,\nhiermit …");
        assert!(subject("a\nb").is_err());
        assert!(letter_text("intro", &"x".repeat(MAX_LETTER_TEXT_CHARS + 1)).is_err());
    }
}
