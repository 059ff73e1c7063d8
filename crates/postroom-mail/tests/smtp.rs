//! Sending to a real SMTP server (`scripts/smtp_sink.py`, aiosmtpd): what arrives, and which
//! outcome each way of failing gives.

mod sink;

use std::time::Duration;

use chrono::{DateTime, Utc};
use mail_parser::{HeaderValue, MessageParser, MimeHeaders};
use postroom_config::{SmtpSecurity, SmtpSettings};
use postroom_mail::{Built, Outgoing, SendOutcome, SmtpSender, build};
use sink::Sink;

const FROM: &str = "Kingsbridge Vale Council Revenues <revenues@kingsbridge-vale.example>";

fn reply(references: &[String]) -> anyhow::Result<Built> {
    Ok(build(&Outgoing {
        from: FROM,
        reply_to: Some("Revenues Team <revenues-team@kingsbridge-vale.example>"),
        to: "Ada Customer <ada@example.net>",
        also_to: &[],
        subject: "Re: Council Tax account 512345678 — single person discount",
        text: "Dear Ms Customer,\n\nWe have applied the discount from 1 April.\n",
        html: "<p>Dear Ms Customer,</p><p>We have applied the discount from 1 April.</p>",
        message_id: "reply-7f1c@kingsbridge-vale.example",
        in_reply_to: Some("CAF=abc123@mail.example.net"),
        references,
        date: DateTime::<Utc>::from_timestamp(1_796_000_000, 0).unwrap_or_default(),
    })?)
}

fn settings(host: &str, port: u16, security: SmtpSecurity) -> SmtpSettings {
    SmtpSettings {
        host: Some(host.to_owned()),
        port: Some(port),
        security,
        timeout: Duration::from_secs(10),
        hello_name: Some("postroom.test".to_owned()),
        ..SmtpSettings::default()
    }
}

async fn send(settings: &SmtpSettings, built: &Built) -> anyhow::Result<SendOutcome> {
    let sender = SmtpSender::new(settings)?.ok_or_else(|| anyhow::anyhow!("smtp.host is set"))?;
    let sending = sender.send(built);
    assert_send(&sending);
    Ok(sending.await)
}

fn assert_send<T: Send>(_: &T) {}

fn texts(value: &HeaderValue<'_>) -> Vec<String> {
    match (value.as_text_list(), value.as_text()) {
        (Some(list), _) => list.iter().map(ToString::to_string).collect(),
        (None, Some(text)) => vec![text.to_owned()],
        (None, None) => Vec::new(),
    }
}

#[tokio::test]
async fn a_reply_arrives_once_with_its_threading_headers_and_both_alternatives() -> anyhow::Result<()> {
    let sink = Sink::start(&[])?;
    let references = ["first@mail.example.net".to_owned(), "CAF=abc123@mail.example.net".to_owned()];
    let built = reply(&references)?;
    let outcome = send(&settings("127.0.0.1", sink.port, SmtpSecurity::Plain), &built).await?;
    assert!(matches!(&outcome, SendOutcome::Accepted { response } if response.starts_with("250")), "{outcome:?}");

    let received = sink.received()?;
    assert_eq!(received.len(), 1, "exactly one message");
    let envelope = &received[0].envelope;
    assert_eq!(envelope["mail_from"], "revenues@kingsbridge-vale.example");
    assert_eq!(envelope["rcpt_tos"], serde_json::json!(["ada@example.net"]));
    assert_eq!(envelope["login"], serde_json::Value::Null);
    assert_eq!(received[0].eml, built.eml, "the relay got the bytes build() made");

    let message = MessageParser::default().parse(&received[0].eml).ok_or_else(|| anyhow::anyhow!("unparsable"))?;
    let from = message.from().and_then(|a| a.first()).ok_or_else(|| anyhow::anyhow!("no From"))?;
    assert_eq!(
        (from.name(), from.address()),
        (Some("Kingsbridge Vale Council Revenues"), Some("revenues@kingsbridge-vale.example"))
    );
    let reply_to = message.reply_to().and_then(|a| a.first()).and_then(|a| a.address());
    assert_eq!(reply_to, Some("revenues-team@kingsbridge-vale.example"));
    let to = message.to().and_then(|a| a.first()).ok_or_else(|| anyhow::anyhow!("no To"))?;
    assert_eq!((to.name(), to.address()), (Some("Ada Customer"), Some("ada@example.net")));
    assert_eq!(message.subject(), Some("Re: Council Tax account 512345678 — single person discount"));
    assert_eq!(message.message_id(), Some("reply-7f1c@kingsbridge-vale.example"));
    assert_eq!(texts(message.in_reply_to()), ["CAF=abc123@mail.example.net"]);
    assert_eq!(texts(message.references()), references);
    assert_eq!(message.date().map(mail_parser::DateTime::to_timestamp), Some(1_796_000_000));

    let content_type = message.content_type().ok_or_else(|| anyhow::anyhow!("no Content-Type"))?;
    assert_eq!((content_type.ctype(), content_type.subtype()), ("multipart", Some("alternative")));
    assert_eq!((message.text_body_count(), message.html_body_count()), (1, 1));
    let text = message.body_text(0).map(|t| t.replace("\r\n", "\n"));
    assert_eq!(text.as_deref(), Some("Dear Ms Customer,\n\nWe have applied the discount from 1 April.\n"));
    assert!(message.body_html(0).is_some_and(|h| h.contains("<p>We have applied the discount")));
    Ok(())
}

