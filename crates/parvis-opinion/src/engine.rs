//! The pipeline: in-conv → PCA → projections → base clusters → groups → statistics.

use std::collections::{BTreeMap, HashMap};

use serde::{Deserialize, Serialize};

use crate::cluster::{self, P2};
use crate::matrix::{FastMap, Matrix};
use crate::pca::{self, Stop};
use crate::report::*;
use crate::{Mode, OpinionError, Options};

/// One-sided 90 % z threshold used by every Pol.is significance test.
const Z90: f64 = 1.2816;
/// Updates an argmax must win in a row before the shown group count changes (Pol.is).
const K_BUFFER: u32 = 4;

/// State carried from one update to the next (Pol.is keeps the same between ticks). Everything is
/// keyed by participant or statement id so that it survives rows and columns being added.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct WarmStart {
    /// Participants already clustered: they stay clustered ("once in, always in").
    pub in_conv: Vec<String>,
    /// Previous components, by statement id.
    pub components: Option<(Vec<u64>, [Vec<f64>; 2])>,
    /// Default mode: the guard vectors of the PCA block (same statement order as `components`).
    #[serde(default)]
    pub pca_guards: Vec<Vec<f64>>,
    /// Previous base clusters (participant ids).
    pub base_clusters: Vec<Vec<String>>,
    /// Previous group centres, per k.
    pub group_centers: BTreeMap<usize, Vec<[f64; 2]>>,
    /// k smoother: (shown k, candidate k, consecutive wins of the candidate).
    pub k_smoother: Option<(usize, usize, u32)>,
    /// Previous update's summed group tallies (A, D, S) by statement id (Pol.is's priorities read
    /// these instead of the current ones).
    pub tallies: HashMap<u64, (u64, u64, u64)>,
}

/// The warm state in matrix coordinates (row and column indices). [`OpinionState`] keeps it
/// between updates: rows and columns are only ever appended there, so indices stay valid and no
/// id has to be hashed or cloned per vote. [`WarmStart`] is its id-keyed, serialisable twin.
///
/// [`OpinionState`]: crate::OpinionState
#[derive(Debug, Clone, Default)]
pub(crate) struct Prior {
    /// By row; rows past the end are not sticky.
    pub in_conv: Vec<bool>,
    /// By column; columns past the end start at 1 (Pol.is pads new comments with 1s).
    pub components: Option<[Vec<f64>; 2]>,
    /// By column; columns past the end start at 0.
    pub guards: Vec<Vec<f64>>,
    /// Base-cluster members, as row indices.
    pub base_members: Vec<Vec<u32>>,
    pub group_centers: BTreeMap<usize, Vec<[f64; 2]>>,
    pub k_smoother: Option<(usize, usize, u32)>,
    /// Summed group tallies by column (None: no previous update).
    pub tallies: Option<Vec<(u64, u64, u64)>>,
}

impl Prior {
    /// Maps an id-keyed warm start onto this matrix (unknown ids are ignored).
    pub(crate) fn from_warm(w: &WarmStart, m: &Matrix) -> Prior {
        let prow: FastMap<&str, usize> = m
            .pids
            .iter()
            .enumerate()
            .map(|(i, p)| (p.as_str(), i))
            .collect();
        let mut in_conv = vec![false; m.pids.len()];
        for p in &w.in_conv {
            if let Some(&i) = prow.get(p.as_str()) {
                in_conv[i] = true;
            }
        }
        let by_col = |tids: &[u64], v: &[f64], pad: f64| -> Vec<f64> {
            let pos: FastMap<u64, usize> = tids.iter().enumerate().map(|(i, &t)| (t, i)).collect();
            m.tids
                .iter()
                .map(|t| pos.get(t).and_then(|&i| v.get(i).copied()).unwrap_or(pad))
                .collect()
        };
        let (components, guards) = match &w.components {
            Some((tids, c)) => (
                Some([by_col(tids, &c[0], 1.0), by_col(tids, &c[1], 1.0)]),
                w.pca_guards.iter().map(|g| by_col(tids, g, 0.0)).collect(),
            ),
            None => (None, Vec::new()),
        };
        let base_members = w
            .base_clusters
            .iter()
            .map(|c| {
                c.iter()
                    .filter_map(|p| prow.get(p.as_str()).map(|&i| i as u32))
                    .collect()
            })
            .collect();
        let tallies = (!w.tallies.is_empty()).then(|| {
            m.tids
                .iter()
                .map(|t| w.tallies.get(t).copied().unwrap_or((0, 0, 0)))
                .collect()
        });
        Prior {
            in_conv,
            components,
            guards,
            base_members,
            group_centers: w.group_centers.clone(),
            k_smoother: w.k_smoother,
            tallies,
        }
    }

