//! Text extraction for Postroom: reads the text of stored documents, page by page.
//!
//! - PDF: the page count from `pdfinfo`; the text layer of each page from `pdftotext` (born-digital
//!   letters, bank and VOA reports); a page without a usable text layer is rasterised with
//!   `pdftoppm` and read by OCR.
//! - TIFF (multi-page), PNG, JPEG: OCR with `tesseract`, one page per TIFF frame.
//!
//! The tools are Debian's `poppler-utils` and `tesseract-ocr` (+ `tesseract-ocr-eng`), run as
//! child processes with `OMP_THREAD_LIMIT=1` (tesseract's OpenMP threads only slow a busy
//! machine) and a timeout per page; a child that overruns is killed. A missing tool is not an
//! error: the document is marked [`TextStatus::Unavailable`] with the reason, so the letter still
//! flows and a person reads it.

mod tesseract;
mod tools;
mod view;

use std::{path::PathBuf, time::Duration};

use postroom_domain::{MediaType, TextSource, TextStatus};

use tools::{Tool, ToolError};

/// Where the tools are and how to use them (from the `[text]` configuration, which holds the
/// defaults).
#[derive(Debug, Clone)]
pub struct TextSettings {
    pub pdfinfo: PathBuf,
    pub pdftotext: PathBuf,
    pub pdftoppm: PathBuf,
    pub tesseract: PathBuf,
    /// Tesseract languages, e.g. `eng` or `eng+cym`.
    pub languages: String,
    /// Resolution PDF pages are rasterised at for OCR.
    pub dpi: u32,
    /// The longest one page may take (rasterising, OCR).
    pub page_timeout: Duration,
    /// Pages beyond this are not read (the document is marked with the reason).
    pub max_pages: u32,
    /// A PDF page whose text layer has fewer letters and digits than this is read by OCR.
    pub min_text_layer_chars: usize,
}

/// The text of one page.
#[derive(Debug, Clone, PartialEq)]
pub struct Page {
    /// 1-based page number.
    pub number: u32,
    pub source: TextSource,
    pub text: String,
    /// Mean OCR word confidence, 0–100 (OCR only).
    pub confidence: Option<f32>,
}

/// What was read from a document.
#[derive(Debug, Clone, PartialEq)]
pub struct Extraction {
    pub status: TextStatus,
    pub page_count: Option<u32>,
    pub pages: Vec<Page>,
    /// Why text is missing or incomplete, for the triage officer.
    pub problem: Option<String>,
}

impl Extraction {
    fn settled(page_count: Option<u32>, pages: Vec<Page>, problems: Vec<String>, unavailable: bool) -> Self {
        let has_text = pages.iter().any(|p| !p.text.trim().is_empty());
        let status = match (has_text, problems.is_empty(), unavailable) {
            (true, _, _) => TextStatus::Extracted,
            (false, true, _) => TextStatus::NoText,
            (false, false, true) => TextStatus::Unavailable,
            (false, false, false) => TextStatus::Failed,
        };
        let problem = (!problems.is_empty()).then(|| problems.join("; "));
        Self { status, page_count, pages, problem }
    }

    fn failed(page_count: Option<u32>, problem: String) -> Self {
        Self { status: TextStatus::Failed, page_count, pages: Vec::new(), problem: Some(problem) }
    }

    /// All the text, pages separated by a blank line.
    #[must_use]
    pub fn text(&self) -> Option<String> {
        let text = self.pages.iter().map(|p| p.text.trim()).filter(|t| !t.is_empty()).collect::<Vec<_>>().join("\n\n");
        (!text.is_empty()).then_some(text)
    }
}

/// Reads documents with the configured tools.
#[derive(Debug, Clone)]
pub struct Extractor {
    settings: TextSettings,
}

impl Extractor {
    #[must_use]
    pub fn new(settings: TextSettings) -> Self {
        Self { settings }
    }

    /// Whether tesseract runs, and its version line (for start-up logs and `/readyz`).
    pub async fn ocr_version(&self) -> Option<String> {
        let out = Tool::new("tesseract", &self.settings.tesseract).arg("--version").run(Duration::from_secs(10)).await;
        out.ok().and_then(|o| o.text().lines().next().map(str::to_owned))
    }

