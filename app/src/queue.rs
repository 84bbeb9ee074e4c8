use crate::api::{load_queue, Logout, QueueView};
use hark_core::model::{Kind, QueueItem};
use leptos::prelude::*;
use leptos_meta::Title;

/// The triage queue: newest first.
#[component]
pub fn QueuePage() -> impl IntoView {
    let queue = Resource::new(|| (), |_| load_queue());
    view! {
        <Title text="Queue — Hark" />
        <Suspense fallback=|| view! { <main class="page"><p>"Loading the queue…"</p></main> }>
            {move || Suspend::new(async move {
                match queue.await {
                    Ok(view) => view! { <QueueScreen view /> }.into_any(),
                    Err(err) => view! {
                        <main class="page">
                            <p role="alert">{err.to_string()}</p>
                            <a href="/admin/login">"Sign in"</a>
                        </main>
                    }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn QueueScreen(view: QueueView) -> impl IntoView {
    let logout = ServerAction::<Logout>::new();
    let QueueView { staff, items, .. } = view;
    view! {
        <header class="topbar">
            <strong class="brand">"Hark"</strong>
            <span class="who">{format!("{} · {} · {}", staff.org_name, staff.email, staff.role)}</span>
            <ActionForm action=logout>
                <button type="submit" class="link">"Sign out"</button>
            </ActionForm>
        </header>
        <main class="page">
            <h1>"Queue"</h1>
            <QueueTable items />
        </main>
    }
}

#[component]
fn QueueTable(items: Vec<QueueItem>) -> impl IntoView {
    if items.is_empty() {
        return view! { <p class="empty">"Nothing yet. Submissions from your sites appear here, newest first."</p> }
            .into_any();
    }
    view! {
        <table class="queue">
            <caption class="visually-hidden">"Submissions, newest first"</caption>
            <thead>
                <tr>
                    <th scope="col">"Received"</th>
                    <th scope="col">"Kind"</th>
                    <th scope="col">"Rating"</th>
                    <th scope="col">"Message"</th>
                    <th scope="col">"Site"</th>
                    <th scope="col">"Status"</th>
                </tr>
            </thead>
            <tbody>
                {items.into_iter().map(|item| view! { <QueueRow item /> }).collect_view()}
            </tbody>
        </table>
    }
    .into_any()
}

#[component]
fn QueueRow(item: QueueItem) -> impl IntoView {
    let kind = match item.kind {
        Kind::Csat => "Rating",
        Kind::Feedback => "Feedback",
        Kind::Complaint => "Complaint",
    };
    let rating = item.rating.map(|r| format!("{r} / 5")).unwrap_or_else(|| "—".into());
    view! {
        <tr class=format!("kind-{}", item.kind)>
            <td><time datetime=item.received_at.clone()>{short_time(&item.received_at)}</time></td>
            <td>{kind}</td>
            <td>{rating}</td>
            <td class="message">{item.message.unwrap_or_default()}</td>
            <td>{item.site_name}</td>
            <td><span class=format!("pill status-{}", item.status)>{item.status.to_string()}</span></td>
        </tr>
    }
}

/// `2026-11-23T11:20:12.730Z` as `2026-11-23 11:20 UTC`.
fn short_time(rfc3339: &str) -> String {
    match rfc3339.get(..16) {
        Some(minutes) => format!("{} UTC", minutes.replace('T', " ")),
        None => rfc3339.to_owned(),
    }
}
