//! `/admin/people` (owners): who works here, their roles, inviting and removing; and
//! `/admin/invite/:token`, where an invited colleague chooses a password and joins.
//! Every form is a plain form too.

use crate::api::{
    load_invitation, load_people, refusal, AcceptInvitation, ChangeRole, InvitePerson, PeopleView, RemovePerson,
    WithdrawInvitation,
};
use crate::i18n::{words, Words};
use crate::queue::{SignedOut, TopBar};
use hark_core::model::Role;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

#[derive(Clone, Copy)]
struct Actions {
    invite: ServerAction<InvitePerson>,
    role: ServerAction<ChangeRole>,
    remove: ServerAction<RemovePerson>,
    withdraw: ServerAction<WithdrawInvitation>,
}

#[component]
pub fn PeoplePage() -> impl IntoView {
    let actions = Actions {
        invite: ServerAction::new(),
        role: ServerAction::new(),
        remove: ServerAction::new(),
        withdraw: ServerAction::new(),
    };
    let people = Resource::new(
        move || {
            (
                actions.invite.version().get(),
                actions.role.version().get(),
                actions.remove.version().get(),
                actions.withdraw.version().get(),
            )
        },
        |_| load_people(),
    );
    view! {
        <Suspense fallback=|| view! { <main class="page"><p>"…"</p></main> }>
            {move || Suspend::new(async move {
                match people.await {
                    Ok(view) => view! { <PeopleScreen view actions /> }.into_any(),
                    Err(err) => view! { <SignedOut message=crate::api::error_text(&err) /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// The roles to choose from, `current` selected.
fn role_options(words: &'static Words, current: Role) -> impl IntoView {
    Role::ALL
        .iter()
        .map(|role| view! { <option value=role.as_str() selected=*role == current>{words.role(*role)}</option> })
        .collect_view()
}

#[component]
fn PeopleScreen(view: PeopleView, actions: Actions) -> impl IntoView {
    let words = words(&view.lang);
    let PeopleView { staff, me, people, invitations, clock, .. } = view;
    let link = move || actions.invite.value().get().and_then(Result::ok);
    let problem = move || {
        actions
            .invite
            .value()
            .get()
            .and_then(|r| r.err())
            .map(|e| crate::api::error_text(&e))
            .or_else(|| refusal(actions.role.value().get()))
            .or_else(|| refusal(actions.remove.value().get()))
            .or_else(|| refusal(actions.withdraw.value().get()))
    };
    let invitation_rows = invitations
        .into_iter()
        .map(|invitation| {
            view! {
                <li>
                    <span translate="no">{invitation.email}</span>
                    <span>{words.role(invitation.role)}</span>
                    <span class="hint">{format!("{} {}", words.expires, clock.label(&invitation.expires_at))}</span>
                    <ActionForm action=actions.withdraw>
                        <input type="hidden" name="id" value=invitation.id />
                        <button type="submit" class="link">{words.withdraw}</button>
                    </ActionForm>
                </li>
            }
        })
        .collect_view();
    view! {
        <Title text=format!("{} — Hark", words.people) />
        <TopBar staff words />
        <main class="page narrow">
            <h1>{words.people}</h1>
            <p class="hint">{words.people_hint}</p>
            <p class="error" role="alert">{problem}</p>
            <section class="card" aria-labelledby="people-title">
                <h2 id="people-title">{words.people}</h2>
                <ul class="people">
                    {people
                        .into_iter()
                        .map(|person| {
                            let label = format!("role-{}", person.id);
                            let remove = (person.id != me).then(|| {
                                let (id, name) = (person.id.clone(), format!("{} {}", words.remove, person.email));
                                view! {
                                    <ActionForm action=actions.remove attr:class="inline">
                                        <input type="hidden" name="id" value=id />
                                        <button type="submit" class="link" aria-label=name>{words.remove}</button>
                                    </ActionForm>
                                }
                            });
                            let role_name = format!("{} {}", words.save_role, person.email);
                            view! {
                                <li>
                                    <span class="person-email" translate="no">{person.email}</span>
                                    <span class="hint">{format!("{} {}", words.joined, clock.label(&person.created_at))}</span>
                                    <ActionForm action=actions.role attr:class="inline">
                                        <input type="hidden" name="id" value=person.id />
                                        <label class="visually-hidden" for=label.clone()>{role_name}</label>
                                        <select id=label name="role">{role_options(words, person.role)}</select>
                                        <button type="submit" class="link">{words.save_role}</button>
                                    </ActionForm>
                                    {remove}
                                </li>
                            }
                        })
                        .collect_view()}
                </ul>
            </section>
            <section class="card" aria-labelledby="invite-title">
                <h2 id="invite-title">{words.invite_person}</h2>
                <ActionForm action=actions.invite attr:class="stack">
                    <label for="invite-email">{words.email}</label>
                    <input id="invite-email" name="email" type="email" autocomplete="off" required />
                    <label for="invite-role">{words.role_label}</label>
                    <select id="invite-role" name="role">{role_options(words, Role::Agent)}</select>
                    <button type="submit" class="primary">{words.invite}</button>
                </ActionForm>
                {move || link().map(|link| view! {
                    <div class="notice" role="status">
                        <p>{words.invite_link_hint}</p>
                        <code class="secret" translate="no">{link}</code>
                    </div>
                })}
                <h3>{words.open_invitations}</h3>
                <ul class="people">{invitation_rows}</ul>
            </section>
        </main>
    }
    .into_any()
}

/// Where an invited colleague joins: the organisation and role, a password, Join.
#[component]
pub fn InvitePage() -> impl IntoView {
    let params = use_params_map();
    let token = move || params.read().get("token").unwrap_or_default();
    let invitation = Resource::new(token, load_invitation);
    view! {
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                match invitation.await {
                    Ok(view) => {
                        let words = words(&view.lang);
                        view! { <InviteForm open=view.open token=token() words /> }.into_any()
                    }
                    Err(err) => view! { <SignedOut message=crate::api::error_text(&err) /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn InviteForm(open: Option<(String, String, Role)>, token: String, words: &'static Words) -> impl IntoView {
    let accept = ServerAction::<AcceptInvitation>::new();
    let problem = move || refusal(accept.value().get());
    view! {
        <Title text=format!("{} — Hark", words.invite_title) />
        <main class="login" lang=words.lang>
            <h1>{words.invite_title}</h1>
            {match open {
                None => view! { <p class="card" role="alert">{words.invite_gone}</p> }.into_any(),
                Some((org, email, role)) => view! {
                    <ActionForm action=accept attr:class="card stack">
                        <p>
                            {words.invite_intro}" "<strong translate="no">{org}</strong>" "
                            {words.invited_as}" "{words.role(role)}
                        </p>
                        <input type="hidden" name="token" value=token />
                        <label for="invite-login">{words.email}</label>
                        <input id="invite-login" type="email" value=email readonly autocomplete="username" />
                        <label for="password">{words.choose_password}</label>
                        <input
                            id="password"
                            type="password"
                            name="password"
                            autocomplete="new-password"
                            minlength="12"
                            maxlength="256"
                            required
                            aria-describedby="password-hint"
                        />
                        <p class="hint" id="password-hint">{words.password_rules}</p>
                        <p class="error" role="alert">{problem}</p>
                        <button type="submit" class="primary">{words.join}</button>
                    </ActionForm>
                }.into_any(),
            }}
        </main>
    }
}
