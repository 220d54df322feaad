//! Following feeds live: RSS/Atom feeds and Mastodon outboxes registered with
//! `parvis follow add`, polled by `parvis serve`.
//!
//! Each poll is a conditional GET (`If-None-Match` / `If-Modified-Since` from the last answer),
//! so an unchanged feed costs a 304 and nothing else. What comes back goes through the same
//! importer as files (upserts on the items' own ids: nothing is imported twice). A failing
//! feed is retried later and later (doubling from the normal interval up to a day), and its
//! last error is kept for the admin to see.

use crate::import::{ImportOptions, ImportOutcome, ImportSummary};
use crate::{Result, ServiceError, Services};
use parvis_domain::now_millis;
use parvis_import::Format;
use parvis_store::FollowedSource;
use std::time::Duration;

/// The largest feed read, after decompression (real feeds are kilobytes to a few megabytes).
pub const MAX_FEED_BYTES: usize = 32 * 1024 * 1024;

/// The longest wait between two polls of a failing feed.
const MAX_BACKOFF_MS: i64 = 24 * 3600 * 1000;

/// The delay before the next poll: the interval when all is well, doubling with each failure.
pub fn next_delay_ms(interval_ms: i64, failures: i64) -> i64 {
    let factor = 1i64 << failures.clamp(0, 20);
    interval_ms
        .saturating_mul(factor)
        .min(MAX_BACKOFF_MS.max(interval_ms))
}

impl Services {
    /// Follow a feed in a space. `format` is `rss` (RSS and Atom) or `mastodon` (an outbox).
    pub async fn follow(&self, space: &str, url: &str, format: Option<&str>) -> Result<i64> {
        let space = self.space(space).await?;
        let parsed = url::Url::parse(url)
            .map_err(|e| parvis_domain::ValidationError::new("url", format!("not a URL: {e}")))?;
        if !matches!(parsed.scheme(), "http" | "https") {
            return Err(parvis_domain::ValidationError::new(
                "url",
                "only http:// and https:// feeds can be followed",
            )
            .into());
        }
        let format = match format {
            Some(f) => f.to_string(),
            None if url.contains("/outbox") => "mastodon".into(),
            None => "rss".into(),
        };
        format
            .parse::<Format>()
            .map_err(|e| parvis_domain::ValidationError::new("format", e.to_string()))?;
        Ok(self
            .store()
            .follow(space.id, url, &format, now_millis())
            .await?)
    }

