//! Markdown → sanitized HTML.
//!
//! Bodies are written in Markdown (CommonMark plus tables, strikethrough and task lists) and
//! rendered once, when they are stored. The HTML is then passed through an allow-list
//! sanitizer (ammonia): raw HTML in the Markdown is allowed to *render* only if it is in the
//! allow-list, so `<script>`, `on*=` handler attributes, `style`, `javascript:`/`data:` URLs and
//! the like never survive, whatever way they were smuggled in. Links get
//! `rel="noopener noreferrer nofollow ugc"` because members' links are user content.

use pulldown_cmark::{Options, Parser, html};
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
pub fn sanitize(html: &str) -> String {
    let schemes: HashSet<&str> = ["http", "https", "mailto"].into_iter().collect();
    ammonia::Builder::default()
        .url_schemes(schemes)
        .link_rel(Some("noopener noreferrer nofollow ugc"))
        .add_tags(["input"])
        .add_tag_attributes("input", ["type", "checked", "disabled"])
        .clean(html)
        .to_string()
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
            Event::SoftBreak | Event::HardBreak | Event::End(_) => out.push(' '),
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
    }

    #[test]
    fn excerpt_cuts_on_words() {
        assert_eq!(excerpt("un deux trois quatre cinq", 12), "un deux…");
    }
}

/// Plain text (an email, a chat message) as HTML: escaped, blank lines make paragraphs, line
/// breaks are kept. Used for imported bodies that are not Markdown.
pub fn text_to_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 16);
    for para in text.split("\n\n").map(str::trim).filter(|p| !p.is_empty()) {
        out.push_str("<p>");
        for (i, line) in para.lines().enumerate() {
            if i > 0 {
                out.push_str("<br>\n");
            }
            // The characters to escape are ASCII, so every byte position where one is found
            // is a character boundary: copy the runs between them whole.
            let mut plain = 0;
            for (i, b) in line.bytes().enumerate() {
                let escaped = match b {
                    b'<' => "&lt;",
                    b'>' => "&gt;",
                    b'&' => "&amp;",
                    b'"' => "&quot;",
                    _ => continue,
                };
                out.push_str(&line[plain..i]);
                out.push_str(escaped);
                plain = i + 1;
            }
            out.push_str(&line[plain..]);
        }
        out.push_str("</p>\n");
    }
    out
}
