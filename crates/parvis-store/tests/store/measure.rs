//! The measures' aggregate: built from scratch, then kept current incrementally; a merge
//! rebuilds it; surveys take one answer per respondent.

use super::{member, on_both};
use parvis_domain::*;
use parvis_store::{AnswerOutcome, NewMessage, NewThread, StoreError, measure_week};

const WEEK: i64 = 604_800_000;

fn thread(space: SpaceId, author: MemberId, at: i64, channel: &str) -> NewThread {
    NewThread {
        space_id: space,
        topic_id: None,
        title: "Question".into(),
        author_id: author,
        body_md: "Comment faire ?".into(),
        body_html: "<p>Comment faire ?</p>".into(),
        created_at: at,
        channel: channel.into(),
        source_id: None,
        source_url: None,
    }
}

fn reply(t: ThreadId, parent: MessageId, author: MemberId, at: i64) -> NewMessage {
    NewMessage {
        thread_id: t,
        parent_id: Some(parent),
        author_id: author,
        body_md: "Voici".into(),
        body_html: "<p>Voici</p>".into(),
        created_at: at,
        channel: "parvis".into(),
        source_id: None,
        source_url: None,
    }
}

#[tokio::test]
async fn the_aggregate_is_built_then_kept_current_and_rebuilt_after_a_merge() {
    on_both(|s| async move {
        let space = s.create_space("m", "M", "", 1).await.unwrap();
        let alice = s.create_member(&member("alice", "a@x.fr")).await.unwrap();
        let bob = s.create_member(&member("bob", "b@x.fr")).await.unwrap();
        let (t, first) = s
            .create_thread(&thread(space, alice, 10 * WEEK + 5, "mail"))
            .await
            .unwrap();
        s.add_message(&reply(t, first, bob, 10 * WEEK + 9))
            .await
            .unwrap();
        // Bob answering himself is a post, not an answer to others.
        let own = s
            .add_message(&reply(t, first, bob, 11 * WEEK))
            .await
            .unwrap();
        s.add_message(&reply(t, own, bob, 11 * WEEK + 1))
            .await
            .unwrap();
        let first_run = s.measure_refresh(space.0, 12 * WEEK).await.unwrap();
        assert!(first_run.rebuilt);
        assert_eq!(first_run.messages, 4);
        let rows = s.measure_activity(space.0, 0).await.unwrap();
        let bob_rows: Vec<_> = rows.iter().filter(|r| r.member_id == bob.0).collect();
        assert_eq!(bob_rows.iter().map(|r| r.posts).sum::<i64>(), 3);
        assert_eq!(bob_rows.iter().map(|r| r.answers).sum::<i64>(), 2);
        assert_eq!(measure_week(10 * WEEK + 5), 10);

        // One new message and a reaction: added without a rebuild, nothing counted twice.
        s.add_message(&reply(t, first, bob, 12 * WEEK + 10))
            .await
            .unwrap();
        s.add_reaction(first, bob, ReactionKind::Like, 12 * WEEK + 11)
            .await
            .unwrap();
        s.record_read(alice, t, 12 * WEEK + 12).await.unwrap();
        let second = s.measure_refresh(space.0, 13 * WEEK).await.unwrap();
        assert!(!second.rebuilt);
        assert_eq!(second.messages, 1);
        let rows = s.measure_activity(space.0, 12).await.unwrap();
        let bob12: Vec<_> = rows
            .iter()
            .filter(|r| r.member_id == bob.0 && r.week == 12)
            .collect();
        let sum = |f: fn(&&parvis_store::ActivityRow) -> i64| bob12.iter().map(f).sum::<i64>();
        // The reaction counts on the reacted message's channel (the thread came by mail).
        assert_eq!(
            (sum(|r| r.posts), sum(|r| r.answers), sum(|r| r.reactions)),
            (1, 1, 1)
        );
        // Alice's read counts on the thread's channel, in the week she read it.
        assert!(rows.iter().any(|r| r.member_id == alice.0
            && r.week == 12
            && r.channel == "mail"
            && r.reads == 1));
        let third = s.measure_refresh(space.0, 13 * WEEK).await.unwrap();
        assert_eq!((third.rebuilt, third.messages), (false, 0));
        let by_channel = s.measure_posts_by_channel(space.0, 0).await.unwrap();
        assert!(by_channel.contains(&("mail".to_string(), 10, 1)));

        // Merging bob into alice moves his messages: the next refresh rebuilds.
        s.merge_members(alice, bob, "same person", 13 * WEEK)
            .await
            .unwrap();
        let after = s.measure_refresh(space.0, 14 * WEEK).await.unwrap();
        assert!(after.rebuilt);
        let rows = s.measure_activity(space.0, 0).await.unwrap();
        assert!(rows.iter().all(|r| r.member_id == alice.0));
        assert_eq!(rows.iter().map(|r| r.posts).sum::<i64>(), 5);
    })
    .await;
}