    /// Poll one feed now and import what is new.
    pub async fn poll_source(
        &self,
        client: &reqwest::Client,
        src: &FollowedSource,
        interval_ms: i64,
    ) -> Result<Option<ImportSummary>> {
        let now = now_millis();
        let mut req = client.get(&src.url);
        if let Some(etag) = &src.etag {
            req = req.header(reqwest::header::IF_NONE_MATCH, etag);
        }
        if let Some(lm) = &src.last_modified {
            req = req.header(reqwest::header::IF_MODIFIED_SINCE, lm);
        }
        let fail = |e: String| async move {
            let next = now + next_delay_ms(interval_ms, src.failures + 1);
            self.store()
                .record_poll(src.id, now, next, None, None, Some(&e), 0)
                .await?;
            tracing::warn!(
                url = src.url.as_str(),
                error = e.as_str(),
                "feed poll failed"
            );
            Ok::<_, ServiceError>(None)
        };
        let resp = match req.send().await {
            Ok(r) => r,
            Err(e) => return fail(e.to_string()).await,
        };
        let status = resp.status();
        if status == reqwest::StatusCode::NOT_MODIFIED {
            self.store()
                .record_poll(src.id, now, now + interval_ms, None, None, None, 0)
                .await?;
            return Ok(None);
        }
        if !status.is_success() {
            return fail(format!("HTTP {status}")).await;
        }
        let header = |name| {
            resp.headers()
                .get(name)
                .and_then(|v: &reqwest::header::HeaderValue| v.to_str().ok())
                .map(str::to_string)
        };
        let etag = header(reqwest::header::ETAG);
        let last_modified = header(reqwest::header::LAST_MODIFIED);
        let content_type = header(reqwest::header::CONTENT_TYPE);
        // Read at most MAX_FEED_BYTES, counted after decompression: a gzip bomb served as a
        // feed must not take the server's memory.
        let mut resp = resp;
        let mut body = Vec::new();
        loop {
            match resp.chunk().await {
                Ok(Some(chunk)) => {
                    if body.len() + chunk.len() > MAX_FEED_BYTES {
                        return fail(format!(
                            "the feed is larger than {} MiB (after decompression); not read",
                            MAX_FEED_BYTES >> 20
                        ))
                        .await;
                    }
                    body.extend_from_slice(&chunk);
                }
                Ok(None) => break,
                Err(e) => return fail(e.to_string()).await,
            }
        }
        // The parsers read files; a feed is small, so a temporary file is the simple way.
        // A charset given only in the HTTP header is honoured by re-encoding to UTF-8 first.
        let text = match content_type
            .as_deref()
            .and_then(|ct| ct.split("charset=").nth(1))
        {
            Some(cs) => {
                parvis_import::decode_to_utf8(&body, Some(cs.trim_matches('"'))).into_bytes()
            }
            None => body,
        };
        // Errors name the file `feed`, not the server's temporary folder.
        let dir = tempfile::tempdir().map_err(|e| ServiceError::Forbidden(e.to_string()))?;
        let path = dir.path().join("feed");
        std::fs::write(&path, &text).map_err(|e| ServiceError::Forbidden(e.to_string()))?;
        let format: Format = src
            .format
            .parse()
            .map_err(|e: parvis_import::ImportError| ServiceError::Forbidden(e.to_string()))?;
        let space = self
            .store()
            .space_by_id(src.space_id)
            .await?
            .ok_or_else(|| ServiceError::NotFound("space".into()))?;
        let opts = ImportOptions {
            space: space.slug,
            hide_dir: Some(dir.path().to_path_buf()),
            ..Default::default()
        };
        match self.import(format, vec![path], &opts, |_| {}).await {
            // A feed that yields nothing readable is a failure: backed off like an HTTP error.
            Ok(sum) if sum.outcome == ImportOutcome::Nothing && sum.errors > 0 => {
                fail(format!(
                    "nothing readable in the feed: {}",
                    sum.error_examples.first().cloned().unwrap_or_default()
                ))
                .await
            }
            Ok(sum) => {
                let n = (sum.messages_created + sum.messages_updated) as i64;
                self.store()
                    .record_poll(
                        src.id,
                        now,
                        now + interval_ms,
                        etag.as_deref(),
                        last_modified.as_deref(),
                        None,
                        n,
                    )
                    .await?;
                tracing::info!(
                    url = src.url.as_str(),
                    created = sum.messages_created,
                    "feed polled"
                );
                Ok(Some(sum))
            }
            Err(e) => fail(e.to_string()).await,
        }
    }

    /// Poll every due feed, forever, checking every `tick`. Run by `parvis serve`.
    pub fn spawn_follower(
        &self,
        interval: Duration,
        tick: Duration,
    ) -> tokio::task::JoinHandle<()> {
        let me = self.clone();
        tokio::spawn(async move {
            let client = match reqwest::Client::builder()
                .timeout(Duration::from_secs(30))
                .user_agent(concat!(
                    "Parvis/",
                    env!("CARGO_PKG_VERSION"),
                    " (feed follower)"
                ))
                .build()
            {
                Ok(c) => c,
                Err(e) => {
                    tracing::error!(error = %e, "cannot build the HTTP client; feeds will not be followed");
                    return;
                }
            };
            let mut timer = tokio::time::interval(tick);
            loop {
                timer.tick().await;
                let due = match me.store().followed_sources(Some(now_millis())).await {
                    Ok(d) => d,
                    Err(e) => {
                        tracing::warn!(error = %e, "cannot list followed feeds");
                        continue;
                    }
                };
                for src in due {
                    if let Err(e) = me
                        .poll_source(&client, &src, interval.as_millis() as i64)
                        .await
                    {
                        tracing::warn!(url = src.url.as_str(), error = %e, "feed poll failed");
                    }
                }
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn back_off_doubles_up_to_a_day() {
        assert_eq!(next_delay_ms(60_000, 0), 60_000);
        assert_eq!(next_delay_ms(60_000, 1), 120_000);
        assert_eq!(next_delay_ms(60_000, 3), 480_000);
        assert_eq!(next_delay_ms(60_000, 40), MAX_BACKOFF_MS);
    }
}
