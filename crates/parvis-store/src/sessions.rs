//! Sessions of a topic (scheduled debates): schedule, people, agenda, and reading their
//! registrations (capacity, waiting list, dated consents). Registering, confirming, cancelling
//! and consenting write through [`crate::registrations`], under the same lock of the session's
//! row that a capacity change takes here.

use crate::read::Arg;
use crate::{Result, Store, StoreError, int, opt_int, opt_text, text};
use parvis_domain::Millis;
use serde::Serialize;
use sqlx::any::AnyRow;

/// A session as stored, with its seat counts.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct SessionRow {
    pub id: i64,
    pub space_id: i64,
    pub topic_id: i64,
    pub title: String,
    pub description: String,
    /// Start, Unix milliseconds (UTC).
    pub starts_at: Millis,
    pub duration_min: i64,
    /// IANA time zone the session is held in (e.g. `Europe/Paris`).
    pub time_zone: String,
    /// `in_person`, `online`, `phygital` or `webcast`.
    pub mode: String,
    pub place: String,
    /// The online link; empty in answers until the viewer may see it (webcast code).
    pub online_url: String,
    /// Whether an access code guards the stream link.
    pub has_access_code: bool,
    #[serde(skip)]
    pub access_code_hash: Option<String>,
    /// Seats; absent when unlimited.
    pub capacity: Option<i64>,
    /// Partners named in the "share my contact" consent.
    pub partners: String,
    #[serde(skip)]
    pub created_by: Option<i64>,
    pub created_at: Millis,
    /// The session this one repeats (same series).
    pub repeated_from: Option<i64>,
    pub closed_at: Option<Millis>,
    pub confirmed: i64,
    pub waiting: i64,
}

/// A moderator or speaker: a member (with handle) or a named guest.
#[derive(Debug, Clone, Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct SessionPerson {
    /// `moderator` or `speaker`.
    pub role: String,
    /// The member's handle; absent for a named guest.
    pub handle: Option<String>,
    pub name: String,
    pub organisation: String,
    #[serde(skip)]
    pub member_id: Option<i64>,
}

/// One agenda item.
#[derive(Debug, Clone, Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct AgendaItem {
    pub title: String,
    pub minutes: i64,
}

/// What a session is made of, validated by the services.
#[derive(Debug, Clone)]
pub struct NewSession {
    pub space_id: i64,
    pub topic_id: i64,
    pub title: String,
    pub description: String,
    pub starts_at: Millis,
    pub duration_min: i64,
    pub time_zone: String,
    pub mode: String,
    pub place: String,
    pub online_url: String,
    /// `None` keeps the current code on edit; `Some(None)` removes it.
    pub access_code_hash: Option<Option<String>>,
    pub capacity: Option<i64>,
    pub partners: String,
    pub created_by: Option<i64>,
    pub repeated_from: Option<i64>,
    pub people: Vec<SessionPerson>,
    pub agenda: Vec<AgendaItem>,
}

/// A registration as stored.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Registration {
    pub id: i64,
    pub session_id: i64,
    #[serde(skip)]
    pub person: String,
    pub member_id: Option<i64>,
    pub name: String,
    pub email: String,
    pub organisation: String,
    pub lang: String,
    /// `pending` (visitor not yet confirmed by mail), `confirmed`, `waiting` or `cancelled`.
    pub status: String,
    pub consent_contact: bool,
    pub consent_share: bool,
    /// Propose me meetings with other participants.
    #[serde(default)]
    pub consent_meet: bool,
    pub created_at: Millis,
    pub confirmed_at: Option<Millis>,
    pub cancelled_at: Option<Millis>,
}

/// Who registers, and what they consented to.
#[derive(Debug, Clone)]
pub struct NewRegistration {
    pub session_id: i64,
    /// `m<id>` or `e<email>`.
    pub person: String,
    pub member_id: Option<i64>,
    pub name: String,
    pub email: String,
    pub organisation: String,
    pub lang: String,
    /// A visitor waits for the emailed link (`pending`), a member takes a seat at once.
    pub needs_confirmation: bool,
    pub confirm_token_hash: Option<String>,
    pub manage_token_hash: Option<String>,
    /// (kind, granted, wording shown).
    pub consents: Vec<(String, bool, String)>,
    pub now: Millis,
}

