//! The shopper's panel. `widget.js` draws the launcher and loads this module only when
//! the shopper reaches for it (or the page is idle); `mount` then renders into the
//! launcher's shadow root. Plain DOM calls, no UI framework: the whole download when the
//! widget opens has a budget of 55 KB gzip (docs/PERFORMANCE.md, "Widget").

mod dom;
mod forms;
mod i18n;
mod outbox;
mod send;

use dom::{focus, E};
use forms::{COMPLAINT, CSAT, KINDS};
use std::cell::{Cell, RefCell};
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{Element, Event, FormData, HtmlElement, HtmlFormElement, ShadowRoot};

thread_local! {
    static PANEL: RefCell<Option<Rc<Panel>>> = const { RefCell::new(None) };
    static CONTEXT: RefCell<Context> = RefCell::new(Context::default());
}

fn current() -> Option<Rc<Panel>> {
    PANEL.with(|panel| panel.borrow().clone())
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

#[derive(Clone, Copy, PartialEq)]
enum Phase {
    Editing,
    Sending,
    /// Kept in the outbox: not acknowledged yet.
    Saved,
    /// Acknowledged.
    Sent,
}

struct Panel {
    root: ShadowRoot,
    element: Element,
    kinds: Element,
    form: RefCell<Element>,
    thanks: Element,
    status: Element,
    text: &'static i18n::Strings,
    site: forms::Site,
    locale: String,
    outbox: outbox::Outbox,
    kind: Cell<usize>,
    phase: Cell<Phase>,
    /// When the panel last opened: how long the shopper took to fill it in.
    opened_at: Cell<f64>,
    /// The rating a shopper turned into a complaint.
    carried_rating: RefCell<Option<String>>,
}

/// The site's public settings as the loader fetched them (`null` if it could not).
fn site_settings(config: &JsValue) -> forms::Site {
    let get = |key: &str| js_sys::Reflect::get(config, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED);
    let strings = |value: JsValue| -> Vec<String> {
        if js_sys::Array::is_array(&value) {
            js_sys::Array::from(&value).iter().filter_map(|v| v.as_string()).collect()
        } else {
            Vec::new()
        }
    };
    let enabled = strings(get("enabled_kinds"));
    let mut kinds: Vec<usize> = (0..KINDS.len()).filter(|&k| enabled.iter().any(|e| e == KINDS[k])).collect();
    if kinds.is_empty() {
        kinds = vec![CSAT, forms::FEEDBACK, COMPLAINT];
    }
    forms::Site { kinds, categories: strings(get("categories")), require_email: get("require_email").is_truthy() }
}

/// Renders the panel (closed) into `root`, next to the launcher.
#[wasm_bindgen]
pub fn mount(root: ShadowRoot, site_key: String, api_base: String, locale: String, config: JsValue) {
    let text = i18n::for_locale(&locale);
    let site = site_settings(&config);
    let kinds = E::new("div").class("kinds").attr("role", "group").attr("aria-label", text.kinds_label);
    let kinds = site.kinds.iter().fold(kinds, |group, &kind| {
        group.child(
            E::new("button")
                .attr("type", "button")
                .attr("data-kind", KINDS[kind])
                .attr("aria-pressed", "false")
                .text(text.kinds[kind]),
        )
    });
    let thanks = E::new("div")
        .class("thanks")
        .attr("hidden", "")
        .child(E::new("h2").attr("id", "hark-thanks").attr("tabindex", "-1"))
        .child(E::new("p"))
        .child(E::new("p").child(E::new("a").attr("target", "_blank").attr("rel", "noopener").text(text.track)));
    let status = E::new("p").class("status").attr("role", "status").attr("aria-live", "polite");
    let form = forms::build(site.kinds[0], text, &site, "", "");
    let (kinds_element, thanks_element, status_element) = (kinds.0.clone(), thanks.0.clone(), status.0.clone());
    let element = E::new("div")
        .class("panel")
        .attr("lang", text.words.lang)
        .attr("role", "dialog")
        .attr("aria-modal", "true")
        .attr("aria-labelledby", "hark-title")
        .attr("hidden", "")
        .child(E::new("button").attr("type", "button").class("close").attr("aria-label", text.close).text("×"))
        .child(kinds)
        .child(E(form.clone()))
        .child(thanks)
        .child(status);
    root.append_child(&element.0).unwrap_throw();
    let panel = Rc::new(Panel {
        kinds: kinds_element,
        thanks: thanks_element,
        status: status_element,
        element: element.0,
        root,
        form: RefCell::new(form),
        text,
        outbox: outbox::Outbox::new(&api_base, &site_key, text),
        kind: Cell::new(site.kinds[0]),
        site,
        locale,
        phase: Cell::new(Phase::Editing),
        opened_at: Cell::new(0.0),
        carried_rating: RefCell::new(None),
    });
    panel.mark_kind();
    panel.offer_kinds();

    // One listener for everything the shopper does in the panel.
    let handle = Closure::<dyn Fn(Event)>::new(|event: Event| {
        if let Some(panel) = current() {
            panel.handle(&event);
        }
    });
    for kind in ["click", "change", "submit", "keydown"] {
        let _ = panel.element.add_event_listener_with_callback(kind, handle.as_ref().unchecked_ref());
    }
    handle.forget();

    // What an earlier page left unsent goes now, and again whenever the browser is back
    // online or the page visible; a saved submission then reads as sent.
    panel.outbox.flush(delivered);
    let again = Closure::<dyn Fn()>::new(|| {
        let visible = dom::document().visibility_state() == web_sys::VisibilityState::Visible;
        if let (true, Some(panel)) = (visible, current()) {
            panel.outbox.flush(delivered);
        }
    });
    if let Some(window) = web_sys::window() {
        let _ = window.add_event_listener_with_callback("online", again.as_ref().unchecked_ref());
    }
    let _ = dom::document().add_event_listener_with_callback("visibilitychange", again.as_ref().unchecked_ref());
    again.forget();
    PANEL.with(|cell| *cell.borrow_mut() = Some(panel));
}

/// Opens the panel on `kind` (`csat`, `feedback` or `complaint`; else the one shown last).
#[wasm_bindgen]
pub fn open(kind: Option<String>) {
    if let Some(panel) = current() {
        let kind = kind.and_then(|k| KINDS.iter().position(|&name| name == k));
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
        if panel.phase.get() == Phase::Saved {
            panel.finish(Phase::Sent, None);
        }
    }
}

impl Panel {
    fn form(&self) -> Element {
        self.form.borrow().clone()
    }

    fn answers(&self) -> FormData {
        FormData::new_with_form(self.form().unchecked_ref::<HtmlFormElement>()).unwrap_throw()
    }

    fn first_control(&self) -> Option<Element> {
        self.form().query_selector("input,select,textarea").ok().flatten()
    }

    fn say(&self, message: &str) {
        self.status.set_text_content(Some(message));
    }

    fn show(&self, kind: Option<usize>) {
        let kind = kind.filter(|k| self.site.kinds.contains(k));
        match self.phase.get() {
            // A new submission after the last one: a fresh form.
            Phase::Saved | Phase::Sent => self.edit(kind.unwrap_or(self.kind.get()), ""),
            Phase::Editing => {
                if let Some(kind) = kind.filter(|&k| k != self.kind.get()) {
                    self.switch(kind);
                }
            }
            // What is being sent stays on screen until the collector has answered.
            Phase::Sending => {}
        }
        if self.element.has_attribute("hidden") {
            self.opened_at.set(js_sys::Date::now());
            let _ = self.element.remove_attribute("hidden");
        }
        if let Some(control) = self.first_control() {
            focus(&control);
        }
    }

    fn hide(&self) {
        if self.element.has_attribute("hidden") {
            return;
        }
        let _ = self.element.set_attribute("hidden", "");
        // Focus goes back where the shopper came from: the launcher.
        if let Ok(Some(launcher)) = self.root.query_selector(".launcher") {
            let _ = launcher.set_attribute("aria-expanded", "false");
            focus(&launcher);
        }
    }

    /// Shows `kind`'s form, keeping the message typed so far.
    fn switch(&self, kind: usize) {
        let message = send::field(&self.answers(), "message").unwrap_or_default();
        self.edit(kind, &message);
    }

    /// A new form for `kind` starting with `message`, in place of what the panel shows.
    fn edit(&self, kind: usize, message: &str) {
        let order_ref = CONTEXT.with(|context| context.borrow().order_ref.clone()).unwrap_or_default();
        let form = forms::build(kind, self.text, &self.site, message, &order_ref);
        let _ = self.element.replace_child(&form, &self.form());
        *self.form.borrow_mut() = form;
        if self.phase.get() != Phase::Editing {
            self.phase.set(Phase::Editing);
            *self.carried_rating.borrow_mut() = None;
            let _ = self.thanks.set_attribute("hidden", "");
            self.offer_kinds();
            let _ = self.element.set_attribute("aria-labelledby", "hark-title");
            self.opened_at.set(js_sys::Date::now());
        }
        self.kind.set(kind);
        self.say("");
        self.mark_kind();
    }

    /// Shows the choice of kinds, where the site offers more than one.
    fn offer_kinds(&self) {
        let _ = self.kinds.toggle_attribute_with_force("hidden", self.site.kinds.len() < 2);
    }

    fn mark_kind(&self) {
        let buttons = self.kinds.children();
        for i in 0..buttons.length() {
            if let Some(button) = buttons.item(i) {
                let chosen = button.get_attribute("data-kind").as_deref() == Some(KINDS[self.kind.get()]);
                let _ = button.set_attribute("aria-pressed", if chosen { "true" } else { "false" });
            }
        }
    }

    fn handle(&self, event: &Event) {
        let Some(target) = event.target().and_then(|t| t.dyn_into::<Element>().ok()) else { return };
        let closest = |selector: &str| target.closest(selector).ok().flatten();
        match event.type_().as_str() {
            "keydown" => {
                let key = event.unchecked_ref::<web_sys::KeyboardEvent>();
                match key.key().as_str() {
                    "Escape" => self.hide(),
                    "Tab" => self.keep_focus(key),
                    _ => {}
                }
            }
            "submit" => {
                event.prevent_default();
                self.submit();
            }
            "change" => {
                // A rating of 1 or 2 offers to make it a complaint.
                if let Some(turn) = self.form().query_selector(".turn").ok().flatten() {
                    let unhappy = matches!(send::field(&self.answers(), "rating").as_deref(), Some("1" | "2"));
                    let _ =
                        turn.toggle_attribute_with_force("hidden", !unhappy || !self.site.kinds.contains(&COMPLAINT));
                }
            }
            _ => {
                if closest(".close").is_some() {
                    self.hide();
                } else if self.phase.get() != Phase::Editing {
                    // Nothing else to do while sending or after: the receipt is shown.
                } else if closest(".to-complaint").is_some() {
                    *self.carried_rating.borrow_mut() = send::field(&self.answers(), "rating");
                    self.switch(COMPLAINT);
                    if let Some(control) = self.first_control() {
                        focus(&control);
                    }
                } else if let Some(button) = closest("[data-kind]") {
                    let kind = KINDS.iter().position(|&k| Some(k) == button.get_attribute("data-kind").as_deref());
                    if let Some(kind) = kind.filter(|&k| k != self.kind.get()) {
                        self.switch(kind);
                    }
                }
            }
        }
    }

    /// Tab from the panel's last control goes to its first, Shift+Tab from its first to
    /// its last: keyboard focus stays in the open panel.
    fn keep_focus(&self, key: &web_sys::KeyboardEvent) {
        let Ok(controls) = self.element.query_selector_all("a[href],button:not([disabled]),[tabindex='-1'][id]") else {
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

    /// What stops this form from being sent, and the control to fix.
    fn problem(&self, answers: &FormData) -> Option<(&'static str, &'static str)> {
        let text = self.text;
        let kind = self.kind.get();
        if kind == CSAT {
            return send::field(answers, "rating").is_none().then_some((text.choose_rating, "[name=rating]"));
        }
        if send::field(answers, "message").is_none() {
            return Some((text.need_message, "textarea"));
        }
        if kind == COMPLAINT {
            match send::field(answers, "email") {
                None if self.site.require_email => return Some((text.need_email, "[name=email]")),
                Some(email) if !plausible_email(&email) => return Some((text.bad_email, "[name=email]")),
                _ => {}
            }
        }
        None
    }

    fn submit(&self) {
        if self.phase.get() == Phase::Sending {
            return;
        }
        let form = self.form();
        let answers = self.answers();
        if let Ok(marked) = form.query_selector_all("[aria-invalid]") {
            for i in 0..marked.length() {
                if let Some(element) = marked.item(i).and_then(|n| n.dyn_into::<Element>().ok()) {
                    let _ = element.remove_attribute("aria-invalid");
                }
            }
        }
        if let Some((message, selector)) = self.problem(&answers) {
            if let Some(control) = form.query_selector(selector).ok().flatten() {
                let _ = control.set_attribute("aria-invalid", "true");
                focus(&control);
            }
            self.say(message);
            return;
        }
        let carried = self.carried_rating.borrow().clone();
        let body = CONTEXT.with(|context| {
            send::body(&send::Submission {
                kind: self.kind.get(),
                form: &answers,
                carried_rating: carried.as_deref().filter(|_| self.kind.get() == COMPLAINT),
                locale: &self.locale,
                context: &context.borrow(),
                fill_ms: (js_sys::Date::now() - self.opened_at.get()).max(0.0) as u32,
            })
        });
        let Some(body) = body else {
            self.say(self.text.cannot_send);
            return;
        };
        self.phase.set(Phase::Sending);
        self.set_busy(true);
        self.say(self.text.sending);
        let outbox = self.outbox.clone();
        wasm_bindgen_futures::spawn_local(async move {
            let delivery = outbox.send(body, delivered).await;
            let Some(panel) = current() else { return };
            panel.set_busy(false);
            match delivery {
                outbox::Delivery::Sent(track_url) => panel.finish(Phase::Sent, track_url),
                outbox::Delivery::Saved => panel.finish(Phase::Saved, None),
                outbox::Delivery::Refused(message) => {
                    panel.phase.set(Phase::Editing);
                    panel.say(&message);
                }
            }
        });
    }

    fn set_busy(&self, busy: bool) {
        if let Some(button) = self.form().query_selector(".send").ok().flatten() {
            let _ = button.toggle_attribute_with_force("disabled", busy);
        }
    }

    /// The form gives way to what happened to it: sent (with the tracking link when the
    /// collector's answer was seen here) or saved until the browser is online.
    fn finish(&self, phase: Phase, track_url: Option<String>) {
        let text = self.text;
        self.phase.set(phase);
        let complaint = self.kind.get() == COMPLAINT;
        let (title, note, status) = match phase {
            Phase::Saved => (text.saved_title, text.saved_note, text.saved_status),
            _ if complaint => (text.complaint_sent_title, text.complaint_sent_note, text.sent_status),
            _ => (text.sent_title, text.sent_note, text.sent_status),
        };
        let parts = self.thanks.children();
        let part = |i| parts.item(i).unwrap_throw();
        part(0).set_text_content(Some(title));
        part(1).set_text_content(Some(note));
        let link = part(2);
        match track_url {
            Some(url) => {
                let _ = link.remove_attribute("hidden");
                let _ = link.first_element_child().unwrap_throw().set_attribute("href", &url);
            }
            None => {
                let _ = link.set_attribute("hidden", "");
            }
        }
        let _ = self.form().set_attribute("hidden", "");
        let _ = self.kinds.set_attribute("hidden", "");
        let _ = self.thanks.remove_attribute("hidden");
        let _ = self.element.set_attribute("aria-labelledby", "hark-thanks");
        self.say(status);
        // The form is gone: keyboard focus stays inside the panel, on the heading.
        focus(&part(0));
    }
}

/// One `@` with something on each side, a dot in the domain and no spaces: enough to
/// catch a slip before sending; the collector checks the address fully.
fn plausible_email(email: &str) -> bool {
    match email.split_once('@') {
        Some((local, domain)) => {
            !local.is_empty() && domain.contains('.') && !domain.contains('@') && !email.contains(char::is_whitespace)
        }
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::plausible_email;

    #[test]
    fn a_slip_in_an_email_address_is_caught_before_sending() {
        for good in ["ana@example.com", "li.wei+shop@mail.example.cn"] {
            assert!(plausible_email(good), "{good}");
        }
        for slip in ["ana", "ana@", "@example.com", "ana@example", "ana @example.com", "ana@ex@ample.com"] {
            assert!(!plausible_email(slip), "{slip}");
        }
    }

    #[test]
    fn a_score_is_named_by_its_number_and_its_word() {
        assert_eq!(crate::dom::scored(4, "Satisfied"), "4 – Satisfied");
        assert_eq!(crate::dom::scored(1, "非常不满意"), "1 – 非常不满意");
    }
}
