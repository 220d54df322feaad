//! Statistics over the vote matrix: tallies per group, Pol.is's proportion tests, representative
//! statements (repness) and consensus.

use crate::Mode;
use crate::matrix::Matrix;
use crate::report::*;

/// One-sided 90 % z threshold used by every Pol.is significance test.
const Z90: f64 = 1.2816;

/// Vote counts of a set of rows on every column.
#[derive(Debug, Clone)]
pub(super) struct Counts {
    pub(super) a: Vec<u64>,
    pub(super) d: Vec<u64>,
    pub(super) s: Vec<u64>,
}

impl Counts {
    pub(super) fn zero(n: usize) -> Counts {
        Counts {
            a: vec![0; n],
            d: vec![0; n],
            s: vec![0; n],
        }
    }
}

/// Raw tallies per group and for everyone, in one parallel pass.
pub(super) fn tally_all(
    m: &Matrix,
    group_of: &[Option<usize>],
    ng: usize,
) -> (Vec<Counts>, Counts) {
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
pub(super) fn rating_counts(m: &Matrix, raw: &Counts, n_rows: u64) -> Counts {
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
pub(super) fn representative(
    m: &Matrix,
    g: &Counts,
    rest: &Counts,
    mode: Mode,
) -> Vec<RepStatement> {
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

pub(super) fn consensus(m: &Matrix, c: &Counts) -> Consensus {
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
