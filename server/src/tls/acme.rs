//! Certificates from an ACME CA (RFC 8555) over HTTP-01.
//!
//! HTTP-01 rather than TLS-ALPN-01: the plain-HTTP listener that redirects to HTTPS answers the
//! challenge, so the HTTPS side stays ordinary TLS and a county behind a port-80-only firewall
//! rule can still validate. The CA must reach port 80 of every domain.
//!
//! The account credentials, the certificate chain and its key are kept in the data folder, so
//! a restart serves the cached certificate at once and the CA is asked again only when the
//! certificate nears expiry.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use anyhow::Context;
use instant_acme::{
    Account, AccountCredentials, AuthorizationStatus, ChallengeType, Identifier, NewAccount, NewOrder,
    OrderStatus, RetryPolicy,
};
use sha2::Digest;
use tokio::sync::watch;

use super::CertStore;
use super::redirect::Challenges;

pub const LETS_ENCRYPT: &str = "https://acme-v02.api.letsencrypt.org/directory";

#[derive(Debug, Clone)]
pub struct AcmeSettings {
    pub domains: Vec<String>,
    /// `mailto:` URIs the CA may write to about expiry or revocation.
    pub contact: Vec<String>,
    pub directory: String,
    /// A root to trust for the directory's own HTTPS (a private or test CA); the platform's
    /// roots otherwise.
    pub directory_root: Option<PathBuf>,
    /// Where the account and certificates are kept.
    pub dir: PathBuf,
    /// Renew when the certificate has less than this left (Let's Encrypt's are valid 90 days).
    pub renew_before: Duration,
}

/// Put the certificate kept from an earlier run (if any) in `store`. Done before the listener
/// accepts, so the first client after a restart is not refused for want of a certificate.
pub fn load_cached(s: &AcmeSettings, store: &CertStore) {
    match Files::new(&s.dir).load() {
        Ok(Some(key)) => store.set(key),
        Ok(None) => {}
        Err(e) => tracing::warn!("cached ACME certificate unusable, obtaining a new one: {e:#}"),
    }
}

/// After [`load_cached`], obtain and renew for as long as the server runs. A
/// failed attempt is retried with a growing pause (a CA outage or rate limit must not be
/// hammered), while the old certificate, if any, goes on being served.
pub async fn run(
    s: AcmeSettings,
    store: Arc<CertStore>,
    challenges: Challenges,
    mut stop: watch::Receiver<bool>,
) {
    let files = Files::new(&s.dir);
    let mut failures = 0u32;
    let mut just_obtained = false;
    loop {
        let mut wait = renewal_wait(files.expires(), SystemTime::now(), s.renew_before);
        if just_obtained && wait.is_zero() {
            // The CA issues certificates shorter-lived than the renewal margin: renewing at
            // once would loop against its rate limits.
            tracing::warn!("the new certificate is already within --acme-renew-days of expiry");
            wait = Duration::from_secs(3600);
        }
        if !wait.is_zero() {
            tokio::select! {
                _ = tokio::time::sleep(wait) => { just_obtained = false; continue }
                _ = stop.wait_for(|s| *s) => return,
            }
        }
        let attempt = tokio::select! {
            r = obtain(&s, &challenges) => r,
            _ = stop.wait_for(|s| *s) => return,
        };
        match attempt.and_then(|(chain, key)| files.save(&chain, &key)) {
            Ok(key) => {
                failures = 0;
                just_obtained = true;
                store.set(key);
                tracing::info!(domains = ?s.domains, "ACME certificate obtained");
            }
            Err(e) => {
                failures += 1;
                let pause = Duration::from_secs(30 * 2u64.pow(failures.min(7)));
                tracing::error!("obtaining an ACME certificate failed, retrying in {pause:?}: {e:#}");
                tokio::select! {
                    _ = tokio::time::sleep(pause) => {}
                    _ = stop.wait_for(|s| *s) => return,
                }
            }
        }
    }
}

/// How long until the certificate expiring at `expires` is due for renewal: at once when there
/// is none; at most a day, so a changed clock or a removed file is noticed.
fn renewal_wait(expires: Option<SystemTime>, now: SystemTime, renew_before: Duration) -> Duration {
    let due = expires.and_then(|end| end.checked_sub(renew_before));
    let wait = due.and_then(|at| at.duration_since(now).ok()).unwrap_or_default();
    wait.min(Duration::from_secs(24 * 3600))
}

/// One order, start to finish: the PEM chain and the PEM private key.
async fn obtain(s: &AcmeSettings, challenges: &Challenges) -> anyhow::Result<(String, String)> {
    let account = account(s).await?;
    // An address is an IP identifier (RFC 8738): a county reached by address alone.
    let ids: Vec<Identifier> = s
        .domains
        .iter()
        .map(|d| d.parse().map(Identifier::Ip).unwrap_or_else(|_| Identifier::Dns(d.clone())))
        .collect();
    let mut order = account.new_order(&NewOrder::new(&ids)).await.context("creating the order")?;
    let mut tokens = Vec::new();
    let result = async {
        let mut authorizations = order.authorizations();
        while let Some(a) = authorizations.next().await {
            let mut a = a?;
            match a.status {
                AuthorizationStatus::Pending => {}
                AuthorizationStatus::Valid => continue,
                other => anyhow::bail!("authorization is {other:?}"),
            }
            let mut ch = a
                .challenge(ChallengeType::Http01)
                .ok_or_else(|| anyhow::anyhow!("the CA offers no http-01 challenge"))?;
            challenges.insert(&ch.token, ch.key_authorization().as_str());
            tokens.push(ch.token.clone());
            ch.set_ready().await?;
        }
        let retry = RetryPolicy::new().timeout(Duration::from_secs(120));
        let status = order.poll_ready(&retry).await?;
        anyhow::ensure!(status == OrderStatus::Ready, "order is {status:?}, not ready: validation failed");
        let key = order.finalize().await?;
        let chain = order.poll_certificate(&retry).await?;
        Ok((chain, key))
    }
    .await;
    for t in &tokens {
        challenges.remove(t);
    }
    result
}

