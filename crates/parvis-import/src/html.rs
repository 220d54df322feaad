//! A small HTML-to-text renderer, for the plain `body_text` of HTML channels.
//!
//! Not a sanitiser and not a full HTML parser: it drops tags, `<script>` and
//! `<style>` contents, turns block ends and `<br>` into line breaks, decodes
//! character references, and collapses runs of spaces. Enough for search and
//! topic matching; display must use `body_html` through a sanitiser.

/// Renders HTML as plain text.
pub fn html_to_text(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(lt) = rest.find('<') {
        push_text(&mut out, &rest[..lt]);
        let after = &rest[lt + 1..];
        let Some(gt) = after.find('>') else {
            push_text(&mut out, &rest[lt..]);
            rest = "";
            break;
        };
        let tag = after[..gt].trim().to_ascii_lowercase();
        let name: String = tag
            .trim_start_matches('/')
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric())
            .collect();
        rest = &after[gt + 1..];
        if (name == "script" || name == "style") && !tag.starts_with('/') {
            let close = format!("</{name}");
            let lower = rest.to_ascii_lowercase();
            match lower.find(&close) {
                Some(i) => {
                    let end = rest[i..].find('>').map(|j| i + j + 1).unwrap_or(rest.len());
                    rest = &rest[end..];
                }
                None => rest = "",
            }
            continue;
        }
        match name.as_str() {
            "br" => out.push('\n'),
            "p" | "div" | "li" | "blockquote" | "pre" | "h1" | "h2" | "h3" | "h4" | "h5" | "h6"
            | "tr" | "ul" | "ol"
                if (tag.starts_with('/') || name == "li") && !out.ends_with("\n\n") =>
            {
                out.push('\n');
            }
            _ => {}
        }
    }
    push_text(&mut out, rest);
    tidy(&out)
}

fn push_text(out: &mut String, text: &str) {
    out.push_str(&decode_entities(text));
}

/// Collapses spaces inside lines, trims lines, and keeps at most one blank line.
fn tidy(s: &str) -> String {
    let mut res = String::with_capacity(s.len());
    let mut blank = 0;
    for line in s.lines() {
        let line: Vec<&str> = line.split_whitespace().collect();
        if line.is_empty() {
            blank += 1;
            continue;
        }
        if !res.is_empty() {
            res.push_str(if blank > 0 { "\n\n" } else { "\n" });
        }
        blank = 0;
        res.push_str(&line.join(" "));
    }
    res
}

/// Decodes HTML character references (`&amp;`, `&#233;`, `&#x27;`, common names).
/// Unknown references are kept as written.
pub fn decode_entities(s: &str) -> String {
    if !s.contains('&') {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        let after = &rest[amp + 1..];
        let end = after.find(';').filter(|&e| e <= 10);
        let decoded = end.and_then(|e| {
            let name = &after[..e];
            if let Some(num) = name.strip_prefix('#') {
                let code = if let Some(hex) = num.strip_prefix(['x', 'X']) {
                    u32::from_str_radix(hex, 16).ok()
                } else {
                    num.parse().ok()
                };
                code.and_then(char::from_u32).map(|c| (c.to_string(), e))
            } else {
                named_entity(name).map(|c| (c.to_string(), e))
            }
        });
        match decoded {
            Some((text, e)) => {
                out.push_str(&text);
                rest = &after[e + 1..];
            }
            None => {
                out.push('&');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

fn named_entity(name: &str) -> Option<&'static str> {
    Some(match name {
        "amp" => "&",
        "lt" => "<",
        "gt" => ">",
        "quot" => "\"",
        "apos" => "'",
        "nbsp" => "\u{a0}",
        "hellip" => "…",
        "mdash" => "—",
        "ndash" => "–",
        "lsquo" => "‘",
        "rsquo" => "’",
        "ldquo" => "“",
        "rdquo" => "”",
        "laquo" => "«",
        "raquo" => "»",
        "eacute" => "é",
        "egrave" => "è",
        "ecirc" => "ê",
        "agrave" => "à",
        "acirc" => "â",
        "ccedil" => "ç",
        "ocirc" => "ô",
        "ucirc" => "û",
        "ugrave" => "ù",
        "icirc" => "î",
        "iuml" => "ï",
        "euml" => "ë",
        "Eacute" => "É",
        "copy" => "©",
        "reg" => "®",
        "euro" => "€",
        "times" => "×",
        "middot" => "·",
        "bull" => "•",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strips_tags_and_decodes() {
        assert_eq!(
            html_to_text("<p>Caf&eacute; &amp; <b>cr&#232;me</b></p><p>Two</p>"),
            "Café & crème\nTwo"
        );
        assert_eq!(html_to_text("a<br/>b<script>x()</script> c"), "a\nb c");
        assert_eq!(html_to_text("1 < 2"), "1 < 2");
    }
}
