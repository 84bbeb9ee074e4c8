//! `/admin/sites` (owners): the organisation's sites and adding one; `/admin/sites/:id`:
//! a site's settings with a preview of its colour, the tag to paste, "Is it installed?"
//! and its signing secret; `/admin/audit`: who changed what. Every form is a plain form
//! too.

use crate::api::{
    load_audit, load_site, load_sites, refusal, AllowSiteOrigin, AuditView, CreateSite, RotateSiteSecret, SaveSite,
    SiteView, SitesView,
};
use crate::i18n::{words, SetupWords, Words};
use crate::queue::{SignedOut, TopBar};
use hark_core::model::{Kind, Sighting, SiteSettings};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};

#[component]
pub fn SitesPage() -> impl IntoView {
    let create = ServerAction::<CreateSite>::new();
    let sites = Resource::new(move || create.version().get(), |_| load_sites());
    view! {
        <Suspense fallback=|| view! { <main class="page"><p>"…"</p></main> }>
            {move || Suspend::new(async move {
                match sites.await {
                    Ok(view) => view! { <SitesScreen view create /> }.into_any(),
                    Err(err) => view! { <SignedOut message=crate::api::error_text(&err) /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn SitesScreen(view: SitesView, create: ServerAction<CreateSite>) -> impl IntoView {
    let words = words(&view.lang);
    let setup = words.setup;
    let SitesView { staff, sites, ago, .. } = view;
    let problem = move || refusal(create.value().get());
    let rows = sites
        .into_iter()
        .map(|site| {
            let href = format!("/admin/sites/{}", site.id);
            view! {
                <li>
                    <a href=href class="site-name">{site.name.clone()}</a>
                    {site.disabled.then(|| view! { <span class="pill">{setup.is_disabled}</span> })}
                    <span class="hint" translate="no">{site.allowed_origins.join(" · ")}</span>
                    <InstallStatus seen=site.seen.clone() ago=ago.clone() setup short=true />
                </li>
            }
        })
        .collect_view();
    view! {
        <Title text=format!("{} — Hark", setup.sites) />
        <TopBar staff words />
        <main class="page narrow">
            <h1>{setup.sites}</h1>
            <p class="hint">{setup.sites_hint}</p>
            <section class="card" aria-labelledby="sites-title">
                <h2 id="sites-title">{setup.sites}</h2>
                <ul class="people sites">{rows}</ul>
            </section>
            <section class="card" aria-labelledby="add-site-title">
                <h2 id="add-site-title">{setup.add_site}</h2>
                <ActionForm action=create attr:class="stack">
                    <label for="site-name">{setup.site_name}</label>
                    <input id="site-name" name="name" required maxlength="100" autocomplete="off" />
                    <label for="site-origins">{setup.origins}</label>
                    <textarea id="site-origins" name="origins" rows="2" aria-describedby="site-origins-hint" translate="no"></textarea>
                    <p class="hint" id="site-origins-hint">{setup.origins_hint}</p>
                    <p class="error" role="alert">{problem}</p>
                    <button type="submit" class="primary">{setup.add}</button>
                </ActionForm>
            </section>
        </main>
    }
}

/// Where a site's widget was seen: "Seen on … 3 minutes ago", "Not seen yet…", and the
/// origins it was refused from. `add`, on the site's page, offers to allow those.
#[component]
fn InstallStatus(
    seen: Vec<Sighting>,
    ago: std::collections::BTreeMap<String, String>,
    setup: &'static SetupWords,
    #[prop(optional)] short: bool,
    #[prop(optional)] add: Option<(String, ServerAction<AllowSiteOrigin>)>,
) -> impl IntoView {
    let shown = if short { 1 } else { usize::MAX };
    let lines = |allowed: bool| -> Vec<(String, String)> {
        seen.iter()
            .filter(|s| s.allowed == allowed)
            .take(shown)
            .map(|s| (s.origin.clone(), ago.get(&s.last_seen_at).cloned().unwrap_or_default()))
            .collect()
    };
    let (allowed, refused) = (lines(true), lines(false));
    let seen_lines = if allowed.is_empty() {
        view! { <li class="not-seen">{setup.not_seen}</li> }.into_any()
    } else {
        allowed
            .into_iter()
            .map(|(origin, when)| {
                view! { <li class="seen">{setup.seen_on}" "<span translate="no">{origin}</span>" · "{when}</li> }
            })
            .collect_view()
            .into_any()
    };
    let refused_lines = refused
        .into_iter()
        .map(|(origin, when)| {
            let to_allow = origin.clone();
            let offer = add.clone().map(|(id, action)| {
                let label = format!("{} {to_allow}", setup.add_it);
                view! {
                    <ActionForm action attr:class="inline">
                        <input type="hidden" name="id" value=id />
                        <input type="hidden" name="origin" value=to_allow />
                        <button type="submit" class="link" aria-label=label>{setup.add_it}</button>
                    </ActionForm>
                }
            });
            view! {
                <li class="refused">
                    {setup.refused_from}" "<span translate="no">{origin}</span>" · "{when}" "{offer}
                </li>
            }
        })
        .collect_view();
    view! { <ul class="install">{seen_lines}{refused_lines}</ul> }
}

#[derive(Clone, Copy)]
struct SiteActions {
    save: ServerAction<SaveSite>,
    rotate: ServerAction<RotateSiteSecret>,
    allow: ServerAction<AllowSiteOrigin>,
}

#[component]
pub fn SitePage() -> impl IntoView {
    let params = use_params_map();
    let id = move || params.read().get("id").unwrap_or_default();
    let actions = SiteActions { save: ServerAction::new(), rotate: ServerAction::new(), allow: ServerAction::new() };
    let site = Resource::new(
        move || (id(), actions.save.version().get(), actions.rotate.version().get(), actions.allow.version().get()),
        |(id, ..)| load_site(id),
    );
    view! {
        <Suspense fallback=|| view! { <main class="page"><p>"…"</p></main> }>
            {move || Suspend::new(async move {
                match site.await {
                    Ok(view) => view! { <SiteScreen view actions /> }.into_any(),
                    Err(err) => view! { <SignedOut message=crate::api::error_text(&err) /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn SiteScreen(view: SiteView, actions: SiteActions) -> impl IntoView {
    let words = words(&view.lang);
    let setup = words.setup;
    let SiteView { staff, site, ago, clock, .. } = view;
    let problem = move || {
        refusal(actions.save.value().get())
            .or_else(|| refusal(actions.rotate.value().get()))
            .or_else(|| refusal(actions.allow.value().get()))
    };
    let demo = format!("/demo?site={}", site.site_key);
    let here = format!("/admin/sites/{}", site.id);
    let previous = site.previous_secret_until.as_ref().map(|until| {
        view! { <p class="hint">{format!("{} {}", setup.previous_until, clock.label(until))}</p> }
    });
    view! {
        <Title text=format!("{} — Hark", site.name) />
        <TopBar staff words />
        <main class="page narrow">
            <p><a href="/admin/sites">{setup.sites}</a></p>
            <h1>{site.name.clone()}</h1>
            <p class="error" role="alert">{problem}</p>
            <section class="card" aria-labelledby="install-title">
                <h2 id="install-title">{setup.snippet}</h2>
                <p class="hint">{setup.snippet_hint}</p>
                <CopyText id="snippet" text=site.snippet.clone() setup />
                <h3>{setup.csp}</h3>
                <p class="hint">{setup.csp_hint}</p>
                <CopyText id="csp" text=site.csp.clone() setup />
                <h3>{setup.installed}</h3>
                <InstallStatus seen=site.seen.clone() ago=ago setup add=(site.id.clone(), actions.allow) />
                <p>
                    <a href=here rel="external">{setup.check_again}</a>" · "
                    <a href=demo target="_blank" rel="noopener">{setup.try_demo}</a>
                </p>
            </section>
            <SiteForm site=site.clone() words action=actions.save />
            <section class="card" aria-labelledby="secret-title">
                <h2 id="secret-title">{setup.secret}</h2>
                <p class="hint">{setup.secret_hint}</p>
                <details>
                    <summary>{setup.show_secret}</summary>
                    <code class="secret" translate="no">{site.secret.clone()}</code>
                </details>
                {previous}
                <ActionForm action=actions.rotate attr:class="stack">
                    <input type="hidden" name="id" value=site.id.clone() />
                    <label for="grace">{setup.grace}</label>
                    <select id="grace" name="grace_minutes">
                        {setup
                            .grace_options
                            .iter()
                            .map(|(minutes, name)| view! { <option value=minutes.to_string() selected=*minutes == 1440>{*name}</option> })
                            .collect_view()}
                    </select>
                    <button type="submit" class="secondary">{setup.rotate}</button>
                </ActionForm>
            </section>
        </main>
    }
}

/// Text to paste elsewhere, selectable, with a button that copies it.
#[component]
fn CopyText(id: &'static str, text: String, setup: &'static SetupWords) -> impl IntoView {
    let copied = RwSignal::new(false);
    let for_button = text.clone();
    let copy = move |_| {
        #[cfg(feature = "hydrate")]
        {
            let clipboard = window().navigator().clipboard();
            let _ = clipboard.write_text(&for_button);
            copied.set(true);
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = &for_button;
    };
    view! {
        <div class="copy">
            <code id=id class="snippet" translate="no">{text}</code>
            <button type="button" class="secondary" on:click=copy aria-describedby=id>{setup.copy}</button>
            <span role="status" class="hint">{move || copied.get().then_some(setup.copied)}</span>
        </div>
    }
}

/// The site's settings: every field of `SiteChange`, with a live preview of the colour.
#[component]
fn SiteForm(site: SiteSettings, words: &'static Words, action: ServerAction<SaveSite>) -> impl IntoView {
    let setup = words.setup;
    let initial_color = site.theme_color.clone().unwrap_or_default();
    let color = RwSignal::new(initial_color.clone());
    let categories = site.categories.join("\n");
    let origins = site.allowed_origins.join("\n");
    let (categories_text, origins_text) = (categories.clone(), origins.clone());
    let kinds = Kind::ALL
        .iter()
        .map(|kind| {
            let (name, id) = (format!("kind_{}", kind.as_str()), format!("kind-{}", kind.as_str()));
            view! {
                <label class="check" for=id.clone()>
                    <input type="checkbox" id=id.clone() name=name checked=site.enabled_kinds.contains(kind) />
                    {words.kind(*kind)}
                </label>
            }
        })
        .collect_view();
    let target = |name: &'static str, label: &'static str, value: i64| {
        view! {
            <label for=name>{label}</label>
            <input id=name name=name type="number" min="1" max="525600" value=value.to_string() required />
        }
    };
    let sla = site.sla;
    view! {
        <section class="card" aria-labelledby="settings-title">
            <h2 id="settings-title">{setup.settings_title}</h2>
            <ActionForm action attr:class="stack">
                <input type="hidden" name="id" value=site.id.clone() />
                <label for="name">{setup.site_name}</label>
                <input id="name" name="name" value=site.name.clone() required maxlength="100" />
                <label for="origins">{setup.origins}</label>
                // The text for the page as sent, the property for the page as it changes.
                <textarea
                    id="origins"
                    name="origins"
                    rows="3"
                    aria-describedby="origins-hint"
                    translate="no"
                    prop:value=origins
                >
                    {origins_text}
                </textarea>
                <p class="hint" id="origins-hint">{setup.origins_hint}</p>
                <fieldset>
                    <legend>{setup.kinds}</legend>
                    {kinds}
                </fieldset>
                <label for="categories">{setup.categories}</label>
                <textarea id="categories" name="categories" rows="8" aria-describedby="categories-hint" prop:value=categories>
                    {categories_text}
                </textarea>
                <p class="hint" id="categories-hint">{setup.categories_hint}</p>
                <CategoryNames slugs=site.categories.clone() />
                <label for="theme-color">{setup.theme_color}</label>
                <div class="color-row">
                    <input
                        id="theme-color"
                        name="theme_color"
                        placeholder="#3d2bd1"
                        pattern="#[0-9a-fA-F]{6}"
                        maxlength="7"
                        aria-describedby="theme-hint"
                        value=initial_color
                        prop:value=move || color.get()
                        on:input=move |ev| color.set(event_target_value(&ev))
                    />
                    <Preview color words />
                </div>
                <p class="hint" id="theme-hint">{setup.theme_hint}</p>
                <label class="check" for="require-email">
                    <input type="checkbox" id="require-email" name="require_email" checked=site.require_email />
                    {setup.require_email}
                </label>
                <label class="check" for="disabled">
                    <input type="checkbox" id="disabled" name="disabled" checked=site.disabled aria-describedby="disabled-hint" />
                    {setup.disabled}
                </label>
                <p class="hint" id="disabled-hint">{setup.disabled_hint}</p>
                <fieldset class="targets">
                    <legend>{setup.targets}</legend>
                    <p class="hint">{setup.targets_hint}</p>
                    {target("first_response", setup.first_response, sla.first_response)}
                    {target("resolution", setup.resolution, sla.resolution)}
                    {target("key_first_response", setup.key_first_response, sla.key_first_response)}
                    {target("key_resolution", setup.key_resolution, sla.key_resolution)}
                </fieldset>
                <button type="submit" class="primary">{setup.save}</button>
            </ActionForm>
        </section>
    }
}

/// The default categories among `slugs`, as shoppers read them in each language.
#[component]
fn CategoryNames(slugs: Vec<String>) -> impl IntoView {
    use hark_core::words::{EN, ZH_CN};
    let named: Vec<(String, &str, &str)> = slugs
        .iter()
        .filter(|slug| EN.category(slug) != slug.as_str())
        .map(|slug| (slug.clone(), EN.category(slug), ZH_CN.category(slug)))
        .collect();
    view! {
        <ul class="category-names hint">
            {named
                .into_iter()
                .map(|(slug, en, zh)| view! {
                    <li><code translate="no">{slug}</code>" — "<span lang="en">{en.to_owned()}</span>" · "<span lang="zh-CN">{zh.to_owned()}</span></li>
                })
                .collect_view()}
        </ul>
    }
}

/// The launcher and the panel's header and button in the chosen colour: drawn in SVG,
/// whose `fill` the admin's strict style policy allows, so it works before script too.
#[component]
fn Preview(color: RwSignal<String>, words: &'static Words) -> impl IntoView {
    let fill = move || {
        let chosen = color.get();
        let hex = chosen.strip_prefix('#').unwrap_or("");
        if hex.len() == 6 && hex.bytes().all(|b| b.is_ascii_hexdigit()) {
            chosen
        } else {
            "#3d2bd1".to_owned()
        }
    };
    let launcher = if words.lang == "en" { "Feedback" } else { "反馈" };
    view! {
        <figure class="preview">
            <svg viewBox="0 0 220 150" width="220" height="150" role="img" aria-label=words.setup.preview>
                <rect x="10" y="6" width="200" height="104" rx="10" class="panel" />
                <rect x="10" y="6" width="200" height="26" rx="10" fill=fill />
                <rect x="22" y="44" width="150" height="8" rx="4" class="line" />
                <rect x="22" y="60" width="120" height="8" rx="4" class="line" />
                <rect x="130" y="82" width="68" height="20" rx="6" fill=fill />
                <rect x="120" y="118" width="90" height="28" rx="14" fill=fill />
                <text x="165" y="137" text-anchor="middle" class="on-accent">{launcher}</text>
            </svg>
            <figcaption class="hint">{words.setup.preview}</figcaption>
        </figure>
    }
}

#[component]
pub fn AuditPage() -> impl IntoView {
    let query = use_query_map();
    let cursor = move || query.read().get("cursor");
    let page = Resource::new(cursor, load_audit);
    view! {
        <Suspense fallback=|| view! { <main class="page"><p>"…"</p></main> }>
            {move || Suspend::new(async move {
                match page.await {
                    Ok(view) => view! { <AuditScreen view /> }.into_any(),
                    Err(err) => view! { <SignedOut message=crate::api::error_text(&err) /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// An entry's detail as a person reads it: `field: old → new` for each change, one a
/// line, else `field: value`.
fn detail_text(detail: &serde_json::Value) -> String {
    let show = |v: &serde_json::Value| match v {
        serde_json::Value::String(text) => text.clone(),
        serde_json::Value::Null => "—".to_owned(),
        serde_json::Value::Array(items) => {
            items.iter().map(|i| i.as_str().map_or_else(|| i.to_string(), str::to_owned)).collect::<Vec<_>>().join(", ")
        }
        other => other.to_string(),
    };
    let Some(fields) = detail.as_object() else { return show(detail) };
    fields
        .iter()
        .map(|(field, value)| match value.as_array().map(Vec::as_slice) {
            Some([old, new]) if old.is_array() || new.is_array() || field != "allowed_origins" => {
                format!("{field}: {} → {}", show(old), show(new))
            }
            _ => format!("{field}: {}", show(value)),
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[component]
fn AuditScreen(view: AuditView) -> impl IntoView {
    let words = words(&view.lang);
    let setup = words.setup;
    let AuditView { staff, entries, next_cursor, clock, .. } = view;
    let empty = entries.is_empty().then(|| view! { <p class="empty">{setup.no_audit}</p> });
    let rows = entries
        .into_iter()
        .map(|entry| {
            let who = entry.actor.map_or_else(|| setup.command_line.to_owned(), |a| a.email);
            let detail = entry.detail.as_ref().map(detail_text).unwrap_or_default();
            view! {
                <tr>
                    <td><time datetime=entry.at.clone()>{clock.label(&entry.at)}</time></td>
                    <td translate="no">{who}</td>
                    <td>{setup.action(&entry.action)}" "<strong translate="no">{entry.target}</strong></td>
                    <td class="detail" translate="no">{detail}</td>
                    <td translate="no">{entry.client.unwrap_or_default()}</td>
                </tr>
            }
        })
        .collect_view();
    let older = next_cursor.map(|cursor| {
        let href = format!("/admin/audit?cursor={cursor}");
        view! { <p><a href=href>{setup.older}</a></p> }
    });
    view! {
        <Title text=format!("{} — Hark", setup.audit) />
        <TopBar staff words />
        <main class="page">
            <h1>{setup.audit}</h1>
            <p class="hint">{setup.audit_hint}</p>
            {empty}
            <div class="scroll" role="region" aria-label=setup.audit tabindex="0">
                <table class="queue audit">
                    <thead>
                        <tr>
                            <th scope="col">{setup.when}</th>
                            <th scope="col">{setup.who}</th>
                            <th scope="col">{setup.what}</th>
                            <th scope="col">{setup.details}</th>
                            <th scope="col">{setup.from_where}</th>
                        </tr>
                    </thead>
                    <tbody>{rows}</tbody>
                </table>
            </div>
            {older}
        </main>
    }
}
