//! Embeds: what a Parvis URL or an embed key names, and the read-mostly card an embed shows.
//!
//! An embed is named by a short key — `thread/12`, `topic/space/slug`, `opinion/space/slug` —
//! that the snippet carries (`data-parvis-embed="thread/12"`), the iframe's path repeats
//! (`/embed/thread/12`) and the counters record. oEmbed consumers hand us a page URL instead;
//! `resolve_url` turns it into the same key, or says why it cannot.
//!
//! Sessions (`session/7`, the page `/sessions/7`), challenges (`challenge/3`) and testimonials
//! or interviews (`testimonial/5`, only while published with public consent) and surveys
//! (`survey/TOKEN`, the page `/surveys/TOKEN`) are embeddable too. Another target plugs in here: a variant of `EmbedTarget`, its key and page path in
//! `key`/`page_path`/`parse_key`/`resolve_path`, and its card in `Services::embed_card`.

pub mod live_queue;
pub mod posting;
pub mod settings;
pub mod sso;
pub mod track;
pub mod voting;
pub mod webhooks;

use crate::{Result, ServiceError, Services};
use bytes::Bytes;
use parvis_domain::*;
use parvis_store::EmbedSettings;
use serde::Serialize;
use std::collections::HashMap;
use std::sync::RwLock;
use std::time::{Duration, Instant};

/// What the embed data endpoint needs on every request, kept in memory: a thread's space
/// (threads do not move) and a space's settings (for at most `SETTINGS_TTL`, and dropped at
/// once when an admin saves them here). The settings are read afresh when the thread cache is
/// off; a thread's space is always kept, being a fact that never changes.
#[derive(Default)]
pub(crate) struct EmbedCache {
    thread_space: RwLock<HashMap<ThreadId, SpaceId>>,
    settings: RwLock<HashMap<SpaceId, (EmbedSettings, Instant)>>,
}

impl EmbedCache {
    /// Forget every thread's space: after a bulk change (an erasure deletes threads, and
    /// SQLite may give a deleted thread's id to the next one).
    pub(crate) fn forget_threads(&self) {
        if let Ok(mut map) = self.thread_space.write() {
            map.clear();
        }
    }
}

const SETTINGS_TTL: Duration = Duration::from_secs(10);
const MAX_CACHED_THREADS: usize = 100_000;

/// Something that can be embedded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EmbedTarget {
    Thread(ThreadId),
    Topic {
        space: String,
        topic: String,
    },
    Opinion {
        space: String,
        topic: String,
    },
    /// A scheduled session (debate) of a topic.
    Session(i64),
    /// A challenge (ideas, solutions, job offer); not while it is a draft.
    Challenge(i64),
    /// A testimonial or interview, only while published with public consent.
    Testimonial(i64),
    /// A survey, by its link's token (answered from the widget after its sign-in).
    Survey(String),
}

/// What a URL handed to `/oembed` names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Resolved {
    /// An embeddable page of this instance.
    Embeddable(EmbedTarget),
    /// A page of this instance that only its signed-in member or an admin may see.
    Private,
    /// Not this instance, or no embeddable page at that address.
    Unknown,
}

