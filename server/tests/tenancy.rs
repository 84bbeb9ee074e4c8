//! Tenancy and roles, proved for every staff route of the router: the routes are read
//! from the OpenAPI document (made from the same route table), so a new route without a
//! case here fails the test. On SQLite and PostgreSQL.

mod support;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use hark_core::model::Role;
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::time::Duration;
use support::{backends, complaint, EventStream, TestApp};

/// What a route is to the people who call it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Access {
    /// Reads the organisation's data: viewers may; another organisation's member sees
    /// none of ours.
    Read,
    /// Changes the organisation's data: a viewer is refused 403.
    Write,
    /// The organisation's people, owners only: a viewer and an agent are refused 403.
    Owners,
    /// One's own account (who am I, language, password, sign out): every role may, and
    /// no organisation's object is named.
    OwnAccount,
    /// Names one person's own object (an API token): another organisation's member and
    /// a colleague who is not an owner get 404, as for a missing one.
    Personal,
    /// Before signing in.
    Public,
}

/// One call of a route: the URI with its path filled, and a valid body.
struct Case {
    access: Access,
    calls: Vec<(String, Option<Value>)>,
}

/// What the owner sees of the submission `sub`, the saved replies, the organisation, the
/// tokens and the people.
async fn ours(app: &TestApp, sub: &str) -> (Value, Value, Value) {
    let detail = app.call("GET", sub, &app.token, None).await.json();
    let replies = app.call("GET", "/api/v1/admin/saved-replies", &app.token, None).await.json();
    let org = app.call("GET", "/api/v1/admin/org", &app.token, None).await.json();
    // The owner's own tokens (colleagues may make theirs meanwhile; a use is no change).
    let tokens = app.call("GET", "/api/v1/admin/tokens", &app.token, None).await.json();
    let owners: Vec<&Value> = tokens
        .as_array()
        .unwrap()
        .iter()
        .filter(|t| t["person"]["email"] == "owner@acme.test")
        .map(|t| &t["id"])
        .collect();
    let people = app.call("GET", "/api/v1/admin/people", &app.token, None).await.json();
    let sites = app.call("GET", "/api/v1/admin/sites", &app.token, None).await.json();
    let marks = app.call("GET", &format!("/api/v1/admin/sites/{}/marks", app.site.id), &app.token, None).await.json();
    (detail, replies, json!({"org": org, "tokens": owners, "people": people, "sites": sites, "marks": marks}))
}

