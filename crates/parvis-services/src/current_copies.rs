//! Copies of answers kept in memory while the store's content version is the one they were
//! made at.
//!
//! Unlike the thread cache (fresh within a second of another instance's write), a copy here is
//! exact: whoever serves it first reads the store's content version
//! ([`parvis_store::Store::current_content_version`], begun after the request arrived) and
//! serves the copy only if it was made at that version. So it may be used by instances sharing
//! a store (`--thread-cache false`), and for pages drawn from many tables (the store's triggers
//! move the version with every change a page lists, schema version 34). What it saves is the
//! work between that one read and the answer: reading a page's rows and writing it out.

use bytes::Bytes;
use parvis_domain::Millis;
use std::collections::HashMap;
use std::hash::Hash;
use std::sync::Mutex;

/// Copies by key, within a budget of bytes.
pub struct CurrentCopies<K> {
    budget: usize,
    inner: Mutex<Copies<K>>,
}

struct Copies<K> {
    copies: HashMap<K, Copy>,
    bytes: usize,
}

struct Copy {
    /// The content version the copy was made at.
    version: i64,
    /// When it stops being true whatever the store does (`None`: never).
    until: Option<Millis>,
    body: Bytes,
}

impl<K: Hash + Eq> CurrentCopies<K> {
    /// At most `budget` bytes of copies (one copy is at most an eighth of it).
    pub fn new(budget: usize) -> Self {
        Self {
            budget,
            inner: Mutex::new(Copies {
                copies: HashMap::new(),
                bytes: 0,
            }),
        }
    }

    /// The copy for `key` if it was made at `version` and is still true at `now`.
    pub fn get(&self, key: &K, version: i64, now: Millis) -> Option<Bytes> {
        let copies = self.inner.lock().ok()?;
        let copy = copies.copies.get(key)?;
        (copy.version == version && copy.until.is_none_or(|u| now < u)).then(|| copy.body.clone())
    }

    /// Keep `body` for `key`, made at `version`; an older copy is replaced, a newer one kept.
    /// Over the budget, copies of older versions go first, then all.
    pub fn keep(&self, key: K, version: i64, until: Option<Millis>, body: Bytes) {
        if body.len() > self.budget / 8 {
            return;
        }
        let Ok(mut copies) = self.inner.lock() else {
            return;
        };
        if copies
            .copies
            .get(&key)
            .is_some_and(|old| old.version > version)
        {
            return;
        }
        if copies.bytes + body.len() > self.budget {
            copies.copies.retain(|_, c| c.version >= version);
            copies.bytes = copies.copies.values().map(|c| c.body.len()).sum();
            if copies.bytes + body.len() > self.budget {
                copies.copies.clear();
                copies.bytes = 0;
            }
        }
        copies.bytes += body.len();
        let copy = Copy {
            version,
            until,
            body,
        };
        if let Some(old) = copies.copies.insert(key, copy) {
            copies.bytes -= old.body.len();
        }
    }

    /// Forget every copy.
    pub fn clear(&self) {
        if let Ok(mut copies) = self.inner.lock() {
            copies.copies.clear();
            copies.bytes = 0;
        }
    }

    /// How many bytes are kept (for the tests).
    #[cfg(test)]
    fn bytes(&self) -> usize {
        self.inner.lock().map(|c| c.bytes).unwrap_or(0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn body(n: usize) -> Bytes {
        Bytes::from(vec![b'x'; n])
    }

    #[test]
    fn a_copy_is_served_only_at_its_version_and_before_its_end() {
        let copies = CurrentCopies::new(1 << 20);
        copies.keep("/s/a", 7, Some(1_000), body(10));
        assert_eq!(copies.get(&"/s/a", 7, 999).map(|b| b.len()), Some(10));
        assert!(copies.get(&"/s/a", 8, 999).is_none(), "content changed");
        assert!(copies.get(&"/s/a", 7, 1_000).is_none(), "the page ended");
        assert!(copies.get(&"/s/b", 7, 999).is_none(), "another key");
    }

    #[test]
    fn a_newer_copy_is_not_replaced_by_an_older_one() {
        let copies = CurrentCopies::new(1 << 20);
        copies.keep("/s/a", 8, None, body(20));
        copies.keep("/s/a", 7, None, body(10));
        assert_eq!(copies.get(&"/s/a", 8, 0).map(|b| b.len()), Some(20));
        copies.keep("/s/a", 9, None, body(30));
        assert_eq!(copies.get(&"/s/a", 9, 0).map(|b| b.len()), Some(30));
        assert_eq!(
            copies.bytes(),
            30,
            "the replaced copy's bytes are given back"
        );
    }

    #[test]
    fn the_budget_holds_however_many_keys_are_asked() {
        let budget = 4 << 20;
        let copies = CurrentCopies::new(budget);
        let size = 12 * 1024;
        for i in 0..2_000 {
            copies.keep(format!("/s/a?page={i}"), 1, None, body(size));
            assert!(copies.bytes() <= budget);
        }
        assert!(copies.get(&"/s/a?page=1999".to_string(), 1, 0).is_some());
        copies.keep("/s/b".to_string(), 2, None, body(size));
        assert!(copies.bytes() <= budget);
        assert!(copies.get(&"/s/b".to_string(), 2, 0).is_some());
        copies.keep("/s/c".to_string(), 2, None, body(budget));
        assert!(
            copies.get(&"/s/c".to_string(), 2, 0).is_none(),
            "one copy may not take the whole budget"
        );
    }
}
