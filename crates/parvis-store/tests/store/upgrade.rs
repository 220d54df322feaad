//! Upgrading a store: a store left by an older Parvis (its rows written with that version's
//! SQL, as the code of the time wrote them) opens with the current code, keeps its rows, and
//! gives the columns and tables added since their defaults. Also what an upgrade repairs: live
//! upvotes taken back before schema 29 (which left no record of it) stop counting.

use parvis_domain::*;
use parvis_store::{ActivityRow, RoomEventRow, Store, testing};

const WEEK: i64 = 604_800_000;

/// Run `check` with the URL of a new SQLite file and of a fresh PostgreSQL schema (when
/// `PARVIS_TEST_DATABASE_URL` is set): the test opens the store itself, at the version it wants.
async fn on_both_urls<F, Fut>(check: F)
where
    F: Fn(String) -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    let dir = tempfile::tempdir().unwrap();
    check(format!("sqlite://{}/old.db", dir.path().display())).await;
    match testing::postgres_test_url() {
        Some(base) => check(testing::fresh_postgres_url(&base).await.unwrap()).await,
        None => eprintln!(
            "notice: PARVIS_TEST_DATABASE_URL not set, PostgreSQL half of this test skipped"
        ),
    }
}

/// A store at schema `version` holding `rows` (SQL of that version), then closed.
async fn old_store(url: &str, version: i64, rows: &str) {
    let old = testing::open_at_version(url, version).await.unwrap();
    assert_eq!(old.schema_version().await.unwrap(), version);
    testing::run_sql(&old, rows).await.unwrap();
    old.close().await;
}

/// The schema version a new store gets (the latest this code knows).
async fn latest_version() -> i64 {
    let dir = tempfile::tempdir().unwrap();
    let fresh = Store::open(&format!("sqlite://{}/new.db", dir.path().display()))
        .await
        .unwrap();
    fresh.schema_version().await.unwrap()
}

/// The space's weekly rows, in a stable order.
async fn rows(s: &Store, space: i64) -> Vec<ActivityRow> {
    let mut rows = s.measure_activity(space, 0).await.unwrap();
    rows.sort_by(|a, b| (a.member_id, &a.channel, a.week).cmp(&(b.member_id, &b.channel, b.week)));
    rows
}

fn reactions(rows: &[ActivityRow], who: i64) -> i64 {
    rows.iter()
        .filter(|r| r.member_id == who)
        .map(|r| r.reactions)
        .sum()
}

/// Refresh incrementally at `now` and check the rows equal a rebuild's; returns them.
async fn refresh_like_a_rebuild(s: &Store, space: i64, now: i64) -> Vec<ActivityRow> {
    assert!(!s.measure_refresh(space, now).await.unwrap().rebuilt);
    let incremental = rows(s, space).await;
    s.measure_reset(space).await.unwrap();
    assert!(s.measure_refresh(space, now).await.unwrap().rebuilt);
    assert_eq!(incremental, rows(s, space).await, "same as a rebuild");
    incremental
}

/// A live vote event as the room logs it (`m:<id>` upvotes or unvotes `question`).
fn vote_sql(seq: i64, at: i64, member: i64, action: &str, question: u64) -> String {
    format!(
        "INSERT INTO room_events (room_id, seq, at, actor_key, action, body) VALUES (1, {seq}, {at}, 'm:{member}', '{action}', \
         '{{\"seq\":{seq},\"at\":{at},\"actor\":{{\"key\":\"m:{member}\"}},\"command\":{{\"action\":\"{action}\",\"question\":{question}}}}}');\n"
    )
}

/// Members 1 (alice), 2 (dan) and 3 (eve), space 1 with topic 1, room 1: rows of schema 10
/// on, written before any row of another table so that their ids are 1, 2, 3 on both engines.
const PEOPLE_AND_ROOM: &str = "
INSERT INTO members (handle, display_name, email, created_at) VALUES ('alice', 'Alice', 'alice@x.fr', 1000);
INSERT INTO members (handle, display_name, email, created_at) VALUES ('dan', 'Dan', 'dan@x.fr', 1000);
INSERT INTO members (handle, display_name, email, created_at) VALUES ('eve', 'Eve', 'eve@x.fr', 1000);
INSERT INTO spaces (slug, name, created_at) VALUES ('old', 'Ancien', 1000);
INSERT INTO topics (space_id, slug, title, created_at) VALUES (1, 'roi', 'ROI', 1000);
INSERT INTO rooms (space_id, topic_id, title, created_at) VALUES (1, 1, 'Débat', 1000);
";

