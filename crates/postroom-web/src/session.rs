//! Signing in and out, the session cookie, and the CSRF check on every form.
//!
//! A session is the same signed token the API accepts as a bearer token (user, role, expiry,
//! a random `jti`), kept in an HttpOnly, SameSite=Strict cookie (`Secure` with
//! `web.secure_cookies`). Its `jti` is the session's CSRF secret: every form carries it in a
//! hidden `csrf` field, and a post without the right one is refused before anything is done.

use axum::{
    extract::{Form, FromRequest, FromRequestParts, OriginalUri, Request, State},
    http::{HeaderMap, HeaderValue, header, request::Parts},
    response::{IntoResponse, Redirect, Response},
};
use serde::Deserialize;
use serde_json::json;

use postroom_auth::Principal;
use postroom_domain::Role;

use crate::{WebState, error::WebError};

/// The session cookie's name.
pub const COOKIE: &str = "postroom_session";

/// A signed-in person.
#[derive(Debug, Clone)]
pub struct Session {
    pub principal: Principal,
    /// The session's CSRF token.
    pub csrf: String,
}

impl Session {
    /// As the API's handlers take a caller.
    pub fn api(&self) -> postroom_api::extract::Caller {
        postroom_api::extract::Caller(self.principal.clone())
    }

    /// As the casework use cases take a caller.
    pub fn casework(&self) -> postroom_casework::Caller {
        postroom_casework::Caller::new(self.principal.user.clone(), self.principal.role)
    }

    pub fn role(&self) -> Role {
        self.principal.role
    }

    /// Whether the person leads a team (or administers): the team-leader pages.
    pub fn leads(&self) -> bool {
        matches!(self.principal.role, Role::TeamLeader | Role::Admin)
    }

    /// What every page's layout needs to know about who is signed in.
    pub fn context(&self) -> serde_json::Value {
        json!({
            "user": self.principal.user,
            "role": self.principal.role.as_str(),
            "csrf": self.csrf,
            "leads": self.leads(),
            "oversees": matches!(self.principal.role, Role::TeamLeader | Role::Admin | Role::Auditor),
            "works": matches!(self.principal.role, Role::Officer | Role::TeamLeader),
            "indexes": matches!(self.principal.role, Role::PostRoom | Role::TeamLeader | Role::Admin),
            "uploads": matches!(self.principal.role, Role::PostRoom | Role::Admin),
        })
    }
}

impl FromRequestParts<WebState> for Session {
    type Rejection = WebError;
    async fn from_request_parts(parts: &mut Parts, state: &WebState) -> Result<Self, Self::Rejection> {
        let here = parts.extensions.get::<OriginalUri>().map_or_else(|| parts.uri.clone(), |u| u.0.clone());
        // After signing in, a page is fetched again; a form's target is not a page: go back to
        // the page the form was on (its Referer, when it is ours).
        let back = if parts.method == axum::http::Method::GET {
            here.path_and_query().map_or("/", |p| p.as_str()).to_owned()
        } else {
            let referer = parts.headers.get(header::REFERER).and_then(|v| v.to_str().ok()).unwrap_or_default();
            let path = referer.split_once("://").and_then(|(_, rest)| rest.find('/').map(|i| &rest[i..]));
            local_path(path).to_owned()
        };
        let token = cookie(&parts.headers, COOKIE).ok_or_else(|| WebError::SignIn(back.clone()))?;
        let (mut principal, csrf) = state.keys.verify_session(token).map_err(|_| WebError::SignIn(back.clone()))?;
        // A user disabled (or removed) since signing in is signed out at once, and a changed
        // role applies from the next page.
        match postroom_db::users::find(&state.api.db, &principal.user).await? {
            Some(user) if !user.disabled => principal.role = user.role,
            _ => return Err(WebError::SignIn(back)),
        }
        // Signed out (here or elsewhere), or all the user's sessions revoked by an admin.
        if postroom_api::extract::revoked(&state.api.db, &principal).await? {
            return Err(WebError::SignIn(back));
        }
        Ok(Self { principal, csrf })
    }
}

/// A submitted form from a signed-in person, its CSRF token checked: the fields in order (a
/// field may repeat).
#[derive(Debug)]
pub struct Posted {
    pub session: Session,
    pub fields: Vec<(String, String)>,
}

impl Posted {
    /// The first value of `name`, trimmed; `None` when absent or blank.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.fields.iter().find(|(k, _)| k == name).map(|(_, v)| v.trim()).filter(|v| !v.is_empty())
    }

    /// The item's `version` as the page showed it (every item form carries it).
    ///
    /// # Errors
    /// 400 when the form has none (it did not come from an item page).
    pub fn version(&self) -> Result<i32, WebError> {
        self.get("version").and_then(|v| v.parse().ok()).ok_or_else(|| {
            WebError::BadRequest(
                "the form does not say which version of the item it was made from: reload the page".to_owned(),
            )
        })
    }

    /// Every non-blank value of `name`.
    pub fn all(&self, name: &str) -> Vec<&str> {
        self.fields.iter().filter(|(k, _)| k == name).map(|(_, v)| v.trim()).filter(|v| !v.is_empty()).collect()
    }
}

