//! Server functions: the admin UI's calls to the server. Their bodies run only there.
//! A form's fields are a function's arguments, one each (a plain form posts them so),
//! however many the form has.
#![allow(clippy::too_many_arguments)]

#[cfg(feature = "ssr")]
use hark_core::model::Status;
use hark_core::model::{Person, QueueItem, QueueParams, SavedReply, StaffMember, StatusCount, SubmissionDetail};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// A page of the queue, who is looking at it, and what the page needs to show it: every
/// time already written in the organisation's time zone, in the person's language.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct QueueView {
    pub staff: StaffMember,
    /// The admin's language for this person: their choice, else their browser's.
    pub lang: String,
    pub params: QueueParams,
    pub items: Vec<QueueItem>,
    pub next_cursor: Option<String>,
    pub counts: Vec<StatusCount>,
    pub people: Vec<Person>,
    pub clock: Clock,
    /// A refused filter's message; the page shows it instead of rows.
    pub problem: Option<String>,
}

/// Times as the organisation reads them, by their RFC 3339 text, and the moment the page
/// was made (for "overdue").
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Clock {
    pub zone: String,
    pub now: String,
    pub labels: std::collections::BTreeMap<String, String>,
}

impl Clock {
    pub fn label(&self, rfc3339: &str) -> String {
        self.labels.get(rfc3339).cloned().unwrap_or_else(|| rfc3339.to_owned())
    }

    /// Whether `due` (RFC 3339, UTC) has passed; both sides are UTC texts of one shape.
    pub fn is_past(&self, due: &str) -> bool {
        due < self.now.as_str()
    }
}

/// One submission, who is looking at it, and what its page offers them.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DetailView {
    pub staff: StaffMember,
    pub lang: String,
    pub detail: SubmissionDetail,
    pub people: Vec<Person>,
    pub saved_replies: Vec<SavedReply>,
    pub can_write: bool,
    /// Whether replies go out by email (SMTP configured).
    pub mail: bool,
    pub clock: Clock,
}

/// What a form's last answer refused, if it did.
pub fn refusal(answer: Option<Result<(), ServerFnError>>) -> Option<String> {
    answer.and_then(|r| r.err()).map(|e| error_text(&e))
}

/// What a failed server function says to the person using the admin, without the
/// framework's prefix.
pub fn error_text(err: &ServerFnError) -> String {
    err.to_string().trim_start_matches("error running server function: ").to_owned()
}

pub const NOT_SIGNED_IN: &str = "Your session has ended. Sign in again.";

/// Why a sign-in did not go through; `code` travels in the sign-in page's URL when the
/// browser posted the form without script.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LoginProblem {
    Credentials,
    Busy,
    /// Too many failures: wait this many seconds.
    Throttled(u64),
}

impl LoginProblem {
    pub fn code(self) -> &'static str {
        match self {
            LoginProblem::Credentials => "credentials",
            LoginProblem::Busy => "busy",
            LoginProblem::Throttled(_) => "throttled",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        [LoginProblem::Credentials, LoginProblem::Busy, LoginProblem::Throttled(0)]
            .into_iter()
            .find(|p| p.code() == code)
    }

