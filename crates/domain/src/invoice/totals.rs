//! Invoice arithmetic: line amounts, discounts, the tax breakdown and totals, to the minor unit.
//!
//! The model is EN 16931's: each line has a net amount (BT-131); document-level allowances (BT-92)
//! carry a tax category and rate, so a document discount is split over the tax groups in proportion
//! to their amounts; each group's taxable amount (BT-116) is its lines minus its allowances, and the
//! invoice's net total (BT-109) is the sum of the groups. Prices may include tax (then the tax is
//! taken out of each group's gross) and tax may be rounded per line or once per group. Whatever the
//! mode, these always hold exactly, in the currency's minor unit:
//!
//! - Σ line net − Σ allowance net = net total = Σ group taxable amounts,
//! - Σ group tax = tax total, net total + tax total = gross total,
//! - with prices including tax, the gross total is the sum of the line amounts minus the discount.

use super::{Discount, InvoiceLine, TaxCategory, TaxMode, TaxRounding};
use crate::money::Currency;
use rust_decimal::prelude::ToPrimitive;
use rust_decimal::{Decimal, RoundingStrategy};
use serde::{Deserialize, Serialize};

/// One row of the tax breakdown (EN 16931 BG-23).
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize, ts_rs::TS)]
#[ts(export)]
pub struct TaxGroup {
    /// The tax category.
    pub category: TaxCategory,
    /// The rate in percent.
    #[ts(type = "string")]
    pub percent: Decimal,
    /// Sum of the group's line net amounts (before the document discount).
    #[ts(type = "string")]
    pub lines_net: Decimal,
    /// The document discount's share of this group, net.
    #[ts(type = "string")]
    pub allowance_net: Decimal,
    /// Taxable amount (BT-116) = lines_net − allowance_net.
    #[ts(type = "string")]
    pub taxable: Decimal,
    /// Tax amount (BT-117).
    #[ts(type = "string")]
    pub tax: Decimal,
}

/// Every computed amount of an invoice.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize, ts_rs::TS)]
#[ts(export)]
pub struct Totals {
    /// Each line's net amount (BT-131), in line order.
    #[ts(type = "Array<string>")]
    pub line_net: Vec<Decimal>,
    /// Sum of line net amounts (BT-106).
    #[ts(type = "string")]
    pub lines_net: Decimal,
    /// Document discount, net (BT-107).
    #[ts(type = "string")]
    pub allowance_net: Decimal,
    /// Total without tax (BT-109).
    #[ts(type = "string")]
    pub net: Decimal,
    /// Total tax (BT-110).
    #[ts(type = "string")]
    pub tax: Decimal,
    /// Total with tax (BT-112).
    #[ts(type = "string")]
    pub gross: Decimal,
    /// The tax breakdown, ordered by category then rate.
    pub groups: Vec<TaxGroup>,
}

/// Round to the currency's minor unit, half away from zero (commercial rounding, as EN 16931).
pub fn round(amount: Decimal, currency: Currency) -> Decimal {
    amount.round_dp_with_strategy(currency.exponent(), RoundingStrategy::MidpointAwayFromZero)
}

/// A line's amount before its discount, unrounded: what its tracked time is worth when it bills
/// time ([`InvoiceLine::worth`]), else quantity × unit price.
pub fn line_base(line: &InvoiceLine) -> Decimal {
    line.worth.unwrap_or(line.quantity * line.unit_price)
}

/// A line's amount in the price mode of the invoice (net if tax is added, gross if included):
/// its base ([`line_base`]) − the line discount, rounded.
pub fn line_amount(line: &InvoiceLine, currency: Currency) -> Decimal {
    let base = line_base(line);
    let off = match line.discount {
        None => Decimal::ZERO,
        Some(Discount::Percent(p)) => base * p / Decimal::ONE_HUNDRED,
        Some(Discount::Amount(a)) => a,
    };
    round(base - off, currency)
}

/// Split `total` over `weights` in proportion, in minor units, so the parts add up exactly
/// (largest remainder; ties go to the earlier weight).
pub fn allocate(total: Decimal, weights: &[Decimal], currency: Currency) -> Vec<Decimal> {
    let sum: Decimal = weights.iter().sum();
    if weights.is_empty() {
        return Vec::new();
    }
    if sum.is_zero() {
        let mut parts = vec![Decimal::ZERO; weights.len()];
        parts[0] = total;
        return parts;
    }
    let unit = Decimal::new(1, currency.exponent());
    let exact: Vec<Decimal> = weights.iter().map(|w| total * *w / sum).collect();
    // Truncate toward zero, then hand the remaining units to the largest remainders.
    let mut parts: Vec<Decimal> = exact
        .iter()
        .map(|e| e.round_dp_with_strategy(currency.exponent(), RoundingStrategy::ToZero))
        .collect();
    let left = total - parts.iter().sum::<Decimal>();
    let steps = (left / unit).round().abs().to_usize().unwrap_or(0);
    let step = if left.is_sign_negative() { -unit } else { unit };
    let mut order: Vec<usize> = (0..weights.len()).collect();
    order.sort_by(|&a, &b| {
        let ra = (exact[a] - parts[a]).abs();
        let rb = (exact[b] - parts[b]).abs();
        rb.cmp(&ra).then(a.cmp(&b))
    });
    for &i in order.iter().cycle().take(steps) {
        parts[i] += step;
    }
    parts
}

