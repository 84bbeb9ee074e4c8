//! Prometheus metrics at `/metrics`: submissions by kind and outcome, rejections by
//! error code, request latency by route, group-commit batch sizes.

use axum::extract::{MatchedPath, Request};
use axum::http::header;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};
use std::sync::OnceLock;
use std::time::Instant;

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

pub async fn render() -> Response {
    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4")], handle().render()).into_response()
}

/// Times every request, labelled by its route pattern (bounded) and status.
pub async fn track(request: Request, next: Next) -> Response {
    let route =
        request.extensions().get::<MatchedPath>().map(|p| p.as_str().to_owned()).unwrap_or_else(|| "other".into());
    let started = Instant::now();
    let response = next.run(request).await;
    metrics::histogram!("hark_request_duration_seconds", "route" => route, "status" => response.status().as_u16().to_string())
        .record(started.elapsed().as_secs_f64());
    response
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
