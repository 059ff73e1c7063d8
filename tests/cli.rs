//! The data commands against the real service: `postroom import accounts`, `postroom
//! seed-demo` and `postroom user` write to the service's database (SQLite, or PostgreSQL when
//! `TEST_POSTGRES_URL` is set), and what they wrote is then found through the API and classified
//! by the workers, or read back.

use postroom::data::{import_accounts, seed_demo};
use postroom_db::entities::{account, account_adjustment, correspondence, direct_debit_mandate, property};
use postroom_demo::DemoOptions;
use postroom_domain::Role;
use postroom_e2e::TestApp;
use postroom_import::ImportError;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use serde_json::Value;

const HEADER: &str = "reference,service,uprn,address,postcode,band,rateable_value,retail_hospitality_leisure,\
                      liable_name,liable_from,email,phone,preferred_channel,instalments,status,vulnerable,\
                      recovery_stage";

async fn refs(app: &TestApp, token: &str, q: &str) -> anyhow::Result<Vec<String>> {
    let url =
        format!("/api/v1/accounts?q={}", percent_encoding::utf8_percent_encode(q, percent_encoding::NON_ALPHANUMERIC));
    let found: Value = app.get_json(&url, token).await?;
    Ok(found.as_array().into_iter().flatten().filter_map(|a| a["reference"].as_str().map(str::to_owned)).collect())
}

fn write_csv(dir: &tempfile::TempDir, name: &str, rows: &str) -> anyhow::Result<std::path::PathBuf> {
    let path = dir.path().join(name);
    std::fs::write(&path, format!("{HEADER}\n{rows}"))?;
    Ok(path)
}

#[tokio::test]
async fn an_imported_file_is_searchable_and_shares_properties_by_uprn() -> anyhow::Result<()> {
    let mut app = TestApp::spawn().await?;
    let files = tempfile::tempdir()?;
    let path = write_csv(
        &files,
        "accounts.csv",
        "500100001,council_tax,100012300001,\"12 Quill Lane, Barchester\",bc12 7qq,C,,,Mrs Ottilie \
         Featherstonehaugh,2024-05-01,ottilie@example.org,07700 900123,email,12,live,false,\n\
         500100002,council_tax,100012300001,\"12 Quill Lane, Barchester\",BC12 7QQ,C,,,Mr Former Occupier,2019-01-01,\
         ,,post,,closed,,\n\
         600100003,business_rates,100012300002,\"Unit 4, Quill Trading Estate, Barchester\",BC12 7QR,,\"£14,500\",true,\
         Featherstonehaugh Joinery Ltd,,,,,10,live,,summons\n",
    )?;
    let summary = import_accounts(&app.settings, &path).await?;
    assert_eq!(summary.to_string(), "imported 3 accounts (2 new properties)");
    let amy = app.token("amy", Role::Officer)?;
    assert_eq!(refs(&app, &amy, "featherstonehaugh").await?, ["500100001", "600100003"], "a surname");
    assert_eq!(refs(&app, &amy, "bc12 7qq").await?, ["500100001", "500100002"], "a postcode");
    assert_eq!(refs(&app, &amy, "quill trad").await?, ["600100003"], "words of the address, the last a prefix");
    assert_eq!(refs(&app, &amy, "5001000").await?, ["500100001", "500100002"], "a reference's first digits");
    assert_eq!(refs(&app, &amy, "100012300002").await?, ["600100003"], "a UPRN");
    let joinery: Value = app.get_json("/api/v1/accounts/600100003", &amy).await?;
    assert_eq!(joinery["service"], "business_rates");
    assert_eq!(joinery["recovery_stage"], "summons");
    assert_eq!(joinery["property"]["postcode"], "BC12 7QR");
    let db = app.database().await?;
    let quill = property::Entity::find().filter(property::Column::Uprn.eq(100_012_300_001_i64)).one(&db).await?;
    let quill = quill.ok_or_else(|| anyhow::anyhow!("no property 100012300001"))?;
    assert_eq!(quill.council_tax_band.as_deref(), Some("C"));
    let unit = property::Entity::find().filter(property::Column::Uprn.eq(100_012_300_002_i64)).one(&db).await?;
    let unit = unit.ok_or_else(|| anyhow::anyhow!("no property 100012300002"))?;
    assert_eq!((unit.rateable_value_pence, unit.retail_hospitality_leisure), (Some(1_450_000), true));
    let former = account::Entity::find().filter(account::Column::Reference.eq("500100002")).one(&db).await?;
    let former = former.ok_or_else(|| anyhow::anyhow!("no account 500100002"))?;
    assert_eq!((former.status.as_str(), former.property_id), ("closed", Some(quill.id)));
    db.close().await?;

    let again = import_accounts(&app.settings, &path).await;
    let Err(ImportError::Invalid(problems)) = again else { panic!("a second import is refused: {again:?}") };
    assert_eq!(
        problems,
        [
            "line 2: reference: 500100001 is already in the database",
            "line 3: reference: 500100002 is already in the database",
            "line 4: reference: 600100003 is already in the database",
        ]
    );
    app.stop().await
}