    /// Reads `bytes` of `media`. Never fails: problems are reported in the result.
    #[tracing::instrument(skip_all, fields(media = %media, bytes = bytes.len()))]
    pub async fn extract(&self, media: MediaType, bytes: &[u8]) -> Extraction {
        let dir = match tempfile::Builder::new().prefix("postroom-text-").tempdir() {
            Ok(dir) => dir,
            Err(e) => return Extraction::failed(None, format!("cannot create a working directory: {e}")),
        };
        let extension = match media {
            MediaType::Pdf => "pdf",
            MediaType::Tiff => "tif",
            MediaType::Png => "png",
            MediaType::Jpeg => "jpg",
        };
        let input = dir.path().join(format!("input.{extension}"));
        if let Err(e) = tokio::fs::write(&input, bytes).await {
            return Extraction::failed(None, format!("cannot write a working copy: {e}"));
        }
        let result = match media {
            MediaType::Pdf => self.pdf(&input, dir.path()).await,
            MediaType::Tiff => self.tiff(&input, bytes).await,
            MediaType::Png | MediaType::Jpeg => self.image(&input).await,
        };
        tracing::info!(status = %result.status, pages = ?result.page_count, problem = ?result.problem, "text extracted");
        result
    }

    async fn pdf(&self, input: &std::path::Path, dir: &std::path::Path) -> Extraction {
        let s = &self.settings;
        let info = match Tool::new("pdfinfo", &s.pdfinfo).arg(input).run(s.page_timeout).await {
            Ok(out) => out.text(),
            Err(e @ ToolError::Missing { .. }) => {
                return Extraction::settled(None, Vec::new(), vec![e.to_string()], true);
            }
            Err(e) => return Extraction::failed(None, format!("not a readable PDF: {e}")),
        };
        let Some(count) =
            info.lines().find_map(|l| l.strip_prefix("Pages:")).and_then(|n| n.trim().parse::<u32>().ok())
        else {
            return Extraction::failed(None, "not a readable PDF: pdfinfo reported no page count".to_owned());
        };
        let mut problems = Vec::new();
        let read = count.min(s.max_pages);
        if count > read {
            problems.push(format!("only the first {read} of {count} pages were read"));
        }
        let timeout = s.page_timeout.saturating_mul(read.max(1));
        let layer = Tool::new("pdftotext", &s.pdftotext)
            .args(["-layout", "-enc", "UTF-8", "-f", "1", "-l"])
            .arg(read.to_string())
            .arg(input)
            .arg("-")
            .run(timeout)
            .await;
        let layer_pages: Vec<String> = match layer {
            Ok(out) => out.text().split('\u{c}').map(str::to_owned).collect(),
            Err(e @ ToolError::Missing { .. }) => {
                return Extraction::settled(Some(count), Vec::new(), vec![e.to_string()], true);
            }
            Err(e) => return Extraction::failed(Some(count), format!("not a readable PDF: {e}")),
        };
        let mut pages = Vec::new();
        let mut unavailable = false;
        for number in 1..=read {
            let text = layer_pages.get(number as usize - 1).map(String::as_str).unwrap_or_default();
            if text.chars().filter(|c| c.is_alphanumeric()).count() >= s.min_text_layer_chars {
                pages.push(Page { number, source: TextSource::TextLayer, text: tidy(text), confidence: None });
                continue;
            }
            match self.ocr_pdf_page(input, dir, number).await {
                Ok(page) => pages.push(page),
                Err(e) => {
                    unavailable |= matches!(e, ToolError::Missing { .. });
                    problems.push(format!("page {number}: {e}"));
                }
            }
        }
        Extraction::settled(Some(count), pages, dedupe(problems), unavailable)
    }

    async fn ocr_pdf_page(
        &self,
        input: &std::path::Path,
        dir: &std::path::Path,
        number: u32,
    ) -> Result<Page, ToolError> {
        let s = &self.settings;
        let stem = dir.join(format!("page-{number}"));
        Tool::new("pdftoppm", &s.pdftoppm)
            .args(["-gray", "-png", "-singlefile", "-r"])
            .arg(s.dpi.to_string())
            .args(["-f", &number.to_string(), "-l", &number.to_string()])
            .arg(input)
            .arg(&stem)
            .run(s.page_timeout)
            .await?;
        let image = stem.with_extension("png");
        let mut pages = tesseract::read(&s.tesseract, &s.languages, &image, s.page_timeout).await?;
        let mut page =
            pages.pop().unwrap_or(Page { number, source: TextSource::Ocr, text: String::new(), confidence: None });
        page.number = number;
        Ok(page)
    }

    async fn tiff(&self, input: &std::path::Path, bytes: &[u8]) -> Extraction {
        let count = match tiff_pages(bytes) {
            Ok(n) => n,
            Err(e) => return Extraction::failed(None, format!("not a readable TIFF: {e}")),
        };
        let mut problems = Vec::new();
        if count > self.settings.max_pages {
            problems.push(format!("the TIFF has {count} pages; more than {} are not read", self.settings.max_pages));
            return Extraction::settled(Some(count), Vec::new(), problems, false);
        }
        let timeout = self.settings.page_timeout.saturating_mul(count.max(1));
        match tesseract::read(&self.settings.tesseract, &self.settings.languages, input, timeout).await {
            Ok(pages) => Extraction::settled(Some(count), pages, problems, false),
            Err(e) => {
                let missing = matches!(e, ToolError::Missing { .. });
                problems.push(e.to_string());
                Extraction::settled(Some(count), Vec::new(), problems, missing)
            }
        }
    }

