//! The public edge as a stranger meets it: the real `hark` binary on a socket, probed
//! with floods of made-up keys, stalled bodies, idle and trickling connections.

mod support;

use hark_core::store::NewSite;
use std::time::{Duration, Instant};
use support::{start_hark, TestDatabase};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// A SQLite database with one real site, and `hark serve` on it with `env`.
struct Server {
    child: std::process::Child,
    addr: String,
    site_key: String,
    _db: TestDatabase,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

async fn server(env: &[(&str, &str)]) -> Server {
    let db = support::sqlite().await;
    let store = hark_core::Store::open(&db.url).await.unwrap();
    let org = store.ensure_org("Acme").await.unwrap();
    let site =
        NewSite { name: "Acme".into(), allowed_origins: vec![support::SHOP_ORIGIN.into()], require_email: false };
    let site_key = store.add_site(&org, site).await.unwrap().site_key;
    store.close().await;
    let (child, addr) = start_hark(&db.url, env).await;
    Server { child, addr, site_key, _db: db }
}

/// The server's resident memory in KiB.
fn rss_kib(server: &Server) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{}/status", server.child.id())).unwrap();
    let line = status.lines().find(|l| l.starts_with("VmRSS:")).unwrap();
    line.split_whitespace().nth(1).unwrap().parse().unwrap()
}

/// `count` requests, 8 at a time, each built by `request(n)`; every answer must be a 4xx.
async fn flood(count: usize, request: impl Fn(usize) -> reqwest::RequestBuilder) {
    use futures_util::StreamExt;
    let answers =
        futures_util::stream::iter((0..count).map(|n| request(n).send())).buffer_unordered(8).collect::<Vec<_>>().await;
    for answer in answers {
        let status = answer.expect("every request is answered").status();
        assert!(status.is_client_error(), "a made-up key got {status}");
    }
}

#[tokio::test]
async fn a_flood_of_unknown_site_keys_of_every_shape_leaves_memory_where_it_was() {
    let server = server(&[]).await;
    let base = format!("http://{}", server.addr);
    let client = reqwest::Client::new();
    let real = format!("{base}/api/v1/sites/{}/config", server.site_key);
    assert_eq!(client.get(&real).send().await.unwrap().status(), 200);
    let before = rss_kib(&server);
    let long_key = |n: usize| format!("{n:06}{}", "k".repeat(60_000));
    let issued_shape = |n: usize| format!("pk_{:024x}", n as u128 * 0x9e37_79b9_7f4a_7c15);
    let body = r#"{"id":"0190c0de-0000-7000-8000-000000000001","kind":"csat","rating":5}"#;
    flood(800, |n| client.get(format!("{base}/api/v1/sites/{}/config", long_key(n)))).await;
    flood(800, |n| {
        client
            .post(format!("{base}/api/v1/sites/{}/submissions", long_key(n)))
            .header("content-type", "application/json")
            .body(body)
    })
    .await;
    flood(3_000, |n| client.get(format!("{base}/api/v1/sites/{}/config", issued_shape(n)))).await;
    flood(3_000, |n| {
        client
            .post(format!("{base}/api/v1/sites/{}/submissions", issued_shape(n + 3_000)))
            .header("content-type", "application/json")
            .header("origin", format!("https://shop{n}.example"))
            .body(body)
    })
    .await;
    flood(500, |n| client.get(format!("{base}/api/v1/track/{}", long_key(n)))).await;
    let after = rss_kib(&server);
    let grown_mib = after.saturating_sub(before) / 1024;
    eprintln!("RSS {before} KiB before, {after} KiB after 8,100 made-up keys (+{grown_mib} MiB)");
    assert!(grown_mib < 30, "memory grew by {grown_mib} MiB ({before} → {after} KiB)");
    assert_eq!(client.get(&real).send().await.unwrap().status(), 200, "the real site still answers");
}

/// Sends `head` and a few bytes of the body it announces, then waits: the status line of
/// the answer, and how long it took to come.
async fn stalled_post(addr: &str, head: &str) -> (String, Duration) {
    let mut stream = TcpStream::connect(addr).await.unwrap();
    stream.write_all(head.as_bytes()).await.unwrap();
    stream.write_all(b"{\"id\":").await.unwrap();
    let started = Instant::now();
    let mut answer = vec![0; 512];
    let read = tokio::time::timeout(Duration::from_secs(10), stream.read(&mut answer)).await;
    let read = read.expect("an answer before the request timeout").unwrap();
    let text = String::from_utf8_lossy(&answer[..read]).into_owned();
    (text.lines().next().unwrap_or_default().to_owned(), started.elapsed())
}

#[tokio::test]
async fn what_the_headers_decide_is_answered_without_waiting_for_the_body() {
    let server = server(&[("HARK_RATE_LIMIT", "1"), ("HARK_REQUEST_TIMEOUT", "15")]).await;
    let addr = &server.addr;
    let head = |key: &str, content_type: &str, length: u64, extra: &str| {
        format!(
            "POST /api/v1/sites/{key}/submissions HTTP/1.1\r\nHost: {addr}\r\nContent-Type: {content_type}\r\n\
             Content-Length: {length}\r\n{extra}\r\n"
        )
    };
    let key = server.site_key.as_str();
    let unknown = "pk_000000000000000000000000";
    // Use up this client's one submission a minute, so the next is rate limited.
    let body = r#"{"id":"0190c0de-0000-7000-8000-000000000002","kind":"csat","rating":5}"#;
    let mut first = TcpStream::connect(addr).await.unwrap();
    first
        .write_all(format!("{}{body}", head(key, "application/json", body.len() as u64, "")).as_bytes())
        .await
        .unwrap();
    let mut answer = vec![0; 512];
    let read = first.read(&mut answer).await.unwrap();
    assert!(String::from_utf8_lossy(&answer[..read]).starts_with("HTTP/1.1 201"));
    for (head, expected) in [
        (head(unknown, "application/json", 1_000, ""), "404"),
        (head(key, "text/plain", 1_000, ""), "415"),
        (head(key, "application/json", 1_000, "Content-Encoding: deflate\r\n"), "415"),
        (head(key, "application/json", 1_000_000, ""), "413"),
        (head(key, "application/json", 1_000, "Origin: https://evil.example\r\n"), "403"),
    ] {
        let (status, took) = stalled_post(addr, &head).await;
        assert!(status.contains(expected), "expected {expected}, got {status:?}");
        assert!(took < Duration::from_secs(5), "{expected} took {took:?}: the body was waited for");
    }
    // Rate limited last: the tries above were decided before the limiter counted them.
    let (status, _) = stalled_post(addr, &head(key, "application/json", 1_000, "")).await;
    assert!(status.contains("429"), "got {status:?}");
}