#[tokio::test]
async fn credentials_log_in() -> anyhow::Result<()> {
    let sink = Sink::start(&["--auth"])?;
    let mut settings = settings("127.0.0.1", sink.port, SmtpSecurity::Plain);
    settings.username = Some("revenues".to_owned());
    settings.password = Some("app-password".to_owned().into());
    let outcome = send(&settings, &reply(&[])?).await?;
    assert_eq!(outcome.kind(), "accepted", "{outcome:?}");
    let received = sink.received()?;
    assert_eq!(received.len(), 1);
    assert_eq!(received[0].envelope["login"], "revenues");
    Ok(())
}

#[tokio::test]
async fn nothing_listening_is_deferred() -> anyhow::Result<()> {
    let port = std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
    let outcome = send(&settings("127.0.0.1", port, SmtpSecurity::Plain), &reply(&[])?).await?;
    assert!(matches!(&outcome, SendOutcome::Deferred { reason } if reason.starts_with("connecting")), "{outcome:?}");
    Ok(())
}

#[tokio::test]
async fn a_temporary_failure_before_or_after_the_message_is_deferred() -> anyhow::Result<()> {
    for (flag, step) in [("--tempfail", "RCPT TO"), ("--tempfail-data", "waiting for the answer to the message")] {
        let sink = Sink::start(&[flag])?;
        let outcome = send(&settings("127.0.0.1", sink.port, SmtpSecurity::Plain), &reply(&[])?).await?;
        let SendOutcome::Deferred { reason } = &outcome else { panic!("{flag}: {outcome:?}") };
        assert!(reason.starts_with(step) && reason.contains("451"), "{flag}: {reason}");
        assert_eq!(sink.received()?.len(), 0, "{flag}");
    }
    Ok(())
}

#[tokio::test]
async fn a_permanent_failure_before_or_after_the_message_is_refused() -> anyhow::Result<()> {
    for (flag, code) in [("--reject", "550"), ("--reject-data", "554")] {
        let sink = Sink::start(&[flag])?;
        let outcome = send(&settings("127.0.0.1", sink.port, SmtpSecurity::Plain), &reply(&[])?).await?;
        assert!(matches!(&outcome, SendOutcome::Refused { reason } if reason.contains(code)), "{flag}: {outcome:?}");
        assert_eq!(sink.received()?.len(), 0, "{flag}");
    }
    Ok(())
}

#[tokio::test]
async fn a_relay_that_drops_the_connection_after_the_message_leaves_it_unknown() -> anyhow::Result<()> {
    let sink = Sink::start(&["--drop-after-data"])?;
    let outcome = send(&settings("127.0.0.1", sink.port, SmtpSecurity::Plain), &reply(&[])?).await?;
    assert_eq!(outcome.kind(), "unknown", "{outcome:?}");
    assert_eq!(sink.received()?.len(), 1, "the relay has the message: retrying would send it twice");
    Ok(())
}

