//! Invoice and credit-note PDFs, and the recovery kit ([`render_recovery_kit`]).
//!
//! A pure renderer: [`render`] takes a [`Document`] whose amounts the caller has already computed
//! and returns the PDF bytes. It formats (per [`Locale`]) and lays out — nothing more. The text
//! is set in Noto Sans, embedded as a subset of the glyphs used, so it extracts and searches
//! correctly and the files stay small.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod canvas;
mod countries;
mod document;
pub mod einvoice;
mod epc;
pub mod facturx;
mod fonts;
pub mod html;
mod kit;
mod locale;
mod render;

pub use countries::country_name;
pub use document::{Document, DocumentKind, Line, Paper, Party, Payment, TaxRow, Totals};
pub use epc::epc_payload;
pub use kit::{RecoveryKit, render_recovery_kit};
pub use locale::{Labels, Locale};
pub use render::group_iban;

use thiserror::Error;

/// What can go wrong while rendering.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum PdfError {
    /// The logo bytes are not a PNG file.
    #[error("the logo is not a PNG image (use a .png file)")]
    LogoNotPng,
    /// The logo is a PNG but cannot be decoded.
    #[error("the logo PNG could not be read: {0}")]
    Logo(String),
    /// The logo is too large to embed sensibly.
    #[error("the logo is {width}×{height} pixels; use one of at most 4096×4096")]
    LogoTooLarge {
        /// Width in pixels.
        width: u32,
        /// Height in pixels.
        height: u32,
    },
    /// The embedded font could not be parsed (a build defect, not an input problem).
    #[error("the embedded font could not be loaded")]
    Font,
    /// The locale's formats could not be made (a defect: the CLDR data is compiled in).
    #[error("{0}")]
    Locale(String),
    /// The payment QR code could not be built.
    #[error("the payment QR code could not be built: {0}")]
    Qr(String),
    /// Writing the PDF into memory failed (a defect: memory does not refuse writes).
    #[error("the PDF could not be written: {0}")]
    Write(String),
    /// The e-invoice could not be attached.
    #[error(transparent)]
    FacturX(#[from] facturx::FacturXError),
}

/// Renders `doc` as a PDF.
///
/// # Errors
///
/// Fails only on a logo that is not a readable PNG of at most 4096 pixels per side (or, in
/// theory, a QR payload too long for a QR code).
pub fn render(doc: &Document) -> Result<Vec<u8>, PdfError> {
    render::render(doc)
}

/// Renders `doc` as a Factur-X PDF/A-3 carrying `xml` (the CII XML of the same invoice), in one
/// pass: the same as [`render`] followed by [`facturx::embed`], without writing and reading the
/// PDF in between.
///
/// # Errors
///
/// As [`render`].
pub fn render_facturx(
    doc: &Document,
    xml: &[u8],
    meta: &facturx::FacturXMeta,
) -> Result<Vec<u8>, PdfError> {
    let mut file = render::render_document(doc)?;
    facturx::embed_into(&mut file, xml, meta)?;
    render::save(file)
}
