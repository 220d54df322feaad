//! Searching: the parsed query turned into tantivy's, filters, paging, grouping hits by
//! thread, and their snippets.

use std::collections::HashMap;
use std::ops::Bound;

use tantivy::collector::{Count, TopDocs};
use tantivy::query::{
    BooleanQuery, ConstScoreQuery, Occur, PhrasePrefixQuery, PhraseQuery, Query, RangeQuery,
    RegexQuery, TermQuery,
};
use tantivy::schema::{Field, IndexRecordOption, Value};
use tantivy::{TantivyDocument, Term};

use crate::SearchError;
use crate::analysis::Analysis;
use crate::index::SearchIndex;
use crate::model::{Hit, MAX_LIMIT, MAX_WINDOW, Notice, SearchQuery, SearchResults};
use crate::query::{self, Atom};
use crate::snippet::{self, Highlight};

/// Hits are grouped by thread: to fill a page of `n` threads the search reads the best
/// `n × GROUP_SCAN_FACTOR` matching messages (at least [`GROUP_SCAN_MIN`]). A busy thread
/// whose messages all match then takes one line, and the count of its other matches is exact
/// whenever every match was read (`threads_exact`).
const GROUP_SCAN_FACTOR: usize = 5;
/// Fewest matching messages read to group a page (cheap: stored fields of a few hundred docs).
const GROUP_SCAN_MIN: usize = 200;
/// Most matching messages read to group a page, so a deep page stays bounded.
const GROUP_SCAN_MAX: usize = 2 * MAX_WINDOW;

pub(crate) fn strip_elision(word: &str) -> &str {
    // French elided articles and pronouns glued to the word: l'événement.
    for (i, c) in word.char_indices() {
        if c == '\'' || c == '’' {
            let head = word[..i].to_lowercase();
            let rest = &word[i + c.len_utf8()..];
            let elided = [
                "l", "d", "j", "m", "n", "s", "t", "c", "qu", "jusqu", "lorsqu", "puisqu",
            ];
            if elided.contains(&head.as_str()) && !rest.is_empty() {
                return rest;
            }
            break;
        }
    }
    word
}

