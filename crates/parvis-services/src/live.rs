//! The live hub: one task per open room, holding its state, writing every accepted event to
//! the store before acknowledging it, and fanning changes out to the room's clients.
//!
//! Design decisions:
//! - **One task per room, commands in batches.** The task drains the commands waiting for it,
//!   checks and applies them in order, then writes the whole batch in one transaction (a
//!   group commit) and only then acknowledges them. A failed write rebuilds the room from the
//!   store, so memory never keeps what the store does not hold.
//! - **Coalesced fan-out.** Changes are marked dirty; every 100 ms the task renders one delta
//!   per audience (participants, moderators), serialised once, and hands the same bytes to
//!   every client: no client gets more than 10 updates a second, and the cost of a change
//!   does not grow with the number of clients beyond a pointer copy each.
//! - **Bounded per-client queues.** A client whose queue is full (it stopped reading) is
//!   dropped at once; the others never wait for it.
//! - **Several instances** share the store: after writing, the task publishes the room's new
//!   sequence number through the [`Broker`]; the other instances read the events they lack
//!   from the store. Two instances writing the same sequence number conflict on the log's
//!   primary key; the loser rebuilds from the store and checks its batch again.

use crate::{Result, ServiceError};
use parvis_domain::{Member, RoomId, now_millis};
use parvis_live::order::order_questions;
use parvis_live::view::Audience;
use parvis_live::{Actor, Command, Event, QuestionSort, Refusal, Room, Settings, Touch};
use parvis_store::{RoomEventRow, RoomRow, Store, StoreError};
use std::collections::{BTreeSet, HashMap};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::{mpsc, oneshot};

/// Fans a room's new sequence numbers out to the other instances.
pub trait Broker: Send + Sync + 'static {
    /// Tell the other instances that `room` now has events up to `seq`.
    fn publish(&self, room: RoomId, seq: u64);
    /// Whether other instances may write to the same rooms (then each batch first catches up
    /// from the store, which makes conflicts rare).
    fn shared(&self) -> bool;
}

/// The single-instance broker: nobody else to tell.
pub struct LocalBroker;

impl Broker for LocalBroker {
    fn publish(&self, _room: RoomId, _seq: u64) {}
    fn shared(&self) -> bool {
        false
    }
}

/// Tuning of the hub.
#[derive(Debug, Clone)]
pub struct LiveConfig {
    /// Messages a client may have waiting before it is dropped.
    pub client_queue: usize,
    /// The coalescing period (100 ms = at most 10 updates a second per client).
    pub tick: Duration,
}

impl Default for LiveConfig {
    fn default() -> Self {
        LiveConfig {
            client_queue: 32,
            tick: Duration::from_millis(100),
        }
    }
}

/// Why a live action failed.
#[derive(Debug, thiserror::Error)]
pub enum LiveError {
    /// The room refused it (the person's mistake; the message says why).
    #[error("{0}")]
    Refused(#[from] Refusal),
    #[error("there is no room {0}")]
    NoSuchRoom(RoomId),
    /// The store failed; nothing was acknowledged.
    #[error("the room is unavailable: {0}")]
    Unavailable(String),
}

impl From<LiveError> for ServiceError {
    fn from(e: LiveError) -> Self {
        match e {
            LiveError::NoSuchRoom(id) => ServiceError::NotFound(format!("room {id}")),
            other => ServiceError::Forbidden(other.to_string()),
        }
    }
}

/// What an accepted command got.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct Ack {
    /// The event's sequence number; a delta with `seq` at least this reflects it.
    pub seq: u64,
    /// The question it created or changed, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub question: Option<u64>,
    /// The poll it created or changed, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub poll: Option<u64>,
    /// The moderators' note it took, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<u64>,
}

/// A client that joined: its snapshot (JSON) and its stream of deltas (JSON).
pub struct Joined {
    pub snapshot: String,
    pub updates: mpsc::Receiver<bytes::Bytes>,
}

/// Where a command's outcome goes: the caller waiting for its acknowledgement.
type Reply = oneshot::Sender<Result<Ack, LiveError>>;

enum Request {
    Command {
        actor: Actor,
        command: Command,
        reply: Reply,
    },
    Join {
        audience: Audience,
        me: String,
        reply: oneshot::Sender<Joined>,
    },
    Snapshot {
        audience: Audience,
        me: String,
        sort: QuestionSort,
        reply: oneshot::Sender<String>,
    },
    Remote(u64),
    /// Replay the log from the start (it was rewritten: an erasure).
    Rebuild,
}

