//! Money: an exact decimal amount in an ISO 4217 currency. Never floating point.

use rust_decimal::{Decimal, RoundingStrategy};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;
use std::str::FromStr;
use thiserror::Error;

/// An ISO 4217 currency (EUR, USD, JPY, ...), with its minor-unit exponent.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, ts_rs::TS)]
#[ts(export, type = "string")]
pub struct Currency(iso_currency::Currency);

impl Currency {
    /// The euro.
    pub const EUR: Currency = Currency(iso_currency::Currency::EUR);
    /// The US dollar.
    pub const USD: Currency = Currency(iso_currency::Currency::USD);

    /// The three-letter code.
    pub fn code(self) -> &'static str {
        self.0.code()
    }

    /// Digits after the decimal point in this currency's minor unit (EUR 2, JPY 0, BHD 3).
    pub fn exponent(self) -> u32 {
        self.0.exponent().map(u32::from).unwrap_or(2)
    }
}

impl FromStr for Currency {
    type Err = MoneyError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let code = s.trim().to_ascii_uppercase();
        iso_currency::Currency::from_code(&code)
            .map(Currency)
            .ok_or_else(|| MoneyError::UnknownCurrency(s.trim().to_owned()))
    }
}

impl fmt::Display for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl fmt::Debug for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl Serialize for Currency {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.code())
    }
}

impl<'de> Deserialize<'de> for Currency {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Code;
        impl serde::de::Visitor<'_> for Code {
            type Value = Currency;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an ISO 4217 currency code")
            }
            fn visit_str<E: serde::de::Error>(self, code: &str) -> Result<Currency, E> {
                code.parse().map_err(E::custom)
            }
        }
        d.deserialize_str(Code)
    }
}

/// What can go wrong with money.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum MoneyError {
    /// Not an ISO 4217 code.
    #[error("{0:?} is not an ISO 4217 currency code (use e.g. EUR, USD, CHF)")]
    UnknownCurrency(String),
    /// Adding or comparing different currencies.
    #[error("cannot combine {0} and {1}: amounts are in different currencies")]
    CurrencyMismatch(Currency, Currency),
    /// Not a decimal number.
    #[error("{0:?} is not an amount (use digits with a dot, e.g. 95 or 12.50)")]
    NotAnAmount(String),
    /// More decimals than the currency has.
    #[error("{amount} has more decimals than {currency} allows ({exponent})")]
    TooPrecise {
        /// The amount as typed.
        amount: String,
        /// Its currency.
        currency: Currency,
        /// The currency's exponent.
        exponent: u32,
    },
    /// Negative where only positive makes sense.
    #[error("amount must be greater than zero, not {0}")]
    NotPositive(String),
    /// Out of range.
    #[error("amount {0} is too large")]
    TooLarge(String),
}

/// An exact amount of money.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ts_rs::TS)]
#[ts(export)]
pub struct Money {
    /// The amount, exact (serialized as a decimal string).
    #[ts(type = "string")]
    pub amount: Decimal,
    /// The currency.
    pub currency: Currency,
}

/// The largest amount accepted from input (far beyond any invoice; keeps products in range).
const MAX_INPUT: Decimal = Decimal::from_parts(1_000_000_000, 0, 0, false, 0);

impl Money {
    /// An amount in a currency.
    pub fn new(amount: Decimal, currency: Currency) -> Self {
        Self { amount, currency }
    }

    /// Zero in a currency.
    pub fn zero(currency: Currency) -> Self {
        Self::new(Decimal::ZERO, currency)
    }

    /// Parse user input like `95`, `95.00`, `1234.5` as a strictly positive amount with at most the
    /// currency's number of decimals.
    pub fn parse_positive(input: &str, currency: Currency) -> Result<Self, MoneyError> {
        let trimmed = input.trim();
        let amount =
            Decimal::from_str(trimmed).map_err(|_| MoneyError::NotAnAmount(trimmed.to_owned()))?;
        if amount <= Decimal::ZERO {
            return Err(MoneyError::NotPositive(trimmed.to_owned()));
        }
        if amount > MAX_INPUT {
            return Err(MoneyError::TooLarge(trimmed.to_owned()));
        }
        let exponent = currency.exponent();
        if amount.normalize().scale() > exponent {
            return Err(MoneyError::TooPrecise {
                amount: trimmed.to_owned(),
                currency,
                exponent,
            });
        }
        Ok(Self::new(amount, currency))
    }

    /// Sum of two amounts in the same currency.
    pub fn checked_add(self, other: Money) -> Result<Money, MoneyError> {
        if self.currency != other.currency {
            return Err(MoneyError::CurrencyMismatch(self.currency, other.currency));
        }
        self.amount
            .checked_add(other.amount)
            .map(|amount| Money::new(amount, self.currency))
            .ok_or_else(|| MoneyError::TooLarge(self.amount.to_string()))
    }

