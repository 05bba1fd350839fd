//! The page an SMS link opens: plain HTML with no script, readable on a 360-pixel phone and
//! inside a messenger's web view, in the leader's language. Acknowledging is a form POST, so
//! a link scanner or preview fetcher that GETs the link acknowledges nothing.

use std::fmt::Write;

use crate::merge::Acknowledged;

/// The stylesheet the page links (the CSP allows no inline style).
pub const CSS: &str = "body{font:18px/1.6 system-ui,sans-serif;margin:0;padding:16px;max-width:40em;\
color:#1a1a1a;background:#fafafa}h1{font-size:1.3em;margin:.2em 0 .6em}\
.alert{background:#fff;border-left:4px solid #c0392b;padding:12px;margin:0 0 16px;word-break:break-all}\
button,.app{display:block;box-sizing:border-box;width:100%;padding:14px;font-size:1.1em;border:0;\
border-radius:8px;text-align:center;text-decoration:none}button{background:#c0392b;color:#fff}\
.app{background:#e8e8e8;color:#1a1a1a;margin-top:16px}.muted{color:#666;font-size:.9em}";

/// What the page says.
pub enum Page<'a> {
    /// A good link: what the SMS said, and the button.
    Confirm {
        code: &'a str,
        text: &'a str,
    },
    /// The outcome of pressing it.
    Done {
        outcome: Acknowledged,
        text: &'a str,
        doc: &'a str,
    },
    Used,
    Expired,
    Unknown,
    /// The acknowledgement could not be recorded just now.
    TryAgain,
}

fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

impl Page<'_> {
    pub fn render(&self) -> String {
        let (title, body) = match self {
            Page::Confirm { code, text } => (
                "确认知悉",
                format!(
                    "<p class=\"alert\">{}</p><p>请确认您已知悉此事，将记录为经短信链接知悉，并停止向上级升级提醒。</p>\
                     <form method=\"post\" action=\"/a/{}\"><button type=\"submit\">已知悉</button></form>",
                    escape(text),
                    escape(code)
                ),
            ),
            Page::Done { outcome, text, doc } => {
                let said = match outcome {
                    Acknowledged::Now => "已记录您知悉此事（经短信链接），不再向上级升级提醒。",
                    Acknowledged::Already => "此事已有人知悉处置，无需再次确认。",
                };
                let mut b = format!("<p class=\"alert\">{}</p><p>{said}</p>", escape(text));
                let _ = write!(b, "<a class=\"app\" href=\"/#/case/{}\">打开安澜查看处置</a>", escape(doc));
                ("已知悉", b)
            }
            Page::Used => ("链接已使用", "<p>此链接已使用过。如需处置，请打开安澜。</p>".to_owned()),
            Page::Expired => ("链接已过期", "<p>此链接已超过24小时，已失效。请打开安澜处置。</p>".to_owned()),
            Page::Unknown => ("链接无效", "<p>此链接无效。请核对短信中的链接，或打开安澜。</p>".to_owned()),
            Page::TryAgain => ("暂时无法记录", "<p>暂时无法记录知悉，请稍后再按一次。</p>".to_owned()),
        };
        let app = if matches!(self, Page::Confirm { .. } | Page::Done { .. }) {
            ""
        } else {
            "<a class=\"app\" href=\"/\">打开安澜</a>"
        };
        format!(
            "<!doctype html><html lang=\"zh-CN\"><head><meta charset=\"utf-8\">\
             <meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">\
             <meta name=\"robots\" content=\"noindex\"><title>{title} · 安澜</title>\
             <link rel=\"stylesheet\" href=\"/a/page.css\"></head><body><h1>{title}</h1>{body}{app}\
             <p class=\"muted\">安澜 · 矛盾纠纷排查化解</p></body></html>"
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_page_escapes_what_it_shows_and_acknowledges_only_by_a_form_post() {
        let html = Page::Confirm { code: "abc", text: "<script>x</script>" }.render();
        assert!(html.contains("&lt;script&gt;") && !html.contains("<script>"));
        assert!(html.contains("<form method=\"post\" action=\"/a/abc\">"));
        assert!(html.contains("width=device-width"));
        assert!(!Page::Used.render().contains("<form"));
    }
}
