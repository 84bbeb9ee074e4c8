//! The OpenAPI 3 description of the HTTP API, generated from the handlers' annotations
//! and the types they return, served at `/api/v1/openapi.json`.

use axum::Json;
use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

#[derive(OpenApi)]
#[openapi(
    info(title = "Hark API", version = "1", description = "Hear your shop's customers. The contract: docs/API.md."),
    paths(
        crate::ingest::site_config,
        crate::ingest::submit,
        crate::track::track_json,
        crate::track::message_json,
        crate::track::recovery_json,
        crate::admin::list_submissions,
        crate::admin::count_submissions,
        crate::export::export_csv,
        crate::events::events,
        crate::admin::get_submission,
        crate::admin::patch_submission,
        crate::admin::bulk_change,
        crate::admin::add_note,
        crate::admin::add_reply,
        crate::admin::list_saved_replies,
        crate::admin::create_saved_reply,
        crate::admin::update_saved_reply,
        crate::admin::delete_saved_reply,
        crate::admin::login,
        crate::admin::logout,
        crate::admin::me,
        crate::admin::update_me,
        crate::admin::get_org,
        crate::admin::update_org,
    ),
    components(schemas(
        hark_core::submission::SubmissionRequest,
        hark_core::submission::DimensionsRequest,
        hark_core::submission::CustomerRequest,
        hark_core::model::QueueItem,
        hark_core::model::Kind,
        hark_core::model::Stage,
        hark_core::model::Status,
        hark_core::model::Priority,
        hark_core::model::EventKind,
        hark_core::model::Person,
        hark_core::model::TimelineEvent,
        hark_core::model::DimensionScores,
        hark_core::model::SubmissionDetail,
        hark_core::store::TrackedMessage,
        hark_core::store::Recovery,
    )),
    modifiers(&Security),
    tags(
        (name = "collector", description = "Public: called from shoppers' browsers and merchants' servers"),
        (name = "admin", description = "Staff: a bearer token or the admin's session cookie"),
        (name = "auth", description = "Signing in and out of the admin"),
    )
)]
pub struct ApiDoc;

struct Security;

impl Modify for Security {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
        components.add_security_scheme(
            "session",
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::new(hark_core::auth::SESSION_COOKIE))),
        );
    }
}

pub async fn serve() -> Json<utoipa::openapi::OpenApi> {
    Json(ApiDoc::openapi())
}
