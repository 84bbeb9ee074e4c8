//! Triage through the admin API and the shopper's tracking link: filters and search,
//! promises, first contact, replies, follow-ups and the recovery rating (every route's
//! roles and tenancy: tenancy.rs). Each test runs on SQLite and on PostgreSQL.

mod support;

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use hark_core::model::Role;
use hark_core::store::NewSite;
use serde_json::{json, Value};
use std::time::Duration;
use support::{backends, complaint, new_id, rating, EventStream, TestApp};

const MINUTE: i64 = 60_000;

fn millis(rfc3339: &Value) -> i64 {
    let t =
        time::OffsetDateTime::parse(rfc3339.as_str().unwrap(), &time::format_description::well_known::Rfc3339).unwrap();
    (t.unix_timestamp_nanos() / 1_000_000) as i64
}

/// Waits until the search indexer has caught up with everything stored.
async fn searchable(app: &TestApp, q: &str, expected: usize) -> Vec<String> {
    let uri = format!("/api/v1/admin/submissions?q={}", urlencode(q));
    for _ in 0..100 {
        let page = app.call("GET", &uri, &app.token, None).await.json();
        let messages: Vec<String> =
            page["items"].as_array().unwrap().iter().map(|i| i["message"].as_str().unwrap_or("").to_owned()).collect();
        if messages.len() >= expected {
            return messages;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("{q}: fewer than {expected} found");
}

fn urlencode(text: &str) -> String {
    serde_urlencoded::to_string([("", text)]).unwrap().trim_start_matches('=').to_owned()
}

#[tokio::test]
async fn cookie_writes_need_proof_they_came_from_harks_own_pages() {
    for db in backends().await {
        let app = TestApp::start(db).await;
        let (id, _) = app.submitted(&complaint("CSRF target")).await;
        let login = app.login("owner@acme.test", "correct horse battery").await;
        assert_eq!(login.status, StatusCode::NO_CONTENT, "{}", login.text);
        let cookie = login.headers[header::SET_COOKIE].to_str().unwrap().split(';').next().unwrap().to_owned();
        let patch = |proof: Option<(&'static str, &'static str)>| {
            let mut request = Request::patch(format!("/api/v1/admin/submissions/{id}"))
                .header(header::CONTENT_TYPE, "application/json")
                .header(header::HOST, "hark.test")
                .header(header::COOKIE, &cookie);
            if let Some((name, value)) = proof {
                request = request.header(name, value);
            }
            request.body(Body::from(json!({"status": "open"}).to_string())).unwrap()
        };
        for proof in [None, Some(("origin", "https://evil.example")), Some(("sec-fetch-site", "cross-site"))] {
            let refused = app.send(patch(proof)).await;
            assert_eq!(refused.status, StatusCode::FORBIDDEN, "{} {proof:?}", app.db.label);
        }
        for proof in [Some(("origin", "http://hark.test")), Some(("sec-fetch-site", "same-origin"))] {
            assert_eq!(app.send(patch(proof)).await.status, StatusCode::OK, "{} {proof:?}", app.db.label);
        }
        // Reads need no proof; who am I.
        let me = app
            .send(Request::get("/api/v1/auth/me").header(header::COOKIE, &cookie).body(Body::empty()).unwrap())
            .await;
        assert_eq!(me.status, StatusCode::OK);
        let me = me.json();
        assert_eq!(
            (me["email"].as_str(), me["role"].as_str(), me["org"].as_str()),
            (Some("owner@acme.test"), Some("owner"), Some("Acme"))
        );
        assert_eq!(me["time_zone"], "UTC");
        // Signing out ends the session on the server.
        let logout = app
            .send(
                Request::post("/api/v1/auth/logout")
                    .header(header::COOKIE, &cookie)
                    .header("sec-fetch-site", "same-origin")
                    .body(Body::empty())
                    .unwrap(),
            )
            .await;
        assert_eq!(logout.status, StatusCode::NO_CONTENT);
        let after = app
            .send(Request::get("/api/v1/auth/me").header(header::COOKIE, &cookie).body(Body::empty()).unwrap())
            .await;
        assert_eq!(after.status, StatusCode::UNAUTHORIZED);
        let wrong = app.login("nobody@acme.test", "x").await;
        assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
        assert_eq!(wrong.error_code(), "unauthorized");
    }
}

#[tokio::test]
async fn new_submissions_get_their_priority_and_due_times_on_arrival() {
    for db in backends().await {
        let app = TestApp::start(db).await;
        let (complaint_id, _) = app.submitted(&complaint("late")).await;
        let (happy_id, _) = app.submitted(&rating(5, "great")).await;
        let (unhappy_id, _) = app.submitted(&rating(1, "bad")).await;
        let sig = hark_core::auth::customer_signature(&app.site.secret, "c_1", "key");
        let mut key = rating(4, "key customer");
        key["customer"] = json!({"id": "c_1", "tier": "key", "sig": sig});
        let (key_id, _) = app.submitted(&key).await;
        let app = &app;
        let get = |id: String| async move {
            app.call("GET", &format!("/api/v1/admin/submissions/{id}"), &app.token, None).await.json()
        };

        let c = get(complaint_id).await;
        assert_eq!(c["priority"], "high", "{}", app.db.label);
        let received = millis(&c["received_at"]);
        assert_eq!(millis(&c["first_response_due"]) - received, 240 * MINUTE);
        assert_eq!(millis(&c["resolution_due"]) - received, 2880 * MINUTE);
        assert_eq!(c["due_at"], c["first_response_due"]);
        assert_eq!(c["timeline"][0]["kind"], "received");

        let happy = get(happy_id).await;
        assert_eq!(happy["priority"], "normal");
        assert!(happy["first_response_due"].is_null() && happy["due_at"].is_null());
        assert_eq!(get(unhappy_id).await["priority"], "high");

        let k = get(key_id).await;
        assert_eq!(k["priority"], "urgent");
        assert_eq!(millis(&k["first_response_due"]) - millis(&k["received_at"]), 60 * MINUTE);
        assert_eq!(millis(&k["resolution_due"]) - millis(&k["received_at"]), 1440 * MINUTE);

        // Soonest due first: the key customer's promise, then the two others; the happy
        // rating carries none.
        let due = app.call("GET", "/api/v1/admin/submissions?sort=due", &app.token, None).await.json();
        let messages: Vec<&str> =
            due["items"].as_array().unwrap().iter().map(|i| i["message"].as_str().unwrap()).collect();
        assert_eq!(messages, ["key customer", "late", "bad"], "{}", app.db.label);
        let paged = app.call("GET", "/api/v1/admin/submissions?sort=due&limit=2", &app.token, None).await.json();
        let cursor = paged["next_cursor"].as_str().unwrap();
        let rest = app
            .call("GET", &format!("/api/v1/admin/submissions?sort=due&limit=2&cursor={cursor}"), &app.token, None)
            .await
            .json();
        assert_eq!(rest["items"][0]["message"], "bad", "{}: due order pages on", app.db.label);
        assert!(rest["next_cursor"].is_null());
        let overdue = app.call("GET", "/api/v1/admin/submissions?due=overdue", &app.token, None).await.json();
        assert_eq!(overdue["items"], json!([]), "nothing is overdue yet");
        let soon = app.call("GET", "/api/v1/admin/submissions?due=soon", &app.token, None).await.json();
        assert_eq!(soon["items"].as_array().unwrap().len(), 1, "only the key customer's is due within two hours");
    }
}

#[tokio::test]
async fn the_queue_filters_by_every_field_and_counts_by_status() {
    for db in backends().await {
        let app = TestApp::start(db).await;
        let (agent, agent_token) = app.staff(&app.org, "agent@acme.test", Role::Agent).await;
        let (c1, _) = app.submitted(&complaint("parcel lost")).await;
        app.submitted(&rating(2, "meh")).await;
        app.submitted(&rating(5, "lovely")).await;
        let mut staged = rating(4, "checkout was smooth");
        staged["stage"] = json!("in_sale");
        staged["category"] = json!("missing_information");
        app.submitted(&staged).await;
        let (spam, _) = app.submitted(&rating(3, "buy pills")).await;
        let patch = app
            .call("PATCH", &format!("/api/v1/admin/submissions/{spam}"), &app.token, Some(json!({"status": "spam"})))
            .await;
        assert_eq!(patch.status, StatusCode::OK, "{}", patch.text);
        let assign = app
            .call(
                "PATCH",
                &format!("/api/v1/admin/submissions/{c1}"),
                &app.token,
                Some(json!({"assignee": agent.user_id})),
            )
            .await;
        assert_eq!(assign.json()["assignee"]["email"], "agent@acme.test");

        let messages = |query: &'static str, token: String| {
            let app = &app;
            async move {
                let page = app.call("GET", &format!("/api/v1/admin/submissions?{query}"), &token, None).await;
                assert_eq!(page.status, StatusCode::OK, "{query}: {}", page.text);
                page.json()["items"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|i| i["message"].as_str().unwrap().to_owned())
                    .collect::<Vec<_>>()
            }
        };
        let owner = app.token.clone();
        assert_eq!(messages("", owner.clone()).await.len(), 4, "spam is left out of the queue");
        assert_eq!(messages("status=spam", owner.clone()).await, ["buy pills"]);
        assert_eq!(messages("kind=complaint", owner.clone()).await, ["parcel lost"]);
        assert_eq!(messages("rating_max=2", owner.clone()).await, ["meh"]);
        assert_eq!(messages("priority=high", owner.clone()).await, ["meh", "parcel lost"]);
        assert_eq!(messages("stage=in_sale", owner.clone()).await, ["checkout was smooth"]);
        assert_eq!(messages("category=missing_information", owner.clone()).await, ["checkout was smooth"]);
        assert_eq!(messages("assignee=me", agent_token.clone()).await, ["parcel lost"]);
        assert_eq!(messages("assignee=none&kind=complaint", owner.clone()).await, Vec::<String>::new());
        assert_eq!(messages("status=new,spam&kind=csat&rating_max=3", owner.clone()).await, ["buy pills", "meh"]);
        let site = format!("site={}", app.site.id);
        let by_site = app.call("GET", &format!("/api/v1/admin/submissions?{site}"), &owner, None).await.json();
        assert_eq!(by_site["items"].as_array().unwrap().len(), 4);
        assert_eq!(messages("to=2000-01-01T00:00:00Z", owner.clone()).await, Vec::<String>::new());
        assert_eq!(messages("from=2000-01-01T00:00:00Z", owner.clone()).await.len(), 4);

        let counts = app.call("GET", "/api/v1/admin/submissions/counts?kind=csat", &owner, None).await.json();
        assert_eq!(
            counts,
            json!({"new": 3, "open": 0, "pending": 0, "resolved": 0, "spam": 1, "more": []}),
            "{}",
            app.db.label
        );

        for bad in ["status=lost", "rating_max=9", "from=yesterday", "sort=oldest", "due=later", "limit=0"] {
            let answer = app.call("GET", &format!("/api/v1/admin/submissions?{bad}"), &owner, None).await;
            assert_eq!(answer.status, StatusCode::UNPROCESSABLE_ENTITY, "{bad}: {}", answer.text);
            assert_eq!(answer.error_code(), "validation");
        }
        let unknown = app.call("GET", "/api/v1/admin/submissions?colour=red", &owner, None).await;
        assert_eq!(unknown.status, StatusCode::BAD_REQUEST);
    }
}

#[tokio::test]
async fn search_finds_chinese_words_inside_sentences_and_english_words_whole() {
    for db in backends().await {
        let app = TestApp::start(db).await;
        let mut chinese = complaint("快递太慢了，等了一个星期");
        chinese["locale"] = json!("zh-CN");
        app.submitted(&chinese).await;
        app.submitted(&complaint("The delivery was slow")).await;
        let mut ordered = rating(2, "Box was damaged");
        ordered["order_ref"] = json!("NW-1042");
        ordered["email"] = json!("mei@example.cn");
        app.submitted(&ordered).await;

        assert_eq!(searchable(&app, "快递", 1).await, ["快递太慢了，等了一个星期"], "{}", app.db.label);
        assert_eq!(searchable(&app, "太慢", 1).await, ["快递太慢了，等了一个星期"]);
        assert_eq!(searchable(&app, "DELIVERY", 1).await, ["The delivery was slow"]);
        assert_eq!(searchable(&app, "nw-1042", 1).await, ["Box was damaged"]);
        assert_eq!(searchable(&app, "mei@example.cn", 1).await, ["Box was damaged"]);
        for nothing in ["慢递", "deliver", "slow damaged", "!!!"] {
            let page =
                app.call("GET", &format!("/api/v1/admin/submissions?q={}", urlencode(nothing)), &app.token, None).await;
            assert_eq!(page.json()["items"], json!([]), "{}: {nothing}", app.db.label);
        }
    }
}

#[tokio::test]
async fn first_contact_owns_a_complaint_unless_they_hand_it_over() {
    for db in backends().await {
        let app = TestApp::start(db).await;
        let (agent, agent_token) = app.staff(&app.org, "agent@acme.test", Role::Agent).await;
        let (taken, _) = app.submitted(&complaint("first")).await;
        let (handed, _) = app.submitted(&complaint("second")).await;
        let (spam, _) = app.submitted(&complaint("third")).await;
        let (feedback, _) = app.submitted(&rating(1, "not a complaint")).await;
        let uri = |id: &str| format!("/api/v1/admin/submissions/{id}");

        let changed = app.call("PATCH", &uri(&taken), &agent_token, Some(json!({"priority": "urgent"}))).await.json();
        assert_eq!(changed["assignee"]["id"], json!(agent.user_id), "{}", app.db.label);
        let kinds: Vec<&str> =
            changed["timeline"].as_array().unwrap().iter().map(|e| e["kind"].as_str().unwrap()).collect();
        assert_eq!(kinds, ["received", "priority", "assignee"]);
        assert_eq!(changed["timeline"][1]["actor"]["email"], "agent@acme.test");
        assert_eq!(changed["timeline"][1]["previous"], "high");
        assert_eq!(changed["timeline"][1]["body"], "urgent");

        let to_owner = json!({"status": "open", "assignee": app.owner.user_id});
        let handed_over = app.call("PATCH", &uri(&handed), &agent_token, Some(to_owner)).await.json();
        assert_eq!(handed_over["assignee"]["email"], "owner@acme.test");
        let spammed = app.call("PATCH", &uri(&spam), &agent_token, Some(json!({"status": "spam"}))).await.json();
        assert!(spammed["assignee"].is_null(), "marking spam is not taking it on");
        let rated = app
            .call("PATCH", &uri(&feedback), &agent_token, Some(json!({"tags": ["Refund", " refund ", "late"]})))
            .await
            .json();
        assert!(rated["assignee"].is_null(), "only complaints are owned by first contact");
        assert_eq!(rated["tags"], json!(["refund", "late"]));

        // An assignee must be one of the organisation's owners or agents.
        let globex = app.store.ensure_org("Globex").await.unwrap();
        let (stranger, _) = app.staff(&globex, "agent@globex.test", Role::Agent).await;
        let (viewer, _) = app.staff(&app.org, "viewer@acme.test", Role::Viewer).await;
        for bad in [stranger.user_id, viewer.user_id, new_id()] {
            let answer = app.call("PATCH", &uri(&taken), &app.token, Some(json!({"assignee": bad}))).await;
            assert_eq!(answer.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", answer.text);
        }
        let unassigned = app.call("PATCH", &uri(&taken), &app.token, Some(json!({"assignee": null}))).await.json();
        assert!(unassigned["assignee"].is_null());
        for bad in [json!({"status": "closed"}), json!({"colour": "red"}), json!({"tags": "one"})] {
            let answer = app.call("PATCH", &uri(&taken), &app.token, Some(bad.clone())).await;
            assert_eq!(answer.status, StatusCode::BAD_REQUEST, "{bad}: {}", answer.text);
        }
        let not_json = app
            .send(
                Request::patch(uri(&taken))
                    .header(header::AUTHORIZATION, format!("Bearer {}", app.token))
                    .body(Body::from("status=open"))
                    .unwrap(),
            )
            .await;
        assert_eq!(not_json.status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
        let too_many_tags = json!({"tags": (0..21).map(|n| n.to_string()).collect::<Vec<_>>()});
        assert_eq!(
            app.call("PATCH", &uri(&taken), &app.token, Some(too_many_tags)).await.status,
            StatusCode::UNPROCESSABLE_ENTITY
        );
        assert_eq!(app.call("GET", &uri("not-a-uuid"), &app.token, None).await.status, StatusCode::NOT_FOUND);
    }
}

#[tokio::test]
async fn a_reply_reaches_the_tracking_page_and_the_shopper_answers_back_and_rates_it() {
    for db in backends().await {
        let app = TestApp::start(db).await;
        let (id, token) = app.submitted(&complaint("My parcel never came")).await;
        let uri = format!("/api/v1/admin/submissions/{id}");
        let track = format!("/api/v1/track/{token}");

        let early = app.call("POST", &format!("{track}/recovery"), "", Some(json!({"rating": 5}))).await;
        assert_eq!(early.status, StatusCode::CONFLICT, "rated before it is resolved");

        let reply = app
            .call(
                "POST",
                &format!("{uri}/replies"),
                &app.token,
                Some(json!({"body": "We sent a new one <b>today</b>."})),
            )
            .await;
        assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.text);
        let reply = reply.json();
        assert_eq!(reply["delivery"], "tracking_page", "no SMTP configured here");
        let detail = &reply["submission"];
        assert_eq!(detail["status"], "open", "a reply opens a new submission");
        assert_eq!(detail["assignee"]["email"], "owner@acme.test", "first contact owns it");
        assert!(!detail["first_response_at"].is_null());
        assert_eq!(detail["due_at"], detail["resolution_due"], "the next promise is the resolution");
        let note =
            app.call("POST", &format!("{uri}/notes"), &app.token, Some(json!({"body": "courier says lost"}))).await;
        assert_eq!(note.status, StatusCode::CREATED);
        assert_eq!(
            app.call("POST", &format!("{uri}/notes"), &app.token, Some(json!({"body": "  "}))).await.status,
            StatusCode::UNPROCESSABLE_ENTITY
        );

        let shopper = app.call("GET", &track, "", None).await.json();
        assert_eq!(shopper["status"], "open");
        assert_eq!(
            shopper["messages"],
            json!([{"from": "shop", "body": "We sent a new one <b>today</b>.", "at": shopper["messages"][0]["at"]}])
        );
        assert!(!shopper.to_string().contains("courier says lost"), "notes stay internal");
        assert_eq!(shopper["recovery"], json!({"asked": false, "rating": null}));

        let resolved = app
            .call(
                "POST",
                &format!("{uri}/replies"),
                &app.token,
                Some(json!({"body": "Delivered now?", "status": "resolved"})),
            )
            .await
            .json();
        assert_eq!(resolved["submission"]["status"], "resolved");
        assert!(resolved["submission"]["due_at"].is_null(), "no promise left open");
        assert!(app.call("GET", &track, "", None).await.json()["recovery"]["asked"].as_bool().unwrap());

        // Answering back opens the complaint again; resolving it again lets them rate.
        let back = app.call("POST", &format!("{track}/messages"), "", Some(json!({"body": "Still nothing"}))).await;
        assert_eq!(back.status, StatusCode::CREATED, "{}", back.text);
        assert_eq!(back.json()["status"], "open", "{}", app.db.label);
        let reopened = app.call("GET", &uri, &app.token, None).await.json();
        assert!(reopened["resolved_at"].is_null() && !reopened["due_at"].is_null());
        app.call("PATCH", &uri, &app.token, Some(json!({"status": "resolved"}))).await;
        let rated =
            app.call("POST", &format!("{track}/recovery"), "", Some(json!({"rating": 4, "comment": "ok"}))).await;
        assert_eq!(rated.status, StatusCode::CREATED);
        assert_eq!(rated.json()["recovery"], json!({"asked": true, "rating": 4}));
        assert_eq!(
            app.call("POST", &format!("{track}/recovery"), "", Some(json!({"rating": 4}))).await.status,
            StatusCode::OK
        );
        assert_eq!(
            app.call("POST", &format!("{track}/recovery"), "", Some(json!({"rating": 2}))).await.status,
            StatusCode::CONFLICT
        );
        assert_eq!(
            app.call("POST", &format!("{track}/recovery"), "", Some(json!({"rating": 9}))).await.status,
            StatusCode::UNPROCESSABLE_ENTITY
        );
        assert_eq!(
            app.call("POST", "/api/v1/track/nope/messages", "", Some(json!({"body": "x"}))).await.status,
            StatusCode::NOT_FOUND
        );
        let too_long = json!({"body": "x".repeat(5001)});
        assert_eq!(
            app.call("POST", &format!("{track}/messages"), "", Some(too_long)).await.status,
            StatusCode::UNPROCESSABLE_ENTITY
        );

        let timeline = app.call("GET", &uri, &app.token, None).await.json()["timeline"].clone();
        let kinds: Vec<&str> = timeline.as_array().unwrap().iter().map(|e| e["kind"].as_str().unwrap()).collect();
        for expected in ["received", "reply", "note", "status", "assignee", "follow_up", "recovery"] {
            assert!(kinds.contains(&expected), "{expected} missing from {kinds:?}");
        }
        let follow_up = timeline.as_array().unwrap().iter().find(|e| e["kind"] == "follow_up").unwrap();
        assert!(follow_up["actor"].is_null(), "the shopper wrote it");
    }
}

#[tokio::test]
async fn the_tracking_page_shows_the_conversation_as_text_and_takes_plain_form_posts() {
    for db in backends().await {
        let app = TestApp::start(db).await;
        let mut body = complaint("<script>alert(1)</script>快递太慢了");
        body["locale"] = json!("zh-CN");
        let (id, token) = app.submitted(&body).await;
        let uri = format!("/api/v1/admin/submissions/{id}");
        app.call("POST", &format!("{uri}/replies"), &app.token, Some(json!({"body": "<img src=x onerror=alert(2)>"})))
            .await;

        let page = app.send(Request::get(format!("/track/{token}")).body(Body::empty()).unwrap()).await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(page.headers[header::CONTENT_SECURITY_POLICY].to_str().unwrap().starts_with("default-src 'none'"));
        assert!(page.text.contains("lang=\"zh-CN\""), "{}", page.text);
        assert!(page.text.contains("沟通记录") && page.text.contains("处理中"), "in the shopper's language");
        assert!(!page.text.contains("<script>alert") && !page.text.contains("<img src=x"), "{}", page.text);
        assert!(page.text.contains("&lt;img src=x onerror=alert(2)&gt;"));
        assert!(!page.text.contains("Are you satisfied"), "not asked before it is resolved");

        let post = |path: String, form: &'static str| {
            Request::post(path)
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .body(Body::from(form))
                .unwrap()
        };
        let sent = app.send(post(format!("/track/{token}/messages"), "body=%E8%BF%98%E6%B2%A1%E5%88%B0")).await;
        assert_eq!(sent.status, StatusCode::SEE_OTHER);
        assert_eq!(sent.headers[header::LOCATION], format!("/track/{token}?done=message"));
        let empty = app.send(post(format!("/track/{token}/messages"), "body=")).await;
        assert_eq!(empty.headers[header::LOCATION], format!("/track/{token}?problem=empty"));
        let shown = app.send(Request::get(format!("/track/{token}?problem=empty")).body(Body::empty()).unwrap()).await;
        assert!(shown.text.contains("请先填写留言"), "{}", shown.text);
        let early = app.send(post(format!("/track/{token}/recovery"), "rating=5")).await;
        assert_eq!(early.headers[header::LOCATION], format!("/track/{token}?problem=conflict"));

        app.call("PATCH", &uri, &app.token, Some(json!({"status": "resolved"}))).await;
        let resolved = app.send(Request::get(format!("/track/{token}")).body(Body::empty()).unwrap()).await;
        assert!(resolved.text.contains("您对这次的处理满意吗"), "the recovery question once resolved");
        let rated = app.send(post(format!("/track/{token}/recovery"), "rating=5&comment=")).await;
        assert_eq!(rated.headers[header::LOCATION], format!("/track/{token}?done=rated"));
        let garbage = app.send(post(format!("/track/{token}/recovery"), "%%%")).await;
        assert_eq!(garbage.status, StatusCode::SEE_OTHER, "an unreadable form is a problem to show, not an error");
        let missing = app.send(Request::get("/track/nope").body(Body::empty()).unwrap()).await;
        assert_eq!(missing.status, StatusCode::NOT_FOUND);
        let css = app.send(Request::get("/pages.css").body(Body::empty()).unwrap()).await;
        assert_eq!(css.status, StatusCode::OK);
    }
}

#[tokio::test]
async fn bulk_changes_many_at_once_within_limits() {
    for db in backends().await {
        let app = TestApp::start(db).await;
        let mut ids = Vec::new();
        for n in 0..3 {
            ids.push(app.submitted(&rating(3, &format!("bulk {n}"))).await.0);
        }
        let missing = new_id();
        let mut asked = ids.clone();
        asked.push(missing.clone());
        let answer = app
            .call(
                "POST",
                "/api/v1/admin/submissions/bulk",
                &app.token,
                Some(json!({"ids": asked, "set": {"status": "resolved", "priority": "low"}})),
            )
            .await;
        assert_eq!(answer.status, StatusCode::OK, "{}", answer.text);
        assert_eq!(answer.json(), json!({"updated": 3, "not_found": [missing]}));
        let resolved =
            app.call("GET", "/api/v1/admin/submissions?status=resolved&priority=low", &app.token, None).await.json();
        assert_eq!(resolved["items"].as_array().unwrap().len(), 3, "{}", app.db.label);
        let too_many: Vec<String> = (0..501).map(|_| new_id()).collect();
        for bad in [json!({"ids": [], "set": {}}), json!({"ids": too_many, "set": {"status": "open"}})] {
            let answer = app.call("POST", "/api/v1/admin/submissions/bulk", &app.token, Some(bad)).await;
            assert_eq!(answer.status, StatusCode::UNPROCESSABLE_ENTITY);
        }
        let other = app
            .store
            .add_site(&app.org, NewSite { name: "Second".into(), allowed_origins: vec![], require_email: false })
            .await
            .unwrap();
        assert_ne!(other.id, app.site.id);
    }
}

#[tokio::test]
async fn saved_replies_are_the_organisations_own_and_editable() {
    for db in backends().await {
        let app = TestApp::start(db).await;
        let created = app
            .call(
                "POST",
                "/api/v1/admin/saved-replies",
                &app.token,
                Some(json!({"title": "Delay", "body": "Sorry for the wait."})),
            )
            .await
            .json();
        let uri = format!("/api/v1/admin/saved-replies/{}", created["id"].as_str().unwrap());
        let edited = app
            .call("PATCH", &uri, &app.token, Some(json!({"title": "Delay", "body": "Sorry, it ships today."})))
            .await;
        assert_eq!(edited.status, StatusCode::OK);
        let all = app.call("GET", "/api/v1/admin/saved-replies", &app.token, None).await.json();
        assert_eq!(all.as_array().unwrap().len(), 1);
        assert_eq!(all[0]["body"], "Sorry, it ships today.", "{}", app.db.label);
        let empty_title =
            app.call("POST", "/api/v1/admin/saved-replies", &app.token, Some(json!({"title": " ", "body": "x"}))).await;
        assert_eq!(empty_title.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(app.call("DELETE", &uri, &app.token, None).await.status, StatusCode::NO_CONTENT);
        assert_eq!(app.call("DELETE", &uri, &app.token, None).await.status, StatusCode::NOT_FOUND);
    }
}

#[tokio::test]
async fn the_export_is_the_filtered_queue_as_spreadsheet_safe_csv() {
    for db in backends().await {
        let app = TestApp::start(db).await;
        app.submitted(&complaint("=HYPERLINK(\"http://evil\")")).await;
        let mut chinese = rating(2, "快递太慢了");
        chinese["order_ref"] = json!("+44 20");
        app.submitted(&chinese).await;
        app.submitted(&rating(5, "-fine")).await;
        let export = app.call("GET", "/api/v1/admin/export.csv", &app.token, None).await;
        assert_eq!(export.status, StatusCode::OK, "{}", export.text);
        assert!(export.headers[header::CONTENT_TYPE].to_str().unwrap().starts_with("text/csv"));
        assert!(export.text.starts_with('\u{feff}'), "a byte order mark for Excel");
        let mut reader = csv::Reader::from_reader(export.text.trim_start_matches('\u{feff}').as_bytes());
        let headers = reader.headers().unwrap().clone();
        let message = headers.iter().position(|h| h == "message").unwrap();
        let order = headers.iter().position(|h| h == "order_ref").unwrap();
        let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
        assert_eq!(rows.len(), 3, "{}", app.db.label);
        let messages: Vec<&str> = rows.iter().map(|r| &r[message]).collect();
        assert_eq!(messages, ["'-fine", "快递太慢了", "'=HYPERLINK(\"http://evil\")"]);
        assert_eq!(&rows[1][order], "'+44 20");
        let filtered = app.call("GET", "/api/v1/admin/export.csv?kind=complaint", &app.token, None).await;
        assert_eq!(filtered.text.lines().count(), 2, "header and the one complaint");
        let bad = app.call("GET", "/api/v1/admin/export.csv?status=lost", &app.token, None).await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
        let globex = app.store.ensure_org("Globex").await.unwrap();
        let (_, stranger) = app.staff(&globex, "agent@globex.test", Role::Agent).await;
        let theirs = app.call("GET", "/api/v1/admin/export.csv", &stranger, None).await;
        assert_eq!(theirs.text.lines().count(), 1, "another organisation exports only its header");
        let anonymous = app.send(Request::get("/api/v1/admin/export.csv").body(Body::empty()).unwrap()).await;
        assert_eq!(anonymous.status, StatusCode::UNAUTHORIZED);
    }
}

#[tokio::test]
async fn seeding_fills_every_kind_status_and_language_and_is_searchable() {
    for db in backends().await {
        let app = TestApp::start(db).await;
        let seeded = app.store.seed(&app.org, 1_500, 3, 365).await.unwrap();
        assert_eq!((seeded.submissions, seeded.sites.len()), (1_500, 3));
        // Most end resolved: that count stops at 1,000 and says so; the others are exact.
        let counts = app.call("GET", "/api/v1/admin/submissions/counts", &app.token, None).await.json();
        assert_eq!((&counts["resolved"], &counts["more"]), (&json!(1000), &json!(["resolved"])), "{}", app.db.label);
        for status in ["new", "open", "spam"] {
            assert!(counts[status].as_i64().unwrap() > 0, "{}: no {status} in {counts}", app.db.label);
        }
        let resolved = app
            .call("GET", "/api/v1/admin/submissions?status=resolved&kind=complaint&limit=100", &app.token, None)
            .await
            .json();
        let answered = resolved["items"].as_array().unwrap().iter().all(|i| !i["first_response_at"].is_null());
        assert!(answered, "resolved complaints were answered");
        // Statuses interleaved in time, as a busy team leaves them: every fourth of the
        // newest 400 in each status in turn (seeded ones are mostly by age).
        let newest: Vec<String> = every_page(&app, "&status=new,open,pending,resolved,spam")
            .await
            .into_iter()
            .take(400)
            .map(|(id, _, _)| id)
            .collect();
        for (turn, status) in ["new", "open", "pending", "resolved"].iter().enumerate() {
            let ids: Vec<&String> = newest.iter().skip(turn).step_by(4).collect();
            let body = json!({"ids": ids, "set": {"status": status}});
            let answer = app.call("POST", "/api/v1/admin/submissions/bulk", &app.token, Some(body)).await;
            assert_eq!(answer.status, StatusCode::OK, "{}", answer.text);
        }
        // Every page of the whole queue, its statuses merged newest first: nothing lost,
        // nothing twice, and as many as the statuses hold; the same under a filter, whose
        // counts are exact (each status holds fewer than the counts stop at).
        let counts = app.call("GET", "/api/v1/admin/submissions/counts", &app.token, None).await.json();
        let all = every_page(&app, "").await;
        assert_eq!(all.len() as i64, 1_500 - counts["spam"].as_i64().unwrap(), "{}", app.db.label);
        assert!(all.iter().all(|(_, _, status)| status != "spam"));
        // The export holds the same rows, status by status, newest first within each;
        // a search's export, the search's rows.
        let export = app.call("GET", "/api/v1/admin/export.csv", &app.token, None).await;
        let mut reader = csv::Reader::from_reader(export.text.trim_start_matches('\u{feff}').as_bytes());
        let exported: Vec<(String, String)> =
            reader.records().map(Result::unwrap).map(|r| (r[0].to_owned(), r[4].to_owned())).collect();
        let mut by_status = all.clone();
        by_status.sort_by_key(|(_, at, status)| {
            (["new", "open", "pending", "resolved"].iter().position(|s| s == status), std::cmp::Reverse(*at))
        });
        let expected: Vec<(String, String)> = by_status.into_iter().map(|(id, _, status)| (id, status)).collect();
        assert_eq!(exported.len(), expected.len(), "{}", app.db.label);
        assert!(exported == expected, "{}: the export's order", app.db.label);
        let searched = app.call("GET", "/api/v1/admin/export.csv?q=delivery", &app.token, None).await;
        let listed = every_page(&app, "&q=delivery").await;
        assert_eq!(searched.text.lines().count() - 1, listed.len(), "{}", app.db.label);
        let counts = app.call("GET", "/api/v1/admin/submissions/counts?kind=complaint", &app.token, None).await.json();
        assert_eq!(counts["more"], json!([]), "{}", app.db.label);
        let complaints = every_page(&app, "&kind=complaint&status=new,open,pending,resolved,spam").await;
        for status in ["new", "open", "pending", "resolved", "spam"] {
            let listed = complaints.iter().filter(|(_, _, s)| s == status).count() as i64;
            assert_eq!(listed, counts[status].as_i64().unwrap(), "{}: {status} in {counts}", app.db.label);
        }
        for query in ["kind=complaint", "kind=feedback", "kind=csat", "q=%E5%BF%AB%E9%80%92", "q=delivery", "sort=due"]
        {
            let page = app.call("GET", &format!("/api/v1/admin/submissions?{query}"), &app.token, None).await.json();
            assert!(!page["items"].as_array().unwrap().is_empty(), "{}: nothing for {query}", app.db.label);
        }
        let newest = app.call("GET", "/api/v1/admin/submissions?limit=100", &app.token, None).await.json();
        let times: Vec<&str> =
            newest["items"].as_array().unwrap().iter().map(|i| i["received_at"].as_str().unwrap()).collect();
        assert!(times.windows(2).all(|w| w[0] >= w[1]), "the queue's order is the order of arrival");
    }
}

#[tokio::test]
async fn a_search_of_many_matches_finds_each_of_them_once_newest_first() {
    for db in backends().await {
        let app = TestApp::start(db).await;
        app.store.seed(&app.org, 12_000, 3, 365).await.unwrap();
        // What should match "the", read from the export: a whole word of the message,
        // email, name or order, in any case.
        let export = app.call("GET", "/api/v1/admin/export.csv", &app.token, None).await;
        let mut reader = csv::Reader::from_reader(export.text.trim_start_matches('\u{feff}').as_bytes());
        let has_the = |text: &str| text.split(|c: char| !c.is_alphanumeric()).any(|w| w.eq_ignore_ascii_case("the"));
        let mut expected: Vec<String> = reader
            .records()
            .map(Result::unwrap)
            .filter(|r| [9, 10, 11, 12].iter().any(|&c| has_the(&r[c])))
            .map(|r| r[0].to_owned())
            .collect();
        // More than the search reads and orders at once: it walks the queue instead.
        assert!(expected.len() > 2_000, "{}: only {} match", app.db.label, expected.len());
        let mut found: Vec<String> = every_page(&app, "&q=the").await.into_iter().map(|(id, _, _)| id).collect();
        expected.sort();
        found.sort();
        assert_eq!(found.len(), expected.len(), "{}", app.db.label);
        assert!(found == expected, "{}: not the same submissions", app.db.label);
    }
}

/// Every row of the queue with `filter`, page after page (100 each): its id, received
/// time and status, checking that none comes twice and that each is older than the last.
async fn every_page(app: &TestApp, filter: &str) -> Vec<(String, i64, String)> {
    use time::format_description::well_known::Rfc3339;
    let (mut seen, mut rows, mut cursor) = (std::collections::HashSet::new(), Vec::new(), String::new());
    loop {
        let path = format!("/api/v1/admin/submissions?limit=100{filter}{cursor}");
        let page = app.call("GET", &path, &app.token, None).await.json();
        for item in page["items"].as_array().unwrap() {
            let id = item["id"].as_str().unwrap().to_owned();
            assert!(seen.insert(id.clone()), "{}: {item} twice", app.db.label);
            let at = time::OffsetDateTime::parse(item["received_at"].as_str().unwrap(), &Rfc3339).unwrap();
            let at = (at.unix_timestamp_nanos() / 1_000_000) as i64;
            assert!(rows.last().is_none_or(|(_, last, _)| *last >= at), "{}: newest first", app.db.label);
            rows.push((id, at, item["status"].as_str().unwrap().to_owned()));
        }
        match page["next_cursor"].as_str() {
            Some(next) => cursor = format!("&cursor={next}"),
            None => return rows,
        }
    }
}

#[tokio::test]
async fn an_event_stream_ends_soon_after_its_credential_does() {
    for db in backends().await {
        let app = TestApp::start(db).await;
        let (agent, token) = app.staff(&app.org, "agent@acme.test", Role::Agent).await;
        let session = app.store.create_session(&agent, None).await.unwrap();
        let cookie = format!("{}={session}", hark_core::auth::SESSION_COOKIE);
        let mut by_cookie = EventStream::open_with(&app.router, header::COOKIE, &cookie).await;
        let mut by_token = EventStream::open(&app.router, &token).await;
        assert_eq!(by_cookie.next(Duration::from_secs(5)).await.map(|e| e.0).as_deref(), Some("ready"));
        assert_eq!(by_token.next(Duration::from_secs(5)).await.map(|e| e.0).as_deref(), Some("ready"));
        // Still open while the credentials hold, past several checks, busy or quiet.
        app.submitted(&rating(4, "fine")).await;
        assert!(!by_cookie.ends_within(support::CREDENTIAL_RECHECK * 4).await, "{}", app.db.label);
        app.store.end_session(&session).await.unwrap();
        assert!(
            by_cookie.ends_within(support::CREDENTIAL_RECHECK * 4).await,
            "{}: the signed-out stream",
            app.db.label
        );
        assert!(!by_token.ends_within(support::CREDENTIAL_RECHECK * 2).await, "{}: the token's holds", app.db.label);
    }
}

/// Waits for `id`'s `change` on `stream`, past other events.
async fn expect_event(stream: &mut EventStream, change: &str, id: &str, label: &str) {
    loop {
        match stream.next(Duration::from_secs(10)).await {
            Some((name, data)) if name == change && data["id"] == id => return,
            Some(_) => {}
            None => panic!("{label}: no `{change}` event for {id}"),
        }
    }
}

#[tokio::test]
async fn events_tell_staff_of_new_and_changed_submissions_from_every_instance() {
    for db in backends().await {
        let app = TestApp::start(db).await;
        let label = app.db.label;
        let anonymous = app.send(Request::get("/api/v1/admin/events").body(Body::empty()).unwrap()).await;
        assert_eq!(anonymous.status, StatusCode::UNAUTHORIZED, "{label}");
        let globex = app.store.ensure_org("Globex").await.unwrap();
        let (_, stranger) = app.staff(&globex, "agent@globex.test", Role::Agent).await;
        let (_, viewer) = app.staff(&app.org, "viewer@acme.test", Role::Viewer).await;

        let mut mine = EventStream::open(&app.router, &viewer).await;
        let mut foreign = EventStream::open(&app.router, &stranger).await;
        for stream in [&mut mine, &mut foreign] {
            assert_eq!(stream.next(Duration::from_secs(5)).await.map(|e| e.0).as_deref(), Some("ready"), "{label}");
        }
        let (id, track) = app.submitted(&complaint("live, please")).await;
        expect_event(&mut mine, "created", &id, label).await;
        let uri = format!("/api/v1/admin/submissions/{id}");
        let patch = app.call("PATCH", &uri, &app.token, Some(json!({"priority": "low"}))).await;
        assert_eq!(patch.status, StatusCode::OK, "{label}");
        expect_event(&mut mine, "updated", &id, label).await;
        // The shopper's answer on the tracking page is a change too.
        let follow_up = app.send(
            Request::post(format!("/api/v1/track/{track}/messages"))
                .header(header::CONTENT_TYPE, "application/json")
                .body(Body::from(json!({"body": "any news?"}).to_string()))
                .unwrap(),
        );
        assert_eq!(follow_up.await.status, StatusCode::CREATED, "{label}");
        expect_event(&mut mine, "updated", &id, label).await;
        // Another organisation hears nothing of it.
        assert_eq!(foreign.next(Duration::from_millis(500)).await, None, "{label}: another organisation's change");

        if label == "postgres" {
            // A second instance: what either stores or changes reaches the other's staff.
            let other = app.another_instance().await;
            let mut there = EventStream::open(&other, &app.token).await;
            assert_eq!(there.next(Duration::from_secs(5)).await.map(|e| e.0).as_deref(), Some("ready"));
            // Its LISTEN starts in the background: wait until a first change gets through.
            let mut heard = false;
            for _ in 0..20 {
                let (id, _) = app.submitted(&complaint("are you listening?")).await;
                if let Some((name, data)) = there.next(Duration::from_millis(500)).await {
                    heard = name == "created" && data["id"] == id.as_str();
                    if heard {
                        break;
                    }
                }
            }
            assert!(heard, "the other instance never heard of a new submission");
            let (id, _) = app.submitted(&complaint("across instances")).await;
            expect_event(&mut there, "created", &id, "postgres, other instance").await;
            let request = Request::patch(format!("/api/v1/admin/submissions/{id}"))
                .header(header::AUTHORIZATION, format!("Bearer {}", app.token))
                .header(header::CONTENT_TYPE, "application/json")
                .body(Body::from(json!({"status": "open"}).to_string()))
                .unwrap();
            let changed = tower::ServiceExt::oneshot(other.clone(), request).await.unwrap();
            assert_eq!(changed.status(), StatusCode::OK);
            expect_event(&mut mine, "updated", &id, "postgres, changed on the other instance").await;
        }
    }
}

#[tokio::test]
async fn each_person_chooses_their_language_and_owners_set_the_organisations_time_zone() {
    for db in backends().await {
        let app = TestApp::start(db).await;
        let label = app.db.label;
        let (_, viewer) = app.staff(&app.org, "viewer@acme.test", Role::Viewer).await;
        let (_, agent) = app.staff(&app.org, "agent@acme.test", Role::Agent).await;
        let globex = app.store.ensure_org("Globex").await.unwrap();
        let (_, globex_owner) = app.staff(&globex, "owner@globex.test", Role::Owner).await;

        // One's own language: viewers too; null is the browser's; nothing else is taken.
        let me = app.call("PATCH", "/api/v1/auth/me", &viewer, Some(json!({"locale": "zh-CN"}))).await;
        assert_eq!(me.status, StatusCode::OK, "{label}: {}", me.text);
        assert_eq!(me.json()["locale"], "zh-CN");
        assert_eq!(app.call("GET", "/api/v1/auth/me", &viewer, None).await.json()["locale"], "zh-CN");
        assert_eq!(app.call("GET", "/api/v1/auth/me", &agent, None).await.json()["locale"], Value::Null, "{label}");
        let untouched = app.call("PATCH", "/api/v1/auth/me", &viewer, Some(json!({}))).await;
        assert_eq!(untouched.json()["locale"], "zh-CN", "{label}: an absent field changes nothing");
        let cleared = app.call("PATCH", "/api/v1/auth/me", &viewer, Some(json!({"locale": null}))).await;
        assert_eq!(cleared.json()["locale"], Value::Null, "{label}");
        for bad in [json!({"locale": "fr"}), json!({"locale": 7}), json!({"role": "owner"})] {
            let refused = app.call("PATCH", "/api/v1/auth/me", &viewer, Some(bad.clone())).await;
            assert!(refused.status.is_client_error(), "{label} {bad}: {}", refused.status);
        }
        let refused = app.call("PATCH", "/api/v1/auth/me", &viewer, Some(json!({"locale": "fr"}))).await;
        assert_eq!((refused.status, refused.error_code().as_str()), (StatusCode::UNPROCESSABLE_ENTITY, "validation"));

        // The organisation's time zone: owners only, a real zone, one organisation's.
        assert_eq!(app.call("GET", "/api/v1/admin/org", &agent, None).await.json()["time_zone"], "UTC", "{label}");
        let zone = json!({"time_zone": "asia/shanghai"});
        let refused = app.call("PATCH", "/api/v1/admin/org", &agent, Some(zone.clone())).await;
        assert_eq!(refused.status, StatusCode::FORBIDDEN, "{label}: an agent");
        let set = app.call("PATCH", "/api/v1/admin/org", &app.token, Some(zone)).await;
        assert_eq!(set.status, StatusCode::OK, "{label}: {}", set.text);
        assert_eq!(set.json()["time_zone"], "Asia/Shanghai", "{label}: stored as the zone database spells it");
        assert_eq!(app.call("GET", "/api/v1/auth/me", &agent, None).await.json()["time_zone"], "Asia/Shanghai");
        let other = app.call("GET", "/api/v1/admin/org", &globex_owner, None).await.json();
        assert_eq!(other["time_zone"], "UTC", "{label}: another organisation keeps its own");
        assert_eq!(other["name"], "Globex");
        let bad = app.call("PATCH", "/api/v1/admin/org", &app.token, Some(json!({"time_zone": "Mars/Olympus"}))).await;
        assert_eq!(
            (bad.status, bad.error_code().as_str()),
            (StatusCode::UNPROCESSABLE_ENTITY, "validation"),
            "{label}"
        );
    }
}
