//! Keeps the search index up with what the collector stores: woken after each commit of
//! this instance's writer, and once a second for what other instances stored.

use hark_core::Store;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Notify;

/// Rows one indexing transaction takes.
const BATCH: i64 = 500;

pub fn spawn(store: Store) -> Arc<Notify> {
    let wake = Arc::new(Notify::new());
    tokio::spawn(run(store, wake.clone()));
    wake
}

async fn run(store: Store, wake: Arc<Notify>) {
    loop {
        match store.index_for_search(BATCH).await {
            // A full batch: more may be waiting.
            Ok(n) if n as i64 == BATCH => continue,
            Ok(_) => {}
            Err(err) => tracing::debug!(error = %err, "search indexing failed; trying again"),
        }
        let _ = tokio::time::timeout(Duration::from_secs(1), wake.notified()).await;
    }
}
