//! Live rooms across several instances: Redis pub/sub carries "room R now has events up to
//! S" (`PUBLISH parvis:room:R S`); the events themselves are read from the shared store, which
//! stays the source of truth. A lost message only delays an update: the next command in that
//! room catches up from the store first, and a reconnected subscriber makes every open room
//! catch up.

use crate::live::{Broker, LiveHub};
use futures_util::StreamExt;
use parvis_domain::RoomId;
use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::mpsc;

const PREFIX: &str = "parvis:room:";

/// Publishes through Redis; [`RedisBroker::subscribe`] listens for the other instances.
pub struct RedisBroker {
    client: redis::Client,
    tx: mpsc::UnboundedSender<(RoomId, u64)>,
}

impl RedisBroker {
    /// Connect to `url` (`redis://127.0.0.1:6379`) and start publishing. Fails at once if
    /// Redis does not answer, so a mistyped URL is a start-up error, not a silent split.
    pub async fn connect(url: &str) -> Result<Arc<RedisBroker>, redis::RedisError> {
        let client = redis::Client::open(url)?;
        let mut conn = client.get_multiplexed_async_connection().await?;
        let _: String = redis::cmd("PING").query_async(&mut conn).await?;
        let (tx, mut rx) = mpsc::unbounded_channel::<(RoomId, u64)>();
        let publisher = client.clone();
        tokio::spawn(async move {
            let mut conn = Some(conn);
            while let Some(first) = rx.recv().await {
                // Coalesce: only the highest sequence number per room matters.
                let mut latest = BTreeMap::from([(first.0, first.1)]);
                while let Ok((room, seq)) = rx.try_recv() {
                    let e = latest.entry(room).or_insert(seq);
                    *e = (*e).max(seq);
                }
                if conn.is_none() {
                    conn = publisher.get_multiplexed_async_connection().await.ok();
                }
                let Some(c) = conn.as_mut() else {
                    tracing::warn!("redis unreachable; room updates wait for the next command");
                    continue;
                };
                for (room, seq) in latest {
                    let sent: redis::RedisResult<i64> = redis::cmd("PUBLISH")
                        .arg(format!("{PREFIX}{}", room.0))
                        .arg(seq)
                        .query_async(c)
                        .await;
                    if let Err(e) = sent {
                        tracing::warn!(error = %e, "redis publish failed");
                        conn = None;
                        break;
                    }
                }
            }
        });
        Ok(Arc::new(RedisBroker { client, tx }))
    }

    /// Listen for the other instances' events and hand them to `hub`, reconnecting forever.
    pub fn subscribe(&self, hub: LiveHub) -> tokio::task::JoinHandle<()> {
        let client = self.client.clone();
        tokio::spawn(async move {
            let mut first = true;
            loop {
                match client.get_async_pubsub().await {
                    Ok(mut pubsub) => match pubsub.psubscribe(format!("{PREFIX}*")).await {
                        Ok(()) => {
                            if !first {
                                // We may have missed messages while away.
                                hub.resync_all().await;
                            }
                            first = false;
                            let mut stream = pubsub.into_on_message();
                            while let Some(msg) = stream.next().await {
                                let room = msg
                                    .get_channel_name()
                                    .strip_prefix(PREFIX)
                                    .and_then(|r| r.parse::<i64>().ok());
                                let seq = msg.get_payload::<u64>().ok();
                                if let (Some(room), Some(seq)) = (room, seq) {
                                    hub.remote(RoomId(room), seq).await;
                                }
                            }
                            tracing::warn!("redis subscription ended; reconnecting");
                        }
                        Err(e) => tracing::warn!(error = %e, "redis psubscribe failed"),
                    },
                    Err(e) => tracing::warn!(error = %e, "redis unreachable"),
                }
                tokio::time::sleep(Duration::from_secs(1)).await;
            }
        })
    }
}

impl Broker for RedisBroker {
    fn publish(&self, room: RoomId, seq: u64) {
        let _ = self.tx.send((room, seq));
    }
    fn shared(&self) -> bool {
        true
    }
}
