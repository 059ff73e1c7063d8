//! What team leaders watch: the dashboard agrees with the item lists its figures link to (on the
//! demo district), deadlines at risk are listed earliest first with who holds them, priorities
//! change with a reason, several items are reassigned at once, and the SLA report counts
//! completions in time and working days to complete (JSON and CSV).

use chrono::{Days, Duration, NaiveDate, Utc};
use postroom_domain::{Priority, Role, WorkingCalendar, london_date, london_midnight};
use postroom_e2e::{SeedItem, TestApp};
use reqwest::StatusCode;
use serde_json::{Value, json};

/// Today (UK) and the working-day calendar the service counts on (the built-in one).
fn today() -> (NaiveDate, WorkingCalendar) {
    (london_date(Utc::now()), WorkingCalendar::england_and_wales())
}

/// Seeds a ready item and returns its id.
async fn seed(
    app: &TestApp,
    queue: &str,
    workflow: &str,
    priority: Priority,
    due_on: NaiveDate,
    received_on: NaiveDate,
) -> anyhow::Result<String> {
    let item = SeedItem {
        workflow,
        queue,
        priority,
        due_on,
        received_at: london_midnight(received_on) + Duration::hours(10),
        accounts: &[],
    };
    Ok(app.seed_item(item).await?.to_string())
}

/// Every `{count, items}` figure in `v`, with where it is.
fn figures(v: &Value, at: &str, out: &mut Vec<(String, u64, String)>) {
    match v {
        Value::Object(map) => {
            if let (Some(count), Some(Value::String(items))) =
                (map.get("count").and_then(Value::as_u64), map.get("items"))
            {
                out.push((at.to_owned(), count, items.clone()));
            }
            for (k, child) in map {
                figures(child, &format!("{at}.{k}"), out);
            }
        }
        Value::Array(items) => {
            for (i, child) in items.iter().enumerate() {
                figures(child, &format!("{at}[{i}]"), out);
            }
        }
        _ => {}
    }
}

/// Checks that every figure of the dashboard counts exactly the items its link lists.
async fn every_figure_matches_its_list(app: &TestApp, token: &str, dashboard: &Value) -> anyhow::Result<usize> {
    let mut found = Vec::new();
    figures(dashboard, "dashboard", &mut found);
    for (at, count, link) in &found {
        let sep = if link.contains('?') { '&' } else { '?' };
        let listed = app.get_json(&format!("{link}{sep}limit=500"), token).await?;
        let n = listed["items"].as_array().map_or(usize::MAX, Vec::len);
        assert_eq!(u64::try_from(n)?, *count, "{at}: {link} lists {n}, the dashboard says {count}");
    }
    Ok(found.len())
}

