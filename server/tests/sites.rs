//! Sites set up through the admin API: adding one (a typo in an origin explained, not
//! stored), changing it (the widget's settings follow at once), "Is it installed?",
//! rotating the signing secret with a grace period, and the audit log of it all. On
//! SQLite and PostgreSQL.

mod support;

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use hark_core::model::Role;
use serde_json::{json, Value};
use support::{backends, new_id, TestApp};

const SHOP: &str = "https://northwind.example";

async fn config(app: &TestApp, site_key: &str, origin: &str) -> support::TestResponse {
    app.send(
        Request::get(format!("/api/v1/sites/{site_key}/config"))
            .header(header::ORIGIN, origin)
            .body(Body::empty())
            .unwrap(),
    )
    .await
}

async fn add_site(app: &TestApp, body: Value) -> Value {
    let made = app.call("POST", "/api/v1/admin/sites", &app.token, Some(body)).await;
    assert_eq!(made.status, StatusCode::CREATED, "{}: {}", app.db.label, made.text);
    made.json()
}

#[tokio::test]
async fn an_owner_adds_and_changes_a_site_and_the_widget_follows_at_once() {
    for db in backends().await {
        let app = TestApp::start(db).await;
        let label = app.db.label;
        // Typos are explained, with the origin to use; nothing is stored.
        let typo = app
            .call(
                "POST",
                "/api/v1/admin/sites",
                &app.token,
                Some(json!({"name": "Northwind", "allowed_origins": ["https://northwind.example/", "northwind.example"]})),
            )
            .await;
        assert_eq!(typo.status, StatusCode::UNPROCESSABLE_ENTITY, "{label}: {}", typo.text);
        let messages = typo.json()["error"]["fields"]["allowed_origins"].to_string();
        assert!(messages.contains("no trailing slash; use https://northwind.example"), "{label}: {messages}");
        assert!(messages.contains("such as https://northwind.example"), "{label}: {messages}");
        let listed = app.call("GET", "/api/v1/admin/sites", &app.token, None).await.json();
        assert_eq!(listed.as_array().unwrap().len(), 1, "{label}: only the test's own site: {listed}");

        let site =
            add_site(&app, json!({"name": " Northwind ", "allowed_origins": ["https://Northwind.example:443"]})).await;
        assert_eq!(site["name"], "Northwind");
        assert_eq!(site["allowed_origins"], json!([SHOP]), "{label}: normalised");
        let key = site["site_key"].as_str().unwrap().to_owned();
        let snippet = site["snippet"].as_str().unwrap();
        assert_eq!(snippet, format!(r#"<script src="http://hark.test/widget.js" data-site="{key}" defer></script>"#));
        assert_eq!(site["csp"], "script-src http://hark.test 'wasm-unsafe-eval'; connect-src http://hark.test");
        assert!(site["secret"].as_str().unwrap().starts_with("sk_"), "{label}: owners see the secret");
        assert_eq!(
            site["categories"],
            json!([
                "delivery_delay",
                "price_change",
                "product_quality",
                "installation",
                "billing",
                "missing_information",
                "staff_attitude",
                "other"
            ])
        );
        // The widget's settings before any change are cached; a change here is served at once.
        let before = config(&app, &key, SHOP).await;
        assert_eq!(before.status, StatusCode::OK, "{label}");
        assert_eq!(before.json()["theme"]["color"], Value::Null);
        let uri = format!("/api/v1/admin/sites/{}", site["id"].as_str().unwrap());
        let change = json!({
            "categories": ["delivery_delay", "Gift wrapping"],
            "enabled_kinds": ["complaint"],
            "theme_color": "#0A7C66",
            "require_email": true,
            "sla": {"first_response": 120, "resolution": 1440, "key_first_response": 30, "key_resolution": 720},
        });
        let changed = app.call("PATCH", &uri, &app.token, Some(change)).await;
        assert_eq!(changed.status, StatusCode::OK, "{label}: {}", changed.text);
        let changed = changed.json();
        assert_eq!(changed["name"], "Northwind", "{label}: a field left out stays");
        assert!(changed["snippet"].as_str().unwrap().contains(r##"data-color="#0a7c66""##), "{label}: {changed}");
        let served = config(&app, &key, SHOP).await.json();
        assert_eq!(served["theme"]["color"], "#0a7c66", "{label}: {served}");
        assert_eq!(served["categories"], json!(["delivery_delay", "Gift wrapping"]), "{label}");
        assert_eq!(
            (served["enabled_kinds"].clone(), served["require_email"].clone()),
            (json!(["complaint"]), json!(true))
        );
        // A merchant's own category, as written, is one a shopper can choose.
        let sent = app
            .send(
                Request::post(format!("/api/v1/sites/{key}/submissions"))
                    .header(header::CONTENT_TYPE, "application/json")
                    .header(header::ORIGIN, SHOP)
                    .body(Body::from(
                        json!({"id": new_id(), "kind": "complaint", "category": "Gift wrapping", "message": "Torn paper",
                               "email": "ana@example.com"})
                        .to_string(),
                    ))
                    .unwrap(),
            )
            .await;
        assert_eq!(sent.status, StatusCode::CREATED, "{label}: {}", sent.text);
        // The new targets set the complaint's due time: two hours.
        let queue = app
            .call("GET", &format!("/api/v1/admin/submissions?site={}", site["id"].as_str().unwrap()), &app.token, None)
            .await
            .json();
        let item = &queue["items"][0];
        let received: time::OffsetDateTime = time::OffsetDateTime::parse(
            item["received_at"].as_str().unwrap(),
            &time::format_description::well_known::Rfc3339,
        )
        .unwrap();
        let due = time::OffsetDateTime::parse(
            item["first_response_due"].as_str().unwrap(),
            &time::format_description::well_known::Rfc3339,
        )
        .unwrap();
        assert_eq!((due - received).whole_minutes(), 120, "{label}: {item}");

        // Every rule broken at once is said at once, and nothing changes.
        let broken = json!({"name": "", "categories": [], "enabled_kinds": [], "theme_color": "red",
                            "sla": {"first_response": 10, "resolution": 5, "key_first_response": 1, "key_resolution": 1}});
        let refused = app.call("PATCH", &uri, &app.token, Some(broken)).await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY, "{label}");
        let fields: Vec<String> = refused.json()["error"]["fields"].as_object().unwrap().keys().cloned().collect();
        assert_eq!(fields, ["categories", "enabled_kinds", "name", "sla", "theme_color"], "{label}");
        let unknown = app.call("PATCH", &uri, &app.token, Some(json!({"colour": "#000000"}))).await;
        assert_eq!(unknown.status, StatusCode::BAD_REQUEST, "{label}: unknown fields are refused");
        assert_eq!(app.call("GET", &uri, &app.token, None).await.json()["theme_color"], "#0a7c66", "{label}");

        // Disabled: the widget's settings and the collector no longer know the site.
        let off = app.call("PATCH", &uri, &app.token, Some(json!({"disabled": true}))).await;
        assert_eq!(off.status, StatusCode::OK, "{label}");
        assert_eq!(config(&app, &key, SHOP).await.error_code(), "unknown_site", "{label}");

        // Viewers read the sites, without the secret.
        let (_, viewer) = app.staff(&app.org, "viewer@acme.test", Role::Viewer).await;
        let seen = app.call("GET", &uri, &viewer, None).await.json();
        assert_eq!((seen["name"].as_str(), seen["secret"].clone()), (Some("Northwind"), Value::Null), "{label}");
    }
}

#[tokio::test]
async fn the_site_says_where_its_widget_was_seen_and_refused_even_from_another_instance() {
    for db in backends().await {
        let app = TestApp::start(db).await;
        let label = app.db.label;
        let site = add_site(&app, json!({"name": "Northwind", "allowed_origins": [SHOP]})).await;
        let key = site["site_key"].as_str().unwrap();
        let uri = format!("/api/v1/admin/sites/{}", site["id"].as_str().unwrap());
        assert_eq!(site["seen"], json!([]), "{label}: not seen yet");

        assert_eq!(config(&app, key, SHOP).await.status, StatusCode::OK);
        // The most common mistake: the shop's other host name.
        config(&app, key, "https://www.northwind.example").await;
        // Anything without an origin's shape is not noted; made-up origins, a few only.
        config(&app, key, "null").await;
        for n in 0..25 {
            config(&app, key, &format!("https://made-up-{n}.example")).await;
        }
        let seen = app.call("GET", &uri, &app.token, None).await.json()["seen"].clone();
        let seen = seen.as_array().unwrap();
        assert_eq!(seen[0]["origin"], SHOP, "{label}: allowed first: {seen:?}");
        assert_eq!(seen[0]["allowed"], true);
        let refused: Vec<&str> =
            seen.iter().filter(|s| s["allowed"] == false).map(|s| s["origin"].as_str().unwrap()).collect();
        assert!(refused.contains(&"https://www.northwind.example"), "{label}: {refused:?}");
        assert_eq!(refused.len(), hark_core::store::SIGHTINGS_REFUSED_KEPT, "{label}: {refused:?}");
        assert!(!refused.contains(&"null"), "{label}");

        // Written out, another instance on the same database says the same.
        app.store.flush_sightings().await.unwrap();
        let other = app.another_instance().await;
        let there = app.call_on(&other, "GET", &uri, &app.token, None).await.json()["seen"].clone();
        assert_eq!(there.as_array().unwrap().len(), seen.len(), "{label}: {there}");
        assert_eq!(there[0]["origin"], SHOP, "{label}");

        // Allowing the refused origin makes it a place the widget was seen.
        let origins = json!({"allowed_origins": [SHOP, "https://www.northwind.example"]});
        assert_eq!(app.call("PATCH", &uri, &app.token, Some(origins)).await.status, StatusCode::OK);
        let seen = app.call("GET", &uri, &app.token, None).await.json()["seen"].clone();
        let allowed: Vec<&str> = seen
            .as_array()
            .unwrap()
            .iter()
            .filter(|s| s["allowed"] == true)
            .map(|s| s["origin"].as_str().unwrap())
            .collect();
        assert_eq!(allowed.len(), 2, "{label}: {seen}");
    }
}

/// A key customer's submission to `key`, signed with `secret`: the tier it was stored with.
async fn signed_tier(app: &TestApp, key: &str, secret: &str) -> Value {
    let sig = hark_core::auth::customer_signature(secret, "c_42", "key");
    let body = json!({"id": new_id(), "kind": "complaint", "message": "Still waiting",
                      "customer": {"id": "c_42", "tier": "key", "sig": sig}});
    let sent = app
        .send(
            Request::post(format!("/api/v1/sites/{key}/submissions"))
                .header(header::CONTENT_TYPE, "application/json")
                .body(Body::from(body.to_string()))
                .unwrap(),
        )
        .await;
    assert_eq!(sent.status, StatusCode::CREATED, "{}", sent.text);
    let id = sent.json()["id"].as_str().unwrap().to_owned();
    app.call("GET", &format!("/api/v1/admin/submissions/{id}"), &app.token, None).await.json()["customer_tier"].clone()
}

#[tokio::test]
async fn a_rotated_secret_keeps_verifying_for_its_grace_period_only() {
    for db in backends().await {
        let app = TestApp::start(db).await;
        let label = app.db.label;
        let site = add_site(&app, json!({"name": "Northwind"})).await;
        let (key, first) = (site["site_key"].as_str().unwrap(), site["secret"].as_str().unwrap().to_owned());
        let uri = format!("/api/v1/admin/sites/{}/secret", site["id"].as_str().unwrap());
        assert_eq!(signed_tier(&app, key, &first).await, "key", "{label}");

        let out_of_range = app.call("POST", &uri, &app.token, Some(json!({"grace_minutes": 50_000}))).await;
        assert_eq!(out_of_range.status, StatusCode::UNPROCESSABLE_ENTITY, "{label}");
        let rotated = app.call("POST", &uri, &app.token, Some(json!({"grace_minutes": 60}))).await;
        assert_eq!(rotated.status, StatusCode::OK, "{label}: {}", rotated.text);
        let rotated = rotated.json();
        let second = rotated["secret"].as_str().unwrap().to_owned();
        assert_ne!(second, first);
        assert!(rotated["previous_secret_until"].is_string(), "{label}: {rotated}");
        assert_eq!(signed_tier(&app, key, &second).await, "key", "{label}: the new secret");
        assert_eq!(signed_tier(&app, key, &first).await, "key", "{label}: the old one, within its grace period");

        let at_once = app.call("POST", &uri, &app.token, Some(json!({"grace_minutes": 0}))).await.json();
        let third = at_once["secret"].as_str().unwrap().to_owned();
        assert_eq!(signed_tier(&app, key, &third).await, "key", "{label}");
        assert_eq!(signed_tier(&app, key, &second).await, Value::Null, "{label}: no grace: an anonymous shopper's");
        assert_eq!(signed_tier(&app, key, &first).await, Value::Null, "{label}: two secrets back");
    }
}

#[tokio::test]
async fn the_audit_log_says_who_changed_what_when_and_from_where_to_owners_only() {
    for db in backends().await {
        let app = TestApp::start(db).await;
        let label = app.db.label;
        let signed_in = app.login("owner@acme.test", "correct horse battery").await;
        assert_eq!(signed_in.status, StatusCode::NO_CONTENT, "{label}");
        let site = add_site(&app, json!({"name": "Northwind", "allowed_origins": [SHOP]})).await;
        let uri = format!("/api/v1/admin/sites/{}", site["id"].as_str().unwrap());
        app.call("PATCH", &uri, &app.token, Some(json!({"name": "Northwind Goods"}))).await;
        app.call("POST", &format!("{uri}/secret"), &app.token, Some(json!({"grace_minutes": 0}))).await;
        let invited = app
            .call("POST", "/api/v1/admin/people", &app.token, Some(json!({"email": "bo@acme.test", "role": "agent"})))
            .await;
        assert_eq!(invited.status, StatusCode::CREATED);
        let (agent, agent_token) = app.staff(&app.org, "agent@acme.test", Role::Agent).await;
        app.call(
            "PATCH",
            &format!("/api/v1/admin/people/{}", agent.user_id),
            &app.token,
            Some(json!({"role": "viewer"})),
        )
        .await;
        let made =
            app.call("POST", "/api/v1/admin/tokens", &app.token, Some(json!({"name": "shop sync"}))).await.json();
        app.call("DELETE", &format!("/api/v1/admin/tokens/{}", made["id"].as_str().unwrap()), &app.token, None).await;

        let log = app.call("GET", "/api/v1/admin/audit", &app.token, None).await;
        assert_eq!(log.status, StatusCode::OK, "{label}: {}", log.text);
        let log = log.json();
        let entries = log["items"].as_array().unwrap();
        let actions: Vec<(&str, &str)> =
            entries.iter().map(|e| (e["action"].as_str().unwrap(), e["target"].as_str().unwrap())).collect();
        let expected = [
            ("token.revoke", "shop sync"),
            ("token.create", "shop sync"),
            ("person.role", "agent@acme.test"),
            ("token.create", "tests"),
            ("person.invite", "bo@acme.test"),
            ("site.secret", "Northwind Goods"),
            ("site.update", "Northwind Goods"),
            ("site.create", "Northwind"),
            ("sign_in", "owner@acme.test"),
        ];
        assert_eq!(&actions[..expected.len()], expected, "{label}: newest first");
        let update = &entries[6];
        assert_eq!(update["actor"]["email"], "owner@acme.test", "{label}");
        assert_eq!(update["detail"], json!({"name": ["Northwind", "Northwind Goods"]}), "{label}");
        assert_eq!(entries[2]["detail"], json!({"role": ["agent", "viewer"]}), "{label}");
        // From where: the tests' requests come from no socket, so the unspecified address.
        assert_eq!(update["client"], "0.0.0.0", "{label}");
        assert_eq!(entries[8]["client"], "0.0.0.0", "{label}");

        // Page by page, nothing twice.
        let first = app.call("GET", "/api/v1/admin/audit?limit=4", &app.token, None).await.json();
        let cursor = first["next_cursor"].as_str().unwrap();
        let second =
            app.call("GET", &format!("/api/v1/admin/audit?limit=4&cursor={cursor}"), &app.token, None).await.json();
        let ids = |page: &Value| page["items"].as_array().unwrap().iter().map(|e| e["id"].clone()).collect::<Vec<_>>();
        let both: Vec<Value> = ids(&first).into_iter().chain(ids(&second)).collect();
        assert_eq!(both, entries.iter().take(8).map(|e| e["id"].clone()).collect::<Vec<_>>(), "{label}");
        let bad = app.call("GET", "/api/v1/admin/audit?cursor=nonsense", &app.token, None).await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY, "{label}");
        let unknown = app.call("GET", "/api/v1/admin/audit?page=2", &app.token, None).await;
        assert_eq!(unknown.status, StatusCode::BAD_REQUEST, "{label}");
        // Owners only; another organisation's owner sees none of ours.
        assert_eq!(app.call("GET", "/api/v1/admin/audit", &agent_token, None).await.status, StatusCode::FORBIDDEN);
        let globex = app.store.ensure_org("Globex").await.unwrap();
        let (_, stranger) = app.staff(&globex, "owner@globex.test", Role::Owner).await;
        let theirs = app.call("GET", "/api/v1/admin/audit", &stranger, None).await.text;
        assert!(!theirs.contains("acme.test") && !theirs.contains("Northwind"), "{label}: {theirs}");
    }
}
