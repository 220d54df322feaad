//! Weighted k-means (Pol.is flavour), silhouette, and the warm-start helpers.

use std::collections::HashSet;

use rayon::prelude::*;

pub(crate) type P2 = [f64; 2];

#[inline]
pub(crate) fn dist(a: P2, b: P2) -> f64 {
    ((a[0] - b[0]).powi(2) + (a[1] - b[1]).powi(2)).sqrt()
}

/// The first `k` distinct points in order (Pol.is's `init-clusters`: no randomness).
pub(crate) fn first_k_distinct(points: &[P2], k: usize) -> Vec<P2> {
    let mut seen = HashSet::new();
    let mut out = Vec::new();
    for p in points {
        if out.len() >= k {
            break;
        }
        if seen.insert((p[0].to_bits(), p[1].to_bits())) {
            out.push(*p);
        }
    }
    out
}

/// Number of distinct points.
pub(crate) fn n_distinct(points: &[P2]) -> usize {
    points
        .iter()
        .map(|p| (p[0].to_bits(), p[1].to_bits()))
        .collect::<HashSet<_>>()
        .len()
}

/// Centres sorted by x, for pruned nearest-centre searches.
struct SortedCenters {
    xs: Vec<f64>,
    idx: Vec<usize>,
    pts: Vec<P2>,
}

impl SortedCenters {
    fn new(centers: &[P2]) -> SortedCenters {
        let mut idx: Vec<usize> = (0..centers.len()).collect();
        idx.sort_by(|&a, &b| centers[a][0].total_cmp(&centers[b][0]));
        SortedCenters {
            xs: idx.iter().map(|&i| centers[i][0]).collect(),
            pts: idx.iter().map(|&i| centers[i]).collect(),
            idx,
        }
    }

    /// Nearest centre; ties go to the last minimal centre (highest index), as in Pol.is.
    /// Exact: a centre whose x-gap alone exceeds the best distance cannot be nearer or tie.
    fn nearest(&self, p: P2) -> usize {
        let start = self.xs.partition_point(|&x| x < p[0]);
        let mut best = f64::INFINITY;
        let mut bi = 0usize;
        let visit = |k: usize, best: &mut f64, bi: &mut usize| -> bool {
            let dx = self.xs[k] - p[0];
            if dx * dx > *best {
                return false;
            }
            let c = self.pts[k];
            let d = (p[0] - c[0]).powi(2) + (p[1] - c[1]).powi(2);
            let i = self.idx[k];
            if d < *best || (d == *best && i > *bi) {
                *best = d;
                *bi = i;
            }
            true
        };
        for k in start..self.xs.len() {
            if !visit(k, &mut best, &mut bi) {
                break;
            }
        }
        for k in (0..start).rev() {
            if !visit(k, &mut best, &mut bi) {
                break;
            }
        }
        bi
    }
}

fn assign(points: &[P2], centers: &[P2]) -> Vec<usize> {
    let sc = SortedCenters::new(centers);
    if points.len() > 20_000 {
        points.par_iter().map(|&p| sc.nearest(p)).collect()
    } else {
        points.iter().map(|&p| sc.nearest(p)).collect()
    }
}

/// Pol.is's `same-clustering?`: same count and every sorted centre moved less than 0.01.
fn same_clustering(a: &[P2], b: &[P2]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    let mut a = a.to_vec();
    let mut b = b.to_vec();
    let key = |x: &P2, y: &P2| x[0].total_cmp(&y[0]).then(x[1].total_cmp(&y[1]));
    a.sort_by(key);
    b.sort_by(key);
    a.iter().zip(&b).all(|(x, y)| dist(*x, *y) < 0.01)
}

