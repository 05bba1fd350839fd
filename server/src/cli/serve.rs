//! `anlan serve`: every option of the running server, and how they become a [`crate::Config`].

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use clap::Args;

use super::Db;
use crate::store::SqlStore;
use crate::tls::{Https, acme};

#[derive(Args)]
pub struct Serve {
    #[arg(long, env = "ANLAN_LISTEN", default_value = "127.0.0.1:8080")]
    listen: SocketAddr,
    /// Seed the Sanming demo hierarchy and accounts (idempotent).
    #[arg(long, env = "ANLAN_DEMO")]
    demo: bool,
    /// The built PWA to serve at `/`.
    #[arg(long, env = "ANLAN_STATIC_DIR", default_value = "pwa/dist")]
    static_dir: PathBuf,
    /// Documents kept loaded in memory (a case takes about 8 KiB): a county's open cases. Under
    /// a sweep burst touching 20,000, 3,000 and 5,000 cost the same CPU (BENCHMARKS.md).
    #[arg(long, env = "ANLAN_CACHE_DOCS", default_value_t = 3_000)]
    cache_docs: usize,
    /// Keep the server's threads on these CPUs (`0`, `0-1`, `0,2-3`). On a small machine one
    /// core spends less CPU per case than two, at one core's throughput (docs/operations.md).
    #[arg(long, env = "ANLAN_CPUS")]
    cpus: Option<super::cpus::CpuList>,
    /// Seconds an urgent alert may go unacknowledged before it goes one level up.
    #[arg(long, env = "ANLAN_ESCALATE_AFTER", default_value_t = 900)]
    escalate_after: u64,
    /// Seconds an urgent alert may go unacknowledged on Web Push before it goes by SMS too.
    #[arg(long, env = "ANLAN_SMS_AFTER", default_value_t = 180)]
    sms_after: u64,
    /// Seconds a worker holds a delivery it is sending; after a crash mid-send, the delivery
    /// goes again once they have passed. Keep it above the 15-second provider deadline.
    #[arg(long, env = "ANLAN_DELIVERY_LEASE", default_value_t = 60, value_parser = clap::value_parser!(u64).range(1..))]
    delivery_lease: u64,
    /// At most this many SMS to one person in any hour (the rest are logged as capped).
    #[arg(long, env = "ANLAN_SMS_PER_PERSON_HOUR", default_value_t = 10)]
    sms_per_person_hour: i64,
    /// At most this many SMS a day, Beijing time, in all (the rest are logged as over budget).
    #[arg(long, env = "ANLAN_SMS_DAILY_BUDGET", default_value_t = 1_000)]
    sms_daily_budget: i64,
    /// Where people open the app; the acknowledgement links in SMS point under it.
    #[arg(long, env = "ANLAN_PUBLIC_URL", default_value = "http://127.0.0.1:8080")]
    public_url: String,
    /// Contact for push services (VAPID `sub`): mailto:… or https://….
    #[arg(long, env = "ANLAN_VAPID_CONTACT", default_value = "mailto:admin@anlan.local")]
    vapid_contact: String,
    /// Hour of the day (Beijing time) after which leaders get the digest of non-urgent cases.
    #[arg(long, env = "ANLAN_DIGEST_HOUR", default_value_t = 18, value_parser = clap::value_parser!(u32).range(0..24))]
    digest_hour: u32,
    /// Accept plain-http push endpoints (only for a local test push service).
    #[arg(long, env = "ANLAN_ALLOW_HTTP_PUSH")]
    allow_http_push: bool,
    /// Accept push endpoints on loopback, private or link-local addresses (an intranet or test
    /// push service). Without it only public addresses are accepted and contacted.
    #[arg(long, env = "ANLAN_PUSH_ALLOW_PRIVATE")]
    push_allow_private: bool,
    /// Reverse proxies whose X-Forwarded-For / Forwarded headers name the client, as CIDR
    /// ranges or addresses (10.0.0.0/8, 127.0.0.1), repeated or comma-separated. Without it
    /// those headers are ignored and the TCP peer is the client.
    #[arg(long, env = "ANLAN_TRUSTED_PROXY", value_delimiter = ',', value_parser = ip_net)]
    trusted_proxy: Vec<ipnet::IpNet>,
    #[command(flatten)]
    floor: FloorArgs,
    #[command(flatten)]
    exposure: ExposureArgs,
    #[command(flatten)]
    backup: BackupArgs,
    #[command(flatten)]
    https: HttpsArgs,
    #[command(flatten)]
    db: Db,
}