#[tokio::test]
async fn starttls_that_is_not_offered_is_deferred_before_anything_is_sent() -> anyhow::Result<()> {
    let sink = Sink::start(&["--auth"])?;
    let mut settings = settings("127.0.0.1", sink.port, SmtpSecurity::Starttls);
    settings.username = Some("revenues".to_owned());
    settings.password = Some("app-password".to_owned().into());
    let outcome = send(&settings, &reply(&[])?).await?;
    assert!(
        matches!(&outcome, SendOutcome::Deferred { reason } if reason.contains("does not offer STARTTLS")),
        "{outcome:?}"
    );
    assert_eq!(sink.received()?.len(), 0);
    Ok(())
}

#[tokio::test]
async fn starttls_and_implicit_tls_trust_the_ca_file() -> anyhow::Result<()> {
    for (implicit, security) in [(false, SmtpSecurity::Starttls), (true, SmtpSecurity::Tls)] {
        let sink = Sink::start_tls(implicit, &["--auth"])?;
        let mut settings = settings("localhost", sink.port, security);
        settings.ca_file = Some(sink.ca_file());
        settings.username = Some("revenues".to_owned());
        settings.password = Some("app-password".to_owned().into());
        let outcome = send(&settings, &reply(&[])?).await?;
        assert_eq!(outcome.kind(), "accepted", "{security:?}: {outcome:?}");
        let received = sink.received()?;
        assert_eq!(received.len(), 1, "{security:?}");
        assert_eq!(received[0].envelope["tls"], true, "{security:?}");
        assert_eq!(received[0].envelope["login"], "revenues", "{security:?}");
    }
    Ok(())
}

#[tokio::test]
async fn an_untrusted_certificate_is_deferred() -> anyhow::Result<()> {
    for (implicit, security) in [(false, SmtpSecurity::Starttls), (true, SmtpSecurity::Tls)] {
        let sink = Sink::start_tls(implicit, &[])?;
        let outcome = send(&settings("localhost", sink.port, security), &reply(&[])?).await?;
        assert_eq!(outcome.kind(), "deferred", "{security:?}: {outcome:?}");
        assert_eq!(sink.received()?.len(), 0, "{security:?}");
    }
    Ok(())
}

/// A relay on a local port that answers the whole conversation but says nothing after the
/// message data (`silent_after_data`), or nothing at all, not even a greeting.
async fn mute_relay(silent_after_data: bool) -> anyhow::Result<(u16, tokio::task::JoinHandle<anyhow::Result<()>>)> {
    use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let port = listener.local_addr()?.port();
    let task = tokio::spawn(async move {
        let (stream, _) = listener.accept().await?;
        let (read, mut write) = stream.into_split();
        let mut lines = BufReader::new(read).lines();
        if silent_after_data {
            write.write_all(b"220 mute.test ESMTP\r\n").await?;
            let mut in_data = false;
            while let Some(line) = lines.next_line().await? {
                let answer: &[u8] = match line.split(' ').next().unwrap_or_default().to_ascii_uppercase().as_str() {
                    _ if in_data && line == "." => break,
                    _ if in_data => continue,
                    "EHLO" => b"250-mute.test\r\n250 8BITMIME\r\n",
                    "DATA" => {
                        in_data = true;
                        b"354 go ahead\r\n"
                    }
                    _ => b"250 OK\r\n",
                };
                write.write_all(answer).await?;
            }
        }
        tokio::time::sleep(Duration::from_secs(30)).await;
        Ok(())
    });
    Ok((port, task))
}

#[tokio::test]
async fn no_answer_in_time_is_deferred_before_the_message_and_unknown_after_it() -> anyhow::Result<()> {
    for (silent_after_data, kind, reason) in [
        (false, "deferred", "connecting: no answer within 1s"),
        (true, "unknown", "no answer to the message within 1s"),
    ] {
        let (port, relay) = mute_relay(silent_after_data).await?;
        let mut settings = settings("127.0.0.1", port, SmtpSecurity::Plain);
        settings.timeout = Duration::from_secs(1);
        let outcome = send(&settings, &reply(&[])?).await?;
        assert_eq!(outcome.kind(), kind, "{outcome:?}");
        assert!(format!("{outcome:?}").contains(reason), "{outcome:?}");
        relay.abort();
    }
    Ok(())
}
