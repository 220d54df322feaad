//! One open room's task: loading and catching up from the store, checking and committing
//! batches of commands (group commit, retry on conflict), and the coalesced fan-out to clients.

use super::hub::LiveHub;
use super::{Ack, Joined, LiveError, Reply, Request};
use parvis_domain::{RoomId, now_millis};
use parvis_live::order::order_questions;
use parvis_live::view::Audience;
use parvis_live::{Actor, Command, Event, QuestionSort, Room, Settings, Touch};
use parvis_store::{RoomEventRow, RoomRow, StoreError};
use std::collections::BTreeSet;
use tokio::sync::mpsc;

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

pub(super) struct RoomTask {
    hub: LiveHub,
    id: RoomId,
    settings: Settings,
    room: Room,
    subs: Vec<Subscriber>,
    dirty: BTreeSet<Touch>,
}

impl RoomTask {
    pub(super) async fn load(hub: LiveHub, id: RoomId) -> Result<RoomTask, LiveError> {
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

    pub(super) async fn run(mut self, mut rx: mpsc::Receiver<Request>) {
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
