//! Parvis services: the use cases of the product, over the store.
//!
//! Web handlers and CLI commands call one method here and map its result; the permission
//! rules (who may post, who may administer), validation of raw input into domain types,
//! hashing of secrets and cache invalidation all live here, once.
//!
//! Design decisions:
//! - `Services` is cheap to clone (an `Arc` inside) and holds the store, the mailer and the
//!   read-model cache.
//! - A thread page as JSON is the hottest read of all (embeds and the API hit it); it is
//!   cached as ready-to-send bytes and invalidated by every write to that thread. A generation
//!   counter per thread stops a slow reader from putting back a page older than a write.
//!   Instances sharing a store drop their cache when the store's content version moves
//!   (polled every second). Behind that cache, and in its place when it is off, the store keeps
//!   each page's answer with the content version it was written at (`stored_thread_pages`): a
//!   read is then one row, served only while the version is the same, so every instance
//!   answers exactly what the store holds (BENCHMARKS.md, "Thread read").

pub mod activity;
mod auth;
mod cache;
pub mod calendar;
pub mod challenges;
pub mod checkin;
pub mod content_reach;
pub mod current_copies;
pub mod demo;
pub mod embeds;
pub mod follow;
mod ical;
pub mod import;
pub mod intros;
pub mod jobs;
pub mod keywords;
pub mod live;
pub mod live_privacy;
pub mod live_redis;
mod mail;
mod mail_text;
pub mod measure;
pub mod meet;
pub mod opinion;
pub mod privacy;
pub mod ratelimit;
pub mod registrations;
pub mod relevance;
pub mod relevance_saved;
pub mod reports;
pub mod search;
pub mod session_mails;
pub mod session_reminders;
pub mod session_room;
pub mod sessions;
pub mod shares;
pub mod spaces;
pub mod tagging;
pub mod testimonial_links;
pub mod testimonials;
mod thread_json;
pub mod zones;

pub use auth::{Actor, AdminBootstrap, SignedIn, bootstrap_admin, hash_token, random_token};
pub use mail::{Attachment, Mailer, MailerError};

use bytes::Bytes;
use parvis_domain::*;
use parvis_store::{NewMessage, NewThread, Store, StoreError, ThreadPageRead};
use std::sync::Arc;

/// Why a use case was refused or failed. Each variant maps to one HTTP status.
#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    #[error(transparent)]
    Validation(#[from] ValidationError),
    #[error("{0} not found")]
    NotFound(String),
    #[error("sign in first")]
    Unauthenticated,
    #[error("{0}")]
    Forbidden(String),
    #[error("{0} already exists")]
    Conflict(String),
    #[error("too many attempts; try again in {retry_after_secs} seconds")]
    RateLimited { retry_after_secs: u64 },
    #[error("sign-in failed: unknown email or wrong password")]
    BadCredentials,
    #[error("the sign-in link is invalid, expired or already used")]
    BadLink,
    #[error("sending mail failed: {0}")]
    Mail(#[from] MailerError),
    /// A host site's single sign-on token was refused (see `embeds::sso`).
    #[error("single sign-on refused: {0}")]
    Sso(embeds::sso::SsoRefused),
    #[error("store: {0}")]
    Store(StoreError),
}

impl From<StoreError> for ServiceError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound(what) => ServiceError::NotFound(what.to_string()),
            StoreError::Conflict { what } => ServiceError::Conflict(what),
            other => ServiceError::Store(other),
        }
    }
}

/// Shorthand for service results.
pub type Result<T, E = ServiceError> = std::result::Result<T, E>;

/// Settings the services need (a slice of the CLI configuration).
#[derive(Clone, Debug)]
pub struct ServiceConfig {
    /// The public URL of this instance, for links in emails (`http://127.0.0.1:8080`).
    pub public_url: String,
    /// How long a session lasts.
    pub session_days: i64,
    /// Cache thread pages as JSON (see the crate doc).
    pub thread_cache: bool,
    /// Session reminders go this many minutes before the start (24 h and 1 h by default).
    pub reminder_minutes: Vec<i64>,
}

impl Default for ServiceConfig {
    fn default() -> Self {
        Self {
            public_url: "http://127.0.0.1:8080".into(),
            session_days: 30,
            thread_cache: true,
            reminder_minutes: vec![24 * 60, 60],
        }
    }
}

/// The use cases. Clone freely.
#[derive(Clone)]
pub struct Services {
    inner: Arc<Inner>,
}