    async fn image(&self, input: &std::path::Path) -> Extraction {
        match tesseract::read(&self.settings.tesseract, &self.settings.languages, input, self.settings.page_timeout)
            .await
        {
            Ok(pages) => Extraction::settled(Some(1), pages, Vec::new(), false),
            Err(e) => {
                let missing = matches!(e, ToolError::Missing { .. });
                Extraction::settled(Some(1), Vec::new(), vec![e.to_string()], missing)
            }
        }
    }
}

/// The number of images (pages) in a TIFF.
///
/// # Errors
/// When the bytes are not a readable TIFF.
pub fn tiff_pages(bytes: &[u8]) -> Result<u32, tiff::TiffError> {
    let mut decoder = tiff::decoder::Decoder::new(std::io::Cursor::new(bytes))?;
    let mut pages = 1;
    while decoder.more_images() {
        decoder.next_image()?;
        pages += 1;
    }
    Ok(pages)
}

/// Trailing spaces off each line, runs of blank lines down to one.
fn tidy(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut blank = 0;
    for line in text.lines().map(str::trim_end) {
        if line.is_empty() {
            blank += 1;
            if blank > 1 {
                continue;
            }
        } else {
            blank = 0;
        }
        out.push_str(line);
        out.push('\n');
    }
    out.trim_matches('\n').to_owned()
}

/// The same problem on many pages (a missing tool) is said once.
fn dedupe(problems: Vec<String>) -> Vec<String> {
    let mut seen = Vec::new();
    for p in problems {
        let key = p.split_once(": ").map_or(p.as_str(), |(_, rest)| rest).to_owned();
        if !seen.iter().any(|(k, _): &(String, String)| *k == key) {
            seen.push((key, p));
        }
    }
    seen.into_iter().map(|(_, p)| p).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings() -> TextSettings {
        TextSettings {
            pdfinfo: "pdfinfo".into(),
            pdftotext: "pdftotext".into(),
            pdftoppm: "pdftoppm".into(),
            tesseract: "tesseract".into(),
            languages: "eng".to_owned(),
            dpi: 300,
            page_timeout: Duration::from_secs(60),
            max_pages: 100,
            min_text_layer_chars: 25,
        }
    }

    #[test]
    fn tidy_trims_lines_and_collapses_blank_runs() {
        assert_eq!(tidy("  Dear Sir   \n\n\n\nYours   \n"), "  Dear Sir\n\nYours");
    }

    #[test]
    fn a_missing_tool_is_said_once_across_pages() {
        let p = dedupe(vec!["page 1: tesseract is not installed".into(), "page 2: tesseract is not installed".into()]);
        assert_eq!(p, vec!["page 1: tesseract is not installed".to_owned()]);
    }

    #[test]
    fn status_follows_what_was_read() {
        let page = |t: &str| Page { number: 1, source: TextSource::Ocr, text: t.into(), confidence: None };
        assert_eq!(Extraction::settled(Some(1), vec![page("hello")], vec![], false).status, TextStatus::Extracted);
        assert_eq!(Extraction::settled(Some(1), vec![page("  ")], vec![], false).status, TextStatus::NoText);
        assert_eq!(Extraction::settled(Some(1), vec![], vec!["x".into()], true).status, TextStatus::Unavailable);
        assert_eq!(Extraction::settled(Some(1), vec![], vec!["x".into()], false).status, TextStatus::Failed);
        let partial = Extraction::settled(Some(2), vec![page("hello")], vec!["page 2: timed out".into()], false);
        assert_eq!((partial.status, partial.problem.as_deref()), (TextStatus::Extracted, Some("page 2: timed out")));
    }

    #[tokio::test]
    async fn a_missing_tesseract_leaves_the_image_unavailable_with_the_reason() {
        let extractor = Extractor::new(TextSettings { tesseract: "/nonexistent/tesseract".into(), ..settings() });
        let png = b"\x89PNG\r\n\x1a\n";
        let out = extractor.extract(MediaType::Png, png).await;
        assert_eq!(out.status, TextStatus::Unavailable);
        assert!(
            out.problem.as_deref().is_some_and(|p| p.contains("tesseract") && p.contains("not installed")),
            "{out:?}"
        );
    }

    #[tokio::test]
    async fn a_corrupt_tiff_fails_with_the_reason() {
        let out = Extractor::new(settings()).extract(MediaType::Tiff, b"II*\0garbage").await;
        assert_eq!(out.status, TextStatus::Failed);
        assert!(out.problem.as_deref().is_some_and(|p| p.starts_with("not a readable TIFF")), "{out:?}");
    }
}
