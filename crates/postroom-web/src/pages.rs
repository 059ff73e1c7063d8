//! The page templates (compiled into the binary), the filters they use, and the headers every
//! page is sent with.

use std::sync::LazyLock;

use axum::{
    extract::Request,
    http::{HeaderValue, header},
    middleware::Next,
    response::{Html, IntoResponse, Response},
};
use chrono::{DateTime, NaiveDate};
use minijinja::{Environment, Value, value::ValueKind};
use serde::Serialize;

/// Every template, by name.
const TEMPLATES: &[(&str, &str)] = &[
    ("base.html", include_str!("../templates/base.html")),
    ("macros.html", include_str!("../templates/macros.html")),
    ("signin.html", include_str!("../templates/signin.html")),
    ("error.html", include_str!("../templates/error.html")),
    ("home.html", include_str!("../templates/home.html")),
    ("items.html", include_str!("../templates/items.html")),
    ("item.html", include_str!("../templates/item.html")),
    ("item_work.html", include_str!("../templates/item_work.html")),
    ("preview.html", include_str!("../templates/preview.html")),
    ("triage.html", include_str!("../templates/triage.html")),
    ("dashboard.html", include_str!("../templates/dashboard.html")),
    ("approvals.html", include_str!("../templates/approvals.html")),
    ("officers.html", include_str!("../templates/officers.html")),
    ("upload.html", include_str!("../templates/upload.html")),
    ("print.html", include_str!("../templates/print.html")),
];

static ENVIRONMENT: LazyLock<Result<Environment<'static>, String>> =
    LazyLock::new(|| build().map_err(|e| format!("{e:#}")));

fn build() -> Result<Environment<'static>, minijinja::Error> {
    let mut env = Environment::new();
    env.set_undefined_behavior(minijinja::UndefinedBehavior::Chainable);
    for (name, source) in TEMPLATES {
        env.add_template(name, source)?;
    }
    env.add_filter("ukdate", ukdate);
    env.add_filter("ukdatetime", ukdatetime);
    env.add_filter("pence", pence);
    env.add_filter("humanise", humanise);
    env.add_function("highlight", highlight);
    Ok(env)
}

/// The compiled templates.
#[derive(Debug)]
pub struct Pages(&'static Environment<'static>);

impl Pages {
    /// The templates, compiled once; fails when one does not compile.
    ///
    /// # Errors
    /// Names the template and line at fault.
    pub fn new() -> anyhow::Result<Self> {
        match &*ENVIRONMENT {
            Ok(env) => Ok(Self(env)),
            Err(e) => Err(anyhow::anyhow!("a UI template does not compile: {e}")),
        }
    }

    /// Renders template `name` with `context`.
    pub fn page(&self, name: &str, context: &impl Serialize) -> Response {
        render(self.0, name, context)
    }

    /// Renders template `name` with `context` as a string.
    ///
    /// # Errors
    /// When it does not render.
    pub fn render(&self, name: &str, context: &impl Serialize) -> Result<String, minijinja::Error> {
        self.0.get_template(name)?.render(context)
    }
}

fn render(env: &Environment<'static>, name: &str, context: &impl Serialize) -> Response {
    match env.get_template(name).and_then(|t| t.render(context)) {
        Ok(html) => Html(html).into_response(),
        Err(e) => {
            tracing::error!(template = name, error = %format!("{e:#}"), "page did not render");
            (axum::http::StatusCode::INTERNAL_SERVER_ERROR, "This page could not be shown.").into_response()
        }
    }
}

/// Template `name` rendered, or plain text when the templates are broken (error pages must
/// show something).
pub fn page_or_text(name: &str, context: &impl Serialize) -> Response {
    match &*ENVIRONMENT {
        Ok(env) => render(env, name, context),
        Err(e) => {
            (axum::http::StatusCode::INTERNAL_SERVER_ERROR, format!("The UI templates are broken: {e}")).into_response()
        }
    }
}

/// `2026-12-07` → `Mon 7 Dec 2026`.
fn ukdate(value: Value) -> String {
    let text = value.to_string();
    NaiveDate::parse_from_str(&text, "%Y-%m-%d").map_or(text, |d| d.format("%a %-d %b %Y").to_string())
}

/// An RFC 3339 time → `7 Dec 2026, 14:03` in UK time.
fn ukdatetime(value: Value) -> String {
    let text = value.to_string();
    DateTime::parse_from_rfc3339(&text)
        .map_or(text, |t| t.with_timezone(&chrono_tz::Europe::London).format("%-d %b %Y, %H:%M").to_string())
}

