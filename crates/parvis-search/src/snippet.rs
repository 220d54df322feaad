//! Highlighted snippets, computed by us rather than tantivy's
//! `SnippetGenerator`: our query terms live on three analysed fields (plain,
//! French stems, English stems) while the text is stored once, so we re-run
//! the plain analysis on the stored body and test each token against what
//! the query asked for. Only the top hits of a page are processed.
//!
//! Output is escaped text in which the only markup is `<mark>…</mark>`.

use std::collections::HashSet;

use crate::analysis::Analysis;

/// Target snippet length in bytes of source text.
const SNIPPET_BYTES: usize = 220;
/// Only the beginning of very long bodies is scanned for a snippet.
const SCAN_BYTES: usize = 32 * 1024;

/// What a snippet highlights, derived from the positive part of a query.
#[derive(Debug, Default, Clone)]
pub(crate) struct Highlight {
    /// Folded tokens that match exactly (phrase words, multi-token words).
    pub exact: HashSet<String>,
    /// French stems of bare words.
    pub fr: HashSet<String>,
    /// English stems of bare words.
    pub en: HashSet<String>,
    /// Folded prefixes.
    pub prefixes: Vec<String>,
}

impl Highlight {
    fn matches(&self, analysis: &mut Analysis, token: &str) -> bool {
        if self.exact.contains(token) || self.prefixes.iter().any(|p| token.starts_with(p.as_str()))
        {
            return true;
        }
        (!self.fr.is_empty() && self.fr.contains(&analysis.stem_fr(token)))
            || (!self.en.is_empty() && self.en.contains(&analysis.stem_en(token)))
    }
}

/// Escapes text for HTML element content and attribute values.
pub(crate) fn escape_into(out: &mut String, text: &str) {
    for c in text.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
}

fn floor_boundary(text: &str, mut at: usize) -> usize {
    at = at.min(text.len());
    while at > 0 && !text.is_char_boundary(at) {
        at -= 1;
    }
    at
}

fn ceil_boundary(text: &str, mut at: usize) -> usize {
    at = at.min(text.len());
    while at < text.len() && !text.is_char_boundary(at) {
        at += 1;
    }
    at
}

/// Builds the snippet of `body`: the window of about [`SNIPPET_BYTES`] with
/// the most distinct matched words (then the most matches), escaped, with
/// matches wrapped in `<mark>`. With no match, the beginning of the body.
pub(crate) fn snippet(analysis: &mut Analysis, highlight: &Highlight, body: &str) -> String {
    let scanned = &body[..floor_boundary(body, SCAN_BYTES)];
    let spans = analysis.spans(scanned);
    let matched: Vec<(usize, usize, String)> = spans
        .into_iter()
        .filter(|s| highlight.matches(analysis, &s.text))
        .map(|s| (s.from, s.to, s.text))
        .collect();

    // Best window over the matched spans (two pointers).
    let (mut best_start, mut best_end, mut best_key) = (0usize, 0usize, (0usize, 0usize));
    let mut lo = 0;
    for hi in 0..matched.len() {
        while lo < hi && matched[hi].1 - matched[lo].0 > SNIPPET_BYTES {
            lo += 1;
        }
        let window = &matched[lo..=hi];
        let distinct = window
            .iter()
            .map(|m| m.2.as_str())
            .collect::<HashSet<_>>()
            .len();
        let key = (distinct, window.len());
        if key > best_key {
            best_key = key;
            best_start = lo;
            best_end = hi;
        }
    }

    let (from, to) = if matched.is_empty() {
        (0, ceil_boundary(scanned, SNIPPET_BYTES))
    } else {
        let first = matched[best_start].0;
        let last = matched[best_end].1;
        let slack = SNIPPET_BYTES.saturating_sub(last - first);
        // A little context before the first match, the rest after.
        let mut from = floor_boundary(scanned, first.saturating_sub(slack / 3));
        // Start on a word boundary.
        if from > 0
            && let Some(ws) = scanned[from..first].find(char::is_whitespace)
        {
            from = ceil_boundary(scanned, from + ws + 1);
        }
        let mut to = ceil_boundary(scanned, last + (slack - slack / 3));
        if to < scanned.len()
            && let Some(ws) = scanned[last..to].rfind(char::is_whitespace)
        {
            to = last + ws;
        }
        (from, to.max(last))
    };

    let mut out = String::with_capacity(to - from + 64);
    if from > 0 {
        out.push('…');
    }
    let mut cursor = from;
    for (m_from, m_to, _) in matched.iter().filter(|m| m.0 >= from && m.1 <= to) {
        escape_into(&mut out, &scanned[cursor..*m_from]);
        out.push_str("<mark>");
        escape_into(&mut out, &scanned[*m_from..*m_to]);
        out.push_str("</mark>");
        cursor = *m_to;
    }
    escape_into(&mut out, &scanned[cursor..to]);
    if to < body.len() {
        out.push('…');
    }
    // Collapse the line breaks and runs of spaces of mail bodies.
    let mut collapsed = String::with_capacity(out.len());
    let mut space = false;
    for c in out.trim().chars() {
        if c.is_whitespace() {
            if !space {
                collapsed.push(' ');
            }
            space = true;
        } else {
            collapsed.push(c);
            space = false;
        }
    }
    collapsed
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn marks_and_escapes() {
        let mut a = Analysis::new();
        let mut h = Highlight::default();
        h.en.insert(a.stem_en("run"));
        let s = snippet(
            &mut a,
            &h,
            "<script>alert(1)</script> I was Running & jumping",
        );
        assert_eq!(
            s,
            "&lt;script&gt;alert(1)&lt;/script&gt; I was <mark>Running</mark> &amp; jumping"
        );
    }

    #[test]
    fn windows_long_text() {
        let mut a = Analysis::new();
        let mut h = Highlight::default();
        h.exact.insert("needle".into());
        let body = format!("{} needle {}", "hay ".repeat(200), "straw ".repeat(200));
        let s = snippet(&mut a, &h, &body);
        assert!(s.starts_with('…') && s.ends_with('…'), "{s}");
        assert!(s.contains("<mark>needle</mark>"));
        assert!(s.len() < 400);
    }
}
