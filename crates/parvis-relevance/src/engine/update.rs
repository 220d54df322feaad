//! The member and thread state updates on each event: messages, reactions and reads,
//! declared topics, feedback, and the ties between members.

use super::{
    Affinity, Engine, EventKind, Feedback, MemberState, MessageInput, PACE_HALF_LIFE_DAYS,
    Participation, RECENT_EVENTS, TOPIC_PREFIX, ThreadState,
};
use crate::sparse::{self, Decayed, DecayedVec, Sparse};
use crate::text;
use crate::{MemberId, ThreadId, TopicId};

/// Terms kept of a thread's opening post.
const OPENING_TERMS: usize = 32;

impl Engine {
    fn intern(&mut self, term: &str) -> u32 {
        let id = self.vocab.intern(term);
        let n = self.vocab.len();
        if self.term_threads.len() < n {
            self.term_threads.resize_with(n, Vec::new);
            self.term_members.resize_with(n, Vec::new);
            self.df.resize(n, 0);
        }
        id
    }

    fn topic_term(&mut self, topic: TopicId) -> u32 {
        let id = self.intern(&format!("{TOPIC_PREFIX}{}", topic.0));
        self.topic_of_term.insert(id, topic);
        id
    }

    fn member(&mut self, id: MemberId) -> u32 {
        if let Some(&ix) = self.member_ix.get(&id) {
            return ix;
        }
        let ix = self.members.len() as u32;
        self.members.push(MemberState::new(id));
        self.member_ix.insert(id, ix);
        ix
    }

    fn thread(&mut self, id: ThreadId, at: i64) -> (u32, bool) {
        if let Some(&ix) = self.thread_ix.get(&id) {
            return (ix, false);
        }
        let ix = self.threads.len() as u32;
        self.threads.push(ThreadState {
            id,
            topics: Vec::new(),
            content: DecayedVec::default(),
            created_at: at,
            last_activity: at,
            momentum: Decayed::default(),
            hot: 0.0,
            opening: Vec::new(),
            participants: Vec::new(),
        });
        self.thread_ix.insert(id, ix);
        (ix, true)
    }

    /// A unit vector of analysed terms of `text` (plus `extra` pseudo-terms).
    fn text_vector(&mut self, text: &str, title: Option<&str>, extra: &[u32]) -> Sparse {
        let mut v: Sparse = Vec::new();
        for (t, w, word) in text::term_counts_with_words(text) {
            let id = self.intern(&t);
            self.vocab.saw_word(id, word.as_deref());
            v.push((id, w));
        }
        if let Some(title) = title {
            let mut tv: Sparse = Vec::new();
            for (t, _, word) in text::term_counts_with_words(title) {
                let id = self.intern(&t);
                self.vocab.saw_word(id, word.as_deref());
                tv.push((id, 2.0));
            }
            tv.sort_by_key(|e| e.0);
            v.sort_by_key(|e| e.0);
            v = sparse::merge_add(&v, 1.0, &tv, 1.0);
        }
        let mut ev: Sparse = extra.iter().map(|&t| (t, 2.0)).collect();
        ev.sort_by_key(|e| e.0);
        ev.dedup_by_key(|e| e.0);
        v.sort_by_key(|e| e.0);
        v = sparse::merge_add(&v, 1.0, &ev, 1.0);
        sparse::normalise(&mut v);
        v
    }

    /// Sets the declared topics of a thread (they join its content as pseudo-terms).
    pub fn set_thread_topics(&mut self, thread: ThreadId, topics: &[TopicId], at: i64) {
        let (tix, _) = self.thread(thread, at);
        let new: Vec<TopicId> = topics
            .iter()
            .copied()
            .filter(|t| !self.threads[tix as usize].topics.contains(t))
            .collect();
        if new.is_empty() {
            return;
        }
        let mut v: Sparse = new.iter().map(|&t| (self.topic_term(t), 1.0)).collect();
        v.sort_by_key(|e| e.0);
        let (hl, cap) = (
            self.config.thread_content_half_life_days,
            self.config.terms_per_thread,
        );
        let th = &mut self.threads[tix as usize];
        th.topics.extend(new);
        let at = th.content.t.max(at);
        let entered = th.content.add(&v, 1.0, at, hl, cap);
        self.index_thread_terms(tix, &entered);
    }