/// What a registration or a confirmation did.
#[derive(Debug, Clone)]
pub struct Registered {
    pub registration: Registration,
    /// False when the person was already registered (the same registration is returned).
    pub created: bool,
}

const SESSION_COLS: &str = "s.id, s.space_id, s.topic_id, s.title, s.description, s.starts_at, s.duration_min, s.time_zone, s.mode, s.place, s.online_url, s.access_code_hash, s.capacity, s.partners, s.created_by, s.created_at, s.repeated_from, s.closed_at,
  (SELECT COUNT(*) FROM registrations r WHERE r.session_id = s.id AND r.status = 'confirmed') AS confirmed,
  (SELECT COUNT(*) FROM registrations r WHERE r.session_id = s.id AND r.status = 'waiting') AS waiting";

fn session_row(r: &AnyRow) -> Result<SessionRow> {
    let hash = opt_text(r, "access_code_hash")?;
    Ok(SessionRow {
        id: int(r, "id")?,
        space_id: int(r, "space_id")?,
        topic_id: int(r, "topic_id")?,
        title: text(r, "title")?,
        description: text(r, "description")?,
        starts_at: int(r, "starts_at")?,
        duration_min: int(r, "duration_min")?,
        time_zone: text(r, "time_zone")?,
        mode: text(r, "mode")?,
        place: text(r, "place")?,
        online_url: text(r, "online_url")?,
        has_access_code: hash.is_some(),
        access_code_hash: hash,
        capacity: opt_int(r, "capacity")?,
        partners: text(r, "partners")?,
        created_by: opt_int(r, "created_by")?,
        created_at: int(r, "created_at")?,
        repeated_from: opt_int(r, "repeated_from")?,
        closed_at: opt_int(r, "closed_at")?,
        confirmed: int(r, "confirmed")?,
        waiting: int(r, "waiting")?,
    })
}

const REG_COLS: &str = "id, session_id, person, member_id, name, email, organisation, lang, status, consent_contact, consent_share, consent_meet, created_at, confirmed_at, cancelled_at";

fn reg_row(r: &AnyRow) -> Result<Registration> {
    Ok(Registration {
        id: int(r, "id")?,
        session_id: int(r, "session_id")?,
        person: text(r, "person")?,
        member_id: opt_int(r, "member_id")?,
        name: text(r, "name")?,
        email: text(r, "email")?,
        organisation: text(r, "organisation")?,
        lang: text(r, "lang")?,
        status: text(r, "status")?,
        consent_contact: int(r, "consent_contact")? != 0,
        consent_share: int(r, "consent_share")? != 0,
        consent_meet: int(r, "consent_meet")? != 0,
        created_at: int(r, "created_at")?,
        confirmed_at: opt_int(r, "confirmed_at")?,
        cancelled_at: opt_int(r, "cancelled_at")?,
    })
}

type Tx = sqlx::Transaction<'static, sqlx::Any>;

/// Lock the session's row for the rest of the transaction; its capacity, or `NotFound`.
async fn lock_session(tx: &mut Tx, session: i64) -> Result<Option<i64>> {
    let row = sqlx::query(
        "UPDATE topic_sessions SET capacity = capacity WHERE id = $1 RETURNING capacity",
    )
    .bind(session)
    .fetch_optional(&mut **tx)
    .await?
    .ok_or(StoreError::NotFound("session"))?;
    opt_int(&row, "capacity")
}

async fn write_people_and_agenda(tx: &mut Tx, id: i64, s: &NewSession) -> Result<()> {
    sqlx::query("DELETE FROM session_people WHERE session_id = $1")
        .bind(id)
        .execute(&mut **tx)
        .await?;
    sqlx::query("DELETE FROM session_agenda WHERE session_id = $1")
        .bind(id)
        .execute(&mut **tx)
        .await?;
    for (i, p) in s.people.iter().enumerate() {
        sqlx::query("INSERT INTO session_people (session_id, role, member_id, name, organisation, position) VALUES ($1, $2, $3, $4, $5, $6)")
            .bind(id)
            .bind(&p.role)
            .bind(p.member_id)
            .bind(&p.name)
            .bind(&p.organisation)
            .bind(i as i64)
            .execute(&mut **tx)
            .await?;
    }
    for (i, a) in s.agenda.iter().enumerate() {
        sqlx::query("INSERT INTO session_agenda (session_id, position, title, minutes) VALUES ($1, $2, $3, $4)")
            .bind(id)
            .bind(i as i64)
            .bind(&a.title)
            .bind(a.minutes)
            .execute(&mut **tx)
            .await?;
    }
    Ok(())
}

