//! Browser assets built by `cargo xtask build`: the widget's loader, the content-hashed
//! bundles under `/pkg`, and the favicon.

use axum::extract::Request;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use std::convert::Infallible;
use std::path::{Path, PathBuf};
use tower::util::BoxCloneSyncService;
use tower::{Service, ServiceExt};
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

/// A service answering with built files (the route table gives each its path).
pub type Files = BoxCloneSyncService<Request, Response, Infallible>;

/// Files sent as they were built, brotli- or gzip-compressed as the browser accepts (so a
/// cache on the way must keep one copy per encoding), cached for `cache`, to any origin.
fn public<S>(cache: &'static str, files: S) -> Files
where
    S: Service<Request, Error = Infallible> + Clone + Send + Sync + 'static,
    S::Response: IntoResponse,
    S::Future: Send + 'static,
{
    let layers = tower::ServiceBuilder::new()
        .layer(SetResponseHeaderLayer::if_not_present(header::VARY, HeaderValue::from_static("accept-encoding")))
        .layer(SetResponseHeaderLayer::overriding(header::CACHE_CONTROL, HeaderValue::from_static(cache)))
        .layer(SetResponseHeaderLayer::overriding(
            header::ACCESS_CONTROL_ALLOW_ORIGIN,
            HeaderValue::from_static(ANY_ORIGIN),
        ));
    BoxCloneSyncService::new(layers.service(files.map_response(IntoResponse::into_response)))
}

/// `/widget.js`: its URL never changes, so it is cached briefly; what it loads is hashed.
/// Before a build, an answer that says what to run.
pub fn loader(assets: &Assets) -> Files {
    if assets.built() {
        let loader = ServeFile::new(assets.site_dir.join("widget.js")).precompressed_br().precompressed_gzip();
        public("public, max-age=300", loader)
    } else {
        BoxCloneSyncService::new(tower::service_fn(|_: Request| async { Ok(not_built()) }))
    }
}

/// `/pkg/…`: the content-hashed bundles, cached for a year.
pub fn bundles(assets: &Assets) -> Files {
    public(IMMUTABLE, ServeDir::new(assets.site_dir.join("pkg")).precompressed_br().precompressed_gzip())
}

fn not_built() -> Response {
    (StatusCode::SERVICE_UNAVAILABLE, "Hark's browser assets are not built: run `cargo xtask build`.").into_response()
}

pub async fn favicon() -> Response {
    (
        [(header::CONTENT_TYPE, "image/svg+xml"), (header::CACHE_CONTROL, "public, max-age=86400")],
        include_str!("../../style/favicon.svg"),
    )
        .into_response()
}
