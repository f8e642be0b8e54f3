//! How numbers, money, dates, times of day and durations read in a locale: the one place the PDFs
//! and the CLI format them. The data is CLDR's through ICU4X, the same data the UI's `Intl` uses
//! (`ui/src/format.ts`), so an organization in `de-DE` reads "1.234,50 €" and "01.12.2026" on the
//! screen, on the invoice and in the terminal alike. `tests/vectors.json` holds the agreed strings;
//! this crate and the UI are both tested against it.

use icu_datetime::fieldsets::{T, YMD};
use icu_datetime::input::{Date as IcuDate, Time as IcuTime};
use icu_datetime::{DateTimeFormatter, NoCalendarFormatter};
use icu_decimal::DecimalFormatter;
use icu_decimal::input::Decimal as IcuDecimal;
use icu_experimental::dimension::currency::CurrencyType;
use icu_experimental::dimension::currency::formatter::CurrencyFormatter;
use icu_experimental::dimension::percent::formatter::PercentFormatter;
use icu_locale::Locale;
use jiff::civil;
use rust_decimal::{Decimal, RoundingStrategy};
use stint_domain::DurationStyle;

/// The locale used when none is given or the one given is not a locale.
pub const FALLBACK_LOCALE: &str = "en-US";

/// The formats could not be made (no CLDR data for the locale, which compiled data always has).
#[derive(Debug)]
pub struct FormatError(String);

impl std::fmt::Display for FormatError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "cannot format for this locale: {}", self.0)
    }
}

impl std::error::Error for FormatError {}

/// Formatters for one locale and duration style, made once and used for every value.
pub struct Format {
    locale: Locale,
    duration_style: DurationStyle,
    decimal: DecimalFormatter,
    date: DateTimeFormatter<YMD>,
    time: NoCalendarFormatter<T>,
    percent: PercentFormatter<DecimalFormatter>,
}

impl std::fmt::Debug for Format {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Format")
            .field("locale", &self.locale.to_string())
            .field("duration_style", &self.duration_style)
            .finish_non_exhaustive()
    }
}

impl Format {
    /// The formats of `locale` (a BCP 47 tag such as "de-DE"; one that does not parse reads as
    /// [`FALLBACK_LOCALE`]), with durations in `duration_style`.
    pub fn new(locale: &str, duration_style: DurationStyle) -> Result<Format, FormatError> {
        let locale: Locale = locale
            .trim()
            .replace('_', "-")
            .parse()
            .or_else(|_| FALLBACK_LOCALE.parse())
            .map_err(|e| FormatError(format!("{e}")))?;
        let error = |e: &dyn std::fmt::Display| FormatError(e.to_string());
        Ok(Format {
            decimal: DecimalFormatter::try_new((&locale).into(), Default::default())
                .map_err(|e| error(&e))?,
            date: DateTimeFormatter::try_new((&locale).into(), YMD::medium())
                .map_err(|e| error(&e))?,
            time: NoCalendarFormatter::try_new((&locale).into(), T::hm()).map_err(|e| error(&e))?,
            percent: PercentFormatter::try_new((&locale).into(), Default::default())
                .map_err(|e| error(&e))?,
            locale,
            duration_style,
        })
    }

    /// The locale, as a BCP 47 tag ("de-DE").
    pub fn locale(&self) -> String {
        self.locale.to_string()
    }

    /// The language of the locale ("de" for "de-AT").
    pub fn language(&self) -> String {
        self.locale.id.language.to_string()
    }

    /// How durations are written.
    pub fn duration_style(&self) -> DurationStyle {
        self.duration_style
    }

    /// `value` rounded to exactly `digits` decimals (half away from zero), grouped as the locale
    /// does: "1,234.50", "1.234,50", "1 234,50" (narrow no-break space). Zero is never negative.
    pub fn number(&self, value: Decimal, digits: u32) -> String {
        self.decimal
            .format(&icu_decimal_of(value, digits))
            .to_string()
    }

    /// `value` with as many decimals as it has (trailing zeros dropped), at least `min` and at
    /// most `max`: unit prices (2 to 6), quantities (0 to 6).
    pub fn number_between(&self, value: Decimal, min: u32, max: u32) -> String {
        let scale = value
            .round_dp_with_strategy(max, RoundingStrategy::MidpointAwayFromZero)
            .normalize()
            .scale();
        self.number(value, scale.clamp(min, max))
    }

