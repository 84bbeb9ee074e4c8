//! `/admin/insights`: satisfaction, complaints and handling over a period, against the
//! period before. Every chart is SVG drawn here on the server (no chart library in the
//! browser), titled and described for screen readers, with hatching besides colour and
//! its numbers in a table one click away.

use crate::api::{load_insights, refusal, AddMark, InsightsView, RemoveMark};
use crate::i18n::{words, InsightWords, Words};
use crate::queue::{queue_href, SignedOut, TopBar};
use hark_core::metrics::{Count, Figures, MarkCheck, Metrics, Share, TrendPoint};
use hark_core::model::{QueueParams, Role, Stage};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

#[component]
pub fn InsightsPage() -> impl IntoView {
    let query = use_query_map();
    let add = ServerAction::<AddMark>::new();
    let remove = ServerAction::<RemoveMark>::new();
    let asked = move || {
        let q = query.read();
        (q.get("site"), q.get("from"), q.get("to"), q.get("interval"), add.version().get(), remove.version().get())
    };
    let view = Resource::new(asked, |(site, from, to, interval, _, _)| load_insights(site, from, to, interval));
    view! {
        <Suspense fallback=|| view! { <main class="page"><p>"…"</p></main> }>
            {move || Suspend::new(async move {
                match view.await {
                    Ok(view) => view! { <InsightsScreen view add remove /> }.into_any(),
                    Err(err) => view! { <SignedOut message=crate::api::error_text(&err) /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// A percentage as shown: one decimal, or a dash for none.
fn pct(value: Option<f64>) -> String {
    value.map_or_else(|| "—".to_owned(), |v| format!("{v:.1}%"))
}

fn interval_text(ci: Option<[f64; 2]>) -> String {
    ci.map_or_else(String::new, |[low, high]| format!("{low:.1}–{high:.1}%"))
}

fn minutes(value: Option<i64>, w: &InsightWords) -> String {
    value.map_or_else(|| "—".to_owned(), |m| format!("{m} {}", w.minutes))
}

/// A stage's name, or the words for none.
fn stage_name(words: &'static Words, key: &str) -> String {
    key.parse::<Stage>().map(|s| words.stage(s).to_owned()).unwrap_or_else(|_| words.insights.no_stage.to_owned())
}

fn category_name(words: &'static Words, key: &str) -> String {
    if key.is_empty() {
        words.insights.no_stage.to_owned()
    } else {
        words.shop_words.category(key).to_owned()
    }
}

#[component]
fn InsightsScreen(view: InsightsView, add: ServerAction<AddMark>, remove: ServerAction<RemoveMark>) -> impl IntoView {
    let words = words(&view.lang);
    let w = words.insights;
    let InsightsView { staff, metrics, sites, query, .. } = view;
    let owner = staff.role == Role::Owner;
    let problem = move || {
        add.value()
            .get()
            .and_then(|r| r.err())
            .map(|e| crate::api::error_text(&e))
            .or_else(|| refusal(remove.value().get()))
    };
    let Metrics {
        site,
        from,
        to,
        starts_at,
        ends_at,
        time_zone,
        recounting,
        interval,
        current,
        previous,
        trend,
        backlog,
        phrases,
        marks,
        ..
    } = metrics;
    let site_options = sites
        .iter()
        .map(|(id, name, _)| view! { <option value=id.clone() selected=site.as_deref() == Some(id.as_str())>{name.clone()}</option> })
        .collect_view();
    let csv = format!("/api/v1/admin/metrics.csv?{query}");
    let categories = site
        .as_ref()
        .and_then(|s| sites.iter().find(|(id, _, _)| id == s))
        .map(|(_, _, c)| c.clone())
        .unwrap_or_default();
    let marks_days: Vec<(String, String)> = marks.iter().map(|m| (m.mark.day.clone(), m.mark.title.clone())).collect();
    let queue_link = {
        let (site, from, to) = (site.clone(), starts_at, ends_at);
        move |phrase: &str| {
            queue_href(&QueueParams {
                q: Some(phrase.to_owned()),
                from: Some(from.clone()),
                to: Some(to.clone()),
                site: site.clone(),
                ..QueueParams::default()
            })
        }
    };
    view! {
        <Title text=format!("{} — Hark", w.title) />
        <TopBar staff words />
        <main class="page insights">
            <h1>{w.title}</h1>
            <p class="hint">{w.hint}</p>
            {recounting
                .then(|| {
                    view! {
                        <p class="notice" role="status">
                            {w.recounting}" ("<span translate="no">{time_zone}</span>")"
                        </p>
                    }
                })}
            <form class="filters" method="get" action="/admin/insights">
                <label>{w.site}" "
                    <select name="site">
                        <option value="" selected=site.is_none()>{w.all_sites}</option>
                        {site_options}
                    </select>
                </label>
                <label>{w.from}" "<input type="date" name="from" value=from.clone() /></label>
                <label>{w.to}" "<input type="date" name="to" value=to.clone() /></label>
                <label>{w.interval}" "
                    <select name="interval">
                        <option value="day" selected=interval == hark_core::metrics::Interval::Day>{w.day}</option>
                        <option value="week" selected=interval == hark_core::metrics::Interval::Week>{w.week}</option>
                    </select>
                </label>
                <button type="submit">{w.show}</button>
                <a class="button" href=csv download="">{w.export}</a>
            </form>
            <p class="error" role="alert">{problem}</p>
            <Headline current=current.clone() previous=previous.clone() w />
            <section class="card wide" aria-labelledby="trend-title">
                <h2 id="trend-title">{w.trend}</h2>
                <TrendChart points=trend marks=marks_days w />
            </section>
            <div class="grid">
                <section class="card" aria-labelledby="ratings-title">
                    <h2 id="ratings-title">{w.distribution}</h2>
                    <Bars id="ratings" title=w.distribution.to_owned()
                        rows=current.csat.distribution.iter().enumerate().map(|(i, n)| ((i + 1).to_string(), *n as f64, n.to_string())).collect() w />
                </section>
                <section class="card" aria-labelledby="dimensions-title">
                    <h2 id="dimensions-title">{w.dimensions}</h2>
                    <Bars id="dimensions" title=w.dimensions.to_owned()
                        rows=current.dimensions.iter().map(|d| {
                            let name = words.dimension_names[hark_core::model::Dimension::ALL.iter().position(|x| *x == d.dimension).unwrap_or(0)];
                            let shown = d.average.map_or_else(|| "—".to_owned(), |a| {
                                let ci = d.ci95.map(|[l, h]| format!(" ({l:.2}–{h:.2})")).unwrap_or_default();
                                format!("{a:.2}{ci} · {} {}", d.responses, w.responses)
                            });
                            (name.to_owned(), d.average.unwrap_or(0.0), shown)
                        }).collect() max=5.0 w />
                </section>
                <section class="card" aria-labelledby="stage-title">
                    <h2 id="stage-title">{w.by_stage}</h2>
                    <ShareBars id="csat-stage" title=w.by_stage.to_owned()
                        shares=current.csat.by_stage.iter().map(|s| (stage_name(words, &s.key), s.clone())).collect() w />
                </section>
                <section class="card" aria-labelledby="category-title">
                    <h2 id="category-title">{w.by_category}</h2>
                    <ShareBars id="csat-category" title=w.by_category.to_owned()
                        shares=current.csat.by_category.iter().map(|s| (category_name(words, &s.key), s.clone())).collect() w />
                </section>
                <section class="card" aria-labelledby="pareto-title">
                    <h2 id="pareto-title">{w.pareto}</h2>
                    <p class="hint">{w.pareto_hint}</p>
                    <Pareto counts=current.complaints.by_category.clone() words w />
                </section>
                <section class="card" aria-labelledby="complaint-stage-title">
                    <h2 id="complaint-stage-title">{w.complaints_by_stage}</h2>
                    <Bars id="complaint-stage" title=w.complaints_by_stage.to_owned()
                        rows=current.complaints.by_stage.iter().map(|c| (stage_name(words, &c.key), c.count as f64, c.count.to_string())).collect() w />
                </section>
                <Handling figures=current.clone() backlog w />
                <section class="card" aria-labelledby="phrases-title">
                    <h2 id="phrases-title">{w.phrases}</h2>
                    <p class="hint">{w.phrases_hint}</p>
                    <PhraseTable id="phrases-top" phrases=phrases.top empty=w.none words link=queue_link.clone() w />
                    <h3>{w.rising}</h3>
                    <PhraseTable id="phrases-rising" phrases=phrases.rising empty=w.nothing_rising words link=queue_link w />
                </section>
            </div>
            <Marks checks=marks site=site.clone() categories owner add remove words />
        </main>
    }
}

/// The headline figures, each against the period before.
#[component]
fn Headline(current: Figures, previous: Figures, w: &'static InsightWords) -> impl IntoView {
    let tile = |id: &'static str, label: &'static str, value: String, detail: String, before: String| {
        view! {
            <div class="tile" data-figure=id>
                <span class="label">{label}</span>
                <strong class="value">{value}</strong>
                <span class="detail">{detail}</span>
                <span class="before">{format!("{}: {before}", w.previous)}</span>
            </div>
        }
    };
    view! {
        <section class="tiles" aria-label=w.title>
            {tile("csat", w.csat, pct(current.csat.score),
                format!("{} {} · {} {}", current.csat.responses, w.responses, w.interval95, interval_text(current.csat.ci95)),
                pct(previous.csat.score))}
            {tile("submissions", w.submissions, current.submissions.to_string(), String::new(), previous.submissions.to_string())}
            {tile("complaints", w.complaints, current.complaints.count.to_string(),
                format!("{} {} · {} {}", pct(current.complaints.rate), w.complaint_rate, pct(current.complaints.resolution_rate), w.resolution_rate),
                previous.complaints.count.to_string())}
            {tile("first-response", w.first_response, minutes(current.first_response.p50, w),
                format!("{} · {} {}", w.median, w.p90, minutes(current.first_response.p90, w)),
                minutes(previous.first_response.p50, w))}
            {tile("iceberg", w.hidden, current.iceberg.per_complaint.map_or_else(|| "—".into(), |v| format!("{v:.1}")),
                w.iceberg.to_owned(), previous.iceberg.per_complaint.map_or_else(|| "—".into(), |v| format!("{v:.1}")))}
            {tile("recovery", w.recovery_title, pct(current.recovery.rate),
                format!("{} · {} {}", w.recovery, current.recovery.responses, w.responses), pct(previous.recovery.rate))}
        </section>
    }
}

/// CSAT per point with its interval as a hatched band, and the marks as lines.
#[component]
fn TrendChart(points: Vec<TrendPoint>, marks: Vec<(String, String)>, w: &'static InsightWords) -> impl IntoView {
    const WIDTH: f64 = 720.0;
    const HEIGHT: f64 = 220.0;
    const LEFT: f64 = 40.0;
    const TOP: f64 = 10.0;
    const PLOT_H: f64 = 180.0;
    let n = points.len().max(1);
    let step = (WIDTH - LEFT - 10.0) / n as f64;
    let x = move |i: usize| LEFT + step * (i as f64 + 0.5);
    let y = move |v: f64| TOP + PLOT_H * (1.0 - v / 100.0);
    let rated: Vec<(usize, &TrendPoint)> = points.iter().enumerate().filter(|(_, p)| p.csat.score.is_some()).collect();
    let line = rated
        .iter()
        .map(|(i, p)| format!("{:.1},{:.1}", x(*i), y(p.csat.score.unwrap_or(0.0))))
        .collect::<Vec<_>>()
        .join(" ");
    let band = {
        let upper = rated.iter().filter_map(|(i, p)| p.csat.ci95.map(|c| format!("{:.1},{:.1}", x(*i), y(c[1]))));
        let lower = rated.iter().rev().filter_map(|(i, p)| p.csat.ci95.map(|c| format!("{:.1},{:.1}", x(*i), y(c[0]))));
        upper.chain(lower).collect::<Vec<_>>().join(" ")
    };
    let dots = rated
        .iter()
        .map(|(i, p)| {
            let label = format!("{}: {} ({} {})", p.start, pct(p.csat.score), p.csat.responses, w.responses);
            view! { <circle cx=format!("{:.1}", x(*i)) cy=format!("{:.1}", y(p.csat.score.unwrap_or(0.0))) r="3" class="dot"><title>{label}</title></circle> }
        })
        .collect_view();
    let mark_lines = marks
        .iter()
        .filter_map(|(day, title)| {
            let at = points.iter().rposition(|p| p.start.as_str() <= day.as_str())?;
            Some(view! {
                <g class="mark">
                    <line x1=format!("{:.1}", x(at)) x2=format!("{:.1}", x(at)) y1=TOP.to_string() y2=(TOP + PLOT_H).to_string() stroke-dasharray="4 3" />
                    <text x=format!("{:.1}", x(at) + 3.0) y=(TOP + 12.0).to_string()>{title.clone()}</text>
                    <title>{format!("{day}: {title}")}</title>
                </g>
            })
        })
        .collect_view();
    let ticks = [0.0, 50.0, 100.0]
        .into_iter()
        .map(|v| view! {
            <g class="tick">
                <line x1=LEFT.to_string() x2=(WIDTH - 10.0).to_string() y1=format!("{:.1}", y(v)) y2=format!("{:.1}", y(v)) />
                <text x="2" y=format!("{:.1}", y(v) + 4.0)>{format!("{v}%")}</text>
            </g>
        })
        .collect_view();
    let first = points.first().map(|p| p.start.clone()).unwrap_or_default();
    let last = points.last().map(|p| p.start.clone()).unwrap_or_default();
    let rows = points
        .iter()
        .map(|p| view! {
            <tr><td>{p.start.clone()}</td><td>{p.submissions}</td><td>{p.complaints}</td><td>{p.csat.responses}</td><td>{pct(p.csat.score)}</td><td>{interval_text(p.csat.ci95)}</td></tr>
        })
        .collect_view();
    view! {
        <svg class="chart trend" viewBox=format!("0 0 {WIDTH} {HEIGHT}") role="img" aria-labelledby="trend-svg-title trend-svg-desc">
            <title id="trend-svg-title">{w.trend}</title>
            <desc id="trend-svg-desc">{format!("{first} – {last}. {}", w.csat_hint)}</desc>
            <defs>
                <pattern id="hatch" patternUnits="userSpaceOnUse" width="6" height="6" patternTransform="rotate(45)">
                    <line x1="0" y1="0" x2="0" y2="6" class="hatch" />
                </pattern>
            </defs>
            {ticks}
            <polygon points=band fill="url(#hatch)" class="band" />
            <polyline points=line fill="none" class="line" />
            {dots}
            {mark_lines}
            <text x=LEFT.to_string() y=(HEIGHT - 4.0).to_string()>{first}</text>
            <text x=(WIDTH - 10.0).to_string() y=(HEIGHT - 4.0).to_string() text-anchor="end">{last}</text>
        </svg>
        <details>
            <summary>{w.numbers}</summary>
            <table id="trend-table">
                <thead><tr><th>{w.day}</th><th>{w.submissions}</th><th>{w.complaints}</th><th>{w.responses}</th><th>"CSAT"</th><th>{w.interval95}</th></tr></thead>
                <tbody>{rows}</tbody>
            </table>
        </details>
    }
}

/// Horizontal bars, `(label, value, shown)`, longest at `max` (the largest by default).
#[component]
fn Bars(
    id: &'static str,
    title: String,
    rows: Vec<(String, f64, String)>,
    #[prop(optional)] max: Option<f64>,
    w: &'static InsightWords,
) -> impl IntoView {
    if rows.is_empty() || rows.iter().all(|r| r.1 == 0.0) {
        return view! { <p class="empty">{w.none}</p> }.into_any();
    }
    let max = max.unwrap_or_else(|| rows.iter().map(|r| r.1).fold(0.0, f64::max)).max(f64::MIN_POSITIVE);
    let height = 24.0 * rows.len() as f64 + 4.0;
    let bars = rows
        .iter()
        .enumerate()
        .map(|(i, (label, value, shown))| {
            let width = 130.0 * value / max;
            let y = 4.0 + 24.0 * i as f64;
            view! {
                <g>
                    <text x="0" y=format!("{:.0}", y + 14.0)>{label.clone()}</text>
                    <rect x="124" y=format!("{y:.0}") width=format!("{width:.1}") height="16" class=if i % 2 == 0 { "bar" } else { "bar alt" } />
                    <text x=format!("{:.1}", 128.0 + width) y=format!("{:.0}", y + 13.0) class="value">{shown.clone()}</text>
                    <title>{format!("{label}: {shown}")}</title>
                </g>
            }
        })
        .collect_view();
    let table = rows
        .iter()
        .map(|(label, _, shown)| view! { <tr><th scope="row">{label.clone()}</th><td>{shown.clone()}</td></tr> })
        .collect_view();
    let label = title.clone();
    view! {
        <svg class="chart bars" viewBox=format!("0 0 440 {height:.0}") role="img" aria-label=label>
            <title>{title}</title>
            {bars}
        </svg>
        <details>
            <summary>{w.numbers}</summary>
            <table id=format!("{id}-table")><tbody>{table}</tbody></table>
        </details>
    }
    .into_any()
}

/// CSAT shares as bars, with their answers and intervals.
#[component]
fn ShareBars(id: &'static str, title: String, shares: Vec<(String, Share)>, w: &'static InsightWords) -> impl IntoView {
    let rows = shares
        .into_iter()
        .map(|(label, s)| {
            let shown = format!("{} · {} {} · {}", pct(s.score), s.responses, w.responses, interval_text(s.ci95));
            (label, s.score.unwrap_or(0.0), shown)
        })
        .collect();
    view! { <Bars id title rows max=100.0 w /> }
}

/// Complaint causes largest first, each with the running share.
#[component]
fn Pareto(counts: Vec<Count>, words: &'static Words, w: &'static InsightWords) -> impl IntoView {
    let rows = counts
        .iter()
        .map(|c| (category_name(words, &c.key), c.count as f64, format!("{} · Σ {:.1}%", c.count, c.cumulative)))
        .collect();
    view! { <Bars id="pareto" title=w.pareto.to_owned() rows w /> }
}

#[component]
fn Handling(figures: Figures, backlog: Vec<hark_core::metrics::BacklogAge>, w: &'static InsightWords) -> impl IntoView {
    let age = |key: &str| match key {
        "under_1d" => w.age_under_1d,
        "1_3d" => w.age_1_3d,
        "3_7d" => w.age_3_7d,
        _ => w.age_over_7d,
    };
    let sla = &figures.sla;
    let agents = figures
        .agents
        .iter()
        .map(|a| view! {
            <tr><th scope="row" translate="no">{a.email.clone()}</th><td>{a.assigned}</td><td>{a.resolved}</td><td>{minutes(a.first_response_p50, w)}</td></tr>
        })
        .collect_view();
    view! {
        <section class="card" aria-labelledby="handling-title">
            <h2 id="handling-title">{w.handling}</h2>
            <table id="handling-table">
                <tbody>
                    <tr><th scope="row">{w.first_response}</th><td>{format!("{} {}", w.median, minutes(figures.first_response.p50, w))}</td><td>{format!("{} {}", w.p90, minutes(figures.first_response.p90, w))}</td></tr>
                    <tr><th scope="row">{w.resolution_time}</th><td>{format!("{} {}", w.median, minutes(figures.resolution_time.p50, w))}</td><td>{format!("{} {}", w.p90, minutes(figures.resolution_time.p90, w))}</td></tr>
                    <tr><th scope="row">{w.first_response_met}</th><td data-figure="sla-first">{pct(sla.all.first_response_met)}</td><td>{format!("{}: {}", w.key_customers, pct(sla.key.first_response_met))}</td></tr>
                    <tr><th scope="row">{w.resolution_met}</th><td>{pct(sla.all.resolution_met)}</td><td>{format!("{}: {}", w.key_customers, pct(sla.key.resolution_met))}</td></tr>
                </tbody>
            </table>
            <h3>{w.backlog}</h3>
            <Bars id="backlog" title=w.backlog.to_owned() rows=backlog.iter().map(|b| (age(&b.age).to_owned(), b.count as f64, b.count.to_string())).collect() w />
            <h3>{w.agents}</h3>
            <table id="agents-table">
                <thead><tr><th>{w.person}</th><th>{w.assigned}</th><th>{w.resolved}</th><th>{w.median_first}</th></tr></thead>
                <tbody>{agents}</tbody>
            </table>
        </section>
    }
}

#[component]
fn PhraseTable(
    id: &'static str,
    phrases: Vec<hark_core::metrics::Phrase>,
    /// What to say when there is none.
    empty: &'static str,
    words: &'static Words,
    link: impl Fn(&str) -> String + 'static,
    w: &'static InsightWords,
) -> impl IntoView {
    if phrases.is_empty() {
        return view! { <p class="empty">{empty}</p> }.into_any();
    }
    let rows = phrases
        .into_iter()
        .map(|p| {
            view! {
                <tr>
                    <th scope="row"><a href=link(&p.phrase)>{p.phrase.clone()}</a></th>
                    <td>{category_name(words, &p.category)}</td>
                    <td>{p.count}</td>
                    <td>{p.previous}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <table id=id>
            <thead><tr><th>{w.phrases}</th><th>{w.by_category}</th><th>{w.count}</th><th>{w.previous}</th></tr></thead>
            <tbody>{rows}</tbody>
        </table>
    }
    .into_any()
}

/// Plan–do–check: the marks' comparisons, and for owners the form to add one.
#[component]
fn Marks(
    checks: Vec<MarkCheck>,
    site: Option<String>,
    categories: Vec<String>,
    owner: bool,
    add: ServerAction<AddMark>,
    remove: ServerAction<RemoveMark>,
    words: &'static Words,
) -> impl IntoView {
    let w = words.insights;
    let rows = checks
        .into_iter()
        .map(|c| {
            let verdict = if c.significant { w.significant } else { w.not_significant };
            let category = c.mark.category.as_deref().map(|k| category_name(words, k)).unwrap_or_default();
            let (site_id, id) = (c.mark.site_id.clone(), c.mark.id.clone());
            view! {
                <tr>
                    <th scope="row">{c.mark.title.clone()}</th>
                    <td>{c.mark.day.clone()}" "{category}</td>
                    <td>{format!("{} ({} {})", pct(c.before.score), c.before.responses, w.responses)}</td>
                    <td>{format!("{} ({} {})", pct(c.after.score), c.after.responses, w.responses)}</td>
                    <td>{format!("{} · {} {}", verdict, c.days, w.days_each_side)}</td>
                    {owner.then(|| view! {
                        <td>
                            <ActionForm action=remove attr:class="inline">
                                <input type="hidden" name="site" value=site_id />
                                <input type="hidden" name="id" value=id />
                                <button type="submit" class="link">{w.mark_remove}</button>
                            </ActionForm>
                        </td>
                    })}
                </tr>
            }
        })
        .collect_view();
    let form = match (owner, site) {
        (false, _) => None,
        (true, None) => Some(view! { <p class="hint">{w.pick_site}</p> }.into_any()),
        (true, Some(site)) => Some(
            view! {
                <ActionForm action=add attr:class="mark-form">
                    <input type="hidden" name="site" value=site />
                    <label>{w.mark_title}" "<input name="title" required maxlength="200" /></label>
                    <label>{w.mark_day}" "<input type="date" name="day" required /></label>
                    <label>{w.mark_category}" "
                        <select name="category">
                            <option value="">"—"</option>
                            {categories.into_iter().map(|c| view! { <option value=c.clone()>{category_name(words, &c)}</option> }).collect_view()}
                        </select>
                    </label>
                    <button type="submit">{w.mark_add}</button>
                </ActionForm>
            }
            .into_any(),
        ),
    };
    view! {
        <section class="card wide" aria-labelledby="marks-title">
            <h2 id="marks-title">{w.marks}</h2>
            <p class="hint">{w.marks_hint}</p>
            <table id="marks-table">
                <thead><tr><th>{w.mark_title}</th><th>{w.mark_day}</th><th>{w.before}</th><th>{w.after}</th><th>{w.mark_verdict}</th>
                    {owner.then(|| view! { <th>{w.mark_actions}</th> })}
                </tr></thead>
                <tbody>{rows}</tbody>
            </table>
            {form}
        </section>
    }
}
