//! The thread-page cache: ready-to-send JSON per (thread, page), invalidated on write.

use bytes::Bytes;
use parvis_domain::{PageRequest, ThreadId};
use std::collections::HashMap;
use std::sync::RwLock;

/// Above this many cached threads the whole cache is dropped (a crude but bounded policy:
/// the hot set refills in one request each).
const MAX_THREADS: usize = 20_000;

#[derive(Default)]
struct Entry {
    generation: u64,
    pages: HashMap<(u32, u32), Bytes>,
}

#[derive(Default)]
pub(crate) struct ThreadCache {
    threads: RwLock<HashMap<ThreadId, Entry>>,
}

impl ThreadCache {
    pub(crate) fn get(&self, id: ThreadId, page: PageRequest) -> Option<Bytes> {
        let map = self.threads.read().ok()?;
        map.get(&id)?
            .pages
            .get(&(page.page, page.per_page))
            .cloned()
    }

    /// The generation to remember before reading from the store.
    pub(crate) fn generation(&self, id: ThreadId) -> u64 {
        self.threads
            .read()
            .ok()
            .and_then(|m| m.get(&id).map(|e| e.generation))
            .unwrap_or(0)
    }

    /// Keep `bytes` unless the thread was written since `generation` was read.
    pub(crate) fn put(&self, id: ThreadId, page: PageRequest, generation: u64, bytes: Bytes) {
        let Ok(mut map) = self.threads.write() else {
            return;
        };
        if map.len() >= MAX_THREADS && !map.contains_key(&id) {
            map.clear();
        }
        let entry = map.entry(id).or_default();
        if entry.generation == generation {
            entry.pages.insert((page.page, page.per_page), bytes);
        }
    }

    /// Forget everything (generations move on, so in-flight reads are not put back).
    pub(crate) fn clear(&self) {
        if let Ok(mut map) = self.threads.write() {
            for entry in map.values_mut() {
                entry.generation += 1;
                entry.pages.clear();
            }
        }
    }

    /// Forget a thread's pages after a write.
    pub(crate) fn invalidate(&self, id: ThreadId) {
        if let Ok(mut map) = self.threads.write() {
            let entry = map.entry(id).or_default();
            entry.generation += 1;
            entry.pages.clear();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_write_during_a_read_keeps_the_stale_page_out() {
        let c = ThreadCache::default();
        let p = PageRequest::new(None, None, 50);
        let g = c.generation(ThreadId(1));
        c.invalidate(ThreadId(1)); // a write lands while the reader is at the store
        c.put(ThreadId(1), p, g, Bytes::from_static(b"old"));
        assert!(c.get(ThreadId(1), p).is_none());
        let g = c.generation(ThreadId(1));
        c.put(ThreadId(1), p, g, Bytes::from_static(b"new"));
        assert_eq!(c.get(ThreadId(1), p).as_deref(), Some(&b"new"[..]));
    }
}
