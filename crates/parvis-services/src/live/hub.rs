//! The [`LiveHub`]: the map of open rooms, and sending each request to its room's task
//! (starting the task on first use).

use super::room_task::RoomTask;
use super::{Ack, Broker, Joined, LiveConfig, LiveError, Request};
use parvis_domain::RoomId;
use parvis_live::view::Audience;
use parvis_live::{Actor, Command, QuestionSort};
use parvis_store::Store;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use tokio::sync::{mpsc, oneshot};

/// Owns the open rooms. Cheap to clone.
#[derive(Clone)]
pub struct LiveHub {
    pub(super) inner: Arc<HubInner>,
}

pub(super) struct HubInner {
    pub(super) store: Store,
    pub(super) broker: Arc<dyn Broker>,
    pub(super) config: LiveConfig,
    rooms: Mutex<HashMap<RoomId, mpsc::Sender<Request>>>,
}

impl LiveHub {
    /// A hub over `store`, telling other instances through `broker`.
    pub fn new(store: Store, broker: Arc<dyn Broker>, config: LiveConfig) -> LiveHub {
        LiveHub {
            inner: Arc::new(HubInner {
                store,
                broker,
                config,
                rooms: Mutex::new(HashMap::new()),
            }),
        }
    }

    /// Run `command` from `actor` in `room`; answers once the event is in the store.
    pub async fn command(
        &self,
        room: RoomId,
        actor: Actor,
        command: Command,
    ) -> Result<Ack, LiveError> {
        let (reply, rx) = oneshot::channel();
        self.send(
            room,
            Request::Command {
                actor,
                command,
                reply,
            },
        )
        .await?;
        rx.await.map_err(|_| closed())?
    }

    /// Join `room`: a snapshot now, then deltas.
    pub async fn join(
        &self,
        room: RoomId,
        audience: Audience,
        me: &str,
    ) -> Result<Joined, LiveError> {
        let (reply, rx) = oneshot::channel();
        self.send(
            room,
            Request::Join {
                audience,
                me: me.to_string(),
                reply,
            },
        )
        .await?;
        rx.await.map_err(|_| closed())
    }

    /// The room's state as JSON for one person (the API's read), its questions in `sort`'s
    /// order (pinned first either way).
    pub async fn snapshot(
        &self,
        room: RoomId,
        audience: Audience,
        me: &str,
        sort: QuestionSort,
    ) -> Result<String, LiveError> {
        let (reply, rx) = oneshot::channel();
        self.send(
            room,
            Request::Snapshot {
                audience,
                me: me.to_string(),
                sort,
                reply,
            },
        )
        .await?;
        rx.await.map_err(|_| closed())
    }

    /// Another instance wrote events up to `seq` in `room` (from the broker).
    pub async fn remote(&self, room: RoomId, seq: u64) {
        let open = self.lock_rooms().get(&room).cloned();
        if let Some(tx) = open {
            let _ = tx.send(Request::Remote(seq)).await;
        }
    }

    /// Make every open room replay its log from the start (after an erasure rewrote it).
    pub async fn rebuild_all(&self) {
        let open: Vec<_> = self.lock_rooms().values().cloned().collect();
        for tx in open {
            let _ = tx.send(Request::Rebuild).await;
        }
    }

    /// Make every open room catch up from the store (after missing broker messages).
    pub async fn resync_all(&self) {
        let open: Vec<_> = self.lock_rooms().values().cloned().collect();
        for tx in open {
            let _ = tx.send(Request::Remote(u64::MAX)).await;
        }
    }

    pub(super) fn lock_rooms(
        &self,
    ) -> std::sync::MutexGuard<'_, HashMap<RoomId, mpsc::Sender<Request>>> {
        // A panic while holding this lock cannot leave the map half-updated (one insert or
        // remove), so a poisoned lock is still usable.
        self.inner.rooms.lock().unwrap_or_else(|p| p.into_inner())
    }

    async fn send(&self, room: RoomId, req: Request) -> Result<(), LiveError> {
        let mut req = req;
        // Twice at most: a room task that ended (store failure) is started again once.
        for _ in 0..2 {
            let open = self.lock_rooms().get(&room).cloned();
            let tx = match open {
                Some(tx) => tx,
                None => self.start(room).await?,
            };
            match tx.send(req).await {
                Ok(()) => return Ok(()),
                Err(mpsc::error::SendError(back)) => {
                    self.lock_rooms().remove(&room);
                    req = back;
                }
            }
        }
        Err(closed())
    }

    async fn start(&self, id: RoomId) -> Result<mpsc::Sender<Request>, LiveError> {
        let task = RoomTask::load(self.clone(), id).await?;
        let mut rooms = self.lock_rooms();
        // Another request may have started it while we were loading.
        if let Some(tx) = rooms.get(&id) {
            return Ok(tx.clone());
        }
        let (tx, rx) = mpsc::channel(4096);
        rooms.insert(id, tx.clone());
        drop(rooms);
        tokio::spawn(task.run(rx));
        Ok(tx)
    }
}

fn closed() -> LiveError {
    LiveError::Unavailable("the room stopped".into())
}