    pub fn message(self, words: &'static crate::i18n::Words) -> &'static str {
        match self {
            LoginProblem::Credentials => words.wrong_credentials,
            LoginProblem::Busy => words.busy,
            LoginProblem::Throttled(_) => words.throttled,
        }
    }

    #[cfg(feature = "ssr")]
    fn status(self) -> axum::http::StatusCode {
        match self {
            LoginProblem::Credentials => axum::http::StatusCode::UNAUTHORIZED,
            LoginProblem::Busy => axum::http::StatusCode::SERVICE_UNAVAILABLE,
            LoginProblem::Throttled(_) => axum::http::StatusCode::TOO_MANY_REQUESTS,
        }
    }

    /// The seconds to wait before trying again, for `Retry-After`.
    #[cfg(feature = "ssr")]
    fn retry_after(self) -> Option<u64> {
        match self {
            LoginProblem::Credentials => None,
            LoginProblem::Busy => Some(1),
            LoginProblem::Throttled(seconds) => Some(seconds.max(1)),
        }
    }
}

#[server(prefix = "/admin/fn", endpoint = "login")]
pub async fn login(email: String, password: String) -> Result<(), ServerFnError> {
    use crate::ssr::{internal, refuse, AdminContext};
    let context = expect_context::<AdminContext>();
    let words = crate::i18n::words(&crate::ssr::browser_lang());
    let headers = crate::ssr::request_headers();
    let problem =
        match crate::ssr::sign_in(&context.store, &email, &password, crate::ssr::client_addr(), &headers).await {
            Ok(cookie) => Ok(cookie),
            Err(hark_core::Error::BadCredentials) => Err(LoginProblem::Credentials),
            Err(hark_core::Error::Busy) => Err(LoginProblem::Busy),
            Err(hark_core::Error::Throttled(seconds)) => Err(LoginProblem::Throttled(seconds)),
            Err(other) => return Err(internal(other)),
        };
    if let Some(seconds) = problem.as_ref().err().and_then(|p| p.retry_after()) {
        crate::ssr::retry_after(seconds);
    }
    let cookie = match problem {
        Ok(cookie) => cookie,
        // A browser without script posted the form itself: back to the sign-in page,
        // which says what went wrong, instead of a bare error body.
        Err(problem) if crate::ssr::is_plain_form_post() => {
            leptos_axum::redirect(&format!("/admin/login?problem={}", problem.code()));
            return Err(ServerFnError::new(problem.message(words)));
        }
        Err(problem) => return Err(refuse(problem.status(), problem.message(words))),
    };
    set_cookie(&cookie.to_string());
    leptos_axum::redirect("/admin");
    Ok(())
}

/// The sign-in page's language: the browser's.
#[server(prefix = "/admin/fn", endpoint = "login-language")]
pub async fn login_language() -> Result<String, ServerFnError> {
    Ok(crate::ssr::browser_lang())
}

#[server(prefix = "/admin/fn", endpoint = "logout")]
pub async fn logout() -> Result<(), ServerFnError> {
    use crate::ssr::{internal, AdminContext};
    let context = expect_context::<AdminContext>();
    let headers = crate::ssr::request_headers();
    let clear = crate::ssr::sign_out(&context.store, &headers).await.map_err(internal)?;
    set_cookie(&clear);
    leptos_axum::redirect("/admin/login");
    Ok(())
}

#[server(prefix = "/admin/fn", endpoint = "queue")]
pub async fn load_queue(#[server(default)] params: QueueParams) -> Result<QueueView, ServerFnError> {
    use crate::ssr::{clock, internal, lang_of, signed_in, AdminContext};
    let context = expect_context::<AdminContext>();
    let staff = signed_in().await?;
    let (items, next, problem) = match context.store.queue_page(&staff, &params).await {
        Ok((items, next)) => (items, next, None),
        Err(hark_core::Error::Validation(fields)) => (vec![], None, Some(crate::ssr::validation_text(&fields))),
        Err(hark_core::Error::NotFound) => (vec![], None, Some("cursor: not one of this queue's".to_owned())),
        Err(other) => return Err(internal(other)),
    };
    let counts = match hark_core::store::QueueFilter::parse(&params, &staff.user_id) {
        Ok(filter) => context.store.status_counts(&staff.org_id, &filter).await.map_err(internal)?,
        Err(_) => vec![],
    };
    let people = context.store.assignable_people(&staff.org_id).await.map_err(internal)?;
    let times = items.iter().flat_map(|i| [Some(&i.received_at), i.due_at.as_ref()]).flatten().cloned();
    let clock = clock(&staff.member.time_zone, times);
    Ok(QueueView {
        lang: lang_of(&staff),
        staff: staff.member,
        params,
        items,
        next_cursor: next.map(|c| c.encode()),
        counts,
        people,
        clock,
        problem,
    })
}

#[server(prefix = "/admin/fn", endpoint = "submission")]
pub async fn load_submission(id: String) -> Result<DetailView, ServerFnError> {
    use crate::ssr::{clock, internal, lang_of, refuse, signed_in, AdminContext};
    let context = expect_context::<AdminContext>();
    let staff = signed_in().await?;
    let detail = match context.store.submission(&staff.org_id, &id).await {
        Ok(detail) => detail,
        Err(hark_core::Error::NotFound) => {
            let words = crate::i18n::words(&lang_of(&staff));
            return Err(refuse(axum::http::StatusCode::NOT_FOUND, words.not_found));
        }
        Err(other) => return Err(internal(other)),
    };
    let people = context.store.assignable_people(&staff.org_id).await.map_err(internal)?;
    let saved_replies = context.store.saved_replies(&staff.org_id).await.map_err(internal)?;
    let item = &detail.item;
    let times = [
        Some(&item.received_at),
        item.first_response_due.as_ref(),
        item.resolution_due.as_ref(),
        item.first_response_at.as_ref(),
        item.resolved_at.as_ref(),
        item.due_at.as_ref(),
    ]
    .into_iter()
    .flatten()
    .chain(detail.timeline.iter().map(|e| &e.at))
    .cloned()
    .collect::<Vec<_>>();
    Ok(DetailView {
        lang: lang_of(&staff),
        can_write: hark_core::store::may_write(&staff),
        mail: context.mail,
        clock: clock(&staff.member.time_zone, times),
        staff: staff.member,
        detail,
        people,
        saved_replies,
    })
}

/// Sets what the triage form holds: `assignee` a person's id or empty for nobody, `tags`
/// comma-separated.
#[server(prefix = "/admin/fn", endpoint = "change")]
pub async fn change_submission(
    id: String,
    status: String,
    priority: String,
    assignee: String,
    tags: String,
) -> Result<(), ServerFnError> {
    use crate::ssr::{back_to, store_error, writer, AdminContext};
    let context = expect_context::<AdminContext>();
    let staff = writer().await?;
    let change = hark_core::store::Change {
        status: Some(status.parse().map_err(|e: String| ServerFnError::new(e))?),
        priority: Some(priority.parse().map_err(|e: String| ServerFnError::new(e))?),
        assignee: Some(Some(assignee).filter(|a| !a.is_empty())),
        tags: Some(tags.split(',').map(str::trim).filter(|t| !t.is_empty()).map(str::to_owned).collect()),
    };
    context.store.change(&staff, &id, &change).await.map_err(store_error)?;
    back_to(&id);
    Ok(())
}

#[server(prefix = "/admin/fn", endpoint = "note")]
pub async fn add_note(id: String, body: String) -> Result<(), ServerFnError> {
    use crate::ssr::{back_to, store_error, writer, AdminContext};
    let context = expect_context::<AdminContext>();
    let staff = writer().await?;
    context.store.add_note(&staff, &id, &body).await.map_err(store_error)?;
    back_to(&id);
    Ok(())
}

/// One change to many submissions: `ids` comma-separated, `action` one of `resolve`,
/// `open`, `spam`, `assign_me`.
#[server(prefix = "/admin/fn", endpoint = "bulk")]
pub async fn bulk_change(ids: String, action: String) -> Result<(), ServerFnError> {
    use crate::ssr::{store_error, writer, AdminContext};
    use hark_core::store::Change;
    let context = expect_context::<AdminContext>();
    let staff = writer().await?;
    let ids: Vec<String> = ids.split(',').map(str::trim).filter(|i| !i.is_empty()).map(str::to_owned).collect();
    if ids.is_empty() || ids.len() > 500 {
        return Err(ServerFnError::new("choose 1 to 500 submissions"));
    }
    let change = match action.as_str() {
        "resolve" => Change { status: Some(Status::Resolved), ..Default::default() },
        "open" => Change { status: Some(Status::Open), ..Default::default() },
        "spam" => Change { status: Some(Status::Spam), ..Default::default() },
        "assign_me" => Change { assignee: Some(Some(staff.user_id.clone())), ..Default::default() },
        other => return Err(ServerFnError::new(format!("no such action: {other}"))),
    };
    context.store.change_many(&staff, &ids, &change).await.map_err(store_error)?;
    if crate::ssr::is_plain_form_post() {
        leptos_axum::redirect("/admin");
    }
    Ok(())
}

/// A public reply; `status` empty keeps the status (a new submission becomes open).
#[server(prefix = "/admin/fn", endpoint = "reply")]
pub async fn send_reply(id: String, body: String, status: String) -> Result<(), ServerFnError> {
    use crate::ssr::{back_to, store_error, writer, AdminContext};
    let context = expect_context::<AdminContext>();
    let staff = writer().await?;
    let status = match status.as_str() {
        "" => None,
        text => Some(text.parse().map_err(|e: String| ServerFnError::new(e))?),
    };
    let compose = context.composer.clone();
    context.store.reply(&staff, &id, &body, status, &*compose).await.map_err(store_error)?;
    back_to(&id);
    Ok(())
}

#[cfg(feature = "ssr")]
fn set_cookie(value: &str) {
    use axum::http::{header, HeaderValue};
    if let (Some(response), Ok(value)) = (use_context::<leptos_axum::ResponseOptions>(), HeaderValue::from_str(value)) {
        response.append_header(header::SET_COOKIE, value);
    }
}

/// The settings page: one's own language, the organisation's time zone and saved
/// replies.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SettingsView {
    pub staff: StaffMember,
    pub lang: String,
    pub owner: bool,
    pub can_write: bool,
    pub saved_replies: Vec<SavedReply>,
    /// One's own API tokens; an owner's list holds everyone's.
    pub tokens: Vec<hark_core::model::ApiToken>,
    pub clock: Clock,
}

