//! Learning a space's own feed scorer from its history.
//!
//! Communities differ: on a question-and-answer mailing list people join a
//! thread in the hours after it was asked, on a forum they come back to a
//! long discussion for weeks. One hand-tuned formula cannot fit both (the
//! product defaults ranked below plain recency on r-sig-geo), so the engine
//! watches its own history: every time a member joins a thread that already
//! existed, it records, *as of that moment*, the [`FeatureVector`]s of that
//! thread and of threads drawn from the candidate list their feed would
//! have had then (what they passed over). The scorer is then fitted
//! listwise ([`fit_listwise`]: which of the moment's candidates was joined)
//! and replaces the formula ([`Config::learned`](crate::engine::Config)).
//!
//! Why these choices (measured on r-help-2004, see
//! `bench/relevance/RESULTS.md`): negatives drawn as the most recently active
//! threads plus a few old ones, fitted pointwise ([`fit_logistic`]), taught
//! the scorer that a thread fresh within the day is *less* likely to be
//! joined (weight −9.5) and ranked below plain recency on a busy list;
//! drawing them from the moment's candidate list and fitting which one was
//! joined fixes the sign and the ranking. A linear scorer over twenty-three
//! signals fits in well under a second by Newton's method, is
//! deterministic, and its weights can be read and explained, which a
//! boosted forest's cannot (on r-sig-geo a forest did no better).
//!
//! Signals that the history never exercised (a mailing-list import has no
//! reads, reactions or dismissals) would get a weight of zero and be ignored
//! forever; they keep a prior weight instead ([`PRIOR_WEIGHTS`]), so what a
//! member does in the app still moves their feed.

use crate::engine::{FEATURE_COUNT, FeatureVector};

/// Raw-unit weights for signals with no variance in the training samples:
/// what a member does in the app (mentions, reads and reactions,
/// dismissals) must count even where imported history cannot teach how much.
pub const PRIOR_WEIGHTS: FeatureVector = [
    0.0,  // bias
    0.0,  // ln_hours_since_last
    0.0,  // fresh_1d
    0.0,  // ln_hours_since_start
    1.0,  // similarity
    0.0,  // similarity_x_fresh
    0.0,  // awaiting_answer
    0.0,  // ln_participants
    0.0,  // ln_momentum
    0.5,  // starter_tie
    0.5,  // ln_peer_activity
    1.5,  // mentioned
    1.5,  // affinity
    0.0,  // last_author_tie
    0.0,  // starter_is_newcomer
    -3.0, // dismissed_similarity
    0.0,  // own_words_x_opening
    0.0,  // hot
    0.0,  // new_since_my_post
    0.0,  // created_since_my_post
    0.0,  // ln_hours_after_my_post
    0.0,  // answered_x_opening
    0.0,  // my_pace_x_fresh
];

/// A fitted scorer and what it was fitted on.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Fit {
    /// Raw-unit weights, one per [`FeatureVector`] position (bias first).
    pub weights: Vec<f32>,
    /// Samples used (positives and negatives).
    pub samples: usize,
    /// Positive samples (threads joined).
    pub positives: usize,
    /// Newton iterations run.
    pub iterations: usize,
    /// Positions of the signals the samples never exercised, which kept
    /// their [`PRIOR_WEIGHTS`].
    pub at_prior: Vec<usize>,
}

