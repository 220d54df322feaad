//! # parvis-opinion — a Pol.is-class opinion map
//!
//! Participants vote agree / disagree / pass on short statements; this crate places every
//! participant on a 2-D map (PCA), groups them (k-means, two levels), and explains the groups
//! (representative statements, consensus, group-aware consensus, divisive statements) and which
//! statement to show next (priorities). It is pure computation: no I/O except reading Pol.is
//! export folders ([`Conversation::from_polis_export_dir`]).
//!
//! ## Example
//! ```
//! use parvis_opinion::{analyze, render_text, Conversation, Mode, Options, VoteValue};
//!
//! let mut conv = Conversation::new();
//! for id in 0..6 {
//!     conv.add_statement(id, format!("statement {id}"), false)?;
//! }
//! for p in 0..30u64 {
//!     for s in 0..6u64 {
//!         // Two camps: even voters agree with 0–2, odd voters with 3–5.
//!         let agree = (p % 2 == 0) == (s < 3);
//!         let v = if agree { VoteValue::Agree } else { VoteValue::Disagree };
//!         conv.add_vote(format!("member-{p}"), s, v, (p * 10 + s) as i64)?;
//!     }
//! }
//! let report = analyze(&conv, &Options { mode: Mode::Default, seed: 7, ..Default::default() })?;
//! assert_eq!(report.groups.len(), 2);
//! let json = serde_json::to_string(&report).expect("a report always serialises");
//! assert!(json.contains("\"participants\""));
//! println!("{}", render_text(&report));
//! # Ok::<(), parvis_opinion::OpinionError>(())
//! ```
//!
//! ## Pipeline (both modes)
//! 1. **Matrix.** One row per participant, one column per statement that received a vote, the
//!    latest vote per cell. Votes use the export encoding (agree = +1) at the API; internally the
//!    Pol.is sign (agree = −1) is used so that every formula reads as in Pol.is. Moderated-out and
//!    meta statements are "mod-out": their column is zeroed (Pol.is `rating-mat`).
//! 2. **Who is clustered ("in-conv").** Participants with at least `min(7, statements)` votes
//!    (passes and votes on moderated statements count); topped up to 15 with the heaviest voters.
//! 3. **PCA** of the mean-imputed, centred matrix (two components). Mean imputation makes
//!    unvoted cells equal to the centre, so the centred matrix is exactly as sparse as the votes:
//!    one product `CᵀC v` costs O(votes), which is why 10 million votes fit in memory and in
//!    seconds (no dense participants × statements matrix is ever built). When the matrix is
//!    narrow (few hundred statements) the m × m Gram matrix is built once instead and each
//!    product is a contiguous mat-vec; the choice is a cost estimate, the result is the same.
//!    Compat mode runs Pol.is's power iteration with deflation; default mode runs block
//!    subspace iteration (4 vectors, Rayleigh–Ritz), which converges at the rate λ₅/λ₂ rather
//!    than λ₂/λ₁ — Pol.is's 100 steps are not always enough when the two leading axes are of
//!    similar strength.
//! 4. **Projection** with Pol.is's sparse-voter scaling `sqrt(n_statements / n_votes)`.
//! 5. **Base clusters:** k-means, k = 100, over the in-conv projections (first-k-distinct
//!    initialisation, no randomness). **Groups:** weighted k-means over base-cluster centres for
//!    k = 2 … min(5, 2 + ⌊bases/12⌋), k chosen by mean silhouette over base centres.
//! 6. **Statistics:** repness (Beta(1,1)-smoothed proportions, one- and two-proportion z tests,
//!    Pol.is's best-agree rule, top 5, agrees first), consensus (top 5 with p > 0.5 and z > 1.2816),
//!    group-aware consensus Π_g (A_g+1)/(S_g+2), priorities
//!    `((1 − (P+1)/(S+2))·(E+1)·(A+1)/(S+2)·(1 + 8·2^(−S/5)))²`, meta statements fixed at 49.
//!
//! ## [`Mode::Compat`] versus [`Mode::Default`]
//! `Compat` reproduces Pol.is (`compdemocracy/polis` math, 2024), bugs included; `Default` fixes
//! what Pol.is gets wrong. The differences, all of them:
//!
//! | | Compat (Pol.is) | Default (Parvis) |
//! |---|---|---|
//! | PCA start | ones on a cold start (Pol.is: unseeded random), warm start from the last update | seeded random (`Options::seed`) on a cold start; same warm start |
//! | PCA iterations | 100 steps, stop only if the eigenvalue estimate is exactly unchanged | until both Ritz residuals ‖Av − θv‖ < `pca_tolerance`·θ₁ (1e-9; 1e-6 for warm [`OpinionState`] updates): exact PCA at every size |
//! | Group k-means | 20 iterations (Pol.is passes `:cluster-iters`, reads `:max-iters`) | 100, as intended |
//! | Priorities | previous update's tallies (in [`OpinionState`]) | current tallies |
//! | One-person groups | allowed | a k whose smallest group has < `min_group_size` participants is not eligible; if none is, small groups are folded into the nearest one |
//! | Caps | votes from a 100 001st participant / on a 10 001st statement dropped | no caps |
//! | repness-test | rounded to float32 (as Pol.is stores it) | full f64 |
//!
//! Not reproduced, even in compat mode (documented deviations):
//! * Pol.is's mini-batch PCA for > 10 000 participants or > 5 000 statements: it uses an
//!   unseeded random sample every time (and a sign bug makes the batch 100 rows), so no two runs
//!   agree and "exact" reproduction is impossible; compat mode runs full PCA there too.
//! * The 2025-03-15 priority regression (every comment 49): the production blobs we test against
//!   do not show it.
//! * A one-shot [`analyze`] has no history, so it cannot know Pol.is's sticky in-conv members,
//!   its warm-started base clusters or its k smoother; [`OpinionState`] (and [`WarmStart`]) carry
//!   exactly those between updates. On conversations computed by current Pol.is math a one-shot
//!   run agrees with the exported groups at adjusted Rand index ≥ 0.9 (see tests).
//! * Participant row order (it decides k-means initialisation): numeric id order, as in the
//!   exports (Pol.is pids are numbered by arrival); text ids sort as text.
//! * Pol.is's subgroups (k-means inside each group) are not computed: the Pol.is server deletes
//!   them and nothing consumes them (upstream CLOJURE_QUIRKS Q7).
//! * Base-cluster warm start: previous clusters are recentred on their members' new positions
//!   (members matched by participant id); new participants join through the k-means step.
//!
//! Additions of ours (both modes): *divisive* statements, the five with the largest spread
//! between groups of the smoothed agree share (A+1)/(A+D+2); per-participant projections for
//! everyone (clustered or not); per-group tallies per statement in the report and the CSV.
//!
//! ## Incremental updates
//! [`OpinionState`] owns the matrix and the [`WarmStart`]; `add_vote` changes one cell, then
//! re-runs the pipeline warm: subspace iteration from the previous components and guard vectors
//! (about 5 passes over the votes instead of 100 products), base clusters re-seeded from the
//! previous members, group k-means from the previous centres, sticky in-conv and the k smoother
//! as in Pol.is. Nothing is rebuilt from the vote log. On a 1-million-vote conversation one
//! update takes about 40–50 ms on 2 shared cores (`bench/opinion/RESULTS.md`). In compat mode
//! an update costs what a Pol.is update costs (100 power-iteration steps).
//!
//! ## Ids
//! Participants are strings (the export's `voter-id`, or the app's member id); statements are
//! `u64` (Pol.is `comment-id`, or the app's statement id). Votes use [`VoteValue`].
//!
//! ## Robustness
//! Fewer than 2 voting participants or statements is an [`OpinionError::NotEnoughData`];
//! degenerate inputs (all passes, identical voters) yield zero components, never NaN.

