//! Surveys: a person answers once whether signed in or through a link mailed to their
//! address (checked in the answer's transaction), a closed survey takes no answer and drops
//! its pending mails, and what mailings hold about a person is listed and erased.

use super::{member, on_both};
use parvis_store::{AnswerOutcome, LinkRow, PendingSurvey};

fn people(list: &[(&str, &str)]) -> Vec<(String, String, String)> {
    list.iter()
        .map(|(h, e)| (h.to_string(), e.to_string(), "fr".to_string()))
        .collect()
}

#[tokio::test]
async fn one_answer_per_person_across_paths_and_none_once_closed() {
    on_both(|s| async move {
        let space = s.create_space("q", "Q", "", 1).await.unwrap();
        let admin = s.create_member(&member("adm", "adm@x.fr")).await.unwrap();
        let id = s
            .create_survey(space.0, "enps", "Work here?", "tokonce", admin.0, 5)
            .await
            .unwrap();
        let ids = s
            .add_survey_recipients(
                id,
                &people(&[
                    ("h-ana", "ana@x.fr"),
                    ("h-ben", "ben@x.fr"),
                    ("h-cy", "cy@x.fr"),
                ]),
                6,
            )
            .await
            .unwrap();
        for (rid, link) in ids.iter().zip(["l-ana", "l-ben", "l-cy"]).take(2) {
            s.set_survey_recipient_link(*rid, link).await.unwrap();
            s.survey_recipient_mailed(*rid, 7, None).await.unwrap();
        }

        // Ana answers signed in, then through the link mailed to her: refused.
        let as_ana = |score| {
            s.answer_survey_as_member(id, "m-ana", Some("h-ana"), "mm-ana", score, "", "", 8)
        };
        assert_eq!(as_ana(9).await.unwrap(), AnswerOutcome::Recorded);
        assert_eq!(as_ana(9).await.unwrap(), AnswerOutcome::AlreadyAnswered);
        assert_eq!(
            s.survey_link(id, "l-ana").await.unwrap(),
            Some(LinkRow {
                used: false,
                person_answered: true
            })
        );
        assert_eq!(
            s.answer_survey_by_link(id, "l-ana", "link:1", 2, "", "", 9)
                .await
                .unwrap(),
            AnswerOutcome::AlreadyAnswered
        );
        // Ben answers through his link, then signed in: refused.
        assert_eq!(
            s.answer_survey_by_link(id, "l-ben", "link:2", 3, "", "", 9)
                .await
                .unwrap(),
            AnswerOutcome::Recorded
        );
        assert!(
            s.member_answered_survey(id, "m-ben", Some("h-ben"), "mm-ben")
                .await
                .unwrap()
        );
        assert!(
            !s.member_answered_survey(id, "m-ben", None, "mm-ben")
                .await
                .unwrap()
        );
        assert_eq!(
            s.answer_survey_as_member(id, "m-ben", Some("h-ben"), "mm-ben", 10, "", "", 10)
                .await
                .unwrap(),
            AnswerOutcome::AlreadyAnswered
        );
        assert_eq!(
            s.answer_survey_by_link(id, "nope", "link:3", 3, "", "", 9)
                .await
                .unwrap(),
            AnswerOutcome::UnknownLink
        );
        let scores: Vec<i64> = s
            .survey_answers(id)
            .await
            .unwrap()
            .iter()
            .map(|a| a.score)
            .collect();
        assert_eq!(scores, vec![9, 3], "one answer each, the first kept");

        // Closing: Cy's mail has not gone, it is dropped with her address; no more answers.
        let closed = s.close_survey(id, 20).await.unwrap();
        assert_eq!((closed.closed_at, closed.dropped), (20, 1));
        assert_eq!(s.survey_recipient(ids[2]).await.unwrap(), None);
        let again = s.close_survey(id, 30).await.unwrap();
        assert_eq!((again.closed_at, again.dropped), (20, 0), "closed once");
        assert_eq!(
            s.answer_survey_as_member(id, "m-dan", None, "mm-dan", 5, "", "", 31)
                .await
                .unwrap(),
            AnswerOutcome::Closed
        );
        let fresh = s
            .add_survey_recipients(id, &people(&[("h-eve", "eve@x.fr")]), 31)
            .await
            .unwrap();
        s.set_survey_recipient_link(fresh[0], "l-eve")
            .await
            .unwrap();
        assert_eq!(
            s.answer_survey_by_link(id, "l-eve", "link:4", 5, "", "", 32)
                .await
                .unwrap(),
            AnswerOutcome::Closed
        );
        // A mail queued as it closed is dropped by its job.
        s.drop_unsent_survey_recipient(fresh[0]).await.unwrap();
        assert_eq!(s.survey_recipient(fresh[0]).await.unwrap(), None);
        // The figures stay: both answers, the two mailed, Ben's link used.
        assert_eq!(s.survey_answers(id).await.unwrap().len(), 2);
        let c = s.survey_recipient_counts(id).await.unwrap();
        assert_eq!((c.sent, c.answered), (2, 1));
    })
    .await;
}

