//! The pipeline: in-conv → PCA → projections → base clusters → groups → statistics.
//!
//! This module runs the pipeline ([`run`], [`compute`]); its parts live in submodules:
//! [`warm`] (state carried between updates), [`stats`] (tallies, repness, consensus),
//! [`output`] (computed results → [`Report`]) and [`rng`] (the seeded generator).

mod output;
mod rng;
mod stats;
mod warm;

use std::collections::HashMap;

use crate::cluster::{self, P2};
use crate::matrix::Matrix;
use crate::pca::{self, Stop};
use crate::report::*;
use crate::{Mode, OpinionError, Options};

pub(crate) use output::report;
use rng::SplitMix;
use stats::{Counts, consensus, rating_counts, representative, tally_all};
pub(crate) use warm::Prior;
pub use warm::WarmStart;

/// Updates an argmax must win in a row before the shown group count changes (Pol.is).
const K_BUFFER: u32 = 4;

/// Everything one update computes, in matrix coordinates. Turning it into a [`Report`]
/// (ids, texts, lists) is a separate step that an incremental caller can skip or defer.
#[derive(Debug, Clone)]
pub(crate) struct Computed {
    mode: Mode,
    n_in: usize,
    n_votes: usize,
    center: Vec<f64>,
    comps: [Vec<f64>; 2],
    iterations: usize,
    proj: Vec<P2>,
    sproj: Vec<P2>,
    extremity: Vec<f64>,
    members_idx: Vec<usize>,
    blabels: Vec<usize>,
    bcenters: Vec<P2>,
    scores: Vec<KScore>,
    glabels: Vec<usize>,
    gcenters: Vec<P2>,
    pub(crate) group_of: Vec<Option<usize>>,
    group_rows: Vec<Vec<usize>>,
    reps: Vec<Vec<RepStatement>>,
    cons: Consensus,
    gac: Vec<f64>,
    priorities: Vec<f64>,
    divisive: Vec<Divisive>,
    raw_g: Vec<Counts>,
    all_raw: Counts,
}

/// One candidate group count: (k, base→group labels, centres, silhouette, eligible).
type Candidate = (usize, Vec<usize>, Vec<P2>, f64, bool);

/// Runs the whole pipeline on a built matrix.
pub(crate) fn run(
    m: &Matrix,
    texts: &HashMap<u64, String>,
    opts: &Options,
    warm: Option<&WarmStart>,
) -> Result<(Report, WarmStart), OpinionError> {
    let prior = warm.map(|w| Prior::from_warm(w, m));
    let (c, next) = compute(m, opts, prior.as_ref())?;
    Ok((report(m, texts, c), next.to_warm(m)))
}

