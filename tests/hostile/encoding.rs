//! Line endings and encodings: bare LF, bare CR, mixed; very long lines without a newline;
//! unknown, UTF-16 and odd charsets; unknown or broken transfer encodings; binary noise.

use base64::Engine;

use super::{Hostile, message, noise, wrap};

pub(super) fn messages() -> Vec<Hostile> {
    let mut all = line_endings();
    all.extend(charsets());
    all.extend(transfer_encodings());
    all
}

/// `name`'s headers and body with every CRLF turned into `eol`.
fn with_endings(name: &str, eol: &[u8]) -> Vec<u8> {
    let crlf = message(name, "", b"First line.\r\nSecond line about account 12345678.\r\n");
    let mut out = Vec::with_capacity(crlf.len());
    let mut rest = crlf.as_slice();
    while let Some(at) = rest.windows(2).position(|w| w == b"\r\n") {
        out.extend_from_slice(&rest[..at]);
        out.extend_from_slice(eol);
        rest = &rest[at + 2..];
    }
    out.extend_from_slice(rest);
    out
}

fn line_endings() -> Vec<Hostile> {
    let mut mixed = with_endings("line-endings-mixed", b"\n");
    mixed.extend_from_slice(b"third\r\nfourth\rfifth\n\r\n\n\r\r");
    vec![
        Hostile::new("line-endings-bare-lf", with_endings("line-endings-bare-lf", b"\n")),
        Hostile::new("line-endings-bare-cr", with_endings("line-endings-bare-cr", b"\r")),
        Hostile::new("line-endings-mixed", mixed),
        Hostile::new("line-endings-lf-cr", with_endings("line-endings-lf-cr", b"\n\r")),
        Hostile::new(
            "long-line-2mb-no-newline",
            message("long-line-2mb-no-newline", "Content-Type: text/plain\r\n", "pay ".repeat(512 * 1024).as_bytes()),
        ),
        Hostile::new(
            "no-newline-at-all",
            b"From: ann@example.org Subject: no-newline-at-all, everything on one line".to_vec(),
        ),
        Hostile::new(
            "mbox-from-line-first",
            [
                b"From ann@example.org Fri Nov 20 10:00:00 2026\r\n".as_slice(),
                &message("mbox-from-line-first", "", b"Body.\r\n"),
            ]
            .concat(),
        ),
        Hostile::new(
            "leading-blank-line",
            [b"\r\n".as_slice(), &message("leading-blank-line", "", b"Headers after a blank line.\r\n")].concat(),
        ),
    ]
}

fn charsets() -> Vec<Hostile> {
    let utf16: Vec<u8> = [0xFF, 0xFE]
        .into_iter()
        .chain("Please refund £150 to account 12345678.".encode_utf16().flat_map(u16::to_le_bytes))
        .collect();
    let b64 = |bytes: &[u8]| wrap(&base64::engine::general_purpose::STANDARD.encode(bytes));
    vec![
        Hostile::new(
            "charset-unknown",
            message(
                "charset-unknown",
                "Content-Type: text/plain; charset=x-unknown\r\n",
                b"Caf\xe9 au lait \xff\xfe.\r\n",
            ),
        ),
        Hostile::new(
            "charset-utf16-base64",
            message(
                "charset-utf16-base64",
                "Content-Type: text/plain; charset=utf-16\r\nContent-Transfer-Encoding: base64\r\n",
                b64(&utf16).as_bytes(),
            ),
        ),
        Hostile::new(
            "charset-utf16-odd-length",
            message(
                "charset-utf16-odd-length",
                "Content-Type: text/plain; charset=utf-16le\r\nContent-Transfer-Encoding: base64\r\n",
                b64(&utf16[..utf16.len() - 1]).as_bytes(),
            ),
        ),
        Hostile::new(
            "charset-utf8-declared-latin1-sent",
            message(
                "charset-utf8-declared-latin1-sent",
                "Content-Type: text/plain; charset=utf-8\r\n",
                b"Fran\xe7ois owes \xa3150.\r\n",
            ),
        ),
        Hostile::new(
            "charset-html-meta-conflict",
            message(
                "charset-html-meta-conflict",
                "Content-Type: text/html; charset=iso-8859-1\r\n",
                b"<html><head><meta charset=\"utf-16\"></head><body>\xe9\xff\xfe</body></html>\r\n",
            ),
        ),
    ]
}

fn transfer_encodings() -> Vec<Hostile> {
    vec![
        Hostile::new(
            "transfer-encoding-unknown",
            message(
                "transfer-encoding-unknown",
                "Content-Transfer-Encoding: x-uuencode\r\n",
                b"begin 644 x\r\n#86)C\r\n`\r\nend\r\n",
            ),
        ),
        Hostile::new(
            "quoted-printable-broken",
            message(
                "quoted-printable-broken",
                "Content-Transfer-Encoding: quoted-printable\r\n",
                b"Broken =ZZ escapes =\r\n= =4 and a soft break at the very end=",
            ),
        ),
        Hostile::new(
            "base64-with-garbage",
            message(
                "base64-with-garbage",
                "Content-Transfer-Encoding: base64\r\n",
                b"SGVsbG8g!!!@@@ d29y bGQ=====\r\n\xff\xfe\r\n",
            ),
        ),
        Hostile::new(
            "binary-noise-body",
            message("binary-noise-body", "Content-Type: application/octet-stream\r\n", &noise(64 * 1024, 0x005E_ED15)),
        ),
        Hostile::new("binary-noise-only", noise(16 * 1024, 0x0BAD_F00D)),
    ]
}