/// Fits `P(joined | x) = σ(w·x)` by iteratively reweighted least squares
/// with an L2 penalty `l2` on the standardised weights (not on the bias).
/// `warm` (raw-unit weights of an earlier fit) starts the iterations closer.
/// `None` when there is nothing to learn from (no positive or no negative).
#[allow(clippy::needless_range_loop)] // matrices are indexed as in the formulas
pub fn fit_logistic(
    xs: &[FeatureVector],
    ys: &[bool],
    l2: f64,
    warm: Option<&[f32]>,
) -> Option<Fit> {
    const D: usize = FEATURE_COUNT;
    let n = xs.len().min(ys.len());
    let positives = ys[..n].iter().filter(|y| **y).count();
    if positives == 0 || positives == n {
        return None;
    }
    // Standardise every signal but the bias (position 0) for conditioning.
    let mut mean = [0.0f64; D];
    let mut sd = [1.0f64; D];
    for j in 1..D {
        let m = xs[..n].iter().map(|x| f64::from(x[j])).sum::<f64>() / n as f64;
        let v = xs[..n]
            .iter()
            .map(|x| (f64::from(x[j]) - m).powi(2))
            .sum::<f64>()
            / n as f64;
        mean[j] = m;
        sd[j] = v.sqrt();
    }
    let varies: Vec<bool> = (0..D).map(|j| j == 0 || sd[j] > 1e-6).collect();
    let z = |x: &FeatureVector, j: usize| -> f64 {
        if j == 0 {
            1.0
        } else if varies[j] {
            (f64::from(x[j]) - mean[j]) / sd[j]
        } else {
            0.0
        }
    };
    // Warm start: raw weights → standardised ones.
    let mut w = [0.0f64; D];
    if let Some(warm) = warm.filter(|w| w.len() == D) {
        let mut bias = f64::from(warm[0]);
        for j in 1..D {
            if varies[j] {
                w[j] = f64::from(warm[j]) * sd[j];
                bias += f64::from(warm[j]) * mean[j];
            }
        }
        w[0] = bias;
    }
    let mut iterations = 0;
    for _ in 0..30 {
        iterations += 1;
        let mut h = [[0.0f64; D]; D];
        let mut g = [0.0f64; D];
        for (x, &y) in xs[..n].iter().zip(&ys[..n]) {
            let zx: [f64; D] = std::array::from_fn(|j| z(x, j));
            let s: f64 = (0..D).map(|j| w[j] * zx[j]).sum();
            let p = 1.0 / (1.0 + (-s).exp());
            let r = f64::from(u8::from(y)) - p;
            let q = (p * (1.0 - p)).max(1e-9);
            for a in 0..D {
                g[a] += r * zx[a];
                for b in a..D {
                    h[a][b] += q * zx[a] * zx[b];
                }
            }
        }
        for a in 0..D {
            for b in 0..a {
                h[a][b] = h[b][a];
            }
            if a > 0 {
                h[a][a] += l2;
                g[a] -= l2 * w[a];
            }
        }
        // A signal with no variance has nothing to teach: its weight stays at zero.
        for a in (0..D).filter(|&a| !varies[a]) {
            for b in 0..D {
                h[a][b] = 0.0;
                h[b][a] = 0.0;
            }
            h[a][a] = 1.0;
            g[a] = 0.0;
        }
        let Some(step) = solve_spd(h, g) else { break };
        let mut moved = 0.0f64;
        for j in 0..D {
            w[j] += step[j];
            moved = moved.max(step[j].abs());
        }
        if moved < 1e-6 {
            break;
        }
    }
    // Back to raw units; unexercised signals take their prior weight.
    let mut weights = vec![0.0f32; D];
    let mut bias = w[0];
    for j in 1..D {
        if varies[j] {
            let raw = w[j] / sd[j];
            weights[j] = raw as f32;
            bias -= raw * mean[j];
        } else {
            weights[j] = PRIOR_WEIGHTS[j];
        }
    }
    weights[0] = bias as f32;
    weights.iter().all(|v| v.is_finite()).then_some(Fit {
        weights,
        samples: n,
        positives,
        iterations,
        at_prior: (1..D).filter(|&j| !varies[j]).collect(),
    })
}

