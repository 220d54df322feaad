//! A small French/English analyser: lower-case, fold accents, drop stop
//! words, stem lightly.
//!
//! The stemmer is deliberately timid (plurals, `-ing`, `-ed`, a few French
//! endings): for *interest profiles* a missed conflation costs little, while
//! an over-eager one (`university` = `universe`) puts two unrelated people
//! side by side, which a member notices at once.

use rustc_hash::FxHashMap;

/// Folds one lower-case character to its unaccented form (Latin-1 and the
/// French/European letters that matter here).
fn fold_char(c: char, out: &mut String) {
    let r = match c {
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
        'œ' => {
            out.push_str("oe");
            return;
        }
        'æ' => {
            out.push_str("ae");
            return;
        }
        'ß' => {
            out.push_str("ss");
            return;
        }
        other => other,
    };
    out.push(r);
}

/// Lower-cases and removes accents (`Évènement` → `evenement`, `œuvre` → `oeuvre`).
pub fn fold(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        for l in c.to_lowercase() {
            fold_char(l, &mut out);
        }
    }
    out
}

/// French and English stop words, already folded. Kept sorted so that
/// membership is a binary search (no allocation, no lazy static).
const STOP: &[&str] = &[
    "a", "about", "above", "after", "again", "against", "ai", "aie", "all", "alors", "also", "am",
    "an", "and", "any", "are", "as", "at", "au", "aucun", "aussi", "autre", "aux", "avait", "avec",
    "avoir", "be", "because", "been", "before", "being", "below", "best", "between", "bien",
    "both", "but", "by", "c", "ca", "can", "car", "ce", "ceci", "cela", "celle", "celui", "ces",
    "cet", "cette", "chaque", "chez", "comme", "comment", "could", "d", "dans", "de", "des", "did",
    "do", "does", "doing", "donc", "dont", "du", "e", "each", "elle", "elles", "en", "encore",
    "est", "et", "etaient", "etait", "ete", "etre", "eu", "even", "every", "faire", "fait", "few",
    "for", "from", "further", "g", "get", "got", "had", "has", "have", "having", "he", "her",
    "here", "hers", "him", "his", "how", "i", "ici", "if", "il", "ils", "in", "into", "is", "it",
    "its", "j", "je", "just", "l", "la", "le", "les", "leur", "leurs", "lui", "m", "ma", "mais",
    "me", "meme", "mes", "mini", "moi", "mon", "more", "most", "much", "must", "my", "n", "ne",
    "ni", "no", "nor", "nos", "not", "notre", "nous", "now", "of", "off", "on", "once", "one",
    "only", "ont", "or", "other", "ou", "our", "ours", "out", "over", "own", "par", "pas", "peu",
    "peut", "plus", "pour", "pourquoi", "qu", "quand", "que", "quel", "quelle", "qui", "quoi",
    "re", "s", "sa", "same", "sans", "se", "ses", "she", "should", "si", "so", "some", "son",
    "sont", "such", "sur", "t", "ta", "te", "tes", "than", "that", "the", "their", "theirs",
    "them", "then", "there", "these", "they", "this", "those", "through", "to", "toi", "ton",
    "too", "tous", "tout", "toute", "toutes", "tres", "tu", "un", "under", "une", "until", "up",
    "us", "use", "used", "using", "very", "vos", "votre", "vous", "was", "way", "we", "well",
    "were", "what", "when", "where", "which", "while", "who", "whom", "why", "will", "with",
    "would", "y", "you", "your", "yours",
];

/// Words that carry no subject in conversations (greetings, mail chatter).
/// Also folded and sorted.
const CHATTER: &[&str] = &[
    "anyone",
    "bonjour",
    "cordialement",
    "dear",
    "hello",
    "hi",
    "idea",
    "know",
    "like",
    "list",
    "mail",
    "many",
    "merci",
    "message",
    "need",
    "problem",
    "question",
    "regard",
    "salut",
    "something",
    "thank",
    "thanks",
    "think",
    "try",
    "want",
    "work",
    "wrote",
];

/// `true` when `w` (folded) is a stop word or conversational chatter.
pub fn is_stop(w: &str) -> bool {
    STOP.binary_search(&w).is_ok() || CHATTER.binary_search(&w).is_ok()
}

