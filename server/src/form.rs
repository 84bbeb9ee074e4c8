//! Hark's hosted plain form: where the widget's launcher sends a shopper when the panel
//! cannot run (WebAssembly blocked by the shop's policy, an old browser). An HTML form
//! with no script at all, posted to Hark's own origin, stored through the same decoder,
//! rules and writer as the JSON collector.

use crate::assets::{escape, page};
use crate::error::ApiError;
use crate::ratelimit::PeerAddr;
use crate::state::AppState;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use axum::{Form, Router};
use hark_core::model::{Kind, RATING_WORDS};
use hark_core::store::{new_id, now_millis};
use hark_core::store::{Destination, Insert, Site};
use hark_core::submission::{self, Rejection};
use serde::Deserialize;

/// No script, no framing, posts only to Hark itself.
const FORM_CSP: &str = "default-src 'none'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

pub fn router(state: AppState) -> Router {
    Router::new().route("/f/{site_key}", get(show).post(send)).with_state(state)
}

/// What the form posts; empty fields count as absent.
#[derive(Debug, Default, Deserialize)]
pub struct Fields {
    id: Option<String>,
    shown_at: Option<i64>,
    kind: Option<String>,
    rating: Option<String>,
    category: Option<String>,
    message: Option<String>,
    email: Option<String>,
    order_ref: Option<String>,
    website: Option<String>,
}

fn kind_label(kind: Kind) -> &'static str {
    match kind {
        Kind::Csat => "Rate your experience",
        Kind::Feedback => "Give feedback",
        Kind::Complaint => "Make a complaint",
    }
}

fn html(status: StatusCode, title: &str, body: &str) -> Response {
    (
        status,
        [(header::CONTENT_SECURITY_POLICY, FORM_CSP), (header::CACHE_CONTROL, "no-store")],
        Html(page(title, body)),
    )
        .into_response()
}

async fn site(state: &AppState, site_key: &str) -> Result<std::sync::Arc<Site>, Response> {
    match state.sites.active(site_key).await {
        Ok(Some(site)) => Ok(site),
        Ok(None) => Err(html(StatusCode::NOT_FOUND, "Not found", "<p>This feedback form does not exist.</p>")),
        Err(err) => Err(ApiError::from(err).into_response()),
    }
}