#[tokio::test]
async fn a_persons_pending_survey_mails_are_listed_then_erased() {
    on_both(|s| async move {
        let space = s.create_space("p", "P", "", 1).await.unwrap();
        let admin = s.create_member(&member("adm", "adm@x.fr")).await.unwrap();
        let ana = s.create_member(&member("ana", "ana@x.fr")).await.unwrap();
        let first = s
            .create_survey(space.0, "nps", "Premier", "tokp1", admin.0, 5)
            .await
            .unwrap();
        let second = s
            .create_survey(space.0, "csat", "Second", "tokp2", admin.0, 6)
            .await
            .unwrap();
        // Mailed and answered in the first survey; pending in the second.
        let r1 = s
            .add_survey_recipients(
                first,
                &people(&[("h-ana", "ana@x.fr"), ("h-zoe", "zoe@x.fr")]),
                7,
            )
            .await
            .unwrap();
        s.set_survey_recipient_link(r1[0], "l-ana").await.unwrap();
        s.survey_recipient_mailed(r1[0], 8, None).await.unwrap();
        assert_eq!(
            s.answer_survey_by_link(first, "l-ana", "link:a", 9, "", "", 9)
                .await
                .unwrap(),
            AnswerOutcome::Recorded
        );
        s.add_survey_recipients(second, &people(&[("h-ana", "ana@x.fr")]), 10)
            .await
            .unwrap();
        s.answer_survey_as_member(second, "m-ana", Some("h-ana"), "mm-ana", 4, "", "", 11)
            .await
            .unwrap();

        assert_eq!(
            s.person_addresses(ana).await.unwrap(),
            vec!["ana@x.fr".to_string()]
        );
        let pending = s.pending_surveys(&["ana@x.fr".to_string()]).await.unwrap();
        assert_eq!(
            pending,
            vec![PendingSurvey {
                space: "p".into(),
                title: "Second".into(),
                queued_at: 10
            }],
            "the mailed one holds no address any more"
        );

        let dropped = s
            .forget_survey_addresses(
                &[("h-ana".to_string(), "ana@x.fr".to_string())],
                &["mm-ana".to_string()],
            )
            .await
            .unwrap();
        assert_eq!(dropped, 1);
        assert!(
            s.pending_surveys(&["ana@x.fr".to_string()])
                .await
                .unwrap()
                .is_empty()
        );
        // Her mailed row still counts, under a hash that is no address's; her marker went.
        let c = s.survey_recipient_counts(first).await.unwrap();
        assert_eq!((c.sent, c.answered), (1, 1));
        assert!(
            !s.member_answered_survey(first, "m-other", Some("h-ana"), "mm-other")
                .await
                .unwrap()
        );
        // The marker of her signed-in answer went too: the address, mailed anew, is unknown.
        let anew = s
            .add_survey_recipients(second, &people(&[("h-ana", "ana@x.fr")]), 12)
            .await
            .unwrap();
        assert_eq!(
            anew.len(),
            1,
            "her pending row in the second survey was gone"
        );
        s.set_survey_recipient_link(anew[0], "l-ana2")
            .await
            .unwrap();
        assert_eq!(
            s.survey_link(second, "l-ana2").await.unwrap(),
            Some(LinkRow {
                used: false,
                person_answered: false
            })
        );
        // Zoe's pending mail is untouched, and the answers stay.
        assert_eq!(
            s.pending_surveys(&["zoe@x.fr".to_string()])
                .await
                .unwrap()
                .len(),
            1
        );
        assert_eq!(s.survey_answers(first).await.unwrap().len(), 1);
        assert_eq!(s.survey_answers(second).await.unwrap().len(), 1);
    })
    .await;
}

