//! `/api/v1/admin/tokens`: API tokens for integrations. Everyone manages their own (a
//! viewer's token can only read, as they can); owners see and revoke every token of the
//! organisation.

use crate::admin::Staff;
use crate::error::{ApiError, ErrorBody};
use crate::json::ApiJson;
use crate::state::AppState;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use hark_core::model::ApiToken;
use serde::{Deserialize, Serialize};

#[utoipa::path(
    get, path = "/api/v1/admin/tokens", tag = "admin",
    responses(
        (status = 200, description = "One's own tokens; for an owner every token of the organisation; newest first", body = Vec<ApiToken>),
        (status = 401, description = "`unauthorized`", body = ErrorBody),
    ),
    security(("bearer" = []), ("session" = []))
)]
pub async fn list_tokens(State(state): State<AppState>, Staff(staff): Staff) -> Result<Json<Vec<ApiToken>>, ApiError> {
    Ok(Json(state.store.api_tokens(&staff).await?))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewToken {
    /// What it is for: 1 to 100 characters.
    name: String,
}

/// A token just made: the only time the token itself is shown.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct MadeToken {
    #[serde(flatten)]
    made: ApiToken,
    /// Send it as `Authorization: Bearer …`.
    token: String,
}

#[utoipa::path(
    post, path = "/api/v1/admin/tokens", tag = "admin",
    request_body = NewToken,
    responses(
        (status = 201, description = "Made, acting as its maker with their role", body = MadeToken),
        (status = 400, description = "`bad_json`", body = ErrorBody),
        (status = 415, description = "`unsupported_media_type`: send application/json", body = ErrorBody),
        (status = 401, description = "`unauthorized`", body = ErrorBody),
        (status = 403, description = "`forbidden`: a cross-site request", body = ErrorBody),
        (status = 422, description = "`validation`: `name` empty or too long", body = ErrorBody),
    ),
    security(("bearer" = []), ("session" = []))
)]
pub async fn create_token(
    State(state): State<AppState>,
    Staff(staff): Staff,
    ApiJson(body): ApiJson<NewToken>,
) -> Result<(StatusCode, Json<MadeToken>), ApiError> {
    let (made, token) = state.store.create_api_token(&staff, &body.name).await?;
    Ok((StatusCode::CREATED, Json(MadeToken { made, token })))
}

#[utoipa::path(
    delete, path = "/api/v1/admin/tokens/{id}", tag = "admin",
    params(("id" = String, Path)),
    responses(
        (status = 204, description = "Revoked: it signs no one in from now on"),
        (status = 401, description = "`unauthorized`", body = ErrorBody),
        (status = 403, description = "`forbidden`: a cross-site request", body = ErrorBody),
        (status = 404, description = "`not_found`: no such token among those one may see", body = ErrorBody),
    ),
    security(("bearer" = []), ("session" = []))
)]
pub async fn revoke_token(
    State(state): State<AppState>,
    Staff(staff): Staff,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    state.store.revoke_api_token(&staff, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}
