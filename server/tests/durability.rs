//! A 2xx means committed: kill the server with SIGKILL in the middle of a load, start it
//! again, and every acknowledged submission is there.

mod support;

use hark_core::store::NewSite;
use std::collections::HashSet;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use support::backends;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

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

/// One HTTP/1.0 GET with a bearer token; the body if the status is 200.
async fn get_json(addr: &str, path: &str, token: &str) -> Option<serde_json::Value> {
    let mut stream = tokio::net::TcpStream::connect(addr).await.ok()?;
    let request = format!("GET {path} HTTP/1.0\r\nHost: {addr}\r\nAuthorization: Bearer {token}\r\n\r\n");
    stream.write_all(request.as_bytes()).await.ok()?;
    let mut response = String::new();
    stream.read_to_string(&mut response).await.ok()?;
    let (head, body) = response.split_once("\r\n\r\n")?;
    head.starts_with("HTTP/1.0 200").then(|| serde_json::from_str(body).ok())?
}

/// Starts `hark serve` on a free port of `database_url`, waiting until it answers.
async fn start_server(database_url: &str) -> (std::process::Child, String) {
    support::start_hark(database_url, &[("HARK_RATE_LIMIT", "0")]).await
}

/// `clients` tasks per address posting fresh submissions until their server is gone;
/// acknowledged ids go into `acknowledged`.
fn load(
    addrs: &[String],
    path: &str,
    clients: usize,
    acknowledged: &Arc<Mutex<Vec<String>>>,
    sent: &Arc<std::sync::atomic::AtomicUsize>,
) -> tokio::task::JoinSet<()> {
    let mut tasks = tokio::task::JoinSet::new();
    for addr in addrs {
        for _ in 0..clients {
            let (addr, path, acknowledged, sent) = (addr.clone(), path.to_owned(), acknowledged.clone(), sent.clone());
            tasks.spawn(async move {
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
    }
    tasks
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_acknowledged_submission_survives_sigkill() {
    for db in backends().await {
        let store = hark_core::Store::open(&db.url).await.unwrap();
        let org = store.ensure_org("Durable").await.unwrap();
        let site = store
            .add_site(&org, NewSite { name: "Durable".into(), allowed_origins: vec![], require_email: false })
            .await
            .unwrap();
        let (mut server, addr) = start_server(&db.url).await;
        let path = format!("/api/v1/sites/{}/submissions", site.site_key);
        let acknowledged = Arc::new(Mutex::new(Vec::new()));
        let sent = Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let mut clients = load(std::slice::from_ref(&addr), &path, 16, &acknowledged, &sent);
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
            let (page, next) = reopened.queue(&org.id, &Default::default(), 100, cursor.as_ref()).await.unwrap();
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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_instances_share_one_postgres_and_one_dying_loses_nothing() {
    let Some(db) = backends().await.into_iter().find(|db| db.label == "postgres") else {
        eprintln!("PostgreSQL SKIPPED: the scale-out test needs it");
        return;
    };
    let store = hark_core::Store::open(&db.url).await.unwrap();
    let org = store.ensure_org("Scale").await.unwrap();
    let owner = store.add_user(&org, "ops@scale.test", "a long password", hark_core::model::Role::Owner).await.unwrap();
    let token = store.create_api_token(&owner, "tests").await.unwrap().1;
    let site = store
        .add_site(&org, NewSite { name: "Scale".into(), allowed_origins: vec![], require_email: false })
        .await
        .unwrap();
    let (mut first, first_addr) = start_server(&db.url).await;
    let (mut second, second_addr) = start_server(&db.url).await;
    let path = format!("/api/v1/sites/{}/submissions", site.site_key);
    let acknowledged = Arc::new(Mutex::new(Vec::new()));
    let sent = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let mut doomed = load(std::slice::from_ref(&first_addr), &path, 8, &acknowledged, &sent);
    let mut survivors = load(std::slice::from_ref(&second_addr), &path, 8, &acknowledged, &sent);
    while acknowledged.lock().unwrap().len() < 300 {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    first.kill().unwrap();
    first.wait().unwrap();
    while doomed.join_next().await.is_some() {}
    tokio::time::sleep(Duration::from_millis(200)).await; // the other instance keeps taking submissions
    second.kill().unwrap();
    second.wait().unwrap();
    while survivors.join_next().await.is_some() {}

    // Both instances' acknowledgements are in the one database, and an instance sees
    // what the other stored: start a fresh one and list through its admin API.
    let acknowledged: HashSet<String> = acknowledged.lock().unwrap().iter().cloned().collect();
    let (mut third, third_addr) = start_server(&db.url).await;
    let mut listed = HashSet::new();
    let mut next = Some(String::new());
    while let Some(cursor) = next {
        let page = get_json(&third_addr, &format!("/api/v1/admin/submissions?limit=100&cursor={cursor}"), &token)
            .await
            .expect("the admin API answers");
        listed.extend(page["items"].as_array().unwrap().iter().map(|i| i["id"].as_str().unwrap().to_owned()));
        next = page["next_cursor"].as_str().map(str::to_owned);
    }
    third.kill().unwrap();
    third.wait().unwrap();
    let lost = acknowledged.difference(&listed).count();
    eprintln!(
        "postgres, 2 instances: {} sent, {} acknowledged, {} listed, {lost} acknowledged but lost",
        sent.load(std::sync::atomic::Ordering::Relaxed),
        acknowledged.len(),
        listed.len()
    );
    assert_eq!(lost, 0);
    store.close().await;
}
