//! The admin API: staff, signed in by session cookie or bearer token, see and change only
//! their own organisation's data. Another organisation's object is `not_found`, exactly
//! as a missing one; a viewer's write is `forbidden`; a cookie-authenticated write
//! without proof that it came from Hark's own pages is `forbidden` too.

use crate::error::{ApiError, ErrorBody};
use crate::json::ApiJson;
use crate::ratelimit::Client;
use crate::state::AppState;
use axum::extract::rejection::QueryRejection;
use axum::extract::{FromRequestParts, Path, Query, State};
use axum::http::request::Parts;
use axum::http::{header, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use hark_core::model::{Priority, QueueItem, QueueParams, SavedReply, Status, SubmissionDetail};
use hark_core::store::{Change, QueueFilter, StaffRecord};
use serde::{Deserialize, Deserializer, Serialize};
use std::collections::BTreeMap;

/// The staff member making the request. A cookie-authenticated write must come from
/// Hark's own pages (see `app::ssr::same_origin_write`).
pub struct Staff(pub StaffRecord);

impl FromRequestParts<AppState> for Staff {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let Some((mut staff, credential)) = app::ssr::staff_of(&state.store, &parts.headers).await? else {
            return Err(ApiError::unauthorized());
        };
        let Ok(Client(client)) = Client::from_request_parts(parts, state).await;
        staff.client = Some(client);
        let safe = matches!(parts.method, Method::GET | Method::HEAD | Method::OPTIONS);
        if credential == app::ssr::Credential::Cookie && !safe && !app::ssr::same_origin_write(&parts.headers) {
            return Err(ApiError::forbidden("cross-site request refused"));
        }
        Ok(Staff(staff))
    }
}

/// An owner of the organisation making the request: anyone else is refused 403.
pub struct Owner(pub StaffRecord);

impl FromRequestParts<AppState> for Owner {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let Staff(staff) = Staff::from_request_parts(parts, state).await?;
        if !hark_core::store::may_configure(&staff) {
            return Err(ApiError::forbidden("only owners manage the organisation's people, sites and audit log"));
        }
        Ok(Owner(staff))
    }
}

/// A staff member who may change things: owners and agents.
pub struct Writer(pub StaffRecord);

impl FromRequestParts<AppState> for Writer {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let Staff(staff) = Staff::from_request_parts(parts, state).await?;
        if !hark_core::store::may_write(&staff) {
            return Err(ApiError::forbidden("viewers can read but not change anything"));
        }
        Ok(Writer(staff))
    }
}

fn query<T>(query: Result<Query<T>, QueryRejection>) -> Result<T, ApiError> {
    query.map(|Query(q)| q).map_err(|e| ApiError::bad_json(e.body_text()))
}

/// A page of the queue.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ListPage {
    items: Vec<QueueItem>,
    next_cursor: Option<String>,
}

const BAD_CURSOR: &str = "cursor is not one we issued for this order";

#[utoipa::path(
    get, path = "/api/v1/admin/submissions", tag = "admin",
    params(
        ("limit" = Option<i64>, Query, description = "1 to 100, default 50"),
        ("cursor" = Option<String>, Query, description = "`next_cursor` of the previous page"),
        ("status" = Option<String>, Query, description = "Comma-separated statuses; without it, everything but spam"),
        ("kind" = Option<String>, Query, description = "Comma-separated kinds"),
        ("site" = Option<String>, Query, description = "A site's id"),
        ("category" = Option<String>, Query),
        ("stage" = Option<String>, Query),
        ("priority" = Option<String>, Query, description = "Comma-separated priorities"),
        ("assignee" = Option<String>, Query, description = "A person's id, `me` or `none`"),
        ("rating_max" = Option<i64>, Query, description = "Ratings up to this (1–5)"),
        ("q" = Option<String>, Query, description = "Full text over message, email, order and name; every term must match"),
        ("from" = Option<String>, Query, description = "Received at or after (RFC 3339)"),
        ("to" = Option<String>, Query, description = "Received before (RFC 3339)"),
        ("due" = Option<String>, Query, description = "`overdue`, or `soon` (due within two hours, overdue included)"),
        ("sort" = Option<String>, Query, description = "`newest` (default) or `due`: open promises, soonest due first"),
    ),
    responses(
        (status = 200, description = "A page of the organisation's submissions", body = ListPage),
        (status = 400, description = "`bad_json`: a parameter of the wrong type or a foreign cursor", body = ErrorBody),
        (status = 401, description = "`unauthorized`", body = ErrorBody),
        (status = 422, description = "`validation`", body = ErrorBody),
    ),
    security(("bearer" = []), ("session" = []))
)]
pub async fn list_submissions(
    State(state): State<AppState>,
    Staff(staff): Staff,
    params: Result<Query<QueueParams>, QueryRejection>,
) -> Result<Json<ListPage>, ApiError> {
    let params = query(params)?;
    let (items, next) = match state.store.queue_page(&staff, &params).await {
        Err(hark_core::Error::NotFound) => return Err(ApiError::bad_json(BAD_CURSOR)),
        other => other?,
    };
    Ok(Json(ListPage { items, next_cursor: next.map(|c| c.encode()) }))
}

