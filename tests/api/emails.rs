//! Email intake through `POST /api/v1/intake/emails`, driven by the corpus in `tests/corpus/email`.

use postroom_domain::Role;
use postroom_e2e::TestApp;

fn corpus(name: &str) -> Vec<u8> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus/email").join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

async fn post_email(app: &TestApp, token: &str, raw: Vec<u8>) -> anyhow::Result<reqwest::Response> {
    Ok(app
        .client
        .post(app.url("/api/v1/intake/emails"))
        .bearer_auth(token)
        .header("content-type", "message/rfc822")
        .body(raw)
        .send()
        .await?)
}

/// One corpus message and what must come of it.
struct Case {
    file: &'static str,
    sender: Option<&'static str>,
    subject: &'static str,
    /// The sender's `Date:`; the received time is always when it reached us.
    sent_at: Option<&'static str>,
    /// (part, media type, filename) of every document after the original.
    parts: &'static [(&'static str, &'static str, Option<&'static str>)],
    /// Words the extracted text of the message must contain.
    words: &'static [&'static str],
}

const CASES: &[Case] = &[
    Case {
        file: "01-multipart-alternative-qp.eml",
        sender: Some("jane.citizen@example.com"),
        subject: "Moving out of 12 High Street",
        sent_at: Some("2026-11-17T09:15:00Z"),
        parts: &[],
        words: &["moved out of 12 High Street", "12345678", "£150", "soft line break somewhere"],
    },
    Case {
        file: "02-base64-body.eml",
        sender: Some("payer@example.org"),
        subject: "Direct debit",
        sent_at: Some("2026-11-18T14:00:00Z"),
        parts: &[],
        words: &["direct debit for account 87654321"],
    },
    Case {
        file: "03-latin1.eml",
        sender: Some("jones@example.net"),
        subject: "Refund",
        sent_at: Some("2026-11-19T10:00:00Z"),
        parts: &[],
        words: &["£150.00", "François"],
    },
    Case {
        file: "04-encoded-subject.eml",
        sender: Some("sian@example.com"),
        subject: "Direct Debit – cancel £ refund",
        sent_at: Some("2026-11-20T08:30:00Z"),
        parts: &[],
        words: &["cancel my direct debit"],
    },
    Case {
        file: "05-forwarded.eml",
        sender: Some("colleague@council.example.gov.uk"),
        subject: "Fwd: ADDACS report 2026-11-16",
        sent_at: Some("2026-11-16T09:00:00Z"),
        parts: &[("message", "message/rfc822", Some("ADDACS report.eml"))],
        words: &["FYI, see the bank's report below."],
    },
    Case {
        file: "06-outlook-html.eml",
        sender: Some("anne.smith@example.co.uk"),
        subject: "RE: Summons",
        sent_at: Some("2026-11-21T11:45:00Z"),
        parts: &[],
        words: &["received a summons for account 99887766", "already paid"],
    },
    Case {
        file: "07-no-date.eml",
        sender: Some("nodate@example.com"),
        subject: "Copy bill please",
        sent_at: None,
        parts: &[],
        words: &["copy of my bill for 10203040"],
    },
    Case {
        file: "09-attachments.eml",
        sender: Some("agent@lettings.example.co.uk"),
        subject: "Tenancy agreement for 7 Mill Lane",
        sent_at: Some("2026-11-23T08:00:00Z"),
        parts: &[
            ("inline", "image/png", Some("logo.png")),
            ("attachment", "application/pdf", Some("tenancy agreement.pdf")),
        ],
        words: &["Tenancy attached."],
    },
];