#[tokio::test]
async fn every_staff_route_hides_other_organisations_and_refuses_viewers_writes() {
    for db in backends().await {
        let app = TestApp::start(db).await;
        let label = app.db.label;
        let canary = "canary-4f1d mine only";
        let (id, _) = app.submitted(&complaint(canary)).await;
        let globex = app.store.ensure_org("Globex").await.unwrap();
        // Another organisation's owner: whatever its role allows there, nothing of ours.
        let (_, stranger) = app.staff(&globex, "owner@globex.test", Role::Owner).await;
        let (_, viewer) = app.staff(&app.org, "viewer@acme.test", Role::Viewer).await;
        let (_, agent) = app.staff(&app.org, "agent@acme.test", Role::Agent).await;
        // Whom the people routes name: a colleague, and an invitation.
        let (colleague, _) = app.staff(&app.org, "colleague@acme.test", Role::Agent).await;
        let invited = app.call(
            "POST",
            "/api/v1/admin/people",
            &app.token,
            Some(json!({"email": "new@acme.test", "role": "agent"})),
        );
        let invitation_id = invited.await.json()["id"].as_str().unwrap().to_owned();
        let person = format!("/api/v1/admin/people/{}", colleague.user_id);
        let saved = app
            .call("POST", "/api/v1/admin/saved-replies", &app.token, Some(json!({"title": "Sorry", "body": canary})))
            .await;
        assert_eq!(saved.status, StatusCode::CREATED, "{label}: {}", saved.text);
        let saved_id = saved.json()["id"].as_str().unwrap().to_owned();
        let made = app.call("POST", "/api/v1/admin/tokens", &app.token, Some(json!({"name": "walk"}))).await.json();
        let token_id = made["id"].as_str().unwrap().to_owned();
        let marked = app
            .call(
                "POST",
                &format!("/api/v1/admin/sites/{}/marks", app.site.id),
                &app.token,
                Some(json!({"day": "2026-03-01", "title": canary})),
            )
            .await;
        assert_eq!(marked.status, StatusCode::CREATED, "{label}: {}", marked.text);
        let mark_id = marked.json()["id"].as_str().unwrap().to_owned();
        // Searchable: the indexer has caught up.
        let search = format!("/api/v1/admin/submissions?q={}", canary.split(' ').next().unwrap());
        for _ in 0..100 {
            if app.call("GET", &search, &app.token, None).await.text.contains(&id) {
                break;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }

        let sub = format!("/api/v1/admin/submissions/{id}");
        let site = format!("/api/v1/admin/sites/{}", app.site.id);
        let saved_uri = format!("/api/v1/admin/saved-replies/{saved_id}");
        let change = json!({"priority": "low"});
        let reply_body = json!({"title": "T", "body": "B"});
        let case = |access, calls: Vec<(String, Option<Value>)>| Case { access, calls };
        let one = |uri: &str, body: Option<Value>| vec![(uri.to_owned(), body)];
        let cases: BTreeMap<(&str, &str), Case> = [
            (
                ("get", "/api/v1/admin/submissions"),
                case(
                    Access::Read,
                    vec![
                        ("/api/v1/admin/submissions".into(), None),
                        (search.clone(), None),
                        (format!("/api/v1/admin/submissions?status=new&kind=complaint&site={}", app.site.id), None),
                    ],
                ),
            ),
            (
                ("get", "/api/v1/admin/submissions/counts"),
                case(Access::Read, one("/api/v1/admin/submissions/counts", None)),
            ),
            (("get", "/api/v1/admin/submissions/{id}"), case(Access::Read, one(&sub, None))),
            (("patch", "/api/v1/admin/submissions/{id}"), case(Access::Write, one(&sub, Some(change.clone())))),
            (
                ("post", "/api/v1/admin/submissions/bulk"),
                case(
                    Access::Write,
                    one("/api/v1/admin/submissions/bulk", Some(json!({"ids": [id], "set": {"status": "spam"}}))),
                ),
            ),
            (
                ("post", "/api/v1/admin/submissions/{id}/notes"),
                case(Access::Write, one(&format!("{sub}/notes"), Some(json!({"body": "internal"})))),
            ),
            (
                ("post", "/api/v1/admin/submissions/{id}/replies"),
                case(Access::Write, one(&format!("{sub}/replies"), Some(json!({"body": "public"})))),
            ),
            (("get", "/api/v1/admin/saved-replies"), case(Access::Read, one("/api/v1/admin/saved-replies", None))),
            (
                ("post", "/api/v1/admin/saved-replies"),
                case(Access::Write, one("/api/v1/admin/saved-replies", Some(reply_body.clone()))),
            ),
            (
                ("patch", "/api/v1/admin/saved-replies/{id}"),
                case(Access::Write, one(&saved_uri, Some(reply_body.clone()))),
            ),
            (("delete", "/api/v1/admin/saved-replies/{id}"), case(Access::Write, one(&saved_uri, None))),
            (("get", "/api/v1/admin/org"), case(Access::Read, one("/api/v1/admin/org", None))),
            (
                ("patch", "/api/v1/admin/org"),
                case(Access::Write, one("/api/v1/admin/org", Some(json!({"time_zone": "Asia/Shanghai"})))),
            ),
            (
                ("get", "/api/v1/admin/export.csv"),
                case(
                    Access::Read,
                    vec![
                        ("/api/v1/admin/export.csv".into(), None),
                        (search.replace("/submissions?", "/export.csv?"), None),
                    ],
                ),
            ),
            (("get", "/api/v1/admin/events"), case(Access::Read, one("/api/v1/admin/events", None))),
            (("get", "/api/v1/admin/tokens"), case(Access::OwnAccount, one("/api/v1/admin/tokens", None))),
            (
                ("post", "/api/v1/admin/tokens"),
                case(Access::OwnAccount, one("/api/v1/admin/tokens", Some(json!({"name": "mine"})))),
            ),
            (
                ("delete", "/api/v1/admin/tokens/{id}"),
                case(Access::Personal, one(&format!("/api/v1/admin/tokens/{token_id}"), None)),
            ),
            (("get", "/api/v1/admin/people"), case(Access::Owners, one("/api/v1/admin/people", None))),
            (
                ("post", "/api/v1/admin/people"),
                case(
                    Access::Owners,
                    one("/api/v1/admin/people", Some(json!({"email": "someone@elsewhere.test", "role": "viewer"}))),
                ),
            ),
            (
                ("patch", "/api/v1/admin/people/{id}"),
                case(Access::Owners, one(&person, Some(json!({"role": "viewer"})))),
            ),
            (("delete", "/api/v1/admin/people/{id}"), case(Access::Owners, one(&person, None))),
            (
                ("delete", "/api/v1/admin/invitations/{id}"),
                case(Access::Owners, one(&format!("/api/v1/admin/invitations/{invitation_id}"), None)),
            ),
            (("get", "/api/v1/admin/sites"), case(Access::Read, one("/api/v1/admin/sites", None))),
            (
                ("post", "/api/v1/admin/sites"),
                case(Access::Owners, one("/api/v1/admin/sites", Some(json!({"name": "Walk", "allowed_origins": []})))),
            ),
            (("get", "/api/v1/admin/sites/{id}"), case(Access::Read, one(&site, None))),
            (
                ("patch", "/api/v1/admin/sites/{id}"),
                case(Access::Owners, one(&site, Some(json!({"name": "Taken over", "disabled": true})))),
            ),
            (
                ("post", "/api/v1/admin/sites/{id}/secret"),
                case(Access::Owners, one(&format!("{site}/secret"), Some(json!({"grace_minutes": 0})))),
            ),
            (("get", "/api/v1/admin/audit"), case(Access::Owners, one("/api/v1/admin/audit", None))),
            (("get", "/api/v1/admin/metrics"), case(Access::Read, one("/api/v1/admin/metrics", None))),
            (("get", "/api/v1/admin/metrics.csv"), case(Access::Read, one("/api/v1/admin/metrics.csv", None))),
            (("get", "/api/v1/admin/sites/{id}/marks"), case(Access::Read, one(&format!("{site}/marks"), None))),
            (
                ("post", "/api/v1/admin/sites/{id}/marks"),
                case(
                    Access::Owners,
                    one(&format!("{site}/marks"), Some(json!({"day": "2026-03-01", "title": "New courier"}))),
                ),
            ),
            (
                ("delete", "/api/v1/admin/sites/{id}/marks/{mark_id}"),
                case(Access::Owners, one(&format!("{site}/marks/{mark_id}"), None)),
            ),
            (("post", "/api/v1/invites/{token}"), case(Access::Public, vec![])),
            (("post", "/api/v1/auth/login"), case(Access::Public, vec![])),
            (("post", "/api/v1/auth/logout"), case(Access::OwnAccount, one("/api/v1/auth/logout", None))),
            (("get", "/api/v1/auth/me"), case(Access::OwnAccount, one("/api/v1/auth/me", None))),
            (
                ("patch", "/api/v1/auth/me"),
                case(Access::OwnAccount, one("/api/v1/auth/me", Some(json!({"locale": "zh-CN"})))),
            ),
            (
                ("post", "/api/v1/auth/password"),
                case(
                    Access::OwnAccount,
                    one(
                        "/api/v1/auth/password",
                        Some(json!({"current": "not the password", "new": "a brand new passphrase"})),
                    ),
                ),
            ),
        ]
        .into_iter()
        .collect();

        // Every staff operation of the document has its case, and every case its operation.
        let spec = app.send(Request::get("/api/v1/openapi.json").body(Body::empty()).unwrap()).await.json();
        let mut documented = vec![];
        for (path, operations) in spec["paths"].as_object().unwrap() {
            if !["/api/v1/admin/", "/api/v1/auth/", "/api/v1/invites/"].iter().any(|p| path.starts_with(p)) {
                continue;
            }
            for method in operations.as_object().unwrap().keys() {
                documented.push((method.clone(), path.clone()));
                assert!(
                    cases.contains_key(&(method.as_str(), path.as_str())),
                    "{method} {path} has no case here: say who may call it"
                );
            }
        }
        for (method, path) in cases.keys() {
            assert!(documented.contains(&(method.to_string(), path.to_string())), "{method} {path} is not documented");
        }

        // What the owner sees before anyone else calls anything.
        let before = ours(&app, &sub).await;

        for ((method, path), Case { access, calls }) in &cases {
            let method = method.to_uppercase();
            for (uri, body) in calls {
                let what = format!("{label} {method} {uri}");
                if *access != Access::Public {
                    let anonymous = app
                        .send(Request::builder().method(method.as_str()).uri(uri).body(Body::empty()).unwrap())
                        .await;
                    assert_eq!(anonymous.status, StatusCode::UNAUTHORIZED, "{what}: signed out");
                }
                if path.ends_with("/events") {
                    // A stream: it opens for a viewer, and another organisation hears
                    // nothing of ours.
                    let mut foreign = EventStream::open(&app.router, &stranger).await;
                    assert_eq!(foreign.next(Duration::from_secs(5)).await.map(|e| e.0).as_deref(), Some("ready"));
                    EventStream::open(&app.router, &viewer).await;
                    let touched = app.call("PATCH", &sub, &app.token, Some(json!({"tags": ["walk"]}))).await;
                    assert_eq!(touched.status, StatusCode::OK, "{what}");
                    assert_eq!(
                        foreign.next(Duration::from_millis(400)).await,
                        None,
                        "{what}: another organisation's change"
                    );
                    continue;
                }
                let names_ours = path.contains('{');
                match access {
                    Access::Public => {}
                    Access::OwnAccount => {
                        for token in [&viewer, &stranger] {
                            let answer = app.call(&method, uri, token, body.clone()).await;
                            assert_ne!(answer.status, StatusCode::FORBIDDEN, "{what}: one's own account");
                            for secret in [canary, token_id.as_str(), "owner@acme.test"] {
                                assert!(!answer.text.contains(secret), "{what}: sees {secret}: {}", answer.text);
                            }
                        }
                    }
                    Access::Personal => {
                        for token in [&viewer, &stranger] {
                            let answer = app.call(&method, uri, token, body.clone()).await;
                            assert_eq!(answer.status, StatusCode::NOT_FOUND, "{what}: someone else's");
                        }
                    }
                    Access::Read | Access::Write | Access::Owners => {
                        let foreign = app.call(&method, uri, &stranger, body.clone()).await;
                        if names_ours {
                            assert_eq!(foreign.status, StatusCode::NOT_FOUND, "{what}: another organisation's object");
                            assert_eq!(foreign.error_code(), "not_found", "{what}");
                        } else {
                            assert!(foreign.status.is_success(), "{what}: {} {}", foreign.status, foreign.text);
                            // What the request itself carried (the bulk's ids) is no news.
                            let sent = body.as_ref().map(Value::to_string).unwrap_or_default();
                            for secret in [
                                canary,
                                id.as_str(),
                                saved_id.as_str(),
                                "Acme",
                                "acme.test",
                                &app.site.site_key,
                                &app.site.secret,
                            ]
                            .into_iter()
                            .filter(|s| !sent.contains(s))
                            {
                                assert!(!foreign.text.contains(secret), "{what}: another organisation sees {secret}");
                            }
                        }
                        let refused: &[&String] = match access {
                            Access::Write => &[&viewer],
                            Access::Owners => &[&viewer, &agent],
                            _ => &[],
                        };
                        for token in refused {
                            let answer = app.call(&method, uri, token, body.clone()).await;
                            assert_eq!(answer.status, StatusCode::FORBIDDEN, "{what}: not theirs to change");
                            assert_eq!(answer.error_code(), "forbidden", "{what}");
                        }
                        if *access == Access::Read {
                            let as_viewer = app.call(&method, uri, &viewer, None).await;
                            assert_eq!(as_viewer.status, StatusCode::OK, "{what}: viewers read");
                        }
                    }
                }
            }
        }
        // The counts another organisation got were its own: none.
        let counts = app.call("GET", "/api/v1/admin/submissions/counts", &stranger, None).await.json();
        assert_eq!(counts["new"], 0, "{label}: {counts}");
        // Nothing the others called changed what the owner sees.
        let (mut detail, replies, org) = ours(&app, &sub).await;
        let (mut expected, replies_before, org_before) = before;
        for view in [&mut detail, &mut expected] {
            // The owner's tagging made them the assignee (first contact) and events of
            // theirs; no one else's event may have been added.
            for changed_by_the_owner in ["tags", "assignee"] {
                view.as_object_mut().unwrap().remove(changed_by_the_owner);
            }
            let timeline = view["timeline"].as_array_mut().unwrap();
            timeline.retain(|event| event["actor"]["email"] != "owner@acme.test");
        }
        assert_eq!(detail, expected, "{label}: the submission");
        assert_eq!(replies, replies_before, "{label}: the saved replies");
        assert_eq!(org, org_before, "{label}: the organisation");
    }
}
