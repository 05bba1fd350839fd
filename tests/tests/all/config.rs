//! The settings file: flag > environment > file > built-in default, secrets masked in
//! `config check`, a misspelt setting refused, and `serve` running on the file alone.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

use anlan_tests::*;

const BIN: &str = env!("CARGO_BIN_EXE_anlan-under-test");

fn settings(toml: &str) -> std::path::PathBuf {
    let p = std::env::temp_dir().join(format!("anlan-{}.toml", uuid::Uuid::new_v4()));
    std::fs::write(&p, toml).unwrap();
    p
}

fn check(file: &std::path::Path, env: &[(&str, &str)], flags: &[&str]) -> (bool, String, String) {
    let out = Command::new(BIN)
        .args(["config", "check", "--config"])
        .arg(file)
        .args(flags)
        .envs(env.iter().copied())
        .env("RUST_BACKTRACE", "0")
        .output()
        .unwrap();
    (out.status.success(), String::from_utf8(out.stdout).unwrap(), String::from_utf8(out.stderr).unwrap())
}

#[test]
fn a_flag_beats_the_environment_which_beats_the_file_which_beats_the_default() {
    let file = settings(
        "listen = \"0.0.0.0:8443\"\ncache_docs = 123\ndigest_hour = 20\n\
         database_url = \"postgres://anlan:s3cret@db.county/anlan\"\ntrusted_proxy = [\"10.0.0.0/8\", \"127.0.0.1\"]\n",
    );
    let (ok, out, err) = check(
        &file,
        &[("ANLAN_LISTEN", "127.0.0.1:7777"), ("ANLAN_DIGEST_HOUR", "21")],
        &["--digest-hour", "22"],
    );
    assert!(ok, "{err}");
    assert!(out.contains("digest_hour = \"22\"  # command line"), "{out}");
    assert!(out.contains("listen = \"127.0.0.1:7777\"  # environment"), "{out}");
    assert!(out.contains("cache_docs = \"123\"  # file"), "{out}");
    assert!(out.contains("trusted_proxy = [\"10.0.0.0/8\", \"127.0.0.1\"]  # file"), "{out}");
    assert!(out.contains("escalate_after = \"900\"  # default"), "{out}");
    assert!(out.contains("postgres://anlan:********@db.county/anlan"), "{out}");
    assert!(!out.contains("s3cret"), "the password must not be printed: {out}");
    std::fs::remove_file(file).unwrap();
}

#[test]
fn a_misspelt_setting_is_refused_by_name() {
    let file = settings("tls_crt = \"/etc/anlan/cert.pem\"\n");
    let (ok, _, err) = check(&file, &[], &[]);
    assert!(!ok);
    assert!(err.contains("unknown setting(s) [\"tls_crt\"]"), "{err}");
    // A value the option itself refuses is refused the same way as on the command line.
    std::fs::write(&file, "digest_hour = 25\n").unwrap();
    let (ok, _, err) = check(&file, &[], &[]);
    assert!(!ok, "{err}");
    assert!(err.contains("digest-hour"), "{err}");
    std::fs::remove_file(file).unwrap();
}

#[tokio::test]
async fn serve_runs_on_the_settings_file_alone() {
    let db = TestDb::new(Backend::Sqlite).await;
    let file = settings(&format!(
        "listen = \"127.0.0.1:0\"\ndatabase_url = \"{}\"\nstatic_dir = \"/nonexistent\"\n",
        db.url
    ));
    let mut child = Command::new(BIN)
        .args(["serve", "--config"])
        .arg(&file)
        .env("RUST_LOG", "warn")
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let line = BufReader::new(child.stdout.take().unwrap()).lines().next().unwrap().unwrap();
    let url = line.strip_prefix("listening on ").expect("the server announces its address").to_string();
    let res = reqwest::get(format!("{url}/healthz")).await.unwrap();
    assert_eq!(res.status(), 200);
    child.kill().unwrap();
    child.wait().unwrap();
    std::fs::remove_file(file).unwrap();
}

#[test]
fn connection_limits_and_metrics_access_are_settings_like_any_other() {
    let file = settings(
        "header_read_timeout = \"5s\"\nmax_connections = 100\nmetrics_listen = \"127.0.0.1:9100\"\n\
         metrics_token_file = \"/etc/anlan/metrics.token\"\n",
    );
    let (ok, out, err) = check(&file, &[("ANLAN_MAX_CONNECTIONS", "200")], &[]);
    assert!(ok, "{err}");
    assert!(out.contains("header_read_timeout = \"5s\"  # file"), "{out}");
    assert!(out.contains("max_connections = \"200\"  # environment"), "{out}");
    assert!(out.contains("metrics_listen = \"127.0.0.1:9100\"  # file"), "{out}");
    std::fs::write(&file, "header_read_timeout = \"soon\"\n").unwrap();
    let (ok, _, err) = check(&file, &[], &[]);
    assert!(!ok);
    assert!(err.contains("header-read-timeout"), "{err}");
    std::fs::remove_file(file).unwrap();
}

#[tokio::test]
async fn metrics_can_be_served_apart_and_behind_a_token_file() {
    let db = TestDb::new(Backend::Sqlite).await;
    let token = settings("  scrape-me-if-you-can-0123  \n");
    let file = settings(&format!(
        "listen = \"127.0.0.1:0\"\ndatabase_url = \"{}\"\nstatic_dir = \"/nonexistent\"\n\
         metrics_listen = \"127.0.0.1:0\"\nmetrics_token_file = \"{}\"\n",
        db.url,
        token.display()
    ));
    let mut child = Command::new(BIN)
        .args(["serve", "--config"])
        .arg(&file)
        .env("RUST_LOG", "warn")
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let url = lines.next().unwrap().unwrap().strip_prefix("listening on ").unwrap().to_string();
    let line = lines.next().unwrap().unwrap();
    let metrics = line.strip_prefix("metrics on ").expect("the metrics address is announced").to_string();
    assert_eq!(reqwest::get(format!("{url}/metrics")).await.unwrap().status(), 404);
    assert_eq!(reqwest::get(&metrics).await.unwrap().status(), 401);
    let res =
        reqwest::Client::new().get(&metrics).bearer_auth("scrape-me-if-you-can-0123").send().await.unwrap();
    assert_eq!(res.status(), 200);
    child.kill().unwrap();
    child.wait().unwrap();
    std::fs::remove_file(file).unwrap();
    std::fs::remove_file(token).unwrap();
}
