//! API tokens: named, shown once, acting as their maker, marked when used, revocable.
//! On SQLite and PostgreSQL.

mod support;

use axum::http::StatusCode;
use hark_core::model::Role;
use serde_json::json;
use support::{backends, complaint, TestApp};

#[tokio::test]
async fn a_token_is_shown_once_acts_as_its_maker_is_marked_when_used_and_ends_when_revoked() {
    for db in backends().await {
        let app = TestApp::start(db).await;
        let label = app.db.label;
        let (id, _) = app.submitted(&complaint("for the integration")).await;
        let (_, agent) = app.staff(&app.org, "agent@acme.test", Role::Agent).await;
        let (_, viewer) = app.staff(&app.org, "viewer@acme.test", Role::Viewer).await;

        for (name, problem) in [("", "empty"), (&"x".repeat(101) as &str, "too long")] {
            let refused = app.call("POST", "/api/v1/admin/tokens", &agent, Some(json!({"name": name}))).await;
            assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY, "{label}: {problem}");
            assert!(refused.json()["error"]["fields"]["name"].is_array());
        }
        let made = app.call("POST", "/api/v1/admin/tokens", &agent, Some(json!({"name": "  CRM sync "}))).await;
        assert_eq!(made.status, StatusCode::CREATED, "{label}: {}", made.text);
        let made = made.json();
        let (token, token_id) = (made["token"].as_str().unwrap().to_owned(), made["id"].as_str().unwrap().to_owned());
        assert_eq!(made["name"], "CRM sync");
        assert_eq!(made["person"]["email"], "agent@acme.test");
        assert!(made["last_used_at"].is_null());

        // It acts as the agent: reads and writes.
        let sub = format!("/api/v1/admin/submissions/{id}");
        assert_eq!(app.call("GET", &sub, &token, None).await.status, StatusCode::OK, "{label}");
        let patch = app.call("PATCH", &sub, &token, Some(json!({"priority": "low"}))).await;
        assert_eq!(patch.status, StatusCode::OK, "{label}: {}", patch.text);
        assert_eq!(patch.json()["assignee"]["email"], "agent@acme.test", "{label}: the agent's own change");

        // Listed without the token itself, with its last use.
        let listed = app.call("GET", "/api/v1/admin/tokens", &agent, None).await;
        assert!(!listed.text.contains(&token), "{label}: shown once only");
        let listed = listed.json();
        let mine = listed.as_array().unwrap().iter().find(|t| t["id"] == token_id.as_str()).unwrap();
        assert!(mine["last_used_at"].is_string(), "{label}: {mine}");
        // Colleagues see their own; owners see everyone's.
        let theirs = app.call("GET", "/api/v1/admin/tokens", &viewer, None).await.json();
        assert!(theirs.as_array().unwrap().iter().all(|t| t["person"]["email"] == "viewer@acme.test"), "{label}");
        let all = app.call("GET", "/api/v1/admin/tokens", &app.token, None).await.json();
        assert!(all.as_array().unwrap().iter().any(|t| t["id"] == token_id.as_str()), "{label}: the owner sees it");

        // A viewer's token reads as the viewer does, and cannot write.
        let viewers = app.call("POST", "/api/v1/admin/tokens", &viewer, Some(json!({"name": "report"}))).await.json();
        let viewers = viewers["token"].as_str().unwrap().to_owned();
        assert_eq!(app.call("GET", &sub, &viewers, None).await.status, StatusCode::OK);
        assert_eq!(
            app.call("PATCH", &sub, &viewers, Some(json!({"priority": "high"}))).await.status,
            StatusCode::FORBIDDEN,
            "{label}"
        );

        // Only its maker or an owner revokes it; then it signs no one in.
        let uri = format!("/api/v1/admin/tokens/{token_id}");
        assert_eq!(app.call("DELETE", &uri, &viewer, None).await.status, StatusCode::NOT_FOUND, "{label}");
        assert_eq!(app.call("DELETE", &uri, &app.token, None).await.status, StatusCode::NO_CONTENT, "{label}");
        assert_eq!(app.call("GET", &sub, &token, None).await.status, StatusCode::UNAUTHORIZED, "{label}: revoked");
        assert_eq!(app.call("DELETE", &uri, &agent, None).await.status, StatusCode::NOT_FOUND, "{label}: gone");
    }
}
