//! People: an owner invites a colleague, who accepts once and signs in; roles change and
//! people are removed, their sessions and tokens ending at once; the organisation keeps
//! an owner. On SQLite and PostgreSQL.

mod support;

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use hark_core::model::Role;
use serde_json::{json, Value};
use support::{backends, complaint, TestApp};

async fn accept(app: &TestApp, invite_url: &str, password: &str) -> support::TestResponse {
    let token = invite_url.rsplit('/').next().unwrap();
    app.send(
        Request::post(format!("/api/v1/invites/{token}"))
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(json!({"password": password}).to_string()))
            .unwrap(),
    )
    .await
}

async fn me(app: &TestApp, cookie: &str) -> StatusCode {
    app.send(Request::get("/api/v1/auth/me").header(header::COOKIE, cookie).body(Body::empty()).unwrap()).await.status
}

fn emails(people: &Value) -> Vec<&str> {
    people["people"].as_array().unwrap().iter().map(|p| p["email"].as_str().unwrap()).collect()
}

#[tokio::test]
async fn an_invited_colleague_joins_once_with_the_role_given_and_signs_in() {
    for db in backends().await {
        let app = TestApp::start(db).await;
        let label = app.db.label;
        for (body, status) in [
            (json!({"email": "not an email", "role": "agent"}), StatusCode::UNPROCESSABLE_ENTITY),
            (json!({"email": "a@acme.test", "role": "admin"}), StatusCode::BAD_REQUEST),
            (json!({"email": "Owner@Acme.test", "role": "agent"}), StatusCode::CONFLICT),
        ] {
            let refused = app.call("POST", "/api/v1/admin/people", &app.token, Some(body.clone())).await;
            assert_eq!(refused.status, status, "{label} {body}: {}", refused.text);
        }
        let invited = app
            .call(
                "POST",
                "/api/v1/admin/people",
                &app.token,
                Some(json!({"email": " Ana@Acme.test ", "role": "agent"})),
            )
            .await;
        assert_eq!(invited.status, StatusCode::CREATED, "{label}: {}", invited.text);
        let invited = invited.json();
        assert_eq!(invited["email"], "ana@acme.test");
        let url = invited["invite_url"].as_str().unwrap().to_owned();
        assert!(url.starts_with("http://hark.test/admin/invite/"), "{label}: {url}");
        let listed = app.call("GET", "/api/v1/admin/people", &app.token, None).await.json();
        assert_eq!(listed["invitations"][0]["email"], "ana@acme.test", "{label}: {listed}");
        assert!(!listed.to_string().contains(url.rsplit('/').next().unwrap()), "{label}: the link is shown once");

        let weak = accept(&app, &url, "short").await;
        assert_eq!(weak.status, StatusCode::UNPROCESSABLE_ENTITY, "{label}");
        let joined = accept(&app, &url, "a long and fine passphrase").await;
        assert_eq!(joined.status, StatusCode::NO_CONTENT, "{label}: {}", joined.text);
        let cookie = joined.headers[header::SET_COOKIE].to_str().unwrap().split(';').next().unwrap().to_owned();
        let who = app
            .send(Request::get("/api/v1/auth/me").header(header::COOKIE, &cookie).body(Body::empty()).unwrap())
            .await
            .json();
        assert_eq!((who["email"].as_str(), who["role"].as_str()), (Some("ana@acme.test"), Some("agent")), "{label}");
        // Once only; and no longer listed as open.
        assert_eq!(accept(&app, &url, "another fine passphrase").await.status, StatusCode::NOT_FOUND, "{label}");
        let listed = app.call("GET", "/api/v1/admin/people", &app.token, None).await.json();
        assert_eq!(listed["invitations"], json!([]), "{label}");
        assert_eq!(emails(&listed), ["owner@acme.test", "ana@acme.test"], "{label}");

        // A withdrawn invitation's link does nothing; an unknown one neither.
        let other = app
            .call("POST", "/api/v1/admin/people", &app.token, Some(json!({"email": "bo@acme.test", "role": "viewer"})))
            .await
            .json();
        let withdraw = format!("/api/v1/admin/invitations/{}", other["id"].as_str().unwrap());
        assert_eq!(app.call("DELETE", &withdraw, &app.token, None).await.status, StatusCode::NO_CONTENT);
        let url = other["invite_url"].as_str().unwrap();
        assert_eq!(accept(&app, url, "a long and fine passphrase").await.status, StatusCode::NOT_FOUND, "{label}");
        assert_eq!(accept(&app, "/x/0000", "a long and fine passphrase").await.status, StatusCode::NOT_FOUND);
        // An agent cannot see or invite people.
        let (_, agent) = app.staff(&app.org, "agent@acme.test", Role::Agent).await;
        assert_eq!(app.call("GET", "/api/v1/admin/people", &agent, None).await.status, StatusCode::FORBIDDEN);
    }
}

