//! Bounding how deep HTML nests before it reaches the sanitizer.
//!
//! html5ever, under ammonia, checks the stack of open elements for each start tag, so its time
//! grows with the square of the nesting: one imported feed item of 50,000 nested `<div>`s
//! (1.8 MB) took 7 minutes of CPU, and Markdown of thousands of nested list items or quotes
//! renders to the same shape. Real content nests a few dozen levels; past [`MAX_HTML_DEPTH`]
//! the tags are dropped and their text kept. The scan is a single linear pass and only
//! approximates HTML's rules (a tag the browser would close implicitly still counts): it is a
//! bound, not a parser, and the sanitizer still decides what is safe.

use std::borrow::Cow;

/// Elements nested deeper than this lose their tags (their text stays).
pub const MAX_HTML_DEPTH: usize = 100;

/// Elements that never have an end tag.
fn is_void(name: &[u8]) -> bool {
    const VOID: &[&[u8]] = &[
        b"area", b"base", b"br", b"col", b"embed", b"hr", b"img", b"input", b"link", b"meta",
        b"param", b"source", b"track", b"wbr",
    ];
    VOID.iter().any(|v| v.eq_ignore_ascii_case(name))
}

/// `html` with the tags nested deeper than `max` removed; borrowed when nothing was removed.
pub fn limit_nesting(html: &str, max: usize) -> Cow<'_, str> {
    let bytes = html.as_bytes();
    let mut out: Option<String> = None;
    // Bytes before `copied` are already in `out` (or need no copy while nothing is dropped).
    let mut copied = 0;
    let mut depth = 0usize;
    let mut i = 0;
    while let Some(off) = memchr_lt(&bytes[i..]) {
        let lt = i + off;
        let rest = &bytes[lt..];
        if rest.starts_with(b"<!--") {
            i = match html[lt + 4..].find("-->") {
                Some(e) => lt + 4 + e + 3,
                None => bytes.len(),
            };
            continue;
        }
        let closing = rest.get(1) == Some(&b'/');
        let name_start = lt + 1 + usize::from(closing);
        let name_len = bytes[name_start..]
            .iter()
            .take_while(|b| b.is_ascii_alphanumeric())
            .count();
        if name_len == 0 || !bytes[name_start].is_ascii_alphabetic() {
            i = lt + 1;
            continue;
        }
        let Some(gt) = bytes[lt..].iter().position(|&b| b == b'>').map(|g| lt + g) else {
            break;
        };
        let name = &bytes[name_start..name_start + name_len];
        let drop = if closing {
            let deep = depth > max;
            depth = depth.saturating_sub(1);
            deep
        } else if is_void(name) || bytes[gt - 1] == b'/' {
            false
        } else {
            depth += 1;
            depth > max
        };
        if drop {
            let o = out.get_or_insert_with(|| String::with_capacity(html.len()));
            o.push_str(&html[copied..lt]);
            copied = gt + 1;
        }
        i = gt + 1;
    }
    match out {
        None => Cow::Borrowed(html),
        Some(mut o) => {
            o.push_str(&html[copied..]);
            Cow::Owned(o)
        }
    }
}

fn memchr_lt(b: &[u8]) -> Option<usize> {
    b.iter().position(|&c| c == b'<')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shallow_html_is_untouched() {
        let html = "<div><p>a <b>b</b><br>c<img src=x /></p><!-- <x> --></div>";
        assert!(matches!(limit_nesting(html, 3), Cow::Borrowed(_)));
    }

    #[test]
    fn tags_past_the_limit_go_and_their_text_stays() {
        let html = "<div><div><div><div>deep</div>er</div></div></div>";
        assert_eq!(limit_nesting(html, 2), "<div><div>deeper</div></div>");
    }

    #[test]
    fn a_lone_less_than_is_text() {
        assert_eq!(limit_nesting("1 < 2 <3 <", 0), "1 < 2 <3 <");
    }
}
