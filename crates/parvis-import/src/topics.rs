//! Declared topics: does this text talk about that topic?
//!
//! The organisation declares topics as keyword lists. Matching folds case and
//! accents (`Évènement` = `evenement`), tokenises on non-alphanumerics and
//! compares light stems that remove common French and English plural endings
//! (`réseaux` = `réseau`, `policies` = `policy`, `boxes` = `box`). A
//! multi-word keyword matches when its words appear consecutively.

use unicode_fold::strip_accent;

/// A topic id as the caller knows it.
pub type TopicId = String;

/// A declared topic.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Topic {
    /// The caller's id.
    pub id: TopicId,
    /// Keywords or key phrases; any one matching is enough.
    pub keywords: Vec<String>,
}

/// Lower-cases and removes accents and ligatures (œ → oe, æ → ae, ß → ss).
pub fn fold(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        for l in c.to_lowercase() {
            match l {
                'œ' => out.push_str("oe"),
                'æ' => out.push_str("ae"),
                'ß' => out.push_str("ss"),
                _ => out.push(strip_accent(l)),
            }
        }
    }
    out
}

/// A light FR/EN plural stem of a folded word.
pub fn stem(w: &str) -> String {
    let mut out = String::with_capacity(w.len() + 1);
    stem_into(w, &mut out);
    out
}

/// [`stem`], appended to `out` (the matcher stems every word of every message: no String
/// per word).
fn stem_into(w: &str, out: &mut String) {
    // `w.len() <= 3` bytes is at most 3 chars; longer words are counted only when short.
    if w.len() <= 3 || (w.len() <= 12 && w.chars().count() <= 3) {
        out.push_str(w);
        return;
    }
    if let Some(b) = w.strip_suffix("ies") {
        out.push_str(b);
        out.push('y');
        return;
    }
    if let Some(b) = w.strip_suffix("eaux") {
        out.push_str(b);
        out.push_str("eau");
        return;
    }
    if let Some(b) = w.strip_suffix("aux") {
        out.push_str(b);
        out.push_str("al"); // journaux → journal
        return;
    }
    for suf in ["sses", "shes", "ches", "xes", "zes"] {
        if let Some(b) = w.strip_suffix(suf) {
            out.push_str(b);
            out.push_str(&suf[..suf.len() - 2]);
            return;
        }
    }
    if w.ends_with("ss") || w.ends_with("us") || w.ends_with("is") {
        out.push_str(w);
        return;
    }
    if let Some(b) = w.strip_suffix('s').or_else(|| w.strip_suffix('x')) {
        out.push_str(b);
        return;
    }
    out.push_str(w);
}

/// The stemmed words of some texts, all in one buffer: `text[spans[i].0..spans[i].1]` is
/// word `i`. Folding, splitting and stemming happen in one pass over the characters, with
/// the same result as `fold(text)` split on non-alphanumerics then [`stem`] per word.
#[derive(Default)]
struct Words {
    text: String,
    spans: Vec<(usize, usize)>,
    /// The word being read (reused: cleared after each word).
    word: String,
    /// The word being read is one that no keyword word starts like: it is not collected.
    skipping: bool,
}

impl Words {
    /// Read `s`. Words whose first byte is not marked in `wanted` (when it is not empty) are
    /// kept as empty words, neither collected nor stemmed: they match no keyword word.
    /// (Stemming only rewrites a word's end, never its first byte.)
    fn push_text(&mut self, s: &str, wanted: &[bool]) {
        let bytes = s.as_bytes();
        let mut i = 0;
        while let Some(&b) = bytes.get(i) {
            // Most text is ASCII: read it byte by byte, no case table, no accent to strip.
            if b.is_ascii() {
                if !b.is_ascii_alphanumeric() {
                    self.end_word();
                    i += 1;
                    continue;
                }
                self.add(char::from(b.to_ascii_lowercase()), wanted);
                if self.skipping {
                    // Not collected: pass the rest of its ASCII letters at once.
                    while bytes.get(i).is_some_and(u8::is_ascii_alphanumeric) {
                        i += 1;
                    }
                } else {
                    i += 1;
                }
                continue;
            }
            let Some(c) = s.get(i..).and_then(|rest| rest.chars().next()) else {
                break;
            };
            i += c.len_utf8();
            for l in c.to_lowercase() {
                match l {
                    'œ' => {
                        self.add('o', wanted).add('e', wanted);
                    }
                    'æ' => {
                        self.add('a', wanted).add('e', wanted);
                    }
                    'ß' => {
                        self.add('s', wanted).add('s', wanted);
                    }
                    _ => {
                        let f = strip_accent(l);
                        if f.is_alphanumeric() {
                            self.add(f, wanted);
                        } else {
                            self.end_word();
                        }
                    }
                }
            }
        }
        self.end_word();
    }