mod cluster;
mod engine;
mod error;
mod matrix;
mod model;
mod pca;
mod report;
mod state;

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

pub use engine::WarmStart;
pub use error::OpinionError;
pub use model::{Conversation, Statement, Vote, VoteValue};
pub use report::{
    BaseCluster, Consensus, ConsensusStatement, Divisive, Group, GroupTally, KScore,
    ParticipantGroup, Pca, Projection, RepStatement, Repful, Report, StatementStats,
    StatementValue, render_text, report_csv,
};
pub use state::OpinionState;

/// Which algorithm variant to run. See the crate documentation for every difference.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    /// Reproduce Pol.is exactly, quirks included.
    Compat,
    /// Parvis's corrected algorithm (deterministic for a seed).
    #[default]
    Default,
}

/// Analysis options. `Options { mode, seed, ..Default::default() }` is the usual call.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Options {
    /// Algorithm variant.
    pub mode: Mode,
    /// Seed of the PCA start vector (default mode, cold start).
    pub seed: u64,
    /// Number of base clusters (Pol.is: 100).
    pub base_k: usize,
    /// Largest group count considered (Pol.is: 5).
    pub max_groups: usize,
    /// Default mode: smallest acceptable group (participants). Ignored in compat mode.
    pub min_group_size: usize,
    /// Default mode: PCA convergence tolerance on the component vector (2-norm of the change).
    pub pca_tolerance: f64,
    /// Default mode, [`OpinionState`] updates after the first: PCA tolerance of warm-started
    /// updates. One vote moves the components by far less than this, and a looser tolerance
    /// keeps an update to a few passes over the votes; the full tolerance applies to every
    /// cold computation.
    pub update_pca_tolerance: f64,
    /// Default mode: maximum passes over the votes of the PCA.
    pub pca_max_iters: usize,
    /// Compat mode: Pol.is's (max participants, max statements); votes past them are dropped.
    pub polis_caps: (usize, usize),
}

impl Default for Options {
    fn default() -> Options {
        Options {
            mode: Mode::Default,
            seed: 0x5eed,
            base_k: 100,
            max_groups: 5,
            min_group_size: 2,
            pca_tolerance: 1e-9,
            update_pca_tolerance: 1e-6,
            pca_max_iters: 1000,
            polis_caps: (100_000, 10_000),
        }
    }
}

impl Options {
    /// Compat-mode options (Pol.is behaviour).
    pub fn compat() -> Options {
        Options {
            mode: Mode::Compat,
            ..Options::default()
        }
    }

    pub(crate) fn caps(&self) -> Option<(usize, usize)> {
        match self.mode {
            Mode::Compat => Some(self.polis_caps),
            Mode::Default => None,
        }
    }
}

pub(crate) fn texts(conv: &Conversation) -> HashMap<u64, String> {
    conv.statements()
        .iter()
        .map(|s| (s.id, s.text.clone()))
        .collect()
}

/// Computes the opinion map of a conversation from scratch (no history).
pub fn analyze(conv: &Conversation, opts: &Options) -> Result<Report, OpinionError> {
    analyze_warm(conv, opts, None).map(|(r, _)| r)
}

/// Like [`analyze`], continuing from a previous update's state (Pol.is's warm starts, sticky
/// in-conv, k smoother). Returns the report and the state for the next update.
pub fn analyze_warm(
    conv: &Conversation,
    opts: &Options,
    warm: Option<&WarmStart>,
) -> Result<(Report, WarmStart), OpinionError> {
    let m = matrix::Matrix::build(conv, opts.caps());
    engine::run(&m, &texts(conv), opts, warm)
}