/// The person behind a live action, from a signed-in member (moderators and admins moderate).
pub fn member_actor(m: &Member) -> Actor {
    Actor {
        key: format!("m:{}", m.id.0),
        name: m.display_name.clone(),
        moderator: m.site_role.can_moderate(),
    }
}

/// A registered visitor (a name given in the room and a random token kept in a cookie): the
/// key is derived from the token so the token itself never travels to other clients.
pub fn visitor_actor(token: &str, name: &str) -> Actor {
    use sha2::Digest;
    let digest = sha2::Sha256::digest(token.as_bytes());
    Actor {
        key: format!("v:{}", &hex::encode(digest)[..16]),
        name: name.to_string(),
        moderator: false,
    }
}

/// Owns the open rooms. Cheap to clone.
#[derive(Clone)]
pub struct LiveHub {
    inner: Arc<HubInner>,
}

struct HubInner {
    store: Store,
    broker: Arc<dyn Broker>,
    config: LiveConfig,
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

    fn lock_rooms(&self) -> std::sync::MutexGuard<'_, HashMap<RoomId, mpsc::Sender<Request>>> {
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

fn unavailable(e: StoreError) -> LiveError {
    LiveError::Unavailable(e.to_string())
}

/// Settings from the room's row.
pub fn room_settings(row: &RoomRow) -> Settings {
    Settings {
        anonymous_questions: row.anonymous_questions,
        approval_required: row.approval_required,
        budget_factor: row.budget_permille as f64 / 1000.0,
    }
}

struct Subscriber {
    audience: Audience,
    tx: mpsc::Sender<bytes::Bytes>,
}

struct RoomTask {
    hub: LiveHub,
    id: RoomId,
    settings: Settings,
    room: Room,
    subs: Vec<Subscriber>,
    dirty: BTreeSet<Touch>,
}

impl RoomTask {
    async fn load(hub: LiveHub, id: RoomId) -> Result<RoomTask, LiveError> {
        let row = hub
            .inner
            .store
            .room(id)
            .await
            .map_err(unavailable)?
            .ok_or(LiveError::NoSuchRoom(id))?;
        let settings = room_settings(&row);
        let mut task = RoomTask {
            hub,
            id,
            room: Room::new(settings.clone()),
            settings,
            subs: Vec::new(),
            dirty: BTreeSet::new(),
        };
        task.catch_up().await?;
        tracing::info!(room = id.0, seq = task.room.seq(), "live room opened");
        Ok(task)
    }

    /// Apply the stored events this room has not seen yet.
    async fn catch_up(&mut self) -> Result<(), LiveError> {
        let rows = self
            .hub
            .inner
            .store
            .room_events(self.id, self.room.seq() as i64)
            .await
            .map_err(unavailable)?;
        for row in rows {
            match serde_json::from_str::<Event>(&row.body) {
                Ok(e) => self.dirty.extend(self.room.apply(&e)),
                Err(err) => {
                    // An event this binary cannot read (written by a newer Parvis): skip it
                    // rather than refuse the whole room.
                    tracing::error!(room = self.id.0, seq = row.seq, error = %err, "unreadable room event skipped");
                }
            }
        }
        Ok(())
    }

    /// Forget the in-memory state and replay the log (after a failed or conflicting write).
    async fn rebuild(&mut self) -> Result<(), LiveError> {
        self.room = Room::new(self.settings.clone());
        self.catch_up().await?;
        // Every client may hold state the store refused: send everything again.
        self.dirty.extend(self.room.touch_all());
        Ok(())
    }

