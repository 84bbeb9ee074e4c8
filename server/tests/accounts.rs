//! Signing in on the open internet: throttling, sessions, password rules. Every test on
//! SQLite and PostgreSQL.

mod support;

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use hark_server::config::Config;
use serde_json::json;
use std::time::{Duration, Instant};
use support::*;

const OWNER: &str = "owner@acme.test";
const PASSWORD: &str = "correct horse battery";

/// Behind a proxy Hark believes, so that each request can say which client it is for.
fn behind_proxy() -> Config {
    Config { trusted_proxies: vec!["0.0.0.0/32".parse().unwrap()], ..test_config() }
}

fn login_request(email: &str, password: &str, client: &str) -> Request<Body> {
    Request::post("/api/v1/auth/login")
        .header(header::CONTENT_TYPE, "application/json")
        .header("x-forwarded-for", client)
        .body(Body::from(json!({"email": email, "password": password}).to_string()))
        .unwrap()
}

async fn login(app: &TestApp, email: &str, password: &str, client: &str) -> TestResponse {
    app.send(login_request(email, password, client)).await
}

/// The `name=value` of the session cookie a response sets.
fn cookie_of(response: &TestResponse) -> String {
    let set = response.headers.get(header::SET_COOKIE).unwrap_or_else(|| panic!("no cookie: {}", response.text));
    set.to_str().unwrap().split(';').next().unwrap().to_owned()
}

async fn me(app: &TestApp, cookie: &str) -> StatusCode {
    app.send(Request::get("/api/v1/auth/me").header(header::COOKIE, cookie).body(Body::empty()).unwrap()).await.status
}

async fn sql(app: &TestApp, statement: &str) {
    use sqlx::Connection;
    let mut conn = sqlx::AnyConnection::connect(&app.db.url).await.unwrap();
    sqlx::query(statement).execute(&mut conn).await.unwrap_or_else(|e| panic!("{statement}: {e}"));
}

fn retry_after(response: &TestResponse) -> u64 {
    response.headers[header::RETRY_AFTER].to_str().unwrap().parse().unwrap()
}

#[tokio::test]
async fn each_failed_sign_in_past_five_makes_the_account_wait_twice_as_long_known_or_not() {
    use hark_core::store::SIGN_IN_FREE_FAILURES;
    for db in backends().await {
        let label = db.label;
        let app = TestApp::start_with_config(db, behind_proxy()).await;
        // Another instance on the same database: the counts are the database's.
        let other = app.another_instance().await;
        for email in [OWNER, "nobody@acme.test"] {
            // From a new address each time: the account's count alone is at work here.
            for i in 0..SIGN_IN_FREE_FAILURES {
                let wrong = login(&app, email, "not the password", &format!("198.51.100.{i}")).await;
                assert_eq!(wrong.status, StatusCode::UNAUTHORIZED, "{label} {email}: failure {i}");
            }
            let answer = |response: axum::http::Response<Body>| async move {
                let status = response.status();
                let wait = response.headers().get(header::RETRY_AFTER).map(|v| v.to_str().unwrap().to_owned());
                (status, wait)
            };
            use tower::ServiceExt;
            let waiting = other.clone().oneshot(login_request(email, PASSWORD, "198.51.100.50")).await.unwrap();
            assert_eq!(
                answer(waiting).await,
                (StatusCode::TOO_MANY_REQUESTS, Some("1".to_owned())),
                "{label} {email}: the right password waits too, on every instance"
            );
            tokio::time::sleep(Duration::from_millis(1100)).await;
            let sixth = login(&app, email, "not the password", "198.51.100.51").await;
            assert_eq!(sixth.status, StatusCode::UNAUTHORIZED, "{label} {email}: after the wait, a try");
            let waiting = login(&app, email, PASSWORD, "198.51.100.52").await;
            assert_eq!(waiting.status, StatusCode::TOO_MANY_REQUESTS, "{label} {email}");
            assert_eq!(waiting.error_code(), "rate_limited");
            assert_eq!(retry_after(&waiting), 2, "{label} {email}: twice as long");
        }
        tokio::time::sleep(Duration::from_millis(2100)).await;
        assert_eq!(login(&app, OWNER, PASSWORD, "198.51.100.60").await.status, StatusCode::NO_CONTENT, "{label}");
        // A sign-in clears the account's count: five more free failures.
        for i in 0..SIGN_IN_FREE_FAILURES {
            let wrong = login(&app, OWNER, "not the password", "198.51.100.61").await;
            assert_eq!(wrong.status, StatusCode::UNAUTHORIZED, "{label}: failure {i} after signing in");
        }
    }
}

