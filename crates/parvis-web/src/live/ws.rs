//! The room's WebSocket: a snapshot, then deltas; commands in, acks or errors out.
//! Protocol in `docs/LIVE.md`.
//!
//! Memory per idle socket is kept small on purpose (thousands per room): a 4 KiB read
//! buffer instead of tungstenite's 128 KiB, no write buffering (each message goes out as it
//! is written), and messages and frames capped at 16 KB (the default is 64 MiB): a bigger or
//! malformed message closes that socket, with a close reason, and nothing else.

use super::{live_problem, room_actor, room_gate, room_id};
use crate::error::ApiError;
use crate::{AppState, Ctx};
use axum::extract::ws::{CloseFrame, Message, Utf8Bytes, WebSocket, WebSocketUpgrade, close_code};
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use futures_util::{SinkExt, StreamExt};
use parvis_domain::RoomId;
use parvis_live::view::Audience;
use parvis_live::{Actor, Command};
use parvis_services::live::LiveHub;
use serde::Deserialize;
use serde_json::json;
use tokio::sync::mpsc;

/// Largest message (and frame) a client may send.
pub(crate) const MAX_MESSAGE: usize = 16 * 1024;

/// Commands a socket may send per second, sustained, and in one burst. A person voting,
/// asking and answering polls by hand stays far below; a script flooding the room's store
/// gets `rate_limited` answers (the socket stays open) instead of writes.
const COMMANDS_PER_SECOND: f64 = 10.0;
const COMMAND_BURST: f64 = 30.0;

/// A token bucket: `COMMAND_BURST` tokens, refilled at `COMMANDS_PER_SECOND`.
struct CommandBudget {
    tokens: f64,
    at: std::time::Instant,
}

impl CommandBudget {
    fn new() -> Self {
        CommandBudget {
            tokens: COMMAND_BURST,
            at: std::time::Instant::now(),
        }
    }

    /// Spend one token if there is one; otherwise how long until there is.
    fn spend(&mut self, now: std::time::Instant) -> Result<(), std::time::Duration> {
        let elapsed = now.saturating_duration_since(self.at).as_secs_f64();
        self.tokens = (self.tokens + elapsed * COMMANDS_PER_SECOND).min(COMMAND_BURST);
        self.at = now;
        if self.tokens >= 1.0 {
            self.tokens -= 1.0;
            Ok(())
        } else {
            let wait = (1.0 - self.tokens) / COMMANDS_PER_SECOND;
            Err(std::time::Duration::from_secs_f64(wait))
        }
    }
}

#[derive(Deserialize)]
pub(super) struct ViewQuery {
    /// `screen`: the big screen sees what participants see, whoever is signed in.
    view: Option<String>,
}

/// What a client sends: a command, with an optional id echoed in its ack or error.
#[derive(Deserialize)]
struct ClientMessage {
    #[serde(default)]
    id: Option<u64>,
    #[serde(flatten)]
    command: Command,
}

pub(super) async fn upgrade(
    State(st): State<AppState>,
    ctx: Ctx,
    headers: HeaderMap,
    Path(raw): Path<String>,
    Query(q): Query<ViewQuery>,
    up: WebSocketUpgrade,
) -> Response {
    // A cookie-authenticated socket opened by another site would act as the member.
    if !crate::context::origin_matches_host(&headers) {
        return ApiError::new(
            StatusCode::FORBIDDEN,
            "csrf",
            "Cross-site request refused",
            "the socket was opened from another site",
        )
        .into_response();
    }
    let id = match room_id(&raw) {
        Ok(id) => id,
        Err(e) => return ApiError::from(e).into_response(),
    };
    let room = match st.services.room(id).await {
        Ok(r) => r,
        Err(e) => return ApiError::from(e).into_response(),
    };
    if let Err(e) = room_gate(&st, &ctx, &headers, &room).await {
        return ApiError::from(e).into_response();
    }
    let actor = match room_actor(&st, &ctx, &headers, &room).await {
        Ok(a) => a,
        Err(e) => return ApiError::from(e).into_response(),
    };
    let audience = match (&actor, q.view.as_deref()) {
        (_, Some("screen")) => Audience::Participant,
        (Some(a), _) if a.moderator => Audience::Moderator,
        _ => Audience::Participant,
    };
    let hub = st.services.live().clone();
    let idle = st.config.live_idle_timeout;
    up.read_buffer_size(4 * 1024)
        .write_buffer_size(0)
        .max_write_buffer_size(1024 * 1024)
        .max_message_size(MAX_MESSAGE)
        .max_frame_size(MAX_MESSAGE)
        .on_upgrade(move |socket| run(socket, hub, id, actor, audience, idle))
}

fn close(code: u16, reason: &str) -> Message {
    // A close reason is at most 123 bytes.
    let mut end = reason.len().min(120);
    while !reason.is_char_boundary(end) {
        end -= 1;
    }
    Message::Close(Some(CloseFrame {
        code,
        reason: Utf8Bytes::from(&reason[..end]),
    }))
}

