//! Plain-text tables and number formatting for the terminal.

use stint_domain::Money;

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

/// Seconds as hours with two decimals: `1.50`.
pub fn hours(seconds: i64) -> String {
    let h = rust_decimal::Decimal::from(seconds) / rust_decimal::Decimal::from(3600);
    format!(
        "{:.2}",
        h.round_dp_with_strategy(2, rust_decimal::RoundingStrategy::MidpointAwayFromZero)
    )
}

/// Amounts, one per currency.
pub fn money_list(amounts: &[Money]) -> String {
    if amounts.is_empty() {
        return "-".into();
    }
    amounts
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(" + ")
}
