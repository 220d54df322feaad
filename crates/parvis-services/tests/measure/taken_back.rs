//! A like taken back leaves the pyramid's reactors at the next incremental refresh.

use super::{World, count, on_both};
use parvis_domain::*;
use parvis_measure::pyramid::Level;
use parvis_services::Actor;
use parvis_services::measure::Dashboard;
use std::sync::Arc;

/// The next dashboard computed after `old` (the view serves `old` while it recomputes).
async fn next(w: &World, old: &Arc<Dashboard>) -> Arc<Dashboard> {
    w.s.measures(&w.admin, "forum").await.unwrap();
    for _ in 0..400 {
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
        let d = w.s.measures(&w.admin, "forum").await.unwrap();
        if !Arc::ptr_eq(&d, old) {
            return d;
        }
    }
    panic!("the dashboard was not recomputed");
}

fn levels(d: &Dashboard) -> Vec<(Level, u64)> {
    d.pyramid.iter().map(|c| (c.level, c.count)).collect()
}

/// Carol only liked a message: a reactor. She takes the like back (as the page, the API and
/// a widget do, through `react`); the next refresh, incremental, no longer counts her as a
/// reactor, and the pyramid is the one a rebuild from scratch gives.
#[tokio::test]
async fn a_like_taken_back_leaves_the_reactors_at_the_next_refresh() {
    on_both(|w| async move {
        let before = w.s.measures(&w.admin, "forum").await.unwrap();
        assert_eq!(count(&before, Level::Reactor), 1, "carol");
        let carol = Actor {
            member: w.store.member_by_handle("carol").await.unwrap().unwrap(),
        };
        w.s.react(&carol, w.first, ReactionKind::Like, false)
            .await
            .unwrap();
        let after = next(&w, &before).await;
        assert_eq!(count(&after, Level::Reactor), 0, "carol took her like back");
        // With nothing read either, she is no longer counted at any level (audience counts
        // the members who read): the pyramid loses exactly her.
        let total = |d: &Dashboard| d.pyramid.iter().map(|c| c.count).sum::<u64>();
        assert_eq!(total(&after), total(&before) - 1, "carol is not counted");
        assert_eq!(
            count(&after, Level::Audience),
            count(&before, Level::Audience)
        );
        let space = w.store.space_by_slug("forum").await.unwrap().unwrap();
        w.store.measure_reset(space.id.0).await.unwrap();
        w.store.bump_content_version().await.unwrap();
        let rebuilt = next(&w, &after).await;
        assert_eq!(levels(&rebuilt), levels(&after), "same as a rebuild");
    })
    .await;
}
