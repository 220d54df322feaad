//! Opinion maps on topics: participants submit short statements (moderated) and vote on
//! others' one at a time; the map (groups, representative statements, consensus) is computed
//! by `parvis-opinion` from the votes in the store.
//!
//! The map is cached per topic and marked stale by each vote; a stale map is recomputed on
//! the next read, at most once a second, so a burst of votes costs one computation. (The
//! computation itself takes milliseconds for conversations of Pol.is's usual size.)

use crate::{Actor, Result, ServiceError, Services};
use parvis_domain::*;
use parvis_opinion::{Conversation, Options, Report, VoteValue};
use parvis_store::{StatementRow, VoteRow};
use serde::Serialize;
use std::collections::{HashMap, HashSet};
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Longest statement, in characters: short statements are what makes the map readable.
pub const MAX_STATEMENT_CHARS: usize = 280;
/// A stale map is recomputed at most this often.
const RECOMPUTE_EVERY: Duration = Duration::from_secs(1);

#[derive(Default)]
pub(crate) struct OpinionCache {
    maps: Mutex<HashMap<TopicId, Cached>>,
}

struct Cached {
    report: Arc<Report>,
    computed: Instant,
    stale: bool,
}

impl OpinionCache {
    /// Forget every map (after votes were removed, e.g. an account erased).
    pub(crate) fn clear(&self) {
        if let Ok(mut m) = self.maps.lock() {
            m.clear();
        }
    }

    pub(crate) fn mark_stale(&self, topic: TopicId) {
        if let Ok(mut m) = self.maps.lock()
            && let Some(c) = m.get_mut(&topic)
        {
            c.stale = true;
        }
    }
}

/// The voter id of a member in a conversation.
pub fn member_voter(member: MemberId) -> String {
    format!("m{}", member.0)
}

/// A vote as the UI and API name it.
pub fn parse_vote(field: &str, s: &str) -> Result<i64, ValidationError> {
    match s.trim().to_ascii_lowercase().as_str() {
        "agree" | "1" | "+1" => Ok(1),
        "disagree" | "-1" => Ok(-1),
        "pass" | "0" => Ok(0),
        _ => Err(ValidationError::new(
            field,
            "expected agree, disagree or pass",
        )),
    }
}

/// Build the computation's input from stored statements and votes.
pub fn conversation(statements: &[StatementRow], votes: &[VoteRow]) -> Conversation {
    let mut conv = Conversation::new();
    let accepted: HashSet<i64> = statements
        .iter()
        .filter(|s| s.status == "accepted")
        .map(|s| s.id)
        .collect();
    for s in statements.iter().filter(|s| accepted.contains(&s.id)) {
        let _ = conv.add_statement(s.id as u64, s.body.clone(), false);
    }
    for v in votes.iter().filter(|v| accepted.contains(&v.statement_id)) {
        if let Some(value) = VoteValue::from_export(v.value) {
            let _ = conv.add_vote(v.voter.clone(), v.statement_id as u64, value, v.created_at);
        }
    }
    conv
}

/// Where a member stands on the map.
#[derive(Debug, Clone, Serialize)]
pub struct MyPosition {
    pub x: f64,
    pub y: f64,
    pub group: Option<usize>,
    pub votes: usize,
}

impl Services {
    /// The opinion map of a topic (recomputed when votes arrived since, at most once a second).
    pub async fn opinion_map(&self, topic: &Topic) -> Result<Arc<Report>> {
        let cache = &self.inner.opinion;
        if let Ok(m) = cache.maps.lock()
            && let Some(c) = m.get(&topic.id)
            && (!c.stale || c.computed.elapsed() < RECOMPUTE_EVERY)
        {
            return Ok(c.report.clone());
        }
        let statements = self.store().statements(topic.id, None).await?;
        let votes = self.store().topic_votes(topic.id).await?;
        let report = tokio::task::spawn_blocking(move || {
            let conv = conversation(&statements, &votes);
            parvis_opinion::analyze(&conv, &Options::default())
        })
        .await
        .map_err(|e| ServiceError::Forbidden(format!("the opinion computation stopped: {e}")))?
        .map_err(|e| ValidationError::new("conversation", e.to_string()))?;
        let report = Arc::new(report);
        if let Ok(mut m) = cache.maps.lock() {
            m.insert(
                topic.id,
                Cached {
                    report: report.clone(),
                    computed: Instant::now(),
                    stale: false,
                },
            );
        }
        Ok(report)
    }

