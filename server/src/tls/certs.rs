//! The served certificate: loaded from PEM, swapped in place when it changes.

use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};
use std::time::{Duration, SystemTime};

use anyhow::Context;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use rustls::server::{ClientHello, ResolvesServerCert};
use rustls::sign::CertifiedKey;
use tokio::sync::watch;

/// The certificate every handshake is answered with. Empty until the first one is loaded or
/// obtained: handshakes fail until then, which a client sees as a TLS error, not as a wrong
/// certificate.
#[derive(Debug, Default)]
pub struct CertStore {
    current: RwLock<Option<Arc<CertifiedKey>>>,
}

impl CertStore {
    pub fn set(&self, key: CertifiedKey) {
        *self.current.write().unwrap_or_else(|e| e.into_inner()) = Some(Arc::new(key));
    }

    pub fn current(&self) -> Option<Arc<CertifiedKey>> {
        self.current.read().unwrap_or_else(|e| e.into_inner()).clone()
    }
}

impl ResolvesServerCert for CertStore {
    fn resolve(&self, _hello: ClientHello<'_>) -> Option<Arc<CertifiedKey>> {
        self.current()
    }
}

/// A certificate chain and its private key from PEM text, checked to belong together.
pub fn from_pem(chain: &[u8], key: &[u8]) -> anyhow::Result<CertifiedKey> {
    let certs = CertificateDer::pem_slice_iter(chain)
        .collect::<Result<Vec<_>, _>>()
        .context("reading the certificate chain")?;
    anyhow::ensure!(!certs.is_empty(), "no certificate in the PEM file");
    let key = PrivateKeyDer::from_pem_slice(key).context("reading the private key")?;
    CertifiedKey::from_der(certs, key, &super::provider()).context("the key does not match the certificate")
}

pub fn load_files(cert: &Path, key: &Path) -> anyhow::Result<CertifiedKey> {
    let chain = std::fs::read(cert).with_context(|| format!("reading {}", cert.display()))?;
    let pem = std::fs::read(key).with_context(|| format!("reading {}", key.display()))?;
    from_pem(&chain, &pem).with_context(|| format!("{} / {}", cert.display(), key.display()))
}

/// Re-read `cert` and `key` when either file's modification time changes (checked every
/// `every`) or on SIGHUP. A broken replacement (half-copied, key not matching) is logged and
/// the old certificate kept: a typo at renewal time must not take the county offline.
pub async fn watch_files(
    store: Arc<CertStore>,
    cert: PathBuf,
    key: PathBuf,
    every: Duration,
    mut stop: watch::Receiver<bool>,
) {
    let stamp = |cert: &Path, key: &Path| -> Option<(SystemTime, SystemTime)> {
        Some((std::fs::metadata(cert).ok()?.modified().ok()?, std::fs::metadata(key).ok()?.modified().ok()?))
    };
    let mut seen = stamp(&cert, &key);
    let mut hup = hangup();
    let mut tick = tokio::time::interval(every);
    loop {
        let forced = tokio::select! {
            _ = tick.tick() => false,
            _ = recv(&mut hup) => true,
            _ = stop.wait_for(|s| *s) => return,
        };
        let now = stamp(&cert, &key);
        if !forced && now == seen {
            continue;
        }
        seen = now;
        match load_files(&cert, &key) {
            Ok(k) => {
                store.set(k);
                tracing::info!(cert = %cert.display(), "TLS certificate reloaded");
            }
            Err(e) => tracing::error!("TLS certificate not reloaded, the previous one stays: {e:#}"),
        }
    }
}

#[cfg(unix)]
type Hangup = Option<tokio::signal::unix::Signal>;
#[cfg(not(unix))]
type Hangup = Option<()>;

fn hangup() -> Hangup {
    #[cfg(unix)]
    return tokio::signal::unix::signal(tokio::signal::unix::SignalKind::hangup()).ok();
    #[cfg(not(unix))]
    None
}

async fn recv(h: &mut Hangup) {
    #[cfg(unix)]
    if let Some(s) = h {
        s.recv().await;
        return;
    }
    let _ = h;
    std::future::pending::<()>().await
}
