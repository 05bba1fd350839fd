//! HTTPS in the binary: a county's own certificate files, replaced without a restart; HSTS; the
//! plain-HTTP listener that only redirects; and a certificate obtained by ACME from a local
//! pebble that really validates the HTTP-01 challenge against the server.

use std::net::SocketAddr;
use std::path::Path;
use std::time::Duration;

use anlan_server::serving::{Limits, Listeners};
use anlan_server::tls::{Https, acme::AcmeSettings};
use anlan_tests::pebble::Pebble;
use anlan_tests::tls::{TestCa, names_in};
use anlan_tests::*;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::oneshot;

struct Running {
    https: SocketAddr,
    http: SocketAddr,
    stop: oneshot::Sender<()>,
    task: tokio::task::JoinHandle<anyhow::Result<()>>,
}

async fn start(db: &TestDb, https: Https, static_dir: Option<&Path>, http: TcpListener) -> Running {
    start_limited(db, https, static_dir, http, Limits::default()).await
}

async fn start_limited(
    db: &TestDb,
    https: Https,
    static_dir: Option<&Path>,
    http: TcpListener,
    limits: Limits,
) -> Running {
    let main = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let (https_addr, http_addr) = (main.local_addr().unwrap(), http.local_addr().unwrap());
    let config = anlan_server::Config {
        https: Some(https),
        static_dir: static_dir.map(Path::to_path_buf),
        digest_hour: 24,
        limits,
        ..anlan_server::Config::new(db.url.clone())
    };
    let (stop, rx) = oneshot::channel();
    let task = tokio::spawn(anlan_server::run_on(
        config,
        Listeners { main, redirect: Some(http), metrics: None },
        async {
            let _ = rx.await;
        },
    ));
    Running { https: https_addr, http: http_addr, stop, task }
}

impl Running {
    async fn stop(self) {
        let _ = self.stop.send(());
        tokio::time::timeout(Duration::from_secs(10), self.task).await.unwrap().unwrap().unwrap();
    }
}

