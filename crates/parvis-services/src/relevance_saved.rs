//! Feed engines saved to disk, so that a restarted server serves "Pour vous" at once.
//!
//! Building a space's engine replays its whole history (about a minute at a million
//! messages). The background task saves each engine after its build, then again once enough
//! has arrived (`SAVE_AFTER_MESSAGES`, or anything after `SAVE_EVERY`). At start-up an engine
//! is read back instead of built when its file still matches the store: the same count of the
//! space's messages up to the last one it saw (a deletion changes it) with the same times, no
//! erasure and no member merge since (both change whose words are whose). The first refresh
//! then feeds what arrived after the save, as for any running engine. Anything else (no file,
//! another format or configuration, a damaged file, a store that moved on) is logged and the
//! engine is built as before: a saved engine is a cache, never the truth.
//!
//! Mutes are taken from the store again on reading back (one may have been lifted since the
//! save); "not interested" is applied again too (it counts once).

use crate::Services;
use crate::relevance::{SpaceEngine, feedback_of};
use parvis_domain::{Millis, SpaceId, now_millis};
use parvis_relevance as rel;
use serde::{Deserialize, Serialize};
use std::io::{BufReader, BufWriter, Write};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::Mutex;

/// Messages fed since the last save after which an engine is saved again: reading back
/// replays at most about this many, well under a second.
const SAVE_AFTER_MESSAGES: i64 = 2_000;
/// Anything new is saved after this long.
const SAVE_EVERY: Duration = Duration::from_secs(600);

/// What a saved engine had seen, checked against the store before it is used.
#[derive(Debug, Serialize, Deserialize)]
struct SavedHeader {
    space: i64,
    last_message: i64,
    events_since: Millis,
    fingerprint: [i64; 4],
    saved_at: Millis,
}

/// Where a space's feed engine stands (for operators and tests).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FeedEngineStatus {
    /// Read back from disk at start-up rather than built from the whole history.
    pub read_back: bool,
    /// The highest message id it has taken in.
    pub last_message: i64,
    /// The highest message id in its last saved copy (none: not saved).
    pub saved_message: Option<i64>,
}

impl Services {
    /// Where `space`'s feed engine stands (built or read back first if needed).
    pub async fn feed_engine_status(
        &self,
        space: &parvis_domain::Space,
    ) -> crate::Result<FeedEngineStatus> {
        let slot = self.space_engine(space).await?;
        let s = slot.lock().await;
        Ok(FeedEngineStatus {
            read_back: s.read_back,
            last_message: s.last_message,
            saved_message: (s.saved_message >= 0).then_some(s.saved_message),
        })
    }

    /// Save feed engines in `dir` (created when first needed) and read them back at start-up.
    pub fn with_feed_dir(self, dir: PathBuf) -> Self {
        if let Ok(mut slot) = self.inner.feeds.dir.write() {
            *slot = Some(dir);
        }
        self
    }

    fn feed_file(&self, space: SpaceId) -> Option<PathBuf> {
        let dir = self.inner.feeds.dir.read().ok()?.clone()?;
        Some(dir.join(format!("space-{}.feed", space.0)))
    }

    /// The engine saved for `space`, if there is one and it still matches the store.
    pub(crate) async fn read_saved_engine(&self, space: SpaceId) -> Option<SpaceEngine> {
        let path = self.feed_file(space)?;
        if !path.exists() {
            return None;
        }
        let started = Instant::now();
        let why = match self.try_read_saved(space, &path).await {
            Ok(saved) => {
                tracing::info!(
                    space = space.0,
                    last_message = saved.last_message,
                    seconds = started.elapsed().as_secs_f64(),
                    "feed engine read back from disk"
                );
                return Some(saved);
            }
            Err(why) => why,
        };
        tracing::info!(space = space.0, file = %path.display(), reason = %why, "saved feed engine not used; building it");
        None
    }