    /// Add a (folded) character to the word being read.
    fn add(&mut self, c: char, wanted: &[bool]) -> &mut Self {
        if self.skipping {
            return self;
        }
        if self.word.is_empty() {
            let mut buf = [0u8; 4];
            let first = c.encode_utf8(&mut buf).as_bytes()[0];
            if !wanted.get(usize::from(first)).copied().unwrap_or(true) {
                self.skipping = true;
                return self;
            }
        }
        self.word.push(c);
        self
    }

    fn end_word(&mut self) {
        let start = self.text.len();
        if self.skipping {
            self.skipping = false;
            self.spans.push((start, start));
            return;
        }
        if self.word.is_empty() {
            return;
        }
        stem_into(&self.word, &mut self.text);
        self.spans.push((start, self.text.len()));
        self.word.clear();
    }

    fn get(&self, i: usize) -> Option<&str> {
        self.spans.get(i).map(|&(a, b)| &self.text[a..b])
    }

    fn len(&self) -> usize {
        self.spans.len()
    }
}

fn tokens(s: &str) -> Vec<String> {
    let mut w = Words::default();
    w.push_text(s, &[]);
    (0..w.len())
        .filter_map(|i| w.get(i).map(str::to_string))
        .collect()
}

/// Declared topics prepared for matching many texts: every keyword is tokenised once, and
/// keywords are found by their first word, so the cost per text is one pass over its words
/// whatever the number of keywords.
#[derive(Debug, Clone, Default)]
pub struct TopicMatcher {
    /// The topics that have at least one usable keyword, in the caller's order.
    ids: Vec<TopicId>,
    /// First stemmed word of a keyword → (topic index, the keyword's words).
    by_first: WordMap<Vec<(usize, Vec<String>)>>,
    /// `first_bytes[b]`: some keyword word starts with byte `b` (most words of a text do
    /// not, and are not even stemmed).
    first_bytes: Vec<bool>,
}

type WordMap<V> = std::collections::HashMap<String, V, std::hash::BuildHasherDefault<WordHasher>>;

/// Hashing for the keyword map, which every word of every text is looked up in: its keys are
/// the declared keywords, not input, so a fast unkeyed hash will do (SipHash took a twentieth
/// of a mailing-list import's time).
#[derive(Debug, Default, Clone, Copy)]
struct WordHasher(u64);

impl std::hash::Hasher for WordHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for chunk in bytes.chunks(8) {
            let mut word = [0u8; 8];
            word[..chunk.len()].copy_from_slice(chunk);
            self.0 = (self.0.rotate_left(5) ^ u64::from_le_bytes(word))
                .wrapping_mul(0x517c_c1b7_2722_0a95);
        }
    }
}

impl TopicMatcher {
    /// Prepare `topics` (keywords without any word never match, as in [`topic_matches`]).
    pub fn new(topics: &[Topic]) -> TopicMatcher {
        let mut m = TopicMatcher::default();
        for t in topics {
            let index = m.ids.len();
            let mut usable = false;
            for k in &t.keywords {
                let words = tokens(k);
                if let Some(first) = words.first() {
                    usable = true;
                    if m.first_bytes.is_empty() {
                        m.first_bytes = vec![false; 256];
                    }
                    for w in &words {
                        if let Some(&b) = w.as_bytes().first() {
                            m.first_bytes[usize::from(b)] = true;
                        }
                    }
                    m.by_first
                        .entry(first.clone())
                        .or_default()
                        .push((index, words));
                }
            }
            if usable {
                m.ids.push(t.id.clone());
            }
        }
        m
    }

