//! The live rooms' questions waiting for approval, listed in the same moderation queue as
//! held widget posts (approving or hiding one goes through the room, like its console does).

use crate::{Actor, Result, Services};
use parvis_domain::*;
use parvis_live::Command;
use parvis_live::view::Audience;
use serde::Serialize;

/// A live room's question waiting for a moderator.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct HeldQuestion {
    pub room_id: i64,
    pub room_title: String,
    pub question: u64,
    pub text: String,
    pub asked_at: Millis,
}

impl Services {
    /// The questions waiting for approval in the space's rooms that require it (moderators).
    pub async fn held_live_questions(
        &self,
        actor: &Actor,
        space: &Space,
    ) -> Result<Vec<HeldQuestion>> {
        actor.require_moderator()?;
        let mut out = Vec::new();
        for room in self.store().rooms_of_space(space.id).await? {
            if !room.approval_required {
                continue;
            }
            let read = self.live().snapshot(
                room.id,
                Audience::Moderator,
                "",
                parvis_live::QuestionSort::default(),
            );
            let snapshot = match read.await {
                Ok(s) => s,
                Err(e) => {
                    // One room that does not answer leaves the rest of the queue readable.
                    tracing::warn!(room = room.id.0, error = %e, "room unreadable for the queue");
                    continue;
                }
            };
            let Ok(s) = serde_json::from_str::<serde_json::Value>(&snapshot) else {
                continue;
            };
            let mut waiting_here = Vec::new();
            for q in s["questions"].as_array().into_iter().flatten() {
                let waiting = q["approved"] == false
                    && q["hidden"] != true
                    && q["gone"] != true
                    && q["merged_into"].is_null();
                if waiting && let Some(id) = q["id"].as_u64() {
                    waiting_here.push(HeldQuestion {
                        room_id: room.id.0,
                        room_title: room.title.clone(),
                        question: id,
                        text: q["text"].as_str().unwrap_or_default().to_string(),
                        asked_at: q["asked_at"].as_i64().unwrap_or_default(),
                    });
                }
            }
            // The snapshot lists questions by votes: the queue lists the longest waiting first.
            waiting_here.sort_by_key(|h| (h.asked_at, h.question));
            out.extend(waiting_here);
        }
        Ok(out)
    }

    /// Approve (show to the room) or hide a waiting live question (moderators).
    pub async fn moderate_live_question(
        &self,
        actor: &Actor,
        space: &Space,
        room: RoomId,
        question: u64,
        approve: bool,
    ) -> Result<()> {
        actor.require_moderator()?;
        let row = self.room(room).await?;
        if row.space_id != space.id {
            return Err(crate::ServiceError::NotFound(format!("room {room}")));
        }
        let command = if approve {
            Command::Approve { question }
        } else {
            Command::Hide { question }
        };
        self.live()
            .command(room, crate::live::member_actor(&actor.member), command)
            .await?;
        Ok(())
    }
}
