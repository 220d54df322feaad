//! The known state at a cut-off ([`Known`]): the engine and the baselines' counters, fed
//! message by message in time order, and the baselines' [`Orders`] of every known thread.

use rustc_hash::{FxHashMap, FxHashSet};

use super::EvalMessage;
use super::corpus::first_name;
use crate::engine::{Config, Engine, FeedOptions, MessageInput};
use crate::{MemberId, ThreadId};

/// New join samples after which the evaluation refits the scorer.
const REFIT_EVERY: usize = 250;

/// Known state at a cut-off, fed message by message in time order.
pub(super) struct Known<'a> {
    pub(super) engine: Engine,
    pub(super) person_ix: FxHashMap<&'a str, i64>,
    pub(super) thread_ix: FxHashMap<&'a str, i64>,
    pub(super) thread_keys: Vec<&'a str>,
    author_of: FxHashMap<&'a str, i64>,
    /// Per thread: (last activity, messages).
    stats: Vec<(i64, u32)>,
    /// Per thread: `Σ 2^(−(last − at)/h)` over its messages, as of its last
    /// activity (≥ 1), for the `hot` baseline; kept in this form so that old
    /// threads never underflow to a tie.
    hot: Vec<f64>,
    /// Half-life of `hot`, in ms.
    hot_half_life_ms: f64,
    /// Whether Parvis's page is diversified.
    diversify: bool,
    pub(super) posted: FxHashMap<i64, FxHashSet<i64>>,
    /// Last message time per person.
    pub(super) last_seen: FxHashMap<&'a str, i64>,
    /// Folded first name → person (`None` when two people share it).
    first_names: FxHashMap<String, Option<i64>>,
}

impl<'a> Known<'a> {
    pub(super) fn new(config: &Config, hot_half_life_hours: f64, diversify: bool) -> Self {
        Known {
            diversify,
            hot: Vec::new(),
            hot_half_life_ms: (hot_half_life_hours * 3_600_000.0).max(1.0),
            engine: Engine::new(config.clone()),
            person_ix: FxHashMap::default(),
            thread_ix: FxHashMap::default(),
            thread_keys: Vec::new(),
            author_of: FxHashMap::default(),
            stats: Vec::new(),
            posted: FxHashMap::default(),
            last_seen: FxHashMap::default(),
            first_names: FxHashMap::default(),
        }
    }

    pub(super) fn add(&mut self, m: &'a EvalMessage) {
        let n = self.person_ix.len() as i64;
        let p = *self.person_ix.entry(m.person.as_str()).or_insert(n);
        let n = self.thread_ix.len() as i64;
        let keys = &mut self.thread_keys;
        let t = *self.thread_ix.entry(m.thread.as_str()).or_insert_with(|| {
            keys.push(m.thread.as_str());
            n
        });
        if self.stats.len() <= t as usize {
            self.stats.push((m.at, 0));
            self.hot.push(0.0);
        }
        let st = &mut self.stats[t as usize];
        let dt = (m.at - st.0).max(0) as f64;
        let h = &mut self.hot[t as usize];
        *h = *h * (-dt / self.hot_half_life_ms).exp2() + 1.0;
        st.0 = st.0.max(m.at);
        st.1 += 1;
        self.posted.entry(p).or_default().insert(t);
        self.last_seen.insert(m.person.as_str(), m.at);
        let reply_to = m
            .parent
            .as_deref()
            .and_then(|pid| self.author_of.get(pid))
            .map(|&a| MemberId(a));
        self.author_of.insert(m.id.as_str(), p);
        let mentions = self.mentions(m, p);
        if let Some(first) = first_name(&m.name) {
            let e = self.first_names.entry(first).or_insert(Some(p));
            if *e != Some(p) {
                *e = None;
            }
        }
        self.engine.add_message(&MessageInput {
            mentions: &mentions,
            thread: ThreadId(t),
            author: MemberId(p),
            at: m.at,
            text: &m.text,
            title: m.title.as_deref(),
            topics: &[],
            reply_to,
        });
    }