#[tokio::test]
async fn one_address_failing_for_many_accounts_waits_and_others_do_not() {
    for db in backends().await {
        let label = db.label;
        let app = TestApp::start_with_config(db, behind_proxy()).await;
        for (i, client) in ["203.0.113.5", "2001:db8:7:7::1"].into_iter().enumerate() {
            for n in 0..20 {
                let wrong = login(&app, &format!("guess{i}-{n}@acme.test"), "not the password", client).await;
                assert_eq!(wrong.status, StatusCode::UNAUTHORIZED, "{label} {client}: failure {n}");
            }
            let waiting = login(&app, OWNER, PASSWORD, client).await;
            assert_eq!(waiting.status, StatusCode::TOO_MANY_REQUESTS, "{label} {client}");
            assert!(retry_after(&waiting) >= 1);
        }
        // The same IPv6 /64 is the same client; another address is not.
        assert_eq!(login(&app, OWNER, PASSWORD, "2001:db8:7:7:ffff::2").await.status, StatusCode::TOO_MANY_REQUESTS);
        assert_eq!(login(&app, OWNER, PASSWORD, "203.0.113.6").await.status, StatusCode::NO_CONTENT, "{label}");
    }
}

#[tokio::test]
async fn without_its_throttle_a_sign_in_is_refused_not_let_through() {
    for db in backends().await {
        let label = db.label;
        let app = TestApp::start(db).await;
        sql(&app, "DROP TABLE sign_in_failures").await;
        for password in [PASSWORD, "not the password"] {
            let refused = login(&app, OWNER, password, "192.0.2.1").await;
            assert!(refused.status.is_server_error(), "{label}: {} {}", refused.status, refused.text);
            assert!(refused.headers.get(header::SET_COOKIE).is_none(), "{label}: no session");
        }
    }
}

#[tokio::test]
async fn an_unknown_email_takes_as_long_as_a_wrong_password() {
    for db in backends().await {
        let label = db.label;
        let app = TestApp::start(db).await;
        let mut times: [Vec<Duration>; 2] = [vec![], vec![]];
        for round in 0..9 {
            for (which, email) in [OWNER, "nobody@acme.test"].into_iter().enumerate() {
                let started = Instant::now();
                let wrong = login(&app, email, "not the password", "192.0.2.1").await;
                let took = started.elapsed();
                assert_eq!(wrong.status, StatusCode::UNAUTHORIZED, "{label}");
                assert_eq!(wrong.text, login(&app, email, "not the password either", "192.0.2.1").await.text);
                // The first round warms up (the unknown email's hash is made then).
                if round > 0 {
                    times[which].push(took);
                }
                sql(&app, "DELETE FROM sign_in_failures").await;
            }
        }
        let median = |mut t: Vec<Duration>| {
            t.sort();
            t[t.len() / 2]
        };
        let [known, unknown] = times.map(median);
        let ratio = known.as_secs_f64() / unknown.as_secs_f64();
        assert!((0.67..1.5).contains(&ratio), "{label}: wrong password {known:?}, unknown email {unknown:?}");
    }
}

