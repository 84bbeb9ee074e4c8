//! Hark's hosted plain form: where the widget's launcher sends a shopper when the panel
//! cannot run (WebAssembly blocked by the shop's policy, an old browser). An HTML form
//! with no script at all, posted to Hark's own origin, stored through the same decoder,
//! rules and writer as the JSON collector.

use crate::error::ApiError;
use crate::ratelimit::PeerAddr;
use crate::shopper_text::Text;
use crate::state::AppState;
use axum::body::Body;
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use hark_core::model::Kind;
use hark_core::store::{new_id, now_millis};
use hark_core::store::{Destination, Insert, Site};
use hark_core::submission::{self, Rejection};
use hark_core::words::Language;
use serde::Deserialize;

/// No script, no framing, posts only to Hark itself.
const FORM_CSP: &str = "default-src 'none'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

/// What the form posts; empty fields count as absent.
#[derive(Debug, Default, Deserialize)]
pub struct Fields {
    id: Option<String>,
    shown_at: Option<i64>,
    /// The page's language (`en`, `zh-CN`), kept from the form the shopper was shown.
    lang: Option<String>,
    kind: Option<String>,
    rating: Option<String>,
    category: Option<String>,
    message: Option<String>,
    email: Option<String>,
    order_ref: Option<String>,
    website: Option<String>,
}

/// The language of the shopper's page: the widget's `?lang=`, else the browser's first
/// choice (`Accept-Language`).
fn language(query: Option<&str>, headers: &HeaderMap) -> Language {
    let browser = headers.get(header::ACCEPT_LANGUAGE).and_then(|v| v.to_str().ok()).unwrap_or_default();
    Language::from_locale(query.unwrap_or(browser))
}

fn html(status: StatusCode, text: &Text, title: &str, body: &str) -> Response {
    (
        status,
        [(header::CONTENT_SECURITY_POLICY, FORM_CSP), (header::CACHE_CONTROL, "no-store")],
        Html(page_in(text.words.lang, title, body)),
    )
        .into_response()
}

async fn site(state: &AppState, text: &Text, site_key: &str) -> Result<std::sync::Arc<Site>, Response> {
    match state.sites.active(site_key).await {
        Ok(Some(site)) => Ok(site),
        Ok(None) => Err(html(StatusCode::NOT_FOUND, text, "404", &format!("<p>{}</p>", text.not_found))),
        Err(err) => Err(ApiError::from(err).into_response()),
    }
}

