//! "Pour vous": the feed of what matters to a member now, and their peers of the moment,
//! computed by `parvis-relevance` from the store's messages, reactions, reads and feedback.
//!
//! One engine per space lives in memory. `parvis serve` builds every space's engine in the
//! background as it starts ([`Services::spawn_feed_engines`]), so the first feed does not
//! wait for a build (a request that comes during the build waits for that build rather than
//! starting another). Each engine is then fed incrementally: messages above the last id it
//! saw (imports included), reactions and reads since its last refresh, and feedback as
//! members give it. A refresh happens at most every few seconds, so bursts of requests cost
//! one store round; the background task also refreshes every engine, so an import is
//! absorbed before anyone asks.

use crate::{Actor, Result, ServiceError, Services};
use parvis_domain::*;
use parvis_relevance as rel;
use serde::Serialize;
use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::Mutex;

const REFRESH_EVERY: Duration = Duration::from_secs(3);
/// New joins after which a space's scorer is fitted again to its history.
const REFIT_AFTER_JOINS: usize = 500;

pub(crate) struct SpaceEngine {
    pub(crate) engine: rel::Engine,
    /// The highest message id fed.
    pub(crate) last_message: i64,
    /// Reactions and reads before this time are in the engine.
    pub(crate) events_since: Millis,
    pub(crate) refreshed: Instant,
    /// `last_message` when the engine was last saved (`-1`: never), and when.
    pub(crate) saved_message: i64,
    pub(crate) saved: Instant,
    /// Read back from disk rather than built from the history.
    pub(crate) read_back: bool,
}

/// A space's engine, built once (concurrent callers wait for the same build).
type EngineCell = Arc<tokio::sync::OnceCell<Arc<Mutex<SpaceEngine>>>>;

#[derive(Default)]
pub(crate) struct FeedEngines {
    spaces: Mutex<HashMap<SpaceId, EngineCell>>,
    /// Where engines are saved (none: kept in memory only).
    pub(crate) dir: std::sync::RwLock<Option<std::path::PathBuf>>,
}

impl FeedEngines {
    /// Drops every engine: the next feed builds (or reads back) again. After an erasure, so
    /// that no engine keeps what the erased member wrote or did.
    pub(crate) async fn forget_all(&self) {
        self.spaces.lock().await.clear();
    }
}

pub(crate) fn feed_message(e: &mut rel::Engine, m: &parvis_store::MessageSignal) {
    let text = markdown::to_plain_text(&m.body_md);
    let topics: Vec<rel::TopicId> = m.topic_id.map(|t| rel::TopicId(t.0)).into_iter().collect();
    e.add_message(&rel::engine::MessageInput {
        thread: rel::ThreadId(m.thread_id.0),
        author: rel::MemberId(m.author_id.0),
        at: m.created_at,
        text: &text,
        title: Some(&m.title),
        topics: &topics,
        reply_to: m.parent_author.map(|a| rel::MemberId(a.0)),
        mentions: &[],
    });
}

pub(crate) fn feed_event(e: &mut rel::Engine, ev: &parvis_store::ThreadEvent) {
    let kind = if ev.kind == "read" {
        rel::engine::EventKind::Read
    } else {
        rel::engine::EventKind::Reacted
    };
    e.add_event(
        rel::MemberId(ev.member_id.0),
        rel::ThreadId(ev.thread_id.0),
        kind,
        ev.at,
    );
}

pub(crate) fn feedback_of(kind: &str, target: i64) -> Option<rel::engine::Feedback> {
    match kind {
        "mute_topic" => Some(rel::engine::Feedback::MuteTopic {
            topic: rel::TopicId(target),
        }),
        "not_interested" => Some(rel::engine::Feedback::NotInterested {
            thread: rel::ThreadId(target),
        }),
        _ => None,
    }
}

