//! Embeds: settings, counts that dedupe per visitor and day, clicks and idempotent
//! conversions, webhook queue.

use super::*;
use parvis_store::{EmbedSettings, NewClick, NewConversion};

#[tokio::test]
async fn embed_counts_clicks_conversions_and_webhooks() {
    on_both(|s| async move {
        let space = s.create_space("demo", "Démo", "", 1).await.unwrap();
        assert_eq!(s.embed_settings(space).await.unwrap(), None);
        let settings = EmbedSettings {
            space_id: space,
            origins: vec!["https://blog.example".into(), "http://127.0.0.1:9".into()],
            cta_label: "S'inscrire".into(),
            cta_url: "https://novea.example/inscription".into(),
            secret: "s1".into(),
            previous_secret: String::new(),
            updated_at: 5,
        };
        s.put_embed_settings(&settings).await.unwrap();
        assert_eq!(
            s.embed_settings(space).await.unwrap(),
            Some(settings.clone())
        );
        s.put_embed_settings(&EmbedSettings {
            origins: vec![],
            ..settings.clone()
        })
        .await
        .unwrap();
        assert!(
            s.embed_settings(space)
                .await
                .unwrap()
                .unwrap()
                .origins
                .is_empty()
        );
        s.put_embed_cta("thread/1", space, "Acheter", "https://x.example/a", 1)
            .await
            .unwrap();
        assert_eq!(
            s.embed_cta("thread/1").await.unwrap(),
            Some(("Acheter".into(), "https://x.example/a".into()))
        );
        s.put_embed_cta("thread/1", space, "", "", 2).await.unwrap();
        assert_eq!(s.embed_cta("thread/1").await.unwrap(), None);

        // A day's salt is kept; the day before yesterday's is gone.
        assert_eq!(s.embed_salt(10, "a").await.unwrap(), "a");
        assert_eq!(s.embed_salt(10, "b").await.unwrap(), "a");
        assert_eq!(s.embed_salt(12, "c").await.unwrap(), "c");
        assert_eq!(
            s.embed_salt(10, "d").await.unwrap(),
            "d",
            "day 10's salt was deleted"
        );

        // Views count once per visitor and day.
        let day = 20_000;
        let at = day * 86_400_000 + 5;
        assert!(
            s.record_embed_event(
                space,
                "thread/1",
                "https://blog.example/p",
                "view",
                "v1",
                day,
                at
            )
            .await
            .unwrap()
        );
        assert!(
            !s.record_embed_event(
                space,
                "thread/1",
                "https://blog.example/p",
                "view",
                "v1",
                day,
                at
            )
            .await
            .unwrap()
        );
        assert!(
            s.record_embed_event(
                space,
                "thread/1",
                "https://blog.example/p",
                "view",
                "v2",
                day,
                at
            )
            .await
            .unwrap()
        );
        assert!(
            s.record_embed_event(
                space,
                "thread/1",
                "https://blog.example/p",
                "view",
                "v1",
                day + 1,
                at + 86_400_000
            )
            .await
            .unwrap()
        );
        assert!(
            s.record_embed_event(
                space,
                "thread/1",
                "https://blog.example/p",
                "read",
                "v1",
                day,
                at
            )
            .await
            .unwrap()
        );
        let click = NewClick {
            click_id: "c1".into(),
            space_id: space,
            embed_key: "thread/1".into(),
            host: "https://blog.example/p".into(),
            visitor: "v1".into(),
            target_url: "https://novea.example/inscription?parvis_click=c1".into(),
            created_at: at,
        };
        assert!(s.record_click(&click).await.unwrap());
        assert!(
            !s.record_click(&click).await.unwrap(),
            "a click id counts once"
        );
        assert_eq!(s.click("c1").await.unwrap().unwrap().embed_key, "thread/1");
        assert!(s.click("nope").await.unwrap().is_none());
        let conv = NewConversion {
            space_id: space,
            click_id: "c1".into(),
            kind: "registration".into(),
            value_cents: 1250,
            transaction_id: "T-1".into(),
            source: "server".into(),
            created_at: at + 10,
        };
        assert!(s.record_conversion(&conv).await.unwrap());
        assert!(
            !s.record_conversion(&conv).await.unwrap(),
            "a transaction counts once"
        );
        let funnel = s.embed_funnel(space, day, day + 1).await.unwrap();
        assert_eq!(funnel.len(), 1);
        let f = &funnel[0];
        assert_eq!(
            (
                f.impressions,
                f.engagements,
                f.clicks,
                f.conversions,
                f.value_cents
            ),
            (3, 1, 1, 1, 1250)
        );
        assert_eq!(
            s.embed_funnel(space, day + 2, day + 3).await.unwrap(),
            vec![]
        );

        // Webhooks: queue, due, mark, replay.
        let ep = s
            .add_webhook_endpoint(
                space,
                "http://127.0.0.1:9/hook",
                "whsec",
                "message.created",
                1,
            )
            .await
            .unwrap();
        s.enqueue_delivery(ep, "evt_1", "message.created", "{}", 100)
            .await
            .unwrap();
        assert!(s.due_deliveries(99, 10).await.unwrap().is_empty());
        let due = s.due_deliveries(100, 10).await.unwrap();
        assert_eq!(due.len(), 1);
        s.mark_delivery(due[0].id, "failed", 8, 100, Some(500), "HTTP 500", None)
            .await
            .unwrap();
        assert!(s.due_deliveries(1_000, 10).await.unwrap().is_empty());
        assert!(s.replay_delivery(space, due[0].id, 2_000).await.unwrap());
        assert_eq!(s.due_deliveries(2_000, 10).await.unwrap().len(), 1);
        assert_eq!(
            s.webhook_deliveries(space, 10).await.unwrap()[0].last_status,
            Some(500)
        );
        assert!(s.rotate_webhook_secret(ep, "whsec2").await.unwrap());
        let e = s.webhook_endpoint(ep).await.unwrap().unwrap();
        assert_eq!(
            (e.secret.as_str(), e.previous_secret.as_str()),
            ("whsec2", "whsec")
        );
        assert!(s.delete_webhook_endpoint(ep).await.unwrap());
        assert!(s.webhook_endpoints(space).await.unwrap().is_empty());
    })
    .await;
}