    /// People greeted by first name in the first line of the message
    /// ("Hi Roger," / "Dear Edzer"), among first names seen so far that
    /// belong to one person only.
    fn mentions(&self, m: &EvalMessage, author: i64) -> Vec<MemberId> {
        let Some(line) = m.text.lines().map(str::trim).find(|l| !l.is_empty()) else {
            return Vec::new();
        };
        let mut out = Vec::new();
        for w in line
            .split(|c: char| !c.is_alphabetic())
            .filter(|w| !w.is_empty())
            .take(8)
        {
            if !w.chars().next().is_some_and(char::is_uppercase) {
                continue;
            }
            if let Some(Some(p)) = self.first_names.get(&crate::text::fold(w))
                && *p != author
                && !out.contains(&MemberId(*p))
            {
                out.push(MemberId(*p));
            }
        }
        out
    }

    /// Refits the engine's scorer on the join samples seen so far, when
    /// enough new ones came in (every fit only ever sees the past).
    pub(super) fn refit(&mut self) {
        if self.engine.config().learn_from_history {
            self.engine.learn_when_due(REFIT_EVERY);
        }
    }

    /// Thread indexes newest-active first, most-messages first (ties by
    /// recency), and hottest first as of `now`.
    pub(super) fn baseline_orders(&self, now: i64) -> Orders {
        let mut by_recent: Vec<i64> = (0..self.stats.len() as i64).collect();
        by_recent.sort_by(|a, b| {
            self.stats[*b as usize]
                .0
                .cmp(&self.stats[*a as usize].0)
                .then(a.cmp(b))
        });
        let mut by_active = by_recent.clone();
        // Stable sort: ties stay in recency order.
        by_active.sort_by(|a, b| self.stats[*b as usize].1.cmp(&self.stats[*a as usize].1));
        // log2 of the decayed count: log2(s) − (now − last)/h.
        let hot_of = |t: i64| {
            let (last, _) = self.stats[t as usize];
            self.hot[t as usize].log2() - (now - last).max(0) as f64 / self.hot_half_life_ms
        };
        let mut hot: Vec<(f64, i64)> = by_recent.iter().map(|&t| (hot_of(t), t)).collect();
        // Stable sort: ties stay in recency order.
        hot.sort_by(|a, b| b.0.total_cmp(&a.0));
        Orders {
            recent: by_recent,
            active: by_active,
            hot: hot.into_iter().map(|e| e.1).collect(),
        }
    }

    /// Top-20 of each method for `user` as of `now`.
    pub(super) fn rankings(
        &self,
        user: &str,
        now: i64,
        orders: &Orders,
    ) -> Option<[Vec<String>; 4]> {
        let &p = self.person_ix.get(user)?;
        let empty = FxHashSet::default();
        let mine = self.posted.get(&p).unwrap_or(&empty);
        let top = |order: &[i64]| -> Vec<String> {
            order
                .iter()
                .filter(|t| !mine.contains(t))
                .take(20)
                .map(|&t| self.thread_keys[t as usize].to_string())
                .collect()
        };
        let opts = FeedOptions {
            page_size: 20,
            exclude_posted: true,
            diversify: self.diversify,
        };
        let feed = self.engine.feed(MemberId(p), now, &opts);
        let parvis = feed
            .items
            .iter()
            .map(|i| self.thread_keys[i.thread.0 as usize].to_string())
            .collect();
        Some([
            parvis,
            top(&orders.recent),
            top(&orders.active),
            top(&orders.hot),
        ])
    }
}

/// The baselines' orders of every known thread at one moment.
pub(super) struct Orders {
    pub(super) recent: Vec<i64>,
    pub(super) active: Vec<i64>,
    pub(super) hot: Vec<i64>,
}
