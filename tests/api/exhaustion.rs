//! No request can exhaust the service: an account search does bounded work whatever it is
//! given (words counted once, at most eight, `q` at most 200 characters), lists have a largest
//! page and offset, and while hostile searches run, email intake and `/readyz` still answer
//! (searches take at most half the connection pool).

use std::time::{Duration, Instant};

use postroom_domain::Role;
use postroom_e2e::{SeedAccount, TestApp};
use serde_json::Value;

/// Every answer below must come within this (generous: the point is "answers", not speed).
const ANSWERS_WITHIN: Duration = Duration::from_secs(10);

fn account(reference: &'static str, party: &'static str) -> SeedAccount<'static> {
    SeedAccount {
        reference,
        service: "council_tax",
        address: "7 Harbour Row, Barchester",
        postcode: "BC4 1HR",
        uprn: None,
        party,
        recovery_stage: None,
        vulnerable: false,
    }
}

/// 66 different two-letter words: 198 characters, under the 200 allowed.
fn hostile_query() -> String {
    let letters: Vec<char> = ('a'..='z').collect();
    let words: Vec<String> =
        letters.iter().flat_map(|a| letters.iter().map(move |b| format!("{a}{b}"))).take(66).collect();
    words.join(" ")
}

fn email(n: usize) -> Vec<u8> {
    format!(
        "From: Resident {n} <resident{n}@example.org>\r\nTo: revenues@barchester.gov.uk\r\n\
         Subject: Council tax question {n}\r\nMessage-ID: <exhaustion-{n}@example.org>\r\n\
         Date: Mon, 7 Dec 2026 09:00:00 +0000\r\n\r\nPlease call me about my bill.\r\n"
    )
    .into_bytes()
}

async fn search(app: &TestApp, token: &str, q: &str) -> anyhow::Result<(u16, Value)> {
    let resp = app.client.get(app.url("/api/v1/accounts")).query(&[("q", q)]).bearer_auth(token).send().await?;
    Ok((resp.status().as_u16(), resp.json().await?))
}

#[tokio::test]
async fn repeated_and_surplus_words_do_no_extra_work_and_long_queries_are_refused() -> anyhow::Result<()> {
    let app = TestApp::spawn().await?;
    app.seed_account(account("5000070001", "Mrs Edith Quill")).await?;
    let officer = app.token("amy", Role::Officer)?;
    let (status, once) = search(&app, &officer, "quill").await?;
    assert_eq!(status, 200, "{once}");
    assert_eq!(once.as_array().map(Vec::len), Some(1));
    let (_, repeated) = search(&app, &officer, &"Quill QUILL quill ".repeat(10)).await?;
    assert_eq!(repeated, once, "a repeated word counts once, whatever its case");
    // The first eight different words are searched for; a ninth that matches nothing is ignored.
    let (_, surplus) = search(&app, &officer, "edith quill harbour row barchester bc4 1hr mrs nowhere").await?;
    assert_eq!(surplus, once);
    let (status, refused) = search(&app, &officer, &"a ".repeat(200)).await?;
    assert_eq!(status, 400, "{refused}");
    assert!(refused["detail"].as_str().unwrap_or_default().contains("at most 200"), "{refused}");
    Ok(())
}

#[tokio::test]
async fn list_pages_and_offsets_have_a_ceiling() -> anyhow::Result<()> {
    let app = TestApp::spawn().await?;
    let officer = app.token("amy", Role::Officer)?;
    let admin = app.token("root", Role::Admin)?;
    for (path, token) in [
        ("/api/v1/accounts?q=quill&limit=101", &officer),
        ("/api/v1/work-items?limit=501", &officer),
        ("/api/v1/work-items?offset=100001", &officer),
        ("/api/v1/work-items?offset=18446744073709551615", &officer),
        ("/api/v1/admin/dead-letters?limit=501", &admin),
        ("/api/v1/admin/dead-letters?offset=100001", &admin),
    ] {
        let resp = app.get(path, token).await?;
        assert_eq!(resp.status(), 400, "{path}: {}", resp.text().await?);
    }
    assert_eq!(app.get("/api/v1/work-items?offset=100000", &officer).await?.status(), 200);
    Ok(())
}

