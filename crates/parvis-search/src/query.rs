//! Our own query language, parsed leniently.
//!
//! ```text
//! words         all required (AND), ranked by BM25 on the stemmed fields
//! "a phrase"    exact sequence on the folded, unstemmed field
//! "word"        one quoted word: exact, not stemmed
//! prefix*       any word starting with `prefix` (at least 2 letters)
//! "a phr*"      a phrase whose last word is a prefix
//! -word -"a b"  excluded (also `NOT word`)
//! a OR b        either (also `a | b`); binds tighter than the implicit AND
//! AND           accepted and ignored (AND is the default)
//! ```
//!
//! The parser never fails: whatever it cannot use (an unbalanced quote, a
//! stray `OR`, a lone `-`, punctuation, words past the limit) is dropped and
//! described in a notice for the person searching. It works on raw strings;
//! folding and stemming happen when the tantivy query is built.

/// Longest query text looked at, in characters.
pub(crate) const MAX_QUERY_CHARS: usize = 1_000;
/// Most clauses (words, phrases, prefixes, exclusions) used.
pub(crate) const MAX_CLAUSES: usize = 24;

/// One searchable unit, before analysis.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Atom {
    /// A bare word, stemmed.
    Word(String),
    /// A quoted phrase (or quoted single word), exact.
    Phrase(String),
    /// A word ending with `*`, without the star.
    Prefix(String),
}

/// A parsed query: `groups` are ANDed, the atoms in a group ORed;
/// `excluded` atoms must not match.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Parsed {
    pub groups: Vec<Vec<Atom>>,
    pub excluded: Vec<Atom>,
    pub notices: Vec<Notice>,
}

use crate::Notice;

#[derive(Debug, Clone, PartialEq, Eq)]
enum Lexeme {
    Atom { negated: bool, atom: Atom },
    Or,
    Not,
    And,
}

fn note(notices: &mut Vec<Notice>, notice: Notice) {
    if !notices.contains(&notice) {
        notices.push(notice);
    }
}

fn lex(text: &str, notices: &mut Vec<Notice>) -> Vec<Lexeme> {
    let chars: Vec<char> = text.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c.is_whitespace() {
            i += 1;
            continue;
        }
        // A leading '-' negates what follows directly (no space).
        let mut negated = false;
        let mut j = i;
        if c == '-' {
            if j + 1 < chars.len() && !chars[j + 1].is_whitespace() && chars[j + 1] != '-' {
                negated = true;
                j += 1;
            } else {
                note(notices, Notice::LoneMinus);
                i += 1;
                continue;
            }
        }
        if chars[j] == '"' || chars[j] == '“' || chars[j] == '”' || chars[j] == '«' {
            let close = |ch: char| ch == '"' || ch == '”' || ch == '“' || ch == '»';
            match chars[j + 1..].iter().position(|&ch| close(ch)) {
                Some(len) => {
                    let inner: String = chars[j + 1..j + 1 + len].iter().collect();
                    // "spatial pack*": a phrase whose last word is a prefix.
                    let atom = match inner.trim_end().strip_suffix('*') {
                        Some(head) => Atom::Prefix(head.trim_end_matches('*').to_owned()),
                        None => Atom::Phrase(inner),
                    };
                    out.push(Lexeme::Atom { negated, atom });
                    i = j + 1 + len + 1;
                }
                None => {
                    note(notices, Notice::UnbalancedQuote);
                    // Drop the quote and read on as plain words.
                    i = j + 1;
                }
            }
            continue;
        }
        let start = j;
        while j < chars.len()
            && !chars[j].is_whitespace()
            && !matches!(chars[j], '"' | '“' | '”' | '«' | '»')
        {
            j += 1;
        }
        let word: String = chars[start..j].iter().collect();
        i = j;
        match word.as_str() {
            "OR" | "|" | "||" if !negated => out.push(Lexeme::Or),
            "NOT" if !negated => out.push(Lexeme::Not),
            "AND" | "&" | "&&" | "+" if !negated => out.push(Lexeme::And),
            _ => {
                let word = word.trim_start_matches('+');
                if let Some(stem) = word.strip_suffix('*') {
                    let stem = stem.trim_end_matches('*');
                    out.push(Lexeme::Atom {
                        negated,
                        atom: Atom::Prefix(stem.to_owned()),
                    });
                } else {
                    out.push(Lexeme::Atom {
                        negated,
                        atom: Atom::Word(word.to_owned()),
                    });
                }
            }
        }
    }
    out
}

