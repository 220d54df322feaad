//! Which of a reason's words the feed shows: "About formulaire, réponse" and not "…, avant".
//! The relevance engine keeps its own stop words for ranking (left alone: a change there moves
//! every feed); a word it ranks on may still be a preposition or an adverb that says nothing
//! to a reader, so the display drops those too.

use parvis_relevance::text::{fold, is_stop};

/// French and English function words the engine's stop words do not hold (prepositions,
/// adverbs, conjunctions), folded like them. Sorted, for a binary search.
const NOT_KEYWORDS: &[&str] = &[
    "across",
    "ainsi",
    "almost",
    "already",
    "also",
    "although",
    "always",
    "among",
    "apres",
    "around",
    "assez",
    "aupres",
    "autour",
    "avant",
    "away",
    "beaucoup",
    "behind",
    "beside",
    "besides",
    "beyond",
    "cependant",
    "certes",
    "contre",
    "davantage",
    "dedans",
    "dehors",
    "deja",
    "depuis",
    "derriere",
    "desormais",
    "dessous",
    "dessus",
    "devant",
    "down",
    "durant",
    "during",
    "enfin",
    "ensuite",
    "entre",
    "environ",
    "etc",
    "ever",
    "however",
    "jamais",
    "jusqu",
    "jusque",
    "loin",
    "lors",
    "lorsque",
    "maintenant",
    "malgre",
    "moins",
    "near",
    "never",
    "often",
    "parce",
    "parfois",
    "parmi",
    "partout",
    "pendant",
    "peut-etre",
    "plutot",
    "pourtant",
    "pres",
    "presque",
    "puis",
    "puisque",
    "quelque",
    "quelques",
    "rather",
    "selon",
    "seulement",
    "since",
    "sinon",
    "soit",
    "sometimes",
    "soon",
    "sous",
    "souvent",
    "still",
    "surtout",
    "tandis",
    "tant",
    "tard",
    "though",
    "thus",
    "tot",
    "toujours",
    "toward",
    "towards",
    "trop",
    "upon",
    "vers",
    "via",
    "voici",
    "voila",
    "within",
    "without",
    "yet",
];

/// Whether a word (as the reader would see it) is worth showing as a keyword.
pub fn is_keyword(word: &str) -> bool {
    let w = fold(word);
    !w.is_empty() && !is_stop(&w) && NOT_KEYWORDS.binary_search(&w.as_str()).is_err()
}

/// The words of a reason a reader is shown, in their order.
pub fn shown_keywords(words: &[String]) -> Vec<String> {
    words.iter().filter(|w| is_keyword(w)).cloned().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_list_is_sorted_so_lookups_find_every_word() {
        assert!(NOT_KEYWORDS.windows(2).all(|w| w[0] < w[1]));
    }

    #[test]
    fn prepositions_and_adverbs_are_not_shown_as_keywords() {
        let words = [
            "formulaire",
            "réponse",
            "avant",
            "Après",
            "pendant",
            "before",
            "never",
        ];
        let words: Vec<String> = words.iter().map(|w| w.to_string()).collect();
        assert_eq!(shown_keywords(&words), ["formulaire", "réponse"]);
        assert!(is_keyword("recycl") && is_keyword("salons"));
        assert!(!is_keyword("de") && !is_keyword(""));
    }
}
