//! `/api/v1/admin/people` (owners only) and `/api/v1/invites/{token}`: inviting
//! colleagues, changing their roles, removing them.

use crate::admin::Owner;
use crate::error::{ApiError, ErrorBody};
use crate::json::ApiJson;
use crate::state::AppState;
use axum::extract::{Path, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use hark_core::model::{Invitation, Member, Role};
use serde::{Deserialize, Serialize};

/// The organisation's people and its open invitations.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct People {
    people: Vec<Member>,
    invitations: Vec<Invitation>,
}

#[utoipa::path(
    get, path = "/api/v1/admin/people", tag = "admin",
    responses(
        (status = 200, description = "The organisation's people, in the order they joined, and its open invitations", body = People),
        (status = 401, description = "`unauthorized`", body = ErrorBody),
        (status = 403, description = "`forbidden`: owners only", body = ErrorBody),
    ),
    security(("bearer" = []), ("session" = []))
)]
pub async fn list_people(State(state): State<AppState>, Owner(owner): Owner) -> Result<Json<People>, ApiError> {
    let people = state.store.people(&owner.org_id).await?;
    let invitations = state.store.invitations(&owner.org_id).await?;
    Ok(Json(People { people, invitations }))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewInvitation {
    email: String,
    role: Role,
}

/// An invitation just made, with the link that accepts it (shown to copy; one use).
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct MadeInvitation {
    #[serde(flatten)]
    invitation: Invitation,
    invite_url: String,
}

#[utoipa::path(
    post, path = "/api/v1/admin/people", tag = "admin",
    request_body = NewInvitation,
    responses(
        (status = 201, description = "Invited: the link works once, for seven days", body = MadeInvitation),
        (status = 400, description = "`bad_json`: not JSON of this shape (a role other than owner, agent, viewer)", body = ErrorBody),
        (status = 415, description = "`unsupported_media_type`: send application/json", body = ErrorBody),
        (status = 401, description = "`unauthorized`", body = ErrorBody),
        (status = 403, description = "`forbidden`: owners only", body = ErrorBody),
        (status = 409, description = "`conflict`: that email already has an account", body = ErrorBody),
        (status = 422, description = "`validation`: not an email address", body = ErrorBody),
    ),
    security(("bearer" = []), ("session" = []))
)]
pub async fn invite(
    State(state): State<AppState>,
    Owner(owner): Owner,
    ApiJson(body): ApiJson<NewInvitation>,
) -> Result<(StatusCode, Json<MadeInvitation>), ApiError> {
    let (invitation, token) = state.store.invite(&owner, &body.email, body.role, &*state.invitation_mail).await?;
    let invite_url = crate::mail::invite_url(&state.config.public_url, &token);
    Ok((StatusCode::CREATED, Json(MadeInvitation { invitation, invite_url })))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RoleChange {
    role: Role,
}

#[utoipa::path(
    patch, path = "/api/v1/admin/people/{id}", tag = "admin",
    params(("id" = String, Path)),
    request_body = RoleChange,
    responses(
        (status = 200, description = "The new role; the person's sessions ended, to sign in again with it", body = Member),
        (status = 400, description = "`bad_json`", body = ErrorBody),
        (status = 415, description = "`unsupported_media_type`: send application/json", body = ErrorBody),
        (status = 401, description = "`unauthorized`", body = ErrorBody),
        (status = 403, description = "`forbidden`: owners only", body = ErrorBody),
        (status = 404, description = "`not_found`", body = ErrorBody),
        (status = 409, description = "`conflict`: the organisation would be left without an owner", body = ErrorBody),
    ),
    security(("bearer" = []), ("session" = []))
)]
pub async fn change_role(
    State(state): State<AppState>,
    Owner(owner): Owner,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<RoleChange>,
) -> Result<Json<Member>, ApiError> {
    Ok(Json(state.store.change_role(&owner, &id, body.role).await?))
}

#[utoipa::path(
    delete, path = "/api/v1/admin/people/{id}", tag = "admin",
    params(("id" = String, Path)),
    responses(
        (status = 204, description = "Removed: their sessions and tokens ended, their submissions unassigned"),
        (status = 401, description = "`unauthorized`", body = ErrorBody),
        (status = 403, description = "`forbidden`: owners only", body = ErrorBody),
        (status = 404, description = "`not_found`", body = ErrorBody),
        (status = 409, description = "`conflict`: the organisation would be left without an owner", body = ErrorBody),
    ),
    security(("bearer" = []), ("session" = []))
)]
pub async fn remove_person(
    State(state): State<AppState>,
    Owner(owner): Owner,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    state.store.remove_person(&owner, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(
    delete, path = "/api/v1/admin/invitations/{id}", tag = "admin",
    params(("id" = String, Path)),
    responses(
        (status = 204, description = "Withdrawn: its link no longer works"),
        (status = 401, description = "`unauthorized`", body = ErrorBody),
        (status = 403, description = "`forbidden`: owners only", body = ErrorBody),
        (status = 404, description = "`not_found`: no such open invitation", body = ErrorBody),
    ),
    security(("bearer" = []), ("session" = []))
)]
pub async fn revoke_invitation(
    State(state): State<AppState>,
    Owner(owner): Owner,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    state.store.revoke_invitation(&owner, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Acceptance {
    password: String,
}

#[utoipa::path(
    post, path = "/api/v1/invites/{token}", tag = "auth",
    params(("token" = String, Path, description = "From the invitation's link")),
    request_body = Acceptance,
    responses(
        (status = 204, description = "Joined and signed in: the session cookie is set"),
        (status = 400, description = "`bad_json`", body = ErrorBody),
        (status = 415, description = "`unsupported_media_type`: send application/json", body = ErrorBody),
        (status = 404, description = "`not_found`: no such invitation, or used, withdrawn or expired", body = ErrorBody),
        (status = 422, description = "`validation`: the password is too short, too common or the email", body = ErrorBody),
    )
)]
pub async fn accept(
    State(state): State<AppState>,
    Path(token): Path<String>,
    headers: axum::http::HeaderMap,
    ApiJson(body): ApiJson<Acceptance>,
) -> Result<Response, ApiError> {
    let staff = state.store.accept_invitation(&token, &body.password).await?;
    let cookie = app::ssr::session_cookie_for(&state.store, &staff, &headers).await?;
    Ok((StatusCode::NO_CONTENT, [(header::SET_COOKIE, cookie.to_string())]).into_response())
}
