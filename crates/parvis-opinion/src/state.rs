//! Incremental opinion map: one vote in, an updated map out.

use std::collections::HashMap;

use crate::engine::{self, Computed, Prior, WarmStart};
use crate::matrix::{FastMap, Matrix};
use crate::model::{Conversation, VoteValue};
use crate::{OpinionError, Options, Report};

/// A live opinion map. It keeps the vote matrix and the previous update's state in matrix
/// coordinates (rows and columns are only appended), so a new vote costs one cell update plus a
/// warm-started pipeline run: no rebuild from the vote log, no id hashing. The [`Report`] (ids,
/// texts, lists) is built only when asked for, and cached until the next vote.
#[derive(Debug, Clone)]
pub struct OpinionState {
    opts: Options,
    matrix: Matrix,
    texts: HashMap<u64, String>,
    moderation: HashMap<u64, (bool, bool)>,
    prow: FastMap<String, usize>,
    tcol: FastMap<u64, usize>,
    prior: Option<Prior>,
    computed: Option<Computed>,
    report: Option<Report>,
}

impl OpinionState {
    /// Builds the state from a conversation and runs the first (cold) update. A conversation
    /// too small for a map is accepted: the map appears once there is enough data.
    pub fn new(conv: &Conversation, opts: Options) -> Result<OpinionState, OpinionError> {
        let mut st = OpinionState::empty(conv, opts);
        st.recompute()?;
        Ok(st)
    }

    /// Starts from a saved warm state (e.g. [`OpinionState::warm_start`] of an earlier run).
    pub fn with_warm_start(
        conv: &Conversation,
        opts: Options,
        warm: &WarmStart,
    ) -> Result<OpinionState, OpinionError> {
        let mut st = OpinionState::empty(conv, opts);
        st.prior = Some(Prior::from_warm(warm, &st.matrix));
        st.recompute()?;
        Ok(st)
    }

    fn empty(conv: &Conversation, opts: Options) -> OpinionState {
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
            prior: None,
            computed: None,
            report: None,
        }
    }

    /// The current map as a report (built on first call after a vote, then cached). None while
    /// the conversation is too small for a map.
    pub fn report(&mut self) -> Option<&Report> {
        if self.report.is_none() {
            let c = self.computed.clone()?;
            self.report = Some(engine::report(&self.matrix, &self.texts, c));
        }
        self.report.as_ref()
    }

    /// A participant's current group (None: unknown, not clustered yet, or no map yet). Cheap.
    pub fn group_of(&self, participant: &str) -> Option<usize> {
        let row = *self.prow.get(participant)?;
        self.computed.as_ref()?.group_of.get(row).copied().flatten()
    }

    /// The state to carry to a later run (serialisable, keyed by ids).
    pub fn warm_start(&self) -> Option<WarmStart> {
        self.prior.as_ref().map(|p| p.to_warm(&self.matrix))
    }

    /// Adds a statement (no column until it gets a vote, as in Pol.is).
    pub fn add_statement(&mut self, id: u64, text: impl Into<String>, moderated: bool) {
        self.texts.insert(id, text.into());
        self.moderation.insert(id, (moderated, false));
    }

    /// Records one vote (replacing the participant's earlier vote on that statement) and updates
    /// the map. New participants and statements are appended as rows and columns. In compat
    /// mode, votes past Pol.is's caps are dropped (Ok, map unchanged).
    pub fn add_vote(
        &mut self,
        participant: &str,
        statement: u64,
        value: VoteValue,
    ) -> Result<(), OpinionError> {
        if !self.moderation.contains_key(&statement) {
            return Err(OpinionError::UnknownStatement {
                location: "OpinionState::add_vote".into(),
                participant: participant.into(),
                statement,
            });
        }
        let caps = self.opts.caps();
        let m = &mut self.matrix;
        let col = match self.tcol.get(&statement) {
            Some(&c) => c,
            None => {
                if caps.is_some_and(|(_, mc)| m.tids.len() >= mc) {
                    return Ok(());
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
                if caps.is_some_and(|(mp, _)| m.pids.len() >= mp) {
                    return Ok(());
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
        self.recompute()
    }

    /// Re-runs the pipeline from the current warm state.
    pub fn recompute(&mut self) -> Result<(), OpinionError> {
        let update_opts;
        let opts = if self.computed.is_some() {
            update_opts = Options {
                pca_tolerance: self.opts.update_pca_tolerance,
                ..self.opts.clone()
            };
            &update_opts
        } else {
            &self.opts
        };
        match engine::compute(&self.matrix, opts, self.prior.as_ref()) {
            Ok((computed, prior)) => {
                self.computed = Some(computed);
                self.prior = Some(prior);
                self.report = None;
                Ok(())
            }
            // Too small for a map yet: keep collecting votes.
            Err(OpinionError::NotEnoughData(_)) if self.computed.is_none() => Ok(()),
            Err(e) => Err(e),
        }
    }
}
