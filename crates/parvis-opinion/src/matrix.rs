//! The sparse vote matrix: one row per participant, one column per statement that received a
//! vote, the latest vote per cell, in Pol.is's internal sign (agree = −1).

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

/// A small multiplicative hasher (FxHash-style) for internal id maps: SipHash's DoS resistance
/// buys nothing here and costs a fifth of an export import.
#[derive(Default, Clone, Copy)]
pub(crate) struct FastHasher(u64);

impl Hasher for FastHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for chunk in bytes.chunks(8) {
            let mut b = [0u8; 8];
            b[..chunk.len()].copy_from_slice(chunk);
            self.write_u64(u64::from_le_bytes(b));
        }
    }
    fn write_u8(&mut self, i: u8) {
        self.write_u64(u64::from(i));
    }
    fn write_u32(&mut self, i: u32) {
        self.write_u64(u64::from(i));
    }
    fn write_u64(&mut self, i: u64) {
        self.0 = (self.0.rotate_left(5) ^ i).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
    fn write_usize(&mut self, i: usize) {
        self.write_u64(i as u64);
    }
}

/// HashMap with [`FastHasher`].
pub(crate) type FastMap<K, V> = HashMap<K, V, BuildHasherDefault<FastHasher>>;

use crate::model::{Conversation, Vote};

/// Natural participant order: numeric when every id is an integer (Pol.is pids), else text.
pub(crate) fn sort_participant_ids(ids: &mut [String]) {
    let all_numeric = ids.iter().all(|s| s.parse::<u64>().is_ok());
    if all_numeric {
        ids.sort_by_cached_key(|s| s.parse::<u64>().unwrap_or(u64::MAX));
    } else {
        ids.sort();
    }
}

/// The vote matrix.
#[derive(Debug, Clone, Default)]
pub(crate) struct Matrix {
    pub pids: Vec<String>,
    pub tids: Vec<u64>,
    /// Sorted by column; value in Pol.is sign (−1 agree, +1 disagree, 0 pass).
    pub rows: Vec<Vec<(u32, i8)>>,
    /// Moderated out or meta: the column is zeroed in the rating matrix.
    pub mod_out: Vec<bool>,
    pub meta: Vec<bool>,
}

/// Per participant (in first-seen order): `(column, vote)` lists in which, after a stable sort
/// by column, the latest vote on each column comes last.
type Collected<'a> = (Vec<&'a str>, Vec<u64>, Vec<Vec<(u32, i8)>>);

/// One sequential pass over the log (cache-friendly); each row is then ordered by (column,
/// timestamp, position) so the latest vote wins. Returns None when Pol.is's caps would drop
/// votes: those depend on arrival order, see [`collect_in_time_order`].
fn collect_in_log_order(votes: &[Vote], caps: Option<(usize, usize)>) -> Option<Collected<'_>> {
    let mut pindex: FastMap<&str, u32> = FastMap::default();
    let mut tindex: FastMap<u64, u32> = FastMap::default();
    let mut ptmp: Vec<&str> = Vec::new();
    let mut ttmp: Vec<u64> = Vec::new();
    let mut cells: Vec<Vec<(u32, i64, u32, i8)>> = Vec::new();
    for (i, v) in votes.iter().enumerate() {
        let t = *tindex.entry(v.statement).or_insert_with(|| {
            ttmp.push(v.statement);
            ttmp.len() as u32 - 1
        });
        let p = *pindex.entry(v.participant.as_str()).or_insert_with(|| {
            ptmp.push(v.participant.as_str());
            cells.push(Vec::new());
            ptmp.len() as u32 - 1
        });
        cells[p as usize].push((t, v.timestamp, i as u32, v.value.polis_value()));
    }
    if caps.is_some_and(|(mp, mc)| ptmp.len() > mp || ttmp.len() > mc) {
        return None;
    }
    let cells = cells
        .into_iter()
        .map(|mut row| {
            row.sort_unstable_by_key(|&(t, ts, i, _)| (t, ts, i));
            row.into_iter().map(|(t, _, _, v)| (t, v)).collect()
        })
        .collect();
    Some((ptmp, ttmp, cells))
}

