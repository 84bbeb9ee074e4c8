//! Delivery that tells the truth. A submission is written to the browser's storage when
//! the shopper sends it and stays there until the collector acknowledges it (2xx). It is
//! retried with backoff and jitter when offline, on 5xx or on 429 (after `Retry-After`),
//! and whenever the browser comes back online, the page becomes visible again or is
//! loaded again. A 4xx other than 429 will not get better by retrying: it is dropped and
//! the shopper is told what to fix. The collector's idempotency (the id is chosen once,
//! here) makes every retry safe.

use hark_core::words::Words;
use std::cell::Cell;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{Request, RequestInit, Response};

/// How one attempt went.
pub enum Delivery {
    /// Acknowledged, with the shopper's tracking link.
    Sent(Option<String>),
    /// Kept, to be sent later.
    Saved,
    /// Refused for good; the message says what to fix.
    Refused(&'static str),
}

thread_local! {
    static FLUSHING: Cell<bool> = const { Cell::new(false) };
    static FAILURES: Cell<u32> = const { Cell::new(0) };
    static RETRY_PENDING: Cell<bool> = const { Cell::new(false) };
}

/// One site's outbox in this browser.
#[derive(Clone)]
pub struct Outbox {
    key: String,
    url: String,
    words: &'static Words,
}

impl Outbox {
    pub fn new(api_base: &str, site_key: &str, words: &'static Words) -> Self {
        Outbox {
            // Joined, not `format!`ted: formatting code would be in the download for this alone.
            key: ["hark-outbox:", site_key].concat(),
            url: [api_base, "/api/v1/sites/", site_key, "/submissions"].concat(),
            words,
        }
    }

    fn storage() -> Option<web_sys::Storage> {
        web_sys::window()?.local_storage().ok()?
    }

    /// The bodies waiting, oldest first. They are kept one a line: a JSON text written
    /// without spacing has no line break (a JSON parser here would cost 20 KB of wasm).
    fn waiting(&self) -> Vec<String> {
        let text = Self::storage().and_then(|s| s.get_item(&self.key).ok()?).unwrap_or_default();
        text.lines().filter(|line| !line.is_empty()).map(str::to_owned).collect()
    }

    fn keep(&self, bodies: &[String]) {
        if let Some(storage) = Self::storage() {
            let _ = if bodies.is_empty() {
                storage.remove_item(&self.key)
            } else {
                storage.set_item(&self.key, &bodies.join("\n"))
            };
        }
    }

    fn forget(&self, body: &str) {
        let mut bodies = self.waiting();
        bodies.retain(|b| b != body);
        self.keep(&bodies);
    }

    /// Keeps `body` and tries to deliver it now.
    pub async fn send(&self, body: String, delivered: impl Fn() + Clone + 'static) -> Delivery {
        let mut bodies = self.waiting();
        bodies.push(body.clone());
        self.keep(&bodies);
        let (outcome, retry_after) = self.attempt(&body).await;
        if matches!(outcome, Delivery::Saved) {
            self.retry_later(retry_after, delivered);
        } else {
            FAILURES.with(|f| f.set(0));
        }
        outcome
    }

    /// One POST; forgets `body` unless it should be tried again (then with the
    /// collector's `Retry-After`, if any).
    async fn attempt(&self, body: &str) -> (Delivery, Option<u32>) {
        match post(&self.url, body).await {
            Ok(Answer { status, track_url, .. }) if (200..300).contains(&status) => {
                self.forget(body);
                (Delivery::Sent(track_url), None)
            }
            Ok(Answer { status, .. }) if (400..500).contains(&status) && status != 429 => {
                self.forget(body);
                let message = if status == 422 { self.words.refused_invalid } else { self.words.refused };
                (Delivery::Refused(message), None)
            }
            Ok(Answer { retry_after, .. }) => (Delivery::Saved, retry_after),
            Err(_) => (Delivery::Saved, None),
        }
    }

    /// Sends everything waiting, oldest first; calls `delivered` once the outbox is empty
    /// after delivering something. Stops at the first failure and retries later.
    pub fn flush(&self, delivered: impl Fn() + Clone + 'static) {
        if FLUSHING.with(|f| f.replace(true)) {
            return;
        }
        let outbox = self.clone();
        wasm_bindgen_futures::spawn_local(async move {
            let mut sent_any = false;
            // Some(Retry-After) once an attempt has to be made again.
            let mut stalled = None;
            for body in outbox.waiting() {
                match outbox.attempt(&body).await {
                    (Delivery::Saved, retry_after) => {
                        stalled = Some(retry_after);
                        break;
                    }
                    _ => sent_any = true,
                }
            }
            FLUSHING.with(|f| f.set(false));
            if let Some(retry_after) = stalled {
                outbox.retry_later(retry_after, delivered);
            } else {
                FAILURES.with(|f| f.set(0));
                if sent_any {
                    delivered();
                }
            }
        });
    }

    /// Schedules one flush: after `Retry-After` when the collector said so, else after a
    /// backoff doubling from 2 s to 5 min, with ±50 % jitter.
    fn retry_later(&self, retry_after: Option<u32>, delivered: impl Fn() + Clone + 'static) {
        if RETRY_PENDING.with(|p| p.replace(true)) {
            return;
        }
        let failures = FAILURES.with(|f| {
            f.set(f.get().saturating_add(1));
            f.get()
        });
        let backoff = (2_000f64 * 2f64.powi(failures.min(8) as i32 - 1)).min(300_000.0);
        let delay = match retry_after {
            Some(seconds) => f64::from(seconds) * 1_000.0,
            None => backoff * (0.5 + js_sys::Math::random()),
        };
        let outbox = self.clone();
        gloo_timers::callback::Timeout::new(delay as u32, move || {
            RETRY_PENDING.with(|p| p.set(false));
            outbox.flush(delivered);
        })
        .forget();
    }
}

/// What the collector answered.
struct Answer {
    status: u16,
    /// `Retry-After`, in seconds.
    retry_after: Option<u32>,
    /// From a 2xx body.
    track_url: Option<String>,
}

/// One POST with the browser's own `fetch` (smaller than a client crate); the answer's
/// JSON is read by the browser too (a JSON parser in wasm would cost 20 KB).
async fn post(url: &str, body: &str) -> Result<Answer, JsValue> {
    let init = RequestInit::new();
    init.set_method("POST");
    init.set_body(&JsValue::from_str(body));
    let headers = web_sys::Headers::new()?;
    headers.set("Content-Type", "application/json")?;
    init.set_headers(&headers);
    let request = Request::new_with_str_and_init(url, &init)?;
    let window = web_sys::window().ok_or("no window")?;
    let response: Response = JsFuture::from(window.fetch_with_request(&request)).await?.dyn_into()?;
    let retry_after = response.headers().get("Retry-After").ok().flatten().and_then(|v| v.trim().parse().ok());
    let status = response.status();
    let mut track_url = None;
    if (200..300).contains(&status) {
        if let Ok(json) = response.json() {
            if let Ok(receipt) = JsFuture::from(json).await {
                track_url =
                    js_sys::Reflect::get(&receipt, &JsValue::from_str("track_url")).ok().and_then(|v| v.as_string());
            }
        }
    }
    Ok(Answer { status, retry_after, track_url })
}
