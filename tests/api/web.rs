//! The web UI over HTTP, without a browser: signing in and the session cookie, the CSRF check on
//! every form, the headers every page carries, and the reply preview the UI and the API share.

use reqwest::{StatusCode, header, redirect::Policy};
use serde_json::json;

use postroom_domain::Role;
use postroom_e2e::{ACACIA_AVENUE, SeedItem, TestApp};

const PASSWORD: &str = "a long enough passphrase";

/// A client that keeps no cookies and follows no redirects, so each step is seen.
fn client() -> anyhow::Result<reqwest::Client> {
    Ok(reqwest::Client::builder().redirect(Policy::none()).build()?)
}

/// Signs in and returns the session cookie (`name=value`).
async fn sign_in(app: &TestApp, user: &str, password: &str) -> anyhow::Result<reqwest::Response> {
    Ok(client()?
        .post(app.url("/signin"))
        .form(&[("user", user), ("password", password), ("next", "/items")])
        .send()
        .await?)
}

fn session_cookie(response: &reqwest::Response) -> Option<String> {
    let set = response.headers().get(header::SET_COOKIE)?.to_str().ok()?;
    set.split(';').next().map(str::to_owned)
}

/// The CSRF token in a page's forms.
fn csrf_of(page: &str) -> Option<String> {
    let at = page.find(r#"name="csrf" value=""#)? + r#"name="csrf" value=""#.len();
    page[at..].split('"').next().map(str::to_owned)
}

#[tokio::test]
async fn signing_in_sets_a_strict_http_only_session_and_a_wrong_password_is_refused() -> anyhow::Result<()> {
    let app = TestApp::spawn().await?;
    app.add_user("amy", Role::Officer, PASSWORD).await?;

    let refused = sign_in(&app, "amy", "wrong password here").await?;
    assert_eq!(refused.status(), StatusCode::UNAUTHORIZED);
    assert!(refused.headers().get(header::SET_COOKIE).is_none());
    let unknown = sign_in(&app, "nobody", PASSWORD).await?;
    assert_eq!(unknown.status(), StatusCode::UNAUTHORIZED, "an unknown user is refused the same way");
    assert!(unknown.text().await?.contains("not right"));

    let signed_in = sign_in(&app, "amy", PASSWORD).await?;
    assert_eq!(signed_in.status(), StatusCode::SEE_OTHER);
    assert_eq!(signed_in.headers()[header::LOCATION], "/items", "back where they were going");
    let set = signed_in.headers()[header::SET_COOKIE].to_str()?.to_owned();
    for attribute in ["HttpOnly", "SameSite=Strict", "Path=/", "Max-Age=28800"] {
        assert!(set.contains(attribute), "{attribute} in {set}");
    }
    // The session works on the pages; a forged or absent one sends the person to sign in.
    let cookie = session_cookie(&signed_in).unwrap_or_default();
    let page = client()?.get(app.url("/items")).header(header::COOKIE, &cookie).send().await?;
    assert_eq!(page.status(), StatusCode::OK);
    let away = client()?.get(app.url("/items?queue=ct-enquiries")).send().await?;
    assert_eq!(away.status(), StatusCode::SEE_OTHER);
    assert_eq!(away.headers()[header::LOCATION], "/signin?next=%2Fitems%3Fqueue%3Dct%2Denquiries");
    let forged = client()?
        .get(app.url("/items"))
        .header(header::COOKIE, "postroom_session=eyJhbGciOiJub25lIn0.e30.")
        .send()
        .await?;
    assert_eq!(forged.status(), StatusCode::SEE_OTHER);
    // Only a path on this site is followed after signing in.
    let elsewhere = client()?
        .post(app.url("/signin"))
        .form(&[("user", "amy"), ("password", PASSWORD), ("next", "//evil.example/")])
        .send()
        .await?;
    assert_eq!(elsewhere.headers()[header::LOCATION], "/");
    Ok(())
}

#[tokio::test]
async fn every_form_needs_the_sessions_csrf_token() -> anyhow::Result<()> {
    let app = TestApp::spawn().await?;
    app.add_user("amy", Role::Officer, PASSWORD).await?;
    app.set_queues("amy", &["ct-enquiries"]).await?;
    let id = app.seed_item(SeedItem::default()).await?;
    let cookie = session_cookie(&sign_in(&app, "amy", PASSWORD).await?).unwrap_or_default();
    let page =
        client()?.get(app.url(&format!("/items/{id}"))).header(header::COOKIE, &cookie).send().await?.text().await?;
    let csrf = csrf_of(&page).unwrap_or_default();
    assert!(csrf.len() >= 32, "the page carries the token: {csrf:?}");

    for token in ["", "forged-token"] {
        let refused = client()?
            .post(app.url(&format!("/items/{id}/act/claim")))
            .header(header::COOKIE, &cookie)
            .form(&[("csrf", token)])
            .send()
            .await?;
        assert_eq!(refused.status(), StatusCode::FORBIDDEN, "token {token:?}");
    }
    let officer = app.token("amy", Role::Officer)?;
    let item = app.get_json(&format!("/api/v1/work-items/{id}"), &officer).await?;
    assert_eq!(item["status"], "ready", "nothing was done: {item}");

    let claimed = client()?
        .post(app.url(&format!("/items/{id}/act/claim")))
        .header(header::COOKIE, &cookie)
        .form(&[("csrf", csrf.as_str())])
        .send()
        .await?;
    assert_eq!(claimed.status(), StatusCode::SEE_OTHER);
    let item = app.get_json(&format!("/api/v1/work-items/{id}"), &officer).await?;
    assert_eq!((item["status"].as_str(), item["assignee"].as_str()), (Some("in_progress"), Some("amy")), "{item}");
    Ok(())
}

#[tokio::test]
async fn pages_forbid_framing_and_sniffing_and_load_only_their_own_assets() -> anyhow::Result<()> {
    let app = TestApp::spawn().await?;
    let page = client()?.get(app.url("/signin")).send().await?;
    assert_eq!(page.status(), StatusCode::OK);
    let h = page.headers();
    let csp = h[header::CONTENT_SECURITY_POLICY].to_str()?;
    assert!(csp.contains("default-src 'self'") && csp.contains("frame-ancestors 'none'"), "{csp}");
    assert_eq!(h[header::X_CONTENT_TYPE_OPTIONS], "nosniff");
    assert_eq!(h[header::CACHE_CONTROL], "no-store");
    let body = page.text().await?;
    assert!(!body.contains("http://") && !body.contains("https://"), "nothing is fetched from elsewhere");
    for asset in ["/assets/app.css", "/assets/htmx-2.0.11.min.js"] {
        let served = client()?.get(app.url(asset)).send().await?;
        assert_eq!(served.status(), StatusCode::OK, "{asset}");
    }
    // The API still answers problems, not pages.
    let api = client()?.get(app.url("/api/v1/work-items")).send().await?;
    assert_eq!(api.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(api.headers()[header::CONTENT_TYPE], "application/problem+json");
    Ok(())
}

#[tokio::test]
async fn the_reply_preview_renders_the_template_and_stores_nothing() -> anyhow::Result<()> {
    let app = TestApp::spawn().await?;
    app.seed_account(ACACIA_AVENUE).await?;
    app.set_queues("amy", &["ct-enquiries"]).await?;
    let id = app.seed_item(SeedItem { accounts: &[ACACIA_AVENUE.reference], ..SeedItem::default() }).await?;
    let amy = app.token("amy", Role::Officer)?;
    let preview = app
        .post_json(
            &format!("/api/v1/work-items/{id}/reply-preview"),
            &amy,
            &json!({"reply": {"template": "general-reply", "channel": "letter", "notes": "Your bill is enclosed."}, "outcome": "Sent a copy bill"}),
        )
        .await?;
    assert_eq!(preview.status(), StatusCode::OK);
    let preview: serde_json::Value = preview.json().await?;
    assert_eq!(preview["channel"], "letter", "{preview}");
    assert_eq!(preview["recipient_name"], ACACIA_AVENUE.party, "{preview}");
    assert!(preview["body"].as_str().unwrap_or_default().contains("Your bill is enclosed."), "{preview}");
    let item = app.get_json(&format!("/api/v1/work-items/{id}"), &amy).await?;
    assert_eq!(item["replies"], json!([]), "nothing stored: {item}");

    let wrong = app
        .post_json(
            &format!("/api/v1/work-items/{id}/reply-preview"),
            &amy,
            &json!({"reply": {"template": "refund-issued"}}),
        )
        .await?;
    assert_eq!(wrong.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let post_room = app.token("pat", Role::PostRoom)?;
    let refused = app
        .post_json(
            &format!("/api/v1/work-items/{id}/reply-preview"),
            &post_room,
            &json!({"reply": {"template": "general-reply"}}),
        )
        .await?;
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    Ok(())
}

#[tokio::test]
async fn a_disabled_user_is_signed_out_at_once_and_a_new_role_applies_from_the_next_page() -> anyhow::Result<()> {
    let app = TestApp::spawn().await?;
    app.add_user("amy", Role::Officer, PASSWORD).await?;
    let cookie = session_cookie(&sign_in(&app, "amy", PASSWORD).await?).unwrap_or_default();
    let dashboard = client()?.get(app.url("/dashboard")).header(header::COOKIE, &cookie).send().await?;
    assert_eq!(dashboard.status(), StatusCode::FORBIDDEN, "an officer has no dashboard");
    app.add_user("amy", Role::TeamLeader, PASSWORD).await?;
    let dashboard = client()?.get(app.url("/dashboard")).header(header::COOKIE, &cookie).send().await?;
    assert_eq!(dashboard.status(), StatusCode::OK, "promoted, the same session sees it");
    postroom::users::set_disabled(&app.settings, "amy", true).await?;
    let away = client()?.get(app.url("/items")).header(header::COOKIE, &cookie).send().await?;
    assert_eq!(away.status(), StatusCode::SEE_OTHER, "disabled: back to the sign-in page");
    let bearer = cookie.trim_start_matches("postroom_session=");
    let api = app.get("/api/v1/work-items", bearer).await?;
    assert_eq!(api.status(), StatusCode::UNAUTHORIZED, "and every token of hers is revoked, on the API too");
    Ok(())
}

#[tokio::test]
async fn signing_out_revokes_the_session_so_a_copied_cookie_no_longer_works() -> anyhow::Result<()> {
    let app = TestApp::spawn().await?;
    app.add_user("amy", Role::Officer, PASSWORD).await?;
    let cookie = session_cookie(&sign_in(&app, "amy", PASSWORD).await?).unwrap_or_default();
    let page = client()?.get(app.url("/items")).header(header::COOKIE, &cookie).send().await?;
    let csrf = csrf_of(&page.text().await?).unwrap_or_default();
    let out = client()?
        .post(app.url("/signout"))
        .header(header::COOKIE, &cookie)
        .form(&[("csrf", csrf.as_str())])
        .send()
        .await?;
    assert_eq!(out.status(), StatusCode::SEE_OTHER);
    assert!(out.headers()[header::SET_COOKIE].to_str()?.contains("Max-Age=0"), "the cookie is cleared");
    let copied = client()?.get(app.url("/items")).header(header::COOKIE, &cookie).send().await?;
    assert_eq!(copied.status(), StatusCode::SEE_OTHER, "a copy of the signed-out cookie is refused");
    let bearer = cookie.trim_start_matches("postroom_session=");
    let api = app.get("/api/v1/work-items", bearer).await?;
    assert_eq!(api.status(), StatusCode::UNAUTHORIZED, "and so is the same token on the API");
    Ok(())
}

#[tokio::test]
async fn each_role_reaches_only_its_pages_and_sign_in_never_sends_anyone_elsewhere() -> anyhow::Result<()> {
    let app = TestApp::spawn().await?;
    for (user, role) in [("pat", Role::PostRoom), ("amy", Role::Officer), ("tess", Role::TeamLeader)] {
        app.add_user(user, role, PASSWORD).await?;
    }
    let cookie = |user: &'static str| {
        let app = &app;
        async move { anyhow::Ok(session_cookie(&sign_in(app, user, PASSWORD).await?).unwrap_or_default()) }
    };
    let (pat, amy, tess) = (cookie("pat").await?, cookie("amy").await?, cookie("tess").await?);
    for (who, path, status) in [
        (&pat, "/approvals", StatusCode::FORBIDDEN),
        (&amy, "/approvals", StatusCode::FORBIDDEN),
        (&tess, "/approvals", StatusCode::OK),
        (&amy, "/upload", StatusCode::FORBIDDEN),
        (&pat, "/upload", StatusCode::OK),
        (&amy, "/officers", StatusCode::FORBIDDEN),
        (&pat, "/dashboard", StatusCode::FORBIDDEN),
    ] {
        let got = client()?.get(app.url(path)).header(header::COOKIE, who.as_str()).send().await?;
        assert_eq!(got.status(), status, "{path}");
    }
    // Browsers drop tabs and line breaks from addresses: `/\t/evil` would be `//evil`.
    for next in ["/\t/evil.example/x", "/\r\nX-Injected: 1", "//evil.example", "https://evil.example/"] {
        let signed_in = client()?
            .post(app.url("/signin"))
            .form(&[("user", "amy"), ("password", PASSWORD), ("next", next)])
            .send()
            .await?;
        assert_eq!(signed_in.status(), StatusCode::SEE_OTHER, "{next:?}");
        assert_eq!(signed_in.headers()[header::LOCATION], "/", "{next:?}");
    }
    // A form sent after the session ended comes back, once signed in, to the page it was on.
    let expired = client()?
        .post(app.url("/next"))
        .header(header::REFERER, app.url("/items?queue=ct-enquiries"))
        .form(&[("csrf", "x")])
        .send()
        .await?;
    assert_eq!(expired.headers()[header::LOCATION], "/signin?next=%2Fitems%3Fqueue%3Dct%2Denquiries");
    Ok(())
}

#[tokio::test]
async fn a_refused_action_comes_back_to_the_item_saying_why() -> anyhow::Result<()> {
    let app = TestApp::spawn().await?;
    app.add_user("amy", Role::Officer, PASSWORD).await?;
    app.set_queues("amy", &["ct-enquiries"]).await?;
    let id = app.seed_item(SeedItem::default()).await?;
    let cookie = session_cookie(&sign_in(&app, "amy", PASSWORD).await?).unwrap_or_default();
    let page = client()?.get(app.url(&format!("/items/{id}"))).header(header::COOKIE, &cookie).send().await?;
    let csrf = csrf_of(&page.text().await?).unwrap_or_default();
    let post = |path: String, form: Vec<(&'static str, String)>| {
        let (cookie, app) = (cookie.clone(), &app);
        async move { anyhow::Ok(client()?.post(app.url(&path)).header(header::COOKIE, cookie).form(&form).send().await?) }
    };
    let claimed = post(format!("/items/{id}/act/claim"), vec![("csrf", csrf.clone())]).await?;
    assert_eq!(claimed.status(), StatusCode::SEE_OTHER);
    // A bring-forward date in the past: the item page again, saying why, nothing changed.
    let refused = post(
        format!("/items/{id}/act/pend"),
        vec![
            ("csrf", csrf.clone()),
            ("version", "2".into()),
            ("bring_forward_on", "2020-01-01".into()),
            ("reason", "x".into()),
        ],
    )
    .await?;
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = refused.text().await?;
    assert!(page.contains(r#"id="refused""#) && page.contains("bring_forward_on"), "{page}");
    assert!(page.contains("<h2 id=\"work-h\">Work</h2>"), "it is the item page, with its actions");
    let item = app.get_json(&format!("/api/v1/work-items/{id}"), &app.token("amy", Role::Officer)?).await?;
    assert_eq!(item["status"], "in_progress", "{item}");
    Ok(())
}
