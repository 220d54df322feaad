//! Polls: kinds, answers and results (pure).

use crate::Refusal;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};
use utoipa::ToSchema;

/// Most options a choice or ranking poll may have.
pub const MAX_OPTIONS: usize = 20;
/// Longest word-cloud answer, in characters.
pub const MAX_WORDS_LEN: usize = 200;

/// What kind of poll, with its options.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum PollKind {
    /// One option.
    Single { options: Vec<String> },
    /// Any number of options (at least one).
    Multiple { options: Vec<String> },
    /// A number from `min` to `max`: 1–5 or 0–10.
    Scale { min: i64, max: i64 },
    /// A few free words; shown as a cloud.
    WordCloud,
    /// Every option put in order, best first.
    Ranking { options: Vec<String> },
}

impl PollKind {
    /// Check the definition (options present, non-empty, few enough; scale 1–5 or 0–10).
    pub fn check(&self) -> Result<(), Refusal> {
        match self {
            PollKind::Single { options }
            | PollKind::Multiple { options }
            | PollKind::Ranking { options } => {
                if options.len() < 2 || options.len() > MAX_OPTIONS {
                    return Err(Refusal::BadPoll(format!(
                        "a poll needs between 2 and {MAX_OPTIONS} options"
                    )));
                }
                if options
                    .iter()
                    .any(|o| o.trim().is_empty() || o.chars().count() > 200)
                {
                    return Err(Refusal::BadPoll(
                        "each option needs 1 to 200 characters".into(),
                    ));
                }
                Ok(())
            }
            PollKind::Scale { min, max } => match (min, max) {
                (1, 5) | (0, 10) => Ok(()),
                _ => Err(Refusal::BadPoll(
                    "a scale goes from 1 to 5 or from 0 to 10".into(),
                )),
            },
            PollKind::WordCloud => Ok(()),
        }
    }

    fn options(&self) -> &[String] {
        match self {
            PollKind::Single { options }
            | PollKind::Multiple { options }
            | PollKind::Ranking { options } => options,
            _ => &[],
        }
    }
}

/// One person's answer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum PollAnswer {
    /// Index of the chosen option (single choice).
    Choice { option: usize },
    /// Indexes of the chosen options (multiple choice).
    Choices { options: Vec<usize> },
    /// A value on the scale.
    Scale { value: i64 },
    /// Free words (word cloud).
    Words { text: String },
    /// Every option index, best first (ranking).
    Ranking { order: Vec<usize> },
}

impl PollAnswer {
    /// Check that the answer fits the poll's kind.
    pub fn check(&self, kind: &PollKind) -> Result<(), Refusal> {
        let n = kind.options().len();
        let bad = |m: &str| Err(Refusal::BadAnswer(m.to_string()));
        match (kind, self) {
            (PollKind::Single { .. }, PollAnswer::Choice { option }) => {
                if *option >= n {
                    return bad("no such option");
                }
            }
            (PollKind::Multiple { .. }, PollAnswer::Choices { options }) => {
                let set: BTreeSet<_> = options.iter().collect();
                if options.is_empty()
                    || set.len() != options.len()
                    || options.iter().any(|o| *o >= n)
                {
                    return bad("choose one or more distinct options");
                }
            }
            (PollKind::Scale { min, max }, PollAnswer::Scale { value }) => {
                if value < min || value > max {
                    return Err(Refusal::BadAnswer(format!(
                        "the value must be from {min} to {max}"
                    )));
                }
            }
            (PollKind::WordCloud, PollAnswer::Words { text }) => {
                if text.chars().count() > MAX_WORDS_LEN {
                    return bad("at most 200 characters");
                }
                if cloud_words(text).is_empty() {
                    return bad("give at least one meaningful word");
                }
            }
            (PollKind::Ranking { .. }, PollAnswer::Ranking { order }) => {
                let set: BTreeSet<_> = order.iter().collect();
                if order.len() != n || set.len() != n || order.iter().any(|o| *o >= n) {
                    return bad("put every option in order, each once");
                }
            }
            _ => return bad("this answer does not fit the poll's kind"),
        }
        Ok(())
    }
}