    async fn run(mut self, mut rx: mpsc::Receiver<Request>) {
        let mut tick = tokio::time::interval(self.hub.inner.config.tick);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                req = rx.recv() => {
                    let Some(first) = req else { break };
                    let mut batch = vec![first];
                    while batch.len() < 512 {
                        match rx.try_recv() {
                            Ok(r) => batch.push(r),
                            Err(_) => break,
                        }
                    }
                    if let Err(e) = self.process(batch).await {
                        tracing::error!(room = self.id.0, error = %e, "live room stopped");
                        break;
                    }
                }
                _ = tick.tick() => self.flush(),
            }
        }
        self.hub.lock_rooms().remove(&self.id);
    }

    async fn process(&mut self, batch: Vec<Request>) -> Result<(), LiveError> {
        let mut commands = Vec::new();
        let mut later = Vec::new();
        for req in batch {
            match req {
                Request::Command {
                    actor,
                    command,
                    reply,
                } => commands.push((actor, command, reply)),
                Request::Remote(seq) => {
                    if seq > self.room.seq() {
                        self.catch_up().await?;
                    }
                }
                Request::Rebuild => self.rebuild().await?,
                other => later.push(other),
            }
        }
        let shared = self.hub.inner.broker.shared();
        if !commands.is_empty() {
            if shared {
                self.catch_up().await?;
            }
            self.commit(commands).await?;
        } else if shared && !later.is_empty() {
            // A broker message can be lost (the instance that wrote was killed between its
            // acknowledgement and its publish, or Redis lagged): whoever joins or reads here
            // first gets what the store holds, one read per batch of joins.
            self.catch_up().await?;
        }
        // Joins after the write: a snapshot never shows what the store does not hold.
        let now = now_millis();
        for req in later {
            match req {
                Request::Join {
                    audience,
                    me,
                    reply,
                } => {
                    let snapshot = self.snapshot_json(audience, &me, now, QuestionSort::default());
                    let (tx, updates) = mpsc::channel(self.hub.inner.config.client_queue);
                    if reply.send(Joined { snapshot, updates }).is_ok() {
                        self.subs.push(Subscriber { audience, tx });
                    }
                }
                Request::Snapshot {
                    audience,
                    me,
                    sort,
                    reply,
                } => {
                    let _ = reply.send(self.snapshot_json(audience, &me, now, sort));
                }
                Request::Command { .. } | Request::Remote(_) | Request::Rebuild => {}
            }
        }
        Ok(())
    }

    /// Check, apply, store, then acknowledge a batch of commands.
    async fn commit(
        &mut self,
        mut commands: Vec<(Actor, Command, Reply)>,
    ) -> Result<(), LiveError> {
        // With other instances writing the same room, keep the state as it was before this
        // batch: on a conflict it is restored and caught up from the store (a few events),
        // instead of replaying the whole log. Alone, a conflict cannot happen; no copy.
        let shared = self.hub.inner.broker.shared();
        // Two instances that lose a race catch up and try again at once, so they tend to
        // collide again: after a conflict each waits a random few milliseconds (the range
        // doubling per attempt, up to 32 ms) so that one of them gets through.
        const ATTEMPTS: usize = 12;
        for attempt in 0..ATTEMPTS {
            let before = shared.then(|| self.room.clone());
            let now = now_millis();
            let mut accepted = Vec::new();
            let mut rows = Vec::new();
            for (actor, command, reply) in commands.drain(..) {
                match self.room.handle(&actor, command.clone(), now) {
                    Ok((event, touched)) => {
                        rows.push(RoomEventRow {
                            seq: event.seq as i64,
                            at: event.at,
                            actor_key: event.actor.key.clone(),
                            action: event.command.name().to_string(),
                            body: serde_json::to_string(&event).unwrap_or_default(),
                        });
                        accepted.push((actor, command, reply, event.seq, touched));
                    }
                    Err(refusal) => {
                        let _ = reply.send(Err(LiveError::Refused(refusal)));
                    }
                }
            }
            if accepted.is_empty() {
                return Ok(());
            }
            match self
                .hub
                .inner
                .store
                .append_room_events(self.id, &rows)
                .await
            {
                Ok(()) => {
                    for (_, _, reply, seq, touched) in accepted {
                        let ack = Ack {
                            seq,
                            question: touched.iter().rev().find_map(|t| match t {
                                Touch::Question(q) => Some(*q),
                                _ => None,
                            }),
                            poll: touched.iter().find_map(|t| match t {
                                Touch::Poll(p) => Some(*p),
                                _ => None,
                            }),
                            note: touched.iter().find_map(|t| match t {
                                Touch::Note(n) => Some(*n),
                                _ => None,
                            }),
                        };
                        self.dirty.extend(touched);
                        let _ = reply.send(Ok(ack));
                    }
                    self.hub.inner.broker.publish(self.id, self.room.seq());
                    return Ok(());
                }
                Err(StoreError::Conflict { .. }) if attempt + 1 < ATTEMPTS => {
                    tracing::debug!(room = self.id.0, attempt, "room log conflict, catching up");
                    let range = 1u64 << attempt.min(5);
                    let wait = rand::Rng::gen_range(&mut rand::thread_rng(), 0..=range);
                    tokio::time::sleep(std::time::Duration::from_millis(wait)).await;
                    match before {
                        Some(room) => {
                            self.room = room;
                            self.catch_up().await?;
                        }
                        None => self.rebuild().await?,
                    }
                    commands = accepted
                        .into_iter()
                        .map(|(a, c, r, _, _)| (a, c, r))
                        .collect();
                }
                Err(e) => {
                    let msg = e.to_string();
                    for (_, _, reply, _, _) in accepted {
                        let _ = reply.send(Err(LiveError::Unavailable(msg.clone())));
                    }
                    self.rebuild().await?;
                    return Ok(());
                }
            }
        }
        Ok(())
    }

    fn snapshot_json(&self, audience: Audience, me: &str, now: i64, sort: QuestionSort) -> String {
        let mut snapshot = self.room.snapshot(audience, me, now);
        if sort != QuestionSort::default() {
            order_questions(&mut snapshot.questions, sort);
        }
        let mut v = serde_json::to_value(snapshot).unwrap_or_default();
        if let Some(o) = v.as_object_mut() {
            o.insert("type".into(), "snapshot".into());
        }
        v.to_string()
    }

    /// Send what changed since the last tick, once per audience, to every client.
    fn flush(&mut self) {
        if self.dirty.is_empty() {
            return;
        }
        let now = now_millis();
        let mut rendered: [Option<bytes::Bytes>; 2] = [None, None];
        let dirty = std::mem::take(&mut self.dirty);
        let room = &self.room;
        self.subs.retain(|s| {
            let slot = &mut rendered[usize::from(s.audience == Audience::Moderator)];
            let msg = slot
                .get_or_insert_with(|| {
                    let mut v = serde_json::to_value(room.delta(&dirty, s.audience, now))
                        .unwrap_or_default();
                    if let Some(o) = v.as_object_mut() {
                        o.insert("type".into(), "delta".into());
                    }
                    bytes::Bytes::from(v.to_string())
                })
                .clone();
            match s.tx.try_send(msg) {
                Ok(()) => true,
                Err(mpsc::error::TrySendError::Full(_)) => {
                    tracing::info!(room = room.seq(), "live client too slow, dropped");
                    false
                }
                Err(mpsc::error::TrySendError::Closed(_)) => false,
            }
        });
    }
}