    /// Where `actor` stands on a topic's map (None before their first vote or when unclustered).
    pub async fn my_position(
        &self,
        actor: &Actor,
        topic: &Topic,
        report: &Report,
    ) -> Result<Option<MyPosition>> {
        let voter = member_voter(actor.member.id);
        let votes = self.store().voter_votes(topic.id, &voter).await?.len();
        let p = report.projections.iter().find(|p| p.id == voter);
        let group = report
            .participants
            .iter()
            .find(|p| p.id == voter)
            .and_then(|p| p.group);
        Ok(p.map(|p| MyPosition {
            x: p.x,
            y: p.y,
            group,
            votes,
        }))
    }

    /// Accepted statements of a topic (and pending ones for moderators).
    pub async fn statements(
        &self,
        viewer: Option<&Actor>,
        topic: &Topic,
    ) -> Result<Vec<StatementRow>> {
        let all = self.store().statements(topic.id, None).await?;
        let moderator = viewer.is_some_and(|a| a.member.site_role.can_moderate());
        Ok(all
            .into_iter()
            .filter(|s| s.status == "accepted" || (moderator && s.status == "pending"))
            .map(|s| crate::privacy::statement_for(viewer, s))
            .collect())
    }

    /// The next statement for `actor` to vote on: among accepted statements they have not
    /// voted on, the one the map's priority ranks highest (new, little-voted and informative
    /// statements first).
    pub async fn next_statement(
        &self,
        actor: &Actor,
        topic: &Topic,
    ) -> Result<Option<StatementRow>> {
        let voted: HashSet<i64> = self
            .store()
            .voter_votes(topic.id, &member_voter(actor.member.id))
            .await?
            .into_iter()
            .map(|(s, _)| s)
            .collect();
        let open: Vec<StatementRow> = self
            .store()
            .statements(topic.id, Some("accepted"))
            .await?
            .into_iter()
            .filter(|s| !voted.contains(&s.id))
            .collect();
        if open.is_empty() {
            return Ok(None);
        }
        let priority: HashMap<u64, f64> = match self.opinion_map(topic).await {
            Ok(report) => report
                .priorities
                .iter()
                .map(|p| (p.statement, p.value))
                .collect(),
            // A young topic has too few votes for a map: no priorities yet, so every
            // statement counts as new (oldest first), and the first votes can come in.
            Err(ServiceError::Validation(v)) if v.field == "conversation" => HashMap::new(),
            Err(e) => return Err(e),
        };
        // Statements too new to be in the map yet come first (priority +inf): they need votes.
        let best = open.into_iter().max_by(|a, b| {
            let pa = priority
                .get(&(a.id as u64))
                .copied()
                .unwrap_or(f64::INFINITY);
            let pb = priority
                .get(&(b.id as u64))
                .copied()
                .unwrap_or(f64::INFINITY);
            pa.partial_cmp(&pb)
                .unwrap_or(std::cmp::Ordering::Equal)
                .then(b.id.cmp(&a.id))
        });
        Ok(best.map(|s| crate::privacy::statement_for(Some(actor), s)))
    }

    /// Submit a statement: accepted at once from moderators, pending for everyone else.
    pub async fn submit_statement(
        &self,
        actor: &Actor,
        topic: &Topic,
        body: &str,
    ) -> Result<StatementRow> {
        Self::check_writable(None, Some(topic))?;
        let body = required_text("body", body, MAX_STATEMENT_CHARS)?;
        let status = if actor.member.site_role.can_moderate() {
            "accepted"
        } else {
            "pending"
        };
        let id = self
            .store()
            .add_statement(
                topic.id,
                Some(actor.member.id),
                &body,
                status,
                now_millis(),
                None,
            )
            .await?;
        self.inner.opinion.mark_stale(topic.id);
        self.store()
            .statement(id)
            .await?
            .ok_or_else(|| ServiceError::NotFound("statement".into()))
    }