struct Inner {
    store: Store,
    mailer: Mailer,
    config: ServiceConfig,
    threads: cache::ThreadCache,
    /// Thread pages as the API answers them, while current: what the thread cache's place
    /// takes when it is off (see `current_copies`).
    current_threads: current_copies::CurrentCopies<(ThreadId, u32, u32)>,
    /// Pages as the web layer draws them for anonymous visitors, while current.
    anonymous_pages: current_copies::CurrentCopies<(Lang, String)>,
    opinion: opinion::OpinionCache,
    search: std::sync::RwLock<Option<Arc<parvis_search::SearchIndex>>>,
    feeds: relevance::FeedEngines,
    measures: measure::MeasureCache,
    live: live::LiveHub,
    /// Called after a session is repeated (see [`Services::on_session_repeat`]).
    repeat_hooks: std::sync::RwLock<Vec<RepeatHook>>,
    embeds: embeds::EmbedCache,
}

/// Told `(from, to)` when a session is repeated, so a capability with data of its own per
/// session (the live room's polls) can copy it to the new one.
pub type RepeatHook = Arc<dyn Fn(i64, i64) + Send + Sync>;

/// Bodies longer than this are refused (about 20 pages of text).
pub const MAX_BODY_CHARS: usize = 50_000;

/// At most this many bytes of current thread pages in memory with the thread cache off (a
/// 50-message page is 20–80 kB).
const CURRENT_THREAD_BYTES: usize = 16 << 20;

/// At most this many bytes of pages kept for anonymous visitors (a space page is about 12 kB):
/// a crawler walking every page of every space takes a few megabytes, not the server's memory.
const ANONYMOUS_PAGE_BYTES: usize = 4 << 20;

/// Messages on a thread page when the reader does not say (the API, the embeds' data). Pages
/// of this size are the ones kept in the store ready to send.
pub const MESSAGES_PER_PAGE: u32 = 50;

impl Services {
    /// Wire the services over a store and a mailer.
    pub fn new(store: Store, mailer: Mailer, config: ServiceConfig) -> Self {
        Self {
            inner: Arc::new(Inner {
                live: live::LiveHub::new(
                    store.clone(),
                    Arc::new(live::LocalBroker),
                    live::LiveConfig::default(),
                ),
                store,
                mailer,
                config,
                threads: cache::ThreadCache::default(),
                current_threads: current_copies::CurrentCopies::new(CURRENT_THREAD_BYTES),
                anonymous_pages: current_copies::CurrentCopies::new(ANONYMOUS_PAGE_BYTES),
                opinion: Default::default(),
                search: std::sync::RwLock::new(None),
                feeds: Default::default(),
                measures: Default::default(),
                repeat_hooks: Default::default(),
                embeds: Default::default(),
            }),
        }
    }

    /// Share live rooms with other instances through `broker` (call right after `new`,
    /// before the services are cloned; later calls keep the current broker).
    pub fn with_live_broker(
        mut self,
        broker: Arc<dyn live::Broker>,
        config: live::LiveConfig,
    ) -> Self {
        let store = self.inner.store.clone();
        if let Some(inner) = Arc::get_mut(&mut self.inner) {
            inner.live = live::LiveHub::new(store, broker, config);
        } else {
            tracing::warn!("live broker set after the services were shared; ignored");
        }
        self
    }

    /// The store (for CLI commands such as export and backup).
    pub fn store(&self) -> &Store {
        &self.inner.store
    }

    /// The configuration.
    pub fn config(&self) -> &ServiceConfig {
        &self.inner.config
    }

    /// Register a hook run after "repeat this session" (the live room copies its polls).
    pub fn on_session_repeat(&self, hook: RepeatHook) {
        if let Ok(mut hooks) = self.inner.repeat_hooks.write() {
            hooks.push(hook);
        }
    }

    pub(crate) fn repeat_hooks(&self) -> Vec<RepeatHook> {
        self.inner
            .repeat_hooks
            .read()
            .map(|h| h.clone())
            .unwrap_or_default()
    }

    /// Pages as the web layer draws them for anonymous visitors, kept while current.
    pub fn anonymous_pages(&self) -> &current_copies::CurrentCopies<(Lang, String)> {
        &self.inner.anonymous_pages
    }

