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
}

impl SortedCenters {
    /// Nearest centre (Pol.is tie rule) and the distance to the nearest *other* centre, a lower
    /// bound that lets later iterations skip the search (Hamerly's bound).
    fn nearest2(&self, p: P2) -> (usize, f64) {
        let start = self.xs.partition_point(|&x| x < p[0]);
        let (mut best, mut second, mut bi) = (f64::INFINITY, f64::INFINITY, 0usize);
        let mut visit = |k: usize| -> bool {
            let dx = self.xs[k] - p[0];
            if dx * dx > second {
                return false;
            }
            let c = self.pts[k];
            let d = (p[0] - c[0]).powi(2) + (p[1] - c[1]).powi(2);
            let i = self.idx[k];
            if d < best || (d == best && i > bi) {
                second = best;
                best = d;
                bi = i;
            } else if d < second {
                second = d;
            }
            true
        };
        for k in start..self.xs.len() {
            if !visit(k) {
                break;
            }
        }
        for k in (0..start).rev() {
            if !visit(k) {
                break;
            }
        }
        (bi, second.sqrt())
    }
}

/// Assignment step with bounds: a point whose own centre is strictly nearer than the lower
/// bound on every other centre keeps its label without a search. Exact (a safety margin
/// absorbs rounding), so the labels equal those of a full scan.
fn assign_bounded(points: &[P2], centers: &[P2], labels: &mut [usize], lower: &mut [f64]) {
    let sc = SortedCenters::new(centers);
    let step = |(p, (l, lo)): (&P2, (&mut usize, &mut f64))| {
        let own = dist(*p, centers[*l]);
        if own < *lo * (1.0 - 1e-12) - 1e-12 {
            return;
        }
        let (b, second) = sc.nearest2(*p);
        *l = b;
        *lo = second;
    };
    if points.len() > 20_000 {
        points
            .par_iter()
            .zip(labels.par_iter_mut().zip(lower.par_iter_mut()))
            .for_each(step);
    } else {
        points
            .iter()
            .zip(labels.iter_mut().zip(lower.iter_mut()))
            .for_each(step);
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
    // Lower bounds on the distance to any centre but one's own; 0 forces the first search.
    let mut lower = vec![0.0; points.len()];
    for _ in 0..=iters {
        assign_bounded(points, &centers, &mut labels, &mut lower);
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
        let max_move = (0..k)
            .filter(|&c| remap[c] != usize::MAX)
            .map(|c| dist(centers[c], new_centers[remap[c]]))
            .fold(0.0, f64::max);
        for lo in &mut lower {
            *lo -= max_move;
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

#[cfg(test)]
mod tests {
    use super::*;

    /// The plain Lloyd step the bounded one must reproduce (full scan, last-minimal tie rule).
    fn naive(points: &[P2], init: Vec<P2>, iters: usize) -> (Vec<usize>, Vec<P2>) {
        let mut centers = init;
        let mut labels = vec![0; points.len()];
        for _ in 0..=iters {
            labels = points
                .iter()
                .map(|&p| {
                    let mut best = (f64::INFINITY, 0);
                    for (i, &c) in centers.iter().enumerate() {
                        let d = (p[0] - c[0]).powi(2) + (p[1] - c[1]).powi(2);
                        if d <= best.0 {
                            best = (d, i);
                        }
                    }
                    best.1
                })
                .collect();
            let k = centers.len();
            let mut sum = vec![[0.0, 0.0, 0.0]; k];
            for (i, &l) in labels.iter().enumerate() {
                sum[l][0] += points[i][0];
                sum[l][1] += points[i][1];
                sum[l][2] += 1.0;
            }
            let mut remap = vec![usize::MAX; k];
            let mut next = Vec::new();
            for c in 0..k {
                if sum[c][2] > 0.0 {
                    remap[c] = next.len();
                    next.push([sum[c][0] / sum[c][2], sum[c][1] / sum[c][2]]);
                }
            }
            labels.iter_mut().for_each(|l| *l = remap[*l]);
            let done = same_clustering(&next, &centers);
            centers = next;
            if done {
                break;
            }
        }
        (labels, centers)
    }

    #[test]
    fn bounded_kmeans_equals_full_scan() {
        let mut s = 12345u64;
        let mut rnd = || {
            s = s
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            ((s >> 11) as f64 / (1u64 << 53) as f64) * 10.0 - 5.0
        };
        for trial in 0..5 {
            // Clustered points plus exact duplicates (ties).
            let mut pts: Vec<P2> = (0..3000)
                .map(|i| {
                    let c = (i % 4) as f64 * 2.0;
                    [c + rnd() * 0.5, -c + rnd() * 0.5]
                })
                .collect();
            pts.extend_from_within(..200);
            let init = first_k_distinct(&pts, 100 - trial * 20);
            let w = vec![1.0; pts.len()];
            let (la, ca) = kmeans(&pts, &w, init.clone(), 100);
            let (lb, cb) = naive(&pts, init, 100);
            assert_eq!(la, lb, "trial {trial}");
            assert_eq!(ca, cb, "trial {trial}");
        }
    }
}