fn slug_ok(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 80
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

fn positive_id(s: &str) -> Option<i64> {
    s.parse::<i64>().ok().filter(|n| *n > 0)
}

impl EmbedTarget {
    /// The short key (`thread/12`).
    pub fn key(&self) -> String {
        match self {
            EmbedTarget::Thread(id) => format!("thread/{id}"),
            EmbedTarget::Topic { space, topic } => format!("topic/{space}/{topic}"),
            EmbedTarget::Opinion { space, topic } => format!("opinion/{space}/{topic}"),
            EmbedTarget::Session(id) => format!("session/{id}"),
            EmbedTarget::Challenge(id) => format!("challenge/{id}"),
            EmbedTarget::Testimonial(id) => format!("testimonial/{id}"),
            EmbedTarget::Survey(token) => format!("survey/{token}"),
        }
    }

    /// The kind, as the key starts.
    pub fn kind(&self) -> &'static str {
        match self {
            EmbedTarget::Thread(_) => "thread",
            EmbedTarget::Topic { .. } => "topic",
            EmbedTarget::Opinion { .. } => "opinion",
            EmbedTarget::Session(_) => "session",
            EmbedTarget::Challenge(_) => "challenge",
            EmbedTarget::Testimonial(_) => "testimonial",
            EmbedTarget::Survey(_) => "survey",
        }
    }

    /// The full page on Parvis (path only).
    pub fn page_path(&self) -> String {
        match self {
            EmbedTarget::Thread(id) => format!("/threads/{id}"),
            EmbedTarget::Topic { space, topic } => format!("/s/{space}/t/{topic}"),
            EmbedTarget::Opinion { space, topic } => format!("/s/{space}/t/{topic}/opinion"),
            EmbedTarget::Session(id) => format!("/sessions/{id}"),
            EmbedTarget::Challenge(id) => format!("/challenges/{id}"),
            EmbedTarget::Testimonial(id) => format!("/testimonials/{id}"),
            EmbedTarget::Survey(token) => format!("/surveys/{token}"),
        }
    }

    /// The iframe's path.
    pub fn frame_path(&self) -> String {
        format!("/embed/{}", self.key())
    }

    /// Parse a key (`thread/12`); `None` when it names nothing embeddable.
    pub fn parse_key(key: &str) -> Option<Self> {
        let parts: Vec<&str> = key.trim_matches('/').split('/').collect();
        match parts.as_slice() {
            ["thread", id] => id
                .parse::<i64>()
                .ok()
                .filter(|n| *n > 0)
                .map(|n| EmbedTarget::Thread(ThreadId(n))),
            ["topic", s, t] if slug_ok(s) && slug_ok(t) => Some(EmbedTarget::Topic {
                space: s.to_string(),
                topic: t.to_string(),
            }),
            ["opinion", s, t] if slug_ok(s) && slug_ok(t) => Some(EmbedTarget::Opinion {
                space: s.to_string(),
                topic: t.to_string(),
            }),
            ["session", id] => positive_id(id).map(EmbedTarget::Session),
            ["challenge", id] => positive_id(id).map(EmbedTarget::Challenge),
            ["testimonial", id] => positive_id(id).map(EmbedTarget::Testimonial),
            ["survey", t] if slug_ok(t) => Some(EmbedTarget::Survey(t.to_string())),
            _ => None,
        }
    }

    /// What a path of this instance names (`/threads/12` → the thread).
    pub fn resolve_path(path: &str) -> Resolved {
        let path = path.split(['?', '#']).next().unwrap_or("");
        let parts: Vec<&str> = path.trim_end_matches('/').split('/').skip(1).collect();
        let target = match parts.as_slice() {
            ["threads", id] => id
                .parse::<i64>()
                .ok()
                .filter(|n| *n > 0)
                .map(|n| EmbedTarget::Thread(ThreadId(n))),
            ["s", s, "t", t] if slug_ok(s) && slug_ok(t) => Some(EmbedTarget::Topic {
                space: s.to_string(),
                topic: t.to_string(),
            }),
            ["s", s, "t", t, "opinion"] if slug_ok(s) && slug_ok(t) => Some(EmbedTarget::Opinion {
                space: s.to_string(),
                topic: t.to_string(),
            }),
            ["sessions", id] => positive_id(id).map(EmbedTarget::Session),
            ["challenges", id] => positive_id(id).map(EmbedTarget::Challenge),
            ["testimonials", id] => positive_id(id).map(EmbedTarget::Testimonial),
            ["surveys", t] if slug_ok(t) => Some(EmbedTarget::Survey(t.to_string())),
            ["embed", rest @ ..] => EmbedTarget::parse_key(&rest.join("/")),
            _ => None,
        };
        match (target, parts.first().copied()) {
            (Some(t), _) => Resolved::Embeddable(t),
            // A member's own pages, their feed and the administration are theirs alone.
            (None, Some("me" | "admin" | "feed")) => Resolved::Private,
            (None, _) if parts.get(2) == Some(&"feed") => Resolved::Private,
            _ => Resolved::Unknown,
        }
    }
}

/// What a URL handed to oEmbed names, given this instance's public URL. Scheme and host
/// must be this instance's (`http://` and `https://` both accepted, as consumers often
/// rewrite the scheme).
pub fn resolve_url(public_url: &str, url: &str) -> Resolved {
    let (Ok(ours), Ok(theirs)) = (url::Url::parse(public_url), url::Url::parse(url.trim())) else {
        return Resolved::Unknown;
    };
    let same = matches!(theirs.scheme(), "http" | "https")
        && theirs.host_str() == ours.host_str()
        && theirs.port_or_known_default() == ours.port_or_known_default()
        && theirs.username().is_empty();
    if !same {
        return Resolved::Unknown;
    }
    let base = ours.path().trim_end_matches('/');
    match theirs.path().strip_prefix(base) {
        Some(rest) if rest.starts_with('/') => EmbedTarget::resolve_path(rest),
        _ => Resolved::Unknown,
    }
}

