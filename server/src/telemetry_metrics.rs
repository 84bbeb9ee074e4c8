//! Prometheus metrics at `/metrics`: submissions by kind and outcome, rejections by
//! error code, request latency by route, group-commit batch sizes. Served on a listener
//! of its own (`--metrics-addr`), never on the public port: strangers would read how
//! much every organisation receives.

use axum::extract::MatchedPath;
use axum::http::{header, Request, StatusCode};
use axum::response::{IntoResponse, Response};
use metrics::Histogram;
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};
use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::{LazyLock, OnceLock, PoisonError, RwLock};
use std::task::{ready, Context, Poll};
use std::time::Instant;
use tower::{Layer, Service};

/// The process-wide recorder (metrics are global to a process, like its logs).
pub fn handle() -> &'static PrometheusHandle {
    static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();
    HANDLE.get_or_init(|| {
        let recorder = PrometheusBuilder::new()
            .set_buckets_for_metric(
                Matcher::Full("hark_request_duration_seconds".into()),
                &[0.001, 0.0025, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5],
            )
            .and_then(|b| {
                b.set_buckets_for_metric(
                    Matcher::Full("hark_commit_batch_size".into()),
                    &[1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 64.0, 128.0, 256.0, 512.0],
                )
            })
            .expect("bucket lists are not empty")
            .build_recorder();
        let handle = recorder.handle();
        // Fails only if another recorder was installed first; then that one records.
        let _ = metrics::set_global_recorder(recorder);
        handle
    })
}

/// Folds recorded samples into their buckets every few seconds. Without it histograms
/// keep every raw sample until the next scrape, and memory grows where nothing scrapes.
pub fn spawn_upkeep() {
    tokio::spawn(async {
        let mut tick = tokio::time::interval(std::time::Duration::from_secs(5));
        loop {
            tick.tick().await;
            handle().run_upkeep();
        }
    });
}

async fn render() -> Response {
    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4")], handle().render()).into_response()
}

/// What the metrics listener serves: `/metrics`, nothing else.
pub fn router() -> axum::Router {
    axum::Router::new().route("/metrics", axum::routing::get(render))
}

/// Times every request, labelled by its route pattern (bounded) and status. A layer of
/// its own rather than `middleware::from_fn`, which boxes every request's future: this
/// sits on the hot path of every submission.
#[derive(Clone, Copy, Debug, Default)]
pub struct TrackLayer;

impl<S> Layer<S> for TrackLayer {
    type Service = Track<S>;

    fn layer(&self, inner: S) -> Track<S> {
        Track { inner }
    }
}

#[derive(Clone, Debug)]
pub struct Track<S> {
    inner: S,
}

impl<S, B> Service<Request<B>> for Track<S>
where
    S: Service<Request<B>, Response = Response>,
{
    type Response = Response;
    type Error = S::Error;
    type Future = Timed<S::Future>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), S::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Request<B>) -> Self::Future {
        let route = request.extensions().get::<MatchedPath>().cloned();
        Timed { inner: self.inner.call(request), route, started: Instant::now() }
    }
}

pin_project_lite::pin_project! {
    pub struct Timed<F> {
        #[pin]
        inner: F,
        route: Option<MatchedPath>,
        started: Instant,
    }
}

impl<F, E> Future for Timed<F>
where
    F: Future<Output = Result<Response, E>>,
{
    type Output = F::Output;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.project();
        let result = ready!(this.inner.poll(cx));
        if let Ok(response) = &result {
            let route = this.route.as_ref().map_or("other", MatchedPath::as_str);
            duration_histogram(route, response.status()).record(this.started.elapsed().as_secs_f64());
        }
        Poll::Ready(result)
    }
}

/// The latency histogram of a route and status, registered on first use: routes and
/// statuses are few, and finding one here costs less than building its labelled key anew.
fn duration_histogram(route: &str, status: StatusCode) -> Histogram {
    type ByRoute = HashMap<String, Vec<(StatusCode, Histogram)>>;
    static HISTOGRAMS: LazyLock<RwLock<ByRoute>> = LazyLock::new(Default::default);
    let find = |known: &ByRoute| known.get(route)?.iter().find(|(s, _)| *s == status).map(|(_, h)| h.clone());
    if let Some(histogram) = find(&HISTOGRAMS.read().unwrap_or_else(PoisonError::into_inner)) {
        return histogram;
    }
    let histogram = metrics::histogram!(
        "hark_request_duration_seconds",
        "route" => route.to_owned(),
        "status" => status.as_u16().to_string()
    );
    let mut known = HISTOGRAMS.write().unwrap_or_else(PoisonError::into_inner);
    known.entry(route.to_owned()).or_default().push((status, histogram.clone()));
    histogram
}

pub fn submission(kind: &'static str, outcome: &'static str) {
    metrics::counter!("hark_submissions_total", "kind" => kind, "outcome" => outcome).increment(1);
}

pub fn rejection(code: &'static str) {
    metrics::counter!("hark_rejects_total", "code" => code).increment(1);
}

pub fn batch(size: usize) {
    metrics::histogram!("hark_commit_batch_size").record(size as f64);
}
