//! Where a push may go. An endpoint is client input: without a check, anyone with a device could
//! make the server post to itself, its database, its network or a cloud metadata service
//! (`169.254.169.254`). So an endpoint must be https on a public address — checked when it is
//! registered, and again on every connection, by a resolver that hands the HTTP client public
//! addresses only (a name that resolved to a public address yesterday may not today). Redirects
//! are never followed ([`super::http_client`]). An intranet or test push service is allowed
//! only by an explicit option ([`EndpointPolicy::allow_private`]).

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::Arc;

use reqwest::dns::{Addrs, Name, Resolve, Resolving};

/// What the operator allows beyond https on public addresses.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct EndpointPolicy {
    /// Plain http endpoints (a local test push service).
    pub allow_http: bool,
    /// Loopback, private, link-local and other non-public addresses (an intranet or test push
    /// service).
    pub allow_private: bool,
}

/// Is this an address on the public Internet? Everything a client could use to reach the
/// server's own machine or network is not: loopback, private (RFC 1918, ULA), link-local,
/// shared (CGNAT), unspecified, multicast, broadcast, documentation and benchmarking ranges.
pub fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => is_public_v4(v4),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => is_public_v4(v4),
            None => is_public_v6(v6),
        },
    }
}

fn is_public_v4(ip: Ipv4Addr) -> bool {
    let [a, b, c, _] = ip.octets();
    !(ip.is_unspecified()
        || ip.is_loopback()
        || ip.is_private()
        || ip.is_link_local()
        || ip.is_broadcast()
        || ip.is_multicast()
        || ip.is_documentation()
        || a == 0
        || (a == 100 && (64..128).contains(&b)) // shared address space, RFC 6598
        || (a == 192 && b == 0 && c == 0) // IETF protocol assignments
        || (a == 198 && (18..20).contains(&b)) // benchmarking
        || a >= 240) // reserved
}

fn is_public_v6(ip: Ipv6Addr) -> bool {
    let first = ip.segments()[0];
    !(ip.is_unspecified()
        || ip.is_loopback()
        || ip.is_multicast()
        || (first & 0xfe00) == 0xfc00 // unique local
        || (first & 0xffc0) == 0xfe80 // link-local
        || (first & 0xffc0) == 0xfec0 // site-local (deprecated)
        || first == 0x2001 && ip.segments()[1] == 0xdb8 // documentation
        || first == 0x0064 && ip.segments()[1] == 0xff9b) // NAT64: another way to an IPv4 address
}

/// Why an endpoint is refused; the message is shown to the client.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum EndpointRefused {
    #[error("push endpoints must be https")]
    NotHttps,
    #[error("the push endpoint's host {0} is not on a public address")]
    NotPublic(String),
    #[error("the push endpoint's host {0} cannot be resolved")]
    Unresolvable(String),
}

/// May the server post to `endpoint`? Resolves its host: every address must be public.
pub async fn check_endpoint(endpoint: &str, policy: EndpointPolicy) -> Result<(), EndpointRefused> {
    let url = reqwest::Url::parse(endpoint).map_err(|_| EndpointRefused::NotHttps)?;
    if url.scheme() != "https" && !(policy.allow_http && url.scheme() == "http") {
        return Err(EndpointRefused::NotHttps);
    }
    if policy.allow_private {
        return Ok(());
    }
    let host = url.host_str().unwrap_or_default().to_string();
    let addrs: Vec<IpAddr> = match literal(&host) {
        Some(ip) => vec![ip],
        None if host.is_empty() => vec![],
        None => tokio::net::lookup_host((host.as_str(), 443))
            .await
            .map_err(|_| EndpointRefused::Unresolvable(host.clone()))?
            .map(|a| a.ip())
            .collect(),
    };
    if addrs.is_empty() {
        return Err(EndpointRefused::Unresolvable(host));
    }
    if !addrs.into_iter().all(is_public) {
        return Err(EndpointRefused::NotPublic(host));
    }
    Ok(())
}

/// An address literal in the endpoint that is not public: the resolver never sees literals, so
/// the sender checks them itself.
pub fn private_literal(endpoint: &str) -> bool {
    let Ok(url) = reqwest::Url::parse(endpoint) else { return true };
    literal(url.host_str().unwrap_or_default()).is_some_and(|ip| !is_public(ip))
}

/// The address a URL's host names literally (`10.0.0.1`, `[fe80::1]`), if it is one.
fn literal(host: &str) -> Option<IpAddr> {
    host.trim_start_matches('[').trim_end_matches(']').parse().ok()
}

/// The HTTP client's resolver: the system's answers, public addresses only. A name with none
/// fails like a name that does not exist, so nothing is sent.
#[derive(Debug, Default)]
pub struct PublicOnly;

impl PublicOnly {
    pub fn shared() -> Arc<Self> {
        Arc::new(PublicOnly)
    }
}

impl Resolve for PublicOnly {
    fn resolve(&self, name: Name) -> Resolving {
        let host = name.as_str().to_string();
        Box::pin(async move {
            let found: Vec<SocketAddr> =
                tokio::net::lookup_host((host.as_str(), 0)).await?.filter(|a| is_public(a.ip())).collect();
            if found.is_empty() {
                return Err(format!("{host} has no public address").into());
            }
            Ok(Box::new(found.into_iter()) as Addrs)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn internal_addresses_are_not_public() {
        for ip in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "0.0.0.0",
            "255.255.255.255",
            "::1",
            "::",
            "fe80::1",
            "fd00::1",
            "::ffff:127.0.0.1",
            "::ffff:169.254.169.254",
            "64:ff9b::a9fe:a9fe",
        ] {
            assert!(!is_public(ip.parse().unwrap()), "{ip}");
        }
        for ip in ["1.1.1.1", "142.250.72.14", "2606:4700::1111", "::ffff:8.8.8.8"] {
            assert!(is_public(ip.parse().unwrap()), "{ip}");
        }
    }

    #[tokio::test]
    async fn an_endpoint_is_https_on_a_public_address_unless_the_operator_says_otherwise() {
        let strict = EndpointPolicy::default();
        let refused = |r: Result<(), EndpointRefused>| r.unwrap_err();
        assert_eq!(refused(check_endpoint("http://1.1.1.1/x", strict).await), EndpointRefused::NotHttps);
        assert!(matches!(
            refused(check_endpoint("https://169.254.169.254/latest", strict).await),
            EndpointRefused::NotPublic(_)
        ));
        assert!(matches!(
            refused(check_endpoint("https://[::1]:8443/x", strict).await),
            EndpointRefused::NotPublic(_)
        ));
        assert!(matches!(
            refused(check_endpoint("https://localhost/x", strict).await),
            EndpointRefused::NotPublic(_)
        ));
        assert!(
            check_endpoint("https://1.1.1.1/x", strict).await.is_ok(),
            "an address literal needs no lookup"
        );
        let open = EndpointPolicy { allow_http: true, allow_private: true };
        assert!(check_endpoint("http://127.0.0.1:9/x", open).await.is_ok());
        assert!(private_literal("https://10.0.0.1/x") && !private_literal("https://push.example/x"));
    }
}
