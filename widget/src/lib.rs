//! The shopper's panel, in Leptos. `widget.js` draws the launcher and loads this module
//! only when the shopper reaches for it (or the page is idle); `mount` then renders the
//! panel into the launcher's shadow root. Its forms are data (`hark_core::form`) drawn by
//! the components in `fields`, which also draw the hosted form on the server. Everything
//! fetched when the widget opens has a budget of 60 KB gzip (docs/PERFORMANCE.md,
//! "Widget").

pub mod el;
pub mod fields;
#[cfg(target_arch = "wasm32")]
mod outbox;
#[cfg(target_arch = "wasm32")]
mod panel;
#[cfg(target_arch = "wasm32")]
mod send;

#[cfg(target_arch = "wasm32")]
pub use panel::{close, identify, mount, open, order};
