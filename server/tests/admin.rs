//! Staff access: who may see what, sessions, the admin UI's pages.

mod support;

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use hark_core::model::Role;
use hark_core::store::NewSite;
use support::{backends, rating, TestApp};

#[tokio::test]
async fn the_admin_api_needs_a_valid_token() {
    for db in backends().await {
        let app = TestApp::start(db).await;
        let anonymous = app.send(Request::get("/api/v1/admin/submissions").body(Body::empty()).unwrap()).await;
        assert_eq!(anonymous.status, StatusCode::UNAUTHORIZED);
        assert_eq!(anonymous.error_code(), "unauthorized");
        let forged = app
            .send(
                Request::get("/api/v1/admin/submissions")
                    .header(header::AUTHORIZATION, "Bearer hark_0000")
                    .body(Body::empty())
                    .unwrap(),
            )
            .await;
        assert_eq!(forged.status, StatusCode::UNAUTHORIZED, "{}", app.db.label);
    }
}

#[tokio::test]
async fn one_organisation_never_sees_anothers_submissions() {
    for db in backends().await {
        let app = TestApp::start(db).await;
        assert_eq!(app.submit(&rating(5, "for Acme only")).await.status, StatusCode::CREATED);
        let other = app.store.ensure_org("Globex").await.unwrap();
        let agent =
            app.store.add_user(&other, "agent@globex.test", "another long password", Role::Agent).await.unwrap();
        app.store
            .add_site(
                &other,
                NewSite {
                    name: "Globex".into(),
                    allowed_origins: vec!["https://globex.test".into()],
                    require_email: false,
                },
            )
            .await
            .unwrap();
        let token = app.store.create_api_token(&agent, "tests").await.unwrap().1;
        let seen = app
            .send(
                Request::get("/api/v1/admin/submissions")
                    .header(header::AUTHORIZATION, format!("Bearer {token}"))
                    .body(Body::empty())
                    .unwrap(),
            )
            .await;
        assert_eq!(seen.status, StatusCode::OK);
        assert_eq!(seen.json()["items"], serde_json::json!([]), "{}", app.db.label);
    }
}

#[tokio::test]
async fn the_queue_pages_newest_first_without_gaps_or_repeats() {
    for db in backends().await {
        let app = TestApp::start(db).await;
        for n in 0..7 {
            assert_eq!(app.submit(&rating(1 + n % 5, &format!("number {n}"))).await.status, StatusCode::CREATED);
        }
        let mut seen = Vec::new();
        let mut uri = "/api/v1/admin/submissions?limit=3".to_owned();
        loop {
            let page = app.admin_get(&uri).await.json();
            seen.extend(page["items"].as_array().unwrap().iter().map(|i| i["message"].as_str().unwrap().to_owned()));
            match page["next_cursor"].as_str() {
                Some(cursor) => uri = format!("/api/v1/admin/submissions?limit=3&cursor={cursor}"),
                None => break,
            }
        }
        let expected: Vec<String> = (0..7).rev().map(|n| format!("number {n}")).collect();
        assert_eq!(seen, expected, "{}", app.db.label);
        let bad = app.admin_get("/api/v1/admin/submissions?limit=1000").await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
        let bad = app.admin_get("/api/v1/admin/submissions?limit=abc").await;
        assert_eq!(bad.error_code(), "bad_json");
    }
}

