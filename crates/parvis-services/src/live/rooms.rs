//! Rooms as records: the form to open one, and the [`crate::Services`] methods that create,
//! fetch and list them (plus access to the hub).

use super::hub::LiveHub;
use crate::{Result, ServiceError};
use parvis_domain::{RoomId, now_millis};
use parvis_store::RoomRow;

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
