//! Incremental opinion map: one vote in, an updated map out.

use std::collections::HashMap;

use crate::engine::{self, WarmStart};
use crate::matrix::Matrix;
use crate::model::{Conversation, VoteValue};
use crate::{OpinionError, Options, Report};

/// A live opinion map. It keeps the vote matrix and the previous update's state, so a new vote
/// costs one cell update plus a warm-started pipeline run (no rebuild from the vote log).
#[derive(Debug, Clone)]
pub struct OpinionState {
    opts: Options,
    matrix: Matrix,
    texts: HashMap<u64, String>,
    moderation: HashMap<u64, (bool, bool)>,
    prow: HashMap<String, usize>,
    tcol: HashMap<u64, usize>,
    warm: Option<WarmStart>,
    report: Option<Report>,
}

impl OpinionState {
    /// Builds the state from a conversation and runs the first (cold) update.
    pub fn new(conv: &Conversation, opts: Options) -> Result<OpinionState, OpinionError> {
        let matrix = Matrix::build(conv, opts.caps());
        let moderation = conv
            .statements()
            .iter()
            .map(|s| (s.id, (s.moderated, s.meta)))
            .collect();
        let mut st = OpinionState {
            prow: matrix
                .pids
                .iter()
                .enumerate()
                .map(|(i, p)| (p.clone(), i))
                .collect(),
            tcol: matrix
                .tids
                .iter()
                .enumerate()
                .map(|(i, &t)| (t, i))
                .collect(),
            texts: crate::texts(conv),
            moderation,
            matrix,
            opts,
            warm: None,
            report: None,
        };
        st.recompute()?;
        Ok(st)
    }

    /// Starts from a given warm state (e.g. one saved from an earlier run, or Pol.is's).
    pub fn with_warm_start(
        conv: &Conversation,
        opts: Options,
        warm: WarmStart,
    ) -> Result<OpinionState, OpinionError> {
        let mut st = OpinionState::new_empty(conv, opts);
        st.warm = Some(warm);
        st.recompute()?;
        Ok(st)
    }

    fn new_empty(conv: &Conversation, opts: Options) -> OpinionState {
        let matrix = Matrix::build(conv, opts.caps());
        OpinionState {
            prow: matrix
                .pids
                .iter()
                .enumerate()
                .map(|(i, p)| (p.clone(), i))
                .collect(),
            tcol: matrix
                .tids
                .iter()
                .enumerate()
                .map(|(i, &t)| (t, i))
                .collect(),
            texts: crate::texts(conv),
            moderation: conv
                .statements()
                .iter()
                .map(|s| (s.id, (s.moderated, s.meta)))
                .collect(),
            matrix,
            opts,
            warm: None,
            report: None,
        }
    }

    /// The latest report.
    pub fn report(&self) -> Option<&Report> {
        self.report.as_ref()
    }

    /// The state carried to the next update.
    pub fn warm_start(&self) -> Option<&WarmStart> {
        self.warm.as_ref()
    }

    /// Adds a statement (no column until it gets a vote, as in Pol.is).
    pub fn add_statement(&mut self, id: u64, text: impl Into<String>, moderated: bool) {
        self.texts.insert(id, text.into());
        self.moderation.insert(id, (moderated, false));
    }

    /// Records one vote (replacing the participant's earlier vote on that statement) and updates
    /// the map. New participants and statements are appended as rows and columns.
    pub fn add_vote(
        &mut self,
        participant: &str,
        statement: u64,
        value: VoteValue,
    ) -> Result<&Report, OpinionError> {
        if !self.moderation.contains_key(&statement) {
            return Err(OpinionError::UnknownStatement {
                location: "OpinionState::add_vote".into(),
                participant: participant.into(),
                statement,
            });
        }
        let m = &mut self.matrix;
        let col = match self.tcol.get(&statement) {
            Some(&c) => c,
            None => {
                if self.opts.caps().is_some_and(|(_, mc)| m.tids.len() >= mc) {
                    return self.current();
                }
                let (moderated, meta) =
                    self.moderation.get(&statement).copied().unwrap_or_default();
                m.tids.push(statement);
                m.mod_out.push(moderated || meta);
                m.meta.push(meta);
                self.tcol.insert(statement, m.tids.len() - 1);
                m.tids.len() - 1
            }
        };
        let row = match self.prow.get(participant) {
            Some(&r) => r,
            None => {
                if self.opts.caps().is_some_and(|(mp, _)| m.pids.len() >= mp) {
                    return self.current();
                }
                m.pids.push(participant.to_string());
                m.rows.push(Vec::new());
                self.prow.insert(participant.to_string(), m.pids.len() - 1);
                m.pids.len() - 1
            }
        };
        let cells = &mut m.rows[row];
        let v = value.polis_value();
        match cells.binary_search_by_key(&(col as u32), |&(c, _)| c) {
            Ok(i) => cells[i].1 = v,
            Err(i) => cells.insert(i, (col as u32, v)),
        }
        self.recompute()?;
        self.current()
    }

    fn current(&self) -> Result<&Report, OpinionError> {
        self.report
            .as_ref()
            .ok_or_else(|| OpinionError::NotEnoughData("no map computed yet".into()))
    }

    /// Re-runs the pipeline from the current warm state.
    pub fn recompute(&mut self) -> Result<(), OpinionError> {
        let update_opts;
        let opts = if self.report.is_some() {
            update_opts = Options {
                pca_tolerance: self.opts.update_pca_tolerance,
                ..self.opts.clone()
            };
            &update_opts
        } else {
            &self.opts
        };
        match engine::run(&self.matrix, &self.texts, opts, self.warm.as_ref()) {
            Ok((report, warm)) => {
                self.report = Some(report);
                self.warm = Some(warm);
                Ok(())
            }
            Err(OpinionError::NotEnoughData(_)) if self.report.is_none() => Ok(()),
            Err(e) => Err(e),
        }
    }
}