/// How many submissions are in each status; `more` names the statuses that hold more
/// than their count says (a count stops at `hark_core::store::COUNT_LIMIT`).
#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct Counts {
    #[serde(flatten)]
    pub counts: BTreeMap<String, i64>,
    pub more: Vec<String>,
}

#[utoipa::path(
    get, path = "/api/v1/admin/submissions/counts", tag = "admin",
    description = "How many submissions of the same filters (status aside) are in each status, each counted to 1,000 at most: `{\"new\": 3, \"open\": 1, …, \"resolved\": 1000, \"more\": [\"resolved\"]}`.",
    responses(
        (status = 200, description = "A count per status, and the statuses that hold more", body = Counts),
        (status = 401, description = "`unauthorized`", body = ErrorBody),
        (status = 422, description = "`validation`", body = ErrorBody),
    ),
    security(("bearer" = []), ("session" = []))
)]
pub async fn count_submissions(
    State(state): State<AppState>,
    Staff(staff): Staff,
    params: Result<Query<QueueParams>, QueryRejection>,
) -> Result<Json<Counts>, ApiError> {
    let filter = QueueFilter::parse(&query(params)?, &staff.user_id)?;
    let counts = state.store.status_counts(&staff.org_id, &filter).await?;
    Ok(Json(Counts {
        more: counts.iter().filter(|c| c.more).map(|c| c.status.to_string()).collect(),
        counts: counts.into_iter().map(|c| (c.status.to_string(), c.n)).collect(),
    }))
}

#[utoipa::path(
    get, path = "/api/v1/admin/submissions/{id}", tag = "admin",
    params(("id" = String, Path)),
    responses(
        (status = 200, description = "The submission and its timeline", body = SubmissionDetail),
        (status = 401, description = "`unauthorized`", body = ErrorBody),
        (status = 404, description = "`not_found`: no such submission in this organisation", body = ErrorBody),
    ),
    security(("bearer" = []), ("session" = []))
)]
pub async fn get_submission(
    State(state): State<AppState>,
    Staff(staff): Staff,
    Path(id): Path<String>,
) -> Result<Json<SubmissionDetail>, ApiError> {
    Ok(Json(state.store.submission(&staff.org_id, &id).await?))
}

/// `Some(None)` for an explicit `null`, `None` when the field is missing.
fn present<'de, D: Deserializer<'de>, T: Deserialize<'de>>(d: D) -> Result<Option<Option<T>>, D::Error> {
    Option::<T>::deserialize(d).map(Some)
}

/// What to set; each field given is changed.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ChangeBody {
    status: Option<Status>,
    priority: Option<Priority>,
    /// A person's id, or `null` to unassign.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>)]
    assignee: Option<Option<String>>,
    tags: Option<Vec<String>>,
}

impl From<ChangeBody> for Change {
    fn from(body: ChangeBody) -> Self {
        Change { status: body.status, priority: body.priority, assignee: body.assignee, tags: body.tags }
    }
}

