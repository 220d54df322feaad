//! The demo ecosystem shipped inside the binary (`parvis demo`): one space on the subjects of
//! the essays Parvis grew from, a few dozen invented members, threads spread over months.
//! The content is data (`demo/ecosystem.json`), loaded through the store like any import.

use crate::auth::hash_password;
use crate::{Result, ServiceError};
use parvis_domain::*;
use parvis_store::{NewMember, NewMessage, NewThread, Store};
use serde::Deserialize;
use std::collections::HashMap;

/// The demo content, compiled in.
pub const ECOSYSTEM_JSON: &str = include_str!("../demo/ecosystem.json");

/// The demo admin's sign-in (printed at start-up; a demo, not a secret).
pub const DEMO_ADMIN_PASSWORD: &str = "parvis-demo-2026";

#[derive(Deserialize)]
struct Demo {
    space: DemoSpace,
    members: Vec<DemoMember>,
    topics: Vec<DemoTopic>,
    threads: Vec<DemoThread>,
    #[serde(default)]
    debates: Vec<DemoDebate>,
}

/// A topic's opinion debate: statements, and each member's votes as one character per
/// statement (`+` agree, `-` disagree, `0` pass, `.` did not vote), so the data stays
/// readable as a table.
#[derive(Deserialize)]
struct DemoDebate {
    topic: String,
    opened: String,
    statements: Vec<DemoStatement>,
    votes: std::collections::BTreeMap<String, String>,
}

#[derive(Deserialize)]
struct DemoStatement {
    author: String,
    text: String,
}

#[derive(Deserialize)]
struct DemoSpace {
    slug: String,
    name: String,
    description_fr: String,
}

#[derive(Deserialize)]
struct DemoMember {
    handle: String,
    display_name: String,
    email: String,
    organisation: String,
    ecosystem_role: String,
    site_role: String,
    bio_fr: String,
    lang: String,
    #[serde(default)]
    identities: Vec<DemoIdentity>,
    consents: DemoConsents,
    joined: String,
}

#[derive(Deserialize)]
struct DemoIdentity {
    network: String,
    handle: String,
}

#[derive(Deserialize)]
struct DemoConsents {
    contact: bool,
    share_with_partners: bool,
}

#[derive(Deserialize)]
struct DemoTopic {
    slug: String,
    title_fr: String,
    description_fr: String,
    keywords: Vec<String>,
}

#[derive(Deserialize)]
struct DemoThread {
    topic: String,
    title: String,
    author: String,
    created: String,
    body: String,
    #[serde(default)]
    replies: Vec<DemoReply>,
    #[serde(default)]
    reactions: Vec<DemoReaction>,
}

#[derive(Deserialize)]
struct DemoReply {
    author: String,
    created: String,
    body: String,
    reply_to: Option<usize>,
}

#[derive(Deserialize)]
struct DemoReaction {
    member: String,
    kind: String,
    target: i64,
}

/// What loading the demo did.
#[derive(Debug, Clone, Default)]
pub struct DemoSummary {
    pub space_slug: String,
    pub admin_email: String,
    pub members: usize,
    pub threads: usize,
    pub messages: usize,
    /// Opinion statements and votes of the demo's debates.
    pub statements: usize,
    pub votes: usize,
    /// False when the store already held the demo space and nothing was written.
    pub loaded: bool,
}

fn bad(field: &str, msg: impl Into<String>) -> ServiceError {
    ServiceError::Validation(ValidationError::new(
        format!("demo/ecosystem.json: {field}"),
        msg,
    ))
}

