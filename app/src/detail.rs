//! One submission, at its own URL: everything the shopper sent, its timeline, and the
//! forms to triage it, answer the shopper and leave notes for colleagues. Each form is a
//! plain form too: it works before (or without) the page's script.

use crate::api::{load_submission, AddNote, ChangeSubmission, Clock, DetailView, SendReply};
use crate::i18n::{words, Words};
use crate::queue::{SignedOut, TopBar};
use hark_core::model::{EventKind, Person, Priority, Status, SubmissionDetail, TimelineEvent};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

#[component]
pub fn DetailPage() -> impl IntoView {
    let params = use_params_map();
    let change = ServerAction::<ChangeSubmission>::new();
    let note = ServerAction::<AddNote>::new();
    let reply = ServerAction::<SendReply>::new();
    let detail = Resource::new(
        move || {
            (
                params.read().get("id").unwrap_or_default(),
                change.version().get(),
                note.version().get(),
                reply.version().get(),
            )
        },
        |(id, ..)| load_submission(id),
    );
    view! {
        <Suspense fallback=|| view! { <main class="page"><p>"…"</p></main> }>
            {move || Suspend::new(async move {
                match detail.await {
                    Ok(view) => view! { <DetailScreen view change note reply /> }.into_any(),
                    Err(err) => view! { <SignedOut message=crate::api::error_text(&err) /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn DetailScreen(
    view: DetailView,
    change: ServerAction<ChangeSubmission>,
    note: ServerAction<AddNote>,
    reply: ServerAction<SendReply>,
) -> impl IntoView {
    let words = words(&view.lang);
    let DetailView { staff, detail, people, saved_replies, can_write, mail, clock, .. } = view;
    let item = detail.item.clone();
    let title = format!("{} · {}", words.kind(item.kind), item.site_name);
    let kind_name = words.kind(item.kind);
    let site_name = item.site_name.clone();
    let delivery = if item.email.is_none() {
        words.reply_no_email
    } else if mail {
        words.reply_by_email
    } else {
        words.reply_on_page
    };
    let error_of = crate::api::refusal;
    let reply_text = RwSignal::new(String::new());
    let note_text = RwSignal::new(String::new());
    // A box empties once what was typed in it has been taken.
    Effect::new(move || {
        if reply.value().with(|r| matches!(r, Some(Ok(())))) {
            reply_text.set(String::new());
        }
    });
    Effect::new(move || {
        if note.value().with(|r| matches!(r, Some(Ok(())))) {
            note_text.set(String::new());
        }
    });
    let (change_id, reply_id, note_id) = (item.id.clone(), item.id.clone(), item.id.clone());
    view! {
        <Title text=format!("{title} — Hark") />
        <TopBar staff words />
        <main class="page detail">
            <p><a href="/admin">"← "{words.back}</a></p>
            <h1>
                {kind_name}" · "<span translate="no">{site_name}</span>" "
                <span class=format!("pill status-{}", item.status)>{words.status(item.status)}</span>" "
                <span class=format!("pill priority-{}", item.priority)>{words.priority(item.priority)}</span>
            </h1>
            <div class="columns">
                <div class="main-column">
                    <Sent detail=detail.clone() clock=clock.clone() words />
                    <Timeline events=detail.timeline.clone() people=people.clone() clock=clock.clone() words />
                </div>
                <aside class="side-column">
                    <Promises detail=detail.clone() clock=clock.clone() words />
                    {(!can_write).then(|| view! { <p class="notice">{words.viewer_only}</p> })}
                    {can_write.then(move || view! {
                        <section class="card" aria-labelledby="triage">
                            <h2 id="triage">{words.triage}</h2>
                            <ActionForm action=change attr:class="stack">
                                <input type="hidden" name="id" value=change_id />
                                <label for="status">{words.status}</label>
                                <select id="status" name="status">
                                    {Status::ALL.iter().map(|s| view! {
                                        <option value=s.as_str() selected=*s == item.status>{words.status(*s)}</option>
                                    }).collect_view()}
                                </select>
                                <label for="priority">{words.priority}</label>
                                <select id="priority" name="priority">
                                    {Priority::ALL.iter().map(|p| view! {
                                        <option value=p.as_str() selected=*p == item.priority>{words.priority(*p)}</option>
                                    }).collect_view()}
                                </select>
                                <label for="assignee">{words.assignee}</label>
                                <select id="assignee" name="assignee">
                                    <option value="">{words.nobody}</option>
                                    {people.iter().map(|p| {
                                        let here = item.assignee.as_ref().is_some_and(|a| a.id == p.id);
                                        view! { <option value=p.id.clone() selected=here translate="no">{p.email.clone()}</option> }
                                    }).collect_view()}
                                </select>
                                <label for="tags">{words.tags}" "<span class="hint">"("{words.tags_hint}")"</span></label>
                                <input id="tags" name="tags" value=item.tags.join(", ") />
                                <button type="submit" class="primary">{words.save}</button>
                                <p class="error" role="alert">{move || error_of(change.value().get())}</p>
                            </ActionForm>
                        </section>
                        <section class="card" aria-labelledby="reply">
                            <h2 id="reply">{words.reply}</h2>
                            <p class="hint">{delivery}</p>
                            <ActionForm action=reply attr:class="stack">
                                <input type="hidden" name="id" value=reply_id />
                                {(!saved_replies.is_empty()).then(|| {
                                    let replies = saved_replies.clone();
                                    view! {
                                        <label for="saved">{words.saved_replies}</label>
                                        <select id="saved" on:change=move |ev| {
                                            let id = event_target_value(&ev);
                                            if let Some(saved) = replies.iter().find(|r| r.id == id) {
                                                reply_text.set(saved.body.clone());
                                            }
                                        }>
                                            <option value="">"—"</option>
                                            {saved_replies.iter().map(|r| view! { <option value=r.id.clone() translate="no">{r.title.clone()}</option> }).collect_view()}
                                        </select>
                                    }
                                })}
                                <label for="reply-body" class="visually-hidden">{words.reply}</label>
                                <textarea id="reply-body" name="body" rows="5" required maxlength="5000"
                                    prop:value=move || reply_text.get()
                                    on:input=move |ev| reply_text.set(event_target_value(&ev))></textarea>
                                <label for="reply-status">{words.send_and}</label>
                                <select id="reply-status" name="status">
                                    <option value="">{words.keep_status}</option>
                                    <option value="pending">{words.status(Status::Pending)}</option>
                                    <option value="resolved">{words.status(Status::Resolved)}</option>
                                </select>
                                <button type="submit" class="primary">{words.send_reply}</button>
                                <p class="error" role="alert">{move || error_of(reply.value().get())}</p>
                            </ActionForm>
                        </section>
                        <section class="card" aria-labelledby="note">
                            <h2 id="note">{words.note}</h2>
                            <p class="hint">{words.note_hint}</p>
                            <ActionForm action=note attr:class="stack">
                                <input type="hidden" name="id" value=note_id />
                                <label for="note-body" class="visually-hidden">{words.note}</label>
                                <textarea id="note-body" name="body" rows="3" required maxlength="5000"
                                    prop:value=move || note_text.get()
                                    on:input=move |ev| note_text.set(event_target_value(&ev))></textarea>
                                <button type="submit">{words.add_note}</button>
                                <p class="error" role="alert">{move || error_of(note.value().get())}</p>
                            </ActionForm>
                        </section>
                    })}
                </aside>
            </div>
        </main>
    }
    .into_any()
}

/// A row of a description list, left out when there is nothing to say.
fn row(term: &'static str, value: Option<String>) -> Option<impl IntoView> {
    value.filter(|v| !v.is_empty()).map(|v| view! { <dt>{term}</dt><dd>{v}</dd> })
}

/// A row whose value is someone's data (an email, an order, a comment), not Hark's
/// words: marked so that a translator, or the test that no English is left, skips it.
fn data_row(term: &'static str, value: Option<String>) -> Option<impl IntoView> {
    value.filter(|v| !v.is_empty()).map(|v| view! { <dt>{term}</dt><dd translate="no">{v}</dd> })
}

/// Everything the shopper sent.
#[component]
fn Sent(detail: SubmissionDetail, clock: Clock, words: &'static Words) -> impl IntoView {
    let item = &detail.item;
    let dimensions = detail.dimensions.clone().map(|d| {
        let scores = [d.tangibles, d.reliability, d.responsiveness, d.assurance, d.empathy];
        words
            .dimension_names
            .iter()
            .zip(scores)
            .filter_map(|(name, score)| score.map(|s| format!("{name} {s}/5")))
            .collect::<Vec<_>>()
            .join(" · ")
    });
    let customer = item
        .customer_tier
        .clone()
        .map(|tier| format!("{} ({} {tier})", detail.customer_id.clone().unwrap_or_default(), words.verified_tier));
    let metadata =
        detail.metadata.clone().map(|m| m.iter().map(|(k, v)| format!("{k}: {v}")).collect::<Vec<_>>().join(" · "));
    let category = item.category.clone().map(|c| words.shop_words.category(&c).to_owned());
    view! {
        <section class="card" aria-labelledby="sent">
            <h2 id="sent">{words.from_shopper}</h2>
            {item.message.clone().map(|m| view! { <blockquote class="message" translate="no">{m}</blockquote> })}
            <dl class="facts">
                {row(words.kind, Some(words.kind(item.kind).to_owned()))}
                {row(words.rating, item.rating.map(|r| words.rating_name(r)))}
                {row(words.dimensions, dimensions)}
                {row(words.category, category)}
                {row(words.stage, item.stage.map(|s| words.stage(s).to_owned()))}
                {data_row(words.email, item.email.clone())}
                {data_row(words.name, item.name.clone())}
                {data_row(words.order, item.order_ref.clone())}
                {data_row(words.customer, customer)}
                {data_row(words.page, detail.page_url.clone())}
                {data_row(words.locale, detail.locale.clone())}
                {data_row(words.metadata, metadata)}
                {row(words.received, Some(clock.label(&item.received_at)))}
                {data_row(words.site, Some(item.site_name.clone()))}
            </dl>
        </section>
    }
    .into_any()
}

/// The promises and when they were kept.
#[component]
fn Promises(detail: SubmissionDetail, clock: Clock, words: &'static Words) -> impl IntoView {
    let item = detail.item;
    let at = |t: &Option<String>| t.as_ref().map(|t| clock.label(t));
    let overdue = item.due_at.as_ref().is_some_and(|d| clock.is_past(d));
    let recovery = detail.recovery_rating.map(|r| match &detail.recovery_comment {
        Some(comment) => format!("{} — {comment}", words.rating_name(r)),
        None => words.rating_name(r),
    });
    let any = item.first_response_due.is_some() || item.first_response_at.is_some() || recovery.is_some();
    any.then(|| {
        view! {
            <section class=if overdue { "card promises overdue" } else { "card promises" } aria-label=words.due>
                {overdue.then(|| view! { <p class="overdue-flag">{words.overdue}</p> })}
                <dl class="facts">
                    {row(words.first_response_due, at(&item.first_response_due))}
                    {row(words.first_response_at, at(&item.first_response_at))}
                    {row(words.resolution_due, at(&item.resolution_due))}
                    {row(words.resolved_at, at(&item.resolved_at))}
                    {data_row(words.recovery, recovery)}
                </dl>
            </section>
        }
    })
}

#[component]
fn Timeline(events: Vec<TimelineEvent>, people: Vec<Person>, clock: Clock, words: &'static Words) -> impl IntoView {
    view! {
        <section class="card" aria-labelledby="timeline">
            <h2 id="timeline">{words.timeline}</h2>
            <ol class="timeline">
                {events.into_iter().map(|event| {
                    let who = match (&event.actor, event.kind) {
                        (Some(actor), _) => actor.email.clone(),
                        (None, EventKind::Received | EventKind::FollowUp | EventKind::Recovery) => words.shopper.to_owned(),
                        (None, _) => "Hark".to_owned(),
                    };
                    let change = match event.kind {
                        EventKind::Status => Some(enum_change(&event, |t| t.parse::<Status>().ok().map(|s| words.status(s)))),
                        EventKind::Priority => Some(enum_change(&event, |t| t.parse::<Priority>().ok().map(|p| words.priority(p)))),
                        EventKind::Assignee => Some(enum_change(&event, |id| {
                            people.iter().find(|p| p.id == id).map(|p| p.email.clone())
                        })),
                        EventKind::Tags => Some(enum_change(&event, |t| Some(t.to_owned()))),
                        _ => None,
                    };
                    // Emails and tags are data, not words.
                    let data = matches!(event.kind, EventKind::Assignee | EventKind::Tags).then_some("no");
                    let text = match event.kind {
                        EventKind::Note | EventKind::Reply | EventKind::FollowUp | EventKind::Recovery => event.body.clone(),
                        _ => None,
                    };
                    view! {
                        <li class=format!("event event-{}", event.kind)>
                            <p class="meta">
                                <strong>{words.event(event.kind)}</strong>" · "<span translate="no">{who}</span>" · "
                                <time datetime=event.at.clone()>{clock.label(&event.at)}</time>
                            </p>
                            {change.map(|c| view! { <p translate=data>{c}</p> })}
                            {text.map(|t| view! { <p class="body" translate="no">{t}</p> })}
                        </li>
                    }
                }).collect_view()}
            </ol>
        </section>
    }
    .into_any()
}

/// "Open → Resolved" in the reader's words (a person's email for an assignee).
fn enum_change<S: Into<String>>(event: &TimelineEvent, name: impl Fn(&str) -> Option<S>) -> String {
    let of = |t: &Option<String>| t.as_deref().and_then(&name).map(Into::into).unwrap_or_else(|| "—".to_owned());
    format!("{} → {}", of(&event.previous), of(&event.body))
}