/// One reason, ready to be put in words by the page.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ReasonView {
    /// `replied_to`, `started`, `reacted_to`, `read`, `peers_active`, `topic`, `terms`,
    /// `trending`, `mentioned`, `starter`.
    pub kind: String,
    pub count: u32,
    /// Names of people or of a thread or topic, depending on the kind.
    pub names: Vec<String>,
}

/// One item of a member's feed.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct FeedEntry {
    pub thread: ThreadSummary,
    pub reasons: Vec<ReasonView>,
}

/// A member's feed in a space.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct FeedView {
    pub items: Vec<FeedEntry>,
    /// True for a member with no history yet: popular and fresh threads, and the page says so.
    pub starter: bool,
    /// When the ranking was learned from this space's history: from how many joins
    /// (`None`: the built-in formula, until the space has enough history).
    pub learned_from_joins: Option<usize>,
    /// Topics of this space the member muted, so the page can offer to show them again.
    pub muted_topics: Vec<MutedTopic>,
    /// "Challenges and testimonials for you": open challenges, job offers and published
    /// testimonials or interviews on the member's topics and interests. A block beside the
    /// thread list, not interleaved in it: the threads' ranking (and `eval_feed`'s measure of
    /// it) stays exactly as the engine gives it.
    pub content: Vec<crate::content_reach::ContentSuggestion>,
}

/// A topic a member muted in their feed.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct MutedTopic {
    pub id: i64,
    pub slug: String,
    pub title: String,
}

/// A thread whose last message is older than this is not called "fresh" on the page.
const FRESH_FOR: Millis = 14 * 24 * 3_600_000;

/// A peer with the subjects shared.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PeerView {
    pub member: MemberRef,
    pub closeness: f32,
    pub shared_subjects: Vec<String>,
}

