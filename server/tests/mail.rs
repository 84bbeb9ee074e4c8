//! Replies by email, through a real SMTP server (aiosmtpd, from PyPI, which the test
//! command installs): the shopper's email arrives once, with their tracking link.

mod support;

use serde_json::json;
use std::io::Read;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// aiosmtpd on a free port, printing every message it receives.
fn smtp_server() -> (Child, u16) {
    let port = support::free_port();
    let child = Command::new(std::env::var("HARK_TEST_PYTHON").unwrap_or_else(|_| "python3".into()))
        .args(["-m", "aiosmtpd", "-n", "-c", "aiosmtpd.handlers.Debugging", "-l"])
        .arg(format!("127.0.0.1:{port}"))
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("python3 with aiosmtpd (pip install aiosmtpd; scripts/setup.sh does)");
    let started = Instant::now();
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(started.elapsed() < Duration::from_secs(10), "aiosmtpd did not start (is it installed?)");
        std::thread::sleep(Duration::from_millis(50));
    }
    (child, port)
}

#[tokio::test]
async fn a_reply_is_emailed_once_with_the_tracking_link() {
    let (mut smtp, smtp_port) = smtp_server();
    let mut output = smtp.stdout.take().unwrap();
    let received = std::sync::Arc::new(std::sync::Mutex::new(String::new()));
    let sink = received.clone();
    std::thread::spawn(move || {
        let mut buffer = [0u8; 4096];
        while let Ok(n) = output.read(&mut buffer) {
            if n == 0 {
                break;
            }
            sink.lock().unwrap().push_str(&String::from_utf8_lossy(&buffer[..n]));
        }
    });

    let db = support::sqlite().await;
    let port = smtp_port.to_string();
    let (mut hark, addr) = support::start_hark(
        &db.url,
        &[
            ("HARK_SMTP_HOST", "127.0.0.1"),
            ("HARK_SMTP_PORT", &port),
            ("HARK_SMTP_TLS", "none"),
            ("HARK_MAIL_FROM", "Northwind <support@northwind.example>"),
        ],
    )
    .await;
    let store = hark_core::Store::open(&db.url).await.unwrap();
    let org = store.first_org().await.unwrap().unwrap();
    let owner = store
        .add_user(&org, "agent@northwind.example", "a long enough password", hark_core::model::Role::Agent)
        .await
        .unwrap();
    let token = store.create_api_token(&owner, "tests").await.unwrap().1;
    let site = store
        .add_site(&org, hark_core::store::NewSite { name: "Northwind".into(), ..Default::default() })
        .await
        .unwrap();
    let client = reqwest::Client::new();
    let base = format!("http://{addr}");
    let receipt: serde_json::Value = client
        .post(format!("{base}/api/v1/sites/{}/submissions", site.site_key))
        .json(
            &json!({"id": support::new_id(), "kind": "complaint", "message": "Torn throw", "email": "ana@example.com"}),
        )
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let track_url = receipt["track_url"].as_str().unwrap().to_owned();
    let id = receipt["id"].as_str().unwrap();
    let reply: serde_json::Value = client
        .post(format!("{base}/api/v1/admin/submissions/{id}/replies"))
        .bearer_auth(&token)
        .json(&json!({"body": "Sorry! A new one ships today."}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(reply["delivery"], "email", "{reply}");

    let started = Instant::now();
    while !received.lock().unwrap().contains("Sorry! A new one ships today.") {
        assert!(started.elapsed() < Duration::from_secs(20), "no email arrived: {}", received.lock().unwrap());
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    // Long enough for the sender to have sent it twice if it would.
    tokio::time::sleep(Duration::from_secs(5)).await;
    let mail = received.lock().unwrap().clone();
    hark.kill().ok();
    smtp.kill().ok();
    assert_eq!(mail.matches("Sorry! A new one ships today.").count(), 1, "sent once: {mail}");
    assert!(mail.contains(&track_url), "the tracking link {track_url} is in: {mail}");
    assert!(mail.contains("To: ana@example.com"), "{mail}");
    assert!(mail.contains("support@northwind.example"), "{mail}");
    assert!(mail.contains("Subject: An answer to your feedback from Northwind"), "{mail}");
}