#[server(prefix = "/admin/fn", endpoint = "settings")]
pub async fn load_settings() -> Result<SettingsView, ServerFnError> {
    use crate::ssr::{clock, internal, lang_of, signed_in, AdminContext};
    let context = expect_context::<AdminContext>();
    let staff = signed_in().await?;
    let saved_replies = context.store.saved_replies(&staff.org_id).await.map_err(internal)?;
    let tokens = context.store.api_tokens(&staff).await.map_err(internal)?;
    let times = tokens.iter().flat_map(|t| [Some(&t.created_at), t.last_used_at.as_ref()]).flatten().cloned();
    let clock = clock(&staff.member.time_zone, times);
    Ok(SettingsView {
        lang: lang_of(&staff),
        owner: hark_core::store::may_configure(&staff),
        can_write: hark_core::store::may_write(&staff),
        saved_replies,
        tokens,
        clock,
        staff: staff.member,
    })
}

/// One's own language: `en`, `zh-CN`, or empty for the browser's.
#[server(prefix = "/admin/fn", endpoint = "language")]
pub async fn save_language(locale: String) -> Result<(), ServerFnError> {
    use crate::ssr::{signed_in, store_error, AdminContext};
    let context = expect_context::<AdminContext>();
    let staff = signed_in().await?;
    context.store.set_locale(&staff, Some(&locale)).await.map_err(store_error)?;
    crate::ssr::back_to_page("/admin/settings");
    Ok(())
}

