//! Warm introductions: the best chains of people through whom a member could be introduced
//! to someone (a prospect's decision maker, say), weighted by the strength of their real
//! interactions — replies exchanged and threads shared, fading with time — and going only
//! through people who consented to be contacted. The member then asks the first person of a
//! chain, who accepts or declines.

use crate::{Actor, Result, ServiceError, Services};
use parvis_domain::*;
use parvis_relevance::intro::{Interaction, InteractionGraph};
use parvis_store::IntroRequest;
use serde::Serialize;
use std::collections::HashMap;

/// Interaction strength halves over this many days.
const HALF_LIFE_DAYS: f64 = 180.0;
/// Threads with more participants than this do not make everyone "acquainted".
const MAX_COPARTICIPANTS: usize = 25;

/// One hop of a chain, in words a page can show.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct HopView {
    pub from: MemberRef,
    pub to: MemberRef,
    pub strength: f32,
    pub replies: u32,
    pub threads_shared: u32,
    pub last_interaction: Millis,
}

/// A chain from the member to the target.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct IntroPathView {
    pub members: Vec<MemberRef>,
    pub hops: Vec<HopView>,
    pub strength: f32,
}

/// An introduction request with the people named.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct IntroRequestView {
    pub request: IntroRequest,
    pub requester: MemberRef,
    pub intermediary: MemberRef,
    pub target: MemberRef,
}

fn rel(id: MemberId) -> parvis_relevance::MemberId {
    parvis_relevance::MemberId(id.0)
}

impl Services {
    async fn interaction_graph(&self) -> Result<InteractionGraph> {
        let replies = self.store().reply_pairs().await?;
        let participants = self.store().thread_participants().await?;
        tokio::task::spawn_blocking(move || {
            let mut g = InteractionGraph::new(HALF_LIFE_DAYS);
            for (a, b, at) in &replies {
                g.add(rel(*a), rel(*b), Interaction::Reply, *at);
            }
            let mut i = 0;
            while i < participants.len() {
                let thread = participants[i].0;
                let mut j = i;
                while j < participants.len() && participants[j].0 == thread {
                    j += 1;
                }
                let group = &participants[i..j];
                if group.len() <= MAX_COPARTICIPANTS {
                    for (x, a) in group.iter().enumerate() {
                        for b in &group[x + 1..] {
                            g.add(
                                rel(a.1),
                                rel(b.1),
                                Interaction::CoParticipation,
                                a.2.min(b.2),
                            );
                        }
                    }
                }
                i = j;
            }
            g
        })
        .await
        .map_err(|e| ServiceError::Forbidden(e.to_string()))
    }

    async fn refs(&self, ids: &[i64]) -> Result<HashMap<i64, MemberRef>> {
        let members = self
            .store()
            .member_refs(&ids.iter().map(|i| MemberId(*i)).collect::<Vec<_>>())
            .await?;
        Ok(members.into_iter().map(|m| (m.id.0, m.to_ref())).collect())
    }

    /// The best introduction chains from the actor to `target` (at most `k`, at most 3
    /// intermediaries), through consenting people only, strongest first.
    pub async fn intro_paths(
        &self,
        actor: &Actor,
        target: &str,
        k: usize,
    ) -> Result<Vec<IntroPathView>> {
        let target = self.member(Some(actor), target).await?;
        if target.id == actor.member.id {
            return Err(ValidationError::new("target", "that is you").into());
        }
        let graph = self.interaction_graph().await?;
        let consenting: Vec<parvis_relevance::MemberId> = self
            .store()
            .contactable_members()
            .await?
            .into_iter()
            .map(rel)
            .collect();
        let paths = graph.intro_paths(
            rel(actor.member.id),
            rel(target.id),
            &consenting,
            now_millis(),
            k.clamp(1, 10),
            4,
        );
        let ids: Vec<i64> = paths
            .iter()
            .flat_map(|p| p.members.iter().map(|m| m.0))
            .collect();
        let refs = self.refs(&ids).await?;
        let get = |id: i64| refs.get(&id).cloned();
        Ok(paths
            .into_iter()
            .filter_map(|p| {
                Some(IntroPathView {
                    members: p
                        .members
                        .iter()
                        .map(|m| get(m.0))
                        .collect::<Option<Vec<_>>>()?,
                    hops: p
                        .hops
                        .iter()
                        .map(|h| {
                            Some(HopView {
                                from: get(h.from.0)?,
                                to: get(h.to.0)?,
                                strength: h.strength,
                                replies: h.replies,
                                threads_shared: h.co_participations,
                                last_interaction: h.last_interaction,
                            })
                        })
                        .collect::<Option<Vec<_>>>()?,
                    strength: p.strength,
                })
            })
            .collect())
    }

