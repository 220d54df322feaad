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
        .map(|j| {
            if m.mod_out[j] || cnt[j] == 0 {
                0.0
            } else {
                sum[j] / cnt[j] as f64
            }
        })
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

/// The centred matrix in compressed-row form: only votes on counted columns, each stored as
/// its centred value `x − centre` so the products below are one multiply per vote.
pub(crate) struct Centred {
    parallel: bool,
    offsets: Vec<usize>,
    cols: Vec<u32>,
    vals: Vec<f64>,
    n_cols: usize,
}

impl Centred {
    pub(crate) fn new(m: &Matrix, center: &[f64]) -> Centred {
        let mut offsets = Vec::with_capacity(m.rows.len() + 1);
        let mut cols = Vec::with_capacity(m.n_votes());
        let mut vals = Vec::with_capacity(m.n_votes());
        offsets.push(0);
        for row in &m.rows {
            for &(c, x) in row {
                if !m.mod_out[c as usize] {
                    cols.push(c);
                    vals.push(f64::from(x) - center[c as usize]);
                }
            }
            offsets.push(cols.len());
        }
        Centred {
            parallel: m.parallel(),
            offsets,
            cols,
            vals,
            n_cols: m.n_cols(),
        }
    }

    fn n_rows(&self) -> usize {
        self.offsets.len() - 1
    }

    /// Runs `work(acc, first_row, last_row)` over row ranges, in parallel when it pays.
    fn accumulate<F>(&self, width: usize, work: F) -> Vec<f64>
    where
        F: Fn(&mut [f64], usize, usize) + Sync,
    {
        let len = self.n_cols * width;
        let rows = self.n_rows();
        if rows <= CHUNK || !self.parallel {
            let mut acc = vec![0.0; len];
            work(&mut acc, 0, rows);
            return acc;
        }
        let chunks = rows.div_ceil(CHUNK);
        (0..chunks)
            .into_par_iter()
            .fold(
                || vec![0.0; len],
                |mut acc, k| {
                    work(&mut acc, k * CHUNK, ((k + 1) * CHUNK).min(rows));
                    acc
                },
            )
            .reduce(
                || vec![0.0; len],
                |mut a, b| {
                    for (x, y) in a.iter_mut().zip(b) {
                        *x += y;
                    }
                    a
                },
            )
    }
}

/// The operator `CᵀC`, either sparse (one pass over the votes per product) or, when the
/// matrix has few columns, as the dense Gram matrix over the counted columns: built once in
/// Σ row_len² operations, then each product is a contiguous m×m mat-vec, much cheaper than a
/// gather over every vote for the hundred products power iteration takes.
pub(crate) enum Gram<'a> {
    /// Straight from the vote rows with a per-column shift table: no copy of the votes, the
    /// right choice for the few passes of a warm update.
    Rows {
        m: &'a Matrix,
        shift: Vec<[f64; 3]>,
    },
    Sparse(Centred),
    Dense {
        g: Vec<f64>,
        active: Vec<usize>,
        n_cols: usize,
    },
}

