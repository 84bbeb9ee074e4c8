//! The shopper's panel. `widget.js` draws the launcher and loads this module only when
//! the shopper reaches for it; `mount` then renders into the launcher's shadow root.

mod i18n;
mod outbox;
mod send;

use leptos::either::Either;
use leptos::ev::SubmitEvent;
use leptos::html;
use leptos::prelude::*;
use std::cell::{Cell, RefCell};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::ShadowRoot;

thread_local! {
    static OPEN: Cell<Option<RwSignal<bool>>> = const { Cell::new(None) };
    static CONTEXT: RefCell<Context> = RefCell::new(Context::default());
}

/// What the merchant's page says about this shopper and moment: a signed customer
/// (`data-customer-*` or `Hark.identify`) and an order (`Hark.csat({order_ref})`).
#[derive(Clone, Default)]
pub struct Context {
    pub customer: Option<Customer>,
    pub order_ref: Option<String>,
}

#[derive(Clone)]
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

/// What the loader knows about the page it was pasted into.
#[derive(Clone)]
struct Setup {
    root: ShadowRoot,
    site_key: String,
    api_base: String,
    locale: String,
}

/// Renders the panel (closed) into `root`, next to the launcher.
#[wasm_bindgen]
pub fn mount(root: ShadowRoot, site_key: String, api_base: String, locale: String) -> Result<(), JsValue> {
    let document = web_sys::window().and_then(|w| w.document()).ok_or("no document")?;
    let container: web_sys::HtmlElement = document.create_element("div")?.unchecked_into();
    root.append_child(&container)?;
    let open = RwSignal::new(false);
    OPEN.with(|cell| cell.set(Some(open)));
    let setup = Setup { root, site_key, api_base, locale };
    leptos::mount::mount_to(container, move || view! { <Panel setup open /> }).forget();
    Ok(())
}

#[wasm_bindgen]
pub fn open() {
    set_open(true);
}

#[wasm_bindgen]
pub fn close() {
    set_open(false);
}

