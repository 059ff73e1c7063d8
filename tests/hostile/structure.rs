//! MIME structure: boundaries missing, wrong, empty or never closed; deep nesting of multiparts
//! and of forwarded messages; empty parts; no headers, only headers.

use super::{Hostile, head, join_parts, message, multipart, raw, text_part};

pub(super) fn messages() -> Vec<Hostile> {
    let mut all = boundaries();
    all.extend(nesting());
    all.extend(shapes());
    all
}

fn boundaries() -> Vec<Hostile> {
    let mime = |ct: &str| format!("MIME-Version: 1.0\r\nContent-Type: {ct}\r\n");
    let parts = [text_part("First part about account 11112222."), text_part("Second part.")];
    vec![
        Hostile::new(
            "boundary-parameter-missing",
            message("boundary-parameter-missing", &mime("multipart/mixed"), &join_parts("b1", &parts, true)),
        ),
        Hostile::new(
            "boundary-never-appears",
            message(
                "boundary-never-appears",
                &mime("multipart/mixed; boundary=\"declared\""),
                &join_parts("used", &parts, true),
            ),
        ),
        Hostile::new(
            "boundary-never-closed",
            message("boundary-never-closed", &mime("multipart/mixed; boundary=\"open\""), &join_parts("open", &parts, false)),
        ),
        Hostile::new(
            "boundary-empty",
            message("boundary-empty", &mime("multipart/mixed; boundary=\"\""), &join_parts("", &parts, true)),
        ),
        Hostile::new(
            "boundary-1000-characters",
            message(
                "boundary-1000-characters",
                &mime(&format!("multipart/mixed; boundary=\"{}\"", "b".repeat(1000))),
                &join_parts(&"b".repeat(1000), &parts, true),
            ),
        ),
        Hostile::new(
            "boundary-inner-same-as-outer",
            multipart(
                "boundary-inner-same-as-outer",
                "same",
                &[[b"Content-Type: multipart/alternative; boundary=\"same\"\r\n\r\n".as_slice(), &join_parts("same", &parts, true)]
                    .concat()],
            ),
        ),
        Hostile::new(
            "boundary-prefix-of-another",
            message(
                "boundary-prefix-of-another",
                &mime("multipart/mixed; boundary=\"ab\""),
                b"--ab\r\nContent-Type: text/plain\r\n\r\none\r\n--abc\r\nContent-Type: text/plain\r\n\r\ntwo\r\n--ab--\r\n",
            ),
        ),
        Hostile::new(
            "multipart-with-no-parts",
            message("multipart-with-no-parts", &mime("multipart/mixed; boundary=\"none\""), b"--none--\r\n"),
        ),
        Hostile::new(
            "content-type-garbage",
            message("content-type-garbage", "Content-Type: ;;;===\"\"\"; boundary\r\n", b"Body under a nonsense type.\r\n"),
        ),
    ]
}

/// `depth` multiparts, each holding the next; the innermost holds a text part.
fn nested_multiparts(depth: usize) -> Vec<u8> {
    let mut inner = text_part("At the bottom of the nesting.");
    for level in (0..depth).rev() {
        let b = format!("level{level}");
        let mut part = format!("Content-Type: multipart/mixed; boundary=\"{b}\"\r\n\r\n").into_bytes();
        part.extend_from_slice(&join_parts(&b, &[inner], true));
        inner = part;
    }
    inner
}

/// `depth` forwarded messages, each attached to the one before.
fn nested_messages(name: &str, depth: usize) -> Vec<u8> {
    let mut inner = raw(head(&format!("{name}-innermost")).as_bytes(), b"The original letter.\r\n");
    for level in (0..depth).rev() {
        let mut part = format!(
            "From: Forwarder {level} <fwd{level}@example.org>\r\nSubject: Fwd level {level}\r\n\
             Message-ID: <{name}-{level}@hostile.example>\r\nMIME-Version: 1.0\r\nContent-Type: message/rfc822\r\n\r\n"
        )
        .into_bytes();
        part.extend_from_slice(&inner);
        inner = part;
    }
    let mut raw = head(name).into_bytes();
    raw.extend_from_slice(b"MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"fwd\"\r\n\r\n");
    raw.extend_from_slice(&join_parts(
        "fwd",
        &[text_part("See below."), [b"Content-Type: message/rfc822\r\n\r\n".as_slice(), &inner].concat()],
        true,
    ));
    raw
}

fn nesting() -> Vec<Hostile> {
    let deep = |name: &str, depth: usize| {
        let mut raw = head(name).into_bytes();
        raw.extend_from_slice(b"MIME-Version: 1.0\r\n");
        raw.extend_from_slice(&nested_multiparts(depth));
        raw
    };
    vec![
        Hostile::over_limit("nesting-multipart-200-levels", deep("nesting-multipart-200-levels", 200)),
        Hostile::over_limit("nesting-multipart-6-levels", deep("nesting-multipart-6-levels", 6)),
        Hostile::new("nesting-multipart-4-levels", deep("nesting-multipart-4-levels", 4)),
        Hostile::over_limit("nesting-rfc822-chain-100", nested_messages("nesting-rfc822-chain-100", 100)),
        Hostile::new("nesting-rfc822-chain-2", nested_messages("nesting-rfc822-chain-2", 2)),
    ]
}

fn shapes() -> Vec<Hostile> {
    vec![
        Hostile::new(
            "empty-parts",
            multipart("empty-parts", "e", &[Vec::new(), b"\r\n".to_vec(), b"Content-Type: text/plain\r\n\r\n".to_vec()]),
        ),
        Hostile::new(
            "empty-forwarded-message",
            multipart("empty-forwarded-message", "m", &[b"Content-Type: message/rfc822\r\n\r\n".to_vec()]),
        ),
        Hostile::new("no-headers-at-all", b"No headers at all, only a line of text (no-headers-at-all).\r\n".to_vec()),
        Hostile::new("only-headers-no-blank-line", head("only-headers-no-blank-line").into_bytes()),
        Hostile::new("only-headers-empty-body", message("only-headers-empty-body", "", b"")),
        Hostile::new(
            "huge-preamble-and-epilogue",
            message(
                "huge-preamble-and-epilogue",
                "MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"p\"\r\n",
                &[
                    "preamble ".repeat(20_000).as_bytes(),
                    b"\r\n--p\r\nContent-Type: text/plain\r\n\r\nThe only part.\r\n--p--\r\n",
                    "epilogue ".repeat(20_000).as_bytes(),
                ]
                .concat(),
            ),
        ),
        Hostile::new(
            "message-partial",
            message(
                "message-partial",
                "MIME-Version: 1.0\r\nContent-Type: message/partial; id=\"x@y\"; number=2; total=3\r\n",
                b"Second of three fragments.\r\n",
            ),
        ),
        Hostile::new(
            "truncated-base64-attachment",
            multipart(
                "truncated-base64-attachment",
                "t",
                &[b"Content-Type: application/pdf; name=\"cut.pdf\"\r\nContent-Transfer-Encoding: base64\r\n\r\nJVBERi0xLjQKJ\xff\xfe!!!@@".to_vec()],
            ),
        ),
    ]
}
