//! The strings in `vectors.json` are what the UI's `Intl` writes (ui/src/format.test.ts checks
//! the same file); this crate, used by the PDFs and the CLI, must write exactly the same.

use rust_decimal::Decimal;
use serde::Deserialize;
use std::collections::BTreeMap;
use stint_domain::DurationStyle;
use stint_locale::Format;

#[derive(Deserialize)]
struct Vectors {
    locales: BTreeMap<String, Locale>,
}

#[derive(Deserialize)]
struct Locale {
    number: Vec<NumberCase>,
    money: Vec<MoneyCase>,
    percent: Vec<PercentCase>,
    date: Vec<DateCase>,
    time: Vec<TimeCase>,
    duration: Vec<DurationCase>,
}

#[derive(Deserialize)]
struct NumberCase {
    value: Decimal,
    digits: u32,
    text: String,
}

#[derive(Deserialize)]
struct MoneyCase {
    amount: Decimal,
    currency: String,
    text: String,
}

#[derive(Deserialize)]
struct PercentCase {
    percent: Decimal,
    text: String,
}

#[derive(Deserialize)]
struct DateCase {
    date: jiff::civil::Date,
    text: String,
}

#[derive(Deserialize)]
struct TimeCase {
    time: jiff::civil::Time,
    text: String,
}

#[derive(Deserialize)]
struct DurationCase {
    seconds: i64,
    style: DurationStyle,
    text: String,
}

fn vectors() -> Vectors {
    serde_json::from_str(include_str!("vectors.json")).expect("vectors.json parses")
}

#[test]
fn every_locale_writes_what_intl_writes() {
    let vectors = vectors();
    assert_eq!(
        vectors.locales.keys().collect::<Vec<_>>(),
        ["de-DE", "en-GB", "en-US", "fr-FR"]
    );
    let mut failures = Vec::new();
    let mut check = |locale: &str, what: String, got: String, want: &str| {
        if got != want {
            failures.push(format!(
                "{locale} {what}: got {got:?}, Intl writes {want:?}"
            ));
        }
    };
    for (tag, cases) in &vectors.locales {
        let f = Format::new(tag, DurationStyle::Clock).unwrap();
        for c in &cases.number {
            check(
                tag,
                format!("number {}", c.value),
                f.number(c.value, c.digits),
                &c.text,
            );
        }
        for c in &cases.money {
            let got = f.money(c.amount, &c.currency, 2);
            check(
                tag,
                format!("money {} {}", c.amount, c.currency),
                got,
                &c.text,
            );
        }
        for c in &cases.percent {
            check(
                tag,
                format!("percent {}", c.percent),
                f.percent(c.percent),
                &c.text,
            );
        }
        for c in &cases.date {
            check(tag, format!("date {}", c.date), f.date(c.date), &c.text);
        }
        for c in &cases.time {
            check(tag, format!("time {}", c.time), f.time(c.time), &c.text);
        }
        for c in &cases.duration {
            let styled = Format::new(tag, c.style).unwrap();
            check(
                tag,
                format!("duration {} {:?}", c.seconds, c.style),
                styled.duration(c.seconds),
                &c.text,
            );
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
