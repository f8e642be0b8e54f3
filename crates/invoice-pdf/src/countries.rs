//! Country names as printed on an address, in the document's language: "Deutschland" rather
//! than "DE". Europe, where nearly every invoice goes, and the largest economies elsewhere;
//! any other code is printed as it is.

use crate::locale::Locale;

/// ISO 3166-1 alpha-2 code, then the name in English, German and French.
const NAMES: &[(&str, &str, &str, &str)] = &[
    ("AD", "Andorra", "Andorra", "Andorre"),
    (
        "AE",
        "United Arab Emirates",
        "Vereinigte Arabische Emirate",
        "Émirats arabes unis",
    ),
    ("AT", "Austria", "Österreich", "Autriche"),
    ("AU", "Australia", "Australien", "Australie"),
    ("BE", "Belgium", "Belgien", "Belgique"),
    ("BG", "Bulgaria", "Bulgarien", "Bulgarie"),
    ("BR", "Brazil", "Brasilien", "Brésil"),
    ("CA", "Canada", "Kanada", "Canada"),
    ("CH", "Switzerland", "Schweiz", "Suisse"),
    ("CN", "China", "China", "Chine"),
    ("CY", "Cyprus", "Zypern", "Chypre"),
    ("CZ", "Czechia", "Tschechien", "Tchéquie"),
    ("DE", "Germany", "Deutschland", "Allemagne"),
    ("DK", "Denmark", "Dänemark", "Danemark"),
    ("EE", "Estonia", "Estland", "Estonie"),
    ("ES", "Spain", "Spanien", "Espagne"),
    ("FI", "Finland", "Finnland", "Finlande"),
    ("FR", "France", "Frankreich", "France"),
    (
        "GB",
        "United Kingdom",
        "Vereinigtes Königreich",
        "Royaume-Uni",
    ),
    ("GR", "Greece", "Griechenland", "Grèce"),
    ("HR", "Croatia", "Kroatien", "Croatie"),
    ("HU", "Hungary", "Ungarn", "Hongrie"),
    ("IE", "Ireland", "Irland", "Irlande"),
    ("IL", "Israel", "Israel", "Israël"),
    ("IN", "India", "Indien", "Inde"),
    ("IS", "Iceland", "Island", "Islande"),
    ("IT", "Italy", "Italien", "Italie"),
    ("JP", "Japan", "Japan", "Japon"),
    ("KR", "South Korea", "Südkorea", "Corée du Sud"),
    ("LI", "Liechtenstein", "Liechtenstein", "Liechtenstein"),
    ("LT", "Lithuania", "Litauen", "Lituanie"),
    ("LU", "Luxembourg", "Luxemburg", "Luxembourg"),
    ("LV", "Latvia", "Lettland", "Lettonie"),
    ("MC", "Monaco", "Monaco", "Monaco"),
    ("MT", "Malta", "Malta", "Malte"),
    ("MX", "Mexico", "Mexiko", "Mexique"),
    ("NL", "Netherlands", "Niederlande", "Pays-Bas"),
    ("NO", "Norway", "Norwegen", "Norvège"),
    ("NZ", "New Zealand", "Neuseeland", "Nouvelle-Zélande"),
    ("PL", "Poland", "Polen", "Pologne"),
    ("PT", "Portugal", "Portugal", "Portugal"),
    ("RO", "Romania", "Rumänien", "Roumanie"),
    ("RS", "Serbia", "Serbien", "Serbie"),
    ("SE", "Sweden", "Schweden", "Suède"),
    ("SG", "Singapore", "Singapur", "Singapour"),
    ("SI", "Slovenia", "Slowenien", "Slovénie"),
    ("SK", "Slovakia", "Slowakei", "Slovaquie"),
    ("TR", "Türkiye", "Türkei", "Turquie"),
    ("UA", "Ukraine", "Ukraine", "Ukraine"),
    ("US", "United States", "Vereinigte Staaten", "États-Unis"),
    ("ZA", "South Africa", "Südafrika", "Afrique du Sud"),
];

/// The name of the country with ISO code `code` in `locale`'s language, or `None` for a code
/// this table does not know.
pub fn country_name(code: &str, locale: Locale) -> Option<&'static str> {
    let code = code.trim();
    let i = NAMES
        .binary_search_by(|(c, ..)| c.cmp(&code.to_ascii_uppercase().as_str()))
        .ok()?;
    let (_, en, de, fr) = NAMES[i];
    Some(match locale {
        Locale::En => en,
        Locale::De => de,
        Locale::Fr => fr,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_is_sorted_so_lookups_find_every_row() {
        assert!(NAMES.windows(2).all(|w| w[0].0 < w[1].0));
        for (code, en, ..) in NAMES {
            assert_eq!(country_name(code, Locale::En), Some(*en));
        }
    }

    #[test]
    fn names_follow_the_language() {
        assert_eq!(country_name("de", Locale::De), Some("Deutschland"));
        assert_eq!(country_name("DE", Locale::Fr), Some("Allemagne"));
        assert_eq!(country_name("AT", Locale::En), Some("Austria"));
        assert_eq!(country_name("XK", Locale::En), None);
    }
}
