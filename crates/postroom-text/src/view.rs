//! PDF pages as images for people to read (the web UI's document viewer), rendered with the
//! same `pdftoppm` and time limit as OCR.

use tools::ToolError;

use crate::{Extractor, tools};

/// The widest image a page is rendered to, in pixels (a page fills the viewer; more only costs).
const VIEW_WIDTH_PX: u32 = 1100;

impl Extractor {
    /// Page `page` (1-based) of the PDF `bytes` as a PNG about [`VIEW_WIDTH_PX`] pixels wide.
    ///
    /// # Errors
    /// When the page does not exist, the PDF is corrupt, poppler is not installed, or it took
    /// longer than the page time limit; the message says which.
    pub async fn pdf_page_png(&self, bytes: &[u8], page: u32) -> Result<Vec<u8>, String> {
        let dir = tempfile::Builder::new()
            .prefix("postroom-view-")
            .tempdir()
            .map_err(|e| format!("no temporary directory: {e}"))?;
        let input = dir.path().join("document.pdf");
        tokio::fs::write(&input, bytes).await.map_err(|e| format!("cannot write the PDF to render: {e}"))?;
        let stem = dir.path().join("page");
        let s = &self.settings;
        tools::Tool::new("pdftoppm", &s.pdftoppm)
            .args(["-png", "-singlefile", "-scale-to-x"])
            .arg(VIEW_WIDTH_PX.to_string())
            .args(["-scale-to-y", "-1", "-f", &page.to_string(), "-l", &page.to_string()])
            .arg(&input)
            .arg(&stem)
            .run(s.page_timeout)
            .await
            .map_err(|e: ToolError| e.to_string())?;
        tokio::fs::read(stem.with_extension("png")).await.map_err(|e| format!("pdftoppm wrote no page {page}: {e}"))
    }
}