#[utoipa::path(
    patch, path = "/api/v1/admin/submissions/{id}", tag = "admin",
    params(("id" = String, Path)),
    request_body = ChangeBody,
    description = "First contact owns it: an unassigned complaint changed by an owner or agent becomes theirs, unless the change names an assignee.",
    responses(
        (status = 415, description = "`unsupported_media_type`: send application/json", body = ErrorBody),
        (status = 401, description = "`unauthorized`", body = ErrorBody),
        (status = 200, description = "The submission as it is now", body = SubmissionDetail),
        (status = 400, description = "`bad_json`", body = ErrorBody),
        (status = 403, description = "`forbidden`: a viewer, or a cross-site request", body = ErrorBody),
        (status = 404, description = "`not_found`", body = ErrorBody),
        (status = 422, description = "`validation`", body = ErrorBody),
    ),
    security(("bearer" = []), ("session" = []))
)]
pub async fn patch_submission(
    State(state): State<AppState>,
    Writer(staff): Writer,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<ChangeBody>,
) -> Result<Json<SubmissionDetail>, ApiError> {
    state.store.change(&staff, &id, &body.into()).await?;
    Ok(Json(state.store.submission(&staff.org_id, &id).await?))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BulkBody {
    /// At most 500.
    ids: Vec<String>,
    set: ChangeBody,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct BulkAnswer {
    updated: usize,
    /// Ids that are not the organisation's submissions.
    not_found: Vec<String>,
}

#[utoipa::path(
    post, path = "/api/v1/admin/submissions/bulk", tag = "admin",
    request_body = BulkBody,
    description = "One change to many submissions, in one transaction.",
    responses(
        (status = 400, description = "`bad_json`: not JSON of this shape", body = ErrorBody),
        (status = 415, description = "`unsupported_media_type`: send application/json", body = ErrorBody),
        (status = 401, description = "`unauthorized`", body = ErrorBody),
        (status = 200, description = "How many were changed, and which ids were not found", body = BulkAnswer),
        (status = 403, description = "`forbidden`", body = ErrorBody),
        (status = 422, description = "`validation`", body = ErrorBody),
    ),
    security(("bearer" = []), ("session" = []))
)]
pub async fn bulk_change(
    State(state): State<AppState>,
    Writer(staff): Writer,
    ApiJson(body): ApiJson<BulkBody>,
) -> Result<Json<BulkAnswer>, ApiError> {
    if body.ids.is_empty() || body.ids.len() > 500 {
        return Err(hark_core::Error::field("ids", "must hold 1 to 500 ids").into());
    }
    let mut ids = body.ids;
    ids.sort();
    ids.dedup();
    let not_found = state.store.change_many(&staff, &ids, &body.set.into()).await?;
    Ok(Json(BulkAnswer { updated: ids.len() - not_found.len(), not_found }))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NoteBody {
    /// 1 to 5,000 characters.
    body: String,
}

#[utoipa::path(
    post, path = "/api/v1/admin/submissions/{id}/notes", tag = "admin",
    params(("id" = String, Path)),
    request_body = NoteBody,
    responses(
        (status = 400, description = "`bad_json`: not JSON of this shape", body = ErrorBody),
        (status = 415, description = "`unsupported_media_type`: send application/json", body = ErrorBody),
        (status = 401, description = "`unauthorized`", body = ErrorBody),
        (status = 201, description = "The submission with the note on its timeline", body = SubmissionDetail),
        (status = 403, description = "`forbidden`", body = ErrorBody),
        (status = 404, description = "`not_found`", body = ErrorBody),
        (status = 422, description = "`validation`", body = ErrorBody),
    ),
    security(("bearer" = []), ("session" = []))
)]
pub async fn add_note(
    State(state): State<AppState>,
    Writer(staff): Writer,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<NoteBody>,
) -> Result<Response, ApiError> {
    state.store.add_note(&staff, &id, &body.body).await?;
    let detail = state.store.submission(&staff.org_id, &id).await?;
    Ok((StatusCode::CREATED, Json(detail)).into_response())
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReplyBody {
    /// 1 to 5,000 characters, shown to the shopper.
    body: String,
    /// The status to leave it in (e.g. `pending` or `resolved`); by default a `new`
    /// submission becomes `open`.
    status: Option<Status>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ReplyAnswer {
    /// `email`: queued to the shopper's address (and on the tracking page);
    /// `tracking_page`: shown there only (no address, or no SMTP configured).
    delivery: &'static str,
    submission: SubmissionDetail,
}

#[utoipa::path(
    post, path = "/api/v1/admin/submissions/{id}/replies", tag = "admin",
    params(("id" = String, Path)),
    request_body = ReplyBody,
    responses(
        (status = 400, description = "`bad_json`: not JSON of this shape", body = ErrorBody),
        (status = 415, description = "`unsupported_media_type`: send application/json", body = ErrorBody),
        (status = 401, description = "`unauthorized`", body = ErrorBody),
        (status = 201, description = "Stored; shown on the tracking page, and emailed where it can be", body = ReplyAnswer),
        (status = 403, description = "`forbidden`", body = ErrorBody),
        (status = 404, description = "`not_found`", body = ErrorBody),
        (status = 422, description = "`validation`", body = ErrorBody),
    ),
    security(("bearer" = []), ("session" = []))
)]
pub async fn add_reply(
    State(state): State<AppState>,
    Writer(staff): Writer,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<ReplyBody>,
) -> Result<Response, ApiError> {
    let emailed = state.store.reply(&staff, &id, &body.body, body.status, &*state.composer).await?;
    let submission = state.store.submission(&staff.org_id, &id).await?;
    let delivery = if emailed { "email" } else { "tracking_page" };
    Ok((StatusCode::CREATED, Json(ReplyAnswer { delivery, submission })).into_response())
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SavedReplyBody {
    title: String,
    body: String,
}

#[utoipa::path(
    get, path = "/api/v1/admin/saved-replies", tag = "admin",
    responses((status = 200, description = "The organisation's saved replies, by title", body = Vec<SavedReply>)),
    security(("bearer" = []), ("session" = []))
)]
pub async fn list_saved_replies(
    State(state): State<AppState>,
    Staff(staff): Staff,
) -> Result<Json<Vec<SavedReply>>, ApiError> {
    Ok(Json(state.store.saved_replies(&staff.org_id).await?))
}

