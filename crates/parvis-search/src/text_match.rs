//! The same query language and analysis, applied to a handful of documents held in memory.
//!
//! Challenges, testimonials and interviews are few per space (hundreds, not millions) and
//! what may be shown of them changes with consent at any moment: a withdrawal must take a
//! testimonial out of results *at once*, and initials-only must never let the full name be
//! found. Keeping them out of the tantivy index and matching them here, on exactly the text
//! the reader may see at query time, makes both true by construction (there is no second copy
//! to keep in step), at the cost of analysing a few hundred short texts per search.
//!
//! Matching mirrors [`crate::SearchIndex::search`]: a bare word matches by its French or
//! English stem, a phrase by its folded words in sequence, a prefix by the start of a word;
//! groups are ANDed, a group's atoms ORed, excluded atoms must not match.

use serde::{Deserialize, Serialize};

use crate::analysis::Analysis;
use crate::query::{self, Atom};
use crate::snippet::{self, Highlight};
use crate::strip_elision;

/// A document to match: a title and a body, both plain text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TextDoc<'a> {
    pub title: &'a str,
    pub body: &'a str,
}

/// A matching document: its position in the input, a score and an escaped snippet.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TextMatch {
    /// Index of the document in the slice given.
    pub index: usize,
    /// Matched words (title words count double); higher is better.
    pub score: f32,
    /// Escaped excerpt of the body; the only markup is `<mark>…</mark>`.
    pub snippet_html: String,
}

/// The folded tokens of a document with their stems, computed once per document.
struct Tokens {
    plain: Vec<String>,
    fr: Vec<String>,
    en: Vec<String>,
}

impl Tokens {
    fn of(analysis: &mut Analysis, text: &str) -> Tokens {
        let plain = analysis.tokens(text);
        let fr = plain.iter().map(|t| analysis.stem_fr(t)).collect();
        let en = plain.iter().map(|t| analysis.stem_en(t)).collect();
        Tokens { plain, fr, en }
    }

    /// How many times `atom` occurs.
    fn count(&self, analysis: &mut Analysis, atom: &Atom) -> usize {
        let sequence = |needle: &[String]| -> usize {
            if needle.is_empty() || needle.len() > self.plain.len() {
                return 0;
            }
            self.plain
                .windows(needle.len())
                .filter(|w| *w == needle)
                .count()
        };
        match atom {
            Atom::Word(word) => {
                let tokens = analysis.tokens(strip_elision(word));
                match tokens.as_slice() {
                    [] => 0,
                    [token] => {
                        let fr = analysis.stem_fr(token);
                        let en = analysis.stem_en(token);
                        (0..self.plain.len())
                            .filter(|&i| self.fr[i] == fr || self.en[i] == en)
                            .count()
                    }
                    many => sequence(many),
                }
            }
            Atom::Phrase(text) => sequence(&analysis.tokens(text)),
            Atom::Prefix(text) => {
                let tokens = analysis.tokens(text);
                match tokens.split_last() {
                    None => 0,
                    Some((last, init)) => {
                        let n = init.len();
                        if n + 1 > self.plain.len() {
                            return 0;
                        }
                        (0..=self.plain.len() - n - 1)
                            .filter(|&i| {
                                self.plain[i..i + n] == *init
                                    && self.plain[i + n].starts_with(last.as_str())
                            })
                            .count()
                    }
                }
            }
        }
    }
}

/// What a snippet highlights for the positive atoms of a query.
fn highlight_of(analysis: &mut Analysis, groups: &[Vec<Atom>]) -> Highlight {
    let mut hl = Highlight::default();
    for atom in groups.iter().flatten() {
        match atom {
            Atom::Word(word) => {
                let tokens = analysis.tokens(strip_elision(word));
                if let [token] = tokens.as_slice() {
                    hl.fr.insert(analysis.stem_fr(token));
                    hl.en.insert(analysis.stem_en(token));
                } else {
                    hl.exact.extend(tokens);
                }
            }
            Atom::Phrase(text) => hl.exact.extend(analysis.tokens(text)),
            Atom::Prefix(text) => {
                let tokens = analysis.tokens(text);
                if let Some((last, init)) = tokens.split_last() {
                    hl.exact.extend(init.iter().cloned());
                    hl.prefixes.push(last.clone());
                }
            }
        }
    }
    hl
}