/// The cursors Acme is handed while paging through three submissions of fixed ids, with
/// or without another organisation storing five of its own in between; and Globex's
/// answer when it sends Acme's cursor.
async fn acme_cursors(db: support::TestDatabase, globex_busy: bool) -> (Vec<String>, StatusCode) {
    let app = TestApp::start(db).await;
    let globex = app.store.ensure_org("Globex").await.unwrap();
    let agent = app.store.add_user(&globex, "agent@globex.test", "another long password", Role::Agent).await.unwrap();
    let globex_token = app.store.create_api_token(&agent, "tests").await.unwrap().1;
    let site = NewSite { name: "Globex".into(), allowed_origins: vec![], require_email: false };
    let globex_site = app.store.add_site(&globex, site).await.unwrap();
    let acme_ids = ["0190c0de-0000-7000-8000-00000000000a", "0190c0de-0000-7000-8000-00000000000b"];
    for (n, id) in acme_ids.iter().enumerate() {
        let mut body = rating(4, &format!("acme {n}"));
        body["id"] = serde_json::json!(id);
        assert_eq!(app.submit(&body).await.status, StatusCode::CREATED);
        if globex_busy && n == 0 {
            for m in 0..5 {
                let request = Request::post(format!("/api/v1/sites/{}/submissions", globex_site.site_key))
                    .header(header::CONTENT_TYPE, "application/json")
                    .body(Body::from(rating(3, &format!("globex {m}")).to_string()))
                    .unwrap();
                assert_eq!(app.send(request).await.status, StatusCode::CREATED);
            }
        }
    }
    let mut body = rating(5, "acme 2");
    body["id"] = serde_json::json!("0190c0de-0000-7000-8000-00000000000c");
    assert_eq!(app.submit(&body).await.status, StatusCode::CREATED);
    let mut cursors = vec![];
    let mut uri = "/api/v1/admin/submissions?limit=1".to_owned();
    while let Some(cursor) = app.admin_get(&uri).await.json()["next_cursor"].as_str().map(str::to_owned) {
        uri = format!("/api/v1/admin/submissions?limit=1&cursor={cursor}");
        cursors.push(cursor);
    }
    let foreign = app
        .send(
            Request::get(format!("/api/v1/admin/submissions?cursor={}", cursors[0]))
                .header(header::AUTHORIZATION, format!("Bearer {globex_token}"))
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    (cursors, foreign.status)
}

#[tokio::test]
async fn a_cursor_says_nothing_of_other_organisations() {
    for (quiet, busy) in backends().await.into_iter().zip(backends().await) {
        let label = quiet.label;
        let (alone, foreign) = acme_cursors(quiet, false).await;
        let (beside_globex, _) = acme_cursors(busy, true).await;
        assert_eq!(alone.len(), 2, "{label}");
        assert_eq!(alone, beside_globex, "{label}: Acme's cursors must not move with Globex's submissions");
        assert_eq!(foreign, StatusCode::BAD_REQUEST, "{label}: another organisation's cursor is refused");
    }
}

fn form_login(email: &str, password: &str) -> Request<Body> {
    Request::post("/admin/fn/login")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::ACCEPT, "text/html")
        // What a browser says of a form on Hark's own page.
        .header("sec-fetch-site", "same-origin")
        .body(Body::from(format!("email={email}&password={}", password.replace(' ', "+"))))
        .unwrap()
}

#[tokio::test]
async fn staff_sign_in_and_see_the_queue_page() {
    for db in backends().await {
        let app = TestApp::start(db).await;
        assert_eq!(app.submit(&rating(4, "Rendered on the server")).await.status, StatusCode::CREATED);

        let anonymous = app.send(Request::get("/admin").body(Body::empty()).unwrap()).await;
        assert_eq!(anonymous.status, StatusCode::SEE_OTHER);
        assert_eq!(anonymous.headers.get(header::LOCATION).unwrap(), "/admin/login");

        let wrong = app.send(form_login("owner@acme.test", "wrong password")).await;
        assert!(wrong.headers.get(header::SET_COOKIE).is_none(), "{}", app.db.label);
        let mut fetch_login = form_login("owner@acme.test", "wrong password");
        fetch_login.headers_mut().remove(header::ACCEPT);
        assert_eq!(app.send(fetch_login).await.status, StatusCode::UNAUTHORIZED);
        let garbage = Request::post("/admin/fn/login")
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header("sec-fetch-site", "same-origin")
            .body(Body::from("%%%&&&=="))
            .unwrap();
        assert_eq!(app.send(garbage).await.status, StatusCode::BAD_REQUEST, "arguments it cannot read are a 400");

        let signed_in = app.send(form_login("owner@acme.test", "correct horse battery")).await;
        let cookie = signed_in
            .headers
            .get(header::SET_COOKIE)
            .unwrap_or_else(|| {
                panic!("no session cookie: {} {:?} {}", signed_in.status, signed_in.headers, signed_in.text)
            })
            .to_str()
            .unwrap()
            .to_owned();
        assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"), "{cookie}");
        assert!(!cookie.contains("Secure"), "plain-http test server: no Secure flag");
        let session = cookie.split(';').next().unwrap().to_owned();

        let page = app.send(Request::get("/admin").header(header::COOKIE, &session).body(Body::empty()).unwrap()).await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(page.text.contains("Rendered on the server"), "{}", page.text);
        assert!(page.text.contains("owner@acme.test"));
    }
}