/// Compute all amounts of an invoice.
pub fn compute(
    lines: &[InvoiceLine],
    discount: Option<Discount>,
    mode: TaxMode,
    rounding: TaxRounding,
    currency: Currency,
) -> Totals {
    let amounts: Vec<Decimal> = lines.iter().map(|l| line_amount(l, currency)).collect();
    // Groups in a stable order: by category, then rate.
    let mut keys: Vec<(TaxCategory, Decimal)> = lines
        .iter()
        .map(|l| (l.tax.category, l.tax.percent.normalize()))
        .collect();
    keys.sort();
    keys.dedup();
    let member = |l: &InvoiceLine, k: &(TaxCategory, Decimal)| {
        l.tax.category == k.0 && l.tax.percent.normalize() == k.1
    };
    let group_amounts: Vec<Decimal> = keys
        .iter()
        .map(|k| {
            lines
                .iter()
                .zip(&amounts)
                .filter(|(l, _)| member(l, k))
                .map(|(_, a)| *a)
                .sum()
        })
        .collect();
    let doc_total: Decimal = group_amounts.iter().sum();
    let allowance = match discount {
        None => Decimal::ZERO,
        Some(Discount::Percent(p)) => round(doc_total * p / Decimal::ONE_HUNDRED, currency),
        Some(Discount::Amount(a)) => round(a, currency),
    };
    // The discount in the price mode (gross if prices include tax), per group.
    let group_allowance = allocate(allowance, &group_amounts, currency);

    let mut line_net = amounts.clone();
    let mut groups = Vec::with_capacity(keys.len());
    for (g, key) in keys.iter().enumerate() {
        let (category, percent) = *key;
        let rate = percent / Decimal::ONE_HUNDRED;
        let in_group: Vec<usize> = (0..lines.len())
            .filter(|&i| member(&lines[i], key))
            .collect();
        let base = group_amounts[g] - group_allowance[g];
        let (taxable, tax, allowance_net) = match mode {
            TaxMode::Exclusive => {
                let tax = match rounding {
                    TaxRounding::PerDocument => round(base * rate, currency),
                    // Lines rounded one by one, less the discount's tax rounded once: a group
                    // discounted to nothing can come out a cent below zero, and tax is never
                    // negative (BR-CO-17 within rounding).
                    TaxRounding::PerLine => (in_group
                        .iter()
                        .map(|&i| round(amounts[i] * rate, currency))
                        .sum::<Decimal>()
                        - round(group_allowance[g] * rate, currency))
                    .max(Decimal::ZERO),
                };
                (base, tax, group_allowance[g])
            }
            TaxMode::Inclusive => {
                let share = rate / (Decimal::ONE + rate);
                let tax = match rounding {
                    TaxRounding::PerDocument => round(base * share, currency),
                    // As above, and the tax in a price can never exceed the price: a group
                    // discounted to nothing could otherwise keep a cent of tax and a net of −0.01.
                    TaxRounding::PerLine => (in_group
                        .iter()
                        .map(|&i| round(amounts[i] * share, currency))
                        .sum::<Decimal>()
                        - round(group_allowance[g] * share, currency))
                    .min(base)
                    .max(Decimal::ZERO),
                };
                let taxable = base - tax;
                let allowance_net = round(group_allowance[g] / (Decimal::ONE + rate), currency);
                // Line nets: the group's net before the discount, split over its lines by amount, so
                // that lines minus allowance give the taxable amount exactly.
                let weights: Vec<Decimal> = in_group.iter().map(|&i| amounts[i]).collect();
                for (&i, net) in
                    in_group
                        .iter()
                        .zip(allocate(taxable + allowance_net, &weights, currency))
                {
                    line_net[i] = net;
                }
                (taxable, tax, allowance_net)
            }
        };
        groups.push(TaxGroup {
            category,
            percent,
            lines_net: taxable + allowance_net,
            allowance_net,
            taxable,
            tax,
        });
    }
    let lines_net: Decimal = line_net.iter().sum();
    let allowance_net: Decimal = groups.iter().map(|g| g.allowance_net).sum();
    let net: Decimal = groups.iter().map(|g| g.taxable).sum();
    let tax: Decimal = groups.iter().map(|g| g.tax).sum();
    Totals {
        line_net,
        lines_net,
        allowance_net,
        net,
        tax,
        gross: net + tax,
        groups,
    }
}