/// Fits a listwise scorer: for each join (a group of samples, one joined),
/// `P(this candidate is the one joined) = softmax(w·x)` over the group's
/// candidates (a conditional logit), by Newton's method with an L2 penalty
/// `l2` on the standardised weights. What matters for a feed is which of
/// the threads on offer *at that moment* gets joined, not whether a thread
/// is joined at all: the pointwise fit ([`fit_logistic`]) mixes joins made
/// in a quiet hour with joins made in a rush, and learned on r-help that a
/// thread fresh within the day is *less* likely to be joined.
///
/// Groups without exactly one joined candidate or without any other are
/// skipped. A softmax has no use for a bias: it stays 0. `None` when no
/// group is usable or the fit fails.
#[allow(clippy::needless_range_loop)] // matrices are indexed as in the formulas
pub fn fit_listwise(
    groups: &[Vec<(FeatureVector, bool)>],
    l2: f64,
    warm: Option<&[f32]>,
) -> Option<Fit> {
    const D: usize = FEATURE_COUNT;
    let groups: Vec<&Vec<(FeatureVector, bool)>> = groups
        .iter()
        .filter(|g| g.len() >= 2 && g.iter().filter(|e| e.1).count() == 1)
        .collect();
    if groups.is_empty() {
        return None;
    }
    let n: usize = groups.iter().map(|g| g.len()).sum();
    let mut mean = [0.0f64; D];
    let mut sd = [1.0f64; D];
    for j in 1..D {
        let m = groups
            .iter()
            .flat_map(|g| g.iter())
            .map(|e| f64::from(e.0[j]))
            .sum::<f64>()
            / n as f64;
        let v = groups
            .iter()
            .flat_map(|g| g.iter())
            .map(|e| (f64::from(e.0[j]) - m).powi(2))
            .sum::<f64>()
            / n as f64;
        mean[j] = m;
        sd[j] = v.sqrt();
    }
    let varies: Vec<bool> = (0..D).map(|j| j > 0 && sd[j] > 1e-6).collect();
    let z = |x: &FeatureVector, j: usize| -> f64 {
        if varies[j] {
            (f64::from(x[j]) - mean[j]) / sd[j]
        } else {
            0.0
        }
    };
    let mut w = [0.0f64; D];
    if let Some(warm) = warm.filter(|w| w.len() == D) {
        for j in 1..D {
            if varies[j] {
                w[j] = f64::from(warm[j]) * sd[j];
            }
        }
    }
    // Standardised features of every sample, computed once.
    let zs: Vec<Vec<([f64; D], bool)>> = groups
        .iter()
        .map(|g| {
            g.iter()
                .map(|(x, y)| (std::array::from_fn(|j| z(x, j)), *y))
                .collect()
        })
        .collect();
    let loglik = |w: &[f64; D]| -> f64 {
        let mut ll = 0.0;
        for g in &zs {
            let s: Vec<f64> = g
                .iter()
                .map(|(x, _)| (0..D).map(|j| w[j] * x[j]).sum())
                .collect();
            let mx = s.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            let lse = mx + s.iter().map(|v| (v - mx).exp()).sum::<f64>().ln();
            for ((_, y), v) in g.iter().zip(&s) {
                if *y {
                    ll += v - lse;
                }
            }
        }
        ll - 0.5 * l2 * w.iter().map(|v| v * v).sum::<f64>()
    };
    let mut iterations = 0;
    let mut current = loglik(&w);
    for _ in 0..30 {
        iterations += 1;
        let mut h = [[0.0f64; D]; D];
        let mut g = [0.0f64; D];
        for grp in &zs {
            let s: Vec<f64> = grp
                .iter()
                .map(|(x, _)| (0..D).map(|j| w[j] * x[j]).sum())
                .collect();
            let mx = s.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            let e: Vec<f64> = s.iter().map(|v| (v - mx).exp()).collect();
            let tot: f64 = e.iter().sum();
            let mut mu = [0.0f64; D];
            for ((x, y), ei) in grp.iter().zip(&e) {
                let p = ei / tot;
                for a in 0..D {
                    mu[a] += p * x[a];
                    if *y {
                        g[a] += x[a];
                    }
                    for b in a..D {
                        h[a][b] += p * x[a] * x[b];
                    }
                }
            }
            for a in 0..D {
                g[a] -= mu[a];
                for b in a..D {
                    h[a][b] -= mu[a] * mu[b];
                }
            }
        }
        for a in 0..D {
            for b in 0..a {
                h[a][b] = h[b][a];
            }
            h[a][a] += l2;
            g[a] -= l2 * w[a];
        }
        for a in (0..D).filter(|&a| !varies[a]) {
            for b in 0..D {
                h[a][b] = 0.0;
                h[b][a] = 0.0;
            }
            h[a][a] = 1.0;
            g[a] = 0.0;
        }
        let Some(step) = solve_spd(h, g) else { break };
        // Newton with step halving: the log-likelihood must not fall.
        let mut t = 1.0;
        let moved;
        loop {
            let cand: [f64; D] = std::array::from_fn(|j| w[j] + t * step[j]);
            let ll = loglik(&cand);
            if ll >= current - 1e-9 || t < 1e-3 {
                moved = step.iter().map(|v| (t * v).abs()).fold(0.0, f64::max);
                w = cand;
                current = ll;
                break;
            }
            t *= 0.5;
        }
        if moved < 1e-6 {
            break;
        }
    }
    let mut weights = vec![0.0f32; D];
    for j in 1..D {
        weights[j] = if varies[j] {
            (w[j] / sd[j]) as f32
        } else {
            PRIOR_WEIGHTS[j]
        };
    }
    let positives = groups.len();
    weights.iter().all(|v| v.is_finite()).then_some(Fit {
        weights,
        samples: n,
        positives,
        iterations,
        at_prior: (1..D).filter(|&j| !varies[j]).collect(),
    })
}

