//! Who sees what, written once (the rule in words: `docs/PRIVACY.md`).
//!
//! Every page, API response, export and widget that shows a member or an opinion map goes
//! through one of the projections below with the viewer in hand, so a new feature cannot
//! forget the rule: it gets the projected value or nothing.
//!
//! - Contact details (the account's e-mail, e-mail identities, anything shaped like an
//!   address): the member themself and admins. Never another member, never a visitor.
//! - Identities on other networks (LinkedIn, Mastodon…): the member and admins; other
//!   signed-in members only while the member's "agrees to be contacted" consent is given —
//!   that consent exists for this purpose. Anonymous visitors never see them.
//! - Consents: the member and admins.
//! - Votes on opinion maps: aggregates are public (group sizes and shapes, agree/disagree/pass
//!   counts per statement and per group); per-participant data only to moderators, under
//!   opaque ids drawn afresh for each export (`p1..pN`), never derived from member ids.

use crate::{Actor, Result, ServiceError, Services};
use parvis_domain::*;
use parvis_opinion::Report;
use rand::seq::SliceRandom;
use serde::Serialize;
use std::collections::HashMap;

/// How much of a member a viewer may see.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// The member themself or an admin: everything.
    Full,
    /// Another signed-in member: the public profile, plus identities when consented.
    Member,
    /// A visitor who is not signed in: the public profile only.
    Public,
}

/// The access `viewer` has to `member`'s data.
pub fn access(viewer: Option<&Actor>, member: MemberId) -> Access {
    match viewer {
        Some(v) if v.member.id == member || v.member.site_role.is_admin() => Access::Full,
        Some(_) => Access::Member,
        None => Access::Public,
    }
}

/// Whether an identity is a contact address (an e-mail, whatever network it was filed under).
/// Fediverse handles (`@name@host`) are public names, not addresses.
pub fn is_address(network: &str, handle: &str) -> bool {
    if network.eq_ignore_ascii_case("email") || network.eq_ignore_ascii_case("mail") {
        return true;
    }
    let h = handle.trim().trim_start_matches("mailto:");
    !h.starts_with('@') && Email::parse("identity", h).is_ok()
}

/// A public name with every e-mail address in it cut to its local part ("marie@acme.fr" →
/// "marie", "Marie <marie@acme.fr>" → "Marie"), for names that come from elsewhere.
pub fn without_addresses(name: &str) -> String {
    if !name.contains('@') {
        return name.to_string();
    }
    let mut words: Vec<String> = Vec::new();
    for word in name.split_whitespace() {
        let bare = word.trim_matches(|c: char| "<>()[]\"',;".contains(c));
        if is_address("", bare) {
            // Inside brackets the address only repeats the name: drop it; alone, it is the
            // name: keep its local part.
            if bare.len() == word.len() {
                words.push(bare.split('@').next().unwrap_or("").to_string());
            }
        } else {
            words.push(word.to_string());
        }
    }
    let out = words.join(" ");
    if out.trim().is_empty() {
        name.split('@')
            .next()
            .unwrap_or("")
            .trim_matches(|c: char| !c.is_alphanumeric())
            .to_string()
    } else {
        out
    }
}

/// A member as `viewer` may see them (the one projection of a full member record).
pub fn member_for(viewer: Option<&Actor>, mut m: Member) -> Member {
    match access(viewer, m.id) {
        Access::Full => {}
        Access::Member => {
            let contact = m
                .consents
                .iter()
                .any(|c| c.kind == ConsentKind::Contact && c.granted);
            m.email = None;
            if contact {
                m.identities.retain(|i| !is_address(&i.network, &i.handle));
            } else {
                m.identities.clear();
            }
            m.consents.clear();
        }
        Access::Public => {
            m.email = None;
            m.identities.clear();
            m.consents.clear();
        }
    }
    m
}

/// Whether `viewer` may see per-participant opinion data (positions, group membership).
pub fn sees_participants(viewer: Option<&Actor>) -> bool {
    viewer.is_some_and(|v| v.member.site_role.can_moderate())
}

/// A statement as `viewer` may see it: who proposed it is per-participant data, shown to its
/// author and to moderators only (the statement itself is public once accepted).
pub fn statement_for(
    viewer: Option<&Actor>,
    mut s: parvis_store::StatementRow,
) -> parvis_store::StatementRow {
    let own = viewer.is_some_and(|v| Some(v.member.id) == s.author_id);
    if !own && !sees_participants(viewer) {
        s.author_id = None;
    }
    s
}