impl Store {
    /// Create a session with its people and agenda; its id.
    pub async fn create_topic_session(&self, s: &NewSession, now: Millis) -> Result<i64> {
        let mut tx = self.begin_write().await?;
        let row = sqlx::query(
            "INSERT INTO topic_sessions (space_id, topic_id, title, description, starts_at, duration_min, time_zone, mode, place, online_url, access_code_hash, capacity, partners, created_by, created_at, repeated_from)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16) RETURNING id",
        )
        .bind(s.space_id)
        .bind(s.topic_id)
        .bind(&s.title)
        .bind(&s.description)
        .bind(s.starts_at)
        .bind(s.duration_min)
        .bind(&s.time_zone)
        .bind(&s.mode)
        .bind(&s.place)
        .bind(&s.online_url)
        .bind(s.access_code_hash.clone().flatten())
        .bind(s.capacity)
        .bind(&s.partners)
        .bind(s.created_by)
        .bind(now)
        .bind(s.repeated_from)
        .fetch_one(&mut *tx)
        .await?;
        let id = int(&row, "id")?;
        write_people_and_agenda(&mut tx, id, s).await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Replace a session's schedule, people and agenda. Refused (`Conflict "capacity"`) when
    /// the new capacity is below the seats already confirmed, checked under the session lock.
    pub async fn update_topic_session(&self, id: i64, s: &NewSession) -> Result<()> {
        let mut tx = self.begin_write().await?;
        lock_session(&mut tx, id).await?;
        if let Some(cap) = s.capacity {
            let row = sqlx::query("SELECT COUNT(*) AS n FROM registrations WHERE session_id = $1 AND status = 'confirmed'")
                .bind(id)
                .fetch_one(&mut *tx)
                .await?;
            if int(&row, "n")? > cap {
                return Err(StoreError::Conflict {
                    what: "capacity below confirmed registrations".into(),
                });
            }
        }
        sqlx::query(
            "UPDATE topic_sessions SET title = $2, description = $3, starts_at = $4, duration_min = $5, time_zone = $6, mode = $7, place = $8, online_url = $9, capacity = $10, partners = $11 WHERE id = $1",
        )
        .bind(id)
        .bind(&s.title)
        .bind(&s.description)
        .bind(s.starts_at)
        .bind(s.duration_min)
        .bind(&s.time_zone)
        .bind(&s.mode)
        .bind(&s.place)
        .bind(&s.online_url)
        .bind(s.capacity)
        .bind(&s.partners)
        .execute(&mut *tx)
        .await?;
        if let Some(code) = &s.access_code_hash {
            sqlx::query("UPDATE topic_sessions SET access_code_hash = $2 WHERE id = $1")
                .bind(id)
                .bind(code.clone())
                .execute(&mut *tx)
                .await?;
        }
        write_people_and_agenda(&mut tx, id, s).await?;
        tx.commit().await?;
        Ok(())
    }

    /// One session.
    pub async fn topic_session(&self, id: i64) -> Result<Option<SessionRow>> {
        // On the read path: every registration reads its session first.
        self.reads
            .run_short(move |r| {
                Box::pin(async move {
                    r.opt(crate::session_page::SESSION, &[Arg::Int(id)], |c| {
                        crate::session_page::session_at(c)
                    })
                    .await
                })
            })
            .await
    }

    /// Sessions not closed whose end falls between `from` and `to` (for the reminders to
    /// close them).
    pub async fn sessions_ended_unclosed(
        &self,
        from: Millis,
        to: Millis,
    ) -> Result<Vec<SessionRow>> {
        let sql = format!(
            "SELECT {SESSION_COLS} FROM topic_sessions s WHERE s.closed_at IS NULL
             AND s.starts_at + s.duration_min * 60000 >= $1 AND s.starts_at + s.duration_min * 60000 <= $2 ORDER BY s.id"
        );
        let rows = sqlx::query(&sql)
            .bind(from)
            .bind(to)
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(session_row).collect()
    }

    /// A topic's sessions (its series), oldest first.
    pub async fn sessions_of_topic(&self, topic: i64) -> Result<Vec<SessionRow>> {
        let sql = format!(
            "SELECT {SESSION_COLS} FROM topic_sessions s WHERE s.topic_id = $1 ORDER BY s.starts_at, s.id"
        );
        let rows = sqlx::query(&sql).bind(topic).fetch_all(&self.pool).await?;
        rows.iter().map(session_row).collect()
    }

    /// A session's moderators and speakers, in the order given.
    pub async fn session_people(&self, id: i64) -> Result<Vec<SessionPerson>> {
        let rows = sqlx::query(
            "SELECT p.role, p.member_id, COALESCE(m.display_name, p.name) AS name, COALESCE(m.organisation, p.organisation) AS organisation, m.handle
             FROM session_people p LEFT JOIN members m ON m.id = p.member_id
             WHERE p.session_id = $1 ORDER BY p.role, p.position",
        )
        .bind(id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(SessionPerson {
                    role: text(r, "role")?,
                    member_id: opt_int(r, "member_id")?,
                    handle: opt_text(r, "handle")?,
                    name: text(r, "name")?,
                    organisation: text(r, "organisation")?,
                })
            })
            .collect()
    }