    /// Ask `intermediary` to introduce the actor to `target`. The intermediary must consent to
    /// be contacted and have really interacted with the actor.
    pub async fn request_intro(
        &self,
        actor: &Actor,
        target: &str,
        intermediary: &str,
        message: &str,
    ) -> Result<IntroRequestView> {
        let target = self.member(Some(actor), target).await?;
        let via = self.member(None, intermediary).await?;
        let message = required_text("message", message, 2_000)?;
        if via.id == actor.member.id || via.id == target.id {
            return Err(ValidationError::new(
                "intermediary",
                "choose someone between you and the person you want to meet",
            )
            .into());
        }
        if !self.store().contactable_members().await?.contains(&via.id) {
            return Err(ServiceError::Forbidden(format!(
                "{} does not accept to be contacted",
                via.display_name
            )));
        }
        let graph = self.interaction_graph().await?;
        if graph.strength(rel(actor.member.id), rel(via.id), now_millis()) <= 0.0 {
            return Err(ServiceError::Forbidden(format!(
                "you have not interacted with {} yet",
                via.display_name
            )));
        }
        let id = self
            .store()
            .create_intro_request(actor.member.id, via.id, target.id, &message, now_millis())
            .await?;
        if let Some(email) = self
            .store()
            .member_by_id(via.id)
            .await?
            .and_then(|m| m.email)
        {
            let link = format!(
                "{}/me#intros",
                self.config().public_url.trim_end_matches('/')
            );
            let body = format!(
                "{} vous demande de le ou la présenter à {}.\n\n« {} »\n\nRépondez ici : {link}\n",
                actor.member.display_name, target.display_name, message
            );
            if let Err(e) = self
                .mailer()
                .send(&email, "Une demande de mise en relation", &body, &link)
                .await
            {
                tracing::warn!(error = %e, "introduction request mail not sent");
            }
        }
        let req = self
            .store()
            .intro_requests_of(actor.member.id)
            .await?
            .into_iter()
            .find(|r| r.id == id)
            .ok_or_else(|| ServiceError::NotFound("request".into()))?;
        Ok(self.intro_views(vec![req]).await?.remove(0))
    }

    async fn intro_views(&self, reqs: Vec<IntroRequest>) -> Result<Vec<IntroRequestView>> {
        let ids: Vec<i64> = reqs
            .iter()
            .flat_map(|r| [r.requester_id.0, r.intermediary_id.0, r.target_id.0])
            .collect();
        let refs = self.refs(&ids).await?;
        Ok(reqs
            .into_iter()
            .filter_map(|r| {
                Some(IntroRequestView {
                    requester: refs.get(&r.requester_id.0)?.clone(),
                    intermediary: refs.get(&r.intermediary_id.0)?.clone(),
                    target: refs.get(&r.target_id.0)?.clone(),
                    request: r,
                })
            })
            .collect())
    }

    /// The actor's introduction requests, made and received.
    pub async fn intro_requests(&self, actor: &Actor) -> Result<Vec<IntroRequestView>> {
        let reqs = self.store().intro_requests_of(actor.member.id).await?;
        self.intro_views(reqs).await
    }

    /// As the intermediary, accept or decline a request.
    pub async fn decide_intro(
        &self,
        actor: &Actor,
        id: i64,
        accept: bool,
    ) -> Result<IntroRequestView> {
        let r = self
            .store()
            .decide_intro(id, actor.member.id, accept, now_millis())
            .await?;
        Ok(self.intro_views(vec![r]).await?.remove(0))
    }
}