#[tokio::test]
async fn an_expired_invitation_cannot_be_accepted() {
    use sqlx::Connection;
    for db in backends().await {
        let app = TestApp::start(db).await;
        let invited = app
            .call("POST", "/api/v1/admin/people", &app.token, Some(json!({"email": "late@acme.test", "role": "agent"})))
            .await
            .json();
        let mut conn = sqlx::AnyConnection::connect(&app.db.url).await.unwrap();
        sqlx::query("UPDATE invitations SET expires_at = 1").execute(&mut conn).await.unwrap();
        let url = invited["invite_url"].as_str().unwrap();
        assert_eq!(
            accept(&app, url, "a long and fine passphrase").await.status,
            StatusCode::NOT_FOUND,
            "{}",
            app.db.label
        );
    }
}

#[tokio::test]
async fn a_role_change_or_a_removal_ends_the_persons_sessions_and_the_organisation_keeps_an_owner() {
    for db in backends().await {
        let app = TestApp::start(db).await;
        let label = app.db.label;
        let (id, _) = app.submitted(&complaint("assigned to the agent")).await;
        let (agent, agent_token) = app.staff(&app.org, "agent@acme.test", Role::Agent).await;
        let sub = format!("/api/v1/admin/submissions/{id}");
        let assigned = app.call("PATCH", &sub, &app.token, Some(json!({"assignee": agent.user_id}))).await;
        assert_eq!(assigned.status, StatusCode::OK, "{label}: {}", assigned.text);
        let signed_in = app.login("agent@acme.test", "a long enough password").await;
        let cookie = signed_in.headers[header::SET_COOKIE].to_str().unwrap().split(';').next().unwrap().to_owned();
        assert_eq!(me(&app, &cookie).await, StatusCode::OK);

        let person = format!("/api/v1/admin/people/{}", agent.user_id);
        let changed = app.call("PATCH", &person, &app.token, Some(json!({"role": "viewer"}))).await;
        assert_eq!(changed.status, StatusCode::OK, "{label}: {}", changed.text);
        assert_eq!(changed.json()["role"], "viewer");
        assert_eq!(me(&app, &cookie).await, StatusCode::UNAUTHORIZED, "{label}: signed out by the role change");
        // Their token acts with the new role at once.
        let write = app.call("PATCH", &sub, &agent_token, Some(json!({"priority": "low"}))).await;
        assert_eq!(write.status, StatusCode::FORBIDDEN, "{label}: now a viewer");

        assert_eq!(app.call("DELETE", &person, &app.token, None).await.status, StatusCode::NO_CONTENT, "{label}");
        assert_eq!(app.call("GET", &sub, &agent_token, None).await.status, StatusCode::UNAUTHORIZED, "{label}: token");
        let again = app.login("agent@acme.test", "a long enough password").await;
        assert_eq!(again.status, StatusCode::UNAUTHORIZED, "{label}: a removed person cannot sign in");
        let detail = app.call("GET", &sub, &app.token, None).await.json();
        assert!(detail["assignee"].is_null(), "{label}: unassigned");
        let listed = app.call("GET", "/api/v1/admin/people", &app.token, None).await.json();
        assert_eq!(emails(&listed), ["owner@acme.test"], "{label}");
        assert_eq!(app.call("DELETE", &person, &app.token, None).await.status, StatusCode::NOT_FOUND, "{label}: gone");

        // The last owner stays an owner.
        let me_as_person = format!("/api/v1/admin/people/{}", app.owner.user_id);
        for (method, body) in [("PATCH", Some(json!({"role": "agent"}))), ("DELETE", None)] {
            let refused = app.call(method, &me_as_person, &app.token, body).await;
            assert_eq!(refused.status, StatusCode::CONFLICT, "{label} {method}: {}", refused.text);
        }
    }
}
