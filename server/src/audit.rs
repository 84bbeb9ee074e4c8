//! `GET /api/v1/admin/audit` (owners): who changed the organisation's setup, and who
//! signed in, newest first.

use crate::admin::Owner;
use crate::error::{ApiError, ErrorBody};
use crate::state::AppState;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::Json;
use hark_core::model::AuditEntry;
use serde::{Deserialize, Serialize};

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct AuditQuery {
    /// From the previous page's `next_cursor`.
    cursor: Option<String>,
    /// 1 to 100 (default 50).
    limit: Option<i64>,
}

/// A page of the audit log.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct AuditPage {
    items: Vec<AuditEntry>,
    next_cursor: Option<String>,
}

#[utoipa::path(
    get, path = "/api/v1/admin/audit", tag = "admin",
    params(AuditQuery),
    responses(
        (status = 200, description = "Newest first: changes to sites, people, invitations, tokens and roles, password changes and sign-ins, with who, when and from which address", body = AuditPage),
        (status = 400, description = "`bad_json`: an unknown parameter", body = ErrorBody),
        (status = 401, description = "`unauthorized`", body = ErrorBody),
        (status = 403, description = "`forbidden`: owners only", body = ErrorBody),
        (status = 422, description = "`validation`: a cursor this log did not give", body = ErrorBody),
    ),
    security(("bearer" = []), ("session" = []))
)]
pub async fn audit_log(
    State(state): State<AppState>,
    Owner(owner): Owner,
    query: Result<Query<AuditQuery>, QueryRejection>,
) -> Result<Json<AuditPage>, ApiError> {
    let Query(query) = query.map_err(|e| ApiError::bad_json(e.body_text()))?;
    let limit = query.limit.unwrap_or(50);
    let (items, next_cursor) = state.store.audit_log(&owner.org_id, query.cursor.as_deref(), limit).await?;
    Ok(Json(AuditPage { items, next_cursor }))
}
