//! Test harness: the real router on a fresh real database per test — a SQLite file,
//! and a newly created PostgreSQL database when one answers (see `backends`).

#![allow(dead_code)]

use axum::body::Body;
use axum::http::{header, Request, Response, StatusCode};
use axum::Router;
use hark_core::model::Role;
use hark_core::store::{NewSite, Org, Site, StaffRecord};
use hark_core::Store;
use hark_server::config::Config;
use hark_server::{router, AppState};
use http_body_util::BodyExt;
use serde_json::Value;
use tower::ServiceExt;

pub const PUBLIC_URL: &str = "http://hark.test";
pub const SHOP_ORIGIN: &str = "https://shop.example";
/// Short, so the timeout test is quick.
pub const REQUEST_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(2);
/// How often the tests' event streams check their credential (a minute in `hark serve`).
pub const CREDENTIAL_RECHECK: std::time::Duration = std::time::Duration::from_millis(300);

/// The PostgreSQL server tests create their databases on.
fn postgres_admin_url() -> String {
    std::env::var("HARK_TEST_POSTGRES_URL").unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".into())
}

/// A database made for one test and removed after it.
pub struct TestDatabase {
    pub url: String,
    pub label: &'static str,
    _dir: Option<tempfile::TempDir>,
    postgres_name: Option<String>,
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        let Some(name) = self.postgres_name.take() else {
            return;
        };
        // Drop runs outside async code: use a private runtime on its own thread.
        let _ = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
            runtime.block_on(async {
                if let Ok(mut conn) = <sqlx::AnyConnection as sqlx::Connection>::connect(&postgres_admin_url()).await {
                    let _ =
                        sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")).execute(&mut conn).await;
                }
            });
        })
        .join();
    }
}

pub async fn sqlite() -> TestDatabase {
    let dir = tempfile::tempdir().expect("temp dir");
    let url = format!("sqlite://{}/hark.db", dir.path().display());
    TestDatabase { url, label: "sqlite", _dir: Some(dir), postgres_name: None }
}

/// A fresh PostgreSQL database, or `None` when no server answers and none is required.
async fn postgres() -> Option<TestDatabase> {
    sqlx::any::install_default_drivers();
    let admin_url = postgres_admin_url();
    let connected = tokio::time::timeout(
        std::time::Duration::from_secs(3),
        <sqlx::AnyConnection as sqlx::Connection>::connect(&admin_url),
    )
    .await;
    let mut conn = match connected {
        Ok(Ok(conn)) => conn,
        other => {
            let reason = match other {
                Ok(Err(e)) => e.to_string(),
                _ => "timed out".into(),
            };
            if std::env::var("HARK_TEST_REQUIRE_POSTGRES").is_ok_and(|v| v == "1") {
                panic!("PostgreSQL is required (HARK_TEST_REQUIRE_POSTGRES=1) but {admin_url} failed: {reason}");
            }
            eprintln!("PostgreSQL SKIPPED: {admin_url} did not answer ({reason})");
            return None;
        }
    };
    let name = format!("hark_test_{}", uuid::Uuid::new_v4().simple());
    sqlx::query(&format!("CREATE DATABASE {name}")).execute(&mut conn).await.expect("create test database");
    let base = admin_url.rsplit_once('/').map(|(base, _)| base).unwrap_or(&admin_url);
    Some(TestDatabase { url: format!("{base}/{name}"), label: "postgres", _dir: None, postgres_name: Some(name) })
}

/// One fresh database per backend reachable here: SQLite always, PostgreSQL when it answers.
pub async fn backends() -> Vec<TestDatabase> {
    let mut databases = vec![sqlite().await];
    databases.extend(postgres().await);
    databases
}

/// How the tests run Hark: as `hark serve` would by default, but at `PUBLIC_URL`, with
/// short timeouts and the browser assets of this checkout.
pub fn test_config() -> Config {
    Config {
        public_url: PUBLIC_URL.into(),
        site_dir: std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target/site"),
        rate_limit: 60,
        trusted_proxies: vec![],
        request_timeout: REQUEST_TIMEOUT,
        smtp: Default::default(),
        credential_recheck: CREDENTIAL_RECHECK,
        session_idle: std::time::Duration::from_secs(12 * 3600),
        session_absolute: std::time::Duration::from_secs(7 * 24 * 3600),
        recount: true,
    }
}

/// The app on one fresh database, with an organisation, an owner and a site.
pub struct TestApp {
    pub router: Router,
    pub store: Store,
    pub org: Org,
    pub owner: StaffRecord,
    pub token: String,
    pub site: Site,
    pub db: TestDatabase,
}