#[utoipa::path(
    post, path = "/api/v1/admin/saved-replies", tag = "admin",
    request_body = SavedReplyBody,
    responses(
        (status = 400, description = "`bad_json`: not JSON of this shape", body = ErrorBody),
        (status = 415, description = "`unsupported_media_type`: send application/json", body = ErrorBody),
        (status = 401, description = "`unauthorized`", body = ErrorBody),
        (status = 201, description = "Saved", body = SavedReply),
        (status = 403, description = "`forbidden`", body = ErrorBody),
        (status = 422, description = "`validation`", body = ErrorBody),
    ),
    security(("bearer" = []), ("session" = []))
)]
pub async fn create_saved_reply(
    State(state): State<AppState>,
    Writer(staff): Writer,
    ApiJson(body): ApiJson<SavedReplyBody>,
) -> Result<Response, ApiError> {
    let saved = state.store.save_reply(&staff.org_id, None, &body.title, &body.body).await?;
    Ok((StatusCode::CREATED, Json(saved)).into_response())
}

#[utoipa::path(
    patch, path = "/api/v1/admin/saved-replies/{id}", tag = "admin",
    params(("id" = String, Path)),
    request_body = SavedReplyBody,
    responses(
        (status = 400, description = "`bad_json`: not JSON of this shape", body = ErrorBody),
        (status = 415, description = "`unsupported_media_type`: send application/json", body = ErrorBody),
        (status = 401, description = "`unauthorized`", body = ErrorBody),
        (status = 200, description = "Saved", body = SavedReply),
        (status = 403, description = "`forbidden`", body = ErrorBody),
        (status = 404, description = "`not_found`", body = ErrorBody),
        (status = 422, description = "`validation`", body = ErrorBody),
    ),
    security(("bearer" = []), ("session" = []))
)]
pub async fn update_saved_reply(
    State(state): State<AppState>,
    Writer(staff): Writer,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<SavedReplyBody>,
) -> Result<Json<SavedReply>, ApiError> {
    Ok(Json(state.store.save_reply(&staff.org_id, Some(&id), &body.title, &body.body).await?))
}

