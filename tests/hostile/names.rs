//! Attachment file names that try to climb out of a directory (`../`, `..\`), plain, as encoded
//! words and as RFC 2231 parameters (with continuations), or are absolute, huge, empty or full of
//! control characters.

use super::{Hostile, attachment, multipart, text_part};

/// A message named `name` with one small PDF attachment whose disposition parameters are `params`.
fn named(name: &str, params: &[u8]) -> Hostile {
    let pdf = format!("%PDF-1.4\n% {name}\n%%EOF\n");
    Hostile::new(
        name,
        multipart(
            name,
            "f",
            &[text_part("Please see the attached."), attachment("application/pdf", params, pdf.as_bytes())],
        ),
    )
}

pub(super) fn messages() -> Vec<Hostile> {
    let long = format!("filename=\"{}.pdf\"", "x".repeat(5000));
    vec![
        named("filename-dotdot-slash", b"filename=\"../../../etc/passwd\""),
        named("filename-dotdot-backslash", b"filename=\"..\\\\..\\\\windows\\\\system32\\\\config\\\\sam\""),
        // "../../etc/passwd" as a base64 encoded word.
        named("filename-encoded-word-dotdot", b"filename=\"=?UTF-8?B?Li4vLi4vZXRjL3Bhc3N3ZA==?=\""),
        // "..\..\boot.ini" as a Q encoded word.
        named("filename-encoded-word-backslash", b"filename=\"=?UTF-8?Q?=2E=2E=5C=2E=2E=5Cboot=2Eini?=\""),
        named("filename-rfc2231-dotdot", b"filename*=UTF-8''..%2F..%2Fetc%2Fpasswd"),
        named("filename-rfc2231-backslash", b"filename*=UTF-8''..%5C..%5Cwindows%5Cwin.ini"),
        named(
            "filename-rfc2231-continuations",
            b"filename*0*=UTF-8''..%2F..%2F; filename*1*=..%5C..%5C; filename*2=boot.ini",
        ),
        named("filename-rfc2231-bad-percent", b"filename*=UTF-8''%ZZ%2%%..%2F"),
        named("filename-rfc2231-invalid-utf8", b"filename*=UTF-8''%FF%FE%C3%28.pdf"),
        named("filename-absolute", b"filename=\"/etc/shadow\""),
        named("filename-5000-characters", long.as_bytes()),
        named("filename-control-characters", b"filename=\"a\tb\x1b[31mred\x07.pdf\""),
        named("filename-empty", b"filename=\"\""),
        named("filename-dots-only", b"filename=\"..\""),
        named("filename-invalid-utf8", b"filename=\"r\xe9sum\xe9\xff.pdf\""),
        named("filename-in-content-type-name", b"x=y\r\nContent-Type: application/pdf; name=\"../../x.pdf\""),
    ]
}
