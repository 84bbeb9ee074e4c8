//! Hark's domain. The types in [`model`] travel between server and browser; the rest,
//! behind the `db` feature, is the one storage layer and the rules every caller shares.

pub mod form;
pub mod metrics;
pub mod model;
pub mod privacy;
pub mod search;
pub mod words;

#[cfg(feature = "db")]
pub mod auth;
#[cfg(feature = "db")]
mod error;
#[cfg(feature = "db")]
pub mod phrases;
#[cfg(feature = "db")]
pub mod store;
#[cfg(feature = "db")]
pub mod submission;
#[cfg(feature = "db")]
pub mod triage;

#[cfg(feature = "db")]
pub use error::{Error, FieldErrors};
#[cfg(feature = "db")]
pub use store::Store;