#[tokio::test]
async fn every_corpus_message_becomes_correspondence_with_its_documents_and_text() -> anyhow::Result<()> {
    let app = TestApp::spawn().await?;
    let gateway = app.token("mail-gateway", Role::Service)?;
    for case in CASES {
        let raw = corpus(case.file);
        let before = chrono::Utc::now();
        let resp = post_email(&app, &gateway, raw.clone()).await?;
        assert_eq!(resp.status(), 201, "{}", case.file);
        let receipt: serde_json::Value = resp.json().await?;
        let id = receipt["correspondence_id"].as_str().unwrap();
        let corr = app.get_json(&format!("/api/v1/correspondence/{id}"), &gateway).await?;
        assert_eq!(corr["channel"], "email", "{}", case.file);
        assert_eq!(corr["sender"].as_str(), case.sender, "{}", case.file);
        assert_eq!(corr["subject"], case.subject, "{}", case.file);
        match case.sent_at {
            Some(at) => assert_eq!(corr["sent_at"], at, "{}", case.file),
            None => assert!(corr["sent_at"].is_null(), "{}", case.file),
        }
        let at: chrono::DateTime<chrono::Utc> = corr["received_at"].as_str().unwrap().parse()?;
        assert!(at >= before - chrono::Duration::seconds(1), "{}: received when it reached us", case.file);
        let docs = corr["documents"].as_array().unwrap();
        assert_eq!(docs[0]["part"], "original", "{}", case.file);
        assert_eq!(docs[0]["media_type"], "message/rfc822", "{}", case.file);
        let got: Vec<(String, String, Option<String>)> = docs[1..]
            .iter()
            .map(|d| {
                (
                    d["part"].as_str().unwrap().to_owned(),
                    d["media_type"].as_str().unwrap().to_owned(),
                    d["filename"].as_str().map(str::to_owned),
                )
            })
            .collect();
        let want: Vec<(String, String, Option<String>)> =
            case.parts.iter().map(|(p, m, f)| ((*p).to_owned(), (*m).to_owned(), f.map(str::to_owned))).collect();
        assert_eq!(got, want, "{}", case.file);
        let text = docs[0]["extracted_text"].as_str().unwrap_or_default();
        for word in case.words {
            assert!(text.contains(word), "{}: {word:?} not in {text:?}", case.file);
        }
        // The original is kept byte for byte.
        let original = app.get(docs[0]["content_url"].as_str().unwrap(), &gateway).await?.bytes().await?;
        assert_eq!(original.as_ref(), raw.as_slice(), "{}", case.file);
    }
    let items = app.work_items(&gateway, "").await?;
    assert_eq!(items.len(), CASES.len(), "one triage item per message");
    Ok(())
}

#[tokio::test]
async fn a_forwarded_message_keeps_its_own_text() -> anyhow::Result<()> {
    let app = TestApp::spawn().await?;
    let gateway = app.token("mail-gateway", Role::Service)?;
    let receipt: serde_json::Value = post_email(&app, &gateway, corpus("05-forwarded.eml")).await?.json().await?;
    let corr = app
        .get_json(&format!("/api/v1/correspondence/{}", receipt["correspondence_id"].as_str().unwrap()), &gateway)
        .await?;
    let nested = &corr["documents"][1];
    assert!(nested["extracted_text"].as_str().unwrap().contains("reason code 1 instruction cancelled by payer"));
    Ok(())
}

#[tokio::test]
async fn a_malformed_message_is_kept_and_still_reaches_triage() -> anyhow::Result<()> {
    let app = TestApp::spawn().await?;
    let gateway = app.token("mail-gateway", Role::Service)?;
    for raw in [corpus("08-malformed-boundary.eml"), b"\x00\x01 this is not an email at all \xff\xfe".to_vec()] {
        let resp = post_email(&app, &gateway, raw.clone()).await?;
        assert_eq!(resp.status(), 201);
        let receipt: serde_json::Value = resp.json().await?;
        let doc = receipt["documents"][0]["id"].as_str().unwrap();
        let kept = app.get(&format!("/api/v1/documents/{doc}/content"), &gateway).await?.bytes().await?;
        assert_eq!(kept.as_ref(), raw.as_slice(), "what was received is kept as it was");
    }
    // Both are recorded with a work item (the readable one may be classified out of triage).
    let items = app.work_items(&gateway, "").await?;
    assert_eq!(items.len(), 2);
    // The one with no sender stays in triage and carries the reason in its history.
    let mut reasons = Vec::new();
    for item in &items {
        let detail = app.get_json(&format!("/api/v1/work-items/{}", item["id"].as_str().unwrap()), &gateway).await?;
        reasons.push(detail["history"][0]["details"]["reason"].clone());
    }
    assert!(reasons.iter().any(|r| r.as_str().is_some_and(|r| r.contains("no sender"))), "{reasons:?}");
    Ok(())
}