    /// Accept or reject a pending statement (moderators).
    pub async fn moderate_statement(
        &self,
        actor: &Actor,
        id: i64,
        accept: bool,
    ) -> Result<StatementRow> {
        actor.require_moderator()?;
        let s = self
            .store()
            .statement(id)
            .await?
            .ok_or_else(|| ServiceError::NotFound(format!("statement {id}")))?;
        self.store()
            .set_statement_status(id, if accept { "accepted" } else { "rejected" })
            .await?;
        self.inner.opinion.mark_stale(s.topic_id);
        self.store()
            .statement(id)
            .await?
            .ok_or_else(|| ServiceError::NotFound("statement".into()))
    }

    /// Vote on an accepted statement (a later vote replaces the earlier one).
    pub async fn vote(&self, actor: &Actor, statement: i64, value: &str) -> Result<StatementRow> {
        let value = parse_vote("value", value)?;
        let s = self
            .store()
            .statement(statement)
            .await?
            .ok_or_else(|| ServiceError::NotFound(format!("statement {statement}")))?;
        if s.status != "accepted" {
            return Err(ServiceError::Forbidden(
                "this statement is waiting for moderation".into(),
            ));
        }
        self.store()
            .vote(
                statement,
                &member_voter(actor.member.id),
                value,
                now_millis(),
            )
            .await?;
        self.inner.opinion.mark_stale(s.topic_id);
        Ok(s)
    }

    /// Import a Pol.is export (comments.csv, votes.csv) as a topic of a space. Statements
    /// moderated out in Pol.is are kept as rejected; re-importing updates, never duplicates.
    pub async fn import_polis(
        &self,
        dir: &Path,
        space: &str,
        topic_slug: Option<&str>,
    ) -> Result<(Topic, usize, usize)> {
        let space = self.space(space).await?;
        let dir_buf = dir.to_path_buf();
        let conv = tokio::task::spawn_blocking(move || {
            parvis_opinion::Conversation::from_polis_export_dir(&dir_buf)
        })
        .await
        .map_err(|e| ServiceError::Forbidden(e.to_string()))?
        .map_err(|e| ValidationError::new("dir", e.to_string()))?;
        let name = dir
            .file_name()
            .map(|n| n.to_string_lossy().to_string())
            .unwrap_or_else(|| "polis".into());
        let slug = match topic_slug {
            Some(s) => Slug::parse("topic", s)?,
            None => Slug::from_title(&format!("polis {name}")),
        };
        let topic = match self.store().topic_by_slug(space.id, slug.as_str()).await? {
            Some(t) => t,
            None => {
                let id = self
                    .store()
                    .create_topic(
                        space.id,
                        slug.as_str(),
                        &format!("Pol.is : {name}"),
                        "",
                        &[],
                        now_millis(),
                    )
                    .await?;
                self.store()
                    .topic_by_slug(space.id, slug.as_str())
                    .await?
                    .ok_or_else(|| ServiceError::NotFound(format!("topic {id}")))?
            }
        };
        let now = now_millis();
        let mut ids: HashMap<u64, i64> = HashMap::new();
        for s in conv.statements() {
            let status = if s.moderated { "rejected" } else { "accepted" };
            let id = self
                .store()
                .add_statement(
                    topic.id,
                    None,
                    &s.text,
                    status,
                    now,
                    Some(&format!("polis:{}", s.id)),
                )
                .await?;
            ids.insert(s.id, id);
        }
        let votes: Vec<VoteRow> = conv
            .votes()
            .iter()
            .filter_map(|v| {
                Some(VoteRow {
                    statement_id: *ids.get(&v.statement)?,
                    voter: format!("polis:{}", v.participant),
                    value: v.value.export_value() as i64,
                    created_at: v.timestamp,
                })
            })
            .collect();
        for chunk in votes.chunks(5000) {
            self.store().vote_many(chunk).await?;
        }
        self.inner.opinion.mark_stale(topic.id);
        Ok((topic, ids.len(), votes.len()))
    }
}
