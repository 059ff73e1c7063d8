//! Headers: 8-bit and invalid UTF-8, huge lines, thousands of headers, malformed encoded words,
//! odd senders, implausible dates, reused and odd Message-IDs.

use super::{Hostile, head, raw};

pub(super) fn messages() -> Vec<Hostile> {
    let mut all = eight_bit();
    all.extend(sizes());
    all.extend(senders());
    all.extend(dates());
    all.extend(message_ids());
    all
}

/// Headers from `lines` (raw bytes, each without its CRLF) with `name`'s Message-ID, and a body.
fn with_lines(name: &str, lines: &[&[u8]]) -> Vec<u8> {
    let mut headers = Vec::new();
    for line in lines {
        headers.extend_from_slice(line);
        headers.extend_from_slice(b"\r\n");
    }
    headers.extend_from_slice(format!("Message-ID: <{name}@hostile.example>\r\n").as_bytes());
    raw(&headers, format!("Body of {name}.\r\n").as_bytes())
}

fn eight_bit() -> Vec<Hostile> {
    let to: &[u8] = b"To: ctax@council.example";
    let from: &[u8] = b"From: Ann Tester <ann@example.org>";
    vec![
        Hostile::new(
            "subject-raw-utf8",
            with_lines("subject-raw-utf8", &[from, to, "Subject: Ôverdue £150 – résumé".as_bytes()]),
        ),
        Hostile::new(
            "subject-invalid-utf8",
            with_lines("subject-invalid-utf8", &[from, to, b"Subject: bad \xff\xfe\xc3\x28 bytes"]),
        ),
        Hostile::new("subject-latin1", with_lines("subject-latin1", &[from, to, b"Subject: Fran\xe7ois \xa3150"])),
        Hostile::new(
            "from-invalid-utf8",
            with_lines("from-invalid-utf8", &[b"From: \"\xff\xfe\" <a\xffb@example.org>", to, b"Subject: x"]),
        ),
        Hostile::new(
            "from-latin1-display-name",
            with_lines("from-latin1-display-name", &[b"From: Fran\xe7ois <f@example.org>", to]),
        ),
        Hostile::new(
            "to-invalid-utf8",
            with_lines("to-invalid-utf8", &[from, b"To: \xc0\xaf@\xff.example", b"Subject: to"]),
        ),
        Hostile::new(
            "encoded-word-malformed",
            with_lines(
                "encoded-word-malformed",
                &[
                    from,
                    to,
                    b"Subject: =?UTF-8?B?!!!notbase64?= =?UTF-8?Q?=ZZ=?= =?utf-8??x?= =?UTF-8?B?",
                    b"Cc: =?=?=",
                ],
            ),
        ),
        Hostile::new(
            "encoded-word-unknown-charset",
            with_lines(
                "encoded-word-unknown-charset",
                &[b"From: =?x-unknown?B?QW5u?= <ann@example.org>", to, b"Subject: =?x-unknown?Q?caf=E9?="],
            ),
        ),
        Hostile::new(
            "encoded-word-invalid-utf8",
            with_lines("encoded-word-invalid-utf8", &[from, to, b"Subject: =?UTF-8?B?//79wyg=?= =?UTF-8?Q?=C3=28?="]),
        ),
    ]
}

fn sizes() -> Vec<Hostile> {
    let mut thousands = head("thousands-of-headers").into_bytes();
    for n in 0..5000 {
        thousands.extend_from_slice(format!("X-Header-{n}: value {n}\r\n").as_bytes());
    }
    let mut folded = head("header-folded-10000-times").into_bytes();
    folded.extend_from_slice(b"X-Folded: start");
    for n in 0..10_000 {
        folded.extend_from_slice(format!("\r\n continued {n}").as_bytes());
    }
    folded.extend_from_slice(b"\r\n");
    vec![
        Hostile::new(
            "header-line-1mb",
            with_lines(
                "header-line-1mb",
                &[b"From: Ann Tester <ann@example.org>", format!("Subject: {}", "A".repeat(1024 * 1024)).as_bytes()],
            ),
        ),
        Hostile::new(
            "header-1mb-sender",
            with_lines(
                "header-1mb-sender",
                &[format!("From: {} <ann@example.org>", "N".repeat(1024 * 1024)).as_bytes()],
            ),
        ),
        Hostile::new("thousands-of-headers", raw(&thousands, b"Five thousand headers.\r\n")),
        Hostile::new("header-folded-10000-times", raw(&folded, b"One header folded ten thousand times.\r\n")),
        Hostile::new(
            "header-without-colon",
            with_lines(
                "header-without-colon",
                &[b"From: ann@example.org", b"This line is not a header at all", b"Subject : spaced"],
            ),
        ),
        Hostile::new(
            "headers-repeated",
            with_lines(
                "headers-repeated",
                &[
                    b"From: one@example.org",
                    b"From: two@example.org",
                    b"Subject: first",
                    b"Subject: second",
                    b"Date: x",
                    b"Date: y",
                ],
            ),
        ),
    ]
}

