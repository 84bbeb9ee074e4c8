//! Group commit. Submissions wait in one queue; a writer takes every one waiting, stores
//! them in one transaction, commits once, and only then answers each request. A commit
//! (an fsync) costs the same for one row as for hundreds, so under load each request
//! waits for about one commit while the disk does far fewer.
//!
//! SQLite has one writer at a time, so there is one writer: a thread of its own with its
//! own connection, which binds rows to cached statements with no hand-off between
//! threads inside a batch. On PostgreSQL one writer task per instance stores each batch
//! with one statement on a connection of its own. Several writers in parallel were
//! slower (measured: 4 writers 15–19k req/s, 1 writer 23–25k; see docs/PERFORMANCE.md):
//! smaller batches mean more commits for the same rows.

use super::submissions::{insert_batch_postgres, insert_sqlite, Destination, NewRow};
use super::{now_millis, Backend, Insert, Store};
use crate::error::{Error, Result};
use crate::submission::NewSubmission;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::{mpsc, oneshot};

/// The most submissions one transaction takes.
pub const MAX_BATCH: usize = 512;
/// Requests that may wait for a writer before senders wait for room.
const QUEUE_DEPTH: usize = 8 * MAX_BATCH;
/// Rows the SQLite writer commits between its own checkpoints (about 4 MB of WAL).
const CHECKPOINT_ROWS: usize = 1_000;

struct Job {
    to: Destination,
    submission: NewSubmission,
    reply: oneshot::Sender<Result<Insert>>,
}

/// A handle to the writers; cheap to clone. They stop when the last handle is dropped,
/// after they have committed and answered everything they were given.
#[derive(Clone, Debug)]
pub struct SubmissionWriter {
    jobs: mpsc::Sender<Job>,
}

/// What the writer reports after each commit, for metrics.
pub type BatchObserver = Arc<dyn Fn(usize) + Send + Sync>;

impl SubmissionWriter {
    /// Starts the writer for `store`'s database; on PostgreSQL its tasks run on the
    /// current tokio runtime.
    pub fn spawn(store: Store, observe: Option<BatchObserver>) -> Self {
        let (jobs, queue) = mpsc::channel(QUEUE_DEPTH);
        match store.backend {
            Backend::Sqlite => {
                tokio::spawn(checkpoints(store.clone(), jobs.downgrade()));
                std::thread::Builder::new()
                    .name("hark-writer".into())
                    .spawn(move || run_sqlite(store, queue, observe))
                    .expect("the OS starts a thread");
            }
            Backend::Postgres => {
                tokio::spawn(run_postgres(store, queue, observe));
            }
        }
        SubmissionWriter { jobs }
    }

    /// Stores `submission` and returns once it is committed (or known to be a replay or
    /// a conflict).
    pub async fn insert(&self, to: Destination, submission: NewSubmission) -> Result<Insert> {
        let (reply, answer) = oneshot::channel();
        self.jobs.send(Job { to, submission, reply }).await.map_err(|_| writer_gone())?;
        answer.await.map_err(|_| writer_gone())?
    }
}

fn writer_gone() -> Error {
    Error::Database(sqlx::Error::PoolClosed)
}

/// Checkpoints twice a second for as long as the writer lives: under load the writer
/// checkpoints itself every `CHECKPOINT_ROWS`, and this covers the quiet spells between.
async fn checkpoints(store: Store, writer: mpsc::WeakSender<Job>) {
    let mut tick = tokio::time::interval(Duration::from_millis(500));
    while writer.upgrade().is_some() {
        tick.tick().await;
        if let Err(err) = store.checkpoint().await {
            tracing::warn!(error = %err, "checkpoint failed");
        }
    }
}

fn committed(batch: &[Job], started: Instant, observe: &Option<BatchObserver>) {
    tracing::trace!(size = batch.len(), micros = started.elapsed().as_micros() as u64, "batch committed");
    if let Some(observe) = observe {
        observe(batch.len());
    }
}