#[tokio::test]
async fn the_dashboard_agrees_with_the_item_lists_on_the_demo_district() -> anyhow::Result<()> {
    let app = TestApp::spawn().await?;
    postroom::data::seed_demo(&app.settings, postroom_demo::DemoOptions { accounts: 300, correspondence: 15, seed: 5 })
        .await?;
    app.wait_until_quiet(std::time::Duration::from_secs(60)).await?;
    let (today, cal) = today();
    let ago = |n: u64| today.checked_sub_days(Days::new(n)).unwrap_or(today);
    // Work of every age and deadline, in two queues.
    let overdue = seed(&app, "ct-recovery", "ct-summons-dispute", Priority::P1, ago(3), ago(40)).await?;
    seed(&app, "ct-recovery", "ct-summons-dispute", Priority::P1, today, ago(8)).await?;
    seed(&app, "ct-recovery", "ct-summons-dispute", Priority::P2, cal.add_working_days(today, 1), ago(4)).await?;
    seed(&app, "ct-enquiries", "ct-general-enquiry", Priority::P3, cal.add_working_days(today, 10), today).await?;
    let held = seed(&app, "ct-enquiries", "ct-general-enquiry", Priority::P3, ago(1), ago(15)).await?;
    let done =
        seed(&app, "ct-enquiries", "ct-general-enquiry", Priority::P4, cal.add_working_days(today, 3), ago(2)).await?;
    let paused = seed(&app, "ct-enquiries", "ct-general-enquiry", Priority::P3, ago(2), ago(20)).await?;
    app.set_queues("amy", &["ct-enquiries"]).await?;
    let amy = app.token("amy", Role::Officer)?;
    for id in [&held, &done, &paused] {
        let r = app.post_json(&format!("/api/v1/work-items/{id}/claim"), &amy, &json!({})).await?;
        assert_eq!(r.status(), 200);
    }
    let bring_forward = cal.add_working_days(today, 5);
    let r = app
        .post_json(
            &format!("/api/v1/work-items/{paused}/pend"),
            &amy,
            &json!({ "reason": "asked for a tenancy agreement", "bring_forward_on": bring_forward }),
        )
        .await?;
    assert_eq!(r.status(), 200, "{}", r.text().await?);
    let r = app
        .post_json(
            &format!("/api/v1/work-items/{done}/complete"),
            &amy,
            &json!({ "version": 2, "outcome": "Answered" }),
        )
        .await?;
    assert_eq!(r.status(), 200, "{}", r.text().await?);

    let tl = app.token("tess", Role::TeamLeader)?;
    let d = app.get_json("/api/v1/dashboard", &tl).await?;
    let checked = every_figure_matches_its_list(&app, &tl, &d).await?;
    assert!(checked > 100, "only {checked} figures");

    // The figures say what was seeded.
    let recovery = d["queues"]
        .as_array()
        .and_then(|q| q.iter().find(|q| q["queue"] == "ct-recovery"))
        .cloned()
        .unwrap_or_default();
    assert_eq!(recovery["officers"], json!([]), "nobody works ct-recovery: {recovery}");
    assert!(recovery["overdue"]["count"].as_u64() >= Some(1));
    assert!(recovery["due_today"]["count"].as_u64() >= Some(1));
    assert!(recovery["due_soon"]["count"].as_u64() >= Some(3), "{recovery}");
    assert!(recovery["ageing"][4]["count"].as_u64() >= Some(1), "an item 40 days old: {recovery}");
    assert_eq!(recovery["ageing"][4]["band"], "over 20");
    let enquiries = d["queues"]
        .as_array()
        .and_then(|q| q.iter().find(|q| q["queue"] == "ct-enquiries"))
        .cloned()
        .unwrap_or_default();
    assert!(enquiries["states"]["awaiting_customer"]["count"].as_u64() >= Some(1));
    assert_eq!(enquiries["sla_last_7_days"]["completed"]["count"], 1);
    assert_eq!(enquiries["sla_last_7_days"]["in_time"]["count"], 1);
    assert_eq!(enquiries["sla_last_7_days"]["share"], 1.0);
    let amy_row =
        d["officers"].as_array().and_then(|o| o.iter().find(|o| o["officer"] == "amy")).cloned().unwrap_or_default();
    assert_eq!(amy_row["held"]["count"], 2, "claimed and pended: {amy_row}");
    assert_eq!(amy_row["completed_today"]["count"], 1);
    assert!(amy_row["median_handling_minutes"].as_f64().is_some());
    // The at-risk list: the overdue item first, with who holds each.
    let at_risk = app.work_items(&tl, "?at_risk=true&limit=500").await?;
    assert_eq!(u64::try_from(at_risk.len())?, d["at_risk"]["count"].as_u64().unwrap_or_default());
    let dues: Vec<&str> = at_risk.iter().filter_map(|i| i["due_on"].as_str()).collect();
    assert!(dues.windows(2).all(|w| w[0] <= w[1]), "earliest due first: {dues:?}");
    assert!(at_risk.iter().any(|i| i["id"] == overdue.as_str()));
    assert!(at_risk.iter().all(|i| i["id"] != paused.as_str()), "a paused item is not at risk");
    assert!(at_risk.iter().any(|i| i["id"] == held.as_str() && i["assignee"] == "amy"));
    // Officers do not see the dashboard.
    assert_eq!(app.get("/api/v1/dashboard", &amy).await?.status(), 403);
    Ok(())
}