fn senders() -> Vec<Hostile> {
    vec![
        Hostile::new("from-empty", with_lines("from-empty", &[b"From: ", b"Subject: nobody"])),
        Hostile::new(
            "from-group-no-address",
            with_lines("from-group-no-address", &[b"From: undisclosed-recipients:;"]),
        ),
        Hostile::new("from-angle-unclosed", with_lines("from-angle-unclosed", &[b"From: Ann <ann@example.org"])),
        Hostile::new("from-not-an-address", with_lines("from-not-an-address", &[b"From: @@@ <<>> ,,, \"\\"])),
        Hostile::new(
            "from-10000-addresses",
            with_lines(
                "from-10000-addresses",
                &[format!("From: {}", (0..10_000).map(|n| format!("p{n}@example.org")).collect::<Vec<_>>().join(", "))
                    .as_bytes()],
            ),
        ),
    ]
}

fn dates() -> Vec<Hostile> {
    let dated = |name: &str, date: &[u8]| {
        with_lines(
            name,
            &[b"From: Ann Tester <ann@example.org>", b"Subject: dated", &[b"Date: ".as_slice(), date].concat()],
        )
    };
    vec![
        Hostile::new("date-1993", dated("date-1993", b"Mon, 01 Feb 1993 09:00:00 +0000")),
        Hostile::new("date-year-2199", dated("date-year-2199", b"Tue, 01 Jan 2199 09:00:00 +0000")),
        Hostile::new("date-year-0", dated("date-year-0", b"Sat, 01 Jan 0000 00:00:00 +0000")),
        Hostile::new("date-garbage", dated("date-garbage", b"yesterday, around teatime \xff")),
        Hostile::new("date-out-of-range-fields", dated("date-out-of-range-fields", b"Fri, 32 Feb 2026 25:61:61 +9999")),
    ]
}

fn message_ids() -> Vec<Hostile> {
    let reused = |name: &str, sender: &str, body: &str| {
        raw(
            format!("From: {sender}\r\nSubject: {name}\r\nMessage-ID: <reused@hostile.example>\r\n").as_bytes(),
            body.as_bytes(),
        )
    };
    let mut no_id = b"From: Ann Tester <ann@example.org>\r\nSubject: no Message-ID\r\n".to_vec();
    no_id = raw(&no_id, b"A message without a Message-ID (message-id-missing).\r\n");
    // Every crash the email fuzz target found before the intake fix was this case: a message
    // whose Message-ID had been seen with other bytes was answered as a duplicate, its own bytes
    // never stored.
    vec![
        Hostile::new(
            "message-id-reused-first",
            reused("first", "Ann <ann@example.org>", "Please cancel my direct debit.\r\n"),
        ),
        Hostile::new(
            "message-id-reused-second",
            reused("second", "Bob <bob@example.net>", "Bailiffs are at my door today, account 55556666.\r\n"),
        ),
        Hostile::new("message-id-missing", no_id),
        Hostile::new(
            "message-id-empty",
            raw(b"From: ann@example.org\r\nMessage-ID: <>\r\n", b"Empty id (message-id-empty).\r\n"),
        ),
        Hostile::new(
            "message-id-10kb",
            raw(
                format!("From: ann@example.org\r\nMessage-ID: <{}@hostile.example>\r\n", "i".repeat(10_240)).as_bytes(),
                b"x\r\n",
            ),
        ),
        Hostile::new(
            "message-id-spaces-and-quotes",
            raw(b"From: ann@example.org\r\nMessage-ID: < \"odd id\" ; '--@@ >\r\n", b"Quoted id.\r\n"),
        ),
    ]
}