impl Services {
    /// Builds every space's feed engine in the background, then keeps them current (new
    /// messages, imports, reactions and reads) every few seconds, so no member waits for a
    /// build or a long catch-up.
    pub fn spawn_feed_engines(&self, every: Duration) -> tokio::task::JoinHandle<()> {
        let me = self.clone();
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(every);
            loop {
                tick.tick().await;
                let spaces = match me.spaces().await {
                    Ok(s) => s,
                    Err(e) => {
                        tracing::warn!(error = %e, "feed engines: cannot list spaces");
                        continue;
                    }
                };
                for space in spaces {
                    let started = Instant::now();
                    let fresh = !me.inner.feeds.spaces.lock().await.contains_key(&space.id);
                    match me.space_engine(&space).await {
                        Ok(slot) => {
                            if fresh {
                                tracing::info!(
                                    space = %space.slug,
                                    seconds = started.elapsed().as_secs_f64(),
                                    "feed engine ready"
                                );
                            }
                            me.save_engine_when_due(space.id, slot).await;
                        }
                        Err(e) => {
                            tracing::warn!(space = %space.slug, error = %e, "feed engine not built")
                        }
                    }
                }
            }
        })
    }

    async fn build_engine(&self, space_id: SpaceId) -> Result<Arc<Mutex<SpaceEngine>>> {
        // What was saved before a restart, when it still matches the store; the first
        // refresh then feeds what arrived since.
        if let Some(saved) = self.read_saved_engine(space_id).await {
            return Ok(Arc::new(Mutex::new(saved)));
        }
        // Reactions and reads recorded while the engine builds are fetched at its first refresh.
        let events_since = now_millis();
        let mut messages = self.store().space_messages_since(space_id, 0).await?;
        // In time order, so the engine learns from each join as it was then.
        messages.sort_by_key(|m| (m.created_at, m.id));
        let events = self.store().space_events_since(space_id, 0).await?;
        let feedback = self.store().all_feedback().await?;
        let built = tokio::task::spawn_blocking(move || {
            let mut engine = rel::Engine::new(rel::Config::default());
            if let Some(m) = messages
                .len()
                .checked_sub(rel::engine::BUILD_SAMPLED_MESSAGES)
            {
                engine.sample_from(messages[m].created_at);
            }
            for m in &messages {
                feed_message(&mut engine, m);
            }
            for ev in &events {
                feed_event(&mut engine, ev);
            }
            for (member, kind, target) in &feedback {
                if let Some(f) = feedback_of(kind, *target) {
                    engine.add_feedback(rel::MemberId(member.0), f);
                }
            }
            // Weigh the signals as this space's members behave (kept as the
            // hand-made formula while the history is too short to learn from).
            if let Some(fit) = engine.learn() {
                tracing::info!(
                    space = space_id.0,
                    samples = fit.samples,
                    joins = fit.positives,
                    "feed scorer learned from the space's history"
                );
            }
            SpaceEngine {
                engine,
                last_message: messages.iter().map(|m| m.id).max().unwrap_or(0),
                events_since,
                refreshed: Instant::now(),
                saved_message: -1,
                saved: Instant::now(),
                read_back: false,
            }
        })
        .await
        .map_err(|e| ServiceError::Forbidden(e.to_string()))?;
        Ok(Arc::new(Mutex::new(built)))
    }

    pub(crate) async fn space_engine(&self, space: &Space) -> Result<Arc<Mutex<SpaceEngine>>> {
        let cell = self
            .inner
            .feeds
            .spaces
            .lock()
            .await
            .entry(space.id)
            .or_default()
            .clone();
        let slot = cell
            .get_or_try_init(|| self.build_engine(space.id))
            .await?
            .clone();
        {
            let mut s = slot.lock().await;
            if s.refreshed.elapsed() >= REFRESH_EVERY {
                let since = s.events_since;
                let now = now_millis();
                let messages = self
                    .store()
                    .space_messages_since(space.id, s.last_message)
                    .await?;
                let events = self.store().space_events_since(space.id, since).await?;
                for m in &messages {
                    feed_message(&mut s.engine, m);
                }
                for ev in &events {
                    feed_event(&mut s.engine, ev);
                }
                if let Some(m) = messages.iter().map(|m| m.id).max() {
                    s.last_message = m;
                }
                s.engine.learn_when_due(REFIT_AFTER_JOINS);
                s.events_since = now;
                s.refreshed = Instant::now();
            }
        }
        Ok(slot)
    }

    /// The threads the reasons name, and the members they name, as [`reason_views`] needs them.
    ///
    /// [`reason_views`]: Self::reason_views
    fn named_in(reasons: &[rel::Reason], threads: &mut Vec<ThreadId>, members: &mut Vec<i64>) {
        for r in reasons {
            match r {
                rel::Reason::RepliedTo { thread }
                | rel::Reason::Started { thread }
                | rel::Reason::ReactedTo { thread }
                | rel::Reason::Read { thread } => threads.push(ThreadId(thread.0)),
                rel::Reason::PeersActive { peers, .. } => members.extend(peers.iter().map(|p| p.0)),
                _ => {}
            }
        }
    }

    fn reason_views(
        reasons: &[rel::Reason],
        topics: &HashMap<i64, String>,
        threads: &HashMap<ThreadId, ThreadSummary>,
        names: &HashMap<MemberId, String>,
        last_activity: Millis,
    ) -> Vec<ReasonView> {
        let title = |thread: &rel::ThreadId| -> Vec<String> {
            threads
                .get(&ThreadId(thread.0))
                .map(|t| t.title.clone())
                .into_iter()
                .collect()
        };
        let mut out = Vec::new();
        for r in reasons {
            let (kind, count, names) = match r {
                rel::Reason::RepliedTo { thread } => ("replied_to", 0, title(thread)),
                rel::Reason::Started { thread } => ("started", 0, title(thread)),
                rel::Reason::ReactedTo { thread } => ("reacted_to", 0, title(thread)),
                rel::Reason::Read { thread } => ("read", 0, title(thread)),
                rel::Reason::PeersActive { count, peers } => {
                    let named = peers
                        .iter()
                        .filter_map(|p| names.get(&MemberId(p.0)).cloned())
                        .collect();
                    ("peers_active", *count, named)
                }
                rel::Reason::Topic { topic } => (
                    "topic",
                    0,
                    topics.get(&topic.0).cloned().into_iter().collect(),
                ),
                rel::Reason::Terms { terms } => {
                    ("terms", 0, crate::keywords::shown_keywords(terms))
                }
                rel::Reason::Trending { recent_messages } => {
                    ("trending", *recent_messages, Vec::new())
                }
                rel::Reason::Mentioned => ("mentioned", 0, Vec::new()),
                // "Popular and fresh" only of a thread that is: an archive's threads are not.
                rel::Reason::Starter if now_millis() - last_activity > FRESH_FOR => {
                    ("popular", 0, Vec::new())
                }
                rel::Reason::Starter => ("starter", 0, Vec::new()),
            };
            // Its words may all have been function words ("avant"): nothing to say then.
            if kind == "terms" && names.is_empty() {
                continue;
            }
            out.push(ReasonView {
                kind: kind.into(),
                count,
                names,
            });
        }
        out
    }

    /// The member's feed in a space, with the reasons of each item.
    pub async fn feed(&self, actor: &Actor, space: &Space, size: usize) -> Result<FeedView> {
        let slot = self.space_engine(space).await?;
        let feed = {
            let s = slot.lock().await;
            let opts = rel::engine::FeedOptions {
                page_size: size.clamp(1, 50),
                ..Default::default()
            };
            let learned = s.engine.last_fit().map(|f| f.positives);
            let member = rel::MemberId(actor.member.id.0);
            let now = now_millis();
            let interest_topics = s.engine.interest_topics(member, now);
            let terms: Vec<String> = s
                .engine
                .interests(member, now, 8)
                .into_iter()
                .map(|(t, _)| t)
                .collect();
            (
                s.engine.feed(member, now, &opts),
                learned,
                interest_topics,
                terms,
            )
        };
        let (feed, learned, interest_topics, terms) = feed;
        let space_topics = self.topics(space).await?;
        let topics: HashMap<i64, String> = space_topics
            .iter()
            .map(|t| (t.id.0, t.title.clone()))
            .collect();
        // The threads and names the page shows, in two queries (one per item and per name
        // was some seventy round trips on PostgreSQL).
        let mut thread_ids: Vec<ThreadId> =
            feed.items.iter().map(|i| ThreadId(i.thread.0)).collect();
        let mut member_ids = Vec::new();
        for item in &feed.items {
            Self::named_in(&item.reasons, &mut thread_ids, &mut member_ids);
        }
        let threads = self.store().threads_by_ids(&thread_ids).await?;
        let names: HashMap<MemberId, String> = self
            .store()
            .member_names(&member_ids)
            .await?
            .into_iter()
            .map(|(id, _handle, name)| (MemberId(id), name))
            .collect();
        let mut items = Vec::with_capacity(feed.items.len());
        for item in &feed.items {
            let Some(thread) = threads.get(&ThreadId(item.thread.0)) else {
                continue;
            };
            let reasons = Self::reason_views(
                &item.reasons,
                &topics,
                &threads,
                &names,
                thread.last_activity_at,
            );
            items.push(FeedEntry {
                thread: thread.clone(),
                reasons,
            });
        }
        let muted: Vec<i64> = self
            .store()
            .member_feedback(actor.member.id)
            .await?
            .into_iter()
            .filter(|(kind, _)| kind == "mute_topic")
            .map(|(_, t)| t)
            .collect();
        let muted_topics = space_topics
            .iter()
            .filter(|t| muted.contains(&t.id.0))
            .map(|t| MutedTopic {
                id: t.id.0,
                slug: t.slug.clone(),
                title: t.title.clone(),
            })
            .collect();
        // The member's topics as (slug, title), heaviest first, muted ones left out.
        let my_topics: Vec<(String, String)> = interest_topics
            .iter()
            .take(5)
            .filter(|(t, _)| !muted.contains(&t.0))
            .filter_map(|(t, _)| space_topics.iter().find(|x| x.id.0 == t.0))
            .map(|t| (t.slug.clone(), t.title.clone()))
            .collect();
        let content = self
            .content_for_you(actor, space, &my_topics, &terms)
            .await?;
        Ok(FeedView {
            items,
            starter: feed.starter,
            learned_from_joins: learned,
            muted_topics,
            content,
        })
    }

    /// Tell the feed "not interested in this thread" or "mute this topic" (or undo with
    /// `on = false`). The engine learns at once; the store keeps it.
    pub async fn feed_feedback(
        &self,
        actor: &Actor,
        space: &Space,
        kind: &str,
        target: i64,
        on: bool,
    ) -> Result<()> {
        let feedback = feedback_of(kind, target)
            .ok_or_else(|| ValidationError::new("kind", "expected not_interested or mute_topic"))?;
        self.store()
            .set_feedback(actor.member.id, kind, target, on, now_millis())
            .await?;
        let slot = self.space_engine(space).await?;
        let mut s = slot.lock().await;
        let member = rel::MemberId(actor.member.id.0);
        match (feedback, on) {
            (f, true) => s.engine.add_feedback(member, f),
            (rel::engine::Feedback::MuteTopic { topic }, false) => s
                .engine
                .add_feedback(member, rel::engine::Feedback::UnmuteTopic { topic }),
            // "Not interested" is kept by the engine once learnt; removing it from the store
            // takes effect when the engine is next rebuilt.
            _ => {}
        }
        Ok(())
    }

    /// Members whose current concerns are closest to the actor's, with what they share.
    pub async fn peers(&self, actor: &Actor, space: &Space, k: usize) -> Result<Vec<PeerView>> {
        let slot = self.space_engine(space).await?;
        let peers = slot.lock().await.engine.peers(
            rel::MemberId(actor.member.id.0),
            now_millis(),
            k.clamp(1, 50),
        );
        let topics: HashMap<i64, String> = self
            .topics(space)
            .await?
            .into_iter()
            .map(|t| (t.id.0, t.title))
            .collect();
        let mut out = Vec::new();
        for p in peers {
            let Some(m) = self.store().member_by_id(MemberId(p.member.0)).await? else {
                continue;
            };
            let mut shared: Vec<String> = p
                .shared_topics
                .iter()
                .filter_map(|t| topics.get(&t.0).cloned())
                .collect();
            shared.extend(p.shared_terms.iter().cloned());
            out.push(PeerView {
                member: m.to_ref(),
                closeness: p.score,
                shared_subjects: shared,
            });
        }
        Ok(out)
    }

    /// Members' current interests in a space, heaviest first (the matchmaking's input, for
    /// the sessions' meeting plans).
    pub(crate) async fn member_interests(
        &self,
        space: &Space,
        members: &[i64],
    ) -> Result<HashMap<i64, Vec<(String, f32)>>> {
        let slot = self.space_engine(space).await?;
        let s = slot.lock().await;
        let now = now_millis();
        Ok(members
            .iter()
            .map(|&m| (m, s.engine.interests(rel::MemberId(m), now, 30)))
            .collect())
    }

    /// Note that a signed-in member opened a thread (the feed learns from reads).
    pub async fn record_read(&self, actor: &Actor, thread: ThreadId) -> Result<()> {
        Ok(self
            .store()
            .record_read(actor.member.id, thread, now_millis())
            .await?)
    }
}

