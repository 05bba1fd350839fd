//! HTTPS in the binary, so a county needs no reverse proxy in front of Anlan.
//!
//! The certificate lives in a [`CertStore`] the TLS handshake reads on every connection: a
//! renewed or replaced certificate takes effect for the next connection without a restart,
//! whether it came from files an administrator rotated ([`certs::watch_files`]) or from the
//! ACME client ([`acme`]). A plain-HTTP listener, when asked for, only redirects to HTTPS and
//! answers ACME HTTP-01 challenges ([`redirect`]).

pub mod acme;
pub mod certs;
pub mod redirect;

use std::path::PathBuf;
use std::sync::Arc;

pub use certs::CertStore;

/// Where the HTTPS certificate comes from.
#[derive(Debug, Clone)]
pub enum Https {
    /// PEM files (e.g. from the government's own CA), re-read when they change or on SIGHUP.
    Files { cert: PathBuf, key: PathBuf },
    /// Obtained and renewed from an ACME CA.
    Acme(acme::AcmeSettings),
}

/// Sent with every HTTPS response: a year, so a phone that once reached the app over HTTPS
/// never again tries it in clear. Not `includeSubDomains`: other services of the county's
/// domain are none of Anlan's business.
pub const HSTS: &str = "max-age=31536000";

/// The TLS settings every listener shares: certificates from `store`, HTTP/1.1 (axum here
/// serves HTTP/1 only).
pub fn server_config(store: Arc<CertStore>) -> anyhow::Result<Arc<rustls::ServerConfig>> {
    let mut config = rustls::ServerConfig::builder_with_provider(provider())
        .with_safe_default_protocol_versions()?
        .with_no_client_auth()
        .with_cert_resolver(store);
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(Arc::new(config))
}

/// One crypto provider for the whole binary (ring: already what the push client uses).
pub fn provider() -> Arc<rustls::crypto::CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}