/// French and English words too common to say anything in a cloud (after folding).
const STOP_WORDS: &[&str] = &[
    // French
    "a", "au", "aux", "avec", "ce", "ces", "c", "cette", "d", "dans", "de", "des", "du", "elle",
    "en", "et", "est", "etre", "il", "ils", "j", "je", "l", "la", "le", "les", "leur", "lui", "m",
    "ma", "mais", "me", "mes", "moi", "mon", "n", "ne", "nos", "notre", "nous", "on", "ou", "par",
    "pas", "pour", "qu", "que", "qui", "s", "sa", "se", "ses", "son", "sur", "t", "ta", "te",
    "tes", "toi", "ton", "tu", "un", "une", "vos", "votre", "vous", "y", "plus", "tres", "sont",
    "ont", "fait", "comme", "tout", "tous", "cela", "ca", // English
    "an", "and", "are", "as", "at", "be", "but", "by", "for", "from", "has", "have", "i", "in",
    "is", "it", "its", "my", "no", "not", "of", "or", "our", "so", "that", "the", "their", "them",
    "they", "this", "to", "was", "we", "were", "what", "which", "with", "you", "your", "very",
    "all", "more",
];

/// Fold one word: lower case, accents removed (`Écologie` → `ecologie`).
pub fn fold_word(w: &str) -> String {
    w.chars()
        .flat_map(char::to_lowercase)
        .map(parvis_domain::fold_accent)
        .collect()
}

/// The distinct words of a word-cloud answer: split on anything not a letter or digit,
/// folded, stop words and single letters dropped, in order of first appearance.
pub fn cloud_words(text: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for raw in text.split(|c: char| !c.is_alphanumeric()) {
        let w = fold_word(raw);
        if w.chars().count() < 2 || STOP_WORDS.contains(&w.as_str()) || out.contains(&w) {
            continue;
        }
        out.push(w);
    }
    out
}

/// One word of the cloud.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct CloudWord {
    pub word: String,
    /// How many people gave it.
    pub count: u32,
    /// Hidden by a moderator (participants do not see it).
    pub hidden: bool,
}

/// A poll's results.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema, Default)]
pub struct PollResults {
    /// How many people answered.
    pub respondents: u32,
    /// Per option: how many chose it (single, multiple).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub counts: Vec<u32>,
    /// Scale: how many gave each value from `min` to `max`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub distribution: Vec<u32>,
    /// Scale: the mean value.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub average: Option<f64>,
    /// Word cloud, most frequent first.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub words: Vec<CloudWord>,
    /// Ranking: Borda points per option (an option ranked p-th of k gets k − 1 − p).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub borda: Vec<u32>,
}

/// Compute results from all answers. `hidden_words` are folded words a moderator hid;
/// they stay counted but flagged (and `with_hidden = false` drops them for participants).
pub fn results<'a>(
    kind: &PollKind,
    answers: impl Iterator<Item = &'a PollAnswer>,
    hidden_words: &BTreeSet<String>,
    with_hidden: bool,
) -> PollResults {
    let n = kind.options().len();
    let mut r = PollResults::default();
    let mut words: BTreeMap<String, u32> = BTreeMap::new();
    let mut sum = 0i64;
    match kind {
        PollKind::Single { .. } | PollKind::Multiple { .. } => r.counts = vec![0; n],
        PollKind::Ranking { .. } => r.borda = vec![0; n],
        PollKind::Scale { min, max } => r.distribution = vec![0; (max - min + 1) as usize],
        PollKind::WordCloud => {}
    }
    for a in answers {
        r.respondents += 1;
        match a {
            PollAnswer::Choice { option } => bump(&mut r.counts, *option, 1),
            PollAnswer::Choices { options } => {
                for o in options {
                    bump(&mut r.counts, *o, 1);
                }
            }
            PollAnswer::Scale { value } => {
                if let PollKind::Scale { min, .. } = kind {
                    bump(&mut r.distribution, (value - min) as usize, 1);
                    sum += value;
                }
            }
            PollAnswer::Words { text } => {
                for w in cloud_words(text) {
                    *words.entry(w).or_default() += 1;
                }
            }
            PollAnswer::Ranking { order } => {
                for (p, o) in order.iter().enumerate() {
                    bump(&mut r.borda, *o, (n - 1 - p) as u32);
                }
            }
        }
    }
    if matches!(kind, PollKind::Scale { .. }) && r.respondents > 0 {
        r.average = Some(sum as f64 / r.respondents as f64);
    }
    let mut cloud: Vec<CloudWord> = words
        .into_iter()
        .map(|(word, count)| CloudWord {
            hidden: hidden_words.contains(&word),
            word,
            count,
        })
        .filter(|w| with_hidden || !w.hidden)
        .collect();
    cloud.sort_by(|a, b| b.count.cmp(&a.count).then(a.word.cmp(&b.word)));
    r.words = cloud;
    r
}

