//! Group commit. One task owns the submission writes: it takes every request waiting in
//! its queue, inserts them in one transaction, commits once, and only then answers each
//! request. A commit (an fsync) costs the same for one row as for hundreds, so under load
//! each request waits for at most about one commit while the disk does far fewer.

use super::submissions::{insert_batch, Destination};
use super::{Insert, Store};
use crate::error::{Error, Result};
use crate::submission::NewSubmission;
use tokio::sync::{mpsc, oneshot};

/// The most submissions one transaction takes.
pub const MAX_BATCH: usize = 512;
/// Requests that may wait for the writer before senders wait for room.
const QUEUE_DEPTH: usize = 8 * MAX_BATCH;

struct Job {
    to: Destination,
    submission: NewSubmission,
    reply: oneshot::Sender<Result<Insert>>,
}

/// A handle to the writer task; cheap to clone. The task ends when the last handle is
/// dropped, after it has committed and answered everything it was given.
#[derive(Clone, Debug)]
pub struct SubmissionWriter {
    jobs: mpsc::Sender<Job>,
}

/// What the writer reports after each commit, for metrics.
pub type BatchObserver = std::sync::Arc<dyn Fn(usize) + Send + Sync>;

impl SubmissionWriter {
    /// Starts the writer on the current tokio runtime.
    pub fn spawn(store: Store, observe: Option<BatchObserver>) -> Self {
        let (jobs, queue) = mpsc::channel(QUEUE_DEPTH);
        tokio::spawn(checkpoints(store.clone(), jobs.downgrade()));
        tokio::spawn(run(store, queue, observe));
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

/// Checkpoints twice a second for as long as the writer lives.
async fn checkpoints(store: Store, writer: mpsc::WeakSender<Job>) {
    let mut tick = tokio::time::interval(std::time::Duration::from_millis(500));
    while writer.upgrade().is_some() {
        tick.tick().await;
        if let Err(err) = store.checkpoint().await {
            tracing::warn!(error = %err, "checkpoint failed");
        }
    }
}

fn writer_gone() -> Error {
    Error::Database(sqlx::Error::PoolClosed)
}

async fn run(store: Store, mut queue: mpsc::Receiver<Job>, observe: Option<BatchObserver>) {
    let mut batch = Vec::with_capacity(MAX_BATCH);
    while queue.recv_many(&mut batch, MAX_BATCH).await > 0 {
        let started = std::time::Instant::now();
        match commit(&store, &batch).await {
            Ok(outcomes) => {
                tracing::trace!(size = batch.len(), micros = started.elapsed().as_micros() as u64, "batch committed");
                if let Some(observe) = &observe {
                    observe(batch.len());
                }
                for (job, outcome) in batch.drain(..).zip(outcomes) {
                    let _ = job.reply.send(Ok(outcome));
                }
            }
            // One bad row must not fail its neighbours: retry each in a commit of its own.
            Err(err) => {
                tracing::warn!(error = %err, size = batch.len(), "batch commit failed; committing one by one");
                for job in batch.drain(..) {
                    let outcome = match store.pool.acquire().await {
                        Ok(mut conn) => insert_batch(store.backend, &mut conn, &[(&job.to, &job.submission)])
                            .await
                            .map(|mut answers| answers.pop().expect("one answer per item")),
                        Err(e) => Err(e.into()),
                    };
                    let _ = job.reply.send(outcome);
                }
            }
        }
    }
}

async fn commit(store: &Store, batch: &[Job]) -> Result<Vec<Insert>> {
    let items: Vec<_> = batch.iter().map(|job| (&job.to, &job.submission)).collect();
    // One multi-row INSERT is one atomic commit by itself: no BEGIN and COMMIT round
    // trips (on a busy machine each hand-off to the database costs more than the rows).
    let mut conn = store.pool.acquire().await?;
    let outcomes = insert_batch(store.backend, &mut conn, &items).await?;
    Ok(outcomes)
}