/// A matchmaking request for an event session.
#[derive(Debug, Clone, serde::Deserialize, utoipa::ToSchema)]
pub struct MatchmakingRequest {
    /// Registered participants (handles).
    pub participants: Vec<String>,
    /// `pairs` (one-to-one meetings) or `tables` (4 to 6 people).
    pub format: String,
    /// Meeting slots to fill.
    #[serde(default = "one")]
    pub slots: usize,
    /// Handles that asked not to be matched.
    #[serde(default)]
    pub do_not_match: Vec<String>,
    /// Pairs of handles who already met (never matched again).
    #[serde(default)]
    pub already_met: Vec<(String, String)>,
}

fn one() -> usize {
    1
}

/// A proposed meeting, explained.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct MeetingView {
    pub members: Vec<MemberRef>,
    pub shared_subjects: Vec<String>,
}

/// One slot of the plan.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct SlotView {
    pub meetings: Vec<MeetingView>,
    pub unmatched: Vec<MemberRef>,
}

impl Services {
    /// Propose one-to-one meetings or tables of 4–6 for an event's participants, from their
    /// current interests in the space: nobody who asked not to be matched, no pair that
    /// already met, at most one meeting per person per slot; each meeting names what its
    /// people share. Moderators and admins only (they run the sessions).
    pub async fn matchmaking(
        &self,
        actor: &Actor,
        space: &Space,
        req: &MatchmakingRequest,
    ) -> Result<Vec<SlotView>> {
        actor.require_moderator()?;
        let format = match req.format.as_str() {
            "pairs" => rel::matching::Format::Pairs,
            "tables" => rel::matching::Format::Tables { min: 4, max: 6 },
            _ => return Err(ValidationError::new("format", "expected pairs or tables").into()),
        };
        if req.participants.len() > 5_000 {
            return Err(ValidationError::new("participants", "at most 5000 participants").into());
        }
        let mut by_handle: HashMap<String, Member> = HashMap::new();
        for h in req
            .participants
            .iter()
            .chain(req.do_not_match.iter())
            .chain(req.already_met.iter().flat_map(|(a, b)| [a, b]))
        {
            if !by_handle.contains_key(h) {
                let m = self.member(Some(actor), h).await.map_err(|_| {
                    ValidationError::new("participants", format!("unknown member {h:?}"))
                })?;
                by_handle.insert(h.clone(), m);
            }
        }
        let id = |h: &String| by_handle.get(h).map(|m| rel::MemberId(m.id.0));
        let slot = self.space_engine(space).await?;
        let now = now_millis();
        let participants: Vec<rel::matching::Participant> = {
            let s = slot.lock().await;
            req.participants
                .iter()
                .filter_map(|h| {
                    let member = id(h)?;
                    // "Do not match me": present, with everyone else forbidden.
                    let opted_out = req.do_not_match.contains(h);
                    let do_not_match = if opted_out {
                        req.participants
                            .iter()
                            .filter(|o| *o != h)
                            .filter_map(id)
                            .collect()
                    } else {
                        Vec::new()
                    };
                    Some(rel::matching::Participant {
                        member,
                        interests: s.engine.interests(member, now, 30),
                        do_not_match,
                    })
                })
                .collect()
        };
        let request = rel::matching::MatchRequest {
            format,
            slots: req.slots.clamp(1, 20),
            already_met: req
                .already_met
                .iter()
                .filter_map(|(a, b)| Some((id(a)?, id(b)?)))
                .collect(),
        };
        let plan =
            tokio::task::spawn_blocking(move || rel::matching::plan(&participants, &request))
                .await
                .map_err(|e| ServiceError::Forbidden(e.to_string()))?;
        let refs: HashMap<i64, MemberRef> =
            by_handle.values().map(|m| (m.id.0, m.to_ref())).collect();
        Ok(plan
            .slots
            .into_iter()
            .map(|s| SlotView {
                meetings: s
                    .meetings
                    .into_iter()
                    .map(|m| MeetingView {
                        members: m
                            .members
                            .iter()
                            .filter_map(|x| refs.get(&x.0).cloned())
                            .collect(),
                        shared_subjects: m.shared_subjects,
                    })
                    .collect(),
                unmatched: s
                    .unmatched
                    .iter()
                    .filter_map(|x| refs.get(&x.0).cloned())
                    .collect(),
            })
            .collect())
    }
}
