//! The triage queue: saved views, filters in the URL (a view can be bookmarked and
//! shared), counts by status and the rows, each opening its submission.

use crate::api::{load_queue, Logout, QueueView};
use crate::i18n::{words, Words};
use hark_core::model::{Kind, Person, Priority, QueueItem, QueueParams, Status};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

/// The URL's filters, read the same way on the server and in the browser.
fn params_of(query: &leptos_router::params::ParamsMap) -> QueueParams {
    let text = |key: &str| query.get(key).filter(|v| !v.is_empty());
    QueueParams {
        limit: None,
        cursor: text("cursor"),
        status: text("status"),
        kind: text("kind"),
        site: text("site"),
        category: text("category"),
        stage: text("stage"),
        priority: text("priority"),
        assignee: text("assignee"),
        rating_max: text("rating_max").and_then(|r| r.parse().ok()),
        q: text("q"),
        from: text("from"),
        to: text("to"),
        due: text("due"),
        sort: text("sort"),
    }
}

/// `/admin?…` for `params`.
pub fn queue_href(params: &QueueParams) -> String {
    let pairs = params.pairs();
    if pairs.is_empty() {
        return "/admin".into();
    }
    let query = pairs.iter().map(|(k, v)| format!("{k}={}", encode(v))).collect::<Vec<_>>().join("&");
    format!("/admin?{query}")
}