#[tokio::test]
async fn a_session_ends_when_idle_too_long_or_past_its_absolute_expiry() {
    let now = hark_core::store::now_millis();
    for db in backends().await {
        let label = db.label;
        let app = TestApp::start(db).await;
        let session = cookie_of(&login(&app, OWNER, PASSWORD, "192.0.2.1").await);
        assert_eq!(me(&app, &session).await, StatusCode::OK, "{label}");
        // Used eleven hours ago: alive, and marked used now.
        sql(&app, &format!("UPDATE sessions SET last_seen_at = {}", now - 11 * 3600 * 1000)).await;
        assert_eq!(me(&app, &session).await, StatusCode::OK, "{label}: idle 11 h of 12");
        let touched: i64 = {
            use sqlx::Connection;
            let mut conn = sqlx::AnyConnection::connect(&app.db.url).await.unwrap();
            sqlx::query_scalar("SELECT MAX(last_seen_at) FROM sessions").fetch_one(&mut conn).await.unwrap()
        };
        assert!(touched >= now, "{label}: a use is written down");
        sql(&app, &format!("UPDATE sessions SET last_seen_at = {}", now - 12 * 3600 * 1000 - 1000)).await;
        assert_eq!(me(&app, &session).await, StatusCode::UNAUTHORIZED, "{label}: idle past 12 h");
        let session = cookie_of(&login(&app, OWNER, PASSWORD, "192.0.2.1").await);
        sql(&app, &format!("UPDATE sessions SET expires_at = {}", now - 1)).await;
        assert_eq!(me(&app, &session).await, StatusCode::UNAUTHORIZED, "{label}: past its absolute expiry");
        drop(app);
    }
    // Both lengths are the server's settings.
    for db in backends().await {
        let label = db.label;
        let config = Config {
            session_idle: Duration::from_secs(60),
            session_absolute: Duration::from_secs(3600),
            ..test_config()
        };
        let app = TestApp::start_with_config(db, config).await;
        let signed_in = login(&app, OWNER, PASSWORD, "192.0.2.1").await;
        let set = signed_in.headers[header::SET_COOKIE].to_str().unwrap().to_owned();
        assert!(set.contains("Max-Age=3600"), "{label}: {set}");
        let session = cookie_of(&signed_in);
        sql(&app, &format!("UPDATE sessions SET last_seen_at = {}", now - 61_000)).await;
        assert_eq!(me(&app, &session).await, StatusCode::UNAUTHORIZED, "{label}: idle past a minute");
    }
}

#[tokio::test]
async fn signing_in_makes_a_new_session_and_ends_the_one_the_browser_came_with() {
    for db in backends().await {
        let label = db.label;
        let app = TestApp::start(db).await;
        let first = cookie_of(&login(&app, OWNER, PASSWORD, "192.0.2.1").await);
        let mut again = login_request(OWNER, PASSWORD, "192.0.2.1");
        again.headers_mut().insert(header::COOKIE, first.parse().unwrap());
        let second = cookie_of(&app.send(again).await);
        assert_ne!(first, second, "{label}");
        assert_eq!(me(&app, &first).await, StatusCode::UNAUTHORIZED, "{label}: the old one ended");
        assert_eq!(me(&app, &second).await, StatusCode::OK, "{label}");
    }
}

#[tokio::test]
async fn the_cookie_is_httponly_strict_and_over_https_secure_with_the_host_prefix() {
    for db in backends().await {
        let label = db.label;
        let app = TestApp::start(db).await;
        let set =
            login(&app, OWNER, PASSWORD, "192.0.2.1").await.headers[header::SET_COOKIE].to_str().unwrap().to_owned();
        assert!(set.starts_with("hark_session="), "{label}: {set}");
        for attribute in ["HttpOnly", "SameSite=Strict", "Path=/", "Max-Age=604800"] {
            assert!(set.contains(attribute), "{label}: {attribute} in {set}");
        }
        assert!(!set.contains("Secure"), "{label}: plain http (local) has no Secure cookie: {set}");
        drop(app);
    }
    for db in backends().await {
        let label = db.label;
        let app =
            TestApp::start_with_config(db, Config { public_url: "https://hark.test".into(), ..test_config() }).await;
        let signed_in = login(&app, OWNER, PASSWORD, "192.0.2.1").await;
        let set = signed_in.headers[header::SET_COOKIE].to_str().unwrap().to_owned();
        assert!(set.starts_with("__Host-hark_session="), "{label}: {set}");
        assert!(set.contains("Secure") && set.contains("Path=/") && !set.contains("Domain"), "{label}: {set}");
        let session = cookie_of(&signed_in);
        assert_eq!(me(&app, &session).await, StatusCode::OK, "{label}");
        let unprefixed = session.trim_start_matches("__Host-");
        assert_eq!(me(&app, unprefixed).await, StatusCode::UNAUTHORIZED, "{label}: only the prefixed cookie counts");
    }
}

