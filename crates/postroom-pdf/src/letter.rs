//! A council letter on A4: letterhead top right, the recipient in the envelope window, date,
//! reference, bold subject, the body flowed over as many pages as it needs, "Page N of M" below.

use crate::{
    Letter, Letterhead, PdfError,
    fonts::{Fonts, Weight},
    layout::{A4_HEIGHT, A4_WIDTH, Flow, Line, MM, render},
};

// The address window of a DL (and C5) window envelope, on an A4 sheet folded in three (DL) or in
// half (C5): the common UK/European position (DIN 680 / BS 4264 practice) is 20 mm from the left
// edge and 50 mm from the top of the sheet, 90 mm wide and 35–45 mm high.

/// Left edge of the DL window envelope's address window, from the left edge of the page: 20 mm.
pub const WINDOW_LEFT_MM: f32 = 20.0;
/// Top edge of the address window, from the top edge of the page: 50 mm.
pub const WINDOW_TOP_MM: f32 = 50.0;
/// Width of the address window: 90 mm.
pub const WINDOW_WIDTH_MM: f32 = 90.0;
/// Height of the address window: 40 mm (windows are 35–45 mm; 40 mm leaves a margin either way).
pub const WINDOW_HEIGHT_MM: f32 = 40.0;

/// Clearance kept between the window's edges and the address text, so none shows at the edge.
const WINDOW_INSET: f32 = 5.0 * MM;
/// Largest and smallest size of the address; smaller only when the lines would overfill the window.
const ADDRESS_SIZE: f32 = 10.0;
const ADDRESS_MIN_SIZE: f32 = 6.0;

/// Page margins: left (in line with the address text), right, top of continuation pages, bottom.
const LEFT: f32 = WINDOW_LEFT_MM * MM + WINDOW_INSET;
const RIGHT: f32 = 20.0 * MM;
const TOP: f32 = 20.0 * MM;
const BOTTOM: f32 = 25.0 * MM;
/// Letterhead: its top, its widest line, sizes and spacing. It ends above the window unless it has
/// more than about six lines; the body then starts below it.
const LETTERHEAD_TOP: f32 = 15.0 * MM;
const LETTERHEAD_WIDTH: f32 = 100.0 * MM;
const COUNCIL_SIZE: f32 = 12.0;
const LETTERHEAD_SIZE: f32 = 9.0;
/// Body text and subject sizes and line spacing, in points.
const BODY_SIZE: f32 = 10.5;
const BODY_LEADING: f32 = 14.0;
const SUBJECT_SIZE: f32 = 11.0;
/// The footer's size and baseline (from the top of the page).
const FOOTER_SIZE: f32 = 8.0;
const FOOTER_BASELINE: f32 = A4_HEIGHT - 12.0 * MM;

/// `letter` as an A4 PDF, pages added as the body needs them.
///
/// # Errors
/// Only if the compiled-in font or krilla's writer fail, which no input can cause: any text is
/// accepted, characters the font lacks and control characters print as `?`.
pub fn letter(letter: &Letter<'_>) -> Result<Vec<u8>, PdfError> {
    let fonts = Fonts::load()?;
    let mut first = Vec::new();
    let letterhead_bottom = letterhead(&fonts, letter.letterhead, &mut first);
    address(&fonts, letter.recipient, &mut first);
    let window_bottom = (WINDOW_TOP_MM + WINDOW_HEIGHT_MM) * MM;
    let mut flow = Flow {
        fonts: &fonts,
        pages: vec![first],
        x: LEFT,
        width: A4_WIDTH - LEFT - RIGHT,
        y: window_bottom.max(letterhead_bottom) + 8.0 * MM,
        top: TOP,
        bottom: A4_HEIGHT - BOTTOM,
    };
    flow.text(letter.date, Weight::Regular, BODY_SIZE, BODY_LEADING);
    if !letter.reference.is_empty() {
        flow.text(&format!("Our reference: {}", letter.reference), Weight::Regular, BODY_SIZE, BODY_LEADING);
    }
    flow.paragraph("", Weight::Regular, BODY_SIZE, BODY_LEADING);
    flow.text(letter.subject, Weight::Bold, SUBJECT_SIZE, BODY_LEADING);
    flow.paragraph("", Weight::Regular, BODY_SIZE, BODY_LEADING);
    flow.text(letter.body, Weight::Regular, BODY_SIZE, BODY_LEADING);

    let mut pages = flow.pages;
    let total = pages.len();
    let face = fonts.face(Weight::Regular);
    for (i, page) in pages.iter_mut().enumerate() {
        let text = format!("Page {} of {total}", i + 1);
        let x = (A4_WIDTH - face.width(&text, FOOTER_SIZE)) / 2.0;
        page.push(Line { x, baseline: FOOTER_BASELINE, weight: Weight::Regular, size: FOOTER_SIZE, text });
    }
    render(&fonts, &pages)
}

/// The letterhead set flush right at the top of `page`; returns where it ends (from the top).
fn letterhead(fonts: &Fonts, head: &Letterhead, page: &mut Vec<Line>) -> f32 {
    let right = A4_WIDTH - RIGHT;
    let mut y = LETTERHEAD_TOP;
    let mut all = vec![(head.council.as_str(), Weight::Bold, COUNCIL_SIZE)];
    all.extend(head.address.iter().map(|s| (s.as_str(), Weight::Regular, LETTERHEAD_SIZE)));
    all.push(("", Weight::Regular, LETTERHEAD_SIZE / 2.0));
    all.extend(head.contact.iter().map(|s| (s.as_str(), Weight::Regular, LETTERHEAD_SIZE)));
    for (text, weight, size) in all {
        if text.is_empty() {
            y += size * 1.25;
            continue;
        }
        let face = fonts.face(weight);
        for line in text.lines().flat_map(|l| face.wrap(&face.printable(l), size, LETTERHEAD_WIDTH)) {
            y += size * 1.25;
            let x = right - face.width(&line, size);
            page.push(Line { x, baseline: y, weight, size, text: line });
        }
    }
    y + LETTERHEAD_SIZE * 0.3
}

/// The recipient's lines inside the envelope window on `page`, smaller type only if they would not
/// otherwise fit its height.
fn address(fonts: &Fonts, recipient: &[String], page: &mut Vec<Line>) {
    let face = fonts.face(Weight::Regular);
    let width = WINDOW_WIDTH_MM * MM - 2.0 * WINDOW_INSET;
    let lines: Vec<String> = recipient
        .iter()
        .flat_map(|r| r.lines().map(str::to_owned).collect::<Vec<_>>())
        .flat_map(|l| face.wrap(&face.printable(&l), ADDRESS_SIZE, width))
        .collect();
    if lines.is_empty() {
        return;
    }
    let height = WINDOW_HEIGHT_MM * MM - 2.0 * WINDOW_INSET;
    #[expect(clippy::cast_precision_loss, reason = "a handful of address lines")]
    let size = (height / (lines.len() as f32 * 1.2)).clamp(ADDRESS_MIN_SIZE, ADDRESS_SIZE);
    let x = WINDOW_LEFT_MM * MM + WINDOW_INSET;
    let mut baseline = WINDOW_TOP_MM * MM + WINDOW_INSET + 0.76 * size;
    for text in lines {
        page.push(Line { x, baseline, weight: Weight::Regular, size, text });
        baseline += size * 1.2;
    }
}
