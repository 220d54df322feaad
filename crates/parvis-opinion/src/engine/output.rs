//! Turning computed results (matrix coordinates) into the public [`Report`].

use std::collections::HashMap;

use super::Computed;
use crate::matrix::Matrix;
use crate::report::*;

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