/// Parses a query, never failing. `usable` tells whether an atom yields at
/// least one token (the parser itself does not analyse text).
pub(crate) fn parse(text: &str, usable: &mut dyn FnMut(&Atom) -> bool) -> Parsed {
    let mut parsed = Parsed::default();
    let text = if text.chars().count() > MAX_QUERY_CHARS {
        note(&mut parsed.notices, Notice::QueryTooLong);
        let cut: String = text.chars().take(MAX_QUERY_CHARS).collect();
        // Do not cut a word in two.
        match cut.rfind(char::is_whitespace) {
            Some(at) if at > 0 => cut[..at].to_owned(),
            _ => cut,
        }
    } else {
        text.to_owned()
    };
    let lexemes = lex(&text, &mut parsed.notices);

    let mut pending_or = false;
    let mut pending_not = false;
    let mut clauses = 0usize;
    // Whether the last thing pushed was a positive group that OR may extend.
    let mut last_positive = false;
    for lexeme in lexemes {
        match lexeme {
            Lexeme::And => {
                if pending_or {
                    note(&mut parsed.notices, Notice::StrayOperator);
                    pending_or = false;
                }
            }
            Lexeme::Or => {
                if last_positive && !pending_or && !pending_not {
                    pending_or = true;
                } else {
                    note(&mut parsed.notices, Notice::StrayOperator);
                }
            }
            Lexeme::Not => {
                if pending_not {
                    note(&mut parsed.notices, Notice::StrayOperator);
                }
                pending_not = true;
            }
            Lexeme::Atom { negated, atom } => {
                let negated = negated || std::mem::take(&mut pending_not);
                if let Atom::Prefix(p) = &atom
                    && p.chars().filter(|c| c.is_alphanumeric()).count() < 2
                {
                    note(&mut parsed.notices, Notice::ShortPrefix);
                    pending_or = false;
                    continue;
                }
                if !usable(&atom) {
                    note(&mut parsed.notices, Notice::Punctuation);
                    continue;
                }
                if clauses >= MAX_CLAUSES {
                    note(&mut parsed.notices, Notice::TooManyWords);
                    continue;
                }
                clauses += 1;
                if negated {
                    if pending_or {
                        note(&mut parsed.notices, Notice::StrayOperator);
                        pending_or = false;
                    }
                    parsed.excluded.push(atom);
                    last_positive = false;
                } else if pending_or {
                    pending_or = false;
                    match parsed.groups.last_mut() {
                        Some(group) => group.push(atom),
                        None => parsed.groups.push(vec![atom]),
                    }
                    last_positive = true;
                } else {
                    parsed.groups.push(vec![atom]);
                    last_positive = true;
                }
            }
        }
    }
    if pending_or || pending_not {
        note(&mut parsed.notices, Notice::StrayOperator);
    }
    parsed
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(text: &str) -> Parsed {
        parse(text, &mut |a: &Atom| match a {
            Atom::Word(w) | Atom::Phrase(w) | Atom::Prefix(w) => {
                w.chars().any(char::is_alphanumeric)
            }
        })
    }

    fn w(s: &str) -> Atom {
        Atom::Word(s.to_owned())
    }

    #[test]
    fn words_phrases_prefixes() {
        let q = p(r#"raster "spatial data" proj* -gdal"#);
        assert_eq!(
            q.groups,
            vec![
                vec![w("raster")],
                vec![Atom::Phrase("spatial data".into())],
                vec![Atom::Prefix("proj".into())]
            ]
        );
        assert_eq!(q.excluded, vec![w("gdal")]);
        assert!(q.notices.is_empty());
    }

    #[test]
    fn or_binds_tighter_than_and() {
        let q = p("a b OR c d");
        assert_eq!(
            q.groups,
            vec![vec![w("a")], vec![w("b"), w("c")], vec![w("d")]]
        );
        let q = p("a | b NOT c");
        assert_eq!(q.groups, vec![vec![w("a"), w("b")]]);
        assert_eq!(q.excluded, vec![w("c")]);
    }

    #[test]
    fn lenient_on_garbage() {
        let q = p(r#"OR raster "unclosed phrase"#);
        assert_eq!(
            q.groups,
            vec![vec![w("raster")], vec![w("unclosed")], vec![w("phrase")]]
        );
        assert!(q.notices.contains(&Notice::UnbalancedQuote));
        assert!(q.notices.contains(&Notice::StrayOperator));
        let q = p("- -- *  !!! a*");
        assert!(q.groups.is_empty());
        assert!(!q.notices.is_empty());
        let long = "word ".repeat(3000);
        let q = p(&long);
        assert_eq!(q.groups.len(), MAX_CLAUSES);
    }
}