fn regex_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 4);
    for c in text.chars() {
        if !c.is_alphanumeric() {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

impl SearchIndex {
    /// Searches one space. Never fails on query text; see [`SearchResults::notice`].
    pub fn search(&self, q: &SearchQuery) -> Result<SearchResults, SearchError> {
        let mut notices: Vec<Notice> = Vec::new();
        let mut analysis = Analysis::new();
        let parsed = query::parse(&q.text, &mut |atom| match atom {
            Atom::Word(w) => !analysis.tokens(strip_elision(w)).is_empty(),
            Atom::Phrase(w) | Atom::Prefix(w) => !analysis.tokens(w).is_empty(),
        });
        notices.extend(parsed.notices.iter().cloned());
        let empty = |notices: Vec<Notice>| SearchResults {
            total: 0,
            threads: 0,
            threads_exact: true,
            hits: Vec::new(),
            notice: join(&notices),
            notices,
            content: Vec::new(),
            content_total: 0,
        };

        if parsed.groups.is_empty() {
            notices.push(if parsed.excluded.is_empty() {
                Notice::NoWord
            } else {
                Notice::OnlyExcluded
            });
            return Ok(empty(notices));
        }
        if let (Some(from), Some(to)) = (q.from, q.to)
            && from >= to
        {
            notices.push(Notice::EmptyDateRange);
            return Ok(empty(notices));
        }

        let f = self.fields;
        let mut highlight = Highlight::default();
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        for group in &parsed.groups {
            let mut alternatives: Vec<Box<dyn Query>> = group
                .iter()
                .filter_map(|atom| self.atom_query(&mut analysis, atom, Some(&mut highlight)))
                .collect();
            match alternatives.len() {
                0 => {}
                1 => clauses.extend(alternatives.pop().map(|q| (Occur::Must, q))),
                _ => clauses.push((Occur::Must, Box::new(BooleanQuery::union(alternatives)))),
            }
        }
        for atom in &parsed.excluded {
            if let Some(query) = self.atom_query(&mut analysis, atom, None) {
                clauses.push((Occur::MustNot, query));
            }
        }
        let filter = |query: Box<dyn Query>| -> (Occur, Box<dyn Query>) {
            (Occur::Must, Box::new(ConstScoreQuery::new(query, 0.0)))
        };
        let int_term = |field: Field, value: i64| -> Box<dyn Query> {
            Box::new(TermQuery::new(
                Term::from_field_i64(field, value),
                IndexRecordOption::Basic,
            ))
        };
        clauses.push(filter(int_term(f.space_id, q.space_id)));
        if let Some(channel) = &q.channel {
            clauses.push(filter(Box::new(TermQuery::new(
                Term::from_field_text(f.channel, channel),
                IndexRecordOption::Basic,
            ))));
        }
        if let Some(author) = q.author_id {
            clauses.push(filter(int_term(f.author_id, author)));
        }
        if let Some(topic) = q.topic_id {
            clauses.push(filter(int_term(f.topic_id, topic)));
        }
        if q.from.is_some() || q.to.is_some() {
            let bound = |v: Option<i64>, inclusive: bool| match v {
                None => Bound::Unbounded,
                Some(v) if inclusive => Bound::Included(Term::from_field_i64(f.created_at, v)),
                Some(v) => Bound::Excluded(Term::from_field_i64(f.created_at, v)),
            };
            clauses.push(filter(Box::new(RangeQuery::new(
                bound(q.from, true),
                bound(q.to, false),
            ))));
        }
        let query = BooleanQuery::new(clauses);

        let limit = if q.limit > MAX_LIMIT {
            notices.push(Notice::PageTooLarge);
            MAX_LIMIT
        } else {
            q.limit
        };
        let (offset, limit) = if q.offset.saturating_add(limit) > MAX_WINDOW {
            notices.push(Notice::TooDeep);
            let offset = q.offset.min(MAX_WINDOW);
            (offset, limit.min(MAX_WINDOW - offset))
        } else {
            (q.offset, limit)
        };

        let searcher = self.reader.searcher();
        let total = searcher
            .search(&query, &Count)
            .map_err(SearchError::index("counting"))?;
        // Group the best matches by thread, in the order of each thread's best match.
        let scan = (offset + limit)
            .saturating_mul(GROUP_SCAN_FACTOR)
            .clamp(GROUP_SCAN_MIN, GROUP_SCAN_MAX)
            .min(total);
        // (thread, its best hit's stored fields, score, matching messages)
        let mut groups: Vec<(i64, TantivyDocument, f32, usize)> = Vec::new();
        let mut by_thread: HashMap<i64, usize> = HashMap::new();
        if scan > 0 {
            let top = searcher
                .search(&query, &TopDocs::with_limit(scan).order_by_score())
                .map_err(SearchError::index("searching"))?;
            for (score, address) in top {
                let doc: TantivyDocument = searcher
                    .doc(address)
                    .map_err(SearchError::index("reading a hit"))?;
                let thread = doc
                    .get_first(f.thread_id)
                    .and_then(|v| v.as_i64())
                    .unwrap_or_default();
                match by_thread.get(&thread) {
                    Some(&i) => groups[i].3 += 1,
                    None => {
                        by_thread.insert(thread, groups.len());
                        groups.push((thread, doc, score, 1));
                    }
                }
            }
        }
        let threads_exact = scan == total;
        let mut hits = Vec::new();
        for (thread_id, doc, score, matches) in groups.iter().skip(offset).take(limit) {
            let (thread_id, score, matches) = (*thread_id, *score, *matches);
            let int = |field| {
                doc.get_first(field)
                    .and_then(|v| v.as_i64())
                    .unwrap_or_default()
            };
            let text = |field| {
                doc.get_first(field)
                    .and_then(|v| v.as_str())
                    .unwrap_or_default()
            };
            hits.push(Hit {
                message_id: int(f.message_id),
                thread_id,
                score,
                title: text(f.title).to_owned(),
                snippet_html: snippet::snippet(&mut analysis, &highlight, text(f.body)),
                thread_matches: matches,
            });
        }
        Ok(SearchResults {
            total,
            threads: groups.len(),
            threads_exact,
            hits,
            notice: join(&notices),
            notices,
            content: Vec::new(),
            content_total: 0,
        })
    }

    /// The tantivy query of one atom, or `None` if it has no token; records
    /// what to highlight when `highlight` is given.
    fn atom_query(
        &self,
        analysis: &mut Analysis,
        atom: &Atom,
        highlight: Option<&mut Highlight>,
    ) -> Option<Box<dyn Query>> {
        let f = self.fields;
        let plain_term = |t: &str| Term::from_field_text(f.plain, t);
        let mut scratch = Highlight::default();
        let hl = highlight.unwrap_or(&mut scratch);
        match atom {
            Atom::Word(word) => {
                let tokens = analysis.tokens(strip_elision(word));
                match tokens.as_slice() {
                    [] => None,
                    [token] => {
                        let fr = analysis.stem_fr(token);
                        let en = analysis.stem_en(token);
                        hl.fr.insert(fr.clone());
                        hl.en.insert(en.clone());
                        let q = |field, stem: &str| -> Box<dyn Query> {
                            Box::new(TermQuery::new(
                                Term::from_field_text(field, stem),
                                IndexRecordOption::WithFreqs,
                            ))
                        };
                        Some(Box::new(BooleanQuery::union(vec![
                            q(f.fr, &fr),
                            q(f.en, &en),
                        ])))
                    }
                    // "e-mail", "don't": the tokens in sequence.
                    _ => {
                        hl.exact.extend(tokens.iter().cloned());
                        Some(Box::new(PhraseQuery::new(
                            tokens.iter().map(|t| plain_term(t)).collect(),
                        )))
                    }
                }
            }
            Atom::Phrase(text) => {
                let tokens = analysis.tokens(text);
                hl.exact.extend(tokens.iter().cloned());
                match tokens.as_slice() {
                    [] => None,
                    [token] => Some(Box::new(TermQuery::new(
                        plain_term(token),
                        IndexRecordOption::WithFreqs,
                    ))),
                    _ => Some(Box::new(PhraseQuery::new(
                        tokens.iter().map(|t| plain_term(t)).collect(),
                    ))),
                }
            }
            Atom::Prefix(text) => {
                let tokens = analysis.tokens(text);
                match tokens.as_slice() {
                    [] => None,
                    [token] => {
                        hl.prefixes.push(token.clone());
                        let pattern = format!("{}.*", regex_escape(token));
                        match RegexQuery::from_pattern(&pattern, f.plain) {
                            Ok(q) => Some(Box::new(q)),
                            Err(_) => Some(Box::new(TermQuery::new(
                                plain_term(token),
                                IndexRecordOption::WithFreqs,
                            ))),
                        }
                    }
                    [init @ .., last] => {
                        hl.exact.extend(init.iter().cloned());
                        hl.prefixes.push(last.clone());
                        Some(Box::new(PhrasePrefixQuery::new(
                            tokens.iter().map(|t| plain_term(t)).collect(),
                        )))
                    }
                }
            }
        }
    }
}

fn join(notices: &[Notice]) -> Option<String> {
    if notices.is_empty() {
        None
    } else {
        Some(
            notices
                .iter()
                .map(|n| n.english())
                .collect::<Vec<_>>()
                .join("; "),
        )
    }
}
