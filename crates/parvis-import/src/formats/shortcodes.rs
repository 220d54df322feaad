//! WordPress shortcodes (`[caption …]…[/caption]`, `[embed]…[/embed]`, `[gallery ids="…"]`)
//! are written raw into a WXR export: WordPress expands them only when it renders a page.
//! Left as they are, they show as bracketed noise in every imported post. We expand the core
//! ones into plain HTML and drop the markers of any other *enclosing* shortcode (its content
//! stays). A lone bracket that is not a core shortcode name is text (`[1]`, `[sic]`).

/// Core shortcodes that carry no content we can show (they point at attachments the export
/// does not hold): removed.
const DROPPED: &[&str] = &["gallery", "playlist"];
/// Core shortcodes whose `src` attribute (or content) is a media address: shown as a link.
const MEDIA: &[&str] = &["audio", "video", "embed"];
/// Longest attribute list read inside one tag (a `]` further away is not a shortcode's).
const MAX_TAG: usize = 2_000;

#[derive(Debug)]
enum Piece<'a> {
    Text(&'a str),
    Open { name: &'a str, attrs: &'a str },
    Close { name: &'a str },
}

/// Splits `html` into text and shortcode tags.
fn pieces(html: &str) -> Vec<Piece<'_>> {
    let mut out = Vec::new();
    let mut text_start = 0;
    let mut i = 0;
    let bytes = html.as_bytes();
    while let Some(off) = html[i..].find('[') {
        let at = i + off;
        i = at + 1;
        let rest = &html[at + 1..];
        let closing = rest.starts_with('/');
        let name_start = at + 1 + usize::from(closing);
        let name_len = html[name_start..]
            .bytes()
            .take_while(|b| b.is_ascii_alphanumeric() || *b == b'_' || *b == b'-')
            .count();
        if name_len == 0 || !bytes[name_start].is_ascii_alphabetic() {
            continue;
        }
        let after_name = name_start + name_len;
        let Some(end) = html[after_name..]
            .char_indices()
            .take_while(|(n, c)| *n < MAX_TAG && *c != '[')
            .find(|(_, c)| *c == ']')
            .map(|(n, _)| after_name + n)
        else {
            continue;
        };
        let attrs = &html[after_name..end];
        // `[name]`, `[name attr…]`, `[/name]`: anything else right after the name is text.
        if !(attrs.is_empty() || attrs.starts_with(char::is_whitespace) || attrs == "/") {
            continue;
        }
        if closing && !attrs.trim().is_empty() {
            continue;
        }
        if text_start < at {
            out.push(Piece::Text(&html[text_start..at]));
        }
        let name = &html[name_start..after_name];
        out.push(if closing {
            Piece::Close { name }
        } else {
            Piece::Open {
                name,
                attrs: attrs.trim().trim_end_matches('/').trim(),
            }
        });
        i = end + 1;
        text_start = i;
    }
    if text_start < html.len() {
        out.push(Piece::Text(&html[text_start..]));
    }
    out
}

/// The value of attribute `key` in `attrs` (`key="v"`, `key='v'` or `key=v`).
fn attr<'a>(attrs: &'a str, key: &str) -> Option<&'a str> {
    let mut rest = attrs;
    while let Some(pos) = rest.find(key) {
        let before_ok = rest[..pos]
            .chars()
            .next_back()
            .is_none_or(char::is_whitespace);
        let after = rest[pos + key.len()..].trim_start();
        if before_ok && let Some(value) = after.strip_prefix('=') {
            let value = value.trim_start();
            return Some(match value.chars().next() {
                Some(q @ ('"' | '\'')) => value[1..].split(q).next().unwrap_or(""),
                _ => value.split(char::is_whitespace).next().unwrap_or(""),
            });
        }
        rest = &rest[pos + key.len()..];
    }
    None
}

