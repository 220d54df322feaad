//! [`Config`]: the tuning of the engine, with its defaults and the mailing-list preset.

/// Tuning of the engine. Every field has a working default.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(default)]
pub struct Config {
    /// Half-life of a member's interests, in days.
    pub profile_half_life_days: f64,
    /// Half-life of a thread's content: later messages outweigh early ones.
    pub thread_content_half_life_days: f64,
    /// Half-life of freshness (time since the thread's last message).
    pub freshness_half_life_days: f64,
    /// Half-life of momentum (decayed message count).
    pub momentum_half_life_days: f64,
    /// Half-life of ties between members.
    pub tie_half_life_days: f64,
    /// Weight of starting a thread in the profile.
    pub weight_wrote: f32,
    /// Weight of replying.
    pub weight_replied: f32,
    /// Weight of a reaction or vote.
    pub weight_reacted: f32,
    /// Weight of a read.
    pub weight_read: f32,
    /// Share of a member's own words (vs the thread's content) in what their
    /// message adds to their profile.
    pub own_text_share: f32,
    /// Terms kept per thread vector.
    pub terms_per_thread: usize,
    /// Terms kept per member profile.
    pub terms_per_member: usize,
    /// Constant term of the relevance (lets fresh, busy threads in with no match).
    pub w_base: f32,
    /// Weight of content similarity.
    pub w_sim: f32,
    /// Weight of close peers' activity.
    pub w_peer: f32,
    /// Weight of the member's tie with whoever started the thread (people
    /// answer those they already talk with).
    pub w_starter_tie: f32,
    /// Bonus for a thread where the member was mentioned and has not posted.
    pub w_mention: f32,
    /// Bonus for a thread nobody has answered yet (one participant): in
    /// question-and-answer communities, that is where a newcomer is useful.
    pub w_awaiting: f32,
    /// Weight of the member's own affinity for the thread (read, reacted).
    pub w_affinity: f32,
    /// Weight of similarity to dismissed threads.
    pub w_negative: f32,
    /// Exponent of freshness.
    pub freshness_exponent: f32,
    /// Weight of momentum.
    pub w_momentum: f32,
    /// Profile terms used to generate candidates.
    pub candidate_terms: usize,
    /// Postings read per term, from the most recent.
    pub postings_scan: usize,
    /// Most recently active threads always considered.
    pub recent_threads: usize,
    /// Threads silent for longer than this are not proposed.
    pub max_age_days: f64,
    /// Candidates from the inverted index scored exactly (the best by a
    /// cheap first-pass score); peers' and recent threads come on top.
    pub candidate_pool: usize,
    /// MMR trade-off: 1 = pure score, 0 = pure novelty.
    pub mmr_lambda: f32,
    /// At most this many items of one declared topic per page.
    pub max_per_topic: usize,
    /// Weights of a logistic scorer over [`FeatureVector`](super::FeatureVector) learned from the
    /// space's own history ([`crate::learn`]); when set, it replaces the
    /// hand-tuned relevance formula (candidates, filters, diversification
    /// and reasons stay the same).
    pub learned: Option<Vec<f32>>,
    /// Record join samples as messages arrive, so [`Engine::learn`](super::Engine::learn) can fit
    /// the scorer to this space ([`crate::learn`]).
    pub learn_from_history: bool,
    /// Joins to have seen before [`Engine::learn`](super::Engine::learn) replaces the formula.
    pub learn_min_joins: usize,
    /// Most recent joins kept as samples.
    pub learn_max_joins: usize,
    /// Threads not joined, sampled with each join.
    pub learn_negatives: usize,
    /// Draw a join's negatives from the candidate list the member's feed
    /// would have had at that moment (what they saw and passed over); `false`:
    /// the most recently active threads plus a few from the whole history.
    pub learn_negatives_from_candidates: bool,
    /// Fit the scorer listwise (which candidate of the moment was joined: a
    /// conditional logit) rather than pointwise (joined or not: a logistic
    /// regression).
    pub learn_listwise: bool,
    /// Half-life of a member's own words (what they write about: on help
    /// lists, their field of expertise, which changes slowly).
    pub own_words_half_life_days: f64,
    /// Half-life of the `hot` signal (decayed message count), in hours.
    pub hot_half_life_hours: f64,
    /// Signals left out (by [`FEATURE_NAMES`](super::FEATURE_NAMES) name), for ablations: their
    /// value is 0 for every thread, so they neither learn nor score.
    pub disabled_signals: Vec<String>,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            profile_half_life_days: 30.0,
            thread_content_half_life_days: 14.0,
            freshness_half_life_days: 7.0,
            momentum_half_life_days: 3.0,
            tie_half_life_days: 120.0,
            weight_wrote: 1.0,
            weight_replied: 1.0,
            weight_reacted: 0.5,
            weight_read: 0.2,
            own_text_share: 0.6,
            terms_per_thread: 48,
            terms_per_member: 96,
            w_base: 0.05,
            w_sim: 1.0,
            w_peer: 0.3,
            w_awaiting: 0.0,
            w_mention: 1.0,
            w_starter_tie: 0.2,
            w_affinity: 0.3,
            w_negative: 1.0,
            freshness_exponent: 1.0,
            w_momentum: 0.3,
            candidate_terms: 24,
            postings_scan: 4000,
            recent_threads: 300,
            max_age_days: 365.0,
            candidate_pool: 2000,
            mmr_lambda: 0.85,
            max_per_topic: 3,
            learned: None,
            learn_from_history: true,
            learn_min_joins: 300,
            learn_max_joins: 4000,
            learn_negatives: 20,
            learn_negatives_from_candidates: true,
            learn_listwise: true,
            own_words_half_life_days: 90.0,
            hot_half_life_hours: 0.25,
            disabled_signals: Vec::new(),
        }
    }
}

impl Config {
    /// Settings tuned for question-and-answer mailing lists (tuned on
    /// r-sig-geo cut-offs from 70 % to 85 % of its history, reported on
    /// 85 % → end; see `bench/relevance/RESULTS.md`): freshness dominates
    /// (half-life one day), content similarity orders the fresh threads,
    /// an unanswered question gets a bonus, and neither peers' activity nor
    /// momentum helps (someone already answered). MMR is off: on this
    /// offline metric diversity only costs.
    pub fn mailing_list() -> Self {
        Config {
            freshness_half_life_days: 1.0,
            w_base: 0.3,
            w_sim: 3.0,
            w_peer: 0.0,
            w_momentum: 0.0,
            w_awaiting: 0.3,
            w_starter_tie: 0.3,
            mmr_lambda: 1.0,
            learn_from_history: false,
            ..Config::default()
        }
    }
}