#[tokio::test]
async fn a_file_with_bad_rows_imports_nothing_and_names_every_bad_line() -> anyhow::Result<()> {
    let mut app = TestApp::spawn().await?;
    let files = tempfile::tempdir()?;
    let path = write_csv(
        &files,
        "bad.csv",
        "500300001,council_tax,,1 Nettle Row,AB1 2CD,A,,,Wilhelmina Goodbody,,,,,,,,\n\
         500300002,water,,2 Nettle Row,AB1 2CD,A,,,Jo Bloggs,,,,,,,,\n\
         500300003,council_tax,,3 Nettle Row,NOT A PC,,,,Jo Bloggs,,,,,,,,\n\
         500300001,council_tax,,4 Nettle Row,AB1 2CD,A,,,Jo Bloggs,,not-an-email,,,,,,\n\
         600300005,business_rates,,\"Unit 5\nNettle Row\",AB1 2CD,,12000,,Shop Ltd,,,,,,,,\n\
         600300006,business_rates,,6 Nettle Row,AB1 2CD,,12000,,Shop Ltd,,,,,,,,attachment_of_earnings\n\
         600300007,business_rates,,7 Nettle Row,AB1 2CD,,,,Shop Ltd,,,,,,,,\n",
    )?;
    let outcome = import_accounts(&app.settings, &path).await;
    let Err(ImportError::Invalid(problems)) = outcome else { panic!("refused: {outcome:?}") };
    // Line 6's address runs onto line 7 (a quoted field), so the next row is line 8.
    let lines: Vec<&str> = problems.iter().filter_map(|p| p.split(':').next()).collect();
    assert_eq!(lines, ["line 3", "line 4", "line 4", "line 5", "line 5", "line 8", "line 9"], "{problems:#?}");
    for expected in [
        "line 3: service: ",
        "line 4: postcode: ",
        "line 4: band: required for council_tax",
        "line 5: reference: 500300001 is also on line 2",
        "line 5: email: ",
        "line 8: recovery_stage: ",
        "line 9: rateable_value: required for business_rates",
    ] {
        assert!(problems.iter().any(|p| p.starts_with(expected)), "{expected:?} missing from {problems:#?}");
    }
    let amy = app.token("amy", Role::Officer)?;
    assert!(refs(&app, &amy, "goodbody").await?.is_empty(), "not even the good line 2 is imported");
    let db = app.database().await?;
    assert_eq!(account::Entity::find().count(&db).await?, 0);
    assert_eq!(property::Entity::find().count(&db).await?, 0);
    db.close().await?;
    app.stop().await
}