/// The card an embed shows, and what oEmbed says about it.
#[derive(Debug, Clone, Serialize)]
pub struct EmbedCard {
    /// `thread`, `topic` or `opinion`.
    pub kind: &'static str,
    /// The key (`thread/12`).
    pub key: String,
    pub title: String,
    /// Who started it (a thread's author; a topic's space).
    pub author_name: String,
    /// Where the author's page is, when there is one (path).
    pub author_path: Option<String>,
    pub space_id: SpaceId,
    pub space_slug: String,
    pub space_name: String,
    /// The full page on Parvis (path).
    pub page_path: String,
    /// A short description (topic description; thread: first message excerpt).
    pub summary: String,
    /// Messages in the thread, or threads in the topic (a session: seats left, or -1 when
    /// unlimited).
    pub count: i64,
    /// A session's date, mode and seats, for its card.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub session: Option<SessionCard>,
}

/// What a session's card shows besides its title.
#[derive(Debug, Clone, Serialize)]
pub struct SessionCard {
    /// Local start in the session's zone, `YYYY-MM-DD HH:MM`.
    pub starts_local: String,
    pub time_zone: String,
    /// `in_person`, `online`, `phygital` or `webcast`.
    pub mode: String,
    pub place: String,
    /// Seats left; `None` when unlimited.
    pub seats_left: Option<i64>,
    /// `upcoming`, `live`, `ended` or `closed`.
    pub state: String,
}