/// Applies votes in time order (stable: equal timestamps keep call order), the order Pol.is
/// sees them, dropping votes from a new participant or on a new statement past the caps.
fn collect_in_time_order(votes: &[Vote], caps: Option<(usize, usize)>) -> Collected<'_> {
    let mut keyed: Vec<(i64, u32)> = votes
        .iter()
        .enumerate()
        .map(|(i, v)| (v.timestamp, i as u32))
        .collect();
    keyed.sort_unstable();
    let mut pindex: FastMap<&str, u32> = FastMap::default();
    let mut tindex: FastMap<u64, u32> = FastMap::default();
    let mut ptmp: Vec<&str> = Vec::new();
    let mut ttmp: Vec<u64> = Vec::new();
    let mut cells: Vec<Vec<(u32, i8)>> = Vec::new();
    for &(_, vi) in &keyed {
        let v = &votes[vi as usize];
        let t = match tindex.get(&v.statement) {
            Some(&t) => t,
            None => {
                if caps.is_some_and(|(_, mc)| ttmp.len() >= mc) {
                    continue;
                }
                tindex.insert(v.statement, ttmp.len() as u32);
                ttmp.push(v.statement);
                ttmp.len() as u32 - 1
            }
        };
        let p = match pindex.get(v.participant.as_str()) {
            Some(&p) => p,
            None => {
                if caps.is_some_and(|(mp, _)| ptmp.len() >= mp) {
                    continue;
                }
                pindex.insert(v.participant.as_str(), ptmp.len() as u32);
                ptmp.push(v.participant.as_str());
                cells.push(Vec::new());
                ptmp.len() as u32 - 1
            }
        };
        cells[p as usize].push((t, v.value.polis_value()));
    }
    (ptmp, ttmp, cells)
}

impl Matrix {
    /// Builds the matrix. `caps` = Pol.is's (max participants, max comments): votes from a new
    /// participant or on a new comment past a cap are dropped, in time order.
    pub fn build(conv: &Conversation, caps: Option<(usize, usize)>) -> Matrix {
        let votes = conv.votes();
        let (ptmp, ttmp, cells) = match collect_in_log_order(votes, caps) {
            Some(x) => x,
            None => collect_in_time_order(votes, caps),
        };
        // Final orders: participants natural, statements by id.
        let mut pids: Vec<String> = ptmp.iter().map(|s| s.to_string()).collect();
        sort_participant_ids(&mut pids);
        let prank: FastMap<&str, usize> = pids
            .iter()
            .enumerate()
            .map(|(i, s)| (s.as_str(), i))
            .collect();
        let mut tids = ttmp.clone();
        tids.sort_unstable();
        let trank: FastMap<u64, u32> = tids
            .iter()
            .enumerate()
            .map(|(i, &t)| (t, i as u32))
            .collect();
        let tmap: Vec<u32> = ttmp
            .iter()
            .map(|t| trank.get(t).copied().unwrap_or(0))
            .collect();
        let mut rows: Vec<Vec<(u32, i8)>> = vec![Vec::new(); pids.len()];
        for (p, list) in cells.into_iter().enumerate() {
            let dest = prank.get(ptmp[p]).copied().unwrap_or(0);
            // `list` is in time order; a stable sort by column keeps the latest vote last.
            let mut row = list;
            for cell in &mut row {
                cell.0 = tmap[cell.0 as usize];
            }
            row.sort_by_key(|&(c, _)| c);
            let mut out: Vec<(u32, i8)> = Vec::with_capacity(row.len());
            for (c, val) in row {
                match out.last_mut() {
                    Some(last) if last.0 == c => last.1 = val,
                    _ => out.push((c, val)),
                }
            }
            rows[dest] = out;
        }
        let mut mod_out = Vec::with_capacity(tids.len());
        let mut meta = Vec::with_capacity(tids.len());
        for &t in &tids {
            let s = conv.statement(t);
            let is_meta = s.is_some_and(|s| s.meta);
            meta.push(is_meta);
            mod_out.push(is_meta || s.is_some_and(|s| s.moderated));
        }
        Matrix {
            pids,
            tids,
            rows,
            mod_out,
            meta,
        }
    }

    pub fn n_cols(&self) -> usize {
        self.tids.len()
    }

    /// Whether spreading work over threads pays: below a few hundred thousand votes, waking
    /// rayon's workers costs more than the work (and hurts most on a busy machine).
    pub fn parallel(&self) -> bool {
        self.n_votes() > 200_000
    }

    pub fn n_votes(&self) -> usize {
        self.rows.iter().map(Vec::len).sum()
    }

    /// Number of mod-out columns (they count as votes of every participant in the projection).
    pub fn n_mod_out(&self) -> usize {
        self.mod_out.iter().filter(|&&m| m).count()
    }
}
