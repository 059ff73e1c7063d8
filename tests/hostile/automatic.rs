//! Automatic mail and bombs: bounces (delivery status reports), auto-replies, a compressed bomb,
//! a large highly compressible attachment within the size limit, many tiny attachments, HTML
//! with script.

use super::{Hostile, attachment, head, message, multipart, text_part, wrap};

/// A gzip of a gzip of 50 MiB of zeros (250 bytes).
const GZIP_BOMB: &str = "H4sIAAAAAAACA+3cLW4CURiG0QuDmCD4EVWIsgREBaYJGDSi1Q0L6BogaapqMCgWUYVtgqusAxwLIE1TgWo67cwiEPeeo0Z/8s2d5/olD6V6dtrWav8fi+Xv62feDAAAAEDkFoenrBwDQr/YTab3AAAAQOxm7VajGgV+Hnpj5wAAAIDoPd8OO9ULge/5Y8M5AAAAIHpX5+Oo2gLei033zj0AAAAgenvBAAAAAEiKYAAAAACkRTAAAAAA0iIYAAAAAIkRDAAAAIC0CAYAAABAWgQDAAAAIC2r83FZTgGjj2L3Nqh+FwCAy/jKb9brVgj97A8pz1mtLMcAAA==";

pub(super) fn messages() -> Vec<Hostile> {
    let mut all = automatic();
    all.extend(bombs());
    all
}

fn automatic() -> Vec<Hostile> {
    let original = head("bounce-original");
    let report = |name: &str, with_original: bool| {
        let mut parts = vec![
            text_part("This is the mail system at host mx.example.org. Your message could not be delivered."),
            b"Content-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; mx.example.org\r\n\r\n\
Final-Recipient: rfc822; gone@example.org\r\nAction: failed\r\nStatus: 5.1.1\r\n"
                .to_vec(),
        ];
        if with_original {
            parts.push(
                format!("Content-Type: message/rfc822\r\n\r\n{original}\r\nThe letter that bounced.\r\n").into_bytes(),
            );
        }
        let extra =
            "MIME-Version: 1.0\r\nContent-Type: multipart/report; report-type=delivery-status; boundary=\"r\"\r\n";
        let mut raw = format!(
            "From: Mail Delivery System <MAILER-DAEMON@mx.example.org>\r\nTo: ctax@council.example\r\n\
             Subject: Undelivered Mail Returned to Sender\r\nMessage-ID: <{name}@mx.example.org>\r\n{extra}\r\n"
        )
        .into_bytes();
        raw.extend_from_slice(&super::join_parts("r", &parts, true));
        raw
    };
    vec![
        Hostile::new("bounce-delivery-status", report("bounce-delivery-status", true)),
        Hostile::new("bounce-without-original", report("bounce-without-original", false)),
        Hostile::new(
            "bounce-malformed-report",
            message(
                "bounce-malformed-report",
                "Return-Path: <>\r\nContent-Type: multipart/report; report-type=delivery-status\r\n",
                b"Status: 5.0.0 garbage without any boundary\r\n",
            ),
        ),
        Hostile::new(
            "auto-reply-auto-submitted",
            message(
                "auto-reply-auto-submitted",
                "Auto-Submitted: auto-replied\r\n",
                b"I am out of the office until Monday.\r\n",
            ),
        ),
        Hostile::new(
            "auto-reply-x-headers",
            message(
                "auto-reply-x-headers",
                "X-Autoreply: yes\r\nPrecedence: auto_reply\r\nX-Auto-Response-Suppress: All\r\n",
                b"Thank you for your email. This mailbox is not monitored.\r\n",
            ),
        ),
        Hostile::new(
            "html-with-script",
            message(
                "html-with-script",
                "Content-Type: text/html; charset=utf-8\r\n",
                b"<html><head><script>fetch('/api/v1/work-items').then(r=>r.text()).then(alert)</script></head>\
<body onload=\"alert(1)\"><img src=x onerror=alert(2)><iframe src=\"javascript:alert(3)\"></iframe>\
<p>Please refund account 12345678</p><style>*{display:none}</style></body></html>\r\n",
            ),
        ),
    ]
}

fn bombs() -> Vec<Hostile> {
    let tiny =
        |n: usize| attachment("text/plain", format!("filename=\"tiny-{n}.txt\"").as_bytes(), format!("{n}").as_bytes());
    let many = |name: &str, count: usize| {
        let mut parts = vec![text_part("Lots of attachments (the text is one part).")];
        parts.extend((0..count).map(tiny));
        multipart(name, "many", &parts)
    };
    let gzip = format!(
        "Content-Type: application/gzip; name=\"bomb.gz\"\r\nContent-Transfer-Encoding: base64\r\n\
         Content-Disposition: attachment; filename=\"bomb.gz\"\r\n\r\n{}",
        wrap(GZIP_BOMB)
    );
    vec![
        Hostile::new(
            "bomb-gzip-of-gzip-50mb",
            multipart("bomb-gzip-of-gzip-50mb", "g", &[text_part("Archive attached."), gzip.into_bytes()]),
        ),
        Hostile::new(
            "bomb-4mb-of-zeros-base64",
            multipart(
                "bomb-4mb-of-zeros-base64",
                "z",
                &[
                    text_part("Big file attached."),
                    attachment("application/octet-stream", b"filename=\"zeros.bin\"", &vec![0; 4 << 20]),
                ],
            ),
        ),
        Hostile::new(
            "bomb-2mb-text-one-word",
            multipart(
                "bomb-2mb-text-one-word",
                "w",
                &[
                    text_part("Text attached."),
                    attachment("text/plain", b"filename=\"words.txt\"", "arrears ".repeat(256 * 1024).as_bytes()),
                ],
            ),
        ),
        Hostile::new("attachments-50-at-the-limit", many("attachments-50-at-the-limit", 49)),
        Hostile::over_limit("attachments-500-over-the-limit", many("attachments-500-over-the-limit", 500)),
    ]
}
