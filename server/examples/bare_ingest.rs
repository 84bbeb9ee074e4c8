//! The benchmark's yardstick: a bare axum handler that reads and parses the same
//! submission JSON as the collector (same decoder and rules) and answers 201, with no
//! database. `scripts/bench-ingest.sh` loads it and the real collector the same way.

use axum::body::Bytes;
use axum::http::StatusCode;
use axum::routing::post;
use axum::{Json, Router};
use hark_core::store::Site;
use hark_core::submission;
use serde_json::json;

#[tokio::main]
async fn main() {
    let addr = std::env::args().nth(1).unwrap_or_else(|| "127.0.0.1:3901".into());
    let site = Site::detached("pk_bench", "secret");
    let app = Router::new().route(
        "/api/v1/sites/{site_key}/submissions",
        post(move |body: Bytes| {
            let site = site.clone();
            async move {
                match submission::parse(&body, &site) {
                    Ok(parsed) => (StatusCode::CREATED, Json(json!({ "id": parsed.id.to_string() }))),
                    Err(_) => (StatusCode::UNPROCESSABLE_ENTITY, Json(json!({ "error": "invalid" }))),
                }
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind(&addr).await.expect("bind");
    println!("bare ingest on http://{addr}");
    axum::serve(listener, app).await.expect("serve");
}