#[tokio::test]
async fn team_leaders_change_a_priority_with_a_reason_and_reassign_several_items_at_once() -> anyhow::Result<()> {
    let app = TestApp::spawn().await?;
    let (today, cal) = today();
    let tomorrow = cal.add_working_days(today, 1);
    let mut ids = Vec::new();
    for _ in 0..4 {
        ids.push(seed(&app, "ct-recovery", "ct-summons-dispute", Priority::P1, tomorrow, today).await?);
    }
    let tl = app.token("tess", Role::TeamLeader)?;
    let d = app.get_json("/api/v1/dashboard", &tl).await?;
    let recovery = d["queues"]
        .as_array()
        .and_then(|q| q.iter().find(|q| q["queue"] == "ct-recovery"))
        .cloned()
        .unwrap_or_default();
    assert_eq!(recovery["due_soon"]["count"], 4, "four P1 items due tomorrow are at risk: {recovery}");
    assert_eq!(recovery["officers"], json!([]));

    // A priority changes with a reason, audited before and after; an officer may not.
    let path = format!("/api/v1/work-items/{}/prioritise", ids[0]);
    let r = app.post_json(&path, &tl, &json!({ "priority": "P2", "reason": "" })).await?;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let amy = app.token("amy", Role::Officer)?;
    assert_eq!(app.post_json(&path, &amy, &json!({ "priority": "P2", "reason": "x" })).await?.status(), 403);
    let r =
        app.post_json(&path, &tl, &json!({ "priority": "P2", "reason": "hearing adjourned", "version": 1 })).await?;
    assert_eq!(r.status(), 200);
    let item: Value = r.json().await?;
    assert_eq!((item["priority"].as_str(), item["status"].as_str()), (Some("P2"), Some("ready")));
    let detail = app.get_json(&format!("/api/v1/work-items/{}", ids[0]), &tl).await?;
    let entry = detail["history"]
        .as_array()
        .and_then(|h| h.iter().find(|e| e["action"] == "prioritised"))
        .cloned()
        .unwrap_or_default();
    assert_eq!(entry["details"]["priority"], json!({ "before": "P1", "after": "P2" }), "{entry}");
    assert_eq!(entry["details"]["reason"], "hearing adjourned");

    // Several items to one officer: each reassigned, an unknown one and one the officer cannot
    // take said so, item by item.
    let r = app.post_json("/api/v1/work-items/reassign", &tl, &json!({ "items": [ids[1]], "assignee": "amy" })).await?;
    let outcomes: Value = r.json().await?;
    assert_eq!(outcomes[0]["outcome"], "invalid", "amy does not work ct-recovery yet: {outcomes}");
    app.set_queues("amy", &["ct-recovery"]).await?;
    let reference = detail["reference"].as_str().unwrap_or_default().to_owned();
    let body =
        json!({ "items": [ids[1], ids[2], reference, "WI-2026-999999"], "assignee": "amy", "reason": "cover for Bob" });
    let r = app.post_json("/api/v1/work-items/reassign", &tl, &body).await?;
    assert_eq!(r.status(), 200);
    let outcomes: Value = r.json().await?;
    let got: Vec<&str> =
        outcomes.as_array().map(|o| o.iter().filter_map(|x| x["outcome"].as_str()).collect()).unwrap_or_default();
    assert_eq!(got, ["reassigned", "reassigned", "reassigned", "not_found"], "{outcomes}");
    let held = app.work_items(&tl, "?assignee=amy&open=true").await?;
    assert_eq!(held.len(), 3);
    let r = app.post_json("/api/v1/work-items/reassign", &amy, &body).await?;
    assert_eq!(r.status(), 403);
    let r = app.post_json("/api/v1/work-items/reassign", &tl, &json!({ "items": [], "assignee": "amy" })).await?;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    Ok(())
}

