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

/// Hark sending through a real SMTP server, with a staff member of `role` and their
/// API token; the server's output is gathered in `received`.
struct Mailing {
    smtp: Child,
    hark: Child,
    received: std::sync::Arc<std::sync::Mutex<String>>,
    base: String,
    store: hark_core::Store,
    org: hark_core::store::Org,
    token: String,
    _db: support::TestDatabase,
}

impl Mailing {
    async fn start(email: &str, role: hark_core::model::Role) -> Mailing {
        let (mut smtp, smtp_port) = smtp_server();
        let received = read_all(&mut smtp);
        let db = support::sqlite().await;
        let port = smtp_port.to_string();
        let env = [
            ("HARK_SMTP_HOST", "127.0.0.1"),
            ("HARK_SMTP_PORT", &port),
            ("HARK_SMTP_TLS", "none"),
            ("HARK_MAIL_FROM", "Northwind <support@northwind.example>"),
        ];
        let (hark, addr) = support::start_hark(&db.url, &env).await;
        let store = hark_core::Store::open(&db.url).await.unwrap();
        let org = store.first_org().await.unwrap().unwrap();
        let staff = store.add_user(&org, email, "a long enough password", role).await.unwrap();
        let token = store.create_api_token(&staff, "tests").await.unwrap().1;
        Mailing { smtp, hark, received, base: format!("http://{addr}"), store, org, token, _db: db }
    }

    /// Waits until the SMTP server has printed `what`.
    async fn wait_for(&self, what: &str) {
        let started = Instant::now();
        while !self.received.lock().unwrap().contains(what) {
            assert!(started.elapsed() < Duration::from_secs(20), "no email arrived: {}", self.received.lock().unwrap());
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Stops both servers: what the SMTP server printed.
    fn stop(self) -> String {
        let mail = self.received.lock().unwrap().clone();
        mail
    }
}

/// Both servers stop with the test, whether it passes or fails.
impl Drop for Mailing {
    fn drop(&mut self) {
        self.hark.kill().ok();
        self.smtp.kill().ok();
    }
}

#[tokio::test]
async fn a_reply_is_emailed_once_with_the_tracking_link() {
    let mailing = Mailing::start("agent@northwind.example", hark_core::model::Role::Agent).await;
    let site = mailing
        .store
        .add_site(&mailing.org, hark_core::store::NewSite { name: "Northwind".into(), ..Default::default() })
        .await
        .unwrap();
    let client = reqwest::Client::new();
    let base = &mailing.base;
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
        .bearer_auth(&mailing.token)
        .json(&json!({"body": "Sorry! A new one ships today."}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(reply["delivery"], "email", "{reply}");
    mailing.wait_for("Sorry! A new one ships today.").await;
    // Long enough for the sender to have sent it twice if it would.
    tokio::time::sleep(Duration::from_secs(5)).await;
    let mail = mailing.stop();
    assert_eq!(mail.matches("Sorry! A new one ships today.").count(), 1, "sent once: {mail}");
    assert!(mail.contains(&track_url), "the tracking link {track_url} is in: {mail}");
    assert!(mail.contains("To: ana@example.com"), "{mail}");
    assert!(mail.contains("support@northwind.example"), "{mail}");
    assert!(mail.contains("Subject: An answer to your feedback from Northwind"), "{mail}");
}

#[tokio::test]
async fn an_invitation_is_emailed_with_its_link_in_english_and_chinese() {
    let mailing = Mailing::start("boss@northwind.example", hark_core::model::Role::Owner).await;
    let invited: serde_json::Value = reqwest::Client::new()
        .post(format!("{}/api/v1/admin/people", mailing.base))
        .bearer_auth(&mailing.token)
        .json(&json!({"email": "bo@northwind.example", "role": "agent"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let link = invited["invite_url"].as_str().unwrap().to_owned();
    mailing.wait_for("END MESSAGE").await;
    let mail = mailing.stop();
    assert!(mail.contains("To: bo@northwind.example"), "{mail}");
    // The message as a mail client reads it (lettre sends a Chinese body encoded).
    let raw = mail.split("MESSAGE FOLLOWS ----------\n").nth(1).unwrap().split("\n------------ END").next().unwrap();
    let raw = raw.replace('\n', "\r\n");
    let parsed = mailparse::parse_mail(raw.as_bytes()).unwrap();
    let subject = parsed.headers.iter().find(|h| h.get_key() == "Subject").unwrap().get_value();
    assert!(subject.contains("Join") && subject.contains("加入"), "{subject}");
    let body = parsed.get_body().unwrap();
    assert_eq!(body.matches(&link).count(), 2, "the link, in each language: {body}");
    assert!(body.contains("Choose a password here") && body.contains("请在此设置密码"), "{body}");
}

/// Everything the SMTP server prints, as it comes.
fn read_all(smtp: &mut Child) -> std::sync::Arc<std::sync::Mutex<String>> {
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
    received
}