#[tokio::test]
async fn an_upvote_taken_back_before_schema_29_no_longer_counts_after_a_rebuild() {
    on_both_urls(|url| async move {
        // Schema 28: Dan upvoted questions 1 and 2 and took the first back, Eve upvoted 1;
        // nothing recorded the upvote taken back but the room's log.
        let mut sql = PEOPLE_AND_ROOM.to_string();
        for (seq, member, action, question) in [
            (1, 2, "upvote", 1),
            (2, 3, "upvote", 1),
            (3, 2, "upvote", 2),
            (4, 2, "unvote", 1),
        ] {
            sql.push_str(&vote_sql(seq, 10 * WEEK + seq, member, action, question));
        }
        old_store(&url, 28, &sql).await;

        let s = Store::open(&url).await.unwrap();
        assert!(s.measure_refresh(1, 11 * WEEK).await.unwrap().rebuilt);
        let built = rows(&s, 1).await;
        assert_eq!(
            [2, 3].map(|m| reactions(&built, m)),
            [1, 1],
            "Dan's upvote of question 1 was taken back: only his upvote of question 2 counts"
        );

        // Dan is erased and his live events made anonymous (as the services do): the upvote
        // the rebuild did not count is not subtracted again.
        s.erase_member(MemberId(2), false, "Ancien membre", 11 * WEEK + 1)
            .await
            .unwrap();
        let anonymous: Vec<(RoomId, RoomEventRow)> = s
            .room_events(RoomId(1), 0)
            .await
            .unwrap()
            .into_iter()
            .filter(|e| e.actor_key == "m:2")
            .map(|mut e| {
                e.actor_key = "x:0123456789abcdef".into();
                (RoomId(1), e)
            })
            .collect();
        s.rewrite_room_events(&anonymous).await.unwrap();
        let after = refresh_like_a_rebuild(&s, 1, 12 * WEEK).await;
        assert_eq!([2, 3].map(|m| reactions(&after, m)), [0, 1]);
    })
    .await;
}