/// The form, filled with `fields` and followed by `problems` when a send was refused.
fn render(site: &Site, fields: &Fields, problems: &[String]) -> String {
    let value = |v: &Option<String>| escape(v.as_deref().unwrap_or_default());
    let chosen_kind = fields.kind.as_deref().unwrap_or("csat");
    let kinds: String = site
        .enabled_kinds
        .iter()
        .map(|kind| {
            let checked = if kind.as_str() == chosen_kind { " checked" } else { "" };
            format!(
                r#"<label><input type="radio" name="kind" value="{k}"{checked}> {label}</label><br>"#,
                k = kind.as_str(),
                label = kind_label(*kind)
            )
        })
        .collect();
    let ratings: String = (1..=5)
        .map(|n| {
            let checked = if fields.rating.as_deref() == Some(&n.to_string()) { " checked" } else { "" };
            format!(
                r#"<label><input type="radio" name="rating" value="{n}"{checked}> {n} – {}</label><br>"#,
                RATING_WORDS[n - 1]
            )
        })
        .collect();
    let categories: String = site
        .categories
        .iter()
        .map(|c| {
            let selected = if fields.category.as_deref() == Some(c) { " selected" } else { "" };
            format!(r#"<option value="{c}"{selected}>{c}</option>"#, c = escape(c))
        })
        .collect();
    let category = if site.categories.is_empty() {
        String::new()
    } else {
        format!(
            r#"<p><label for="category">Topic</label><br><select id="category" name="category"><option value="">—</option>{categories}</select></p>"#
        )
    };
    let problems = if problems.is_empty() {
        String::new()
    } else {
        let items: String = problems.iter().map(|p| format!("<li>{}</li>", escape(p))).collect();
        format!(r#"<div role="alert"><p>Please check:</p><ul>{items}</ul></div>"#)
    };
    let email_note = if site.require_email { "(needed for a complaint, so the shop can answer)" } else { "(optional)" };
    format!(
        r#"<h1>Feedback for {name}</h1>{problems}
<form method="post" action="/f/{key}">
<input type="hidden" name="id" value="{id}"><input type="hidden" name="shown_at" value="{shown_at}">
<fieldset><legend>What would you like to do?</legend>{kinds}</fieldset>
<fieldset><legend>How satisfied are you?</legend>{ratings}</fieldset>
{category}
<p><label for="message">Your message</label><br><textarea id="message" name="message" rows="5" cols="40" maxlength="5000">{message}</textarea></p>
<p><label for="email">Email for the answer {email_note}</label><br><input id="email" name="email" type="email" value="{email}" autocomplete="email"></p>
<p><label for="order_ref">Order number (optional)</label><br><input id="order_ref" name="order_ref" maxlength="64" value="{order_ref}"></p>
<div hidden><label>Website <input name="website" tabindex="-1" autocomplete="off"></label></div>
<p><button type="submit">Send</button></p>
</form>"#,
        name = escape(&site.name),
        key = escape(&site.site_key),
        id = fields.id.as_deref().map_or_else(new_id, escape),
        shown_at = fields.shown_at.unwrap_or_else(now_millis),
        message = value(&fields.message),
        email = value(&fields.email),
        order_ref = value(&fields.order_ref),
    )
}

async fn show(State(state): State<AppState>, Path(site_key): Path<String>) -> Response {
    match site(&state, &site_key).await {
        Ok(site) => {
            html(StatusCode::OK, &format!("Feedback for {}", site.name), &render(&site, &Fields::default(), &[]))
        }
        Err(response) => response,
    }
}

/// The submission JSON the collector takes, from the form's fields.
/// A field's text, trimmed; an empty field is absent.
fn text(field: &Option<String>) -> Option<&str> {
    field.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

fn request_body(fields: &Fields) -> serde_json::Value {
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
    put("locale", Some("en".into()));
    serde_json::Value::Object(body)
}

async fn send(
    State(state): State<AppState>,
    Path(site_key): Path<String>,
    peer: PeerAddr,
    headers: HeaderMap,
    Form(fields): Form<Fields>,
) -> Response {
    if let Err(wait) = state.limiter.check(&site_key, peer, &headers) {
        return ApiError::rate_limited(wait).into_response();
    }
    let site = match site(&state, &site_key).await {
        Ok(site) => site,
        Err(response) => return response,
    };
    // Posted from this form (Hark's own origin), from the shop's pages, or by no browser.
    if let Some(origin) = headers.get(header::ORIGIN).and_then(|o| o.to_str().ok()) {
        if origin != state.config.public_url && !site.allows_origin(origin) {
            return html(StatusCode::FORBIDDEN, "Not allowed", "<p>This form can only be sent from its own page.</p>");
        }
    }
    let problems = match submission::parse(request_body(&fields).to_string().as_bytes(), &site) {
        Ok(submission) => match state.writer.insert(Destination::from(&*site), submission).await {
            Ok(Insert::Created(receipt)) | Ok(Insert::Replayed(receipt)) => {
                let link = format!("{}/track/{}", state.config.public_url, receipt.track_token);
                let body = format!(
                    r#"<h1>Thank you!</h1><p>Your message was sent to {name}.</p><p>Follow it and read the shop's answer here: <a href="{link}">{link}</a></p>"#,
                    name = escape(&site.name),
                    link = escape(&link)
                );
                return html(StatusCode::OK, "Sent", &body);
            }
            Ok(Insert::Conflict) => vec!["This form was already sent with other content. Please start again.".into()],
            Err(err) => return ApiError::from(err).into_response(),
        },
        Err(Rejection::Malformed(message)) => vec![message],
        Err(Rejection::Invalid(fields)) => fields
            .into_iter()
            .flat_map(|(field, messages)| messages.into_iter().map(move |m| format!("{field}: {m}")))
            .collect(),
    };
    html(StatusCode::UNPROCESSABLE_ENTITY, "Please check", &render(&site, &fields, &problems))
}
