//! The OpenAPI document describes the handlers that really answer.

mod support;

use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};
use http_body_util::BodyExt;
use support::{backends, TestApp};
use tower::ServiceExt;

#[tokio::test]
async fn every_documented_operation_is_served_with_a_documented_status() {
    let db = backends().await.into_iter().next().unwrap();
    let app = TestApp::start(db).await;
    let spec = app.send(Request::get("/api/v1/openapi.json").body(Body::empty()).unwrap()).await;
    assert_eq!(spec.status, StatusCode::OK);
    let spec = spec.json();
    assert!(spec["openapi"].as_str().unwrap().starts_with("3."));
    let paths = spec["paths"].as_object().unwrap();
    for expected in [
        "/api/v1/sites/{site_key}/config",
        "/api/v1/sites/{site_key}/submissions",
        "/api/v1/track/{token}",
        "/api/v1/admin/submissions",
    ] {
        assert!(paths.contains_key(expected), "{expected} is not documented");
    }
    for (path, operations) in paths {
        // Path parameters filled with this test's real site, so the handler itself answers.
        let uri = path.replace("{site_key}", &app.site.site_key).replace("{token}", "0");
        for (method, operation) in operations.as_object().unwrap() {
            let method: Method = method.to_uppercase().parse().unwrap();
            let mut request = Request::builder().method(method.clone()).uri(&uri);
            if method == Method::POST {
                request = request.header(header::CONTENT_TYPE, "application/json");
            }
            if path.starts_with("/api/v1/admin/") {
                request = request.header(header::AUTHORIZATION, format!("Bearer {}", app.token));
            }
            // An event stream never ends: its status and type are the answer.
            let response = app.router.clone().oneshot(request.body(Body::from("{}")).unwrap()).await.unwrap();
            let status = response.status();
            let stream = response.headers().get(header::CONTENT_TYPE).is_some_and(|t| t == "text/event-stream");
            let text = if stream {
                String::new()
            } else {
                String::from_utf8_lossy(&response.into_body().collect().await.unwrap().to_bytes()).into_owned()
            };
            let documented: Vec<&String> = operation["responses"].as_object().unwrap().keys().collect();
            assert!(
                documented.iter().any(|documented| documented.as_str() == status.as_str()),
                "{method} {path} answered {status} but documents {documented:?}: {text}"
            );
        }
    }
}

#[tokio::test]
async fn the_submission_schema_lists_the_contracts_fields() {
    let db = backends().await.into_iter().next().unwrap();
    let app = TestApp::start(db).await;
    let spec = app.send(Request::get("/api/v1/openapi.json").body(Body::empty()).unwrap()).await.json();
    let fields = spec["components"]["schemas"]["SubmissionRequest"]["properties"].as_object().unwrap();
    for field in [
        "id",
        "kind",
        "rating",
        "dimensions",
        "category",
        "stage",
        "message",
        "email",
        "name",
        "order_ref",
        "page_url",
        "locale",
        "customer",
        "metadata",
    ] {
        assert!(fields.contains_key(field), "{field} missing from the schema");
    }
}
