//! Thread pages kept in the store as the API answers them (schema version 33).
//!
//! Why: a thread page read afresh is three queries and 70 kB of JSON written around fifty
//! messages, several times the work of handing out ready bytes; the in-memory cache avoids it
//! but belongs to one process, and instances sharing a store run without it to never answer
//! stale. A page kept here is shared by every instance and is exact: it is served only when it
//! was written at the store's current content version, and the version is read in the same
//! read as the page (see [`Store::thread_page_stored_or_with`]).

use crate::content_read::read_thread_page;
use crate::read::Arg;
use crate::{Result, Store, ThreadPageVisitor};
use parvis_domain::{PageRequest, ThreadId};

/// What a read of a thread page found.
#[derive(Debug)]
pub enum ThreadPageRead<T> {
    /// The answer kept in the store, current (UTF-8 JSON, as it was kept).
    Stored(Vec<u8>),
    /// The page read afresh through the visitor; `version` is the content version it was read
    /// at (to keep it under, [`Store::keep_thread_page`]), `None` for a store without one.
    Fresh { version: Option<i64>, output: T },
}

/// The content version and, when one was kept at that version, the page's answer. The version
/// is read first: every write whose version bump this read saw is committed, so a page read
/// after it shows at least those writes.
const STORED_SQL: &str = "SELECT CAST(m.value AS BIGINT), s.body FROM parvis_meta m
     LEFT JOIN stored_thread_pages s ON s.thread_id = $1 AND s.page = $2 AND s.per_page = $3
          AND s.version = CAST(m.value AS BIGINT)
     WHERE m.key = 'content_version'";

/// Keep an answer unless a newer one is already there (two readers racing a write).
const KEEP_SQL: &str = "INSERT INTO stored_thread_pages (thread_id, page, per_page, version, body)
     VALUES ($1, $2, $3, $4, $5)
     ON CONFLICT (thread_id, page, per_page) DO UPDATE SET version = excluded.version, body = excluded.body
     WHERE stored_thread_pages.version < excluded.version";

impl Store {
    /// A thread page's answer kept in the store if it is current, or else the page read
    /// afresh through `visitor` in the same read (one snapshot on SQLite). `None`: no such
    /// thread.
    pub async fn thread_page_stored_or_with<V: ThreadPageVisitor>(
        &self,
        id: ThreadId,
        page: PageRequest,
        visitor: V,
    ) -> Result<Option<ThreadPageRead<V::Output>>> {
        self.reads
            .run_short(move |r| {
                Box::pin(async move {
                    let args = [
                        Arg::Int(id.0),
                        Arg::Int(i64::from(page.page)),
                        Arg::Int(i64::from(page.per_page)),
                    ];
                    let found = r
                        .opt(STORED_SQL, &args, |c| Ok((c.int(0)?, c.opt_text_bytes(1)?)))
                        .await?;
                    let version = match found {
                        Some((_, Some(body))) => return Ok(Some(ThreadPageRead::Stored(body))),
                        Some((version, None)) => Some(version),
                        None => None,
                    };
                    let read = read_thread_page(r, id, page, visitor).await?;
                    Ok(read.map(|output| ThreadPageRead::Fresh { version, output }))
                })
            })
            .await
    }

    /// Keep `body` as the answer for this page at content `version`. Through the store's
    /// general pool, as most writes: a page is kept once per write to the store, not on every
    /// read, and that pool is open anyway (the native write path would open a connection of
    /// its own in a server that may not otherwise need it: 2 MB more resident at rest).
    pub async fn keep_thread_page(
        &self,
        id: ThreadId,
        page: PageRequest,
        version: i64,
        body: bytes::Bytes,
    ) -> Result<()> {
        let text = std::str::from_utf8(&body)
            .map_err(|_| crate::StoreError::Read("a thread page that is not UTF-8"))?;
        sqlx::query(KEEP_SQL)
            .bind(id.0)
            .bind(i64::from(page.page))
            .bind(i64::from(page.per_page))
            .bind(version)
            .bind(text)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Delete every kept page (after a bulk change: an erasure must not leave what it erased
    /// in a kept answer, even one no longer served). How many went.
    pub async fn forget_thread_pages(&self) -> Result<u64> {
        let done = sqlx::query("DELETE FROM stored_thread_pages")
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected())
    }

    /// How many pages are kept (what the tests check).
    pub async fn kept_thread_pages(&self) -> Result<i64> {
        self.reads
            .run_short(|r| {
                Box::pin(async move {
                    r.count("SELECT COUNT(*) FROM stored_thread_pages", &[])
                        .await
                })
            })
            .await
    }
}