#[tokio::test]
async fn a_password_change_checks_both_passwords_and_ends_every_other_session() {
    for db in backends().await {
        let label = db.label;
        let app = TestApp::start(db).await;
        let here = cookie_of(&login(&app, OWNER, PASSWORD, "192.0.2.1").await);
        let elsewhere = cookie_of(&login(&app, OWNER, PASSWORD, "192.0.2.2").await);
        let change = |current: &str, new: &str, proof: bool| {
            let mut request = Request::post("/api/v1/auth/password")
                .header(header::CONTENT_TYPE, "application/json")
                .header(header::COOKIE, &here);
            if proof {
                request = request.header("sec-fetch-site", "same-origin");
            }
            request.body(Body::from(json!({"current": current, "new": new}).to_string())).unwrap()
        };
        assert_eq!(app.send(change(PASSWORD, "a brand new passphrase", false)).await.status, StatusCode::FORBIDDEN);
        for (current, new, field) in [
            ("not the password", "a brand new passphrase", "current"),
            (PASSWORD, "too short", "new"),
            (PASSWORD, "password1234", "new"),
            (PASSWORD, "Owner@Acme.Test", "new"),
        ] {
            let refused = app.send(change(current, new, true)).await;
            assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY, "{label} {new}: {}", refused.text);
            assert!(refused.json()["error"]["fields"][field].is_array(), "{label}: {}", refused.text);
        }
        assert_eq!(app.send(change(PASSWORD, "a brand new passphrase", true)).await.status, StatusCode::NO_CONTENT);
        assert_eq!(me(&app, &here).await, StatusCode::OK, "{label}: this session stays");
        assert_eq!(me(&app, &elsewhere).await, StatusCode::UNAUTHORIZED, "{label}: every other one ends");
        assert_eq!(login(&app, OWNER, PASSWORD, "192.0.2.3").await.status, StatusCode::UNAUTHORIZED);
        assert_eq!(login(&app, OWNER, "a brand new passphrase", "192.0.2.3").await.status, StatusCode::NO_CONTENT);
    }
}

#[tokio::test]
async fn a_hash_made_with_weaker_costs_is_replaced_at_the_next_sign_in() {
    use argon2::password_hash::{rand_core::OsRng, PasswordHasher, SaltString};
    let weak = argon2::Argon2::new(
        argon2::Algorithm::Argon2id,
        argon2::Version::V0x13,
        argon2::Params::new(4096, 1, 1, None).unwrap(),
    )
    .hash_password(PASSWORD.as_bytes(), &SaltString::generate(&mut OsRng))
    .unwrap()
    .to_string();
    for db in backends().await {
        let label = db.label;
        let app = TestApp::start(db).await;
        sql(&app, &format!("UPDATE users SET password_hash = '{weak}' WHERE email = '{OWNER}'")).await;
        assert_eq!(login(&app, OWNER, PASSWORD, "192.0.2.1").await.status, StatusCode::NO_CONTENT, "{label}");
        let stored: String = {
            use sqlx::Connection;
            let mut conn = sqlx::AnyConnection::connect(&app.db.url).await.unwrap();
            sqlx::query_scalar(&format!("SELECT password_hash FROM users WHERE email = '{OWNER}'"))
                .fetch_one(&mut conn)
                .await
                .unwrap()
        };
        assert!(stored.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{label}: {stored}");
        assert_eq!(login(&app, OWNER, PASSWORD, "192.0.2.1").await.status, StatusCode::NO_CONTENT, "{label}");
    }
}