    /// Add `amount` to the one sum of its currency in `sums`, or start that sum: totals of work
    /// that may be billed in several currencies, exact (no rounding).
    pub fn add_to(sums: &mut Vec<Money>, amount: Money) {
        match sums.iter_mut().find(|m| m.currency == amount.currency) {
            Some(sum) => sum.amount += amount.amount,
            None => sums.push(amount),
        }
    }

    /// The amount rounded to the currency's minor unit, half away from zero (commercial rounding).
    pub fn rounded(self) -> Money {
        Money::new(
            self.amount.round_dp_with_strategy(
                self.currency.exponent(),
                RoundingStrategy::MidpointAwayFromZero,
            ),
            self.currency,
        )
    }
}

impl fmt::Display for Money {
    /// `1234.50 EUR`: rounded to the minor unit, always with all its decimals.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let rounded = self.rounded();
        let exponent = self.currency.exponent() as usize;
        write!(f, "{:.*} {}", exponent, rounded.amount, self.currency)
    }
}

impl fmt::Debug for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.amount, self.currency)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use rust_decimal_macros::dec;

    #[test]
    fn parses_and_validates_amounts() {
        let eur = Currency::EUR;
        assert_eq!(Money::parse_positive("95", eur).unwrap().amount, dec!(95));
        assert_eq!(
            Money::parse_positive(" 12.50 ", eur).unwrap().amount,
            dec!(12.50)
        );
        assert!(matches!(
            Money::parse_positive("-3", eur),
            Err(MoneyError::NotPositive(_))
        ));
        assert!(matches!(
            Money::parse_positive("0", eur),
            Err(MoneyError::NotPositive(_))
        ));
        assert!(matches!(
            Money::parse_positive("1.234", eur),
            Err(MoneyError::TooPrecise { .. })
        ));
        assert!(matches!(
            Money::parse_positive("abc", eur),
            Err(MoneyError::NotAnAmount(_))
        ));
        assert!(matches!(
            Money::parse_positive("1e9999", eur),
            Err(MoneyError::NotAnAmount(_))
        ));
        let jpy: Currency = "jpy".parse().unwrap();
        assert!(Money::parse_positive("100.5", jpy).is_err());
        assert!("EURO".parse::<Currency>().is_err());
    }

    #[test]
    fn displays_with_the_currency_exponent() {
        assert_eq!(
            Money::new(dec!(142.5), Currency::EUR).to_string(),
            "142.50 EUR"
        );
        assert_eq!(
            Money::new(dec!(0.005), Currency::EUR).to_string(),
            "0.01 EUR"
        );
        let bhd: Currency = "BHD".parse().unwrap();
        assert_eq!(Money::new(dec!(1.2), bhd).to_string(), "1.200 BHD");
        let jpy: Currency = "JPY".parse().unwrap();
        assert_eq!(Money::new(dec!(1234.5), jpy).to_string(), "1235 JPY");
    }

    #[test]
    fn refuses_to_add_different_currencies() {
        let a = Money::new(dec!(1), Currency::EUR);
        let b = Money::new(dec!(1), Currency::USD);
        assert_eq!(
            a.checked_add(b),
            Err(MoneyError::CurrencyMismatch(Currency::EUR, Currency::USD))
        );
    }

    #[test]
    fn serializes_as_strings() {
        let m = Money::new(dec!(95.00), Currency::EUR);
        let json = serde_json::to_string(&m).unwrap();
        assert_eq!(json, r#"{"amount":"95.00","currency":"EUR"}"#);
        assert_eq!(serde_json::from_str::<Money>(&json).unwrap(), m);
    }

    proptest! {
        #[test]
        fn addition_is_exact_and_order_free(cents in proptest::collection::vec(1i64..10_000_000, 1..50)) {
            let amounts: Vec<Money> = cents.iter().map(|c| Money::new(Decimal::new(*c, 2), Currency::EUR)).collect();
            let forward = amounts.iter().try_fold(Money::zero(Currency::EUR), |acc, m| acc.checked_add(*m)).unwrap();
            let backward = amounts.iter().rev().try_fold(Money::zero(Currency::EUR), |acc, m| acc.checked_add(*m)).unwrap();
            prop_assert_eq!(forward, backward);
            prop_assert_eq!(forward.amount, Decimal::new(cents.iter().sum::<i64>(), 2));
        }

        #[test]
        fn parse_display_round_trip(cents in 1i64..100_000_000_000) {
            let m = Money::new(Decimal::new(cents, 2), Currency::EUR);
            let shown = m.to_string();
            let typed = shown.trim_end_matches(" EUR");
            prop_assert_eq!(Money::parse_positive(typed, Currency::EUR).unwrap().amount, m.amount);
        }
    }
}
