//! `GET /api/v1/admin/events`: the organisation's new and changed submissions as
//! server-sent events, whichever instance received them (see
//! `hark_core::store::Changes`). Each event names the submission; the page that shows
//! it loads it again. A stream ends when the server stops, and when its credential no
//! longer signs anyone in (checked every minute).

use crate::admin::Staff;
use crate::state::AppState;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::sse::{Event, KeepAlive, Sse};
use futures_util::Stream;
use hark_core::store::{Changed, Watch};
use std::convert::Infallible;
use std::time::{Duration, Instant};

/// How long a browser waits before it connects again after the stream broke.
const RETRY: Duration = Duration::from_secs(3);

#[utoipa::path(
    get, path = "/api/v1/admin/events", tag = "admin",
    description = "Server-sent events: `created` and `updated` with `{\"id\"}` for each of the \
                   organisation's submissions as it arrives or changes; `missed` when some were lost on \
                   the way (load again what you show). A comment every 15 s keeps the connection open.",
    responses(
        (status = 200, description = "`text/event-stream`", content_type = "text/event-stream", body = String),
        (status = 401, description = "`unauthorized`", body = crate::error::ErrorBody),
    ),
    security(("bearer" = []), ("session" = []))
)]
pub async fn events(
    State(state): State<AppState>,
    Staff(staff): Staff,
    headers: HeaderMap,
) -> Sse<impl Stream<Item = Result<Event, Infallible>>> {
    let watch = state.store.changes().watch();
    let watcher = Watcher { watch, state, headers, org_id: staff.org_id, first: true, checked: Instant::now() };
    let stream = futures_util::stream::unfold(watcher, |mut watcher| async move {
        let event = watcher.next().await?;
        Some((Ok(event), watcher))
    });
    Sse::new(stream).keep_alive(KeepAlive::new().interval(Duration::from_secs(15)))
}

struct Watcher {
    watch: Watch,
    state: AppState,
    headers: HeaderMap,
    org_id: String,
    first: bool,
    /// When the credential was last found still good.
    checked: Instant,
}

impl Watcher {
    /// The next event for this organisation, or `None` when the stream should end.
    async fn next(&mut self) -> Option<Event> {
        if std::mem::take(&mut self.first) {
            // Tells the browser how soon to come back, and that it is connected.
            return Some(Event::default().event("ready").data("{}").retry(RETRY));
        }
        loop {
            // Busy or quiet, the credential is checked every `credential_recheck`.
            let recheck = self.state.config.credential_recheck;
            if self.checked.elapsed() >= recheck {
                let still = app::ssr::staff_of(&self.state.store, &self.headers).await;
                if !matches!(still, Ok(Some((ref staff, _))) if staff.org_id == self.org_id) {
                    return None;
                }
                self.checked = Instant::now();
            }
            match tokio::time::timeout(recheck.saturating_sub(self.checked.elapsed()), self.watch.next()).await {
                Ok(Some(change)) if change.concerns(&self.org_id) => return Some(event_of(&change)),
                Ok(Some(_)) | Err(_) => {}
                Ok(None) => return None,
            }
        }
    }
}

fn event_of(change: &Changed) -> Event {
    let (name, id) = match change {
        Changed::Created { id, .. } => ("created", Some(id)),
        Changed::Updated { id, .. } => ("updated", Some(id)),
        Changed::Missed => ("missed", None),
    };
    Event::default().event(name).data(serde_json::json!({ "id": id }).to_string())
}