    /// A session's agenda, in order.
    pub async fn session_agenda(&self, id: i64) -> Result<Vec<AgendaItem>> {
        let rows = sqlx::query(
            "SELECT title, minutes FROM session_agenda WHERE session_id = $1 ORDER BY position",
        )
        .bind(id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(AgendaItem {
                    title: text(r, "title")?,
                    minutes: int(r, "minutes")?,
                })
            })
            .collect()
    }

    /// One registration.
    pub async fn registration(&self, id: i64) -> Result<Option<Registration>> {
        let sql = format!("SELECT {REG_COLS} FROM registrations WHERE id = $1");
        sqlx::query(&sql)
            .bind(id)
            .fetch_optional(&self.pool)
            .await?
            .as_ref()
            .map(reg_row)
            .transpose()
    }

    /// A person's registration to a session (`person` as in [`NewRegistration`]).
    pub async fn registration_of(
        &self,
        session: i64,
        person: &str,
    ) -> Result<Option<Registration>> {
        let sql =
            format!("SELECT {REG_COLS} FROM registrations WHERE session_id = $1 AND person = $2");
        sqlx::query(&sql)
            .bind(session)
            .bind(person)
            .fetch_optional(&self.pool)
            .await?
            .as_ref()
            .map(reg_row)
            .transpose()
    }

    /// A registration by the hash of its manage token (visitors' own links).
    pub async fn registration_by_manage_token(&self, hash: &str) -> Result<Option<Registration>> {
        let sql = format!("SELECT {REG_COLS} FROM registrations WHERE manage_token_hash = $1");
        sqlx::query(&sql)
            .bind(hash)
            .fetch_optional(&self.pool)
            .await?
            .as_ref()
            .map(reg_row)
            .transpose()
    }

    /// A session's registrations, in the order they came.
    pub async fn registrations(&self, session: i64) -> Result<Vec<Registration>> {
        let sql = format!(
            "SELECT {REG_COLS} FROM registrations WHERE session_id = $1 ORDER BY created_at, id"
        );
        let rows = sqlx::query(&sql)
            .bind(session)
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(reg_row).collect()
    }

    /// A member's registrations (any status), with their sessions.
    pub async fn member_registrations(&self, member: i64) -> Result<Vec<Registration>> {
        let sql = format!(
            "SELECT {REG_COLS} FROM registrations WHERE member_id = $1 ORDER BY created_at, id"
        );
        let rows = sqlx::query(&sql).bind(member).fetch_all(&self.pool).await?;
        rows.iter().map(reg_row).collect()
    }

    /// The dated consent history of a registration: (kind, granted, wording, at), oldest first.
    pub async fn registration_consents(
        &self,
        registration: i64,
    ) -> Result<Vec<(String, bool, String, Millis)>> {
        let rows = sqlx::query("SELECT kind, granted, wording, at FROM registration_consents WHERE registration_id = $1 ORDER BY at, id")
            .bind(registration)
            .fetch_all(&self.pool)
            .await?;
        rows.iter()
            .map(|r| {
                Ok((
                    text(r, "kind")?,
                    int(r, "granted")? != 0,
                    text(r, "wording")?,
                    int(r, "at")?,
                ))
            })
            .collect()
    }
}