impl TestApp {
    pub async fn start(db: TestDatabase) -> TestApp {
        Self::start_with_config(db, test_config()).await
    }

    /// The app serving browser assets from `site_dir`.
    pub async fn start_with_assets(db: TestDatabase, site_dir: std::path::PathBuf) -> TestApp {
        Self::start_with_config(db, Config { site_dir, ..test_config() }).await
    }

    /// The app as `config` says.
    pub async fn start_with_config(db: TestDatabase, config: Config) -> TestApp {
        let store = Store::open(&db.url).await.unwrap_or_else(|e| panic!("open {}: {e}", db.label));
        let org = store.ensure_org("Acme").await.unwrap();
        let owner = store.add_user(&org, "owner@acme.test", "correct horse battery", Role::Owner).await.unwrap();
        let token = store.create_api_token(&owner, "tests").await.unwrap().1;
        let site = store
            .add_site(
                &org,
                NewSite { name: "Acme shop".into(), allowed_origins: vec![SHOP_ORIGIN.into()], require_email: false },
            )
            .await
            .unwrap();
        let router = router(AppState::new(config, store.clone()));
        TestApp { router, store, org, owner, token, site, db }
    }

    pub async fn send(&self, request: Request<Body>) -> TestResponse {
        let response = self.router.clone().oneshot(request).await.expect("the router never fails");
        TestResponse::read(response).await
    }

    pub fn submissions_url(&self) -> String {
        format!("/api/v1/sites/{}/submissions", self.site.site_key)
    }

    /// POSTs `body` as the shop's page would.
    pub async fn submit(&self, body: &Value) -> TestResponse {
        self.send(
            Request::post(self.submissions_url())
                .header(header::CONTENT_TYPE, "application/json")
                .header(header::ORIGIN, SHOP_ORIGIN)
                .body(Body::from(body.to_string()))
                .unwrap(),
        )
        .await
    }

    pub async fn admin_get(&self, uri: &str) -> TestResponse {
        self.send(
            Request::get(uri)
                .header(header::AUTHORIZATION, format!("Bearer {}", self.token))
                .body(Body::empty())
                .unwrap(),
        )
        .await
    }
}

impl TestApp {
    /// Sends `body` (JSON, when given) to `uri` with `token` as the bearer.
    pub async fn call(&self, method: &str, uri: &str, token: &str, body: Option<Value>) -> TestResponse {
        self.call_on(&self.router, method, uri, token, body).await
    }

    /// `call`, answered by `router` (another instance, say).
    pub async fn call_on(
        &self,
        router: &Router,
        method: &str,
        uri: &str,
        token: &str,
        body: Option<Value>,
    ) -> TestResponse {
        let request = Request::builder()
            .method(method)
            .uri(uri)
            .header(header::AUTHORIZATION, format!("Bearer {token}"))
            .header(header::CONTENT_TYPE, "application/json");
        let request = request.body(body.map_or_else(Body::empty, |b| Body::from(b.to_string()))).unwrap();
        TestResponse::read(router.clone().oneshot(request).await.expect("the router never fails")).await
    }

    /// Signs in through `POST /api/v1/auth/login`.
    pub async fn login(&self, email: &str, password: &str) -> TestResponse {
        self.send(
            Request::post("/api/v1/auth/login")
                .header(header::CONTENT_TYPE, "application/json")
                .body(Body::from(serde_json::json!({"email": email, "password": password}).to_string()))
                .unwrap(),
        )
        .await
    }

    /// A staff member of `org` with `role` and their API token.
    pub async fn staff(&self, org: &Org, email: &str, role: Role) -> (StaffRecord, String) {
        let staff = self.store.add_user(org, email, "a long enough password", role).await.unwrap();
        let token = self.store.create_api_token(&staff, "tests").await.unwrap().1;
        (staff, token)
    }

    /// Submits `body` and returns the new submission's id and tracking token.
    pub async fn submitted(&self, body: &Value) -> (String, String) {
        let answer = self.submit(body).await;
        assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.text);
        let receipt = answer.json();
        let token = receipt["track_url"].as_str().unwrap().rsplit('/').next().unwrap().to_owned();
        (receipt["id"].as_str().unwrap().to_owned(), token)
    }
}

pub struct TestResponse {
    pub status: StatusCode,
    pub headers: axum::http::HeaderMap,
    pub text: String,
}