/// What a client may hold of the server, and who may read its metrics.
#[derive(Args)]
#[command(next_help_heading = "Connections and metrics")]
struct ExposureArgs {
    /// Close a connection that has not sent a whole request head this long after it opened
    /// (or after its last response): 10s, 500ms, 1m.
    #[arg(long, env = "ANLAN_HEADER_READ_TIMEOUT", default_value = "10s", value_parser = duration)]
    header_read_timeout: Duration,
    /// Open connections per listener; more wait until one closes.
    #[arg(long, env = "ANLAN_MAX_CONNECTIONS", default_value_t = 4096,
          value_parser = clap::value_parser!(u32).range(1..=1_000_000))]
    max_connections: u32,
    /// Serve `/metrics` on this address only (plain HTTP, e.g. 10.0.0.5:9100), not on --listen.
    #[arg(long, env = "ANLAN_METRICS_LISTEN")]
    metrics_listen: Option<SocketAddr>,
    /// Require `Authorization: Bearer <token>` on `/metrics`, the token being this file's
    /// content (surrounding whitespace ignored). Read once at start.
    #[arg(long, env = "ANLAN_METRICS_TOKEN_FILE")]
    metrics_token_file: Option<PathBuf>,
}

impl ExposureArgs {
    fn limits(&self) -> crate::serving::Limits {
        crate::serving::Limits {
            header_read_timeout: self.header_read_timeout,
            max_connections: self.max_connections as usize,
        }
    }

    fn metrics_token(&self) -> anyhow::Result<Option<String>> {
        let Some(path) = &self.metrics_token_file else { return Ok(None) };
        let text = std::fs::read_to_string(path)
            .map_err(|e| anyhow::anyhow!("reading the metrics token {}: {e}", path.display()))?;
        let token = text.trim();
        anyhow::ensure!(
            token.len() >= 16,
            "the metrics token in {} is shorter than 16 characters",
            path.display()
        );
        Ok(Some(token.to_string()))
    }
}

/// `10s`, `500ms`, `2m`, or bare seconds.
fn duration(s: &str) -> Result<Duration, String> {
    let (n, unit) = s.find(|c: char| !c.is_ascii_digit()).map_or((s, "s"), |i| s.split_at(i));
    let n: u64 = n.parse().map_err(|_| format!("{s:?} is not a duration like 10s or 500ms"))?;
    let d = match unit.trim() {
        "ms" => Duration::from_millis(n),
        "s" => Duration::from_secs(n),
        "m" => Duration::from_secs(n * 60),
        _ => return Err(format!("{s:?}: the unit is ms, s or m")),
    };
    if d.is_zero() { Err("a zero timeout would close every connection".into()) } else { Ok(d) }
}

