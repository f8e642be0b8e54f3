//! Plain-text tables and money for the terminal; numbers, dates and durations are written in the
//! organization's locale and duration style (`stint_locale`), as the app writes them.

use stint_domain::Money;
use stint_locale::Format;

/// A table printed with aligned columns.
pub struct Table {
    header: Vec<String>,
    rows: Vec<Option<Vec<String>>>,
}

impl Table {
    /// A table with these column titles.
    pub fn new<S: Into<String>>(header: impl IntoIterator<Item = S>) -> Self {
        Table {
            header: header.into_iter().map(Into::into).collect(),
            rows: Vec::new(),
        }
    }

    /// Add a row.
    pub fn row(&mut self, cells: impl IntoIterator<Item = String>) {
        self.rows.push(Some(
            cells
                .into_iter()
                .map(|c| c.replace(['\n', '\t'], " "))
                .collect(),
        ));
    }

    /// Add a separator line.
    pub fn rule(&mut self) {
        self.rows.push(None);
    }

    /// Print, or print `empty` when there are no rows.
    pub fn print_or(&self, empty: &str) {
        if self.rows.iter().all(Option::is_none) {
            if !empty.is_empty() {
                println!("{empty}");
            }
            return;
        }
        let width = |s: &str| s.chars().count();
        let mut widths: Vec<usize> = self.header.iter().map(|h| width(h)).collect();
        for row in self.rows.iter().flatten() {
            for (i, cell) in row.iter().enumerate() {
                if i < widths.len() {
                    widths[i] = widths[i].max(width(cell));
                }
            }
        }
        let line = |cells: &[String]| {
            let mut out = String::new();
            for (i, cell) in cells.iter().enumerate() {
                let pad = widths
                    .get(i)
                    .copied()
                    .unwrap_or(0)
                    .saturating_sub(width(cell));
                out.push_str(cell);
                if i + 1 < cells.len() {
                    out.push_str(&" ".repeat(pad + 2));
                }
            }
            out.trim_end().to_owned()
        };
        println!("{}", line(&self.header));
        for row in &self.rows {
            match row {
                Some(cells) => println!("{}", line(cells)),
                None => println!(
                    "{}",
                    "-".repeat(widths.iter().sum::<usize>() + 2 * widths.len().saturating_sub(1))
                ),
            }
        }
    }
}

/// An amount as the organization writes money: "€142.50", "142,50 €".
pub fn money(format: &Format, money: &Money) -> String {
    format.money(
        money.amount,
        money.currency.code(),
        money.currency.exponent(),
    )
}

/// Amounts, one per currency.
pub fn money_list(format: &Format, amounts: &[Money]) -> String {
    if amounts.is_empty() {
        return "-".into();
    }
    amounts
        .iter()
        .map(|m| money(format, m))
        .collect::<Vec<_>>()
        .join(" + ")
}
