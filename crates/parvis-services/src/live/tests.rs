//! Tests of the live hub: slow clients, fan-out and the store log.

#![allow(clippy::unwrap_used)]
use super::*;
use parvis_store::Store;
use std::sync::Arc;

#[tokio::test]
async fn a_client_that_stops_reading_is_dropped_and_the_others_keep_up() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&format!("sqlite://{}/t.db", dir.path().display()))
        .await
        .unwrap();
    let space = store.create_space("salle", "Salle", "", 1).await.unwrap();
    let room = store
        .create_room(&parvis_store::NewRoom {
            space_id: space,
            topic_id: None,
            session_id: None,
            title: "R".into(),
            anonymous_questions: false,
            approval_required: false,
            budget_permille: 1500,
            created_by: None,
            created_at: 1,
        })
        .await
        .unwrap();
    let config = LiveConfig {
        client_queue: 4,
        tick: Duration::from_millis(5),
    };
    let hub = LiveHub::new(store.clone(), Arc::new(LocalBroker), config);
    let slow = hub.join(room, Audience::Participant, "lent").await.unwrap();
    let mut fast = hub.join(room, Audience::Participant, "vif").await.unwrap();
    let who = Actor {
        key: "m:1".into(),
        name: "M".into(),
        moderator: true,
    };
    let mut last = String::new();
    for i in 0..30 {
        let ask = Command::Ask {
            text: format!("q{i}"),
            anonymous: false,
        };
        hub.command(room, who.clone(), ask).await.unwrap();
        tokio::time::sleep(Duration::from_millis(15)).await;
        while let Ok(m) = fast.updates.try_recv() {
            last = String::from_utf8_lossy(&m).into_owned();
        }
    }
    assert!(last.contains("\"seq\":30"), "the reader kept up: {last}");
    // The one that never read got at most its queue's worth, then was let go.
    let mut slow_rx = slow.updates;
    let mut got = 0;
    while tokio::time::timeout(Duration::from_secs(1), slow_rx.recv())
        .await
        .unwrap()
        .is_some()
    {
        got += 1;
    }
    assert!(got <= 4, "{got}");
    // Everything acknowledged is in the store, in order.
    let events = store.room_events(room, 0).await.unwrap();
    assert_eq!(events.len(), 30);
    assert!(
        events
            .iter()
            .enumerate()
            .all(|(i, e)| e.seq == i as i64 + 1)
    );
}
