//! Lines placed on A4 pages, flowed from page to page, and drawn with krilla.

use krilla::{Document, geom::Point, page::PageSettings, paint::Fill, text::TextDirection};

use crate::{
    PdfError,
    fonts::{Fonts, Weight},
};

/// A millimetre in PDF points.
pub(crate) const MM: f32 = 72.0 / 25.4;
/// A4 width in points.
pub(crate) const A4_WIDTH: f32 = 210.0 * MM;
/// A4 height in points.
pub(crate) const A4_HEIGHT: f32 = 297.0 * MM;

/// One line of text at a position: `x` from the left edge, `baseline` from the top edge, in points.
#[derive(Debug, Clone)]
pub(crate) struct Line {
    pub(crate) x: f32,
    pub(crate) baseline: f32,
    pub(crate) weight: Weight,
    pub(crate) size: f32,
    pub(crate) text: String,
}

/// Text flowed down a column from page to page.
pub(crate) struct Flow<'f> {
    pub(crate) fonts: &'f Fonts,
    pub(crate) pages: Vec<Vec<Line>>,
    /// The left edge and width of the column.
    pub(crate) x: f32,
    pub(crate) width: f32,
    /// Where the next line's top is, on the last page.
    pub(crate) y: f32,
    /// Where lines start on a new page, and below which none may reach.
    pub(crate) top: f32,
    pub(crate) bottom: f32,
}

impl Flow<'_> {
    /// `text` (one paragraph line: no newlines) wrapped to the column, a new page started whenever
    /// the next line would pass the bottom. An empty `text` is an empty line.
    pub(crate) fn paragraph(&mut self, text: &str, weight: Weight, size: f32, leading: f32) {
        let face = self.fonts.face(weight);
        for text in face.wrap(&face.printable(text), size, self.width) {
            // A blank line needs no room at the foot of a page, nor at the head of the next.
            let fresh = self.pages.len() > 1 && self.pages.last().is_some_and(Vec::is_empty);
            if text.is_empty() && (self.y + leading > self.bottom || fresh) {
                continue;
            }
            if self.y + leading > self.bottom && self.pages.last().is_some_and(|p| !p.is_empty()) {
                self.pages.push(Vec::new());
                self.y = self.top;
            }
            // The baseline sits where a line of `leading` would put it: the descent below it.
            let baseline = self.y + leading - (leading - size) / 2.0 - 0.24 * size;
            if let Some(page) = self.pages.last_mut() {
                page.push(Line { x: self.x, baseline, weight, size, text });
            }
            self.y += leading;
        }
    }

    /// Every line of `text` (newlines break lines; blank lines stay as space).
    pub(crate) fn text(&mut self, text: &str, weight: Weight, size: f32, leading: f32) {
        for line in text.lines() {
            self.paragraph(line, weight, size, leading);
        }
    }
}

/// An A4 PDF of `pages`, the embedded fonts subset to the glyphs used.
pub(crate) fn render(fonts: &Fonts, pages: &[Vec<Line>]) -> Result<Vec<u8>, PdfError> {
    let mut document = Document::new();
    for lines in pages {
        let settings = PageSettings::from_wh(A4_WIDTH, A4_HEIGHT).ok_or(PdfError::PageSize)?;
        let mut page = document.start_page_with(settings);
        let mut surface = page.surface();
        surface.set_fill(Some(Fill::default()));
        for line in lines.iter().filter(|l| !l.text.is_empty()) {
            let font = fonts.face(line.weight).font.clone();
            let at = Point::from_xy(line.x, line.baseline);
            surface.draw_text(at, font, line.size, &line.text, false, TextDirection::Auto);
        }
        surface.finish();
        page.finish();
    }
    document.finish().map_err(|e| PdfError::Write(e.to_string()))
}