/// Pence → `£1,234.56` (negative: `-£12.00`).
fn pence(value: Value) -> String {
    let Some(p) = i64::try_from(value.clone()).ok() else { return value.to_string() };
    let sign = if p < 0 { "-" } else { "" };
    let p = p.unsigned_abs();
    let pounds = (p / 100).to_string();
    let mut grouped = String::new();
    for (i, c) in pounds.chars().enumerate() {
        if i > 0 && (pounds.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(c);
    }
    format!("{sign}£{grouped}.{:02}", p % 100)
}

/// `awaiting_customer` → `Awaiting customer`.
fn humanise(value: Value) -> String {
    humanise_str(&value.to_string())
}

/// `move_out` → `Move out`: underscores and hyphens as spaces, the first letter capital.
pub(crate) fn humanise_str(text: &str) -> String {
    let text = text.replace(['_', '-'], " ");
    let mut chars = text.chars();
    chars.next().map_or_else(String::new, |first| first.to_uppercase().chain(chars).collect())
}

/// `text` escaped, with every occurrence of the `terms` (account references, postcodes, names)
/// marked; case-insensitive, longest first.
fn highlight(text: Value, terms: Value) -> Value {
    let text = if text.kind() == ValueKind::Undefined || text.is_none() { String::new() } else { text.to_string() };
    let mut terms: Vec<String> = terms
        .try_iter()
        .map(|it| it.map(|t| t.to_string()).filter(|t| t.trim().len() >= 3).collect())
        .unwrap_or_default();
    terms.sort_by_key(|t| std::cmp::Reverse(t.len()));
    Value::from_safe_string(mark(&text, &terms))
}

fn mark(text: &str, terms: &[String]) -> String {
    let lower = text.to_lowercase();
    // Lowercasing can change byte lengths outside ASCII: only mark where it did not.
    let comparable = lower.len() == text.len();
    let mut out = String::with_capacity(text.len() + 64);
    let mut i = 0;
    'outer: while i < text.len() {
        if comparable {
            for term in terms {
                let t = term.to_lowercase();
                if lower[i..].starts_with(&t) && text.is_char_boundary(i + t.len()) {
                    out.push_str("<mark>");
                    out.push_str(&escape(&text[i..i + t.len()]));
                    out.push_str("</mark>");
                    i += t.len();
                    continue 'outer;
                }
            }
        }
        let c = text[i..].chars().next().map_or(1, char::len_utf8);
        out.push_str(&escape(&text[i..i + c]));
        i += c;
    }
    out
}

/// `s` escaped for HTML text and attribute values.
pub(crate) fn escape(s: &str) -> String {
    minijinja::HtmlEscape(s).to_string()
}

/// Headers on every page: no framing, no sniffing, only this site's scripts and styles, no
/// referrer outside the site, and no caching of pages that hold personal data.
pub async fn security_headers(request: Request, next: Next) -> Response {
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    // An original keeps the stricter policy it is served with.
    if !headers.contains_key(header::CONTENT_SECURITY_POLICY) {
        headers.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(
                "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; object-src 'none'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'",
            ),
        );
    }
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers.insert(header::REFERRER_POLICY, HeaderValue::from_static("same-origin"));
    if !headers.contains_key(header::CACHE_CONTROL) {
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_template_compiles() {
        Pages::new().unwrap();
    }

    #[test]
    fn money_dates_and_words_read_as_people_write_them() {
        assert_eq!(pence(Value::from(123_456_i64)), "£1,234.56");
        assert_eq!(pence(Value::from(-1200_i64)), "-£12.00");
        assert_eq!(pence(Value::from(5_i64)), "£0.05");
        assert_eq!(ukdate(Value::from("2026-12-07")), "Mon 7 Dec 2026");
        assert_eq!(humanise(Value::from("awaiting_customer")), "Awaiting customer");
    }

    #[test]
    fn highlighting_escapes_the_text_and_marks_the_terms() {
        let out = mark("Account 5001234567 <b>Mr Smith</b>", &["5001234567".to_owned(), "smith".to_owned()]);
        assert_eq!(out, "Account <mark>5001234567</mark> &lt;b&gt;Mr <mark>Smith</mark>&lt;&#x2f;b&gt;");
    }
}
