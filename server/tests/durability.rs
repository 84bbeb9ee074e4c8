//! A 2xx means committed: kill the server with SIGKILL in the middle of a load, start it
//! again, and every acknowledged submission is there.

mod support;

use hark_core::store::NewSite;
use std::collections::HashSet;
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use support::backends;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

const HARK: &str = env!("CARGO_BIN_EXE_hark");

/// One HTTP/1.0 POST; `Some(status)` if a whole response came back.
async fn post(addr: &str, path: &str, body: &str) -> Option<u16> {
    let mut stream = tokio::net::TcpStream::connect(addr).await.ok()?;
    let request = format!(
        "POST {path} HTTP/1.0\r\nHost: {addr}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    );
    stream.write_all(request.as_bytes()).await.ok()?;
    let mut response = String::new();
    stream.read_to_string(&mut response).await.ok()?;
    response.split_whitespace().nth(1)?.parse().ok()
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_acknowledged_submission_survives_sigkill() {
    for db in backends().await {
        let store = hark_core::Store::open(&db.url).await.unwrap();
        let org = store.ensure_org("Durable").await.unwrap();
        let site = store.add_site(&org, NewSite { name: "Durable".into(), allowed_origins: vec![] }).await.unwrap();
        let addr = format!("127.0.0.1:{}", free_port());
        let mut server = Command::new(HARK)
            .arg("serve")
            .env("HARK_ADDR", &addr)
            .env("DATABASE_URL", &db.url)
            .env("HARK_RATE_LIMIT", "0")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let path = format!("/api/v1/sites/{}/submissions", site.site_key);
        for _ in 0..100 {
            if tokio::net::TcpStream::connect(&addr).await.is_ok() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }

        let acknowledged = Arc::new(Mutex::new(Vec::new()));
        let sent = Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let mut clients = tokio::task::JoinSet::new();
        for _ in 0..16 {
            let (addr, path, acknowledged, sent) = (addr.clone(), path.clone(), acknowledged.clone(), sent.clone());
            clients.spawn(async move {
                loop {
                    let id = uuid::Uuid::new_v4().to_string();
                    let body = format!(r#"{{"id":"{id}","kind":"csat","rating":5,"message":"durable"}}"#);
                    sent.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    match post(&addr, &path, &body).await {
                        Some(201) => acknowledged.lock().unwrap().push(id),
                        Some(status) => panic!("unexpected status {status}"),
                        None => return, // the server is gone
                    }
                }
            });
        }
        while acknowledged.lock().unwrap().len() < 300 {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        server.kill().unwrap(); // SIGKILL: no shutdown, no flush
        server.wait().unwrap();
        while clients.join_next().await.is_some() {}

        let acknowledged = acknowledged.lock().unwrap().clone();
        let sent = sent.load(std::sync::atomic::Ordering::Relaxed);
        let reopened = hark_core::Store::open(&db.url).await.unwrap();
        let mut stored = HashSet::new();
        let mut cursor = None;
        loop {
            let (page, next) = reopened.queue(&org.id, 100, cursor.as_ref()).await.unwrap();
            stored.extend(page.into_iter().map(|item| item.id));
            match next {
                Some(next) => cursor = Some(next),
                None => break,
            }
        }
        let lost: Vec<&String> = acknowledged.iter().filter(|id| !stored.contains(*id)).collect();
        eprintln!(
            "{}: {} sent, {} acknowledged, {} stored, {} unacknowledged, {} acknowledged but lost",
            db.label,
            sent,
            acknowledged.len(),
            stored.len(),
            sent - acknowledged.len(),
            lost.len()
        );
        assert!(lost.is_empty(), "{}: acknowledged but lost: {lost:?}", db.label);
        assert!(stored.len() >= acknowledged.len());
        reopened.close().await;
        store.close().await;
    }
}
