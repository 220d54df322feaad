//! Calendars and leads: a topic's iCalendar feed (public, like the topic), a member's private
//! feed by secret token ("my sessions"), and the moderators' lead exports.
//!
//! Leads follow the consents, as they stand at export time: contact details only for people
//! who consented to be contacted; a partner's export only those who consented to share with
//! the session's partners; a withdrawn consent removes the person from every later export.
//! Each consent is given with its date and the wording the person saw; the third one, "propose
//! me meetings" (Meet), travels with the two others but opens no contact detail.

use crate::auth::hash_token;
use crate::ical::{CalEvent, calendar};
use crate::{Actor, Result, ServiceError, Services, random_token};
use parvis_domain::*;
use parvis_store::{Registration, SessionRow};
use serde::Serialize;
use utoipa::ToSchema;

/// A consent as it stands, with when and in which words it was given.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ConsentState {
    pub granted: bool,
    pub wording: String,
    pub at: Millis,
}

/// One line of a lead export.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Lead {
    pub name: String,
    pub organisation: String,
    /// Only when the person consented to be contacted (or, in a partner's export, to share).
    pub email: String,
    /// `confirmed` or `waiting` (unconfirmed visitors are not leads yet).
    pub status: String,
    pub contact: Option<ConsentState>,
    pub share: Option<ConsentState>,
    /// "Propose me meetings with other participants" (Meet), dated and worded like the others.
    pub meet: Option<ConsentState>,
}

/// A session the member registered to, with their status.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MySession {
    pub session: SessionRow,
    pub registration: Registration,
    pub starts_local: String,
}

impl Services {
    /// The iCalendar feed of a topic's sessions (as public as the topic).
    pub async fn topic_calendar(&self, topic: &Topic) -> Result<String> {
        let rows = self.topic_series(topic).await?;
        let events: Vec<CalEvent<'_>> = rows
            .iter()
            .map(|s| CalEvent {
                session: s,
                url: format!("{}/sessions/{}", self.config().public_url, s.id),
                host: self.host(),
                status: "CONFIRMED",
            })
            .collect();
        Ok(calendar(&topic.title, &events, now_millis()))
    }

    /// The member's registrations (not cancelled), soonest first.
    pub async fn my_sessions(&self, actor: &Actor) -> Result<Vec<MySession>> {
        self.sessions_of_member(actor.member.id.0).await
    }

    async fn sessions_of_member(&self, member: i64) -> Result<Vec<MySession>> {
        let mut out = Vec::new();
        for r in self.store().member_registrations(member).await? {
            if r.status == "cancelled" {
                continue;
            }
            if let Some(mut s) = self.store().topic_session(r.session_id).await? {
                let unlocked = self.can_manage_session(None, s.id).await?;
                if s.has_access_code && !unlocked {
                    s.online_url = String::new();
                }
                out.push(MySession {
                    starts_local: crate::sessions::millis_to_local(s.starts_at, &s.time_zone),
                    session: s,
                    registration: r,
                });
            }
        }
        out.sort_by_key(|m| m.session.starts_at);
        Ok(out)
    }

    /// A new secret address for the member's private feed (the previous one stops working).
    pub async fn new_calendar_link(&self, actor: &Actor) -> Result<String> {
        let token = random_token();
        self.store()
            .set_calendar_token(actor.member.id.0, &hash_token(&token), now_millis())
            .await?;
        Ok(format!("{}/calendar/{token}.ics", self.config().public_url))
    }

    /// Whether the member has a private feed address.
    pub async fn has_calendar_link(&self, actor: &Actor) -> Result<bool> {
        Ok(self.store().has_calendar_token(actor.member.id.0).await?)
    }

    /// The private feed of the member owning `token`: their sessions, waiting ones marked
    /// tentative.
    pub async fn member_calendar(&self, token: &str) -> Result<String> {
        let member = self
            .store()
            .calendar_member(&hash_token(token.trim()))
            .await?
            .ok_or(ServiceError::BadLink)?;
        let mine = self.sessions_of_member(member).await?;
        let events: Vec<CalEvent<'_>> = mine
            .iter()
            .map(|m| CalEvent {
                session: &m.session,
                url: format!("{}/sessions/{}", self.config().public_url, m.session.id),
                host: self.host(),
                status: if m.registration.status == "confirmed" {
                    "CONFIRMED"
                } else {
                    "TENTATIVE"
                },
            })
            .collect();
        Ok(calendar("Parvis", &events, now_millis()))
    }

