//! Browser assets: the stable loader URL, hashed files cached forever, precompression.

mod support;

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use std::fs;
use support::{backends, TestApp};

/// A site folder shaped like `cargo xtask build` output.
fn site_dir() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let pkg = dir.path().join("pkg");
    fs::create_dir_all(&pkg).unwrap();
    fs::write(dir.path().join("manifest.json"), r#"{"admin_js":"admin-boot.1111.js","admin_css":"admin.2222.css"}"#)
        .unwrap();
    fs::write(dir.path().join("widget.js"), "/* loader */").unwrap();
    fs::write(pkg.join("widget.3333.js"), "export default 1;").unwrap();
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    std::io::Write::write_all(&mut gz, b"export default 1;").unwrap();
    fs::write(pkg.join("widget.3333.js.gz"), gz.finish().unwrap()).unwrap();
    dir
}

#[tokio::test]
async fn hashed_files_are_immutable_and_the_loader_is_briefly_cached() {
    let site = site_dir();
    let db = backends().await.into_iter().next().unwrap();
    let app = TestApp::start_with_assets(db, site.path().to_path_buf()).await;

    let loader = app.send(Request::get("/widget.js").body(Body::empty()).unwrap()).await;
    assert_eq!(loader.status, StatusCode::OK);
    assert_eq!(loader.text, "/* loader */");
    assert_eq!(loader.headers[header::CACHE_CONTROL], "public, max-age=300");
    assert!(loader.headers[header::CONTENT_TYPE].to_str().unwrap().starts_with("text/javascript"));

    let hashed = app.send(Request::get("/pkg/widget.3333.js").body(Body::empty()).unwrap()).await;
    assert_eq!(hashed.status, StatusCode::OK);
    assert_eq!(hashed.headers[header::CACHE_CONTROL], "public, max-age=31536000, immutable");
    assert_eq!(hashed.headers[header::ACCESS_CONTROL_ALLOW_ORIGIN], "*", "merchants' pages import it cross-origin");

    let gzipped = app
        .send(Request::get("/pkg/widget.3333.js").header(header::ACCEPT_ENCODING, "gzip").body(Body::empty()).unwrap())
        .await;
    assert_eq!(gzipped.headers[header::CONTENT_ENCODING], "gzip");

    let missing = app.send(Request::get("/pkg/widget.0000.js").body(Body::empty()).unwrap()).await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn the_admin_page_loads_the_hashed_bundle_from_the_manifest() {
    let site = site_dir();
    let db = backends().await.into_iter().next().unwrap();
    let app = TestApp::start_with_assets(db, site.path().to_path_buf()).await;
    let login = app.send(Request::get("/admin/login").body(Body::empty()).unwrap()).await;
    assert_eq!(login.status, StatusCode::OK);
    assert!(login.text.contains(r#"<script type="module" src="/pkg/admin-boot.1111.js">"#), "{}", login.text);
    assert!(login.text.contains(r#"href="/pkg/admin.2222.css""#));
    assert!(login.text.contains("<label for=\"email\">Email</label>"));
}
