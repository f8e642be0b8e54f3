//! Bench B4 (BENCHMARKS.md): invoice PDFs rendered natively, beside headless Chromium printing the
//! same invoice from HTML, in the same run. Builds its own scratch vault with a billing profile, a
//! client and issued invoices through the engine's own commands, so the measured path is the real one
//! (totals, layout, font subset, and for the e-invoice variant the CII XML and the PDF/A-3 rewrite).

use crate::bench::Figure;
use crate::invoice_files::{InvoiceFormat, PaperSize};
use crate::{Engine, EngineError, NewClient, NewInvoice, NewOrganization, Result};
use rust_decimal::Decimal;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;
use stint_domain::*;
use stint_vault::MemoryKeyStore;

/// What B4 measured.
#[derive(Clone, Debug, serde::Serialize)]
pub struct PdfBenchReport {
    /// The figures, each with Chromium's time beside it where it was measured.
    pub figures: Vec<Figure>,
    /// Size of the one-page PDF and of its Factur-X variant, in bytes.
    pub one_page_bytes: (usize, usize),
    /// Chromium's version, or why it was not measured.
    pub chromium: String,
    /// How many invoices of the batch Chromium printed (its per-invoice median is scaled to 1,000).
    pub chromium_batch_sample: usize,
}

fn ms(since: Instant) -> f64 {
    since.elapsed().as_secs_f64() * 1000.0
}

fn median(mut samples: Vec<f64>) -> f64 {
    samples.sort_by(|a, b| a.total_cmp(b));
    samples.get(samples.len() / 2).copied().unwrap_or(f64::NAN)
}

fn line(i: usize) -> TypedLine {
    TypedLine {
        description: format!(
            "Design and development, sprint {} – Müller & Søn relaunch",
            i + 1
        ),
        detail: Some(format!(
            "2026-10-{:02} – 2026-10-{:02}",
            i % 28 + 1,
            i % 28 + 1
        )),
        quantity: Decimal::new(((i % 7) as i64 + 1) * 25, 2),
        unit: Unit::Hour,
        unit_price: Decimal::from(95),
        discount: None,
        tax: Tax::standard(Decimal::from(19)),
    }
}

/// Print `html` to PDF with headless Chromium; milliseconds of wall time (process start to exit).
fn chromium_print(chromium: &Path, html: &Path, pdf: &Path) -> Result<f64> {
    let started = Instant::now();
    let out = Command::new(chromium)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-pdf-header-footer",
            "--allow-file-access-from-files",
        ])
        .arg(format!("--print-to-pdf={}", pdf.display()))
        .arg(format!("file://{}", html.display()))
        .output()
        .map_err(|e| {
            EngineError::Invalid(ValidationError::new(format!(
                "cannot run {}: {e}",
                chromium.display()
            )))
        })?;
    let elapsed = ms(started);
    if !out.status.success() || !pdf.exists() {
        return Err(EngineError::Invalid(ValidationError::new(format!(
            "chromium failed: {}",
            String::from_utf8_lossy(&out.stderr)
                .lines()
                .last()
                .unwrap_or_default()
        ))));
    }
    Ok(elapsed)
}

