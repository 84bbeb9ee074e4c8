//! What the server hands the UI: storage, cookie policy, the built assets' names.

use super::App;
use hark_core::store::StaffRecord;
use hark_core::Store;
use leptos::nonce::use_nonce;
use leptos::prelude::*;
use leptos_meta::MetaTags;

/// Provided as context to every page render and server function.
#[derive(Clone)]
pub struct AdminContext {
    pub store: Store,
    /// Where staff reach Hark (no trailing slash): invitation links start with it.
    pub public_url: String,
    /// The hydrate entry and stylesheet under `/pkg/`; empty when not built.
    pub script: String,
    pub stylesheet: String,
    /// Whether replies are emailed (SMTP configured), and how their mail is made.
    pub mail: bool,
    pub composer: hark_core::store::SharedComposer,
    pub invitation_mail: std::sync::Arc<hark_core::store::InvitationMail>,
    /// Tells the collector a site changed (by its key), so that this instance serves the
    /// change at once.
    pub site_changed: SiteChanged,
}

/// See `AdminContext::site_changed`.
pub type SiteChanged =
    std::sync::Arc<dyn Fn(String) -> std::pin::Pin<Box<dyn std::future::Future<Output = ()> + Send>> + Send + Sync>;

/// The admin's Content-Security-Policy: its own scripts (the hydrate bundle and its
/// WebAssembly), inline scripts only with this response's nonce, its own styles, no
/// framing anywhere.
pub fn admin_policy(nonce: &str) -> String {
    format!(
        "default-src 'none'; script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval'; style-src 'self'; \
         img-src 'self' data:; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
    )
}

/// Whether this request is a browser posting a form by itself (no script ran): it takes
/// an HTML page back, not a server function's encoded answer.
pub fn is_plain_form_post() -> bool {
    use_context::<axum::http::request::Parts>().is_some_and(|parts| {
        parts
            .headers
            .get(axum::http::header::ACCEPT)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|accept| accept.contains("text/html"))
    })
}

/// The HTML document around the app.
pub fn shell(_options: LeptosOptions) -> impl IntoView {
    // Every page's response carries the policy with the nonce its inline scripts get.
    if let (Some(nonce), Some(response)) = (use_nonce(), use_context::<leptos_axum::ResponseOptions>()) {
        if let Ok(policy) = axum::http::HeaderValue::from_str(&admin_policy(&nonce)) {
            response.insert_header(axum::http::header::CONTENT_SECURITY_POLICY, policy);
        }
    }
    let context = use_context::<AdminContext>();
    let (script, stylesheet) = context.map(|c| (c.script, c.stylesheet)).unwrap_or_default();
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8" />
                <meta name="viewport" content="width=device-width, initial-scale=1" />
                <meta name="color-scheme" content="light dark" />
                <link rel="stylesheet" href=format!("/pkg/{stylesheet}") />
                <script type="module" src=format!("/pkg/{script}")></script>
                <MetaTags />
            </head>
            <body>
                <App />
            </body>
        </html>
    }
}

/// How a request proved who sent it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Credential {
    Bearer,
    Cookie,
}