    /// Drop every cached page (after a bulk change such as an import). Copies made at an
    /// older content version are never served again, but an erasure must not leave what it
    /// erased in memory either.
    pub fn clear_caches(&self) {
        self.inner.threads.clear();
        self.inner.current_threads.clear();
        self.inner.anonymous_pages.clear();
        self.inner.embeds.forget_threads();
    }

    /// Keep caches honest when other processes write to the same store (a CLI import, another
    /// instance): poll the store's content version every `every` and drop the caches when it
    /// moved. Cheap: one tiny query per period, none per request.
    pub fn spawn_cache_watch(&self, every: std::time::Duration) -> tokio::task::JoinHandle<()> {
        let me = self.clone();
        tokio::spawn(async move {
            let mut last = me.store().content_version().await.unwrap_or(0);
            let mut tick = tokio::time::interval(every);
            loop {
                tick.tick().await;
                match me.store().content_version().await {
                    Ok(v) if v != last => {
                        last = v;
                        me.clear_caches();
                    }
                    Ok(_) => {}
                    Err(e) => tracing::warn!(error = %e, "content version check failed"),
                }
            }
        })
    }

    // ----- spaces and topics -------------------------------------------------------------

    /// All spaces.
    pub async fn spaces(&self) -> Result<Vec<Space>> {
        Ok(self.inner.store.list_spaces().await?)
    }

    /// A space by slug, or `NotFound` naming it.
    pub async fn space(&self, slug: &str) -> Result<Space> {
        self.inner
            .store
            .space_by_slug(slug)
            .await?
            .ok_or_else(|| ServiceError::NotFound(format!("space {slug:?}")))
    }

    /// Create a space (admins only).
    pub async fn create_space(
        &self,
        actor: &Actor,
        slug: &str,
        name: &str,
        description: &str,
    ) -> Result<Space> {
        actor.require_admin()?;
        self.operator_create_space(slug, name, description).await
    }

    /// Create a space in a time zone (`None`: Europe/Paris); an unknown zone is refused naming
    /// the `time_zone` field.
    pub async fn create_space_in_zone(
        &self,
        actor: &Actor,
        slug: &str,
        name: &str,
        description: &str,
        time_zone: Option<&str>,
    ) -> Result<Space> {
        actor.require_admin()?;
        self.operator_create_space_in_zone(slug, name, description, time_zone)
            .await
    }

    /// Create a space on behalf of the operator at the command line (`parvis space create`):
    /// whoever can open the store already holds every right over it, so there is no actor.
    pub async fn operator_create_space(
        &self,
        slug: &str,
        name: &str,
        description: &str,
    ) -> Result<Space> {
        self.operator_create_space_in_zone(slug, name, description, None)
            .await
    }

    /// [`Services::operator_create_space`] in a time zone (`parvis space create --time-zone`).
    pub async fn operator_create_space_in_zone(
        &self,
        slug: &str,
        name: &str,
        description: &str,
        time_zone: Option<&str>,
    ) -> Result<Space> {
        let slug = Slug::parse("slug", slug)?;
        let name = hygiene::label("name", name, 120)?;
        let zone = match time_zone {
            Some(z) => zones::parse_time_zone("time_zone", z)?,
            None => zones::DEFAULT_TIME_ZONE.to_string(),
        };
        self.inner
            .store
            .create_space_in_zone(
                slug.as_str(),
                &name,
                description.trim(),
                &zone,
                now_millis(),
            )
            .await?;
        self.space(slug.as_str()).await
    }

    /// The topics of a space.
    pub async fn topics(&self, space: &Space) -> Result<Vec<Topic>> {
        Ok(self.inner.store.list_topics(space.id).await?)
    }

    /// A topic by slug, or `NotFound` naming it.
    pub async fn topic(&self, space: &Space, slug: &str) -> Result<Topic> {
        self.inner
            .store
            .topic_by_slug(space.id, slug)
            .await?
            .ok_or_else(|| {
                ServiceError::NotFound(format!("topic {slug:?} in space {:?}", space.slug))
            })
    }

    /// Create a topic in a space (admins only). Keywords: comma-separated or a list.
    pub async fn create_topic(
        &self,
        actor: &Actor,
        space: &Space,
        slug: Option<&str>,
        title: &str,
        description: &str,
        keywords: &[String],
    ) -> Result<Topic> {
        actor.require_admin()?;
        let topic = self
            .operator_create_topic(space, slug, title, description, keywords)
            .await?;
        self.tag_in_background(space, &topic).await?;
        Ok(topic)
    }

