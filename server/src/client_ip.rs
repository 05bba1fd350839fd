//! The client's address, for the per-address sign-in lockout and the request log.
//!
//! It is the TCP peer, unless the peer is one of the reverse proxies the operator named with
//! `--trusted-proxy`: then the proxy's `X-Forwarded-For` (or RFC 7239 `Forwarded`) is read from
//! the right, skipping further trusted proxies, and the first address no trusted proxy vouches
//! for is the client. Anything left of it was written by the client and proves nothing. Without
//! trusted proxies the headers are ignored: anyone could otherwise pick a fresh address per
//! sign-in attempt and never be locked out.

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;

use axum::extract::{ConnectInfo, Request, State};
use axum::http::HeaderMap;
use axum::middleware::Next;
use axum::response::Response;
use ipnet::IpNet;

/// The client's address as far as it can be trusted; set on every request by [`layer`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientIp(pub IpAddr);

/// Middleware (with the trusted proxy ranges as its state) that sets [`ClientIp`] for the
/// handlers and the request log below it.
pub async fn set(State(trusted): State<Arc<Vec<IpNet>>>, mut req: Request, next: Next) -> Response {
    if let Some(ConnectInfo(peer)) = req.extensions().get::<ConnectInfo<SocketAddr>>().copied() {
        let ip = client_ip(peer.ip(), req.headers(), &trusted);
        req.extensions_mut().insert(ClientIp(ip));
    }
    next.run(req).await
}

pub fn client_ip(peer: IpAddr, headers: &HeaderMap, trusted: &[IpNet]) -> IpAddr {
    let is_trusted = |ip: &IpAddr| trusted.iter().any(|n| n.contains(ip));
    if !is_trusted(&peer) {
        return peer;
    }
    let mut hops = forwarded_for(headers);
    // The nearest hop is last. A hop that does not parse ends the chain: what lies left of it
    // cannot be told apart from what the client wrote.
    let mut client = peer;
    while let Some(hop) = hops.pop() {
        match hop {
            Some(ip) if is_trusted(&ip) => client = ip,
            Some(ip) => return ip,
            None => break,
        }
    }
    client
}

/// Every hop named by `Forwarded` (preferred, RFC 7239) or else `X-Forwarded-For`, in order;
/// `None` for a hop that is not an address (`unknown`, an obfuscated name).
fn forwarded_for(headers: &HeaderMap) -> Vec<Option<IpAddr>> {
    let values = |name| headers.get_all(name).into_iter().filter_map(|v| v.to_str().ok());
    let forwarded: Vec<Option<IpAddr>> = values("forwarded")
        .flat_map(|v| v.split(','))
        .filter_map(|element| {
            element.split(';').find_map(|pair| {
                let (k, v) = pair.trim().split_once('=')?;
                k.eq_ignore_ascii_case("for").then(|| parse_node(v))
            })
        })
        .collect();
    if !forwarded.is_empty() {
        return forwarded;
    }
    values("x-forwarded-for").flat_map(|v| v.split(',')).map(parse_node).collect()
}

/// `192.0.2.1`, `"192.0.2.1:4711"`, `"[2001:db8::1]:4711"`, `2001:db8::1`.
fn parse_node(s: &str) -> Option<IpAddr> {
    let s = s.trim().trim_matches('"');
    if let Ok(ip) = s.parse() {
        return Some(ip);
    }
    if let Ok(sa) = s.parse::<SocketAddr>() {
        return Some(sa.ip());
    }
    s.strip_prefix('[').and_then(|r| r.split_once(']')).and_then(|(ip, _)| ip.parse().ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn h(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut m = HeaderMap::new();
        for (k, v) in pairs {
            m.append(*k, v.parse().unwrap());
        }
        m
    }

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    fn nets(s: &[&str]) -> Vec<IpNet> {
        s.iter().map(|n| n.parse().unwrap()).collect()
    }

    #[test]
    fn without_trusted_proxies_the_headers_are_ignored() {
        let headers = h(&[("x-forwarded-for", "203.0.113.9"), ("forwarded", "for=203.0.113.9")]);
        assert_eq!(client_ip(ip("198.51.100.7"), &headers, &[]), ip("198.51.100.7"));
    }

    #[test]
    fn a_peer_outside_the_trusted_ranges_is_the_client_whatever_it_claims() {
        let headers = h(&[("x-forwarded-for", "203.0.113.9")]);
        assert_eq!(client_ip(ip("198.51.100.7"), &headers, &nets(&["10.0.0.0/8"])), ip("198.51.100.7"));
    }

    #[test]
    fn behind_a_trusted_proxy_the_nearest_untrusted_hop_is_the_client() {
        // The client forged the first entry; the proxy appended the address it really saw.
        let headers = h(&[("x-forwarded-for", "1.2.3.4, 203.0.113.9")]);
        assert_eq!(client_ip(ip("10.0.0.2"), &headers, &nets(&["10.0.0.0/8"])), ip("203.0.113.9"));
        // Two trusted proxies in a row.
        let headers = h(&[("x-forwarded-for", "203.0.113.9, 10.0.0.5")]);
        assert_eq!(client_ip(ip("10.0.0.2"), &headers, &nets(&["10.0.0.0/8"])), ip("203.0.113.9"));
    }

    #[test]
    fn forwarded_is_read_with_quotes_ports_and_ipv6() {
        let headers = h(&[("forwarded", r#"for="[2001:db8::1]:4711";proto=https, for=10.0.0.5"#)]);
        assert_eq!(
            client_ip(ip("127.0.0.1"), &headers, &nets(&["127.0.0.1/32", "10.0.0.0/8"])),
            ip("2001:db8::1")
        );
    }

    #[test]
    fn an_unreadable_hop_stops_the_walk_at_the_last_trusted_address() {
        let headers = h(&[("x-forwarded-for", "203.0.113.9, unknown")]);
        assert_eq!(client_ip(ip("10.0.0.2"), &headers, &nets(&["10.0.0.0/8"])), ip("10.0.0.2"));
    }
}