/// A light FR/EN stem of a folded word.
pub fn stem(w: &str) -> String {
    let n = w.len(); // folded words are ASCII in practice; byte length is a fine guard
    if n <= 3 {
        return w.to_string();
    }
    if let Some(b) = w.strip_suffix("ies")
        && b.len() >= 2
    {
        return format!("{b}y");
    }
    if let Some(b) = w.strip_suffix("eaux") {
        return format!("{b}eau");
    }
    if let Some(b) = w.strip_suffix("aux")
        && b.len() >= 3
    {
        return format!("{b}al");
    }
    if n >= 6
        && let Some(b) = w.strip_suffix("ing")
    {
        return undouble(b);
    }
    if n >= 5
        && let Some(b) = w.strip_suffix("ed")
        && !b.ends_with('e')
    {
        return undouble(b);
    }
    for suf in ["sses", "shes", "ches", "xes"] {
        if let Some(b) = w.strip_suffix(suf) {
            return format!("{b}{}", &suf[..suf.len() - 2]);
        }
    }
    if w.ends_with("ss") || w.ends_with("us") || w.ends_with("is") {
        return w.to_string();
    }
    if let Some(b) = w.strip_suffix('s') {
        return b.to_string();
    }
    if let Some(b) = w.strip_suffix('x')
        && (b.ends_with("eu") || b.ends_with("ou"))
    {
        return b.to_string();
    }
    w.to_string()
}

/// `fitt` → `fit`, `mapp` → `map` (after removing `-ing`/`-ed`).
fn undouble(b: &str) -> String {
    let bytes = b.as_bytes();
    let n = bytes.len();
    if n >= 3 && bytes[n - 1] == bytes[n - 2] && b"bdgmnprt".contains(&bytes[n - 1]) {
        return b[..n - 1].to_string();
    }
    b.to_string()
}

/// Splits `text` into analysed terms: folded, 2–30 characters, not only
/// digits, not a stop word, stemmed. Order is kept; duplicates are kept.
pub fn tokenize(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    each_token(text, |stem, _| out.push(stem));
    out
}

/// Calls `f(stem, word)` for every analysed term of `text`, in order, where
/// `word` is the word as written, lower-cased (accents kept): what a page
/// shows instead of the stem (`nothing`, not `noth`; `cochée`, not `cochee`).
fn each_token(text: &str, mut f: impl FnMut(String, &str)) {
    let lower = text.to_lowercase();
    // Folding maps letters and digits to letters and digits and leaves the
    // rest alone, so splitting before folding finds the same words.
    for word in lower.split(|c: char| !(c.is_alphanumeric() || c == '_')) {
        let word = word.trim_matches('_');
        if word.is_empty() {
            continue;
        }
        let raw = fold(word);
        let len = raw.chars().count();
        if !(2..=30).contains(&len) || raw.chars().all(|c| c.is_ascii_digit()) {
            continue;
        }
        // Hex ids, hashes and the like are not subjects.
        if len > 12 && raw.chars().filter(|c| c.is_ascii_digit()).count() * 3 > len {
            continue;
        }
        if is_stop(&raw) {
            continue;
        }
        let s = stem(&raw);
        if is_stop(&s) {
            continue;
        }
        f(s, word);
    }
}

/// Term frequencies of `text`, log-scaled (`1 + ln tf`), by term string.
pub fn term_counts(text: &str) -> Vec<(String, f32)> {
    term_counts_with_words(text)
        .into_iter()
        .map(|(t, w, _)| (t, w))
        .collect()
}

/// [`term_counts`] with, for each term whose shortest written form in
/// `text` differs from the stem, that form (to show real words).
pub fn term_counts_with_words(text: &str) -> Vec<(String, f32, Option<String>)> {
    // (count, shortest written form, written as the stem itself)
    let mut m: FxHashMap<String, (u32, Option<String>, bool)> = FxHashMap::default();
    each_token(text, |t, word| {
        let plain = word == t;
        let e = m.entry(t).or_insert((0, None, false));
        e.0 += 1;
        e.2 |= plain;
        if !plain && e.1.as_ref().is_none_or(|w| word.len() < w.len()) {
            e.1 = Some(word.to_string());
        }
    });
    let mut v: Vec<(String, f32, Option<String>)> = m
        .into_iter()
        .map(|(t, (c, w, plain))| (t, 1.0 + (c as f32).ln(), if plain { None } else { w }))
        .collect();
    v.sort_by(|a, b| a.0.cmp(&b.0));
    v
}