    /// Create a topic on behalf of the operator at the command line (`parvis topic create`).
    pub async fn operator_create_topic(
        &self,
        space: &Space,
        slug: Option<&str>,
        title: &str,
        description: &str,
        keywords: &[String],
    ) -> Result<Topic> {
        let title = hygiene::label("title", title, 120)?;
        let slug = match slug.filter(|s| !s.trim().is_empty()) {
            Some(s) => Slug::parse("slug", s)?,
            None => Slug::from_title(&title),
        };
        let keywords: Vec<String> = keywords
            .iter()
            .map(|k| k.trim().to_lowercase())
            .filter(|k| !k.is_empty())
            .collect();
        self.inner
            .store
            .create_topic(
                space.id,
                slug.as_str(),
                &title,
                description.trim(),
                &keywords,
                now_millis(),
            )
            .await?;
        self.topic(space, slug.as_str()).await
    }

    // ----- threads and messages ----------------------------------------------------------

    /// A page of threads in a space, optionally in one topic.
    pub async fn threads(
        &self,
        space: &Space,
        topic: Option<&Topic>,
        page: PageRequest,
    ) -> Result<Page<ThreadSummary>> {
        Ok(self
            .inner
            .store
            .list_threads(space.id, topic.map(|t| t.id), page)
            .await?)
    }

    /// What the space page shows, read in one go: the space, its topics, the topic asked for
    /// and a page of threads. `NotFound` names the space or the topic that does not exist.
    pub async fn space_page(
        &self,
        slug: &str,
        topic: Option<&str>,
        page: PageRequest,
    ) -> Result<parvis_store::SpacePage> {
        let view = self
            .inner
            .store
            .space_page(slug, topic, page)
            .await?
            .ok_or_else(|| ServiceError::NotFound(format!("space {slug:?}")))?;
        match topic {
            Some(t) if view.current.is_none() => Err(ServiceError::NotFound(format!(
                "topic {t:?} in space {:?}",
                view.space.slug
            ))),
            _ => Ok(view),
        }
    }

    /// One thread, or `NotFound`.
    pub async fn thread(&self, id: ThreadId) -> Result<ThreadSummary> {
        self.inner
            .store
            .thread(id)
            .await?
            .ok_or_else(|| ServiceError::NotFound(format!("thread {id}")))
    }

    /// A page of a thread's messages.
    pub async fn messages(&self, thread: ThreadId, page: PageRequest) -> Result<Page<Message>> {
        Ok(self.inner.store.list_messages(thread, page).await?)
    }

    /// A thread and a page of its messages as the API's JSON bytes: from this instance's cache
    /// when it is on and fresh; with it off, from this instance's copy when it was made at the
    /// store's current content version (read for each call, see `current_copies`); else the
    /// answer kept in the store when it is current
    /// ([`parvis_store::Store::thread_page_stored_or_with`]), else read afresh and kept.
    pub async fn thread_page_json(&self, id: ThreadId, page: PageRequest) -> Result<Bytes> {
        if self.inner.config.thread_cache {
            return self.thread_page_json_read(id, page).await;
        }
        // Without the cache, still no page older than the store's content: the version is
        // read (after the request came) and a copy made at it is served, else the page is
        // read from the store and a copy kept. If the version cannot be read, the store alone
        // answers.
        let Ok(version) = self.inner.store.current_content_version().await else {
            return self.thread_page_json_read(id, page).await;
        };
        let key = (id, page.page, page.per_page);
        if let Some(copy) = self.inner.current_threads.get(&key, version, now_millis()) {
            return Ok(copy);
        }
        let bytes = self.thread_page_json_read(id, page).await?;
        if page.per_page == MESSAGES_PER_PAGE {
            self.inner
                .current_threads
                .keep(key, version, None, bytes.clone());
        }
        Ok(bytes)
    }

    /// The first page of a thread, as `GET /threads/{id}` answers it, when the thread cache
    /// is on and holds it: no store read and no wait. `None` otherwise, and the caller takes
    /// [`Self::thread_page_json`], which reads the store and keeps the page for next time.
    pub fn cached_thread_page(&self, id: ThreadId) -> Option<Bytes> {
        if !self.inner.config.thread_cache {
            return None;
        }
        let first = PageRequest::new(None, None, MESSAGES_PER_PAGE);
        self.inner.threads.get(id, first)
    }