#[tokio::test]
async fn the_sla_report_counts_completions_in_time_and_working_days_to_complete() -> anyhow::Result<()> {
    let app = TestApp::spawn().await?;
    let (today, cal) = today();
    // Received 3 and 6 working days ago (counted back), one due tomorrow (in time), one due
    // last week (late); and one received today, still open.
    let back = |n: u32| {
        let mut d = today;
        while cal.working_days_between(d, today) < n {
            d = d.pred_opt().unwrap_or(d);
        }
        d
    };
    let in_time =
        seed(&app, "ct-enquiries", "ct-general-enquiry", Priority::P3, cal.add_working_days(today, 1), back(3)).await?;
    let late = seed(&app, "ct-enquiries", "ct-general-enquiry", Priority::P3, back(2), back(6)).await?;
    seed(&app, "ct-enquiries", "ct-general-enquiry", Priority::P3, cal.add_working_days(today, 5), today).await?;
    app.set_queues("amy", &["ct-enquiries"]).await?;
    let amy = app.token("amy", Role::Officer)?;
    for id in [&in_time, &late] {
        assert_eq!(app.post_json(&format!("/api/v1/work-items/{id}/claim"), &amy, &json!({})).await?.status(), 200);
        let r = app
            .post_json(
                &format!("/api/v1/work-items/{id}/complete"),
                &amy,
                &json!({ "version": 2, "outcome": "Answered" }),
            )
            .await?;
        assert_eq!(r.status(), 200, "{}", r.text().await?);
    }
    let tl = app.token("tess", Role::TeamLeader)?;
    let from = today.checked_sub_days(Days::new(30)).unwrap_or(today);
    let report = app.get_json(&format!("/api/v1/reports/sla?from={from}&to={today}"), &tl).await?;
    let row = report["rows"]
        .as_array()
        .and_then(|r| r.iter().find(|r| r["workflow"] == "ct-general-enquiry"))
        .cloned()
        .unwrap_or_default();
    assert_eq!(row["received"], 3, "{row}");
    assert_eq!(row["completed"], 2);
    assert_eq!(row["completed_in_time"], 1);
    assert_eq!(row["in_time_share"], 0.5);
    assert_eq!(row["median_working_days"], 3, "3 and 6 working days: the median is the lower middle");
    assert_eq!(row["p90_working_days"], 6);
    assert_eq!(row["still_open"], 1);
    assert_eq!(row["overdue"], 0);
    let series = report["throughput"].as_array().cloned().unwrap_or_default();
    assert_eq!(series.len(), 31);
    let last = series.last().cloned().unwrap_or_default();
    assert_eq!(
        (last["day"].as_str(), last["received"].as_u64(), last["completed"].as_u64(), last["open_at_day_end"].as_u64()),
        (Some(today.to_string().as_str()), Some(1), Some(2), Some(1)),
        "{last}"
    );
    let first = &series[0];
    assert_eq!(first["open_at_day_end"], 0, "nothing had been received 30 days ago: {first}");

    // The same as CSV a spreadsheet opens.
    let r = app
        .client
        .get(app.url(&format!("/api/v1/reports/sla?from={from}&to={today}")))
        .bearer_auth(&tl)
        .header("accept", "text/csv")
        .send()
        .await?;
    assert_eq!(r.status(), 200);
    assert!(r.headers()["content-type"].to_str()?.starts_with("text/csv"));
    assert!(r.headers()["content-disposition"].to_str()?.contains(".csv"));
    let text = r.text().await?;
    let mut lines = text.lines();
    assert_eq!(
        lines.next(),
        Some(
            "workflow,queue,received,completed,completed_in_time,in_time_share,median_working_days,p90_working_days,still_open,overdue"
        )
    );
    assert!(lines.any(|l| l == "ct-general-enquiry,ct-enquiries,3,2,1,0.5,3,6,1,0"), "{text}");
    let r = app
        .client
        .get(app.url(&format!("/api/v1/reports/throughput?from={today}&to={today}")))
        .bearer_auth(&tl)
        .header("accept", "text/csv")
        .send()
        .await?;
    assert_eq!(r.text().await?, format!("day,received,completed,open_at_day_end\n{today},1,2,1\n"));

    // Bad periods are refused clearly; officers do not read reports.
    let r = app.get(&format!("/api/v1/reports/sla?from={today}&to={from}"), &tl).await?;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let r = app.get("/api/v1/reports/sla?from=yesterday", &tl).await?;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(app.get("/api/v1/reports/sla", &amy).await?.status(), 403);
    Ok(())
}

#[tokio::test]
async fn an_empty_period_is_a_csv_file_with_its_header() -> anyhow::Result<()> {
    let app = TestApp::spawn().await?;
    let tl = app.token("tess", Role::TeamLeader)?;
    let r = app
        .client
        .get(app.url("/api/v1/reports/sla?from=2026-01-05&to=2026-01-09"))
        .bearer_auth(&tl)
        .header("accept", "text/csv")
        .send()
        .await?;
    assert_eq!(r.status(), 200);
    assert_eq!(
        r.text().await?,
        "workflow,queue,received,completed,completed_in_time,in_time_share,median_working_days,p90_working_days,still_open,overdue\n"
    );
    Ok(())
}