/// Who sent a request: the staff member of its bearer token or of its session cookie.
/// The one check behind the admin API's `Staff` extractor and the UI's server functions.
pub async fn staff_of(
    store: &Store,
    headers: &axum::http::HeaderMap,
) -> Result<Option<(StaffRecord, Credential)>, hark_core::Error> {
    let bearer = headers
        .get(axum::http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "));
    if let Some(token) = bearer {
        return Ok(store.staff_by_api_token(token.trim()).await?.map(|s| (s, Credential::Bearer)));
    }
    match session_id(store, headers) {
        Some(id) => Ok(store.staff_by_session(&id).await?.map(|s| (s, Credential::Cookie))),
        None => Ok(None),
    }
}

/// Whether a cookie-authenticated write came from Hark's own pages: the browser says so
/// (`Sec-Fetch-Site: same-origin`), or its `Origin` is this host. A request with
/// neither proof is refused like a foreign one: the session cookie is `SameSite=Strict`
/// too, but a cookie alone never authorises a write.
pub fn same_origin_write(headers: &axum::http::HeaderMap) -> bool {
    use axum::http::header;
    let text = |name| headers.get(name).and_then(|v: &axum::http::HeaderValue| v.to_str().ok());
    if let Some(site) = text(header::HeaderName::from_static("sec-fetch-site")) {
        return site == "same-origin";
    }
    let host = text(header::HOST).unwrap_or_default();
    text(header::ORIGIN).and_then(|o| o.split_once("://")).is_some_and(|(_, rest)| !host.is_empty() && rest == host)
}

/// The staff member whose session cookie came with this request, if any.
pub async fn current_staff() -> Result<Option<StaffRecord>, ServerFnError> {
    let context = expect_context::<AdminContext>();
    let Some(parts) = use_context::<axum::http::request::Parts>() else {
        return Ok(None);
    };
    let staff = staff_of(&context.store, &parts.headers).await.map_err(internal)?;
    Ok(staff.map(|(staff, _)| hark_core::store::StaffRecord { client: Some(client_addr()), ..staff }))
}

/// The signed-in staff member, or the call is refused (401).
pub async fn signed_in() -> Result<StaffRecord, ServerFnError> {
    current_staff().await?.ok_or_else(|| refuse(axum::http::StatusCode::UNAUTHORIZED, crate::api::NOT_SIGNED_IN))
}

/// The signed-in staff member if they may change things, or the call is refused (403).
pub async fn writer() -> Result<StaffRecord, ServerFnError> {
    let staff = signed_in().await?;
    if !hark_core::store::may_write(&staff) {
        let words = crate::i18n::words(&lang_of(&staff));
        return Err(refuse(axum::http::StatusCode::FORBIDDEN, words.viewer_only));
    }
    Ok(staff)
}

/// The signed-in staff member if they are an owner, or the call is refused (403).
pub async fn owner() -> Result<StaffRecord, ServerFnError> {
    owner_else(|words| words.owners_manage_people).await
}

/// The signed-in owner, or the call is refused (403) with what `refusal` says.
pub async fn owner_else(
    refusal: fn(&'static crate::i18n::Words) -> &'static str,
) -> Result<StaffRecord, ServerFnError> {
    let staff = signed_in().await?;
    if !hark_core::store::may_configure(&staff) {
        let words = crate::i18n::words(&lang_of(&staff));
        return Err(refuse(axum::http::StatusCode::FORBIDDEN, refusal(words)));
    }
    Ok(staff)
}

/// The admin's language for `staff`: their own choice, else the browser's first.
pub fn lang_of(staff: &StaffRecord) -> String {
    match &staff.member.locale {
        Some(locale) => locale.clone(),
        None => browser_lang(),
    }
}

/// The browser's languages (`Accept-Language`), for a page before anyone signed in.
pub fn browser_lang() -> String {
    use_context::<axum::http::request::Parts>()
        .and_then(|p| p.headers.get(axum::http::header::ACCEPT_LANGUAGE)?.to_str().ok().map(str::to_owned))
        .unwrap_or_default()
}

/// `times` as the organisation reads them: in its time zone (UTC when the name is not
/// one the time zone database knows), to the minute.
pub fn clock(zone: &str, times: impl IntoIterator<Item = String>) -> crate::api::Clock {
    let tz = jiff::tz::TimeZone::get(zone).unwrap_or(jiff::tz::TimeZone::UTC);
    let label = |text: &str| -> Option<String> {
        let at: jiff::Timestamp = text.parse().ok()?;
        Some(at.to_zoned(tz.clone()).strftime("%Y-%m-%d %H:%M").to_string())
    };
    let labels = times.into_iter().filter_map(|t| label(&t).map(|l| (t, l))).collect();
    crate::api::Clock {
        zone: zone.to_owned(),
        now: hark_core::model::rfc3339_from_millis(hark_core::store::now_millis()),
        labels,
    }
}

/// A store error as the person using the admin reads it: their input refused (422), a
/// missing submission (404), or our fault (logged, 500).
pub fn store_error(err: hark_core::Error) -> ServerFnError {
    use axum::http::StatusCode;
    match err {
        hark_core::Error::Validation(fields) => refuse(StatusCode::UNPROCESSABLE_ENTITY, &validation_text(&fields)),
        hark_core::Error::NotFound => refuse(StatusCode::NOT_FOUND, "not found"),
        other => internal(other),
    }
}

/// Broken rules as one line: "rating_max: must be between 1 and 5; due: …".
pub fn validation_text(fields: &hark_core::FieldErrors) -> String {
    fields.iter().map(|(f, m)| format!("{f}: {}", m.join(", "))).collect::<Vec<_>>().join("; ")
}

/// After a form posted without script, back to the submission's page.
pub fn back_to(id: &str) {
    back_to_page(&format!("/admin/submissions/{id}"));
}

/// After a form posted without script, back to the page at `path` it came from.
pub fn back_to_page(path: &str) {
    if is_plain_form_post() {
        leptos_axum::redirect(path);
    }
}

/// The headers of this server function's request (none outside a request).
pub fn request_headers() -> axum::http::HeaderMap {
    use_context::<axum::http::request::Parts>().map(|p| p.headers).unwrap_or_default()
}

/// Tells the client to try again in `seconds`.
pub fn retry_after(seconds: u64) {
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.insert_header(axum::http::header::RETRY_AFTER, axum::http::HeaderValue::from(seconds));
    }
}

/// The address a request came from, as the server worked it out (the socket's peer, or
/// behind a trusted proxy the client it names); put in the request's extensions.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ClientAddr(pub std::net::IpAddr);

/// The client address of this server function's request (unspecified when unknown).
pub fn client_addr() -> std::net::IpAddr {
    use_context::<axum::http::request::Parts>()
        .and_then(|p| p.extensions.get::<ClientAddr>().copied())
        .map_or(std::net::IpAddr::V4(std::net::Ipv4Addr::UNSPECIFIED), |c| c.0)
}

/// The session id of the cookie in `headers`, if any.
pub fn session_id(store: &Store, headers: &axum::http::HeaderMap) -> Option<String> {
    axum_extra::extract::CookieJar::from_headers(headers)
        .get(store.session_policy().cookie())
        .map(|c| c.value().to_owned())
}

/// Checks a sign-in from `client` and starts a session: the cookie to set. The one way
/// in, for the sign-in page and `POST /api/v1/auth/login`. The session of the cookie the
/// browser came with, if any, ends.
pub async fn sign_in(
    store: &Store,
    email: &str,
    password: &str,
    client: std::net::IpAddr,
    headers: &axum::http::HeaderMap,
) -> Result<axum_extra::extract::cookie::Cookie<'static>, hark_core::Error> {
    let staff = store.sign_in(email, password, client).await?;
    session_cookie_for(store, &staff, headers).await
}

