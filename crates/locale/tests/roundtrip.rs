//! Whatever the amount, the written number reads back as exactly that amount rounded to its
//! digits (half away from zero, as money is rounded everywhere in Stint): no digit lost to
//! grouping, no negative zero, in each locale the vectors cover.

use proptest::prelude::*;
use rust_decimal::{Decimal, RoundingStrategy};
use stint_domain::DurationStyle;
use stint_locale::Format;

/// The number `text` writes, read with `locale`'s decimal separator; everything else but digits
/// and the minus sign (group separators, currency symbols, spaces) is dropped.
fn read_back(text: &str, decimal: char) -> Decimal {
    let plain: String = text
        .chars()
        .filter_map(|c| match c {
            '0'..='9' | '-' => Some(c),
            c if c == decimal => Some('.'),
            _ => None,
        })
        .collect();
    plain
        .parse()
        .unwrap_or_else(|e| panic!("{text:?} reads as {plain:?}: {e}"))
}

const LOCALES: [(&str, char); 4] = [
    ("en-US", '.'),
    ("en-GB", '.'),
    ("de-DE", ','),
    ("fr-FR", ','),
];

proptest! {
    #[test]
    fn numbers_and_money_read_back_as_the_rounded_amount(
        units in -10_000_000_000_000i64..10_000_000_000_000i64,
        scale in 0u32..6,
        digits in 0u32..4,
    ) {
        let value = Decimal::new(units, scale);
        let rounded = value.round_dp_with_strategy(digits, RoundingStrategy::MidpointAwayFromZero);
        for (locale, decimal) in LOCALES {
            let f = Format::new(locale, DurationStyle::Clock).unwrap();
            let number = f.number(value, digits);
            prop_assert_eq!(read_back(&number, decimal), rounded, "{} {}", locale, number);
            prop_assert!(!number.starts_with('-') || !rounded.is_zero(), "negative zero: {}", number);
            let written_digits = number.rsplit(decimal).next().filter(|_| number.contains(decimal));
            prop_assert_eq!(written_digits.map_or(0, |d| d.chars().filter(char::is_ascii_digit).count()), digits as usize);

            let money = f.money(value, "EUR", 2);
            let cents = value.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero);
            prop_assert_eq!(read_back(&money, decimal), cents, "{} {}", locale, money);
            prop_assert!(money.contains('€'), "{}", money);
        }
    }

    #[test]
    fn clock_durations_read_back_as_whole_minutes(seconds in 0i64..10_000_000) {
        let f = Format::new("de-DE", DurationStyle::Clock).unwrap();
        let text = f.duration(seconds);
        let (h, m) = text.split_once(':').unwrap();
        let minutes = h.parse::<i64>().unwrap() * 60 + m.parse::<i64>().unwrap();
        prop_assert_eq!(minutes, (seconds + 30) / 60);
        prop_assert!(m.len() == 2 && m.parse::<i64>().unwrap() < 60);
    }
}