/// Interns term strings to dense ids.
#[derive(Debug, Default, Clone, serde::Serialize, serde::Deserialize)]
pub struct Vocab {
    ids: FxHashMap<String, u32>,
    terms: Vec<String>,
    /// The shortest written form seen of a term, when it is not the stem
    /// itself.
    words: FxHashMap<u32, String>,
    /// Terms written at least once exactly as their stem.
    plain: Vec<bool>,
}

impl Vocab {
    /// The id of `term`, creating it if new.
    pub fn intern(&mut self, term: &str) -> u32 {
        if let Some(&id) = self.ids.get(term) {
            return id;
        }
        let id = self.terms.len() as u32;
        self.ids.insert(term.to_string(), id);
        self.terms.push(term.to_string());
        id
    }
    /// Records that the term `id` was written as `word` (lower-case;
    /// `None`: written as the stem itself). The shortest form seen is what
    /// [`Vocab::word`] shows, and the stem wins once it was written as such.
    pub fn saw_word(&mut self, id: u32, word: Option<&str>) {
        let i = id as usize;
        if self.plain.len() <= i {
            self.plain.resize(i + 1, false);
        }
        match word {
            None => {
                self.plain[i] = true;
                self.words.remove(&id);
            }
            Some(_) if self.plain[i] => {}
            Some(w) => match self.words.get_mut(&id) {
                Some(old) if w.len() < old.len() => *old = w.to_string(),
                Some(_) => {}
                None => {
                    self.words.insert(id, w.to_string());
                }
            },
        }
    }
    /// The word to show for a term: its shortest written form.
    pub fn word(&self, id: u32) -> &str {
        match self.words.get(&id) {
            Some(w) => w,
            None => self.term(id),
        }
    }
    /// The id of `term` if known.
    pub fn get(&self, term: &str) -> Option<u32> {
        self.ids.get(term).copied()
    }
    /// The string of an id.
    pub fn term(&self, id: u32) -> &str {
        self.terms
            .get(id as usize)
            .map(String::as_str)
            .unwrap_or("")
    }
    /// Number of terms.
    pub fn len(&self) -> usize {
        self.terms.len()
    }
    /// `true` when empty.
    pub fn is_empty(&self) -> bool {
        self.terms.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stop_lists_are_sorted() {
        assert!(STOP.windows(2).all(|w| w[0] < w[1]));
        assert!(CHATTER.windows(2).all(|w| w[0] < w[1]));
    }

    #[test]
    fn folds_stems_and_drops_stop_words() {
        assert_eq!(
            tokenize("Les Réseaux sociaux et l'Évènement"),
            vec!["reseau", "social", "evenement"]
        );
        assert_eq!(
            tokenize("The rasters are projecting polygons"),
            vec!["raster", "project", "polygon"]
        );
        assert_eq!(
            tokenize("fitting mapped models"),
            vec!["fit", "map", "model"]
        );
        assert_eq!(
            tokenize("Cochée, ceux, nothing"),
            vec!["cochee", "ceu", "noth"]
        );
    }

    #[test]
    fn pages_show_words_as_written_not_stems() {
        let mut v = Vocab::default();
        for text in ["Nothing works: la case cochée, ceux-là", "nothings"] {
            for (t, _, w) in term_counts_with_words(text) {
                let id = v.intern(&t);
                v.saw_word(id, w.as_deref());
            }
        }
        let show = |v: &Vocab, t: &str| v.get(t).map(|id| v.word(id).to_string());
        assert_eq!(show(&v, "noth").as_deref(), Some("nothing"));
        assert_eq!(show(&v, "cochee").as_deref(), Some("cochée"));
        assert_eq!(show(&v, "ceu").as_deref(), Some("ceux"));
        // Once the stem itself is written, it is the word shown.
        let id = v.intern("raster");
        v.saw_word(id, Some("rasters"));
        assert_eq!(v.word(id), "rasters");
        v.saw_word(id, None);
        v.saw_word(id, Some("rasterized"));
        assert_eq!(v.word(id), "raster");
        assert_eq!(tokenize("policies 2024 deadbeef1234567890"), vec!["policy"]);
    }
}
