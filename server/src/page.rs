//! Hark's own pages rendered on the server (the tracking page, the demo shop): whole
//! HTML documents from Leptos views, so every value is escaped by construction.

use leptos::prelude::*;

/// A whole HTML document in the language `lang` (a BCP 47 tag), with `head` (style
/// sheets, scripts) and `body`.
pub fn document<H, B>(
    lang: &str,
    title: String,
    head: impl FnOnce() -> H + 'static,
    body: impl FnOnce() -> B + 'static,
) -> String
where
    H: IntoView + 'static,
    B: IntoView + 'static,
{
    let lang = lang.to_owned();
    let owner = Owner::new();
    let html = owner.with(move || {
        view! {
            <html lang=lang>
                <head>
                    <meta charset="utf-8" />
                    <meta name="viewport" content="width=device-width, initial-scale=1" />
                    <meta name="color-scheme" content="light dark" />
                    <title>{title}</title>
                    {head()}
                </head>
                <body>{body()}</body>
            </html>
        }
        .to_html()
    });
    format!("<!doctype html>{html}")
}