/// An opinion group as the public sees it: its size and shape, not its members.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PublicGroup {
    pub id: usize,
    pub size: usize,
    pub center: [f64; 2],
    pub representative: Vec<parvis_opinion::RepStatement>,
}

/// An opinion map as the public sees it (what Pol.is shows): counts, groups, statements with
/// their per-group tallies; no participant, no position.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PublicReport {
    pub mode: parvis_opinion::Mode,
    pub n_participants: usize,
    pub n_statements: usize,
    pub n_votes: usize,
    pub n_in_conv: usize,
    pub statement_ids: Vec<u64>,
    pub groups: Vec<PublicGroup>,
    pub consensus: parvis_opinion::Consensus,
    pub group_aware_consensus: Vec<parvis_opinion::StatementValue>,
    pub divisive: Vec<parvis_opinion::Divisive>,
    pub statements: Vec<parvis_opinion::StatementStats>,
}

/// An opinion map as `viewer` may see it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[serde(untagged)]
pub enum ReportView {
    /// Aggregates only.
    Public(PublicReport),
    /// Everything, participants under opaque ids (moderators).
    Full(Box<Report>),
}

/// The public part of a report.
pub fn public_report(r: &Report) -> PublicReport {
    PublicReport {
        mode: r.mode,
        n_participants: r.n_participants,
        n_statements: r.n_statements,
        n_votes: r.n_votes,
        n_in_conv: r.n_in_conv,
        statement_ids: r.statement_ids.clone(),
        groups: r
            .groups
            .iter()
            .map(|g| PublicGroup {
                id: g.id,
                size: g.members.len(),
                center: g.center,
                representative: g.representative.clone(),
            })
            .collect(),
        consensus: r.consensus.clone(),
        group_aware_consensus: r.group_aware_consensus.clone(),
        divisive: r.divisive.clone(),
        statements: r.statements.clone(),
    }
}

/// The full report with every participant id replaced by `p1..pN`, numbered in a random
/// order drawn for this export: nothing in it leads back to a member id, and two exports
/// cannot be joined on their ids.
pub fn pseudonymous_report(r: &Report) -> Report {
    let mut ids: Vec<&str> = r.participants.iter().map(|p| p.id.as_str()).collect();
    for p in &r.projections {
        if !ids.contains(&p.id.as_str()) {
            ids.push(p.id.as_str());
        }
    }
    ids.shuffle(&mut rand::thread_rng());
    let map: HashMap<String, String> = ids
        .iter()
        .enumerate()
        .map(|(i, id)| (id.to_string(), format!("p{}", i + 1)))
        .collect();
    let opaque = |id: &String| map.get(id).cloned().unwrap_or_else(|| "p0".into());
    let mut out = r.clone();
    for p in &mut out.participants {
        p.id = opaque(&p.id);
    }
    for p in &mut out.projections {
        p.id = opaque(&p.id);
    }
    for c in &mut out.base_clusters {
        c.members = c.members.iter().map(opaque).collect();
    }
    for g in &mut out.groups {
        g.members = g.members.iter().map(opaque).collect();
    }
    // Listed in id order, so that the order does not give the original order away either.
    out.participants
        .sort_by_key(|p| p.id[1..].parse::<usize>().unwrap_or(0));
    out.projections
        .sort_by_key(|p| p.id[1..].parse::<usize>().unwrap_or(0));
    out
}

/// The opinion map as `viewer` may see it.
pub fn report_for(viewer: Option<&Actor>, r: &Report) -> ReportView {
    if sees_participants(viewer) {
        ReportView::Full(Box::new(pseudonymous_report(r)))
    } else {
        ReportView::Public(public_report(r))
    }
}

/// Everything Parvis holds about a member, as they (or an admin on their behalf) download it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct MemberExport {
    /// Names this document's shape, for whoever reads it years from now.
    pub format: &'static str,
    pub exported_at: Millis,
    /// The full profile: address, identities, current consents.
    pub profile: Member,
    #[serde(flatten)]
    pub records: parvis_store::MemberRecords,
    /// Challenge entries, votes, scores given, comments; testimonials about them with every
    /// consent record; share links and what they brought.
    #[serde(flatten)]
    pub content: parvis_store::ContentRecords,
    /// Surveys mailed to one of their addresses whose mail has not gone out yet (title, when
    /// queued). Once mailed, only a hash of the address is kept; answers are anonymous and
    /// never tied to a person, so none is listed.
    pub pending_surveys: Vec<parvis_store::PendingSurvey>,
}

/// What becomes of a deleted account's messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MessagesChoice {
    /// Kept where they are, under a neutral name ("Former member"): conversations stay whole.
    Anonymise,
    /// Deleted; conversations that held nothing else are deleted with them.
    Delete,
}