    fn index_thread_terms(&mut self, tix: u32, entered: &[u32]) {
        for &t in entered {
            self.term_threads[t as usize].push(tix);
            self.df[t as usize] += 1;
        }
    }

    /// Declares the topics a member says they care about (used by the starter feed).
    pub fn declare_topics(&mut self, member: MemberId, topics: &[TopicId]) {
        let m = self.member(member);
        self.members[m as usize].declared = topics.to_vec();
    }

    /// Adds a message: updates the thread's content, momentum and
    /// participants, the author's profile and their ties. When the message
    /// joins an existing thread, it is first recorded as a learning sample.
    pub fn add_message(&mut self, msg: &MessageInput<'_>) {
        if self.config.learn_from_history {
            self.sample_join(msg);
        }
        self.latest_at = self.latest_at.max(msg.at);
        let (tix, is_new) = self.thread(msg.thread, msg.at);
        if !msg.topics.is_empty() {
            self.set_thread_topics(msg.thread, msg.topics, msg.at);
        }
        let title = if is_new { msg.title } else { None };
        let mv = self.text_vector(msg.text, title, &[]);
        let author = self.member(msg.author);
        let c = self.config.clone();
        let th = &mut self.threads[tix as usize];
        let entered = th.content.add(
            &mv,
            1.0,
            msg.at,
            c.thread_content_half_life_days,
            c.terms_per_thread,
        );
        th.momentum.add(1.0, msg.at, c.momentum_half_life_days);
        let hot_hl = (c.hot_half_life_hours * 3_600_000.0).max(1.0);
        th.hot = if msg.at >= th.last_activity {
            th.hot * (-((msg.at - th.last_activity) as f64) / hot_hl).exp2() as f32 + 1.0
        } else {
            th.hot + (-((th.last_activity - msg.at) as f64) / hot_hl).exp2() as f32
        };
        if is_new {
            let mut v = mv.clone();
            sparse::prune(&mut v, OPENING_TERMS);
            th.opening = v;
        }
        th.last_activity = th.last_activity.max(msg.at);
        th.created_at = th.created_at.min(msg.at);
        let started = is_new || th.participants.is_empty();
        let joined = !th.participants.iter().any(|p| p.member == author);
        // Co-participants: the most recent few get a weak tie.
        let mut co: Vec<Participation> = th
            .participants
            .iter()
            .copied()
            .filter(|p| p.member != author)
            .collect();
        co.sort_by_key(|p| std::cmp::Reverse(p.last_at));
        co.truncate(8);
        match th.participants.iter_mut().find(|p| p.member == author) {
            Some(p) => {
                p.last_at = p.last_at.max(msg.at);
                p.messages += 1;
            }
            None => th.participants.push(Participation {
                member: author,
                last_at: msg.at,
                messages: 1,
            }),
        }
        self.index_thread_terms(tix, &entered);
        self.activity.push(tix);

        let kind = if started {
            EventKind::Wrote
        } else {
            EventKind::Replied
        };
        let w = if started {
            c.weight_wrote
        } else {
            c.weight_replied
        };
        let mut ctx = self.threads[tix as usize].content.w.clone();
        sparse::normalise(&mut ctx);
        let add = sparse::merge_add(&mv, c.own_text_share, &ctx, 1.0 - c.own_text_share);
        self.apply_to_profile(author, tix, kind, &add, w, msg.at, true);
        let me = &mut self.members[author as usize];
        me.own.add(
            &mv,
            1.0,
            msg.at,
            c.own_words_half_life_days,
            c.terms_per_member,
        );
        me.pace.add(1.0, msg.at, PACE_HALF_LIFE_DAYS);
        me.last_posted = me.last_posted.max(msg.at);
        if !started && joined {
            let opening = &self.threads[tix as usize].opening;
            self.members[author as usize].answered.add(
                opening,
                1.0,
                msg.at,
                c.own_words_half_life_days,
                c.terms_per_member,
            );
        }

        for &who in msg.mentions {
            if who != msg.author {
                let w = self.member(who);
                self.members[w as usize].mentioned.insert(tix);
            }
        }
        // Ties: the one answered counts most; co-participants a little.
        let replied = msg
            .reply_to
            .and_then(|r| self.member_ix.get(&r).copied())
            .filter(|&r| r != author);
        if let Some(r) = replied {
            self.tie(author, r, 1.0, msg.at);
        }
        for p in co {
            if Some(p.member) != replied {
                self.tie(author, p.member, 0.25, msg.at);
            }
        }
    }

