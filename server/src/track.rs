//! The shopper's tracking link: their submission's status and the conversation with the
//! shop, where they can answer back and, once it is resolved, rate how it was handled.
//! The JSON endpoints for the widget and integrations, and the page: rendered with Leptos
//! on the server (escaping by construction), plain HTML forms that need no script; a
//! small script, where it runs, only shows the times in the shopper's own time zone.

use crate::error::{ApiError, ErrorBody};
use crate::json::ApiJson;
use crate::state::AppState;
use axum::extract::rejection::FormRejection;
use axum::extract::{Path, Query, State};
use axum::http::{header, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::{Form, Json};
use hark_core::model::{Kind, Status};
use hark_core::store::{Rated, Tracked};
use hark_core::words::Language;
use leptos::prelude::*;
use serde::Deserialize;

async fn tracked(state: &AppState, token: &str) -> Result<Tracked, ApiError> {
    state.store.tracked(token).await?.ok_or_else(|| ApiError::not_found("no such tracking link"))
}

#[utoipa::path(
    get, path = "/api/v1/track/{token}", tag = "collector",
    params(("token" = String, Path, description = "The token from `track_url`")),
    responses(
        (status = 200, description = "The submission's state and the conversation", body = Tracked),
        (status = 404, description = "`not_found`", body = ErrorBody),
    )
)]
pub async fn track_json(State(state): State<AppState>, Path(token): Path<String>) -> Result<Response, ApiError> {
    Ok(([(header::CACHE_CONTROL, "no-store")], Json(tracked(&state, &token).await?)).into_response())
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MessageBody {
    /// 1 to 5,000 characters.
    body: String,
}

#[utoipa::path(
    post, path = "/api/v1/track/{token}/messages", tag = "collector",
    params(("token" = String, Path)),
    request_body = MessageBody,
    description = "The shopper answers back; a pending or resolved complaint opens again.",
    responses(
        (status = 400, description = "`bad_json`: not JSON of this shape", body = ErrorBody),
        (status = 415, description = "`unsupported_media_type`: send application/json", body = ErrorBody),
        (status = 201, description = "Stored; the tracking state as it is now", body = Tracked),
        (status = 404, description = "`not_found`", body = ErrorBody),
        (status = 422, description = "`validation`", body = ErrorBody),
    )
)]
pub async fn message_json(
    State(state): State<AppState>,
    Path(token): Path<String>,
    ApiJson(body): ApiJson<MessageBody>,
) -> Result<Response, ApiError> {
    state.store.follow_up(&token, &body.body).await?;
    Ok((StatusCode::CREATED, [(header::CACHE_CONTROL, "no-store")], Json(tracked(&state, &token).await?))
        .into_response())
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RecoveryBody {
    /// 1 to 5.
    rating: i64,
    comment: Option<String>,
}

#[utoipa::path(
    post, path = "/api/v1/track/{token}/recovery", tag = "collector",
    params(("token" = String, Path)),
    request_body = RecoveryBody,
    description = "\"Are you satisfied with how this was handled?\", once the submission is resolved.",
    responses(
        (status = 400, description = "`bad_json`: not JSON of this shape", body = ErrorBody),
        (status = 415, description = "`unsupported_media_type`: send application/json", body = ErrorBody),
        (status = 201, description = "Stored", body = Tracked),
        (status = 200, description = "The same answer again", body = Tracked),
        (status = 404, description = "`not_found`", body = ErrorBody),
        (status = 409, description = "`conflict`: not resolved yet, or already rated otherwise", body = ErrorBody),
        (status = 422, description = "`validation`", body = ErrorBody),
    )
)]
pub async fn recovery_json(
    State(state): State<AppState>,
    Path(token): Path<String>,
    ApiJson(body): ApiJson<RecoveryBody>,
) -> Result<Response, ApiError> {
    let status = match state.store.rate_recovery(&token, body.rating, body.comment.as_deref()).await? {
        Rated::Stored => StatusCode::CREATED,
        Rated::Again => StatusCode::OK,
    };
    Ok((status, [(header::CACHE_CONTROL, "no-store")], Json(tracked(&state, &token).await?)).into_response())
}

/// The page runs no script and is framed nowhere; its address is the shopper's key to
/// their submission, so it is not cached, and links out do not carry it away.
const PAGE_HEADERS: [(header::HeaderName, &str); 3] = [
    (header::CACHE_CONTROL, "no-store"),
    (
        header::CONTENT_SECURITY_POLICY,
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
    ),
    (header::REFERRER_POLICY, "no-referrer"),
];

/// What the last form post did, carried in the page's address after the redirect.
#[derive(Debug, Default, Deserialize)]
pub struct Outcome {
    done: Option<String>,
    problem: Option<String>,
}

