//! Server functions: the admin UI's calls to the server. Their bodies run only there.

use hark_core::model::{QueueItem, StaffMember};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// The first page of the queue and who is looking at it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct QueueView {
    pub staff: StaffMember,
    pub items: Vec<QueueItem>,
    pub next_cursor: Option<String>,
}

pub const NOT_SIGNED_IN: &str = "Your session has ended. Sign in again.";

/// Why a sign-in did not go through; `code` travels in the sign-in page's URL when the
/// browser posted the form without script.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LoginProblem {
    Credentials,
    Busy,
}

impl LoginProblem {
    pub fn code(self) -> &'static str {
        match self {
            LoginProblem::Credentials => "credentials",
            LoginProblem::Busy => "busy",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        [LoginProblem::Credentials, LoginProblem::Busy].into_iter().find(|p| p.code() == code)
    }

    pub fn message(self) -> &'static str {
        match self {
            LoginProblem::Credentials => "Wrong email or password.",
            LoginProblem::Busy => "Hark is busy checking other sign-ins. Try again in a moment.",
        }
    }

    #[cfg(feature = "ssr")]
    fn status(self) -> axum::http::StatusCode {
        match self {
            LoginProblem::Credentials => axum::http::StatusCode::UNAUTHORIZED,
            LoginProblem::Busy => axum::http::StatusCode::SERVICE_UNAVAILABLE,
        }
    }
}

#[server(prefix = "/admin/fn", endpoint = "login")]
pub async fn login(email: String, password: String) -> Result<(), ServerFnError> {
    use crate::ssr::{internal, refuse, AdminContext};
    let context = expect_context::<AdminContext>();
    let problem = match crate::ssr::sign_in(&context.store, &email, &password, context.secure_cookies).await {
        Ok(cookie) => Ok(cookie),
        Err(hark_core::Error::BadCredentials) => Err(LoginProblem::Credentials),
        Err(hark_core::Error::Busy) => {
            if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
                response.insert_header(axum::http::header::RETRY_AFTER, axum::http::HeaderValue::from_static("1"));
            }
            Err(LoginProblem::Busy)
        }
        Err(other) => return Err(internal(other)),
    };
    let cookie = match problem {
        Ok(cookie) => cookie,
        // A browser without script posted the form itself: back to the sign-in page,
        // which says what went wrong, instead of a bare error body.
        Err(problem) if crate::ssr::is_plain_form_post() => {
            leptos_axum::redirect(&format!("/admin/login?problem={}", problem.code()));
            return Err(ServerFnError::new(problem.message()));
        }
        Err(problem) => return Err(refuse(problem.status(), problem.message())),
    };
    set_cookie(&cookie.to_string());
    leptos_axum::redirect("/admin");
    Ok(())
}

#[server(prefix = "/admin/fn", endpoint = "logout")]
pub async fn logout() -> Result<(), ServerFnError> {
    use crate::ssr::{internal, AdminContext};
    let context = expect_context::<AdminContext>();
    let headers = use_context::<axum::http::request::Parts>().map(|p| p.headers).unwrap_or_default();
    let clear = crate::ssr::sign_out(&context.store, &headers).await.map_err(internal)?;
    set_cookie(&clear);
    leptos_axum::redirect("/admin/login");
    Ok(())
}

#[server(prefix = "/admin/fn", endpoint = "queue")]
pub async fn load_queue() -> Result<QueueView, ServerFnError> {
    use crate::ssr::{current_staff, internal, refuse, AdminContext};
    let context = expect_context::<AdminContext>();
    let Some(staff) = current_staff().await? else {
        return Err(refuse(axum::http::StatusCode::UNAUTHORIZED, NOT_SIGNED_IN));
    };
    let (items, next) = context.store.queue(&staff.org_id, &Default::default(), 50, None).await.map_err(internal)?;
    Ok(QueueView { staff: staff.member, items, next_cursor: next.map(|c| c.encode()) })
}

#[cfg(feature = "ssr")]
fn set_cookie(value: &str) {
    use axum::http::{header, HeaderValue};
    if let (Some(response), Ok(value)) = (use_context::<leptos_axum::ResponseOptions>(), HeaderValue::from_str(value)) {
        response.append_header(header::SET_COOKIE, value);
    }
}