    /// An amount in `currency` (ISO 4217) with `minor_units` decimals: "€1,234.50" (en-US),
    /// "1.234,50 €" (de-DE), "1 234,50 €" (fr-FR), "-€1,234.50" for a credit. A code CLDR does not
    /// know prints as "1,234.50 XYZ".
    pub fn money(&self, value: Decimal, currency: &str, minor_units: u32) -> String {
        let number = icu_decimal_of(value, minor_units);
        let code = currency.trim();
        let formatter = code.parse::<CurrencyType>().ok().and_then(|c| {
            CurrencyFormatter::try_new_symbol((&self.locale).into(), c, Default::default()).ok()
        });
        match formatter {
            // The formatter rounds to the currency's CLDR digits; the minor units of the amount
            // are the record's, so a currency with other digits is written as a number and code.
            Some(f) if currency_digits_agree(code, minor_units) => {
                f.format_fixed_decimal(&number).to_string()
            }
            _ => format!("{} {code}", self.decimal.format(&number)),
        }
    }

    /// A percentage given in percent: 19 → "19%" (en), "19 %" (de, fr); 7.5 → "7.5%".
    pub fn percent(&self, percent: Decimal) -> String {
        let scale = percent.normalize().scale().min(6);
        self.percent
            .format(&icu_decimal_of(percent, scale))
            .to_string()
    }

    /// A duration in the organization's style: "1:30" (clock, minutes rounded) or "1.50" /
    /// "1,50" (decimal hours, two decimals), as the UI writes it.
    pub fn duration(&self, seconds: i64) -> String {
        let seconds = seconds.max(0);
        match self.duration_style {
            DurationStyle::Clock => {
                let minutes = seconds.saturating_add(30) / 60;
                format!("{}:{:02}", minutes / 60, minutes % 60)
            }
            DurationStyle::Decimal => self.number(Decimal::from(seconds) / Decimal::from(3600), 2),
        }
    }

    /// Hours given as a number (an invoice line's quantity) in the duration style: 1.6667 h reads
    /// "1:40" (clock) or "1.67" (decimal).
    pub fn hours(&self, hours: Decimal) -> String {
        let seconds = hours
            .checked_mul(Decimal::from(3600))
            .map(|s| s.round_dp_with_strategy(0, RoundingStrategy::MidpointAwayFromZero))
            .and_then(|s| i64::try_from(s).ok())
            .unwrap_or(if hours.is_sign_negative() {
                0
            } else {
                i64::MAX
            });
        self.duration(seconds)
    }

    /// A day as the locale writes it (CLDR medium): "Dec 1, 2026", "1 Dec 2026", "01.12.2026",
    /// "1 déc. 2026".
    pub fn date(&self, date: civil::Date) -> String {
        match IcuDate::try_new_iso(
            i32::from(date.year()),
            date.month().unsigned_abs(),
            date.day().unsigned_abs(),
        ) {
            Ok(d) => self.date.format(&d).to_string(),
            Err(_) => date.to_string(),
        }
    }

    /// A range of days: "Nov 1, 2026 – Nov 30, 2026".
    pub fn period(&self, (start, end): (civil::Date, civil::Date)) -> String {
        format!("{} – {}", self.date(start), self.date(end))
    }

    /// A time of day (CLDR short): "2:30 PM" (en-US), "09:05", "14:30" (en-GB, de, fr).
    pub fn time(&self, time: civil::Time) -> String {
        match IcuTime::try_new(
            time.hour().unsigned_abs(),
            time.minute().unsigned_abs(),
            0,
            0,
        ) {
            // CLDR puts a narrow no-break space before "PM"; browsers' Intl (V8, WebKit) write a
            // plain space there for compatibility, and the UI's times are theirs.
            Ok(t) => self.time.format(&t).to_string().replace('\u{202f}', " "),
            Err(_) => format!("{:02}:{:02}", time.hour(), time.minute()),
        }
    }
}

