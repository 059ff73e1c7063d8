//! The HTML part of an email, derived from its plain-text body.

/// The HTML part for an email `body`: each paragraph (separated by blank lines) in `<p>`, its
/// single line breaks as `<br>`, the text HTML-escaped (`&`, `<`, `>`, quotes, `/`), in a minimal
/// UTF-8 HTML document.
#[must_use]
pub fn html(body: &str) -> String {
    let mut out = String::from("<!DOCTYPE html>\n<html>\n<head>\n<meta charset=\"utf-8\">\n</head>\n<body>\n");
    let mut paragraph: Vec<&str> = Vec::new();
    for line in body.lines().chain(std::iter::once("")) {
        if line.trim().is_empty() {
            if !paragraph.is_empty() {
                let lines: Vec<String> =
                    paragraph.iter().map(|l| minijinja::HtmlEscape(l.trim_end()).to_string()).collect();
                out.push_str("<p>");
                out.push_str(&lines.join("<br>\n"));
                out.push_str("</p>\n");
                paragraph.clear();
            }
        } else {
            paragraph.push(line);
        }
    }
    out.push_str("</body>\n</html>\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paragraphs_lines_and_escaping() {
        let page = html("Dear Ann,\n\nLine <one>\nLine & two\n\n\n\nBye");
        assert!(page.starts_with("<!DOCTYPE html>"), "{page}");
        assert!(page.contains("<meta charset=\"utf-8\">"), "{page}");
        assert!(page.contains("<p>Dear Ann,</p>\n"), "{page}");
        assert!(page.contains("<p>Line &lt;one&gt;<br>\nLine &amp; two</p>\n"), "{page}");
        assert!(page.contains("<p>Bye</p>\n</body>"), "{page}");
        assert_eq!(page.matches("<p>").count(), 3, "{page}");
    }
}