/// Percent-encodes a query value.
fn encode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b',' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[component]
pub fn QueuePage() -> impl IntoView {
    let query = use_query_map();
    let queue = Resource::new(move || params_of(&query.read()), load_queue);
    view! {
        <Suspense fallback=|| view! { <main class="page"><p>"…"</p></main> }>
            {move || Suspend::new(async move {
                match queue.await {
                    Ok(view) => view! { <QueueScreen view /> }.into_any(),
                    Err(err) => view! { <SignedOut message=err.to_string() /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// What a page shows when its data could not be loaded (most often: signed out).
#[component]
pub fn SignedOut(message: String) -> impl IntoView {
    let message = message.trim_start_matches("error running server function: ").to_owned();
    view! {
        <main class="page">
            <p role="alert">{message}</p>
            <a href="/admin/login">"Sign in · 登录"</a>
        </main>
    }
}

/// The bar above every admin page.
#[component]
pub fn TopBar(staff: hark_core::model::StaffMember, words: &'static Words) -> impl IntoView {
    let logout = ServerAction::<Logout>::new();
    view! {
        <header class="topbar">
            <a class="brand" href="/admin">"Hark"</a>
            <span class="who">{format!("{} · {} · {}", staff.org_name, staff.email, staff.role)}</span>
            <ActionForm action=logout>
                <button type="submit" class="link">{words.sign_out}</button>
            </ActionForm>
        </header>
    }
}

#[component]
fn QueueScreen(view: QueueView) -> impl IntoView {
    let words = words(&view.lang);
    let QueueView { staff, params, items, next_cursor, counts, people, clock, problem, .. } = view;
    let next = next_cursor.map(|cursor| {
        let mut next = params.clone();
        next.cursor = Some(cursor);
        let mut href = queue_href(&next);
        let cursor = next.cursor.clone().unwrap_or_default();
        href.push_str(&format!("{}cursor={}", if href.contains('?') { "&" } else { "?" }, encode(&cursor)));
        href
    });
    let filtered = !params.pairs().is_empty();
    view! {
        <Title text=format!("{} — Hark", words.queue) />
        <TopBar staff words />
        <div class="workspace">
            <SavedViews params=params.clone() words />
            <main class="page">
                <h1>{words.queue}</h1>
                <FilterBar params=params.clone() people words />
                <StatusTabs params=params.clone() counts words />
                {problem.map(|p| view! { <p class="error" role="alert">{p}</p> })}
                <QueueTable items clock words filtered />
                {next.map(|href| view! { <p><a class="button" href=href>{words.next_page}</a></p> })}
            </main>
        </div>
    }
    .into_any()
}

/// The views every team needs, one link each.
#[component]
fn SavedViews(params: QueueParams, words: &'static Words) -> impl IntoView {
    let view_of = |f: fn(&mut QueueParams)| {
        let mut p = QueueParams::default();
        f(&mut p);
        p
    };
    let views: [(&str, QueueParams); 6] = [
        (words.view_all, QueueParams::default()),
        (words.view_mine, view_of(|p| p.assignee = Some("me".into()))),
        (
            words.view_unassigned,
            view_of(|p| {
                p.kind = Some("complaint".into());
                p.assignee = Some("none".into());
                p.status = Some("new,open,pending".into());
            }),
        ),
        (
            words.view_due,
            view_of(|p| {
                p.due = Some("soon".into());
                p.sort = Some("due".into());
            }),
        ),
        (words.view_low, view_of(|p| p.rating_max = Some(2))),
        (words.view_spam, view_of(|p| p.status = Some("spam".into()))),
    ];
    let mut current = params;
    current.cursor = None;
    view! {
        <nav class="views" aria-label=words.views>
            <ul>
                {views
                    .into_iter()
                    .map(|(name, p)| {
                        let here = p == current;
                        view! {
                            <li><a href=queue_href(&p) aria-current=here.then_some("page")>{name}</a></li>
                        }
                    })
                    .collect_view()}
            </ul>
        </nav>
    }
    .into_any()
}

/// The filters as a plain GET form: it works before the page's script runs, and what it
/// sends is the URL to bookmark.
#[component]
fn FilterBar(params: QueueParams, people: Vec<Person>, words: &'static Words) -> impl IntoView {
    let selected = |value: &Option<String>, option: &str| value.as_deref() == Some(option);
    let status = params.status.clone();
    let kind = params.kind.clone();
    let priority = params.priority.clone();
    let assignee = params.assignee.clone();
    let sort = params.sort.clone();
    let rating = params.rating_max.map(|r| r.to_string());
    view! {
        <form class="filters" method="get" action="/admin" role="search" aria-label=words.filters>
            <div class="field grow">
                <label for="q">{words.search}</label>
                <input id="q" name="q" type="search" placeholder=words.search_hint value=params.q.clone().unwrap_or_default() />
            </div>
            <div class="field">
                <label for="f-status">{words.status}</label>
                <select id="f-status" name="status">
                    <option value="">{words.any}</option>
                    {Status::ALL
                        .iter()
                        .map(|s| view! { <option value=s.as_str() selected=selected(&status, s.as_str())>{words.status(*s)}</option> })
                        .collect_view()}
                </select>
            </div>
            <div class="field">
                <label for="f-kind">{words.kind}</label>
                <select id="f-kind" name="kind">
                    <option value="">{words.any}</option>
                    {Kind::ALL
                        .iter()
                        .map(|k| view! { <option value=k.as_str() selected=selected(&kind, k.as_str())>{words.kind(*k)}</option> })
                        .collect_view()}
                </select>
            </div>
            <div class="field">
                <label for="f-priority">{words.priority}</label>
                <select id="f-priority" name="priority">
                    <option value="">{words.any}</option>
                    {Priority::ALL
                        .iter()
                        .map(|p| view! { <option value=p.as_str() selected=selected(&priority, p.as_str())>{words.priority(*p)}</option> })
                        .collect_view()}
                </select>
            </div>
            <div class="field">
                <label for="f-assignee">{words.assignee}</label>
                <select id="f-assignee" name="assignee">
                    <option value="">{words.any}</option>
                    <option value="me" selected=selected(&assignee, "me")>{words.me}</option>
                    <option value="none" selected=selected(&assignee, "none")>{words.nobody}</option>
                    {people
                        .into_iter()
                        .map(|p| {
                            let here = selected(&assignee, &p.id);
                            view! { <option value=p.id selected=here>{p.email}</option> }
                        })
                        .collect_view()}
                </select>
            </div>
            <div class="field">
                <label for="f-rating">{words.rating_up_to}</label>
                <select id="f-rating" name="rating_max">
                    <option value="">{words.any}</option>
                    {(1..=5)
                        .map(|r: i64| {
                            let value = r.to_string();
                            let here = rating.as_deref() == Some(value.as_str());
                            view! { <option value=value selected=here>{words.rating_name(r)}</option> }
                        })
                        .collect_view()}
                </select>
            </div>
            <div class="field">
                <label for="f-sort">{words.sort}</label>
                <select id="f-sort" name="sort">
                    <option value="">{words.newest}</option>
                    <option value="due" selected=selected(&sort, "due")>{words.soonest_due}</option>
                </select>
            </div>
            {params.due.clone().map(|due| view! { <input type="hidden" name="due" value=due /> })}
            {params.site.clone().map(|site| view! { <input type="hidden" name="site" value=site /> })}
            <div class="actions">
                <button type="submit" class="primary">{words.apply}</button>
                <a href="/admin">{words.clear}</a>
            </div>
        </form>
    }
    .into_any()
}

/// How many of the filtered submissions are in each status; each count filters by it.
#[component]
fn StatusTabs(params: QueueParams, counts: Vec<(Status, i64)>, words: &'static Words) -> impl IntoView {
    view! {
        <ul class="tabs" aria-label=words.status>
            {counts
                .into_iter()
                .map(|(status, n)| {
                    let mut p = params.clone();
                    p.cursor = None;
                    let here = p.status.as_deref() == Some(status.as_str());
                    p.status = Some(status.as_str().to_owned());
                    view! {
                        <li>
                            <a href=queue_href(&p) aria-current=here.then_some("page")>
                                {words.status(status)}" "<span class="count">{n}</span>
                            </a>
                        </li>
                    }
                })
                .collect_view()}
        </ul>
    }
    .into_any()
}

#[component]
fn QueueTable(items: Vec<QueueItem>, clock: crate::api::Clock, words: &'static Words, filtered: bool) -> impl IntoView {
    if items.is_empty() {
        return view! { <p class="empty">{if filtered { words.nothing_matches } else { words.empty }}</p> }.into_any();
    }
    view! {
        <table class="queue">
            <caption class="visually-hidden">{words.caption}</caption>
            <thead>
                <tr>
                    <th scope="col">{words.received}</th>
                    <th scope="col">{words.kind}</th>
                    <th scope="col">{words.rating}</th>
                    <th scope="col">{words.message}</th>
                    <th scope="col">{words.site}</th>
                    <th scope="col">{words.priority}</th>
                    <th scope="col">{words.assignee}</th>
                    <th scope="col">{words.due}</th>
                    <th scope="col">{words.status}</th>
                </tr>
            </thead>
            <tbody>
                {items.into_iter().map(|item| view! { <QueueRow item clock=clock.clone() words /> }).collect_view()}
            </tbody>
        </table>
    }
    .into_any()
}

#[component]
fn QueueRow(item: QueueItem, clock: crate::api::Clock, words: &'static Words) -> impl IntoView {
    let rating = item.rating.map(|r| format!("{r} / 5")).unwrap_or_else(|| words.none.into());
    let href = format!("/admin/submissions/{}", item.id);
    let summary = item
        .message
        .clone()
        .filter(|m| !m.trim().is_empty())
        .unwrap_or_else(|| format!("{} {}", words.kind(item.kind), rating));
    let due = item.due_at.clone().map(|due| {
        let overdue = clock.is_past(&due);
        view! {
            <time datetime=due.clone() class=if overdue { "due overdue" } else { "due" }>
                {if overdue { format!("{} · ", words.overdue) } else { String::new() }}
                {clock.label(&due)}
            </time>
        }
    });
    view! {
        <tr class=format!("kind-{} priority-{}", item.kind, item.priority) data-id=item.id.clone()>
            <td><time datetime=item.received_at.clone()>{clock.label(&item.received_at)}</time></td>
            <td>{words.kind(item.kind)}</td>
            <td>{rating}</td>
            <td class="message"><a href=href>{summary}</a></td>
            <td>{item.site_name}</td>
            <td><span class=format!("pill priority-{}", item.priority)>{words.priority(item.priority)}</span></td>
            <td>{item.assignee.map(|a| a.email).unwrap_or_else(|| words.none.into())}</td>
            <td>{due}</td>
            <td><span class=format!("pill status-{}", item.status)>{words.status(item.status)}</span></td>
        </tr>
    }
}
