//! The OpenAPI 3 description of the HTTP API, served at `/api/v1/openapi.json`: what is
//! said of the whole API here, and each path from its handler's annotation as the route
//! table (`crate::router`) registers it.

use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

#[derive(OpenApi)]
#[openapi(
    info(title = "Hark API", version = "1", description = "Hear your shop's customers. The contract: docs/API.md."),
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