    /// Whether no topic can ever match (then matching is skipped altogether).
    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }

    /// The ids of the topics touched by `texts`, read as one text with a word break between
    /// parts (`["title", "body"]` matches like `"title\nbody"`), in the order of the topics
    /// given to [`TopicMatcher::new`].
    pub fn matching(&self, texts: &[&str]) -> Vec<&TopicId> {
        if self.is_empty() {
            return Vec::new();
        }
        let mut words = Words::default();
        for t in texts {
            words.push_text(t, &self.first_bytes);
        }
        let mut hit = vec![false; self.ids.len()];
        let mut left = self.ids.len();
        for i in 0..words.len() {
            let Some(candidates) = words.get(i).and_then(|w| self.by_first.get(w)) else {
                continue;
            };
            for (topic, kw) in candidates {
                if hit[*topic] {
                    continue;
                }
                let whole = kw
                    .iter()
                    .enumerate()
                    .skip(1)
                    .all(|(j, k)| words.get(i + j) == Some(k.as_str()));
                if whole {
                    hit[*topic] = true;
                    left -= 1;
                }
            }
            if left == 0 {
                break;
            }
        }
        self.ids
            .iter()
            .zip(hit)
            .filter_map(|(id, h)| h.then_some(id))
            .collect()
    }
}

/// The ids of the topics `text` touches, in the order of `topics`. For many texts, build a
/// [`TopicMatcher`] once instead.
pub fn topic_matches(text: &str, topics: &[Topic]) -> Vec<TopicId> {
    TopicMatcher::new(topics)
        .matching(&[text])
        .into_iter()
        .cloned()
        .collect()
}

