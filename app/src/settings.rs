//! `/admin/settings`: one's own language, the organisation's time zone (owners) and the
//! organisation's saved replies. Every form is a plain form too.

use crate::api::{
    load_settings, refusal, ChangePassword, CreateToken, DeleteSavedReply, RevokeToken, SaveLanguage, SaveSavedReply,
    SaveTimeZone, SettingsView, SignOutEverywhere,
};
use crate::i18n::{words, Words};
use crate::queue::{SignedOut, TopBar};
use hark_core::model::SavedReply;
use leptos::prelude::*;
use leptos_meta::Title;

/// Zones offered as you type; any name the zone database knows is taken.
const COMMON_ZONES: [&str; 16] = [
    "UTC",
    "Asia/Shanghai",
    "Asia/Hong_Kong",
    "Asia/Taipei",
    "Asia/Singapore",
    "Asia/Tokyo",
    "Australia/Sydney",
    "Europe/London",
    "Europe/Paris",
    "Europe/Berlin",
    "America/New_York",
    "America/Chicago",
    "America/Denver",
    "America/Los_Angeles",
    "America/Sao_Paulo",
    "Africa/Johannesburg",
];

#[component]
pub fn SettingsPage() -> impl IntoView {
    let language = ServerAction::<SaveLanguage>::new();
    let zone = ServerAction::<SaveTimeZone>::new();
    let save_reply = ServerAction::<SaveSavedReply>::new();
    let delete_reply = ServerAction::<DeleteSavedReply>::new();
    let password = ServerAction::<ChangePassword>::new();
    let everywhere = ServerAction::<SignOutEverywhere>::new();
    let create_token = ServerAction::<CreateToken>::new();
    let revoke_token = ServerAction::<RevokeToken>::new();
    let settings = Resource::new(
        move || {
            (
                language.version().get(),
                zone.version().get(),
                save_reply.version().get(),
                delete_reply.version().get(),
                create_token.version().get(),
                revoke_token.version().get(),
            )
        },
        |_| load_settings(),
    );
    let actions =
        Actions { language, zone, save_reply, delete_reply, password, everywhere, create_token, revoke_token };
    view! {
        <Suspense fallback=|| view! { <main class="page"><p>"…"</p></main> }>
            {move || Suspend::new(async move {
                match settings.await {
                    Ok(view) => view! { <SettingsScreen view actions /> }.into_any(),
                    Err(err) => view! { <SignedOut message=crate::api::error_text(&err) /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[derive(Clone, Copy)]
struct Actions {
    language: ServerAction<SaveLanguage>,
    zone: ServerAction<SaveTimeZone>,
    save_reply: ServerAction<SaveSavedReply>,
    delete_reply: ServerAction<DeleteSavedReply>,
    password: ServerAction<ChangePassword>,
    everywhere: ServerAction<SignOutEverywhere>,
    create_token: ServerAction<CreateToken>,
    revoke_token: ServerAction<RevokeToken>,
}

#[component]
fn SettingsScreen(view: SettingsView, actions: Actions) -> impl IntoView {
    let words = words(&view.lang);
    let SettingsView { staff, owner, can_write, saved_replies, tokens, clock, .. } = view;
    let locale = staff.locale.clone().unwrap_or_default();
    let time_zone = staff.time_zone.clone();
    let language_problem = move || refusal(actions.language.value().get());
    let zone_problem = move || refusal(actions.zone.value().get());
    view! {
        <Title text=format!("{} — Hark", words.settings) />
        <TopBar staff words />
        <main class="page narrow">
            <h1>{words.settings}</h1>
            <section class="card" aria-labelledby="language-title">
                <h2 id="language-title">{words.your_language}</h2>
                <ActionForm action=actions.language attr:class="stack">
                    <label for="locale">{words.your_language}</label>
                    <select id="locale" name="locale" aria-describedby="locale-hint">
                        <option value="" selected=locale.is_empty()>{words.language_browser}</option>
                        <option value="en" lang="en" translate="no" selected=locale == "en">"English"</option>
                        <option value="zh-CN" lang="zh-CN" translate="no" selected=locale == "zh-CN">"简体中文"</option>
                    </select>
                    <p class="hint" id="locale-hint">{words.language_hint}</p>
                    <p class="error" role="alert">{language_problem}</p>
                    <button type="submit" class="primary">{words.save}</button>
                </ActionForm>
            </section>
            <section class="card" aria-labelledby="zone-title">
                <h2 id="zone-title">{words.org_time_zone}</h2>
                <ActionForm action=actions.zone attr:class="stack">
                    <label for="time_zone">{words.org_time_zone}</label>
                    <input
                        id="time_zone"
                        name="time_zone"
                        list="zones"
                        value=time_zone
                        autocomplete="off"
                        translate="no"
                        required
                        disabled=!owner
                        aria-describedby="zone-hint"
                    />
                    <datalist id="zones">
                        {COMMON_ZONES.iter().map(|z| view! { <option value=*z></option> }).collect_view()}
                    </datalist>
                    <p class="hint" id="zone-hint">
                        {words.time_zone_hint}" "<code translate="no">"Asia/Shanghai"</code>
                        {(!owner).then(|| format!(" {}", words.owners_only))}
                    </p>
                    <p class="error" role="alert">{zone_problem}</p>
                    {owner.then(|| view! { <button type="submit" class="primary">{words.save}</button> })}
                </ActionForm>
            </section>
            <Account actions words />
            <Tokens tokens clock owner actions words />
            <SavedReplies replies=saved_replies can_write actions words />
        </main>
    }
    .into_any()
}

/// One's own password, and ending one's sessions everywhere.
#[component]
fn Account(actions: Actions, words: &'static Words) -> impl IntoView {
    let outcome = move || match actions.password.value().get() {
        Some(Ok(())) => Some((false, words.password_changed.to_owned())),
        Some(Err(err)) => Some((true, crate::api::error_text(&err))),
        None => None,
    };
    let problem = move || outcome().filter(|(error, _)| *error).map(|(_, text)| text);
    let done = move || outcome().filter(|(error, _)| !*error).map(|(_, text)| text);
    let everywhere_problem = move || refusal(actions.everywhere.value().get());
    view! {
        <section class="card" aria-labelledby="password-title">
            <h2 id="password-title">{words.your_password}</h2>
            <ActionForm action=actions.password attr:class="stack">
                <label for="current">{words.current_password}</label>
                <input id="current" name="current" type="password" autocomplete="current-password" required />
                <label for="new">{words.new_password}</label>
                <input
                    id="new"
                    name="new"
                    type="password"
                    autocomplete="new-password"
                    minlength="12"
                    maxlength="256"
                    required
                    aria-describedby="new-hint"
                />
                <p class="hint" id="new-hint">{words.password_rules}</p>
                <p class="error" role="alert">{problem}</p>
                <p class="done" role="status">{done}</p>
                <button type="submit" class="primary">{words.change_password}</button>
            </ActionForm>
            <h3>{words.sign_out_everywhere}</h3>
            <ActionForm action=actions.everywhere attr:class="stack">
                <p class="hint" id="everywhere-hint">{words.sign_out_everywhere_hint}</p>
                <p class="error" role="alert">{everywhere_problem}</p>
                <button type="submit" class="secondary" aria-describedby="everywhere-hint">
                    {words.sign_out_everywhere}
                </button>
            </ActionForm>
        </section>
    }
}

/// One's API tokens (an owner's list holds everyone's): make one, see it once, revoke.
#[component]
fn Tokens(
    tokens: Vec<hark_core::model::ApiToken>,
    clock: crate::api::Clock,
    owner: bool,
    actions: Actions,
    words: &'static Words,
) -> impl IntoView {
    let made = move || actions.create_token.value().get().and_then(Result::ok);
    let problem = move || {
        actions
            .create_token
            .value()
            .get()
            .and_then(|r| r.err())
            .map(|e| crate::api::error_text(&e))
            .or_else(|| refusal(actions.revoke_token.value().get()))
    };
    view! {
        <section class="card" aria-labelledby="tokens-title">
            <h2 id="tokens-title">{words.api_tokens}</h2>
            <p class="hint">{words.api_tokens_hint}" "<code translate="no">"Authorization: Bearer …"</code></p>
            {tokens.is_empty().then(|| view! { <p class="empty">{words.no_tokens}</p> })}
            <ul class="tokens">
                {tokens
                    .into_iter()
                    .map(|token| {
                        let used = token.last_used_at.as_ref().map_or_else(
                            || words.never_used.to_owned(),
                            |at| format!("{} {}", words.last_used, clock.label(at)),
                        );
                        view! {
                            <li>
                                <span class="token-name">{token.name}</span>
                                {owner.then(|| view! { <span class="token-person">{token.person.email}</span> })}
                                <span class="hint">
                                    {format!("{} {} · {used}", words.made_on, clock.label(&token.created_at))}
                                </span>
                                <ActionForm action=actions.revoke_token>
                                    <input type="hidden" name="id" value=token.id />
                                    <button type="submit" class="link">{words.revoke}</button>
                                </ActionForm>
                            </li>
                        }
                    })
                    .collect_view()}
            </ul>
            <p class="error" role="alert">{problem}</p>
            <ActionForm action=actions.create_token attr:class="stack">
                <label for="token-name">{words.token_name}</label>
                <input id="token-name" name="name" maxlength="100" required />
                <button type="submit" class="primary">{words.create_token}</button>
            </ActionForm>
            {move || made().map(|token| view! {
                <div class="notice" role="status">
                    <p>{words.token_shown_once}</p>
                    <code class="secret" translate="no">{token}</code>
                </div>
            })}
        </section>
    }
}

#[component]
fn SavedReplies(replies: Vec<SavedReply>, can_write: bool, actions: Actions, words: &'static Words) -> impl IntoView {
    let save_problem = move || refusal(actions.save_reply.value().get());
    let delete_problem = move || refusal(actions.delete_reply.value().get());
    view! {
        <section class="card" aria-labelledby="saved-title">
            <h2 id="saved-title">{words.saved_replies}</h2>
            <p class="hint">{words.saved_replies_hint}</p>
            {replies.is_empty().then(|| view! { <p class="empty">{words.no_saved_replies}</p> })}
            <p class="error" role="alert">{move || save_problem().or_else(delete_problem)}</p>
            {replies
                .into_iter()
                .map(|reply| view! { <SavedReplyForm reply=Some(reply) can_write actions words /> })
                .collect_view()}
            {can_write.then(|| view! {
                <h3>{words.add_saved_reply}</h3>
                <SavedReplyForm reply=None can_write actions words />
            })}
        </section>
    }
}

/// One saved reply to edit (or delete), or an empty one to add.
#[component]
fn SavedReplyForm(
    reply: Option<SavedReply>,
    can_write: bool,
    actions: Actions,
    words: &'static Words,
) -> impl IntoView {
    let key = reply.as_ref().map_or_else(|| "new".to_owned(), |r| r.id.clone());
    let (id, title, body) = reply.map(|r| (r.id, r.title, r.body)).unwrap_or_default();
    let (title_id, body_id) = (format!("title-{key}"), format!("body-{key}"));
    let existing = (!id.is_empty()).then(|| id.clone());
    view! {
        <div class="saved-reply">
            <ActionForm action=actions.save_reply attr:class="stack">
                <input type="hidden" name="id" value=id />
                <label for=title_id.clone()>{words.saved_reply_title}</label>
                <input id=title_id name="title" value=title required disabled=!can_write />
                <label for=body_id.clone()>{words.saved_reply_body}</label>
                <textarea id=body_id name="body" rows="3" required disabled=!can_write>{body}</textarea>
                {can_write.then(|| view! { <button type="submit" class="primary">{words.save}</button> })}
            </ActionForm>
            {existing.filter(|_| can_write).map(|id| view! {
                <ActionForm action=actions.delete_reply>
                    <input type="hidden" name="id" value=id />
                    <button type="submit" class="link">{words.delete}</button>
                </ActionForm>
            })}
        </div>
    }
}
