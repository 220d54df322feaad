//! Full-text search over a space's messages, through the embedded index of `parvis-search`.
//!
//! The store is the source of truth; the index is a cache that follows it. `parvis serve`
//! runs one indexer task that reads messages above the index's watermark (message ids only
//! grow) and messages edited since its last pass, in batches, and commits. Anything written by
//! another process (a CLI import, another instance) is picked up on the next pass. The index
//! directory has one writer: only `serve` opens it, and two servers need two directories.

use crate::{Result, ServiceError, Services};
use parvis_domain::*;
use parvis_search::{IndexedMessage, SearchIndex, SearchQuery, SearchResults};
use std::sync::Arc;
use std::time::Duration;

/// How many messages one indexing pass reads from the store at most.
const BATCH: i64 = 2_000;

/// A search request as the UI and API give it (raw strings, parsed here).
#[derive(Debug, Clone, Default)]
pub struct SearchRequest {
    pub q: String,
    pub channel: Option<String>,
    pub author: Option<String>,
    pub topic: Option<String>,
    /// `YYYY-MM-DD`, inclusive.
    pub from: Option<String>,
    /// `YYYY-MM-DD`, inclusive.
    pub to: Option<String>,
    pub page: PageRequest,
}

/// A search's filters, parsed: what messages and content are both held to.
#[derive(Debug, Clone, Default)]
pub struct SearchFilters {
    pub channel: Option<String>,
    pub author_id: Option<i64>,
    pub topic: Option<Topic>,
    /// Unix milliseconds, inclusive.
    pub from: Option<Millis>,
    /// Unix milliseconds, exclusive (the day after the `to` day).
    pub to: Option<Millis>,
}

fn day_start(field: &str, s: &str) -> Result<i64> {
    let d = time::Date::parse(
        s.trim(),
        &time::macros::format_description!("[year]-[month]-[day]"),
    )
    .map_err(|_| {
        ValidationError::new(field, format!("expected a date like 2026-03-04, got {s:?}"))
    })?;
    Ok(d.midnight().assume_utc().unix_timestamp() * 1000)
}

impl Services {
    /// Attach a search index (done by `parvis serve`).
    pub fn with_search(self, index: Arc<SearchIndex>) -> Self {
        if let Ok(mut slot) = self.inner.search.write() {
            *slot = Some(index);
        }
        self
    }

    /// The attached index, if any (for use cases that must keep it in step).
    pub(crate) fn search_index_handle(&self) -> Result<Arc<SearchIndex>> {
        self.search_index()
    }

    fn search_index(&self) -> Result<Arc<SearchIndex>> {
        self.inner
            .search
            .read()
            .ok()
            .and_then(|s| s.clone())
            .ok_or_else(|| ServiceError::Forbidden("search is not enabled on this instance".into()))
    }

    /// One indexing pass: index what the store has and the index has not. Returns how many
    /// messages were indexed.
    pub async fn index_pass(&self, edited_after: Millis) -> Result<usize> {
        let index = self.search_index()?;
        let mut total = 0;
        let mut edited_after = edited_after;
        loop {
            let after = index.last_indexed();
            let rows = self
                .store()
                .messages_for_index(after, edited_after, BATCH)
                .await?;
            if rows.is_empty() {
                break;
            }
            let docs: Vec<IndexedMessage> = rows
                .iter()
                .map(|m| IndexedMessage {
                    message_id: m.id.0,
                    thread_id: m.thread_id.0,
                    space_id: m.space_id.0,
                    topic_id: m.topic_id.map(|t| t.0),
                    channel: m.channel.clone(),
                    author_id: m.author_id.0,
                    author_name: m.author_name.clone(),
                    created_at: m.created_at,
                    title: m.title.clone(),
                    body: markdown::to_plain_text(&m.body_md),
                    lang: None,
                })
                .collect();
            let n = docs.len();
            let idx = index.clone();
            tokio::task::spawn_blocking(move || {
                idx.add(&docs)?;
                idx.commit()
            })
            .await
            .map_err(|e| ServiceError::Forbidden(e.to_string()))?
            .map_err(|e| ServiceError::Forbidden(format!("search index: {e}")))?;
            total += n;
            // Edits are taken once per pass; further batches only follow the watermark.
            edited_after = now_millis();
            if (n as i64) < BATCH {
                break;
            }
        }
        Ok(total)
    }

    /// Keep the index up to date, forever (run by `parvis serve`).
    pub fn spawn_indexer(&self, every: Duration) -> tokio::task::JoinHandle<()> {
        let me = self.clone();
        tokio::spawn(async move {
            let mut edited_after = now_millis();
            let mut tick = tokio::time::interval(every);
            loop {
                tick.tick().await;
                let started = now_millis();
                match me.index_pass(edited_after).await {
                    Ok(0) => {}
                    Ok(n) => tracing::info!(messages = n, "search index updated"),
                    Err(e) => tracing::warn!(error = %e, "search indexing failed"),
                }
                edited_after = started;
            }
        })
    }

    /// The filters of `req`, parsed and resolved (an unknown author or topic is an error).
    pub(crate) async fn search_filters(
        &self,
        space: &Space,
        req: &SearchRequest,
    ) -> Result<SearchFilters> {
        let author_id = match req
            .author
            .as_deref()
            .map(str::trim)
            .filter(|a| !a.is_empty())
        {
            Some(handle) => Some(self.member(None, handle).await?.id.0),
            None => None,
        };
        let topic = match req
            .topic
            .as_deref()
            .map(str::trim)
            .filter(|t| !t.is_empty())
        {
            Some(slug) => Some(self.topic(space, slug).await?),
            None => None,
        };
        let from = req
            .from
            .as_deref()
            .filter(|s| !s.trim().is_empty())
            .map(|s| day_start("from", s))
            .transpose()?;
        let to = req
            .to
            .as_deref()
            .filter(|s| !s.trim().is_empty())
            .map(|s| day_start("to", s).map(|t| t + 86_400_000))
            .transpose()?;
        Ok(SearchFilters {
            channel: req.channel.clone().filter(|c| !c.trim().is_empty()),
            author_id,
            topic,
            from,
            to,
        })
    }

    /// Search a space.
    pub async fn search(&self, space: &Space, req: &SearchRequest) -> Result<SearchResults> {
        let filters = self.search_filters(space, req).await?;
        self.search_filtered(space, req, &filters).await
    }

    /// Search a space with filters already resolved.
    pub(crate) async fn search_filtered(
        &self,
        space: &Space,
        req: &SearchRequest,
        filters: &SearchFilters,
    ) -> Result<SearchResults> {
        let index = self.search_index()?;
        let query = SearchQuery {
            space_id: space.id.0,
            text: req.q.chars().take(1_000).collect(),
            channel: filters.channel.clone(),
            author_id: filters.author_id,
            from: filters.from,
            to: filters.to,
            topic_id: filters.topic.as_ref().map(|t| t.id.0),
            limit: req.page.per_page as usize,
            offset: req.page.offset() as usize,
        };
        tokio::task::spawn_blocking(move || index.search(&query))
            .await
            .map_err(|e| ServiceError::Forbidden(e.to_string()))?
            .map_err(|e| ValidationError::new("q", e.to_string()).into())
    }
}