impl TestResponse {
    async fn read(response: Response<Body>) -> Self {
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = response.into_body().collect().await.expect("body").to_bytes();
        TestResponse { status, headers, text: String::from_utf8_lossy(&bytes).into_owned() }
    }

    pub fn json(&self) -> Value {
        serde_json::from_str(&self.text).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.text))
    }

    /// The contract's error code, asserting the error shape on the way.
    pub fn error_code(&self) -> String {
        let body = self.json();
        assert!(body["error"]["message"].is_string(), "error without a message: {body}");
        body["error"]["code"].as_str().unwrap_or_else(|| panic!("no error code: {body}")).to_owned()
    }
}

pub fn new_id() -> String {
    uuid::Uuid::new_v4().to_string()
}

/// A complaint body with a fresh id.
pub fn complaint(message: &str) -> Value {
    serde_json::json!({ "id": new_id(), "kind": "complaint", "message": message, "email": "shopper@example.com" })
}

/// A valid rating body with a fresh id.
pub fn rating(score: i64, message: &str) -> Value {
    serde_json::json!({ "id": new_id(), "kind": "csat", "rating": score, "message": message })
}

/// A free TCP port on loopback.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// Starts the real `hark serve` binary (this build's, or `HARK_BIN` to probe another
/// build, such as the one before a fix) on a free port of `database_url`, with `env`
/// added, and waits until it accepts connections; its address as `host:port`.
pub async fn start_hark(database_url: &str, env: &[(&str, &str)]) -> (std::process::Child, String) {
    let addr = format!("127.0.0.1:{}", free_port());
    let binary = std::env::var("HARK_BIN").unwrap_or_else(|_| env!("CARGO_BIN_EXE_hark").to_owned());
    let child = std::process::Command::new(binary)
        .arg("serve")
        .env("HARK_ADDR", &addr)
        .env("DATABASE_URL", database_url)
        .envs(env.iter().copied())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    for _ in 0..200 {
        if tokio::net::TcpStream::connect(&addr).await.is_ok() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    (child, addr)
}

impl TestApp {
    /// Another instance of Hark on the same database, as a second server behind a load
    /// balancer would be.
    pub async fn another_instance(&self) -> Router {
        let store = Store::open(&self.db.url).await.unwrap();
        router(AppState::new(test_config(), store))
    }
}

/// A server-sent event stream being read.
pub struct EventStream {
    body: Body,
    buffer: String,
}

impl EventStream {
    /// Opens `GET /api/v1/admin/events` on `router` as `token`'s holder.
    pub async fn open(router: &Router, token: &str) -> EventStream {
        Self::open_with(router, header::AUTHORIZATION, &format!("Bearer {token}")).await
    }

    /// Opens `GET /api/v1/admin/events` on `router` with the credential `name: value`.
    pub async fn open_with(router: &Router, name: header::HeaderName, value: &str) -> EventStream {
        let request = Request::get("/api/v1/admin/events").header(name, value).body(Body::empty()).unwrap();
        let response = router.clone().oneshot(request).await.expect("the router never fails");
        assert_eq!(response.status(), StatusCode::OK);
        assert_eq!(response.headers()[header::CONTENT_TYPE], "text/event-stream");
        EventStream { body: response.into_body(), buffer: String::new() }
    }

    /// Whether the stream ends within `wait` (events before the end are skipped).
    pub async fn ends_within(&mut self, wait: std::time::Duration) -> bool {
        let deadline = tokio::time::Instant::now() + wait;
        loop {
            match tokio::time::timeout_at(deadline, self.body.frame()).await {
                Err(_) => return false,
                Ok(None) => return true,
                Ok(Some(_)) => {}
            }
        }
    }

    /// The next event's name and data, or `None` when none comes within `wait`.
    pub async fn next(&mut self, wait: std::time::Duration) -> Option<(String, Value)> {
        let deadline = tokio::time::Instant::now() + wait;
        loop {
            if let Some(end) = self.buffer.find("\n\n") {
                let block: String = self.buffer.drain(..end + 2).collect();
                let field =
                    |name: &str| block.lines().find_map(|l| l.strip_prefix(name).map(|v| v.trim_start().to_owned()));
                match (field("event:"), field("data:")) {
                    (Some(name), Some(data)) => return Some((name, serde_json::from_str(&data).unwrap())),
                    _ => continue, // a keep-alive comment
                }
            }
            let frame = tokio::time::timeout_at(deadline, self.body.frame()).await.ok()??.ok()?;
            if let Ok(data) = frame.into_data() {
                self.buffer.push_str(&String::from_utf8_lossy(&data));
            }
        }
    }
}