#[server(prefix = "/admin/fn", endpoint = "time-zone")]
pub async fn save_time_zone(time_zone: String) -> Result<(), ServerFnError> {
    use crate::ssr::{lang_of, refuse, signed_in, store_error, AdminContext};
    let context = expect_context::<AdminContext>();
    let staff = signed_in().await?;
    if !hark_core::store::may_configure(&staff) {
        let words = crate::i18n::words(&lang_of(&staff));
        return Err(refuse(axum::http::StatusCode::FORBIDDEN, words.owners_only));
    }
    context.store.set_time_zone(&staff.org_id, &time_zone).await.map_err(store_error)?;
    crate::ssr::back_to_page("/admin/settings");
    Ok(())
}

/// A saved reply, new when `id` is empty.
#[server(prefix = "/admin/fn", endpoint = "saved-reply")]
pub async fn save_saved_reply(id: String, title: String, body: String) -> Result<(), ServerFnError> {
    use crate::ssr::{store_error, writer, AdminContext};
    let context = expect_context::<AdminContext>();
    let staff = writer().await?;
    let id = Some(id).filter(|i| !i.is_empty());
    context.store.save_reply(&staff.org_id, id.as_deref(), &title, &body).await.map_err(store_error)?;
    crate::ssr::back_to_page("/admin/settings");
    Ok(())
}

#[server(prefix = "/admin/fn", endpoint = "delete-saved-reply")]
pub async fn delete_saved_reply(id: String) -> Result<(), ServerFnError> {
    use crate::ssr::{store_error, writer, AdminContext};
    let context = expect_context::<AdminContext>();
    let staff = writer().await?;
    context.store.delete_saved_reply(&staff.org_id, &id).await.map_err(store_error)?;
    crate::ssr::back_to_page("/admin/settings");
    Ok(())
}

/// One's own password: the current one, then the new one; every other session of theirs
/// ends.
#[server(prefix = "/admin/fn", endpoint = "password")]
pub async fn change_password(current: String, new: String) -> Result<(), ServerFnError> {
    use crate::ssr::{client_addr, internal, lang_of, refuse, session_id, signed_in, AdminContext};
    use axum::http::StatusCode;
    let context = expect_context::<AdminContext>();
    let staff = signed_in().await?;
    let words = crate::i18n::words(&lang_of(&staff));
    let headers = crate::ssr::request_headers();
    let session = session_id(&context.store, &headers);
    match context.store.change_password(&staff, &current, &new, client_addr(), session.as_deref()).await {
        Ok(()) => {}
        Err(hark_core::Error::Validation(fields)) if fields.contains_key("current") => {
            return Err(refuse(StatusCode::UNPROCESSABLE_ENTITY, words.wrong_current_password));
        }
        Err(hark_core::Error::Validation(_)) => {
            return Err(refuse(StatusCode::UNPROCESSABLE_ENTITY, words.password_rules))
        }
        Err(hark_core::Error::Throttled(seconds)) => {
            crate::ssr::retry_after(seconds);
            return Err(refuse(StatusCode::TOO_MANY_REQUESTS, words.throttled));
        }
        Err(hark_core::Error::Busy) => return Err(refuse(StatusCode::SERVICE_UNAVAILABLE, words.busy)),
        Err(other) => return Err(internal(other)),
    }
    crate::ssr::back_to_page("/admin/settings");
    Ok(())
}

