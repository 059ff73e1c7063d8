//! OCR with tesseract's TSV output: text rebuilt line by line, a mean word confidence, and one
//! page per image of a multi-page TIFF.

use std::{collections::BTreeMap, path::Path, time::Duration};

use postroom_domain::TextSource;

use crate::{
    Page,
    tools::{Tool, ToolError},
};

/// Reads every page of `image`.
pub(crate) async fn read(
    program: &Path,
    languages: &str,
    image: &Path,
    timeout: Duration,
) -> Result<Vec<Page>, ToolError> {
    let out = Tool::new("tesseract", program)
        .arg(image)
        .arg("stdout")
        .args(["-l", languages])
        .arg("tsv")
        .run(timeout)
        .await?;
    Ok(pages_from_tsv(&out.text()))
}

/// Builds pages from tesseract TSV (`level page_num block_num par_num line_num word_num left top
/// width height conf text`). Words of a line are joined by spaces, lines by newlines, and
/// paragraphs and blocks by a blank line.
pub(crate) fn pages_from_tsv(tsv: &str) -> Vec<Page> {
    #[derive(Default)]
    struct Acc {
        text: String,
        last: Option<(u32, u32, u32)>,
        conf_sum: f64,
        words: u32,
    }
    let mut pages: BTreeMap<u32, Acc> = BTreeMap::new();
    for line in tsv.lines().skip(1) {
        let cols: Vec<&str> = line.splitn(12, '\t').collect();
        let [level, page, block, par, line_no, _word, _l, _t, _w, _h, conf, text] = cols[..] else { continue };
        let num = |s: &str| s.trim().parse::<u32>().unwrap_or(0);
        let page_no = num(page);
        let acc = pages.entry(page_no).or_default();
        if level.trim() != "5" {
            continue;
        }
        let text = text.trim();
        if text.is_empty() {
            continue;
        }
        let here = (num(block), num(par), num(line_no));
        match acc.last {
            None => {}
            Some((b, p, _)) if (b, p) != (here.0, here.1) => acc.text.push_str("\n\n"),
            Some(last) if last != here => acc.text.push('\n'),
            Some(_) => acc.text.push(' '),
        }
        acc.last = Some(here);
        acc.text.push_str(text);
        if let Ok(c) = conf.trim().parse::<f64>()
            && c >= 0.0
        {
            acc.conf_sum += c;
            acc.words += 1;
        }
    }
    pages
        .into_iter()
        .filter(|(n, _)| *n > 0)
        .map(|(number, acc)| Page {
            number,
            source: TextSource::Ocr,
            confidence: (acc.words > 0).then(|| (acc.conf_sum / f64::from(acc.words)) as f32),
            text: acc.text,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const TSV: &str = "level\tpage_num\tblock_num\tpar_num\tline_num\tword_num\tleft\ttop\twidth\theight\tconf\ttext
1\t1\t0\t0\t0\t0\t0\t0\t2480\t3508\t-1\t
5\t1\t1\t1\t1\t1\t10\t10\t50\t20\t96.5\tCouncil
5\t1\t1\t1\t1\t2\t70\t10\t50\t20\t93.5\tTax
5\t1\t1\t1\t2\t1\t10\t40\t50\t20\t90\tAccount
5\t1\t2\t1\t1\t1\t10\t90\t50\t20\t80\tYours
1\t2\t0\t0\t0\t0\t0\t0\t2480\t3508\t-1\t
5\t2\t1\t1\t1\t1\t10\t10\t50\t20\t70\tPage
5\t2\t1\t1\t1\t2\t10\t10\t50\t20\t-1\t 
";

    #[test]
    fn tsv_rebuilds_lines_paragraphs_and_pages() {
        let pages = pages_from_tsv(TSV);
        assert_eq!(pages.len(), 2);
        assert_eq!(pages[0].text, "Council Tax\nAccount\n\nYours");
        assert_eq!(pages[0].confidence, Some(90.0));
        assert_eq!((pages[1].number, pages[1].text.as_str(), pages[1].confidence), (2, "Page", Some(70.0)));
    }

    #[test]
    fn a_blank_page_is_a_page_with_no_text() {
        let pages = pages_from_tsv("level\tpage_num\n1\t1\t0\t0\t0\t0\t0\t0\t1\t1\t-1\t\n");
        assert_eq!(pages.len(), 1);
        assert!(pages[0].text.is_empty() && pages[0].confidence.is_none());
    }
}
