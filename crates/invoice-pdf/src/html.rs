//! The same invoice as an HTML page, for bench B4: the way HTML-to-PDF tools (Invoice Ninja prints
//! through headless Chromium) make invoices. Same texts, same table, same totals, the same Noto Sans
//! loaded with `@font-face`, and the payment QR code as inline SVG, so Chromium has the same work to
//! do as [`crate::render`].

use crate::document::{Document, DocumentKind, Paper};
use crate::epc::epc_payload;
use std::fmt::Write;

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// The HTML page; `font_dir` is where NotoSans-Regular.ttf and NotoSans-Bold.ttf are (a file path).
pub fn to_html(doc: &Document, font_dir: &std::path::Path) -> Result<String, crate::PdfError> {
    let l = doc.locale.labels();
    let loc = doc.format()?;
    let money = |v| loc.money(v, &doc.currency, doc.minor_units);
    let number = |v| loc.number(v, doc.minor_units);
    let fonts = font_dir.display();
    let page = match doc.paper {
        Paper::A4 => "A4",
        Paper::Letter => "letter",
    };
    let mut h = String::with_capacity(16 * 1024 + doc.lines.len() * 300);
    let _ = write!(
        h,
        r#"<!doctype html><html><head><meta charset="utf-8"><title>{title} {number_}</title><style>
@font-face {{ font-family: Noto; src: url("file://{fonts}/NotoSans-Regular.ttf"); }}
@font-face {{ font-family: Noto; font-weight: bold; src: url("file://{fonts}/NotoSans-Bold.ttf"); }}
@page {{ size: {page}; margin: 18mm 16mm; }}
body {{ font-family: Noto; font-size: 9pt; color: #222; }}
.seller {{ text-align: right; }} h1 {{ font-size: 18pt; margin: 14pt 0 6pt; }}
table {{ width: 100%; border-collapse: collapse; }} thead {{ display: table-header-group; }}
th {{ background: #eee; text-align: left; font-size: 8pt; padding: 3pt; }} td {{ padding: 3pt; border-bottom: 1px solid #ddd; }}
.num {{ text-align: right; white-space: nowrap; }} .detail {{ color: #777; font-size: 7.5pt; }}
.totals {{ page-break-inside: avoid; margin-left: 50%; }} .grand td {{ font-weight: bold; font-size: 11pt; border-top: 1px solid #222; }}
.meta td {{ border: 0; padding: 1pt 3pt; }}
</style></head><body>"#,
        title = esc(match doc.kind {
            DocumentKind::Invoice => l.invoice,
            DocumentKind::CreditNote { .. } => l.credit_note,
        }),
        number_ = esc(&doc.number),
    );
    let party = |h: &mut String, class: &str, p: &crate::document::Party| {
        let _ = write!(h, r#"<div class="{class}"><b>{}</b><br>"#, esc(&p.name));
        for line in &p.address_lines {
            let _ = write!(h, "{}<br>", esc(line));
        }
        let _ = write!(h, "{}<br>", esc(&p.country));
        if let Some(vat) = &p.vat_id {
            let _ = write!(h, "{} {}<br>", esc(l.vat_id), esc(vat));
        }
        h.push_str("</div>");
    };
    party(&mut h, "seller", &doc.seller);
    let _ = write!(h, "<p>{}</p>", esc(l.bill_to));
    party(&mut h, "buyer", &doc.buyer);
    let _ = write!(
        h,
        r#"<table class="meta"><tr><td>{}</td><td>{}</td></tr><tr><td>{}</td><td>{}</td></tr>"#,
        esc(l.number),
        esc(&doc.number),
        esc(l.issue_date),
        esc(&loc.date(doc.issue_date))
    );
    if let Some(due) = doc.due_date {
        let _ = write!(
            h,
            "<tr><td>{}</td><td>{}</td></tr>",
            esc(l.due_date),
            esc(&loc.date(due))
        );
    }
    let _ = write!(
        h,
        r#"</table><h1>{}</h1><table><thead><tr><th>{}</th><th class="num">{}</th><th class="num">{}</th><th class="num">{}</th><th class="num">{}</th></tr></thead><tbody>"#,
        esc(match doc.kind {
            DocumentKind::Invoice => l.invoice,
            DocumentKind::CreditNote { .. } => l.credit_note,
        }),
        esc(l.description),
        esc(l.quantity),
        esc(l.unit_price),
        esc(l.tax),
        esc(l.amount)
    );
    for line in &doc.lines {
        let _ = write!(
            h,
            r#"<tr><td>{}{}</td><td class="num">{} {}</td><td class="num">{}</td><td class="num">{}</td><td class="num">{}</td></tr>"#,
            esc(&line.description),
            line.detail
                .as_deref()
                .map(|d| format!(r#"<div class="detail">{}</div>"#, esc(d)))
                .unwrap_or_default(),
            esc(&Document::line_quantity(&loc, line)),
            esc(&line.unit),
            esc(&number(line.unit_price)),
            esc(&loc.percent(line.tax_percent)),
            esc(&number(line.net)),
        );
    }
    let _ = write!(
        h,
        r#"</tbody></table><table class="totals"><tr><td>{}</td><td class="num">{}</td></tr>"#,
        esc(l.net_total),
        esc(&money(doc.totals.net))
    );
    for row in &doc.tax_rows {
        let _ = write!(
            h,
            r#"<tr><td>{}</td><td class="num">{}</td></tr>"#,
            esc(&row.label),
            esc(&money(row.tax))
        );
    }
    let _ = write!(
        h,
        r#"<tr class="grand"><td>{}</td><td class="num">{}</td></tr></table>"#,
        esc(l.gross_total),
        esc(&money(doc.totals.gross))
    );
    if let Some(payment) = &doc.payment {
        let _ = write!(
            h,
            "<h3>{}</h3><p>{}<br>{} {}<br>IBAN {}<br>{} {}</p>",
            esc(l.payment),
            esc(&payment.terms),
            esc(l.account_holder),
            esc(&payment.account_holder),
            esc(&payment.iban),
            esc(l.reference),
            esc(&payment.reference)
        );
        if let Some(svg) = epc_payload(&doc.currency, doc.totals.due, payment).and_then(|data| {
            qrcode::QrCode::with_error_correction_level(data.as_bytes(), qrcode::EcLevel::M).ok()
        }) {
            let width = svg.width();
            let colors = svg.to_colors();
            let _ = write!(
                h,
                r#"<svg width="90" height="90" viewBox="0 0 {width} {width}">"#
            );
            for (i, c) in colors.iter().enumerate() {
                if *c == qrcode::Color::Dark {
                    let _ = write!(
                        h,
                        r#"<rect x="{}" y="{}" width="1" height="1"/>"#,
                        i % width,
                        i / width
                    );
                }
            }
            h.push_str("</svg>");
        }
    }
    h.push_str("</body></html>");
    Ok(h)
}