/// Makes an API token acting as the signed-in person; returns the token, shown once.
#[server(prefix = "/admin/fn", endpoint = "create-token")]
pub async fn create_token(name: String) -> Result<String, ServerFnError> {
    use crate::ssr::{lang_of, refuse, signed_in, store_error, AdminContext};
    let context = expect_context::<AdminContext>();
    let staff = signed_in().await?;
    match context.store.create_api_token(&staff, &name).await {
        Ok((_, token)) => Ok(token),
        Err(hark_core::Error::Validation(_)) => {
            let words = crate::i18n::words(&lang_of(&staff));
            Err(refuse(axum::http::StatusCode::UNPROCESSABLE_ENTITY, words.token_name_rules))
        }
        Err(other) => Err(store_error(other)),
    }
}

/// Revokes one of the tokens the signed-in person may see.
#[server(prefix = "/admin/fn", endpoint = "revoke-token")]
pub async fn revoke_token(id: String) -> Result<(), ServerFnError> {
    use crate::ssr::{signed_in, store_error, AdminContext};
    let context = expect_context::<AdminContext>();
    let staff = signed_in().await?;
    context.store.revoke_api_token(&staff, &id).await.map_err(store_error)?;
    crate::ssr::back_to_page("/admin/settings");
    Ok(())
}

/// Ends every session of the signed-in person, this one too.
#[server(prefix = "/admin/fn", endpoint = "sign-out-everywhere")]
pub async fn sign_out_everywhere() -> Result<(), ServerFnError> {
    use crate::ssr::{internal, signed_in, AdminContext};
    let context = expect_context::<AdminContext>();
    let staff = signed_in().await?;
    let headers = crate::ssr::request_headers();
    let clear = crate::ssr::sign_out(&context.store, &headers).await.map_err(internal)?;
    context.store.end_sessions_of(&staff.user_id, None).await.map_err(internal)?;
    set_cookie(&clear);
    leptos_axum::redirect("/admin/login");
    Ok(())
}

/// The people page (owners only): the organisation's people and open invitations.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PeopleView {
    pub staff: StaffMember,
    pub lang: String,
    /// The signed-in owner's own id.
    pub me: String,
    pub people: Vec<hark_core::model::Member>,
    pub invitations: Vec<hark_core::model::Invitation>,
    pub clock: Clock,
}

#[server(prefix = "/admin/fn", endpoint = "people")]
pub async fn load_people() -> Result<PeopleView, ServerFnError> {
    use crate::ssr::{clock, internal, lang_of, owner, AdminContext};
    let context = expect_context::<AdminContext>();
    let staff = owner().await?;
    let people = context.store.people(&staff.org_id).await.map_err(internal)?;
    let invitations = context.store.invitations(&staff.org_id).await.map_err(internal)?;
    let times = people.iter().map(|p| p.created_at.clone()).chain(invitations.iter().map(|i| i.expires_at.clone()));
    let clock = clock(&staff.member.time_zone, times);
    Ok(PeopleView { lang: lang_of(&staff), me: staff.user_id, staff: staff.member, people, invitations, clock })
}

/// Invites `email` as `role`; returns the link to send them, shown once.
#[server(prefix = "/admin/fn", endpoint = "invite")]
pub async fn invite_person(email: String, role: hark_core::model::Role) -> Result<String, ServerFnError> {
    use crate::ssr::{owner, store_error, AdminContext};
    let context = expect_context::<AdminContext>();
    let staff = owner().await?;
    let (_, token) =
        context.store.invite(&staff, &email, role, &*context.invitation_mail).await.map_err(store_error)?;
    Ok(format!("{}/admin/invite/{token}", context.public_url))
}

#[server(prefix = "/admin/fn", endpoint = "change-role")]
pub async fn change_role(id: String, role: hark_core::model::Role) -> Result<(), ServerFnError> {
    use crate::ssr::{owner, store_error, AdminContext};
    let context = expect_context::<AdminContext>();
    let staff = owner().await?;
    context.store.change_role(&staff, &id, role).await.map_err(store_error)?;
    crate::ssr::back_to_page("/admin/people");
    Ok(())
}

#[server(prefix = "/admin/fn", endpoint = "remove-person")]
pub async fn remove_person(id: String) -> Result<(), ServerFnError> {
    use crate::ssr::{owner, store_error, AdminContext};
    let context = expect_context::<AdminContext>();
    let staff = owner().await?;
    context.store.remove_person(&staff, &id).await.map_err(store_error)?;
    crate::ssr::back_to_page("/admin/people");
    Ok(())
}