    /// The id-keyed form.
    pub(crate) fn to_warm(&self, m: &Matrix) -> WarmStart {
        let pid = |i: usize| m.pids.get(i).cloned().unwrap_or_default();
        WarmStart {
            in_conv: (0..self.in_conv.len())
                .filter(|&i| self.in_conv[i])
                .map(pid)
                .collect(),
            components: self.components.clone().map(|c| (m.tids.clone(), c)),
            pca_guards: self.guards.clone(),
            base_clusters: self
                .base_members
                .iter()
                .map(|c| c.iter().map(|&i| pid(i as usize)).collect())
                .collect(),
            group_centers: self.group_centers.clone(),
            k_smoother: self.k_smoother,
            tallies: self
                .tallies
                .iter()
                .flat_map(|t| t.iter().enumerate().map(|(j, &c)| (m.tids[j], c)))
                .collect(),
        }
    }
}

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

/// Vote counts of a set of rows on every column.
#[derive(Debug, Clone)]
struct Counts {
    a: Vec<u64>,
    d: Vec<u64>,
    s: Vec<u64>,
}

impl Counts {
    fn zero(n: usize) -> Counts {
        Counts {
            a: vec![0; n],
            d: vec![0; n],
            s: vec![0; n],
        }
    }
}

/// Raw tallies per group and for everyone, in one parallel pass.
fn tally_all(m: &Matrix, group_of: &[Option<usize>], ng: usize) -> (Vec<Counts>, Counts) {
    use rayon::prelude::*;
    let nc = m.n_cols();
    let zero = || (vec![Counts::zero(nc); ng], Counts::zero(nc));
    let add = |c: &mut Counts, j: usize, v: i8| {
        c.s[j] += 1;
        match v {
            -1 => c.a[j] += 1,
            1 => c.d[j] += 1,
            _ => {}
        }
    };
    if !m.parallel() {
        let (mut gs, mut all) = zero();
        for (row, g) in m.rows.iter().zip(group_of) {
            for &(j, v) in row {
                add(&mut all, j as usize, v);
                if let Some(g) = *g {
                    add(&mut gs[g], j as usize, v);
                }
            }
        }
        return (gs, all);
    }
    let chunk = 4096;
    m.rows
        .par_chunks(chunk)
        .enumerate()
        .fold(zero, |(mut gs, mut all), (ci, rows)| {
            for (k, row) in rows.iter().enumerate() {
                let g = group_of[ci * chunk + k];
                for &(j, v) in row {
                    add(&mut all, j as usize, v);
                    if let Some(g) = g {
                        add(&mut gs[g], j as usize, v);
                    }
                }
            }
            (gs, all)
        })
        .reduce(zero, |(mut ga, mut aa), (gb, ab)| {
            for (x, y) in ga
                .iter_mut()
                .zip(&gb)
                .chain(std::iter::once((&mut aa, &ab)))
            {
                for j in 0..x.a.len() {
                    x.a[j] += y.a[j];
                    x.d[j] += y.d[j];
                    x.s[j] += y.s[j];
                }
            }
            (ga, aa)
        })
}

#[allow(dead_code)]
fn tally(m: &Matrix, rows: impl Iterator<Item = usize>) -> Counts {
    let mut c = Counts::zero(m.n_cols());
    for r in rows {
        for &(j, v) in &m.rows[r] {
            let j = j as usize;
            c.s[j] += 1;
            match v {
                -1 => c.a[j] += 1,
                1 => c.d[j] += 1,
                _ => {}
            }
        }
    }
    c
}

/// Rating-matrix counts: mod-out columns are all zeros (seen by all, agreed by none).
fn rating_counts(m: &Matrix, raw: &Counts, n_rows: u64) -> Counts {
    let mut c = raw.clone();
    for j in 0..m.n_cols() {
        if m.mod_out[j] {
            c.a[j] = 0;
            c.d[j] = 0;
            c.s[j] = n_rows;
        }
    }
    c
}

fn prop_test(s: f64, n: f64) -> f64 {
    let (s, n) = (s + 1.0, n + 1.0);
    2.0 * n.sqrt() * (s / n - 0.5)
}

fn two_prop_test(s1: f64, s2: f64, n1: f64, n2: f64) -> f64 {
    let (s1, s2, n1, n2) = (s1 + 1.0, s2 + 1.0, n1 + 1.0, n2 + 1.0);
    let (p1, p2) = (s1 / n1, s2 / n2);
    let ph = (s1 + s2) / (n1 + n2);
    if ph == 1.0 {
        return 0.0;
    }
    let z = (p1 - p2) / (ph * (1.0 - ph) * (1.0 / n1 + 1.0 / n2)).sqrt();
    if z.is_finite() { z } else { 0.0 }
}

