//! Browser assets built by `cargo xtask build`: the widget's loader, the content-hashed
//! bundles under `/pkg`, and the favicon.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use serde::Deserialize;
use std::path::{Path, PathBuf};
use tower_http::services::{ServeDir, ServeFile};
use tower_http::set_header::SetResponseHeaderLayer;

/// The content-hashed file names of this build, from `manifest.json` in the site folder.
#[derive(Debug, Default, Clone, Deserialize)]
pub struct Assets {
    /// The admin's hydrate entry (under `/pkg/`).
    pub admin_js: String,
    /// The admin's (and Hark's own pages') stylesheet (under `/pkg/`).
    pub admin_css: String,
    #[serde(skip)]
    pub site_dir: PathBuf,
}

impl Assets {
    /// Reads the manifest; without one (assets not built) the API still serves and
    /// the pages say what to run.
    pub fn load(site_dir: &Path) -> Self {
        let path = site_dir.join("manifest.json");
        let mut assets = std::fs::read_to_string(&path)
            .ok()
            .and_then(|text| serde_json::from_str::<Assets>(&text).ok())
            .unwrap_or_else(|| {
                tracing::warn!(path = %path.display(), "no browser assets: run `cargo xtask build`");
                Assets::default()
            });
        assets.site_dir = site_dir.to_path_buf();
        assets
    }

    pub fn built(&self) -> bool {
        !self.admin_js.is_empty()
    }
}

const IMMUTABLE: &str = "public, max-age=31536000, immutable";
/// Merchants' pages load the widget from another origin; `/pkg` files are public.
const ANY_ORIGIN: &str = "*";

pub fn router(assets: &Assets) -> Router {
    // Files sent as they were built, brotli- or gzip-compressed as the browser accepts
    // (so a cache on the way must keep one copy per encoding), cached for `cache`, to any
    // origin.
    let public = |cache: &'static str| {
        tower::ServiceBuilder::new()
            .layer(SetResponseHeaderLayer::if_not_present(header::VARY, HeaderValue::from_static("accept-encoding")))
            .layer(SetResponseHeaderLayer::overriding(header::CACHE_CONTROL, HeaderValue::from_static(cache)))
            .layer(SetResponseHeaderLayer::overriding(
                header::ACCESS_CONTROL_ALLOW_ORIGIN,
                HeaderValue::from_static(ANY_ORIGIN),
            ))
    };
    let pkg = ServeDir::new(assets.site_dir.join("pkg")).precompressed_br().precompressed_gzip();
    let pkg = public(IMMUTABLE).service(pkg);
    // The loader's URL never changes, so it is cached briefly; what it loads is hashed.
    let loader = ServeFile::new(assets.site_dir.join("widget.js")).precompressed_br().precompressed_gzip();
    let loader = public("public, max-age=300").service(loader);
    let router = if assets.built() {
        Router::new().route_service("/widget.js", loader)
    } else {
        Router::new().route("/widget.js", get(|| async { not_built() }))
    };
    router.nest_service("/pkg", pkg).route("/favicon.ico", get(favicon)).route("/favicon.svg", get(favicon))
}

fn not_built() -> Response {
    (StatusCode::SERVICE_UNAVAILABLE, "Hark's browser assets are not built: run `cargo xtask build`.").into_response()
}

async fn favicon() -> Response {
    (
        [(header::CONTENT_TYPE, "image/svg+xml"), (header::CACHE_CONTROL, "public, max-age=86400")],
        include_str!("../../style/favicon.svg"),
    )
        .into_response()
}
