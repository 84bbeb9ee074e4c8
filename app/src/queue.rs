//! The triage queue: saved views, filters in the URL (a view can be bookmarked and
//! shared), counts by status and the rows, each opening its submission.

use crate::api::{load_queue, BulkChange, Logout, QueueView};
use crate::i18n::{words, Words};
use hark_core::model::{Kind, Person, Priority, QueueItem, QueueParams, Status, StatusCount};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;
use std::collections::BTreeSet;

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
    let bulk = ServerAction::<BulkChange>::new();
    let queue =
        Resource::new(move || (params_of(&query.read()), bulk.version().get()), |(params, _)| load_queue(params));
    view! {
        <Suspense fallback=|| view! { <main class="page"><p>"…"</p></main> }>
            {move || Suspend::new(async move {
                match queue.await {
                    Ok(view) => view! { <QueueScreen view bulk /> }.into_any(),
                    Err(err) => view! { <SignedOut message=crate::api::error_text(&err) /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// What a page shows when its data could not be loaded (most often: signed out).
#[component]
pub fn SignedOut(message: String) -> impl IntoView {
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
            <a class="brand" href="/admin" translate="no">"Hark"</a>
            <span class="who"><span translate="no">{format!("{} · {}", staff.org_name, staff.email)}</span>" · "{words.role(staff.role)}</span>
            <a href="/admin/insights">{words.insights.title}</a>
            {(staff.role == hark_core::model::Role::Owner).then(|| view! {
                <a href="/admin/sites">{words.setup.sites}</a>
                <a href="/admin/people">{words.people}</a>
                <a href="/admin/audit">{words.setup.audit}</a>
            })}
            <a href="/admin/settings">{words.settings}</a>
            <ActionForm action=logout>
                <button type="submit" class="link">{words.sign_out}</button>
            </ActionForm>
        </header>
    }
}

#[component]
fn QueueScreen(view: QueueView, bulk: ServerAction<BulkChange>) -> impl IntoView {
    let words = words(&view.lang);
    let triage =
        Triage { cursor: RwSignal::new(0), chosen: RwSignal::new(BTreeSet::new()), help: RwSignal::new(false) };
    let QueueView { staff, params, items, next_cursor, counts, people, clock, problem, .. } = view;
    let rows = RwSignal::new(Rows { items, counts, clock, next_cursor, fresh: BTreeSet::new() });
    keyboard(triage, rows, bulk);
    let reload = params.clone();
    let listening = crate::live::on_changes(move || {
        let params = reload.clone();
        leptos::task::spawn_local(async move {
            if let Ok(view) = load_queue(params).await {
                // The page may have been replaced while this loaded (a change of one's own
                // reloads it whole): then there is nothing left to update.
                let Some(cursor) = triage.cursor.try_get_untracked() else { return };
                // The cursor and the focus stay on the row they were on.
                let at = rows.try_with_untracked(|r| r.items.get(cursor).map(|i| i.id.clone())).flatten();
                let focused = focused_row();
                if rows.try_update(|rows| rows.replace(view)).is_none() {
                    return;
                }
                let moved = rows.try_with_untracked(|r| at.and_then(|at| r.items.iter().position(|i| i.id == at)));
                if let Some(index) = moved.flatten() {
                    triage.cursor.try_set(index);
                }
                if let Some(id) = focused {
                    request_animation_frame(move || focus_link(&format!("tr[data-id='{id}'] td.message a")));
                }
            }
        });
    });
    // `queue_href` leaves the cursor out: the next page's is added here.
    let page = queue_href(&params);
    let next = move || {
        rows.with(|r| r.next_cursor.clone()).map(|cursor| {
            let href = format!("{page}{}cursor={}", if page.contains('?') { "&" } else { "?" }, encode(&cursor));
            view! { <p><a class="button" href=href>{words.next_page}</a></p> }
        })
    };
    let arrived = move || {
        let n = rows.with(|r| r.fresh.len());
        (n > 0).then(|| format!("{n} {}", words.just_arrived))
    };
    let filtered = !params.pairs().is_empty();
    let export =
        queue_href(&QueueParams { cursor: None, ..params.clone() }).replacen("/admin", "/api/v1/admin/export.csv", 1);
    view! {
        <Title text=format!("{} — Hark", words.queue) />
        <TopBar staff words />
        <div class="workspace">
            <SavedViews params=params.clone() words />
            <main class="page">
                <div class="title-row">
                    <h1>{words.queue}</h1>
                    <a class="button" href=export download="hark-submissions.csv">{words.export}</a>
                </div>
                <FilterBar params=params.clone() people words />
                <StatusTabs params=params.clone() rows words />
                {problem.map(|p| view! { <p class="error" role="alert">{p}</p> })}
                <BulkBar triage bulk words />
                <p class="live-note" role="status" data-live=move || listening.get().then_some("on")>{arrived}</p>
                <QueueTable rows words filtered triage />
                <p class="hint">{words.keys_hint}</p>
                <KeyHelp triage words />
                {next}
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
                            view! { <option value=p.id selected=here translate="no">{p.email}</option> }
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

/// What live updates replace: the rows, the counts, the moment they were measured at
/// and the rows that were not there before.
struct Rows {
    items: Vec<QueueItem>,
    counts: Vec<StatusCount>,
    clock: crate::api::Clock,
    next_cursor: Option<String>,
    /// Rows that arrived (or came to match the filters) since the page opened.
    fresh: BTreeSet<String>,
}

impl Rows {
    fn replace(&mut self, view: QueueView) {
        let shown: BTreeSet<&String> = self.items.iter().map(|i| &i.id).collect();
        let mut fresh: BTreeSet<String> =
            view.items.iter().filter(|i| !shown.contains(&i.id)).map(|i| i.id.clone()).collect();
        // Still fresh while still shown.
        fresh.extend(self.fresh.iter().filter(|id| view.items.iter().any(|i| &i.id == *id)).cloned());
        *self =
            Rows { items: view.items, counts: view.counts, clock: view.clock, next_cursor: view.next_cursor, fresh };
    }

    fn ids(&self) -> Vec<String> {
        self.items.iter().map(|i| i.id.clone()).collect()
    }
}

/// How many of the filtered submissions are in each status; each count filters by it.
#[component]
fn StatusTabs(params: QueueParams, rows: RwSignal<Rows>, words: &'static Words) -> impl IntoView {
    let tabs = move || {
        rows.with(|r| r.counts.clone())
            .into_iter()
            .map(|StatusCount { status, n, more }| {
                let mut p = params.clone();
                p.cursor = None;
                let here = p.status.as_deref() == Some(status.as_str());
                p.status = Some(status.as_str().to_owned());
                view! {
                    <li>
                        <a href=queue_href(&p) aria-current=here.then_some("page")>
                            {words.status(status)}" "<span class="count">{words.count(n, more)}</span>
                        </a>
                    </li>
                }
            })
            .collect_view()
    };
    view! { <ul class="tabs" aria-label=words.status>{tabs}</ul> }.into_any()
}

#[component]
fn QueueTable(rows: RwSignal<Rows>, words: &'static Words, filtered: bool, triage: Triage) -> impl IntoView {
    move || rows.with(|rows| table(rows, words, filtered, triage))
}

fn table(rows: &Rows, words: &'static Words, filtered: bool, triage: Triage) -> AnyView {
    if rows.items.is_empty() {
        return view! { <p class="empty">{if filtered { words.nothing_matches } else { words.empty }}</p> }.into_any();
    }
    // Ten columns are wider than a laptop's screen beside the views: the table scrolls
    // sideways on its own (a region the keyboard can reach and scroll), not the page.
    view! {
        <div class="table-scroll" role="region" aria-label=words.caption tabindex="0">
        <table class="queue">
            <caption class="visually-hidden">{words.caption}</caption>
            <thead>
                <tr>
                    <th scope="col"><span class="visually-hidden">{words.select}</span></th>
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
                {rows
                    .items
                    .iter()
                    .enumerate()
                    .map(|(index, item)| {
                        let fresh = rows.fresh.contains(&item.id);
                        view! { <QueueRow item=item.clone() index fresh clock=rows.clock.clone() words triage /> }
                    })
                    .collect_view()}
            </tbody>
        </table>
        </div>
    }
    .into_any()
}

#[component]
fn QueueRow(
    item: QueueItem,
    index: usize,
    fresh: bool,
    clock: crate::api::Clock,
    words: &'static Words,
    triage: Triage,
) -> impl IntoView {
    let rating = item.rating.map(|r| format!("{r} / 5")).unwrap_or_else(|| words.none.into());
    let href = format!("/admin/submissions/{}", item.id);
    let message = item.message.clone().filter(|m| !m.trim().is_empty());
    // The shopper's words are data; the kind and rating are Hark's.
    let written = message.is_some().then_some("no");
    let summary = message.unwrap_or_else(|| format!("{} {}", words.kind(item.kind), rating));
    let due = item.due_at.clone().map(|due| {
        let overdue = clock.is_past(&due);
        view! {
            <time datetime=due.clone() class=if overdue { "due overdue" } else { "due" }>
                {if overdue { format!("{} · ", words.overdue) } else { String::new() }}
                {clock.label(&due)}
            </time>
        }
    });
    let (id, toggle_id) = (item.id.clone(), item.id.clone());
    let row_class = format!("kind-{} priority-{}{}", item.kind, item.priority, if fresh { " fresh" } else { "" });
    // "Select" and the row's summary: Hark's word and the shopper's, each marked as such.
    let (select_id, summary_id) = (format!("select-{}", item.id), format!("summary-{}", item.id));
    let labelled_by = format!("{select_id} {summary_id}");
    view! {
        <tr
            class=move || if triage.cursor.get() == index { format!("{row_class} selected") } else { row_class.clone() }
            data-id=item.id.clone()
            data-index=index
        >
            <td>
                <input
                    type="checkbox"
                    aria-labelledby=labelled_by
                    prop:checked=move || triage.chosen.with(|c| c.contains(&id))
                    on:change=move |_| triage.toggle(&toggle_id)
                />
                <span class="visually-hidden" id=select_id>{words.select}</span>
            </td>
            <td><time datetime=item.received_at.clone()>{clock.label(&item.received_at)}</time></td>
            <td>{words.kind(item.kind)}</td>
            <td>{rating}</td>
            <td class="message" translate=written><a href=href id=summary_id>{summary}</a></td>
            <td translate="no">{item.site_name}</td>
            <td><span class=format!("pill priority-{}", item.priority)>{words.priority(item.priority)}</span></td>
            <td translate="no">{item.assignee.map(|a| a.email).unwrap_or_else(|| words.none.into())}</td>
            <td>{due}</td>
            <td><span class=format!("pill status-{}", item.status)>{words.status(item.status)}</span></td>
        </tr>
    }
}

/// The queue's keyboard and selection state.
#[derive(Clone, Copy)]
struct Triage {
    /// The row j/k move through.
    cursor: RwSignal<usize>,
    /// The rows chosen for a change to many.
    chosen: RwSignal<BTreeSet<String>>,
    help: RwSignal<bool>,
}

impl Triage {
    fn toggle(&self, id: &str) {
        self.chosen.update(|c| {
            if !c.remove(id) {
                c.insert(id.to_owned());
            }
        });
    }

    /// The chosen rows, or the row under the cursor when none are.
    fn targets(&self, ids: &[String]) -> Vec<String> {
        let chosen = self.chosen.get_untracked();
        if chosen.is_empty() {
            ids.get(self.cursor.get_untracked()).cloned().into_iter().collect()
        } else {
            chosen.into_iter().collect()
        }
    }
}

/// j/k move, Enter opens, x selects, a assigns to me, e resolves, / searches, ? lists the
/// keys, Esc closes the list. Keys typed into a field are the field's.
fn keyboard(triage: Triage, rows: RwSignal<Rows>, bulk: ServerAction<BulkChange>) {
    use leptos::wasm_bindgen::JsCast;
    let navigate = leptos_router::hooks::use_navigate();
    let focus_row = |index: usize| focus_link(&format!("tr[data-index='{index}'] td.message a"));
    let handle = window_event_listener(leptos::ev::keydown, move |ev| {
        let typing = ev
            .target()
            .and_then(|t| t.dyn_into::<leptos::web_sys::Element>().ok())
            .is_some_and(|el| matches!(el.tag_name().as_str(), "INPUT" | "TEXTAREA" | "SELECT"));
        let ids = rows.with_untracked(Rows::ids);
        if typing || ev.ctrl_key() || ev.meta_key() || ev.alt_key() || ids.is_empty() && ev.key() != "?" {
            return;
        }
        let last = ids.len().saturating_sub(1);
        let act = |action: &str| {
            let targets = triage.targets(&ids);
            if !targets.is_empty() {
                bulk.dispatch(BulkChange { ids: targets.join(","), action: action.to_owned() });
                triage.chosen.set(BTreeSet::new());
            }
        };
        match ev.key().as_str() {
            "j" => {
                triage.cursor.update(|c| *c = (*c + 1).min(last));
                focus_row(triage.cursor.get_untracked());
            }
            "k" => {
                triage.cursor.update(|c| *c = c.saturating_sub(1));
                focus_row(triage.cursor.get_untracked());
            }
            "Enter" => {
                if let Some(id) = ids.get(triage.cursor.get_untracked()) {
                    ev.prevent_default();
                    navigate(&format!("/admin/submissions/{id}"), Default::default());
                }
            }
            "x" => {
                if let Some(id) = ids.get(triage.cursor.get_untracked()) {
                    triage.toggle(id);
                }
            }
            "a" => act("assign_me"),
            "e" => act("resolve"),
            "/" => {
                ev.prevent_default();
                if let Some(search) = document().get_element_by_id("q") {
                    if let Ok(search) = search.dyn_into::<leptos::web_sys::HtmlElement>() {
                        let _ = search.focus();
                    }
                }
            }
            "?" => triage.help.update(|h| *h = !*h),
            "Escape" => triage.help.set(false),
            _ => {}
        }
    });
    on_cleanup(move || handle.remove());
}

/// Focuses the element `selector` finds, if any.
fn focus_link(selector: &str) {
    use leptos::wasm_bindgen::JsCast;
    if let Ok(Some(link)) = document().query_selector(selector) {
        if let Ok(link) = link.dyn_into::<leptos::web_sys::HtmlElement>() {
            let _ = link.focus();
        }
    }
}

/// The id of the queue row that holds the focus.
fn focused_row() -> Option<String> {
    let row = document().active_element()?.closest("tr[data-id]").ok()??;
    row.get_attribute("data-id")
}

/// What can be done to the chosen rows at once.
#[component]
fn BulkBar(triage: Triage, bulk: ServerAction<BulkChange>, words: &'static Words) -> impl IntoView {
    let count = move || triage.chosen.with(|c| c.len());
    let ids = move || triage.chosen.with(|c| c.iter().cloned().collect::<Vec<_>>().join(","));
    view! {
        <Show when=move || { count() > 0 }>
            <ActionForm action=bulk attr:class="bulk" attr:aria-label=words.selected>
                <span class="count">{move || format!("{} {}", count(), words.selected)}</span>
                <input type="hidden" name="ids" prop:value=ids />
                <button type="submit" name="action" value="assign_me">{words.bulk_assign_me}</button>
                <button type="submit" name="action" value="resolve">{words.bulk_resolve}</button>
                <button type="submit" name="action" value="open">{words.bulk_open}</button>
                <button type="submit" name="action" value="spam">{words.bulk_spam}</button>
            </ActionForm>
        </Show>
    }
}

/// The list of keys, opened with ?.
#[component]
fn KeyHelp(triage: Triage, words: &'static Words) -> impl IntoView {
    view! {
        <Show when=move || triage.help.get()>
            <div class="key-help card" role="dialog" aria-modal="false" aria-labelledby="keys-title">
                <h2 id="keys-title">{words.keys_title}</h2>
                <dl class="facts">
                    {words.keys.iter().map(|(key, what)| view! { <dt><kbd>{*key}</kbd></dt><dd>{*what}</dd> }).collect_view()}
                </dl>
                <button type="button" on:click=move |_| triage.help.set(false)>{words.close}</button>
            </div>
        </Show>
    }
}
