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

use crate::Actor;
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

/// An opinion group as the public sees it: its size and shape, not its members.
#[derive(Debug, Clone, Serialize)]
pub struct PublicGroup {
    pub id: usize,
    pub size: usize,
    pub center: [f64; 2],
    pub representative: Vec<parvis_opinion::RepStatement>,
}

/// An opinion map as the public sees it (what Pol.is shows): counts, groups, statements with
/// their per-group tallies; no participant, no position.
#[derive(Debug, Clone, Serialize)]
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
#[derive(Debug, Clone, Serialize)]
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
}
