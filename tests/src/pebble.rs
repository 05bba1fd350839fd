//! Debian's `pebble` ACME test server, started for one test: its own listener's certificate
//! comes from a [`TestCa`], and it validates HTTP-01 challenges on `http_port` of 127.0.0.1,
//! where the server under test listens.

use std::process::{Child, Command, Stdio};
use std::time::Duration;

use crate::tls::TestCa;

pub struct Pebble {
    pub directory: String,
    management: String,
    child: Child,
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

impl Pebble {
    pub async fn start(ca: &TestCa, http_port: u16) -> Pebble {
        let leaf = ca.leaf("pebble");
        let (acme, mgmt) = (free_port(), free_port());
        let config = serde_json::json!({ "pebble": {
            "listenAddress": format!("127.0.0.1:{acme}"),
            "managementListenAddress": format!("127.0.0.1:{mgmt}"),
            "certificate": leaf.cert, "privateKey": leaf.key,
            "httpPort": http_port, "tlsPort": free_port(),
            "ocspResponderURL": "", "externalAccountBindingRequired": false,
        }});
        let path = ca.dir.join("pebble.json");
        std::fs::write(&path, config.to_string()).unwrap();
        let child = Command::new("pebble")
            .arg("-config")
            .arg(&path)
            // No random 0–15 s pause before validating, and no nonce rejections to retry through.
            .env("PEBBLE_VA_NOSLEEP", "1")
            .env("PEBBLE_WFE_NONCEREJECT", "0")
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("the pebble command (apt package pebble)");
        let p = Pebble {
            directory: format!("https://127.0.0.1:{acme}/dir"),
            management: format!("https://127.0.0.1:{mgmt}"),
            child,
        };
        let client = p.client(ca);
        for _ in 0..100 {
            if client.get(&p.directory).send().await.is_ok_and(|r| r.status().is_success()) {
                return p;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("pebble did not come up at {}", p.directory);
    }

    fn client(&self, ca: &TestCa) -> reqwest::Client {
        reqwest::Client::builder()
            .add_root_certificate(reqwest::Certificate::from_pem(&ca.root_pem()).unwrap())
            .build()
            .unwrap()
    }

    /// The root pebble signs issued certificates under (made afresh at each start).
    pub async fn issuing_root(&self, ca: &TestCa) -> Vec<u8> {
        let res = self.client(ca).get(format!("{}/roots/0", self.management)).send().await.unwrap();
        assert!(res.status().is_success());
        res.bytes().await.unwrap().to_vec()
    }
}

impl Drop for Pebble {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