pub async fn page(
    State(state): State<AppState>,
    Path(token): Path<String>,
    outcome: Result<Query<Outcome>, axum::extract::rejection::QueryRejection>,
) -> Result<Response, ApiError> {
    let Some(tracked) = state.store.tracked(&token).await? else {
        let text = Language::En.pages();
        let html = render(Language::En, text.track_not_found, move || {
            view! { <h1>{text.track_not_found}</h1> }
        });
        return Ok((StatusCode::NOT_FOUND, PAGE_HEADERS, Html(html)).into_response());
    };
    let language = Language::from_locale(tracked.locale.as_deref().unwrap_or_default());
    let outcome = outcome.map(|Query(o)| o).unwrap_or_default();
    let now = hark_core::store::now_millis();
    let title = language.pages().track_title;
    let html = render(language, title, move || view! { <TrackPage tracked token language outcome now /> });
    Ok((PAGE_HEADERS, Html(html)).into_response())
}

/// A page of Hark's look in `language` around `body`.
fn render<V: IntoView + 'static>(language: Language, title: &str, body: impl FnOnce() -> V + 'static) -> String {
    crate::page::document(
        language.tag(),
        format!("{title} — Hark"),
        || view! { <link rel="stylesheet" href="/pages.css" /><script src="/local-time.js" defer></script> },
        move || view! { <main class="sheet">{body()}</main> },
    )
}

/// Where in the workflow the submission is, as the shopper reads it (spam reads as new).
fn step(status: Status) -> usize {
    match status {
        Status::New | Status::Spam => 0,
        Status::Open => 1,
        Status::Pending => 2,
        Status::Resolved => 3,
    }
}

#[component]
fn TrackPage(tracked: Tracked, token: String, language: Language, outcome: Outcome, now: i64) -> impl IntoView {
    // The page's words, and the forms' (the ratings, Send).
    let (text, words) = (language.pages(), language.words());
    let kind_index = Kind::ALL.iter().position(|k| *k == tracked.kind).unwrap_or_default();
    let current = step(tracked.status);
    let notice = match outcome.done.as_deref() {
        Some("message") => Some(text.track_sent),
        Some("rated") => Some(text.track_rated),
        _ => None,
    };
    let problem = match outcome.problem.as_deref() {
        Some("empty") => Some(text.track_empty),
        Some("long") => Some(text.track_too_long),
        Some("rating") => Some(text.track_pick_rating),
        Some("conflict") => Some(text.track_conflict),
        _ => None,
    };
    let status_name = text.status.trim_end_matches([':', ' ', '：']);
    let messages_action = format!("/track/{token}/messages");
    let recovery_action = format!("/track/{token}/recovery");
    let reopens = tracked.kind == Kind::Complaint && matches!(tracked.status, Status::Pending | Status::Resolved);
    view! {
        <p class="shop" translate="no">{tracked.site_name.clone()}</p>
        <h1>{text.thanks_for[kind_index]}</h1>
        <p class="received">
            {text.received}
            <When at=tracked.received_at.clone() now text />
        </p>
        {notice.map(|n| view! { <p class="notice" role="status">{n}</p> })}
        {problem.map(|p| view! { <p class="problem" role="alert">{p}</p> })}
        <h2 class="visually-hidden">{status_name}</h2>
        <ol class="steps" aria-label=status_name>
            {text
                .statuses
                .iter()
                .enumerate()
                .map(|(i, name)| {
                    let state = if i < current { "done" } else if i == current { "current" } else { "todo" };
                    view! {
                        <li class=state aria-current=(i == current).then_some("step")>{*name}</li>
                    }
                })
                .collect_view()}
        </ol>
        <section aria-labelledby="conversation">
            <h2 id="conversation">{text.conversation}</h2>
            <ul class="conversation">
                {tracked.message.clone().map(|m| view! {
                    <li class="from-shopper">
                        <p class="who">{text.you}" · "<When at=tracked.received_at.clone() now text /></p>
                        <p class="body" translate="no">{m}</p>
                    </li>
                })}
                {tracked
                    .messages
                    .iter()
                    .map(|m| {
                        let shop = m.from == "shop";
                        view! {
                            <li class=if shop { "from-shop" } else { "from-shopper" }>
                                <p class="who">
                                    <span translate=shop.then_some("no")>
                                        {if shop { tracked.site_name.clone() } else { text.you.to_owned() }}
                                    </span>
                                    " · "
                                    <When at=m.at.clone() now text />
                                </p>
                                <p class="body" translate="no">{m.body.clone()}</p>
                            </li>
                        }
                    })
                    .collect_view()}
            </ul>
            {tracked.messages.iter().all(|m| m.from != "shop").then(|| view! { <p class="quiet">{text.replies}</p> })}
        </section>
        {(tracked.recovery.asked && tracked.recovery.rating.is_none()).then(|| view! {
            <form class="card" method="post" action=recovery_action>
                <fieldset>
                    <legend>{text.recovery_question}</legend>
                    <div class="scale">
                        {(1..=5)
                            .map(|n| {
                                let id = format!("recovery-{n}");
                                view! {
                                    <input type="radio" name="rating" id=id.clone() value=n.to_string() required />
                                    <label for=id>{n}" · "{words.ratings[n - 1]}</label>
                                }
                            })
                            .collect_view()}
                    </div>
                </fieldset>
                <label for="recovery-comment">{text.recovery_comment}</label>
                <textarea id="recovery-comment" name="comment" maxlength="5000" rows="2"></textarea>
                <button type="submit">{text.recovery_send}</button>
            </form>
        })}
        {tracked.recovery.rating.map(|r| view! {
            <p class="quiet">{format!("{}{r} / 5", text.recovery_given)}</p>
        })}
        <form class="card" method="post" action=messages_action>
            <label for="answer">{if reopens { text.answer_reopens } else { text.answer }}</label>
            <textarea id="answer" name="body" required maxlength="5000" rows="4"></textarea>
            <button type="submit">{words.send}</button>
        </form>
    }
}

