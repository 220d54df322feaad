//! The order questions are listed in: one function for the API, the snapshots, the closing
//! draft's top questions — and the same rule the room's script applies in the browser
//! (`assets/live.js`, `sortedQuestions`), so a list looks the same wherever it is read.

use crate::view::QuestionView;
use parvis_domain::{Rule, ValidationError};
use std::cmp::Ordering;

/// How to order a room's questions. Pinned questions come first either way: a moderator pins
/// a question to put it in front of everyone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum QuestionSort {
    /// Most votes first; equal votes, the older first (it has waited longer). The room's
    /// default, as on its pages.
    #[default]
    Votes,
    /// Newest first.
    Time,
}

impl QuestionSort {
    /// Parse `votes` or `time` (absent or empty: the default, `votes`); anything else is an
    /// error naming `field`.
    pub fn parse(field: &str, s: Option<&str>) -> Result<Self, ValidationError> {
        match s.map(str::trim).unwrap_or("") {
            "" | "votes" => Ok(Self::Votes),
            "time" => Ok(Self::Time),
            other => Err(ValidationError::broke(
                field,
                Rule::Choice,
                format!("`{other}` is not a sort: use `votes` or `time`"),
            )),
        }
    }
}

/// How two questions compare under `sort`: pinned first, then by votes (ties: older first) or
/// by time (newest first); the id settles what is still equal, so the order is total.
pub fn compare_questions(a: &QuestionView, b: &QuestionView, sort: QuestionSort) -> Ordering {
    b.pinned.cmp(&a.pinned).then_with(|| match sort {
        QuestionSort::Votes => b
            .votes
            .cmp(&a.votes)
            .then(a.asked_at.cmp(&b.asked_at))
            .then(a.id.cmp(&b.id)),
        QuestionSort::Time => b.asked_at.cmp(&a.asked_at).then(b.id.cmp(&a.id)),
    })
}

/// Order `questions` in place under `sort` (see [`compare_questions`]).
pub fn order_questions(questions: &mut [QuestionView], sort: QuestionSort) {
    questions.sort_by(|a, b| compare_questions(a, b, sort));
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(id: u64, votes: u32, asked_at: i64, pinned: bool) -> QuestionView {
        QuestionView {
            id,
            gone: false,
            text: format!("q{id}"),
            authors: vec![],
            anonymous_authors: 0,
            votes,
            asked_at,
            approved: true,
            pinned,
            answered: false,
            hidden: false,
            reply: None,
            merged_into: None,
        }
    }

    fn ids(mut qs: Vec<QuestionView>, sort: QuestionSort) -> Vec<u64> {
        order_questions(&mut qs, sort);
        qs.iter().map(|q| q.id).collect()
    }

    #[test]
    fn a_pinned_question_with_fewer_votes_comes_first_in_both_sorts() {
        let qs = vec![q(1, 3, 100, false), q(2, 0, 200, true), q(3, 5, 300, false)];
        assert_eq!(ids(qs.clone(), QuestionSort::Votes), [2, 3, 1]);
        assert_eq!(ids(qs, QuestionSort::Time), [2, 3, 1]);
    }

    #[test]
    fn equal_votes_put_the_older_first_and_time_puts_the_newest_first() {
        let qs = vec![q(1, 2, 100, false), q(2, 2, 50, false), q(3, 4, 300, false)];
        assert_eq!(ids(qs.clone(), QuestionSort::Votes), [3, 2, 1]);
        assert_eq!(ids(qs, QuestionSort::Time), [3, 1, 2]);
    }

    #[test]
    fn several_pinned_questions_are_ordered_among_themselves() {
        let qs = vec![q(1, 1, 100, true), q(2, 9, 200, false), q(3, 5, 300, true)];
        assert_eq!(ids(qs.clone(), QuestionSort::Votes), [3, 1, 2]);
        assert_eq!(ids(qs, QuestionSort::Time), [3, 1, 2]);
    }

    #[test]
    fn the_same_instant_is_settled_by_id() {
        let qs = vec![q(2, 1, 100, false), q(1, 1, 100, false)];
        assert_eq!(ids(qs.clone(), QuestionSort::Votes), [1, 2]);
        assert_eq!(ids(qs, QuestionSort::Time), [2, 1]);
    }

    #[test]
    fn sort_parses_votes_and_time_and_names_the_field_otherwise() {
        assert_eq!(QuestionSort::parse("sort", None), Ok(QuestionSort::Votes));
        assert_eq!(
            QuestionSort::parse("sort", Some("")),
            Ok(QuestionSort::Votes)
        );
        assert_eq!(
            QuestionSort::parse("sort", Some("votes")),
            Ok(QuestionSort::Votes)
        );
        assert_eq!(
            QuestionSort::parse("sort", Some("time")),
            Ok(QuestionSort::Time)
        );
        let e = QuestionSort::parse("sort", Some("random")).unwrap_err();
        assert_eq!(e.field, "sort");
        assert_eq!(e.rule, Rule::Choice);
        assert!(e.message.contains("random"), "{}", e.message);
    }
}
