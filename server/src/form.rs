//! Hark's hosted plain form: where the widget's launcher sends a shopper when the panel
//! cannot run (WebAssembly blocked by the shop's policy, an old browser, a panel that
//! failed). The same forms as the panel (`hark_core::form`), drawn by the same components
//! (`widget::fields`) on the server: an HTML form with no script at all, posted to Hark's
//! own origin and stored through the same decoder, rules and writer as the JSON collector.
//! The kinds are links, one page each.

use crate::error::ApiError;
use crate::ratelimit::PeerAddr;
use crate::state::AppState;
use axum::body::Body;
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use hark_core::form::{Answer, Form, Settings, Text};
use hark_core::model::Kind;
use hark_core::store::{new_id, now_millis};
use hark_core::store::{Destination, Insert, Site};
use hark_core::submission::{self, Rejection};
use hark_core::words::{Language, Words};
use leptos::prelude::*;
use serde::Deserialize;
use widget::fields::{control_id, fields, honeypot, Answers};

/// No script, no framing, posts only to Hark itself.
const FORM_CSP: &str =
    "default-src 'none'; style-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

/// The language of the shopper's page: the widget's `?lang=`, else the browser's first
/// choice (`Accept-Language`).
fn language(query: Option<&str>, headers: &HeaderMap) -> Language {
    let browser = headers.get(header::ACCEPT_LANGUAGE).and_then(|v| v.to_str().ok()).unwrap_or_default();
    Language::from_locale(query.unwrap_or(browser))
}

fn page<V: IntoView + 'static>(
    status: StatusCode,
    language: Language,
    title: String,
    body: impl FnOnce() -> V + 'static,
) -> Response {
    let html = crate::page::document(
        language.tag(),
        format!("{title} — Hark"),
        || view! { <link rel="stylesheet" href="/pages.css" /> },
        move || view! { <main class="sheet">{body()}</main> },
    );
    (status, [(header::CONTENT_SECURITY_POLICY, FORM_CSP), (header::CACHE_CONTROL, "no-store")], Html(html))
        .into_response()
}

/// A page that only says `message`.
fn notice(status: StatusCode, language: Language, message: &'static str) -> Response {
    page(status, language, message.to_owned(), move || view! { <h1>{message}</h1> })
}

async fn site(state: &AppState, language: Language, site_key: &str) -> Result<std::sync::Arc<Site>, Response> {
    match state.sites.active(site_key).await {
        Ok(Some(site)) => Ok(site),
        Ok(None) => Err(notice(StatusCode::NOT_FOUND, language, language.pages().not_found)),
        Err(err) => Err(ApiError::from(err).into_response()),
    }
}

/// The kind asked for, if the site offers it; else the first it offers.
fn offered(site: &Site, kind: Option<&str>) -> Kind {
    let kind = site.enabled_kinds.iter().copied().find(|k| Some(k.as_str()) == kind);
    kind.or_else(|| site.enabled_kinds.first().copied()).unwrap_or(Kind::Csat)
}

fn form_of(site: &Site, kind: Kind, words: &'static Words) -> Form {
    Form::of(kind, &Settings { categories: &site.categories, require_email: site.require_email }, words)
}

/// What the form posts: its fields by name, and the form's own (`id`, `shown_at`, `lang`,
/// `kind`, the robots' `website`).
#[derive(Debug, Default)]
struct Posted(Vec<(String, String)>);

impl Posted {
    /// A field's text, trimmed; an empty field is absent.
    fn get(&self, name: &str) -> Option<&str> {
        self.0.iter().find(|(n, _)| n == name).map(|(_, v)| v.trim()).filter(|v| !v.is_empty())
    }
}

