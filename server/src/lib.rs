//! The `hark` server: public collector, admin API and UI, widget assets.

pub mod admin;
pub mod assets;
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
pub mod json;
pub mod listen;
pub mod mail;
pub mod openapi;
pub mod page;
pub mod ratelimit;
pub mod request_limits;
pub mod shopper_text;
pub mod sites;
pub mod state;
pub mod telemetry;
pub mod telemetry_metrics;
pub mod track;
mod ui;

pub use state::AppState;

use axum::error_handling::HandleErrorLayer;
use axum::http::header::X_CONTENT_TYPE_OPTIONS;
use axum::http::HeaderValue;
use axum::Router;
use tower::ServiceBuilder;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::trace::TraceLayer;

/// The whole HTTP surface; shared by `hark serve` and the tests.
pub fn router(state: AppState) -> Router {
    let routes = Router::new()
        .merge(ingest::router(state.clone()))
        .merge(admin::router(state.clone()))
        .merge(assets::router(&state.assets))
        .merge(demo::router(state.clone()))
        .merge(health::router(state.clone()))
        .merge(form::router(state.clone()))
        .merge(track::router(state.clone()))
        .merge(ui::router(state.clone()))
        .route("/api/v1/openapi.json", axum::routing::get(openapi::serve))
        .fallback(|| async { error::ApiError::not_found("no such page") })
        .method_not_allowed_fallback(|| async { error::ApiError::method_not_allowed() })
        // Inside the routing: it labels by the matched route.
        .layer(telemetry_metrics::TrackLayer);
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
