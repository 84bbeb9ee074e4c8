//! The `hark` binary as an operator runs it.

mod support;

use serde_json::Value;
use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};
use support::backends;

const HARK: &str = env!("CARGO_BIN_EXE_hark");

/// Runs `hark ARGS --json` on `database_url`, feeding `stdin`; returns its JSON.
fn hark_json(database_url: &str, args: &[&str], stdin: &str) -> Value {
    let mut child = Command::new(HARK)
        .args(args)
        .arg("--json")
        .env("DATABASE_URL", database_url)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("hark runs");
    child.stdin.take().unwrap().write_all(stdin.as_bytes()).unwrap();
    let output = child.wait_with_output().unwrap();
    assert!(output.status.success(), "hark {args:?} failed: {}", String::from_utf8_lossy(&output.stderr));
    serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&output.stdout)))
}

#[tokio::test]
async fn user_token_and_site_commands_print_json_and_take_effect() {
    for db in backends().await {
        let url = db.url.clone();
        let user = hark_json(
            &url,
            &["user", "add", "--email", "Agent@Example.test", "--role", "agent", "--org", "Initech"],
            "a long password\n",
        );
        assert_eq!(user["org"], "Initech");
        assert!(user["user_id"].is_string());
        let token = hark_json(&url, &["token", "create", "--email", "agent@example.test"], "");
        let token = token["token"].as_str().unwrap().to_owned();
        let site = hark_json(
            &url,
            &["site", "add", "--name", "Initech store", "--origin", "https://initech.example", "--org", "Initech"],
            "",
        );
        let key = site["site_key"].as_str().unwrap();
        assert!(site["snippet"].as_str().unwrap().contains(&format!("data-site=\"{key}\"")));
        assert!(site["secret"].as_str().unwrap().len() >= 32);

        let store = hark_core::Store::open(&url).await.unwrap();
        let staff = store.staff_by_api_token(&token).await.unwrap().expect("the token acts as the user");
        assert_eq!(staff.member.email, "agent@example.test");
        assert_eq!(staff.member.org_name, "Initech");
        let stored = store.site_by_key(key).await.unwrap().expect("site stored");
        assert_eq!(stored.allowed_origins, ["https://initech.example"]);
        assert!(
            store.sign_in("agent@example.test", "a long password", std::net::Ipv4Addr::LOCALHOST.into()).await.is_ok(),
            "{}",
            db.label
        );
        store.close().await;
    }
}

#[test]
fn bad_command_input_is_a_clear_error_not_a_crash() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}/hark.db", dir.path().display());
    let output = Command::new(HARK)
        .args(["site", "add", "--name", "X", "--origin", "not a url"])
        .env("DATABASE_URL", &url)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&output.stderr).contains("origin"), "{}", String::from_utf8_lossy(&output.stderr));
    let output = Command::new(HARK)
        .args(["user", "add", "--email", "a@b.test", "--role", "boss"])
        .env("DATABASE_URL", &url)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2), "clap rejects an unknown role");
}

/// A plain HTTP/1.0 GET over a socket: the server as any client sees it.
fn get(addr: &str, path: &str) -> String {
    let mut stream = std::net::TcpStream::connect(addr).unwrap();
    write!(stream, "GET {path} HTTP/1.0\r\nHost: {addr}\r\n\r\n").unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    response
}

/// Starts `hark serve` on a free port and the SQLite file `database`; returns it with
/// everything it printed up to the demo shop's URL.
fn serve(database: &std::path::Path) -> (std::process::Child, String) {
    let mut child = Command::new(HARK)
        .arg("serve")
        .env("HARK_ADDR", "127.0.0.1:0")
        .env("DATABASE_URL", format!("sqlite://{}", database.display()))
        .env_remove("HARK_PUBLIC_URL")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut banner = String::new();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    while !banner.contains("Demo shop:") {
        banner.push_str(&lines.next().expect("banner line").unwrap());
        banner.push('\n');
    }
    (child, banner)
}

/// Sends SIGTERM and waits (10 s at most) for the exit.
fn terminate(child: &mut std::process::Child) -> std::process::ExitStatus {
    Command::new("kill").args(["-TERM", &child.id().to_string()]).status().unwrap();
    let started = Instant::now();
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            return status;
        }
        assert!(started.elapsed() < Duration::from_secs(10), "hark did not stop on SIGTERM");
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn first_run_prints_the_login_serves_and_stops_cleanly_on_sigterm() {
    let dir = tempfile::tempdir().unwrap();
    let database = dir.path().join("data/hark.db");
    let (mut child, banner) = serve(&database);
    assert!(banner.contains("Login:      owner@hark.local"), "{banner}");
    assert!(banner.contains("Password:"), "{banner}");
    let addr = banner.split("http://").nth(1).unwrap().split('/').next().unwrap().to_owned();
    assert!(get(&addr, "/healthz").starts_with("HTTP/1.0 200"));
    assert!(get(&addr, "/readyz").starts_with("HTTP/1.0 200"));
    let demo = get(&addr, "/demo");
    assert!(demo.contains(&format!("<script src=\"http://{addr}/widget.js\" data-site=\"pk_")), "{demo}");
    assert!(demo.to_lowercase().contains("content-security-policy: default-src 'none'"));
    let status = terminate(&mut child);
    assert!(status.success(), "clean exit, got {status}");
    assert!(database.exists(), "the SQLite file and its folder were created");

    // A second start on the same database creates nothing new and prints no password.
    let (mut second, again) = serve(&database);
    let status = terminate(&mut second);
    assert!(status.success(), "second run: {status}");
    assert!(!again.contains("Password:"), "{again}");
    assert!(again.contains("Login:      owner@hark.local (password printed at first run)"), "{again}");
}

#[test]
fn an_open_event_stream_does_not_hold_up_the_shutdown() {
    let dir = tempfile::tempdir().unwrap();
    let database = dir.path().join("hark.db");
    let url = format!("sqlite://{}", database.display());
    hark_json(
        &url,
        &["user", "add", "--email", "agent@example.test", "--role", "agent", "--org", "Acme"],
        "a long password\n",
    );
    let token = hark_json(&url, &["token", "create", "--email", "agent@example.test"], "")["token"]
        .as_str()
        .unwrap()
        .to_owned();
    let (mut child, banner) = serve(&database);
    let addr = banner.split("http://").nth(1).unwrap().split('/').next().unwrap().to_owned();
    let mut stream = std::net::TcpStream::connect(&addr).unwrap();
    write!(stream, "GET /api/v1/admin/events HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {token}\r\n\r\n")
        .unwrap();
    let mut reader = BufReader::new(stream);
    let mut seen = String::new();
    while !seen.contains("event: ready") {
        let mut line = String::new();
        assert!(reader.read_line(&mut line).unwrap() > 0, "the stream ended early: {seen}");
        seen.push_str(&line);
    }
    assert!(seen.starts_with("HTTP/1.1 200"), "{seen}");
    let status = terminate(&mut child);
    assert!(status.success(), "clean exit with a stream open, got {status}");
}