/// HTTPS: give either a certificate and key, or the domain(s) to obtain one for by ACME.
#[derive(Args)]
#[command(next_help_heading = "HTTPS")]
struct HttpsArgs {
    /// Serve HTTPS with this certificate chain (PEM, leaf first). Replaced files are picked up
    /// within seconds, or at once on SIGHUP, without dropping connections.
    #[arg(long, env = "ANLAN_TLS_CERT", requires = "tls_key", conflicts_with = "acme_domain")]
    tls_cert: Option<PathBuf>,
    /// The certificate's private key (PEM: PKCS#8, PKCS#1 or SEC1).
    #[arg(long, env = "ANLAN_TLS_KEY", requires = "tls_cert")]
    tls_key: Option<PathBuf>,
    /// Serve HTTPS with a certificate obtained and renewed by ACME (HTTP-01) for this domain;
    /// repeat for more names. Needs --redirect-listen reachable by the CA on port 80.
    /// Certificates and the account are kept in the data folder's `acme/`.
    #[arg(long, env = "ANLAN_ACME_DOMAIN", value_delimiter = ',', requires = "redirect_listen")]
    acme_domain: Vec<String>,
    /// Contact the CA may write to about the certificates, e.g. mailto:it@county.gov.cn.
    #[arg(long, env = "ANLAN_ACME_CONTACT", value_delimiter = ',')]
    acme_contact: Vec<String>,
    /// The ACME directory URL (default: Let's Encrypt production).
    #[arg(long, env = "ANLAN_ACME_DIRECTORY", default_value = acme::LETS_ENCRYPT)]
    acme_directory: String,
    /// A root certificate (PEM) to trust for the ACME directory's own HTTPS, for a private CA.
    #[arg(long, env = "ANLAN_ACME_DIRECTORY_ROOT")]
    acme_directory_root: Option<PathBuf>,
    /// Renew an ACME certificate this many days before it expires.
    #[arg(long, env = "ANLAN_ACME_RENEW_DAYS", default_value_t = 30)]
    acme_renew_days: u64,
    /// With HTTPS, also listen for plain HTTP here (e.g. 0.0.0.0:80): it only redirects to
    /// HTTPS and answers ACME challenges.
    #[arg(long, env = "ANLAN_REDIRECT_LISTEN")]
    redirect_listen: Option<SocketAddr>,
}

impl HttpsArgs {
    fn https(&self, db: &Db) -> Option<Https> {
        if let (Some(cert), Some(key)) = (&self.tls_cert, &self.tls_key) {
            return Some(Https::Files { cert: cert.clone(), key: key.clone() });
        }
        (!self.acme_domain.is_empty()).then(|| {
            Https::Acme(acme::AcmeSettings {
                domains: self.acme_domain.clone(),
                contact: self.acme_contact.clone(),
                directory: self.acme_directory.clone(),
                directory_root: self.acme_directory_root.clone(),
                dir: db.data.join("acme"),
                renew_before: Duration::from_secs(self.acme_renew_days * 24 * 3600),
            })
        })
    }
}

fn ip_net(s: &str) -> Result<ipnet::IpNet, String> {
    s.parse()
        .or_else(|_| s.parse::<std::net::IpAddr>().map(ipnet::IpNet::from))
        .map_err(|_| format!("{s:?} is neither an address nor a CIDR range"))
}

pub async fn run(s: Serve) -> anyhow::Result<()> {
    if let Some(cpus) = &s.cpus {
        super::cpus::confine(cpus)?;
        println!("threads kept on CPU {cpus}");
    }
    let url = s.db.url()?;
    let metrics_token = s.exposure.metrics_token()?;
    let https = s.https.https(&s.db);
    anyhow::ensure!(
        s.https.redirect_listen.is_none() || https.is_some(),
        "--redirect-listen redirects to HTTPS: give --tls-cert/--tls-key or --acme-domain too"
    );
    if s.demo {
        let store = SqlStore::connect(&url).await?;
        crate::demo::seed(&store).await?;
        // So the demo officer has this half-month's sweep to answer at once, rather
        // than after the sweep clock's first tick.
        crate::campaigns::generate_half_monthly(&store, crate::store::now_ms()).await?;
    }
    let listener = tokio::net::TcpListener::bind(s.listen).await?;
    let addr = listener.local_addr()?;
    let redirect = match s.https.redirect_listen {
        Some(a) => Some(tokio::net::TcpListener::bind(a).await?),
        None => None,
    };
    let metrics = match s.exposure.metrics_listen {
        Some(a) => Some(tokio::net::TcpListener::bind(a).await?),
        None => None,
    };
    let scheme = if https.is_some() { "https" } else { "http" };
    if let Some(r) = &redirect {
        println!("redirecting http://{} to HTTPS", r.local_addr()?);
    }
    println!("listening on {scheme}://{addr}");
    if let Some(m) = &metrics {
        println!("metrics on http://{}/metrics", m.local_addr()?);
    }
    if s.demo {
        crate::demo::print_logins(&addr.to_string(), &SqlStore::connect(&url).await?).await?;
    }
    let config = crate::Config {
        static_dir: Some(s.static_dir),
        cache_docs: s.cache_docs,
        escalate_after: Duration::from_secs(s.escalate_after),
        sms_after: Duration::from_secs(s.sms_after),
        delivery_lease: Duration::from_secs(s.delivery_lease),
        sms_per_person_hour: s.sms_per_person_hour,
        sms_daily_budget: s.sms_daily_budget,
        public_url: s.public_url,
        vapid_contact: s.vapid_contact,
        allow_http_push: s.allow_http_push,
        allow_private_push: s.push_allow_private,
        digest_hour: s.digest_hour,
        https,
        trusted_proxies: s.trusted_proxy,
        free_space_floor: s.floor.into(),
        limits: s.exposure.limits(),
        metrics_token,
        backups: s.backup.schedule(),
        ..crate::Config::new(url)
    };
    let listeners = crate::serving::Listeners { main: listener, redirect, metrics };
    crate::run_on(config, listeners, super::shutdown_signal()).await
}

