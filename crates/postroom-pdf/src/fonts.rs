//! The fonts compiled into the binary (DejaVu Sans and DejaVu Sans Bold, Bitstream Vera licence in
//! `fonts/LICENSE-DejaVu.txt`) and text measured and wrapped with their real glyph widths.

use krilla::text::Font;
use skrifa::{
    FontRef, MetadataProvider,
    instance::{LocationRef, Size},
};

use crate::PdfError;

const REGULAR: &[u8] = include_bytes!("../fonts/DejaVuSans.ttf");
const BOLD: &[u8] = include_bytes!("../fonts/DejaVuSans-Bold.ttf");

/// What a character the font cannot draw (or a control character) is printed as.
const REPLACEMENT: char = '?';

/// Which of the two faces a line is set in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Weight {
    Regular,
    Bold,
}

/// One face: the font krilla embeds (subset, with a ToUnicode map) and the same bytes read for metrics.
pub(crate) struct Face {
    pub(crate) font: Font,
    metrics: FontRef<'static>,
}

/// Both faces.
pub(crate) struct Fonts {
    regular: Face,
    bold: Face,
}

impl Fonts {
    pub(crate) fn load() -> Result<Self, PdfError> {
        Ok(Self { regular: Face::load("DejaVu Sans", REGULAR)?, bold: Face::load("DejaVu Sans Bold", BOLD)? })
    }

    pub(crate) fn face(&self, weight: Weight) -> &Face {
        match weight {
            Weight::Regular => &self.regular,
            Weight::Bold => &self.bold,
        }
    }
}

impl Face {
    fn load(name: &'static str, bytes: &'static [u8]) -> Result<Self, PdfError> {
        let font = Font::new(bytes.into(), 0).ok_or(PdfError::Font(name))?;
        let metrics = FontRef::new(bytes).map_err(|_| PdfError::Font(name))?;
        Ok(Self { font, metrics })
    }

    /// `text` as this face can print it: tabs become spaces; control characters and characters the
    /// font has no glyph for (emoji, most scripts outside Latin, Greek, Cyrillic, …) become `?`.
    pub(crate) fn printable(&self, text: &str) -> String {
        let charmap = self.metrics.charmap();
        text.chars()
            .map(|c| match c {
                '\t' => ' ',
                c if c.is_control() => REPLACEMENT,
                c if charmap.map(c).is_some_and(|g| g.to_u32() != 0) => c,
                _ => REPLACEMENT,
            })
            .collect()
    }

    /// The advance width of `text` at `size` points, in points (no kerning, which only narrows).
    pub(crate) fn width(&self, text: &str, size: f32) -> f32 {
        let charmap = self.metrics.charmap();
        let metrics = self.metrics.glyph_metrics(Size::new(size), LocationRef::default());
        text.chars().filter_map(|c| charmap.map(c).and_then(|g| metrics.advance_width(g))).sum()
    }

    /// `line` (already [`printable`](Self::printable)) broken at spaces into lines no wider than
    /// `max` points; a word wider than `max` is broken between characters. An empty line stays one.
    pub(crate) fn wrap(&self, line: &str, size: f32, max: f32) -> Vec<String> {
        let space = self.width(" ", size);
        let mut lines = Vec::new();
        let (mut current, mut current_width) = (String::new(), 0.0);
        for (i, word) in line.split(' ').enumerate() {
            let width = self.width(word, size);
            if i > 0 {
                if current_width + space + width <= max {
                    current.push(' ');
                    current.push_str(word);
                    current_width += space + width;
                    continue;
                }
                lines.push(std::mem::take(&mut current));
                current_width = 0.0;
            }
            for c in word.chars() {
                let w = self.width(c.encode_utf8(&mut [0; 4]), size);
                if !current.is_empty() && current_width + w > max {
                    lines.push(std::mem::take(&mut current));
                    current_width = 0.0;
                }
                current.push(c);
                current_width += w;
            }
        }
        lines.push(current);
        lines
    }
}