#[tokio::test]
async fn server_functions_refuse_cross_site_posts() {
    for db in backends().await {
        let app = TestApp::start(db).await;
        let mut foreign = form_login("owner@acme.test", "correct horse battery");
        foreign.headers_mut().remove("sec-fetch-site");
        foreign.headers_mut().insert(header::ORIGIN, "https://evil.example".parse().unwrap());
        foreign.headers_mut().insert(header::HOST, "hark.test".parse().unwrap());
        let mut cross_site = form_login("owner@acme.test", "correct horse battery");
        cross_site.headers_mut().insert("sec-fetch-site", "cross-site".parse().unwrap());
        let mut no_proof = form_login("owner@acme.test", "correct horse battery");
        no_proof.headers_mut().remove("sec-fetch-site");
        for request in [foreign, cross_site, no_proof] {
            let response = app.send(request).await;
            assert_eq!(response.status, StatusCode::FORBIDDEN, "{}", app.db.label);
            assert!(response.headers.get(header::SET_COOKIE).is_none());
        }
        let mut own_origin = form_login("owner@acme.test", "correct horse battery");
        own_origin.headers_mut().remove("sec-fetch-site");
        own_origin.headers_mut().insert(header::ORIGIN, "http://hark.test".parse().unwrap());
        own_origin.headers_mut().insert(header::HOST, "hark.test".parse().unwrap());
        assert!(app.send(own_origin).await.headers.get(header::SET_COOKIE).is_some(), "an Origin of this host passes");
    }
}

#[tokio::test]
async fn unknown_paths_get_a_json_404() {
    for db in backends().await {
        let app = TestApp::start(db).await;
        let response = app.send(Request::get("/api/v1/nothing-here").body(Body::empty()).unwrap()).await;
        assert_eq!(response.status, StatusCode::NOT_FOUND);
        assert_eq!(response.error_code(), "not_found");
    }
}

/// Signs the owner in through the form; the `Cookie` header value to send.
async fn session_of(app: &TestApp) -> String {
    let signed_in = app.send(form_login("owner@acme.test", "correct horse battery")).await;
    let cookie = signed_in.headers.get(header::SET_COOKIE).expect("a session cookie").to_str().unwrap();
    cookie.split(';').next().unwrap().to_owned()
}

fn header_of(response: &support::TestResponse, name: header::HeaderName) -> &str {
    response.headers.get(&name).map_or("", |v| v.to_str().unwrap())
}

#[tokio::test]
async fn admin_pages_carry_a_strict_policy_with_their_scripts_nonce_and_are_never_cached() {
    for db in backends().await {
        let app = TestApp::start(db).await;
        let session = session_of(&app).await;
        let login = app.send(Request::get("/admin/login").body(Body::empty()).unwrap()).await;
        let queue =
            app.send(Request::get("/admin").header(header::COOKIE, &session).body(Body::empty()).unwrap()).await;
        for (name, page) in [("sign-in", &login), ("queue", &queue)] {
            assert_eq!(page.status, StatusCode::OK, "{name}");
            let policy = header_of(page, header::CONTENT_SECURITY_POLICY);
            for directive in ["default-src 'none'", "frame-ancestors 'none'", "base-uri 'none'", "form-action 'self'"] {
                assert!(policy.contains(directive), "{name}: {directive} missing from {policy:?}");
            }
            assert!(!policy.contains("'unsafe-inline'") && !policy.contains("'unsafe-eval'"), "{name}: {policy}");
            let nonce = policy.split("'nonce-").nth(1).and_then(|rest| rest.split('\'').next()).expect("a nonce");
            assert!(nonce.len() >= 16, "{name}: nonce {nonce:?}");
            // Every inline script of the page carries this response's nonce.
            for script in page.text.split("<script").skip(1) {
                let tag = script.split('>').next().unwrap();
                if !tag.contains("src=") {
                    assert!(
                        tag.contains(&format!("nonce=\"{nonce}\"")),
                        "{name}: inline <script{tag}> without the nonce"
                    );
                }
            }
            assert_eq!(header_of(page, header::CACHE_CONTROL), "no-store", "{name}");
            assert_eq!(header_of(page, header::X_CONTENT_TYPE_OPTIONS), "nosniff", "{name}");
            assert_eq!(header_of(page, header::X_FRAME_OPTIONS), "DENY", "{name}");
        }
        let again = app.send(Request::get("/admin/login").body(Body::empty()).unwrap()).await;
        assert_ne!(
            header_of(&again, header::CONTENT_SECURITY_POLICY),
            header_of(&login, header::CONTENT_SECURITY_POLICY),
            "a nonce per response"
        );
        let api = app.admin_get("/api/v1/admin/submissions").await;
        assert_eq!(api.status, StatusCode::OK);
        assert_eq!(header_of(&api, header::CACHE_CONTROL), "no-store", "{}", app.db.label);
        assert_eq!(header_of(&api, header::X_CONTENT_TYPE_OPTIONS), "nosniff");
    }
}

