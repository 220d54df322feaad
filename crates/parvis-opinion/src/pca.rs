//! PCA by power iteration on the sparse, mean-imputed, centred vote matrix.
//!
//! Mean imputation makes every unvoted cell equal to its column mean, which is also the centre,
//! so the centred matrix `C` is exactly as sparse as the votes: `C[p][j] = x[p][j] − centre[j]`
//! where p voted on j and 0 elsewhere (mod-out columns are 0 everywhere). `CᵀC v` therefore costs
//! O(votes), never O(participants × statements).

use rayon::prelude::*;

use crate::matrix::Matrix;

const CHUNK: usize = 2048;

/// Column means over voted cells of the rating matrix (mod-out columns: 0).
pub(crate) fn center(m: &Matrix) -> Vec<f64> {
    let n = m.n_cols();
    let (sum, cnt) = col_sums(m);
    (0..n)
        .map(|j| if m.mod_out[j] || cnt[j] == 0 { 0.0 } else { sum[j] / cnt[j] as f64 })
        .collect()
}

/// Per column: sum of values and number of votes.
pub(crate) fn col_sums(m: &Matrix) -> (Vec<f64>, Vec<u64>) {
    let n = m.n_cols();
    let mut sum = vec![0.0; n];
    let mut cnt = vec![0u64; n];
    for row in &m.rows {
        for &(c, v) in row {
            sum[c as usize] += f64::from(v);
            cnt[c as usize] += 1;
        }
    }
    (sum, cnt)
}

#[inline]
fn cell(m: &Matrix, center: &[f64], c: u32, v: i8) -> f64 {
    if m.mod_out[c as usize] { 0.0 } else { f64::from(v) - center[c as usize] }
}

/// `CᵀC v`, in parallel over row chunks.
pub(crate) fn xtx(m: &Matrix, center: &[f64], v: &[f64]) -> Vec<f64> {
    let n = m.n_cols();
    m.rows
        .par_chunks(CHUNK)
        .fold(
            || vec![0.0; n],
            |mut acc, rows| {
                for row in rows {
                    let mut y = 0.0;
                    for &(c, x) in row {
                        y += cell(m, center, c, x) * v[c as usize];
                    }
                    if y != 0.0 {
                        for &(c, x) in row {
                            acc[c as usize] += cell(m, center, c, x) * y;
                        }
                    }
                }
                acc
            },
        )
        .reduce(
            || vec![0.0; n],
            |mut a, b| {
                for (x, y) in a.iter_mut().zip(b) {
                    *x += y;
                }
                a
            },
        )
}

pub(crate) fn norm(v: &[f64]) -> f64 {
    v.iter().map(|x| x * x).sum::<f64>().sqrt()
}

fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

/// Removes the components along `basis` (unit vectors) from `v`.
fn deflate(v: &mut [f64], basis: &[Vec<f64>]) {
    for b in basis {
        let d = dot(v, b);
        for (x, y) in v.iter_mut().zip(b) {
            *x -= d * y;
        }
    }
}

/// How power iteration stops.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Stop {
    /// Pol.is: `iters` steps (plus the first), or earlier when the eigenvalue estimate is exactly
    /// unchanged.
    Polis { iters: usize },
    /// Until the vector moves less than `tol` (2-norm) or `max` steps.
    Converge { tol: f64, max: usize },
}

/// Result of one power iteration: the vector and the number of products used.
pub(crate) fn power_iteration(
    m: &Matrix,
    center: &[f64],
    start: Vec<f64>,
    basis: &[Vec<f64>],
    stop: Stop,
) -> (Vec<f64>, usize) {
    let mut v = start;
    deflate(&mut v, basis);
    let mut last_eig = 0.0;
    let mut steps = 0;
    let max = match stop {
        Stop::Polis { iters } => iters + 1,
        Stop::Converge { max, .. } => max,
    };
    loop {
        let mut w = xtx(m, center, &v);
        deflate(&mut w, basis);
        steps += 1;
        let eig = norm(w.as_slice());
        if eig == 0.0 || !eig.is_finite() {
            // Nothing left to explain (or a degenerate matrix): a zero component, never NaN.
            return (vec![0.0; v.len()], steps);
        }
        for x in &mut w {
            *x /= eig;
        }
        let done = match stop {
            Stop::Polis { .. } => eig == last_eig,
            Stop::Converge { tol, .. } => {
                let d: f64 = w.iter().zip(&v).map(|(a, b)| (a - b) * (a - b)).sum::<f64>().sqrt();
                d < tol
            }
        };
        v = w;
        last_eig = eig;
        if done || steps >= max {
            return (v, steps);
        }
    }
}

/// Two principal components. `starts` gives warm-start vectors (or cold ones).
pub(crate) fn pca2(
    m: &Matrix,
    center: &[f64],
    starts: [Vec<f64>; 2],
    stop: Stop,
) -> ([Vec<f64>; 2], usize) {
    let [s1, s2] = starts;
    let (pc1, n1) = power_iteration(m, center, s1, &[], stop);
    let basis = if norm(&pc1) > 0.0 { vec![pc1.clone()] } else { vec![] };
    let (pc2, n2) = power_iteration(m, center, s2, &basis, stop);
    ([pc1, pc2], n1 + n2)
}

/// Sparsity-aware 2-D projection of every participant:
/// `sqrt(n_cmts / max(n_votes, 1)) · Σ_voted (x_j − c_j)·[pc1_j, pc2_j]`, where mod-out columns
/// count as votes for everyone (they are zero-filled in Pol.is's rating matrix).
pub(crate) fn project(m: &Matrix, center: &[f64], comps: &[Vec<f64>; 2]) -> Vec<[f64; 2]> {
    let n_cols = m.n_cols() as f64;
    let n_mod = m.n_mod_out();
    m.rows
        .par_iter()
        .map(|row| {
            let mut p = [0.0, 0.0];
            let mut nv = n_mod;
            for &(c, x) in row {
                if m.mod_out[c as usize] {
                    continue;
                }
                nv += 1;
                let d = f64::from(x) - center[c as usize];
                p[0] += d * comps[0][c as usize];
                p[1] += d * comps[1][c as usize];
            }
            let s = (n_cols / nv.max(1) as f64).sqrt();
            [p[0] * s, p[1] * s]
        })
        .collect()
}

/// Statement projections (a participant who agreed with only that statement) and extremity.
pub(crate) fn statement_projection(
    m: &Matrix,
    center: &[f64],
    comps: &[Vec<f64>; 2],
) -> (Vec<[f64; 2]>, Vec<f64>) {
    let s = (m.n_cols() as f64).sqrt();
    let proj: Vec<[f64; 2]> = (0..m.n_cols())
        .map(|j| {
            let d = -1.0 - center[j];
            [s * d * comps[0][j], s * d * comps[1][j]]
        })
        .collect();
    let ext = proj.iter().map(|p| (p[0] * p[0] + p[1] * p[1]).sqrt()).collect();
    (proj, ext)
}