#[server(prefix = "/admin/fn", endpoint = "withdraw-invitation")]
pub async fn withdraw_invitation(id: String) -> Result<(), ServerFnError> {
    use crate::ssr::{owner, store_error, AdminContext};
    let context = expect_context::<AdminContext>();
    let staff = owner().await?;
    context.store.revoke_invitation(&staff, &id).await.map_err(store_error)?;
    crate::ssr::back_to_page("/admin/people");
    Ok(())
}

/// An invitation's page: who invites whom, as what; `None` when used, withdrawn or
/// expired.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct InviteView {
    pub lang: String,
    pub open: Option<(String, String, hark_core::model::Role)>,
}

#[server(prefix = "/admin/fn", endpoint = "invitation")]
pub async fn load_invitation(token: String) -> Result<InviteView, ServerFnError> {
    use crate::ssr::{browser_lang, internal, AdminContext};
    let context = expect_context::<AdminContext>();
    let open = match context.store.invitation_by_token(&token).await {
        Ok((org, email, role)) => Some((org.name, email, role)),
        Err(hark_core::Error::NotFound) => None,
        Err(other) => return Err(internal(other)),
    };
    Ok(InviteView { lang: browser_lang(), open })
}

/// Accepts an invitation with the password chosen, and signs the new colleague in.
#[server(prefix = "/admin/fn", endpoint = "accept-invitation")]
pub async fn accept_invitation(token: String, password: String) -> Result<(), ServerFnError> {
    use crate::ssr::{browser_lang, internal, refuse, AdminContext};
    use axum::http::StatusCode;
    let context = expect_context::<AdminContext>();
    let words = crate::i18n::words(&browser_lang());
    let staff = match context.store.accept_invitation(&token, &password).await {
        Ok(staff) => staff,
        Err(hark_core::Error::Validation(_)) => {
            return Err(refuse(StatusCode::UNPROCESSABLE_ENTITY, words.password_rules))
        }
        Err(hark_core::Error::NotFound) => return Err(refuse(StatusCode::NOT_FOUND, words.invite_gone)),
        Err(other) => return Err(internal(other)),
    };
    let headers = crate::ssr::request_headers();
    let cookie = crate::ssr::session_cookie_for(&context.store, &staff, &headers).await.map_err(internal)?;
    set_cookie(&cookie.to_string());
    leptos_axum::redirect("/admin");
    Ok(())
}

/// The sites page (owners): the organisation's sites, and where each was seen.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SitesView {
    pub staff: StaffMember,
    pub lang: String,
    pub sites: Vec<hark_core::model::SiteSettings>,
    /// "3 minutes ago", by RFC 3339 time, in the person's language.
    pub ago: std::collections::BTreeMap<String, String>,
    pub clock: Clock,
}

/// One site's page (owners): its settings, the snippet and "Is it installed?".
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SiteView {
    pub staff: StaffMember,
    pub lang: String,
    pub site: hark_core::model::SiteSettings,
    pub ago: std::collections::BTreeMap<String, String>,
    pub clock: Clock,
}

#[cfg(feature = "ssr")]
fn ago_labels<'a>(
    lang: &str,
    times: impl IntoIterator<Item = &'a String>,
) -> std::collections::BTreeMap<String, String> {
    let words = crate::i18n::words(lang);
    let now = hark_core::store::now_millis();
    times
        .into_iter()
        .filter_map(|t| {
            let at: jiff::Timestamp = t.parse().ok()?;
            Some((t.clone(), words.ago((now - at.as_millisecond()).max(0) / 60_000)))
        })
        .collect()
}

#[server(prefix = "/admin/fn", endpoint = "sites")]
pub async fn load_sites() -> Result<SitesView, ServerFnError> {
    use crate::ssr::{clock, internal, lang_of, AdminContext};
    let context = expect_context::<AdminContext>();
    let staff = crate::ssr::owner_else(|w| w.setup.owners_only).await?;
    let sites = context.store.sites(&staff.org_id).await.map_err(internal)?;
    let sites = context.store.site_settings(&sites, &context.public_url, true).await.map_err(internal)?;
    let lang = lang_of(&staff);
    let seen_at: Vec<&String> = sites.iter().flat_map(|s| s.seen.iter().map(|s| &s.last_seen_at)).collect();
    let ago = ago_labels(&lang, seen_at.iter().copied());
    let clock = clock(&staff.member.time_zone, seen_at.into_iter().cloned());
    Ok(SitesView { lang, staff: staff.member, sites, ago, clock })
}

/// Adds a site: its name and origins (one a line, or separated by spaces or commas);
/// then to its page.
#[server(prefix = "/admin/fn", endpoint = "create-site")]
pub async fn create_site(name: String, origins: String) -> Result<(), ServerFnError> {
    use crate::ssr::{store_error, AdminContext};
    let context = expect_context::<AdminContext>();
    let staff = crate::ssr::owner_else(|w| w.setup.owners_only).await?;
    let new = hark_core::store::NewSite { name, allowed_origins: split_list(&origins), require_email: false };
    let site = context.store.add_site_by(&staff, new).await.map_err(store_error)?;
    leptos_axum::redirect(&format!("/admin/sites/{}", site.id));
    Ok(())
}

