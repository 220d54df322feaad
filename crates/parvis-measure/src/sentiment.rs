//! Sentiment of conversations, offline, from shipped lexicons.
//!
//! - English: a word list derived from the VADER lexicon (C.J. Hutto, MIT licence, the notice
//!   ships in `lexicon/LICENSE-VADER.txt`): single words with their mean valence (−4..4).
//! - French: Parvis's own small hand-made list (`lexicon/fr.tsv`, same scale), since no French
//!   lexicon with a licence that allows shipping was at hand; it is small and says so.
//!
//! Scoring is VADER's core, simplified: the valences of a text's words are summed, a valence
//! preceded within three words by a negation ("not", "never", "ne", "pas", "jamais"…) is
//! multiplied by −0.74, and the sum is normalised to −1..1 as `s / √(s² + 15)` (VADER's
//! compound). VADER's boosters, capitals and punctuation rules are not applied.

use crate::readability::TextLang;
use std::collections::HashMap;
use std::sync::OnceLock;

static EN: &str = include_str!("../lexicon/en.tsv");
static FR: &str = include_str!("../lexicon/fr.tsv");

fn parse(text: &str) -> HashMap<String, f64> {
    let mut m = HashMap::new();
    for line in text.lines().filter(|l| !l.starts_with('#')) {
        if let Some((w, v)) = line.split_once('\t')
            && let Ok(v) = v.trim().parse::<f64>()
        {
            m.insert(w.to_string(), v);
            let plain = strip_accents(w);
            if plain != w {
                m.entry(plain).or_insert(v);
            }
        }
    }
    m
}

fn strip_accents(w: &str) -> String {
    w.chars()
        .map(|c| match c {
            'à' | 'â' | 'ä' => 'a',
            'é' | 'è' | 'ê' | 'ë' => 'e',
            'î' | 'ï' => 'i',
            'ô' | 'ö' => 'o',
            'ù' | 'û' | 'ü' => 'u',
            'ç' => 'c',
            other => other,
        })
        .collect()
}

fn lexicon(lang: TextLang) -> &'static HashMap<String, f64> {
    static LEX_EN: OnceLock<HashMap<String, f64>> = OnceLock::new();
    static LEX_FR: OnceLock<HashMap<String, f64>> = OnceLock::new();
    match lang {
        TextLang::En => LEX_EN.get_or_init(|| parse(EN)),
        TextLang::Fr => LEX_FR.get_or_init(|| parse(FR)),
    }
}

const NEGATIONS: [&str; 14] = [
    "not", "no", "never", "nothing", "dont", "don't", "isn't", "ne", "n", "pas", "jamais", "rien",
    "aucun", "aucune",
];

/// The compound sentiment of a text, −1 (negative) .. 1 (positive); 0 without known words.
pub fn compound(text: &str, lang: TextLang) -> f64 {
    let lex = lexicon(lang);
    let tokens: Vec<String> = text
        .split(|c: char| !(c.is_alphabetic() || c == '\''))
        .filter(|t| !t.is_empty())
        .map(|t| t.to_lowercase())
        .collect();
    let mut sum = 0.0;
    for (i, t) in tokens.iter().enumerate() {
        let v = lex
            .get(t.as_str())
            .or_else(|| t.rsplit('\'').next().and_then(|s| lex.get(s)));
        if let Some(&v) = v {
            let negated = tokens[i.saturating_sub(3)..i]
                .iter()
                .any(|p| NEGATIONS.contains(&p.as_str()) || p.ends_with("n't"));
            sum += if negated { v * -0.74 } else { v };
        }
    }
    sum / (sum * sum + 15.0).sqrt()
}

/// The mean compound sentiment of several texts, `None` when there are none.
pub fn mean_compound(texts: &[(&str, TextLang)]) -> Option<f64> {
    if texts.is_empty() {
        return None;
    }
    Some(texts.iter().map(|(t, l)| compound(t, *l)).sum::<f64>() / texts.len() as f64)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn english_positive_negative_and_negated() {
        assert!(compound("This is great, thanks a lot", TextLang::En) > 0.5);
        assert!(compound("terrible support, I hate it", TextLang::En) < -0.5);
        let plain = compound("good", TextLang::En);
        let negated = compound("not good", TextLang::En);
        assert!(plain > 0.0 && negated < 0.0);
        assert_eq!(compound("the table", TextLang::En), 0.0);
    }

    #[test]
    fn french_with_and_without_accents() {
        assert!(compound("Merci, c'est génial !", TextLang::Fr) > 0.5);
        assert!(compound("Merci, c'est genial", TextLang::Fr) > 0.5);
        assert!(compound("Je suis très déçu : encore une panne", TextLang::Fr) < -0.5);
        assert!(compound("ce n'est pas bien", TextLang::Fr) < 0.0);
    }

    #[test]
    fn vader_compound_normalisation_by_hand() {
        // "good" has valence 1.9 in VADER: 1.9 / √(1.9² + 15)
        let expected = 1.9 / (1.9_f64 * 1.9 + 15.0).sqrt();
        assert!((compound("good", TextLang::En) - expected).abs() < 1e-9);
        assert_eq!(mean_compound(&[]), None);
    }
}
