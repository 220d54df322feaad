//! The records Parvis shows and serves. They are plain data: the store fills them, the web layer
//! serialises them (JSON API) or renders them (pages).

use crate::{
    ConsentKind, EcosystemRole, MemberId, MessageId, Millis, ReactionKind, SiteRole, SpaceId,
    ThreadId, TopicId,
};
use serde::Serialize;

/// One ecosystem: the organisation's forecourt.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Space {
    pub id: SpaceId,
    pub slug: String,
    pub name: String,
    pub description: String,
    pub created_at: Millis,
    /// When an admin archived it (hidden from the home page, read-only); absent while live.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub archived_at: Option<Millis>,
    /// Its IANA time zone (Europe/Paris unless an admin chose another): new sessions and
    /// challenge deadlines are entered and shown in it.
    #[schema(example = "Europe/Paris")]
    pub time_zone: String,
}

/// A subject the organisation wants discussed in a space.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Topic {
    pub id: TopicId,
    pub space_id: SpaceId,
    pub slug: String,
    pub title: String,
    pub description: String,
    /// Keywords (French or English) used to spot conversations about this topic.
    pub keywords: Vec<String>,
    pub thread_count: i64,
    /// When an admin archived it (hidden from topic lists, read-only); absent while live.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub archived_at: Option<Millis>,
}

/// A short view of a member, embedded in threads and messages.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct MemberRef {
    pub id: MemberId,
    pub handle: String,
    pub display_name: String,
    pub organisation: String,
    pub ecosystem_role: EcosystemRole,
}

/// A thread as listed in a space or topic.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ThreadSummary {
    pub id: ThreadId,
    pub space_id: SpaceId,
    pub topic_id: Option<TopicId>,
    pub topic_slug: Option<String>,
    pub title: String,
    pub author: MemberRef,
    pub created_at: Millis,
    pub last_activity_at: Millis,
    pub message_count: i64,
    /// Where the conversation happened (`parvis`, `email`, `rss`, …).
    pub channel: String,
}

/// One message of a thread (the opening post is the first message).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Message {
    pub id: MessageId,
    pub thread_id: ThreadId,
    pub parent_id: Option<MessageId>,
    /// Display name of the parent message's author ("in reply to Marie").
    pub parent_author: Option<String>,
    pub author: MemberRef,
    /// The Markdown as written.
    pub body_markdown: String,
    /// The Markdown rendered to sanitized HTML (safe to insert in a page).
    pub body_html: String,
    pub created_at: Millis,
    pub channel: String,
    pub source_url: Option<String>,
    pub reactions: Vec<ReactionCount>,
}

/// A [`Message`] borrowed from where it was read — a row of the store — for a writer that
/// sends it on at once (the thread page's JSON): copying each text into its own `String` only
/// to write it out and free it was a tenth of an uncached thread read (BENCHMARKS.md).
/// Serialises exactly as the `Message` it views (a test checks it).
#[derive(Debug, Clone, Copy, Serialize)]
pub struct MessageView<'a> {
    pub id: MessageId,
    pub thread_id: ThreadId,
    pub parent_id: Option<MessageId>,
    pub parent_author: Option<&'a str>,
    pub author: MemberRefView<'a>,
    pub body_markdown: &'a str,
    pub body_html: &'a str,
    pub created_at: Millis,
    pub channel: &'a str,
    pub source_url: Option<&'a str>,
    pub reactions: &'a [ReactionCount],
}

/// A [`MemberRef`] borrowed, as in a [`MessageView`].
#[derive(Debug, Clone, Copy, Serialize)]
pub struct MemberRefView<'a> {
    pub id: MemberId,
    pub handle: &'a str,
    pub display_name: &'a str,
    pub organisation: &'a str,
    pub ecosystem_role: EcosystemRole,
}

impl Message {
    /// This message, borrowed.
    pub fn view(&self) -> MessageView<'_> {
        MessageView {
            id: self.id,
            thread_id: self.thread_id,
            parent_id: self.parent_id,
            parent_author: self.parent_author.as_deref(),
            author: self.author.view(),
            body_markdown: &self.body_markdown,
            body_html: &self.body_html,
            created_at: self.created_at,
            channel: &self.channel,
            source_url: self.source_url.as_deref(),
            reactions: &self.reactions,
        }
    }
}

impl MessageView<'_> {
    /// The message, owned.
    pub fn to_message(&self) -> Message {
        Message {
            id: self.id,
            thread_id: self.thread_id,
            parent_id: self.parent_id,
            parent_author: self.parent_author.map(str::to_owned),
            author: self.author.to_member_ref(),
            body_markdown: self.body_markdown.to_owned(),
            body_html: self.body_html.to_owned(),
            created_at: self.created_at,
            channel: self.channel.to_owned(),
            source_url: self.source_url.map(str::to_owned),
            reactions: self.reactions.to_vec(),
        }
    }
}

