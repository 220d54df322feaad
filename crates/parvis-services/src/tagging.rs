//! Topic tags that stay true after the fact. Imports tag what they bring with the topics of
//! the moment; a topic declared later (the usual order: import first, organise afterwards)
//! must also find the conversations already there, or "Conversations by topic" stays empty.
//! So creating a topic tags the space's existing messages in the background (the command line
//! does it in the foreground, with a progress bar; a job in the store finishes the pass if the
//! server stops in the middle), `parvis topic retag` redoes it on demand,
//! and every new post is tagged as it is written.

use crate::{Result, Services};
use parvis_domain::{MessageId, Space, SpaceId, Topic, TopicId, now_millis};
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
/// The job that tags a space's existing messages with a new or changed topic.
pub const TOPIC_TAG: &str = "topic.tag";
/// How long the immediate pass has before its planned job would run it again.
const TAG_JOB_GRACE_MS: i64 = 60_000;

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

    /// [`tag_existing_messages`](Self::tag_existing_messages) for one new or changed topic,
    /// in the background: the page that created the topic answers at once, and the activity
    /// page fills as the pass goes. The pass is also planned in the job table a minute ahead
    /// and marked done when it finishes, so a server stopped in the middle tags them after its
    /// restart (the job worker runs it); running it twice only redoes the same tags.
    pub(crate) async fn tag_in_background(&self, space: &Space, topic: &Topic) -> Result<()> {
        let now = now_millis();
        let key = format!("{TOPIC_TAG}:{}:{now}", topic.id.0);
        let payload = serde_json::json!({ "space": space.id.0, "topic": topic.id.0 }).to_string();
        self.store()
            .enqueue_job(TOPIC_TAG, &key, &payload, now + TAG_JOB_GRACE_MS, now)
            .await?;
        let (services, space, topic_id, slug) =
            (self.clone(), space.clone(), topic.id, topic.slug.clone());
        tokio::spawn(async move {
            match services
                .tag_existing_messages(&space, Some(topic_id), |_| {})
                .await
            {
                Ok(s) => {
                    tracing::info!(
                        space = %space.slug, topic = %slug, messages = s.messages_read, tags = s.tags,
                        "existing messages tagged with the topic"
                    );
                    if let Err(e) = services.store().finish_job_by_key(&key, now_millis()).await {
                        tracing::warn!(error = %e, "tagging done but its job stays planned");
                    }
                }
                // The planned job runs it again.
                Err(e) => tracing::warn!(
                    space = %space.slug, topic = %slug, error = %e,
                    "tagging existing messages failed; it will be tried again"
                ),
            }
        });
        Ok(())
    }

    /// The job planned by [`tag_in_background`](Self::tag_in_background), when its immediate
    /// pass did not finish (the server stopped, or the pass failed).
    pub(crate) async fn run_topic_tag(&self, job: &parvis_store::Job) -> Result<(), String> {
        #[derive(serde::Deserialize)]
        struct P {
            space: i64,
            topic: i64,
        }
        let p: P = serde_json::from_str(&job.payload).map_err(|e| e.to_string())?;
        let Some(space) = self
            .store()
            .space_by_id(SpaceId(p.space))
            .await
            .map_err(|e| e.to_string())?
        else {
            return Ok(()); // deleted since
        };
        let s = self
            .tag_existing_messages(&space, Some(TopicId(p.topic)), |_| {})
            .await
            .map_err(|e| e.to_string())?;
        tracing::info!(space = %space.slug, topic = p.topic, tags = s.tags, "topic tagged by its job");
        Ok(())
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
