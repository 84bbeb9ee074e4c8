//! Browser assets built by `cargo xtask build`, the demo shop, and health checks.

use crate::state::AppState;
use axum::extract::State;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Response};
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

pub fn router(state: AppState) -> Router {
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
    let pkg = ServeDir::new(state.assets.site_dir.join("pkg")).precompressed_br().precompressed_gzip();
    let pkg = public(IMMUTABLE).service(pkg);
    // The loader's URL never changes, so it is cached briefly; what it loads is hashed.
    let loader = ServeFile::new(state.assets.site_dir.join("widget.js")).precompressed_br().precompressed_gzip();
    let loader = public("public, max-age=300").service(loader);
    let router = if state.assets.built() {
        Router::new().route_service("/widget.js", loader)
    } else {
        Router::new().route("/widget.js", get(|| async { not_built() }))
    };
    router
        .nest_service("/pkg", pkg)
        .route("/", get(|| async { axum::response::Redirect::to("/admin") }))
        .route("/demo", get(demo))
        .route("/demo/shop.css", get(demo_css))
        .route("/favicon.ico", get(favicon))
        .route("/favicon.svg", get(favicon))
        .route("/healthz", get(|| async { "ok" }))
        .route("/readyz", get(ready))
        .with_state(state)
}

fn not_built() -> Response {
    (StatusCode::SERVICE_UNAVAILABLE, "Hark's browser assets are not built: run `cargo xtask build`.").into_response()
}

async fn ready(State(state): State<AppState>) -> Response {
    if state.store.ping().await {
        "ready".into_response()
    } else {
        (StatusCode::SERVICE_UNAVAILABLE, "database unreachable").into_response()
    }
}

/// The policy a strict merchant would set; the demo shop proves the widget lives with it.
pub const DEMO_CSP: &str = "default-src 'none'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; \
                            connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'self'";

/// A shop page that embeds Hark exactly as a merchant would.
async fn demo(State(state): State<AppState>) -> Response {
    let snippet = match state.store.setting(crate::bootstrap::DEMO_SITE_SETTING).await {
        Ok(Some(site_key)) => state.config.snippet(&site_key),
        _ => {
            return (StatusCode::NOT_FOUND, Html(page("No demo", "<p>This Hark has no demo site.</p>"))).into_response()
        }
    };
    let html = format!(
        r#"<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Demo shop — with Hark</title>
<link rel="stylesheet" href="/demo/shop.css">
{snippet}
</head>
<body>
<header class="shop-header"><strong>Northwind Goods</strong><nav><a href="/demo">Shop</a> · <a href="/demo">Cart (1)</a></nav></header>
<main>
<h1>Thank you for your order!</h1>
<p>Order <strong>#NW-1042</strong> is confirmed. This is a demo shop: the feedback button in the corner is Hark's widget, embedded with the one tag a merchant pastes.</p>
<section class="product"><div class="swatch" aria-hidden="true"></div><div><h2>Linen throw, sand</h2><p>€49.00 · arrives Thursday</p></div></section>
</main>
</body>
</html>"#
    );
    ([(header::CONTENT_SECURITY_POLICY, DEMO_CSP)], Html(html)).into_response()
}

async fn demo_css() -> Response {
    (
        [(header::CONTENT_TYPE, "text/css; charset=utf-8"), (header::CACHE_CONTROL, "public, max-age=300")],
        include_str!("../../style/demo.css"),
    )
        .into_response()
}

async fn favicon() -> Response {
    (
        [(header::CONTENT_TYPE, "image/svg+xml"), (header::CACHE_CONTROL, "public, max-age=86400")],
        include_str!("../../style/favicon.svg"),
    )
        .into_response()
}

/// Escapes text for HTML.
pub fn escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;").replace('\'', "&#39;")
}

/// A plain page of Hark's own (tracking receipts and the like); `body` is trusted HTML.
pub fn page(title: &str, body: &str) -> String {
    page_in("en", title, body)
}

/// A plain page in the language `lang` (a BCP 47 tag).
pub fn page_in(lang: &str, title: &str, body: &str) -> String {
    format!(
        "<!doctype html><html lang=\"{lang}\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{title} — Hark</title></head><body><main class=\"plain\">{body}</main></body></html>",
        title = escape(title)
    )
}
