//! PDF letters for print and sample documents.
//!
//! [`letter`] sets a council letter on A4 for a DL/C5 window envelope; [`document`] sets plain text
//! on A4 (the demo's and tests' sample "scanned" letters); [`combine`] joins PDFs into one print
//! batch; [`page_count`] counts pages. Text is set in DejaVu Sans, compiled into the binary and
//! embedded (subset, with a ToUnicode map) by [krilla](https://docs.rs/krilla), so `pdftotext` gives
//! back what was written, `£` and accented letters included. Existing PDFs are read with `lopdf`.

mod combine;
mod fonts;
mod layout;
mod letter;

pub use combine::{combine, page_count};
pub use letter::{WINDOW_HEIGHT_MM, WINDOW_LEFT_MM, WINDOW_TOP_MM, WINDOW_WIDTH_MM, letter};

use fonts::{Fonts, Weight};
use layout::{A4_HEIGHT, A4_WIDTH, Flow, MM, render};

/// The council's letterhead, from configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Letterhead {
    /// The council's name, printed bold at the top right.
    pub council: String,
    /// Its postal address, one line each.
    pub address: Vec<String>,
    /// Telephone, email, web address: one line each.
    pub contact: Vec<String>,
}

/// One letter.
#[derive(Debug, Clone, Copy)]
pub struct Letter<'a> {
    /// The sender.
    pub letterhead: &'a Letterhead,
    /// Addressee name then the postal address lines (as many as given, typically 3–7).
    pub recipient: &'a [String],
    /// Already formatted, e.g. "7 December 2026".
    pub date: &'a str,
    /// The reference alone: printed as "Our reference: {reference}" (left out when empty).
    pub reference: &'a str,
    /// Printed bold as a heading.
    pub subject: &'a str,
    /// Plain text: paragraphs separated by blank lines; single newlines are line breaks.
    pub body: &'a str,
}

/// Why a PDF could not be made or read.
#[derive(Debug, thiserror::Error)]
pub enum PdfError {
    /// A font compiled into the binary did not parse (a broken build, not bad input).
    #[error("the embedded font {0} could not be read")]
    Font(&'static str),
    /// krilla refused the A4 page size (a broken build, not bad input).
    #[error("A4 was refused as a page size")]
    PageSize,
    /// krilla could not write the document.
    #[error("could not write the PDF: {0}")]
    Write(String),
    /// A PDF given to [`combine`] or [`page_count`] could not be read.
    #[error("could not read PDF number {number} (counting from 1)")]
    Read {
        /// Its position among the PDFs given, from 1.
        number: usize,
        /// What lopdf found wrong.
        #[source]
        source: lopdf::Error,
    },
    /// [`combine`] was given no PDFs: a PDF needs at least one page.
    #[error("there are no PDFs to combine")]
    NothingToCombine,
    /// The combined PDF could not be assembled or written.
    #[error("could not write the combined PDF")]
    Combine(#[source] lopdf::Error),
}

/// Body text size and line spacing of [`document`], in points.
const DOCUMENT_SIZE: f32 = 11.0;
const DOCUMENT_LEADING: f32 = 14.0;
/// Margins of [`document`].
const DOCUMENT_MARGIN: f32 = 20.0 * MM;

/// A plain A4 document whose text layer is `text` (one or more pages; used for demo and test sample
/// "scanned" letters). Each line of `text` is a line of the page, wrapped at the margins; characters
/// the font lacks and control characters print as `?`. An empty `text` is one blank page.
///
/// # Errors
/// Only if the compiled-in font or krilla's writer fail, which no input can cause.
pub fn document(text: &str) -> Result<Vec<u8>, PdfError> {
    let fonts = Fonts::load()?;
    let mut flow = Flow {
        fonts: &fonts,
        pages: vec![Vec::new()],
        x: DOCUMENT_MARGIN,
        width: A4_WIDTH - 2.0 * DOCUMENT_MARGIN,
        y: DOCUMENT_MARGIN,
        top: DOCUMENT_MARGIN,
        bottom: A4_HEIGHT - DOCUMENT_MARGIN,
    };
    flow.text(text, Weight::Regular, DOCUMENT_SIZE, DOCUMENT_LEADING);
    render(&fonts, &flow.pages)
}
