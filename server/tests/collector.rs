//! The public collector, over HTTP, on every backend reachable here.

mod support;

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use http_body_util::BodyExt;
use serde_json::json;
use support::{backends, new_id, rating, TestApp, PUBLIC_URL, SHOP_ORIGIN};
use tower::ServiceExt;

#[tokio::test]
async fn a_rating_is_stored_and_heads_the_admin_queue() {
    for db in backends().await {
        let app = TestApp::start(db).await;
        for (score, message) in [(2, "older"), (5, "Quick delivery")] {
            let created = app.submit(&rating(score, message)).await;
            assert_eq!(created.status, StatusCode::CREATED, "{}: {}", app.db.label, created.text);
            let body = created.json();
            assert!(body["track_url"].as_str().unwrap().starts_with("http://hark.test/track/"));
            assert!(body["received_at"].as_str().unwrap().ends_with('Z'));
        }
        let queue = app.admin_get("/api/v1/admin/submissions").await;
        assert_eq!(queue.status, StatusCode::OK, "{}", queue.text);
        let items = queue.json()["items"].as_array().unwrap().clone();
        assert_eq!(items.len(), 2, "{}", app.db.label);
        assert_eq!(items[0]["message"], "Quick delivery");
        assert_eq!(items[0]["rating"], 5);
        assert_eq!(items[0]["status"], "new");
        assert_eq!(items[0]["site_name"], "Acme shop");
    }
}

#[tokio::test]
async fn the_same_id_again_is_answered_once_and_other_content_conflicts() {
    for db in backends().await {
        let app = TestApp::start(db).await;
        let body = rating(4, "fine");
        let first = app.submit(&body).await;
        assert_eq!(first.status, StatusCode::CREATED);
        let again = app.submit(&body).await;
        assert_eq!(again.status, StatusCode::OK, "{}", app.db.label);
        assert_eq!(again.json(), first.json(), "the replay answers exactly as the first time");
        let mut changed = body.clone();
        changed["rating"] = json!(1);
        let conflict = app.submit(&changed).await;
        assert_eq!(conflict.status, StatusCode::CONFLICT);
        assert_eq!(conflict.error_code(), "conflict");
        let queue = app.admin_get("/api/v1/admin/submissions").await.json();
        assert_eq!(queue["items"].as_array().unwrap().len(), 1, "{}: nothing duplicated", app.db.label);
    }
}

#[tokio::test]
async fn concurrent_duplicates_create_one_submission() {
    for db in backends().await {
        let app = TestApp::start(db).await;
        let body = rating(3, "sent twice at once");
        let (a, b, c) = tokio::join!(app.submit(&body), app.submit(&body), app.submit(&body));
        let mut statuses = vec![a.status, b.status, c.status];
        statuses.sort();
        assert_eq!(statuses, [StatusCode::OK, StatusCode::OK, StatusCode::CREATED], "{}", app.db.label);
    }
}

fn post(uri: &str) -> axum::http::request::Builder {
    Request::post(uri).header(header::ORIGIN, SHOP_ORIGIN)
}

