//! The panel: the choice of kinds, the chosen kind's form, the receipt and a status line,
//! driven by signals. What the shopper enters is kept in `Answers` as they enter it, so
//! nothing is read back from the page but the robots' field.

use crate::el::{derived, el, Node};
use crate::fields::{control_id, fields, honeypot, Answers};
use crate::outbox::{Delivery, Outbox};
use crate::send;
use hark_core::form::{Form, Settings, Text};
use hark_core::model::Kind;
use hark_core::words::{Language, Words};
use reactive_graph::owner::Owner;
use reactive_graph::prelude::*;
use reactive_graph::signal::ArcRwSignal;
use std::cell::{Cell, RefCell};
use tachys::view::any_view::AnyView;
use tachys::view::{Mountable, Render};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{Element, HtmlElement, KeyboardEvent, ShadowRoot};

thread_local! {
    static PANEL: RefCell<Option<Panel>> = const { RefCell::new(None) };
    static CONTEXT: RefCell<Context> = RefCell::new(Context::default());
    /// When the form was opened: how long the shopper took to fill it in.
    static OPENED_AT: Cell<f64> = const { Cell::new(0.0) };
    /// Whether the complaint carries the rating the shopper turned into it.
    static CARRIED: Cell<bool> = const { Cell::new(false) };
}

fn current() -> Option<Panel> {
    PANEL.with(|panel| panel.borrow().clone())
}

/// What the merchant's page says about this shopper and moment: a signed customer
/// (`data-customer-*` or `Hark.identify`) and an order (`Hark.csat({order_ref})`).
#[derive(Default)]
pub struct Context {
    pub customer: Option<Customer>,
    pub order_ref: Option<String>,
}

pub struct Customer {
    pub id: String,
    pub tier: Option<String>,
    pub sig: Option<String>,
}

/// The signed customer the merchant named; an empty `id` forgets it.
#[wasm_bindgen]
pub fn identify(id: String, tier: Option<String>, sig: Option<String>) {
    let customer = (!id.is_empty()).then_some(Customer { id, tier, sig });
    CONTEXT.with(|context| context.borrow_mut().customer = customer);
}

/// The order the next submissions are about; an empty one forgets it.
#[wasm_bindgen]
pub fn order(order_ref: String) {
    CONTEXT.with(|context| context.borrow_mut().order_ref = (!order_ref.is_empty()).then_some(order_ref));
}

/// What the panel shows.
#[derive(Clone, PartialEq)]
struct State {
    open: bool,
    kind: Kind,
    phase: Phase,
    status: &'static str,
}

impl State {
    fn editing(&self) -> bool {
        self.phase == Phase::Editing
    }
}

#[derive(Clone, PartialEq)]
enum Phase {
    Editing,
    Sending,
    /// Kept in the outbox: not acknowledged yet.
    Saved,
    /// Acknowledged; with the tracking link when the collector's answer was seen here.
    Sent(Option<String>),
}

/// What the site's public settings say (the loader fetched them; defaults without).
struct Site {
    /// In the order the panel offers them.
    kinds: Vec<Kind>,
    categories: Vec<String>,
    require_email: bool,
}

impl Site {
    fn from_config(config: &JsValue) -> Site {
        let get = |key: &str| js_sys::Reflect::get(config, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED);
        let strings = |value: JsValue| -> Vec<String> {
            if js_sys::Array::is_array(&value) {
                js_sys::Array::from(&value).iter().filter_map(|v| v.as_string()).collect()
            } else {
                Vec::new()
            }
        };
        let enabled = strings(get("enabled_kinds"));
        let mut kinds: Vec<Kind> =
            Kind::ALL.iter().copied().filter(|k| enabled.iter().any(|e| e == k.as_str())).collect();
        if kinds.is_empty() {
            kinds = Kind::ALL.to_vec();
        }
        Site { kinds, categories: strings(get("categories")), require_email: get("require_email").is_truthy() }
    }