#[tokio::test]
async fn the_same_bytes_are_recorded_once_and_a_reused_message_id_is_linked_not_swallowed() -> anyhow::Result<()> {
    let app = TestApp::spawn().await?;
    let gateway = app.token("mail-gateway", Role::Service)?;
    let raw = corpus("02-base64-body.eml");
    let first: serde_json::Value = post_email(&app, &gateway, raw.clone()).await?.json().await?;
    let again = post_email(&app, &gateway, raw.clone()).await?;
    assert_eq!(again.status(), 200);
    let again: serde_json::Value = again.json().await?;
    assert_eq!(again["duplicate"], true);
    assert_eq!(again["correspondence_id"], first["correspondence_id"]);
    // Same Message-ID, different bytes (delivered twice through another relay): kept, recorded,
    // and linked to the first for a person to judge.
    let mut redelivered = b"Received: from relay2.example.org\r\n".to_vec();
    redelivered.extend_from_slice(&raw);
    let resp = post_email(&app, &gateway, redelivered.clone()).await?;
    assert_eq!(resp.status(), 201);
    let body: serde_json::Value = resp.json().await?;
    assert_eq!(body["duplicate"], false);
    assert_eq!(body["status"], "possible_duplicate");
    let id = body["correspondence_id"].as_str().unwrap_or_default();
    let corr = app.get_json(&format!("/api/v1/correspondence/{id}"), &gateway).await?;
    assert_eq!(corr["possible_duplicate_of"], first["correspondence_id"]);
    let original = corr["documents"][0]["id"].as_str().unwrap_or_default();
    let stored = app.get(&format!("/api/v1/documents/{original}/content"), &gateway).await?.bytes().await?;
    assert_eq!(stored.as_ref(), redelivered.as_slice(), "its own bytes are stored");
    app.wait_until_quiet(std::time::Duration::from_secs(20)).await?;
    let items = app.work_items(&gateway, "").await?;
    assert_eq!(items.len(), 2);
    let flagged = items.iter().find(|i| i["correspondence_id"].as_str() == Some(id)).cloned().unwrap_or_default();
    assert_eq!(flagged["status"], "triage", "a possible duplicate waits in triage for a person: {flagged}");
    Ok(())
}

#[tokio::test]
async fn emails_over_a_limit_or_of_the_wrong_type_are_refused_with_problems() -> anyhow::Result<()> {
    let app = TestApp::spawn_with(postroom::ServeRole::All, |s| {
        s.intake.max_email_bytes = 2048;
        s.intake.max_attachments = 1;
    })
    .await?;
    let gateway = app.token("mail-gateway", Role::Service)?;
    let mut big = corpus("02-base64-body.eml");
    big.extend(std::iter::repeat_n(b'x', 4096));
    let resp = post_email(&app, &gateway, big).await?;
    assert_eq!(resp.status(), 413);
    assert_eq!(resp.headers()["content-type"], "application/problem+json");
    let resp = post_email(&app, &gateway, corpus("09-attachments.eml")).await?;
    assert_eq!(resp.status(), 422);
    let body: serde_json::Value = resp.json().await?;
    assert!(body["detail"].as_str().unwrap().contains("more than 1 attachments"), "{body}");
    let wrong = app
        .client
        .post(app.url("/api/v1/intake/emails"))
        .bearer_auth(&gateway)
        .header("content-type", "text/plain")
        .body("hello")
        .send()
        .await?;
    assert_eq!(wrong.status(), 415);
    assert_eq!(post_email(&app, &gateway, Vec::new()).await?.status(), 422);
    let officer = app.token("olly", Role::Officer)?;
    assert_eq!(post_email(&app, &officer, corpus("02-base64-body.eml")).await?.status(), 403);
    assert!(app.work_items(&gateway, "").await?.is_empty(), "nothing refused was recorded");
    Ok(())
}

#[tokio::test]
async fn a_reply_naming_the_item_or_answering_its_email_joins_that_item() -> anyhow::Result<()> {
    let app = TestApp::spawn().await?;
    let gateway = app.token("mail-gateway", Role::Service)?;
    post_email(&app, &gateway, corpus("01-multipart-alternative-qp.eml")).await?;
    let items = app.work_items(&gateway, "").await?;
    let reference = items[0]["reference"].as_str().unwrap().to_owned();
    let item_id = items[0]["id"].as_str().unwrap().to_owned();

    // 1. The item's reference in the subject.
    let by_reference = format!(
        "From: jane.citizen@example.com\r\nTo: revenues@council.example.gov.uk\r\nSubject: Re: your letter [{reference}]\r\n\
         Message-ID: <reply-1@example.com>\r\nDate: Mon, 23 Nov 2026 09:00:00 +0000\r\n\r\nHere is my new address.\r\n"
    );
    assert_eq!(post_email(&app, &gateway, by_reference.into_bytes()).await?.status(), 201);
    // 2. In-Reply-To the first email, no reference anywhere.
    let by_thread = "From: jane.citizen@example.com\r\nTo: revenues@council.example.gov.uk\r\nSubject: one more thing\r\n\
         Message-ID: <reply-2@example.com>\r\nIn-Reply-To: <moving-001@example.com>\r\nReferences: <moving-001@example.com>\r\n\
         Date: Mon, 23 Nov 2026 09:30:00 +0000\r\n\r\nAnd my new phone number.\r\n";
    assert_eq!(post_email(&app, &gateway, by_thread.as_bytes().to_vec()).await?.status(), 201);

    let items = app.work_items(&gateway, "").await?;
    assert_eq!(items.len(), 1, "replies join the open item instead of opening new ones");
    let detail = app.get_json(&format!("/api/v1/work-items/{item_id}"), &gateway).await?;
    let originals = detail["documents"].as_array().unwrap().iter().filter(|d| d["part"] == "original").count();
    assert_eq!(originals, 3, "the item gathers all three emails");
    let matched: Vec<&str> = detail["history"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|h| h["action"] == "correspondence_linked")
        .filter_map(|h| h["details"]["matched_by"].as_str())
        .collect();
    assert_eq!(matched, ["reference_in_subject", "in_reply_to"]);
    Ok(())
}

