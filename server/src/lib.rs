#![recursion_limit = "256"]
//! The `hark` server: public collector, admin API and UI, widget assets.

pub mod admin;
pub mod assets;
pub mod audit;
pub mod body;
pub mod bootstrap;
pub mod cli;
pub mod config;
pub mod demo;
pub mod error;
pub mod events;
pub mod export;
pub mod form;
pub mod health;
pub mod indexer;
pub mod ingest;
pub mod insights;
pub mod json;
pub mod listen;
pub mod mail;
pub mod openapi;
pub mod page;
pub mod people;
pub mod ratelimit;
pub mod request_limits;
pub mod sites;
pub mod state;
pub mod telemetry;
pub mod telemetry_metrics;
pub mod tokens;
pub mod track;
mod ui;

pub use state::AppState;

use axum::error_handling::HandleErrorLayer;
use axum::http::header::{CACHE_CONTROL, X_CONTENT_TYPE_OPTIONS};
use axum::http::HeaderValue;
use axum::Router;
use tower::ServiceBuilder;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::trace::TraceLayer;
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;

/// The whole HTTP surface, every path in this one table (the admin's pages come from
/// the admin app's own route list); shared by `hark serve` and the tests. The API's
/// routes are read from their handlers' OpenAPI annotations (utoipa-axum), so the
/// description at `/api/v1/openapi.json` is made from the same table.
pub fn router(state: AppState) -> Router {
    use axum::routing::{get, post};
    use utoipa_axum::routes;
    // Shoppers' browsers and merchants' servers.
    let (collector, collector_paths) = OpenApiRouter::<AppState>::new()
        .routes(routes!(ingest::site_config))
        .routes(routes!(ingest::submit))
        .split_for_parts();
    let collector = collector
        // Set before the CORS layer so that it wraps this fallback too: preflights
        // (OPTIONS) are answered by the layer, not refused as a method not allowed.
        .method_not_allowed_fallback(|| async { error::ApiError::method_not_allowed() })
        .layer(ingest::cors(&state));
    // Staff: a bearer token or the admin's session cookie.
    let staff = OpenApiRouter::<AppState>::new()
        .routes(routes!(admin::list_submissions))
        .routes(routes!(admin::count_submissions))
        .routes(routes!(export::export_csv))
        .routes(routes!(events::events))
        .routes(routes!(admin::bulk_change))
        .routes(routes!(admin::get_submission, admin::patch_submission))
        .routes(routes!(admin::add_note))
        .routes(routes!(admin::add_reply))
        .routes(routes!(admin::list_saved_replies, admin::create_saved_reply))
        .routes(routes!(admin::update_saved_reply, admin::delete_saved_reply))
        .routes(routes!(admin::login))
        .routes(routes!(admin::logout))
        .routes(routes!(admin::change_password))
        .routes(routes!(admin::me, admin::update_me))
        .routes(routes!(admin::get_org, admin::update_org))
        .routes(routes!(tokens::list_tokens, tokens::create_token))
        .routes(routes!(tokens::revoke_token))
        .routes(routes!(people::list_people, people::invite))
        .routes(routes!(people::change_role, people::remove_person))
        .routes(routes!(people::revoke_invitation))
        .routes(routes!(people::accept))
        .routes(routes!(sites::admin::list_sites, sites::admin::create_site))
        .routes(routes!(sites::admin::get_site, sites::admin::update_site))
        .routes(routes!(sites::admin::rotate_secret))
        .routes(routes!(audit::audit_log))
        .routes(routes!(insights::metrics))
        .routes(routes!(insights::metrics_csv))
        .routes(routes!(insights::list_marks, insights::create_mark))
        .routes(routes!(insights::delete_mark))
        .layer(axum::extract::DefaultBodyLimit::max(json::MAX_BODY))
        // Shoppers' emails and messages: never kept by a cache on the way.
        .layer(SetResponseHeaderLayer::overriding(CACHE_CONTROL, HeaderValue::from_static("no-store")));
    // Shoppers following their submission: the JSON and the page.
    let tracking = OpenApiRouter::<AppState>::new()
        .routes(routes!(track::track_json))
        .routes(routes!(track::message_json))
        .routes(routes!(track::recovery_json))
        .route("/track/{token}", get(track::page))
        .route("/track/{token}/messages", post(track::message_form))
        .route("/track/{token}/recovery", post(track::recovery_form))
        .layer(axum::extract::DefaultBodyLimit::max(json::MAX_BODY));
    let (api, description) = OpenApiRouter::with_openapi(openapi::ApiDoc::openapi())
        .merge(OpenApiRouter::with_openapi(collector_paths))
        .merge(staff)
        .merge(tracking)
        .split_for_parts();
    let routes = Router::new()
        .merge(collector)
        .merge(api)
        .merge(ui::pages(&state))
        .route("/f/{site_key}", get(form::show).post(form::send))
        .route_service("/widget.js", assets::loader(&state.assets))
        .nest_service("/pkg", assets::bundles(&state.assets))
        .route("/favicon.ico", get(assets::favicon))
        .route("/favicon.svg", get(assets::favicon))
        .route("/pages.css", get(track::stylesheet))
        .route("/local-time.js", get(track::local_time_script))
        .route("/", get(|| async { axum::response::Redirect::to("/admin") }))
        .route("/demo", get(demo::demo))
        .route("/demo/shop.css", get(demo::demo_css))
        .route("/healthz", get(|| async { "ok" }))
        .route("/readyz", get(health::ready))
        .route("/api/v1/openapi.json", get(move || std::future::ready(axum::Json(description.clone()))))
        .fallback(|| async { error::ApiError::not_found("no such page") })
        .method_not_allowed_fallback(|| async { error::ApiError::method_not_allowed() })
        // Inside the routing: it labels by the matched route.
        .layer(telemetry_metrics::TrackLayer)
        .with_state(state.clone());
    // Around the routes once, not around each route: `Router::layer` would box a copy of
    // every layer for every request.
    let stack = ServiceBuilder::new()
        .layer(SetRequestIdLayer::x_request_id(MakeRequestUuid))
        .layer(TraceLayer::new_for_http().make_span_with(telemetry::make_span))
        .layer(PropagateRequestIdLayer::x_request_id())
        .layer(CatchPanicLayer::custom(error::panic_response))
        // A slow client (or a stuck dependency) cannot hold a request open for long.
        .layer(SetResponseHeaderLayer::if_not_present(X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff")))
        .layer(HandleErrorLayer::new(|_: tower::BoxError| async { error::ApiError::timeout() }))
        .layer(request_limits::RequestLimitsLayer)
        .timeout(state.config.request_timeout)
        .service(routes);
    Router::new().fallback_service(stack)
}
