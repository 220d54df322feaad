//! Live rooms' logs as an erasure reads them: by the key they name, and by kind of event.

use super::*;
use parvis_store::{NewRoom, RoomEventRow};

fn event(seq: i64, actor: &str, action: &str, body: &str) -> RoomEventRow {
    RoomEventRow {
        seq,
        at: 1_000 + seq,
        actor_key: actor.into(),
        action: action.into(),
        body: body.into(),
    }
}

#[tokio::test]
async fn notes_are_read_across_rooms_by_kind_and_rewritten_in_place() {
    on_both(|s| async move {
        let space = s.create_space("demo", "Démo", "", 1).await.unwrap();
        let room = |title: &str| NewRoom {
            space_id: space,
            topic_id: None,
            session_id: None,
            title: title.into(),
            anonymous_questions: false,
            approval_required: false,
            budget_permille: 1500,
            created_by: None,
            created_at: 1,
        };
        let a = s.create_room(&room("A")).await.unwrap();
        let b = s.create_room(&room("B")).await.unwrap();
        s.append_room_events(
            a,
            &[
                event(1, "m:1", "ask", r#"{"text":"Ines ?"}"#),
                event(2, "m:2", "note", r#"{"text":"Relancer Ines"}"#),
            ],
        )
        .await
        .unwrap();
        s.append_room_events(b, &[event(1, "m:2", "note", r#"{"text":"Devis"}"#)])
            .await
            .unwrap();

        let notes = s.room_events_of_action("note").await.unwrap();
        let found: Vec<(RoomId, i64)> = notes.iter().map(|(r, e)| (*r, e.seq)).collect();
        assert_eq!(found, [(a, 2), (b, 1)], "notes only, by room and order");
        assert!(s.room_events_of_action("vote").await.unwrap().is_empty());

        let mut first = notes[0].clone();
        first.1.body = r#"{"text":"Relancer Ancien membre"}"#.into();
        s.rewrite_room_events(&[first]).await.unwrap();
        let log = s.room_events(a, 0).await.unwrap();
        assert_eq!(log.len(), 2, "the sequence keeps its events");
        assert_eq!(log[1].body, r#"{"text":"Relancer Ancien membre"}"#);
        assert_eq!(log[0].body, r#"{"text":"Ines ?"}"#);
    })
    .await;
}
