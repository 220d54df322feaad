//! What a session's page shows, in one read on the read path ([`crate::read`]): the session
//! with its seat counts and where it belongs, its people, its agenda, its attendance and the
//! viewer's registration.
//!
//! Why one read: the page used to ask the store eight times through the `Any` pool (the
//! session's row three times, the space, every topic of the space, people, agenda,
//! attendance), each a pool checkout and a round trip; on PostgreSQL under load its p99 was
//! 60 ms against p50 7 ms (BENCHMARKS.md, "Sessions"). Here the session, its space and its
//! topic come in one joined row, and the rest follow on the same connection: one checkout and
//! four or five round trips, decoded by the native drivers (and one snapshot on SQLite).

use crate::read::{Arg, Cols};
use crate::{AgendaItem, Registration, Result, SessionPerson, SessionRow, Store};
use parvis_domain::Millis;

/// A session's page as read from the store.
#[derive(Debug, Clone)]
pub struct SessionPageRead {
    pub session: SessionRow,
    pub space_slug: String,
    pub topic_slug: String,
    pub topic_title: String,
    /// Moderators then speakers, each in their order.
    pub people: Vec<SessionPerson>,
    pub agenda: Vec<AgendaItem>,
    /// (person, channel, first seen, last seen), as [`Store::attendance`] gives it.
    pub attendance: Vec<(String, String, Millis, Millis)>,
    /// The viewer's registration, when a person was asked about.
    pub registration: Option<Registration>,
}

/// The session's columns, by position (see [`session_at`]), then the space's slug and the
/// topic's slug and title.
pub(crate) const SESSION: &str = "SELECT s.id, s.space_id, s.topic_id, s.title, s.description, s.starts_at, s.duration_min,
  s.time_zone, s.mode, s.place, s.online_url, s.access_code_hash, s.capacity, s.partners, s.created_by,
  s.created_at, s.repeated_from, s.closed_at,
  (SELECT COUNT(*) FROM registrations r WHERE r.session_id = s.id AND r.status = 'confirmed'),
  (SELECT COUNT(*) FROM registrations r WHERE r.session_id = s.id AND r.status = 'waiting'),
  sp.slug, tp.slug, tp.title
  FROM topic_sessions s JOIN spaces sp ON sp.id = s.space_id JOIN topics tp ON tp.id = s.topic_id
  WHERE s.id = $1";

const PEOPLE: &str = "SELECT p.role, p.member_id, m.handle, COALESCE(m.display_name, p.name),
  COALESCE(m.organisation, p.organisation)
  FROM session_people p LEFT JOIN members m ON m.id = p.member_id
  WHERE p.session_id = $1 ORDER BY p.role, p.position";

const AGENDA: &str =
    "SELECT title, minutes FROM session_agenda WHERE session_id = $1 ORDER BY position";

const ATTENDANCE: &str =
    "SELECT person, channel, first_at, last_at FROM session_attendance WHERE session_id = $1";

const REGISTRATION: &str =
    "SELECT id, session_id, person, member_id, name, email, organisation, lang,
  status, consent_contact, consent_share, consent_meet, created_at, confirmed_at, cancelled_at
  FROM registrations WHERE session_id = $1 AND person = $2";

pub(crate) fn session_at(r: &dyn Cols) -> Result<SessionRow> {
    let hash = r.opt_text(11)?;
    Ok(SessionRow {
        id: r.int(0)?,
        space_id: r.int(1)?,
        topic_id: r.int(2)?,
        title: r.text(3)?,
        description: r.text(4)?,
        starts_at: r.int(5)?,
        duration_min: r.int(6)?,
        time_zone: r.text(7)?,
        mode: r.text(8)?,
        place: r.text(9)?,
        online_url: r.text(10)?,
        has_access_code: hash.is_some(),
        access_code_hash: hash,
        capacity: r.opt_int(12)?,
        partners: r.text(13)?,
        created_by: r.opt_int(14)?,
        created_at: r.int(15)?,
        repeated_from: r.opt_int(16)?,
        closed_at: r.opt_int(17)?,
        confirmed: r.int(18)?,
        waiting: r.int(19)?,
    })
}

pub(crate) fn registration_at(r: &dyn Cols) -> Result<Registration> {
    Ok(Registration {
        id: r.int(0)?,
        session_id: r.int(1)?,
        person: r.text(2)?,
        member_id: r.opt_int(3)?,
        name: r.text(4)?,
        email: r.text(5)?,
        organisation: r.text(6)?,
        lang: r.text(7)?,
        status: r.text(8)?,
        consent_contact: r.int(9)? != 0,
        consent_share: r.int(10)? != 0,
        consent_meet: r.int(11)? != 0,
        created_at: r.int(12)?,
        confirmed_at: r.opt_int(13)?,
        cancelled_at: r.opt_int(14)?,
    })
}

impl Store {
    /// A session's page in one read; `person` (`m<id>` or `e<email>`) also reads that
    /// person's registration. `None` when there is no such session.
    pub async fn session_page_read(
        &self,
        id: i64,
        person: Option<String>,
    ) -> Result<Option<SessionPageRead>> {
        self.reads
            .run(move |r| {
                Box::pin(async move {
                    let args = [Arg::Int(id)];
                    let head = r
                        .opt(SESSION, &args, |c| {
                            Ok((session_at(c)?, c.text(20)?, c.text(21)?, c.text(22)?))
                        })
                        .await?;
                    let Some((session, space_slug, topic_slug, topic_title)) = head else {
                        return Ok(None);
                    };
                    let people = r
                        .all(PEOPLE, &args, |c| {
                            Ok(SessionPerson {
                                role: c.text(0)?,
                                member_id: c.opt_int(1)?,
                                handle: c.opt_text(2)?,
                                name: c.text(3)?,
                                organisation: c.text(4)?,
                            })
                        })
                        .await?;
                    let agenda = r
                        .all(AGENDA, &args, |c| {
                            Ok(AgendaItem {
                                title: c.text(0)?,
                                minutes: c.int(1)?,
                            })
                        })
                        .await?;
                    let attendance = r
                        .all(ATTENDANCE, &args, |c| {
                            Ok((c.text(0)?, c.text(1)?, c.int(2)?, c.int(3)?))
                        })
                        .await?;
                    let registration = match &person {
                        Some(p) => {
                            r.opt(REGISTRATION, &[Arg::Int(id), Arg::Text(p)], registration_at)
                                .await?
                        }
                        None => None,
                    };
                    Ok(Some(SessionPageRead {
                        session,
                        space_slug,
                        topic_slug,
                        topic_title,
                        people,
                        agenda,
                        attendance,
                        registration,
                    }))
                })
            })
            .await
    }
}
