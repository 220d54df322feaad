//! Readability of the organisation's own texts.
//!
//! - English: Flesch reading ease = 206.835 − 1.015 × ASL − 84.6 × ASW.
//! - French: Kandel & Moles = 207 − 1.015 × ASL − 73.6 × ASW.
//!
//! ASL is the average sentence length in words, ASW the average number of syllables per word.
//! Sentences end at `.`, `!`, `?`, `…` or a blank line; words are runs of letters (apostrophes
//! and hyphens inside a word kept). **French syllables** come from the TeX French hyphenation
//! patterns (the `hyphenation` crate, patterns embedded in the binary, no fetch at run time),
//! with the minimum fragment lengths lowered to one letter so that every break counts:
//! syllables = breaks + 1. **English syllables** are counted by a rule, not a dictionary:
//! groups of consecutive vowels (a e i o u y), minus a final silent "e" (but not "-le"),
//! at least one per word. Both are approximations, stated in the interface.

use hyphenation::{Hyphenator, Language, Load, Standard};
use serde::Serialize;
use std::sync::OnceLock;
use utoipa::ToSchema;

/// The language whose formula applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum TextLang {
    En,
    Fr,
}

/// Counts and the score for a text or a set of texts.
#[derive(Debug, Clone, Default, PartialEq, Serialize, ToSchema)]
pub struct Readability {
    pub sentences: u64,
    pub words: u64,
    pub syllables: u64,
    /// `None` without any word.
    pub score: Option<f64>,
}

fn french() -> Option<&'static Standard> {
    static DICT: OnceLock<Option<Standard>> = OnceLock::new();
    DICT.get_or_init(|| {
        Standard::from_embedded(Language::French).ok().map(|mut d| {
            d.minima = (1, 1);
            d
        })
    })
    .as_ref()
}

/// English syllables by rule (see the module doc).
pub fn english_syllables(word: &str) -> u64 {
    let w: Vec<char> = word
        .to_lowercase()
        .chars()
        .filter(|c| c.is_alphabetic())
        .collect();
    if w.is_empty() {
        return 0;
    }
    let vowel = |c: char| "aeiouy".contains(c);
    let mut groups = 0u64;
    let mut prev = false;
    for &c in &w {
        let v = vowel(c);
        if v && !prev {
            groups += 1;
        }
        prev = v;
    }
    let n = w.len();
    if groups > 1 && w[n - 1] == 'e' && !(n >= 3 && w[n - 2] == 'l' && !vowel(w[n - 3])) {
        groups -= 1;
    }
    groups.max(1)
}

/// French syllables from the hyphenation patterns (breaks + 1).
pub fn french_syllables(word: &str) -> u64 {
    let lower = word.to_lowercase();
    match french() {
        Some(d) => d.hyphenate(&lower).breaks.len() as u64 + 1,
        // The patterns are compiled in; should loading ever fail, count vowel groups.
        None => english_syllables(&lower),
    }
}

fn words(sentence: &str) -> impl Iterator<Item = &str> {
    sentence
        .split(|c: char| !(c.is_alphabetic() || c == '\'' || c == '’' || c == '-'))
        .map(|w| w.trim_matches(|c: char| !c.is_alphabetic()))
        .filter(|w| !w.is_empty())
}

/// Count sentences, words and syllables of one text.
pub fn counts(text: &str, lang: TextLang) -> Readability {
    let mut r = Readability::default();
    for sentence in text
        .split(['.', '!', '?', '…'])
        .flat_map(|s| s.split("\n\n"))
    {
        let mut any = false;
        for w in words(sentence) {
            any = true;
            r.words += 1;
            r.syllables += w
                .split(['-', '\'', '’'])
                .filter(|p| !p.is_empty())
                .map(|p| match lang {
                    TextLang::En => english_syllables(p),
                    TextLang::Fr => french_syllables(p),
                })
                .sum::<u64>();
        }
        if any {
            r.sentences += 1;
        }
    }
    r.score = score(&r, lang);
    r
}

/// Add several texts' counts and score the whole.
pub fn combine(parts: &[Readability], lang: TextLang) -> Readability {
    let mut r = Readability::default();
    for p in parts {
        r.sentences += p.sentences;
        r.words += p.words;
        r.syllables += p.syllables;
    }
    r.score = score(&r, lang);
    r
}

fn score(r: &Readability, lang: TextLang) -> Option<f64> {
    if r.words == 0 || r.sentences == 0 {
        return None;
    }
    let asl = r.words as f64 / r.sentences as f64;
    let asw = r.syllables as f64 / r.words as f64;
    Some(match lang {
        TextLang::En => 206.835 - 1.015 * asl - 84.6 * asw,
        TextLang::Fr => 207.0 - 1.015 * asl - 73.6 * asw,
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn english_syllables_by_rule() {
        assert_eq!(english_syllables("cat"), 1);
        assert_eq!(english_syllables("table"), 2);
        assert_eq!(english_syllables("make"), 1);
        assert_eq!(english_syllables("community"), 4);
        assert_eq!(english_syllables("the"), 1);
    }

    #[test]
    fn french_syllables_from_the_patterns() {
        assert_eq!(french_syllables("communauté"), 4);
        assert_eq!(french_syllables("chat"), 1);
        assert_eq!(french_syllables("développement"), 5);
    }

    #[test]
    fn flesch_by_hand() {
        // 2 sentences, 6 words, 6 syllables: ASL 3, ASW 1.
        let r = counts("The cat sat. The dog ran!", TextLang::En);
        assert_eq!((r.sentences, r.words, r.syllables), (2, 6, 6));
        let expected = 206.835 - 1.015 * 3.0 - 84.6;
        assert!(r.score.is_some_and(|s| (s - expected).abs() < 1e-9));
    }

    #[test]
    fn kandel_moles_by_hand() {
        // 1 sentence, 3 words: le (1) chat (1) dort (1).
        let r = counts("Le chat dort.", TextLang::Fr);
        assert_eq!((r.sentences, r.words, r.syllables), (1, 3, 3));
        let expected = 207.0 - 1.015 * 3.0 - 73.6;
        assert!(r.score.is_some_and(|s| (s - expected).abs() < 1e-9));
    }

    #[test]
    fn no_words_no_score() {
        assert_eq!(counts("", TextLang::Fr).score, None);
        assert_eq!(counts("... !!", TextLang::En).score, None);
        assert_eq!(combine(&[], TextLang::En).score, None);
    }
}
