//! State carried between updates: the id-keyed [`WarmStart`] and its matrix-indexed twin
//! [`Prior`].

use std::collections::{BTreeMap, HashMap};

use serde::{Deserialize, Serialize};

use crate::matrix::{FastMap, Matrix};

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