    /// A thread page from the thread cache when on and fresh, else from the store.
    async fn thread_page_json_read(&self, id: ThreadId, page: PageRequest) -> Result<Bytes> {
        let cache = &self.inner.threads;
        let use_cache = self.inner.config.thread_cache;
        if use_cache && let Some(hit) = cache.get(id, page) {
            return Ok(hit);
        }
        let generation = cache.generation(id);
        // Written as the store reads it, around the message texts (see `thread_json`), with
        // serde_json's bytes.
        let read = self
            .inner
            .store
            .thread_page_stored_or_with(id, page, thread_json::ThreadPageJson::new(page))
            .await?
            .ok_or_else(|| ServiceError::NotFound(format!("thread {id}")))?;
        let bytes = match read {
            ThreadPageRead::Stored(text) => Bytes::from(text),
            ThreadPageRead::Fresh { version, output } => {
                let mut written = output
                    .map_err(|e| ServiceError::Store(StoreError::Io(std::io::Error::other(e))))?;
                if use_cache {
                    // Kept for a while: without the room left for a longer page.
                    written.bytes.shrink_to_fit();
                }
                let bytes = Bytes::from(written.bytes);
                // Only pages of the default size that hold messages are kept: asking for every
                // size and every page number past the end must not fill the disk.
                if let Some(version) = version
                    && page.per_page == MESSAGES_PER_PAGE
                    && written.messages > 0
                    && let Err(e) = self
                        .inner
                        .store
                        .keep_thread_page(id, page, version, bytes.clone())
                        .await
                {
                    // The reader has its answer; the next one reads afresh again.
                    tracing::warn!(error = %e, thread = id.0, "thread page not kept");
                }
                bytes
            }
        };
        if use_cache {
            cache.put(id, page, generation, bytes.clone());
        }
        Ok(bytes)
    }

    /// Start a thread (any signed-in member).
    pub async fn create_thread(
        &self,
        actor: &Actor,
        space: &Space,
        topic: Option<&Topic>,
        title: &str,
        body: &str,
    ) -> Result<ThreadSummary> {
        Self::check_writable(Some(space), topic)?;
        let title = hygiene::label("title", title, 200)?;
        let body = required_text("body", body, MAX_BODY_CHARS)?;
        let (id, message) = self
            .inner
            .store
            .create_thread(&NewThread {
                space_id: space.id,
                topic_id: topic.map(|t| t.id),
                title: title.clone(),
                author_id: actor.member.id,
                body_html: markdown::render(&body),
                body_md: body.clone(),
                created_at: now_millis(),
                channel: "parvis".into(),
                source_id: None,
                source_url: None,
            })
            .await?;
        let thread = self.thread(id).await?;
        self.tag_new_message(space.id, thread.topic_id, message, &title, &body)
            .await?;
        self.emit_message_created(&thread, message, actor).await;
        Ok(thread)
    }

    /// Reply in a thread, optionally to one message of it.
    pub async fn reply(
        &self,
        actor: &Actor,
        thread: ThreadId,
        parent: Option<MessageId>,
        body: &str,
    ) -> Result<MessageId> {
        let body = required_text("body", body, MAX_BODY_CHARS)?;
        let summary = self.thread(thread).await?;
        let tag_body = body.clone();
        self.check_thread_writable(&summary).await?;
        let id = self
            .inner
            .store
            .add_message(&NewMessage {
                thread_id: thread,
                parent_id: parent,
                author_id: actor.member.id,
                body_html: markdown::render(&body),
                body_md: body,
                created_at: now_millis(),
                channel: "parvis".into(),
                source_id: None,
                source_url: None,
            })
            .await?;
        self.tag_new_message(
            summary.space_id,
            summary.topic_id,
            id,
            &summary.title,
            &tag_body,
        )
        .await?;
        // The store moved the content version with the message (`add_message`).
        self.inner.threads.invalidate(thread);
        self.emit_message_created(&summary, id, actor).await;
        Ok(id)
    }