/// The form, filled with `fields` and followed by `problems` when a send was refused.
fn render(site: &Site, text: &Text, fields: &Fields, problems: &[String]) -> String {
    let value = |v: &Option<String>| escape(v.as_deref().unwrap_or_default());
    let offered = |k: &&str| site.enabled_kinds.iter().any(|kind| kind.as_str() == *k);
    let chosen_kind = fields.kind.as_deref().filter(offered).unwrap_or("csat");
    let kinds: String = site
        .enabled_kinds
        .iter()
        .map(|kind| {
            let checked = if kind.as_str() == chosen_kind { " checked" } else { "" };
            let label = text.kinds[Kind::ALL.iter().position(|k| k == kind).unwrap_or_default()];
            format!(
                r#"<label><input type="radio" name="kind" value="{k}"{checked}> {label}</label><br>"#,
                k = kind.as_str()
            )
        })
        .collect();
    let ratings: String = (1..=5)
        .map(|n| {
            let checked = if fields.rating.as_deref() == Some(&n.to_string()) { " checked" } else { "" };
            format!(
                r#"<label><input type="radio" name="rating" value="{n}"{checked}> {n} – {}</label><br>"#,
                text.words.ratings[n - 1]
            )
        })
        .collect();
    let categories: String = site
        .categories
        .iter()
        .map(|c| {
            let selected = if fields.category.as_deref() == Some(c) { " selected" } else { "" };
            format!(
                r#"<option value="{slug}"{selected}>{name}</option>"#,
                slug = escape(c),
                name = escape(text.words.category(c))
            )
        })
        .collect();
    let category = if site.categories.is_empty() {
        String::new()
    } else {
        format!(
            r#"<p><label for="category">{topic}</label><br><select id="category" name="category"><option value="">—</option>{categories}</select></p>"#,
            topic = text.topic
        )
    };
    let problems = if problems.is_empty() {
        String::new()
    } else {
        let items: String = problems.iter().map(|p| format!("<li>{}</li>", escape(p))).collect();
        format!(r#"<div role="alert"><p>{}</p><ul>{items}</ul></div>"#, text.please_check)
    };
    let email_note = if site.require_email { text.email_required } else { text.email_optional };
    format!(
        r#"<h1>{title}</h1>{problems}
<form method="post" action="/f/{key}">
<input type="hidden" name="id" value="{id}"><input type="hidden" name="shown_at" value="{shown_at}"><input type="hidden" name="lang" value="{lang}">
<fieldset><legend>{what_to_do}</legend>{kinds}</fieldset>
<fieldset><legend>{how_satisfied}</legend>{ratings}</fieldset>
{category}
<p><label for="message">{message_label}</label><br><textarea id="message" name="message" rows="5" cols="40" maxlength="5000">{message}</textarea></p>
<p><label for="email">{email_label} {email_note}</label><br><input id="email" name="email" type="email" value="{email}" autocomplete="email"></p>
<p><label for="order_ref">{order_label}</label><br><input id="order_ref" name="order_ref" maxlength="64" value="{order_ref}"></p>
<div hidden><label>{honeypot} <input name="website" tabindex="-1" autocomplete="off"></label></div>
<p><button type="submit">{send}</button></p>
</form>"#,
        title = escape(&text.title(site)),
        key = escape(&site.site_key),
        id = fields.id.as_deref().map_or_else(new_id, escape),
        shown_at = fields.shown_at.unwrap_or_else(now_millis),
        lang = text.words.lang,
        what_to_do = text.what_to_do,
        how_satisfied = text.how_satisfied,
        message_label = text.message,
        email_label = text.email,
        order_label = text.order_ref,
        honeypot = text.honeypot,
        send = text.send,
        message = value(&fields.message),
        email = value(&fields.email),
        order_ref = value(&fields.order_ref),
    )
}

/// What the launcher says when it opens the form: the shopper's language and the kind the
/// shop's code asked for (`Hark.open("complaint")`).
#[derive(Debug, Deserialize)]
pub struct ShowQuery {
    lang: Option<String>,
    kind: Option<String>,
}

pub async fn show(
    State(state): State<AppState>,
    Path(site_key): Path<String>,
    Query(query): Query<ShowQuery>,
    headers: HeaderMap,
) -> Response {
    let text = Text::of(language(query.lang.as_deref(), &headers));
    match site(&state, text, &site_key).await {
        Ok(site) => {
            let fields = Fields { kind: query.kind, ..Fields::default() };
            html(StatusCode::OK, text, &text.title(&site), &render(&site, text, &fields, &[]))
        }
        Err(response) => response,
    }
}

/// The posted form, read within the collector's body limit once the headers and the
/// rate limit allow it.
async fn read_fields(
    state: &AppState,
    site: &Site,
    peer: PeerAddr,
    headers: &HeaderMap,
    body: Body,
) -> Result<Fields, ApiError> {
    const FORM: &str = "application/x-www-form-urlencoded";
    if !crate::body::is_type(headers, FORM) {
        return Err(ApiError::unsupported_media_type(FORM));
    }
    let encoding = crate::body::check(headers)?;
    state.limiter.check(&site.site_key, peer, headers).map_err(ApiError::rate_limited)?;
    let bytes = crate::body::read(body, encoding).await?;
    serde_urlencoded::from_bytes(&bytes).map_err(|err| ApiError::bad_json(format!("not a form of this shape: {err}")))
}

/// The submission JSON the collector takes, from the form's fields.
/// A field's text, trimmed; an empty field is absent.
fn text(field: &Option<String>) -> Option<&str> {
    field.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

fn request_body(fields: &Fields, language: Language) -> serde_json::Value {
    let mut body = serde_json::Map::new();
    let mut put = |name: &str, value: Option<serde_json::Value>| {
        if let Some(value) = value {
            body.insert(name.to_owned(), value);
        }
    };
    let json = |v: &Option<String>| text(v).map(serde_json::Value::from);
    put("id", json(&fields.id));
    put("kind", json(&fields.kind).or_else(|| Some("csat".into())));
    put("rating", text(&fields.rating).map(|s| s.parse::<i64>().map_or_else(|_| s.into(), Into::into)));
    put("category", json(&fields.category));
    // The form has no script to mask card numbers before sending; they are masked here,
    // before anything is stored.
    put("message", text(&fields.message).map(|m| hark_core::privacy::mask_card_numbers(m).into_owned().into()));
    put("email", json(&fields.email));
    put("order_ref", json(&fields.order_ref));
    put("website", json(&fields.website));
    // Only a fill too fast to be human is reported (it marks spam): a human's resend of the
    // same form then carries the same content, and is answered as the same submission.
    let fill_ms = fields.shown_at.map(|at| (now_millis() - at).max(0));
    put("fill_ms", fill_ms.filter(|ms| *ms < submission::MIN_HUMAN_FILL_MS).map(Into::into));
    put("locale", Some(language.tag().into()));
    serde_json::Value::Object(body)
}

pub async fn send(
    State(state): State<AppState>,
    Path(site_key): Path<String>,
    peer: PeerAddr,
    headers: HeaderMap,
    body: Body,
) -> Response {
    // Decided from the headers before the body is read: the site (in the browser's
    // language, the form's own is in the body), its origins, the rate limit, the type.
    let browser_text = Text::of(language(None, &headers));
    let site = match site(&state, browser_text, &site_key).await {
        Ok(site) => site,
        Err(response) => return response,
    };
    // Posted from this form (Hark's own origin), from the shop's pages, or by no browser.
    if let Some(origin) = headers.get(header::ORIGIN).and_then(|o| o.to_str().ok()) {
        if origin != state.config.public_url && !site.allows_origin(origin) {
            return html(StatusCode::FORBIDDEN, browser_text, "403", &format!("<p>{}</p>", browser_text.not_allowed));
        }
    }
    let fields = match read_fields(&state, &site, peer, &headers, body).await {
        Ok(fields) => fields,
        Err(err) => return err.into_response(),
    };
    let language = language(fields.lang.as_deref(), &headers);
    let text = Text::of(language);
    let problems = match submission::parse(request_body(&fields, language).to_string().as_bytes(), &site) {
        Ok(submission) => match state.writer.insert(Destination::from(&*site), submission).await {
            Ok(Insert::Created(receipt)) | Ok(Insert::Replayed(receipt)) => {
                let link = format!("{}/track/{}", state.config.public_url, receipt.track_token);
                let body = format!(
                    r#"<h1>{thanks}</h1><p>{before}{name}{after}</p><p>{follow} <a href="{link}">{link}</a></p>"#,
                    thanks = text.thanks,
                    before = text.sent_to.0,
                    after = text.sent_to.1,
                    name = escape(&site.name),
                    follow = text.follow,
                    link = escape(&link)
                );
                return html(StatusCode::OK, text, text.thanks, &body);
            }
            Ok(Insert::Conflict) => vec![text.conflict.into()],
            Err(err) => return ApiError::from(err).into_response(),
        },
        Err(Rejection::Malformed(message)) => vec![message],
        Err(Rejection::Invalid(fields)) => fields
            .into_iter()
            .flat_map(|(field, messages)| messages.into_iter().map(move |m| text.problem(&field, &m)))
            .collect(),
    };
    html(StatusCode::UNPROCESSABLE_ENTITY, text, text.please_check, &render(&site, text, &fields, &problems))
}

/// Escapes text for HTML.
fn escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;").replace('\'', "&#39;")
}

/// A plain page in the language `lang` (a BCP 47 tag); `body` is trusted HTML.
fn page_in(lang: &str, title: &str, body: &str) -> String {
    format!(
        "<!doctype html><html lang=\"{lang}\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{title} — Hark</title></head><body><main class=\"plain\">{body}</main></body></html>",
        title = escape(title)
    )
}