    fn form(&self, kind: Kind, words: &'static Words) -> Form {
        Form::of(kind, &Settings { categories: &self.categories, require_email: self.require_email }, words)
    }
}

/// What the panel was set up with and its state: one signal for what it shows, one for
/// what the shopper entered (each signal type costs the download its own copy of
/// Leptos's signal code). Signals are reference-counted handles, so this is cheap to
/// clone out of `PANEL`.
#[derive(Clone)]
struct Panel {
    root: ShadowRoot,
    words: &'static Words,
    site: &'static Site,
    locale: &'static str,
    outbox: Outbox,
    state: ArcRwSignal<State>,
    answers: Answers,
}

/// Renders the panel (closed) into `root`, next to the launcher.
#[wasm_bindgen]
pub fn mount(
    root: ShadowRoot,
    site_key: String,
    api_base: String,
    locale: String,
    config: JsValue,
) -> Result<(), JsValue> {
    let words = Language::from_locale(&locale).words();
    let site: &'static Site = Box::leak(Box::new(Site::from_config(&config)));
    let document = web_sys::window().and_then(|w| w.document()).ok_or("no document")?;
    let panel = Panel {
        root: root.clone(),
        words,
        site,
        locale: Box::leak(locale.into_boxed_str()),
        outbox: Outbox::new(&api_base, &site_key, words),
        state: ArcRwSignal::new(State { open: false, kind: site.kinds[0], phase: Phase::Editing, status: "" }),
        answers: Answers::new(Vec::new()),
    };
    PANEL.with(|cell| *cell.borrow_mut() = Some(panel.clone()));
    // Leptos's reactive system runs on the browser's microtasks; the panel lives as long
    // as the page.
    let _ = any_spawner::Executor::init_wasm_bindgen();
    let owner = Owner::new();
    let drawn = owner.with(|| {
        let mut drawn = view(panel).build();
        // Straight into the shadow root, beside the launcher (whose `.left ~ .panel`
        // places it): Leptos mounts into an element, but only calls what every node has.
        drawn.mount(root.unchecked_ref::<Element>(), None);
        drawn
    });
    // What was drawn holds the effects that keep it up to date.
    std::mem::forget((owner, drawn));

    // What an earlier page left unsent goes now, and again whenever the browser is back
    // online or the page visible; a saved submission then reads as sent.
    let outbox = current().map(|p| p.outbox).ok_or("no panel")?;
    outbox.flush(delivered);
    let page = document.clone();
    let again = move |_: &web_sys::Event| {
        if page.visibility_state() == web_sys::VisibilityState::Visible {
            outbox.flush(delivered);
        }
    };
    if let Some(window) = web_sys::window() {
        gloo_events::EventListener::new(&window, "online", again.clone()).forget();
    }
    gloo_events::EventListener::new(&document, "visibilitychange", again).forget();
    Ok(())
}

/// Opens the panel on `kind` (`csat`, `feedback` or `complaint`; else the one shown last).
#[wasm_bindgen]
pub fn open(kind: Option<String>) {
    if let Some(panel) = current() {
        let kind = kind.and_then(|k| Kind::ALL.iter().copied().find(|known| known.as_str() == k));
        panel.show(kind);
    }
}

#[wasm_bindgen]
pub fn close() {
    if let Some(panel) = current() {
        panel.hide();
    }
}

/// Called once the outbox has delivered what it kept: a saved submission is now sent.
fn delivered() {
    if let Some(panel) = current() {
        if panel.state.with_untracked(|state| state.phase == Phase::Saved) {
            panel.finish(Phase::Sent(None));
        }
    }
}

/// Moves keyboard focus to the first element of the panel that `selector` finds, once the
/// page shows what was just changed (the reactive system updates it in microtasks, which
/// all run before a timer's task).
fn focus_later(selector: &'static str) {
    gloo_timers::callback::Timeout::new(0, move || {
        if let Some(panel) = current() {
            if let Some(element) = panel.root.query_selector(selector).ok().flatten() {
                focus(&element);
            }
        }
    })
    .forget();
}

