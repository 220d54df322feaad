//! Sparse term vectors and exponentially decayed quantities.
//!
//! Exponential decay has one property everything here leans on: decaying a
//! sum is the sum of the decayed parts. So a profile is stored as one vector
//! *as of its last update* `t`; its value at any `now` is that vector times a
//! single scalar `2^(-(now - t) / half_life)`, and adding an event at `t'`
//! only rescales the stored vector once. Profiles never need to be rebuilt
//! from their history, whatever its length.

/// Milliseconds in a day.
pub const DAY_MS: f64 = 86_400_000.0;

/// `2^(-dt / half_life)` with `dt` in ms and the half-life in days; a
/// negative `dt` (an event in the future of `now`) counts as no decay.
pub fn decay(dt_ms: i64, half_life_days: f64) -> f32 {
    if dt_ms <= 0 || half_life_days <= 0.0 {
        return 1.0;
    }
    (-(dt_ms as f64) / (half_life_days * DAY_MS) * std::f64::consts::LN_2).exp() as f32
}

/// A decayed scalar: its value was `v` at time `t`.
#[derive(Debug, Clone, Copy, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Decayed {
    /// Value at `t`.
    pub v: f32,
    /// Time of the value (Unix ms).
    pub t: i64,
}

impl Decayed {
    /// Adds `x` happening at `at`.
    pub fn add(&mut self, x: f32, at: i64, hl: f64) {
        if self.v == 0.0 {
            self.v = x;
            self.t = at;
        } else if at >= self.t {
            self.v = self.v * decay(at - self.t, hl) + x;
            self.t = at;
        } else {
            self.v += x * decay(self.t - at, hl);
        }
    }
    /// Value at `now`.
    pub fn at(&self, now: i64, hl: f64) -> f32 {
        self.v * decay(now - self.t, hl)
    }
}

/// A sparse vector of `(term id, weight)`, sorted by term id.
pub type Sparse = Vec<(u32, f32)>;

/// A sparse vector that decays: weights are as of `t`.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct DecayedVec {
    /// Weights at `t`, sorted by term id.
    pub w: Sparse,
    /// Time of the weights (Unix ms).
    pub t: i64,
}

impl DecayedVec {
    /// Adds `scale * x` happening at `at`, keeping at most `cap` terms (the
    /// heaviest). Returns the terms that entered the vector.
    pub fn add(&mut self, x: &[(u32, f32)], scale: f32, at: i64, hl: f64, cap: usize) -> Vec<u32> {
        let (own, other) = if self.w.is_empty() || at >= self.t {
            let f = if self.w.is_empty() {
                1.0
            } else {
                decay(at - self.t, hl)
            };
            for e in &mut self.w {
                e.1 *= f;
            }
            self.t = at;
            (1.0, scale)
        } else {
            (1.0, scale * decay(self.t - at, hl))
        };
        let before: Vec<u32> = self.w.iter().map(|e| e.0).collect();
        self.w = merge_add(&self.w, own, x, other);
        prune(&mut self.w, cap);
        let mut entered = Vec::new();
        for (t, _) in &self.w {
            if before.binary_search(t).is_err() {
                entered.push(*t);
            }
        }
        entered
    }
    /// Scale factor to apply to `w` to get the vector at `now`.
    pub fn factor(&self, now: i64, hl: f64) -> f32 {
        decay(now - self.t, hl)
    }
}

/// `a * fa + b * fb` for sorted sparse vectors.
pub fn merge_add(a: &[(u32, f32)], fa: f32, b: &[(u32, f32)], fb: f32) -> Sparse {
    let mut out = Vec::with_capacity(a.len() + b.len());
    let (mut i, mut j) = (0, 0);
    while i < a.len() || j < b.len() {
        if j >= b.len() || (i < a.len() && a[i].0 < b[j].0) {
            out.push((a[i].0, a[i].1 * fa));
            i += 1;
        } else if i >= a.len() || b[j].0 < a[i].0 {
            out.push((b[j].0, b[j].1 * fb));
            j += 1;
        } else {
            out.push((a[i].0, a[i].1 * fa + b[j].1 * fb));
            i += 1;
            j += 1;
        }
    }
    out
}

/// Keeps the `cap` heaviest entries (by absolute weight), sorted by term id.
pub fn prune(v: &mut Sparse, cap: usize) {
    if v.len() <= cap {
        return;
    }
    v.sort_by(|a, b| b.1.abs().total_cmp(&a.1.abs()).then(a.0.cmp(&b.0)));
    v.truncate(cap);
    v.sort_by_key(|e| e.0);
}

/// Dot product of sorted sparse vectors.
pub fn dot(a: &[(u32, f32)], b: &[(u32, f32)]) -> f32 {
    let (mut i, mut j, mut s) = (0, 0, 0.0f32);
    while i < a.len() && j < b.len() {
        match a[i].0.cmp(&b[j].0) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                s += a[i].1 * b[j].1;
                i += 1;
                j += 1;
            }
        }
    }
    s
}

/// Euclidean norm.
pub fn norm(a: &[(u32, f32)]) -> f32 {
    a.iter().map(|e| e.1 * e.1).sum::<f32>().sqrt()
}

/// Scales `a` to unit length (unchanged when zero).
pub fn normalise(a: &mut [(u32, f32)]) {
    let n = norm(a);
    if n > 0.0 {
        for e in a.iter_mut() {
            e.1 /= n;
        }
    }
}

/// Cosine similarity (0 when either is zero).
pub fn cosine(a: &[(u32, f32)], b: &[(u32, f32)]) -> f32 {
    let (na, nb) = (norm(a), norm(b));
    if na == 0.0 || nb == 0.0 {
        0.0
    } else {
        dot(a, b) / (na * nb)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decay_halves_at_half_life() {
        let d = decay((30.0 * DAY_MS) as i64, 30.0);
        assert!((d - 0.5).abs() < 1e-6);
        assert_eq!(decay(-5, 30.0), 1.0);
        let mut x = Decayed::default();
        x.add(1.0, 0, 10.0);
        x.add(1.0, (10.0 * DAY_MS) as i64, 10.0);
        assert!((x.v - 1.5).abs() < 1e-6);
        // Out of order: the same total.
        let mut y = Decayed::default();
        y.add(1.0, (10.0 * DAY_MS) as i64, 10.0);
        y.add(1.0, 0, 10.0);
        assert!((y.v - 1.5).abs() < 1e-6);
    }

    #[test]
    fn decayed_vectors_add_and_prune() {
        let mut v = DecayedVec::default();
        let entered = v.add(&[(1, 1.0), (3, 2.0)], 1.0, 0, 1.0, 2);
        assert_eq!(entered, vec![1, 3]);
        let entered = v.add(&[(2, 4.0)], 1.0, DAY_MS as i64, 1.0, 2);
        assert_eq!(entered, vec![2]);
        assert_eq!(v.w, vec![(2, 4.0), (3, 1.0)]);
        assert!((cosine(&[(1, 1.0)], &[(1, 3.0), (2, 0.0)]) - 1.0).abs() < 1e-6);
    }
}
