//! Markdown → sanitized HTML.
//!
//! Bodies are written in Markdown (CommonMark plus tables, strikethrough and task lists) and
//! rendered once, when they are stored. The HTML is then passed through an allow-list
//! sanitizer (ammonia): raw HTML in the Markdown is allowed to *render* only if it is in the
//! allow-list, so `<script>`, `on*=` handler attributes, `style`, `javascript:`/`data:` URLs and
//! the like never survive, whatever way they were smuggled in. Links get
//! `rel="noopener noreferrer nofollow ugc"` because members' links are user content.

use pulldown_cmark::{Options, Parser, TagEnd, html};
use std::collections::HashSet;

/// Render Markdown to HTML that is safe to insert in a page.
pub fn render(markdown: &str) -> String {
    let mut opts = Options::empty();
    opts.insert(Options::ENABLE_TABLES);
    opts.insert(Options::ENABLE_STRIKETHROUGH);
    opts.insert(Options::ENABLE_TASKLISTS);
    let parser = Parser::new_ext(markdown, opts);
    let mut raw = String::with_capacity(markdown.len() * 3 / 2);
    html::push_html(&mut raw, parser);
    sanitize(&raw)
}

/// Sanitize HTML from outside (imported blog comments, feeds) with the same allow-list.
///
/// Tags nested deeper than [`crate::nesting::MAX_HTML_DEPTH`] are dropped first (their text
/// stays): the sanitizer's time grows with the square of the nesting.
pub fn sanitize(html: &str) -> String {
    let html = crate::nesting::limit_nesting(html, crate::nesting::MAX_HTML_DEPTH);
    let schemes: HashSet<&str> = ["http", "https", "mailto"].into_iter().collect();
    ammonia::Builder::default()
        .url_schemes(schemes)
        .link_rel(Some("noopener noreferrer nofollow ugc"))
        .add_tags(["input"])
        .add_tag_attributes("input", ["type", "checked", "disabled"])
        .clean(&html)
        .to_string()
}

/// Replace every remote image of sanitized HTML (`<img src="http(s)://…">`) by a link to it
/// that names its host: `label(host, alt)` gives the link's text. Pages show posts through
/// this, and their Content-Security-Policy allows no remote image, so a tracking pixel in a
/// post or an imported message learns nothing unless the reader chooses to open it.
///
/// A link rather than a proxy: a proxy would still fetch the pixel (the tracker learns that
/// the post was read, and when), costs bandwidth, and lets any post make the server request
/// any address (SSRF). Images on this site (`/…`) are kept.
///
/// `html` must come from [`sanitize`] or [`render`]: their output quotes every attribute
/// with `"` and escapes `"` and `&` inside, which this scanner relies on. `label` receives
/// the host and the alt text escaped for HTML text and must return HTML.
pub fn defer_remote_images(html: &str, label: impl Fn(&str, &str) -> String) -> String {
    if !html.contains("<img") {
        return html.to_string();
    }
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(i) = rest.find("<img") {
        out.push_str(&rest[..i]);
        let tag_and_after = &rest[i..];
        let Some(end) = tag_and_after.find('>') else {
            out.push_str(tag_and_after);
            return out;
        };
        let tag = &tag_and_after[..=end];
        rest = &tag_and_after[end + 1..];
        let src = attribute(tag, "src").unwrap_or("");
        let host = remote_host(src);
        match host {
            None => out.push_str(tag),
            Some(host) => {
                // The values move from an attribute to text, where `<` and `>` matter; today's
                // serializer escapes them in attributes too, but the HTML standard only asks
                // for `&` and `"` there, so this does not rely on it.
                let text = |v: &str| v.replace('<', "&lt;").replace('>', "&gt;");
                let alt = text(attribute(tag, "alt").unwrap_or(""));
                let host = text(host);
                out.push_str(&format!(
                    "<a class=\"remote-img\" href=\"{src}\" target=\"_blank\" rel=\"noopener noreferrer nofollow ugc\">{}</a>",
                    label(&host, &alt)
                ));
            }
        }
    }
    out.push_str(rest);
    out
}

/// The (still HTML-escaped) value of `name="…"` in a sanitized tag.
fn attribute<'a>(tag: &'a str, name: &str) -> Option<&'a str> {
    let key = format!(" {name}=\"");
    let start = tag.find(&key)? + key.len();
    let len = tag[start..].find('"')?;
    Some(&tag[start..start + len])
}