impl Services {
    /// The card of an embeddable target, or `NotFound` when it does not exist.
    pub async fn embed_card(&self, target: &EmbedTarget) -> Result<EmbedCard> {
        match target {
            EmbedTarget::Thread(id) => {
                let thread = self.thread(*id).await?;
                let space = self
                    .store()
                    .space_by_id(thread.space_id)
                    .await?
                    .ok_or_else(|| ServiceError::NotFound(format!("thread {id}")))?;
                Ok(EmbedCard {
                    kind: target.kind(),
                    key: target.key(),
                    title: thread.title.clone(),
                    author_name: thread.author.display_name.clone(),
                    author_path: Some(format!("/members/{}", thread.author.handle)),
                    space_id: space.id,
                    space_slug: space.slug,
                    space_name: space.name,
                    page_path: target.page_path(),
                    summary: String::new(),
                    count: thread.message_count,
                    session: None,
                })
            }
            EmbedTarget::Topic { space, topic } | EmbedTarget::Opinion { space, topic } => {
                let space = self.space(space).await?;
                let topic = self.topic(&space, topic).await?;
                let title = match target {
                    EmbedTarget::Opinion { .. } => topic.title.clone(),
                    _ => format!("#{} — {}", topic.slug, topic.title),
                };
                Ok(EmbedCard {
                    kind: target.kind(),
                    key: target.key(),
                    title,
                    author_name: space.name.clone(),
                    author_path: Some(format!("/s/{}", space.slug)),
                    space_id: space.id,
                    space_slug: space.slug,
                    space_name: space.name,
                    page_path: target.page_path(),
                    summary: topic.description,
                    count: topic.thread_count,
                    session: None,
                })
            }
            EmbedTarget::Session(id) => {
                let v = self.session_view(None, *id).await?;
                let space = self
                    .store()
                    .space_by_id(SpaceId(v.session.space_id))
                    .await?
                    .ok_or_else(|| ServiceError::NotFound(format!("session {id}")))?;
                let seats_left = v.session.capacity.map(|c| (c - v.session.confirmed).max(0));
                Ok(EmbedCard {
                    kind: target.kind(),
                    key: target.key(),
                    title: v.session.title.clone(),
                    author_name: v.topic_title.clone(),
                    author_path: Some(format!("/s/{}/t/{}", v.space, v.topic)),
                    space_id: space.id,
                    space_slug: space.slug,
                    space_name: space.name,
                    page_path: target.page_path(),
                    summary: v.session.description.clone(),
                    count: seats_left.unwrap_or(-1),
                    session: Some(SessionCard {
                        starts_local: v.starts_local.replace('T', " "),
                        time_zone: v.session.time_zone.clone(),
                        mode: v.session.mode.clone(),
                        place: v.session.place.clone(),
                        seats_left,
                        state: v.state.clone(),
                    }),
                })
            }
            EmbedTarget::Challenge(id) => {
                // Seen as a visitor sees it: a draft is not found.
                let v = self.challenge_view(None, *id).await?;
                let c = &v.challenge;
                Ok(EmbedCard {
                    kind: target.kind(),
                    key: target.key(),
                    title: c.title.clone(),
                    author_name: v.space_name.clone(),
                    author_path: Some(format!("/s/{}/challenges", v.space)),
                    space_id: SpaceId(c.space_id),
                    space_slug: v.space.clone(),
                    space_name: v.space_name.clone(),
                    page_path: target.page_path(),
                    summary: markdown::excerpt(&c.brief_md, 200),
                    count: c.entry_count,
                    session: None,
                })
            }
            EmbedTarget::Testimonial(id) => {
                // Seen as a visitor sees it: published with public consent, or not found —
                // a withdrawal takes the widget down with the page.
                let v = self.testimonial_view(None, *id).await?;
                let row = self
                    .store()
                    .testimonial(*id)
                    .await?
                    .ok_or_else(|| ServiceError::NotFound(format!("testimonial {id}")))?;
                let space = self
                    .store()
                    .space_by_id(SpaceId(row.space_id))
                    .await?
                    .ok_or_else(|| ServiceError::NotFound(format!("testimonial {id}")))?;
                Ok(EmbedCard {
                    kind: target.kind(),
                    key: target.key(),
                    title: v.title.clone(),
                    author_name: v.person.name.clone(),
                    author_path: v.person.handle.as_ref().map(|h| format!("/members/{h}")),
                    space_id: space.id,
                    space_slug: space.slug,
                    space_name: space.name,
                    page_path: target.page_path(),
                    // An interview has no text of its own: its first exchange, with who
                    // answered, as a testimonial's text comes with who said it.
                    summary: if row.body_md.is_empty() {
                        v.qa.first()
                            .map(|p| {
                                format!(
                                    "{} {} — {}",
                                    p.question,
                                    markdown::excerpt(&p.answer, 200),
                                    v.person.name
                                )
                            })
                            .unwrap_or_default()
                    } else {
                        format!(
                            "{} — {}",
                            markdown::excerpt(&row.body_md, 200),
                            v.person.name
                        )
                    },
                    count: 0,
                    session: None,
                })
            }
            EmbedTarget::Survey(token) => {
                let s = self
                    .store()
                    .survey_by_token(token)
                    .await?
                    .ok_or_else(|| ServiceError::NotFound("survey".into()))?;
                let space = self
                    .store()
                    .space_by_id(SpaceId(s.space_id))
                    .await?
                    .ok_or_else(|| ServiceError::NotFound("survey".into()))?;
                Ok(EmbedCard {
                    kind: target.kind(),
                    key: target.key(),
                    title: s.title.clone(),
                    author_name: space.name.clone(),
                    author_path: Some(format!("/s/{}", space.slug)),
                    space_id: space.id,
                    space_slug: space.slug,
                    space_name: space.name,
                    page_path: target.page_path(),
                    summary: String::new(),
                    count: 0,
                    session: None,
                })
            }
        }
    }
}

impl Services {
    fn embed_cache(&self) -> Option<&EmbedCache> {
        self.config().thread_cache.then_some(&self.inner.embeds)
    }

    /// A space's embed settings, through the cache when it is on.
    pub(crate) async fn cached_embed_settings(&self, space: SpaceId) -> Result<EmbedSettings> {
        if let Some(c) = self.embed_cache()
            && let Ok(map) = c.settings.read()
            && let Some((s, at)) = map.get(&space)
            && at.elapsed() < SETTINGS_TTL
        {
            return Ok(s.clone());
        }
        let s = self.embed_settings(space).await?;
        if let Some(c) = self.embed_cache()
            && let Ok(mut map) = c.settings.write()
        {
            map.insert(space, (s.clone(), Instant::now()));
        }
        Ok(s)
    }