/// Lloyd's k-means from `init`, at most `iters + 1` steps; empty clusters are dropped.
/// Returns labels (indices into the returned centres) and centres.
pub(crate) fn kmeans(
    points: &[P2],
    weights: &[f64],
    init: Vec<P2>,
    iters: usize,
) -> (Vec<usize>, Vec<P2>) {
    let mut centers = init;
    let mut labels = vec![0; points.len()];
    if centers.is_empty() || points.is_empty() {
        return (labels, centers);
    }
    for _ in 0..=iters {
        labels = assign(points, &centers);
        let k = centers.len();
        let mut sx = vec![0.0; k];
        let mut sy = vec![0.0; k];
        let mut sw = vec![0.0; k];
        let mut cnt = vec![0usize; k];
        for (i, &l) in labels.iter().enumerate() {
            sx[l] += points[i][0] * weights[i];
            sy[l] += points[i][1] * weights[i];
            sw[l] += weights[i];
            cnt[l] += 1;
        }
        let mut remap = vec![usize::MAX; k];
        let mut new_centers = Vec::with_capacity(k);
        for c in 0..k {
            if cnt[c] > 0 {
                remap[c] = new_centers.len();
                let w = if sw[c] > 0.0 { sw[c] } else { 1.0 };
                new_centers.push([sx[c] / w, sy[c] / w]);
            }
        }
        for l in &mut labels {
            *l = remap[*l];
        }
        let done = same_clustering(&new_centers, &centers);
        centers = new_centers;
        if done {
            break;
        }
    }
    (labels, centers)
}

/// Mean silhouette over the points (unweighted), with `s = 0` for a point alone in its cluster.
pub(crate) fn silhouette(points: &[P2], labels: &[usize]) -> f64 {
    let n = points.len();
    let k = labels.iter().copied().max().map_or(0, |m| m + 1);
    if n == 0 || k < 2 {
        return 0.0;
    }
    let mut total = 0.0;
    for i in 0..n {
        let mut sum = vec![0.0; k];
        let mut cnt = vec![0usize; k];
        for j in 0..n {
            if j != i {
                sum[labels[j]] += dist(points[i], points[j]);
                cnt[labels[j]] += 1;
            }
        }
        let own = labels[i];
        if cnt[own] == 0 {
            continue;
        }
        let a = sum[own] / cnt[own] as f64;
        let b = (0..k)
            .filter(|&c| c != own && cnt[c] > 0)
            .map(|c| sum[c] / cnt[c] as f64)
            .fold(f64::INFINITY, f64::min);
        if !b.is_finite() {
            continue;
        }
        let m = a.max(b);
        if m > 0.0 {
            total += (b - a) / m;
        }
    }
    total / n as f64
}

/// Pol.is's warm start for base clusters (`clean-start-clusters`): previous clusters recentred
/// on their members' new positions, identical centres merged, then the most distal point split
/// off as a new singleton until there are `min(k, distinct points)` clusters.
pub(crate) fn clean_start(points: &[P2], previous_members: &[Vec<usize>], k: usize) -> Vec<P2> {
    let mut centers: Vec<P2> = Vec::new();
    let mut seen = HashSet::new();
    for members in previous_members {
        let live: Vec<P2> = members
            .iter()
            .filter_map(|&i| points.get(i).copied())
            .collect();
        if live.is_empty() {
            continue;
        }
        let n = live.len() as f64;
        let c = [
            live.iter().map(|p| p[0]).sum::<f64>() / n,
            live.iter().map(|p| p[1]).sum::<f64>() / n,
        ];
        if seen.insert((c[0].to_bits(), c[1].to_bits())) {
            centers.push(c);
        }
    }
    let target = k.min(n_distinct(points));
    centers.truncate(target);
    while centers.len() < target {
        let far = points
            .iter()
            .map(|&p| {
                centers
                    .iter()
                    .map(|&c| dist(p, c))
                    .fold(f64::INFINITY, f64::min)
            })
            .enumerate()
            .max_by(|a, b| a.1.total_cmp(&b.1))
            .map(|(i, _)| i);
        match far {
            Some(i) if centers.is_empty() || !centers.contains(&points[i]) => {
                centers.push(points[i])
            }
            _ => break,
        }
    }
    centers
}