/// Tells whoever watches of a submission that is new (not of a replay).
fn announce(store: &Store, job: &Job, outcome: &Result<Insert>) {
    if let Ok(Insert::Created(receipt)) = outcome {
        store.changes.created(&job.to.org_id, &receipt.id);
    }
}

/// Rows the SQLite writer indexes for search in one transaction.
const INDEX_CHUNK: usize = 2_000;
/// The writer indexes for search when it has had nothing to store for this long: an
/// index transaction after every batch would double the commits (each an fsync) the
/// collector waits for. Search is this much behind a quiet shop.
const QUIET: Duration = Duration::from_millis(100);
/// Rows stored and not yet indexed past which the writer indexes while busy too: one
/// chunk every `INDEX_EVERY` rows, so that search still moves on under a flood (at a
/// fifth of its pace) while the collector keeps most of its speed, and catches up once
/// the flood is over.
const MAX_BEHIND: usize = 50_000;
const INDEX_EVERY: usize = 10_000;

fn run_sqlite(store: Store, mut queue: mpsc::Receiver<Job>, observe: Option<BatchObserver>) {
    let mut batch = Vec::with_capacity(MAX_BATCH);
    // Kept for as long as it works: its statement and page caches stay warm.
    let mut conn: Option<rusqlite::Connection> = None;
    let mut since_checkpoint = 0;
    // Only to wait for the next batch with a time limit.
    let waiting =
        tokio::runtime::Builder::new_current_thread().enable_time().build().expect("a runtime without I/O starts");
    // Rows stored and not yet indexed; at the start rows may be waiting from before a
    // restart or an upgrade, how many is learnt by indexing them.
    let mut unindexed: usize = 1;
    let mut since_index = 0;
    loop {
        let received = if unindexed == 0 {
            queue.blocking_recv_many(&mut batch, MAX_BATCH)
        } else {
            // Cancelling `recv_many` loses nothing (tokio documents it cancel safe).
            match waiting.block_on(async { tokio::time::timeout(QUIET, queue.recv_many(&mut batch, MAX_BATCH)).await })
            {
                Ok(received) => received,
                Err(_quiet) => {
                    // Chunk after chunk until caught up, or until there is work again.
                    while let Some(n) = index_sqlite(&store, &mut conn) {
                        unindexed = still_unindexed(unindexed, n);
                        if unindexed == 0 || !queue.is_empty() {
                            break;
                        }
                    }
                    continue;
                }
            }
        };
        if received == 0 {
            break;
        }
        let started = Instant::now();
        let outcome = match &mut conn {
            Some(conn) => Ok(conn),
            None => store.open_sqlite_writer().map(|opened| conn.insert(opened)),
        }
        .and_then(|conn| commit_sqlite(conn, &batch));
        match outcome {
            Ok(outcomes) => {
                committed(&batch, started, &observe);
                since_checkpoint += batch.len();
                since_index += batch.len();
                unindexed += batch.len();
                for (job, outcome) in batch.drain(..).zip(outcomes) {
                    announce(&store, &job, &outcome);
                    let _ = job.reply.send(outcome);
                }
                if since_checkpoint >= CHECKPOINT_ROWS {
                    since_checkpoint = 0;
                    if let Some(conn) = &conn {
                        checkpoint_sqlite(conn);
                    }
                }
                if unindexed >= MAX_BEHIND && since_index >= INDEX_EVERY {
                    since_index = 0;
                    if let Some(n) = index_sqlite(&store, &mut conn) {
                        unindexed = still_unindexed(unindexed, n);
                    }
                }
            }
            // Nothing of the batch was committed: every request hears so.
            Err(err) => {
                tracing::warn!(error = %err, size = batch.len(), "batch commit failed");
                conn = None;
                let err = Arc::new(err);
                for job in batch.drain(..) {
                    let _ = job.reply.send(Err(Error::Sqlite(err.clone())));
                }
            }
        }
    }
}