#[tokio::test]
async fn seed_demo_fills_an_empty_database_and_its_emails_reach_their_queues() -> anyhow::Result<()> {
    let mut app = TestApp::spawn().await?;
    let options = DemoOptions { accounts: 400, correspondence: 15, seed: 11 };
    let summary = seed_demo(&app.settings, options).await?;
    assert_eq!(summary.council_tax + summary.business_rates, 400);
    assert_eq!((summary.emails, summary.letters), (10, 5));
    let db = app.database().await?;
    assert_eq!(account::Entity::find().count(&db).await?, 400);
    assert_eq!(
        account::Entity::find().filter(account::Column::Service.eq("business_rates")).count(&db).await?,
        40,
        "one in ten accounts is business rates"
    );
    assert_eq!(property::Entity::find().count(&db).await?, u64::try_from(summary.properties)?);
    let mandates = direct_debit_mandate::Entity::find().count(&db).await?;
    assert_eq!(mandates, u64::try_from(summary.mandates)?);
    assert!((180..=300).contains(&mandates), "about 60% pay by Direct Debit: {mandates}");
    let spd = account_adjustment::Entity::find()
        .filter(account_adjustment::Column::Category.eq("discount"))
        .filter(account_adjustment::Column::Code.eq("single_person"))
        .count(&db)
        .await?;
    assert_eq!(spd, u64::try_from(summary.single_person_discounts)?);
    assert!(spd > 0);
    let reliefs =
        account_adjustment::Entity::find().filter(account_adjustment::Column::Category.eq("relief")).count(&db).await?;
    assert_eq!(reliefs, u64::try_from(summary.small_business_reliefs + summary.charitable_reliefs)?);
    let in_recovery = account::Entity::find().filter(account::Column::RecoveryStage.is_not_null()).count(&db).await?;
    assert_eq!(in_recovery, u64::try_from(summary.in_recovery)?);
    assert_eq!(correspondence::Entity::find().count(&db).await?, 15);
    db.close().await?;

    let again = seed_demo(&app.settings, options).await;
    let refused = again.err().map(|e| e.to_string()).unwrap_or_default();
    assert!(refused.contains("already has 400 accounts"), "{refused}");

    // Emails are classified from their text; scanned letters need pdftotext (CI has it).
    let token = app.token("tess", Role::TeamLeader)?;
    let items = app.all_work_items(&token).await?;
    assert_eq!(items.len(), 15);
    let queued = items.iter().filter(|i| i["queue"] != "triage" && i["status"] == "ready").count();
    assert!(queued >= 10, "every email left triage for its queue: {items:#?}");
    let amy = app.token("amy", Role::Officer)?;
    let found = refs(&app, &amy, "kingsbridge").await?;
    assert_eq!(found.len(), 20, "search finds demo accounts by locality (a page of 20)");
    assert!(found.is_sorted() && found[0] == "500000001", "by reference: {found:?}");
    app.stop().await
}

#[tokio::test]
#[ignore = "needs poppler-utils (pdftotext) for the scanned letters; CI runs it"]
async fn seed_demo_letters_are_read_and_classified_too() -> anyhow::Result<()> {
    let mut app = TestApp::spawn().await?;
    seed_demo(&app.settings, DemoOptions { accounts: 300, correspondence: 15, seed: 3 }).await?;
    let token = app.token("tess", Role::TeamLeader)?;
    let items = app.all_work_items(&token).await?;
    let in_triage: Vec<&Value> = items.iter().filter(|i| i["queue"] == "triage").collect();
    assert_eq!(items.len(), 15);
    assert!(in_triage.is_empty(), "every email and letter reached its queue: {in_triage:#?}");
    app.stop().await
}