/// Measure B4. `chromium` is the browser binary (Debian's `chromium`); `font_dir` holds the Noto
/// Sans files the HTML loads; `runs` samples per native figure.
pub async fn run(
    chromium: Option<&Path>,
    font_dir: &Path,
    runs: usize,
    chromium_runs: usize,
) -> Result<PdfBenchReport> {
    let scratch = tempfile_dir()?;
    let keys = MemoryKeyStore::default();
    let mut engine =
        Engine::create(&scratch.join("vault"), stint_vault::Unlock::Keyring(&keys)).await?;
    let org = engine
        .create_organization(NewOrganization {
            name: "Atelier Weiß".into(),
            currency: "EUR".into(),
            locale: "de-DE".into(),
            time_zone: "Europe/Berlin".into(),
            week_start: None,
            owner_name: "Ada".into(),
        })
        .await?;
    let by = engine.act_as_user(org)?;
    let client = engine
        .add_client(
            &by,
            NewClient {
                name: "Müller & Søn".into(),
                currency: None,
                rounding: None,
                note: String::new(),
            },
        )
        .await?;
    let mut profile = engine.billing_profile(&by)?;
    profile.seller = Party {
        name: "Atelier Weiß GmbH".into(),
        street: "Torstraße 1".into(),
        postcode: "10119".into(),
        city: "Berlin".into(),
        country: "DE".into(),
        vat_id: Some("DE123456789".into()),
        email: Some("rechnung@example.org".into()),
        contact: None,
        phone: None,
    };
    profile.bank = Some(BankAccount {
        holder: "Atelier Weiß GmbH".into(),
        iban: "DE89370400440532013000".into(),
        bic: None,
    });
    engine.save_billing_profile(&by, profile).await?;
    let mut details = engine.client_billing(&by, client)?;
    details.buyer = Party {
        street: "Hafenweg 3".into(),
        postcode: "20457".into(),
        city: "Hamburg".into(),
        country: "DE".into(),
        ..details.buyer
    };
    engine.save_client_billing(&by, details).await?;
    let make = async |engine: &mut Engine, lines: usize| -> Result<InvoiceId> {
        let input = NewInvoice {
            client: Some(client),
            lines: (0..lines).map(line).collect(),
            ..Default::default()
        };
        let draft = engine.create_invoice(&by, input).await?;
        Ok(engine
            .issue_invoice(&by, draft.invoice.id, None)
            .await?
            .invoice
            .id)
    };
    let one = make(&mut engine, 6).await?;
    let ten = make(&mut engine, 290).await?;
    let mut batch = Vec::with_capacity(1000);
    for i in 0..1000 {
        batch.push(make(&mut engine, 4 + i % 9).await?);
    }

    let time = |format: InvoiceFormat, id: InvoiceId, n: usize| -> Result<(f64, usize)> {
        let mut samples = Vec::with_capacity(n);
        let mut size = 0;
        for _ in 0..n {
            let t = Instant::now();
            let file = engine.invoice_file(&by, id, format, PaperSize::A4)?;
            samples.push(ms(t));
            size = file.bytes.len();
        }
        Ok((median(samples), size))
    };
    let (one_ms, one_bytes) = time(InvoiceFormat::PlainPdf, one, runs)?;
    let (one_fx_ms, one_fx_bytes) = time(InvoiceFormat::Pdf, one, runs)?;
    let (ten_ms, _) = time(InvoiceFormat::PlainPdf, ten, runs.div_ceil(4).max(3))?;
    let t = Instant::now();
    for id in &batch {
        engine.invoice_file(&by, *id, InvoiceFormat::Pdf, PaperSize::A4)?;
    }
    let batch_ms = ms(t);

    // Chromium on the same invoices.
    let (mut c_one, mut c_ten, mut c_batch, mut version) = (
        None,
        None,
        None,
        String::from("not measured: no --chromium given"),
    );
    let mut sample = 0;
    if let Some(browser) = chromium {
        version = Command::new(browser)
            .arg("--version")
            .output()
            .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
            .unwrap_or_else(|e| format!("{}: {e}", browser.display()));
        let print = |id: InvoiceId, n: usize, tag: &str| -> Result<f64> {
            let html = scratch.join(format!("{tag}.html"));
            let doc = engine.invoice_document(&by, id, PaperSize::A4)?;
            let page = stint_invoice_pdf::html::to_html(&doc, font_dir)
                .map_err(|e| EngineError::Invalid(ValidationError::new(e.to_string())))?;
            std::fs::write(&html, page)
                .map_err(|e| EngineError::Invalid(ValidationError::new(e.to_string())))?;
            let mut samples = Vec::new();
            for i in 0..n {
                let pdf = scratch.join(format!("{tag}-{i}.pdf"));
                samples.push(chromium_print(browser, &html, &pdf)?);
            }
            Ok(median(samples))
        };
        c_one = Some(print(one, chromium_runs, "one")?);
        c_ten = Some(print(ten, chromium_runs.min(3), "ten")?);
        sample = chromium_runs.max(3);
        let per: Vec<f64> = batch
            .iter()
            .take(sample)
            .enumerate()
            .map(|(i, id)| print(*id, 1, &format!("batch-{i}")))
            .collect::<Result<_>>()?;
        c_batch = Some(median(per) * 1000.0);
    }
    engine.close().await;
    let _ = std::fs::remove_dir_all(&scratch);

    let figure =
        |what: String, measured: f64, chromium: Option<f64>, target: &'static str, met: bool| {
            Figure {
                id: "B4",
                what,
                median_ms: measured,
                p90_ms: None,
                baseline_ms: chromium,
                target,
                met,
            }
        };
    let faster =
        |measured: f64, chromium: Option<f64>| chromium.is_some_and(|c| c / measured >= 200.0);
    Ok(PdfBenchReport {
        figures: vec![
            figure(
                "one-page invoice PDF, subset font".into(),
                one_ms,
                c_one,
                "<= 5 ms and >= 200x faster than Chromium",
                one_ms <= 5.0 && faster(one_ms, c_one),
            ),
            figure(
                "one-page Factur-X PDF/A-3 (render + CII XML + embed)".into(),
                one_fx_ms,
                c_one,
                "<= 5 ms",
                one_fx_ms <= 5.0,
            ),
            figure(
                "10-page invoice PDF (290 lines)".into(),
                ten_ms,
                c_ten,
                ">= 200x faster than Chromium",
                faster(ten_ms, c_ten),
            ),
            figure(
                "1,000 Factur-X invoices, one after another (total)".into(),
                batch_ms,
                c_batch,
                ">= 200x faster than Chromium",
                faster(batch_ms, c_batch),
            ),
        ],
        one_page_bytes: (one_bytes, one_fx_bytes),
        chromium: version,
        chromium_batch_sample: sample,
    })
}

fn tempfile_dir() -> Result<PathBuf> {
    let dir = std::env::temp_dir().join(format!("stint-bench-pdf-{}", std::process::id()));
    std::fs::create_dir_all(&dir)
        .map_err(|e| EngineError::Invalid(ValidationError::new(e.to_string())))?;
    Ok(dir)
}