/// The host of an absolute http(s) or protocol-relative URL; None for this site's own paths.
fn remote_host(src: &str) -> Option<&str> {
    let lower = src.get(..8).unwrap_or(src).to_ascii_lowercase();
    let after = if lower.starts_with("https://") {
        &src[8..]
    } else if lower.starts_with("http://") {
        &src[7..]
    } else if let Some(rest) = src.strip_prefix("//") {
        rest
    } else if src.starts_with('/') || src.is_empty() {
        return None;
    } else {
        // Relative to the page: on this site too. Any other scheme was removed by sanitize.
        return None;
    };
    let authority = after.split(['/', '?', '#']).next().unwrap_or("");
    let host = authority.rsplit('@').next().unwrap_or("");
    let host = host.split(':').next().unwrap_or("");
    Some(if host.is_empty() { "?" } else { host })
}

/// Plain text of a Markdown body (for excerpts, search and notifications): tags removed,
/// whitespace collapsed.
pub fn to_plain_text(markdown: &str) -> String {
    let parser = Parser::new(markdown);
    let mut out = String::new();
    for ev in parser {
        use pulldown_cmark::Event;
        match ev {
            Event::Text(t) | Event::Code(t) => out.push_str(&t),
            Event::SoftBreak | Event::HardBreak => out.push(' '),
            // Inline markup (emphasis, links, strikethrough) ends inside a sentence: a space
            // there would read "La Présence , c'est". Only the end of a block separates words.
            Event::End(
                TagEnd::Emphasis
                | TagEnd::Strong
                | TagEnd::Strikethrough
                | TagEnd::Link
                | TagEnd::Image,
            ) => {}
            Event::End(_) => out.push(' '),
            _ => {}
        }
    }
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The first `max` characters of the plain text, cut on a word boundary, with an ellipsis.
pub fn excerpt(markdown: &str, max: usize) -> String {
    let text = to_plain_text(markdown);
    if text.chars().count() <= max {
        return text;
    }
    let cut: String = text.chars().take(max).collect();
    let cut = match cut.rfind(' ') {
        Some(i) if i > max / 2 => &cut[..i],
        _ => &cut,
    };
    format!("{cut}…")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// 50,000 nested elements took 7 minutes to sanitize (quadratic in the depth).
    #[test]
    fn deeply_nested_html_and_markdown_render_in_bounded_time() {
        let started = std::time::Instant::now();
        let n = 50_000;
        let html = "<div><blockquote>".repeat(n) + "inner" + &"</blockquote></div>".repeat(n);
        let clean = sanitize(&html);
        assert!(clean.contains("inner"));
        assert!(clean.matches("<blockquote>").count() <= crate::nesting::MAX_HTML_DEPTH);
        let quotes = ">".repeat(n) + " quoted";
        assert!(render(&quotes).contains("quoted"));
        let list: String = (0..3_000).map(|i| "  ".repeat(i) + "- item\n").collect();
        assert!(render(&list).matches("<li>").count() <= crate::nesting::MAX_HTML_DEPTH);
        let links = "[".repeat(n) + "x" + &"]".repeat(n);
        assert!(render(&links).contains('x'));
        assert!(
            started.elapsed() < std::time::Duration::from_secs(20),
            "took {:?}",
            started.elapsed()
        );
    }

    #[test]
    fn plain_text_keeps_punctuation_after_inline_markup() {
        assert_eq!(
            to_plain_text("La **Présence**, c'est [ici](https://x.example). *Oui* !"),
            "La Présence, c'est ici. Oui !"
        );
        assert_eq!(
            to_plain_text("# Titre\n\nCorps\n\n- a\n- b"),
            "Titre Corps a b"
        );
    }

    #[test]
    fn renders_markdown() {
        let h = render("**bonjour** [lien](https://example.com)");
        assert!(h.contains("<strong>bonjour</strong>"));
        assert!(h.contains("href=\"https://example.com\""));
        assert!(h.contains("nofollow"));
    }

    #[test]
    fn plain_text_is_escaped_into_paragraphs() {
        assert_eq!(
            text_to_html("  Élan <b>&\"x\"</b> ok\nligne 2 — é<\n\n\n\nfin&"),
            "<p>Élan &lt;b&gt;&amp;&quot;x&quot;&lt;/b&gt; ok<br>\nligne 2 — é&lt;</p>\n<p>fin&amp;</p>\n"
        );
        assert_eq!(text_to_html(" \n\n "), "");
        // Line ends as `str::lines` reads them: `\r\n` is one, a lone `\r` is text.
        assert_eq!(
            text_to_html("a\r\nb\n\r\nc\rd\r\n\r\ne\n\n\r\nf"),
            "<p>a<br>\nb<br>\n<br>\nc\rd<br>\n<br>\ne</p>\n<p>f</p>\n"
        );
        // The same as escaping line by line.
        for text in [
            "x\r\n\r\ny",
            "> quoted \"a\" & <b>\n>> deeper\r\nplain",
            "\u{e9}t\u{e9}\r\r\n\u{2014}<\n\n\n>",
        ] {
            let mut slow = String::new();
            for para in text.split("\n\n").map(str::trim).filter(|p| !p.is_empty()) {
                let lines: Vec<String> = para
                    .lines()
                    .map(|l| {
                        l.replace('&', "&amp;")
                            .replace('<', "&lt;")
                            .replace('>', "&gt;")
                            .replace('"', "&quot;")
                    })
                    .collect();
                slow.push_str(&format!("<p>{}</p>\n", lines.join("<br>\n")));
            }
            assert_eq!(text_to_html(text), slow, "{text:?}");
        }
    }

    #[test]
    fn excerpt_cuts_on_words() {
        assert_eq!(excerpt("un deux trois quatre cinq", 12), "un deux…");
    }

    #[test]
    fn remote_images_become_links_naming_their_host() {
        let html = render(
            "Voir ![pixel](https://track.example:8443/p.gif?u=42) et ![logo](/assets/logo.svg)",
        );
        let out = defer_remote_images(&html, |host, alt| format!("[{alt}] {host}"));
        assert!(!out.contains("<img src=\"https://"), "{out}");
        assert!(
            out.contains("href=\"https://track.example:8443/p.gif?u=42\"")
                && out.contains(">[pixel] track.example</a>"),
            "{out}"
        );
        assert!(out.contains("<img src=\"/assets/logo.svg\""), "{out}");
        let out = defer_remote_images(
            &sanitize(r#"<img src="//cdn.example/x.png"><img src="http://a@b.example/y">"#),
            |host, _| host.to_string(),
        );
        assert!(!out.contains("<img"), "{out}");
        assert!(
            out.contains(">cdn.example</a>") && out.contains(">b.example</a>"),
            "{out}"
        );
        // An alt text cannot smuggle markup into the link.
        let out = defer_remote_images(
            &sanitize(r#"<img alt="<b onmouseover=x>hi</b>" src="https://t.example/p.gif">"#),
            |host, alt| format!("{alt} {host}"),
        );
        assert!(!out.contains("<b"), "{out}");
        assert!(
            out.contains("&lt;b onmouseover=x&gt;hi&lt;/b&gt; t.example"),
            "{out}"
        );
    }
}

/// Plain text (an email, a chat message) as HTML: escaped, blank lines make paragraphs, line
/// breaks are kept. Used for imported bodies that are not Markdown.
pub fn text_to_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / 16 + 32);
    for para in text.split("\n\n").map(str::trim).filter(|p| !p.is_empty()) {
        out.push_str("<p>");
        // The characters to escape and the line breaks are ASCII, so every byte position
        // where one is found is a character boundary: copy the runs between them whole.
        let bytes = para.as_bytes();
        let mut plain = 0;
        for (i, &b) in bytes.iter().enumerate() {
            let escaped = match b {
                b'<' => "&lt;",
                b'>' => "&gt;",
                b'&' => "&amp;",
                b'"' => "&quot;",
                b'\n' => {
                    // A line break; a `\r` before it goes, as with `str::lines`.
                    let end = if i > plain && bytes[i - 1] == b'\r' {
                        i - 1
                    } else {
                        i
                    };
                    out.push_str(&para[plain..end]);
                    out.push_str("<br>\n");
                    plain = i + 1;
                    continue;
                }
                _ => continue,
            };
            out.push_str(&para[plain..i]);
            out.push_str(escaped);
            plain = i + 1;
        }
        out.push_str(&para[plain..]);
        out.push_str("</p>\n");
    }
    out
}