/// Runs the pipeline from an index-keyed prior state.
pub(crate) fn compute(
    m: &Matrix,
    opts: &Options,
    warm: Option<&Prior>,
) -> Result<(Computed, Prior), OpinionError> {
    let n = m.pids.len();
    let nc = m.n_cols();
    if n < 2 {
        return Err(OpinionError::NotEnoughData(format!(
            "{n} participant(s) with votes; at least 2 are needed"
        )));
    }
    if nc < 2 {
        return Err(OpinionError::NotEnoughData(format!(
            "{nc} statement(s) with votes; at least 2 are needed"
        )));
    }
    if opts.base_k == 0 || opts.max_groups < 2 {
        return Err(OpinionError::InvalidOptions(
            "base_k must be ≥ 1 and max_groups ≥ 2".into(),
        ));
    }
    let mode = opts.mode;

    // 1. Who is clustered.
    let counts: Vec<usize> = m.rows.iter().map(Vec::len).collect();
    let threshold = 7.min(nc);
    let sticky = |i: usize| warm.is_some_and(|w| w.in_conv.get(i).copied().unwrap_or(false));
    let mut in_conv: Vec<bool> = (0..n)
        .map(|i| counts[i] >= threshold || sticky(i))
        .collect();
    let mut n_in = in_conv.iter().filter(|&&b| b).count();
    if n_in < 15 {
        let mut order: Vec<usize> = (0..n).collect();
        order.sort_by(|&a, &b| counts[b].cmp(&counts[a]));
        for i in order {
            if n_in >= 15 {
                break;
            }
            if !in_conv[i] && counts[i] > 0 {
                in_conv[i] = true;
                n_in += 1;
            }
        }
    }

    // 2. PCA.
    let center = pca::center(m);
    let pad = |v: &[f64], fill: f64| -> Vec<f64> {
        (0..nc).map(|j| v.get(j).copied().unwrap_or(fill)).collect()
    };
    let starts: [Vec<f64>; 2] = match warm.and_then(|w| w.components.as_ref()) {
        Some(c) => [pad(&c[0], 1.0), pad(&c[1], 1.0)],
        None => match mode {
            // Pol.is starts from an unseeded random vector; a vector of ones is the
            // reproducible choice (and the one reference_pipeline.py uses).
            Mode::Compat => [vec![1.0; nc], vec![1.0; nc]],
            Mode::Default => {
                let mut rng = SplitMix::new(opts.seed);
                let a = (0..nc).map(|_| rng.next_f64()).collect();
                let b = (0..nc).map(|_| rng.next_f64()).collect();
                [a, b]
            }
        },
    };
    let guards: Vec<Vec<f64>> = match warm {
        Some(w) if mode == Mode::Default => w.guards.iter().map(|g| pad(g, 0.0)).collect(),
        _ => Vec::new(),
    };
    let (comps, pca_guards, iterations) = match mode {
        Mode::Compat => {
            let (c, n) = pca::pca2(m, &center, starts, Stop::Polis { iters: 100 });
            (c, Vec::new(), n)
        }
        Mode::Default => {
            let mut rng = SplitMix::new(opts.seed ^ 0xB10C);
            let mut extra = || rng.next_f64();
            pca::pca2_exact(
                m,
                &center,
                starts,
                &guards,
                &mut extra,
                opts.pca_tolerance,
                opts.pca_max_iters,
            )
        }
    };
    let proj = pca::project(m, &center, &comps);
    let (sproj, extremity) = pca::statement_projection(m, &center, &comps);

    // 3. Base clusters on in-conv participants.
    let members_idx: Vec<usize> = (0..n).filter(|&i| in_conv[i]).collect();
    let points: Vec<P2> = members_idx.iter().map(|&i| proj[i]).collect();
    let ones = vec![1.0; points.len()];
    let init = match warm {
        Some(w) if !w.base_members.is_empty() => {
            let mut pos = vec![u32::MAX; n];
            for (k, &i) in members_idx.iter().enumerate() {
                pos[i] = k as u32;
            }
            let prev: Vec<Vec<usize>> = w
                .base_members
                .iter()
                .map(|c| {
                    c.iter()
                        .filter_map(|&i| pos.get(i as usize).copied().filter(|&k| k != u32::MAX))
                        .map(|k| k as usize)
                        .collect()
                })
                .collect();
            cluster::clean_start(&points, &prev, opts.base_k)
        }
        _ => cluster::first_k_distinct(&points, opts.base_k),
    };
    let (blabels, bcenters) = cluster::kmeans(&points, &ones, init, 100);
    let nb = bcenters.len();
    let mut bweights = vec![0.0; nb];
    for &l in &blabels {
        bweights[l] += 1.0;
    }

    // 4. Groups: weighted k-means over base centres, k by silhouette.
    let max_k = opts.max_groups.min(2 + nb / 12);
    let group_iters = match mode {
        Mode::Compat => 20, // Pol.is passes :cluster-iters, kmeans reads :max-iters → default 20.
        Mode::Default => 100,
    };
    let mut candidates: Vec<Candidate> = Vec::new();
    for k in 2..=max_k.max(2) {
        let init = match warm.and_then(|w| w.group_centers.get(&k)) {
            Some(c) if !c.is_empty() => c.clone(),
            _ => cluster::first_k_distinct(&bcenters, k),
        };
        let (gl, gc) = cluster::kmeans(&bcenters, &bweights, init, group_iters);
        let sil = cluster::silhouette(&bcenters, &gl);
        let mut sizes = vec![0.0; gc.len()];
        for (b, &g) in gl.iter().enumerate() {
            sizes[g] += bweights[b];
        }
        let eligible = match mode {
            Mode::Compat => true,
            Mode::Default => sizes.iter().all(|&s| s >= opts.min_group_size as f64),
        };
        candidates.push((k, gl, gc, sil, eligible));
    }
    let argmax = candidates
        .iter()
        .enumerate()
        .filter(|(_, c)| c.4)
        .fold(None::<(usize, f64)>, |acc, (i, c)| match acc {
            Some((_, s)) if s >= c.3 => acc,
            _ => Some((i, c.3)),
        })
        .map(|(i, _)| i);
    // The k smoother: a new best k is shown only after K_BUFFER consecutive wins.
    let best_k = argmax.map(|i| candidates[i].0);
    let (shown_k, smoother) = match (best_k, warm.and_then(|w| w.k_smoother)) {
        (None, s) => (None, s),
        (Some(b), None) => (Some(b), Some((b, b, 0))),
        (Some(b), Some((cur, cand, cnt))) => {
            if b == cur {
                (Some(cur), Some((cur, b, 0)))
            } else {
                let cnt = if b == cand { cnt + 1 } else { 1 };
                if cnt >= K_BUFFER {
                    (Some(b), Some((b, b, 0)))
                } else {
                    (Some(cur), Some((cur, b, cnt)))
                }
            }
        }
    };
    let chosen = shown_k
        .and_then(|k| candidates.iter().position(|c| c.0 == k && c.4))
        .or(argmax);
    let (mut glabels, mut gcenters) = match chosen {
        Some(i) => (candidates[i].1.clone(), candidates[i].2.clone()),
        None => (vec![0; nb], Vec::new()),
    };
    if chosen.is_none() {
        // Default mode, no candidate k without a tiny group: take k = 2 and fold every group
        // smaller than min_group_size into the nearest large one.
        if let Some(c) = candidates.first() {
            glabels = c.1.clone();
            gcenters = c.2.clone();
        }
        fold_small_groups(
            &mut glabels,
            &mut gcenters,
            &bweights,
            opts.min_group_size as f64,
        );
    }
    if gcenters.is_empty() && nb > 0 {
        let w: f64 = bweights.iter().sum();
        let cx = bcenters
            .iter()
            .zip(&bweights)
            .map(|(c, w)| c[0] * w)
            .sum::<f64>()
            / w;
        let cy = bcenters
            .iter()
            .zip(&bweights)
            .map(|(c, w)| c[1] * w)
            .sum::<f64>()
            / w;
        gcenters = vec![[cx, cy]];
        glabels = vec![0; nb];
    }
    let ng = gcenters.len();

    // 5. Participant → group.
    let mut group_of: Vec<Option<usize>> = vec![None; n];
    for (k, &i) in members_idx.iter().enumerate() {
        group_of[i] = Some(glabels[blabels[k]]);
    }
    let mut group_rows: Vec<Vec<usize>> = vec![Vec::new(); ng];
    for (i, g) in group_of.iter().enumerate() {
        if let Some(g) = *g {
            group_rows[g].push(i);
        }
    }

    // 6. Statistics (one pass over the votes for every group and the whole population).
    let (raw_g, all_raw) = tally_all(m, &group_of, ng);
    let rat_g: Vec<Counts> = raw_g
        .iter()
        .zip(&group_rows)
        .map(|(c, rows)| rating_counts(m, c, rows.len() as u64))
        .collect();
    let mut reps = Vec::with_capacity(ng);
    for g in 0..ng {
        let mut rest = Counts::zero(nc);
        for (h, c) in rat_g.iter().enumerate() {
            if h != g {
                for j in 0..nc {
                    rest.a[j] += c.a[j];
                    rest.d[j] += c.d[j];
                    rest.s[j] += c.s[j];
                }
            }
        }
        reps.push(representative(m, &rat_g[g], &rest, mode));
    }
    let cons = consensus(m, &rating_counts(m, &all_raw, n as u64));
    let gac: Vec<f64> = (0..nc)
        .map(|j| {
            raw_g
                .iter()
                .map(|c| (c.a[j] as f64 + 1.0) / (c.s[j] as f64 + 2.0))
                .product()
        })
        .collect();
    let mut sum_g = Counts::zero(nc);
    for c in &raw_g {
        for j in 0..nc {
            sum_g.a[j] += c.a[j];
            sum_g.d[j] += c.d[j];
            sum_g.s[j] += c.s[j];
        }
    }
    let prio_counts: Vec<(u64, u64, u64)> = (0..nc)
        .map(|j| {
            let current = (sum_g.a[j], sum_g.d[j], sum_g.s[j]);
            match (mode, warm.and_then(|w| w.tallies.as_ref())) {
                // Pol.is reads the previous update's tallies (CLOJURE_QUIRKS Q2).
                (Mode::Compat, Some(t)) => t.get(j).copied().unwrap_or((0, 0, 0)),
                _ => current,
            }
        })
        .collect();
    let priorities: Vec<f64> = (0..nc)
        .map(|j| {
            if m.meta[j] {
                return 49.0;
            }
            let (a, d, s) = prio_counts[j];
            let (a, d, s) = (a as f64, d as f64, s as f64);
            let p = s - (a + d);
            let importance =
                (1.0 - (p + 1.0) / (s + 2.0)) * (extremity[j] + 1.0) * (a + 1.0) / (s + 2.0);
            (importance * (1.0 + 8.0 * 2f64.powf(-s / 5.0))).powi(2)
        })
        .collect();
    let mut divisive: Vec<Divisive> = Vec::new();
    if ng >= 2 {
        for j in (0..nc).filter(|&j| !m.mod_out[j]) {
            let share: Vec<f64> = raw_g
                .iter()
                .map(|c| (c.a[j] as f64 + 1.0) / ((c.a[j] + c.d[j]) as f64 + 2.0))
                .collect();
            let hi = share.iter().copied().fold(f64::MIN, f64::max);
            let lo = share.iter().copied().fold(f64::MAX, f64::min);
            divisive.push(Divisive {
                statement: m.tids[j],
                score: hi - lo,
                agree_share: share,
            });
        }
        divisive.sort_by(|a, b| b.score.total_cmp(&a.score));
        divisive.truncate(5);
    }

    let mut group_centers = warm.map(|w| w.group_centers.clone()).unwrap_or_default();
    for c in &candidates {
        group_centers.insert(c.0, c.2.clone());
    }
    let mut base_members: Vec<Vec<u32>> = vec![Vec::new(); nb];
    for (k, &i) in members_idx.iter().enumerate() {
        base_members[blabels[k]].push(i as u32);
    }
    let next = Prior {
        in_conv,
        components: Some(comps.clone()),
        guards: pca_guards,
        base_members,
        group_centers,
        k_smoother: smoother,
        tallies: Some(
            (0..nc)
                .map(|j| (sum_g.a[j], sum_g.d[j], sum_g.s[j]))
                .collect(),
        ),
    };
    let computed = Computed {
        mode,
        n_in,
        n_votes: m.n_votes(),
        center,
        comps,
        iterations,
        proj,
        sproj,
        extremity,
        members_idx,
        blabels,
        bcenters,
        scores: candidates
            .iter()
            .map(|c| KScore {
                k: c.0,
                silhouette: c.3,
                eligible: c.4,
            })
            .collect(),
        glabels,
        gcenters,
        group_of,
        group_rows,
        reps,
        cons,
        gac,
        priorities,
        divisive,
        raw_g,
        all_raw,
    };
    Ok((computed, next))
}

/// Moves every base cluster of a group lighter than `min` to the nearest heavy group.
fn fold_small_groups(labels: &mut [usize], centers: &mut Vec<P2>, weights: &[f64], min: f64) {
    let k = centers.len();
    let mut size = vec![0.0; k];
    for (b, &g) in labels.iter().enumerate() {
        size[g] += weights[b];
    }
    let big: Vec<usize> = (0..k).filter(|&g| size[g] >= min).collect();
    if big.is_empty() {
        for l in labels.iter_mut() {
            *l = 0;
        }
        centers.clear();
        return;
    }
    let remap: Vec<usize> = (0..k)
        .map(|g| {
            let target = if size[g] >= min {
                g
            } else {
                *big.iter()
                    .min_by(|&&a, &&b| {
                        cluster::dist(centers[g], centers[a])
                            .total_cmp(&cluster::dist(centers[g], centers[b]))
                    })
                    .unwrap_or(&big[0])
            };
            big.iter().position(|&x| x == target).unwrap_or(0)
        })
        .collect();
    for l in labels.iter_mut() {
        *l = remap[*l];
    }
    let new_centers: Vec<P2> = big.iter().map(|&g| centers[g]).collect();
    *centers = new_centers;
}