/// Solves `h·x = g` for a symmetric positive-definite `h` (Cholesky).
#[allow(clippy::needless_range_loop)] // index form mirrors the textbook recurrences
fn solve_spd<const D: usize>(h: [[f64; D]; D], g: [f64; D]) -> Option<[f64; D]> {
    let mut l = [[0.0f64; D]; D];
    for i in 0..D {
        for j in 0..=i {
            let s: f64 = (0..j).map(|k| l[i][k] * l[j][k]).sum();
            if i == j {
                let d = h[i][i] - s;
                if d <= 0.0 || !d.is_finite() {
                    return None;
                }
                l[i][i] = d.sqrt();
            } else {
                l[i][j] = (h[i][j] - s) / l[j][j];
            }
        }
    }
    let mut y = [0.0f64; D];
    for i in 0..D {
        let s: f64 = (0..i).map(|k| l[i][k] * y[k]).sum();
        y[i] = (g[i] - s) / l[i][i];
    }
    let mut x = [0.0f64; D];
    for i in (0..D).rev() {
        let s: f64 = (i + 1..D).map(|k| l[k][i] * x[k]).sum();
        x[i] = (y[i] - s) / l[i][i];
    }
    Some(x)
}

#[cfg(test)]
#[allow(clippy::expect_used)]
mod tests {
    use super::*;

    fn sample(fresh: f32, sim: f32) -> FeatureVector {
        let mut x = [0.0f32; FEATURE_COUNT];
        x[0] = 1.0;
        x[2] = fresh;
        x[4] = sim;
        x
    }

    #[test]
    fn learns_which_signal_predicts_a_join() {
        // Joins follow similarity, not freshness.
        let mut xs = Vec::new();
        let mut ys = Vec::new();
        for i in 0..400 {
            let f = (i % 7) as f32 / 7.0;
            let s = (i % 11) as f32 / 11.0;
            xs.push(sample(f, s));
            ys.push(s > 0.6 && i % 3 != 0 || i % 29 == 0);
        }
        let fit = fit_logistic(&xs, &ys, 1.0, None).expect("fits");
        assert!(fit.weights[4] > 1.0, "{:?}", fit.weights);
        assert!(
            fit.weights[2].abs() < fit.weights[4] / 4.0,
            "{:?}",
            fit.weights
        );
        // Signals never exercised keep their prior.
        assert_eq!(fit.weights[11], PRIOR_WEIGHTS[11]);
        assert_eq!(fit.weights[15], PRIOR_WEIGHTS[15]);
        assert!(fit.at_prior.contains(&11) && !fit.at_prior.contains(&4));
        // A warm start lands on the same weights, in fewer iterations.
        let again = fit_logistic(&xs, &ys, 1.0, Some(&fit.weights)).expect("fits");
        assert!(again.iterations < fit.iterations);
        for (a, b) in fit.weights.iter().zip(&again.weights) {
            assert!((a - b).abs() < 1e-3, "{a} vs {b}");
        }
    }

    #[test]
    fn listwise_fit_learns_what_wins_within_each_moment() {
        // At each join, the fresher of the candidates wins, whatever the
        // moment's overall freshness; similarity is noise.
        let mut groups = Vec::new();
        for i in 0..300 {
            let base = (i % 5) as f32 / 10.0;
            let mut g = Vec::new();
            for k in 0..6 {
                let fresh = base + k as f32 / 10.0;
                let sim = ((i * 7 + k * 3) % 11) as f32 / 11.0;
                g.push((sample(fresh, sim), k == 5 || (k == 4 && i % 4 == 0)));
            }
            // One positive per group: keep the freshest when two are marked.
            if i % 4 == 0 {
                g[4].1 = false;
            }
            groups.push(g);
        }
        let fit = fit_listwise(&groups, 1.0, None).expect("fits");
        assert!(fit.weights[2] > 5.0, "{:?}", fit.weights);
        assert!(
            fit.weights[4].abs() < fit.weights[2] / 4.0,
            "{:?}",
            fit.weights
        );
        assert_eq!(fit.weights[0], 0.0);
        assert_eq!(fit.positives, 300);
        // A group with no joined thread teaches nothing.
        assert!(fit_listwise(&[vec![(sample(1.0, 0.0), false); 3]], 1.0, None).is_none());
    }

    #[test]
    fn nothing_to_learn_without_both_outcomes() {
        let xs = vec![sample(1.0, 0.5); 10];
        assert!(fit_logistic(&xs, &[true; 10], 1.0, None).is_none());
        assert!(fit_logistic(&xs, &[false; 10], 1.0, None).is_none());
        assert!(fit_logistic(&[], &[], 1.0, None).is_none());
    }
}