    /// The session's leads for its moderators, site moderators and admins: everyone
    /// registered (confirmed or waiting), contact details only with consent. With `partner` (one of
    /// the session's named partners), only those who consented to share, with their details.
    pub async fn session_leads(
        &self,
        actor: &Actor,
        session: i64,
        partner: Option<&str>,
    ) -> Result<Vec<Lead>> {
        let row = self.session_row(session).await?;
        if !self.can_manage_session(Some(actor), session).await? {
            return Err(ServiceError::Forbidden(
                "only the session's moderators export its leads".into(),
            ));
        }
        if let Some(p) = partner {
            let known = row
                .partners
                .split(',')
                .map(str::trim)
                .any(|k| !k.is_empty() && k.eq_ignore_ascii_case(p.trim()));
            if !known {
                return Err(ValidationError::broke(
                    "partner",
                    Rule::Choice,
                    format!(
                        "not a partner of this session (its partners: {})",
                        row.partners
                    ),
                )
                .into());
            }
        }
        let consents = self.store().latest_consents(session).await?;
        let state = |id: i64, kind: &str| {
            consents
                .get(&(id, kind.to_string()))
                .map(|(granted, wording, at)| ConsentState {
                    granted: *granted,
                    wording: wording.clone(),
                    at: *at,
                })
        };
        let mut out = Vec::new();
        for r in self.store().registrations(session).await? {
            // An unconfirmed address is nobody's lead yet.
            if r.status == "cancelled" || r.status == "pending" {
                continue;
            }
            let (contact, share) = (state(r.id, "contact"), state(r.id, "share"));
            let may_contact = contact.as_ref().is_some_and(|c| c.granted) && r.consent_contact;
            let may_share = share.as_ref().is_some_and(|c| c.granted) && r.consent_share;
            if partner.is_some() && !may_share {
                continue;
            }
            let show = if partner.is_some() {
                may_share
            } else {
                may_contact
            };
            out.push(Lead {
                name: r.name,
                organisation: r.organisation,
                email: if show { r.email } else { String::new() },
                status: r.status,
                contact,
                share,
                meet: state(r.id, "meet"),
            });
        }
        Ok(out)
    }

    /// How many registrants consented to be contacted (the report's lead count).
    pub async fn lead_count(&self, session: i64) -> Result<i64> {
        Ok(self
            .store()
            .registrations(session)
            .await?
            .iter()
            .filter(|r| matches!(r.status.as_str(), "confirmed" | "waiting") && r.consent_contact)
            .count() as i64)
    }
}

/// One CSV cell (RFC 4180). Cells starting with a formula sign are quoted with a leading
/// apostrophe so that a spreadsheet does not run them.
pub fn csv_field(s: &str) -> String {
    let s = if s.starts_with(['=', '+', '-', '@']) {
        format!("'{s}")
    } else {
        s.to_string()
    };
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s
    }
}

/// Leads as CSV (RFC 4180, a header line; dates as Unix ms and ISO 8601 UTC).
pub fn leads_csv(leads: &[Lead]) -> String {
    use csv_field as field;
    fn when(c: &Option<ConsentState>) -> String {
        c.as_ref()
            .and_then(|c| jiff::Timestamp::from_millisecond(c.at).ok())
            .map(|t| t.strftime("%Y-%m-%dT%H:%M:%SZ").to_string())
            .unwrap_or_default()
    }
    let mut out = String::from(
        "name,organisation,email,status,contact,contact_at,contact_wording,share,share_at,share_wording,meet,meet_at,meet_wording\r\n",
    );
    for l in leads {
        let yes = |c: &Option<ConsentState>| {
            if c.as_ref().is_some_and(|c| c.granted) {
                "yes"
            } else {
                "no"
            }
        };
        let wording =
            |c: &Option<ConsentState>| c.as_ref().map(|c| c.wording.clone()).unwrap_or_default();
        let cells = [
            field(&l.name),
            field(&l.organisation),
            field(&l.email),
            field(&l.status),
            yes(&l.contact).into(),
            when(&l.contact),
            field(&wording(&l.contact)),
            yes(&l.share).into(),
            when(&l.share),
            field(&wording(&l.share)),
            yes(&l.meet).into(),
            when(&l.meet),
            field(&wording(&l.meet)),
        ];
        out.push_str(&cells.join(","));
        out.push_str("\r\n");
    }
    out
}