#[tokio::test]
async fn intake_and_readiness_answer_while_hostile_searches_run() -> anyhow::Result<()> {
    use sea_orm::{ConnectionTrait, TransactionTrait};
    // A small pool: two connections for searches, two always left for everything else.
    let app = TestApp::spawn_with(postroom::ServeRole::All, |s| {
        s.database.max_connections = Some(4);
        s.database.statement_timeout = Duration::from_secs(20);
    })
    .await?;
    const PARTIES: [&str; 5] = ["Ann Ab", "Bob Ac", "Cy Ad", "Di Ae", "Ed Af"];
    const REFERENCES: [&str; 40] = [
        "5000080000",
        "5000080001",
        "5000080002",
        "5000080003",
        "5000080004",
        "5000080005",
        "5000080006",
        "5000080007",
        "5000080008",
        "5000080009",
        "5000080010",
        "5000080011",
        "5000080012",
        "5000080013",
        "5000080014",
        "5000080015",
        "5000080016",
        "5000080017",
        "5000080018",
        "5000080019",
        "5000080020",
        "5000080021",
        "5000080022",
        "5000080023",
        "5000080024",
        "5000080025",
        "5000080026",
        "5000080027",
        "5000080028",
        "5000080029",
        "5000080030",
        "5000080031",
        "5000080032",
        "5000080033",
        "5000080034",
        "5000080035",
        "5000080036",
        "5000080037",
        "5000080038",
        "5000080039",
    ];
    for (i, reference) in REFERENCES.iter().enumerate() {
        app.seed_account(account(reference, PARTIES[i % PARTIES.len()])).await?;
    }
    let officer = app.token("amy", Role::Officer)?;
    let gateway = app.token("mail-gateway", Role::Service)?;
    let query = hostile_query();
    // On PostgreSQL the searches are held in the database (another session locks the accounts
    // and their search terms), so each one keeps its connection: without the search slots they would take the
    // whole pool and intake would wait. SQLite has no such lock; there the searches are only
    // many and hostile.
    let db = app.database().await?;
    let lock = db.begin().await?;
    let held = !app.settings.uses_sqlite();
    if held {
        lock.execute_unprepared("LOCK TABLE accounts, account_search_terms IN ACCESS EXCLUSIVE MODE").await?;
    }
    let fired = Instant::now();
    let searches: Vec<_> = (0..12)
        .map(|_| {
            let (client, url, token, q) =
                (app.client.clone(), app.url("/api/v1/accounts"), officer.clone(), query.clone());
            tokio::spawn(async move {
                let resp = client.get(url).query(&[("q", q)]).bearer_auth(token).send().await?;
                let status = resp.status().as_u16();
                let media = resp.headers().get("content-type").and_then(|v| v.to_str().ok()).map(str::to_owned);
                anyhow::Ok((status, media))
            })
        })
        .collect();
    tokio::time::sleep(Duration::from_millis(500)).await; // the searches are in flight
    for n in 0..3 {
        let started = Instant::now();
        let resp = tokio::time::timeout(ANSWERS_WITHIN, app.post_email(&gateway, email(n), "")).await??;
        assert_eq!(resp.status(), 201, "intake answers while searches run: {}", resp.text().await?);
        let ready = app.client.get(app.url("/readyz")).timeout(ANSWERS_WITHIN).send().await?;
        assert_eq!(ready.status(), 200, "ready while searches run: {}", ready.text().await?);
        assert!(started.elapsed() < ANSWERS_WITHIN * 2);
    }
    if held {
        // Past the 5 s a search waits for a slot, so those beyond the two slots are turned away.
        tokio::time::sleep(Duration::from_secs(7).saturating_sub(fired.elapsed())).await;
    }
    lock.rollback().await?;
    let mut told_to_wait = 0;
    for search in searches {
        let (status, media) = search.await??;
        assert!(status == 200 || status == 503, "a search is answered or told to wait, never {status}");
        if status == 503 {
            assert_eq!(media.as_deref(), Some("application/problem+json"));
            told_to_wait += 1;
        }
    }
    if held {
        assert!(told_to_wait >= 10, "searches beyond the two slots are told to wait: {told_to_wait} of 12");
    }
    Ok(())
}

/// On PostgreSQL: a search held up in the database (here by a lock another session holds on the
/// accounts table) is cancelled there at `database.statement_timeout` and answered 503, and it
/// no longer runs once answered.
#[tokio::test]
async fn a_statement_past_the_timeout_is_cancelled_in_the_database_and_answered_503() -> anyhow::Result<()> {
    use sea_orm::{ConnectionTrait, TransactionTrait};
    let app = TestApp::spawn_with(postroom::ServeRole::All, |s| {
        s.database.statement_timeout = Duration::from_secs(1);
    })
    .await?;
    if app.settings.uses_sqlite() {
        return Ok(()); // SQLite has no statement timeout: input limits bound the work there.
    }
    app.seed_account(account("5000090001", "Mr Lock Held")).await?;
    let officer = app.token("amy", Role::Officer)?;
    let db = app.database().await?;
    let lock = db.begin().await?;
    lock.execute_unprepared("LOCK TABLE accounts IN ACCESS EXCLUSIVE MODE").await?;
    let started = Instant::now();
    let resp =
        app.client.get(app.url("/api/v1/accounts")).query(&[("q", "lock held")]).bearer_auth(&officer).send().await?;
    let elapsed = started.elapsed();
    let status = resp.status().as_u16();
    let media = resp.headers().get("content-type").and_then(|v| v.to_str().ok()).map(str::to_owned);
    let problem: Value = resp.json().await?;
    assert_eq!(status, 503, "{problem}");
    assert_eq!(media.as_deref(), Some("application/problem+json"));
    assert!(problem["detail"].as_str().unwrap_or_default().contains("cancelled"), "{problem}");
    assert!(elapsed < ANSWERS_WITHIN, "cancelled at the timeout, not when the lock went: {elapsed:?}");
    let waiting = lock
        .query_one(sea_orm::Statement::from_string(
            lock.get_database_backend(),
            "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND datname = current_database()",
        ))
        .await?
        .map(|r| r.try_get_by_index::<i64>(0))
        .transpose()?;
    assert_eq!(waiting, Some(0), "the cancelled query no longer waits in the database");
    lock.rollback().await?;
    let (status, found) = search(&app, &officer, "lock held").await?;
    assert_eq!((status, found.as_array().map(Vec::len)), (200, Some(1)), "{found}");
    Ok(())
}