#[tokio::test]
async fn bad_requests_get_the_contracts_4xx_and_never_a_5xx() {
    for db in backends().await {
        let app = TestApp::start(db).await;
        let url = app.submissions_url();
        let json_post = |body: Body| post(&url).header(header::CONTENT_TYPE, "application/json").body(body).unwrap();
        let cases: Vec<(&str, Request<Body>, StatusCode, &str)> = vec![
            (
                "unknown site",
                post("/api/v1/sites/pk_nope/submissions")
                    .header(header::CONTENT_TYPE, "application/json")
                    .body(Body::from(rating(4, "").to_string()))
                    .unwrap(),
                StatusCode::NOT_FOUND,
                "unknown_site",
            ),
            (
                "foreign origin",
                Request::post(&url)
                    .header(header::ORIGIN, "https://evil.example")
                    .header(header::CONTENT_TYPE, "application/json")
                    .body(Body::from(rating(4, "").to_string()))
                    .unwrap(),
                StatusCode::FORBIDDEN,
                "origin_not_allowed",
            ),
            (
                "not json content type",
                post(&url)
                    .header(header::CONTENT_TYPE, "text/plain")
                    .body(Body::from(rating(4, "").to_string()))
                    .unwrap(),
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported_media_type",
            ),
            (
                "no content type",
                post(&url).body(Body::from("{}")).unwrap(),
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported_media_type",
            ),
            (
                "over 64 KiB",
                json_post(Body::from(vec![b' '; 64 * 1024 + 1])),
                StatusCode::PAYLOAD_TOO_LARGE,
                "too_large",
            ),
            ("broken json", json_post(Body::from("{\"id\":")), StatusCode::BAD_REQUEST, "bad_json"),
            ("not utf-8", json_post(Body::from(vec![0xff, 0xfe, 0x00])), StatusCode::BAD_REQUEST, "bad_json"),
            ("a json array", json_post(Body::from("[]")), StatusCode::BAD_REQUEST, "bad_json"),
            ("empty body", json_post(Body::empty()), StatusCode::BAD_REQUEST, "bad_json"),
            (
                "wrong type",
                json_post(Body::from(json!({"id": new_id(), "kind": "csat", "rating": "five"}).to_string())),
                StatusCode::BAD_REQUEST,
                "bad_json",
            ),
            (
                "rating out of range",
                json_post(Body::from(json!({"id": new_id(), "kind": "csat", "rating": 6}).to_string())),
                StatusCode::UNPROCESSABLE_ENTITY,
                "validation",
            ),
            (
                "unknown field",
                json_post(Body::from(json!({"id": new_id(), "kind": "csat", "rating": 4, "admin": true}).to_string())),
                StatusCode::UNPROCESSABLE_ENTITY,
                "validation",
            ),
            (
                "complaint without a message",
                json_post(Body::from(json!({"id": new_id(), "kind": "complaint"}).to_string())),
                StatusCode::UNPROCESSABLE_ENTITY,
                "validation",
            ),
            (
                "huge number",
                json_post(Body::from(format!(r#"{{"id":"{}","kind":"csat","rating":1e400}}"#, new_id()))),
                StatusCode::BAD_REQUEST,
                "bad_json",
            ),
        ];
        for (name, request, status, code) in cases {
            let response = app.send(request).await;
            assert_eq!(response.status, status, "{} / {name}: {}", app.db.label, response.text);
            assert_eq!(response.error_code(), code, "{} / {name}", app.db.label);
        }
    }
}

#[tokio::test]
async fn validation_errors_name_every_broken_field() {
    for db in backends().await {
        let app = TestApp::start(db).await;
        let response = app
            .submit(&json!({
                "id": "not-a-uuid", "kind": "csat", "rating": 0, "email": "nope", "category": "weather",
                "stage": "someday", "order_ref": "x".repeat(65), "message": "m".repeat(5001),
                "dimensions": {"empathy": 9}, "metadata": {"k": "v".repeat(201)}
            }))
            .await;
        assert_eq!(response.status, StatusCode::UNPROCESSABLE_ENTITY);
        let fields = response.json()["error"]["fields"].clone();
        for field in
            ["id", "rating", "email", "category", "stage", "order_ref", "message", "dimensions.empathy", "metadata"]
        {
            assert!(fields[field].is_array(), "{}: {field} not reported in {fields}", app.db.label);
        }
        assert_eq!(fields["rating"][0], "must be between 1 and 5");
    }
}

#[tokio::test]
async fn cors_answers_exactly_the_sites_origins() {
    for db in backends().await {
        let app = TestApp::start(db).await;
        let preflight = |origin: &str| {
            Request::builder()
                .method("OPTIONS")
                .uri(app.submissions_url())
                .header(header::ORIGIN, origin)
                .header(header::ACCESS_CONTROL_REQUEST_METHOD, "POST")
                .header(header::ACCESS_CONTROL_REQUEST_HEADERS, "content-type")
                .body(Body::empty())
                .unwrap()
        };
        let allowed = app.send(preflight(SHOP_ORIGIN)).await;
        assert_eq!(allowed.headers.get(header::ACCESS_CONTROL_ALLOW_ORIGIN).unwrap(), SHOP_ORIGIN);
        let refused = app.send(preflight("https://evil.example")).await;
        assert!(refused.headers.get(header::ACCESS_CONTROL_ALLOW_ORIGIN).is_none(), "{}", app.db.label);
        let created = app.submit(&rating(5, "")).await;
        assert_eq!(created.headers.get(header::ACCESS_CONTROL_ALLOW_ORIGIN).unwrap(), SHOP_ORIGIN);
    }
}

#[tokio::test]
async fn a_merchant_server_without_origin_may_post() {
    for db in backends().await {
        let app = TestApp::start(db).await;
        let request = Request::post(app.submissions_url())
            .header(header::CONTENT_TYPE, "application/json; charset=utf-8")
            .body(Body::from(rating(5, "from the post-purchase email").to_string()))
            .unwrap();
        assert_eq!(app.send(request).await.status, StatusCode::CREATED);
    }
}

#[tokio::test]
async fn only_a_valid_signature_marks_a_key_customer() {
    for db in backends().await {
        let app = TestApp::start(db).await;
        let sig = hark_core::auth::customer_signature(&app.site.secret, "c_42", "key");
        let mut signed = rating(5, "signed");
        signed["customer"] = json!({"id": "c_42", "tier": "key", "sig": sig});
        let mut forged = rating(1, "forged");
        forged["customer"] = json!({"id": "c_43", "tier": "key", "sig": sig});
        assert_eq!(app.submit(&signed).await.status, StatusCode::CREATED);
        assert_eq!(app.submit(&forged).await.status, StatusCode::CREATED, "a bad signature is not an error");
        let items = app.admin_get("/api/v1/admin/submissions").await.json()["items"].clone();
        assert_eq!(items[0]["message"], "forged");
        assert_eq!(items[0]["customer_tier"], json!(null), "{}", app.db.label);
        assert_eq!(items[1]["customer_tier"], "key");
    }
}

#[tokio::test]
async fn the_tracking_link_shows_only_its_own_submission() {
    for db in backends().await {
        let app = TestApp::start(db).await;
        let created = app.submit(&rating(2, "late")).await.json();
        let token = created["track_url"].as_str().unwrap().rsplit('/').next().unwrap().to_owned();
        assert!(token.len() >= 32, "at least 128 bits of token");
        let tracked = app.send(Request::get(format!("/api/v1/track/{token}")).body(Body::empty()).unwrap()).await;
        assert_eq!(tracked.status, StatusCode::OK);
        assert_eq!(tracked.json()["status"], "new");
        let fields: Vec<String> = tracked.json().as_object().unwrap().keys().cloned().collect();
        assert_eq!(
            fields,
            ["kind", "locale", "messages", "received_at", "recovery", "status"],
            "the contract's fields only"
        );
        let page = app.send(Request::get(format!("/track/{token}")).body(Body::empty()).unwrap()).await;
        assert!(page.text.contains(r#"class="current">new</li>"#), "{}", page.text);
        // A shopper who wrote in Chinese reads their receipt in Chinese.
        let mut chinese = rating(4, "很好");
        chinese["locale"] = json!("zh-CN");
        let created = app.submit(&chinese).await.json();
        let token = created["track_url"].as_str().unwrap().rsplit('/').next().unwrap().to_owned();
        let page = app.send(Request::get(format!("/track/{token}")).body(Body::empty()).unwrap()).await;
        assert!(page.text.contains(r#"<html lang="zh-CN">"#), "{}", page.text);
        assert!(
            page.text.contains("感谢您的评分") && page.text.contains(r#"class="current">已收到</li>"#),
            "{}",
            page.text
        );
        let unknown = app.send(Request::get("/api/v1/track/0000").body(Body::empty()).unwrap()).await;
        assert_eq!(unknown.status, StatusCode::NOT_FOUND);
        assert_eq!(unknown.error_code(), "not_found");
    }
}

#[tokio::test]
async fn site_config_is_public_and_cacheable() {
    for db in backends().await {
        let app = TestApp::start(db).await;
        let uri = format!("/api/v1/sites/{}/config", app.site.site_key);
        let config = app.send(Request::get(&uri).body(Body::empty()).unwrap()).await;
        assert_eq!(config.status, StatusCode::OK);
        assert_eq!(config.json()["enabled_kinds"], json!(["csat", "feedback", "complaint"]));
        assert!(config.json().get("secret").is_none(), "the secret never leaves the server");
        let etag = config.headers.get(header::ETAG).unwrap().clone();
        let cached =
            app.send(Request::get(&uri).header(header::IF_NONE_MATCH, etag).body(Body::empty()).unwrap()).await;
        assert_eq!(cached.status, StatusCode::NOT_MODIFIED);
        let unknown = app.send(Request::get("/api/v1/sites/pk_nope/config").body(Body::empty()).unwrap()).await;
        assert_eq!(unknown.error_code(), "unknown_site");
    }
}

#[tokio::test]
async fn a_flood_from_one_client_is_told_when_to_retry() {
    for db in backends().await {
        let app = TestApp::start(db).await;
        let mut statuses = Vec::new();
        for n in 0..61 {
            statuses.push(app.submit(&rating(5, &format!("flood {n}"))).await);
        }
        assert!(statuses[..60].iter().all(|r| r.status == StatusCode::CREATED), "the first 60 a minute pass");
        let limited = &statuses[60];
        assert_eq!(limited.status, StatusCode::TOO_MANY_REQUESTS);
        assert_eq!(limited.error_code(), "rate_limited");
        let retry_after: u64 = limited.headers[header::RETRY_AFTER].to_str().unwrap().parse().unwrap();
        assert!((1..=60).contains(&retry_after), "Retry-After {retry_after}");
        // Another site's allowance is separate.
        let other = app
            .store
            .add_site(
                &app.org,
                hark_core::store::NewSite {
                    name: "Other".into(),
                    allowed_origins: vec![SHOP_ORIGIN.into()],
                    require_email: false,
                },
            )
            .await
            .unwrap();
        let elsewhere = app
            .send(
                post(&format!("/api/v1/sites/{}/submissions", other.site_key))
                    .header(header::CONTENT_TYPE, "application/json")
                    .body(Body::from(rating(4, "").to_string()))
                    .unwrap(),
            )
            .await;
        assert_eq!(elsewhere.status, StatusCode::CREATED);
    }
}

#[tokio::test]
async fn bots_are_stored_as_spam_and_told_nothing() {
    for db in backends().await {
        let app = TestApp::start(db).await;
        let mut honeypot = rating(5, "buy now");
        honeypot["website"] = json!("http://spam.example");
        let mut hasty = rating(1, "too quick");
        hasty["fill_ms"] = json!(120);
        let mut person = rating(4, "took my time");
        person["fill_ms"] = json!(9000);
        let mut track_urls = vec![];
        for body in [&honeypot, &hasty, &person] {
            let answer = app.submit(body).await;
            assert_eq!(answer.status, StatusCode::CREATED, "{}", app.db.label);
            track_urls.push(answer.json()["track_url"].as_str().unwrap().replace(PUBLIC_URL, ""));
        }
        for url in &track_urls {
            let api = url.replace("/track/", "/api/v1/track/");
            let tracked = app.send(Request::get(api).body(Body::empty()).unwrap()).await;
            assert_eq!(tracked.json()["status"], "new", "the tracking link tells a bot nothing ({})", app.db.label);
        }
        let items = app.admin_get("/api/v1/admin/submissions?status=new,spam").await.json()["items"].clone();
        let status_of = |message: &str| {
            items.as_array().unwrap().iter().find(|i| i["message"] == message).unwrap()["status"].clone()
        };
        assert_eq!(status_of("buy now"), "spam");
        assert_eq!(status_of("too quick"), "spam");
        assert_eq!(status_of("took my time"), "new", "{}", app.db.label);
    }
}

#[tokio::test]
async fn metrics_count_submissions_rejections_latency_and_batches() {
    let db = backends().await.into_iter().next().unwrap();
    let app = TestApp::start(db).await;
    assert_eq!(app.submit(&rating(5, "counted")).await.status, StatusCode::CREATED);
    let unknown = app
        .send(
            post("/api/v1/sites/pk_nope/submissions")
                .header(header::CONTENT_TYPE, "application/json")
                .body(Body::from("{}"))
                .unwrap(),
        )
        .await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
    let public = app.send(Request::get("/metrics").body(Body::empty()).unwrap()).await;
    assert_eq!(public.status, StatusCode::NOT_FOUND, "metrics are not on the public port");
    let metrics = hark_server::telemetry_metrics::router()
        .oneshot(Request::get("/metrics").body(Body::empty()).unwrap())
        .await
        .unwrap();
    assert_eq!(metrics.status(), StatusCode::OK);
    let metrics = String::from_utf8(metrics.into_body().collect().await.unwrap().to_bytes().to_vec()).unwrap();
    for expected in [
        r#"hark_submissions_total{kind="csat",outcome="created"}"#,
        r#"hark_rejects_total{code="unknown_site"}"#,
        r#"hark_request_duration_seconds_bucket{route="/api/v1/sites/{site_key}/submissions",status="201""#,
        "hark_commit_batch_size_bucket",
    ] {
        assert!(metrics.contains(expected), "{expected} missing from:\n{metrics}");
    }
}

#[tokio::test]
async fn a_body_that_never_finishes_gets_408_in_the_error_shape() {
    use futures_util::StreamExt;
    for db in backends().await {
        let app = TestApp::start(db).await;
        // Half a body, then silence: a slow-loris client.
        let stalled =
            futures_util::stream::once(async { Ok::<_, std::io::Error>(axum::body::Bytes::from_static(b"{\"id\":")) })
                .chain(futures_util::stream::pending());
        let request = post(&app.submissions_url())
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from_stream(stalled))
            .unwrap();
        let started = std::time::Instant::now();
        let response = app.send(request).await;
        assert_eq!(response.status, StatusCode::REQUEST_TIMEOUT, "{}", app.db.label);
        assert_eq!(response.error_code(), "timeout");
        assert!(started.elapsed() < support::REQUEST_TIMEOUT * 3);
    }
}

#[tokio::test]
async fn compressed_bodies_are_decoded_within_the_limit() {
    use std::io::Write;
    let gzip = |bytes: &[u8]| {
        let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        encoder.write_all(bytes).unwrap();
        encoder.finish().unwrap()
    };
    let brotli = |bytes: &[u8]| {
        let mut out = Vec::new();
        brotli::BrotliCompress(&mut &bytes[..], &mut out, &brotli::enc::BrotliEncoderParams::default()).unwrap();
        out
    };
    for db in backends().await {
        let app = TestApp::start(db).await;
        let post = |encoding: &str, body: Vec<u8>| {
            Request::post(app.submissions_url())
                .header(header::CONTENT_TYPE, "application/json")
                .header(header::CONTENT_ENCODING, encoding)
                .body(Body::from(body))
                .unwrap()
        };
        let gzipped = rating(5, "sent gzipped");
        let answer = app.send(post("gzip", gzip(gzipped.to_string().as_bytes()))).await;
        assert_eq!(answer.status, StatusCode::CREATED, "{}: {}", app.db.label, answer.text);
        let brotlied = rating(4, "sent with brotli");
        let answer = app.send(post("br", brotli(brotlied.to_string().as_bytes()))).await;
        assert_eq!(answer.status, StatusCode::CREATED, "{}: {}", app.db.label, answer.text);
        let messages: Vec<String> = app.admin_get("/api/v1/admin/submissions").await.json()["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|item| item["message"].as_str().unwrap_or_default().to_owned())
            .collect();
        assert!(messages.contains(&"sent gzipped".to_owned()) && messages.contains(&"sent with brotli".to_owned()));

        // A megabyte of spaces compresses to about a kilobyte: refused once decoded past 64 KiB.
        let mut bomb = rating(3, "bomb").to_string().into_bytes();
        bomb.splice(1..1, std::iter::repeat_n(b' ', 1 << 20));
        let answer = app.send(post("gzip", gzip(&bomb))).await;
        assert_eq!(answer.status, StatusCode::PAYLOAD_TOO_LARGE);
        assert_eq!(answer.error_code(), "too_large");
        let answer = app.send(post("gzip", b"not gzip at all".to_vec())).await;
        assert_eq!(answer.status, StatusCode::BAD_REQUEST);
        assert_eq!(answer.error_code(), "bad_json");
        let answer = app.send(post("zstd", b"{}".to_vec())).await;
        assert_eq!(answer.status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
        assert_eq!(answer.error_code(), "unsupported_media_type");
    }
}