#[utoipa::path(
    delete, path = "/api/v1/admin/saved-replies/{id}", tag = "admin",
    params(("id" = String, Path)),
    responses(
        (status = 401, description = "`unauthorized`", body = ErrorBody),
        (status = 204, description = "Deleted"),
        (status = 403, description = "`forbidden`", body = ErrorBody),
        (status = 404, description = "`not_found`", body = ErrorBody),
    ),
    security(("bearer" = []), ("session" = []))
)]
pub async fn delete_saved_reply(
    State(state): State<AppState>,
    Writer(staff): Writer,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    state.store.delete_saved_reply(&staff.org_id, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LoginBody {
    email: String,
    password: String,
}

#[utoipa::path(
    post, path = "/api/v1/auth/login", tag = "auth",
    request_body = LoginBody,
    responses(
        (status = 400, description = "`bad_json`: not JSON of this shape", body = ErrorBody),
        (status = 415, description = "`unsupported_media_type`: send application/json", body = ErrorBody),
        (status = 204, description = "Signed in: the session cookie is set"),
        (status = 401, description = "`unauthorized`: wrong email or password (the same answer for both)", body = ErrorBody),
        (status = 429, description = "`rate_limited`: too many failed sign-ins for this account or from this address; `Retry-After`", body = ErrorBody),
        (status = 503, description = "`unavailable`: too many sign-ins being checked; `Retry-After`", body = ErrorBody),
    )
)]
pub async fn login(
    State(state): State<AppState>,
    Client(client): Client,
    headers: axum::http::HeaderMap,
    ApiJson(body): ApiJson<LoginBody>,
) -> Result<Response, ApiError> {
    let cookie = app::ssr::sign_in(&state.store, &body.email, &body.password, client, &headers).await?;
    Ok((StatusCode::NO_CONTENT, [(header::SET_COOKIE, cookie.to_string())]).into_response())
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PasswordBody {
    current: String,
    new: String,
}

#[utoipa::path(
    post, path = "/api/v1/auth/password", tag = "auth",
    request_body = PasswordBody,
    responses(
        (status = 400, description = "`bad_json`: not JSON of this shape", body = ErrorBody),
        (status = 415, description = "`unsupported_media_type`: send application/json", body = ErrorBody),
        (status = 204, description = "Changed; every other session of this person ended (this one stays)"),
        (status = 401, description = "`unauthorized`", body = ErrorBody),
        (status = 403, description = "`forbidden`: a cross-site request", body = ErrorBody),
        (status = 422, description = "`validation`: `current` is not the password, or `new` is too short, too common or the email", body = ErrorBody),
        (status = 429, description = "`rate_limited`: too many wrong passwords; `Retry-After`", body = ErrorBody),
    ),
    security(("bearer" = []), ("session" = []))
)]
pub async fn change_password(
    State(state): State<AppState>,
    Staff(staff): Staff,
    Client(client): Client,
    headers: axum::http::HeaderMap,
    ApiJson(body): ApiJson<PasswordBody>,
) -> Result<StatusCode, ApiError> {
    let session = app::ssr::session_id(&state.store, &headers);
    state.store.change_password(&staff, &body.current, &body.new, client, session.as_deref()).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(
    post, path = "/api/v1/auth/logout", tag = "auth",
    responses(
        (status = 204, description = "The session ended on the server"),
        (status = 401, description = "`unauthorized`", body = ErrorBody),
        (status = 403, description = "`forbidden`: a cross-site request", body = ErrorBody),
    ),
    security(("session" = []))
)]
pub async fn logout(
    State(state): State<AppState>,
    Staff(_): Staff,
    headers: axum::http::HeaderMap,
) -> Result<Response, ApiError> {
    let clear = app::ssr::sign_out(&state.store, &headers).await?;
    Ok((StatusCode::NO_CONTENT, [(header::SET_COOKIE, clear)]).into_response())
}