    async fn try_read_saved(
        &self,
        space: SpaceId,
        path: &std::path::Path,
    ) -> Result<SpaceEngine, String> {
        let p = path.to_path_buf();
        let (header, reader, limit) = tokio::task::spawn_blocking(move || {
            let file = std::fs::File::open(&p).map_err(|e| e.to_string())?;
            // Nothing decoded may claim more than the file holds.
            let limit = file.metadata().map_err(|e| e.to_string())?.len() + 1024;
            let mut reader = BufReader::with_capacity(1 << 20, file);
            let header: SavedHeader =
                rel::persist::read_header(&mut reader, limit).map_err(|e| e.to_string())?;
            Ok::<_, String>((header, reader, limit))
        })
        .await
        .map_err(|e| e.to_string())??;
        if header.space != space.0 {
            return Err(format!("saved for space {}", header.space));
        }
        // Decoding (most of a restart's wait: ~0.65 s at a million messages) runs while the
        // store is checked (~0.1 s on SQLite, ~0.4 s on PostgreSQL); a mismatch drops it.
        let decoding = tokio::task::spawn_blocking(move || {
            let mut reader = reader;
            rel::persist::read_engine(&mut reader, &rel::Config::default(), limit)
                .map_err(|e| e.to_string())
        });
        let now = self
            .store()
            .feed_fingerprint(space, header.last_message)
            .await
            .map_err(|e| e.to_string())?;
        if now != header.fingerprint {
            return Err(format!(
                "the store changed since it was saved (messages, their times, erasures, merges: {:?} then, {:?} now)",
                header.fingerprint, now
            ));
        }
        let feedback = self
            .store()
            .all_feedback()
            .await
            .map_err(|e| e.to_string())?;
        let mut engine = decoding.await.map_err(|e| e.to_string())??;
        engine.clear_mutes();
        for (member, kind, target) in &feedback {
            if let Some(f) = feedback_of(kind, *target) {
                engine.add_feedback(rel::MemberId(member.0), f);
            }
        }
        let long_ago = Instant::now()
            .checked_sub(Duration::from_secs(3600))
            .unwrap_or_else(Instant::now);
        Ok(SpaceEngine {
            engine,
            last_message: header.last_message,
            events_since: header.events_since,
            // Refreshed at the first use: what arrived after the save is fed then.
            refreshed: long_ago,
            saved_message: header.last_message,
            saved: Instant::now(),
            read_back: true,
        })
    }

    /// Saves `slot`'s engine when it was never saved, or enough arrived since its last save.
    pub(crate) async fn save_engine_when_due(&self, space: SpaceId, slot: Arc<Mutex<SpaceEngine>>) {
        let Some(path) = self.feed_file(space) else {
            return;
        };
        // Decided under a short lock; the store's count (a scan of the space's messages) runs
        // without it, so feeds are not held up by it.
        let upto = {
            let s = slot.lock().await;
            let fresh = s.last_message - s.saved_message;
            let due = s.saved_message < 0
                || fresh >= SAVE_AFTER_MESSAGES
                || (fresh > 0 && s.saved.elapsed() >= SAVE_EVERY);
            if !due {
                return;
            }
            s.last_message
        };
        let fingerprint = match self.store().feed_fingerprint(space, upto).await {
            Ok(f) => f,
            Err(e) => {
                tracing::warn!(space = space.0, error = %e, "feed engine not saved");
                return;
            }
        };
        let guard = slot.lock_owned().await;
        if guard.last_message != upto {
            return; // fed meanwhile: the fingerprint no longer matches; the next round saves
        }
        let started = Instant::now();
        // The engine is written while its lock is held (a feed asked meanwhile waits for the
        // write); the file appears whole or not at all (written aside, then renamed).
        let done = tokio::task::spawn_blocking(move || {
            let mut guard = guard;
            let header = SavedHeader {
                space: space.0,
                last_message: guard.last_message,
                events_since: guard.events_since,
                fingerprint,
                saved_at: now_millis(),
            };
            let result = write_atomically(&path, |out| {
                rel::persist::save(out, &header, &guard.engine).map_err(std::io::Error::other)
            });
            if result.is_ok() {
                guard.saved_message = guard.last_message;
                guard.saved = Instant::now();
            }
            result.map(|bytes| (bytes, path))
        })
        .await
        .map_err(|e| e.to_string())
        .and_then(|written| written.map_err(|e| e.to_string()));
        match done {
            Ok((bytes, path)) => tracing::info!(
                space = space.0,
                file = %path.display(),
                bytes,
                seconds = started.elapsed().as_secs_f64(),
                "feed engine saved"
            ),
            Err(e) => tracing::warn!(space = space.0, error = %e, "feed engine not saved"),
        }
    }
}

/// Writes `path` through a temporary file renamed over it; the bytes written.
fn write_atomically(
    path: &std::path::Path,
    write: impl FnOnce(&mut BufWriter<std::fs::File>) -> std::io::Result<()>,
) -> std::io::Result<u64> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    // Named by process: two instances pointed at one directory never write the same file.
    let tmp = path.with_extension(format!("feed.{}.tmp", std::process::id()));
    let mut out = BufWriter::with_capacity(1 << 20, std::fs::File::create(&tmp)?);
    let written = write(&mut out).and_then(|()| out.flush());
    if let Err(e) = written {
        drop(out);
        let _ = std::fs::remove_file(&tmp);
        return Err(e);
    }
    let file = out.into_inner().map_err(|e| e.into_error())?;
    file.sync_all()?;
    let bytes = file.metadata()?.len();
    drop(file);
    std::fs::rename(&tmp, path)?;
    Ok(bytes)
}