/// Whether the server closes `stream` within `within` (a read sees the end, or a reset).
async fn closed_within(stream: &mut TcpStream, within: Duration) -> bool {
    let mut buf = [0u8; 1024];
    let deadline = Instant::now() + within;
    loop {
        match tokio::time::timeout_at(deadline.into(), stream.read(&mut buf)).await {
            Err(_) => return false,
            Ok(Ok(0)) | Ok(Err(_)) => return true,
            Ok(Ok(_)) => continue, // an answer (e.g. 408) before the close
        }
    }
}

#[tokio::test]
async fn idle_partial_and_trickling_connections_are_closed() {
    let server = server(&[("HARK_HEADER_TIMEOUT", "1")]).await;
    let addr = &server.addr;
    let mut idle = TcpStream::connect(addr).await.unwrap();
    let mut partial = TcpStream::connect(addr).await.unwrap();
    partial.write_all(b"GET /heal").await.unwrap();
    let mut kept_alive = TcpStream::connect(addr).await.unwrap();
    kept_alive.write_all(format!("GET /healthz HTTP/1.1\r\nHost: {addr}\r\n\r\n").as_bytes()).await.unwrap();
    let mut trickle = TcpStream::connect(addr).await.unwrap();
    trickle.write_all(format!("GET /healthz HTTP/1.1\r\nHost: {addr}\r\n").as_bytes()).await.unwrap();
    let trickling = tokio::spawn(async move {
        for n in 0..20 {
            tokio::time::sleep(Duration::from_millis(300)).await;
            if trickle.write_all(format!("X-Slow-{n}: 1\r\n").as_bytes()).await.is_err() {
                return true;
            }
        }
        false
    });
    for (name, stream) in [("idle", &mut idle), ("partial request line", &mut partial), ("kept alive", &mut kept_alive)]
    {
        assert!(closed_within(stream, Duration::from_secs(4)).await, "{name} connection still open after 4 s");
    }
    assert!(trickling.await.unwrap(), "a header every 300 ms kept the connection open for 6 s");
}

#[tokio::test]
async fn one_address_holds_only_so_many_connections() {
    let server = server(&[("HARK_CONNECTIONS_PER_CLIENT", "4"), ("HARK_HEADER_TIMEOUT", "30")]).await;
    let addr = &server.addr;
    let health = format!("GET /healthz HTTP/1.1\r\nHost: {addr}\r\n\r\n");
    let mut held = Vec::new();
    for _ in 0..4 {
        // Answered, so surely accepted and counted; then kept open.
        let mut stream = TcpStream::connect(addr).await.unwrap();
        stream.write_all(health.as_bytes()).await.unwrap();
        let mut answer = [0u8; 256];
        assert!(stream.read(&mut answer).await.unwrap() > 0);
        held.push(stream);
    }
    let mut fifth = TcpStream::connect(addr).await.unwrap();
    let _ = fifth.write_all(health.as_bytes()).await;
    assert!(closed_within(&mut fifth, Duration::from_secs(5)).await, "a fifth connection was served");
    drop(held.pop());
    tokio::time::sleep(Duration::from_millis(200)).await;
    let answer = reqwest::get(format!("http://{addr}/healthz")).await.unwrap();
    assert_eq!(answer.status(), 200, "a freed slot takes a new connection");
}

#[tokio::test]
async fn a_flood_of_sign_ins_is_turned_away_with_retry_after_not_queued() {
    let server = server(&[]).await;
    let base = format!("http://{}", server.addr);
    let client = reqwest::Client::new();
    let sign_in = || {
        client
            .post(format!("{base}/admin/fn/login"))
            .header("content-type", "application/x-www-form-urlencoded")
            .header("sec-fetch-site", "same-origin")
            .body("email=owner%40hark.local&password=not+the+password")
            .send()
    };
    let attempts: Vec<_> = (0..32).map(|_| tokio::spawn(sign_in())).collect();
    let health = client.get(format!("{base}/healthz")).send().await.unwrap();
    assert_eq!(health.status(), 200, "the server answers while sign-ins are checked");
    let (mut refused, mut wrong) = (0, 0);
    for attempt in attempts {
        let answer = attempt.await.unwrap().unwrap();
        match answer.status().as_u16() {
            401 => wrong += 1,
            503 => {
                assert_eq!(answer.headers()["retry-after"], "1");
                refused += 1;
            }
            other => panic!("a sign-in got {other}"),
        }
    }
    assert!(refused > 0 && wrong > 0, "{wrong} checked, {refused} turned away");
    eprintln!("32 concurrent sign-ins: {wrong} checked (401), {refused} turned away (503)");
}