fn bump(v: &mut [u32], i: usize, by: u32) {
    if let Some(x) = v.get_mut(i) {
        *x += by;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cloud_folds_case_accents_and_drops_stop_words() {
        assert_eq!(
            cloud_words("L'Écologie et la CONFIANCE, la confiance!"),
            ["ecologie", "confiance"]
        );
        assert_eq!(
            cloud_words("the trust of the écologie"),
            ["trust", "ecologie"]
        );
        assert!(cloud_words("et de la").is_empty());
    }

    #[test]
    fn scale_average_and_distribution_by_hand() {
        let kind = PollKind::Scale { min: 1, max: 5 };
        let answers = [1, 5, 5, 3].map(|value| PollAnswer::Scale { value });
        let r = results(&kind, answers.iter(), &BTreeSet::new(), false);
        assert_eq!(r.respondents, 4);
        assert_eq!(r.distribution, [1, 0, 1, 0, 2]);
        assert_eq!(r.average, Some(3.5));
    }

    #[test]
    fn ranking_borda_and_word_hiding() {
        let kind = PollKind::Ranking {
            options: vec!["A".into(), "B".into(), "C".into()],
        };
        let answers = [vec![0, 1, 2], vec![1, 0, 2], vec![0, 2, 1]]
            .map(|order| PollAnswer::Ranking { order });
        // A: 2+1+2 = 5, B: 1+2+0 = 3, C: 0+0+1 = 1.
        assert_eq!(
            results(&kind, answers.iter(), &BTreeSet::new(), false).borda,
            [5, 3, 1]
        );

        let cloud = [
            PollAnswer::Words {
                text: "Confiance idiot".into(),
            },
            PollAnswer::Words {
                text: "confiance".into(),
            },
        ];
        let hidden: BTreeSet<String> = ["idiot".to_string()].into();
        let seen = results(&PollKind::WordCloud, cloud.iter(), &hidden, false);
        assert_eq!(
            seen.words,
            [CloudWord {
                word: "confiance".into(),
                count: 2,
                hidden: false
            }]
        );
        let moderator = results(&PollKind::WordCloud, cloud.iter(), &hidden, true);
        assert_eq!(moderator.words.len(), 2);
    }

    #[test]
    fn answers_that_do_not_fit_are_refused() {
        let single = PollKind::Single {
            options: vec!["oui".into(), "non".into()],
        };
        assert!(PollAnswer::Choice { option: 2 }.check(&single).is_err());
        assert!(PollAnswer::Scale { value: 1 }.check(&single).is_err());
        assert!(
            PollAnswer::Scale { value: 11 }
                .check(&PollKind::Scale { min: 0, max: 10 })
                .is_err()
        );
        let rank = PollKind::Ranking {
            options: vec!["a".into(), "b".into()],
        };
        assert!(
            PollAnswer::Ranking { order: vec![0, 0] }
                .check(&rank)
                .is_err()
        );
        assert!(PollKind::Scale { min: 1, max: 7 }.check().is_err());
        assert!(
            PollKind::Single {
                options: vec!["seul".into()]
            }
            .check()
            .is_err()
        );
    }
}