/// `value` as ICU's decimal with exactly `digits` decimals, rounded half away from zero (as
/// money is rounded everywhere in Stint); "-0.00" reads "0.00".
fn icu_decimal_of(value: Decimal, digits: u32) -> IcuDecimal {
    // Decimal holds at most 28 places; more would be meaningless for money anyway.
    let digits = digits.min(28);
    let mut rounded = value.round_dp_with_strategy(digits, RoundingStrategy::MidpointAwayFromZero);
    if rounded.is_zero() {
        rounded.set_sign_positive(true);
    }
    let mut out: IcuDecimal = rounded
        .to_string()
        .parse()
        .unwrap_or_else(|_| IcuDecimal::from(0));
    out.absolute
        .pad_end(-i16::try_from(digits).unwrap_or(i16::MAX));
    out
}

/// Whether CLDR writes `code` with `minor_units` decimals (most currencies two; JPY none, …).
fn currency_digits_agree(code: &str, minor_units: u32) -> bool {
    let cldr = match code {
        "BIF" | "CLP" | "DJF" | "GNF" | "ISK" | "JPY" | "KMF" | "KRW" | "PYG" | "RWF" | "UGX"
        | "UYI" | "VND" | "VUV" | "XAF" | "XOF" | "XPF" => 0,
        "BHD" | "IQD" | "JOD" | "KWD" | "LYD" | "OMR" | "TND" => 3,
        _ => 2,
    };
    cldr == minor_units
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    fn format(locale: &str) -> Format {
        Format::new(locale, DurationStyle::Clock).unwrap()
    }

    #[test]
    fn zero_is_never_negative_and_digits_are_exact() {
        let f = format("en-US");
        assert_eq!(f.number(dec!(-0.001), 2), "0.00");
        assert_eq!(f.number(dec!(0.005), 2), "0.01");
        assert_eq!(f.number(dec!(1234.5), 0), "1,235");
        assert_eq!(f.number(dec!(7), 3), "7.000");
        assert_eq!(f.number_between(dec!(95), 2, 6), "95.00");
        assert_eq!(f.number_between(dec!(0.125), 2, 6), "0.125");
        assert_eq!(f.number_between(dec!(1.5000), 0, 6), "1.5");
    }

    #[test]
    fn money_follows_the_record_when_its_digits_are_not_cldrs() {
        let f = format("de-DE");
        assert_eq!(f.money(dec!(1234.5), "JPY", 0), "1.235\u{a0}¥");
        // A yen amount kept with two decimals is written as it is kept, with its code.
        assert_eq!(f.money(dec!(1234.5), "JPY", 2), "1.234,50 JPY");
        assert_eq!(f.money(dec!(10), "not a code", 2), "10,00 not a code");
    }

    #[test]
    fn durations_in_either_style() {
        let clock = format("de-DE");
        assert_eq!(clock.duration(5400), "1:30");
        assert_eq!(clock.duration(89), "0:01");
        assert_eq!(clock.duration(-5), "0:00");
        assert_eq!(clock.hours(dec!(1.6667)), "1:40");
        let decimal = Format::new("de-DE", DurationStyle::Decimal).unwrap();
        assert_eq!(decimal.duration(5400), "1,50");
        assert_eq!(decimal.hours(dec!(1.6667)), "1,67");
    }

    #[test]
    fn huge_and_tiny_values_do_not_panic() {
        let f = format("en-US");
        assert_eq!(
            f.number(Decimal::MAX, 0),
            "79,228,162,514,264,337,593,543,950,335"
        );
        let _ = f.number(Decimal::MAX, 28);
        let _ = f.number(Decimal::MIN, 2);
        let _ = f.number(dec!(0.0000000000000000000000000001), 40);
        let _ = f.money(Decimal::MIN, "EUR", 2);
        let _ = f.percent(Decimal::MAX);
        assert_eq!(f.hours(Decimal::MIN), "0:00");
        let _ = f.hours(Decimal::MAX);
    }

    #[test]
    fn credits_are_negative_in_every_locale() {
        assert_eq!(format("en-US").money(dec!(-1234.5), "EUR", 2), "-€1,234.50");
        assert_eq!(
            format("de-DE").money(dec!(-1234.5), "EUR", 2),
            "-1.234,50\u{a0}€"
        );
        assert_eq!(format("de-DE").number(dec!(-1234.5), 2), "-1.234,50");
    }

    #[test]
    fn a_tag_that_is_not_a_locale_reads_as_the_fallback() {
        let f = format("not a locale!");
        assert_eq!(f.locale(), FALLBACK_LOCALE);
        assert_eq!(format("de_AT").locale(), "de-AT");
        assert_eq!(format("de-AT").language(), "de");
    }
}
