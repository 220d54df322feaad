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

mod actors;
mod hub;
mod room_task;
mod rooms;
#[cfg(test)]
mod tests;

pub use actors::{member_actor, visitor_actor};
pub use hub::LiveHub;
pub use room_task::room_settings;
pub use rooms::RoomForm;

use crate::{Result, ServiceError};
use parvis_domain::RoomId;
use parvis_live::view::Audience;
use parvis_live::{Actor, Command, QuestionSort, Refusal};
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