#[derive(Clone, Copy)]
struct Rep {
    j: usize,
    na: u64,
    nd: u64,
    ns: u64,
    pa: f64,
    pd: f64,
    pat: f64,
    pdt: f64,
    ra: f64,
    rd: f64,
    rat: f64,
    rdt: f64,
}

fn finalize(m: &Matrix, r: &Rep, agree: bool, best: bool, mode: Mode) -> RepStatement {
    let (n_success, p_success, p_test, repness, test) = if agree {
        (r.na, r.pa, r.pat, r.ra, r.rat)
    } else {
        (r.nd, r.pd, r.pdt, r.rd, r.rdt)
    };
    let repness_test = match mode {
        // Pol.is stores repness-test as a float32.
        Mode::Compat => f64::from(test as f32),
        Mode::Default => test,
    };
    RepStatement {
        statement: m.tids[r.j],
        repful_for: if agree {
            Repful::Agree
        } else {
            Repful::Disagree
        },
        n_success,
        n_trials: r.ns,
        p_success,
        p_test,
        repness,
        repness_test,
        best_agree: best,
        percent: if r.ns == 0 {
            0.0
        } else {
            100.0 * n_success as f64 / r.ns as f64
        },
    }
}

fn metric(s: &RepStatement) -> f64 {
    s.repness * s.repness_test * s.p_success * s.p_test
}

/// Pol.is `select-rep-comments` for one group.
fn representative(m: &Matrix, g: &Counts, rest: &Counts, mode: Mode) -> Vec<RepStatement> {
    let mut reps = Vec::new();
    for j in 0..m.n_cols() {
        if m.mod_out[j] {
            continue;
        }
        let (na, nd, ns) = (g.a[j] as f64, g.d[j] as f64, g.s[j] as f64);
        let (ra_, rd_, rs_) = (rest.a[j] as f64, rest.d[j] as f64, rest.s[j] as f64);
        let pa = (1.0 + na) / (2.0 + ns);
        let pd = (1.0 + nd) / (2.0 + ns);
        reps.push(Rep {
            j,
            na: g.a[j],
            nd: g.d[j],
            ns: g.s[j],
            pa,
            pd,
            pat: prop_test(na, ns),
            pdt: prop_test(nd, ns),
            ra: pa / ((1.0 + ra_) / (2.0 + rs_)),
            rd: pd / ((1.0 + rd_) / (2.0 + rs_)),
            rat: two_prop_test(na, ra_, ns, rs_),
            rdt: two_prop_test(nd, rd_, ns, rs_),
        });
    }
    // best-agree
    let mut best: Option<Rep> = None;
    for r in &reps {
        if r.na == 0 && r.nd == 0 {
            continue;
        }
        best = match best {
            Some(b) if b.ra > 1.0 => {
                if r.ra * r.rat * r.pa * r.pat > b.ra * b.rat * b.pa * b.pat {
                    Some(*r)
                } else {
                    Some(b)
                }
            }
            Some(b) => {
                if r.pa * r.pat > b.pa * b.pat {
                    Some(*r)
                } else {
                    Some(b)
                }
            }
            None => {
                if r.pat > Z90 || (r.ra > 1.0 && r.pa > 0.5) {
                    Some(*r)
                } else {
                    None
                }
            }
        };
    }
    let mut passing: Vec<RepStatement> = reps
        .iter()
        .filter(|r| (r.rat > Z90 && r.pat > Z90) || (r.rdt > Z90 && r.pdt > Z90))
        .map(|r| finalize(m, r, r.rat > r.rdt, false, mode))
        .collect();
    if passing.is_empty() {
        if let Some(b) = best {
            return vec![finalize(m, &b, true, true, mode)];
        }
        let top = reps
            .iter()
            .max_by(|a, b| a.rat.max(a.rdt).total_cmp(&b.rat.max(b.rdt)));
        return top
            .map(|r| vec![finalize(m, r, r.rat > r.rdt, false, mode)])
            .unwrap_or_default();
    }
    passing.sort_by(|a, b| metric(b).total_cmp(&metric(a)));
    if let Some(b) = best {
        passing.retain(|s| s.statement != m.tids[b.j]);
        passing.insert(0, finalize(m, &b, true, true, mode));
    }
    passing.truncate(5);
    // Agrees before disagrees, order otherwise kept (stable sort).
    passing.sort_by_key(|s| s.repful_for == Repful::Disagree);
    passing
}

