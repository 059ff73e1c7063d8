//! The workflow family end to end: the matched account's service settles whether a letter takes
//! the Council Tax or the Business Rates workflow of its kind (issue 17 point 6).

use postroom_domain::Role;
use postroom_e2e::{SeedAccount, TestApp};

const BAKERY: SeedAccount<'static> = SeedAccount {
    reference: "600111222",
    service: "business_rates",
    address: "Unit 4 Mill Trading Estate, Anytown",
    postcode: "AN7 8PQ",
    uprn: None,
    party: "Bright Bakes Ltd",
    recovery_stage: None,
    vulnerable: false,
};

const HOUSE: SeedAccount<'static> = SeedAccount {
    reference: "500123456",
    service: "council_tax",
    address: "14 Acacia Avenue, Anytown",
    postcode: "AN1 2BC",
    uprn: Some(100_023_336_956),
    party: "Jane Citizen",
    recovery_stage: None,
    vulnerable: false,
};

/// A service with both accounts that has received one email from `from` with `body`: its item.
async fn classified(from: &str, body: &str) -> anyhow::Result<serde_json::Value> {
    let app = TestApp::spawn().await?;
    app.seed_account(BAKERY).await?;
    app.seed_account(HOUSE).await?;
    let token = app.token("gateway", Role::Service)?;
    let raw = format!(
        "From: {from}\r\nTo: revenues@council.example\r\nSubject: Our account\r\nMessage-ID: <family@example.org>\r\n\
         Date: Fri, 20 Nov 2026 09:00:00 +0000\r\n\r\n{body}\r\n"
    );
    let resp = app.post_email(&token, raw, "").await?;
    anyhow::ensure!(resp.status() == 201, "{}", resp.status());
    let items = app.work_items(&token, "").await?;
    anyhow::ensure!(items.len() == 1, "expected one item: {items:?}");
    app.get_json(&format!("/api/v1/work-items/{}", items[0]["id"].as_str().unwrap_or_default()), &token).await
}

/// The family evidence on any candidate (the winner replaced, or its rival marked down in a tie).
fn all_family_rules(item: &serde_json::Value) -> Vec<String> {
    item["classification"]["candidates"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|c| c["fired"].as_array().cloned().unwrap_or_default())
        .filter(|r| r["kind"] == "family")
        .filter_map(|r| r["value"].as_str().map(str::to_owned))
        .collect()
}

fn family_rules(item: &serde_json::Value) -> Vec<String> {
    item["classification"]["candidates"][0]["fired"]
        .as_array()
        .map(|f| {
            f.iter().filter(|r| r["kind"] == "family").filter_map(|r| r["value"].as_str().map(str::to_owned)).collect()
        })
        .unwrap_or_default()
}

#[tokio::test]
async fn classify_a_business_rates_account_takes_the_business_rates_direct_debit_workflow() -> anyhow::Result<()> {
    let item = classified("Jo Baker <jo@example.org>", "please cancel my direct debit, account 600111222").await?;
    assert_eq!(item["workflow"], "br-direct-debit", "{item}");
    assert_eq!((item["queue"].as_str(), item["status"].as_str()), (Some("business-rates"), Some("ready")));
    assert_eq!(item["classification"]["classified_as"], "br-direct-debit");
    // Any Council Tax candidate lost to the account's service, and says so.
    let candidates = item["classification"]["candidates"].as_array().cloned().unwrap_or_default();
    for c in candidates.iter().filter(|c| c["workflow"].as_str().is_some_and(|w| w.starts_with("ct-"))) {
        assert!(all_family_rules(&item).iter().any(|r| r.contains("Business Rates")), "{c}");
    }
    // The same words about a Council Tax account go to Council Tax's workflow: where Business
    // Rates' matched them too, the account settled it, and the evidence says so.
    let house =
        classified("Jane Citizen <jane@example.org>", "please cancel my direct debit, account 500123456").await?;
    assert_eq!(house["workflow"], "ct-direct-debit-instruction", "{house}");
    assert!(family_rules(&house).iter().all(|r| r.contains("Council Tax")), "{house}");
    Ok(())
}

#[tokio::test]
async fn classify_business_rates_refunds_bacs_reports_and_bailiff_letters_have_a_business_rates_home()
-> anyhow::Result<()> {
    for (from, body, workflow, queue) in [
        (
            "Jo Baker <jo@example.org>",
            "We overpaid and our account is in credit. Please refund the overpayment. Account 600111222.",
            "br-refund",
            "business-rates",
        ),
        (
            "reports@bacs.co.uk",
            "ADDACS report. Reason code 1: instruction cancelled by payer. Reference 600111222. Payer BRIGHT BAKES LTD.",
            "br-bacs-report",
            "business-rates",
        ),
        (
            "Jo Baker <jo@example.org>",
            "An enforcement agent came to the shop with a notice of enforcement about account 600111222.",
            "br-enforcement-agent",
            "br-recovery",
        ),
        (
            "Jo Baker <jo@example.org>",
            "We have a summons to the magistrates court for account 600111222; the hearing date is 14 December 2026.",
            "br-summons-dispute",
            "br-recovery",
        ),
    ] {
        let item = classified(from, body).await?;
        assert_eq!(
            (item["workflow"].as_str(), item["queue"].as_str()),
            (Some(workflow), Some(queue)),
            "{body}\n{item}"
        );
    }
    Ok(())
}

#[tokio::test]
async fn classify_a_bacs_report_naming_both_services_sends_each_line_to_its_services_workflow() -> anyhow::Result<()> {
    let app = TestApp::spawn().await?;
    app.seed_account(BAKERY).await?;
    app.seed_account(HOUSE).await?;
    let raw = "From: reports@bacs.co.uk\r\nTo: revenues@council.example\r\nSubject: ADDACS report 23/11/2026\r\n\
Message-ID: <addacs-mixed@bacs.co.uk>\r\nDate: Mon, 23 Nov 2026 06:00:00 +0000\r\n\r\n\
ADDACS REPORT - AUTOMATED DIRECT DEBIT AMENDMENT AND CANCELLATION SERVICE\r\n\
PAYER NAME        REFERENCE    REASON CODE\r\n\
J CITIZEN         500123456    1\r\n\
BRIGHT BAKES LTD  600111222    B\r\n";
    let token = app.token("gateway", Role::Service)?;
    assert_eq!(app.post_email(&token, raw, "").await?.status(), 201);
    let items = app.work_items(&token, "").await?;
    let mut got = Vec::new();
    for item in &items {
        let detail =
            app.get_json(&format!("/api/v1/work-items/{}", item["id"].as_str().unwrap_or_default()), &token).await?;
        got.push((
            detail["accounts"][0]["reference"].as_str().unwrap_or_default().to_owned(),
            detail["workflow"].as_str().unwrap_or_default().to_owned(),
            detail["queue"].as_str().unwrap_or_default().to_owned(),
        ));
    }
    got.sort();
    let want = [("500123456", "ct-bacs-report", "ct-payments"), ("600111222", "br-bacs-report", "business-rates")]
        .map(|(a, b, c)| (a.to_owned(), b.to_owned(), c.to_owned()));
    assert_eq!(got, want);
    Ok(())
}