/// Who is signed in.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Me {
    user_id: String,
    email: String,
    role: hark_core::model::Role,
    org: String,
    /// Their language for the admin; `null`: the browser's.
    locale: Option<String>,
    time_zone: String,
}

#[utoipa::path(
    get, path = "/api/v1/auth/me", tag = "auth",
    responses(
        (status = 200, description = "The signed-in staff member", body = Me),
        (status = 401, description = "`unauthorized`", body = ErrorBody),
    ),
    security(("bearer" = []), ("session" = []))
)]
pub async fn me(Staff(staff): Staff) -> Json<Me> {
    Json(me_of(staff))
}

fn me_of(staff: StaffRecord) -> Me {
    let member = staff.member;
    Me {
        user_id: staff.user_id,
        email: member.email,
        role: member.role,
        org: member.org_name,
        locale: member.locale,
        time_zone: member.time_zone,
    }
}

/// One's own settings. Anyone signed in, viewers too: it is their account, not the
/// organisation's data.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MeChange {
    /// `en`, `zh-CN`, or `null` for the browser's language; absent leaves it as it is.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>)]
    locale: Option<Option<String>>,
}

#[utoipa::path(
    patch, path = "/api/v1/auth/me", tag = "auth",
    request_body = MeChange,
    responses(
        (status = 200, description = "The signed-in staff member, changed", body = Me),
        (status = 401, description = "`unauthorized`", body = ErrorBody),
        (status = 403, description = "`forbidden`: a cookie-authenticated write from elsewhere", body = ErrorBody),
        (status = 400, description = "`bad_json`", body = ErrorBody),
        (status = 415, description = "`unsupported_media_type`: send application/json", body = ErrorBody),
        (status = 422, description = "`validation`: a language Hark does not speak", body = ErrorBody),
    ),
    security(("bearer" = []), ("session" = []))
)]
pub async fn update_me(
    State(state): State<AppState>,
    Staff(mut staff): Staff,
    ApiJson(change): ApiJson<MeChange>,
) -> Result<Json<Me>, ApiError> {
    if let Some(locale) = change.locale {
        staff.member.locale = state.store.set_locale(&staff, locale.as_deref()).await?;
    }
    Ok(Json(me_of(staff)))
}

/// The organisation's settings.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct OrgSettings {
    id: String,
    name: String,
    /// IANA name; every date of the admin and the metrics' days are in it.
    time_zone: String,
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OrgChange {
    time_zone: String,
}

#[utoipa::path(
    get, path = "/api/v1/admin/org", tag = "admin",
    responses(
        (status = 200, description = "The organisation's settings", body = OrgSettings),
        (status = 401, description = "`unauthorized`", body = ErrorBody),
    ),
    security(("bearer" = []), ("session" = []))
)]
pub async fn get_org(Staff(staff): Staff) -> Json<OrgSettings> {
    Json(org_of(staff))
}

fn org_of(staff: StaffRecord) -> OrgSettings {
    OrgSettings { id: staff.org_id, name: staff.member.org_name, time_zone: staff.member.time_zone }
}

#[utoipa::path(
    patch, path = "/api/v1/admin/org", tag = "admin",
    request_body = OrgChange,
    responses(
        (status = 200, description = "The organisation's settings, changed", body = OrgSettings),
        (status = 401, description = "`unauthorized`", body = ErrorBody),
        (status = 403, description = "`forbidden`: owners only", body = ErrorBody),
        (status = 400, description = "`bad_json`", body = ErrorBody),
        (status = 415, description = "`unsupported_media_type`: send application/json", body = ErrorBody),
        (status = 422, description = "`validation`: not a time zone name", body = ErrorBody),
    ),
    security(("bearer" = []), ("session" = []))
)]
pub async fn update_org(
    State(state): State<AppState>,
    Staff(mut staff): Staff,
    ApiJson(change): ApiJson<OrgChange>,
) -> Result<Json<OrgSettings>, ApiError> {
    if !hark_core::store::may_configure(&staff) {
        return Err(ApiError::forbidden("only owners change the organisation's settings"));
    }
    staff.member.time_zone = state.store.set_time_zone(&staff.org_id, &change.time_zone).await?;
    Ok(Json(org_of(staff)))
}