impl MemberRef {
    /// This member reference, borrowed.
    pub fn view(&self) -> MemberRefView<'_> {
        MemberRefView {
            id: self.id,
            handle: &self.handle,
            display_name: &self.display_name,
            organisation: &self.organisation,
            ecosystem_role: self.ecosystem_role,
        }
    }
}

impl MemberRefView<'_> {
    /// The member reference, owned.
    pub fn to_member_ref(&self) -> MemberRef {
        MemberRef {
            id: self.id,
            handle: self.handle.to_owned(),
            display_name: self.display_name.to_owned(),
            organisation: self.organisation.to_owned(),
            ecosystem_role: self.ecosystem_role,
        }
    }
}

/// How many members left one kind of reaction on a message.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ReactionCount {
    pub kind: ReactionKind,
    pub count: i64,
}

/// An identity of a member on a channel (email, Mastodon handle, blog…).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Identity {
    pub network: String,
    pub handle: String,
    pub verified: bool,
}

/// An explicit consent, with the date it was given or withdrawn.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Consent {
    pub kind: ConsentKind,
    pub granted: bool,
    pub updated_at: Millis,
}

/// A member as shown on their profile.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Member {
    pub id: MemberId,
    pub handle: String,
    pub display_name: String,
    /// Only shown to the member themself and to admins.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    pub site_role: SiteRole,
    pub ecosystem_role: EcosystemRole,
    pub organisation: String,
    pub bio: String,
    pub lang: String,
    pub created_at: Millis,
    pub identities: Vec<Identity>,
    pub consents: Vec<Consent>,
    pub message_count: i64,
}

impl Member {
    /// The short view of this member.
    pub fn to_ref(&self) -> MemberRef {
        MemberRef {
            id: self.id,
            handle: self.handle.clone(),
            display_name: self.display_name.clone(),
            organisation: self.organisation.clone(),
            ecosystem_role: self.ecosystem_role,
        }
    }
}

/// One page of a list, with what is needed to ask for the next.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub page: u32,
    pub per_page: u32,
    pub total: i64,
}

impl<T> Page<T> {
    /// Whether a further page exists.
    pub fn has_next(&self) -> bool {
        (self.page as i64) * (self.per_page as i64) < self.total
    }
}

/// Which page of a list to read: 1-based page number and page size, clamped to sane bounds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageRequest {
    pub page: u32,
    pub per_page: u32,
}

impl Default for PageRequest {
    fn default() -> Self {
        PageRequest {
            page: 1,
            per_page: 20,
        }
    }
}

impl PageRequest {
    /// The largest page a client may ask for.
    pub const MAX_PER_PAGE: u32 = 200;

    /// Clamp a page request: page ≥ 1, 1 ≤ per_page ≤ 200.
    pub fn new(page: Option<u32>, per_page: Option<u32>, default_per_page: u32) -> Self {
        Self {
            page: page.unwrap_or(1).max(1),
            per_page: per_page
                .unwrap_or(default_per_page)
                .clamp(1, Self::MAX_PER_PAGE),
        }
    }

    /// Rows to skip.
    pub fn offset(&self) -> i64 {
        (self.page as i64 - 1) * self.per_page as i64
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn a_message_view_serialises_as_the_message_it_views() {
        for (parent, source) in [(None, None), (Some(3), Some("https://x.example/\"a\""))] {
            let message = Message {
                id: MessageId(4),
                thread_id: ThreadId(2),
                parent_id: parent.map(MessageId),
                parent_author: parent.map(|_| "Zoé \"Z\"".to_string()),
                author: MemberRef {
                    id: MemberId(9),
                    handle: "zoe".into(),
                    display_name: "Zoé Martin".into(),
                    organisation: "Acme\\Labs".into(),
                    ecosystem_role: EcosystemRole::Partner,
                },
                body_markdown: "**Bonjour**\n> cité".into(),
                body_html: "<p><strong>Bonjour</strong></p>".into(),
                created_at: 1_700_000_000_000,
                channel: "email".into(),
                source_url: source.map(str::to_owned),
                reactions: vec![ReactionCount {
                    kind: ReactionKind::Insightful,
                    count: 2,
                }],
            };
            let view = message.view();
            assert_eq!(
                serde_json::to_string(&view).unwrap(),
                serde_json::to_string(&message).unwrap()
            );
            assert_eq!(
                serde_json::to_string(&view.to_message()).unwrap(),
                serde_json::to_string(&message).unwrap()
            );
        }
    }
}