fn escape_attr(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('"', "&quot;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

fn link(url: &str) -> String {
    let url = url.trim();
    if url.starts_with("http://") || url.starts_with("https://") {
        let u = escape_attr(url);
        format!("<a href=\"{u}\">{u}</a>")
    } else {
        String::new()
    }
}

/// A caption's content is the image (often wrapped in a link) followed by the caption text.
fn figure(content: &str) -> String {
    let split = ["</a>", "/>", ">"]
        .iter()
        .find_map(|end| {
            let img = content.find("<img")?;
            let tail = &content[img..];
            let close = if *end == "</a>" && content[..img].contains("<a") {
                tail.find("</a>")? + 4
            } else {
                tail.find('>')? + 1
            };
            Some(img + close)
        })
        .unwrap_or(0);
    let (media, caption) = content.split_at(split);
    let caption = caption.trim();
    if caption.is_empty() {
        format!("<figure>{media}</figure>")
    } else {
        format!("<figure>{media}<figcaption>{caption}</figcaption></figure>")
    }
}

/// Shortcodes nested deeper than this are left as they are (input is hostile sometimes).
const MAX_DEPTH: usize = 8;

/// `html` with WordPress shortcodes expanded (see the module doc).
pub(crate) fn expand(html: &str) -> String {
    expand_at(html, 0)
}

/// For each opening tag that has a closing one, the closing tag's index: nearest-first per
/// name, in one pass (searching ahead for each tag would be quadratic on `[a][a][a]…`).
fn pairs(pieces: &[Piece<'_>]) -> std::collections::HashMap<usize, usize> {
    let mut open: std::collections::HashMap<&str, Vec<usize>> = std::collections::HashMap::new();
    let mut out = std::collections::HashMap::new();
    for (i, p) in pieces.iter().enumerate() {
        match p {
            Piece::Open { name, .. } => open.entry(name).or_default().push(i),
            Piece::Close { name } => {
                if let Some(o) = open.get_mut(name).and_then(Vec::pop) {
                    out.insert(o, i);
                }
            }
            Piece::Text(_) => {}
        }
    }
    out
}

fn expand_at(html: &str, depth: usize) -> String {
    if !html.contains('[') || depth > MAX_DEPTH {
        return html.to_string();
    }
    let pieces = pieces(html);
    let pairs = pairs(&pieces);
    let mut out = String::with_capacity(html.len());
    let mut i = 0;
    while i < pieces.len() {
        match &pieces[i] {
            Piece::Text(t) => out.push_str(t),
            Piece::Close { name } => {
                // A close without its open: text, unless it is a core shortcode's.
                if !is_core(name) {
                    out.push_str(&format!("[/{name}]"));
                }
            }
            Piece::Open { name, attrs } => {
                let close = pairs.get(&i).copied();
                let inner = |from: usize, to: usize| -> String {
                    expand_at(
                        &pieces[from..to]
                            .iter()
                            .map(|p| match p {
                                Piece::Text(t) => t.to_string(),
                                Piece::Open { name, attrs: "" } => format!("[{name}]"),
                                Piece::Open { name, attrs } => format!("[{name} {attrs}]"),
                                Piece::Close { name } => format!("[/{name}]"),
                            })
                            .collect::<String>(),
                        depth + 1,
                    )
                };
                let name = *name;
                match close {
                    Some(end) => {
                        let content = inner(i + 1, end);
                        match name {
                            "caption" | "wp_caption" => out.push_str(&figure(&content)),
                            _ if DROPPED.contains(&name) => {}
                            _ if MEDIA.contains(&name) => {
                                out.push_str(&link(attr(attrs, "src").unwrap_or(content.as_str())))
                            }
                            _ => out.push_str(&content),
                        }
                        i = end;
                    }
                    None if MEDIA.contains(&name) => {
                        out.push_str(&link(attr(attrs, "src").unwrap_or("")));
                    }
                    None if is_core(name) => {}
                    None if attrs.is_empty() => out.push_str(&format!("[{name}]")),
                    None => out.push_str(&format!("[{name} {attrs}]")),
                }
            }
        }
        i += 1;
    }
    out
}

fn is_core(name: &str) -> bool {
    matches!(name, "caption" | "wp_caption") || DROPPED.contains(&name) || MEDIA.contains(&name)
}

#[cfg(test)]
mod tests {
    use super::expand;

    #[test]
    fn a_caption_becomes_a_figure() {
        assert_eq!(
            expand(
                r#"Avant [caption id="attachment_5" align="alignleft" width="300"]<a href="https://x.example/a.jpg"><img src="https://x.example/a.jpg" /></a> Le salon 2024[/caption] après"#
            ),
            r#"Avant <figure><a href="https://x.example/a.jpg"><img src="https://x.example/a.jpg" /></a><figcaption>Le salon 2024</figcaption></figure> après"#
        );
        assert_eq!(
            expand(r#"[caption]<img src="a.jpg">Vue[/caption]"#),
            r#"<figure><img src="a.jpg"><figcaption>Vue</figcaption></figure>"#
        );
    }

    #[test]
    fn media_become_links_and_galleries_go() {
        assert_eq!(
            expand("[embed]https://video.example/v/1[/embed]"),
            r#"<a href="https://video.example/v/1">https://video.example/v/1</a>"#
        );
        assert_eq!(
            expand(r#"Écoutez [audio src="https://x.example/a.mp3"] ici"#),
            r#"Écoutez <a href="https://x.example/a.mp3">https://x.example/a.mp3</a> ici"#
        );
        assert_eq!(expand(r#"Photos : [gallery ids="1,2,3"]."#), "Photos : .");
        assert_eq!(expand("[embed]javascript:alert(1)[/embed]"), "");
    }

    #[test]
    fn plugin_shortcodes_keep_their_content_and_brackets_stay_text() {
        assert_eq!(
            expand(r##"[su_note note_color="#fff"]Important[/su_note] et [1], [sic] et a[i]"##),
            "Important et [1], [sic] et a[i]"
        );
        assert_eq!(expand("[unclosed attr=1] texte"), "[unclosed attr=1] texte");
        assert_eq!(expand("un [ crochet ] seul ["), "un [ crochet ] seul [");
        assert_eq!(expand("[/caption] fin"), " fin");
    }

    #[test]
    fn hostile_nesting_stays_fast_and_bounded() {
        let deep = format!("{}x{}", "[a]".repeat(50_000), "[/a]".repeat(50_000));
        let out = expand(&deep);
        assert!(out.contains('x') && out.len() <= deep.len());
        let many = "[a] ".repeat(200_000);
        assert_eq!(expand(&many), many);
    }
}