#[tokio::test]
async fn one_answer_per_person_even_after_a_change_of_address() {
    on_both(|s| async move {
        let space = s.create_space("c", "C", "", 1).await.unwrap();
        let admin = s.create_member(&member("adm", "adm@x.fr")).await.unwrap();
        let id = s
            .create_survey(space.0, "enps", "Ici ?", "tokmoved", admin.0, 5)
            .await
            .unwrap();
        // Links mailed: to Ana's new address, to Ben's and Cy's old ones (each a member's
        // address as its mail left), and to Dan, whose address was nobody's.
        let ids = s
            .add_survey_recipients(
                id,
                &people(&[
                    ("h-ana2", "ana2@x.fr"),
                    ("h-ben1", "ben1@x.fr"),
                    ("h-cy1", "cy1@x.fr"),
                    ("h-dan", "dan@x.fr"),
                ]),
                6,
            )
            .await
            .unwrap();
        let who = [Some("mm-ana"), Some("mm-ben"), Some("mm-cy"), None];
        for ((rid, link), member) in ids.iter().zip(["l-ana", "l-ben", "l-cy", "l-dan"]).zip(who) {
            s.set_survey_recipient_link(*rid, link).await.unwrap();
            s.survey_recipient_mailed(*rid, 7, member).await.unwrap();
        }
        // Signed in: the respondent `m-x`, the member marker `mm-x`, the current address.
        let signed_in = |who: &'static str, marker: &'static str, address: &'static str, at| {
            s.answer_survey_as_member(id, who, Some(address), marker, 8, "", "", at)
        };

        // Ana answered signed in under her old address, then the link to her new one came.
        assert_eq!(
            signed_in("m-ana", "mm-ana", "h-ana1", 8).await.unwrap(),
            AnswerOutcome::Recorded
        );
        assert_eq!(
            s.survey_link(id, "l-ana").await.unwrap(),
            Some(LinkRow {
                used: false,
                person_answered: true
            })
        );
        assert_eq!(
            s.answer_survey_by_link(id, "l-ana", "link:1", 2, "", "", 9)
                .await
                .unwrap(),
            AnswerOutcome::AlreadyAnswered
        );
        // Ben answered by the link to his old address, then signed in under his new one.
        assert_eq!(
            s.answer_survey_by_link(id, "l-ben", "link:2", 2, "", "", 9)
                .await
                .unwrap(),
            AnswerOutcome::Recorded
        );
        assert!(
            s.member_answered_survey(id, "m-ben", Some("h-ben2"), "mm-ben")
                .await
                .unwrap()
        );
        assert_eq!(
            signed_in("m-ben", "mm-ben", "h-ben2", 10).await.unwrap(),
            AnswerOutcome::AlreadyAnswered
        );
        // Cy answered signed in under her new address, then opened the link to her old one.
        assert_eq!(
            signed_in("m-cy", "mm-cy", "h-cy2", 10).await.unwrap(),
            AnswerOutcome::Recorded
        );
        assert_eq!(
            s.answer_survey_by_link(id, "l-cy", "link:3", 2, "", "", 11)
                .await
                .unwrap(),
            AnswerOutcome::AlreadyAnswered
        );
        // A link whose address was no member's answers as before.
        assert_eq!(
            s.answer_survey_by_link(id, "l-dan", "link:4", 7, "", "", 11)
                .await
                .unwrap(),
            AnswerOutcome::Recorded
        );
        let scores: Vec<i64> = s
            .survey_answers(id)
            .await
            .unwrap()
            .iter()
            .map(|a| a.score)
            .collect();
        assert_eq!(scores, vec![8, 2, 8, 7], "one answer per person");

        // Erasing Ben forgets his member marker: the mailed row no longer names him.
        s.forget_survey_addresses(&[], &["mm-ben".to_string()])
            .await
            .unwrap();
        assert!(
            !s.member_answered_survey(id, "m-other", Some("h-ben2"), "mm-ben")
                .await
                .unwrap()
        );
    })
    .await;
}
