//! Charts as inline SVG, drawn on the server (no chart library, no script): each is an image
//! with a text alternative, and the page shows the same numbers in a table beside it.

use std::fmt::Write as _;

use crate::pages::escape;

/// One bar: its label, its value, and where clicking it goes (the items it counts).
pub struct Bar {
    pub label: String,
    pub value: u64,
    pub link: Option<String>,
}

/// The colours bars and lines are drawn in, each at least 3:1 against white (WCAG 1.4.11).
const COLOURS: [&str; 3] = ["#1d4f91", "#a4161a", "#00703c"];

/// A horizontal bar chart.
pub fn bars(title: &str, bars: &[Bar]) -> String {
    let max = bars.iter().map(|b| b.value).max().unwrap_or(0).max(1);
    let (label_w, bar_w, row_h) = (190_u64, 300_u64, 24_u64);
    let height = row_h * u64::try_from(bars.len()).unwrap_or(0) + 10;
    let summary: Vec<String> = bars.iter().map(|b| format!("{} {}", b.label, b.value)).collect();
    // With links to follow, the chart is a group of links, not one picture.
    let role = if bars.iter().any(|b| b.link.is_some()) { "group" } else { "img" };
    let mut svg = format!(
        r#"<svg role="{role}" aria-label="{}: {}" width="{}" height="{height}" viewBox="0 0 {} {height}" xmlns="http://www.w3.org/2000/svg">"#,
        escape(title),
        escape(&summary.join(", ")),
        label_w + bar_w + 60,
        label_w + bar_w + 60
    );
    for (i, bar) in bars.iter().enumerate() {
        let y = row_h * u64::try_from(i).unwrap_or(0) + 4;
        let w = (bar.value * bar_w).div_ceil(max);
        let rect =
            format!(r#"<rect x="{label_w}" y="{y}" width="{w}" height="{}" fill="{}"></rect>"#, row_h - 6, COLOURS[0]);
        let text = format!(
            r#"<text x="{}" y="{}" text-anchor="end">{}</text><text x="{}" y="{}">{}</text>"#,
            label_w - 6,
            y + 13,
            escape(&bar.label),
            label_w + w + 6,
            y + 13,
            bar.value
        );
        match &bar.link {
            Some(link) => {
                let _ = write!(svg, r#"<a href="{}">{rect}{text}</a>"#, escape(link));
            }
            None => svg.push_str(&(rect + &text)),
        }
    }
    svg.push_str("</svg>");
    svg
}

/// A line chart of daily series (`(name, values)`, one value a day from the first `days` label).
pub fn lines(title: &str, days: &[String], series: &[(&str, Vec<u64>)]) -> String {
    let (w, h, left, bottom) = (560_u64, 240_u64, 40_u64, 50_u64);
    let max = series.iter().flat_map(|(_, v)| v.iter().copied()).max().unwrap_or(0).max(1);
    let n = u64::try_from(days.len().max(2) - 1).unwrap_or(1);
    let x = |i: usize| left + u64::try_from(i).unwrap_or(0) * (w - left - 10) / n;
    let y = |v: u64| 10 + (h - bottom - 10) - v * (h - bottom - 10) / max;
    let mut svg = format!(
        r#"<svg role="img" aria-label="{}" width="{w}" height="{h}" viewBox="0 0 {w} {h}" xmlns="http://www.w3.org/2000/svg">"#,
        escape(title)
    );
    let _ = write!(
        svg,
        r##"<line x1="{left}" y1="{}" x2="{}" y2="{}" stroke="#484949"></line><text x="4" y="14">{max}</text><text x="4" y="{}">0</text>"##,
        h - bottom,
        w - 10,
        h - bottom,
        h - bottom
    );
    if let (Some(first), Some(last)) = (days.first(), days.last()) {
        let _ = write!(
            svg,
            r#"<text x="{left}" y="{}">{}</text><text x="{}" y="{}" text-anchor="end">{}</text>"#,
            h - bottom + 16,
            escape(first),
            w - 10,
            h - bottom + 16,
            escape(last)
        );
    }
    for (k, (name, values)) in series.iter().enumerate() {
        let colour = COLOURS[k % COLOURS.len()];
        let points: Vec<String> = values.iter().enumerate().map(|(i, v)| format!("{},{}", x(i), y(*v))).collect();
        let dash = ["", r#" stroke-dasharray="6 3""#, r#" stroke-dasharray="2 3""#][k % 3];
        let _ = write!(
            svg,
            r#"<polyline fill="none" stroke="{colour}" stroke-width="2"{dash} points="{}"></polyline>"#,
            points.join(" ")
        );
        let legend_x = left + 10 + u64::try_from(k).unwrap_or(0) * 150;
        let _ = write!(
            svg,
            r#"<line x1="{legend_x}" y1="{}" x2="{}" y2="{}" stroke="{colour}" stroke-width="3"{dash}></line><text x="{}" y="{}">{}</text>"#,
            h - 10,
            legend_x + 24,
            h - 10,
            legend_x + 30,
            h - 6,
            escape(name)
        );
    }
    svg.push_str("</svg>");
    svg
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bars_scale_to_the_largest_and_link_to_their_items() {
        let svg = bars(
            "Open by queue",
            &[
                Bar { label: "Council <Tax>".into(), value: 10, link: Some("/items?queue=ct".into()) },
                Bar { label: "Business rates".into(), value: 5, link: None },
            ],
        );
        assert!(svg.contains(r#"width="300""#), "{svg}");
        assert!(svg.contains(r#"width="150""#), "{svg}");
        assert!(svg.contains("Council &lt;Tax&gt;"));
        assert!(svg.contains(r#"<a href="&#x2f;items?queue=ct">"#), "{svg}");
        assert!(svg.contains(r#"aria-label="Open by queue: Council &lt;Tax&gt; 10, Business rates 5""#));
    }

    #[test]
    fn lines_draw_one_polyline_a_series() {
        let days = vec!["1 Dec".to_owned(), "2 Dec".to_owned(), "3 Dec".to_owned()];
        let svg = lines("Throughput", &days, &[("Received", vec![1, 4, 2]), ("Completed", vec![0, 2, 4])]);
        assert_eq!(svg.matches("<polyline").count(), 2);
        assert!(svg.contains("Received") && svg.contains("3 Dec"));
    }
}