/// Load the demo into the store unless its space is already there (idempotent).
pub async fn load(store: &Store) -> Result<DemoSummary> {
    let demo: Demo = serde_json::from_str(ECOSYSTEM_JSON).map_err(|e| {
        bad(
            &format!("line {} column {}", e.line(), e.column()),
            e.to_string(),
        )
    })?;
    let admin_email = demo
        .members
        .iter()
        .find(|m| m.site_role == "admin")
        .map(|m| m.email.clone())
        .ok_or_else(|| bad("members", "no admin"))?;
    let mut summary = DemoSummary {
        space_slug: demo.space.slug.clone(),
        admin_email,
        ..Default::default()
    };
    if store.space_by_slug(&demo.space.slug).await?.is_some() {
        return Ok(summary);
    }
    let first = demo
        .threads
        .iter()
        .map(|t| t.created.as_str())
        .min()
        .unwrap_or("2026-03-01T00:00:00Z");
    let space = store
        .create_space(
            &demo.space.slug,
            &demo.space.name,
            &demo.space.description_fr,
            parse_rfc3339("created", first)? - 86_400_000,
        )
        .await?;
    let admin_hash = {
        let pw = DEMO_ADMIN_PASSWORD.to_string();
        tokio::task::spawn_blocking(move || hash_password(&pw))
            .await
            .map_err(|e| bad("admin", e.to_string()))??
    };
    let mut members: HashMap<String, MemberId> = HashMap::new();
    for m in &demo.members {
        let site_role = SiteRole::parse(&format!("members.{}.site_role", m.handle), &m.site_role)?;
        let joined = parse_rfc3339(&format!("members.{}.joined", m.handle), &m.joined)?;
        let id = match store.member_id_by_email(&m.email).await? {
            Some(id) => id, // the admin may exist already (first start created it)
            None => {
                store
                    .create_member(&NewMember {
                        handle: Handle::parse(&format!("members.{}.handle", m.handle), &m.handle)?
                            .as_str()
                            .to_string(),
                        display_name: m.display_name.clone(),
                        email: Some(
                            Email::parse(&format!("members.{}.email", m.handle), &m.email)?
                                .as_str()
                                .to_string(),
                        ),
                        password_hash: (site_role == SiteRole::Admin).then(|| admin_hash.clone()),
                        site_role,
                        ecosystem_role: EcosystemRole::parse(
                            &format!("members.{}.ecosystem_role", m.handle),
                            &m.ecosystem_role,
                        )?,
                        organisation: m.organisation.clone(),
                        bio: m.bio_fr.clone(),
                        lang: m.lang.clone(),
                        created_at: joined,
                    })
                    .await?
            }
        };
        for ident in &m.identities {
            store
                .add_identity(id, &ident.network, &ident.handle, true, joined)
                .await?;
        }
        store
            .add_identity(id, "email", &m.email, true, joined)
            .await?;
        store
            .set_consent(id, ConsentKind::Contact, m.consents.contact, joined)
            .await?;
        store
            .set_consent(
                id,
                ConsentKind::ShareWithPartners,
                m.consents.share_with_partners,
                joined,
            )
            .await?;
        members.insert(m.handle.clone(), id);
    }
    summary.members = members.len();
    let mut topics: HashMap<String, TopicId> = HashMap::new();
    for t in &demo.topics {
        let id = store
            .create_topic(
                space,
                &t.slug,
                &t.title_fr,
                &t.description_fr,
                &t.keywords,
                0,
            )
            .await?;
        topics.insert(t.slug.clone(), id);
    }
    let who = |h: &str, field: &str| {
        members
            .get(h)
            .copied()
            .ok_or_else(|| bad(field, format!("unknown member {h:?}")))
    };
    for (ti, t) in demo.threads.iter().enumerate() {
        let field = format!("threads[{ti}]");
        let author = who(&t.author, &field)?;
        let (thread, first) = store
            .create_thread(&NewThread {
                space_id: space,
                topic_id: topics.get(&t.topic).copied(),
                title: t.title.clone(),
                author_id: author,
                body_html: markdown::render(&t.body),
                body_md: t.body.clone(),
                created_at: parse_rfc3339(&field, &t.created)?,
                channel: "parvis".into(),
                source_id: None,
                source_url: None,
            })
            .await?;
        summary.threads += 1;
        summary.messages += 1;
        let mut ids = Vec::with_capacity(t.replies.len());
        for (ri, r) in t.replies.iter().enumerate() {
            let rfield = format!("{field}.replies[{ri}]");
            let parent = match r.reply_to {
                None => first,
                Some(i) => *ids
                    .get(i)
                    .ok_or_else(|| bad(&rfield, format!("reply_to {i} is not an earlier reply")))?,
            };
            let id = store
                .add_message(&NewMessage {
                    thread_id: thread,
                    parent_id: Some(parent),
                    author_id: who(&r.author, &rfield)?,
                    body_html: markdown::render(&r.body),
                    body_md: r.body.clone(),
                    created_at: parse_rfc3339(&rfield, &r.created)?,
                    channel: "parvis".into(),
                    source_id: None,
                    source_url: None,
                })
                .await?;
            ids.push(id);
            summary.messages += 1;
        }
        for (xi, x) in t.reactions.iter().enumerate() {
            let xfield = format!("{field}.reactions[{xi}]");
            let target = if x.target < 0 {
                first
            } else {
                *ids.get(x.target as usize)
                    .ok_or_else(|| bad(&xfield, "unknown target"))?
            };
            let kind = ReactionKind::parse(&xfield, &x.kind)?;
            store
                .add_reaction(target, who(&x.member, &xfield)?, kind, 0)
                .await?;
        }
    }
    for (di, d) in demo.debates.iter().enumerate() {
        let field = format!("debates[{di}]");
        let topic = *topics
            .get(&d.topic)
            .ok_or_else(|| bad(&field, format!("unknown topic {:?}", d.topic)))?;
        let opened = parse_rfc3339(&format!("{field}.opened"), &d.opened)?;
        const HOUR: i64 = 3_600_000;
        let mut ids = Vec::with_capacity(d.statements.len());
        for (si, st) in d.statements.iter().enumerate() {
            let sfield = format!("{field}.statements[{si}]");
            let id = store
                .add_statement(
                    topic,
                    Some(who(&st.author, &sfield)?),
                    &st.text,
                    "accepted",
                    opened + si as i64 * HOUR,
                    None,
                )
                .await?;
            ids.push(id);
        }
        summary.statements += ids.len();
        let mut votes = Vec::new();
        for (vi, (handle, row)) in d.votes.iter().enumerate() {
            let vfield = format!("{field}.votes.{handle}");
            let voter = crate::opinion::member_voter(who(handle, &vfield)?);
            if row.chars().count() != ids.len() {
                return Err(bad(
                    &vfield,
                    format!("{} votes for {} statements", row.chars().count(), ids.len()),
                ));
            }
            for (si, c) in row.chars().enumerate() {
                let value = match c {
                    '+' => 1,
                    '-' => -1,
                    '0' => 0,
                    '.' => continue,
                    other => {
                        return Err(bad(&vfield, format!("{other:?}: expected +, -, 0 or .")));
                    }
                };
                votes.push(parvis_store::VoteRow {
                    statement_id: ids[si],
                    voter: voter.clone(),
                    value,
                    // Over the fortnight after the debate opened, each member at their hour.
                    created_at: opened + (12 + vi as i64 * 7 + si as i64) * HOUR,
                });
            }
        }
        store.vote_many(&votes).await?;
        summary.votes += votes.len();
    }
    summary.loaded = true;
    Ok(summary)
}

/// Hash a password the way accounts do (for tests that create accounts directly in the store).
pub fn hash_password_for_tests(password: &str) -> String {
    hash_password(password).unwrap_or_default()
}