/// The form page for `kind`, filled with `posted` and headed by `problems` when a send
/// was refused, the field `to_fix` marked invalid.
fn render(
    site: &Site,
    language: Language,
    kind: Kind,
    posted: Posted,
    problems: Vec<String>,
    to_fix: Option<&str>,
) -> impl IntoView {
    let (words, pages) = (language.words(), language.pages());
    let form = form_of(site, kind, words);
    let key = site.site_key.clone();
    let kinds = (site.enabled_kinds.len() > 1).then(|| {
        let links: Vec<_> = site
            .enabled_kinds
            .iter()
            .map(|&k| {
                let href = format!("/f/{key}?lang={}&kind={}", words.lang, k.as_str());
                let current = (k == kind).then_some("page");
                view! { <li><a href=href aria-current=current>{words.kinds[k as usize]}</a></li> }
            })
            .collect();
        view! { <nav aria-label=words.kinds_label><ul class="kinds">{links}</ul></nav> }
    });
    let problems = (!problems.is_empty()).then(|| {
        let items: Vec<_> = problems.into_iter().map(|p| view! { <li>{p}</li> }).collect();
        view! { <div class="problem" role="alert"><p>{pages.please_check}</p><ul>{items}</ul></div> }
    });
    let id = posted.get("id").map_or_else(new_id, str::to_owned);
    let shown_at = posted.get("shown_at").and_then(|s| s.parse().ok()).unwrap_or_else(now_millis).to_string();
    let answers: Vec<(Text, String)> = posted.0.into_iter().map(|(name, value)| (name.into(), value)).collect();
    let answers = Answers::new(answers);
    if let Some(name) = to_fix {
        answers.mark(control_id("f", name));
    }
    let drawn: Vec<AnyView> =
        fields(&form, "f", words, &answers, || "".into()).into_iter().map(|node| node.into_view()).collect();
    view! {
        <p class="shop" translate="no">{site.name.clone()}</p>
        <h1>{pages.shop_title(&site.name)}</h1>
        {kinds}
        {problems}
        <form method="post" action=format!("/f/{key}") class="plain">
            <input type="hidden" name="id" value=id />
            <input type="hidden" name="shown_at" value=shown_at />
            <input type="hidden" name="lang" value=words.lang />
            <input type="hidden" name="kind" value=kind.as_str() />
            {drawn}
            {honeypot(words).into_view()}
            <button type="submit" class="send">{words.send}</button>
        </form>
    }
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
    let language = language(query.lang.as_deref(), &headers);
    match site(&state, language, &site_key).await {
        Ok(site) => {
            let kind = offered(&site, query.kind.as_deref());
            page(StatusCode::OK, language, language.pages().shop_title(&site.name), move || {
                render(&site, language, kind, Posted::default(), Vec::new(), None)
            })
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
) -> Result<Posted, ApiError> {
    const FORM: &str = "application/x-www-form-urlencoded";
    if !crate::body::is_type(headers, FORM) {
        return Err(ApiError::unsupported_media_type(FORM));
    }
    let encoding = crate::body::check(headers)?;
    state.limiter.check(&site.site_key, peer, headers).map_err(ApiError::rate_limited)?;
    let bytes = crate::body::read(body, encoding).await?;
    serde_urlencoded::from_bytes(&bytes)
        .map(Posted)
        .map_err(|err| ApiError::bad_json(format!("not a form of this shape: {err}")))
}

fn json(answer: Answer) -> serde_json::Value {
    match answer {
        Answer::Number(n) => n.into(),
        Answer::Text(text) => text.into(),
        Answer::Scores(scores) => scores.into_iter().map(|(name, score)| (name.to_owned(), json(score))).collect(),
    }
}

/// The submission JSON the collector takes: the answers to `form`'s fields, by what each
/// field is, and the form's own fields.
fn request_body(form: &Form, posted: &Posted, language: Language) -> serde_json::Value {
    let mut body = serde_json::Map::new();
    let mut put = |name: &str, value: Option<serde_json::Value>| {
        if let Some(value) = value {
            body.insert(name.to_owned(), value);
        }
    };
    put("id", posted.get("id").map(Into::into));
    // As posted, for the collector to refuse one this site does not take.
    put("kind", Some(posted.get("kind").unwrap_or(form.kind.as_str()).into()));
    for (name, answer) in form.answers(|name| posted.get(name).map(str::to_owned)) {
        put(name, Some(json(answer)));
    }
    put("website", posted.get("website").map(Into::into));
    // Only a fill too fast to be human is reported (it marks spam): a human's resend of the
    // same form then carries the same content, and is answered as the same submission.
    let fill_ms = posted.get("shown_at").and_then(|at| at.parse::<i64>().ok()).map(|at| (now_millis() - at).max(0));
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
    let browser_language = language(None, &headers);
    let site = match site(&state, browser_language, &site_key).await {
        Ok(site) => site,
        Err(response) => return response,
    };
    // Posted from this form (Hark's own origin), from the shop's pages, or by no browser.
    if let Some(origin) = headers.get(header::ORIGIN).and_then(|o| o.to_str().ok()) {
        if origin != state.config.public_url && !site.allows_origin(origin) {
            return notice(StatusCode::FORBIDDEN, browser_language, browser_language.pages().not_allowed);
        }
    }
    let posted = match read_fields(&state, &site, peer, &headers, body).await {
        Ok(posted) => posted,
        Err(err) => return err.into_response(),
    };
    let language = language(posted.get("lang"), &headers);
    let (words, pages) = (language.words(), language.pages());
    let kind = offered(&site, posted.get("kind"));
    let form = form_of(&site, kind, words);
    let mut to_fix = None;
    let problems = match submission::parse(request_body(&form, &posted, language).to_string().as_bytes(), &site) {
        Ok(submission) => match state.writer.insert(Destination::from(&*site), submission).await {
            Ok(Insert::Created(receipt)) | Ok(Insert::Replayed(receipt)) => {
                let link = format!("{}/track/{}", state.config.public_url, receipt.track_token);
                let shop = site.name.clone();
                return page(StatusCode::OK, language, words.sent_title.to_owned(), move || {
                    view! {
                        <h1>{words.sent_title}</h1>
                        <p>{pages.sent_to.0}<span translate="no">{shop}</span>{pages.sent_to.1}</p>
                        <p>{pages.follow}" "<a href=link.clone()>{link.clone()}</a></p>
                    }
                });
            }
            Ok(Insert::Conflict) => vec![pages.conflict.to_owned()],
            Err(err) => return ApiError::from(err).into_response(),
        },
        Err(Rejection::Malformed(message)) => vec![message],
        Err(Rejection::Invalid(fields)) => {
            // The first of the form's fields to fix is marked (`aria-invalid`).
            to_fix = form.fields.iter().find(|field| fields.contains_key(&*field.name)).map(|field| field.name.clone());
            fields
                .into_iter()
                .flat_map(|(field, messages)| messages.into_iter().map(move |m| language.problem(&field, &m)))
                .collect()
        }
    };
    page(StatusCode::UNPROCESSABLE_ENTITY, language, pages.please_check.to_owned(), move || {
        render(&site, language, kind, posted, problems, to_fix.as_deref())
    })
}