/// Accent stripping for Latin letters, without a Unicode normalisation table.
mod unicode_fold {
    pub fn strip_accent(c: char) -> char {
        match c {
            'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' | 'ā' | 'ą' => 'a',
            'ç' | 'ć' | 'č' => 'c',
            'è' | 'é' | 'ê' | 'ë' | 'ē' | 'ę' | 'ě' => 'e',
            'ì' | 'í' | 'î' | 'ï' | 'ī' => 'i',
            'ñ' | 'ń' | 'ň' => 'n',
            'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' | 'ō' | 'ő' => 'o',
            'ù' | 'ú' | 'û' | 'ü' | 'ū' | 'ů' | 'ű' => 'u',
            'ý' | 'ÿ' => 'y',
            'ś' | 'š' => 's',
            'ź' | 'ż' | 'ž' => 'z',
            'ł' => 'l',
            'ř' => 'r',
            'ť' => 't',
            'ď' => 'd',
            _ => c,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(id: &str, kw: &[&str]) -> Topic {
        Topic {
            id: id.into(),
            keywords: kw.iter().map(|s| s.to_string()).collect(),
        }
    }

    #[test]
    fn accents_and_plurals() {
        let topics = vec![
            t("events", &["événement"]),
            t("networks", &["réseau social"]),
            t("policy", &["policy"]),
            t("journal", &["journal"]),
        ];
        assert_eq!(
            topic_matches("Nos EVENEMENTS de l'année", &topics),
            vec!["events"]
        );
        assert_eq!(
            topic_matches("les réseaux sociaux d'entreprise", &topics),
            vec!["networks"]
        );
        assert_eq!(
            topic_matches("Privacy policies changed", &topics),
            vec!["policy"]
        );
        assert_eq!(
            topic_matches("lu dans les journaux", &topics),
            vec!["journal"]
        );
        assert!(topic_matches("rien à voir", &topics).is_empty());
    }

    #[test]
    fn phrase_must_be_consecutive_and_words_whole() {
        let topics = vec![t("ai", &["intelligence artificielle"]), t("cat", &["cat"])];
        assert!(topic_matches("artificielle, cette intelligence", &topics).is_empty());
        assert_eq!(
            topic_matches("L'Intelligence Artificielle arrive", &topics),
            vec!["ai"]
        );
        assert!(topic_matches("a catalogue", &topics).is_empty());
        assert_eq!(topic_matches("two cats", &topics), vec!["cat"]);
    }

    /// The one-pass tokeniser gives what `fold`, split and `stem` give, word for word.
    #[test]
    fn one_pass_tokens_equal_fold_split_stem() {
        let text = "L'ŒUVRE des Réseaux, İstanbul! Straße & naïve policies; boxes—chateaux 42x ß";
        let slow: Vec<String> = fold(text)
            .split(|c: char| !c.is_alphanumeric())
            .filter(|t| !t.is_empty())
            .map(stem)
            .collect();
        assert_eq!(tokens(text), slow);
    }

    #[test]
    fn a_matcher_reads_several_parts_and_keeps_topic_order() {
        let topics = vec![
            t("b", &["salon"]),
            t("empty", &["!!"]),
            t("a", &["réseau social", "événement"]),
        ];
        let m = TopicMatcher::new(&topics);
        assert_eq!(m.matching(&["Le salon", "les événements"]), vec!["b", "a"]);
        // Parts read as one text with a break between them (as "title\nbody" did).
        assert_eq!(m.matching(&["réseau", "social"]), vec!["a"]);
        assert_eq!(m.matching(&["rése", "au social"]), Vec::<&String>::new());
        assert_eq!(m.matching(&["réseaux sociaux"]), vec!["a"]);
        assert!(TopicMatcher::new(&[t("x", &[" "])]).is_empty());
    }

    /// Words that no keyword word starts like are not stemmed; matching is unchanged: it
    /// agrees with a plain search of each keyword's words in the text's words.
    #[test]
    fn skipping_unwanted_words_changes_no_match() {
        let topics = vec![
            t("ai", &["intelligence artificielle"]),
            t("eco", &["économie sociale", "œuvres"]),
            t("box", &["boxes"]),
            t("city", &["cities", "ville x"]),
            t("bus", &["bus"]),
        ];
        let texts = [
            "L'Intelligence  Artificielle et l'ÉCONOMIE sociale",
            "intelligence, puis artificielle",
            "des OEUVRES et des box",
            "ces villes x, ces cities; ville  X",
            "le bus",
            "intelligences artificielles",
            "rien du tout 42 zèbres",
            "économies sociales",
        ];
        let words = |s: &str| -> Vec<String> {
            fold(s)
                .split(|c: char| !c.is_alphanumeric())
                .filter(|w| !w.is_empty())
                .map(stem)
                .collect()
        };
        let m = TopicMatcher::new(&topics);
        for text in texts {
            let have = words(text);
            let slow: Vec<&str> = topics
                .iter()
                .filter(|t| {
                    t.keywords.iter().any(|k| {
                        let k = words(k);
                        have.windows(k.len()).any(|w| w == k.as_slice())
                    })
                })
                .map(|t| t.id.as_str())
                .collect();
            let fast: Vec<&str> = m
                .matching(&[text])
                .into_iter()
                .map(|s| s.as_str())
                .collect();
            assert_eq!(fast, slow, "{text}");
        }
        // What the skipping relies on: stemming keeps a word's first byte.
        for w in [
            "ches", "sses", "shes", "eaux", "xies", "iaux", "étés", "abcs", "œuf", "ß",
        ] {
            assert_eq!(stem(w).as_bytes()[0], w.as_bytes()[0], "{w}");
        }
    }

    #[test]
    fn stems() {
        assert_eq!(stem("boxes"), "box");
        assert_eq!(stem("chateaux"), "chateau");
        assert_eq!(stem("process"), "process");
        assert_eq!(stem("bus"), "bus");
    }
}