#[tokio::test]
async fn a_reply_resumes_an_item_awaiting_the_customer() -> anyhow::Result<()> {
    let app = TestApp::spawn().await?;
    let gateway = app.token("mail-gateway", Role::Service)?;
    post_email(&app, &gateway, corpus("01-multipart-alternative-qp.eml")).await?;
    let items = app.work_items(&gateway, "").await?;
    let item_id = items[0]["id"].as_str().unwrap().to_owned();
    // An officer asked the customer for more three working days ago (set directly: the pend
    // action pauses the clock today, and officer_work tests it).
    let due_before = chrono::NaiveDate::parse_from_str(items[0]["due_on"].as_str().unwrap(), "%Y-%m-%d")?;
    let calendar = postroom_domain::WorkingCalendar::england_and_wales();
    let today = postroom_domain::london_date(chrono::Utc::now());
    let mut paused_on = today;
    while calendar.working_days_between(paused_on, today) < 3 {
        paused_on = paused_on.pred_opt().unwrap();
    }
    let db = app.database().await?;
    let backend = sea_orm::ConnectionTrait::get_database_backend(&db);
    let sql = match backend {
        sea_orm::DatabaseBackend::Postgres => {
            "UPDATE work_items SET status = 'awaiting_customer', paused_on = $1, version = version + 1 WHERE id = $2"
        }
        _ => "UPDATE work_items SET status = 'awaiting_customer', paused_on = ?, version = version + 1 WHERE id = ?",
    };
    let id: uuid::Uuid = item_id.parse()?;
    let values: [sea_orm::Value; 2] = [paused_on.into(), id.into()];
    sea_orm::ConnectionTrait::execute(&db, sea_orm::Statement::from_sql_and_values(backend, sql, values)).await?;
    // An out-of-office answer is linked to the item but is not the customer answering.
    let away = "From: jane.citizen@example.com\r\nTo: revenues@council.example.gov.uk\r\nSubject: Automatic reply: Moving out\r\n\
         Auto-Submitted: auto-replied\r\nMessage-ID: <away-1@example.com>\r\nIn-Reply-To: <moving-001@example.com>\r\n\r\n\
         I am away until Monday.\r\n";
    let receipt: serde_json::Value = post_email(&app, &gateway, away.as_bytes().to_vec()).await?.json().await?;
    assert_eq!(receipt["status"], "auto_reply", "{receipt}");
    let items = app.work_items(&gateway, "").await?;
    assert_eq!(
        (items.len(), items[0]["status"].as_str()),
        (1, Some("awaiting_customer")),
        "an auto-reply resumes nothing"
    );
    let reply = "From: jane.citizen@example.com\r\nTo: revenues@council.example.gov.uk\r\nSubject: Re: Moving out\r\n\
         Message-ID: <reply-3@example.com>\r\nIn-Reply-To: <moving-001@example.com>\r\nDate: Mon, 23 Nov 2026 10:00:00 +0000\r\n\r\n\
         Here is the information you asked for.\r\n";
    post_email(&app, &gateway, reply.as_bytes().to_vec()).await?;
    let items = app.work_items(&gateway, "").await?;
    assert_eq!(items.len(), 1);
    assert_eq!(items[0]["status"], "ready", "the customer wrote again: the item resumes");
    assert_eq!(
        items[0]["due_on"],
        calendar.add_working_days(due_before, 3).to_string(),
        "the due date moves on by the three working days paused"
    );
    let detail = app.get_json(&format!("/api/v1/work-items/{item_id}"), &gateway).await?;
    let resumed = detail["history"].as_array().unwrap().iter().find(|h| h["action"] == "resumed").unwrap();
    assert_eq!(resumed["details"]["working_days_paused"], 3);
    Ok(())
}
