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
    let n = w.chars().count();
    if n <= 3 {
        return w.to_string();
    }
    if let Some(b) = w.strip_suffix("ies") {
        return format!("{b}y");
    }
    if let Some(b) = w.strip_suffix("eaux") {
        return format!("{b}eau");
    }
    if let Some(b) = w.strip_suffix("aux") {
        return format!("{b}al"); // journaux → journal
    }
    for suf in ["sses", "shes", "ches", "xes", "zes"] {
        if let Some(b) = w.strip_suffix(suf) {
            return format!("{b}{}", &suf[..suf.len() - 2]);
        }
    }
    if w.ends_with("ss") || w.ends_with("us") || w.ends_with("is") {
        return w.to_string();
    }
    if let Some(b) = w.strip_suffix('s').or_else(|| w.strip_suffix('x')) {
        return b.to_string();
    }
    w.to_string()
}

fn tokens(s: &str) -> Vec<String> {
    fold(s)
        .split(|c: char| !c.is_alphanumeric())
        .filter(|t| !t.is_empty())
        .map(stem)
        .collect()
}

/// The ids of the topics `text` touches, in the order of `topics`.
pub fn topic_matches(text: &str, topics: &[Topic]) -> Vec<TopicId> {
    let words = tokens(text);
    topics
        .iter()
        .filter(|t| {
            t.keywords.iter().any(|k| {
                let kw = tokens(k);
                !kw.is_empty() && words.windows(kw.len()).any(|w| w == kw.as_slice())
            })
        })
        .map(|t| t.id.clone())
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

    #[test]
    fn stems() {
        assert_eq!(stem("boxes"), "box");
        assert_eq!(stem("chateaux"), "chateau");
        assert_eq!(stem("process"), "process");
        assert_eq!(stem("bus"), "bus");
    }
}