#[tokio::test]
async fn a_store_left_at_schema_26_opens_with_its_rows_and_the_new_columns_defaulted() {
    let latest = latest_version().await;
    on_both_urls(|url| async move {
        // Schema 26, as its code wrote: a thread with a reply and a like, live votes (one
        // taken back), a visitor's pending registration, a widget sign-in under way, a survey
        // answered signed in, and a measures aggregate that counted Dan's withdrawn upvote.
        let mut sql = PEOPLE_AND_ROOM.to_string();
        sql.push_str(&format!(
            "INSERT INTO threads (space_id, topic_id, title, author_id, created_at, last_activity_at, message_count)
               VALUES (1, 1, 'Mesurer le ROI', 1, {w}, {w1}, 2);
             INSERT INTO messages (thread_id, author_id, body_md, body_html, created_at)
               VALUES (1, 1, 'Bonjour', '<p>Bonjour</p>', {w});
             INSERT INTO messages (thread_id, author_id, parent_id, body_md, body_html, created_at)
               VALUES (1, 2, 1, 'Réponse', '<p>Réponse</p>', {w1});
             INSERT INTO reactions (message_id, member_id, kind, created_at) VALUES (2, 1, 'like', {w2});
             INSERT INTO topic_sessions (space_id, topic_id, title, starts_at, duration_min, time_zone, mode, created_at)
               VALUES (1, 1, 'Atelier', {w20}, 60, 'Europe/Paris', 'onsite', 1000);
             INSERT INTO registrations (session_id, person, name, email, status, consent_contact, created_at)
               VALUES (1, 'eana@x.fr', 'Ana', 'ana@x.fr', 'pending', 1, 2000);
             INSERT INTO embed_auth_attempts (attempt_hash, link_hash, space_id, email, host, lang, created_at, expires_at)
               VALUES ('attempt-h', 'link-h', 1, 'zoe@x.fr', 'blog.example', 'fr', 3000, {far});
             INSERT INTO surveys (space_id, kind, title, token, created_by, created_at)
               VALUES (1, 'nps', 'Votre avis', 'tokold', 1, 4000);
             INSERT INTO survey_answers (survey_id, respondent, score, comment, grp, created_at)
               VALUES (1, 'm-alice', 9, 'Très bien', '', 4001);
             INSERT INTO measure_state (space_id, last_message_id, last_reaction_at, last_read_at, last_referral_at, merges_seen, built_at)
               VALUES (1, 2, {w11}, {w11}, {w11}, 0, {w11});
             INSERT INTO measure_activity (space_id, member_id, channel, week, posts, answers, reactions)
               VALUES (1, 2, 'parvis', 10, 1, 1, 1);
            ",
            w = 10 * WEEK,
            w1 = 10 * WEEK + 1,
            w2 = 10 * WEEK + 2,
            w11 = 11 * WEEK,
            w20 = 20 * WEEK,
            far = 40 * WEEK,
        ));
        for (seq, member, action) in [(1, 2, "upvote"), (2, 3, "upvote"), (3, 2, "unvote")] {
            sql.push_str(&vote_sql(seq, 10 * WEEK + 3 + seq, member, action, 1));
        }
        old_store(&url, 26, &sql).await;

        let s = Store::open(&url).await.unwrap();
        assert_eq!(s.schema_version().await.unwrap(), latest, "fully migrated");
        // Reopening an up-to-date store applies nothing again.
        s.close().await;
        let s = Store::open(&url).await.unwrap();

        // The rows survived.
        let dan = s.member_by_handle("dan").await.unwrap().unwrap();
        assert_eq!((dan.id, dan.email.as_deref()), (MemberId(2), Some("dan@x.fr")));
        let msgs = s
            .list_messages(ThreadId(1), PageRequest::new(None, None, 50))
            .await
            .unwrap();
        assert_eq!(msgs.total, 2);
        assert_eq!(msgs.items[1].parent_id, Some(MessageId(1)));
        assert_eq!(msgs.items[1].reactions[0].count, 1);
        assert_eq!(s.room_events(RoomId(1), 0).await.unwrap().len(), 3);
        let reg = s.registration(1).await.unwrap().unwrap();
        assert_eq!((reg.status.as_str(), reg.consent_contact), ("pending", true));

        // Schema 31: the widget sign-in under way has no share code (empty, not NULL).
        let attempt = s
            .embed_attempt_by_link("link-h", 5000)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            (attempt.email.as_str(), attempt.share_ref.as_str(), attempt.confirmed),
            ("zoe@x.fr", "", false)
        );
        // Schema 28: the registration has no click noted, and can have one now.
        assert_eq!(s.take_registration_click(1).await.unwrap(), None);
        s.note_registration_click(1, "click-1").await.unwrap();
        assert_eq!(
            s.take_registration_click(1).await.unwrap().as_deref(),
            Some("click-1")
        );
        // The answer given before still counts, once per person; mailings (schema 27, 32)
        // start empty and work.
        let answers = s.survey_answers(1).await.unwrap();
        assert_eq!((answers.len(), answers[0].score), (1, 9));
        assert_eq!(
            s.answer_survey_as_member(1, "m-alice", None, "mm-alice", 3, "", "", 5000)
                .await
                .unwrap(),
            parvis_store::AnswerOutcome::AlreadyAnswered
        );
        assert_eq!(s.survey_recipient_counts(1).await.unwrap().sent, 0);

        // Schema 29 and 32: the old aggregate is rebuilt at its first refresh, without Dan's
        // upvote taken back; then a like taken back leaves it at the next refresh.
        assert!(s.measure_refresh(1, 12 * WEEK).await.unwrap().rebuilt);
        let built = rows(&s, 1).await;
        assert_eq!([1, 2, 3].map(|m| reactions(&built, m)), [1, 0, 1]);
        let dans: Vec<_> = built.iter().filter(|r| r.member_id == 2).collect();
        assert_eq!((dans[0].posts, dans[0].answers), (1, 1));
        s.remove_reaction(MessageId(2), MemberId(1), ReactionKind::Like)
            .await
            .unwrap();
        let after = refresh_like_a_rebuild(&s, 1, 13 * WEEK).await;
        assert_eq!(reactions(&after, 1), 0);
    })
    .await;
}
