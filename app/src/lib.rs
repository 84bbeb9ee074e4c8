//! Hark's admin UI: staff sign in and work through the queue.

#![recursion_limit = "256"]

pub mod api;
mod detail;
pub mod i18n;
mod insights;
mod live;
mod login;
mod people;
mod queue;
mod settings;
mod sites;

#[cfg(feature = "ssr")]
pub mod ssr;

use leptos::prelude::*;
use leptos_meta::{provide_meta_context, Title};
use leptos_router::components::{Route, Router, Routes};
use leptos_router::{path, SsrMode};

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    view! {
        <Title text="Hark" />
        <Router>
            <Routes fallback=|| view! { <main class="page"><p>"This page does not exist."</p></main> }>
                // Each page is sent whole once its data is loaded (a few milliseconds):
                // without script, streamed parts would stay hidden.
                <Route path=path!("/admin") view=queue::QueuePage ssr=SsrMode::Async />
                <Route path=path!("/admin/login") view=login::LoginPage ssr=SsrMode::Async />
                <Route path=path!("/admin/submissions/:id") view=detail::DetailPage ssr=SsrMode::Async />
                <Route path=path!("/admin/settings") view=settings::SettingsPage ssr=SsrMode::Async />
                <Route path=path!("/admin/people") view=people::PeoplePage ssr=SsrMode::Async />
                <Route path=path!("/admin/invite/:token") view=people::InvitePage ssr=SsrMode::Async />
                <Route path=path!("/admin/sites") view=sites::SitesPage ssr=SsrMode::Async />
                <Route path=path!("/admin/sites/:id") view=sites::SitePage ssr=SsrMode::Async />
                <Route path=path!("/admin/audit") view=sites::AuditPage ssr=SsrMode::Async />
                <Route path=path!("/admin/insights") view=insights::InsightsPage ssr=SsrMode::Async />
            </Routes>
        </Router>
    }
}

#[cfg(feature = "hydrate")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_body(App);
}
