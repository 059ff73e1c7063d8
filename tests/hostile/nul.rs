//! NUL (U+0000) in every place a sender controls: subject, body (raw, base64, quoted-printable,
//! HTML), sender address and display name, recipients, attachment name, text attachment,
//! Message-ID, a header name; raw and encoded.

use base64::Engine;

use super::{Hostile, attachment, message, multipart, raw, text_part, wrap};

pub(super) fn messages() -> Vec<Hostile> {
    let mut all = headers();
    all.extend(bodies());
    all.extend(attachments());
    all
}

fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

fn headers() -> Vec<Hostile> {
    let lines = |name: &str, lines: &[&[u8]]| {
        let mut headers = Vec::new();
        for line in lines {
            headers.extend_from_slice(line);
            headers.extend_from_slice(b"\r\n");
        }
        raw(&headers, format!("Body of {name}.\r\n").as_bytes())
    };
    let encoded_subject = format!("Subject: =?UTF-8?B?{}?=", b64(b"Bailiffs\0today"));
    vec![
        Hostile::new(
            "nul-subject-raw",
            lines(
                "nul-subject-raw",
                &[b"From: ann@example.org", b"Subject: before\0after", b"Message-ID: <nul-subject-raw@h.example>"],
            ),
        ),
        Hostile::new(
            "nul-subject-encoded-word",
            lines(
                "nul-subject-encoded-word",
                &[
                    b"From: ann@example.org",
                    encoded_subject.as_bytes(),
                    b"Message-ID: <nul-subject-encoded-word@h.example>",
                ],
            ),
        ),
        Hostile::new(
            "nul-subject-q-encoded",
            lines(
                "nul-subject-q-encoded",
                &[b"From: ann@example.org", b"Subject: =?UTF-8?Q?a=00b?=", b"Message-ID: <nul-q@h.example>"],
            ),
        ),
        Hostile::new(
            "nul-sender-address",
            lines(
                "nul-sender-address",
                &[b"From: Ann <ann\0x@example.org>", b"Message-ID: <nul-sender-address@h.example>"],
            ),
        ),
        Hostile::new(
            "nul-display-name",
            lines(
                "nul-display-name",
                &[b"From: \"Ann\0Smith\" <ann@example.org>", b"Message-ID: <nul-display-name@h.example>"],
            ),
        ),
        Hostile::new(
            "nul-display-name-encoded",
            lines(
                "nul-display-name-encoded",
                &[
                    b"From: =?UTF-8?Q?Ann=00Smith?= <ann@example.org>",
                    b"Message-ID: <nul-display-name-encoded@h.example>",
                ],
            ),
        ),
        Hostile::new(
            "nul-recipient",
            lines(
                "nul-recipient",
                &[b"From: ann@example.org", b"To: ctax\0@council.example", b"Message-ID: <nul-recipient@h.example>"],
            ),
        ),
        Hostile::new(
            "nul-message-id",
            lines("nul-message-id", &[b"From: ann@example.org", b"Message-ID: <nul\0id@h.example>"]),
        ),
        Hostile::new(
            "nul-in-header-name",
            lines(
                "nul-in-header-name",
                &[b"From: ann@example.org", b"X-\0Evil: 1", b"Message-ID: <nul-in-header-name@h.example>"],
            ),
        ),
        Hostile::new(
            "nul-references",
            lines(
                "nul-references",
                &[
                    b"From: ann@example.org",
                    b"In-Reply-To: <a\0b@x>",
                    b"References: <c\0d@x>",
                    b"Message-ID: <nul-references@h.example>",
                ],
            ),
        ),
    ]
}

fn bodies() -> Vec<Hostile> {
    let text = b"Bailiffs\0at my door\0today, account 12345678.\0";
    vec![
        Hostile::new("nul-body-raw", message("nul-body-raw", "Content-Type: text/plain\r\n", text)),
        Hostile::new(
            "nul-body-base64",
            message(
                "nul-body-base64",
                "Content-Type: text/plain\r\nContent-Transfer-Encoding: base64\r\n",
                wrap(&b64(text)).as_bytes(),
            ),
        ),
        Hostile::new(
            "nul-body-quoted-printable",
            message(
                "nul-body-quoted-printable",
                "Content-Type: text/plain\r\nContent-Transfer-Encoding: quoted-printable\r\n",
                b"Bailiffs=00at my door=00today.=\r\n=00\r\n",
            ),
        ),
        Hostile::new(
            "nul-html-body",
            message(
                "nul-html-body",
                "Content-Type: text/html\r\n",
                b"<html><body><p>a\0b &#0; &#x0; c</p></body></html>\r\n",
            ),
        ),
        Hostile::new(
            "nul-only-body",
            message(
                "nul-only-body",
                "Content-Type: text/plain\r\nContent-Transfer-Encoding: base64\r\n",
                wrap(&b64(&[0; 4096])).as_bytes(),
            ),
        ),
        Hostile::new("nul-everywhere-raw", raw(b"F\0rom: \0\r\nSub\0ject: \0\0\r\n\0\r\n", b"\0\0\0\r\n\0")),
    ]
}

fn attachments() -> Vec<Hostile> {
    vec![
        Hostile::new(
            "nul-attachment-name",
            multipart(
                "nul-attachment-name",
                "n",
                &[
                    text_part("See attached."),
                    attachment("application/pdf", b"filename=\"bill\0.pdf\"", b"%PDF-1.4\n%%EOF\n"),
                ],
            ),
        ),
        Hostile::new(
            "nul-attachment-name-rfc2231",
            multipart(
                "nul-attachment-name-rfc2231",
                "n",
                &[text_part("See attached."), attachment("text/plain", b"filename*=UTF-8''bill%00.txt", b"plain")],
            ),
        ),
        Hostile::new(
            "nul-attachment-name-encoded-word",
            multipart(
                "nul-attachment-name-encoded-word",
                "n",
                &[
                    text_part("See attached."),
                    attachment("text/plain", b"filename=\"=?UTF-8?B?YmlsbAAudHh0?=\"", b"plain"),
                ],
            ),
        ),
        Hostile::new(
            "nul-text-attachment",
            multipart(
                "nul-text-attachment",
                "n",
                &[
                    text_part("Statement attached."),
                    attachment(
                        "text/plain; charset=utf-8",
                        b"filename=\"statement.txt\"",
                        b"Balance\0 due:\0 \xa3150\0\r\n",
                    ),
                ],
            ),
        ),
        Hostile::new(
            "nul-csv-attachment",
            multipart(
                "nul-csv-attachment",
                "n",
                &[
                    text_part("Schedule."),
                    attachment("text/csv", b"filename=\"schedule.csv\"", b"account,amount\r\n1\0,2\0\r\n"),
                ],
            ),
        ),
    ]
}