/// The stored account for this directory, or a new one (stored for next time).
async fn account(s: &AcmeSettings) -> anyhow::Result<Account> {
    let builder = || match &s.directory_root {
        Some(root) => Account::builder_with_root(root),
        None => Account::builder(),
    };
    // One account file per directory: switching from a staging CA to production needs a new one.
    let tag = hex::encode(&sha2::Sha256::digest(s.directory.as_bytes())[..6]);
    let path = s.dir.join(format!("account-{tag}.json"));
    if let Ok(json) = std::fs::read(&path) {
        let creds: AccountCredentials = serde_json::from_slice(&json).context("reading the ACME account")?;
        return Ok(builder()?.from_credentials(creds).await?);
    }
    let contact: Vec<&str> = s.contact.iter().map(String::as_str).collect();
    let new = NewAccount { contact: &contact, terms_of_service_agreed: true, only_return_existing: false };
    let (account, creds) =
        builder()?.create(&new, s.directory.clone(), None).await.context("registering the ACME account")?;
    write_private(&path, serde_json::to_string(&creds)?.as_bytes())?;
    Ok(account)
}

struct Files {
    cert: PathBuf,
    key: PathBuf,
}

impl Files {
    fn new(dir: &Path) -> Self {
        Self { cert: dir.join("cert.pem"), key: dir.join("key.pem") }
    }

    fn load(&self) -> anyhow::Result<Option<rustls::sign::CertifiedKey>> {
        if !self.cert.exists() {
            return Ok(None);
        }
        super::certs::load_files(&self.cert, &self.key).map(Some)
    }

    /// When the stored certificate stops being valid; `None` when there is none to renew.
    fn expires(&self) -> Option<SystemTime> {
        let pem = std::fs::read(&self.cert).ok()?;
        not_after(&pem).map_err(|e| tracing::warn!("cached certificate unreadable: {e:#}")).ok()
    }

    fn save(&self, chain: &str, key: &str) -> anyhow::Result<rustls::sign::CertifiedKey> {
        let checked = super::certs::from_pem(chain.as_bytes(), key.as_bytes())?;
        write_private(&self.key, key.as_bytes())?;
        write_private(&self.cert, chain.as_bytes())?;
        Ok(checked)
    }
}

/// The end-entity certificate's notAfter.
pub fn not_after(pem: &[u8]) -> anyhow::Result<SystemTime> {
    use rustls::pki_types::CertificateDer;
    use rustls::pki_types::pem::PemObject;
    let der = CertificateDer::from_pem_slice(pem).context("no certificate")?;
    let (_, cert) = x509_parser::parse_x509_certificate(&der).context("parsing the certificate")?;
    let secs = u64::try_from(cert.validity().not_after.timestamp()).context("expiry before 1970")?;
    Ok(SystemTime::UNIX_EPOCH + Duration::from_secs(secs))
}

/// Written whole (temporary file, then rename) and readable by the service's user alone.
fn write_private(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    let dir = path.parent().context("no parent folder")?;
    std::fs::create_dir_all(dir)?;
    let tmp = path.with_extension("tmp");
    {
        use std::io::Write;
        let mut o = std::fs::OpenOptions::new();
        o.write(true).create(true).truncate(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut o, 0o600);
        let mut f = o.open(&tmp).with_context(|| format!("writing {}", tmp.display()))?;
        f.write_all(bytes)?;
        f.sync_all()?;
    }
    std::fs::rename(&tmp, path)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const DAY: Duration = Duration::from_secs(24 * 3600);

    #[test]
    fn a_missing_certificate_is_obtained_at_once() {
        assert_eq!(renewal_wait(None, SystemTime::now(), 30 * DAY), Duration::ZERO);
    }

    #[test]
    fn a_certificate_inside_the_renewal_margin_is_renewed_at_once() {
        let now = SystemTime::now();
        assert_eq!(renewal_wait(Some(now + 29 * DAY), now, 30 * DAY), Duration::ZERO);
        assert_eq!(renewal_wait(Some(now - DAY), now, 30 * DAY), Duration::ZERO);
    }

    #[test]
    fn a_fresh_certificate_waits_until_the_margin_but_at_most_a_day_at_a_time() {
        let now = SystemTime::now();
        assert_eq!(
            renewal_wait(Some(now + 30 * DAY + 3600 * Duration::from_secs(1)), now, 30 * DAY),
            Duration::from_secs(3600)
        );
        assert_eq!(renewal_wait(Some(now + 90 * DAY), now, 30 * DAY), DAY);
    }
}