fn focus(element: &Element) {
    if let Some(element) = element.dyn_ref::<HtmlElement>() {
        let _ = element.focus();
    }
}

/// The first control of the form shown.
const FIRST_CONTROL: &str = ".form :is(input, select, textarea)";

impl Panel {
    fn editing(&self) -> bool {
        self.state.with_untracked(State::editing)
    }

    fn show(&self, kind: Option<Kind>) {
        let kind = kind.filter(|k| self.site.kinds.contains(k));
        let State { open, kind: shown, phase, .. } = self.state.get_untracked();
        match phase {
            // A new submission after the last one: a fresh form.
            Phase::Saved | Phase::Sent(_) => self.edit(kind.unwrap_or(shown), true),
            Phase::Editing => {
                if let Some(kind) = kind.filter(|&k| k != shown) {
                    self.edit(kind, false);
                }
            }
            // What is being sent stays on screen until the collector has answered.
            Phase::Sending => {}
        }
        if !open {
            OPENED_AT.with(|at| at.set(js_sys::Date::now()));
            self.state.update(|state| state.open = true);
        }
        focus_later(FIRST_CONTROL);
    }

    fn hide(&self) {
        if !self.state.with_untracked(|state| state.open) {
            return;
        }
        self.state.update(|state| state.open = false);
        // Focus goes back where the shopper came from: the launcher.
        if let Ok(Some(launcher)) = self.root.query_selector(".launcher") {
            let _ = launcher.set_attribute("aria-expanded", "false");
            focus(&launcher);
        }
    }

    /// Shows `kind`'s form, keeping what was entered unless `fresh`.
    fn edit(&self, kind: Kind, fresh: bool) {
        if fresh {
            self.answers.clear();
            CARRIED.with(|carried| carried.set(false));
            OPENED_AT.with(|at| at.set(js_sys::Date::now()));
        }
        if let Some(order_ref) = CONTEXT.with(|context| context.borrow().order_ref.clone()) {
            if self.answers.get("order_ref").is_none() {
                self.answers.set("order_ref", order_ref);
            }
        }
        self.answers.mark(String::new());
        self.state.update(|state| {
            state.status = "";
            state.phase = Phase::Editing;
            state.kind = kind;
        });
    }

    fn say(&self, status: &'static str) {
        self.state.update(|state| state.status = status);
    }

    /// Tab from the panel's last control goes to its first, Shift+Tab from its first to
    /// its last: keyboard focus stays in the open panel.
    fn keep_focus(&self, key: &KeyboardEvent) {
        let Ok(controls) =
            self.root.query_selector_all(".panel :is(a[href],button:not([disabled]),[tabindex='-1'][id])")
        else {
            return;
        };
        // Those shown: a hidden one has no offset parent.
        let shown: Vec<HtmlElement> = (0..controls.length())
            .filter_map(|i| controls.item(i)?.dyn_into::<HtmlElement>().ok())
            .filter(|control| control.offset_parent().is_some())
            .collect();
        let (Some(first), Some(last)) = (shown.first(), shown.last()) else { return };
        let (from, to) = if key.shift_key() { (first, last) } else { (last, first) };
        if self.root.active_element().as_ref() == Some(from.unchecked_ref::<Element>()) {
            key.prevent_default();
            let _ = to.focus();
        }
    }

