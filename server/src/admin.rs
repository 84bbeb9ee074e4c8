//! The admin API: staff, signed in by session cookie or bearer token, see only their
//! own organisation's data.

use crate::error::ApiError;
use crate::state::AppState;
use axum::extract::rejection::QueryRejection;
use axum::extract::{FromRequestParts, Query, State};
use axum::http::request::Parts;
use axum::http::{header, HeaderValue};
use axum::routing::get;
use axum::{Json, Router};
use axum_extra::extract::CookieJar;
use hark_core::auth::SESSION_COOKIE;
use hark_core::model::QueueItem;
use hark_core::store::{QueueCursor, StaffRecord};
use serde::{Deserialize, Serialize};
use tower_http::set_header::SetResponseHeaderLayer;

pub fn router(state: AppState) -> Router {
    Router::new()
        .route("/api/v1/admin/submissions", get(list_submissions))
        // Shoppers' emails and messages: never kept by a cache on the way.
        .layer(SetResponseHeaderLayer::overriding(header::CACHE_CONTROL, HeaderValue::from_static("no-store")))
        .with_state(state)
}

/// The staff member making the request.
pub struct Staff(pub StaffRecord);

impl FromRequestParts<AppState> for Staff {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let bearer = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "));
        let staff = if let Some(token) = bearer {
            state.store.staff_by_api_token(token.trim()).await?
        } else if let Some(cookie) = CookieJar::from_headers(&parts.headers).get(SESSION_COOKIE) {
            state.store.staff_by_session(cookie.value()).await?
        } else {
            None
        };
        staff.map(Staff).ok_or_else(ApiError::unauthorized)
    }
}

#[derive(Debug, Deserialize)]
pub struct ListQuery {
    limit: Option<i64>,
    cursor: Option<String>,
}

/// A page of the queue, newest first.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ListPage {
    items: Vec<QueueItem>,
    next_cursor: Option<String>,
}

#[utoipa::path(
    get, path = "/api/v1/admin/submissions", tag = "admin",
    params(
        ("limit" = Option<i64>, Query, description = "1 to 100, default 50"),
        ("cursor" = Option<String>, Query, description = "`next_cursor` of the previous page"),
    ),
    responses(
        (status = 200, description = "The organisation's submissions, newest first", body = ListPage),
        (status = 400, description = "`bad_json`: a query parameter of the wrong type or a foreign cursor", body = crate::error::ErrorBody),
        (status = 401, description = "`unauthorized`", body = crate::error::ErrorBody),
        (status = 422, description = "`validation`", body = crate::error::ErrorBody),
    ),
    security(("bearer" = []), ("session" = []))
)]
pub async fn list_submissions(
    State(state): State<AppState>,
    Staff(staff): Staff,
    query: Result<Query<ListQuery>, QueryRejection>,
) -> Result<Json<ListPage>, ApiError> {
    let Query(query) = query.map_err(|e| ApiError::bad_json(e.body_text()))?;
    let limit = query.limit.unwrap_or(50);
    if !(1..=100).contains(&limit) {
        return Err(hark_core::Error::field("limit", "must be between 1 and 100").into());
    }
    let cursor = match query.cursor.as_deref() {
        None | Some("") => None,
        Some(text) => Some(QueueCursor::decode(text).ok_or_else(|| ApiError::bad_json("cursor is not one we issued"))?),
    };
    let (items, next) = match state.store.queue(&staff.org_id, limit, cursor.as_ref()).await {
        Err(hark_core::Error::NotFound) => return Err(ApiError::bad_json("cursor is not one we issued")),
        other => other?,
    };
    Ok(Json(ListPage { items, next_cursor: next.map(|c| c.encode()) }))
}
