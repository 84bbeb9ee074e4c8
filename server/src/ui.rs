//! The admin UI: Leptos pages rendered here and hydrated in the browser.

use crate::state::AppState;
use app::ssr::{shell, AdminContext, INTERNAL_ERROR_HEADER};
use app::App;
use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Router;
use leptos::prelude::provide_context;
use leptos_axum::{generate_route_list, LeptosRoutes};
use tower_http::set_header::SetResponseHeaderLayer;

const LOGIN_PATH: &str = "/admin/login";
const SERVER_FN_PREFIX: &str = "/admin/fn/";
const INVITE_PREFIX: &str = "/admin/invite/";

/// The admin's pages: their paths are the admin app's own route list (`app::App`).
pub fn pages(state: &AppState) -> Router<AppState> {
    let context = AdminContext {
        store: state.store.clone(),
        public_url: state.config.public_url.clone(),
        script: state.assets.admin_js.clone(),
        stylesheet: state.assets.admin_css.clone(),
        mail: state.config.smtp.host.is_some(),
        composer: state.composer.clone(),
        invitation_mail: state.invitation_mail.clone(),
        site_changed: {
            let sites = state.sites.clone();
            std::sync::Arc::new(move |key: String| {
                let sites = sites.clone();
                Box::pin(async move { sites.forget(&key).await })
            })
        },
    };
    let options = state.leptos.clone();
    Router::new()
        .leptos_routes_with_context(
            state,
            generate_route_list(App),
            move || provide_context(context.clone()),
            move || shell(options.clone()),
        )
        .layer(middleware::from_fn_with_state(state.clone(), guard))
        // Staff pages hold shoppers' emails and messages: never kept by a cache, never
        // framed (the policy's `frame-ancestors`, and this for older browsers).
        .layer(SetResponseHeaderLayer::overriding(header::CACHE_CONTROL, HeaderValue::from_static("no-store")))
        .layer(SetResponseHeaderLayer::overriding(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY")))
        .layer(SetResponseHeaderLayer::overriding(header::REFERRER_POLICY, HeaderValue::from_static("same-origin")))
}

/// Pages other than sign-in need a session; server functions must come from our own
/// pages (the session cookie is SameSite=Strict, and the Origin is checked too).
async fn guard(State(state): State<AppState>, mut request: Request, next: Next) -> Response {
    let path = request.uri().path();
    if path.starts_with(SERVER_FN_PREFIX) {
        if request.method() != Method::GET && !app::ssr::same_origin_write(request.headers()) {
            return crate::error::ApiError::forbidden("cross-site request refused").into_response();
        }
        // Sign-ins are throttled per client address too.
        let peer = crate::ratelimit::PeerAddr::of(&request);
        let client = crate::ratelimit::client_ip(peer.0, request.headers(), &state.config.trusted_proxies);
        request.extensions_mut().insert(app::ssr::ClientAddr(client));
        let mut response = next.run(request).await;
        if response.status() == StatusCode::INTERNAL_SERVER_ERROR
            && response.headers_mut().remove(INTERNAL_ERROR_HEADER).is_none()
        {
            *response.status_mut() = StatusCode::BAD_REQUEST;
        }
        return response;
    }
    // Signing in, and joining by an invitation's link, need no session.
    if path == LOGIN_PATH || path.starts_with(INVITE_PREFIX) {
        return next.run(request).await;
    }
    let signed_in = match app::ssr::session_id(&state.store, request.headers()) {
        Some(id) => matches!(state.store.staff_by_session(&id).await, Ok(Some(_))),
        None => false,
    };
    if signed_in {
        next.run(request).await
    } else {
        Redirect::to(LOGIN_PATH).into_response()
    }
}
