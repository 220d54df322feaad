//! Topic tags that stay true after the fact. Imports tag what they bring with the topics of
//! the moment; a topic declared later (the usual order: import first, organise afterwards)
//! must also find the conversations already there, or "Conversations by topic" stays empty.
//! So creating a topic tags the space's existing messages in the background (the command line
//! does it in the foreground, with a progress bar), `parvis topic retag` redoes it on demand,
//! and every new post is tagged as it is written.

use crate::{Result, Services};
use parvis_domain::{MessageId, Space, SpaceId, Topic, TopicId};
use parvis_import::topics::{Topic as Keywords, TopicMatcher};

/// Messages read per round trip when tagging a whole space.
const TAGGING_BATCH: i64 = 2_000;

/// What a tagging pass did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct TaggingSummary {
    /// Messages of the space read.
    pub messages_read: u64,
    /// (message, topic) tags the pass wrote.
    pub tags: u64,
}

/// The matcher of `topics`' keywords, with our topic ids as its ids.
fn matcher(topics: &[Topic]) -> TopicMatcher {
    let keywords: Vec<Keywords> = topics
        .iter()
        .map(|t| Keywords {
            id: t.id.0.to_string(),
            keywords: t.keywords.clone(),
        })
        .collect();
    TopicMatcher::new(&keywords)
}

/// The topics a message touches: its thread's own topic (when it is one of `topics`) and every
/// topic whose keywords it mentions, title included.
fn topics_of(
    matcher: &TopicMatcher,
    topics: &[Topic],
    thread_topic: Option<TopicId>,
    title: &str,
    body: &str,
) -> Vec<TopicId> {
    let mut out: Vec<TopicId> = matcher
        .matching(&[title, body])
        .into_iter()
        .filter_map(|id| id.parse().ok().map(TopicId))
        .collect();
    if let Some(t) = thread_topic
        && topics.iter().any(|x| x.id == t)
        && !out.contains(&t)
    {
        out.push(t);
    }
    out
}

impl Services {
    /// Tags the space's existing messages with `only` (or with every topic of the space),
    /// replacing what those topics had: run after a topic is created or its keywords change.
    /// `progress` receives the number of messages read so far.
    pub async fn tag_existing_messages(
        &self,
        space: &Space,
        only: Option<TopicId>,
        mut progress: impl FnMut(u64),
    ) -> Result<TaggingSummary> {
        let topics: Vec<Topic> = self
            .topics(space)
            .await?
            .into_iter()
            .filter(|t| only.is_none_or(|id| t.id == id))
            .collect();
        let mut summary = TaggingSummary::default();
        if topics.is_empty() {
            return Ok(summary);
        }
        for t in &topics {
            self.store().untag_topic(t.id).await?;
        }
        let matcher = matcher(&topics);
        let mut after = MessageId(0);
        loop {
            let batch = self
                .store()
                .messages_to_tag(space.id, after, TAGGING_BATCH)
                .await?;
            let Some(last) = batch.last() else { break };
            after = last.id;
            let mut pairs = Vec::new();
            for m in &batch {
                for t in topics_of(&matcher, &topics, m.thread_topic, &m.title, &m.body_md) {
                    pairs.push((m.id, t));
                }
            }
            summary.messages_read += batch.len() as u64;
            summary.tags += self.store().tag_messages(&pairs).await?;
            progress(summary.messages_read);
        }
        self.store().bump_content_version().await?;
        Ok(summary)
    }

    /// [`tag_existing_messages`](Self::tag_existing_messages) for one new topic, in the
    /// background: the page that created the topic answers at once, and the activity page
    /// fills as the pass goes. A failure is logged; `parvis topic retag` runs it again.
    pub(crate) fn tag_in_background(&self, space: &Space, topic: &Topic) {
        let (services, space, topic_id, slug) =
            (self.clone(), space.clone(), topic.id, topic.slug.clone());
        tokio::spawn(async move {
            match services
                .tag_existing_messages(&space, Some(topic_id), |_| {})
                .await
            {
                Ok(s) => tracing::info!(
                    space = %space.slug, topic = %slug, messages = s.messages_read, tags = s.tags,
                    "existing messages tagged with the new topic"
                ),
                Err(e) => tracing::warn!(
                    space = %space.slug, topic = %slug, error = %e,
                    "tagging existing messages failed; run `parvis topic retag`"
                ),
            }
        });
    }

    /// Tags one message as it is posted.
    pub(crate) async fn tag_new_message(
        &self,
        space: SpaceId,
        thread_topic: Option<TopicId>,
        message: MessageId,
        title: &str,
        body: &str,
    ) -> Result<()> {
        let topics = self.store().list_topics(space).await?;
        let found = topics_of(&matcher(&topics), &topics, thread_topic, title, body);
        let pairs: Vec<(MessageId, TopicId)> = found.into_iter().map(|t| (message, t)).collect();
        if !pairs.is_empty() {
            self.store().tag_messages(&pairs).await?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn topic(id: i64, keywords: &[&str]) -> Topic {
        Topic {
            id: TopicId(id),
            space_id: SpaceId(1),
            slug: format!("t{id}"),
            title: format!("T{id}"),
            description: String::new(),
            keywords: keywords.iter().map(|k| k.to_string()).collect(),
            thread_count: 0,
            archived_at: None,
        }
    }

    #[test]
    fn a_message_takes_its_threads_topic_and_the_topics_it_mentions() {
        let topics = vec![
            topic(1, &["salon", "événement"]),
            topic(2, &["recrutement"]),
        ];
        let m = matcher(&topics);
        assert_eq!(
            topics_of(&m, &topics, None, "Nos évènements", "rien d'autre"),
            vec![TopicId(1)]
        );
        assert_eq!(
            topics_of(&m, &topics, Some(TopicId(2)), "Bonjour", "un salon"),
            vec![TopicId(1), TopicId(2)]
        );
        // A thread topic that is not being tagged (another topic's pass) is left alone.
        assert_eq!(
            topics_of(&m, &topics[1..], Some(TopicId(1)), "x", "y"),
            Vec::<TopicId>::new()
        );
        assert!(topics_of(&m, &topics, None, "Météo", "il pleut").is_empty());
    }
}
