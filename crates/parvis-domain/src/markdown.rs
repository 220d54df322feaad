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
