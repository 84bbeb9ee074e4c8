//! Live pages: a page that shows submissions listens to `/api/v1/admin/events` (server-
//! sent events) and loads what it shows again when they change, so the queue fills as
//! shoppers write without anyone pressing reload.

use leptos::prelude::*;

/// After a change arrives, how long to wait for more before loading again: a burst of
/// new submissions costs one load, not one each.
#[cfg(feature = "hydrate")]
const SETTLE: std::time::Duration = std::time::Duration::from_millis(400);

/// Calls `reload` once submissions of the organisation changed, at most once per
/// `SETTLE`; also after the stream broke and came back (changes may have been missed).
/// Listens from the browser only, until the calling component goes away; the signal
/// says whether it is listening now.
pub fn on_changes(reload: impl Fn() + Send + Sync + 'static) -> ReadSignal<bool> {
    let (listening, set_listening) = signal(false);
    #[cfg(feature = "hydrate")]
    {
        use leptos::wasm_bindgen::closure::Closure;
        use leptos::wasm_bindgen::JsCast;
        use std::sync::atomic::{AtomicBool, Ordering};
        use std::sync::Arc;

        let Ok(source) = web_sys::EventSource::new("/api/v1/admin/events") else {
            return listening;
        };
        let reload = Arc::new(reload);
        let waiting = Arc::new(AtomicBool::new(false));
        let connected_before = Arc::new(AtomicBool::new(false));
        let changed = {
            let (reload, waiting) = (reload.clone(), waiting.clone());
            move || {
                if !waiting.swap(true, Ordering::Relaxed) {
                    let (reload, waiting) = (reload.clone(), waiting.clone());
                    set_timeout(
                        move || {
                            waiting.store(false, Ordering::Relaxed);
                            reload();
                        },
                        SETTLE,
                    );
                }
            }
        };
        let on_change = Closure::<dyn Fn(web_sys::MessageEvent)>::new({
            let changed = changed.clone();
            move |_| changed()
        });
        let on_ready = Closure::<dyn Fn(web_sys::MessageEvent)>::new(move |_| {
            set_listening.try_set(true);
            if connected_before.swap(true, Ordering::Relaxed) {
                changed();
            }
        });
        for name in ["created", "updated", "missed"] {
            let _ = source.add_event_listener_with_callback(name, on_change.as_ref().unchecked_ref());
        }
        let _ = source.add_event_listener_with_callback("ready", on_ready.as_ref().unchecked_ref());
        // The browser connects again by itself; meanwhile the page is not live.
        let on_error = Closure::<dyn Fn(web_sys::Event)>::new(move |_| {
            set_listening.try_set(false);
        });
        source.set_onerror(Some(on_error.as_ref().unchecked_ref()));
        // Kept (and the listeners with it) for as long as the page that listens.
        let kept = StoredValue::new_local((source, on_change, on_ready, on_error));
        on_cleanup(move || kept.with_value(|(source, ..)| source.close()));
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = (reload, set_listening);
    listening
}