async fn run(
    socket: WebSocket,
    hub: LiveHub,
    id: RoomId,
    actor: Option<Actor>,
    audience: Audience,
    idle: std::time::Duration,
) {
    let (mut sink, mut stream) = socket.split();
    let me = actor.as_ref().map(|a| a.key.clone()).unwrap_or_default();
    let joined = match hub.join(id, audience, &me).await {
        Ok(j) => j,
        Err(e) => {
            let _ = sink.send(close(close_code::ERROR, &e.to_string())).await;
            return;
        }
    };
    if sink
        .send(Message::Text(joined.snapshot.into()))
        .await
        .is_err()
    {
        return;
    }
    let (out_tx, mut out_rx) = mpsc::channel::<Message>(8);
    let mut updates = joined.updates;
    let writer = tokio::spawn(async move {
        // Browsers answer pings by themselves: an open page always has something to say.
        let every = idle / 3;
        let mut ping = tokio::time::interval_at(tokio::time::Instant::now() + every, every);
        loop {
            let msg = tokio::select! {
                _ = ping.tick() => Message::Ping(Default::default()),
                u = updates.recv() => match u {
                    Some(bytes) => match Utf8Bytes::try_from(bytes) {
                        Ok(text) => Message::Text(text),
                        Err(_) => continue,
                    },
                    // The hub dropped us: our queue was full (we did not read fast enough).
                    None => close(close_code::POLICY, "too slow: updates were not read in time; reconnect"),
                },
                m = out_rx.recv() => match m {
                    Some(m) => m,
                    None => break,
                },
            };
            let last = matches!(msg, Message::Close(_));
            if sink.send(msg).await.is_err() || last {
                break;
            }
        }
    });
    let mut budget = CommandBudget::new();
    loop {
        let frame = match tokio::time::timeout(idle, stream.next()).await {
            Ok(Some(frame)) => frame,
            Ok(None) => break,
            Err(_) => {
                let reason = format!(
                    "no answer for {} s: connection closed; reconnect",
                    idle.as_secs()
                );
                let _ = out_tx.send(close(close_code::AWAY, &reason)).await;
                break;
            }
        };
        let reply = match frame {
            Ok(Message::Text(text)) => match serde_json::from_str::<ClientMessage>(text.as_str()) {
                Ok(m) => match budget.spend(std::time::Instant::now()) {
                    Ok(()) => Some(answer(&hub, id, actor.as_ref(), m).await),
                    Err(wait) => Some(
                        json!({"type": "error", "id": m.id, "code": "rate_limited",
                            "message": format!("too many commands: at most {COMMANDS_PER_SECOND} a second; try again in {} ms", wait.as_millis().max(1)),
                            "retry_after_ms": wait.as_millis().max(1) as u64, "field": null})
                        .to_string(),
                    ),
                },
                Err(e) => {
                    let _ = out_tx
                        .send(close(
                            close_code::INVALID,
                            &format!("malformed message: {e}"),
                        ))
                        .await;
                    break;
                }
            },
            Ok(Message::Binary(_)) => {
                let _ = out_tx
                    .send(close(
                        close_code::UNSUPPORTED,
                        "binary messages are not accepted; send JSON text",
                    ))
                    .await;
                break;
            }
            Ok(Message::Close(_)) => break,
            Ok(_) => None,
            Err(e) => {
                let text = e.to_string();
                let msg = if text.contains("too long") || text.contains("too big") {
                    close(close_code::SIZE, "message over 16 KB")
                } else {
                    close(close_code::PROTOCOL, &format!("bad frame: {text}"))
                };
                let _ = out_tx.send(msg).await;
                break;
            }
        };
        if let Some(r) = reply
            && out_tx.send(Message::Text(r.into())).await.is_err()
        {
            break;
        }
    }
    drop(out_tx);
    let _ = tokio::time::timeout(std::time::Duration::from_secs(2), writer).await;
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::{Duration, Instant};

    #[test]
    fn a_burst_then_the_sustained_rate() {
        let t0 = Instant::now();
        let mut b = CommandBudget::new();
        for i in 0..COMMAND_BURST as usize {
            assert!(b.spend(t0).is_ok(), "command {i} of the burst");
        }
        let wait = b.spend(t0).expect_err("the burst is spent");
        assert!(wait <= Duration::from_millis(100), "{wait:?}");
        // A tenth of a second later, one more command passes, and only one.
        let later = t0 + Duration::from_millis(100);
        assert!(b.spend(later).is_ok());
        assert!(b.spend(later).is_err());
        // After a long pause the bucket is full again, never more.
        let much_later = t0 + Duration::from_secs(60);
        for _ in 0..COMMAND_BURST as usize {
            assert!(b.spend(much_later).is_ok());
        }
        assert!(b.spend(much_later).is_err());
    }
}

/// Run one command and say how it went (an `ack` or an `error`, as JSON text).
async fn answer(hub: &LiveHub, id: RoomId, actor: Option<&Actor>, m: ClientMessage) -> String {
    let Some(actor) = actor else {
        return json!({"type": "error", "id": m.id, "code": "not_joined",
            "message": "give your name or sign in to take part"})
        .to_string();
    };
    match hub.command(id, actor.clone(), m.command).await {
        Ok(ack) => {
            let mut v = serde_json::to_value(&ack).unwrap_or_default();
            if let Some(o) = v.as_object_mut() {
                o.insert("type".into(), "ack".into());
                o.insert("id".into(), json!(m.id));
            }
            v.to_string()
        }
        Err(e) => {
            let p = live_problem(e);
            json!({"type": "error", "id": m.id, "code": p.code, "message": p.detail, "field": p.field})
                .to_string()
        }
    }
}