    fn tie(&mut self, a: u32, b: u32, w: f32, at: i64) {
        let hl = self.config.tie_half_life_days;
        self.members[a as usize]
            .ties
            .entry(b)
            .or_default()
            .add(w, at, hl);
        self.members[b as usize]
            .ties
            .entry(a)
            .or_default()
            .add(w, at, hl);
    }

    #[allow(clippy::too_many_arguments)]
    fn apply_to_profile(
        &mut self,
        m: u32,
        tix: u32,
        kind: EventKind,
        v: &Sparse,
        w: f32,
        at: i64,
        posted: bool,
    ) {
        let (hl, cap) = (
            self.config.profile_half_life_days,
            self.config.terms_per_member,
        );
        let ms = &mut self.members[m as usize];
        let entered = ms.profile.add(v, w, at, hl, cap);
        ms.events += 1;
        ms.recent.push_back((tix, kind, at));
        if ms.recent.len() > RECENT_EVENTS {
            ms.recent.pop_front();
        }
        let a = ms.threads.entry(tix).or_insert(Affinity {
            posted: false,
            kind,
            w: Decayed::default(),
        });
        a.posted |= posted;
        if rank_kind(kind) < rank_kind(a.kind) {
            a.kind = kind;
        }
        a.w.add(w, at, hl);
        for t in entered {
            self.term_members[t as usize].push(m);
        }
    }

    /// Adds a reaction, vote or read of `thread` by `member` at `at`. Unknown
    /// threads are ignored (a read of something never imported says nothing).
    pub fn add_event(&mut self, member: MemberId, thread: ThreadId, kind: EventKind, at: i64) {
        let Some(&tix) = self.thread_ix.get(&thread) else {
            return;
        };
        let m = self.member(member);
        let w = match kind {
            EventKind::Wrote => self.config.weight_wrote,
            EventKind::Replied => self.config.weight_replied,
            EventKind::Reacted => self.config.weight_reacted,
            EventKind::Read => self.config.weight_read,
        };
        let mut v = self.threads[tix as usize].content.w.clone();
        sparse::normalise(&mut v);
        let posted = matches!(kind, EventKind::Wrote | EventKind::Replied);
        self.apply_to_profile(m, tix, kind, &v, w, at, posted);
    }

    /// Forgets every member's muted topics: an engine read back from disk then takes the
    /// mutes from the store, where some may have been lifted since it was saved.
    pub fn clear_mutes(&mut self) {
        for m in &mut self.members {
            m.muted.clear();
        }
    }

    /// Records feedback. "Not interested" removes the thread, remembers its
    /// content as a negative direction and takes half of its weight out of
    /// the member's profile, so similar threads fall too.
    pub fn add_feedback(&mut self, member: MemberId, feedback: Feedback) {
        let m = self.member(member);
        match feedback {
            Feedback::MuteTopic { topic } => {
                let ms = &mut self.members[m as usize];
                if !ms.muted.contains(&topic) {
                    ms.muted.push(topic);
                }
            }
            Feedback::UnmuteTopic { topic } => {
                self.members[m as usize].muted.retain(|t| *t != topic)
            }
            Feedback::NotInterested { thread } => {
                let Some(&tix) = self.thread_ix.get(&thread) else {
                    return;
                };
                // Said twice (or applied again to an engine read back from disk), it
                // counts once.
                if self.members[m as usize].dismissed.contains(&tix) {
                    return;
                }
                let mut v = self.threads[tix as usize].content.w.clone();
                sparse::normalise(&mut v);
                let ms = &mut self.members[m as usize];
                ms.dismissed.insert(tix);
                ms.negative = sparse::merge_add(&ms.negative, 1.0, &v, 1.0);
                sparse::prune(&mut ms.negative, 256);
                let pn = sparse::norm(&ms.profile.w);
                let mut p = sparse::merge_add(&ms.profile.w, 1.0, &v, -0.5 * pn);
                p.retain(|e| e.1 > 0.0);
                ms.profile.w = p;
            }
        }
    }
}

fn rank_kind(k: EventKind) -> u8 {
    match k {
        EventKind::Wrote => 0,
        EventKind::Replied => 1,
        EventKind::Reacted => 2,
        EventKind::Read => 3,
    }
}