/// Starts a session for `staff`, who has just proved who they are: the cookie to set.
/// The session of the cookie the browser came with, if any, ends.
pub async fn session_cookie_for(
    store: &Store,
    staff: &StaffRecord,
    headers: &axum::http::HeaderMap,
) -> Result<axum_extra::extract::cookie::Cookie<'static>, hark_core::Error> {
    use axum_extra::extract::cookie::{Cookie, SameSite};
    let session = store.create_session(staff, session_id(store, headers).as_deref()).await?;
    let policy = store.session_policy();
    Ok(Cookie::build((policy.cookie(), session))
        .path("/")
        .http_only(true)
        .same_site(SameSite::Strict)
        .secure(policy.secure)
        .max_age(time::Duration::seconds(i64::try_from(policy.absolute.as_secs()).unwrap_or(i64::MAX)))
        .build())
}

/// Ends the session of this cookie header, if any, and the cookie that clears it.
pub async fn sign_out(store: &Store, headers: &axum::http::HeaderMap) -> Result<String, hark_core::Error> {
    if let Some(id) = session_id(store, headers) {
        store.end_session(&id).await?;
    }
    let policy = store.session_policy();
    let secure = if policy.secure { "; Secure" } else { "" };
    Ok(format!("{}=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict{secure}", policy.cookie()))
}

/// Marks a server function's 500 as a real internal error. Any other 500 from a server
/// function is the framework refusing the request's arguments, and the server turns it
/// into a 400: client input never gets a 5xx.
pub const INTERNAL_ERROR_HEADER: &str = "x-hark-internal-error";

/// Logs the cause; the browser learns only that something failed.
pub fn internal(cause: impl std::fmt::Display) -> ServerFnError {
    leptos::logging::error!("admin server function failed: {cause}");
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.insert_header(
            axum::http::HeaderName::from_static(INTERNAL_ERROR_HEADER),
            axum::http::HeaderValue::from_static("1"),
        );
    }
    ServerFnError::new("Something went wrong on our side. Try again.")
}

/// Refuses the call with `status` and a message for the person using the admin.
pub fn refuse(status: axum::http::StatusCode, message: &str) -> ServerFnError {
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.set_status(status);
    }
    ServerFnError::new(message)
}
