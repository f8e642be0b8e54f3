//! The EPC QR code ("GiroCode", EPC069-12): a SEPA credit transfer the payer's banking app can
//! scan instead of typing IBAN, amount and reference.

use qrcode::{EcLevel, QrCode};
use rust_decimal::{Decimal, RoundingStrategy};

use crate::Payment;

/// The largest amount EPC069-12 allows.
const MAX_AMOUNT: Decimal = Decimal::from_parts(0x4876_E7FF, 0x17, 0, false, 2);
/// EPC069-12 field limits, in characters.
const MAX_NAME: usize = 70;
const MAX_REMITTANCE: usize = 140;

/// The EPC069-12 payload for paying `amount` euros to `payment`'s account, or `None` when no
/// valid code exists: not EUR, nothing (or too much) to pay, or no IBAN or account holder.
///
/// Lines: "BCD", "002", "1" (UTF-8), "SCT", BIC, name, IBAN, "EUR" + amount, purpose (empty),
/// structured reference (empty), remittance text; joined by "\n".
pub fn epc_payload(currency: &str, amount: Decimal, payment: &Payment) -> Option<String> {
    if !currency.trim().eq_ignore_ascii_case("EUR") {
        return None;
    }
    let amount = amount.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero);
    if amount <= Decimal::ZERO || amount > MAX_AMOUNT {
        return None;
    }
    let iban: String = payment
        .iban
        .chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| c.to_ascii_uppercase())
        .collect();
    let name = field(&payment.account_holder, MAX_NAME);
    if iban.is_empty() || name.is_empty() {
        return None;
    }
    let bic: String = payment
        .bic
        .as_deref()
        .unwrap_or_default()
        .chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| c.to_ascii_uppercase())
        .collect();
    let mut amount = amount;
    amount.rescale(2);
    let remittance = field(&payment.reference, MAX_REMITTANCE);

    let lines = [
        "BCD",
        "002",
        "1",
        "SCT",
        &bic,
        &name,
        &iban,
        &format!("EUR{amount}"),
        "",
        "",
        &remittance,
    ];
    Some(lines.join("\n"))
}

/// `text` on one line (a line break would shift every later field) and at most `max` characters.
fn field(text: &str, max: usize) -> String {
    let one_line = text.split_whitespace().collect::<Vec<_>>().join(" ");
    one_line.chars().take(max).collect()
}

/// A QR code as horizontal runs of dark modules, ready to draw as rectangles.
#[derive(Debug, Default)]
pub(crate) struct QrModules {
    /// Modules per side.
    pub size: usize,
    /// `(row, first column, length)` of each run, row 0 at the top.
    pub runs: Vec<(usize, usize, usize)>,
}

/// The QR code of `payload` at error-correction level M, as EPC requires.
pub(crate) fn qr_modules(payload: &str) -> Result<QrModules, String> {
    let code = QrCode::with_error_correction_level(payload.as_bytes(), EcLevel::M)
        .map_err(|e| e.to_string())?;
    let width = code.width();
    let colors = code.to_colors();
    let mut runs = Vec::new();
    for (row, modules) in colors.chunks(width.max(1)).enumerate() {
        let mut col = 0;
        while col < modules.len() {
            if modules[col] == qrcode::Color::Dark {
                let start = col;
                while col < modules.len() && modules[col] == qrcode::Color::Dark {
                    col += 1;
                }
                runs.push((row, start, col - start));
            } else {
                col += 1;
            }
        }
    }
    Ok(QrModules { size: width, runs })
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    fn payment() -> Payment {
        Payment {
            terms: "14 days".into(),
            account_holder: "Stint Consulting GmbH".into(),
            iban: "DE89 3704 0044 0532 0130 00".into(),
            bic: Some("COBADEFFXXX".into()),
            reference: "INV-2026-0007".into(),
        }
    }

    #[test]
    fn exact_payload() {
        assert_eq!(
            epc_payload("EUR", dec!(1234.5), &payment()).as_deref(),
            Some(
                "BCD\n002\n1\nSCT\nCOBADEFFXXX\nStint Consulting GmbH\nDE89370400440532013000\n\
                 EUR1234.50\n\n\nINV-2026-0007"
            )
        );
    }

    #[test]
    fn bic_may_be_empty() {
        let p = Payment {
            bic: None,
            ..payment()
        };
        assert_eq!(
            epc_payload("EUR", dec!(0.01), &p).as_deref(),
            Some(
                "BCD\n002\n1\nSCT\n\nStint Consulting GmbH\nDE89370400440532013000\nEUR0.01\n\n\nINV-2026-0007"
            )
        );
    }

    #[test]
    fn only_for_euro_and_a_payable_amount() {
        assert_eq!(epc_payload("USD", dec!(10), &payment()), None);
        assert_eq!(epc_payload("EUR", dec!(0), &payment()), None);
        assert_eq!(epc_payload("EUR", dec!(-10), &payment()), None);
        assert_eq!(epc_payload("EUR", dec!(0.004), &payment()), None);
        assert_eq!(epc_payload("EUR", dec!(1000000000.00), &payment()), None);
        assert!(
            epc_payload("EUR", dec!(999999999.99), &payment())
                .is_some_and(|p| p.contains("\nEUR999999999.99\n"))
        );
        assert!(
            epc_payload("eur", dec!(12), &payment()).is_some_and(|p| p.contains("\nEUR12.00\n"))
        );
    }

    #[test]
    fn rounds_to_cents() {
        let p = epc_payload("EUR", dec!(10.005), &payment());
        assert!(p.is_some_and(|p| p.contains("\nEUR10.01\n")));
    }

    #[test]
    fn cuts_name_and_remittance_to_their_limits() {
        let p = Payment {
            account_holder: "Ä".repeat(100),
            reference: "x\ny".repeat(100),
            ..payment()
        };
        let payload = epc_payload("EUR", dec!(1), &p).unwrap_or_default();
        let lines: Vec<&str> = payload.split('\n').collect();
        assert_eq!(lines.len(), 11);
        assert_eq!(lines[5].chars().count(), 70);
        assert_eq!(lines[10].chars().count(), 140);
        assert!(lines[10].starts_with("x yx y"));
    }

    #[test]
    fn needs_iban_and_name() {
        assert_eq!(
            epc_payload(
                "EUR",
                dec!(1),
                &Payment {
                    iban: " ".into(),
                    ..payment()
                }
            ),
            None
        );
        assert_eq!(
            epc_payload(
                "EUR",
                dec!(1),
                &Payment {
                    account_holder: "".into(),
                    ..payment()
                }
            ),
            None
        );
    }

    #[test]
    fn qr_modules_cover_the_finder_patterns() {
        let payload = epc_payload("EUR", dec!(1234.5), &payment()).unwrap_or_default();
        let QrModules { size, runs } = qr_modules(&payload).unwrap_or_default();
        assert!(size >= 21);
        // The top-left finder pattern starts with a run of 7 dark modules.
        assert_eq!(runs.first(), Some(&(0, 0, 7)));
    }
}
