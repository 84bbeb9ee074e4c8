//! What changed, for whoever watches (the admin's live queue). Every write to a
//! submission publishes here once it has committed: new ones from the submission writer,
//! changes from triage and from the shopper's tracking page. Publishing is one send on
//! an in-memory channel, nothing when no one watches, so the collector does not wait for
//! it. On PostgreSQL a relay (`Store::relay_changes`) carries this instance's changes to
//! the others with NOTIFY, at most one notification every 100 ms, and theirs to this one
//! with LISTEN.

use super::{Backend, Store};
use serde::{Deserialize, Serialize};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{broadcast, watch};

/// A change someone watching may want to see.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "change", rename_all = "snake_case")]
pub enum Changed {
    /// A submission arrived.
    Created { org_id: String, id: String },
    /// A submission was triaged, answered, noted, followed up or rated.
    Updated { org_id: String, id: String },
    /// Changes were lost on the way (a watcher fell behind, or an instance's link to the
    /// database broke): whoever watches should load again what they show.
    Missed,
}

impl Changed {
    /// Whether `org_id`'s staff may see this.
    pub fn concerns(&self, org_id: &str) -> bool {
        match self {
            Changed::Created { org_id: of, .. } | Changed::Updated { org_id: of, .. } => of == org_id,
            Changed::Missed => true,
        }
    }
}

/// Where a change was made: here, or on another instance (which the relay does not send
/// back out).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Origin {
    Here,
    Elsewhere,
}

/// Changes that may wait for a slow watcher before it misses some.
const CAPACITY: usize = 4_096;

/// The changes of this instance (and, with the relay, of the others). Cheap to clone.
#[derive(Clone, Debug)]
pub struct Changes(Arc<Inner>);

#[derive(Debug)]
struct Inner {
    sent: broadcast::Sender<(Changed, Origin)>,
    closed: watch::Sender<bool>,
    /// Tells this instance's notifications from the others'.
    instance: String,
}

impl Default for Changes {
    fn default() -> Self {
        let (sent, _) = broadcast::channel(CAPACITY);
        let (closed, _) = watch::channel(false);
        Changes(Arc::new(Inner { sent, closed, instance: super::new_id() }))
    }
}

impl Changes {
    pub(super) fn created(&self, org_id: &str, id: &str) {
        // Most of the time no one watches (on SQLite): then not even the change is made.
        if self.0.sent.receiver_count() > 0 {
            self.publish(Changed::Created { org_id: org_id.to_owned(), id: id.to_owned() }, Origin::Here);
        }
    }

    pub(super) fn updated(&self, org_id: &str, id: &str) {
        self.publish(Changed::Updated { org_id: org_id.to_owned(), id: id.to_owned() }, Origin::Here);
    }

    fn publish(&self, change: Changed, origin: Origin) {
        // An error only means that no one is watching.
        let _ = self.0.sent.send((change, origin));
    }

    /// Changes from now on, until `close`.
    pub fn watch(&self) -> Watch {
        Watch { changes: self.0.sent.subscribe(), closed: self.0.closed.subscribe() }
    }

    /// Ends every watch: the server is stopping, and an open stream would hold it up.
    pub fn close(&self) {
        self.0.closed.send_replace(true);
    }
}

/// One watcher's view of the changes.
pub struct Watch {
    changes: broadcast::Receiver<(Changed, Origin)>,
    closed: watch::Receiver<bool>,
}

impl Watch {
    /// The next change, `Missed` when this watcher fell behind, or `None` once the
    /// changes are closed.
    pub async fn next(&mut self) -> Option<Changed> {
        if *self.closed.borrow() {
            return None;
        }
        tokio::select! {
            biased;
            _ = self.closed.changed() => None,
            received = self.changes.recv() => match received {
                Ok((change, _)) => Some(change),
                Err(broadcast::error::RecvError::Lagged(_)) => Some(Changed::Missed),
                Err(broadcast::error::RecvError::Closed) => None,
            },
        }
    }
}

/// The PostgreSQL channel the instances share.
const CHANNEL: &str = "hark_changes";
/// How long the relay gathers this instance's changes into one notification.
const GATHER: Duration = Duration::from_millis(100);
/// PostgreSQL takes payloads up to 8,000 bytes.
const MAX_PAYLOAD: usize = 7_000;
/// More changes than fit in `MAX_PAYLOAD` (a created or updated one takes over 60
/// bytes).
const MAX_GATHERED: usize = MAX_PAYLOAD / 60;

#[derive(Serialize, Deserialize)]
struct Notice {
    from: String,
    changes: Vec<Changed>,
}

impl Store {
    /// The changes to submissions, as they commit.
    pub fn changes(&self) -> &Changes {
        &self.changes
    }

    /// On PostgreSQL, carries changes between this instance and the others for as long
    /// as the store lives: one task tells the others what changed here, one hears what
    /// changed there. Returns at once on SQLite (one instance, nothing to carry).
    pub fn relay_changes(&self) {
        if self.backend == Backend::Postgres {
            tokio::spawn(self.clone().tell_others(self.changes.0.sent.subscribe()));
            tokio::spawn(self.clone().hear_others());
        }
    }

