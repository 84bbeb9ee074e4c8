//! Hark's hosted plain form, over HTTP, on every backend reachable here: what any input
//! gets back, and that what it accepts lands in the queue once.

mod support;

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use support::{backends, new_id, TestApp, PUBLIC_URL, SHOP_ORIGIN};

fn post_form(url: &str, origin: Option<&str>, body: &str) -> Request<Body> {
    let mut request = Request::post(url).header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
    if let Some(origin) = origin {
        request = request.header(header::ORIGIN, origin);
    }
    request.body(Body::from(body.to_owned())).unwrap()
}

#[tokio::test]
async fn the_plain_form_stores_once_and_answers_every_input_without_a_5xx() {
    for db in backends().await {
        let app = TestApp::start(db).await;
        let url = format!("/f/{}", app.site.site_key);
        let label = app.db.label;

        let shown = app.send(Request::get(&url).body(Body::empty()).unwrap()).await;
        assert_eq!(shown.status, StatusCode::OK, "{label}");
        assert!(shown.text.contains("Feedback for Acme shop"), "{label}");
        assert!(shown.headers[header::CONTENT_SECURITY_POLICY].to_str().unwrap().contains("default-src 'none'"));

        let id = new_id();
        let good = format!("id={id}&shown_at=0&kind=csat&rating=2&message=Late+parcel&website=");
        let sent = app.send(post_form(&url, Some(PUBLIC_URL), &good)).await;
        assert_eq!(sent.status, StatusCode::OK, "{label}: {}", sent.text);
        assert!(sent.text.contains("/track/"), "{label}");
        let again = app.send(post_form(&url, None, &good)).await;
        assert_eq!(again.status, StatusCode::OK, "{label}: a resend is the same submission");
        let queue = app.admin_get("/api/v1/admin/submissions").await.json();
        let items = queue["items"].as_array().unwrap();
        assert_eq!(items.len(), 1, "{label}: stored once");
        assert_eq!(items[0]["message"], "Late parcel");
        assert_eq!(items[0]["status"], "new", "{label}: a human's pace is not spam");

        let cases: [(&str, Option<&str>, String, StatusCode, &str); 6] = [
            (
                "no rating for a rating",
                None,
                format!("id={}&kind=csat", new_id()),
                StatusCode::UNPROCESSABLE_ENTITY,
                "rating",
            ),
            (
                "a word for a rating",
                None,
                format!("id={}&kind=csat&rating=five", new_id()),
                StatusCode::UNPROCESSABLE_ENTITY,
                "five",
            ),
            (
                "an unknown kind",
                None,
                format!("id={}&kind=review&rating=3", new_id()),
                StatusCode::UNPROCESSABLE_ENTITY,
                "Please check",
            ),
            ("no id at all", None, "kind=csat&rating=3".into(), StatusCode::UNPROCESSABLE_ENTITY, "Please check"),
            ("another website", Some("https://evil.example"), good.clone(), StatusCode::FORBIDDEN, "own page"),
            ("the shop's own page", Some(SHOP_ORIGIN), good.clone(), StatusCode::OK, "/track/"),
        ];
        for (case, origin, body, status, says) in cases {
            let answer = app.send(post_form(&url, origin, &body)).await;
            assert_eq!(answer.status, status, "{label}: {case}: {}", answer.text);
            assert!(answer.text.contains(says), "{label}: {case}: {}", answer.text);
        }
        let bytes = app.send(post_form(&url, None, "%ff%fe=\u{0}&rating=%%%")).await;
        assert!(bytes.status.is_client_error(), "{label}: broken form encoding: {}", bytes.status);
        let unknown = app.send(Request::get("/f/pk_nope").body(Body::empty()).unwrap()).await;
        assert_eq!(unknown.status, StatusCode::NOT_FOUND, "{label}");

        // The form has no script: the card number in a message is masked on arrival.
        let card = format!("id={}&kind=csat&rating=1&message=paid+with+4111111111111111+twice", new_id());
        assert_eq!(app.send(post_form(&url, None, &card)).await.status, StatusCode::OK, "{label}");
        let queue = app.admin_get("/api/v1/admin/submissions").await.json();
        assert_eq!(queue["items"][0]["message"], "paid with ••••••••••••1111 twice", "{label}");

        // The feedback card, as the widget's panel has it: its stage and five aspects.
        let shown = app.send(Request::get(format!("{url}?kind=feedback")).body(Body::empty()).unwrap()).await;
        for field in ["name=\"stage\"", "name=\"tangibles\"", "name=\"empathy\"", "Share your feedback"] {
            assert!(shown.text.contains(field), "{label}: the feedback card has {field}");
        }
        let card = format!(
            "id={}&kind=feedback&stage=after_sale&message=Box+was+crushed&tangibles=2&empathy=5&reliability=",
            new_id()
        );
        assert_eq!(app.send(post_form(&url, None, &card)).await.status, StatusCode::OK, "{label}");
        let queue = app.admin_get("/api/v1/admin/submissions").await.json();
        let id = queue["items"][0]["id"].as_str().unwrap();
        let stored = app.admin_get(&format!("/api/v1/admin/submissions/{id}")).await.json();
        assert_eq!(stored["stage"], "after_sale", "{label}: {stored}");
        assert_eq!(stored["dimensions"]["tangibles"], 2, "{label}: {stored}");
        assert_eq!(stored["dimensions"]["empathy"], 5, "{label}: {stored}");
        assert!(stored["dimensions"]["reliability"].is_null(), "{label}: an empty aspect is not scored: {stored}");
        // Refused, the form comes back as it was filled in, the problem named.
        let bad = format!("id={}&kind=complaint&order_ref=NW-7&message=", new_id());
        let refused = app.send(post_form(&url, None, &bad)).await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY, "{label}");
        assert!(refused.text.contains("value=\"NW-7\""), "{label}: {}", refused.text);
        assert!(refused.text.contains("role=\"alert\""), "{label}");
        let marked = refused.text.split("aria-invalid=\"true\"").count() - 1;
        assert_eq!(marked, 1, "{label}: one field marked: {}", refused.text);
        let message = refused.text.split("<textarea").nth(1).unwrap().split('>').next().unwrap();
        assert!(message.contains("aria-invalid=\"true\""), "{label}: the message is the one to fix: {message}");

        // Too fast to be human: stored, but as spam.
        let fast = format!("id={}&shown_at={}&kind=csat&rating=5", new_id(), hark_core::store::now_millis());
        assert_eq!(app.send(post_form(&url, None, &fast)).await.status, StatusCode::OK, "{label}");
        let spam = app.admin_get("/api/v1/admin/submissions?status=spam").await.json();
        assert_eq!(spam["items"].as_array().unwrap().len(), 1, "{label}");
        assert!(spam["items"][0]["message"].is_null(), "{label}");
    }
}