/// A fresh client each time, so no pooled connection hides a changed certificate.
fn client(root: &[u8], https: SocketAddr) -> reqwest::Client {
    reqwest::Client::builder()
        .add_root_certificate(reqwest::Certificate::from_pem(root).unwrap())
        .resolve("localhost", https)
        .tls_info(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

/// The DER of the certificate the server presented for `https://localhost/healthz`.
async fn served(root: &[u8], https: SocketAddr) -> Result<(reqwest::Response, Vec<u8>), reqwest::Error> {
    let res = client(root, https).get(format!("https://localhost:{}/healthz", https.port())).send().await?;
    let der = res.extensions().get::<reqwest::tls::TlsInfo>().unwrap().peer_certificate().unwrap().to_vec();
    Ok((res, der))
}

async fn eventually(what: &str, mut check: impl AsyncFnMut() -> bool) {
    for _ in 0..150 {
        if check().await {
            return;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    panic!("{what}: not within 30 s");
}

on_both_backends!(
    https_with_own_certificate_files_sends_hsts_redirects_plain_http_and_follows_a_replaced_certificate
);

async fn https_with_own_certificate_files_sends_hsts_redirects_plain_http_and_follows_a_replaced_certificate(
    b: Backend,
) {
    let db = TestDb::new(b).await;
    let ca = TestCa::new();
    let root = ca.root_pem();
    let (cert, key) = (ca.dir.join("served.pem"), ca.dir.join("served.key"));
    let first = ca.leaf("anlan-first");
    std::fs::copy(&first.cert, &cert).unwrap();
    std::fs::copy(&first.key, &key).unwrap();
    let http = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let app = start(&db, Https::Files { cert: cert.clone(), key: key.clone() }, None, http).await;

    let (res, der) = served(&root, app.https).await.expect("HTTPS answers");
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["strict-transport-security"], "max-age=31536000");
    assert!(names_in(&der, "anlan-first"));

    // Plain HTTP only redirects, to the same path and query over HTTPS.
    let res = client(&root, app.https)
        .get(format!("http://localhost:{}/api/v1/cases?unit=350481101", app.http.port()))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 308);
    assert_eq!(
        res.headers()["location"],
        format!("https://localhost:{}/api/v1/cases?unit=350481101", app.https.port()).as_str()
    );
    // An ACME token nobody is waiting for is a clean 404, not a redirect.
    let res = client(&root, app.https)
        .get(format!("http://127.0.0.1:{}/.well-known/acme-challenge/nope", app.http.port()))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 404);
    assert_eq!(res.json::<serde_json::Value>().await.unwrap()["code"], "not_found");

    // A half-done rotation (the new certificate beside the old key) is refused: the old pair
    // goes on being served.
    let second = ca.leaf("anlan-second");
    std::fs::copy(&second.cert, &cert).unwrap();
    tokio::time::sleep(Duration::from_secs(3)).await;
    let (_, der) = served(&root, app.https).await.expect("still served after a broken rotation");
    assert!(names_in(&der, "anlan-first"), "a mismatched key must not replace a working certificate");
    // The rotation completed: the next connection gets the new certificate, no restart.
    std::fs::copy(&second.key, &key).unwrap();
    eventually("the replaced certificate is served", async || {
        served(&root, app.https).await.is_ok_and(|(_, der)| names_in(&der, "anlan-second"))
    })
    .await;
    app.stop().await;
}

on_both_backends!(the_https_and_redirect_listeners_cap_connections_and_cut_off_half_sent_requests);

async fn the_https_and_redirect_listeners_cap_connections_and_cut_off_half_sent_requests(b: Backend) {
    let db = TestDb::new(b).await;
    let ca = TestCa::new();
    let root = ca.root_pem();
    let leaf = ca.leaf("anlan-capped");
    let limits = Limits { header_read_timeout: Duration::from_secs(1), max_connections: 3 };
    let http = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let app = start_limited(&db, Https::Files { cert: leaf.cert, key: leaf.key }, None, http, limits).await;

    // The redirect listener cuts off a request head that never ends.
    let mut slow = TcpStream::connect(app.http).await.unwrap();
    slow.write_all(b"GET / HTTP/1.1\r\nHost: localhost\r\n").await.unwrap();
    let mut buf = [0u8; 256];
    let read = tokio::time::timeout(Duration::from_secs(5), slow.read(&mut buf)).await;
    assert!(matches!(read, Ok(Ok(0)) | Ok(Err(_))), "the half-sent request was left open: {read:?}");

    // Connections that never even start TLS count against the HTTPS listener's cap.
    let mut held = Vec::new();
    for _ in 0..3 {
        held.push(TcpStream::connect(app.https).await.unwrap());
    }
    let (root2, https) = (root.clone(), app.https);
    let waiting = tokio::spawn(async move { served(&root2, https).await.map(|(r, _)| r.status()) });
    tokio::time::sleep(Duration::from_millis(800)).await;
    assert!(!waiting.is_finished(), "a fourth connection was served while three were open");
    drop(held);
    let status = tokio::time::timeout(Duration::from_secs(5), waiting).await.unwrap().unwrap().unwrap();
    assert_eq!(status, 200);
    app.stop().await;
}

on_both_backends!(an_acme_certificate_from_pebble_serves_the_app_and_is_reused_after_a_restart);

async fn an_acme_certificate_from_pebble_serves_the_app_and_is_reused_after_a_restart(b: Backend) {
    let db = TestDb::new(b).await;
    let ca = TestCa::new();
    let site = ca.dir.join("site");
    std::fs::create_dir_all(&site).unwrap();
    std::fs::write(site.join("index.html"), "<!doctype html><title>安澜</title>").unwrap();
    let http = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let pebble = Pebble::start(&ca, http.local_addr().unwrap().port()).await;
    let settings = AcmeSettings {
        domains: vec!["localhost".into()],
        contact: vec!["mailto:it@county.example".into()],
        directory: pebble.directory.clone(),
        directory_root: Some(ca.dir.join("ca.pem")),
        dir: ca.dir.join("acme"),
        renew_before: Duration::from_secs(30 * 24 * 3600),
    };
    let app = start(&db, Https::Acme(settings.clone()), Some(&site), http).await;
    let issuer = pebble.issuing_root(&ca).await;
    // Pebble validates the challenge on the redirect listener, then issues.
    eventually("the ACME certificate is served", async || served(&issuer, app.https).await.is_ok()).await;
    let res = client(&issuer, app.https)
        .get(format!("https://localhost:{}/", app.https.port()))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert!(res.headers().contains_key("strict-transport-security"));
    assert!(res.text().await.unwrap().contains("安澜"));
    let http_port = app.http.port();
    app.stop().await;

    // Restarted with the CA gone: the certificate kept in the data folder is served at once.
    drop(pebble);
    let http = TcpListener::bind(("127.0.0.1", http_port)).await.unwrap();
    let app = start(&db, Https::Acme(settings), Some(&site), http).await;
    let (res, _) = served(&issuer, app.https).await.expect("the cached certificate is served");
    assert_eq!(res.status(), 200);
    app.stop().await;
}