/// Origins as typed in a text box: one a line, or separated by spaces or commas.
pub fn split_list(text: &str) -> Vec<String> {
    text.split(|c: char| c == ',' || c.is_whitespace()).filter(|o| !o.is_empty()).map(str::to_owned).collect()
}

#[server(prefix = "/admin/fn", endpoint = "site")]
pub async fn load_site(id: String) -> Result<SiteView, ServerFnError> {
    use crate::ssr::{clock, internal, lang_of, refuse, AdminContext};
    let context = expect_context::<AdminContext>();
    let staff = crate::ssr::owner_else(|w| w.setup.owners_only).await?;
    let lang = lang_of(&staff);
    let site = match context.store.site(&staff.org_id, &id).await {
        Ok(site) => site,
        Err(hark_core::Error::NotFound) => {
            return Err(refuse(axum::http::StatusCode::NOT_FOUND, crate::i18n::words(&lang).not_found))
        }
        Err(other) => return Err(internal(other)),
    };
    let site = context.store.site_settings(&[site], &context.public_url, true).await.map_err(internal)?.remove(0);
    let times: Vec<&String> =
        site.seen.iter().map(|s| &s.last_seen_at).chain(site.previous_secret_until.as_ref()).collect();
    let ago = ago_labels(&lang, times.iter().copied());
    let clock = clock(&staff.member.time_zone, times.into_iter().cloned());
    Ok(SiteView { lang, staff: staff.member, site, ago, clock })
}

/// Saves a site's settings form. Categories one a line; a checkbox's field is present
/// when ticked.
#[server(prefix = "/admin/fn", endpoint = "save-site")]
pub async fn save_site(
    id: String,
    name: String,
    origins: String,
    categories: String,
    theme_color: String,
    kind_csat: Option<String>,
    kind_feedback: Option<String>,
    kind_complaint: Option<String>,
    require_email: Option<String>,
    disabled: Option<String>,
    first_response: i64,
    resolution: i64,
    key_first_response: i64,
    key_resolution: i64,
) -> Result<(), ServerFnError> {
    use crate::ssr::{store_error, AdminContext};
    use hark_core::model::{Kind, SiteChange, Sla};
    let context = expect_context::<AdminContext>();
    let staff = crate::ssr::owner_else(|w| w.setup.owners_only).await?;
    let kinds = [(Kind::Csat, kind_csat), (Kind::Feedback, kind_feedback), (Kind::Complaint, kind_complaint)];
    let change = SiteChange {
        name: Some(name),
        allowed_origins: Some(split_list(&origins)),
        categories: Some(categories.lines().map(str::to_owned).collect()),
        enabled_kinds: Some(kinds.into_iter().filter(|(_, on)| on.is_some()).map(|(k, _)| k).collect()),
        theme_color: Some(theme_color),
        require_email: Some(require_email.is_some()),
        disabled: Some(disabled.is_some()),
        sla: Some(Sla { first_response, resolution, key_first_response, key_resolution }),
    };
    let site = context.store.update_site(&staff, &id, &change).await.map_err(store_error)?;
    (context.site_changed)(site.site_key).await;
    crate::ssr::back_to_page(&format!("/admin/sites/{id}"));
    Ok(())
}

/// Gives a site a new signing secret; the old one verifies for `grace_minutes` more.
#[server(prefix = "/admin/fn", endpoint = "rotate-secret")]
pub async fn rotate_site_secret(id: String, grace_minutes: i64) -> Result<(), ServerFnError> {
    use crate::ssr::{store_error, AdminContext};
    let context = expect_context::<AdminContext>();
    let staff = crate::ssr::owner_else(|w| w.setup.owners_only).await?;
    let site = context.store.rotate_secret(&staff, &id, grace_minutes).await.map_err(store_error)?;
    (context.site_changed)(site.site_key).await;
    crate::ssr::back_to_page(&format!("/admin/sites/{id}"));
    Ok(())
}

/// A page of the audit log (owners).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AuditView {
    pub staff: StaffMember,
    pub lang: String,
    pub entries: Vec<hark_core::model::AuditEntry>,
    pub next_cursor: Option<String>,
    pub clock: Clock,
}