#[tokio::test]
async fn the_tracking_page_runs_only_its_own_script_is_never_framed_nor_cached() {
    for db in backends().await {
        let app = TestApp::start(db).await;
        let created = app.submit(&rating(2, "late")).await.json();
        let path = created["track_url"].as_str().unwrap().replace(support::PUBLIC_URL, "");
        for uri in [path.as_str(), "/track/00000000"] {
            let page = app.send(Request::get(uri).body(Body::empty()).unwrap()).await;
            let policy = header_of(&page, header::CONTENT_SECURITY_POLICY);
            assert!(
                policy.contains("default-src 'none'") && policy.contains("frame-ancestors 'none'"),
                "{uri}: {policy:?}"
            );
            // Its one script (times in the shopper's zone) is its own file: nothing inline,
            // nothing evaluated, nothing from elsewhere.
            assert!(policy.contains("script-src 'self';"), "{uri}: {policy:?}");
            assert!(!policy.contains("unsafe") && !policy.contains("nonce"), "{uri}: {policy:?}");
            let scripts: Vec<&str> = page.text.split("<script").skip(1).collect();
            assert!(scripts.iter().all(|s| s.starts_with(" src=\"/local-time.js\"")), "{uri}: {scripts:?}");
            assert_eq!(header_of(&page, header::CACHE_CONTROL), "no-store", "{uri}");
            assert_eq!(header_of(&page, header::REFERRER_POLICY), "no-referrer", "{uri}");
            assert_eq!(header_of(&page, header::X_CONTENT_TYPE_OPTIONS), "nosniff", "{uri}");
        }
    }
}

#[tokio::test]
async fn api_paths_answer_404_405_414_and_431_in_the_error_shape() {
    for db in backends().await {
        let app = TestApp::start(db).await;
        let long = format!("/api/v1/sites/{}/config", "k".repeat(9_000));
        let mut crowded = Request::get("/api/v1/admin/submissions");
        for n in 0..40 {
            crowded = crowded.header(format!("x-filler-{n}"), "v".repeat(1_000));
        }
        for (request, status) in [
            (Request::get("/api/v1/nowhere").body(Body::empty()).unwrap(), StatusCode::NOT_FOUND),
            (Request::delete(app.submissions_url()).body(Body::empty()).unwrap(), StatusCode::METHOD_NOT_ALLOWED),
            (Request::get(long).body(Body::empty()).unwrap(), StatusCode::URI_TOO_LONG),
            (crowded.body(Body::empty()).unwrap(), StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE),
        ] {
            let answer = app.send(request).await;
            assert_eq!(answer.status, status, "{}", app.db.label);
            assert!(!answer.error_code().is_empty(), "{status}: the contract's error shape");
        }
    }
}

#[tokio::test]
async fn a_failed_sign_in_without_script_comes_back_to_the_sign_in_page_saying_why() {
    for db in backends().await {
        let app = TestApp::start(db).await;
        let mut with_referer = form_login("owner@acme.test", "wrong password");
        with_referer.headers_mut().insert(header::REFERER, "http://hark.test/admin/login".parse().unwrap());
        for request in [form_login("owner@acme.test", "wrong password"), with_referer] {
            let answer = app.send(request).await;
            assert!(answer.status.is_redirection(), "{}: {} {}", app.db.label, answer.status, answer.text);
            let location = header_of(&answer, header::LOCATION).to_owned();
            assert!(location.starts_with("/admin/login?problem=credentials"), "{location}");
            let page = app.send(Request::get(location).body(Body::empty()).unwrap()).await;
            assert_eq!(page.status, StatusCode::OK);
            assert!(page.text.contains("Wrong email or password."), "{}", page.text);
            assert!(!page.text.contains("ServerError|"), "{}", page.text);
        }
    }
}