fn set_open(value: bool) {
    if let Some(open) = OPEN.with(Cell::get) {
        open.set(value);
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
    Failed(String),
}

/// Focus goes back where the shopper came from: the launcher.
fn focus_launcher(root: &ShadowRoot) {
    if let Ok(Some(launcher)) = root.query_selector(".launcher") {
        let _ = launcher.set_attribute("aria-expanded", "false");
        if let Ok(launcher) = launcher.dyn_into::<web_sys::HtmlElement>() {
            let _ = launcher.focus();
        }
    }
}

#[component]
fn Panel(setup: Setup, open: RwSignal<bool>) -> impl IntoView {
    let rating = RwSignal::new(0u8);
    let comment = RwSignal::new(String::new());
    let phase = RwSignal::new(Phase::Editing);
    let first_choice = NodeRef::<html::Input>::new();
    let thanks = NodeRef::<html::H2>::new();
    let root = setup.root.clone();
    let text = i18n::for_locale(&setup.locale);

    // Once sent, the form disappears: keep keyboard focus inside the panel.
    Effect::new(move || {
        if matches!(phase.get(), Phase::Sent(_) | Phase::Saved) {
            if let Some(heading) = thanks.get() {
                let _ = heading.focus();
            }
        }
    });

    // When the panel last opened: how long the shopper took to fill it. (A plain cell: a
    // signal of another type costs a kilobyte of wasm.)
    let opened_at = std::rc::Rc::new(Cell::new(js_sys::Date::now()));
    let opened = opened_at.clone();
    Effect::new(move |was_open: Option<bool>| {
        let is_open = open.get();
        if is_open && was_open != Some(true) {
            opened.set(js_sys::Date::now());
        }
        if is_open {
            if let Some(input) = first_choice.get() {
                let _ = input.focus();
            }
        } else if was_open == Some(true) {
            focus_launcher(&root);
        }
        is_open
    });

    // What an earlier page left unsent goes now, and again whenever the browser is back
    // online or the page visible; a saved submission then reads as sent.
    let outbox = outbox::Outbox::new(&setup.api_base, &setup.site_key, text);
    let delivered = move || {
        if phase.get_untracked() == Phase::Saved {
            phase.set(Phase::Sent(None));
        }
    };
    outbox.flush(delivered);
    if let Some(window) = web_sys::window() {
        let again = {
            let outbox = outbox.clone();
            Closure::<dyn Fn()>::new(move || {
                let visible = web_sys::window()
                    .and_then(|w| w.document())
                    .is_none_or(|d| d.visibility_state() == web_sys::VisibilityState::Visible);
                if visible {
                    outbox.flush(delivered);
                }
            })
        };
        let _ = window.add_event_listener_with_callback("online", again.as_ref().unchecked_ref());
        if let Some(document) = window.document() {
            let _ = document.add_event_listener_with_callback("visibilitychange", again.as_ref().unchecked_ref());
        }
        again.forget();
    }

    let submit = {
        let setup = setup.clone();
        move |ev: SubmitEvent| {
            ev.prevent_default();
            if rating.get_untracked() == 0 {
                phase.set(Phase::Failed(text.choose_rating.into()));
                return;
            }
            phase.set(Phase::Sending);
            let request = send::Submission {
                kind: "csat",
                rating: rating.get_untracked(),
                message: comment.get_untracked(),
                locale: setup.locale.clone(),
                context: CONTEXT.with(|context| context.borrow().clone()),
                fill_ms: (js_sys::Date::now() - opened_at.get()).max(0.0) as u32,
            };
            let Some(body) = send::body(&request) else {
                phase.set(Phase::Failed(text.cannot_send.into()));
                return;
            };
            let outbox = outbox.clone();
            leptos::task::spawn_local(async move {
                phase.set(match outbox.send(body, delivered).await {
                    outbox::Delivery::Sent(track_url) => Phase::Sent(track_url),
                    outbox::Delivery::Saved => Phase::Saved,
                    outbox::Delivery::Refused(message) => Phase::Failed(message),
                });
            });
        }
    };

    let status = move || match phase.get() {
        Phase::Sending => text.sending.to_owned(),
        Phase::Saved => text.saved_status.to_owned(),
        Phase::Sent(_) => text.sent_status.to_owned(),
        Phase::Failed(message) => message,
        Phase::Editing => String::new(),
    };

    let choices = (1..=5u8)
        .map(|n| {
            let node_ref = if n == 1 { first_choice } else { NodeRef::new() };
            view! {
                <label class="choice">
                    <input type="radio" name="rating" value=n node_ref=node_ref on:change=move |_| rating.set(n) />
                    <span>{format!("{n} – {}", text.rating_words[usize::from(n) - 1])}</span>
                </label>
            }
        })
        .collect_view();

    view! {
        <div
            class="panel"
            lang=text.lang
            role="dialog"
            aria-labelledby=move || {
                if matches!(phase.get(), Phase::Sent(_) | Phase::Saved) { "hark-thanks" } else { "hark-title" }
            }
            hidden=move || !open.get()
            on:keydown=move |ev: web_sys::KeyboardEvent| {
                if ev.key() == "Escape" {
                    open.set(false);
                }
            }
        >
            <button type="button" class="close" aria-label=text.close on:click=move |_| open.set(false)>"×"</button>
            {move || {
                let (title, note, track_url) = match phase.get() {
                    Phase::Sent(track_url) => (text.sent_title, text.sent_note, track_url),
                    Phase::Saved => (text.saved_title, text.saved_note, None),
                    _ => return Either::Right(()),
                };
                Either::Left(view! {
                    <div class="thanks">
                        <h2 id="hark-thanks" tabindex="-1" node_ref=thanks>{title}</h2>
                        <p>{note}</p>
                        {track_url.map(|href| view! {
                            <p><a href=href target="_blank" rel="noopener">{text.track}</a></p>
                        })}
                    </div>
                })
            }}
            <form class="form" hidden=move || matches!(phase.get(), Phase::Sent(_) | Phase::Saved) on:submit=submit>
                <fieldset>
                    <legend id="hark-title">{text.title}</legend>
                    <div class="choices">{choices}</div>
                </fieldset>
                <label class="field" for="hark-comment">{text.comment}</label>
                <textarea
                    id="hark-comment"
                    rows="3"
                    maxlength="5000"
                    prop:value=move || comment.get()
                    on:input=move |ev| comment.set(event_target_value(&ev))
                ></textarea>
                <button type="submit" class="send" disabled=move || phase.get() == Phase::Sending>{text.send}</button>
            </form>
            <p class="status" role="status" aria-live="polite">{status}</p>
        </div>
    }
}
