//! The demo shop: a page that embeds Hark exactly as a merchant would, under the strict
//! Content-Security-Policy a careful merchant sets.

use crate::state::AppState;
use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use leptos::prelude::*;

/// The policy a strict merchant would set; the demo shop proves the widget lives with it.
pub const DEMO_CSP: &str = "default-src 'none'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; \
                            connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'self'";

/// `?site=KEY`: the demo shop with another site's widget, as a merchant tries a new
/// site's snippet before pasting it into their own shop.
#[derive(serde::Deserialize)]
pub struct DemoQuery {
    site: Option<String>,
}

pub async fn demo(
    State(state): State<AppState>,
    query: Result<axum::extract::Query<DemoQuery>, axum::extract::rejection::QueryRejection>,
) -> Response {
    let chosen = query.ok().and_then(|q| q.0.site).filter(|key| hark_core::store::is_site_key(key));
    let site_key = match chosen {
        Some(key) => Ok(Some(key)),
        None => state.store.setting(crate::bootstrap::DEMO_SITE_SETTING).await,
    };
    let Ok(Some(site_key)) = site_key else {
        let html = crate::page::document(
            "en",
            "No demo — Hark".into(),
            || (),
            || view! { <p>"This Hark has no demo site."</p> },
        );
        return (StatusCode::NOT_FOUND, Html(html)).into_response();
    };
    // The tag of `Config::snippet`, as the merchant pastes it.
    let widget = format!("{}/widget.js", state.config.public_url);
    let html = crate::page::document(
        "en",
        "Demo shop — with Hark".into(),
        move || {
            view! {
                <link rel="stylesheet" href="/demo/shop.css" />
                <script src=widget data-site=site_key defer></script>
            }
        },
        || view! { <DemoShop /> },
    );
    ([(header::CONTENT_SECURITY_POLICY, DEMO_CSP)], Html(html)).into_response()
}

#[component]
fn DemoShop() -> impl IntoView {
    view! {
        <header class="shop-header">
            <strong>"Northwind Goods"</strong>
            <nav><a href="/demo">"Shop"</a>" · "<a href="/demo">"Cart (1)"</a></nav>
        </header>
        <main>
            <h1>"Thank you for your order!"</h1>
            <p>
                "Order "<strong>"#NW-1042"</strong>" is confirmed. This is a demo shop: the feedback button in "
                "the corner is Hark's widget, embedded with the one tag a merchant pastes."
            </p>
            <section class="product">
                <div class="swatch" aria-hidden="true"></div>
                <div><h2>"Linen throw, sand"</h2><p>"€49.00 · arrives Thursday"</p></div>
            </section>
        </main>
    }
}

pub async fn demo_css() -> Response {
    (
        [(header::CONTENT_TYPE, "text/css; charset=utf-8"), (header::CACHE_CONTROL, "public, max-age=300")],
        include_str!("../../style/demo.css"),
    )
        .into_response()
}
