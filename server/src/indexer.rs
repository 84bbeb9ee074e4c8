//! Keeps PostgreSQL's search index up with what the collectors store (SQLite's writer
//! indexes by itself). Indexing is work the collector would otherwise do, so it waits
//! for a quiet moment: when this instance's writer has committed nothing for a little
//! while; under a flood it takes one batch now and then, so search falls behind but not
//! without bound. It also picks up what other instances stored.
//!
//! Beside it runs the recount that follows a change of an organisation's time zone
//! (`Store::recount_step`), on either database.

use hark_core::store::Backend;
use hark_core::Store;
use std::sync::atomic::{AtomicI64, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

/// Rows one indexing transaction takes.
const BATCH: i64 = 500;
/// Quiet means no commit for this long.
const QUIET_MILLIS: i64 = 200;
/// Rows this instance may store before it indexes while busy: then one batch a tick
/// (at most 2,500 rows a second), so a flood slows the collector little and search
/// catches up fully once it is quiet.
const MAX_BEHIND: usize = 50_000;

/// What the writer tells the indexer.
#[derive(Default)]
pub struct Activity {
    last_commit: AtomicI64,
    unindexed: AtomicUsize,
}

impl Activity {
    pub fn committed(&self, rows: usize) {
        self.last_commit.store(hark_core::store::now_millis(), Ordering::Relaxed);
        self.unindexed.fetch_add(rows, Ordering::Relaxed);
    }

    fn quiet(&self) -> bool {
        hark_core::store::now_millis() - self.last_commit.load(Ordering::Relaxed) >= QUIET_MILLIS
    }
}

/// Submissions one recount transaction takes: short enough that the collector's writer
/// waits little for SQLite's write lock (about 80 ms at a million submissions).
const RECOUNT_BATCH: i64 = 500;
/// The least pause between two recount steps: SQLite's busy handler tries again at
/// most this long apart, so a writer that waited gets its turn in the pause.
const RECOUNT_PAUSE: Duration = Duration::from_millis(100);

/// Starts the indexer where one is needed, and the recount when `recount`.
pub fn spawn(store: Store, recount: bool) -> Arc<Activity> {
    let activity = Arc::new(Activity::default());
    if store.backend() == Backend::Postgres {
        tokio::spawn(run(store.clone(), activity.clone()));
    }
    if recount {
        tokio::spawn(recount_in_background(store));
    }
    activity
}

/// Counts again, chunk by chunk, what a change of time zone asked to be; looks for such
/// work a few times a second (every instance: each chunk is taken by one). A step holds
/// SQLite's one write lock: after each, it waits at least as long as the step took,
/// so that the collector and staff's changes are never starved of it.
async fn recount_in_background(store: Store) {
    let mut tick = tokio::time::interval(Duration::from_millis(QUIET_MILLIS as u64));
    loop {
        tick.tick().await;
        loop {
            let started = std::time::Instant::now();
            match store.recount_step(RECOUNT_BATCH).await {
                Ok(true) => tokio::time::sleep(started.elapsed().max(RECOUNT_PAUSE)).await,
                Ok(false) => break,
                Err(err) => {
                    tracing::warn!(error = %err, "recounting the figures failed; trying again");
                    break;
                }
            }
        }
    }
}

async fn run(store: Store, activity: Arc<Activity>) {
    let mut tick = tokio::time::interval(Duration::from_millis(QUIET_MILLIS as u64));
    loop {
        tick.tick().await;
        let mut busy_turn = activity.unindexed.load(Ordering::Relaxed) >= MAX_BEHIND;
        while activity.quiet() || std::mem::take(&mut busy_turn) {
            match store.index_for_search(BATCH).await {
                Ok(n) => {
                    let _ = activity
                        .unindexed
                        .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |u| Some(u.saturating_sub(n)));
                    if (n as i64) < BATCH {
                        activity.unindexed.store(0, Ordering::Relaxed);
                        break;
                    }
                }
                Err(err) => {
                    tracing::debug!(error = %err, "search indexing failed; trying again");
                    break;
                }
            }
        }
    }
}