    /// Leave (`on = true`) or take back a reaction on a message. Returns the message's thread.
    pub async fn react(
        &self,
        actor: &Actor,
        message: MessageId,
        kind: ReactionKind,
        on: bool,
    ) -> Result<ThreadId> {
        let thread = self
            .inner
            .store
            .thread_of_message(message)
            .await?
            .ok_or_else(|| ServiceError::NotFound(format!("message {message}")))?;
        self.check_thread_writable(&self.thread(thread).await?)
            .await?;
        if on {
            self.inner
                .store
                .add_reaction(message, actor.member.id, kind, now_millis())
                .await?;
        } else {
            self.inner
                .store
                .remove_reaction(message, actor.member.id, kind)
                .await?;
        }
        self.inner.threads.invalidate(thread);
        self.store().bump_content_version().await?;
        Ok(thread)
    }

    /// Refuse a write in a thread whose space or topic is archived.
    async fn check_thread_writable(&self, thread: &ThreadSummary) -> Result<()> {
        let space = self.store().space_by_id(thread.space_id).await?;
        let topic = match (&space, thread.topic_id) {
            (Some(s), Some(id)) => self
                .store()
                .list_topics(s.id)
                .await?
                .into_iter()
                .find(|t| t.id == id),
            _ => None,
        };
        Self::check_writable(space.as_ref(), topic.as_ref())
    }

    // ----- members -----------------------------------------------------------------------

    /// A page of members, filtered by name, handle or organisation, each as `viewer` may see
    /// them (`privacy::member_for`).
    pub async fn members(
        &self,
        viewer: Option<&Actor>,
        query: Option<&str>,
        page: PageRequest,
    ) -> Result<Page<Member>> {
        let page = self.inner.store.list_members(query, page).await?;
        Ok(Page {
            items: page
                .items
                .into_iter()
                .map(|m| privacy::member_for(viewer, m))
                .collect(),
            ..page
        })
    }

    /// A member by handle, as `viewer` may see them (`privacy::member_for`).
    pub async fn member(&self, viewer: Option<&Actor>, handle: &str) -> Result<Member> {
        let m = self
            .inner
            .store
            .member_by_handle(&handle.to_lowercase())
            .await?
            .ok_or_else(|| ServiceError::NotFound(format!("member {handle:?}")))?;
        Ok(privacy::member_for(viewer, m))
    }

    /// Change a member's site role (admins only; an admin cannot demote themself, so that an
    /// instance never loses its last admin by accident).
    pub async fn set_role(&self, actor: &Actor, handle: &str, role: &str) -> Result<Member> {
        actor.require_admin()?;
        let role = SiteRole::parse("role", role)?;
        let target = self.member(Some(actor), handle).await?;
        if target.id == actor.member.id && role != SiteRole::Admin {
            return Err(ServiceError::Forbidden(
                "an admin cannot remove their own admin role".into(),
            ));
        }
        self.inner.store.set_site_role(target.id, role).await?;
        self.after_bulk_change().await?; // cached thread pages show authors' roles
        self.member(Some(actor), handle).await
    }

    /// Update one's own profile.
    pub async fn update_profile(
        &self,
        actor: &Actor,
        display_name: &str,
        eco: &str,
        organisation: &str,
        bio: &str,
    ) -> Result<Member> {
        let name = hygiene::label("display_name", display_name, 80)?;
        hygiene::check("organisation", organisation)?;
        let eco = EcosystemRole::parse("ecosystem_role", eco)?;
        if bio.chars().count() > 2000 {
            return Err(ValidationError::broke(
                "bio",
                Rule::TooLong(2000),
                "must be at most 2000 characters",
            )
            .into());
        }
        self.inner
            .store
            .set_profile(actor.member.id, &name, eco, organisation.trim(), bio.trim())
            .await?;
        self.after_bulk_change().await?; // cached thread pages show authors' names
        self.member(Some(actor), &actor.member.handle).await
    }

    /// Give or withdraw one of one's consents (dated now).
    pub async fn set_consent(&self, actor: &Actor, kind: &str, granted: bool) -> Result<Member> {
        let kind = ConsentKind::parse("kind", kind)?;
        self.inner
            .store
            .set_consent(actor.member.id, kind, granted, now_millis())
            .await?;
        self.member(Some(actor), &actor.member.handle).await
    }

    /// Declare an identity on another network (unverified until an importer or admin confirms).
    pub async fn add_identity(&self, actor: &Actor, network: &str, handle: &str) -> Result<Member> {
        let network = hygiene::label("network", network, 40)?.to_lowercase();
        let handle = hygiene::label("handle", handle, 200)?;
        self.inner
            .store
            .add_identity(actor.member.id, &network, &handle, false, now_millis())
            .await?;
        self.member(Some(actor), &actor.member.handle).await
    }
}