impl MessagesChoice {
    /// Parse `anonymise` (or `anonymize`) or `delete`, naming `field` in the error.
    pub fn parse(field: &str, s: &str) -> Result<Self, ValidationError> {
        match s.trim().to_ascii_lowercase().as_str() {
            "anonymise" | "anonymize" => Ok(Self::Anonymise),
            "delete" => Ok(Self::Delete),
            _ => Err(ValidationError::new(field, "expected anonymise or delete")),
        }
    }
}

/// The name an erased account's kept messages show, in both languages of the interface
/// (the row is shared by every reader, whatever their language).
pub const ERASED_NAME: &str = "Ancien membre · Former member";

impl Services {
    /// The member behind `handle` if `actor` may act on their data (themself or an admin).
    async fn data_subject(&self, actor: &Actor, handle: &str) -> Result<Member> {
        let m = self
            .store()
            .member_by_handle(&handle.to_lowercase())
            .await?
            .ok_or_else(|| ServiceError::NotFound(format!("member {handle:?}")))?;
        if access(Some(actor), m.id) != Access::Full {
            return Err(ServiceError::Forbidden(
                "only the member themself or an admin can do this".into(),
            ));
        }
        Ok(m)
    }

    /// Everything held about `handle` (GDPR access and portability): for the member themself
    /// or an admin acting on their request.
    pub async fn export_member(&self, actor: &Actor, handle: &str) -> Result<MemberExport> {
        let profile = self.data_subject(actor, handle).await?;
        let records = self.store().member_records(profile.id).await?;
        let content = self.store().member_content_records(profile.id).await?;
        let pending_surveys = self.pending_surveys_of(profile.id).await?;
        Ok(MemberExport {
            content,
            pending_surveys,
            format: "parvis-member-export/1",
            exported_at: now_millis(),
            profile,
            records,
        })
    }

    /// Erase `handle`'s account (GDPR erasure), keeping their messages anonymised or deleting
    /// them as `messages` says. Admins are refused: another admin removes their admin role
    /// first, so that an instance never loses its last admin.
    pub async fn erase_member(
        &self,
        actor: &Actor,
        handle: &str,
        messages: &str,
    ) -> Result<parvis_store::Erasure> {
        let choice = MessagesChoice::parse("messages", messages)?;
        let m = self.data_subject(actor, handle).await?;
        if m.site_role.is_admin() {
            return Err(ServiceError::Forbidden(
                "an admin account is deleted once another admin has removed its admin role".into(),
            ));
        }
        // The live rooms first: their log names the member by id, which erasure retires.
        self.erase_room_events(&m, choice == MessagesChoice::Delete)
            .await?;
        // Survey mailings next, while the account still has its address: pending mails to it
        // are dropped with it, mailed ones stop being tied to it.
        self.erase_survey_addresses(m.id).await?;
        let out = self
            .store()
            .erase_member(
                m.id,
                choice == MessagesChoice::Delete,
                ERASED_NAME,
                now_millis(),
            )
            .await?;
        // Deleted messages leave the search index now rather than at the next rebuild.
        if let Ok(index) = self.search_index_handle() {
            for id in &out.deleted_messages {
                if let Err(e) = index.delete(*id) {
                    tracing::warn!(error = %e, "search index: deleted message not removed");
                }
            }
            if let Err(e) = index.commit() {
                tracing::warn!(error = %e, "search index: commit after erasure failed");
            }
        }
        self.inner.opinion.clear(); // votes went
        // Feed engines hold what the member wrote and did: built again without it (a saved
        // engine no longer matches the store either, see `relevance_saved`).
        self.inner.feeds.forget_all().await;
        self.after_bulk_change().await?;
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_are_recognised_whatever_the_network() {
        assert!(is_address("email", "anything"));
        assert!(is_address("slack", "ada@example.org"));
        assert!(is_address("x", "mailto:ada@example.org"));
        assert!(!is_address("mastodon", "@ada@social.example"));
        assert!(!is_address("linkedin", "ada-lovelace"));
    }

    #[test]
    fn names_from_elsewhere_lose_their_addresses() {
        assert_eq!(without_addresses("marie@acme.fr"), "marie");
        assert_eq!(
            without_addresses("Marie Dupont <marie@acme.fr>"),
            "Marie Dupont"
        );
        assert_eq!(without_addresses("\"marie@acme.fr\""), "marie");
        assert_eq!(
            without_addresses("@marie@social.example"),
            "@marie@social.example"
        );
        assert_eq!(without_addresses("Marie Dupont"), "Marie Dupont");
    }
}