#[server(prefix = "/admin/fn", endpoint = "audit")]
pub async fn load_audit(#[server(default)] cursor: Option<String>) -> Result<AuditView, ServerFnError> {
    use crate::ssr::{clock, lang_of, store_error, AdminContext};
    let context = expect_context::<AdminContext>();
    let staff = crate::ssr::owner_else(|w| w.setup.owners_only).await?;
    let (entries, next_cursor) = context
        .store
        .audit_log(&staff.org_id, cursor.as_deref(), hark_core::store::AUDIT_PAGE)
        .await
        .map_err(store_error)?;
    let clock = clock(&staff.member.time_zone, entries.iter().map(|e| e.at.clone()));
    Ok(AuditView { lang: lang_of(&staff), staff: staff.member, entries, next_cursor, clock })
}

/// Adds `origin` (one the site was refused from) to the site's allowed origins.
#[server(prefix = "/admin/fn", endpoint = "allow-origin")]
pub async fn allow_site_origin(id: String, origin: String) -> Result<(), ServerFnError> {
    use crate::ssr::{store_error, AdminContext};
    let context = expect_context::<AdminContext>();
    let staff = crate::ssr::owner_else(|w| w.setup.owners_only).await?;
    let site = context.store.site(&staff.org_id, &id).await.map_err(store_error)?;
    let mut origins = site.allowed_origins;
    origins.push(origin);
    let change = hark_core::model::SiteChange { allowed_origins: Some(origins), ..Default::default() };
    let site = context.store.update_site(&staff, &id, &change).await.map_err(store_error)?;
    (context.site_changed)(site.site_key).await;
    crate::ssr::back_to_page(&format!("/admin/sites/{id}"));
    Ok(())
}

/// The insights page: the figures, the sites to choose from and their categories.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct InsightsView {
    pub staff: StaffMember,
    pub lang: String,
    pub metrics: hark_core::metrics::Metrics,
    /// Every site of the organisation: (id, name, categories).
    pub sites: Vec<(String, String, Vec<String>)>,
    /// The query the page was asked with, for the CSV link and the filters.
    pub query: String,
}

/// The figures for the insights page (every role reads them).
#[server(prefix = "/admin/fn", endpoint = "insights")]
pub async fn load_insights(
    #[server(default)] site: Option<String>,
    #[server(default)] from: Option<String>,
    #[server(default)] to: Option<String>,
    #[server(default)] interval: Option<String>,
) -> Result<InsightsView, ServerFnError> {
    use crate::ssr::{internal, lang_of, signed_in, store_error, AdminContext};
    use hark_core::metrics::{Interval, MetricsParams};
    let context = expect_context::<AdminContext>();
    let staff = signed_in().await?;
    let blank = |v: Option<String>| v.filter(|v| !v.trim().is_empty());
    let params = MetricsParams {
        site: blank(site),
        from: blank(from),
        to: blank(to),
        interval: match interval.as_deref() {
            Some("week") => Some(Interval::Week),
            Some("day") => Some(Interval::Day),
            _ => None,
        },
    };
    let metrics = context.store.metrics(&staff.org_id, &params).await.map_err(store_error)?;
    let sites = context
        .store
        .sites(&staff.org_id)
        .await
        .map_err(internal)?
        .into_iter()
        .map(|s| (s.id, s.name, s.categories))
        .collect();
    let query = serde_urlencoded::to_string(&params).unwrap_or_default();
    Ok(InsightsView { lang: lang_of(&staff), staff: staff.member, metrics, sites, query })
}

/// Marks a change on a site (owners).
#[server(prefix = "/admin/fn", endpoint = "add-mark")]
pub async fn add_mark(
    site: String,
    day: String,
    title: String,
    #[server(default)] category: Option<String>,
) -> Result<(), ServerFnError> {
    use crate::ssr::{store_error, AdminContext};
    let context = expect_context::<AdminContext>();
    let staff = crate::ssr::owner_else(|w| w.setup.owners_only).await?;
    let mark = hark_core::metrics::NewMark { category: category.filter(|c| !c.is_empty()), day, title };
    context.store.add_mark(&staff.org_id, &site, &staff.user_id, &mark).await.map_err(store_error)?;
    crate::ssr::back_to_page(&format!("/admin/insights?site={site}"));
    Ok(())
}

/// Removes a mark (owners).
#[server(prefix = "/admin/fn", endpoint = "remove-mark")]
pub async fn remove_mark(site: String, id: String) -> Result<(), ServerFnError> {
    use crate::ssr::{store_error, AdminContext};
    let context = expect_context::<AdminContext>();
    let staff = crate::ssr::owner_else(|w| w.setup.owners_only).await?;
    context.store.delete_mark(&staff.org_id, &site, &id).await.map_err(store_error)?;
    crate::ssr::back_to_page(&format!("/admin/insights?site={site}"));
    Ok(())
}