/// A time in words ("3 hours ago") with the exact time beside it: in UTC, and in the
/// shopper's own time zone once `local-time.js` has run.
#[component]
fn When(at: String, now: i64, text: &'static hark_core::words::Pages) -> impl IntoView {
    use time::format_description::well_known::Rfc3339;
    let parsed = time::OffsetDateTime::parse(&at, &Rfc3339).ok();
    let words = parsed.map(|t| text.ago(now - (t.unix_timestamp_nanos() / 1_000_000) as i64)).unwrap_or_default();
    let exact = parsed
        .and_then(|t| t.format(time::macros::format_description!("[year]-[month]-[day] [hour]:[minute] UTC")).ok())
        .unwrap_or_default();
    view! { <time datetime=at>{words}" ("<span class="exact" translate="no">{exact}</span>")"</time> }
}

#[derive(Debug, Deserialize)]
pub struct MessageForm {
    body: Option<String>,
}

#[derive(Debug, Deserialize)]
pub struct RecoveryForm {
    rating: Option<String>,
    comment: Option<String>,
}

fn back(token: &str, query: &str) -> Response {
    Redirect::to(&format!("/track/{token}?{query}")).into_response()
}

/// The page's own words for what a store error means to the shopper.
fn problem_of(err: hark_core::Error) -> Result<&'static str, ApiError> {
    match err {
        hark_core::Error::Validation(fields) => Ok(if fields.values().flatten().any(|m| m.contains("at most")) {
            "long"
        } else if fields.contains_key("rating") {
            "rating"
        } else {
            "empty"
        }),
        hark_core::Error::Conflict(_) => Ok("conflict"),
        other => Err(other.into()),
    }
}

pub async fn message_form(
    State(state): State<AppState>,
    Path(token): Path<String>,
    form: Result<Form<MessageForm>, FormRejection>,
) -> Result<Response, ApiError> {
    let body = form.ok().and_then(|Form(f)| f.body).unwrap_or_default();
    match state.store.follow_up(&token, &body).await {
        Ok(()) => Ok(back(&token, "done=message")),
        Err(hark_core::Error::NotFound) => Err(ApiError::not_found("no such tracking link")),
        Err(err) => Ok(back(&token, &format!("problem={}", problem_of(err)?))),
    }
}

pub async fn recovery_form(
    State(state): State<AppState>,
    Path(token): Path<String>,
    form: Result<Form<RecoveryForm>, FormRejection>,
) -> Result<Response, ApiError> {
    let form = form.ok().map(|Form(f)| f);
    let rating = form.as_ref().and_then(|f| f.rating.as_deref()).and_then(|r| r.parse().ok()).unwrap_or(0);
    let comment = form.as_ref().and_then(|f| f.comment.as_deref());
    match state.store.rate_recovery(&token, rating, comment).await {
        Ok(_) => Ok(back(&token, "done=rated")),
        Err(hark_core::Error::NotFound) => Err(ApiError::not_found("no such tracking link")),
        Err(err) => Ok(back(&token, &format!("problem={}", problem_of(err)?))),
    }
}

pub async fn local_time_script() -> Response {
    (
        [(header::CONTENT_TYPE, "text/javascript; charset=utf-8"), (header::CACHE_CONTROL, "public, max-age=300")],
        include_str!("local-time.js"),
    )
        .into_response()
}

pub async fn stylesheet() -> Response {
    (
        [(header::CONTENT_TYPE, "text/css; charset=utf-8"), (header::CACHE_CONTROL, "public, max-age=300")],
        include_str!("../../style/pages.css"),
    )
        .into_response()
}
