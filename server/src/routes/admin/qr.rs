//! The enrolment link as a QR code, for an administrator to print and hand out.

use axum::http::HeaderMap;
use axum::http::header;
use qrcode::QrCode;
use qrcode::render::svg;

/// The server's own address as the request names it, for links a phone's camera can open.
/// Only a plausible host is believed; the scheme is https unless a proxy says otherwise or the
/// server is being tried on this machine.
pub fn base_url(headers: &HeaderMap) -> Option<String> {
    let host = headers.get(header::HOST)?.to_str().ok()?.trim();
    let plausible = !host.is_empty()
        && host.len() <= 255
        && host.bytes().all(|b| b.is_ascii_alphanumeric() || b".-:[]".contains(&b));
    if !plausible {
        return None;
    }
    let forwarded = headers.get("x-forwarded-proto").and_then(|v| v.to_str().ok()).map(str::trim);
    let local = host.starts_with("localhost") || host.starts_with("127.") || host.starts_with("[::1]");
    let scheme = match forwarded {
        Some("http") => "http",
        Some("https") => "https",
        _ if local => "http",
        _ => "https",
    };
    Some(format!("{scheme}://{host}"))
}

/// `link` as an SVG QR code, black on white with the standard quiet zone.
pub fn svg(link: &str) -> Option<String> {
    let code = QrCode::new(link.as_bytes()).ok()?;
    Some(
        code.render::<svg::Color<'_>>()
            .min_dimensions(240, 240)
            .dark_color(svg::Color("#000000"))
            .light_color(svg::Color("#ffffff"))
            .build(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_base_url_comes_from_a_plausible_host_only() {
        let mut h = HeaderMap::new();
        h.insert(header::HOST, "anlan.example.org".parse().unwrap());
        assert_eq!(base_url(&h).as_deref(), Some("https://anlan.example.org"));
        h.insert(header::HOST, "127.0.0.1:8080".parse().unwrap());
        assert_eq!(base_url(&h).as_deref(), Some("http://127.0.0.1:8080"));
        h.insert(header::HOST, "evil.example/<script>".parse().unwrap());
        assert_eq!(base_url(&h), None);
    }

    #[test]
    fn a_link_becomes_an_svg() {
        let s = svg("https://anlan.example.org/#/enrol?phone=13900000001&code=12345678").unwrap();
        assert!(s.starts_with("<?xml") && s.contains("<svg"));
    }
}