#[tokio::test]
async fn fidelity_reads_community_questions_and_first_staff_answer() {
    on_both(|s| async move {
        let space = s.create_space("f", "F", "", 1).await.unwrap();
        let mut staff = member("staff", "s@x.fr");
        staff.site_role = SiteRole::Moderator;
        let staff = s.create_member(&staff).await.unwrap();
        let carol = s.create_member(&member("carol", "c@x.fr")).await.unwrap();
        let (t, first) = s
            .create_thread(&thread(space, carol, 1_000, "parvis"))
            .await
            .unwrap();
        s.add_message(&reply(t, first, staff, 5_000)).await.unwrap();
        s.add_message(&reply(t, first, staff, 9_000)).await.unwrap();
        s.create_thread(&thread(space, carol, 2_000, "parvis"))
            .await
            .unwrap();
        s.create_thread(&thread(space, staff, 3_000, "parvis"))
            .await
            .unwrap();
        let mut q = s.measure_questions(space.0, 0).await.unwrap();
        q.sort_by_key(|q| q.asked_at);
        assert_eq!(q.len(), 2, "the staff's own thread is not a question");
        assert_eq!(q[0].first_staff_answer_at, Some(5_000));
        assert_eq!(q[1].first_staff_answer_at, None);
        let pubs = s.measure_staff_publications(space.0, 0, 10).await.unwrap();
        assert_eq!(pubs.len(), 3);
        assert_eq!(s.measure_staff().await.unwrap(), vec![staff.0]);
    })
    .await;
}

#[tokio::test]
async fn one_answer_per_respondent_and_objectives_round_trip() {
    on_both(|s| async move {
        let space = s.create_space("s", "S", "", 1).await.unwrap();
        let admin = s.create_member(&member("adm", "adm@x.fr")).await.unwrap();
        let id = s
            .create_survey(space.0, "nps", "Recommend?", "tok123", admin.0, 5)
            .await
            .unwrap();
        s.add_survey_answer(id, "r1", 9, "", "", 6).await.unwrap();
        let again = s.add_survey_answer(id, "r1", 3, "", "", 7).await;
        assert!(matches!(again, Err(StoreError::Conflict { ref what }) if what == "answer"));
        assert!(s.has_answered(id, "r1").await.unwrap());
        let answers = s.survey_answers(id).await.unwrap();
        assert_eq!(answers.len(), 1);
        assert_eq!(answers[0].score, 9, "the first answer is kept");
        assert_eq!(
            s.survey_by_token("tok123").await.unwrap().map(|x| x.id),
            Some(id)
        );

        let o = s
            .create_objective(
                space.0,
                "engaged",
                "40",
                Some("12"),
                1_000_000,
                "",
                admin.0,
                5,
            )
            .await
            .unwrap();
        let list = s.objectives(space.0).await.unwrap();
        assert_eq!(
            (
                list[0].id,
                list[0].target.as_str(),
                list[0].baseline.as_deref()
            ),
            (o, "40", Some("12"))
        );
        s.delete_objective(space.0, o).await.unwrap();
        assert!(matches!(
            s.delete_objective(space.0, o).await,
            Err(StoreError::NotFound(_))
        ));

        s.record_figure(space.0, "nps", 10, 12.5, "ip-1")
            .await
            .unwrap();
        s.record_figure(space.0, "nps", 10, 20.0, "ip-1")
            .await
            .unwrap();
        assert_eq!(
            s.figures(space.0, "nps").await.unwrap(),
            vec![(10, 20.0, "ip-1".to_string())]
        );
        s.set_measure_settings(space.0, "{}", 1).await.unwrap();
        s.set_measure_settings(space.0, "{\"a\":1}", 2)
            .await
            .unwrap();
        assert_eq!(
            s.measure_settings(space.0).await.unwrap().as_deref(),
            Some("{\"a\":1}")
        );
    })
    .await;
}