    fn submit(&self) {
        let State { kind, phase, .. } = self.state.get_untracked();
        if phase == Phase::Sending {
            return;
        }
        let form = self.site.form(kind, self.words);
        let answers = &self.answers;
        if let Some((field, message)) = form.problem(self.words, |name| answers.get(name)) {
            answers.mark(control_id(&prefix(kind), &field.name));
            self.say(message);
            focus_later("[aria-invalid=true]");
            return;
        }
        answers.mark(String::new());
        // Only robots fill this in, and not always with events: read from the page.
        let honeypot = self
            .root
            .query_selector("[name=website]")
            .ok()
            .flatten()
            .and_then(|input| input.dyn_into::<web_sys::HtmlInputElement>().ok())
            .map(|input| input.value())
            .filter(|value| !value.is_empty());
        let carried = CARRIED.with(Cell::get).then(|| answers.get("rating")).flatten();
        let body = CONTEXT.with(|context| {
            send::body(&send::Submission {
                form: &form,
                answers,
                honeypot,
                carried_rating: carried,
                locale: self.locale,
                context: &context.borrow(),
                fill_ms: (js_sys::Date::now() - OPENED_AT.with(Cell::get)).max(0.0) as u32,
            })
        });
        let Some(body) = body else {
            self.say(self.words.cannot_send);
            return;
        };
        let sending = self.words.sending;
        self.state.update(|state| {
            state.phase = Phase::Sending;
            state.status = sending;
        });
        let outbox = self.outbox.clone();
        wasm_bindgen_futures::spawn_local(async move {
            let delivery = outbox.send(body, delivered).await;
            let Some(panel) = current() else { return };
            match delivery {
                Delivery::Sent(track_url) => panel.finish(Phase::Sent(track_url)),
                Delivery::Saved => panel.finish(Phase::Saved),
                Delivery::Refused(message) => panel.state.update(|state| {
                    state.phase = Phase::Editing;
                    state.status = message;
                }),
            }
        });
    }

    /// The form gives way to what happened to it: sent (with the tracking link when the
    /// collector's answer was seen here) or saved until the browser is online.
    fn finish(&self, phase: Phase) {
        let words = self.words;
        let status = if phase == Phase::Saved { words.saved_status } else { words.sent_status };
        self.state.update(|state| {
            state.status = status;
            state.phase = phase;
        });
        // The form is gone: keyboard focus stays inside the panel, on the heading.
        focus_later("#hark-thanks");
    }

    /// The rating just given, turned into a complaint with what was written.
    fn to_complaint(&self) {
        CARRIED.with(|carried| carried.set(true));
        self.edit(Kind::Complaint, false);
        focus_later(FIRST_CONTROL);
    }
}

/// A boolean attribute's value: present (empty) or absent.
fn flag(on: bool) -> Option<Text> {
    on.then(|| "".into())
}

