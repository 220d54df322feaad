//! Looking after spaces and topics once they exist (admins only): rename, archive, delete.
//!
//! Archiving is the reversible way out: an archived space leaves the home page, an archived
//! topic leaves the topic lists, and nothing new can be written in either, but every page
//! stays readable at its address. Deleting is for mistakes and tests: it takes everything
//! inside with it, so the web layer asks for the slug to be typed first.

use crate::{Actor, Result, ServiceError, Services};
use parvis_domain::*;
use serde::Serialize;

/// What deleting a space would take with it (shown before the admin confirms).
#[derive(Debug, Clone, Copy, Serialize)]
pub struct SpaceContents {
    pub topics: i64,
    pub threads: i64,
    pub messages: i64,
}

/// What deleting a topic would take with it.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct TopicContents {
    /// Threads that stay in the space, without a topic.
    pub threads: i64,
    /// Statements of its opinion map, deleted with their votes.
    pub statements: i64,
}

impl Services {
    /// Rename a space, change its description or its time zone (`None` keeps the zone; an
    /// unknown one is refused naming the `time_zone` field). Sessions and challenges already
    /// scheduled keep their own zone: their instants do not move.
    pub async fn update_space(
        &self,
        actor: &Actor,
        space: &Space,
        name: &str,
        description: &str,
        time_zone: Option<&str>,
    ) -> Result<Space> {
        actor.require_admin()?;
        let name = required_text("name", name, 120)?;
        let description = optional_text("description", description, 2000)?;
        let zone = match time_zone {
            Some(z) => crate::zones::parse_time_zone("time_zone", z)?,
            None => space.time_zone.clone(),
        };
        self.store()
            .update_space(space.id, &name, &description, &zone)
            .await?;
        self.space(&space.slug).await
    }

    /// Archive a space (`archived = true`) or bring it back.
    pub async fn archive_space(
        &self,
        actor: &Actor,
        space: &Space,
        archived: bool,
    ) -> Result<Space> {
        actor.require_admin()?;
        self.store()
            .set_space_archived(space.id, archived.then(now_millis))
            .await?;
        self.space(&space.slug).await
    }

    /// What deleting `space` would take with it.
    pub async fn space_contents(&self, space: &Space) -> Result<SpaceContents> {
        let (topics, threads, messages) = self.store().space_contents(space.id).await?;
        Ok(SpaceContents {
            topics,
            threads,
            messages,
        })
    }

    /// Delete a space and all it holds. `confirm` must be the space's slug, typed by the admin.
    pub async fn delete_space(&self, actor: &Actor, space: &Space, confirm: &str) -> Result<()> {
        actor.require_admin()?;
        if confirm.trim() != space.slug {
            return Err(ValidationError::broke(
                "confirm",
                Rule::Confirm,
                format!("type the space's URL name ({}) to delete it", space.slug),
            )
            .into());
        }
        let ids = self.store().space_message_ids(space.id).await?;
        self.store().delete_space(space.id).await?;
        // Ids can come back (SQLite reuses the highest freed id): the index must not keep
        // the deleted messages, or they would turn up in the next space's searches.
        if let Ok(index) = self.search_index_handle() {
            let removed = ids
                .iter()
                .try_for_each(|id| index.delete(*id))
                .and_then(|_| index.commit());
            if let Err(e) = removed {
                tracing::warn!(error = %e, "deleted space's messages stay in the search index");
            }
        }
        self.after_bulk_change().await
    }

    /// Change a topic's title, description and keywords (comma-separated or a list).
    pub async fn update_topic(
        &self,
        actor: &Actor,
        space: &Space,
        topic: &Topic,
        title: &str,
        description: &str,
        keywords: &[String],
    ) -> Result<Topic> {
        actor.require_admin()?;
        let title = required_text("title", title, 120)?;
        let description = optional_text("description", description, 2000)?;
        let keywords = clean_keywords(keywords);
        self.store()
            .update_topic(topic.id, &title, &description, &keywords)
            .await?;
        let updated = self.topic(space, &topic.slug).await?;
        // New keywords change which messages are about the topic: tag them again.
        if updated.keywords != topic.keywords {
            self.tag_in_background(space, &updated).await?;
        }
        Ok(updated)
    }

    /// Archive a topic or bring it back.
    pub async fn archive_topic(
        &self,
        actor: &Actor,
        space: &Space,
        topic: &Topic,
        archived: bool,
    ) -> Result<Topic> {
        actor.require_admin()?;
        self.store()
            .set_topic_archived(topic.id, archived.then(now_millis))
            .await?;
        self.topic(space, &topic.slug).await
    }

    /// What deleting `topic` would take with it.
    pub async fn topic_contents(&self, topic: &Topic) -> Result<TopicContents> {
        let (threads, statements) = self.store().topic_contents(topic.id).await?;
        Ok(TopicContents {
            threads,
            statements,
        })
    }

    /// Delete a topic (its threads stay, untagged). `confirm` must be the topic's slug.
    pub async fn delete_topic(&self, actor: &Actor, topic: &Topic, confirm: &str) -> Result<()> {
        actor.require_admin()?;
        if confirm.trim() != topic.slug {
            return Err(ValidationError::broke(
                "confirm",
                Rule::Confirm,
                format!("type the topic's URL name ({}) to delete it", topic.slug),
            )
            .into());
        }
        self.store().delete_topic(topic.id).await?;
        self.after_bulk_change().await
    }

    /// Refuse a write in an archived space or topic.
    pub(crate) fn check_writable(space: Option<&Space>, topic: Option<&Topic>) -> Result<()> {
        if space.is_some_and(|s| s.archived_at.is_some()) {
            return Err(ServiceError::Forbidden(
                "this space is archived: it can be read, not written to".into(),
            ));
        }
        if topic.is_some_and(|t| t.archived_at.is_some()) {
            return Err(ServiceError::Forbidden(
                "this topic is archived: it can be read, not written to".into(),
            ));
        }
        Ok(())
    }
}

/// Keywords as stored: trimmed, lower-case, no empty ones.
pub(crate) fn clean_keywords(keywords: &[String]) -> Vec<String> {
    keywords
        .iter()
        .flat_map(|k| k.split(','))
        .map(|k| k.trim().to_lowercase())
        .filter(|k| !k.is_empty())
        .collect()
}

/// A free-text field that may be empty, trimmed, at most `max` characters.
fn optional_text(field: &str, s: &str, max: usize) -> Result<String> {
    let t = s.trim();
    if t.chars().count() > max {
        return Err(ValidationError::broke(
            field,
            Rule::TooLong(max),
            format!("must be at most {max} characters"),
        )
        .into());
    }
    Ok(t.to_string())
}

impl Services {
    /// The roles table: members matched on name, handle, organisation or email (admins only,
    /// who may see emails).
    pub async fn admin_members(
        &self,
        actor: &Actor,
        query: Option<&str>,
        page: PageRequest,
    ) -> Result<Page<Member>> {
        actor.require_admin()?;
        Ok(self.store().list_members_for_admin(query, page).await?)
    }

    /// Where these members came from, for those a widget (`embed:<host>`) or a host site's
    /// single sign-on (`sso:<kid>`) created: admins see it beside each member.
    pub async fn member_origins(
        &self,
        actor: &Actor,
        members: &[MemberId],
    ) -> Result<Vec<(MemberId, String)>> {
        actor.require_admin()?;
        Ok(self.store().member_origins(members).await?)
    }
}