impl FromRequest<WebState> for Posted {
    type Rejection = WebError;
    async fn from_request(req: Request, state: &WebState) -> Result<Self, Self::Rejection> {
        let (mut parts, body) = req.into_parts();
        let session = Session::from_request_parts(&mut parts, state).await?;
        let req = Request::from_parts(parts, body);
        let Form(fields) = Form::<Vec<(String, String)>>::from_request(req, state)
            .await
            .map_err(|e| WebError::BadRequest(format!("the form could not be read: {}", e.body_text())))?;
        let sent = fields.iter().find(|(k, _)| k == "csrf").map(|(_, v)| v.as_str());
        if sent != Some(session.csrf.as_str()) {
            return Err(WebError::Forbidden(
                "this form has expired or did not come from Postroom: go back, reload the page and try again"
                    .to_owned(),
            ));
        }
        // Browsers send a text area's line breaks as CRLF: keep them as the API has them.
        let fields = fields.into_iter().map(|(k, v)| (k, v.replace("\r\n", "\n"))).collect();
        Ok(Self { session, fields })
    }
}

/// The value of cookie `name` in the request.
fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.trim())
        .filter(|v| !v.is_empty())
}

#[derive(Debug, Deserialize)]
pub struct SignInQuery {
    next: Option<String>,
}

/// Only a path on this site is followed after signing in (never `//elsewhere` or a URL).
fn local_path(next: Option<&str>) -> &str {
    // Browsers drop tabs and line breaks from addresses (`/\t/evil` is `//evil`): no control
    // character, space or backslash anywhere.
    next.filter(|n| n.starts_with('/') && !n.starts_with("//") && n.chars().all(|c| c.is_ascii_graphic() && c != '\\'))
        .unwrap_or("/")
}

/// `GET /signin`.
pub async fn signin_page(State(state): State<WebState>, query: axum::extract::Query<SignInQuery>) -> Response {
    state.pages.page("signin.html", &json!({"next": local_path(query.next.as_deref())})).into_response()
}

#[derive(Deserialize)]
pub struct SignInForm {
    user: String,
    password: String,
    next: Option<String>,
}

/// `POST /signin`: a local user's name and password; a wrong one says so without saying which.
#[tracing::instrument(skip_all)]
pub async fn signin(State(state): State<WebState>, Form(form): Form<SignInForm>) -> Result<Response, WebError> {
    let user = form.user.trim();
    let stored = match user.is_empty() {
        true => None,
        false => postroom_db::users::find(&state.api.db, user).await.map_err(anyhow::Error::from)?,
    };
    let ok =
        postroom_auth::password::verify_password(stored.as_ref().map(|u| u.password_hash.as_str()), &form.password);
    let next = local_path(form.next.as_deref()).to_owned();
    let Some(account) = stored.filter(|u| ok && !u.disabled) else {
        tracing::info!("sign-in refused");
        let page = state.pages.page(
            "signin.html",
            &json!({"next": next, "user": user, "error": "The user name or password is not right, or the user is disabled."}),
        );
        return Ok((axum::http::StatusCode::UNAUTHORIZED, page).into_response());
    };
    let token = state
        .keys
        .issue(&account.user_name, account.role, state.settings.session_lifetime)
        .map_err(|e| WebError::Internal(e.into()))?;
    let secure = if state.settings.secure_cookies { "; Secure" } else { "" };
    let cookie = format!(
        "{COOKIE}={token}; Path=/; HttpOnly; SameSite=Strict; Max-Age={}{secure}",
        state.settings.session_lifetime.as_secs()
    );
    tracing::info!(user = %account.user_name, "signed in");
    let mut response = Redirect::to(&next).into_response();
    response.headers_mut().insert(header::SET_COOKIE, HeaderValue::from_str(&cookie).map_err(anyhow::Error::from)?);
    Ok(response)
}

/// `POST /signout`: the session's token is revoked (a copy of the cookie no longer works) and
/// the cookie cleared.
pub async fn signout(State(state): State<WebState>, posted: Posted) -> Result<Response, WebError> {
    let principal = &posted.session.principal;
    if let Some(token) = &principal.token {
        let expires_at = chrono::DateTime::from_timestamp(token.expires_at, 0).unwrap_or_else(chrono::Utc::now);
        let what = postroom_db::revocations::Revoked::Token { jti: token.id.clone(), expires_at };
        postroom_db::revocations::revoke(
            &state.api.db,
            &principal.user,
            what,
            &principal.user,
            Some("signed out"),
            chrono::Utc::now(),
        )
        .await?;
    }
    let mut response = Redirect::to("/signin").into_response();
    response.headers_mut().insert(
        header::SET_COOKIE,
        HeaderValue::from_static("postroom_session=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0"),
    );
    Ok(response)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_local_paths_are_followed_after_signing_in() {
        assert_eq!(local_path(Some("/items?queue=x")), "/items?queue=x");
        assert_eq!(local_path(Some("//evil.example/")), "/");
        assert_eq!(local_path(Some("https://evil.example/")), "/");
        assert_eq!(local_path(Some("/\\evil.example")), "/");
        assert_eq!(local_path(Some("/\t/evil.example/x")), "/");
        assert_eq!(local_path(Some("/\r\nX-Injected: 1")), "/");
        assert_eq!(local_path(Some("/ /evil")), "/");
        assert_eq!(local_path(None), "/");
    }

    #[test]
    fn the_session_cookie_is_found_among_others() {
        let mut h = HeaderMap::new();
        h.insert(header::COOKIE, HeaderValue::from_static("a=1; postroom_session=tok.en; b=2"));
        assert_eq!(cookie(&h, COOKIE), Some("tok.en"));
        assert_eq!(cookie(&h, "c"), None);
    }
}