fn view(panel: Panel) -> AnyView {
    let Panel { words, site, state, answers, .. } = panel.clone();
    // Every value drawn from the state is one type: `Some` text, or `None` for no
    // attribute.
    let shows = {
        let state = state.clone();
        move |value: fn(&State) -> Option<Text>| {
            let state = state.clone();
            derived(move || state.with(value))
        }
    };
    let kinds: Vec<Node> = site
        .kinds
        .iter()
        .map(|&k| {
            let panel = panel.clone();
            let shown = panel.state.clone();
            let pressed = derived(move || Some(if shown.with(|s| s.kind == k) { "true" } else { "false" }.into()));
            el("button")
                .attr("type", "button")
                .bind("aria-pressed", pressed)
                .on("click", move |_| {
                    if panel.editing() && panel.state.with_untracked(|s| s.kind != k) {
                        panel.edit(k, false);
                    }
                })
                .child(words.kinds[k as usize])
                .into()
        })
        .collect();
    let complaints = site.kinds.contains(&Kind::Complaint);
    // A rating of 1 or 2 offers to make it a complaint, in one tap.
    let rated = answers.clone();
    let offer = move || {
        let rated = rated.clone();
        let content = derived(move || flag(!(complaints && rated.is_one_of("rating", &["1", "2"]))));
        let button = el("button")
            .attr("type", "button")
            .attr("class", "to-complaint")
            .on("click", |_| {
                if let Some(panel) = current() {
                    panel.to_complaint();
                }
            })
            .child(words.to_complaint);
        el("p")
            .attr("class", "turn")
            .bind("hidden", content)
            .child(el("span").child(words.unhappy))
            .child(button)
            .into()
    };
    let receipt = |saved: &'static str, complaint: &'static str, other: &'static str| {
        let state = state.clone();
        derived(move || {
            state.with(|s| {
                Some(
                    match s.phase {
                        Phase::Saved => saved,
                        _ if s.kind == Kind::Complaint => complaint,
                        _ => other,
                    }
                    .into(),
                )
            })
        })
    };
    let track_url = shows(|s| if let Phase::Sent(Some(url)) = &s.phase { Some(url.clone().into()) } else { None });
    let on_key = {
        let panel = panel.clone();
        move |event: web_sys::Event| {
            let event: KeyboardEvent = event.unchecked_into();
            match event.key().as_str() {
                "Escape" => panel.hide(),
                "Tab" => panel.keep_focus(&event),
                _ => {}
            }
        }
    };
    let on_submit = {
        let panel = panel.clone();
        move |event: web_sys::Event| {
            event.prevent_default();
            panel.submit();
        }
    };
    let close = el("button")
        .attr("type", "button")
        .attr("class", "close")
        .attr("aria-label", words.close)
        .on("click", move |_| panel.hide())
        .child("×");
    let choose = el("div")
        .attr("class", "kinds")
        .attr("role", "group")
        .attr("aria-label", words.kinds_label)
        .bind("hidden", {
            let state = state.clone();
            derived(move || flag(site.kinds.len() < 2 || !state.with(State::editing)))
        })
        .children(kinds);
    let send = el("button")
        .attr("type", "submit")
        .attr("class", "send")
        .bind("disabled", shows(|s| flag(s.phase == Phase::Sending)))
        .child(words.send);
    let form = el("form")
        .attr("class", "form")
        .attr("novalidate", "")
        .bind("hidden", shows(|s| flag(!s.editing())))
        .on("submit", on_submit)
        // The chosen kind's form, drawn again when the shopper picks another (its
        // controls show the answers so far). It is also drawn again on the panel's other
        // changes (open, status, phase), a few per submission: that patches the same
        // elements in place, and a memo of the kind to avoid it costs 1.1 KB gzip.
        .child(Node::dynamic({
            let state = state.clone();
            move || {
                let chosen = state.with(|s| s.kind);
                fields(&site.form(chosen, words), &prefix(chosen), words, &answers, &offer)
            }
        }))
        .child(honeypot(words))
        .child(send);
    let link = el("a").bind("href", track_url).attr("target", "_blank").attr("rel", "noopener").child(words.track);
    let thanks = el("div")
        .attr("class", "thanks")
        .bind("hidden", shows(|s| flag(s.editing())))
        .child(el("h2").attr("id", "hark-thanks").attr("tabindex", "-1").text(receipt(
            words.saved_title,
            words.complaint_sent_title,
            words.sent_title,
        )))
        .child(el("p").text(receipt(words.saved_note, words.complaint_sent_note, words.sent_note)))
        .child(el("p").bind("hidden", shows(|s| flag(!matches!(s.phase, Phase::Sent(Some(_)))))).child(link));
    let status = el("p")
        .attr("class", "status")
        .attr("role", "status")
        .attr("aria-live", "polite")
        .text(shows(|s| Some(s.status.into())));
    let labelled_by =
        shows(|s| Some(if s.editing() { [&prefix(s.kind), "-title"].concat().into() } else { "hark-thanks".into() }));
    Node::from(
        el("div")
            .attr("class", "panel")
            .attr("lang", words.lang)
            .attr("role", "dialog")
            .attr("aria-modal", "true")
            .bind("aria-labelledby", labelled_by)
            .bind("hidden", shows(|s| flag(!s.open)))
            .on("keydown", on_key)
            .child(close)
            .child(choose)
            .child(form)
            .child(thanks)
            .child(status),
    )
    .into_view()
}

/// Where the ids of `kind`'s form start.
fn prefix(kind: Kind) -> String {
    ["hark-", kind.as_str()].concat()
}