fn consensus(m: &Matrix, c: &Counts) -> Consensus {
    let mut agree = Vec::new();
    let mut disagree = Vec::new();
    for j in 0..m.n_cols() {
        if m.mod_out[j] {
            continue;
        }
        let ns = c.s[j] as f64;
        for (n, list) in [(c.a[j], &mut agree), (c.d[j], &mut disagree)] {
            let p = (1.0 + n as f64) / (2.0 + ns);
            let z = prop_test(n as f64, ns);
            if p > 0.5 && z > Z90 {
                list.push(ConsensusStatement {
                    statement: m.tids[j],
                    n_success: n,
                    n_trials: c.s[j],
                    p_success: p,
                    p_test: z,
                    percent: if c.s[j] == 0 {
                        0.0
                    } else {
                        100.0 * n as f64 / ns
                    },
                });
            }
        }
    }
    for list in [&mut agree, &mut disagree] {
        list.sort_by(|a, b| (b.p_success * b.p_test).total_cmp(&(a.p_success * a.p_test)));
        list.truncate(5);
    }
    Consensus { agree, disagree }
}

/// A small deterministic generator (SplitMix64): the seed fully determines default mode.
pub(crate) struct SplitMix(u64);

impl SplitMix {
    pub(crate) fn new(seed: u64) -> SplitMix {
        SplitMix(seed)
    }
    pub(crate) fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    /// Uniform in [-1, 1).
    pub(crate) fn next_f64(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 52) as f64 - 1.0
    }
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

/// Turns computed results into the public report (ids, texts, lists).
pub(crate) fn report(m: &Matrix, texts: &HashMap<u64, String>, c: Computed) -> Report {
    let n = m.pids.len();
    let nc = m.n_cols();
    let ng = c.gcenters.len();
    let nb = c.bcenters.len();
    let (raw_g, all_raw) = (&c.raw_g, &c.all_raw);
    let statements = (0..nc)
        .map(|j| StatementStats {
            id: m.tids[j],
            text: texts.get(&m.tids[j]).cloned().unwrap_or_default(),
            moderated: m.mod_out[j] && !m.meta[j],
            meta: m.meta[j],
            agrees: all_raw.a[j],
            disagrees: all_raw.d[j],
            passes: all_raw.s[j] - all_raw.a[j] - all_raw.d[j],
            extremity: c.extremity[j],
            priority: c.priorities[j],
            group_aware_consensus: c.gac[j],
            groups: (0..ng)
                .map(|g| GroupTally {
                    group: g,
                    agrees: raw_g[g].a[j],
                    disagrees: raw_g[g].d[j],
                    seen: raw_g[g].s[j],
                })
                .collect(),
        })
        .collect();
    let mut bmembers: Vec<Vec<String>> = vec![Vec::new(); nb];
    for (k, &i) in c.members_idx.iter().enumerate() {
        bmembers[c.blabels[k]].push(m.pids[i].clone());
    }
    let base_clusters: Vec<BaseCluster> = c
        .bcenters
        .iter()
        .zip(bmembers)
        .enumerate()
        .map(|(b, (ctr, members))| BaseCluster {
            id: b,
            members,
            x: ctr[0],
            y: ctr[1],
        })
        .collect();
    let by_id = |v: &[f64]| -> Vec<StatementValue> {
        (0..nc)
            .map(|j| StatementValue {
                statement: m.tids[j],
                value: v[j],
            })
            .collect()
    };
    let groups = c
        .reps
        .into_iter()
        .enumerate()
        .map(|(g, representative)| Group {
            id: g,
            members: c.group_rows[g].iter().map(|&i| m.pids[i].clone()).collect(),
            base_clusters: (0..nb).filter(|&b| c.glabels[b] == g).collect(),
            center: c.gcenters[g],
            representative,
        })
        .collect();
    Report {
        mode: c.mode,
        n_participants: n,
        n_statements: nc,
        n_votes: c.n_votes,
        n_in_conv: c.n_in,
        statement_ids: m.tids.clone(),
        pca: Pca {
            center: c.center,
            components: c.comps.to_vec(),
            statement_projections: c.sproj,
            statement_extremity: c.extremity.clone(),
            iterations: c.iterations,
        },
        projections: (0..n)
            .map(|i| Projection {
                id: m.pids[i].clone(),
                x: c.proj[i][0],
                y: c.proj[i][1],
            })
            .collect(),
        participants: (0..n)
            .map(|i| ParticipantGroup {
                id: m.pids[i].clone(),
                group: c.group_of[i],
            })
            .collect(),
        silhouettes: c.scores,
        groups,
        consensus: c.cons,
        group_aware_consensus: by_id(&c.gac),
        divisive: c.divisive,
        priorities: by_id(&c.priorities),
        statements,
        base_clusters,
    }
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