/// What is left to index after a chunk of `indexed` rows: nothing once a chunk was not
/// full, and some as long as chunks are (the count may have started short).
fn still_unindexed(unindexed: usize, indexed: usize) -> usize {
    if indexed < INDEX_CHUNK {
        0
    } else {
        unindexed.saturating_sub(indexed).max(1)
    }
}

/// Indexes up to a chunk of stored rows for search on the writer's own connection (on
/// SQLite another connection would wait for the writer's lock, and make it wait);
/// how many, or `None` when it failed (it is tried again later).
fn index_sqlite(store: &Store, conn: &mut Option<rusqlite::Connection>) -> Option<usize> {
    let conn = match conn {
        Some(conn) => conn,
        None => conn.insert(store.open_sqlite_writer().ok()?),
    };
    match super::triage::index_sqlite(conn, INDEX_CHUNK) {
        Ok(n) => Some(n),
        Err(err) => {
            tracing::warn!(error = %err, "search indexing failed");
            None
        }
    }
}

/// Copies the WAL into the database file between batches. Under steady load only the
/// writer can do this to the end (a checkpoint from elsewhere never catches up with its
/// commits), and only a complete one lets the next commit write the WAL from its start
/// again instead of growing it without bound. Requests that arrive meanwhile wait for
/// the next batch.
fn checkpoint_sqlite(conn: &rusqlite::Connection) {
    let started = Instant::now();
    match conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |row| Ok((row.get::<_, i64>(1)?, row.get::<_, i64>(2)?)))
    {
        Ok((frames, copied)) => {
            tracing::trace!(frames, copied, micros = started.elapsed().as_micros() as u64, "checkpoint");
        }
        Err(err) => tracing::warn!(error = %err, "checkpoint failed"),
    }
}

/// One transaction for the batch; a row that breaks a rule fails alone (SQLite undoes
/// just that statement).
fn commit_sqlite(conn: &mut rusqlite::Connection, batch: &[Job]) -> rusqlite::Result<Vec<Result<Insert>>> {
    let received_at = now_millis();
    let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
    let outcomes = batch
        .iter()
        .map(|job| insert_sqlite(&tx, NewRow::new(&job.to, &job.submission, received_at)).map_err(Error::from))
        .collect();
    tx.commit()?;
    Ok(outcomes)
}

async fn run_postgres(store: Store, mut queue: mpsc::Receiver<Job>, observe: Option<BatchObserver>) {
    let mut batch = Vec::with_capacity(MAX_BATCH);
    // Kept for as long as it works: its prepared statements stay prepared.
    let mut conn: Option<sqlx::PgConnection> = None;
    while queue.recv_many(&mut batch, MAX_BATCH).await > 0 {
        let started = Instant::now();
        match commit_postgres(&store, &mut conn, &batch).await {
            Ok(outcomes) => {
                committed(&batch, started, &observe);
                for (job, outcome) in batch.drain(..).zip(outcomes) {
                    let outcome = Ok(outcome);
                    announce(&store, &job, &outcome);
                    let _ = job.reply.send(outcome);
                }
            }
            // One bad row must not fail its neighbours: retry each in a commit of its own.
            Err(err) => {
                tracing::warn!(error = %err, size = batch.len(), "batch commit failed; committing one by one");
                conn = None;
                for job in batch.drain(..) {
                    let outcome = commit_postgres(&store, &mut conn, std::slice::from_ref(&job)).await;
                    if outcome.is_err() {
                        conn = None;
                    }
                    let outcome = outcome.map(|mut answers| answers.pop().expect("one answer per job"));
                    announce(&store, &job, &outcome);
                    let _ = job.reply.send(outcome);
                }
            }
        }
    }
}

async fn commit_postgres(store: &Store, conn: &mut Option<sqlx::PgConnection>, batch: &[Job]) -> Result<Vec<Insert>> {
    let conn = match conn {
        Some(conn) => conn,
        None => conn.insert(store.open_postgres_writer().await?),
    };
    let received_at = now_millis();
    let rows = batch.iter().map(|job| NewRow::new(&job.to, &job.submission, received_at)).collect();
    insert_batch_postgres(conn, rows).await
}