impl<'a> Gram<'a> {
    /// `products` = expected number of products (for the sparse/dense choice).
    pub(crate) fn new(m: &'a Matrix, center: &[f64], products: usize) -> Gram<'a> {
        if products <= 8 {
            let shift = (0..m.n_cols())
                .map(|j| {
                    if m.mod_out[j] {
                        [0.0; 3]
                    } else {
                        [-1.0 - center[j], -center[j], 1.0 - center[j]]
                    }
                })
                .collect();
            return Gram::Rows { m, shift };
        }
        let c = Centred::new(m, center);
        let mut pos = vec![usize::MAX; m.n_cols()];
        let mut active = Vec::new();
        for &j in &c.cols {
            if pos[j as usize] == usize::MAX {
                pos[j as usize] = 0;
            }
        }
        for (j, p) in pos.iter_mut().enumerate() {
            if *p == 0 {
                *p = active.len();
                active.push(j);
            }
        }
        let ma = active.len();
        let nnz = c.vals.len() as f64;
        let build: f64 = (0..c.n_rows())
            .map(|r| ((c.offsets[r + 1] - c.offsets[r]) as f64).powi(2))
            .sum();
        let dense_cost = build / 2.0 + products as f64 * (ma * ma) as f64 * 0.5;
        let sparse_cost = products as f64 * 2.0 * nnz;
        if ma == 0 || ma > 2048 || dense_cost >= sparse_cost {
            return Gram::Sparse(c);
        }
        let mut g = vec![0.0; ma * ma];
        let mut buf: Vec<(usize, f64)> = Vec::new();
        for r in 0..c.n_rows() {
            buf.clear();
            for i in c.offsets[r]..c.offsets[r + 1] {
                buf.push((pos[c.cols[i] as usize], c.vals[i]));
            }
            for (x, &(a, da)) in buf.iter().enumerate() {
                let row = &mut g[a * ma..a * ma + ma];
                for &(b, db) in &buf[x..] {
                    row[b] += da * db;
                }
            }
        }
        // Rows were filled on one side of the diagonal depending on column order: symmetrise.
        for a in 0..ma {
            for b in a + 1..ma {
                let s = g[a * ma + b] + g[b * ma + a];
                g[a * ma + b] = s;
                g[b * ma + a] = s;
            }
        }
        Gram::Dense {
            g,
            active,
            n_cols: m.n_cols(),
        }
    }

    /// `CᵀC v`.
    pub(crate) fn apply(&self, v: &[f64]) -> Vec<f64> {
        match self {
            Gram::Sparse(c) => xtx(c, v),
            Gram::Rows { m, shift } => {
                // One column of the block path.
                let n = m.n_cols();
                let mut q = vec![0.0; n * BLOCK];
                for j in 0..n {
                    q[j * BLOCK] = v[j];
                }
                let z = rows_block_xtx(m, shift, &q);
                (0..n).map(|j| z[j * BLOCK]).collect()
            }
            Gram::Dense { g, active, n_cols } => {
                let ma = active.len();
                let va: Vec<f64> = active.iter().map(|&j| v[j]).collect();
                let mut w = vec![0.0; *n_cols];
                for (a, &j) in active.iter().enumerate() {
                    w[j] = dot4(&g[a * ma..a * ma + ma], &va);
                }
                w
            }
        }
    }

    /// `CᵀC Q` for an interleaved block of `BLOCK` columns.
    fn apply_block(&self, q: &[f64]) -> Vec<f64> {
        const B: usize = BLOCK;
        match self {
            Gram::Sparse(c) => block_xtx(c, q),
            Gram::Rows { m, shift } => rows_block_xtx(m, shift, q),
            Gram::Dense { g, active, n_cols } => {
                let ma = active.len();
                let qa: Vec<f64> = active
                    .iter()
                    .flat_map(|&j| q[j * B..j * B + B].iter().copied())
                    .collect();
                let mut w = vec![0.0; n_cols * B];
                for (a, &j) in active.iter().enumerate() {
                    let row = &g[a * ma..a * ma + ma];
                    let mut acc = [0.0f64; B];
                    for (b, &gab) in row.iter().enumerate() {
                        for k in 0..B {
                            acc[k] += gab * qa[b * B + k];
                        }
                    }
                    w[j * B..j * B + B].copy_from_slice(&acc);
                }
                w
            }
        }
    }
}

/// `CᵀC Q` straight from the vote rows (see [`Gram::Rows`]).
fn rows_block_xtx(m: &Matrix, shift: &[[f64; 3]], q: &[f64]) -> Vec<f64> {
    const B: usize = BLOCK;
    let n = m.n_cols();
    let work = |mut acc: Vec<f64>, rows: &[Vec<(u32, i8)>]| {
        let mut ds: Vec<f64> = Vec::new();
        for row in rows {
            let mut y = [0.0f64; B];
            ds.clear();
            for &(c, x) in row {
                let c = c as usize;
                let d = shift[c][(x + 1) as usize];
                ds.push(d);
                let qc = &q[c * B..c * B + B];
                for k in 0..B {
                    y[k] += d * qc[k];
                }
            }
            for (&(c, _), &d) in row.iter().zip(&ds) {
                let c = c as usize;
                let ac = &mut acc[c * B..c * B + B];
                for k in 0..B {
                    ac[k] += d * y[k];
                }
            }
        }
        acc
    };
    if !m.parallel() {
        return work(vec![0.0; n * B], &m.rows);
    }
    m.rows
        .par_chunks(CHUNK)
        .fold(|| vec![0.0; n * B], work)
        .reduce(
            || vec![0.0; n * B],
            |mut a, b| {
                for (x, y) in a.iter_mut().zip(b) {
                    *x += y;
                }
                a
            },
        )
}

/// Dot product with four partial sums (lets the compiler use SIMD).
fn dot4(a: &[f64], b: &[f64]) -> f64 {
    let mut part = [0.0f64; 4];
    let mut ac = a.chunks_exact(4);
    let mut bc = b.chunks_exact(4);
    for (x, y) in (&mut ac).zip(&mut bc) {
        for k in 0..4 {
            part[k] += x[k] * y[k];
        }
    }
    for (x, y) in ac.remainder().iter().zip(bc.remainder()) {
        part[0] += x * y;
    }
    (part[0] + part[1]) + (part[2] + part[3])
}

/// `CᵀC v`.
pub(crate) fn xtx(c: &Centred, v: &[f64]) -> Vec<f64> {
    c.accumulate(1, |acc, from, to| {
        for r in from..to {
            let (lo, hi) = (c.offsets[r], c.offsets[r + 1]);
            let cols = &c.cols[lo..hi];
            let vals = &c.vals[lo..hi];
            // Four partial sums break the add-latency chain of a long row.
            let mut part = [0.0f64; 4];
            let mut cc = cols.chunks_exact(4);
            let mut vc = vals.chunks_exact(4);
            for (cj, dj) in (&mut cc).zip(&mut vc) {
                for k in 0..4 {
                    part[k] += dj[k] * v[cj[k] as usize];
                }
            }
            for (&j, &d) in cc.remainder().iter().zip(vc.remainder()) {
                part[0] += d * v[j as usize];
            }
            let y = (part[0] + part[1]) + (part[2] + part[3]);
            if y != 0.0 {
                for (&j, &d) in cols.iter().zip(vals) {
                    acc[j as usize] += d * y;
                }
            }
        }
    })
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
}

/// Result of one power iteration: the vector and the number of products used.
pub(crate) fn power_iteration(
    gram: &Gram,
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
    };
    loop {
        let mut w = gram.apply(&v);
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
    let gram = Gram::new(m, center, 200);
    let (pc1, n1) = power_iteration(&gram, s1, &[], stop);
    let basis = if norm(&pc1) > 0.0 {
        vec![pc1.clone()]
    } else {
        vec![]
    };
    let (pc2, n2) = power_iteration(&gram, s2, &basis, stop);
    ([pc1, pc2], n1 + n2)
}

/// Sparsity-aware 2-D projection of every participant:
/// `sqrt(n_cmts / max(n_votes, 1)) · Σ_voted (x_j − c_j)·[pc1_j, pc2_j]`, where mod-out columns
/// count as votes for everyone (they are zero-filled in Pol.is's rating matrix).
pub(crate) fn project(m: &Matrix, center: &[f64], comps: &[Vec<f64>; 2]) -> Vec<[f64; 2]> {
    let n_cols = m.n_cols() as f64;
    let n_mod = m.n_mod_out();
    let one = |row: &Vec<(u32, i8)>| {
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
    };
    if m.parallel() {
        m.rows.par_iter().map(one).collect()
    } else {
        m.rows.iter().map(one).collect()
    }
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
    let ext = proj
        .iter()
        .map(|p| (p[0] * p[0] + p[1] * p[1]).sqrt())
        .collect();
    (proj, ext)
}

/// Block width of the subspace iteration (2 wanted components + 2 guard vectors).
const BLOCK: usize = 4;

/// `CᵀC Q` for a block of `BLOCK` columns stored interleaved (`q[c * BLOCK + k]`): one pass
/// over the votes. Fixed-width arrays let the compiler vectorise the inner loops.
fn block_xtx(c: &Centred, q: &[f64]) -> Vec<f64> {
    const B: usize = BLOCK;
    c.accumulate(B, |acc, from, to| {
        for r in from..to {
            let (lo, hi) = (c.offsets[r], c.offsets[r + 1]);
            let cols = &c.cols[lo..hi];
            let vals = &c.vals[lo..hi];
            let mut y = [0.0f64; B];
            for (&j, &d) in cols.iter().zip(vals) {
                let qj = &q[j as usize * B..j as usize * B + B];
                for k in 0..B {
                    y[k] += d * qj[k];
                }
            }
            for (&j, &d) in cols.iter().zip(vals) {
                let aj = &mut acc[j as usize * B..j as usize * B + B];
                for k in 0..B {
                    aj[k] += d * y[k];
                }
            }
        }
    })
}

/// Orthonormalises the `b` interleaved columns in place (modified Gram–Schmidt); a column that
/// vanishes is set to zero.
fn orthonormalise(q: &mut [f64], n: usize, b: usize) {
    for k in 0..b {
        for j in 0..k {
            let d: f64 = (0..n).map(|c| q[c * b + k] * q[c * b + j]).sum();
            for c in 0..n {
                q[c * b + k] -= d * q[c * b + j];
            }
        }
        let nrm = (0..n)
            .map(|c| q[c * b + k] * q[c * b + k])
            .sum::<f64>()
            .sqrt();
        for c in 0..n {
            q[c * b + k] = if nrm > 1e-300 {
                q[c * b + k] / nrm
            } else {
                0.0
            };
        }
    }
}

/// Eigen-decomposition of a small symmetric matrix (cyclic Jacobi). Returns eigenvalues in
/// decreasing order and the matching eigenvectors as columns (`v[i * b + k]` = row i of vector k).
fn symmetric_eigen(h: &[f64], b: usize) -> (Vec<f64>, Vec<f64>) {
    let mut a = h.to_vec();
    let mut v = vec![0.0; b * b];
    for i in 0..b {
        v[i * b + i] = 1.0;
    }
    for _ in 0..100 {
        let off: f64 = (0..b)
            .flat_map(|i| (0..b).map(move |j| (i, j)))
            .filter(|(i, j)| i != j)
            .map(|(i, j)| a[i * b + j].powi(2))
            .sum();
        if off < 1e-30 {
            break;
        }
        for p in 0..b {
            for r in p + 1..b {
                let apr = a[p * b + r];
                if apr.abs() < 1e-300 {
                    continue;
                }
                let theta = (a[r * b + r] - a[p * b + p]) / (2.0 * apr);
                let t = theta.signum() / (theta.abs() + (theta * theta + 1.0).sqrt());
                let t = if theta == 0.0 { 1.0 } else { t };
                let c = 1.0 / (t * t + 1.0).sqrt();
                let s = t * c;
                for k in 0..b {
                    let akp = a[k * b + p];
                    let akr = a[k * b + r];
                    a[k * b + p] = c * akp - s * akr;
                    a[k * b + r] = s * akp + c * akr;
                }
                for k in 0..b {
                    let apk = a[p * b + k];
                    let ark = a[r * b + k];
                    a[p * b + k] = c * apk - s * ark;
                    a[r * b + k] = s * apk + c * ark;
                }
                for k in 0..b {
                    let vkp = v[k * b + p];
                    let vkr = v[k * b + r];
                    v[k * b + p] = c * vkp - s * vkr;
                    v[k * b + r] = s * vkp + c * vkr;
                }
            }
        }
    }
    let mut order: Vec<usize> = (0..b).collect();
    order.sort_by(|&x, &y| a[y * b + y].total_cmp(&a[x * b + x]));
    let vals = order.iter().map(|&k| a[k * b + k]).collect();
    let mut vecs = vec![0.0; b * b];
    for (new, &old) in order.iter().enumerate() {
        for i in 0..b {
            vecs[i * b + new] = v[i * b + old];
        }
    }
    (vals, vecs)
}

/// Exact top-2 PCA by block subspace iteration with Rayleigh–Ritz: converges at the rate
/// λ₅/λ₂ instead of λ₂/λ₁, so nearly equal leading eigenvalues (two opinion axes of similar
/// strength) do not slow it down. Stops when both Ritz residuals ‖Av − θv‖ fall below
/// `tol · θ₁`. `starts` seeds the first two block columns (a warm start), `extra` the rest.
/// Returns the components (sign aligned with the start vectors) and the passes over the votes.
pub(crate) fn pca2_exact(
    m: &Matrix,
    center: &[f64],
    starts: [Vec<f64>; 2],
    guards: &[Vec<f64>],
    extra: &mut dyn FnMut() -> f64,
    tol: f64,
    max: usize,
) -> ([Vec<f64>; 2], Vec<Vec<f64>>, usize) {
    let n = m.n_cols();
    let b = BLOCK;
    let mut q = vec![0.0; n * b];
    for c in 0..n {
        for k in 0..b {
            q[c * b + k] = match k {
                0 => starts[0][c],
                1 => starts[1][c],
                _ => match guards.get(k - 2).and_then(|g| g.get(c)) {
                    Some(&x) => x,
                    None => extra(),
                },
            };
        }
    }
    orthonormalise(&mut q, n, b);
    let reference = q.clone();
    // A warm start (guards present) converges in a few passes: then building a dense Gram
    // matrix would cost more than it saves.
    let expected = if guards.is_empty() { max.min(50) } else { 6 };
    let gram = Gram::new(m, center, expected);
    let mut passes = 0;
    loop {
        let z = gram.apply_block(&q);
        passes += 1;
        let mut h = vec![0.0; b * b];
        for i in 0..b {
            for j in 0..b {
                h[i * b + j] = (0..n).map(|c| q[c * b + i] * z[c * b + j]).sum();
            }
        }
        for i in 0..b {
            for j in 0..i {
                let s = 0.5 * (h[i * b + j] + h[j * b + i]);
                h[i * b + j] = s;
                h[j * b + i] = s;
            }
        }
        let (vals, w) = symmetric_eigen(&h, b);
        // Ritz vectors V = Q W and A V = Z W.
        let mut v = vec![0.0; n * b];
        let mut av = vec![0.0; n * b];
        for c in 0..n {
            for k in 0..b {
                let mut s1 = 0.0;
                let mut s2 = 0.0;
                for i in 0..b {
                    s1 += q[c * b + i] * w[i * b + k];
                    s2 += z[c * b + i] * w[i * b + k];
                }
                v[c * b + k] = s1;
                av[c * b + k] = s2;
            }
        }
        let top = vals.first().copied().unwrap_or(0.0);
        if top.is_nan() || top <= 0.0 || top.is_infinite() {
            return ([vec![0.0; n], vec![0.0; n]], Vec::new(), passes);
        }
        let residual = |k: usize| -> f64 {
            (0..n)
                .map(|c| (av[c * b + k] - vals[k] * v[c * b + k]).powi(2))
                .sum::<f64>()
                .sqrt()
                / top
        };
        let k2 = b.min(2);
        let pick = |k: usize| -> Vec<f64> {
            if vals[k] <= top * 1e-14 {
                return vec![0.0; n];
            }
            let mut x: Vec<f64> = (0..n).map(|c| v[c * b + k]).collect();
            // Sign: agree with the start vector (continuity across warm starts).
            let d: f64 = (0..n).map(|c| x[c] * reference[c * b + k]).sum();
            if d < 0.0 {
                x.iter_mut().for_each(|e| *e = -*e);
            }
            x
        };
        let converged = (0..k2).all(|k| residual(k) < tol);
        if converged || passes >= max {
            let guards = (2..b)
                .map(|k| (0..n).map(|c| v[c * b + k]).collect())
                .collect();
            return ([pick(0), pick(1)], guards, passes);
        }
        q = av;
        orthonormalise(&mut q, n, b);
    }
}