/// A room to open, as the moderator fills it in.
#[derive(Debug, Clone, serde::Deserialize, utoipa::ToSchema)]
pub struct RoomForm {
    /// The room's title (1–200 characters).
    pub title: String,
    /// The topic (in the space) the debate is about.
    pub topic_id: Option<i64>,
    #[serde(default)]
    pub anonymous_questions: bool,
    #[serde(default)]
    pub approval_required: bool,
    /// Fairness budget factor (default 1.5; 1–10).
    #[serde(default)]
    pub budget_factor: Option<f64>,
}

impl crate::Services {
    /// The live hub.
    pub fn live(&self) -> &LiveHub {
        &self.inner.live
    }

    /// Open a room in `space` (moderators only).
    pub async fn create_room(
        &self,
        actor: &crate::Actor,
        space: &str,
        form: &RoomForm,
    ) -> Result<RoomRow> {
        use parvis_domain::{Rule, ValidationError};
        actor.require_moderator()?;
        let space = self.space(space).await?;
        let title = parvis_domain::required_text("title", &form.title, 200)?;
        let factor = form.budget_factor.unwrap_or(1.5);
        if !(factor.is_finite() && (1.0..=10.0).contains(&factor)) {
            return Err(ValidationError::broke(
                "budget_factor",
                Rule::Other,
                "the budget factor must be between 1 and 10",
            )
            .into());
        }
        let topic_id = match form.topic_id {
            Some(t) => {
                let topics = self.inner.store.list_topics(space.id).await?;
                if !topics.iter().any(|x| x.id.0 == t) {
                    return Err(ValidationError::broke(
                        "topic_id",
                        Rule::Choice,
                        "no such topic in this space",
                    )
                    .into());
                }
                Some(parvis_domain::TopicId(t))
            }
            None => None,
        };
        let id = self
            .inner
            .store
            .create_room(&parvis_store::NewRoom {
                space_id: space.id,
                topic_id,
                session_id: None,
                title,
                anonymous_questions: form.anonymous_questions,
                approval_required: form.approval_required,
                budget_permille: (factor * 1000.0).round() as i64,
                created_by: Some(actor.member.id),
                created_at: now_millis(),
            })
            .await?;
        self.room(id).await
    }

    /// A room by id.
    pub async fn room(&self, id: RoomId) -> Result<RoomRow> {
        self.inner
            .store
            .room(id)
            .await?
            .ok_or_else(|| ServiceError::NotFound(format!("room {id}")))
    }

    /// The rooms of a space, newest first.
    pub async fn rooms_of_space(&self, space: &str) -> Result<Vec<RoomRow>> {
        let space = self.space(space).await?;
        Ok(self.inner.store.rooms_of_space(space.id).await?)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

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
}