/// Below this much free space on the data disk (SQLite), pushes and photo uploads are refused
/// with `503 storage_full`, while the server still has room for its own bookkeeping.
#[derive(Args, Clone)]
struct FloorArgs {
    /// Free bytes to keep: 300MB, 2GiB, …
    #[arg(long, env = "ANLAN_MIN_FREE_SPACE", default_value = "300MB", value_parser = crate::store::parse_bytes)]
    min_free_space: u64,
    /// Free share of the disk to keep, in percent.
    #[arg(long, env = "ANLAN_MIN_FREE_PERCENT", default_value_t = 2.0)]
    min_free_percent: f64,
}

impl From<FloorArgs> for crate::store::FreeSpaceFloor {
    fn from(a: FloorArgs) -> Self {
        Self { min_bytes: a.min_free_space, min_percent: a.min_free_percent }
    }
}

/// Scheduled backups of the embedded SQLite database (PostgreSQL: use pg_dump).
#[derive(Args, Clone)]
#[command(next_help_heading = "Backups")]
struct BackupArgs {
    /// Write a consistent copy of the database here at start and then every --backup-every,
    /// as anlan-<UTC time>.db. Put it on another disk. Restore one by stopping the server and
    /// copying it over anlan.db: phones then re-send whatever it lacks.
    #[arg(long, env = "ANLAN_BACKUP_DIR")]
    backup_dir: Option<PathBuf>,
    /// How often: 30m, 6h, 1d.
    #[arg(long, env = "ANLAN_BACKUP_EVERY", default_value = "6h", value_parser = crate::backups::parse_every)]
    backup_every: Duration,
    /// How many backups to keep; older ones are deleted.
    #[arg(long, env = "ANLAN_BACKUP_KEEP", default_value_t = 28, value_parser = clap::value_parser!(u64).range(1..))]
    backup_keep: u64,
}

impl BackupArgs {
    fn schedule(&self) -> Option<crate::backups::BackupSchedule> {
        Some(crate::backups::BackupSchedule {
            dir: self.backup_dir.clone()?,
            every: self.backup_every,
            keep: self.backup_keep as usize,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_timeout_is_read_with_its_unit_and_zero_is_refused() {
        assert_eq!(duration("10s"), Ok(Duration::from_secs(10)));
        assert_eq!(duration("500ms"), Ok(Duration::from_millis(500)));
        assert_eq!(duration("2m"), Ok(Duration::from_secs(120)));
        assert_eq!(duration("15"), Ok(Duration::from_secs(15)));
        assert!(duration("0s").is_err());
        assert!(duration("10h").is_err());
        assert!(duration("soon").is_err());
    }
}