#[tokio::test]
async fn a_mailed_link_answers_once_and_the_address_goes_once_mailed() {
    on_both(|s| async move {
        let space = s.create_space("m", "M", "", 1).await.unwrap();
        let admin = s.create_member(&member("adm", "adm@x.fr")).await.unwrap();
        let id = s
            .create_survey(space.0, "enps", "Work here?", "tokmail", admin.0, 5)
            .await
            .unwrap();
        let people = vec![
            (
                "h-ana".to_string(),
                "ana@x.fr".to_string(),
                "fr".to_string(),
            ),
            (
                "h-ben".to_string(),
                "ben@x.fr".to_string(),
                "en".to_string(),
            ),
        ];
        let ids = s.add_survey_recipients(id, &people, 6).await.unwrap();
        assert_eq!(ids.len(), 2);
        // The same addresses again: none added.
        assert!(
            s.add_survey_recipients(id, &people, 7)
                .await
                .unwrap()
                .is_empty()
        );
        let ana = s.survey_recipient(ids[0]).await.unwrap().unwrap();
        assert_eq!((ana.email.as_str(), ana.lang.as_str()), ("ana@x.fr", "fr"));
        s.set_survey_recipient_link(ana.id, "link-ana")
            .await
            .unwrap();
        s.survey_recipient_mailed(ana.id, 8, None).await.unwrap();
        assert_eq!(s.survey_recipient(ana.id).await.unwrap().unwrap().email, "");
        assert_eq!(
            s.survey_link_used(id, "link-ana").await.unwrap(),
            Some(false)
        );
        assert_eq!(s.survey_link_used(id, "nope").await.unwrap(), None);

        assert_eq!(
            s.answer_survey_by_link(id, "link-ana", "link:r1", 9, "", "IT", 9)
                .await
                .unwrap(),
            AnswerOutcome::Recorded
        );
        // The same link again: refused, nothing stored.
        assert_eq!(
            s.answer_survey_by_link(id, "link-ana", "link:r2", 2, "", "IT", 10)
                .await
                .unwrap(),
            AnswerOutcome::LinkUsed
        );
        assert_eq!(
            s.survey_link_used(id, "link-ana").await.unwrap(),
            Some(true)
        );
        let answers = s.survey_answers(id).await.unwrap();
        assert_eq!(answers.len(), 1);
        assert_eq!(answers[0].score, 9);
        let c = s.survey_recipient_counts(id).await.unwrap();
        assert_eq!((c.sent, c.answered), (1, 1), "Ben's mail has not gone yet");
        assert_eq!(
            s.survey_by_id(id).await.unwrap().map(|x| x.token),
            Some("tokmail".to_string())
        );
        assert_eq!(
            s.member_addresses(None).await.unwrap(),
            vec!["adm@x.fr".to_string()]
        );
        assert!(
            s.member_addresses(Some("partner"))
                .await
                .unwrap()
                .is_empty()
        );
    })
    .await;
}