    /// Forget a space's cached settings (after an admin changed them).
    pub(crate) fn forget_embed_settings(&self, space: SpaceId) {
        if let Ok(mut map) = self.inner.embeds.settings.write() {
            map.remove(&space);
        }
    }

    /// The space a thread belongs to. Kept in memory even with the thread cache off (several
    /// instances sharing a store): a thread never moves to another space, so what one read
    /// told stays true, and an embed's check of its calling site costs no store read for it.
    async fn thread_space(&self, id: ThreadId) -> Result<SpaceId> {
        let known = &self.inner.embeds.thread_space;
        if let Ok(map) = known.read()
            && let Some(s) = map.get(&id)
        {
            return Ok(*s);
        }
        let space = self.thread(id).await?.space_id;
        if let Ok(mut map) = known.write() {
            if map.len() >= MAX_CACHED_THREADS {
                map.clear();
            }
            map.insert(id, space);
        }
        Ok(space)
    }

    /// A thread page as JSON for an embed running on `origin` (the `Origin` a browser
    /// sends): `None` when the space does not allow that site. Same bytes as the API's
    /// thread read, from the same cache.
    pub async fn embed_thread_json(
        &self,
        id: ThreadId,
        page: PageRequest,
        origin: Option<&str>,
    ) -> Result<Option<Bytes>> {
        // Without an `Origin` (a server-side caller, or a same-origin page) there is no site
        // to check, so the space is not needed: the read is the API's thread read.
        if let Some(origin) = origin {
            let space = self.thread_space(id).await?;
            let settings = self.cached_embed_settings(space).await?;
            if !self.embed_allowed(&settings, Some(origin)) {
                return Ok(None);
            }
        }
        Ok(Some(self.thread_page_json(id, page).await?))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_round_trip_and_bad_keys_name_nothing() {
        for key in [
            "thread/12",
            "topic/clients/prix",
            "opinion/clients/prix",
            "session/7",
        ] {
            let t = EmbedTarget::parse_key(key).unwrap();
            assert_eq!(t.key(), key);
            assert_eq!(
                EmbedTarget::resolve_path(&t.page_path()),
                Resolved::Embeddable(t.clone())
            );
            assert_eq!(
                EmbedTarget::resolve_path(&t.frame_path()),
                Resolved::Embeddable(t)
            );
        }
        for bad in [
            "thread/x",
            "thread/-1",
            "thread/0",
            "topic/a",
            "topic/a b/c",
            "space/x",
            "session/0",
            "session/x",
        ] {
            assert_eq!(EmbedTarget::parse_key(bad), None, "{bad}");
        }
    }

    #[test]
    fn only_this_instance_urls_resolve() {
        let base = "http://127.0.0.1:8080";
        assert_eq!(
            resolve_url(base, "http://127.0.0.1:8080/threads/3?page=2#m4"),
            Resolved::Embeddable(EmbedTarget::Thread(ThreadId(3)))
        );
        assert_eq!(
            resolve_url(base, "https://127.0.0.1:8080/s/a/t/b"),
            Resolved::Embeddable(EmbedTarget::Topic {
                space: "a".into(),
                topic: "b".into()
            })
        );
        assert_eq!(
            resolve_url(base, "http://evil.example/threads/3"),
            Resolved::Unknown
        );
        assert_eq!(
            resolve_url(base, "http://127.0.0.1:9999/threads/3"),
            Resolved::Unknown
        );
        assert_eq!(
            resolve_url(base, "http://u@127.0.0.1:8080/threads/3"),
            Resolved::Unknown
        );
        assert_eq!(resolve_url(base, "javascript:alert(1)"), Resolved::Unknown);
        assert_eq!(resolve_url(base, "not a url"), Resolved::Unknown);
        assert_eq!(
            resolve_url(base, "http://127.0.0.1:8080/members"),
            Resolved::Unknown
        );
        assert_eq!(
            resolve_url(base, "http://127.0.0.1:8080/me"),
            Resolved::Private
        );
        assert_eq!(
            resolve_url(base, "http://127.0.0.1:8080/admin/spaces/x"),
            Resolved::Private
        );
        assert_eq!(
            resolve_url("https://ex.org/parvis/", "https://ex.org/parvis/threads/9"),
            Resolved::Embeddable(EmbedTarget::Thread(ThreadId(9)))
        );
        assert_eq!(
            resolve_url("https://ex.org/parvis", "https://ex.org/threads/9"),
            Resolved::Unknown
        );
    }
}