/// The documents that match `query`, best first (ties keep the input order). A query with
/// nothing to look for matches nothing; the query's notices are the index search's business.
pub fn match_documents(query: &str, docs: &[TextDoc<'_>]) -> Vec<TextMatch> {
    let mut analysis = Analysis::new();
    let parsed = query::parse(query, &mut |atom| match atom {
        Atom::Word(w) => !analysis.tokens(strip_elision(w)).is_empty(),
        Atom::Phrase(w) | Atom::Prefix(w) => !analysis.tokens(w).is_empty(),
    });
    if parsed.groups.is_empty() {
        return Vec::new();
    }
    let highlight = highlight_of(&mut analysis, &parsed.groups);
    let mut out = Vec::new();
    for (index, doc) in docs.iter().enumerate() {
        let title = Tokens::of(&mut analysis, doc.title);
        let body = Tokens::of(&mut analysis, doc.body);
        let mut score = 0usize;
        let mut all = true;
        for group in &parsed.groups {
            let mut found = 0usize;
            for atom in group {
                found += 2 * title.count(&mut analysis, atom) + body.count(&mut analysis, atom);
            }
            if found == 0 {
                all = false;
                break;
            }
            score += found;
        }
        if !all {
            continue;
        }
        let excluded = parsed
            .excluded
            .iter()
            .any(|atom| title.count(&mut analysis, atom) + body.count(&mut analysis, atom) > 0);
        if excluded {
            continue;
        }
        out.push(TextMatch {
            index,
            score: score as f32,
            snippet_html: snippet::snippet(&mut analysis, &highlight, doc.body),
        });
    }
    // Stable: equal scores keep the caller's order (newest first, say).
    out.sort_by(|a, b| b.score.total_cmp(&a.score));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc<'a>(title: &'a str, body: &'a str) -> TextDoc<'a> {
        TextDoc { title, body }
    }

    #[test]
    fn words_match_by_stem_and_accents_fold() {
        let docs = [
            doc(
                "Défi : réduire les déchets",
                "Proposez des solutions pour l'emballage.",
            ),
            doc("Offre d'emploi", "Développeur Rust à Lyon"),
        ];
        let m = match_documents("dechet", &docs);
        assert_eq!(m.iter().map(|m| m.index).collect::<Vec<_>>(), vec![0]);
        let m = match_documents("développeurs", &docs);
        assert_eq!(m.iter().map(|m| m.index).collect::<Vec<_>>(), vec![1]);
        assert!(
            m[0].snippet_html.contains("<mark>Développeur</mark>"),
            "{}",
            m[0].snippet_html
        );
    }

    #[test]
    fn and_or_phrase_prefix_and_exclusion() {
        let docs = [
            doc("A", "the quick brown fox"),
            doc("B", "a brown quick dog"),
            doc("C", "nothing here"),
        ];
        let ids = |q: &str| {
            match_documents(q, &docs)
                .iter()
                .map(|m| m.index)
                .collect::<Vec<_>>()
        };
        assert_eq!(ids("\"quick brown\""), vec![0]);
        assert_eq!(ids("quick brown"), vec![0, 1]);
        assert_eq!(ids("fox OR dog"), vec![0, 1]);
        assert_eq!(ids("bro*"), vec![0, 1]);
        assert_eq!(ids("quick -dog"), vec![0]);
        assert_eq!(ids("-quick"), Vec::<usize>::new());
        assert_eq!(ids(""), Vec::<usize>::new());
    }

    #[test]
    fn the_title_weighs_more_and_escapes_stay_escaped() {
        let docs = [doc("Other", "salon <b>salon</b>"), doc("Salon", "salon")];
        let m = match_documents("salon", &docs);
        assert_eq!(m[0].index, 1, "title match first (3 vs 2)");
        assert!(!m[1].snippet_html.contains("<b>"));
    }
}
