//! Text analysis shared by indexing, querying and snippets.
//!
//! Every text goes through the same chain: split on anything that is not a
//! letter or a digit, drop tokens longer than [`MAX_TOKEN_BYTES`], lower-case,
//! fold accents to ASCII (`é`→`e`, `œ`→`oe`). The "plain" field stops there;
//! the two stemmed fields then apply the French or the English Snowball
//! stemmer. Folding runs *before* stemming so that a query typed without
//! accents (`evenement`) and a text written with them (`événements`) reach the
//! stemmer as the same letters.

use tantivy::tokenizer::{
    AsciiFoldingFilter, Language, LowerCaser, RawTokenizer, RemoveLongFilter, SimpleTokenizer,
    Stemmer, TextAnalyzer, TokenizerManager,
};

/// Tokens longer than this (in bytes) are dropped: they are base64, hashes or
/// URLs glued together, never words someone searches for.
pub(crate) const MAX_TOKEN_BYTES: usize = 40;

/// Tokenizer name of the plain (folded, unstemmed) field.
pub(crate) const PLAIN: &str = "parvis_plain";
/// Tokenizer name of the French-stemmed field.
pub(crate) const FRENCH: &str = "parvis_fr";
/// Tokenizer name of the English-stemmed field.
pub(crate) const ENGLISH: &str = "parvis_en";

fn plain_analyzer() -> TextAnalyzer {
    TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(RemoveLongFilter::limit(MAX_TOKEN_BYTES))
        .filter(LowerCaser)
        .filter(AsciiFoldingFilter)
        .build()
}

fn stemmed_analyzer(language: Language) -> TextAnalyzer {
    TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(RemoveLongFilter::limit(MAX_TOKEN_BYTES))
        .filter(LowerCaser)
        .filter(AsciiFoldingFilter)
        .filter(Stemmer::new(language))
        .build()
}

/// Stems one already-folded word (no splitting).
fn word_stemmer(language: Language) -> TextAnalyzer {
    TextAnalyzer::builder(RawTokenizer::default())
        .filter(Stemmer::new(language))
        .build()
}

/// Registers our three analyzers on an index's tokenizer manager.
pub(crate) fn register(manager: &TokenizerManager) {
    manager.register(PLAIN, plain_analyzer());
    manager.register(FRENCH, stemmed_analyzer(Language::French));
    manager.register(ENGLISH, stemmed_analyzer(Language::English));
}

/// A token of the plain analysis, with its byte span in the source text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Span {
    pub text: String,
    pub from: usize,
    pub to: usize,
}

/// Analyzers owned by one caller (tantivy analyzers need `&mut self`).
pub(crate) struct Analysis {
    plain: TextAnalyzer,
    fr: TextAnalyzer,
    en: TextAnalyzer,
}

impl Analysis {
    pub(crate) fn new() -> Self {
        Analysis {
            plain: plain_analyzer(),
            fr: word_stemmer(Language::French),
            en: word_stemmer(Language::English),
        }
    }

    /// Folded, unstemmed tokens of `text` with their byte spans.
    pub(crate) fn spans(&mut self, text: &str) -> Vec<Span> {
        let mut out = Vec::new();
        let mut stream = self.plain.token_stream(text);
        while let Some(token) = stream.next() {
            out.push(Span {
                text: token.text.clone(),
                from: token.offset_from,
                to: token.offset_to,
            });
        }
        out
    }

    /// Folded, unstemmed tokens of `text`.
    pub(crate) fn tokens(&mut self, text: &str) -> Vec<String> {
        self.spans(text).into_iter().map(|s| s.text).collect()
    }

    fn stem_with(analyzer: &mut TextAnalyzer, folded: &str) -> String {
        let mut stream = analyzer.token_stream(folded);
        match stream.next() {
            Some(token) => token.text.clone(),
            None => folded.to_owned(),
        }
    }

    /// French stem of an already folded token.
    pub(crate) fn stem_fr(&mut self, folded: &str) -> String {
        Self::stem_with(&mut self.fr, folded)
    }

    /// English stem of an already folded token.
    pub(crate) fn stem_en(&mut self, folded: &str) -> String {
        Self::stem_with(&mut self.en, folded)
    }
}

/// Which stemmed field(s) a message is indexed in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Lang {
    French,
    English,
    /// Too short or too mixed to tell: indexed in both stemmed fields.
    Both,
}

/// Frequent function words, folded; none is in both lists.
const FRENCH_WORDS: &[&str] = &[
    "le", "la", "les", "des", "du", "une", "est", "et", "pour", "dans", "que", "qui", "pas", "sur",
    "avec", "au", "aux", "ce", "cette", "il", "elle", "nous", "vous", "sont", "mais", "ou", "ne",
    "je", "on", "se", "plus", "par", "tout", "bien", "aussi", "comme", "mes", "nos", "leur", "ete",
    "etre", "avons", "avez", "sommes", "chez", "merci", "bonjour",
];
const ENGLISH_WORDS: &[&str] = &[
    "the", "and", "is", "are", "of", "to", "that", "it", "for", "with", "this", "be", "not", "you",
    "have", "was", "but", "or", "by", "from", "we", "they", "what", "which", "can", "will",
    "would", "there", "their", "has", "been", "if", "an", "at", "my", "your", "thanks", "hi",
    "how", "when", "any", "all", "does", "do",
];

/// Tells a message's language: the app's `lang` when given (`fr…`/`en…`),
/// otherwise a count of frequent function words over its first tokens. Two
/// hits and twice the other language's count decide; anything less indexes
/// the message in both stemmed fields, so a wrong guess costs recall only on
/// messages where it cannot be made well anyway.
pub(crate) fn detect(lang: Option<&str>, tokens: &[String]) -> Lang {
    if let Some(l) = lang {
        let l = l.trim().to_ascii_lowercase();
        if l.starts_with("fr") {
            return Lang::French;
        }
        if l.starts_with("en") {
            return Lang::English;
        }
    }
    let (mut fr, mut en) = (0usize, 0usize);
    for t in tokens.iter().take(300) {
        if FRENCH_WORDS.contains(&t.as_str()) {
            fr += 1;
        } else if ENGLISH_WORDS.contains(&t.as_str()) {
            en += 1;
        }
    }
    if fr >= 2 && fr >= 2 * en {
        Lang::French
    } else if en >= 2 && en >= 2 * fr {
        Lang::English
    } else {
        Lang::Both
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_and_stems() {
        let mut a = Analysis::new();
        assert_eq!(
            a.tokens("L'Événement, déjà!"),
            vec!["l", "evenement", "deja"]
        );
        let fr1 = a.stem_fr("evenements");
        let fr2 = a.stem_fr("evenement");
        assert_eq!(fr1, fr2);
        assert_eq!(a.stem_fr("developpeurs"), a.stem_fr("developpeur"));
        assert_eq!(a.stem_en("running"), a.stem_en("run"));
    }

    #[test]
    fn detects_language() {
        let mut a = Analysis::new();
        let fr = a.tokens("Bonjour, je pense que la réunion est reportée pour les développeurs");
        assert_eq!(detect(None, &fr), Lang::French);
        let en = a.tokens("Hi all, I think that the meeting is postponed for the developers");
        assert_eq!(detect(None, &en), Lang::English);
        assert_eq!(detect(None, &a.tokens("raster")), Lang::Both);
        assert_eq!(detect(Some("fr-CA"), &en), Lang::French);
    }
}