/// Claims item `id` as amy and completes it with its workflow's first reply template; the
/// reply, as `GET /api/v1/replies/{id}` shows it.
async fn reply_to(app: &TestApp, item: &Value) -> anyhow::Result<Value> {
    let tess = app.token("tess", Role::TeamLeader)?;
    let id = item["id"].as_str().unwrap_or_default();
    let workflows = app.get_json("/api/v1/workflows", &tess).await?;
    let workflow = workflows
        .as_array()
        .into_iter()
        .flatten()
        .find(|w| w["id"] == item["workflow"])
        .ok_or_else(|| anyhow::anyhow!("no workflow {}", item["workflow"]))?;
    app.set_queues("amy", &[item["queue"].as_str().unwrap_or_default()]).await?;
    let amy = app.token("amy", Role::Officer)?;
    let claimed: Value =
        app.post_json(&format!("/api/v1/work-items/{id}/claim"), &amy, &serde_json::json!({})).await?.json().await?;
    let completion = serde_json::json!({
        "version": claimed["version"],
        "reply": { "template": workflow["templates"][0], "notes": "Thank you for your letter." },
        "outcome": "Answered",
    });
    let resp = app.post_json(&format!("/api/v1/work-items/{id}/complete"), &amy, &completion).await?;
    anyhow::ensure!(resp.status() == 200, "complete {id}: {}", resp.text().await?);
    let detail = app.get_json(&format!("/api/v1/work-items/{id}"), &tess).await?;
    let reply_id = detail["replies"][0]["id"].as_str().unwrap_or_default().to_owned();
    let reply = app.get_json(&format!("/api/v1/replies/{reply_id}"), &tess).await?;
    // Its author approves it, or a team leader where the workflow is sensitive or four-eyes.
    let approver = if reply["needs_team_leader"] == true { &tess } else { &amy };
    let body = serde_json::json!({ "version": reply["version"] });
    let resp = app.post_json(&format!("/api/v1/replies/{reply_id}/approve"), approver, &body).await?;
    anyhow::ensure!(resp.status() == 200, "approve {reply_id}: {}", resp.text().await?);
    for _ in 0..300 {
        let now = app.get_json(&format!("/api/v1/replies/{reply_id}"), &tess).await?;
        if matches!(now["status"].as_str(), Some("sent" | "batched")) {
            return Ok(now);
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    anyhow::bail!("reply {reply_id} was not sent")
}

#[tokio::test]
#[ignore = "needs poppler-utils (pdftotext) and aiosmtpd (scripts/test-services.sh); CI runs it"]
async fn demo_correspondence_is_answered_by_email_threaded_and_by_letter_in_a_print_batch() -> anyhow::Result<()> {
    let sink = postroom_e2e::SmtpSink::start(&[]).await?;
    let mut app = TestApp::spawn_with(postroom::ServeRole::All, |s| {
        s.smtp.host = Some("127.0.0.1".to_owned());
        s.smtp.port = Some(sink.port);
        s.smtp.security = postroom_config::SmtpSecurity::Plain;
    })
    .await?;
    seed_demo(&app.settings, DemoOptions { accounts: 300, correspondence: 15, seed: 3 }).await?;
    app.wait_until_quiet(std::time::Duration::from_secs(60)).await?;
    let tess = app.token("tess", Role::TeamLeader)?;
    let items = app.all_work_items(&tess).await?;
    // A ready item from an email, and one from a scanned letter.
    let (mut by_email, mut by_post) = (None, None);
    for item in items.iter().filter(|i| i["status"] == "ready" && i["queue"] != "triage") {
        let detail =
            app.get_json(&format!("/api/v1/work-items/{}", item["id"].as_str().unwrap_or_default()), &tess).await?;
        let corr = detail["documents"][0]["correspondence_id"].as_str().unwrap_or_default().to_owned();
        let channel = app.get_json(&format!("/api/v1/correspondence/{corr}"), &tess).await?["channel"].clone();
        match channel.as_str() {
            Some("email") if by_email.is_none() => by_email = Some(item.clone()),
            Some("scan") if by_post.is_none() => by_post = Some(item.clone()),
            _ => {}
        }
    }
    let (by_email, by_post) =
        by_email.zip(by_post).ok_or_else(|| anyhow::anyhow!("no ready email and letter: {items:#?}"))?;
    let emailed = reply_to(&app, &by_email).await?;
    assert_eq!((emailed["channel"].as_str(), emailed["status"].as_str()), (Some("email"), Some("sent")), "{emailed}");
    let received = sink.messages()?;
    assert_eq!(received.len(), 1);
    let parsed =
        mail_parser::MessageParser::default().parse(&received[0]).ok_or_else(|| anyhow::anyhow!("unparseable"))?;
    let customer = emailed["in_reply_to"].as_str().unwrap_or_default();
    assert!(customer.starts_with("demo-") && customer.ends_with("@kingsbridge-vale.example"), "{emailed}");
    assert_eq!(parsed.in_reply_to().as_text(), Some(customer), "threaded to the customer's message");
    assert_eq!(parsed.message_id(), emailed["message_id"].as_str());

    let letter = reply_to(&app, &by_post).await?;
    assert_eq!((letter["channel"].as_str(), letter["status"].as_str()), (Some("letter"), Some("batched")), "{letter}");
    let batches = app.get_json("/api/v1/print-batches", &tess).await?;
    assert_eq!(batches[0]["letters"], 1, "{batches}");
    let pdf =
        app.get(&format!("/api/v1/print-batches/{}/pdf", batches[0]["id"].as_str().unwrap_or_default()), &tess).await?;
    let text = postroom_e2e::pdf_text(&pdf.bytes().await?)?;
    assert!(text.contains("Thank you for your letter."), "{text}");
    app.stop().await
}

/// The refusal an error carries, with its context, for matching.
fn refusal<T: std::fmt::Debug>(outcome: anyhow::Result<T>) -> String {
    match outcome {
        Ok(value) => format!("not refused: {value:?}"),
        Err(e) => format!("{e:#}"),
    }
}

#[tokio::test]
async fn users_are_added_listed_and_disabled_with_only_their_password_hash_stored() -> anyhow::Result<()> {
    use postroom::users::{add_user, list_users, set_disabled};
    use postroom_auth::password::verify_password;

    let mut app = TestApp::spawn().await?;
    let s = &app.settings;
    let password = "correct horse battery staple";
    let saved = add_user(s, "alice.smith@council", Role::TeamLeader, Some(" Alice Smith "), password).await?;
    assert_eq!(saved, "user alice.smith@council (team_leader) saved");
    add_user(s, "bob", Role::Officer, None, "another long password").await?;
    let lines = list_users(s).await?;
    assert_eq!(lines, ["alice.smith@council\tteam_leader\tAlice Smith", "bob\tofficer\t-"]);

    let db = app.database().await?;
    let alice = postroom_db::users::find(&db, "alice.smith@council").await?;
    let alice = alice.ok_or_else(|| anyhow::anyhow!("alice was not saved"))?;
    assert!(alice.password_hash.starts_with("$argon2id$"), "stored as an Argon2id PHC string");
    assert!(!alice.password_hash.contains(password));
    assert!(!lines.iter().any(|l| l.contains(&alice.password_hash) || l.contains("argon2")), "{lines:?}");
    assert!(verify_password(Some(&alice.password_hash), password));
    assert!(!verify_password(Some(&alice.password_hash), "correct horse battery stapler"));

    // Refused, with what to fix, and nothing saved.
    let short = refusal(add_user(s, "carol", Role::Officer, None, "eleven char").await);
    assert!(short.contains("at least 12"), "{short}");
    let bad_name = refusal(add_user(s, "carol smith", Role::Officer, None, password).await);
    assert!(bad_name.contains("\"carol smith\" is not valid"), "{bad_name}");
    assert_eq!(postroom_db::users::find(&db, "carol").await?, None);
    let role = ["postroom", "user", "add", "carol", "--role", "superuser"];
    let unknown_role = <postroom::cli::Cli as clap::Parser>::try_parse_from(role).map(|_| ());
    let unknown_role = unknown_role.err().map(|e| e.to_string()).unwrap_or_default();
    assert!(unknown_role.contains("expected officer, team_leader"), "{unknown_role}");

    assert_eq!(set_disabled(s, "bob", true).await?, "user bob disabled");
    assert_eq!(list_users(s).await?[1], "bob\tofficer\t-\tdisabled");
    assert!(postroom_db::users::find(&db, "bob").await?.is_some_and(|b| b.disabled));
    // Saving him again changes his role and password, not whether he may sign in.
    add_user(s, "bob", Role::PostRoom, Some("Bob"), "a third long password").await?;
    assert_eq!(list_users(s).await?[1], "bob\tpost_room\tBob\tdisabled");
    assert_eq!(set_disabled(s, "bob", false).await?, "user bob enabled");
    assert_eq!(list_users(s).await?[1], "bob\tpost_room\tBob");
    let nobody = refusal(set_disabled(s, "nobody", true).await);
    assert!(nobody.contains("there is no user called nobody"), "{nobody}");
    db.close().await?;
    app.stop().await
}

#[test]
fn the_password_comes_from_the_environment_else_the_first_line_of_input() -> anyhow::Result<()> {
    use postroom::users::read_password;

    let input = b"from stdin  \r\nsecond line\n";
    assert_eq!(read_password(Some("from env".into()), &input[..])?, "from env");
    assert_eq!(read_password(None, &input[..])?, "from stdin  ", "only the line ending is removed");
    let none = refusal(read_password(None, &b""[..]));
    assert!(none.contains("POSTROOM_PASSWORD"), "{none}");
    Ok(())
}