    /// Gathers this instance's changes for a moment and sends them as one notification.
    async fn tell_others(self, mut outgoing: broadcast::Receiver<(Changed, Origin)>) {
        let me = self.changes.0.instance.clone();
        let mut gathered: Vec<Changed> = Vec::new();
        // Under a flood, changes past what one notification holds are not kept (nor
        // written out) only to be replaced by `Missed`.
        fn gather(gathered: &mut Vec<Changed>, change: Changed) {
            if gathered.len() <= MAX_GATHERED {
                gathered.push(change);
            }
        }
        loop {
            match outgoing.recv().await {
                Ok((change, Origin::Here)) => gather(&mut gathered, change),
                Ok((_, Origin::Elsewhere)) => continue,
                Err(broadcast::error::RecvError::Lagged(_)) => gather(&mut gathered, Changed::Missed),
                Err(broadcast::error::RecvError::Closed) => return,
            }
            tokio::time::sleep(GATHER).await;
            loop {
                match outgoing.try_recv() {
                    Ok((change, Origin::Here)) => gather(&mut gathered, change),
                    Ok((_, Origin::Elsewhere)) => {}
                    Err(broadcast::error::TryRecvError::Lagged(_)) => gather(&mut gathered, Changed::Missed),
                    Err(_) => break,
                }
            }
            let payload = payload(&me, std::mem::take(&mut gathered));
            let sent = sqlx::query("SELECT pg_notify($1, $2)").bind(CHANNEL).bind(payload).execute(&self.pool).await;
            if let Err(err) = sent {
                tracing::warn!(error = %err, "could not tell other instances of changes");
            }
        }
    }

    /// Publishes here what the other instances changed.
    async fn hear_others(self) {
        let me = self.changes.0.instance.clone();
        let mut listener = loop {
            match listen(&self.location).await {
                Ok(listener) => break listener,
                Err(err) => {
                    tracing::warn!(error = %err, "cannot listen for other instances' changes; trying again");
                    tokio::time::sleep(Duration::from_secs(1)).await;
                }
            }
        };
        loop {
            match listener.try_recv().await {
                Ok(Some(notification)) => match serde_json::from_str::<Notice>(notification.payload()) {
                    Ok(notice) if notice.from == me => {}
                    Ok(notice) => notice.changes.into_iter().for_each(|c| self.changes.publish(c, Origin::Elsewhere)),
                    Err(err) => tracing::warn!(error = %err, "a change notification Hark cannot read"),
                },
                // The link broke (the listener reconnects on the next call): whatever
                // was said meanwhile is lost.
                Ok(None) => self.changes.publish(Changed::Missed, Origin::Elsewhere),
                Err(sqlx::Error::PoolClosed) => return,
                Err(err) => {
                    tracing::warn!(error = %err, "lost the link to other instances' changes; trying again");
                    self.changes.publish(Changed::Missed, Origin::Elsewhere);
                    tokio::time::sleep(Duration::from_secs(1)).await;
                }
            }
        }
    }
}

async fn listen(location: &str) -> sqlx::Result<sqlx::postgres::PgListener> {
    let mut listener = sqlx::postgres::PgListener::connect(location).await?;
    listener.listen(CHANNEL).await?;
    Ok(listener)
}

/// `changes` as one notification payload within PostgreSQL's limit. A flood that would
/// not fit says `Missed` instead: the others load again what they show, which costs them
/// less than many notifications would cost the database (each takes a lock at commit),
/// so an instance sends at most one every `GATHER`.
fn payload(from: &str, changes: Vec<Changed>) -> String {
    let text = |changes| serde_json::to_string(&Notice { from: from.to_owned(), changes }).expect("changes serialise");
    let whole = text(changes);
    if whole.len() <= MAX_PAYLOAD {
        whole
    } else {
        text(vec![Changed::Missed])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_watcher_sees_what_is_published_after_it_started_and_stops_when_closed() {
        let changes = Changes::default();
        changes.created("org-a", "early");
        let mut watch = changes.watch();
        changes.updated("org-a", "s1");
        assert_eq!(watch.next().await, Some(Changed::Updated { org_id: "org-a".into(), id: "s1".into() }));
        changes.close();
        assert_eq!(watch.next().await, None);
    }

    #[tokio::test]
    async fn a_watcher_that_falls_behind_hears_that_it_missed_changes() {
        let changes = Changes::default();
        let mut watch = changes.watch();
        for n in 0..CAPACITY + 1 {
            changes.created("org-a", &n.to_string());
        }
        assert_eq!(watch.next().await, Some(Changed::Missed));
    }

    #[test]
    fn a_notification_carries_every_change_or_says_that_some_were_missed() {
        let change = |n: usize| Changed::Created { org_id: "o".repeat(36), id: format!("{n:036}") };
        let few: Vec<Changed> = (0..20).map(change).collect();
        let notice: Notice = serde_json::from_str(&payload("me", few.clone())).unwrap();
        assert_eq!((notice.from.as_str(), notice.changes), ("me", few));
        let flood = payload("me", (0..500).map(change).collect());
        assert!(flood.len() <= 8_000, "{} bytes", flood.len());
        assert_eq!(serde_json::from_str::<Notice>(&flood).unwrap().changes, [Changed::Missed]);
    }

    #[test]
    fn changes_concern_their_own_organisation_and_a_miss_concerns_everyone() {
        let created = Changed::Created { org_id: "a".into(), id: "1".into() };
        assert!(created.concerns("a"));
        assert!(!created.concerns("b"));
        assert!(Changed::Missed.concerns("b"));
    }
}
